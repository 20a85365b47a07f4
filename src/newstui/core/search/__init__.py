"""In-memory search: query language, normalisation, index, ranking."""

from newstui.core.search.index import SearchIndex
from newstui.core.search.results import Hit, SearchResult, Span, StateView

__all__ = ["Hit", "SearchIndex", "SearchResult", "Span", "StateView"]
