"""Writing: articles tokenised into segments, and the writer that publishes them.

``Writer.add`` and ``Writer.remove`` build new segments / deletion masks and then
*publish* a new immutable :class:`Snapshot` with one reference assignment. While ``add``
runs (e.g. in a worker thread) a search sees every chunk of articles committed so far
(:data:`BUILD_CHUNK` articles at a time, then, once the index is large, every
:data:`PUBLISH_SHARE`-th of it) — a consistent, growing subset — and an article
replaced by id is seen either in its old or its new version, never both. When ``add``
returns, the chunks have been merged into one segment (small later additions stay in small
segments until they are worth merging); ``remove`` is visible when it returns. Writers are
serialised by a lock; readers take no lock. ``progress(done, total)`` is called from the
calling thread after each chunk.

Tokenising is the Python (GIL-bound) half of a build (for a large build, done by worker
processes: :mod:`newstui.core.search.tokenisers`); sorting into postings the numpy half,
run in a helper thread beside the next chunk's tokenising.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from newstui.core.article import Article
from newstui.core.progress import Progress
from newstui.core.search.normalize import (
    PIECE_JOIN,
    SEPARATOR,
    expand_compound,
    folded_forms,
    index_pieces,
    piece_index_tokens,
)
from newstui.core.search.segments import (
    FIELDS,
    BoolArray,
    I64Array,
    IntArray,
    Location,
    Segment,
    TermDict,
    csr,
    document_frequencies,
    location,
    merge,
    split,
    timestamp,
)
from newstui.core.search.snapshot import Snapshot

BUILD_CHUNK = 4096
# While an add runs, built chunks are published (made searchable) at once while the index
# is small, then whenever they reach this share of it (1/8: at 1M articles every ~125k).
PUBLISH_SHARE = 8


class Forms(dict[str, int]):
    """What each surface form read by :func:`index_pieces` (or :func:`folded_forms`)
    stands for, filled on first sight: a word its term id, :data:`SEPARATOR` -1, any
    other piece (a compound, a word with its punctuation) ``-2 - k`` where ``k`` indexes
    its expansion (term ids, from ``expand``; maybe none) in the flat ``exp_*`` tables.
    One per ``add`` and reading."""

    def __init__(self, terms: TermDict, expand: Callable[[str], list[str]]) -> None:
        super().__init__()
        self.terms = terms
        self.expand = expand
        self.exp_ids: list[int] = []
        self.exp_starts: list[int] = [0]
        self._ids: IntArray = np.zeros(0, np.int32)
        self._starts: I64Array = np.zeros(1, np.int64)

    def __missing__(self, key: str) -> int:
        if key.isalnum():
            value = self.terms[key]
        elif key == SEPARATOR:
            value = -1
        else:
            value = -1 - len(self.exp_starts)
            self.exp_ids.extend(map(self.terms.__getitem__, self.expand(key)))
            self.exp_starts.append(len(self.exp_ids))
        self[key] = value
        return value

    def tables(self) -> tuple[IntArray, I64Array]:
        """The expansions as arrays (extended with what was added since the last call)."""
        if len(self._starts) < len(self.exp_starts):
            self._ids = np.concatenate(
                [self._ids, np.array(self.exp_ids[len(self._ids) :], np.int32)]
            )
            self._starts = np.concatenate(
                [self._starts, np.array(self.exp_starts[len(self._starts) :], np.int64)]
            )
        return self._ids, self._starts

    def postings(self, words: list[str]) -> tuple[IntArray, I64Array]:
        """``(term ids, text number)`` of forms read from texts joined by SEPARATOR."""
        codes = np.fromiter(map(self.__getitem__, words), np.int32, count=len(words))
        doc_of = np.cumsum(codes == -1, dtype=np.int64)
        plain = codes >= 0
        id_parts = [codes[plain]]
        doc_parts = [doc_of[plain]]
        cpos = np.flatnonzero(codes < -1)
        if len(cpos):
            exp_ids, exp_starts = self.tables()
            k = -2 - codes[cpos].astype(np.int64)
            st = exp_starts[k]
            ln = exp_starts[k + 1] - st
            ends = np.cumsum(ln)
            idx = np.repeat(st - (ends - ln), ln) + np.arange(int(ends[-1]))
            id_parts.append(exp_ids[idx])
            doc_parts.append(np.repeat(doc_of[cpos], ln))
        return np.concatenate(id_parts), np.concatenate(doc_parts)


@dataclass(slots=True)
class Readers:
    """The two readings of one ``add``: ASCII texts (the fast path, index_tokens, read as
    pieces) and other texts (folded, tokens)."""

    ascii: Forms
    folded: Forms

    @classmethod
    def new(cls, terms: TermDict) -> Readers:
        return cls(Forms(terms, piece_index_tokens), Forms(terms, expand_compound))


def field_postings(texts: list[str], readers: Readers) -> tuple[IntArray, I64Array]:
    """``(term ids, doc)`` of every token of ``texts`` (doc = index in ``texts``).

    The ASCII texts are cut into pieces together (:func:`index_pieces`: a translate and
    a split, no regex) and mapped to term ids in one C-level ``map`` (a piece that is not
    a word gets its tokens from the forms table); the other texts likewise, folded, in
    one regex pass."""
    n = len(texts)
    joined = PIECE_JOIN.join(texts)
    if joined.isascii() and joined.count(SEPARATOR) == n - 1:
        del joined
        return readers.ascii.postings(index_pieces(texts))
    del joined
    fast = list(texts)
    others: list[int] = []
    other_texts: list[str] = []
    for i, text in enumerate(texts):
        if SEPARATOR in text:
            text = text.replace(SEPARATOR, " ")  # a NUL separates words anyway
            fast[i] = text
        if not text.isascii():
            others.append(i)
            other_texts.append(text)
            fast[i] = ""
    ids, docs = readers.ascii.postings(index_pieces(fast))
    if not others:
        return ids, docs
    o_ids, o_docs = readers.folded.postings(folded_forms(other_texts))
    return np.concatenate([ids, o_ids]), np.concatenate([docs, np.array(others)[o_docs]])


@dataclass(slots=True)
class Parsed:
    """A chunk of articles tokenised to term ids: the Python (GIL-bound) half of a build."""

    articles: list[Article]
    ids: list[IntArray]
    docs: list[I64Array]
    lengths: npt.NDArray[np.int32]
    n_terms: int


Columns = tuple[list[str], list[str], list[str], list[str], list[str]]
Tokenised = tuple[list[IntArray], list[I64Array], npt.NDArray[np.int32]]


def chunk_columns(articles: list[Article]) -> Columns:
    """The texts of a chunk of articles, one list per field (:data:`FIELDS` order)."""
    return (
        [a.title for a in articles],
        [a.body for a in articles],
        [a.author for a in articles],
        [a.source for a in articles],
        [" ".join(a.tags) for a in articles],
    )


def tokenise_columns(columns: Columns, readers: Readers) -> Tokenised:
    """``(term ids, docs)`` per field and the field lengths of a chunk's texts."""
    n = len(columns[0])
    ids: list[IntArray] = []
    docs: list[I64Array] = []
    for texts in columns:
        t, d = field_postings(texts, readers)
        ids.append(t)
        docs.append(d)
    lengths = np.stack([np.bincount(d, minlength=n) for d in docs]).astype(np.int32)
    return ids, docs, lengths.reshape(len(FIELDS), n)


