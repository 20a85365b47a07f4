"""The article list: a virtual, line-API widget.

Only the visible rows are rendered (``render_line``), each row's ``Strip`` is cached, so
mounting, scrolling and moving the cursor cost the same for 100 or 100,000 articles.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from newstui.core.library.rows import position_of
from newstui.ui.safe import one_line

if TYPE_CHECKING:
    from newstui.core.article import Article
    from newstui.core.search.results import Hit, StateView

UNREAD_MARK = "●"
NEW_MARK = "+"
STAR_MARK = "★"


class ArticleList(ScrollView, can_focus=True):
    """Articles (or search hits, two lines each: title and snippet), one row each."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j,down", "cursor_down", "Down", show=False, id="list.down"),
        Binding("k,up", "cursor_up", "Up", show=False, id="list.up"),
        Binding("pagedown", "page_down", "Page down", show=False, id="list.page_down"),
        Binding("pageup", "page_up", "Page up", show=False, id="list.page_up"),
        Binding("home", "first", "First", show=False, id="list.first"),
        Binding("end", "last", "Last", show=False, id="list.last"),
        Binding("enter", "select", "Open", id="list.open"),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "article-list--cursor",
        "article-list--dim",
        "article-list--match",
        "article-list--unread",
        "article-list--star",
        "article-list--message",
    }

    DEFAULT_CSS = """
    ArticleList {
        background: $surface;
    }
    """

    class Highlighted(Message):
        """The cursor moved to ``article`` (``None`` when the list is empty); ``moved``: by
        the user (a key, a click), not by the list being filled."""

        def __init__(self, article: Article | None, *, moved: bool = False) -> None:
            super().__init__()
            self.article = article
            self.moved = moved

    class Selected(Message):
        """``article`` was chosen (Enter or a click on the cursor row)."""

        def __init__(self, article: Article) -> None:
            super().__init__()
            self.article = article

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._articles: Sequence[Article] = ()
        self._hits: Sequence[Hit] | None = None
        self._cursor = 0
        self._state: StateView | None = None
        self._message: list[Text] = []
        self._cache: LRUCache[tuple[object, ...], Strip] = LRUCache(2048)
        self._generation = 0
        self._new_ids: set[str] | frozenset[str] = frozenset()

    # --- data -------------------------------------------------------------------------
    @property
    def row_height(self) -> int:
        return 2 if self._hits is not None else 1

    @property
    def cursor(self) -> int:
        return self._cursor

    @property
    def articles(self) -> Sequence[Article]:
        return self._articles

    @property
    def highlighted(self) -> Article | None:
        if 0 <= self._cursor < len(self._articles):
            return self._articles[self._cursor]
        return None

    def set_new_ids(self, ids: set[str] | frozenset[str]) -> None:
        """Articles fetched in this session: marked new (until read)."""
        self._new_ids = ids
        self.refresh_rows()

    def set_state(self, state: StateView | None) -> None:
        self._state = state
        self.refresh_rows()

    def set_message(self, lines: Sequence[Text]) -> None:
        """Lines shown when the list is empty (loading, no results, did you mean…)."""
        self._message = list(lines)
        if not self._articles:
            self.refresh()

    def set_articles(
        self,
        articles: Sequence[Article],
        *,
        hits: Sequence[Hit] | None = None,
        keep_id: str | None = None,
        cursor: int | None = None,
    ) -> None:
        """Show ``articles`` (or ``hits``: their articles, with spans and snippets).

        The cursor goes to ``keep_id`` when that article is in the list, else to
        ``cursor`` (default: the top).
        """
        if hits is not None:
            articles = [h.article for h in hits]
        previous = self.highlighted
        self._articles = articles
        self._hits = hits
        self._generation += 1
        self._cache.clear()
        new_cursor = 0 if cursor is None else cursor
        if keep_id is not None:
            found = position_of(articles, keep_id)  # (a warm library's: by id, no walk)
            if found is not None:
                new_cursor = found
        self._cursor = max(0, min(new_cursor, len(articles) - 1))
        self.virtual_size = Size(self.size.width, len(articles) * self.row_height)
        self._scroll_cursor_into_view(center=True)
        self.refresh()
        if self.highlighted is not previous or previous is None:
            self.post_message(self.Highlighted(self.highlighted))

    def refresh_rows(self) -> None:
        """Redraw (e.g. after read/star state changed)."""
        self._cache.clear()
        self.refresh()

    # --- cursor -----------------------------------------------------------------------
    def move_to(self, row: int, *, center: bool = False) -> None:
        if not self._articles:
            return
        row = max(0, min(row, len(self._articles) - 1))
        if row == self._cursor:
            return
        old = self._cursor
        self._cursor = row
        rh = self.row_height
        self.refresh_lines(old * rh, rh)
        self.refresh_lines(row * rh, rh)
        self._scroll_cursor_into_view(center=center)
        self.post_message(self.Highlighted(self.highlighted, moved=True))

    def move_to_id(self, article_id: str) -> bool:
        found = position_of(self._articles, article_id)
        if found is None:
            return False
        self.move_to(found, center=True)
        return True

    def _scroll_cursor_into_view(self, *, center: bool = False) -> None:
        rh = self.row_height
        region = Region(0, self._cursor * rh, 1, rh)
        self.scroll_to_region(region, animate=False, center=center, immediate=True)

    @property
    def _page(self) -> int:
        return max(1, self.scrollable_content_region.height // self.row_height - 1)

    def action_cursor_down(self) -> None:
        self.move_to(self._cursor + 1)

    def action_cursor_up(self) -> None:
        self.move_to(self._cursor - 1)

    def action_page_down(self) -> None:
        self.move_to(self._cursor + self._page)

    def action_page_up(self) -> None:
        self.move_to(self._cursor - self._page)

    def action_first(self) -> None:
        self.move_to(0)

    def action_last(self) -> None:
        self.move_to(len(self._articles) - 1)

    def action_select(self) -> None:
        article = self.highlighted
        if article is not None:
            self.post_message(self.Selected(article))

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None or not self._articles:
            return
        row = (offset.y + int(self.scroll_y)) // self.row_height
        if not 0 <= row < len(self._articles):
            return
        event.stop()
        if row == self._cursor:
            self.action_select()
        else:
            self.move_to(row)

    # --- rendering --------------------------------------------------------------------
    def on_resize(self, event: events.Resize) -> None:
        self._cache.clear()
        self.virtual_size = Size(event.size.width, len(self._articles) * self.row_height)

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        line = int(self.scroll_y) + y
        base = self.rich_style
        if not self._articles:
            if 0 <= y < len(self._message):
                text = self._message[y].copy()
                text.truncate(width, overflow="ellipsis", pad=True)
                style = self.get_component_rich_style("article-list--message")
                return Strip(text.render(self.app.console), width).apply_style(base + style)
            return Strip.blank(width, base)
        rh = self.row_height
        row, sub = divmod(line, rh)
        if row >= len(self._articles):
            return Strip.blank(width, base)
        article = self._articles[row]
        cursor_here = row == self._cursor
        focused = cursor_here and self.has_focus
        read = self._state.is_read(article.id) if self._state is not None else None
        starred = self._state.is_starred(article.id) if self._state is not None else False
        key = (self._generation, row, sub, width, cursor_here, focused, read, starred)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        if sub == 0:
            text = self._title_line(article, row, width, read, starred)
        else:
            text = self._snippet_line(row, width)
        text.truncate(width, overflow="ellipsis", pad=True)
        strip = Strip(text.render(self.app.console), width)
        if cursor_here:
            strip = strip.apply_style(self.get_component_rich_style("article-list--cursor"))
        strip = strip.apply_style(base)
        self._cache[key] = strip
        return strip

    def _fg(self, name: str) -> Style:
        """A component style without its background: drawn on the cursor row, the cursor's
        background must show through (a full component style carries the list's own)."""
        style = self.get_component_rich_style(name)
        return Style.from_color(style.color) + Style(
            bold=style.bold,
            dim=style.dim,
            italic=style.italic,
            underline=style.underline,
            strike=style.strike,
            reverse=style.reverse,
        )

    def _title_line(
        self, article: Article, row: int, width: int, read: bool | None, starred: bool
    ) -> Text:
        dim = self._fg("article-list--dim")
        text = Text(end="", no_wrap=True)
        if read is None or read:
            text.append(" ")
        elif article.id in self._new_ids:
            text.append(NEW_MARK, self._fg("article-list--star"))
        else:
            text.append(UNREAD_MARK, self._fg("article-list--unread"))
        if starred:
            text.append(STAR_MARK, self._fg("article-list--star"))
        else:
            text.append(" ")
        text.append(" ")
        date = article.published.strftime("%Y-%m-%d") if article.published else " " * 10
        if width >= 44:
            text.append(date, dim)
            text.append(" ")
        if width >= SOURCE_MIN_WIDTH:  # below it the title needs the room more
            source = one_line(article.source)[:10]
            text.append(f"{source:<10}", dim)
            text.append(" ")
        minutes = f"{reading_time(article.reading_minutes):>4}"
        room = max(4, width - text.cell_len - len(minutes) - 1)
        title = Text(one_line(article.title) or "(untitled)", end="", no_wrap=True)
        if read is False:
            title.stylize(Style(bold=True))
        if self._hits is not None:
            match = self._fg("article-list--match")
            hit = self._hits[row]
            raw_title = article.title
            for span in hit.spans:
                if span.field == "title" and raw_title == title.plain:
                    title.stylize(match, span.start, span.end)
            if raw_title != title.plain:
                _highlight_words(title, hit, match)
        title.truncate(room, overflow="ellipsis", pad=True)
        text.append_text(title)
        text.append(" ")
        text.append(minutes, dim)
        return text

    def _snippet_line(self, row: int, width: int) -> Text:
        assert self._hits is not None
        hit = self._hits[row]
        dim = self._fg("article-list--dim")
        match = self._fg("article-list--match")
        text = Text(SNIPPET_INDENT, end="", no_wrap=True)
        text.append_text(snippet_window(hit, width - len(SNIPPET_INDENT), dim, match))
        return text


#: Before each snippet (under the title's marks).
SNIPPET_INDENT = "    "
#: Cells of context kept before the first match when a snippet's start is cut.
SNIPPET_CONTEXT = 16


def snippet_spans(hit: Hit, snippet: str) -> list[tuple[int, int]]:
    """Where the hit's matches lie in ``snippet`` (the hit's snippet made safe): the
    engine's spans when cleaning changed nothing, else each matched word found by value."""
    raw = hit.snippet
    spans = sorted((s.start, s.end) for s in hit.snippet_spans if s.end > s.start)
    if snippet == raw:
        return [(s, e) for s, e in spans if e <= len(snippet)]
    folded = snippet.casefold()
    if len(folded) != len(snippet):
        return []
    found: list[tuple[int, int]] = []
    for word in {raw[s:e].casefold() for s, e in spans}:
        if not word.strip():
            continue
        start = folded.find(word)
        while start >= 0:
            found.append((start, start + len(word)))
            start = folded.find(word, start + len(word))
    return sorted(found)


def snippet_window(hit: Hit, room: int, style: Style, match: Style) -> Text:
    """The hit's snippet on one line of ``room`` cells with its matches highlighted: when
    the first match would lie past the edge, the start is cut ("…") so the match shows with
    some context before it; the end is cut with "…" by the caller's truncate."""
    snippet = one_line(hit.snippet)
    spans = snippet_spans(hit, snippet)
    start = 0
    if spans and room > 8:
        first_start, first_end = spans[0]
        if cell_len(snippet[:first_end]) > room - 1:
            # walk back from the match by about SNIPPET_CONTEXT cells, to a word start
            context = min(SNIPPET_CONTEXT, room // 3)
            start = first_start
            cells = 0
            while start > 0 and cells < context:
                start -= 1
                cells += cell_len(snippet[start])
            space = snippet.find(" ", start, first_start)
            if start > 0 and space >= 0:
                start = space + 1
    body = Text(end="", no_wrap=True)
    if start:
        body.append("…", style)
    offset = len(body) - start
    body.append(snippet[start:], style)
    for s, e in spans:
        if e > start:
            body.stylize(match, max(s, start) + offset, e + offset)
    body.truncate(max(0, room), overflow="ellipsis")
    return body


def reading_time(minutes: int) -> str:
    """At most 4 cells, so the column stays aligned: ``7m``, ``95m``, ``12h``, ``999h``."""
    if minutes < 100:
        return f"{max(0, minutes)}m"
    return f"{min(999, round(minutes / 60))}h"


SOURCE_MIN_WIDTH = 72
"""The narrowest list that shows the source column (the list runs the full width from 80
columns, beside a sidebar from 140)."""


def _highlight_words(title: Text, hit: Hit, style: Style) -> None:
    """Fallback when cleaning changed offsets: highlight the matched words by value."""
    words = {
        hit.article.title[s.start : s.end].casefold()
        for s in hit.spans
        if s.field == "title" and s.end > s.start
    }
    plain = title.plain.casefold()
    for word in words:
        start = plain.find(word)
        while start >= 0:
            title.stylize(style, start, start + len(word))
            start = plain.find(word, start + len(word))
