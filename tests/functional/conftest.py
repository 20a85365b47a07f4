"""Functional tests never touch the user's real data, settings or cache."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from test_ui_support import fill_folder, write_article, write_volcano


@pytest.fixture(autouse=True)
def isolated_xdg(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    """XDG_DATA_HOME / XDG_CONFIG_HOME / XDG_CACHE_HOME in a fresh tmp folder per test."""
    root = tmp_path_factory.mktemp("xdg")
    for name in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
        folder = root / name.lower()
        folder.mkdir()
        monkeypatch.setenv(name, str(folder))
    monkeypatch.delenv("NEWSTUI_ARTICLES", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    yield root


@pytest.fixture
def articles_dir(tmp_path: Path) -> Path:
    """A folder of 30 ordinary articles plus three with known words."""
    folder = tmp_path / "articles"
    fill_folder(folder, 30)
    write_volcano(folder)
    write_article(
        folder,
        "saffron.txt",
        "Saffron harvest doubles",
        "Farmers report a record saffron harvest.\n\n"
        + "Filler text. " * 200
        + "\n\nSaffron prices fall.",
        date="2024-04-03T09:00:00",
        source="Agri Daily",
        url="https://news.example/saffron",
    )
    write_article(
        folder,
        "undated.txt",
        "An undated note about glaciers",
        "Glaciers retreat.",
    )
    return folder


async def _settle(pilot: Any) -> None:
    """Wait until the app has finished loading, sorting and searching, and has repainted."""
    app = pilot.app
    for _ in range(200):
        await app.workers.wait_for_complete()
        await pilot.pause()
        if not app.busy:
            await pilot.pause()
            return
    raise AssertionError("the app never settled")


def _screen_text(app: Any) -> str:
    """What the terminal shows now, as plain text lines."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


@pytest.fixture
def settle() -> Callable[[Any], Awaitable[None]]:
    return _settle


@pytest.fixture
def screen_text() -> Callable[[Any], str]:
    return _screen_text
