"""newsboat's cache (``cache.db``, SQLite): every item that is not deleted becomes an article.

newsboat may be running and writing while newstui reads, and newsboat gives up at once on a
locked database (no busy timeout: a reload fails with "database is locked"). So the cache is
never read in place for long: :func:`snapshot` copies it to a temporary file (in newstui's
cache folder, on disk; deleted after reading) and the items are read from the copy. The copy takes no lock at all: the file is copied while SQLite's header
(the file change counter), size and modification time and the absence of a rollback journal
are checked before and after; a copy that raced a write is made again, and after
:data:`COPY_TRIES` races the copy is taken with SQLite's backup API instead, under a read
transaction (``mode=ro``) that holds its shared lock only while copying. A cache in WAL mode is
always copied that way (WAL readers never block the writer). The user's file, its journal and
newsboat's lock file are never written.

An item: title, author, the feed's title as source, link as URL, ``pubDate`` (Unix seconds),
content HTML → text by the HTML loader's :func:`~newstui.core.loaders.htmlpage.html_to_text`
(the one cleaner; at most :data:`MAX_CONTENT_CHARS` of HTML read per item, cut by SQLite),
and a last paragraph naming the enclosure (podcast) URL and the feed's URL. The id comes from
the link (the id any other newstui source gives the same URL), else the guid, so it is stable
across reloads. Rows are streamed from a cursor, never fetched all at once; at most
:data:`MAX_ITEMS` items are read (the rest is reported).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple
from urllib.parse import quote

from newstui.core import paths
from newstui.core.article import make_article_id
from newstui.core.fetch.guard import MAX_ENTRY_HTML
from newstui.core.loaders._common import Builder, LoadOutcome
from newstui.core.loaders.htmlpage import MAX_DEPTH, html_to_text, nesting_depth
from newstui.core.text import clean_line

__all__ = [
    "FORMAT",
    "MAX_CONTENT_CHARS",
    "MAX_ITEMS",
    "ItemState",
    "NewsboatError",
    "default_locations",
    "find_default_cache",
    "fingerprint",
    "is_sqlite_file",
    "item_states",
    "load_newsboat",
    "snapshot",
]

FORMAT = "newsboat"
SQLITE_MAGIC = b"SQLite format 3\x00"
MAX_CONTENT_CHARS = MAX_ENTRY_HTML
MAX_ITEMS = 1_000_000
MAX_FIELD = 4096  # characters of a title, author, URL, guid read from a row
COPY_TRIES = 4
_REQUIRED = ("guid", "title", "url", "feedurl", "content")


class NewsboatError(Exception):
    """The file is not a newsboat cache newstui can read (one line, naming no path)."""


def is_sqlite_file(path: Path) -> bool:
    """Whether ``path`` is a regular file that starts like an SQLite database."""
    try:
        if not path.is_file():  # never open a FIFO or a device
            return False
        with path.open("rb") as f:
            return f.read(16) == SQLITE_MAGIC
    except (OSError, ValueError):
        return False


def _sidecar(path: Path, suffix: str) -> Path:
    return path.with_name(path.name + suffix)


def fingerprint(path: Path, size: int, mtime_ns: int) -> tuple[int, int]:
    """``(size, mtime_ns)`` of the cache and its ``-wal`` together: a write newsboat has only
    put in the WAL so far changes it too (so the warm-start cache sees the change)."""
    try:
        st = _sidecar(path, "-wal").stat()
    except OSError:
        return size, mtime_ns
    return size + st.st_size, max(mtime_ns, st.st_mtime_ns)


def default_locations() -> list[Path]:
    """Where newsboat keeps its cache: ``~/.newsboat/cache.db``, then
    ``$XDG_DATA_HOME/newsboat/cache.db`` (``~/.local/share`` when unset)."""
    home = Path.home()
    xdg = os.environ.get("XDG_DATA_HOME") or str(home / ".local" / "share")
    return [home / ".newsboat" / "cache.db", Path(xdg) / "newsboat" / "cache.db"]


def find_default_cache() -> Path | None:
    """The first of :func:`default_locations` that is a file."""
    for path in default_locations():
        if path.is_file():
            return path
    return None


# --------------------------------------------------------------------------- the snapshot


def _header(path: Path) -> bytes:
    with path.open("rb") as f:
        return f.read(100)


def _stamp(path: Path) -> tuple[bytes, int, int]:
    """The file change counter (header bytes 24-27), size and mtime of ``path``."""
    head = _header(path)
    st = path.stat()
    return head[24:28], st.st_size, st.st_mtime_ns


def _copy_unlocked(path: Path, dest: Path) -> bool:
    """Copy ``path`` to ``dest`` without any lock; ``True`` when no write raced the copy.

    In rollback-journal mode a writer creates the journal before it changes a page of the
    database and bumps the change counter before it deletes the journal. So: no journal
    before the copy, and after it no journal and the same counter (checked in that order),
    size and mtime, means no write touched the file while it was copied."""
    journal = _sidecar(path, "-journal")
    if journal.exists():
        return False
    before = _stamp(path)
    shutil.copyfile(path, dest)
    if journal.exists():
        return False
    return _stamp(path) == before


def _copy_with_backup(path: Path, dest: Path) -> None:
    """SQLite's online backup from a read-only connection: one read transaction, its
    shared lock held only while the pages are copied."""
    src = sqlite3.connect(f"file:{quote(os.fspath(path))}?mode=ro", uri=True)
    try:
        dst = sqlite3.connect(dest)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()


def _is_wal(path: Path) -> bool:
    head = _header(path)
    return len(head) >= 20 and head[18] == 2


@contextlib.contextmanager
def snapshot(path: Path) -> Iterator[sqlite3.Connection]:
    """A read-only connection to a consistent copy of the cache at ``path`` (see the module
    docstring), deleted on exit. Raises :class:`NewsboatError` (one line) for a file that is
    not an SQLite database newstui can read or not newsboat's."""
    if not is_sqlite_file(path):
        raise NewsboatError("not an SQLite database (not a newsboat cache)")
    # In newstui's cache folder (on disk), not /tmp: /tmp may be RAM (tmpfs).
    where = paths.cache_dir()
    with contextlib.suppress(OSError):
        where.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(
        prefix="newsboat-snapshot-", dir=where if where.is_dir() else None
    ) as tmp:
        copy = Path(tmp) / "cache.db"
        try:
            copied = False
            if not _is_wal(path):
                for attempt in range(COPY_TRIES):
                    if _copy_unlocked(path, copy):
                        copied = True
                        break
                    time.sleep(0.05 * (attempt + 1))
            if not copied:
                copy.unlink(missing_ok=True)
                _copy_with_backup(path, copy)
            conn = sqlite3.connect(f"file:{quote(os.fspath(copy))}?mode=ro", uri=True)
        except sqlite3.Error as exc:
            raise NewsboatError(_sqlite_reason(exc)) from None
        except OSError as exc:
            raise NewsboatError(f"cannot read: {exc.strerror or exc}") from None
        try:
            try:
                _check_schema(conn)
            except sqlite3.Error as exc:
                raise NewsboatError(_sqlite_reason(exc)) from None
            yield conn
        finally:
            conn.close()


