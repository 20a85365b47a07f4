"""A cache's delta merged into its base, in the background (issue 13, item 3).

A few changed files go into a delta beside the cache (:func:`.cache.write_delta`): the
next start is warm, but it searches two index segments (~15% slower typo searches) and
every incremental open rewrites the whole delta. This folds the delta into a new base:

- **When it pays** (:func:`due`): a rewrite of the base costs its whole size (1.5 GB at a
  million articles), so it is done when the delta passes :data:`MERGE_SHARE` of the base,
  or when the base is over a day old (:data:`MERGE_AFTER_S`: a trickle of fetches merges
  at most once a day), or at once when the base is small (:data:`SMALL_BASE_BYTES`, under
  a second). A delta past ``opening.DELTA_SHARE`` is not written at all: the whole cache
  is, in the open itself.
- **In the background** (:func:`start_if_due`): a process of its own at the lowest CPU
  priority (``python -m newstui.core.library.merging CACHE``), started by the open that
  found the delta, as ``git gc --auto`` is; one at a time (a lock beside the cache). The
  running app keeps the files it mapped; the next start maps the merged one.
- **File to file** (:func:`merge`): the new base is written from the two files' blobs,
  never from articles: the rows of the files that stay, then the delta's; texts and
  bodies copied as byte ranges; the two index segments merged a block of terms at a time
  straight into the file (:func:`~newstui.core.search.segments.merged_postings`); what a
  whole write computes from the articles (title ranks, id keys, time ranks, category
  codes) computed again from the merged columns, exactly as it does. So neither every
  body nor every posting is ever held: at a million articles it peaks at a fraction of
  what a whole rewrite would (see ``docs/performance.md``).
- **Checked**: both files are verified whole (every checksum) first, the new file is
  opened as a warm start opens it before it replaces anything, and it replaces the base
  only if neither file changed meanwhile (a foreground rewrite wins). Whatever fails is
  logged and left as it was: the delta still works.
"""

from __future__ import annotations

import contextlib
import logging
import os
import subprocess
import sys
import threading
import time
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import numpy.typing as npt

from newstui.core.atomic import write_atomic
from newstui.core.library import pages
from newstui.core.library.cache import (
    _CATEGORIES,
    _NAIVE,
    _columns,
    _decode,
    _load,
    delta_file_for,
)
from newstui.core.library.columns import id_keys, stack, text_ranks, time_ranks, timestamps
from newstui.core.library.layout import (
    _ALIGN,
    _PREFIX,
    CACHE_VERSION,
    CacheError,
    _Layout,
    _map,
    encode_head,
    payload_start,
    raw_blob,
)
from newstui.core.search.segments import FIELDS, Postings, document_frequencies, merged_postings

__all__ = ["MERGE_AFTER_S", "MERGE_SHARE", "SMALL_BASE_BYTES", "due", "merge", "start_if_due"]

log = logging.getLogger("newstui.cache")

#: a delta of this share of its base's articles (new ones, and the base's gone) is merged
MERGE_SHARE = 0.02
#: a delta on a base older than this (seconds) is merged, however small
MERGE_AFTER_S = 24 * 3600
#: a base up to this size is merged whenever it has a delta (well under a second)
SMALL_BASE_BYTES = 64 << 20
#: ``off`` in this environment variable: no merge is started (the tests' default)
ENV = "NEWSTUI_CACHE_MERGE"
_COPY_STEP = 8 << 20  # bytes copied (and their pages given back) at a time


def due(base_rows: int, delta_rows: int, base_bytes: int, base_age_s: float) -> bool:
    """Whether a delta of ``delta_rows`` articles (new, or the base's gone) on a base of
    ``base_rows`` articles, ``base_bytes`` big and ``base_age_s`` old, is worth merging."""
    if delta_rows <= 0:
        return False
    if base_bytes <= SMALL_BASE_BYTES:
        return True
    return delta_rows >= MERGE_SHARE * base_rows or base_age_s >= MERGE_AFTER_S


