"""``newstui list --sort S`` and the app's list (``s``) show the same articles in the same
order for every sort, ties included (issue 11: one sort, not three)."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from cli_run import cli_env, run_newstui
from test_ui_support import write_article

from newstui.core.order import SORTS
from newstui.ui.app import create_app

Settle = Callable[[Any], Awaitable[None]]


def _tied_folder(folder: Path) -> Path:
    """Articles that tie on every key but their id, on date alone, on title alone, on
    source alone; undated ones; ones without a source; titles differing only in case."""
    folder.mkdir(parents=True, exist_ok=True)
    rows = [
        ("a.txt", "Harbour news", "2024-03-01T09:00:00", "Gazette", "First text."),
        ("b.txt", "Harbour news", "2024-03-01T09:00:00", "Gazette", "Second text."),
        ("c.txt", "harbour NEWS", "2024-03-01T09:00:00", "gazette", "Third text."),
        ("d.txt", "Alpine pass", "2024-03-01T09:00:00", "", "Fourth text."),
        ("e.txt", "Zinc prices", "2023-01-05T10:00:00", "Metals Weekly", "Fifth text."),
        ("f.txt", "Alpine pass", "", "Gazette", "Sixth text."),
        ("g.txt", "Alpine pass", "", "", "Seventh text."),
        ("h.txt", "Brass band", "", "Gazette", "Eighth text."),
        ("i.txt", "Brass band", "2025-07-09T08:00:00", "Gazette", "Ninth text."),
    ]
    for name, title, date, source, body in rows:
        write_article(folder, name, title, body, date=date, source=source)
    return folder


def _cli_ids(home: Path, folder: Path, sort: str) -> list[str]:
    done = run_newstui(cli_env(home), "list", str(folder), "--sort", sort, "--format", "jsonl")
    assert done.returncode == 0, done.stderr
    return [json.loads(line)["id"] for line in done.stdout.splitlines()]


async def test_the_cli_and_the_app_list_in_the_same_order_for_every_sort(
    tmp_path: Path, settle: Settle
) -> None:
    folder = _tied_folder(tmp_path / "articles")
    expected = {sort: _cli_ids(tmp_path / "home", folder, sort) for sort in SORTS}
    assert all(len(ids) == 9 for ids in expected.values())
    app = create_app(folder)
    shown: dict[str, list[str]] = {}
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        for n, sort in enumerate(SORTS):
            if n:
                await pilot.press("s")  # newest -> oldest -> title -> source
                await settle(pilot)
            shown[sort] = [a.id for a in app.article_list.articles]
    assert shown == expected


@pytest.mark.parametrize("sort", SORTS)
def test_list_sort_order_is_the_documented_one(tmp_path: Path, sort: str) -> None:
    folder = _tied_folder(tmp_path / "articles")
    done = run_newstui(
        cli_env(tmp_path / "home"), "list", str(folder), "--sort", sort, "--format", "jsonl"
    )
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    titles = [r["title"] for r in rows]
    dates = [(r["published"] or "")[:10] for r in rows]
    if sort == "newest":
        assert dates[:5] == ["2025-07-09", *["2024-03-01"] * 4] and dates[-3:] == [""] * 3
        assert titles[1] == "Alpine pass"  # same date: by title
    elif sort == "oldest":
        assert dates[:2] == ["2023-01-05", "2024-03-01"] and dates[-3:] == [""] * 3
    elif sort == "title":
        assert [t.casefold() for t in titles] == sorted(t.casefold() for t in titles)
        alpine = [d for t, d in zip(titles, dates, strict=True) if t == "Alpine pass"]
        assert alpine == ["2024-03-01", "", ""]  # same title: newest first, undated last
    else:
        sources = [r["source"] for r in rows]
        assert sources[-2:] == ["", ""]  # no source: last
        assert [s.casefold() for s in sources[:-2]] == sorted(s.casefold() for s in sources[:-2])
    # full ties (same date, title and source) are broken by id, never by file order
    tied = [r["id"] for r in rows if r["title"].casefold() == "harbour news"]
    assert tied == sorted(tied)


def test_search_results_sorted_by_a_list_order_follow_the_list(tmp_path: Path) -> None:
    from newstui.core.library.opening import open_library
    from newstui.core.order import sort_articles
    from newstui.ui.model import sort_hits

    folder = _tied_folder(tmp_path / "articles")
    scan, index = open_library([folder], use_cache=False)
    hits = index.search("text").hits
    assert len(hits) == 9
    for sort in SORTS:
        by_list = [a.id for a in sort_articles(scan.articles, sort)]
        assert [h.article.id for h in sort_hits(hits, sort)] == by_list
