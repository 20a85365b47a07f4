"""Ask for a name: "Save search as…" (``S``) and renaming a saved search (``R``)."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from newstui.core.state.saved import MAX_SAVED_NAME_CHARS
from newstui.ui.safe import one_line

#: A saved search's name is at most this long (the store cleans it and says why it refuses).
MAX_NAME = MAX_SAVED_NAME_CHARS


class NameScreen(ModalScreen[str | None]):
    """One line of input: Enter gives the name typed (stripped), Esc gives ``None``."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="name.cancel"),
    ]

    def __init__(self, question: str, value: str = "") -> None:
        super().__init__()
        self._question = question
        self._value = one_line(value)[:MAX_NAME]

    def compose(self) -> ComposeResult:
        with Vertical(id="name-box"):
            yield Static(Text(one_line(self._question)))
            yield Input(
                self._value,
                id="name-input",
                max_length=MAX_NAME,
                placeholder="a name (Enter saves, Esc cancels)",
            )

    def on_mount(self) -> None:
        box = self.query_one("#name-input", Input)
        box.focus()
        box.select_all()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        name = one_line(event.value).strip()
        if name:
            self.dismiss(name)
        else:
            self.notify("A name, please (Esc cancels)", timeout=2)

    def action_cancel(self) -> None:
        self.dismiss(None)
