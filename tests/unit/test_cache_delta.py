"""Issue 13: bodies read on demand from the cache, and a delta beside the cache so that a few
changed files cost a few files (not a rewrite of the whole cache)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import newstui.core.library.cache as cache_mod
import newstui.core.library.opening as opening_mod
from newstui.core.article import StoredArticle
from newstui.core.library import pages
from newstui.core.library.cache import cache_file_for, delta_file_for
from newstui.core.library.opening import OpenLibrary, open_library

WORDS = [
    "grain",
    "wheat",
    "maize",
    "barley",
    "cocoa",
    "coffee",
    "sugar",
    "rubber",
    "tin",
    "zinc",
    "copper",
    "nickel",
]


@pytest.fixture
def library(tmp_path: Path) -> Path:
    """Forty small articles, one a file, each with two words of its own."""
    root = tmp_path / "articles"
    root.mkdir()
    for i in range(40):
        a, b = WORDS[i % len(WORDS)], WORDS[(i * 5 + 3) % len(WORDS)]
        (root / f"story{i:02d}.txt").write_text(
            f"Title: Story {i} on {a}\nDate: 1987-03-{i % 28 + 1:02d}\n\n"
            f"Traders said {a} and {b} moved, note{i} marker{i * 7}.\n",
            encoding="utf-8",
        )
    return root


def state(lib: OpenLibrary) -> tuple[object, ...]:
    """What a user sees of a library: its articles (bodies included), problems, and what
    searches find (the articles, not their scores: until a delta is merged into the base,
    the ranking statistics still count the versions it replaced, as Lucene's do)."""
    scan, index = lib
    arts = sorted((a.id, a.title, a.body, str(a.path), a.published) for a in scan.articles)
    problems = sorted(str(p) for p in scan.problems)
    queries = ("grain", "cocoa OR zinc", "note3", "marker", "coffe", "Kenya tea")
    hits = [sorted(h.article.id for h in index.search(q, limit=100).hits) for q in queries]
    return arts, problems, hits, len(index)


def cached(library: Path, tmp_path: Path) -> tuple[Path, Path]:
    """A cache of ``library``, built cold: its folder and its base file."""
    cache = tmp_path / "cache"
    open_library([library], cache_dir=cache)
    return cache, cache_file_for([library], cache)


def add_tea(library: Path) -> None:
    (library / "tea.txt").write_text("Title: Kenya tea\n\nKenya tea prices rose.\n", "utf-8")


def fresh(library: Path) -> tuple[object, ...]:
    return state(open_library([library], use_cache=False))


def stamp(path: Path) -> tuple[int, int]:
    st = path.stat()
    return st.st_ino, st.st_mtime_ns


def bump(path: Path, text: str) -> None:
    st = path.stat()
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 5_000_000_000))


