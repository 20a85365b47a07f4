"""Reading state and settings in the app (issue 5): kept across restarts, keys remappable."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from test_ui_support import write_article

from newstui.core import paths
from newstui.ui.app import create_app
from newstui.ui.widgets.article_list import STAR_MARK, UNREAD_MARK

Settle = Callable[[Any], Awaitable[None]]
ScreenText = Callable[[Any], str]


def row_text(app: Any, row: int) -> str:
    return app.article_list.render_line(row - int(app.article_list.scroll_y)).text


async def test_read_star_position_search_and_last_article_survive_a_restart(
    articles_dir: Path, settle: Settle
) -> None:
    app = create_app(articles_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
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
    app.store.close()

    again = create_app(articles_dir)
    async with again.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
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
    again.store.close()


async def test_toggle_read_hide_read_and_is_filters(articles_dir: Path, settle: Settle) -> None:
    app = create_app(articles_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
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


async def test_remapped_key_from_settings_takes_effect(
    articles_dir: Path, settle: Settle, screen_text: ScreenText
) -> None:
    config = paths.config_dir() / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text('[keymap]\n"list.down" = "x"\n"app.sort" = "o"\n', encoding="utf-8")
    app = create_app(articles_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("x", "x")
        assert app.article_list.cursor == 2
        await pilot.press("j")  # replaced by x
        assert app.article_list.cursor == 2
        await pilot.press("o")
        await settle(pilot)
        assert app.sort == "oldest"
        await pilot.press("question_mark")
        await pilot.pause()
        text = screen_text(app)
        assert re.search(r"\bx\s+Down\b", text), "help shows the remapped key"
        assert re.search(r"\bo\s+Sort\b", text)


async def test_invalid_settings_warn_and_the_app_starts(articles_dir: Path, settle: Settle) -> None:
    config = paths.config_dir() / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text("reader_width = 'wide'\n", encoding="utf-8")
    app = create_app(articles_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        messages = [str(n.message) for n in app._notifications]
        assert any("reader_width" in m and "line 1" in m for m in messages), messages
        assert len(app.article_list.articles) == 33


async def test_corrupt_state_file_gives_a_notice_and_a_fresh_store(
    articles_dir: Path, settle: Settle
) -> None:
    state = paths.data_dir() / "state.sqlite3"
    state.parent.mkdir(parents=True, exist_ok=True)
    state.write_bytes(b"this is not sqlite" * 100)
    app = create_app(articles_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.store.notice
        messages = [str(n.message) for n in app._notifications]
        assert app.store.notice in messages
        await pilot.press("m")
        assert app.store.is_read(app.article_list.articles[0].id)


async def test_theme_choice_is_remembered(articles_dir: Path, settle: Settle) -> None:
    app = create_app(articles_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.theme == "newstui"
        app.theme = "nord"
        await pilot.press("q")
    app.store.close()
    again = create_app(articles_dir)
    async with again.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert again.theme == "nord"
    again.store.close()


async def test_one_megabyte_article_opens_without_blocking(tmp_path: Path, settle: Settle) -> None:
    folder = tmp_path / "big"
    folder.mkdir()
    para = "The harbour pilot reports calm water and steady trade in copper today. " * 8
    body = "\n\n".join([para] * (1_000_000 // len(para)))
    write_article(folder, "big.txt", "A very long report", body + "\n\nThe end: zeppelin.")
    app = create_app(folder)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        reader = app.reader
        assert reader.line_count > 10_000
        await pilot.press("G")
        assert reader.scroll_y == reader.max_scroll_y
        assert any("zeppelin" in line for line in reader.plain_lines[-5:])
