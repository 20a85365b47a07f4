"""The reader: scrolling, walking the list, the search's matches (n/N), bylines, Markdown,
big articles, and the article's URL (o/y)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, NamedTuple

import pytest
from test_ui_support import (
    folder_with,
    notifications,
    open_app,
    screen_text,
    settle,
    write_article,
)
from textual.color import Color

from newstui.ui.widgets import reader as reader_module


def _shown(seg: Any) -> tuple[object, object]:
    """(foreground, background) as the terminal shows a segment (reverse swaps them)."""
    style = seg.style
    return (style.bgcolor, style.color) if style.reverse else (style.color, style.bgcolor)


def _near(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is b
    ta, tb = a.get_truecolor(), b.get_truecolor()
    return all(abs(x - y) <= 3 for x, y in zip(ta, tb, strict=True))


async def test_reader_scroll_keys(articles_dir: Path) -> None:
    async with open_app(articles_dir) as (app, pilot):
        await pilot.press("slash", *"saffron", "enter")
        await settle(pilot)
        reader = app.reader
        assert reader.line_count > 40
        await pilot.press("j", "j")
        assert reader.scroll_y == 2
        await pilot.press("k")
        assert reader.scroll_y == 1
        await pilot.press("space")  # a page: the reader's height less one line
        assert reader.scroll_y == min(1 + reader.size.height - 1, reader.max_scroll_y) > 12
        await pilot.press("b", "G")
        assert reader.scroll_y == reader.max_scroll_y
        await pilot.press("g")
        assert reader.scroll_y == 0


async def test_brackets_walk_the_list_from_the_reader(articles_dir: Path) -> None:
    async with open_app(articles_dir) as (app, pilot):
        await pilot.press("enter")
        first = app.article_list.articles[0]
        assert app.reader.article is first
        await pilot.press("right_square_bracket")
        assert app.reader.article is app.article_list.articles[1]
        assert app.focused is app.reader
        await pilot.press("right_square_bracket", "left_square_bracket", "left_square_bracket")
        assert app.reader.article is first


async def test_shift_n_goes_to_the_match_above_the_view_not_the_last_one(
    articles_dir: Path,
) -> None:
    async with open_app(articles_dir) as (app, pilot):
        await pilot.press("slash", *"saffron", "enter")
        await settle(pilot)
        reader = app.reader
        lines = [m.line for m in reader.matches]
        assert lines[0] < 10 and lines[-1] > 40  # matches at the top and at the very end
        await pilot.press("space")  # a page down: some matches are above the view now
        top = int(reader.scroll_y)
        above = [line for line in lines if line < top]
        assert above and top < lines[-1]
        await pilot.press("N")
        current = reader.current_match
        assert current is not None and current.line == above[-1]
        assert reader.scroll_y <= current.line < reader.scroll_y + reader.size.height


async def test_current_match_stands_out_more_than_the_other_matches(articles_dir: Path) -> None:
    async with open_app(articles_dir) as (app, pilot):
        await pilot.press("slash", *"volcano", "enter")
        await settle(pilot)
        reader = app.reader
        await pilot.press("n")
        current = reader.current_match
        assert current is not None
        y = current.line - int(reader.scroll_y)
        line = reader.render_line(y)
        words = {seg.text: _shown(seg) for seg in line if seg.text.casefold() == "volcano"}
        assert words, line.text
        fg, bg = _shown(next(seg for seg in line if seg.style and seg.style.reverse))
        other = next(
            _shown(seg)
            for n in range(reader.size.height)
            for seg in reader.render_line(n)
            if seg.text.casefold() == "volcano" and not (seg.style and seg.style.reverse)
        )
        accent = Color.parse(app.current_theme.accent or "").rich_color
        assert _near(bg, accent)  # the current match sits on the accent colour
        assert not _near(other[1], accent)
        assert _near(fg, reader.rich_style.bgcolor)  # in the page's colour: readable


async def test_switching_theme_recolours_the_matches_in_the_open_article(
    articles_dir: Path,
) -> None:
    async with open_app(articles_dir) as (app, pilot):
        await pilot.press("slash", *"volcano", "enter")
        await settle(pilot)
        reader = app.reader

        def match_backgrounds() -> set[object]:
            return {
                seg.style.bgcolor
                for strip in reader.strips
                for seg in strip
                if seg.style and seg.text.casefold() == "volcano"
            }

        before = match_backgrounds()
        app.theme = "textual-light"
        await settle(pilot)
        await pilot.pause(0.1)
        expected = reader.get_component_rich_style("reader--match").bgcolor
        after = match_backgrounds()
        assert after == {expected}
        assert after != before


async def test_the_reader_highlights_the_words_the_engine_matched_accents_folded(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    write_article(
        folder,
        "cafe.txt",
        "Corner news",
        "The café on the corner sends an email to every regular.\n\nCafes elsewhere do not.",
    )
    async with open_app(folder) as (app, pilot):
        await pilot.press("slash", *"cafe email", "enter")
        await settle(pilot)
        reader = app.reader
        assert reader.article is not None
        marked = set()
        for m in reader.matches:
            strip = reader.strips[m.line]
            marked.add(strip.crop(m.start, m.end).text)
        assert {"café", "email"} <= marked
        # n walks every mark the list's snippet shows
        hit_words = {
            hit.snippet[s.start : s.end].casefold()
            for hit in (app.result.hits if app.result else [])
            for s in hit.snippet_spans
        }
        assert hit_words <= {w.casefold() for w in marked}


class Opened(NamedTuple):
    screen: str  # the whole screen, byline included
    article: str  # the article's lines in the reader


async def open_only_article(tmp_path: Path, name: str, text: str) -> Opened:
    """A folder with one article file, opened in the reader: what it shows."""
    async with open_app(folder_with(tmp_path, name, text)) as (app, pilot):
        await pilot.press("enter")
        await settle(pilot)
        return Opened(screen_text(app), "\n".join(app.reader.plain_lines))


async def test_byline_names_an_author_who_is_also_the_source_once(tmp_path: Path) -> None:
    opened = await open_only_article(
        tmp_path,
        "note.md",
        "---\ntitle: A note\nauthor: Acme Wire\nsource: Acme Wire\ndate: 2024-05-01\n---\n\n"
        "Body text.\n",
    )
    assert "Acme Wire · 2024-05-01" in opened.screen
    assert "Acme Wire · Acme Wire" not in opened.screen


async def test_reader_byline_has_no_time_the_file_does_not_have(tmp_path: Path) -> None:
    opened = await open_only_article(
        tmp_path,
        "note.md",
        "---\ntitle: Release notes\nauthor: newstui\nsource: newstui\ndate: 2026-11-26\n---\n"
        "The release is out.\n",
    )
    assert "newstui · 2026-11-26 · 1 min read" in opened.screen
    assert "00:00" not in opened.screen


async def test_a_small_markdown_article_is_still_formatted(tmp_path: Path) -> None:
    text = "---\ntitle: Small\n---\n## A heading\n\n- one\n  - two\n\n**bold** text\n"
    shown = (await open_only_article(tmp_path, "small.md", text)).article
    assert "• one" in shown and "• two" in shown
    assert "**bold**" not in shown and "bold text" in shown


async def test_deeply_nested_markdown_lists_show_every_level_in_the_reader(tmp_path: Path) -> None:
    levels = "\n".join("  " * i + f"- level{i} item" for i in range(14))
    text = f"---\ntitle: Nested\n---\nTop.\n\n{levels}\n\nEnd paragraph.\n"
    shown = (await open_only_article(tmp_path, "nested.md", text)).article
    for i in range(14):
        assert f"level{i} item" in shown, i
    assert "End paragraph." in shown


async def test_one_megabyte_article_opens_without_blocking(tmp_path: Path) -> None:
    folder = tmp_path / "big"
    folder.mkdir()
    para = "The harbour pilot reports calm water and steady trade in copper today. " * 8
    body = "\n\n".join([para] * (1_000_000 // len(para)))
    write_article(folder, "big.txt", "A very long report", body + "\n\nThe end: zeppelin.")
    async with open_app(folder) as (app, pilot):
        await pilot.press("enter")
        await settle(pilot)
        reader = app.reader
        assert reader.line_count > 10_000
        await pilot.press("G")
        assert reader.scroll_y == reader.max_scroll_y
        assert any("zeppelin" in line for line in reader.plain_lines[-5:])


async def test_y_copies_the_url_and_o_opens_it(articles_dir: Path, monkeypatch: Any) -> None:
    opened: list[str] = []

    class Browser:
        def open(self, url: str) -> bool:
            opened.append(url)
            return True

    monkeypatch.setattr("newstui.ui.widgets.reader.find_browser", Browser)
    async with open_app(articles_dir) as (app, pilot):
        await pilot.press("enter", "y", "o")
        await settle(pilot)
        assert app.clipboard == "https://news.example/saffron"
        assert opened == ["https://news.example/saffron"]


async def test_open_url_with_a_browser_says_it_opened(
    articles_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[str] = []

    class Browser:
        def open(self, url: str) -> bool:
            opened.append(url)
            return True

    monkeypatch.setattr(reader_module, "find_browser", Browser)
    async with open_app(articles_dir) as (app, pilot):
        await pilot.press("enter")
        await pilot.press("o")
        await settle(pilot)
        assert opened and opened[0].startswith("https://")
        assert any("Opened in the browser" in m for m in notifications(app))


async def test_open_url_without_a_browser_says_so_and_copies_the_url(
    articles_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reader_module, "find_browser", lambda: None)
    async with open_app(articles_dir) as (app, pilot):
        await pilot.press("enter")
        await pilot.pause()
        url = app.reader.article.url if app.reader.article else ""
        assert url.startswith("https://")
        await pilot.press("o")
        await settle(pilot)
        messages = " ".join(notifications(app))
        assert "No web browser found" in messages
        assert "Opening" not in messages
        assert url in messages  # in full, to select
        assert app.clipboard == url