def test_a_warm_library_keeps_its_bodies_on_disk_until_read(library: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cold = open_library([library], cache_dir=cache)
    # after the cold build the bodies left memory too: they are read from the cache written
    assert all(isinstance(a, StoredArticle) and a.body_row is not None for a in cold.scan.articles)
    warm = open_library([library], cache_dir=cache)
    assert all(isinstance(a, StoredArticle) and a.body_row is not None for a in warm.scan.articles)
    assert state(warm) == state(cold) == fresh(library)
    hit = warm.search_index.search("note7").hits[0]
    assert "note7" in hit.article.body and "note7" in hit.snippet


def test_a_cache_truncated_in_place_under_an_open_library_gives_empty_bodies_not_a_crash(
    library: Path, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    open_library([library], cache_dir=cache)
    scan, _index = open_library([library], cache_dir=cache)
    cache_file_for([library], cache).write_bytes(b"")  # not what newstui does: it replaces
    assert [a.body for a in scan.articles] == [""] * len(scan.articles)
    assert all(a.title for a in scan.articles)


def test_one_new_file_writes_a_delta_and_the_next_start_is_warm(
    library: Path, tmp_path: Path, loads: list[list[str]]
) -> None:
    cache, base = cached(library, tmp_path)
    before = stamp(base)
    add_tea(library)
    added = open_library([library], cache_dir=cache)
    assert loads[-1] == ["tea.txt"]
    assert stamp(base) == before  # the base is not rewritten
    assert delta_file_for(base).exists()
    assert added.search_index.search("kenya tea").hits[0].article.title == "Kenya tea"
    restarted = open_library([library], cache_dir=cache)
    assert len(loads) == 2  # nothing read again (nothing changed: nothing to load)
    assert state(restarted) == state(added) == fresh(library)


def test_changed_and_removed_files_go_through_the_delta(
    library: Path, tmp_path: Path, loads: list[list[str]]
) -> None:
    cache, base = cached(library, tmp_path)
    before = stamp(base)
    bump(library / "story03.txt", "Title: Story 3 rewritten\n\nNow about Kenya tea only.\n")
    (library / "story04.txt").unlink()
    first = open_library([library], cache_dir=cache)
    assert loads[-1] == ["story03.txt"] and stamp(base) == before

    def found(query: str) -> list[str]:
        return [h.article.title for h in first.search_index.search(query, limit=100).hits]

    assert "Story 4 on coffee" not in found("note4")  # removed
    assert "Story 3 on grain" not in found("note3")  # the old text of the changed file
    assert found("kenya tea") == ["Story 3 rewritten"]
    # and again on top of that delta: one more file, another change
    (library / "new.txt").write_text("Title: Zinc smelter\n\nA zinc smelter opened.\n", "utf-8")
    bump(library / "story05.txt", "Title: Story 5 again\n\nCoffee exports fell.\n")
    second = open_library([library], cache_dir=cache)
    assert sorted(loads[-1]) == ["new.txt", "story05.txt"] and stamp(base) == before
    assert state(second) == fresh(library)
    calls = len(loads)
    restarted = open_library([library], cache_dir=cache)
    assert len(loads) == calls  # the restart reads no article file
    assert state(restarted) == fresh(library)


def test_a_delta_past_its_share_of_the_base_rewrites_the_cache(
    library: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache, base = cached(library, tmp_path)
    add_tea(library)
    open_library([library], cache_dir=cache)
    assert delta_file_for(base).exists()
    before = stamp(base)
    monkeypatch.setattr(opening_mod, "DELTA_SHARE", 0.0)
    (library / "more.txt").write_text("Title: More tea\n\nMore Kenya tea.\n", "utf-8")
    lib = open_library([library], cache_dir=cache)
    assert stamp(base) != before and not delta_file_for(base).exists()
    assert state(lib) == state(open_library([library], cache_dir=cache)) == fresh(library)


def test_a_delta_of_another_base_or_damaged_is_ignored_and_its_files_read_again(
    library: Path, tmp_path: Path, loads: list[list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    cache, base = cached(library, tmp_path)
    delta = delta_file_for(base)
    add_tea(library)
    open_library([library], cache_dir=cache)
    old_delta = delta.read_bytes()
    # another base (rewritten whole), with the old delta put back beside it
    monkeypatch.setattr(opening_mod, "DELTA_SHARE", 0.0)
    (library / "more.txt").write_text("Title: More tea\n\nMore Kenya tea.\n", "utf-8")
    open_library([library], cache_dir=cache)
    delta.write_bytes(old_delta)
    lib = open_library([library], cache_dir=cache)
    assert loads[-1] != [] and state(lib) == fresh(library)
    # a damaged delta: its files are read again, the rest comes from the base
    monkeypatch.setattr(opening_mod, "DELTA_SHARE", 0.2)
    (library / "third.txt").write_text("Title: Third tea\n\nThird Kenya tea.\n", "utf-8")
    open_library([library], cache_dir=cache)
    data = bytearray(delta.read_bytes())
    data[len(data) - 10] ^= 0xFF
    delta.write_bytes(bytes(data))
    lib = open_library([library], cache_dir=cache)
    assert loads[-1] == ["third.txt"]
    assert state(lib) == fresh(library)


def test_an_incremental_open_reads_no_body_of_the_articles_that_stay(
    library: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache"
    open_library([library], cache_dir=cache)
    reads: list[int] = []
    real = cache_mod.BodyStore.body

    def spy(self: cache_mod.BodyStore, row: int) -> str:
        reads.append(row)
        return real(self, row)

    monkeypatch.setattr(cache_mod.BodyStore, "body", spy)
    add_tea(library)
    lib = open_library([library], cache_dir=cache)
    assert reads == []  # 40 articles stayed on disk: dedupe and the index used the stored keys
    assert lib.search_index.search("kenya").total == 1


def test_a_new_file_repeating_an_article_is_still_a_duplicate(
    library: Path, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    open_library([library], cache_dir=cache)
    text = (library / "story07.txt").read_text("utf-8")
    (library / "zz-copy.txt").write_text(text, "utf-8")
    lib = open_library([library], cache_dir=cache)
    assert [p.kind for p in lib.scan.problems] == ["duplicate"]
    assert len(lib.scan.articles) == len(lib.search_index) == 40
    assert state(lib) == state(open_library([library], cache_dir=cache)) == fresh(library)


def _mapped_kb(path: Path) -> int:
    """Resident kB of this process's mappings of ``path`` (from /proc/self/smaps)."""
    total, inside = 0, False
    for line in Path("/proc/self/smaps").read_text().splitlines():
        head = line.split()
        if head and "-" in head[0] and len(head) >= 5:  # a mapping's first line
            inside = line.endswith(str(path))
        elif inside and line.startswith("Rss:"):
            total += int(head[1])
    return total


@pytest.mark.skipif(not Path("/proc/self/smaps").exists(), reason="needs Linux /proc")
def test_a_big_mapped_index_gives_its_postings_pages_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The postings pages a search touches do not pile up in the process: past the budget
    they are given back to the page cache, and searches still find the same."""
    import json
    import time

    root = tmp_path / "articles"
    root.mkdir()
    with (root / "wire.jsonl").open("w", encoding="utf-8") as f:
        for i in range(4000):
            words = " ".join(WORDS[(i * k) % len(WORDS)] for k in range(1, 40))
            f.write(json.dumps({"title": f"Wire {i}", "body": f"{words} item{i}"}) + "\n")
    monkeypatch.setattr(cache_mod, "EAGER_VERIFY_BYTES", 0)  # a "big" cache
    cache = tmp_path / "cache"
    open_library([root], cache_dir=cache)
    path = cache_file_for([root], cache)
    lib = open_library([root], cache_dir=cache)
    queries = ("grain OR cocoa", "zinc nickel", "coper")  # the last a typo
    before = [[h.article.id for h in lib.search_index.search(q).hits] for q in queries]
    touched = _mapped_kb(path)
    layout = cache_mod._Layout(path.read_bytes())
    postings = {
        (layout.base + b.offset, b.size)
        for name, b in layout.blobs.items()
        if name.startswith("index.") and name.endswith((".docs", ".tfs"))
    }
    released: set[tuple[int, int]] = set()
    real = pages.release

    def spy(buf: object, start: int, end: int) -> None:
        released.add((start, end - start))
        real(buf, start, end)

    monkeypatch.setattr(pages, "release", spy)
    monkeypatch.setattr(pages, "RESIDENT_POSTINGS", 0)
    monkeypatch.setattr(pages, "TRIM_EVERY", 0.02)
    deadline = time.monotonic() + 5
    while not postings <= released and time.monotonic() < deadline:
        time.sleep(0.02)
    assert postings <= released  # every postings blob given back
    assert _mapped_kb(path) < touched
    assert [[h.article.id for h in lib.search_index.search(q).hits] for q in queries] == before


def test_removing_the_first_of_a_duplicate_keeps_the_duplicate(
    library: Path, tmp_path: Path
) -> None:
    """A file that goes while another file repeats its article: the repeat is kept now."""
    cache = tmp_path / "cache"
    text = (library / "story07.txt").read_text("utf-8")
    (library / "zz-copy.txt").write_text(text, "utf-8")
    (library / "zz-other.txt").write_text((library / "story08.txt").read_text("utf-8"), "utf-8")
    open_library([library], cache_dir=cache)
    base = cache_file_for([library], cache)
    before = stamp(base)
    (library / "story07.txt").unlink()
    lib = open_library([library], cache_dir=cache)
    assert [a.path.name for a in lib.scan.articles if "note7 " in a.body] == ["zz-copy.txt"]
    assert [p.path.name for p in lib.scan.problems] == ["zz-other.txt"]  # still a duplicate
    assert state(lib) == state(open_library([library], cache_dir=cache)) == fresh(library)
    # a file without such a tie goes through a delta even though duplicates exist
    before = stamp(base)
    (library / "story20.txt").unlink()
    lib = open_library([library], cache_dir=cache)
    assert stamp(base) == before and delta_file_for(base).exists()
    assert state(lib) == state(open_library([library], cache_dir=cache)) == fresh(library)
