"""Stories in the app (issue 14): one row per story with a ``+N`` badge, ``e`` / a click
on the badge lists the versions, marking a story read marks its versions (unless the
setting says not to), searching shows a story once; in the reader "Also reported by", ``v`` /
``V`` step through the versions, ``D`` shows what changed, "Related" lists other stories and
``R`` opens one."""

from __future__ import annotations

from pathlib import Path

import pytest
from stories_support import (
    COCOA,
    COCOA_ADDED,
    COCOA_CHANGED,
    COCOA_REMOVED,
    write_stories,
)
from test_ui_support import (
    NARROW,
    notifications,
    open_app,
    row_text,
    screen_text,
    settle,
    status_text,
    titles,
    wait_until,
    write_article,
    write_settings,
)
from textual.containers import VerticalScroll
from textual.widgets import OptionList

from newstui.core.article import Article
from newstui.ui.screens.related import RelatedScreen
from newstui.ui.screens.versions import DiffScreen
from newstui.ui.widgets.reader import BACKGROUND_LAYOUT_CHARS
from newstui.ui.widgets.story_list import StoryList
from newstui.ui.widgets.story_reader import StoryReader

CORRECTED = "Bahia cocoa review (Corrected)"
ORIGINAL = "Bahia cocoa review"
AP_COPY = "Rain eases drought in Brazil's cocoa zone"
GHANA = "Ghana raises cocoa price for farmers"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return write_stories(tmp_path / "articles")


def story_list(app: object) -> StoryList:
    lst = app.article_list  # type: ignore[attr-defined]
    assert isinstance(lst, StoryList)
    return lst


def story_reader(app: object) -> StoryReader:
    reader = app.reader  # type: ignore[attr-defined]
    assert isinstance(reader, StoryReader)
    return reader


# --- the list ----------------------------------------------------------------------------------
async def test_a_story_is_one_row_with_a_badge_counting_its_other_versions(folder: Path) -> None:
    async with open_app(folder) as (app, _pilot):
        shown = titles(app)
        assert shown[0] == CORRECTED  # the newest version stands for the story
        assert ORIGINAL not in shown and AP_COPY not in shown
        assert len(shown) == 7  # 9 articles, 7 stories
        assert row_text(app, 0).rstrip().endswith("+2 ▸")
        assert "+" not in row_text(app, 1).rstrip()[-4:]  # Ghana: a story of its own
        assert GHANA in shown
        assert "9 articles in 7 stories" in status_text(app)


async def test_e_expands_a_story_into_its_versions_and_collapses_it(folder: Path) -> None:
    async with open_app(folder) as (app, pilot):
        await pilot.press("e")
        await settle(pilot)
        assert titles(app)[:4] == [CORRECTED, AP_COPY, ORIGINAL, GHANA]
        assert row_text(app, 0).rstrip().endswith("+2 ▾")
        version = row_text(app, 1)
        assert "└" in version and "AP" in version and "1987-02-26 15:00" in version
        assert "Reuters" in row_text(app, 2) and "1987-02-26 09:00" in row_text(app, 2)
        # from a version row, e folds the story back, the cursor on its row
        await pilot.press("j", "j")
        assert app.article_list.highlighted is not None
        assert app.article_list.highlighted.title == ORIGINAL
        await pilot.press("e")
        await settle(pilot)
        assert titles(app)[:2] == [CORRECTED, GHANA]
        assert app.article_list.cursor == 0
        # an article alone says so
        await pilot.press("j", "e")
        assert any("no other version" in n for n in notifications(app))
        assert titles(app)[:2] == [CORRECTED, GHANA]


async def test_a_version_row_opens_that_version(folder: Path) -> None:
    async with open_app(folder) as (app, pilot):
        await pilot.press("e", "j", "enter")
        await settle(pilot)
        assert app.reader.article is not None and app.reader.article.title == AP_COPY


