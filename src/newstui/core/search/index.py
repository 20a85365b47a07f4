"""The search index: an in-memory, field-aware inverted index with BM25F ranking.

Structure
    Articles live in *segments*. A segment holds, for each field (title, body, author,
    source, tags), postings in compressed-sparse-row form: ``offsets[term]`` into two
    flat numpy arrays ``docs`` (int32) and ``tfs`` (uint16). Term ids come from one
    append-only dictionary shared by all segments. Per-document field lengths and
    publication times are numpy arrays too, so scoring is vectorised.

Writes and reads
    ``add`` and ``remove`` build new segments / deletion masks and then *publish* a new
    immutable snapshot with one reference assignment. ``search`` takes the current
    snapshot once and works only on it, so it never blocks and never sees a half-written
    state. While ``add`` runs (e.g. in a worker thread) a search sees every chunk of
    articles committed so far (``BUILD_CHUNK`` articles at a time) — a consistent, growing
    subset — and an article replaced by id is seen either in its old or its new version,
    never both. When ``add`` returns, the chunks have been merged into one segment (small
    later additions stay in small segments until they are worth merging); ``remove`` is
    visible when it returns. Writers are serialised by a lock; readers take no lock.
    ``progress(done, total)`` is called from the calling thread after each chunk.

Ranking
    BM25F over the five fields (title well above author/tags/source, above body). Each query
    word expands to its exact term, typo variants (Meilisearch's rule: none under 5
    letters, 1 for 5-8, 2 for 9+, transposition = 1, found with rapidfuzz in length
    buckets; a 3-4 letter word that is no word of the library gets its one-typo neighbours,
    and one 20x rarer than a neighbour gets them at a low weight) and, for the last word,
    prefix completions; a document scores each word by
    its best variant, weighted exact > typo > prefix (a last word of up to 4 letters still
    being typed counts like its completions). A stopword beside other words is optional. The words share one idf (the idf of
    "any variant"), so a rare misspelling or completion does not outweigh the word meant.
    The top candidates get a proximity bonus (query words close together and in order),
    and recency breaks ties.

Cost
    Bounded for any query (see ``query.py``: 1,000 characters, 32 words); a word over
    ``MAX_EXPAND_LEN`` letters is matched exactly only; a hit's fields are matched in their
    first ``MATCH_CHARS`` characters; every regex run on queries or articles is linear (the
    phrase separator is atomic; see ``tests/hostile/test_heldout_search.py``).
"""

from __future__ import annotations

import bisect
import math
import re
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
from rapidfuzz import process
from rapidfuzz.distance import OSA

from newstui.core.article import Article
from newstui.core.search.normalize import (
    _ASCII_WORD_RE,
    SEPARATOR,
    _expand,
    compound_index_tokens,
    fold,
    fold_same_length,
    folded_forms,
    index_forms,
    tokens_with_offsets,
)
from newstui.core.search.query import STOPWORDS, Query, Term, parse
from newstui.core.search.results import Hit, SearchResult, Span, StateView
from newstui.core.search.snippet import SNIPPET_CHARS, make_snippet, markdown_region

ProgressCallback = Callable[[int, int], None]

FIELDS: tuple[str, ...] = ("title", "body", "author", "source", "tags")
_FIELD_INDEX = {name: i for i, name in enumerate(FIELDS)}
BUILD_CHUNK = 4096
# Variants with at most this many postings are scored together in one vectorised batch.
_BATCH_POSTINGS = 2048
_WORD_RE = re.compile(r"[^\W_]+")
# A query word longer than this is matched exactly only: no typo or prefix expansion (whose
# cost grows with the word; real words are shorter, pasted junk is not).
MAX_EXPAND_LEN = 32
# A 3-4 letter word (where the typo rule allows none) that is no word of the library also
# matches its one-typo neighbours.
SHORT_TYPO_MIN_LEN = 3
# A hit's fields are matched (spans, proximity, snippet) in their first this many characters:
# a huge article costs a page of text per search, not its whole size.
MATCH_CHARS = 100_000

IntArray = npt.NDArray[np.int32]
I64Array = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float32]
F64Array = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True, slots=True)
class RankingConfig:
    """Ranking knobs. Defaults tuned on Reuters-21578 and BBC query sets of seed 1987; the
    benchmark reports a different seed (see docs/performance.md)."""

    # title, body, author, source, tags
    field_weights: tuple[float, ...] = (10.0, 1.0, 2.0, 2.0, 2.0)
    field_b: tuple[float, ...] = (0.5, 0.75, 0.3, 0.3, 0.3)
    k1: float = 1.2
    # Score factor by number of typos (0, 1, 2) and for a prefix completion.
    typo_factor: tuple[float, ...] = (1.0, 0.6, 0.4)
    prefix_factor: float = 0.59
    # The last word while it is being typed, when it has at most typed_exact_max_len
    # letters: its exact match counts like a completion (`host` may be `hostage` half-typed).
    typed_exact_factor: float = 0.59
    typed_exact_max_len: int = 4
    # An optional stopword (see query.parse) scores with at least this idf where present.
    stopword_idf: float = 0.5
    # Typo/prefix variants are also weighted by (df / top df among the variants) ** prior.
    variant_prior: float = 0.0
    proximity_weight: float = 0.3
    max_typo_variants: int = 24
    max_prefix_variants: int = 128
    # The last word with a typo *and* still being typed (`sesion` -> `sessions`), when it
    # is neither a word nor the start of one: terms that start with a one-typo variant of
    # it, each scored as a typo'd completion.
    fuzzy_prefix_factor: float = 0.35
    max_fuzzy_prefix_variants: int = 32
    # The best hits re-ranked with the proximity bonus (the rest keep BM25F order).
    rerank_window: int = 40
    # A 3-4 letter word of the library (or, typed last, the start of one) this many times
    # rarer than a one-typo neighbour also matches its neighbours, with this factor (keep it
    # distinct from the other factors: it marks those neighbours), under the word's own idf.
    short_typo_ratio: float = 20.0
    rare_typo_factor: float = 0.3


_EDIT_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"


def max_typos(word: str) -> int:
    """Meilisearch's default: no typo under 5 letters, one for 5-8, two for 9 and more."""
    n = len(word)
    if n < 5:
        return 0
    if n <= 8:
        return 1
    return 2


# --------------------------------------------------------------------------- storage


class _TermDict(dict[str, int]):
    """Append-only term -> id map; ``d[term]`` assigns the next id to a new term."""

    def __init__(self) -> None:
        super().__init__()
        self.terms: list[str] = []

    def __missing__(self, key: str) -> int:
        value = len(self.terms)
        self.terms.append(key)
        self[key] = value
        return value


@dataclass(slots=True)
class _Postings:
    offsets: I64Array  # n_terms + 1
    docs: IntArray
    tfs: npt.NDArray[np.uint16]

    @property
    def n_terms(self) -> int:
        return len(self.offsets) - 1


@dataclass(slots=True)
class _Segment:
    articles: list[Article]
    published: F64Array  # UTC timestamp, NaN when unknown
    lengths: npt.NDArray[np.int32]  # (n_fields, n)
    fields: list[_Postings]
    df: IntArray  # per term: max over fields of documents containing it
    _offs: I64Array | None = None

    @property
    def n(self) -> int:
        return len(self.articles)

    @property
    def offs(self) -> I64Array:
        """All fields' offsets as one (n_fields, n_terms + 1) array (built on first use)."""
        if self._offs is None:
            self._offs = np.stack([p.offsets for p in self.fields])
        return self._offs

    @property
    def n_terms(self) -> int:
        return len(self.df)


def _field_texts(a: Article) -> tuple[str, str, str, str, str]:
    return (a.title, a.body, a.author, a.source, " ".join(a.tags))


def _timestamp(a: Article) -> float:
    if a.published is None:
        return math.nan
    try:
        return a.published.timestamp()
    except (OverflowError, OSError, ValueError):
        return math.nan


