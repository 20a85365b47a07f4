"""``newstui saved list|add|rm|rename`` and ``newstui search --saved NAME`` end to end."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from cli_run import cli_env, run_newstui, run_newstui_raw, terminal_controls
from test_ui_support import write_article


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return cli_env(tmp_path / "machine-a")


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return run_newstui(env, *args)


def saved_jsonl(env: dict[str, str]) -> list[dict[str, str]]:
    res = run(env, "saved", "list", "--format", "jsonl")
    assert res.returncode == 0, res.stderr
    return [json.loads(line) for line in res.stdout.splitlines()]


@pytest.fixture
def cocoa_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "news"
    folder.mkdir()
    write_article(folder, "a.txt", "Cocoa rains help Bahia", "Showers helped the cocoa crop.")
    write_article(folder, "b.txt", "Cocoa talks stall", "Producers and cocoa buyers disagree.")
    write_article(folder, "c.txt", "Wheat exports rise", "Grain shipments grew in March.")
    return folder


def test_add_list_rename_rm(env: dict[str, str]) -> None:
    res = run(env, "saved", "list")
    assert res.returncode == 0 and res.stdout == ""
    assert "no saved searches" in res.stderr

    res = run(env, "saved", "add", "Cocoa", "cocoa", "OR", "cacao")
    assert res.returncode == 0, res.stderr
    assert res.stderr.strip() == "newstui: saved 'Cocoa': cocoa OR cacao"
    assert run(env, "saved", "add", "Grain", "wheat is:unread").returncode == 0
    res = run(env, "saved", "add", "COCOA", "cocoa")  # any case: the same saved search
    assert res.returncode == 0
    assert "replaced the query of 'Cocoa': cocoa" in res.stderr
    assert saved_jsonl(env) == [
        {"name": "Cocoa", "query": "cocoa"},
        {"name": "Grain", "query": "wheat is:unread"},
    ]

    table = run(env, "saved", "list")
    assert table.returncode == 0
    lines = table.stdout.splitlines()
    assert lines[0].split() == ["#", "Name", "Query"]
    assert lines[1].split() == ["1", "Cocoa", "cocoa"]
    assert lines[2].split() == ["2", "Grain", "wheat", "is:unread"]

    res = run(env, "saved", "rename", "grain", "Wheat")
    assert res.returncode == 0 and "renamed 'Grain' to 'Wheat'" in res.stderr
    res = run(env, "saved", "rm", "cocoa")
    assert res.returncode == 0 and "removed 'Cocoa'" in res.stderr
    assert saved_jsonl(env) == [{"name": "Wheat", "query": "wheat is:unread"}]


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["saved", "rm", "nope"], "saved rm: no saved search named 'nope' (saved: 'Grain')"),
        (["saved", "rename", "nope", "x"], "no saved search named 'nope' (saved: 'Grain')"),
        (["saved", "rename", "grain", "x" * 61], "too long (61 characters; at most 60)"),
        (["saved", "add", " ", "wheat"], "saved add: a saved search needs a name"),
        (["saved", "add", "x", "is:bogus"], "nothing to search for in 'is:bogus'"),
        (["saved", "add", "x"], "the following arguments are required: QUERY"),
        (["saved"], "the following arguments are required: ACTION"),
    ],
)
def test_bad_names_are_usage_errors_and_change_nothing(
    env: dict[str, str], args: list[str], needle: str
) -> None:
    assert run(env, "saved", "add", "Grain", "wheat").returncode == 0
    res = run(env, *args)
    assert res.returncode == 2
    assert needle in res.stderr
    assert "Traceback" not in res.stderr
    assert saved_jsonl(env) == [{"name": "Grain", "query": "wheat"}]


def test_hostile_names_never_reach_the_terminal(env: dict[str, str]) -> None:
    name = "\x1b]0;pwned\x07Oil\x1b[2J\u202e"
    res = run_newstui_raw(env, "saved", "add", name, "crude\x9b31m")
    assert res.returncode == 0
    assert terminal_controls(res.stdout + res.stderr) == []
    listed = run_newstui_raw(env, "saved", "list")
    assert terminal_controls(listed.stdout + listed.stderr) == []
    assert saved_jsonl(env) == [{"name": "Oil", "query": "crude"}]
    missing = run_newstui_raw(env, "search", "--saved", "\x1b[31mnope")
    assert missing.returncode == 2
    assert terminal_controls(missing.stdout + missing.stderr) == []


def hits(res: subprocess.CompletedProcess[str]) -> list[str]:
    assert res.returncode == 0, res.stderr
    return sorted(h["title"] for h in json.loads(res.stdout)["hits"])


def test_search_saved_runs_the_query_and_counts_a_file_added_later(
    env: dict[str, str], cocoa_dir: Path
) -> None:
    assert run(env, "saved", "add", "Cocoa", "cocoa").returncode == 0
    first = run(env, "search", "--saved", "cocoa", str(cocoa_dir), "--format", "jsonl")
    assert hits(first) == ["Cocoa rains help Bahia", "Cocoa talks stall"]
    assert json.loads(first.stdout)["query"] == "cocoa"

    write_article(cocoa_dir, "d.txt", "Ivory Coast cocoa arrivals", "Arrivals at the ports.")
    later = run(env, "search", "--saved", "Cocoa", "--dir", str(cocoa_dir), "--format", "jsonl")
    assert hits(later) == [
        "Cocoa rains help Bahia",
        "Cocoa talks stall",
        "Ivory Coast cocoa arrivals",
    ]
    table = run(env, "search", "--saved", "Cocoa", str(cocoa_dir))
    assert table.returncode == 0
    assert table.stdout.startswith("3 results for 'cocoa'")


def test_search_saved_with_an_unknown_name_names_the_known_ones(
    env: dict[str, str], cocoa_dir: Path
) -> None:
    assert run(env, "saved", "add", "Cocoa", "cocoa").returncode == 0
    assert run(env, "saved", "add", "Grain", "wheat").returncode == 0
    res = run(env, "search", "--saved", "coffee", str(cocoa_dir))
    assert res.returncode == 2
    assert res.stdout == ""
    assert res.stderr.strip() == (
        "newstui: search --saved: no saved search named 'coffee' (saved: 'Cocoa', 'Grain')"
    )


def test_search_saved_takes_no_query_words(env: dict[str, str], cocoa_dir: Path) -> None:
    assert run(env, "saved", "add", "Cocoa", "cocoa").returncode == 0
    res = run(env, "search", "--saved", "Cocoa", str(cocoa_dir), "extra")
    assert res.returncode == 2
    assert "at most a folder after it" in res.stderr
    res = run(env, "search", "--saved", "Cocoa", str(cocoa_dir), "--dir", str(cocoa_dir / "x"))
    assert res.returncode == 2
    assert "give the folder once" in res.stderr


def test_saved_searches_move_to_another_machine(
    env: dict[str, str], tmp_path: Path, cocoa_dir: Path
) -> None:
    assert run(env, "saved", "add", "Cocoa", "cocoa").returncode == 0
    assert run(env, "saved", "add", "Grain", "wheat").returncode == 0
    export = tmp_path / "state.json"
    exported = run(env, "state", "export", str(export))
    assert exported.returncode == 0
    assert "2 saved searches to" in exported.stderr

    other = cli_env(tmp_path / "machine-b")
    assert run(other, "saved", "add", "grain", "wheat OR corn").returncode == 0
    assert run(other, "saved", "add", "Mine", "oil").returncode == 0
    res = run(other, "state", "import", str(export))
    assert res.returncode == 0, res.stderr
    assert saved_jsonl(other) == [
        {"name": "grain", "query": "wheat"},  # merged by name: the imported query, this name
        {"name": "Mine", "query": "oil"},
        {"name": "Cocoa", "query": "cocoa"},
    ]
    info = run(other, "state", "info")
    assert "saved:      3" in info.stdout.splitlines()
    found = run(other, "search", "--saved", "COCOA", str(cocoa_dir), "--format", "jsonl")
    assert hits(found) == ["Cocoa rains help Bahia", "Cocoa talks stall"]
