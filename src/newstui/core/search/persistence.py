"""Persistence: an index as plain parts (articles, number arrays, terms) and back, for
``newstui.core.search.cache`` (which stores and verifies them)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from newstui.core.article import Article, article_ids
from newstui.core.search.segments import (
    FIELDS,
    BoolArray,
    Location,
    Postings,
    Segment,
    TermDict,
    location,
    merge,
)
from newstui.core.search.snapshot import Snapshot
from newstui.core.search.writing import Writer, build_segment

Arrays = dict[str, npt.NDArray[Any]]


def export_parts(writer: Writer) -> tuple[list[Article], Arrays, list[str]]:
    """Articles, index arrays and terms of the whole index (compacted first). The arrays
    are plain numbers: safe to store."""
    writer.compact()
    snap = writer.snapshot
    seg = build_segment([], writer.terms) if not snap.segments else snap.segments[0]
    return list(seg.articles), _arrays(seg), writer.terms.terms[: seg.n_terms]


def segment_from_parts(
    articles: Sequence[Article], arrays: Arrays, n_terms: int, *, docs_checked: bool = False
) -> Segment:
    """One segment from its parts (postings over ``n_terms`` term ids). Raises
    ``ValueError`` on inconsistent parts (a cache that does not fit). ``docs_checked``:
    the caller has checked that every posting names one of ``articles``."""
    n, nf = len(articles), len(FIELDS)
    try:
        lengths = np.asarray(arrays["lengths"], np.int32)
        published = np.asarray(arrays["published"], np.float64)
        df = np.asarray(arrays["df"], np.int32)
        fields = [
            Postings(
                np.asarray(arrays[f"{name}.offsets"], np.int64),
                np.asarray(arrays[f"{name}.docs"], np.int32),
                np.asarray(arrays[f"{name}.tfs"], np.uint16),
            )
            for name in FIELDS
        ]
    except KeyError as exc:
        raise ValueError(f"missing index array {exc}") from None
    if lengths.shape != (nf, n) or published.shape != (n,) or df.shape != (n_terms,):
        raise ValueError("index arrays do not match the articles")
    for p in fields:
        if p.offsets.shape != (n_terms + 1,) or p.docs.shape != p.tfs.shape:
            raise ValueError("postings do not match the vocabulary")
        if p.offsets[0] != 0 or p.offsets[-1] != len(p.docs):
            raise ValueError("postings offsets out of range")
        if np.any(np.diff(p.offsets) < 0):
            raise ValueError("postings offsets not sorted")
        if not docs_checked and len(p.docs) and (int(p.docs.min()) < 0 or int(p.docs.max()) >= n):
            raise ValueError("postings point outside the articles")
    return Segment(articles, published, lengths, fields, df)


def _arrays(seg: Segment) -> Arrays:
    arrays: Arrays = {"lengths": seg.lengths, "published": seg.published, "df": seg.df}
    for name, p in zip(FIELDS, seg.fields, strict=True):
        arrays[f"{name}.offsets"] = p.offsets
        arrays[f"{name}.docs"] = p.docs
        arrays[f"{name}.tfs"] = p.tfs
    return arrays


def writer_from_parts(
    articles: Sequence[Article], arrays: Arrays, terms: list[str], *, docs_checked: bool = False
) -> Writer:
    """The inverse of :func:`export_parts`. Raises ``ValueError`` on inconsistent parts
    (a cache that does not fit), never builds an index that could fail later."""
    n, nt = len(articles), len(terms)
    seg = segment_from_parts(articles, arrays, nt, docs_checked=docs_checked)
    if len(set(terms)) != nt:
        raise ValueError("duplicate terms")
    term_ids = TermDict()
    term_ids.update(zip(terms, range(nt), strict=True))
    term_ids.terms.extend(terms)
    # id -> location(0, row), which is the row: built in C (no Python call a row; a warm
    # cache's ids without an article each)
    where: dict[str, Location] = dict(zip(article_ids(articles), range(n), strict=True))
    if len(where) != n:
        raise ValueError("duplicate article ids")
    if not n:
        return Writer(term_ids)
    return Writer(term_ids, Snapshot((seg,), (None,), where, term_ids))


# ----------------------------------------------------------------- a base and a delta
#
# A cache can be a base file (one segment: export_parts) and a delta on top of it: the
# base segment's live rows, and everything added since as one more segment whose new terms
# follow the base's. One new file then costs a delta, not a rewrite of the base.


def first_segment(writer: Writer) -> Segment | None:
    """The writer's first segment (a base loaded from a cache stays first until merged)."""
    segments = writer.snapshot.segments
    return segments[0] if segments else None


def tail_parts(
    writer: Writer, base: Segment
) -> tuple[BoolArray | None, list[Article], Arrays, list[str]] | None:
    """What a delta on top of ``base`` holds: the base's live rows (None: all), the other
    segments merged (articles, arrays) and the terms they add. None when ``base`` is no
    longer the first segment (merged or rewritten: only a whole export will do)."""
    with writer.lock:
        snap = writer.snapshot
        if not snap.segments or snap.segments[0] is not base:
            return None
        rest = snap.segments[1:]
        # every later segment knows at least the base's terms (ids only grow)
        tail = merge(rest, snap.lives[1:]) if rest else build_segment([], writer.terms)
        extra = writer.terms.terms[base.n_terms : tail.n_terms]
        return snap.lives[0], list(tail.articles), _arrays(tail), extra


def stack_parts(
    writer: Writer,
    articles: Sequence[Article],
    arrays: Arrays,
    extra_terms: list[str],
    base_live: BoolArray | None,
    *,
    docs_checked: bool = False,
) -> Writer:
    """``writer`` (one base segment, as loaded) with a delta's segment on top: the inverse
    of :func:`tail_parts`. Raises ``ValueError`` on parts that do not fit the base, leaving
    ``writer`` as it was; else ``writer`` is taken over (its maps are the new one's)."""
    snap = writer.snapshot
    if len(snap.segments) != 1 or snap.lives[0] is not None:
        raise ValueError("a delta goes on a base of one whole segment")
    base = snap.segments[0]
    if base_live is not None and base_live.shape != (base.n,):
        raise ValueError("the delta's live rows do not fit the base")
    terms = writer.terms
    if len(terms.terms) != base.n_terms:
        raise ValueError("the base's vocabulary does not fit")
    if len(set(extra_terms)) != len(extra_terms) or any(t in terms for t in extra_terms):
        raise ValueError("duplicate terms")
    n_terms = len(terms.terms) + len(extra_terms)
    seg = segment_from_parts(articles, arrays, n_terms, docs_checked=docs_checked)
    dead = (
        set()
        if base_live is None
        else {base.articles[i].id for i in np.flatnonzero(~base_live).tolist()}
    )
    ids = article_ids(articles)
    if len(set(ids)) != len(ids) or any(i in snap.where and i not in dead for i in ids):
        raise ValueError("an article of the delta is live in the base")
    # Only now that everything fits is the base's own id map changed (not copied: a
    # million entries; the base writer is not used again).
    where = snap.where
    for aid in dead:
        del where[aid]
    for i, aid in enumerate(ids):
        where[aid] = location(1, i)
    live = None if base_live is None or bool(base_live.all()) else base_live
    for t in extra_terms:  # the base's term dict grows too
        terms[t]  # assigns the next id
    return Writer(terms, Snapshot((base, seg), (live, None), where, terms))
