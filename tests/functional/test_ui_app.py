"""The app as a whole: one pane at a time below 100 columns, NO_COLOR, quitting."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from test_ui_support import (
    NARROW,
    open_app,
    screen_text,
)


async def test_narrow_terminal_shows_one_pane_at_a_time(articles_dir: Path) -> None:
    async with open_app(articles_dir, size=NARROW) as (app, pilot):
        assert app.screen.has_class("-narrow")
        assert app.article_list.display and not app.reader.display
        await pilot.press("enter")
        await pilot.pause()
        assert app.reader.display and not app.article_list.display
        text = screen_text(app)
        assert app.reader.article is not None and app.reader.article.title in text
        await pilot.press("escape")
        await pilot.pause()
        assert app.article_list.display and not app.reader.display


async def test_no_color_still_shows_everything(articles_dir: Path, monkeypatch: Any) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    async with open_app(articles_dir, size=NARROW) as (app, _pilot):
        assert app.no_color
        text = screen_text(app)
        assert "Saffron harvest doubles" in text and "33 articles" in text
        filters = app.get_line_filters()
        assert filters, "NO_COLOR turns on Textual's monochrome filter"
        background = app.screen.styles.background
        strips = app.screen._compositor.render_strips()
        for f in filters:
            strips = [s.apply_filter(f, background) for s in strips]
        colours = {
            c.triplet
            for s in strips
            for seg in s
            if seg.style
            for c in (seg.style.color, seg.style.bgcolor)
            if c is not None and c.triplet is not None
        }
        assert all(t.red == t.green == t.blue for t in colours), "only greys"
        # the cursor row still stands out from the row below it
        top = next(n for n, s in enumerate(strips) if "Saffron harvest doubles" in s.text)

        def backgrounds(strip: Any) -> set[Any]:
            return {seg.style.bgcolor for seg in strip if seg.style and seg.style.bgcolor}

        assert backgrounds(strips[top]) != backgrounds(strips[top + 1])


async def test_quit_with_q_but_not_while_typing(articles_dir: Path) -> None:
    async with open_app(articles_dir) as (app, pilot):
        await pilot.press("slash", "q")
        assert app.is_running
        assert app.search_box.value == "q"
        await pilot.press("escape", "q")
        await pilot.pause()
    assert app.return_code == 0


async def test_ctrl_c_quits_even_from_the_search_box(articles_dir: Path) -> None:
    async with open_app(articles_dir) as (app, pilot):
        await pilot.press("slash", "a", "ctrl+c")
        await pilot.pause()
    assert app.return_code == 0