async def test_a_click_on_the_badge_expands_and_collapses_the_story(folder: Path) -> None:
    async with open_app(folder) as (app, pilot):
        lst = story_list(app)
        width = lst.scrollable_content_region.width
        await pilot.click("#list", offset=(width - 2, 0))
        await settle(pilot)
        assert titles(app)[:3] == [CORRECTED, AP_COPY, ORIGINAL]
        assert app.opened is None  # the click expanded, it opened nothing (the reader may preview)
        await pilot.click("#list", offset=(width - 2, 0))
        await settle(pilot)
        assert titles(app)[:2] == [CORRECTED, GHANA]
        # a click elsewhere on the row is a click on the row, as before: no expanding
        await pilot.click("#list", offset=(20, 1))
        await settle(pilot)
        assert titles(app)[:2] == [CORRECTED, GHANA]
        assert lst.cursor == 1


async def test_m_marks_every_version_of_the_story_read(folder: Path) -> None:
    async with open_app(folder) as (app, pilot):
        ids = [v.id for v in story_list(app).view.versions(app.article_list.articles[0].id)]
        assert len(ids) == 3
        await pilot.press("m")
        await settle(pilot)
        assert all(app.store.is_read(i) for i in ids)
        await pilot.press("m")
        await settle(pilot)
        assert not any(app.store.is_read(i) for i in ids)
        # the other stories are untouched
        assert not any(app.store.is_read(a.id) for a in app.article_list.articles[1:])


async def test_with_story_read_all_off_m_marks_the_one_article(folder: Path) -> None:
    config = write_settings("story_read_all = false\n")
    async with open_app(folder, config) as (app, pilot):
        assert not app.settings.story_read_all
        ids = [v.id for v in story_list(app).view.versions(app.article_list.articles[0].id)]
        await pilot.press("m")
        await settle(pilot)
        assert app.store.is_read(ids[0])
        assert not app.store.is_read(ids[1]) and not app.store.is_read(ids[2])


async def test_opening_a_story_marks_its_versions_read(folder: Path) -> None:
    async with open_app(folder) as (app, pilot):
        ids = [v.id for v in story_list(app).view.versions(app.article_list.articles[0].id)]
        await pilot.press("enter")
        await settle(pilot)
        assert all(app.store.is_read(i) for i in ids)
        assert not app.store.is_read(app.article_list.articles[1].id)


async def test_with_story_read_all_off_opening_marks_the_one_article(folder: Path) -> None:
    config = write_settings("story_read_all = false\n")
    async with open_app(folder, config) as (app, pilot):
        ids = [v.id for v in story_list(app).view.versions(app.article_list.articles[0].id)]
        await pilot.press("enter")
        await settle(pilot)
        assert [app.store.is_read(i) for i in ids] == [True, False, False]


async def test_mark_all_read_counts_and_marks_the_versions_too(folder: Path) -> None:
    async with open_app(folder) as (app, pilot):
        await pilot.press("M")
        await settle(pilot)
        assert "Mark 9 unread articles" in screen_text(app)
        await pilot.press("y")
        await settle(pilot)
        assert all(app.store.is_read(a.id) for a in app.library.articles)


async def test_hiding_read_articles_hides_a_story_read_as_a_whole(folder: Path) -> None:
    async with open_app(folder) as (app, pilot):
        await pilot.press("m", "u")
        await settle(pilot)
        shown = titles(app)
        assert CORRECTED not in shown and ORIGINAL not in shown and AP_COPY not in shown
        assert shown[0] == GHANA


async def test_search_shows_a_story_once_as_its_best_ranked_version(folder: Path) -> None:
    async with open_app(folder) as (app, pilot):
        await pilot.press("slash", *"brazil")
        await settle(pilot)
        # only the AP copy says "Brazil": it stands for the story
        assert titles(app) == [AP_COPY]
        await pilot.press("escape", "slash", *"bahia")
        await settle(pilot)
        shown = titles(app)
        assert len([t for t in shown if t in (CORRECTED, ORIGINAL, AP_COPY)]) == 1
        assert app.result is not None and app.result.total == 3  # three versions matched


