"""``folder:NAME`` (``in:NAME``) finds the articles of a folder at any depth (the BBC
corpus's sport/, a fetched feed's folder); ``-folder:NAME`` those outside it."""

from __future__ import annotations

from pathlib import Path

from newstui.core.article import Article
from newstui.core.search import SearchIndex
from newstui.core.search.query import parse

ROOT = Path("/news")


def art(aid: str, folder: str, title: str) -> Article:
    return Article(aid, title, f"{title} body", "text", path=ROOT / folder / f"{aid}.txt")


def index() -> SearchIndex:
    idx = SearchIndex()
    idx.add(
        [
            art("s1", "sport", "Cup final tonight"),
            art("s2", "sport/football", "Striker signs"),
            art("b1", "business", "Market cup rally"),
            art("f1", "example-feed", "Feed news cup"),
            Article("m", "Memory cup", "no file", "text"),
        ]
    )
    return idx


def ids(query: str) -> list[str]:
    return sorted(h.article.id for h in index().search(query, limit=50).hits)


def test_parse_folder_filters() -> None:
    q = parse("cup folder:Sport/Football -in:business")
    assert q.folders == [("sport", "football")]
    assert q.not_folders == [("business",)]
    assert q.has_filters
    assert any("needs a folder name" in e for e in parse("folder: cup").errors)


def test_folder_alone_lists_the_folder_at_any_depth() -> None:
    assert ids("folder:sport") == ["s1", "s2"]
    assert ids("in:football") == ["s2"]
    assert ids("folder:sport/football") == ["s2"]
    assert ids("folder:example-feed") == ["f1"]


def test_folder_with_words_and_negated() -> None:
    assert ids("cup folder:sport") == ["s1"]
    assert ids("cup -folder:sport") == ["b1", "f1", "m"]
    assert ids("folder:nowhere") == []


def test_folder_name_matches_whole_names_only() -> None:
    assert ids("folder:spo") == []
    assert ids("folder:sport/business") == []
