"""fetch_feeds against a local HTTP server: every feed kind, and every way a feed can fail."""

from __future__ import annotations

import gzip
import os
import socket
import threading
import time
from pathlib import Path

import frontmatter
import pytest
from fetch_server import FEEDS, FeedServer, Handler, Reply, feed_server, no_proxies

from newstui.core.fetch import FeedProgress, FetchReport, HttpOptions, fetch_feeds

__all__ = ["feed_server", "no_proxies"]  # the fixture, imported for pytest

FAST = HttpOptions(
    connect_timeout=2.0,
    read_timeout=0.5,
    timeout=5.0,
    max_bytes=256 * 1024,
    max_redirects=5,
    retries=1,
    backoff=0.01,
    max_backoff=0.05,
)


@pytest.fixture
def state(tmp_path: Path) -> Path:
    return tmp_path / "state" / "fetch.sqlite3"


@pytest.fixture
def dest(tmp_path: Path) -> Path:
    return tmp_path / "articles"


def run(sources: list[str], dest: Path, state: Path, **kw: object) -> FetchReport:
    return fetch_feeds(sources, dest, state_path=state, http=FAST, **kw)  # type: ignore[arg-type]


def articles(dest: Path) -> dict[str, frontmatter.Post]:
    """Every visible Markdown file under dest, by path relative to dest."""
    return {
        str(p.relative_to(dest)): frontmatter.load(p)
        for p in sorted(dest.rglob("*.md"))
        if not any(part.startswith(".") for part in p.relative_to(dest).parts)
    }


def leftovers(dest: Path) -> list[Path]:
    return [p for p in dest.rglob("*") if p.name.startswith(".newstui-fetch-")]


@pytest.mark.parametrize(
    ("name", "source", "titles", "dated"),
    [
        (
            "rss2.xml",
            "Harbour Gazette",
            {"Tide tables revised after storm", "Ferry timetable / winter edition: ../../escape?", "Lighthouse reopens"},
            ("Tide tables revised after storm", "2026-11-23T08:30:00+00:00"),
        ),
        ("rss1.rdf", "Valley Courier", {"Orchard harvest breaks record"}, ("Orchard harvest breaks record", "2026-11-20T08:00:00+00:00")),
        ("rss091.xml", "Old Town Crier", {"Café on the square turns 100"}, ("Café on the square turns 100", None)),
        ("atom.xml", "Mountain Post", {"Pass closed by early snow", "Hut wardens wanted"}, ("Pass closed by early snow", "2026-11-25T05:45:00+00:00")),
        ("feed.json", "River Journal", {"Flood defences tested", "Otters return upstream"}, ("Flood defences tested", "2026-11-22T14:00:00+00:00")),
    ],
)  # fmt: skip
def test_each_feed_kind_becomes_one_markdown_file_per_entry(
    feed_server: FeedServer,
    dest: Path,
    state: Path,
    name: str,
    source: str,
    titles: set[str],
    dated: tuple[str, str | None],
) -> None:
    report = run([feed_server.url("/" + name)], dest, state)

    assert report.ok, report.feeds[0].error
    [feed] = report.feeds
    assert (feed.title, feed.new, feed.updated) == (source, len(titles), 0)
    posts = articles(dest)
    assert {p["title"] for p in posts.values()} == titles
    for rel, post in posts.items():
        assert Path(rel).parent == Path(feed.folder.name)  # type: ignore[union-attr]
        assert post["source"] == source
        assert post["feed_url"] == feed_server.url("/" + name)
        assert post["url"].startswith("http")
        assert "fetched_at" in post.metadata
    by_title = {p["title"]: p for p in posts.values()}
    assert by_title[dated[0]].get("published") == dated[1]


def test_rss_entry_content_is_clean_markdown_with_metadata(
    feed_server: FeedServer, dest: Path, state: Path
) -> None:
    run([feed_server.url("/rss2.xml")], dest, state)
    posts = {p["title"]: p for p in articles(dest).values()}
    tide = posts["Tide tables revised after storm"]

    assert tide["author"] == "Ada Marsh"
    assert tide["tags"] == ["Weather", "Harbour"]
    assert tide["url"] == "https://harbour.example/news/tide-tables"
    assert "**revised**" in tide.content
    assert "- High tide: 06:12" in tide.content
    # relative links are resolved against the feed's URL
    assert f"[the storm report]({feed_server.url('/news/storm')})" in tide.content
    assert "alert" not in tide.content and "<" not in tide.content
    ferry = posts["Ferry timetable / winter edition: ../../escape?"]
    assert "*hourly*" in ferry.content


