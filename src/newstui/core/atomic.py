"""Atomic file writes: a failure or a crash never leaves a half-written file in place.

The text goes to a new temp file in the target's own folder (created ``O_EXCL``, never
following a link), is flushed (and by default fsynced), then renamed over the target
(``rename`` replaces the name itself, never what a link there points to). On any error the
temp file is removed. Every temp name is ``{prefix}{pid}-{random}{suffix}``, so a writer
can find its own interrupted leftovers (see ``newstui.core.fetch.writer.clean_stale_temps``).

With ``refuse_links=True`` (the fetch writer, into the user's articles folder) a folder or
target that is a symbolic link is refused with :class:`LinkRefused`: every step then works
relative to the folder opened ``O_NOFOLLOW``.

Used by the cache (:mod:`newstui.core.library.cache`), ``newstui state export`` and the
fetch writer; nothing else in newstui writes a file in place.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import BinaryIO

__all__ = [
    "NEW_FILE_MODE",
    "TEMP_SUFFIX",
    "LinkRefused",
    "open_folder",
    "write_atomic",
    "write_temp",
]

TEMP_SUFFIX = ".tmp"

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)


def _read_umask() -> int:
    mask = os.umask(0o022)  # read once at import, before any worker thread exists
    os.umask(mask)
    return mask


#: The mode a new file gets from ``open()`` under this process's umask.
NEW_FILE_MODE = 0o666 & ~_read_umask()


class LinkRefused(OSError):
    """A folder or file to be written is a symbolic link; ``str()`` names it."""

    def __init__(self, path: Path) -> None:
        super().__init__(
            errno.ELOOP, f"refused: {path} is a symbolic link (newstui never writes through links)"
        )
        self.path = path

    def __str__(self) -> str:
        return str(self.strerror)


def open_folder(folder: Path, *, create: bool = True, refuse_link: bool = False) -> int:
    """An fd of ``folder`` (created with its parents when ``create``); with ``refuse_link``
    a symbolic link there raises :class:`LinkRefused`."""
    if create:
        with contextlib.suppress(FileExistsError):  # a dangling link, or a file: see below
            folder.mkdir(parents=True, exist_ok=True)
    if not refuse_link:
        return os.open(folder, os.O_RDONLY | _DIRECTORY)
    if folder.is_symlink():
        raise LinkRefused(folder)
    try:
        return os.open(folder, os.O_RDONLY | _DIRECTORY | _NOFOLLOW)
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.ENOTDIR) and folder.is_symlink():
            raise LinkRefused(folder) from None
        raise


#: What is written: text (as UTF-8), bytes, buffers one after the other, or a function
#: that writes the file itself through its handle (it may seek: a file whose header is
#: known only once its body is written, see ``newstui.core.library.merging``).
Data = str | bytes | Iterable[bytes | memoryview] | Callable[[BinaryIO], None]


def write_temp(
    dir_fd: int,
    data: Data,
    *,
    prefix: str,
    suffix: str = TEMP_SUFFIX,
    mode: int = 0o600,
    fsync: bool = True,
    errors: str = "strict",
) -> str:
    """Write ``data`` (see :data:`Data`) to a new temp file in the folder ``dir_fd``; its
    name. Removed again if writing fails."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _CLOEXEC
    for _ in range(100):
        name = f"{prefix}{os.getpid()}-{secrets.token_hex(6)}{suffix}"
        try:
            fd = os.open(name, flags, mode, dir_fd=dir_fd)
        except FileExistsError:
            continue
        break
    else:
        raise FileExistsError(errno.EEXIST, "no free temporary file name")
    try:
        with os.fdopen(fd, "wb") as fh:
            if isinstance(data, str):
                fh.write(data.encode("utf-8", errors))
            elif isinstance(data, bytes):
                fh.write(data)
            elif callable(data):
                data(fh)
            else:
                for chunk in data:
                    fh.write(chunk)
            fh.flush()
            if fsync:
                os.fsync(fh.fileno())
            os.fchmod(fh.fileno(), mode)  # whatever the umask left of it
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(name, dir_fd=dir_fd)
        raise
    return name


def write_atomic(
    path: Path,
    data: Data,
    *,
    create_folder: bool = False,
    refuse_links: bool = False,
    prefix: str | None = None,
    mode: int = 0o600,
    fsync: bool = True,
    errors: str = "strict",
) -> None:
    """Replace ``path`` with ``data`` atomically (see the module docstring). ``prefix``:
    the temp files' (default ``.{name}.``); ``mode``: the file's permissions."""
    dir_fd = open_folder(path.parent, create=create_folder, refuse_link=refuse_links)
    try:
        if refuse_links:
            try:
                st = os.stat(path.name, dir_fd=dir_fd, follow_symlinks=False)
            except FileNotFoundError:
                pass
            else:
                if stat.S_ISLNK(st.st_mode):
                    raise LinkRefused(path)
        tmp = write_temp(
            dir_fd,
            data,
            prefix=f".{path.name}." if prefix is None else prefix,
            mode=mode,
            fsync=fsync,
            errors=errors,
        )
        try:
            os.replace(tmp, path.name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp, dir_fd=dir_fd)
            raise
    finally:
        os.close(dir_fd)
