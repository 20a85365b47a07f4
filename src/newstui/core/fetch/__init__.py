"""Fetch RSS/Atom/JSON feeds (and OPML lists of them) into the articles folder.

Textual-free and synchronous, so both ``newstui fetch`` and a UI thread worker call the
same thing::

    report = fetch_feeds(["https://example.org/feed.xml"], articles_dir, progress=on_event)
    for feed in report.feeds:
        print(feed.label, feed.new, feed.updated, feed.error)

Each entry becomes ``<articles>/<feed-slug>/<yyyy-mm-dd>-<title-slug>.md`` (Markdown with
YAML front matter). What was fetched is remembered in ``data_dir()/fetch.sqlite3``.

From a UI: run ``fetch_feeds`` in a thread worker; ``progress`` is called in that worker's
thread (hand events to the UI thread, e.g. ``app.call_from_thread``); set a
``threading.Event`` passed as ``cancel`` to stop (a request already waiting on a server
finishes or times out first); then load ``report.written`` (new and rewritten files) with
``newstui.core.loaders.load_file`` to show them without a rescan. With no sources given
by the user, ``sources_from_settings(settings)`` lists the configured ones.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from newstui.core.fetch.http import FetchError, HttpOptions
    from newstui.core.fetch.models import FeedProgress, FeedResult, FetchReport, Stage
    from newstui.core.fetch.runner import (
        ProgressCallback,
        default_state_path,
        fetch_feeds,
        sources_from_settings,
        workers_running,
    )

# Imported on first use: the article loaders use ``newstui.core.fetch.guard`` and must not
# pay for httpx, markdownify and the rest.
_HOME = {
    "FetchError": "http",
    "HttpOptions": "http",
    "FeedProgress": "models",
    "FeedResult": "models",
    "FetchReport": "models",
    "Stage": "models",
    "ProgressCallback": "runner",
    "default_state_path": "runner",
    "fetch_feeds": "runner",
    "sources_from_settings": "runner",
    "workers_running": "runner",
}


def __getattr__(name: str) -> Any:
    module = _HOME.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)


__all__ = [
    "FeedProgress",
    "FeedResult",
    "FetchError",
    "FetchReport",
    "HttpOptions",
    "ProgressCallback",
    "Stage",
    "default_state_path",
    "fetch_feeds",
    "sources_from_settings",
    "workers_running",
]
