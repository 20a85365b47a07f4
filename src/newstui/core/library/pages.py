"""Giving a mapped file's pages back: the cache's postings do not pile up in the process.

A page of a mapping that was read stays resident in the process (counted in its RSS) until
the mapping goes. :func:`release` hands a range back (``MADV_DONTNEED``: the pages stay in
the page cache, and a later read faults them in again, from memory). :func:`watch` lets a
daemon thread do it for the postings of a big cache whenever the process's file-backed
pages pass :data:`RESIDENT_POSTINGS` (polling ``/proc/self/statm``; nothing where there is
none). At a million articles this keeps a warm session with its searches under 1 GB
(measured in docs/performance.md, issue 13), its search CPU within the noise.
"""

from __future__ import annotations

import contextlib
import mmap
import threading
import time
import weakref
from pathlib import Path
from typing import Any

__all__ = ["RESIDENT_POSTINGS", "TRIM_EVERY", "release", "watch"]

#: The mapped postings' pages a process keeps at most, checked this often (seconds).
RESIDENT_POSTINGS = 128 << 20
TRIM_EVERY = 0.02
_STATM = Path("/proc/self/statm")


def release(buf: Any, start: int, end: int) -> None:
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


def file_pages() -> int:
    """Resident file-backed pages of this process (``statm``'s third field; 0 unknown)."""
    try:
        return int(_STATM.read_bytes().split()[2])
    except (OSError, ValueError, IndexError):
        return 0


class _Watcher:
    """One daemon thread giving the watched ranges back past the budget."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._ranges: list[tuple[weakref.ref[Any], int, int]] = []
        self._thread: threading.Thread | None = None

    def watch(self, buf: Any, ranges: list[tuple[int, int]]) -> None:
        if getattr(buf, "madvise", None) is None or not file_pages():
            return
        with self._lock:
            self._ranges.extend((weakref.ref(buf), start, size) for start, size in ranges)
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="newstui-cache-trim", daemon=True
                )
                self._thread.start()

    def _run(self) -> None:
        while True:
            time.sleep(TRIM_EVERY)
            if file_pages() * mmap.PAGESIZE <= RESIDENT_POSTINGS:
                continue
            with self._lock:
                self._ranges = [r for r in self._ranges if r[0]() is not None]
                ranges = list(self._ranges)
            for ref, start, size in ranges:
                buf = ref()
                if buf is not None:
                    release(buf, start, start + size)


_watcher = _Watcher()


def watch(buf: Any, ranges: list[tuple[int, int]]) -> None:
    """Give ``buf``'s ``(start, size)`` ranges back whenever the process holds more than
    :data:`RESIDENT_POSTINGS` of file pages, for as long as the mapping lives."""
    _watcher.watch(buf, ranges)
