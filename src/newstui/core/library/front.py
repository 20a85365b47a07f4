"""The front page: the first rows of the list as the user last saw it, kept beside the
library cache so the next start can show them before the library has loaded (issue 13).

A warm open of a million articles takes seconds; the first screenful does not need them.
After each load (and each change of the list's order) the app writes the top
:data:`MAX_ROWS` rows of its list here, with what each row shows (id, title, source, date,
word count) and the view they were listed in (sort, unread-only). The next start reads the
file before :func:`~newstui.core.library.opening.open_library` and shows the rows at once,
marked provisional, until the real list replaces them.

The file is untrusted input (anyone can write to the cache folder, a crash can cut it):

- written through :mod:`newstui.core.atomic`, as JSON (no pickle), versioned
  (:data:`FRONT_VERSION`) and capped (:data:`MAX_BYTES`, :data:`MAX_ROWS`, a length per
  field); anything damaged, too big, of another version, for other folders or another view
  is ignored (:func:`read_front` returns ``None``), never trusted in part;
- *stale* rows are never shown: the file records the size and modification time of every
  file its rows came from, and a file changed or gone since makes the whole page ignored
  (an article the folder no longer has is never listed, not even provisionally).

Pure Python (no numpy, no Textual): read on the event loop before the first frame, in
about a millisecond.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from newstui.core import paths
from newstui.core.article import Article
from newstui.core.atomic import write_atomic
from newstui.core.bounded import read_bounded
from newstui.core.text import clean_line

#: Bump when the layout changes: an older or newer file is ignored.
FRONT_VERSION = 1
#: Rows kept: a few screenfuls (the list shows ~35 at 40 lines).
MAX_ROWS = 200
#: A file larger than this is not read.
MAX_BYTES = 256 * 1024
#: Field lengths a row may have (longer: the page is damaged, ignored).
MAX_ID = 128
MAX_TITLE = 500
MAX_SOURCE = 200
MAX_DATE = 40
MAX_PATH = 4096
#: Distinct source files a page may name.
MAX_FILES = MAX_ROWS


@dataclass(frozen=True, slots=True)
class View:
    """What the rows were listed by: the library's sort and the unread-only filter."""

    sort: str
    hide_read: bool


@dataclass(frozen=True, slots=True)
class FrontPage:
    """Rows read back from the file: provisional articles (``body`` empty, ``word_count``
    kept), and how many articles the library held when they were written."""

    view: View
    total: int
    rows: tuple[Article, ...]


def front_file_for(roots: Sequence[Path], cache_dir: Path | None = None) -> Path:
    """The front page of a set of folders (one file per set, beside the library cache)."""
    key = hashlib.blake2b(digest_size=8)
    for r in sorted(str(Path(r).resolve()) for r in roots):
        key.update(r.encode("utf-8", "surrogatepass") + b"\x00")
    return (cache_dir or paths.cache_dir()) / f"front-{key.hexdigest()}.json"


def _roots_key(roots: Sequence[Path]) -> list[str]:
    return sorted(str(Path(r).resolve()) for r in roots)


def _stamp(path: str) -> list[int] | None:
    try:
        st = Path(path).stat()
    except (OSError, ValueError):
        return None
    return [st.st_mtime_ns, st.st_size]


# --------------------------------------------------------------------------- writing
def front_bytes(
    roots: Sequence[Path], view: View, total: int, articles: Sequence[Article]
) -> bytes | None:
    """The file's bytes for the first rows of ``articles`` (``None``: nothing worth
    keeping, e.g. an article without a file, whose staleness cannot be checked)."""
    rows: list[list[Any]] = []
    files: dict[str, int] = {}
    for a in articles[:MAX_ROWS]:
        if a.path is None:
            return None
        where = str(a.path)
        if len(where) > MAX_PATH or len(a.id) > MAX_ID:
            return None
        slot = files.setdefault(where, len(files))
        date = a.published.isoformat() if a.published is not None else ""
        rows.append([a.id, a.title[:MAX_TITLE], a.source[:MAX_SOURCE], date, a.word_count, slot])
    stamps = []
    for where in files:
        stamp = _stamp(where)
        if stamp is None:
            return None  # gone already: the next load writes a true page
        stamps.append([where, *stamp])
    doc = {
        "newstui_front": FRONT_VERSION,
        "roots": _roots_key(roots),
        "view": [view.sort, view.hide_read],
        "total": total,
        "files": stamps,
        "rows": rows,
    }
    data = json.dumps(doc, ensure_ascii=True, separators=(",", ":")).encode("ascii")
    return data if len(data) <= MAX_BYTES else None


