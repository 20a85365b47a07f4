"""Warm start: the cached library and index — hits, stale files, corrupt or foreign caches."""

from __future__ import annotations

import dataclasses
import json
import os
import struct
import zlib
from pathlib import Path

import pytest

import newstui.core.library.cache as cache_mod
import newstui.core.library.layout as layout_mod
from newstui.core.library import ScanResult
from newstui.core.library.cache import CACHE_VERSION, cache_file_for
from newstui.core.library.opening import open_library
from newstui.core.library.rows import ArticleRows
from newstui.core.library.stored import stored_date
from newstui.core.search import SearchIndex


@pytest.fixture
def library(tmp_path: Path) -> Path:
    root = tmp_path / "articles"
    root.mkdir()
    (root / "cocoa.txt").write_text(
        "Title: Bahia cocoa review\nAuthor: Ann Smith\nDate: 1987-02-26\nTags: cocoa, brazil\n\n"
        "Showers continued throughout the week in the Bahia cocoa zone.\n",
        encoding="utf-8",
    )
    (root / "cafe.md").write_text(
        "---\ntitle: Trump’s café\nsource: Le Monde\n---\nLe café était serré.\n",
        encoding="utf-8",
    )
    (root / "feed.jsonl").write_text(
        '{"title": "Oil output", "body": "Saudi oil production rose."}\n'
        '{"title": "Gas prices", "body": "Natural gas fell."}\n'
        "not json\n",
        encoding="utf-8",
    )
    return root


def snapshot(scan: ScanResult, index: SearchIndex) -> tuple[object, ...]:
    arts = [dataclasses.astuple(a) for a in scan.articles]
    problems = sorted(str(p) for p in scan.problems)
    hits = [(h.article.id, h.score, h.snippet) for h in index.search("cafe OR cocoa OR oil").hits]
    return arts, problems, hits, len(index)


def bump(path: Path, text: str) -> None:
    st = path.stat()
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 5_000_000_000))


def test_cold_then_warm_gives_the_same_library_without_loading(
    library: Path, tmp_path: Path, loads: list[list[str]]
) -> None:
    cache = tmp_path / "cache"
    cold = open_library([library], cache_dir=cache)
    assert sorted(loads[0]) == ["cafe.md", "cocoa.txt", "feed.jsonl"]
    assert cache_file_for([library], cache).is_file()
    warm = open_library([library], cache_dir=cache)
    assert len(loads) == 1  # nothing loaded the second time
    assert snapshot(*warm) == snapshot(*cold)
    scan, index = warm
    assert len(scan.articles) == 4
    assert any("line 3" in str(p) for p in scan.problems)  # the bad JSONL line is still reported
    art = next(a for a in scan.articles if a.title == "Bahia cocoa review")
    assert art.author == "Ann Smith" and art.published is not None and art.tags
    assert index.search("trump cafe ").hits[0].article.title == "Trump’s café"


def test_default_cache_folder_is_the_user_cache(library: Path) -> None:
    open_library([library])
    assert cache_file_for([library]).is_file()  # XDG_CACHE_HOME is a temp folder in tests


def test_changed_file_is_reloaded_alone(
    library: Path, tmp_path: Path, loads: list[list[str]]
) -> None:
    cache = tmp_path / "cache"
    open_library([library], cache_dir=cache)
    bump(library / "cocoa.txt", "Title: Cocoa falls\n\nCocoa prices fell in Ghana.\n")
    scan, index = open_library([library], cache_dir=cache)
    assert loads[1] == ["cocoa.txt"]
    assert index.search("ghana ").total == 1
    assert index.search("bahia ").total == 0
    assert len(scan.articles) == len(index) == 4
    # And that state is itself cached.
    scan2, index2 = open_library([library], cache_dir=cache)
    assert len(loads) == 2
    assert snapshot(scan2, index2) == snapshot(scan, index)


