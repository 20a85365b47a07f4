"""The front page (issue 13): the last run's first rows shown before the library loads,
then replaced by the real list; a stale or damaged page is never shown."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from stories_support import write_stories
from test_ui_support import (
    fill_folder,
    notifications,
    open_app,
    row_text,
    settle,
    status_text,
    titles,
    wait_until,
    write_article,
)

from newstui.core.library import opening
from newstui.core.library.front import front_file_for


def _hold(monkeypatch: pytest.MonkeyPatch, owner: Any, name: str) -> threading.Event:
    """``owner.name`` waits (up to 30 s) for the returned event before it runs."""
    release = threading.Event()
    real = getattr(owner, name)

    def held(*args: Any, **kwargs: Any) -> Any:
        release.wait(30)
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, held)
    return release


@pytest.fixture
def gate(monkeypatch: pytest.MonkeyPatch) -> Iterator[threading.Event]:
    """The library does not load until the test sets the event (a slow disk, a big
    library); set on the way out whatever happens."""
    release = _hold(monkeypatch, opening, "open_library")
    yield release
    release.set()


async def _first_run(folder: Path) -> list[str]:
    """A run that loads the folder and quits: the list's titles as it showed them."""
    async with open_app(folder) as (app, _pilot):
        await settle(_pilot)
        return titles(app)


async def test_front_page_shows_before_the_library_loads_then_the_real_list(
    tmp_path: Path, gate: threading.Event
) -> None:
    folder = tmp_path / "articles"
    fill_folder(folder, 60)
    gate.set()
    first = await _first_run(folder)
    assert front_file_for([folder]).exists()
    gate.clear()
    async with open_app(folder, wait=False) as (app, pilot):
        assert await wait_until(pilot, lambda: bool(app.article_list.articles))
        # the rows as the last run listed them, before a single article is loaded
        assert app.provisional
        assert not len(app.library)
        assert titles(app) == first[: len(app.article_list.articles)]
        assert first[0] in row_text(app, 0)
        assert "Loading 60 articles…" in status_text(app)
        # moving works; Enter waits for the library and then opens that article
        await pilot.press("j", "j")
        wanted = app.article_list.highlighted
        assert wanted is not None
        await pilot.press("enter")
        assert any("once the library has loaded" in n for n in notifications(app))
        assert app.reader.article is None
        await pilot.press("M")  # "every article of the list" is not known yet
        assert any("Still loading" in n for n in notifications(app))
        assert len(app.screen_stack) == 1
        gate.set()
        await settle(pilot)
        assert not app.provisional
        assert app.front_page is None
        assert len(app.article_list.articles) == 60
        assert titles(app) == first
        assert app.article_list.cursor == 2  # where the user moved on the provisional list
        assert app.reader.article is not None
        assert app.reader.article.id == wanted.id
        assert app.reader.article.body  # the real article, text and all
        assert "Loading" not in status_text(app)
        assert "60 articles" in status_text(app)


async def test_a_page_whose_file_changed_or_went_is_not_shown(
    tmp_path: Path, gate: threading.Event
) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    for i in range(5):
        write_article(
            folder, f"n{i}.txt", f"Story number {i}", f"Body {i} words.", date=f"2024-05-0{i + 1}"
        )
    gate.set()
    first = await _first_run(folder)
    assert first[0] == "Story number 4"  # newest first
    (folder / "n4.txt").unlink()  # the top article is gone
    gate.clear()
    async with open_app(folder, wait=False) as (app, pilot):
        await pilot.pause(0.3)
        assert not app.article_list.articles  # nothing provisional: the page is stale
        assert not app.provisional
        assert "Story number 4" not in "\n".join(row_text(app, r) for r in range(5))
        gate.set()
        await settle(pilot)
        assert titles(app) == first[1:]
    # the second run wrote a page of its own: a third start shows it again
    write_article(folder, "n3.txt", "Story three, edited", "Edited.", date="2024-05-04")
    gate.clear()
    async with open_app(folder, wait=False) as (app, pilot):
        await pilot.pause(0.3)
        assert not app.article_list.articles  # n3.txt changed since the page was written
        gate.set()
        await settle(pilot)
        assert titles(app)[0] == "Story three, edited"


