"""The reader: one article, wrapped once per width into Strips, only visible lines drawn."""

from __future__ import annotations

import re
import webbrowser
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events, work
from textual.binding import Binding, BindingType
from textual.driver import Driver
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.worker import get_current_worker

from newstui.core.article import Article
from newstui.core.links import Links
from newstui.ui.fulltext import FullText
from newstui.ui.render import article_links, render_article_lines
from newstui.ui.safe import one_line
from newstui.ui.widgets.article_image import ReaderImages

#: A link's number in the text, ``[3]``.
_MARKER = re.compile(r"\[(\d{1,3})\]")


@dataclass(slots=True, frozen=True)
class Match:
    line: int
    start: int  # cells
    end: int


def _strip(line: list[Segment]) -> Strip:
    return Strip(line).simplify() if len(line) > 1 else Strip(line)


#: A laid-out line: a Strip, or its segments until it is first drawn (a Strip costs ~7 µs
#: to make; a megabyte of short paragraphs is 400,000 lines).
Line = Strip | list[Segment]


def _text(line: Line) -> str:
    return line.text if isinstance(line, Strip) else "".join(seg.text for seg in line)


def highlight_strip(
    strip: Strip, found: list[tuple[int, int]], style: Style
) -> tuple[Strip, list[tuple[int, int]]]:
    """``strip`` with the character ranges ``found`` styled on top; their cell ranges."""
    found = [(s, e) for s, e in found if e > s]
    if not found:
        return strip, []
    cells = [(strip.index_to_cell_position(s), strip.index_to_cell_position(e)) for s, e in found]
    cuts: list[int] = []
    for s, e in cells:
        cuts += [s, e]
    cuts.append(strip.cell_length)
    cuts = sorted(set(cuts))
    parts = strip.divide(cuts)
    segments: list[Segment] = []
    pos = 0
    starts = {s for s, _ in cells}
    for part, cut in zip(parts, cuts, strict=False):
        if pos in starts:
            segments += Segment.apply_style(list(part), post_style=style)
        else:
            segments += list(part)
        pos = cut
    return Strip(segments, strip.cell_length), cells


def layout_article(
    console: Console, article: Article | None, terms: list[str], width: int, match: Style
) -> tuple[list[Line], list[Match]]:
    """The article's lines at ``width`` with ``terms`` highlighted, and where they matched.

    The words are found by the search engine's one matcher (``highlight.Matcher``: the
    words of a line with a token among the result's ``highlight_terms``), so the list, the
    snippets and the reader mark the same words (``café`` for ``cafe``, ``e-mail`` for
    ``email``, ``well-known`` for ``wellknown``).
    """
    if article is None:
        return [], []
    lines: list[Line] = list(render_article_lines(console, article, width))
    matches: list[Match] = []
    if not terms:
        return lines, matches
    # the engine is loaded by the time a search has terms to highlight
    from newstui.core.search.highlight import Matcher

    matcher = Matcher.of_terms(terms)
    for n, line in enumerate(lines):
        spans = matcher.spans(_text(line))
        if not spans:
            continue
        strip = line if isinstance(line, Strip) else _strip(line)
        new, cells = highlight_strip(strip, spans, match)
        lines[n] = new
        matches += [Match(n, s, e) for s, e in cells]
    return lines, matches


#: Browsers that draw in the terminal: started from inside the app they would fight it for
#: the screen (and some make Python wait until they quit).
CONSOLE_BROWSERS = frozenset(
    {"www-browser", "links", "links2", "elinks", "lynx", "w3m", "browsh", "carbonyl"}
)


def find_browser() -> webbrowser.BaseBrowser | None:
    """The user's graphical web browser, or ``None`` (none registered, or only console
    browsers, which cannot run beside the app in the same terminal)."""
    try:
        browser = webbrowser.get()
    except webbrowser.Error:
        return None
    name = str(getattr(browser, "name", "") or "")
    if Path(name.split()[0] if name.split() else name).name in CONSOLE_BROWSERS:
        return None
    if getattr(browser, "background", True) is False:  # runs in the foreground: a console one
        return None
    return browser


