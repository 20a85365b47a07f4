"""Pilot tests of the reader app: each flow a user goes through (issue 4)."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from test_ui_support import fill_folder, write_article

from newstui.ui.app import NewsApp, create_app
from newstui.ui.screens.confirm import ConfirmScreen
from newstui.ui.screens.help import HelpScreen
from newstui.ui.screens.problems import ProblemsScreen

Settle = Callable[[Any], Awaitable[None]]
ScreenText = Callable[[Any], str]


def titles(app: NewsApp) -> list[str]:
    return [a.title for a in app.article_list.articles]


async def test_start_shows_every_article_newest_first(
    articles_dir: Path, settle: Settle, screen_text: ScreenText
) -> None:
    app = create_app(articles_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert len(app.article_list.articles) == 33
        assert titles(app)[0] == "Saffron harvest doubles"
        assert titles(app)[-1] == "An undated note about glaciers"
        text = screen_text(app)
        assert "33 articles" in text
        assert "Saffron harvest doubles" in text
        assert "2024-04-03" in text
        assert app.focused is app.article_list


async def test_navigate_with_keys_and_open_in_reader(
    articles_dir: Path, settle: Settle, screen_text: ScreenText
) -> None:
    app = create_app(articles_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
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


async def test_mouse_click_selects_and_second_click_opens(
    articles_dir: Path, settle: Settle
) -> None:
    app = create_app(articles_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.click("#list", offset=(10, 3))
        assert app.article_list.cursor == 3
        await pilot.click("#list", offset=(10, 3))
        await pilot.pause()
        assert app.reader.article is app.article_list.articles[3]


async def test_search_with_a_typo_highlights_and_enter_opens_top(
    articles_dir: Path, settle: Settle, screen_text: ScreenText
) -> None:
    app = create_app(articles_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        assert app.focused is app.search_box
        await pilot.press(*"volcanno")
        await settle(pilot)
        assert titles(app)[0] == "Volcano erupts near the harbour"
        text = screen_text(app)
        assert re.search(r"\d+ results? in [\d.]+ ms", text)
        # the matched word in the title row is styled as a match
        row = app.article_list.render_line(0)
        match_style = app.article_list.get_component_rich_style("article-list--match")
        styled = "".join(seg.text for seg in row if seg.style and seg.style.underline)
        assert "Volcano" in styled and match_style.underline
        await pilot.press("enter")
        await settle(pilot)
        assert app.reader.article is not None
        assert app.reader.article.title == "Volcano erupts near the harbour"
        # the search words are highlighted in the reader; n / N walk them
        assert len(app.reader.matches) >= 3
        await pilot.press("n")
        first = app.reader.current_match
        await pilot.press("n")
        second = app.reader.current_match
        assert first is not None and second is not None and second != first
        await pilot.press("N")
        assert app.reader.current_match == first


async def test_down_moves_into_results_and_escape_restores_full_list(
    articles_dir: Path, settle: Settle
) -> None:
    app = create_app(articles_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"saffron")
        await settle(pilot)
        await pilot.press("down")
        assert app.focused is app.article_list
        assert app.article_list.highlighted is not None
        chosen = app.article_list.highlighted.id
        await pilot.press("slash", "escape")
        await settle(pilot)
        assert app.search_box.value == ""
        assert len(app.article_list.articles) == 33
        assert app.article_list.highlighted is not None
        assert app.article_list.highlighted.id == chosen


async def test_no_results_says_so_with_suggestions(
    articles_dir: Path, settle: Settle, screen_text: ScreenText
) -> None:
    app = create_app(articles_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"zzqxv")
        await settle(pilot)
        assert app.article_list.articles == []
        assert "No results for zzqxv" in screen_text(app)


async def test_brackets_walk_the_list_from_the_reader(articles_dir: Path, settle: Settle) -> None:
    app = create_app(articles_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        first = app.article_list.articles[0]
        assert app.reader.article is first
        await pilot.press("right_square_bracket")
        assert app.reader.article is app.article_list.articles[1]
        assert app.focused is app.reader
        await pilot.press("right_square_bracket", "left_square_bracket", "left_square_bracket")
        assert app.reader.article is first


async def test_reader_scroll_keys(articles_dir: Path, settle: Settle) -> None:
    app = create_app(articles_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"saffron", "enter")
        await settle(pilot)
        reader = app.reader
        assert reader.line_count > 40
        await pilot.press("j", "j")
        assert reader.scroll_y == 2
        await pilot.press("k")
        assert reader.scroll_y == 1
        await pilot.press("space")
        assert reader.scroll_y > 20
        await pilot.press("b", "G")
        assert reader.scroll_y == reader.max_scroll_y
        await pilot.press("g")
        assert reader.scroll_y == 0


async def test_sort_cycles_through_orders(articles_dir: Path, settle: Settle) -> None:
    app = create_app(articles_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
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


async def test_narrow_terminal_shows_one_pane_at_a_time(
    articles_dir: Path, settle: Settle, screen_text: ScreenText
) -> None:
    app = create_app(articles_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
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


async def test_help_lists_bindings_grouped_by_pane(
    articles_dir: Path, settle: Settle, screen_text: ScreenText
) -> None:
    app = create_app(articles_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
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


async def test_reload_picks_up_new_changed_and_removed_files_keeping_selection(
    articles_dir: Path, settle: Settle
) -> None:
    app = create_app(articles_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("j", "j", "j")
        kept = app.article_list.highlighted
        assert kept is not None
        write_article(articles_dir, "new.txt", "Brand new story", "Fresh.", date="2024-05-01")
        (articles_dir / "volcano.txt").unlink()
        await pilot.press("r")
        await settle(pilot)
        assert "Brand new story" in titles(app)
        assert "Volcano erupts near the harbour" not in titles(app)
        assert app.article_list.highlighted is not None
        assert app.article_list.highlighted.id == kept.id
        await pilot.press("slash", *"fresh")
        await settle(pilot)
        assert titles(app) == ["Brand new story"]


async def test_quit_with_q_but_not_while_typing(articles_dir: Path, settle: Settle) -> None:
    app = create_app(articles_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("slash", "q")
        assert app.is_running
        assert app.search_box.value == "q"
        await pilot.press("escape", "q")
        await pilot.pause()
    assert app.return_code == 0


async def test_ctrl_c_quits_even_from_the_search_box(articles_dir: Path, settle: Settle) -> None:
    app = create_app(articles_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("slash", "a", "ctrl+c")
        await pilot.pause()
    assert app.return_code == 0


async def test_bad_files_are_counted_and_listed_with_reasons(
    articles_dir: Path, settle: Settle, screen_text: ScreenText
) -> None:
    (articles_dir / "broken.json").write_text("{not json", encoding="utf-8")
    (articles_dir / "binary.txt").write_bytes(b"\x00\x01\x02" * 500)
    app = create_app(articles_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert len(app.problems) >= 2
        messages = [str(n.message) for n in app._notifications]
        assert any("could not be loaded fully" in m for m in messages)
        await pilot.press("exclamation_mark")
        await pilot.pause()
        assert isinstance(app.screen, ProblemsScreen)
        text = screen_text(app)
        assert "broken.json" in text and "binary.txt" in text
        await pilot.press("escape")
        assert len(app.article_list.articles) == 33


async def test_article_markup_and_escapes_are_shown_literally(
    tmp_path: Path, settle: Settle, screen_text: ScreenText
) -> None:
    folder = tmp_path / "hostile"
    folder.mkdir()
    write_article(
        folder,
        "markup.txt",
        "Click [@click=app.quit]here[/] and [bold]bold[/bold]",
        "Body [red]not red[/red] \x1b]0;pwned\x07 and \x1b[2J gone [@click=app.quit]x[/]",
        date="2024-01-01",
    )
    (folder / "md.md").write_text(
        "---\ntitle: Markdown [b]title[/b]\n---\n# Head [i]x[/i]\n\n[link](javascript:alert(1)) "
        "and [@click=app.quit]q[/]\n",
        encoding="utf-8",
    )
    app = create_app(folder)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        text = screen_text(app)
        assert "Click [@click=app.quit]here[" in text
        await pilot.press("slash", *"click", "enter")
        await settle(pilot)
        text = screen_text(app)
        assert "[red]not red[/red]" in text
        assert "pwned" not in text or "\x1b" not in text
        assert "\x1b" not in text and "\x07" not in text
        # open the Markdown article: rendered, its markup literal, nothing clickable
        await pilot.press("escape", "escape")
        app.article_list.move_to_id(
            next(a.id for a in app.article_list.articles if a.format == "markdown")
        )
        await pilot.press("enter")
        await pilot.pause()
        shown = "\n".join(app.reader.plain_lines)
        assert "[@click=app.quit]q[/]" in shown
        assert "# Head" not in shown and "Head [i]x[/i]" in shown
        for strip in app.reader.strips:
            for seg in strip:
                assert not (seg.style and seg.style.meta), "no @click/link meta from articles"
                assert not (seg.style and seg.style.link)
        await pilot.click("#reader", offset=(5, 6))
        assert app.is_running


async def test_typing_fast_never_queues_stale_searches(tmp_path: Path, settle: Settle) -> None:
    folder = tmp_path / "many"
    fill_folder(folder, 600)
    app = create_app(folder)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        query = "harvest tariff shipping copper"
        await pilot.press("slash")
        for ch in query:
            await pilot.press(ch)  # no pause: as fast as the event loop takes keys
        await settle(pilot)
        assert app.searches_run < len(query)
        assert app.result is not None and app.result.query == query
        assert app.search_query == query


async def test_loading_progress_is_throttled_and_search_works_after(
    tmp_path: Path, settle: Settle
) -> None:
    folder = tmp_path / "many"
    fill_folder(folder, 400)
    app = create_app(folder)
    seen: list[tuple[str, int, int]] = []
    original = NewsApp._on_load_progress

    def spy(self: NewsApp, event: Any) -> None:
        seen.append((event.phase, event.done, event.total))
        original(self, event)

    NewsApp._on_load_progress = spy  # type: ignore[method-assign]
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            assert len(app.article_list.articles) == 400
            assert seen, "progress was reported"
            assert len(seen) < 100, "progress messages are throttled"
            assert seen[-1][1] == seen[-1][2]
    finally:
        NewsApp._on_load_progress = original  # type: ignore[method-assign]


async def test_list_fills_and_search_runs_while_the_index_is_still_building(
    tmp_path: Path, settle: Settle, screen_text: ScreenText, monkeypatch: Any
) -> None:
    import threading

    from newstui.core.search import SearchIndex

    folder = tmp_path / "many"
    fill_folder(folder, 50)
    write_article(folder, "volcano.txt", "Volcano erupts near the harbour", "Ash fell at dawn.")
    release = threading.Event()
    real_add = SearchIndex.add

    def slow_add(self: SearchIndex, articles: Any, **kw: Any) -> None:
        items = list(articles)
        real_add(self, items[:1], **kw)  # one article indexed, then the build "takes long"
        release.wait(30)
        real_add(self, items[1:], **kw)

    monkeypatch.setattr(SearchIndex, "add", slow_add)
    app = create_app(folder)  # with the warm-start cache, cold: a first run
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(100):
            await pilot.pause(0.05)
            if app.article_list.articles:
                break
        try:
            assert len(app.article_list.articles) == 51  # the whole list, index not built
            assert app.indexing
            assert "Indexing" in screen_text(app)
            await pilot.press("slash", *"volcano")
            await pilot.pause(0.3)
            assert app.indexing  # searching did not wait for the build
        finally:
            release.set()
        await settle(pilot)
        assert not app.indexing
        assert titles(app)[0] == "Volcano erupts near the harbour"


async def test_command_palette_offers_sort_and_reload(articles_dir: Path, settle: Settle) -> None:
    app = create_app(articles_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
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


async def test_mark_all_read_asks_first(articles_dir: Path, settle: Settle) -> None:
    app = create_app(articles_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
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


async def test_several_folders_are_read_together(tmp_path: Path, settle: Settle) -> None:
    first, second = tmp_path / "one", tmp_path / "two"
    fill_folder(first, 3)
    second.mkdir()
    write_article(second, "x.txt", "From the second folder", "Hello.", date="2024-06-01")
    app = create_app([first, second])
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert len(app.article_list.articles) == 4
        assert titles(app)[0] == "From the second folder"


async def test_empty_folder_says_so(
    tmp_path: Path, settle: Settle, screen_text: ScreenText
) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    app = create_app(empty)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert "No articles in" in screen_text(app)


async def test_y_copies_the_url_and_o_opens_it(
    articles_dir: Path, settle: Settle, monkeypatch: Any
) -> None:
    app = create_app(articles_dir)
    opened: list[str] = []

    class Browser:
        def open(self, url: str) -> bool:
            opened.append(url)
            return True

    monkeypatch.setattr("newstui.ui.widgets.reader.find_browser", Browser)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("enter", "y", "o")
        await settle(pilot)
        assert app.clipboard == "https://news.example/saffron"
        assert opened == ["https://news.example/saffron"]


async def test_no_color_still_shows_everything(
    articles_dir: Path, settle: Settle, screen_text: ScreenText, monkeypatch: Any
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = create_app(articles_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
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


async def test_wide_and_combining_characters_keep_rows_aligned(
    tmp_path: Path, settle: Settle
) -> None:
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
    app = create_app(folder)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
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


async def test_more_results_load_as_the_cursor_nears_the_end(
    tmp_path: Path, settle: Settle
) -> None:
    folder = tmp_path / "many"
    fill_folder(folder, 260)
    app = create_app(folder)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"report", "down")
        await settle(pilot)
        assert app.result is not None and app.result.total == 260
        assert len(app.article_list.articles) == 100
        await pilot.press("end")
        await settle(pilot)
        assert len(app.article_list.articles) == 200
        await pilot.press("end")
        await settle(pilot)
        await pilot.press("end")
        await settle(pilot)
        assert len(app.article_list.articles) == 260
        assert len({a.id for a in app.article_list.articles}) == 260


async def test_large_lists_sort_in_a_worker(
    articles_dir: Path, settle: Settle, monkeypatch: Any
) -> None:
    import newstui.ui.app as app_module

    monkeypatch.setattr(app_module, "INLINE_SORT_MAX", 5)
    app = create_app(articles_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert titles(app)[0] == "Saffron harvest doubles"
        await pilot.press("s", "s")  # oldest, then title: each sorted in a thread
        await settle(pilot)
        assert app.sort == "title"
        assert titles(app) == sorted(titles(app), key=str.casefold)
