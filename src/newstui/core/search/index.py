"""The search index: an in-memory, field-aware inverted index with BM25F ranking.

:class:`SearchIndex` is a small facade over one room per idea:

============================  ==========================================================
``normalize``                 the text rules (folding, tokens) shared by everything below
``query``                     the query language
``segments``                  storage: term ids, CSR postings, segments and their merging
``writing``                   tokenising articles into segments; the writer and snapshots
                              it publishes (what a search sees while ``add`` runs)
``snapshot``                  one immutable view a search reads, with its statistics
``spelling``                  typo tolerance, prefix completion, "did you mean"
``planning``                  a query resolved to vocabulary terms (the query plan)
``ranking``                   ranking knobs, BM25F scoring, the proximity bonus
``rerank``                    the proximity bonus for the best candidates, their texts
                              read a group at a time
``phrase``                    quoted phrases verified on the text
``highlight``                 the one matcher: spans, snippets, the reader's highlights
``snippet``                   cutting a snippet line
``persistence``               the index as plain parts for the cache, and back
============================  ==========================================================

Cost
    Bounded for any query (see ``query.py``: 1,000 characters, 32 words); a word over
    ``MAX_EXPAND_LEN`` letters is matched exactly only; a hit's fields are matched in their
    first ``MATCH_CHARS`` characters; every regex run on queries or articles is linear (the
    phrase separator is atomic; see ``tests/hostile/test_heldout_search.py``).
"""

from __future__ import annotations

import time
from collections.abc import Container, Iterable, Sequence
from functools import partial as partial_fn
from typing import Any

import numpy as np
import numpy.typing as npt

from newstui.core.article import Article, ids_at, paths_at
from newstui.core.progress import Progress
from newstui.core.search.highlight import MATCH_CHARS, HitMatches, Matcher, highlight_spans
from newstui.core.search.persistence import (
    export_parts,
    first_segment,
    stack_parts,
    tail_parts,
    writer_from_parts,
)
from newstui.core.search.planning import plan
from newstui.core.search.query import FolderTest, parse
from newstui.core.search.ranking import (
    RankingConfig,
    SegmentScores,
    evaluate,
    state_filter,
)
from newstui.core.search.rerank import Ranked, rerank
from newstui.core.search.results import Hit, SearchResult, StateView
from newstui.core.search.segments import (
    FIELDS,
    BoolArray,
    I64Array,
    Segment,
    TermDict,
    split,
)
from newstui.core.search.snapshot import Snapshot
from newstui.core.search.snippet import SNIPPET_CHARS, make_snippet
from newstui.core.search.spelling import MAX_EXPAND_LEN, max_typos, suggest, unique
from newstui.core.search.writing import BUILD_CHUNK, Writer

# Names other modules and tests have always found here.
__all__ = [
    "BUILD_CHUNK",
    "FIELDS",
    "MATCH_CHARS",
    "MAX_EXPAND_LEN",
    "RankingConfig",
    "SearchIndex",
    "highlight_spans",
    "make_snippet",
    "max_typos",
]


