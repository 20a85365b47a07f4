"""Files that failed to load, each with its reasons (shown as text, never markup).

Titled with the count the status line shows (:func:`newstui.core.problems.summarize`). Each
file's name (relative to its articles folder) on one line and its problems under it, in
record order (:func:`newstui.core.problems.ordered`; a loader's "and 279 more records with
problems" closes its file's list), wrapped to the box: a long reason is read in full, never cut at
the edge. The duplicates collapsed on purpose follow in their own section.
"""

from __future__ import annotations

import os
import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import ClassVar, NamedTuple

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import RichLog, Static

from newstui.core.article import Problem
from newstui.core.problems import ordered, summarize
from newstui.ui.safe import visible


class ProblemGroup(NamedTuple):
    """One file's lines on the screen (``"kind: reason"``, or the duplicate's original),
    in its section (``"problems"`` or ``"duplicates"``)."""

    section: str
    file: str
    lines: list[str]


class ProblemEntry(NamedTuple):
    """One line of the screen, under its file."""

    file: str
    line: str


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
        self._summary = summarize(problems)
        self._problems = ordered(problems)

    def compose(self) -> ComposeResult:
        with Vertical(id="problems-box"):
            title = Text(self._summary.describe() or "Every file loaded fine", "bold")
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

    def groups(self) -> list[ProblemGroup]:
        """One group per file, as shown (control characters visible): the files with
        problems, then the duplicates."""
        out: list[ProblemGroup] = []
        for p in self._problems:
            section = "duplicates" if p.kind == "duplicate" else "problems"
            name = visible(_relative(p.path, self._folders))
            if not out or out[-1][:2] != (section, name):
                out.append(ProblemGroup(section, name, []))
            reason = " ".join(p.reason.split())
            if p.kind == "duplicate":  # "duplicate of /the/folder/x.txt": as the names above
                for folder in self._folders:
                    reason = reason.replace(f"{folder}{os.sep}", "")
            reason = visible(reason)
            line = reason if p.kind == "duplicate" else f"{p.kind}: {reason}"
            out[-1].lines.append(line)
        return out

    def entries(self) -> list[ProblemEntry]:
        """One per problem, in the order shown."""
        return [ProblemEntry(group.file, line) for group in self.groups() for line in group.lines]

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
        section = "problems"
        for group, name, reasons in self.groups():
            if group != section:
                section = group
                n = self._summary.duplicates
                head = f"{n:,} duplicate{'s' if n != 1 else ''} collapsed (each file is shown once)"
                text.append("\n" + head + "\n", style="bold underline")
            for line in textwrap.wrap(name, width, break_on_hyphens=False) or [""]:
                text.append(line + "\n", style="bold")
            for reason in reasons:
                for line in textwrap.wrap(reason, width - 2, break_on_hyphens=False) or [""]:
                    text.append("  " + line + "\n", style="dim")
        text.rstrip()
        log.clear()
        log.write(text, scroll_end=False)
        log.scroll_home(animate=False)
