"""Building the index: what each article contributes is exactly what the tokenizer says,
whichever path (whole-chunk ASCII pass, per-text Unicode path) reads it."""

from __future__ import annotations

from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from newstui.core.article import Article
from newstui.core.search import SearchIndex
from newstui.core.search.index import FIELDS
from newstui.core.search.normalize import (
    compound_index_tokens,
    index_forms,
    index_tokens,
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
