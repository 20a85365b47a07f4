"""User settings from a TOML file (``$XDG_CONFIG_HOME/newstui/config.toml`` or ``--config``).

Example::

    folders = ["~/news", "/srv/articles"]   # several article folders
    theme = "nord"
    reader_width = 88                         # 40..200 columns
    mark_read_on_open = true
    feeds = ["https://example.org/rss.xml"]
    opml = "~/feeds.opml"
    fetch_timeout = 30                        # seconds a feed may take, retries included

    [keymap]                                  # binding id = "keys" (Textual keymaps)
    app.toggle_read = "r"                     # dotted ids may be quoted or not
    "app.toggle_star" = "s,ctrl+s"

An invalid file never stops newstui: each problem becomes one warning naming the file, the
line and the key, and the setting keeps its default. Relative paths are relative to the
folder of the settings file.

The file is untrusted input with a budget: only a regular file is read, at most
:data:`MAX_SETTINGS_BYTES` of it (bigger is refused, whole), TOML nested too deeply is refused,
at most :data:`MAX_WARNINGS` problems are reported and then "and N more", and every value is
type- and range-checked. No string with a control character or escape sequence is taken
(a theme, a folder, a key of the keymap); messages quote names through the display
sanitiser. Finding a key's line is one linear pass over the file, whatever the file holds.
"""

from __future__ import annotations

import contextlib
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newstui.core import paths
from newstui.core.badinput import Problems, quote
from newstui.core.bounded import TooBig, read_bounded
from newstui.core.text import clean_line, display_path

CONFIG_FILENAME = "config.toml"
READER_WIDTH_MIN = 40
READER_WIDTH_MAX = 200
#: The biggest settings file read (a real one is a few hundred bytes).
MAX_SETTINGS_BYTES = 256 * 1024
#: Problems reported one by one; the rest are counted ("and N more").
MAX_WARNINGS = 20
#: Dotted parts a key may have (``a.b.c``); TOML parsing costs grow with their square.
MAX_KEY_PARTS = 32
#: Entries of ``folders`` / ``feeds`` kept at most.
MAX_ITEMS = 1000
#: Bindings of ``[keymap]`` kept at most (newstui has a few dozen).
MAX_BINDINGS = 100
#: The longest string value (a path, a URL, a theme name, a key list).
MAX_VALUE_CHARS = 4096
KNOWN_KEYS = (
    "folders",
    "theme",
    "reader_width",
    "mark_read_on_open",
    "keymap",
    "feeds",
    "opml",
    "fetch_timeout",
)
FETCH_TIMEOUT_MAX = 3600.0


class SettingsError(Exception):
    """A settings file named explicitly cannot be read (one clear line)."""


@dataclass(slots=True)
class Settings:
    folders: list[Path] = field(default_factory=list)
    theme: str | None = None
    reader_width: int = 80
    mark_read_on_open: bool = True
    #: binding id -> keys, in Textual keymap format ("ctrl+s,s").
    keymap: dict[str, str] = field(default_factory=dict)
    feeds: list[str] = field(default_factory=list)
    opml: Path | None = None
    #: seconds one feed may take (connecting, download, retries), for fetch and ``F``.
    fetch_timeout: float = 30.0


def default_config_path() -> Path:
    return paths.config_dir() / CONFIG_FILENAME


def load_settings(
    path: Path | None = None, *, must_exist: bool = False
) -> tuple[Settings, list[str]]:
    """Read settings; returns them and one warning per problem (never raises for bad content).

    ``path`` defaults to :func:`default_config_path`; a missing file gives the defaults.
    With ``must_exist`` (a file named by the user, e.g. ``--config PATH``) a missing or
    unreadable file raises :class:`SettingsError` instead.
    """
    path = default_config_path() if path is None else Path(path).expanduser()
    shown = display_path(path)
    try:
        raw = read_bounded(path, MAX_SETTINGS_BYTES)
    except FileNotFoundError:
        if must_exist:
            raise SettingsError(f"{shown}: no such settings file") from None
        return Settings(), []
    except IsADirectoryError:
        return _unreadable(path, "it is a folder, not a file", must_exist)
    except TooBig:
        return Settings(), [
            f"{shown}: bigger than {MAX_SETTINGS_BYTES // 1024} KB, not a settings file; "
            "using the default settings"
        ]
    except OSError as exc:
        return _unreadable(path, (exc.strerror or str(exc)).lower(), must_exist)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return Settings(), [f"{shown}: line {line}: not UTF-8 text; using the default settings"]
    data, problems = _parse_salvaging(text)
    if data is None:
        return Settings(), [f"{shown}: {p}; using the default settings" for p in problems]
    said = [f"{shown}: {p}; that line is ignored" for p in problems]
    settings, warnings = parse_settings(
        data, text=text, path=path, budget=max(1, MAX_WARNINGS - len(said))
    )
    return settings, said + warnings


