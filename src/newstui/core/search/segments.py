"""Storage: the term dictionary, per-field postings in compressed-sparse-row form, and
segments of articles (built by ``writing``, merged here).

A segment holds, for each field (title, body, author, source, tags), postings as
``offsets[term]`` into two flat numpy arrays ``docs`` (int32) and ``tfs`` (uint16). Term
ids come from one append-only dictionary shared by all segments. Per-document field
lengths and publication times are numpy arrays too, so scoring is vectorised.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from newstui.core.article import Article

FIELDS: tuple[str, ...] = ("title", "body", "author", "source", "tags")
FIELD_INDEX = {name: i for i, name in enumerate(FIELDS)}

IntArray = npt.NDArray[np.int32]
I64Array = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float32]
F64Array = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


#: Where an article lives: its segment and its row in it, packed in one int (a million of
#: them are the index's ``where`` values: an int is 28 bytes, a tuple and its int 84).
Location = int
_ROW_BITS = 32


def location(segment: int, row: int) -> Location:
    """The :data:`Location` of row ``row`` of segment ``segment`` (segment 0: the row)."""
    return segment << _ROW_BITS | row


def split(loc: Location) -> tuple[int, int]:
    """A :data:`Location`'s segment and row."""
    return loc >> _ROW_BITS, loc & ((1 << _ROW_BITS) - 1)


class TermDict(dict[str, int]):
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
class Postings:
    offsets: I64Array  # n_terms + 1
    docs: IntArray
    tfs: npt.NDArray[np.uint16]

    @property
    def n_terms(self) -> int:
        return len(self.offsets) - 1


@dataclass(slots=True)
class Segment:
    #: the documents' articles (a warm cache's: rows made when asked for)
    articles: Sequence[Article]
    published: F64Array  # UTC timestamp, NaN when unknown
    lengths: npt.NDArray[np.int32]  # (n_fields, n)
    fields: list[Postings]
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


def field_texts(a: Article) -> tuple[str, str, str, str, str]:
    """The article's texts in :data:`FIELDS` order."""
    return (a.title, a.body, a.author, a.source, " ".join(a.tags))


def timestamp(a: Article) -> float:
    """The article's publication time as a UTC timestamp, NaN when unknown or absurd."""
    if a.published is None:
        return math.nan
    try:
        return a.published.timestamp()
    except (OverflowError, OSError, ValueError):
        return math.nan


def csr(tids: IntArray, docs: I64Array, n_docs: int, n_terms: int) -> Postings:
    """Postings from one (term id, doc) pair per token occurrence."""
    if len(tids) == 0:
        return Postings(
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
    return Postings(
        offsets,
        (uniq - t * n_docs).astype(np.int32),
        np.minimum(counts, 65535).astype(np.uint16),
    )


def document_frequencies(fields: Sequence[Postings], n_terms: int) -> IntArray:
    df = np.zeros(n_terms, np.int32)
    for p in fields:
        counts = np.diff(p.offsets).astype(np.int32)
        np.maximum(df[: len(counts)], counts, out=df[: len(counts)])
    return df


def merge(segments: Sequence[Segment], lives: Sequence[BoolArray | None]) -> Segment:
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
            articles.extend(map(seg.articles.__getitem__, keep.tolist()))
        published.append(seg.published[keep])
        lengths.append(seg.lengths[:, keep])
    fields: list[Postings] = []
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
        fields.append(Postings(offsets, out_docs, out_tfs))
    return Segment(
        articles,
        np.concatenate(published),
        np.concatenate(lengths, axis=1).astype(np.int32),
        fields,
        document_frequencies(fields, n_terms),
    )
