"""``fetch_feeds``: fetch feeds concurrently and write their entries as article files."""

from __future__ import annotations

import concurrent.futures as cf
import hashlib
import queue
import sqlite3
import threading
import time
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit

import httpx

from newstui.core.fetch.fulltext import FullTextError, page_markdown
from newstui.core.fetch.http import Cancelled, FetchError, HttpOptions, http_get, make_client
from newstui.core.fetch.images import (
    MAX_IMAGE_BYTES,
    ImageCache,
    ImageRefused,
    html_image_urls,
)
from newstui.core.fetch.models import FeedProgress, FeedResult, FetchReport, Stage
from newstui.core.fetch.parse import (
    Entry,
    FeedFormatError,
    OpmlList,
    ParsedFeed,
    entry_problem,
    parse_document,
)
from newstui.core.fetch.pool import DaemonPool
from newstui.core.fetch.store import FetchStore
from newstui.core.fetch.text import clean_line
from newstui.core.fetch.writer import (
    LinkRefused,
    clean_stale_temps,
    entry_stem,
    render_document,
    rewrite,
    slugify,
    write_new,
)
from newstui.core.paths import data_dir

ProgressCallback = Callable[[FeedProgress], None]
MAX_JOBS = 32
CONVERT_SECONDS = 3.0  # HTML-to-Markdown time per feed and run; later entries: plain text
INTERRUPT_GRACE = 0.5  # seconds to let workers finish a write after ctrl+c or cancel
WORKER_THREAD_PREFIX = "newstui-fetch"
MAX_RUN_IMAGES = 200  # images cached by one fetch run; the reader fetches the others
IMAGE_WAIT = 30.0  # seconds a run waits for its image downloads once the feeds are done


def sources_from_settings(settings: object) -> list[str]:
    """The feeds to fetch when none are given: ``Settings.feeds`` then ``Settings.opml``."""
    feeds = getattr(settings, "feeds", None) or []
    sources = [str(f) for f in feeds if str(f).strip()]
    opml = getattr(settings, "opml", None)
    if opml:
        sources.append(str(opml))
    return sources


def workers_running() -> bool:
    """Whether fetch worker threads are still alive (e.g. after an interrupted run)."""
    return any(
        t.name.startswith(WORKER_THREAD_PREFIX) and t.is_alive() for t in threading.enumerate()
    )


def default_state_path() -> Path:
    return data_dir() / "fetch.sqlite3"


@dataclass(slots=True, frozen=True)
class _Source:
    """A feed to fetch: an http(s) URL or a local file."""

    feed: str  # as shown to the user (URL or path as given)
    url: str = ""  # http(s) URL, or "" for a file
    path: Path | None = None
    from_opml: bool = False

    @property
    def key(self) -> str:
        return self.url or str(self.path)


@dataclass(slots=True)
class _Expansion:
    """An OPML list found at a URL: the feeds it lists replace it."""

    sources: list[_Source]


