"""The app's front page (issue 13): the first rows of the list shown at once on start,
before the library has loaded, then replaced by the real list with the cursor kept.

:class:`FrontPageActions` is mixed into :class:`~newstui.ui.app.NewsApp` (as the stories'
and the fetcher's parts are); the file itself is :mod:`newstui.core.library.front`.

The life of a start:

1. ``front_show`` (on mount, before the loading thread starts): the page written by the
   last run, when it is whole, for these folders and this view, and none of its files
   changed, is listed at once; the status line says ``Loading 1,000,368 articles…``.
   Its rows are *provisional*: they carry what a row shows, not the article's text.
2. While provisional: moving, ``m`` and ``f`` work (they need only the id); Enter (or a
   click) on a row is remembered and the article opens as soon as the library knows it;
   the preview waits; ``M`` (mark every article of the list read) says the list is still
   loading: the list is not yet every article.
3. ``front_known`` (the library has loaded): the rows become the library's articles (a row
   whose article the folder no longer has is dropped), the remembered Enter opens.
4. ``front_replaced``: the real list (or a search's results) is shown: the page is gone.

After each real list (the library's, not a search, not a sidebar row) the top rows are
written back in a thread worker, for the next start.
"""

from __future__ import annotations

import gc
import time
from typing import TYPE_CHECKING, Any, cast

from textual import work

from newstui.core.library.front import (
    MAX_ROWS,
    FrontPage,
    View,
    front_file_for,
    read_front,
    write_front,
)
from newstui.ui.status import Listing, Progress

if TYPE_CHECKING:
    from pathlib import Path

    from textual.timer import Timer

    from newstui.core.article import Article
    from newstui.ui.app import NewsApp
    from newstui.ui.model import SortedArticles


#: From this many articles the cyclic GC waits for the load's workers (:meth:`hold_gc`).
GC_HOLD_MIN = 100_000
#: ... for at most this many seconds.
GC_HOLD_MAX = 120.0
#: The workers it waits for: the stories, the sidebar's counts.
GC_HOLD_GROUPS = frozenset({"stories", "facets"})


