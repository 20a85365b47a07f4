"""Functional tests never touch the user's real data, settings or cache."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest


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