def fetch_feeds(
    sources: Sequence[str],
    dest: Path,
    *,
    full_text: bool | Collection[str] = False,
    images: bool = False,
    jobs: int = 4,
    progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
    state_path: Path | None = None,
    http: HttpOptions | None = None,
) -> FetchReport:
    """Fetch every feed in ``sources`` (http(s) URLs, ``file://`` URLs or local paths of
    feeds or OPML lists) into ``dest/<feed>/<date>-<title>.md``.

    ``full_text``: ``True`` replaces every entry's text with its web page's article text;
    a collection of sources (as given, or feed URLs) does so for those feeds only (the
    settings' ``full_text = "always"``).

    ``images``: download the entries' images into the image cache too (at most
    ``MAX_RUN_IMAGES`` a run, waited for at most ``IMAGE_WAIT`` seconds once the feeds are
    done; the reader fetches any others when their article is first opened).

    Synchronous: runs ``jobs`` feeds at a time in worker threads and returns when all are
    done. ``progress`` is called in the calling thread. Setting ``cancel`` stops the run
    soon (the report then has ``cancelled`` set); so does KeyboardInterrupt, which is
    re-raised once the workers have stopped. Either way no partial file is left behind.
    A failing feed never stops the others: its ``FeedResult.error`` says why. Raises
    ``FetchError`` only when nothing can be fetched at all (``dest`` cannot be created, the
    fetch record cannot be opened).
    """
    dest = Path(dest).expanduser()
    try:
        dest.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise FetchError(f"{dest}: cannot create the folder: {exc.strerror or exc}") from None
    if not dest.is_dir():
        raise FetchError(f"{dest}: not a folder")
    clean_stale_temps(dest)
    opts = http or HttpOptions()
    jobs = max(1, min(MAX_JOBS, int(jobs)))
    report = FetchReport(dest=dest)
    stop = threading.Event()
    events: queue.SimpleQueue[FeedProgress] = queue.SimpleQueue()

    tasks: dict[int, _Source] = {}
    order: list[int] = []
    results: dict[int, FeedResult] = {}
    seen: set[str] = set()

    def add(src: _Source) -> int | None:
        if src.key in seen:
            return None
        seen.add(src.key)
        tid = len(tasks)
        tasks[tid] = src
        return tid

    for raw in sources:
        for item in _expand_input(raw, opts):
            if isinstance(item, FeedResult):
                tid = len(tasks)
                tasks[tid] = _Source(feed=item.feed)
                results[tid] = item
                order.append(tid)
            else:
                new = add(item)
                if new is not None:
                    order.append(new)

    def emit(ev: FeedProgress) -> None:
        if progress is not None:
            progress(ev)

    def drain() -> None:
        while True:
            try:
                ev = events.get_nowait()
            except queue.Empty:
                return
            emit(ev)

    store = _open_store(state_path or default_state_path())
    client = make_client(opts, pool=jobs)
    feed_pool = DaemonPool(jobs, f"{WORKER_THREAD_PREFIX}-feed")
    page_pool = DaemonPool(jobs, f"{WORKER_THREAD_PREFIX}-page") if full_text else None
    only = None if isinstance(full_text, bool) else frozenset(full_text)
    image_pool = DaemonPool(2, f"{WORKER_THREAD_PREFIX}-image") if images else None
    ctx = _Context(
        dest=dest,
        dest_key=str(dest.resolve()),
        store=store,
        client=client,
        opts=opts,
        stop=stop,
        full_text=bool(full_text),
        full_text_only=only,
        page_pool=page_pool,
        image_pool=image_pool,
        events=events,
        fetched_at=datetime.now(UTC).replace(microsecond=0),
    )
    pending: dict[cf.Future[FeedResult | _Expansion], int] = {}
    interrupted = abandoned = False
    give_up_at = float("inf")
    try:
        for tid in order:
            if tid in results:
                emit(_final_event(results[tid], tid, len(order)))
            else:
                ctx.total = len(order)
                events.put(FeedProgress(tasks[tid].feed, tid, len(order), "queued"))
                pending[feed_pool.submit(_process_feed, tasks[tid], tid, ctx)] = tid
        while pending:
            if cancel is not None and cancel.is_set() and not stop.is_set():
                stop.set()
                give_up_at = time.monotonic() + INTERRUPT_GRACE
            if time.monotonic() > give_up_at:
                # Cancelled, and some workers still wait on slow servers: report those feeds
                # as cancelled now rather than when their requests time out. The workers
                # write nothing more once they return (they see ``stop``).
                drain()
                for tid in sorted(pending.values()):
                    results[tid] = FeedResult(feed=tasks[tid].feed, error=CANCELLED)
                    emit(_final_event(results[tid], tid, len(order)))
                pending.clear()
                abandoned = True
                break
            done, _ = cf.wait(pending, timeout=0.05, return_when=cf.FIRST_COMPLETED)
            drain()
            for fut in done:
                tid = pending.pop(fut)
                outcome = fut.result()
                if isinstance(outcome, _Expansion):
                    pos = order.index(tid)
                    new_ids = [i for i in map(add, outcome.sources) if i is not None]
                    order[pos : pos + 1] = new_ids
                    ctx.total = len(order)
                    emit(FeedProgress(tasks[tid].feed, tid, len(order), "expanded"))
                    for nid in new_ids:
                        events.put(FeedProgress(tasks[nid].feed, nid, len(order), "queued"))
                        pending[feed_pool.submit(_process_feed, tasks[nid], nid, ctx)] = nid
                    continue
                results[tid] = outcome
                emit(_final_event(outcome, tid, len(order)))
        drain()
        if ctx.image_jobs and not stop.is_set():
            cf.wait(ctx.image_jobs, timeout=IMAGE_WAIT)
    except BaseException:  # KeyboardInterrupt (or a bug in the progress callback)
        interrupted = True
        stop.set()
        raise
    finally:
        wait = not (interrupted or abandoned)
        feed_pool.shutdown(wait=wait, cancel_futures=True)
        if page_pool is not None:
            page_pool.shutdown(wait=wait, cancel_futures=True)
        if image_pool is not None:  # images still downloading are left to the next open
            image_pool.shutdown(wait=False, cancel_futures=True)
        if abandoned:
            pass  # workers still running hold the client and the store; they close with them
        elif interrupted:
            # Workers finish the file they are writing (each write is atomic) and stop; one
            # still waiting on a server is not waited for: it writes nothing once it returns.
            cf.wait(pending, timeout=INTERRUPT_GRACE)
        else:
            client.close()
            store.close()
        clean_stale_temps(dest)
    report.cancelled = stop.is_set()
    report.feeds = [results[tid] for tid in order if tid in results]
    return report


