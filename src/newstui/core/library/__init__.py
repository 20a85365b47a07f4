"""The library: every article under a set of folders, and what could not be read.

- :mod:`.scan` reads the folders (``discover`` the files, ``load_entries``, ``dedupe``);
  ``scan_library`` is the three in a row, without an index or a cache.
- :mod:`.opening` is how the app and the CLI open a library: ``open_library`` (scan,
  dedupe, warm cache, search index) and ``ingest`` (new or changed files into an open
  library, deduped like a first open). It imports the search index (numpy), so it is not
  imported here: ``from newstui.core.library.opening import open_library``.
- :mod:`.cache` the warm-start file behind ``open_library``.


Importing a submodule (``newstui.core.library.facets``) does not import the loaders: the
names below are looked up on first use (the app draws its first frame before any loader,
HTML extractor or HTTP client is imported).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from newstui.core.library.scan import (
        FileEntry,
        ScanResult,
        dedupe,
        discover,
        load_entries,
        scan_library,
    )

__all__ = ["FileEntry", "ScanResult", "dedupe", "discover", "load_entries", "scan_library"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        return getattr(importlib.import_module("newstui.core.library.scan"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
