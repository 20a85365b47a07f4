"""Saved searches (smart folders): a name the user chose for a query, in the user's order.

A saved search keeps the query, never its results, so it counts articles added later (a new
fetch shows up in it). Names and queries are untrusted text (typed in the app or the command
line, imported from another machine, read back from a store file made elsewhere): each passes
:func:`clean_name` / :func:`clean_query` before it is kept or shown, names are unique
case-insensitively (:func:`name_key`), and a store holds at most :data:`MAX_SAVED_SEARCHES`.

The operations are pure functions from one list to the next (:func:`saved`, :func:`renamed`,
:func:`deleted`, :func:`moved`); the store applies one to what the file holds inside its write
transaction (so two newstui processes never lose each other's changes) and writes the result
back with :func:`write_all`. A bad name or an unknown one raises :class:`SavedSearchError`
(one line, for the status line or the command line).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from newstui.core.state.errors import SavedSearchError, UnknownSavedSearch
from newstui.core.state.schema import SAVED_ROWS, displayable, search_text

#: The longest name of a saved search (characters, once cleaned).
MAX_SAVED_NAME_CHARS = 60
#: The longest query a saved search keeps (what a search reads: ``MAX_QUERY_CHARS``).
MAX_SAVED_QUERY_CHARS = 1000
#: How many saved searches a store keeps.
MAX_SAVED_SEARCHES = 200
#: How many known names an "unknown saved search" message lists.
MAX_NAMES_SHOWN = 10


@dataclass(frozen=True, slots=True)
class SavedSearch:
    """A query the user saved under a name."""

    name: str
    query: str


def clean_name(name: str) -> str:
    """``name`` as a saved search keeps it: one line without control characters or escape
    sequences, whitespace runs made one space, no outer spaces. Raises
    :class:`SavedSearchError` for a blank or too long name."""
    if not isinstance(name, str):
        raise SavedSearchError("a saved search's name must be text")
    cleaned = " ".join(displayable(name).split())
    if not cleaned:
        raise SavedSearchError("a saved search needs a name")
    if len(cleaned) > MAX_SAVED_NAME_CHARS:
        raise SavedSearchError(
            f"the name {_shown(cleaned)} is too long ({len(cleaned):,} characters; "
            f"at most {MAX_SAVED_NAME_CHARS})"
        )
    return cleaned


def clean_query(query: str) -> str:
    """``query`` as a saved search keeps it (as the search history does: cleaned, no outer
    spaces). Raises :class:`SavedSearchError` for a blank or too long one."""
    if not isinstance(query, str):
        raise SavedSearchError("a saved search's query must be text")
    cleaned = search_text(query)
    if not cleaned:
        raise SavedSearchError("a saved search needs a query (it is empty)")
    if len(cleaned) > MAX_SAVED_QUERY_CHARS:
        raise SavedSearchError(
            f"the query is too long to save ({len(cleaned):,} characters; "
            f"at most {MAX_SAVED_QUERY_CHARS:,})"
        )
    return cleaned


def name_key(name: str) -> str:
    """What makes two names the same: case-insensitive (``casefold``: "Öl" is "öl")."""
    return name.casefold()


def _shown(name: str) -> str:
    """A name quoted in a message (already cleaned: one line, no controls)."""
    return repr(name if len(name) <= 80 else name[:79] + "…")


def find(searches: Sequence[SavedSearch], name: str) -> int | None:
    """Where the saved search called ``name`` (any case) is, or ``None``."""
    key = name_key(" ".join(displayable(name).split())) if isinstance(name, str) else None
    for i, s in enumerate(searches):
        if name_key(s.name) == key:
            return i
    return None


def known_names(searches: Sequence[SavedSearch]) -> str:
    """The names for an "unknown saved search" message: quoted, the first
    :data:`MAX_NAMES_SHOWN`, then how many more."""
    if not searches:
        return "there are no saved searches"
    names = ", ".join(_shown(s.name) for s in searches[:MAX_NAMES_SHOWN])
    more = len(searches) - MAX_NAMES_SHOWN
    return f"saved: {names}" + (f" and {more:,} more" if more > 0 else "")


def _require(searches: Sequence[SavedSearch], name: str) -> int:
    at = find(searches, name)
    if at is None:
        shown = " ".join(displayable(name).split()) if isinstance(name, str) else "?"
        raise UnknownSavedSearch(
            f"no saved search named {_shown(shown[: MAX_SAVED_NAME_CHARS + 20])} "
            f"({known_names(searches)})",
            [s.name for s in searches],
        )
    return at


def saved(searches: Sequence[SavedSearch], name: str, query: str) -> list[SavedSearch]:
    """``searches`` with ``query`` saved as ``name``: a new name is appended; an existing
    one (any case) keeps its place and takes the new query and spelling."""
    entry = SavedSearch(clean_name(name), clean_query(query))
    out = list(searches)
    at = find(out, entry.name)
    if at is not None:
        out[at] = entry
        return out
    if len(out) >= MAX_SAVED_SEARCHES:
        raise SavedSearchError(
            f"there are already {MAX_SAVED_SEARCHES} saved searches (the most kept); "
            "delete one first"
        )
    out.append(entry)
    return out


def renamed(searches: Sequence[SavedSearch], old: str, new: str) -> list[SavedSearch]:
    """``searches`` with ``old`` called ``new`` (same place, same query). Changing only the
    case of a name is a rename; taking another saved search's name is an error."""
    at = _require(searches, old)
    new_name = clean_name(new)
    other = find(searches, new_name)
    if other is not None and other != at:
        raise SavedSearchError(
            f"a saved search named {_shown(searches[other].name)} already exists; "
            "delete it or choose another name"
        )
    out = list(searches)
    out[at] = SavedSearch(new_name, out[at].query)
    return out


