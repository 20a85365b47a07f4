"""The link picker (``l`` in the reader): the article's links, numbered as in its text.

Digits pick a link (``1`` ``2`` for link 12 when there are that many), Enter or a click opens
it in the browser, ``y`` copies it (OSC 52, as ``y`` does for the article's address), Esc or
``q`` closes. The addresses were checked by :func:`newstui.core.links.safe_url`: only
``http``/``https``/``mailto``, no control character; they are shown as plain text.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import ClassVar

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

#: Digits typed within this many seconds of each other make one number.
DIGIT_SECONDS = 1.0


class LinkPicker(ModalScreen[tuple[str, str] | None]):
    """Dismissed with ``("open", url)``, ``("copy", url)`` or ``None``."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "copy", "Copy", id="links.copy"),
        Binding("escape,q", "close", "Close", id="links.close"),
    ]

    def __init__(self, urls: Sequence[str], number: int | None = None) -> None:
        super().__init__()
        self.urls = list(urls)
        self._start = number
        self._typed = ""
        self._typed_at = 0.0

    def compose(self) -> ComposeResult:
        count = len(self.urls)
        with Vertical(id="links-box"):
            yield Static(
                Text(
                    f"{count} link{'s' if count != 1 else ''} · digits pick · "
                    "Enter or click opens · y copies · Esc closes",
                    style="dim",
                ),
                id="links-help",
            )
            width = len(str(count))
            yield OptionList(
                *(
                    Option(Text.assemble((f"[{n:>{width}}] ", "bold"), url), id=str(n))
                    for n, url in enumerate(self.urls, 1)
                ),
                id="links-list",
            )

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.focus()
        if self._start is not None and 1 <= self._start <= len(self.urls):
            options.highlighted = self._start - 1

    @property
    def highlighted_url(self) -> str | None:
        index = self.query_one(OptionList).highlighted
        if index is None or not 0 <= index < len(self.urls):
            return None
        return self.urls[index]

    def on_key(self, event: events.Key) -> None:
        if event.character is None or not event.character.isdigit():
            return
        event.stop()
        now = time.monotonic()
        typed = self._typed + event.character if now - self._typed_at < DIGIT_SECONDS else ""
        if not typed or not 1 <= int(typed) <= len(self.urls):
            typed = event.character  # a new number
        self._typed, self._typed_at = typed, now
        n = int(typed)
        if 1 <= n <= len(self.urls):
            self.query_one(OptionList).highlighted = n - 1

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(("open", self.urls[event.option_index]))

    def action_copy(self) -> None:
        url = self.highlighted_url
        if url is not None:
            self.dismiss(("copy", url))

    def action_close(self) -> None:
        self.dismiss(None)
