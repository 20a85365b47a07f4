"""Reading state that persists and is never lost: read/starred, positions, history, values.

The store is one SQLite file (``paths.data_dir()/"state.sqlite3"``) in WAL mode with
``synchronous=FULL``: every write is committed (and fsynced) before the method returns, so
an action the user saw on screen survives ``kill -9`` and power loss. Every write runs in a
``BEGIN IMMEDIATE`` transaction under a busy timeout, with a retry on ``database is locked``,
so several newstui processes can share the store.

Reads are served from memory (sets and dicts loaded by :meth:`StateStore.open`; the read ids,
the one big table, on first use), cheap enough to call for every visible row. State is keyed
by the stable article id, so moving or renaming an article file keeps its state. A store
does not see later writes by another process until :meth:`StateStore.reload`.

:meth:`StateStore.open` never raises for a bad file: it runs SQLite's ``quick_check``, and a
corrupt, truncated or unreadable store (or a directory in its place, or one written by a newer
newstui) is moved aside as ``state.sqlite3.corrupt-<timestamp>``, a fresh store is created and
whatever rows can still be read from the damaged one are copied in; ``store.notice`` then holds
a one-line message for the user. If even that fails (read-only folder), the store lives in
memory for this run, again with a notice. A write that cannot be saved (disk full, ...) raises
:class:`StateError` (one line).
"""

from __future__ import annotations

import contextlib
import functools
import os
import shutil
import sqlite3
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from newstui.core import paths
from newstui.core.text import clean_line, clean_text

STATE_FILENAME = "state.sqlite3"
EXPORT_FORMAT = "newstui-state"
EXPORT_VERSION = 1
#: How many past searches are kept (older ones are dropped).
HISTORY_KEEP = 1000
#: How long a write waits for another process holding the write lock before giving up.
LOCK_TIMEOUT_S = 30.0

_T = TypeVar("_T")


class StateError(Exception):
    """A write could not be saved (disk full, file removed, ...); one clear line."""


class StateImportError(ValueError):
    """Data given to :meth:`StateStore.import_json` is not a valid newstui state export."""


# --- schema -----------------------------------------------------------------------------------

# Migration n (1-based) brings a store from user_version n-1 to n. Append, never edit.
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
)
SCHEMA_VERSION = len(MIGRATIONS)


def default_path() -> Path:
    """Where the store lives: ``$XDG_DATA_HOME/newstui/state.sqlite3`` (via platformdirs)."""
    return paths.data_dir() / STATE_FILENAME


