"""Files that failed to load, each with its reason (shown as text, never markup)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Log, Static

from newstui.core.article import Problem
from newstui.ui.safe import visible


class ProblemsScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "dismiss", "Close", id="problems.close"),
    ]

    def __init__(self, problems: Sequence[Problem]) -> None:
        super().__init__()
        self._problems = list(problems)

    def compose(self) -> ComposeResult:
        with Vertical(id="problems-box"):
            n = len(self._problems)
            yield Static(
                Text(f"{n} file{'s' if n != 1 else ''} could not be loaded fully", "bold"),
                id="problems-title",
            )
            log = Log(id="problems-log", highlight=False)
            yield log
            yield Static(Text("Esc to close", style="dim"))

    def on_mount(self) -> None:
        log = self.query_one(Log)
        log.write_lines(
            f"{visible(str(p.path))}: [{p.kind}] {visible(' '.join(p.reason.split()))}"
            for p in self._problems
        )
        log.scroll_home(animate=False)
