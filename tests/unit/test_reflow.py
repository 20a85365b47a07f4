"""Hard-wrapped plain text is reflowed into paragraphs at load; every other shape is kept."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newstui.core.article import make_article_id
from newstui.core.library.opening import open_library
from newstui.core.loaders import load_bytes, load_file
from newstui.core.reflow import reflow

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "reflow" / "bahia-cocoa.txt"

PROSE = (
    "The ministers met for a second day in the capital to discuss the package of price cuts "
    "that the commission proposed last month, and officials said no agreement was in sight "
    "before the end of the week, when the current marketing year closes."
)
OTHER = (
    "Farm groups staged protests outside the building throughout the afternoon, and police "
    "said the crowd of several thousand people dispersed peacefully after the talks ended "
    "for the day without any statement from the chair."
)


def wrapped(text: str, width: int = 65, indent: str = "") -> str:
    return "\n".join(textwrap.wrap(text, width=width, initial_indent=indent))


def paragraphs(body: str) -> list[str]:
    return body.split("\n\n")


def test_a_real_looking_reuters_story_becomes_paragraphs() -> None:
    body = FIXTURE.read_text(encoding="utf-8").split("\n\n", 1)[1].rstrip("\n")
    out = reflow(body)
    assert out.split() == body.split()
    paras = paragraphs(out)
    # The short first line (its dateline cut) and the full lines after it: one paragraph.
    assert paras[0].startswith("Rain fell across the southern Bahia cocoa belt this week, easing")
    assert paras[0].endswith("the Ilheus growers' cooperative said in its weekly report.")
    assert "\n" not in paras[0]
    assert "in the region since early January" in paras[0]  # no "since" / "early" break
    # An indented line starts a paragraph; one that is a whole sentence is a paragraph.
    assert paras[1] == "The late rain means the temporao will start later than usual."
    assert paras[2].startswith("Arrivals at Ilheus in the week to March 8 were 98,400 bags of 60")
    assert "\n" not in paras[2] and paras[2].endswith("and only now counted.")
    assert paras[4] == "Spot bean prices rose to 310 to 320 cruzados per arroba of 15 kilos."
    # The column-aligned table is kept line for line, its alignment too.
    table = (
        "                   WEEK      SEASON    LAST SEASON\n"
        "    ILHEUS         98.4      4,120     3,970\n"
        "    ITABUNA        41.2      1,804     1,761"
    )
    assert table in paras
    assert paras[-2].startswith("Exporters were reluctant") and "\n" not in paras[-2]
    assert paras[-1] == " Reuter"  # the sign-off, a short line, as it was
    assert max(len(line) for line in body.splitlines()) <= 65


def test_mail_wrapped_paragraphs_between_blank_lines_are_joined() -> None:
    body = wrapped(PROSE, 72) + "\n\n" + wrapped(OTHER, 72)
    assert reflow(body) == PROSE + "\n\n" + OTHER


def test_indented_paragraph_starts_begin_new_paragraphs() -> None:
    body = (
        wrapped(PROSE) + "\n" + wrapped(OTHER, indent="    ") + "\n" + wrapped(PROSE, indent="  ")
    )
    assert paragraphs(reflow(body)) == [PROSE, OTHER, PROSE]
    tabbed = wrapped(PROSE) + "\n" + wrapped(OTHER, width=58, indent="\t")  # a tab: 8 columns
    assert paragraphs(reflow(tabbed)) == [PROSE, OTHER]


@pytest.mark.parametrize(
    "kept",
    [
        # lists: bullets, numbers, letters; an item wrapped onto an indented line
        "- first item of the list\n- second item, a little longer than that\n- third",
        "* alpha\n* beta",
        "• one\n• two",
        "1. Buy the futures contract now\n2. Sell it at the close\n10. Repeat",
        "a) the first case\nb) the second case",
        "(1) under the old rule\n(2) under the new one",
        "- a long item that was wrapped by the author onto a\n  second line, indented",
        # tables: aligned columns, pipes, box drawing, tabs
        "                 1987      1986\nNet profit       12.1      10.4\nSales            88.9      70.8",
        "| name | value |\n|------|-------|\n| corn | 5.02  |",
        "┌──────┬──────┐\n│ corn │ 5.02 │\n└──────┴──────┘",
        "corn\t5.02\nwheat\t3.91",
        # quoted mail
        "> You wrote that the meeting would be held next week in the\n> capital, but the agenda has not been sent to anyone yet.",
        # code and preformatted text
        "    pip install newstui\n    newstui --help",
        "```\nfor item in feed:\n    print(item)\n```",
        "def main() {\n  return 0;\n}",
        # short lines: a signature, an address
        "--\nJane Doe\nSenior Analyst",
        "Example Research Group\n12 Harbour Street\nSpringfield",
    ],
)
def test_lists_tables_quotes_code_and_short_lines_are_kept(kept: str) -> None:
    body = wrapped(PROSE) + ":\n\n" + kept + "\n\n" + wrapped(OTHER)
    out = reflow(body)
    assert paragraphs(out) == [PROSE + ":", kept, OTHER]


def test_a_list_right_after_a_wrapped_paragraph_is_kept() -> None:
    body = wrapped(PROSE) + "\n- corn\n- soybeans\n- wheat"
    assert reflow(body) == PROSE + "\n\n- corn\n- soybeans\n- wheat"


def test_a_number_that_continues_a_wrapped_line_is_not_a_list() -> None:
    body = (
        "Porex Technologies Corp said its board declared an initial\n"
        "annual dividend of 10 cts per share, its first payout, payable\n"
        "March 26 to holders of record on the books of the company March\n"
        "12. The company said it expects to pay the dividend every year\n"
        "from now on."
    )
    assert reflow(body) == " ".join(body.split("\n"))


@pytest.mark.parametrize(
    "body",
    [
        # BBC: paragraphs one a line, between blank lines
        "Quarterly profits at the firm jumped 76%.\n\nThe firm benefited from sales.\n\nIt said so.",
        # a line a sentence, of varied lengths: not hard-wrapped
        "The meeting started at nine.\nEveryone was there except the chairman, who was ill "
        "with a bad flu that week.\nVotes were counted by noon.\nThe result surprised "
        "nobody in the room.\nA statement followed.",
        # a poem: short lines of similar length
        "The sea is calm tonight.\nThe tide is full, the moon lies fair\nUpon the straits; "
        "on the French coast the light\nGleams and is gone.",
        # one long line
        PROSE,
        # an earnings table, Reuters style, no prose at all
        "Shr 20 cts vs 17 cts\n    Net 680,000 vs 533,000\n    Sales 6,473,000 vs 5,996,000",
        "",
    ],
)
def test_text_that_is_not_hard_wrapped_is_unchanged(body: str) -> None:
    assert reflow(body) == body


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.text(st.sampled_from("ab c\t>-1.|{}( )\n"), max_size=80),
            st.sampled_from([wrapped(PROSE), wrapped(OTHER, indent="    "), "", " Reuter"]),
        ),
        max_size=12,
    )
)
def test_only_whitespace_ever_changes(parts: list[str]) -> None:
    body = "\n".join(parts)
    out = reflow(body)
    assert out.split() == body.split()
    assert make_article_id(title="t", body=out) == make_article_id(title="t", body=body)


# --- at load, through the loaders ------------------------------------------------------------


def test_a_txt_file_is_reflowed_and_keeps_its_id_words_and_title() -> None:
    article = load_file(FIXTURE).articles[0]
    raw_body = FIXTURE.read_text(encoding="utf-8").split("\n\n", 1)[1]
    assert article.title == "BAHIA COCOA REVIEW"
    assert article.body.startswith("Rain fell across the southern Bahia cocoa belt this week,")
    assert article.word_count == len(raw_body.split())
    # The id is the one the file had before reflowing existed (whitespace never counts).
    assert article.id == make_article_id(title=article.title, body=raw_body)


def test_json_and_jsonl_bodies_are_reflowed(tmp_path: Path) -> None:
    body = wrapped(PROSE) + "\n" + wrapped(OTHER, indent="    ")
    record = {"title": "EC farm talks", "body": body}
    for name, data in (
        ("one.json", json.dumps(record)),
        ("many.jsonl", json.dumps(record) + "\n" + json.dumps(record) + "\n"),
    ):
        outcome = load_bytes(data.encode(), tmp_path / name)
        assert [a.body for a in outcome.articles] == [PROSE + "\n\n" + OTHER] * len(
            outcome.articles
        )


def test_feed_entries_are_reflowed_only_when_plain_text(tmp_path: Path) -> None:
    body = wrapped(PROSE) + "\n" + wrapped(OTHER, indent="    ")
    html = "<p>" + wrapped(PROSE) + "</p><pre>" + "  x = 1\n  y = 2" + "</pre>"
    rss = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Desk</title>'
        f"<item><title>Plain</title><description>{body}</description></item>"
        f"<item><title>Html</title><description><![CDATA[{html}]]></description></item>"
        "</channel></rss>"
    )
    plain, tagged = load_bytes(rss.encode(), tmp_path / "feed.rss").articles
    assert plain.body == PROSE + "\n\n" + OTHER
    assert "\n" in tagged.body.split("\n\n")[0]  # HTML keeps what its loader made of it


def test_markdown_stays_markdown(tmp_path: Path) -> None:
    text = "# Farm talks\n\n" + wrapped(PROSE) + "\n" + wrapped(OTHER, indent="    ") + "\n"
    article = load_bytes(text.encode(), tmp_path / "talks.md").articles[0]
    assert wrapped(PROSE) in article.body


def test_the_warm_start_cache_keeps_the_reflowed_body_and_search_finds_the_same_words(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "news"
    folder.mkdir()
    (folder / "cocoa.txt").write_bytes(FIXTURE.read_bytes())
    for _ in range(2):  # cold, then from the cache
        result, index = open_library([folder])
        (article,) = result.articles
        assert article.body.startswith(
            "Rain fell across the southern Bahia cocoa belt this week, easing the dry spell"
        )
        found = index.search('"region since early january"')
        assert [h.article.id for h in found.hits] == [article.id]