def deleted(searches: Sequence[SavedSearch], name: str) -> list[SavedSearch]:
    """``searches`` without ``name``."""
    at = _require(searches, name)
    return [s for i, s in enumerate(searches) if i != at]


def moved(searches: Sequence[SavedSearch], name: str, offset: int) -> list[SavedSearch]:
    """``searches`` with ``name`` moved ``offset`` places (negative: up), stopping at the
    first and the last place."""
    at = _require(searches, name)
    if isinstance(offset, bool) or not isinstance(offset, int):
        raise SavedSearchError("a saved search moves by a whole number of places")
    out = list(searches)
    entry = out.pop(at)
    out.insert(min(max(0, at + offset), len(out)), entry)
    return out


def merged(here: Sequence[SavedSearch], incoming: Iterable[SavedSearch]) -> list[SavedSearch]:
    """An import merged by name: an imported name (any case) already here takes the
    imported query in its place here; new names follow, in the import's order."""
    out = list(here)
    for entry in incoming:
        at = find(out, entry.name)
        if at is None:
            out.append(entry)
        else:
            out[at] = SavedSearch(out[at].name, entry.query)
    return out


# --- the table (created by migration 2 in :mod:`.schema`: key is :func:`name_key` of the name,
# pos the place in the user's order) ---------------------------------------------------------


def from_rows(rows: Iterable[tuple[object, object]]) -> list[SavedSearch]:
    """Rows of the table as they may be shown: each name and query cleaned again (a store
    file made elsewhere can hold anything), rows that are not valid skipped, repeats of a
    name dropped, at most :data:`MAX_SAVED_SEARCHES`."""
    out: list[SavedSearch] = []
    seen: set[str] = set()
    for name, query in rows:
        if not (isinstance(name, str) and isinstance(query, str)):
            continue
        try:
            entry = SavedSearch(clean_name(name), clean_query(query))
        except SavedSearchError:
            continue
        key = name_key(entry.name)
        if key not in seen and len(out) < MAX_SAVED_SEARCHES:
            seen.add(key)
            out.append(entry)
    return out


def read_all(conn: sqlite3.Connection) -> list[SavedSearch]:
    """The saved searches the file holds now (see :func:`from_rows`)."""
    return from_rows(conn.execute(SAVED_ROWS))


def write_all(conn: sqlite3.Connection, searches: Sequence[SavedSearch]) -> None:
    """Replace the table's rows by ``searches`` (inside a write transaction)."""
    conn.execute("DELETE FROM saved_search")
    conn.executemany(
        "INSERT INTO saved_search (key, name, query, pos) VALUES (?, ?, ?, ?)",
        [(name_key(s.name), s.name, s.query, i) for i, s in enumerate(searches)],
    )


__all__ = [
    "MAX_SAVED_NAME_CHARS",
    "MAX_SAVED_QUERY_CHARS",
    "MAX_SAVED_SEARCHES",
    "SavedSearch",
    "clean_name",
    "clean_query",
    "deleted",
    "find",
    "from_rows",
    "known_names",
    "merged",
    "moved",
    "name_key",
    "read_all",
    "renamed",
    "saved",
    "write_all",
]
