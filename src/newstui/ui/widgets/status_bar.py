"""The status line: counts, search time, sort, and loading progress.

The app hands it :class:`~newstui.ui.status.StatusFacts` and the running job's
:class:`~newstui.ui.status.Progress` whenever one of the reactives the status line follows
changes; the line repaints only when the facts differ.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult, RenderResult
from textual.containers import Horizontal
from textual.reactive import var
from textual.widget import Widget
from textual.widgets import ProgressBar

from newstui.ui.status import Progress, StatusFacts, status_line


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
    StatusBar > #status-position { width: auto; height: 1; padding: 0 1; }
    StatusBar > ProgressBar { width: 40; height: 1; display: none; }
    StatusBar.-loading > ProgressBar { display: block; }
    """

    #: What the line says.
    facts: var[StatusFacts | None] = var(None)
    #: The running job's count, for the bar (``None`` hides it).
    progress: var[Progress | None] = var(None)

    def compose(self) -> ComposeResult:
        yield StatusText(id="status-text")
        position = StatusText(id="status-position")
        position.display = False
        yield position
        yield ProgressBar(id="status-progress", show_eta=False)

    def show(self, facts: StatusFacts, progress: Progress | None) -> None:
        self.facts = facts
        self.progress = progress

    def set_position(self, text: str) -> None:
        """Where the reader is (``match 3/17 · 42% · line 12/80``), at the right."""
        widget = self.query_one("#status-position", StatusText)
        old = widget.text.plain
        if old != text:
            widget.set(Text(text, no_wrap=True))
            widget.display = bool(text)  # no reader shown: no room taken
            if len(old) != len(text):
                widget.refresh(layout=True)  # its width follows the text

    @property
    def position(self) -> str:
        return self.query_one("#status-position", StatusText).text.plain

    def watch_facts(self, facts: StatusFacts | None) -> None:
        if facts is not None:
            self.query_one("#status-text", StatusText).set(status_line(facts))

    def watch_progress(self, progress: Progress | None) -> None:
        if progress is None or progress.done is None or progress.total is None:
            self.remove_class("-loading")
            return
        self.add_class("-loading")
        self.query_one(ProgressBar).update(total=max(progress.total, 1), progress=progress.done)
