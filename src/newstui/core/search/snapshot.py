"""An immutable view of the index: what one search reads (segments, deletion masks, where
each article lives), with its ranking statistics and vocabulary built once, on first use.

The writer (``writing``) publishes a new snapshot with one reference assignment; a search
takes the current one once and works only on it, so it never blocks and never sees a
half-written state.
"""

from __future__ import annotations

import threading

from newstui.core.search.ranking import RankingConfig, Stats
from newstui.core.search.segments import BoolArray, Location, Segment, TermDict
from newstui.core.search.spelling import Vocab


class Snapshot:
    __slots__ = (
        "_lock",
        "_stats",
        "_vocab",
        "building",
        "lives",
        "n_terms",
        "segments",
        "terms",
        "where",
    )

    def __init__(
        self,
        segments: tuple[Segment, ...],
        lives: tuple[BoolArray | None, ...],
        where: dict[str, Location],
        terms: TermDict,
        building: bool = False,
    ) -> None:
        self.segments = segments
        # Published by ``add`` before it is done: the articles indexed so far.
        self.building = building
        self.lives = lives
        self.where = where
        self.terms = terms
        self.n_terms = max((s.n_terms for s in segments), default=0)
        self._lock = threading.Lock()
        self._stats: Stats | None = None
        self._vocab: Vocab | None = None

    def stats(self, cfg: RankingConfig) -> Stats:
        if self._stats is None:
            with self._lock:
                if self._stats is None:
                    self._stats = Stats(self.segments, len(self.where), self.n_terms, cfg)
        return self._stats

    def vocab(self, cfg: RankingConfig) -> Vocab:
        if self._vocab is None:
            stats = self.stats(cfg)
            with self._lock:
                if self._vocab is None:
                    self._vocab = Vocab(self.terms, self.n_terms, stats.df)
        return self._vocab
