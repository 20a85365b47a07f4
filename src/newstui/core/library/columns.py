"""The library's articles as columns: one numpy array per property, row ``i`` the
library's ``i``-th article (issue 13, item 1).

What the list's orders and the sidebar's counts need, without a Python object walked per
article: the publication time (float seconds, NaN undated), the source, file, tags and
format as codes into their (few) distinct values, the word counts, and ranks that order
the titles (case-folded) and the ids as :mod:`newstui.core.order` compares them.

Two ways to get them, one rule each:

- from a warm cache, :func:`newstui.core.library.cache` maps them from its blobs (the
  title ranks and id keys are computed when the cache is WRITTEN, with :func:`text_ranks`
  and :func:`id_keys`): no per-article Python work at open;
- :meth:`Columns.of` builds them from article objects (a cold build, a delta, a fetch, a
  small library), with the same functions.

A library's article list carries its columns as a :class:`ColumnarList` (a ``list`` whose
``columns`` are dropped by any change of the list); :func:`columns_of` finds them, or
None.
"""

from __future__ import annotations

import bisect
import math
import re
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, SupportsIndex, overload

import numpy as np
import numpy.typing as npt

from newstui.core.article import article_ids
from newstui.core.order import ORDER_FIELDS

if TYPE_CHECKING:
    from newstui.core.article import Article

__all__ = [
    "ColumnarList",
    "Columns",
    "columns_for",
    "columns_of",
    "id_keys",
    "stack",
    "text_ranks",
    "time_ranks",
    "timestamps",
]

#: UTF-8 bytes of a text compared by numpy; texts that tie on them are ordered by Python.
RANK_BYTES = 64
_HEX_IDS = re.compile(r"[0-9a-f]*")
_HEX_ID_LEN = 16


def text_ranks(values: Sequence[str]) -> npt.NDArray[np.int64]:
    """Dense ranks of ``values`` in Python's ``str`` order (code points): equal strings
    the same rank, a smaller string a smaller rank.

    Sorted by numpy over each text's first :data:`RANK_BYTES` UTF-8 bytes (UTF-8 keeps the
    code points' order; no GIL held while it sorts); the few groups whose prefixes tie
    while a member is longer, or holds a NUL (numpy drops trailing NULs), are split by
    sorting their distinct texts in Python."""
    n = len(values)
    if n == 0:
        return np.zeros(0, np.int64)
    raw = [v.encode("utf-8", "surrogatepass") for v in values]
    width = max(1, min(RANK_BYTES, max(map(len, raw))))
    inexact = np.fromiter((len(b) > width or b"\0" in b for b in raw), dtype=bool, count=n)
    prefixes = np.array(raw, dtype=f"S{width}")
    del raw
    _, inverse = np.unique(prefixes, return_inverse=True)
    del prefixes
    group = inverse.reshape(-1).astype(np.int64)
    if not inexact.any():
        return group
    flagged = np.unique(group[inexact])
    rows = np.flatnonzero(np.isin(group, flagged))
    members: dict[int, list[int]] = {}
    for g, r in zip(group[rows].tolist(), rows.tolist(), strict=True):
        members.setdefault(g, []).append(r)
    sub = np.zeros(n, np.int64)
    for rs in members.values():
        distinct = sorted({values[r] for r in rs})
        if len(distinct) > 1:
            pos = {v: i for i, v in enumerate(distinct)}
            sub[rs] = [pos[values[r]] for r in rs]
    combined = group * (int(sub.max()) + 1) + sub
    _, dense = np.unique(combined, return_inverse=True)
    ranks: npt.NDArray[np.int64] = dense.reshape(-1).astype(np.int64)
    return ranks


def id_keys(ids: Sequence[str]) -> tuple[npt.NDArray[np.uint64], bool]:
    """Keys that order ``ids`` as strings compare, and whether they are the ids' own values.

    Every id newstui makes is 16 lowercase hex digits: then a key is the id's value (the
    same order, and an id can be looked up by value: :meth:`Columns.rows_of`); else the
    ids' :func:`text_ranks`."""
    n = len(ids)
    joined = "".join(ids)
    if (
        len(joined) == _HEX_ID_LEN * n
        and all(len(i) == _HEX_ID_LEN for i in ids)
        and _HEX_IDS.fullmatch(joined) is not None
    ):
        keys = np.frombuffer(bytes.fromhex(joined), dtype=">u8").astype(np.uint64)
        return keys, True
    return text_ranks(ids).astype(np.uint64), False


