"""One progress callback type for long jobs (scanning a library, indexing, the cache)."""

from __future__ import annotations

from collections.abc import Callable

#: ``progress(done, total)``: called from the working thread as the job advances
#: (``total`` may grow while a scan discovers files; ``(0, 0)`` for nothing to do).
Progress = Callable[[int, int], None]

__all__ = ["Progress"]
