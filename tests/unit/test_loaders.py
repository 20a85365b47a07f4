"""Every format loads from fixtures; odd files are reported, never raise."""

from __future__ import annotations

import codecs
import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from newstui.core.article import Problem, make_article_id
from newstui.core.loaders import (
    MAX_FILE_BYTES,
    SUPPORTED_SUFFIXES,
    TRUNCATED_MARKER,
    LoadOutcome,
    load_bytes,
    load_file,
)
from newstui.core.problems import ordered, summarize
from newstui.core.text import has_controls, shorten

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "articles"
ARTICLES = Path(__file__).resolve().parent.parent.parent / "articles"
SEED = ARTICLES / "sessions-hits-back-at-trump-over-recusal.txt"


def load(name: str) -> LoadOutcome:
    return load_file(FIXTURES / name)


def only(outcome: LoadOutcome):  # type: ignore[no-untyped-def]
    assert len(outcome.articles) == 1, outcome.problems
    return outcome.articles[0]


def test_supported_suffixes_cover_every_format() -> None:
    for suffix in (
        ".txt",
        ".md",
        ".markdown",
        ".html",
        ".htm",
        ".json",
        ".jsonl",
        ".rss",
        ".atom",
        ".xml",
    ):
        assert suffix in SUPPORTED_SUFFIXES


# ------------------------------------------------------------------ txt


def test_txt_header_block() -> None:
    out = load("header.txt")
    a = only(out)
    assert out.problems == []
    assert a.title == "Council approves new river bridge"
    assert a.author == "Jane Doe"
    assert a.source == "The Valley Times"
    assert a.url == "https://example.com/news/bridge"
    assert a.tags == ("local", "transport")  # "Local" is a case-insensitive duplicate
    assert a.published == datetime(2024, 3, 1, 8, 30, tzinfo=UTC)
    assert a.body.startswith("The city council voted")
    assert "Title:" not in a.body
    assert a.format == "text"
    assert a.word_count == len(a.body.split())


def test_txt_header_without_blank_line_and_unknown_keys(tmp_path: Path) -> None:
    p = tmp_path / "h.txt"
    p.write_text("title: Lower case keys\nCategory: ignored\nsource: Wire\nBody right away.\n")
    a = only(load_file(p))
    assert (a.title, a.source, a.body) == ("Lower case keys", "Wire", "Body right away.")


def test_txt_first_line_that_only_looks_like_a_header(tmp_path: Path) -> None:
    p = tmp_path / "n.txt"
    p.write_text("Note: markets were closed.\n\nNothing else happened.\n")
    a = only(load_file(p))
    assert a.title == "Note: markets were closed."
    assert a.body == "Nothing else happened."


def test_txt_short_first_line_then_blank_is_the_title() -> None:
    a = only(load("title-line.txt"))
    assert a.title == "Harvest festival draws record crowds"
    assert a.body.startswith("More than 40,000 people")


def test_seed_article_takes_its_title_from_its_readable_file_name() -> None:
    """Issue 10 item 17: not the cut first sentence, repeated as the body's first line."""
    assert SEED.read_text(encoding="utf-8").startswith("Former attorney general")  # as shipped
    a = only(load_file(SEED))
    assert a.title == "Sessions hits back at Trump over recusal"  # "Trump" as the body has it
    assert a.body.startswith(
        "Former attorney general Jeff Sessions hit back at his former boss, President Donald "
        "Trump, on Friday night"
    )
    assert "Tuberville" in a.body


def test_a_hash_named_copy_of_the_seed_gets_a_derived_title_and_the_same_id(
    tmp_path: Path,
) -> None:
    copy = tmp_path / "000_078001b8b437f0f7.txt"
    shutil.copy(SEED, copy)
    a, seed = only(load_file(copy)), only(load_file(SEED))
    assert a.title == (
        "Former attorney general Jeff Sessions hit back at his former boss, President Donald Trump…"
    )
    assert a.body.startswith("Former attorney general Jeff Sessions hit back")  # read whole
    # The id does not follow the file name: renaming keeps the article (and its state).
    assert a.id == seed.id


