"""The sidebar's rows and their counts: *All*, *Unread*, *Starred*, the sources, the folders
of the articles folders (nested as on disk), the tags and the saved searches.

Plain Python (no Textual). Counts are kept incrementally:

- :meth:`Facets.build` counts a library once (in a worker: O(articles));
- :meth:`Facets.sync` re-reads the reading state of the given ids (``m``, ``f``, ``M``) and
  moves each one's counts by one: O(ids x rows each article is in), microseconds;
- :func:`diff` (in a worker) tells what a reload or a fetch changed, and :meth:`Facets.apply`
  counts only that (O(added + changed + removed)).

Each row stands for a set of articles (:meth:`Facets.members`): a set of ids, or for
*Unread* / *Starred* a live view of the reading state; the list and the search can be
restricted to it. A saved search's count needs a search: :meth:`Facets.set_saved` takes
what a worker found (see ``ui/sidebar_control.py``).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Container, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from newstui.core.article import article_ids
from newstui.core.text import clean_line

if TYPE_CHECKING:
    from newstui.core.article import Article
    from newstui.core.library.columns import Columns
    from newstui.core.search.results import StateView

#: The kinds of rows, in the sidebar's order.
ALL, UNREAD, STARRED, SOURCE, FOLDER, TAG, SAVED = (
    "all",
    "unread",
    "starred",
    "source",
    "folder",
    "tag",
    "saved",
)
SECTIONS: tuple[tuple[str, str], ...] = (
    (SOURCE, "Sources"),
    (FOLDER, "Folders"),
    (TAG, "Tags"),
    (SAVED, "Saved searches"),
)
#: At most this many source and tag rows (the most frequent; the rest are counted in All).
MAX_SOURCES = 100
MAX_TAGS = 100
MAX_FOLDERS = 500
#: Cached lookups (paths, tag lists) kept at most.
MAX_PATHS_KEPT = 100_000
#: Labels are cut to this many characters.
MAX_LABEL = 60

_READ, _STARRED = 1, 2


class Key(NamedTuple):
    """A row: its kind and value (a source's name, a folder's path from the articles folder
    with ``/`` between names, a tag, a saved search's name; ``""`` for All/Unread/Starred)."""

    kind: str
    value: str = ""


ALL_KEY, UNREAD_KEY, STARRED_KEY = Key(ALL), Key(UNREAD), Key(STARRED)


@dataclass(slots=True)
class Count:
    """A row's ``unread`` of ``total`` articles."""

    unread: int = 0
    total: int = 0


@dataclass(frozen=True, slots=True)
class Row:
    """One line of the sidebar."""

    key: Key
    label: str
    depth: int
    unread: int
    total: int
    #: A saved search counted for the library as it is now (False: counting).
    counted: bool = True


def folder_label(value: str) -> str:
    return value.rsplit("/", 1)[-1]


class _Folders:
    """Article path -> its folder keys (the folder and each folder above it, up to the
    articles folder), cached per directory: a library has few directories."""

    def __init__(self, roots: Sequence[Path]) -> None:
        self._roots = [os.path.normpath(str(r)) for r in roots]
        self._names = [clean_line(Path(r).name or r, MAX_LABEL) or "folder" for r in self._roots]
        self._cache: dict[str, tuple[Key, ...]] = {}
        self._by_path: dict[int, tuple[Path, tuple[Key, ...]]] = {}

    def of(self, path: Path | None) -> tuple[Key, ...]:
        if path is None:
            return ()
        # the records of one file share its Path: known by identity, no str() per article
        mine = self._by_path.get(id(path))
        if mine is not None and mine[0] is path:
            return mine[1]
        directory = os.path.dirname(str(path))  # noqa: PTH120 (a str key: no Path per article)
        keys = self._cache.get(directory)
        if keys is None:
            keys = self._cache[directory] = self._compute(directory)
        if len(self._by_path) < MAX_PATHS_KEPT:
            self._by_path[id(path)] = (path, keys)
        return keys

    def _compute(self, directory: str) -> tuple[Key, ...]:
        directory = os.path.normpath(directory)
        several = len(self._roots) > 1
        for root, name in zip(self._roots, self._names, strict=True):
            if directory == root:
                return (Key(FOLDER, name),) if several else ()
            if directory.startswith(root.rstrip(os.sep) + os.sep):
                rel = directory[len(root.rstrip(os.sep)) + 1 :]
                parts = [clean_line(p, MAX_LABEL) or "?" for p in rel.split(os.sep) if p]  # noqa: PTH206
                if several:
                    parts.insert(0, name)
                return tuple(Key(FOLDER, "/".join(parts[: i + 1])) for i in range(len(parts)))
        return ()


class _Keys:
    """An article's rows: its source, its folders, its tags (each label cleaned once per
    distinct value: a library has few sources and tags)."""

    def __init__(self, folders: _Folders) -> None:
        self.folders = folders
        self._labels: dict[tuple[str, str], Key] = {}
        self._tags: dict[tuple[str, ...], tuple[Key, ...]] = {}
        self._combos: dict[tuple[Key, ...], tuple[Key, ...]] = {}

    def _key(self, kind: str, raw: str) -> Key:
        key = self._labels.get((kind, raw))
        if key is None:
            key = self._labels[(kind, raw)] = Key(kind, clean_line(raw, MAX_LABEL) or "?")
        return key

    def of(self, article: Article) -> tuple[Key, ...]:
        source = article.source
        head = (self._key(SOURCE, source),) if source else ()
        folders = self.folders.of(article.path)
        tags = article.tags
        if not tags:
            keys = head + folders if head else folders
        else:
            tag_keys = self._tags.get(tags)
            if tag_keys is None:
                found = dict.fromkeys(self._key(TAG, t) for t in tags if t)
                tag_keys = tuple(found)
                if len(self._tags) < MAX_PATHS_KEPT:
                    self._tags[tags] = tag_keys
            keys = head + folders + tag_keys
        # one tuple per distinct combination, shared (memory at 1M articles)
        shared = self._combos.get(keys)
        if shared is not None:
            return shared
        if len(self._combos) < MAX_PATHS_KEPT:
            self._combos[keys] = keys
        return keys


class _StateMembers(Container[str]):
    """*Unread* or *Starred*, as the reading state says now (not a copy)."""

    def __init__(self, ids: Container[str], test: Callable[[str], bool]) -> None:
        self._ids = ids
        self._test = test

    def __contains__(self, article_id: object) -> bool:
        return isinstance(article_id, str) and article_id in self._ids and self._test(article_id)


@dataclass(slots=True)
class Delta:
    """What a reload or fetch changed, for :meth:`Facets.apply`: ids removed (changed
    articles are removed, then added again) and the articles added with their rows."""

    removed: list[str] = field(default_factory=list)
    added: list[tuple[str, tuple[Key, ...]]] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.removed) + len(self.added)


