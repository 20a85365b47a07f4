"""Every test runs with its own XDG folders: nothing reads or writes the real user's data."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

XDG_VARS = ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME")


@pytest.fixture(autouse=True)
def isolated_xdg(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    """The XDG data/config/cache/state folders in a fresh tmp folder per test (its root is
    yielded); no articles folder or NO_COLOR inherited from the environment."""
    root = tmp_path_factory.mktemp("xdg")
    for var in XDG_VARS:
        path = root / var.lower()
        path.mkdir()
        monkeypatch.setenv(var, str(path))
    monkeypatch.delenv("NEWSTUI_ARTICLES", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    # no cache merge in the background (a process outliving its test): the tests of
    # merging start one themselves (tests/unit/test_cache_merge.py)
    monkeypatch.setenv("NEWSTUI_CACHE_MERGE", "off")
    yield root
