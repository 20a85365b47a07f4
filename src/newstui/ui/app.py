"""The newstui Textual app: search box, article list, reader, status line.

``create_app`` builds the app (used by ``run_app`` and by the tests); ``run_app`` is what
``newstui [DIR]`` calls.
"""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import events, on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.message import Message
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.widgets import Footer, Input
from textual.worker import get_current_worker

from newstui.core.problems import ProblemSummary, summarize
from newstui.core.settings import Settings, SettingsError, load_settings
from newstui.core.state import StateStore
from newstui.ui.model import SORTS, Library, next_sort, sort_hits
from newstui.ui.safe import clean, one_line, query_text, visible
from newstui.ui.screens.confirm import ConfirmScreen
from newstui.ui.screens.help import HelpScreen
from newstui.ui.screens.problems import ProblemsScreen
from newstui.ui.theme import DEFAULT_THEME, NEWSTUI_THEME
from newstui.ui.widgets.article_list import ArticleList
from newstui.ui.widgets.reader import Reader
from newstui.ui.widgets.search_box import SearchBox
from newstui.ui.widgets.status_bar import StatusBar

if TYPE_CHECKING:
    # The loaders and the search engine take ~1 s to import (numpy, trafilatura, feedparser):
    # the loading thread imports them while the first frame is painted.
    from newstui.core.article import Article, Problem
    from newstui.core.library import ScanResult
    from newstui.core.library.opening import OpenLibrary
    from newstui.core.search import SearchIndex, SearchResult

#: Hits per search page: more pages load as the cursor nears the end of the results.
#: (Asking for 500 at once made the engine 4x slower: snippets are built per hit.)
SEARCH_PAGE = 100
#: At most this many progress messages per second from the loading thread.
PROGRESS_HZ = 20
#: Below this many articles a sort runs inline; above, in a thread worker.
INLINE_SORT_MAX = 20_000


class Throttle:
    """True at most once every ``interval`` seconds (plus always for ``force``)."""

    def __init__(self, per_second: float) -> None:
        self.interval = 1.0 / per_second
        self._last = 0.0

    def ready(self, force: bool = False) -> bool:
        now = time.monotonic()
        if force or now - self._last >= self.interval:
            self._last = now
            return True
        return False


# --- messages from the workers ----------------------------------------------------------
class LoadProgress(Message):
    def __init__(self, phase: str, done: int, total: int) -> None:
        super().__init__()
        self.phase, self.done, self.total = phase, done, total


class Scanned(Message):
    """Files scanned: the articles are known (the index may still be filling)."""

    def __init__(self, scan: ScanResult, index: SearchIndex, indexed: bool, reload: bool) -> None:
        super().__init__()
        self.scan, self.index, self.indexed, self.reload = scan, index, indexed, reload


class Indexed(Message):
    def __init__(self, index: SearchIndex) -> None:
        super().__init__()
        self.index = index


class LoadFailed(Message):
    def __init__(self, error: str) -> None:
        super().__init__()
        self.error = error


class SearchDone(Message):
    def __init__(
        self,
        query: str,
        result: SearchResult | None,
        error: str | None,
        indexed_so_far: int | None = None,
    ) -> None:
        super().__init__()
        self.text, self.result, self.error = query, result, error
        #: The search ran while the index was filling: over this many articles only.
        self.indexed_so_far = indexed_so_far


class Fetched(Message):
    """A fetch finished: its report, the articles it added or changed, and the library
    with them (``None`` when nothing was ingested)."""

    def __init__(
        self,
        report: Any,
        articles: list[Article],
        error: str | None,
        library: OpenLibrary | None = None,
    ) -> None:
        super().__init__()
        self.report, self.articles, self.error = report, articles, error
        self.library = library


class Sorted(Message):
    def __init__(self, library: Library, sort: str, keep_id: str | None) -> None:
        super().__init__()
        self.library, self.sort, self.keep_id = library, sort, keep_id


