"""The search engine as a reader sees it: what matches, in which order, what is highlighted."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newstui.core.article import Article
from newstui.core.search import SearchIndex, SearchResult
from newstui.core.search.index import BUILD_CHUNK, highlight_spans, make_snippet, max_typos


def art(
    aid: str,
    title: str,
    body: str = "",
    *,
    author: str = "",
    source: str = "",
    tags: tuple[str, ...] = (),
    published: datetime | None = None,
) -> Article:
    return Article(
        id=aid,
        title=title,
        body=body,
        format="text",
        author=author,
        source=source,
        tags=tags,
        published=published,
    )


def ids(res: SearchResult) -> list[str]:
    return [h.article.id for h in res.hits]


def index_of(*articles: Article) -> SearchIndex:
    index = SearchIndex()
    index.add(articles)
    return index


@pytest.fixture
def news() -> SearchIndex:
    return index_of(
        art("cocoa", "Bahia cocoa review", "Showers continued in the Bahia cocoa zone."),
        art("coffee", "Coffee prices fall", "Brazil coffee exports fell sharply."),
        art("both", "Cocoa and coffee", "Cocoa prices rose while coffee prices fell."),
        art("oil", "Oil output", "Saudi oil production rose in March."),
    )


# --------------------------------------------------------------------------- language


def test_all_words_must_match(news: SearchIndex) -> None:
    res = news.search("cocoa coffee ")
    assert ids(res) == ["both"]
    assert res.total == 1 and not res.partial


def test_fallback_to_partial_matches_says_so(news: SearchIndex) -> None:
    res = news.search("cocoa zeppelin ")
    assert res.partial
    assert set(ids(res)) == {"cocoa", "both"}


def test_partial_ranks_docs_matching_more_words_first(news: SearchIndex) -> None:
    res = news.search("cocoa coffee zeppelin ")
    assert res.partial
    assert ids(res)[0] == "both"


def test_single_word_without_match_is_empty_not_partial(news: SearchIndex) -> None:
    res = news.search("zeppelin ")
    assert res.total == 0 and res.hits == [] and not res.partial


def test_phrase_requires_adjacent_words_in_order() -> None:
    index = index_of(
        art("adj", "Market", "World cocoa prices rose."),
        art("apart", "Market", "Prices of cocoa rose."),
    )
    assert ids(index.search('"cocoa prices"')) == ["adj"]
    assert set(ids(index.search("cocoa prices "))) == {"adj", "apart"}


def test_phrase_across_curly_possessive_and_hyphen() -> None:
    index = index_of(art("a", "Trump’s well-known plan", "text"))
    assert ids(index.search('"trump well known plan"')) == ["a"]
    assert ids(index.search('"trumps plan"')) == []


def test_exclude(news: SearchIndex) -> None:
    assert set(ids(news.search("coffee -cocoa"))) == {"coffee"}
    assert set(ids(news.search('coffee -"cocoa prices"'))) == {"coffee"}
    assert set(ids(news.search('coffee -"coffee prices"'))) == set()


def test_only_exclusion_has_no_hits(news: SearchIndex) -> None:
    assert news.search("-cocoa").total == 0


def test_or(news: SearchIndex) -> None:
    assert set(ids(news.search("bahia OR oil "))) == {"cocoa", "oil"}
    assert set(ids(news.search("bahia OR saudi production "))) == {"oil"}


def test_field_filters() -> None:
    index = index_of(
        art("t", "Cocoa review", "nothing else", author="Ann Smith", source="Reuters"),
        art("b", "Review", "cocoa in the body", author="Bob Jones", source="BBC", tags=("grain",)),
    )
    assert ids(index.search("title:cocoa ")) == ["t"]
    assert ids(index.search("author:smith ")) == ["t"]
    assert ids(index.search("source:bbc ")) == ["b"]
    assert ids(index.search("tag:grain ")) == ["b"]
    assert ids(index.search('author:"bob jones" cocoa ')) == ["b"]
    assert set(ids(index.search("cocoa "))) == {"t", "b"}


def test_dates_in_all_three_forms() -> None:
    index = index_of(
        art("apr", "Cocoa", published=datetime(2020, 4, 30, 23, tzinfo=UTC)),
        art("may", "Cocoa", published=datetime(2020, 5, 15, tzinfo=UTC)),
        art("jun", "Cocoa", published=datetime(2020, 6, 1, tzinfo=UTC)),
        art("y21", "Cocoa", published=datetime(2021, 2, 1, tzinfo=UTC)),
        art("undated", "Cocoa"),
    )
    assert set(ids(index.search("cocoa after:2020-05 before:2020-06-01"))) == {"may"}
    assert set(ids(index.search("cocoa after:2021"))) == {"y21"}
    assert set(ids(index.search("cocoa before:2020-05"))) == {"apr"}
    assert set(ids(index.search("cocoa after:2020-05-15 before:2021"))) == {"may", "jun"}
    # A date filter alone lists the matching articles, newest first.
    assert ids(index.search("after:2020-05")) == ["y21", "jun", "may"]


class FakeState:
    def __init__(self, read: set[str], starred: set[str]) -> None:
        self.read, self.starred = read, starred

    def is_read(self, article_id: str) -> bool:
        return article_id in self.read

    def is_starred(self, article_id: str) -> bool:
        return article_id in self.starred


def test_state_filters(news: SearchIndex) -> None:
    state = FakeState(read={"cocoa"}, starred={"both"})
    assert set(ids(news.search("cocoa is:unread", state=state))) == {"both"}
    assert set(ids(news.search("cocoa is:read", state=state))) == {"cocoa"}
    assert set(ids(news.search("is:starred", state=state))) == {"both"}
    assert set(ids(news.search("is:unread is:starred", state=state))) == {"both"}


def test_state_filters_without_state(news: SearchIndex) -> None:
    assert news.search("is:unread").total == 4  # nothing read yet
    assert news.search("is:starred").total == 0
    assert news.search("is:read").total == 0


@pytest.mark.parametrize(
    "query",
    ['"', "-", "OR", "title:", "after:", 'title:"', "((( )))", "is:", '-""', "a OR", "\x1b[31m"],
)
def test_malformed_queries_never_raise(news: SearchIndex, query: str) -> None:
    res = news.search(query)
    assert isinstance(res, SearchResult)


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=60))
def test_any_text_is_a_valid_query(query: str) -> None:
    index = _SMALL
    res = index.search(query, limit=5)
    assert res.total >= len(res.hits)


_SMALL = index_of(
    art("a", "Cocoa review", "Bahia cocoa e-mail Trump’s café 1,000 tonnes"),
    art("b", "Oil prices", "Saudi oil output"),
)


def test_empty_query_returns_nothing(news: SearchIndex) -> None:
    for q in ("", "   ", "!!!"):
        res = news.search(q)
        assert res.total == 0 and res.hits == []


def test_empty_index() -> None:
    assert SearchIndex().search("cocoa").total == 0


# --------------------------------------------------------------------------- normalisation


@pytest.mark.parametrize(
    ("text", "query"),
    [
        ("Trump’s recusal", "trump "),
        ("Trump's recusal", "Trump’s "),
        ("Un café serré", "cafe serre "),
        ("CAFÉ", "Café "),
        ("New e-mail rules", "email "),
        ("New email rules", "e-mail "),
        ("New e-mail rules", "mail "),
        ("Output 1,000 tonnes in 1987", "1000 1987 "),
        ("Output 1,000 tonnes", "1,000 "),
        ("The U.S. economy", "us economy "),
    ],
)
def test_normalisation_through_search(text: str, query: str) -> None:
    assert ids(index_of(art("x", text)).search(query)) == ["x"]


# --------------------------------------------------------------------------- typos, prefix


def test_typo_budget_by_length() -> None:
    assert [max_typos("x" * n) for n in (1, 4, 5, 8, 9, 15)] == [0, 0, 1, 1, 2, 2]


@pytest.mark.parametrize(
    ("word", "query", "found"),
    [
        ("bank", "bnak ", True),  # 4 letters, no word of the library: one typo
        ("banks", "bnaks ", True),  # 5 letters: one typo (transposition = 1)
        ("banks", "bnkas ", False),  # two typos
        ("shipment", "shipmnet ", True),  # 8 letters: one typo
        ("shipment", "shpimnet ", False),  # two typos
        ("agreement", "agremeent ", True),  # 9 letters: two typos
        ("agreement", "agreemnet ", True),
        ("agreement", "agrxxmxnt ", False),  # three typos
        ("cocoa", "cocao ", True),
        ("cocoa", "xocoa ", True),  # substitution
        ("cocoa", "cocoaa ", True),  # insertion
    ],
)
def test_typo_rule(word: str, query: str, found: bool) -> None:
    index = index_of(art("x", f"The {word} report"))
    assert (ids(index.search(query)) == ["x"]) is found


def test_prefix_on_last_word_only() -> None:
    index = index_of(art("x", "Tuberville speaks", "Senator Tuberville said"))
    assert ids(index.search("tuber")) == ["x"]
    assert ids(index.search("senator tuber")) == ["x"]
    # "tuber" is no complete word: only partial matches (on "senator") are left.
    res = index.search("tuber senator")
    assert res.partial
    assert [s for s in res.hits[0].spans if s.field == "title"] == []
    assert ids(index.search("tuber ")) == []  # complete word: no prefix


# --------------------------------------------------------------------------- ranking


def test_title_match_ranks_above_body_match() -> None:
    index = index_of(
        art("body", "Market report", "Cocoa prices rose in Bahia today."),
        art("title", "Cocoa prices rise", "Markets rose in Bahia today."),
    )
    assert ids(index.search("cocoa ")) == ["title", "body"]


def test_exact_above_typo_above_prefix() -> None:
    index = index_of(
        art("prefix", "Grainery news", "filler text"),
        art("typo", "Grains news", "filler text"),
        art("exact", "Grain news", "filler text"),
    )
    assert ids(index.search("grain")) == ["exact", "typo", "prefix"]


def test_short_word_being_typed_ranks_with_its_completions() -> None:
    """ "host" typed (no space yet) may be the start of "hostage": a word of up to 4
    letters being typed counts like its completions; once complete, exact wins."""
    index = index_of(
        art("exact", "TV host fund", "filler text"),
        art("longer", "Hostage plea fund", "filler text"),
    )
    typed = index.search("host")
    assert sorted(ids(typed)) == ["exact", "longer"]
    assert typed.hits[0].score == typed.hits[1].score
    assert ids(index.search("host ")) == ["exact"]


def test_stopword_is_optional_but_boosts() -> None:
    index = index_of(
        art("without", "Hostage release", "Talks continue today."),
        art("with", "Plea for hostage release", "Talks continue today."),
        art("other", "Weather report", "Rain for days."),
    )
    res = index.search("for hostage")
    assert not res.partial
    assert ids(res) == ["with", "without"]  # "for" not required, but it counts
    # A query of stopwords only still requires them.
    assert sorted(ids(index.search("for "))) == ["other", "with"]


def test_proximity_bonus() -> None:
    filler = " ".join(["word"] * 30)
    index = index_of(
        art("far", "Report", f"Cocoa {filler} prices."),
        art("near", "Report", f"Cocoa prices {filler}."),
    )
    assert ids(index.search("cocoa prices ")) == ["near", "far"]


def test_recency_breaks_ties() -> None:
    index = index_of(
        art("old", "Cocoa report", published=datetime(2019, 1, 1, tzinfo=UTC)),
        art("new", "Cocoa report", published=datetime(2021, 1, 1, tzinfo=UTC)),
        art("undated", "Cocoa report"),
    )
    assert ids(index.search("cocoa ")) == ["new", "old", "undated"]


def test_scores_descend(news: SearchIndex) -> None:
    scores = [h.score for h in news.search("cocoa OR coffee").hits]
    assert scores == sorted(scores, reverse=True)


def test_limit_and_offset(news: SearchIndex) -> None:
    full = ids(news.search("cocoa OR coffee OR oil ", limit=10))
    assert len(full) == 4
    assert ids(news.search("cocoa OR coffee OR oil ", limit=2, offset=1)) == full[1:3]
    assert news.search("cocoa OR coffee OR oil ", limit=2).total == 4


# --------------------------------------------------------------------------- highlighting


def test_spans_point_at_the_matched_text() -> None:
    title = "Trump’s CAFÉ visit"
    body = "Éric said: the café near Trump’s hotel…"
    index = index_of(art("x", title, body))
    hit = index.search("cafe trump ").hits[0]
    texts = {(s.field, {"title": title, "body": body}[s.field][s.start : s.end]) for s in hit.spans}
    assert texts == {("title", "Trump"), ("title", "CAFÉ"), ("body", "café"), ("body", "Trump")}


def test_spans_cover_typo_and_prefix_matches() -> None:
    body = "Senator Tuberville spoke about cocoa."
    index = index_of(art("x", "Senate", body))
    hit = index.search("cocao tuber").hits[0]
    assert sorted(body[s.start : s.end] for s in hit.spans if s.field == "body") == [
        "Tuberville",
        "cocoa",
    ]


def test_spans_for_compound_words() -> None:
    body = "A well-known e-mail, 1,000 tonnes."
    index = index_of(art("x", "T", body))
    hit = index.search("wellknown email 1000 ").hits[0]
    assert [body[s.start : s.end] for s in hit.spans] == ["well-known", "e-mail", "1,000"]


def test_highlight_terms_are_the_vocabulary_words_matched() -> None:
    index = index_of(art("x", "Tuberville and cocoa", "text"))
    res = index.search("cocao tuber")
    assert "cocoa" in res.highlight_terms and "tuberville" in res.highlight_terms
    body = "Cocoa: TUBERVILLE"
    assert [body[s:e] for s, e in highlight_spans(body, res.highlight_terms)] == [
        "Cocoa",
        "TUBERVILLE",
    ]


def test_snippet_centres_on_the_densest_cluster() -> None:
    body = (
        "Cocoa appears early. "
        + "Filler sentence about nothing much at all. " * 8
        + "Here cocoa prices and more cocoa prices are discussed together. "
        + "Trailing filler sentence without the words. " * 8
    )
    index = index_of(art("x", "Report", body))
    hit = index.search("cocoa prices ").hits[0]
    assert 100 <= len(hit.snippet) <= 180
    assert "cocoa prices and more cocoa prices" in hit.snippet
    assert hit.snippet.startswith("…") and hit.snippet.endswith("…")
    marked = [hit.snippet[s.start : s.end].lower() for s in hit.snippet_spans]
    assert marked.count("cocoa") == 2 and marked.count("prices") == 2
    assert all(s.field == "snippet" for s in hit.snippet_spans)


def test_snippet_is_one_line_and_starts_the_body_when_nothing_matches_there() -> None:
    body = "First line\nsecond line\tand more text. " * 10
    index = index_of(art("x", "Cocoa", body))
    hit = index.search("cocoa ").hits[0]
    assert hit.snippet.startswith("First line second line")
    assert "\n" not in hit.snippet and "\t" not in hit.snippet
    assert hit.snippet_spans == []


def test_make_snippet_short_body() -> None:
    snippet, spans = make_snippet("Cocoa rose.", [(0, 5, 0)])
    assert snippet == "Cocoa rose."
    assert [snippet[s.start : s.end] for s in spans] == ["Cocoa"]


def test_suggestions_when_nothing_matches() -> None:
    index = index_of(art("x", "Tuberville speaks", "Senator Tuberville said"))
    # Three typos: beyond the budget for a 10-letter word, close enough to suggest.
    res = index.search("tubxrvxlxe ")
    assert res.total == 0 and res.suggestions[0] == "tuberville"
    res = index.search("qqqqqqqqqqqqqq ")
    assert res.total == 0 and res.suggestions == []


# --------------------------------------------------------------------------- incremental


def test_add_update_remove_without_rebuild(news: SearchIndex) -> None:
    assert len(news) == 4 and "oil" in news
    news.add([art("gas", "Gas prices", "Natural gas rose.")])
    assert ids(news.search("gas ")) == ["gas"]
    # Update by id: the old text is gone, the new one found.
    news.add([art("oil", "Crude output", "Production of crude rose.")])
    assert len(news) == 5
    assert ids(news.search("saudi ")) == []
    assert ids(news.search("crude ")) == ["oil"]
    news.get("oil")
    assert news.get("oil") is not None and news.get("oil").title == "Crude output"  # type: ignore[union-attr]
    news.remove(["coffee", "missing-id"])
    assert "coffee" not in news and len(news) == 4
    assert set(ids(news.search("coffee "))) == {"both"}
    assert {a.id for a in news.articles()} == {"cocoa", "both", "oil", "gas"}


def test_many_small_adds_stay_correct_and_compact() -> None:
    index = SearchIndex()
    for i in range(40):
        index.add([art(f"a{i}", f"Story {i} cocoa", f"body {i}")])
    index.remove([f"a{i}" for i in range(0, 40, 2)])
    assert index.search("cocoa ").total == 20
    assert len(index._snap.segments) <= 8  # merged as it grows


def test_large_add_in_chunks_with_progress() -> None:
    n = BUILD_CHUNK + 10
    calls: list[tuple[int, int]] = []
    index = SearchIndex()
    index.add(
        (art(f"a{i}", f"Story {i}", "cocoa" if i % 2 else "coffee") for i in range(n)),
        progress=lambda done, total: calls.append((done, total)),
    )
    assert calls[-1] == (n, n) and len(calls) >= 2
    assert index.search("cocoa ").total == n // 2
    assert len(index._snap.segments) == 1


def test_search_while_building_in_another_thread() -> None:
    n = BUILD_CHUNK * 3
    articles = [art(f"a{i}", f"Story {i} cocoa", f"cocoa body {i}") for i in range(n)]
    index = SearchIndex()
    errors: list[BaseException] = []
    totals: list[int] = []
    done = threading.Event()

    def build() -> None:
        try:
            index.add(articles)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            done.set()

    worker = threading.Thread(target=build)
    worker.start()
    while not done.is_set():
        res = index.search("cocoa", limit=5)
        # A consistent snapshot: whole chunks, every hit really indexed.
        assert res.total % BUILD_CHUNK == 0 or res.total == n
        totals.append(res.total)
    worker.join()
    assert not errors
    assert totals == sorted(totals)
    assert index.search("cocoa").total == n


def test_took_ms_is_reported(news: SearchIndex) -> None:
    res = news.search("cocoa")
    assert 0 <= res.took_ms < 1000


def test_big_and_small_posting_lists_score_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    """Long posting lists are scored one by one, short ones in a batch: same results."""
    import newstui.core.search.ranking as ranking_mod

    articles = [
        art(f"a{i}", f"Cocoa {'prices' if i % 3 else 'price'} {i}", f"cocoa body {i % 7} ship")
        for i in range(300)
    ]
    index = index_of(*articles)
    queries = ["cocoa price", "cocao", "ship pri", "cocoa OR ship"]
    batched = [[(h.article.id, h.score) for h in index.search(q).hits] for q in queries]
    monkeypatch.setattr(ranking_mod, "BATCH_POSTINGS", 0)
    one_by_one = [[(h.article.id, h.score) for h in index.search(q).hits] for q in queries]
    assert [[i for i, _ in r] for r in batched] == [[i for i, _ in r] for r in one_by_one]
    for r1, r2 in zip(batched, one_by_one, strict=True):
        assert [s for _, s in r1] == pytest.approx([s for _, s in r2], rel=1e-5)
    assert all(batched)


def test_highlight_terms_put_the_exact_word_first() -> None:
    index = index_of(art("x", "Grain grains grainery", "text"))
    assert index.search("grain").highlight_terms[0] == "grain"


def test_prefix_in_a_field_filter() -> None:
    index = index_of(art("t", "Tuberville speaks", "x"), art("b", "Senate", "Tuberville"))
    assert ids(index.search("title:tuber")) == ["t"]


def test_pages_of_one_query_agree() -> None:
    """Page 2 continues page 1 exactly, whatever the page size (proximity window fixed)."""
    filler = " ".join(f"w{j}" for j in range(12))
    index = index_of(
        *(
            art(f"a{i}", f"Cocoa {i}", f"cocoa {filler if i % 2 else ''} prices {i}")
            for i in range(150)
        )
    )
    full = ids(index.search("cocoa prices ", limit=150))
    assert len(full) == 150
    paged = [
        aid
        for off in range(0, 150, 25)
        for aid in ids(index.search("cocoa prices ", limit=25, offset=off))
    ]
    assert paged == full
    assert ids(index.search("cocoa prices ", limit=100, offset=50)) == full[50:150]


def test_state_is_asked_only_about_matching_articles(news: SearchIndex) -> None:
    asked: list[str] = []

    class Counting(FakeState):
        def is_read(self, article_id: str) -> bool:
            asked.append(article_id)
            return super().is_read(article_id)

    res = news.search("bahia is:unread", state=Counting(read=set(), starred=set()))
    assert ids(res) == ["cocoa"]
    assert asked == ["cocoa"]


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("Trump’s plan was clear", "trump plan"),
        ("A well-known man", "known man"),
        ("A well-known man", "wellknown man"),
        ("Don't go there", "don go"),
        ("Don't go there", "dont go"),
        ("A big x-ray machine", "big ray"),
        ("Vitamin-C tablets", "vitamin tablets"),
        ("The U.S. trade gap", "us trade"),
        ("Output of 1,000 tonnes", "1000 tonnes"),
        ("Ça va, CAFÉ noir", "cafe noir"),
        ("Straße frei", "strasse frei"),
    ],
)
def test_phrases_through_compounds_and_accents(text: str, phrase: str) -> None:
    index = index_of(art("x", "T", text))
    assert ids(index.search(f'"{phrase}"')) == ["x"]


def test_repeated_and_pasted_words_stay_fast() -> None:
    index = index_of(*(art(f"a{i}", f"The story {i}", "the of and the " * 20) for i in range(300)))
    for q in (" ".join(["the"] * 300), '"' + "the " * 50 + '"', "e-" * 500):
        res = index.search(q)
        assert res.took_ms < 2000


def test_articles_without_any_word() -> None:
    index = index_of(art("x", "!!!", "— … —"))
    assert index.search("cocoa").total == 0
    assert index.search("is:unread").total == 1


def test_prepare_builds_lookup_tables_ahead() -> None:
    index = index_of(art("x", "Cocoa", "text"))
    index.prepare()
    assert index._snap._vocab is not None


def test_a_typo_in_a_word_still_being_typed_finds_its_completions() -> None:
    index = index_of(
        art("s", "Sessions hits back at Trump", "Jeff Sessions recused himself."),
        art("o", "Oil output rises", "Saudi production rose."),
    )
    # `sesion` is one typo from `session`, which `sessions` starts with; nothing in the
    # vocabulary is within one typo of `sesion` itself, nor starts with it.
    res = index.search("sesion")
    assert ids(res) == ["s"]
    assert not res.partial
    title = res.hits[0].article.title
    assert [title[sp.start : sp.end] for sp in res.hits[0].spans if sp.field == "title"] == [
        "Sessions"
    ]
    assert "sessions" in res.highlight_terms
    # Only the last word (being typed) gets this; a word followed by more words does not.
    assert index.search("sesion trump").partial
    # Short words get no typo at all (Meilisearch's rule), as prefixes neither.
    assert index.search("sess").total == 1 and index.search("sesz").total == 0


def test_typo_completions_only_when_the_typed_word_leads_nowhere() -> None:
    index = index_of(
        art("right", "Production falls", "Output fell."),
        art("misspelt", "Prodcution report", "A misspelt title."),
    )
    # `produc` starts known words: its completions only, the misspelt title is not dragged in.
    assert ids(index.search("produc")) == ["right"]
    # `prduc` starts nothing: one typo away, `produc` does.
    assert ids(index.search("prduc")) == ["right"]
    assert index.search("prduc ").total == 0  # finished words get no completions


def test_a_page_of_hits_is_highlighted_only_where_it_is_read(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A list draws ~18 of a 100-hit page: the others' spans and snippets are never built.
    from newstui.core.search import highlight

    calls: list[str] = []
    original = highlight.HitMatches.highlight

    def counted(self: highlight.HitMatches, width: int = 160) -> object:
        calls.append(self.article.id)
        return original(self, width)

    monkeypatch.setattr(highlight.HitMatches, "highlight", counted)
    index = index_of(
        *(art(f"a{n}", f"Harbour report {n}", "The harbour was busy.") for n in range(60))
    )
    res = index.search("harbour", limit=50)
    assert len(res.hits) == 50 and calls == []
    first = res.hits[0]
    assert first.snippet and any(s.field == "title" for s in first.spans)
    assert calls == [first.article.id]  # built once, for the hit that was read
    assert first.snippet_spans and calls == [first.article.id]


_WORDS = ("cocoa", "prices", "brazil", "rain", "export")


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.lists(st.sampled_from((*_WORDS, "other")), max_size=4),
            st.lists(st.sampled_from((*_WORDS, "filler", "other")), max_size=30),
            st.integers(0, 3),
        ),
        min_size=1,
        max_size=50,
    ),
    st.lists(st.sampled_from(_WORDS), min_size=2, max_size=3, unique=True),
)
def test_a_short_page_is_the_start_of_the_full_ranking(
    docs: list[tuple[list[str], list[str], int]], words: list[str]
) -> None:
    """The proximity bonus is worked out only for the hits that can reach the page asked
    for: each page is exactly that slice of the full ranking (ids, scores, ties broken by
    date then index order), copies with equal scores included."""
    index = index_of(
        *(
            art(
                f"a{i}",
                " ".join(title) or "x",
                " ".join(body),
                published=datetime(2020, 1, 1 + day, tzinfo=UTC),
            )
            for i, (title, body, day) in enumerate(docs)
        )
    )
    query = " ".join(words) + " "
    full = [(h.article.id, h.score) for h in index.search(query, limit=200).hits]
    for limit in (1, 2, 3, 5, 10):
        for offset in (0, 1, 4, 9):
            page = index.search(query, limit=limit, offset=offset)
            assert [(h.article.id, h.score) for h in page.hits] == full[offset : offset + limit]


def test_the_proximity_bonus_reads_only_the_hits_that_can_reach_the_page(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A page of 5 among 40 candidates: the five with both words in the title are read
    for proximity (and those whose score could still overtake them), not all 40; their
    titles earn the whole bonus, so no body is read."""
    from newstui.core.search import rerank

    filler = " ".join(["word"] * 30)
    index = index_of(
        *(art(f"top{i}", f"Cocoa prices {i}", "x") for i in range(5)),
        *(art(f"low{i}", f"Report {i}", f"cocoa {filler} prices {filler}") for i in range(35)),
    )
    titles: list[str] = []
    bodies: list[str] = []
    title_positions, body_positions = rerank.title_positions, rerank.body_positions

    def counting_titles(arts: list[Article], matcher: Any) -> Any:
        titles.extend(a.id for a in arts)
        return title_positions(arts, matcher)

    def counting_bodies(arts: list[Article], matcher: Any) -> Any:
        bodies.extend(a.id for a in arts)
        return body_positions(arts, matcher)

    monkeypatch.setattr(rerank, "title_positions", counting_titles)
    monkeypatch.setattr(rerank, "body_positions", counting_bodies)
    res = index.search("cocoa prices ", limit=5)
    assert sorted(ids(res)) == [f"top{i}" for i in range(5)]
    assert sorted(titles) == [f"top{i}" for i in range(5)]
    assert bodies == []
    titles.clear()
    assert len(index.search("cocoa prices ", limit=40).hits) == 40
    assert len(titles) == 40  # a page as long as the window: every candidate
    assert set(bodies) == {f"low{i}" for i in range(35)} and len(bodies) == 35


