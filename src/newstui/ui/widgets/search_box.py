"""The search box: an Input with search history on Up and list navigation on Down."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Input

from newstui.ui.safe import query_text


class SearchBox(Input):
    """Type to search. Enter opens the top result, Down moves into the results,
    Esc clears the search, Up walks the search history."""

    # Esc, Down and Enter move the focus at once (not when the app handles the message):
    # keys typed right after them belong to the results, not to the box.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "clear_search", "Clear", id="search.clear"),
        Binding("down", "to_results", "Results", show=False, id="search.results"),
        Binding("up", "history_back", "History", show=False, id="search.history_back"),
        Binding("ctrl+n", "history_forward", "History fwd", show=False, id="search.history_fwd"),
    ]

    class Cleared(Message):
        """Esc: the user wants the full list back."""

    class ToResults(Message):
        """Down: move the focus into the results."""

    def __init__(self, *, id: str | None = None) -> None:
        # No select-all on focus: the Focus event can land after keys the app has already
        # typed into the box (see NewsApp.on_event); "/" selects the old query itself.
        super().__init__(
            placeholder="/ to search  (is:unread, is:starred …)", id=id, select_on_focus=False
        )
        self.history_source: Callable[[], list[str]] = list
        self._history: list[str] = []
        self._history_pos = -1
        #: Where Esc and Down move the focus.
        self.results: Widget | None = None

    def validate_value(self, value: str) -> str:
        """Whatever sets the box (typing, a paste, the restored last search, the history)
        shows it cleaned: no escape sequence or control character reaches the terminal."""
        return query_text(value)

    def _leave(self) -> None:
        if self.results is not None and self.results.display:
            self.screen.set_focus(self.results)

    def action_clear_search(self) -> None:
        self._history_pos = -1
        self.value = ""
        self._leave()
        self.post_message(self.Cleared())

    async def action_submit(self) -> None:
        if self.value.strip():
            self._leave()  # the app opens the top result, or comes back if there is none
        await super().action_submit()

    def type_key(self, character: str) -> None:
        """Type ``character`` as a key press would (replacing the selection)."""
        selection = self.selection
        if selection.is_empty:
            self.insert_text_at_cursor(character)
        else:
            self.replace(character, *selection)

    def action_to_results(self) -> None:
        self._history_pos = -1
        self._leave()
        self.post_message(self.ToResults())

    def action_history_back(self) -> None:
        if self._history_pos < 0:
            seen: list[str] = []
            for h in self.history_source():
                h = query_text(h).strip()
                if h and h != self.value and h not in seen:
                    seen.append(h)
            self._history = seen
        if self._history_pos + 1 >= len(self._history):
            self.app.bell()
            return
        self._history_pos += 1
        self.value = self._history[self._history_pos]
        self.cursor_position = len(self.value)

    def action_history_forward(self) -> None:
        if self._history_pos <= 0:
            self._history_pos = -1
            self.value = ""
            return
        self._history_pos -= 1
        self.value = self._history[self._history_pos]
        self.cursor_position = len(self.value)
