"""Reading state: read/unread, stars, hiding read articles, mark all read, and what a
restart restores (the last search, the selection, the reading position)."""

from __future__ import annotations

from pathlib import Path

from test_ui_support import (
    fill_folder,
    notifications,
    open_app,
    row_text,
    screen_text,
    settle,
    write_article,
)

from newstui.core import paths
from newstui.ui.screens.confirm import ConfirmScreen
from newstui.ui.widgets.article_list import STAR_MARK, UNREAD_MARK


async def test_toggle_read_hide_read_and_is_filters(articles_dir: Path) -> None:
    async with open_app(articles_dir) as (app, pilot):
        first = app.article_list.highlighted
        assert first is not None
        await pilot.press("m")
        assert app.store.is_read(first.id)
        await pilot.press("u")
        await settle(pilot)
        assert first.id not in {a.id for a in app.article_list.articles}
        assert len(app.article_list.articles) == 32
        await pilot.press("u", "home", "m")  # back to all; m on the first article: unread again
        await settle(pilot)
        assert not app.store.is_read(first.id)
        await pilot.press("f")
        await pilot.press("slash", *"is:starred")
        await settle(pilot)
        assert [a.id for a in app.article_list.articles] == [first.id]


async def test_status_line_counts_the_articles_shown_when_read_ones_are_hidden(
    articles_dir: Path,
) -> None:
    async with open_app(articles_dir) as (app, pilot):
        await pilot.press("enter", "escape", "j", "enter", "escape", "u")
        await settle(pilot)
        assert len(app.article_list.articles) == 31
        text = screen_text(app)
        assert "31 of 33 articles" in text and "unread only" in text
        await pilot.press("u")
        await settle(pilot)
        assert "33 articles" in screen_text(app) and " of 33" not in screen_text(app)


async def test_mark_all_read_asks_first(articles_dir: Path) -> None:
    async with open_app(articles_dir) as (app, pilot):
        await pilot.press("M")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await pilot.pause()
        assert not any(app.store.is_read(a.id) for a in app.article_list.articles)
        await pilot.press("M")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert all(app.store.is_read(a.id) for a in app.article_list.articles)


async def test_mark_all_read_counts_the_unread_and_says_when_there_are_none(
    articles_dir: Path,
) -> None:
    async with open_app(articles_dir) as (app, pilot):
        ids = [a.id for a in app.article_list.articles]
        app.store.set_read_many(ids[1:], True)
        await pilot.press("M")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        assert "Mark 1 unread article in this list as read?" in " ".join(
            str(w.render()) for w in app.screen.query("Static")
        )
        await pilot.press("y")
        await settle(pilot)
        assert all(app.store.is_read(i) for i in ids)
        await pilot.press("M")
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmScreen)
        assert any("All 33 articles in this list are read already" in m for m in notifications(app))


async def test_mark_all_read_on_a_search_marks_every_result_not_only_the_first_page(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "many"
    fill_folder(folder, 260)
    write_article(folder, "other.txt", "Unrelated note", "Nothing to see.")
    async with open_app(folder) as (app, pilot):
        await pilot.press("slash", *"report", "down")
        await settle(pilot)
        assert app.result is not None and app.result.total == 260
        assert len(app.article_list.articles) < 260  # only the first page is listed
        await pilot.press("M")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        assert "260 unread articles" in screen_text(app)
        await pilot.press("y")
        await settle(pilot)
        report = [a for a in app.library.articles if a.title != "Unrelated note"]
        assert len(report) == 260
        assert all(app.store.is_read(a.id) for a in report)
        other = next(a for a in app.library.articles if a.title == "Unrelated note")
        assert not app.store.is_read(other.id)


async def test_read_star_position_search_and_last_article_survive_a_restart(
    articles_dir: Path,
) -> None:
    async with open_app(articles_dir) as (app, pilot):
        assert row_text(app, 0).startswith(UNREAD_MARK)
        await pilot.press("slash", *"saffron", "down", "enter")
        await settle(pilot)
        opened = app.reader.article
        assert opened is not None and opened.title == "Saffron harvest doubles"
        await pilot.press("j", "j", "j", "j", "j", "f")
        position = int(app.reader.scroll_y)
        assert position == 5
        await pilot.press("escape")
        text = row_text(app, 0)
        assert not text.startswith(UNREAD_MARK) and STAR_MARK in text
        await pilot.press("q")

    async with open_app(articles_dir) as (again, pilot):
        assert again.search_box.value == "saffron"
        assert again.article_list.highlighted is not None
        assert again.article_list.highlighted.id == opened.id
        assert again.store.is_read(opened.id) and again.store.is_starred(opened.id)
        await pilot.press("enter")
        await settle(pilot)
        assert again.reader.article is not None and again.reader.article.id == opened.id
        assert int(again.reader.scroll_y) == position
        # Up in the search box walks the history
        await pilot.press("escape", "slash")
        await settle(pilot)
        await pilot.press("up")
        assert again.search_box.value == "saffron"


async def test_restart_restores_the_last_search_and_the_article_selected_in_it(
    articles_dir: Path,
) -> None:
    async with open_app(articles_dir) as (app, pilot):
        await pilot.press("slash", *"copper", "down")
        await settle(pilot)
        assert len(app.article_list.articles) >= 3
        await pilot.press("j", "j", "enter")
        await settle(pilot)
        opened = app.reader.article
        assert opened is not None
        assert opened is not app.article_list.articles[0]
        await pilot.press("q", "q")  # the reader, then the app

    async with open_app(articles_dir) as (again, pilot):
        assert again.search_box.value == "copper"
        assert again.article_list.highlighted is not None
        assert again.article_list.highlighted.id == opened.id


async def test_hiding_read_articles_is_remembered_across_restarts(articles_dir: Path) -> None:
    async with open_app(articles_dir) as (app, pilot):
        await pilot.press("enter", "escape", "u")
        await settle(pilot)
        assert len(app.article_list.articles) == 32
        await pilot.press("q")

    async with open_app(articles_dir) as (again, pilot):
        assert again.hide_read
        assert len(again.article_list.articles) == 32
        assert "unread only" in screen_text(again)
        await pilot.press("u")
        await settle(pilot)

    async with open_app(articles_dir) as (third, pilot):
        assert not third.hide_read and len(third.article_list.articles) == 33


async def test_corrupt_state_file_gives_a_notice_and_a_fresh_store(articles_dir: Path) -> None:
    state = paths.data_dir() / "state.sqlite3"
    state.parent.mkdir(parents=True, exist_ok=True)
    state.write_bytes(b"this is not sqlite" * 100)
    async with open_app(articles_dir) as (app, pilot):
        assert app.store.notice
        messages = notifications(app)
        assert any(m.endswith(app.store.notice) for m in messages), messages
        await pilot.press("m")
        assert app.store.is_read(app.article_list.articles[0].id)
