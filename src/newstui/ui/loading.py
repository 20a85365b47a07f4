"""The app's part in loading: the library opened (through its cache) in a thread worker,
the list shown as soon as the articles are known, searches run against the index while it
fills, progress on the status line, a reload (``r``) that keeps the reader on its article.

:class:`LoadingActions` is mixed into :class:`~newstui.ui.app.NewsApp` (as
:class:`~newstui.ui.fetch_app.FetchActions` is); the opening itself is
:mod:`newstui.core.library.opening`, Textual-free.
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from rich.text import Text
from textual import work
from textual.widgets import Input
from textual.worker import get_current_worker

from newstui.core.problems import summarize
from newstui.ui.messages import Indexed, LoadFailed, LoadProgress, Scanned
from newstui.ui.model import SortedArticles
from newstui.ui.safe import one_line, query_text
from newstui.ui.status import Progress

if TYPE_CHECKING:
    from newstui.core.article import Article
    from newstui.core.library.scan import ScanResult
    from newstui.core.search.index import SearchIndex
    from newstui.ui.app import NewsApp


class LoadingActions:
    """Loading in the app (a mixin of :class:`~newstui.ui.app.NewsApp`)."""

    @work(thread=True, exclusive=True, group="load")
    def load(self: NewsApp, reload: bool) -> None:
        """Scan the folder and index it, reporting progress (the counts that wait in the
        queue are superseded by newer ones: ``LoadProgress.can_replace``)."""
        worker = get_current_worker()

        phase = ["Loading"]

        def progress(name: str) -> Callable[..., None]:
            phase[0] = name

            def report(*args: Any) -> None:
                nums = [a for a in args if isinstance(a, int)]
                if len(nums) >= 2:
                    self.post_message(LoadProgress(phase[0], nums[-2], nums[-1]))

            return report

        try:
            from newstui.core.library.newsboat import import_states
            from newstui.core.library.opening import open_library

            import_states(self.folders, self.store)  # newsboat's read/starred, new items only
            shown_early = False

            def scanned(scan: ScanResult, index: SearchIndex) -> None:
                # Articles known, index about to fill: show the list and let searches
                # run against the filling index now, not after the whole build.
                nonlocal shown_early
                if not worker.is_cancelled:
                    shown_early = True
                    phase[0] = "Indexing"
                    library = SortedArticles(scan.articles)
                    self.post_message(Scanned(scan, index, False, reload, library))

            scan, index = open_library(
                self.folders,
                use_cache=self._use_cache,
                progress=progress("Loading"),
                on_scanned=scanned,
            )
            if worker.is_cancelled:
                return
            if shown_early:
                self.post_message(Indexed(index))
            else:
                library = SortedArticles(scan.articles)
                # the list's order too, before the threads that start on arrival (stories,
                # the sidebar's counts, the index's tables) share the GIL with it
                library.order(self.sort)
                self.post_message(Scanned(scan, index, True, reload, library))
                # From the cache: build the lookup tables now, in this thread, rather
                # than on the first keystroke (~50 ms at 100k articles).
                index.prepare()
        except Exception as exc:  # a bug or an unreadable folder: say so, keep running
            self.post_message(LoadFailed(f"{type(exc).__name__}: {exc}"))

    def on_load_progress(self, event: LoadProgress) -> None:
        app = cast("NewsApp", self)
        if event.phase == "Fetching" and not app.fetching:
            return  # a late message from a finished fetch
        app.progress = Progress.counting(event.phase, event.done, event.total)
        if event.phase == "Indexing" and app.session.refresh(event.done):
            app._start_search()  # the index has doubled since the shown search

    def on_scanned(self, event: Scanned) -> None:
        app = cast("NewsApp", self)
        keep = app.article_list.highlighted
        library = event.library
        app.library = library if library is not None else SortedArticles(event.scan.articles)
        app.front_known(app.library)
        app.problems = list(event.scan.problems)  # duplicates too: the ! screen lists them
        app.problem_summary = summarize(app.problems)
        app.sidebar_ctl.library_changed(app.library.articles)
        # before a waiting search starts: it must know the index is still filling
        app.indexing = not event.indexed
        app.is_loading = not event.indexed
        if not event.reload or event.indexed:
            app.index = event.index
            app._start_search()  # a query typed before the index existed
        if event.indexed:
            app.progress = None
        else:
            app.progress = (app.progress or Progress("")).relabel("Indexing…")
        keep_id = keep.id if keep else None
        if not app._restored and not app.front_moved:
            keep_id = app.store.get_value("last_article") or keep_id
        app.refresh_list(keep_id=keep_id)
        if app.problem_summary.files:
            n = app.problem_summary.files
            app.notify(
                f"{n:,} file{'s' if n != 1 else ''} could not be loaded fully — press ! to see why",
                title="Loading",
                severity="warning",
                markup=False,
                timeout=8,
            )
        if event.reload:
            app._refresh_reader()
            app.notify(f"Reloaded: {len(app.library):,} articles", markup=False, timeout=3)
        if event.indexed:
            app._after_indexed()

    def _refresh_reader(self) -> None:
        """After a reload: the open article's new text (its file changed), or an empty
        reader (its file is gone) — never the stale text."""
        app = cast("NewsApp", self)
        reader = app.reader
        old = reader.article
        if old is None:
            return
        new = app.library.by_id.get(old.id)
        if new is None and old.path is not None:
            # edited without a URL: a new id, the same file and entry
            new = next(
                (a for a in app.library.articles if a.path == old.path and a.entry == old.entry),
                None,
            )
        if new is None:
            reader.show(None)
            app._on_reader_closed()
            app.notify("The article you were reading is no longer in the folder", timeout=4)
            return
        if app.opened_id == old.id:
            app.opened_id = new.id
        if _content(new) != _content(old):
            terms = app.highlight_terms
            reader.show(new, terms, line=int(reader.scroll_y))
        else:
            reader.article = new

    def on_indexed(self, event: Indexed) -> None:
        app = cast("NewsApp", self)
        app.index = event.index
        app.indexing = False
        app.is_loading = False
        app.progress = None
        if not app.article_list.articles and not app.search_query:
            app.refresh_list()  # its "Loading articles…" message is out of date now
        app._after_indexed()

    def _after_indexed(self) -> None:
        app = cast("NewsApp", self)
        # The library and index are long-lived and large (millions of objects at 100k
        # articles): move them out of the cyclic GC's reach, or every full collection
        # walks them all and stalls the UI for a few hundred ms.
        gc.collect()
        gc.freeze()
        app.hold_gc()  # and what the stories and the sidebar build next (a large library)
        app.sidebar_ctl.count_saved()  # with every article indexed
        if not app._restored:
            app._restored = True
            last_search = query_text(app.store.get_value("last_search") or "").strip()
            if last_search and not app.search_box.value:
                with app.search_box.prevent(Input.Changed):
                    app.search_box.value = last_search
                app.search_box.cursor_position = len(last_search)
                # The results of the restored search keep the last article selected.
                app.session.restore(last_search, app.store.get_value("last_article"))
                app._start_search()
                return
        if app.search_query:
            app.request_search(app.search_query, force=True)  # the index is complete now

    def on_load_failed(self, event: LoadFailed) -> None:
        app = cast("NewsApp", self)
        app.is_loading = app.indexing = False
        app.progress = None
        app.article_list.set_message([Text(f"Could not load {app.where}: {one_line(event.error)}")])
        app.notify(event.error, title="Loading failed", severity="error", markup=False)

    def action_reload(self) -> None:
        """``r``: scan the folders again (the cache makes it quick), keeping the reader."""
        app = cast("NewsApp", self)
        app.notify(f"Reloading {app.where}…", markup=False, timeout=2)
        app.is_loading = True
        app.load(reload=True)


def _content(article: Article) -> tuple[object, ...]:
    return (
        article.title,
        article.body,
        article.url,
        article.author,
        article.source,
        article.published,
        article.format,
    )
