"""The help screen and the command palette."""

from __future__ import annotations

from pathlib import Path

from test_ui_support import (
    NARROW,
    open_app,
    screen_text,
    settle,
)

from newstui.ui.screens.help import HelpScreen


async def test_help_lists_bindings_grouped_by_pane(articles_dir: Path) -> None:
    async with open_app(articles_dir) as (app, pilot):
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = screen_text(app)
        for heading in ("Everywhere", "Article list", "Reader", "Search box"):
            assert heading in text
        assert "Next match" in text and "Reload" in text
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)


async def test_help_scrolls_with_keys_when_taller_than_the_terminal(articles_dir: Path) -> None:
    async with open_app(articles_dir, size=NARROW) as (app, pilot):
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        # the sidebar's group is the last: its last key is below the fold
        assert "Back to the list" not in screen_text(app)
        await pilot.press("pagedown")
        await pilot.pause()
        assert "Back to the list" in screen_text(app)


async def test_help_explains_the_search_syntax(articles_dir: Path) -> None:
    async with open_app(articles_dir) as (app, pilot):
        await pilot.press("question_mark")
        await pilot.pause()
        await pilot.press("end")
        await pilot.pause()
        text = screen_text(app)
        for example in ('"cocoa prices"', "-brazil", "cocoa OR coffee", "title:cocoa"):
            assert example in text
        assert "is:starred" in text


async def test_command_palette_offers_sort_and_reload(articles_dir: Path) -> None:
    async with open_app(articles_dir) as (app, pilot):
        titles_ = [c.title for c in app.get_system_commands(app.screen)]
        for wanted in ("Search", "Cycle sort", "Sort by title", "Reload", "Help", "Quit"):
            assert any(wanted in t for t in titles_), wanted
        assert any("theme" in t.lower() for t in titles_)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"sort by title")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await settle(pilot)
        assert app.sort == "title"


async def test_slash_in_the_command_palette_is_typed_there(articles_dir: Path) -> None:
    async with open_app(articles_dir) as (app, pilot):
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press("slash")
        await pilot.pause()
        assert len(app.screen_stack) == 2  # the palette is still open
        assert app.screen.focused is not None
        assert "/" in getattr(app.screen.focused, "value", "")
        assert app.search_box.value == ""
