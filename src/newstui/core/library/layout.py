"""The layout of a library cache file (see :mod:`.cache`): a prefix (magic, version,
header checksum and length), a JSON header naming the blobs, then the blobs, each aligned,
each with its crc32; read through a read-only mapping. What reads it checks it here: the
header, each blob's range, type and size, the checksums (whole, or the bulk blobs in a
background thread that removes a damaged file), that postings name known articles.
"""

from __future__ import annotations

import contextlib
import json
import logging
import mmap
import os
import struct
import zlib
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from newstui.core.library.pages import release as _release

__all__ = ["CACHE_VERSION", "MAGIC", "CacheError"]

# 5: Problem.count; loaders' titles, bodies and entries changed
# 6: plain-text bodies reflowed (core/reflow.py) / the mapped layout, on two branches
# 7: both: reflowed bodies in the mapped layout (aligned blobs, per-blob crc32, text by blocks)
# 8: bodies in a blob of their own, read on demand (StoredArticle); dedupe keys stored;
#    a delta file for the files changed since (see the module doc)
# 9: the columns' title ranks and id keys (core/library/columns.py), computed at write time
CACHE_VERSION = 9
MAGIC = b"NEWSTUI\x1aIDX"
_PREFIX = struct.Struct("<11sIIQ")
_ALIGN = 64
_VERIFY_STEP = 8 << 20  # bytes hashed at a time by the background check
_DTYPES = {"<i4", "<i8", "<u2", "<u8", "<f8", "|u1"}
log = logging.getLogger("newstui.cache")


class CacheError(ValueError):
    """The cache file is missing, corrupt or incompatible (it is then rebuilt)."""


def _bulk(name: str) -> bool:
    """The blobs checked in the background in a big file: most of its bytes."""
    return name in ("text", "body") or name.endswith((".docs", ".tfs"))


class _Blob:
    __slots__ = ("crc", "dtype", "name", "offset", "shape", "size")

    def __init__(self, row: Any) -> None:
        name, dtype, shape, offset, size, crc = row
        self.name, self.dtype = str(name), str(dtype)
        self.shape = tuple(int(x) for x in shape)
        self.offset, self.size, self.crc = int(offset), int(size), int(crc)


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


def raw_blob(arr: npt.NDArray[Any]) -> tuple[str, list[int], memoryview]:
    """An array as a blob: its little-endian dtype, shape and bytes (no copy when it is
    already contiguous and little-endian)."""
    arr = np.ascontiguousarray(arr)
    dt = arr.dtype.newbyteorder("<") if arr.dtype.byteorder == ">" else arr.dtype
    raw = np.ascontiguousarray(arr.astype(dt, copy=False)).reshape(-1).view(np.uint8).data
    return dt.str, list(arr.shape), raw


def encode_head(header: dict[str, Any], *, size: int = 0) -> bytes:
    """The prefix and the header of a cache file, the header padded with spaces to ``size``
    bytes when shorter (JSON ignores them: a file whose checksums are known only once its
    blobs are written reserves its header's room first). Not yet aligned."""
    raw = json.dumps(header, ensure_ascii=False, separators=(",", ":")).encode(
        "utf-8", "surrogatepass"
    )
    raw += b" " * (size - len(raw))
    return _PREFIX.pack(MAGIC, CACHE_VERSION, zlib.crc32(raw), len(raw)) + raw


def payload_start(head_size: int) -> int:
    """Where the blobs start after a prefix and header of ``head_size`` bytes."""
    return head_size + (-head_size % _ALIGN)


def _check_postings(buf: Any, layout: _Layout, n: int) -> None:
    """Every posting names one of the ``n`` indexed articles: checked a slice at a time,
    each slice's pages given back (a whole check would make all of them resident)."""
    step = _VERIFY_STEP // 4
    for name, blob in layout.blobs.items():
        if not (name.startswith("index.") and name.endswith(".docs")):
            continue
        docs = layout.array(buf, name)
        for i in range(0, len(docs), step):
            part = docs[i : i + step]
            if int(part.min()) < 0 or int(part.max()) >= n:
                raise CacheError("postings point outside the articles")
            start = layout.base + blob.offset + i * docs.itemsize
            _release(buf, start, start + part.nbytes)


def _postings_ranges(layout: _Layout) -> list[tuple[int, int]]:
    """Where the postings lie in the file: (start, size) of each ``docs``/``tfs`` blob."""
    return [
        (layout.base + blob.offset, blob.size)
        for name, blob in layout.blobs.items()
        if name.startswith("index.") and name.endswith((".docs", ".tfs"))
    ]


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
    newstui_path: Path | None = None


def _map(path: Path) -> _Mapped:
    with path.open("rb") as f:
        st = os.fstat(f.fileno())
        if st.st_size == 0:
            raise CacheError("empty")
        mapped = _Mapped(f.fileno(), 0, access=mmap.ACCESS_READ)
    mapped.newstui_ident = (st.st_dev, st.st_ino)
    mapped.newstui_path = path
    return mapped