def test_file_names_are_safe_and_inside_the_feed_folder(
    feed_server: FeedServer, dest: Path, state: Path
) -> None:
    report = run([feed_server.url("/rss2.xml"), feed_server.url("/feed.json")], dest, state)

    written = report.written
    assert len(written) == 5
    for path in written:
        assert path.resolve().parent.parent == dest.resolve()
        assert ".." not in path.name and "/" not in path.stem
        assert all(ch.isprintable() for ch in path.name)
        assert len(path.name.encode()) <= 100
    names = {p.name for p in written}
    assert "2026-11-24-ferry-timetable-winter-edition-escape.md" in names
    assert "lighthouse-reopens.md" in names  # no date in the feed: no date prefix


def test_control_characters_never_reach_the_files(
    feed_server: FeedServer, dest: Path, state: Path
) -> None:
    run([feed_server.url("/feed.json")], dest, state)
    for path in dest.rglob("*.md"):
        text = path.read_text(encoding="utf-8")
        assert "\x1b" not in text
        assert "evil.example" not in text  # the iframe is dropped


def test_a_second_run_skips_what_was_fetched_and_rewrites_changed_entries(
    feed_server: FeedServer, dest: Path, state: Path
) -> None:
    body = (FEEDS / "rss2.xml").read_bytes()
    feed_server.static("/mutable.xml", body, "application/rss+xml")
    first = run([feed_server.url("/mutable.xml")], dest, state)
    files_before = sorted(dest.rglob("*.md"))
    assert first.feeds[0].new == 3

    again = run([feed_server.url("/mutable.xml")], dest, state)
    assert (again.feeds[0].new, again.feeds[0].updated, again.feeds[0].unchanged) == (0, 0, 3)
    assert sorted(dest.rglob("*.md")) == files_before

    changed = body.replace(b"The lighthouse is open again", b"The lighthouse is CLOSED again")
    feed_server.static("/mutable.xml", changed, "application/rss+xml")
    third = run([feed_server.url("/mutable.xml")], dest, state)
    assert (third.feeds[0].new, third.feeds[0].updated) == (0, 1)
    assert sorted(dest.rglob("*.md")) == files_before
    [rewritten] = third.feeds[0].written
    assert "CLOSED" in rewritten.read_text(encoding="utf-8")


def test_a_file_edited_by_the_user_is_not_overwritten(
    feed_server: FeedServer, dest: Path, state: Path
) -> None:
    body = (FEEDS / "rss2.xml").read_bytes()
    feed_server.static("/mutable.xml", body, "application/rss+xml")
    run([feed_server.url("/mutable.xml")], dest, state)
    [mine] = [p for p in dest.rglob("*.md") if p.name == "lighthouse-reopens.md"]
    mine.write_text("my own notes\n", encoding="utf-8")

    changed = body.replace(b"open again", b"shut again")
    feed_server.static("/mutable.xml", changed, "application/rss+xml")
    report = run([feed_server.url("/mutable.xml")], dest, state)

    assert mine.read_text(encoding="utf-8") == "my own notes\n"
    assert report.feeds[0].updated == 0
    assert any("left as it is" in n for n in report.feeds[0].notes)


def test_a_deleted_article_is_not_fetched_again(
    feed_server: FeedServer, dest: Path, state: Path
) -> None:
    run([feed_server.url("/rss2.xml")], dest, state)
    victim = next(dest.rglob("lighthouse-reopens.md"))
    victim.unlink()
    report = run([feed_server.url("/rss2.xml")], dest, state)
    assert report.feeds[0].new == 0
    assert not victim.exists()


def test_conditional_get_uses_the_remembered_etag(
    feed_server: FeedServer, dest: Path, state: Path
) -> None:
    url = feed_server.url("/etag.xml")
    first = run([url], dest, state)
    second = run([url], dest, state)

    assert first.feeds[0].new == 3 and not first.feeds[0].not_modified
    assert second.feeds[0].not_modified and second.ok
    assert second.feeds[0].title == "Harbour Gazette"
    sent = feed_server.request_headers["/etag.xml"]
    assert "If-None-Match" not in sent[0]
    assert sent[1].get("If-None-Match") == '"v1"'


