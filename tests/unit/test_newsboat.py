"""The newsboat bridge on hand-built caches of newsboat's schema (2.21's, as `newsboat -x reload`
creates it): items → articles, deleted skipped, read/starred imported once, bad files named,
and reading never locks newsboat out."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from newstui.core.library.newsboat import import_states
from newstui.core.library.opening import open_library
from newstui.core.loaders import load_file
from newstui.core.loaders.newsboat import (
    MAX_CONTENT_CHARS,
    fingerprint,
    item_id,
    load_newsboat,
    snapshot,
)
from newstui.core.state import StateStore

# The tables newsboat 2.21 creates (copied from a cache it wrote).
SCHEMA = """
CREATE TABLE rss_feed (  rssurl VARCHAR(1024) PRIMARY KEY NOT NULL,  url VARCHAR(1024) NOT NULL,
  title VARCHAR(1024) NOT NULL , lastmodified INTEGER(11) NOT NULL DEFAULT 0,
  is_rtl INTEGER(1) NOT NULL DEFAULT 0, etag VARCHAR(128) NOT NULL DEFAULT "");
CREATE TABLE rss_item (  id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,  guid VARCHAR(64) NOT NULL,
  title VARCHAR(1024) NOT NULL,  author VARCHAR(1024) NOT NULL,  url VARCHAR(1024) NOT NULL,
  feedurl VARCHAR(1024) NOT NULL,  pubDate INTEGER NOT NULL,  content VARCHAR(65535) NOT NULL,
  unread INTEGER(1) NOT NULL , enclosure_url VARCHAR(1024), enclosure_type VARCHAR(1024),
  enqueued INTEGER(1) NOT NULL DEFAULT 0, flags VARCHAR(52), deleted INTEGER(1) NOT NULL DEFAULT 0,
  base VARCHAR(128) NOT NULL DEFAULT "");
CREATE TABLE google_replay (  id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
  guid VARCHAR(64) NOT NULL,  state INTEGER NOT NULL,  ts INTEGER NOT NULL );
CREATE INDEX idx_rssurl ON rss_feed(rssurl);
CREATE INDEX idx_guid ON rss_item(guid);
CREATE INDEX idx_feedurl ON rss_item(feedurl);
CREATE INDEX idx_deleted ON rss_item(deleted);
CREATE TABLE metadata (  db_schema_version_major INTEGER NOT NULL,
  db_schema_version_minor INTEGER NOT NULL );