@pytest.mark.parametrize(
    ("name", "title"),
    [
        (
            "sessions-hits-back-at-trump-over-recusal.txt",
            "Sessions hits back at Trump over recusal",
        ),
        ("2020-05-23_nasa_launch_delayed.txt", "NASA launch delayed"),
        ("top-10-films.txt", "Top 10 films"),  # "Films" opening a sentence is no proper name
        ("Rail-Strike-Called-Off.txt", "Rail Strike Called Off"),  # the name's own casing
        ("000_078001b8b437f0f7.txt", "Films and NASA staff met"),  # a hash: derived from the text
        ("12345.txt", "Films and NASA staff met"),
        ("a.txt", "Films and NASA staff met"),
        ("x-y.txt", "Films and NASA staff met"),
        ("draft2-notes.txt", "Films and NASA staff met"),  # letters and digits mixed
    ],
)
def test_title_from_a_readable_file_name(tmp_path: Path, name: str, title: str) -> None:
    p = tmp_path / name
    p.write_text(
        "Films and NASA staff met. Then Trump spoke about films and NASA plans.\n", encoding="utf-8"
    )
    assert only(load_file(p)).title == title


def test_a_title_line_or_header_wins_over_the_file_name(tmp_path: Path) -> None:
    p = tmp_path / "some-readable-name.txt"
    p.write_text("Title: From the header\n\nBody.\n", encoding="utf-8")
    assert only(load_file(p)).title == "From the header"
    p.write_text("A title line\n\nBody text follows here.\n", encoding="utf-8")
    assert only(load_file(p)).title == "A title line"
    p.write_text("Author: Jane\n\nBody text without a title.\n", encoding="utf-8")
    assert only(load_file(p)).title == "Some readable name"


@pytest.mark.parametrize(
    ("body", "title", "shown"),
    [
        # A title that holds the whole first sentence: the body starts after it.
        ("Markets rose. Then they fell.", "Markets rose", "Then they fell."),
        # Nothing would be left: the body keeps it.
        ("One line only", "One line only", "One line only"),
        # A cut title: the sentence stays in the body, read whole.
        (
            "The quick brown fox jumps over the lazy dog and then keeps running across the "
            "wide open field until the sun goes down behind the hills.",
            "The quick brown fox jumps over the lazy dog and then keeps running across the wide open…",
            "The quick brown fox jumps",
        ),
        # Closing quotes belong to the sentence: not split off.
        ('He said "Go." Then he left.', 'He said "Go', 'He said "Go." Then he left.'),
    ],
)
def test_derived_titles(tmp_path: Path, body: str, title: str, shown: str) -> None:
    p = tmp_path / "a.txt"
    p.write_text(body + "\n", encoding="utf-8")
    a = only(load_file(p))
    assert a.title == title
    assert a.body.startswith(shown)
    assert a.word_count == len(a.body.split())


def test_markdown_keeps_its_first_sentence_in_the_body(tmp_path: Path) -> None:
    p = tmp_path / "a.md"
    p.write_text("> Quoted first. Then more text.\n", encoding="utf-8")
    a = only(load_file(p))
    assert a.body == "> Quoted first. Then more text."  # its syntax intact


def test_derived_title_never_ends_on_a_dangling_word(tmp_path: Path) -> None:
    p = tmp_path / "a.txt"
    p.write_text("A " + "very long sentence that goes on " * 10 + "and ends.\n", encoding="utf-8")
    title = only(load_file(p)).title
    assert title.endswith("…")
    assert len(title) <= 92
    assert title[:-1].split()[-1] not in {"on", "that", "the", "a"}


# ------------------------------------------------------------------ markdown


def test_md_front_matter() -> None:
    out = load("front-matter.md")
    a = only(out)
    assert out.problems == []
    assert a.title == "Rates held steady: what it means"
    assert a.author == "Ana Lima, Bo Chen"
    assert a.source == "Finance Weekly"
    assert a.published == datetime(2020, 5, 1, 12, tzinfo=UTC)
    assert a.tags == ("economy", "rates")
    assert a.format == "markdown"
    assert "**interest rates**" in a.body  # Markdown kept for the reader
    assert "---" not in a.body


def test_md_first_heading_is_the_title_and_not_repeated() -> None:
    a = only(load("heading.md"))
    assert a.title == "Volcano erupts near village"
    assert a.body.startswith("Residents were evacuated")


