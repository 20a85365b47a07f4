"""The query language parser: every feature, and malformed input read usefully."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from newstui.core.search.query import Query, parse, parse_date


def words(q: Query) -> list[list[tuple[str, ...]]]:
    return [[alt.words for alt in c.alternatives] for c in q.clauses]


def test_words_each_a_clause_and_last_one_is_prefix() -> None:
    q = parse("cocoa prices")
    assert words(q) == [[("cocoa",)], [("prices",)]]
    assert not q.clauses[0].alternatives[0].prefix
    assert q.clauses[1].alternatives[0].prefix


def test_trailing_space_means_the_last_word_is_complete() -> None:
    q = parse("cocoa prices ")
    assert not q.clauses[1].alternatives[0].prefix


def test_phrase() -> None:
    q = parse('"cocoa prices" bahia')
    term = q.clauses[0].alternatives[0]
    assert term.words == ("cocoa", "prices")
    assert term.phrase and not term.fuzzy and not term.prefix


def test_unclosed_quote_runs_to_the_end() -> None:
    q = parse('bahia "cocoa prices')
    assert words(q) == [[("bahia",)], [("cocoa", "prices")]]
    assert q.clauses[1].alternatives[0].phrase


def test_exclude() -> None:
    q = parse("cocoa -brazil")
    assert words(q) == [[("cocoa",)]]
    assert [t.words for t in q.excluded] == [("brazil",)]
    # The excluded word is exact and the remaining last word is not a prefix.
    assert not q.excluded[0].fuzzy


def test_exclude_phrase() -> None:
    q = parse('cocoa -"buffer stock"')
    assert q.excluded[0].words == ("buffer", "stock") and q.excluded[0].phrase


def test_lone_dash_is_ignored() -> None:
    assert words(parse("cocoa - prices")) == [[("cocoa",)], [("prices",)]]
    assert parse("-").is_empty


def test_or() -> None:
    q = parse("cocoa OR coffee prices")
    assert words(q) == [[("cocoa",), ("coffee",)], [("prices",)]]


def test_or_chain_and_dangling_or() -> None:
    assert words(parse("a OR b OR c")) == [[("a",), ("b",), ("c",)]]
    assert words(parse("OR cocoa OR")) == [[("cocoa",)]]
    # Lower-case "or" is a word.
    assert words(parse("cocoa or")) == [[("cocoa",)], [("or",)]]


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("title:cocoa", "title"),
        ("author:smith", "author"),
        ("source:bbc", "source"),
        ("tag:grain", "tags"),
    ],
)
def test_field_filters(text: str, field: str) -> None:
    term = parse(text).clauses[0].alternatives[0]
    assert term.field == field


def test_field_phrase() -> None:
    term = parse('title:"cocoa review"').clauses[0].alternatives[0]
    assert term.field == "title" and term.words == ("cocoa", "review") and term.phrase


def test_unknown_field_is_read_as_words() -> None:
    assert words(parse("foo:bar")) == [[("foo",)], [("bar",)]]
    assert words(parse("10:30")) == [[("10",)], [("30",)]]


def test_empty_field_is_ignored_and_named() -> None:
    q = parse("cocoa title:")
    assert words(q) == [[("cocoa",)]]
    assert q.errors == ["title: needs a value (title:WORD)"]
    assert parse('title:"" cocoa').errors == ['title:"" has no word to look for']
    assert parse("author:-- cocoa").errors == ["author:-- has no word to look for"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2020", datetime(2020, 1, 1, tzinfo=UTC)),
        ("2020-05", datetime(2020, 5, 1, tzinfo=UTC)),
        ("2020-06-01", datetime(2020, 6, 1, tzinfo=UTC)),
        ("1987-3-9", datetime(1987, 3, 9, tzinfo=UTC)),
    ],
)
def test_date_forms(value: str, expected: datetime) -> None:
    assert parse_date(value) == expected
    q = parse(f"after:{value} before:{value}")
    assert q.after == expected.timestamp()
    assert q.before == expected.timestamp()
    assert not q.clauses


@pytest.mark.parametrize("value", ["2020-13", "2020-02-30", "yesterday", "20", "2020-1-1-1"])
def test_bad_dates_are_named_not_searched(value: str) -> None:
    q = parse(f"cocoa after:{value}")
    assert q.after is None
    assert words(q) == [[("cocoa",)]]
    assert q.errors == [f"after:{value} is not a date (YYYY, YYYY-MM or YYYY-MM-DD)"]


def test_operator_without_value_is_named() -> None:
    assert parse("before:").errors == ["before: needs a date (YYYY, YYYY-MM or YYYY-MM-DD)"]
    assert parse("is:").errors == ["is: needs a value (is:read, is:unread, is:starred)"]
    assert parse("is:").is_empty


def test_negated_filters() -> None:
    q = parse("-after:2020 -is:read")
    assert q.before == datetime(2020, 1, 1, tzinfo=UTC).timestamp() and q.after is None
    assert q.states == ["unread"] and not q.errors
    assert parse("-is:starred").errors == [
        "is:starred cannot be negated (is:read, is:unread, is:starred)"
    ]


def test_state_filters() -> None:
    q = parse("cocoa is:unread is:starred")
    assert q.states == ["unread", "starred"]
    assert words(q) == [[("cocoa",)]]
    # A filter typed last: the word before it is complete, not a prefix.
    assert not q.clauses[0].alternatives[0].prefix


def test_unknown_state_is_named_not_searched() -> None:
    q = parse("is:bogus cocoa")
    assert words(q) == [[("cocoa",)]]
    assert q.errors == ["unknown filter is:bogus (is:read, is:unread, is:starred)"]


def test_error_messages_quote_the_query_safely() -> None:
    (msg,) = parse("is:\x1b]0;pwned\x07" + "x" * 200).errors
    assert "\x1b" not in msg and "\x07" not in msg
    assert len(msg) < 120


def test_query_words_are_capped_and_the_cut_is_said() -> None:
    cut = "query too long: only its first 32 words are searched"
    q = parse(" ".join(f"w{i}" for i in range(50)))
    assert len(q.clauses) == 32 and q.errors == [cut]
    # A phrase counts every word; OR alternatives each; excluded words too.
    q = parse('"' + " ".join(f"p{i}" for i in range(100_000)) + '"')
    assert [len(a.words) for c in q.clauses for a in c.alternatives] == [32]
    assert cut in q.errors
    q = parse(" OR ".join(f"o{i}" for i in range(10_000)))
    assert sum(len(c.alternatives) for c in q.clauses) == 32 and cut in q.errors
    q = parse("cocoa " + " ".join(f"-x{i}" for i in range(40)))
    assert len(q.excluded) == 31 and q.errors == [cut]
    assert not parse(" ".join(f"w{i}" for i in range(32))).errors


def test_query_text_is_capped() -> None:
    q = parse("cocoa " + "x" * 1_000_000)
    assert q.errors == ["query too long: only its first 1,000 characters are searched"]
    assert words(q)[0] == [("cocoa",)]
    assert not any(a.prefix for c in q.clauses for a in c.alternatives)


def test_hyphenated_query_word_matches_joined_or_parts() -> None:
    q = parse("well-known")
    alts = q.clauses[0].alternatives
    assert alts[0].words == ("wellknown",)
    assert alts[1].words == ("well", "known") and alts[1].phrase


def test_curly_apostrophe_in_query() -> None:
    assert words(parse("Trump’s")) == [[("trump",)]]


def test_empty_and_blank() -> None:
    assert parse("").is_empty
    assert parse("   ").is_empty
    assert parse("!!! ???").is_empty


@given(st.text(max_size=120))
def test_parser_never_raises(text: str) -> None:
    q = parse(text)
    assert isinstance(q, Query)


@given(
    st.lists(
        st.sampled_from(
            ['"', "-", "OR", "title:", "after:", "is:", "x", "é", ":", "2020-05", " ", "’s", "a-b"]
        ),
        max_size=12,
    )
)
def test_parser_never_raises_on_query_syntax_soup(parts: list[str]) -> None:
    parse("".join(parts))
    parse(" ".join(parts))


def optional(q: Query) -> list[bool]:
    return [c.optional for c in q.clauses]


def test_stopword_beside_other_words_is_optional() -> None:
    assert optional(parse("for host")) == [True, False]
    assert optional(parse("bank of england")) == [False, True, False]
    assert optional(parse("The Cocoa")) == [True, False]


def test_only_stopwords_stay_required() -> None:
    assert optional(parse("to be or not")) == [False, False, False, False]
    assert optional(parse("the")) == [False]


def test_stopword_in_a_field_phrase_or_or_group_stays_required() -> None:
    assert optional(parse("title:the cocoa")) == [False, False]
    assert optional(parse('"for host" cocoa')) == [False, False]
    assert optional(parse("for OR by cocoa")) == [False, False]
    assert parse("cocoa -the").excluded[0].words == ("the",)


@pytest.mark.parametrize(
    ("typed", "states"), [("is:u", ["unread"]), ("is:st", ["starred"]), ("oil is:r", ["read"])]
)
def test_an_is_filter_still_being_typed_is_read_as_a_prefix(typed: str, states: list[str]) -> None:
    # As the last word is a prefix, so is the filter being typed: no "unknown filter" flashes
    # in the status line on the way to is:unread.
    q = parse(typed)
    assert q.states == states and q.errors == []


def test_a_finished_is_filter_is_not_completed() -> None:
    q = parse("is:u oil")
    assert q.states == [] and q.errors and "is:u" in q.errors[0]
