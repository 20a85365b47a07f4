"""The app's coordination (issue 11): the status line follows the app's reactives, and a
fetch during a search shows the fetched articles that match it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from newstui.core import paths
from newstui.core.state import StateStore
from newstui.ui.app import NewsApp, create_app
from newstui.ui.status import Progress
from newstui.ui.widgets.status_bar import StatusBar, StatusText

Settle = Callable[[Any], Awaitable[None]]

#: One item, "Lighthouse keeper retires", in an RSS file the test writes.
RSS = (
    '<?xml version="1.0"?><rss version="2.0"><channel><title>Gazette</title>'
    "<item><title>Lighthouse keeper retires</title><guid>lighthouse-1</guid>"
    "<description>The lighthouse keeper retired today.</description></item>"
    "</channel></rss>"
)


def _status(app: Any) -> str:
    return str(app.query_one(StatusBar).query_one(StatusText).text.plain)


class TestStatusLine:
    async def test_it_follows_progress_and_sort_as_they_change(
        self, articles_dir: Path, settle: Settle
    ) -> None:
        app = create_app(articles_dir)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            bar = app.query_one(StatusBar)
            assert "Indexing" not in _status(app) and not bar.has_class("-loading")
            app.progress = Progress.counting("Indexing", 4096, 10000)
            await pilot.pause()
            assert _status(app).endswith("· Indexing 4,096/10,000")
            assert bar.has_class("-loading")
            app.progress = Progress("Fetching 2 feeds…")  # no count: no bar
            await pilot.pause()
            assert _status(app).endswith("· Fetching 2 feeds…")
            assert not bar.has_class("-loading")
            app.progress = None
            app.sort = "title"
            await pilot.pause()
            assert _status(app).endswith("· sort: title")


class TestFetchDuringSearch:
    async def test_fetched_articles_that_match_the_search_join_its_results(
        self, articles_dir: Path, tmp_path: Path, settle: Settle
    ) -> None:
        feed = tmp_path / "gazette.rss"
        feed.write_text(RSS, encoding="utf-8")
        config = paths.config_dir() / "config.toml"
        config.parent.mkdir(parents=True, exist_ok=True)
        config.write_text(f'feeds = ["{feed}"]\n', encoding="utf-8")
        app = create_app(articles_dir)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            await pilot.press("slash", *"lighthouse")
            await settle(pilot)
            assert app.article_list.articles == []
            await pilot.press("down", "F")  # into the (empty) results, then fetch
            await settle(pilot)
            titles = [a.title for a in app.article_list.articles]
            assert titles == ["Lighthouse keeper retires"]
            assert "1 result in" in _status(app)


def _app_remembering_sort(articles_dir: Path, sort: str) -> NewsApp:
    """The app, started with ``sort`` remembered from an earlier run."""
    store = StateStore.open()
    store.set_value("sort", sort)
    return create_app(articles_dir, store=store)


class TestSortAndHideRead:
    async def test_the_sort_is_validated_and_remembered(
        self, articles_dir: Path, settle: Settle
    ) -> None:
        app = _app_remembering_sort(articles_dir, "title")
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            assert app.sort == "title"
            app.set_sort("relevance")  # only a search has a relevance order
            await settle(pilot)
            assert app.sort == "title"
            assert _status(app).endswith("· sort: title")
            await pilot.press("s")
            await settle(pilot)
            assert app.sort == "source" and app.store.get_value("sort") == "source"
            await pilot.press("u")
            await settle(pilot)
            assert app.store.get_value("hide_read") == "1"
            assert "unread only" in _status(app)

    async def test_a_bad_remembered_sort_starts_newest_and_is_not_written(
        self, articles_dir: Path, settle: Settle
    ) -> None:
        app = _app_remembering_sort(articles_dir, "sideways")
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            assert app.sort == "newest"
            assert _status(app).endswith("· sort: newest")
        assert app.store.get_value("sort") == "sideways"


class TestClosing:
    async def test_messages_still_in_flight_when_the_app_closes_are_dropped_quietly(
        self, articles_dir: Path, settle: Settle
    ) -> None:
        """Closing tears the screen down while the app still reads its queue: a list's
        late "highlighted" (a refill, a search landing, a worker's result) must not look for a
        list that is gone and end the run with a traceback (seen in CI after newsboat rewrote
        its cache while a test closed the app)."""
        from textual.widget import Widget

        from newstui.ui.widgets.article_list import ArticleList

        class Late(Widget):
            """Posts the list's message to the app as the screen is taken down."""

            def on_unmount(self) -> None:
                for _ in range(50):
                    self.app.post_message(ArticleList.Highlighted(None))

        app = create_app(articles_dir)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            await app.query_one("#panes").mount(Late())
            await pilot.pause()
        # run_test re-raises what the app died of: reaching here is the test
        assert not app.query("#list")
