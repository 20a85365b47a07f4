"""The app at scale (issue 13): work that grows with the library stays off the event loop."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest
from test_ui_support import fill_folder, open_app, settle, status_text, titles, wait_until

from newstui.core.library.facets import Facets, Key
from newstui.ui import model
from newstui.ui.widgets.sidebar import Sidebar


async def test_choosing_a_source_works_out_its_articles_in_a_worker(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "articles"
    fill_folder(folder, 30)  # sources Reuters, AP, BBC News in turn
    threads: list[threading.Thread] = []
    real = Facets.members

    def members(self: Facets, key: Key) -> Any:
        threads.append(threading.current_thread())
        return real(self, key)

    monkeypatch.setattr(Facets, "members", members)
    async with open_app(folder, size=(160, 50)) as (app, pilot):
        bar = app.query_one("#sidebar", Sidebar)
        bar.focus()
        assert bar.select_key(Key("source", "AP"))
        await pilot.press("enter")
        await settle(pilot)
        assert len(titles(app)) == 10
        assert all(a.source == "AP" for a in app.article_list.articles)
        assert "10 of 30 articles" in status_text(app)
        assert threads
        assert all(t is not threading.main_thread() for t in threads)
        # back to All: every article again
        bar.focus()
        assert bar.select_key(Key("all"))
        await pilot.press("enter")
        await settle(pilot)
        assert len(titles(app)) == 30


async def test_a_large_library_is_sorted_over_arrays(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(model, "ARRAY_SORT_MIN", 10)  # a large library, in small
    folder = tmp_path / "articles"
    fill_folder(folder, 40)
    async with open_app(folder) as (app, pilot):
        newest = titles(app)
        await pilot.press("s")  # oldest
        await settle(pilot)
        oldest = titles(app)
    monkeypatch.setattr(model, "ARRAY_SORT_MIN", 10**9)
    async with open_app(folder) as (app, pilot):
        assert titles(app) == oldest  # the order is remembered: oldest first
        await pilot.press("s", "s", "s")  # title, source, newest
        await settle(pilot)
        assert titles(app) == newest


async def test_gc_waits_for_the_load_workers_then_comes_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import gc

    from newstui.ui import front_page

    monkeypatch.setattr(front_page, "GC_HOLD_MIN", 1)  # a large library, in small
    folder = tmp_path / "articles"
    fill_folder(folder, 20)
    seen: list[bool] = []
    real = Facets.build.__func__  # type: ignore[attr-defined]

    def build(cls: type[Facets], *args: Any, **kwargs: Any) -> Facets:
        # a count that takes a while: the app holds the GC from the end of the load on
        for _ in range(200):
            if not gc.isenabled():
                break
            time.sleep(0.01)
        seen.append(gc.isenabled())
        return real(cls, *args, **kwargs)  # type: ignore[no-any-return]

    monkeypatch.setattr(Facets, "build", classmethod(build))
    assert gc.isenabled()
    async with open_app(folder) as (app, pilot):
        assert await wait_until(pilot, lambda: gc.isenabled() and app._gc_timer is None)
        assert seen == [False]  # the sidebar was counted with automatic GC held
        assert titles(app)
    assert gc.isenabled()


async def test_quitting_while_gc_is_held_gives_it_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import gc

    from newstui.ui import front_page

    monkeypatch.setattr(front_page, "GC_HOLD_MIN", 1)
    monkeypatch.setattr(front_page, "GC_HOLD_GROUPS", frozenset({"never-done"}))
    monkeypatch.setattr(front_page, "GC_HOLD_MAX", 600.0)
    folder = tmp_path / "articles"
    fill_folder(folder, 5)
    async with open_app(folder, wait=False) as (app, pilot):
        assert await wait_until(pilot, lambda: app._gc_timer is not None)
        assert not gc.isenabled()
        await pilot.press("q")
    assert gc.isenabled()
