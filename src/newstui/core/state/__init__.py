"""Reading state that persists and is never lost: read/starred, positions, history, values.

One module per job: :mod:`.store` (the store and its writes), :mod:`.idset` (read and
starred ids), :mod:`.saved` (saved searches: names, order, checks), :mod:`.schema` (tables,
migrations, loading), :mod:`.recovery` (opening a file, recovering from a damaged one),
:mod:`.exchange` (export and import), :mod:`.errors`.

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

from newstui.core.state.errors import (
    SavedSearchError,
    StateError,
    StateImportError,
    UnknownSavedSearch,
)
from newstui.core.state.exchange import (
    EXPORT_FORMAT,
    EXPORT_VERSION,
    MAX_ID_CHARS,
    MAX_IMPORT_PROBLEMS,
    MAX_NAME_CHARS,
    MAX_VALUE_CHARS,
    validate_export,
)
from newstui.core.state.saved import (
    MAX_SAVED_NAME_CHARS,
    MAX_SAVED_QUERY_CHARS,
    MAX_SAVED_SEARCHES,
    SavedSearch,
)
from newstui.core.state.schema import (
    HISTORY_KEEP,
    LOCK_TIMEOUT_S,
    MAX_POSITION,
    MIGRATIONS,
    SCHEMA_VERSION,
)
from newstui.core.state.store import STATE_FILENAME, StateCounts, StateStore, default_path

__all__ = [
    "EXPORT_FORMAT",
    "EXPORT_VERSION",
    "HISTORY_KEEP",
    "LOCK_TIMEOUT_S",
    "MAX_ID_CHARS",
    "MAX_IMPORT_PROBLEMS",
    "MAX_NAME_CHARS",
    "MAX_POSITION",
    "MAX_SAVED_NAME_CHARS",
    "MAX_SAVED_QUERY_CHARS",
    "MAX_SAVED_SEARCHES",
    "MAX_VALUE_CHARS",
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "STATE_FILENAME",
    "SavedSearch",
    "SavedSearchError",
    "StateCounts",
    "StateError",
    "StateImportError",
    "StateStore",
    "UnknownSavedSearch",
    "default_path",
    "validate_export",
]
