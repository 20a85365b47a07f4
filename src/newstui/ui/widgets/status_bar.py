"""The status line: counts, search time, sort, and loading progress."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult, RenderResult
from textual.containers import Horizontal
from textual.widget import Widget
from textual.widgets import ProgressBar


class StatusText(Widget):
    """One line of text. Unlike ``Static.update`` a change repaints this line only, with
    no layout pass over the screen (it changes on every search)."""

    DEFAULT_CSS = "StatusText { width: 1fr; height: 1; }"

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._text = Text()

    def set(self, text: Text) -> None:
        self._text = text
        self.refresh()

    @property
    def text(self) -> Text:
        return self._text

    def render(self) -> RenderResult:
        return self._text


class StatusBar(Horizontal):
    """``1,234 articles · 12 results in 3.1 ms · sort: newest``, plus a progress bar."""

    DEFAULT_CSS = """
    StatusBar { height: 1; }
    StatusBar > #status-text { width: 1fr; height: 1; }
    StatusBar > ProgressBar { width: 40; height: 1; display: none; }
    StatusBar.-loading > ProgressBar { display: block; }
    """

    def compose(self) -> ComposeResult:
        yield StatusText(id="status-text")
        yield ProgressBar(id="status-progress", show_eta=False)

    def set_text(self, text: Text) -> None:
        self.query_one(StatusText).set(text)

    def set_progress(self, done: int | None, total: int | None) -> None:
        """Show progress (``done`` of ``total``); ``None`` hides the bar."""
        bar = self.query_one(ProgressBar)
        if done is None or total is None:
            self.remove_class("-loading")
            return
        self.add_class("-loading")
        bar.update(total=max(total, 1), progress=done)
