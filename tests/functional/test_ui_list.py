"""The article list: what it shows at start, moving and opening, sorting, how its rows look."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.style import Style
from test_ui_support import (
    NARROW,
    open_app,
    screen_text,
    settle,
    titles,
    write_article,
)

from newstui.ui.app import NewsApp


def _backgrounds(app: NewsApp, y: int) -> set[object]:
    return {seg.style.bgcolor for seg in app.article_list.render_line(y) if seg.style}


async def test_start_shows_every_article_newest_first(articles_dir: Path) -> None:
    async with open_app(articles_dir) as (app, _pilot):
        assert len(app.article_list.articles) == 33
        assert titles(app)[0] == "Saffron harvest doubles"
        assert titles(app)[-1] == "An undated note about glaciers"
        text = screen_text(app)
        assert "33 articles" in text
        assert "Saffron harvest doubles" in text
        assert "2024-04-03" in text
        assert app.focused is app.article_list


async def test_navigate_with_keys_and_open_in_reader(articles_dir: Path) -> None:
    async with open_app(articles_dir) as (app, pilot):
        await pilot.press("j", "j", "down", "k")
        assert app.article_list.cursor == 2
        await pilot.press("end")
        assert app.article_list.cursor == 32
        await pilot.press("home", "pagedown")
        assert app.article_list.cursor > 10
        await pilot.press("home", "j", "enter")
        await pilot.pause()
        second = app.article_list.articles[1]
        assert app.reader.article is second
        assert app.focused is app.reader
        text = screen_text(app)
        assert second.title in text
        assert "https://news.example/volcano" in text  # the URL line of the open article
        assert "Geo Times · 2024-04-02 09:00 · 1 min read" in text
        await pilot.press("escape")
        assert app.focused is app.article_list


async def test_mouse_click_selects_and_second_click_opens(articles_dir: Path) -> None:
    async with open_app(articles_dir) as (app, pilot):
        await pilot.click("#list", offset=(10, 3))
        assert app.article_list.cursor == 3
        await pilot.click("#list", offset=(10, 3))
        await pilot.pause()
        assert app.reader.article is app.article_list.articles[3]


async def test_empty_folder_says_so(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    async with open_app(empty, size=NARROW) as (app, _pilot):
        assert "No articles in" in screen_text(app)


async def test_sort_cycles_through_orders(articles_dir: Path) -> None:
    async with open_app(articles_dir) as (app, pilot):
        await pilot.press("s")
        await settle(pilot)
        assert app.sort == "oldest"
        assert titles(app)[0] == "Market trade wheat yen stocks report 0" or titles(app)[
            0
        ].endswith("report 0")
        assert titles(app)[-1] == "An undated note about glaciers"
        await pilot.press("s")
        await settle(pilot)
        assert titles(app) == sorted(titles(app), key=str.casefold)
        await pilot.press("s")
        await settle(pilot)
        sources = [a.source for a in app.article_list.articles if a.source]
        assert sources == sorted(sources, key=str.casefold)
        await pilot.press("s")
        await settle(pilot)
        assert app.sort == "newest"


async def test_large_lists_sort_in_a_worker(articles_dir: Path, monkeypatch: Any) -> None:
    import newstui.ui.app as app_module

    monkeypatch.setattr(app_module, "INLINE_SORT_MAX", 5)
    async with open_app(articles_dir) as (app, pilot):
        assert titles(app)[0] == "Saffron harvest doubles"
        await pilot.press("s", "s")  # oldest, then title: each sorted in a thread
        await settle(pilot)
        assert app.sort == "title"
        assert titles(app) == sorted(titles(app), key=str.casefold)


async def test_cursor_row_background_is_one_bar_across_date_source_and_snippet(
    articles_dir: Path,
) -> None:
    async with open_app(articles_dir, size=NARROW) as (app, pilot):
        lst = app.article_list
        cursor_bg = (lst.rich_style + lst.get_component_rich_style("article-list--cursor")).bgcolor
        # the date, source and reading time on the cursor row: on the cursor's background
        assert _backgrounds(app, 0) == {cursor_bg}
        assert cursor_bg not in _backgrounds(app, 1)
        await pilot.press("slash", *"copper", "down")
        await settle(pilot)
        # a result's two lines (title with the matched word, snippet) are one bar
        assert _backgrounds(app, 0) == {cursor_bg}
        assert _backgrounds(app, 1) == {cursor_bg}
        # and the matched word still stands out
        underlined = [s for s in lst.render_line(1) if s.style and s.style.underline]
        assert underlined and all(isinstance(s.style, Style) for s in underlined)


async def test_the_open_articles_row_stays_visible_while_the_reader_has_the_focus(
    articles_dir: Path,
) -> None:
    async with open_app(articles_dir) as (app, pilot):
        await pilot.press("j", "enter")
        await settle(pilot)
        assert app.focused is app.reader
        lst = app.article_list
        row_bg = _backgrounds(app, 1)
        other_bg = _backgrounds(app, 2)
        assert len(row_bg) == 1 and len(other_bg) == 1
        a = next(iter(row_bg)).get_truecolor()  # type: ignore[attr-defined]
        b = next(iter(other_bg)).get_truecolor()  # type: ignore[attr-defined]
        distance = sum((x - y) ** 2 for x, y in zip(a, b, strict=True)) ** 0.5
        assert distance > 30, (a, b)  # not one grey step away: it must be seen
        assert lst.cursor == 1


async def test_wide_and_combining_characters_keep_rows_aligned(tmp_path: Path) -> None:
    folder = tmp_path / "wide"
    folder.mkdir()
    names = [
        "東京株式市場が大幅に上昇、日経平均は三万円台を回復した",
        "Emoji 📈📉🚀 markets move",
        "Cafe\u0301 au lait e\u0301conomie re\u0301sume\u0301",
        "Zero\u200bwidth and \u202eoverride\u202c text",
        "Plain ASCII title for comparison",
    ]
    for n, title in enumerate(names):
        write_article(folder, f"w{n}.txt", title, "Body.", date=f"2024-01-0{n + 1}")
    async with open_app(folder) as (app, _pilot):
        lst = app.article_list
        width = lst.scrollable_content_region.width
        rows = [lst.render_line(y) for y in range(len(names))]
        for strip in rows:
            assert strip.cell_length == width
            assert strip.text.rstrip().endswith("1m")
            assert "\u202e" not in strip.text
        # the reading-time column lines up: "1m" ends in the same cell on every row
        ends = set()
        for strip in rows:
            cells = 0
            for seg in strip:
                cells += seg.cell_length
                if seg.text.rstrip().endswith("1m"):
                    ends.add(cells - (len(seg.text) - len(seg.text.rstrip())))
        assert len(ends) == 1, ends


async def test_reading_time_column_stays_aligned_for_very_long_articles(tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    write_article(folder, "short.txt", "Short one", "A few words.", date="2024-01-02")
    write_article(folder, "long.txt", "Long one", "word " * 250_000, date="2024-01-01")
    async with open_app(folder) as (app, _pilot):
        rows = [app.article_list.render_line(y).text for y in range(2)]
        assert rows[0].rstrip().endswith("1m") and "Short one" in rows[0]
        assert rows[1].rstrip().endswith("h") and "Long one" in rows[1]
        assert len(rows[0].rstrip()) == len(rows[1].rstrip())  # same right edge