def hex_id(article_id: str) -> int | None:
    """The value of an id of 16 lowercase hex digits, else None."""
    if len(article_id) != _HEX_ID_LEN or _HEX_IDS.fullmatch(article_id) is None:
        return None
    return int(article_id, 16)


_EPOCH_NAIVE = datetime(1970, 1, 1)  # naive: a naive date's timestamp is local


def timestamps(
    micros: npt.NDArray[np.int64], naive: npt.NDArray[np.bool_], dated: npt.NDArray[np.bool_]
) -> npt.NDArray[np.float64]:
    """``datetime.timestamp()`` of stored dates without a datetime each: ``micros`` from
    the epoch (UTC for an aware date, wall-clock for a naive one), NaN where not ``dated``.
    A naive date's timestamp is local time, as Python gives it: one call per distinct
    naive date (a library has few, if any)."""
    out = np.full(len(micros), math.nan)
    aware = dated & ~naive
    out[aware] = micros[aware] / 1e6
    local = dated & naive
    if local.any():
        uniq, inverse = np.unique(micros[local], return_inverse=True)
        values = [(_EPOCH_NAIVE + timedelta(microseconds=u)).timestamp() for u in uniq.tolist()]
        out[local] = np.array(values, np.float64)[inverse.reshape(-1)]
    return out


def time_ranks(
    time: npt.NDArray[np.float64],
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_]]:
    """Dense ranks of ``time`` (an undated row's NaN as 0.0: the orders put the undated
    apart first), and which rows are undated."""
    undated = np.isnan(time)
    _, inverse = np.unique(np.where(undated, 0.0, time), return_inverse=True)
    return inverse.reshape(-1).astype(np.int64), undated


def _timestamp(a: Article) -> float:
    return a.published.timestamp() if a.published is not None else math.nan


def _codes(values: Iterable[Any], n: int) -> tuple[npt.NDArray[np.int32], list[Any]]:
    """Each value's code (the order of first appearance) and the distinct values."""
    seen: dict[Any, int] = {}
    codes = np.fromiter((seen.setdefault(v, len(seen)) for v in values), np.int32, n)
    return codes, list(seen)


