"""The library scan: recursive discovery, bad files reported by name, duplicates collapsed."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from newstui.core.article import Article, make_article_id
from newstui.core.library import FileEntry, dedupe, discover, load_entries, scan_library
from newstui.core.problems import summarize

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


def test_dedupe_by_text_and_a_url_never_hides_another_text() -> None:
    first = art("Same", "Body one", url="https://Example.com/story/", path="a.txt")
    same_url = art("Other title", "Other body", url="http://example.com/story#top", path="b.txt")
    same_text = art(" same ", "body   ONE", path="c.txt")
    different = art("Different", "Body two", path="d.txt")
    kept, problems = dedupe([first, same_url, same_text, different])
    assert kept == [first, same_url, different]
    assert [(p.path, p.kind, p.reason) for p in problems] == [
        (Path("c.txt"), "duplicate", "duplicate of a.txt")
    ]


def test_an_impostor_with_the_same_url_does_not_replace_the_genuine_article() -> None:
    """Issue 10 item 27: a file whose URL equals another's after normalisation (host case,
    trailing slash, #fragment) and sorts first silently replaced the genuine article."""
    url = "https://example.com/news/story"
    impostor = art(
        "Fake story", "Invented text.", url="https://EXAMPLE.com/news/story/#x", path="0.txt"
    )
    copycat = art("Copied headline", "Other invented text.", url=url, path="1.txt")
    genuine = art("Real story", "What happened.", url=url, path="2.txt")
    again = art("Real  story", "what happened.", url=url + "/", path="3.txt")  # the same text
    kept, problems = dedupe([impostor, copycat, genuine, again])
    assert [a.title for a in kept] == ["Fake story", "Copied headline", "Real story"]
    assert len({a.id for a in kept}) == 3  # ids came from the URL: no two may be equal
    assert genuine.id != make_article_id(url=url)  # the later one took its text's id
    assert [(p.path.name, p.reason) for p in problems] == [("3.txt", "duplicate of 2.txt")]


def test_the_same_text_under_two_readable_names_is_one_article(tmp_path: Path) -> None:
    text = "Markets rose on Monday. Traders cheered the news.\n"
    write(tmp_path / "markets-rose.txt", text)
    write(tmp_path / "stocks-up-again.txt", text)
    result = scan_library(tmp_path)
    assert [a.title for a in result.articles] == ["Markets rose"]
    assert [p.kind for p in result.problems] == ["duplicate"]


def test_dedupe_keeps_same_title_with_different_bodies() -> None:
    a, b = art("Markets", "Up today"), art("Markets", "Down today")
    kept, problems = dedupe([a, b])
    assert kept == [a, b]
    assert problems == []


def test_entries_are_plain_values() -> None:
    e = FileEntry(Path("a.txt"), 3, 42)
    assert e == FileEntry(Path("a.txt"), 3, 42)
    assert hash(e) == hash(FileEntry(Path("a.txt"), 3, 42))


# ------------------------------------------------------------------ links and odd folders


def test_each_real_file_is_read_once_whatever_links_point_at_it(tmp_path: Path) -> None:
    """Issue 10 item 21: 300 symlinks to one 8 MB file took 82 s and 2.6 GB (duplicates were
    removed only after everything was loaded)."""
    real = write(tmp_path / "lib" / "story.txt", "Story\n\nRead once.\n")
    for i in range(300):
        (tmp_path / "lib" / f"link-{i:03}.txt").symlink_to(real)
    os.link(real, tmp_path / "lib" / "zz-hard-link.txt")  # a second name, not a symlink
    entries, problems = discover([tmp_path / "lib"])
    assert [e.path.name for e in entries] == ["story.txt"]  # its own path, not a link's
    assert len(problems) == 301
    assert {p.kind for p in problems} == {"duplicate"}
    assert problems[0].reason == f"same file as {real}; read once"
    loads: list[int] = []
    result = load_entries(entries, progress=lambda done, total: loads.append(total))
    assert loads[-1] == 1
    assert summarize([*problems, *result.problems]).duplicates == 301


