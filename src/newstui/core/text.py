"""Sanitise untrusted article text before it gets anywhere near a terminal.

Every loader passes every text field through :func:`clean_text` (bodies) or
:func:`clean_line` (titles, authors, sources, tags), so Articles leaving ``newstui.core``
hold no control characters and no terminal escape sequences.

What is removed:

- whole ANSI/ECMA-48 escape sequences, 7-bit and 8-bit: CSI (``ESC [`` / ``0x9b``), OSC
  (``ESC ]`` / ``0x9d``: window title, OSC 52 clipboard, hyperlinks), DCS, SOS, PM, APC
  (``ESC P X ^ _`` / ``0x90 0x98 0x9e 0x9f``) up to their terminator (BEL or ST, or the end of
  the line when unterminated), and two-byte ``ESC x`` sequences;
- every other C0 control but ``\\n`` and ``\\t``, DEL and every C1 control (NEL becomes a
  newline), lone surrogates;
- bidi embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069), which can reorder
  what the reader sees;
- invisible format characters that break layout or hide words from search: zero-width space,
  word joiner, BOM, soft hyphen, invisible operators, interlinear annotations, tag characters;
  zero-width joiners and non-joiners are kept only between two visible characters (emoji
  sequences, Indic and Persian scripts);
- runs of more than :data:`MAX_COMBINING` combining marks ("Zalgo" text) are cut.

``\\r\\n`` and lone ``\\r`` become ``\\n``; U+2028/U+2029 become ``\\n``.
"""

from __future__ import annotations

import re
import unicodedata

MAX_COMBINING = 4

_COMBINING = (
    "\u0300-\u036f\u0483-\u0489\u0591-\u05bd\u064b-\u065f\u1ab0-\u1aff\u1dc0-\u1dff"
    "\u20d0-\u20ff\ufe20-\ufe2f"
)
_LONG_COMBINING = re.compile(f"[{_COMBINING}]{{{MAX_COMBINING + 1},}}")
_COMBINING_RUN = re.compile(f"([{_COMBINING}]{{{MAX_COMBINING}}})[{_COMBINING}]+")

# Terminal escape sequences, removed whole. Unterminated strings stop at a newline so a
# stray ESC never swallows the rest of an article.
_ST = r"(?:\x07|\x1b\\|\x9c)"
_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]?"  # CSI ... final
    r"|\x9b[0-?]*[ -/]*[@-~]?"  # 8-bit CSI
    r"|\x1b[\]PX^_][^\x07\x1b\x9c\n]*" + _ST + "?"  # OSC, DCS, SOS, PM, APC
    r"|[\x90\x98\x9d\x9e\x9f][^\x07\x1b\x9c\n]*" + _ST + "?"  # their 8-bit forms
    r"|\x1b[ -/]*[0-~]?"  # nF / Fp / Fe / Fs two-byte (and lone ESC)
)

_NEWLINES = re.compile("\r\n?|[\x85\u2028\u2029]")

# Characters deleted outright (after escapes and newlines are handled).
_DELETE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b"
    "\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb"
    "\ud800-\udfff\U000e0000-\U000e007f]+"
)
_JOINERS = re.compile("[\u200c\u200d]+")
_ANY_SPACE = re.compile(r"\s+")
_BLANK_LINES = re.compile(r"\n[ \t]*\n(?:[ \t]*\n)+")
# Format characters (category Cf) that carry meaning in real text and cannot move or hide
# anything: joiners (already checked to sit between visible characters), LRM/RLM marks.
_KEEP_FORMAT = frozenset("\u200c\u200d\u200e\u200f")


def _visible(ch: str) -> bool:
    return not ch.isspace() and unicodedata.category(ch)[0] in "LMNSP"


def _joiner(m: re.Match[str]) -> str:
    s = m.string
    start, end = m.span()
    if start > 0 and end < len(s) and _visible(s[start - 1]) and _visible(s[end]):
        return m.group(0)[:1]
    return ""


def _is_plain(s: str) -> bool:
    """Fast path: nothing to remove (str.isprintable is false for every control, format
    character, surrogate and separator but the ASCII space)."""
    if not s.replace("\n", "").replace("\t", "").isprintable():
        return False
    return s.isascii() or _LONG_COMBINING.search(s) is None


def clean_text(s: str, *, keep_newlines: bool = True) -> str:
    """``s`` without control characters, escape sequences or layout-breaking invisibles.

    With ``keep_newlines=False`` every run of whitespace (newlines included) becomes one
    space. Tabs are kept (Rich and Textual expand them).
    """
    if not _is_plain(s):
        s = _NEWLINES.sub("\n", s)
        s = _ESCAPES.sub("", s)
        s = _DELETE.sub("", s)
        if "\u200c" in s or "\u200d" in s:
            s = _JOINERS.sub(_joiner, s)
        s = _COMBINING_RUN.sub(r"\1", s)
        if not s.replace("\n", "").replace("\t", "").isprintable():
            s = "".join(ch for ch in s if ch in _KEEP_FORMAT or unicodedata.category(ch) != "Cf")
    if not keep_newlines:
        s = _ANY_SPACE.sub(" ", s)
    return s


def clean_line(s: str, max_len: int | None = None) -> str:
    """One-line field (title, author, source, tag): cleaned, whitespace collapsed, stripped.

    With ``max_len``, a longer result is cut at a word boundary and ends with ``…``.
    """
    if not s:
        return s
    if s.isprintable() and (s.isascii() or _LONG_COMBINING.search(s) is None):
        s = " ".join(s.split())  # fast path: nothing to remove, one line already
    else:
        s = " ".join(clean_text(s).split())
    if max_len is not None and len(s) > max_len:
        s = shorten(s, max_len)
    return s


def shorten(s: str, width: int) -> str:
    """``s`` cut to at most ``width`` characters at a word boundary, ending with ``…``."""
    if len(s) <= width:
        return s
    cut = s[: max(1, width - 1)]
    space = cut.rfind(" ")
    if space >= width // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:-–—(") + "…"


def clean_body(s: str) -> str:
    """A body: :func:`clean_text`, trailing spaces dropped, 3+ blank lines squeezed, stripped."""
    s = clean_text(s)
    if "\n\n\n" in s:
        s = _BLANK_LINES.sub("\n\n", s)
    return s.strip()


def has_controls(s: str) -> bool:
    """True when ``s`` holds a character a terminal could act on (for tests and asserts)."""
    return any(
        (ord(ch) < 0x20 and ch not in "\n\t") or 0x7F <= ord(ch) <= 0x9F or ch == "\x1b" for ch in s
    )


def display_path(path: object) -> str:
    """A file path safe to print: bytes that are not UTF-8 become U+FFFD, escape sequences
    and control characters in file names are removed (file names are untrusted too)."""
    s = str(path)
    if not s.isascii():
        s = s.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return clean_text(s, keep_newlines=False)
