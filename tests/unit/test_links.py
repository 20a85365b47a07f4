"""core.links: which addresses are links, in which order, and which never pass."""

from __future__ import annotations

import time

import pytest

from newstui.core.links import MAX_LINKS, bare_urls, links_of, safe_url, trim_bare


@pytest.mark.parametrize(
    "url",
    [
        "https://example.org/a?b=c#d",
        "http://example.org",
        "HTTPS://Example.org/x",
        "mailto:desk@example.org",
    ],
)
def test_web_and_mail_addresses_pass(url: str) -> None:
    assert safe_url(url) is not None


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "file:///etc/passwd",
        "vbscript:msgbox",
        "https://example.org/\x1b]52;c;bad\x07",
        "https://example.org/\x9b31m",
        "https://exa\u202emple.org/",
        "https://example.org/a b",
        "https://example.org/\x00",
        "https:example.org",
        "https://",
        "mailto:",
        "https://example.org/" + "a" * 3000,
        "",
    ],
)
def test_other_schemes_and_control_characters_never_pass(url: str) -> None:
    assert safe_url(url) is None


def test_sentence_punctuation_is_not_part_of_a_bare_address() -> None:
    assert trim_bare("https://x.org/a.") == "https://x.org/a"
    assert trim_bare("https://x.org/a),") == "https://x.org/a"
    assert trim_bare("https://en.wikipedia.org/wiki/Foo_(bar)") == (
        "https://en.wikipedia.org/wiki/Foo_(bar)"
    )
    text = "See (https://x.org/a) and https://y.org/b."
    assert [url for _, _, url in bare_urls(text)] == ["https://x.org/a", "https://y.org/b"]


def test_markdown_links_in_reading_order_each_address_once() -> None:
    body = (
        "[one](https://a.example/1) then https://b.example/2 and <https://c.example/3>; "
        '<a href="https://d.example/4">four</a>, [again](https://a.example/1), '
        "[bad](javascript:alert(1)), `https://code.example/no`\n\n"
        "```\nhttps://fence.example/no\n```\n"
        "[https://label.example/no](https://e.example/5)"
    )
    assert links_of(body, True).urls == [
        "https://a.example/1",
        "https://b.example/2",
        "https://c.example/3",
        "https://d.example/4",
        "https://e.example/5",
    ]


def test_plain_text_links_are_its_bare_addresses() -> None:
    body = "Read https://a.example/1, mail mailto:x@y.example or javascript:alert(1)."
    assert links_of(body, False).urls == ["https://a.example/1", "mailto:x@y.example"]
    assert links_of(body, False).number("mailto:x@y.example") == 2


def test_links_are_capped_and_a_huge_body_stays_fast() -> None:
    body = " ".join(f"https://x.example/{n}" for n in range(MAX_LINKS + 100))
    assert len(links_of(body, False)) == MAX_LINKS
    hostile = "https://" + "a" * 1_000_000 + " " + "http:// " * 100_000
    start = time.perf_counter()
    links_of(hostile, False)
    assert time.perf_counter() - start < 2.0
