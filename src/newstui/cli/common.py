"""Shared pieces of the CLI: errors, consoles, choosing the articles folder."""

from __future__ import annotations

import functools
import os
import shutil
from pathlib import Path

from rich.console import Console

from newstui.core.paths import bundled_articles_dir, data_dir


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
    return Console(stderr=True, highlight=False)


def resolve_articles_dir(arg: str | None) -> Path:
    """DIR, else $NEWSTUI_ARTICLES, else ./articles, else the data folder (seeded once)."""
    if arg:
        return check_dir(Path(arg).expanduser(), "DIR")
    env = os.environ.get("NEWSTUI_ARTICLES")
    if env:
        return check_dir(Path(env).expanduser(), "$NEWSTUI_ARTICLES")
    local = Path("articles")
    if local.is_dir():
        return local
    return default_articles_dir()


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
        raise CliError(f"{what}: no such folder: {path}", 2)
    if not path.is_dir():
        raise CliError(f"{what}: not a folder: {path}", 2)
    return path
