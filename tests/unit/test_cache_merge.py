"""Issue 13, item 3: a cache's delta merged into its base, in the background, when it pays
(core/library/merging.py)."""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import newstui.core.library.merging as merging
import newstui.core.search.segments as segments
from newstui.core.library.cache import cache_file_for, delta_file_for, inspect_cache
from newstui.core.library.opening import OpenLibrary, open_library
from newstui.core.search.segments import Segment, csr, document_frequencies, merge

WORDS = ["grain", "wheat", "maize", "barley", "cocoa", "coffee", "sugar", "rubber", "tin", "zinc"]
QUERIES = (
    "grain",
    "cocoa OR zinc",
    "note3",
    "marker",
    "coffe",
    "Kenya tea",
    "quokka",
    "wheat -tin",
)


def _write_story(root: Path, i: int) -> None:
    a, b = WORDS[i % len(WORDS)], WORDS[(i * 3 + 1) % len(WORDS)]
    (root / f"story{i:02d}.txt").write_text(
        f"Title: Story {i} on {a}\nDate: 1987-03-{i % 28 + 1:02d}\nSource: Wire {i % 3}\n"
        f"Tags: {a}, {b}\n\nTraders said {a} and {b} moved, note{i} marker{i * 7}.\n",
        encoding="utf-8",
    )


@pytest.fixture
def library(tmp_path: Path) -> Path:
    """Thirty stories, one a file, and a JSON file of twenty more."""
    root = tmp_path / "articles"
    root.mkdir()
    for i in range(30):
        _write_story(root, i)
    items = [
        {
            "id": f"feed-{i}",
            "title": f"Feed item {i} {WORDS[i % len(WORDS)]}",
            "body": f"Body of feed item {i}: {WORDS[(i + 4) % len(WORDS)]} prices, wire{i}.",
            "source": "Feedwire",
            "published": f"1987-04-{i % 28 + 1:02d}T10:00:00Z",
        }
        for i in range(20)
    ]
    (root / "feed.json").write_text(json.dumps(items), encoding="utf-8")
    return root


def _change(root: Path) -> None:
    """A new file, a changed one, a removed one, and a second new file repeating the
    first (a duplicate)."""
    (root / "new.txt").write_text(
        "Title: Kenya tea\nSource: Nairobi Desk\nTags: tea\n\nKenya tea prices rose, quokka.\n",
        encoding="utf-8",
    )
    (root / "story03.txt").unlink()
    (root / "story05.txt").write_text(
        "Title: Story five, changed\nSource: Wire 9\n\nNow about cocoa and a quokka.\n",
        encoding="utf-8",
    )
    shutil.copy(root / "new.txt", root / "zz-copy-of-new.txt")


def _with_delta(library: Path, tmp_path: Path) -> tuple[Path, Path, OpenLibrary]:
    """The library opened, changed (:func:`_change`) and opened again: its cache folder, its cache
    file (with a delta beside it) and the library as that second open gives it."""
    cache = tmp_path / "cache"
    _open(library, cache)
    _change(library)
    lib = _open(library, cache)
    return cache, cache_file_for([library], cache), lib


def what_a_user_sees(lib: OpenLibrary) -> tuple[Any, ...]:
    """Every article (fields and body), the problems, what each query finds and its score."""
    scan, index = lib
    arts = sorted(
        (a.id, a.title, a.body, str(a.path), a.published, a.source, a.tags, a.word_count)
        for a in scan.articles
    )
    problems = sorted(str(p) for p in scan.problems)
    hits = [
        [(h.article.id, round(h.score, 6)) for h in index.search(q, limit=100).hits]
        for q in QUERIES
    ]
    return arts, problems, hits, len(index)


def _open(root: Path, cache: Path) -> OpenLibrary:
    return open_library([root], cache_dir=cache)


