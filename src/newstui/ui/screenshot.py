"""Write an SVG screenshot of the main screen (for the README): ``python -m newstui.ui.screenshot``.

Uses a throw-away state/config folder so the picture never shows the user's own state. The
README's picture is taken on ``docs/demo-articles`` (made-up articles, not real news)::

    uv run python -m newstui.ui.screenshot --dir docs/demo-articles --size 160x45 \
        --saved "Rates=rates OR mortgage" --saved "Sport=folder:sport" --search inflation
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
from pathlib import Path


async def _shoot(
    folder: Path, out: Path, size: tuple[int, int], search: str, saved: list[str]
) -> None:
    from newstui.core.state import StateStore
    from newstui.ui.app import create_app

    store = StateStore.open()
    for entry in saved:
        name, _, query = entry.partition("=")
        store.save_search(name.strip(), query.strip())
    store.close()
    app = create_app(folder)
    async with app.run_test(size=size) as pilot:
        for _ in range(200):
            await app.workers.wait_for_complete()
            await pilot.pause()
            if not app.busy:
                break
        if search:
            await pilot.press("slash", *search)
            for _ in range(200):
                await app.workers.wait_for_complete()
                await pilot.pause()
                if not app.busy:
                    break
            await pilot.press("down")
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        app.clear_notifications()
        await pilot.pause()
        out.write_text(app.export_screenshot(title="newstui"), encoding="utf-8")
        app.store.close()


def main(argv: list[str] | None = None) -> int:
    from newstui.core.paths import bundled_articles_dir

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("out", type=Path, nargs="?", default=Path("docs/screenshot.svg"))
    ap.add_argument("--dir", type=Path, default=None, help="articles (default: bundled)")
    ap.add_argument("--size", default="120x36", help="WIDTHxHEIGHT")
    ap.add_argument("--search", default="", help="type this search first")
    ap.add_argument(
        "--saved", action="append", default=[], help="NAME=QUERY: a saved search (repeatable)"
    )
    args = ap.parse_args(argv)
    width, height = (int(n) for n in args.size.split("x"))
    with tempfile.TemporaryDirectory() as tmp:
        for name in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
            os.environ[name] = str(Path(tmp) / name.lower())
        asyncio.run(
            _shoot(
                args.dir or bundled_articles_dir(),
                args.out,
                (width, height),
                args.search,
                args.saved,
            )
        )
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
