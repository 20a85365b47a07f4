"""Write entries as Markdown article files: safe names, atomic writes, no leftovers.

A file is written to a hidden temp file in its final folder (by
:mod:`newstui.core.atomic`, the one atomic write), flushed, then renamed into place (``os.link`` for a new file, so a name is never silently taken from another file;
``os.replace`` to rewrite our own file). Temp files carry the writer's pid, so an
interrupted run's leftovers are removed at the next start, and never another live
run's. Hidden names also keep them out of the library scan meanwhile.

Nothing is ever written through a symbolic link: the feed folder is opened with
``O_NOFOLLOW`` (a link there is refused with a ``LinkRefused`` naming it), and the temp
file, the link to the new name and the rename over our own file all work relative to that
open folder, none following a link (``link`` never follows, ``rename`` replaces the name
itself, and a file of ours that has become a link is refused, not replaced).
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import time
import unicodedata
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from newstui.core.atomic import (
    NEW_FILE_MODE,
    TEMP_SUFFIX,
    LinkRefused,
    open_folder,
    write_atomic,
    write_temp,
)
from newstui.core.fetch.parse import Entry

__all__ = [
    "MAX_SLUG_BYTES",
    "STALE_AFTER",
    "TEMP_PREFIX",
    "LinkRefused",
    "clean_stale_temps",
    "entry_stem",
    "render_document",
    "rewrite",
    "slugify",
    "write_new",
]

TEMP_PREFIX = ".newstui-fetch-"
MAX_SLUG_BYTES = 80
STALE_AFTER = 3600.0  # a temp file this old is stale even if its pid now belongs to another process
_NON_WORD = re.compile(r"[^\w]+")
_RESERVED = {
    "con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10)),
}  # fmt: skip


def slugify(text: str, *, fallback: str = "untitled", max_bytes: int = MAX_SLUG_BYTES) -> str:
    """A filename-safe slug: letters, digits and hyphens only (any script), lower case,
    never empty, never starting with a dot, at most ``max_bytes`` UTF-8 bytes."""
    text = unicodedata.normalize("NFKC", text or "").casefold()
    slug = _NON_WORD.sub("-", text).replace("_", "-")
    slug = re.sub("-{2,}", "-", slug).strip("-")
    encoded = slug.encode("utf-8")
    if len(encoded) > max_bytes:
        slug = encoded[:max_bytes].decode("utf-8", "ignore")
        if "-" in slug[max_bytes // 2 :]:
            slug = slug.rsplit("-", 1)[0]
        slug = slug.strip("-")
    if not slug or slug in _RESERVED:
        slug = f"{fallback}-{slug}" if slug else fallback
    return slug


def entry_stem(entry: Entry) -> str:
    slug = slugify(entry.title, fallback="entry")
    if entry.published is not None:
        return f"{entry.published:%Y-%m-%d}-{slug}"
    return slug


def render_document(
    entry: Entry,
    *,
    source: str,
    feed_url: str,
    fetched_at: datetime,
    extra: dict[str, Any] | None = None,
) -> str:
    """The Markdown article: YAML front matter (safe_dump, so any title round-trips) + body."""
    meta: dict[str, Any] = {"title": entry.title}
    if entry.author:
        meta["author"] = entry.author
    if entry.published is not None:
        meta["published"] = entry.published.isoformat()
    meta["source"] = source
    if entry.url:
        meta["url"] = entry.url
    if entry.tags:
        meta["tags"] = list(entry.tags)
    meta["feed_url"] = feed_url
    meta["fetched_at"] = fetched_at.isoformat(timespec="seconds")
    if extra:
        meta.update(extra)
    head = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=10_000)
    body = entry.body.strip()
    return f"---\n{head}---\n\n{body}\n" if body else f"---\n{head}---\n"


def write_new(folder: Path, stem: str, text: str) -> Path:
    """Write ``text`` to a new file ``stem.md`` in ``folder`` (``stem-2.md``... when taken).
    Raise ``LinkRefused`` when ``folder`` is a symbolic link."""
    dir_fd = open_folder(folder, refuse_link=True)
    try:
        tmp = write_temp(dir_fd, text, prefix=TEMP_PREFIX, mode=NEW_FILE_MODE)
        try:
            for n in range(1, 10_000):
                name = f"{stem}.md" if n == 1 else f"{stem}-{n}.md"
                try:
                    # link() never follows: an existing name, even a link, is EEXIST
                    os.link(tmp, name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd, follow_symlinks=False)
                except FileExistsError:
                    continue
                except OSError as exc:
                    if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EXDEV, errno.EMLINK):
                        raise
                    if _exists(name, dir_fd):  # filesystems without hard links: best effort
                        continue
                    os.rename(tmp, name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
                    return folder / name
                return folder / name
            raise OSError(f"no free file name for {stem!r} in {folder}")
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp, dir_fd=dir_fd)
    finally:
        os.close(dir_fd)


def _exists(name: str, dir_fd: int) -> bool:
    try:
        os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
    except FileNotFoundError:
        return False
    return True


def rewrite(path: Path, text: str) -> None:
    """Atomically replace our own file ``path`` with ``text``. Raise ``LinkRefused`` when
    ``path`` or its folder is a symbolic link."""
    write_atomic(
        path, text, create_folder=True, refuse_links=True, prefix=TEMP_PREFIX, mode=NEW_FILE_MODE
    )


def clean_stale_temps(root: Path) -> int:
    """Remove temp files left by fetch runs that are no longer running. Returns the count."""
    removed = 0
    if not root.is_dir():
        return 0
    folders = [root, *(p for p in root.iterdir() if p.is_dir() and not p.is_symlink())]
    for folder in folders:
        try:
            candidates = list(folder.glob(f"{TEMP_PREFIX}*{TEMP_SUFFIX}"))
        except OSError:
            continue
        for tmp in candidates:
            pid = _pid_of(tmp.name)
            if pid is not None and _alive(pid) and not _older_than(tmp, STALE_AFTER):
                continue
            with contextlib.suppress(OSError):
                tmp.unlink()
                removed += 1
    return removed


def _older_than(path: Path, seconds: float) -> bool:
    try:
        return time.time() - path.stat().st_mtime > seconds
    except OSError:
        return False


def _pid_of(name: str) -> int | None:
    rest = name[len(TEMP_PREFIX) :]
    head = rest.split("-", 1)[0]
    return int(head) if head.isdigit() else None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return False
    return True
