"""Warm start: the library and its built search index, cached on disk.

:func:`~newstui.core.library.opening.open_library` reads it (:func:`read_cache`), reuses
what it holds for every file whose path, size and modification time are unchanged, and
writes it back (:func:`write_cache`) when anything changed.

File format (one file per set of folders, under ``newstui.core.paths.cache_dir()``)::

    b"NEWSTUI\\x1aIDX" | u32 format version | u32 crc32 of the rest | u64 header length
    | header (UTF-8 JSON) | payload (raw little-endian numeric arrays and UTF-8 text)

Nothing in it can execute code: JSON, numbers and text only (no pickle, marshal or shelve),
arrays read with explicit dtypes from a fixed list. A file that is truncated, fails its
checksum, has another version or does not fit together is ignored, rebuilt and replaced.
Writes go to a temporary file first and are renamed into place (atomic).
"""

from __future__ import annotations

import dataclasses
import gc
import hashlib
import json
import struct
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
    "read_cache",
    "write_cache",
]

CACHE_VERSION = 6  # 6: plain-text bodies reflowed (core/reflow.py); 5: Problem.count, loaders
MAGIC = b"NEWSTUI\x1aIDX"
_PREFIX = struct.Struct("<11sIIQ")
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
    text_fields = _TEXT_FIELDS
    pieces: list[str] = []
    for a in table:
        pieces.extend(
            (a.id, a.title, a.body, a.format, a.author, a.source, a.url, "\x1f".join(a.tags))
        )
    joined = "\x00".join(pieces)
    if joined.count("\x00") != max(0, len(pieces) - 1):
        raise CacheError("article text holds NUL characters")  # never cached, just rebuilt
    text = joined.encode("utf-8", "surrogatepass")
    del joined, pieces
    n = len(table)
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
        ("indexed", indexed),
        ("kept", kept),
        *((f"index.{k}", v) for k, v in arrays.items()),
    ]
    terms_blob = "\n".join(terms).encode("utf-8", "surrogatepass")
    layout: list[list[Any]] = []
    payload: list[Any] = []  # buffers: bytes, or array memory (no copies)
    offset = 0
    for name, arr in blobs:
        arr = np.ascontiguousarray(arr)
        dt = arr.dtype.newbyteorder("<") if arr.dtype.byteorder == ">" else arr.dtype
        raw = np.ascontiguousarray(arr.astype(dt, copy=False)).reshape(-1).view(np.uint8).data
        layout.append([name, dt.str, list(arr.shape), offset, len(raw)])
        payload.append(raw)
        offset += len(raw)
    layout.append(["text", "utf8", [], offset, len(text)])
    payload.append(text)
    offset += len(text)
    layout.append(["terms", "utf8", [], offset, len(terms_blob)])
    payload.append(terms_blob)
    header = json.dumps(
        {
            "version": CACHE_VERSION,
            "articles": len(table),
            "text_fields": list(text_fields),
            "files": file_rows,
            "duplicates": [[str(p.path), p.reason, p.kind, p.entry, p.count] for p in dup_problems],
            "blobs": layout,
        },
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode("utf-8", "surrogatepass")
    chunks = [header, *payload]
    crc = 0
    for chunk in chunks:
        crc = zlib.crc32(chunk, crc)
    return [_PREFIX.pack(MAGIC, CACHE_VERSION, crc, len(header)), *chunks]


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
    duplicates' problems and the articles kept after dedupe."""

    files: dict[str, FileRecord]
    table: list[Article]
    index: SearchIndex
    duplicates: list[Problem]
    kept: list[Article]


def _problem(row: Any) -> Problem:
    path, reason, kind, entry, count = row
    return Problem(
        Path(str(path)), str(reason), str(kind), None if entry is None else int(entry), int(count)
    )


def _decode(data: bytes) -> CachedLibrary:
    """Parse a cache file; raises CacheError (or ValueError/KeyError/...) when unusable."""
    if len(data) < _PREFIX.size:
        raise CacheError("truncated")
    magic, version, crc, header_len = _PREFIX.unpack_from(data)
    if magic != MAGIC:
        raise CacheError("not a newstui cache")
    if version != CACHE_VERSION:
        raise CacheError(f"cache version {version}, expected {CACHE_VERSION}")
    view = memoryview(data)[_PREFIX.size :]
    if zlib.crc32(view) != crc:
        raise CacheError("checksum mismatch")
    if header_len > len(view):
        raise CacheError("truncated header")
    header = json.loads(bytes(view[:header_len]).decode("utf-8", "surrogatepass"))
    payload = view[header_len:]
    if header.get("version") != CACHE_VERSION:
        raise CacheError("header version mismatch")
    blobs: dict[str, npt.NDArray[Any]] = {}
    texts: dict[str, str] = {}
    for name, dtype, shape, off, size in header["blobs"]:
        off, size = int(off), int(size)
        if off < 0 or size < 0 or off + size > len(payload):
            raise CacheError(f"blob {name} out of range")
        raw = payload[off : off + size]
        if dtype == "utf8":
            texts[str(name)] = str(raw, "utf-8", "surrogatepass")
            continue
        if dtype not in _DTYPES:
            raise CacheError(f"blob {name}: unsupported type {dtype}")
        arr = np.frombuffer(raw, dtype=np.dtype(dtype))
        count = int(np.prod(shape)) if shape else 1
        if arr.size != count:
            raise CacheError(f"blob {name}: wrong size")
        blobs[str(name)] = arr.reshape(shape)
    n = int(header["articles"])
    if tuple(header["text_fields"]) != _TEXT_FIELDS:
        raise CacheError("unknown text layout")
    nt = len(_TEXT_FIELDS)
    strings = texts["text"].split("\x00") if n else []
    if len(strings) != n * nt:
        raise CacheError("article text does not fit")
    path_ix = blobs["article.path"].tolist()
    entries = blobs["article.entry"].tolist()
    truncated = blobs["article.truncated"].astype(bool).tolist()
    word_count = blobs["article.words"].tolist()
    micros = blobs["published.micros"].tolist()
    offs = blobs["published.offset"].tolist()
    has = blobs["published.has"].tolist()
    if not all(len(x) == n for x in (path_ix, entries, truncated, word_count, micros, offs, has)):
        raise CacheError("article metadata does not fit")
    file_rows = header["files"]
    file_paths: list[Path | None] = [Path(str(row[0])) for row in file_rows]
    if path_ix and not -1 <= min(path_ix) <= max(path_ix) < len(file_paths):
        raise CacheError("article path out of range")
    file_paths.append(None)  # index -1
    tzs: dict[int, Any] = {}
    seen: dict[tuple[int, int], datetime] = {}  # equal dates share one (immutable) object

    def when(us: int, off: int) -> datetime:
        dt = seen.get((us, off))
        if dt is not None:
            return dt
        if off == _NAIVE:
            dt = (_EPOCH + timedelta(microseconds=us)).replace(tzinfo=None)
        else:
            tz = tzs.get(off)
            if tz is None:
                tz = UTC if off == 0 else timezone(timedelta(seconds=off))
                tzs[off] = tz
            dt = datetime.fromtimestamp(us / 1e6, tz)
        seen[(us, off)] = dt
        return dt

    published = [when(us, off) if h else None for us, off, h in zip(micros, offs, has, strict=True)]
    tags = [tuple(t.split("\x1f")) if t else () for t in strings[7::nt]]
    # Articles built column-wise (positional, in Article's field order: see _ARTICLE_FIELDS).
    table: list[Article] = list(
        map(
            Article,
            strings[0::nt],
            strings[1::nt],
            strings[2::nt],
            strings[3::nt],
            [file_paths[p] for p in path_ix],
            [None if e < 0 else e for e in entries],
            strings[4::nt],
            strings[5::nt],
            published,
            strings[6::nt],
            tags,
            truncated,
            word_count,
        )
    )
    files: dict[str, FileRecord] = {}
    for row in file_rows:
        fpath = Path(str(row[0]))
        _, size, mtime_ns, start, count, problems = row
        start, count = int(start), int(count)
        if start < 0 or start + count > n:
            raise CacheError("file rows do not fit")
        files[str(fpath)] = FileRecord(
            FileEntry(fpath, int(size), int(mtime_ns)),
            table[start : start + count],
            [_problem(p) for p in problems],
        )
    indexed = blobs["indexed"]
    kept = blobs["kept"]
    for arr in (indexed, kept):
        if len(arr) and (int(arr.min()) < 0 or int(arr.max()) >= n):
            raise CacheError("indexed articles out of range")
    arrays = {k[len("index.") :]: v for k, v in blobs.items() if k.startswith("index.")}
    terms = texts["terms"].split("\n") if texts["terms"] else []
    index = SearchIndex.from_parts([table[i] for i in indexed.tolist()], arrays, terms)
    return CachedLibrary(
        files,
        table,
        index,
        [_problem(p) for p in header["duplicates"]],
        [table[i] for i in kept.tolist()],
    )


def read_cache(path: Path) -> CachedLibrary | None:
    """The cache at ``path``, or None when missing, corrupt or incompatible."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    return _load_bytes(data)


def _load_bytes(data: bytes) -> CachedLibrary | None:
    """The cache in ``data``, or None when it is corrupt or incompatible."""
    # Decoding makes a few long-lived objects per article: pause the cyclic GC, which
    # would otherwise walk them again and again (not leaked, just not collected meanwhile).
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _decode(data)
    except (ValueError, KeyError, TypeError, IndexError, OverflowError, UnicodeError):
        return None  # corrupt or incompatible: rebuilt by the caller
    finally:
        if gc_was_enabled:
            gc.enable()