def test_gzip_and_redirects_are_handled(feed_server: FeedServer, dest: Path, state: Path) -> None:
    report = run([feed_server.url("/gzip.xml"), feed_server.url("/redirect.xml")], dest, state)
    assert report.ok
    assert [f.new for f in report.feeds] == [3, 3]


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/not-found.xml", "HTTP 404"),
        ("/error.xml", "HTTP 500"),
        ("/loop-a", "redirect loop"),
        ("/slow.xml", "timed out"),
        ("/broken.xml", "broken response"),
        ("/big.xml", "response too large"),
        ("/page.html", "not a feed: got an HTML page"),
        ("/malformed.xml", "malformed XML"),
        ("/bomb.xml", "refused: the XML declares entities"),
        ("/external.xml", "refused"),
        ("/news/tide-tables", "not a feed"),
    ],
)
def test_each_bad_feed_gets_a_clear_reason_and_the_others_complete(
    feed_server: FeedServer, dest: Path, state: Path, path: str, reason: str
) -> None:
    started = time.monotonic()
    report = run([feed_server.url("/atom.xml"), feed_server.url(path)], dest, state)
    elapsed = time.monotonic() - started

    good, bad = report.feeds
    assert good.ok and good.new == 2
    assert not bad.ok and reason in (bad.error or ""), bad.error
    assert bad.new == 0
    assert not report.ok
    assert len(articles(dest)) == 2
    assert elapsed < 10


def test_a_500_is_retried_then_reported(feed_server: FeedServer, dest: Path, state: Path) -> None:
    report = run([feed_server.url("/error.xml")], dest, state)
    assert feed_server.hits["/error.xml"] == FAST.retries + 1
    assert "after 2 attempts" in (report.feeds[0].error or "")


def test_a_flaky_feed_succeeds_on_retry(feed_server: FeedServer, dest: Path, state: Path) -> None:
    body = (FEEDS / "atom.xml").read_bytes()

    def flaky(h: object) -> Reply:
        if feed_server.hits["/flaky.xml"] == 1:
            return Reply(503, b"busy", {"Retry-After": "0"})
        return Reply(200, body, {"Content-Type": "application/atom+xml"})

    feed_server.routes["/flaky.xml"] = flaky
    report = run([feed_server.url("/flaky.xml")], dest, state)
    assert report.ok and report.feeds[0].new == 2


def test_the_oversized_response_is_abandoned_early(
    feed_server: FeedServer, dest: Path, state: Path
) -> None:
    report = run([feed_server.url("/big.xml")], dest, state)
    assert "256.0 KB" in (report.feeds[0].error or "")


def test_the_html_page_reason_names_the_feed_it_links_to(
    feed_server: FeedServer, dest: Path, state: Path
) -> None:
    report = run([feed_server.url("/page.html")], dest, state)
    assert feed_server.url("/rss2.xml") in (report.feeds[0].error or "")


def test_dns_failure_and_unreachable_host(no_proxies: None, dest: Path, state: Path) -> None:
    with socket.socket() as s:  # a port where nothing listens
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    report = run(
        ["http://no-such-host.invalid/feed.xml", f"http://127.0.0.1:{port}/feed.xml"], dest, state
    )
    dns, refused = report.feeds
    assert "DNS lookup failed" in (dns.error or "") and "no-such-host.invalid" in (dns.error or "")
    assert "connection refused" in (refused.error or "")


def test_local_files_and_opml_lists(feed_server: FeedServer, dest: Path, state: Path) -> None:
    local = run([str(FEEDS / "subs.opml"), str(FEEDS / "rss1.rdf")], dest, state)
    assert local.ok
    assert [f.title for f in local.feeds] == [
        "Harbour Gazette",
        "Mountain Post",
        "River Journal",
        "Valley Courier",
    ]
    assert local.new == 3 + 2 + 2 + 1

    stages: list[tuple[str, str]] = []
    remote = run(
        [feed_server.url("/subs.opml")],
        dest / "remote",
        state,
        progress=lambda ev: stages.append((ev.feed, ev.stage)),
    )
    assert (feed_server.url("/subs.opml"), "expanded") in stages
    assert remote.ok
    assert [f.feed for f in remote.feeds] == [
        feed_server.url("/rss2.xml"),
        feed_server.url("/atom.xml"),
        feed_server.url("/feed.json"),
    ]
    assert remote.new == 7


def test_bad_local_inputs_are_reported_by_name(dest: Path, state: Path, tmp_path: Path) -> None:
    missing = tmp_path / "nope.xml"
    report = run([str(missing), "ftp://example.org/feed", str(tmp_path)], dest, state)
    errors = [f.error or "" for f in report.feeds]
    assert str(missing) in errors[0] and "no such file" in errors[0]
    assert "unsupported URL scheme 'ftp'" in errors[1]
    assert "is a folder" in errors[2]