@dataclass(slots=True, eq=False)
class Columns:
    """Per-article arrays, aligned with a library's article list (see the module doc)."""

    #: publication time, POSIX seconds as ``datetime.timestamp()`` gives it; NaN: undated
    time: npt.NDArray[np.float64]
    #: source code, into ``sources``
    source: npt.NDArray[np.int32]
    sources: list[str]
    #: the article's file, a code into ``paths`` (-1: none)
    path: npt.NDArray[np.int32]
    paths: list[Path]
    #: the tag list, a code into ``tag_sets``
    tags: npt.NDArray[np.int32]
    tag_sets: list[tuple[str, ...]]
    #: the format, a code into ``formats``
    format: npt.NDArray[np.int32]
    formats: list[str]
    words: npt.NDArray[np.int64]
    #: orders the case-folded titles (equal titles, equal ranks)
    title_rank: npt.NDArray[np.int64]
    #: orders the ids; the ids' values when ``hex_ids``
    id_key: npt.NDArray[np.uint64]
    hex_ids: bool
    _by_id: npt.NDArray[np.int64] | None = field(default=None, repr=False)
    _sorted_ids: npt.NDArray[np.uint64] | None = field(default=None, repr=False)
    _row_of: dict[str, int] | None = field(default=None, repr=False)
    _times: tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_]] | None = field(
        default=None, repr=False
    )

    def __len__(self) -> int:
        return len(self.time)

    # --- building ---------------------------------------------------------------------
    @classmethod
    def of(cls, articles: Sequence[Article]) -> Columns:
        """The columns of ``articles`` (O(articles), by the same rules as a cache's)."""
        n = len(articles)
        time = np.fromiter(map(_timestamp, articles), np.float64, n)
        source, sources = _codes((a.source for a in articles), n)
        path, paths = _codes((a.path for a in articles), n)
        tags, tag_sets = _codes((a.tags for a in articles), n)
        fmt, formats = _codes((a.format for a in articles), n)
        words = np.fromiter((a.word_count for a in articles), np.int64, n)
        title_rank = text_ranks([a.title.casefold() for a in articles])
        id_key, hex_ids = id_keys([a.id for a in articles])
        # the file code of "no file" is -1, as in a cache
        none = [i for i, p in enumerate(paths) if p is None]
        if none:
            code = none[0]
            path = np.where(path == code, -1, np.where(path > code, path - 1, path)).astype(
                np.int32
            )
            del paths[code]
        return cls(
            time,
            source,
            sources,
            path,
            paths,
            tags,
            tag_sets,
            fmt,
            formats,
            words,
            title_rank,
            id_key,
            hex_ids,
        )

    def take(self, rows: npt.NDArray[Any]) -> Columns:
        """The columns of rows ``rows`` (distinct: a cache's kept rows, say), in that
        order; the ids' order and the time ranks, when known, follow (no sort again)."""
        by_id = None
        if self._by_id is not None:
            at = np.full(len(self), -1, np.int64)
            at[rows] = np.arange(len(rows))
            by_id = at[self._by_id]
            by_id = by_id[by_id >= 0]
            if len(by_id) != len(rows):  # rows not distinct
                by_id = None
        times = None
        if self._times is not None:
            times = (self._times[0][rows], self._times[1][rows])
        return Columns(
            self.time[rows],
            self.source[rows],
            self.sources,
            self.path[rows],
            self.paths,
            self.tags[rows],
            self.tag_sets,
            self.format[rows],
            self.formats,
            self.words[rows],
            self.title_rank[rows],
            self.id_key[rows],
            self.hex_ids,
            by_id,
            _times=times,
        )

    # --- orders -----------------------------------------------------------------------
    def source_rank(self) -> npt.NDArray[np.int64]:
        """Orders the case-folded sources (ranked once per distinct source)."""
        per_code = text_ranks([s.casefold() for s in self.sources])
        return per_code[self.source] if len(per_code) else np.zeros(len(self), np.int64)

    def order(self, sort: str) -> npt.NDArray[np.int64]:
        """The rows in ``sort`` order: :data:`newstui.core.order.ORDER_FIELDS` (the rule
        ``sort_articles`` follows too) over these arrays.

        The ids' order (sorted once, kept) is the last tie-break; the other fields, each a
        small non-negative integer (a flag, or a dense rank), are packed into one 64-bit
        key, stably sorted over that order: one ``argsort``, no GIL held. Should they
        not fit in 64 bits, ``np.lexsort`` over them all."""
        fields = ORDER_FIELDS.get(sort, ORDER_FIELDS["newest"])
        parts: list[tuple[npt.NDArray[Any], int]] = []  # (values >= 0, their maximum)
        time_rank, undated = self._time_ranks()
        top = int(time_rank.max()) if len(time_rank) else 0
        for name in fields[:-1]:
            if name == "undated":
                parts.append((undated, 1))
            elif name == "time":
                parts.append((time_rank, top))
            elif name == "-time":
                parts.append((top - time_rank, top))
            elif name == "title":
                title = self.title_rank
                parts.append((title, int(title.max()) if len(title) else 0))
            elif name == "no_source":
                empty = [i for i, s in enumerate(self.sources) if s == ""]
                none = self.source == empty[0] if empty else np.zeros(len(self), dtype=bool)
                parts.append((none, 1))
            elif name == "source":
                source = self.source_rank()
                parts.append((source, int(source.max()) if len(source) else 0))
        by_id = self.id_order()
        bits = sum(top.bit_length() for _, top in parts)
        if fields[-1] != "id" or bits > 63 or any(top < 0 for _, top in parts):
            arrays = [p for p, _ in parts]
            order: npt.NDArray[np.int64] = np.lexsort((self.id_key, *reversed(arrays)))
            return order
        key = np.zeros(len(self), np.uint64)
        for values, top in parts:
            key <<= np.uint64(top.bit_length())
            key |= values.astype(np.uint64)
        order = by_id[np.argsort(key[by_id], kind="stable")]
        return order

    def _time_ranks(self) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_]]:
        """Ranks of the times and which rows are undated (a cache's, else computed once)."""
        found = self._times
        if found is None:
            found = self._times = time_ranks(self.time)
        return found

    # --- ids --------------------------------------------------------------------------
    def rows_of(self, ids: Iterable[str], articles: Sequence[Article]) -> npt.NDArray[np.int64]:
        """The rows of those of ``ids`` in the library (``articles``, whose columns these
        are), each once. By value when every id is hex (no dict of a million ids), else
        through a dict of the articles' ids."""
        if self.hex_ids:
            values = [v for v in map(hex_id, ids) if v is not None]
            if not values or not len(self):
                return np.zeros(0, np.int64)
            wanted = np.unique(np.array(values, dtype=np.uint64))
            by_value = self.id_order()
            sorted_keys = self.sorted_ids()
            at = np.searchsorted(sorted_keys, wanted)
            ok = at < len(sorted_keys)
            ok[ok] = sorted_keys[at[ok]] == wanted[ok]
            rows: npt.NDArray[np.int64] = np.unique(by_value[at[ok]].astype(np.int64))
            return rows
        row_of = self._row_of
        if row_of is None:  # the first row of an id, as counted; shared once whole
            row_of = {}
            for i, aid in enumerate(article_ids(articles)):  # (a warm library's: none made)
                row_of.setdefault(aid, i)
            self._row_of = row_of
        got = {row_of[i] for i in ids if i in row_of}
        return np.array(sorted(got), dtype=np.int64)

    def sorted_ids(self) -> npt.NDArray[np.uint64]:
        """The id keys in :meth:`id_order` (made once, then kept)."""
        found = self._sorted_ids
        if found is None:
            found = self._sorted_ids = self.id_key[self.id_order()]
        return found

    def id_order(self) -> npt.NDArray[np.int64]:
        """The rows by id (sorted once, then kept)."""
        order = self._by_id
        if order is None:
            order = self._by_id = np.argsort(self.id_key, kind="stable").astype(np.int64)
        return order


