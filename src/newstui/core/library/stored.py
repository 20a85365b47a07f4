"""A cache file's rows as articles, each made when first asked for (see :mod:`.rows`).

The cache (:mod:`.cache`) checks its blobs at open and hands them here: the texts (id,
title and URL of each row, NUL-terminated, in one UTF-8 blob), the categorical columns
(codes into a few distinct values), the numbers (file, entry, flags, word counts, dates).
:func:`stored_table` makes row ``i`` into a
:class:`~newstui.core.article.StoredArticle` from them, its body the row in the body
store, in ~5 µs; nothing is made for a row never asked for.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from itertools import repeat
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from newstui.core.article import Article
from newstui.core.library.bodies import BodyStore
from newstui.core.library.rows import ArticleTable

__all__ = ["NAIVE", "TEXT_FIELDS", "Categorical", "check_text", "stored_date", "stored_table"]

#: the UTC offset stored for a naive date
NAIVE = 2**31 - 1
#: the text fields each row holds, in order, each ending with a NUL
TEXT_FIELDS = ("id", "title", "url")
_EPOCH_NAIVE = datetime(1970, 1, 1)
# Article's slots, set without __init__ (the values are the cache's, checked already)
_SET = {name: Article.__dict__[name].__set__ for name in Article.__slots__}


def _view(values: npt.NDArray[Any], dtype: Any = None) -> memoryview:
    """``values`` as a memoryview: indexing it gives Python numbers (no numpy scalar)."""
    return np.ascontiguousarray(values, dtype).data


class Categorical:
    """A column of few distinct values: each row's code into ``values``."""

    __slots__ = ("codes", "values")

    def __init__(self, values: Sequence[Any], codes: npt.NDArray[Any]) -> None:
        self.values = values
        self.codes = codes

    def __getitem__(self, row: int) -> Any:
        return self.values[int(self.codes[row])]


_ZONES: dict[int, tzinfo] = {0: UTC}


def _zone(offset: int) -> tzinfo:
    zone = _ZONES.get(offset)
    if zone is None:
        zone = _ZONES.setdefault(offset, timezone(timedelta(seconds=offset)))
    return zone


def stored_date(micros: int, offset: int) -> datetime:
    """The datetime stored as ``micros`` from the epoch (UTC) and a UTC ``offset`` in
    seconds (:data:`NAIVE`: a naive date, ``micros`` its wall-clock time)."""
    if offset == NAIVE:
        return _EPOCH_NAIVE + timedelta(microseconds=micros)
    local = _EPOCH_NAIVE + timedelta(microseconds=micros + offset * 1_000_000)
    return local.replace(tzinfo=_zone(offset))


