"""The store's tables, their migrations, and reading them into memory.

Migration n (1-based) brings a store from ``user_version`` n-1 to n; append, never edit.
:func:`prepare` readies an opened file (WAL, ``synchronous=FULL``, migrations, a structural
``quick_check``); :func:`load` reads one consistent snapshot of every table but the biggest
(the read ids, loaded on first use by :func:`load_read`). Every string the store keeps passes
:func:`storable`; every string it shows again passes :func:`displayable`.
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

from newstui.core.state.errors import UnusableStore
from newstui.core.text import clean_text

#: How many past searches are kept (older ones are dropped).
HISTORY_KEEP = 1000
#: How long a write waits for another process holding the write lock before giving up.
LOCK_TIMEOUT_S = 30.0
#: The biggest reading position (a line number) the store keeps.
MAX_POSITION = 2**31 - 1

_T = TypeVar("_T")
_V = TypeVar("_V", int, str)

# WITHOUT ROWID tables keep each row in the primary-key b-tree, so loading a table at open
# reads every page it owns (a damaged page is found then, not later).
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        "CREATE TABLE read_state (id TEXT PRIMARY KEY, at REAL NOT NULL) WITHOUT ROWID",
        "CREATE TABLE starred (id TEXT PRIMARY KEY, at REAL NOT NULL) WITHOUT ROWID",
        "CREATE TABLE position (id TEXT PRIMARY KEY, line INTEGER NOT NULL, at REAL NOT NULL)"
        " WITHOUT ROWID",
        "CREATE TABLE kv (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID",
        "CREATE TABLE search_history (seq INTEGER PRIMARY KEY, query TEXT NOT NULL UNIQUE,"
        " at REAL NOT NULL)",
    ),
    # 2: saved searches (see .saved); key is the name casefolded, pos the user's order.
    (
        "CREATE TABLE saved_search (key TEXT PRIMARY KEY, name TEXT NOT NULL,"
        " query TEXT NOT NULL, pos INTEGER NOT NULL) WITHOUT ROWID",
    ),
)
SCHEMA_VERSION = len(MIGRATIONS)
#: The saved searches in the user's order (at most 4 x MAX_SAVED_SEARCHES rows are read).
SAVED_ROWS = "SELECT name, query FROM saved_search ORDER BY pos, key LIMIT 800"


def storable(value: str) -> str:
    """``value`` as SQLite can store it: lone surrogates (from broken input) become "?"."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return value.encode("utf-8", "replace").decode("utf-8")
    return value


def displayable(value: str) -> str:
    """A remembered string (a search, a value) safe to show and to store: escape sequences
    and control characters removed, whitespace runs made one space, lone surrogates made "?".
    State is untrusted like article text (an import, or a store file from elsewhere, can hold
    anything)."""
    value = storable(value)
    return value if value.isprintable() else clean_text(value, keep_newlines=False)


def search_text(query: str) -> str:
    """A search as the history keeps it: :func:`displayable`, without outer spaces ("" for
    a blank one, which the history never keeps)."""
    return displayable(query).strip()


def is_locked(exc: BaseException) -> bool:
    """True when SQLite says another connection holds the database (locked, busy)."""
    msg = str(exc).lower()
    return isinstance(exc, sqlite3.OperationalError) and ("locked" in msg or "busy" in msg)


def connect(target: str) -> sqlite3.Connection:
    """A connection as the store uses it: autocommit (transactions are explicit), a busy
    timeout, usable from the app's worker threads (the store serialises with its lock)."""
    return sqlite3.connect(
        target, timeout=LOCK_TIMEOUT_S, isolation_level=None, check_same_thread=False
    )


def retry_locked(fn: Callable[[], _T], timeout: float = LOCK_TIMEOUT_S) -> _T:
    """Call ``fn``, retrying while SQLite says the database is locked/busy."""
    deadline = time.monotonic() + timeout
    delay = 0.005
    while True:
        try:
            return fn()
        except sqlite3.OperationalError as exc:
            if not is_locked(exc) or time.monotonic() >= deadline:
                raise
        time.sleep(delay)
        delay = min(delay * 2, 0.1)


