"""Typo tolerance and "did you mean": the vocabulary of a snapshot (sorted, and bucketed
by length with character masks), the expansion of a query word into the terms it stands
for (:func:`variants`) and corrections for words that matched nothing (:func:`suggest`).

Each query word expands to its exact term, typo variants (Meilisearch's rule: none under
5 letters, 1 for 5-8, 2 for 9+, transposition = 1; one typo looked up in a deletion table
of the short ASCII terms, two through character-kind and character-pair pre-filters and
rapidfuzz; a 3-4 letter word that is no word of the library gets its one-typo neighbours,
and one 20x rarer than a neighbour gets them at a low weight) and, for the last word,
prefix completions (and, when it is neither a word nor the start of one, completions of
its one-typo variants). A word over :data:`MAX_EXPAND_LEN` letters is matched exactly only.
"""

from __future__ import annotations

import bisect
import functools
from collections.abc import Iterable
from itertools import compress, pairwise
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
import numpy.typing as npt
from rapidfuzz import process
from rapidfuzz.distance import OSA

from newstui.core.search.arrays import sorted_unique
from newstui.core.search.query import STOPWORDS
from newstui.core.search.ranking import RankingConfig
from newstui.core.search.segments import BoolArray, I64Array, IntArray, TermDict

if TYPE_CHECKING:
    from newstui.core.search.planning import ClausePlan
    from newstui.core.search.snapshot import Snapshot

# A query word longer than this is matched exactly only: no typo or prefix expansion (whose
# cost grows with the word; real words are shorter, pasted junk is not).
MAX_EXPAND_LEN = 32
# A 3-4 letter word (where the typo rule allows none) that is no word of the library also
# matches its one-typo neighbours.
SHORT_TYPO_MIN_LEN = 3
# Bytes of each term kept for the vectorised prefix lookups (16 bytes a term).
KEY_BYTES = 16
# ASCII terms up to this long are in the one-typo table (``_Deletions``): their one-letter
# deletions fit the 8 bytes of a key. A query word shorter than it finds there every term
# one typo away (they are at most one letter longer).
DELETIONS_MAX_LEN = 9
_EDIT_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"
_ALPHABET = np.frombuffer(_EDIT_ALPHABET.encode("ascii"), np.uint8)


class Variant(NamedTuple):
    """A vocabulary term a query word stands for, with its score factor."""

    tid: int
    factor: float
    term: str


class Near(NamedTuple):
    """A vocabulary term within some typos of a word."""

    distance: int
    tid: int
    term: str


def max_typos(word: str) -> int:
    """Meilisearch's default: no typo under 5 letters, one for 5-8, two for 9 and more."""
    n = len(word)
    if n < 5:
        return 0
    if n <= 8:
        return 1
    return 2


def _bit_table() -> npt.NDArray[np.uint64]:
    table = np.zeros(256, np.uint64)
    for b in range(256):
        c = chr(b)
        if "a" <= c <= "z":
            table[b] = 1 << (ord(c) - 97)
        elif "0" <= c <= "9":
            table[b] = 1 << (26 + ord(c) - 48)
        else:
            table[b] = 1 << (36 + b % 28)
    return table


_BITS = _bit_table()


def char_mask(word: str) -> int:
    """A 64-bit set of the characters of ``word`` (hashed beyond a-z0-9)."""
    mask = 0
    for ch in word:
        o = ord(ch)
        mask |= int(_BITS[o]) if o < 256 else 1 << (36 + o % 28)
    return mask


def _ascii_grid(words: list[str], length: int) -> tuple[BoolArray, npt.NDArray[np.uint8]]:
    """Which of same-length ``words`` are ASCII, and those as rows of bytes."""
    flags = np.fromiter(map(str.isascii, words), np.bool_, count=len(words))
    raw = "".join(compress(words, flags.tolist())).encode("ascii")
    return flags, np.frombuffer(raw, np.uint8).reshape(-1, length)


def _masks(
    words: list[str], flags: BoolArray, grid: npt.NDArray[np.uint8]
) -> npt.NDArray[np.uint64]:
    """Character masks of same-length words, vectorised for the ASCII ones (``flags``,
    whose bytes are the rows of ``grid``)."""
    out = np.zeros(len(words), np.uint64)
    if len(grid):
        out[flags] = np.bitwise_or.reduce(_BITS[grid], axis=1)
    for i in np.flatnonzero(~flags).tolist():
        out[i] = char_mask(words[i])
    return out


