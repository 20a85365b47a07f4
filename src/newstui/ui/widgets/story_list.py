"""The article list, one row per story: a ``+N ▸`` badge on a story with other versions,
``e`` (or a click on the badge) lists the versions under it, each with its source and date.

:class:`StoryList` is the :class:`ArticleList` the app composes: the app hands it the whole
(sorted, filtered) list or the search's hits as before, and it folds them into stories with
its :class:`~newstui.ui.stories.StoryView`. When the stories arrive (grouped in a worker) or a
story opens or closes, the same input is folded again with the cursor kept on its article (or
on its story's row).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType

from newstui.ui.safe import one_line
from newstui.ui.stories import PLAIN, RowInfo, StoriesLike, StorySnapshot, StoryView
from newstui.ui.widgets.article_list import UNREAD_MARK, ArticleList

if TYPE_CHECKING:
    from newstui.core.article import Article
    from newstui.core.search.results import Hit

#: Before each version listed under its story's row.
VERSION_MARK = "└ "


def badge_text(info: RowInfo) -> str:
    """``" +2 ▸"`` on a story's row (``▾`` when expanded); ``""`` on any other row."""
    if not info.others:
        return ""
    return f" +{info.others} {'▾' if info.expanded else '▸'}"


class StoryList(ArticleList):
    """An :class:`ArticleList` folding the versions of a story into one row."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("e", "toggle_story", "Expand story", show=False, id="list.expand_story"),
    ]

    def __init__(
        self, view: StoryView | None = None, *, id: str | None = None, classes: str | None = None
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.view = view if view is not None else StoryView()
        self._input: tuple[Sequence[Article], Sequence[Hit] | None] = ((), None)
        #: The rows that are versions listed under their story's row.
        self._versions: frozenset[int] = frozenset()

    def set_articles(
        self,
        articles: Sequence[Article],
        *,
        hits: Sequence[Hit] | None = None,
        keep_id: str | None = None,
        cursor: int | None = None,
    ) -> None:
        """As :meth:`ArticleList.set_articles`, folded into stories."""
        self._input = (articles, hits)
        if hits is not None:
            row_hits, self._versions = self.view.hit_rows(hits)
            keep_id = self.view.row_of(keep_id, [h.article for h in row_hits])
            super().set_articles([], hits=row_hits, keep_id=keep_id, cursor=cursor)
        else:
            folded, self._versions = self.view.rows(articles)
            keep_id = self.view.row_of(keep_id, folded)
            super().set_articles(folded, keep_id=keep_id, cursor=cursor)

    def info(self, row: int) -> RowInfo:
        """What row ``row`` is (a story's row, a version, an article alone)."""
        if not 0 <= row < len(self.articles):
            return PLAIN
        return self.view.info(self.articles[row].id, row in self._versions)

    def set_stories(
        self, stories: StoriesLike | StorySnapshot | None, by_id: Mapping[str, Article]
    ) -> None:
        """New stories (grouped in a worker): the rows again, the cursor kept."""
        self.view.set_stories(stories, by_id)
        self.refold()

    def refold(self, keep_id: str | None = None) -> None:
        """Fold the list again (stories or what is expanded changed), keeping ``keep_id``
        (default: the highlighted article) or its story's row under the cursor."""
        if keep_id is None and self.highlighted is not None:
            keep_id = self.highlighted.id
        articles, hits = self._input
        scroll = self.scroll_y
        self.set_articles(articles, hits=hits, keep_id=keep_id)
        # an expand or collapse keeps the rows above where they were
        self.scroll_to(y=scroll, animate=False, immediate=True)
        self._scroll_cursor_into_view()

    def toggle_row(self, row: int) -> bool:
        """Expand or collapse the story of row ``row``; False when it has no other version."""
        if not 0 <= row < len(self.articles):
            return False
        story = self.view.toggle(self.articles[row].id)
        if story is None:
            return False
        # the cursor to the story's row (a version row folds away on collapse)
        self.refold(keep_id=self.view.row_of(self.articles[row].id, self.articles))
        return True

    def action_toggle_story(self) -> None:
        if not self.toggle_row(self.cursor):
            self.notify("This article has no other version", timeout=2)

    def on_click(self, event: events.Click) -> None:
        """A click on a story's badge expands or collapses it (and is no click on the row:
        :meth:`ArticleList.on_click` runs after this unless the default is prevented)."""
        offset = event.get_content_offset(self)
        if offset is None or not self.articles:
            return
        row = (offset.y + int(self.scroll_y)) // self.row_height
        badge = badge_text(self.info(row))
        width = self.scrollable_content_region.width
        if badge and offset.x >= width - len(badge) and self.toggle_row(row):
            event.stop()
            event.prevent_default()

    # --- rendering --------------------------------------------------------------------
    def _title_line(
        self, article: Article, row: int, width: int, read: bool | None, starred: bool
    ) -> Text:
        info = self.info(row)
        if info.version:
            return self._version_line(article, width, read)
        badge = badge_text(info)
        if not badge:
            return super()._title_line(article, row, width, read, starred)
        text = super()._title_line(article, row, max(4, width - len(badge)), read, starred)
        text.truncate(max(4, width - len(badge)), overflow="ellipsis", pad=True)
        text.append(badge, self._fg("article-list--star"))
        return text

    def _version_line(self, article: Article, width: int, read: bool | None) -> Text:
        """A version under its story: its source and date first, then its title."""
        dim = self._fg("article-list--dim")
        text = Text(end="", no_wrap=True)
        if read is False:
            text.append(UNREAD_MARK, self._fg("article-list--unread"))
        else:
            text.append(" ")
        text.append("  " + VERSION_MARK, dim)
        date = article.published.strftime("%Y-%m-%d %H:%M") if article.published else "no date"
        text.append(date, dim)
        text.append(" ")
        source = one_line(article.source)[:16] or "no source"
        text.append(source, self._fg("article-list--star"))
        text.append(" ")
        text.append(one_line(article.title) or "(untitled)")
        return text
