"""Related articles: more-like-this from an article's most significant terms.

The article's title and body are read into the search index's terms; each term weighs
``(1 + log tf) * idf`` (idf from the index: a word most articles share says little), and
the :data:`MAX_TERMS` heaviest (seen in at least one other article) make a query. Every
article holding some of them is scored with the index's BM25F (title and body, their
length normalisation and weights), each term's score scaled by its weight, straight from
the postings: no query parsing, no typo expansion. The article's own story is left out
(its other versions are not "related", they are the same story), and each other story
appears once, by its best-scoring article.

Cost: a few postings lists (the rare terms are the heavy ones, and rare terms have short
lists); ~10 ms at 104k articles (see docs/performance.md).
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Protocol

import numpy as np

from newstui.core.article import Article
from newstui.core.search.index import SearchIndex
from newstui.core.search.normalize import index_tokens, tokens
from newstui.core.search.segments import FIELD_INDEX
from newstui.core.stories.grouping import Stories

__all__ = ["MAX_TERMS", "related", "related_to", "significant_terms"]

#: Terms of the article that make its more-like-this query.
MAX_TERMS = 25
#: Characters of the body read for its terms.
BODY_CHARS = 20_000
#: Terms in more than this share of the articles (and more than MIN_DF_CAP of them) are
#: not significant (and their long postings would cost the most).
MAX_DF_SHARE = 0.05
MIN_DF_CAP = 500
#: Title words count this many times (a headline says what the story is about).
TITLE_BOOST = 3
_FIELDS = (FIELD_INDEX["title"], FIELD_INDEX["body"])


class _HasIndex(Protocol):
    @property
    def search_index(self) -> SearchIndex: ...


def _toks(text: str) -> list[str]:
    return index_tokens(text) if text.isascii() else tokens(text)


def significant_terms(
    index: SearchIndex, title: str, body: str, limit: int = MAX_TERMS
) -> list[tuple[int, float, float]]:
    """``(term id, weight, idf)`` of the heaviest terms of a text, heaviest first; only
    terms the index holds in at least two articles and at most :data:`MAX_DF_SHARE` of them."""
    snap = index._snap
    stats = snap.stats(index.config)
    counts: Counter[str] = Counter(_toks(body[:BODY_CHARS]))
    for t in _toks(title):
        counts[t] += TITLE_BOOST
    scored: list[tuple[float, int, float]] = []
    df = stats.df
    max_df = max(MIN_DF_CAP, MAX_DF_SHARE * stats.n_live)
    for term, tf in counts.items():
        if len(term) < 2 or term.isdigit():
            continue
        tid = snap.terms.get(term)
        if tid is None or tid >= len(df) or not 2 <= df[tid] <= max_df:
            continue
        idf = stats.idf(float(df[tid]))
        scored.append(((1.0 + math.log(tf)) * idf, tid, idf))
    scored.sort(key=lambda x: (-x[0], x[1]))
    return [(tid, w, idf) for w, tid, idf in scored[:limit]]


def related(
    index_or_library: SearchIndex | _HasIndex,
    article_id: str,
    limit: int = 5,
    *,
    stories: Stories | None = None,
) -> list[tuple[str, float]]:
    """The ``limit`` articles most like ``article_id`` (ids and scores, best first), from
    other stories than its own (``stories``: without them, only the article itself is left
    out), one per story. An id the index does not hold: none."""
    index = (
        index_or_library
        if isinstance(index_or_library, SearchIndex)
        else index_or_library.search_index
    )
    article = index.get(article_id)
    if article is None:
        return []
    return related_to(index, article, limit, stories=stories)


def related_to(
    index: SearchIndex,
    article: Article,
    limit: int = 5,
    *,
    stories: Stories | None = None,
) -> list[tuple[str, float]]:
    """:func:`related` for any article, held by the index or not (a file given by path).

    Scores are relative to the best-scoring candidate, normally the article itself when
    the index holds it (1.0: as alike as the article is to itself)."""
    if limit <= 0:
        return []
    article_id = article.id
    terms = significant_terms(index, article.title, article.body)
    if not terms:
        return []
    snap = index._snap
    stats = snap.stats(index.config)
    k1 = np.float32(index.config.k1)
    in_stories = stories is not None and article_id in stories
    own = stories.story_of(article_id) if stories is not None and in_stories else article_id
    # Enough candidates that, with the own story's and repeated stories' taken out, `limit`
    # remain (a story of n versions can take n places).
    own_size = stories.size(own) if stories is not None and in_stories else 1
    want = (limit + own_size) * 4 + 16
    cand_scores: list[np.ndarray] = []
    cand_refs: list[tuple[int, np.ndarray]] = []
    for si, seg in enumerate(snap.segments):
        n = seg.n
        if n == 0:
            continue
        score = np.zeros(n, np.float32)
        wtf = np.zeros(n, np.float32)
        inv_norm = stats.inv_norm[si]
        for tid, weight, idf in terms:
            if tid >= seg.n_terms:
                continue
            parts = []
            for f in _FIELDS:
                p = seg.fields[f]
                a, b = int(p.offsets[tid]), int(p.offsets[tid + 1])
                if a == b:
                    continue
                d = p.docs[a:b]
                wtf[d] += p.tfs[a:b] * inv_norm[f][d]
                parts.append(d)
            if not parts:
                continue
            d = parts[0] if len(parts) == 1 else np.unique(np.concatenate(parts))
            tf = wtf[d]
            score[d] += np.float32(weight * idf) * tf * (k1 + 1) / (tf + k1)
            wtf[d] = 0.0
        live = snap.lives[si]
        if live is not None:
            score[~live] = 0.0
        nz = np.flatnonzero(score > 0)
        if len(nz) > want:
            nz = nz[np.argpartition(-score[nz], want - 1)[:want]]
        cand_scores.append(score[nz])
        cand_refs.append((si, nz))
    if not cand_scores:
        return []
    all_scores = np.concatenate(cand_scores)
    refs = [(si, int(r)) for si, rows in cand_refs for r in rows.tolist()]
    order = np.argsort(-all_scores, kind="stable")
    top = float(all_scores[order[0]]) if len(order) else 0.0
    out: list[tuple[str, float]] = []
    seen = {own}
    for i in order.tolist():
        si, r = refs[i]
        aid = snap.segments[si].articles[r].id
        if aid == article_id:
            continue
        sid = stories.story_of(aid) if stories is not None else aid
        if sid in seen:
            continue
        seen.add(sid)
        # Scores relative to the best candidate: comparable between articles (0-1].
        out.append((aid, round(float(all_scores[i]) / top, 4) if top > 0 else 0.0))
        if len(out) >= limit:
            break
    return out
