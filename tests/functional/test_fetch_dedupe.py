"""F takes what it fetched into the open library the way a reload would: deduped (issue 11:
the fetch thread loaded and indexed the new files itself, without dedupe)."""

from __future__ import annotations

import threading
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from test_ui_fetch import RSS

from newstui.core import paths
from newstui.core.fetch import fetch_feeds
from newstui.ui.app import create_app

Settle = Callable[[Any], Awaitable[None]]
TITLE = "Lighthouse keeper retires after forty years"


async def test_a_fetched_article_already_in_the_folder_is_listed_once_as_after_a_reload(
    articles_dir: Path, tmp_path: Path, settle: Settle
) -> None:
    feed = tmp_path / "gazette.rss"
    feed.write_text(RSS, encoding="utf-8")
    # The same entry fetched earlier elsewhere and saved into the folder by hand, without
    # its URL (so another id: the same text is what makes it a duplicate).
    elsewhere = fetch_feeds([str(feed)], tmp_path / "elsewhere", state_path=tmp_path / "o.db")
    (saved,) = elsewhere.written
    text = saved.read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if not line.startswith("url:")]
    (articles_dir / "saved-lighthouse.md").write_text("\n".join(lines), encoding="utf-8")
    config = paths.config_dir() / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(f'feeds = ["{feed}"]\n', encoding="utf-8")
    app = create_app(articles_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert [a.title for a in app.article_list.articles].count(TITLE) == 1
        await pilot.press("F")
        await settle(pilot)
        messages = [str(n.message) for n in app._notifications]
        assert any("1 new" in m for m in messages), messages  # the file was written
        fetched = sorted(a.id for a in app.article_list.articles)
        assert [a.title for a in app.article_list.articles].count(TITLE) == 1  # was 2
        assert any(p.kind == "duplicate" for p in app.problems)
        await pilot.press("slash", *"lighthouse")
        await settle(pilot)
        assert [a.title for a in app.article_list.articles] == [TITLE]
        await pilot.press("escape")
        await pilot.press("r")
        await settle(pilot)
        assert sorted(a.id for a in app.article_list.articles) == fetched


async def test_articles_fetched_while_the_library_is_still_opening_are_listed(
    articles_dir: Path, tmp_path: Path, settle: Settle, monkeypatch: pytest.MonkeyPatch
) -> None:
    import newstui.core.library.opening as opening

    feed = tmp_path / "gazette.rss"
    feed.write_text(RSS, encoding="utf-8")
    config = paths.config_dir() / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(f'feeds = ["{feed}"]\n', encoding="utf-8")
    gate = threading.Event()
    real = opening.open_library
    calls: list[int] = []

    def slow_first_open(*args: Any, **kw: Any) -> opening.OpenLibrary:
        calls.append(1)
        if len(calls) == 1:  # the folder is read, then the fetch ends before it is shown
            shown = kw["on_scanned"]

            def late(scan: Any, index: Any) -> None:
                gate.wait(30)
                shown(scan, index)

            kw["on_scanned"] = late
        return real(*args, **kw)

    monkeypatch.setattr(opening, "open_library", slow_first_open)
    app = create_app(articles_dir)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            for _ in range(100):
                await pilot.pause()
                if calls:
                    break
            await pilot.press("F")
            for _ in range(600):
                await pilot.pause(0.05)
                if not app.fetching:
                    break
            assert not app.fetching
            gate.set()
            await settle(pilot)
            assert TITLE in [a.title for a in app.article_list.articles]
    finally:
        gate.set()
