"""The store: reading state in memory, every change written durably before returning.

Reads are served from memory (sets and dicts loaded by :meth:`StateStore.open`; the read ids,
the one big table, on first use), cheap enough to call for every visible row. Every write runs
in a ``BEGIN IMMEDIATE`` transaction under a busy timeout, with a retry on ``database is
locked``, and is committed (fsynced: ``synchronous=FULL``) before the method returns. A store
does not see later writes by another process until :meth:`StateStore.reload`.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

from newstui.core import paths
from newstui.core.state import exchange, recovery, saved, schema
from newstui.core.state.errors import StateError
from newstui.core.state.idset import READ, STARRED, IdSet, IdTable, toggle_row, write_rows
from newstui.core.state.saved import SavedSearch
from newstui.core.state.schema import (
    HISTORY_KEEP,
    MAX_POSITION,
    POSITIONS,
    VALUES,
    KeyedTable,
    displayable,
    search_text,
    storable,
)

STATE_FILENAME = "state.sqlite3"

_T = TypeVar("_T")
_V = TypeVar("_V", int, str)


class StateCounts(NamedTuple):
    """How many read and starred articles, reading positions, searches and saved searches a
    store holds."""

    read: int
    starred: int
    positions: int
    searches: int
    saved_searches: int = 0


def default_path() -> Path:
    """Where the store lives: ``$XDG_DATA_HOME/newstui/state.sqlite3`` (via platformdirs)."""
    return paths.data_dir() / STATE_FILENAME


class StateStore:
    """The reading state. Create with :meth:`open` (or :meth:`memory` for tests)."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        path: Path | None,
        loaded: schema.Snapshot,
        notice: str | None,
    ) -> None:
        self._conn: sqlite3.Connection | None = conn
        #: The store file, or ``None`` when the store lives in memory.
        self.path = path
        #: One line for the user when something went wrong at open (else ``None``).
        self.notice = notice
        self._lock = threading.RLock()
        self._read_cache = None if loaded.read is None else IdSet(loaded.read)
        self._starred = IdSet(loaded.starred)
        self._positions = loaded.positions
        self._values = loaded.values
        self._history = loaded.history
        self._saved = saved.from_rows(loaded.saved)
        #: Told the ids whose read/starred state changed (``None``: any may have).
        self._listeners: list[Callable[[list[str] | None], None]] = []

    def add_listener(self, listener: Callable[[list[str] | None], None]) -> None:
        """Call ``listener(ids)`` after each change of read/starred (``None``: reloaded)."""
        self._listeners.append(listener)

    def _tell(self, ids: list[str] | None) -> None:
        for listener in self._listeners:
            listener(ids)

    # --- opening ------------------------------------------------------------------------------

    @classmethod
    def open(cls, path: Path | None = None) -> StateStore:
        """Open (creating if needed) the store at ``path`` (default: :func:`default_path`).

        Never raises for a bad file: see :mod:`newstui.core.state.recovery`.
        """
        path = default_path() if path is None else Path(path)
        opened = recovery.open_or_recover(path)
        if isinstance(opened, str):
            return cls.memory(notice=opened)
        store = cls(opened.conn, path, opened.snapshot, opened.notice)
        if opened.salvage_from is not None:
            store._salvage(opened.salvage_from)
        return store

    @classmethod
    def memory(cls, notice: str | None = None) -> StateStore:
        """A store that lives in memory only (lost at exit)."""
        conn = schema.connect(":memory:")
        schema.migrate(conn)
        return cls(conn, None, schema.load(conn), notice)

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
        return self._reads().frozen()

    def starred_ids(self) -> frozenset[str]:
        return self._starred.frozen()

    def get_position(self, article_id: str) -> int:
        return self._positions.get(article_id, 0)

    def get_value(self, key: str) -> str | None:
        return self._values.get(key)

    def search_history(self, limit: int = 100) -> list[str]:
        """Past searches, newest first, each once."""
        return self._history[: max(0, limit)]

    def saved_searches(self) -> list[SavedSearch]:
        """The saved searches, in the user's order."""
        return list(self._saved)

    def saved_search(self, name: str) -> SavedSearch | None:
        """The saved search called ``name`` (any case), or ``None``."""
        at = saved.find(self._saved, name)
        return None if at is None else self._saved[at]

    def counts(self) -> StateCounts:
        """How much the store holds (``newstui state info``)."""
        return StateCounts(
            len(self._reads()),
            len(self._starred),
            len(self._positions),
            len(self._history),
            len(self._saved),
        )

    # --- writes (durable before returning) ----------------------------------------------------

    def set_read(self, article_id: str, read: bool = True) -> None:
        self.set_read_many((article_id,), read)

    def set_read_many(self, article_ids: Iterable[str], read: bool = True) -> None:
        self._set_ids(READ, article_ids, read)

    def toggle_read(self, article_id: str) -> bool:
        """Flip read/unread (as stored, even if another process changed it); the new value."""
        return self._toggle(READ, article_id)

    def set_starred(self, article_id: str, starred: bool = True) -> None:
        self._set_ids(STARRED, (article_id,), starred)

    def set_starred_many(self, article_ids: Iterable[str], starred: bool = True) -> None:
        self._set_ids(STARRED, article_ids, starred)

    def toggle_starred(self, article_id: str) -> bool:
        """Flip starred/not (as stored, even if another process changed it); the new value."""
        return self._toggle(STARRED, article_id)

    def set_position(self, article_id: str, line: int) -> None:
        """Remember the reader's scroll offset (line) for an article; 0 forgets it (kept
        within 0..:data:`MAX_POSITION`)."""
        line = min(max(0, int(line)), MAX_POSITION)
        self._put(POSITIONS, self._positions, storable(article_id), line or None)

    def set_value(self, key: str, value: str | None) -> None:
        """Remember a small value ("last_article", "last_search", "theme", "sort", ...);
        ``None`` forgets it."""
        value = None if value is None else displayable(value)
        self._put(VALUES, self._values, storable(key), value)

    def add_search(self, query: str) -> None:
        """Record a search (blank ones are ignored; a repeat moves to the front)."""
        query = search_text(query)
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

    # --- saved searches (each change applied to what the file holds, in one transaction) -----

    def save_search(self, name: str, query: str) -> SavedSearch:
        """Save ``query`` as ``name``: a new name is appended to the saved searches; an
        existing one (any case) keeps its place and name, and takes the new query. Returns what was
        kept (the name and query cleaned). Raises :class:`SavedSearchError` for a blank or
        too long name or query, or when :data:`MAX_SAVED_SEARCHES` are saved already."""
        searches = self._change_saved(lambda current: saved.saved(current, name, query))
        at = saved.find(searches, name)
        assert at is not None
        return searches[at]

    def rename_search(self, old: str, new: str) -> SavedSearch:
        """Call the saved search ``old`` (any case) ``new``; raises
        :class:`UnknownSavedSearch` for an unknown ``old``, :class:`SavedSearchError` for a
        bad ``new`` or one another saved search has."""
        searches = self._change_saved(lambda current: saved.renamed(current, old, new))
        at = saved.find(searches, new)
        assert at is not None
        return searches[at]

    def delete_search(self, name: str) -> None:
        """Forget the saved search ``name`` (any case); :class:`UnknownSavedSearch` if none."""
        self._change_saved(lambda current: saved.deleted(current, name))

    def move_search(self, name: str, offset: int) -> int:
        """Move the saved search ``name`` by ``offset`` places (negative: up), stopping at
        either end; returns its new place (0 is the first)."""
        searches = self._change_saved(lambda current: saved.moved(current, name, offset))
        at = saved.find(searches, name)
        assert at is not None
        return at

    def _change_saved(
        self, change: Callable[[list[SavedSearch]], list[SavedSearch]]
    ) -> list[SavedSearch]:
        """Apply ``change`` to the saved searches the file holds now (another process may
        have changed them) and write the result back, in one transaction."""

        def work(conn: sqlite3.Connection) -> list[SavedSearch]:
            after = change(saved.read_all(conn))
            saved.write_all(conn, after)
            return after

        with self._lock:
            after = self._write(work)
            self._saved = after
        return list(after)

    # --- export / import ----------------------------------------------------------------------

    def export_json(self) -> dict[str, Any]:
        """Everything in the store as JSON-ready data (see :meth:`import_json`)."""
        return exchange.export_data(
            self._reads(), self._starred, self._positions, self._history, self._values, self._saved
        )

    def import_json(self, data: Mapping[str, Any]) -> int:
        """Merge an export into this store; returns how many things changed.

        Read and starred articles are added (an import never un-reads anything); positions
        and values in the file replace the ones here; searches in the file join the history
        behind the ones here. The data is checked completely first and nothing is written if
        any part is invalid (:class:`StateImportError` says what and where); then it is
        merged in one transaction against what the file holds at that moment (not what this
        store read at open), so imports running at the same time serialise and none is lost.
        """
        imp = exchange.validate_export(data)
        now = time.time()
        changed = self._write(lambda conn: exchange.merge_import(conn, imp, now))
        if changed:
            self.reload()
        return changed

    # --- other processes ------------------------------------------------------------------

    def reload(self) -> None:
        """Re-read everything from the file (to see changes made by another process)."""
        with self._lock:
            conn = self._require_conn()
            loaded = schema.retry_locked(lambda: schema.load(conn, with_read=False))
        self._read_cache, self._starred = None, IdSet(loaded.starred)
        self._positions, self._values, self._history = (
            loaded.positions,
            loaded.values,
            loaded.history,
        )
        self._saved = saved.from_rows(loaded.saved)
        self._tell(None)

    # --- internals ----------------------------------------------------------------------------

    def _salvage(self, damaged: Path) -> None:
        """Copy what can still be read from a damaged store (moved aside) into this one."""
        try:
            rows = recovery.read_damaged(damaged)
        except Exception:  # whatever the damage, salvaging is a bonus, never a failure
            return
        if not any(rows.values()):
            return

        try:
            self._write(lambda conn: recovery.insert_salvaged(conn, rows))
            self.reload()
        except (StateError, sqlite3.Error):
            return
        n = sum(len(v) for v in rows.values())
        self.notice = (self.notice or "").rstrip(".") + (
            f"; {n} entr{'y was' if n == 1 else 'ies were'} recovered from it."
        )

    def _reads(self) -> IdSet:
        """The read ids, loaded from the file on first use (the biggest table: opening stays
        cheap for commands that never ask, like ``list --starred``)."""
        reads = self._read_cache
        if reads is None:
            with self._lock:
                reads = self._read_cache
                if reads is None:
                    try:
                        reads = IdSet(self._fetch_reads())
                    except sqlite3.Error as exc:
                        raise StateError(f"could not read the reading state: {exc}") from exc
                    self._read_cache = reads
        return reads

    def _fetch_reads(self) -> dict[str, None]:
        conn = self._conn
        if conn is not None:
            return schema.retry_locked(lambda: schema.load_read(conn))
        if self.path is None:  # a closed memory store
            return {}
        # Closed before the read ids were needed: read them without reopening for writing.
        ro = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True, timeout=5.0)
        try:
            return schema.retry_locked(lambda: schema.load_read(ro))
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
                return schema.retry_locked(txn)
            except sqlite3.Error as exc:
                where = self.path if self.path is not None else "memory"
                raise StateError(f"could not save reading state to {where}: {exc}") from exc

    def _put(
        self, table: KeyedTable[_V], mirror: dict[str, _V], key: str, value: _V | None
    ) -> None:
        """Set (or, for ``None``, forget) one key of a keyed table and its copy in memory."""
        if mirror.get(key) == value:
            return
        now = time.time()
        self._write(lambda conn: table.write(conn, {key: value}, now))
        if value is None:
            mirror.pop(key, None)
        else:
            mirror[key] = value

    def _id_set(self, table: IdTable) -> IdSet:
        return self._reads() if table == READ else self._starred

    def _set_ids(self, table: IdTable, article_ids: Iterable[str], present: bool) -> None:
        ids = [storable(i) for i in dict.fromkeys(article_ids) if isinstance(i, str) and i]
        if not ids:
            return
        now = time.time()
        self._write(lambda conn: write_rows(conn, table, ids, present, now))
        self._id_set(table).apply(ids, present)
        self._tell(ids)

    def _toggle(self, table: IdTable, article_id: str) -> bool:
        article_id = storable(article_id)
        now = time.time()
        new = self._write(lambda conn: toggle_row(conn, table, article_id, now))
        self._id_set(table).apply((article_id,), new)
        self._tell([article_id])
        return new


if TYPE_CHECKING:
    from newstui.core.search.results import StateView

    def _satisfies_state_view(store: StateStore) -> StateView:
        return store  # mypy proves the store answers is:read/unread/starred for the search


__all__ = ["STATE_FILENAME", "StateCounts", "StateStore", "default_path"]
