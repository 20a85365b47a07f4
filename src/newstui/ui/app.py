"""The newstui Textual app: search box, article list, reader, status line.

``create_app`` builds the app (used by ``run_app`` and by the tests); ``run_app`` is what
``newstui [DIR]`` calls.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import events, on, work
from textual.app import App, ComposeResult, ScreenStackError, SystemCommand, UnknownModeError
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.css.query import NoMatches
from textual.message import Message
from textual.notifications import SeverityLevel
from textual.reactive import var
from textual.screen import Screen
from textual.widgets import Footer, Input
from textual.worker import get_current_worker

from newstui.core.article import article_ids
from newstui.core.library.rows import with_ids
from newstui.core.problems import ProblemSummary
from newstui.core.settings import Settings, SettingsError, load_settings
from newstui.core.state import StateStore
from newstui.ui.fetch_app import FetchActions
from newstui.ui.front_page import FrontPageActions
from newstui.ui.keymap import PANES, check_keymap
from newstui.ui.loading import LoadingActions
from newstui.ui.messages import (
    MoreResults,
    SearchDone,
    Sorted,
)
from newstui.ui.model import SEARCH_SORTS, SORTS, SortedArticles, next_sort, sort_hits
from newstui.ui.preview import PreviewFollower
from newstui.ui.safe import clean, one_line
from newstui.ui.screens.confirm import ConfirmScreen
from newstui.ui.screens.help import BindingGroup, HelpScreen
from newstui.ui.screens.problems import ProblemsScreen
from newstui.ui.search_session import Land, SearchSession
from newstui.ui.sidebar_control import FacetsCounted, SavedCounted, SidebarControl
from newstui.ui.status import (
    Listing,
    Progress,
    SearchFacts,
    StatusFacts,
    query_errors,
    searched_so_far,
)
from newstui.ui.story_app import StoryActions
from newstui.ui.theme import DEFAULT_THEME, NEWSTUI_THEME
from newstui.ui.widgets.article_list import ArticleList
from newstui.ui.widgets.reader import Reader
from newstui.ui.widgets.search_box import SearchBox
from newstui.ui.widgets.sidebar import Sidebar
from newstui.ui.widgets.status_bar import StatusBar
from newstui.ui.widgets.story_list import StoryList
from newstui.ui.widgets.story_reader import StoryReader
from newstui.ui.widgets.timeline import MIN_ROWS, Timeline

if TYPE_CHECKING:
    # The loaders and the search engine take ~1 s to import (numpy, trafilatura, feedparser):
    # the loading thread imports them while the first frame is painted.
    from newstui.core.article import Article, Problem
    from newstui.core.search import SearchIndex, SearchResult

#: Below this many articles a sort runs inline; above, in a thread worker.
INLINE_SORT_MAX = 20_000
#: The app's reactives the status line follows: a change to any repaints it.
STATUS_FOLLOWS = (
    "is_loading",
    "progress",
    "library",
    "problem_summary",
    "sort",
    "hide_read",
    "listing",
)


class NewsApp(LoadingActions, FrontPageActions, StoryActions, FetchActions, App[int]):
    """A keyboard-first reader for a folder of news articles."""

    CSS_PATH = "newstui.tcss"
    TITLE = "newstui"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]  # noqa: RUF012
    VERTICAL_BREAKPOINTS = [(0, "-short"), (MIN_ROWS, "-tall")]  # noqa: RUF012 (the timeline)
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
        Binding("t", "focus_timeline", "Timeline: pick a period", show=False, id="app.timeline"),
        Binding("B", "toggle_sidebar", "Sidebar", show=False, id="app.sidebar"),
        Binding("S", "save_search", "Save search", show=False, id="app.save_search"),
        Binding("U", "next_unread", "Next unread", show=False, id="app.next_unread"),
    ]

    # --- the app's state; the status line follows those in STATUS_FOLLOWS ----------------
    #: Reading the folder: from the start until the index is complete (or loading failed).
    is_loading = var(False)
    #: The articles are listed and the index is still filling.
    indexing = var(False)
    fetching = var(False)
    #: What the running job says, and its count for the progress bar.
    progress: var[Progress | None] = var(None)
    library: var[SortedArticles] = var(SortedArticles)
    problem_summary = var(ProblemSummary())
    #: The library's order and the unread-only filter, remembered as they change.
    sort = var("newest", init=False)
    search_sort = var("relevance")
    hide_read = var(False, init=False)
    #: What the list shows (set each time it is filled).
    listing = var(Listing())

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
        #: Where fetched articles go (the first folder; a newsboat cache is never written).
        self.folder = next((f for f in self.folders if f.is_dir()), self.folders[0])
        self.settings = settings or Settings()
        self.store = store if store is not None else StateStore.open()
        self._startup_warnings = list(warnings)
        self._use_cache = use_cache
        self.index: SearchIndex | None = None
        self.problems: list[Problem] = []
        # as remembered (set_reactive: no watcher, nothing written back)
        self.set_reactive(NewsApp.sort, self.validate_sort(self.store.get_value("sort") or ""))
        self.set_reactive(NewsApp.hide_read, self.store.get_value("hide_read") == "1")
        #: The search box's query, its result, what waits and what Enter opens.
        self.session = SearchSession()
        self._restored = False
        self._nt_mounted = False
        self.new_ids: set[str] = set()
        self._fetch_cancel: threading.Event | None = None
        self.sidebar_ctl = SidebarControl(self)
        #: The preview that follows the cursor (wide layout), and the article opened for
        #: real (Enter): only its reading position is remembered.
        self.preview = PreviewFollower(self, self._preview_show, self._preview_dwelt)
        self.opened_id: str | None = None
        self.register_theme(NEWSTUI_THEME)
        self.theme = self._initial_theme()
        if self.settings.keymap:
            keymap, problems = check_keymap(self.settings.keymap, self.BINDINGS)
            self._startup_warnings += problems
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
        """Loading, indexing, fetching, sorting or searching (tests and benchmarks wait on
        this)."""
        return (
            self.is_loading
            or self.indexing
            or self.fetching
            or self.session.busy(ready=self.index is not None)
            or self.preview.pending
            or any(w.is_running for w in self.workers)
        )

    # --- the search session, as the tests and benchmarks read it --------------------------
    @property
    def search_query(self) -> str:
        """The query the list shows results for (``""``: the full list)."""
        return self.session.query

    @property
    def result(self) -> SearchResult | None:
        return self.session.result

    @property
    def searches_run(self) -> int:
        return self.session.searches_run

    # --- layout ---------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield SearchBox(id="search")
        yield Timeline(id="timeline")
        with Horizontal(id="panes"):
            yield Sidebar(id="sidebar")
            with Vertical(id="main"):
                # wide: the list above the reader (titles get the full width); narrow: one
                # pane at a time
                yield StoryList(self.story_view, id="list")
                yield StoryReader(self.story_view, id="reader", measure=self.settings.reader_width)
        yield StatusBar(id="status")
        yield Footer()

    @property
    def article_list(self) -> ArticleList:
        return self.query_one("#list", ArticleList)

    @property
    def reader(self) -> Reader:
        return self.query_one("#reader", Reader)

    @property
    def timeline(self) -> Timeline:
        return self.query_one("#timeline", Timeline)

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
        self.timeline.results = self.article_list
        self.set_focus(self.article_list)
        for warning in self._startup_warnings:
            self.notify(warning, title="Settings", severity="warning", markup=False, timeout=10)
        if self.store.notice:
            self.notify(self.store.notice, title="Reading state", severity="warning", markup=False)
        for name in STATUS_FOLLOWS:
            self.watch(self, name, self._refresh_status, init=False)
        self.is_loading = True
        self._refresh_status()
        self.sidebar_ctl.attach()
        self.front_show()  # the last run's first rows, until the library has loaded
        # Start loading once the first frame is on screen: the loading thread unpickles and
        # imports for a while, holding the GIL in long stretches.
        self.call_after_refresh(self.load, False)
        self.call_after_refresh(self.warm_imports)
        if any(folder.is_file() for folder in self.folders):
            # a newsboat cache.db among the folders (imported only then: the loaders it
            # needs would otherwise delay the first frame)
            from newstui.ui.newsboat_watch import watch_newsboat

            watch_newsboat(self, self.folders, self.action_reload)

    async def _on_message(self, message: Message) -> None:
        """Once the app is closing (``is_running`` false), its screens are being taken down
        while its queue is still read: a widget's or worker's late message (a list refilled,
        a search landed) would look for widgets that are gone. Such messages are dropped;
        Textual's own events and messages still run, so closing completes."""
        if not self.is_running and not _textual_internal(message):
            return
        await super()._on_message(message)

    def watch_theme(self, theme: str) -> None:
        if self._nt_mounted:
            self.store.set_value("theme", theme)
            self.article_list.refresh_rows()
            # after the new theme's styles are computed
            self.call_after_refresh(self.reader.relayout)

    # --- the list -------------------------------------------------------------------------
    def _visible(self, articles: Sequence[Article]) -> Sequence[Article]:
        restricted = self.sidebar_ctl.restrict(articles)  # the sidebar's row
        seq = restricted if isinstance(restricted, Sequence) else list(restricted)
        if not self.hide_read:
            return seq
        read = self.store.read_ids()
        return with_ids(seq, lambda i: i not in read)

    def refresh_list(self, keep_id: str | None = None) -> None:
        """Show the full list or the current results, keeping ``keep_id`` selected."""
        if keep_id is None and self.article_list.highlighted is not None:
            keep_id = self.article_list.highlighted.id
        if self.search_query and self.result is not None:
            self._show_result(keep_id)
            return
        library, sort = self.library, self.sort
        if library.has_order(sort) or len(library) <= INLINE_SORT_MAX:
            self._show_articles(library.order(sort), keep_id)
        else:
            self._sort_in_thread(library, sort, keep_id)

    @work(thread=True, exclusive=True, group="sort")
    def _sort_in_thread(self, library: SortedArticles, sort: str, keep_id: str | None) -> None:
        if library is self.library:  # its rows under the stories, here too
            self.story_view.prefold(library.order(sort))
        library.order(sort)
        self.post_message(Sorted(library, sort, keep_id))

    @on(Sorted)
    def _on_sorted(self, event: Sorted) -> None:
        if event.library is self.library and event.sort == self.sort and not self.search_query:
            self._show_articles(event.library.order(event.sort), event.keep_id)

    def _show_articles(self, articles: Sequence[Article], keep_id: str | None) -> None:
        visible = self._visible(articles)
        self.front_replaced()
        self.article_list.set_articles(visible, keep_id=keep_id)
        self.front_keep()  # the next start shows these rows at once
        if not visible:
            if self.is_loading:
                msg = "Loading articles…"
            elif self.hide_read and articles:
                msg = "Every article here is read (u shows them again)"
            else:
                msg = f"No articles in {self.where}"
            self.article_list.set_message([Text(msg, style="italic")])
        self.listing = Listing(len(visible), searching=bool(self.search_query))
        self._follow_timeline()

    def _show_result(self, keep_id: str | None = None) -> None:
        """Show the session's result, keeping ``keep_id`` selected."""
        result, so_far = self.session.result, self.session.indexed_so_far
        assert result is not None
        hits = sort_hits(result.hits, self.search_sort)
        if self.hide_read:
            hits = [h for h in hits if not self.store.is_read(h.article.id)]
        self.article_list.set_articles([], hits=hits, keep_id=keep_id)
        if not hits and so_far is not None:
            # the index is still filling: nothing is known to be missing yet
            self.article_list.set_message([Text(searched_so_far(so_far), style="italic")])
        elif not hits:
            lines = [Text.assemble("No results for ", (one_line(result.query), "bold"))]
            lines += [Text(error, style="bold") for error in query_errors(result)]
            if result.suggestions:
                lines.append(Text("Did you mean: " + ", ".join(map(one_line, result.suggestions))))
            self.article_list.set_message(lines)
        if self.reader.article is not None:
            self.reader.set_terms(result.highlight_terms)
        facts = SearchFacts.of(result, so_far, self.search_sort)
        self.listing = Listing(len(hits), searching=True, search=facts)
        self._follow_timeline()

    def _follow_timeline(self) -> None:
        """The timeline shows the list's dates; a search's list holds its first pages
        only, so for a search, every result's (the engine's ``published``)."""
        result = self.result if self.search_query else None
        published = None
        if result is not None and len(result.hits) < result.total:
            published = result.published
        self.timeline.follow(self.article_list.articles, published)

    def action_focus_timeline(self) -> None:
        why = self.timeline.why_hidden()
        if why:
            self.notify(why, timeout=3)
            return
        self.close_reader_if_narrow()  # the reader had the screen; the timeline is above the list
        self.set_focus(self.timeline)

    @on(Timeline.Narrow)
    def _on_timeline_narrow(self, event: Timeline.Narrow) -> None:
        """A bar chosen: its period replaces the query's after:/before: terms."""
        from newstui.core.timeline import narrow_query

        query = narrow_query(self.search_box.value, event.period)
        with self.search_box.prevent(Input.Changed):
            self.search_box.value = query
        self.search_box.cursor_position = len(query)
        self.request_search(query)

    def _status_facts(self) -> StatusFacts:
        progress = self.progress
        return StatusFacts(
            articles=len(self.library),
            listing=self.listing,
            loading=self.is_loading,
            hide_read=self.hide_read,
            sort=self.sort,
            problems=self.problem_summary.describe() if self.problem_summary.any else "",
            progress=progress.text if progress is not None else "",
            stories=self.story_count,
            where=self.sidebar_ctl.where,
        )

    def _refresh_status(self) -> None:
        """The status line follows the reactives in ``STATUS_FOLLOWS``."""
        self.status.show(self._status_facts(), self.progress)

    refresh_status = _refresh_status

    # --- the sidebar (ui/sidebar_control.py) -----------------------------------------------
    def on_resize(self, event: events.Resize) -> None:
        self.call_after_refresh(self.sidebar_ctl.layout)
        # wide again: the reader below the list shows the highlighted article
        if self._nt_mounted and self.reader.article is None:
            self.call_after_refresh(lambda: self._follow(self.article_list.highlighted))

    def action_toggle_sidebar(self) -> None:
        self.sidebar_ctl.toggle()

    def action_save_search(self) -> None:
        self.sidebar_ctl.ask_save()

    @on(Sidebar.Chosen)
    def _on_sidebar_chosen(self, event: Sidebar.Chosen) -> None:
        self.sidebar_ctl.choose(event.key)

    @on(Sidebar.SavedAction)
    def _on_sidebar_saved(self, event: Sidebar.SavedAction) -> None:
        self.sidebar_ctl.saved_action(event.action, event.name)

    @on(Sidebar.Leave)
    def _on_sidebar_leave(self) -> None:
        self.sidebar_ctl.leave()

    @on(FacetsCounted)
    def _on_facets_counted(self, event: FacetsCounted) -> None:
        self.sidebar_ctl.counted(event)

    @on(SavedCounted)
    def _on_saved_counted(self, event: SavedCounted) -> None:
        self.sidebar_ctl.saved_counted(event)

    @on(ArticleList.Highlighted)
    def _on_highlighted(self, event: ArticleList.Highlighted) -> None:
        self._follow(event.article, moved=event.moved)
        lst = self.article_list
        result = self.session.more(lst.cursor, len(lst.articles), ready=self.index is not None)
        if result is not None and self.index is not None:
            self._more_thread(result, self.index)

    @work(thread=True, group="search-more")
    def _more_thread(self, result: SearchResult, index: SearchIndex) -> None:
        # One longer search rather than offset=len(hits): pages asked separately can overlap
        # when scores tie (the engine's order among equal scores is not stable).
        try:
            more = index.search(
                result.query,
                limit=len(result.hits) + self.session.page,
                state=self.store,
                within=self.sidebar_ctl.within(),
            )
        except Exception:
            more = None
        self.post_message(MoreResults(result, more))

    @on(MoreResults)
    def _on_more_results(self, event: MoreResults) -> None:
        if self.session.more_landed(event.shown, event.more):
            keep = self.article_list.highlighted
            self._show_result(keep.id if keep else None)

    @on(ArticleList.Selected)
    def _on_selected(self, event: ArticleList.Selected) -> None:
        self.open_article(event.article)

    # --- searching ------------------------------------------------------------------------
    @on(Input.Changed, "#search")
    def _on_search_changed(self, event: Input.Changed) -> None:
        self._apply_search(self.session.type(event.value))

    def request_search(self, value: str, *, force: bool = False) -> None:
        """Search for ``value`` (``force``: even when it is the query shown): see
        :class:`~newstui.ui.search_session.SearchSession` for what runs when."""
        self._apply_search(self.session.request(value, force=force))

    def _apply_search(self, cleared: bool) -> None:
        if cleared:
            self.reader.set_terms([])
            self.refresh_list()
        self._start_search()

    def _start_search(self) -> None:
        """Start the query that waits, if the index is there and no search runs."""
        query = self.session.start(ready=self.index is not None)
        if query is not None and self.index is not None:
            self._search_thread(query, self.index, self.indexing)

    @work(thread=True, group="search")
    def _search_thread(self, query: str, index: SearchIndex, indexing: bool) -> None:
        # counted before the search: the articles it sees at least (the index only grows)
        so_far = len(index) if indexing else None
        try:
            result = index.search(
                query, limit=self.session.page, state=self.store, within=self.sidebar_ctl.within()
            )
        except Exception as exc:  # a query the engine rejects: show why
            self.post_message(SearchDone(query, None, str(exc)))
            return
        self.post_message(SearchDone(query, result, None, so_far))

    @on(SearchDone)
    def _on_search_done(self, event: SearchDone) -> None:
        landing = self.session.land(event.query, event.result, event.indexed_so_far)
        self._start_search()  # the query typed meanwhile
        if landing.action is Land.ERROR:
            self.article_list.set_articles([])
            self.article_list.set_message([Text(f"Bad query: {one_line(event.error or '')}")])
        elif landing.action is Land.SHOW:
            self._show_result(landing.keep_id)
            if landing.open_top:
                self._open_top()

    @on(Input.Submitted, "#search")
    def _on_search_submitted(self, event: Input.Submitted) -> None:
        self._remember_search()
        if self.session.submit():
            self._open_top()

    def _open_top(self) -> None:
        """Enter in the search box: open the top result; with none, back to the box."""
        top = self.article_list.articles[0] if self.article_list.articles else None
        if top is not None:
            self.article_list.move_to(0)
            self.open_article(top)
        elif self.focused is self.article_list:
            self.set_focus(self.search_box)

    @on(SearchBox.ToResults)
    def _on_to_results(self) -> None:
        self._remember_search()
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
        self.session.forget_enter()  # back to the box: an Enter still waiting is void
        self.close_reader_if_narrow()
        # Focus now, not after a refresh: keys typed right after "/" belong to the box;
        # the old query is selected, so typing replaces it.
        self.set_focus(self.search_box)
        self.search_box.select_all()

    def _remember_search(self) -> None:
        """The query goes into the search history (Enter, Down into the results, quitting)."""
        if self.search_query:
            self.store.add_search(self.search_query)

    # --- the reader -----------------------------------------------------------------------
    @property
    def highlight_terms(self) -> list[str]:
        """The words the reader marks: the shown search's, expanded as the engine matched."""
        result = self.result
        return result.highlight_terms if (self.search_query and result is not None) else []

    def open_article(self, article: Article) -> None:
        """Open ``article`` for real: the reader focused at its remembered position, the
        article marked read (``mark_read_on_open``)."""
        if self.front_open(article):
            return  # a provisional row: opened once the library knows it
        self.preview.cancel()
        self._leave_opened()
        reader = self.reader
        terms = self.highlight_terms
        reader.show(article, terms, line=self.store.get_position(article.id))
        self.opened_id = article.id
        self.status.set_position(reader.position_text)
        self.screen.add_class("-reading")
        self.set_focus(reader)
        self.store.set_value("last_article", article.id)
        if self.settings.mark_read_on_open and not self.store.is_read(article.id):
            self.store.set_read(article.id, True)
            self.mark_story(article.id, True)
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
        self._save_position()
        if self.screen.has_class("-narrow"):
            self.status.set_position("")  # the reader is off screen
        self.screen.remove_class("-reading")
        self.set_focus(self.article_list)

    def _save_position(self) -> None:
        """Remember where the reader is in the article opened for real (a preview's
        position is nobody's)."""
        article = self.opened
        if article is not None:
            self.store.set_position(article.id, int(self.reader.scroll_y))

    def _leave_opened(self) -> None:
        self._save_position()
        self.opened_id = None

    @property
    def opened(self) -> Article | None:
        """The article opened for real (Enter), when the reader still shows it."""
        article = self.reader.article
        return article if article is not None and article.id == self.opened_id else None

    # --- the preview ----------------------------------------------------------------------
    @property
    def previewing(self) -> bool:
        """The reader shows the highlighted article beside the list (wide layout; not
        while the app is closing: a preview's timer may fire after the last screen went)."""
        if not self._nt_mounted or not self.is_running:
            return False
        try:
            screen = self.screen
            self.query_one("#reader", Reader)
        except (ScreenStackError, UnknownModeError, NoMatches):
            return False
        return not screen.has_class("-narrow")

    def _follow(self, article: Article | None, *, moved: bool = False) -> None:
        held = self._nt_mounted and self.front_holds(article, moved=moved)  # provisional
        if held or not self._nt_mounted or not self.previewing or self.focused is self.reader:
            self.preview.cancel()
            return
        if article is not None and article is self.reader.article:
            self.preview.cancel()
            return
        self.preview.follow(article, moved=moved)

    def _preview_show(self, article: Article | None) -> None:
        if not self.previewing or self.focused is self.reader:
            return
        if article is not self.article_list.highlighted or article is self.reader.article:
            return
        self._leave_opened()
        self.screen.remove_class("-reading")
        self.reader.show(article, self.highlight_terms, line=0)

    def _preview_dwelt(self, article: Article) -> None:
        """Resting on the previewed article with the list focused: read."""
        if (
            self.previewing
            and self.reader.article is article
            and self.focused is self.article_list
            and self.settings.mark_read_on_open
            and not self.store.is_read(article.id)
        ):
            self.store.set_read(article.id, True)
            self.article_list.refresh_rows()

    @on(Reader.Position)
    def _on_reader_position(self, event: Reader.Position) -> None:
        self.status.set_position(event.text)

    def action_next_unread(self) -> None:
        """The next unread article of the list after the cursor (wrapping, and saying so);
        opened when the reader is open, else highlighted."""
        lst = self.article_list
        articles = lst.articles
        count = len(articles)
        start = lst.cursor
        is_read = self.store.is_read
        target = next(
            (
                i % count
                for i in range(start + 1, start + count)
                if not is_read(articles[i % count].id)
            ),
            None,
        )
        if target is None:
            here = lst.highlighted
            other = " other" if here is not None and not is_read(here.id) else ""
            self.notify(f"No{other} unread article in this list", timeout=2)
            return
        reading = self.focused is self.reader or self.screen.has_class("-reading")
        lst.move_to(target, center=True)
        if target < start:
            self.notify("Wrapped to the top of the list", timeout=2)
        if reading:
            self.open_article(articles[target])

    def close_reader_if_narrow(self) -> None:
        if self.screen.has_class("-narrow") and self.screen.has_class("-reading"):
            self._on_reader_closed()

    # --- actions --------------------------------------------------------------------------
    def _target(self) -> Article | None:
        if self.reader.has_focus and self.reader.article is not None:
            return self.reader.article
        return self.article_list.highlighted

    def validate_sort(self, sort: str) -> str:
        """The library's sort: one of ``SORTS`` (anything else keeps the current one)."""
        return sort if sort in SORTS else self.sort

    def validate_search_sort(self, sort: str) -> str:
        return sort if sort in SEARCH_SORTS else self.search_sort

    def watch_sort(self, sort: str) -> None:
        self.store.set_value("sort", sort)  # remembered for the next start

    def watch_hide_read(self, hide: bool) -> None:
        self.store.set_value("hide_read", "1" if hide else None)

    @property
    def current_sort(self) -> str:
        """The list's order: the search's while searching, else the library's."""
        return self.search_sort if self.search_query else self.sort

    def action_cycle_sort(self) -> None:
        self.set_sort(next_sort(self.current_sort, searching=bool(self.search_query)))
        self.notify(f"Sorted by {self.current_sort}", timeout=2)

    def set_sort(self, sort: str) -> None:
        if self.search_query:
            self.search_sort = sort
        else:
            self.sort = sort
        self.refresh_list()

    def action_help(self) -> None:
        if isinstance(self.screen, HelpScreen):
            return
        self.push_screen(HelpScreen(self.help_groups()))

    def help_groups(self) -> list[BindingGroup]:
        return [BindingGroup("Everywhere", self.BINDINGS), *PANES]

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
        self.mark_story(article.id, read)
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
        self.refresh_list()
        self.notify("Showing unread only" if self.hide_read else "Showing all", timeout=1.5)

    def action_mark_all_read(self) -> None:
        if self.front_busy("mark all read"):
            return
        result = self.result
        if (
            self.search_query
            and result is not None
            and result.total > len(result.hits)
            and self.index is not None
        ):
            # Only the first pages of the results are in the list: "everything in the
            # list" is every result, so ask the engine for all of them first.
            if result.total > self.session.page * 10:
                self.notify(f"Listing all {result.total:,} results…", timeout=3)
            self._all_results_thread(result.query, result.total, self.index)
            return
        self._confirm_mark_read(article_ids(self.article_list.articles))

    @work(thread=True, exclusive=True, group="mark-all")
    def _all_results_thread(self, query: str, total: int, index: SearchIndex) -> None:
        try:
            result = index.search(
                query, limit=total, state=self.store, within=self.sidebar_ctl.within()
            )
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
        ids = self.story_read_ids(ids)
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
            "Save search as…", "Save the current search under a name (S)", self.action_save_search
        )
        yield SystemCommand("Sidebar", "Show or hide the sidebar (B)", self.action_toggle_sidebar)
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
        self._save_position()
        self.front_keep(now=True)  # the rows as they are now (stories folded)
        self.store.set_value("last_search", self.search_query or None)
        self._remember_search()


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
    if app.settings.images:  # textual-image asks the terminal now, before the app owns it
        from newstui.ui.widgets.article_image import prepare_terminal

        prepare_terminal()
    try:
        code = app.run()
    finally:
        app.store.close()
    return int(code or 0)


def _textual_internal(message: Message) -> bool:
    """An event, or one of Textual's own messages (closing, layout, updates): what the app
    still needs while it closes."""
    return isinstance(message, events.Event) or type(message).__module__.startswith(
        "textual.messages"
    )