def start_if_due(path: Path, base_rows: int, delta_rows: int) -> subprocess.Popen[bytes] | None:
    """Start merging the delta beside the cache ``path`` in the background when it is
    :func:`due` (and not turned off: :data:`ENV`); the process, or None."""
    if os.environ.get(ENV, "").strip().lower() in ("off", "0", "no", "false"):
        return None
    try:
        st = path.stat()
    except OSError:
        return None
    if not due(base_rows, delta_rows, st.st_size, time.time() - st.st_mtime):
        _tidy(path)
        return None
    try:
        proc = subprocess.Popen(
            [sys.executable, "-m", __name__, str(path)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # not stopped by the terminal's Ctrl-C: it is the cache's
            close_fds=True,
        )
    except OSError as exc:
        log.info("cache delta of %s not merged (could not start: %s)", path, exc)
        return None
    # reaped when it ends (else a zombie until the app quits)
    threading.Thread(target=proc.wait, name="newstui-merge-reaper", daemon=True).start()
    return proc


def merge(path: Path) -> bool:
    """Merge the delta beside the cache ``path`` into a new base that replaces it. False
    (and everything left as it was) when there is no delta, another merge is running, or
    the files do not fit or changed meanwhile (logged)."""
    lock = _lock(path)
    if lock is None:
        return False
    try:
        _remove_leftovers(path)
        try:
            return _merge(path)
        except FileNotFoundError:
            return False
        except (
            OSError,
            ValueError,
            KeyError,
            IndexError,
            TypeError,
            OverflowError,
            MemoryError,
        ) as exc:
            # (CacheError and UnicodeError are ValueErrors; a file whose numbers ask for
            # more memory than there is is not merged either)
            log.info("cache delta of %s not merged (%s)", path, exc)
            return False
        finally:
            _remove_leftovers(path)
    finally:
        os.close(lock)


def _lock(path: Path) -> int | None:
    """An exclusive lock beside the cache ``path`` (its fd), or None when another process
    holds it (or this system has no ``flock``)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not on POSIX
        return None
    try:
        fd = os.open(path.with_name(path.name + ".lock"), os.O_RDWR | os.O_CREAT, 0o600)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return None
    return fd


def _tidy(path: Path) -> None:
    """Remove what a merge killed half-way left beside the cache ``path`` (up to its
    size on disk), unless a merge is running."""
    if not _leftovers(path):
        return
    lock = _lock(path)
    if lock is not None:
        try:
            _remove_leftovers(path)
        finally:
            os.close(lock)


def _merged_file(path: Path) -> Path:
    return path.with_name(path.name + ".merged")


def _remove_leftovers(path: Path) -> None:
    """A merge's files left by one killed half-way (under the lock: none is running)."""
    for p in _leftovers(path):
        with contextlib.suppress(OSError):
            p.unlink()


def _leftovers(path: Path) -> list[Path]:
    """A merge's files beside the cache ``path``: the merged file, its temporary files."""
    merged = _merged_file(path)
    found = [merged] if merged.exists() else []
    with contextlib.suppress(OSError):
        found += path.parent.glob(f".{merged.name}.*")
    return found


def _generation(path: Path) -> str | None:
    try:
        return str(_Layout(_map(path)).header["generation"])
    except (OSError, ValueError, KeyError):
        return None


def _merge(path: Path) -> bool:
    delta_path = delta_file_for(path)
    base_buf, delta_buf = _map(path), _map(delta_path)
    base, delta = _Layout(base_buf), _Layout(delta_buf)
    if base.header.get("base") is not None or delta.header.get("base") != base.header.get(
        "generation"
    ):
        raise CacheError("a delta of another cache")
    # Copied bytes get new checksums: a damaged input must not pass into the new file.
    base.verify(base_buf, list(base.blobs.values()), release=True)
    delta.verify(delta_buf, list(delta.blobs.values()), release=True)
    target = _merged_file(path)
    plan = _Plan(base_buf, base, delta_buf, delta)
    write_atomic(target, plan.write, prefix=f".{target.name}.", fsync=False)
    del plan
    _check_opens(target)
    if (
        _generation(path) != base.header["generation"]
        or _generation(delta_path) != delta.header["generation"]
    ):
        log.info("cache %s changed while its delta was merged: left as it is", path)
        return False
    target.replace(path)
    if _generation(delta_path) == delta.header["generation"]:
        delta_path.unlink(missing_ok=True)
    log.info("cache delta of %s merged", path)
    return True


def _check_opens(path: Path) -> None:
    """Raise CacheError unless the file opens as a warm start opens a cache (every
    checksum, every range, the index built)."""
    buf = _map(path)
    layout = _Layout(buf)
    layout.verify(buf, list(layout.blobs.values()), release=True)  # each page given back
    opened, why = _load(buf, path, _decode)  # (a big file's bulk blobs: checked just now)
    if opened is None:
        raise CacheError(f"the merged file does not open ({why})")


def _runs(rows: npt.NDArray[np.int64]) -> list[tuple[int, int]]:
    """Increasing ``rows`` as runs ``[first, end)`` of consecutive rows."""
    if not len(rows):
        return []
    breaks = np.flatnonzero(np.diff(rows) != 1)
    firsts = np.concatenate([rows[:1], rows[breaks + 1]])
    ends = np.concatenate([rows[breaks], rows[-1:]]) + 1
    return list(zip(firsts.tolist(), ends.tolist(), strict=True))


class _Plan:
    """The merged base, worked out from a base and its delta (everything but the bodies
    and the postings, which :meth:`write` copies and merges as it writes them)."""

    def __init__(self, bbuf: Any, base: _Layout, dbuf: Any, delta: _Layout) -> None:
        self.bbuf, self.base, self.dbuf, self.delta = bbuf, base, dbuf, delta
        bh, dh = base.header, delta.header
        nb, nd = int(bh["articles"]), int(dh["articles"])
        # the row counts are the per-row blobs' own (a header cannot ask for more memory
        # than its file holds)
        if base.blobs["keys"].shape != (nb,) or delta.blobs["keys"].shape != (nd,):
            raise CacheError("the article counts do not fit")
        for rows_in, file_rows in ((nb, bh["files"]), (nd, dh["files"])):
            for row in file_rows:
                if not 0 <= int(row[3]) <= int(row[3]) + int(row[4]) <= rows_in:
                    raise CacheError("file rows do not fit")
        removed = {str(k) for k in dh["removed"]}
        # the base's files that stay (their places in its list, and their rows there)
        keep_file = [i for i, r in enumerate(bh["files"]) if str(r[0]) not in removed]
        base_files = [bh["files"][i] for i in keep_file]
        if len(base_files) != len(bh["files"]) - len(removed):
            raise CacheError("the delta removes a file the cache does not have")
        paths = [str(r[0]) for r in base_files] + [str(r[0]) for r in dh["files"]]
        if len(set(paths)) != len(paths):
            raise CacheError("a file twice in the base and its delta")
        # the rows of the base's files that stay, in order, then the delta's
        sel = [np.arange(int(r[3]), int(r[3]) + int(r[4]), dtype=np.int64) for r in base_files]
        self.sel = np.concatenate(sel) if sel else np.zeros(0, np.int64)
        if len(self.sel) > 1 and int(np.diff(self.sel).min()) <= 0:
            raise CacheError("files share rows")
        kb = len(self.sel)
        self.n = kb + nd
        new_row = np.full(nb + nd, -1, np.int64)  # a row of base-then-delta: its new row
        new_row[self.sel] = np.arange(kb)
        new_row[nb:] = kb + np.arange(nd)
        files: list[list[Any]] = []
        at = 0
        for row in base_files:
            files.append([row[0], row[1], row[2], at, row[4], row[5]])
            at += int(row[4])
        files += [[r[0], r[1], r[2], kb + int(r[3]), r[4], r[5]] for r in dh["files"]]
        self.files = files
        b, d = self._arrays(base, bbuf), self._arrays(delta, dbuf)
        self.b, self.d = b, d

        def rows(name: str) -> npt.NDArray[Any]:
            return np.concatenate([b[name][self.sel], d[name]])

        file_of_base = np.full(len(bh["files"]) + 1, -1, np.int64)  # [-1]: no file
        file_of_base[keep_file] = np.arange(len(keep_file))
        path_b = file_of_base[b["article.path"][self.sel]]
        path_d = np.where(d["article.path"] < 0, -1, d["article.path"] + len(keep_file))
        self.blobs: dict[str, npt.NDArray[Any]] = {
            "article.path": np.concatenate([path_b, path_d]).astype(np.int32),
            "article.entry": rows("article.entry"),
            "article.truncated": rows("article.truncated"),
            "article.words": rows("article.words"),
            "published.micros": rows("published.micros"),
            "published.offset": rows("published.offset"),
            "published.has": rows("published.has"),
            "keys": rows("keys"),
        }
        self.categories: dict[str, list[str]] = {}
        for name in _CATEGORIES:
            codes, values = self._category(name)
            self.blobs[f"category.{name}"] = codes
            self.categories[name] = values
        self.runs = _runs(self.sel)
        self.text = self._text()
        # the columns' ranks, as a whole write computes them (cache._pack)
        title_rank, id_key, self.hex_ids = self._ranks(nb, nd)
        self.blobs["column.title_rank"] = title_rank
        self.blobs["column.id_key"] = id_key
        self.blobs["column.id_order"] = np.argsort(id_key, kind="stable").astype(np.int32)
        micros, offsets = self.blobs["published.micros"], self.blobs["published.offset"]
        has = self.blobs["published.has"].astype(bool)
        self.blobs["column.time_rank"] = time_ranks(timestamps(micros, offsets == _NAIVE, has))[0]
        self.blobs["text.starts"] = self._starts("text.starts")
        self.blobs["body.starts"] = self._starts("body.starts")
        # the index: the base segment's live rows, then the delta's
        live_blob = d.get("base.live")
        base_indexed = b["indexed"]
        live = None if live_blob is None else live_blob.astype(bool)
        if live is not None and live.shape != base_indexed.shape:
            raise CacheError("the delta's live rows do not fit the base")
        live_rows = base_indexed if live is None else base_indexed[live]
        indexed = np.concatenate([new_row[live_rows], new_row[nb + d["indexed"]]])
        kept = new_row[d["kept"]]
        if (len(indexed) and int(indexed.min()) < 0) or (len(kept) and int(kept.min()) < 0):
            raise CacheError("an indexed or kept article in no file")
        self.blobs["indexed"] = indexed.astype(np.int32)
        self.blobs["kept"] = kept.astype(np.int32)
        live_cols = slice(None) if live is None else live
        self.blobs["index.lengths"] = np.concatenate(
            [b["index.lengths"][:, live_cols], d["index.lengths"]], axis=1
        ).astype(np.int32)
        self.blobs["index.published"] = np.concatenate(
            [b["index.published"][live_cols], d["index.published"]]
        )
        base_terms = base.text(bbuf, "terms")
        more_terms = delta.text(dbuf, "terms")
        n_terms = len(d["index.title.offsets"]) - 1
        terms = [*(base_terms.split("\n") if base_terms else [])]
        terms += more_terms.split("\n") if more_terms else []
        if len(terms) != n_terms or len(b["index.title.offsets"]) - 1 > n_terms:
            raise CacheError("the delta's vocabulary does not fit the base")
        self.terms = "\n".join(terms).encode("utf-8", "surrogatepass")
        del terms
        self.postings = [
            merged_postings(
                self._postings(b, name),
                live,
                len(base_indexed),
                self._postings(d, name),
                n_terms,
            )
            for name in FIELDS
        ]
        self.blobs["index.df"] = document_frequencies(
            [
                Postings(offs, np.zeros(0, np.int32), np.zeros(0, np.uint16))
                for offs, _ in self.postings
            ],
            n_terms,
        )
        for name, (offs, _) in zip(FIELDS, self.postings, strict=True):
            self.blobs[f"index.{name}.offsets"] = offs
        # what was read of the inputs goes back to the page cache (a page read again, the
        # bodies' and postings' as they are copied, faults back in)
        pages.release(bbuf, 0, len(bbuf))
        pages.release(dbuf, 0, len(dbuf))

    def _read(self, field: str, t0: int, t1: int) -> None:
        """Terms ``t0``..``t1`` of ``field`` merged: their input postings' pages given back."""
        for layout, buf, arrays in (
            (self.base, self.bbuf, self.b),
            (self.delta, self.dbuf, self.d),
        ):
            offsets = arrays[f"index.{field}.offsets"]
            last = len(offsets) - 1
            lo, hi = int(offsets[min(t0, last)]), int(offsets[min(t1, last)])
            for kind, width in (("docs", 4), ("tfs", 2)):
                at = layout.base + layout.blobs[f"index.{field}.{kind}"].offset
                pages.release(buf, at + width * lo, at + width * hi)

    def _ranks(
        self, nb: int, nd: int
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.uint64], bool]:
        """The merged rows' title ranks and id keys (and whether those are the ids' own
        values), as a whole write computes them: the base's and the delta's merged
        (:func:`~newstui.core.library.columns.stack`: a few of the base's titles read for
        each of the delta's), or, unless every id is newstui's own, worked out again from
        every row's text."""
        sel = self.sel
        below = _columns(self.base.header, self.b, nb, [])()
        more = _columns(self.delta.header, self.d, nd, [])()
        stacked = None
        if below is not None and more is not None:
            stacked = stack(
                below.take(sel),
                lambda row: self._title(self.base, self.bbuf, self.b, int(sel[row])),
                more,
                lambda row: self._title(self.delta, self.dbuf, self.d, row),
            )
        if stacked is not None:
            return stacked.title_rank, stacked.id_key, True
        fields = self.text.decode("utf-8", "surrogatepass").split("\x00")
        if len(fields) != 3 * self.n + 1:
            raise CacheError("article text does not fit")
        id_key, hex_ids = id_keys(fields[0 : 3 * self.n : 3])
        return text_ranks([t.casefold() for t in fields[1 : 3 * self.n : 3]]), id_key, hex_ids

    @staticmethod
    def _title(layout: _Layout, buf: Any, arrays: dict[str, npt.NDArray[Any]], row: int) -> str:
        """Row ``row``'s title, case-folded, read from its file's text blob."""
        at = layout.base + layout.blobs["text"].offset
        starts = arrays["text.starts"]
        raw = bytes(memoryview(buf)[at + int(starts[row]) : at + int(starts[row + 1])])
        return raw.split(b"\x00")[1].decode("utf-8", "surrogatepass").casefold()

    @staticmethod
    def _arrays(layout: _Layout, buf: Any) -> dict[str, npt.NDArray[Any]]:
        return {k: layout.array(buf, k) for k, blob in layout.blobs.items() if blob.dtype != "utf8"}

    @staticmethod
    def _postings(arrays: dict[str, npt.NDArray[Any]], name: str) -> Postings:
        return Postings(
            np.asarray(arrays[f"index.{name}.offsets"], np.int64),
            arrays[f"index.{name}.docs"],
            arrays[f"index.{name}.tfs"],
        )

    def _category(self, name: str) -> tuple[npt.NDArray[np.int32], list[str]]:
        """A categorical column's codes and values, as a whole write numbers them (in the
        order each value first appears)."""
        b_values = list(self.base.header["categories"][name])
        d_values = list(self.delta.header["categories"][name])
        values = {v: i for i, v in enumerate(b_values)}
        for v in d_values:
            values.setdefault(v, len(values))
        d_map = np.array([values[v] for v in d_values] or [0], np.int64)
        codes = np.concatenate(
            [
                self.b[f"category.{name}"][self.sel].astype(np.int64),
                d_map[self.d[f"category.{name}"]],
            ]
        )
        every = list(values)
        used, first = np.unique(codes, return_index=True)
        order = used[np.argsort(first, kind="stable")]
        renumber = np.zeros(len(every), np.int64)
        renumber[order] = np.arange(len(order))
        return renumber[codes].astype(np.int32), [every[i] for i in order.tolist()]

    def _ranges(self, starts_name: str) -> Iterator[tuple[Any, int, int]]:
        """The byte ranges (buffer, start, end) of the merged rows' field ``starts_name``
        names (``text.starts``, ``body.starts``), in order."""
        blob = starts_name.split(".")[0]
        for layout, buf, runs, starts in (
            (self.base, self.bbuf, self.runs, self.b[starts_name]),
            (self.delta, self.dbuf, [(0, int(self.delta.header["articles"]))], self.d[starts_name]),
        ):
            at = layout.base + layout.blobs[blob].offset
            for first, end in runs:
                if end > first:
                    yield buf, at + int(starts[first]), at + int(starts[end])

    def _starts(self, name: str) -> npt.NDArray[np.int64]:
        lengths = np.concatenate([np.diff(self.b[name])[self.sel], np.diff(self.d[name])]).astype(
            np.int64
        )
        starts = np.zeros(self.n + 1, np.int64)
        np.cumsum(lengths, out=starts[1:])
        return starts

    def _text(self) -> bytes:
        return b"".join(bytes(memoryview(buf)[a:b]) for buf, a, b in self._ranges("text.starts"))

    # ------------------------------------------------------------------ writing

    def write(self, fh: BinaryIO) -> None:
        """The merged file, written through ``fh``: the blobs first (their checksums
        worked out as they go), then the header, into the room kept for it."""
        body_size = sum(b - a for _, a, b in self._ranges("body.starts"))
        layout: list[list[Any]] = []
        arrays = [(name, *raw_blob(arr)) for name, arr in self.blobs.items()]
        sizes: list[tuple[str, str, list[int], int]] = [
            (name, dt, shape, len(raw)) for name, dt, shape, raw in arrays
        ]
        for field, (offs, _) in zip(FIELDS, self.postings, strict=True):
            total = int(offs[-1])
            sizes.append((f"index.{field}.docs", "<i4", [total], 4 * total))
            sizes.append((f"index.{field}.tfs", "<u2", [total], 2 * total))
        sizes += [
            ("text", "utf8", [], len(self.text)),
            ("body", "utf8", [], body_size),
            ("terms", "utf8", [], len(self.terms)),
        ]
        at: dict[str, int] = {}
        offset = 0
        for name, dt, shape, size in sizes:
            offset += -offset % _ALIGN
            at[name] = offset
            layout.append([name, dt, shape, offset, size, 0xFFFFFFFF])
            offset += size
        header: dict[str, Any] = {
            "version": CACHE_VERSION,
            "generation": os.urandom(8).hex(),
            "articles": self.n,
            "text_fields": list(self.base.header["text_fields"]),
            "categories": self.categories,
            "hex_ids": self.hex_ids,
            "files": self.files,
            "duplicates": self.delta.header["duplicates"],
            "blobs": layout,
        }
        room = len(encode_head(header))  # the longest checksums: the header's room
        start = payload_start(room)
        crcs: dict[str, int] = {}

        def put(name: str, data: Any, where: int = 0) -> None:
            fh.seek(start + at[name] + where)
            fh.write(data)
            crcs[name] = zlib.crc32(data, crcs.get(name, 0))

        for name, _, _, raw in arrays:
            put(name, raw)
        del arrays
        put("text", self.text)
        put("terms", self.terms)
        crcs["body"] = 0
        written = 0
        for buf, a, b in self._ranges("body.starts"):
            for piece in range(a, b, _COPY_STEP):
                chunk = memoryview(buf)[piece : min(b, piece + _COPY_STEP)]
                put("body", chunk, written)
                written += len(chunk)
                pages.release(buf, piece, piece + len(chunk))
        for field, (_, blocks) in zip(FIELDS, self.postings, strict=True):
            crcs.setdefault(f"index.{field}.docs", 0)
            crcs.setdefault(f"index.{field}.tfs", 0)
            for t0, t1, first, docs, tfs in blocks:
                put(f"index.{field}.docs", docs.data, 4 * first)
                put(f"index.{field}.tfs", tfs.data, 2 * first)
                self._read(field, t0, t1)
        for row in layout:
            row[5] = crcs[row[0]]
        head = encode_head(header, size=room - _PREFIX.size)
        fh.seek(0)
        fh.write(head + bytes(start - len(head)))
        fh.seek(start + offset)
        fh.truncate()


def main(argv: list[str] | None = None) -> int:
    """``python -m newstui.core.library.merging CACHE``: merge the delta beside ``CACHE``
    (what :func:`start_if_due` runs), at the lowest CPU priority. 0 when merged."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m newstui.core.library.merging CACHE_FILE", file=sys.stderr)
        return 2
    with contextlib.suppress(OSError, AttributeError):
        os.nice(19)
    return 0 if merge(Path(args[0])) else 1


if __name__ == "__main__":
    sys.exit(main())