def stored_table(
    cls: type[Article],
    n: int,
    texts_blob: bytes,
    text_starts: npt.NDArray[Any],
    categories: dict[str, Categorical],
    numbers: dict[str, npt.NDArray[Any]],
    paths: Sequence[Path | None],
    bodies: BodyStore,
) -> ArticleTable:
    """Row ``i`` of ``n`` as an article of class ``cls`` (a StoredArticle bound to the
    body store: its body is its row), made on the first ask.

    ``texts_blob``: the rows' texts (a copy of the file's: see ``cache``), row ``i``'s
    from ``text_starts[i]`` to ``text_starts[i + 1]``; ``categories``: format, author,
    source and tags (a tuple); ``numbers``: ``path`` (into ``paths``, -1 none), ``entry``
    (-1 none), ``truncated``, ``words``, ``micros``, ``offset`` and ``has`` (the date) —
    copies, not views of the mapping: a file cut under a running app is no SIGBUS."""
    path_ix, entries = numbers["path"], numbers["entry"]
    truncated, words = numbers["truncated"], numbers["words"]
    micros, offsets, has = numbers["micros"], numbers["offset"], numbers["has"]
    fmt, author, source, tags = (categories[k] for k in ("format", "author", "source", "tags"))
    text = BodyStore(texts_blob, 0, text_starts, None)
    # A row is made in ~2-3 µs: memoryviews give Python ints (a numpy scalar each would
    # cost ~0.1 µs more, twelve times), the setters are bound once.
    blob = memoryview(texts_blob)
    at = _view(text_starts, np.int64)
    mv = {k: _view(v) for k, v in numbers.items()}
    m_path, m_entry, m_trunc, m_words = mv["path"], mv["entry"], mv["truncated"], mv["words"]
    m_micros, m_offset, m_has = mv["micros"], mv["offset"], mv["has"]
    fmt_v, fmt_c = fmt.values, _view(fmt.codes)
    author_v, author_c = author.values, _view(author.codes)
    source_v, source_c = source.values, _view(source.codes)
    tags_v, tags_c = tags.values, _view(tags.codes)
    new = object.__new__
    set_id, set_title, set_body, set_format = (_SET[k] for k in ("id", "title", "body", "format"))
    set_path, set_entry, set_author, set_source = (
        _SET[k] for k in ("path", "entry", "author", "source")
    )
    set_published, set_url, set_tags = (_SET[k] for k in ("published", "url", "tags"))
    set_truncated, set_words = _SET["truncated"], _SET["word_count"]

    def texts(row: int) -> list[str]:
        raw = blob[at[row] : at[row + 1]]
        try:
            decoded = str(raw, "utf-8", "surrogatepass")
        except UnicodeDecodeError:  # a damaged file (the background check removes it)
            decoded = str(raw, "utf-8", "replace")
        parts = decoded.split("\x00", 2)
        if len(parts) < 3:
            parts += [""] * (3 - len(parts))
        parts[2] = parts[2].rstrip("\x00")
        return parts

    def make(row: int) -> Article:
        a = new(cls)
        aid, title, url = texts(row)
        set_id(a, aid)
        set_title(a, title)
        set_body(a, row)
        set_format(a, fmt_v[fmt_c[row]])
        set_path(a, paths[m_path[row]])
        entry = m_entry[row]
        set_entry(a, None if entry < 0 else entry)
        set_author(a, author_v[author_c[row]])
        set_source(a, source_v[source_c[row]])
        set_published(a, stored_date(m_micros[row], m_offset[row]) if m_has[row] else None)
        set_url(a, url)
        set_tags(a, tags_v[tags_c[row]])
        set_truncated(a, bool(m_trunc[row]))
        set_words(a, m_words[row])
        return a

    def ids(lo: int, hi: int) -> list[str]:
        if lo >= hi:
            return []
        raw = text.span(lo, hi)
        try:
            parts = str(raw, "utf-8", "surrogatepass").split("\x00")
        except UnicodeDecodeError:
            parts = []
        if len(parts) == (hi - lo) * len(TEXT_FIELDS) + 1:
            return parts[0 : -1 : len(TEXT_FIELDS)]
        return [texts(r)[0] for r in range(lo, hi)]  # a damaged blob: row by row

    found: dict[str, npt.NDArray[np.int64]] = {}

    def column(name: str) -> npt.NDArray[np.int64]:
        value = found.get(name)
        if value is None:
            if name == "words":
                value = words.astype(np.int64)
            elif name == "body_bytes":
                value = bodies.sizes(np.arange(n, dtype=np.int64))
            elif name == "path":
                value = path_ix.astype(np.int64)
            elif name == "key":
                value = bodies.keys.view(np.int64)
            elif name == "title_chars":
                value = _title_chars(text, n, lambda row: texts(row)[1])
            else:
                raise KeyError(name)
            found[name] = value
        return value

    def every() -> list[Article]:
        # Every row at once (a path that walks the whole library: a fetch's dedupe, a
        # rewrite of the cache): each field set by a C-level map over all rows, the
        # texts decoded a block at a time, equal values shared (~0.5 s at a million,
        # not the ~5 s of a row at a time).
        texts_of: list[list[str]] = [[], [], []]
        for lo in range(0, n, _BLOCK):
            hi = min(n, lo + _BLOCK)
            try:
                parts = str(text.span(lo, hi), "utf-8", "surrogatepass").split("\x00")
            except UnicodeDecodeError:  # a damaged file: row by row, as texts() reads
                parts = []
            if len(parts) != 3 * (hi - lo) + 1:
                rows = [texts(r) for r in range(lo, hi)]
                parts = [f for row in rows for f in row] + [""]
            for f in range(3):
                texts_of[f].extend(parts[f:-1:3])
        made: list[Article] = list(map(new, repeat(cls, n)))
        columns: dict[str, Iterable[Any]] = {
            "id": texts_of[0],
            "title": texts_of[1],
            "url": texts_of[2],
            "body": range(n),
            "format": map(fmt.values.__getitem__, fmt.codes.tolist()),
            "path": map(paths.__getitem__, path_ix.tolist()),
            "entry": (None if e < 0 else e for e in entries.tolist()),
            "author": map(author.values.__getitem__, author.codes.tolist()),
            "source": map(source.values.__getitem__, source.codes.tolist()),
            "published": _dates(micros, offsets, has),
            "tags": map(tags.values.__getitem__, tags.codes.tolist()),
            "truncated": truncated.astype(bool).tolist(),
            "word_count": _shared_ints(words),
        }
        for name, values in columns.items():
            deque(map(_SET[name], made, values), maxlen=0)
        return made

    return ArticleTable(n, make, ids, column, every, paths)


