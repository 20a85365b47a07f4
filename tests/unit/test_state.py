"""The reading-state store: what a user does is remembered, and a bad file never stops newstui."""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from pathlib import Path

import pytest

from newstui.core import paths
from newstui.core.state import (
    SCHEMA_VERSION,
    StateImportError,
    StateStore,
    default_path,
)
from newstui.core.state import schema as schema_module


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return tmp_path / "state" / "state.sqlite3"


def corrupt_copies(folder: Path, name: str) -> list[Path]:
    return sorted(folder.glob(f"{name}.corrupt-*"))


# --- persistence --------------------------------------------------------------------------------


def test_everything_survives_a_reopen(store_path: Path) -> None:
    with StateStore.open(store_path) as s:
        assert s.notice is None
        s.set_read("a1")
        s.set_read_many(["b1", "b2", "b3"])
        s.set_read("b2", False)
        assert s.toggle_starred("a1") is True
        assert s.toggle_starred("c1") is True
        assert s.toggle_starred("c1") is False
        s.set_position("a1", 42)
        s.set_value("last_article", "a1")
        s.set_value("theme", "nord")
        s.add_search("oil prices")
        s.add_search("wheat")

    with StateStore.open(store_path) as s:
        assert s.notice is None
        assert s.read_ids() == frozenset({"a1", "b1", "b3"})
        assert s.is_read("b1") and not s.is_read("b2")
        assert s.starred_ids() == frozenset({"a1"})
        assert s.is_starred("a1") and not s.is_starred("c1")
        assert s.get_position("a1") == 42
        assert s.get_position("unknown") == 0
        assert s.get_value("last_article") == "a1"
        assert s.get_value("theme") == "nord"
        assert s.get_value("sort") is None
        assert s.search_history() == ["wheat", "oil prices"]


def test_toggle_read_returns_the_new_value_and_is_saved(store_path: Path) -> None:
    with StateStore.open(store_path) as s:
        assert s.toggle_read("x") is True
        assert s.is_read("x")
    with StateStore.open(store_path) as s:
        assert s.is_read("x")
        assert s.toggle_read("x") is False
    with StateStore.open(store_path) as s:
        assert not s.is_read("x")


def test_toggle_follows_what_another_process_stored(store_path: Path) -> None:
    a = StateStore.open(store_path)
    b = StateStore.open(store_path)
    try:
        assert a.toggle_starred("x") is True
        # b loaded before a's change; its toggle still flips the stored value.
        assert b.toggle_starred("x") is False
        b.reload()
        a.reload()
        assert not a.is_starred("x") and not b.is_starred("x")
    finally:
        a.close()
        b.close()


@pytest.mark.parametrize("kind", ["read", "starred"])
def test_read_and_starred_follow_one_rule(store_path: Path, kind: str) -> None:
    """Marking read and starring are one id-set shape: set, unset, toggle against the file,
    blank ids ignored, a snapshot per change, everything saved."""

    def ids(s: StateStore) -> frozenset[str]:
        return s.read_ids() if kind == "read" else s.starred_ids()

    def put(s: StateStore, article_id: str, on: bool = True) -> None:
        if kind == "read":
            s.set_read(article_id, on)
        else:
            s.set_starred(article_id, on)

    def toggle(s: StateStore, article_id: str) -> bool:
        return s.toggle_read(article_id) if kind == "read" else s.toggle_starred(article_id)

    with StateStore.open(store_path) as a, StateStore.open(store_path) as b:
        put(a, "x")
        put(a, "")  # not an article id: ignored
        put(a, "y")
        snapshot = ids(a)
        assert snapshot == {"x", "y"} and ids(a) is snapshot
        assert toggle(b, "x") is False  # b loaded before a's writes: flips what is stored
        put(a, "y", False)
        assert ids(a) == {"x"} and snapshot == {"x", "y"}
        a.reload()
        assert ids(a) == frozenset()
        assert toggle(a, "z") is True
    with StateStore.open(store_path) as s:
        assert ids(s) == {"z"}


def test_read_ids_snapshot_follows_changes(store_path: Path) -> None:
    with StateStore.open(store_path) as s:
        before = s.read_ids()
        s.set_read("n")
        assert "n" not in before
        assert "n" in s.read_ids()
        s.set_read_many(["n", "m"], read=False)
        assert s.read_ids() == frozenset()


