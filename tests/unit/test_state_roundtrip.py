"""Property: whatever a user did, export -> JSON -> import on another machine gives the same state."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newstui.core.state import StateStore

# Any code point, lone surrogates included (broken input must not break the store).
chars = st.characters(exclude_categories=())
ids = st.text(chars, min_size=1, max_size=20)
texts = st.text(chars, max_size=30)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    read=st.lists(ids, max_size=15),
    unread=st.lists(ids, max_size=5),
    stars=st.lists(ids, max_size=10),
    positions=st.dictionaries(ids, st.integers(min_value=0, max_value=10**9), max_size=8),
    values=st.dictionaries(ids, st.none() | texts, max_size=5),
    searches=st.lists(texts, max_size=12),
)
def test_export_json_import_round_trip(
    read: list[str],
    unread: list[str],
    stars: list[str],
    positions: dict[str, int],
    values: dict[str, str | None],
    searches: list[str],
) -> None:
    a = StateStore.memory()
    a.set_read_many(read)
    a.set_read_many(unread, read=False)
    for s in stars:
        a.toggle_starred(s)
    for k, line in positions.items():
        a.set_position(k, line)
    for k, v in values.items():
        a.set_value(k, v)
    for q in searches:
        a.add_search(q)
    exported = json.loads(json.dumps(a.export_json(), ensure_ascii=False))

    b = StateStore.memory()
    b.import_json(exported)
    assert b.read_ids() == a.read_ids()
    assert b.starred_ids() == a.starred_ids()
    assert b.search_history(10_000) == a.search_history(10_000)
    for k in positions:
        assert b.get_position(k) == a.get_position(k)
    for k in values:
        assert b.get_value(k) == a.get_value(k)
    again = b.export_json()
    for key in ("read", "starred", "positions", "history", "values"):
        assert again[key] == exported[key]
    a.close()
    b.close()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(read=st.lists(ids, max_size=10), searches=st.lists(texts, max_size=6))
def test_what_was_written_is_what_a_reopen_finds(
    tmp_path_factory: object, read: list[str], searches: list[str]
) -> None:
    folder: Path = tmp_path_factory.mktemp("rt")  # type: ignore[attr-defined]
    path = folder / "state.sqlite3"
    with StateStore.open(path) as s:
        s.set_read_many(read)
        for q in searches:
            s.add_search(q)
        expected_read, expected_history = s.read_ids(), s.search_history(10_000)
    with StateStore.open(path) as s:
        assert s.notice is None
        assert s.read_ids() == expected_read
        assert s.search_history(10_000) == expected_history
