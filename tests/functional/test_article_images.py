"""Images in the reader (issue 15, item 5), with PNGs served by the loopback test server:
fetched once and cached for offline reading, shown as a textual-image widget in the reader,
never read from a file: URL, refused when too large (bytes or pixels), none with
``images = false``; fetched feeds name their entries' images in the front matter."""

from __future__ import annotations

import io
from pathlib import Path

import frontmatter
import pytest
from fetch_server import FeedServer, feed_server
from PIL import Image
from test_ui_support import open_app, wait_until, write_settings
from textual_image.widget import HalfcellImage

from newstui.core import paths
from newstui.core.fetch import HttpOptions, fetch_feeds
from newstui.core.fetch.images import ImageCache, ImageRefused, image_urls
from newstui.ui.app import NewsApp
from newstui.ui.widgets.article_image import ArticleImages

__all__ = ["feed_server"]


def png(width: int = 40, height: int = 30, color: str = "red") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), color).save(out, format="PNG")
    return out.getvalue()


def markdown_folder(tmp_path: Path, *image_urls: str) -> Path:
    folder = tmp_path / "articles"
    folder.mkdir(exist_ok=True)
    pictures = "\n\n".join(f"![picture {n}]({u})" for n, u in enumerate(image_urls))
    (folder / "harbour.md").write_text(
        "---\ntitle: Harbour pictures\n---\n\nThe harbour at dawn.\n\n" + pictures + "\n",
        encoding="utf-8",
    )
    return folder


def galleries(app: NewsApp) -> list[ArticleImages]:
    return list(app.reader.query(ArticleImages))


def shown_images(app: NewsApp) -> list[HalfcellImage]:
    return list(app.reader.query(HalfcellImage))


def cached_files() -> list[Path]:
    folder = paths.cache_dir() / "images"
    return sorted(folder.glob("*.img")) if folder.is_dir() else []