@pytest.mark.parametrize("first", ["set_read", "toggle_read", "set_read_many", "import"])
def test_a_write_first_after_open_keeps_the_stored_reads(store_path: Path, first: str) -> None:
    with StateStore.open(store_path) as s:
        s.set_read_many(["old1", "old2"])
    with StateStore.open(store_path) as s:
        if first == "set_read":
            s.set_read("new")
        elif first == "toggle_read":
            assert s.toggle_read("new") is True
        elif first == "set_read_many":
            s.set_read_many(["new", "old1"])
        else:
            s.import_json({"read": ["new", "old2"]})
        assert s.read_ids() == {"old1", "old2", "new"}
    with StateStore.open(store_path) as s:
        assert s.read_ids() == {"old1", "old2", "new"}


def test_reads_still_answer_after_close(store_path: Path) -> None:
    with StateStore.open(store_path) as s:
        s.set_read("a")
        s.toggle_starred("b")
    s = StateStore.open(store_path)
    s.close()  # closed before anything was asked
    assert s.is_read("a") and not s.is_read("b")
    assert s.is_starred("b")
    assert s.read_ids() == {"a"}


def test_position_zero_and_value_none_forget(store_path: Path) -> None:
    with StateStore.open(store_path) as s:
        s.set_position("a", 10)
        s.set_position("a", 0)
        s.set_value("k", "v")
        s.set_value("k", None)
        s.set_position("b", -5)
    with StateStore.open(store_path) as s:
        assert s.get_position("a") == 0
        assert s.get_position("b") == 0
        assert s.get_value("k") is None
        assert s.export_json()["positions"] == {}


def test_search_history_newest_first_without_repeats_or_blanks(store_path: Path) -> None:
    with StateStore.open(store_path) as s:
        for q in ["one", "two", "  ", "three", "one", "two  "]:
            s.add_search(q)
        assert s.search_history() == ["two", "one", "three"]
        assert s.search_history(limit=2) == ["two", "one"]
    with StateStore.open(store_path) as s:
        assert s.search_history() == ["two", "one", "three"]


def test_untrusted_ids_are_stored_verbatim_and_shown_text_without_escapes(
    store_path: Path,
) -> None:
    odd = "x'); DROP TABLE read_state; --\x1b[31m[bold]"
    shown = "x'); DROP TABLE read_state; --[bold]"  # SQL and markup are data; the escape goes
    with StateStore.open(store_path) as s:
        s.set_read(odd)
        s.set_value("last_search", odd)
        s.add_search(odd)
    with StateStore.open(store_path) as s:
        assert s.is_read(odd)  # an id is a key, compared, never shown
        assert s.get_value("last_search") == shown
        assert s.search_history() == [shown]


def test_store_is_in_the_xdg_data_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "elsewhere"))
    assert default_path() == tmp_path / "elsewhere" / "newstui" / "state.sqlite3"
    assert default_path().parent == paths.data_dir()
    with StateStore.open() as s:
        s.set_read("a")
        assert s.path == default_path()
    assert default_path().is_file()


def test_wal_mode_and_schema_version_are_on_disk(store_path: Path) -> None:
    StateStore.open(store_path).close()
    conn = sqlite3.connect(store_path)
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    finally:
        conn.close()


def test_writes_are_fully_synchronous(store_path: Path) -> None:
    with StateStore.open(store_path) as s:
        conn = s._conn
        assert conn is not None
        # 2 = FULL: the WAL is fsynced at every commit.
        assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2


def test_an_older_schema_is_migrated(store_path: Path) -> None:
    store_path.parent.mkdir(parents=True)
    sqlite3.connect(store_path).close()  # an empty database (user_version 0)
    with StateStore.open(store_path) as s:
        assert s.notice is None
        s.set_read("a")
    with StateStore.open(store_path) as s:
        assert s.is_read("a")


# --- bad files ----------------------------------------------------------------------------------


def _assert_fresh_store_with_notice(store_path: Path) -> StateStore:
    s = StateStore.open(store_path)
    assert s.notice is not None
    assert str(store_path) in s.notice
    assert "moved" in s.notice
    assert "\n" not in s.notice
    assert s.persistent
    assert corrupt_copies(store_path.parent, store_path.name), "the bad file was not kept"
    s.set_read("after")
    s.close()
    with StateStore.open(store_path) as again:
        assert again.notice is None
        assert again.is_read("after")
    return s


