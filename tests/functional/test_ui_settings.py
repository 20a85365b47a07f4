"""Settings in the app: remapped keys, bad entries reported, themes (settings file, one-off
--config, palette choice) and which one wins."""

from __future__ import annotations

import re
from pathlib import Path

from test_ui_support import (
    notifications,
    open_app,
    screen_text,
    settle,
    write_settings,
)


async def test_remapped_key_from_settings_takes_effect(articles_dir: Path) -> None:
    write_settings('[keymap]\n"list.down" = "x"\n"app.sort" = "o"\n')
    async with open_app(articles_dir) as (app, pilot):
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


async def test_a_keymap_entry_naming_no_binding_is_reported_not_silently_ignored(
    articles_dir: Path,
) -> None:
    write_settings('[keymap]\n"reader.next_article" = "l"\n"app.sort" = "o"\n')
    async with open_app(articles_dir) as (app, pilot):
        messages = notifications(app)
        bad = [m for m in messages if "reader.next_article" in m]
        assert bad and "did you mean reader.next?" in bad[0]
        assert not any("app.sort" in m for m in messages)
        await pilot.press("o")  # the valid entry still applies
        await settle(pilot)
        assert app.sort == "oldest"


async def test_invalid_settings_warn_and_the_app_starts(articles_dir: Path) -> None:
    write_settings("reader_width = 'wide'\n")
    async with open_app(articles_dir) as (app, _pilot):
        messages = notifications(app)
        assert any("reader_width" in m and "line 1" in m for m in messages), messages
        assert len(app.article_list.articles) == 33


async def test_theme_choice_is_remembered(articles_dir: Path) -> None:
    async with open_app(articles_dir) as (app, pilot):
        assert app.theme == "newstui"
        app.theme = "nord"
        await pilot.press("q")
    async with open_app(articles_dir) as (again, pilot):
        assert again.theme == "nord"


async def test_a_theme_newly_set_in_the_settings_file_wins_over_the_last_palette_choice(
    articles_dir: Path,
) -> None:
    async def run(expected: str, choose: str | None = None) -> None:
        async with open_app(articles_dir) as (app, pilot):
            assert app.theme == expected
            if choose:
                app.theme = choose  # as from the command palette
                await settle(pilot)

    write_settings('theme = "nord"\n')
    await run("nord", choose="gruvbox")
    await run("gruvbox")  # the file did not change: the palette choice stays
    write_settings('theme = "dracula"\n')
    await run("dracula")  # the file was edited: it wins


async def test_a_one_off_config_theme_is_used_once_and_remembered_by_no_later_run(
    articles_dir: Path, tmp_path: Path
) -> None:
    write_settings('theme = "nord"\n')
    one_off = tmp_path / "one-off.toml"
    one_off.write_text('theme = "dracula"\n', encoding="utf-8")

    async def run(expected: str, *, cfg: Path | None = None, choose: str | None = None) -> None:
        async with open_app(articles_dir, cfg) as (app, pilot):
            assert app.theme == expected
            if choose:
                app.theme = choose  # as from the command palette
                await settle(pilot)

    await run("nord")  # the settings file's theme is the default
    await run("dracula", cfg=one_off)  # the one-off file's theme, for that run
    await run("nord")  # ... and not after
    await run("nord", choose="gruvbox")  # a palette choice...
    await run("dracula", cfg=one_off)
    await run("gruvbox")  # ...is remembered; the one-off run changed nothing


async def test_an_unknown_theme_in_the_settings_file_is_reported(articles_dir: Path) -> None:
    write_settings('theme = "nrod"\n')
    async with open_app(articles_dir) as (app, _pilot):
        messages = notifications(app)
        assert any("'nrod' is not a theme" in m and "nord" in m for m in messages), messages
        assert app.theme == "newstui"
