"""One matcher (issue 11): the hits' spans, their snippets, the reader and ``n``/``N`` mark
the same words, by the index's own folding (accents, case, curly quotes, hyphens,
compounds)."""

from __future__ import annotations

import io

import pytest
from rich.console import Console
from rich.style import Style

from newstui.core.article import Article
from newstui.core.search import SearchIndex, highlight_spans
from newstui.core.search.highlight import Matcher
from newstui.ui.widgets.article_list import snippet_spans
from newstui.ui.widgets.reader import layout_article

# (article text, query, the words every view must mark, in order)
CASES = [
    ("The café on the corner sends e-mail daily", "cafe email", ["café", "e-mail"]),
    ("Trump’s plan and trump's other plan", "trump's", ["Trump", "trump"]),
    ("Trump's plan and Trump’s other plan", "trump’s plan", ["Trump", "plan", "Trump", "plan"]),
    ("Send an e-mail or an email today", "email", ["e-mail", "email"]),
    ("Send an e-mail or an email today", "e-mail", ["e-mail", "email"]),
    ("A well-known and wellknown fact", "wellknown", ["well-known", "wellknown"]),
    ("The Straße and the strasse", "strasse", ["Straße", "strasse"]),
    ("DON’T panic, don't", "dont", ["DON’T", "don't"]),
]


def _index(text: str) -> SearchIndex:
    index = SearchIndex()
    index.add(
        [
            Article(id="a", title=text, body=text, format="text"),
            Article(id="b", title="Unrelated", body="Nothing to see here at all", format="text"),
        ]
    )
    return index


def _reader_words(text: str, terms: list[str]) -> list[str]:
    """The words the reader highlights (and ``n``/``N`` walks) in an article of ``text``."""
    console = Console(file=io.StringIO(), width=200)
    article = Article(id="a", title="t", body=text, format="text")
    lines, matches = layout_article(console, article, terms, 150, Style(bold=True))
    out = []
    for m in matches:
        line = lines[m.line]
        plain = line.text if hasattr(line, "text") else "".join(s.text for s in line)
        out.append(plain[m.start : m.end])
    return out


@pytest.mark.parametrize(("text", "query", "words"), CASES)
def test_every_view_marks_the_same_words(text: str, query: str, words: list[str]) -> None:
    result = _index(text).search(query)
    assert [h.article.id for h in result.hits] == ["a"]
    hit = result.hits[0]
    title = [text[s.start : s.end] for s in hit.spans if s.field == "title"]
    body = [text[s.start : s.end] for s in hit.spans if s.field == "body"]
    snippet = [hit.snippet[s.start : s.end] for s in hit.snippet_spans]
    listed = [hit.snippet[s:e] for s, e in snippet_spans(hit, hit.snippet)]
    whole = [text[s:e] for s, e in highlight_spans(text, result.highlight_terms)]
    reader = _reader_words(text, result.highlight_terms)
    assert title == words
    assert body == words
    assert snippet == words
    assert listed == words
    assert whole == words
    assert reader == words


def test_a_compound_is_one_mark_over_its_matching_parts() -> None:
    # "e-mail" holds the tokens "mail" and "email": one span, not two or a part of it.
    assert highlight_spans("my e-mail box", ["mail", "email"]) == [(3, 9)]
    assert highlight_spans("my e-mail box", ["mail"]) == [(5, 9)]
    # parts far apart in a compound stay apart
    assert highlight_spans("a well-known-fact", ["well", "fact"]) == [(2, 6), (13, 17)]


def test_no_mark_where_the_index_sees_no_such_word() -> None:
    # "e.mail" is two words to the index (a missing space), so it is no "email".
    assert highlight_spans("an e.mail here", ["email"]) == []
    result = _index("an e.mail here").search("email")  # finds "mail", one typo away
    (hit,) = result.hits
    assert [hit.snippet[s.start : s.end] for s in hit.snippet_spans] == ["mail"]
    assert highlight_spans("an e.mail here", result.highlight_terms) == [(5, 9)]


def test_folding_that_changes_lengths_keeps_spans_on_the_original_text() -> None:
    text = "Die Straße, Œuvre café"
    spans = highlight_spans(text, ["strasse", "oeuvre", "cafe"])
    assert [text[s:e] for s, e in spans] == ["Straße", "Œuvre", "café"]


def test_other_scripts_are_matched_in_hits_and_reader_alike() -> None:
    text = "Η Αθήνα σήμερα και η αθηνα"
    result = _index(text).search("αθηνα")
    hit = result.hits[0]
    body = [text[s.start : s.end] for s in hit.spans if s.field == "body"]
    assert body == ["Αθήνα", "αθηνα"]
    assert _reader_words(text, result.highlight_terms) == body


def test_matcher_clauses_and_positions() -> None:
    m = Matcher([["oil"], ["price", "prices"]])
    text = "Oil prices, and oil-price news; U.S. oil's price"
    assert [(text[f.start : f.end], f.clause) for f in m.matches(text)] == [
        ("Oil", 0),
        ("prices", 1),
        ("oil", 0),
        ("price", 1),
        ("oil", 0),
        ("price", 1),
    ]
    # positions count runs of letters/digits: oil-price is two, U.S. two, oil's two
    assert m.positions(text) == [(0, 0), (1, 1), (3, 0), (4, 1), (8, 0), (10, 1)]


def test_proximity_positions_skip_only_joined_forms() -> None:
    m = Matcher([["email"], ["box"]])
    assert [(f.start, f.end) for f in m.matches("e-mail box")] == [(0, 6), (7, 10)]
    assert m.positions("e-mail box") == [(2, 1)]  # the joined form is not seen here
    assert m.positions("email box") == [(0, 0), (1, 1)]


def _reference(text: str, terms: set[str]) -> list[tuple[int, int]]:
    """The rule read straight off the tokenizer: tokens in ``terms``, overlaps merged."""
    from newstui.core.search.normalize import tokens_with_offsets

    spans = sorted((t.start, -t.end) for t in tokens_with_offsets(text) if t.token in terms)
    out: list[tuple[int, int]] = []
    for s, neg_e in spans:
        if out and s < out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], -neg_e))
        else:
            out.append((s, -neg_e))
    return out


def test_the_matcher_is_the_tokenizer_rule_on_random_text() -> None:
    import random

    from newstui.core.search.normalize import tokens

    rng = random.Random(11)
    pieces = ["a", "b", "ab", "e", "mail", "us", "s", "1", "000", "3", "5", "é", "ß", "Œ", "x"]
    seps = [" ", "-", ".", ",", "'", "’", "‐", "\u00ad", "..", " - ", "\n", "_"]
    for _ in range(3000):
        text = "".join(rng.choice(pieces) + rng.choice(seps) for _ in range(rng.randint(1, 8)))
        vocab = tokens(text)
        terms = set(rng.sample(vocab, k=min(len(vocab), rng.randint(1, 3)))) if vocab else set()
        assert Matcher([terms]).spans(text) == _reference(text, terms), (text, terms)
