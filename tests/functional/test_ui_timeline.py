"""The timeline above the list (issue 12, item 7): what it shows, following the list and the
search, and narrowing the list to a period with the keys and with the mouse, by writing
``after:``/``before:`` into the query.

The ``articles_dir`` fixture: 30 articles one a day from 2024-03-01 to 2024-03-28 (two on
March 1 and 2), the volcano on April 2, the saffron on April 3, one undated article.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import UTC, date
from pathlib import Path
from typing import Any

import pytest
from test_ui_support import (
    NARROW,
    fill_folder,
    fit_console,
    notifications,
    open_app,
    screen_text,
    settle,
    status_text,
    write_article,
    write_settings,
    write_volcano,
)
from textual.pilot import Pilot

from newstui.core.article import Article
from newstui.core.search import SearchIndex
from newstui.core.search.results import SearchResult
from newstui.ui.app import NewsApp, create_app
from newstui.ui.screens.help import HelpScreen
from newstui.ui.widgets.timeline import LEVELS

REPO = Path(__file__).resolve().parents[2]
#: Where the bars start: " 2024-03-01 " (a day or week timeline).
BARS_X = len(" 2024-03-01 ")


def timeline_line(app: NewsApp) -> str:
    """The timeline's line as the terminal shows it ("" when it is not on screen)."""
    region = app.timeline.region
    if not region.height:
        return ""
    return screen_text(app).splitlines()[region.y][region.x : region.right]


def published_day(app: NewsApp) -> set[date]:
    """The publication days (UTC) of the listed articles."""
    days = set()
    for a in app.article_list.articles:
        assert a.published is not None
        days.add(a.published.astimezone(UTC).date())
    return days


def in_period(app: NewsApp, start: date, end: date) -> set[str]:
    return {
        a.id
        for a in app.article_list.articles
        if a.published is not None and start <= a.published.astimezone(UTC).date() < end
    }


async def test_the_timeline_shows_the_list_by_day(articles_dir: Path) -> None:
    async with open_app(articles_dir) as (app, _pilot):
        line = timeline_line(app)
        assert line.startswith(" 2024-03-01 ")
        assert "2024-04-03" in line and "by day" in line and "1 undated" in line
        bars = line[BARS_X : BARS_X + 34]  # 2024-03-01 .. 2024-04-03
        assert bars[0] == bars[1] == "█"  # two articles on March 1 and 2: the peak
        assert set(bars[2:28]) == {LEVELS[3]}  # one a day: half the peak
        assert bars[28:32] == "    "  # March 29 - April 1: nothing
        assert bars[32] == bars[33] == LEVELS[3]
        # above the list
        assert app.timeline.region.bottom <= app.article_list.region.y


async def test_the_timeline_shows_for_the_bundled_articles() -> None:
    async with open_app(REPO / "articles") as (app, _pilot):
        line = timeline_line(app)
        assert "2026-11-26" in line  # the welcome article; the Sessions story has no date
        assert "1 undated" in line
        assert "█" in line


async def test_t_right_enter_narrows_the_list_to_that_day(articles_dir: Path) -> None:
    async with open_app(articles_dir) as (app, pilot):
        await pilot.press("t")
        assert app.focused is app.timeline
        assert "2024-03-01 Fri: 2" in timeline_line(app)  # the highlighted bar, said
        await pilot.press("right")
        assert "2024-03-02 Sat: 2" in timeline_line(app)
        expected = in_period(app, date(2024, 3, 2), date(2024, 3, 3))
        assert len(expected) == 2
        await pilot.press("enter")
        await settle(pilot)
        assert app.search_box.value == "after:2024-03-02 before:2024-03-03"
        assert "after:2024-03-02 before:2024-03-03" in screen_text(app)  # the box shows it
        assert {a.id for a in app.article_list.articles} == expected
        assert "2 results" in status_text(app)
        # the timeline follows the narrowed list: one day, one bar
        line = timeline_line(app)
        assert line.startswith(" 2024-03-02 ") and "2024-03-03" not in line


