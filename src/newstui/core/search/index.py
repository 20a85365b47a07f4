"""The search index.

PLACEHOLDER: a naive substring scan with the final public API, so that the CLI and the
UI can be built against it. The real engine (inverted index, BM25F, typo tolerance,
prefix, query language, cache) replaces the internals, keeping the API.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

from newstui.core.article import Article
from newstui.core.search.results import Hit, SearchResult, Span, StateView

ProgressCallback = Callable[[int, int], None]


class SearchIndex:
    """Articles indexed for search. Thread-safe for one writer and many readers."""

    def __init__(self) -> None:
        self._articles: dict[str, Article] = {}

    def __len__(self) -> int:
        return len(self._articles)

    def __contains__(self, article_id: object) -> bool:
        return article_id in self._articles

    def get(self, article_id: str) -> Article | None:
        return self._articles.get(article_id)

    def articles(self) -> list[Article]:
        return list(self._articles.values())

    def add(
        self, articles: Iterable[Article], *, progress: ProgressCallback | None = None
    ) -> None:
        """Add (or replace, by id) articles."""
        items = list(articles)
        for n, article in enumerate(items, 1):
            self._articles[article.id] = article
            if progress is not None and n % 1000 == 0:
                progress(n, len(items))
        if progress is not None:
            progress(len(items), len(items))

    def remove(self, article_ids: Iterable[str]) -> None:
        for article_id in article_ids:
            self._articles.pop(article_id, None)

    def search(
        self, query: str, *, limit: int = 50, offset: int = 0, state: StateView | None = None
    ) -> SearchResult:
        start = time.perf_counter()
        words = [w.casefold() for w in query.split() if w]
        hits: list[Hit] = []
        for article in self._articles.values():
            title = article.title.casefold()
            body = article.body.casefold()
            if all(w in title or w in body for w in words):
                spans = [
                    Span("title", i, i + len(w)) for w in words if (i := title.find(w)) >= 0
                ]
                score = float(len(spans))
                hits.append(Hit(article, score, spans, snippet=article.body[:160]))
        hits.sort(key=lambda h: -h.score)
        took = (time.perf_counter() - start) * 1000
        return SearchResult(
            query, len(hits), hits[offset : offset + limit], took, highlight_terms=words
        )
