"""The library scan: recursive discovery, bad files reported by name, duplicates collapsed."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from newstui.core.article import Article, make_article_id
from newstui.core.library import FileEntry, dedupe, discover, load_entries, scan_library

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "articles"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_scan_loads_every_fixture_and_reports_the_bad_one(tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    shutil.copytree(FIXTURES, lib)
    result = scan_library(lib)
    titles = {a.title for a in result.articles}
    assert "Council approves new river bridge" in titles
    assert "Scientists map deep ocean currents" in titles
    assert "Atom entry title" in titles
    assert result.files_seen == len(list(FIXTURES.iterdir()))
    by_path = {p.path.name: p for p in result.problems if p.kind == "skipped"}
    assert by_path["not-a-feed.xml"].reason == "XML file that is not an RSS/Atom feed"
    # disguised-feed.txt is a copy of feed.rss: its two entries are duplicates.
    dups = [p for p in result.problems if p.kind == "duplicate"]
    assert {str(p.path).rsplit("#", 1)[0] for p in dups} == {str(lib / "feed.rss")}
    assert all("disguised-feed.txt" in p.reason for p in dups)


def test_discover_recurses_skips_hidden_and_sorts(tmp_path: Path) -> None:
    write(tmp_path / "b.txt", "B")
    write(tmp_path / "a" / "deep" / "c.md", "C")
    write(tmp_path / ".hidden.txt", "hidden")
    write(tmp_path / ".git" / "d.txt", "hidden folder")
    write(tmp_path / "image.png", "not an article")
    entries, problems = discover([tmp_path])
    assert [e.path.relative_to(tmp_path).as_posix() for e in entries] == ["a/deep/c.md", "b.txt"]
    assert problems == []
    assert entries[1].size == 1
    assert entries[1].mtime_ns == (tmp_path / "b.txt").stat().st_mtime_ns


def test_discover_follows_symlinks_without_looping(tmp_path: Path) -> None:
    write(tmp_path / "real" / "a.txt", "A")
    outside = write(tmp_path.parent / f"{tmp_path.name}-outside" / "o.txt", "Outside")
    (tmp_path / "real" / "loop").symlink_to(tmp_path / "real")
    (tmp_path / "real" / "self.txt").symlink_to(tmp_path / "real" / "self.txt")
    (tmp_path / "real" / "link.txt").symlink_to(outside)
    entries, problems = discover([tmp_path / "real"])
    names = [e.path.name for e in entries]
    assert names == ["a.txt", "link.txt"]
    assert [(p.path.name, p.reason) for p in problems] == [("self.txt", "skipped: symlink loop")]


def test_fifo_is_reported_and_never_opened(tmp_path: Path) -> None:
    write(tmp_path / "ok.txt", "fine")
    os.mkfifo(tmp_path / "x.txt")
    (tmp_path / "y.md").mkdir()
    write(tmp_path / "y.md" / "inner.txt", "inside a folder named y.md")
    result = scan_library(tmp_path)  # would block forever if the FIFO were opened
    assert sorted(a.body for a in result.articles) == ["fine", "inside a folder named y.md"]
    [problem] = result.problems
    assert problem.path == tmp_path / "x.txt"
    assert "FIFO" in problem.reason


def test_vanished_file_is_reported(tmp_path: Path) -> None:
    gone = write(tmp_path / "gone.txt", "soon gone")
    keep = write(tmp_path / "keep.txt", "kept")
    entries, _ = discover([tmp_path])
    gone.unlink()
    result = load_entries(entries)
    assert [a.body for a in result.articles] == ["kept"]
    assert [(p.path, p.reason) for p in result.problems] == [
        (gone, "file vanished during the scan")
    ]
    assert keep.exists()


@pytest.mark.parametrize("workers", [None, 1, 3])
def test_load_entries_keeps_file_order_and_reports_progress(
    tmp_path: Path, workers: int | None
) -> None:
    for i in range(250):
        write(tmp_path / f"{i:03d}.txt", f"Title: Story {i}\n\nBody {i}.")
    entries, _ = discover([tmp_path])
    calls: list[tuple[int, int]] = []
    result = load_entries(entries, progress=lambda d, t: calls.append((d, t)), workers=workers)
    assert [a.title for a in result.articles] == [f"Story {i}" for i in range(250)]
    assert calls[-1] == (250, 250)
    assert len(calls) <= 201
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)


def test_scan_of_many_roots_and_single_files(tmp_path: Path) -> None:
    a = write(tmp_path / "one" / "a.txt", "Title: A\n\nalpha")
    write(tmp_path / "two" / "b.txt", "Title: B\n\nbeta")
    result = scan_library([tmp_path / "two", a, tmp_path / "missing"])
    assert sorted(x.title for x in result.articles) == ["A", "B"]
    assert [p.path.name for p in result.problems] == ["missing"]


def test_files_are_never_modified(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES, tmp_path / "lib")
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in (tmp_path / "lib").iterdir()}
    scan_library(tmp_path / "lib")
    after = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in (tmp_path / "lib").iterdir()}
    assert before == after


def art(title: str, body: str, url: str = "", path: str = "x.txt") -> Article:
    return Article(
        id=make_article_id(url=url, title=title, body=body),
        title=title,
        body=body,
        format="text",
        path=Path(path),
        url=url,
    )


def test_dedupe_by_url_and_by_text() -> None:
    first = art("Same", "Body one", url="https://Example.com/story/", path="a.txt")
    same_url = art("Other title", "Other body", url="http://example.com/story#top", path="b.txt")
    same_text = art(" same ", "body   ONE", path="c.txt")
    different = art("Different", "Body two", path="d.txt")
    kept, problems = dedupe([first, same_url, same_text, different])
    assert kept == [first, different]
    assert [(p.path, p.kind) for p in problems] == [
        (Path("b.txt"), "duplicate"),
        (Path("c.txt"), "duplicate"),
    ]
    assert all(p.reason == "duplicate of a.txt" for p in problems)


def test_dedupe_keeps_same_title_with_different_bodies() -> None:
    a, b = art("Markets", "Up today"), art("Markets", "Down today")
    kept, problems = dedupe([a, b])
    assert kept == [a, b]
    assert problems == []


def test_entries_are_plain_values() -> None:
    e = FileEntry(Path("a.txt"), 3, 42)
    assert e == FileEntry(Path("a.txt"), 3, 42)
    assert hash(e) == hash(FileEntry(Path("a.txt"), 3, 42))
