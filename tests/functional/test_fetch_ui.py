"""F with hostile feeds (issue 10, item 18): the app keeps answering keys while the feeds are
fetched and parsed, and ctrl+c quits at once, leaving no partial file."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from fetch_server import FeedServer, feed_server
from textual import events

from newstui.core import paths
from newstui.ui.app import create_app

Settle = Callable[[Any], Awaitable[None]]
__all__ = ["feed_server"]


def _rss(*items: bytes) -> bytes:
    return b"<rss version='2.0'><channel><title>Hostile</title>%s</channel></rss>" % b"".join(items)


async def test_the_app_answers_keys_and_quits_while_hostile_feeds_are_fetched(
    articles_dir: Path, tmp_path: Path, settle: Settle, feed_server: FeedServer
) -> None:
    feeds = {
        # 20 s of regex backtracking at 26 comments before (doubling with each comment)
        "comments.rss": b"<!---->" * 40 + b"x",
        # 91 s before
        "deep.rss": _rss(
            b"<item><title>Deep</title><description>%s</description></item>"
            % (b"&lt;div&gt;" * 200_000),
        ),
        # 35 s of parsing before, then 100,000 files
        "many.rss": _rss(
            *(b"<item><title>Item %d</title><description>t</description></item>" % n
              for n in range(100_000))
        ),
    }  # fmt: skip
    for name, body in feeds.items():
        (tmp_path / name).write_bytes(body)
    config = paths.config_dir() / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    # A feed that answers after 3 s keeps the fetch running however fast this machine parses
    # the hostile ones (which once held the GIL for minutes).
    listed = ", ".join(
        [*(f'"{tmp_path / name}"' for name in feeds), f'"{feed_server.url("/slow.xml")}"']
    )
    config.write_text(f"feeds = [{listed}]\nfetch_timeout = 5\n", encoding="utf-8")

    app = create_app(articles_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("F")
        await pilot.pause(0.3)
        assert app.fetching
        before = app.article_list.cursor
        started = time.monotonic()
        app.post_message(events.Key("j", "j"))  # as a terminal would: no waiting for idle
        while app.article_list.cursor == before and time.monotonic() - started < 5:
            await asyncio.sleep(0.01)
        handled = time.monotonic() - started
        assert app.article_list.cursor != before  # the key was handled meanwhile
        assert handled < 1.0, handled
        assert app.fetching
        quit_at = time.monotonic()
        await pilot.press("ctrl+c")
    assert time.monotonic() - quit_at < 3.0
    assert list(articles_dir.rglob(".newstui-fetch-*")) == []
    for path in articles_dir.rglob("*.md"):
        assert path.read_text(encoding="utf-8").startswith("---\n")
