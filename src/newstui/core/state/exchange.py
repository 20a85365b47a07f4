"""Export and import: the store's content as JSON-ready data, and merging such data back.

:func:`export_data` is what ``newstui state export`` writes. :func:`validate_export` checks
an export completely (untrusted: made elsewhere, edited by hand, or anything at all) before
:func:`merge_import` writes any of it, in the store's one write transaction.
"""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from newstui.core.badinput import Problems, quote
from newstui.core.state import saved
from newstui.core.state.errors import SavedSearchError, StateImportError
from newstui.core.state.saved import MAX_SAVED_SEARCHES, SavedSearch
from newstui.core.state.schema import (
    HISTORY_KEEP,
    MAX_POSITION,
    POSITIONS,
    VALUES,
    displayable,
    search_text,
    storable,
)

EXPORT_FORMAT = "newstui-state"
#: 2 added ``saved_searches`` (a version 1 export, without them, is read as ever).
EXPORT_VERSION = 2
#: The longest article id, value name, value and search an import may hold.
MAX_ID_CHARS = 200
MAX_NAME_CHARS = 100
MAX_VALUE_CHARS = 10_000
#: Problems of an invalid export named one by one (then "and N more").
MAX_IMPORT_PROBLEMS = 5
_KNOWN_FIELDS = frozenset(
    {
        "format",
        "version",
        "exported_at",
        "read",
        "starred",
        "positions",
        "history",
        "values",
        "saved_searches",
    }
)


@dataclass(slots=True)
class ImportData:
    """A checked export, ready to merge."""

    read: list[str]
    starred: list[str]
    positions: dict[str, int]
    history: list[str]
    values: dict[str, str | None]
    saved_searches: list[SavedSearch]


def export_data(
    read: Iterable[str],
    starred: Iterable[str],
    positions: Mapping[str, int],
    history: Iterable[str],
    values: Mapping[str, str],
    saved_searches: Iterable[SavedSearch] = (),
) -> dict[str, Any]:
    """The store's content as an export (sorted, so two exports of one state compare)."""
    return {
        "format": EXPORT_FORMAT,
        "version": EXPORT_VERSION,
        "exported_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "read": sorted(read),
        "starred": sorted(starred),
        "positions": dict(sorted(positions.items())),
        "history": list(history),
        "values": dict(sorted(values.items())),
        "saved_searches": [{"name": s.name, "query": s.query} for s in saved_searches],
    }


def merge_import(conn: sqlite3.Connection, imp: ImportData, now: float) -> int:
    """Merge ``imp`` into the store through ``conn`` (inside a write transaction), against
    what the file holds now; returns how many things changed."""
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
    here = POSITIONS.read(conn)
    new_pos = {k: v for k, v in imp.positions.items() if here.get(k, 0) != v}
    POSITIONS.write(conn, {k: v or None for k, v in new_pos.items()}, now)
    values = VALUES.read(conn)
    new_vals = {k: v for k, v in imp.values.items() if values.get(k) != v}
    VALUES.write(conn, new_vals, now)
    history = [q for (q,) in conn.execute("SELECT query FROM search_history ORDER BY seq DESC")]
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
    return changed + len(new_pos) + len(new_vals) + len(new_hist) + _merge_saved(conn, imp)


def _merge_saved(conn: sqlite3.Connection, imp: ImportData) -> int:
    """Merge the imported saved searches by name (see :func:`saved.merged`); how many were
    added or changed. More than :data:`MAX_SAVED_SEARCHES` in all fails the whole import."""
    if not imp.saved_searches:
        return 0
    here = saved.read_all(conn)
    after = saved.merged(here, imp.saved_searches)
    if len(after) > MAX_SAVED_SEARCHES:
        raise StateImportError(
            f"'saved_searches' would make {len(after):,} saved searches here, more than the "
            f"{MAX_SAVED_SEARCHES} kept; delete some first"
        )
    changed = len(after) - len(here) + sum(a != b for a, b in zip(here, after, strict=False))
    if changed:
        saved.write_all(conn, after)
    return changed


def _bad_id(name: str, n: int, item: object) -> str:
    return (
        f"'{name}'[{n}] must be an article id (a string of 1 to {MAX_ID_CHARS} characters), "
        f"got {quote(item)}"
    )


