"""The proximity re-rank (issue 13, session 6): the hits' texts read together
(``Matcher.relative_positions_of``, ``rerank.title_positions`` / ``body_positions``) give
the positions the one-hit readings gave, and the re-rank reading them before its walk orders
the candidates exactly as the one-at-a-time walk it replaced (checked against a copy of it)."""

from __future__ import annotations

import bisect
import random
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from newstui.core.article import Article
from newstui.core.search.highlight import MATCH_CHARS, HitMatches, Matcher
from newstui.core.search.ranking import proximity
from newstui.core.search.rerank import Ranked, body_positions, rerank, title_positions

WORDS = st.text(alphabet="abcxyz019", min_size=1, max_size=11)
TEXT = st.text(alphabet="abcxyzAB019 -.,'\t\n_", max_size=160)


@settings(max_examples=400, deadline=None)
@given(
    st.lists(TEXT, max_size=8),
    st.lists(
        st.one_of(WORDS, st.sampled_from(["abcxyzabc1", "abcxyzab", "a.b", "x-y"])), max_size=20
    ),
    st.integers(0, 20),
)
def test_texts_read_together_give_each_text_s_positions(
    texts: list[str], terms: list[str], split: int
) -> None:
    """Many ASCII texts matched in one numpy pass: each text's positions are those of
    ``relative_positions_ascii`` (the one-text reading), for few terms and many (its two
    paths), terms sharing their first eight letters, words longer than eight letters,
    texts empty or with no word."""
    matcher = Matcher([terms[:split], terms[split:]])
    raw = [t.encode("ascii") for t in texts]
    want = [Matcher([terms[:split], terms[split:]]).relative_positions_ascii(t) for t in raw]
    assert matcher.relative_positions_of(raw) == want


def test_a_word_sharing_a_term_s_first_eight_letters_is_no_match() -> None:
    matcher = Matcher([["abcdefghij"], ["oil"]])
    texts = [b"abcdefghix oil abcdefghij", b"ABCDEFGH oil", b"", b"  ", b"abcdefghijk oil"]
    assert matcher.relative_positions_of(texts) == [[(0, 1), (1, 0)], [(0, 1)], [], [], [(0, 1)]]


def old_rerank(
    docs: list[Ranked], matcher: Matcher, n_clauses: int, need: int, weight: float
) -> list[Ranked]:
    """The re-rank of session 5: each hit read on its own, in the walk."""

    def boosted(d: Ranked) -> Ranked:
        hm = HitMatches(d.article, matcher)
        title = hm.title_positions()
        near = proximity([title], n_clauses)
        if near < 1.0:
            near = proximity([title, hm.body_positions()], n_clauses)
        score = d.score * (1.0 + weight * near)
        return Ranked(d.article, score, d.key - d.score + score, d.published)

    def order(d: Ranked) -> tuple[float, float]:
        return (-round(d.key, 6), -d.published)

    if need >= len(docs):
        return sorted((boosted(d) for d in docs), key=order)
    most = 1.0 + weight
    ceiling = [round(d.key - d.score + max(d.score, d.score * most), 6) for d in docs]
    done: dict[int, Ranked] = {}
    found: list[float] = []
    for i in sorted(range(len(docs)), key=ceiling.__getitem__, reverse=True):
        if len(found) >= need and ceiling[i] < -found[need - 1]:
            break
        d = done[i] = boosted(docs[i])
        bisect.insort(found, -round(d.key, 6))
    first = sorted((done[i] for i in sorted(done)), key=order)
    return first + [d for i, d in enumerate(docs) if i not in done]


