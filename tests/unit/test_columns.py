"""Issue 13, item 1: the library's columns (core/library/columns.py) say what its article
objects say, row by row, whether mapped from a warm cache or built from the objects (a
cold open, a delta, duplicates dropped); the orders and the sidebar's counts taken from
them are the ones the objects give."""

from __future__ import annotations

import itertools
import json
import math
import random
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pytest

from newstui.core.article import Article
from newstui.core.library.cache import CACHE_VERSION, cache_file_for, delta_file_for
from newstui.core.library.columns import (
    ColumnarList,
    Columns,
    columns_of,
    id_keys,
    text_ranks,
)
from newstui.core.library.facets import Facets
from newstui.core.library.opening import open_library
from newstui.core.order import SORTS, order_indices, sort_articles

SOURCES = ["Reuters", "reuters", "AP", "", "Agence France-Presse", "Ñewswire"]
TAGS: list[list[str]] = [[], ["grain"], ["grain", "wheat"], ["Été", "grain"], ["x\x1fy"]]
TITLES = [
    "Oil",
    "oil",
    "Straße",
    "STRASSE",
    "",
    "The central bank said on Tuesday that the rate would stay unchanged for now, at last",
    "The central bank said on Tuesday that the rate would stay unchanged for now, at least",
    "日本 exports",
]


def _record(rng: random.Random, i: int) -> dict[str, object]:
    rec: dict[str, object] = {
        "title": rng.choice(TITLES) + ("" if rng.random() < 0.5 else f" {i % 7}"),
        "body": f"Body {i} with some words marker{i}.",
        "source": rng.choice(SOURCES),
        "tags": rng.choice(TAGS),
    }
    roll = rng.random()
    if roll < 0.6:
        tz = timezone(timedelta(hours=rng.choice((0, 2, -5))))
        when = datetime(1987, 3, 1, tzinfo=UTC) + timedelta(hours=rng.randrange(48))
        rec["date"] = when.astimezone(tz).isoformat()
    elif roll < 0.8:
        rec["date"] = f"1987-03-{rng.randrange(1, 28):02d}"
    if rng.random() < 0.3:
        rec["url"] = f"https://example.com/{i % 50}"
    return rec


@pytest.fixture
def library(tmp_path: Path) -> Path:
    """Three folders of JSONL files and text files; some records repeat (duplicates)."""
    rng = random.Random(7)
    root = tmp_path / "articles"
    for d, folder in enumerate(("a", "a/b", "c")):
        (root / folder).mkdir(parents=True, exist_ok=True)
        for f in range(3):
            lines = [json.dumps(_record(rng, d * 1000 + f * 100 + i)) for i in range(40)]
            lines += lines[:3]  # duplicates within the file
            (root / folder / f"feed{f}.jsonl").write_text("\n".join(lines) + "\n", "utf-8")
    (root / "plain.txt").write_text("Title: A plain one\n\nNo date, no source.\n", "utf-8")
    return root


def check_columns(articles: list[Article], columns: Columns) -> None:
    """Row by row, the columns say what the articles say."""
    assert len(columns) == len(articles)
    for i, a in enumerate(articles):
        ts = a.published.timestamp() if a.published is not None else math.nan
        assert (math.isnan(ts) and math.isnan(columns.time[i])) or ts == columns.time[i]
        assert columns.sources[columns.source[i]] == a.source
        path = columns.path[i]
        assert (columns.paths[path] if path >= 0 else None) == a.path
        assert columns.tag_sets[columns.tags[i]] == a.tags
        assert columns.formats[columns.format[i]] == a.format
        assert columns.words[i] == a.word_count
    # the ranks order as the strings do, equal strings equal ranks
    titles = [a.title.casefold() for a in articles]
    ids = [a.id for a in articles]
    for values, ranks in ((titles, columns.title_rank), (ids, columns.id_key)):
        pairs = sorted(zip(values, ranks.tolist(), strict=True))
        for (v1, r1), (v2, r2) in itertools.pairwise(pairs):
            assert (v1 == v2) == (r1 == r2)
            assert r1 <= r2


