"""Storage: the term dictionary, per-field postings in compressed-sparse-row form, and
segments of articles (built by ``writing``, merged here).

A segment holds, for each field (title, body, author, source, tags), postings as
``offsets[term]`` into two flat numpy arrays ``docs`` (int32) and ``tfs`` (uint16). Term
ids come from one append-only dictionary shared by all segments. Per-document field
lengths and publication times are numpy arrays too, so scoring is vectorised.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
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


def _scatter(
    out_docs: IntArray,
    out_tfs: npt.NDArray[np.uint16],
    lead: I64Array,
    counts: I64Array,
    docs: IntArray,
    tfs: npt.NDArray[np.uint16],
) -> None:
    """Put one segment's postings (``counts`` of them for each term, in term order) into
    ``out_*`` from each term's ``lead`` position on."""
    if len(docs):
        first = np.cumsum(counts) - counts  # each term's start in this segment
        dest = np.repeat(lead - first, counts) + np.arange(len(docs))
        out_docs[dest] = docs
        out_tfs[dest] = tfs


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
            _scatter(out_docs, out_tfs, cursor, counts, docs, tfs)
            cursor += counts
        fields.append(Postings(offsets, out_docs, out_tfs))
    return Segment(
        articles,
        np.concatenate(published),
        np.concatenate(lengths, axis=1).astype(np.int32),
        fields,
        document_frequencies(fields, n_terms),
    )


# ------------------------------------------------------------- merged a block at a time
#
# Two segments as stored (a cache's base and its delta, mapped) merged into one without
# holding either's postings whole: what ``merge`` gives for them, a block of terms at a
# time, so that a million articles' postings (~80 million) go through a few MB.

#: postings taken at a time by :func:`merged_postings`
BLOCK_POSTINGS = 1 << 22


def _term_blocks(offsets: I64Array, step: int) -> list[tuple[int, int]]:
    """Ranges of terms holding about ``step`` postings each (one term alone when more)."""
    n = len(offsets) - 1
    out: list[tuple[int, int]] = []
    t0 = 0
    while t0 < n:
        t1 = int(np.searchsorted(offsets, offsets[t0] + step, side="right")) - 1
        t1 = min(max(t1, t0 + 1), n)
        out.append((t0, t1))
        t0 = t1
    return out


def _live_counts(p: Postings, live: BoolArray | None, n_terms: int, step: int) -> I64Array:
    """Each of ``n_terms`` terms' postings in ``p`` whose document is ``live``."""
    counts = np.zeros(n_terms, np.int64)
    offs = p.offsets
    if live is None:
        counts[: p.n_terms] = np.diff(offs)
        return counts
    for t0, t1 in _term_blocks(offs, step):
        a, b = int(offs[t0]), int(offs[t1])
        alive = np.zeros(b - a + 1, np.int64)
        np.cumsum(live[p.docs[a:b]], out=alive[1:])
        counts[t0:t1] = alive[offs[t0 + 1 : t1 + 1] - a] - alive[offs[t0:t1] - a]
    return counts


def merged_postings(
    base: Postings,
    live: BoolArray | None,
    n_base: int,
    more: Postings,
    n_terms: int,
    step: int | None = None,
) -> tuple[I64Array, Iterator[tuple[int, int, int, IntArray, npt.NDArray[np.uint16]]]]:
    """One field's postings of ``base`` (``n_base`` documents, those ``live``: None, all)
    and ``more`` (over ``n_terms`` terms, ``base``'s first) merged as :func:`merge` merges
    their segments: ``base``'s live documents renumbered in order, then ``more``'s after
    them. The merged offsets, and the merged postings a block of terms at a time:
    ``(t0, t1, first posting, docs, tfs)``, in order (terms ``t0``..``t1`` of both inputs
    read once the block is yielded); ``step``: postings a block (:data:`BLOCK_POSTINGS`)."""
    step = BLOCK_POSTINGS if step is None else step
    if more.n_terms != n_terms or base.n_terms > n_terms:
        raise ValueError("postings do not share a vocabulary")
    for p in (base, more):
        offs = p.offsets
        if offs[0] != 0 or offs[-1] != len(p.docs) or len(p.docs) != len(p.tfs):
            raise ValueError("postings offsets out of range")
        if np.any(np.diff(offs) < 0):
            raise ValueError("postings offsets not sorted")
    bo = np.full(n_terms + 1, base.offsets[-1], np.int64)
    bo[: len(base.offsets)] = base.offsets
    mo = np.asarray(more.offsets, np.int64)
    bc = _live_counts(base, live, n_terms, step)
    mc = np.diff(mo)
    offsets = np.zeros(n_terms + 1, np.int64)
    np.cumsum(bc + mc, out=offsets[1:])
    if live is None:
        renumber = None
        n_live = n_base
    else:
        renumber = (np.cumsum(live, dtype=np.int64) - 1).astype(np.int32)
        n_live = int(live.sum())

    def blocks() -> Iterator[tuple[int, int, int, IntArray, npt.NDArray[np.uint16]]]:
        for t0, t1 in _term_blocks(bo + mo, step):
            docs_b: IntArray = base.docs[bo[t0] : bo[t1]]
            tfs_b = base.tfs[bo[t0] : bo[t1]]
            if live is not None and renumber is not None:
                keep = live[docs_b]
                docs_b, tfs_b = renumber[docs_b[keep]], tfs_b[keep]
            docs_m = more.docs[mo[t0] : mo[t1]] + np.int32(n_live)
            tfs_m = more.tfs[mo[t0] : mo[t1]]
            start = int(offsets[t0])
            at = offsets[t0:t1] - start  # each term's first merged posting in the block
            out_docs = np.empty(int(offsets[t1]) - start, np.int32)
            out_tfs = np.empty(len(out_docs), np.uint16)
            # each term's base postings first, then more's: scattered into place
            for counts, lead, docs, tfs in (
                (bc[t0:t1], at, docs_b, tfs_b),
                (mc[t0:t1], at + bc[t0:t1], docs_m, tfs_m),
            ):
                _scatter(out_docs, out_tfs, lead, counts, docs, tfs)
            yield t0, t1, start, out_docs, out_tfs

    return offsets, blocks()
