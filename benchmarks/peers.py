"""Peer search engines for ``bench_search.py``: SQLite FTS5, tantivy, naive rapidfuzz.

Each peer indexes the same articles (title + body) and answers the query kinds of
the benchmark with its own best tool:

- ``typo``   (two title words, one typo each), ``typo1`` (one word, one typo) and
  ``short`` (two words, one of them typo'd down to 3-4 letters):
  FTS5 has no typo tolerance (plain AND of the words); tantivy uses
  ``fuzzy_term_query`` distance 1 (transposition = 1) on title and body, words AND-ed.
- ``prefix`` (a clean word + the first letters of another): FTS5 ``word pre*``; tantivy a
  term query for the clean word AND ``fuzzy_term_query(distance=0, prefix=True)``.
- naive: ``rapidfuzz.process.extract`` over every title (WRatio), whatever the kind.

tantivy is in the ``bench`` dependency group (``uv sync --group bench``).
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Sequence
from typing import Protocol

from newstui.core.article import Article

_FTS_SAFE = re.compile(r"[^\w]+")


class Peer(Protocol):
    name: str

    def build(self, articles: Sequence[Article]) -> None: ...

    def search(self, kind: str, words: Sequence[str], k: int = 10) -> list[str]: ...


class Fts5Peer:
    """SQLite FTS5 in memory, ``unicode61 remove_diacritics 2``, bm25 (title weight 4)."""

    name = "SQLite FTS5"

    def __init__(self) -> None:
        self.db = sqlite3.connect(":memory:", check_same_thread=False)

    def build(self, articles: Sequence[Article]) -> None:
        db = self.db
        db.execute(
            "CREATE VIRTUAL TABLE docs USING fts5(aid UNINDEXED, title, body, "
            "tokenize='unicode61 remove_diacritics 2')"
        )
        db.executemany(
            "INSERT INTO docs(aid, title, body) VALUES (?, ?, ?)",
            ((a.id, a.title, a.body) for a in articles),
        )
        db.commit()

    def search(self, kind: str, words: Sequence[str], k: int = 10) -> list[str]:
        terms = [t for w in words for t in _FTS_SAFE.sub(" ", w).split() if t]
        if not terms:
            return []
        parts = [f'"{t}"' for t in terms]
        if kind == "prefix":
            parts[-1] = parts[-1] + "*"
        match = " AND ".join(parts)
        rows = self.db.execute(
            "SELECT aid FROM docs WHERE docs MATCH ? ORDER BY bm25(docs, 0.0, 4.0, 1.0) LIMIT ?",
            (match, k),
        ).fetchall()
        return [r[0] for r in rows]


class TantivyPeer:
    """tantivy (PyPI ``tantivy``), in memory, default tokenizer, BM25."""

    name = "tantivy"

    def __init__(self) -> None:
        import tantivy

        self.tv = tantivy
        sb = tantivy.SchemaBuilder()
        sb.add_text_field("aid", stored=True, tokenizer_name="raw")
        sb.add_text_field("title", stored=False)
        sb.add_text_field("body", stored=False)
        self.schema = sb.build()
        self.index = tantivy.Index(self.schema)

    def build(self, articles: Sequence[Article]) -> None:
        writer = self.index.writer(heap_size=256_000_000, num_threads=1)
        doc_cls = self.tv.Document
        for a in articles:
            writer.add_document(doc_cls(aid=a.id, title=a.title, body=a.body))
        writer.commit()
        writer.wait_merging_threads()
        self.index.reload()
        self.searcher = self.index.searcher()

    def _word_query(self, word: str, *, distance: int, prefix: bool) -> object:
        tv = self.tv
        occur = tv.Occur.Should
        subs = []
        for field in ("title", "body"):
            if distance == 0 and not prefix:
                q = tv.Query.term_query(self.schema, field, word)
            else:
                q = tv.Query.fuzzy_term_query(
                    self.schema, field, word, distance=distance, prefix=prefix
                )
            subs.append((occur, q))
        return tv.Query.boolean_query(subs)

    def search(self, kind: str, words: Sequence[str], k: int = 10) -> list[str]:
        tv = self.tv
        words = [w.lower() for w in words]
        subs = []
        for i, w in enumerate(words):
            if kind in ("typo", "typo1", "short"):
                q = self._word_query(w, distance=1, prefix=False)
            elif kind == "prefix" and i == len(words) - 1:
                q = self._word_query(w, distance=0, prefix=True)
            else:
                q = self._word_query(w, distance=0, prefix=False)
            subs.append((tv.Occur.Must, q))
        query = tv.Query.boolean_query(subs)
        hits = self.searcher.search(query, k).hits
        return [self.searcher.doc(addr)["aid"][0] for _, addr in hits]


class NaivePeer:
    """rapidfuzz WRatio over every title: what a quick fuzzy search costs."""

    name = "naive rapidfuzz (titles)"

    def build(self, articles: Sequence[Article]) -> None:
        self.ids = [a.id for a in articles]
        self.titles = [a.title.lower() for a in articles]

    def search(self, kind: str, words: Sequence[str], k: int = 10) -> list[str]:
        from rapidfuzz import fuzz, process

        res = process.extract(" ".join(words), self.titles, scorer=fuzz.WRatio, limit=k)
        return [self.ids[i] for _, _, i in res]
