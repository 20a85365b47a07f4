"""Fixtures of the functional tests: a folder of known articles, and ``settle`` / ``screen_text``
from ``test_ui_support`` (the XDG isolation is the root conftest's)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from test_ui_support import fill_folder, screen_text, settle, write_article, write_volcano


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


# The UI tests import these from test_ui_support; as fixtures too, for tests that take them so.
@pytest.fixture(name="settle")
def settle_fixture() -> Callable[[Any], Awaitable[None]]:
    """``await settle(pilot)``: wait until the app is idle and repainted."""
    return settle


@pytest.fixture(name="screen_text")
def screen_text_fixture() -> Callable[[Any], str]:
    """``screen_text(app)``: what the terminal shows now."""
    return screen_text
