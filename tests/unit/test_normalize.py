"""Normalisation rules: what an article says meets what a reader types."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from newstui.core.search.normalize import fold, index_tokens, tokens, tokens_with_offsets


def test_casefold() -> None:
    assert tokens("COCOA Cocoa cocoa") == ["cocoa", "cocoa", "cocoa"]
    assert tokens("STRASSE Straße") == ["strasse", "strasse"]


def test_accents_fold() -> None:
    assert tokens("Café Société Øresund Łódź naïve") == [
        "cafe",
        "societe",
        "oresund",
        "lodz",
        "naive",
    ]
    # Decomposed accents (e + combining acute) fold the same as precomposed ones.
    assert tokens("Cafe\u0301") == ["cafe"]


def test_other_scripts_keep_their_letters() -> None:
    assert tokens("Москва ΑΘΗΝΑ") == ["москва", "αθηνα"]


@pytest.mark.parametrize("text", ["Trump’s", "Trump's", "TRUMP‘S", "Trumpʼs"])
def test_curly_apostrophes_and_possessive(text: str) -> None:
    assert tokens(text) == ["trump"]


def test_other_apostrophes_join() -> None:
    assert tokens("don't") == ["don", "dont"]
    assert "oneill" in tokens("O’Neill")


def test_hyphenated_words_give_parts_and_joined() -> None:
    assert tokens("well-known") == ["well", "known", "wellknown"]
    assert tokens("e-mail") == ["mail", "email"]
    assert tokens("Coca\u2011Cola") == ["coca", "cola", "cocacola"]


def test_numbers_are_tokens() -> None:
    assert tokens("1987 rose 3.5 pct to 1,000 tonnes") == [
        "1987",
        "rose",
        "3.5",
        "pct",
        "to",
        "1000",
        "tonnes",
    ]
    assert tokens("1,000,000.50") == ["1000000.50"]


def test_acronyms_join() -> None:
    assert tokens("the U.S. said") == ["the", "us", "said"]


def test_missing_space_after_full_stop_splits() -> None:
    assert tokens("ended.Next") == ["ended", "next"]


@pytest.mark.parametrize(
    "text",
    [
        "The U.S. said 1,000 well-known Trump's 3.5 end.next a-b-c don't x-ray co-op's",
        "Café Trump’s e-mail, Øre 2,5 — ÉTÉ’s naïve‐word",
        "",
        "   ...---,,,''' ",
    ],
)
def test_index_tokens_cover_query_tokens(text: str) -> None:
    """The fast indexing tokenizer yields every token the exact one does."""
    assert set(tokens(text)) <= set(index_tokens(text))


def test_offsets_point_at_original_text_with_accents_and_curly_quotes() -> None:
    text = "Ça va? Trump’s CAFÉ e-mail Straße"
    toks = tokens_with_offsets(text)
    assert [t for t, *_ in toks] == tokens(text)
    by_token = {t: text[s:e] for t, s, e, _ in toks}
    assert by_token["ca"] == "Ça"
    assert by_token["trump"] == "Trump"
    assert by_token["cafe"] == "CAFÉ"
    assert by_token["mail"] == "mail"
    assert by_token["email"] == "e-mail"
    assert by_token["strasse"] == "Straße"


def test_positions_are_consecutive_words() -> None:
    toks = tokens_with_offsets("big well-known firm")
    pos = {t: p for t, _, _, p in toks}
    assert pos["big"] == 0
    assert pos["well"] == 1
    assert pos["wellknown"] == 1
    assert pos["known"] == 2
    assert pos["firm"] == 3


def test_fold() -> None:
    assert fold("ÉCOLE") == "ecole"
    assert fold("plain") == "plain"


@given(st.text(max_size=200))
def test_tokenizers_agree_and_offsets_are_in_range(text: str) -> None:
    toks = tokens_with_offsets(text)
    assert [t for t, *_ in toks] == tokens(text)
    for _, s, e, _ in toks:
        assert 0 <= s < e <= len(text)
