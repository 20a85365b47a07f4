"""Snapshot tests of what the app shows, a class per feature (pytest-textual-snapshot; SVGs in
``__snapshots__/``). Update with ``--snapshot-update`` and look at every changed SVG first.

Deterministic: fixed articles with fixed dates, opened by a relative path (no tmp path on
screen), isolated XDG folders, a fixed terminal size (the console told it, as a real
terminal does), the search time pinned (the status line shows it), no blinking cursor, the
notifications cleared.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, Protocol

import pytest
from test_ui_support import (
    NARROW,
    fill_folder,
    fit_console,
    settle,
    write_article,
    write_settings,
    write_volcano,
)
from textual.pilot import Pilot
from textual.widgets import Input

from newstui.core.search import SearchIndex
from newstui.core.search.results import SearchResult
from newstui.ui.app import create_app

WIDE = (120, 40)
#: Pressed as one key; any other string is typed character by character.
KEYS = {"enter", "escape", "slash", "question_mark", "exclamation_mark", "ctrl+p", "end", "n"}


class Shoot(Protocol):
    def __call__(self, size: tuple[int, int], *keys: str, theme: str | None = None) -> bool: ...


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    folder = tmp_path / "articles"
    fill_folder(folder, 24)
    write_volcano(folder)
    return folder


@pytest.fixture(autouse=True)
def pinned_search_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every search "took" 1.5 ms, so the status line is the same on every run."""
    search = SearchIndex.search

    def pinned(self: SearchIndex, query: str, **kw: Any) -> SearchResult:
        return dataclasses.replace(search(self, query, **kw), took_ms=1.5)

    monkeypatch.setattr(SearchIndex, "search", pinned)


def steps(*keys: str) -> Callable[[Pilot[Any]], Awaitable[None]]:
    """Settle; press or type each of ``keys`` and settle; then a still frame."""

    async def run(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        for key in keys:
            await pilot.press(*([key] if key in KEYS else key))
            await settle(pilot)
        pilot.app.clear_notifications()
        focused = pilot.app.focused
        if isinstance(focused, Input):  # its cursor shown, steadily
            focused.cursor_blink = False
            await pilot.press("right")
        await pilot.pause()

    return run


@pytest.fixture
def shoot(
    snap_compare: Callable[..., bool], monkeypatch: pytest.MonkeyPatch, folder: Path
) -> Shoot:
    """``shoot(size, *keys, theme=...)``: the app on ``folder`` after ``keys``, compared with
    the test's snapshot."""

    def run(size: tuple[int, int], *keys: str, theme: str | None = None) -> bool:
        if theme:
            write_settings(f'theme = "{theme}"\n')
        monkeypatch.chdir(folder.parent)
        app = create_app(Path(folder.name))
        fit_console(app, size)
        return snap_compare(app, terminal_size=size, run_before=steps(*keys))

    return run


class TestMainScreen:
    def test_main_screen_120x40(self, shoot: Shoot) -> None:
        assert shoot(WIDE)

    def test_main_screen_80x24(self, shoot: Shoot) -> None:
        """Below 100 columns the list alone; the reader takes its place on Enter."""
        assert shoot(NARROW)


class TestReader:
    def test_reader_open_120x40(self, shoot: Shoot) -> None:
        assert shoot(WIDE, "enter")

    def test_reader_open_80x24(self, shoot: Shoot) -> None:
        assert shoot(NARROW, "enter")

    def test_reader_with_highlights_and_the_current_match(self, shoot: Shoot) -> None:
        """Searched "volcano harbour", opened the top result, n: every match marked, the
        current one on the accent colour."""
        assert shoot(WIDE, "slash", "volcano harbour", "enter", "n")


class TestSearch:
    def test_results_with_snippets_120x40(self, shoot: Shoot) -> None:
        """Ranked results replace the list; titles and snippets mark the matched words."""
        assert shoot(WIDE, "slash", "copper")

    def test_results_80x24(self, shoot: Shoot) -> None:
        assert shoot(NARROW, "slash", "copper")

    def test_no_results_says_so(self, shoot: Shoot) -> None:
        assert shoot(WIDE, "slash", "zzqxv")


class TestHelp:
    def test_help_120x40(self, shoot: Shoot) -> None:
        assert shoot(WIDE, "question_mark")

    def test_help_80x24_scrolled_to_the_search_syntax(self, shoot: Shoot) -> None:
        assert shoot(NARROW, "question_mark", "end")


class TestProblems:
    def test_problems_screen(self, shoot: Shoot, folder: Path) -> None:
        """Bad files named relative to the folder, each with its reason in full."""
        (folder / "broken.json").write_text("{not json", encoding="utf-8")
        (folder / "binary.txt").write_bytes(b"\x00\x01\x02" * 500)
        assert shoot(WIDE, "exclamation_mark")


class TestPalette:
    def test_palette_filtered_to_sort(self, shoot: Shoot) -> None:
        assert shoot(WIDE, "ctrl+p", "sort")


class TestLightTheme:
    def test_main_screen_light(self, shoot: Shoot) -> None:
        assert shoot(WIDE, theme="textual-light")

    def test_reader_with_highlights_light(self, shoot: Shoot) -> None:
        assert shoot(WIDE, "slash", "volcano harbour", "enter", "n", theme="textual-light")


class TestSidebar:
    """The sidebar: rows with unread/total counts (sources, folders nested as on disk)."""

    @pytest.fixture(autouse=True)
    def folders(self, folder: Path) -> None:
        for sub, name, title in (
            ("sport", "cup.txt", "Cup final tonight"),
            ("sport/football", "striker.txt", "Striker signs for a record fee"),
            ("business", "rally.txt", "Markets rally on rate hopes"),
        ):
            (folder / sub).mkdir(parents=True, exist_ok=True)
            write_article(folder / sub, name, title, f"{title}.", date="2024-05-01T10:00:00")

    def test_sidebar_120x40_toggled_on(self, shoot: Shoot) -> None:
        assert shoot(WIDE, "B")

    def test_sidebar_160x50_shown_by_default(self, shoot: Shoot) -> None:
        assert shoot((160, 50))

    def test_sidebar_160x50_a_folder_chosen(self, shoot: Shoot) -> None:
        """B B (hidden, shown and focused), j to the football folder (in sport), Enter: the list
        shows its articles, the status line says where."""
        assert shoot((160, 50), "B", "B", *["j"] * 9, "enter")

    def test_sidebar_collapsed_at_80x24(self, shoot: Shoot) -> None:
        assert shoot(NARROW)

    def test_sidebar_toggled_at_80x24_takes_the_screen(self, shoot: Shoot) -> None:
        assert shoot(NARROW, "B")


class TestFlow:
    def test_preview_follows_the_cursor_120x40(self, shoot: Shoot) -> None:
        """The list above the reader, full width; j moved the cursor and the reader shows
        the highlighted article (a preview: nothing marked read)."""
        assert shoot(WIDE, "j")

    def test_reader_with_numbered_links(self, shoot: Shoot, folder: Path) -> None:
        """Links numbered in the text ([1]) and listed after it; a javascript: link is
        neither."""
        (folder / "rates.md").write_text(
            "---\ntitle: Rates rise again\ndate: 2020-05-01\nsource: Wire\n---\n"
            "The [central bank](https://bank.example/rates) raised rates; see the "
            "[minutes](https://bank.example/minutes) and https://stats.example/table-3.\n\n"
            "A [trap](javascript:alert(1)) and mail to <mailto:desk@news.example>.\n",
            encoding="utf-8",
        )
        assert shoot(WIDE, "slash", "central bank", "enter")
