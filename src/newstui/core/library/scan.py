"""Read folders of article files into Articles, with a report of what was skipped and why.

``scan_library(roots)`` = :func:`discover` (list the article files) + :func:`load_entries`
(load them, in parallel where it pays) + :func:`dedupe` (collapse duplicates). One bad file
never stops the rest: every file skipped or loaded in a degraded way is a
:class:`~newstui.core.article.Problem` in the result.
"""

from __future__ import annotations

import contextlib
import errno
import gc
import os
import stat
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from operator import attrgetter
from pathlib import Path

from newstui.core.article import Article, Problem, text_digest
from newstui.core.loaders import SUPPORTED_SUFFIXES, LoadOutcome, load_file
from newstui.core.loaders.newsboat import fingerprint as newsboat_fingerprint
from newstui.core.loaders.newsboat import is_sqlite_file
from newstui.core.progress import Progress
from newstui.core.text import display_path

# Called at most this many times per scan (plus once at the end), so a UI can post one
# message per call without flooding its queue.
PROGRESS_STEPS = 200
MAX_DEPTH = 64
# A load of this many articles makes a library's worth of long-lived objects: they are
# frozen out of the cyclic GC's way (see load_entries).
FREEZE_ARTICLES = 50_000


@dataclass(slots=True, frozen=True)
class FileEntry:
    """An article file found by :func:`discover` (``mtime_ns`` and ``size`` for caches)."""

    path: Path
    size: int
    mtime_ns: int


@dataclass(slots=True)
class ScanResult:
    #: the articles (a warm library's: rows made when asked for, see rows.py)
    articles: Sequence[Article] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    files_seen: int = 0
    # id(article) -> (article, text_key(article)), as the loaders knew it (see key_for)
    text_keys: dict[int, tuple[Article, str]] = field(
        default_factory=dict, repr=False, compare=False
    )

    def key_for(self, a: Article) -> str:
        """:func:`text_key` of ``a``: the one its loader already knew (taken, so asked once
        per article as :func:`dedupe` does, the table empties as it goes), else computed.
        Pass it as ``dedupe(..., key=loaded.key_for)``: a cold open then reads each body
        once for its id and its text key, not twice."""
        known = self.text_keys.pop(id(a), None)
        return known[1] if known is not None and known[0] is a else text_key(a)


