"""The app's part in stories (issue 14): grouping the library in a thread after it loads,
opening versions and related stories, the diff screen, and which ids "mark read" covers.

:class:`StoryActions` is mixed into :class:`~newstui.ui.app.NewsApp`. It follows the app's
``library`` and ``indexing`` reactives (watched from its ``on_mount``): each new
library (a load, a reload, a fetch) is grouped again once the index is complete, in a
thread worker; when the stories arrive the list folds them with its cursor kept and the
status line counts them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, cast

from textual import work
from textual.worker import get_current_worker

from newstui.ui.screens.related import RelatedScreen
from newstui.ui.screens.versions import DiffScreen
from newstui.ui.stories import StorySnapshot, StoryView
from newstui.ui.widgets.story_list import StoryList
from newstui.ui.widgets.story_reader import StoryReader

if TYPE_CHECKING:
    from newstui.core.article import Article
    from newstui.ui.app import NewsApp
    from newstui.ui.model import SortedArticles


class _Stopped(Exception):
    """The stories' worker was cancelled (the app quits, or a newer library came)."""


class StoryActions:
    """Stories in the app (a mixin of :class:`~newstui.ui.app.NewsApp`)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        #: The grouped stories, shared by the list and the reader (and the sidebar's counts:
        #: ``story_view.count_stories(ids)``).
        self.story_view = StoryView()
        #: The library waiting to be grouped (the index was still filling).
        self._ungrouped: SortedArticles | None = None
        #: The last library whose grouping ended (landed, or failed: one row per article).
        self._grouped: SortedArticles | None = None

    @property
    def stories_pending(self) -> bool:
        """The library is listed but its stories are not grouped yet: the rows are one per
        article for now (the front page waits for them: see ``front_keep``)."""
        app = cast("NewsApp", self)
        return bool(len(app.library)) and app.library is not self._grouped

    @property
    def story_count(self) -> int:
        """Stories in the library (0 until grouped): the status line's count."""
        return self.story_view.story_count

    def story_read_ids(self, ids: Sequence[str]) -> list[str]:
        """What marking ``ids`` read marks: every version of their stories too, unless the
        ``story_read_all`` setting is off."""
        app = cast("NewsApp", self)
        whole = app.settings.story_read_all
        return app.story_view.with_versions(ids, whole_story=whole)

    def mark_story(self, article_id: str, read: bool) -> None:
        """``article_id`` was marked ``read`` (``m``, or opened): its other versions too."""
        app = cast("NewsApp", self)
        ids = self.story_read_ids([article_id])
        if len(ids) > 1:
            app.store.set_read_many(ids, read)

    # --- grouping -------------------------------------------------------------------------
    def on_mount(self) -> None:
        """Follow the library and the indexing (Textual calls each class's ``on_mount`` in
        the MRO: the app's own runs first)."""
        app = cast("NewsApp", self)
        app.watch(app, "library", self._library_changed, init=False)
        app.watch(app, "indexing", self._indexing_changed, init=False)

    def _library_changed(self, library: SortedArticles) -> None:
        self._ungrouped = library
        self._group_when_indexed()

    def _indexing_changed(self, indexing: bool) -> None:
        if not indexing:
            self._group_when_indexed()

    def _group_when_indexed(self) -> None:
        library = self._ungrouped
        if library is None or cast("NewsApp", self).indexing or not len(library):
            return
        self._ungrouped = None
        self._group_thread(library)

    @work(thread=True, exclusive=True, group="stories", description="group stories")
    def _group_thread(self, library: SortedArticles) -> None:
        app = cast("NewsApp", self)
        worker = get_current_worker()

        def until_cancelled(done: int, total: int) -> None:
            # a grouping of a million articles takes minutes: quitting (or a newer library)
            # stops it between steps rather than waiting for it
            if worker.is_cancelled:
                raise _Stopped

        try:
            from newstui.core.stories.grouping import Stories
            from newstui.core.stories.store import load_stories

            # through the stories' cache file: only new or changed articles are grouped; a
            # reload of an unchanged library keeps the stories (and their snapshot) it has
            shown = app.story_view.snapshot
            in_use = shown.stories if shown is not None else None
            stories = load_stories(
                app.folders,
                library.articles,
                use_cache=app._use_cache,
                progress=until_cancelled,
                current=in_use if isinstance(in_use, Stories) else None,
            )
            if shown is not None and stories is in_use:
                snapshot = shown
            else:
                snapshot = StorySnapshot.of(stories, library.by_id)
            # the list's rows under the new stories, here rather than on the event loop
            app.story_view.prefold(library.order(app.sort), snapshot, library.by_id)
        except _Stopped:
            return
        except Exception as exc:  # a bug: the list stays one row per article
            app.call_from_thread(self._stories_failed, library, f"{type(exc).__name__}: {exc}")
            return
        if not worker.is_cancelled:
            app.call_from_thread(app._stories_landed, library, snapshot)

    def _stories_failed(self, library: SortedArticles, why: str) -> None:
        app = cast("NewsApp", self)
        app.notify(f"Could not group stories: {why}", severity="warning", markup=False)
        if library is app.library:
            self._grouped = library  # the rows stay one per article: that is the list
            app.front_keep()

    def _stories_landed(self, library: SortedArticles, stories: StorySnapshot) -> None:
        app = cast("NewsApp", self)
        if library is not app.library:
            return  # a newer library is being grouped
        self._grouped = library
        lst = app.article_list
        if isinstance(lst, StoryList):
            lst.set_stories(stories, library.by_id)
        else:
            app.story_view.set_stories(stories, library.by_id)
        reader = app.reader
        if isinstance(reader, StoryReader):
            reader.stories_changed()
        app._refresh_status()
        app.front_keep()  # the rows as the next start should show them: stories folded

    # --- the reader's requests ------------------------------------------------------------
    def on_story_reader_open_article(self, event: StoryReader.OpenArticle) -> None:
        app = cast("NewsApp", self)
        app.open_article(event.article)

    def on_story_reader_show_diff(self, event: StoryReader.ShowDiff) -> None:
        app = cast("NewsApp", self)
        app.push_screen(DiffScreen(event.old, event.new))

    def on_story_reader_pick_related(self, event: StoryReader.PickRelated) -> None:
        app = cast("NewsApp", self)

        def picked(article: Article | None) -> None:
            if article is not None:
                app.open_article(article)

        app.push_screen(RelatedScreen(event.articles), picked)
