"""The typo/prefix lookups of ``spelling.Vocab`` and the proximity reading of a hit (issue
13, item 4) find exactly what the plain paths they replace found: checked against reference
implementations on generated vocabularies (many near neighbours, accents, words longer than
the vectorised keys) and texts."""

from __future__ import annotations

import bisect
import random
from pathlib import Path

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz.distance import OSA

from newstui.core.search.highlight import _RUN_RE, Matcher
from newstui.core.search.normalize import ASCII_WORD_RE, fold
from newstui.core.search.segments import TermDict
from newstui.core.search.spelling import _EDIT_ALPHABET, KEY_BYTES, Vocab


def make_vocab(words: list[str], seed: int = 0) -> Vocab:
    rng = random.Random(seed)
    terms = TermDict()
    for w in words:
        terms[w]  # assigns an id
    df = np.array([rng.randint(1, 50) for _ in terms.terms], np.int32)
    return Vocab(terms, len(terms.terms), df)


def old_fuzzy_prefix_positions(vocab: Vocab, word: str, limit: int, deletions: bool) -> set[int]:
    """The path before issue 13: every head generated, each bisected (no limit applied:
    the candidates the limit then picks from)."""
    n = len(word)
    heads = {word[:i] + word[i + 1 :] for i in range(n - 1)} if deletions else set()
    heads |= {word[:i] + word[i + 1] + word[i] + word[i + 2 :] for i in range(n - 1)}
    for i in range(n):
        for c in _EDIT_ALPHABET:
            heads.add(word[:i] + c + word[i + 1 :])
            heads.add(word[:i] + c + word[i:])
    heads.discard(word)
    terms = vocab.sorted_terms
    out: set[int] = set()
    for head in heads:
        if head.startswith(word):
            continue
        lo = bisect.bisect_left(terms, head)
        if lo < len(terms) and terms[lo].startswith(head):
            out.update(range(lo, bisect.bisect_left(terms, head + "\U0010ffff", lo)))
    return {p for p in out if not terms[p].startswith(word)}


def brute_prefix_range(terms: list[str], head: str) -> set[int]:
    return {i for i, t in enumerate(terms) if t.startswith(head)}


LETTERS = "abcdeé1"
word_st = st.text(alphabet=LETTERS, min_size=1, max_size=9)
long_st = st.text(alphabet="ab", min_size=KEY_BYTES - 2, max_size=KEY_BYTES + 4)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(word_st | long_st, min_size=0, max_size=120, unique=True),
    word_st | long_st,
    st.booleans(),
)
def test_fuzzy_prefix_positions_match_the_old_path(
    words: list[str], word: str, deletions: bool
) -> None:
    vocab = make_vocab(words)
    want = old_fuzzy_prefix_positions(vocab, word, 10**6, deletions)
    got = vocab.fuzzy_prefix_positions(word, 10**6, deletions=deletions)
    assert len(got) == len(set(got))
    assert set(got) == want
    # With a limit: the most frequent of the same candidates.
    few = vocab.fuzzy_prefix_positions(word, 3, deletions=deletions)
    if len(want) > 3:
        dfs = sorted((int(vocab.sorted_df[p]) for p in want), reverse=True)
        assert sorted((int(vocab.sorted_df[p]) for p in few), reverse=True) == dfs[:3]
    else:
        assert set(few) == want


@settings(max_examples=150, deadline=None)
@given(st.lists(word_st | long_st, max_size=80, unique=True), st.lists(word_st | long_st))
def test_prefix_ranges_are_the_terms_starting_with_each_head(
    words: list[str], heads: list[str]
) -> None:
    vocab = make_vocab(words)
    los, his = vocab.prefix_ranges(heads)
    for head, lo, hi in zip(heads, los.tolist(), his.tolist(), strict=True):
        assert set(range(lo, hi)) == brute_prefix_range(vocab.sorted_terms, head), head


def test_a_typo_while_typing_finds_completions_of_its_neighbours() -> None:
    vocab = make_vocab(["session", "sessions", "seasonal", "lesson", "mission"])
    found = {vocab.sorted_terms[p] for p in vocab.fuzzy_prefix_positions("sesio", 32)}
    assert found == {"session", "sessions"}  # insertion of "s"; not "seasonal", 2 edits
    assert all(
        OSA.distance("sesio", t[:5]) <= 1 or OSA.distance("sesio", t[:6]) <= 1 for t in found
    )


