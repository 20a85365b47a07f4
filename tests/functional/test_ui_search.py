"""The search box and its results: typing (fast, in bursts, while the index fills), Enter,
Esc and Down, snippets, paging, no results and the engine's messages."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
from test_ui_support import (
    CONTROL,
    NARROW,
    burst,
    fill_folder,
    open_app,
    screen_text,
    settle,
    status_text,
    titles,
    wait_until,
    write_article,
)
from textual.message import Message

from newstui.core.article import Article
from newstui.core.search import SearchIndex
from newstui.core.search.results import Hit, SearchResult, Span
from newstui.ui.app import create_app
from newstui.ui.messages import Scanned


async def test_search_with_a_typo_highlights_and_enter_opens_top(articles_dir: Path) -> None:
    async with open_app(articles_dir) as (app, pilot):
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


async def test_down_moves_into_results_and_escape_restores_full_list(articles_dir: Path) -> None:
    async with open_app(articles_dir) as (app, pilot):
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


async def test_escape_in_the_results_clears_the_search_keeping_the_selection(
    articles_dir: Path,
) -> None:
    async with open_app(articles_dir) as (app, pilot):
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


async def test_no_results_says_so_with_suggestions(articles_dir: Path) -> None:
    async with open_app(articles_dir) as (app, pilot):
        await pilot.press("slash", *"zzqxv")
        await settle(pilot)
        assert app.article_list.articles == []
        assert "No results for zzqxv" in screen_text(app)


async def test_enter_on_a_query_without_results_stays_in_the_search_box(articles_dir: Path) -> None:
    async with open_app(articles_dir) as (app, pilot):
        await pilot.press("slash", *"zzqxv", "enter")
        await settle(pilot)
        assert app.focused is app.search_box
        assert app.opened is None
        assert app.reader.article is None  # no result: nothing to preview either
        await pilot.press("backspace")
        assert app.search_box.value == "zzqx"


async def test_keys_typed_right_after_slash_go_into_the_search_box(articles_dir: Path) -> None:
    async with open_app(articles_dir) as (app, pilot):
        burst(app, *"/volcano")
        await settle(pilot)
        assert app.search_box.value == "volcano"
        assert app.article_list.articles[0].title == "Volcano erupts near the harbour"
        # "/" inside the box is a character like any other
        burst(app, *"/x")
        await settle(pilot)
        assert app.search_box.value == "volcano/x"


async def test_keys_typed_right_after_escape_or_down_go_to_the_list(articles_dir: Path) -> None:
    async with open_app(articles_dir) as (app, pilot):
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


async def test_a_whole_query_typed_at_once_runs_and_enter_opens_its_top_result(
    articles_dir: Path,
) -> None:
    async with open_app(articles_dir) as (app, pilot):
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


async def test_a_search_cleared_before_its_enter_landed_does_not_open_a_later_search(
    articles_dir: Path,
) -> None:
    async with open_app(articles_dir) as (app, pilot):
        burst(app, *"/saffron", "enter", "escape")  # Enter, then changed their mind
        await settle(pilot)
        assert app.search_box.value == ""
        assert app.opened is None
        await pilot.press("slash", *"volcano")
        await settle(pilot)
        assert app.opened is None  # no Enter: nothing opens by itself (a preview only)
        assert app.reader.article is app.article_list.highlighted
        assert app.focused is app.search_box


async def test_typing_fast_never_queues_stale_searches(tmp_path: Path) -> None:
    folder = tmp_path / "many"
    fill_folder(folder, 600)
    async with open_app(folder) as (app, pilot):
        query = "harvest tariff shipping copper"
        await pilot.press("slash")
        for ch in query:
            await pilot.press(ch)  # no pause: as fast as the event loop takes keys
        await settle(pilot)
        assert app.searches_run < len(query)
        assert app.result is not None and app.result.query == query
        assert app.search_query == query


async def test_snippet_shows_its_first_match_with_context_when_it_lies_past_the_edge(
    articles_dir: Path,
) -> None:
    async with open_app(articles_dir, size=NARROW) as (app, pilot):
        article = app.article_list.articles[0]
        snippet = "Lorem ipsum dolor sit amet " * 5 + "the saffron harvest doubled this year"
        start = snippet.index("saffron")
        hit = Hit(article, 1.0, snippet=snippet, snippet_spans=[Span("snippet", start, start + 7)])
        lst = app.article_list
        lst.set_articles([], hits=[hit])
        await pilot.pause()
        width = lst.scrollable_content_region.width
        assert start > width  # the match lies past the edge of the pane
        row = lst.render_line(1)
        assert row.cell_length == width
        shown = row.text
        assert shown.lstrip().startswith("…")
        assert "saffron" in shown
        assert "the saffron harvest" in shown  # context kept around it
        match = lst.get_component_rich_style("article-list--match")
        styled = "".join(s.text for s in row if s.style and s.style.underline)
        assert match.underline and styled == "saffron"


async def test_more_results_load_as_the_cursor_nears_the_end(tmp_path: Path) -> None:
    folder = tmp_path / "many"
    fill_folder(folder, 260)
    async with open_app(folder) as (app, pilot):
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


@pytest.mark.parametrize("cache", [False, True], ids=["no-cache", "cache"])
@pytest.mark.parametrize("at_once", [False, True], ids=["after-the-list", "at-once"])
async def test_a_search_typed_while_indexing_says_what_it_searched_never_no_results(
    articles_dir: Path, monkeypatch: pytest.MonkeyPatch, cache: bool, at_once: bool
) -> None:
    write_article(articles_dir, "zeppelin.txt", "Airship news", "A zeppelin landed at noon.")
    gate = threading.Event()
    original = SearchIndex.add

    def add_in_two_steps(self: SearchIndex, articles: Iterable[Article], **kw: Any) -> None:
        batch = list(articles)
        first = [a for a in batch if "zeppelin" not in a.body][:10]
        rest = [a for a in batch if a not in first]
        original(self, first)
        gate.wait(30)  # the rest lands when the test says so
        original(self, rest, **kw)

    monkeypatch.setattr(SearchIndex, "add", add_in_two_steps)
    app = create_app(articles_dir, use_cache=cache)
    typed = threading.Event()
    post = app.post_message

    def post_scanned_once_typed(message: Message) -> bool:
        if isinstance(message, Scanned):
            typed.wait(30)  # in the loading thread
        return post(message)

    if at_once:
        monkeypatch.setattr(app, "post_message", post_scanned_once_typed)
    try:
        async with open_app(app, wait=False) as (app, pilot):
            if at_once:  # typed before the files are even scanned
                await pilot.press("slash", *"zeppelin")
                assert app.index is None
                typed.set()
            await wait_until(
                pilot, lambda: app.indexing and app.index is not None and len(app.index) == 10
            )
            if not at_once:
                await pilot.press("slash", *"zeppelin")
            # the search for the whole word has landed (and says what it searched)
            await wait_until(
                pilot,
                lambda: (
                    app.result is not None
                    and app.result.query == "zeppelin"
                    and "so far" in status_text(app)
                ),
                seconds=10,
            )
            await pilot.pause()
            text = screen_text(app)
            assert "Searching the 10 articles indexed so far" in text
            assert "searching the 10 articles indexed so far" in status_text(app)
            assert "No results" not in text
            assert "Did you mean" not in text
            assert "0 results" not in text
            gate.set()
            await settle(pilot)
            # the final result shows up by itself once the index is complete
            assert [a.title for a in app.article_list.articles] == ["Airship news"]
            assert "1 result in" in status_text(app)
            assert "so far" not in status_text(app) + screen_text(app)
    finally:
        gate.set()
        typed.set()


async def test_the_engines_query_errors_are_shown_in_the_status_line(
    articles_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = SearchIndex.search

    def search(self: SearchIndex, query: str, **kw: Any) -> SearchResult:
        # the engine's own message, plus one carrying an escape sequence: shown clean
        r = original(self, query, **kw)
        r.errors = [*r.errors, "odd filter\x1b[31m here"]
        return r

    monkeypatch.setattr(SearchIndex, "search", search)
    async with open_app(articles_dir, size=(160, 40)) as (app, pilot):
        await pilot.press("slash", *"volcano after:2020-13")
        await settle(pilot)
        status = status_text(app)
        assert "after:2020-13 is not a date" in status
        assert "odd filter here" in status or "odd filter" in status
        assert not CONTROL.search(screen_text(app))
