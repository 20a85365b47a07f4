"""Matching and highlighting: where a query's words are in a text.

One rule, the index's: a word of a text matches when one of its *tokens* (``normalize``:
casefolded, accent-folded, curly quotes as ``'``, a possessive ``'s`` dropped, a hyphenated
or joined compound giving its parts and the joined word) is one of the query's terms —
the concrete vocabulary terms the search used (exact, typo variants, completions;
``SearchResult.highlight_terms``). :class:`Matcher` applies it; the hits' spans, their
snippets, the proximity bonus, the reader's highlights and ``n``/``N`` all come from it, so
they mark the same words (``café`` for ``cafe``, ``e-mail`` for ``email``, ``Trump’s`` for
``trump's``, ``well-known`` for ``wellknown``).

Cost: one linear scan of the folded text with the tokenizer's regex and a dict lookup per
word; a compound word is expanded once per matcher. A hit's fields are matched in their
first :data:`MATCH_CHARS` characters.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from itertools import compress, filterfalse
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from newstui.core.article import Article, stored_ascii_body
from newstui.core.search.normalize import (
    ASCII_TOKEN_RE,
    TOKEN_RE,
    compound_tokens,
    fold,
    folded_with_offsets,
    tokens,
)
from newstui.core.search.results import Span
from newstui.core.search.snippet import SNIPPET_CHARS, make_snippet, markdown_region

# A hit's fields are matched (spans, proximity, snippet) in their first this many characters:
# a huge article costs a page of text per search, not its whole size.
MATCH_CHARS = 100_000
# ``Matcher.relative_positions`` searches an ASCII text term by term when the query has at
# most this many terms that can match it (beyond, cutting every word is cheaper).
FIND_TERMS = 12
# The tokenizer's regex as one group: ``split`` gives the words and the gaps between them.
_SPLIT_RE = re.compile(f"({TOKEN_RE.pattern})")
_ASCII_SPLIT_RE = re.compile(f"({ASCII_TOKEN_RE.pattern})")
_RUN_RE = re.compile(r"[^\W_]+")
_JOINER_RE = re.compile(r"['\-.,]")
# Every byte but a-z and 0-9 to a space: ``bytes.split`` then gives ASCII_WORD_RE's runs.
_NOT_ALNUM = bytes(b if (97 <= b <= 122 or 48 <= b <= 57) else 32 for b in range(256))
# The same, A-Z lowered first (``fold`` of ASCII text is its lower case).
_LOWER_NOT_ALNUM = bytes(_NOT_ALNUM[b + 32] if 65 <= b <= 90 else _NOT_ALNUM[b] for b in range(256))
# A word's first k bytes of a little-endian 64-bit read (k = 0..8; see ``_heads``).
_HEAD_MASKS = np.array([(1 << (8 * k)) - 1 for k in range(9)], np.uint64)


class Match(NamedTuple):
    """A matched word: ``text[start:end]`` and the query clause it matched."""

    start: int
    end: int
    clause: int


class Matcher:
    """Finds the words of a text whose tokens are query terms (see the module doc).

    ``clauses`` holds the terms of each query clause (tokens, as the index stores them); a
    term in several clauses counts for the first. Overlapping tokens of one compound (its
    parts and its joined form) make one match spanning them all.
    """

    __slots__ = ("_ascii_of", "_compounds", "_heads", "_padded", "clause_of")

    def __init__(self, clauses: Sequence[Iterable[str]]) -> None:
        self.clause_of: dict[str, int] = {}
        for ci, terms in enumerate(clauses):
            for t in terms:
                self.clause_of.setdefault(t, ci)
        self._compounds: dict[str, list[tuple[int, int, int]]] = {}
        self._ascii_of: dict[bytes, int] | None = None  # ASCII terms as bytes (positions)
        self._padded: list[tuple[bytes, int]] | None = None  # (relative_positions)
        self._heads: npt.NDArray[np.uint64] | None = None  # (relative_positions_of)

    @classmethod
    def of_terms(cls, terms: Iterable[str]) -> Matcher:
        """One clause of ``terms`` (``SearchResult.highlight_terms``; any text is read as
        the tokens it stands for, so ``e-mail`` or ``Café`` work too)."""
        return cls([[tok for t in terms for tok in tokens(t)]])

    def _compound(self, word: str) -> list[tuple[int, int, int]]:
        """``(start, end, clause)`` of the matches in one compound word of folded text
        (offsets into it), cached: most compounds hold no term."""
        found = self._compounds.get(word)
        if found is not None:
            return found
        get = self.clause_of.get
        parts = _JOINER_RE.split(word)
        joined = "".join(parts)
        # Its tokens are among its parts, its joined form (less a possessive s), itself and
        # itself without thousands separators: most compounds are ruled out here, cheaply.
        if not any(map(self.clause_of.__contains__, parts)) and not any(
            map(self.clause_of.__contains__, (joined, joined[:-1], word, word.replace(",", "")))
        ):
            found = []
            if len(self._compounds) < 65536:
                self._compounds[word] = found
            return found
        hits = sorted(
            (t.start, -t.end, c) for t in compound_tokens(word) if (c := get(t.token)) is not None
        )
        found = []
        for s, neg_e, c in hits:
            if found and s < found[-1][1]:
                ps, pe, pc = found[-1]
                found[-1] = (ps, max(pe, -neg_e), pc)
            else:
                found.append((s, -neg_e, c))
        if len(self._compounds) < 65536:
            self._compounds[word] = found
        return found

    def matches(self, text: str) -> list[Match]:
        """The matches in ``text``, in order; spans index ``text`` itself."""
        if not text or not self.clause_of:
            return []
        folded, back = folded_with_offsets(text)
        ascii_text = folded.isascii()
        # [gap, word, gap, word, …, gap] and where each piece ends: the tokenizer's words
        # and their offsets, with no Python step per word (most words are no match).
        pieces = (_ASCII_SPLIT_RE if ascii_text else _SPLIT_RE).split(folded)
        words = pieces[1::2]
        every = range(len(words))
        wanted = list(compress(every, map(self.clause_of.__contains__, words)))
        compounds = {
            w
            for w in filterfalse(str.isalnum, set(words))
            if w not in self.clause_of and self._compound(w)
        }
        if compounds:
            wanted = sorted({*wanted, *compress(every, map(compounds.__contains__, words))})
        get = self.clause_of.get
        out: list[Match] = []
        start = done = 0  # offset of pieces[done]
        for i in wanted:
            start += sum(map(len, pieces[done : 2 * i + 1]))
            done = 2 * i + 1
            word = words[i]
            c = get(word)
            if c is not None:  # a word that is a term (a compound too: 3.5)
                out.append(Match(start, start + len(word), c))
            else:
                out.extend(Match(start + s, start + e, cc) for s, e, cc in self._compound(word))
        if back is not None:  # folding changed lengths: spans back onto the original text
            out = [Match(back[s], back[e - 1] + 1, c) for s, e, c in out]
        return out

    def positions(self, text: str) -> list[tuple[int, int]]:
        """``(position, clause)`` of the words of ``text`` that are terms, positions
        counted in runs of letters and digits: for the proximity bonus of the best
        candidates, a cheaper reading than :meth:`matches` that sees every plain word and
        compound part but not a compound's joined form (``email`` in ``e-mail``): a
        ranking hint, never what is highlighted."""
        if not text or not self.clause_of:
            return []
        # An ASCII text folds to its lower case: one byte table lowers it and cuts it.
        folded, table = (text, _LOWER_NOT_ALNUM) if text.isascii() else (fold(text), _NOT_ALNUM)
        # Most words are no term: only the matches take a Python step.
        if folded.isascii():
            # The runs of [a-z0-9] (what ASCII_WORD_RE finds), cut with one byte table:
            # a third of the regex's cost.
            ascii_of = self._ascii_terms()
            words = folded.encode("ascii").translate(table).split()
            hits = compress(range(len(words)), map(ascii_of.__contains__, words))
            return [(i, ascii_of[words[i]]) for i in hits]
        clause_of = self.clause_of
        runs = _RUN_RE.findall(folded)
        found = compress(range(len(runs)), map(clause_of.__contains__, runs))
        return [(i, clause_of[runs[i]]) for i in found]

    def relative_positions(self, text: str) -> list[tuple[int, int]]:
        """:meth:`positions` counted from the first match (which is at 0): all the
        proximity bonus reads is how far apart matches are, and in what order.

        An ASCII text, when the query has at most :data:`FIND_TERMS` terms that can match
        it, is searched term by term (``bytes.find`` on the text lowered and cut by the
        byte table, each term with a space either side), and only the words between the
        first match and the last are counted: ~30% cheaper than cutting every word."""
        if not text or not self.clause_of:
            return []
        if text.isascii():
            return self.relative_positions_ascii(text.encode("ascii"))
        return self._from_first(self.positions(text))

    def relative_positions_ascii(self, data: bytes) -> list[tuple[int, int]]:
        """:meth:`relative_positions` of an ASCII text given as its bytes (a body read
        from the cache undecoded)."""
        if not data or not self.clause_of:
            return []
        found = self._find_ascii(data)
        return found if found is not None else self._from_first(self.positions(data.decode()))

    @staticmethod
    def _from_first(hits: list[tuple[int, int]]) -> list[tuple[int, int]]:
        """``(position, clause)`` pairs counted from the first one's position."""
        if hits and hits[0][0]:
            first = hits[0][0]
            hits = [(i - first, c) for i, c in hits]
        return hits

    def _find_ascii(self, data: bytes) -> list[tuple[int, int]] | None:
        """The term-by-term reading of :meth:`relative_positions` for ASCII ``data``, or
        None when the query has too many terms for it."""
        padded = self._padded_terms()
        if len(padded) > FIND_TERMS:
            return None
        cut = b" " + data.translate(_LOWER_NOT_ALNUM) + b" "
        found: list[tuple[int, int]] = []
        for pattern, c in padded:
            at = cut.find(pattern)
            while at >= 0:
                found.append((at, c))
                at = cut.find(pattern, at + len(pattern) - 1)
        if len(found) < 2:
            return [(0, c) for _, c in found]
        found.sort()
        out: list[tuple[int, int]] = []
        word = 0
        before = found[0][0]
        for at, c in found:
            # each match starts at the space before it: the words from the one before up
            # to this one
            word += len(cut[before:at].split())
            before = at
            out.append((word, c))
        return out

    def relative_positions_of(self, texts: Sequence[bytes]) -> list[list[tuple[int, int]]]:
        """:meth:`relative_positions_ascii` of each of many ASCII texts, the same lists,
        found at once: the texts joined, lowered and cut by the byte table, their words'
        starts and ends found by numpy, and each word's first eight bytes (one unaligned
        64-bit read a word) looked up among the terms' (a binary search over a few dozen
        keys); only a word whose head is a term's takes a Python step, to look the whole
        word up. For the proximity bonus of a page of hits: one pass for them all instead
        of a scan (or a search per term) and a few Python calls per hit."""
        if not texts or not self.clause_of:
            return [[] for _ in texts]
        ascii_of = self._ascii_terms()
        heads = self._heads
        if heads is None:
            # (sorted in Python: a few dozen terms, where ``np.unique`` costs ~15 µs)
            heads = self._heads = np.array(
                sorted({int.from_bytes(t[:8].ljust(8, b"\0"), "little") for t in ascii_of}) or [0],
                np.uint64,
            )
        # one space between texts (no word runs from one into the next), 8 after the
        # last (every word's 8-byte read stays inside)
        joined = b" ".join(texts).translate(_LOWER_NOT_ALNUM) + b" " * 8
        if not ascii_of or len(joined) <= 8:
            return [[] for _ in texts]
        size = len(joined) - 7
        spaces = np.frombuffer(joined, np.uint8, size) == 32
        # a word starts after a space (or at 0) and ends before one: edges alternate
        edges = np.flatnonzero(spaces[1:] != spaces[:-1]) + 1
        if not spaces[0]:
            edges = np.concatenate((np.zeros(1, edges.dtype), edges))
        starts = edges[0::2]
        lengths = edges[1::2] - starts
        eight = np.ndarray((size,), "<u8", joined, 0, (1,))
        head = eight[starts] & _HEAD_MASKS[np.minimum(lengths, 8)]
        at = np.searchsorted(heads, head)
        np.minimum(at, len(heads) - 1, out=at)
        maybe = np.flatnonzero(heads[at] == head)
        out: list[list[tuple[int, int]]] = [[] for _ in texts]
        if not len(maybe):
            return out
        ends = np.cumsum([len(t) + 1 for t in texts])  # each text's end, its space included
        at_start = starts[maybe]
        text_of = np.searchsorted(ends, at_start, side="right")
        get = ascii_of.get
        for w, ti, a, n in zip(
            maybe.tolist(),
            text_of.tolist(),
            at_start.tolist(),
            lengths[maybe].tolist(),
            strict=True,
        ):
            c = get(joined[a : a + n])
            if c is not None:
                out[ti].append((w, c))
        for ti, found in enumerate(out):
            if found:
                first = found[0][0]
                out[ti] = [(w - first, c) for w, c in found]
        return out

    def _ascii_terms(self) -> dict[bytes, int]:
        """The ASCII terms as bytes, and their clause (kept)."""
        ascii_of = self._ascii_of
        if ascii_of is None:
            ascii_of = self._ascii_of = {
                t.encode("ascii"): c for t, c in self.clause_of.items() if t.isascii()
            }
        return ascii_of

    def _padded_terms(self) -> list[tuple[bytes, int]]:
        """The terms a run of ``[a-z0-9]`` can be, each with a space either side, and their
        clause (kept)."""
        padded = self._padded
        if padded is None:
            padded = self._padded = [
                (b" " + t.encode("ascii") + b" ", c)
                for t, c in self.clause_of.items()
                if t.isascii() and t.isalnum() and t == t.lower()
            ]
        return padded

    def spans(self, text: str) -> list[tuple[int, int]]:
        """``(start, end)`` of each match in ``text``."""
        return [(m.start, m.end) for m in self.matches(text)]


