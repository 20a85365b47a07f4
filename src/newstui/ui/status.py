"""The status line's words: ``1,234 articles · 12 results in 3.1 ms · sort: newest``.

Plain Python (Rich text, no Textual): :func:`status_line` is a function of
:class:`StatusFacts`, which the app recomputes whenever one of the reactives it follows
changes (loading, progress, the library, the list, the sort...).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

from rich.text import Text

from newstui.ui.safe import one_line

if TYPE_CHECKING:
    from newstui.core.search import SearchResult


class Progress(NamedTuple):
    """What a running job says (``"Indexing 2,000/10,000"``, ``"Fetching 3 feeds…"``) and,
    when it counts, how far it has got (for the progress bar)."""

    text: str
    done: int | None = None
    total: int | None = None

    @classmethod
    def counting(cls, phase: str, done: int, total: int) -> Progress:
        return cls(f"{phase} {done:,}/{total:,}", done, total)

    def relabel(self, text: str) -> Progress:
        """The same count under another name (the bar stays where it was)."""
        return self._replace(text=text)


@dataclass(frozen=True, slots=True)
class SearchFacts:
    """A search result, as the status line tells it."""

    total: int
    took_ms: float
    partial: bool
    errors: tuple[str, ...]
    #: The search ran while the index was filling, over this many articles.
    so_far: int | None
    sort: str

    @classmethod
    def of(cls, result: SearchResult, so_far: int | None, sort: str) -> SearchFacts:
        return cls(result.total, result.took_ms, result.partial, query_errors(result), so_far, sort)


@dataclass(frozen=True, slots=True)
class Listing:
    """What the list shows: ``shown`` rows, of a search (``searching``, its result's
    facts once there is one) or of the library."""

    shown: int = 0
    searching: bool = False
    search: SearchFacts | None = None


@dataclass(frozen=True, slots=True)
class StatusFacts:
    articles: int
    listing: Listing
    loading: bool
    hide_read: bool
    sort: str
    problems: str
    progress: str
    #: Stories the articles make (0: not grouped yet, or nothing to group).
    stories: int = 0
    #: The sidebar's row the list is restricted to ("in Sport"; "" for all articles).
    where: str = ""


def status_line(facts: StatusFacts) -> Text:
    """The status line for ``facts``, on one line (cut with "…" at the edge)."""
    text = Text(no_wrap=True, overflow="ellipsis")
    progress = facts.progress
    listing = facts.listing
    if facts.loading and not facts.articles:
        # "Loading 2,835/20,841", not "Loading articles… · … · Loading 2,835/20,841"
        text.append(f" {progress or 'Loading articles…'}", style="bold")
        progress = ""
    elif (facts.hide_read or facts.where) and not listing.searching:
        text.append(f" {listing.shown:,} of {facts.articles:,} articles", style="bold")
    else:
        text.append(f" {facts.articles:,} articles", style="bold")
    if (
        facts.stories
        and facts.stories != facts.articles
        and not (facts.loading and not facts.articles)
    ):
        text.append(f" in {facts.stories:,} stories")
    if facts.where:
        text.append(f" · {facts.where}", style="bold")
    search = listing.search if listing.searching else None
    if search is not None:
        results = f"{search.total:,} result{'s' if search.total != 1 else ''}"
        if search.so_far is not None:
            if search.total:
                text.append(f" · {results} so far")
            text.append(f" · {searched_so_far(search.so_far).lower()}", "italic")
        else:
            text.append(f" · {results} in {search.took_ms:.1f} ms")
            if search.partial:
                text.append(" (partial matches)", style="italic")
        # what the engine could not read in the query (is:bogus, after:2020-13, too long)
        for error in search.errors:
            text.append(f" · {error}", style="bold")
        text.append(f" · sort: {search.sort}")
    else:
        text.append(f" · sort: {facts.sort}")
    if facts.hide_read:
        text.append(" · unread only")
    if facts.problems:
        text.append(f" · {facts.problems} (!)")
    if progress:
        text.append(f" · {progress}", style="italic")
    return text


def searched_so_far(indexed: int) -> str:
    """What a search during indexing looked at."""
    if not indexed:
        return "Indexing: results will appear as the articles are indexed…"
    return f"Searching the {indexed:,} article{'s' if indexed != 1 else ''} indexed so far…"


def query_errors(result: SearchResult) -> tuple[str, ...]:
    """The engine's one-line messages about a malformed query, made safe to show."""
    errors = getattr(result, "errors", None) or []
    return tuple(e for e in (one_line(str(error)) for error in errors) if e)
