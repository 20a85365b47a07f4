"""A warm library's articles by row, each built when first asked for (issue 13, item 1).

A cache file holds every article's fields as columns (texts in one blob, the rest as
numbers); :class:`ArticleTable` is the file's articles as a sequence that makes the
:class:`~newstui.core.article.StoredArticle` of row ``i`` on the first ``table[i]`` and
keeps it (so an article is one object however often it is asked for, as in a list).

What a library does with all its articles at once — sort, count for the sidebar, look up
by id, fold stories, search — goes through its columns (:mod:`.columns`), its ids
(:meth:`ArticleRows.ids`, texts without objects) or the index; only what is drawn, opened
or returned by a search becomes an object. A million-article library opens without
building a million objects.

:class:`ArticleRows` is some rows of a table, in an order (a library's kept articles, a
file's, a sort order): a read-only sequence with the rows' columns and ids.
"""

from __future__ import annotations

import operator
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, overload

import numpy as np
import numpy.typing as npt

from newstui.core.article import body_sizes
from newstui.core.library.columns import Columns, LazyColumns

if TYPE_CHECKING:
    from pathlib import Path

    from newstui.core.article import Article

__all__ = ["ArticleRows", "ArticleTable", "position_of", "with_ids"]

#: ids decoded at a time by :meth:`ArticleTable.ids`
_ID_BLOCK = 8192
#: A walk over more than this share of a table's rows makes them all at once.
WALK_ALL = 0.25
_MAKING = threading.Lock()


