"""The app's view of the library: sort orders over precomputed keys, filters.

Plain Python (no Textual) so it can run in a thread worker and be tested directly.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from newstui.core.article import Article
    from newstui.core.search.results import Hit

SORTS: tuple[str, ...] = ("newest", "oldest", "title", "source")
SEARCH_SORTS: tuple[str, ...] = ("relevance", *SORTS)


def next_sort(current: str, searching: bool) -> str:
    cycle = SEARCH_SORTS if searching else SORTS
    if current not in cycle:
        return cycle[0]
    return cycle[(cycle.index(current) + 1) % len(cycle)]


@dataclass(slots=True, frozen=True)
class _Keys:
    ts: list[float]
    title: list[str]
    source: list[str]


class Library:
    """Articles plus their sort keys, computed once; orders computed lazily, cached."""

    def __init__(self, articles: Sequence[Article] = ()) -> None:
        self.articles: list[Article] = list(articles)
        self.by_id: dict[str, Article] = {a.id: a for a in self.articles}
        self._keys = _Keys(
            ts=[a.published.timestamp() if a.published else math.nan for a in self.articles],
            title=[a.title.casefold() for a in self.articles],
            source=[a.source.casefold() for a in self.articles],
        )
        self._orders: dict[str, list[Article]] = {}

    def __len__(self) -> int:
        return len(self.articles)

    def has_order(self, sort: str) -> bool:
        return sort in self._orders

    def order(self, sort: str) -> list[Article]:
        """The articles in ``sort`` order (undated articles last for date sorts)."""
        cached = self._orders.get(sort)
        if cached is not None:
            return cached
        k = self._keys
        n = len(self.articles)
        key: Callable[[int], tuple[float | str, ...]]
        if sort == "oldest":

            def key(i: int) -> tuple[float | str, ...]:
                ts = k.ts[i]
                return (math.isnan(ts), 0.0 if math.isnan(ts) else ts, k.title[i])
        elif sort == "title":

            def key(i: int) -> tuple[float | str, ...]:
                return (k.title[i], -_ts0(k.ts[i]))
        elif sort == "source":

            def key(i: int) -> tuple[float | str, ...]:
                return (k.source[i] == "", k.source[i], -_ts0(k.ts[i]))
        else:  # newest

            def key(i: int) -> tuple[float | str, ...]:
                ts = k.ts[i]
                return (math.isnan(ts), 0.0 if math.isnan(ts) else -ts, k.title[i])

        ordered = [self.articles[i] for i in sorted(range(n), key=key)]
        self._orders[sort] = ordered
        return ordered


def _ts0(ts: float) -> float:
    return -math.inf if math.isnan(ts) else ts


def sort_hits(hits: Sequence[Hit], sort: str) -> list[Hit]:
    """Search hits in ``sort`` order (``relevance`` keeps the engine's order)."""
    if sort == "relevance":
        return list(hits)

    def ts(h: Hit) -> float:
        p = h.article.published
        return p.timestamp() if p else -math.inf

    if sort == "oldest":
        return sorted(hits, key=lambda h: (h.article.published is None, ts(h)))
    if sort == "title":
        return sorted(hits, key=lambda h: h.article.title.casefold())
    if sort == "source":
        return sorted(hits, key=lambda h: (h.article.source == "", h.article.source.casefold()))
    return sorted(hits, key=lambda h: -ts(h))