def bigram_mask(word: str) -> int:
    """A 64-bit set of the pairs of adjacent characters of ``word`` (hashed)."""
    mask = 0
    for a, b in pairwise(word):
        mask |= 1 << ((ord(a) * 31 + ord(b)) % 64)
    return mask


def _bigram_masks(
    words: list[str], flags: BoolArray, grid: npt.NDArray[np.uint8]
) -> npt.NDArray[np.uint64]:
    """:func:`bigram_mask` of same-length words, vectorised for the ASCII ones (``flags``,
    whose bytes are the rows of ``grid``: a byte is its character's ``ord``)."""
    out = np.zeros(len(words), np.uint64)
    if len(grid) and grid.shape[1] > 1:
        pair = (grid[:, :-1].astype(np.uint64) * np.uint64(31) + grid[:, 1:]) % np.uint64(64)
        out[flags] = np.bitwise_or.reduce(np.left_shift(np.uint64(1), pair), axis=1)
    for i in np.flatnonzero(~flags).tolist():
        out[i] = bigram_mask(words[i])
    return out


def _packed(rows: npt.NDArray[np.uint8]) -> npt.NDArray[np.uint64]:
    """Rows of at most 8 bytes (no NUL: terms are words) as one 64-bit key each: the bytes
    zero-padded, so two rows share a key only when they are the same bytes."""
    pad = np.zeros((len(rows), 8), np.uint8)
    pad[:, : rows.shape[1]] = rows
    return pad.view(np.uint64).ravel()


def _deleted(w: npt.NDArray[np.uint8], width: int) -> npt.NDArray[np.uint8]:
    """The rows of ``w`` (m words of ``width`` bytes, or one) without their i-th byte, for
    each i: ``(width, m, width - 1)``."""
    cols = np.arange(width - 1)
    at = np.arange(width)[:, None]
    return w[..., cols + (cols >= at)] if w.ndim == 1 else w[:, cols + (cols >= at)].swapaxes(0, 1)


_TEMPLATE_TAIL = _EDIT_ALPHABET.encode("ascii") + b"\x00\xff"


class _EditTemplate(NamedTuple):
    """Where each byte of each one-typo head of an n-letter word comes from (see
    :func:`_edit_template`), the heads in order of the position of their edit: heads of up
    to 8 bytes (their first 8) and, for each, the bits to set for the last term it starts;
    the others (their ``KEY_BYTES``, and the same with 0xff after the head). ``short_upto``
    and ``long_upto`` [r]: how many of each have their edit before position ``r``."""

    short: npt.NDArray[np.intp]
    after: npt.NDArray[np.uint64]
    long: npt.NDArray[np.intp]
    long_end: npt.NDArray[np.intp]
    short_upto: list[int]
    long_upto: list[int]


