"""Robust HTTP GET for feeds and article pages.

Redirects are followed by hand (so a loop is named as such and only http/https targets
are followed); the body is read raw and abandoned past a size cap, then decoded here, layer
by layer, each layer capped too (a gzip bomb, or ``gzip, gzip``, stops at the cap; an
encoding newstui does not know is refused with its name). One deadline per URL covers
connecting, the headers, the body, redirects and retries: every socket operation waits at
most until that deadline (a server trickling a byte at a time cannot hold a feed past it).
Refused connections and 5xx/429 answers are retried with exponential backoff while the
deadline allows; a server that accepted and said nothing is not retried. Every failure
becomes a ``FetchError`` whose message is one clear line for the user.
"""

from __future__ import annotations

import contextlib
import email.utils
import errno
import ipaddress
import socket
import ssl
import threading
import time
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpcore
import httpx

from newstui import __version__

USER_AGENT = f"newstui/{__version__} (+https://github.com/newstui/newstui; feed reader)"
FEED_ACCEPT = (
    "application/atom+xml, application/rss+xml, application/feed+json, application/json;q=0.9, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
RETRY_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})
DEFAULT_TIMEOUT = 30.0  # seconds per feed, retries included (newsboat's download timeout)


class FetchError(Exception):
    """A request that failed for good; ``str()`` is the reason to show the user."""

    def __init__(self, message: str, *, transient: bool = False) -> None:
        super().__init__(message)
        self.transient = transient


class Cancelled(Exception):
    """The caller asked to stop."""


@dataclass(slots=True, frozen=True)
class HttpOptions:
    """Limits for every request. Tests shrink them; the defaults suit real feeds.

    ``timeout`` is the deadline of one URL (a feed, or a page with ``--full-text``): DNS
    aside, connecting, waiting for the headers, reading the body, following redirects and
    retrying all happen within it. ``connect_timeout`` / ``read_timeout`` bound a single
    wait inside it (a server silent that long is given up on at once, not retried).
    """

    timeout: float = DEFAULT_TIMEOUT
    connect_timeout: float = 10.0
    read_timeout: float = 20.0
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


# --- the deadline -------------------------------------------------------------------------
#
# httpx's timeouts bound each socket operation, not a request: a server sending one byte
# every few seconds never trips them. Every stream the client opens is wrapped so that each
# read, write, connect and TLS handshake waits at most until the deadline of the request
# running in the calling thread (requests are synchronous: one thread, one request).

_current = threading.local()


def _remaining(kind: type[Exception]) -> float | None:
    deadline: float | None = getattr(_current, "deadline", None)
    if deadline is None:
        return None
    left = deadline - time.monotonic()
    if left <= 0:
        raise kind("deadline passed")
    return left


def _clamp(timeout: float | None, kind: type[Exception]) -> float | None:
    left = _remaining(kind)
    if left is None:
        return timeout
    return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _clamp(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _clamp(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        timeout = _clamp(timeout, httpcore.ConnectTimeout)
        # The handshake is many reads under one socket timeout: a watchdog shuts the socket
        # at the deadline so a trickling handshake cannot outlast it.
        sock = self._inner.get_extra_info("socket")
        left = _remaining(httpcore.ConnectTimeout)
        watchdog = None
        if isinstance(sock, socket.socket) and left is not None:
            watchdog = threading.Timer(left, _shut, (sock,))
            watchdog.daemon = True
            watchdog.start()
        try:
            return _DeadlineStream(self._inner.start_tls(ssl_context, server_hostname, timeout))
        finally:
            if watchdog is not None:
                watchdog.cancel()

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def _resolve(host: str, port: int, within: float) -> list[str]:
    """The addresses of ``host``, looked up in a helper thread so the deadline holds even
    when the resolver does not answer (``getaddrinfo`` has no timeout of its own)."""
    found: list[str] = []
    failure: list[BaseException] = []
    done = threading.Event()

    def lookup() -> None:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
            found.extend(str(info[4][0]) for info in infos)
        except BaseException as exc:  # handed to the waiting thread
            failure.append(exc)
        finally:
            done.set()

    threading.Thread(target=lookup, name="newstui-fetch-dns", daemon=True).start()
    if not done.wait(within):
        raise httpcore.ConnectTimeout(f"looking up {host} took more than {within:.3g} s")
    if failure:
        raise httpcore.ConnectError(str(failure[0])) from failure[0]
    if not found:
        raise httpcore.ConnectError(f"no address for {host}")
    return list(dict.fromkeys(found))


def _shut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)


class _DeadlineBackend(httpcore.NetworkBackend):
    def __init__(self, inner: httpcore.NetworkBackend) -> None:
        self._inner = inner

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Any = None,
    ) -> httpcore.NetworkStream:
        left = _remaining(httpcore.ConnectTimeout)
        # the name is looked up here, so that the lookup too ends at the deadline
        addresses = [host] if left is None or _is_ip(host) else _resolve(host, port, left)
        failure: Exception | None = None
        for address in addresses:
            wait = _clamp(timeout, httpcore.ConnectTimeout)
            try:
                stream = self._inner.connect_tcp(address, port, wait, local_address, socket_options)
            except httpcore.ConnectError as exc:  # the next address may answer
                failure = exc
                continue
            return _DeadlineStream(stream)
        assert failure is not None
        raise failure

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Any = None
    ) -> httpcore.NetworkStream:
        timeout = _clamp(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self._inner.connect_unix_socket(path, timeout, socket_options))

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


