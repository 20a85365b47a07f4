"""What changed between two versions of a story, sentence by sentence: added sentences
highlighted (``+``), removed ones struck through and dimmed (``-``), the rest as they were.

The comparison (:func:`newstui.core.stories.diff_versions`) runs in a thread: two long
bodies take a while to compare, and the keys keep being read meanwhile. The texts are
untrusted: every sentence is cleaned onto one line and put in a ``rich.text.Text``, never
read as markup.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, ClassVar, NamedTuple

from rich.style import Style
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static
from textual.worker import get_current_worker

from newstui.core.byline import date_text
from newstui.ui.safe import one_line

if TYPE_CHECKING:
    from newstui.core.article import Article

ADDED = "added"
REMOVED = "removed"
KEPT = "kept"
_KINDS = {
    "added": ADDED,
    "add": ADDED,
    "insert": ADDED,
    "inserted": ADDED,
    "+": ADDED,
    "removed": REMOVED,
    "remove": REMOVED,
    "delete": REMOVED,
    "deleted": REMOVED,
    "-": REMOVED,
}
#: Sentences shown at most (a megabyte of changes would take long to lay out).
MAX_RUNS = 5_000


class Run(NamedTuple):
    """A sentence: ``added``, ``removed`` or ``kept``."""

    kind: str
    text: str


def runs_of(diff: Iterable[Any]) -> list[Run]:
    """The core's diff as :class:`Run` s: each item a ``(kind, text)`` pair or an object with
    ``kind`` (or ``op``) and ``text`` (or ``sentences``)."""
    out: list[Run] = []
    for item in diff:
        if isinstance(item, tuple):
            kind, text = item[0], item[1]
        else:
            kind = getattr(item, "kind", None) or getattr(item, "op", "")
            text = getattr(item, "text", None)
            if text is None:
                text = getattr(item, "sentences", "")
        kind = _KINDS.get(str(getattr(kind, "value", kind)).lower(), KEPT)
        texts = [text] if isinstance(text, str) else list(text)
        out += [Run(kind, one_line(t)) for t in texts if t.strip()]
    return out


def describe(article: Article) -> str:
    """``"Title — Source, 2024-03-02 09:00"`` (one line, cleaned)."""
    where = ", ".join(p for p in (one_line(article.source), date_text(article.published)) if p)
    title = one_line(article.title) or "(untitled)"
    return f"{title} — {where}" if where else title


class DiffScreen(ModalScreen[None]):
    """The changes from ``old`` to ``new``."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,D", "dismiss", "Close", id="diff.close"),
        Binding("j", "scroll(1)", "Down", show=False, id="diff.down"),
        Binding("k", "scroll(-1)", "Up", show=False, id="diff.up"),
        Binding("space", "scroll(0)", "Page down", show=False, id="diff.page_down"),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {"diff--added", "diff--removed", "diff--kept"}

    DEFAULT_CSS = """
    DiffScreen {
        align: center middle;
        background: $background 60%;
    }
    DiffScreen > .diff--added {
        background: $success 30%;
        text-style: bold;
    }
    DiffScreen > .diff--removed {
        color: $text-muted;
        text-style: strike;
    }
    DiffScreen > .diff--kept {
        color: $text;
    }
    #diff-box {
        width: 100;
        max-width: 100%;
        height: 90%;
        border: round $accent;
        background: $surface;
        padding: 0 1;
    }
    #diff-body {
        height: 1fr;
        scrollbar-size-vertical: 1;
    }
    """

    def __init__(self, old: Article, new: Article) -> None:
        super().__init__()
        self.old = old
        self.new = new
        #: The compared sentences (``None`` until the comparison is done).
        self.runs: list[Run] | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="diff-box"):
            head = Text("Changes", style="bold")
            head.append("\nfrom ", style="dim")
            head.append(describe(self.old))
            head.append("\nto   ", style="dim")
            head.append(describe(self.new))
            yield Static(head, id="diff-title")
            yield Static(Text("Comparing…", style="italic"), id="diff-summary")
            with VerticalScroll(id="diff-body"):
                yield Static(Text(""), id="diff-text")
            yield Static(Text("j k ↑ ↓ space scroll · Esc closes", style="dim"))

    def on_mount(self) -> None:
        self.query_one("#diff-body").focus()
        self._compare(self.old.body, self.new.body)

    def action_scroll(self, lines: int) -> None:
        """A line down (1) or up (-1), a page down (0)."""
        body = self.query_one("#diff-body", VerticalScroll)
        step = lines or max(1, body.scrollable_content_region.height - 1)
        body.scroll_to(y=body.scroll_y + step, animate=False)

    def _style(self, kind: str) -> Style:
        """A run's style without the screen's background (the text's own shows through)."""
        style = self.get_component_rich_style(f"diff--{kind}")
        if kind == ADDED:
            return style
        return Style.from_color(style.color) + Style(
            bold=style.bold, dim=style.dim, italic=style.italic, strike=style.strike
        )

    # a description: Textual would repr() the arguments (two whole bodies)
    @work(thread=True, exclusive=True, group="diff", description="compare versions")
    def _compare(self, old: str, new: str) -> None:
        try:
            from newstui.core.stories import diff_versions

            runs = runs_of(diff_versions(old, new))
        except Exception as exc:  # a bug: say so on the screen
            self.app.call_from_thread(self._failed, f"{type(exc).__name__}: {exc}")
            return
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._show, runs)

    def _failed(self, error: str) -> None:
        self.query_one("#diff-summary", Static).update(
            Text(f"Could not compare: {one_line(error)}", style="bold")
        )

    def _show(self, runs: list[Run]) -> None:
        self.runs = runs
        added = sum(r.kind == ADDED for r in runs)
        removed = sum(r.kind == REMOVED for r in runs)
        summary = Text()
        summary.append(
            f"{added} sentence{'s' if added != 1 else ''} added",
            self.get_component_rich_style("diff--added"),
        )
        summary.append(" · ")
        summary.append(f"{removed} removed", self._style(REMOVED))
        if not added and not removed:
            summary = Text("The two versions have the same sentences", style="italic")
        self.query_one("#diff-summary", Static).update(summary)
        styles = {kind: self._style(kind) for kind in (ADDED, REMOVED, KEPT)}
        marks = {ADDED: "+ ", REMOVED: "- ", KEPT: "  "}
        text = Text()
        for n, run in enumerate(runs[:MAX_RUNS]):
            if n:
                text.append("\n")
            text.append(marks[run.kind], style="bold" if run.kind != KEPT else "")
            text.append(run.text, style=styles[run.kind])
        if len(runs) > MAX_RUNS:
            text.append(f"\n… and {len(runs) - MAX_RUNS:,} more sentences", style="italic")
        self.query_one("#diff-text", Static).update(text)

    @property
    def lines(self) -> list[str]:
        """The compared sentences as shown, each with its mark (for tests)."""
        marks = {ADDED: "+ ", REMOVED: "- ", KEPT: "  "}
        return [marks[r.kind] + r.text for r in self.runs or []]
