"""A set of article ids (read, starred): rows ``(id, at)`` of one table, mirrored in memory.

One shape for both sets, so marking read and starring are written once: :func:`write_rows`
and :func:`toggle_row` change the table inside the store's write transaction, then
:meth:`IdSet.apply` changes the copy in memory the reads are served from.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from typing import Final, Literal

#: The tables that hold id sets (the only names ever put into this module's SQL).
IdTable = Literal["read_state", "starred"]
READ: Final = "read_state"
STARRED: Final = "starred"


class IdSet:
    """Article ids in memory, in insertion order."""

    __slots__ = ("_frozen", "_ids")

    def __init__(self, ids: dict[str, None]) -> None:
        self._ids = ids  # a dict used as an insertion-ordered set (taken, not copied)
        self._frozen: frozenset[str] | None = None

    def __contains__(self, article_id: object) -> bool:
        return article_id in self._ids

    def __iter__(self) -> Iterator[str]:
        return iter(self._ids)

    def __len__(self) -> int:
        return len(self._ids)

    def frozen(self) -> frozenset[str]:
        """The ids as a frozenset (made once per change, however often asked)."""
        frozen = self._frozen
        if frozen is None:
            frozen = self._frozen = frozenset(self._ids)
        return frozen

    def apply(self, ids: Iterable[str], present: bool) -> None:
        """Add (``present``) or remove ``ids`` in memory, after the table changed."""
        if present:
            self._ids.update(dict.fromkeys(ids))
        else:
            for i in ids:
                self._ids.pop(i, None)
        self._frozen = None


def write_rows(
    conn: sqlite3.Connection, table: IdTable, ids: Sequence[str], present: bool, now: float
) -> None:
    """Add (``present``, stamped ``now``; ids already there keep their stamp) or remove
    ``ids`` in ``table`` (inside the store's write transaction)."""
    if present:
        conn.executemany(
            f"INSERT OR IGNORE INTO {table} (id, at) VALUES (?, ?)", [(i, now) for i in ids]
        )
    else:
        conn.executemany(f"DELETE FROM {table} WHERE id = ?", [(i,) for i in ids])


def toggle_row(conn: sqlite3.Connection, table: IdTable, article_id: str, now: float) -> bool:
    """Flip ``article_id`` in ``table`` as the file holds it now (another process may have
    changed it); whether it is in the set afterwards."""
    query = f"SELECT 1 FROM {table} WHERE id = ?"
    present = conn.execute(query, (article_id,)).fetchone() is not None
    write_rows(conn, table, (article_id,), not present, now)
    return not present


__all__ = ["READ", "STARRED", "IdSet", "IdTable", "toggle_row", "write_rows"]
