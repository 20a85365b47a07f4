"""Scoring shortcuts of ``ranking`` (issue 13, session 5) give what the plain paths they
replace gave, to the bit: checked against those paths on generated posting lists."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newstui.core.search.ranking import _summed


def _random_index(words: list[str], *, seed: int, n: int, shape: tuple[int, int, int]) -> Any:
    """An index of ``n`` articles whose title, body and tags are ``shape`` words drawn
    from ``words``."""
    from newstui.core.article import Article
    from newstui.core.search import SearchIndex

    rng = np.random.default_rng(seed)
    title, body, tags = shape
    index = SearchIndex()
    index.add(
        Article(
            id=str(i),
            title=" ".join(rng.choice(words, title)),
            body=" ".join(rng.choice(words, body)),
            format="text",
            tags=tuple(rng.choice(words, tags)),
        )
        for i in range(n)
    )
    return index


def test_small_posting_lists_summed_over_fields_as_before() -> None:
    """``ranking._summed`` (a stable sort of each field's sorted keys) gives the keys and
    the float64-then-float32 sums that ``np.unique`` and ``bincount`` over its inverse gave,
    to the bit, for keys in one field or several (a key in up to five)."""
    rng = np.random.default_rng(13)
    n = 1000
    for n_fields in (1, 2, 5):
        for _ in range(50):
            small = np.sort(rng.choice(40, rng.integers(1, 12), replace=False)).astype(np.int64)
            d_parts, v_parts, c_parts = [], [], []
            for _f in range(n_fields):
                ds = [np.sort(rng.choice(n, rng.integers(0, 30), replace=False)) for _ in small]
                d_parts.append(np.concatenate(ds).astype(np.int32))
                v_parts.append(np.repeat(small, [len(d) for d in ds]))
                c_parts.append((rng.random(len(d_parts[-1])) * 7).astype(np.float32))
            if not sum(len(d) for d in d_parts):
                continue
            key = np.concatenate(v_parts) * n + np.concatenate(d_parts).astype(np.int64)
            uniq, inv = np.unique(key, return_inverse=True)
            want = np.bincount(inv, weights=np.concatenate(c_parts)).astype(np.float32)
            got_key, got_tf = _summed(d_parts, v_parts, c_parts, n)
            assert got_key.tolist() == uniq.tolist()
            assert got_tf.dtype == np.float32
            assert got_tf.tobytes() == want.tobytes()


def test_a_clauses_postings_are_counted_as_before() -> None:
    """``_postings_size`` (which picks the clause to restrict scoring to) counts what the
    posting lists of ``_postings`` hold, for every field and for one field (``title:``)."""
    from newstui.core.search.planning import plan
    from newstui.core.search.query import parse
    from newstui.core.search.ranking import _postings, _postings_size

    words = ["market", "markets", "marker", "trade", "traders", "trading", "oil", "coil"]
    index = _random_index(words, seed=5, n=200, shape=(3, 12, 1))
    snap = index._snap
    counted = []
    for q in ("markt tradng", "title:markets oil", "marke", "coil OR trade", "zzzz"):
        for cp in plan(snap, parse(q), index.config):
            want = sum(int(ln.sum()) for _, _, ln in _postings(snap.segments[0], cp))
            assert _postings_size(snap.segments[0], cp) == want, q
            counted.append(want)
    assert min(counted) == 0 < max(counted)  # the unknown word counts none


def test_common_words_scored_over_every_document_score_the_same(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A common word in several fields (postings of more than 1/DENSE_FRACTION of the
    documents) is scored over every document: the same scores, to the bit, and so the same
    hits in the same order, as scoring it at its postings."""
    import newstui.core.search.ranking as ranking
    from newstui.core.search.planning import plan
    from newstui.core.search.query import parse

    words = ["oil", "oils", "price", "prices", "crude", "march", "output", "opec", "barrel"]
    monkeypatch.setattr(ranking, "BATCH_POSTINGS", 16)  # "big" lists in a small index
    index = _random_index(words, seed=7, n=400, shape=(4, 30, 2))
    calls: list[int] = []
    dense = ranking._dense_scores

    def counted(scratch: Any, factor: Any, k1: float) -> Any:
        calls.append(1)
        return dense(scratch, factor, k1)

    monkeypatch.setattr(ranking, "_dense_scores", counted)
    snap = index._snap
    queries = ("oil prices", "oils", "crude march", "prise", "barel outpt", "title:oil opec")
    for q in (*queries, "oil OR crude", "march OR opec output"):
        parsed = parse(q)
        plans = plan(snap, parsed, index.config)
        got = []
        for fraction in (0, 12):  # 0: never dense
            monkeypatch.setattr(ranking, "DENSE_FRACTION", fraction)
            ev = ranking.evaluate(snap, 0, parsed, plans, index.config, restrict=False)
            got.append((ev.total.tobytes(), ev.matched.tobytes()))
            got.append([(h.article.id, h.score) for h in index.search(q, limit=20).hits])
        assert got[0] == got[2] and got[1] == got[3], q
    assert len(calls) > 6  # the common words did take the dense path


def old_proximity(fields: list[list[tuple[int, int]]], n_clauses: int) -> float:
    """``ranking.proximity`` before session 5: every pair of matches, one by one."""
    total = 0.0
    for ca in range(n_clauses - 1):
        cb = ca + 1
        best = 0.0
        for matches in fields:
            pa = [p for p, c in matches if c == ca][:64]
            if not pa:
                continue
            pb = [p for p, c in matches if c == cb][:64]
            for x in pa:
                for y in pb:
                    d = y - x
                    cost = d - 1 if d > 0 else 1 - d
                    best = max(best, 1.0 / (1.0 + cost))
        total += best
    return total / max(1, n_clauses - 1)


@settings(max_examples=500, deadline=None)
@given(
    st.lists(st.lists(st.tuples(st.integers(0, 300), st.integers(0, 3)), max_size=150), max_size=2),
    st.integers(1, 4),
)
def test_proximity_is_the_best_pair_as_before(
    fields: list[list[tuple[int, int]]], n_clauses: int
) -> None:
    """The cheapest pair found by one walk (or a small product) gives the bonus that
    measuring every pair gave, to the bit; positions in order, as a text gives them."""
    from newstui.core.search.ranking import proximity

    fields = [sorted(set(f), key=lambda pc: pc[0]) for f in fields]
    fields = [[(p, c) for i, (p, c) in enumerate(f) if i == 0 or p != f[i - 1][0]] for f in fields]
    assert proximity(fields, n_clauses) == old_proximity(fields, n_clauses)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 40), st.integers(0, 2)), max_size=30),
    st.lists(st.tuples(st.integers(0, 40), st.integers(0, 2)), max_size=30),
    st.integers(1, 3),
)
def test_a_title_with_every_pair_side_by_side_leaves_nothing_to_the_body(
    title: list[tuple[int, int]], body: list[tuple[int, int]], n_clauses: int
) -> None:
    """Why the re-rank skips reading the body when the title alone gives the full bonus:
    then the title and any body give it too (the bonus is the best field's, at most 1)."""
    from newstui.core.search.ranking import proximity

    title = sorted(dict(title).items())
    body = sorted(dict(body).items())
    alone = proximity([title], n_clauses)
    both = proximity([title, body], n_clauses)
    assert both >= alone
    if alone == 1.0:
        assert both == 1.0


