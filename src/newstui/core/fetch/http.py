"""Robust HTTP GET for feeds and article pages.

Redirects are followed by hand (so a loop is named as such and only http/https targets
are followed), the body is streamed and abandoned past a size cap (decompressed size, so a
gzip bomb is caught too), a deadline bounds the whole request (a server trickling bytes
cannot hold a feed forever), and transient failures (connection errors, timeouts, 5xx,
429) are retried with exponential backoff. Every failure becomes a ``FetchError`` whose
message is one clear line for the user.
"""

from __future__ import annotations

import email.utils
import errno
import socket
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urljoin, urlsplit

import httpx

from newstui import __version__

USER_AGENT = f"newstui/{__version__} (+https://github.com/newstui/newstui; feed reader)"
FEED_ACCEPT = (
    "application/atom+xml, application/rss+xml, application/feed+json, application/json;q=0.9, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
RETRY_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})


class FetchError(Exception):
    """A request that failed for good; ``str()`` is the reason to show the user."""

    def __init__(self, message: str, *, transient: bool = False) -> None:
        super().__init__(message)
        self.transient = transient


class Cancelled(Exception):
    """The caller asked to stop."""


@dataclass(slots=True, frozen=True)
class HttpOptions:
    """Limits for every request. Tests shrink them; the defaults suit real feeds."""

    connect_timeout: float = 10.0
    read_timeout: float = 20.0
    total_timeout: float = 60.0
    max_bytes: int = 15 * 1024 * 1024
    max_redirects: int = 5
    retries: int = 2
    backoff: float = 0.5
    max_backoff: float = 8.0


@dataclass(slots=True, frozen=True)
class Response:
    url: str
    status: int
    content: bytes
    content_type: str
    etag: str | None
    last_modified: str | None

    @property
    def not_modified(self) -> bool:
        return self.status == 304


def make_client(opts: HttpOptions, *, pool: int = 8) -> httpx.Client:
    timeout = httpx.Timeout(
        opts.read_timeout, connect=opts.connect_timeout, pool=opts.total_timeout
    )
    limits = httpx.Limits(max_connections=pool * 2, max_keepalive_connections=pool)
    return httpx.Client(
        timeout=timeout,
        limits=limits,
        follow_redirects=False,
        headers={"User-Agent": USER_AGENT, "Accept-Encoding": "gzip, deflate"},
        trust_env=True,
    )


def http_get(
    client: httpx.Client,
    url: str,
    opts: HttpOptions,
    *,
    accept: str = FEED_ACCEPT,
    etag: str | None = None,
    last_modified: str | None = None,
    cancel: threading.Event | None = None,
) -> Response:
    """GET ``url`` with retries; raise ``FetchError`` (or ``Cancelled``)."""
    attempt = 0
    while True:
        _check_cancel(cancel)
        try:
            return _get_following(client, url, opts, accept, etag, last_modified, cancel)
        except FetchError as exc:
            if not exc.transient or attempt >= opts.retries:
                if exc.transient and attempt:
                    raise FetchError(f"{exc} (after {attempt + 1} attempts)") from exc
                raise
            delay = min(opts.max_backoff, opts.backoff * (2**attempt))
            retry_after = getattr(exc, "retry_after", None)
            if isinstance(retry_after, float):
                delay = min(opts.max_backoff, max(delay, retry_after))
            attempt += 1
            _sleep(delay, cancel)


def _sleep(delay: float, cancel: threading.Event | None) -> None:
    if cancel is None:
        time.sleep(delay)
    elif cancel.wait(delay):
        raise Cancelled


def _check_cancel(cancel: threading.Event | None) -> None:
    if cancel is not None and cancel.is_set():
        raise Cancelled


def _get_following(
    client: httpx.Client,
    url: str,
    opts: HttpOptions,
    accept: str,
    etag: str | None,
    last_modified: str | None,
    cancel: threading.Event | None,
) -> Response:
    deadline = time.monotonic() + opts.total_timeout
    seen = [url]
    current = url
    for _hop in range(opts.max_redirects + 1):
        _check_scheme(current)
        headers = {"Accept": accept}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        try:
            with client.stream("GET", current, headers=headers) as resp:
                if resp.status_code == 304:
                    return Response(current, 304, b"", "", etag, last_modified)
                if resp.status_code in _REDIRECTS:
                    location = resp.headers.get("location")
                    if not location:
                        raise FetchError(f"HTTP {resp.status_code} redirect without a Location")
                    target = urljoin(current, location.strip())
                    if target in seen:
                        chain = " -> ".join([*seen[seen.index(target) :], target])
                        raise FetchError(f"redirect loop: {_shorten(chain)}")
                    seen.append(target)
                    current = target
                    continue
                if resp.status_code >= 400:
                    raise _status_error(resp)
                content = _read_capped(resp, opts, deadline, cancel)
                return Response(
                    url=current,
                    status=resp.status_code,
                    content=content,
                    content_type=resp.headers.get("content-type", ""),
                    etag=resp.headers.get("etag"),
                    last_modified=resp.headers.get("last-modified"),
                )
        except (FetchError, Cancelled):
            raise
        except httpx.HTTPError as exc:
            raise _transport_error(exc, current, opts) from exc
    raise FetchError(f"too many redirects (more than {opts.max_redirects}) starting at {url}")