class NewsApp(App[int]):
    """A keyboard-first reader for a folder of news articles."""

    CSS_PATH = "newstui.tcss"
    TITLE = "newstui"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]  # noqa: RUF012
    ENABLE_COMMAND_PALETTE = True
    AUTO_FOCUS = "#list"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit", id="app.quit"),
        Binding("ctrl+c", "quit", "Quit", show=False, priority=True, id="app.quit_ctrl_c"),
        Binding("question_mark,f1", "help", "Help", id="app.help"),
        # priority: handled as the key is read, so keys typed right after "/" (a fast
        # typist, a paste, a busy app) reach the search box instead of the list.
        Binding("slash", "focus_search", "Search", priority=True, id="app.search"),
        Binding("s", "cycle_sort", "Sort", id="app.sort"),
        Binding("escape", "clear_search", "Clear search", id="app.clear_search"),
        Binding("r", "reload", "Reload", show=False, id="app.reload"),
        Binding("m", "toggle_read", "Read/unread", show=False, id="app.toggle_read"),
        Binding("f", "toggle_star", "Star", show=False, id="app.toggle_star"),
        Binding("u", "toggle_hide_read", "Hide read", show=False, id="app.hide_read"),
        Binding("M", "mark_all_read", "Mark all read", show=False, id="app.mark_all_read"),
        Binding("exclamation_mark", "problems", "Load problems", show=False, id="app.problems"),
        Binding("F", "fetch", "Fetch feeds", show=False, id="app.fetch"),
    ]

    def __init__(
        self,
        folder: Path | Sequence[Path],
        *,
        settings: Settings | None = None,
        warnings: Sequence[str] = (),
        store: StateStore | None = None,
        use_cache: bool = True,
        one_off_settings: bool = False,
    ) -> None:
        super().__init__()
        #: The settings come from a ``--config`` file for this run only: its theme is used
        #: now and remembered for no later run.
        self.one_off_settings = one_off_settings
        self.folders = [folder] if isinstance(folder, Path) else list(folder)
        if not self.folders:
            raise ValueError("no articles folder")
        #: Where fetched articles go (the first folder).
        self.folder = self.folders[0]
        self.settings = settings or Settings()
        self.store = store if store is not None else StateStore.open()
        self._startup_warnings = list(warnings)
        self._use_cache = use_cache
        self.index: SearchIndex | None = None
        self.library = Library()
        self.problems: list[Problem] = []
        self.problem_summary = ProblemSummary()
        self.sort = self.store.get_value("sort") or "newest"
        if self.sort not in SORTS:
            self.sort = "newest"
        self.search_sort = "relevance"
        self.search_query = ""
        self.result: SearchResult | None = None
        #: ``self.result`` came from an index still filling, with this many articles in it.
        self.result_indexed_so_far: int | None = None
        self.hide_read = self.store.get_value("hide_read") == "1"
        self.is_loading = False
        self.indexing = False
        self._pending_query: str | None = None
        self._searching = False
        self.searches_run = 0
        self._restored = False
        self._progress_text = ""
        self._open_top_when_done = False
        #: The article to select in the next search result (the restored last article).
        self._keep_on_result: str | None = None
        self._loading_more = False
        self._nt_mounted = False
        self.new_ids: set[str] = set()
        self.fetching = False
        self._fetch_cancel: threading.Event | None = None
        self.register_theme(NEWSTUI_THEME)
        self.theme = self._initial_theme()
        if self.settings.keymap:
            keymap, problems = safe_keymap(self.settings.keymap)
            self._startup_warnings += problems
            self._startup_warnings += unknown_keymap_ids(keymap)
            self.set_keymap(keymap)

    def _initial_theme(self) -> str:
        """The theme to start in. Precedence (README, Settings):

        1. a one-off ``--config FILE`` naming a theme: that theme, for this run only;
        2. the theme last chosen in the app (command palette), unless the settings file
           names a theme it did not name at the previous start (an edit of the file wins);
        3. the settings file's theme; 4. the default.

        A run with ``--config`` stores nothing about themes: the next plain run starts as if
        it had not happened. A palette choice is remembered in every run.
        """
        themes = self.available_themes
        configured = self.settings.theme
        if configured and configured not in themes:
            import difflib

            close = difflib.get_close_matches(configured, list(themes), n=1)
            hint = f" (did you mean {close[0]}?)" if close else ""
            self._startup_warnings.append(
                f"theme {one_line(configured)!r} is not a theme; using the default{hint}"
            )
            configured = None
        if self.one_off_settings:
            theme = configured or self.store.get_value("theme") or DEFAULT_THEME
            return theme if theme in themes else DEFAULT_THEME
        if configured and configured != self.store.get_value("settings_theme"):
            self.store.set_value("settings_theme", configured)
            self.store.set_value("theme", configured)
            return configured
        theme = self.store.get_value("theme") or configured or DEFAULT_THEME
        return theme if theme in themes else DEFAULT_THEME

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Every notification is text, cleaned: messages quote settings, state imports,
        file names and errors, none of which may reach the terminal as markup or escapes."""
        del markup
        super().notify(
            clean(str(message)),
            title=one_line(str(title)),
            severity=severity,
            timeout=timeout,
            markup=False,
        )

    @property
    def where(self) -> str:
        """The articles folders, for messages."""
        return ", ".join(one_line(str(f)) for f in self.folders)

    @property
    def busy(self) -> bool:
        """Loading, indexing, sorting or searching (tests and benchmarks wait on this)."""
        return (
            self.is_loading
            or self.indexing
            or self.fetching
            or self._searching
            or self._loading_more
            or (self._pending_query is not None and self.index is not None)
            or any(w.is_running for w in self.workers)
        )

    # --- layout ---------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield SearchBox(id="search")
        with Horizontal(id="panes"):
            yield ArticleList(id="list")
            yield Reader(id="reader", measure=self.settings.reader_width)
        yield StatusBar(id="status")
        yield Footer()

    @property
    def article_list(self) -> ArticleList:
        return self.query_one("#list", ArticleList)

    @property
    def reader(self) -> Reader:
        return self.query_one("#reader", Reader)

    @property
    def search_box(self) -> SearchBox:
        return self.query_one("#search", SearchBox)

    @property
    def status(self) -> StatusBar:
        return self.query_one("#status", StatusBar)

    def on_mount(self) -> None:
        self._nt_mounted = True
        self.article_list.set_state(self.store)
        self.article_list.set_message([Text("Loading articles…", style="italic")])
        self.search_box.history_source = lambda: self.store.search_history(100)
        self.search_box.results = self.article_list
        self.set_focus(self.article_list)
        for warning in self._startup_warnings:
            self.notify(warning, title="Settings", severity="warning", markup=False, timeout=10)
        if self.store.notice:
            self.notify(self.store.notice, title="Reading state", severity="warning", markup=False)
        self.is_loading = True
        self.update_status()
        # Start loading once the first frame is on screen: the loading thread unpickles and
        # imports for a while, holding the GIL in long stretches.
        self.call_after_refresh(self.load, False)

    def watch_theme(self, theme: str) -> None:
        if self._nt_mounted:
            self.store.set_value("theme", theme)
            self.article_list.refresh_rows()
            # after the new theme's styles are computed
            self.call_after_refresh(self.reader.relayout)

    # --- loading --------------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="load")
    def load(self, reload: bool) -> None:
        """Scan the folder and index it; progress at most PROGRESS_HZ messages/s."""
        throttle = Throttle(PROGRESS_HZ)
        worker = get_current_worker()

        phase = ["Loading"]

        def progress(name: str) -> Callable[..., None]:
            phase[0] = name

            def report(*args: Any) -> None:
                nums = [a for a in args if isinstance(a, int)]
                if len(nums) >= 2:
                    done, total = nums[-2], nums[-1]
                    if throttle.ready(force=done >= total):
                        self.post_message(LoadProgress(phase[0], done, total))

            return report

        try:
            from newstui.core.library.opening import open_library

            shown_early = False

            def scanned(scan: ScanResult, index: SearchIndex) -> None:
                # Articles known, index about to fill: show the list and let searches
                # run against the filling index now, not after the whole build.
                nonlocal shown_early
                if not worker.is_cancelled:
                    shown_early = True
                    phase[0] = "Indexing"
                    self.post_message(Scanned(scan, index, indexed=False, reload=reload))

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
                self.post_message(Scanned(scan, index, indexed=True, reload=reload))
                # From the cache: build the lookup tables now, in this thread, rather
                # than on the first keystroke (~50 ms at 100k articles).
                index.prepare()
        except Exception as exc:  # a bug or an unreadable folder: say so, keep running
            self.post_message(LoadFailed(f"{type(exc).__name__}: {exc}"))

    @on(LoadProgress)
    def _on_load_progress(self, event: LoadProgress) -> None:
        if event.phase == "Fetching" and not self.fetching:
            return  # a late message from a finished fetch
        self.status.set_progress(event.done, event.total)
        self._progress_text = f"{event.phase} {event.done:,}/{event.total:,}"
        self.update_status()
        so_far = self.result_indexed_so_far
        if (
            event.phase == "Indexing"
            and self.search_query
            and so_far is not None
            and event.done >= max(1, 2 * so_far)
            and not self._searching
            and self._pending_query is None
        ):
            # the index has doubled since the shown search: search again (at most ~log2(n)
            # times; the complete index gets its own search when it lands)
            self.request_search(self.search_query, force=True)

    @on(Scanned)
    def _on_scanned(self, event: Scanned) -> None:
        keep = self.article_list.highlighted
        self.library = Library(event.scan.articles)
        self.problems = list(event.scan.problems)  # duplicates too: the ! screen lists them
        self.problem_summary = summarize(self.problems)
        # before a waiting search starts: it must know the index is still filling
        self.indexing = not event.indexed
        self.is_loading = not event.indexed
        if not event.reload or event.indexed:
            self.index = event.index
            if self._pending_query is not None and not self._searching:
                self._start_search()
        if event.indexed:
            self.status.set_progress(None, None)
        self._progress_text = "Indexing…" if not event.indexed else ""
        keep_id = keep.id if keep else None
        if not self._restored:
            keep_id = self.store.get_value("last_article") or keep_id
        self.refresh_list(keep_id=keep_id)
        if self.problem_summary.files:
            n = self.problem_summary.files
            self.notify(
                f"{n:,} file{'s' if n != 1 else ''} could not be loaded fully — press ! to see why",
                title="Loading",
                severity="warning",
                markup=False,
                timeout=8,
            )
        if event.reload:
            self._refresh_reader()
            self.notify(f"Reloaded: {len(self.library):,} articles", markup=False, timeout=3)
        if event.indexed:
            self._after_indexed()

    def _refresh_reader(self) -> None:
        """After a reload: the open article's new text (its file changed), or an empty
        reader (its file is gone) — never the stale text."""
        reader = self.reader
        old = reader.article
        if old is None:
            return
        new = self.library.by_id.get(old.id)
        if new is None and old.path is not None:
            # edited without a URL: a new id, the same file and entry
            new = next(
                (a for a in self.library.articles if a.path == old.path and a.entry == old.entry),
                None,
            )
        if new is None:
            reader.show(None)
            self._on_reader_closed()
            self.notify("The article you were reading is no longer in the folder", timeout=4)
            return
        if _content(new) != _content(old):
            terms = self.result.highlight_terms if (self.search_query and self.result) else []
            reader.show(new, terms, line=int(reader.scroll_y))
        else:
            reader.article = new

    @on(Indexed)
    def _on_indexed(self, event: Indexed) -> None:
        self.index = event.index
        self.indexing = False
        self.is_loading = False
        self._progress_text = ""
        self.status.set_progress(None, None)
        if not self.article_list.articles and not self.search_query:
            self.refresh_list()  # its "Loading articles…" message is out of date now
        self._after_indexed()

    def _after_indexed(self) -> None:
        # The library and index are long-lived and large (millions of objects at 100k
        # articles): move them out of the cyclic GC's reach, or every full collection
        # walks them all and stalls the UI for a few hundred ms.
        gc.collect()
        gc.freeze()
        if not self._restored:
            self._restored = True
            last_search = query_text(self.store.get_value("last_search") or "").strip()
            if last_search and not self.search_box.value:
                with self.search_box.prevent(Input.Changed):
                    self.search_box.value = last_search
                self.search_box.cursor_position = len(last_search)
                # The results of the restored search keep the last article selected.
                self._keep_on_result = self.store.get_value("last_article")
                self.request_search(last_search)
                return
        if self.search_query:
            self.request_search(self.search_query, force=True)  # the index is complete now
        self.update_status()

    @on(LoadFailed)
    def _on_load_failed(self, event: LoadFailed) -> None:
        self.is_loading = self.indexing = False
        self.status.set_progress(None, None)
        self._progress_text = ""
        self.article_list.set_message(
            [Text(f"Could not load {self.where}: {one_line(event.error)}")]
        )
        self.notify(event.error, title="Loading failed", severity="error", markup=False)
        self.update_status()

    # --- the list -------------------------------------------------------------------------
    def _visible(self, articles: Iterable[Article]) -> list[Article]:
        if not self.hide_read:
            return list(articles) if not isinstance(articles, list) else articles
        return [a for a in articles if not self.store.is_read(a.id)]

    def refresh_list(self, keep_id: str | None = None) -> None:
        """Show the full list or the current results, keeping ``keep_id`` selected."""
        if keep_id is None and self.article_list.highlighted is not None:
            keep_id = self.article_list.highlighted.id
        if self.search_query and self.result is not None:
            self._show_result(self.result, keep_id=keep_id)
            return
        library, sort = self.library, self.sort
        if library.has_order(sort) or len(library) <= INLINE_SORT_MAX:
            self._show_articles(library.order(sort), keep_id)
        else:
            self._sort_in_thread(library, sort, keep_id)

    @work(thread=True, exclusive=True, group="sort")
    def _sort_in_thread(self, library: Library, sort: str, keep_id: str | None) -> None:
        library.order(sort)
        self.post_message(Sorted(library, sort, keep_id))

    @on(Sorted)
    def _on_sorted(self, event: Sorted) -> None:
        if event.library is self.library and event.sort == self.sort and not self.search_query:
            self._show_articles(event.library.order(event.sort), event.keep_id)

    def _show_articles(self, articles: list[Article], keep_id: str | None) -> None:
        visible = self._visible(articles)
        self.article_list.set_articles(visible, keep_id=keep_id)
        if not visible:
            if self.is_loading:
                msg = "Loading articles…"
            elif self.hide_read and articles:
                msg = "Every article here is read (u shows them again)"
            else:
                msg = f"No articles in {self.where}"
            self.article_list.set_message([Text(msg, style="italic")])
        self.update_status()

    def _show_result(self, result: SearchResult, keep_id: str | None = None) -> None:
        hits = sort_hits(result.hits, self.search_sort)
        if self.hide_read:
            hits = [h for h in hits if not self.store.is_read(h.article.id)]
        self.article_list.set_articles([], hits=hits, keep_id=keep_id)
        so_far = self.result_indexed_so_far
        if not hits and so_far is not None:
            # the index is still filling: nothing is known to be missing yet
            self.article_list.set_message([Text(_so_far(so_far), style="italic")])
        elif not hits:
            lines = [Text.assemble("No results for ", (one_line(result.query), "bold"))]
            lines += [Text(error, style="bold") for error in _query_errors(result)]
            if result.suggestions:
                lines.append(Text("Did you mean: " + ", ".join(map(one_line, result.suggestions))))
            self.article_list.set_message(lines)
        if self.reader.article is not None:
            self.reader.set_terms(result.highlight_terms)
        self.update_status()

    def update_status(self) -> None:
        text = Text(no_wrap=True, overflow="ellipsis")
        progress = self._progress_text
        if self.is_loading and not len(self.library):
            # "Loading 2,835/20,841", not "Loading articles… · … · Loading 2,835/20,841"
            text.append(f" {progress or 'Loading articles…'}", style="bold")
            progress = ""
        elif self.hide_read and not self.search_query:
            shown = len(self.article_list.articles)
            text.append(f" {shown:,} of {len(self.library):,} articles", style="bold")
        else:
            text.append(f" {len(self.library):,} articles", style="bold")
        so_far = self.result_indexed_so_far
        if self.search_query and self.result is not None:
            r = self.result
            if so_far is not None:
                if r.total:
                    text.append(f" · {r.total:,} result{'s' if r.total != 1 else ''} so far")
                text.append(f" · {_so_far(so_far).lower()}", "italic")
            else:
                text.append(f" · {r.total:,} result{'s' if r.total != 1 else ''}")
                text.append(f" in {r.took_ms:.1f} ms")
                if r.partial:
                    text.append(" (partial matches)", style="italic")
            # what the engine could not read in the query (is:bogus, after:2020-13, too long)
            for error in _query_errors(r):
                text.append(f" · {error}", style="bold")
            text.append(f" · sort: {self.search_sort}")
        else:
            text.append(f" · sort: {self.sort}")
        if self.hide_read:
            text.append(" · unread only")
        if self.problem_summary.any:
            text.append(f" · {self.problem_summary.describe()} (!)")
        if progress:
            text.append(f" · {progress}", style="italic")
        self.status.set_text(text)

    @on(ArticleList.Highlighted)
    def _on_highlighted(self, event: ArticleList.Highlighted) -> None:
        result = self.result
        if (
            result is None
            or not self.search_query
            or self._loading_more
            or len(result.hits) >= result.total
            or self.article_list.cursor < len(self.article_list.articles) - SEARCH_PAGE // 4
        ):
            return
        if self.index is None:
            return
        self._loading_more = True
        self._more_thread(result, self.index)

    @work(thread=True, group="search-more")
    def _more_thread(self, result: SearchResult, index: SearchIndex) -> None:
        # One longer search rather than offset=len(hits): pages asked separately can overlap
        # when scores tie (the engine's order among equal scores is not stable).
        try:
            more = index.search(
                result.query, limit=len(result.hits) + SEARCH_PAGE, state=self.store
            )
        except Exception:
            more = None
        self.call_from_thread(self._got_more, result, more)

    def _got_more(self, result: SearchResult, more: SearchResult | None) -> None:
        self._loading_more = False
        if more is None or result is not self.result or not more.hits:
            return
        self.result = more
        keep = self.article_list.highlighted
        self._show_result(more, keep_id=keep.id if keep else None)

    @on(ArticleList.Selected)
    def _on_selected(self, event: ArticleList.Selected) -> None:
        self.open_article(event.article)

    # --- searching ------------------------------------------------------------------------
    @on(Input.Changed, "#search")
    def _on_search_changed(self, event: Input.Changed) -> None:
        self._keep_on_result = None  # a new query starts at its top result
        self.request_search(event.value)

    def request_search(self, value: str, *, force: bool = False) -> None:
        """Search for ``value``: one search runs at a time; only the newest waits.

        Typing faster than searches finish never builds a queue: each keystroke replaces
        the pending query, and the running search's result is shown when it lands.
        ``force`` searches again even when ``value`` is the query already shown (its
        result came from an index that was still filling).
        """
        query = value.strip()
        if not query:
            self._pending_query = None
            self._open_top_when_done = False  # that Enter was for the search just cleared
            if self.search_query:
                self.search_query = ""
                self.result = None
                self.result_indexed_so_far = None
                self.reader.set_terms([])
                self.refresh_list()
            return
        if (
            query == self.search_query
            and self.result is not None
            and not self._searching
            and not force
        ):
            return
        self.search_query = query
        self._pending_query = query
        if not self._searching:
            self._start_search()

    def _start_search(self) -> None:
        query = self._pending_query
        if query is None or self.index is None:  # no index yet: searched once loaded
            return
        self._pending_query = None
        self._searching = True
        self.searches_run += 1
        self._search_thread(query, self.index, self.indexing)

    @work(thread=True, group="search")
    def _search_thread(self, query: str, index: SearchIndex, indexing: bool) -> None:
        # counted before the search: the articles it sees at least (the index only grows)
        so_far = len(index) if indexing else None
        try:
            result = index.search(query, limit=SEARCH_PAGE, state=self.store)
        except Exception as exc:  # a query the engine rejects: show why
            self.post_message(SearchDone(query, None, str(exc)))
            return
        self.post_message(SearchDone(query, result, None, so_far))

    @on(SearchDone)
    def _on_search_done(self, event: SearchDone) -> None:
        self._searching = False
        if self._pending_query is not None:
            self._start_search()
        if not self.search_query:
            return  # the search was cleared meanwhile
        if event.result is None:
            self.article_list.set_articles([])
            self.article_list.set_message([Text(f"Bad query: {one_line(event.error or '')}")])
            return
        if event.text != self.search_query and self._pending_query is None and not self._searching:
            return
        self.result = event.result
        self.result_indexed_so_far = event.indexed_so_far
        keep_id, self._keep_on_result = self._keep_on_result, None
        self._show_result(event.result, keep_id=keep_id)
        if self._open_top_when_done and not self._searching:
            self._open_top_when_done = False
            top = self.article_list.articles[0] if self.article_list.articles else None
            if top is not None:
                self.article_list.move_to(0)
                self.open_article(top)
            elif self.focused is self.article_list:
                self.set_focus(self.search_box)  # no result to open: back to the box

    @on(Input.Submitted, "#search")
    def _on_search_submitted(self, event: Input.Submitted) -> None:
        if self.search_query:
            self.store.add_search(self.search_query)
        if self._searching or self._pending_query is not None:
            self._open_top_when_done = True
            return
        top = self.article_list.articles[0] if self.article_list.articles else None
        if top is not None:
            self.article_list.move_to(0)
            self.open_article(top)
        elif self.focused is not self.search_box:
            self.set_focus(self.search_box)  # no result to open: stay in the box

    @on(SearchBox.ToResults)
    def _on_to_results(self) -> None:
        if self.search_query:
            self.store.add_search(self.search_query)
        self.set_focus(self.article_list)

    @on(SearchBox.Cleared)
    def _on_search_cleared(self) -> None:
        self.request_search("")
        self.set_focus(self.article_list)

    async def on_event(self, event: events.Event) -> None:
        # Textual hands each key to the focused widget's own queue as it is read, so when
        # keys arrive together (a fast typist, a paste, a busy app) the ones after a key
        # that moves the focus (Enter, Esc, Down in the search box) were already queued
        # for the box. Keys for the search box are handled here, one after the other.
        if (
            isinstance(event, events.Key)
            and not event.is_forwarded
            and self._nt_mounted
            and self.app_focus
            and len(self.screen_stack) == 1
            and self.focused is self.search_box
            and await self._search_box_key(event)
        ):
            return
        await super().on_event(event)

    async def _search_box_key(self, event: events.Key) -> bool:
        """Handle ``event`` for the focused search box now; False: not handled."""
        if await self._check_bindings(event.key, priority=True):
            return True
        if event.is_printable and event.character is not None:
            self.search_box.type_key(event.character)
            return True
        return await self._check_bindings(event.key)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # "/" is typed into the focused input (the search box, the palette) rather than
        # focusing the search box.
        busy_typing = len(self.screen_stack) > 1 or self.focused is self.search_box
        if action == "clear_search":  # Esc in the results (the box and reader have their own)
            return bool(self.search_query) and self.focused is self.article_list
        return not (action == "focus_search" and busy_typing)

    def action_clear_search(self) -> None:
        """Esc in the results: the full list back, the selection kept."""
        with self.search_box.prevent(Input.Changed):
            self.search_box.value = ""
        self.request_search("")
        self.refresh_bindings()

    def action_focus_search(self) -> None:
        self._open_top_when_done = False  # back to the box: an Enter still waiting is void
        self.close_reader_if_narrow()
        # Focus now, not after a refresh: keys typed right after "/" belong to the box;
        # the old query is selected, so typing replaces it.
        self.set_focus(self.search_box)
        self.search_box.select_all()

    # --- the reader -----------------------------------------------------------------------
    def open_article(self, article: Article) -> None:
        reader = self.reader
        if reader.article is not None:
            self.store.set_position(reader.article.id, int(reader.scroll_y))
        terms = self.result.highlight_terms if (self.search_query and self.result) else []
        reader.show(article, terms, line=self.store.get_position(article.id))
        self.screen.add_class("-reading")
        self.set_focus(reader)
        self.store.set_value("last_article", article.id)
        if self.settings.mark_read_on_open and not self.store.is_read(article.id):
            self.store.set_read(article.id, True)
            self.article_list.refresh_rows()

    @on(Reader.Navigate)
    def _on_navigate(self, event: Reader.Navigate) -> None:
        lst = self.article_list
        target = lst.cursor + event.delta
        if not 0 <= target < len(lst.articles):
            self.notify("No more articles this way", timeout=2)
            return
        lst.move_to(target)
        article = lst.highlighted
        if article is not None:
            self.open_article(article)

    @on(Reader.Closed)
    def _on_reader_closed(self) -> None:
        reader = self.reader
        if reader.article is not None:
            self.store.set_position(reader.article.id, int(reader.scroll_y))
        self.screen.remove_class("-reading")
        self.set_focus(self.article_list)

    def close_reader_if_narrow(self) -> None:
        if self.screen.has_class("-narrow") and self.screen.has_class("-reading"):
            self._on_reader_closed()

    # --- actions --------------------------------------------------------------------------
    def _target(self) -> Article | None:
        if self.reader.has_focus and self.reader.article is not None:
            return self.reader.article
        return self.article_list.highlighted

    def action_cycle_sort(self) -> None:
        if self.search_query:
            self.search_sort = next_sort(self.search_sort, searching=True)
        else:
            self.sort = next_sort(self.sort, searching=False)
            self.store.set_value("sort", self.sort)
        self.refresh_list()
        self.notify(f"Sorted by {self.search_sort if self.search_query else self.sort}", timeout=2)

    def set_sort(self, sort: str) -> None:
        if self.search_query:
            self.search_sort = sort
        elif sort in SORTS:
            self.sort = sort
            self.store.set_value("sort", sort)
        self.refresh_list()

    def action_reload(self) -> None:
        self.notify(f"Reloading {self.where}…", markup=False, timeout=2)
        self.is_loading = True
        self.load(reload=True)

    def action_help(self) -> None:
        if isinstance(self.screen, HelpScreen):
            return
        self.push_screen(HelpScreen(self.help_groups()))

    def help_groups(self) -> list[tuple[str, Iterable[BindingType]]]:
        return [
            ("Everywhere", self.BINDINGS),
            ("Search box", SearchBox.BINDINGS),
            ("Article list", ArticleList.BINDINGS),
            ("Reader", Reader.BINDINGS),
        ]

    def action_problems(self) -> None:
        if not self.problem_summary.any:
            self.notify("Every file loaded fine", timeout=2)
            return
        self.clear_notifications()  # "press ! to see why" has been answered; it would cover the list
        self.push_screen(ProblemsScreen(self.problems, self.folders))

    def action_toggle_read(self) -> None:
        article = self._target()
        if article is None:
            return
        read = self.store.toggle_read(article.id)
        self.article_list.refresh_rows()
        self.notify("Marked read" if read else "Marked unread", timeout=1.5)

    def action_toggle_star(self) -> None:
        article = self._target()
        if article is None:
            return
        starred = self.store.toggle_starred(article.id)
        self.article_list.refresh_rows()
        self.notify("Starred" if starred else "Unstarred", timeout=1.5)

    def action_toggle_hide_read(self) -> None:
        self.hide_read = not self.hide_read
        self.store.set_value("hide_read", "1" if self.hide_read else None)
        self.refresh_list()
        self.notify("Showing unread only" if self.hide_read else "Showing all", timeout=1.5)

    def action_mark_all_read(self) -> None:
        result = self.result
        if (
            self.search_query
            and result is not None
            and result.total > len(result.hits)
            and self.index is not None
        ):
            # Only the first pages of the results are in the list: "everything in the
            # list" is every result, so ask the engine for all of them first.
            if result.total > SEARCH_PAGE * 10:
                self.notify(f"Listing all {result.total:,} results…", timeout=3)
            self._all_results_thread(result.query, result.total, self.index)
            return
        self._confirm_mark_read([a.id for a in self.article_list.articles])

    @work(thread=True, exclusive=True, group="mark-all")
    def _all_results_thread(self, query: str, total: int, index: SearchIndex) -> None:
        try:
            result = index.search(query, limit=total, state=self.store)
        except Exception as exc:  # a bug: say so, mark nothing
            self.call_from_thread(
                self.notify, f"Could not list the results: {exc}", severity="error", markup=False
            )
            return
        ids = [h.article.id for h in result.hits]
        if not get_current_worker().is_cancelled:  # M pressed again meanwhile
            self.call_from_thread(self._confirm_mark_read, ids)

    def _confirm_mark_read(self, ids: list[str]) -> None:
        if not ids:
            return
        where = "in these results" if self.search_query else "in this list"
        unread = [i for i in ids if not self.store.is_read(i)]
        if not unread:
            n = len(ids)
            every = "The article" if n == 1 else f"All {n:,} articles"
            self.notify(f"{every} {where} {'is' if n == 1 else 'are'} read already", timeout=3)
            return

        def done(yes: bool | None) -> None:
            if yes:
                self.store.set_read_many(unread, True)
                self.refresh_list()
                self.notify(f"Marked {n:,} article{'s' if n != 1 else ''} read", timeout=2)

        n = len(unread)
        self.push_screen(
            ConfirmScreen(f"Mark {n:,} unread article{'s' if n != 1 else ''} {where} as read?"),
            done,
        )

    # --- fetching -------------------------------------------------------------------------
    def action_fetch(self) -> None:
        if self.fetching:
            self.notify("Already fetching", timeout=2)
            return
        from newstui.core.fetch import sources_from_settings

        sources = sources_from_settings(self.settings)
        if not sources:
            self.notify(
                'No feeds to fetch: add feeds = ["https://…"] (or opml = "FILE") to the '
                "settings file",
                title="Fetch",
                severity="warning",
                markup=False,
                timeout=8,
            )
            return
        self.fetching = True
        self._fetch_cancel = threading.Event()
        self._progress_text = f"Fetching {len(sources)} feed{'s' if len(sources) != 1 else ''}…"
        self.update_status()
        self._fetch_thread(sources, self._fetch_cancel)

    @work(thread=True, exclusive=True, group="fetch")
    def _fetch_thread(self, sources: list[str], cancel: threading.Event) -> None:
        from newstui.core.fetch import FetchError, HttpOptions, fetch_feeds

        throttle = Throttle(PROGRESS_HZ)
        finished: set[int] = set()

        def progress(event: Any) -> None:
            if getattr(event, "result", None) is not None:
                finished.add(event.index)
            if throttle.ready(force=len(finished) >= event.total):
                self.post_message(LoadProgress("Fetching", len(finished), event.total))

        try:
            http = HttpOptions(timeout=self.settings.fetch_timeout)
            report = fetch_feeds(sources, self.folder, progress=progress, cancel=cancel, http=http)
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

    @on(Fetched)
    def _on_fetched(self, event: Fetched) -> None:
        self.fetching = False
        self._fetch_cancel = None
        self._progress_text = ""
        self.status.set_progress(None, None)
        if event.error is not None:
            self.notify(event.error, title="Fetch failed", severity="error", markup=False)
            self.update_status()
            return
        report = event.report
        if event.library is not None:
            self.library = Library(event.library.scan.articles)
            self.problems = list(event.library.scan.problems)
            self.problem_summary = summarize(self.problems)
            self.new_ids |= {a.id for a in event.articles}
            self.article_list.set_new_ids(self.new_ids)
            self.refresh_list()
            if self.search_query:
                self.request_search(self.search_query)
        elif report.written:
            self.load(True)  # fetched while the library was still opening: open it again
        failed = report.failed
        summary = f"{report.new} new, {report.updated} updated"
        if failed:
            summary += f", {len(failed)} feed{'s' if len(failed) != 1 else ''} failed"
            for feed in failed[:5]:
                summary += f"\n{one_line(feed.feed)}: {one_line(feed.error or '')}"
        self.notify(
            summary,
            title="Fetch",
            severity="warning" if failed else "information",
            markup=False,
            timeout=8,
        )
        self.update_status()

    # --- the command palette --------------------------------------------------------------
    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("Search", "Focus the search box (/)", self.action_focus_search)
        yield SystemCommand("Cycle sort", "Next sort order (s)", self.action_cycle_sort)
        for sort in ("relevance", *SORTS) if self.search_query else SORTS:
            yield SystemCommand(f"Sort by {sort}", f"Order the list by {sort}", _bind(self, sort))
        yield SystemCommand("Reload", "Reload the articles folder (r)", self.action_reload)
        yield SystemCommand("Help", "Show every key (?)", self.action_help)
        yield SystemCommand("Load problems", "Files that failed to load (!)", self.action_problems)
        yield SystemCommand(
            "Hide/show read articles", "Toggle unread-only (u)", self.action_toggle_hide_read
        )
        yield SystemCommand("Fetch feeds", "Fetch the configured feeds (F)", self.action_fetch)
        yield SystemCommand(
            "Mark all read", "Mark every article in the list read (M)", self.action_mark_all_read
        )

    # --- leaving --------------------------------------------------------------------------
    async def action_quit(self) -> None:
        if self._fetch_cancel is not None:
            self._fetch_cancel.set()  # no partial files: the fetcher cleans up
        self.save_state()
        self.exit(0)

    def save_state(self) -> None:
        reader = self.reader
        if reader.article is not None:
            self.store.set_position(reader.article.id, int(reader.scroll_y))
        self.store.set_value("last_search", self.search_query or None)
        if self.search_query:
            self.store.add_search(self.search_query)


def _so_far(indexed: int) -> str:
    """What a search during indexing looked at."""
    if not indexed:
        return "Indexing: results will appear as the articles are indexed…"
    return f"Searching the {indexed:,} article{'s' if indexed != 1 else ''} indexed so far…"


def _query_errors(result: SearchResult) -> list[str]:
    """The engine's one-line messages about a malformed query, made safe to show."""
    errors = getattr(result, "errors", None) or []
    return [e for e in (one_line(str(error)) for error in errors) if e]


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


