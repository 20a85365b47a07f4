"""F in the app fetches the configured feeds; new articles appear marked new (issue 7 item 5)."""

from __future__ import annotations

from pathlib import Path

from test_ui_support import (
    notifications,
    open_app,
    settle,
    write_settings,
)

from newstui.ui.widgets.article_list import NEW_MARK

RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Harbour Gazette</title><link>https://gazette.example/</link>
<description>Local news</description>
<item><title>Lighthouse keeper retires after forty years</title>
<link>https://gazette.example/lighthouse</link><guid>lighthouse-1</guid>
<pubDate>Tue, 02 Apr 2024 09:00:00 GMT</pubDate>
<description>&lt;p&gt;The lighthouse keeper &lt;b&gt;retired&lt;/b&gt; today.&lt;/p&gt;</description></item>
</channel></rss>
"""


def _configure(feeds: list[str]) -> None:
    quoted = ", ".join(f'"{f}"' for f in feeds)
    write_settings(f"feeds = [{quoted}]\n")


async def test_fetch_adds_new_articles_marked_new(articles_dir: Path, tmp_path: Path) -> None:
    feed = tmp_path / "gazette.rss"
    feed.write_text(RSS, encoding="utf-8")
    _configure([str(feed)])
    async with open_app(articles_dir) as (app, pilot):
        assert len(app.article_list.articles) == 33
        await pilot.press("F")
        await settle(pilot)
        titles = [a.title for a in app.article_list.articles]
        assert "Lighthouse keeper retires after forty years" in titles
        row = titles.index("Lighthouse keeper retires after forty years")
        app.article_list.move_to(row)
        await pilot.pause()
        line = app.article_list.render_line(row - int(app.article_list.scroll_y)).text
        assert line.startswith(NEW_MARK)
        messages = notifications(app)
        assert any("1 new" in m for m in messages), messages
        await pilot.press("slash", *"lighthouse")
        await settle(pilot)
        assert [a.title for a in app.article_list.articles] == [
            "Lighthouse keeper retires after forty years"
        ]
    # the fetched file is an ordinary article file in the folder
    assert list(articles_dir.rglob("*.md"))


async def test_fetch_without_feeds_explains_how_to_add_them(articles_dir: Path) -> None:
    async with open_app(articles_dir) as (app, pilot):
        await pilot.press("F")
        await pilot.pause()
        messages = notifications(app)
        assert any("No feeds to fetch" in m for m in messages)


async def test_a_failing_feed_is_reported(articles_dir: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken.rss"
    broken.write_text("<html><body>not a feed</body></html>", encoding="utf-8")
    _configure([str(broken)])
    async with open_app(articles_dir) as (app, pilot):
        await pilot.press("F")
        await settle(pilot)
        messages = notifications(app)
        assert any("failed" in m and "broken.rss" in m for m in messages), messages
        assert len(app.article_list.articles) == 33
