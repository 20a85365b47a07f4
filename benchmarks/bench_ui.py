"""Issue 4's UI benchmark: first paint, search repaint, cursor cost and memory at 104k articles.

Run by hand (never by pytest)::

    uv run python benchmarks/bench_ui.py            # Reuters x5 (104k), or a generated corpus
    uv run python benchmarks/bench_ui.py --scale 1  # quicker

The corpus is written (once) as JSONL files under /tmp/newstui-bench/ (never in the repo).
Every figure comes from the same run; the machine is noisy, so we quote medians and p95,
and ratios against a bare Textual app started the same way.

Measures
  * first frame: process start -> first frame of the app (list pane visible, loading) and
    -> list filled with every article; against a bare Textual app's first frame.
  * search repaint: keystroke -> results shown and repainted, once indexed (p50, p95).
  * typing at 30 chars/s for 10 s: searches run vs keystrokes, event-loop stalls, and
    time from the last keystroke to its results.
  * cursor move: one ``j`` press (handle + repaint) at 1k and at 104k articles.
  * memory: peak RSS of the app with the library loaded, vs a bare Textual app.
  * holding j (issue 12): 30 ``j`` keys/s for 5 s in the list at 120x40, the preview on (the
    reader below the list follows the cursor). A "frame" is one turn of the event loop, timed
    by a 1 ms ticker: while a turn runs (a key handled, rows repainted, a preview laid out) no
    frame can be drawn. Reported: the worst turn, the p95 of the turns that did work (longer
    than 1.5 ms), each key's latency (posted -> the cursor moved), the previews laid out
    during the hold and the time from the last key to the preview of where it stopped.
    ``--hold-only`` runs just this (and ``--skip-startup`` skips the start-up figures).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from corpus import peak_rss_mb  # noqa: E402

BENCH_ROOT = Path("/tmp/newstui-bench")
PER_FILE = 10_000


def _corpus_folder(scale: int, limit: int | None = None) -> tuple[Path, str]:
    """The corpus as JSONL files (10k articles each) under /tmp/newstui-bench/; its label."""
    from corpus import article_record, load_corpus

    arts, label = load_corpus(scale)
    if limit is not None:
        arts = arts[:limit]
        label = f"{label}, first {len(arts):,}"
    if scale > 1:  # copies share title and body: make them distinct stories, not duplicates
        n = len(arts) // scale
        arts = arts[:n] + [_distinct(a, i // n + 1) for i, a in enumerate(arts[n:], n)]
    name = f"ui-{'reuters' if 'Reuters' in label else 'synthetic'}-x{scale}-{len(arts)}-v2"
    folder = BENCH_ROOT / name
    marker = folder / ".complete"
    if not marker.exists():
        folder.mkdir(parents=True, exist_ok=True)
        for start in range(0, len(arts), PER_FILE):
            with (folder / f"part-{start // PER_FILE:03d}.jsonl").open("w", encoding="utf-8") as fh:
                for a in arts[start : start + PER_FILE]:
                    fh.write(json.dumps(article_record(a), ensure_ascii=False) + "\n")
        marker.write_text("ok\n")
    return folder, label


def _distinct(a: Any, copy: int) -> Any:
    from newstui.core.article import Article

    body = f"{a.body}\n\n(copy {copy})"
    return Article(
        id=a.id,
        title=a.title,
        body=body,
        format=a.format,
        source=a.source,
        author=a.author,
        published=a.published,
        tags=a.tags,
    )


def _xdg_env(tag: str) -> dict[str, str]:
    env = dict(os.environ)
    root = BENCH_ROOT / f"xdg-{tag}"
    for name in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
        (root / name.lower()).mkdir(parents=True, exist_ok=True)
        env[name] = str(root / name.lower())
    return env


def _isolate(tag: str) -> None:
    os.environ.update(_xdg_env(tag))


# --------------------------------------------------------------------------- children
def child_bare(t0: float) -> dict[str, float]:
    from textual.app import App, ComposeResult
    from textual.widgets import Footer, Static

    out: dict[str, float] = {}

    class Bare(App[None]):
        def compose(self) -> ComposeResult:
            yield Static("hello")
            yield Footer()

        def on_mount(self) -> None:
            self.call_after_refresh(_first_frame, out, t0)

    async def main() -> None:
        app = Bare()
        async with app.run_test(size=(120, 40)) as pilot:
            while "first_frame_s" not in out:
                await asyncio.sleep(0.005)
            await pilot.pause()
            out["rss_mb"] = peak_rss_mb()

    asyncio.run(main())
    return out


def _first_frame(out: dict[str, float], t0: float) -> None:
    out.setdefault("first_frame_s", time.time() - t0)


def _painted(out: dict[str, float], name: str, t0: float) -> None:
    out.setdefault(name, time.time() - t0)


def child_app(t0: float, folder: str) -> dict[str, float]:
    from newstui.ui.app import NewsApp, create_app

    out: dict[str, float] = {}

    class Timed(NewsApp):
        def on_mount(self) -> None:  # runs after NewsApp.on_mount
            self.call_after_refresh(_first_frame, out, t0)

    async def main() -> None:
        app = create_app(Path(folder))
        app.__class__ = Timed
        async with app.run_test(size=(120, 40)) as pilot:
            while "first_frame_s" not in out:
                await asyncio.sleep(0.005)
            while not app.article_list.articles:
                await asyncio.sleep(0.005)
            # the next repaint after the rows arrived: they are on screen (a pause() here
            # would wait for the loading thread's messages as well)
            app.call_after_refresh(_painted, out, "list_filled_s", t0)
            while "list_filled_s" not in out:
                await asyncio.sleep(0.005)
            # the front page (issue 13): the first rows may be the last run's, provisional
            # (getattr: the same child measures a branch without a front page, for "before")
            out["provisional"] = float(getattr(app, "provisional", False))
            while getattr(app, "front_page", None) is not None or not len(app.library):
                await asyncio.sleep(0.01)
            while len(app.article_list.articles) < len(app.library) and app.is_loading:
                await asyncio.sleep(0.01)
            await pilot.pause()
            out["full_list_s"] = time.time() - t0
            out["articles"] = float(len(app.article_list.articles))
            while app.busy:
                await asyncio.sleep(0.02)
            out["indexed_s"] = time.time() - t0
            out["rss_mb"] = peak_rss_mb()
            app.store.close()

    asyncio.run(main())
    return out


def _run_child(kind: str, *args: str, tag: str) -> dict[str, float]:
    cmd = [sys.executable, __file__, "--child", kind, repr(time.time()), *args]
    done = subprocess.run(cmd, capture_output=True, text=True, env=_xdg_env(tag), check=False)
    if done.returncode != 0:
        raise SystemExit(f"child {kind} failed:\n{done.stderr[-3000:]}")
    last = done.stdout.strip().splitlines()[-1]
    result: dict[str, float] = json.loads(last)
    return result


# --------------------------------------------------------------------------- in-process
async def _settle(pilot: Any) -> None:
    app = pilot.app
    while True:
        await app.workers.wait_for_complete()
        await pilot.pause()
        if not app.busy:
            return


async def _search_and_cursor(folder: Path, typing_seconds: float) -> dict[str, Any]:
    from newstui.ui.app import create_app

    out: dict[str, Any] = {}
    app = create_app(folder)
    async with app.run_test(size=(120, 40)) as pilot:
        await _settle(pilot)
        out["articles"] = len(app.article_list.articles)
        lst = app.article_list
        height = lst.scrollable_content_region.height

        def repaint_list() -> None:
            lst._cache.clear()  # worst case: every visible row drawn afresh
            for y in range(height):
                lst.render_line(y)

        # cursor moves: the handler plus a full repaint of the visible rows
        moves = []
        for _ in range(500):
            t = time.perf_counter()
            lst.action_cursor_down()
            repaint_list()
            moves.append(time.perf_counter() - t)
        out["cursor_ms"] = statistics.median(moves) * 1000
        # the same through Pilot (key event, bindings, compositor), median of 50
        presses = []
        for _ in range(50):
            t = time.perf_counter()
            await pilot.press("j")
            presses.append(time.perf_counter() - t)
        out["cursor_press_ms"] = statistics.median(presses) * 1000
        # search repaint after a keystroke, one keystroke at a time
        await pilot.press("slash")
        await _settle(pilot)
        latencies: list[float] = []
        took: list[float] = []
        per_query: list[tuple[str, float, float]] = []
        box = app.search_box
        for query in ("oil", "wheat export", "bank rate cut", "tokyo stok", "coffee pric"):
            for ch in query:
                t = time.perf_counter()
                box.insert_text_at_cursor(ch)
                want = box.value.strip()
                while app.busy or app.result is None or app.result.query != want:
                    await asyncio.sleep(0.0002)
                repaint_list()
                latencies.append(time.perf_counter() - t)
                took.append(app.result.took_ms)
                per_query.append((want, latencies[-1] * 1000, app.result.took_ms))
            box.value = ""
            await _settle(pilot)
        latencies.sort()
        out["search_p50_ms"] = statistics.median(latencies) * 1000
        out["search_p95_ms"] = latencies[int(len(latencies) * 0.95) - 1] * 1000
        out["search_took_p50_ms"] = statistics.median(took)
        overhead = sorted(ms - took_ms for _, ms, took_ms in per_query)
        out["search_ui_p50_ms"] = statistics.median(overhead)
        out["search_ui_p95_ms"] = overhead[int(len(overhead) * 0.95) - 1]
        out["search_n"] = len(latencies)
        if os.environ.get("BENCH_UI_VERBOSE"):
            for q, ms, took_ms in per_query:
                print(f"  {q!r:20} {ms:7.1f} ms (engine {took_ms:6.1f} ms)")
        # typing at 30 chars/s: queries typed one after another (the box cleared between
        # them, as a user does), never waiting for results
        queries = [
            "oil prices rise as opec meets",
            "wheat exports fall",
            "bank of japan rate cut",
            "coffee quota talks",
            "tokyo stock exchange",
        ]
        stream: list[str] = []
        for q in queries:
            stream += [*q, "\x15"]  # ctrl+u: clear the box
        stalls: list[float] = []
        runs_before = app.searches_run
        sent = 0
        start = time.perf_counter()
        next_at = start
        while time.perf_counter() - start < typing_seconds:
            ch = stream[sent % len(stream)]
            sent += 1
            before = time.perf_counter()
            if ch == "\x15":
                box.value = ""
            else:
                box.insert_text_at_cursor(ch)
            await asyncio.sleep(0)
            stalls.append(time.perf_counter() - before)
            next_at += 1 / 30
            delay = next_at - time.perf_counter()
            t_sleep = time.perf_counter()
            await asyncio.sleep(max(0.0, delay))
            late = (time.perf_counter() - t_sleep) - max(0.0, delay)
            stalls.append(late)
        last_key = time.perf_counter()
        await _settle(pilot)
        out["typing_keys"] = sent
        out["typing_searches"] = app.searches_run - runs_before
        out["typing_max_stall_ms"] = max(stalls) * 1000
        out["typing_p95_stall_ms"] = sorted(stalls)[int(len(stalls) * 0.95)] * 1000
        out["typing_last_result_ms"] = (time.perf_counter() - last_key) * 1000
        app.store.close()
    return out


async def _hold_j(folder: Path, seconds: float, rate: float = 30.0) -> dict[str, Any]:
    """Hold ``j`` in the list: ``rate`` keys a second for ``seconds``, the preview on."""
    from textual import events

    from newstui.ui.app import create_app

    out: dict[str, Any] = {}
    app = create_app(folder)
    async with app.run_test(size=(120, 40)) as pilot:
        await _settle(pilot)
        lst = app.article_list
        app.set_focus(lst)
        lst.move_to(0)
        await _settle(pilot)
        out["articles"] = len(lst.articles)
        shown: list[float] = []
        show = app.reader.show

        def counting(*args: Any, **kw: Any) -> None:
            shown.append(time.perf_counter())
            show(*args, **kw)

        app.reader.show = counting  # type: ignore[method-assign]
        gaps: list[float] = []
        posted: dict[int, float] = {}
        latencies: list[float] = []
        running = True

        async def ticker() -> None:
            last = time.perf_counter()
            while running:
                await asyncio.sleep(0.001)
                now = time.perf_counter()
                gaps.append(now - last)
                last = now
                moved_to = lst.cursor
                if moved_to in posted:
                    latencies.append(now - posted.pop(moved_to))

        task = asyncio.create_task(ticker())
        start = next_at = last_key = time.perf_counter()
        sent = 0
        while time.perf_counter() - start < seconds:
            sent += 1
            posted[sent] = last_key = time.perf_counter()
            app.post_message(events.Key("j", "j"))
            next_at += 1 / rate
            await asyncio.sleep(max(0.0, next_at - time.perf_counter()))
        during = len(shown)
        while app.reader.article is not lst.highlighted or lst.cursor != sent:
            await asyncio.sleep(0.001)
            if time.perf_counter() - last_key > 10:
                break
        out["preview_after_last_key_ms"] = (time.perf_counter() - last_key) * 1000
        running = False
        await task
        busy = sorted(g for g in gaps if g > 0.0015)
        out["keys"] = sent
        out["cursor"] = lst.cursor
        out["worst_frame_ms"] = max(gaps) * 1000
        out["p95_frame_ms"] = busy[int(len(busy) * 0.95) - 1] * 1000 if busy else 0.0
        out["busy_frames"] = len(busy)
        lat = sorted(latencies)
        out["key_p95_ms"] = lat[int(len(lat) * 0.95) - 1] * 1000 if lat else 0.0
        out["key_max_ms"] = lat[-1] * 1000 if lat else 0.0
        out["previews_during_hold"] = during
        app.store.close()
    return out


def _hold(big: Path, seconds: float, rate: float = 30.0) -> None:
    _isolate("hold")
    r = asyncio.run(_hold_j(big, seconds, rate))
    print(
        f"holding j at {rate:g} keys/s for {seconds:.0f} s ({r['articles']:,} articles, 120x40, "
        f"preview on): {r['keys']} keys, cursor at {r['cursor']}; worst frame "
        f"{r['worst_frame_ms']:.1f} ms, p95 frame {r['p95_frame_ms']:.1f} ms "
        f"({r['busy_frames']} frames with work); key -> cursor moved p95 {r['key_p95_ms']:.1f} ms, "
        f"max {r['key_max_ms']:.1f} ms; previews laid out during the hold "
        f"{r['previews_during_hold']}, last key -> preview shown "
        f"{r['preview_after_last_key_ms']:.0f} ms"
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="newstui UI benchmark (issue 4)")
    ap.add_argument("--scale", type=int, default=5, help="Reuters x SCALE (default 5: 104k)")
    ap.add_argument("--repeat", type=int, default=3, help="child runs per start-up figure")
    ap.add_argument("--typing-seconds", type=float, default=10.0)
    ap.add_argument("--skip-startup", action="store_true", help="only the in-process figures")
    ap.add_argument("--hold-only", action="store_true", help="only the holding-j figures")
    ap.add_argument("--startup-only", action="store_true", help="only the start-up figures")
    ap.add_argument("--hold-seconds", type=float, default=5.0)
    ap.add_argument(
        "--hold-rate",
        type=float,
        action="append",
        help="keys a second while holding j (repeatable; default 30)",
    )
    ap.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.child:
        kind, t0, *rest = args.child
        result = child_bare(float(t0)) if kind == "bare" else child_app(float(t0), rest[0])
        print(json.dumps(result))
        return 0

    big, label = _corpus_folder(args.scale)
    small, _ = _corpus_folder(1, limit=1000)
    print(f"corpus: {label} in {big}")

    rates = args.hold_rate or [30.0]
    if args.startup_only:
        _startup(big, args.repeat)
        return 0
    if args.hold_only:
        for rate in rates:
            _hold(big, args.hold_seconds, rate)
        return 0
    if not args.skip_startup:
        _startup(big, args.repeat)
    _in_process(big, small, args.typing_seconds)
    for rate in rates:
        _hold(big, args.hold_seconds, rate)
    return 0


def _startup(big: Path, repeat: int) -> None:
    """Start-up: bare app vs newstui in fresh processes, alternating; medians."""
    bare, app = [], []
    cold_tag = f"big-{time.time_ns()}"  # a fresh cache folder: the first run is cold
    for n in range(repeat + 1):
        bare.append(_run_child("bare", tag=f"bare{n}"))
        app.append(_run_child("app", str(big), tag=cold_tag))
    cold, app = app[0], app[1:]
    print(
        f"cold start (no index cache): first frame {cold['first_frame_s'] * 1000:.0f} ms, "
        f"list filled {cold['list_filled_s'] * 1000:.0f} ms, "
        f"indexed {cold['indexed_s'] * 1000:.0f} ms, peak RSS {cold['rss_mb']:.0f} MB"
    )
    print("warm starts (index cache), medians:")

    def med(rows: list[dict[str, float]], key: str) -> float:
        return statistics.median(r[key] for r in rows)

    bare_ff = med(bare, "first_frame_s")
    print(f"bare Textual app first frame      {bare_ff * 1000:8.0f} ms (median of {len(bare)})")
    print(
        f"newstui first frame (loading)     {med(app, 'first_frame_s') * 1000:8.0f} ms "
        f"= {med(app, 'first_frame_s') / bare_ff:.2f}x bare"
    )
    print(
        f"newstui list filled ({med(app, 'articles'):,.0f})    {med(app, 'list_filled_s') * 1000:8.0f} ms "
        f"= {med(app, 'list_filled_s') / bare_ff:.2f}x bare"
    )
    print(f"newstui indexed (search complete) {med(app, 'indexed_s') * 1000:8.0f} ms")
    print(
        f"peak RSS: bare {med(bare, 'rss_mb'):.0f} MB, newstui with library "
        f"{med(app, 'rss_mb'):.0f} MB"
    )


def _in_process(big: Path, small: Path, typing_seconds: float) -> None:
    _isolate("inproc")
    small_r = asyncio.run(_search_and_cursor(small, typing_seconds=1.0))
    big_r = asyncio.run(_search_and_cursor(big, typing_seconds=typing_seconds))
    print(
        f"cursor move + list repaint, median: {small_r['articles']:,} articles "
        f"{small_r['cursor_ms']:.2f} ms, {big_r['articles']:,} articles "
        f"{big_r['cursor_ms']:.2f} ms (ratio {big_r['cursor_ms'] / small_r['cursor_ms']:.2f}); "
        f"a j key press end to end (Pilot) {small_r['cursor_press_ms']:.1f} ms vs "
        f"{big_r['cursor_press_ms']:.1f} ms"
    )
    print(
        f"search repaint after a keystroke at {big_r['articles']:,}: "
        f"p50 {big_r['search_p50_ms']:.1f} ms, p95 {big_r['search_p95_ms']:.1f} ms "
        f"({big_r['search_n']} keystrokes; engine took_ms p50 {big_r['search_took_p50_ms']:.1f}; "
        f"UI share (repaint time - took_ms) p50 {big_r['search_ui_p50_ms']:.1f} ms, "
        f"p95 {big_r['search_ui_p95_ms']:.1f} ms)"
    )
    print(
        f"typing 30 chars/s for {typing_seconds:.0f} s: {big_r['typing_keys']} keys, "
        f"{big_r['typing_searches']} searches run, event-loop stall max "
        f"{big_r['typing_max_stall_ms']:.0f} ms / p95 {big_r['typing_p95_stall_ms']:.0f} ms, "
        f"last keystroke -> results {big_r['typing_last_result_ms']:.0f} ms"
    )


if __name__ == "__main__":
    raise SystemExit(main())
