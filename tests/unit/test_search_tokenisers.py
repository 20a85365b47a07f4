"""A large build tokenised by worker processes gives the index a build in one process
gives: the same term ids, postings, lengths and search results."""

from __future__ import annotations

import pytest
from index_support import assert_same_index

from newstui.core.article import Article
from newstui.core.search import SearchIndex, tokenisers, writing


def art(aid: str, title: str, body: str, tags: tuple[str, ...] = ()) -> Article:
    return Article(id=aid, title=title, body=body, format="text", tags=tags)


WORDS = ["cocoa", "U.S.", "well-known", "1,000", "Trump's", "café", "x-ray", "3.5", "Øresund"]


def corpus(n: int) -> list[Article]:
    return [
        art(
            f"d{i}",
            f"{WORDS[i % 9]} {WORDS[(i * 4) % 9]} title{i}",
            f"{WORDS[(i * 5) % 9]} body{i % 37} (copy {i // 50}), said.\n\nword{i * 7 % 101}",
            tags=(WORDS[i % 4], f"t{i % 5}"),
        )
        for i in range(n)
    ]


def build(articles: list[Article], monkeypatch: pytest.MonkeyPatch, workers: bool) -> SearchIndex:
    monkeypatch.setattr(writing, "BUILD_CHUNK", 16)
    monkeypatch.setattr(tokenisers, "PROCESS_MIN", 1 if workers else 10**9)
    monkeypatch.setattr(tokenisers, "TOKENISERS", 2)
    index = SearchIndex()
    index.add(articles)
    return index


def test_workers_and_one_process_build_the_same_index(monkeypatch: pytest.MonkeyPatch) -> None:
    articles = corpus(300)
    spawned: list[int] = []
    real = tokenisers.ProcessPoolExecutor

    def pool(*args: object, **kwargs: object) -> object:
        spawned.append(1)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(tokenisers, "ProcessPoolExecutor", pool)
    monkeypatch.setattr(tokenisers, "TOKENISERS", 2)
    if tokenisers.workers_for(300 * 10**6) == 0:
        pytest.skip("one core: no worker processes")
    by_workers = build(articles, monkeypatch, workers=True)
    assert spawned  # the workers did tokenise
    alone = build(articles, monkeypatch, workers=False)
    # every term the id a one-process build gives it, the same arrays and hits
    queries = ("cocoa", "us", "xray", "oresund", "body12", "title299", "copy")
    assert_same_index(by_workers, alone, queries, limit=100)


def test_a_pool_that_cannot_start_leaves_the_build_in_this_process(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def no_pool(*args: object, **kwargs: object) -> object:
        raise OSError("no semaphores here")

    monkeypatch.setattr(tokenisers, "ProcessPoolExecutor", no_pool)
    monkeypatch.setattr(tokenisers.os, "cpu_count", lambda: 2)
    articles = corpus(100)
    index = build(articles, monkeypatch, workers=True)
    assert index.search("title42").hits[0].article.id == "d42"
    assert len(index) == 100


def test_a_pool_that_breaks_midway_finishes_in_this_process(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from concurrent.futures import Future

    class Breaking:
        """Answers two chunks as a worker would, then fails like a killed worker."""

        def __init__(self, *args: object, **kwargs: object) -> None:
            self.calls = 0

        def submit(self, fn: object, columns: writing.Columns) -> Future[object]:
            self.calls += 1
            future: Future[object] = Future()
            if self.calls <= 2:
                future.set_result(tokenisers._tokenise(columns))
            else:
                future.set_exception(RuntimeError("a worker died"))
            return future

        def shutdown(self, **kwargs: object) -> None:
            pass

    monkeypatch.setattr(tokenisers, "ProcessPoolExecutor", Breaking)
    monkeypatch.setattr(tokenisers.os, "cpu_count", lambda: 2)
    monkeypatch.setattr(tokenisers, "_READERS", None)
    articles = corpus(120)
    index = build(articles, monkeypatch, workers=True)
    alone = build(articles, monkeypatch, workers=False)
    assert index.export_parts()[2] == alone.export_parts()[2]
    assert len(index) == 120
    assert [h.article.id for h in index.search("cocoa", limit=200).hits] == [
        h.article.id for h in alone.search("cocoa", limit=200).hits
    ]


def test_only_a_large_build_on_two_cores_or_more_uses_workers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(tokenisers.os, "cpu_count", lambda: 2)
    assert tokenisers.workers_for(10**7) == 2
    assert tokenisers.workers_for(tokenisers.PROCESS_MIN - 1) == 0
    monkeypatch.setattr(tokenisers.os, "cpu_count", lambda: 1)
    assert tokenisers.workers_for(10**7) == 0
