"""Warm start: the library and its built search index, cached on disk.

:func:`~newstui.core.library.opening.open_library` reads it (:func:`read_cache`), reuses
what it holds for every file whose path, size and modification time are unchanged, and
writes it back (:func:`write_cache`) when anything changed.

File format (one file per set of folders, under ``newstui.core.paths.cache_dir()``)::

    b"NEWSTUI\x1aIDX" | u32 format version | u32 crc32 of the header | u64 header length
    | header (UTF-8 JSON) | padding to 64 bytes
    | payload: blobs, each at a 64-byte aligned offset (raw little-endian numeric arrays;
      the article texts, every field ended by NUL; the terms, one a line)

The header lists every blob as ``[name, dtype, shape, offset, size, crc32]``, and names
the file (``generation``, random).

**Bodies stay on disk** (format 8): the articles' short fields (id, title, format, author,
source, url, tags) are one text blob, decoded at open; the bodies are another, never read
at open. A warm article is a :class:`~newstui.core.article.StoredArticle` whose body is its
row in the :class:`BodyStore` until ``body`` is read (the reader, a snippet, an export): one
``pread`` of the file, the last few kept decoded. After a cold build the articles are moved
onto the file just written (:func:`adopt`), so their bodies leave memory too. Each row's
dedupe key (``text_key``, 8 bytes) is stored, so deduping never reads a body either.

**Columns** (format 9): what the list's orders and the sidebar's counts need is mapped as
arrays, not read off the article objects (:mod:`.columns`): the categorical codes, paths,
word counts and dates above, plus each row's title rank (case-folded), id key, the rows in
id order and time ranks, all computed when the file is written. The kept articles come
back as a :class:`~newstui.core.library.columns.ColumnarList` carrying them (a base and its
delta: stacked, :func:`~newstui.core.library.columns.stack`).

**A delta beside the file** (``library-….idx.delta``, the same format, naming its base's
generation): when a few files changed, :func:`write_delta` writes only them (their records
and articles, the index segment of what was added, the base's rows that left as a live
mask, the library's kept rows and duplicates) and the base stays as it is. A warm open
maps the base, then the delta on top (:func:`inspect_cache`); a delta that does not fit its
base is ignored (its files are read again). A delta is merged into a new base in the
background when that pays (:mod:`.merging`, file to file); past ``opening.DELTA_SHARE`` of
the base the whole file is rewritten in the open instead, and the delta removed.

The file is *mapped*, not parsed (issue 13): it is opened with ``mmap`` and every array,
the search index's postings included, is a read-only numpy view of the mapping
(``np.frombuffer``), so a warm open costs page faults for what is touched rather than a
copy of the file. The article texts are decoded a block of articles at a time (their byte
starts are stored), so no copy of the whole text is ever held; the pages read are handed
back to the page cache as each block is done (``madvise(MADV_DONTNEED)``), as are the
postings' once bounds-checked (a slice at a time), and, in a big file, whenever the
mapped pages the searches touched pass ``pages.RESIDENT_POSTINGS`` (a watcher thread: see
:mod:`.pages`): the process's memory is its articles' metadata, not the index.

Checksums, cheaply: the header's crc32 is checked first; then every blob's own crc32,
except, in a file over :data:`EAGER_VERIFY_BYTES`, the bulk blobs (postings ``docs`` and
``tfs`` and the article text: ~95% of the bytes, ~1 s per GB of crc32 here). Those are
checked in a background thread (zlib releases the GIL) while the app starts; a mismatch
removes the file, so the next start rebuilds it (a damaged bulk blob can meanwhile only
mis-rank or mis-spell: every offset and article number is bounds-checked before use, and
text that is not UTF-8 is refused at once). A small file is verified whole before use.

Nothing in it can execute code: JSON, numbers and text only (no pickle, marshal or shelve),
arrays read with explicit dtypes from a fixed list. A file that is truncated, fails a
checksum, has another version or does not fit together is ignored, rebuilt and replaced
(the reason is logged on the ``newstui.cache`` logger). Writes go to a temporary file first
and are renamed into place (atomic), never in place: a mapped file is never changed under
a reader.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import hashlib
import os
import threading
import zlib
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from newstui.core import paths
from newstui.core.article import Article, Problem, StoredArticle
from newstui.core.atomic import write_atomic
from newstui.core.library import pages
from newstui.core.library.bodies import BodyStore
from newstui.core.library.columns import (
    Columns,
    LazyColumns,
    id_keys,
    stack,
    text_ranks,
    time_ranks,
    timestamps,
)
from newstui.core.library.layout import (
    _ALIGN,
    CACHE_VERSION,
    CacheError,
    _bulk,
    _check_postings,
    _Layout,
    _map,
    _postings_ranges,
    _verify_later,
    encode_head,
    log,
    payload_start,
    raw_blob,
)
from newstui.core.library.pages import release as _release
from newstui.core.library.rows import ArticleRows, ArticleTable
from newstui.core.library.scan import FileEntry, text_key
from newstui.core.library.stored import NAIVE, TEXT_FIELDS, Categorical, check_text, stored_table
from newstui.core.search.index import SearchIndex
from newstui.core.search.segments import Segment

__all__ = [
    "CACHE_VERSION",
    "BodyStore",
    "CacheError",
    "CachedLibrary",
    "FileRecord",
    "adopt",
    "article_key",
    "cache_file_for",
    "cache_supported",
    "inspect_cache",
    "read_cache",
    "write_cache",
]

# (CACHE_VERSION, the prefix and the blobs' layout: core/library/layout.py)
# A file up to this size is verified whole before use; a bigger one has its bulk blobs
# verified in a background thread (see the module doc).
EAGER_VERIFY_BYTES = 64 << 20
# Up to this many rows, a warm open makes every article at once (C-level maps: ~0.1 s and
# ~50 MB at 100k), so that no search pays for the articles it returns (~4 µs each, ~30 a
# query: +0.1 ms on a 1 ms search). Past it the articles are made when asked for: at a
# million, making them all would cost ~0.6 s of the open and ~400 MB (see rows.py).
EAGER_ROWS = 200_000
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_NAIVE = NAIVE  # utc offset marker for a naive datetime
# The Article fields this format stores; any other Article shape disables the cache.
_ARTICLE_FIELDS = (
    "id",
    "title",
    "body",
    "format",
    "path",
    "entry",
    "author",
    "source",
    "published",
    "url",
    "tags",
    "truncated",
    "word_count",
)

# Decoded at open (every article); the bodies are a blob of their own, read on demand.
_TEXT_FIELDS = TEXT_FIELDS
# Few distinct values, many articles: one code an article, the values once (in the header).
_CATEGORIES = ("format", "author", "source", "tags")


def cache_file_for(roots: Sequence[Path], cache_dir: Path | None = None) -> Path:
    """The cache file for a set of folders (one file per set)."""
    key = hashlib.blake2b(digest_size=8)
    for r in sorted(str(Path(r).resolve()) for r in roots):
        key.update(r.encode("utf-8", "surrogatepass") + b"\x00")
    return (cache_dir or paths.cache_dir()) / f"library-{key.hexdigest()}.idx"


def cache_supported() -> bool:
    """Whether this Article shape is the one the format stores (else the cache is unused)."""
    return tuple(f.name for f in dataclasses.fields(Article)) == _ARTICLE_FIELDS


# --------------------------------------------------------------------------- writing


def _micros(dt: datetime) -> tuple[int, int]:
    off = dt.utcoffset()
    if off is None:
        return (dt.replace(tzinfo=UTC) - _EPOCH) // timedelta(microseconds=1), _NAIVE
    return (dt - _EPOCH) // timedelta(microseconds=1), int(off.total_seconds())


@dataclasses.dataclass(slots=True)
class FileRecord:
    """One article file as cached: its entry, its articles (before dedupe: a warm
    cache's are rows of its table, made when asked for), its problems."""

    entry: FileEntry
    articles: Sequence[Article]
    problems: list[Problem]
    #: the row of its first article in the cache it came from (-1: not from a cache)
    first_row: int = -1


def stored_key(a: Article) -> str | None:
    """The dedupe key (:func:`~newstui.core.library.scan.text_key`) of an article whose
    body is still in a cache's body store, read from the store (no body read); else None."""
    if isinstance(a, StoredArticle):
        row = a.body_row
        source = a._source
        if row is not None and isinstance(source, BodyStore):
            return source.key(row)
    return None


def article_key(a: Article) -> str:
    """``a``'s dedupe key: the store's for a body still on disk, else computed from the text."""
    return stored_key(a) or text_key(a)


def _table(files: list[FileRecord]) -> tuple[list[Article], list[list[Any]]]:
    """Every article of ``files`` (before dedupe), file by file, and the files' rows."""
    table: list[Article] = []
    file_rows: list[list[Any]] = []
    for rec in files:
        file_rows.append(
            [
                str(rec.entry.path),
                rec.entry.size,
                rec.entry.mtime_ns,
                len(table),
                len(rec.articles),
                [[str(p.path), p.reason, p.kind, p.entry, p.count] for p in rec.problems],
            ]
        )
        table.extend(rec.articles)
    return table, file_rows


def _rows(table: list[Article], articles: list[Article], first: int = 0) -> npt.NDArray[np.int32]:
    """Each of ``articles``' row in ``table`` (plus ``first``); CacheError if one is not there."""
    pos = {id(a): i for i, a in enumerate(table)}
    by_id = {a.id: i for i, a in enumerate(table)}
    rows = np.array([pos.get(id(a), by_id.get(a.id, -1)) for a in articles], dtype=np.int64)
    if len(rows) and int(rows.min()) < 0:
        raise CacheError("indexed article not in the library")
    return (rows + first).astype(np.int32)


def _encode(
    files: list[FileRecord],
    index: SearchIndex,
    dup_problems: list[Problem],
    kept_articles: list[Article],
    keys: Callable[[Article], str] | None = None,
) -> tuple[list[Any], list[Article], str]:
    """The cache file's bytes, as buffers to write one after the other, its table (every
    article, in the order of their rows) and its generation (a name of its own)."""
    table, file_rows = _table(files)
    indexed_articles, arrays, terms = index.export_parts()
    indexed = _rows(table, indexed_articles)
    kept = _rows(table, kept_articles)
    return _pack(files, table, file_rows, indexed, kept, arrays, terms, dup_problems, keys, {}, [])


def _pack(
    files: list[FileRecord],
    table: list[Article],
    file_rows: list[list[Any]],
    indexed: npt.NDArray[np.int32],
    kept: npt.NDArray[np.int32],
    arrays: dict[str, npt.NDArray[Any]],
    terms: list[str],
    dup_problems: list[Problem],
    keys: Callable[[Article], str] | None,
    extra_header: dict[str, Any],
    extra_blobs: list[tuple[str, npt.NDArray[Any]]],
) -> tuple[list[Any], list[Article], str]:
    """A cache file (a base, or a delta: ``extra_header``/``extra_blobs``) as buffers."""
    generation = os.urandom(8).hex()  # names this file (see adopt)
    path_ix = {str(rec.entry.path): i for i, rec in enumerate(files)}
    micros = np.zeros(len(table), np.int64)
    offsets = np.zeros(len(table), np.int32)
    has_date = np.zeros(len(table), np.uint8)
    for i, a in enumerate(table):
        if a.published is not None:
            micros[i], offsets[i] = _micros(a.published)
            has_date[i] = 1
    pieces: list[str] = []
    for a in table:
        pieces.extend((a.id, a.title, a.url))
    categories: dict[str, list[str]] = {}
    codes: list[tuple[str, npt.NDArray[Any]]] = []
    for name in _CATEGORIES:
        values: dict[str, int] = {}
        column = (
            ("\x1f".join(a.tags) for a in table)
            if name == "tags"
            else (getattr(a, name) for a in table)
        )
        code = np.fromiter(
            (values.setdefault(v, len(values)) for v in column), np.int32, len(table)
        )
        categories[name] = list(values)
        codes.append((f"category.{name}", code))
    pieces.append("")  # every field ends with a NUL, the last one too
    joined = "\x00".join(pieces)
    nt = len(_TEXT_FIELDS)
    if joined.count("\x00") != len(pieces) - 1:
        raise CacheError("article text holds NUL characters")  # never cached, just rebuilt
    text = joined.encode("utf-8", "surrogatepass")
    del joined, pieces
    n = len(table)
    # each article's first byte (and the end): after every nt-th NUL
    nuls = np.flatnonzero(np.frombuffer(text, np.uint8) == 0)
    text_starts = np.zeros(n + 1, np.int64)
    text_starts[1:] = nuls[nt - 1 :: nt] + 1
    del nuls
    body_starts = np.zeros(n + 1, np.int64)
    body_parts: list[bytes] = []
    at = 0
    for i, a in enumerate(table):
        raw_body = a.body.encode("utf-8", "surrogatepass")
        body_parts.append(raw_body)
        at += len(raw_body)
        body_starts[i + 1] = at
    bodies = b"".join(body_parts)
    del body_parts
    key = keys or article_key
    dedupe_keys = np.fromiter((int(key(a), 16) for a in table), np.uint64, n)
    path_arr = np.fromiter(
        (path_ix.get(str(a.path), -1) if a.path is not None else -1 for a in table), np.int32, n
    )
    entry_arr = np.fromiter((-1 if a.entry is None else a.entry for a in table), np.int64, n)
    flags = np.fromiter((int(a.truncated) for a in table), np.uint8, n)
    words = np.fromiter((a.word_count for a in table), np.int64, n)
    # the columns' ranks (core/library/columns.py): computed here, mapped at open
    title_rank = text_ranks([a.title.casefold() for a in table])
    id_key, hex_ids = id_keys([a.id for a in table])
    id_order = np.argsort(id_key, kind="stable").astype(np.int32)
    time_rank, _ = time_ranks(timestamps(micros, offsets == _NAIVE, has_date.astype(bool)))
    blobs: list[tuple[str, npt.NDArray[Any]]] = [
        ("article.path", path_arr),
        ("article.entry", entry_arr),
        ("article.truncated", flags),
        ("article.words", words),
        ("column.title_rank", title_rank),
        ("column.id_key", id_key),
        ("column.id_order", id_order),
        ("column.time_rank", time_rank),
        ("published.micros", micros),
        ("published.offset", offsets),
        ("published.has", has_date),
        ("text.starts", text_starts),
        ("body.starts", body_starts),
        ("keys", dedupe_keys),
        ("indexed", indexed),
        ("kept", kept),
        *((f"index.{k}", v) for k, v in arrays.items()),
        *codes,
        *extra_blobs,
    ]
    terms_blob = "\n".join(terms).encode("utf-8", "surrogatepass")
    layout: list[list[Any]] = []
    payload: list[Any] = []  # buffers: bytes, or array memory (no copies)
    offset = 0

    def put(name: str, dtype: str, shape: list[int], raw: Any) -> None:
        nonlocal offset
        pad = -offset % _ALIGN
        if pad:
            payload.append(bytes(pad))
            offset += pad
        size = len(raw) if isinstance(raw, bytes) else raw.nbytes
        layout.append([name, dtype, shape, offset, size, zlib.crc32(raw)])
        payload.append(raw)
        offset += size

    for name, arr in blobs:
        put(name, *raw_blob(arr))
    put("text", "utf8", [], text)
    put("body", "utf8", [], bodies)
    put("terms", "utf8", [], terms_blob)
    head = encode_head(
        {
            "version": CACHE_VERSION,
            "generation": generation,
            "articles": len(table),
            "text_fields": list(_TEXT_FIELDS),
            "categories": categories,
            "hex_ids": hex_ids,
            "files": file_rows,
            "duplicates": [[str(p.path), p.reason, p.kind, p.entry, p.count] for p in dup_problems],
            "blobs": layout,
            **extra_header,
        }
    )
    return [head, bytes(payload_start(len(head)) - len(head)), *payload], table, generation


def write_cache(
    path: Path,
    files: list[FileRecord],
    index: SearchIndex,
    dup_problems: list[Problem],
    kept_articles: list[Article],
    keys: Callable[[Article], str] | None = None,
) -> None:
    """Write the cache file ``path`` atomically, and let the articles read their bodies
    from it (:func:`adopt`). ``keys``: the dedupe key of an article (the caller's, already computed).
    Raises OSError, or CacheError when this library cannot be cached (it is then simply
    rebuilt next time)."""
    chunks, table, generation = _encode(files, index, dup_problems, kept_articles, keys)
    # No fsync: a cache lost to a crash is rebuilt; the rename alone keeps it whole.
    write_atomic(path, chunks, create_folder=True, fsync=False)
    del chunks
    # the delta of the file replaced goes (one left behind names another base: ignored)
    with contextlib.suppress(OSError):
        delta_file_for(path).unlink(missing_ok=True)
    adopt(path, table, generation)


def adopt(path: Path, table: list[Article], generation: str) -> bool:
    """Let the articles just written to ``path`` read their bodies from it from now on
    (a cold build's bodies then leave memory as a warm open's never enter it). Only if
    ``path`` is still the file written (``generation``) and fits ``table``; else False
    and nothing changes."""
    try:
        buf = _map(path)
        layout = _Layout(buf)
        if layout.header.get("generation") != generation:
            return False
        n = int(layout.header["articles"])
        if n != len(table):
            return False
        store = _body_store(buf, layout, n)
    except (OSError, ValueError, KeyError, TypeError):
        return False
    stored = StoredArticle.bound_to(store)
    slot = Article.__dict__["body"]
    for row, a in enumerate(table):
        if type(a) is Article or isinstance(a, StoredArticle):
            a.__class__ = stored  # same layout: a subclass without slots of its own
            slot.__set__(a, row)
    return True


# --------------------------------------------------------------------------- reading


@dataclasses.dataclass(slots=True)
class CachedLibrary:
    """What a cache file holds: per file records, every article, the index, the
    duplicates' problems and the articles kept after dedupe. ``verifying`` is the
    background check of the bulk blobs (None when the file was verified whole)."""

    files: dict[str, FileRecord]
    #: every row's article, made when asked for (see rows.py)
    table: ArticleTable
    index: SearchIndex
    duplicates: list[Problem]
    kept: ArticleRows
    verifying: list[threading.Thread]
    #: the base file it came from (a delta is written against it)
    base: Base
    #: ``kept``'s rows in ``table``, and every row's dedupe key (as an integer)
    kept_rows: npt.NDArray[np.int32]
    keys: npt.NDArray[np.uint64]
    #: every row's columns, worked out on first ask (``kept`` carries its own); None:
    #: built from the objects
    columns: LazyColumns | None = None

    def delta_rows(self) -> int:
        """How many articles its delta holds, plus the base's it removed (0: no delta)."""
        rows = self.base.rows
        stay = sum(len(r.articles) for r in self.files.values() if 0 <= r.first_row < rows)
        return len(self.table) - stay


@dataclasses.dataclass(slots=True)
class Base:
    """A base cache file as loaded: its name (``generation``), its index segment (which
    stays the first segment until merged), its own file records and table length."""

    generation: str
    segment: Segment | None
    files: dict[str, FileRecord]
    rows: int


def _problem(row: Any, paths: dict[str, Path] | None = None) -> Problem:
    path, reason, kind, entry, count = row
    key = str(path)
    where = None if paths is None else paths.get(key)
    if where is None:
        where = Path(key)  # ~20 us each: one per distinct path (thousands of duplicates)
        if paths is not None:
            paths[key] = where
    return Problem(where, str(reason), str(kind), None if entry is None else int(entry), int(count))


def _body_store(buf: Any, layout: _Layout, n: int) -> BodyStore:
    """The bodies of a cache file's ``n`` rows, their offsets and keys checked."""
    blob = layout.blobs["body"]
    if blob.dtype != "utf8":
        raise CacheError("blob body is not text")
    starts = layout.array(buf, "body.starts")
    if starts.shape != (n + 1,) or int(starts[0]) != 0 or int(starts[-1]) != blob.size:
        raise CacheError("body offsets do not fit")
    if n and bool(np.any(np.diff(starts) < 0)):
        raise CacheError("body offsets not sorted")
    keys = layout.array(buf, "keys")
    if keys.shape != (n,):
        raise CacheError("dedupe keys do not fit")
    return BodyStore(buf, layout.base + blob.offset, starts, keys)


@dataclasses.dataclass(slots=True)
class _Parts:
    """What one cache file (a base or a delta) holds, decoded, before the index is built."""

    layout: _Layout
    table: ArticleTable
    files: dict[str, FileRecord]
    duplicates: list[Problem]
    indexed: npt.NDArray[np.int32]
    kept: npt.NDArray[np.int32]
    arrays: dict[str, npt.NDArray[Any]]
    terms: list[str]
    store: BodyStore
    path_ix: npt.NDArray[np.int32]
    verifying: threading.Thread | None
    blobs: dict[str, npt.NDArray[Any]]
    #: every row's columns (core/library/columns.py), copied out on first ask
    columns: LazyColumns


def _decode_parts(buf: Any, path: Path | None, *, rows_before: int = 0) -> _Parts:
    """Decode a cache file's buffer (bytes, or a read-only mapping that the arrays then
    view); raises CacheError (or ValueError/KeyError/...) when unusable. ``kept`` may name
    ``rows_before`` rows in front of this file's own (a delta's kept rows are global).

    ``path`` is the mapped file: in a big one the bulk blobs are verified in a background
    thread (not started), which removes ``path`` if they are damaged (see the module doc)."""
    layout = _Layout(buf)
    header = layout.header
    bulk = [b for b in layout.blobs.values() if _bulk(b.name)]
    later = path is not None and len(buf) > EAGER_VERIFY_BYTES
    layout.verify(buf, [b for b in layout.blobs.values() if not (later and _bulk(b.name))])
    n = int(header["articles"])
    if tuple(header["text_fields"]) != _TEXT_FIELDS:
        raise CacheError("unknown text layout")
    blobs = {name: layout.array(buf, name) for name, b in layout.blobs.items() if b.dtype != "utf8"}
    # The ids, titles and URLs: a copy of their blob (~65 bytes an article, 64 MB at a
    # million: less than their strings would take), each row decoded when its article is
    # made; a copy, so that a file cut under a running app takes no title away.
    text_blob = layout.blobs["text"]
    if text_blob.dtype != "utf8":
        raise CacheError("blob text is not text")
    text_at = layout.base + text_blob.offset
    texts = bytes(memoryview(buf)[text_at : text_at + text_blob.size])
    if len(texts) != text_blob.size:
        raise CacheError("article text does not fit")
    if not texts.isascii():
        texts.decode("utf-8", "surrogatepass")  # UnicodeError: refused, never shown
    text_starts = layout.array(buf, "text.starts")
    check_text(texts, text_starts, n, CacheError)
    categories = {
        name: _category(header, blobs, name, n, split=name == "tags") for name in _CATEGORIES
    }
    store = _body_store(buf, layout, n)
    path_arr = blobs["article.path"]
    numbers = {  # copies (~40 bytes an article): see stored_table
        "path": path_arr,
        "entry": blobs["article.entry"],
        "truncated": blobs["article.truncated"],
        "words": blobs["article.words"],
        "micros": blobs["published.micros"],
        "offset": blobs["published.offset"],
        "has": blobs["published.has"],
    }
    if not all(v.shape == (n,) for v in numbers.values()):
        raise CacheError("article metadata does not fit")
    numbers = {k: np.array(v) for k, v in numbers.items()}
    file_rows = header["files"]
    file_paths: list[Path | None] = [Path(str(row[0])) for row in file_rows]
    if n and not -1 <= int(path_arr.min()) <= int(path_arr.max()) < len(file_paths):
        raise CacheError("article path out of range")
    file_paths.append(None)  # index -1
    _check_dates(numbers["micros"], numbers["offset"], numbers["has"])
    # Each article is made when first asked for (rows.py): a list's drawn rows, a
    # search's hits, the reader's; each body is its row in the body store until read.
    table = stored_table(
        StoredArticle.bound_to(store),
        n,
        texts,
        text_starts,
        categories,
        numbers,
        file_paths,
        store,
    )
    files: dict[str, FileRecord] = {}
    path_of = {str(p): p for p in file_paths if p is not None}
    for row in file_rows:
        fpath = Path(str(row[0]))
        _, size, mtime_ns, start, count, problems = row
        start, count = int(start), int(count)
        if start < 0 or start + count > n:
            raise CacheError("file rows do not fit")
        files[str(fpath)] = FileRecord(
            FileEntry(fpath, int(size), int(mtime_ns)),
            table[start : start + count],
            [_problem(p, path_of) for p in problems],
            start + rows_before,
        )
    indexed = blobs["indexed"]
    kept = blobs["kept"]
    if len(indexed) and (int(indexed.min()) < 0 or int(indexed.max()) >= n):
        raise CacheError("indexed articles out of range")
    if len(kept) and (int(kept.min()) < 0 or int(kept.max()) >= rows_before + n):
        raise CacheError("kept articles out of range")
    arrays = {k[len("index.") :]: v for k, v in blobs.items() if k.startswith("index.")}
    terms_text = layout.text(buf, "terms")
    terms = terms_text.split("\n") if terms_text else []
    for blob in layout.blobs.values():
        # Read whole (the bounds checks, the checksums) and not needed now: back to the
        # page cache (a row's text or numbers, when its article is made, come back a page
        # at a time). Only the index's own arrays stay mapped in use.
        if _bulk(blob.name) or not blob.name.startswith("index."):
            _release(buf, layout.base + blob.offset, layout.base + blob.offset + blob.size)
    verifying = None
    if later and path is not None:
        verifying = threading.Thread(
            target=_verify_later,
            args=(buf, layout, bulk, path),
            name="newstui-cache-verify",
            daemon=True,
        )
    return _Parts(
        layout,
        table,
        files,
        [_problem(p, path_of) for p in header["duplicates"]],
        indexed,
        kept,
        arrays,
        terms,
        store,
        path_arr,
        verifying,
        blobs,
        _columns(header, blobs, n, [p for p in file_paths if p is not None]),
    )


def _columns(
    header: dict[str, Any], blobs: dict[str, npt.NDArray[Any]], n: int, paths: list[Path]
) -> LazyColumns:
    """Every row's columns, from the blobs (checked already: the categories by
    :func:`_category`, the paths by the caller): checked now, copied out of the mapping on
    the first ask (a list's order, the sidebar's counts; a search alone never asks)."""
    title_rank = blobs["column.title_rank"]
    id_key = blobs["column.id_key"]
    hex_ids = header["hex_ids"]
    if title_rank.shape != (n,) or id_key.shape != (n,) or not isinstance(hex_ids, bool):
        raise CacheError("columns do not fit")
    id_order = blobs["column.id_order"]
    time_rank = blobs["column.time_rank"]
    if id_order.shape != (n,) or time_rank.shape != (n,):
        raise CacheError("columns do not fit")
    for ranks in (title_rank, time_rank):
        if n and not 0 <= int(ranks.min()) <= int(ranks.max()) < n:
            raise CacheError("ranks out of range")
    if n and not (
        0 <= int(id_order.min()) <= int(id_order.max()) < n
        and int(np.bincount(id_order, minlength=n).max()) == 1
    ):
        raise CacheError("the ids' order is not a permutation")
    categories = header["categories"]

    def make() -> Columns:
        has = blobs["published.has"].astype(bool)
        naive = blobs["published.offset"] == _NAIVE
        time = timestamps(blobs["published.micros"], naive, has)
        return Columns(
            time,
            blobs["category.source"].astype(np.int32),
            list(categories["source"]),
            blobs["article.path"].astype(np.int32),
            paths,
            blobs["category.tags"].astype(np.int32),
            [tuple(v.split("\x1f")) if v else () for v in categories["tags"]],
            blobs["category.format"].astype(np.int32),
            list(categories["format"]),
            blobs["article.words"].astype(np.int64),
            np.array(title_rank, dtype=np.int64),
            np.array(id_key, dtype=np.uint64),
            hex_ids,
            id_order.astype(np.int64),
            _times=(time_rank.astype(np.int64), np.isnan(time)),
        )

    return LazyColumns(make)


def _decode(buf: Any, path: Path | None = None) -> CachedLibrary:
    """A base cache file, decoded (see :func:`_decode_parts`), with its index."""
    parts = _decode_parts(buf, path)
    header = parts.layout.header
    if header.get("base") is not None:
        raise CacheError("a delta, not a library cache")
    table = parts.table
    indexed = table.take(parts.indexed)
    _check_postings(buf, parts.layout, len(indexed))
    index = SearchIndex.from_parts(indexed, parts.arrays, parts.terms, docs_checked=True)
    if path is not None and len(buf) > EAGER_VERIFY_BYTES:
        pages.watch(buf, _postings_ranges(parts.layout))
    base = Base(str(header["generation"]), index.first_segment(), dict(parts.files), len(table))
    return CachedLibrary(
        parts.files,
        table,
        index,
        parts.duplicates,
        table.take(parts.kept, _taken(parts.columns, parts.kept)),
        [t for t in (parts.verifying,) if t is not None],
        base,
        parts.kept,
        parts.store.keys,
        parts.columns,
    )


def _apply_delta(cached: CachedLibrary, buf: Any, path: Path | None) -> CachedLibrary:
    """``cached`` (a base, as loaded) with the delta in ``buf`` on top: its files replace
    or remove the base's, its articles follow the base's rows, its index segment goes on
    top of the base's with the base's dead rows masked. Raises like :func:`_decode`."""
    base = cached.base
    if len(cached.table) != base.rows:
        raise CacheError("a delta goes on a base as loaded")
    parts = _decode_parts(buf, path, rows_before=base.rows)
    header = parts.layout.header
    if header.get("base") != base.generation or not base.generation:
        raise CacheError("a delta of another cache")
    files = dict(cached.files)
    for key in header["removed"]:
        if files.pop(str(key), None) is None:
            raise CacheError("the delta removes a file the cache does not have")
    files.update(parts.files)
    live_blob = parts.blobs.get("base.live")
    live = None if live_blob is None else live_blob.astype(bool)
    indexed = parts.table.take(parts.indexed)
    _check_postings(buf, parts.layout, len(indexed))
    table = cached.table + parts.table
    base_columns, more_columns = cached.columns, parts.columns
    base_table, more_table = cached.table, parts.table

    def stacked() -> Columns | None:
        below = None if base_columns is None else base_columns()
        more = more_columns()
        if below is None or more is None:
            return None
        return stack(
            below,
            lambda row: base_table[row].title.casefold(),
            more,
            lambda row: more_table[row].title.casefold(),
        )

    columns = LazyColumns(stacked)
    kept = table.take(parts.kept, _taken(columns, parts.kept))
    keys = np.concatenate([cached.keys, parts.store.keys])
    # Last: on success the base index is taken over (a failure leaves it as it was).
    index = cached.index.stacked(indexed, parts.arrays, parts.terms, live, docs_checked=True)
    if path is not None and len(buf) > EAGER_VERIFY_BYTES:
        pages.watch(buf, _postings_ranges(parts.layout))
    return CachedLibrary(
        files,
        table,
        index,
        parts.duplicates,
        kept,
        [*cached.verifying, *(t for t in (parts.verifying,) if t is not None)],
        base,
        parts.kept,
        keys,
        columns,
    )


def _taken(columns: LazyColumns, rows: npt.NDArray[Any]) -> LazyColumns:
    """The columns of ``rows`` of ``columns``, worked out on first ask."""

    def take() -> Columns | None:
        every = columns()
        return None if every is None else every.take(rows)

    return LazyColumns(take)


def delta_file_for(path: Path) -> Path:
    """The delta file beside the cache file ``path``."""
    return path.with_name(path.name + ".delta")


def write_delta(
    path: Path,
    cached: CachedLibrary,
    files: list[FileRecord],
    index: SearchIndex,
    dup_problems: list[Problem],
    kept_base_rows: npt.NDArray[np.int32],
    kept_others: list[Article],
    keys: Callable[[Article], str] | None = None,
) -> bool:
    """Write the delta of the library (``files``, ``index``, its duplicates and kept
    articles: the base's rows ``kept_base_rows`` and ``kept_others``) against the base
    ``cached`` came from, beside the cache file ``path``; then let the delta's articles
    read their bodies from it. False (nothing written) when the index's base segment was
    merged away: only a whole cache will do. Raises OSError or CacheError."""
    base = cached.base
    if base.segment is None:
        return False
    tail = index.tail_parts(base.segment)
    if tail is None:
        return False
    live, tail_articles, arrays, extra_terms = tail
    current = {str(rec.entry.path): rec for rec in files}
    removed = [key for key, rec in base.files.items() if current.get(key) is not rec]
    mine = [rec for rec in files if base.files.get(str(rec.entry.path)) is not rec]
    table, file_rows = _table(mine)
    indexed = _rows(table, tail_articles)
    kept = np.concatenate([kept_base_rows.astype(np.int32), _rows(table, kept_others, base.rows)])
    blobs: list[tuple[str, npt.NDArray[Any]]] = []
    if live is not None:
        blobs.append(("base.live", live.astype(np.uint8)))
    chunks, table, generation = _pack(
        mine,
        table,
        file_rows,
        indexed,
        kept,
        arrays,
        extra_terms,
        dup_problems,
        keys,
        {"base": base.generation, "removed": removed},
        blobs,
    )
    delta = delta_file_for(path)
    write_atomic(delta, chunks, create_folder=True, fsync=False)
    del chunks
    adopt(delta, table, generation)
    return True


_MIN_US = (datetime(1, 1, 1, tzinfo=UTC) - _EPOCH) // timedelta(microseconds=1)
_MAX_US = (datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC) - _EPOCH) // timedelta(
    microseconds=1
)