def test_links_into_system_and_pseudo_folders_are_not_followed(tmp_path: Path) -> None:
    """Issue 10 item 26: a link to /usr imported 5,287 system files; a link to
    /proc/self/environ made newstui's own environment a searchable article."""
    lib = tmp_path / "lib"
    write(lib / "ok.txt", "Fine\n\nA real article.\n")
    (lib / "usr").symlink_to("/usr")
    (lib / "root").symlink_to("/")
    (lib / "etc-passwd.txt").symlink_to("/etc/passwd")
    (lib / "environ.txt").symlink_to("/proc/self/environ")
    (lib / "stdin.txt").symlink_to("/dev/stdin")
    archive = write(tmp_path / "elsewhere" / "archive" / "old.txt", "Old\n\nFrom the archive.\n")
    (lib / "archive").symlink_to(archive.parent)  # a real use: kept working
    (lib / "one.txt").symlink_to(write(tmp_path / "elsewhere" / "one.txt", "One\n\nLinked.\n"))
    result = scan_library(lib)
    assert sorted(a.title for a in result.articles) == ["Fine", "Old", "One"]
    reasons = {p.path.name: p.reason for p in result.problems}
    # /dev/stdin -> /proc/self/fd/0 -> wherever stdin is (/dev/null, a pipe...)
    assert reasons.pop("stdin.txt") in {
        "link into /proc; not followed",
        "link into /dev; not followed",
    }
    assert reasons == {
        "usr": "link to a system folder (/usr); not followed",
        "root": "link to a system folder (/); not followed",
        "etc-passwd.txt": "link to a system folder (/etc); not followed",
        "environ.txt": "link into /proc; not followed",
    }


def test_a_pseudo_folder_given_as_articles_folder_is_refused(tmp_path: Path) -> None:
    entries, problems = discover([Path("/proc/self")])
    assert entries == []
    assert [p.reason for p in problems] == ["in /proc, not an articles folder; not read"]


def test_a_link_inside_the_articles_folder_to_a_folder_inside_it_is_fine(tmp_path: Path) -> None:
    write(tmp_path / "a" / "x.txt", "X\n\nText.\n")
    (tmp_path / "b").symlink_to(tmp_path / "a")
    entries, problems = discover([tmp_path])
    assert [e.path.name for e in entries] == ["x.txt"]
    assert problems == []  # the folder is walked once (b is the same folder)


def test_folders_deeper_than_the_system_path_limit_are_reported(tmp_path: Path) -> None:
    """Issue 10 item 29: they were skipped without a problem reported."""
    root = tmp_path / "root"
    write(root / "top.txt", "Top\n\nFine.\n")
    fd = os.open(root, os.O_RDONLY)
    try:
        for i in range(20):  # 20 x 244 bytes: past PATH_MAX (4,096)
            name = f"d{i:02}" + "x" * 240
            os.mkdir(name, dir_fd=fd)
            nxt = os.open(name, os.O_RDONLY, dir_fd=fd)
            os.close(fd)
            fd = nxt
        out = os.open("deep.txt", os.O_WRONLY | os.O_CREAT, dir_fd=fd)
        os.write(out, b"Deep\n\nUnreachable by path.\n")
        os.close(out)
    finally:
        os.close(fd)
    result = scan_library(root)
    assert [a.title for a in result.articles] == ["Top"]
    [problem] = result.problems
    assert problem.reason == "path longer than the system allows; not read"
    assert len(str(problem.path)) > 4000


# ------------------------------------------------------------------ duplicates counted


def test_duplicates_are_counted_the_same_cold_warm_and_partly_changed(tmp_path: Path) -> None:
    """Issue 10 item 6: collapsed duplicates are countable, through the scan and through
    the cache (cold, warm, one file changed)."""
    from newstui.core.library.opening import open_library

    lib = tmp_path / "lib"
    write(lib / "a.txt", "Story\n\nSame text.\n")
    write(lib / "b.txt", "Story\n\nSame text.\n")  # same text
    (lib / "c.txt").symlink_to(lib / "a.txt")  # same file
    write(lib / "d.jsonl", '{"title": "T", "body": "B"}\n{"title": "T", "body": "B"}\n')
    write(lib / "e.txt", "Other\n\nSomething else.\n")
    expected = "3 duplicates collapsed"
    assert summarize(scan_library(lib).problems).describe() == expected
    cache = tmp_path / "cache"
    for step in ("cold", "warm", "changed"):
        if step == "changed":
            write(lib / "e.txt", "Other\n\nSomething else again.\n")
            os.utime(lib / "e.txt", ns=(1, 1))
        scan, _ = open_library([lib], cache_dir=cache)
        assert summarize(scan.problems).describe() == expected, step
        assert len(scan.articles) == 3, step


