"""The app's article list model: the loaded articles, each sort order computed once.

Plain Python (no Textual) so it can run in a thread worker and be tested directly. The
orders themselves are :mod:`newstui.core.order`'s, shared with ``newstui list``.
"""

from __future__ import annotations

from collections.abc import Sequence
from operator import itemgetter
from typing import TYPE_CHECKING

from newstui.core.order import SORTS, order_indices, sort_articles, sort_key

if TYPE_CHECKING:
    from newstui.core.article import Article
    from newstui.core.search.results import Hit

SEARCH_SORTS: tuple[str, ...] = ("relevance", *SORTS)
#: From this many articles an order is computed over numpy arrays (the GIL free while it
#: sorts: the event loop keeps drawing); below, ``sorted`` is quicker.
ARRAY_SORT_MIN = 20_000


def next_sort(current: str, searching: bool) -> str:
    cycle = SEARCH_SORTS if searching else SORTS
    if current not in cycle:
        return cycle[0]
    return cycle[(cycle.index(current) + 1) % len(cycle)]


class SortedArticles:
    """The loaded articles, by id, and in each sort order (computed lazily, then kept)."""

    def __init__(self, articles: Sequence[Article] = ()) -> None:
        self.articles: list[Article]
        if len(articles) >= ARRAY_SORT_MIN or getattr(articles, "columns", None) is not None:
            # a big library keeps its columns (a warm cache's, or built once on first use
            # by the orders and the sidebar's counts: see core/library/columns.py)
            from newstui.core.library.columns import ColumnarList, columns_of

            self.articles = ColumnarList(articles, columns_of(articles))
        else:
            self.articles = list(articles)
        self.by_id: dict[str, Article] = {a.id: a for a in self.articles}
        self._orders: dict[str, list[Article]] = {}

    def __len__(self) -> int:
        return len(self.articles)

    def has_order(self, sort: str) -> bool:
        return sort in self._orders

    def order(self, sort: str) -> list[Article]:
        """The articles in ``sort`` order (see :mod:`newstui.core.order`)."""
        ordered = self._orders.get(sort)
        if ordered is None:
            articles = self.articles
            if len(articles) >= ARRAY_SORT_MIN or getattr(articles, "columns", None) is not None:
                ordered = _gather(articles, order_indices(articles, sort))
            else:
                ordered = sort_articles(articles, sort)
            self._orders[sort] = ordered
        return ordered


def _gather(articles: Sequence[Article], positions: list[int]) -> list[Article]:
    """``articles`` at ``positions`` (``itemgetter``: ~2x a ``map`` at a million)."""
    if len(positions) < 2:
        return [articles[i] for i in positions]
    return list(itemgetter(*positions)(articles))


def sort_hits(hits: Sequence[Hit], sort: str) -> list[Hit]:
    """Search hits in ``sort`` order (``relevance`` keeps the engine's order)."""
    if sort == "relevance":
        return list(hits)
    key = sort_key(sort)
    return sorted(hits, key=lambda h: key(h.article))


__all__ = ["SEARCH_SORTS", "SORTS", "SortedArticles", "next_sort", "sort_hits"]