class SearchIndex:
    """Articles indexed for search. Thread-safe for one writer and many readers.

    See ``writing`` for what a search running during ``add`` sees.
    """

    def __init__(self, config: RankingConfig | None = None) -> None:
        self.config = config or RankingConfig()
        self._writer = Writer(TermDict())

    @property
    def _snap(self) -> Snapshot:
        return self._writer.snapshot

    # ----------------------------------------------------------------- collection API

    def __len__(self) -> int:
        return len(self._snap.where)

    def __contains__(self, article_id: object) -> bool:
        return article_id in self._snap.where

    def get(self, article_id: str) -> Article | None:
        snap = self._snap
        loc = snap.where.get(article_id)
        if loc is None:
            return None
        si, row = split(loc)
        return snap.segments[si].articles[row]

    def articles(self) -> list[Article]:
        snap = self._snap
        segments = snap.segments
        return [segments[s].articles[i] for s, i in map(split, snap.where.values())]

    def prepare(self) -> None:
        """Build the lookup tables the next search needs (vocabulary by length, ranking
        statistics), ~50 ms at 104k articles: done by ``add``/``remove`` in the writer's
        thread; call it after loading an index from the cache so the first keystroke does
        not pay for it."""
        self._snap.vocab(self.config)

    @property
    def building(self) -> bool:
        """True while ``add`` runs: searches see the articles indexed so far (and give no
        suggestions, as a word may yet come)."""
        return self._snap.building

    # ----------------------------------------------------------------- writing

    def add(self, articles: Iterable[Article], *, progress: Progress | None = None) -> None:
        """Add articles, replacing any already indexed under the same id.

        Committed in chunks of ``BUILD_CHUNK``: searches meanwhile see each chunk as it
        lands. ``progress(done, total)`` is called after each chunk.
        """
        self._writer.add(articles, progress=progress)
        self.prepare()

    def remove(self, article_ids: Iterable[str]) -> None:
        """Remove articles by id (unknown ids are ignored)."""
        self._writer.remove(article_ids)
        self.prepare()

    def update(
        self,
        remove: Iterable[str] = (),
        add: Iterable[Article] = (),
        *,
        progress: Progress | None = None,
    ) -> None:
        """:meth:`remove` then :meth:`add`, preparing the lookup tables once, not twice
        (~0.5 s each at a million articles)."""
        self._writer.remove(remove)
        self.add(add, progress=progress)

    def compact(self) -> None:
        """Merge everything into a single segment (before saving a cache)."""
        self._writer.compact()

    # ----------------------------------------------------------------- persistence

    def export_parts(self) -> tuple[list[Article], dict[str, npt.NDArray[Any]], list[str]]:
        """Articles, index arrays and terms of the whole index (compacted first), for
        ``newstui.core.search.cache``. The arrays are plain numbers: safe to store."""
        return export_parts(self._writer)

    @classmethod
    def from_parts(
        cls,
        articles: Sequence[Article],
        arrays: dict[str, npt.NDArray[Any]],
        terms: list[str],
        config: RankingConfig | None = None,
        *,
        docs_checked: bool = False,
    ) -> SearchIndex:
        """The inverse of :meth:`export_parts`. Raises ``ValueError`` on inconsistent parts
        (a cache that does not fit), never builds an index that could fail later.
        ``docs_checked``: the caller has checked that the postings name only these
        articles (a mapped cache does it a slice at a time, giving the pages back)."""
        index = cls(config)
        index._writer = writer_from_parts(articles, arrays, terms, docs_checked=docs_checked)
        return index

    def first_segment(self) -> Segment | None:
        """The first segment: a base loaded from a cache stays first until merged (see
        :meth:`tail_parts`)."""
        return first_segment(self._writer)

    def tail_parts(
        self, base: Segment
    ) -> tuple[BoolArray | None, list[Article], dict[str, npt.NDArray[Any]], list[str]] | None:
        """What a cache delta on top of ``base`` holds (see ``persistence.tail_parts``), or
        None when ``base`` was merged away (only a whole export will do)."""
        return tail_parts(self._writer, base)

    def stacked(
        self,
        articles: Sequence[Article],
        arrays: dict[str, npt.NDArray[Any]],
        extra_terms: list[str],
        base_live: BoolArray | None,
        *,
        docs_checked: bool = False,
    ) -> SearchIndex:
        """This index (as loaded from a cache) with a delta's segment on top; raises
        ``ValueError`` when the parts do not fit it (``docs_checked``: see :meth:`from_parts`)."""
        index = SearchIndex(self.config)
        index._writer = stack_parts(
            self._writer, articles, arrays, extra_terms, base_live, docs_checked=docs_checked
        )
        return index

    # ----------------------------------------------------------------- search

    def search(
        self,
        query: str,
        *,
        limit: int = 50,
        offset: int = 0,
        state: StateView | None = None,
        snippet_width: int = SNIPPET_CHARS,
        within: Container[str] | None = None,
    ) -> SearchResult:
        """Ranked hits for ``query`` (see ``newstui.core.search.query`` for the language).

        ``is:unread`` / ``is:read`` / ``is:starred`` are answered through ``state``; with no
        state every article counts as unread and none as starred. An empty query returns
        no hits. Never raises on any query text; what is wrong with it (a malformed
        operator, a cut) is in ``errors``. Each hit's snippet is at most ``snippet_width``
        characters (the width of the list showing it). ``within``: only the articles whose id
        it contains (a sidebar row), counted and ranked among themselves.
        """
        start = time.perf_counter()
        snap = self._snap
        cfg = self.config
        limit = max(0, limit)
        offset = max(0, offset)
        parsed = parse(query)
        errors = parsed.errors
        if parsed.is_empty or not snap.where or (not parsed.clauses and not parsed.has_filters):
            return SearchResult(query, 0, [], (time.perf_counter() - start) * 1000, errors=errors)
        plans = plan(snap, parsed, cfg)
        n_clauses = len(plans)
        n_required = sum(1 for cp in plans if not cp.optional)
        evals = [evaluate(snap, si, parsed, plans, cfg) for si in range(len(snap.segments))]
        partial = False

        in_folders = FolderTest(parsed) if parsed.folders or parsed.not_folders else None

        def pick(si: int, mask: BoolArray) -> I64Array:
            found = evals[si].doc_ids(np.flatnonzero(mask))
            if parsed.states:  # asked of the state only for the articles that matched
                found = state_filter(snap.segments[si], found, parsed.states, state)
            if in_folders is not None and len(found):
                paths = paths_at(snap.segments[si].articles, found.tolist())
                found = found[np.fromiter(map(in_folders, paths), bool, len(found))]
            if within is not None and len(found):
                ids = ids_at(snap.segments[si].articles, found.tolist())
                found = found[np.fromiter(map(within.__contains__, ids), bool, len(found))]
            return found

        cands = [pick(si, ev.base & (ev.matched == n_required)) for si, ev in enumerate(evals)]
        if n_clauses > 1 and not any(len(c) for c in cands):
            partial = True  # any clause (an optional one too) will do
            if any(ev.docs is not None for ev in evals):  # every document, scored
                evals = [
                    evaluate(snap, si, parsed, plans, cfg, restrict=False)
                    for si in range(len(snap.segments))
                ]
            cands = [pick(si, ev.base & (ev.total > 0)) for si, ev in enumerate(evals)]
        count = int(sum(len(c) for c in cands))
        highlight = unique(t for cp in plans for t in cp.terms)
        suggestions = suggest(snap, plans, cfg) if count == 0 or partial else []
        if count == 0:
            return SearchResult(
                query,
                0,
                [],
                (time.perf_counter() - start) * 1000,
                suggestions=suggestions,
                highlight_terms=highlight,
                errors=errors,
            )
        window = min(count, max(offset + limit, cfg.rerank_window))
        docs = self._order(snap, evals, cands, count, window, scored=n_clauses > 0)
        matcher = Matcher([cp.terms for cp in plans])
        if n_clauses > 1 and cfg.proximity_weight > 0:
            window = cfg.rerank_window
            docs[:window] = rerank(
                docs[:window], matcher, n_clauses, offset + limit, cfg.proximity_weight
            )
        hits: list[Hit] = []
        for d in docs[offset : offset + limit]:
            # Worked out when first read (the rows a list draws), not for the whole page.
            work = partial_fn(HitMatches(d.article, matcher).highlight, snippet_width)
            hits.append(Hit(d.article, round(d.score, 6), highlight=work))
        published = np.concatenate([snap.segments[si].published[c] for si, c in enumerate(cands)])
        return SearchResult(
            query,
            count,
            hits,
            (time.perf_counter() - start) * 1000,
            partial=partial,
            suggestions=suggestions,
            highlight_terms=highlight,
            errors=errors,
            published=published,
        )

    def _order(
        self,
        snap: Snapshot,
        evals: list[SegmentScores],
        cands: list[I64Array],
        count: int,
        window: int,
        *,
        scored: bool,
    ) -> list[Ranked]:
        """The best ``window`` candidates (at least ``rerank_window``), best first: by
        required clauses matched and score (newest first when ``scored`` is false: filters
        only), then date, then index order."""
        seg_ix = np.concatenate([np.full(len(c), si, np.int32) for si, c in enumerate(cands)])
        local = np.concatenate(cands)
        rows = [ev.rows_of(c) for ev, c in zip(evals, cands, strict=True)]
        scores = np.concatenate([ev.total[r] for ev, r in zip(evals, rows, strict=True)]).astype(
            np.float64
        )
        matched_n = np.concatenate([ev.matched[r] for ev, r in zip(evals, rows, strict=True)])
        pub = np.concatenate([snap.segments[si].published[c] for si, c in enumerate(cands)])
        if not np.isfinite(pub).all():  # (the check is ~10x cheaper than the call)
            pub = np.nan_to_num(pub, nan=-1e18)
        key = matched_n.astype(np.float64) * 1e6 + scores if scored else pub
        # The window does not depend on offset/limit beyond its size, so pages of one
        # query always agree with each other.
        if window < count:
            # Everything scoring at least the window's last key (ties included), so the
            # order below is a total order: score, then date, then index order.
            kth = key[np.argpartition(-key, window - 1)[window - 1]]
            top = np.flatnonzero(key >= kth)
        else:
            top = np.arange(count)
        top = top[np.lexsort((top, -pub[top], -np.round(key[top], 6)))]
        top = top[: max(window, self.config.rerank_window)]
        segments = snap.segments
        # (as lists first: one conversion an array, not a numpy scalar per value)
        return [
            Ranked(segments[si].articles[li], sc, k, p)
            for si, li, sc, k, p in zip(
                seg_ix[top].tolist(),
                local[top].tolist(),
                scores[top].tolist(),
                key[top].tolist(),
                pub[top].tolist(),
                strict=True,
            )
        ]