@dataclass(slots=True)
class SavedCount:
    query: str
    unread: int
    total: int
    #: The ids it matched (what selecting the row restricts the list to).
    ids: frozenset[str]


#: From this many articles the counts are taken from the library's columns.
COLUMNS_MIN = 20_000


class _Rows:
    """A library counted by columns: its articles and columns, which rows count (the
    first of each id), each row's flags, and each code's rows (keys) in the sidebar."""

    def __init__(self, articles: Sequence[Article], columns: Columns, keys: _Keys) -> None:
        import numpy as np

        self.articles = articles
        self.columns = columns
        n = len(columns)
        self.valid = np.ones(n, dtype=bool)
        by_id = columns.id_order()
        if n > 1:
            ordered = columns.sorted_ids()
            again = np.flatnonzero(ordered[1:] == ordered[:-1]) + 1
            self.valid[by_id[again]] = False  # the first row of an id counts (stable order)
        self.flags = np.zeros(n, dtype=np.uint8)
        key = keys._key
        self.source_keys: list[tuple[Key, ...]] = [
            (key(SOURCE, s),) if s else () for s in columns.sources
        ]
        self.path_keys = [(), *(keys.folders.of(p) for p in columns.paths)]
        self.tag_keys = [
            tuple(dict.fromkeys(key(TAG, t) for t in tags if t)) for tags in columns.tag_sets
        ]
        self._ids: frozenset[str] | None = None

    def read_flags(self, state: StateView) -> None:
        """Every row's flags, as ``state`` says now: its read and starred ids mapped to
        rows (a state without id sets is asked row by row)."""
        flags = self.flags
        flags[:] = 0
        read_ids = getattr(state, "read_ids", None)
        starred_ids = getattr(state, "starred_ids", None)
        if callable(read_ids) and callable(starred_ids):
            flags[self.columns.rows_of(read_ids(), self.articles)] |= _READ
            flags[self.columns.rows_of(starred_ids(), self.articles)] |= _STARRED
            return
        for row, a in enumerate(self.articles):
            aid = a.id
            flags[row] = (_READ if state.is_read(aid) else 0) | (
                _STARRED if state.is_starred(aid) else 0
            )

    def valid_rows(self) -> Any:
        import numpy as np

        return np.flatnonzero(self.valid)

    def keys_of(self, row: int) -> tuple[Key, ...]:
        cols = self.columns
        return (
            self.source_keys[int(cols.source[row])]
            + self.path_keys[int(cols.path[row]) + 1]
            + self.tag_keys[int(cols.tags[row])]
        )

    def ids(self) -> frozenset[str]:
        """Every counted id (made on first ask: what Unread and Starred test against)."""
        ids = self._ids
        if ids is None:
            ids = self._ids = self._ids_of(self.valid_rows() if not self.valid.all() else None)
        return ids

    def _ids_of(self, rows: Any) -> frozenset[str]:
        """The ids of ``rows`` (None: every row), by C-level maps (0.1 s at 1M; a warm
        library's without making its articles)."""
        ids = article_ids(self.articles)
        return frozenset(ids if rows is None else map(ids.__getitem__, rows.tolist()))

    def members(self, key: Key) -> frozenset[str]:
        """The ids of the rows ``key`` stands for: the codes that have it, then their rows."""
        import numpy as np

        cols = self.columns
        if key.kind == SOURCE:
            codes, shift, keys_of = cols.source, 0, self.source_keys
        elif key.kind == FOLDER:
            codes, shift, keys_of = cols.path, 1, self.path_keys
        else:
            codes, shift, keys_of = cols.tags, 0, self.tag_keys
        wanted = [c - shift for c, keys in enumerate(keys_of) if key in keys]
        chosen = np.flatnonzero(np.isin(codes, wanted) & self.valid)
        return self._ids_of(None if len(chosen) == len(self.articles) else chosen)