def _install_deadlines(client: httpx.Client) -> bool:
    """Wrap the network backend of every connection pool of ``client`` (direct and proxy)."""
    transports = [getattr(client, "_transport", None)]
    transports += list(getattr(client, "_mounts", {}).values())
    done = False
    for transport in transports:
        pool = getattr(transport, "_pool", None)
        backend = getattr(pool, "_network_backend", None)
        if isinstance(backend, httpcore.NetworkBackend) and not isinstance(
            backend, _DeadlineBackend
        ):
            pool._network_backend = _DeadlineBackend(backend)  # type: ignore[union-attr]
            done = True
    return done


def make_client(opts: HttpOptions, *, pool: int = 8) -> httpx.Client:
    timeout = httpx.Timeout(
        min(opts.read_timeout, opts.timeout),
        connect=min(opts.connect_timeout, opts.timeout),
        pool=opts.timeout,
    )
    limits = httpx.Limits(max_connections=pool * 2, max_keepalive_connections=pool)
    client = httpx.Client(
        timeout=timeout,
        limits=limits,
        follow_redirects=False,
        headers={"User-Agent": USER_AGENT, "Accept-Encoding": "gzip, deflate"},
        trust_env=True,
    )
    _install_deadlines(client)
    return client


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
    """GET ``url`` within ``opts.timeout``, retries included; raise ``FetchError`` (or
    ``Cancelled``)."""
    deadline = time.monotonic() + opts.timeout
    attempt = 0
    while True:
        _check_cancel(cancel)
        previous = getattr(_current, "deadline", None)
        _current.deadline = deadline
        try:
            return _get_following(client, url, opts, accept, etag, last_modified, cancel, deadline)
        except FetchError as exc:
            if not exc.transient or attempt >= opts.retries:
                if attempt:
                    raise FetchError(f"{exc} (after {attempt + 1} attempts)") from exc
                raise
            delay = min(opts.max_backoff, opts.backoff * (2**attempt))
            retry_after = getattr(exc, "retry_after", None)
            if isinstance(retry_after, float):
                delay = min(opts.max_backoff, max(delay, retry_after))
            if time.monotonic() + delay >= deadline:
                raise FetchError(
                    f"{exc} (after {attempt + 1} attempt{'s' if attempt else ''}; "
                    f"no time left within {opts.timeout:g} s)"
                ) from exc
            attempt += 1
            _sleep(delay, cancel)
        finally:
            _current.deadline = previous


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
    deadline: float,
) -> Response:
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
            if time.monotonic() >= deadline - 0.01 and not isinstance(exc, httpx.ConnectError):
                raise _deadline_error(current, opts) from exc
            raise _transport_error(exc, current, opts) from exc
    raise FetchError(f"too many redirects (more than {opts.max_redirects}) starting at {url}")


