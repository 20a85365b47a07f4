"""Building the index: what each article contributes is exactly what the tokenizer says,
whichever path (whole-chunk ASCII pass, per-text Unicode path) reads it."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from index_support import assert_same_index

from newstui.core.article import Article
from newstui.core.search import SearchIndex
from newstui.core.search.index import FIELDS
from newstui.core.search.normalize import (
    SEPARATOR,
    compound_index_tokens,
    index_forms,
    index_pieces,
    index_tokens,
    piece_index_tokens,
)


def art(
    aid: str, title: str, body: str = "", *, author: str = "", tags: tuple[str, ...] = ()
) -> Article:
    return Article(id=aid, title=title, body=body, format="text", author=author, tags=tags)


def indexed(index: SearchIndex) -> dict[str, list[Counter[str]]]:
    """Per article id, per field: term -> term frequency, read back from the index."""
    articles, arrays, terms = index.export_parts()
    out = {a.id: [Counter[str]() for _ in FIELDS] for a in articles}
    for f, name in enumerate(FIELDS):
        offsets = arrays[f"{name}.offsets"]
        docs, tfs = arrays[f"{name}.docs"], arrays[f"{name}.tfs"]
        for t, term in enumerate(terms):
            for i in range(int(offsets[t]), int(offsets[t + 1])):
                out[articles[int(docs[i])].id][f][term] += int(tfs[i])
    lengths = arrays["lengths"]
    for i, a in enumerate(articles):
        assert [sum(c.values()) for c in out[a.id]] == lengths[:, i].tolist()
    return out


def expected(a: Article) -> list[Counter[str]]:
    texts = (a.title, a.body, a.author, a.source, " ".join(a.tags))
    return [Counter(index_tokens(t)) for t in texts]


def test_forms_expand_to_index_tokens() -> None:
    texts = [
        "The U.S. said 1,000 well-known Trump's 3.5 end.next a-b-c don't x-ray co-op's",
        "",
        "u.s.a-b x.y.z-w ab.c.d 1.a.b. 12,34 1,000.50 -lead- trail. ...---,,,'''",
    ]
    forms = index_forms(texts)
    per_text: list[list[str]] = [[]]
    for form in forms:
        if form == "\x00":
            per_text.append([])
        elif form.isalnum():
            per_text[-1].append(form)
        else:
            per_text[-1].extend(compound_index_tokens(form))
    assert len(per_text) == len(texts)
    for text, toks in zip(texts, per_text, strict=True):
        assert Counter(toks) == Counter(index_tokens(text))


def test_mixed_chunk_indexes_every_article_as_its_own_tokenizer_says() -> None:
    articles = [
        art("ascii", "Cocoa prices at 1,000 dlrs", "U.S. well-known x-ray co-op's e-mail"),
        art("accents", "Café Société", "Trump’s naïve e-mail, Øresund 2,5", author="Łódź"),
        art("nul", "a\x00b cocoa\x00prices", "null\x00byte", tags=("x\x00y", "wheat")),
        art("empty", "", ""),
        art("upper", "STRASSE Straße", "MIXED Case", tags=("Grain", "U.S.")),
    ]
    index = SearchIndex()
    index.add(articles)
    got = indexed(index)
    for a in articles:
        assert got[a.id] == expected(a), a.id
    assert [h.article.id for h in index.search("byte").hits] == ["nul"]
    assert [h.article.id for h in index.search("societe").hits] == ["accents"]


_ALPHABET = "abcXYZ019 -.,'’\x00é\n"


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(st.text(_ALPHABET, max_size=40), st.text(_ALPHABET, max_size=40)),
        min_size=1,
        max_size=8,
    )
)
def test_any_texts_index_as_the_tokenizer_says(pairs: list[tuple[str, str]]) -> None:
    articles = [art(f"a{i}", title, body) for i, (title, body) in enumerate(pairs)]
    index = SearchIndex()
    index.add(articles)
    got = indexed(index)
    for a in articles:
        assert got[a.id] == expected(a)


def test_many_chunks_and_later_adds_agree_with_the_tokenizer() -> None:
    from newstui.core.search import writing as index_module

    words = ["cocoa", "U.S.", "well-known", "1,000", "Trump's", "café", "x-ray", "3.5"]
    articles = [
        art(f"d{i}", f"{words[i % 8]} {words[(i * 3) % 8]} title{i}", f"{words[(i * 5) % 8]} body")
        for i in range(50)
    ]
    old = index_module.BUILD_CHUNK
    index_module.BUILD_CHUNK = 7  # several chunks, and forms reused across them
    try:
        index = SearchIndex()
        index.add(articles[:40])
        index.add(articles[40:])
    finally:
        index_module.BUILD_CHUNK = old
    got = indexed(index)
    for a in articles:
        assert got[a.id] == expected(a)
    assert index.search("title17").hits[0].article.id == "d17"
    # Deletions and replacements go through the merge: still exactly the tokenizer's.
    index.remove([f"d{i}" for i in range(25)])
    index.add([art("d45", "replaced x-ray", "new body"), art("d3", "back again", "U.S.")])
    got = indexed(index)
    live = [a for a in articles[25:] if a.id != "d45"]
    live += [art("d45", "replaced x-ray", "new body"), art("d3", "back again", "U.S.")]
    assert sorted(got) == sorted(a.id for a in live)
    for a in live:
        assert got[a.id] == expected(a)
    assert [h.article.id for h in index.search("replaced").hits] == ["d45"]


def _in_order(forms: list[str], expand: Callable[[str], list[str]]) -> list[str]:
    """The tokens a list of forms stands for, in order (a separator as itself)."""
    out: list[str] = []
    for form in forms:
        if form == SEPARATOR or form.isalnum():
            out.append(form)
        else:
            out.extend(expand(form))
    return out


_ASCII = "abcXYZ019 -.,'()\n\t!?\"/:;_"


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(_ASCII, max_size=60), min_size=1, max_size=6))
def test_pieces_stand_for_the_forms_tokens_in_the_same_order(texts: list[str]) -> None:
    # index_pieces (translate + split) against index_forms (the regex pass it replaced):
    # the same tokens in the same order, so the same term ids are given first-seen.
    assert _in_order(index_pieces(texts), piece_index_tokens) == _in_order(
        index_forms(texts), compound_index_tokens
    )


def test_pieces_of_a_mixed_folder_index_as_the_regex_pass_did(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from newstui.core.search import writing

    corpus = [
        art("a", "Cocoa prices at 1,000 dlrs", "U.S. well-known x-ray (co-op's) e-mail, end.Next"),
        art("b", "Café Société", "Trump’s naïve e-mail, Øresund 2,5", author="Łódź"),
        art("c", "a\x00b cocoa\x00prices", "null\x00byte", tags=("x\x00y", "wheat")),
        art("d", "", ""),
        art("e", "STRASSE Straße", '"Quoted," she said... -- U.S.A. 3.5% [1,000.50]/a-b-c'),
        art("f", "The U.S.-based firm", "It's 12,34 and ab.c.d -lead- trail. ...---,,,'''"),
    ]
    corpus += [
        art(f"g{i}", f"copy {i} of x-ray's", f"line {i}: don't (stop) u.s.") for i in range(30)
    ]
    monkeypatch.setattr(writing, "BUILD_CHUNK", 4)
    new = SearchIndex()
    new.add(corpus)
    # the build before index_pieces: forms read by the regex pass, compounds expanded
    monkeypatch.setattr(writing, "index_pieces", index_forms)
    monkeypatch.setattr(
        writing.Readers,
        "new",
        classmethod(
            lambda cls, terms: cls(
                writing.Forms(terms, compound_index_tokens),
                writing.Forms(terms, writing.expand_compound),
            )
        ),
    )
    old = SearchIndex()
    old.add(corpus)
    assert_same_index(new, old, ("x-ray", "us", "1000", "coop", "dont", "societe", "stop"))


def test_a_large_build_publishes_a_share_at_a_time_and_reports_every_chunk(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from newstui.core.search import writing

    monkeypatch.setattr(writing, "BUILD_CHUNK", 4)
    articles = [art(f"d{i}", f"cocoa {i}", "body") for i in range(400)]
    index = SearchIndex()
    published: list[int] = []
    real_publish = writing.Writer._publish

    def counting(
        self: writing.Writer, segments: tuple[writing.Segment, ...], *a: object, **k: object
    ) -> None:
        published.append(sum(s.n for s in segments))
        real_publish(self, segments, *a, **k)  # type: ignore[arg-type]

    monkeypatch.setattr(writing.Writer, "_publish", counting)
    seen: list[tuple[int, int, bool]] = []

    def progress(done: int, total: int) -> None:
        seen.append((done, index.search("cocoa").total, index.building))

    index.add(articles, progress=progress)
    # progress after every chunk of 4, to the end
    assert [d for d, _, _ in seen] == list(range(4, 401, 4))
    # what a search saw: a growing subset, never more than was built, whole at the end
    found = [n for _, n, _ in seen]
    assert found == sorted(found) and all(n <= d for d, n, _ in seen) and found[0] == 4
    assert index.search("cocoa").total == 400 and not index.building
    # the id table copied far fewer times than the 100 chunks (linear, not quadratic)
    assert len(published) < 40
    assert published[:8] == [4, 8, 12, 16, 20, 24, 28, 32]  # one chunk at a time while small
