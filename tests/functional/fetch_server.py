"""A local HTTP server for the fetch tests (127.0.0.1, port 0, one thread per request).

Serves the fixture feeds in ``tests/fixtures/feeds`` at ``/<name>`` plus special routes
that misbehave on purpose: slow, broken, oversized, gzip, ETag/304, redirects and a
redirect loop, 404/500, a flaky endpoint and mutable content; ``/silent.xml`` (accepts,
reads the request, never answers), ``/drip-headers.xml`` and ``/drip-body.xml`` (one byte
every ``drip_interval`` seconds, without end). Tests may add routes.

``dead_server()`` is a bare socket that accepts connections and never reads or answers.
"""

from __future__ import annotations

import contextlib
import gzip
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

FEEDS = Path(__file__).resolve().parents[1] / "fixtures" / "feeds"

CONTENT_TYPES = {
    ".xml": "application/rss+xml; charset=utf-8",
    ".rdf": "application/rdf+xml",
    ".json": "application/feed+json",
    ".opml": "text/x-opml",
    ".html": "text/html; charset=utf-8",
}


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


Route = Callable[["Handler"], Reply | None]


class FeedServer:
    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.hits: Counter[str] = Counter()
        self.request_headers: dict[str, list[dict[str, str]]] = {}
        self.lock = threading.Lock()
        self.stopping = threading.Event()  # set at stop: routes that wait forever return
        self.drip_interval = 0.3
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.httpd.feed_server = self  # type: ignore[attr-defined]
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._install_defaults()

    @property
    def base(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def url(self, path: str) -> str:
        return self.base + path

    def local_links(self, feed: bytes) -> bytes:
        """``feed`` with its https://harbour.example/ links pointing at this server, so a
        full-text fetch never leaves 127.0.0.1 (/news/tide-tables is an article page; the
        other pages are 404)."""
        return feed.replace(b"https://harbour.example/", (self.base + "/").encode())

    def static(self, path: str, body: bytes, ctype: str, **headers: str) -> None:
        self.routes[path] = lambda h: Reply(200, body, {"Content-Type": ctype, **headers})

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.stopping.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)

    def _install_defaults(self) -> None:
        for path in FEEDS.iterdir():
            ctype = CONTENT_TYPES.get(path.suffix, "application/octet-stream")
            self.static("/" + path.name, path.read_bytes(), ctype)
        rss = (FEEDS / "rss2.xml").read_bytes()
        self.routes["/gzip.xml"] = lambda h: Reply(
            200,
            gzip.compress(rss),
            {"Content-Type": "application/rss+xml", "Content-Encoding": "gzip"},
        )
        self.routes["/etag.xml"] = _etag_route(rss)
        self.routes["/redirect.xml"] = lambda h: Reply(301, b"", {"Location": "/rss2.xml"})
        self.routes["/loop-a"] = lambda h: Reply(302, b"", {"Location": "/loop-b"})
        self.routes["/loop-b"] = lambda h: Reply(302, b"", {"Location": "/loop-a"})
        self.routes["/not-found.xml"] = lambda h: Reply(404, b"no such feed")
        self.routes["/error.xml"] = lambda h: Reply(500, b"boom")
        self.routes["/slow.xml"] = _slow_route(rss, delay=3.0)
        self.routes["/broken.xml"] = _broken_route
        self.routes["/big.xml"] = _big_route
        self.routes["/silent.xml"] = _silent_route
        self.routes["/drip-headers.xml"] = _drip_headers_route
        self.routes["/drip-body.xml"] = _drip_body_route
        self.routes["/news/tide-tables"] = lambda h: Reply(
            200, (FEEDS / "article.html").read_bytes(), {"Content-Type": "text/html"}
        )


