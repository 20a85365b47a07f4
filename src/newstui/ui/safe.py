"""Turning untrusted article text into things safe to put on screen.

Article text is data: it is never parsed as Rich/Textual markup (we only build
``rich.text.Text`` objects from it) and no control character or escape sequence
reaches the terminal. The loaders sanitise already (with the same cleaner,
:mod:`newstui.core.text`); this is the widgets' second line of defence.
"""

from __future__ import annotations

import re

from newstui.core.text import clean_line, clean_text


def clean(text: str) -> str:
    """Remove escape sequences and control characters (:func:`newstui.core.text.clean_text`,
    the one cleaner); keep newlines, expand tabs."""
    text = clean_text(text)
    return text.expandtabs(4) if "\t" in text else text


def one_line(text: str) -> str:
    """Clean text collapsed onto one line (for list rows, titles in headers)."""
    return clean_line(text)


def query_text(text: str) -> str:
    """A search query made safe to show in the search box: cleaned, on one line, spaces
    kept as typed (``one_line`` would strip the space just typed)."""
    if text.isprintable():
        return text
    return clean(text).replace("\n", " ")


_CONTROL_RE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f]")


def _picture(m: re.Match[str]) -> str:
    ch = m.group()
    code = ord(ch)
    if code < 0x20:
        return chr(0x2400 + code)  # ␀..␟ (ESC shows as ␛)
    if code == 0x7F:
        return "\u2421"  # ␡
    return f"<U+{code:04X}>"


def visible(text: str) -> str:
    """``text`` with every control character shown as a visible symbol (for file names:
    the user must be able to find the file, and the terminal must not act on it)."""
    return _CONTROL_RE.sub(_picture, text)