def _deadline_error(url: str, opts: HttpOptions) -> FetchError:
    host = urlsplit(url).hostname or url
    return FetchError(f"timed out: no complete response from {host} within {opts.timeout:g} s")


def _check_scheme(url: str) -> None:
    scheme = urlsplit(url).scheme.lower()
    if scheme not in ("http", "https"):
        raise FetchError(f"unsupported URL scheme {scheme or '(none)'!r} in {_shorten(url)}")


def _read_capped(
    resp: httpx.Response, opts: HttpOptions, deadline: float, cancel: threading.Event | None
) -> bytes:
    """The body, decoded, at most ``opts.max_bytes`` raw and at every decoding layer."""
    encodings = _encodings(resp)
    unknown = [e for e in encodings if e not in _DECODERS]
    if unknown:
        raise FetchError(
            f"refused: unsupported Content-Encoding {_shorten(unknown[0], 40)!r} "
            "(newstui reads gzip and deflate)"
        )
    declared = resp.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > opts.max_bytes:
        raise FetchError(
            f"response too large: {_human(int(declared))} (limit {_human(opts.max_bytes)})"
        )
    chunks: list[bytes] = []
    size = 0
    for chunk in resp.iter_raw():  # raw: httpx would inflate each chunk without a bound
        size += len(chunk)
        if size > opts.max_bytes:
            raise FetchError(
                f"response too large: more than {_human(opts.max_bytes)} (download abandoned)"
            )
        if time.monotonic() > deadline:
            raise _deadline_error(str(resp.url), opts)
        _check_cancel(cancel)
        chunks.append(chunk)
    data = b"".join(chunks)
    for encoding in reversed(encodings):  # the last one listed was applied last
        data = _DECODERS[encoding](data, opts.max_bytes)
    return data


def _encodings(resp: httpx.Response) -> list[str]:
    found: list[str] = []
    for value in resp.headers.get_list("content-encoding", split_commas=True):
        name = value.strip().lower()
        if name and name != "identity":
            found.append(name)
    return found


def _inflate(data: bytes, cap: int, wbits: int, what: str) -> bytes:
    """Decompress ``data`` (every gzip member) to at most ``cap`` bytes."""
    out: list[bytes] = []
    size = 0
    rest = data
    while rest:
        d = zlib.decompressobj(wbits)
        try:
            piece = d.decompress(rest, cap - size + 1)
        except zlib.error as exc:
            if out and not rest.strip(b"\x00"):
                break  # trailing padding after the last member
            raise FetchError(f"corrupt {what} response: {exc}") from None
        size += len(piece)
        if size > cap or d.unconsumed_tail:
            raise FetchError(
                f"response too large: more than {_human(cap)} once decompressed "
                "(download abandoned)"
            )
        out.append(piece)
        if not d.eof:
            raise FetchError(f"corrupt {what} response: it ends early")
        rest = d.unused_data
        if what != "gzip":
            break
    return b"".join(out)


def _gunzip(data: bytes, cap: int) -> bytes:
    return _inflate(data, cap, 16 + zlib.MAX_WBITS, "gzip")


def _deflate(data: bytes, cap: int) -> bytes:
    try:
        return _inflate(data, cap, zlib.MAX_WBITS, "deflate")
    except FetchError as exc:
        if "too large" in str(exc):
            raise
        return _inflate(data, cap, -zlib.MAX_WBITS, "deflate")  # raw deflate, as some send


_DECODERS = {"gzip": _gunzip, "x-gzip": _gunzip, "deflate": _deflate}


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
    # A server that does not answer in time is not retried: it would most likely keep
    # everyone waiting again (a refused connection or a 503 is worth another try).
    if isinstance(exc, httpx.ConnectTimeout):
        wait = min(opts.connect_timeout, opts.timeout)
        return FetchError(f"timed out connecting to {host} (after {wait:g} s)")
    if isinstance(exc, httpx.TimeoutException):
        wait = min(opts.read_timeout, opts.timeout)
        return FetchError(f"timed out: {host} sent nothing for {wait:g} s")
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
