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
from typing import TYPE_CHECKING, TypeAlias

if TYPE_CHECKING:  # not imported at run time: the CLI's --help reads SORTS and stays quick
    from newstui.core.article import Article

SORTS: tuple[str, ...] = ("newest", "oldest", "title", "source")

SortKey: TypeAlias = tuple[bool | float | str, ...]


#: Each order's key, field by field (the rule both :func:`sort_key` and the library's
#: columns, ``Columns.order``, follow): ``undated`` (True last), ``time``/``-time`` (the
#: publication time, 0 when undated), ``title`` (case-folded), ``id``, ``no_source``
#: (True last), ``source`` (case-folded).
ORDER_FIELDS: dict[str, tuple[str, ...]] = {
    "newest": ("undated", "-time", "title", "id"),
    "oldest": ("undated", "time", "title", "id"),
    "title": ("title", "undated", "-time", "id"),
    "source": ("no_source", "source", "undated", "-time", "title", "id"),
}


def _ts(a: Article) -> float:
    """The publication time in seconds, or NaN when undated."""
    return a.published.timestamp() if a.published is not None else math.nan


def _undated(a: Article) -> bool:
    return a.published is None


def _time(a: Article) -> float:
    return a.published.timestamp() if a.published is not None else 0.0


def _minus_time(a: Article) -> float:
    return -a.published.timestamp() if a.published is not None else 0.0


def _title_key(a: Article) -> str:
    return a.title.casefold()


def _id(a: Article) -> str:
    return a.id


def _no_source(a: Article) -> bool:
    return a.source == ""


def _source_key(a: Article) -> str:
    return a.source.casefold()


_FIELD_KEYS: dict[str, Callable[[Article], bool | float | str]] = {
    "undated": _undated,
    "time": _time,
    "-time": _minus_time,
    "title": _title_key,
    "id": _id,
    "no_source": _no_source,
    "source": _source_key,
}


def _key_of(fields: tuple[str, ...]) -> Callable[[Article], SortKey]:
    parts = tuple(_FIELD_KEYS[f] for f in fields)

    def key(a: Article) -> SortKey:
        return tuple([part(a) for part in parts])

    return key


_KEYS: dict[str, Callable[[Article], SortKey]] = {
    sort: _key_of(fields) for sort, fields in ORDER_FIELDS.items()
}
_newest = _KEYS["newest"]


def sort_key(sort: str) -> Callable[[Article], SortKey]:
    """The key of the order ``sort`` (one of :data:`SORTS`; anything else is ``newest``)."""
    return _KEYS.get(sort, _newest)


def sort_articles(articles: Iterable[Article], sort: str) -> list[Article]:
    """``articles`` in ``sort`` order (see the module docstring)."""
    return sorted(articles, key=sort_key(sort))


def order_indices(articles: Sequence[Article], sort: str) -> list[int]:
    """The positions of ``articles`` in ``sort`` order: the same order as
    :func:`sort_articles`, for a large library (issue 13).

    ``sorted`` with a tuple key compares the keys in C without ever releasing the GIL: at a
    million articles that is seconds in which the app's event loop cannot draw a frame.
    Here the library's columns (``newstui.core.library.columns``: the ones a warm cache
    maps, or built from the articles) are sorted by ``np.lexsort`` (no GIL), field by
    field as :data:`ORDER_FIELDS` says.
    """
    from newstui.core.library.columns import columns_for

    n = len(articles)
    if n < 2:
        return list(range(n))
    columns = columns_for(articles)
    out: list[int] = columns.order(sort).tolist()
    return out


__all__ = ["ORDER_FIELDS", "SORTS", "SortKey", "order_indices", "sort_articles", "sort_key"]
