"""The app's article list model: the loaded articles, each sort order computed once.

Plain Python (no Textual) so it can run in a thread worker and be tested directly. The
orders themselves are :mod:`newstui.core.order`'s, shared with ``newstui list``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from operator import itemgetter
from typing import TYPE_CHECKING

from newstui.core.library.rows import ArticleRows
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


class ById(Mapping[str, "Article"]):
    """A library's articles by id: a warm library's rows are looked up by id and made
    into an article only when asked for (no dict of a million articles: see
    ``core/library/rows.py``); a list's through a dict."""

    def __init__(self, articles: Sequence[Article]) -> None:
        self._rows = articles if isinstance(articles, ArticleRows) else None
        self._dict = None if self._rows is not None else {a.id: a for a in articles}

    def __getitem__(self, article_id: str) -> Article:
        if self._dict is not None:
            return self._dict[article_id]
        assert self._rows is not None
        row = self._rows.row_of(article_id) if isinstance(article_id, str) else None
        if row is None:
            raise KeyError(article_id)
        return self._rows.table[row]

    def __contains__(self, article_id: object) -> bool:
        if self._dict is not None:
            return article_id in self._dict
        assert self._rows is not None
        return isinstance(article_id, str) and self._rows.row_of(article_id) is not None

    def __iter__(self) -> Iterator[str]:
        if self._dict is not None:
            return iter(self._dict)
        assert self._rows is not None
        return iter(self._rows.ids())  # (a library's ids are distinct)

    def __len__(self) -> int:
        if self._dict is not None:
            return len(self._dict)
        assert self._rows is not None
        return len(self._rows)


class SortedArticles:
    """The loaded articles, by id, and in each sort order (computed lazily, then kept)."""

    def __init__(self, articles: Sequence[Article] = ()) -> None:
        self.articles: Sequence[Article]
        if isinstance(articles, ArticleRows):
            # a warm library: rows of its cache, each made when drawn or opened; its
            # columns (mapped) sort it and count it for the sidebar
            self.articles = articles
        elif len(articles) >= ARRAY_SORT_MIN or getattr(articles, "columns", None) is not None:
            # a big library keeps its columns (built once on first use by the orders and
            # the sidebar's counts: see core/library/columns.py)
            from newstui.core.library.columns import ColumnarList, columns_of

            self.articles = ColumnarList(articles, columns_of(articles))
        else:
            self.articles = list(articles)
        self.by_id = ById(self.articles)
        self._orders: dict[str, Sequence[Article]] = {}

    def __len__(self) -> int:
        return len(self.articles)

    def has_order(self, sort: str) -> bool:
        return sort in self._orders

    def order(self, sort: str) -> Sequence[Article]:
        """The articles in ``sort`` order (see :mod:`newstui.core.order`): a warm
        library's as rows (no article made), another's as a list."""
        ordered = self._orders.get(sort)
        if ordered is None:
            articles = self.articles
            if isinstance(articles, ArticleRows):
                ordered = articles.take(order_indices(articles, sort))
            elif len(articles) >= ARRAY_SORT_MIN or getattr(articles, "columns", None) is not None:
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


__all__ = ["SEARCH_SORTS", "SORTS", "ById", "SortedArticles", "next_sort", "sort_hits"]