def test_columns_from_a_warm_cache_agree_with_the_articles(library: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cold = open_library([library], cache_dir=cache)
    assert any(p.kind == "duplicate" for p in cold.scan.problems)
    warm = open_library([library], cache_dir=cache)
    columns = columns_of(warm.scan.articles)
    assert columns is not None  # mapped from the cache, not built from the objects
    assert columns.hex_ids
    check_columns(warm.scan.articles, columns)
    # the ids' order and the time ranks, mapped too, are what sorting would give
    assert columns.id_order().tolist() == np.argsort(columns.id_key, kind="stable").tolist()
    assert columns._times is not None
    times = np.nan_to_num(columns.time, nan=0.0).tolist()
    pairs = sorted(zip(times, columns._times[0].tolist(), strict=True))
    assert len({t for t, _ in pairs}) > 10
    for (t1, r1), (t2, r2) in itertools.pairwise(pairs):
        assert (t1 == t2) == (r1 == r2)
        assert r1 <= r2
    assert [a.id for a in warm.scan.articles] == [a.id for a in cold.scan.articles]


def test_a_warm_open_copies_the_columns_out_only_when_asked(library: Path, tmp_path: Path) -> None:
    """A process that only searches (the CLI) never copies the columns out of the mapping
    (at a million: ~140 MB); the first sort or count does, once."""
    from newstui.core.library.columns import LazyColumns
    from newstui.core.library.rows import ArticleRows

    cache = tmp_path / "cache"
    open_library([library], cache_dir=cache)
    warm = open_library([library], cache_dir=cache)
    articles = warm.scan.articles
    assert isinstance(articles, ArticleRows)
    assert isinstance(articles._columns, LazyColumns)  # not worked out yet
    _scan, index = warm
    assert index.search("oil").total
    assert isinstance(articles._columns, LazyColumns)  # a search does not ask
    first = articles.columns
    assert first is not None and articles.columns is first  # worked out once
    check_columns(articles, first)


def test_columns_of_a_cold_open_and_of_a_delta_agree(library: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cold = open_library([library], cache_dir=cache)
    check_columns(cold.scan.articles, Columns.of(cold.scan.articles))
    extra = library / "c" / "late.jsonl"
    # titles before, between, equal to and after the base's; a new source and tag
    late = ["Late oil", "OIL", "", "0 first", "\U0010ffff last", TITLES[5], TITLES[5] + "!"]
    records = [
        {"title": t, "body": f"late {i}", "source": "New wire", "tags": ["fresh", "grain"]}
        for i, t in enumerate(late)
    ]
    extra.write_text("".join(json.dumps(r) + "\n" for r in records))
    delta = open_library([library], cache_dir=cache)
    assert delta_file_for(cache_file_for([library], cache)).exists()
    check_columns(delta.scan.articles, Columns.of(delta.scan.articles))
    warm = open_library([library], cache_dir=cache)  # base + delta
    articles = warm.scan.articles
    columns = columns_of(articles)
    assert columns is not None  # the base's and the delta's, stacked
    check_columns(articles, columns)
    assert set(late) - {""} <= {a.title for a in articles}  # an empty title is made up
    for sort in SORTS:
        expected = [a.id for a in sort_articles(articles, sort)]
        assert [articles[i].id for i in order_indices(articles, sort)] == expected


def test_a_cache_of_the_format_before_is_rebuilt_not_misread(library: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    open_library([library], cache_dir=cache)
    path = cache_file_for([library], cache)
    raw = bytearray(path.read_bytes())
    raw[11:15] = (CACHE_VERSION - 1).to_bytes(4, "little")
    path.write_bytes(bytes(raw))
    again = open_library([library], cache_dir=cache)
    check_columns(again.scan.articles, Columns.of(again.scan.articles))
    warm = open_library([library], cache_dir=cache)
    assert columns_of(warm.scan.articles) is not None


@pytest.mark.parametrize("sort", SORTS)
def test_orders_from_warm_columns_are_sort_articles_orders(
    library: Path, tmp_path: Path, sort: str
) -> None:
    cache = tmp_path / "cache"
    open_library([library], cache_dir=cache)
    articles = open_library([library], cache_dir=cache).scan.articles
    assert columns_of(articles) is not None
    expected = [a.id for a in sort_articles(articles, sort)]
    assert [articles[i].id for i in order_indices(articles, sort)] == expected


def test_text_ranks_order_as_python_strings() -> None:
    rng = random.Random(3)
    alphabet = ["a", "b", "A", "é", "\0", "日", "\U0001f600", "z" * 70, "\ud800"]
    values = ["".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 5))) for _ in range(500)]
    ranks = text_ranks(values).tolist()
    by_rank = sorted(range(len(values)), key=lambda i: ranks[i])
    assert [values[i] for i in by_rank] == sorted(values)
    assert len(set(ranks)) == len(set(values))  # dense: one rank per distinct value
    assert max(ranks) == len(set(values)) - 1


def test_id_keys_are_values_for_hex_ids_else_ranks() -> None:
    keys, hexed = id_keys(["00000000000000ff", "0000000000000001"])
    assert hexed and keys.tolist() == [255, 1]
    keys, hexed = id_keys(["00000000000000FF", "0000000000000001"])  # not lowercase
    assert not hexed and keys.tolist() == [1, 0]
    keys, hexed = id_keys(["b", "a", "b"])
    assert not hexed and keys.tolist() == [1, 0, 1]


def test_a_changed_list_drops_its_columns() -> None:
    arts = [Article(id=f"{i:016x}", title="t", body="", format="text") for i in range(3)]
    listed = ColumnarList(arts, Columns.of(arts))
    assert columns_of(listed) is not None
    listed.append(Article(id="x", title="t", body="", format="text"))
    assert columns_of(listed) is None
    assert ColumnarList(arts, Columns.of(arts[:2])).columns is None  # does not fit


class _State:
    def __init__(self, read: set[str], starred: set[str]) -> None:
        self.read, self.starred = read, starred

    def is_read(self, i: str) -> bool:
        return i in self.read

    def is_starred(self, i: str) -> bool:
        return i in self.starred

    def read_ids(self) -> frozenset[str]:
        return frozenset(self.read)

    def starred_ids(self) -> frozenset[str]:
        return frozenset(self.starred)


