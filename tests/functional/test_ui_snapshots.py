"""Snapshot tests of the main screen (pytest-textual-snapshot; SVGs in __snapshots__/).

Deterministic: fixed articles in a tmp folder with fixed dates, isolated XDG folders, no
clock or timing on screen (no search, so no took_ms). Update with ``--snapshot-update``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from test_ui_support import fill_folder, write_volcano

from newstui.ui.app import create_app


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "articles"
    fill_folder(folder, 24)
    write_volcano(folder)
    return folder


async def _loaded(pilot: Any) -> None:
    app = pilot.app
    for _ in range(200):
        await app.workers.wait_for_complete()
        await pilot.pause()
        if not app.busy:
            break
    app.clear_notifications()
    await pilot.pause()


def test_main_screen_120x40(snap_compare: Callable[..., bool], tmp_path: Path) -> None:
    app = create_app(_folder(tmp_path))
    assert snap_compare(app, terminal_size=(120, 40), run_before=_loaded)


def test_main_screen_80x24(snap_compare: Callable[..., bool], tmp_path: Path) -> None:
    app = create_app(_folder(tmp_path))
    assert snap_compare(app, terminal_size=(80, 24), run_before=_loaded)


def test_reader_open_120x40(snap_compare: Callable[..., bool], tmp_path: Path) -> None:
    app = create_app(_folder(tmp_path))

    async def open_first(pilot: Any) -> None:
        await _loaded(pilot)
        await pilot.press("enter")
        await _loaded(pilot)

    assert snap_compare(app, terminal_size=(120, 40), run_before=open_first)


def test_reader_open_80x24(snap_compare: Callable[..., bool], tmp_path: Path) -> None:
    app = create_app(_folder(tmp_path))

    async def open_first(pilot: Any) -> None:
        await _loaded(pilot)
        await pilot.press("enter")
        await _loaded(pilot)

    assert snap_compare(app, terminal_size=(80, 24), run_before=open_first)