class LazyColumns:
    """Columns worked out on the first ask, once (a warm cache's: a process that only
    searches, the CLI's, never copies them out of the mapping)."""

    def __init__(self, make: Callable[[], Columns | None]) -> None:
        self._make: Callable[[], Columns | None] | None = make
        self._value: Columns | None = None
        self._lock = threading.Lock()

    def __call__(self) -> Columns | None:
        with self._lock:
            make, self._make = self._make, None
            if make is not None:
                self._value = make()
            return self._value


class ColumnarList(list["Article"]):
    """A library's article list with its :class:`Columns` (``columns``: given, or a
    :class:`LazyColumns` worked out on first ask; None once the list is changed in place:
    every changing method drops them)."""

    def __init__(
        self, articles: Iterable[Article] = (), columns: Columns | LazyColumns | None = None
    ) -> None:
        super().__init__(articles)
        self._columns: Columns | LazyColumns | None = columns

    @property
    def columns(self) -> Columns | None:
        found = self._columns
        if isinstance(found, LazyColumns):
            found = self._columns = found()
        if found is not None and len(found) != len(self):
            found = self._columns = None
        return found

    @columns.setter
    def columns(self, value: Columns | None) -> None:
        self._columns = value

    def _changed(self) -> None:
        self._columns = None

    def append(self, item: Article, /) -> None:
        self._changed()
        super().append(item)

    def extend(self, items: Iterable[Article], /) -> None:
        self._changed()
        super().extend(items)

    def insert(self, index: SupportsIndex, item: Article, /) -> None:
        self._changed()
        super().insert(index, item)

    def pop(self, index: SupportsIndex = -1, /) -> Article:
        self._changed()
        return super().pop(index)

    def remove(self, item: Article, /) -> None:
        self._changed()
        super().remove(item)

    def clear(self) -> None:
        self._changed()
        super().clear()

    def sort(self, *args: Any, **kwargs: Any) -> None:
        self._changed()
        super().sort(*args, **kwargs)

    def reverse(self) -> None:
        self._changed()
        super().reverse()

    def __setitem__(self, index: Any, value: Any) -> None:
        self._changed()
        super().__setitem__(index, value)

    def __delitem__(self, index: Any) -> None:
        self._changed()
        super().__delitem__(index)

    def __iadd__(self, items: Iterable[Article]) -> ColumnarList:  # type: ignore[override,misc]
        self._changed()
        super().__iadd__(items)
        return self

    def __imul__(self, count: SupportsIndex) -> ColumnarList:
        self._changed()
        super().__imul__(count)
        return self


def columns_of(articles: Sequence[Article]) -> Columns | None:
    """The columns ``articles`` carries (a :class:`ColumnarList` unchanged since), or None."""
    columns = getattr(articles, "columns", None)
    if isinstance(columns, Columns) and len(columns) == len(articles):
        return columns
    return None