_KIND_NAMES = (
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def _special_kind(mode: int) -> str:
    for test, name in _KIND_NAMES:
        if test(mode):
            return name
    return "not a regular file"


# Where a symlink is never followed. Pseudo-filesystems (device nodes, kernel and process
# state such as /proc/self/environ) hold no articles, whatever the link is called.
PSEUDO_FOLDERS = ("/proc", "/sys", "/dev", "/run")
# System folders: a link from an articles folder into one of these is not followed (a link
# to /usr imported 5,287 system files). Naming such a folder as an articles folder still
# reads it: that is a choice, a link is not.
SYSTEM_FOLDERS = (
    *PSEUDO_FOLDERS,
    *("/bin", "/boot", "/etc", "/lib", "/lib32", "/lib64", "/libx32", "/sbin", "/snap"),
    *("/usr", "/var/cache", "/var/lib", "/var/log", "/var/run"),
)


def _under(real: str, folders: Iterable[str]) -> str | None:
    """The folder of ``folders`` that holds ``real`` (a resolved path), or ``None``."""
    for folder in folders:
        if real == folder or real.startswith(folder.rstrip("/") + "/"):
            return folder
    return None


def discover(roots: Sequence[Path]) -> tuple[list[FileEntry], list[Problem]]:
    """Every article file under ``roots`` (files given directly are taken as they are).

    Recursive; hidden files and folders (``.name``) are skipped; FIFOs, devices and sockets
    are reported and never opened; a folder too deep to reach (``MAX_DEPTH`` levels, or a
    path longer than the system allows) is reported, not silently skipped. Entries are
    sorted by path and unique.

    Symlinks are followed to regular files and folders, with these rules:

    - each real file is read once: a second path to the same file (a symlink, a hard link)
      is a ``duplicate`` Problem naming the path read (the real file's own path when the
      scan meets both), each real folder is walked once (so loops end);
    - a link into ``/proc``, ``/sys``, ``/dev`` or ``/run`` is never followed;
    - a link leading out of every folder being scanned is followed to a regular file or a
      folder anywhere (an archive kept on another disk), except into a system folder
      (:data:`SYSTEM_FOLDERS`: ``/usr``, ``/etc``, ``/var/lib``, ``/`` itself, ...).
    """
    problems: list[Problem] = []
    visited: set[tuple[int, int]] = set()
    # real file (dev, inode) -> the first path met to it: (through a symlink?, entry); and
    # for the files met by more than one path, every path
    files: dict[tuple[int, int], tuple[bool, FileEntry]] = {}
    again: dict[tuple[int, int], list[tuple[bool, FileEntry]]] = {}
    real_roots: list[str] = []
    for root in roots:
        with contextlib.suppress(OSError, ValueError):
            real_roots.append(os.path.realpath(root))

    def add_file(path: Path, st: os.stat_result, via_link: bool) -> None:
        if not stat.S_ISREG(st.st_mode):
            problems.append(Problem(path, f"skipped: {_special_kind(st.st_mode)}", "skipped"))
            return
        key = (st.st_dev, st.st_ino)
        met = (via_link, FileEntry(path, st.st_size, st.st_mtime_ns))
        first = files.setdefault(key, met)
        if first is not met:
            again.setdefault(key, [first]).append(met)

    def refused_link(path: Path) -> str | None:
        """Why the symlink at ``path`` is not followed, or ``None``."""
        try:
            real = os.path.realpath(path)
        except (OSError, ValueError):
            return None  # the stat below reports it
        pseudo = _under(real, PSEUDO_FOLDERS)
        if pseudo is not None:
            return f"link into {pseudo}; not followed"
        if _under(real, real_roots) is None:
            system = "/" if real == "/" else _under(real, SYSTEM_FOLDERS)
            if system is not None:
                return f"link to a system folder ({system}); not followed"
        return None

    def walk(folder: Path, st: os.stat_result, depth: int) -> None:
        key = (st.st_dev, st.st_ino)
        if key in visited:
            return
        visited.add(key)
        if depth > MAX_DEPTH:
            problems.append(Problem(folder, "folders nested too deeply; not scanned", "skipped"))
            return
        try:
            with os.scandir(folder) as it:
                children = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            problems.append(Problem(folder, f"cannot list folder: {exc.strerror or exc}"))
            return
        for child in children:
            if child.name.startswith("."):
                continue
            path = Path(child.path)
            is_link = False
            try:
                is_link = child.is_symlink()
                if is_link:
                    refused = refused_link(path)
                    if refused is not None:
                        problems.append(Problem(path, refused, "skipped"))
                        continue
                # Follows symlinks; a loop (a -> a) or a dangling link raises OSError.
                cst = child.stat(follow_symlinks=True)
            except FileNotFoundError:
                if is_link:
                    problems.append(Problem(path, "broken symlink (target missing)", "skipped"))
                continue  # vanished since the listing
            except OSError as exc:
                if exc.errno == errno.ENAMETOOLONG:
                    problems.append(
                        Problem(path, "path longer than the system allows; not read", "skipped")
                    )
                elif path.suffix.lower() in SUPPORTED_SUFFIXES or is_link or _is_dir(child):
                    reason = "symlink loop" if exc.errno == errno.ELOOP else exc.strerror or exc
                    problems.append(Problem(path, f"skipped: {reason}", "skipped"))
                continue
            if stat.S_ISDIR(cst.st_mode):
                walk(path, cst, depth + 1)
            elif path.suffix.lower() in SUPPORTED_SUFFIXES:
                add_file(path, cst, is_link)

    for root in roots:
        root = Path(root)
        try:
            real = os.path.realpath(root)
            st = root.stat()
        except (OSError, ValueError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
            problems.append(Problem(root, f"cannot read: {reason}"))
            continue
        pseudo = _under(real, PSEUDO_FOLDERS)
        if pseudo is not None:
            problems.append(Problem(root, f"in {pseudo}, not an articles folder; not read"))
            continue
        if stat.S_ISDIR(st.st_mode):
            walk(root, st, 0)
        elif stat.S_ISREG(st.st_mode) and is_sqlite_file(root):  # newsboat's cache.db
            size, mtime_ns = newsboat_fingerprint(root, st.st_size, st.st_mtime_ns)
            files[(st.st_dev, st.st_ino)] = (False, FileEntry(root, size, mtime_ns))
        else:
            add_file(root, st, False)
    for key, found in again.items():
        # The file's own path (not a symlink's) when the scan met it, else the first path.
        found.sort(key=lambda f: (f[0], f[1].path))
        files[key] = found[0]
        kept = found[0][1].path
        shown = display_path(kept)
        for path in sorted({e.path for _, e in found[1:]} - {kept}):
            problems.append(Problem(path, f"same file as {shown}; read once", "duplicate"))
    entries = [entry for _, entry in files.values()]
    entries.sort(key=attrgetter("path"))
    return entries, problems


def _is_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir(follow_symlinks=False)
    except OSError:
        return False


def _load_one(path: Path) -> LoadOutcome:
    return load_file(path)


def load_entries(
    entries: Sequence[FileEntry],
    *,
    progress: Progress | None = None,
    workers: int | None = None,
    keep_text_keys: bool = False,
) -> ScanResult:
    """Load every entry, in file order. One bad file never stops the rest.

    ``keep_text_keys``: keep the text keys the loaders made with the ids, for a
    ``dedupe(result.articles, key=result.key_for)`` that follows (see
    :meth:`ScanResult.key_for`); off, the result holds no such table.

    ``workers``: ``None`` picks (sequential: measured fastest for many small files on
    2 cores, see docs/performance.md), ``1`` sequential, ``n > 1`` a pool of ``n`` threads
    (pays off for large HTML/feed files whose parsers release the GIL).
    """
    total = len(entries)
    loaded: list[Article] = []
    result = ScanResult(loaded, files_seen=total)
    step = max(1, -(-total // PROGRESS_STEPS))
    paths = [e.path for e in entries]
    outcomes: Iterable[LoadOutcome]
    pool: ThreadPoolExecutor | None = None
    if workers is not None and workers > 1 and total > 1:
        pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="newstui-load")
        outcomes = pool.map(_load_one, paths, chunksize=64)
    else:
        outcomes = map(_load_one, paths)
    # Loading makes ~10 objects per article, all long-lived: the cyclic GC would walk
    # them over and over (measured: up to a third of the scan time). Paused, not leaked.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        for n, outcome in enumerate(outcomes, 1):
            loaded.extend(outcome.articles)
            result.problems.extend(outcome.problems)
            if keep_text_keys:
                result.text_keys.update(outcome.text_keys)
            if progress is not None and (n % step == 0 or n == total):
                progress(n, total)
        if len(result.articles) >= FREEZE_ARTICLES:
            # They live as long as the library: every full collection of the build and the
            # cache write after it would walk them all again (at 521k articles, 1,466
            # collections and 5 s of a 53 s cold open; more than linear in the size). What
            # else is alive now is frozen too: only its cycles are never freed, as when the
            # cache is read (library/cache.py) and once the app has indexed.
            gc.freeze()
    finally:
        if gc_was_enabled:
            gc.enable()
        if pool is not None:
            pool.shutdown(cancel_futures=True)
    if progress is not None and total == 0:
        progress(0, 0)
    return result


def text_key(a: Article) -> str:
    """Same for articles with the same whitespace-normalised, case-folded title and body."""
    return text_digest(" ".join(a.title.split()), " ".join(a.body.split()))


def dedupe(
    articles: Sequence[Article], *, key: Callable[[Article], str] = text_key
) -> tuple[list[Article], list[Problem]]:
    """Collapse duplicates, keeping the first: the same text (title and body, whitespace
    and case aside), or the same id (the same text under another file name).

    The same URL with a different text is not a duplicate: both articles are kept (an
    impostor file that sorts first must not replace the genuine one), and when their ids
    would be equal (ids come from the URL) the later one takes the id of its text, so no
    two articles share an id. Each dropped article is a ``duplicate`` Problem naming the
    one kept. ``key``: :func:`text_key`, or a lookup of keys already computed.
    """
    kept: list[Article] = []
    problems: list[Problem] = []
    by_text: dict[str, Article] = {}
    by_id: dict[str, Article] = {}
    for a in articles:
        tkey = key(a)
        first = by_text.get(tkey)
        if first is None:
            same_id = by_id.get(a.id)
            if same_id is not None:
                if a.url:  # an id from the same URL, and another text: another article
                    a.id = tkey
                else:
                    first = same_id
        if first is not None:
            where = a.path if a.path is not None else Path("<memory>")
            entry = None if a.entry is None else a.entry + 1
            problems.append(Problem(where, f"duplicate of {first.location}", "duplicate", entry))
            continue
        kept.append(a)
        by_id[a.id] = a
        by_text[tkey] = a
    return kept, problems


def scan_library(
    roots: Path | Sequence[Path],
    *,
    progress: Progress | None = None,
    workers: int | None = None,
) -> ScanResult:
    """Load every article under ``roots``: discover, load, dedupe. Never raises for bad files."""
    root_list: Sequence[Path] = [roots] if isinstance(roots, Path | str) else roots
    entries, problems = discover([Path(r) for r in root_list])
    result = load_entries(entries, progress=progress, workers=workers, keep_text_keys=True)
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        articles, dups = dedupe(result.articles, key=result.key_for)
    finally:
        if gc_was_enabled:
            gc.enable()
    result.articles = articles
    result.problems = problems + result.problems + dups
    return result
