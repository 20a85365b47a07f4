"""One deadline per feed (issue 10, items 3 and 20): a feed that never answers, or answers a
byte at a time, costs at most its timeout, retries included, and never holds the others."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import pytest
from cli_run import cli_env, run_newstui
from fetch_server import FeedServer, Reply, dead_server, feed_server

from newstui.cli.fetch_run import http_options
from newstui.core.fetch import FetchReport, HttpOptions, fetch_feeds
from newstui.core.settings import Settings, parse_settings

__all__ = ["feed_server"]


def run(sources: list[str], tmp_path: Path, opts: HttpOptions, jobs: int = 4) -> FetchReport:
    return fetch_feeds(
        sources, tmp_path / "news", state_path=tmp_path / "fetch.sqlite3", http=opts, jobs=jobs
    )


def timed(sources: list[str], tmp_path: Path, opts: HttpOptions) -> tuple[FetchReport, float]:
    started = time.monotonic()
    report = run(sources, tmp_path, opts)
    return report, time.monotonic() - started


def test_a_dead_feed_costs_at_most_its_timeout_and_the_others_complete(
    feed_server: FeedServer, tmp_path: Path
) -> None:
    opts = HttpOptions(timeout=1.5, read_timeout=20.0, retries=2, backoff=0.01)
    with dead_server() as dead:
        report, elapsed = timed(
            [feed_server.url("/rss2.xml"), dead, feed_server.url("/atom.xml")], tmp_path, opts
        )
    rss, silent, atom = report.feeds
    assert rss.ok and rss.new == 3 and atom.ok and atom.new == 2
    assert silent.error == "timed out: no complete response from 127.0.0.1 within 1.5 s"
    assert elapsed < 2.5  # before: 3 attempts of the read timeout


def test_a_read_timeout_is_not_retried(feed_server: FeedServer, tmp_path: Path) -> None:
    opts = HttpOptions(timeout=10.0, read_timeout=0.4, retries=2, backoff=0.01)
    report, elapsed = timed([feed_server.url("/silent.xml")], tmp_path, opts)
    assert report.feeds[0].error == "timed out: 127.0.0.1 sent nothing for 0.4 s"
    assert feed_server.hits["/silent.xml"] == 1
    assert elapsed < 1.5


@pytest.mark.parametrize("path", ["/drip-headers.xml", "/drip-body.xml"])
def test_a_server_trickling_bytes_is_cut_off_at_the_deadline(
    feed_server: FeedServer, tmp_path: Path, path: str
) -> None:
    # A byte every 0.2 s never trips the 1 s read timeout: only the deadline can stop it.
    feed_server.drip_interval = 0.2
    opts = HttpOptions(timeout=1.5, read_timeout=1.0, retries=2, backoff=0.01)
    report, elapsed = timed([feed_server.url(path), feed_server.url("/atom.xml")], tmp_path, opts)
    drip, atom = report.feeds
    assert drip.error == "timed out: no complete response from 127.0.0.1 within 1.5 s"
    assert atom.ok and atom.new == 2
    assert elapsed < 2.5
    assert feed_server.hits[path] == 1  # not retried past the deadline


def test_retries_stop_at_the_deadline(feed_server: FeedServer, tmp_path: Path) -> None:
    feed_server.routes["/busy.xml"] = lambda h: Reply(503, b"busy", {"Retry-After": "5"})
    opts = HttpOptions(timeout=1.0, retries=5, backoff=0.01, max_backoff=30.0)
    report, elapsed = timed([feed_server.url("/busy.xml")], tmp_path, opts)
    error = report.feeds[0].error or ""
    assert error.startswith("HTTP 503") and "no time left within 1 s" in error, error
    assert elapsed < 1.0


def test_a_refused_connection_is_retried_within_the_deadline(
    feed_server: FeedServer, tmp_path: Path
) -> None:
    calls: list[float] = []

    def refused_then_ok(h: object) -> Reply:
        calls.append(time.monotonic())
        if len(calls) < 3:
            return Reply(503, b"busy")
        return Reply(200, b"", {"Content-Type": "application/rss+xml"})

    feed_server.routes["/late.xml"] = refused_then_ok
    opts = HttpOptions(timeout=5.0, retries=2, backoff=0.01)
    run([feed_server.url("/late.xml")], tmp_path, opts)
    assert len(calls) == 3


def _args(*argv: str) -> argparse.Namespace:
    from newstui.cli import build_parser

    return build_parser().parse_args(["fetch", *argv])


def test_the_default_timeout_is_30_seconds_and_the_setting_and_option_change_it() -> None:
    assert HttpOptions().timeout == 30.0
    assert Settings().fetch_timeout == 30.0
    assert http_options(_args("x.xml"), None).timeout == 30.0
    assert http_options(_args("x.xml"), Settings()).timeout == 30.0
    settings, warnings = parse_settings({"fetch_timeout": 7})
    assert warnings == [] and settings.fetch_timeout == 7.0
    assert http_options(_args("x.xml"), settings).timeout == 7.0
    assert http_options(_args("x.xml", "--timeout", "2.5"), settings).timeout == 2.5


@pytest.mark.parametrize("value", [0, -3, "soon", True, float("nan"), 1e9])
def test_a_bad_fetch_timeout_setting_is_named_and_the_default_kept(value: object) -> None:
    settings, warnings = parse_settings({"fetch_timeout": value})
    assert settings.fetch_timeout == 30.0
    assert len(warnings) == 1 and "fetch_timeout" in warnings[0], warnings


def test_the_command_line_honours_timeout_and_reports_the_dead_feed(
    feed_server: FeedServer, tmp_path: Path
) -> None:
    env = cli_env(tmp_path)
    config = tmp_path / "config.toml"
    config.write_text("fetch_timeout = 1.5\n", encoding="utf-8")
    with dead_server() as dead:
        started = time.monotonic()
        proc = run_newstui(
            env, "fetch", "--config", str(config), "--dir", str(tmp_path / "news"),
            feed_server.url("/atom.xml"), dead,
        )  # fmt: skip
        elapsed = time.monotonic() - started
    assert proc.returncode == 1, proc.stderr
    assert "within 1.5 s" in " ".join(proc.stdout.split())
    assert "2 new" in proc.stdout
    assert elapsed < 15  # interpreter start-up included; before: 3 x 20 s


def test_full_text_pages_on_a_dead_server_cost_one_timeout_not_one_each(
    feed_server: FeedServer, tmp_path: Path
) -> None:
    with dead_server() as dead:
        items = b"".join(
            b"<item><title>Entry %d</title><link>%s?%d</link><description>summary %d"
            b"</description></item>" % (n, dead.encode(), n, n)
            for n in range(8)
        )
        body = b"<rss version='2.0'><channel><title>Dead pages</title>%s</channel></rss>" % items
        feed_server.static("/dead-pages.xml", body, "application/rss+xml")
        opts = HttpOptions(timeout=1.0, retries=0)
        started = time.monotonic()
        report = fetch_feeds(
            [feed_server.url("/dead-pages.xml")],
            tmp_path / "news",
            state_path=tmp_path / "fetch.sqlite3",
            http=opts,
            jobs=2,
            full_text=True,
        )
        elapsed = time.monotonic() - started
    feed = report.feeds[0]
    assert feed.ok and feed.new == 8  # every entry kept with its summary
    assert sum("timed out" in n for n in feed.notes) == 8, feed.notes
    assert elapsed < 3.0  # before: 8 pages x the timeout / 2 workers


def test_a_resolver_that_does_not_answer_is_bounded_by_the_deadline(
    feed_server: FeedServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import socket

    real = socket.getaddrinfo

    def slow_dns(host: str, *args: object, **kw: object) -> object:
        if host == "slow-dns.example":
            time.sleep(5)  # a resolver that does not answer
        return real(host, *args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(socket, "getaddrinfo", slow_dns)
    opts = HttpOptions(timeout=1.0, retries=2)
    report, elapsed = timed(
        ["http://slow-dns.example/feed.xml", feed_server.url("/atom.xml")], tmp_path, opts
    )
    slow, atom = report.feeds
    assert slow.error == "timed out: no complete response from slow-dns.example within 1 s"
    assert atom.ok and atom.new == 2
    assert elapsed < 2.0
