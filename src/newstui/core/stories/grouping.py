"""Stories: articles that report the same story (versions, corrections, syndicated copies).

How two articles come to share a story:

1. **Candidates** (near-linear): each sketch (:mod:`.sketch`, 64 MinHash values) is cut in
   :data:`GroupingParams.rows`-value bands; two articles with an identical band are
   candidates (locality-sensitive hashing: a pair of Jaccard similarity J is a candidate
   with probability 1 - (1 - J^rows)^bands). Found by sorting each band's keys, never by
   comparing all pairs; a run of more than ``max_run`` equal keys (boilerplate) yields only
   pairs of near neighbours in it.
2. **Verification**: a candidate pair is linked only when its sketches say the texts are
   near-identical (estimated Jaccard >= ``jaccard``) or one mostly contains the other (an
   updated version with paragraphs added, a copy with its lead cut: estimated containment
   >= ``containment`` with Jaccard >= ``jaccard_floor``); short texts (templated wire items
   of a few lines) need ``short_jaccard``; two dated articles more than ``max_days`` apart
   are never linked.
3. **Stories** are the connected groups of linked articles, with one limit: a story spans
   at most ``max_days`` between its earliest and its latest dated version. Where linking
   would make a longer story (a daily report whose text repeats, day after day), the
   strongest links are taken first and a link that would stretch a story past the limit is
   left out (Kruskal's order: by estimated Jaccard, then ids, so the result does not depend
   on the order articles came in).

A story's id is the id of its earliest member (by publication date, then id; undated last):
the same for every member, the same on every run and after any incremental update that
does not add an earlier version or remove that one. An article alone is its own story.

:class:`Stories` is read from any thread while one writer calls ``add``/``remove``: a
writer builds the new grouping aside and publishes it with one assignment.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from operator import attrgetter
from typing import Any

import numpy as np
import numpy.typing as npt

from newstui.core.article import Article, body_size, body_sizes
from newstui.core.progress import Progress
from newstui.core.search.segments import timestamp
from newstui.core.stories.sketch import (
    BINS,
    CHUNK,
    EMPTY,
    Sketches,
    headline_key,
    sketch_articles,
    title_mask,
)

__all__ = ["GroupingParams", "Stories", "group_stories"]

I64Array = npt.NDArray[np.int64]
F64Array = npt.NDArray[np.float64]


#: up to this many new articles are paired by scanning the bands (Stories._scanned_pairs)
FEW_NEW = 32


@dataclass(frozen=True, slots=True)
class GroupingParams:
    """The grouping rules' knobs (tuned on ``benchmarks/bench_stories.py``)."""

    rows: int = 2
    jaccard: float = 0.5
    containment: float = 0.7
    jaccard_floor: float = 0.2
    short_shingles: int = 24
    short_jaccard: float = 0.8
    max_days: float = 3.0
    max_run: int = 32
    # A version marked as such (CORRECTED, UPDATE 1, REFILE) and an article whose headline
    # starts alike: linked on this much similarity (a correction may rewrite a lot).
    marked_jaccard: float = 0.15
    marked_containment: float = 0.35
    max_head_run: int = 2000

    @property
    def bands(self) -> int:
        return BINS // self.rows


_STAMP_BITS = 0x7FFFFFFFFFFFFFFF


def _stamp(words: Any, title_chars: Any, body_bytes: Any) -> Any:
    """The stamp of word counts, title lengths and body sizes: ints, or int64 arrays (whose
    arithmetic wraps modulo 2**64, which keeps the low 63 bits the mask takes: the same)."""
    return (words * 1_000_003 + title_chars * 7_919 + body_bytes) & _STAMP_BITS


def fingerprint(a: Article) -> int:
    """A cheap stamp of an article's text (to notice an article whose text changed under
    the same id, as a URL keeps its id); a body still on disk is not read for it."""
    stamp: int = _stamp(a.word_count, len(a.title), body_size(a))
    return stamp


