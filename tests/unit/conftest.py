"""Fixtures shared by the unit tests of the library cache."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

import newstui.core.library.opening as opening_mod
from newstui.core.library import FileEntry, ScanResult


@pytest.fixture
def loads(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """Which files (their names) each ``open_library`` call really loaded."""
    calls: list[list[str]] = []
    real = opening_mod.load_entries

    def spy(entries: Sequence[FileEntry], **kw: object) -> ScanResult:
        calls.append([e.path.name for e in entries])
        return real(entries, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(opening_mod, "load_entries", spy)
    return calls