def _text(value: str) -> str:
    """``value`` as SQLite can store it: lone surrogates (from broken input) become "?"."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return value.encode("utf-8", "replace").decode("utf-8")
    return value


def _safe(value: str) -> str:
    """A remembered string (a search, a value) safe to show: escape sequences and control
    characters removed, whitespace runs made one space. State is untrusted like article
    text (an import, or a store file from elsewhere, can hold anything)."""
    return value if value.isprintable() else clean_text(value, keep_newlines=False)


def _is_locked(exc: BaseException) -> bool:
    msg = str(exc).lower()
    return isinstance(exc, sqlite3.OperationalError) and ("locked" in msg or "busy" in msg)


class _Unusable(Exception):
    """The file at the store's path cannot be used as a store (reason in the message).

    ``salvage``: the file looks like a damaged store, worth reading what is left of it.
    """

    def __init__(self, message: str, *, salvage: bool = False) -> None:
        super().__init__(message)
        self.salvage = salvage


@dataclass(slots=True)
class _Loaded:
    read: dict[str, None] | None  # None: not loaded yet (loaded on first use)
    starred: dict[str, None]
    positions: dict[str, int]
    values: dict[str, str]
    history: list[str]


class StateStore:
    """The reading state. Create with :meth:`open` (or :meth:`memory` for tests)."""

    def __init__(
        self, conn: sqlite3.Connection, path: Path | None, loaded: _Loaded, notice: str | None
    ) -> None:
        self._conn: sqlite3.Connection | None = conn
        #: The store file, or ``None`` when the store lives in memory.
        self.path = path
        #: One line for the user when something went wrong at open (else ``None``).
        self.notice = notice
        self._lock = threading.RLock()
        # dicts used as insertion-ordered sets
        self._read_cache = loaded.read
        self._starred = loaded.starred
        self._positions = loaded.positions
        self._values = loaded.values
        self._history = loaded.history
        self._read_frozen: frozenset[str] | None = None
        self._starred_frozen: frozenset[str] | None = None

    # --- opening ------------------------------------------------------------------------------

    @classmethod
    def open(cls, path: Path | None = None) -> StateStore:
        """Open (creating if needed) the store at ``path`` (default: :func:`default_path`).

        Never raises for a bad file; see the module docstring.
        """
        path = default_path() if path is None else Path(path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            return cls.memory(
                notice=f"Cannot create the state folder {path.parent} ({_reason(exc)}); "
                "reading state will not be saved this session."
            )
        notice: str | None = None
        salvage_from: Path | None = None
        attempts = 4
        for attempt in range(attempts):
            before = _identity(path)
            try:
                conn, loaded = _open_file(path)
            except _Locked as exc:
                return cls.memory(
                    notice=f"The state file {path} stays locked by another program ({exc}); "
                    "reading state will not be saved this session."
                )
            except _Trouble as exc:
                if before is None and _identity(path) is None:
                    problem = _folder_problem(path, exc)
                    return cls.memory(
                        notice=f"Cannot create the state file {path} ({problem}); "
                        "reading state will not be saved this session."
                    )
                return cls.memory(
                    notice=f"Cannot open the state file {path} ({exc}); it was left as it is, "
                    "and reading state will not be saved this session."
                )
            except _Unusable as exc:
                if attempt == attempts - 1:
                    return cls.memory(
                        notice=f"Cannot use the state file {path} ({exc}); reading state will "
                        "not be saved this session."
                    )
                if _identity(path) != before:
                    continue  # someone else replaced the file meanwhile: look again
                if before is None:
                    problem = _folder_problem(path, exc)
                    return cls.memory(
                        notice=f"Cannot create the state file {path} ({problem}); "
                        "reading state will not be saved this session."
                    )
                with _recovery_lock(path):
                    # Another newstui may have moved it aside while we waited for the lock.
                    if _identity(path) != before:
                        continue
                    try:
                        aside = _move_aside(path)
                    except FileNotFoundError:
                        continue
                    except OSError as move_exc:
                        return cls.memory(
                            notice=f"The state file {path} is unusable ({exc}) and could not be "
                            f"moved aside ({_reason(move_exc)}); reading state will not be "
                            "saved this session."
                        )
                notice = (
                    f"The state file {path} was unusable ({exc}); it was moved to {aside} "
                    "and a fresh one was started."
                )
                salvage_from = aside if exc.salvage else None
                continue
            store = cls(conn, path, loaded, notice)
            if salvage_from is not None:
                store._salvage(salvage_from)
            return store
        raise AssertionError("unreachable")  # pragma: no cover

    @classmethod
    def memory(cls, notice: str | None = None) -> StateStore:
        """A store that lives in memory only (lost at exit)."""
        conn = _connect(":memory:")
        _migrate(conn)
        return cls(conn, None, _load(conn), notice)

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def __enter__(self) -> StateStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def persistent(self) -> bool:
        """True when writes go to a file (False for the in-memory fallback)."""
        return self.path is not None

    # --- reads (from memory) ------------------------------------------------------------------

    def is_read(self, article_id: str) -> bool:
        return article_id in self._reads()

    def is_starred(self, article_id: str) -> bool:
        return article_id in self._starred

    def read_ids(self) -> frozenset[str]:
        frozen = self._read_frozen
        if frozen is None:
            frozen = self._read_frozen = frozenset(self._reads())
        return frozen

    def starred_ids(self) -> frozenset[str]:
        frozen = self._starred_frozen
        if frozen is None:
            frozen = self._starred_frozen = frozenset(self._starred)
        return frozen

    def get_position(self, article_id: str) -> int:
        return self._positions.get(article_id, 0)

    def get_value(self, key: str) -> str | None:
        return self._values.get(key)

    def search_history(self, limit: int = 100) -> list[str]:
        """Past searches, newest first, each once."""
        return self._history[: max(0, limit)]

    # --- writes (durable before returning) ----------------------------------------------------

    def set_read(self, article_id: str, read: bool = True) -> None:
        self.set_read_many((article_id,), read)

    def set_read_many(self, article_ids: Iterable[str], read: bool = True) -> None:
        ids = [_text(i) for i in dict.fromkeys(article_ids) if isinstance(i, str) and i]
        if not ids:
            return
        now = time.time()

        def work(conn: sqlite3.Connection) -> None:
            if read:
                conn.executemany(
                    "INSERT OR IGNORE INTO read_state (id, at) VALUES (?, ?)",
                    [(i, now) for i in ids],
                )
            else:
                conn.executemany("DELETE FROM read_state WHERE id = ?", [(i,) for i in ids])

        self._write(work)
        reads = self._reads()
        for i in ids:
            if read:
                reads[i] = None
            else:
                reads.pop(i, None)
        self._read_frozen = None

    def toggle_read(self, article_id: str) -> bool:
        """Flip read/unread (as stored, even if another process changed it); the new value."""
        article_id = _text(article_id)
        new = self._toggle("read_state", article_id)
        if new:
            self._reads()[article_id] = None
        else:
            self._reads().pop(article_id, None)
        self._read_frozen = None
        return new

    def set_starred(self, article_id: str, starred: bool = True) -> None:
        article_id = _text(article_id)
        now = time.time()

        def work(conn: sqlite3.Connection) -> None:
            if starred:
                conn.execute(
                    "INSERT OR IGNORE INTO starred (id, at) VALUES (?, ?)", (article_id, now)
                )
            else:
                conn.execute("DELETE FROM starred WHERE id = ?", (article_id,))

        self._write(work)
        if starred:
            self._starred[article_id] = None
        else:
            self._starred.pop(article_id, None)
        self._starred_frozen = None

    def toggle_starred(self, article_id: str) -> bool:
        article_id = _text(article_id)
        new = self._toggle("starred", article_id)
        if new:
            self._starred[article_id] = None
        else:
            self._starred.pop(article_id, None)
        self._starred_frozen = None
        return new

    def set_position(self, article_id: str, line: int) -> None:
        """Remember the reader's scroll offset (line) for an article; 0 forgets it (kept
        within 0..:data:`MAX_POSITION`)."""
        line = min(max(0, int(line)), MAX_POSITION)
        article_id = _text(article_id)
        if self._positions.get(article_id, 0) == line:
            return
        now = time.time()

        def work(conn: sqlite3.Connection) -> None:
            if line:
                conn.execute(
                    "INSERT OR REPLACE INTO position (id, line, at) VALUES (?, ?, ?)",
                    (article_id, line, now),
                )
            else:
                conn.execute("DELETE FROM position WHERE id = ?", (article_id,))

        self._write(work)
        if line:
            self._positions[article_id] = line
        else:
            self._positions.pop(article_id, None)

    def set_value(self, key: str, value: str | None) -> None:
        """Remember a small value ("last_article", "last_search", "theme", "sort", ...);
        ``None`` forgets it."""
        key = _text(key)
        value = None if value is None else _safe(_text(value))
        if self._values.get(key) == value:
            return

        def work(conn: sqlite3.Connection) -> None:
            if value is None:
                conn.execute("DELETE FROM kv WHERE key = ?", (key,))
            else:
                conn.execute("INSERT OR REPLACE INTO kv (key, value) VALUES (?, ?)", (key, value))

        self._write(work)
        if value is None:
            self._values.pop(key, None)
        else:
            self._values[key] = value

    def add_search(self, query: str) -> None:
        """Record a search (blank ones are ignored; a repeat moves to the front)."""
        query = _safe(_text(query)).strip()
        if not query:
            return
        if self._history and self._history[0] == query:
            return
        now = time.time()

        def work(conn: sqlite3.Connection) -> None:
            conn.execute("DELETE FROM search_history WHERE query = ?", (query,))
            conn.execute(
                "INSERT INTO search_history (seq, query, at) VALUES "
                "((SELECT COALESCE(MAX(seq), 0) + 1 FROM search_history), ?, ?)",
                (query, now),
            )
            conn.execute(
                "DELETE FROM search_history WHERE seq <= (SELECT MAX(seq) FROM search_history) - ?",
                (HISTORY_KEEP,),
            )

        self._write(work)
        with contextlib.suppress(ValueError):
            self._history.remove(query)
        self._history.insert(0, query)
        del self._history[HISTORY_KEEP:]

    # --- export / import ----------------------------------------------------------------------

    def export_json(self) -> dict[str, Any]:
        """Everything in the store as JSON-ready data (see :meth:`import_json`)."""
        return {
            "format": EXPORT_FORMAT,
            "version": EXPORT_VERSION,
            "exported_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "read": sorted(self._reads()),
            "starred": sorted(self._starred),
            "positions": dict(sorted(self._positions.items())),
            "history": list(self._history),
            "values": dict(sorted(self._values.items())),
        }

    def import_json(self, data: Mapping[str, Any]) -> int:
        """Merge an export into this store; returns how many things changed.

        Read and starred articles are added (an import never un-reads anything); positions
        and values in the file replace the ones here; searches in the file join the history
        behind the ones here. The data is checked completely first and nothing is written if
        any part is invalid (:class:`StateImportError` says what and where); then it is
        merged in one transaction against what the file holds at that moment (not what this
        store read at open), so imports running at the same time serialise and none is lost.
        """
        imp = validate_export(data)
        now = time.time()

        def work(conn: sqlite3.Connection) -> int:
            before = conn.total_changes
            conn.executemany(
                "INSERT OR IGNORE INTO read_state (id, at) VALUES (?, ?)",
                [(i, now) for i in dict.fromkeys(imp.read)],
            )
            conn.executemany(
                "INSERT OR IGNORE INTO starred (id, at) VALUES (?, ?)",
                [(i, now) for i in dict.fromkeys(imp.starred)],
            )
            changed = conn.total_changes - before
            here = dict(conn.execute("SELECT id, line FROM position").fetchall())
            new_pos = {k: v for k, v in imp.positions.items() if here.get(k, 0) != v}
            conn.executemany(
                "INSERT OR REPLACE INTO position (id, line, at) VALUES (?, ?, ?)",
                [(k, v, now) for k, v in new_pos.items() if v],
            )
            conn.executemany(
                "DELETE FROM position WHERE id = ?", [(k,) for k, v in new_pos.items() if not v]
            )
            values = dict(conn.execute("SELECT key, value FROM kv").fetchall())
            new_vals = {k: v for k, v in imp.values.items() if values.get(k) != v}
            for k, val in new_vals.items():
                if val is None:
                    conn.execute("DELETE FROM kv WHERE key = ?", (k,))
                else:
                    conn.execute("INSERT OR REPLACE INTO kv (key, value) VALUES (?, ?)", (k, val))
            history = [
                q for (q,) in conn.execute("SELECT query FROM search_history ORDER BY seq DESC")
            ]
            known = set(history)
            new_hist = [q for q in dict.fromkeys(imp.history) if q not in known]
            if new_hist:
                merged = (history + new_hist)[:HISTORY_KEEP]
                conn.execute("DELETE FROM search_history")
                n = len(merged)
                conn.executemany(
                    "INSERT INTO search_history (seq, query, at) VALUES (?, ?, ?)",
                    [(n - i, q, now) for i, q in enumerate(merged)],
                )
            return changed + len(new_pos) + len(new_vals) + len(new_hist)

        changed = self._write(work)
        if changed:
            self.reload()
        return changed

    # --- other processes ------------------------------------------------------------------

    def reload(self) -> None:
        """Re-read everything from the file (to see changes made by another process)."""
        with self._lock:
            conn = self._require_conn()
            loaded = _retry_locked(lambda: _load(conn, with_read=False))
        self._read_cache, self._starred = loaded.read, loaded.starred
        self._positions, self._values, self._history = (
            loaded.positions,
            loaded.values,
            loaded.history,
        )
        self._read_frozen = self._starred_frozen = None

    # --- internals ----------------------------------------------------------------------------

    def _salvage(self, damaged: Path) -> None:
        """Copy what can still be read from a damaged store (moved aside) into this one."""
        try:
            rows = _read_damaged(damaged)
        except Exception:  # whatever the damage, salvaging is a bonus, never a failure
            return
        if not any(rows.values()):
            return

        def work(conn: sqlite3.Connection) -> None:
            conn.executemany(
                "INSERT OR IGNORE INTO read_state (id, at) VALUES (?, ?)", rows["read_state"]
            )
            conn.executemany(
                "INSERT OR IGNORE INTO starred (id, at) VALUES (?, ?)", rows["starred"]
            )
            conn.executemany(
                "INSERT OR IGNORE INTO position (id, line, at) VALUES (?, ?, ?)", rows["position"]
            )
            conn.executemany("INSERT OR IGNORE INTO kv (key, value) VALUES (?, ?)", rows["kv"])
            conn.executemany(
                "INSERT OR IGNORE INTO search_history (seq, query, at) VALUES (?, ?, ?)",
                rows["search_history"],
            )

        try:
            self._write(work)
            self.reload()
        except (StateError, sqlite3.Error):
            return
        n = sum(len(v) for v in rows.values())
        self.notice = (self.notice or "").rstrip(".") + (
            f"; {n} entr{'y was' if n == 1 else 'ies were'} recovered from it."
        )

    def _reads(self) -> dict[str, None]:
        """The read ids, loaded from the file on first use (the biggest table: opening stays
        cheap for commands that never ask, like ``list --starred``)."""
        reads = self._read_cache
        if reads is None:
            with self._lock:
                reads = self._read_cache
                if reads is None:
                    try:
                        reads = self._fetch_reads()
                    except sqlite3.Error as exc:
                        raise StateError(f"could not read the reading state: {exc}") from exc
                    self._read_cache = reads
        return reads

    def _fetch_reads(self) -> dict[str, None]:
        conn = self._conn
        if conn is not None:
            return _retry_locked(lambda: _load_read(conn))
        if self.path is None:  # a closed memory store
            return {}
        # Closed before the read ids were needed: read them without reopening for writing.
        ro = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True, timeout=5.0)
        try:
            return _retry_locked(lambda: _load_read(ro))
        finally:
            ro.close()

    def _require_conn(self) -> sqlite3.Connection:
        if self._conn is None:
            raise StateError("the reading state store is closed")
        return self._conn

    def _write(self, work: Callable[[sqlite3.Connection], _T]) -> _T:
        """Run ``work`` in one IMMEDIATE transaction, committed durably before returning."""
        with self._lock:
            conn = self._require_conn()

            def txn() -> _T:
                conn.execute("BEGIN IMMEDIATE")
                try:
                    result = work(conn)
                    conn.execute("COMMIT")
                except BaseException:
                    with contextlib.suppress(sqlite3.Error):
                        conn.execute("ROLLBACK")
                    raise
                return result

            try:
                return _retry_locked(txn)
            except sqlite3.Error as exc:
                where = self.path if self.path is not None else "memory"
                raise StateError(f"could not save reading state to {where}: {exc}") from exc

    def _toggle(self, table: str, article_id: str) -> bool:
        now = time.time()

        def work(conn: sqlite3.Connection) -> bool:
            present = (
                conn.execute(f"SELECT 1 FROM {table} WHERE id = ?", (article_id,)).fetchone()
                is not None
            )
            if present:
                conn.execute(f"DELETE FROM {table} WHERE id = ?", (article_id,))
            else:
                conn.execute(f"INSERT INTO {table} (id, at) VALUES (?, ?)", (article_id, now))
            return not present

        return self._write(work)


# --- export validation ------------------------------------------------------------------------


@dataclass(slots=True)
class _Import:
    read: list[str]
    starred: list[str]
    positions: dict[str, int]
    history: list[str]
    values: dict[str, str | None]


#: The biggest reading position (a line number) an import may hold.
MAX_POSITION = 2**31 - 1
#: The longest article id, value name, value and search an import may hold.
MAX_ID_CHARS = 200
MAX_NAME_CHARS = 100
MAX_VALUE_CHARS = 10_000
#: Problems of an invalid export named one by one (then "and N more").
MAX_IMPORT_PROBLEMS = 5
_KNOWN_FIELDS = frozenset(
    {"format", "version", "exported_at", "read", "starred", "positions", "history", "values"}
)


def _quote(value: object) -> str:
    """A name from the file as quoted in a message: short, no control characters."""
    if isinstance(value, str):
        return repr(clean_line(value, max_len=60))
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int):
        return str(value) if abs(value) < 10**12 else "a very big number"
    return f"a {type(value).__name__}"


def _bad_id(name: str, n: int, item: object) -> str:
    return (
        f"'{name}'[{n}] must be an article id (a string of 1 to {MAX_ID_CHARS} characters), "
        f"got {_quote(item)}"
    )


def validate_export(data: Any) -> _Import:
    """Check an export (as parsed from JSON) completely; raise :class:`StateImportError`
    naming the fields at fault (the first :data:`MAX_IMPORT_PROBLEMS`, then how many more).

    Article ids and value names are opaque keys, compared and never shown: any string of
    1 to :data:`MAX_ID_CHARS` (:data:`MAX_NAME_CHARS`) characters, kept as it is. Searches
    and values are shown (the search box, the window title): cleaned like article text,
    escape sequences and control characters removed. Positions are whole numbers from 0 to
    :data:`MAX_POSITION`. Strings are at most :data:`MAX_VALUE_CHARS` long."""
    if not isinstance(data, Mapping):
        raise StateImportError("not a newstui state export (expected a JSON object)")
    fmt = data.get("format", EXPORT_FORMAT)
    if fmt != EXPORT_FORMAT:
        raise StateImportError(f"not a newstui state export ('format' is {_quote(fmt)})")
    version = data.get("version", EXPORT_VERSION)
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise StateImportError("'version' must be a whole number of at least 1")
    if version > EXPORT_VERSION:
        raise StateImportError(
            f"made by a newer newstui (export version {_quote(version)}; this one reads up to "
            f"{EXPORT_VERSION})"
        )
    if not any(k in data for k in _KNOWN_FIELDS - {"format", "version", "exported_at"}):
        raise StateImportError(
            "not a newstui state export (none of 'read', 'starred', 'positions', 'history', "
            "'values' is present)"
        )
    problems: list[str] = []
    more = 0

    def bad(message: str | Callable[[], str]) -> None:
        """Note a problem; only the first few are worded (a million bad ids cost little)."""
        nonlocal more
        if len(problems) < MAX_IMPORT_PROBLEMS:
            problems.append(message() if callable(message) else message)
        else:
            more += 1

    def article_id(value: object) -> bool:
        return isinstance(value, str) and 0 < len(value) <= MAX_ID_CHARS

    def id_list(name: str) -> list[str]:
        value = data.get(name, [])
        if not isinstance(value, list):
            bad(f"'{name}' must be a list of article ids")
            return []
        for n, item in enumerate(value):
            if not article_id(item):
                bad(functools.partial(_bad_id, name, n, item))
        return [_text(item) for item in value if isinstance(item, str)]

    read = id_list("read")
    starred = id_list("starred")
    positions: dict[str, int] = {}
    positions_raw = data.get("positions", {})
    if not isinstance(positions_raw, Mapping):
        bad("'positions' must be an object of article id: line")
    else:
        for k, v in positions_raw.items():
            if not article_id(k):
                bad(f"'positions' key {_quote(k)} must be an article id")
            elif not isinstance(v, int) or isinstance(v, bool) or not 0 <= v <= MAX_POSITION:
                bad(
                    f"'positions'[{_quote(k)}] must be a whole number from 0 to "
                    f"{MAX_POSITION:,}, got {_quote(v)}"
                )
            else:
                positions[_text(k)] = v
    history: list[str] = []
    history_raw = data.get("history", [])
    if not isinstance(history_raw, list):
        bad("'history' must be a list of strings (newest first)")
    else:
        for n, q in enumerate(history_raw):
            if not isinstance(q, str) or len(q) > MAX_VALUE_CHARS:
                bad(
                    f"'history'[{n}] must be a search (a string of at most "
                    f"{MAX_VALUE_CHARS:,} characters), got {_quote(q)}"
                )
            elif len(history) < HISTORY_KEEP:
                q = _safe(_text(q)).strip()
                if q:
                    history.append(q)
    values: dict[str, str | None] = {}
    values_raw = data.get("values", {})
    if not isinstance(values_raw, Mapping):
        bad("'values' must be an object of name: string")
    else:
        for k, v in values_raw.items():
            if not (isinstance(k, str) and 0 < len(k) <= MAX_NAME_CHARS):
                bad(f"'values' name {_quote(k)} must be a string of 1 to {MAX_NAME_CHARS}")
            elif v is not None and not (isinstance(v, str) and len(v) <= MAX_VALUE_CHARS):
                bad(
                    f"'values'[{_quote(k)}] must be a string of at most {MAX_VALUE_CHARS:,} "
                    f"characters, or null; got {_quote(v)}"
                )
            else:
                values[_text(k)] = None if v is None else _safe(_text(v))
    if problems:
        if more:
            problems.append(f"and {more:,} more problem{'s' if more != 1 else ''}")
        raise StateImportError("; ".join(problems))
    return _Import(read, starred, positions, history, values)


# --- opening a file ---------------------------------------------------------------------------


class _Trouble(Exception):
    """The store cannot be opened now, but the file may well be fine (I/O error, disk full)."""


class _Locked(_Trouble):
    """The store stayed locked by another process for the whole timeout."""


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror.lower()
    return str(exc) or type(exc).__name__


def _folder_problem(path: Path, exc: BaseException) -> str:
    if not os.access(path.parent, os.W_OK | os.X_OK):
        return f"cannot write in {path.parent}"
    return str(exc)


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        st = path.lstat()
    except OSError:
        return None
    return (st.st_dev, st.st_ino)


def _connect(target: str) -> sqlite3.Connection:
    conn = sqlite3.connect(
        target, timeout=LOCK_TIMEOUT_S, isolation_level=None, check_same_thread=False
    )
    return conn


def _retry_locked(fn: Callable[[], _T], timeout: float = LOCK_TIMEOUT_S) -> _T:
    """Call ``fn``, retrying while SQLite says the database is locked/busy."""
    deadline = time.monotonic() + timeout
    delay = 0.005
    while True:
        try:
            return fn()
        except sqlite3.OperationalError as exc:
            if not _is_locked(exc) or time.monotonic() >= deadline:
                raise
        time.sleep(delay)
        delay = min(delay * 2, 0.1)


def _open_file(path: Path) -> tuple[sqlite3.Connection, _Loaded]:
    """Open, migrate and load the store file; raise _Unusable, _Locked or _Trouble."""
    if path.is_dir():
        raise _Unusable("a folder is in its place")
    if path.exists() and not path.is_file():
        raise _Unusable("not a regular file")  # a FIFO or device: SQLite could block on it
    for f in (path, path.with_name(path.name + "-wal")):
        # SQLite opens a read-only file read-only and only fails at the first write.
        if f.exists() and not os.access(f, os.R_OK | os.W_OK):
            raise _Unusable("permission denied")
    try:
        conn = _connect(str(path))
    except sqlite3.Error as exc:
        raise _classify(exc, path) from exc
    try:
        _retry_locked(lambda: _prepare(conn))
        loaded = _retry_locked(lambda: _load(conn, with_read=False))
    except _Unusable:
        conn.close()
        raise
    except sqlite3.Error as exc:
        conn.close()
        raise _classify(exc, path) from exc
    return conn, loaded


# SQLite primary result codes that mean "this file is damaged / not a database".
_SQLITE_CORRUPT = 11
_SQLITE_NOTADB = 26


def _classify(exc: sqlite3.Error, path: Path) -> Exception:
    """Which failures justify moving the file aside: damage and permission problems do;
    a full disk, an I/O error or a read-only file system do not (the file may be fine)."""
    if _is_locked(exc):
        return _Locked(str(exc))
    code = getattr(exc, "sqlite_errorcode", None)
    primary = code & 0xFF if isinstance(code, int) else None
    msg = str(exc)
    if primary in (_SQLITE_CORRUPT, _SQLITE_NOTADB) or (
        primary is None and ("malformed" in msg or "not a database" in msg)
    ):
        return _Unusable(msg, salvage=True)
    if path.exists() and not os.access(path, os.R_OK | os.W_OK):
        return _Unusable("permission denied")
    return _Trouble(msg)


def _prepare(conn: sqlite3.Connection) -> None:
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        raise _Unusable(
            f"written by a newer newstui (schema {version}; this one knows up to {SCHEMA_VERSION})"
        )
    mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
    if str(mode).lower() != "wal":
        # Where WAL is impossible (some network file systems) SQLite keeps its rollback
        # journal: still durable with synchronous=FULL, only less concurrent.
        conn.execute("PRAGMA journal_mode = WAL").fetchone()
    conn.execute("PRAGMA synchronous = FULL")
    if version < SCHEMA_VERSION:
        _migrate(conn)
    # Every page of every table and index, structurally (not the slow cross-checks of
    # integrity_check): ~5 ms for 100k read ids, and damage is found now, not mid-session.
    problems = [row[0] for row in conn.execute("PRAGMA quick_check(3)")]
    if problems != ["ok"]:
        raise _Unusable(f"damaged: {problems[0]}", salvage=True)


def _migrate(conn: sqlite3.Connection) -> None:
    conn.execute("BEGIN IMMEDIATE")
    try:
        # Another process may have migrated while we waited for the lock: read it again.
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise _Unusable(f"written by a newer newstui (schema {version})")
        if version == 0 and _has_foreign_tables(conn):
            raise _Unusable("it is an SQLite database, but not a newstui state store")
        for n in range(version, SCHEMA_VERSION):
            for statement in MIGRATIONS[n]:
                conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        conn.execute("COMMIT")
    except BaseException:
        with contextlib.suppress(sqlite3.Error):
            conn.execute("ROLLBACK")
        raise


def _has_foreign_tables(conn: sqlite3.Connection) -> bool:
    row = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    return bool(row[0])


def _load(conn: sqlite3.Connection, *, with_read: bool = True) -> _Loaded:
    # One read transaction, so the snapshot is consistent.
    conn.execute("BEGIN")
    try:
        read = _load_read(conn) if with_read else None
        starred = dict.fromkeys(r for (r,) in conn.execute("SELECT id FROM starred"))
        positions = dict(conn.execute("SELECT id, line FROM position").fetchall())
        values = {k: _safe(v) for k, v in conn.execute("SELECT key, value FROM kv")}
        history = list(
            dict.fromkeys(
                _safe(q).strip()
                for (q,) in conn.execute(
                    "SELECT query FROM search_history ORDER BY seq DESC LIMIT ?", (HISTORY_KEEP,)
                )
            )
        )
        if "" in history:
            history.remove("")
    finally:
        with contextlib.suppress(sqlite3.Error):
            conn.execute("COMMIT")
    return _Loaded(read, starred, positions, values, history)


def _load_read(conn: sqlite3.Connection) -> dict[str, None]:
    return dict.fromkeys(r for (r,) in conn.execute("SELECT id FROM read_state"))


_SALVAGE_QUERIES = {
    "read_state": "SELECT id, at FROM read_state WHERE typeof(id) = 'text'",
    "starred": "SELECT id, at FROM starred WHERE typeof(id) = 'text'",
    "position": "SELECT id, line, at FROM position"
    " WHERE typeof(id) = 'text' AND typeof(line) = 'integer' AND line > 0",
    "kv": "SELECT key, value FROM kv WHERE typeof(key) = 'text' AND typeof(value) = 'text'",
    "search_history": "SELECT seq, query, at FROM search_history"
    " WHERE typeof(seq) = 'integer' AND typeof(query) = 'text'",
}


def _read_damaged(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row still readable in a damaged store, table by table, stopping at the damage.

    Read-only: tried with its WAL, ignoring the WAL (immutable), and for a truncated file on
    a copy padded back to its recorded size; the attempt that reads the most wins."""
    best: dict[str, list[tuple[Any, ...]]] = {name: [] for name in _SALVAGE_QUERIES}
    if not path.is_file():
        return best
    with tempfile.TemporaryDirectory(prefix="newstui-salvage-") as tmp:
        attempts = [(path, "mode=ro"), (path, "mode=ro&immutable=1")]
        padded = _padded_copy(path, Path(tmp) / "padded.sqlite3")
        if padded is not None:
            attempts.append((padded, "mode=ro&immutable=1"))
        for source, params in attempts:
            rows = _read_rows(source, params)
            if sum(map(len, rows.values())) > sum(map(len, best.values())):
                best = rows
    return best