class ArticleTable(Sequence["Article"]):
    """``n`` articles, row ``i`` made by ``make(i)`` on the first ask and then kept
    (thread-safe: two threads asking at once get the same object).

    ``ids(lo, hi)`` gives the ids of rows ``lo`` to ``hi`` without making articles;
    ``numbers(name)`` every row's ``words`` (word count), ``title_chars`` (the title's
    length), ``body_bytes`` (the body's length in UTF-8), ``path`` (a code into
    ``path_values``) or ``key`` (the dedupe key's 64 bits) likewise."""

    def __init__(
        self,
        n: int,
        make: Callable[[int], Article],
        ids: Callable[[int, int], list[str]],
        numbers: Callable[[str], npt.NDArray[np.int64] | None] | None = None,
        every: Callable[[], list[Article]] | None = None,
        paths: Sequence[Path | None] | None = None,
    ) -> None:
        self._n = n
        self._make = make
        self._ids = ids
        self._numbers = numbers
        self._every = every
        #: the files, by their code in ``numbers("path")`` (-1: the last, None)
        self.path_values = paths
        #: every row, once something walked them all (see :meth:`make_every`)
        self._all: list[Article] | None = None
        self._made: dict[int, Article] = {}
        self._all_ids: list[str] | None = None

    def __len__(self) -> int:
        return self._n

    @overload
    def __getitem__(self, i: int) -> Article: ...
    @overload
    def __getitem__(self, i: slice) -> ArticleRows: ...
    def __getitem__(self, i: int | slice) -> Article | ArticleRows:
        if isinstance(i, slice):
            return ArticleRows(self, np.arange(self._n, dtype=np.int64)[i])
        every = self._all
        if every is not None:
            return every[i]
        row = self._row(i)
        found = self._made.get(row)
        if found is not None:
            return found
        made = self._make(row)
        every = self._all  # (all made meanwhile, in another thread: theirs)
        return every[row] if every is not None else self._made.setdefault(row, made)

    def _row(self, i: int) -> int:
        """The row ``table[i]`` names (negative from the end); IndexError out of range."""
        row = operator.index(i)
        if row < 0:
            row += self._n
        if not 0 <= row < self._n:
            raise IndexError("article row out of range")
        return row

    def __iter__(self) -> Iterator[Article]:
        return iter(self.make_every())

    def make_every(self) -> list[Article]:
        """Every row made (the ones made already kept as they are): for what walks the
        whole library (a fetch's dedupe, a rewrite of the cache), at once rather than a
        row at a time; then kept as a list."""
        every = self._all
        if every is not None:
            return every
        with _MAKING:
            if self._all is None:
                if self._every is None:
                    made = [self[i] for i in range(self._n)]
                else:
                    made = self._every()
                    for row, article in list(self._made.items()):
                        made[row] = article  # the same object as before
                self._all = made
                self._made = {}
        assert self._all is not None
        return self._all

    def __contains__(self, value: object) -> bool:
        # by the ids (no article made, no id map built for one question)
        article_id = getattr(value, "id", None)
        return isinstance(article_id, str) and article_id in self.ids()

    @property
    def made(self) -> int:
        """How many rows were made into articles so far."""
        return self._n if self._all is not None else len(self._made)

    def take(self, rows: npt.NDArray[Any], columns: LazyColumns | None = None) -> ArticleRows:
        """Rows ``rows`` (in that order), with their ``columns`` when known."""
        return ArticleRows(self, np.asarray(rows, dtype=np.int64), columns)

    def ids(self) -> list[str]:
        """Every row's id, decoded a block at a time on the first ask (no article made),
        then kept: the index's id map, the sidebar's rows and the stories' folds share
        the strings (a list of a million more pointers, not a million more strings)."""
        found = self._all_ids
        if found is None:
            out: list[str] = []
            for lo in range(0, self._n, _ID_BLOCK):
                out.extend(self._ids(lo, min(self._n, lo + _ID_BLOCK)))
            found = self._all_ids = out
        return found

    def numbers(self, name: str) -> npt.NDArray[np.int64] | None:
        """Every row's ``name`` (see the class doc), or None when not known."""
        return None if self._numbers is None else self._numbers(name)

    def __add__(self, other: ArticleTable) -> ArticleTable:
        """This table's rows, then ``other``'s (a cache's base and its delta): row ``i``
        past this table's is ``other``'s ``i - len(self)``, made (and kept) there."""
        n = self._n

        def make(row: int) -> Article:
            return self[row] if row < n else other[row - n]

        def ids(lo: int, hi: int) -> list[str]:
            out = self._ids(lo, min(hi, n)) if lo < n else []
            if hi > n:
                out.extend(other._ids(max(lo, n) - n, hi - n))
            return out

        mine, theirs = self.path_values, other.path_values
        paths = None
        if mine is not None and theirs is not None:  # codes: -1 (None) last, as each has
            paths = [*mine[:-1], *theirs[:-1], None]
        shift = len(mine) - 1 if mine is not None else 0

        found: dict[str, npt.NDArray[np.int64] | None] = {}

        def numbers(name: str) -> npt.NDArray[np.int64] | None:
            if name in found:
                return found[name]
            first, second = self.numbers(name), other.numbers(name)
            value = None
            if first is not None and second is not None and (name != "path" or paths):
                if name == "path":
                    second = np.where(second < 0, -1, second + shift)
                value = np.concatenate([first, second]).astype(np.int64)
            found[name] = value
            return value

        def every() -> list[Article]:
            return [*self.make_every(), *other.make_every()]

        joined = _Joined(n + len(other), make, ids, numbers, every, paths)
        joined.parts = (self, other)
        return joined

    @classmethod
    def of(cls, articles: list[Article], keys: npt.NDArray[Any] | None = None) -> ArticleTable:
        """A table of articles made already (a few new files' on top of a cache's), with
        their dedupe keys (as integers) when known."""
        at: dict[Path, int] = {}
        codes = np.array(
            [-1 if a.path is None else at.setdefault(a.path, len(at)) for a in articles],
            np.int64,
        )

        def numbers(name: str) -> npt.NDArray[np.int64] | None:
            if name == "words":
                return np.array([a.word_count for a in articles], np.int64)
            if name == "title_chars":
                return np.array([len(a.title) for a in articles], np.int64)
            if name == "body_bytes":
                return body_sizes(articles)
            if name == "key":
                return None if keys is None else np.asarray(keys).view(np.int64)
            return codes if name == "path" else None

        table = cls(len(articles), articles.__getitem__, _ids_of(articles), numbers)
        table._all = articles
        table.path_values = [*at, None]
        return table


def _ids_of(articles: list[Article]) -> Callable[[int, int], list[str]]:
    def ids(lo: int, hi: int) -> list[str]:
        return [a.id for a in articles[lo:hi]]

    return ids