async def test_a_click_on_a_bar_narrows_the_list_to_that_day(articles_dir: Path) -> None:
    async with open_app(articles_dir) as (app, pilot):
        expected = in_period(app, date(2024, 3, 5), date(2024, 3, 6))
        # a click on the start label is no bar: nothing happens
        assert await pilot.click("#timeline", offset=(3, 0))
        await settle(pilot)
        assert app.search_box.value == ""
        assert await pilot.click("#timeline", offset=(BARS_X + 4, 0))  # the 5th day
        await settle(pilot)
        assert app.search_box.value == "after:2024-03-05 before:2024-03-06"
        assert {a.id for a in app.article_list.articles} == expected
        assert len(expected) == 1


async def test_narrowing_a_search_keeps_its_words_and_replaces_its_dates(
    articles_dir: Path,
) -> None:
    async with open_app(articles_dir) as (app, pilot):
        await pilot.press("slash", *"harvest after:2020", "down")
        await settle(pilot)
        assert app.search_query == "harvest after:2020"
        before = {a.id for a in app.article_list.articles}
        expected = in_period(app, date(2024, 3, 3), date(2024, 3, 4))
        assert expected and expected < before
        await pilot.press("t", "right", "right", "enter")
        await settle(pilot)
        # the date terms first; "harvest" stays a whole word as it was (not a prefix)
        assert app.search_box.value == "after:2024-03-03 before:2024-03-04 harvest "
        assert {a.id for a in app.article_list.articles} == expected


async def test_weeks_on_a_narrow_terminal_and_narrowing_to_one(articles_dir: Path) -> None:
    async with open_app(articles_dir, size=NARROW) as (app, pilot):
        line = timeline_line(app)
        assert "by week" in line and line.startswith(" 2024-02-26 ")  # Monday of March 1
        await pilot.press("t", "right")
        assert "week of 2024-03-04: 7" in timeline_line(app)
        await pilot.press("enter")
        await settle(pilot)
        assert app.search_box.value == "after:2024-03-04 before:2024-03-11"
        assert published_day(app) == {date(2024, 3, d) for d in range(4, 11)}


async def test_esc_leaves_the_timeline_then_clears_the_dates_as_any_search(
    articles_dir: Path,
) -> None:
    async with open_app(articles_dir) as (app, pilot):
        await pilot.press("t", "right", "enter")
        await settle(pilot)
        assert len(app.article_list.articles) == 2
        await pilot.press("escape")
        assert app.focused is app.article_list
        await pilot.press("escape")
        await settle(pilot)
        assert app.search_box.value == ""
        assert len(app.article_list.articles) == 33
        assert "2024-04-03" in timeline_line(app)  # the whole span again


async def test_an_empty_period_is_said_not_searched(articles_dir: Path) -> None:
    async with open_app(articles_dir) as (app, pilot):
        await pilot.press("t", "end", "left", "left")  # April 1: nothing
        assert "2024-04-01 Mon: 0" in timeline_line(app)
        await pilot.press("enter")
        await settle(pilot)
        assert app.search_box.value == ""
        assert any("Nothing was published in 2024-04-01" in n for n in notifications(app))


async def test_the_timeline_counts_every_result_not_only_the_first_page(
    articles_dir: Path,
) -> None:
    app = create_app(articles_dir)
    app.session.page = 5
    async with open_app(app) as (app, pilot):
        await pilot.press("slash", *"report")
        await settle(pilot)
        # the 30 reports and the saffron story ("Farmers report...")
        assert app.result is not None and app.result.total == 31
        assert len(app.article_list.articles) < 31
        line = timeline_line(app)
        assert line.startswith(" 2024-03-01 ") and "2024-04-03" in line
        await pilot.press("down", "t")
        assert "2024-03-01 Fri: 2" in timeline_line(app)
        await pilot.press("end")
        assert "2024-04-03 Wed: 1" in timeline_line(app)