def _csr(tids: IntArray, docs: I64Array, n_docs: int, n_terms: int) -> _Postings:
    """Postings from one (term id, doc) pair per token occurrence."""
    if len(tids) == 0:
        return _Postings(
            np.zeros(n_terms + 1, np.int64), np.zeros(0, np.int32), np.zeros(0, np.uint16)
        )
    # One sortable key per occurrence; int32 when it fits (sorts faster than int64).
    kind = np.dtype(np.int32) if n_terms * n_docs < 2**31 else np.dtype(np.int64)
    key: npt.NDArray[Any] = tids.astype(kind) * n_docs + docs.astype(kind)
    key.sort()
    first = np.empty(len(key), np.bool_)
    first[0] = True
    np.not_equal(key[1:], key[:-1], out=first[1:])
    starts = np.flatnonzero(first)
    uniq = key[starts]
    counts = np.diff(np.append(starts, len(key)))
    t = uniq // n_docs
    offsets = np.zeros(n_terms + 1, np.int64)
    np.cumsum(np.bincount(t, minlength=n_terms), out=offsets[1:])
    return _Postings(
        offsets,
        (uniq - t * n_docs).astype(np.int32),
        np.minimum(counts, 65535).astype(np.uint16),
    )


def _df(fields: Sequence[_Postings], n_terms: int) -> IntArray:
    df = np.zeros(n_terms, np.int32)
    for p in fields:
        counts = np.diff(p.offsets).astype(np.int32)
        np.maximum(df[: len(counts)], counts, out=df[: len(counts)])
    return df


class _Forms(dict[str, int]):
    """What each surface form read by :func:`index_forms` (or :func:`folded_forms`)
    stands for, filled on first sight: a word its term id, :data:`SEPARATOR` -1, a
    compound ``-2 - k`` where ``k`` indexes its expansion (term ids, from ``expand``) in
    the flat ``exp_*`` tables. One per ``add`` and reading."""

    def __init__(self, terms: _TermDict, expand: Callable[[str], list[str]]) -> None:
        super().__init__()
        self.terms = terms
        self.expand = expand
        self.exp_ids: list[int] = []
        self.exp_starts: list[int] = [0]
        self._ids: IntArray = np.zeros(0, np.int32)
        self._starts: I64Array = np.zeros(1, np.int64)

    def __missing__(self, key: str) -> int:
        if key.isalnum():
            value = self.terms[key]
        elif key == SEPARATOR:
            value = -1
        else:
            value = -1 - len(self.exp_starts)
            self.exp_ids.extend(map(self.terms.__getitem__, self.expand(key)))
            self.exp_starts.append(len(self.exp_ids))
        self[key] = value
        return value

    def tables(self) -> tuple[IntArray, I64Array]:
        """The expansions as arrays (extended with what was added since the last call)."""
        if len(self._starts) < len(self.exp_starts):
            self._ids = np.concatenate(
                [self._ids, np.array(self.exp_ids[len(self._ids) :], np.int32)]
            )
            self._starts = np.concatenate(
                [self._starts, np.array(self.exp_starts[len(self._starts) :], np.int64)]
            )
        return self._ids, self._starts

    def postings(self, words: list[str]) -> tuple[IntArray, I64Array]:
        """``(term ids, text number)`` of forms read from texts joined by SEPARATOR."""
        codes = np.fromiter(map(self.__getitem__, words), np.int32, count=len(words))
        doc_of = np.cumsum(codes == -1, dtype=np.int64)
        plain = codes >= 0
        id_parts = [codes[plain]]
        doc_parts = [doc_of[plain]]
        cpos = np.flatnonzero(codes < -1)
        if len(cpos):
            exp_ids, exp_starts = self.tables()
            k = -2 - codes[cpos].astype(np.int64)
            st = exp_starts[k]
            ln = exp_starts[k + 1] - st
            ends = np.cumsum(ln)
            idx = np.repeat(st - (ends - ln), ln) + np.arange(int(ends[-1]))
            id_parts.append(exp_ids[idx])
            doc_parts.append(np.repeat(doc_of[cpos], ln))
        return np.concatenate(id_parts), np.concatenate(doc_parts)


@dataclass(slots=True)
class _Readers:
    """The two readings of one ``add``: ASCII texts (the fast path, index_tokens) and
    other texts (folded, tokens)."""

    ascii: _Forms
    folded: _Forms

    @classmethod
    def new(cls, terms: _TermDict) -> _Readers:
        return cls(_Forms(terms, compound_index_tokens), _Forms(terms, _expand))


def _field_postings(texts: list[str], readers: _Readers) -> tuple[IntArray, I64Array]:
    """``(term ids, doc)`` of every token of ``texts`` (doc = index in ``texts``).

    The ASCII texts are read together in one regex pass and mapped to term ids in one
    C-level ``map`` (a compound's tokens come from the forms table); the other texts
    likewise, folded, in a second pass."""
    n = len(texts)
    joined = SEPARATOR.join(texts)
    if joined.isascii() and joined.count(SEPARATOR) == n - 1:
        del joined
        return readers.ascii.postings(index_forms(texts))
    del joined
    fast = list(texts)
    others: list[int] = []
    other_texts: list[str] = []
    for i, text in enumerate(texts):
        if SEPARATOR in text:
            text = text.replace(SEPARATOR, " ")  # a NUL separates words anyway
            fast[i] = text
        if not text.isascii():
            others.append(i)
            other_texts.append(text)
            fast[i] = ""
    ids, docs = readers.ascii.postings(index_forms(fast))
    if not others:
        return ids, docs
    o_ids, o_docs = readers.folded.postings(folded_forms(other_texts))
    return np.concatenate([ids, o_ids]), np.concatenate([docs, np.array(others)[o_docs]])


@dataclass(slots=True)
class _Parsed:
    """A chunk of articles tokenised to term ids: the Python (GIL-bound) half of a build."""

    articles: list[Article]
    ids: list[IntArray]
    docs: list[I64Array]
    lengths: npt.NDArray[np.int32]
    n_terms: int


def _parse_chunk(articles: list[Article], readers: _Readers) -> _Parsed:
    n = len(articles)
    columns = (
        [a.title for a in articles],
        [a.body for a in articles],
        [a.author for a in articles],
        [a.source for a in articles],
        [" ".join(a.tags) for a in articles],
    )
    ids: list[IntArray] = []
    docs: list[I64Array] = []
    for texts in columns:
        t, d = _field_postings(texts, readers)
        ids.append(t)
        docs.append(d)
    lengths = np.stack([np.bincount(d, minlength=n) for d in docs]).astype(np.int32)
    return _Parsed(
        list(articles), ids, docs, lengths.reshape(len(FIELDS), n), len(readers.ascii.terms.terms)
    )


def _finish_segment(parsed: _Parsed) -> _Segment:
    """The numpy half of a build (sorting releases the GIL: runs beside the next parse)."""
    n, n_terms = len(parsed.articles), parsed.n_terms
    fields = [
        _csr(ids, docs, n, n_terms) for ids, docs in zip(parsed.ids, parsed.docs, strict=True)
    ]
    published = np.fromiter((_timestamp(a) for a in parsed.articles), np.float64, count=n)
    return _Segment(parsed.articles, published, parsed.lengths, fields, _df(fields, n_terms))


def _build_segment(articles: list[Article], terms: _TermDict) -> _Segment:
    return _finish_segment(_parse_chunk(articles, _Readers.new(terms)))