def _open_store(path: Path) -> FetchStore:
    try:
        return FetchStore(path)
    except sqlite3.DatabaseError as exc:
        raise FetchError(
            f"{path}: the fetch record is damaged ({exc}); delete it to start afresh "
            "(entries fetched before would then be fetched again)"
        ) from None
    except (OSError, sqlite3.Error) as exc:
        raise FetchError(f"{path}: cannot open the fetch record: {exc}") from None


def _final_event(result: FeedResult, index: int, total: int) -> FeedProgress:
    stage: Stage = "done" if result.ok else "failed"
    if result.error == CANCELLED:
        stage = "cancelled"
    n = result.new + result.updated + result.unchanged
    return FeedProgress(result.feed, index, total, stage, n, n, result.title, result)


CANCELLED = "cancelled"


# --- inputs ---------------------------------------------------------------------------------


def _expand_input(raw: str, opts: HttpOptions) -> list[_Source | FeedResult]:
    """One command-line/settings input: a URL, or a local feed or OPML file (expanded)."""
    text = raw.strip()
    if not text:
        return []
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    if scheme in ("http", "https"):
        if not parts.hostname:
            return [FeedResult(feed=raw, error=f"invalid URL {raw!r}: no host")]
        return [_Source(feed=text, url=text)]
    if scheme == "file":
        path = Path(unquote(parts.path))
    elif len(scheme) > 1 and "://" in text:
        return [
            FeedResult(
                feed=raw, error=f"unsupported URL scheme {scheme!r} (use http, https or a file)"
            )
        ]
    else:
        path = Path(text).expanduser()
    try:
        data = _read_local(path, opts)
    except FetchError as exc:
        return [FeedResult(feed=raw, error=str(exc))]
    if _looks_like_opml(data):
        try:
            doc = parse_document(data, url=str(path))
        except FeedFormatError as exc:
            return [FeedResult(feed=raw, error=str(exc))]
        if isinstance(doc, OpmlList):
            if not doc.feeds:
                return [FeedResult(feed=raw, title=doc.title, error="the OPML list has no feeds")]
            return [_opml_source(s.url, base=path.parent) for s in doc.feeds]
    return [_Source(feed=raw, path=path.resolve())]