def write_front(
    path: Path, roots: Sequence[Path], view: View, total: int, articles: Sequence[Article]
) -> bool:
    """Replace the front page at ``path`` (atomically); False when there was nothing to
    write or the folder cannot be written (the page is only a head start: never an error).
    Without rows the old page is removed (an empty list is shown at once anyway)."""
    data = front_bytes(roots, view, total, articles) if articles else None
    try:
        if data is None:
            path.unlink(missing_ok=True)
            return False
        write_atomic(path, data, create_folder=True, fsync=False)
    except OSError:
        return False
    return True


# --------------------------------------------------------------------------- reading
class _Damaged(ValueError):
    pass


def _str(value: object, limit: int) -> str:
    if not isinstance(value, str) or len(value) > limit:
        raise _Damaged
    return value


def _int(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise _Damaged
    return value


def _date(text: str) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise _Damaged from None


def _row(raw: object, files: list[str]) -> Article:
    if not isinstance(raw, list) or len(raw) != 6:
        raise _Damaged
    art_id, title, source, date, words, slot = raw
    art_id = _str(art_id, MAX_ID)
    if not art_id or clean_line(art_id) != art_id:
        raise _Damaged
    slot = _int(slot)
    if slot >= len(files):
        raise _Damaged
    return Article(
        id=art_id,
        title=clean_line(_str(title, MAX_TITLE)),
        body="",
        format="text",
        path=Path(files[slot]),
        source=clean_line(_str(source, MAX_SOURCE)),
        published=_date(_str(date, MAX_DATE)),
        word_count=min(_int(words), 10**9),
    )


def parse_front(data: bytes, roots: Sequence[Path], view: View) -> FrontPage | None:
    """The page in ``data`` when it is whole, of this version, for ``roots`` and ``view``,
    and none of its files changed since it was written; else ``None``."""
    if len(data) > MAX_BYTES:
        return None
    try:
        doc = json.loads(data.decode("ascii"))
        if not isinstance(doc, dict) or doc.get("newstui_front") != FRONT_VERSION:
            return None
        if doc.get("roots") != _roots_key(roots):
            return None
        raw_view = doc.get("view")
        if not isinstance(raw_view, list) or raw_view != [view.sort, view.hide_read]:
            return None
        total = _int(doc.get("total"))
        raw_files, raw_rows = doc.get("files"), doc.get("rows")
        if not isinstance(raw_files, list) or not isinstance(raw_rows, list):
            return None
        if len(raw_files) > MAX_FILES or not 0 < len(raw_rows) <= MAX_ROWS:
            return None
        files: list[str] = []
        for entry in raw_files:
            if not isinstance(entry, list) or len(entry) != 3:
                return None
            where = _str(entry[0], MAX_PATH)
            if _stamp(where) != [_int(entry[1]), _int(entry[2])]:
                return None  # changed or gone since: its rows may be stale
            files.append(where)
        rows = tuple(_row(raw, files) for raw in raw_rows)
    except (_Damaged, ValueError, TypeError, UnicodeDecodeError, RecursionError):
        return None
    if len({a.id for a in rows}) != len(rows) or total < len(rows):
        return None
    return FrontPage(view, total, rows)


def read_front(path: Path, roots: Sequence[Path], view: View) -> FrontPage | None:
    """The front page at ``path`` (see :func:`parse_front`); ``None`` when there is none
    or it cannot be used."""
    try:
        data = read_bounded(path, MAX_BYTES)
    except OSError:
        return None
    return parse_front(data, roots, view)


__all__ = [
    "FRONT_VERSION",
    "MAX_BYTES",
    "MAX_ROWS",
    "FrontPage",
    "View",
    "front_bytes",
    "front_file_for",
    "parse_front",
    "read_front",
    "write_front",
]