@pytest.mark.parametrize(
    "damage",
    ["truncated", "garbage", "version", "huge", "markup", "control"],
)
async def test_a_damaged_page_is_ignored(
    tmp_path: Path, gate: threading.Event, damage: str
) -> None:
    folder = tmp_path / "articles"
    fill_folder(folder, 8)
    gate.set()
    first = await _first_run(folder)
    page = front_file_for([folder])
    raw = page.read_bytes()
    doc = json.loads(raw)
    if damage == "truncated":
        page.write_bytes(raw[: len(raw) // 2])
    elif damage == "garbage":
        page.write_bytes(b"\x00\xff" * 500)
    elif damage == "version":
        doc["newstui_front"] = 99
        page.write_text(json.dumps(doc))
    elif damage == "huge":
        page.write_bytes(raw + b" " * (300 * 1024))
    elif damage == "markup":  # a title is shown as text, never as markup
        doc["rows"][0][1] = "[bold red]Pwned[/] [link=http://x]x[/link]"
        page.write_text(json.dumps(doc))
    elif damage == "control":  # an id with an escape: the page is damaged
        doc["rows"][0][0] = "abc\x1b[2J"
        page.write_text(json.dumps(doc))
    gate.clear()
    async with open_app(folder, wait=False) as (app, pilot):
        await pilot.pause(0.3)
        if damage == "markup":
            assert app.provisional
            assert "[bold red]Pwned[/]" in row_text(app, 0)
        else:
            assert not app.article_list.articles
            assert not app.provisional
        gate.set()
        await settle(pilot)
        assert titles(app) == first
        assert not app.provisional


async def test_another_sort_makes_the_page_wait_for_the_library(
    tmp_path: Path, gate: threading.Event
) -> None:
    folder = tmp_path / "articles"
    fill_folder(folder, 10)
    gate.set()
    await _first_run(folder)
    gate.clear()
    async with open_app(folder, wait=False) as (app, pilot):
        assert await wait_until(pilot, lambda: app.provisional)
        await pilot.press("s")  # another order: the page (newest first) no longer fits
        assert not app.provisional
        assert not app.article_list.articles
        gate.set()
        await settle(pilot)
        assert app.sort == "oldest"
    gate.clear()
    async with open_app(folder, wait=False) as (app, pilot):
        # the page of the last run was written in its order: oldest first
        assert await wait_until(pilot, lambda: app.provisional)
        assert app.article_list.articles[0].title.endswith("report 0")
        gate.set()
        await settle(pilot)


async def test_provisional_state_goes_at_a_few_thousand_articles(tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    lines = [
        json.dumps(
            {
                "title": f"Wire story {i} about harbour trade",
                "body": f"Item {i}: cargo volumes {i % 97} and {i % 13} ships.",
                "date": f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}T{i % 24:02d}:00:00",
                "source": ("Reuters", "AP", "AFP")[i % 3],
                "url": f"https://wire.example/{i}",
            }
        )
        for i in range(4000)
    ]
    (folder / "wire.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    async with open_app(folder) as (app, pilot):
        first = titles(app)[:40]
    async with open_app(folder, wait=False) as (app, pilot):
        assert await wait_until(pilot, lambda: bool(app.article_list.articles))
        assert titles(app)[:40] == first
        await settle(pilot)
        assert not app.provisional
        assert app.front_page is None
        assert len(app.article_list.articles) == 4000
        assert "4,000 articles" in status_text(app)
        assert "Loading" not in status_text(app)


async def test_unread_only_page_leaves_out_what_was_read_since(
    tmp_path: Path, gate: threading.Event
) -> None:
    folder = tmp_path / "articles"
    fill_folder(folder, 12)
    gate.set()
    async with open_app(folder) as (app, pilot):
        await pilot.press("u")  # unread only: the page is written for that view
        await settle(pilot)
        top = app.article_list.articles[0]
        await pilot.press("m")  # read now; the list keeps its rows until it is refreshed
        await settle(pilot)
        assert app.article_list.articles[0].id == top.id
    gate.clear()
    async with open_app(folder, wait=False) as (app, pilot):
        assert await wait_until(pilot, lambda: app.provisional)
        assert top.id not in {a.id for a in app.article_list.articles}
        assert len(app.article_list.articles) == 11
        gate.set()
        await settle(pilot)
        assert len(app.article_list.articles) == 11


async def test_quitting_keeps_the_rows_as_shown_stories_folded(
    tmp_path: Path, gate: threading.Event
) -> None:
    folder = write_stories(tmp_path / "articles")  # 9 articles, 7 stories
    gate.set()
    async with open_app(folder) as (app, pilot):
        await settle(pilot)
        assert app.story_count == 7
        shown = titles(app)
        assert len(shown) == 7  # one row per story
        await pilot.press("q")
    gate.clear()
    async with open_app(folder, wait=False) as (app, pilot):
        assert await wait_until(pilot, lambda: app.provisional)
        assert titles(app) == shown  # the folded rows, before any story is grouped
        gate.set()
        await settle(pilot)
        assert titles(app) == shown


async def test_the_page_waits_for_the_stories_so_the_next_start_shows_them_folded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, gate: threading.Event
) -> None:
    """While the stories are being grouped the list has one row per article: quitting
    then writes no page (the next start would show every version of a story); once they
    land, the page is written as the list shows it, one row a story."""
    from newstui.core.stories import store

    folder = write_stories(tmp_path / "articles")  # 9 articles, 7 stories
    page = front_file_for([folder])
    gate.set()
    hold = _hold(monkeypatch, store, "load_stories")
    try:
        async with open_app(folder, wait=False) as (app, pilot):
            assert await wait_until(pilot, lambda: len(titles(app)) == 9)  # not grouped yet
            await pilot.press("q")
        assert not page.exists()
        async with open_app(folder, wait=False) as (app, pilot):
            assert await wait_until(pilot, lambda: len(titles(app)) == 9)
            hold.set()
            assert await wait_until(pilot, lambda: app.story_count == 7)
            assert await wait_until(pilot, page.exists)
            shown = titles(app)
    finally:
        hold.set()
    assert len(shown) == 7
    gate.clear()
    async with open_app(folder, wait=False) as (app, pilot):
        assert await wait_until(pilot, lambda: app.provisional)
        assert titles(app) == shown  # one row a story, before anything is grouped
        gate.set()


async def test_a_search_typed_over_the_provisional_rows_lands_when_the_library_does(
    tmp_path: Path, gate: threading.Event
) -> None:
    folder = tmp_path / "articles"
    fill_folder(folder, 20)
    write_article(folder, "volcano.txt", "Volcano erupts near the harbour", "Ash at dawn.")
    gate.set()
    await _first_run(folder)
    gate.clear()
    async with open_app(folder, wait=False) as (app, pilot):
        assert await wait_until(pilot, lambda: app.provisional)
        await pilot.press("slash", *"volcano")
        await pilot.pause(0.2)
        assert app.provisional  # the rows stay until the library (and its index) arrive
        gate.set()
        await settle(pilot)
        assert not app.provisional and app.front_page is None
        assert titles(app) == ["Volcano erupts near the harbour"]
        await pilot.press("escape")  # back to the list: every article
        await settle(pilot)
        assert len(titles(app)) == 21