def columns_for(articles: Sequence[Article]) -> Columns:
    """The columns ``articles`` carries, else built from its objects (:meth:`Columns.of`)
    and, when ``articles`` is a :class:`ColumnarList`, kept on it for the next ask (the
    list's order and the sidebar's counts then build them once)."""
    columns = columns_of(articles)
    if columns is None:
        columns = Columns.of(articles)
        if isinstance(articles, ColumnarList):
            articles.columns = columns
    return columns


class _Ranked(Sequence[str]):
    """The distinct texts of a rank column, in rank order, each read on demand (a
    bisection reads ~20 of a million)."""

    def __init__(self, rows: Sequence[int], text: Callable[[int], str]) -> None:
        self._rows = rows
        self._text = text

    def __len__(self) -> int:
        return len(self._rows)

    @overload
    def __getitem__(self, k: int) -> str: ...
    @overload
    def __getitem__(self, k: slice) -> Sequence[str]: ...
    def __getitem__(self, k: int | slice) -> str | Sequence[str]:
        if isinstance(k, slice):
            return [self._text(r) for r in self._rows[k]]
        return self._text(self._rows[k])


def _merged(
    base: list[Any], more: list[Any], codes: npt.NDArray[np.int32]
) -> tuple[list[Any], npt.NDArray[np.int32]]:
    """``base`` and the values of ``more`` it lacks, and ``codes`` (into ``more``) into it."""
    index = {v: i for i, v in enumerate(base)}
    values = list(base)
    mapping = []
    for v in more:
        code = index.get(v)
        if code is None:
            code = index[v] = len(values)
            values.append(v)
        mapping.append(code)
    if not len(codes):
        return values, codes
    return values, np.array(mapping, dtype=np.int32)[codes]


def stack(
    base: Columns,
    base_title: Callable[[int], str],
    more: Columns,
    more_title: Callable[[int], str],
) -> Columns | None:
    """The columns of ``base``'s rows then ``more``'s (a cache's base and its delta), or
    None when their ids are not both hex (then :meth:`Columns.of`). ``*_title(row)`` is a
    row's case-folded title: the two sets of title ranks are merged by bisecting the base's
    distinct titles for each of ``more``'s (a few reads of the base each)."""
    if not (base.hex_ids and more.hex_ids):
        return None
    sources, more_source = _merged(base.sources, more.sources, more.source)
    tag_sets, more_tags = _merged(base.tag_sets, more.tag_sets, more.tags)
    formats, more_format = _merged(base.formats, more.formats, more.format)
    shift = len(base.paths)
    more_path = np.where(more.path < 0, -1, more.path + shift).astype(np.int32)
    # title ranks: base rank r -> (2r+1)*m; one of more's equal to it the same, else
    # 2p*m + j (p: where it goes among the base's, j: its rank among more's)
    base_ranks, base_first = np.unique(base.title_rank, return_index=True)
    more_ranks, more_first = np.unique(more.title_rank, return_index=True)
    m = len(more_ranks) + 1
    ranked = _Ranked(base_first.tolist(), base_title)
    keys = []
    for j, row in enumerate(more_first.tolist()):
        title = more_title(row)
        p = bisect.bisect_left(ranked, title)
        keys.append((2 * p + 1) * m if p < len(ranked) and ranked[p] == title else 2 * p * m + j)
    base_key = (2 * np.searchsorted(base_ranks, base.title_rank).astype(np.int64) + 1) * m
    more_key = np.array(keys, dtype=np.int64)[np.searchsorted(more_ranks, more.title_rank)]
    _, dense = np.unique(np.concatenate([base_key, more_key]), return_inverse=True)
    return Columns(
        np.concatenate([base.time, more.time]),
        np.concatenate([base.source, more_source]).astype(np.int32),
        sources,
        np.concatenate([base.path, more_path]).astype(np.int32),
        [*base.paths, *more.paths],
        np.concatenate([base.tags, more_tags]).astype(np.int32),
        tag_sets,
        np.concatenate([base.format, more_format]).astype(np.int32),
        formats,
        np.concatenate([base.words, more.words]),
        dense.reshape(-1).astype(np.int64),
        np.concatenate([base.id_key, more.id_key]),
        True,
    )