def test_full_text_replaces_the_summary_with_the_page_text(
    feed_server: FeedServer, dest: Path, state: Path
) -> None:
    feed = feed_server.local_links((FEEDS / "rss2.xml").read_bytes())
    feed_server.static("/local.xml", feed, "application/rss+xml")

    report = run([feed_server.url("/local.xml")], dest, state, full_text=True)

    posts = {p["title"]: p for p in articles(dest).values()}
    tide = posts["Tide tables revised after storm"].content
    assert "survey boat confirmed the change" in tide
    assert "do-not-keep-this" not in tide and "Subscribe to our newsletter" not in tide
    ferry = posts["Ferry timetable / winter edition: ../../escape?"].content
    assert "*hourly*" in ferry  # extraction failed: the feed's summary stays
    assert any("kept the feed's summary" in n and "HTTP 404" in n for n in report.feeds[0].notes)
    assert report.ok
    # every page came from the local server
    assert {"/news/tide-tables", "/news/ferry", "/news/lighthouse"} <= set(feed_server.hits)


def test_progress_events_arrive_in_the_calling_thread(
    feed_server: FeedServer, dest: Path, state: Path
) -> None:
    seen: list[tuple[str, str, int]] = []
    threads: set[int] = set()

    def on_event(ev: FeedProgress) -> None:
        threads.add(threading.get_ident())
        seen.append((ev.feed, ev.stage, ev.total))

    urls = [feed_server.url("/rss2.xml"), feed_server.url("/not-found.xml")]
    run(urls, dest, state, progress=on_event, jobs=2)

    assert threads == {threading.get_ident()}
    finals = {(feed, stage) for feed, stage, _ in seen if stage in ("done", "failed")}
    assert finals == {(urls[0], "done"), (urls[1], "failed")}
    assert all(total == 2 for *_, total in seen)


def test_cancel_stops_the_run_without_partial_files(
    feed_server: FeedServer, dest: Path, state: Path
) -> None:
    cancel = threading.Event()

    def on_event(ev: FeedProgress) -> None:
        if ev.stage == "fetching":
            cancel.set()

    urls = [feed_server.url("/slow.xml"), feed_server.url("/atom.xml")]
    report = run(urls, dest, state, cancel=cancel, progress=on_event, jobs=1)

    assert report.cancelled and not report.ok
    assert leftovers(dest) == []


def test_keyboard_interrupt_propagates_and_leaves_no_temp_files(
    feed_server: FeedServer, dest: Path, state: Path
) -> None:
    def on_event(ev: FeedProgress) -> None:
        if ev.stage == "writing" and ev.entries_done >= 1:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run([feed_server.url("/rss2.xml")], dest, state, progress=on_event)
    assert leftovers(dest) == []
    for post in articles(dest).values():  # whatever was written is complete
        assert post["title"] and post["source"] == "Harbour Gazette"


def test_temp_files_of_a_killed_run_are_removed_at_the_next_start(
    feed_server: FeedServer, dest: Path, state: Path
) -> None:
    folder = dest / "harbour-gazette"
    folder.mkdir(parents=True)
    dead = folder / ".newstui-fetch-999999999-abc.tmp"  # no such pid
    dead.write_text("half a fi", encoding="utf-8")
    alive = folder / f".newstui-fetch-{os.getpid()}-abc.tmp"  # a live run's: kept
    alive.write_text("in progress", encoding="utf-8")

    run([feed_server.url("/rss2.xml")], dest, state)

    assert not dead.exists()
    assert alive.exists()


def test_a_users_file_with_the_same_name_is_never_overwritten(
    feed_server: FeedServer, dest: Path, state: Path
) -> None:
    mine = dest / "harbour-gazette" / "lighthouse-reopens.md"
    mine.parent.mkdir(parents=True)
    mine.write_text("# My lighthouse notes\n", encoding="utf-8")

    report = run([feed_server.url("/rss2.xml")], dest, state)

    assert mine.read_text(encoding="utf-8") == "# My lighthouse notes\n"
    assert mine.parent / "lighthouse-reopens-2.md" in report.written
    assert report.feeds[0].new == 3


def test_an_entry_id_repeated_in_one_feed_is_written_once(
    feed_server: FeedServer, dest: Path, state: Path
) -> None:
    body = (
        (FEEDS / "rss2.xml")
        .read_bytes()
        .replace(
            b"<guid>https://harbour.example/news/ferry</guid>",
            b'<guid isPermaLink="false">harbour-0001</guid>',
        )
    )
    feed_server.static("/dupes.xml", body, "application/rss+xml")
    report = run([feed_server.url("/dupes.xml")], dest, state)

    assert report.feeds[0].new == 2
    assert any("repeats an earlier entry" in n for n in report.feeds[0].notes)
    assert {p["title"] for p in articles(dest).values()} == {
        "Tide tables revised after storm",
        "Lighthouse reopens",
    }


