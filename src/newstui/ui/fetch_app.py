"""The app's part in fetching (``F``): the feeds of the settings fetched in a thread worker,
what they wrote joined to the open library (``ingest``: no rescan), the list, the sidebar and a
running search following, and one notification saying what came in or what failed.

:class:`FetchActions` is mixed into :class:`~newstui.ui.app.NewsApp` (as
:class:`~newstui.ui.story_app.StoryActions` is); the fetcher itself is
:mod:`newstui.core.fetch`, Textual-free.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any, cast

from textual import work

from newstui.core.problems import summarize
from newstui.ui.messages import Fetched, LoadProgress
from newstui.ui.model import SortedArticles
from newstui.ui.safe import one_line
from newstui.ui.status import Progress

if TYPE_CHECKING:
    from newstui.ui.app import NewsApp


class FetchActions:
    """Fetching in the app (a mixin of :class:`~newstui.ui.app.NewsApp`)."""

    def action_fetch(self) -> None:
        """``F``: fetch the feeds of the settings in a thread (one fetch at a time)."""
        app = cast("NewsApp", self)
        if app.fetching:
            app.notify("Already fetching", timeout=2)
            return
        from newstui.core.fetch import sources_from_settings

        sources = sources_from_settings(app.settings)
        if not sources:
            app.notify(
                'No feeds to fetch: add feeds = ["https://…"] (or opml = "FILE") to the '
                "settings file",
                title="Fetch",
                severity="warning",
                markup=False,
                timeout=8,
            )
            return
        app.fetching = True
        app._fetch_cancel = threading.Event()
        app.progress = Progress(f"Fetching {len(sources)} feed{'s' if len(sources) != 1 else ''}…")
        app._fetch_thread(sources, app._fetch_cancel)

    @work(thread=True, exclusive=True, group="fetch")
    def _fetch_thread(self: NewsApp, sources: list[str], cancel: threading.Event) -> None:
        from newstui.core.fetch import FetchError, HttpOptions, fetch_feeds

        finished: set[int] = set()

        def progress(event: Any) -> None:
            if getattr(event, "result", None) is not None:
                finished.add(event.index)
            self.post_message(LoadProgress("Fetching", len(finished), event.total))

        try:
            http = HttpOptions(timeout=self.settings.fetch_timeout)
            from newstui.core.fetch.fulltext import fetch_full_text_feeds

            report = fetch_feeds(
                sources,
                self.folder,
                full_text=fetch_full_text_feeds(self.settings, sources),
                progress=progress,
                cancel=cancel,
                http=http,
            )
        except FetchError as exc:
            self.post_message(Fetched(None, [], str(exc)))
            return
        except Exception as exc:  # a bug: say so, keep running
            self.post_message(Fetched(None, [], f"{type(exc).__name__}: {exc}"))
            return
        index = self.index
        if index is None or not report.written:
            self.post_message(Fetched(report, [], None))
            return
        from newstui.core.library import ScanResult
        from newstui.core.library.opening import OpenLibrary, ingest

        library = OpenLibrary(ScanResult(self.library.articles, self.problems), index)
        library, added = ingest(library, report.written)
        self.post_message(Fetched(report, added, None, library))

    def on_fetched(self, event: Fetched) -> None:
        """The fetch is done: its articles join the open library (or it failed: say why)."""
        app = cast("NewsApp", self)
        app.fetching = False
        app._fetch_cancel = None
        app.progress = None
        if event.error is not None:
            app.notify(event.error, title="Fetch failed", severity="error", markup=False)
            return
        report = event.report
        if event.library is not None:
            app.library = SortedArticles(event.library.scan.articles)
            app.problems = list(event.library.scan.problems)
            app.problem_summary = summarize(app.problems)
            app.sidebar_ctl.library_changed(app.library.articles)
            app.new_ids |= {a.id for a in event.articles}
            app.article_list.set_new_ids(app.new_ids)
            app.refresh_list()
            if app.search_query:
                app.request_search(app.search_query, force=True)  # with the new articles
        elif report.written:
            app.load(True)  # fetched while the library was still opening: open it again
        failed = report.failed
        summary = f"{report.new} new, {report.updated} updated"
        if failed:
            summary += f", {len(failed)} feed{'s' if len(failed) != 1 else ''} failed"
            for feed in failed[:5]:
                summary += f"\n{one_line(feed.feed)}: {one_line(feed.error or '')}"
        app.notify(
            summary,
            title="Fetch",
            severity="warning" if failed else "information",
            markup=False,
            timeout=8,
        )