def _shared_ints(values: npt.NDArray[Any]) -> list[int]:
    """``values`` as ints, equal ones one object (a few thousand distinct word counts)."""
    uniq, inverse = np.unique(values, return_inverse=True)
    return list(map(uniq.tolist().__getitem__, inverse.reshape(-1).tolist()))


def _dates(
    micros: npt.NDArray[np.int64], offsets: npt.NDArray[np.int32], has: npt.NDArray[np.uint8]
) -> list[datetime | None]:
    """Every row's date (as :func:`stored_date`): datetimes made by numpy
    (``datetime64[us]`` to objects, in C) for each distinct date and offset, shared by
    the rows that have it (the dates are checked by the cache at open)."""
    out = np.full(len(micros), None, dtype=object)
    rows = np.flatnonzero(has)
    offs = offsets[rows].astype(np.int64)
    naive = offs == NAIVE
    local = micros[rows] + np.where(naive, 0, offs) * 1_000_000  # wall-clock time
    for off in np.unique(offs).tolist():
        sel = np.flatnonzero(offs == off)
        uniq, inverse = np.unique(local[sel], return_inverse=True)
        objs: list[datetime] = uniq.astype("datetime64[us]").astype(object).tolist()
        if off != NAIVE:
            zone = _zone(off)
            objs = [d.replace(tzinfo=zone) for d in objs]
        shared = np.empty(len(objs), dtype=object)
        shared[:] = objs
        out[rows[sel]] = shared[inverse.reshape(-1)]
    result: list[datetime | None] = out.tolist()
    return result


_BLOCK = 65536  # rows at a time


def _title_chars(text: BodyStore, n: int, title: Callable[[int], str]) -> npt.NDArray[np.int64]:
    """Each row's title length in characters (``len(title)``), from the text blob
    without decoding: the UTF-8 bytes between a row's first and second NUL that do not
    continue a character, a block of rows at a time (a damaged block: each row's
    ``title(row)``, as its article would have it)."""
    out = np.zeros(n, np.int64)
    for lo in range(0, n, _BLOCK):
        hi = min(n, lo + _BLOCK)
        blob = np.frombuffer(text.span(lo, hi), np.uint8)
        nuls = np.flatnonzero(blob == 0)
        if len(nuls) != 3 * (hi - lo):  # a damaged blob: as its rows decode
            out[lo:hi] = [len(title(row)) for row in range(lo, hi)]
            continue
        starts = nuls[0::3] + 1
        ends = nuls[1::3]
        counted = np.concatenate([[0], np.cumsum((blob & 0xC0) != 0x80, dtype=np.int64)])
        out[lo:hi] = counted[ends] - counted[starts]
    return out


def check_text(
    texts: bytes, starts: npt.NDArray[Any], n: int, error: Callable[[str], Exception]
) -> None:
    """Raise ``error(reason)`` unless ``starts`` (``n + 1`` offsets) cut the text blob
    ``texts`` into rows that each end with a NUL (checked without decoding: one byte a
    row; that a row holds its fields is the checksum's to say)."""
    if starts.shape != (n + 1,) or int(starts[0]) != 0 or int(starts[-1]) != len(texts):
        raise error("article text offsets do not fit")
    if n and bool(np.any(np.diff(starts) <= 0)):
        raise error("article text offsets not sorted")
    if n:
        blob = np.frombuffer(texts, np.uint8)
        if bool(np.any(blob[starts[1:] - 1] != 0)):
            raise error("article text does not fit")