def _check_dates(
    micros: npt.NDArray[np.int64], offsets: npt.NDArray[np.int32], has: npt.NDArray[np.uint8]
) -> None:
    """Raise CacheError unless every stored date makes a datetime (see
    :func:`~newstui.core.library.stored.stored_table`)."""
    rows = np.flatnonzero(has)
    offs = offsets[rows].astype(np.int64)
    naive = offs == _NAIVE
    local = micros[rows] + np.where(naive, 0, offs) * 1_000_000  # wall-clock time
    if len(rows) and (int(local.min()) < _MIN_US or int(local.max()) > _MAX_US):
        raise CacheError("date out of range")
    aware = offs[~naive]
    if len(aware) and not (int(aware.min()) > -86_400 and int(aware.max()) < 86_400):
        raise CacheError("date offset out of range")


def _category(
    header: dict[str, Any],
    blobs: dict[str, npt.NDArray[Any]],
    name: str,
    n: int,
    *,
    split: bool = False,
) -> Categorical:
    """A categorical column, checked: each article's code into its values (a format,
    author or source string; a tag tuple, from the tag line ``split`` at US)."""
    values = header["categories"][name]
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise CacheError(f"category {name} is not a list of strings")
    codes = blobs[f"category.{name}"]
    if codes.shape != (n,) or (n and not 0 <= int(codes.min()) <= int(codes.max()) < len(values)):
        raise CacheError(f"category {name} does not fit")
    objects: list[Any] = [tuple(v.split("\x1f")) if v else () for v in values] if split else values
    return Categorical(objects, np.array(codes))  # a copy: see stored_table