async def test_no_timeline_without_dates(tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    write_article(folder, "a.txt", "First note", "Some text.")
    write_article(folder, "b.txt", "Second note", "More text.")
    async with open_app(folder) as (app, pilot):
        assert timeline_line(app) == ""
        assert "undated" not in screen_text(app)
        await pilot.press("t")
        assert app.focused is app.article_list
        assert any("No article in the list has a date" in n for n in notifications(app))


@pytest.mark.parametrize(("rows", "shown"), [(19, False), (20, True)])
async def test_no_timeline_below_20_rows(articles_dir: Path, rows: int, shown: bool) -> None:
    async with open_app(articles_dir, size=(80, rows)) as (app, pilot):
        assert bool(timeline_line(app)) is shown
        await pilot.press("t")
        assert (app.focused is app.timeline) is shown
        if not shown:
            assert any("20 rows" in n for n in notifications(app))


async def test_t_from_the_reader_on_a_narrow_terminal(articles_dir: Path) -> None:
    async with open_app(articles_dir, size=NARROW) as (app, pilot):
        await pilot.press("enter")
        await pilot.pause()
        assert timeline_line(app) == ""  # the reader has the screen
        await pilot.press("t")
        await pilot.pause()
        assert app.focused is app.timeline
        assert "by week" in timeline_line(app) or "week of" in timeline_line(app)


async def test_help_lists_the_timeline_keys(articles_dir: Path) -> None:
    async with open_app(articles_dir) as (app, pilot):
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = screen_text(app)
        assert "Timeline" in text and "Narrow to it" in text and "pick a period" in text


async def test_a_long_list_is_dated_in_a_thread_and_still_shown(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("newstui.ui.widgets.timeline.INLINE_MAX", 5)
    reprs: list[str] = []
    # a worker's arguments are not repr()ed (Textual does so for its description): at 100k
    # articles that took seconds on the event loop
    monkeypatch.setattr(Article, "__repr__", lambda a: reprs.append(a.id) or a.id)
    folder = tmp_path / "articles"
    fill_folder(folder, 12)
    async with open_app(folder) as (app, _pilot):
        line = timeline_line(app)
        assert line.startswith(" 2024-03-01 ") and "2024-03-12" in line
    assert reprs == []


# --- the snapshot ----------------------------------------------------------------------------------
@pytest.fixture
def pinned_search_time(monkeypatch: pytest.MonkeyPatch) -> None:
    search = SearchIndex.search

    def pinned(self: SearchIndex, query: str, **kw: Any) -> SearchResult:
        return dataclasses.replace(search(self, query, **kw), took_ms=1.5)

    monkeypatch.setattr(SearchIndex, "search", pinned)


@pytest.mark.usefixtures("pinned_search_time")
def test_snapshot_timeline_focused_on_a_day_120x40(
    snap_compare: Callable[..., bool], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The timeline focused, the third day highlighted and said ("2024-03-03 Sun: 1")."""
    folder = tmp_path / "articles"
    fill_folder(folder, 24)
    write_volcano(folder)
    write_article(folder, "undated.txt", "An undated note", "No date here.")
    monkeypatch.chdir(tmp_path)
    app = create_app(Path("articles"))
    fit_console(app, (120, 40))

    async def run(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("t", "right", "right")
        await settle(pilot)
        pilot.app.clear_notifications()
        await pilot.pause()

    assert snap_compare(app, terminal_size=(120, 40), run_before=run)


async def test_the_timeline_keys_follow_the_keymap(articles_dir: Path) -> None:
    config = write_settings('[keymap]\n"app.timeline" = "T"\n"timeline.narrow" = "space"\n')
    async with open_app(articles_dir, config) as (app, pilot):
        assert not notifications(app)  # both binding ids are known
        await pilot.press("T", "right", "space")
        await settle(pilot)
        assert app.search_box.value == "after:2024-03-02 before:2024-03-03"


async def test_hovering_a_bar_says_its_period(articles_dir: Path) -> None:
    async with open_app(articles_dir) as (app, pilot):
        assert "by day" in timeline_line(app)
        await pilot.hover("#timeline", offset=(BARS_X + 4, 0))
        await pilot.pause()
        assert "2024-03-05 Tue: 1" in timeline_line(app)
        assert app.focused is app.article_list  # hovering moves nothing
        await pilot.hover("#list")
        await pilot.pause()
        assert "by day" in timeline_line(app)