def validate_export(data: Any) -> ImportData:
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
        raise StateImportError(f"not a newstui state export ('format' is {quote(fmt)})")
    version = data.get("version", EXPORT_VERSION)
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise StateImportError("'version' must be a whole number of at least 1")
    if version > EXPORT_VERSION:
        raise StateImportError(
            f"made by a newer newstui (export version {quote(version)}; this one reads up to "
            f"{EXPORT_VERSION})"
        )
    if not any(k in data for k in _KNOWN_FIELDS - {"format", "version", "exported_at"}):
        raise StateImportError(
            "not a newstui state export (none of 'read', 'starred', 'positions', 'history', "
            "'values', 'saved_searches' is present)"
        )
    problems = Problems(MAX_IMPORT_PROBLEMS)
    bad = problems.add  # a million bad ids cost little: only the first few are worded

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
        return [storable(item) for item in value if isinstance(item, str)]

    read = id_list("read")
    starred = id_list("starred")
    positions: dict[str, int] = {}
    positions_raw = data.get("positions", {})
    if not isinstance(positions_raw, Mapping):
        bad("'positions' must be an object of article id: line")
    else:
        for k, v in positions_raw.items():
            if not article_id(k):
                bad(f"'positions' key {quote(k)} must be an article id")
            elif not isinstance(v, int) or isinstance(v, bool) or not 0 <= v <= MAX_POSITION:
                bad(
                    f"'positions'[{quote(k)}] must be a whole number from 0 to "
                    f"{MAX_POSITION:,}, got {quote(v)}"
                )
            else:
                positions[storable(k)] = v
    history: list[str] = []
    history_raw = data.get("history", [])
    if not isinstance(history_raw, list):
        bad("'history' must be a list of strings (newest first)")
    else:
        for n, q in enumerate(history_raw):
            if not isinstance(q, str) or len(q) > MAX_VALUE_CHARS:
                bad(
                    f"'history'[{n}] must be a search (a string of at most "
                    f"{MAX_VALUE_CHARS:,} characters), got {quote(q)}"
                )
            elif len(history) < HISTORY_KEEP:
                q = search_text(q)
                if q:
                    history.append(q)
    values: dict[str, str | None] = {}
    values_raw = data.get("values", {})
    if not isinstance(values_raw, Mapping):
        bad("'values' must be an object of name: string")
    else:
        for k, v in values_raw.items():
            if not (isinstance(k, str) and 0 < len(k) <= MAX_NAME_CHARS):
                bad(f"'values' name {quote(k)} must be a string of 1 to {MAX_NAME_CHARS}")
            elif v is not None and not (isinstance(v, str) and len(v) <= MAX_VALUE_CHARS):
                bad(
                    f"'values'[{quote(k)}] must be a string of at most {MAX_VALUE_CHARS:,} "
                    f"characters, or null; got {quote(v)}"
                )
            else:
                values[storable(k)] = None if v is None else displayable(v)
    saved_searches = _saved_searches(data.get("saved_searches", []), bad)
    if problems:
        summary = problems.summary()
        raise StateImportError("; ".join(problems.worded + ([summary] if summary else [])))
    return ImportData(read, starred, positions, history, values, saved_searches)


def _saved_searches(raw: object, bad: Callable[[str], None]) -> list[SavedSearch]:
    """The ``saved_searches`` of an export: a list of at most :data:`MAX_SAVED_SEARCHES`
    objects ``{"name": ..., "query": ...}``, names cleaned and checked as the store checks
    them (:func:`saved.clean_name`), each name once (any case)."""
    if not isinstance(raw, list):
        bad('\'saved_searches\' must be a list of {"name": ..., "query": ...} objects')
        return []
    if len(raw) > MAX_SAVED_SEARCHES:
        bad(f"'saved_searches' holds {len(raw):,} entries; at most {MAX_SAVED_SEARCHES} are kept")
        return []
    out: list[SavedSearch] = []
    seen: dict[str, int] = {}
    for n, item in enumerate(raw):
        if not isinstance(item, Mapping):
            bad(
                f"'saved_searches'[{n}] must be an object with a name and a query, got {quote(item)}"
            )
            continue
        name, query = item.get("name"), item.get("query")
        if not isinstance(name, str) or len(name) > MAX_VALUE_CHARS:
            bad(f"'saved_searches'[{n}] 'name' must be a string, got {quote(name)}")
            continue
        if not isinstance(query, str) or len(query) > MAX_VALUE_CHARS:
            bad(f"'saved_searches'[{n}] 'query' must be a string, got {quote(query)}")
            continue
        try:
            entry = SavedSearch(saved.clean_name(name), saved.clean_query(query))
        except SavedSearchError as exc:
            bad(f"'saved_searches'[{n}]: {exc}")
            continue
        key = saved.name_key(entry.name)
        if key in seen:
            bad(f"'saved_searches'[{n}] repeats the name of [{seen[key]}], {quote(entry.name)}")
            continue
        seen[key] = n
        out.append(entry)
    return out


__all__ = [
    "EXPORT_FORMAT",
    "EXPORT_VERSION",
    "MAX_ID_CHARS",
    "MAX_IMPORT_PROBLEMS",
    "MAX_NAME_CHARS",
    "MAX_VALUE_CHARS",
    "ImportData",
    "export_data",
    "merge_import",
    "validate_export",
]
