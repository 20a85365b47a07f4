"""The app re-reads a newsboat cache among its folders when newsboat changes it.

Every :data:`INTERVAL` seconds the cache and its ``-wal`` are looked at (two ``stat`` calls,
cheap enough for the event loop); when their size or mtime changed and the app is not loading
or fetching, the library is reloaded as by ``r`` (``reload``: the app's action_reload; in the load worker, through the warm-start
cache: only the cache is read again, and newsboat's new items' state is imported).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from newstui.core.library.newsboat import newsboat_caches
from newstui.core.loaders.newsboat import fingerprint

INTERVAL = 3.0


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return fingerprint(path, st.st_size, st.st_mtime_ns)


def watch_newsboat(app: Any, folders: Sequence[Path], reload: Callable[[], object]) -> None:
    """Call ``reload()`` when a newsboat cache among ``folders`` changes (see the module
    docstring); nothing when there is none."""
    caches = newsboat_caches(folders)
    if not caches:
        return
    last = {c: _stamp(c) for c in caches}

    def check() -> None:
        if getattr(app, "is_loading", False) or getattr(app, "fetching", False):
            return
        now = {c: _stamp(c) for c in caches}
        if now != last:
            last.update(now)
            reload()

    app.set_interval(INTERVAL, check, name="newsboat-watch")