def _candidates(rng: random.Random, n: int, words: list[str]) -> list[Ranked]:
    docs = []
    for i in range(n):
        title = " ".join(rng.choice(words) for _ in range(rng.randint(0, 6)))
        body = " ".join(rng.choice(words) for _ in range(rng.randint(0, 40)))
        if rng.random() < 0.1:
            body += " café"  # not ASCII: read as text
        a = Article(id=f"a{i}", title=title, body=body, format="text")
        score = rng.choice([1.0, 2.0, 2.5]) if rng.random() < 0.3 else rng.uniform(0.5, 3.0)
        matched = rng.choice([2, 2, 2, 1])
        docs.append(Ranked(a, score, matched * 1e6 + score, rng.choice([0.0, 1.0, float(i)])))
    docs.sort(key=lambda d: (-round(d.key, 6), -d.published))
    return docs


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 10**9), st.integers(1, 40), st.integers(1, 45), st.integers(2, 3))
def test_the_rerank_orders_as_the_one_at_a_time_walk(
    seed: int, n: int, need: int, n_clauses: int
) -> None:
    """Every candidate in the same place with the same score, to the bit, as the walk that
    read one hit at a time (ties, two and three clauses, pages shorter and longer than the
    window, titles that earn the whole bonus, bodies that are not ASCII)."""
    rng = random.Random(seed)
    words = ["oil", "prices", "crude", "rose", "the", "output", "oils", "price", "x"]
    docs = _candidates(rng, n, words)
    clauses = [["oil", "oils"], ["prices", "price"], ["rose"]][:n_clauses]
    for weight in (0.3, 1.0):
        got = rerank(list(docs), Matcher(clauses), n_clauses, need, weight)
        want = old_rerank(list(docs), Matcher(clauses), n_clauses, need, weight)
        assert [(d.article.id, d.score, d.key) for d in got] == [
            (d.article.id, d.score, d.key) for d in want
        ]


def test_stored_titles_and_bodies_read_together_give_the_one_hit_positions(
    tmp_path: Path,
) -> None:
    """A warm library's hits (bodies on disk, ASCII ones read as bytes), read together:
    the positions ``HitMatches`` gives each of them."""
    from newstui.core.library.opening import open_library

    folder = tmp_path / "news"
    folder.mkdir()
    texts = {
        "a": ("Oil prices", "Oil prices rose; OIL output fell as prices of crude oil rose."),
        "b": ("Café oil", "The café's oil prices rose, the oil café said."),
        "c": ("Prices", "Nothing here."),
        "d": ("Crude OIL prices", "prices " * 50 + "oil"),
    }
    for name, (title, body) in texts.items():
        (folder / f"{name}.md").write_text(f"# {title}\n\n{body}\n", encoding="utf-8")
    open_library([folder], cache_dir=tmp_path / "cache")
    warm, _index = open_library([folder], cache_dir=tmp_path / "cache")
    arts = sorted(warm.articles, key=lambda a: a.title)
    for clauses in ([["oil"], ["prices", "rose"]], [["oil"], [f"w{i}" for i in range(20)]]):
        matcher = Matcher(clauses)
        want_titles = [HitMatches(a, matcher).title_positions() for a in arts]
        want_bodies = [HitMatches(a, matcher).body_positions() for a in arts]
        assert title_positions(arts, matcher) == want_titles
        assert title_positions(arts * 5, matcher) == want_titles * 5  # (read together)
        assert body_positions(arts, matcher) == want_bodies
    assert len(arts[0].body) < MATCH_CHARS


@settings(max_examples=500, deadline=None)
@given(
    st.lists(st.lists(st.tuples(st.integers(0, 300), st.integers(0, 1)), max_size=150), max_size=2)
)
def test_the_bonus_of_two_words_is_proximity_s_to_the_bit(
    fields: list[list[tuple[int, int]]],
) -> None:
    """A two-word query's bonus (``near_pair``) is ``ranking.proximity``'s, to the bit: one
    field or two, a word missing, more than 64 matches of a word (only the first 64
    count); positions in order, as a text gives them."""
    from newstui.core.search.rerank import near_pair

    fields = [sorted(dict(f).items()) for f in fields]
    assert near_pair(fields) == proximity(fields, 2)
    far = [(2 * i, 0) for i in range(64)]
    for extra in ([(500, 0), (501, 1)], [(126, 1)]):  # a 65th beside the second; or not
        assert near_pair([[*far, *extra]]) == proximity([[*far, *extra]], 2)
