"""Benchmark ``newstui fetch``: feeds built from the Reuters corpus (or a generated one),
served by a local HTTP server, fetched into a folder under /tmp/newstui-bench/fetch.

    uv run python benchmarks/bench_fetch.py [--feeds 40] [--entries 100] [--repeat 3]

Times, as medians of --repeat runs:
- cold: empty folder and empty fetch state (every entry parsed, converted, written);
- again: the same feeds, no ETag offered (every entry parsed, all deduplicated);
- 304: the server answers If-None-Match with 304 (nothing parsed);
- cold with --jobs 1 vs 4, and feedparser alone on the same bytes (where the time goes).
"""

from __future__ import annotations

import argparse
import html
import shutil
import statistics
import sys
import threading
import time
from collections.abc import Callable
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from corpus import BENCH_TMP, load_corpus
from newstui.core.article import Article
from newstui.core.fetch import HttpOptions, fetch_feeds


def build_feeds(articles: list[Article], feeds: int, entries: int) -> dict[str, bytes]:
    out: dict[str, bytes] = {}
    for f in range(feeds):
        items = []
        for a in articles[f * entries : (f + 1) * entries]:
            paras = "".join(f"<p>{html.escape(p)}</p>" for p in a.body.split("\n\n") if p.strip())
            date = f"<pubDate>{format_datetime(a.published)}</pubDate>" if a.published else ""
            items.append(
                f"<item><title>{html.escape(a.title)}</title>"
                f"<link>https://bench.example/{f}/{a.id}</link><guid>{a.id}</guid>{date}"
                f"<description>{html.escape(paras)}</description></item>"
            )
        out[f"/feed{f}.xml"] = (
            '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>Bench feed {f}</title><link>https://bench.example/{f}</link>"
            + "".join(items)
            + "</channel></rss>"
        ).encode()
    return out


def serve(feeds: dict[str, bytes], etag: dict[str, bool]) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            body = feeds.get(self.path)
            if body is None:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            if etag["on"] and self.headers.get("If-None-Match") == '"1"':
                self.send_response(304)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Content-Length", str(len(body)))
            if etag["on"]:
                self.send_header("ETag", '"1"')
            self.end_headers()
            self.wfile.write(body)

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    threading.Thread(
        target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    ).start()
    return httpd


def timed(fn: Callable[[], object]) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--feeds", type=int, default=40)
    ap.add_argument("--entries", type=int, default=100)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)

    articles, corpus_name = load_corpus(1)
    articles = [a for a in articles if a.title and a.body]
    feeds = build_feeds(articles, args.feeds, args.entries)
    n_entries = sum(b.count(b"<item>") for b in feeds.values())
    mb = sum(len(b) for b in feeds.values()) / 1e6
    print(f"corpus: {corpus_name}; {len(feeds)} feeds, {n_entries} entries, {mb:.1f} MB of RSS")

    etag = {"on": False}
    httpd = serve(feeds, etag)
    host, port = httpd.server_address[:2]
    urls = [f"http://{host!s}:{port}{path}" for path in feeds]
    root = BENCH_TMP / "fetch"
    opts = HttpOptions(retries=0)

    def fresh(tag: str) -> tuple[Path, Path]:
        base = root / tag
        shutil.rmtree(base, ignore_errors=True)
        return base / "articles", base / "fetch.sqlite3"

    results: dict[str, list[float]] = {k: [] for k in ("cold4", "cold1", "again", "304", "parse")}

    def run(dest: Path, state: Path, jobs: int) -> float:
        return timed(lambda: fetch_feeds(urls, dest, jobs=jobs, state_path=state, http=opts))

    import feedparser

    for _ in range(args.repeat):
        etag["on"] = False
        dest, state = fresh("j4")
        results["cold4"].append(run(dest, state, 4))
        written = len(list(dest.rglob("*.md")))
        assert written == n_entries, (written, n_entries)
        results["again"].append(run(dest, state, 4))
        etag["on"] = True
        run(dest, state, 4)  # remember the ETags
        results["304"].append(run(dest, state, 4))
        etag["on"] = False
        dest1, state1 = fresh("j1")
        results["cold1"].append(run(dest1, state1, 1))
        results["parse"].append(timed(lambda: [feedparser.parse(b) for b in feeds.values()]))
    httpd.shutdown()
    shutil.rmtree(root, ignore_errors=True)

    med = {k: statistics.median(v) for k, v in results.items()}
    print(f"{'run':<28}{'median s':>10}{'entries/s':>12}")
    labels = {
        "cold4": "cold, --jobs 4",
        "cold1": "cold, --jobs 1",
        "again": "again (dedup, no ETag)",
        "304": "again (304 Not Modified)",
        "parse": "feedparser alone",
    }
    for key, label in labels.items():
        print(f"{label:<28}{med[key]:>10.2f}{n_entries / med[key]:>12.0f}")
    print(
        f"jobs 4 vs 1: {med['cold1'] / med['cold4']:.2f}x; feedparser share of cold: "
        f"{med['parse'] / med['cold4'] * 100:.0f}% (of jobs-4 wall time)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
