"""Issue 10, the items a user sees in the app: each test fails without its fix."""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import threading
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from test_ui_support import write_article
from textual.message import Message
from textual.widgets import Footer, RichLog

from newstui.core import paths
from newstui.core.article import Article
from newstui.core.search import SearchIndex
from newstui.core.search.results import Hit, SearchResult, Span
from newstui.core.state import StateStore
from newstui.ui.app import NewsApp, Scanned, create_app
from newstui.ui.screens.confirm import ConfirmScreen
from newstui.ui.screens.problems import ProblemsScreen
from newstui.ui.widgets import reader as reader_module

Settle = Callable[[Any], Awaitable[None]]
ScreenText = Callable[[Any], str]

ESCAPES = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _status(app: NewsApp) -> str:
    return app.status.query_one("#status-text").text.plain  # type: ignore[attr-defined, no-any-return]


def _messages(app: NewsApp) -> list[str]:
    return [f"{n.title} {n.message}" for n in app._notifications]


# --- 4: a search typed while the index fills -------------------------------------------------
@pytest.mark.parametrize("cache", [False, True], ids=["no-cache", "cache"])
@pytest.mark.parametrize("at_once", [False, True], ids=["after-the-list", "at-once"])
async def test_a_search_typed_while_indexing_says_what_it_searched_never_no_results(
    articles_dir: Path,
    settle: Settle,
    screen_text: ScreenText,
    monkeypatch: pytest.MonkeyPatch,
    cache: bool,
    at_once: bool,
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
        async with app.run_test(size=(120, 40)) as pilot:
            if at_once:  # typed before the files are even scanned
                await pilot.press("slash", *"zeppelin")
                assert app.index is None
                typed.set()
            for _ in range(200):
                await pilot.pause(0.02)
                if app.indexing and app.index is not None and len(app.index) == 10:
                    break
            if not at_once:
                await pilot.press("slash", *"zeppelin")
            for _ in range(200):
                await pilot.pause(0.02)
                if app.result is not None and not app._searching:
                    break
            await pilot.pause()
            text = screen_text(app)
            assert "Searching the 10 articles indexed so far" in text
            assert "searching the 10 articles indexed so far" in _status(app)
            assert "No results" not in text
            assert "Did you mean" not in text
            assert "0 results" not in text
            gate.set()
            await settle(pilot)
            # the final result shows up by itself once the index is complete
            assert [a.title for a in app.article_list.articles] == ["Airship news"]
            assert "1 result in" in _status(app)
            assert "so far" not in _status(app) + screen_text(app)
    finally:
        gate.set()
        typed.set()


# --- 5, 6: problems counted per file, ordered, duplicates said ------------------------------
async def test_problems_are_counted_by_file_and_listed_in_record_order_with_duplicates(
    articles_dir: Path, settle: Settle, screen_text: ScreenText
) -> None:
    good = {"title": "Fine record", "body": "A good line of news."}
    lines = [json.dumps(good)] + ["{not json"] * 60
    (articles_dir / "feed.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    # the same article in two files: collapsed into one
    shutil.copy(articles_dir / "a0001.txt", articles_dir / "a0001-copy.txt")
    app = create_app(articles_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        status = _status(app)
        assert "1 file with problems (50 records)" in status
        assert "1 duplicate collapsed" in status
        assert "problem files" not in status
        await pilot.press("exclamation_mark")
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, ProblemsScreen)
        text = screen_text(app)
        assert "1 file with problems (50 records); 1 duplicate collapsed" in text
        log = [s.text.strip() for s in app.screen.query_one(RichLog).lines]
        log = [line for line in log if line]
        assert log[0] == "feed.jsonl"
        assert "line 2" in log[1]  # the first bad record first, not the tally
        tally = next(n for n, line in enumerate(log) if "more problems in this file" in line)
        dup_head = next(n for n, line in enumerate(log) if "duplicate collapsed" in line)
        assert tally < dup_head  # the tally closes the file's list, before the duplicates
        assert all("feed.jsonl" not in line for line in log[dup_head:])
        assert any(line in ("a0001.txt", "a0001-copy.txt") for line in log[dup_head:])
        assert any("duplicate of" in line for line in log[dup_head:])


async def test_duplicates_alone_are_said_and_listed(articles_dir: Path, settle: Settle) -> None:
    shutil.copy(articles_dir / "a0002.txt", articles_dir / "a0002-copy.txt")
    app = create_app(articles_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert len(app.article_list.articles) == 33
        assert "1 duplicate collapsed (!)" in _status(app)
        await pilot.press("exclamation_mark")
        await pilot.pause()
        assert isinstance(app.screen, ProblemsScreen)


# --- 7: the matched words are in the visible part of a snippet ------------------------------
async def test_snippet_shows_its_first_match_with_context_when_it_lies_past_the_edge(
    articles_dir: Path, settle: Settle
) -> None:
    app = create_app(articles_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
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
        match = lst._fg("article-list--match")
        styled = "".join(s.text for s in row if s.style and s.style.underline)
        assert match.underline and styled == "saffron"


# --- 10: o without a browser says so ------------------------------------------------------
async def test_open_url_without_a_browser_says_so_and_copies_the_url(
    articles_dir: Path, settle: Settle, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reader_module, "find_browser", lambda: None)
    app = create_app(articles_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await pilot.pause()
        url = app.reader.article.url if app.reader.article else ""
        assert url.startswith("https://")
        await pilot.press("o")
        await settle(pilot)
        messages = " ".join(_messages(app))
        assert "No web browser found" in messages
        assert "Opening" not in messages
        assert url in messages  # in full, to select
        assert app.clipboard == url


async def test_open_url_with_a_browser_says_it_opened(
    articles_dir: Path, settle: Settle, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[str] = []

    class Browser:
        def open(self, url: str) -> bool:
            opened.append(url)
            return True

    monkeypatch.setattr(reader_module, "find_browser", Browser)
    app = create_app(articles_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await pilot.press("o")
        await settle(pilot)
        assert opened and opened[0].startswith("https://")
        assert any("Opened in the browser" in m for m in _messages(app))


# --- 11: M counts the unread ---------------------------------------------------------------
async def test_mark_all_read_counts_the_unread_and_says_when_there_are_none(
    articles_dir: Path, settle: Settle
) -> None:
    app = create_app(articles_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
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
        assert any("All 33 articles in this list are read already" in m for m in _messages(app))


# --- 12: a one-off --config theme does not stick -------------------------------------------
async def test_a_one_off_config_theme_is_used_once_and_remembered_by_no_later_run(
    articles_dir: Path, settle: Settle, tmp_path: Path
) -> None:
    config = paths.config_dir() / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text('theme = "nord"\n', encoding="utf-8")
    one_off = tmp_path / "one-off.toml"
    one_off.write_text('theme = "dracula"\n', encoding="utf-8")

    async def run(expected: str, *, cfg: Path | None = None, choose: str | None = None) -> None:
        app = create_app(articles_dir, cfg)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            assert app.theme == expected
            if choose:
                app.theme = choose  # as from the command palette
                await settle(pilot)
        app.store.close()

    await run("nord")  # the settings file's theme is the default
    await run("dracula", cfg=one_off)  # the one-off file's theme, for that run
    await run("nord")  # ... and not after
    await run("nord", choose="gruvbox")  # a palette choice...
    await run("dracula", cfg=one_off)
    await run("gruvbox")  # ...is remembered; the one-off run changed nothing


# --- 14: one byline rule -------------------------------------------------------------------
async def test_reader_byline_has_no_time_the_file_does_not_have(
    tmp_path: Path, settle: Settle, screen_text: ScreenText
) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "note.md").write_text(
        "---\ntitle: Release notes\nauthor: newstui\nsource: newstui\ndate: 2026-11-26\n---\n"
        "The release is out.\n",
        encoding="utf-8",
    )
    app = create_app(folder)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        text = screen_text(app)
        assert "newstui · 2026-11-26 · 1 min read" in text
        assert "00:00" not in text


# --- 23: nothing from state or settings reaches the screen raw ------------------------------
OSC_TITLE = "\x1b]0;pwned\x07"
OSC_CLIP = "\x1b]52;c;cHduZWQ=\x07"


async def test_escape_sequences_from_state_and_settings_never_reach_the_screen(
    articles_dir: Path, settle: Settle, screen_text: ScreenText
) -> None:
    store = StateStore.open()
    store.add_search(f"{OSC_CLIP}cocoa")
    store.add_search(f"harbour{OSC_TITLE}")
    store.set_value("last_search", f"{OSC_TITLE}volcano")
    store.close()
    config = paths.config_dir() / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(
        '"odd\\u001b]0;pwned\\u0007key" = 1\n'
        "[keymap]\n"
        '"app.toggle_star" = "\\u001b[31mx"\n'
        '"app.sort" = "\\u001b]0;pwned\\u0007"\n',
        encoding="utf-8",
    )
    app = create_app(articles_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        box = app.search_box
        assert box.value == "volcano"  # restored, cleaned
        assert app.search_query == "volcano"
        messages = _messages(app)
        assert messages and all(not ESCAPES.search(m) for m in messages), messages
        assert any("[keymap]" in m and "ignored" in m for m in messages)
        assert app.query_one(Footer).display
        assert not ESCAPES.search(screen_text(app))  # the footer's key labels included
        await pilot.press("slash")
        seen: list[str] = []
        for _ in range(3):
            await pilot.press("up")
            seen.append(box.value)
            assert not ESCAPES.search(box.value), box.value
        assert "harbour" in seen and "cocoa" in seen
        assert not ESCAPES.search(screen_text(app))


async def test_a_pasted_escape_sequence_is_not_kept_in_the_search_box(
    articles_dir: Path, settle: Settle
) -> None:
    app = create_app(articles_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        app.search_box.insert_text_at_cursor(f"vol{OSC_TITLE}cano")
        await settle(pilot)
        assert app.search_box.value == "volcano"
        assert next(a.title for a in app.article_list.articles) == "Volcano erupts near the harbour"


# --- 29: every word a search finds is readable --------------------------------------------
async def test_deeply_nested_markdown_lists_show_every_level_in_the_reader(
    tmp_path: Path, settle: Settle
) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    levels = "\n".join("  " * i + f"- level{i} item" for i in range(14))
    (folder / "nested.md").write_text(
        f"---\ntitle: Nested\n---\nTop.\n\n{levels}\n\nEnd paragraph.\n", encoding="utf-8"
    )
    app = create_app(folder)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        shown = "\n".join(app.reader.plain_lines)
        for i in range(14):
            assert f"level{i} item" in shown, i
        assert "End paragraph." in shown


async def test_a_small_markdown_article_is_still_formatted(tmp_path: Path, settle: Settle) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "small.md").write_text(
        "---\ntitle: Small\n---\n## A heading\n\n- one\n  - two\n\n**bold** text\n",
        encoding="utf-8",
    )
    app = create_app(folder)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        shown = "\n".join(app.reader.plain_lines)
        assert "• one" in shown and "• two" in shown
        assert "**bold**" not in shown and "bold text" in shown


@pytest.mark.parametrize("units", [4_400, 50_000], ids=["under-the-cap", "100kb"])
async def test_keys_work_while_a_hostile_php_block_is_open(
    tmp_path: Path, settle: Settle, units: int
) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    code = "<?php " + "'\\" * units
    (folder / "php.md").write_text(
        f"---\ntitle: PHP\n---\nIntro.\n\n```php\n{code}\n```\n\nOutro words.\n", encoding="utf-8"
    )
    app = create_app(folder)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        loop = asyncio.get_running_loop()
        start = loop.time()
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("escape")
        await pilot.pause()
        assert loop.time() - start < 10
        assert "Outro words." in "\n".join(app.reader.plain_lines)


# --- the engine's messages about a malformed query are shown -------------------------------
async def test_the_engines_query_errors_are_shown_in_the_status_line(
    articles_dir: Path, settle: Settle, screen_text: ScreenText, monkeypatch: pytest.MonkeyPatch
) -> None:
    @dataclass(slots=True)
    class WithErrors(SearchResult):
        errors: list[str] = field(default_factory=list)

    original = SearchIndex.search

    def search(self: SearchIndex, query: str, **kw: Any) -> SearchResult:
        r = original(self, query, **kw)
        fields = {f: getattr(r, f) for f in SearchResult.__dataclass_fields__}
        return WithErrors(**fields, errors=["after:2020-13 is not a date\x1b[31m; ignored"])

    monkeypatch.setattr(SearchIndex, "search", search)
    app = create_app(articles_dir)
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"volcano after:2020-13")
        await settle(pilot)
        status = _status(app)
        assert "after:2020-13 is not a date; ignored" in status
        assert not ESCAPES.search(screen_text(app))


# --- issue 11: the reader marks what the engine matched ------------------------------------
async def test_the_reader_highlights_the_words_the_engine_matched_accents_folded(
    tmp_path: Path, settle: Settle
) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    write_article(
        folder,
        "cafe.txt",
        "Corner news",
        "The café on the corner sends an email to every regular.\n\nCafes elsewhere do not.",
    )
    app = create_app(folder)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
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