def prepare(conn: sqlite3.Connection) -> None:
    """Ready an opened store file: WAL, ``synchronous=FULL``, migrated, structurally sound.

    Raises :class:`UnusableStore` for a newer schema or damage, ``sqlite3.Error`` otherwise."""
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        raise UnusableStore(
            f"written by a newer newstui (schema {version}; this one knows up to {SCHEMA_VERSION})"
        )
    mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
    if str(mode).lower() != "wal":
        # Where WAL is impossible (some network file systems) SQLite keeps its rollback
        # journal: still durable with synchronous=FULL, only less concurrent.
        conn.execute("PRAGMA journal_mode = WAL").fetchone()
    conn.execute("PRAGMA synchronous = FULL")
    if version < SCHEMA_VERSION:
        migrate(conn)
    # Every page of every table and index, structurally (not the slow cross-checks of
    # integrity_check): ~5 ms for 100k read ids, and damage is found now, not mid-session.
    problems = [row[0] for row in conn.execute("PRAGMA quick_check(3)")]
    if problems != ["ok"]:
        raise UnusableStore(f"damaged: {problems[0]}", salvage=True)


def migrate(conn: sqlite3.Connection) -> None:
    """Bring the store to :data:`SCHEMA_VERSION` in one transaction."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        # Another process may have migrated while we waited for the lock: read it again.
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise UnusableStore(f"written by a newer newstui (schema {version})")
        if version == 0 and _has_tables(conn):
            raise UnusableStore("it is an SQLite database, but not a newstui state store")
        for n in range(version, SCHEMA_VERSION):
            for statement in MIGRATIONS[n]:
                conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        conn.execute("COMMIT")
    except BaseException:
        with contextlib.suppress(sqlite3.Error):
            conn.execute("ROLLBACK")
        raise


def _has_tables(conn: sqlite3.Connection) -> bool:
    row = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    return bool(row[0])


@dataclass(frozen=True, slots=True)
class KeyedTable(Generic[_V]):
    """A table of one value per key (reading positions, remembered values)."""

    name: str
    key: str
    value: str
    #: The table has an ``at`` column (when the row was written).
    stamped: bool

    def read(self, conn: sqlite3.Connection) -> dict[str, _V]:
        """Every row, key: value."""
        return dict(conn.execute(f"SELECT {self.key}, {self.value} FROM {self.name}").fetchall())

    def write(self, conn: sqlite3.Connection, changes: Mapping[str, _V | None], now: float) -> None:
        """Set each key to its value, or forget it for ``None`` (inside a write transaction)."""
        columns = f"{self.key}, {self.value}, at" if self.stamped else f"{self.key}, {self.value}"
        marks = "?, ?, ?" if self.stamped else "?, ?"
        stamp: tuple[float, ...] = (now,) if self.stamped else ()
        conn.executemany(
            f"INSERT OR REPLACE INTO {self.name} ({columns}) VALUES ({marks})",
            [(k, v, *stamp) for k, v in changes.items() if v is not None],
        )
        conn.executemany(
            f"DELETE FROM {self.name} WHERE {self.key} = ?",
            [(k,) for k, v in changes.items() if v is None],
        )


#: Reading positions: article id -> line (a line of 0 is no row).
POSITIONS: KeyedTable[int] = KeyedTable("position", "id", "line", stamped=True)
#: Remembered values: name -> string.
VALUES: KeyedTable[str] = KeyedTable("kv", "key", "value", stamped=False)


@dataclass(slots=True)
class Snapshot:
    """What :func:`load` read: every table as the store keeps it in memory."""

    read: dict[str, None] | None  # None: not loaded yet (loaded on first use)
    starred: dict[str, None]
    positions: dict[str, int]
    values: dict[str, str]
    history: list[str]
    #: The saved searches' rows (name, query) in order, as the file holds them (cleaned
    #: by :func:`newstui.core.state.saved.from_rows`).
    saved: list[tuple[object, object]]


def load(conn: sqlite3.Connection, *, with_read: bool = True) -> Snapshot:
    """Every table, read in one transaction (a consistent snapshot)."""
    conn.execute("BEGIN")
    try:
        read = load_read(conn) if with_read else None
        starred = dict.fromkeys(r for (r,) in conn.execute("SELECT id FROM starred"))
        positions = POSITIONS.read(conn)
        values = {k: displayable(v) for k, v in VALUES.read(conn).items()}
        history = list(
            dict.fromkeys(
                search_text(q)
                for (q,) in conn.execute(
                    "SELECT query FROM search_history ORDER BY seq DESC LIMIT ?", (HISTORY_KEEP,)
                )
            )
        )
        if "" in history:
            history.remove("")
        saved: list[tuple[object, object]] = [(n, q) for n, q in conn.execute(SAVED_ROWS)]
    finally:
        with contextlib.suppress(sqlite3.Error):
            conn.execute("COMMIT")
    return Snapshot(read, starred, positions, values, history, saved)


def load_read(conn: sqlite3.Connection) -> dict[str, None]:
    """The read ids (the biggest table)."""
    return dict.fromkeys(r for (r,) in conn.execute("SELECT id FROM read_state"))
