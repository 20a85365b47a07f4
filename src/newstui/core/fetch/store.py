"""What was fetched, per articles folder and feed: entries seen (for dedup across runs and
to find the file an updated entry must rewrite) and the feed's ETag / Last-Modified.

A small SQLite file in the data folder (``fetch.sqlite3``), never in the articles folder.
Safe to share between threads (one connection behind a lock) and between processes
(SQLite locking, WAL).
"""

from __future__ import annotations

import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS feeds (
    dest TEXT NOT NULL,
    url TEXT NOT NULL,
    title TEXT NOT NULL DEFAULT '',
    folder TEXT NOT NULL DEFAULT '',
    etag TEXT,
    last_modified TEXT,
    PRIMARY KEY (dest, url)
);
CREATE TABLE IF NOT EXISTS entries (
    dest TEXT NOT NULL,
    feed_url TEXT NOT NULL,
    key TEXT NOT NULL,
    path TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    file_hash TEXT NOT NULL DEFAULT '',
    fetched_at TEXT NOT NULL,
    PRIMARY KEY (dest, feed_url, key)
);
"""


@dataclass(slots=True, frozen=True)
class FeedRecord:
    title: str
    folder: str
    etag: str | None
    last_modified: str | None


@dataclass(slots=True, frozen=True)
class EntryRecord:
    path: str
    content_hash: str
    file_hash: str


class FetchStore:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, timeout=30, check_same_thread=False)
        with self._lock:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(SCHEMA)
            self._db.commit()

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> FetchStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def feed(self, dest: str, url: str) -> FeedRecord | None:
        with self._lock:
            row = self._db.execute(
                "SELECT title, folder, etag, last_modified FROM feeds WHERE dest=? AND url=?",
                (dest, url),
            ).fetchone()
        return FeedRecord(*row) if row else None

    def save_feed(
        self,
        dest: str,
        url: str,
        *,
        title: str,
        folder: str,
        etag: str | None,
        last_modified: str | None,
    ) -> None:
        with self._lock, self._db:
            self._db.execute(
                "INSERT INTO feeds (dest, url, title, folder, etag, last_modified) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (dest, url) DO UPDATE SET "
                "title=excluded.title, folder=excluded.folder, etag=excluded.etag, "
                "last_modified=excluded.last_modified",
                (dest, url, title, folder, etag, last_modified),
            )

    def entry(self, dest: str, feed_url: str, key: str) -> EntryRecord | None:
        with self._lock:
            row = self._db.execute(
                "SELECT path, content_hash, file_hash FROM entries "
                "WHERE dest=? AND feed_url=? AND key=?",
                (dest, feed_url, key),
            ).fetchone()
        return EntryRecord(*row) if row else None

    def save_entry(
        self,
        dest: str,
        feed_url: str,
        key: str,
        *,
        path: str,
        content_hash: str,
        file_hash: str,
        fetched_at: str,
    ) -> None:
        with self._lock, self._db:
            self._db.execute(
                "INSERT INTO entries (dest, feed_url, key, path, content_hash, file_hash, "
                "fetched_at) VALUES (?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (dest, feed_url, key) DO UPDATE SET path=excluded.path, "
                "content_hash=excluded.content_hash, file_hash=excluded.file_hash, "
                "fetched_at=excluded.fetched_at",
                (dest, feed_url, key, path, content_hash, file_hash, fetched_at),
            )