async def test_an_image_is_cached_and_shown_in_the_reader_then_offline(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    feed_server.static("/harbour.png", png(), "image/png")
    folder = markdown_folder(tmp_path, feed_server.url("/harbour.png"))
    async with open_app(folder) as (app, pilot):
        await pilot.press("enter")
        assert await wait_until(pilot, lambda: len(shown_images(app)) == 1)
        await pilot.pause(0.1)
        image = shown_images(app)[0]
        # drawn: a region on screen under the article's text, inside the reader
        assert image.region.height > 0 and image.region.width > 0
        text_lines = [
            n for n, line in enumerate(app.reader.plain_lines) if "harbour at dawn" in line
        ]
        assert text_lines and app.reader.line_count > text_lines[-1] + 12
        assert "1 image" in "\n".join(
            str(s.render()) for s in app.reader.query(".article-images-note")
        )
    assert len(cached_files()) == 1
    assert cached_files()[0].read_bytes() == png()
    hits = feed_server.hits["/harbour.png"]
    feed_server.routes.pop("/harbour.png")  # offline: the cached copy is shown
    async with open_app(folder) as (app, pilot):
        await pilot.press("enter")
        assert await wait_until(pilot, lambda: len(shown_images(app)) == 1)
    assert feed_server.hits["/harbour.png"] == hits


async def test_images_off_in_the_settings(tmp_path: Path, feed_server: FeedServer) -> None:
    feed_server.static("/harbour.png", png(), "image/png")
    folder = markdown_folder(tmp_path, feed_server.url("/harbour.png"))
    write_settings("images = false\n")
    async with open_app(folder) as (app, pilot):
        await pilot.press("enter")
        await pilot.pause(0.5)
        assert galleries(app) == []
    assert feed_server.hits["/harbour.png"] == 0
    assert cached_files() == []


async def test_file_urls_are_never_read(tmp_path: Path) -> None:
    local = tmp_path / "secret.png"
    local.write_bytes(png())
    folder = markdown_folder(tmp_path, local.as_uri(), "secret.png")
    async with open_app(folder) as (app, pilot):
        await pilot.press("enter")
        await pilot.pause(0.5)
        assert galleries(app) == []
    assert cached_files() == []
    with pytest.raises(ImageRefused, match="http"):
        ImageCache().fetch(local.as_uri())


async def test_oversized_images_are_refused_and_said(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    feed_server.static("/huge-pixels.png", png(5000, 5000, "white"), "image/png")
    feed_server.static("/huge-bytes.png", png() + b"\0" * (6 * 1024 * 1024), "image/png")
    feed_server.static("/fine.png", png(), "image/png")
    folder = markdown_folder(
        tmp_path,
        feed_server.url("/huge-pixels.png"),
        feed_server.url("/huge-bytes.png"),
        feed_server.url("/fine.png"),
    )
    async with open_app(folder) as (app, pilot):
        await pilot.press("enter")
        assert await wait_until(pilot, lambda: len(galleries(app)) == 1)
        await pilot.pause(0.1)
        assert len(shown_images(app)) == 1  # only the fine one
        notes = "\n".join(str(s.render()) for s in app.reader.query(".article-images-note"))
        assert "5000 x 5000 pixels" in notes
        assert "too large" in notes
    assert len(cached_files()) == 1
    # refused once, not downloaded again on the next open
    hits = feed_server.hits["/huge-pixels.png"]
    async with open_app(folder) as (app, pilot):
        await pilot.press("enter")
        assert await wait_until(pilot, lambda: len(galleries(app)) == 1)
    assert feed_server.hits["/huge-pixels.png"] == hits


async def test_html_articles_images_resolved_against_their_url(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    feed_server.static("/pics/a.png", png(), "image/png")
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "page.html").write_text(
        "<html><head><title>Pictures page</title>"
        f'<link rel="canonical" href="{feed_server.url("/news/page")}">'
        f'<meta property="og:url" content="{feed_server.url("/news/page")}"></head>'
        "<body><article><p>"
        + "Words about the harbour. " * 20
        + '</p><img src="/pics/a.png" alt="a"><img src="file:///etc/passwd"></article></body></html>',
        encoding="utf-8",
    )
    async with open_app(folder) as (app, pilot):
        await pilot.press("enter")
        article = app.reader.article
        assert article is not None
        if not article.url:
            pytest.skip("the HTML loader takes no URL from this page")
        assert image_urls(article) == [feed_server.url("/pics/a.png")]
        assert await wait_until(pilot, lambda: len(shown_images(app)) == 1)


async def test_fetched_entries_name_their_images_cached_at_fetch_time(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    feed_server.static("/pics/b.png", png(), "image/png")
    rss = (
        f"<rss version='2.0'><channel><title>Pics</title><link>{feed_server.base}/</link>"
        f"<item><title>With a picture</title><link>{feed_server.base}/news/1</link>"
        "<description>&lt;p&gt;Text&lt;/p&gt;&lt;img src=&quot;/pics/b.png&quot;&gt;"
        "&lt;img src=&quot;data:image/png;base64,AAAA&quot;&gt;</description></item>"
        "</channel></rss>"
    )
    feed_server.static("/pics.xml", rss.encode(), "application/rss+xml")
    dest = tmp_path / "out"
    report = fetch_feeds(
        [feed_server.url("/pics.xml")],
        dest,
        state_path=tmp_path / "s.sqlite3",
        http=HttpOptions(timeout=5, retries=0),
        images=True,
    )
    assert report.ok
    (post,) = [frontmatter.load(p) for p in dest.rglob("*.md")]
    assert post["images"] == [feed_server.url("/pics/b.png")]  # data: left out
    assert [p.read_bytes() for p in cached_files()] == [png()]  # cached by the fetch
    # read offline: the image server is gone, the reader shows the cached copy
    feed_server.routes.pop("/pics/b.png")
    async with open_app(dest) as (app, pilot):
        await pilot.press("enter")
        assert await wait_until(pilot, lambda: len(shown_images(app)) == 1)
    assert feed_server.hits["/pics/b.png"] == 1


@pytest.mark.parametrize("flag", [True, False])
def test_fetch_command_caches_images_with_images_flag(
    tmp_path: Path, feed_server: FeedServer, flag: bool
) -> None:
    from cli_run import cli_env, run_newstui

    feed_server.static("/pics/c.png", png(), "image/png")
    rss = (
        "<rss version='2.0'><channel><title>Pics</title>"
        f"<item><title>One</title><link>{feed_server.base}/news/1</link>"
        f"<description>&lt;img src=&quot;{feed_server.base}/pics/c.png&quot;&gt;</description></item>"
        "</channel></rss>"
    )
    feed_server.static("/c.xml", rss.encode(), "application/rss+xml")
    home = tmp_path / "home"
    args = ["fetch", feed_server.url("/c.xml"), "--dir", str(tmp_path / "out")]
    result = run_newstui(cli_env(home), *args, *(["--images"] if flag else []), timeout=120)
    assert result.returncode == 0, result.stderr
    cached = list((home / "xdg_cache_home" / "newstui" / "images").glob("*.img"))
    assert len(cached) == (1 if flag else 0)
    assert feed_server.hits["/pics/c.png"] == (1 if flag else 0)
