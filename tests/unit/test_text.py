"""The sanitiser: no control character or escape sequence survives, real text does."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newstui.core.text import MAX_COMBINING, clean_line, clean_text, has_controls, shorten

ESC = "\x1b"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (f"a{ESC}[31mred{ESC}[0m b", "ared b"),
        (f"x{ESC}]0;evil title\x07y", "xy"),  # OSC set window title
        (f"clip{ESC}]52;c;aGVsbG8=\x1b\\end", "clipend"),  # OSC 52 clipboard write
        (f"a{ESC}]8;;https://evil.example\x1b\\link{ESC}]8;;\x1b\\b", "alinkb"),  # hyperlink
        (f"dcs{ESC}Pq#0;2;0;0;0{ESC}\\z", "dcsz"),  # DCS (sixel)
        (f"apc{ESC}_Gf=100;AAAA{ESC}\\z", "apcz"),  # APC (kitty graphics)
        ("c1\x9b2Jz\x9d0;t\x9cq", "c1zq"),  # 8-bit CSI and OSC
        (f"clear{ESC}c!", "clear!"),  # RIS reset
        (f"{ESC}[2J{ESC}[Hwiped", "wiped"),
        ("nul\x00bel\x07bs\x08del\x7f", "nulbelbsdel"),
        (f"lone{ESC}", "lone"),
    ],
)
def test_escape_sequences_are_removed_whole(raw: str, expected: str) -> None:
    assert clean_text(raw) == expected


def test_unterminated_string_sequence_stops_at_the_line_end() -> None:
    assert clean_text(f"keep{ESC}]0;never ended\nnext line") == "keep\nnext line"


def test_newlines_are_normalised_and_tabs_kept() -> None:
    assert clean_text("a\r\nb\rc\x85d\u2028e\tf") == "a\nb\nc\nd\ne\tf"


def test_bidi_overrides_and_zero_width_characters_are_removed() -> None:
    assert clean_text("pay\u202egnp.exe\u202c") == "paygnp.exe"
    assert clean_text("\u2066iso\u2069late") == "isolate"
    assert clean_text("zero\u200bwidth\u2060joined\ufeff") == "zerowidthjoined"
    assert clean_text("soft\u00adhyphen") == "softhyphen"


def test_joiners_are_kept_inside_emoji_and_scripts_but_not_alone() -> None:
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"
    assert clean_text(f"a {family} b") == f"a {family} b"
    assert clean_text("\u200d start and end \u200d") == " start and end "
    persian = "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"  # ZWNJ inside a word
    assert clean_text(persian) == persian


def test_combining_mark_runs_are_capped_but_accents_kept() -> None:
    assert clean_text("cafe\u0301") == "cafe\u0301"
    zalgo = "Z" + "\u0301\u0302\u0303" * 10
    assert clean_text(zalgo) == "Z" + ("\u0301\u0302\u0303" * 2)[:MAX_COMBINING]


def test_lone_surrogates_are_removed() -> None:
    assert clean_text("a\ud800b") == "ab"


def test_wide_characters_and_markup_pass_through_as_text() -> None:
    s = "東京 📰 [bold]not markup[/bold] [@click=app.quit]x[/]"
    assert clean_text(s) == s


def test_plain_text_is_returned_unchanged() -> None:
    s = "An ordinary article.\n\nWith two paragraphs, “quotes” and ünïcödé."
    assert clean_text(s) is s or clean_text(s) == s


def test_clean_line_collapses_whitespace_and_caps_length() -> None:
    assert clean_line("  Breaking:\n\n  news\t here  ") == "Breaking: news here"
    long = clean_line("word " * 100, max_len=40)
    assert len(long) <= 40
    assert long.endswith("…")
    assert not long[:-1].endswith(" ")


def test_shorten_cuts_at_a_word_boundary() -> None:
    assert shorten("alpha beta gamma delta", 14) == "alpha beta…"
    assert shorten("short", 14) == "short"


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_clean_text_never_leaves_controls(s: str) -> None:
    out = clean_text(s)
    assert not has_controls(out)
    assert ESC not in out
    assert clean_text(out) == out  # idempotent


@settings(max_examples=200, deadline=None)
@given(
    st.text(alphabet=st.characters(codec="utf-8") | st.sampled_from(list("\x1b\x9b\x9d\x07[];")))
)
def test_clean_line_is_one_clean_line(s: str) -> None:
    out = clean_line(s)
    assert "\n" not in out
    assert not has_controls(out)
    assert out == out.strip()