@functools.lru_cache(maxsize=64)
def _edit_template(n: int, deletions: bool) -> _EditTemplate:
    """The one-typo heads of any n-letter word as indexes into its bytes followed by
    ``_TEMPLATE_TAIL`` (the alphabet, 0, 0xff): substitutions and insertions of each
    letter at every position, transpositions and (with ``deletions``) deletions at every
    position but the last. A word's heads (those with their edit before some position)
    are then one gather: they depend on its length only (~100 us to build, kept)."""
    w = np.arange(n, dtype=np.intp)
    alphabet = n + np.arange(len(_EDIT_ALPHABET), dtype=np.intp)
    pad, end = n + len(_EDIT_ALPHABET), n + len(_EDIT_ALPHABET) + 1
    at = np.repeat(np.arange(n), len(alphabet))
    letters = np.tile(alphabet, n)
    hit = np.arange(len(at))
    sub = np.full((len(at), KEY_BYTES), pad, np.intp)
    sub[:, :n] = w
    sub[hit, at] = letters  # word[:i] + c + word[i + 1:]
    cols = np.arange(n + 1)
    ins = np.full((len(at), KEY_BYTES), pad, np.intp)
    ins[:, : n + 1] = w[np.minimum(np.maximum(cols - (cols > at[:, None]), 0), n - 1)]
    ins[hit, at] = letters  # word[:i] + c + word[i:]
    rows = [sub, ins]
    sizes = [n, n + 1]
    where = [at, at]
    at = np.arange(n - 1)
    swap = np.full((n - 1, KEY_BYTES), pad, np.intp)
    swap[:, :n] = w
    swap[at, at], swap[at, at + 1] = w[at + 1], w[at]
    rows.append(swap)
    sizes.append(n)
    where.append(at)
    if deletions:
        cols = np.arange(n - 1)
        cut = np.full((n - 1, KEY_BYTES), pad, np.intp)
        cut[:, : n - 1] = w[cols + (cols >= at[:, None])]
        rows.append(cut)
        sizes.append(n - 1)
        where.append(at)
    pos = np.concatenate(where)
    order = np.argsort(pos, kind="stable")
    heads = np.concatenate(rows)[order]
    width = np.repeat(np.array(sizes, np.int64), [len(r) for r in rows])[order]
    pos = pos[order]
    short = width <= 8
    long = heads[~short]
    long_end = long.copy()
    long_end[np.arange(len(long)), width[~short]] = end
    upto = np.arange(n + 1)
    return _EditTemplate(
        np.ascontiguousarray(heads[short, :8]),
        np.array([(1 << (8 * (8 - k))) - 1 for k in width[short].tolist()], np.uint64),
        long,
        long_end,
        np.searchsorted(pos[short], upto).tolist(),
        np.searchsorted(pos[~short], upto).tolist(),
    )


def _edit_templates() -> None:
    """Build the edit templates of every word length :meth:`Vocab._edit_ranges` takes (~3 ms
    in all, kept for the process), with the vocabulary: not in the first search with a
    typo'd last word of each length (~0.1-0.2 ms each)."""
    for n in range(1, KEY_BYTES - 1):
        for deletions in (True, False):
            _edit_template(n, deletions)


class _Deletions:
    """A one-typo table of the vocabulary's ASCII terms up to ``DELETIONS_MAX_LEN`` letters
    (SymSpell's deletion neighbourhood): each term and each of its one-letter deletions as
    a 64-bit key, sorted, with the term's id.

    Two words are one typo apart (OSA: substitution, insertion, deletion, transposition)
    only if one of them, or one of them less a letter, is the other less a letter (``abc``
    and ``bac`` are both ``ac`` less one), so a word's term neighbours are among the terms
    under its own key and its deletions' keys (``n + 1`` lookups), measured after. ~8 keys
    a term (~5 MB at 104k articles), built in ~30 ms with the vocabulary; a lookup touches a
    few cache lines where the character-mask pre-filter reads every term of three lengths."""

    __slots__ = ("keys", "tids")

    def __init__(self, grids: dict[int, tuple[npt.NDArray[np.uint8], IntArray]]) -> None:
        """``grids``: per length, the ASCII terms as rows of bytes, and their ids."""
        keys: list[npt.NDArray[np.uint64]] = []
        ids: list[IntArray] = []
        for size, (grid, own) in grids.items():
            if size > DELETIONS_MAX_LEN or not len(grid):
                continue
            if size <= 8:
                keys.append(_packed(grid))
                ids.append(own)
            for rows in _deleted(grid, size):
                keys.append(_packed(rows))
                ids.append(own)
        all_keys = np.concatenate(keys) if keys else np.zeros(0, np.uint64)
        all_ids = np.concatenate(ids) if ids else np.zeros(0, np.int32)
        order = np.argsort(all_keys)
        self.keys: npt.NDArray[np.uint64] = all_keys[order]
        self.tids: IntArray = all_ids[order]

    def candidates(self, word: str) -> IntArray:
        """Ids (sorted, distinct) of the table's terms that may be one typo from ``word``
        (ASCII, shorter than ``DELETIONS_MAX_LEN``, no NUL), ``word`` among them if a term."""
        w = np.frombuffer(word.encode("ascii"), np.uint8)
        n = len(w)
        q = np.concatenate([_packed(w[None, :]), _packed(_deleted(w, n))])
        los = np.searchsorted(self.keys, q, side="left")
        his = np.searchsorted(self.keys, q, side="right")
        sizes = his - los
        total = int(sizes.sum())
        if not total:
            return np.zeros(0, np.int32)
        ends = np.cumsum(sizes)
        idx = np.repeat(los - (ends - sizes), sizes) + np.arange(total)
        return sorted_unique(self.tids[idx])


