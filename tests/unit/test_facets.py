"""The sidebar's rows and counts (core/library/facets.py): built once, then kept by sync
(read/star) and apply (reload/fetch) without recounting the library."""

from __future__ import annotations

import time
from pathlib import Path

from newstui.core.article import Article
from newstui.core.library.facets import (
    ALL_KEY,
    STARRED_KEY,
    UNREAD_KEY,
    Facets,
    Key,
    Row,
    SavedCount,
)


class State:
    def __init__(self) -> None:
        self.read: set[str] = set()
        self.starred: set[str] = set()

    def is_read(self, article_id: str) -> bool:
        return article_id in self.read

    def is_starred(self, article_id: str) -> bool:
        return article_id in self.starred


ROOT = Path("/news")


def art(aid: str, folder: str = "", *, source: str = "", tags: tuple[str, ...] = ()) -> Article:
    path = ROOT / folder / f"{aid}.txt" if folder else ROOT / f"{aid}.txt"
    return Article(aid, f"title {aid}", "body", "text", path=path, source=source, tags=tags)


def library() -> list[Article]:
    return [
        art("a", "sport", source="BBC"),
        art("b", "sport/football", source="BBC", tags=("goal",)),
        art("c", "business", source="Reuters", tags=("goal", "oil")),
        art("d"),
    ]


def counts(facets: Facets, key: Key) -> tuple[int, int]:
    c = facets.count(key)
    return c.unread, c.total


def test_rows_and_counts_of_a_library() -> None:
    facets = Facets.build(library(), [ROOT], State())
    assert counts(facets, ALL_KEY) == (4, 4)
    assert counts(facets, UNREAD_KEY) == (4, 4)
    assert counts(facets, STARRED_KEY) == (0, 0)
    # a folder counts the articles of the folders inside it
    assert counts(facets, Key("folder", "sport")) == (2, 2)
    assert counts(facets, Key("folder", "sport/football")) == (1, 1)
    assert counts(facets, Key("source", "Reuters")) == (1, 1)
    assert counts(facets, Key("tag", "goal")) == (2, 2)
    lines = list(facets.rows())
    rows = [(r.label, r.depth) if isinstance(r, Row) else r for r in lines]
    assert rows == [
        ("All", 0),
        ("Unread", 0),
        ("Starred", 0),
        "Sources",
        ("BBC", 0),
        ("Reuters", 0),
        "Folders",
        ("business", 0),
        ("sport", 0),
        ("football", 1),
        "Tags",
        ("goal", 0),
        ("oil", 0),
    ]


def test_sync_moves_only_the_changed_articles_counts() -> None:
    state = State()
    facets = Facets.build(library(), [ROOT], state)
    state.read.add("b")
    assert facets.sync(["b"])
    assert counts(facets, Key("folder", "sport")) == (1, 2)
    assert counts(facets, Key("folder", "sport/football")) == (0, 1)
    assert counts(facets, Key("tag", "goal")) == (1, 2)
    assert counts(facets, Key("tag", "oil")) == (1, 1)
    assert counts(facets, ALL_KEY) == (3, 4)
    assert not facets.sync(["b"])  # said twice: counted once
    state.starred.add("b")
    facets.sync(["b"])
    assert counts(facets, STARRED_KEY) == (0, 1)
    state.read.discard("b")
    facets.sync(None)
    assert counts(facets, STARRED_KEY) == (1, 1)
    assert counts(facets, ALL_KEY) == (4, 4)


def test_apply_counts_what_a_reload_added_changed_and_removed() -> None:
    state = State()
    state.read.add("a")
    facets = Facets.build(library(), [ROOT], state)
    new = [
        art("a", "business", source="BBC"),  # moved folder
        art("b", "sport/football", source="BBC", tags=("goal",)),
        art("e", "sport", source="AP"),  # added
        art("d"),
    ]  # c removed
    delta = facets.delta_for(new)
    assert sorted(delta.removed) == ["a", "c"]
    assert sorted(a for a, _ in delta.added) == ["a", "e"]
    facets.apply(delta)
    assert counts(facets, ALL_KEY) == (3, 4)
    assert counts(facets, Key("folder", "business")) == (0, 1)
    assert counts(facets, Key("folder", "sport")) == (2, 2)
    assert counts(facets, Key("source", "Reuters")) == (0, 0)
    assert Key("source", "Reuters") not in facets.keys("source")
    assert Key("tag", "oil") not in facets.keys("tag")
    assert counts(facets, Key("tag", "goal")) == (1, 1)
    assert facets.delta_for(new).removed == [] and facets.delta_for(new).added == []


def test_members_filter_each_row() -> None:
    state = State()
    facets = Facets.build(library(), [ROOT], state)
    assert facets.members(ALL_KEY) is None
    sport = facets.members(Key("folder", "sport"))
    assert sport is not None and "a" in sport and "b" in sport and "c" not in sport
    unread = facets.members(UNREAD_KEY)
    assert unread is not None and "c" in unread
    state.read.add("c")
    assert "c" not in unread  # follows the state, not a copy
    starred = facets.members(STARRED_KEY)
    assert starred is not None and "a" not in starred
    state.starred.add("a")
    assert "a" in starred


def test_saved_searches_rows_follow_their_counts() -> None:
    facets = Facets.build(library(), [ROOT], State())
    facets.set_saved_searches([("oil", "oil"), ("goals", "goal")])
    rows = [r for r in facets.rows() if isinstance(r, Row) and r.key.kind == "saved"]
    assert [(r.label, r.counted) for r in rows] == [("oil", False), ("goals", False)]
    facets.set_saved("oil", SavedCount("oil", 1, 2, frozenset({"c", "x"})))
    assert counts(facets, Key("saved", "oil")) == (1, 2)
    members = facets.members(Key("saved", "oil"))
    assert members is not None and "c" in members
    facets.set_saved_searches([("oil", "crude"), ("goals", "goal")])  # its query changed
    assert counts(facets, Key("saved", "oil")) == (0, 0)


def test_several_folders_are_rows_by_name() -> None:
    other = Path("/archive/reuters")
    arts = [art("a", "sport"), Article("z", "t", "b", "text", path=other / "x" / "z.txt")]
    facets = Facets.build(arts, [ROOT, other], State())
    assert [k.value for k in facets.keys("folder")] == [
        "news",
        "news/sport",
        "reuters",
        "reuters/x",
    ]


def test_a_hostile_folder_or_source_name_is_one_clean_line() -> None:
    a = Article("a", "t", "b", "text", path=ROOT / "bad\x1b[31mdir" / "a.txt", source="x\x07\ny")
    facets = Facets.build([a], [ROOT], State())
    for line in facets.rows():
        label = line.label if isinstance(line, Row) else line
        assert label.isprintable()


def test_a_read_at_100k_costs_microseconds() -> None:
    state = State()
    arts = [
        art(f"{i:06d}", f"f{i % 40}/g{i % 7}", source=f"s{i % 9}", tags=(f"t{i % 30}",))
        for i in range(100_000)
    ]
    facets = Facets.build(arts, [ROOT], state)
    start = time.perf_counter()
    for i in range(1000):
        state.read.add(f"{i:06d}")
        facets.sync([f"{i:06d}"])
    per_read = (time.perf_counter() - start) / 1000
    assert counts(facets, ALL_KEY) == (99_000, 100_000)
    assert per_read < 0.001, per_read  # measured ~3 µs
