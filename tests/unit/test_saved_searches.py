"""Saved searches in the state store: kept in the user's order, names checked, durable,
migrated into old stores, carried by export and import."""

from __future__ import annotations

import contextlib
import json
import sqlite3
import threading
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newstui.core.state import (
    MAX_SAVED_NAME_CHARS,
    MAX_SAVED_SEARCHES,
    SCHEMA_VERSION,
    SavedSearch,
    SavedSearchError,
    StateImportError,
    StateStore,
    UnknownSavedSearch,
)
from newstui.core.state import schema as schema_module


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return tmp_path / "state" / "state.sqlite3"


def names(store: StateStore) -> list[str]:
    return [s.name for s in store.saved_searches()]


# --- saving, in the user's order ----------------------------------------------------------------


def test_saved_searches_keep_the_users_order_and_survive_a_reopen(store_path: Path) -> None:
    with StateStore.open(store_path) as s:
        assert s.saved_searches() == []
        assert s.save_search("Oil", "crude OR brent") == SavedSearch("Oil", "crude OR brent")
        s.save_search("Grain", "wheat OR corn")
        s.save_search("Brazil", "tag:brazil is:unread")
        assert names(s) == ["Oil", "Grain", "Brazil"]
    with StateStore.open(store_path) as s:
        assert s.notice is None
        assert s.saved_searches() == [
            SavedSearch("Oil", "crude OR brent"),
            SavedSearch("Grain", "wheat OR corn"),
            SavedSearch("Brazil", "tag:brazil is:unread"),
        ]


def test_saving_an_existing_name_replaces_its_query_in_its_place(store_path: Path) -> None:
    with StateStore.open(store_path) as s:
        s.save_search("Oil", "crude")
        s.save_search("Grain", "wheat")
        kept = s.save_search("OIL", "crude OR brent")  # any case: the same saved search
        assert kept == SavedSearch("OIL", "crude OR brent")
        assert s.saved_searches() == [
            SavedSearch("OIL", "crude OR brent"),
            SavedSearch("Grain", "wheat"),
        ]
        assert s.saved_search("oil") == SavedSearch("OIL", "crude OR brent")
        assert s.saved_search("nothing") is None
    with StateStore.open(store_path) as s:
        assert names(s) == ["OIL", "Grain"]


def test_rename_keeps_place_and_query(store_path: Path) -> None:
    with StateStore.open(store_path) as s:
        s.save_search("a", "alpha")
        s.save_search("b", "beta")
        assert s.rename_search("A", "First") == SavedSearch("First", "alpha")
        assert s.rename_search("first", "FIRST") == SavedSearch("FIRST", "alpha")  # case only
        assert s.saved_searches() == [SavedSearch("FIRST", "alpha"), SavedSearch("b", "beta")]
        with pytest.raises(SavedSearchError, match="'b' already exists"):
            s.rename_search("FIRST", "B")
        assert names(s) == ["FIRST", "b"]
    with StateStore.open(store_path) as s:
        assert names(s) == ["FIRST", "b"]


def test_delete_and_unknown_names(store_path: Path) -> None:
    with StateStore.open(store_path) as s:
        s.save_search("Oil", "crude")
        s.save_search("Grain", "wheat")
        s.delete_search("oil")
        assert names(s) == ["Grain"]
        with pytest.raises(UnknownSavedSearch) as info:
            s.delete_search("Oil")
        assert str(info.value) == "no saved search named 'Oil' (saved: 'Grain')"
        assert info.value.known == ["Grain"]
        with pytest.raises(UnknownSavedSearch, match="no saved search named 'x'"):
            s.rename_search("x", "y")
        with pytest.raises(UnknownSavedSearch):
            s.move_search("x", 1)
        s.delete_search("Grain")
        with pytest.raises(UnknownSavedSearch, match="there are no saved searches"):
            s.delete_search("Grain")
    with StateStore.open(store_path) as s:
        assert s.saved_searches() == []


def test_move_reorders_and_stops_at_the_ends(store_path: Path) -> None:
    with StateStore.open(store_path) as s:
        for n in "abcd":
            s.save_search(n, f"query {n}")
        assert s.move_search("c", -1) == 1
        assert names(s) == ["a", "c", "b", "d"]
        assert s.move_search("a", 1) == 1
        assert names(s) == ["c", "a", "b", "d"]
        assert s.move_search("b", 99) == 3
        assert names(s) == ["c", "a", "d", "b"]
        assert s.move_search("d", -99) == 0
        assert names(s) == ["d", "c", "a", "b"]
        assert s.move_search("d", 0) == 0
    with StateStore.open(store_path) as s:
        assert names(s) == ["d", "c", "a", "b"]


# --- untrusted names ----------------------------------------------------------------------------


def test_names_and_queries_are_cleaned(store_path: Path) -> None:
    with StateStore.open(store_path) as s:
        kept = s.save_search("  \x1b]0;pwned\x07Oil\n\tnews\u202e ", "\x1b[31m crude  oil \x9b2J")
        assert kept == SavedSearch("Oil news", "crude oil")
        assert s.saved_search("oil NEWS") == kept