def test_new_and_removed_files(library: Path, tmp_path: Path, loads: list[list[str]]) -> None:
    cache = tmp_path / "cache"
    open_library([library], cache_dir=cache)
    (library / "cafe.md").unlink()
    (library / "new.txt").write_text("Title: Tea auction\n\nKenya tea prices.\n", encoding="utf-8")
    scan, index = open_library([library], cache_dir=cache)
    assert loads[1] == ["new.txt"]
    assert index.search("kenya ").total == 1
    assert index.search("cafe ").total == 0
    assert {a.title for a in scan.articles} == {
        "Bahia cocoa review",
        "Oil output",
        "Gas prices",
        "Tea auction",
    }


def test_a_duplicate_appearing_in_a_new_file_is_collapsed(library: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    open_library([library], cache_dir=cache)
    (library / "copy.jsonl").write_text(
        '{"title": "Oil output", "body": "Saudi oil production rose."}\n', encoding="utf-8"
    )
    scan, index = open_library([library], cache_dir=cache)
    assert index.search("saudi ").total == 1
    assert any(p.kind == "duplicate" for p in scan.problems)


def _corrupt_variants(data: bytes) -> list[bytes]:
    flipped = bytearray(data)
    layout = cache_mod._Layout(data)
    body = layout.blobs["body"]  # a byte of an article's body (padding is not checked)
    flipped[layout.base + body.offset + body.size // 2] ^= 0xFF
    version = bytearray(data)
    struct.pack_into("<I", version, 11, CACHE_VERSION + 1)
    return [
        b"",
        data[:10],
        data[: len(data) // 2],  # truncated
        bytes(flipped),  # checksum mismatch
        bytes(version),  # another format version
        b"\x80\x04\x95" + data[3:],  # not our magic (e.g. a pickle)
        os.urandom(4096),
    ]


@pytest.mark.parametrize("variant", range(7))
def test_corrupt_or_incompatible_cache_is_ignored_and_rebuilt(
    library: Path, tmp_path: Path, loads: list[list[str]], variant: int
) -> None:
    cache = tmp_path / "cache"
    cold = snapshot(*open_library([library], cache_dir=cache))
    path = cache_file_for([library], cache)
    path.write_bytes(_corrupt_variants(path.read_bytes())[variant])
    rebuilt = open_library([library], cache_dir=cache)
    assert len(loads[1]) == 3  # everything loaded again
    assert snapshot(*rebuilt) == cold
    open_library([library], cache_dir=cache)
    assert len(loads) == 2  # and the rebuilt cache is good


def test_consistent_checksum_but_inconsistent_content_is_rejected(
    library: Path, tmp_path: Path
) -> None:
    """Even a well-formed file whose arrays do not fit together is never trusted."""
    cache = tmp_path / "cache"
    open_library([library], cache_dir=cache)
    path = cache_file_for([library], cache)
    data = path.read_bytes()
    _, _, _, header_len = layout_mod._PREFIX.unpack_from(data)
    body = bytearray(data[layout_mod._PREFIX.size :])
    header = bytes(body[:header_len]).replace(b'"articles":4', b'"articles":9')
    assert header != body[:header_len]
    new_body = header + bytes(body[header_len:])
    forged = (
        layout_mod._PREFIX.pack(layout_mod.MAGIC, CACHE_VERSION, zlib.crc32(header), len(header))
        + new_body
    )
    assert cache_mod._load_bytes(forged) is None
    path.write_bytes(forged)
    cached, reason = cache_mod.inspect_cache(path)
    assert cached is None and "do not fit" in reason


def test_unwritable_cache_folder_still_opens(library: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    scan, index = open_library([library], cache_dir=blocker)
    assert len(index) == 4 and len(scan.articles) == 4


def test_article_files_are_never_modified(library: Path, tmp_path: Path) -> None:
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in library.iterdir()}
    open_library([library], cache_dir=tmp_path / "cache")
    open_library([library], cache_dir=tmp_path / "cache")
    assert {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in library.iterdir()} == before


def test_empty_folder(tmp_path: Path) -> None:
    root = tmp_path / "empty"
    root.mkdir()
    scan, index = open_library([root], cache_dir=tmp_path / "cache")
    assert scan.articles == [] and len(index) == 0
    scan, index = open_library([root], cache_dir=tmp_path / "cache")
    assert len(index) == 0 and index.search("x").total == 0


def test_an_article_shape_the_cache_does_not_know_disables_it(
    library: Path, tmp_path: Path, loads: list[list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """If Article gains a field, the cache is not used (it would drop it), never wrong."""
    cache = tmp_path / "cache"
    open_library([library], cache_dir=cache)
    monkeypatch.setattr(cache_mod, "_ARTICLE_FIELDS", (*cache_mod._ARTICLE_FIELDS, "new_field"))
    _scan, index = open_library([library], cache_dir=cache)
    assert len(loads) == 2 and len(loads[1]) == 3
    assert len(index) == 4


def test_on_scanned_gives_the_articles_before_the_index_is_built(
    library: Path, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    seen: list[tuple[int, int]] = []

    def on_scanned(scan: ScanResult, index: SearchIndex) -> None:
        seen.append((len(scan.articles), len(index)))

    _scan, index = open_library([library], cache_dir=cache, on_scanned=on_scanned)
    assert seen == [(4, 0)]  # every article known, nothing indexed yet
    assert len(index) == 4
    # A full cache hit has nothing to wait for: no early call.
    open_library([library], cache_dir=cache, on_scanned=on_scanned)
    assert len(seen) == 1
    # A changed file: the cached index is handed over before it is updated.
    bump(library / "cocoa.txt", "Title: Bahia cocoa review\n\nRain at last in Bahia.\n")
    open_library([library], cache_dir=cache, on_scanned=on_scanned)
    assert len(seen) == 2 and seen[1][0] == 4


# --------------------------------------------------------------------------- mapped layout


def _blob_span(data: bytes, name: str) -> tuple[int, int]:
    """Where blob ``name`` lies in a cache file's bytes: (start, end)."""
    layout = cache_mod._Layout(data)
    blob = layout.blobs[name]
    return layout.base + blob.offset, layout.base + blob.offset + blob.size


def _flip(path: Path, at: int) -> None:
    data = bytearray(path.read_bytes())
    data[at] ^= 0x01
    path.write_bytes(bytes(data))


QUERIES = (
    "cocoa",
    "bahia cocoa",
    "sesions",
    "cafe OR oil",
    "gas -oil",
    "showrs",
    "pric",
    "title:oil",
)


def _results(index: SearchIndex) -> list[object]:
    return [
        (r.total, [(h.article.id, h.score, h.snippet) for h in r.hits], r.suggestions)
        for r in (index.search(q) for q in QUERIES)
    ]


def test_a_mapped_cache_searches_as_a_fresh_build(library: Path, tmp_path: Path) -> None:
    """The warm index views the mapped file (no copy) and finds what a fresh build finds."""
    cache = tmp_path / "cache"
    open_library([library], cache_dir=cache)
    fresh = open_library([library], use_cache=False)
    cached = cache_mod.read_cache(cache_file_for([library], cache))
    assert cached is not None
    seg = cached.index._snap.segments[0]
    for arr in (seg.fields[1].docs, seg.fields[1].tfs, seg.published, seg.lengths, seg.df):
        assert not arr.flags.owndata and not arr.flags.writeable  # a view of the mapping
    assert _results(cached.index) == _results(fresh.search_index)
    assert [dataclasses.astuple(a) for a in cached.kept] == [
        dataclasses.astuple(a) for a in fresh.scan.articles
    ]
    warm = open_library([library], cache_dir=cache)
    assert _results(warm.search_index) == _results(fresh.search_index)
    # and it can still take changes (new segments beside the mapped one)
    (library / "new.txt").write_text("Title: Cocoa harvest\n\nBahia cocoa rain.\n", "utf-8")
    changed = open_library([library], cache_dir=cache)
    assert changed.search_index.search("harvest").total == 1
    assert _results(open_library([library], cache_dir=cache).search_index) == _results(
        open_library([library], use_cache=False).search_index
    )


@pytest.mark.parametrize(
    ("damage", "reason"),
    [
        ("truncated", "truncated"),
        ("header", "header checksum mismatch"),
        ("article.words", "checksum mismatch in article.words"),
        ("index.body.docs", "checksum mismatch in index.body.docs"),
        ("text", "checksum mismatch in text"),
        ("previous version", f"cache version {CACHE_VERSION - 1}, expected {CACHE_VERSION}"),
        ("next version", f"cache version {CACHE_VERSION + 1}, expected {CACHE_VERSION}"),
    ],
)
def test_a_damaged_or_foreign_cache_is_rebuilt_with_its_reason(
    library: Path,
    tmp_path: Path,
    loads: list[list[str]],
    caplog: pytest.LogCaptureFixture,
    damage: str,
    reason: str,
) -> None:
    cache = tmp_path / "cache"
    cold = open_library([library], cache_dir=cache)
    path = cache_file_for([library], cache)
    data = path.read_bytes()
    if damage == "truncated":
        path.write_bytes(data[: len(data) - 100])
    elif damage == "header":
        _flip(path, layout_mod._PREFIX.size + 5)
    elif damage.endswith("version"):
        version = bytearray(data)
        v = CACHE_VERSION - 1 if damage == "previous version" else CACHE_VERSION + 1
        struct.pack_into("<I", version, 11, v)
        path.write_bytes(bytes(version))
    else:
        start, end = _blob_span(data, damage)
        _flip(path, (start + end) // 2)
    cached, why = cache_mod.inspect_cache(path)
    assert cached is None and reason in why
    with caplog.at_level("INFO", logger="newstui.cache"):
        rebuilt = open_library([library], cache_dir=cache)
    assert reason in caplog.text and "not used" in caplog.text
    assert len(loads[1]) == 3  # everything read again
    assert snapshot(*rebuilt) == snapshot(*cold)
    assert _results(rebuilt.search_index) == _results(cold.search_index)
    assert cache_mod.inspect_cache(path)[1] == ""  # and replaced by a good one


def test_a_big_cache_is_verified_in_the_background_and_removed_if_damaged(
    library: Path, tmp_path: Path, loads: list[list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Over EAGER_VERIFY_BYTES the bulk blobs are checked after the open: a damaged file is
    removed, so the next start rebuilds it."""
    monkeypatch.setattr(cache_mod, "EAGER_VERIFY_BYTES", 0)
    cache = tmp_path / "cache"
    cold = open_library([library], cache_dir=cache)
    path = cache_file_for([library], cache)
    good, why = cache_mod.inspect_cache(path)
    assert good is not None and why == "" and good.verifying
    for thread in good.verifying:
        thread.join(10)
    assert path.is_file()  # a good file stays
    start, _end = _blob_span(path.read_bytes(), "index.body.tfs")
    _flip(path, start)  # a term frequency: wrong scores at worst, never a crash
    cached, why = cache_mod.inspect_cache(path)
    assert cached is not None and why == ""  # used at once ...
    assert cached.index.search("cocoa").total == cold.search_index.search("cocoa").total
    assert cached.verifying
    for thread in cached.verifying:
        thread.join(10)
    assert not path.exists()  # ... and removed once found damaged
    rebuilt = open_library([library], cache_dir=cache)
    assert len(loads[1]) == 3
    assert _results(rebuilt.search_index) == _results(cold.search_index)


def _rewrite_blob(path: Path, name: str, value: bytes) -> None:
    """Put ``value`` at the start of blob ``name`` and fix its crc32: a file whose
    checksums all agree but whose content does not fit."""
    data = bytearray(path.read_bytes())
    layout = cache_mod._Layout(bytes(data))
    blob = layout.blobs[name]
    start = layout.base + blob.offset
    data[start : start + len(value)] = value
    header = layout.header
    for row in header["blobs"]:
        if row[0] == name:
            row[5] = zlib.crc32(bytes(data[start : start + blob.size]))
    raw = json.dumps(header, ensure_ascii=False, separators=(",", ":")).encode()
    prefix = layout_mod._PREFIX.pack(layout_mod.MAGIC, CACHE_VERSION, zlib.crc32(raw), len(raw))
    head = prefix + raw
    head += bytes(-len(head) % layout_mod._ALIGN)
    path.write_bytes(head + bytes(data[layout.base :]))


@pytest.mark.parametrize(
    ("name", "value", "reason"),
    [
        ("index.body.docs", struct.pack("<i", 10**6), "postings point outside the articles"),
        ("index.title.docs", struct.pack("<i", -3), "postings point outside the articles"),
        ("text", b"\xff\xfe", "utf-8"),
        ("text.starts", struct.pack("<q", 7), "article text offsets do not fit"),
        ("index.body.offsets", struct.pack("<q", 99), "postings offsets out of range"),
    ],
)
def test_content_that_does_not_fit_is_refused_before_use_even_unverified(
    library: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    value: bytes,
    reason: str,
) -> None:
    """What the background check has not read yet is still bounds-checked before use: an
    article number out of range or text that is not UTF-8 never reaches a search."""
    monkeypatch.setattr(cache_mod, "EAGER_VERIFY_BYTES", 0)
    cache = tmp_path / "cache"
    open_library([library], cache_dir=cache)
    path = cache_file_for([library], cache)
    _rewrite_blob(path, name, value)
    cached, why = cache_mod.inspect_cache(path)
    assert cached is None and reason in why


def test_an_open_library_outlives_its_cache_file(library: Path, tmp_path: Path) -> None:
    """The mapping stays valid when the file is replaced (written anew and renamed) or
    removed: the cache is never changed in place."""
    cache = tmp_path / "cache"
    open_library([library], cache_dir=cache)
    scan, index = open_library([library], cache_dir=cache)
    before = _results(index)
    path = cache_file_for([library], cache)
    (library / "new.txt").write_text("Title: Tea\n\nKenya tea.\n", "utf-8")
    open_library([library], cache_dir=cache)  # rewrites the cache file
    assert _results(index) == before
    path.unlink()
    assert _results(index) == before
    assert [a.body for a in scan.articles]


def test_dates_come_back_exactly() -> None:
    """A stored date comes back equal to the microsecond, with its UTC offset, a naive
    one naive; one out of range refuses the cache."""
    from datetime import UTC, datetime, timedelta, timezone

    import numpy as np

    stored = [
        datetime(1987, 2, 26, 15, 1, 1, 123457, tzinfo=UTC),
        datetime(2020, 5, 1, 9, 30, tzinfo=timezone(timedelta(hours=5, minutes=30))),
        datetime(2020, 5, 1, 9, 30, tzinfo=timezone(timedelta(hours=-8))),
        datetime(1969, 12, 31, 23, 59, 59, 999999),  # naive, before the epoch
        datetime(1, 1, 1, 0, 0, tzinfo=UTC),
        datetime(9999, 12, 31, 23, 59, 59, 999999),
        None,
        datetime(1987, 2, 26, 15, 1, 1, 123457, tzinfo=UTC),
    ]
    micros = np.zeros(len(stored), np.int64)
    offs = np.zeros(len(stored), np.int32)
    has = np.zeros(len(stored), np.uint8)
    for i, dt in enumerate(stored):
        if dt is not None:
            micros[i], offs[i] = cache_mod._micros(dt)
            has[i] = 1
    cache_mod._check_dates(micros, offs, has)
    back = [
        stored_date(int(m), int(o)) if h else None
        for m, o, h in zip(micros, offs, has, strict=True)
    ]
    assert back == stored
    assert [None if d is None else d.utcoffset() for d in back] == [
        None if d is None else d.utcoffset() for d in stored
    ]
    bad = micros.copy()
    bad[0] = cache_mod._MAX_US + 1
    with pytest.raises(cache_mod.CacheError):
        cache_mod._check_dates(bad, offs, has)


def test_a_warm_open_makes_no_article_until_asked(
    library: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A warm library's articles are rows of its cache, each made on the first ask (a
    big library's; a small one's are made at once: EAGER_ROWS): the open makes none, and a
    row is one object however often it is asked for."""
    monkeypatch.setattr(cache_mod, "EAGER_ROWS", 0)
    cache = tmp_path / "cache"
    open_library([library], cache_dir=cache)
    scan, _index = open_library([library], cache_dir=cache)
    rows = scan.articles
    assert isinstance(rows, ArticleRows)
    assert rows.table.made == 0
    assert len(rows) == 4 and rows.ids() == [a.id for a in rows]
    assert rows[1] is rows[1] is rows[-3]
