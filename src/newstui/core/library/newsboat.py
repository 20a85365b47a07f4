"""newsboat's reading state into newstui's, once per item.

The first time newstui sees an item of a newsboat cache (a ``cache.db`` among the folders), the
item's state in newsboat is imported: ``unread = 0`` → read, a flag ``s`` → starred. Each item
is imported once: what the user later does in newstui (or in newsboat) is not carried over
again. Which items were imported is remembered per cache in
``<data folder>/newsboat-import.sqlite3`` (with the cache's size and mtime, so an unchanged
cache is not read again).

The cache is read through :func:`~newstui.core.loaders.newsboat.snapshot` (a copy; newsboat
is never locked out). A cache that cannot be read is left for the loader to report.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Protocol

from newstui.core import paths
from newstui.core.loaders.newsboat import (
    NewsboatError,
    find_default_cache,
    fingerprint,
    is_sqlite_file,
    item_states,
    snapshot,
)

__all__ = ["StateSink", "find_default_cache", "import_states", "newsboat_caches", "seen_file"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS caches (key TEXT PRIMARY KEY, size INTEGER, mtime_ns INTEGER);
CREATE TABLE IF NOT EXISTS seen (key TEXT, id TEXT, PRIMARY KEY (key, id)) WITHOUT ROWID;
"""
_BATCH = 10_000  # items a transaction (each is fsynced: few and large)


class StateSink(Protocol):
    """What the import writes to (a :class:`~newstui.core.state.StateStore`)."""

    def set_read_many(self, article_ids: Iterable[str], read: bool = True) -> None: ...

    def set_starred_many(self, article_ids: Iterable[str], starred: bool = True) -> None: ...


def seen_file() -> Path:
    return paths.data_dir() / "newsboat-import.sqlite3"


def newsboat_caches(roots: Sequence[Path]) -> list[Path]:
    """The roots that are SQLite files (newsboat caches; others are reported by the loader)."""
    return [Path(r) for r in roots if is_sqlite_file(Path(r))]


def import_states(roots: Sequence[Path], store: StateSink, *, seen_path: Path | None = None) -> int:
    """Import the state of the items newstui has not seen yet in the newsboat caches among
    ``roots``; how many items were new. Never raises for an unreadable cache or
    bookkeeping file (nothing is imported from it)."""
    caches = newsboat_caches(roots)
    if not caches:
        return 0
    where = seen_path or seen_file()
    try:
        where.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(where, timeout=10, isolation_level=None)
    except (OSError, sqlite3.Error):
        return 0
    total = 0
    try:
        conn.executescript(_SCHEMA)
        for cache in caches:
            with contextlib.suppress(NewsboatError, sqlite3.Error, OSError):
                total += _import_one(conn, cache, store)
    except sqlite3.Error:
        pass
    finally:
        conn.close()
    return total


def _import_one(conn: sqlite3.Connection, cache: Path, store: StateSink) -> int:
    key = os.path.realpath(cache)
    st = cache.stat()
    size, mtime_ns = fingerprint(cache, st.st_size, st.st_mtime_ns)
    known = conn.execute("SELECT size, mtime_ns FROM caches WHERE key = ?", (key,)).fetchone()
    if known is not None and tuple(known) == (size, mtime_ns):
        return 0
    new = 0
    with snapshot(cache) as db:
        pending: list[tuple[str, bool, bool]] = []
        for state in item_states(db):
            pending.append((state.id, state.read, state.starred))
            if len(pending) >= _BATCH:
                new += _apply(conn, key, pending, store)
                pending = []
        new += _apply(conn, key, pending, store)
    conn.execute(
        "INSERT INTO caches (key, size, mtime_ns) VALUES (?, ?, ?) ON CONFLICT (key) "
        "DO UPDATE SET size = excluded.size, mtime_ns = excluded.mtime_ns",
        (key, size, mtime_ns),
    )
    return new


def _apply(
    conn: sqlite3.Connection, key: str, batch: list[tuple[str, bool, bool]], store: StateSink
) -> int:
    """The items of ``batch`` not seen before: their state into ``store``, then marked seen
    (after the store has them: a crash in between imports them again, never loses them)."""
    if not batch:
        return 0
    ids = list(dict.fromkeys(i for i, _, _ in batch))
    seen: set[str] = set()
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ",".join("?" * len(chunk))
        seen.update(
            str(r[0])
            for r in conn.execute(
                f"SELECT id FROM seen WHERE key = ? AND id IN ({marks})", (key, *chunk)
            )
        )
    fresh = [(i, read, starred) for i, read, starred in batch if i not in seen]
    if not fresh:
        return 0
    read_ids = [i for i, read, _ in fresh if read]
    if read_ids:
        store.set_read_many(read_ids, True)
    starred_ids = [i for i, _, starred in fresh if starred]
    if starred_ids:
        store.set_starred_many(starred_ids, True)
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.executemany(
            "INSERT OR IGNORE INTO seen (key, id) VALUES (?, ?)", [(key, i) for i, _, _ in fresh]
        )
        conn.execute("COMMIT")
    except sqlite3.Error:
        conn.execute("ROLLBACK")
        raise
    return len({i for i, _, _ in fresh})