@pytest.mark.parametrize(
    ("name", "query", "message"),
    [
        ("", "q", "needs a name"),
        ("  \x1b[0m \n", "q", "needs a name"),
        ("x" * (MAX_SAVED_NAME_CHARS + 1), "q", f"at most {MAX_SAVED_NAME_CHARS}"),
        ("name", "  ", "needs a query"),
        ("name", "q" * 1001, "too long to save"),
    ],
)
def test_bad_names_and_queries_are_refused_with_one_line(
    store_path: Path, name: str, query: str, message: str
) -> None:
    with StateStore.open(store_path) as s:
        s.save_search("kept", "q")
        with pytest.raises(SavedSearchError) as info:
            s.save_search(name, query)
        assert message in str(info.value)
        assert "\n" not in str(info.value) and len(str(info.value)) < 200
        with pytest.raises(SavedSearchError):
            s.rename_search("kept", name if message.endswith("name") else "x" * 200)
        assert names(s) == ["kept"]


def test_the_number_of_saved_searches_is_bounded(store_path: Path) -> None:
    with StateStore.open(store_path) as s:
        for n in range(MAX_SAVED_SEARCHES):
            s.save_search(f"s{n}", "q")
        with pytest.raises(SavedSearchError, match="delete one first"):
            s.save_search("one more", "q")
        s.save_search("s0", "replacing is fine")
        assert len(s.saved_searches()) == MAX_SAVED_SEARCHES
        with pytest.raises(UnknownSavedSearch) as info:
            s.delete_search("nope")
        assert "'s9' and 190 more" in str(info.value)


def test_a_store_file_holding_hostile_rows_shows_them_cleaned(store_path: Path) -> None:
    """A store file made elsewhere: names with escapes, repeats, blanks, wrong types and far
    too many rows come back cleaned, each name once, at most MAX_SAVED_SEARCHES."""
    StateStore.open(store_path).close()
    conn = sqlite3.connect(store_path)
    with conn:
        rows: list[tuple[object, object, object, int]] = [
            ("k1", "\x1b]0;x\x07Oil", "crude\x1b[2J", 0),
            ("k2", "OIL", "a repeat of the name", 1),
            ("k3", "", "blank name", 2),
            ("k4", b"\xff", "not text", 3),
            ("k5", "Grain", "", 4),
        ]
        rows += [(f"m{n:05}", f"many {n}", "q", 10 + n) for n in range(5000)]
        conn.executemany("INSERT INTO saved_search VALUES (?, ?, ?, ?)", rows)
    conn.close()
    with StateStore.open(store_path) as s:
        got = s.saved_searches()
        assert got[0] == SavedSearch("Oil", "crude")
        assert got[1] == SavedSearch("many 0", "q")
        assert len(got) == MAX_SAVED_SEARCHES


# --- durability, other processes, migration -----------------------------------------------------


