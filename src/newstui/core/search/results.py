"""What a search returns: ranked hits with match spans and snippets."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from newstui.core.article import Article


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


@dataclass(slots=True)
class Hit:
    article: Article
    score: float
    # Matches in the article's fields (each field's first 100,000 characters; the reader
    # highlights a whole article with ``highlight_spans`` and ``highlight_terms``).
    spans: list[Span] = field(default_factory=list)
    # One line (whitespace runs collapsed) of the rendered text around the best matches, at
    # most ``snippet_width`` characters (see ``SearchIndex.search``), "…" where cut.
    snippet: str = ""
    # Spans (field "snippet") into ``snippet`` for highlighting it: every matched word in it.
    snippet_spans: list[Span] = field(default_factory=list)


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
