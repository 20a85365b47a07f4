"""Warm start: the library and its built search index, cached on disk.

:func:`~newstui.core.library.opening.open_library` reads it (:func:`read_cache`), reuses
what it holds for every file whose path, size and modification time are unchanged, and
writes it back (:func:`write_cache`) when anything changed.

File format (one file per set of folders, under ``newstui.core.paths.cache_dir()``)::

    b"NEWSTUI\x1aIDX" | u32 format version | u32 crc32 of the header | u64 header length
    | header (UTF-8 JSON) | padding to 64 bytes
    | payload: blobs, each at a 64-byte aligned offset (raw little-endian numeric arrays;
      the article texts, every field ended by NUL; the terms, one a line)

The header lists every blob as ``[name, dtype, shape, offset, size, crc32]``.

The file is *mapped*, not parsed (issue 13): it is opened with ``mmap`` and every array,
the search index's postings included, is a read-only numpy view of the mapping
(``np.frombuffer``), so a warm open costs page faults for what is touched rather than a
copy of the file. The article texts are decoded a block of articles at a time (their byte
starts are stored), so no copy of the whole text is ever held; the pages read are handed
back to the page cache as each block is done (``madvise(MADV_DONTNEED)``).

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
import json
import logging
import mmap
import os
import struct
import threading
import zlib
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from newstui.core import paths
from newstui.core.article import Article, Problem
from newstui.core.atomic import write_atomic
from newstui.core.library.scan import FileEntry
from newstui.core.search.index import SearchIndex

__all__ = [
    "CACHE_VERSION",
    "CacheError",
    "CachedLibrary",
    "FileRecord",
    "cache_file_for",
    "cache_supported",
    "inspect_cache",
    "read_cache",
    "write_cache",
]

# 5: Problem.count; loaders' titles, bodies and entries changed
# 6: plain-text bodies reflowed (core/reflow.py) / the mapped layout, on two branches
# 7: both: reflowed bodies in the mapped layout (aligned blobs, per-blob crc32, text by blocks)
CACHE_VERSION = 7
MAGIC = b"NEWSTUI\x1aIDX"
_PREFIX = struct.Struct("<11sIIQ")
_ALIGN = 64
# A file up to this size is verified whole before use; a bigger one has its bulk blobs
# verified in a background thread (see the module doc).
EAGER_VERIFY_BYTES = 64 << 20
# From this many articles, a warm open freezes them out of the cyclic GC (see _load).
FREEZE_ARTICLES = 50_000
_TEXT_BLOCK = 8192  # articles decoded at a time
_VERIFY_STEP = 8 << 20  # bytes hashed at a time by the background check
log = logging.getLogger("newstui.cache")
_DTYPES = {"<i4", "<i8", "<u2", "<f8", "|u1"}
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_NAIVE = 2**31 - 1  # utc offset marker for a naive datetime
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

_TEXT_FIELDS = ("id", "title", "body", "format", "author", "source", "url", "tags")


class CacheError(ValueError):
    """The cache file is missing, corrupt or incompatible (it is then rebuilt)."""


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
    """One article file as cached: its entry, its articles (before dedupe), its problems."""

    entry: FileEntry
    articles: list[Article]
    problems: list[Problem]


def _encode(
    files: list[FileRecord],
    index: SearchIndex,
    dup_problems: list[Problem],
    kept_articles: list[Article],
) -> list[Any]:
    """The cache file's bytes, as buffers to write one after the other."""
    table: list[Article] = []  # every loaded article (before dedupe), file by file
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
    indexed_articles, arrays, terms = index.export_parts()
    pos = {id(a): i for i, a in enumerate(table)}
    by_id = {a.id: i for i, a in enumerate(table)}
    indexed = np.array(
        [pos.get(id(a), by_id.get(a.id, -1)) for a in indexed_articles], dtype=np.int32
    )
    kept = np.array([pos.get(id(a), by_id.get(a.id, -1)) for a in kept_articles], np.int32)
    if (len(indexed) and int(indexed.min()) < 0) or (len(kept) and int(kept.min()) < 0):
        raise CacheError("indexed article not in the library")
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
        pieces.extend(
            (a.id, a.title, a.body, a.format, a.author, a.source, a.url, "\x1f".join(a.tags))
        )
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
    path_arr = np.fromiter(
        (path_ix.get(str(a.path), -1) if a.path is not None else -1 for a in table), np.int32, n
    )
    entry_arr = np.fromiter((-1 if a.entry is None else a.entry for a in table), np.int64, n)
    flags = np.fromiter((int(a.truncated) for a in table), np.uint8, n)
    words = np.fromiter((a.word_count for a in table), np.int64, n)
    blobs: list[tuple[str, npt.NDArray[Any]]] = [
        ("article.path", path_arr),
        ("article.entry", entry_arr),
        ("article.truncated", flags),
        ("article.words", words),
        ("published.micros", micros),
        ("published.offset", offsets),
        ("published.has", has_date),
        ("text.starts", text_starts),
        ("indexed", indexed),
        ("kept", kept),
        *((f"index.{k}", v) for k, v in arrays.items()),
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
        arr = np.ascontiguousarray(arr)
        dt = arr.dtype.newbyteorder("<") if arr.dtype.byteorder == ">" else arr.dtype
        raw = np.ascontiguousarray(arr.astype(dt, copy=False)).reshape(-1).view(np.uint8).data
        put(name, dt.str, list(arr.shape), raw)
    put("text", "utf8", [], text)
    put("terms", "utf8", [], terms_blob)
    header = json.dumps(
        {
            "version": CACHE_VERSION,
            "articles": len(table),
            "text_fields": list(_TEXT_FIELDS),
            "files": file_rows,
            "duplicates": [[str(p.path), p.reason, p.kind, p.entry, p.count] for p in dup_problems],
            "blobs": layout,
        },
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode("utf-8", "surrogatepass")
    head = _PREFIX.pack(MAGIC, CACHE_VERSION, zlib.crc32(header), len(header)) + header
    return [head, bytes(-len(head) % _ALIGN), *payload]


def write_cache(
    path: Path,
    files: list[FileRecord],
    index: SearchIndex,
    dup_problems: list[Problem],
    kept_articles: list[Article],
) -> None:
    """Write the cache file ``path`` atomically. Raises OSError, or CacheError when this
    library cannot be cached (it is then simply rebuilt next time)."""
    chunks = _encode(files, index, dup_problems, kept_articles)
    # No fsync: a cache lost to a crash is rebuilt; the rename alone keeps it whole.
    write_atomic(path, chunks, create_folder=True, fsync=False)


# --------------------------------------------------------------------------- reading


@dataclasses.dataclass(slots=True)
class CachedLibrary:
    """What a cache file holds: per file records, every article, the index, the
    duplicates' problems and the articles kept after dedupe. ``verifying`` is the
    background check of the bulk blobs (None when the file was verified whole)."""

    files: dict[str, FileRecord]
    table: list[Article]
    index: SearchIndex
    duplicates: list[Problem]
    kept: list[Article]
    verifying: threading.Thread | None = None


def _problem(row: Any, paths: dict[str, Path] | None = None) -> Problem:
    path, reason, kind, entry, count = row
    key = str(path)
    where = None if paths is None else paths.get(key)
    if where is None:
        where = Path(key)  # ~20 us each: one per distinct path (thousands of duplicates)
        if paths is not None:
            paths[key] = where
    return Problem(where, str(reason), str(kind), None if entry is None else int(entry), int(count))


def _bulk(name: str) -> bool:
    """The blobs checked in the background in a big file: most of its bytes."""
    return name == "text" or name.endswith((".docs", ".tfs"))


class _Blob:
    __slots__ = ("crc", "dtype", "name", "offset", "shape", "size")

    def __init__(self, row: Any) -> None:
        name, dtype, shape, offset, size, crc = row
        self.name, self.dtype = str(name), str(dtype)
        self.shape = tuple(int(x) for x in shape)
        self.offset, self.size, self.crc = int(offset), int(size), int(crc)


def _release(buf: Any, start: int, end: int) -> None:
    """Hand the pages of ``buf[start:end]`` back (a mapping only: they stay in the page
    cache, a later read faults them in again)."""
    advise = getattr(buf, "madvise", None)
    dontneed = getattr(mmap, "MADV_DONTNEED", None)
    if advise is None or dontneed is None:
        return
    start -= start % mmap.PAGESIZE
    end = min(end, len(buf))
    if end > start:
        with contextlib.suppress(OSError, ValueError):
            advise(dontneed, start, end - start)


def _crc(buf: Any, start: int, size: int, *, release: bool = False) -> int:
    view = memoryview(buf)
    crc = 0
    for a in range(start, start + size, _VERIFY_STEP):
        b = min(start + size, a + _VERIFY_STEP)
        crc = zlib.crc32(view[a:b], crc)
        if release:
            _release(buf, a, b)
    return crc


class _Layout:
    """The prefix and header of a cache file, checked: its blobs by name."""

    def __init__(self, buf: Any) -> None:
        if len(buf) < _PREFIX.size:
            raise CacheError("truncated")
        magic, version, crc, header_len = _PREFIX.unpack_from(buf)
        if magic != MAGIC:
            raise CacheError("not a newstui cache")
        if version != CACHE_VERSION:
            raise CacheError(f"cache version {version}, expected {CACHE_VERSION}")
        end = _PREFIX.size + header_len
        if end > len(buf):
            raise CacheError("truncated header")
        raw = bytes(memoryview(buf)[_PREFIX.size : end])
        if zlib.crc32(raw) != crc:
            raise CacheError("header checksum mismatch")
        self.header: dict[str, Any] = json.loads(raw.decode("utf-8", "surrogatepass"))
        if self.header.get("version") != CACHE_VERSION:
            raise CacheError("header version mismatch")
        self.base = end + (-end % _ALIGN)
        self.blobs: dict[str, _Blob] = {}
        for row in self.header["blobs"]:
            blob = _Blob(row)
            if blob.offset < 0 or blob.size < 0 or self.base + blob.offset + blob.size > len(buf):
                raise CacheError(f"blob {blob.name} out of range (truncated?)")
            if blob.offset % 8:
                raise CacheError(f"blob {blob.name} misaligned")
            self.blobs[blob.name] = blob

    def verify(self, buf: Any, blobs: list[_Blob], *, release: bool = False) -> None:
        for blob in blobs:
            if _crc(buf, self.base + blob.offset, blob.size, release=release) != blob.crc:
                raise CacheError(f"checksum mismatch in {blob.name}")

    def array(self, buf: Any, name: str) -> npt.NDArray[Any]:
        blob = self.blobs[name]
        if blob.dtype not in _DTYPES:
            raise CacheError(f"blob {name}: unsupported type {blob.dtype}")
        dtype = np.dtype(blob.dtype)
        count = int(np.prod(blob.shape)) if blob.shape else 1
        if count * dtype.itemsize != blob.size:
            raise CacheError(f"blob {name}: wrong size")
        arr = np.frombuffer(buf, dtype=dtype, count=count, offset=self.base + blob.offset)
        return arr.reshape(blob.shape)

    def text(self, buf: Any, name: str) -> str:
        blob = self.blobs[name]
        if blob.dtype != "utf8":
            raise CacheError(f"blob {name} is not text")
        start = self.base + blob.offset
        return str(memoryview(buf)[start : start + blob.size], "utf-8", "surrogatepass")


def _article_texts(buf: Any, layout: _Layout, n: int) -> list[list[str]]:
    """The articles' text fields, column by column, decoded a block of articles at a time
    (never the whole text at once); each block's pages are released once decoded."""
    nt = len(_TEXT_FIELDS)
    blob = layout.blobs["text"]
    starts = layout.array(buf, "text.starts")
    if starts.shape != (n + 1,) or int(starts[0]) != 0 or int(starts[-1]) != blob.size:
        raise CacheError("article text offsets do not fit")
    if n and bool(np.any(np.diff(starts) < 0)):
        raise CacheError("article text offsets not sorted")
    cols: list[list[str]] = [[] for _ in range(nt)]
    view = memoryview(buf)
    base = layout.base + blob.offset
    for i in range(0, n, _TEXT_BLOCK):
        j = min(n, i + _TEXT_BLOCK)
        a, b = base + int(starts[i]), base + int(starts[j])
        parts = str(view[a:b], "utf-8", "surrogatepass").split("\x00")
        if len(parts) != (j - i) * nt + 1 or parts[-1]:
            raise CacheError("article text does not fit")
        for f in range(nt):
            cols[f].extend(parts[f:-1:nt])
        del parts
        _release(buf, a, b)
    return cols


def _decode(buf: Any, path: Path | None = None) -> CachedLibrary:
    """Read a cache file's buffer (bytes, or a read-only mapping that the arrays then
    view); raises CacheError (or ValueError/KeyError/...) when unusable.

    ``path`` is the mapped file: in a big one the bulk blobs are verified in a background
    thread, which removes ``path`` if they are damaged (see the module doc)."""
    layout = _Layout(buf)
    header = layout.header
    bulk = [b for b in layout.blobs.values() if _bulk(b.name)]
    later = path is not None and len(buf) > EAGER_VERIFY_BYTES
    layout.verify(buf, [b for b in layout.blobs.values() if not (later and _bulk(b.name))])
    n = int(header["articles"])
    if tuple(header["text_fields"]) != _TEXT_FIELDS:
        raise CacheError("unknown text layout")
    blobs = {name: layout.array(buf, name) for name, b in layout.blobs.items() if b.dtype != "utf8"}
    ids, titles, bodies, formats, authors, sources, urls, tag_texts = _article_texts(buf, layout, n)
    path_ix = blobs["article.path"].tolist()
    entries = blobs["article.entry"].tolist()
    truncated = blobs["article.truncated"].astype(bool).tolist()
    word_count = blobs["article.words"].tolist()
    dates = (blobs["published.micros"], blobs["published.offset"], blobs["published.has"])
    if not all(len(x) == n for x in (path_ix, entries, truncated, word_count, *dates)):
        raise CacheError("article metadata does not fit")
    file_rows = header["files"]
    file_paths: list[Path | None] = [Path(str(row[0])) for row in file_rows]
    if path_ix and not -1 <= min(path_ix) <= max(path_ix) < len(file_paths):
        raise CacheError("article path out of range")
    file_paths.append(None)  # index -1
    published = _dates(blobs["published.micros"], blobs["published.offset"], blobs["published.has"])
    # Repeated values share one object (a format, author or source string, a tag tuple per
    # distinct tag line): ~50 bytes an article each, built by C-level maps.
    formats, authors, sources = (_shared(col) for col in (formats, authors, sources))
    tag_of = {t: tuple(t.split("\x1f")) if t else () for t in set(tag_texts)}
    tags = list(map(tag_of.__getitem__, tag_texts))
    del tag_texts
    # Articles built column-wise (positional, in Article's field order: see _ARTICLE_FIELDS).
    table: list[Article] = list(
        map(
            Article,
            ids,
            titles,
            bodies,
            formats,
            list(map(file_paths.__getitem__, path_ix)),
            [None if e < 0 else e for e in entries],
            authors,
            sources,
            published,
            urls,
            tags,
            truncated,
            word_count,
        )
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
        )
    indexed = blobs["indexed"]
    kept = blobs["kept"]
    for arr in (indexed, kept):
        if len(arr) and (int(arr.min()) < 0 or int(arr.max()) >= n):
            raise CacheError("indexed articles out of range")
    arrays = {k[len("index.") :]: v for k, v in blobs.items() if k.startswith("index.")}
    terms_text = layout.text(buf, "terms")
    terms = terms_text.split("\n") if terms_text else []
    index = SearchIndex.from_parts([table[i] for i in indexed.tolist()], arrays, terms)
    for blob in bulk:  # read whole by the bounds checks: back to the page cache
        _release(buf, layout.base + blob.offset, layout.base + blob.offset + blob.size)
    verifying = None
    if later and path is not None:
        verifying = threading.Thread(
            target=_verify_later,
            args=(buf, layout, bulk, path),
            name="newstui-cache-verify",
            daemon=True,
        )
    return CachedLibrary(
        files,
        table,
        index,
        [_problem(p, path_of) for p in header["duplicates"]],
        [table[i] for i in kept.tolist()],
        verifying,
    )


_MIN_US = (datetime(1, 1, 1, tzinfo=UTC) - _EPOCH) // timedelta(microseconds=1)
_MAX_US = (datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC) - _EPOCH) // timedelta(
    microseconds=1
)


