"""Turning untrusted article text into things safe to put on screen.

Article text is data: it is never parsed as Rich/Textual markup (we only build
``rich.text.Text`` objects from it) and no control character or escape sequence
reaches the terminal. The loaders sanitise already; this is the widgets' second line
of defence.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable

from rich.text import Text

# C0 (except \t \n), DEL, C1, bidi embedding/override/isolate controls, BOM/specials.
_UNSAFE_RE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff\ufff9-\ufffb]"
)
_ESCAPE_RE = re.compile(
    r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[PX^_][^\x1b]*(?:\x1b\\)?|.)?",
    re.DOTALL,
)
_SPACE_RE = re.compile(r"\s+")


def _core_clean() -> Callable[[str], str] | None:
    try:
        from newstui.core.text import clean_text  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        return None
    fn: Callable[[str], str] = clean_text
    return fn


_CORE_CLEAN = _core_clean()


def clean(text: str) -> str:
    """Remove escape sequences and control characters; keep newlines, expand tabs."""
    if _CORE_CLEAN is not None:
        # the core's cleaner is an extra; ours below is enough
        with contextlib.suppress(Exception):
            text = _CORE_CLEAN(text)
    if "\x1b" in text:
        text = _ESCAPE_RE.sub("", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n").expandtabs(4)
    return _UNSAFE_RE.sub("", text)


def one_line(text: str) -> str:
    """Clean text collapsed onto one line (for list rows, titles in headers)."""
    return _SPACE_RE.sub(" ", clean(text)).strip()


def query_text(text: str) -> str:
    """A search query made safe to show in the search box: cleaned, on one line, spaces
    kept as typed (``one_line`` would strip the space just typed)."""
    if text.isprintable():
        return text
    return clean(text).replace("\n", " ")


def safe_text(text: str, style: str = "") -> Text:
    """A ``Text`` from untrusted text: literal (no markup), cleaned."""
    return Text(clean(text), style=style, end="")


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
