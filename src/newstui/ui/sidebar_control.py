"""The app's side of the sidebar: counting in workers, the chosen row, saved searches.

The app holds one :class:`SidebarControl` and calls it from a few hooks (the library
changed, a row was chosen, ``B``, ``S``, the search and the list asking what to restrict
to). Counting a library runs in a thread worker; a read or a star (the state store tells
its listeners) moves the counts on the event loop in microseconds; a saved search's count
needs a search, run in a worker, debounced after reads and stars.
"""

from __future__ import annotations

import threading
from collections.abc import Container, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textual.message import Message
from textual.timer import Timer
from textual.worker import get_current_worker

from newstui.core.library.facets import (
    ALL_KEY,
    COLUMNS_MIN,
    FOLDER,
    SAVED,
    SOURCE,
    STARRED_KEY,
    TAG,
    UNREAD_KEY,
    Delta,
    Facets,
    Key,
    SavedCount,
)
from newstui.core.library.rows import with_ids
from newstui.core.state import SavedSearchError, StateError, StateStore
from newstui.ui.safe import one_line
from newstui.ui.screens.confirm import ConfirmScreen
from newstui.ui.screens.name_input import NameScreen
from newstui.ui.widgets.sidebar import Sidebar

if TYPE_CHECKING:
    from newstui.core.article import Article
    from newstui.core.search import SearchIndex
    from newstui.ui.app import NewsApp

#: From this many columns the sidebar shows unless ``B`` hid it.
SIDEBAR_MIN_COLUMNS = 140
#: Saved searches are recounted this long after the last read/star change.
SAVED_DEBOUNCE = 0.5
#: A saved search's articles: at most this many ids are kept for choosing its row.
MAX_SAVED_IDS = 2_000_000


@dataclass(eq=False)
class FacetsCounted(Message):
    """A worker counted the library (``facets``) or what changed in it (``delta``)."""

    base: Facets | None
    facets: Facets | None
    delta: Delta | None
    generation: int


@dataclass(eq=False)
class SavedCounted(Message):
    """A worker counted the saved searches for the library ``facets`` counts."""

    facets: Facets
    counts: dict[str, SavedCount]
    generation: int


def saved_searches(store: StateStore) -> list[tuple[str, str]]:
    """(name, query) of each saved search, in the user's order."""
    return [(s.name, s.query) for s in store.saved_searches()]


