"""Reading the settings file: a regular file within a size budget, UTF-8, tolerant TOML.

:func:`load_settings` never raises for bad content: what is wrong becomes warnings (see
:mod:`newstui.core.settings`). Only a file named by the user (``--config``) that cannot be
read at all raises :class:`SettingsError`.
"""

from __future__ import annotations

from pathlib import Path

from newstui.core import paths
from newstui.core.bounded import TooBig, read_bounded
from newstui.core.settings.toml_text import parse_salvaging
from newstui.core.settings.validate import (
    MAX_WARNINGS,
    LoadedSettings,
    Settings,
    parse_settings,
)
from newstui.core.text import display_path

CONFIG_FILENAME = "config.toml"
#: The biggest settings file read (a real one is a few hundred bytes).
MAX_SETTINGS_BYTES = 256 * 1024
#: Dotted parts a key may have (``a.b.c``); TOML parsing costs grow with their square.
MAX_KEY_PARTS = 32


class SettingsError(Exception):
    """A settings file named explicitly cannot be read (one clear line)."""


def default_config_path() -> Path:
    return paths.config_dir() / CONFIG_FILENAME


def load_settings(path: Path | None = None, *, must_exist: bool = False) -> LoadedSettings:
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
        return LoadedSettings(Settings(), [])
    except IsADirectoryError:
        return _unreadable(path, "it is a folder, not a file", must_exist)
    except TooBig:
        return _defaults(
            f"{shown}: bigger than {MAX_SETTINGS_BYTES // 1024} KB, not a settings file; "
            "using the default settings"
        )
    except OSError as exc:
        return _unreadable(path, (exc.strerror or str(exc)).lower(), must_exist)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return _defaults(f"{shown}: line {line}: not UTF-8 text; using the default settings")
    parsed = parse_salvaging(text, MAX_KEY_PARTS)
    if parsed.data is None:
        return _defaults(*(f"{shown}: {p}; using the default settings" for p in parsed.problems))
    said = [f"{shown}: {p}; that line is ignored" for p in parsed.problems]
    settings, warnings = parse_settings(
        parsed.data, text=text, path=path, budget=max(1, MAX_WARNINGS - len(said))
    )
    return LoadedSettings(settings, said + warnings)


def _unreadable(path: Path, reason: str, strict: bool) -> LoadedSettings:
    shown = display_path(path)
    if strict:
        raise SettingsError(f"{shown}: cannot read the settings file: {reason}")
    return _defaults(f"{shown}: cannot read the settings file ({reason}); using the defaults")


def _defaults(*warnings: str) -> LoadedSettings:
    """The default settings, with why the file gave none."""
    return LoadedSettings(Settings(), list(warnings))


__all__ = [
    "CONFIG_FILENAME",
    "MAX_KEY_PARTS",
    "MAX_SETTINGS_BYTES",
    "SettingsError",
    "default_config_path",
    "load_settings",
]
