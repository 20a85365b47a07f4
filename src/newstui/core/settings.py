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
"""

from __future__ import annotations

import contextlib
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newstui.core import paths

CONFIG_FILENAME = "config.toml"
READER_WIDTH_MIN = 40
READER_WIDTH_MAX = 200
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
    with contextlib.suppress(OSError):
        if path.exists() and not path.is_file() and not path.is_dir():
            return _unreadable(path, "not a regular file", must_exist)  # a FIFO would block
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        if must_exist:
            raise SettingsError(f"{path}: no such settings file") from None
        return Settings(), []
    except IsADirectoryError:
        return _unreadable(path, "it is a folder, not a file", must_exist)
    except OSError as exc:
        return _unreadable(path, (exc.strerror or str(exc)).lower(), must_exist)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return Settings(), [f"{path}: line {line}: not UTF-8 text; using the default settings"]
    data, problems = _parse_salvaging(text)
    if data is None:
        return Settings(), [f"{path}: {p}; using the default settings" for p in problems]
    settings, warnings = parse_settings(data, text=text, path=path)
    return settings, [f"{path}: {p}; that line is ignored" for p in problems] + warnings


def _parse_salvaging(text: str) -> tuple[dict[str, Any] | None, list[str]]:
    """Parse TOML; on a syntax error on some line, drop that line and try again (a few
    times), so one typo does not throw away every other setting."""
    lines = text.splitlines()
    problems: list[str] = []
    for _ in range(10):
        try:
            return tomllib.loads("\n".join(lines)), problems
        except tomllib.TOMLDecodeError as exc:
            m = _TOML_POS.search(str(exc))
            if not m:
                problems.append(_toml_error(exc))
                return None, problems
            n = int(m.group(1))
            key = _KEY_AT.match(lines[n - 1]) if 1 <= n <= len(lines) else None
            problems.append(_toml_error(exc, key.group(1).strip("\"'") if key else None))
            if not 1 <= n <= len(lines) or _HEADER_LINE.match(lines[n - 1]):
                return None, problems
            lines[n - 1] = ""
    return None, problems


_HEADER_LINE = re.compile(r"^\s*\[")


def _unreadable(path: Path, reason: str, strict: bool) -> tuple[Settings, list[str]]:
    if strict:
        raise SettingsError(f"{path}: cannot read the settings file: {reason}")
    return Settings(), [f"{path}: cannot read the settings file ({reason}); using the defaults"]


_TOML_POS = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")


_KEY_AT = re.compile(r"^\s*([A-Za-z0-9_.-]+|\"[^\"]*\"|'[^']*')\s*=")


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
    data: dict[str, Any], *, text: str = "", path: Path | None = None
) -> tuple[Settings, list[str]]:
    """Turn parsed TOML into :class:`Settings` (``text`` only helps find line numbers)."""
    settings = Settings()
    warnings: list[str] = []
    where = f"{path}: " if path is not None else ""
    base = path.absolute().parent if path is not None else None
    lines = _KeyLines(text)

    def warn(key: str, problem: str, table: str | None = None) -> None:
        line = lines.find(key, table)
        loc = f"line {line}: " if line else ""
        name = f"{table}.{key}" if table else key
        warnings.append(f"{where}{loc}'{name}' {problem}")

    for key, value in data.items():
        if key == "folders":
            items = [value] if isinstance(value, str) else value
            if isinstance(items, list) and all(_is_path(v) for v in items):
                settings.folders = [_as_path(v, base) for v in items]
            else:
                warn(key, "must be a list of folder paths (strings); ignored")
        elif key == "theme":
            if isinstance(value, str) and value.strip():
                settings.theme = value.strip()
            else:
                warn(key, "must be a theme name (a string); using the default theme")
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
                    f"got {_show(value)}; using {settings.reader_width}",
                )
        elif key == "mark_read_on_open":
            if isinstance(value, bool):
                settings.mark_read_on_open = value
            else:
                warn(
                    key,
                    f"must be true or false, got {_show(value)}; "
                    f"using {str(settings.mark_read_on_open).lower()}",
                )
        elif key == "keymap":
            if not isinstance(value, dict):
                warn(key, 'must be a table of binding id = "keys" ([keymap]); ignored')
                continue
            # Binding ids may contain dots ("app.quit"): unquoted, TOML reads them as
            # nested tables, so flatten those back into dotted ids.
            for binding, keys in _flatten(value):
                if isinstance(keys, str) and keys.strip():
                    settings.keymap[binding] = ",".join(
                        k.strip() for k in keys.split(",") if k.strip()
                    )
                elif (
                    isinstance(keys, list)
                    and keys
                    and all(isinstance(k, str) and k.strip() for k in keys)
                ):
                    settings.keymap[binding] = ",".join(k.strip() for k in keys)
                else:
                    warn(binding, 'must be keys as a string, like "ctrl+s,s"; ignored', "keymap")
        elif key == "feeds":
            items = [value] if isinstance(value, str) else value
            if isinstance(items, list) and all(_is_path(v) for v in items):
                settings.feeds = [_as_feed(v.strip(), base) for v in items]
            else:
                warn(key, "must be a list of feed URLs or file paths (strings); ignored")
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
                    f"got {_show(value)}; using {settings.fetch_timeout:g}",
                )
        else:
            hint = _close_match(key)
            extra = f" (did you mean '{hint}'?)" if hint else ""
            warn(key, f"is not a setting newstui knows{extra}; ignored")
    return settings, warnings


def _flatten(table: dict[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    items: list[tuple[str, Any]] = []
    for key, value in table.items():
        if isinstance(value, dict):
            items += _flatten(value, f"{prefix}{key}.")
        else:
            items.append((f"{prefix}{key}", value))
    return items


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, (int, float)):
        return str(value)
    return f"a {type(value).__name__}"


def _close_match(key: str) -> str | None:
    import difflib

    found = difflib.get_close_matches(key, KNOWN_KEYS, n=1, cutoff=0.6)
    return found[0] if found else None


def _is_path(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip()) and "\x00" not in value


def _as_path(value: str, base: Path | None) -> Path:
    p = Path(value)
    # "~someone" with no such user, or no home folder at all: keep the path as written
    with contextlib.suppress(RuntimeError):
        p = p.expanduser()
    if not p.is_absolute() and base is not None:
        p = base / p
    return p


def _as_feed(value: str, base: Path | None) -> str:
    if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", value):
        return value
    return str(_as_path(value, base))


class _KeyLines:
    """Finds the line where a key is set in TOML text (best effort, for messages)."""

    _HEADER = re.compile(r"^\s*\[\s*([^\[\]]+?)\s*\]\s*(#.*)?$")

    def __init__(self, text: str) -> None:
        self._lines = text.splitlines()

    def find(self, key: str, table: str | None = None) -> int | None:
        current: str | None = None
        key_re = re.compile(
            r"^\s*(?:"
            + re.escape(key)
            + r"|\""
            + re.escape(key)
            + r"\"|'"
            + re.escape(key)
            + r"')\s*="
        )
        dotted = (
            re.compile(r"^\s*" + re.escape(table) + r"\s*\.\s*" + re.escape(key) + r"\s*=")
            if table
            else None
        )
        for n, line in enumerate(self._lines, 1):
            m = self._HEADER.match(line)
            if m:
                current = m.group(1).strip().strip("\"'")
                if table is None and current == key:
                    return n
                continue
            if current == table and key_re.match(line):
                return n
            if current is None and dotted is not None and dotted.match(line):
                return n
        return None


__all__ = [
    "CONFIG_FILENAME",
    "Settings",
    "SettingsError",
    "default_config_path",
    "load_settings",
    "parse_settings",
]