def _read_rows(path: Path, params: str) -> dict[str, list[tuple[Any, ...]]]:
    rows: dict[str, list[tuple[Any, ...]]] = {name: [] for name in _SALVAGE_QUERIES}
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?{params}", uri=True, timeout=1.0)
    except sqlite3.Error:
        return rows
    try:
        for name, query in _SALVAGE_QUERIES.items():
            got = rows[name]
            try:
                for row in conn.execute(query):
                    got.append(tuple(row))
            except sqlite3.Error:
                continue  # keep the rows read before the damage
    finally:
        conn.close()
    return rows


_SALVAGE_MAX_BYTES = 256 * 1024 * 1024


def _padded_copy(path: Path, target: Path) -> Path | None:
    """A copy of a truncated SQLite file, zero-filled to the size its header records
    (SQLite refuses a file shorter than that; the pages that survive stay readable)."""
    with path.open("rb") as fh:
        head = fh.read(100)
        if len(head) < 100 or not head.startswith(b"SQLite format 3\x00"):
            return None
        page_size = int.from_bytes(head[16:18], "big")
        page_size = 65536 if page_size == 1 else page_size
        pages = int.from_bytes(head[28:32], "big")
        size = path.stat().st_size
        want = page_size * pages
        if not size < want <= _SALVAGE_MAX_BYTES:
            return None
        fh.seek(0)
        with target.open("wb") as out:
            shutil.copyfileobj(fh, out)
            out.truncate(want)
    return target