def _merge(segments: Sequence[_Segment], lives: Sequence[BoolArray | None]) -> _Segment:
    """One segment holding the live documents of ``segments``, in order."""
    n_terms = max(s.n_terms for s in segments)
    remaps: list[I64Array] = []
    articles: list[Article] = []
    published: list[F64Array] = []
    lengths: list[npt.NDArray[np.int32]] = []
    base = 0
    for seg, live in zip(segments, lives, strict=True):
        keep = np.arange(seg.n) if live is None else np.flatnonzero(live)
        remap = np.full(seg.n, -1, np.int64)
        remap[keep] = np.arange(len(keep)) + base
        base += len(keep)
        remaps.append(remap)
        if live is None:
            articles.extend(seg.articles)
        else:
            articles.extend(seg.articles[i] for i in keep)
        published.append(seg.published[keep])
        lengths.append(seg.lengths[:, keep])
    fields: list[_Postings] = []
    for f in range(len(FIELDS)):
        # Each segment's postings are sorted by term: scatter them into place (no sort).
        parts: list[tuple[I64Array, IntArray, npt.NDArray[np.uint16]]] = []
        for seg, live, remap in zip(segments, lives, remaps, strict=True):
            p = seg.fields[f]
            counts = np.zeros(n_terms, np.int64)
            counts[: p.n_terms] = np.diff(p.offsets)
            if live is None:
                docs = p.docs + np.int32(remap[0] if seg.n else 0)
                tfs = p.tfs
            else:
                mapped = remap[p.docs]
                ok = mapped >= 0
                tids = np.repeat(np.arange(n_terms, dtype=np.int32), counts)
                counts = np.bincount(tids[ok], minlength=n_terms).astype(np.int64)
                docs = mapped[ok].astype(np.int32)
                tfs = p.tfs[ok]
            parts.append((counts, docs, tfs))
        offsets = np.zeros(n_terms + 1, np.int64)
        np.cumsum(sum(c for c, _, _ in parts), out=offsets[1:])
        out_docs = np.empty(int(offsets[-1]), np.int32)
        out_tfs = np.empty(int(offsets[-1]), np.uint16)
        cursor = offsets[:-1].copy()  # where each term's next postings go
        for counts, docs, tfs in parts:
            if len(docs):
                first = np.cumsum(counts) - counts  # each term's start in this segment
                dest = np.repeat(cursor - first, counts) + np.arange(len(docs))
                out_docs[dest] = docs
                out_tfs[dest] = tfs
            cursor += counts
        fields.append(_Postings(offsets, out_docs, out_tfs))
    return _Segment(
        articles,
        np.concatenate(published),
        np.concatenate(lengths, axis=1).astype(np.int32),
        fields,
        _df(fields, n_terms),
    )


# --------------------------------------------------------------------------- snapshots


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


def _masks(words: list[str], length: int) -> npt.NDArray[np.uint64]:
    """Character masks of same-length words, vectorised for ASCII ones."""
    out = np.zeros(len(words), np.uint64)
    ascii_ix = [i for i, w in enumerate(words) if w.isascii()]
    if ascii_ix:
        raw = "".join(words[i] for i in ascii_ix).encode("ascii")
        grid = np.frombuffer(raw, np.uint8).reshape(len(ascii_ix), length)
        out[np.array(ascii_ix)] = np.bitwise_or.reduce(_BITS[grid], axis=1)
    if len(ascii_ix) != len(words):
        done = set(ascii_ix)
        for i, w in enumerate(words):
            if i not in done:
                out[i] = char_mask(w)
    return out


class _Bucket:
    """Vocabulary words of one length, with character masks for a fast typo pre-filter."""

    __slots__ = ("masks", "tids", "words")

    def __init__(self, words: list[str], tids: IntArray, length: int) -> None:
        self.words = words
        self.tids = tids
        self.masks = _masks(words, length)

    def candidates(self, word: str, mask: int, k: int) -> tuple[list[str], IntArray]:
        """Words that may be within ``k`` edits: an edit adds or drops at most one
        character kind, so more than ``k`` new or missing kinds rules a word out."""
        m = np.uint64(mask)
        ok = (np.bitwise_count(self.masks & ~m) <= k) & (np.bitwise_count(m & ~self.masks) <= k)
        sel = np.flatnonzero(ok)
        words = self.words
        return [words[i] for i in sel.tolist()], self.tids[sel]


class _Vocab:
    """Sorted vocabulary and length buckets of one snapshot, for prefix and typo expansion."""

    def __init__(self, term_ids: _TermDict, n_terms: int, df: IntArray) -> None:
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
        lens = np.fromiter(map(len, words), np.int64, count=count)
        order = np.argsort(lens, kind="stable")  # by length, alphabetical within
        sizes, starts = np.unique(lens[order], return_index=True)
        ends = [*starts.tolist()[1:], count] if count else []
        self.by_len: dict[int, _Bucket] = {}
        for size, a, b in zip(sizes.tolist(), starts.tolist(), ends, strict=True):
            idx = order[a:b]
            self.by_len[size] = _Bucket(
                [words[i] for i in idx.tolist()], self.sorted_tids[idx], size
            )
        self.cache: dict[tuple[str, bool, bool], list[tuple[int, float, str]]] = {}

    def fuzzy_prefix_positions(self, word: str, limit: int, *, deletions: bool = True) -> list[int]:
        """Positions in ``sorted_terms`` of the terms (at most ``limit``, most frequent
        first) that start with a one-typo variant of ``word`` but not with ``word``.

        The variants are generated (deletion, transposition, substitution, insertion over
        the letters and digits; not at the end, where a variant is only a shorter or longer
        prefix of the word itself) and each looked up by bisection: ~500 lookups for a
        6-letter word, a fraction of a millisecond, cached with the word's other variants.
        """
        n = len(word)
        heads = {word[:i] + word[i + 1 :] for i in range(n - 1)} if deletions else set()
        heads |= {word[:i] + word[i + 1] + word[i] + word[i + 2 :] for i in range(n - 1)}
        for i in range(n):
            for c in _EDIT_ALPHABET:
                heads.add(word[:i] + c + word[i + 1 :])
                heads.add(word[:i] + c + word[i:])
        heads.discard(word)
        terms = self.sorted_terms
        ranges: list[tuple[int, int]] = []
        for head in heads:
            if head.startswith(word):
                continue
            lo = bisect.bisect_left(terms, head)
            if lo < len(terms) and terms[lo].startswith(head):
                ranges.append((lo, bisect.bisect_left(terms, head + "\U0010ffff", lo)))
        if not ranges:
            return []
        pos = np.unique(np.concatenate([np.arange(lo, hi) for lo, hi in ranges]))
        pos = pos[[not self.sorted_terms[p].startswith(word) for p in pos.tolist()]]
        if len(pos) > limit:
            pos = pos[np.argpartition(-self.sorted_df[pos], limit)[:limit]]
        return [int(p) for p in pos.tolist()]

    def max_prefix_df(self, word: str) -> int:
        """The highest document frequency among the longer words starting with ``word``."""
        terms = self.sorted_terms
        lo = bisect.bisect_right(terms, word)
        hi = bisect.bisect_left(terms, word + "\U0010ffff", lo)
        return int(self.sorted_df[lo:hi].max()) if hi > lo else 0

    def near(self, word: str, k: int) -> list[tuple[int, int, str]]:
        """``(distance, term id, term)`` for vocabulary words within ``k`` typos (OSA:
        a transposition counts as one), ``word`` itself excluded."""
        out: list[tuple[int, int, str]] = []
        mask = char_mask(word)
        for n in range(len(word) - k, len(word) + k + 1):
            bucket = self.by_len.get(n)
            if bucket is None:
                continue
            words, tids = bucket.candidates(word, mask, k)
            if not words:
                continue
            for term, dist, idx in process.extract(
                word, words, scorer=OSA.distance, score_cutoff=k, limit=None
            ):
                if dist > 0:
                    out.append((int(dist), int(tids[idx]), term))
        return out


