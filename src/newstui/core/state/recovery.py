"""Opening the store file, and recovering from a damaged one.

:func:`open_file` opens, migrates and loads a store file, or says why it cannot
(:class:`UnusableStore`: move it aside; :class:`StoreTrouble`: leave it alone).
:func:`open_or_recover` is the whole policy: a corrupt, truncated or unreadable store (or a
folder in its place, or one written by a newer newstui) is moved aside as
``NAME.corrupt-<timestamp>`` under a lock shared by newstui processes, a fresh store is
started, and :func:`read_damaged` later reads whatever rows are left in the old one for
:func:`insert_salvaged` to copy in. When no file can be used the answer is a one-line notice
(the store then lives in memory).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any, NamedTuple

from newstui.core.state import schema
from newstui.core.state.errors import StoreLocked, StoreTrouble, UnusableStore

#: Rows read from a damaged store, by table.
SalvagedRows = dict[str, list[tuple[Any, ...]]]


class Opened(NamedTuple):
    """A store file opened and loaded; ``notice`` and ``salvage_from`` say what recovery did."""

    conn: sqlite3.Connection
    snapshot: schema.Snapshot
    notice: str | None
    #: A damaged store moved aside, whose readable rows are worth copying in.
    salvage_from: Path | None


def open_or_recover(path: Path) -> Opened | str:
    """Open the store at ``path``, recovering from a bad file; a one-line notice when no
    file can be used this session (then the caller keeps the state in memory)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        return (
            f"Cannot create the state folder {path.parent} ({reason(exc)}); "
            "reading state will not be saved this session."
        )
    notice: str | None = None
    salvage_from: Path | None = None
    attempts = 4
    for attempt in range(attempts):
        before = _identity(path)
        try:
            conn, snapshot = open_file(path)
        except StoreLocked as exc:
            return (
                f"The state file {path} stays locked by another program ({exc}); "
                "reading state will not be saved this session."
            )
        except StoreTrouble as exc:
            if before is None and _identity(path) is None:
                return _cannot_create(path, exc)
            return (
                f"Cannot open the state file {path} ({exc}); it was left as it is, "
                "and reading state will not be saved this session."
            )
        except UnusableStore as exc:
            if attempt == attempts - 1:
                return (
                    f"Cannot use the state file {path} ({exc}); reading state will "
                    "not be saved this session."
                )
            if _identity(path) != before:
                continue  # someone else replaced the file meanwhile: look again
            if before is None:
                return _cannot_create(path, exc)
            with _recovery_lock(path):
                # Another newstui may have moved it aside while we waited for the lock.
                if _identity(path) != before:
                    continue
                try:
                    aside = move_aside(path)
                except FileNotFoundError:
                    continue
                except OSError as move_exc:
                    return (
                        f"The state file {path} is unusable ({exc}) and could not be "
                        f"moved aside ({reason(move_exc)}); reading state will not be "
                        "saved this session."
                    )
            notice = (
                f"The state file {path} was unusable ({exc}); it was moved to {aside} "
                "and a fresh one was started."
            )
            salvage_from = aside if exc.salvage else None
            continue
        return Opened(conn, snapshot, notice, salvage_from)
    raise AssertionError("unreachable")  # pragma: no cover


def _cannot_create(path: Path, exc: BaseException) -> str:
    if not os.access(path.parent, os.W_OK | os.X_OK):
        problem = f"cannot write in {path.parent}"
    else:
        problem = str(exc)
    return (
        f"Cannot create the state file {path} ({problem}); "
        "reading state will not be saved this session."
    )


def reason(exc: BaseException) -> str:
    """An exception as the end of a one-line message ("permission denied")."""
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror.lower()
    return str(exc) or type(exc).__name__


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        st = path.lstat()
    except OSError:
        return None
    return (st.st_dev, st.st_ino)


class OpenedFile(NamedTuple):
    """A store file's connection and what was loaded from it."""

    conn: sqlite3.Connection
    snapshot: schema.Snapshot