def fingerprints(articles: Sequence[Article]) -> I64Array:
    """:func:`fingerprint` of every article, as an array (a warm library's body sizes
    from its store's offsets: no article at a time)."""
    n = len(articles)
    known = getattr(articles, "numbers", None)  # a warm library's rows: no article made
    if known is not None:
        words, title, size = known("words"), known("title_chars"), known("body_bytes")
        if words is not None and title is not None and size is not None:
            with np.errstate(over="ignore"):
                stamps: I64Array = _stamp(words, title, size)
            return stamps
    words = np.fromiter(map(attrgetter("word_count"), articles), np.int64, n)
    title = np.fromiter(map(len, map(attrgetter("title"), articles)), np.int64, n)
    with np.errstate(over="ignore"):
        out: I64Array = _stamp(words, title, body_sizes(articles))
    return out


@dataclass(slots=True)
class _Groups:
    """The published grouping: story of each grouped article, members of each story."""

    story_of: dict[str, str]
    members: dict[str, list[str]]


class Stories:
    """Articles grouped into stories (see the module docstring)."""

    def __init__(self, params: GroupingParams | None = None) -> None:
        self.params = params or GroupingParams()
        self._lock = threading.Lock()  # one writer at a time
        self.ids: list[str] = []
        self._row: dict[str, int] = {}
        self.sig = np.zeros((0, BINS), np.uint32)
        self.shingles = np.zeros(0, np.int32)  # shingles per article
        self.when = np.zeros(0, np.float64)  # UTC timestamp, NaN when undated
        self.stamp = np.zeros(0, np.int64)  # fingerprint()
        self.head = np.zeros(0, np.uint64)  # headline_key(): hash of the first words
        self.marked = np.zeros(0, np.bool_)  # headline_key(): a correction/update mark
        self.tmask = np.zeros(0, np.uint64)  # title_mask(): the headline's words as bits
        self.edges = np.zeros((0, 2), np.int32)  # linked pairs of rows
        self.weights = np.zeros(0, np.float32)  # each link's estimated Jaccard
        # each row's component (its first row), before stories of one were left out: kept
        # with the parts so a warm start does not work it out again
        self.label = np.zeros(0, np.int64)
        self._groups = _Groups({}, {})
        # Per band, the rows' keys (low 32 bits) sorted, and their rows: built on the first
        # incremental add, kept up to date by add/remove (None: build when needed).
        self._bands: tuple[npt.NDArray[np.uint32], npt.NDArray[np.int32]] | None = None

    # ----------------------------------------------------------------- reading

    def __len__(self) -> int:
        return len(self.ids)

    def __contains__(self, article_id: object) -> bool:
        return article_id in self._row

    def story_of(self, article_id: str) -> str:
        """The story id of ``article_id`` (its own id when it is alone, or unknown)."""
        return self._groups.story_of.get(article_id, article_id)

    def members(self, story_id: str) -> list[str]:
        """The ids of the story's articles, newest first (a lone article: itself; an
        unknown id: none)."""
        found = self._groups.members.get(story_id)
        if found is not None:
            return list(found)
        return [story_id] if story_id in self._row else []

    def groups(self) -> tuple[dict[str, str], dict[str, list[str]]]:
        """The stories of two or more articles as published: article id -> story id, and
        story id -> its ids newest first. Shared, not copied (a million ids): read them,
        never change them (a regrouping publishes new ones)."""
        groups = self._groups
        return groups.story_of, groups.members

    def size(self, story_id: str) -> int:
        """How many articles the story holds (0 for an unknown id)."""
        found = self._groups.members.get(story_id)
        if found is not None:
            return len(found)
        return 1 if story_id in self._row else 0

    def stories(self, min_size: int = 2) -> Iterator[str]:
        """The story ids with at least ``min_size`` articles, the story with the newest
        article first (a ``min_size`` of 1 or less includes every lone article)."""
        groups = self._groups
        found = [s for s, m in groups.members.items() if len(m) >= min_size]
        if min_size <= 1:
            found.extend(a for a in self.ids if a not in groups.story_of)
        when = self.when
        row = self._row

        def newest(s: str) -> tuple[float, str]:
            ids = groups.members.get(s) or [s]
            r = row.get(ids[0], -1)
            t = float(when[r]) if 0 <= r < len(when) else math.nan  # a writer may be busy
            return (-(t if t == t else -math.inf), s)

        found.sort(key=newest)
        return iter(found)

    # ----------------------------------------------------------------- writing

    def add(self, articles: Iterable[Article], *, progress: Progress | None = None) -> None:
        """Group new articles in (an id already held is replaced: its text may have
        changed). Costs the new articles' sketches and one pass over the band keys.

        ``progress(done, total)`` is called as the sketches are made, then once more after
        each later step (the candidates, their check): a long grouping can be stopped by
        raising from it. A stop before the sketches are done leaves these stories as they
        were; a later one leaves them half-grouped, to be thrown away."""
        arts = list({a.id: a for a in articles}.values())
        if not arts:
            return
        with self._lock:
            sk = _sketch(arts, progress)
            again = [a.id for a in arts if a.id in self._row]
            if again:
                self._drop(again)
            first_new = len(self.ids)
            self.ids.extend(a.id for a in arts)
            for i, a in enumerate(arts, first_new):
                self._row[a.id] = i
            self.sig = np.concatenate([self.sig, sk.sig])
            self.shingles = np.concatenate([self.shingles, sk.size])
            self.when = np.concatenate(
                [self.when, np.fromiter(map(timestamp, arts), np.float64, len(arts))]
            )
            self.stamp = np.concatenate([self.stamp, fingerprints(arts)])
            seen_heads: dict[str, tuple[bool, int]] = {}
            heads = [
                seen_heads.get(a.title) or seen_heads.setdefault(a.title, headline_key(a.title))
                for a in arts
            ]
            self.marked = np.concatenate([self.marked, np.array([m for m, _ in heads], np.bool_)])
            self.head = np.concatenate([self.head, np.array([h for _, h in heads], np.uint64)])
            self.tmask = np.concatenate(
                [self.tmask, np.array([title_mask(a.title) for a in arts], np.uint64)]
            )
            if first_new and len(arts) * 4 <= first_new:
                pairs = self._incremental_pairs(first_new)
            else:
                pairs = candidate_pairs(self.sig, self.params, first_new=first_new, when=self.when)
                self._bands = None
            if progress is not None:
                progress(len(arts), len(arts))
            extra = marked_pairs(self.head, self.marked, self.params, first_new)
            if len(extra):
                n = len(self.ids)
                flat = _unique_sorted(
                    np.concatenate([pairs[:, 0] * n + pairs[:, 1], extra[:, 0] * n + extra[:, 1]])
                )
                pairs = np.stack([flat // n, flat % n], axis=1)
            ok, jac = verify(
                self.sig,
                self.shingles,
                self.when,
                pairs,
                self.params,
                self.head,
                self.marked,
                self.tmask,
            )
            if progress is not None:
                progress(len(arts), len(arts))
            self.edges = np.concatenate([self.edges, pairs[ok].astype(np.int32)])
            self.weights = np.concatenate([self.weights, jac[ok].astype(np.float32)])
            if again or ok.any() or len(self.label) != first_new:
                self._publish()
            else:  # no story changed: lone articles came in, each its own component
                self.label = np.concatenate(
                    [self.label, np.arange(first_new, len(self.ids), dtype=self.label.dtype)]
                )

    def _band_index(self, upto: int) -> tuple[npt.NDArray[np.uint32], npt.NDArray[np.int32]]:
        if self._bands is None:
            keys = band_keys(self.sig[:upto], self.params.rows).astype(np.uint32).T
            order = np.argsort(keys, axis=1, kind="stable").astype(np.int32)
            self._bands = (np.take_along_axis(keys, order, axis=1), order)
        return self._bands

    def _incremental_pairs(self, first_new: int) -> npt.NDArray[np.int64]:
        """Candidate pairs of the rows from ``first_new`` on (few) with the others and among
        themselves, by binary search in the sorted band keys; the new keys are merged in.
        A handful of new rows (a fetched file in a big library) scan the bands instead
        (:meth:`_scanned_pairs`): no index of a million rows' keys is built for them."""
        n = len(self.ids)
        if n - first_new <= FEW_NEW and self.params.rows == 2 and self._bands is None:
            return self._scanned_pairs(first_new)
        keys, rows = self._band_index(first_new)
        new_keys = band_keys(self.sig[first_new:], self.params.rows).astype(np.uint32)
        new_rows = np.arange(first_new, n, dtype=np.int64)
        found: list[I64Array] = []
        cap = self.params.max_run
        merged_keys = []
        merged_rows = []
        for b in range(keys.shape[0]):
            col = keys[b]
            q = new_keys[:, b]
            lo = np.searchsorted(col, q, "left")
            hi = np.minimum(np.searchsorted(col, q, "right"), lo + cap)
            counts = hi - lo
            total = int(counts.sum())
            if total:
                ends = np.cumsum(counts)
                idx = np.repeat(lo - (ends - counts), counts) + np.arange(total)
                old = rows[b][idx].astype(np.int64)
                found.append(old * n + np.repeat(new_rows, counts))
            at = np.searchsorted(col, q, "right")
            merged_keys.append(np.insert(col, at, q))
            merged_rows.append(np.insert(rows[b], at, new_rows.astype(np.int32)))
        self._bands = (np.stack(merged_keys), np.stack(merged_rows))
        return self._with_pairs_among_new(found, first_new)

    def _with_pairs_among_new(self, found: list[I64Array], first_new: int) -> npt.NDArray[np.int64]:
        """The pairs ``found`` (each ``old * n + new``) and the new rows' candidate pairs
        among themselves, as sorted distinct ``(i, j)`` rows."""
        n = len(self.ids)
        inner = candidate_pairs(self.sig[first_new:], self.params, when=self.when[first_new:])
        if len(inner):
            found.append((inner[:, 0] + first_new) * n + inner[:, 1] + first_new)
        if not found:
            return np.zeros((0, 2), np.int64)
        flat = _unique_sorted(np.concatenate(found))
        return np.stack([flat // n, flat % n], axis=1)

    def _scanned_pairs(self, first_new: int) -> npt.NDArray[np.int64]:
        """:meth:`_incremental_pairs` for a handful of new rows, with bands of two values:
        each band is read as one 64-bit value (its key without the hash) and compared
        across the old rows, new row by new row (~30 ms each at a million rows, where
        sorting every band's keys takes seconds and GBs). A band's candidates are the
        first ``max_run`` old rows equal in it, as in the sorted index; a text with no
        words (every value empty) matches nothing, as its band keys are its own."""
        n = len(self.ids)
        sig = np.ascontiguousarray(self.sig)
        bands = sig[:, : (BINS // 2) * 2].view(np.uint64)  # (n, bands): a band a value
        old = bands[:first_new]
        found: list[I64Array] = []
        for row in range(first_new, n):
            if bool((sig[row] == EMPTY).all()):
                continue  # (a sketch with words has no empty value: see sketch.py)
            hit_rows, hit_bands = np.nonzero(old == bands[row])
            if not len(hit_rows):
                continue
            order = np.argsort(hit_bands, kind="stable")  # each band's rows, ascending
            hit_rows, hit_bands = hit_rows[order], hit_bands[order]
            first = np.searchsorted(hit_bands, hit_bands, "left")
            keep = np.arange(len(hit_rows)) - first < self.params.max_run
            found.append(hit_rows[keep].astype(np.int64) * n + row)
        return self._with_pairs_among_new(found, first_new)

    def remove(self, article_ids: Iterable[str]) -> None:
        """Take articles out (unknown ids are ignored); a story they held together splits."""
        with self._lock:
            gone = [a for a in dict.fromkeys(article_ids) if a in self._row]
            if gone:
                linked = any(a in self._groups.story_of for a in gone)
                self._drop(gone)
                if linked:  # else only lone articles left
                    self._publish()

    def _drop(self, gone: Sequence[str]) -> None:
        n = len(self.ids)
        keep = np.ones(n, np.bool_)
        keep[[self._row[a] for a in gone]] = False
        new_row = np.cumsum(keep) - 1
        e, w = self.edges, self.weights
        if len(e):
            alive = keep[e[:, 0]] & keep[e[:, 1]]
            e = new_row[e[alive]].astype(np.int32)
            w = w[alive]
        self.edges = e.reshape(-1, 2)
        self.weights = w
        self.sig = self.sig[keep]
        self.shingles = self.shingles[keep]
        self.when = self.when[keep]
        self.stamp = self.stamp[keep]
        self.head = self.head[keep]
        self.marked = self.marked[keep]
        self.tmask = self.tmask[keep]
        self.ids = [a for a, k in zip(self.ids, keep.tolist(), strict=True) if k]
        if len(self.label) == n:
            # right when the rows that left were alone; else published again by the caller
            self.label = new_row[self.label[keep]]
        if self._bands is not None:
            keys, rows = self._bands
            if rows.shape[1] == n:
                mask = keep[rows]
                width = int(keep.sum())
                self._bands = (
                    keys[mask].reshape(len(keys), width),
                    new_row[rows[mask]].astype(np.int32).reshape(len(keys), width),
                )
            else:
                self._bands = None
        self._row = {a: i for i, a in enumerate(self.ids)}

    def _publish(self, label: I64Array | None = None) -> None:
        """Group the rows by their links (``label``: each row's component, as
        :attr:`label` was when written: given by the cache, not worked out again)."""
        if label is None:
            label = _span_limited(
                self.ids,
                self.when,
                self.edges,
                self.weights,
                _labels(len(self.ids), self.edges),
                self.params.max_days * 86_400.0,
            )
        self.label = label
        self._groups = _components(self.ids, self.when, label)

    # ----------------------------------------------------------------- persistence

    @classmethod
    def from_parts(
        cls,
        ids: list[str],
        sig: npt.NDArray[np.uint32],
        size: npt.NDArray[np.int32],
        when: F64Array,
        stamp: I64Array,
        edges: npt.NDArray[np.int32],
        weights: npt.NDArray[np.float32],
        head: npt.NDArray[np.uint64],
        marked: npt.NDArray[np.bool_],
        tmask: npt.NDArray[np.uint64],
        params: GroupingParams | None = None,
        label: I64Array | None = None,
    ) -> Stories:
        """Stories from stored parts (see :mod:`.store`); raises ValueError when they do
        not fit together. ``label``: the rows' components as :attr:`label` held them (None:
        worked out from the links)."""
        n = len(ids)
        if sig.shape != (n, BINS) or not (
            len(size) == len(when) == len(stamp) == len(head) == len(marked) == len(tmask) == n
        ):
            raise ValueError("story parts do not fit")
        if len(set(ids)) != n:
            raise ValueError("duplicate ids in story parts")
        edges = edges.reshape(-1, 2)
        if len(weights) != len(edges):
            raise ValueError("story links do not fit")
        if len(edges) and (int(edges.min()) < 0 or int(edges.max()) >= n):
            raise ValueError("story links out of range")
        st = cls(params)
        st.ids = list(ids)
        if label is not None and not _is_labelling(label, n):
            raise ValueError("story components do not fit")
        st._row = {a: i for i, a in enumerate(ids)}
        st.sig, st.shingles, st.when, st.stamp = sig, size, when, stamp
        st.edges, st.weights = edges, weights
        st.head, st.marked, st.tmask = head, marked, tmask
        st._publish(label)
        return st


def group_stories(
    articles: Iterable[Article],
    params: GroupingParams | None = None,
    *,
    progress: Progress | None = None,
) -> Stories:
    """Group ``articles`` into stories (a cold build)."""
    st = Stories(params)
    st.add(articles, progress=progress)
    return st


def _sketch(arts: Sequence[Article], progress: Progress | None) -> Sketches:
    if progress is None or len(arts) <= CHUNK:
        return sketch_articles(arts)
    sigs, sizes = [], []
    for start in range(0, len(arts), CHUNK):
        sk = sketch_articles(arts[start : start + CHUNK])
        sigs.append(sk.sig)
        sizes.append(sk.size)
        progress(min(start + CHUNK, len(arts)), len(arts))
    return Sketches(np.concatenate(sigs), np.concatenate(sizes))


# --------------------------------------------------------------------------- candidates


def band_keys(sig: npt.NDArray[np.uint32], rows: int) -> npt.NDArray[np.uint64]:
    """(n, bands) keys: each band's ``rows`` values hashed to 64 bits."""
    n = len(sig)
    bands = BINS // rows
    s = sig[:, : bands * rows].astype(np.uint64).reshape(n, bands, rows)
    key = np.zeros((n, bands), np.uint64)
    for r in range(rows):
        key = key * np.uint64(0x100000001B3) + s[:, :, r] + np.uint64(r + 1)
    key ^= key >> np.uint64(31)
    key *= np.uint64(0x94D049BB133111EB)
    key ^= key >> np.uint64(29)
    # A band that is all EMPTY (a text with no words) must match nothing: give it its row.
    empty = (sig == np.uint32(0xFFFFFFFF)).all(axis=1)
    if empty.any():
        key[empty] = np.arange(n, dtype=np.uint64)[empty, None] | np.uint64(1 << 63)
    return key


def _unique_sorted(flat: I64Array) -> I64Array:
    """``np.unique`` by sorting (numpy's hash-based unique is slower on millions)."""
    if not len(flat):
        return flat
    flat = np.sort(flat)
    keep = np.empty(len(flat), np.bool_)
    keep[0] = True
    np.not_equal(flat[1:], flat[:-1], out=keep[1:])
    return flat[keep]


def candidate_pairs(
    sig: npt.NDArray[np.uint32],
    params: GroupingParams,
    *,
    first_new: int = 0,
    when: F64Array | None = None,
) -> npt.NDArray[np.int64]:
    """Unique pairs ``(i, j)``, ``i < j``, of rows sharing a band, with ``j >= first_new``
    (only pairs involving a new row, for an incremental add).

    Rows with identical sketches (copies of one text) are chained, and the first of each
    chain alone takes part in the banding: its links stand for theirs."""
    n = len(sig)
    if n - first_new <= 0 or n < 2:
        return np.zeros((0, 2), np.int64)
    keys = band_keys(sig, params.rows)
    # Identical sketches: one 64-bit hash of all bands, sorted by it and then by date; a run
    # of equal hashes (cut where two dates are more than max_days apart) is chained pair by
    # pair, and its first row alone takes part in the banding.
    whole = np.zeros(n, np.uint64)
    for b in range(keys.shape[1]):
        whole = (whole ^ keys[:, b]) * np.uint64(0x100000001B3)
    t = np.zeros(n) if when is None else np.where(np.isnan(when), np.inf, when)
    order = np.lexsort((np.arange(n), t, whole))
    sw, st = whole[order], t[order]
    starts = np.ones(n, np.bool_)
    with np.errstate(invalid="ignore"):
        starts[1:] = (sw[1:] != sw[:-1]) | ((st[1:] - st[:-1]) > params.max_days * 86_400.0)
    found: list[I64Array] = []
    follow = np.flatnonzero(~starts)
    if len(follow):
        a, c = order[follow - 1], order[follow]
        same = (sig[a] == sig[c]).all(axis=1)
        lo, hi = np.minimum(a, c)[same], np.maximum(a, c)[same]
        if first_new:
            keep = hi >= first_new
            lo, hi = lo[keep], hi[keep]
        found.append(lo.astype(np.int64) * n + hi)
    leaders = np.sort(order[starts])
    for b in range(keys.shape[1]):
        col = keys[leaders, b]
        border = np.argsort(col, kind="stable")
        sk = col[border]
        rows = leaders[border]
        for d in range(1, params.max_run + 1):
            same_key = np.flatnonzero(sk[d:] == sk[:-d])
            if not len(same_key):
                break
            a = rows[same_key]
            c = rows[same_key + d]
            lo, hi = np.minimum(a, c), np.maximum(a, c)
            if first_new:
                keep = hi >= first_new
                lo, hi = lo[keep], hi[keep]
            found.append(lo.astype(np.int64) * n + hi)
    if not found:
        return np.zeros((0, 2), np.int64)
    flat = _unique_sorted(np.concatenate(found))
    return np.stack([flat // n, flat % n], axis=1)


def marked_pairs(
    head: npt.NDArray[np.uint64],
    marked: npt.NDArray[np.bool_],
    params: GroupingParams,
    first_new: int = 0,
) -> npt.NDArray[np.int64]:
    """Pairs ``(i, j)``, ``i < j``, of a marked version and an article whose headline starts
    alike (the ``max_head_run`` nearest in row order when many do), with ``j >= first_new``
    or the marked row new."""
    n = len(head)
    rows = np.flatnonzero(marked & (head != 0))
    if not len(rows) or n < 2:
        return np.zeros((0, 2), np.int64)
    order = np.argsort(head, kind="stable")
    sh = head[order]
    found: list[I64Array] = []
    for r in rows.tolist():
        lo = int(np.searchsorted(sh, head[r], "left"))
        hi = int(np.searchsorted(sh, head[r], "right"))
        same = order[lo:hi]
        if len(same) > params.max_head_run:
            same = same[np.argsort(np.abs(same - r))[: params.max_head_run]]
        same = same[same != r]
        if r < first_new:
            same = same[same >= first_new]
        if len(same):
            a, b = np.minimum(same, r), np.maximum(same, r)
            found.append(np.stack([a, b], axis=1).astype(np.int64))
    if not found:
        return np.zeros((0, 2), np.int64)
    return np.unique(np.concatenate(found), axis=0)


# --------------------------------------------------------------------------- verification


def similarity(
    sig: npt.NDArray[np.uint32], size: npt.NDArray[np.int32], pairs: npt.NDArray[np.int64]
) -> tuple[F64Array, F64Array]:
    """Estimated Jaccard similarity and containment (of the smaller in the larger) of each
    pair's shingle sets."""
    jac = np.zeros(len(pairs), np.float64)
    step = 65_536
    for s in range(0, len(pairs), step):
        p = pairs[s : s + step]
        jac[s : s + step] = (sig[p[:, 0]] == sig[p[:, 1]]).mean(axis=1)
    a = size[pairs[:, 0]].astype(np.float64)
    b = size[pairs[:, 1]].astype(np.float64)
    inter = jac * (a + b) / (1.0 + jac)
    cont = np.minimum(inter / np.maximum(np.minimum(a, b), 1.0), 1.0)
    return jac, cont


def verify(
    sig: npt.NDArray[np.uint32],
    size: npt.NDArray[np.int32],
    when: F64Array,
    pairs: npt.NDArray[np.int64],
    params: GroupingParams,
    head: npt.NDArray[np.uint64] | None = None,
    marked: npt.NDArray[np.bool_] | None = None,
    tmask: npt.NDArray[np.uint64] | None = None,
) -> tuple[npt.NDArray[np.bool_], F64Array]:
    """Which candidate pairs are the same story (see the module docstring), and each
    pair's estimated Jaccard similarity."""
    if not len(pairs):
        return np.zeros(0, np.bool_), np.zeros(0, np.float64)
    jac, cont = similarity(sig, size, pairs)
    ok = (jac >= params.jaccard) | ((cont >= params.containment) & (jac >= params.jaccard_floor))
    small = np.minimum(size[pairs[:, 0]], size[pairs[:, 1]]) < params.short_shingles
    ok &= ~small | (jac >= params.short_jaccard)
    if head is not None and marked is not None:
        ha, hb = head[pairs[:, 0]], head[pairs[:, 1]]
        version = (marked[pairs[:, 0]] | marked[pairs[:, 1]]) & (ha == hb) & (ha != 0)
        ok |= version & ((jac >= params.marked_jaccard) | (cont >= params.marked_containment))
        if tmask is not None:
            # a marked version whose headline's words are all in the other's (or the other
            # way): a short correction of numbers shares few shingles, but says whose it is
            ma, mb = tmask[pairs[:, 0]], tmask[pairs[:, 1]]
            ok |= version & (((ma & ~mb) == 0) | ((mb & ~ma) == 0))
    ok &= np.minimum(size[pairs[:, 0]], size[pairs[:, 1]]) > 0
    ta, tb = when[pairs[:, 0]], when[pairs[:, 1]]
    with np.errstate(invalid="ignore"):
        far = np.abs(ta - tb) > params.max_days * 86_400.0
    ok &= ~far  # NaN (undated) compares False: never too far
    return ok, jac


# --------------------------------------------------------------------------- components


def _labels(n: int, edges: npt.NDArray[np.int32]) -> I64Array:
    """Connected components: each row's label is the smallest row of its component."""
    label = np.arange(n, dtype=np.int64)
    if not len(edges):
        return label
    a = edges[:, 0].astype(np.int64)
    b = edges[:, 1].astype(np.int64)
    while True:
        la, lb = label[a], label[b]
        m = np.minimum(la, lb)
        before = label.copy()
        np.minimum.at(label, la, m)
        np.minimum.at(label, lb, m)
        label = label[label]  # pointer jumping
        label = label[label]
        if np.array_equal(label, before):
            return label


def _span_limited(
    ids: Sequence[str],
    when: F64Array,
    edges: npt.NDArray[np.int32],
    weights: npt.NDArray[np.float32],
    label: I64Array,
    max_span: float,
) -> I64Array:
    """Labels where no component spans more than ``max_span`` seconds: the components that
    do are rebuilt link by link, strongest first, skipping a link that would stretch one."""
    n = len(ids)
    t = np.where(np.isnan(when), np.inf, when)
    lo = np.full(n, np.inf)
    hi = np.full(n, -np.inf)
    np.minimum.at(lo, label, t)
    np.maximum.at(hi, label, np.where(np.isnan(when), -np.inf, when))
    too_long = (hi - lo) > max_span
    sel = np.flatnonzero(too_long[label[edges[:, 0]]]) if len(edges) else np.zeros(0, np.int64)
    if not len(sel):
        return label
    rows = np.flatnonzero(too_long[label])
    out = label.copy()
    out[rows] = rows  # rebuilt below
    e = edges[sel]
    w = weights[sel]
    a_ids = [ids[i] for i in e[:, 0].tolist()]
    b_ids = [ids[i] for i in e[:, 1].tolist()]
    order = sorted(
        range(len(sel)),
        key=lambda k: (-float(w[k]), min(a_ids[k], b_ids[k]), max(a_ids[k], b_ids[k])),
    )
    parent: dict[int, int] = {r: r for r in rows.tolist()}
    tmin = {r: float(t[r]) for r in parent}
    t_hi = np.where(np.isnan(when), -np.inf, when)
    tmax = {r: float(t_hi[r]) for r in parent}

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    ea = e[:, 0].tolist()
    eb = e[:, 1].tolist()
    for k in order:
        ra, rb = find(ea[k]), find(eb[k])
        if ra == rb:
            continue
        lo_ab, hi_ab = min(tmin[ra], tmin[rb]), max(tmax[ra], tmax[rb])
        if hi_ab - lo_ab > max_span:
            continue
        keep, drop = (ra, rb) if ra < rb else (rb, ra)
        parent[drop] = keep
        tmin[keep], tmax[keep] = lo_ab, hi_ab
    for r in parent:
        out[r] = find(r)
    return out


def _is_labelling(label: I64Array, n: int) -> bool:
    """Whether ``label`` can be a components' labelling of ``n`` rows: each row's label a
    row no later than itself that is its own label (a component's first row)."""
    if label.shape != (n,):
        return False
    if not n:
        return True
    rows = np.arange(n)
    return bool(
        int(label.min()) >= 0
        and bool((label <= rows).all())
        and bool((label[label] == label).all())
    )


def _components(ids: Sequence[str], when: F64Array, label: I64Array) -> _Groups:
    """The stories of rows labelled by component (a story: a component of 2 or more)."""
    n = len(ids)
    counts = np.bincount(label, minlength=n)
    grouped = np.flatnonzero(counts[label] >= 2)
    if not len(grouped):
        return _Groups({}, {})
    t = when[grouped]
    undated = np.isnan(t)
    tt = np.where(undated, 0.0, t)
    gids = [ids[i] for i in grouped.tolist()]
    id_rank = np.empty(len(grouped), np.int64)
    id_rank[np.argsort(np.array(gids), kind="stable")] = np.arange(len(grouped))
    lab = label[grouped]
    # Members newest first (undated last, then by id) ...
    order = np.lexsort((id_rank, -tt, undated, lab))
    # ... and the story's id: its earliest member (dated first, oldest, then by id).
    first = np.lexsort((id_rank, tt, undated, lab))
    lab_o = lab[order]
    starts = np.flatnonzero(np.r_[True, lab_o[1:] != lab_o[:-1]])
    lab_f = lab[first]
    f_starts = np.flatnonzero(np.r_[True, lab_f[1:] != lab_f[:-1]])
    sids = [gids[i] for i in first[f_starts].tolist()]  # same label order as starts
    ordered = [gids[i] for i in order.tolist()]
    bounds = [*starts.tolist(), len(ordered)]
    members: dict[str, list[str]] = {}
    sid_per_member: list[str] = []
    for k, sid in enumerate(sids):
        group = ordered[bounds[k] : bounds[k + 1]]
        members[sid] = group
        sid_per_member.extend([sid] * len(group))
    return _Groups(dict(zip(ordered, sid_per_member, strict=True)), members)
