"""Files that fail to load: counted in the status line, listed with their reasons on the
! screen (in record order, wrapped, scrollable), and the duplicates collapsed."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from test_ui_support import (
    NARROW,
    notifications,
    open_app,
    screen_text,
    status_text,
)
from textual.widgets import RichLog

from newstui.ui.screens.problems import ProblemsScreen


async def test_bad_files_are_counted_and_listed_with_reasons(articles_dir: Path) -> None:
    (articles_dir / "broken.json").write_text("{not json", encoding="utf-8")
    (articles_dir / "binary.txt").write_bytes(b"\x00\x01\x02" * 500)
    async with open_app(articles_dir) as (app, pilot):
        assert len(app.problems) >= 2
        messages = notifications(app)
        assert any("could not be loaded fully" in m for m in messages)
        await pilot.press("exclamation_mark")
        await pilot.pause()
        assert isinstance(app.screen, ProblemsScreen)
        text = screen_text(app)
        assert "broken.json" in text and "binary.txt" in text
        await pilot.press("escape")
        assert len(app.article_list.articles) == 33


async def test_problems_screen_shows_each_reason_in_full_and_scrolls_with_keys(
    articles_dir: Path,
) -> None:
    # a reason longer than the box, and enough bad files to need scrolling at 80x24
    for n in range(15):
        (articles_dir / f"broken-{n:02d}.json").write_text("{not json", encoding="utf-8")
    (articles_dir / "binary.txt").write_bytes(b"\x00\x01\x02" * 500)
    async with open_app(articles_dir, size=NARROW) as (app, pilot):
        long_reason = max((p.reason for p in app.problems), key=len)
        assert len(long_reason) > 60
        await pilot.press("exclamation_mark")
        await pilot.pause()
        assert isinstance(app.screen, ProblemsScreen)
        text = screen_text(app)
        assert not notifications(app)  # the toast no longer covers the box
        # names relative to the folder; the longest reason readable in full, wrapped
        assert "broken-00.json" in text and str(articles_dir) + "/broken" not in text
        log = app.screen.query_one(RichLog)
        width = log.scrollable_content_region.width
        assert all(len(strip.text.rstrip()) <= width for strip in log.lines)
        shown = " ".join(" ".join(strip.text for strip in log.lines).split())
        assert " ".join(long_reason.split()) in shown
        await pilot.press("end")
        await pilot.pause()
        assert "binary.txt" in screen_text(app) or "broken-14.json" in screen_text(app)
        assert "broken-00.json" not in screen_text(app)


async def test_problems_screen_wraps_a_long_file_name_instead_of_cutting_it(
    articles_dir: Path,
) -> None:
    deep = articles_dir / ("a-very-long-folder-name-" * 3) / "and-another-long-one"
    deep.mkdir(parents=True)
    bad = deep / "this-file-is-not-json-at-all.json"
    bad.write_text("{not json", encoding="utf-8")
    async with open_app(articles_dir, size=NARROW) as (app, pilot):
        await pilot.press("exclamation_mark")
        await pilot.pause()
        await pilot.pause()
        log = app.screen.query_one(RichLog)
        shown = "".join(strip.text.strip() for strip in log.lines)
        assert str(bad.relative_to(articles_dir)) in shown


async def test_problems_are_counted_by_file_and_listed_in_record_order_with_duplicates(
    articles_dir: Path,
) -> None:
    good = {"title": "Fine record", "body": "A good line of news."}
    lines = [json.dumps(good)] + ["{not json"] * 60
    (articles_dir / "feed.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    # the same article in two files: collapsed into one
    shutil.copy(articles_dir / "a0001.txt", articles_dir / "a0001-copy.txt")
    async with open_app(articles_dir) as (app, pilot):
        status = status_text(app)
        assert "1 file with problems (60 records)" in status
        assert "1 duplicate collapsed" in status
        assert "problem files" not in status
        await pilot.press("exclamation_mark")
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, ProblemsScreen)
        text = screen_text(app)
        assert "1 file with problems (60 records); 1 duplicate collapsed" in text
        log = [s.text.strip() for s in app.screen.query_one(RichLog).lines]
        log = [line for line in log if line]
        assert log[0] == "feed.jsonl"
        assert "line 2" in log[1]  # the first bad record first, not the tally
        tally = next(n for n, line in enumerate(log) if "more records with problems" in line)
        dup_head = next(n for n, line in enumerate(log) if "duplicate collapsed" in line)
        assert tally < dup_head  # the tally closes the file's list, before the duplicates
        assert all("feed.jsonl" not in line for line in log[dup_head:])
        assert any(line in ("a0001.txt", "a0001-copy.txt") for line in log[dup_head:])
        assert any("duplicate of" in line for line in log[dup_head:])


async def test_duplicates_alone_are_said_and_listed(articles_dir: Path) -> None:
    shutil.copy(articles_dir / "a0002.txt", articles_dir / "a0002-copy.txt")
    async with open_app(articles_dir) as (app, pilot):
        assert len(app.article_list.articles) == 33
        assert "1 duplicate collapsed (!)" in status_text(app)
        await pilot.press("exclamation_mark")
        await pilot.pause()
        assert isinstance(app.screen, ProblemsScreen)
