"""What fetch writes loads back, through the library's own loaders, as the same articles."""

from __future__ import annotations

from pathlib import Path

import pytest
from fetch_server import FeedServer, feed_server

from newstui.core.fetch import HttpOptions, fetch_feeds
from newstui.core.fetch.parse import ParsedFeed, parse_document
from newstui.core.library import scan_library
from newstui.core.loaders import load_file

__all__ = ["feed_server"]

FAST = HttpOptions(read_timeout=1.0, retries=0)


@pytest.mark.parametrize("name", ["rss2.xml", "rss1.rdf", "rss091.xml", "atom.xml", "feed.json"])
def test_fetched_files_load_back_with_the_feed_entries_metadata(
    feed_server: FeedServer, tmp_path: Path, name: str
) -> None:
    url = feed_server.url("/" + name)
    report = fetch_feeds([url], tmp_path / "articles", state_path=tmp_path / "s.db", http=FAST)
    assert report.ok
    parsed = parse_document(
        feed_server.routes["/" + name](None).body,  # type: ignore[arg-type, union-attr]
        url=url,
    )
    assert isinstance(parsed, ParsedFeed)
    expected = {e.url: e.materialize() for e in parsed.entries}

    loaded = []
    for path in report.written:
        outcome = load_file(path)
        assert [p for p in outcome.problems if p.kind == "skipped"] == []
        [article] = outcome.articles
        loaded.append(article)
    assert len(loaded) == len(expected)
    for article in loaded:
        entry = expected[article.url]
        assert article.title == entry.title
        assert article.published == entry.published
        assert article.source == parsed.title
        assert article.author == entry.author
        assert tuple(article.tags) == entry.tags
        assert article.format == "markdown"
        assert article.body.strip()[:40] == entry.body.strip()[:40]


def test_the_library_scan_finds_every_fetched_article_and_no_temp_file(
    feed_server: FeedServer, tmp_path: Path
) -> None:
    dest = tmp_path / "articles"
    urls = [feed_server.url(p) for p in ("/rss2.xml", "/atom.xml", "/feed.json")]
    report = fetch_feeds(urls, dest, state_path=tmp_path / "s.db", http=FAST)
    (dest / "river-journal" / ".newstui-fetch-1-x.tmp").write_text("half", encoding="utf-8")

    scan = scan_library(dest)

    assert {a.path for a in scan.articles} == set(report.written)
    assert len(scan.articles) == 7