def test_last_modified_is_sent_back_and_a_304_writes_nothing(
    feed_server: FeedServer, dest: Path, state: Path
) -> None:
    body = (FEEDS / "atom.xml").read_bytes()
    stamp = "Wed, 25 Nov 2026 12:00:00 GMT"

    def route(h: Handler) -> Reply:
        if h.headers.get("If-Modified-Since") == stamp:
            return Reply(304)
        return Reply(200, body, {"Content-Type": "application/atom+xml", "Last-Modified": stamp})

    feed_server.routes["/lm.xml"] = route
    first = run([feed_server.url("/lm.xml")], dest, state)
    second = run([feed_server.url("/lm.xml")], dest, state)
    assert first.feeds[0].new == 2
    assert second.feeds[0].not_modified and second.feeds[0].new == 0


def test_a_redirect_chain_longer_than_the_limit_is_refused(
    feed_server: FeedServer, dest: Path, state: Path
) -> None:
    for n in range(10):
        feed_server.routes[f"/hop{n}"] = lambda h, n=n: Reply(
            302, b"", {"Location": f"/hop{n + 1}"}
        )
    feed_server.static("/hop10", (FEEDS / "atom.xml").read_bytes(), "application/atom+xml")
    feed_server.routes["/to-ftp"] = lambda h: Reply(301, b"", {"Location": "ftp://example.org/f"})

    report = run(
        [feed_server.url("/hop0"), feed_server.url("/hop6"), feed_server.url("/to-ftp")],
        dest,
        state,
    )

    too_long, ok, ftp = report.feeds
    assert "too many redirects (more than 5)" in (too_long.error or "")
    assert ok.ok and ok.new == 2  # 4 hops is within the limit
    assert "unsupported URL scheme 'ftp'" in (ftp.error or "")


def test_a_gzip_bomb_is_stopped_at_the_size_cap(
    feed_server: FeedServer, dest: Path, state: Path
) -> None:
    bomb = gzip.compress(b"<rss>" + b" " * (50 * 1024 * 1024), compresslevel=9)
    assert len(bomb) < 100 * 1024
    feed_server.routes["/gzbomb.xml"] = lambda h: Reply(
        200, bomb, {"Content-Type": "application/rss+xml", "Content-Encoding": "gzip"}
    )
    report = run([feed_server.url("/gzbomb.xml")], dest, state)
    assert "response too large" in (report.feeds[0].error or "")


def test_cancel_does_not_wait_for_a_slow_server(
    feed_server: FeedServer, dest: Path, state: Path
) -> None:
    cancel = threading.Event()
    patient = HttpOptions(timeout=60.0, read_timeout=30.0, retries=0)

    def on_event(ev: FeedProgress) -> None:
        if ev.feed.endswith("/atom.xml") and ev.stage == "done":
            cancel.set()

    started = time.monotonic()
    report = fetch_feeds(
        [feed_server.url("/slow.xml"), feed_server.url("/atom.xml")],
        dest,
        state_path=state,
        http=patient,
        progress=on_event,
        cancel=cancel,
        jobs=2,
    )

    assert time.monotonic() - started < 2.5  # the slow server answers after 3 s
    slow, atom = report.feeds
    assert slow.error == "cancelled" and atom.ok and atom.new == 2
    assert report.cancelled
    assert leftovers(dest) == []
    # the worker still waiting on the slow server cannot hold up the process's exit
    lingering = [t for t in threading.enumerate() if t.name.startswith("newstui-fetch")]
    assert all(t.daemon for t in lingering)


def test_an_opml_list_from_the_web_cannot_name_local_files(
    feed_server: FeedServer, dest: Path, state: Path
) -> None:
    local = FEEDS / "atom.xml"
    opml = (
        '<opml version="2.0"><body>'
        f'<outline text="a" xmlUrl="file://{local}"/>'
        f'<outline text="b" xmlUrl="{feed_server.url("/feed.json")}"/>'
        "</body></opml>"
    ).encode()
    feed_server.static("/remote.opml", opml, "text/x-opml")

    report = run([feed_server.url("/remote.opml")], dest, state)

    file_feed, web_feed = report.feeds
    assert "unsupported URL scheme 'file'" in (file_feed.error or "")
    assert web_feed.ok and web_feed.new == 2
    assert {p["source"] for p in articles(dest).values()} == {"River Journal"}


def test_a_device_is_not_read_as_a_feed(dest: Path, state: Path) -> None:
    report = run(["/dev/zero"], dest, state)
    assert "not a regular file" in (report.feeds[0].error or "")
