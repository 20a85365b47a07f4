"""Settings values: what each one may be, checked one by one into :class:`Settings`.

:func:`parse_settings` takes parsed TOML; a bad value becomes one warning naming the line
and the key (the first :data:`MAX_WARNINGS` worded, the rest counted), and the setting keeps
its default. No string with a control character or escape sequence is taken (a theme, a
folder, a key of the keymap).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from newstui.core.badinput import Problems, clean_name, quote
from newstui.core.settings.toml_text import KeyLines
from newstui.core.text import clean_line, display_path

READER_WIDTH_MIN = 40
READER_WIDTH_MAX = 200
#: Problems reported one by one; the rest are counted ("and N more").
MAX_WARNINGS = 20
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
    "save_folder",
    "story_read_all",
    "full_text",
    "images",
)
#: The settings that are true or false (each read, checked and warned about alike).
BOOL_KEYS = ("mark_read_on_open", "story_read_all", "images")
FETCH_TIMEOUT_MAX = 3600.0
#: ``full_text`` values: at fetch time, never, or when the reader opens the article.
FULL_TEXT_MODES = ("always", "never", "on-open")


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
    #: where the reader's ``w`` saves an article as Markdown (``None``: :func:`save_folder`).
    save_folder: Path | None = None
    #: ``m`` / ``M`` on a story marks every version of it (false: the one article).
    story_read_all: bool = True
    #: full text for feeds that do not say: "always" (fetch), "never", "on-open" (reader)
    full_text: str = "never"
    #: feed (as written in ``feeds``) -> its own ``full_text``
    feed_full_text: dict[str, str] = field(default_factory=dict)
    #: show articles' images (cached at fetch time or first open)
    images: bool = True


class LoadedSettings(NamedTuple):
    """Settings and one warning per problem found (unpacks as ``settings, warnings``)."""

    settings: Settings
    warnings: list[str]


def parse_settings(
    data: dict[str, Any],
    *,
    text: str = "",
    path: Path | None = None,
    budget: int = MAX_WARNINGS,
) -> LoadedSettings:
    """Turn parsed TOML into :class:`Settings` (``text`` only helps find line numbers).

    At most ``budget`` warnings are worded (line, key, hint); the rest are only
    counted, in a last "and N more" warning, so a file of 8,000 bad keys costs no more than
    reading it."""
    settings = Settings()
    problems = Problems(budget)
    where = f"{display_path(path)}: " if path is not None else ""
    base = path.absolute().parent if path is not None else None
    lines = KeyLines(text)

    def warn(key: str, problem: str | Callable[[], str], table: str | None = None) -> None:
        def word() -> str:  # past the budget nothing is worded: not even a line look-up
            line = lines.find(key, table)
            loc = f"line {line}: " if line else ""
            name = clean_name(f"{table}.{key}" if table else key)
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
        elif key in BOOL_KEYS:
            if isinstance(value, bool):
                setattr(settings, key, value)
            else:
                warn(
                    key,
                    f"must be true or false, got {quote(value)}; "
                    f"using {str(getattr(settings, key)).lower()}",
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
            feeds = _feeds(value, base)
            if feeds is not None:
                settings.feeds = [url for url, _ in feeds]
                settings.feed_full_text = {url: mode for url, mode in feeds if mode}
            else:
                warn(
                    key,
                    f"must be a list of feed URLs or file paths (at most {MAX_ITEMS:,} strings "
                    'without control characters, or tables such as { url = "https://…", '
                    f'full_text = "on-open" }} with full_text one of {_modes()}); ignored',
                )
        elif key == "full_text":
            if isinstance(value, str) and value.strip() in FULL_TEXT_MODES:
                settings.full_text = value.strip()
            else:
                warn(
                    key,
                    f"must be one of {_modes()}, got {quote(value)}; using {settings.full_text}",
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
        elif key == "save_folder":
            if _is_path(value) and not _as_path(value.strip(), base).is_file():
                settings.save_folder = _as_path(value.strip(), base)
            else:
                warn(key, "must be the path of a folder (a string; not a file); ignored")
        else:
            hint = _close_match(key)
            extra = f" (did you mean '{hint}'?)" if hint else ""
            warn(key, f"is not a setting newstui knows{extra}; ignored")
    warnings = problems.worded
    summary = problems.summary()
    if summary:
        warnings.append(f"{where}{summary}")
    return LoadedSettings(settings, warnings)


def save_folder(settings: Settings) -> Path:
    """Where ``w`` saves articles: the ``save_folder`` setting, else ``newstui`` in the
    user's documents folder (``~/Documents/newstui``)."""
    if settings.save_folder is not None:
        return settings.save_folder
    import platformdirs

    return Path(platformdirs.user_documents_dir()) / "newstui"


def _modes() -> str:
    return ", ".join(f'"{m}"' for m in FULL_TEXT_MODES)


def _feeds(value: Any, base: Path | None) -> list[tuple[str, str]] | None:
    """``feeds``: each a URL or path, or a table ``{ url = "…", full_text = "…" }``
    (``[[feeds]]``); as (feed, its own full_text or ""), else ``None``."""
    items = [value] if isinstance(value, str | dict) else value
    if not isinstance(items, list) or len(items) > MAX_ITEMS:
        return None
    feeds: list[tuple[str, str]] = []
    for item in items:
        mode = ""
        if isinstance(item, dict):
            if not set(item) <= {"url", "full_text"}:
                return None
            mode = item.get("full_text", "")
            if mode != "" and mode not in FULL_TEXT_MODES:
                return None
            item = item.get("url")
        if not _is_path(item):
            return None
        feeds.append((_as_feed(str(item).strip(), base), mode))
    return feeds


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


__all__ = [
    "FETCH_TIMEOUT_MAX",
    "FULL_TEXT_MODES",
    "KNOWN_KEYS",
    "MAX_BINDINGS",
    "MAX_ITEMS",
    "MAX_VALUE_CHARS",
    "MAX_WARNINGS",
    "READER_WIDTH_MAX",
    "READER_WIDTH_MIN",
    "LoadedSettings",
    "Settings",
    "parse_settings",
    "save_folder",
]