class Vocab:
    """Sorted vocabulary and length buckets of one snapshot, for prefix and typo expansion."""

    def __init__(self, term_ids: TermDict, n_terms: int, df: IntArray) -> None:
        terms = term_ids.terms
        words = [terms[i] for i in np.flatnonzero(df[:n_terms] > 0).tolist()]
        words.sort()
        count = len(words)
        self.sorted_terms: list[str] = words
        self.sorted_tids: IntArray = np.fromiter(
            map(term_ids.__getitem__, words), np.int32, count=count
        )
        self.sorted_df: IntArray = df[self.sorted_tids]
        self.max_df = int(self.sorted_df.max()) if count else 0
        # The terms' first KEY_BYTES bytes of UTF-8 (whose byte order is the terms'
        # order), for looking up many prefixes at once (``prefix_ranges``).
        self.keys = np.array(
            [w.encode("utf-8", "surrogatepass")[:KEY_BYTES] for w in words], f"S{KEY_BYTES}"
        )
        # Their first 8 bytes as big-endian numbers (the same order), for short heads.
        self.head8: npt.NDArray[np.uint64] = (
            self.keys.view(">u8")[::2].astype(np.uint64) if count else np.zeros(0, np.uint64)
        )
        # The terms again by length (alphabetical within), with their character masks
        # and how many character kinds each has: the terms of lengths ``a..b`` are one
        # slice, ``len_start[a]:len_start[b + 1]``, for one typo pre-filter (``near``).
        lens = np.fromiter(map(len, words), np.int64, count=count)
        order = np.argsort(lens, kind="stable")
        sizes, starts = np.unique(lens[order], return_index=True)
        ends = [*starts.tolist()[1:], count] if count else []
        masks: list[npt.NDArray[np.uint64]] = []
        bigrams: list[npt.NDArray[np.uint64]] = []
        flags: list[BoolArray] = []
        grids: dict[int, tuple[npt.NDArray[np.uint8], IntArray]] = {}
        by_len: list[str] = []
        self.len_tids: IntArray = self.sorted_tids[order]
        for size, a, b in zip(sizes.tolist(), starts.tolist(), ends, strict=True):
            same = [words[i] for i in order[a:b].tolist()]
            ascii_flags, grid = _ascii_grid(same, size)
            masks.append(_masks(same, ascii_flags, grid))
            bigrams.append(_bigram_masks(same, ascii_flags, grid))
            flags.append(ascii_flags)
            grids[size] = (grid, self.len_tids[a:b][ascii_flags])
            by_len += same
        self.len_words: list[str] = by_len
        # the same as an array of objects: a pre-filter's survivors taken by one ``take``
        # (~10x cheaper than a Python step each: ~1,000 of them for a two-typo word)
        self.len_word_objects: npt.NDArray[np.object_] = np.array(by_len, dtype=object)
        self.len_masks: npt.NDArray[np.uint64] = (
            np.concatenate(masks) if masks else np.zeros(0, np.uint64)
        )
        self.len_kinds: npt.NDArray[np.uint8] = np.bitwise_count(self.len_masks)
        # and of adjacent character pairs (``near``'s second pre-filter, for two typos)
        self.len_bigrams: npt.NDArray[np.uint64] = (
            np.concatenate(bigrams) if bigrams else np.zeros(0, np.uint64)
        )
        top = int(sizes[-1]) if count else 0
        # len_start[n]: the first term of n letters or more (n up to top + 1).
        self.len_start: list[int] = np.searchsorted(
            lens[order], np.arange(top + 2), side="left"
        ).tolist()
        # The non-ASCII terms (their positions in the order by length, and where each
        # length starts there): the one-typo table holds the others.
        wide = ~np.concatenate(flags) if flags else np.zeros(0, np.bool_)
        self.wide_at: I64Array = np.flatnonzero(wide)
        self.wide_start: list[int] = np.searchsorted(
            lens[order][self.wide_at], np.arange(top + 2), side="left"
        ).tolist()
        self.deletions = _Deletions(grids)
        _edit_templates()
        self.term_of: list[str] = term_ids.terms
        self.cache: dict[tuple[str, bool, bool], list[Variant]] = {}

    def fuzzy_prefix_positions(self, word: str, limit: int, *, deletions: bool = True) -> list[int]:
        """Positions in ``sorted_terms`` of the terms (at most ``limit``, most frequent
        first) that start with a one-typo variant of ``word`` but not with ``word``.

        The variants are generated (deletion, transposition, substitution, insertion over
        the letters and digits; not at the end, where a variant is only a shorter or longer
        prefix of the word itself) and looked up together (``prefix_ranges``). A variant
        keeps the word's letters before its edit, so edits after the longest start of
        ``word`` that starts some term are skipped (they can start nothing): ~250 lookups
        for a 6-letter word with a typo in its middle, cached with the word's other
        variants. An ASCII word's heads are built as rows of one byte array
        (:meth:`_edit_ranges`, ~0.2 ms at 104k articles instead of ~0.5 ms as strings)."""
        n = len(word)
        terms = self.sorted_terms
        reach = min(self.known_prefix_len(word) + 1, n)  # edits at positions < reach
        last = min(reach, n - 1)  # deletions and transpositions: not of the last letter
        if word.isascii() and n + 1 < KEY_BYTES and "\x00" not in word:
            # A head that starts with ``word`` starts only the word's own completions,
            # dropped below: no need to leave it out here.
            los, his = self._edit_ranges(word, reach, last, deletions)
        else:
            heads = {word[:i] + word[i + 1 :] for i in range(last)} if deletions else set()
            heads |= {word[:i] + word[i + 1] + word[i] + word[i + 2 :] for i in range(last)}
            for i in range(reach):
                before, at, after = word[:i], word[i:], word[i + 1 :]
                for c in _EDIT_ALPHABET:
                    heads.add(before + c + after)
                    heads.add(before + c + at)
            heads = {h for h in heads if not h.startswith(word)}
            los, his = self.prefix_ranges(list(heads))
        bisect_left = bisect.bisect_left
        keep = his > los
        los, his = los[keep], his[keep]
        if not len(los):
            return []
        sizes = his - los
        ends = np.cumsum(sizes)
        pos = sorted_unique(np.repeat(los - (ends - sizes), sizes) + np.arange(int(ends[-1])))
        own_lo = bisect_left(terms, word)
        own_hi = bisect_left(terms, word + "\U0010ffff", own_lo)
        pos = pos[(pos < own_lo) | (pos >= own_hi)]  # not the word's own completions
        if len(pos) > limit:
            pos = pos[np.argpartition(-self.sorted_df[pos], limit)[:limit]]
        return [int(p) for p in pos.tolist()]

    def _edit_ranges(
        self, word: str, reach: int, last: int, deletions: bool
    ) -> tuple[I64Array, I64Array]:
        """:meth:`prefix_ranges` of the one-typo heads of an ASCII ``word`` shorter than
        ``KEY_BYTES - 1`` (substitutions and insertions at positions below ``reach``,
        deletions and transpositions below ``last``), each head a row of bytes gathered
        from the word and the edit alphabet by one index array (:func:`_edit_template`,
        the same for every word of its length): a few array operations for them all."""
        n = len(word)
        t = _edit_template(n, deletions)
        # The heads with their edit before ``reach`` (substitutions, insertions) or before
        # ``last`` (transpositions, deletions: ``last`` is ``reach`` but for the last letter,
        # where the template has none of them).
        assert last == min(reach, n - 1)
        short, long = t.short_upto[reach], t.long_upto[reach]
        # The word's bytes, then the edit alphabet, then 0 (padding) and 0xff (an end).
        src = np.frombuffer(word.encode("ascii") + _TEMPLATE_TAIL, np.uint8)
        los: list[I64Array] = []
        his: list[I64Array] = []
        if short:
            # Heads of up to 8 bytes: searched among the terms' first 8 bytes as numbers
            # (``head8``: half the memory of the keys, a plain compare); the terms a head
            # starts run from it to it with every byte after its own at 0xff.
            first = src[t.short[:short]].view(">u8").ravel().astype(np.uint64)
            los.append(np.searchsorted(self.head8, first, side="left"))
            his.append(np.searchsorted(self.head8, first | t.after[:short], side="right"))
        if long:
            # Longer ones: only a term with the head's first 8 bytes can start with it, and
            # most heads share them with none (``head8``; an empty range for those). The
            # others among the keys, each followed by 0xff (never in UTF-8): after every
            # term it starts.
            rows = src[t.long[:long]]
            first = rows.view(">u8")[:, 0].astype(np.uint64)
            lo8 = np.searchsorted(self.head8, first, side="left")
            some = np.flatnonzero(np.searchsorted(self.head8, first, side="right") > lo8)
            hi = lo8.copy()
            if len(some):
                heads = rows[some].view(f"S{KEY_BYTES}").ravel()
                ends = src[t.long_end[some]].view(f"S{KEY_BYTES}").ravel()
                lo8[some] = np.searchsorted(self.keys, heads)
                hi[some] = np.searchsorted(self.keys, ends)
            los.append(lo8)
            his.append(hi)
        if not los:
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        return np.concatenate(los).astype(np.int64), np.concatenate(his).astype(np.int64)

    def prefix_ranges(self, heads: list[str]) -> tuple[I64Array, I64Array]:
        """For each of ``heads`` (in order), the range ``[lo, hi)`` of ``sorted_terms``
        that start with it: one vectorised search over :attr:`keys` for the heads shorter
        than ``KEY_BYTES`` bytes, bisection for the others."""
        raws = [h.encode("utf-8", "surrogatepass") for h in heads]
        short = np.array([len(r) < KEY_BYTES for r in raws], np.bool_)
        keys = np.array([r for r in raws if len(r) < KEY_BYTES], f"S{KEY_BYTES}")
        # b"\xff" never occurs in UTF-8: it sorts after every term starting with the head.
        ends = np.array([r + b"\xff" for r in raws if len(r) < KEY_BYTES], f"S{KEY_BYTES}")
        los = np.zeros(len(raws), np.int64)
        his = np.zeros(len(raws), np.int64)
        los[short] = np.searchsorted(self.keys, keys)
        his[short] = np.searchsorted(self.keys, ends)
        terms = self.sorted_terms
        for i in np.flatnonzero(~short).tolist():
            head = heads[i]
            lo = bisect.bisect_left(terms, head)
            los[i], his[i] = lo, bisect.bisect_left(terms, head + "\U0010ffff", lo)
        return los, his

    def known_prefix_len(self, word: str) -> int:
        """The length of the longest start of ``word`` that some term starts with."""
        terms = self.sorted_terms
        count = len(terms)
        lo, hi = 0, len(word)  # word[:lo] starts a term (the empty start: any term)
        while lo < hi:
            mid = (lo + hi + 1) // 2
            head = word[:mid]
            at = bisect.bisect_left(terms, head)
            if at < count and terms[at].startswith(head):
                lo = mid
            else:
                hi = mid - 1
        return lo if count else 0

    def max_prefix_df(self, word: str) -> int:
        """The highest document frequency among the longer words starting with ``word``."""
        terms = self.sorted_terms
        lo = bisect.bisect_right(terms, word)
        hi = bisect.bisect_left(terms, word + "\U0010ffff", lo)
        return int(self.sorted_df[lo:hi].max()) if hi > lo else 0

    def near(self, word: str, k: int) -> list[Near]:
        """Vocabulary words within ``k`` typos (OSA:
        a transposition counts as one), ``word`` itself excluded.

        One typo from an ASCII word shorter than ``DELETIONS_MAX_LEN``: the terms the
        one-typo table gives, measured, and the non-ASCII terms of lengths ``n - 1..n + 1``
        through the pre-filter below. Otherwise every term of lengths ``n - k..n + k``
        through the pre-filter: an edit adds or drops at most one character kind, so a
        term with more than ``k`` kinds ``word`` lacks, or lacking more than ``k`` of its
        kinds, is more than ``k`` edits away (with ``x`` the kinds both have, those are
        ``kinds(term) - x`` and ``kinds(word) - x``); the survivors are measured with
        rapidfuzz in one call."""
        n = len(word)
        if k == 1 and n < DELETIONS_MAX_LEN and word.isascii() and "\x00" not in word:
            out: list[Near] = []
            terms = self.term_of
            for t in self.deletions.candidates(word).tolist():
                term = terms[t]
                dist = OSA.distance(word, term, score_cutoff=1)
                if 0 < dist <= 1:
                    out.append(Near(dist, t, term))
            start = self.wide_start
            last = len(start) - 1
            lo = start[min(max(n - 1, 0), last)]
            hi = start[min(max(n + 2, 0), last)]
            if hi > lo:
                out += self._near_among(word, 1, self.wide_at[lo:hi])
            return out
        start = self.len_start
        last = len(start) - 1
        lo = start[min(max(n - k, 0), last)]
        hi = start[min(max(n + k + 1, 0), last)]
        if hi <= lo:
            return []
        return self._near_among(word, k, slice(lo, hi))

    def _near_among(self, word: str, k: int, at: slice | I64Array) -> list[Near]:
        """:meth:`near` among the terms at ``at`` (positions in the order by length: a
        slice, or the positions themselves)."""
        mask = char_mask(word)
        shared = np.bitwise_count(self.len_masks[at] & np.uint64(mask))
        ok = self.len_kinds[at] <= shared + np.uint8(k)
        if mask.bit_count() > k:
            ok &= shared >= np.uint8(mask.bit_count() - k)
        if k >= 2:
            # An edit takes at most three pairs of adjacent characters away (a
            # transposition: the pair it swaps and the two around it) and brings at most
            # three: a term missing, or adding, more than 3k pair kinds is further. Halves
            # the candidates of a two-typo word (~560 -> ~290 at 104k articles).
            pairs = bigram_mask(word)
            other = self.len_bigrams[at]
            gone = np.bitwise_count(other & np.uint64(pairs))
            ok &= np.bitwise_count(other) <= gone + np.uint8(3 * k)
            if pairs.bit_count() > 3 * k:
                ok &= gone >= np.uint8(pairs.bit_count() - 3 * k)
        sel = np.flatnonzero(ok) + at.start if isinstance(at, slice) else at[ok]
        if not len(sel):
            return []
        cands = self.len_word_objects.take(sel).tolist()
        tids = self.len_tids
        return [
            Near(int(dist), int(tids[sel[idx]]), term)
            for term, dist, idx in process.extract(
                word, cands, scorer=OSA.distance, score_cutoff=k, limit=None
            )
            if dist > 0
        ]


