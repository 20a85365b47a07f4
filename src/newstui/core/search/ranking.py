"""Ranking: the knobs (:class:`RankingConfig`), the collection statistics BM25F needs
(:class:`Stats`), scoring a query plan over one segment (:func:`evaluate`) and the
proximity bonus for the best hits (:func:`proximity`).

BM25F over the five fields (title well above author/tags/source, above body). A document
scores each query word by its best variant, weighted exact > typo > prefix (see
``spelling``); the words of a query share one idf (the idf of "any variant"), so a rare
misspelling or completion does not outweigh the word meant. The top candidates get a
proximity bonus (query words close together and in order), and recency breaks ties.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from newstui.core.article import ids_at
from newstui.core.search.arrays import sorted_unique
from newstui.core.search.phrase import has_phrase
from newstui.core.search.query import Query, Term
from newstui.core.search.results import StateView
from newstui.core.search.segments import (
    FIELD_INDEX,
    FIELDS,
    BoolArray,
    FloatArray,
    I64Array,
    IntArray,
    Segment,
)

if TYPE_CHECKING:
    from newstui.core.search.planning import ClausePlan, WordPlan
    from newstui.core.search.snapshot import Snapshot

# Variants with at most this many postings are scored together in one vectorised batch.
BATCH_POSTINGS = 2048
# A big posting list over several fields with more than 1/DENSE_FRACTION of the segment's
# documents is scored over every document (see ``word_scores``).
DENSE_FRACTION = 12


@dataclass(frozen=True, slots=True)
class RankingConfig:
    """Ranking knobs. Defaults tuned on Reuters-21578 and BBC query sets of seed 1987; the
    benchmark reports a different seed (see docs/performance.md)."""

    # title, body, author, source, tags
    field_weights: tuple[float, ...] = (10.0, 1.0, 2.0, 2.0, 2.0)
    field_b: tuple[float, ...] = (0.5, 0.75, 0.3, 0.3, 0.3)
    k1: float = 1.2
    # Score factor by number of typos (0, 1, 2) and for a prefix completion.
    typo_factor: tuple[float, ...] = (1.0, 0.6, 0.4)
    prefix_factor: float = 0.59
    # The last word while it is being typed, when it has at most typed_exact_max_len
    # letters: its exact match counts like a completion (`host` may be `hostage` half-typed).
    typed_exact_factor: float = 0.59
    typed_exact_max_len: int = 4
    # An optional stopword (see query.parse) scores with at least this idf where present.
    stopword_idf: float = 0.5
    # Typo/prefix variants are also weighted by (df / top df among the variants) ** prior.
    variant_prior: float = 0.0
    proximity_weight: float = 0.3
    max_typo_variants: int = 24
    max_prefix_variants: int = 128
    # The last word with a typo *and* still being typed (`sesion` -> `sessions`), when it
    # is neither a word nor the start of one: terms that start with a one-typo variant of
    # it, each scored as a typo'd completion.
    fuzzy_prefix_factor: float = 0.35
    max_fuzzy_prefix_variants: int = 32
    # The best hits re-ranked with the proximity bonus (the rest keep BM25F order).
    rerank_window: int = 40
    # A 3-4 letter word of the library (or, typed last, the start of one) this many times
    # rarer than a one-typo neighbour also matches its neighbours, with this factor (keep it
    # distinct from the other factors: it marks those neighbours), under the word's own idf.
    short_typo_ratio: float = 20.0
    rare_typo_factor: float = 0.3


class Stats:
    """Per snapshot: live count, document frequencies, and per segment and field the
    BM25F length normalisation (field weight included)."""

    def __init__(
        self, segments: Sequence[Segment], n_live: int, n_terms: int, cfg: RankingConfig
    ) -> None:
        self.n_live = n_live
        total = sum(s.n for s in segments)
        sums = np.zeros(len(FIELDS), np.float64)
        df = np.zeros(n_terms, np.int32)
        for s in segments:
            sums += s.lengths.sum(axis=1)
            df[: s.n_terms] += s.df
        avg = np.maximum(sums / max(total, 1), 1e-9)
        self.df = df
        self.inv_norm: list[list[FloatArray]] = []
        for s in segments:
            per_field = []
            for f in range(len(FIELDS)):
                b = cfg.field_b[f]
                norm = (1.0 - b) + b * (s.lengths[f] / avg[f])
                per_field.append((cfg.field_weights[f] / norm).astype(np.float32))
            self.inv_norm.append(per_field)

    def idf(self, df: float) -> float:
        n = max(self.n_live, 1)
        df = min(df, n)
        return math.log(1.0 + (n - df + 0.5) / (df + 0.5))


def fields_of(term: Term) -> tuple[int, ...]:
    """The field numbers a query term is looked for in."""
    if term.field is None:
        return tuple(range(len(FIELDS)))
    return (FIELD_INDEX[term.field],)


def word_scores(
    seg: Segment,
    inv_norm: list[FloatArray],
    plan: WordPlan,
    fields: tuple[int, ...],
    scratch: FloatArray,
    k1: float,
    only: IntArray | None = None,
) -> FloatArray:
    """Per document of ``seg``: the BM25F score of one query word, its best variant.
    ``scratch`` is a zeroed float array of ``seg.n`` (returned zeroed). With ``only``
    (sorted documents; see :func:`evaluate`), the scores of those documents only: a big
    posting list is then looked up at them (binary search), not read whole; each score
    is the same, to the bit."""
    n = seg.n
    out = np.zeros(n if only is None else len(only), np.float32)
    usable = [(t, f) for t, f, _ in plan.variants if t < seg.n_terms]
    if not usable or not len(out):
        return out
    tids = np.array([t for t, _ in usable], np.int64)
    factors = np.array([f for _, f in usable], np.float32)
    fl = list(fields)
    offs = seg.offs
    # Only the columns needed (``offs[fl]`` would copy every field's whole offsets).
    rows = np.array(fl, np.intp)[:, None]
    starts = offs[rows, tids]
    lens = offs[rows, tids + 1] - starts
    totals = lens.sum(axis=0)
    scale = np.float32(plan.idf * (k1 + 1.0))
    # Big posting lists one by one (O(postings), no sort), the biggest first: it is
    # written straight into ``out`` (still all zeros, so the max is the score itself) ...
    big = np.flatnonzero(totals > BATCH_POSTINGS)
    fresh = True
    for vi in big[np.argsort(-totals[big], kind="stable")].tolist():
        in_fields = [(j, f) for j, f in enumerate(fl) if lens[j, vi]]
        d: npt.NDArray[Any]
        if only is not None:
            d, tf = _looked_up(seg, inv_norm, only, in_fields, starts[:, vi], lens[:, vi])
        elif len(in_fields) == 1:  # one field: its documents are distinct, no summing
            j, f = in_fields[0]
            a, ln = int(starts[j, vi]), int(lens[j, vi])
            p = seg.fields[f]
            d = p.docs[a : a + ln]
            tf = p.tfs[a : a + ln] * inv_norm[f].take(d)
        else:
            parts: list[IntArray] = []
            for j, f in in_fields:
                a, ln = int(starts[j, vi]), int(lens[j, vi])
                p = seg.fields[f]
                d = p.docs[a : a + ln]
                # (``add.at``: one pass at the postings, ~2x cheaper than ``+=``, which
                # reads them, adds and writes them back; the documents are distinct)
                np.add.at(scratch, d, p.tfs[a : a + ln] * inv_norm[f].take(d))
                parts.append(d)
            if int(totals[vi]) * DENSE_FRACTION > n:
                # Postings of a good part of the documents: scored over all of them
                # (zero where absent), ~2x cheaper than reading the sums back at the
                # postings and writing the scores to them. The same arithmetic per
                # document; a zero scores zero, which changes no maximum (scores >= 0).
                sc = _dense_scores(scratch, factors[vi] * scale, k1)
                if fresh:
                    out = sc
                    fresh = False
                else:
                    np.maximum(out, sc, out=out)
                continue
            d = np.concatenate(parts)
            tf = scratch.take(d)
            scratch[d] = 0.0
        # tf * (factor * scale) / (tf + k1), with no more temporaries than needed
        sc = tf + np.float32(k1)
        tf *= factors[vi] * scale
        np.divide(tf, sc, out=sc)
        if fresh:
            out[d] = sc
            fresh = False
        else:
            np.maximum.at(out, d, sc)  # (one pass; ~1.6x cheaper than gather-max-scatter)
    # ... and the many small ones (rare typo variants, prefix completions) in one batch.
    small = np.flatnonzero((totals > 0) & (totals <= BATCH_POSTINGS))
    if len(small):
        d_parts: list[IntArray] = []
        c_parts: list[FloatArray] = []
        v_parts: list[I64Array] = []
        for j, f in enumerate(fl):
            ln = lens[j, small]
            total = int(ln.sum())
            if not total:
                continue
            st = starts[j, small]
            ends = np.cumsum(ln)
            idx = np.repeat(st - (ends - ln), ln) + np.arange(total)
            p = seg.fields[f]
            d = p.docs.take(idx)
            d_parts.append(d)
            c_parts.append(p.tfs.take(idx) * inv_norm[f].take(d))
            v_parts.append(np.repeat(small, ln))
        uniq, tf = _summed(d_parts, v_parts, c_parts, n)
        docs = uniq % n
        sc = tf * (factors[uniq // n] * scale) / (tf + np.float32(k1))
        if only is not None:  # those among ``only``, at their row
            at = np.minimum(np.searchsorted(only, docs), len(only) - 1)
            keep = only[at] == docs
            docs, sc = at[keep], sc[keep]
        np.maximum.at(out, docs, sc)
    return out


def _dense_scores(scratch: FloatArray, factor: np.float32, k1: float) -> FloatArray:
    """``tf * factor / (tf + k1)`` for every document, ``tf`` being ``scratch`` (zeroed
    after), with the operations :func:`word_scores` does at the postings."""
    sc = scratch + np.float32(k1)
    scratch *= factor
    np.divide(scratch, sc, out=sc)
    scratch.fill(0.0)
    return sc


def _summed(
    d_parts: list[IntArray], v_parts: list[I64Array], c_parts: list[FloatArray], n: int
) -> tuple[I64Array, FloatArray]:
    """The distinct ``variant * n + doc`` keys of a batch of small posting lists (one part
    per field, each sorted by key: its lists in variant order, each by document) and their
    term frequencies summed over the fields, in field order, as float64, then float32.

    A stable sort of the parts' keys (a merge of at most five sorted runs) groups them,
    ~10x cheaper than ``np.unique`` (numpy 2.4 hashes); ``bincount`` then adds each key's
    terms in their order, from zero, in float64, as it did over ``np.unique``'s inverse: the
    same sums, to the bit."""
    key = np.concatenate(v_parts) * n + np.concatenate(d_parts).astype(np.int64)
    c = np.concatenate(c_parts)
    if len(d_parts) == 1:  # one field: every key once, already sorted
        return key, c
    order = np.argsort(key, kind="stable")
    key = key[order]
    first = np.empty(len(key), np.bool_)
    first[0] = True
    np.not_equal(key[1:], key[:-1], out=first[1:])
    if bool(first.all()):
        return key, c[order]
    tf = np.bincount(np.cumsum(first) - 1, weights=c[order]).astype(np.float32)
    return key[first], tf


def _looked_up(
    seg: Segment,
    inv_norm: list[FloatArray],
    rows: IntArray,
    in_fields: list[tuple[int, int]],
    starts: I64Array,
    lens: I64Array,
) -> tuple[I64Array, FloatArray]:
    """One big posting list (a variant in ``in_fields``) at ``rows`` only: the rows it
    has and their BM25F term frequency, summed over the fields in order as
    :func:`word_scores` sums them (float32, from zero), so to the bit the same."""
    tf_rows: FloatArray | None = None
    found: BoolArray | None = None
    for j, f in in_fields:
        a, ln = int(starts[j]), int(lens[j])
        p = seg.fields[f]
        docs = p.docs[a : a + ln]  # sorted
        at = np.minimum(np.searchsorted(docs, rows), ln - 1)
        hit = np.flatnonzero(docs[at] == rows)
        part = p.tfs.take(a + at[hit]) * inv_norm[f].take(rows[hit])
        if len(in_fields) == 1:
            return hit, part
        if tf_rows is None or found is None:
            tf_rows = np.zeros(len(rows), np.float32)
            found = np.zeros(len(rows), np.bool_)
        tf_rows[hit] += part
        found[hit] = True
    assert tf_rows is not None and found is not None
    where = np.flatnonzero(found)
    return where, tf_rows[where]


def contains(
    seg: Segment, term: Term, snap: Snapshot, base: BoolArray, rows: IntArray | None = None
) -> BoolArray:
    """Documents (among ``base``) that contain ``term`` exactly (phrase verified); with
    ``rows``, for those documents only (``base`` and the result are per row)."""
    mask: BoolArray | None = None
    fields = fields_of(term)
    for w in term.words:
        tid = snap.terms.get(w)
        m = np.zeros(seg.n, np.bool_)
        if tid is not None and tid < seg.n_terms:
            for f in fields:
                p = seg.fields[f]
                m[p.docs[int(p.offsets[tid]) : int(p.offsets[tid + 1])]] = True
        mask = m if mask is None else mask & m
    if mask is None:
        return np.zeros(seg.n if rows is None else len(rows), np.bool_)
    if rows is not None:
        mask = mask[rows]
    mask &= base
    if term.phrase:
        for li in np.flatnonzero(mask).tolist():
            doc = li if rows is None else int(rows[li])
            if not has_phrase(seg.articles[doc], term.words, fields):
                mask[li] = False
    return mask


@dataclass(slots=True)
class SegmentScores:
    """What :func:`evaluate` finds in one segment: per document, or per row of ``docs``
    when it scored only those (the only documents that can match every required clause)."""

    total: FloatArray  # BM25F score per document
    matched: npt.NDArray[np.int16]  # required clauses matched per document
    base: BoolArray  # documents passing the filters (live, dates, exclusions)
    docs: IntArray | None = None  # the document of each row (sorted), when restricted

    def doc_ids(self, rows: I64Array) -> I64Array:
        """The documents of rows of the arrays above."""
        return rows if self.docs is None else self.docs[rows].astype(np.int64)

    def rows_of(self, docs: I64Array) -> I64Array:
        """The rows of documents (each one of :attr:`docs` when restricted)."""
        return docs if self.docs is None else np.searchsorted(self.docs, docs)


# Scoring is restricted to the documents of the rarest required clause when the other
# clauses' postings number more than this many times its own (Reuters x48, 1M articles:
# typo queries -21% CPU at p50, -13% at p95; prefix -16% / -9%; no change at 104k; at 4
# the prefix p95 got worse, as a binary search per row then costs about a scan).
RESTRICT_RATIO = 16


def _postings(seg: Segment, cp: ClausePlan) -> list[tuple[int, I64Array, I64Array]]:
    """``(field, starts, lengths)`` of the posting lists of every variant of a clause."""
    offs = seg.offs
    out: list[tuple[int, I64Array, I64Array]] = []
    for ap in cp.alts:
        for wp in ap.words:
            tids = [t for t, _, _ in wp.variants if t < seg.n_terms]
            if tids:
                t = np.array(tids, np.int64)
                for f in ap.fields:
                    starts = offs[f, t]
                    out.append((f, starts, offs[f, t + 1] - starts))
    return out


def _postings_size(seg: Segment, cp: ClausePlan) -> int:
    """How many postings the variants of a clause have, over its fields (the sum of
    :func:`_postings`' lengths, with two array lookups a word instead of two a field)."""
    offs = seg.offs
    n_terms = seg.n_terms
    total = 0
    for ap in cp.alts:
        rows = np.array(ap.fields, np.intp)[:, None]
        for wp in ap.words:
            tids = [t for t, _, _ in wp.variants if t < n_terms]
            if tids:
                t = np.array(tids, np.int64)
                total += int((offs[rows, t + 1] - offs[rows, t]).sum())
    return total


def restricted_rows(seg: Segment, plans: list[ClausePlan]) -> IntArray | None:
    """The documents of the required clause with the fewest postings (only they can match
    every required clause), sorted; None when scoring them only would not pay (one
    clause, or postings about as many elsewhere)."""
    required = [cp for cp in plans if not cp.optional]
    if len(plans) < 2 or not required:
        return None
    sizes = {id(cp): _postings_size(seg, cp) for cp in plans}
    rarest = min(required, key=lambda cp: sizes[id(cp)])
    own = sizes[id(rarest)]
    if own * RESTRICT_RATIO >= sum(sizes.values()) - own:
        return None
    parts: list[IntArray] = []
    for f, starts, lens in _postings(seg, rarest):
        total = int(lens.sum())
        if total:
            ends = np.cumsum(lens)
            idx = np.repeat(starts - (ends - lens), lens) + np.arange(total)
            parts.append(seg.fields[f].docs[idx])
    if not parts:
        return np.zeros(0, np.int32)
    return sorted_unique(np.concatenate(parts))


def evaluate(
    snap: Snapshot,
    si: int,
    query: Query,
    plans: list[ClausePlan],
    cfg: RankingConfig,
    *,
    restrict: bool = True,
) -> SegmentScores:
    """Scores, matched required-clause counts and the filter mask of one segment.

    With ``restrict``, when one required clause is much rarer than the rest
    (:data:`RESTRICT_RATIO`), only its documents are scored (the others cannot match
    every required clause): the common words' long posting lists are looked up at them,
    not read whole. Their scores are the same; a document matching only some clauses is
    then not scored (ask again without ``restrict`` for partial matches)."""
    seg = snap.segments[si]
    stats = snap.stats(cfg)
    inv_norm = stats.inv_norm[si]
    live = snap.lives[si]
    rows = restricted_rows(seg, plans) if restrict else None
    size = seg.n if rows is None else len(rows)
    published = seg.published if rows is None else seg.published[rows]
    if live is None:
        base: BoolArray = np.ones(size, np.bool_)
    else:
        base = live.copy() if rows is None else live[rows]
    if query.after is not None:
        base &= published >= query.after
    if query.before is not None:
        base &= published < query.before
    for term in query.excluded:
        base &= ~contains(seg, term, snap, base, rows)
    # Every document passes the filters (most queries): masking with ``base`` changes
    # nothing, and a one-word alternative's scores are already 0 where it is absent.
    everyone = live is None and query.after is None and query.before is None
    everyone = everyone and not query.excluded
    scratch = np.zeros(seg.n, np.float32) if rows is None else np.zeros(0, np.float32)
    total: FloatArray | None = None
    matched = np.zeros(size, np.int16)
    # Few passes over the segment's documents: each word's scores are updated in place.
    for cp in plans:
        clause_score: FloatArray | None = None
        clause_ok: BoolArray | None = None
        for ap in cp.alts:
            alt: FloatArray | None = None
            ok: BoolArray | None = None
            for wp in ap.words:
                ws = word_scores(seg, inv_norm, wp, ap.fields, scratch, cfg.k1, rows)
                if alt is None or ok is None:
                    alt, ok = ws, ws > 0
                else:
                    alt += ws
                    ok &= ws > 0
            if alt is None or ok is None:
                continue
            if not everyone:
                ok &= base
            if ap.term.phrase:
                for li in np.flatnonzero(ok).tolist():
                    doc = li if rows is None else int(rows[li])
                    if not has_phrase(seg.articles[doc], ap.term.words, ap.fields):
                        ok[li] = False
            if not everyone or ap.term.phrase or len(ap.words) > 1:
                alt *= ok  # a document not matching every word (or filtered out) scores 0
            if clause_score is None or clause_ok is None:
                clause_score, clause_ok = alt, ok
            else:
                np.maximum(clause_score, alt, out=clause_score)
                clause_ok |= ok
        if clause_score is not None and clause_ok is not None:
            if total is None:
                total = clause_score
            else:
                total += clause_score
            if not cp.optional:
                matched += clause_ok
    if total is None:
        total = np.zeros(size, np.float32)
    return SegmentScores(total, matched, base, rows)


# ----------------------------------------------------------------- search


def state_filter(
    seg: Segment, found: I64Array, states: list[str], state: StateView | None
) -> I64Array:
    """The documents of ``found`` that pass the ``is:`` filters (asked of ``state``)."""
    keep: list[int] = []
    docs = found.tolist()
    for li, aid in zip(docs, ids_at(seg.articles, docs), strict=True):
        ok = True
        for s in states:
            if s == "starred":
                ok = state is not None and state.is_starred(aid)
            elif s == "read":
                ok = state is not None and state.is_read(aid)
            elif s == "unread":
                ok = state is None or not state.is_read(aid)
            if not ok:
                break
        if ok:
            keep.append(li)
    return np.array(keep, dtype=np.int64)


def proximity(fields: Sequence[Sequence[tuple[int, int]]], n_clauses: int) -> float:
    """0..1: how close (and in order) consecutive query clauses appear, from the
    ``(position, clause)`` of the matches in each field (see ``highlight.HitMatches``;
    positions in order).

    Per pair of consecutive clauses, the best field's ``1 / (1 + cost)`` of the cheapest
    pair of their first 64 matches, a pair costing ``y - x - 1`` with the second clause's
    word ``y`` after the first's ``x`` and ``x - y + 1`` otherwise: ``|y - (x + 1)|``."""
    total = 0.0
    for ca in range(n_clauses - 1):
        best = 0.0
        for matches in fields:
            best = max(best, pair_nearness(matches, ca, ca + 1))
        total += best
    return total / max(1, n_clauses - 1)


def pair_nearness(matches: Sequence[tuple[int, int]], ca: int, cb: int) -> float:
    """``1 / (1 + cost)`` of the cheapest pair of clause ``ca``'s and clause ``cb``'s
    first 64 matches in one field (0 when either has none): see :func:`proximity`."""
    pa = [p + 1 for p, c in matches if c == ca][:64]
    if not pa:
        return 0.0
    pb = [p for p, c in matches if c == cb][:64]
    if not pb:
        return 0.0
    if len(pa) * len(pb) <= 64:
        cost = min([abs(y - x) for x in pa for y in pb])
    else:
        cost = _closest(pa, pb)
    return 1.0 / (1.0 + cost)


def _closest(xs: list[int], ys: list[int]) -> int:
    """The least ``|y - x|`` over two ascending lists (one walk through both)."""
    i = j = 0
    least = abs(ys[0] - xs[0])
    while i < len(xs) and j < len(ys):
        d = ys[j] - xs[i]
        if d > 0:
            least = min(least, d)
            i += 1
        elif d < 0:
            least = min(least, -d)
            j += 1
        else:
            return 0
    return least