class SidebarControl:
    """What the sidebar shows and what its chosen row restricts (see the module docstring)."""

    def __init__(self, app: NewsApp) -> None:
        self.app = app
        self.facets: Facets | None = None
        #: The chosen row: the list and the search are restricted to its articles.
        self.row: Key = ALL_KEY
        #: ``B``'s choice: shown, hidden, or ``None`` (by the terminal's width).
        self.choice: bool | None = None
        self._generation = 0
        #: Ids whose state changed while a count ran in a worker (re-read when it lands).
        self._pending: set[str] | None = None
        self._saved_timer: Timer | None = None
        self._saved_generation = 0
        self._within: Container[str] | None = None
        #: The chosen row's list worked out in a worker: (row, the list it restricted,
        #: the rows kept), used by the next :meth:`restrict` of that list.
        self._restricted: tuple[Key, Sequence[Article], list[Article]] | None = None
        self._row_generation = 0
        self._main = threading.main_thread()

    @property
    def sidebar(self) -> Sidebar:
        return self.app.query_one("#sidebar", Sidebar)

    def attach(self) -> None:
        """Listen to the reading state (called once the app is mounted)."""
        self.app.store.add_listener(self._state_changed)
        self.layout()

    # --- showing ------------------------------------------------------------------------
    @property
    def shown(self) -> bool:
        return self.app.screen.has_class("-sidebar")

    def layout(self) -> None:
        """Shown by default from :data:`SIDEBAR_MIN_COLUMNS` columns, else as ``B`` said."""
        wide = self.app.size.width >= SIDEBAR_MIN_COLUMNS
        show = self.choice if self.choice is not None else wide
        # below the two-pane width the sidebar takes the screen: shown only when asked
        narrow = self.app.screen.has_class("-narrow")
        if narrow and self.choice is None:
            show = False
        self._show(show)

    def _show(self, show: bool) -> None:
        screen = self.app.screen
        if show == screen.has_class("-sidebar"):
            return
        screen.set_class(show, "-sidebar")
        if show:
            self.refresh()
        elif self.app.focused is self.sidebar:
            self.app.set_focus(self.app.article_list)

    def toggle(self) -> None:
        """``B``: show and focus the sidebar, or hide it (and stay so until ``B`` again)."""
        show = not self.shown
        self.choice = show
        self._show(show)
        if show:
            self.app.close_reader_if_narrow()
            self.app.set_focus(self.sidebar)

    def leave(self) -> None:
        """Esc in the sidebar: back to the list (below the two-pane width, it hides)."""
        if self.app.screen.has_class("-narrow"):
            self.choice = None
            self._show(False)
        self.app.set_focus(self.app.article_list)

    def refresh(self) -> None:
        facets = self.facets
        if facets is None or not self.shown:
            return
        self.sidebar.show_rows(list(facets.rows()), self.row)

    # --- counting -----------------------------------------------------------------------
    def library_changed(self, articles: Sequence[Article]) -> None:
        """The library was (re)loaded or a fetch added articles: count it in a worker."""
        self._generation += 1
        if self._pending is None:
            self._pending = set()
        base = self.facets
        generation = self._generation
        app = self.app

        def count() -> None:
            worker = get_current_worker()
            # a big library is counted afresh from its columns (a fraction of a second at
            # 1M) rather than diffed article by article against the counts before
            if base is None or len(articles) >= COLUMNS_MIN:
                facets = Facets.build(articles, app.folders, app.store)
                message = FacetsCounted(None, facets, None, generation)
            else:
                message = FacetsCounted(base, None, base.delta_for(articles), generation)
            if not worker.is_cancelled:
                app.post_message(message)

        app.run_worker(count, thread=True, exclusive=True, group="facets")

    def counted(self, event: FacetsCounted) -> None:
        if event.generation != self._generation:
            return  # a later count is on its way
        pending, self._pending = self._pending or set(), None
        if event.facets is not None:
            self.facets = event.facets
        elif event.delta is not None and self.facets is event.base and self.facets is not None:
            self.facets.apply(event.delta)
        facets = self.facets
        if facets is None:
            return
        facets.sync(pending)  # read or starred while the worker counted
        facets.set_saved_searches(saved_searches(self.app.store))
        restricted = self.row != ALL_KEY
        if self.row.kind in (SOURCE, FOLDER, TAG) and not facets.count(self.row).total:
            self.row = ALL_KEY  # its articles are gone (a reload): back to every article
            self.app.refresh_status()
        self.refresh()
        self.count_saved()
        if self.row != ALL_KEY:
            self._row_in_worker(self.row, search=False)  # its articles, again
        else:
            self._rows_changed()
            if restricted:
                self.app.refresh_list()

    def _state_changed(self, ids: list[str] | None) -> None:
        """The state store's listener: an article was read/unread/starred (or all were
        reloaded). Moves the counts at once; saved searches are recounted a little later."""
        if threading.current_thread() is not self._main:
            self.app.call_from_thread(self._state_changed, ids)
            return
        if self._pending is not None and ids is not None:
            self._pending.update(ids)
        facets = self.facets
        if facets is None:
            return
        if facets.sync(ids):
            self.refresh()
            self._debounce_saved()

    def _debounce_saved(self) -> None:
        if not facets_has_saved(self.facets):
            return
        if self._saved_timer is not None:
            self._saved_timer.stop()
        self._saved_timer = self.app.set_timer(SAVED_DEBOUNCE, self.count_saved)

    def count_saved(self) -> None:
        """Count every saved search (total, unread among them) in a worker."""
        facets, index = self.facets, self.app.index
        if facets is None or index is None or not facets.saved_searches:
            return
        searches = facets.saved_searches
        app = self.app
        self._saved_generation += 1
        generation = self._saved_generation

        def count() -> None:
            worker = get_current_worker()
            counts = {}
            for name, query in searches:
                if worker.is_cancelled:
                    return
                counts[name] = count_query(index, query, app.store)
            app.post_message(SavedCounted(facets, counts, generation))

        app.run_worker(count, thread=True, exclusive=True, group="saved-count")

    def saved_counted(self, event: SavedCounted) -> None:
        facets = self.facets
        if facets is None or event.facets is not facets:
            return
        if event.generation != self._saved_generation:
            return  # a later count (a newer index, a newer state) is on its way
        queries = dict(facets.saved_searches)
        for name, count in event.counts.items():
            if queries.get(name) == count.query:
                facets.set_saved(name, count)
        self.refresh()
        if self.row.kind == SAVED:
            self._row_in_worker(self.row, search=True)

    # --- the chosen row -----------------------------------------------------------------
    def within(self) -> Container[str] | None:
        """The articles the list and the search are restricted to (``None``: all); safe
        to ask from a worker (worked out on the event loop by :meth:`_rows_changed`)."""
        return self._within

    def _rows_changed(self) -> None:
        """The chosen row's articles, again (a row chosen, the library or a saved search
        changed)."""
        facets = self.facets
        self._within = None if self.row == ALL_KEY or facets is None else facets.members(self.row)

    def restrict(self, articles: Iterable[Article]) -> Iterable[Article]:
        """``articles`` in the chosen row (one set lookup each; the list a worker worked
        out for this row, once, when ``articles`` is the list it restricted)."""
        members = self.within()
        if members is None:
            return articles
        done, self._restricted = self._restricted, None
        if done is not None and done[0] == self.row and done[1] is articles:
            return done[2]
        seq = articles if isinstance(articles, Sequence) else list(articles)
        return self._kept(members, self.row, seq)

    @property
    def where(self) -> str:
        """For the status line: ``in Sport`` (nothing for All)."""
        if self.row == ALL_KEY or self.facets is None:
            return ""
        label = one_line(self.facets.label(self.row))
        return f"in {label[:1].upper()}{label[1:]}"

    def choose(self, key: Key) -> None:
        """A row was chosen: the list shows its articles, a search searches among them.
        Every row but All is worked out in a worker (its ids, the list restricted to them:
        O(articles), ~0.2 s at 104k), then shown (:meth:`_row_landed`)."""
        self.row = key
        self.refresh()
        app = self.app
        if app.screen.has_class("-narrow"):
            self.choice = None
            self._show(False)
        app.set_focus(app.article_list)
        if key == ALL_KEY:
            self._row_generation += 1  # a row still being worked out is not shown
            self._rows_changed()
            self._row_shown(search=True)
            return
        self._row_in_worker(key, search=True, say=True)

    def _row_in_worker(self, key: Key, *, search: bool, say: bool = False) -> None:
        """Work out ``key``'s articles and the library's list restricted to them in a
        thread worker; shown when they land, if ``key`` is still the chosen row."""
        app, facets = self.app, self.facets
        self._row_generation += 1
        generation = self._row_generation
        library, sort = app.library, app.sort
        lists = (
            () if app.search_query else (library.order(sort),) if library.has_order(sort) else ()
        )

        def work() -> None:
            worker = get_current_worker()
            for _ in range(3):  # a fetch may change the counted ids meanwhile: again
                try:
                    members = self._members(facets, key)
                    kept = [self._kept(members, key, articles) for articles in lists]
                    for rows in kept:  # their story rows too, off the event loop
                        app.story_view.prefold(rows)
                    break
                except RuntimeError:
                    continue
            else:
                return
            if not worker.is_cancelled:
                app.call_from_thread(
                    self._row_landed, key, generation, members, lists, kept, search, say
                )

        app.run_worker(work, thread=True, exclusive=True, group="sidebar-row")

    def _members(self, facets: Facets | None, key: Key) -> Container[str] | None:
        if key == ALL_KEY or facets is None:
            return None
        return facets.members(key)

    def _kept(
        self, members: Container[str] | None, key: Key, articles: Sequence[Article]
    ) -> Sequence[Article]:
        """``articles`` in row ``key`` (``members``: its ids; None: every article), by
        their ids (the store's read ids as a set: no call an article; a warm library's
        rows stay rows)."""
        if members is None:
            return articles
        if key == UNREAD_KEY:
            read = self.app.store.read_ids()
            return with_ids(articles, lambda i: i not in read)
        if key == STARRED_KEY:
            return with_ids(articles, self.app.store.starred_ids().__contains__)
        return with_ids(articles, members.__contains__)

    def _row_landed(
        self,
        key: Key,
        generation: int,
        members: Container[str] | None,
        lists: Sequence[Sequence[Article]],
        kept: list[list[Article]],
        search: bool,
        say: bool,
    ) -> None:
        if generation != self._row_generation or key != self.row:
            return  # another row was chosen meanwhile
        self._within = members
        self._restricted = (key, lists[0], kept[0]) if lists else None
        self._row_shown(search=search)
        if say and key != ALL_KEY:
            self.app.notify(f"Showing {self.where[3:]}", timeout=1.5)

    def _row_shown(self, *, search: bool) -> None:
        app = self.app
        app.refresh_list()
        if search and app.search_query:
            app.request_search(app.search_query, force=True)
        app.refresh_status()

    # --- saved searches -----------------------------------------------------------------
    def ask_save(self) -> None:
        """``S``: save the current query under a name."""
        app = self.app
        query = app.search_query.strip()
        if not query:
            app.notify("Nothing to save: type a search first (/)", timeout=3)
            return

        def done(name: str | None) -> None:
            if name:
                self._saved_call("save_search", name, query, said=f"Saved {name!r}")

        app.push_screen(NameScreen(f"Save the search {one_line(query)!r} as:"), done)

    def saved_action(self, action: str, name: str) -> None:
        app = self.app
        if action == "rename":

            def renamed(new: str | None) -> None:
                said = f"Renamed to {new!r}"
                if new and new != name and self._saved_call("rename_search", name, new, said=said):
                    if self.row == Key(SAVED, name):
                        self.row = Key(SAVED, new)
                    self._reselect(Key(SAVED, new))

            app.push_screen(NameScreen(f"Rename the saved search {name!r} to:", name), renamed)
        elif action == "delete":

            def deleted(yes: bool | None) -> None:
                said = f"Deleted {name!r}"
                if (
                    yes
                    and self._saved_call("delete_search", name, said=said)
                    and self.row == Key(SAVED, name)
                ):
                    self.choose(ALL_KEY)

            app.push_screen(ConfirmScreen(f"Delete the saved search {name!r}?"), deleted)
        elif action in ("up", "down") and self._saved_call(
            "move_search", name, -1 if action == "up" else 1
        ):
            self._reselect(Key(SAVED, name))

    def _reselect(self, key: Key) -> None:
        if self.shown:
            self.sidebar.select_key(key)

    def _saved_call(self, method: str, *args: Any, said: str = "") -> bool:
        """Call the store's ``method``; a refusal (a name taken, too long...) is said."""
        app = self.app
        call = getattr(app.store, method)
        try:
            call(*args)
        except (SavedSearchError, StateError) as exc:  # one clear line each
            app.notify(str(exc), title="Saved searches", severity="warning", timeout=5)
            return False
        facets = self.facets
        if facets is not None:
            facets.set_saved_searches(saved_searches(app.store))
            self.refresh()
            self.count_saved()
        if said:
            app.notify(said, timeout=2)
        return True


def facets_has_saved(facets: Facets | None) -> bool:
    return facets is not None and bool(facets.saved_searches)


def count_query(index: SearchIndex, query: str, state: Any) -> SavedCount:
    """A saved search's count: its matches (as the search box would find them), the unread
    among them, and their ids (what choosing its row shows)."""
    first = index.search(query, limit=0, state=state)
    total = 0 if first.partial else first.total  # no article has every word: none match
    if total:
        hits = index.search(query, limit=min(total, MAX_SAVED_IDS), state=state).hits
        ids = frozenset(h.article.id for h in hits)
    else:
        ids = frozenset()
    unread = sum(1 for i in ids if not state.is_read(i))
    return SavedCount(query, unread, total, ids)
