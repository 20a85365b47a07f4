"""Reading untrusted files and streams with a size budget, never blocking on a FIFO.

Settings files and state imports are named by the user but hold anything: ``/dev/zero``, a
FIFO nobody writes to, a 10 GB file. :func:`read_bounded` reads a regular file only, at most
``limit`` bytes; :func:`read_stream_bounded` reads at most ``limit`` bytes of a stream
(standard input).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO


class TooBig(OSError):
    """A file (or stream) over the size budget."""


def read_bounded(path: Path, limit: int) -> bytes:
    """The bytes of the regular file ``path``, at most ``limit`` of them.

    Never blocks and never reads without end: the file is opened non-blocking (a FIFO, a
    device, a socket is refused before any read, with ``OSError`` "not a regular file");
    a file with more than ``limit`` bytes raises :class:`TooBig` (an ``OSError``).
    ``FileNotFoundError`` and ``IsADirectoryError`` pass through.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    flags |= getattr(os, "O_CLOEXEC", 0)
    if path.is_dir():
        raise IsADirectoryError(21, "Is a directory", str(path))
    fd = os.open(path, flags)
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError(21, "Is a directory", str(path))
        if not stat.S_ISREG(info.st_mode):
            raise OSError(0, "not a regular file")
        if info.st_size > limit:
            raise TooBig(0, "too big")
        return _read_upto(lambda n: os.read(fd, n), limit)  # TooBig if it grew meanwhile
    finally:
        os.close(fd)


def read_stream_bounded(stream: BinaryIO, limit: int) -> bytes:
    """At most ``limit`` bytes of ``stream``; :class:`TooBig` when it holds more."""
    return _read_upto(stream.read, limit)


def _read_upto(read: Callable[[int], bytes], limit: int) -> bytes:
    """Everything ``read`` gives (in chunks of at most 1 MB) until it gives nothing;
    :class:`TooBig` as soon as that passes ``limit`` bytes (one byte past it is read)."""
    chunks: list[bytes] = []
    size = 0
    while size <= limit:
        chunk = read(min(1 << 20, limit + 1 - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    if size > limit:
        raise TooBig(0, "too big")
    return b"".join(chunks)


__all__ = ["TooBig", "read_bounded", "read_stream_bounded"]
