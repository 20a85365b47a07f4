"""Parsing fetched bytes: each feed kind, OPML, and documents refused with a reason."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newstui.core.fetch.parse import (
    FeedFormatError,
    OpmlList,
    ParsedFeed,
    parse_document,
    parse_opml,
)
from newstui.core.fetch.text import clean_line, html_to_markdown

FEEDS = Path(__file__).resolve().parents[1] / "fixtures" / "feeds"


def feed(name: str, url: str = "https://example.org/feed") -> ParsedFeed:
    doc = parse_document((FEEDS / name).read_bytes(), url=url)
    assert isinstance(doc, ParsedFeed)
    return doc


def test_entries_keep_their_ids_for_dedup() -> None:
    keys = [e.key for e in feed("rss2.xml").entries]
    # guid, guid (a permalink), then the link when there is no guid
    assert keys == [
        "harbour-0001",
        "https://harbour.example/news/ferry",
        "https://harbour.example/news/lighthouse",
    ]
    assert [e.key for e in feed("feed.json").entries] == ["river-42", "river-43"]


def test_content_hash_changes_with_the_text_only() -> None:
    a, b = feed("rss2.xml").entries[:2]
    assert a.content_hash() == feed("rss2.xml").entries[0].content_hash()
    assert a.content_hash() != b.content_hash()


def test_atom_category_labels_dates_and_image_alt_text() -> None:
    snow, wardens = (e.materialize() for e in feed("atom.xml").entries)
    assert snow.tags == ("Roads",)
    assert snow.author == "Cleo Ridge"
    assert snow.published is not None and snow.published.isoformat() == "2026-11-25T05:45:00+00:00"
    assert "## Snow" in snow.body and "**Friday**" in snow.body
    assert "[image: Snow on the pass]" in snow.body and "snow.jpg" not in snow.body
    assert wardens.body == "Three huts need wardens next summer."


def test_json_feed_authors_tags_and_plain_text() -> None:
    flood, otters = (e.materialize() for e in feed("feed.json").entries)
    assert flood.author == "Dee Banks" and flood.tags == ("Flooding", "Infrastructure")
    assert otters.author == "River Desk"  # the feed's author when the item has none
    assert otters.title == "Otters return upstream"  # the whole escape sequence is gone
    assert otters.body == "Otters were seen near the mill."


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty response"),
        (b"   \n", "empty response"),
        (b"<!DOCTYPE html><html><body>hi</body></html>", "not a feed: got an HTML page"),
        (b"<?xml version='1.0'?><svg></svg>", "root is <svg>"),
        (b'{"items": []}', "JSON without a JSON Feed 'version'"),
        (b'{"version": "https://jsonfeed.org/version/1", "items": {}', "malformed JSON"),
        (b"[" * 100_000, "malformed JSON"),
        (b"\x00\x01\x02 binary", "not a feed"),
    ],
)
def test_documents_that_are_not_feeds(data: bytes, reason: str) -> None:
    with pytest.raises(FeedFormatError, match=None) as info:
        parse_document(data, url="https://example.org/x")
    assert reason in str(info.value)


def test_entity_declarations_are_refused_before_expansion() -> None:
    for name in ("bomb.xml", "external.xml"):
        with pytest.raises(FeedFormatError) as info:
            parse_document((FEEDS / name).read_bytes(), url="https://example.org/x")
        assert str(info.value).startswith("refused")


def test_a_truncated_bomb_is_still_refused() -> None:
    data = (FEEDS / "bomb.xml").read_bytes()[:-40]  # malformed: only a lenient parser reads it
    with pytest.raises(FeedFormatError, match="refused"):
        parse_document(data, url="https://example.org/x")


def test_slightly_broken_xml_is_recovered_with_a_note() -> None:
    data = (FEEDS / "rss2.xml").read_bytes().replace(b"Lighthouse reopens", b"Lighthouse & co")
    doc = parse_document(data, url="https://example.org/x")
    assert isinstance(doc, ParsedFeed)
    assert "Lighthouse & co" in [e.title for e in doc.entries]
    assert doc.notes and doc.notes[0].startswith("malformed XML")


def test_opml_lists_feeds_once_resolving_relative_urls() -> None:
    data = (FEEDS / "subs.opml").read_bytes()
    doc = parse_opml(data, url="https://example.org/lists/subs.opml")
    assert isinstance(doc, OpmlList)
    assert doc.title == "My subscriptions"
    assert [f.url for f in doc.feeds] == [
        "https://example.org/lists/rss2.xml",
        "https://example.org/lists/atom.xml",
        "https://example.org/lists/feed.json",
    ]


def test_html_to_markdown_drops_active_content() -> None:
    md = html_to_markdown(
        '<p onclick="x()">Hi <a href="/a">there</a></p><script>steal()</script>'
        "<style>p{}</style><form><input value=secret></form><p>\x1b[2Jbye</p>",
        base="https://example.org/",
    )
    assert md == "Hi [there](https://example.org/a)\n\nbye"  # the whole escape sequence goes


def test_links_are_resolved_and_only_web_and_mail_links_kept() -> None:
    md = html_to_markdown(
        '<a href="javascript:alert(1)">js</a> <a href="data:text/html,x">data</a> '
        '<a href="sub/page (1).html">rel</a> <a href="mailto:a@b.example">mail</a>',
        base="https://example.org/news/",
    )
    assert md == (
        "js data [rel](https://example.org/news/sub/page%20%281%29.html) [mail](mailto:a@b.example)"
    )


def test_clean_line_collapses_whitespace_and_controls() -> None:
    assert clean_line(" a\tb\n\x07c\u202e d ") == "a b c d"


def test_html_is_converted_only_when_the_entry_is_written() -> None:
    tide = feed("rss2.xml").entries[0]
    assert tide.body == "" and "<strong>revised</strong>" in tide.html
    done = tide.materialize()
    assert "**revised**" in done.body and done.html == ""
    data = (FEEDS / "rss2.xml").read_bytes()
    changed = parse_document(data.replace(b"revised</strong>", b"REVISED</strong>"), url="u")
    assert isinstance(changed, ParsedFeed)
    assert changed.entries[0].content_hash() != tide.content_hash()
    assert feed("rss2.xml").entries[0].content_hash() == tide.content_hash()


_FRAGMENTS = st.sampled_from(
    [
        b"<?xml version='1.0'?>", b"<rss version='2.0'>", b"<channel>", b"<item>", b"</item>",
        b"<title>", b"</title>", b"<link>http://x/</link>", b"<!DOCTYPE r [", b"<!ENTITY a 'b'>",
        b"]>", b"&a;", b"<feed xmlns='http://www.w3.org/2005/Atom'>", b"<entry>", b"<opml>",
        b"<outline xmlUrl='x'/>", b'{"version": "https://jsonfeed.org/version/1.1"', b', "items": [',
        b'{"title": 1}', b"]}", b"<html>", b"\xff\xfe", b"\x00", b"\xe9", b"<![CDATA[", b"]]>",
    ]
)  # fmt: skip


@given(st.lists(st.one_of(_FRAGMENTS, st.binary(max_size=20)), max_size=30))
@settings(max_examples=300, deadline=None)
def test_any_bytes_give_a_feed_a_list_or_a_reason(parts: list[bytes]) -> None:
    data = b"".join(parts)
    try:
        doc = parse_document(data, url="https://example.org/feed")
    except FeedFormatError as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    assert isinstance(doc, ParsedFeed | OpmlList)
    if isinstance(doc, ParsedFeed):
        for entry in doc.entries:
            done = entry.materialize()
            assert done.title and "\x00" not in done.title + done.body


def test_html_in_titles_becomes_plain_text() -> None:
    rss = (
        b'<rss version="2.0"><channel><title>A &amp;amp; B</title><item>'
        b"<title>Q&amp;A &lt;i&gt;it&lt;/i&gt; &amp;lt;3</title><guid>1</guid>"
        b"</item></channel></rss>"
    )
    doc = parse_document(rss, url="https://example.org/f")
    assert isinstance(doc, ParsedFeed)
    assert doc.title == "A & B"
    assert doc.entries[0].title == "Q&A it <3"
    atom = (
        b'<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title><entry>'
        b'<title type="html">&lt;b&gt;Bold&lt;/b&gt; news</title><id>1</id>'
        b'</entry><entry><title type="text">a &lt;b&gt; c</title><id>2</id></entry></feed>'
    )
    doc = parse_document(atom, url="https://example.org/f")
    assert isinstance(doc, ParsedFeed)
    assert [e.title for e in doc.entries] == ["Bold news", "a <b> c"]


def test_a_body_that_names_a_local_file_is_never_opened(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # feedparser treats bytes it is given as a file name first; the fetcher must parse the
    # body itself, never a local file the body happens to name.
    secret = (FEEDS / "rss2.xml").read_bytes().replace(b"</title>", b" LOCAL-SECRET</title>", 1)
    (tmp_path / "<rss>").write_bytes(secret)
    monkeypatch.chdir(tmp_path)
    try:
        doc = parse_document(b"<rss>", url="https://example.org/feed")
    except FeedFormatError:
        return
    assert isinstance(doc, ParsedFeed)
    assert "LOCAL-SECRET" not in doc.title
    assert all("LOCAL-SECRET" not in e.title for e in doc.entries)


def test_json_feed_with_an_absurdly_long_number_keeps_its_items() -> None:
    # Python refuses to convert integers past 4,300 digits; one such value (here an item's
    # made-up 'rank') used to fail the whole feed.
    data = (
        b'{"version": "https://jsonfeed.org/version/1.1", "title": "Desk", "items": ['
        b'{"id": "1", "title": "Flood barrier holds", "content_text": "It held.", "rank": '
        + b"9" * 5000
        + b'}, {"id": "2", "title": "Otters return", "content_text": "Seen."}]}'
    )
    doc = parse_document(data, url="https://example.org/feed.json")
    assert isinstance(doc, ParsedFeed)
    assert [e.materialize().title for e in doc.entries] == ["Flood barrier holds", "Otters return"]