@settings(max_examples=200, deadline=None)
@given(
    st.text(alphabet="abcAB01 -.,'\t\n_é", max_size=200),
    st.lists(st.text(alphabet="abc01é", min_size=1, max_size=3), max_size=6),
)
def test_proximity_positions_are_the_regex_runs(text: str, terms: list[str]) -> None:
    """``Matcher.positions`` (the proximity bonus's reading) cuts ASCII text with a byte
    table: the same words at the same positions as the regex it replaced."""
    matcher = Matcher([terms[:3], terms[3:]])
    folded = fold(text)
    runs = (ASCII_WORD_RE if folded.isascii() else _RUN_RE).findall(folded)
    want = [(i, matcher.clause_of[w]) for i, w in enumerate(runs) if w in matcher.clause_of]
    assert matcher.positions(text) == want


ASCII = "abcdefghijklmnopqrstuvwxyz0123456789"


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_fuzzy_prefix_heads_built_as_bytes_match_the_old_path(data: st.DataObject) -> None:
    """An ASCII word's one-typo heads are built as rows of bytes (``_edit_ranges``): the
    same terms as the strings they replaced, for words up to the key width and beyond,
    against a vocabulary made of the word's own neighbours (every kind of edit, at every
    place) and their completions."""
    word = data.draw(st.text(alphabet=ASCII[:6] + "z9", min_size=1, max_size=KEY_BYTES + 1))
    rng = random.Random(data.draw(st.integers(0, 10**6)))
    words: set[str] = set()
    for _ in range(data.draw(st.integers(0, 60))):
        i = rng.randrange(len(word) + 1)
        c = rng.choice(ASCII)
        edit = rng.choice(
            [
                word[:i] + c + word[i + 1 :],
                word[:i] + c + word[i:],
                word[:i] + word[i + 1 :],
                word[:i] + word[i + 1 : i + 2] + word[i : i + 1] + word[i + 2 :],
            ]
        )
        words.add(edit + "".join(rng.choice(ASCII) for _ in range(rng.randrange(3))))
    words.discard("")
    vocab = make_vocab(sorted(words))
    for deletions in (True, False):
        want = old_fuzzy_prefix_positions(vocab, word, 10**6, deletions)
        got = vocab.fuzzy_prefix_positions(word, 10**6, deletions=deletions)
        assert sorted(got) == sorted(want), (word, deletions)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(-3, 50), max_size=300))
def test_sorted_unique_is_numpys_unique(values: list[int]) -> None:
    from newstui.core.search.arrays import sorted_unique

    for dtype in (np.int32, np.int64):
        a = np.array(values, dtype)
        got = sorted_unique(a)
        assert got.dtype == a.dtype
        assert got.tolist() == np.unique(a).tolist()


def old_near(vocab: Vocab, word: str, k: int) -> set[tuple[int, str]]:
    """``Vocab.near`` before session 5: every term of each length within ``k``, measured
    one by one (no pre-filter): the set of ``(distance, term)`` it must find."""
    return {
        (d, t)
        for t in vocab.sorted_terms
        if abs(len(t) - len(word)) <= k and 0 < (d := OSA.distance(word, t)) <= k
    }


NEAR_LETTERS = "abcdé1-'"


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.text(alphabet=NEAR_LETTERS, min_size=1, max_size=10), max_size=150, unique=True),
    st.text(alphabet=NEAR_LETTERS, min_size=1, max_size=11),
    st.integers(1, 3),
)
def test_near_finds_every_term_within_k_typos(words: list[str], word: str, k: int) -> None:
    """The one pre-filter over every length at once (character kinds shared) rules out
    only terms more than ``k`` typos away: ``near`` finds exactly what measuring every
    term finds, the word itself left out, each with its term id."""
    vocab = make_vocab(words)
    got = vocab.near(word, k)
    assert {(n.distance, n.term) for n in got} == old_near(vocab, word, k)
    terms = vocab.sorted_terms
    tids = vocab.sorted_tids.tolist()
    assert all(tids[terms.index(n.term)] == n.tid for n in got)