@pytest.mark.parametrize(
    ("text", "title", "body"),
    [
        ("# Closed heading ##\n\nText.", "Closed heading", "Text."),
        ("   # Indented three\nText.", "Indented three", "Text."),
        ("    # Four spaces is code\n\n# Real\nText.", "Real", None),
        ("## Second level\n\n# First level\n\nText.", "First level", None),
        ("#NoSpace\n\n# Spaced\nText.", "Spaced", None),
        ("Setext title\n===\n\nText.", "Setext title", "Text."),
        ("# " + "#" * 15_000 + "x\n\nText.", "#" * 15_000 + "x", "Text."),  # was 0.7 s
    ],
)
def test_md_heading_forms(tmp_path: Path, text: str, title: str, body: str | None) -> None:
    p = tmp_path / "h.md"
    p.write_text(text, encoding="utf-8")
    a = only(load_file(p))
    assert a.title == shorten(title, 300)
    if body is not None:
        assert a.body == body


def test_welcome_article_loads_with_its_front_matter() -> None:
    out = load_file(ARTICLES / "welcome-to-newstui.md")
    a = only(out)
    assert out.problems == []
    assert a.title == "Welcome to newstui"
    assert a.author == "newstui"
    assert a.published is not None
    for key in ("`/`", "`j` / `k`", "`Enter`", "`n` / `N`", "`[` / `]`", "`?`", "`q`", "`F`"):
        assert key in a.body


