"""Saying what is wrong with untrusted input (a settings file, a state import), in budget.

(Problems met while loading articles are counted by :mod:`newstui.core.problems`.)

Such input can hold thousands of bad entries: :class:`Problems` words the first few and only
counts the rest (so a file of a million bad ids costs little more than reading it), and
:func:`quote` shows a value from the input in a message: short, no control characters.
"""

from __future__ import annotations

from collections.abc import Callable

from newstui.core.text import clean_line

#: The most characters of a value from the input a message quotes.
QUOTE_CHARS = 60


def clean_name(value: str) -> str:
    """A name from the input (a key, a value) as a message shows it between quotes: no
    control characters, at most :data:`QUOTE_CHARS` characters."""
    return clean_line(value, max_len=QUOTE_CHARS)


def quote(value: object) -> str:
    """``value`` (parsed from untrusted input) as a message shows it: a string quoted and
    cut to :data:`QUOTE_CHARS` without control characters, a number written out (unless
    huge), anything else by its kind ("a list")."""
    if isinstance(value, str):
        return repr(clean_name(value))
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int):
        return str(value) if abs(value) < 10**12 else "a very big number"
    if isinstance(value, float):
        return clean_name(repr(value))
    return f"a {type(value).__name__}"


class Problems:
    """The problems of one input: the first ``limit`` worded, the rest counted."""

    __slots__ = ("_limit", "more", "worded")

    def __init__(self, limit: int) -> None:
        self._limit = limit
        #: The problems worded so far, in the order found.
        self.worded: list[str] = []
        #: How many more were found past the limit (counted, never worded).
        self.more = 0

    def add(self, message: str | Callable[[], str]) -> None:
        """Note a problem; a callable is only called (the message only worded) within the
        limit."""
        if len(self.worded) < self._limit:
            self.worded.append(message() if callable(message) else message)
        else:
            self.more += 1

    def __bool__(self) -> bool:
        return bool(self.worded) or self.more > 0

    def summary(self) -> str | None:
        """``and N more problems`` when some were only counted, else ``None``."""
        if not self.more:
            return None
        return f"and {self.more:,} more problem{'s' if self.more != 1 else ''}"


__all__ = ["QUOTE_CHARS", "Problems", "clean_name", "quote"]
