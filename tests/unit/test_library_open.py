"""One way to open a library and one to take new files into it (issue 11): the result is
the same as opening the folders afresh — duplicates collapsed, changed files replaced."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from newstui.core.library.opening import OpenLibrary, ingest, open_library
from newstui.core.problems import summarize


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def view(lib: OpenLibrary) -> tuple[object, ...]:
    """What a user sees of a library: the articles, the problems, what a search finds."""
    articles = sorted((a.id, a.title, a.body, str(a.path)) for a in lib.scan.articles)
    problems = sorted(str(p) for p in lib.scan.problems)
    hits = sorted(h.article.id for h in lib.search_index.search("harbour OR lighthouse").hits)
    return articles, problems, hits, len(lib.search_index)


def test_without_the_cache_it_opens_the_same_library(tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    write(lib / "a.txt", "Title: Harbour\n\nThe harbour froze.\n")
    write(lib / "b.txt", "Title: Harbour\n\nThe harbour froze.\n")
    write(lib / "c.jsonl", '{"title": "Lighthouse", "body": "A new keeper."}\nnot json\n')
    cached = open_library([lib], cache_dir=tmp_path / "cache")
    plain = open_library([lib], use_cache=False, cache_dir=tmp_path / "cache2")
    assert view(plain) == view(cached)
    assert not (tmp_path / "cache2").exists()  # use_cache=False writes no cache
    assert summarize(plain.scan.problems).describe().endswith("1 duplicate collapsed")


def test_a_new_file_repeating_an_article_is_a_duplicate_as_on_a_first_open(
    tmp_path: Path,
) -> None:
    lib = tmp_path / "lib"
    write(lib / "harbour.txt", "Title: Harbour\n\nThe harbour froze.\n")
    opened = open_library([lib], use_cache=False)
    copy = write(lib / "feed" / "harbour-copy.md", "# Harbour\n\nThe harbour froze.\n")
    new = write(lib / "feed" / "lighthouse.md", "# Lighthouse\n\nA new keeper arrived.\n")
    after, added = ingest(opened, [copy, new])
    assert [a.title for a in added] == ["Lighthouse"]
    assert sorted(a.title for a in after.scan.articles) == ["Harbour", "Lighthouse"]
    assert [p.kind for p in after.scan.problems] == ["duplicate"]
    assert view(after) == view(open_library([lib], use_cache=False))


def test_a_changed_file_replaces_its_articles_and_a_rewritten_same_text_is_not_new(
    tmp_path: Path,
) -> None:
    lib = tmp_path / "lib"
    a = write(lib / "a.md", "---\ntitle: Harbour\nurl: https://e.example/h\n---\nIt froze.\n")
    b = write(lib / "b.md", "---\ntitle: Lighthouse\n---\nA keeper.\n")
    opened = open_library([lib], use_cache=False)
    old_id = next(x.id for x in opened.scan.articles if x.title == "Harbour")
    write(a, "---\ntitle: Harbour\nurl: https://e.example/h\n---\nIt thawed.\n")
    after, added = ingest(opened, [a, b])
    assert [(x.title, x.body) for x in added] == [("Harbour", "It thawed.")]
    assert [x.body for x in after.scan.articles if x.id == old_id] == ["It thawed."]
    assert after.search_index.search("thawed").total == 1
    assert after.search_index.search("froze").total == 0
    assert view(after) == view(open_library([lib], use_cache=False))


def test_a_file_now_unreadable_drops_its_articles_and_says_why(tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    bad = write(lib / "a.json", '{"title": "Harbour", "body": "It froze."}')
    opened = open_library([lib], use_cache=False)
    assert len(opened.scan.articles) == 1
    write(bad, "{ not json")
    after, added = ingest(opened, [bad])
    assert added == [] and after.scan.articles == []
    assert [dataclasses.replace(p, reason="") for p in after.scan.problems] == [
        dataclasses.replace(p, reason="")
        for p in open_library([lib], use_cache=False).scan.problems
    ]
    assert len(after.search_index) == 0