def variants(
    snap: Snapshot, word: str, cfg: RankingConfig, *, fuzzy: bool, prefix: bool
) -> list[Variant]:
    """Every vocabulary term a query word stands for, with its factor (cached per
    snapshot)."""
    vocab = snap.vocab(cfg)
    if len(word) > MAX_EXPAND_LEN:  # exact only: expansion costs grow with the word
        fuzzy = prefix = False
    key = (word, fuzzy, prefix)
    cached = vocab.cache.get(key)
    if cached is not None:
        return cached
    df = snap.stats(cfg).df
    out: list[Variant] = []
    tid = snap.terms.get(word)
    typed_known = False
    if tid is not None and tid < len(df) and df[tid] > 0:
        typed_known = True
        typed = prefix and len(word) <= cfg.typed_exact_max_len
        out.append(Variant(tid, cfg.typed_exact_factor if typed else 1.0, word))
    k = max_typos(word) if fuzzy else 0
    short = False
    if k:
        # Ties broken by the term itself, not its id (ids depend on indexing order).
        found = sorted((dist, -int(df[t]), term, t) for dist, t, term in vocab.near(word, k))
        for dist, _, term, t in found[: cfg.max_typo_variants]:
            out.append(Variant(t, cfg.typo_factor[min(dist, len(cfg.typo_factor) - 1)], term))
    elif fuzzy and len(word) >= SHORT_TYPO_MIN_LEN and word.isalpha():
        # A short word (no typo allowed by the rule above) that is no word here (nor,
        # typed last, the start of one): one typo (`brwn` -> brown, `lne` -> line),
        # ranked below exact matches. A word of the library far rarer than a one-typo
        # neighbour (`curt` beside court, `pace` beside peace) also matches the
        # neighbours, weighted well below itself. Never to a stopword or a 1-2 letter word.
        own = int(df[tid]) if typed_known else 0
        if prefix:
            own = max(own, vocab.max_prefix_df(word))
        near = (
            [
                (t, term)
                for _, t, term in vocab.near(word, 1)
                if len(term) >= SHORT_TYPO_MIN_LEN and term not in STOPWORDS
            ]
            if own * cfg.short_typo_ratio <= vocab.max_df  # else no neighbour can be
            else []
        )
        best = max((int(df[t]) for t, _ in near), default=0)
        if near and (own == 0 or own * cfg.short_typo_ratio <= best):
            short = own == 0
            factor = cfg.typo_factor[1] if short else cfg.rare_typo_factor
            close = sorted((-int(df[t]), term, t) for t, term in near)
            for _, term, t in close[: cfg.max_typo_variants]:
                out.append(Variant(t, factor, term))
    if prefix:
        lo = bisect.bisect_left(vocab.sorted_terms, word)
        hi = bisect.bisect_left(vocab.sorted_terms, word + "\U0010ffff")
        if vocab.sorted_terms[lo : lo + 1] == [word]:
            lo += 1
        typed_known = typed_known or hi > lo
        if hi > lo:
            sel = np.arange(lo, hi)
            if hi - lo > cfg.max_prefix_variants:
                part = np.argpartition(-vocab.sorted_df[lo:hi], cfg.max_prefix_variants)
                sel = lo + part[: cfg.max_prefix_variants]
            seen = {t for t, _, _ in out}
            for pos in sel.tolist():
                t = int(vocab.sorted_tids[pos])
                if t not in seen:
                    out.append(Variant(t, cfg.prefix_factor, vocab.sorted_terms[pos]))
    if prefix and (k or short) and not typed_known:
        # Neither a word nor the start of one: probably a typo while typing. (A short
        # word skips deletions: `lne` would start half the vocabulary as `le`, `ne`.)
        seen = {t for t, _, _ in out}
        for pos in vocab.fuzzy_prefix_positions(
            word, cfg.max_fuzzy_prefix_variants, deletions=not short
        ):
            t = int(vocab.sorted_tids[pos])
            if t not in seen:
                out.append(Variant(t, cfg.fuzzy_prefix_factor, vocab.sorted_terms[pos]))
    if len(vocab.cache) > 4096:
        vocab.cache.clear()
    vocab.cache[key] = out
    return out


