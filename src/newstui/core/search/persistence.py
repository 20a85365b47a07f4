"""Persistence: an index as plain parts (articles, number arrays, terms) and back, for
``newstui.core.search.cache`` (which stores and verifies them)."""

from __future__ import annotations

from functools import partial
from itertools import repeat
from operator import attrgetter
from typing import Any

import numpy as np
import numpy.typing as npt

from newstui.core.article import Article
from newstui.core.search.segments import FIELDS, Location, Postings, Segment, TermDict
from newstui.core.search.snapshot import Snapshot
from newstui.core.search.writing import Writer, build_segment

Arrays = dict[str, npt.NDArray[Any]]


def export_parts(writer: Writer) -> tuple[list[Article], Arrays, list[str]]:
    """Articles, index arrays and terms of the whole index (compacted first). The arrays
    are plain numbers: safe to store."""
    writer.compact()
    snap = writer.snapshot
    seg = build_segment([], writer.terms) if not snap.segments else snap.segments[0]
    arrays: Arrays = {
        "lengths": seg.lengths,
        "published": seg.published,
        "df": seg.df,
    }
    for name, p in zip(FIELDS, seg.fields, strict=True):
        arrays[f"{name}.offsets"] = p.offsets
        arrays[f"{name}.docs"] = p.docs
        arrays[f"{name}.tfs"] = p.tfs
    return list(seg.articles), arrays, writer.terms.terms[: seg.n_terms]


def writer_from_parts(articles: list[Article], arrays: Arrays, terms: list[str]) -> Writer:
    """The inverse of :func:`export_parts`. Raises ``ValueError`` on inconsistent parts
    (a cache that does not fit), never builds an index that could fail later."""
    n, nt, nf = len(articles), len(terms), len(FIELDS)
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
    term_ids = TermDict()
    term_ids.update(zip(terms, range(nt), strict=True))
    term_ids.terms.extend(terms)
    # id -> Location(0, row), built in C (a dict comprehension costs a Python call a row)
    rows = map(partial(tuple.__new__, Location), zip(repeat(0), range(n)))
    where: dict[str, Location] = dict(zip(map(attrgetter("id"), articles), rows, strict=True))
    if len(where) != n:
        raise ValueError("duplicate article ids")
    if not n:
        return Writer(term_ids)
    seg = Segment(list(articles), published, lengths, fields, df)
    return Writer(term_ids, Snapshot((seg,), (None,), where, term_ids))