INSERT INTO metadata VALUES (2, 21);
"""
FEED = "https://harbour.example/feed.xml"


def add_item(
    db: Path,
    guid: str,
    title: str,
    *,
    url: str = "",
    content: str = "<p>Body text of the item.</p>",
    unread: int = 1,
    flags: str | None = None,
    deleted: int = 0,
    author: str = "",
    pub: int = 1795422600,
    enclosure: str = "",
    feedurl: str = FEED,
) -> None:
    conn = sqlite3.connect(db)
    with conn:
        conn.execute(
            "INSERT INTO rss_item (guid, title, author, url, feedurl, pubDate, content, unread, "
            "enclosure_url, enclosure_type, flags, deleted) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            (guid, title, author, url, feedurl, pub, content, unread, enclosure,
             "audio/mpeg" if enclosure else "", flags, deleted),
        )  # fmt: skip
    conn.close()


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    db = tmp_path / "cache.db"
    conn = sqlite3.connect(db)
    conn.executescript(SCHEMA)
    conn.execute(
        "INSERT INTO rss_feed (rssurl, url, title) VALUES (?, ?, ?)",
        (FEED, "https://harbour.example/", "Harbour Gazette"),
    )
    conn.commit()
    conn.close()
    add_item(
        db,
        "h-1",
        "Tide tables revised",
        url="https://harbour.example/tide",
        content='<p>The <b>harbour</b> master.</p><script>alert("x")</script><ul><li>High</li></ul>',
        author="Ada Marsh",
    )
    add_item(db, "h-2", "Ferry read already", url="https://harbour.example/ferry", unread=0)
    add_item(db, "h-3", "Lighthouse starred", url="https://harbour.example/light", flags="as")
    add_item(db, "h-4", "Deleted item", url="https://harbour.example/gone", deleted=1, unread=0)
    add_item(
        db,
        "ep-5",
        "Podcast episode",
        url="https://harbour.example/ep5",
        enclosure="https://cdn.example/ep5.mp3",
    )
    add_item(db, "guid-only-6", "No link at all", content="Plain text body only.")
    return db


def by_title(path: Path) -> dict[str, object]:
    return {a.title: a for a in load_newsboat(path).articles}


def test_items_become_articles(cache: Path) -> None:
    outcome = load_file(cache)  # chosen by content: an SQLite file of any name
    assert not outcome.problems
    arts = {a.title: a for a in outcome.articles}
    assert set(arts) == {
        "Tide tables revised",
        "Ferry read already",
        "Lighthouse starred",
        "Podcast episode",
        "No link at all",
    }  # the deleted item is skipped
    tide = arts["Tide tables revised"]
    assert tide.source == "Harbour Gazette"
    assert tide.author == "Ada Marsh"
    assert tide.url == "https://harbour.example/tide"
    assert tide.published is not None and tide.published.year == 2026
    assert tide.body.startswith("The harbour master.\n\nHigh")
    assert "alert" not in tide.body and "<" not in tide.body  # HTML → text, scripts dropped
    assert f"Feed: {FEED}" in tide.body
    assert "Enclosure: https://cdn.example/ep5.mp3 (audio/mpeg)" in arts["Podcast episode"].body
    assert tide.path == cache and tide.location == f"{cache}#1"


def test_ids_are_stable_from_link_then_guid(cache: Path) -> None:
    first = {a.title: a.id for a in load_newsboat(cache).articles}
    # the link's id: the one any newstui source gives that URL
    assert first["Tide tables revised"] == item_id("https://harbour.example/tide", "h-1")
    assert first["No link at all"] == item_id("", "guid-only-6")
    add_item(cache, "h-7", "A later item", url="https://harbour.example/later")
    again = {a.title: a.id for a in load_newsboat(cache).articles}
    assert {t: again[t] for t in first} == first


def test_content_is_bounded_per_item(cache: Path) -> None:
    add_item(cache, "big", "Huge item", url="https://x.example/big", content="<p>word " * 100_000)
    big = {a.title: a for a in load_newsboat(cache).articles}["Huge item"]
    assert big.truncated and big.body.endswith("[truncated]")
    assert len(big.body) < MAX_CONTENT_CHARS


def test_markup_and_escapes_in_items_are_text(cache: Path) -> None:
    add_item(cache, "evil", "[bold]Evil\x1b]0;pwned\x07[/bold]", url="https://x.example/e")
    titles = [a.title for a in load_newsboat(cache).articles]
    evil = next(t for t in titles if "Evil" in t)
    assert "\x1b" not in evil and "\x07" not in evil
    assert evil.startswith("[bold]Evil")  # kept as text, shown literally by the UI


def test_state_imported_once_per_item(cache: Path, tmp_path: Path) -> None:
    seen = tmp_path / "seen.sqlite3"
    ids = {a.title: a.id for a in load_newsboat(cache).articles}
    with StateStore.open(tmp_path / "state.sqlite3") as store:
        assert import_states([cache], store, seen_path=seen) == 5
        assert store.read_ids() == {ids["Ferry read already"]}
        assert store.starred_ids() == {ids["Lighthouse starred"]}
        # newstui's own changes are newstui's: not undone by a later import
        store.set_read(ids["Ferry read already"], False)
        store.set_starred(ids["Lighthouse starred"], False)
        assert import_states([cache], store, seen_path=seen) == 0  # unchanged cache: not read
        add_item(cache, "h-8", "New and read", url="https://harbour.example/new", unread=0)
        assert import_states([cache], store, seen_path=seen) == 1  # only the new item
        new_id = item_id("https://harbour.example/new", "h-8")
        assert store.read_ids() == {new_id}
        assert store.starred_ids() == frozenset()


def test_deleted_items_state_is_not_imported(cache: Path, tmp_path: Path) -> None:
    with StateStore.open(tmp_path / "state.sqlite3") as store:
        import_states([cache], store, seen_path=tmp_path / "seen.sqlite3")
        assert item_id("https://harbour.example/gone", "h-4") not in store.read_ids()


def test_not_a_newsboat_db_is_named_not_raised(tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    (problem,) = load_file(other).problems
    assert problem.path == other and "not a newsboat cache" in problem.reason
    corrupt = tmp_path / "corrupt.db"
    corrupt.write_bytes(b"SQLite format 3\x00" + b"\xff" * 5000)
    (problem,) = load_file(corrupt).problems
    assert problem.path == corrupt and problem.kind == "skipped"
    assert str(corrupt) in str(problem)


def test_reading_never_locks_the_cache(cache: Path) -> None:
    """While newstui reads its snapshot, a writer that gives up at once on a lock (as
    newsboat does: no busy timeout) still writes."""
    with snapshot(cache) as conn:
        rows = conn.execute("SELECT title FROM rss_item")
        assert rows.fetchone() is not None  # a read under way
        writer = sqlite3.connect(cache, timeout=0)
        with writer:
            writer.execute("UPDATE rss_item SET unread = 0")
            writer.execute("INSERT INTO rss_feed (rssurl, url, title) VALUES ('a', 'b', 'c')")
        writer.close()
        # and the snapshot stays as it was when taken (one consistent view)
        assert conn.execute("SELECT count(*) FROM rss_item WHERE unread = 0").fetchone() == (2,)


def test_changes_in_the_wal_change_the_fingerprint(cache: Path) -> None:
    st = cache.stat()
    before = fingerprint(cache, st.st_size, st.st_mtime_ns)
    (cache.parent / "cache.db-wal").write_bytes(b"x" * 4096)
    assert fingerprint(cache, st.st_size, st.st_mtime_ns) != before


def test_a_wal_mode_cache_is_read(cache: Path) -> None:
    conn = sqlite3.connect(cache)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.close()
    assert "Tide tables revised" in by_title(cache)


def test_open_library_rereads_the_cache_when_it_changes(cache: Path, tmp_path: Path) -> None:
    first = open_library([cache], cache_dir=tmp_path / "k")
    assert len(first.scan.articles) == 5
    add_item(cache, "h-9", "Arrived later", url="https://harbour.example/later9")
    second = open_library([cache], cache_dir=tmp_path / "k")
    assert "Arrived later" in {a.title for a in second.scan.articles}
    assert second.search_index.search("arrived").total == 1


def test_a_write_during_the_copy_is_caught_and_the_copy_taken_again(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    import newstui.core.loaders.newsboat as nb

    real_copy = shutil.copyfile
    calls: list[int] = []

    def racing_copy(src: Path, dst: Path) -> object:
        out = real_copy(src, dst)
        if not calls:  # newsboat commits while the first copy is made
            add_item(cache, "race", "Written during the copy", url="https://x.example/race")
        calls.append(1)
        return out

    monkeypatch.setattr(nb.shutil, "copyfile", racing_copy)
    titles = {a.title for a in load_newsboat(cache).articles}
    assert len(calls) == 2  # the racing copy was thrown away
    assert "Written during the copy" in titles


def test_a_journal_next_to_the_cache_falls_back_to_the_backup_api(cache: Path) -> None:
    """A rollback journal means a write is under way: no lock-free copy then; SQLite's backup
    (a read transaction) gives the consistent view."""
    (cache.parent / "cache.db-journal").write_bytes(b"")
    assert "Tide tables revised" in by_title(cache)
    assert (cache.parent / "cache.db-journal").read_bytes() == b""  # left as it was


def test_item_count_and_nesting_are_bounded(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import newstui.core.loaders.newsboat as nb

    add_item(cache, "deep", "Deep", url="https://x.example/deep", content="<div>" * 5000)
    outcome = load_newsboat(cache)
    (deep,) = [p for p in outcome.problems if p.entry is not None]
    assert "nested more than" in deep.reason and deep.kind == "skipped"
    assert len(outcome.articles) == 5
    monkeypatch.setattr(nb, "MAX_ITEMS", 2)
    outcome = load_newsboat(cache)
    assert len(outcome.articles) == 2
    assert any("only the first 2 were read" in p.reason for p in outcome.problems)