def _opml_source(value: str, *, base: Path) -> _Source:
    scheme = urlsplit(value).scheme.lower()
    if scheme in ("http", "https"):
        return _Source(feed=value, url=value, from_opml=True)
    if scheme == "file":
        return _Source(feed=value, path=Path(unquote(urlsplit(value).path)), from_opml=True)
    if len(scheme) > 1:
        return _Source(feed=value, url=value, from_opml=True)  # reported as unsupported
    path = Path(value).expanduser()
    full = path if path.is_absolute() else base / path
    return _Source(feed=value, path=full.resolve(), from_opml=True)


def _looks_like_opml(data: bytes) -> bool:
    head = data[:2048].lower()
    return b"<opml" in head


def _read_local(path: Path, opts: HttpOptions) -> bytes:
    try:
        if path.is_dir():
            raise FetchError(f"{path}: is a folder, not a feed or OPML file")
        if path.exists() and not path.is_file():
            raise FetchError(f"{path}: not a regular file")
        size = path.stat().st_size
        if size > opts.max_bytes:
            raise FetchError(f"{path}: file too large ({size} bytes)")
        return path.read_bytes()
    except FileNotFoundError:
        raise FetchError(f"{path}: no such file (and not an http(s) URL)") from None
    except PermissionError:
        raise FetchError(f"{path}: permission denied") from None
    except OSError as exc:
        raise FetchError(f"{path}: cannot read: {exc.strerror or exc}") from None


# --- one feed -------------------------------------------------------------------------------


@dataclass(slots=True)
class _Context:
    dest: Path
    dest_key: str
    store: FetchStore
    client: httpx.Client
    opts: HttpOptions
    stop: threading.Event
    full_text: bool
    #: the sources whose pages are fetched (``None``: every source, when ``full_text``)
    full_text_only: frozenset[str] | None
    page_pool: DaemonPool | None
    image_pool: DaemonPool | None
    events: queue.SimpleQueue[FeedProgress]
    fetched_at: datetime
    total: int = 0
    #: image downloads submitted in this run (to ``image_pool``)
    image_jobs: list[cf.Future[object]] = field(default_factory=list)
    #: hosts whose pages timed out in this run: their other pages are not waited for again
    slow_hosts: set[str] = field(default_factory=set)

    def event(self, src: _Source, tid: int, stage: Stage, **kw: object) -> None:
        self.events.put(FeedProgress(src.feed, tid, self.total, stage, **kw))  # type: ignore[arg-type]


def _process_feed(src: _Source, tid: int, ctx: _Context) -> FeedResult | _Expansion:
    result = FeedResult(feed=src.feed)
    try:
        return _fetch_one(src, tid, ctx, result)
    except Cancelled:
        result.error = CANCELLED
    except (FetchError, FeedFormatError, LinkRefused) as exc:
        result.error = str(exc)
    except OSError as exc:
        where = f" {exc.filename}" if exc.filename else ""
        result.error = f"cannot write{where}: {exc.strerror or exc}"
    except Exception as exc:  # one feed's bug must not stop the others
        result.error = f"unexpected error: {type(exc).__name__}: {exc}"
    return result