def _sqlite_reason(exc: sqlite3.Error) -> str:
    text = str(exc).splitlines()[0][:160] if str(exc) else type(exc).__name__
    if "locked" in text or "busy" in text:
        return f"newsboat's cache is busy ({text}); try again"
    if "malformed" in text or "not a database" in text or "corrupt" in text:
        return f"corrupt SQLite database ({text})"
    return f"cannot read the SQLite database ({text})"


def _columns(conn: sqlite3.Connection) -> set[str]:
    return {str(row[1]) for row in conn.execute("PRAGMA table_info(rss_item)")}


def _check_schema(conn: sqlite3.Connection) -> None:
    tables = {str(r[0]) for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    if "rss_item" not in tables or "rss_feed" not in tables:
        raise NewsboatError("an SQLite database, but not a newsboat cache (no rss_item table)")
    missing = [c for c in _REQUIRED if c not in _columns(conn)]
    if missing:
        raise NewsboatError(
            f"a newsboat cache of an unknown shape (rss_item has no {', '.join(missing)})"
        )


# --------------------------------------------------------------------------- items


def _http(url: object) -> str:
    text = clean_line(url, 2000) if isinstance(url, str) else ""
    return text if text.startswith(("http://", "https://")) else ""


def item_id(link: str, guid: str) -> str | None:
    """The article id of an item: from its link (as every newstui source does for a URL),
    else from its guid; ``None`` when it has neither (the id then comes from its text)."""
    if link:
        return make_article_id(url=link)
    guid = clean_line(guid, MAX_FIELD) if guid else ""
    return make_article_id(url=f"newsboat-guid:{guid}") if guid else None


def _text(value: object, cap: int = MAX_FIELD) -> str:
    return value[:cap] if isinstance(value, str) else ""


def _opt(columns: set[str], name: str, default: str = "''") -> str:
    return f"i.{name}" if name in columns else default


def _where(columns: set[str]) -> str:
    return "WHERE i.deleted = 0" if "deleted" in columns else ""


def load_newsboat(path: Path) -> LoadOutcome:
    """Every item of the newsboat cache at ``path`` as an article (see the module
    docstring). Never raises for a bad file: it is a ``skipped`` Problem naming it."""
    b = Builder(path, FORMAT)
    try:
        with snapshot(path) as conn:
            _read_items(b, conn)
    except NewsboatError as exc:
        b.problem(str(exc), "skipped")
    except sqlite3.Error as exc:
        b.problem(_sqlite_reason(exc), "skipped")
    return b.finish()


def _read_items(b: Builder, conn: sqlite3.Connection) -> None:
    cols = _columns(conn)
    sql = (
        f"SELECT i.guid, substr(i.title, 1, {MAX_FIELD}), substr({_opt(cols, 'author')}, 1, "
        f"{MAX_FIELD}), substr(i.url, 1, {MAX_FIELD}), substr(i.feedurl, 1, {MAX_FIELD}), "
        f"{_opt(cols, 'pubDate', 'NULL')}, substr(i.content, 1, {MAX_CONTENT_CHARS + 1}), "
        f"substr({_opt(cols, 'enclosure_url')}, 1, {MAX_FIELD}), "
        f"substr({_opt(cols, 'enclosure_type')}, 1, 200), substr(f.title, 1, {MAX_FIELD}) "
        f"FROM rss_item i LEFT JOIN rss_feed f ON f.rssurl = i.feedurl {_where(cols)} "
        "ORDER BY i.id"
    )
    cur = conn.execute(sql)
    n = 0
    while True:
        rows = cur.fetchmany(256)
        if not rows:
            break
        for row in rows:
            if n >= MAX_ITEMS:
                b.problem(
                    f"more than {MAX_ITEMS:,} items; only the first {MAX_ITEMS:,} were read",
                    "degraded",
                )
                return
            try:
                _add_item(b, n, row)
            except RecursionError:
                b.problem("nested too deeply to read", "skipped", n)
            except Exception as exc:  # one bad item never costs the others
                b.problem(f"could not be read ({type(exc).__name__}: {exc})"[:200], "skipped", n)
            n += 1
    if n == 0:
        b.problem("a newsboat cache with no items", "skipped")


def _add_item(b: Builder, n: int, row: tuple[object, ...]) -> None:
    guid, title, author, url, feedurl, pub, content, enc_url, enc_type, feed_title = row
    html = _text(content, MAX_CONTENT_CHARS + 1)
    cut = len(html) > MAX_CONTENT_CHARS
    html = html[:MAX_CONTENT_CHARS]
    if nesting_depth(html) > MAX_DEPTH:
        b.problem(f"its HTML is nested more than {MAX_DEPTH} levels deep; not read", "skipped", n)
        return
    body = html_to_text(html)
    link = _http(url)
    feed = _http(feedurl)
    footer = []
    enclosure = _http(enc_url)
    if enclosure:
        kind = clean_line(_text(enc_type, 200))
        footer.append(f"Enclosure: {enclosure}" + (f" ({kind})" if kind else ""))
    if feed:
        footer.append(f"Feed: {feed}")
    if footer:
        body = f"{body}\n\n" + "\n".join(footer) if body.strip() else "\n".join(footer)
    source = _text(feed_title) or (feed.split("/")[2] if feed else "")
    date = pub if isinstance(pub, int) and pub > 0 else None
    article = b.add(
        title=_text(title),
        body=body,
        entry=n,
        author=_text(author),
        source=source,
        date=date,
        url=link,
        truncated=True if cut else None,
    )
    if article is not None:
        aid = item_id(link, _text(guid))
        if aid is not None:
            article.id = aid


class ItemState(NamedTuple):
    """newsboat's reading state of one item, by newstui article id."""

    id: str
    read: bool
    starred: bool


def item_states(conn: sqlite3.Connection) -> Iterator[ItemState]:
    """The reading state of every item that is not deleted and has a link or guid:
    ``unread = 0`` is read, a flag ``s`` is starred. Streams (no whole-table fetch)."""
    cols = _columns(conn)
    unread = _opt(cols, "unread", "1")
    flags = _opt(cols, "flags", "''")
    cur = conn.execute(
        f"SELECT substr(i.guid, 1, {MAX_FIELD}), substr(i.url, 1, {MAX_FIELD}), {unread}, "
        f"substr({flags}, 1, 64) FROM rss_item i {_where(cols)} ORDER BY i.id"
    )
    while True:
        rows = cur.fetchmany(1024)
        if not rows:
            return
        for guid, url, is_unread, flag_text in rows:
            aid = item_id(_http(url), _text(guid))
            if aid is None:
                continue
            flags_s = flag_text if isinstance(flag_text, str) else ""
            yield ItemState(aid, is_unread in (0, "0"), "s" in flags_s)
