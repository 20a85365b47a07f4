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
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, TypeAlias

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


__all__ = ["SORTS", "SortKey", "sort_articles", "sort_key"]
