"""The library: every article under a set of folders, and what could not be read.

- :mod:`.scan` reads the folders (``discover`` the files, ``load_entries``, ``dedupe``);
  ``scan_library`` is the three in a row, without an index or a cache.
- :mod:`.opening` is how the app and the CLI open a library: ``open_library`` (scan,
  dedupe, warm cache, search index) and ``ingest`` (new or changed files into an open
  library, deduped like a first open). It imports the search index (numpy), so it is not
  imported here: ``from newstui.core.library.opening import open_library``.
- :mod:`.cache` the warm-start file behind ``open_library``.
"""

from __future__ import annotations

from newstui.core.library.scan import (
    FileEntry,
    ScanResult,
    dedupe,
    discover,
    load_entries,
    scan_library,
)

__all__ = ["FileEntry", "ScanResult", "dedupe", "discover", "load_entries", "scan_library"]
