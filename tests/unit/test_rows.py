"""Issue 13, item 1: a warm library's articles are rows of its cache, each made into an
object only when something asks for it (the list's drawn rows, a search's hits, the
reader), not a million objects at open."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

import pytest

from newstui.core.article import Article, article_ids
from newstui.core.library.opening import OpenLibrary, open_library
from newstui.core.library.rows import ArticleRows


@pytest.fixture(autouse=True)
def lazy(monkeypatch: pytest.MonkeyPatch) -> None:
    """A library of any size made row by row (a small one is made at once by default:
    see ``cache.EAGER_ROWS``), as a big one is."""
    import newstui.core.library.cache as cache_mod

    monkeypatch.setattr(cache_mod, "EAGER_ROWS", 0)


WORDS = ["grain", "wheat", "cocoa", "coffee", "sugar", "rubber", "copper", "nickel"]
FIELDS = [f.name for f in dataclasses.fields(Article)]


@pytest.fixture
def library(tmp_path: Path) -> Path:
    """Three hundred articles in a JSON Lines file and a few text files, dated and not,
    with authors, sources and tags."""
    root = tmp_path / "articles"
    root.mkdir()
    lines = []
    for i in range(300):
        word = WORDS[i % len(WORDS)]
        date = f"1987-{i % 12 + 1:02d}-{i % 28 + 1:02d}T10:{i % 60:02d}:00+05:30"
        dated = "" if i % 7 else f', "date": "{date}"'
        lines.append(
            f'{{"title": "{word.title()} report {i}", "body": "Traders said {word} moved, '
            f'note{i}.", "author": "Desk {i % 3}", "source": "Wire {i % 4}", '
            f'"tags": ["t{i % 5}", "all"]{dated}}}'
        )
    (root / "feed.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (root / "notes").mkdir()
    for i in range(5):
        (root / "notes" / f"note{i}.md").write_text(
            f"---\ntitle: Note {i} — café\n---\n\nA **cocoa** note, number {i}.\n",
            encoding="utf-8",
        )
    return root


def warm(library: Path, tmp_path: Path) -> tuple[OpenLibrary, OpenLibrary]:
    cache = tmp_path / "cache"
    cold = open_library([library], cache_dir=cache)
    return cold, open_library([library], cache_dir=cache)


@pytest.mark.parametrize("walk", [False, True], ids=["row by row", "all at once"])
def test_warm_articles_are_the_cold_ones_field_by_field(
    library: Path, tmp_path: Path, walk: bool
) -> None:
    """Made a row at a time (what a list or a search asks for) or all at once (a walk
    over the whole library), a warm article is the one the files hold."""
    cold, hot = warm(library, tmp_path)
    rows = hot.scan.articles
    assert isinstance(rows, ArticleRows)
    assert len(rows) == len(cold.scan.articles) == 305
    first = rows[5]
    made = list(rows) if walk else [rows[i] for i in range(len(rows))]
    assert rows.table.made == 305 and made[5] is first is rows[5]
    for a, b in zip(cold.scan.articles, made, strict=True):
        assert [getattr(a, f) for f in FIELDS] == [getattr(b, f) for f in FIELDS]
        assert (a.published is None) == (b.published is None)
        if a.published is not None:
            assert a.published.utcoffset() == b.published.utcoffset()  # type: ignore[union-attr]


def test_an_open_makes_no_article_and_a_search_only_what_it_ranks(
    library: Path, tmp_path: Path
) -> None:
    _cold, hot = warm(library, tmp_path)
    rows = hot.scan.articles
    assert isinstance(rows, ArticleRows)
    assert rows.table.made == 0
    ids = article_ids(rows)  # every id, as the index and the sidebar need them
    assert rows.table.made == 0 and len(set(ids)) == 305
    result = hot.search_index.search("cocoa", limit=10)
    assert result.total == 43 and len(result.hits) == 10
    assert all("cocoa" in h.article.body.lower() for h in result.hits)
    assert 10 <= rows.table.made <= 60  # the hits and the window they were ranked in
    assert hot.search_index.get(ids[200]) is rows[200]


def test_rows_behave_as_a_read_only_list(library: Path, tmp_path: Path) -> None:
    cold, hot = warm(library, tmp_path)
    rows = hot.scan.articles
    assert isinstance(rows, ArticleRows)
    every = list(cold.scan.articles)
    assert rows[7] is rows[7] is rows[7 - len(rows)]
    assert rows[7] == every[7] and rows[-1] == every[-1]
    part = rows[10:20]
    assert isinstance(part, ArticleRows) and [a.id for a in part] == [a.id for a in every[10:20]]
    assert every[42] in rows and rows.index(every[42]) == 42
    stranger = Article(id="0" * 16, title="x", body="y", format="text")
    assert stranger not in rows
    made = rows.table.made
    assert every[42] in rows.table and stranger not in rows.table
    assert rows.table.made == made  # asked by id: nothing made
    with pytest.raises(ValueError):
        rows.index(stranger)
    assert [a.id for a in rows + [stranger]][-2:] == [every[-1].id, stranger.id]  # noqa: RUF005
    with pytest.raises(IndexError):
        rows[len(rows)]
    assert rows == every and next(reversed(rows)) is rows[-1]
    taken = rows.take([3, 1, 2])
    assert [a.id for a in taken] == [every[3].id, every[1].id, every[2].id]
    assert taken.position(every[2].id) == 2 and taken.position(every[4].id) is None
    assert taken[0] is rows[3]


def test_the_stories_stamps_and_the_timeline_read_the_rows_numbers(
    library: Path, tmp_path: Path
) -> None:
    """What the stories' warm start (a stamp an article) and the timeline (a date an
    article) need of every article, a warm library gives without making one."""
    from newstui.core.stories.grouping import fingerprints
    from newstui.core.timeline import published_of

    cold, hot = warm(library, tmp_path)
    rows = hot.scan.articles
    assert isinstance(rows, ArticleRows)
    every = list(cold.scan.articles)
    order = rows.take(list(range(len(rows)))[::-3])
    stamps, times = fingerprints(order), published_of(order)
    assert rows.table.made == 0
    assert stamps.tolist() == fingerprints(every[::-3]).tolist()
    assert times.tolist() == pytest.approx(published_of(every[::-3]).tolist(), nan_ok=True)
    assert any(a.title != a.title.encode("ascii", "ignore").decode() for a in every)  # café


def test_search_filters_read_the_rows_ids_and_files_not_articles(
    library: Path, tmp_path: Path
) -> None:
    """``is:unread``, ``folder:`` and a sidebar row (``within``) test every match: by the
    rows' ids and files, so a broad search in a million articles makes only its hits."""
    cold, hot = warm(library, tmp_path)
    rows = hot.scan.articles
    assert isinstance(rows, ArticleRows)
    ids = rows.ids()
    read = set(ids[::2])
    traders = [a.id for a in cold.scan.articles if "Traders" in a.body]

    class State:
        def is_read(self, aid: str) -> bool:
            return aid in read

        def is_starred(self, aid: str) -> bool:
            return False

    index = hot.search_index
    made = rows.table.made

    def search(query: str, **kwargs: object) -> int:
        nonlocal made
        result = index.search(query, limit=5, **kwargs)  # type: ignore[arg-type]
        assert rows.table.made - made <= 50  # the page and the window it was ranked in
        made = rows.table.made
        return result.total

    assert search("traders is:unread", state=State()) == len(set(traders) - read) > 100
    assert search("traders", within=set(traders[:130])) == 130
    assert search("cocoa folder:notes") == 5
    assert search("traders -folder:notes") == len(traders) > 100