def test_garbage_file_is_moved_aside(store_path: Path) -> None:
    store_path.parent.mkdir(parents=True)
    garbage = os.urandom(8192)
    store_path.write_bytes(garbage)
    _assert_fresh_store_with_notice(store_path)
    (aside,) = corrupt_copies(store_path.parent, store_path.name)
    assert aside.read_bytes() == garbage  # kept untouched for the user
    with StateStore.open(store_path) as s:
        assert s.read_ids() == {"after"}


def _filled_store(store_path: Path, n: int = 5000) -> int:
    with StateStore.open(store_path) as s:
        s.set_read_many(f"{i:016x}" for i in range(n))
        s.toggle_starred("fav")
        s.add_search("kept search")
        s.set_value("theme", "kept")
    conn = sqlite3.connect(store_path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return store_path.stat().st_size


def test_truncated_file_is_moved_aside_and_what_survives_is_recovered(store_path: Path) -> None:
    size = _filled_store(store_path)
    assert size > 40_000
    with store_path.open("r+b") as fh:
        fh.truncate(size * 2 // 3)
    s = StateStore.open(store_path)
    assert s.notice is not None and "moved" in s.notice and "recovered" in s.notice
    assert 1000 < len(s.read_ids()) < 5000  # the pages before the cut
    assert s.is_starred("fav")
    assert s.search_history() == ["kept search"]
    assert s.get_value("theme") == "kept"
    s.close()


def test_overwritten_pages_are_moved_aside_and_the_rest_recovered(store_path: Path) -> None:
    size = _filled_store(store_path)
    with store_path.open("r+b") as fh:
        fh.seek(size // 2)
        fh.write(b"\xff" * 8192)  # two pages in the middle of the read ids are destroyed
    s = StateStore.open(store_path)
    assert s.notice is not None and "moved" in s.notice
    assert 0 < len(s.read_ids()) < 5000
    assert s.is_starred("fav")
    s.close()
    conn = sqlite3.connect(store_path)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()


def test_file_cut_inside_the_header_is_moved_aside(store_path: Path) -> None:
    StateStore.open(store_path).close()
    with store_path.open("r+b") as fh:
        fh.truncate(50)
    _assert_fresh_store_with_notice(store_path)


def test_directory_in_place_of_the_file_is_moved_aside(store_path: Path) -> None:
    store_path.mkdir(parents=True)
    (store_path / "something").write_text("keep me")
    _assert_fresh_store_with_notice(store_path)
    (aside,) = corrupt_copies(store_path.parent, store_path.name)
    assert (aside / "something").read_text() == "keep me"


def test_fifo_in_place_of_the_file_is_moved_aside(store_path: Path) -> None:
    store_path.parent.mkdir(parents=True)
    os.mkfifo(store_path)
    _assert_fresh_store_with_notice(store_path)


def test_newer_schema_is_moved_aside(store_path: Path) -> None:
    store_path.parent.mkdir(parents=True)
    conn = sqlite3.connect(store_path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    conn.close()
    s = _assert_fresh_store_with_notice(store_path)
    assert "newer" in (s.notice or "")


def test_foreign_sqlite_database_is_moved_aside(store_path: Path) -> None:
    store_path.parent.mkdir(parents=True)
    conn = sqlite3.connect(store_path)
    conn.execute("CREATE TABLE photos (x)")
    conn.commit()
    conn.close()
    _assert_fresh_store_with_notice(store_path)


def test_a_stale_wal_is_never_replayed_into_the_fresh_store(store_path: Path) -> None:
    # A store whose latest writes are still in its WAL...
    with StateStore.open(store_path) as s:
        s.set_read("old")
        keep = sqlite3.connect(store_path)
        keep.execute("PRAGMA wal_autocheckpoint = 0")
        s.set_read_many(f"old{i}" for i in range(200))
        wal = store_path.with_name(store_path.name + "-wal")
        stale = wal.read_bytes()
    keep.close()
    assert len(stale) > 1000
    # ...then the database file itself is replaced by a folder, the WAL left behind.
    store_path.unlink()
    store_path.mkdir()
    wal.write_bytes(stale)
    _assert_fresh_store_with_notice(store_path)
    asides = [p.name for p in store_path.parent.iterdir() if ".corrupt-" in p.name]
    assert any(n.endswith("-wal") for n in asides)
    with StateStore.open(store_path) as s:
        assert s.read_ids() == {"after"}
    conn = sqlite3.connect(store_path)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()


def test_unusable_folder_falls_back_to_memory(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the data folder should be")
    s = StateStore.open(blocker / "state.sqlite3")
    assert s.notice is not None and "will not be saved" in s.notice
    assert not s.persistent
    s.set_read("a")  # still works for this session
    assert s.is_read("a")
    assert s.toggle_starred("a") is True
    s.close()
    assert blocker.read_text() == "a file where the data folder should be"


def test_io_error_or_full_disk_leaves_the_file_alone(
    store_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with StateStore.open(store_path) as s:
        s.set_read("precious")
    before = store_path.read_bytes()

    def failing_prepare(conn: sqlite3.Connection) -> None:
        exc = sqlite3.OperationalError("database or disk is full")
        exc.sqlite_errorcode = 13  # type: ignore[attr-defined]  # SQLITE_FULL
        raise exc

    monkeypatch.setattr(schema_module, "prepare", failing_prepare)
    s = StateStore.open(store_path)
    assert not s.persistent
    assert s.notice is not None and "disk is full" in s.notice and "left as it is" in s.notice
    s.set_read("this session only")
    s.close()
    assert corrupt_copies(store_path.parent, store_path.name) == []
    assert store_path.read_bytes() == before
    monkeypatch.undo()
    with StateStore.open(store_path) as s:
        assert s.notice is None and s.read_ids() == {"precious"}


# --- concurrency --------------------------------------------------------------------------------


def test_a_write_waits_for_another_writer_instead_of_failing(store_path: Path) -> None:
    StateStore.open(store_path).close()
    blocker = sqlite3.connect(store_path, isolation_level=None, check_same_thread=False)
    blocker.execute("BEGIN IMMEDIATE")  # holds the write lock
    released = threading.Event()

    def release() -> None:
        time.sleep(0.5)
        blocker.execute("COMMIT")
        released.set()

    t = threading.Thread(target=release)
    t.start()
    try:
        with StateStore.open(store_path) as s:
            s.set_read("waited")
            assert released.is_set()
    finally:
        t.join()
        blocker.close()
    with StateStore.open(store_path) as s:
        assert s.is_read("waited")


# --- export / import ----------------------------------------------------------------------------


def test_export_import_round_trip(tmp_path: Path) -> None:
    with StateStore.open(tmp_path / "a.sqlite3") as a:
        a.set_read_many(["r1", "r2"])
        a.toggle_starred("s1")
        a.set_position("r1", 12)
        a.set_value("theme", "gruvbox")
        a.add_search("first")
        a.add_search("second")
        data = a.export_json()
    with StateStore.open(tmp_path / "b.sqlite3") as b:
        assert b.import_json(data) == 2 + 1 + 1 + 1 + 2
        assert b.import_json(data) == 0  # nothing new the second time
    with StateStore.open(tmp_path / "b.sqlite3") as b:
        assert b.read_ids() == {"r1", "r2"}
        assert b.starred_ids() == {"s1"}
        assert b.get_position("r1") == 12
        assert b.get_value("theme") == "gruvbox"
        assert b.search_history() == ["second", "first"]


def test_import_merges(store_path: Path) -> None:
    with StateStore.open(store_path) as s:
        s.set_read("mine")
        s.set_position("p", 3)
        s.set_value("theme", "local")
        s.add_search("local search")
        s.import_json(
            {
                "read": ["theirs"],
                "starred": ["mine"],
                "positions": {"p": 9},
                "values": {"theme": "imported"},
                "history": ["old search", "local search"],
            }
        )
        assert s.read_ids() == {"mine", "theirs"}
        assert s.starred_ids() == {"mine"}
        assert s.get_position("p") == 9
        assert s.get_value("theme") == "imported"
        assert s.search_history() == ["local search", "old search"]
    with StateStore.open(store_path) as s:
        assert s.read_ids() == {"mine", "theirs"}
        assert s.search_history() == ["local search", "old search"]


@pytest.mark.parametrize(
    ("data", "needle"),
    [
        ([], "JSON object"),
        ({"format": "something-else", "read": ["new"]}, "format"),
        ({"version": 99, "read": ["new"]}, "newer"),
        ({"hello": 1}, "not a newstui state export"),
        ({"read": "abc"}, "'read'"),
        ({"read": ["new", 5]}, "'read'[1]"),
        ({"read": ["new"], "starred": [""]}, "'starred'[0]"),
        ({"read": ["new"], "positions": {"a": -1}}, "'positions'"),
        ({"read": ["new"], "positions": {"a": True}}, "'positions'"),
        ({"read": ["new"], "history": [1]}, "'history'"),
        ({"read": ["new"], "values": {"theme": 3}}, "'values'"),
    ],
)
def test_invalid_import_is_rejected_and_writes_nothing(
    store_path: Path, data: object, needle: str
) -> None:
    with StateStore.open(store_path) as s:
        s.set_read("before")
        before = s.export_json()
        with pytest.raises(StateImportError) as info:
            s.import_json(data)  # type: ignore[arg-type]
        assert needle in str(info.value)
        assert s.read_ids() == {"before"}
    with StateStore.open(store_path) as s:
        after = s.export_json()
    before.pop("exported_at")
    after.pop("exported_at")
    assert after == before


def test_memory_store_works_without_a_file() -> None:
    s = StateStore.memory()
    assert s.notice is None and s.path is None
    s.set_read("a")
    s.add_search("q")
    assert s.is_read("a") and s.search_history() == ["q"]
    s.close()


def test_a_store_holding_escapes_shows_them_cleaned(store_path: Path) -> None:
    """A store written elsewhere (an old newstui, a crafted file) is untrusted too: its
    searches and values come back without escape sequences (the window title, the search
    box), its ids unchanged."""
    StateStore.open(store_path).close()
    conn = sqlite3.connect(store_path)
    with conn:
        conn.execute(
            "INSERT INTO search_history (seq, query, at) VALUES (1, ?, 0)",
            ("\x1b]0;pwned\x07grain\u202e",),
        )
        conn.execute("INSERT INTO kv (key, value) VALUES ('last_search', ?)", ("\x9b2Jwheat",))
        conn.execute("INSERT INTO read_state (id, at) VALUES (?, 0)", ("id\x1b",))
    conn.close()
    with StateStore.open(store_path) as s:
        assert s.search_history() == ["grain"]
        assert s.get_value("last_search") == "wheat"
        assert s.is_read("id\x1b")


def test_positions_are_kept_in_range(store_path: Path) -> None:
    from newstui.core.state import MAX_POSITION

    with StateStore.open(store_path) as s:
        s.set_position("a", 10**30)  # was an OverflowError from SQLite
        assert s.get_position("a") == MAX_POSITION
        with pytest.raises(StateImportError) as info:
            s.import_json({"positions": {"b": MAX_POSITION + 1}})
        assert "'positions'['b']" in str(info.value)


def test_an_invalid_import_names_its_first_problems_then_counts(store_path: Path) -> None:
    with StateStore.open(store_path) as s:
        with pytest.raises(StateImportError) as info:
            s.import_json({"read": [[]] * 1000, "format": "newstui-state"})
        message = str(info.value)
        assert message.count("must be an article id") == 5
        assert message.endswith("and 995 more problems")
        assert "\n" not in message and len(message) < 600


def test_an_import_quotes_bad_values_like_settings_do(tmp_path: Path) -> None:
    """One rule quotes a bad value in a message, for settings and state imports alike: a
    number is written out (a position of 1.5 said "got a float"), a string is cut and
    cleaned, a huge number is not printed."""
    from newstui.core.settings import load_settings

    config = tmp_path / "config.toml"
    config.write_text("reader_width = 1.5\n", encoding="utf-8")
    _, warnings = load_settings(config)
    assert "got 1.5;" in warnings[0]
    with StateStore.memory() as s, pytest.raises(StateImportError) as info:
        s.import_json({"positions": {"a": 1.5, "b": "\x1b[31m" + "x" * 500, "c": -(10**40)}})
    message = str(info.value)
    assert "got 1.5" in message
    assert "\x1b" not in message and "x" * 61 not in message
    assert "got a very big number" in message