def _parse_salvaging(text: str) -> tuple[dict[str, Any] | None, list[str]]:
    """Parse TOML; on a syntax error on some line, drop that line and try again (a few
    times), so one typo does not throw away every other setting."""
    lines = text.splitlines()
    problems: list[str] = []
    for _ in range(10):
        current = "\n".join(lines)
        deep = _deep_key_line(current, MAX_KEY_PARTS)  # again after a line is dropped
        if deep is not None:
            problems.append(
                f"line {deep}: invalid TOML: a key of more than {MAX_KEY_PARTS} dotted parts"
            )
            return None, problems
        try:
            return tomllib.loads(current), problems
        except RecursionError:
            problems.append("invalid TOML: nested too deeply")
            return None, problems
        except tomllib.TOMLDecodeError as exc:
            m = _TOML_POS.search(str(exc))
            if not m:
                problems.append(_toml_error(exc))
                return None, problems
            n = int(m.group(1))
            key = _KEY_AT.match(lines[n - 1]) if 1 <= n <= len(lines) else None
            problems.append(_toml_error(exc, _name(key.group(1).strip("\"'")) if key else None))
            if not 1 <= n <= len(lines) or _HEADER_LINE.match(lines[n - 1]):
                return None, problems
            lines[n - 1] = ""
    return None, problems


_HEADER_LINE = re.compile(r"^\s*\[")


def _deep_key_line(text: str, limit: int) -> int | None:
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


def _unreadable(path: Path, reason: str, strict: bool) -> tuple[Settings, list[str]]:
    shown = display_path(path)
    if strict:
        raise SettingsError(f"{shown}: cannot read the settings file: {reason}")
    return Settings(), [f"{shown}: cannot read the settings file ({reason}); using the defaults"]


_TOML_POS = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")


_KEY_AT = re.compile(r"[ \t]*([A-Za-z0-9_.-]+|\"[^\"\n]*\"|'[^'\n]*')[ \t]*=")


def _toml_error(exc: tomllib.TOMLDecodeError, key: str | None = None) -> str:
    msg = str(exc)
    m = _TOML_POS.search(msg)
    if m:
        what = msg[: m.start()]
        of = f" in '{key}'" if key else ""
        return f"line {m.group(1)}, column {m.group(2)}: invalid TOML{of}: {what}"
    msg = msg.replace("(at end of document)", "at the end of the file")
    return f"invalid TOML: {msg}"