def highlight_spans(text: str, terms: Iterable[str]) -> list[tuple[int, int]]:
    """``(start, end)`` of every word of ``text`` matching one of ``terms``
    (``SearchResult.highlight_terms``) — for highlighting a whole article. For many texts
    with the same terms, build one ``Matcher.of_terms(terms)`` and call its ``spans``."""
    return Matcher.of_terms(terms).spans(text)


class HitMatches:
    """Where one article's fields match the query (each computed lazily, once)."""

    __slots__ = ("_body", "_title", "article", "matcher")

    def __init__(self, article: Article, matcher: Matcher) -> None:
        self.article = article
        self.matcher = matcher
        self._title: list[Match] | None = None
        self._body: list[Match] | None = None

    @property
    def title(self) -> list[Match]:
        if self._title is None:
            self._title = self.matcher.matches(self.article.title[:MATCH_CHARS])
        return self._title

    @property
    def body(self) -> list[Match]:
        if self._body is None:
            self._body = self.matcher.matches(self.article.body[:MATCH_CHARS])
        return self._body

    def positions(self) -> list[list[tuple[int, int]]]:
        """``(position, clause)`` of the matches, per field (title, body), counted from
        each field's first match: for proximity (see :meth:`Matcher.relative_positions`)."""
        return [self.title_positions(), self.body_positions()]

    def title_positions(self) -> list[tuple[int, int]]:
        """The title's part of :meth:`positions`."""
        return self.matcher.relative_positions(self.article.title[:MATCH_CHARS])

    def body_positions(self) -> list[tuple[int, int]]:
        """The body's part of :meth:`positions` (the body read, when stored on disk: as
        its bytes when they are ASCII, not decoded)."""
        raw = stored_ascii_body(self.article)
        if raw is not None:
            return self.matcher.relative_positions_ascii(raw[:MATCH_CHARS])
        return self.matcher.relative_positions(self.article.body[:MATCH_CHARS])

    def highlight(self, width: int = SNIPPET_CHARS) -> tuple[list[Span], str, list[Span]]:
        """The spans in the article's fields, its snippet and the spans in the snippet."""
        spans = [Span("title", m.start, m.end) for m in self.title]
        spans.extend(Span("body", m.start, m.end) for m in self.body)
        for name in ("author", "source"):
            text = getattr(self.article, name)[:MATCH_CHARS]
            if text:
                spans.extend(Span(name, m.start, m.end) for m in self.matcher.matches(text))
        body_matches = self.body
        text = self.article.body[:MATCH_CHARS]
        if self.article.format == "markdown":
            # The snippet comes from the rendered text, not the Markdown source.
            text = markdown_region(text, body_matches)
            body_matches = self.matcher.matches(text)
        snippet, snippet_spans = make_snippet(text, body_matches, width)
        return sorted(spans, key=lambda s: (s.field, s.start)), snippet, snippet_spans
