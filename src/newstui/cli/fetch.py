"""``newstui fetch``: fetch feeds into the articles folder for offline reading.

This module only declares the command (cheap to import, so ``newstui --version`` and
other commands stay fast); the work is in :mod:`newstui.cli.fetch_run`.
"""

from __future__ import annotations

import argparse
from typing import Any

from newstui.cli.common import number_in_range

_jobs = number_in_range(int, 1, 32, noun="a whole number")
_seconds = number_in_range(float, 0.0, 3600.0, noun="a number of seconds", low_open=True)
_retries = number_in_range(int, 0, 10, noun="a whole number")


def register(sub: Any) -> None:
    p = sub.add_parser(
        "fetch",
        help="fetch feeds for offline reading",
        description="Fetch RSS, Atom and JSON feeds (or the feeds of an OPML list) into the "
        "articles folder, one Markdown file per entry under a folder per feed. Entries "
        "fetched before are skipped; changed ones are rewritten. With no URL_OR_FILE, "
        "fetch the feeds listed in the settings (feeds = [...] or opml = PATH). Exit "
        "status 1 when any feed failed.",
    )
    p.add_argument(
        "sources",
        nargs="*",
        metavar="URL_OR_FILE",
        help="feed or OPML list: an http(s) URL or a local file",
    )
    p.add_argument("--dir", metavar="DIR", help="articles folder to fetch into")
    p.add_argument(
        "--full-text",
        action="store_true",
        help="also fetch each entry's web page and keep its article text",
    )
    p.add_argument(
        "--images",
        action="store_true",
        help="also download the entries' images into the cache, for reading offline "
        "(otherwise the reader fetches them when an article is first opened)",
    )
    p.add_argument(
        "--jobs", type=_jobs, default=4, metavar="N", help="feeds fetched at once (default 4)"
    )
    p.add_argument(
        "--timeout",
        type=_seconds,
        default=None,
        metavar="SECONDS",
        help="give up on a feed after this long, connecting, downloading and retries "
        "included (default: fetch_timeout from the settings, else 30)",
    )
    p.add_argument(
        "--retries",
        type=_retries,
        default=2,
        metavar="N",
        help="retries after a temporary failure (default 2)",
    )
    p.add_argument("--config", metavar="PATH", help="settings file to use (TOML)")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from newstui.cli.fetch_run import run as run_fetch

    return run_fetch(args)
