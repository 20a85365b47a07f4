"""The command line's side of the newsboat bridge: ``--newsboat`` and the state import."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from newstui.cli.common import CliError, open_state
from newstui.core.text import display_path

NEWSBOAT_HELP = (
    "read newsboat's cache (~/.newsboat/cache.db or $XDG_DATA_HOME/newsboat/cache.db) "
    "instead of a folder"
)


def add_newsboat_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--newsboat", action="store_true", help=NEWSBOAT_HELP)


def newsboat_folder(args: argparse.Namespace) -> str | None:
    """With ``--newsboat``: the path of newsboat's cache (a usage error when there is none,
    or when a folder is given too); else ``None``."""
    if not getattr(args, "newsboat", False):
        return None
    from newstui.core.loaders.newsboat import default_locations, find_default_cache

    found = find_default_cache()
    if found is None:
        looked = " or ".join(display_path(p) for p in default_locations())
        raise CliError(f"--newsboat: no newsboat cache at {looked}", 2)
    return str(found)


def import_newsboat_state(folders: Sequence[Path]) -> None:
    """newsboat's read/starred state of the items not seen before, into the reading state
    (only when a newsboat cache is among ``folders``)."""
    from newstui.core.library.newsboat import import_states, newsboat_caches

    if not newsboat_caches(folders):
        return
    store = open_state()
    try:
        import_states(folders, store)
    finally:
        store.close()
