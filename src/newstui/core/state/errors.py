"""The state package's one error family: what callers catch, and why opening a file failed.

:class:`StateError`, :class:`StateImportError` and :class:`SavedSearchError` reach callers
(the app, the command line).
The other three never leave the package: they tell :mod:`.recovery` what to do with a store
file that could not be opened (move it aside, leave it alone, give up waiting).
"""

from __future__ import annotations


class StateError(Exception):
    """A write could not be saved (disk full, file removed, ...); one clear line."""


class StateImportError(ValueError):
    """Data given to :meth:`StateStore.import_json` is not a valid newstui state export."""


class SavedSearchError(ValueError):
    """A saved search cannot be saved, renamed, moved or deleted as asked (a blank or too
    long name, a name already taken, an unknown name, too many); one clear line."""


class UnknownSavedSearch(SavedSearchError):
    """No saved search has the name asked for; ``known`` holds the names there are."""

    def __init__(self, message: str, known: list[str]) -> None:
        super().__init__(message)
        self.known = known


class UnusableStore(Exception):
    """The file at the store's path cannot be used as a store (reason in the message).

    ``salvage``: the file looks like a damaged store, worth reading what is left of it.
    """

    def __init__(self, message: str, *, salvage: bool = False) -> None:
        super().__init__(message)
        self.salvage = salvage


class StoreTrouble(Exception):
    """The store cannot be opened now, but the file may well be fine (I/O error, disk full)."""


class StoreLocked(StoreTrouble):
    """The store stayed locked by another process for the whole timeout."""


__all__ = [
    "SavedSearchError",
    "StateError",
    "StateImportError",
    "StoreLocked",
    "StoreTrouble",
    "UnknownSavedSearch",
    "UnusableStore",
]