def _etag_route(body: bytes) -> Route:
    def route(h: Handler) -> Reply:
        if h.headers.get("If-None-Match") == '"v1"':
            return Reply(304, b"", {"ETag": '"v1"'})
        return Reply(200, body, {"Content-Type": "application/rss+xml", "ETag": '"v1"'})

    return route


def _slow_route(body: bytes, delay: float) -> Route:
    def route(h: Handler) -> Reply:
        time.sleep(delay)
        return Reply(200, body, {"Content-Type": "application/rss+xml"})

    return route


def _broken_route(h: Handler) -> None:
    # Promise 5000 bytes, send a few, then hang up.
    h.send_response(200)
    h.send_header("Content-Type", "application/rss+xml")
    h.send_header("Content-Length", "5000")
    h.end_headers()
    h.wfile.write(b"<?xml version='1.0'?><rss version='2.0'><channel>")
    h.wfile.flush()
    h.close_connection = True
    return None


def _big_route(h: Handler) -> None:
    # Chunked, no Content-Length: the client must count and stop by itself.
    h.send_response(200)
    h.send_header("Content-Type", "application/rss+xml")
    h.send_header("Transfer-Encoding", "chunked")
    h.end_headers()
    chunk = b"<!-- " + b"x" * 65_000 + b" -->\n"
    try:
        head = b"<?xml version='1.0'?><rss version='2.0'><channel>\n"
        h.wfile.write(b"%x\r\n%s\r\n" % (len(head), head))
        for _ in range(200):  # ~13 MB if nobody stops reading
            h.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        h.wfile.write(b"0\r\n\r\n")
    except (BrokenPipeError, ConnectionResetError):
        pass
    h.close_connection = True
    return None


def _silent_route(h: Handler) -> None:
    h.server.feed_server.stopping.wait(600)  # type: ignore[attr-defined]
    h.close_connection = True
    return None


def _drip(h: Handler, data: bytes) -> None:
    server: FeedServer = h.server.feed_server  # type: ignore[attr-defined]
    try:
        for n in range(len(data)):
            h.wfile.write(data[n : n + 1])
            h.wfile.flush()
            if server.stopping.wait(server.drip_interval):
                break
    except (BrokenPipeError, ConnectionResetError):
        pass
    h.close_connection = True


def _drip_headers_route(h: Handler) -> None:
    # A status line, then one header byte at a time: the headers never end.
    h.wfile.write(b"HTTP/1.1 200 OK\r\n")
    _drip(h, b"X-Slow: " + b"a" * 100_000 + b"\r\n\r\n")
    return None


def _drip_body_route(h: Handler) -> None:
    h.send_response(200)
    h.send_header("Content-Type", "application/rss+xml")
    h.send_header("Content-Length", "100000")
    h.end_headers()
    _drip(h, b"<rss>" + b" " * 99_995)
    return None


@contextlib.contextmanager
def dead_server() -> Iterator[str]:
    """A URL whose server accepts the connection (the kernel's backlog does) and never
    reads the request nor answers."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}/feed.xml"
    finally:
        sock.close()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        server: FeedServer = self.server.feed_server  # type: ignore[attr-defined]
        path = self.path.split("?", 1)[0]
        with server.lock:
            server.hits[path] += 1
            server.request_headers.setdefault(path, []).append(dict(self.headers))
        route = server.routes.get(path)
        reply = Reply(404, b"not found") if route is None else route(self)
        if reply is None:
            return
        self.send_response(reply.status)
        for k, v in reply.headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        if reply.body:
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(reply.body)


PROXY_VARS = ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY")


@pytest.fixture
def no_proxies(monkeypatch: pytest.MonkeyPatch) -> None:
    """Requests to 127.0.0.1 and .invalid hosts must not go through a proxy from the env."""
    for var in PROXY_VARS:
        monkeypatch.delenv(var, raising=False)


@pytest.fixture
def feed_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[FeedServer]:
    for var in PROXY_VARS:
        monkeypatch.delenv(var, raising=False)
    server = FeedServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()