class FrontPageActions:
    """The front page in the app (a mixin of :class:`~newstui.ui.app.NewsApp`)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        #: The page on screen, until the real list replaces it.
        self.front_page: FrontPage | None = None
        #: Its rows are still provisional (the library has not loaded).
        self._front_provisional = False
        #: The user moved the cursor on the page: the real list keeps it there (rather than
        #: on the article remembered from the last run).
        self.front_moved = False
        #: Enter on a provisional row: opened once the library knows it.
        self._front_open: str | None = None
        self._gc_timer: Timer | None = None

    @property
    def provisional(self) -> bool:
        """The list shows the front page's rows and the library has not loaded yet."""
        return self.front_page is not None and self._front_provisional

    def _front_file(self) -> Path:
        app = cast("NewsApp", self)
        return front_file_for(app.folders)

    def _front_view(self) -> View:
        app = cast("NewsApp", self)
        return View(app.sort, app.hide_read)

    # --- 1. showing -----------------------------------------------------------------------
    def front_show(self) -> None:
        """List the last run's front page, if there is a usable one (see the module
        docstring); called once, before the load starts."""
        app = cast("NewsApp", self)
        if not app._use_cache:
            return
        page = read_front(self._front_file(), app.folders, self._front_view())
        if page is None:
            return
        rows = list(page.rows)
        if app.hide_read:  # read since the page was written: not listed, as in the real list
            rows = [a for a in rows if not app.store.is_read(a.id)]
            if not rows:
                return
        self.front_page = page
        self._front_provisional = True
        app.article_list.set_articles(rows, keep_id=app.store.get_value("last_article"))
        app.progress = Progress(f"Loading {page.total:,} articles…")
        app.listing = Listing(len(rows))

    def warm_imports(self) -> None:
        """Import in a thread what the first preview imports on the event loop: the reader
        asks the full-text store (which imports the HTTP client, ~0.5 s; 4 s seen on a busy
        machine) whether an extracted copy is kept."""
        app = cast("NewsApp", self)

        def warm() -> None:
            import newstui.core.fetch.fulltext  # noqa: F401

        app.run_worker(warm, thread=True, group="warm-imports", description="warm imports")

    # --- the load's tail: no full collections while the workers build -------------------
    def hold_gc(self) -> None:
        """The library is loaded and frozen out of the cyclic GC's reach; the stories and
        the sidebar's counts are now built in workers, a million objects each at 1M
        articles, and every full collection they trigger walks them all with the GIL held
        (0.2-1.1 s each, a dozen of them: the list cannot repaint meanwhile). For a large
        library, automatic collection waits until those workers are done (at most
        :data:`GC_HOLD_MAX` s), then what they built is frozen too."""
        app = cast("NewsApp", self)
        if len(app.library) < GC_HOLD_MIN or self._gc_timer is not None or not gc.isenabled():
            return
        gc.disable()
        started = time.monotonic()

        def check() -> None:
            busy = any(w.is_running and w.group in GC_HOLD_GROUPS for w in app.workers)
            if busy and time.monotonic() - started < GC_HOLD_MAX:
                return
            self.release_gc()

        self._gc_timer = app.set_interval(0.25, check)

    def release_gc(self) -> None:
        """Automatic collection again (the app is closing, or the workers are done)."""
        timer, self._gc_timer = self._gc_timer, None
        if timer is None:
            return
        timer.stop()
        gc.freeze()
        gc.enable()

    def on_unmount(self) -> None:
        self.release_gc()

    # --- 2. while provisional -------------------------------------------------------------
    def front_holds(self, article: Article | None, *, moved: bool = False) -> bool:
        """``article`` is a provisional row (the preview cannot show it yet); a move by
        the user is remembered."""
        if not self.provisional or article is None:
            return False
        if moved:
            self.front_moved = True
        return True

    def front_open(self, article: Article) -> bool:
        """Enter on ``article``: True when it is a provisional row, opened later."""
        if not self.front_holds(article):
            return False
        app = cast("NewsApp", self)
        self._front_open = article.id
        app.notify("Opening it once the library has loaded…", timeout=3)
        return True

    def front_busy(self, what: str) -> bool:
        """True (and said) while the list is provisional: ``what`` needs the whole list."""
        if not self.provisional:
            return False
        app = cast("NewsApp", self)
        app.notify(f"Still loading the library: {what} once it is listed", timeout=3)
        return True

    # --- 3. the library has loaded --------------------------------------------------------
    def front_known(self, library: SortedArticles) -> None:
        """The library loaded: the rows become its articles (those it no longer has are
        dropped), and an Enter pressed meanwhile opens its article."""
        if not self.provisional:
            return
        app = cast("NewsApp", self)
        self._front_provisional = False
        self.front_page = None  # its rows are the library's articles from here on
        lst = app.article_list
        here = lst.highlighted
        by_id = library.by_id
        rows = [by_id[a.id] for a in lst.articles if a.id in by_id]
        lst.set_articles(rows, keep_id=here.id if here is not None else None)
        app.listing = Listing(len(rows))
        pending, self._front_open = self._front_open, None
        if pending is not None and pending in by_id:
            lst.move_to_id(pending)
            app.open_article(by_id[pending])

    # --- 4. replaced ----------------------------------------------------------------------
    def front_replaced(self) -> None:
        """The real list (or a message in its place) is shown."""
        self.front_page = None
        self._front_provisional = False
        self._front_open = None

    def front_keep(self, *, now: bool = False) -> None:
        """The library's list is on screen: write its top rows, as shown (stories folded:
        not before they are grouped), for the next start — in a thread worker, or ``now``
        (quitting: a few hundred rows, no fsync). Only the library's own list: not a
        search's, not a sidebar row's, not the provisional rows."""
        app = cast("NewsApp", self)
        if not app._use_cache or app.search_query or app.sidebar_ctl.within() is not None:
            return
        if not len(app.library) or self.front_page is not None:
            return
        if app.stories_pending:
            # one row per article until the stories land (then written): a page written
            # now would show every version of a story at the next start
            return
        rows = list(app.article_list.articles[:MAX_ROWS])
        if now:
            write_front(self._front_file(), app.folders, self._front_view(), len(app.library), rows)
        else:
            self._front_write(self._front_file(), self._front_view(), len(app.library), rows)

    @work(thread=True, exclusive=True, group="front-page", description="write the front page")
    def _front_write(self, path: Path, view: View, total: int, rows: list[Article]) -> None:
        app = cast("NewsApp", self)
        write_front(path, app.folders, view, total, rows)