def test_a_new_file_joins_a_warm_library_as_rows(library: Path, tmp_path: Path) -> None:
    """One new file in a warm library: the cache's rows stay rows (none made to list,
    sort or count them), the new articles follow, searchable, sorted among the rest as
    a fresh open sorts them."""
    from newstui.ui.model import SortedArticles

    cache = tmp_path / "cache"
    open_library([library], cache_dir=cache)
    (library / "zz-new.txt").write_text(
        "Title: Quokka census\nDate: 1987-06-01\n\nA quokka count of cocoa farms.\n",
        encoding="utf-8",
    )
    scan, index = open_library([library], cache_dir=cache)
    rows = scan.articles
    assert isinstance(rows, ArticleRows) and len(rows) == 306
    assert rows[-1].title == "Quokka census"
    made = rows.table.made
    assert made <= 40  # the new ones (made already) and a few read to merge the titles
    model = SortedArticles(rows)
    fresh = SortedArticles(open_library([library], use_cache=False).scan.articles)
    for sort in ("newest", "oldest", "title"):
        assert [a.id for a in model.order(sort)[:40]] == [a.id for a in fresh.order(sort)[:40]]
    assert rows.table.made - made <= 3 * 40  # the rows read, not the library
    assert index.search("quokka").hits[0].article is rows[-1]
    assert model.by_id[rows[-1].id] is rows[-1] and rows[-1] in rows


def _ingested(
    lib: OpenLibrary, paths: list[Path], made: Callable[[], int] = lambda: 0
) -> tuple[object, ...]:
    from newstui.core.library.opening import ingest

    before = made()
    (scan, index), added = ingest(lib, paths)
    # the files read again, and a few titles bisected to rank the new ones' among them
    assert made() - before <= 40
    arts = [tuple(str(getattr(a, f)) for f in FIELDS) for a in scan.articles]
    hits = [[h.article.id for h in index.search(q, limit=50).hits] for q in ("cocoa", "quokka")]
    return arts, [str(p) for p in scan.problems], [a.id for a in added], scan.files_seen, hits


