"""Full text per feed (issue 15, item 2): ``x`` in the reader extracts the open article's web
page (from the loopback server), keeps it in newstui's data folder, marks it, and ``x`` again
shows the feed's text; a failure says why and keeps the feed's text; ``on-open`` feeds are
extracted when opened; ``always`` feeds at fetch time."""

from __future__ import annotations

import hashlib
from pathlib import Path

import frontmatter
import pytest
from fetch_server import FEEDS, FeedServer, feed_server
from test_ui_support import notifications, open_app, wait_until, write_article, write_settings

from newstui.core import paths
from newstui.core.fetch import HttpOptions, fetch_feeds
from newstui.core.fetch.fulltext import MARKER, FullTextStore
from newstui.ui.app import NewsApp

__all__ = ["feed_server"]

PAGE_WORDS = "survey boat confirmed the change"  # in the page, not in the feed's text
FEED_TEXT = "Tides changed after the storm; see the page."


def _article_folder(tmp_path: Path, url: str) -> tuple[Path, Path]:
    folder = tmp_path / "articles"
    folder.mkdir()
    path = write_article(
        folder,
        "tide.txt",
        "Tide tables revised after storm",
        FEED_TEXT,
        date="2024-04-02T09:00:00",
        url=url,
    )
    return folder, path


def reader_text(app: NewsApp) -> str:
    """The reader's text, its wrapped lines joined (so a phrase is found across a wrap)."""
    return " ".join(" ".join(app.reader.plain_lines).split())


