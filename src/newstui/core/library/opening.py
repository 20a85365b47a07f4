"""Opening a library, and taking new or changed files into an open one.

These two are the only ways the app and the CLI load articles:

- :func:`open_library` scans the folders, dedupes, and returns the articles with a built
  search index, through the warm-start cache (:mod:`.cache`): unchanged files (same path,
  size and mtime) come from it, new and changed files are loaded, removed ones drop out,
  the index is updated incrementally (or loaded whole when nothing changed);
- :func:`ingest` loads some files (written by a fetch, say) into an open library: their
  old articles and problems are replaced, the whole is deduped exactly as a first open
  would, and the index follows.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

from newstui.core.article import Article, Problem, StoredArticle
from newstui.core.library import merging
from newstui.core.library.cache import (
    CachedLibrary,
    CacheError,
    FileRecord,
    article_key,
    cache_file_for,
    cache_supported,
    inspect_cache,
    write_cache,
    write_delta,
)
from newstui.core.library.columns import Columns, LazyColumns, stack
from newstui.core.library.layout import log
from newstui.core.library.rows import ArticleRows, ArticleTable
from newstui.core.library.scan import (
    FileEntry,
    ScanResult,
    dedupe,
    discover,
    load_entries,
)
from newstui.core.progress import Progress
from newstui.core.search.index import SearchIndex

__all__ = ["DELTA_SHARE", "OpenLibrary", "ingest", "open_library"]

#: A cache delta holds up to this share of the base's articles (new, or gone from the
#: base); past it, the whole cache is rewritten (and the delta goes).
DELTA_SHARE = 0.2


class OpenLibrary(NamedTuple):
    """An open library: its articles and problems (``scan``) and their ``search_index``."""

    scan: ScanResult
    search_index: SearchIndex


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """Loading and deduping make many long-lived objects: the cyclic GC would walk them
    over and over. Paused, not leaked."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _by_path(problems: Iterable[Problem]) -> dict[str, list[Problem]]:
    out: dict[str, list[Problem]] = {}
    for p in problems:
        out.setdefault(str(p.path), []).append(p)
    return out


def open_library(
    roots: Sequence[Path],
    *,
    use_cache: bool = True,
    cache_dir: Path | None = None,
    progress: Progress | None = None,
    on_scanned: Callable[[ScanResult, SearchIndex], None] | None = None,
) -> OpenLibrary:
    """Scan ``roots`` and return the articles and a built index (see the module docstring).

    ``use_cache=False`` reads every file and neither reads nor writes the cache. A
    missing, corrupt or incompatible cache means a full scan and build; the cache is
    rewritten when anything changed. ``progress(done, total)`` is called while loading
    files (files) and then while indexing (articles).

    ``on_scanned(scan, index)`` is called once the articles are known and before the index
    is built or updated (not at all when everything came from the cache), so a caller can
    show the articles at once and search the index while it fills (see ``SearchIndex.add``
    for what a search sees during a build).
    """
    roots = [Path(r) for r in roots]
    cache_path = cache_file_for(roots, cache_dir)
    entries, discover_problems = discover(roots)
    use_cache = use_cache and cache_supported()
    cached = None
    if use_cache:
        cached, reason = inspect_cache(cache_path)
        if cached is None:
            log.info("cache %s not used (%s): the library is read and indexed", cache_path, reason)

    unchanged: dict[str, FileRecord] = {}
    to_load: list[FileEntry] = []
    for e in entries:
        rec = cached.files.get(str(e.path)) if cached is not None else None
        if rec is not None and rec.entry.size == e.size and rec.entry.mtime_ns == e.mtime_ns:
            unchanged[str(e.path)] = rec
        else:
            to_load.append(e)
    removed = cached is not None and len(unchanged) != len(cached.files)

    if cached is not None and not to_load and not removed:
        # Nothing changed: everything, index included, comes from the cache (the
        # articles as rows of its table, each made when first asked for).
        kept = cached.kept
        problems = list(discover_problems)
        for e in entries:
            problems.extend(unchanged[str(e.path)].problems)
        problems.extend(cached.duplicates)
        if progress is not None:
            progress(len(kept), len(kept))
        delta_rows = cached.delta_rows()
        if delta_rows:  # one left unmerged (not due then, or the merge was stopped)
            merging.start_if_due(cache_path, cached.base.rows, delta_rows)
        return OpenLibrary(ScanResult(kept, problems, len(entries)), cached.index)

    loaded = load_entries(to_load, progress=progress, keep_text_keys=True)
    memo = _Keys(loaded.key_for)  # dedupe keys, kept for the cache (it stores them)
    if cached is not None:
        fast = _incremental(
            cached,
            entries,
            unchanged,
            loaded,
            memo,
            discover_problems,
            cache_path,
            progress,
            on_scanned,
        )
        if fast is not None:
            return fast
    # Articles whose path matched no entry (should not happen): kept, unattributed.
    records, stray, stray_problems = _records(entries, unchanged, loaded)
    with _gc_paused():
        articles, dups = dedupe([a for rec in records for a in rec.articles] + stray, key=memo)

    problems = list(discover_problems)
    for rec in records:
        problems.extend(rec.problems)
    problems.extend(stray_problems)
    problems.extend(dups)
    scan = ScanResult(articles, problems, len(entries))

    index = cached.index if cached is not None else SearchIndex()
    if on_scanned is not None:
        on_scanned(scan, index)
    if cached is not None:
        keep_ids = {a.id for a in articles}
        fresh = {str(e.path) for e in to_load}
        index.remove([aid for aid in (a.id for a in index.articles()) if aid not in keep_ids])
        index.add(
            [a for a in articles if str(a.path) in fresh or a.id not in index],
            progress=progress,
        )
    else:
        index.add(articles, progress=progress)

    if use_cache and not stray:
        with contextlib.suppress(OSError, CacheError):
            write_cache(cache_path, records, index, dups, articles, memo)
    return OpenLibrary(scan, index)


