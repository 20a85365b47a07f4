"""The one matcher (``core/search/highlight.py``) stays linear on hostile text: one huge
compound, many distinct compounds, folding that changes lengths."""

from __future__ import annotations

import pytest
from budget import run_bounded

CASES = {
    "one compound of 300k parts": '"ab-" * 300_000 + "email"',
    "300k distinct compounds": '" ".join(f"x{i}-y{i}" for i in range(300_000))',
    "acronym dots": '"a." * 400_000',
    "joiners without words": '"-.,\'" * 300_000',
    "folding that changes lengths": '"Straße-ß" * 150_000',
}


@pytest.mark.parametrize("text", list(CASES.values()), ids=list(CASES))
def test_matching_hostile_text_is_linear(text: str) -> None:
    code = f"""
from newstui.core.search.highlight import Matcher, highlight_spans
text = {text}
m = Matcher([["ab", "email", "strasse"], ["y7", "a"]])
found = m.matches(text)
m.positions(text)
highlight_spans(text, ["ab", "y7"])
print(len(found))
"""
    run_bounded(code=code, timeout=60).check(seconds=8, rss_mb=400)
