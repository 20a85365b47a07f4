"""The articles' bodies in a library cache file (see :mod:`.cache`), read on demand.

A warm library's :class:`~newstui.core.article.StoredArticle` reads its body here by row
(the reader, a snippet, an export, the search's proximity bonus); only the last few are kept
decoded. The file's layout and its checks stay in :mod:`.cache`, which builds the store.
"""

from __future__ import annotations

import logging
import os
import threading
import weakref
from collections import OrderedDict
from typing import Any

import numpy as np
import numpy.typing as npt

log = logging.getLogger("newstui.cache")

__all__ = ["BodyStore"]


class BodyStore:
    """The articles' bodies in a cache file, read on demand (``StoredArticle.body``), the
    last few kept decoded; and their dedupe keys. Safe from any thread.

    Bodies are read with ``os.pread`` from a descriptor of the file, not through the
    mapping: a file truncated in place under a running app (nothing of newstui's does
    that: it replaces the file) then gives a short read, not a SIGBUS.
    """

    #: bodies kept decoded, and the biggest body kept
    KEEP = 64
    KEEP_CHARS = 1 << 20

    def __init__(
        self, buf: Any, base: int, starts: npt.NDArray[Any], keys: npt.NDArray[Any] | None
    ) -> None:
        """``buf``: the cache file's mapping (or bytes); the bodies start at offset ``base``
        in it, row ``i``'s from ``starts[i]`` to ``starts[i + 1]`` after that; ``keys``:
        each row's dedupe key (both checked by the caller: see ``cache._body_store``), or
        None for a store of other texts (the articles' ids, titles and URLs)."""
        self._buf = buf  # a bytes buffer (tests), or the mapping when no descriptor
        self._fd = _descriptor(buf)
        if self._fd is not None:
            weakref.finalize(self, os.close, self._fd)
            self._buf = None  # the mapping is not needed for the bodies
        self._base = base
        # copies (16 bytes an article): a read never touches the mapping (see above)
        self._starts = np.array(starts)
        self._keys = np.array(keys if keys is not None else [], np.uint64)
        self._n = len(starts) - 1
        self._kept: OrderedDict[int, str] = OrderedDict()
        self._lock = threading.Lock()

    def body(self, row: int) -> str:
        """Row ``row``'s body ("" for a row out of range or text that is not UTF-8: a
        damaged file, which the background check removes)."""
        with self._lock:
            text = self._kept.get(row)
            if text is not None:
                self._kept.move_to_end(row)
                return text
        raw = self.raw(row)
        try:
            text = str(raw, "utf-8", "surrogatepass")
        except UnicodeDecodeError as exc:
            log.info("cache body %d unreadable (%s): the cache is damaged", row, exc)
            return ""
        if len(text) <= self.KEEP_CHARS:
            with self._lock:
                self._kept[row] = text
                if len(self._kept) > self.KEEP:
                    self._kept.popitem(last=False)
        return text

    def raw(self, row: int) -> bytes:
        """Row ``row``'s body as stored (UTF-8), read and not decoded (b"" for a row out
        of range or a short read): for a reading that only needs ASCII bytes (the search's
        proximity bonus), no decoding and no copy kept."""
        if not 0 <= row < self._n:
            return b""
        return self.span(row, row + 1)

    def span(self, lo: int, hi: int) -> bytes:
        """Rows ``lo`` to ``hi`` (excluded) as stored, in one read (b"" for rows out of
        range or a short read)."""
        if not 0 <= lo <= hi <= self._n:
            return b""
        a = self._base + int(self._starts[lo])
        b = self._base + int(self._starts[hi])
        row = lo
        try:
            if self._fd is not None:
                raw = os.pread(self._fd, b - a, a)
                if len(raw) == b - a:
                    return raw
                log.info("cache body %d: a short read (the file was cut): damaged", row)
                return b""
            return bytes(memoryview(self._buf)[a:b])
        except OSError as exc:
            log.info("cache body %d unreadable (%s): the cache is damaged", row, exc)
            return b""

    def size(self, row: int) -> int:
        """Row ``row``'s body length in UTF-8 bytes (without reading it)."""
        if not 0 <= row < self._n:
            return 0
        return int(self._starts[row + 1] - self._starts[row])

    def sizes(self, rows: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
        """:meth:`size` of each of ``rows`` (0 for a row out of range)."""
        if not self._n:
            return np.zeros(len(rows), np.int64)
        inside = (rows >= 0) & (rows < self._n)
        at = np.where(inside, rows, 0)
        out: npt.NDArray[np.int64] = np.where(
            inside, self._starts[at + 1] - self._starts[at], 0
        ).astype(np.int64)
        return out

    @property
    def keys(self) -> npt.NDArray[np.uint64]:
        """Every row's dedupe key, as an integer."""
        keys: npt.NDArray[np.uint64] = self._keys
        return keys

    def key(self, row: int) -> str:
        """Row ``row``'s dedupe key, as :func:`~newstui.core.library.scan.text_key` gives it."""
        return format(int(self._keys[row]), "016x")


def _descriptor(buf: Any) -> int | None:
    """A descriptor of the file ``buf`` maps (the same device and inode), or None."""
    path = getattr(buf, "newstui_path", None)
    if path is None:
        return None
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return None
    st = os.fstat(fd)
    if (st.st_dev, st.st_ino) != buf.newstui_ident:
        os.close(fd)  # replaced since it was mapped: read through the mapping
        return None
    return fd