def test_md_unsafe_yaml_is_not_constructed(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    p = tmp_path / "evil.md"
    p.write_text(
        "---\ntitle: !!python/object/apply:os.system ['touch "
        f"{marker}']\n---\n\n# Safe heading\n\nBody.\n",
        encoding="utf-8",
    )
    out = load_file(p)
    a = only(out)
    assert not marker.exists()
    assert a.title == "Safe heading"
    assert any("front matter" in pr.reason for pr in out.problems)


def test_md_front_matter_that_is_not_a_mapping(tmp_path: Path) -> None:
    p = tmp_path / "list.md"
    p.write_text("---\n- a\n- b\n---\n\nJust a body here.\n", encoding="utf-8")
    out = load_file(p)
    a = only(out)
    assert a.body == "Just a body here."
    assert [pr.reason for pr in out.problems] == ["front matter is not a mapping; ignored"]


# ------------------------------------------------------------------ html


def test_html_title_body_and_metadata() -> None:
    a = only(load("page.html"))
    assert a.title == "Scientists map deep ocean currents"
    assert a.author == "Sam Rivera"
    assert a.source == "Example News"
    assert a.url == "https://example.com/science/ocean-currents"
    assert a.published == datetime(2023, 7, 14, 8, tzinfo=UTC)
    assert a.body.startswith("A team of oceanographers")
    assert "robotic floats" in a.body
    for junk in ("SCRIPT-SHOULD-NOT-APPEAR", "color: red", "Home", "All rights reserved"):
        assert junk not in a.body
    assert a.body.count("\n\n") >= 2  # paragraphs kept


def test_html_title_falls_back_to_title_then_h1(tmp_path: Path) -> None:
    p = tmp_path / "t.html"
    p.write_text(
        "<html><head><title>Only title</title></head><body><p>Text body here "
        "that is long enough to keep.</p></body></html>",
        encoding="utf-8",
    )
    assert only(load_file(p)).title == "Only title"
    p.write_text(
        "<html><body><h1>Heading one</h1><p>Body text.</p></body></html>", encoding="utf-8"
    )
    a = only(load_file(p))
    assert a.title == "Heading one"
    assert "Body text." in a.body


PARA = "<p>The council met on Tuesday and agreed the budget for the coming year.</p>"


@pytest.mark.parametrize(
    ("name", "page"),
    [
        ("nav", f"<nav><a href=/>Home</a> | <a href=/about>About</a></nav><h1>Budget</h1>{PARA}"),
        ("link bar", f"<div><a href=/>Home</a> | <a href=/a>About</a></div><h1>Budget</h1>{PARA}"),
        ("link para", f"<p><a href=/>Home</a> · <a href=/a>About</a></p><h1>Budget</h1>{PARA}"),
        (
            "menu list",
            f"<ul><li><a href=/>Home</a></li><li><a href=/a>About</a></li></ul><h1>Budget</h1>{PARA}",
        ),
        ("role", f'<div role="navigation"><a href=/>Home</a></div><h1>Budget</h1>{PARA}'),
        ("class", f'<div class="top menu"><a href=/>Home</a></div><h1>Budget</h1>{PARA}'),
    ],
)
def test_html_navigation_and_the_repeated_heading_are_not_in_the_body(
    tmp_path: Path, name: str, page: str
) -> None:
    """Issue 10 item 13: a simple page kept its nav ("Home | About") and its <h1>."""
    p = tmp_path / "simple.html"
    p.write_text(f"<html><head><title>Budget</title></head><body>{page}</body></html>")
    a = only(load_file(p))
    assert a.title == "Budget"
    assert a.body == "The council met on Tuesday and agreed the budget for the coming year."


def test_html_links_inside_text_and_a_different_heading_stay(tmp_path: Path) -> None:
    p = tmp_path / "links.html"
    p.write_text(
        "<html><head><title>Budget | The Valley Times</title></head><body>"
        "<h1>Budget</h1><h2>What was agreed</h2>"
        "<p>See <a href=/a>the plan</a> and <a href=/b>the vote</a> for details.</p>"
        "</body></html>"
    )
    a = only(load_file(p))
    assert a.title == "Budget | The Valley Times"
    assert a.body.startswith("What was agreed")  # the <h1> (title minus site name) went
    assert "See the plan and the vote for details." in a.body
    p.write_text(
        "<html><head><title>Budget cuts announced</title></head><body>"
        f"<h1>Budget</h1>{PARA}</body></html>"
    )
    assert only(load_file(p)).body.startswith("Budget\n\nThe council met")  # not the title


# ------------------------------------------------------------------ json / jsonl


def test_json_object_with_alternative_keys() -> None:
    a = only(load("one.json"))
    assert a.title == "Rail strike called off"
    assert a.body.startswith("Unions called off")
    assert a.author == "Lee Park"
    assert a.url == "https://example.com/rail"
    assert a.published == datetime(2020, 5, 1, 12, tzinfo=UTC)
    assert a.tags == ("transport", "labour")
    assert a.entry is None


def test_json_list_loads_good_entries_and_reports_bad_ones() -> None:
    out = load("list.json")
    titles = [a.title for a in out.articles]
    assert titles == ["First story", "Second story", "A body whose title has the wrong type."]
    assert [a.entry for a in out.articles] == [0, 1, 3]
    # Problem.entry counts records from 1 (the third item is #3); Article.entry is 0-based.
    reasons = {str(p.entry): p.reason for p in out.problems}
    assert reasons["3"] == "expected an article object, found a string"
    assert "title is a list" in reasons["4"]
    assert reasons["5"] == "no title or text"


def test_jsonl_skips_blank_and_broken_lines() -> None:
    out = load("many.jsonl")
    assert [a.title for a in out.articles] == ["Line one", "Line two", "Line five"]
    assert out.articles[1].published == datetime(1987, 2, 26, 15, 14, 36, 410000, tzinfo=UTC)
    assert len(out.problems) == 1
    assert "line 4" in out.problems[0].reason
    assert out.articles[0].format == "jsonl"


def test_big_jsonl_streams(tmp_path: Path) -> None:
    p = tmp_path / "big.jsonl"
    with p.open("w", encoding="utf-8") as fh:
        for i in range(5000):
            fh.write(json.dumps({"title": f"Story {i}", "body": f"Body {i} " * 20}) + "\n")
    out = load_file(p)
    assert len(out.articles) == 5000
    assert out.problems == []
    assert len({a.id for a in out.articles}) == 5000


@pytest.mark.parametrize("bad", ["[]", "{", '"just a string"', "42", "null"])
def test_json_bad_documents_are_problems(tmp_path: Path, bad: str) -> None:
    p = tmp_path / "bad.json"
    p.write_text(bad, encoding="utf-8")
    out = load_file(p)
    assert out.articles == []
    assert out.problems and out.problems[0].path == p


def test_json_over_the_cap_loads_the_items_before_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import newstui.core.loaders as loaders

    monkeypatch.setattr(loaders, "MAX_JSON_BYTES", 1024 * 1024)
    p = tmp_path / "big.json"
    p.write_text(json.dumps([{"title": f"t{i}", "body": "b" * 100} for i in range(20_000)]))
    out = load_file(p)
    # The list is streamed: every item wholly inside the first MB loads, complete.
    assert 5000 < len(out.articles) < 20_000
    assert [a.title for a in out.articles[:2]] == ["t0", "t1"]
    assert not any(a.truncated for a in out.articles)
    [problem] = out.problems
    assert problem.kind == "degraded"
    assert "only the first 1 MB were loaded" in problem.reason


def test_json_deeply_nested_is_reported(tmp_path: Path) -> None:
    p = tmp_path / "deep.json"
    p.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    out = load_file(p)
    assert out.articles == []
    assert out.problems[0].reason == "JSON nested too deeply"


def test_every_record_problem_names_its_record_and_the_true_count_is_kept(
    tmp_path: Path,
) -> None:
    """Issue 10 item 5: 1,646 records with unparsable dates are 1,646 record problems, kept
    one each up to a cap, then one Problem standing for the rest; none is a file-level
    "... and N more" placed before the items."""
    p = tmp_path / "dates.jsonl"
    lines = [
        json.dumps({"title": f"Story {i}", "body": "Text.", "date": "soon"}) for i in range(1646)
    ]
    p.write_text("\n".join([json.dumps({"title": "Good", "body": "Fine."}), *lines]) + "\n")
    out = load_file(p)
    assert len(out.articles) == 1647  # a bad date degrades a record, it does not drop it
    assert all(pr.entry is not None for pr in out.problems)
    assert len(out.problems) <= 51
    first, last = ordered(out.problems)[0], ordered(out.problems)[-1]
    assert (first.entry, first.reason) == (2, "unrecognised date 'soon'")  # line 2
    assert last.reason == "and 1,596 more records with problems (not listed one by one)"
    assert (last.entry, last.count) == (52, 1596)
    summary = summarize(out.problems)
    assert (summary.files, summary.records) == (1, 1646)
    assert summary.describe() == "1 file with problems (1,646 records)"


def test_a_record_with_two_problems_is_one_record() -> None:
    out = load("list.json")  # item 4 has a wrong title type (and loads from its body)
    path = FIXTURES / "list.json"
    twice = [*out.problems, Problem(path, "unrecognised date 'x'", "degraded", 4)]
    assert summarize(twice).records == 3


@pytest.mark.parametrize("suffix", [".json", ".jsonl"])
def test_an_integer_too_long_for_python_drops_only_that_value(tmp_path: Path, suffix: str) -> None:
    """Issue 10 item 29: past 4,300 digits int() refuses, which dropped the whole file."""
    huge = "9" * 5000
    records = [
        f'{{"title": "Huge count", "body": "Counted.", "views": {huge}}}',
        f'{{"title": "Huge date", "body": "Dated.", "date": {huge[:400]}}}',
        '{"title": "Plain", "body": "Nothing odd."}',
    ]
    p = tmp_path / f"n{suffix}"
    p.write_text(("[" + ",".join(records) + "]") if suffix == ".json" else "\n".join(records))
    out = load_file(p)
    assert [a.title for a in out.articles] == ["Huge count", "Huge date", "Plain"]
    [problem] = out.problems
    assert (problem.entry, problem.kind) == (2, "degraded")
    assert problem.reason.startswith("unrecognised date '9999")


@pytest.fixture
def streamed(monkeypatch: pytest.MonkeyPatch) -> None:
    """JSON documents over 8 MB are streamed item by item; make that start at 1 KB."""
    from newstui.core.loaders import jsonfile

    monkeypatch.setattr(jsonfile, "MAX_WHOLE_JSON_BYTES", 1024)


def _stories(n: int) -> list[dict[str, str]]:
    return [{"title": f"Story {i}", "body": f"Body of story {i}. " * 5} for i in range(n)]


@pytest.mark.usefixtures("streamed")
@pytest.mark.parametrize("wrap", ["list", "object"])
def test_a_big_json_list_is_streamed_and_reads_the_same(tmp_path: Path, wrap: str) -> None:
    items: list[object] = [*_stories(30), 7, "text", [1, 2], *_stories(3)]
    doc: object = items if wrap == "list" else {"source": "x", "articles": items}
    p = tmp_path / "big.json"
    p.write_text(json.dumps(doc, indent=1))
    out = load_file(p)
    assert len(out.articles) == 33
    assert [a.entry for a in out.articles[-3:]] == [33, 34, 35]
    assert [(pr.entry, pr.reason) for pr in out.problems] == [
        (31, "expected an article object, found a number"),
        (32, "expected an article object, found a string"),
        (33, "expected an article object, found a list"),
    ]


@pytest.mark.usefixtures("streamed")
def test_a_big_json_article_object_and_json_lines_in_a_json_file(tmp_path: Path) -> None:
    one = tmp_path / "one.json"
    one.write_text(json.dumps({"title": "Long read", "body": "Word. " * 1000, "n": 1}))
    assert only(load_file(one)).title == "Long read"
    lines = tmp_path / "lines.json"
    lines.write_text("\n".join(json.dumps(s) for s in _stories(40)))
    assert [a.title for a in load_file(lines).articles] == [f"Story {i}" for i in range(40)]


@pytest.mark.usefixtures("streamed")
def test_a_syntax_error_in_a_big_json_list_keeps_the_items_before_it(tmp_path: Path) -> None:
    p = tmp_path / "broken.json"
    p.write_text(json.dumps(_stories(20))[:-40] + "}}} oops")
    out = load_file(p)
    assert 10 < len(out.articles) < 20
    [problem] = out.problems
    assert problem.kind == "degraded"
    assert problem.reason.startswith("invalid JSON")
    assert problem.reason.endswith("the rest of the file was not read")


@pytest.mark.usefixtures("streamed")
def test_a_streamed_record_too_big_or_too_bracket_heavy_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from newstui.core.loaders import jsonfile

    monkeypatch.setattr(jsonfile, "MAX_RECORD_NODES", 1000)
    p = tmp_path / "heavy.json"
    p.write_text(json.dumps([*_stories(5), {"title": "x", "junk": [[]] * 2000}, *_stories(5)]))
    out = load_file(p)
    assert len(out.articles) == 5
    assert "a record with more than 1,000 brackets" in out.problems[0].reason


@pytest.mark.parametrize("suffix", [".json", ".jsonl"])
def test_a_long_run_of_records_that_are_not_articles_is_given_up(
    tmp_path: Path, suffix: str
) -> None:
    from newstui.core.loaders.jsonfile import MAX_BAD_RUN

    p = tmp_path / f"nums{suffix}"
    n = MAX_BAD_RUN + 500
    p.write_text("[" + ",".join(["1"] * n) + "]" if suffix == ".json" else "1\n" * n)
    out = load_file(p)
    assert out.articles == []
    stop = [pr for pr in out.problems if pr.entry is None]
    assert len(stop) == 1 and "in a row are not articles" in stop[0].reason
    assert summarize(out.problems).records == MAX_BAD_RUN + 1
    assert len(out.problems) <= 52


# ------------------------------------------------------------------ feeds


def test_rss_entries_become_articles() -> None:
    out = load("feed.rss")
    assert out.problems == []
    first, second = out.articles
    assert first.title == "Port reopens after storm"
    assert first.source == "Example Wire"
    assert first.author == "News Desk"
    assert first.url == "https://example.com/port"
    assert first.published == datetime(2023, 1, 10, 7, tzinfo=UTC)
    assert first.tags == ("weather",)
    assert first.body == "The port reopened on Tuesday.\n\nShips queued overnight."
    assert (first.entry, second.entry) == (0, 1)
    assert first.format == "feed"


def test_atom_entry() -> None:
    a = only(load("feed.atom"))
    assert a.title == "Atom entry title"
    assert a.author == "Kim Ito"
    assert a.body == "Atom content body."
    assert a.url == "https://example.com/atom/1"


def test_feed_with_a_lying_extension_is_sniffed() -> None:
    out = load("disguised-feed.txt")
    assert [a.title for a in out.articles] == ["Port reopens after storm", "Second item"]


def test_xml_that_is_not_a_feed_is_reported() -> None:
    out = load("not-a-feed.xml")
    assert out.articles == []
    assert out.problems[0].reason == "XML file that is not an RSS/Atom feed"


def test_feed_bytes_naming_a_file_are_not_opened(tmp_path: Path) -> None:
    secret = tmp_path / "secret.rss"
    shutil.copy(FIXTURES / "feed.rss", secret)
    out = load_bytes(str(secret).encode(), tmp_path / "x.rss")
    assert out.articles == []


def test_entity_declarations_are_refused(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-VALUE", encoding="utf-8")
    p = tmp_path / "ext.atom"
    p.write_text(
        f'<?xml version="1.0"?>\n<!DOCTYPE feed [<!ENTITY xxe SYSTEM "file://{secret}">]>\n'
        '<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>'
        "<entry><title>&xxe;</title><content>&xxe;</content></entry></feed>\n",
        encoding="utf-8",
    )
    out = load_file(p)
    assert out.articles == []
    assert "entit" in out.problems[0].reason


# ------------------------------------------------------------------ encodings, sizes, oddities


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (codecs.BOM_UTF8 + "Title: Café\n\nCrème brûlée.".encode(), None),
        ("Title: Café\n\nCrème brûlée.".encode("utf-16"), None),  # with BOM
        ("Title: Café\n\nCrème brûlée.".encode("utf-16-le"), None),  # no BOM
        ("Title: Café\n\nCrème brûlée.".encode("cp1252"), "cp1252"),
    ],
)
def test_encodings(tmp_path: Path, data: bytes, problem: str | None) -> None:
    p = tmp_path / "enc.txt"
    p.write_bytes(data)
    out = load_file(p)
    a = only(out)
    assert a.title == "Café"
    assert a.body == "Crème brûlée."
    if problem is None:
        assert out.problems == []
    else:
        assert out.problems[0].kind == "degraded"
        assert problem in out.problems[0].reason


