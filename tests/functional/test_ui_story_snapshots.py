"""Snapshots of stories (pytest-textual-snapshot; SVGs in ``__snapshots__/``): the list with a
story's ``+2`` badge, the same story expanded into its versions, and the diff view of the
corrected Reuters-style story. Update with ``--snapshot-update`` and look at every changed
SVG first.

Deterministic as ``test_ui_snapshots``: fixed articles and dates, a relative folder path,
isolated XDG folders, a fixed terminal size, no notifications.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

import pytest
from stories_support import write_stories
from test_ui_support import fit_console, settle
from textual.pilot import Pilot

from newstui.ui.app import create_app

WIDE = (120, 40)


class Shoot(Protocol):
    def __call__(self, *keys: str) -> bool: ...


@pytest.fixture
def shoot(
    snap_compare: Callable[..., bool], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Shoot:
    folder = write_stories(tmp_path / "articles")

    def run(*keys: str) -> bool:
        async def steps(pilot: Pilot[Any]) -> None:
            await settle(pilot)
            for key in keys:
                await pilot.press(key)
                await settle(pilot)
            pilot.app.clear_notifications()
            await pilot.pause()

        monkeypatch.chdir(folder.parent)
        app = create_app(Path(folder.name))
        fit_console(app, WIDE)
        return snap_compare(app, terminal_size=WIDE, run_before=steps)

    return run


class TestStories:
    def test_list_with_a_story_badge(self, shoot: Shoot) -> None:
        """Nine articles, seven stories: the corrected cocoa story stands for its three
        versions with "+2 ▸"; the status line counts the stories."""
        assert shoot()

    def test_list_with_the_story_expanded(self, shoot: Shoot) -> None:
        """e: the versions under the story's row, each with its date and source."""
        assert shoot("e")

    def test_diff_of_the_correction(self, shoot: Shoot) -> None:
        """D on the corrected story: the changed and added sentences highlighted, the
        replaced one struck through, against the Reuters original."""
        assert shoot("enter", "D")
