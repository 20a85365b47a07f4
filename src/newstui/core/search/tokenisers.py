"""Tokenising a large build in worker processes, on the machine's other cores.

Tokenising (:func:`~newstui.core.search.writing.tokenise_columns`) is the GIL-bound half of
a build: one core, whatever the threads. For a large ``add`` (:data:`PROCESS_MIN` articles
or more, and a machine of two cores or more; :data:`TOKENISERS` workers at most),
:func:`tokenised_chunks` sends each chunk's texts to a pool of worker processes and reads
back numbers only.

Each worker keeps a vocabulary of its own (its term ids are its own) and answers a chunk
with the terms it met for the first time in it, in the order it met them, and the chunk's
postings in its ids. The caller reads the answers in chunk order and gives those terms
global ids (:class:`~newstui.core.search.segments.TermDict`, first seen first) before
mapping the postings. A term new to the whole index in chunk ``k`` is new to whichever
worker read ``k`` too, and comes in the order of its first place in the chunk, so every
term gets the id a build in one process gives it: the same index, to the array.

Workers are started with ``spawn`` (never ``fork``: the app has threads). If the pool
cannot start or breaks, the chunks not yet read are tokenised in this process.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor

import numpy as np
import numpy.typing as npt

from newstui.core.article import Article
from newstui.core.search.segments import I64Array, IntArray, TermDict
from newstui.core.search.writing import (
    Columns,
    Parsed,
    Readers,
    chunk_columns,
    parse_chunk,
    tokenise_columns,
)

log = logging.getLogger(__name__)

#: A build of fewer articles is tokenised in this process (a worker takes ~0.5 s to start).
PROCESS_MIN = 50_000
#: Worker processes (at most the cores; none on one core). Measured on the 2-core VM when
#: quiet (load < 1.3), cold open of Reuters copies, 2 workers vs none: 104k 6.5 vs 8.0 s,
#: 521k 28.9 vs 50.4 s (peak 2.85 vs 2.59 GB), 1M 58.3 vs 105.3 s; the same index. (On the
#: same VM shared with three other builds, load 5-6, it had lost: 104k 9.5-11 s vs 5.6-7 s.)
#: ``spawn`` imports the caller's main module again in each worker: harmless for the app,
#: the CLI (``python -m newstui`` too: a package's ``__main__`` is not re-run) and guarded
#: scripts, but a script without ``if __name__ == "__main__"`` would run again (its nested
#: pool fails and falls back, yet its own work runs twice).
TOKENISERS = 2
#: Chunks sent ahead of the one being read (memory: a chunk's texts and postings, ~10 MB).
AHEAD = 4

# --------------------------------------------------------------------------- worker side
_READERS: Readers | None = None

Lengths = npt.NDArray[np.int32]
Answer = tuple[int, list[str], list[IntArray], list[I64Array], Lengths]


def _tokenise(columns: Columns) -> Answer:
    """In a worker: the chunk in this worker's term ids, and the terms new to it."""
    global _READERS
    if _READERS is None:
        _READERS = Readers.new(TermDict())
    terms = _READERS.ascii.terms.terms
    start = len(terms)
    ids, docs, lengths = tokenise_columns(columns, _READERS)
    return os.getpid(), terms[start:], ids, docs, lengths


# --------------------------------------------------------------------------- caller side
def workers_for(total: int) -> int:
    """How many worker processes a build of ``total`` articles gets (0: none)."""
    cores = os.cpu_count() or 1
    if TOKENISERS < 1 or total < PROCESS_MIN or cores < 2:
        return 0
    return min(TOKENISERS, cores)


class _Remap:
    """Each worker's term ids -> the index's, grown as the answers are read in order."""

    def __init__(self, terms: TermDict) -> None:
        self.terms = terms
        self.tables: dict[int, IntArray] = {}

    def __call__(self, answer: Answer) -> tuple[list[IntArray], list[I64Array], Lengths]:
        pid, new_terms, ids, docs, lengths = answer
        table = self.tables.get(pid, np.zeros(0, np.int32))
        if new_terms:
            more = np.fromiter(map(self.terms.__getitem__, new_terms), np.int32, len(new_terms))
            table = np.concatenate([table, more])
            self.tables[pid] = table
        return [table[i] for i in ids], docs, lengths


def tokenised_chunks(
    chunks: list[list[Article]], terms: TermDict, readers: Readers
) -> Iterator[Parsed]:
    """Each chunk tokenised to the index's term ids, in order: by worker processes when
    the build is large (see the module doc), else (or when the pool fails) by ``readers``
    in this process."""
    n_workers = workers_for(sum(map(len, chunks)))
    if n_workers == 0 or len(chunks) < 2:
        for chunk in chunks:
            yield parse_chunk(chunk, readers)
        return
    try:
        pool = ProcessPoolExecutor(n_workers, mp_context=multiprocessing.get_context("spawn"))
    except (OSError, ValueError, ImportError) as exc:  # no semaphores, no /dev/shm...
        log.info("tokenising in this process: no worker pool (%s)", exc)
        for chunk in chunks:
            yield parse_chunk(chunk, readers)
        return
    remap = _Remap(terms)
    sent: deque[Future[Answer]] = deque()
    next_chunk = 0
    try:
        for i, chunk in enumerate(chunks):
            try:
                while next_chunk < len(chunks) and len(sent) <= AHEAD:
                    sent.append(pool.submit(_tokenise, chunk_columns(chunks[next_chunk])))
                    next_chunk += 1
                answer = sent.popleft().result()
            except Exception as exc:  # a broken pool, a worker killed, pickling
                log.warning("tokenising in this process from chunk %d: %s", i, exc)
                break
            ids, docs, lengths = remap(answer)
            yield Parsed(list(chunk), ids, docs, lengths, len(terms.terms))
        else:
            return
    finally:
        for future in sent:
            future.cancel()
        pool.shutdown(wait=False, cancel_futures=True)
    for chunk in chunks[i:]:
        yield parse_chunk(chunk, readers)
