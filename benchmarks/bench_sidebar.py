"""The sidebar at 104k articles (Reuters x5): what a read costs the counts, and what
counting, choosing a row and searching within it cost.

    uv run python benchmarks/bench_sidebar.py [FOLDER]

FOLDER defaults to bench_ui.py's Reuters x5 corpus (/tmp/newstui-bench/ui-reuters-x5-*).
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.3f} ms"


async def run(folder: Path) -> None:
    from newstui.core.library.facets import Facets, Key
    from newstui.ui.app import create_app
    from newstui.ui.widgets.sidebar import Sidebar

    app = create_app(folder)
    async with app.run_test(size=(160, 50)) as pilot:
        while True:
            await app.workers.wait_for_complete()
            await pilot.pause()
            if not app.busy and app.sidebar_ctl.facets is not None:
                break
        facets = app.sidebar_ctl.facets
        assert facets is not None
        articles = app.library.articles
        print(f"articles: {len(articles):,}; sidebar rows: {app.query_one(Sidebar).option_count}")

        t = time.perf_counter()
        Facets.build(articles, app.folders, app.store)
        print(f"count the library (worker): {_ms(time.perf_counter() - t)}")
        t = time.perf_counter()
        delta = facets.delta_for(articles)
        print(
            f"reload, nothing changed: diff (worker) {_ms(time.perf_counter() - t)}, {len(delta)}"
        )

        # m: the store tells the sidebar; counts move, changed rows redrawn
        sync_times, press_times = [], []
        for i in range(40):
            aid = articles[i * 997].id
            t = time.perf_counter()
            app.store.toggle_read(aid)  # listener: sync + sidebar redraw
            sync_times.append(time.perf_counter() - t)
        for _ in range(20):
            t = time.perf_counter()
            await pilot.press("m")
            press_times.append(time.perf_counter() - t)
        store_only = []
        for i in range(40):
            aid = articles[i * 991].id
            t = time.perf_counter()
            app.store.toggle_read(aid)
            store_only.append(time.perf_counter() - t)
        # the sidebar's own part of m: counts moved, the changed rows redrawn
        own = []
        for i in range(40):
            aid = articles[i * 983].id
            flip = app.store._reads()  # the store's read set, flipped without a write
            flip.apply((aid,), aid not in flip)
            t = time.perf_counter()
            app.sidebar_ctl._state_changed([aid])
            own.append(time.perf_counter() - t)
        print(
            "sidebar's share of m (counts + changed rows redrawn, no SQLite): median "
            f"{_ms(statistics.median(own))}, max {_ms(max(own))}"
        )
        app.sidebar_ctl.toggle()  # hidden: the same m without a sidebar on screen
        await pilot.pause()
        hidden = []
        for _ in range(20):
            t = time.perf_counter()
            await pilot.press("m")
            hidden.append(time.perf_counter() - t)
        print(
            "pilot.press('m') with the sidebar hidden: median "
            f"{_ms(statistics.median(hidden))}, max {_ms(max(hidden))}"
        )
        app.sidebar_ctl.toggle()
        ids = [articles[i * 13].id for i in range(1000)]
        t = time.perf_counter()
        for aid in ids:
            facets.sync([aid])
        per_sync = (time.perf_counter() - t) / len(ids)
        print(f"facets.sync of one article (no change): {_ms(per_sync)}")
        print(
            "store.toggle_read + counts + sidebar redraw: median "
            f"{_ms(statistics.median(sync_times))}, max {_ms(max(sync_times))} "
            "(the SQLite write included)"
        )
        print(
            "pilot.press('m') (key, write, counts, list and sidebar repaint): median "
            f"{_ms(statistics.median(press_times))}, max {_ms(max(press_times))}"
        )

        source = next(k for k in facets.keys("source"))
        tag = max(facets.keys("tag"), key=lambda k: facets.count(k).total)
        for key in (source, tag, Key("unread")):
            t = time.perf_counter()
            app.sidebar_ctl.choose(key)
            took = time.perf_counter() - t
            print(f"choose {key.kind} {key.value!r} ({facets.count(key).total:,}): {_ms(took)}")
        app.sidebar_ctl.choose(tag)
        for query in ("oil", "prices rise"):
            index = app.index
            assert index is not None
            within = app.sidebar_ctl.within()
            runs_a, runs_b = [], []
            for _ in range(7):
                t = time.perf_counter()
                r = index.search(query, limit=100, state=app.store, within=within)
                runs_a.append(time.perf_counter() - t)
                t = time.perf_counter()
                r2 = index.search(query, limit=100, state=app.store)
                runs_b.append(time.perf_counter() - t)
            a, b = statistics.median(runs_a), statistics.median(runs_b)
            print(
                f"search {query!r} (median of 7): within {tag.value!r} {_ms(a)} ({r.total:,} hits), "
                f"everywhere {_ms(b)} ({r2.total:,} hits)"
            )
        app.store.close()


def main() -> int:
    if len(sys.argv) > 1:
        folder = Path(sys.argv[1])
    else:
        found = sorted(Path("/tmp/newstui-bench").glob("ui-reuters-x5-*"))
        if not found:
            print("no corpus: run benchmarks/bench_ui.py once (it writes it)", file=sys.stderr)
            return 2
        folder = found[-1]
    with tempfile.TemporaryDirectory() as tmp:
        for name in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
            os.environ[name] = str(Path(tmp) / name.lower())
        asyncio.run(run(folder))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
