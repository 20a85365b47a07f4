"""The data a fetch run reports: per-feed results, progress events, the run's report."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

Stage = Literal[
    "queued", "fetching", "parsing", "writing", "done", "failed", "cancelled", "expanded"
]


@dataclass(slots=True)
class FeedResult:
    """What happened to one feed.

    ``feed`` is the URL or file path as given (or found in an OPML list); ``title`` the
    feed's own title once known. ``error`` is a one-line reason when the feed failed (then
    ``ok`` is false); ``notes`` are non-fatal remarks (a recovered malformed feed, an
    entry skipped, a page whose text could not be extracted). ``written`` lists the article
    files created or rewritten, in feed order (``new`` + ``updated`` of them).
    """

    feed: str
    title: str = ""
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    not_modified: bool = False
    error: str | None = None
    notes: list[str] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)
    folder: Path | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def errors(self) -> int:
        """1 if the feed failed, else 0 (the summary table's "errors" column)."""
        return 0 if self.error is None else 1

    @property
    def label(self) -> str:
        return self.title or self.feed


@dataclass(slots=True, frozen=True)
class FeedProgress:
    """One progress event. Delivered in the thread that called ``fetch_feeds``.

    ``index`` is the feed's position (0-based) among ``total`` feeds; ``entries_done`` /
    ``entries_total`` count the entries of that feed processed so far (0/0 until the feed
    is parsed). ``result`` is set when ``stage`` is ``done``, ``failed`` or ``cancelled``.
    ``expanded`` means the URL was an OPML list: the feeds it lists were queued instead
    (``total`` grows accordingly), and it gets no result of its own.
    """

    feed: str
    index: int
    total: int
    stage: Stage
    entries_done: int = 0
    entries_total: int = 0
    title: str = ""
    result: FeedResult | None = None


@dataclass(slots=True)
class FetchReport:
    """The outcome of one ``fetch_feeds`` run, one ``FeedResult`` per feed in input order."""

    dest: Path
    feeds: list[FeedResult] = field(default_factory=list)
    cancelled: bool = False

    @property
    def new(self) -> int:
        return sum(f.new for f in self.feeds)

    @property
    def updated(self) -> int:
        return sum(f.updated for f in self.feeds)

    @property
    def failed(self) -> list[FeedResult]:
        return [f for f in self.feeds if not f.ok]

    @property
    def ok(self) -> bool:
        return not self.failed and not self.cancelled

    @property
    def written(self) -> list[Path]:
        return [p for f in self.feeds for p in f.written]
