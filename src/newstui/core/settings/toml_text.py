"""Reading a TOML settings file tolerantly, and finding where a key is set in it.

:func:`parse_salvaging` parses TOML and, on a syntax error on some line, drops that line and
tries again, so one typo does not throw away every other setting; a key of too many dotted
parts (whose parsing cost grows with their square) is refused before parsing.
:class:`KeyLines` finds the line of a key for messages. Both are plain linear scans: no
pattern can backtrack on a long line, whatever the file holds.
"""

from __future__ import annotations

import re
import tomllib
from typing import Any, NamedTuple

from newstui.core.badinput import clean_name


class ParsedToml(NamedTuple):
    """Parsed TOML (``None`` when nothing could be kept) and the problems met on the way."""

    data: dict[str, Any] | None
    problems: list[str]


def parse_salvaging(text: str, max_key_parts: int) -> ParsedToml:
    """Parse TOML; on a syntax error on some line, drop that line and try again (a few
    times), so one typo does not throw away every other setting."""
    lines = text.splitlines()
    problems: list[str] = []
    for _ in range(10):
        current = "\n".join(lines)
        deep = deep_key_line(current, max_key_parts)  # again after a line is dropped
        if deep is not None:
            problems.append(
                f"line {deep}: invalid TOML: a key of more than {max_key_parts} dotted parts"
            )
            return ParsedToml(None, problems)
        try:
            return ParsedToml(tomllib.loads(current), problems)
        except RecursionError:
            problems.append("invalid TOML: nested too deeply")
            return ParsedToml(None, problems)
        except tomllib.TOMLDecodeError as exc:
            m = _TOML_POS.search(str(exc))
            if not m:
                problems.append(_toml_error(exc))
                return ParsedToml(None, problems)
            n = int(m.group(1))
            key = _KEY_AT.match(lines[n - 1]) if 1 <= n <= len(lines) else None
            problems.append(
                _toml_error(exc, clean_name(key.group(1).strip("\"'")) if key else None)
            )
            if not 1 <= n <= len(lines) or _HEADER_LINE.match(lines[n - 1]):
                return ParsedToml(None, problems)
            lines[n - 1] = ""
    return ParsedToml(None, problems)


_HEADER_LINE = re.compile(r"^\s*\[")


def deep_key_line(text: str, limit: int) -> int | None:
    """The line of the first key with more than ``limit`` dotted parts, else ``None``.

    tomllib's time and memory grow with the square of a dotted key's parts (16,000 parts
    in 32 KB: 3.6 s and 1 GB), so such a key is refused before parsing. One linear scan:
    dots are counted outside strings and comments, and the count restarts at ``=``, a
    bracket, a brace, a comma or a line end (so floats and dates in values never add up)."""
    if text.count(".") <= limit:
        return None
    i, n, dots, line = 0, len(text), 0, 1
    while i < n:
        ch = text[i]
        if ch == ".":
            dots += 1
            if dots > limit:
                return line
        elif ch == "\n":
            line += 1
            dots = 0
        elif ch in "=[]{},":
            dots = 0
        elif ch == "#":
            end = text.find("\n", i)
            if end == -1:
                return None
            i = end
            continue
        elif ch in "\"'":
            end = _string_end(text, i)
            if end == -1:
                return None  # unterminated: tomllib says where
            line += text.count("\n", i, end)
            i = end
            continue
        i += 1
    return None


def _string_end(text: str, start: int) -> int:
    """Where the TOML string opening at ``start`` ends (just past it), or -1."""
    quote = text[start]
    if text.startswith(quote * 3, start):
        end = text.find(quote * 3, start + 3)
        while quote == '"' and end != -1 and _escaped(text, end, start + 3):
            end = text.find(quote * 3, end + 1)
        if end == -1:
            return -1
        close = end + 3
        while close < len(text) and text[close] == quote and close < end + 5:
            close += 1  # up to two quotes may end the content: """a""""" is 'a""'
        return close
    end = text.find(quote, start + 1)
    while quote == '"' and end != -1 and _escaped(text, end, start + 1):
        end = text.find(quote, end + 1)
    return -1 if end == -1 else end + 1


def _escaped(text: str, at: int, floor: int) -> bool:
    """True when the character at ``at`` follows an odd number of backslashes."""
    k = at - 1
    while k >= floor and text[k] == "\\":
        k -= 1
    return (at - 1 - k) % 2 == 1


# No leading \s*: searched, it would retry a long run of spaces from every start (quadratic).
_TOML_POS = re.compile(r"\(at line (\d+), column (\d+)\)\s*$")


_KEY_AT = re.compile(r"[ \t]*([A-Za-z0-9_.-]+|\"[^\"\n]*\"|'[^'\n]*')[ \t]*=")


def _toml_error(exc: tomllib.TOMLDecodeError, key: str | None = None) -> str:
    msg = str(exc)
    m = _TOML_POS.search(msg)
    if m:
        what = msg[: m.start()].rstrip()
        of = f" in '{key}'" if key else ""
        return f"line {m.group(1)}, column {m.group(2)}: invalid TOML{of}: {what}"
    msg = msg.replace("(at end of document)", "at the end of the file")
    return f"invalid TOML: {msg}"


class KeyLines:
    """Finds the line where a key is set in TOML text (best effort, for messages).

    One pass over the text at creation indexes every ``key =`` line under its table (and
    every ``[table]`` header); :meth:`find` is then a dictionary look-up. Plain string
    operations only: no pattern can backtrack on a long line."""

    def __init__(self, text: str) -> None:
        self._at: dict[tuple[str | None, str], int] = {}
        current: str | None = None
        in_string: str | None = None  # the quote of a multi-line string still open
        for n, raw in enumerate(text.splitlines(), 1):
            line = raw.strip()
            if in_string is not None:
                if line.count(in_string) % 2 == 1:
                    in_string = None
                continue
            if not line or line.startswith("#"):
                continue
            if line.startswith("["):
                name = line.lstrip("[").split("]", 1)[0]
                current = _unquote(name)
                self._at.setdefault((None, current), n)
                continue
            key, eq, rest = line.partition("=")
            if not eq:
                continue
            key = _unquote(key)
            self._at.setdefault((current, key), n)
            if current is None:
                head, dot, tail = key.partition(".")
                if dot:  # keymap.app.quit = "q" at the top level
                    self._at.setdefault((head, tail), n)
            for triple in ('"""', "'''"):
                if rest.count(triple) % 2 == 1:
                    in_string = triple
                    break

    def find(self, key: str, table: str | None = None) -> int | None:
        return self._at.get((table, key))


def _unquote(key: str) -> str:
    """A TOML key as written (``"a.b"``, ``a . b``, ``'x'``) in the dotted form used here."""
    parts = [p.strip().strip("\"'").strip() for p in key.strip().split(".")]
    if key.strip().startswith(('"', "'")) and key.strip()[:1] == key.strip()[-1:]:
        return key.strip()[1:-1]  # one quoted key: its dots are part of it
    return ".".join(parts)


__all__ = ["KeyLines", "ParsedToml", "deep_key_line", "parse_salvaging"]