@pytest.mark.parametrize(
    "change", ["new file first", "new file last", "edited", "a duplicate", "gone", "two files"]
)
def test_a_fetch_into_a_warm_library_is_what_it_is_into_a_cold_one(
    library: Path, tmp_path: Path, change: str
) -> None:
    """``ingest`` (a fetch, newsboat's cache) of a warm library works by its rows (no
    article made for the files it did not read) and ends as it does for a cold one: the
    same articles in the same order, problems, new articles, files and search results."""
    cache = tmp_path / "cache"
    open_library([library], cache_dir=cache)
    hot = open_library([library], cache_dir=cache)
    cold = open_library([library], use_cache=False)
    note = library / "notes" / "note2.md"
    if change.startswith("new file"):
        name = "aaa.txt" if change == "new file first" else "zzz.txt"
        paths = [library / name]
        paths[0].write_text("Title: Quokka census\n\nA quokka count of cocoa farms.\n")
    elif change == "edited":
        paths = [note]
        note.write_text("---\ntitle: Note 2 — revised\n---\n\nA quokka note now.\n")
    elif change == "a duplicate":  # the text of an article that stays: deduped whole
        paths = [library / "copy.md"]
        paths[0].write_bytes((library / "notes" / "note3.md").read_bytes())
    elif change == "gone":
        paths = [note]
        note.unlink()
    else:
        paths = [library / "b.txt", note]
        paths[0].write_text("Title: Quokka two\n\nAnother quokka.\n")
        note.write_text("---\ntitle: Note 2 again\n---\n\nCocoa again.\n")
    rows = hot.scan.articles
    assert isinstance(rows, ArticleRows)
    made = (lambda: rows.table.made) if change != "a duplicate" else (lambda: 0)
    assert _ingested(hot, paths, made) == _ingested(cold, paths)


def test_two_fetches_in_a_row_stay_rows_and_agree_with_a_cold_library(
    library: Path, tmp_path: Path
) -> None:
    from newstui.core.library.opening import ingest

    cache = tmp_path / "cache"
    open_library([library], cache_dir=cache)
    hot = open_library([library], cache_dir=cache)
    cold = open_library([library], use_cache=False)
    first = library / "m.txt"
    first.write_text("Title: Quokka census\n\nA quokka count of cocoa farms.\n")
    hot, _ = ingest(hot, [first])
    cold, _ = ingest(cold, [first])
    second = library / "notes" / "note1.md"
    second.write_text("---\ntitle: Note 1 — again\n---\n\nA second quokka.\n")
    rows = hot.scan.articles
    assert isinstance(rows, ArticleRows)
    assert _ingested(hot, [second, first], lambda: rows.table.made) == _ingested(
        cold, [second, first]
    )


def test_a_small_library_is_made_at_once_and_its_searches_make_nothing(
    library: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Up to ``EAGER_ROWS`` articles a warm open makes them all at once (~0.1 s at 100k),
    so that a search's hits cost nothing more; the rows are the same either way."""
    import newstui.core.library.cache as cache_mod

    monkeypatch.setattr(cache_mod, "EAGER_ROWS", 305)
    cold, hot = warm(library, tmp_path)
    rows = hot.scan.articles
    assert isinstance(rows, ArticleRows) and rows.table.made == 305
    first = rows[0]
    assert hot.search_index.search("cocoa").hits and rows[0] is first
    assert [a.id for a in rows] == [a.id for a in cold.scan.articles]
    monkeypatch.setattr(cache_mod, "EAGER_ROWS", 304)
    again = open_library([library], cache_dir=tmp_path / "cache").scan.articles
    assert isinstance(again, ArticleRows) and again.table.made == 0


def test_a_fetch_after_a_new_file_stays_on_rows(library: Path, tmp_path: Path) -> None:
    """A library opened with a new file (the cache and a delta's new articles) takes a
    fetch by its rows too: the new articles carry their dedupe keys."""
    cache = tmp_path / "cache"
    open_library([library], cache_dir=cache)
    (library / "new.txt").write_text("Title: Quokka census\n\nA quokka count.\n")
    hot = open_library([library], cache_dir=cache)
    cold = open_library([library], use_cache=False)
    fetched = library / "z-fetched.txt"
    fetched.write_text("Title: Wombat census\n\nA wombat count of cocoa farms.\n")
    rows = hot.scan.articles
    assert isinstance(rows, ArticleRows)
    assert _ingested(hot, [fetched], lambda: rows.table.made) == _ingested(cold, [fetched])
