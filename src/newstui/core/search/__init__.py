"""In-memory search: query language, normalisation, index, ranking.

``SearchIndex`` (``index.py``) is the engine, a facade over one module per idea (its module
doc lists them: ``writing``, ``spelling`` for typos, ``ranking``, ``highlight`` for the one
matcher, ``persistence``…); ``query.py`` documents the query language; ``normalize.py`` the
text rules; ``cache.open_library`` the warm start (imported on its own: it pulls in the
loaders).
"""

from newstui.core.search.index import RankingConfig, SearchIndex, highlight_spans
from newstui.core.search.results import Hit, SearchResult, Span, StateView

__all__ = [
    "Hit",
    "RankingConfig",
    "SearchIndex",
    "SearchResult",
    "Span",
    "StateView",
    "highlight_spans",
]