def test_invalid_utf8_is_never_dropped(tmp_path: Path) -> None:
    p = tmp_path / "bad.txt"
    p.write_bytes(b"Title: Broken \x81 bytes\n\nBody \x8d\x8f here.")
    out = load_file(p)
    a = only(out)
    assert a.title.startswith("Broken")
    assert "latin-1" in out.problems[0].reason or "cp1252" in out.problems[0].reason
    assert not has_controls(a.title + a.body)


def test_oversized_text_is_truncated_with_a_marker(tmp_path: Path) -> None:
    p = tmp_path / "huge.txt"
    line = "word " * 19 + "end\n"
    p.write_text("Title: Huge\n\n" + line * (MAX_FILE_BYTES // len(line) + 5000), encoding="utf-8")
    out = load_file(p)
    a = only(out)
    assert a.truncated
    assert a.body.endswith(TRUNCATED_MARKER)
    assert len(a.body) <= MAX_FILE_BYTES + 100
    assert any(pr.kind == "degraded" and "truncated" in pr.reason for pr in out.problems)


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("empty.txt", b"", "empty file"),
        ("blank.md", b"  \n\n \t\n", "empty file"),
        ("bin.txt", bytes(range(256)) * 20, "binary"),
        ("zeros.json", b"\x00" * 100, "binary"),
    ],
)
def test_unreadable_files_are_reported(tmp_path: Path, name: str, data: bytes, reason: str) -> None:
    p = tmp_path / name
    p.write_bytes(data)
    out = load_file(p)
    assert out.articles == []
    assert out.problems[0].path == p
    assert reason in out.problems[0].reason


def test_missing_file_and_folder_are_reported(tmp_path: Path) -> None:
    out = load_file(tmp_path / "gone.txt")
    assert out.problems[0].reason == "file vanished during the scan"
    (tmp_path / "dir.md").mkdir()
    assert "folder" in load_file(tmp_path / "dir.md").problems[0].reason


# ------------------------------------------------------------------ ids


def test_ids_are_stable_across_runs_and_moves(tmp_path: Path) -> None:
    src = FIXTURES / "title-line.txt"
    first = only(load_file(src)).id
    assert only(load_file(src)).id == first
    moved = tmp_path / "elsewhere" / "renamed.txt"
    moved.parent.mkdir()
    shutil.copy(src, moved)
    assert only(load_file(moved)).id == first


def test_id_follows_the_url_when_there_is_one(tmp_path: Path) -> None:
    a = only(load("header.txt"))
    assert a.id == make_article_id(url="https://example.com/news/bridge")
    edited = tmp_path / "edited.txt"
    edited.write_text(
        (FIXTURES / "header.txt").read_text(encoding="utf-8") + "\nA correction.\n",
        encoding="utf-8",
    )
    assert only(load_file(edited)).id == a.id