@contextlib.contextmanager
def _recovery_lock(path: Path) -> Iterator[None]:
    """Serialise moving a bad store aside between newstui processes (``NAME.lock``, flock)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not on POSIX
        yield
        return
    try:
        fd = os.open(path.with_name(path.name + ".lock"), os.O_RDWR | os.O_CREAT, 0o600)
    except OSError:
        yield  # cannot create a lock file: the rename will fail the same way
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _fsync_dir(folder: Path) -> None:
    """Make a rename in ``folder`` durable."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _move_aside(path: Path) -> Path:
    """Rename a bad store (and its -wal/-shm companions) to ``NAME.corrupt-<timestamp>``."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    aside = path.with_name(f"{path.name}.corrupt-{stamp}")
    n = 1
    while aside.exists() or aside.is_symlink():
        n += 1
        aside = path.with_name(f"{path.name}.corrupt-{stamp}-{n}")
    path.rename(aside)
    # A stale WAL must never be replayed into the fresh store: move it along.
    for suffix in ("-wal", "-shm", "-journal"):
        companion = path.with_name(path.name + suffix)
        if companion.exists():
            try:
                companion.rename(aside.with_name(aside.name + suffix))
            except OSError:
                with contextlib.suppress(OSError):
                    companion.unlink()
    _fsync_dir(path.parent)
    return aside


if TYPE_CHECKING:
    from newstui.core.search.results import StateView

    def _satisfies_state_view(store: StateStore) -> StateView:
        return store  # mypy proves the store answers is:read/unread/starred for the search


__all__ = [
    "EXPORT_FORMAT",
    "EXPORT_VERSION",
    "SCHEMA_VERSION",
    "StateError",
    "StateImportError",
    "StateStore",
    "default_path",
    "validate_export",
]