def _fetch_one(
    src: _Source, tid: int, ctx: _Context, result: FeedResult
) -> FeedResult | _Expansion:
    if ctx.stop.is_set():
        raise Cancelled
    ctx.event(src, tid, "fetching")
    record = ctx.store.feed(ctx.dest_key, src.key)
    etag = last_modified = None
    if src.url:
        resp = http_get(
            ctx.client,
            src.url,
            ctx.opts,
            etag=record.etag if record else None,
            last_modified=record.last_modified if record else None,
            cancel=ctx.stop,
        )
        if resp.not_modified and record is not None:
            result.title = record.title
            result.not_modified = True
            result.folder = ctx.dest / record.folder if record.folder else None
            return result
        data, ctype, base = resp.content, resp.content_type, resp.url
        etag, last_modified = resp.etag, resp.last_modified
    else:
        assert src.path is not None
        data, ctype, base = _read_local(src.path, ctx.opts), "", str(src.path)
    ctx.event(src, tid, "parsing")
    doc = parse_document(data, url=base, content_type=ctype)
    if isinstance(doc, OpmlList):
        if src.from_opml:
            raise FeedFormatError("an OPML list inside an OPML list is not followed")
        if not doc.feeds:
            raise FeedFormatError("the OPML list has no feeds")
        # A list fetched from the web names web feeds only: never a local file.
        return _Expansion([_Source(feed=s.url, url=s.url, from_opml=True) for s in doc.feeds])
    result.title = doc.title
    result.notes.extend(doc.notes)
    folder_name = _folder_name(record.folder if record else "", doc, src)
    folder = ctx.dest / folder_name
    result.folder = folder
    _write_entries(src, tid, ctx, doc, folder, result)
    ctx.store.save_feed(
        ctx.dest_key,
        src.key,
        title=doc.title,
        folder=folder_name,
        etag=etag,
        last_modified=last_modified,
    )
    return result


def _folder_name(stored: str, doc: ParsedFeed, src: _Source) -> str:
    if stored and stored == slugify(stored, fallback="feed"):
        return stored  # keep the folder of earlier runs even if the feed's title changed
    fallback = urlsplit(src.url).hostname or (src.path.stem if src.path else "") or "feed"
    return slugify(doc.title or fallback, fallback=slugify(fallback, fallback="feed"), max_bytes=60)


def _write_entries(
    src: _Source, tid: int, ctx: _Context, doc: ParsedFeed, folder: Path, result: FeedResult
) -> None:
    todo: list[tuple[Entry, str, str | None]] = []  # entry, content hash, existing path
    keys: set[str] = set()
    images: dict[str, list[str]] = {}
    convert_until = time.monotonic() + CONVERT_SECONDS
    plain = 0
    for entry in doc.entries:
        if entry.key in keys:
            result.notes.append(f"entry {entry.title!r} skipped: its id repeats an earlier entry")
            continue
        keys.add(entry.key)
        rec = ctx.store.entry(ctx.dest_key, src.key, entry.key)
        digest = entry.content_hash()
        if rec is not None and (rec.content_hash == digest or not Path(rec.path).exists()):
            # unchanged, or the user deleted the file: leave it deleted
            result.unchanged += 1
            continue
        late = bool(entry.html) and time.monotonic() > convert_until
        try:
            if entry.html:  # its images, named in the front matter (the reader shows them)
                images[entry.key] = html_image_urls(entry.html, entry.base or entry.url)
            ready = entry.materialize(plain=late)
        except (Exception, RecursionError) as exc:  # one bad entry never fails its feed
            result.notes.append(f"entry {entry.title!r} skipped: {entry_problem(exc)}")
            continue
        plain += late
        todo.append((ready, digest, rec.path if rec else None))
    if plain:
        result.notes.append(
            f"{plain} entr{'ies' if plain != 1 else 'y'} kept as plain text: converting this "
            f"feed's HTML to Markdown took more than {CONVERT_SECONDS:g} s"
        )
    pages: list[cf.Future[tuple[str | None, str | None]] | None] = []
    only = ctx.full_text_only
    wanted = only is None or src.feed in only or (bool(src.url) and src.url in only)
    for entry, _, _ in todo:
        if ctx.page_pool is not None and wanted and entry.url:
            pages.append(ctx.page_pool.submit(_full_text, entry.url, ctx))
        else:
            pages.append(None)
    total = len(doc.entries)
    done = result.unchanged
    ctx.event(src, tid, "writing", entries_done=done, entries_total=total, title=doc.title)
    try:
        for (entry, digest, old_path), page in zip(todo, pages, strict=True):
            if ctx.stop.is_set():
                raise Cancelled
            if page is not None:
                try:
                    text, why = page.result()
                except Exception as exc:  # a page must never fail its feed
                    text, why = None, f"unexpected error: {type(exc).__name__}"
                if text:
                    entry = replace(entry, body=text)
                else:
                    result.notes.append(f"{entry.url}: kept the feed's summary ({why})")
            document = render_document(
                entry,
                source=doc.title,
                feed_url=src.key,
                fetched_at=ctx.fetched_at,
                extra={"images": images[entry.key]} if images.get(entry.key) else None,
            )
            file_hash = _sha(document)
            if old_path is not None:
                path = Path(old_path)
                rec = ctx.store.entry(ctx.dest_key, src.key, entry.key)
                if rec is not None and rec.file_hash and _file_sha(path) != rec.file_hash:
                    result.notes.append(f"{path}: changed since it was fetched; left as it is")
                    file_hash = rec.file_hash
                else:
                    try:
                        rewrite(path, document)
                    except LinkRefused as exc:
                        result.notes.append(str(exc))
                        done += 1
                        continue
                    result.updated += 1
                    result.written.append(path)
            else:
                path = write_new(folder, entry_stem(entry), document)
                result.new += 1
                result.written.append(path)
            if ctx.image_pool is not None and images.get(entry.key):
                _cache_images(images[entry.key], ctx)
            ctx.store.save_entry(
                ctx.dest_key,
                src.key,
                entry.key,
                path=str(path),
                content_hash=digest,
                file_hash=file_hash,
                fetched_at=ctx.fetched_at.isoformat(),
            )
            done += 1
            ctx.event(src, tid, "writing", entries_done=done, entries_total=total, title=doc.title)
    finally:
        for page in pages:
            if page is not None:
                page.cancel()