async def test_regrouping_keeps_the_cursor_on_its_article_or_its_story(folder: Path) -> None:
    async with open_app(folder) as (app, pilot):
        lst = story_list(app)
        view = lst.view
        stories, by_id = view.stories, view.by_id
        lst.set_stories(None, by_id)  # as before the grouping landed: one row per article
        await settle(pilot)
        assert len(titles(app)) == 9
        lst.move_to(titles(app).index(ORIGINAL))
        chess = titles(app).index("Teenager takes chess title")
        lst.set_stories(stories, by_id)  # the grouping arrives: the cursor's version folds
        await settle(pilot)
        assert lst.highlighted is not None and lst.highlighted.title == CORRECTED
        lst.set_stories(None, by_id)
        lst.move_to(chess)
        lst.set_stories(stories, by_id)
        await settle(pilot)
        assert lst.highlighted is not None and lst.highlighted.title == "Teenager takes chess title"


# --- the reader --------------------------------------------------------------------------------
async def test_the_reader_says_who_else_reported_the_story(folder: Path) -> None:
    async with open_app(folder) as (app, pilot):
        await pilot.press("enter")
        await settle(pilot)
        lines = app.reader.plain_lines
        assert lines[0].startswith(CORRECTED)
        assert "Reuters" in lines[1]  # the byline
        assert lines[2].startswith("Also reported by: AP, Reuters (3 versions)")
        assert "version 1 of 3" in lines[3]
        # an article alone in its story has no such line
        await pilot.press("escape", "j", "enter")
        await settle(pilot)
        assert not any("Also reported by" in line for line in app.reader.plain_lines)


async def test_v_and_V_step_through_the_versions(folder: Path) -> None:
    async with open_app(folder) as (app, pilot):
        await pilot.press("enter")
        await settle(pilot)
        seen = []
        for _ in range(3):
            assert app.reader.article is not None
            seen.append(app.reader.article.title)
            await pilot.press("v")
            await settle(pilot)
        assert seen == [CORRECTED, AP_COPY, ORIGINAL]
        assert any("No older version" in n for n in notifications(app))
        assert any("version 3 of 3" in line for line in app.reader.plain_lines)
        await pilot.press("V")
        await settle(pilot)
        assert app.reader.article is not None and app.reader.article.title == AP_COPY
        assert app.store.is_read(app.reader.article.id)  # opened for real


async def test_D_shows_the_added_and_removed_sentences_of_the_correction(folder: Path) -> None:
    async with open_app(folder) as (app, pilot):
        await pilot.press("enter")  # the corrected story (the newest version)
        await settle(pilot)
        await pilot.press("D")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, DiffScreen)
        # against the story it corrects (the same source), not the AP copy between them
        assert screen.old.title == ORIGINAL and screen.new.title == CORRECTED
        assert f"+ {COCOA_ADDED}" in screen.lines
        assert f"+ {COCOA_CHANGED}" in screen.lines
        assert f"- {COCOA_REMOVED}" in screen.lines
        assert len([line for line in screen.lines if line[0] in "+-"]) == 3
        text = screen_text(app)
        assert "Changes" in text and "2 sentences added · 1 removed" in text
        assert COCOA_ADDED in text
        # the added sentences are highlighted, the removed one struck through and dimmed
        added = screen.get_component_rich_style("diff--added")
        removed = screen.get_component_rich_style("diff--removed")
        assert added.bgcolor is not None and removed.strike
        await pilot.press("escape")
        assert not isinstance(app.screen, DiffScreen)


async def test_D_from_the_oldest_version_compares_it_with_the_next(folder: Path) -> None:
    async with open_app(folder) as (app, pilot):
        await pilot.press("enter", "v")
        await settle(pilot)
        assert app.reader.article is not None and app.reader.article.title == AP_COPY
        await pilot.press("v", "D")  # the oldest: the original
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, DiffScreen)
        assert screen.old.title == ORIGINAL and screen.new.title == AP_COPY