def inspect_cache(path: Path) -> tuple[CachedLibrary | None, str]:
    """The cache at ``path`` (with its delta, when there is one that fits) and ``""``, or
    None and why it cannot be used ("missing", "truncated", "checksum mismatch in
    index.body.docs", "cache version 5, expected 6"...). A delta that cannot be used is
    only logged: the base alone is returned (the files it held are read again).

    Big files have their bulk blobs verified in background threads, started here
    (``CachedLibrary.verifying``)."""
    try:
        buf: Any = _map(path)
    except FileNotFoundError:
        return None, "missing"
    except (OSError, ValueError) as exc:
        return None, f"unreadable: {exc}"
    cached, reason = _load(buf, path, _decode)
    if cached is not None:
        delta = delta_file_for(path)
        try:
            dbuf: Any = _map(delta)
        except FileNotFoundError:
            dbuf = None
        except (OSError, ValueError) as exc:
            dbuf = None
            log.info("cache delta %s not used (unreadable: %s)", delta, exc)
        if dbuf is not None:
            base = cached

            def on_base(buf: Any, path: Path | None) -> CachedLibrary:
                return _apply_delta(base, buf, path)

            stacked, why = _load(dbuf, delta, on_base)
            if stacked is None:
                log.info("cache delta %s not used (%s): its files are read again", delta, why)
            else:
                cached = stacked
    if cached is not None:
        if len(cached.table) <= EAGER_ROWS:
            _made_at_once(cached.table)
        for thread in cached.verifying:
            thread.start()
    return cached, reason


