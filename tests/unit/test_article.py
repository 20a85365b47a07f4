"""The Article model: stable ids, word counts, safe locations."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from newstui.core.article import (
    Article,
    Problem,
    count_words,
    make_article_id,
    text_digest,
    text_digest_and_count,
)


def test_id_depends_on_url_else_on_normalised_text() -> None:
    assert make_article_id(url="https://x.example/a") == make_article_id(
        url=" https://x.example/a ", title="other", body="other"
    )
    same = make_article_id(title="Big  News", body="Line one\n\nline two")
    assert same == make_article_id(title="big news", body="  line ONE line\ttwo ")
    assert same != make_article_id(title="Big News", body="Line one line three")
    assert len(same) == 16
    int(same, 16)


@pytest.mark.parametrize("size", [10, 300_000, 1_500_000])
def test_chunked_digest_matches_the_simple_one(size: int) -> None:
    rng = random.Random(size)
    words = ["alpha", "Beta", "straße", "ΣΊΣΥΦΟΣ", "x" * 70_000, "\u00e9t\u00e9"]
    seps = [" ", "\n", "\n\n", "\t", "  \u3000 "]
    parts: list[str] = []
    total = 0
    while total < size:
        w, s = rng.choice(words), rng.choice(seps)
        parts += [w, s]
        total += len(w) + len(s)
    body = "  " + "".join(parts)
    digest, count = text_digest_and_count(" A  title ", body)
    assert digest == text_digest("A title", " ".join(body.split()))
    assert count == len(body.split()) == count_words(body)


def test_word_count_and_reading_time() -> None:
    a = Article(id="x", title="t", body="word " * 460, format="text")
    assert a.word_count == 460
    assert a.reading_minutes == 2
    assert Article(id="y", title="t", body="", format="text").reading_minutes == 1


def test_locations_and_problems_are_safe_to_print() -> None:
    evil = Path("/lib/evil-\x1b]0;pwned\x07-\udcff.txt")
    a = Article(id="x", title="t", body="b", format="jsonl", path=evil, entry=3)
    assert a.location == "/lib/evil--\ufffd.txt#4"  # the 4th record (entry is 0-based)
    p = Problem(evil, "bad\x1b[2J reason")
    assert str(p) == "/lib/evil--\ufffd.txt: bad reason"
    assert p.display_path == "/lib/evil--\ufffd.txt"


def test_equality_is_by_id() -> None:
    a = Article(id="same", title="one", body="", format="text")
    b = Article(id="same", title="two", body="", format="text")
    assert a == b
    assert len({a, b}) == 1