async def test_D_on_an_article_alone_says_there_is_nothing_to_compare(folder: Path) -> None:
    async with open_app(folder) as (app, pilot):
        await pilot.press("j", "enter", "D")
        await settle(pilot)
        assert not isinstance(app.screen, DiffScreen)
        assert any("no other version" in n for n in notifications(app))


async def test_related_lists_other_stories_and_R_opens_one(folder: Path) -> None:
    async with open_app(folder) as (app, pilot):
        await pilot.press("enter")
        await settle(pilot)
        reader = story_reader(app)
        assert await wait_until(pilot, lambda: reader.related is not None)
        related = reader.related_lines
        assert related and related[0] == GHANA  # the same topic, another story
        assert not {CORRECTED, ORIGINAL, AP_COPY} & set(related)  # never its own story
        assert len(related) <= 5
        lines = reader.plain_lines
        assert "Related" in lines
        text = " ".join(line.strip() for line in lines[lines.index("Related") :])
        assert f"1. {GHANA} — BBC News, 1987-02-25" in text
        await pilot.press("R")
        await settle(pilot)
        assert isinstance(app.screen, RelatedScreen)
        assert GHANA in screen_text(app)
        await pilot.press("1")
        await settle(pilot)
        assert not isinstance(app.screen, RelatedScreen)
        assert app.reader.article is not None and app.reader.article.title == GHANA


async def test_R_then_enter_opens_the_highlighted_related_story(folder: Path) -> None:
    async with open_app(folder) as (app, pilot):
        await pilot.press("enter")
        await settle(pilot)
        reader = story_reader(app)
        assert await wait_until(pilot, lambda: bool(reader.related))
        second = reader.related[1] if reader.related and len(reader.related) > 1 else None
        await pilot.press("R")
        await settle(pilot)
        assert isinstance(app.screen.focused, OptionList)
        if second is not None:
            await pilot.press("down")
        await pilot.press("enter")
        await settle(pilot)
        expected = second.title if second is not None else GHANA
        assert app.reader.article is not None and app.reader.article.title == expected
        # Esc closes the picker without opening anything
        await pilot.press("R")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, RelatedScreen)
        assert app.reader.article.title == expected


async def test_story_text_is_never_markup(tmp_path: Path) -> None:
    folder = write_stories(tmp_path / "articles")
    write_article(
        folder,
        "evil.txt",
        "[bold]Bahia[/bold] cocoa \x1b]0;pwned\x07review",
        COCOA,
        date="1987-02-26T11:00:00",
        source="[@click=app.quit]Evil\x1b[31m",
        url="https://news.example/evil",
    )
    async with open_app(folder) as (app, pilot):
        await pilot.press("e")
        await settle(pilot)
        text = screen_text(app)
        assert "[bold]Bahia[/bold]" in text and "[@click=app.qui" in text
        assert "\x1b" not in text and "\x07" not in text
        await pilot.press("enter")
        await settle(pilot)
        assert any("[@click=app.quit]Evil" in line for line in app.reader.plain_lines)
        assert app.is_running


async def test_the_diff_scrolls_with_j_k_and_space_at_80x24(folder: Path) -> None:
    async with open_app(folder, size=NARROW) as (app, pilot):
        await pilot.press("enter", "D")
        await settle(pilot)
        assert isinstance(app.screen, DiffScreen)
        body = app.screen.query_one("#diff-body", VerticalScroll)
        assert body.max_scroll_y > 2  # longer than the box at 80x24
        await pilot.press("j", "j")
        assert body.scroll_y == 2
        await pilot.press("k")
        assert body.scroll_y == 1
        await pilot.press("space")
        assert body.scroll_y > 2
        assert f"+ {COCOA_ADDED}" in app.screen.lines