def test_two_processes_saving_at_once_lose_nothing(store_path: Path) -> None:
    StateStore.open(store_path).close()
    a, b = StateStore.open(store_path), StateStore.open(store_path)
    a.save_search("from a", "alpha")
    b.save_search("from b", "beta")  # b has not reloaded: its change still lands after a's
    assert names(b) == ["from a", "from b"]
    a.reload()
    assert names(a) == ["from a", "from b"]

    def save(store: StateStore, who: str) -> None:
        for n in range(20):
            store.save_search(f"{who}{n}", "q")

    threads = [threading.Thread(target=save, args=(st, w)) for st, w in ((a, "a"), (b, "b"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    a.close()
    b.close()
    with StateStore.open(store_path) as s:
        assert len(s.saved_searches()) == 42


def test_a_schema_1_store_is_migrated_keeping_its_state(store_path: Path) -> None:
    store_path.parent.mkdir(parents=True)
    conn = sqlite3.connect(store_path)
    for statement in schema_module.MIGRATIONS[0]:
        conn.execute(statement)
    conn.execute("INSERT INTO read_state VALUES ('r1', 0)")
    conn.execute("INSERT INTO search_history VALUES (1, 'old search', 0)")
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()
    assert SCHEMA_VERSION == 2
    with StateStore.open(store_path) as s:
        assert s.notice is None
        assert s.is_read("r1") and s.search_history() == ["old search"]
        assert s.saved_searches() == []
        s.save_search("Oil", "crude")
    conn = sqlite3.connect(store_path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 2
    conn.close()
    with StateStore.open(store_path) as s:
        assert names(s) == ["Oil"] and s.is_read("r1")


def test_saved_searches_are_recovered_from_a_damaged_store(store_path: Path) -> None:
    with StateStore.open(store_path) as s:
        s.save_search("Oil", "crude")
        s.save_search("Grain", "wheat")
        s.set_read_many(f"{i:016x}" for i in range(5000))
    conn = sqlite3.connect(store_path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    with store_path.open("r+b") as fh:
        fh.truncate(store_path.stat().st_size * 2 // 3)
    with StateStore.open(store_path) as s:
        assert s.notice is not None and "recovered" in s.notice
        assert names(s) == ["Oil", "Grain"]


# --- export and import --------------------------------------------------------------------------


def test_export_import_carries_saved_searches_in_order(tmp_path: Path) -> None:
    with StateStore.open(tmp_path / "a.sqlite3") as a:
        a.save_search("Oil", "crude OR brent")
        a.save_search("Grain", "wheat")
        a.move_search("Grain", -1)
        data = a.export_json()
    assert data["saved_searches"] == [
        {"name": "Grain", "query": "wheat"},
        {"name": "Oil", "query": "crude OR brent"},
    ]
    with StateStore.open(tmp_path / "b.sqlite3") as b:
        assert b.import_json(data) == 2
        assert b.import_json(data) == 0
    with StateStore.open(tmp_path / "b.sqlite3") as b:
        assert b.saved_searches() == [
            SavedSearch("Grain", "wheat"),
            SavedSearch("Oil", "crude OR brent"),
        ]


def test_import_merges_saved_searches_by_name(store_path: Path) -> None:
    with StateStore.open(store_path) as s:
        s.save_search("Mine", "local")
        s.save_search("Oil", "crude")
        changed = s.import_json(
            {
                "saved_searches": [
                    {"name": "New", "query": "fresh"},
                    {"name": "oil", "query": "crude OR brent"},
                    {"name": "mine", "query": "local"},  # the same: no change
                ]
            }
        )
        assert changed == 2
        assert s.saved_searches() == [
            SavedSearch("Mine", "local"),
            SavedSearch("Oil", "crude OR brent"),
            SavedSearch("New", "fresh"),
        ]


def test_a_version_1_export_without_saved_searches_still_imports(store_path: Path) -> None:
    with StateStore.open(store_path) as s:
        s.save_search("Mine", "local")
        assert s.import_json({"format": "newstui-state", "version": 1, "read": ["r"]}) == 1
        assert names(s) == ["Mine"] and s.is_read("r")


@pytest.mark.parametrize(
    ("saved", "needle"),
    [
        ("oil", "'saved_searches' must be a list"),
        (["oil"], "'saved_searches'[0] must be an object"),
        ([{"name": 3, "query": "q"}], "'saved_searches'[0] 'name' must be a string"),
        ([{"name": "a"}], "'saved_searches'[0] 'query' must be a string"),
        ([{"name": " ", "query": "q"}], "'saved_searches'[0]: a saved search needs a name"),
        ([{"name": "a", "query": "q"}, {"name": "A", "query": "r"}], "[1] repeats the name"),
        ([{"name": "x" * 100_000, "query": "q"}], "'saved_searches'[0] 'name'"),
        ([{"name": "a", "query": "q"}] * (MAX_SAVED_SEARCHES + 1), "at most 200"),
        ([[]] * 1_000_000, "1,000,000 entries"),
    ],
)
def test_an_invalid_saved_search_import_changes_nothing(
    store_path: Path, saved: object, needle: str
) -> None:
    with StateStore.open(store_path) as s:
        s.save_search("Mine", "local")
        with pytest.raises(StateImportError) as info:
            s.import_json({"read": ["r"], "saved_searches": saved})
        message = str(info.value)
        assert needle in message
        assert "\n" not in message and len(message) < 600
        assert names(s) == ["Mine"] and not s.is_read("r")


def test_an_import_that_would_pass_the_bound_changes_nothing(store_path: Path) -> None:
    with StateStore.open(store_path) as s:
        for n in range(MAX_SAVED_SEARCHES - 1):
            s.save_search(f"here {n}", "q")
        data = {
            "read": ["r"],
            "saved_searches": [{"name": "new 1", "query": "q"}, {"name": "new 2", "query": "q"}],
        }
        with pytest.raises(StateImportError, match="would make 201 saved searches"):
            s.import_json(data)
        assert len(s.saved_searches()) == MAX_SAVED_SEARCHES - 1
    with StateStore.open(store_path) as s:
        assert not s.is_read("r")
        assert len(s.saved_searches()) == MAX_SAVED_SEARCHES - 1


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    entries=st.lists(
        st.tuples(st.text(st.characters(exclude_categories=()), max_size=12), st.text(max_size=20)),
        max_size=10,
    )
)
def test_any_saved_searches_survive_export_json_import(entries: list[tuple[str, str]]) -> None:
    a = StateStore.memory()
    for name, query in entries:
        with contextlib.suppress(SavedSearchError):  # a blank name or query: refused
            a.save_search(name, query)
    exported = json.loads(json.dumps(a.export_json(), ensure_ascii=False))
    b = StateStore.memory()
    b.import_json(exported)
    assert b.saved_searches() == a.saved_searches()
    assert b.export_json()["saved_searches"] == exported["saved_searches"]
    a.close()
    b.close()
