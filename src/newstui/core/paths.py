"""Where newstui keeps its own files (XDG locations via platformdirs) and finds articles."""

from __future__ import annotations

from pathlib import Path

import platformdirs

APP_NAME = "newstui"


def data_dir() -> Path:
    """State store and the default articles folder (``$XDG_DATA_HOME/newstui``)."""
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def cache_dir() -> Path:
    """Index cache (``$XDG_CACHE_HOME/newstui``): safe to delete at any time."""
    return Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False))


def config_dir() -> Path:
    """Settings (``$XDG_CONFIG_HOME/newstui``)."""
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


def bundled_articles_dir() -> Path:
    """The articles shipped with newstui: inside the wheel, or ``articles/`` in a checkout."""
    here = Path(__file__).resolve().parent.parent
    packaged = here / "_bundled_articles"
    if packaged.is_dir():
        return packaged
    return here.parent.parent / "articles"
