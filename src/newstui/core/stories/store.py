"""The stories' warm-start cache, beside the library's (one file per set of folders).

:func:`load_stories` is what the CLI and the app call with an open library's articles: the
cached sketches and links are reused for every article whose id and text stamp are
unchanged, the rest is sketched and linked incrementally (articles gone are removed), and
the file is rewritten when anything changed. A cold build of 104k articles takes a few
seconds; a warm open reads one file (see docs/performance.md).

File format (under ``newstui.core.paths.cache_dir()``, ``stories-<key>.bin``)::

    b"NEWSTUI\\x1aSTO" | u32 format version | u32 crc32 of the rest | u64 header length
    | header (UTF-8 JSON: counts, grouping parameters, blob layout)
    | payload (little-endian numeric arrays, then the ids as UTF-8 text)

Numbers and text only (no pickle), arrays read with explicit dtypes; a file that is
truncated, fails its checksum, has another version or other parameters, or does not fit
together is ignored and rebuilt. Written atomically.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import mmap
import os
import struct
import zlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from newstui.core import paths
from newstui.core.article import Article, article_ids
from newstui.core.atomic import write_atomic
from newstui.core.library.pages import release
from newstui.core.progress import Progress
from newstui.core.stories.grouping import GroupingParams, Stories, fingerprints
from newstui.core.stories.sketch import BINS, SHINGLE

__all__ = ["STORIES_VERSION", "load_stories", "read_stories", "stories_file_for", "write_stories"]

# 2: tmask (the headline words of a marked version); 3: stamps count body bytes, not
# characters (a body left on disk is not read for its stamp); 4: each row's component
# (``label``), so a warm start does not work the components out again
STORIES_VERSION = 4
MAGIC = b"NEWSTUI\x1aSTO"
_CRC_STEP = 8 << 20  # bytes checked at a time
_PREFIX = struct.Struct("<11sIIQ")
_BLOBS = (
    ("sig", "<u4"),
    ("shingles", "<i4"),
    ("when", "<f8"),
    ("stamp", "<i8"),
    ("edges", "<i4"),
    ("weights", "<f4"),
    ("head", "<u8"),
    ("marked", "|u1"),
    ("tmask", "<u8"),
    ("label", "<i4"),
)


def stories_file_for(roots: Sequence[Path], cache_dir: Path | None = None) -> Path:
    """The stories cache file for a set of folders (keyed like the library cache)."""
    key = hashlib.blake2b(digest_size=8)
    for r in sorted(str(Path(r).resolve()) for r in roots):
        key.update(r.encode("utf-8", "surrogatepass") + b"\x00")
    return (cache_dir or paths.cache_dir()) / f"stories-{key.hexdigest()}.bin"


def _params_json(params: GroupingParams) -> dict[str, Any]:
    return {**dataclasses.asdict(params), "bins": BINS, "shingle": SHINGLE}


def write_stories(path: Path, stories: Stories) -> None:
    """Write ``stories`` to ``path`` atomically (raises OSError)."""
    arrays: dict[str, npt.NDArray[Any]] = {
        "sig": stories.sig,
        "shingles": stories.shingles,
        "when": stories.when,
        "stamp": stories.stamp,
        "edges": stories.edges,
        "weights": stories.weights,
        "head": stories.head,
        "marked": stories.marked.view(np.uint8),
        "tmask": stories.tmask,
        "label": stories.label,
    }
    layout: list[list[Any]] = []
    payload: list[Any] = []
    offset = 0
    for name, dtype in _BLOBS:
        arr = np.ascontiguousarray(arrays[name], dtype=np.dtype(dtype))
        raw = arr.reshape(-1).view(np.uint8).data
        layout.append([name, dtype, list(arr.shape), offset, len(raw)])
        payload.append(raw)
        offset += len(raw)
    ids = "\n".join(stories.ids).encode("utf-8", "surrogatepass")
    layout.append(["ids", "utf8", [], offset, len(ids)])
    payload.append(ids)
    header = json.dumps(
        {
            "version": STORIES_VERSION,
            "articles": len(stories.ids),
            "params": _params_json(stories.params),
            "blobs": layout,
        },
        separators=(",", ":"),
    ).encode("utf-8")
    crc = 0
    for chunk in (header, *payload):
        crc = zlib.crc32(chunk, crc)
    write_atomic(
        path,
        [_PREFIX.pack(MAGIC, STORIES_VERSION, crc, len(header)), header, *payload],
        create_folder=True,
        fsync=False,
    )


def read_stories(path: Path, params: GroupingParams | None = None) -> Stories | None:
    """The stories cached at ``path``, or None when missing, corrupt, of another version
    or made with other parameters."""
    params = params or GroupingParams()
    try:
        data = _map(path)
    except (OSError, ValueError):
        return None
    try:
        return _decode(data, params)
    except (ValueError, KeyError, TypeError, IndexError, UnicodeError, struct.error):
        return None


def _map(path: Path) -> Any:
    """The file, mapped read-only (its arrays are then views of it, not copies: ~400 MB
    at a million articles, most of it the sketches, which a warm start does not read
    again); an empty file as ``b""``. The file is replaced when written, never changed
    in place, so the mapping stays valid."""
    with path.open("rb") as f:
        if os.fstat(f.fileno()).st_size == 0:
            return b""
        return mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)


def _crc32(data: Any, start: int) -> int:
    """The crc32 of ``data[start:]``, a slice at a time, each slice's pages given back
    once read (a mapping: they stay in the page cache; the arrays fault in what they
    touch again)."""
    view = memoryview(data)
    crc = 0
    for a in range(start, len(data), _CRC_STEP):
        b = min(len(data), a + _CRC_STEP)
        crc = zlib.crc32(view[a:b], crc)
        release(data, a, b)
    return crc


def _decode(data: Any, params: GroupingParams) -> Stories:
    magic, version, crc, header_len = _PREFIX.unpack_from(data)
    if magic != MAGIC or version != STORIES_VERSION:
        raise ValueError("not a stories cache of this version")
    view = memoryview(data)[_PREFIX.size :]
    if _crc32(data, _PREFIX.size) != crc or header_len > len(view):
        raise ValueError("checksum mismatch")
    header = json.loads(bytes(view[:header_len]).decode("utf-8"))
    if header.get("version") != STORIES_VERSION or header.get("params") != _params_json(params):
        raise ValueError("other version or parameters")
    payload = view[header_len:]
    wanted = dict(_BLOBS)
    arrays: dict[str, npt.NDArray[Any]] = {}
    ids_text = None
    for name, dtype, shape, off, size in header["blobs"]:
        off, size = int(off), int(size)
        if off < 0 or size < 0 or off + size > len(payload):
            raise ValueError("blob out of range")
        raw = payload[off : off + size]
        if name == "ids" and dtype == "utf8":
            ids_text = str(raw, "utf-8", "surrogatepass")
            continue
        if wanted.get(name) != dtype:
            raise ValueError(f"unexpected blob {name}")
        arr = np.frombuffer(raw, dtype=np.dtype(dtype))
        count = int(np.prod(shape)) if shape else 1
        if arr.size != count:
            raise ValueError("blob size")
        arrays[name] = arr.reshape([int(x) for x in shape])  # read-only: never changed
    if ids_text is None or set(arrays) != set(wanted):
        raise ValueError("missing blobs")
    n = int(header["articles"])
    ids = ids_text.split("\n") if n else []
    if len(ids) != n:
        raise ValueError("ids do not fit")
    return Stories.from_parts(
        ids,
        arrays["sig"],
        arrays["shingles"],
        arrays["when"],
        arrays["stamp"],
        arrays["edges"],
        arrays["weights"],
        arrays["head"],
        arrays["marked"].astype(np.bool_),
        arrays["tmask"],
        params,
        arrays["label"].astype(np.int64),
    )


def load_stories(
    roots: Sequence[Path],
    articles: Sequence[Article],
    *,
    use_cache: bool = True,
    cache_dir: Path | None = None,
    params: GroupingParams | None = None,
    progress: Progress | None = None,
    current: Stories | None = None,
) -> Stories:
    """The stories of ``articles`` (a library's, after dedupe), through the cache file of
    ``roots``: unchanged articles come from it, new or changed ones are grouped in, gone
    ones removed; the file is rewritten when anything changed. ``progress``: see
    :meth:`Stories.add` (an exception raised from it stops the grouping, and nothing is
    written). ``current``: the stories in use (a reload): returned as they are when they
    hold exactly ``articles`` as they are now, and never changed (nothing read or written:
    at a million articles a reload of an unchanged library skips ~2 s and ~0.6 GB)."""
    path = stories_file_for(roots, cache_dir)
    ids = article_ids(articles)  # (a warm library's: no article made)
    stamps = fingerprints(articles)
    if (
        current is not None
        and current.params == (params or GroupingParams())
        and ids == current.ids
        and np.array_equal(stamps, current.stamp)
    ):
        return current
    stories = read_stories(path, params) if use_cache else None
    if stories is None:
        stories = Stories(params)
        stale: list[str] = []
        fresh = list(articles)
    else:
        if ids == stories.ids:  # the same articles in the same rows: a warm start
            stale = []
            changed = np.flatnonzero(stamps != stories.stamp)
        else:
            row = dict(zip(stories.ids, range(len(stories.ids)), strict=True))
            kept = set(ids)
            stale = [aid for aid in stories.ids if aid not in kept]
            at = np.fromiter((row.get(aid, -1) for aid in ids), np.int64, len(ids))
            known = at >= 0
            changed = np.flatnonzero(~known | (stamps != stories.stamp[np.where(known, at, 0)]))
        fresh = [articles[i] for i in changed.tolist()]
    if stale:
        stories.remove(stale)
    if fresh:
        stories.add(fresh, progress=progress)  # a changed article is replaced
    if use_cache and (stale or fresh):
        with contextlib.suppress(OSError):
            write_stories(path, stories)
    return stories