def _mixed_folder(root: Path) -> Path:
    """Fixtures plus duplicates, derived titles, a cut file and URL twins."""
    lib = root / "mixed"
    shutil.copytree(FIXTURES, lib)
    write(lib / "derived.txt", "Markets rose on Monday. Traders cheered.\n")
    write(lib / "derived-again.txt", "Markets rose on Monday. Traders cheered.\n")
    write(lib / "big.txt", "Big file\n\n" + "word " * (2 * 1024 * 1024))  # cut at 8 MB
    lines = [
        '{"title": "Cocoa", "body": "Showers continued.", "url": "https://x.test/1"}',
        '{"title": "Other", "body": "Another text.", "url": "https://x.test/1"}',
        '{"title": "cocoa ", "body": "showers   continued."}',
        '{"body": "No title here. The body goes on."}',
        '{"title": "Tags", "body": "A body", "tags": ["a", "b"]}',
    ]
    write(lib / "lines.jsonl", "\n".join(lines) + "\n")
    return lib


def test_loaders_give_the_text_key_with_the_id(tmp_path: Path) -> None:
    """Every article a loader gives with a text key has that key right (text_key: the
    dedupe key), so deduping need not read the bodies again."""
    from newstui.core.library.scan import text_key

    lib = _mixed_folder(tmp_path)
    entries, _ = discover([lib])
    loaded = load_entries(entries, keep_text_keys=True)
    known = loaded.text_keys
    assert len(known) >= len(loaded.articles) - 3  # all but the shortened-body ones
    for a in loaded.articles:
        entry = known.get(id(a))
        if entry is not None:
            assert entry[0] is a
            assert entry[1] == text_key(a), a.location
    assert load_entries(entries).text_keys == {}  # not kept unless asked for


def test_dedupe_with_the_loaders_keys_reads_no_body_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from newstui.core.library import scan

    lib = _mixed_folder(tmp_path)
    entries, _ = discover([lib])
    expected, expected_dups = dedupe(load_entries(entries).articles)
    loaded = load_entries(entries, keep_text_keys=True)
    computed: list[Article] = []
    real_text_key = scan.text_key

    def counting(a: Article) -> str:
        computed.append(a)
        return real_text_key(a)

    monkeypatch.setattr(scan, "text_key", counting)
    kept, dups = dedupe(loaded.articles, key=loaded.key_for)
    # the same articles kept (ids included), the same duplicates named
    assert [(a.id, a.location) for a in kept] == [(a.id, a.location) for a in expected]
    assert [str(p) for p in dups] == [str(p) for p in expected_dups]
    assert len(dups) >= 3
    # only the articles whose body was shortened for display had their key computed again
    assert len(computed) <= 3
    assert loaded.text_keys == {}  # taken as dedupe went: nothing held after it


def test_a_large_load_is_frozen_out_of_the_cyclic_gc(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import gc

    from newstui.core.library import scan

    write(tmp_path / "a.jsonl", '{"title": "One", "body": "x"}\n{"title": "Two", "body": "y"}\n')
    entries, _ = discover([tmp_path])
    gc.unfreeze()
    try:
        monkeypatch.setattr(scan, "FREEZE_ARTICLES", 3)
        load_entries(entries)
        assert gc.get_freeze_count() == 0  # two articles: a small load is left alone
        monkeypatch.setattr(scan, "FREEZE_ARTICLES", 2)
        result = load_entries(entries)
        assert gc.get_freeze_count() > 0
        young = {id(o) for o in gc.get_objects()}  # what the collector still walks
        assert not any(id(a) in young for a in result.articles)
    finally:
        gc.unfreeze()