class _Joined(ArticleTable):
    """Two tables end to end: the rows are kept by the tables they come from."""

    def __getitem__(self, i: int | slice) -> Any:
        if isinstance(i, slice):
            return ArticleRows(self, np.arange(self._n, dtype=np.int64)[i])
        return self._make(self._row(i))

    def make_every(self) -> list[Article]:
        every = self._all
        if every is None:
            assert self._every is not None
            every = self._all = self._every()  # (made and kept by the two tables)
        return every

    parts: tuple[ArticleTable, ArticleTable]

    @property
    def made(self) -> int:
        return sum(part.made for part in self.parts)


class ArticleRows(Sequence["Article"]):
    """Rows of an :class:`ArticleTable`, in an order: a read-only sequence of articles,
    each made when asked for; with the rows' :class:`Columns` (``columns``, when known,
    worked out on first ask) and their ids (:meth:`ids`, no article made)."""

    def __init__(
        self,
        table: ArticleTable,
        rows: npt.NDArray[np.int64],
        columns: Columns | LazyColumns | None = None,
        lookup: _Lookup | None = None,
        within: tuple[ArticleRows, npt.NDArray[np.int64]] | None = None,
    ) -> None:
        self.table = table
        self.rows = rows
        self._columns = columns
        #: the rows these were taken from that know their columns, and where these are
        #: among them (for :meth:`times`)
        self._within = within
        self._is_whole: bool | None = None
        #: id -> table row, shared by every view of the same rows (made on first ask)
        self._lookup = lookup if lookup is not None else _Lookup(self)

    def __len__(self) -> int:
        return len(self.rows)

    @overload
    def __getitem__(self, i: int) -> Article: ...
    @overload
    def __getitem__(self, i: slice) -> ArticleRows: ...
    def __getitem__(self, i: int | slice) -> Article | ArticleRows:
        if isinstance(i, slice):
            return ArticleRows(self.table, self.rows[i], lookup=self._lookup)
        return self.table[int(self.rows[i])]

    def __iter__(self) -> Iterator[Article]:
        table = self.table
        if len(self.rows) > WALK_ALL * len(table):
            table.make_every()  # (a walk of most of them: made at once)
        return map(table.__getitem__, self._rows())

    def _rows(self) -> list[int]:
        # (not kept: a million Python ints is ~36 MB a view, and a library keeps a view
        # per sort order and fold; 20 ms to make again)
        return self.rows.tolist()  # type: ignore[no-any-return]

    @property
    def columns(self) -> Columns | None:
        """The rows' columns (None when not known: :meth:`Columns.of` then)."""
        found = self._columns
        if isinstance(found, LazyColumns):
            found = self._columns = found()
        return found

    def ids(self) -> list[str]:
        """The rows' ids, in order (decoded, no article made; the table's own list when
        these are all its rows in order: do not change it)."""
        every = self.table.ids()
        if self._whole():
            return every
        return list(map(every.__getitem__, self._rows()))

    def ids_at(self, positions: list[int]) -> list[str]:
        """The ids at ``positions`` of these rows (no article made)."""
        every = self.table.ids()
        rows = self.rows
        return [every[r] for r in rows[positions].tolist()] if positions else []

    def paths_at(self, positions: list[int]) -> list[Path | None]:
        """The files of the articles at ``positions`` of these rows (no article made)."""
        codes = self.table.numbers("path")
        values = self.table.path_values
        if codes is None or values is None:
            return [self[i].path for i in positions]
        return [values[c] for c in codes[self.rows[positions]].tolist()] if positions else []

    def _whole(self) -> bool:
        found = self._is_whole
        if found is None:
            n = len(self.table)
            found = self._is_whole = len(self.rows) == n and bool(
                np.array_equal(self.rows, np.arange(n))
            )
        return found

    def take(self, positions: npt.NDArray[Any] | Sequence[int]) -> ArticleRows:
        """The rows at ``positions`` of these (a sort order, a fold), in that order
        (their columns are not copied: :meth:`Columns.take` when needed)."""
        at = np.asarray(positions, dtype=np.int64)
        within = None
        if self._columns is not None:
            within = (self, at)
        elif self._within is not None:
            within = (self._within[0], self._within[1][at])
        return ArticleRows(self.table, self.rows[at], lookup=self._lookup, within=within)

    def times(self) -> npt.NDArray[np.float64] | None:
        """Each row's publication time (POSIX seconds, NaN undated) from the columns of
        the rows these were taken from, or None when not known (then from the articles)."""
        if self._columns is not None:
            columns = self.columns
            return None if columns is None else columns.time
        if self._within is None:
            return None
        rows, at = self._within
        every = rows.times()
        return None if every is None else every[at]

    def numbers(self, name: str) -> npt.NDArray[np.int64] | None:
        """The rows' ``name`` (see :class:`ArticleTable`), or None when not known."""
        every = self.table.numbers(name)
        return None if every is None else every[self.rows]

    def with_rows(self, table_rows: npt.NDArray[np.int64]) -> ArticleRows:
        """Other rows of the same table and library (a fold with versions added)."""
        return ArticleRows(self.table, table_rows, lookup=self._lookup)

    def row_of(self, article_id: str) -> int | None:
        """The table row of the article ``article_id`` among the rows these were taken
        from (a library's: each id once), or None."""
        return self._lookup(article_id)

    def position(self, article_id: str) -> int | None:
        """The first position of the article ``article_id`` here, or None (its row
        looked up by id, then found among these rows: no article made)."""
        row = self._lookup(article_id)
        if row is None:
            return None
        found = np.flatnonzero(self.rows == row)
        return int(found[0]) if len(found) else None

    def __contains__(self, value: object) -> bool:
        article_id = getattr(value, "id", None)
        if not isinstance(article_id, str):
            return False
        return self.position(article_id) is not None

    def index(self, value: Any, start: int = 0, stop: int | None = None) -> int:
        article_id = getattr(value, "id", None)
        at = self.position(article_id) if isinstance(article_id, str) else None
        if at is None or at < start or (stop is not None and at >= stop):
            if at is not None:  # not the first, or outside: as a list would look
                return super().index(value, start, len(self) if stop is None else stop)
            raise ValueError("article not in the rows")
        return at

    def count(self, value: Any) -> int:
        return sum(1 for a in self if a == value)

    def __add__(self, other: Sequence[Article]) -> list[Article]:
        return [*self, *other]

    def __radd__(self, other: Sequence[Article]) -> list[Article]:
        return [*other, *self]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, ArticleRows):
            return self.table is other.table and bool(np.array_equal(self.rows, other.rows))
        if isinstance(other, list):
            return len(other) == len(self) and all(map(operator.eq, self, other))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"<ArticleRows: {len(self):,} articles>"