def _check_scheme(url: str) -> None:
    scheme = urlsplit(url).scheme.lower()
    if scheme not in ("http", "https"):
        raise FetchError(f"unsupported URL scheme {scheme or '(none)'!r} in {_shorten(url)}")


def _read_capped(
    resp: httpx.Response, opts: HttpOptions, deadline: float, cancel: threading.Event | None
) -> bytes:
    declared = resp.headers.get("content-length")
    encoded = resp.headers.get("content-encoding", "identity").lower() not in ("", "identity")
    if declared and declared.isdigit() and not encoded and int(declared) > opts.max_bytes:
        raise FetchError(
            f"response too large: {_human(int(declared))} (limit {_human(opts.max_bytes)})"
        )
    chunks: list[bytes] = []
    size = 0
    for chunk in resp.iter_bytes():
        size += len(chunk)
        if size > opts.max_bytes:
            raise FetchError(
                f"response too large: more than {_human(opts.max_bytes)} (download abandoned)"
            )
        if time.monotonic() > deadline:
            raise FetchError(
                f"timed out: the response took more than {opts.total_timeout:g} s",
                transient=True,
            )
        _check_cancel(cancel)
        chunks.append(chunk)
    return b"".join(chunks)


class _StatusError(FetchError):
    retry_after: float | None = None


def _status_error(resp: httpx.Response) -> FetchError:
    status = resp.status_code
    phrase = resp.reason_phrase or _REASONS.get(status, "")
    err = _StatusError(
        f"HTTP {status}{' ' + phrase if phrase else ''}", transient=status in RETRY_STATUSES
    )
    err.retry_after = _retry_after(resp.headers.get("retry-after"))
    return err


_REASONS = {404: "Not Found", 410: "Gone", 403: "Forbidden", 500: "Internal Server Error"}


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _transport_error(exc: httpx.HTTPError, url: str, opts: HttpOptions) -> FetchError:
    host = urlsplit(url).hostname or url
    if isinstance(exc, httpx.ConnectTimeout):
        return FetchError(
            f"timed out connecting to {host} (after {opts.connect_timeout:g} s)", transient=True
        )
    if isinstance(exc, httpx.TimeoutException):
        return FetchError(
            f"timed out: {host} sent nothing for {opts.read_timeout:g} s", transient=True
        )
    if isinstance(exc, httpx.ConnectError):
        if _is_dns_failure(exc):
            return FetchError(f"DNS lookup failed: no such host {host!r}")
        if _has_errno(exc, errno.ECONNREFUSED):
            return FetchError(f"connection refused by {_netloc(url)}", transient=True)
        return FetchError(f"cannot connect to {_netloc(url)}: {_root_message(exc)}", transient=True)
    if isinstance(exc, httpx.DecodingError):
        return FetchError(f"corrupt compressed response from {host}: {_root_message(exc)}")
    if isinstance(exc, httpx.RemoteProtocolError):
        return FetchError(f"broken response from {host}: {_root_message(exc)}", transient=True)
    if isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL):
        return FetchError(f"invalid URL {_shorten(url)}: {exc}")
    return FetchError(f"request to {host} failed: {_root_message(exc)}", transient=True)


def _causes(exc: BaseException) -> list[BaseException]:
    chain: list[BaseException] = []
    cur: BaseException | None = exc
    while cur is not None and cur not in chain:
        chain.append(cur)
        cur = cur.__cause__ or cur.__context__
    return chain


def _is_dns_failure(exc: BaseException) -> bool:
    for cause in _causes(exc):
        if isinstance(cause, socket.gaierror):
            return True
        text = str(cause)
        if "Name or service not known" in text or "nodename nor servname" in text:
            return True
        if "Temporary failure in name resolution" in text or "No address associated" in text:
            return True
    return False


def _has_errno(exc: BaseException, code: int) -> bool:
    return any(isinstance(c, OSError) and c.errno == code for c in _causes(exc)) or (
        "Connection refused" in str(exc)
    )


def _root_message(exc: BaseException) -> str:
    chain = _causes(exc)
    for cause in reversed(chain):
        text = str(cause).strip()
        if text:
            return text.splitlines()[0]
    return type(exc).__name__


def _netloc(url: str) -> str:
    return urlsplit(url).netloc or url


def _shorten(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _human(n: int) -> str:
    size = float(n)
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{int(size)} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} bytes"