def _bindings_with_ids() -> list[Binding]:
    groups: list[Iterable[BindingType]] = [
        NewsApp.BINDINGS,
        SearchBox.BINDINGS,
        ArticleList.BINDINGS,
        Reader.BINDINGS,
        HelpScreen.BINDINGS,
        ProblemsScreen.BINDINGS,
        ConfirmScreen.BINDINGS,
    ]
    return [b for group in groups for b in group if isinstance(b, Binding) and b.id]


def binding_ids() -> list[str]:
    """Every binding id a ``[keymap]`` in the settings can remap."""
    return [b.id for b in _bindings_with_ids() if b.id]


def safe_keymap(keymap: dict[str, str]) -> tuple[dict[str, str], list[str]]:
    """The ``[keymap]`` entries whose keys are key names (printable, no spaces), and one
    warning per entry left out: a key holding an escape sequence or control characters
    would reach the footer and the help screen as it is."""
    kept: dict[str, str] = {}
    warnings: list[str] = []
    for binding_id, keys in keymap.items():
        names = [k.strip() for k in str(keys).split(",")]
        if (
            all(n and n.isprintable() and " " not in n for n in names)
            and str(binding_id).isprintable()
        ):
            kept[binding_id] = keys
        else:
            warnings.append(
                f"[keymap] {visible(str(binding_id))} = {visible(str(keys))!r}: "
                "not a list of key names; ignored"
            )
    return kept, warnings