def _any_in(few: npt.NDArray[np.uint64], many: npt.NDArray[np.uint64]) -> bool:
    """Whether any of ``few`` is in ``many`` (a few keys against a million: one vectorised
    comparison each, not a sort of the million)."""
    if len(few) <= 16:
        return any(bool((many == k).any()) for k in few.tolist())
    return bool(np.isin(few, many).any())


class _Keys(dict[int, str]):
    """Dedupe keys by ``id(article)``, each computed once: a cached article's read from
    the cache (not from its body), a loaded one's from ``known`` (the key its loader made
    with its id) when given; called as dedupe's ``key``."""

    def __init__(self, known: Callable[[Article], str] | None = None) -> None:
        super().__init__()
        self._known = known

    def __call__(self, a: Article) -> str:
        key = self.get(id(a))
        if key is None:
            if self._known is not None and not isinstance(a, StoredArticle):
                key = self[id(a)] = self._known(a)
            else:
                key = self[id(a)] = article_key(a)
        return key


def _records(
    entries: list[FileEntry], unchanged: dict[str, FileRecord], loaded: ScanResult
) -> tuple[list[FileRecord], list[Article], list[Problem]]:
    """Every file's record (unchanged ones from the cache, the others as just loaded), and
    the articles and problems loaded whose path matched no entry (should not happen)."""
    by_path: dict[str, list[Article]] = {}
    for a in loaded.articles:
        by_path.setdefault(str(a.path), []).append(a)
    load_problems = _by_path(loaded.problems)
    records: list[FileRecord] = []
    for e in entries:
        key = str(e.path)
        rec = unchanged.get(key)
        if rec is None:
            rec = FileRecord(e, by_path.pop(key, []), load_problems.pop(key, []))
        records.append(rec)
    stray = [a for arts in by_path.values() for a in arts]
    stray_problems = [p for ps in load_problems.values() for p in ps]
    return records, stray, stray_problems


