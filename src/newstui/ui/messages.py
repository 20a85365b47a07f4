"""What the app's workers tell it: one dataclass message per event.

The loading, search, sort and fetch threads post these to the app (``App.post_message`` is
safe from any thread). A message that only reports how far a job has got (:class:`LoadProgress`)
may be superseded by a newer one of the same job still waiting in the queue, so a burst
of progress never queues up repaints.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textual.message import Message

if TYPE_CHECKING:
    from newstui.core.article import Article
    from newstui.core.library import ScanResult
    from newstui.core.library.opening import OpenLibrary
    from newstui.core.search import SearchIndex, SearchResult
    from newstui.ui.model import SortedArticles


@dataclass(eq=False)
class LoadProgress(Message):
    """``done`` of ``total`` in ``phase`` ("Loading", "Scanning", "Indexing", "Fetching")."""

    phase: str
    done: int
    total: int

    def can_replace(self, message: Message) -> bool:
        # Only the newest count of a job matters; a count of another job (a fetch during
        # a load) is kept, and so is anything after it in the queue.
        return isinstance(message, LoadProgress) and message.job == self.job

    @property
    def job(self) -> str:
        """Loading and fetching run side by side; scanning and indexing are one load."""
        return "fetch" if self.phase == "Fetching" else "load"


@dataclass(eq=False)
class Scanned(Message):
    """Files scanned: the articles are known (the index may still be filling)."""

    scan: ScanResult
    index: SearchIndex
    indexed: bool
    reload: bool
    #: ``scan``'s articles by id, built in the loading thread (a million-entry dict is
    #: too long a step for the event loop); ``None``: build it on arrival.
    library: SortedArticles | None = None


@dataclass(eq=False)
class Indexed(Message):
    """The index is complete."""

    index: SearchIndex


@dataclass(eq=False)
class LoadFailed(Message):
    """Loading stopped: ``error`` says why, on one line."""

    error: str


@dataclass(eq=False)
class SearchDone(Message):
    """A search finished: its ``result``, or the ``error`` the engine raised."""

    query: str
    result: SearchResult | None
    error: str | None
    #: The search ran while the index was filling: over this many articles only.
    indexed_so_far: int | None = None


@dataclass(eq=False)
class MoreResults(Message):
    """The next page of ``shown``'s results (``more`` is ``None`` when the search failed)."""

    shown: SearchResult
    more: SearchResult | None


@dataclass(eq=False)
class Fetched(Message):
    """A fetch finished: its report, the articles it added or changed, and the library
    with them (``None`` when nothing was ingested)."""

    report: Any
    articles: list[Article]
    error: str | None
    library: OpenLibrary | None = None


@dataclass(eq=False)
class Sorted(Message):
    """``library`` has its ``sort`` order ready (sorted in a thread)."""

    library: SortedArticles
    sort: str
    keep_id: str | None
