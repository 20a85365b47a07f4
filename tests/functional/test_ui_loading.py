"""Loading and reloading the folders: progress, the list before the index is built, r."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from test_ui_support import (
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

from newstui.core.library.scan import PROGRESS_STEPS
from newstui.core.search import SearchIndex
from newstui.ui.messages import LoadProgress
from newstui.ui.model import SortedArticles


async def test_several_folders_are_read_together(tmp_path: Path) -> None:
    first, second = tmp_path / "one", tmp_path / "two"
    fill_folder(first, 3)
    second.mkdir()
    write_article(second, "x.txt", "From the second folder", "Hello.", date="2024-06-01")
    async with open_app([first, second]) as (app, _pilot):
        assert len(app.article_list.articles) == 4
        assert titles(app)[0] == "From the second folder"


async def test_loading_progress_is_throttled_and_search_works_after(tmp_path: Path) -> None:
    folder = tmp_path / "many"
    fill_folder(folder, 400)
    seen: list[tuple[str, int, int]] = []

    def handled(message: Message) -> None:  # each message as the app handles it
        if isinstance(message, LoadProgress):
            seen.append((message.phase, message.done, message.total))

    async with open_app(folder, message_hook=handled) as (app, _pilot):
        assert len(app.article_list.articles) == 400
        assert seen, "progress was reported"
        # Bounded however many files: the scan reports at most PROGRESS_STEPS counts (a count
        # still queued when a newer one comes is replaced: LoadProgress.can_replace).
        loading = [s for s in seen if s[0] == "Loading"]
        assert len(loading) <= PROGRESS_STEPS + 1, "progress messages are bounded"
        assert len(loading) < 400  # not one a file
        assert seen[-1][1] == seen[-1][2]


async def test_status_line_says_loading_once_while_files_are_read(articles_dir: Path) -> None:

    async with open_app(articles_dir) as (app, pilot):
        # as on a big folder: nothing listed yet, files being read
        app.library = SortedArticles()
        app.is_loading = True
        app.post_message(LoadProgress("Loading", 2835, 20841))
        await pilot.pause()
        status = status_text(app)
        assert "Loading 2,835/20,841" in status
        assert status.count("Loading") == 1


async def test_list_fills_and_search_runs_while_the_index_is_still_building(
    tmp_path: Path, monkeypatch: Any
) -> None:

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
    async with open_app(folder, wait=False) as (
        app,
        pilot,
    ):  # with the warm-start cache, cold: a first run
        await wait_until(pilot, lambda: bool(app.article_list.articles))
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


async def test_reload_picks_up_new_changed_and_removed_files_keeping_selection(
    articles_dir: Path,
) -> None:
    async with open_app(articles_dir) as (app, pilot):
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


async def test_reload_shows_the_new_text_of_the_open_article_and_closes_a_removed_one(
    articles_dir: Path,
) -> None:
    async with open_app(articles_dir) as (app, pilot):
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
        assert app.opened is None  # closed; the reader previews what the list highlights
        assert app.reader.article is app.article_list.highlighted
        assert "erupted again" not in screen_text(app)
        assert app.focused is app.article_list