async def test_x_extracts_keeps_marks_and_switches_back(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    folder, path = _article_folder(tmp_path, feed_server.url("/news/tide-tables"))
    before = path.read_bytes()
    async with open_app(folder) as (app, pilot):
        await pilot.press("enter")
        assert await wait_until(pilot, lambda: FEED_TEXT in reader_text(app))
        assert MARKER not in reader_text(app)
        await pilot.press("x")
        assert await wait_until(pilot, lambda: PAGE_WORDS in reader_text(app))
        shown = reader_text(app)
        assert MARKER in shown
        assert FEED_TEXT not in shown
        assert "do-not-keep-this" not in shown  # the page's script is not article text
        # kept in newstui's data folder, keyed by the article's id
        article = app.reader.article
        assert article is not None
        kept = FullTextStore().path(article.id)
        assert kept.parent == paths.data_dir() / "fulltext"
        assert PAGE_WORDS in kept.read_text(encoding="utf-8")
        # x again: the feed's text, unmarked
        await pilot.press("x")
        assert await wait_until(pilot, lambda: FEED_TEXT in reader_text(app))
        assert MARKER not in reader_text(app)
        assert PAGE_WORDS not in reader_text(app)
        # and back to the kept text, without asking the server again
        hits = feed_server.hits["/news/tide-tables"]
        await pilot.press("x")
        assert await wait_until(pilot, lambda: PAGE_WORDS in reader_text(app))
        assert feed_server.hits["/news/tide-tables"] == hits
    assert path.read_bytes() == before  # the user's file is never rewritten


async def test_kept_full_text_is_shown_offline_on_the_next_run(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    folder, _ = _article_folder(tmp_path, feed_server.url("/news/tide-tables"))
    async with open_app(folder) as (app, pilot):
        await pilot.press("enter", "x")
        assert await wait_until(pilot, lambda: PAGE_WORDS in reader_text(app))
    feed_server.routes.pop("/news/tide-tables")  # the page is gone: offline
    async with open_app(folder) as (app, pilot):
        await pilot.press("enter")
        assert await wait_until(pilot, lambda: PAGE_WORDS in reader_text(app))
        assert MARKER in reader_text(app)


async def test_a_failure_says_why_and_keeps_the_feeds_text(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    folder, _ = _article_folder(tmp_path, feed_server.url("/news/missing-page"))
    async with open_app(folder) as (app, pilot):
        await pilot.press("enter", "x")
        assert await wait_until(pilot, lambda: any("No full text" in n for n in notifications(app)))
        said = next(n for n in notifications(app) if "No full text" in n)
        assert "404" in said
        assert FEED_TEXT in reader_text(app)
        assert MARKER not in reader_text(app)
    assert not (paths.data_dir() / "fulltext").exists() or not any(
        (paths.data_dir() / "fulltext").iterdir()
    )


async def test_x_on_an_article_without_a_web_address_says_so(tmp_path: Path) -> None:
    folder, _ = _article_folder(tmp_path, "")
    async with open_app(folder) as (app, pilot):
        await pilot.press("enter", "x")
        await pilot.pause(0.2)
        assert any("no web address" in n for n in notifications(app))
        assert FEED_TEXT in reader_text(app)


async def test_file_urls_are_never_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.html"
    secret.write_text("<html><body><article><p>" + "secret words " * 50 + "</p></article>")
    folder, _ = _article_folder(tmp_path, secret.as_uri())
    async with open_app(folder) as (app, pilot):
        await pilot.press("enter", "x")
        assert await wait_until(pilot, lambda: any("No full text" in n for n in notifications(app)))
        assert "no web address" in " ".join(notifications(app))
        assert "secret words" not in reader_text(app)
    # and the extractor itself refuses it
    from newstui.core.fetch.fulltext import FullTextError, extract_full_text

    with pytest.raises(FullTextError, match="scheme"):
        extract_full_text(secret.as_uri())


def _fetched_article(folder: Path, feed_url: str, page_url: str, name: str) -> Path:
    """A Markdown file as ``newstui fetch`` writes it (front matter naming its feed)."""
    path = folder / name
    meta = f"---\ntitle: From {name}\nurl: {page_url}\nfeed_url: '{feed_url}'\n---\n\n{FEED_TEXT}\n"
    path.write_text(meta, encoding="utf-8")
    return path


async def test_on_open_feeds_are_extracted_when_opened(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    page = feed_server.url("/news/tide-tables")
    eager = feed_server.url("/eager.xml")
    lazy = feed_server.url("/lazy.xml")
    _fetched_article(folder, eager, page, "a-eager.md")
    _fetched_article(folder, lazy, page + "?other", "b-lazy.md")
    write_settings(
        f'feeds = [{{ url = "{eager}", full_text = "on-open" }}, "{lazy}"]\nfull_text = "never"\n'
    )
    async with open_app(folder) as (app, pilot):
        assert app.settings.feed_full_text == {eager: "on-open"}
        app.article_list.focus()
        for _ in range(2):
            await pilot.press("enter")
            await pilot.pause(0.2)
            article = app.reader.article
            assert article is not None
            if "eager" in article.title:
                assert await wait_until(pilot, lambda: PAGE_WORDS in reader_text(app))
                assert MARKER in reader_text(app)
            else:
                await pilot.pause(0.5)
                assert PAGE_WORDS not in reader_text(app)
                assert FEED_TEXT in reader_text(app)
            await pilot.press("escape", "j")
    assert feed_server.hits["/news/tide-tables"] == 1  # only the on-open feed's page


async def test_global_on_open_applies_to_articles_of_no_configured_feed(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    folder, _ = _article_folder(tmp_path, feed_server.url("/news/tide-tables"))
    write_settings('full_text = "on-open"\n')
    async with open_app(folder) as (app, pilot):
        await pilot.press("enter")
        assert await wait_until(pilot, lambda: PAGE_WORDS in reader_text(app))


def test_always_feeds_are_extracted_at_fetch_time(tmp_path: Path, feed_server: FeedServer) -> None:
    feed = feed_server.local_links((FEEDS / "rss2.xml").read_bytes())
    feed_server.static("/always.xml", feed, "application/rss+xml")
    feed_server.static("/never.xml", feed.replace(b"<title>", b"<title>N "), "application/rss+xml")
    from newstui.core.fetch.fulltext import fetch_full_text_feeds
    from newstui.core.settings import parse_settings

    always, never = feed_server.url("/always.xml"), feed_server.url("/never.xml")
    settings, warnings = parse_settings({"feeds": [{"url": always, "full_text": "always"}, never]})
    assert not warnings
    wanted = fetch_full_text_feeds(settings, [always, never])
    assert wanted == {always}
    dest = tmp_path / "out"
    fast = HttpOptions(timeout=5, retries=0)
    report = fetch_feeds(
        [always, never], dest, state_path=tmp_path / "s.sqlite3", http=fast, full_text=wanted
    )
    assert report.ok
    posts = [frontmatter.load(p) for p in dest.rglob("*.md")]
    tide = [p for p in posts if "Tide tables revised" in str(p["title"])]
    full = [p for p in tide if PAGE_WORDS in p.content]
    assert len(tide) == 2 and len(full) == 1
    assert full[0]["feed_url"] == always


def test_store_keys_by_id_and_caps_size(tmp_path: Path) -> None:
    store = FullTextStore(tmp_path / "ft")
    a, b = store.path("id-a"), store.path("id-b")
    assert a != b and a.parent == tmp_path / "ft"
    assert a.name == hashlib.blake2b(b"id-a", digest_size=16).hexdigest() + ".md"
    store.put("id-a", "hello")
    assert store.get("id-a") == "hello"
    assert store.get("id-b") is None
    from newstui.core.fetch import fulltext

    b.parent.mkdir(exist_ok=True)
    b.write_bytes(b"x" * (fulltext.MAX_STORED_BYTES + 1))
    assert store.get("id-b") is None