def test_near_on_an_empty_vocabulary_and_beyond_its_longest_term() -> None:
    assert make_vocab([]).near("words", 1) == []
    vocab = make_vocab(["cat", "coat"])
    assert vocab.near("catalogues", 2) == []
    assert {n.term for n in vocab.near("cot", 1)} == {"cat", "coat"}


def edited(word: str, rng: random.Random, alphabet: str) -> str:
    """``word`` with one random edit (substitution, insertion, deletion, transposition)."""
    i = rng.randrange(len(word) + 1)
    c = rng.choice(alphabet)
    return rng.choice(
        [
            word[:i] + c + word[i + 1 :],
            word[:i] + c + word[i:],
            word[:i] + word[i + 1 :],
            word[:i] + word[i + 1 : i + 2] + word[i : i + 1] + word[i + 2 :],
        ]
    )


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_the_one_typo_table_finds_every_neighbour(data: st.DataObject) -> None:
    """One typo from an ASCII word of up to 8 letters is looked up in the deletion table
    (``_Deletions``): against a vocabulary of the word's own neighbours at one and two
    edits (every kind of edit, anywhere; ASCII punctuation and accented letters too), it
    finds exactly the terms measuring every term finds."""
    word = data.draw(st.text(alphabet="abcxyz9'", min_size=1, max_size=8))
    rng = random.Random(data.draw(st.integers(0, 10**6)))
    words: set[str] = set()
    for _ in range(data.draw(st.integers(0, 80))):
        w = edited(word, rng, "abcz9'-é")
        if rng.random() < 0.4:
            w = edited(w, rng, "abcz9'-é")
        words.add(w)
    words.discard("")
    vocab = make_vocab(sorted(words))
    got = vocab.near(word, 1)
    assert len(got) == len({n.term for n in got})
    assert {(n.distance, n.term) for n in got} == old_near(vocab, word, 1)
    assert {(n.tid, n.term) for n in got} <= set(
        zip(vocab.sorted_tids.tolist(), vocab.sorted_terms, strict=True)
    )


def test_the_one_typo_table_holds_each_short_ascii_term_and_its_deletions() -> None:
    vocab = make_vocab(["cart", "chart", "carts", "café", "abcdefghij"])
    table = vocab.deletions
    # cart: itself + 4 deletions; chart, carts: 1 + 5 each; café (not ASCII) and the
    # 10-letter word (longer than DELETIONS_MAX_LEN) are not in it.
    assert len(table.keys) == 5 + 6 + 6
    assert {n.term for n in vocab.near("cat", 1)} == {"cart"}
    assert {n.term for n in vocab.near("cafe", 1)} == {"café"}  # among the others
    assert {n.term for n in vocab.near("carte", 1)} == {"cart", "carts"}
    assert {n.term for n in vocab.near("chrat", 1)} == {"chart"}


@settings(max_examples=300, deadline=None)
@given(
    st.text(alphabet="abcAB01 -.,'\t\n_é", max_size=200),
    st.lists(st.text(alphabet="abcB01é.'", min_size=1, max_size=3), max_size=16),
    st.integers(1, 15),
)
def test_relative_positions_are_the_positions_from_the_first_match(
    text: str, terms: list[str], split: int
) -> None:
    """``Matcher.relative_positions`` (the proximity bonus's reading since session 5:
    ASCII text searched term by term when the query has few terms) gives what
    ``positions`` gives, counted from the first match: the same gaps, clauses, order."""
    matcher = Matcher([terms[:split], terms[split:]])
    want = matcher.positions(text)
    if want:
        want = [(i - want[0][0], c) for i, c in want]
    assert matcher.relative_positions(text) == want