def _made_at_once(table: ArticleTable) -> None:
    """Every article of a small library made now, at once (see :data:`EAGER_ROWS`)."""
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        table.make_every()
    finally:
        if gc_was_enabled:
            gc.enable()


def read_cache(path: Path) -> CachedLibrary | None:
    """The cache at ``path``, or None when missing, corrupt or incompatible."""
    return inspect_cache(path)[0]


def _load_bytes(data: bytes) -> CachedLibrary | None:
    """The cache in ``data`` (verified whole), or None when it is corrupt or incompatible."""
    return _load(data, None, _decode)[0]


def _load(
    buf: Any, path: Path | None, decode: Callable[[Any, Path | None], CachedLibrary]
) -> tuple[CachedLibrary | None, str]:
    # Decoding makes long-lived objects (the index's id map: a string an article): pause
    # the cyclic GC, which would otherwise walk them again and again (not leaked).
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        # (no article is made here, so none to freeze out of the GC's way: see rows.py)
        return decode(buf, path), ""
    except (ValueError, KeyError, TypeError, IndexError, OverflowError, UnicodeError) as exc:
        # corrupt or incompatible: rebuilt by the caller
        return None, str(exc) if isinstance(exc, CacheError) else f"{type(exc).__name__}: {exc}"
    finally:
        if gc_was_enabled:
            gc.enable()
