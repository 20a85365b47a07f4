"""The app's search session, without Textual: what runs, what waits, what is shown, what
Enter opens (``newstui.ui.search_session``)."""

from __future__ import annotations

from newstui.core.article import Article
from newstui.core.search.results import Hit, SearchResult
from newstui.ui.search_session import Land, SearchSession


def result(query: str, shown: int = 3, total: int | None = None) -> SearchResult:
    hits = [
        Hit(Article(id=f"{query}-{n}", title=f"{query} {n}", body="", format="text"), 1.0)
        for n in range(shown)
    ]
    return SearchResult(query=query, total=shown if total is None else total, hits=hits, took_ms=1)


def typed(session: SearchSession, text: str) -> list[str]:
    """Type ``text`` key by key into the box; the searches started meanwhile."""
    started = []
    for n in range(1, len(text) + 1):
        session.type(text[:n])
        query = session.start(ready=True)
        if query is not None:
            started.append(query)
    return started


class TestTypingBurst:
    def test_only_the_newest_query_waits_while_a_search_runs(self) -> None:
        session = SearchSession()
        assert typed(session, "volcano") == ["v"]  # the rest typed while "v" ran
        assert session.pending == "volcano"
        assert session.land("v", result("v")).action is Land.SHOW  # better than nothing
        assert session.start(ready=True) == "volcano"
        assert session.searches_run == 2
        landing = session.land("volcano", result("volcano"))
        assert landing.action is Land.SHOW
        assert session.result is not None and session.result.query == "volcano"
        assert session.start(ready=True) is None
        assert not session.busy(ready=True)

    def test_a_query_typed_meanwhile_replaces_the_waiting_one(self) -> None:
        session = SearchSession()
        session.type("cocoa")
        assert session.start(ready=True) == "cocoa"
        session.type("coffee")
        assert session.start(ready=True) is None  # one search at a time
        assert session.land("cocoa", result("cocoa")).action is Land.SHOW  # coffee waits
        assert session.start(ready=True) == "coffee"
        session.type("cocoa")  # back to the query already shown: searched again
        assert session.land("coffee", result("coffee")).action is Land.SHOW
        assert session.start(ready=True) == "cocoa"
        session.type("tea")
        session.type("cocoa")  # "tea" never ran; "cocoa" waits
        assert session.pending == "cocoa"

    def test_keys_typed_before_the_index_exists_wait_for_it(self) -> None:
        session = SearchSession()
        session.type("zep")
        session.type("zeppelin")
        assert session.start(ready=False) is None
        assert session.busy(ready=False) is False  # nothing can run: not busy
        assert session.busy(ready=True) is True
        assert session.start(ready=True) == "zeppelin"
        assert session.searches_run == 1

    def test_the_same_query_again_is_not_searched_again_unless_forced(self) -> None:
        session = SearchSession()
        session.type("cocoa")
        session.start(ready=True)
        session.land("cocoa", result("cocoa"))
        session.type("cocoa ")  # a trailing space: the same query
        assert session.start(ready=True) is None
        session.request("cocoa", force=True)
        assert session.start(ready=True) == "cocoa"


class TestEnter:
    def test_enter_before_the_result_opens_the_top_of_the_last_query(self) -> None:
        session = SearchSession()
        typed(session, "cocoa")
        assert session.submit() is False  # the result is not there yet
        assert session.enter_waiting
        first = session.land("c", result("c"))
        assert first.action is Land.SHOW and not first.open_top  # "cocoa" still waits
        session.start(ready=True)
        last = session.land("cocoa", result("cocoa"))
        assert last.action is Land.SHOW and last.open_top
        assert not session.enter_waiting  # once

    def test_enter_with_the_result_shown_opens_now(self) -> None:
        session = SearchSession()
        typed(session, "cocoa")
        session.land("c", result("c"))
        session.start(ready=True)
        session.land("cocoa", result("cocoa"))
        assert session.submit() is True
        assert not session.enter_waiting

    def test_esc_clears_the_waiting_search_and_its_enter(self) -> None:
        session = SearchSession()
        typed(session, "cocoa")
        session.submit()
        assert session.request("") is True  # the full list comes back
        assert session.pending is None and session.query == "" and session.result is None
        assert not session.enter_waiting
        assert session.land("c", result("c")).action is Land.IGNORE
        assert session.start(ready=True) is None
        assert not session.busy(ready=True)

    def test_clearing_an_empty_box_changes_nothing(self) -> None:
        assert SearchSession().request("   ") is False

    def test_slash_forgets_a_waiting_enter(self) -> None:
        session = SearchSession()
        typed(session, "cocoa")
        session.submit()
        session.forget_enter()
        assert not session.land("c", result("c")).open_top


