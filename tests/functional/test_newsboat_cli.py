"""The newsboat bridge on the command line without the real newsboat: a bad cache is one line,
and a cache is read but never written into (fetch)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from cli_run import cli_env, run_newstui


def test_not_a_cache_is_one_clear_line(tmp_path: Path) -> None:
    bad = tmp_path / "cache.db"
    bad.write_bytes(b"SQLite format 3\x00" + b"\x00\xff" * 3000)
    env = cli_env(tmp_path / "user")
    done = run_newstui(env, "list", str(bad))
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert str(bad) in done.stderr


def test_fetch_never_writes_into_a_newsboat_cache(tmp_path: Path) -> None:
    cache = tmp_path / "cache.db"
    conn = sqlite3.connect(cache)
    conn.execute("CREATE TABLE rss_item (guid)")
    conn.commit()
    conn.close()
    before = cache.read_bytes()
    env = cli_env(tmp_path / "user")
    env["NEWSTUI_ARTICLES"] = str(cache)
    done = run_newstui(env, "fetch", "https://127.0.0.1:9/feed.xml")
    assert done.returncode == 2
    assert f"{cache} is a newsboat cache, read only" in done.stderr
    assert cache.read_bytes() == before


def test_a_cache_in_the_settings_folders_is_read(tmp_path: Path) -> None:
    cache = tmp_path / "nb.db"  # any name: an SQLite file is taken as newsboat's cache
    conn = sqlite3.connect(cache)
    conn.executescript(
        "CREATE TABLE rss_feed (rssurl TEXT PRIMARY KEY, url TEXT, title TEXT);"
        "CREATE TABLE rss_item (id INTEGER PRIMARY KEY, guid TEXT, title TEXT, author TEXT,"
        " url TEXT, feedurl TEXT, pubDate INTEGER, content TEXT, unread INTEGER,"
        " flags TEXT, deleted INTEGER);"
        "INSERT INTO rss_feed VALUES ('https://f.example/rss', 'https://f.example', 'Valley News');"
        "INSERT INTO rss_item VALUES (1, 'g1', 'Orchard blooms early', '',"
        " 'https://f.example/orchard', 'https://f.example/rss', 1795422600,"
        " '<p>Apple trees</p>', 1, '', 0);"
    )
    conn.commit()
    conn.close()
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "note.txt").write_text("Title: A plain note\n\nJust text.\n")
    config = tmp_path / "config.toml"
    config.write_text(f'folders = ["{folder}", "{cache}"]\n')
    env = cli_env(tmp_path / "user")
    done = run_newstui(env, "--config", str(config), "list")
    assert done.returncode == 0, done.stderr
    assert "Orchard blooms early" in done.stdout and "Valley News" in done.stdout
    assert "A plain note" in done.stdout
