"""The timeline: one line above the list, the listed articles (or every result of the
search) by day, week, month or year, as a sparkline.

``2024-03-01 ▂▅█▃ ▁▇ 2024-04-03  by day · 1 undated``

The bucket size is the smallest whose bars fit the line (:meth:`Dates.fit`); the bars are
scaled to the busiest period of the span (``█``), a period with no article is blank. ``t``
focuses it; ``←``/``→`` move a highlighted bar and the line says its period and count;
``Enter`` (or a click on a bar) narrows the list to that period by writing ``after:``/
``before:`` into the query (:class:`Timeline.Narrow`; the app does the writing).

It is hidden when no listed article has a date, and (by the stylesheet) on a terminal
shorter than 20 rows. The dates of a long list are gathered in a thread worker, once per
list; a histogram is numpy work of a few milliseconds at a million articles, redone only
when the list or the width changes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import events, work
from textual.app import RenderResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widget import Widget

if TYPE_CHECKING:
    from newstui.core.article import Article
    from newstui.core.timeline import Dates, F64Array, Histogram, Period

#: The rows below which the stylesheet hides the timeline (``Screen.-short``).
MIN_ROWS = 20
#: Lists up to this long have their dates gathered at once (~8 ms); longer ones in a thread.
INLINE_MAX = 20_000
#: The same for the dates of a search's results (an array: ~1 ms at this size).
INLINE_DATES_MAX = 50_000
#: The lists whose dates are kept (the sort orders of the library, a filtered list).
CACHED_LISTS = 6
#: A bar is at most this many columns wide (few periods on a wide line).
MAX_BAR_WIDTH = 3
LEVELS = "▁▂▃▄▅▆▇█"


class Timeline(Widget, can_focus=True):
    """A one-line histogram of the list's publication dates; a bar narrows the query."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("left", "move(-1)", "Earlier", id="timeline.earlier"),
        Binding("right", "move(1)", "Later", id="timeline.later"),
        Binding("home", "edge(0)", "First", show=False, id="timeline.first"),
        Binding("end", "edge(-1)", "Last", show=False, id="timeline.last"),
        Binding("enter", "narrow", "Narrow to it", id="timeline.narrow"),
        Binding("escape,down,q", "leave", "Back to the list", id="timeline.back"),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "timeline--bar",
        "timeline--cursor",
        "timeline--label",
    }

    DEFAULT_CSS = """
    Timeline {
        height: 1;
        width: 1fr;
        background: $surface;
    }
    Timeline.-empty {
        display: none;
    }
    Timeline > .timeline--bar {
        color: $primary;
    }
    Timeline > .timeline--label {
        color: $text-muted;
    }
    Timeline > .timeline--cursor {
        background: $primary 30%;
    }
    Timeline:focus > .timeline--cursor {
        background: $accent;
        color: $background;
        text-style: bold;
    }
    """

    class Narrow(Message):
        """Narrow the list to ``period`` (Enter on a bar, a click on one)."""

        def __init__(self, period: Period) -> None:
            super().__init__()
            self.period = period

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.add_class("-empty")
        #: Where ``Esc``/``↓`` move the focus (the list).
        self.results: Widget | None = None
        self._source: object = None
        self._dates: Dates | None = None
        # the last few lists' dates, by identity (each sort order is a list of its own)
        self._cache: list[tuple[object, Dates]] = []
        self._hist: Histogram | None = None
        self._hist_width = -1
        self._cursor = 0
        self._hover: int | None = None

    # --- what it shows --------------------------------------------------------------------
    def follow(self, articles: Sequence[Article], published: F64Array | None = None) -> None:
        """Show the dates of ``articles`` (the list), or ``published`` when given (every
        result of a search, whose list holds only the first pages)."""
        source: object = published if published is not None else articles
        if source is self._source:
            return
        self._source = source
        for key, dates in self._cache:
            if key is source:
                self._set_dates(source, dates)
                return
        if len(articles) > INLINE_MAX if published is None else len(published) > INLINE_DATES_MAX:
            self._gather(source, articles, published)
            return
        self._set_dates(source, _dates(articles, published))

    # a description: else Textual's work decorator repr()s the arguments, every article
    # of the list (seconds at 100k, on the event loop)
    @work(thread=True, exclusive=True, group="timeline", description="timeline: the dates")
    def _gather(
        self, source: object, articles: Sequence[Article], published: F64Array | None
    ) -> None:
        dates = _dates(articles, published)
        self.app.call_from_thread(self._set_dates, source, dates)

    def _set_dates(self, source: object, dates: Dates) -> None:
        # a long list (an array's dates, a short list's, are cheap to redo)
        if isinstance(source, Sequence) and len(source) > INLINE_MAX:
            kept = [(k, d) for k, d in self._cache if k is not source]
            self._cache = [(source, dates), *kept][:CACHED_LISTS]
        if source is not self._source:
            return  # another list came meanwhile
        self._dates = dates
        self._hist = None
        self._hist_width = -1
        self._cursor = 0
        self._hover = None
        self.set_class(not len(dates), "-empty")
        self.refresh()

    @property
    def dates(self) -> Dates | None:
        """The shown list's dates (``None`` before the first list)."""
        return self._dates

    @property
    def cursor(self) -> int:
        """The highlighted bar."""
        return self._cursor

    def why_hidden(self) -> str:
        """Why the timeline is not on screen ("" when it is)."""
        if self._dates is None or not len(self._dates):
            return "No article in the list has a date: no timeline"
        if self.screen.has_class("-short"):
            return f"The timeline needs a terminal of {MIN_ROWS} rows or more"
        return ""

    def histogram(self) -> Histogram | None:
        """The bars for the current width (``None`` when no bar fits)."""
        width = self.content_region.width or self.screen.size.width
        if self._dates is None:
            return None
        if width != self._hist_width:
            self._hist_width = width
            self._hist = self._dates.fit(lambda unit: self._room(unit, width))
            if self._hist is not None:
                self._cursor = min(self._cursor, len(self._hist) - 1)
        return self._hist

    def period(self) -> Period | None:
        """The highlighted bar's period."""
        hist = self.histogram()
        return hist.period(self._cursor) if hist is not None and len(hist) else None

    # --- layout: " START BARS END  INFO" --------------------------------------------------
    def _info_width(self, unit: str) -> int:
        from newstui.core.timeline import DESCRIBE_WIDTH

        dates = self._dates
        assert dates is not None
        width = DESCRIBE_WIDTH[unit] + 2 + len(f"{len(dates):,}")
        if dates.undated:
            width += len(f" · {dates.undated:,} undated")
        return width

    def _room(self, unit: str, width: int) -> int:
        from newstui.core.timeline import LABEL_WIDTH

        return width - 2 * LABEL_WIDTH[unit] - 5 - self._info_width(unit)

    def _bar_width(self, hist: Histogram) -> int:
        room = self._room(hist.unit, self._hist_width)
        return max(1, min(MAX_BAR_WIDTH, room // max(1, len(hist))))

    def _bars_x(self, hist: Histogram) -> int:
        """The column of the first bar."""
        return 1 + len(hist.start_label()) + 1

    def _info(self, hist: Histogram) -> str:
        shown = (
            self._hover if self._hover is not None else (self._cursor if self.has_focus else None)
        )
        if shown is not None and 0 <= shown < len(hist):
            period = hist.period(shown)
            text = f"{period.describe()}: {period.count:,}"
        elif hist.unit == "year" and hist.step > 1:
            text = f"{hist.step} years a bar"
        else:
            text = f"by {hist.unit}"
        if hist.undated:
            text += f" · {hist.undated:,} undated"
        return text

    def render(self) -> RenderResult:
        hist = self.histogram()
        text = Text(no_wrap=True, overflow="ellipsis", end="")
        if hist is None or not len(hist):
            return text
        bar = self.get_component_rich_style("timeline--bar", partial=True)
        label = self.get_component_rich_style("timeline--label", partial=True)
        cursor = self.get_component_rich_style("timeline--cursor", partial=True)
        peak = hist.peak or 1
        width = self._bar_width(hist)
        text.append(" ")
        text.append(hist.start_label(), label)
        text.append(" ")
        lit = self._hover if self._hover is not None else (self._cursor if self.has_focus else -1)
        for i, count in enumerate(hist.counts):
            # a period with articles is at least the lowest bar; the busiest is full
            block = LEVELS[max(0, -(-count * len(LEVELS) // peak) - 1)] if count else " "
            text.append(block * width, bar + cursor if i == lit else bar)
        text.append(" ")
        end = hist.end_label()
        if len(hist) > 1 or end != hist.start_label():
            text.append(end, label)
        text.append("  ")
        text.append(self._info(hist))
        return text

    # --- keys and the mouse ---------------------------------------------------------------
    def _go(self, index: int) -> None:
        hist = self.histogram()
        if hist is None or not len(hist):
            return
        self._cursor = max(0, min(len(hist) - 1, index))
        self._hover = None
        self.refresh()

    def action_move(self, delta: int) -> None:
        self._go(self._cursor + delta)

    def action_edge(self, which: int) -> None:
        hist = self.histogram()
        if hist is not None:
            self._go(0 if which >= 0 else len(hist) - 1)

    def action_narrow(self) -> None:
        period = self.period()
        if period is None:
            return
        if not period.count:
            self.notify(f"Nothing was published in {period.describe()}", timeout=2)
            return
        self.post_message(self.Narrow(period))

    def action_leave(self) -> None:
        if self.results is not None and self.results.display:
            self.screen.set_focus(self.results)

    def _bar_at(self, x: int) -> int | None:
        hist = self.histogram()
        if hist is None or not len(hist):
            return None
        i = (x - self._bars_x(hist)) // self._bar_width(hist)
        return i if x >= self._bars_x(hist) and 0 <= i < len(hist) else None

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        i = self._bar_at(offset.x) if offset is not None else None
        if i is None:
            return
        event.stop()
        self._go(i)
        self.action_narrow()

    def on_mouse_move(self, event: events.MouseMove) -> None:
        offset = event.get_content_offset(self)
        hover = self._bar_at(offset.x) if offset is not None else None
        if hover != self._hover:
            self._hover = hover
            self.refresh()

    def on_leave(self, event: events.Leave) -> None:
        if self._hover is not None:
            self._hover = None
            self.refresh()

    def on_focus(self, event: events.Focus) -> None:
        self.refresh()

    def on_blur(self, event: events.Blur) -> None:
        self.refresh()


def _dates(articles: Sequence[Article], published: F64Array | None) -> Dates:
    from newstui.core.timeline import Dates

    return Dates(published) if published is not None else Dates.of(articles)