async def test_a_long_article_laid_out_in_a_thread_gets_its_story_and_related_lines(
    folder: Path,
) -> None:
    long_body = " ".join(
        f"Board note {n} on cocoa prices and farm gate {n * 7}." for n in range(2500)
    )
    assert len(long_body) > BACKGROUND_LAYOUT_CHARS
    write_article(folder, "long.txt", "Cocoa board notes", long_body, date="1987-03-02T09:00:00")
    write_article(
        folder,
        "long-update.txt",
        "Cocoa board notes (Update)",
        long_body + " An update was added at noon.",
        date="1987-03-02T12:00:00",
    )
    async with open_app(folder) as (app, pilot):
        await pilot.press("j", "enter")  # the cocoa story first (short), then the long one
        await pilot.press("escape", "k", "enter")
        await settle(pilot)
        reader = story_reader(app)
        assert reader.article is not None and reader.article.title == "Cocoa board notes (Update)"
        assert await wait_until(pilot, lambda: reader.related is not None)
        await settle(pilot)
        lines = reader.plain_lines
        assert lines[0].startswith("Cocoa board notes (Update)")
        assert any(line.startswith("Also reported by:") for line in lines[:4])
        assert "Related" in lines
        body = lines[: lines.index("Related")]
        assert not any("Bahia" in line for line in body)  # never the previous article's text


async def test_no_article_is_repred_for_the_workers(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Textual describes a worker by repr() of its arguments unless given a description:
    an article's repr holds its whole body (megabytes, on the event loop)."""

    calls: list[str] = []

    def counted(self: Article) -> str:
        calls.append(self.id)  # (Textual catches what a repr raises: count instead)
        return "Article(…)"

    monkeypatch.setattr(Article, "__repr__", counted)
    async with open_app(folder) as (app, pilot):
        assert story_list(app).view.story_count == 7  # grouped
        await pilot.press("enter")
        await settle(pilot)
        reader = story_reader(app)
        assert await wait_until(pilot, lambda: reader.related is not None)
        assert reader.related
        await pilot.press("D")
        await settle(pilot)
        assert isinstance(app.screen, DiffScreen) and app.screen.runs
    assert calls == []


async def test_quitting_stops_a_long_grouping_rather_than_waiting_for_it(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Grouping a million articles the first time takes minutes: quitting meanwhile stops
    it at its next step (the app used to wait for the whole grouping)."""
    import threading
    import time

    import newstui.core.stories.store as store

    started = threading.Event()
    stopped: list[BaseException] = []

    def long_grouping(*args: object, progress: object = None, **kwargs: object) -> object:
        started.set()
        end = time.monotonic() + 20
        try:
            while time.monotonic() < end:  # a step at a time, as Stories.add reports them
                time.sleep(0.02)
                if callable(progress):
                    progress(1, 2)
        except Exception as exc:
            stopped.append(exc)
            raise
        raise AssertionError("never stopped")

    monkeypatch.setattr(store, "load_stories", long_grouping)
    t0 = 0.0
    async with open_app(folder, wait=False) as (app, pilot):
        await wait_until(pilot, started.is_set)
        t0 = time.monotonic()
        app.exit()
    while not stopped and time.monotonic() - t0 < 30:
        time.sleep(0.02)
    assert stopped, "the grouping was not stopped"
    assert time.monotonic() - t0 < 5  # at its next step, not at its end


async def test_a_reload_of_an_unchanged_library_keeps_its_stories(folder: Path) -> None:
    """``r`` with nothing changed keeps the stories as they are (at a million articles
    grouping them again costs seconds and GBs); with a change, they are grouped again."""
    async with open_app(folder) as (app, pilot):
        shown = app.story_view.snapshot
        assert shown is not None
        await pilot.press("r")
        await settle(pilot)
        assert app.story_view.snapshot is shown
        assert "9 articles in 7 stories" in status_text(app)
        write_article(folder, "zz-more.txt", "Harbour dredging starts", "Dredgers arrived.")
        await pilot.press("r")
        await settle(pilot)
        assert app.story_view.snapshot is not shown
        assert "10 articles in 8 stories" in status_text(app)