def _incremental(
    cached: CachedLibrary,
    entries: list[FileEntry],
    unchanged: dict[str, FileRecord],
    loaded: ScanResult,
    memo: _Keys,
    discover_problems: list[Problem],
    cache_path: Path,
    progress: Progress | None,
    on_scanned: Callable[[ScanResult, SearchIndex], None] | None,
) -> OpenLibrary | None:
    """The library after a few files changed, without touching the others (issue 13):
    the changed and removed files' articles leave, the new ones are deduped among
    themselves and checked against the rest by key and id (numpy, no body read), the
    index takes them as a segment of their own, and the cache gets a delta (merged into
    the base in the background when that pays: :mod:`.merging`), or, past
    :data:`DELTA_SHARE` of the base, is rewritten whole.

    None when that would not give what a full dedupe gives: an article that goes whose
    text has a duplicate that stays (which would now be kept), or a new article with the
    text or the id of one that stays. The caller then does it all."""
    gone = [rec for key, rec in cached.files.items() if key not in unchanged]
    records, stray, stray_problems = _records(entries, unchanged, loaded)
    if stray or stray_problems:
        return None
    dead = np.zeros(len(cached.table), np.bool_)
    for rec in gone:
        if rec.first_row < 0:
            return None
        dead[rec.first_row : rec.first_row + len(rec.articles)] = True
    old_rows = cached.kept_rows
    going = dead[old_rows]
    kept_rows = old_rows[~going]
    if gone and cached.duplicates:
        # An article that goes may have been the first of its text: its duplicate (in a
        # file that stays) would now be kept. Duplicates share the key of their first.
        dup = np.ones(len(cached.table), np.bool_)
        dup[old_rows] = False
        dup &= ~dead
        keys = cached.keys
        if _any_in(keys[old_rows[going]], keys[dup]):
            return None
    gone_paths = {str(rec.entry.path) for rec in gone}
    with _gc_paused():
        new, new_dups = dedupe(loaded.articles, key=memo)
    index = cached.index
    gone_ids = {a.id for rec in gone for a in rec.articles}
    if any(a.id in index and a.id not in gone_ids for a in new):
        return None
    new_keys = np.fromiter((int(memo(a), 16) for a in new), np.uint64, len(new))
    if _any_in(new_keys, cached.keys[kept_rows]):
        return None
    table = cached.table
    everything = cached.table.take(np.arange(len(cached.table)), cached.columns)
    articles = _with_new(everything, kept_rows, new, new_keys)
    dups = [*(p for p in cached.duplicates if str(p.path) not in gone_paths), *new_dups]
    problems = list(discover_problems)
    for rec in records:
        problems.extend(rec.problems)
    problems.extend(dups)
    scan = ScanResult(articles, problems, len(entries))
    if on_scanned is not None:
        on_scanned(scan, index)
    index.update([table[r].id for r in old_rows[going].tolist()], new, progress=progress)
    base_rows = cached.base.rows
    others = [*map(table.__getitem__, kept_rows[kept_rows >= base_rows].tolist()), *new]
    delta_rows = len(others) + int(dead[:base_rows].sum())
    with contextlib.suppress(OSError, CacheError):
        if delta_rows <= DELTA_SHARE * base_rows and write_delta(
            cache_path, cached, records, index, dups, kept_rows[kept_rows < base_rows], others, memo
        ):
            merging.start_if_due(cache_path, base_rows, delta_rows)
        else:
            write_cache(cache_path, records, index, dups, list(articles), memo)
    return OpenLibrary(scan, index)


def _with_new(
    rows: ArticleRows,
    kept: npt.NDArray[Any],
    new: list[Article],
    new_keys: npt.NDArray[np.uint64],
    order: npt.NDArray[Any] | None = None,
) -> ArticleRows:
    """The rows at positions ``kept`` of ``rows`` and then the ``new`` articles (with
    their dedupe keys), in ``order`` when given: as rows (none of the old ones made),
    their columns worked out on first ask (the old rows' and the new ones' stacked: see
    :func:`newstui.core.library.columns.stack`)."""
    table = rows.table
    joined = table + ArticleTable.of(new, new_keys)
    every = np.concatenate([rows.rows[kept], len(table) + np.arange(len(new))])

    def columns() -> Columns | None:
        below = rows.columns
        if below is None:
            return None
        both = stack(
            below.take(kept),
            lambda r: rows[int(kept[r])].title.casefold(),
            Columns.of(new),
            lambda r: new[r].title.casefold(),
        )
        if both is None:
            return None
        return both if order is None else both.take(order)

    return joined.take(every if order is None else every[order], LazyColumns(columns))


