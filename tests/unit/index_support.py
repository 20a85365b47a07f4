"""Shared checks for the unit tests of the search index."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from newstui.core.search import SearchIndex


def assert_same_index(
    got: SearchIndex, want: SearchIndex, queries: Iterable[str], *, limit: int = 50
) -> None:
    """``got`` holds what ``want`` holds: the same term ids (first seen in the same order),
    articles and arrays, and each of ``queries`` finds hits, the same in the same order."""
    got_articles, got_arrays, got_terms = got.export_parts()
    want_articles, want_arrays, want_terms = want.export_parts()
    assert got_terms == want_terms  # the same term ids, first seen in the same order
    assert [a.id for a in got_articles] == [a.id for a in want_articles]
    assert sorted(got_arrays) == sorted(want_arrays)
    for name, array in got_arrays.items():
        np.testing.assert_array_equal(array, want_arrays[name], err_msg=name)
    for q in queries:
        assert got.search(q).hits, q
        assert [h.article.id for h in got.search(q, limit=limit).hits] == [
            h.article.id for h in want.search(q, limit=limit).hits
        ]