def parse_settings(
    data: dict[str, Any],
    *,
    text: str = "",
    path: Path | None = None,
    budget: int = MAX_WARNINGS,
) -> tuple[Settings, list[str]]:
    """Turn parsed TOML into :class:`Settings` (``text`` only helps find line numbers).

    At most ``budget`` warnings are worded (line, key, hint); the rest are only
    counted, in a last "and N more" warning, so a file of 8,000 bad keys costs no more than
    reading it."""
    settings = Settings()
    problems = Problems(budget)
    where = f"{display_path(path)}: " if path is not None else ""
    base = path.absolute().parent if path is not None else None
    lines = _KeyLines(text)

    def warn(key: str, problem: str | Callable[[], str], table: str | None = None) -> None:
        def word() -> str:  # past the budget nothing is worded: not even a line look-up
            line = lines.find(key, table)
            loc = f"line {line}: " if line else ""
            name = _name(f"{table}.{key}" if table else key)
            said = problem() if callable(problem) else problem
            return f"{where}{loc}'{name}' {said}"

        problems.add(word)

    for key, value in data.items():
        if key == "folders":
            items = _strings(value)
            if items is not None and all(_is_path(v) for v in items):
                settings.folders = [_as_path(v, base) for v in items]
            else:
                warn(
                    key,
                    f"must be a list of folder paths (at most {MAX_ITEMS:,} strings without "
                    "control characters); ignored",
                )
        elif key == "theme":
            if isinstance(value, str) and _is_name(value.strip()):
                settings.theme = value.strip()
            else:
                warn(
                    key,
                    "must be a theme name (a short string without control characters); "
                    "using the default theme",
                )
        elif key == "reader_width":
            if (
                isinstance(value, int)
                and not isinstance(value, bool)
                and READER_WIDTH_MIN <= value <= READER_WIDTH_MAX
            ):
                settings.reader_width = value
            else:
                warn(
                    key,
                    f"must be a whole number from {READER_WIDTH_MIN} to {READER_WIDTH_MAX}, "
                    f"got {quote(value)}; using {settings.reader_width}",
                )
        elif key == "mark_read_on_open":
            if isinstance(value, bool):
                settings.mark_read_on_open = value
            else:
                warn(
                    key,
                    f"must be true or false, got {quote(value)}; "
                    f"using {str(settings.mark_read_on_open).lower()}",
                )
        elif key == "keymap":
            if not isinstance(value, dict):
                warn(key, 'must be a table of binding id = "keys" ([keymap]); ignored')
                continue
            # Binding ids may contain dots ("app.quit"): unquoted, TOML reads them as
            # nested tables, so flatten those back into dotted ids.
            for binding, keys in _flatten(value):
                if len(settings.keymap) >= MAX_BINDINGS:
                    warn(binding, f"is past the first {MAX_BINDINGS} bindings; ignored", "keymap")
                elif keys is _TOO_DEEP or not _is_binding_id(binding):
                    warn(binding, "is not a binding id (like app.quit); ignored", "keymap")
                else:
                    spec = _key_list(keys)
                    if spec is None:
                        warn(
                            binding,
                            'must be keys as a string, like "ctrl+s,s" (key names such as '
                            "ctrl+s, f1, question_mark, joined by commas); ignored",
                            "keymap",
                        )
                    else:
                        settings.keymap[binding] = spec
        elif key == "feeds":
            items = _strings(value)
            if items is not None and all(_is_path(v) for v in items):
                settings.feeds = [_as_feed(v.strip(), base) for v in items]
            else:
                warn(
                    key,
                    f"must be a list of feed URLs or file paths (at most {MAX_ITEMS:,} strings "
                    "without control characters); ignored",
                )
        elif key == "opml":
            if _is_path(value):
                settings.opml = _as_path(value.strip(), base)
            else:
                warn(key, "must be the path of an OPML file (a string); ignored")
        elif key == "fetch_timeout":
            if (
                isinstance(value, int | float)
                and not isinstance(value, bool)
                and 0 < value <= FETCH_TIMEOUT_MAX
            ):
                settings.fetch_timeout = float(value)
            else:
                warn(
                    key,
                    f"must be a number of seconds above 0 and at most {FETCH_TIMEOUT_MAX:g}, "
                    f"got {quote(value)}; using {settings.fetch_timeout:g}",
                )
        else:
            hint = _close_match(key)
            extra = f" (did you mean '{hint}'?)" if hint else ""
            warn(key, f"is not a setting newstui knows{extra}; ignored")
    warnings = problems.worded
    summary = problems.summary()
    if summary:
        warnings.append(f"{where}{summary}")
    return settings, warnings


def _name(key: str) -> str:
    """A key or value as quoted in a message: no control characters, at most 60 characters."""
    return clean_line(key, max_len=60)


def _strings(value: Any) -> list[str] | None:
    """``value`` as a list of strings (one string is a list of one), else ``None``."""
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or len(items) > MAX_ITEMS:
        return None
    if not all(isinstance(v, str) for v in items):
        return None
    return items