def test_the_rerank_reads_no_body_when_the_title_has_the_words_side_by_side(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from newstui.core.article import Article
    from newstui.core.search import SearchIndex, rerank
    from newstui.core.search.highlight import Matcher

    index = SearchIndex()
    index.add(
        [
            Article(
                id="a", title="Oil prices fall", body="Crude oil output and prices.", format="text"
            ),
            Article(id="b", title="Prices of oil", body="Oil prices rose in March.", format="text"),
            Article(
                id="c", title="Oil output", body="Prices fell as oil output rose.", format="text"
            ),
        ]
    )
    read: list[str] = []
    body_positions = rerank.body_positions

    def counted(arts: list[Article], matcher: Matcher) -> list[list[tuple[int, int]]]:
        read.extend(a.id for a in arts)
        return body_positions(arts, matcher)

    monkeypatch.setattr(rerank, "body_positions", counted)
    hits = [h.article.id for h in index.search("oil prices", limit=10).hits]
    assert hits[0] == "a"  # "Oil prices" side by side in the title: the full bonus
    assert "a" not in read and {"b", "c"} <= set(read)


def test_scores_with_no_filter_are_those_with_a_filter_that_keeps_every_document() -> None:
    """With no filter (no deletion, date or excluded word) the scores are not masked by the
    filters (nothing to mask; a one-word alternative already scores 0 where absent): the
    same to the bit as with a filter that keeps every document (an excluded word no
    article has), for one word, a compound of several, a phrase, alternatives, a field."""
    from newstui.core.search.planning import plan
    from newstui.core.search.query import parse
    from newstui.core.search.ranking import evaluate

    words = ["oil", "crude", "prices", "march", "opec", "output", "e-mail", "barrel"]
    index = _random_index(words, seed=11, n=300, shape=(3, 20, 1))
    snap = index._snap
    for q in (
        "oil prices",
        "oli pric",
        "email output",
        '"crude oil" march',
        "opec OR barel",
        "title:oil",
    ):
        got = []
        for text in (q, f"-zzzqqq {q}"):
            parsed = parse(text)
            ev = evaluate(snap, 0, parsed, plan(snap, parsed, index.config), index.config)
            got.append((ev.total.tobytes(), ev.matched.tobytes(), ev.base.all()))
            got.append([(h.article.id, h.score) for h in index.search(text, limit=30).hits])
        assert got[0] == got[2] and got[1] == got[3], q
        assert got[1]  # (something matched)
