"""Reflowing hard-wrapped text at load (``newstui.core.reflow``) stays cheap on hostile bodies:
a 10 MB line, a million short lines, 8 MB of wrapped lines, lines built to pass the first
look and fail later. Linear in the body's size, and a scan of such files stays in budget."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest
from budget import run_bounded

from newstui.core.reflow import reflow

pytestmark = pytest.mark.timeout(300)

WRAPPED_LINE = "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do\n"
HOSTILE: dict[str, Callable[[int], str]] = {
    "one long line": lambda n: "word " * (n // 5),
    "short lines": lambda n: "a\n" * (n // 2),
    "wrapped lines": lambda n: WRAPPED_LINE * (n // len(WRAPPED_LINE)),
    "wrapped, then short": lambda n: ("x" * 60 + "\n" + "y" * 20 + "\n") * (n // 82),
    "list items": lambda n: ("- " + "item " * 12 + "\n") * (n // 63),
    "table rows": lambda n: ("a   b   c   " * 5 + "\n") * (n // 61),
    "indented starts": lambda n: ("    " + "w" * 56 + "\n" + "v " * 30 + "\n") * (n // 122),
    "blank lines": lambda n: "\n" * n,
    "pipes and quotes": lambda n: ("> | " * 15 + "\n") * (n // 61),
}


def _best_of_three(body: str) -> float:
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        reflow(body)
        best = min(best, time.perf_counter() - t0)
    return best


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_reflow_is_linear_in_the_body(name: str) -> None:
    make = HOSTILE[name]
    small, big = make(500_000), make(2_000_000)
    t_small, t_big = _best_of_three(small), _best_of_three(big)
    assert t_big <= 0.1 + 8 * t_small, (name, t_small, t_big)  # quadratic would be 16x
    assert t_big < 2, (name, t_big)


def test_a_scan_of_hostile_plain_text_stays_in_budget(tmp_path: Path) -> None:
    folder = tmp_path / "lib"
    folder.mkdir()
    (folder / "one-line.txt").write_text("word " * 2_000_000)  # 10 MB, read up to 8 MB
    (folder / "short-lines.txt").write_text("ab\n" * 1_000_000)
    (folder / "wrapped.txt").write_text(WRAPPED_LINE * 120_000)  # 7.7 MB of wrapped lines
    (folder / "alternating.txt").write_text(("x" * 60 + "\n" + "y" * 20 + "\n") * 95_000)
    (folder / "good.txt").write_text("Good story\n\nIt loads.\n")
    code = (
        "from pathlib import Path\n"
        "from newstui.core.library import scan_library\n"
        f"r = scan_library(Path({str(folder)!r}))\n"
        "by = {a.path.name: a for a in r.articles}\n"
        "print(len(r.articles))\n"
        "print(by['wrapped.txt'].body.count(chr(10)))\n"
    )
    run = run_bounded(code=code, timeout=120).check(seconds=30, rss_mb=600)
    assert run.returncode == 0, run.stderr
    count, newlines = run.stdout.split()
    assert count == "5"
    assert newlines == "0"  # the wrapped file became one paragraph