class Facets:
    """The sidebar's counts for one library (see the module docstring)."""

    def __init__(self, roots: Sequence[Path], state: StateView) -> None:
        self._folders = _Folders(roots)
        self._keys = _Keys(self._folders)
        self._state = state
        #: id -> (rows it is in, its flags as counted: read 1, starred 2)
        self._info: dict[str, tuple[tuple[Key, ...], int]] = {}
        self._counts: dict[Key, Count] = {}
        #: A row's ids, worked out when it is chosen (kept until the library changes): no
        #: set per row kept up to date (~200 MB at 1M articles).
        self._member_cache: dict[Key, frozenset[str]] = {}
        self.all = Count()
        self.starred = Count()  # unread: starred and unread
        self._saved: dict[str, SavedCount] = {}
        self._saved_order: list[tuple[str, str]] = []
        #: Bumped on every change (the sidebar repaints when it moved).
        self.version = 0
        #: Counted from the library's columns: its rows (``_info`` stays empty until a
        #: reload's or fetch's delta needs it: :meth:`_materialize`).
        self._rows: _Rows | None = None

    # --- building ---------------------------------------------------------------------
    @classmethod
    def build(cls, articles: Iterable[Article], roots: Sequence[Path], state: StateView) -> Facets:
        """Count ``articles`` (run it in a worker). A big library is counted from its
        columns (:mod:`.columns`: ``np.bincount`` over codes, the read and starred ids
        mapped to rows), without an object walked per article."""
        facets = cls(roots, state)
        columns = None
        carried = getattr(articles, "columns", None) is not None
        if isinstance(articles, Sequence) and (carried or len(articles) >= COLUMNS_MIN):
            from newstui.core.library.columns import columns_for

            columns = columns_for(articles)
        if columns is not None and isinstance(articles, Sequence):
            facets._rows = _Rows(articles, columns, facets._keys)
            facets._count_rows(facets._rows)
            facets._rows.ids()  # here in the worker, not on the first ask for Unread
        else:
            facets.apply(facets.delta_for(articles, full=True))
        return facets

    def _count_rows(self, rows: _Rows) -> None:
        """Every count, from the columns (the reading state read as two sets of ids)."""
        import numpy as np

        rows.read_flags(self._state)
        cols, valid, flags = rows.columns, rows.valid, rows.flags
        unread = valid & (flags & _READ == 0)
        starred = valid & (flags & _STARRED != 0)
        self.all = Count(int(unread.sum()), int(valid.sum()))
        self.starred = Count(int((starred & unread).sum()), int(starred.sum()))
        counts: dict[Key, Count] = {}

        def add(codes: Any, keys_of: Sequence[tuple[Key, ...]], shift: int = 0) -> None:
            size = len(keys_of)
            total = np.bincount(codes[valid] + shift, minlength=size)
            fresh = np.bincount(codes[unread] + shift, minlength=size)
            for code in np.flatnonzero(total).tolist():
                t, u = int(total[code]), int(fresh[code])
                for key in keys_of[code]:
                    count = counts.get(key)
                    if count is None:
                        count = counts[key] = Count()
                    count.total += t
                    count.unread += u

        add(cols.source, rows.source_keys)
        add(cols.path, rows.path_keys, 1)  # -1: no file
        add(cols.tags, rows.tag_keys)
        self._counts = counts
        self._member_cache.clear()
        self.version += 1

    def _materialize(self) -> None:
        """From counting by columns to one entry an article (what a reload's delta or a
        fetch's needs): O(articles), once."""
        rows, self._rows = self._rows, None
        if rows is None:
            return
        articles, flags = rows.articles, rows.flags.tolist()
        info = self._info
        for row in rows.valid_rows().tolist():
            info[articles[row].id] = (rows.keys_of(row), flags[row])

    def delta_for(self, articles: Iterable[Article], *, full: bool = False) -> Delta:
        """What counting ``articles`` instead of the articles counted now changes. Reads
        only (safe in a worker while the event loop calls :meth:`sync`)."""
        if not full:
            self._materialize()
        delta = Delta()
        info = {} if full else self._info
        seen: set[str] = set()
        keys_of = self._keys.of
        for article in articles:
            aid = article.id
            if aid in seen:
                continue
            seen.add(aid)
            keys = keys_of(article)
            old = info.get(aid)
            if old is None:
                delta.added.append((aid, keys))
            elif old[0] != keys:
                delta.removed.append(aid)
                delta.added.append((aid, keys))
        if not full:
            delta.removed.extend(aid for aid in list(info) if aid not in seen)
        return delta

    def apply(self, delta: Delta) -> None:
        """Count what a reload or fetch changed (O(len(delta)))."""
        if len(delta):
            self._materialize()
        for aid in delta.removed:
            entry = self._info.pop(aid, None)
            if entry is not None:
                self._count(aid, entry[0], entry[1], -1)
        state = self._state
        for aid, keys in delta.added:
            old = self._info.get(aid)
            if old is not None:
                self._count(aid, old[0], old[1], -1)
            flags = (_READ if state.is_read(aid) else 0) | (
                _STARRED if state.is_starred(aid) else 0
            )
            self._info[aid] = (keys, flags)
            self._count(aid, keys, flags, +1)
        if len(delta):
            self.version += 1
            self._member_cache.clear()

    def _count(self, aid: str, keys: tuple[Key, ...], flags: int, sign: int) -> None:
        unread = sign if not flags & _READ else 0
        self.all.total += sign
        self.all.unread += unread
        if flags & _STARRED:
            self.starred.total += sign
            self.starred.unread += unread
        counts = self._counts
        for key in keys:
            count = counts.get(key)
            if count is None:
                count = counts[key] = Count()
            count.total += sign
            count.unread += unread
            if sign < 0 and count.total <= 0:
                del counts[key]

    # --- the reading state ------------------------------------------------------------
    def sync(self, ids: Iterable[str] | None = None) -> bool:
        """Re-read the reading state of ``ids`` (every article when ``None``: after an
        import) and move their counts; True when a count changed. O(ids) — this is what
        ``m`` and ``f`` cost."""
        info, state = self._info, self._state
        if self._rows is not None:
            return self._sync_rows(self._rows, ids)
        changed = False
        for aid in info if ids is None else ids:
            entry = info.get(aid)
            if entry is None:
                continue
            keys, old = entry
            new = (_READ if state.is_read(aid) else 0) | (_STARRED if state.is_starred(aid) else 0)
            if new == old:
                continue
            self._count(aid, keys, old, -1)
            self._count(aid, keys, new, +1)
            info[aid] = (keys, new)
            changed = True
        if changed:
            self.version += 1
        return changed

    def _sync_rows(self, rows: _Rows, ids: Iterable[str] | None) -> bool:
        if ids is None:
            before = (self.all, self.starred, dict(self._counts))
            version = self.version
            self._count_rows(rows)
            if (self.all, self.starred, self._counts) == before:
                self.version = version
                return False
            return True
        state, flags, articles = self._state, rows.flags, rows.articles
        changed = False
        for row in rows.columns.rows_of(ids, articles).tolist():
            if not rows.valid[row]:
                continue
            aid = articles[row].id
            old = int(flags[row])
            new = (_READ if state.is_read(aid) else 0) | (_STARRED if state.is_starred(aid) else 0)
            if new == old:
                continue
            keys = rows.keys_of(row)
            self._count(aid, keys, old, -1)
            self._count(aid, keys, new, +1)
            flags[row] = new
            changed = True
        if changed:
            self.version += 1
        return changed

    # --- saved searches ---------------------------------------------------------------
    def set_saved_searches(self, saved: Sequence[tuple[str, str]]) -> None:
        """The saved searches (name, query) in the user's order; a changed query is
        uncounted until :meth:`set_saved` gives its count."""
        self._saved_order = list(saved)
        queries = dict(saved)
        for name in list(self._saved):
            if queries.get(name) != self._saved[name].query:
                del self._saved[name]
        self.version += 1

    def set_saved(self, name: str, count: SavedCount) -> None:
        self._saved[name] = count
        self.version += 1

    def saved_count(self, name: str) -> SavedCount | None:
        return self._saved.get(name)

    @property
    def saved_searches(self) -> list[tuple[str, str]]:
        return list(self._saved_order)

    # --- reading ----------------------------------------------------------------------
    def __len__(self) -> int:
        if self._rows is not None:
            return int(self._rows.valid.sum())
        return len(self._info)

    def count(self, key: Key) -> Count:
        if key == ALL_KEY:
            return Count(self.all.unread, self.all.total)
        if key == UNREAD_KEY:
            return Count(self.all.unread, self.all.unread)
        if key == STARRED_KEY:
            return Count(self.starred.unread, self.starred.total)
        if key.kind == SAVED:
            saved = self._saved.get(key.value)
            return Count(saved.unread, saved.total) if saved else Count()
        found = self._counts.get(key)
        return Count(found.unread, found.total) if found else Count()

    def members(self, key: Key) -> Container[str] | None:
        """The articles ``key`` stands for (``None``: every article). Unread and Starred
        follow the reading state as it changes; a source's, folder's or tag's ids are
        worked out on first ask after a change of the library (O(articles), ~10 ms at 100k:
        ask on the event loop, where :meth:`apply` runs, and hand the set to workers)."""
        state = self._state
        rows = self._rows
        if key == ALL_KEY:
            return None
        ids: Container[str] = self._info if rows is None else rows.ids()
        if key == UNREAD_KEY:
            return _StateMembers(ids, lambda i: not state.is_read(i))
        if key == STARRED_KEY:
            return _StateMembers(ids, state.is_starred)
        if key.kind == SAVED:
            saved = self._saved.get(key.value)
            return saved.ids if saved else frozenset()
        found = self._member_cache.get(key)
        if found is None:
            if key not in self._counts:
                return frozenset()
            if rows is not None:
                found = rows.members(key)
            else:
                found = frozenset(aid for aid, (keys, _) in self._info.items() if key in keys)
            if len(self._member_cache) >= 8:
                self._member_cache.clear()
            self._member_cache[key] = found
        return found

    def label(self, key: Key) -> str:
        if key.kind == FOLDER:
            return folder_label(key.value)
        return {ALL: "All", UNREAD: "Unread", STARRED: "Starred"}.get(key.kind, key.value)

    def keys(self, kind: str) -> list[Key]:
        """The rows of one section, in the sidebar's order."""
        if kind == SAVED:
            return [Key(SAVED, name) for name, _ in self._saved_order]
        found = [k for k in self._counts if k.kind == kind]
        if kind == FOLDER:
            return sorted(found, key=lambda k: k.value.casefold().split("/"))[:MAX_FOLDERS]
        limit = MAX_SOURCES if kind == SOURCE else MAX_TAGS
        by_size = sorted(found, key=lambda k: (-self._counts[k].total, k.value.casefold()))
        return sorted(by_size[:limit], key=lambda k: k.value.casefold())

    def rows(self) -> Iterator[Row | str]:
        """The sidebar's lines: a :class:`Row` each, a section's title (a ``str``) before
        each section with rows."""
        for key in (ALL_KEY, UNREAD_KEY, STARRED_KEY):
            c = self.count(key)
            yield Row(key, self.label(key), 0, c.unread, c.total)
        for kind, title in SECTIONS:
            keys = self.keys(kind)
            if not keys:
                continue
            yield title
            for key in keys:
                c = self.count(key)
                depth = key.value.count("/") if kind == FOLDER else 0
                counted = kind != SAVED or key.value in self._saved
                yield Row(key, self.label(key), depth, c.unread, c.total, counted)


def diff(facets: Facets, articles: Iterable[Article]) -> Delta:
    """What counting ``articles`` instead of the articles ``facets`` counts changes."""
    return facets.delta_for(articles)


__all__ = [
    "ALL",
    "ALL_KEY",
    "COLUMNS_MIN",
    "FOLDER",
    "SAVED",
    "SECTIONS",
    "SOURCE",
    "STARRED",
    "STARRED_KEY",
    "TAG",
    "UNREAD",
    "UNREAD_KEY",
    "Count",
    "Delta",
    "Facets",
    "Key",
    "Row",
    "SavedCount",
    "diff",
]
