"""Problems found using the app as a demanding user would, each with the test that shows
it fixed (keys typed fast, the cursor row's look, what a restart restores, …)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from rich.style import Style
from test_ui_support import fill_folder, write_article
from textual import events
from textual.color import Color
from textual.widgets import RichLog

from newstui.core import paths
from newstui.ui.app import NewsApp, create_app
from newstui.ui.model import Library
from newstui.ui.screens.confirm import ConfirmScreen
from newstui.ui.screens.help import HelpScreen
from newstui.ui.screens.problems import ProblemsScreen
from newstui.ui.widgets.status_bar import StatusText

Settle = Callable[[Any], Awaitable[None]]
ScreenText = Callable[[Any], str]

_NAMES = {"/": "slash", " ": "space", "[": "left_square_bracket", "]": "right_square_bracket"}


def burst(app: NewsApp, *keys: str) -> None:
    """Keys arriving together, as from a fast typist, a paste or a busy app: all queued
    before the app handles the first (``pilot.press`` waits after each key)."""
    for key in keys:
        if len(key) == 1:
            app.post_message(events.Key(_NAMES.get(key, key), key))
        else:
            app.post_message(events.Key(key, None))


async def test_keys_typed_right_after_slash_go_into_the_search_box(
    articles_dir: Path, settle: Settle
) -> None:
    app = create_app(articles_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        burst(app, *"/volcano")
        await settle(pilot)
        assert app.search_box.value == "volcano"
        assert app.article_list.articles[0].title == "Volcano erupts near the harbour"
        # "/" inside the box is a character like any other
        burst(app, *"/x")
        await settle(pilot)
        assert app.search_box.value == "volcano/x"


async def test_keys_typed_right_after_escape_or_down_go_to_the_list(
    articles_dir: Path, settle: Settle
) -> None:
    app = create_app(articles_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"copper")
        await settle(pilot)
        burst(app, "down", "j")
        await settle(pilot)
        assert app.search_box.value == "copper"
        assert app.focused is app.article_list
        await pilot.press("slash")
        burst(app, "escape", "j", "j")
        await settle(pilot)
        assert app.search_box.value == ""
        assert app.focused is app.article_list
        assert len(app.article_list.articles) == 33


async def test_slash_in_the_command_palette_is_typed_there(
    articles_dir: Path, settle: Settle
) -> None:
    app = create_app(articles_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press("slash")
        await pilot.pause()
        assert len(app.screen_stack) == 2  # the palette is still open
        assert app.screen.focused is not None
        assert "/" in getattr(app.screen.focused, "value", "")
        assert app.search_box.value == ""


def _backgrounds(app: NewsApp, y: int) -> set[object]:
    return {seg.style.bgcolor for seg in app.article_list.render_line(y) if seg.style}


async def test_cursor_row_background_is_one_bar_across_date_source_and_snippet(
    articles_dir: Path, settle: Settle
) -> None:
    app = create_app(articles_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
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


async def test_restart_restores_the_last_search_and_the_article_selected_in_it(
    articles_dir: Path, settle: Settle
) -> None:
    app = create_app(articles_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"copper", "down")
        await settle(pilot)
        assert len(app.article_list.articles) >= 3
        await pilot.press("j", "j", "enter")
        await settle(pilot)
        opened = app.reader.article
        assert opened is not None
        assert opened is not app.article_list.articles[0]
        await pilot.press("q")
    app.store.close()

    again = create_app(articles_dir)
    async with again.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert again.search_box.value == "copper"
        assert again.article_list.highlighted is not None
        assert again.article_list.highlighted.id == opened.id
    again.store.close()


def _shown(seg: Any) -> tuple[object, object]:
    """(foreground, background) as the terminal shows a segment (reverse swaps them)."""
    style = seg.style
    return (style.bgcolor, style.color) if style.reverse else (style.color, style.bgcolor)


async def test_current_match_stands_out_more_than_the_other_matches(
    articles_dir: Path, settle: Settle
) -> None:
    app = create_app(articles_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
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


def _near(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is b
    ta, tb = a.get_truecolor(), b.get_truecolor()
    return all(abs(x - y) <= 3 for x, y in zip(ta, tb, strict=True))


async def test_problems_screen_shows_each_reason_in_full_and_scrolls_with_keys(
    articles_dir: Path, settle: Settle, screen_text: ScreenText
) -> None:
    # a reason longer than the box, and enough bad files to need scrolling at 80x24
    for n in range(15):
        (articles_dir / f"broken-{n:02d}.json").write_text("{not json", encoding="utf-8")
    (articles_dir / "binary.txt").write_bytes(b"\x00\x01\x02" * 500)
    app = create_app(articles_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        long_reason = max((p.reason for p in app.problems), key=len)
        assert len(long_reason) > 60
        await pilot.press("exclamation_mark")
        await pilot.pause()
        assert isinstance(app.screen, ProblemsScreen)
        text = screen_text(app)
        assert not app._notifications  # the toast no longer covers the box
        # names relative to the folder; the longest reason readable in full, wrapped
        assert "broken-00.json" in text and str(articles_dir) + "/broken" not in text
        log = app.screen.query_one(RichLog)
        width = log.scrollable_content_region.width
        assert all(len(strip.text.rstrip()) <= width for strip in log.lines)
        shown = " ".join(" ".join(strip.text for strip in log.lines).split())
        assert " ".join(long_reason.split()) in shown
        await pilot.press("end")
        await pilot.pause()
        assert "binary.txt" in screen_text(app) or "broken-14.json" in screen_text(app)
        assert "broken-00.json" not in screen_text(app)


async def test_help_scrolls_with_keys_when_taller_than_the_terminal(
    articles_dir: Path, settle: Settle, screen_text: ScreenText
) -> None:
    app = create_app(articles_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        assert "Copy URL" not in screen_text(app)  # the last group is below the fold
        await pilot.press("pagedown", "end")
        await pilot.pause()
        assert "Copy URL" in screen_text(app)


async def test_a_keymap_entry_naming_no_binding_is_reported_not_silently_ignored(
    articles_dir: Path, settle: Settle
) -> None:
    config = paths.config_dir() / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text('[keymap]\n"reader.next_article" = "l"\n"app.sort" = "o"\n', encoding="utf-8")
    app = create_app(articles_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        messages = [str(n.message) for n in app._notifications]
        bad = [m for m in messages if "reader.next_article" in m]
        assert bad and "did you mean reader.next?" in bad[0]
        assert not any("app.sort" in m for m in messages)
        await pilot.press("o")  # the valid entry still applies
        await settle(pilot)
        assert app.sort == "oldest"


async def test_reload_shows_the_new_text_of_the_open_article_and_closes_a_removed_one(
    articles_dir: Path, settle: Settle, screen_text: ScreenText
) -> None:
    app = create_app(articles_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"volcano", "enter")
        await settle(pilot)
        assert app.reader.article is not None
        assert "erupted at dawn" in "\n".join(app.reader.plain_lines)
        # the file is edited (same URL, so the same article): r shows the new text
        write_article(
            articles_dir,
            "volcano.txt",
            "Volcano erupts near the harbour",
            "Update: the volcano erupted again at noon.",
            date="2024-04-02T09:00:00",
            source="Geo Times",
            url="https://news.example/volcano",
        )
        await pilot.press("r")
        await settle(pilot)
        lines = "\n".join(app.reader.plain_lines)
        assert "erupted again at noon" in lines and "erupted at dawn" not in lines
        assert "erupted again at noon" in screen_text(app)
        # the file is removed: the reader no longer shows it
        (articles_dir / "volcano.txt").unlink()
        await pilot.press("r")
        await settle(pilot)
        assert app.reader.article is None
        assert "erupted again" not in screen_text(app)
        assert app.focused is app.article_list


async def test_status_line_counts_the_articles_shown_when_read_ones_are_hidden(
    articles_dir: Path, settle: Settle, screen_text: ScreenText
) -> None:
    app = create_app(articles_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("enter", "escape", "j", "enter", "escape", "u")
        await settle(pilot)
        assert len(app.article_list.articles) == 31
        text = screen_text(app)
        assert "31 of 33 articles" in text and "unread only" in text
        await pilot.press("u")
        await settle(pilot)
        assert "33 articles" in screen_text(app) and " of 33" not in screen_text(app)


async def test_mark_all_read_on_a_search_marks_every_result_not_only_the_first_page(
    tmp_path: Path, settle: Settle, screen_text: ScreenText
) -> None:
    folder = tmp_path / "many"
    fill_folder(folder, 260)
    write_article(folder, "other.txt", "Unrelated note", "Nothing to see.")
    app = create_app(folder)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
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


async def test_byline_names_an_author_who_is_also_the_source_once(
    tmp_path: Path, settle: Settle, screen_text: ScreenText
) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "note.md").write_text(
        "---\ntitle: A note\nauthor: Acme Wire\nsource: Acme Wire\ndate: 2024-05-01\n---\n\n"
        "Body text.\n",
        encoding="utf-8",
    )
    app = create_app(folder)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        text = screen_text(app)
        assert "Acme Wire · 2024-05-01" in text
        assert "Acme Wire · Acme Wire" not in text


async def test_a_whole_query_typed_at_once_runs_and_enter_opens_its_top_result(
    articles_dir: Path, settle: Settle
) -> None:
    app = create_app(articles_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        # "/saffron⏎" then "jj" (meant for the reader), all arriving together
        burst(app, *"/saffron", "enter", "j", "j")
        await settle(pilot)
        assert app.search_box.value == "saffron"
        assert app.reader.article is not None
        assert app.reader.article.title == "Saffron harvest doubles"
        assert app.focused is app.reader
        # Esc right after typing clears what was typed, even in one burst
        burst(app, *"/zz", "escape", "j")
        await settle(pilot)
        assert app.search_box.value == ""
        assert app.focused is app.article_list
        assert len(app.article_list.articles) == 33


async def test_enter_on_a_query_without_results_stays_in_the_search_box(
    articles_dir: Path, settle: Settle
) -> None:
    app = create_app(articles_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"zzqxv", "enter")
        await settle(pilot)
        assert app.focused is app.search_box
        assert app.reader.article is None
        await pilot.press("backspace")
        assert app.search_box.value == "zzqx"


async def test_escape_in_the_results_clears_the_search_keeping_the_selection(
    articles_dir: Path, settle: Settle, screen_text: ScreenText
) -> None:
    app = create_app(articles_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"copper", "down", "j")
        await settle(pilot)
        assert app.focused is app.article_list
        chosen = app.article_list.highlighted
        assert chosen is not None and len(app.article_list.articles) < 33
        assert "esc Clear search" in screen_text(app)  # the footer says what Esc does
        await pilot.press("escape")
        await settle(pilot)
        assert app.search_box.value == ""
        assert len(app.article_list.articles) == 33
        assert app.article_list.highlighted is chosen
        assert app.focused is app.article_list
        assert "Clear search" not in screen_text(app)


async def test_switching_theme_recolours_the_matches_in_the_open_article(
    articles_dir: Path, settle: Settle
) -> None:
    app = create_app(articles_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
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


async def test_status_line_says_loading_once_while_files_are_read(
    articles_dir: Path, settle: Settle
) -> None:
    from newstui.ui.app import LoadProgress

    app = create_app(articles_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        # as on a big folder: nothing listed yet, files being read
        app.library = Library()
        app.is_loading = True
        app.post_message(LoadProgress("Loading", 2835, 20841))
        await pilot.pause()
        status = app.status.query_one(StatusText).text.plain
        assert "Loading 2,835/20,841" in status
        assert status.count("Loading") == 1


async def test_shift_n_goes_to_the_match_above_the_view_not_the_last_one(
    articles_dir: Path, settle: Settle
) -> None:
    app = create_app(articles_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
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


async def test_a_search_cleared_before_its_enter_landed_does_not_open_a_later_search(
    articles_dir: Path, settle: Settle
) -> None:
    app = create_app(articles_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        burst(app, *"/saffron", "enter", "escape")  # Enter, then changed their mind
        await settle(pilot)
        assert app.search_box.value == ""
        assert app.reader.article is None
        await pilot.press("slash", *"volcano")
        await settle(pilot)
        assert app.reader.article is None  # no Enter: nothing opens by itself
        assert app.focused is app.search_box


async def test_hiding_read_articles_is_remembered_across_restarts(
    articles_dir: Path, settle: Settle, screen_text: ScreenText
) -> None:
    app = create_app(articles_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("enter", "escape", "u")
        await settle(pilot)
        assert len(app.article_list.articles) == 32
        await pilot.press("q")
    app.store.close()

    again = create_app(articles_dir)
    async with again.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert again.hide_read
        assert len(again.article_list.articles) == 32
        assert "unread only" in screen_text(again)
        await pilot.press("u")
        await settle(pilot)
    again.store.close()

    third = create_app(articles_dir)
    async with third.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert not third.hide_read and len(third.article_list.articles) == 33
    third.store.close()


async def test_the_open_articles_row_stays_visible_while_the_reader_has_the_focus(
    articles_dir: Path, settle: Settle
) -> None:
    app = create_app(articles_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
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


async def test_help_explains_the_search_syntax(
    articles_dir: Path, settle: Settle, screen_text: ScreenText
) -> None:
    app = create_app(articles_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        await pilot.press("end")
        await pilot.pause()
        text = screen_text(app)
        for example in ('"cocoa prices"', "-brazil", "cocoa OR coffee", "title:cocoa"):
            assert example in text
        assert "is:starred" in text


async def test_a_theme_newly_set_in_the_settings_file_wins_over_the_last_palette_choice(
    articles_dir: Path, settle: Settle
) -> None:
    config = paths.config_dir() / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)

    async def run(expected: str, choose: str | None = None) -> None:
        app = create_app(articles_dir)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            assert app.theme == expected
            if choose:
                app.theme = choose  # as from the command palette
                await settle(pilot)
        app.store.close()

    config.write_text('theme = "nord"\n', encoding="utf-8")
    await run("nord", choose="gruvbox")
    await run("gruvbox")  # the file did not change: the palette choice stays
    config.write_text('theme = "dracula"\n', encoding="utf-8")
    await run("dracula")  # the file was edited: it wins


async def test_an_unknown_theme_in_the_settings_file_is_reported(
    articles_dir: Path, settle: Settle
) -> None:
    config = paths.config_dir() / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text('theme = "nrod"\n', encoding="utf-8")
    app = create_app(articles_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        messages = [str(n.message) for n in app._notifications]
        assert any("'nrod' is not a theme" in m and "nord" in m for m in messages), messages
        assert app.theme == "newstui"
    app.store.close()


async def test_reading_time_column_stays_aligned_for_very_long_articles(
    tmp_path: Path, settle: Settle
) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    write_article(folder, "short.txt", "Short one", "A few words.", date="2024-01-02")
    write_article(folder, "long.txt", "Long one", "word " * 250_000, date="2024-01-01")
    app = create_app(folder)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        rows = [app.article_list.render_line(y).text for y in range(2)]
        assert rows[0].rstrip().endswith("1m") and "Short one" in rows[0]
        assert rows[1].rstrip().endswith("h") and "Long one" in rows[1]
        assert len(rows[0].rstrip()) == len(rows[1].rstrip())  # same right edge


async def test_problems_screen_wraps_a_long_file_name_instead_of_cutting_it(
    articles_dir: Path, settle: Settle
) -> None:
    deep = articles_dir / ("a-very-long-folder-name-" * 3) / "and-another-long-one"
    deep.mkdir(parents=True)
    bad = deep / "this-file-is-not-json-at-all.json"
    bad.write_text("{not json", encoding="utf-8")
    app = create_app(articles_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("exclamation_mark")
        await pilot.pause()
        await pilot.pause()
        log = app.screen.query_one(RichLog)
        shown = "".join(strip.text.strip() for strip in log.lines)
        assert str(bad.relative_to(articles_dir)) in shown
