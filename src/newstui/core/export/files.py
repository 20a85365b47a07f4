"""Writing an export: atomically, and never over an existing file unless told to.

The text goes to a temp file in the target's folder (:func:`newstui.core.atomic.write_temp`),
then takes the target's name: with ``force`` by ``rename`` (replacing what was there), else by
``link``, which fails when the name exists, so an existing file is never replaced silently,
even one created a moment ago by someone else. Either way no reader ever sees half a file.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from newstui.core.atomic import NEW_FILE_MODE, Data, open_folder, write_temp
from newstui.core.text import display_path

__all__ = ["ExportError", "FileExists", "write_new"]


class ExportError(Exception):
    """An export that cannot be written (one line, naming the file)."""


class FileExists(ExportError):
    """The target exists and ``force`` was not given."""

    def __init__(self, path: Path) -> None:
        super().__init__(f"{display_path(path)} exists; not overwritten (--force replaces it)")
        self.path = path


def write_new(path: Path, data: Data, *, force: bool = False) -> None:
    """Write ``data`` to ``path`` atomically (its folder created when missing); an existing
    ``path`` raises :class:`FileExists` unless ``force``. Other failures raise
    :class:`ExportError` naming the file."""
    if isinstance(data, str):  # a lone surrogate (from a file name) must not stop a write
        data = data.encode("utf-8", "replace")
    try:
        dir_fd = open_folder(path.parent, create=True)
    except OSError as exc:
        raise ExportError(f"{display_path(path.parent)}: {exc.strerror or exc}") from None
    try:
        try:
            tmp = write_temp(dir_fd, data, prefix=f".{path.name[:100]}.", mode=NEW_FILE_MODE)
        except OSError as exc:
            raise ExportError(f"{display_path(path)}: {exc.strerror or exc}") from None
        try:
            if force:
                os.replace(tmp, path.name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
            else:
                os.link(tmp, path.name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
        except FileExistsError:
            raise FileExists(path) from None
        except OSError as exc:
            raise ExportError(f"{display_path(path)}: {exc.strerror or exc}") from None
        finally:
            with contextlib.suppress(OSError):
                os.unlink(tmp, dir_fd=dir_fd)
    finally:
        os.close(dir_fd)
