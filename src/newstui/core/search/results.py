"""What a search returns: ranked hits with match spans and snippets."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from newstui.core.article import Article

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt


class StateView(Protocol):
    """What the search needs from the reading state to answer ``is:read|unread|starred``."""

    def is_read(self, article_id: str) -> bool: ...

    def is_starred(self, article_id: str) -> bool: ...


@dataclass(slots=True, frozen=True)
class Span:
    """A match in ``field`` ("title", "body", "author", "source", "tags", or "snippet")
    from ``start`` to ``end`` (character offsets into that field's text)."""

    field: str
    start: int
    end: int


Highlight = Callable[[], tuple[list[Span], str, list[Span]]]


class Hit:
    """A ranked article, with where it matched.

    ``spans``: matches in the article's fields (each field's first 100,000 characters; the
    reader highlights a whole article with ``highlight_spans`` and ``highlight_terms``).
    ``snippet``: one line (whitespace runs collapsed) of the rendered text around the best
    matches, at most ``snippet_width`` characters (see ``SearchIndex.search``), "…" where cut.
    ``snippet_spans``: spans (field "snippet") into ``snippet``, every matched word in it.

    The search gives each hit a ``highlight`` function instead of the three values: they are
    worked out on first use, so a page of 100 hits costs highlighting only for the rows a
    list really draws (and a CLI prints). Thread-safe enough: each hit computes its own.
    """

    __slots__ = ("_highlight", "_snippet", "_snippet_spans", "_spans", "article", "score")

    def __init__(
        self,
        article: Article,
        score: float,
        spans: list[Span] | None = None,
        snippet: str = "",
        snippet_spans: list[Span] | None = None,
        *,
        highlight: Highlight | None = None,
    ) -> None:
        self.article = article
        self.score = score
        self._spans = spans if spans is not None else []
        self._snippet = snippet
        self._snippet_spans = snippet_spans if snippet_spans is not None else []
        self._highlight = highlight

    def _resolve(self) -> None:
        work, self._highlight = self._highlight, None
        if work is not None:
            self._spans, self._snippet, self._snippet_spans = work()

    @property
    def spans(self) -> list[Span]:
        self._resolve()
        return self._spans

    @property
    def snippet(self) -> str:
        self._resolve()
        return self._snippet

    @property
    def snippet_spans(self) -> list[Span]:
        self._resolve()
        return self._snippet_spans

    def __repr__(self) -> str:
        return f"Hit({self.article.id!r}, score={self.score})"


@dataclass(slots=True)
class SearchResult:
    query: str
    total: int
    hits: list[Hit]
    took_ms: float
    # True when no article matched every word and the hits are the best partial matches.
    partial: bool = False
    # "Did you mean" corrections, for query words that matched nothing, when there are no
    # hits or only partial ones: vocabulary words one typo away (two for 9+ letters),
    # frequent in the library. Never for operators, field values or excluded words, and
    # never while the index is still being built (see ``SearchIndex.building``).
    suggestions: list[str] = field(default_factory=list)
    # The words the reader should highlight in a whole article (after typo/prefix expansion).
    highlight_terms: list[str] = field(default_factory=list)
    # One-line messages about the query itself, for the status line / stderr: a malformed
    # operator (ignored, not searched as words), a query cut to the length or word cap.
    errors: list[str] = field(default_factory=list)
    # The publication time (UTC timestamp, NaN when unknown) of every one of the ``total``
    # matches, not only the hits of this page: for the timeline of the results.
    published: npt.NDArray[np.float64] | None = None