_QUERY_PARTS = (
    "cocoa",
    "prices",
    "brazil",
    "rain",
    "export",
    "cocao",
    "pric",
    "-rain",
    '"cocoa prices"',
    "title:brazil",
    "brazil OR rain",
    "the",
    "zzzz",
    "after:2020-01-03",
    "before:2020-01-04",
)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.lists(st.sampled_from((*_WORDS, "the", "other")), max_size=4),
            st.lists(st.sampled_from((*_WORDS, "the", "filler")), max_size=20),
            st.integers(0, 4),
        ),
        min_size=1,
        max_size=40,
    ),
    st.lists(st.sampled_from(_QUERY_PARTS), min_size=2, max_size=4),
    st.booleans(),
)
def test_scoring_the_rarest_clause_s_documents_finds_what_scoring_all_finds(
    docs: list[tuple[list[str], list[str], int]], parts: list[str], typing: bool
) -> None:
    """When one required word is much rarer than the others, only its documents are
    scored (the common words' postings looked up at them): the same hits, scores, order,
    count, dates and partial matches as scoring every document, with exclusions,
    phrases, fields, OR, optional stopwords and dates, for short and long posting lists."""
    from newstui.core.search import ranking

    index = index_of(
        *(
            art(
                f"a{i}",
                " ".join(title) or "x",
                " ".join(body),
                published=datetime(2020, 1, 1 + day, tzinfo=UTC) if day else None,
            )
            for i, (title, body, day) in enumerate(docs)
        )
    )
    query = " ".join(parts) + ("" if typing else " ")
    chosen: list[bool] = []
    rows_of = ranking.restricted_rows

    def run(restricted: bool) -> tuple[object, ...]:
        def pick(seg: object, plans: object) -> object:
            found = rows_of(seg, plans) if restricted else None  # type: ignore[arg-type]
            chosen.append(found is not None)
            return found

        old, old_ratio = ranking.restricted_rows, ranking.RESTRICT_RATIO
        ranking.restricted_rows = pick  # type: ignore[assignment]
        ranking.RESTRICT_RATIO = 0  # restricted whenever there are two clauses
        try:
            res = index.search(query, limit=100)
        finally:
            ranking.restricted_rows, ranking.RESTRICT_RATIO = old, old_ratio
        dates = sorted(str(d) for d in ([] if res.published is None else res.published.tolist()))
        return res.total, res.partial, [(h.article.id, h.score) for h in res.hits], dates

    for batch in (2048, 3):  # tiny posting lists are all "big" below 3 postings
        old_batch = ranking.BATCH_POSTINGS
        ranking.BATCH_POSTINGS = batch
        try:
            every = run(False)
            assert run(True) == every
        finally:
            ranking.BATCH_POSTINGS = old_batch