def _cache_images(urls: list[str], ctx: _Context) -> None:
    assert ctx.image_pool is not None
    opts = replace(ctx.opts, timeout=min(ctx.opts.timeout, 15.0), max_bytes=MAX_IMAGE_BYTES)
    cache = ImageCache()
    for url in urls:
        if len(ctx.image_jobs) >= MAX_RUN_IMAGES:
            return
        ctx.image_jobs.append(ctx.image_pool.submit(_cache_image, cache, url, opts, ctx))


def _cache_image(cache: ImageCache, url: str, opts: HttpOptions, ctx: _Context) -> object:
    if ctx.stop.is_set():
        return None
    try:
        return cache.fetch(url, client=ctx.client, opts=opts, cancel=ctx.stop)
    except (ImageRefused, Cancelled, OSError):
        return None  # shown as "not shown: why" when the article is opened


def _sha(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


def _file_sha(path: Path) -> str:
    try:
        return hashlib.blake2b(path.read_bytes(), digest_size=16).hexdigest()
    except OSError:
        return ""


# --- full text ------------------------------------------------------------------------------


def _full_text(url: str, ctx: _Context) -> tuple[str | None, str | None]:
    """(markdown, None) with the page's article text, or (None, reason)."""
    if ctx.stop.is_set():
        return None, CANCELLED
    host = urlsplit(url).hostname or ""
    if host in ctx.slow_hosts:
        # One page of a dead or trickling server costs a timeout; the rest cost nothing.
        return None, f"page not fetched: {host} timed out on another page in this run"
    try:
        return page_markdown(ctx.client, url, ctx.opts, cancel=ctx.stop), None
    except Cancelled:
        return None, CANCELLED
    except FullTextError as exc:
        if str(exc).startswith("page not fetched: timed out"):
            ctx.slow_hosts.add(host)
        return None, str(exc)


__all__ = ["clean_line", "default_state_path", "fetch_feeds"]