def _dates(
    micros: npt.NDArray[np.int64], offsets: npt.NDArray[np.int32], has: npt.NDArray[np.uint8]
) -> list[datetime | None]:
    """The articles' dates: datetimes made by numpy (``datetime64[us]`` to objects, in C)
    for each distinct date and offset, shared by the articles that have it."""
    n = len(micros)
    out = np.full(n, None, dtype=object)
    rows = np.flatnonzero(has)
    offs = offsets[rows].astype(np.int64)
    naive = offs == _NAIVE
    local = micros[rows] + np.where(naive, 0, offs) * 1_000_000  # wall-clock time
    if len(rows) and (int(local.min()) < _MIN_US or int(local.max()) > _MAX_US):
        raise CacheError("date out of range")
    for off in np.unique(offs).tolist():
        sel = np.flatnonzero(offs == off)
        uniq, inverse = np.unique(local[sel], return_inverse=True)
        objs: list[datetime] = uniq.astype("datetime64[us]").astype(object).tolist()
        if off != _NAIVE:
            if not -86_400 < off < 86_400:
                raise CacheError("date offset out of range")
            tz = UTC if off == 0 else timezone(timedelta(seconds=off))
            objs = [d.replace(tzinfo=tz) for d in objs]
        shared = np.empty(len(objs), dtype=object)
        shared[:] = objs
        out[rows[sel]] = shared[inverse.reshape(-1)]
    result: list[datetime | None] = out.tolist()
    return result


