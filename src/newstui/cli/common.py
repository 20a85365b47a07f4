"""Shared pieces of the CLI: errors, consoles, messages, choosing the articles folder.

Everything the CLI prints on stderr goes through :func:`say`, which passes it through the
display sanitiser: file names, settings keys, queries and article text quoted in a message
are untrusted and never reach the terminal as control characters or escape sequences.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from rich.console import Console

from newstui.core.paths import bundled_articles_dir, data_dir
from newstui.core.settings import Settings, SettingsError, load_settings
from newstui.core.text import clean_line, display_path

if TYPE_CHECKING:
    from newstui.core.state import StateStore

N = TypeVar("N", int, float)


class CliError(Exception):
    """A failure to report as one line. ``code`` is 1 (failure) or 2 (usage)."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


@functools.cache
def out_console() -> Console:
    return Console(highlight=False, soft_wrap=False)


@functools.cache
def err_console() -> Console:
    return Console(stderr=True, highlight=False, soft_wrap=True)


#: The longest message line printed (a message quoting a huge value is cut, never megabytes).
MAX_MESSAGE = 2000


def say(message: str) -> None:
    """One line on stderr, ``newstui: `` first, through the display sanitiser."""
    line = clean_line(str(message), max_len=MAX_MESSAGE)
    err_console().print(f"newstui: {line}", markup=False, highlight=False)


# Characters a terminal (or a JSON Lines reader splitting on line ends) could act on, written
# as \uXXXX escapes: C0 (json escapes those itself), DEL, C1, line and paragraph separators,
# bidi marks, embeddings, overrides and isolates, and lone surrogates.
_JSON_UNSAFE = [*range(0x7F, 0xA0), 0x061C, 0x200E, 0x200F, 0x2028, 0x2029]
_JSON_UNSAFE += [*range(0x202A, 0x202F), *range(0x2066, 0x206A), *range(0xD800, 0xE000)]
_JSON_ESCAPES = {c: f"\\u{c:04x}" for c in _JSON_UNSAFE}


def json_line(obj: object, indent: int | None = None) -> str:
    """``obj`` as JSON (one line unless ``indent``), safe on a terminal and in any UTF-8
    stream: readable non-ASCII text stays as it is; the characters of ``_JSON_UNSAFE`` are
    escaped."""
    return json.dumps(obj, ensure_ascii=False, indent=indent).translate(_JSON_ESCAPES)


def resolve_articles_dir(arg: str | None, settings: Settings | None = None) -> Path:
    """The first folder of :func:`resolve_articles_dirs` (for writing, e.g. ``fetch``): a
    newsboat cache among them is read, never written into."""
    found = resolve_articles_dirs(arg, settings)
    folder = next((f for f in found if f.is_dir()), None)
    if folder is None:
        raise CliError(
            f"{display_path(found[0])} is a newsboat cache, read only: give a folder to write "
            "articles into",
            2,
        )
    return folder


def resolve_articles_dirs(arg: str | None, settings: Settings | None = None) -> list[Path]:
    """Which folders to read, in order of precedence.

    DIR, else ``$NEWSTUI_ARTICLES``, else the ``folders`` of the settings, else ``./articles``
    when it exists, else the data folder (filled with the bundled articles on first run).
    """
    if arg:
        return [check_dir(Path(arg).expanduser(), "DIR")]
    env = os.environ.get("NEWSTUI_ARTICLES")
    if env:
        return [check_dir(Path(env).expanduser(), "$NEWSTUI_ARTICLES")]
    if settings is not None and settings.folders:
        return [check_dir(Path(f).expanduser(), "settings 'folders'") for f in settings.folders]
    local = Path("articles")
    if local.is_dir():
        return [local]
    return [default_articles_dir()]


def settings_from_args(args: object) -> Settings:
    """The settings for this run (``--config PATH`` or the default file); warnings to stderr."""
    config = getattr(args, "config", None)
    try:
        settings, warnings = load_settings(
            Path(config) if config else None, must_exist=config is not None
        )
    except SettingsError as exc:
        raise CliError(f"--config: {exc}", 2) from None
    for warning in warnings:
        say(warning)
    return settings


def default_articles_dir() -> Path:
    """The user's articles folder in the data folder, filled with the bundled ones on first run."""
    target = data_dir() / "articles"
    if not target.exists():
        target.mkdir(parents=True, exist_ok=True)
        bundled = bundled_articles_dir()
        if bundled.is_dir():
            for src in bundled.iterdir():
                if src.is_file() and not src.name.startswith("."):
                    shutil.copy2(src, target / src.name)
    return target


def check_dir(path: Path, what: str) -> Path:
    if not path.exists():
        raise CliError(f"{what}: no such folder: {display_path(path)}", 2)
    if not path.is_dir():
        from newstui.core.loaders.newsboat import is_sqlite_file

        if is_sqlite_file(path):  # newsboat's cache.db (an SQLite file) reads as a folder
            return path
        raise CliError(f"{what}: not a folder: {display_path(path)}", 2)
    return path


def open_state() -> StateStore:
    """The user's reading state; a notice (e.g. a damaged store moved aside) goes to stderr."""
    from newstui.core.state import StateStore

    store = StateStore.open()
    if store.notice:
        say(store.notice)
    return store


def number_in_range(
    convert: Callable[[str], N], low: N, high: N, *, noun: str, low_open: bool = False
) -> Callable[[str], N]:
    """An argparse ``type`` accepting ``low <= n <= high`` (``low < n`` when ``low_open``)."""

    def parse(value: str) -> N:
        try:
            n = convert(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not {noun}: {value!r}") from None
        if low_open and not low < n <= high:
            raise argparse.ArgumentTypeError(f"must be more than {low} and at most {high}: {value}")
        if not low_open and not low <= n <= high:
            raise argparse.ArgumentTypeError(f"must be between {low} and {high}: {value}")
        return n

    return parse


FORMAT_HELP = "table (for people, the default) or jsonl (one JSON object a line, for scripts)"


def add_format_option(parser: argparse.ArgumentParser) -> None:
    """``--format table|jsonl``, as every listing command says it."""
    parser.add_argument("--format", choices=("table", "jsonl"), default="table", help=FORMAT_HELP)