def _ingest_rows(
    library: OpenLibrary, wanted: set[str], loaded: ScanResult
) -> tuple[OpenLibrary, list[Article]] | None:
    """:func:`ingest` of a warm library (rows of its cache) without making its articles:
    the rows of the files read again leave, the new articles (deduped among themselves)
    join the rest in file order, by the rows' files, ids and dedupe keys (numpy). None
    when a new article has the text or the id of one that stays (the caller then dedupes
    it all, as a first open would)."""
    old, index = library
    rows = old.articles
    if not isinstance(rows, ArticleRows):
        return None
    table = rows.table
    codes, table_keys, values = rows.numbers("path"), table.numbers("key"), table.path_values
    if codes is None or table_keys is None or values is None:
        return None
    wanted_codes = [c for c, p in enumerate(values) if p is not None and str(p) in wanted]
    going = np.isin(codes, wanted_codes)
    keep_at, gone_at = np.flatnonzero(~going), np.flatnonzero(going)
    gone = [rows[i] for i in gone_at.tolist()]
    keys = _Keys(loaded.key_for)
    with _gc_paused():
        new, new_dups = dedupe(loaded.articles, key=keys)
    new_keys = np.fromiter((int(keys(a), 16) for a in new), np.uint64, len(new))
    if _any_in(new_keys, table_keys[rows.rows[keep_at]].view(np.uint64)):
        return None
    gone_rows = set(rows.rows[gone_at].tolist())
    for a in new:
        row = rows.row_of(a.id)
        if row is not None and row not in gone_rows:
            return None
    # file order, as a first open (a stable sort of the files' paths, None last)
    paths = {p for p in values if p is not None} | {a.path for a in new if a.path is not None}
    rank = {p: i for i, p in enumerate(sorted(paths))}
    code_rank = np.array([rank.get(p, len(rank)) if p is not None else len(rank) for p in values])
    new_rank = [rank[a.path] if a.path is not None else len(rank) for a in new]
    order = np.argsort(np.concatenate([code_rank[codes[keep_at]], new_rank]), kind="stable")
    articles = _with_new(rows, keep_at, new, new_keys, order)
    problems = [
        *(p for p in old.problems if p.kind != "duplicate" and str(p.path) not in wanted),
        *loaded.problems,
        *(p for p in old.problems if p.kind == "duplicate" and str(p.path) not in wanted),
        *new_dups,
    ]
    before = {a.id: a for a in gone}
    new_ids = {a.id for a in new}
    index.remove([aid for aid in before if aid not in new_ids])
    changed = [a for a in new if not _same(before.get(a.id), a)]
    index.add(changed)
    known_texts = set(map(keys, gone))  # (the rest's: none of the new ones', checked above)
    added = [a for a in changed if keys(a) not in known_texts]
    known = {str(values[c]) for c in np.unique(codes).tolist()}
    known |= {str(p.path) for p in old.problems}
    files_seen = old.files_seen + len(wanted - known)
    return OpenLibrary(ScanResult(articles, problems, files_seen), index), added


_FIELDS = tuple(f.name for f in dataclasses.fields(Article))


def _same(old: Article | None, new: Article) -> bool:
    """Every field equal (``Article ==`` compares ids only)."""
    return old is not None and all(getattr(old, f) == getattr(new, f) for f in _FIELDS)


def _file_order(a: Article) -> tuple[bool, Path]:
    return (a.path is None, a.path or Path())


def ingest(library: OpenLibrary, paths: Sequence[Path]) -> tuple[OpenLibrary, list[Article]]:
    """Load ``paths`` (new or changed files) into ``library``: the new library and the
    articles whose text it did not hold before (new, or changed).

    The files' old articles and problems are replaced by what they hold now, and the whole
    is deduped in file order, as a first open of the folders would: a new file repeating
    an article already there is a ``duplicate`` problem, not a second entry. The index is
    updated in place (removed and changed articles out, new ones in); the cache is left
    for the next open to bring up to date.
    """
    old, index = library
    wanted = {str(p) for p in paths}
    entries = [FileEntry(Path(p), 0, 0) for p in sorted(wanted)]
    loaded = load_entries(entries, keep_text_keys=True)
    fast = _ingest_rows(library, wanted, loaded)
    if fast is not None:
        return fast
    before = {a.id: a for a in old.articles}
    keep = [a for a in old.articles if str(a.path) not in wanted]
    with _gc_paused():
        merged = sorted([*keep, *loaded.articles], key=_file_order)
        keys = _Keys(loaded.key_for)  # each computed once: the bulk of the cost
        articles, dups = dedupe(merged, key=keys)
    # the duplicates already known stay (bar those of the files read again): dedupe sees
    # only the articles kept so far, so it names just the new ones
    old_dups = [p for p in old.problems if p.kind == "duplicate" and str(p.path) not in wanted]
    others = [p for p in old.problems if p.kind != "duplicate" and str(p.path) not in wanted]
    problems = [*others, *loaded.problems, *old_dups, *dups]
    ids = {a.id for a in articles}
    index.remove([aid for aid in before if aid not in ids])
    changed = [a for a in articles if str(a.path) in wanted and not _same(before.get(a.id), a)]
    index.add(changed)
    known_texts = set(map(keys, keep))  # dedupe's rule for "the same text"
    known_texts.update(map(keys, (a for a in old.articles if str(a.path) in wanted)))
    added = [a for a in changed if keys(a) not in known_texts]
    known = {str(a.path) for a in old.articles} | {str(p.path) for p in old.problems}
    files_seen = old.files_seen + len(wanted - known)
    return OpenLibrary(ScanResult(articles, problems, files_seen), index), added