def _shared(col: list[str]) -> list[str]:
    """``col`` with equal strings as one object."""
    canon = dict(zip(col, col, strict=True))
    return list(map(canon.__getitem__, col))


def _same_file(path: Path, ident: tuple[int, int]) -> bool:
    try:
        st = path.stat()
    except OSError:
        return False
    return (st.st_dev, st.st_ino) == ident


def _verify_later(buf: Any, layout: _Layout, bulk: list[_Blob], path: Path) -> None:
    """The background half of the check: a damaged file is removed (rebuilt next start)."""
    ident = getattr(buf, "newstui_ident", None)
    try:
        layout.verify(buf, bulk, release=True)
    except CacheError as exc:
        log.info("cache %s is damaged (%s): removed, rebuilt at the next start", path, exc)
        if ident is not None and _same_file(path, ident):  # not a newer file since written
            with contextlib.suppress(OSError):
                path.unlink()


class _Mapped(mmap.mmap):
    """A read-only mapping that remembers which file (device, inode) it maps."""

    newstui_ident: tuple[int, int] = (0, 0)


def _map(path: Path) -> _Mapped:
    with path.open("rb") as f:
        st = os.fstat(f.fileno())
        if st.st_size == 0:
            raise CacheError("empty")
        mapped = _Mapped(f.fileno(), 0, access=mmap.ACCESS_READ)
    mapped.newstui_ident = (st.st_dev, st.st_ino)
    return mapped


