"""newstui on a cache written by the real newsboat (`newsboat -u urls -c cache.db -x reload`
against the loopback feed server, HOME and XDG folders in tmp): the CLI lists and searches it,
the app shows it, `--newsboat` finds it at newsboat's default place, and newsboat still writes
while newstui reads."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest
from cli_run import cli_env, run_newstui
from fetch_server import FeedServer, feed_server  # noqa: F401  (a fixture)
from test_ui_support import open_app, screen_text

from newstui.core.loaders.newsboat import load_newsboat, snapshot

NEWSBOAT = shutil.which("newsboat")
pytestmark = pytest.mark.skipif(
    NEWSBOAT is None, reason="newsboat is not installed (apt-get install newsboat)"
)


def newsboat_env(home: Path) -> dict[str, str]:
    env = cli_env(home)
    env["HOME"] = str(home)
    return env


def newsboat_reload(home: Path, urls: list[str], cache: Path | None) -> None:
    """``newsboat -x reload``, headless: no terminal, no config, the cache at ``cache``
    (newsboat's default place when ``None``)."""
    home.mkdir(parents=True, exist_ok=True)
    url_file = home / "urls"
    url_file.write_text("\n".join(urls) + "\n")
    log = home / "newsboat.log"
    args = [str(NEWSBOAT), "-u", str(url_file), "-C", os.devnull, "-x", "reload"]
    args += ["-l", "3", "-d", str(log)]
    if cache is not None:
        args += ["-c", str(cache)]
    done = subprocess.run(
        args,
        env=newsboat_env(home),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    problems = log.read_text(errors="replace") if log.exists() else ""
    assert "database is locked" not in problems
    assert "USERERROR" not in problems, problems


@pytest.fixture
def real_cache(tmp_path: Path, feed_server: FeedServer) -> Path:  # noqa: F811
    cache = tmp_path / "nb" / "cache.db"
    cache.parent.mkdir()
    newsboat_reload(tmp_path / "nb", [feed_server.url("/rss2.xml")], cache)
    return cache


def test_cli_lists_and_searches_a_real_newsboat_cache(real_cache: Path, tmp_path: Path) -> None:
    env = cli_env(tmp_path / "user")
    done = run_newstui(env, "list", str(real_cache), "--format", "jsonl")
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    titles = {r["title"] for r in rows}
    assert titles == {
        "Tide tables revised after storm",
        "Ferry timetable / winter edition: ../../escape?",
        "Lighthouse reopens",
    }
    tide = next(r for r in rows if r["title"].startswith("Tide"))
    assert tide["source"] == "Harbour Gazette"
    assert tide["url"] == "https://harbour.example/news/tide-tables"
    assert tide["published"].startswith("2026-11-23T08:30:00")

    found = run_newstui(env, "search", "--dir", str(real_cache), "--format", "jsonl", "revisd")
    assert found.returncode == 0, found.stderr
    hits = json.loads(found.stdout)["hits"]
    assert [h["title"] for h in hits] == ["Tide tables revised after storm"]  # typo forgiven
    assert "alert" not in done.stdout + found.stdout  # the entry's <script> is not text

    shown = run_newstui(env, "show", tide["id"][:10], str(real_cache))
    assert shown.returncode == 0, shown.stderr
    assert "High tide: 06:12" in shown.stdout and "Ada Marsh" in shown.stdout


def test_read_state_from_newsboat_is_imported(real_cache: Path, tmp_path: Path) -> None:
    conn = sqlite3.connect(real_cache)  # as newsboat does when you read and flag an item
    with conn:
        conn.execute("UPDATE rss_item SET unread = 0 WHERE title LIKE 'Ferry%'")
        conn.execute("UPDATE rss_item SET flags = 's' WHERE title LIKE 'Lighthouse%'")
    conn.close()
    env = cli_env(tmp_path / "user")
    starred = run_newstui(env, "list", "--starred", str(real_cache), "--format", "jsonl")
    assert [json.loads(x)["title"] for x in starred.stdout.splitlines()] == ["Lighthouse reopens"]
    read = run_newstui(env, "search", "--dir", str(real_cache), "--format", "jsonl", "is:read")
    assert [h["title"] for h in json.loads(read.stdout)["hits"]] == [
        "Ferry timetable / winter edition: ../../escape?"
    ]


def test_newsboat_option_finds_the_default_cache(
    tmp_path: Path,
    feed_server: FeedServer,  # noqa: F811
) -> None:
    home = tmp_path / "home"
    newsboat_reload(home, [feed_server.url("/atom.xml")], None)  # newsboat picks the place
    env = newsboat_env(home)
    env["XDG_DATA_HOME"] = str(home / ".local" / "share")
    done = run_newstui(env, "list", "--newsboat", "--format", "jsonl")
    assert done.returncode == 0, done.stderr
    assert "Pass closed by early snow" in done.stdout
    empty = tmp_path / "empty"
    empty.mkdir()
    env = newsboat_env(empty)
    env["XDG_DATA_HOME"] = str(empty / "xdg")
    missing = run_newstui(env, "list", "--newsboat")
    assert missing.returncode == 2
    assert "--newsboat: no newsboat cache at" in missing.stderr
    assert "Traceback" not in missing.stderr


def test_newsboat_writes_while_newstui_reads(
    real_cache: Path,
    tmp_path: Path,
    feed_server: FeedServer,  # noqa: F811
) -> None:
    with snapshot(real_cache) as conn:
        cur = conn.execute("SELECT title FROM rss_item")
        assert cur.fetchone() is not None  # newstui mid-read
        newsboat_reload(
            tmp_path / "nb",
            [feed_server.url("/rss2.xml"), feed_server.url("/atom.xml")],
            real_cache,
        )
    titles = {a.title for a in load_newsboat(real_cache).articles}
    assert "Hut wardens wanted" in titles  # what newsboat wrote meanwhile


async def test_the_app_shows_a_real_newsboat_cache(real_cache: Path) -> None:
    async with open_app(real_cache) as (app, pilot):
        text = screen_text(app)
        assert "Tide tables revised after storm" in text
        assert "Lighthouse reopens" in text
        await pilot.press("/")
        await pilot.press(*"ferry")
        await pilot.press("enter")
        await pilot.pause()
        assert "Winter ferries run hourly." in screen_text(app)


async def test_the_app_rereads_the_cache_when_newsboat_writes(
    real_cache: Path,
    tmp_path: Path,
    feed_server: FeedServer,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("newstui.ui.newsboat_watch.INTERVAL", 0.2)
    async with open_app(real_cache) as (app, pilot):
        assert "Hut wardens wanted" not in screen_text(app)
        newsboat_reload(
            tmp_path / "nb",
            [feed_server.url("/rss2.xml"), feed_server.url("/atom.xml")],
            real_cache,
        )
        # re-read through the warm cache and re-grouped: seconds when the machine is busy
        for _ in range(300):
            await pilot.pause(0.1)
            if "Hut wardens wanted" in screen_text(app):
                break
        assert "Hut wardens wanted" in screen_text(app)
        assert "Tide tables revised after storm" in screen_text(app)
