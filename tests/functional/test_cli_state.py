"""``newstui state export|import|info`` end to end, through a real subprocess."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from cli_run import cli_env, run_newstui

from newstui.core.state import StateStore


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return cli_env(tmp_path / "machine-a")


def other_machine(env: dict[str, str], tmp_path: Path) -> dict[str, str]:
    return cli_env(tmp_path / "machine-b")


def run(
    env: dict[str, str], *args: str, stdin: str | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    return run_newstui(env, *args, stdin=stdin, cwd=cwd)


def store_path(env: dict[str, str]) -> Path:
    return Path(env["XDG_DATA_HOME"]) / "newstui" / "state.sqlite3"


def fill(env: dict[str, str]) -> None:
    with StateStore.open(store_path(env)) as s:
        s.set_read_many(["a1", "a2", "a3"])
        s.toggle_starred("a2")
        s.set_position("a3", 57)
        s.add_search("grain exports")
        s.add_search("is:unread oil")
        s.set_value("last_article", "a3")
        s.set_value("theme", "nord")


def snapshot(path: Path) -> dict[str, object]:
    with StateStore.open(path) as s:
        data = s.export_json()
    data.pop("exported_at")
    return data


def test_export_import_round_trip_between_machines(env: dict[str, str], tmp_path: Path) -> None:
    fill(env)
    export = tmp_path / "moving.json"
    res = run(env, "state", "export", str(export))
    assert res.returncode == 0, res.stderr
    assert "3 read" in res.stderr and "1 starred" in res.stderr
    data = json.loads(export.read_text(encoding="utf-8"))
    assert data["read"] == ["a1", "a2", "a3"]
    assert data["starred"] == ["a2"]
    assert data["positions"] == {"a3": 57}
    assert data["history"] == ["is:unread oil", "grain exports"]

    env_b = other_machine(env, tmp_path)
    assert not store_path(env_b).exists()
    res = run(env_b, "state", "import", str(export))
    assert res.returncode == 0, res.stderr
    assert "imported 9 changes" in res.stderr
    assert snapshot(store_path(env_b)) == snapshot(store_path(env))

    # importing again changes nothing
    res = run(env_b, "state", "import", str(export))
    assert res.returncode == 0 and "imported 0 changes" in res.stderr


def test_export_to_stdout_and_import_from_stdin(env: dict[str, str], tmp_path: Path) -> None:
    fill(env)
    res = run(env, "state", "export", "-")
    assert res.returncode == 0, res.stderr
    assert json.loads(res.stdout)["starred"] == ["a2"]
    env_b = other_machine(env, tmp_path)
    res_b = run(env_b, "state", "import", "-", stdin=res.stdout)
    assert res_b.returncode == 0, res_b.stderr
    assert snapshot(store_path(env_b)) == snapshot(store_path(env))


def test_import_merges_with_what_is_there(env: dict[str, str], tmp_path: Path) -> None:
    fill(env)
    export = tmp_path / "other.json"
    export.write_text(json.dumps({"read": ["b1"], "starred": ["a1"]}), encoding="utf-8")
    res = run(env, "state", "import", str(export))
    assert res.returncode == 0, res.stderr
    with StateStore.open(store_path(env)) as s:
        assert s.read_ids() == {"a1", "a2", "a3", "b1"}
        assert s.starred_ids() == {"a1", "a2"}
        assert s.get_position("a3") == 57


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        ("{not json", "not valid JSON (line 1, column 2"),
        ("", "not valid JSON"),
        ('{"read": [1, 2]}', "'read'[0]"),
        ("[1, 2, 3]", "not a newstui state export"),
        ('{"format": "newstui-state", "version": 7, "read": []}', "newer"),
    ],
)
def test_bad_import_is_one_line_naming_the_file_and_changes_nothing(
    env: dict[str, str], tmp_path: Path, content: str, needle: str
) -> None:
    fill(env)
    before = snapshot(store_path(env))
    bad = tmp_path / "bad-export.json"
    bad.write_text(content, encoding="utf-8")
    res = run(env, "state", "import", str(bad))
    assert res.returncode == 1
    assert "Traceback" not in res.stderr
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1, res.stderr
    assert str(bad) in lines[0] and needle in lines[0]
    assert snapshot(store_path(env)) == before
    assert bad.read_text(encoding="utf-8") == content  # the user's file is untouched


def test_import_of_a_missing_file(env: dict[str, str], tmp_path: Path) -> None:
    res = run(env, "state", "import", str(tmp_path / "nope.json"))
    assert res.returncode == 1
    assert "nope.json: no such file" in res.stderr
    assert "Traceback" not in res.stderr


def test_export_into_a_missing_folder_fails_cleanly(env: dict[str, str], tmp_path: Path) -> None:
    res = run(env, "state", "export", str(tmp_path / "no" / "such" / "out.json"))
    assert res.returncode == 1
    assert "no such folder" in res.stderr and "Traceback" not in res.stderr


def test_usage_errors_exit_2(env: dict[str, str]) -> None:
    for args in (["state"], ["state", "export"], ["state", "frobnicate"]):
        res = run(env, *args)
        assert res.returncode == 2, args
        assert "Traceback" not in res.stderr


def test_corrupt_store_gives_a_notice_and_works(env: dict[str, str]) -> None:
    path = store_path(env)
    path.parent.mkdir(parents=True)
    path.write_bytes(b"\x00garbage\xff" * 500)
    res = run(env, "state", "info")
    assert res.returncode == 0, res.stderr
    assert "moved" in res.stderr and "corrupt-" in res.stderr
    assert "read:       0" in res.stdout
    assert any(".corrupt-" in p.name for p in path.parent.iterdir())


def test_info_shows_where_and_how_much(env: dict[str, str]) -> None:
    fill(env)
    res = run(env, "state", "info")
    assert res.returncode == 0, res.stderr
    assert str(store_path(env)) in res.stdout
    assert "read:       3" in res.stdout
    assert "starred:    1" in res.stdout
    assert "positions:  1" in res.stdout
    assert "searches:   2" in res.stdout


def test_parallel_imports_serialise_and_lose_nothing(env: dict[str, str], tmp_path: Path) -> None:
    """Four imports at once kept 600 of 1,000 searches: each merged against the history it
    had read at open and replaced the table. Now each merges inside its write transaction."""
    import sys

    from cli_run import REPO

    exports = []
    for k in range(4):
        path = tmp_path / f"export{k}.json"
        path.write_text(
            json.dumps(
                {
                    "format": "newstui-state",
                    "version": 1,
                    "history": [f"query {k}-{n}" for n in range(250)],
                    "read": [f"{k:x}{n:015x}" for n in range(2000)],
                    "values": {f"value{k}": "x"},
                }
            ),
            encoding="utf-8",
        )
        exports.append(path)
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "newstui", "state", "import", str(p)],
            env=env,
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for p in exports
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
    data = snapshot(store_path(env))
    assert len(data["history"]) == 1000  # type: ignore[arg-type]
    assert len(data["read"]) == 8000  # type: ignore[arg-type]
    assert data["values"] == {f"value{k}": "x" for k in range(4)}