def test_a_merged_delta_gives_what_a_fresh_build_gives_from_one_file(
    library: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache, path, with_delta = _with_delta(library, tmp_path)
    assert delta_file_for(path).exists()
    # small blocks and copies, so that a tiny library goes through many of each
    monkeypatch.setattr(segments, "BLOCK_POSTINGS", 5)
    monkeypatch.setattr(merging, "_COPY_STEP", 64)
    assert merging.merge(path)
    assert not delta_file_for(path).exists()
    assert not [p.name for p in cache.iterdir() if "merged" in p.name]
    cached, why = inspect_cache(path)
    assert cached is not None, why
    assert cached.delta_rows() == 0
    merged = _open(library, cache)
    fresh = open_library([library], use_cache=False)
    # the same articles and problems as with the delta; the scores now those of a fresh
    # build (with the delta, the statistics still counted the versions it replaced)
    assert what_a_user_sees(merged)[:2] == what_a_user_sees(with_delta)[:2]
    assert what_a_user_sees(merged) == what_a_user_sees(fresh)
    assert [a.id for a in merged.scan.articles] == [a.id for a in with_delta.scan.articles]
    # the list's orders (title, date) and the sidebar's sources, from the merged columns
    columns = getattr(merged.scan.articles, "columns", None)
    assert columns is not None
    arts = list(merged.scan.articles)
    by_rank = [arts[i].title.casefold() for i in np.argsort(columns.title_rank, kind="stable")]
    assert by_rank == sorted(a.title.casefold() for a in arts)
    assert sorted(columns.sources[c] for c in columns.source) == sorted(a.source for a in arts)


def test_the_merged_base_takes_the_next_changes_as_a_delta_again(
    library: Path, tmp_path: Path
) -> None:
    cache, path, _ = _with_delta(library, tmp_path)
    assert merging.merge(path)
    (library / "story11.txt").unlink()
    _write_story(library, 40)
    again = _open(library, cache)
    assert delta_file_for(path).exists()
    assert what_a_user_sees(_open(library, cache)) == what_a_user_sees(again)
    assert merging.merge(path)
    assert what_a_user_sees(_open(library, cache)) == what_a_user_sees(
        open_library([library], use_cache=False)
    )


def test_without_a_delta_nothing_is_merged(library: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    _open(library, cache)
    path = cache_file_for([library], cache)
    before = path.stat()
    assert not merging.merge(path)
    assert path.stat().st_ino == before.st_ino


def _damage(path: Path, at: int) -> None:
    data = bytearray(path.read_bytes())
    data[at] ^= 0xFF
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("which", ["base", "delta"])
def test_a_damaged_file_is_not_merged_and_nothing_is_lost(
    library: Path, tmp_path: Path, which: str
) -> None:
    cache, path, lib = _with_delta(library, tmp_path)
    with_delta = what_a_user_sees(lib)
    victim = path if which == "base" else delta_file_for(path)
    _damage(victim, victim.stat().st_size - 3)  # in the last blob: its checksum fails
    files = {p.name: p.read_bytes() for p in cache.iterdir()}
    assert not merging.merge(path)
    # nothing replaced or left behind (bar the lock, kept for the next merge)
    assert {p.name: p.read_bytes() for p in cache.iterdir() if p.suffix != ".lock"} == files
    # the next start still gives the library (reading again what it cannot use)
    after = what_a_user_sees(_open(library, cache))
    assert after[:2] == with_delta[:2]
    if which == "delta":  # the base, and the delta's files read into a delta again
        assert after == with_delta


def test_a_base_rewritten_during_the_merge_is_kept(
    library: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache, path, _ = _with_delta(library, tmp_path)
    # another open rewrites the whole cache while the merge checks its file
    open_library([library], cache_dir=tmp_path / "other")
    other = cache_file_for([library], tmp_path / "other").read_bytes()
    check = merging._check_opens

    def rewritten_meanwhile(merged: Path) -> None:
        check(merged)
        path.write_bytes(other)

    monkeypatch.setattr(merging, "_check_opens", rewritten_meanwhile)
    assert not merging.merge(path)
    assert path.read_bytes() == other  # the newer file stays
    assert not [p.name for p in cache.iterdir() if "merged" in p.name]


def test_a_delta_rewritten_during_the_merge_is_kept(
    library: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another open takes one more new file into a new delta while the merge runs: the
    merge gives way (its result would lack that file) and the new delta is the one used."""
    cache, path, _ = _with_delta(library, tmp_path)
    base = path.read_bytes()
    check = merging._check_opens

    def another_open_meanwhile(merged: Path) -> None:
        check(merged)
        _write_story(library, 43)
        _open(library, cache)

    monkeypatch.setattr(merging, "_check_opens", another_open_meanwhile)
    assert not merging.merge(path)
    assert path.read_bytes() == base
    assert delta_file_for(path).exists()
    again = _open(library, cache)
    assert any(a.title.startswith("Story 43 ") for a in again.scan.articles)
    assert (
        what_a_user_sees(again)[:2]
        == what_a_user_sees(open_library([library], use_cache=False))[:2]
    )


def test_one_merge_at_a_time_and_a_killed_ones_leftovers_are_removed(
    library: Path, tmp_path: Path
) -> None:
    import fcntl

    _, path, _ = _with_delta(library, tmp_path)
    leftover = path.with_name(f".{path.name}.merged.123-abc.tmp")
    leftover.write_bytes(b"half a file")
    fd = os.open(path.with_name(path.name + ".lock"), os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        assert not merging.merge(path)  # another one runs
        assert delta_file_for(path).exists()
    finally:
        os.close(fd)
    assert merging.merge(path)
    assert not leftover.exists()


def test_when_a_merge_pays() -> None:
    big, day = 1 << 30, merging.MERGE_AFTER_S
    assert not merging.due(1_000_000, 0, big, 2 * day)  # no delta
    assert merging.due(50_000, 1, merging.SMALL_BASE_BYTES, 0)  # a small base: always
    assert not merging.due(1_000_000, 50, big, 60)  # one fetch into a big, fresh base
    assert merging.due(1_000_000, 20_000, big, 60)  # 2% of it
    assert merging.due(1_000_000, 50, big, day + 1)  # at most once a day for a trickle


def _wait_for(condition: Any, seconds: float = 60) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.1)
    return False


def test_an_open_that_writes_a_delta_starts_the_merge_in_the_background(
    library: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache"
    _open(library, cache)
    _change(library)
    path = cache_file_for([library], cache)
    started: list[Any] = []
    start = merging.start_if_due

    def recorded(*args: Any) -> Any:
        started.append(start(*args))
        return started[-1]

    monkeypatch.setattr(merging, "start_if_due", recorded)
    monkeypatch.setenv(merging.ENV, "off")
    _open(library, cache)
    assert started == [None] and delta_file_for(path).exists()  # turned off: none
    monkeypatch.setenv(merging.ENV, "on")
    _open(library, cache)  # nothing changed, a delta left: started now
    proc = started[-1]
    assert proc is not None
    assert proc.wait(timeout=120) == 0
    assert not delta_file_for(path).exists()
    cached, _ = inspect_cache(path)
    assert cached is not None and cached.delta_rows() == 0
    # and a new change starts one too, from the open that writes its delta
    _write_story(library, 41)
    _open(library, cache)
    assert started[-1] is not None and started[-1].wait(timeout=120) == 0
    assert _wait_for(lambda: not delta_file_for(path).exists())


def test_an_open_removes_what_a_killed_merge_left(
    library: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache, path, _ = _with_delta(library, tmp_path)
    monkeypatch.setenv(merging.ENV, "on")
    monkeypatch.setattr(merging, "SMALL_BASE_BYTES", 1)  # a merge not due
    monkeypatch.setattr(merging, "MERGE_SHARE", 0.9)
    leftovers = [
        path.with_name(path.name + ".merged"),
        path.with_name(f".{path.name}.merged.9-x.tmp"),
    ]
    for p in leftovers:
        p.write_bytes(b"half a merged file")
    _open(library, cache)
    assert not any(p.exists() for p in leftovers)
    assert delta_file_for(path).exists()  # the delta itself stays


def test_a_big_fresh_base_with_a_small_delta_starts_no_merge(
    library: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache"
    _open(library, cache)
    monkeypatch.setenv(merging.ENV, "on")
    monkeypatch.setattr(merging, "SMALL_BASE_BYTES", 1)
    monkeypatch.setattr(merging, "MERGE_SHARE", 0.5)
    _write_story(library, 42)
    _open(library, cache)
    path = cache_file_for([library], cache)
    time.sleep(0.5)
    assert delta_file_for(path).exists()
    assert not path.with_name(path.name + ".lock").exists()  # no merge ever started


def _segment(rng: np.random.Generator, n: int, n_terms: int) -> Segment:
    occurrences = int(rng.integers(0, 3000))
    tids = rng.integers(0, n_terms, occurrences).astype(np.int32)
    docs = rng.integers(0, max(n, 1), occurrences).astype(np.int64) if n else np.zeros(0, np.int64)
    tids = tids[: len(docs)]
    fields = [csr(tids, docs, n, n_terms) for _ in segments.FIELDS]
    return Segment(
        [], np.zeros(n), np.zeros((5, n), np.int32), fields, document_frequencies(fields, n_terms)
    )


def test_postings_merged_a_block_at_a_time_are_the_whole_merge() -> None:
    rng = np.random.default_rng(2026)
    for trial in range(40):
        nb, nm = int(rng.integers(0, 300)), int(rng.integers(0, 80))
        base_terms = int(rng.integers(1, 150))
        n_terms = base_terms + int(rng.integers(0, 40))
        base, more = _segment(rng, nb, base_terms), _segment(rng, nm, n_terms)
        live = None if trial % 4 == 0 else rng.random(nb) < 0.7
        base.articles = [None] * nb  # type: ignore[list-item]
        more.articles = [None] * nm  # type: ignore[list-item]
        whole = merge([base, more], [live, None])
        for f in range(len(segments.FIELDS)):
            step = int(rng.integers(1, 400))
            offsets, blocks = segments.merged_postings(
                base.fields[f], live, nb, more.fields[f], n_terms, step
            )
            docs = np.full(int(offsets[-1]), -1, np.int32)
            tfs = np.zeros(int(offsets[-1]), np.uint16)
            for _, _, first, d, t in blocks:
                docs[first : first + len(d)] = d
                tfs[first : first + len(t)] = t
            assert np.array_equal(offsets, whole.fields[f].offsets)
            assert np.array_equal(docs, whole.fields[f].docs)
            assert np.array_equal(tfs, whole.fields[f].tfs)


def _rewrite_header(path: Path, change: Any) -> None:
    """The cache file at ``path`` with its header changed by ``change`` (checksums made
    good again: what a file made on purpose would be)."""
    import newstui.core.library.layout as layout_mod

    data = path.read_bytes()
    layout = layout_mod._Layout(data)
    header = dict(layout.header)
    change(header)
    head = layout_mod.encode_head(header)
    start = layout_mod.payload_start(len(head))
    path.write_bytes(head + bytes(start - len(head)) + data[layout.base :])


@pytest.mark.parametrize(
    "change",
    [
        lambda h: h.update(articles=10**12),  # asks for a terabyte of rows
        lambda h: h["files"][0].__setitem__(4, 10**12),  # a file of a trillion rows
        lambda h: h["files"][0].__setitem__(3, -5),
        lambda h: h.update(removed=["/nowhere"]),
        lambda h: h["files"].append(list(h["files"][0])),  # two files on the same rows
    ],
)
def test_a_delta_made_on_purpose_is_refused_without_a_crash(
    library: Path, tmp_path: Path, change: Any
) -> None:
    cache, path, lib = _with_delta(library, tmp_path)
    with_delta = what_a_user_sees(lib)
    _rewrite_header(delta_file_for(path), change)
    base = path.read_bytes()
    assert not merging.merge(path)
    assert path.read_bytes() == base
    assert what_a_user_sees(_open(library, cache))[:2] == with_delta[:2]
