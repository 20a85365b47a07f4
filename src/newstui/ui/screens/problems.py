"""Files that failed to load, each with its reason (shown as text, never markup).

Each problem is the file's name (relative to its articles folder) on one line and the
reason under it, wrapped to the box: a long reason is read in full, never cut at the edge.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import ClassVar

from rich.padding import Padding
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import RichLog, Static

from newstui.core.article import Problem
from newstui.ui.safe import visible

#: Skipped files first (nothing of them loaded), then degraded ones.
_KIND_ORDER = {"skipped": 0, "degraded": 1}


def _relative(path: Path, folders: Sequence[Path]) -> str:
    for folder in folders:
        try:
            return str(path.relative_to(folder))
        except ValueError:
            continue
    return str(path)


class ProblemsScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "dismiss", "Close", id="problems.close"),
    ]

    def __init__(self, problems: Sequence[Problem], folders: Sequence[Path] = ()) -> None:
        super().__init__()
        self._folders = list(folders)
        self._problems = sorted(problems, key=lambda p: (_KIND_ORDER.get(p.kind, 2), str(p.path)))

    def compose(self) -> ComposeResult:
        with Vertical(id="problems-box"):
            n = len(self._problems)
            title = Text(f"{n} file{'s' if n != 1 else ''} could not be loaded fully", "bold")
            if len(self._folders) == 1:
                title.append(f"  in {visible(str(self._folders[0]))}", "dim")
            yield Static(title, id="problems-title")
            yield RichLog(
                id="problems-log",
                wrap=True,
                min_width=20,
                markup=False,
                highlight=False,
                auto_scroll=False,
            )
            yield Static(Text("Esc to close", style="dim"))

    def entries(self) -> list[tuple[str, str]]:
        """(file, "kind: reason") per problem, as shown (control characters visible)."""
        return [
            (
                visible(_relative(p.path, self._folders)),
                f"{p.kind}: {visible(' '.join(p.reason.split()))}",
            )
            for p in self._problems
        ]

    def on_mount(self) -> None:
        log = self.query_one(RichLog)
        for name, reason in self.entries():
            log.write(Text(name, style="bold"))
            log.write(Padding(Text(reason, style="dim"), (0, 0, 0, 2)))
        log.scroll_home(animate=False)
        log.focus()  # arrows, PgUp/PgDn, Home/End scroll the list