class _Lookup:
    """Id -> table row over the rows of an :class:`ArticleRows` (a library's: each id
    once): by the ids' values in its columns when every id is hex (no dict of a million
    ids), else through a dict of its ids; worked out on the first ask."""

    def __init__(self, rows: ArticleRows) -> None:
        self._rows: ArticleRows | None = rows
        self._find: Callable[[str], int | None] | None = None
        self._lock = threading.Lock()

    def __call__(self, article_id: str) -> int | None:
        find = self._find
        if find is None:
            with self._lock:
                find = self._find
                if find is None:
                    find = self._find = self._make()
        return find(article_id)

    def _make(self) -> Callable[[str], int | None]:
        rows = self._rows
        assert rows is not None
        self._rows = None  # (no cycle kept)
        table_rows = rows.rows
        columns = rows.columns
        if columns is not None and columns.hex_ids:

            def by_value(article_id: str) -> int | None:
                found = columns.rows_of([article_id], rows)
                return int(table_rows[found[0]]) if len(found) else None

            return by_value
        row_of: dict[str, int] = {}
        for aid, row in zip(rows.ids(), table_rows.tolist(), strict=True):
            row_of.setdefault(aid, row)
        return row_of.get


def with_ids(articles: Sequence[Article], keep: Callable[[str], bool]) -> Sequence[Article]:
    """The articles whose id ``keep`` accepts, in order: a warm library's rows by their
    ids (no article made), a list's by walking it."""
    if isinstance(articles, ArticleRows):
        ids = articles.ids()
        return articles.take([n for n, aid in enumerate(ids) if keep(aid)])
    return [a for a in articles if keep(a.id)]


def position_of(articles: Sequence[Article], article_id: str) -> int | None:
    """The first position of the article ``article_id`` in ``articles``, or None: a warm
    library's rows find it by id (no article made), a list by walking it."""
    if isinstance(articles, ArticleRows):
        return articles.position(article_id)
    for n, article in enumerate(articles):
        if article.id == article_id:
            return n
    return None