class _AskOnly:
    """A state that can only be asked id by id (both ways must count the same)."""

    def __init__(self, state: _State) -> None:
        self.is_read, self.is_starred = state.is_read, state.is_starred


def _rows(facets: Facets) -> list[object]:
    return list(facets.rows())


@pytest.mark.parametrize("hexed", [True, False])
def test_facets_from_columns_count_as_from_objects(tmp_path: Path, hexed: bool) -> None:
    rng = random.Random(11)
    root = tmp_path / "lib"
    paths = [root / "a" / "x.jsonl", root / "a" / "b" / "y.jsonl", root / "c" / "z.md", None]
    arts = [
        Article(
            id=f"{rng.getrandbits(60):016x}" if hexed else f"id-{rng.randrange(3000)}",
            title="t",
            body="",
            format="text",
            path=rng.choice(paths),
            source=rng.choice([*SOURCES, "Reuters\x1b[31m"]),
            tags=tuple(rng.choice(TAGS)) + (("grain",) if rng.random() < 0.1 else ()),
            word_count=1,
        )
        for _ in range(2500)
    ]
    arts += arts[:40]  # ids seen twice: counted once
    ids = [a.id for a in arts]
    state = _State(set(rng.sample(ids, 900)) | {"not-in-library"}, set(rng.sample(ids, 60)))
    from_objects = Facets.build(list(arts), [root], state)
    columnar = ColumnarList(arts, Columns.of(arts))
    from_columns = Facets.build(columnar, [root], state)
    asked = Facets.build(columnar, [root], _AskOnly(state))  # type: ignore[arg-type]
    assert from_columns._rows is not None and from_objects._rows is None
    assert _rows(from_columns) == _rows(from_objects) == _rows(asked)
    assert len(from_columns) == len(from_objects) == len(set(ids))
    for key in [r.key for r in _rows(from_objects) if not isinstance(r, str)]:  # type: ignore[attr-defined]
        got, want = from_columns.members(key), from_objects.members(key)
        if want is None:
            assert got is None
            continue
        assert got is not None
        assert {i for i in ids if i in got} == {i for i in ids if i in want}
    # reading, starring, a reload's delta: the same counts afterwards
    changed = rng.sample(ids, 30)
    for i in changed:
        state.read.symmetric_difference_update({i})
        state.starred.symmetric_difference_update({i})
    assert from_columns.sync(changed) == from_objects.sync(changed)
    assert _rows(from_columns) == _rows(from_objects)
    assert not from_columns.sync(changed)  # nothing new
    state.read.clear()
    assert from_columns.sync(None) and from_objects.sync(None)
    assert _rows(from_columns) == _rows(from_objects)
    fewer = arts[100:]
    from_columns.apply(from_columns.delta_for(fewer))
    from_objects.apply(from_objects.delta_for(fewer))
    assert from_columns._rows is None  # counted one entry an article from now on
    assert _rows(from_columns) == _rows(from_objects)


def test_facets_of_a_warm_library_count_as_from_objects(library: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    open_library([library], cache_dir=cache)
    articles = open_library([library], cache_dir=cache).scan.articles
    assert columns_of(articles) is not None
    rng = random.Random(5)
    state = _State({a.id for a in rng.sample(articles, 50)}, {articles[0].id})
    plain = Facets.build(list(articles), [library], state)
    columnar = Facets.build(articles, [library], state)
    assert columnar._rows is not None
    assert _rows(columnar) == _rows(plain)


def test_columns_of_naive_and_offset_dates_are_python_timestamps() -> None:
    when = datetime(2020, 5, 17, 8, 30, 15, 123456)
    dates = [
        when,
        when.replace(tzinfo=UTC),
        when.replace(tzinfo=timezone(timedelta(hours=-3, minutes=-30))),
        None,
    ]
    arts = [
        Article(id=f"{i:016x}", title="t", body="", format="text", published=d)
        for i, d in enumerate(dates)
    ]
    cols = Columns.of(arts)
    assert cols.time[:3].tolist() == [d.timestamp() for d in dates[:3] if d is not None]
    assert np.isnan(cols.time[3])


@pytest.mark.parametrize("sort", SORTS)
def test_orders_that_do_not_fit_one_key_are_lexsorted_alike(sort: str) -> None:
    rng = random.Random(2)
    arts = [
        Article(
            id=f"{rng.getrandbits(64):016x}",
            title=rng.choice(TITLES),
            body="",
            format="text",
            source=rng.choice(SOURCES),
            published=None
            if rng.random() < 0.2
            else datetime(2024, 1, 1, tzinfo=UTC) + timedelta(hours=rng.randrange(9)),
        )
        for _ in range(300)
    ]
    cols = Columns.of(arts)
    cols.title_rank = cols.title_rank * (1 << 59)  # ranks too wide to pack: np.lexsort
    expected = [a.id for a in sort_articles(arts, sort)]
    assert [arts[i].id for i in cols.order(sort).tolist()] == expected