class _Snapshot:
    __slots__ = (
        "_lock",
        "_stats",
        "_vocab",
        "building",
        "lives",
        "n_terms",
        "segments",
        "terms",
        "where",
    )

    def __init__(
        self,
        segments: tuple[_Segment, ...],
        lives: tuple[BoolArray | None, ...],
        where: dict[str, tuple[int, int]],
        terms: _TermDict,
        building: bool = False,
    ) -> None:
        self.segments = segments
        # Published by ``add`` before it is done: the articles indexed so far.
        self.building = building
        self.lives = lives
        self.where = where
        self.terms = terms
        self.n_terms = max((s.n_terms for s in segments), default=0)
        self._lock = threading.Lock()
        self._stats: _Stats | None = None
        self._vocab: _Vocab | None = None

    def stats(self, cfg: RankingConfig) -> _Stats:
        if self._stats is None:
            with self._lock:
                if self._stats is None:
                    self._stats = _Stats(self, cfg)
        return self._stats

    def vocab(self, cfg: RankingConfig) -> _Vocab:
        if self._vocab is None:
            stats = self.stats(cfg)
            with self._lock:
                if self._vocab is None:
                    self._vocab = _Vocab(self.terms, self.n_terms, stats.df)
        return self._vocab


class _Stats:
    def __init__(self, snap: _Snapshot, cfg: RankingConfig) -> None:
        self.n_live = len(snap.where)
        total = sum(s.n for s in snap.segments)
        sums = np.zeros(len(FIELDS), np.float64)
        df = np.zeros(snap.n_terms, np.int32)
        for s in snap.segments:
            sums += s.lengths.sum(axis=1)
            df[: s.n_terms] += s.df
        avg = np.maximum(sums / max(total, 1), 1e-9)
        self.df = df
        self.inv_norm: list[list[FloatArray]] = []
        for s in snap.segments:
            per_field = []
            for f in range(len(FIELDS)):
                b = cfg.field_b[f]
                norm = (1.0 - b) + b * (s.lengths[f] / avg[f])
                per_field.append((cfg.field_weights[f] / norm).astype(np.float32))
            self.inv_norm.append(per_field)

    def idf(self, df: float) -> float:
        n = max(self.n_live, 1)
        df = min(df, n)
        return math.log(1.0 + (n - df + 0.5) / (df + 0.5))


# --------------------------------------------------------------------------- query plans


@dataclass(slots=True)
class _WordPlan:
    word: str
    variants: list[tuple[int, float, str]]  # (term id, factor, term)
    idf: float


@dataclass(slots=True)
class _AltPlan:
    term: Term
    words: list[_WordPlan]
    fields: tuple[int, ...]


@dataclass(slots=True)
class _ClausePlan:
    alts: list[_AltPlan]
    # Concrete vocabulary terms matched (exact, typo variants, completions), best first.
    terms: dict[str, None] = field(default_factory=dict)
    # What the matcher looks for: exact and typo terms, and typed prefixes.
    match_terms: set[str] = field(default_factory=set)
    prefixes: set[str] = field(default_factory=set)
    # A stopword beside other words: scored when present, not required.
    optional: bool = False


def _fields_of(term: Term) -> tuple[int, ...]:
    if term.field is None:
        return tuple(range(len(FIELDS)))
    return (_FIELD_INDEX[term.field],)


