"""The sidebar: *All*, *Unread*, *Starred*, sources, folders, tags and saved searches, each
with its unread/total count.

It shows what it is given (:meth:`Sidebar.show_rows`, from
:class:`newstui.core.library.facets.Facets`) and posts what the user asks; the app
coordinates (``ui/sidebar_control.py``). Enter or a click on a row posts :class:`Sidebar.Chosen`;
on a saved search ``R`` / ``d`` / ``J`` ``K`` post :class:`Sidebar.SavedAction`.
Labels are untrusted (file and folder names, sources, tags, saved-search names): each row is
a :class:`rich.text.Text` of one cleaned line, never markup.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from newstui.core.library.facets import SAVED, Key, Row
from newstui.ui.safe import one_line

#: The sidebar's width in columns (its border included), beside the list.
WIDTH = 30


def short_count(n: int) -> str:
    """``987``, ``9,876``, ``98.7k``, ``987k``, ``1.2M``: a count in at most 6 characters."""
    if n < 10_000:
        return f"{n:,}"
    if n < 100_000:
        return f"{n / 1000:.1f}k"
    if n < 1_000_000:
        return f"{n // 1000}k"
    return f"{n / 1_000_000:.1f}M"


def row_text(row: Row, width: int, chosen: bool) -> Text:
    """A row as one line of ``width`` cells: the label (indented by depth), then
    ``unread/total`` at the right edge."""
    counts = f"{short_count(row.unread)}/{short_count(row.total)}" if row.counted else "…"
    indent = "  " * min(row.depth, 6)
    room = max(1, width - len(counts) - 1 - len(indent))
    label = one_line(row.label) or "?"
    if len(label) > room:
        label = label[: max(0, room - 1)] + "…"
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(indent)
    text.append(label, style="bold" if chosen else "")
    text.append(" " * max(1, width - len(indent) - len(label) - len(counts)))
    text.append(counts, style="" if row.unread else "dim")
    return text


def option_id(key: Key) -> str:
    return f"{key.kind}\x1f{key.value}"


class Sidebar(OptionList):
    """The rows; the chosen one (the list's filter) is marked."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select", "Show its articles", key_display="⏎", id="sidebar.choose"),
        Binding("j", "cursor_down", "Down", show=False, id="sidebar.down"),
        Binding("k", "cursor_up", "Up", show=False, id="sidebar.up"),
        Binding("R", "saved('rename')", "Rename saved search", show=False, id="sidebar.rename"),
        Binding("d", "saved('delete')", "Delete saved search", show=False, id="sidebar.delete"),
        Binding("J", "saved('down')", "Move saved search down", show=False, id="sidebar.move_down"),
        Binding("K", "saved('up')", "Move saved search up", show=False, id="sidebar.move_up"),
        Binding("escape", "leave", "Back to the list", id="sidebar.back"),
    ]

    class Chosen(Message):
        """A row was chosen (Enter, a click): the list shows its articles."""

        def __init__(self, key: Key) -> None:
            super().__init__()
            self.key = key

    class SavedAction(Message):
        """``rename``, ``delete``, ``up`` or ``down`` asked on the saved search ``name``."""

        def __init__(self, action: str, name: str) -> None:
            super().__init__()
            self.action = action
            self.name = name

    class Leave(Message):
        """Esc: back to the list."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._sb_lines: list[Row | str] = []
        self._sb_keys: list[Key | None] = []
        self._sb_texts: list[Text] = []
        self.chosen: Key | None = None

    @property
    def row_width(self) -> int:
        width = self.scrollable_content_region.width
        return max(12, (width if width > 0 else WIDTH - 2) - 1)

    def show_rows(self, lines: Sequence[Row | str], chosen: Key | None) -> None:
        """Show ``lines`` (rows and section titles); only the rows whose text changed are
        redrawn when the rows are the same ones."""
        width = self.row_width
        keys = [line.key if isinstance(line, Row) else None for line in lines]
        texts = [
            row_text(line, width, line.key == chosen)
            if isinstance(line, Row)
            else Text(one_line(line), style="bold italic", no_wrap=True)
            for line in lines
        ]
        self.chosen = chosen
        if keys == self._sb_keys and len(texts) == self.option_count:
            for i, (old, new) in enumerate(zip(self._sb_texts, texts, strict=True)):
                if old != new:
                    self.replace_option_prompt_at_index(i, new)
        else:
            highlighted = self.highlighted
            at = (
                self._sb_keys[highlighted]
                if highlighted is not None and highlighted < len(self._sb_keys)
                else None
            )
            self.clear_options()
            self.add_options(
                [
                    Option(text, id=option_id(key))
                    if key is not None
                    else Option(text, disabled=True)
                    for key, text in zip(keys, texts, strict=True)
                ]
            )
            target = at if at is not None and at in keys else chosen
            if target in keys:
                self.highlighted = keys.index(target)
            elif keys:
                self.highlighted = 0
        self._sb_lines, self._sb_keys, self._sb_texts = list(lines), keys, texts

    def on_resize(self) -> None:
        if self._sb_lines:
            self._sb_keys = []  # redraw every row at the new width
            self.show_rows(self._sb_lines, self.chosen)

    @property
    def highlighted_key(self) -> Key | None:
        i = self.highlighted
        return self._sb_keys[i] if i is not None and 0 <= i < len(self._sb_keys) else None

    def select_key(self, key: Key) -> bool:
        """Move the cursor to ``key``'s row; False when there is none."""
        if key in self._sb_keys:
            self.highlighted = self._sb_keys.index(key)
            return True
        return False

    def _on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        key = self._sb_keys[event.option_index] if event.option_index < len(self._sb_keys) else None
        if key is not None:
            self.post_message(self.Chosen(key))

    def action_saved(self, action: str) -> None:
        key = self.highlighted_key
        if key is None or key.kind != SAVED:
            self.notify("Not a saved search (they are at the end of the sidebar)", timeout=2)
            return
        self.post_message(self.SavedAction(action, key.value))

    def action_leave(self) -> None:
        self.post_message(self.Leave())
