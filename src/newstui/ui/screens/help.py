"""The help screen: every binding, generated from the BINDINGS (with the user's keymap)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import ClassVar, NamedTuple

from rich.table import Table
from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static


class BindingGroup(NamedTuple):
    """The bindings of one pane (or of the whole app), under a title."""

    title: str
    bindings: Sequence[BindingType]


class KeyRow(NamedTuple):
    """One line of the help: the keys (as mapped), what they do."""

    keys: str
    description: str


def _bindings(bindings: Iterable[BindingType]) -> list[Binding]:
    out: list[Binding] = []
    for b in bindings:
        out.extend(Binding.make_bindings([b]))
    return out


def key_rows(app: App[object], bindings: Iterable[BindingType]) -> list[KeyRow]:
    """One row per binding id / action, keys as the user has them mapped."""
    keymap: dict[str, str] = dict(getattr(app, "_keymap", {}))
    rows: dict[str, tuple[list[str], str]] = {}
    for b in _bindings(bindings):
        key = keymap.get(b.id, b.key) if b.id else b.key
        name = b.id or b.action
        keys = [app.get_key_display(b.with_key(k.strip())) for k in key.split(",")]
        entry = rows.setdefault(name, ([], b.description or b.action))
        for k in keys:
            if k not in entry[0]:
                entry[0].append(k)
    return [KeyRow(" ".join(keys), desc) for keys, desc in rows.values()]


def _group_table(app: App[object], groups: Sequence[BindingGroup]) -> Table:
    table = Table.grid(padding=(0, 1))
    table.add_column(justify="right", style="bold")
    table.add_column()
    for n, (title, bindings) in enumerate(groups):
        if n:
            table.add_row(Text(""), Text(""))
        table.add_row(Text(""), Text(title, style="bold underline"))
        for keys, desc in key_rows(app, bindings):
            table.add_row(Text(keys), Text(desc))
    return table


def help_table(app: App[object], groups: Sequence[BindingGroup]) -> Table:
    """The groups in two columns, split so both are about as long."""
    sizes = [len(key_rows(app, b)) + 2 for _, b in groups]
    total, acc, split = sum(sizes), 0, len(groups)
    for n, size in enumerate(sizes):
        if acc + size / 2 >= total / 2:
            split = max(1, n)
            break
        acc += size
    outer = Table.grid(padding=(0, 4))
    outer.add_row(_group_table(app, groups[:split]), _group_table(app, groups[split:]))
    return outer


#: The query language in brief (``newstui.core.search.query`` has the details).
SEARCH_SYNTAX: tuple[tuple[str, str], ...] = (
    ("cocoa prices", "every word (typos are fine; the last word also as a prefix)"),
    ('"cocoa prices"', "an exact phrase"),
    ("-brazil", "without this word"),
    ("cocoa OR coffee", "either word"),
    ("title:cocoa", "in one field: title: author: source: tag:"),
    ("after:1987-03", "published on or after (before:1987-03-15 too)"),
    ("is:unread", "is:read, is:unread, is:starred"),
    ("folder:sport", "in a folder of that name (in: too; folder:sport/football)"),
)


def syntax_table() -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold")
    table.add_column()
    for example, meaning in SEARCH_SYNTAX:
        table.add_row(Text(example), Text(meaning))
    return table


class HelpScreen(ModalScreen[None]):
    """``?``/F1: keys grouped by pane."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark,f1", "dismiss", "Close", id="help.close"),
    ]

    def __init__(self, groups: Sequence[BindingGroup]) -> None:
        super().__init__()
        self._groups = groups

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box"):
            yield Static(Text("newstui — keys", style="bold"), id="help-title")
            yield Static(help_table(self.app, self._groups), id="help-table")
            yield Static(Text("\nSearch", style="bold underline"), id="help-syntax-title")
            yield Static(syntax_table(), id="help-syntax")
            yield Static(Text("\nEsc to close · ctrl+p for the command palette", style="dim"))

    def on_mount(self) -> None:
        # focused, so arrows and PgUp/PgDn scroll it when it is taller than the terminal
        self.query_one("#help-box").focus()
