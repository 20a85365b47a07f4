"""What the search tells the reader besides its hits (issue 10, items 7-9): snippets,
"did you mean", messages about the query, and typos in short words. Queries are written as
the user types them (no trailing space: the last word is also a prefix)."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from newstui.core.article import Article
from newstui.core.search import SearchIndex, SearchResult
from newstui.core.search.index import BUILD_CHUNK, highlight_spans, make_snippet
from newstui.core.search.snippet import markdown_plain


def art(aid: str, title: str, body: str = "", *, fmt: str = "text", source: str = "") -> Article:
    return Article(id=aid, title=title, body=body, format=fmt, source=source)


def index_of(*articles: Article) -> SearchIndex:
    index = SearchIndex()
    index.add(articles)
    return index


def ids(res: SearchResult) -> list[str]:
    return [h.article.id for h in res.hits]


def marked(res: SearchResult, i: int = 0) -> list[str]:
    hit = res.hits[i]
    return [hit.snippet[s.start : s.end] for s in hit.snippet_spans]


def one_line(text: str) -> str:
    """What the list does to a snippet before showing it (ui.safe.one_line)."""
    return re.sub(r"\s+", " ", text).strip()


# --------------------------------------------------------------------------- item 7: snippets

BUDGET = (
    "Chancellor Gordon Brown will deliver his Budget on 16 March.  Ed Balls, ex-chief "
    "economic adviser to the Treasury, said there would be no spree.\n\nHe added that "
    "the chancellor would keep to his golden rule over the economic cycle."
)


def test_a_match_in_the_first_sentence_is_highlighted_as_shown() -> None:
    index = index_of(art("b", "Brown ally rejects Budget spree", BUDGET))
    res = index.search("gordon brown budget")
    hit = res.hits[0]
    # The list collapses whitespace before showing a snippet, and highlights only when
    # that changes nothing: the snippet must already be one line with single spaces.
    assert one_line(hit.snippet) == hit.snippet
    assert hit.snippet.startswith("Chancellor Gordon Brown will deliver his Budget")
    assert marked(res) == ["Gordon", "Brown", "Budget"]


def test_the_match_stays_inside_the_width_the_list_allows() -> None:
    body = (
        "The squad was named on Monday for the games against France and Italy in next "
        "year's RBS Six Nations Championship.  World Cup winners Lawrence Dallaglio, Neil "
        "Back and Martin Johnson had all been thought to be in the frame for a recall."
    )
    index = index_of(art("w", "Lions blow to World Cup winners", body))
    for width in (40, 56, 80, 160):
        hit = index.search('"world cup"', snippet_width=width).hits[0]
        assert len(hit.snippet) <= width
        assert [hit.snippet[s.start : s.end] for s in hit.snippet_spans] == ["World", "Cup"]
        assert "World Cup" in hit.snippet


def test_markdown_snippet_is_the_rendered_text() -> None:
    body = (
        "## Keys\n\n| key | what |\n|---|---|\n| `?` | help |\n| `q` | quit |\n\n"
        "## Adding articles\n\nDrop **files** into your [articles folder](https://x.org).\n"
    )
    index = index_of(art("m", "Welcome", body, fmt="markdown"))
    res = index.search("q")
    snippet = res.hits[0].snippet
    for syntax in ("|", "`", "##", "**", "](", "---"):
        assert syntax not in snippet, snippet
    assert "help q quit Adding articles Drop files into your articles folder" in snippet
    assert marked(res) == ["q", "quit"]


def test_every_matched_word_in_the_window_is_highlighted() -> None:
    body = "Filler words here. " * 20 + "Cocoa prices rose as cocoa stocks and prices fell. "
    body += "Filler words there. " * 20
    res = index_of(art("c", "Report", body)).search("cocoa prices")
    assert [w.lower() for w in marked(res)] == ["cocoa", "prices", "cocoa", "prices"]


def test_make_snippet_is_callable_with_a_width() -> None:
    text = "word " * 100 + "cocoa prices " + "word " * 100
    start = text.index("cocoa")
    snippet, spans = make_snippet(text, [(start, start + 5, 0), (start + 6, start + 12, 1)], 30)
    assert len(snippet) <= 30 and snippet.startswith("…") and snippet.endswith("…")
    assert [snippet[s.start : s.end] for s in spans] == ["cocoa", "prices"]


@settings(max_examples=200, deadline=None)
@given(
    words=st.lists(
        st.sampled_from(["cocoa", "a", "prices", "zone", "\n\n", "  ", "\t", "é", "x" * 30]),
        min_size=1,
        max_size=80,
    ),
    width=st.integers(min_value=1, max_value=200),
)
def test_make_snippet_fits_and_its_spans_point_at_the_matches(words: list[str], width: int) -> None:
    text = " ".join(words)
    matches = [(m.start(), m.end(), 0) for m in re.finditer(r"cocoa|prices", text)]
    snippet, spans = make_snippet(text, matches, width)
    assert len(snippet) <= max(8, width)
    assert one_line(snippet) == snippet
    for sp in spans:
        assert snippet[sp.start : sp.end] in ("cocoa", "prices")
    if matches and width >= 20:
        assert spans  # the densest window is shown


def test_markdown_plain_drops_the_syntax() -> None:
    md = (
        "# Title #\n> quoted *text*\n- item one\n1. first\n```\ncode | kept\n```\n"
        "![alt text](img.png) and <b>bold</b> \\*stars\\* and snake_case_word\n---\n"
    )
    assert markdown_plain(md).split("\n") == [
        "Title",
        "quoted text",
        "item one",
        "first",
        "",
        "code | kept",
        "",
        "alt text and bold *stars* and snake_case_word",
        "",
        "",
    ]


def test_highlight_spans_stays_public_and_agrees_with_the_snippet() -> None:
    index = index_of(art("b", "Brown ally", BUDGET))
    res = index.search("gordon brwn")
    spans = highlight_spans(BUDGET, res.highlight_terms)
    assert [BUDGET[s:e] for s, e in spans][:2] == ["Gordon", "Brown"]


# --------------------------------------------------------------------------- item 8: suggestions

SESSIONS = art(
    "s",
    "Sessions hits back at Trump over recusal",
    "Former attorney general Jeff Sessions hit back at Trump. Sessions, who is running in "
    "Alabama against Tommy Tuberville, said it is in the past. Trust him, he said.",
    source="AP",
)


def test_no_suggestion_for_a_short_word_that_matches_nothing() -> None:
    # `oil` suggested "in, is, it": two typos in three letters is another word.
    res = index_of(SESSIONS).search("oil")
    assert res.total == 0 and res.suggestions == []


def test_no_suggestion_for_a_word_that_matched() -> None:
    # `trump -tuberville` has no hits because of the excluded word: `trump` matched.
    res = index_of(SESSIONS).search("trump -tuberville")
    assert res.total == 0 and res.suggestions == []


def test_no_suggestion_for_a_field_value_or_an_operator() -> None:
    index = index_of(SESSIONS, art("p", "Short sort of spot", "start part short"))
    assert index.search("source:sport").suggestions == []
    res = index.search("after:2020-13")
    assert res.suggestions == [] and res.hits == []
    assert res.errors == ["after:2020-13 is not a date (YYYY, YYYY-MM or YYYY-MM-DD)"]


def test_suggestion_for_a_long_word_beyond_the_typo_rule() -> None:
    index = index_of(SESSIONS, art("t", "Tuberville speaks", "Senator Tuberville said"))
    res = index.search("tubxrvxlxe")  # three typos in ten letters
    assert res.total == 0 and res.suggestions == ["tuberville"]
    # Excluded, it is never "corrected".
    assert index.search("sessions -tubxrvxlxe").suggestions == []


def test_suggestions_only_from_words_frequent_in_the_library() -> None:
    articles = [art(str(i), f"Market report {i}", "Traders bought shares.") for i in range(60)]
    articles.append(art("rare", "Once", "a governmant misspelt once"))
    articles += [art(f"g{i}", "Government", "The government spoke.") for i in range(3)]
    index = index_of(*articles)
    # Both are three typos away; only the one in more than one article is offered.
    assert index.search("govxrnmxnx").suggestions == ["government"]


def test_malformed_operators_are_named_and_not_searched() -> None:
    index = index_of(SESSIONS, art("r", "Read", "a story"))
    res = index.search("is:bogus sessions")
    assert ids(res) == ["s"]  # "is" and "bogus" were not searched as words
    assert res.errors == ["unknown filter is:bogus (is:read, is:unread, is:starred)"]
    res = index.search("title:")
    assert res.hits == [] and res.errors == ["title: needs a value (title:WORD)"]
    assert index.search("sessions").errors == []


def test_no_suggestions_while_the_index_is_being_built() -> None:
    first = art("t", "Tuberville speaks", "Senator Tuberville said")
    again = art("t2", "Tuberville again", "Tuberville said it again")
    rest = [art(str(i), f"Filler {i}", "nothing to see") for i in range(BUILD_CHUNK + 10)]
    index = SearchIndex()
    seen: list[tuple[bool, list[str]]] = []

    def progress(done: int, total: int) -> None:
        seen.append((index.building, index.search("tubxrvxlxe").suggestions))

    index.add([first, again, *rest], progress=progress)
    assert seen and seen[0] == (True, [])  # the first chunk is searchable, but not complete
    assert not index.building
    assert index.search("tubxrvxlxe").suggestions == ["tuberville"]


# --------------------------------------------------------------------------- item 9: short typos


def test_a_typo_in_a_short_word_still_finds_the_article() -> None:
    index = index_of(
        art("brown", "Profile: Gordon Brown", "Gordon Brown was born in Glasgow."),
        art("gordon", "Gordon Lake deposit", "Giant Bay details the Gordon Lake deposit."),
        art("tram", "Tram lines", "The government has got itself into tram lines now."),
        art("cocoa", "Bahia cocoa review", "Showers continued in the Bahia cocoa zone."),
    )
    res = index.search("gordon brwn")  # a 5-letter word with a deletion: 4 letters
    assert ids(res)[0] == "brown" and not res.partial
    assert [w.lower() for w in marked(res)] == ["gordon", "brown"]
    assert ids(index.search("tram lne")) == ["tram"]  # 4 letters -> 3
    assert ids(index.search("lne tram")) == ["tram"]
    assert ids(index.search("cocoa shwers")) == ["cocoa"]


def test_a_short_word_of_the_library_is_not_taken_for_a_typo() -> None:
    index = index_of(
        art("team", "Team news", "The team won."),
        art("tram", "Tram news", "The tram ran."),
    )
    assert ids(index.search("tram ")) == ["tram"]
    # A word that is no word here: its one-typo neighbours, exact matches first.
    assert set(ids(index.search("tsam "))) == {"team", "tram"}


def test_a_short_word_far_rarer_than_a_neighbour_also_finds_the_neighbour() -> None:
    court = [art(f"c{i}", f"Court case {i}", "The court heard the case.") for i in range(25)]
    index = index_of(
        *court,
        art("battle", "Airport news", "The airport faces a court battle."),
        art("curt", "Senate news", "He gave a curt reply: a battle of words."),
    )
    res = index.search("curt battle")  # `court` typed without its o: `curt` is a word too
    assert ids(res)[:2] == ["curt", "battle"]  # the exact word first, then its neighbour
    assert ids(index.search("court battle"))[0] == "battle"