def inspect_cache(path: Path) -> tuple[CachedLibrary | None, str]:
    """The cache at ``path`` and ``""``, or None and why it cannot be used ("missing",
    "truncated", "checksum mismatch in index.body.docs", "cache version 5, expected 6"...).

    Big files have their bulk blobs verified in a background thread, started here
    (``CachedLibrary.verifying``)."""
    try:
        buf: Any = _map(path)
    except FileNotFoundError:
        return None, "missing"
    except (OSError, ValueError) as exc:
        return None, f"unreadable: {exc}"
    cached, reason = _load(buf, path)
    if cached is not None and cached.verifying is not None:
        cached.verifying.start()
    return cached, reason


def read_cache(path: Path) -> CachedLibrary | None:
    """The cache at ``path``, or None when missing, corrupt or incompatible."""
    return inspect_cache(path)[0]


def _load_bytes(data: bytes) -> CachedLibrary | None:
    """The cache in ``data`` (verified whole), or None when it is corrupt or incompatible."""
    return _load(data, None)[0]


def _load(buf: Any, path: Path | None) -> tuple[CachedLibrary | None, str]:
    # Decoding makes a few long-lived objects per article: pause the cyclic GC, which
    # would otherwise walk them again and again (not leaked, just not collected meanwhile).
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        cached = _decode(buf, path)
        if len(cached.table) >= FREEZE_ARTICLES:
            # Its objects live as long as the library: out of the cyclic GC's way for good
            # (a collection would otherwise walk a million articles, several times, ~0.5 s
            # each). What else is alive now is frozen too: only its cycles are never freed.
            gc.freeze()
        return cached, ""
    except (ValueError, KeyError, TypeError, IndexError, OverflowError, UnicodeError) as exc:
        # corrupt or incompatible: rebuilt by the caller
        return None, str(exc) if isinstance(exc, CacheError) else f"{type(exc).__name__}: {exc}"
    finally:
        if gc_was_enabled:
            gc.enable()
