"""The status line's words, the keymap checks and the workers' messages, without Pilot."""

from __future__ import annotations

from newstui.core.search.results import SearchResult
from newstui.ui.app import NewsApp
from newstui.ui.keymap import binding_ids, check_keymap
from newstui.ui.messages import LoadProgress, Scanned
from newstui.ui.status import Listing, Progress, SearchFacts, StatusFacts, status_line


def facts(**changes: object) -> StatusFacts:
    base: dict[str, object] = {
        "articles": 1234,
        "listing": Listing(shown=1234),
        "loading": False,
        "hide_read": False,
        "sort": "newest",
        "problems": "",
        "progress": "",
    }
    base.update(changes)
    return StatusFacts(**base)  # type: ignore[arg-type]


def search(**changes: object) -> SearchFacts:
    result = SearchResult(query="cocoa", total=12, hits=[], took_ms=3.14)
    made = SearchFacts.of(result, None, "relevance")
    return SearchFacts(**{**{f: getattr(made, f) for f in made.__slots__}, **changes})  # type: ignore[arg-type]


class TestStatusLine:
    def test_the_library_and_its_sort(self) -> None:
        assert status_line(facts()).plain == " 1,234 articles · sort: newest"

    def test_loading_says_so_once(self) -> None:
        line = status_line(facts(articles=0, loading=True, progress="Loading 2,835/20,841"))
        assert line.plain == " Loading 2,835/20,841 · sort: newest"
        loading = status_line(facts(articles=0, loading=True)).plain
        assert loading == " Loading articles… · sort: newest"

    def test_progress_follows_the_counts_once_articles_are_listed(self) -> None:
        line = status_line(facts(loading=True, progress="Indexing 4,096/10,000"))
        assert line.plain == " 1,234 articles · sort: newest · Indexing 4,096/10,000"

    def test_a_search_result(self) -> None:
        listing = Listing(shown=12, searching=True, search=search())
        line = status_line(facts(listing=listing))
        assert line.plain == " 1,234 articles · 12 results in 3.1 ms · sort: relevance"

    def test_partial_matches_and_query_errors(self) -> None:
        listing = Listing(1, True, search(total=1, partial=True, errors=("is:bogus: unknown",)))
        line = status_line(facts(listing=listing)).plain
        assert "1 result in 3.1 ms (partial matches) · is:bogus: unknown" in line

    def test_a_search_while_indexing_says_how_far_it_looked(self) -> None:
        listing = Listing(0, True, search(total=0, so_far=10))
        line = status_line(facts(listing=listing)).plain
        assert "searching the 10 articles indexed so far…" in line
        assert "result" not in line

    def test_a_query_waiting_for_the_index_keeps_the_library_sort(self) -> None:
        line = status_line(facts(listing=Listing(0, searching=True), hide_read=True)).plain
        assert line == " 1,234 articles · sort: newest · unread only"

    def test_unread_only_counts_the_list(self) -> None:
        line = status_line(facts(listing=Listing(7), hide_read=True, problems="2 files")).plain
        assert line == " 7 of 1,234 articles · sort: newest · unread only · 2 files (!)"

    def test_progress_without_a_count_hides_no_words(self) -> None:
        assert Progress("Fetching 3 feeds…").relabel("Indexing…") == Progress("Indexing…")
        counted = Progress.counting("Indexing", 5, 9)
        assert counted.text == "Indexing 5/9" and counted.relabel("x")[1:] == (5, 9)


class TestKeymap:
    def test_key_names_are_kept_and_unknown_ids_named_with_a_guess(self) -> None:
        kept, warnings = check_keymap(
            {
                "app.toggle_star": "asterisk",
                "reader.next_article": "x",
                "app.quit": "\x1b[31mq",
            },
            NewsApp.BINDINGS,
        )
        assert kept == {"app.toggle_star": "asterisk", "reader.next_article": "x"}
        assert len(warnings) == 2
        assert "app.quit = '␛[31mq': not a list of key names; ignored" in warnings[0]
        assert (
            "reader.next_article: no such binding; ignored (did you mean reader.next?)"
            in (warnings[1])
        )

    def test_every_pane_and_screen_binding_can_be_remapped(self) -> None:
        ids = binding_ids(NewsApp.BINDINGS)
        for expected in ("app.quit", "search.clear", "list.open", "reader.next", "help.close"):
            assert expected in ids
        assert len(ids) == len(set(ids))


class TestMessages:
    def test_a_newer_count_of_the_same_job_replaces_an_older_one(self) -> None:
        old = LoadProgress("Scanning", 10, 100)
        assert old.can_replace(LoadProgress("Scanning", 20, 100))
        assert old.can_replace(LoadProgress("Indexing", 0, 100))  # one load, later phase
        assert not old.can_replace(LoadProgress("Fetching", 1, 3))  # another job
        assert not LoadProgress("Fetching", 1, 3).can_replace(old)

    def test_other_messages_are_never_dropped(self) -> None:
        progress = LoadProgress("Indexing", 10, 100)
        assert not progress.can_replace(Scanned(None, None, False, False))  # type: ignore[arg-type]
        assert not Scanned(None, None, False, False).can_replace(progress)  # type: ignore[arg-type]
