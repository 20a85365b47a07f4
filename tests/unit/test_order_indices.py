"""core/order.order_indices: the numpy orders list exactly what sort_articles lists."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from newstui.core.article import Article
from newstui.core.order import SORTS, order_indices, sort_articles

LONG = "The central bank said on Tuesday that the rate would stay "  # > 32 bytes


def _library(seed: int, n: int) -> list[Article]:
    rng = random.Random(seed)
    base = datetime(2024, 1, 1, tzinfo=UTC)
    titles = [
        "Oil",
        "oil",
        "OIL prices",
        "Érable",
        "erable",
        "Straße",
        "STRASSE",
        "",
        LONG + "unchanged",
        LONG + "higher",
        LONG + "Higher",
        "日本 exports",
        "a\u0301 accent",
    ]
    sources = ["Reuters", "reuters", "AP", "", "Agence France-Presse (long source name here)"]
    out = []
    for _ in range(n):
        undated = rng.random() < 0.2
        when = None if undated else base + timedelta(hours=rng.randrange(6))
        # ids: mostly 16 hex digits, some longer ids sharing a long prefix
        art_id = f"{rng.getrandbits(64):016x}"
        if rng.random() < 0.1:
            art_id = "feed-item-0000000000-" + str(rng.randrange(1000))
        out.append(
            Article(
                id=art_id,
                title=rng.choice(titles),
                body="",
                format="text",
                source=rng.choice(sources),
                published=when,
                word_count=0,
            )
        )
    # unique ids, as after dedupe
    return list({a.id: a for a in out}.values())


@pytest.mark.parametrize("sort", SORTS)
@pytest.mark.parametrize("seed", range(6))
def test_same_order_as_sort_articles(sort: str, seed: int) -> None:
    arts = _library(seed, 400)
    expected = [a.id for a in sort_articles(arts, sort)]
    got = [arts[i].id for i in order_indices(arts, sort)]
    assert got == expected


def test_small_and_unknown_sort() -> None:
    arts = _library(1, 50)
    assert order_indices([], "newest") == []
    assert order_indices(arts[:1], "newest") == [0]
    assert [arts[i].id for i in order_indices(arts, "bogus")] == [
        a.id for a in sort_articles(arts, "newest")
    ]