class SearchIndex:
    """Articles indexed for search. Thread-safe for one writer and many readers.

    See the module documentation for what a search running during ``add`` sees.
    """

    def __init__(self, config: RankingConfig | None = None) -> None:
        self.config = config or RankingConfig()
        self._terms = _TermDict()
        self._write_lock = threading.Lock()
        self._snap = _Snapshot((), (), {}, self._terms)

    # ----------------------------------------------------------------- collection API

    def __len__(self) -> int:
        return len(self._snap.where)

    def __contains__(self, article_id: object) -> bool:
        return article_id in self._snap.where

    def get(self, article_id: str) -> Article | None:
        snap = self._snap
        loc = snap.where.get(article_id)
        if loc is None:
            return None
        return snap.segments[loc[0]].articles[loc[1]]

    def articles(self) -> list[Article]:
        snap = self._snap
        return [snap.segments[s].articles[i] for s, i in snap.where.values()]

    def prepare(self) -> None:
        """Build the lookup tables the next search needs (vocabulary by length, ranking
        statistics), ~50 ms at 104k articles: done by ``add``/``remove`` in the writer's
        thread; call it after loading an index from the cache so the first keystroke does
        not pay for it."""
        snap = self._snap
        snap.vocab(self.config)

    @property
    def building(self) -> bool:
        """True while ``add`` runs: searches see the articles indexed so far (and give no
        suggestions, as a word may yet come)."""
        return self._snap.building

    @property
    def vocabulary_size(self) -> int:
        return len(self._snap.vocab(self.config).sorted_terms)

    def add(self, articles: Iterable[Article], *, progress: ProgressCallback | None = None) -> None:
        """Add articles, replacing any already indexed under the same id.

        Committed in chunks of ``BUILD_CHUNK``: searches meanwhile see each chunk as it
        lands. ``progress(done, total)`` is called after each chunk.
        """
        batch = list({a.id: a for a in articles}.values())
        total = len(batch)
        with self._write_lock:
            base_count = len(self._snap.segments)
            chunks = [batch[i : i + BUILD_CHUNK] for i in range(0, total, BUILD_CHUNK)]
            # Pipeline: chunk i+1 is tokenised (Python) while chunk i is sorted into
            # postings (numpy, GIL released) in a helper thread.
            pool = ThreadPoolExecutor(1, "newstui-index") if len(chunks) > 1 else None
            readers = _Readers.new(self._terms)
            try:
                pending: Future[_Segment] | None = None
                done = 0
                for chunk in chunks:
                    parsed = _parse_chunk(chunk, readers)
                    future: Future[_Segment]
                    if pool is None:
                        future = Future()
                        future.set_result(_finish_segment(parsed))
                    else:
                        future = pool.submit(_finish_segment, parsed)
                    if pending is not None:
                        done += self._commit(pending.result())
                        if progress is not None:
                            progress(done, total)
                    pending = future
                if pending is not None:
                    done += self._commit(pending.result())
                    if progress is not None:
                        progress(done, total)
            finally:
                if pool is not None:
                    pool.shutdown(wait=True)
                self._compact(base_count)
                snap = self._snap
                if snap.building:  # nothing to compact: the last chunk's snapshot, complete
                    self._publish(snap.segments, snap.lives, snap.where)
            if total == 0 and progress is not None:
                progress(0, 0)
        self.prepare()

    def _commit(self, seg: _Segment) -> int:
        """Publish a new segment, retiring older versions of its articles."""
        chunk = seg.articles
        snap = self._snap
        lives = list(snap.lives)
        where = dict(snap.where)
        for a in chunk:
            old = where.pop(a.id, None)
            if old is not None:
                si, li = old
                live = lives[si]
                if live is None:
                    live = np.ones(snap.segments[si].n, np.bool_)
                elif live is snap.lives[si]:
                    live = live.copy()
                live[li] = False
                lives[si] = live
        si = len(snap.segments)
        for li, a in enumerate(chunk):
            where[a.id] = (si, li)
        self._publish((*snap.segments, seg), (*lives, None), where, building=True)
        return len(chunk)

    def remove(self, article_ids: Iterable[str]) -> None:
        """Remove articles by id (unknown ids are ignored)."""
        with self._write_lock:
            snap = self._snap
            lives = list(snap.lives)
            where = dict(snap.where)
            changed = False
            for article_id in article_ids:
                old = where.pop(article_id, None)
                if old is None:
                    continue
                si, li = old
                live = lives[si]
                if live is None or live is snap.lives[si]:
                    live = np.ones(snap.segments[si].n, np.bool_) if live is None else live.copy()
                live[li] = False
                lives[si] = live
                changed = True
            if changed:
                self._publish(snap.segments, tuple(lives), where)
                self._compact(len(snap.segments))
        self.prepare()

    def _publish(
        self,
        segments: tuple[_Segment, ...],
        lives: tuple[BoolArray | None, ...],
        where: dict[str, tuple[int, int]],
        *,
        building: bool = False,
    ) -> None:
        self._snap = _Snapshot(segments, lives, where, self._terms, building)

    def _compact(self, first_new: int) -> None:
        """Merge the segments of one ``add`` into one; keep few, mostly-live segments."""
        snap = self._snap
        segs = list(snap.segments)
        lives = list(snap.lives)
        changed = False
        if len(segs) - first_new > 1:
            merged = _merge(segs[first_new:], lives[first_new:])
            segs[first_new:] = [merged]
            lives[first_new:] = [None]
            changed = True
        # Tiered: merge the tail while the last segment is not much smaller than the one
        # before it (so a big segment is rewritten only rarely), or when too many.
        while len(segs) >= 2 and (segs[-2].n <= 3 * segs[-1].n or len(segs) > 8):
            merged = _merge(segs[-2:], lives[-2:])
            segs[-2:] = [merged]
            lives[-2:] = [None]
            changed = True
        # Rewrite segments that are mostly deleted; drop empty ones.
        for i, (seg, live) in enumerate(zip(segs, lives, strict=True)):
            if live is not None and int(live.sum()) * 2 < seg.n:
                segs[i] = _merge([seg], [live])
                lives[i] = None
                changed = True
        if not changed:
            return
        keep = [i for i, s in enumerate(segs) if s.n > 0]
        segs = [segs[i] for i in keep]
        lives = [lives[i] for i in keep]
        where: dict[str, tuple[int, int]] = {}
        for si, (seg, live) in enumerate(zip(segs, lives, strict=True)):
            if live is None:
                for li, a in enumerate(seg.articles):
                    where[a.id] = (si, li)
            else:
                for li in np.flatnonzero(live).tolist():
                    where[seg.articles[li].id] = (si, li)
        self._publish(tuple(segs), tuple(lives), where)

    def compact(self) -> None:
        """Merge everything into a single segment (before saving a cache)."""
        with self._write_lock:
            snap = self._snap
            if len(snap.segments) > 1 or any(live is not None for live in snap.lives):
                seg = _merge(snap.segments, snap.lives)
                self._publish((seg,), (None,), {a.id: (0, i) for i, a in enumerate(seg.articles)})

    # ----------------------------------------------------------------- persistence

    def export_parts(self) -> tuple[list[Article], dict[str, npt.NDArray[Any]], list[str]]:
        """Articles, index arrays and terms of the whole index (compacted first), for
        ``newstui.core.search.cache``. The arrays are plain numbers: safe to store."""
        self.compact()
        snap = self._snap
        seg = _build_segment([], self._terms) if not snap.segments else snap.segments[0]
        arrays: dict[str, npt.NDArray[Any]] = {
            "lengths": seg.lengths,
            "published": seg.published,
            "df": seg.df,
        }
        for name, p in zip(FIELDS, seg.fields, strict=True):
            arrays[f"{name}.offsets"] = p.offsets
            arrays[f"{name}.docs"] = p.docs
            arrays[f"{name}.tfs"] = p.tfs
        return list(seg.articles), arrays, self._terms.terms[: seg.n_terms]

    @classmethod
    def from_parts(
        cls,
        articles: list[Article],
        arrays: dict[str, npt.NDArray[Any]],
        terms: list[str],
        config: RankingConfig | None = None,
    ) -> SearchIndex:
        """The inverse of :meth:`export_parts`. Raises ``ValueError`` on inconsistent parts
        (a cache that does not fit), never builds an index that could fail later."""
        n, nt, nf = len(articles), len(terms), len(FIELDS)
        try:
            lengths = np.asarray(arrays["lengths"], np.int32)
            published = np.asarray(arrays["published"], np.float64)
            df = np.asarray(arrays["df"], np.int32)
            fields = [
                _Postings(
                    np.asarray(arrays[f"{name}.offsets"], np.int64),
                    np.asarray(arrays[f"{name}.docs"], np.int32),
                    np.asarray(arrays[f"{name}.tfs"], np.uint16),
                )
                for name in FIELDS
            ]
        except KeyError as exc:
            raise ValueError(f"missing index array {exc}") from None
        if lengths.shape != (nf, n) or published.shape != (n,) or df.shape != (nt,):
            raise ValueError("index arrays do not match the articles")
        for p in fields:
            if p.offsets.shape != (nt + 1,) or p.docs.shape != p.tfs.shape:
                raise ValueError("postings do not match the vocabulary")
            if p.offsets[0] != 0 or p.offsets[-1] != len(p.docs):
                raise ValueError("postings offsets out of range")
            if np.any(np.diff(p.offsets) < 0):
                raise ValueError("postings offsets not sorted")
            if len(p.docs) and (int(p.docs.min()) < 0 or int(p.docs.max()) >= n):
                raise ValueError("postings point outside the articles")
        if len(set(terms)) != nt:
            raise ValueError("duplicate terms")
        index = cls(config)
        index._terms.update(zip(terms, range(nt), strict=True))
        index._terms.terms.extend(terms)
        ids = [a.id for a in articles]
        where = {aid: (0, i) for i, aid in enumerate(ids)}
        if len(where) != n:
            raise ValueError("duplicate article ids")
        if n:
            seg = _Segment(list(articles), published, lengths, fields, df)
            index._snap = _Snapshot((seg,), (None,), where, index._terms)
        return index

    # ----------------------------------------------------------------- expansion

    def _variants(
        self, snap: _Snapshot, word: str, *, fuzzy: bool, prefix: bool
    ) -> list[tuple[int, float, str]]:
        """(term id, factor, term) for every vocabulary term a query word stands for."""
        cfg = self.config
        vocab = snap.vocab(cfg)
        if len(word) > MAX_EXPAND_LEN:  # exact only: expansion costs grow with the word
            fuzzy = prefix = False
        key = (word, fuzzy, prefix)
        cached = vocab.cache.get(key)
        if cached is not None:
            return cached
        df = snap.stats(cfg).df
        out: list[tuple[int, float, str]] = []
        tid = snap.terms.get(word)
        typed_known = False
        if tid is not None and tid < len(df) and df[tid] > 0:
            typed_known = True
            typed = prefix and len(word) <= cfg.typed_exact_max_len
            out.append((tid, cfg.typed_exact_factor if typed else 1.0, word))
        k = max_typos(word) if fuzzy else 0
        short = False
        if k:
            # Ties broken by the term itself, not its id (ids depend on indexing order).
            found = sorted((dist, -int(df[t]), term, t) for dist, t, term in vocab.near(word, k))
            for dist, _, term, t in found[: cfg.max_typo_variants]:
                out.append((t, cfg.typo_factor[min(dist, len(cfg.typo_factor) - 1)], term))
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
                    out.append((t, factor, term))
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
                        out.append((t, cfg.prefix_factor, vocab.sorted_terms[pos]))
        if prefix and (k or short) and not typed_known:
            # Neither a word nor the start of one: probably a typo while typing. (A short
            # word skips deletions: `lne` would start half the vocabulary as `le`, `ne`.)
            seen = {t for t, _, _ in out}
            for pos in vocab.fuzzy_prefix_positions(
                word, cfg.max_fuzzy_prefix_variants, deletions=not short
            ):
                t = int(vocab.sorted_tids[pos])
                if t not in seen:
                    out.append((t, cfg.fuzzy_prefix_factor, vocab.sorted_terms[pos]))
        if len(vocab.cache) > 4096:
            vocab.cache.clear()
        vocab.cache[key] = out
        return out

    def _plan(self, snap: _Snapshot, query: Query) -> list[_ClausePlan]:
        stats = snap.stats(self.config)
        plans: list[_ClausePlan] = []
        for clause in query.clauses:
            cp = _ClausePlan([], optional=clause.optional)
            for term in clause.alternatives:
                words: list[_WordPlan] = []
                last = len(term.words) - 1
                for i, w in enumerate(term.words):
                    variants = self._variants(
                        snap,
                        w,
                        fuzzy=term.fuzzy and not term.phrase,
                        prefix=term.prefix and i == last,
                    )
                    dfs = [int(stats.df[t]) for t, _, _ in variants]
                    group_df = sum(dfs)
                    rare = self.config.rare_typo_factor
                    if any(f == rare for _, f, _ in variants):
                        # A rare word with common neighbours: it keeps its own idf (the
                        # neighbours would make it say nothing), they score at `rare`.
                        group_df = sum(
                            d for (_, f, _), d in zip(variants, dfs, strict=True) if f != rare
                        )
                    prior = self.config.variant_prior
                    if prior and len(variants) > 1:
                        # Noisy channel: a frequent variant is the likelier intent.
                        top = max(dfs)
                        variants = [
                            (t, f if f >= 1.0 else f * (d / top) ** prior, term)
                            for (t, f, term), d in zip(variants, dfs, strict=True)
                        ]
                    idf = stats.idf(group_df)
                    if clause.optional:
                        idf = max(idf, self.config.stopword_idf)
                    words.append(_WordPlan(w, variants, idf))
                    cp.terms.update(dict.fromkeys(v[2] for v in variants))
                    is_prefix = term.prefix and i == last
                    if is_prefix:
                        cp.prefixes.add(w)
                    cp.match_terms.update(
                        v[2] for v in variants if not (is_prefix and v[2].startswith(w))
                    )
                cp.alts.append(_AltPlan(term, words, _fields_of(term)))
            plans.append(cp)
        return plans

    # ----------------------------------------------------------------- scoring

    def _word_scores(
        self,
        seg: _Segment,
        inv_norm: list[FloatArray],
        plan: _WordPlan,
        fields: tuple[int, ...],
        scratch: FloatArray,
    ) -> FloatArray:
        k1 = self.config.k1
        n = seg.n
        out = np.zeros(n, np.float32)
        usable = [(t, f) for t, f, _ in plan.variants if t < seg.n_terms]
        if not usable:
            return out
        tids = np.array([t for t, _ in usable], np.int64)
        factors = np.array([f for _, f in usable], np.float32)
        fl = list(fields)
        offs = seg.offs
        starts = offs[fl][:, tids]
        lens = offs[fl][:, tids + 1] - starts
        totals = lens.sum(axis=0)
        scale = np.float32(plan.idf * (k1 + 1.0))
        # Big posting lists one by one (O(postings), no sort) ...
        for vi in np.flatnonzero(totals > _BATCH_POSTINGS).tolist():
            parts: list[IntArray] = []
            for j, f in enumerate(fl):
                a, ln = int(starts[j, vi]), int(lens[j, vi])
                if not ln:
                    continue
                p = seg.fields[f]
                d = p.docs[a : a + ln]
                scratch[d] += p.tfs[a : a + ln] * inv_norm[f][d]
                parts.append(d)
            d = parts[0] if len(parts) == 1 else np.concatenate(parts)
            tf = scratch[d]
            sc = tf * (factors[vi] * scale) / (tf + np.float32(k1))
            out[d] = np.maximum(out[d], sc)
            scratch[d] = 0.0
        # ... and the many small ones (rare typo variants, prefix completions) in one batch.
        small = np.flatnonzero((totals > 0) & (totals <= _BATCH_POSTINGS))
        if len(small):
            d_parts: list[IntArray] = []
            c_parts: list[FloatArray] = []
            v_parts: list[I64Array] = []
            for j, f in enumerate(fl):
                ln = lens[j, small]
                total = int(ln.sum())
                if not total:
                    continue
                st = starts[j, small]
                ends = np.cumsum(ln)
                idx = np.repeat(st - (ends - ln), ln) + np.arange(total)
                p = seg.fields[f]
                d = p.docs[idx]
                d_parts.append(d)
                c_parts.append(p.tfs[idx] * inv_norm[f][d])
                v_parts.append(np.repeat(small, ln))
            d_all = np.concatenate(d_parts).astype(np.int64)
            key = np.concatenate(v_parts) * n + d_all
            uniq, inv = np.unique(key, return_inverse=True)
            tf = np.bincount(inv, weights=np.concatenate(c_parts)).astype(np.float32)
            docs = uniq % n
            sc = tf * (factors[uniq // n] * scale) / (tf + np.float32(k1))
            np.maximum.at(out, docs, sc)
        return out

    def _contains(self, seg: _Segment, term: Term, snap: _Snapshot, base: BoolArray) -> BoolArray:
        """Documents (among ``base``) that contain ``term`` exactly (phrase verified)."""
        mask: BoolArray | None = None
        fields = _fields_of(term)
        for w in term.words:
            tid = snap.terms.get(w)
            m = np.zeros(seg.n, np.bool_)
            if tid is not None and tid < seg.n_terms:
                for f in fields:
                    p = seg.fields[f]
                    m[p.docs[int(p.offsets[tid]) : int(p.offsets[tid + 1])]] = True
            mask = m if mask is None else mask & m
        if mask is None:
            return np.zeros(seg.n, np.bool_)
        mask &= base
        if term.phrase:
            for li in np.flatnonzero(mask).tolist():
                if not _has_phrase(seg.articles[li], term.words, fields):
                    mask[li] = False
        return mask

    def _evaluate(
        self,
        snap: _Snapshot,
        si: int,
        query: Query,
        plans: list[_ClausePlan],
        state: StateView | None,
    ) -> tuple[FloatArray, npt.NDArray[np.int16], BoolArray]:
        """Scores, matched required-clause counts and the filter mask of one segment."""
        seg = snap.segments[si]
        stats = snap.stats(self.config)
        inv_norm = stats.inv_norm[si]
        live = snap.lives[si]
        base: BoolArray = np.ones(seg.n, np.bool_) if live is None else live.copy()
        if query.after is not None:
            base &= seg.published >= query.after
        if query.before is not None:
            base &= seg.published < query.before
        for term in query.excluded:
            base &= ~self._contains(seg, term, snap, base)
        scratch = np.zeros(seg.n, np.float32)
        total = np.zeros(seg.n, np.float32)
        matched = np.zeros(seg.n, np.int16)
        for cp in plans:
            clause_score: FloatArray | None = None
            for ap in cp.alts:
                alt: FloatArray | None = None
                ok: BoolArray | None = None
                for wp in ap.words:
                    ws = self._word_scores(seg, inv_norm, wp, ap.fields, scratch)
                    if alt is None or ok is None:
                        alt, ok = ws, ws > 0
                    else:
                        alt = alt + ws
                        ok &= ws > 0
                if alt is None or ok is None:
                    continue
                ok &= base
                if ap.term.phrase:
                    for li in np.flatnonzero(ok).tolist():
                        if not _has_phrase(seg.articles[li], ap.term.words, ap.fields):
                            ok[li] = False
                alt = np.where(ok, alt, np.float32(0.0))
                clause_score = alt if clause_score is None else np.maximum(clause_score, alt)
            if clause_score is not None:
                total += clause_score
                if not cp.optional:
                    matched += clause_score > 0
        return total, matched, base

    # ----------------------------------------------------------------- search

    def search(
        self,
        query: str,
        *,
        limit: int = 50,
        offset: int = 0,
        state: StateView | None = None,
        snippet_width: int = SNIPPET_CHARS,
    ) -> SearchResult:
        """Ranked hits for ``query`` (see ``newstui.core.search.query`` for the language).

        ``is:unread`` / ``is:read`` / ``is:starred`` are answered through ``state``; with no
        state every article counts as unread and none as starred. An empty query returns
        no hits. Never raises on any query text; what is wrong with it (a malformed
        operator, a cut) is in ``errors``. Each hit's snippet is at most ``snippet_width``
        characters (the width of the list showing it).
        """
        start = time.perf_counter()
        snap = self._snap
        limit = max(0, limit)
        offset = max(0, offset)
        parsed = parse(query)
        errors = parsed.errors
        if parsed.is_empty or not snap.where or (not parsed.clauses and not parsed.has_filters):
            return SearchResult(query, 0, [], (time.perf_counter() - start) * 1000, errors=errors)
        plans = self._plan(snap, parsed)
        n_clauses = len(plans)
        n_required = sum(1 for cp in plans if not cp.optional)
        evals = [self._evaluate(snap, si, parsed, plans, state) for si in range(len(snap.segments))]
        partial = False

        def pick(si: int, mask: BoolArray) -> I64Array:
            found = np.flatnonzero(mask)
            if parsed.states:  # asked of the state only for the articles that matched
                found = _state_filter(snap.segments[si], found, parsed.states, state)
            return found

        cands = [
            pick(si, base & (matched == n_required)) for si, (_, matched, base) in enumerate(evals)
        ]
        if n_clauses > 1 and not any(len(c) for c in cands):
            partial = True  # any clause (an optional one too) will do
            cands = [pick(si, base & (total > 0)) for si, (total, _, base) in enumerate(evals)]
        count = int(sum(len(c) for c in cands))
        highlight = _unique(t for cp in plans for t in cp.terms)
        suggestions = self._suggest(snap, plans) if count == 0 or partial else []
        if count == 0:
            return SearchResult(
                query,
                0,
                [],
                (time.perf_counter() - start) * 1000,
                suggestions=suggestions,
                highlight_terms=highlight,
                errors=errors,
            )
        seg_ix = np.concatenate([np.full(len(c), si, np.int32) for si, c in enumerate(cands)])
        local = np.concatenate(cands)
        scores = np.concatenate([ev[0][c] for ev, c in zip(evals, cands, strict=True)]).astype(
            np.float64
        )
        matched_n = np.concatenate([ev[1][c] for ev, c in zip(evals, cands, strict=True)])
        pub = np.concatenate([snap.segments[si].published[c] for si, c in enumerate(cands)])
        pub = np.nan_to_num(pub, nan=-1e18)
        # Filters only (no words): newest first.
        key = matched_n.astype(np.float64) * 1e6 + scores if n_clauses else pub
        # The best `rerank_window` hits get the proximity bonus; the window does not depend
        # on offset/limit, so pages of one query always agree with each other.
        rerank = self.config.rerank_window
        window = min(count, max(offset + limit, rerank))
        if window < count:
            # Everything scoring at least the window's last key (ties included), so the
            # order below is a total order: score, then date, then index order.
            kth = key[np.argpartition(-key, window - 1)[window - 1]]
            top = np.flatnonzero(key >= kth)
        else:
            top = np.arange(count)
        top = top[np.lexsort((top, -pub[top], -np.round(key[top], 6)))][: max(window, rerank)]
        docs = [
            (
                snap.segments[int(seg_ix[i])].articles[int(local[i])],
                float(scores[i]),
                float(key[i]),
                float(pub[i]),
            )
            for i in top.tolist()
        ]
        tokenized: dict[int, _DocTokens] = {}
        matcher = _Matcher(plans)
        if n_clauses > 1 and self.config.proximity_weight > 0:
            boosted = []
            for article, score, k, p in docs[:rerank]:
                dt = _DocTokens(article, matcher)
                tokenized[id(article)] = dt
                bonus = 1.0 + self.config.proximity_weight * dt.proximity(n_clauses)
                boosted.append((article, score * bonus, k - score + score * bonus, p))
            boosted.sort(key=lambda x: (-round(x[2], 6), -x[3]))
            docs[:rerank] = boosted
        hits: list[Hit] = []
        for article, score, _, _ in docs[offset : offset + limit]:
            dt = tokenized.get(id(article)) or _DocTokens(article, matcher)
            spans, snippet, snippet_spans = dt.highlight(snippet_width)
            hits.append(Hit(article, round(score, 6), spans, snippet, snippet_spans))
        return SearchResult(
            query,
            count,
            hits,
            (time.perf_counter() - start) * 1000,
            partial=partial,
            suggestions=suggestions,
            highlight_terms=highlight,
            errors=errors,
        )

    def _suggest(self, snap: _Snapshot, plans: list[_ClausePlan]) -> list[str]:
        """Corrections for the query words that matched nothing ("did you mean").

        Only plain words the user asked for (not a field value, an excluded word, a
        stopword or a number), of at least 6 letters: a shorter word already matches its
        one-typo neighbours, and two typos in five letters is another word. Candidates are
        one typo beyond what the search tolerates, at most a third of the word's letters
        (2 for 6-8 letters, 3 for 9+), frequent in the library (in 2+ articles once it has
        50), never a stopword; nearest first, then commonest."""
        if snap.building:
            return []  # the word may be in an article not indexed yet
        vocab = snap.vocab(self.config)
        stats = snap.stats(self.config)
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
        return _unique(out)[:5]


# --------------------------------------------------------------------------- helpers


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _state_filter(
    seg: _Segment, found: I64Array, states: list[str], state: StateView | None
) -> I64Array:
    """The documents of ``found`` that pass the ``is:`` filters."""
    keep: list[int] = []
    for li in found.tolist():
        aid = seg.articles[li].id
        ok = True
        for s in states:
            if s == "starred":
                ok = state is not None and state.is_starred(aid)
            elif s == "read":
                ok = state is not None and state.is_read(aid)
            elif s == "unread":
                ok = state is None or not state.is_read(aid)
            if not ok:
                break
        if ok:
            keep.append(li)
    return np.array(keep, dtype=np.int64)


_PHRASE_RES: dict[tuple[str, ...], re.Pattern[str] | None] = {}
# Between two adjacent words: punctuation/space, maybe skipping a one-letter compound part
# the tokenizer drops (Trump['s] plan, don['t] go, big [x-]ray). Atomic, and each optional
# part taken only where the tokenizer drops it, so there is one way to read a separator:
# the phrase regex runs in linear time (it backtracked exponentially on `a'a'a'a…`).
_PHRASE_SEP = r"(?>(?:['\-.,][a-z](?![a-z0-9]))?[^a-z0-9]+(?:[a-z]['\-.,](?=[a-z0-9]{2}))?)"


def _phrase_regex(words: tuple[str, ...]) -> re.Pattern[str] | None:
    """The phrase as a regex over casefolded text (same length as the original), in the
    tokenizer's terms: words in order with only separators (or a dropped one-character
    compound part) between them."""
    rx = _PHRASE_RES.get(words)
    if rx is None and words not in _PHRASE_RES:
        pats = [_joiner_pattern(w) for w in words]
        rx = (
            re.compile(r"(?<![a-z0-9])" + _PHRASE_SEP.join(pats) + r"(?![a-z0-9])")
            if all(pats)
            else None
        )
        if len(_PHRASE_RES) > 256:
            _PHRASE_RES.clear()
        _PHRASE_RES[words] = rx
    return rx


def _has_phrase(article: Article, words: tuple[str, ...], fields: tuple[int, ...]) -> bool:
    texts = _field_texts(article)
    quick = _phrase_regex(words)
    for f in fields:
        text = texts[f]
        if not text:
            continue
        if quick is not None:
            low = fold_same_length(text)
            if low is not None:
                # The words in order, separated only by punctuation/space: the phrase
                # (a common phrase over thousands of articles stays fast this way).
                if quick.search(low) is not None:
                    return True
                continue
        # token -> (first, last) word positions; a compound's joined form spans its parts.
        spans: dict[str, list[tuple[int, int]]] = {}
        toks = tokens_with_offsets(text)
        for i, (tok, start, end, pos) in enumerate(toks):
            last = pos
            if i and start <= toks[i - 1][1] and toks[i - 1][2] <= end and toks[i - 1][3] > pos:
                last = toks[i - 1][3]
            spans.setdefault(tok, []).append((pos, last))
        ends = {last for _, last in spans.get(words[0], ())}
        for w in words[1:]:
            if not ends:
                break
            ends = {last for first, last in spans.get(w, ()) if first - 1 in ends}
        if ends:
            return True
    return False


class _Matcher:
    """Finds a query's terms in a text: ``(start, end, clause, position)``.

    Non-ASCII text goes through the exact tokenizer. ASCII text (most news) takes a fast
    path: one regex per clause of its terms and typed prefixes (a joiner ``' - . ,`` may
    sit between letters, so ``wellknown`` finds ``well-known`` and ``1000`` finds
    ``1,000``), with positions counted in whitespace-separated words — exact spans,
    approximate positions (enough for the proximity bonus).
    """

    def __init__(self, plans: list[_ClausePlan]) -> None:
        self.plans = plans
        self.term_clause: dict[str, int] = {}
        for ci, cp in enumerate(plans):
            for t in cp.terms:
                self.term_clause.setdefault(t, ci)
        # Per clause: for ASCII text, and for other text folded to the same length.
        self.regexes: list[re.Pattern[str] | None] = []
        self.bodies: list[str] = []
        self._uregexes: list[re.Pattern[str] | None] | None = None
        for cp in plans:
            pats: list[str] = []
            for t in sorted(cp.match_terms, key=len, reverse=True):
                pat = _joiner_pattern(t)
                if pat:
                    pats.append(pat)
            for pre in sorted(cp.prefixes, key=len, reverse=True):
                pat = _joiner_pattern(pre)
                if pat:
                    pats.append(pat + "[a-z0-9]*")
            body = "|".join(pats)
            self.regexes.append(
                re.compile(r"(?<![a-z0-9])(?:" + body + r")(?![a-z0-9])") if pats else None
            )
            self.bodies.append(body if pats else "")

    def uregexes(self) -> list[re.Pattern[str] | None]:
        """The clause regexes for folded non-ASCII text (Unicode word boundaries)."""
        if self._uregexes is None:
            self._uregexes = [
                re.compile(r"(?<![^\W_])(?:" + b.replace("[a-z0-9]*", "[^\\W_]*") + r")(?![^\W_])")
                if b
                else None
                for b in self.bodies
            ]
        return self._uregexes

    def match(self, text: str) -> list[tuple[int, int, int, int]]:
        """Matches in ``text``, in order; spans index ``text`` itself."""
        if not text:
            return []
        low = fold_same_length(text)
        if low is not None:
            found: list[tuple[int, int, int]] = []
            regexes = self.regexes if text.isascii() else self.uregexes()
            for ci, rx in enumerate(regexes):
                if rx is not None:
                    found.extend((m.start(), m.end(), ci) for m in rx.finditer(low))
            if len(self.regexes) > 1:
                found.sort()
            out: list[tuple[int, int, int, int]] = []
            prev = pos = 0
            last_end = -1
            for s, e, ci in found:
                if s < last_end:
                    continue  # the same words matched by two clauses
                pos += low.count(" ", prev, s) + low.count("\n", prev, s)
                prev, last_end = s, e
                out.append((s, e, ci, pos))
            return out
        result: list[tuple[int, int, int, int]] = []
        for t, s, e, p in tokens_with_offsets(text):
            for ci, cp in enumerate(self.plans):
                if t in cp.match_terms or any(t.startswith(x) for x in cp.prefixes):
                    result.append((s, e, ci, p))
                    break
        return result


def _joiner_pattern(term: str) -> str:
    if not term.isascii():
        return ""
    chars = [c for c in term if c not in "'-.,"]
    return "['\\-.,]?".join(re.escape(c) for c in chars)


class _DocTokens:
    """Where one article's title and body match the query (computed lazily, once)."""

    __slots__ = ("_body", "_title", "article", "matcher")

    def __init__(self, article: Article, matcher: _Matcher) -> None:
        self.article = article
        self.matcher = matcher
        self._title: list[tuple[int, int, int, int]] | None = None
        self._body: list[tuple[int, int, int, int]] | None = None

    @property
    def title(self) -> list[tuple[int, int, int, int]]:
        if self._title is None:
            self._title = self.matcher.match(self.article.title[:MATCH_CHARS])
        return self._title

    @property
    def body(self) -> list[tuple[int, int, int, int]]:
        if self._body is None:
            self._body = self.matcher.match(self.article.body[:MATCH_CHARS])
        return self._body

    def _positions(self, text: str) -> list[tuple[int, int]]:
        """``(position, clause)`` of query terms in ``text``: a plain word scan (fast; the
        ranking only needs positions), exact matching when folding changes lengths."""
        low = fold_same_length(text)
        if low is None:
            return [(p, c) for _, _, c, p in self.matcher.match(text)]
        get = self.matcher.term_clause.get
        words = (_ASCII_WORD_RE if text.isascii() else _WORD_RE).findall(low)
        return [(i, c) for i, t in enumerate(words) if (c := get(t)) is not None]

    def proximity(self, n_clauses: int) -> float:
        """0..1: how close (and in order) consecutive query words appear."""
        fields = [
            self._positions(self.article.title[:MATCH_CHARS]),
            self._positions(self.article.body[:MATCH_CHARS]),
        ]
        total = 0.0
        for ca in range(n_clauses - 1):
            cb = ca + 1
            best = 0.0
            for matches in fields:
                pa = [p for p, c in matches if c == ca][:64]
                if not pa:
                    continue
                pb = [p for p, c in matches if c == cb][:64]
                for x in pa:
                    for y in pb:
                        d = y - x
                        cost = d - 1 if d > 0 else 1 - d
                        best = max(best, 1.0 / (1.0 + cost))
            total += best
        return total / max(1, n_clauses - 1)

    def highlight(self, width: int = SNIPPET_CHARS) -> tuple[list[Span], str, list[Span]]:
        spans = [Span("title", s, e) for s, e, _, _ in self.title]
        spans.extend(Span("body", s, e) for s, e, _, _ in self.body)
        for name in ("author", "source"):
            text = getattr(self.article, name)[:MATCH_CHARS]
            if text:
                spans.extend(Span(name, s, e) for s, e, _, _ in self.matcher.match(text))
        body_matches = [(s, e, c) for s, e, c, _ in self.body]
        text = self.article.body[:MATCH_CHARS]
        if self.article.format == "markdown":
            # The snippet comes from the rendered text, not the Markdown source.
            text = markdown_region(text, body_matches)
            body_matches = [(s, e, c) for s, e, c, _ in self.matcher.match(text)]
        snippet, snippet_spans = make_snippet(text, body_matches, width)
        return _dedupe_spans(spans), snippet, snippet_spans


def _dedupe_spans(spans: list[Span]) -> list[Span]:
    """Sorted, without spans nested in another (a compound's joined form covers its parts)."""
    out: list[Span] = []
    for sp in sorted(spans, key=lambda s: (s.field, s.start, -s.end)):
        if out and out[-1].field == sp.field and sp.end <= out[-1].end:
            continue
        out.append(sp)
    return out


def highlight_spans(text: str, terms: Iterable[str]) -> list[tuple[int, int]]:
    """``(start, end)`` of every token of ``text`` that is one of ``terms``
    (``SearchResult.highlight_terms``) — for highlighting a whole article."""
    wanted = {fold(t) for t in terms}
    out: list[tuple[int, int]] = []
    for t, s, e, _ in tokens_with_offsets(text):
        if t in wanted:
            if out and s < out[-1][1]:
                out[-1] = (out[-1][0], max(out[-1][1], e))
            else:
                out.append((s, e))
    return out