def parse_chunk(articles: list[Article], readers: Readers) -> Parsed:
    ids, docs, lengths = tokenise_columns(chunk_columns(articles), readers)
    return Parsed(list(articles), ids, docs, lengths, len(readers.ascii.terms.terms))


def finish_segment(parsed: Parsed) -> Segment:
    """The numpy half of a build (sorting releases the GIL: runs beside the next parse)."""
    n, n_terms = len(parsed.articles), parsed.n_terms
    fields = [csr(ids, docs, n, n_terms) for ids, docs in zip(parsed.ids, parsed.docs, strict=True)]
    published = np.fromiter((timestamp(a) for a in parsed.articles), np.float64, count=n)
    return Segment(
        parsed.articles, published, parsed.lengths, fields, document_frequencies(fields, n_terms)
    )


def build_segment(articles: list[Article], terms: TermDict) -> Segment:
    return finish_segment(parse_chunk(articles, Readers.new(terms)))


class Writer:
    """Publishes snapshots of one index (see the module doc); one writer at a time."""

    def __init__(self, terms: TermDict, snapshot: Snapshot | None = None) -> None:
        self.terms = terms
        self.lock = threading.Lock()
        self.snapshot = snapshot or Snapshot((), (), {}, terms)

    def add(self, articles: Iterable[Article], *, progress: Progress | None = None) -> None:
        """Add articles, replacing any already indexed under the same id.

        Built in chunks of ``BUILD_CHUNK``: searches meanwhile see each chunk as it lands
        (in a large index, chunks land together, a ``PUBLISH_SHARE``-th of the index at a
        time). ``progress(done, total)`` is called after each chunk.
        """
        batch = list({a.id: a for a in articles}.values())
        total = len(batch)
        # The build makes long-lived objects (snapshots' id tables, segments) and
        # no cycles: the cyclic GC would walk them (and the library) over and over, 10-15%
        # of a build. Paused for the build, not leaked: it runs again when add returns.
        gc_was_enabled = gc.isenabled()
        gc.disable()
        try:
            self._add(batch, total, progress)
        finally:
            if gc_was_enabled:
                gc.enable()

    def _add(self, batch: list[Article], total: int, progress: Progress | None) -> None:
        with self.lock:
            base_count = len(self.snapshot.segments)
            chunks = [batch[i : i + BUILD_CHUNK] for i in range(0, total, BUILD_CHUNK)]
            # Pipeline: chunk i+1 is tokenised (Python) while chunk i is sorted into
            # postings (numpy, GIL released) in a helper thread.
            pool = ThreadPoolExecutor(1, "newstui-index") if len(chunks) > 1 else None
            readers = Readers.new(self.terms)
            try:
                pending: Future[Segment] | None = None
                done = 0
                waiting: list[Segment] = []  # built, not yet published

                def land(seg: Segment, last: bool) -> None:
                    nonlocal done
                    waiting.append(seg)
                    # Publishing copies the id table: once a chunk while it is small, then
                    # once per PUBLISH_SHARE of it, so a build costs linear time, not
                    # quadratic (244 copies of up to 1M ids at 1M articles).
                    ready = sum(s.n for s in waiting)
                    if last or ready >= max(BUILD_CHUNK, len(self.snapshot.where) // PUBLISH_SHARE):
                        self._commit(waiting)
                        waiting.clear()
                    done += seg.n
                    if progress is not None:
                        progress(done, total)

                from newstui.core.search.tokenisers import tokenised_chunks

                # Tokenised here, or by worker processes for a large build (see tokenisers).
                for parsed in tokenised_chunks(chunks, self.terms, readers):
                    future: Future[Segment]
                    if pool is None:
                        future = Future()
                        future.set_result(finish_segment(parsed))
                    else:
                        future = pool.submit(finish_segment, parsed)
                    if pending is not None:
                        land(pending.result(), last=False)
                    pending = future
                if pending is not None:
                    land(pending.result(), last=True)
            finally:
                if pool is not None:
                    pool.shutdown(wait=True)
                self._compact(base_count)
                snap = self.snapshot
                if snap.building:  # nothing to compact: the last chunk's snapshot, complete
                    self._publish(snap.segments, snap.lives, snap.where)
            if total == 0 and progress is not None:
                progress(0, 0)

    def _commit(self, segs: list[Segment]) -> None:
        """Publish new segments, retiring older versions of their articles."""
        snap = self.snapshot
        segments = list(snap.segments)
        lives = list(snap.lives)
        where = dict(snap.where)
        for seg in segs:
            for a in seg.articles:
                old = where.pop(a.id, None)
                if old is not None:
                    si, li = split(old)
                    live = lives[si]
                    if live is None:
                        live = np.ones(segments[si].n, np.bool_)
                    elif si < len(snap.lives) and live is snap.lives[si]:
                        live = live.copy()
                    live[li] = False
                    lives[si] = live
            si = len(segments)
            for li, a in enumerate(seg.articles):
                where[a.id] = location(si, li)
            segments.append(seg)
            lives.append(None)
        self._publish(tuple(segments), tuple(lives), where, building=True)

    def remove(self, article_ids: Iterable[str]) -> None:
        """Remove articles by id (unknown ids are ignored)."""
        with self.lock:
            snap = self.snapshot
            lives = list(snap.lives)
            where = dict(snap.where)
            changed = False
            for article_id in article_ids:
                old = where.pop(article_id, None)
                if old is None:
                    continue
                si, li = split(old)
                live = lives[si]
                if live is None or live is snap.lives[si]:
                    live = np.ones(snap.segments[si].n, np.bool_) if live is None else live.copy()
                live[li] = False
                lives[si] = live
                changed = True
            if changed:
                self._publish(snap.segments, tuple(lives), where)
                self._compact(len(snap.segments))

    def _publish(
        self,
        segments: tuple[Segment, ...],
        lives: tuple[BoolArray | None, ...],
        where: dict[str, Location],
        *,
        building: bool = False,
    ) -> None:
        self.snapshot = Snapshot(segments, lives, where, self.terms, building)

    def _compact(self, first_new: int) -> None:
        """Merge the segments of one ``add`` into one; keep few, mostly-live segments."""
        snap = self.snapshot
        segs = list(snap.segments)
        lives = list(snap.lives)
        changed = False
        if len(segs) - first_new > 1:
            merged = merge(segs[first_new:], lives[first_new:])
            segs[first_new:] = [merged]
            lives[first_new:] = [None]
            changed = True
        # Tiered: merge the tail while the last segment is not much smaller than the one
        # before it (so a big segment is rewritten only rarely), or when too many.
        while len(segs) >= 2 and (segs[-2].n <= 3 * segs[-1].n or len(segs) > 8):
            merged = merge(segs[-2:], lives[-2:])
            segs[-2:] = [merged]
            lives[-2:] = [None]
            changed = True
        # Rewrite segments that are mostly deleted; drop empty ones.
        for i, (seg, live) in enumerate(zip(segs, lives, strict=True)):
            if live is not None and int(live.sum()) * 2 < seg.n:
                segs[i] = merge([seg], [live])
                lives[i] = None
                changed = True
        if not changed:
            return
        keep = [i for i, s in enumerate(segs) if s.n > 0]
        segs = [segs[i] for i in keep]
        lives = [lives[i] for i in keep]
        # The leading segments left as they were keep their locations: only the ones after
        # them are mapped again (a million-article base is not walked for a small tail).
        same = 0
        old = snap.segments
        while (
            same < min(len(segs), len(old))
            and segs[same] is old[same]
            and lives[same] is snap.lives[same]
        ):
            same += 1
        where: dict[str, Location] = dict(snap.where) if same else {}
        for seg in old[same:] if same else ():
            for a in seg.articles:
                loc = where.get(a.id)
                if loc is not None and split(loc)[0] >= same:
                    del where[a.id]
        for si, (seg, live) in enumerate(zip(segs, lives, strict=True)):
            if si < same:
                continue
            if live is None:
                for li, a in enumerate(seg.articles):
                    where[a.id] = location(si, li)
            else:
                for li in np.flatnonzero(live).tolist():
                    where[seg.articles[li].id] = location(si, li)
        self._publish(tuple(segs), tuple(lives), where)

    def compact(self) -> None:
        """Merge everything into a single segment (before saving a cache)."""
        with self.lock:
            snap = self.snapshot
            if len(snap.segments) > 1 or any(live is not None for live in snap.lives):
                seg = merge(snap.segments, snap.lives)
                self._publish(
                    (seg,), (None,), {a.id: location(0, i) for i, a in enumerate(seg.articles)}
                )

    # ----------------------------------------------------------------- persistence