class TestLanding:
    def test_a_rejected_query_says_why(self) -> None:
        session = SearchSession()
        typed(session, "title:")
        assert session.land("t", None).action is Land.ERROR
        assert session.result is None

    def test_the_restored_search_keeps_the_last_article_a_typed_one_does_not(self) -> None:
        session = SearchSession()
        session.restore("cocoa", "article-7")
        session.start(ready=True)
        assert session.land("cocoa", result("cocoa")).keep_id == "article-7"
        session.restore("coffee", "article-7")
        session.type("coffees")  # typed over it before it ran
        session.start(ready=True)
        assert session.land("coffees", result("coffees")).keep_id is None

    def test_a_search_during_indexing_runs_again_as_the_index_doubles(self) -> None:
        session = SearchSession()
        session.type("zeppelin")
        session.start(ready=True)
        session.land("zeppelin", result("zeppelin", 0), indexed_so_far=10)
        assert session.indexed_so_far == 10
        assert session.refresh(15) is False
        assert session.refresh(20) is True
        assert session.start(ready=True) == "zeppelin"
        assert session.refresh(400) is False  # it runs already
        session.land("zeppelin", result("zeppelin", 1), indexed_so_far=20)
        assert session.refresh(40) is True
        session.start(ready=True)
        session.land("zeppelin", result("zeppelin", 1))  # the complete index
        assert session.indexed_so_far is None
        assert session.refresh(10_000) is False

    def test_an_empty_index_so_far_runs_again_at_the_first_article(self) -> None:
        session = SearchSession()
        session.type("zeppelin")
        session.start(ready=True)
        session.land("zeppelin", result("zeppelin", 0), indexed_so_far=0)
        assert session.refresh(0) is False
        assert session.refresh(1) is True


class TestPaging:
    def test_the_next_page_is_asked_for_near_the_end_once(self) -> None:
        session = SearchSession(page=100)
        session.type("oil")
        session.start(ready=True)
        session.land("oil", result("oil", 100, total=260))
        assert session.more(10, 100, ready=True) is None  # far from the end
        shown = session.more(80, 100, ready=True)
        assert shown is session.result
        assert session.more(99, 100, ready=True) is None  # one page at a time
        assert session.busy(ready=True)
        assert session.more_landed(shown, result("oil", 200, total=260)) is True
        assert session.result is not None and len(session.result.hits) == 200
        assert not session.busy(ready=True)

    def test_a_page_for_a_result_no_longer_shown_is_dropped(self) -> None:
        session = SearchSession(page=100)
        session.type("oil")
        session.start(ready=True)
        session.land("oil", result("oil", 100, total=260))
        shown = session.more(90, 100, ready=True)
        assert shown is not None
        session.type("gas")
        session.start(ready=True)
        session.land("gas", result("gas"))
        assert session.more_landed(shown, result("oil", 200, total=260)) is False
        assert session.result is not None and session.result.query == "gas"

    def test_no_page_past_the_total_or_after_a_failed_one(self) -> None:
        session = SearchSession(page=100)
        session.type("oil")
        session.start(ready=True)
        session.land("oil", result("oil", 40))
        assert session.more(39, 40, ready=True) is None  # every hit is shown
        session.type("gas")
        session.start(ready=True)
        session.land("gas", result("gas", 100, total=300))
        assert session.more(99, 100, ready=False) is None  # no index to ask
        shown = session.more(99, 100, ready=True)
        assert shown is not None
        assert session.more_landed(shown, None) is False  # failed: the page stays
        assert session.more(99, 100, ready=True) is shown  # and may be asked again