_TOO_DEEP = object()
#: Binding ids are "pane.action"; a few more levels are tolerated, deeper is refused.
_MAX_ID_DEPTH = 4


def _flatten(table: dict[str, Any]) -> list[tuple[str, Any]]:
    """Nested tables as dotted ids (iteratively: however deep a file nests, no recursion);
    a value deeper than :data:`_MAX_ID_DEPTH` is ``_TOO_DEEP``."""
    items: list[tuple[str, Any]] = []
    stack: list[tuple[str, dict[str, Any], int]] = [("", table, 1)]
    while stack and len(items) <= MAX_BINDINGS:
        prefix, current, depth = stack.pop()
        for key, value in current.items():
            if isinstance(value, dict):
                if depth >= _MAX_ID_DEPTH:
                    items.append((f"{prefix}{key}", _TOO_DEEP))
                else:
                    stack.append((f"{prefix}{key}.", value, depth + 1))
            else:
                items.append((f"{prefix}{key}", value))
            if len(items) > MAX_BINDINGS:
                break
    return items


def _is_binding_id(binding: str) -> bool:
    return 0 < len(binding) <= 100 and all(
        ch.isascii() and (ch.isalnum() or ch in "._-") for ch in binding
    )


def _is_key(key: str) -> bool:
    """A Textual key name ("ctrl+s", "f1", "question_mark") or one printable character."""
    if len(key) == 1:
        return key.isprintable() and not key.isspace() and key != ","
    return 0 < len(key) <= 40 and all(ch.isascii() and (ch.isalnum() or ch in "_+-") for ch in key)


def _key_list(keys: Any) -> str | None:
    """A keymap value as Textual wants it ("ctrl+s,s"), or ``None`` when it is not one."""
    if isinstance(keys, str):
        if len(keys) > 400:
            return None
        parts = [k.strip() for k in keys.split(",") if k.strip()]
    elif isinstance(keys, list) and 0 < len(keys) <= 20 and all(isinstance(k, str) for k in keys):
        parts = [k.strip() for k in keys]
        if not all(parts):
            return None
    else:
        return None
    if not parts or not all(_is_key(k) for k in parts):
        return None
    return ",".join(parts)


def _close_match(key: str) -> str | None:
    if len(key) > 64:
        return None
    import difflib

    found = difflib.get_close_matches(key, KNOWN_KEYS, n=1, cutoff=0.6)
    return found[0] if found else None


def _has_controls(value: str) -> bool:
    """True when ``value`` holds a control character, an escape, a bidi control or
    anything else the display sanitiser would remove (a surrogate, a zero-width space)."""
    return not value.isprintable() or clean_line(value) != " ".join(value.split())


def _is_name(value: str) -> bool:
    return 0 < len(value) <= 100 and not _has_controls(value)


def _is_path(value: Any) -> bool:
    return (
        isinstance(value, str)
        and bool(value.strip())
        and len(value) <= MAX_VALUE_CHARS
        and not _has_controls(value)
    )


def _as_path(value: str, base: Path | None) -> Path:
    p = Path(value)
    # "~someone" with no such user, or no home folder at all: keep the path as written
    with contextlib.suppress(RuntimeError):
        p = p.expanduser()
    if not p.is_absolute() and base is not None:
        p = base / p
    return p


def _as_feed(value: str, base: Path | None) -> str:
    if _has_scheme(value):
        return value
    return str(_as_path(value, base))


def _has_scheme(value: str) -> bool:
    """``scheme://`` at the start (RFC 3986 scheme), checked without a regex."""
    scheme, sep, _ = value.partition("://")
    return (
        bool(sep)
        and 0 < len(scheme) <= 32
        and scheme[0].isascii()
        and scheme[0].isalpha()
        and all(ch.isascii() and (ch.isalnum() or ch in "+.-") for ch in scheme)
    )


class _KeyLines:
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


__all__ = [
    "CONFIG_FILENAME",
    "MAX_SETTINGS_BYTES",
    "MAX_WARNINGS",
    "Settings",
    "SettingsError",
    "default_config_path",
    "load_settings",
    "parse_settings",
]