def suggest(snap: Snapshot, plans: list[ClausePlan], cfg: RankingConfig) -> list[str]:
    """Corrections for the query words that matched nothing ("did you mean").

    Only plain words the user asked for (not a field value, an excluded word, a
    stopword or a number), of at least 6 letters: a shorter word already matches its
    one-typo neighbours, and two typos in five letters is another word. Candidates are
    one typo beyond what the search tolerates, at most a third of the word's letters
    (2 for 6-8 letters, 3 for 9+), frequent in the library (in 2+ articles once it has
    50), never a stopword; nearest first, then commonest."""
    if snap.building:
        return []  # the word may be in an article not indexed yet
    vocab = snap.vocab(cfg)
    stats = snap.stats(cfg)
    df = stats.df
    min_df = 2 if stats.n_live >= 50 else 1
    out: list[str] = []
    for cp in plans:
        if cp.optional:
            continue
        for ap in cp.alts:
            if ap.term.field is not None:
                continue
            for wp in ap.words:
                word = wp.word
                if wp.variants or not word.isalpha() or len(word) > MAX_EXPAND_LEN:
                    continue
                k = max_typos(word) + 1
                if 3 * k > len(word):
                    continue
                found = sorted(
                    (dist, -int(df[t]), term)
                    for dist, t, term in vocab.near(word, k)
                    if int(df[t]) >= min_df and term not in STOPWORDS and term.isalpha()
                )
                out.extend(t for _, _, t in found[:3])
    return unique(out)[:5]


def unique(items: Iterable[str]) -> list[str]:
    """``items`` without repeats, in first-seen order."""
    return list(dict.fromkeys(items))
