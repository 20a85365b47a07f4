"""core/library/front.py: the front page file, written and read back, never trusted."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from newstui.core.article import Article
from newstui.core.library.front import (
    MAX_ROWS,
    View,
    front_bytes,
    front_file_for,
    parse_front,
    read_front,
    write_front,
)

NEWEST = View("newest", False)


def _articles(folder: Path, n: int) -> list[Article]:
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(n):
        path = folder / f"a{i % 3}.txt"
        path.write_text(f"file {i % 3}", encoding="utf-8")
        out.append(
            Article(
                id=f"{i:016x}",
                title=f"Title {i}",
                body="one two three " * 50,
                format="text",
                path=path,
                source="Reuters" if i % 2 else "",
                published=datetime(2024, 1, 1 + i % 28, 9, tzinfo=UTC) if i % 5 else None,
            )
        )
    return out


def test_round_trip_keeps_what_a_row_shows(tmp_path: Path) -> None:
    arts = _articles(tmp_path / "f", 7)
    page_file = front_file_for([tmp_path / "f"], tmp_path / "cache")
    assert write_front(page_file, [tmp_path / "f"], NEWEST, 1234, arts)
    page = read_front(page_file, [tmp_path / "f"], NEWEST)
    assert page is not None
    assert page.total == 1234
    assert [(a.id, a.title, a.source, a.published, a.word_count) for a in page.rows] == [
        (a.id, a.title, a.source, a.published, a.word_count) for a in arts
    ]
    assert all(a.body == "" for a in page.rows)  # rows only: the text comes with the library


def test_capped_at_max_rows(tmp_path: Path) -> None:
    arts = _articles(tmp_path / "f", MAX_ROWS + 50)
    data = front_bytes([tmp_path / "f"], NEWEST, len(arts), arts)
    assert data is not None
    page = parse_front(data, [tmp_path / "f"], NEWEST)
    assert page is not None
    assert len(page.rows) == MAX_ROWS


def test_other_folders_or_view_ignore_it(tmp_path: Path) -> None:
    arts = _articles(tmp_path / "f", 3)
    data = front_bytes([tmp_path / "f"], NEWEST, 3, arts)
    assert data is not None
    assert parse_front(data, [tmp_path / "g"], NEWEST) is None
    assert parse_front(data, [tmp_path / "f"], View("oldest", False)) is None
    assert parse_front(data, [tmp_path / "f"], View("newest", True)) is None
    assert parse_front(data, [tmp_path / "f"], NEWEST) is not None


def test_a_changed_or_missing_file_makes_it_stale(tmp_path: Path) -> None:
    arts = _articles(tmp_path / "f", 6)
    data = front_bytes([tmp_path / "f"], NEWEST, 6, arts)
    assert data is not None
    (tmp_path / "f" / "a1.txt").write_text("file 1, longer now", encoding="utf-8")
    assert parse_front(data, [tmp_path / "f"], NEWEST) is None
    data = front_bytes([tmp_path / "f"], NEWEST, 6, arts)
    assert data is not None
    (tmp_path / "f" / "a2.txt").unlink()
    assert parse_front(data, [tmp_path / "f"], NEWEST) is None


def test_an_article_without_a_file_is_not_written(tmp_path: Path) -> None:
    arts = _articles(tmp_path / "f", 3)
    arts[1].path = None
    page_file = tmp_path / "cache" / "front.json"
    assert not write_front(page_file, [tmp_path / "f"], NEWEST, 3, arts)
    assert not page_file.exists()


def test_an_empty_list_removes_the_page(tmp_path: Path) -> None:
    arts = _articles(tmp_path / "f", 3)
    page_file = tmp_path / "cache" / "front.json"
    assert write_front(page_file, [tmp_path / "f"], NEWEST, 3, arts)
    assert not write_front(page_file, [tmp_path / "f"], NEWEST, 0, [])
    assert not page_file.exists()


def _edit(data: bytes, path: list[object], value: object) -> bytes:
    doc = json.loads(data)
    cur = doc
    for key in path[:-1]:
        cur = cur[key]
    cur[path[-1]] = value
    return json.dumps(doc).encode()


@pytest.mark.parametrize(
    ("where", "value"),
    [
        (["newstui_front"], 2),
        (["total"], -1),
        (["total"], True),
        (["total"], 1),  # fewer than the rows
        (["rows"], []),
        (["rows", 0], ["x"]),
        (["rows", 0, 0], ""),
        (["rows", 0, 0], "a" * 500),
        (["rows", 0, 0], "id\x1b]0;title\x07"),
        (["rows", 0, 0], 5),
        (["rows", 1, 0], "0000000000000000"),  # the same id twice
        (["rows", 0, 1], "t" * 10_000),
        (["rows", 0, 3], "not a date"),
        (["rows", 0, 4], -3),
        (["rows", 0, 5], 99),
        (["files", 0], ["x", 1]),
        (["files", 0, 1], "1"),
        (["view"], "newest"),
    ],
)
def test_damage_is_ignored(tmp_path: Path, where: list[object], value: object) -> None:
    arts = _articles(tmp_path / "f", 4)
    data = front_bytes([tmp_path / "f"], NEWEST, 4, arts)
    assert data is not None
    assert parse_front(data, [tmp_path / "f"], NEWEST) is not None
    assert parse_front(_edit(data, where, value), [tmp_path / "f"], NEWEST) is None


@pytest.mark.parametrize(
    "data",
    [b"", b"{", b"[]", b"null", b"\xff\xfe", b"[" * 100_000, b'{"newstui_front": 1}'],
)
def test_garbage_is_ignored(tmp_path: Path, data: bytes) -> None:
    assert parse_front(data, [tmp_path], NEWEST) is None


def test_titles_are_cleaned_of_control_characters(tmp_path: Path) -> None:
    arts = _articles(tmp_path / "f", 2)
    data = front_bytes([tmp_path / "f"], NEWEST, 2, arts)
    assert data is not None
    page = parse_front(
        _edit(data, ["rows", 0, 1], "Evil\x1b[2J\x07 title"), [tmp_path / "f"], NEWEST
    )
    assert page is not None
    assert "\x1b" not in page.rows[0].title
    assert "\x07" not in page.rows[0].title


def test_a_fifo_or_a_huge_file_is_not_read(tmp_path: Path) -> None:
    import os

    fifo = tmp_path / "front.json"
    os.mkfifo(fifo)
    assert read_front(fifo, [tmp_path], NEWEST) is None  # never blocks
    fifo.unlink()
    fifo.write_bytes(b" " * (1 << 20))
    assert read_front(fifo, [tmp_path], NEWEST) is None