def test_relative_positions_search_few_terms_and_cut_for_many() -> None:
    from newstui.core.search.highlight import FIND_TERMS

    text = "Oil prices rose; OIL output fell as prices of crude oil rose again."
    few = Matcher([["oil"], ["prices", "rose"]])
    assert few.relative_positions(text) == [
        (0, 0),
        (1, 1),
        (2, 1),
        (3, 0),
        (7, 1),
        (10, 0),
        (11, 1),
    ]
    many = Matcher([["oil"], ["prices", "rose", *(f"w{i}" for i in range(FIND_TERMS))]])
    assert many.relative_positions(text) == few.relative_positions(text)
    assert few.relative_positions("no match here") == []
    assert few.relative_positions("the oil") == [(0, 0)]


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_two_typos_find_every_neighbour_through_both_pre_filters(data: st.DataObject) -> None:
    """Two typos (a 9+ letter word): the character-kind and character-pair pre-filters
    rule out only terms more than two typos away, against a vocabulary of the word's own
    neighbours at one, two and three edits (transpositions among them, which change three
    pairs each)."""
    word = data.draw(st.text(alphabet="abcdxy9'é", min_size=9, max_size=12))
    rng = random.Random(data.draw(st.integers(0, 10**6)))
    words: set[str] = set()
    for _ in range(data.draw(st.integers(1, 60))):
        w = word
        for _ in range(rng.choice([1, 2, 2, 3])):
            w = edited(w, rng, "abcdz9'é")
        words.add(w)
    words.discard("")
    vocab = make_vocab(sorted(words))
    got = vocab.near(word, 2)
    assert {(n.distance, n.term) for n in got} == old_near(vocab, word, 2)


def test_a_stored_ascii_body_is_read_as_bytes_with_the_same_positions(tmp_path: Path) -> None:
    """The proximity bonus reads a warm library's body as its bytes on disk when they are
    ASCII (no decoding): the positions are those of the decoded text; a body with other
    characters, or one set as text, is read as text."""
    from newstui.core.article import stored_ascii_body
    from newstui.core.library.opening import open_library
    from newstui.core.search.highlight import MATCH_CHARS, HitMatches

    folder = tmp_path / "news"
    folder.mkdir()
    (folder / "a.md").write_text(
        "# Oil prices\n\nOil prices rose; OIL output fell as prices of crude oil rose again.\n",
        encoding="utf-8",
    )
    (folder / "b.md").write_text(
        "# Café\n\nThe café's oil prices rose, the oil café said.\n", encoding="utf-8"
    )
    open_library([folder], cache_dir=tmp_path / "cache")
    warm, _index = open_library([folder], cache_dir=tmp_path / "cache")
    by_title = {a.title: a for a in warm.articles}
    ascii_one, other = by_title["Oil prices"], by_title["Café"]
    assert stored_ascii_body(ascii_one) == ascii_one.body.encode("ascii")
    assert stored_ascii_body(other) is None  # é: read as text
    matcher = Matcher([["oil"], ["prices", "rose"]])
    for a in (ascii_one, other):
        got = HitMatches(a, matcher).body_positions()
        assert got == matcher.relative_positions(a.body[:MATCH_CHARS])
    assert HitMatches(ascii_one, matcher).body_positions()[:3] == [(0, 0), (1, 1), (2, 1)]
    many = Matcher([["oil"], ["prices", "rose", *(f"w{i}" for i in range(20))]])
    assert HitMatches(ascii_one, many).body_positions() == many.relative_positions(ascii_one.body)
    ascii_one.body = "oil and prices"  # set as text: no longer the stored bytes
    assert stored_ascii_body(ascii_one) is None
    assert HitMatches(ascii_one, matcher).body_positions() == [(0, 0), (2, 1)]


def test_a_vocabulary_builds_every_edit_template_a_typo_while_typing_needs() -> None:
    """The one-typo heads of a typo'd last word come from per-length templates: built with
    the vocabulary (kept for the process), so no search builds one (~0.1-0.2 ms each, paid
    by the first search with a typo'd last word of each length)."""
    from newstui.core.search import spelling

    spelling._edit_template.cache_clear()
    vocab = make_vocab(["session", "sessions", "parliamentary", "lesson"])
    built = spelling._edit_template.cache_info().misses
    for word in ("sesion", "parliamentery", "lesso", "a", "abcdefghijklmn"):
        vocab.fuzzy_prefix_positions(word, 32)
        vocab.fuzzy_prefix_positions(word, 32, deletions=False)
    assert spelling._edit_template.cache_info().misses == built


def test_the_pre_filters_survivors_are_the_terms_in_length_order() -> None:
    vocab = make_vocab(["parliament", "parliaments", "parlament", "a", "zzzzzzzzzz", "é"])
    assert list(vocab.len_word_objects) == vocab.len_words
    assert {n.term for n in vocab.near("parliamint", 2)} == {
        "parliament",
        "parliaments",
        "parlament",
    }