def unknown_keymap_ids(keymap: dict[str, str]) -> list[str]:
    """One warning per ``[keymap]`` entry that names no binding (it would do nothing)."""
    import difflib

    known = binding_ids()
    # "reader.next_article" (pane + action name) is a likely guess for "reader.next"
    by_action = {f"{b.id.partition('.')[0]}.{b.action}": b.id for b in _bindings_with_ids() if b.id}
    warnings = []
    for binding_id in keymap:
        if binding_id in known:
            continue
        guess = by_action.get(binding_id)
        close = [guess] if guess else difflib.get_close_matches(binding_id, known, n=1, cutoff=0.5)
        hint = f" (did you mean {close[0]}?)" if close else f" (known: {', '.join(known)})"
        warnings.append(f"[keymap] {one_line(binding_id)}: no such binding; ignored{hint}")
    return warnings


def _bind(app: NewsApp, sort: str) -> Callable[[], None]:
    return lambda: app.set_sort(sort)


def create_app(
    folder: Path | Sequence[Path],
    config: str | Path | None = None,
    *,
    settings: Settings | None = None,
    store: StateStore | None = None,
    use_cache: bool = True,
) -> NewsApp:
    """The app for ``folder``: settings from ``config`` (or the default file), state store
    from the user data folder (or ``store``)."""
    warnings: list[str] = []
    if settings is None:
        settings, warnings = load_settings(
            Path(config) if config else None, must_exist=config is not None
        )
    return NewsApp(
        folder,
        settings=settings,
        warnings=warnings,
        store=store,
        use_cache=use_cache,
        one_off_settings=config is not None,
    )


def run_app(folder: Path | Sequence[Path], config: str | None = None) -> int:
    """Run the reader on ``folder`` (or several folders) until the user quits; the exit
    status."""
    try:
        app = create_app(folder, config)
    except SettingsError as exc:
        import sys

        print(f"newstui: {exc}", file=sys.stderr)
        return 2
    try:
        code = app.run()
    finally:
        app.store.close()
    return int(code or 0)
