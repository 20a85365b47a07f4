"""The list orders: one sort key per order, shared by the app's list, its search results
and ``newstui list`` (so they list the same articles in the same order, ties included).

- ``newest``: newest first; undated articles last; ties by title, then id;
- ``oldest``: oldest first; undated articles last; ties by title, then id;
- ``title``: by title (case-folded); ties newest first (undated last), then id;
- ``source``: by source (case-folded), articles without a source last; ties newest first
  (undated last), then title, then id.

The id breaks every remaining tie, so the order never depends on the order the files were
read in.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, TypeAlias

if TYPE_CHECKING:  # not imported at run time: the CLI's --help reads SORTS and stays quick
    from newstui.core.article import Article

SORTS: tuple[str, ...] = ("newest", "oldest", "title", "source")

SortKey: TypeAlias = tuple[bool | float | str, ...]


def _ts(a: Article) -> float:
    """The publication time in seconds, or NaN when undated."""
    return a.published.timestamp() if a.published is not None else math.nan


def _newest(a: Article) -> SortKey:
    ts = _ts(a)
    undated = math.isnan(ts)
    return (undated, 0.0 if undated else -ts, a.title.casefold(), a.id)


def _oldest(a: Article) -> SortKey:
    ts = _ts(a)
    undated = math.isnan(ts)
    return (undated, 0.0 if undated else ts, a.title.casefold(), a.id)


def _title(a: Article) -> SortKey:
    return (a.title.casefold(), *_newest(a)[:2], a.id)


def _source(a: Article) -> SortKey:
    return (a.source == "", a.source.casefold(), *_newest(a))


_KEYS: dict[str, Callable[[Article], SortKey]] = {
    "newest": _newest,
    "oldest": _oldest,
    "title": _title,
    "source": _source,
}


def sort_key(sort: str) -> Callable[[Article], SortKey]:
    """The key of the order ``sort`` (one of :data:`SORTS`; anything else is ``newest``)."""
    return _KEYS.get(sort, _newest)


def sort_articles(articles: Iterable[Article], sort: str) -> list[Article]:
    """``articles`` in ``sort`` order (see the module docstring)."""
    return sorted(articles, key=sort_key(sort))


#: Bytes of a title (or source) kept in the sort arrays, and of an id: longer ones are
#: ordered by these first, then the articles whose prefixes tie are sorted by the full key.
TEXT_BYTES = 32
ID_BYTES = 16


def order_indices(articles: Sequence[Article], sort: str) -> list[int]:
    """The positions of ``articles`` in ``sort`` order: the same order as
    :func:`sort_articles`, for a large library (issue 13).

    ``sorted`` with a tuple key compares the keys in C without ever releasing the GIL: at a
    million articles that is seconds in which the app's event loop cannot draw a frame.
    Here the keys become numpy arrays (built by Python code, which lets other threads run),
    sorted by ``np.lexsort`` (no GIL); texts are kept as their first :data:`TEXT_BYTES`
    case-folded UTF-8 bytes (which order as the strings do: UTF-8 keeps the code points'
    order), and the few runs whose prefixes tie while their texts differ are sorted again
    by the full key.
    """
    import numpy as np

    n = len(articles)
    if n < 2:
        return list(range(n))
    sort = sort if sort in _KEYS else "newest"

    def text(values: list[str], width: int) -> tuple[Any, Any]:
        raw = [v.encode("utf-8", "surrogatepass") for v in values]
        # a longer text, or one with a NUL (numpy drops trailing NULs), is not exact
        inexact = np.fromiter((len(b) > width or b"\0" in b for b in raw), dtype=bool, count=n)
        return np.array(raw, dtype=f"S{width}"), inexact

    ts = np.fromiter(
        (a.published.timestamp() if a.published is not None else math.nan for a in articles),
        dtype=np.float64,
        count=n,
    )
    undated = np.isnan(ts)
    ts[undated] = 0.0
    titles, titles_inexact = text([a.title.casefold() for a in articles], TEXT_BYTES)
    ids, ids_inexact = text([a.id for a in articles], ID_BYTES)
    # (array, inexact or None) from the first key to the last
    keys: list[tuple[Any, Any]]
    if sort == "newest":
        keys = [(undated, None), (-ts, None), (titles, titles_inexact), (ids, ids_inexact)]
    elif sort == "oldest":
        keys = [(undated, None), (ts, None), (titles, titles_inexact), (ids, ids_inexact)]
    elif sort == "title":
        keys = [(titles, titles_inexact), (undated, None), (-ts, None), (ids, ids_inexact)]
    else:
        sources, sources_inexact = text([a.source.casefold() for a in articles], TEXT_BYTES)
        no_source = np.fromiter((a.source == "" for a in articles), dtype=bool, count=n)
        keys = [
            (no_source, None),
            (sources, sources_inexact),
            (undated, None),
            (-ts, None),
            (titles, titles_inexact),
            (ids, ids_inexact),
        ]
    order = np.lexsort(tuple(k for k, _ in reversed(keys)))
    # runs whose keys tie up to an inexact text: sorted again by the full key
    same = np.ones(n - 1, dtype=bool)
    spans: list[tuple[int, int]] = []
    for arr, inexact in keys:
        a = arr[order]
        same &= a[1:] == a[:-1]
        if inexact is None or not inexact.any():
            continue
        starts = np.flatnonzero(np.concatenate(([True], ~same)))
        ends = np.append(starts[1:], n)
        flagged = np.add.reduceat(inexact[order].astype(np.int64), starts) > 0
        long = (ends - starts > 1) & flagged
        spans += zip(starts[long].tolist(), ends[long].tolist(), strict=True)
    out: list[int] = order.tolist()
    if spans:
        key = _KEYS[sort]
        merged: list[list[int]] = []
        for start, end in sorted(spans):
            if merged and start < merged[-1][1]:  # inside (or over) the run before
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        for start, end in merged:
            run = out[start:end]
            run.sort(key=lambda i: key(articles[i]))
            out[start:end] = run
    return out


__all__ = ["SORTS", "SortKey", "order_indices", "sort_articles", "sort_key"]
