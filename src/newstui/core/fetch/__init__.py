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

from newstui.core.fetch.http import FetchError, HttpOptions
from newstui.core.fetch.models import FeedProgress, FeedResult, FetchReport, Stage
from newstui.core.fetch.runner import (
    ProgressCallback,
    default_state_path,
    fetch_feeds,
    sources_from_settings,
    workers_running,
)

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