#: Articles with a body longer than this are laid out in a thread (about 50 ms of work).
BACKGROUND_LAYOUT_CHARS = 50_000
#: ... and Markdown articles longer than this with a code fence (highlighting may take up to
#: ``render.CODE_SECONDS``; in a thread the keys keep being read meanwhile).
BACKGROUND_CODE_CHARS = 4_000


def _lay_out_in_thread(article: Article) -> bool:
    body = article.body
    if len(body) > BACKGROUND_LAYOUT_CHARS:
        return True
    return (
        article.format == "markdown"
        and len(body) > BACKGROUND_CODE_CHARS
        and ("```" in body or "~~~" in body)
    )


class Reader(ScrollView, can_focus=True):
    """Shows one article: title, byline, URL and the body at a comfortable measure."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j,down", "line_down", "Down", show=False, id="reader.down"),
        Binding("k,up", "line_up", "Up", show=False, id="reader.up"),
        Binding("space,pagedown", "page_down", "Page down", show=False, id="reader.page_down"),
        Binding("b,pageup", "page_up", "Page up", show=False, id="reader.page_up"),
        Binding("g,home", "top", "Top", show=False, id="reader.top"),
        Binding("G,end", "bottom", "Bottom", show=False, id="reader.bottom"),
        Binding("n", "next_match", "Next match", id="reader.next_match"),
        Binding("N", "previous_match", "Prev match", show=False, id="reader.previous_match"),
        Binding("left_square_bracket", "previous_article", "Prev", id="reader.previous"),
        Binding("right_square_bracket", "next_article", "Next", id="reader.next"),
        Binding("o", "open_url", "Open URL", show=False, id="reader.open_url"),
        Binding("y", "copy_url", "Copy URL", show=False, id="reader.copy_url"),
        Binding("l", "links", "Links", id="reader.links"),
        Binding("w", "save_markdown", "Save as Markdown", show=False, id="reader.save_markdown"),
        Binding("x", "full_text", "Full text", show=False, id="reader.full_text"),
        Binding("escape,q", "close", "Back", id="reader.back"),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "reader--match",
        "reader--current-match",
    }

    class Navigate(Message):
        """Show the previous (-1) or next (+1) article of the list."""

        def __init__(self, delta: int) -> None:
            super().__init__()
            self.delta = delta

    class Closed(Message):
        """The reader wants to go back to the list."""

    class LaidOut(Message):
        """The article is laid out at the current width (lines and matches known)."""

    class Position(Message):
        """Where the reader is changed: ``text`` is what the status line shows
        (``match 3/17 · 42% · line 12/80``; empty with no article)."""

        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    def __init__(self, *, measure: int = 80, id: str | None = None) -> None:
        super().__init__(id=id)
        self.measure = measure
        self.article: Article | None = None
        self._terms: list[str] = []
        self._lines: list[Line] = []
        self._matches: list[Match] = []
        self._current_match = -1
        self._rendered_width = -1
        self._pending_line: int | None = None
        self.full_text = FullText(self)  # x: the web page's text (ui/fulltext.py)
        self.images = ReaderImages(self)  # the article's images, after its text
        self._position = ""

    # --- content ----------------------------------------------------------------------
    def show(self, article: Article | None, terms: list[str] | None = None, line: int = 0) -> None:
        if (
            article is not None
            and article is self.article
            and list(terms or []) == self._terms
            and self._rendered_width == self._text_width
            and self._pending_line is None
        ):
            # shown already (the preview of the article now opened): only move
            self.scroll_to(y=line, animate=False, immediate=True, force=True)
            self._report_position()
            return
        article = self.full_text.shown(article)
        self.images.shown(self.full_text.original)
        self.article = article
        self._terms = list(terms or [])
        self._current_match = -1
        self._rendered_width = -1
        self._pending_line = line
        self._layout()

    def relayout(self) -> None:
        """Lay the article out again where it is (the theme changed: the match colours are
        part of the laid-out lines)."""
        if self.article is not None:
            self._rendered_width = -1
            self._pending_line = int(self.scroll_y)
            self._layout()

    def set_terms(self, terms: list[str]) -> None:
        if terms != self._terms:
            self._terms = list(terms)
            self._rendered_width = -1
            self._current_match = -1
            self._pending_line = int(self.scroll_y)
            self._layout()

    @property
    def is_container(self) -> bool:
        return bool(self.children)  # the images' gallery (widgets/article_image.py)

    @property
    def terms(self) -> list[str]:
        return list(self._terms)

    @property
    def line_count(self) -> int:
        return len(self._lines)

    @property
    def plain_lines(self) -> list[str]:
        """The rendered article as plain text, one string per screen line."""
        return [_text(line) for line in self._lines]

    @property
    def strips(self) -> list[Strip]:
        return [self._line(n) for n in range(len(self._lines))]

    @property
    def matches(self) -> list[Match]:
        return self._matches

    @property
    def current_match(self) -> Match | None:
        if 0 <= self._current_match < len(self._matches):
            return self._matches[self._current_match]
        return None

    @property
    def _text_width(self) -> int:
        width = self.scrollable_content_region.width
        return max(10, min(self.measure, width - 2))

    def _layout(self) -> None:
        width = self.scrollable_content_region.width
        if width <= 0:
            return
        if self.article is None:
            self._report_position()
        text_width = self._text_width
        if text_width == self._rendered_width:
            return
        self._rendered_width = text_width
        article = self.article
        style = self.get_component_rich_style("reader--match")
        if article is not None and _lay_out_in_thread(article):
            # Long article: lay it out in a thread, show a placeholder meanwhile.
            self._lines = [Strip([Segment("Formatting…", Style(italic=True))])]
            self._matches = []
            self.virtual_size = Size(width, 1)
            self.refresh()
            self._layout_in_thread(article, list(self._terms), text_width, style)
            return
        lines, matches = layout_article(self.app.console, article, self._terms, text_width, style)
        self._apply_layout(lines, matches)

    @work(thread=True, exclusive=True, group="reader-layout")
    def _layout_in_thread(
        self, article: Article, terms: list[str], text_width: int, style: Style
    ) -> None:
        lines, matches = layout_article(self.app.console, article, terms, text_width, style)
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._laid_out, article, text_width, lines, matches)

    def _laid_out(
        self, article: Article, text_width: int, lines: list[Line], matches: list[Match]
    ) -> None:
        if article is self.article and text_width == self._rendered_width:
            self._apply_layout(lines, matches)

    def _apply_layout(self, lines: list[Line], matches: list[Match]) -> None:
        lines = self.images.extend(lines, self._rendered_width)
        self._lines = lines
        self._matches = matches
        self.virtual_size = Size(self.scrollable_content_region.width, len(lines))
        if self._pending_line is not None:
            target = self._pending_line
            self._pending_line = None
            self.scroll_to(y=target, animate=False, immediate=True, force=True)
        self.refresh()
        self._report_position()
        self.post_message(self.LaidOut())

    # --- position -----------------------------------------------------------------------
    @property
    def position_text(self) -> str:
        """``match 3/17 · 42% · line 12/80``: the current match (after n/N; the count of
        matches before), how far down the view's bottom is, and the top line."""
        if self.article is None or not self._lines:
            return ""
        parts: list[str] = []
        if self._matches:
            count = len(self._matches)
            if 0 <= self._current_match < count:
                parts.append(f"match {self._current_match + 1}/{count}")
            else:
                parts.append(f"{count} match{'es' if count != 1 else ''}")
        total = len(self._lines)
        top = min(int(self.scroll_y), max(0, total - 1))
        height = max(1, self.scrollable_content_region.height)
        if total <= height:
            parts.append("all")
        else:
            shown = min(total, top + height)
            parts.append(f"{shown * 100 // total}%")
        parts.append(f"line {top + 1}/{total}")
        return " · ".join(parts)

    def _report_position(self) -> None:
        text = self.position_text
        if text != self._position:
            self._position = text
            self.post_message(self.Position(text))

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        self._report_position()

    def on_resize(self, event: events.Resize) -> None:
        if self._pending_line is None:
            self._pending_line = int(self.scroll_y)
        self._layout()
        self._report_position()  # the height changed: how much shows did

    def _line(self, n: int) -> Strip:
        line = self._lines[n]
        if not isinstance(line, Strip):
            line = self._lines[n] = _strip(line)
        return line

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self.rich_style
        n = int(self.scroll_y) + y
        if self.article is None and y == 1:
            hint = Text("  Enter opens the selected article · ? shows every key", "dim")
            hint.truncate(width, overflow="ellipsis", pad=True)
            return Strip(hint.render(self.app.console), width).apply_style(base)
        if n >= len(self._lines):
            return Strip.blank(width, base)
        strip = self._line(n)
        current = self.current_match
        if current is not None and current.line == n:
            style = self.get_component_rich_style("reader--current-match")
            left, mid, right = strip.divide([current.start, current.end, strip.cell_length])
            mid = Strip(Segment.apply_style(list(mid), post_style=style), mid.cell_length)
            strip = Strip.join([left, mid, right])
        pad = max(0, (width - self._rendered_width) // 2)
        if pad:
            strip = Strip([Segment(" " * pad), *strip], pad + strip.cell_length)
        return strip.extend_cell_length(width).crop(0, width).apply_style(base)

    # --- actions ----------------------------------------------------------------------
    def action_line_down(self) -> None:
        self.scroll_to(y=self.scroll_y + 1, animate=False)

    def action_line_up(self) -> None:
        self.scroll_to(y=self.scroll_y - 1, animate=False)

    def action_page_down(self) -> None:
        self.scroll_to(y=self.scroll_y + max(1, self.size.height - 1), animate=False)

    def action_page_up(self) -> None:
        self.scroll_to(y=self.scroll_y - max(1, self.size.height - 1), animate=False)

    def action_top(self) -> None:
        self.scroll_to(y=0, animate=False)

    def action_bottom(self) -> None:
        self.scroll_to(y=self.max_scroll_y, animate=False)

    def _go_to_match(self, index: int, *, wrapped: str = "") -> None:
        if not self._matches:
            self.notify("No matches in this article", severity="warning", timeout=2)
            return
        count = len(self._matches)
        self._current_match = index % count
        line = self._matches[self._current_match].line
        height = self.scrollable_content_region.height
        if not self.scroll_y <= line < self.scroll_y + height:
            self.scroll_to(y=max(0, line - height // 3), animate=False, immediate=True)
        self.refresh()
        self._report_position()
        if wrapped and count > 1:
            self.notify(
                f"Search wrapped to the {wrapped}: match {self._current_match + 1}/{count}",
                timeout=2,
            )

    def action_next_match(self) -> None:
        top = int(self.scroll_y)
        current = self._current_match
        if current >= 0:
            last = current + 1 >= len(self._matches)
            self._go_to_match(current + 1, wrapped="top" if last else "")
            return
        for i, m in enumerate(self._matches):
            if m.line >= top:
                self._go_to_match(i)
                return
        self._go_to_match(0, wrapped="top")

    def action_previous_match(self) -> None:
        current = self._current_match
        if current >= 0:
            self._go_to_match(current - 1, wrapped="bottom" if current == 0 else "")
            return
        # the nearest match above the view (as n starts from the view), else wrap to the last
        top = int(self.scroll_y)
        for i in range(len(self._matches) - 1, -1, -1):
            if self._matches[i].line < top:
                self._go_to_match(i)
                return
        self._go_to_match(-1, wrapped="bottom")

    def action_previous_article(self) -> None:
        self.post_message(self.Navigate(-1))

    def action_next_article(self) -> None:
        self.post_message(self.Navigate(+1))

    def action_open_url(self) -> None:
        url = one_line(self.article.url) if self.article else ""
        if not url.startswith(("http://", "https://")):
            self.notify("This article has no web address", severity="warning")
            return
        self.open_link(url)

    def open_link(self, url: str) -> None:
        """Open ``url`` (an article's address or a checked link) in the web browser; with
        none, copy it and show it in full."""
        driver = getattr(self.app, "_driver", None)
        if driver is not None and type(driver).open_url is not Driver.open_url:
            # served in a browser (textual serve): the page opens the URL itself
            self.app.open_url(url)
            self.notify(f"Opening {url}", markup=False)
            return
        self._open_in_browser(url)

    def copy_link(self, url: str) -> None:
        self.app.copy_to_clipboard(url)
        self.notify(f"Copied {url}", markup=False)

    @property
    def links(self) -> Links:
        """The shown article's links, numbered as in its text."""
        return article_links(self.article) if self.article is not None else Links()

    def action_links(self, number: int | None = None) -> None:
        """The link picker: digits pick, Enter opens, ``y`` copies."""
        links = self.links
        if not links:
            self.notify("This article has no links", severity="warning", timeout=2)
            return
        from newstui.ui.screens.links import LinkPicker

        def chosen(choice: tuple[str, str] | None) -> None:
            if choice is None:
                return
            what, url = choice
            if what == "copy":
                self.copy_link(url)
            else:
                self.open_link(url)

        self.app.push_screen(LinkPicker(links.urls, number), chosen)

    def on_click(self, event: events.Click) -> None:
        """A click on a link's number (``[3]``) opens the picker on that link."""
        offset = event.get_content_offset(self)
        if offset is None or self.article is None:
            return
        n = int(self.scroll_y) + offset.y
        if not 0 <= n < len(self._lines):
            return
        pad = max(0, (self.scrollable_content_region.width - self._rendered_width) // 2)
        column = offset.x - pad
        strip = self._line(n)
        text = strip.text
        for m in _MARKER.finditer(text):
            start = strip.index_to_cell_position(m.start())
            end = strip.index_to_cell_position(m.end())
            if start <= column < end:
                number = int(m.group(1))
                if 1 <= number <= len(self.links):
                    event.stop()
                    self.action_links(number)
                return

    @work(thread=True, group="open-url")
    def _open_in_browser(self, url: str) -> None:
        # in a thread: some browsers' launchers wait a few seconds for the browser
        browser = find_browser()
        opened = False
        if browser is not None:
            try:
                opened = bool(browser.open(url))
            except Exception:  # a launcher that fails: say so below
                opened = False
        self.app.call_from_thread(self._opened, url, opened, browser is not None)

    def _opened(self, url: str, opened: bool, found: bool) -> None:
        if opened:
            self.notify(f"Opened in the browser: {url}", markup=False)
            return
        self.app.copy_to_clipboard(url)
        why = "The browser did not start" if found else "No web browser found"
        self.notify(
            f"{why}. The URL was copied to the clipboard (if the terminal allows it); "
            f"here it is in full to select:\n{url}",
            title="Open URL",
            severity="warning",
            markup=False,
            timeout=15,
        )

    def action_copy_url(self) -> None:
        url = one_line(self.article.url) if self.article else ""
        if not url:
            self.notify("This article has no web address", severity="warning")
            return
        self.copy_link(url)

    def action_save_markdown(self) -> None:
        if self.article is not None:
            from newstui.ui.save_markdown import save_article

            save_article(self, self.article)

    def action_full_text(self) -> None:
        self.full_text.toggle()

    def action_close(self) -> None:
        self.post_message(self.Closed())