def open_file(path: Path) -> OpenedFile:
    """Open, migrate and load the store file; raise UnusableStore, StoreLocked or
    StoreTrouble."""
    if path.is_dir():
        raise UnusableStore("a folder is in its place")
    if path.exists() and not path.is_file():
        raise UnusableStore("not a regular file")  # a FIFO or device: SQLite could block on it
    for f in (path, path.with_name(path.name + "-wal")):
        # SQLite opens a read-only file read-only and only fails at the first write.
        if f.exists() and not os.access(f, os.R_OK | os.W_OK):
            raise UnusableStore("permission denied")
    try:
        conn = schema.connect(str(path))
    except sqlite3.Error as exc:
        raise _classify(exc, path) from exc
    try:
        schema.retry_locked(lambda: schema.prepare(conn))
        snapshot = schema.retry_locked(lambda: schema.load(conn, with_read=False))
    except UnusableStore:
        conn.close()
        raise
    except sqlite3.Error as exc:
        conn.close()
        raise _classify(exc, path) from exc
    return OpenedFile(conn, snapshot)


# SQLite primary result codes that mean "this file is damaged / not a database".
_SQLITE_CORRUPT = 11
_SQLITE_NOTADB = 26


def _classify(exc: sqlite3.Error, path: Path) -> Exception:
    """Which failures justify moving the file aside: damage and permission problems do;
    a full disk, an I/O error or a read-only file system do not (the file may be fine)."""
    if schema.is_locked(exc):
        return StoreLocked(str(exc))
    code = getattr(exc, "sqlite_errorcode", None)
    primary = code & 0xFF if isinstance(code, int) else None
    msg = str(exc)
    if primary in (_SQLITE_CORRUPT, _SQLITE_NOTADB) or (
        primary is None and ("malformed" in msg or "not a database" in msg)
    ):
        return UnusableStore(msg, salvage=True)
    if path.exists() and not os.access(path, os.R_OK | os.W_OK):
        return UnusableStore("permission denied")
    return StoreTrouble(msg)


# --- salvage ----------------------------------------------------------------------------------


class _Salvage(NamedTuple):
    """How rows of one table are read from a damaged store (only well-typed ones), and
    copied into the fresh one (never over a row it has)."""

    select: str
    insert: str


_SALVAGE = {
    "read_state": _Salvage(
        "SELECT id, at FROM read_state WHERE typeof(id) = 'text'",
        "INSERT OR IGNORE INTO read_state (id, at) VALUES (?, ?)",
    ),
    "starred": _Salvage(
        "SELECT id, at FROM starred WHERE typeof(id) = 'text'",
        "INSERT OR IGNORE INTO starred (id, at) VALUES (?, ?)",
    ),
    "position": _Salvage(
        "SELECT id, line, at FROM position"
        " WHERE typeof(id) = 'text' AND typeof(line) = 'integer' AND line > 0",
        "INSERT OR IGNORE INTO position (id, line, at) VALUES (?, ?, ?)",
    ),
    "kv": _Salvage(
        "SELECT key, value FROM kv WHERE typeof(key) = 'text' AND typeof(value) = 'text'",
        "INSERT OR IGNORE INTO kv (key, value) VALUES (?, ?)",
    ),
    "search_history": _Salvage(
        "SELECT seq, query, at FROM search_history"
        " WHERE typeof(seq) = 'integer' AND typeof(query) = 'text'",
        "INSERT OR IGNORE INTO search_history (seq, query, at) VALUES (?, ?, ?)",
    ),
    "saved_search": _Salvage(
        "SELECT key, name, query, pos FROM saved_search WHERE typeof(key) = 'text'"
        " AND typeof(name) = 'text' AND typeof(query) = 'text' AND typeof(pos) = 'integer'",
        "INSERT OR IGNORE INTO saved_search (key, name, query, pos) VALUES (?, ?, ?, ?)",
    ),
}


def read_damaged(path: Path) -> SalvagedRows:
    """Every row still readable in a damaged store, table by table, stopping at the damage.

    Read-only: tried with its WAL, ignoring the WAL (immutable), and for a truncated file on
    a copy padded back to its recorded size; the attempt that reads the most wins."""
    best: SalvagedRows = {name: [] for name in _SALVAGE}
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


def insert_salvaged(conn: sqlite3.Connection, rows: SalvagedRows) -> None:
    """Copy rows read by :func:`read_damaged` into a fresh store (inside a transaction)."""
    for name, sql in _SALVAGE.items():
        conn.executemany(sql.insert, rows.get(name, []))


def _read_rows(path: Path, params: str) -> SalvagedRows:
    rows: SalvagedRows = {name: [] for name in _SALVAGE}
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?{params}", uri=True, timeout=1.0)
    except sqlite3.Error:
        return rows
    try:
        for name, sql in _SALVAGE.items():
            got = rows[name]
            try:
                for row in conn.execute(sql.select):
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


# --- moving a bad store aside -----------------------------------------------------------------


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


def move_aside(path: Path) -> Path:
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
