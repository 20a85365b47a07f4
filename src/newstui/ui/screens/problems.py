"""Files that failed to load, each with its reason (shown as text, never markup).

Each problem is the file's name (relative to its articles folder) on one line and the
reason under it, wrapped to the box: a long reason is read in full, never cut at the edge.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import ClassVar

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
        self.query_one(RichLog).focus()  # arrows, PgUp/PgDn, Home/End scroll the list
        self._filled_width = -1
        self.call_after_refresh(self._fill)

    def on_resize(self) -> None:
        self.call_after_refresh(self._fill)

    def _fill(self) -> None:
        """Every problem, its reason wrapped under its name at the log's width: one Text
        written once (thousands of bad files open at once, not one render per line)."""
        log = self.query_one(RichLog)
        width = max(20, log.scrollable_content_region.width)
        if width == self._filled_width:
            return
        self._filled_width = width
        text = Text(no_wrap=True, overflow="crop")
        for name, reason in self.entries():
            for line in textwrap.wrap(name, width, break_on_hyphens=False) or [""]:
                text.append(line + "\n", style="bold")
            for line in textwrap.wrap(reason, width - 2, break_on_hyphens=False) or [""]:
                text.append("  " + line + "\n", style="dim")
        text.rstrip()
        log.clear()
        log.write(text, scroll_end=False)
        log.scroll_home(animate=False)
