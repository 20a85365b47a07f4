"""The command line end to end, through a real subprocess, as a user would run it."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from cli_run import REPO, cli_env, run_newstui

BUNDLED = REPO / "articles"
SEED_NAME = "sessions-hits-back-at-trump-over-recusal.txt"


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return cli_env(tmp_path)


def run(
    env: dict[str, str], *args: str, stdin: str | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    return run_newstui(env, *args, stdin=stdin, cwd=cwd)


def test_version(env: dict[str, str]) -> None:
    res = run(env, "--version")
    assert res.returncode == 0
    assert res.stdout.startswith("newstui ")


@pytest.mark.parametrize(
    "args", [["--help"], ["list", "--help"], ["search", "--help"], ["show", "--help"]]
)
def test_help_everywhere(env: dict[str, str], args: list[str]) -> None:
    res = run(env, *args)
    assert res.returncode == 0
    assert "usage:" in res.stdout


def test_list_shows_bundled_articles(env: dict[str, str]) -> None:
    res = run(env, "list", str(BUNDLED), "--format", "jsonl")
    assert res.returncode == 0, res.stderr
    rows = [json.loads(line) for line in res.stdout.splitlines()]
    paths = {Path(r["path"]).name for r in rows}
    assert SEED_NAME in paths
    seed = next(r for r in rows if Path(r["path"]).name == SEED_NAME)
    assert "Sessions" in seed["title"]
    assert seed["words"] > 400


def test_list_table_has_titles(env: dict[str, str]) -> None:
    res = run(env, "list", str(BUNDLED))
    assert res.returncode == 0, res.stderr
    assert "Title" in res.stdout
    assert "Sessions" in res.stdout


@pytest.mark.parametrize(
    "query", ["Tuberville", "tubervile", "tuber", "sesions recused", "Trump’s"]
)
def test_search_ranks_seed_first(env: dict[str, str], query: str) -> None:
    res = run(env, "search", "--dir", str(BUNDLED), "--format", "jsonl", query)
    assert res.returncode == 0, res.stderr
    (line,) = res.stdout.splitlines()
    obj = json.loads(line)
    assert obj["query"] == query
    assert obj["total"] >= 1
    assert Path(obj["hits"][0]["path"]).name == SEED_NAME
    assert obj["took_ms"] >= 0
    assert set(obj["hits"][0]) >= {
        "id",
        "path",
        "title",
        "source",
        "published",
        "url",
        "score",
        "snippet",
    }


def test_search_reads_queries_from_stdin_one_per_line(env: dict[str, str]) -> None:
    res = run(
        env,
        "search",
        "--dir",
        str(BUNDLED),
        "--format",
        "jsonl",
        stdin="Tuberville\n\nzzqxv\nalabama\n",
    )
    assert res.returncode == 0, res.stderr
    objs = [json.loads(line) for line in res.stdout.splitlines()]
    assert [o["query"] for o in objs] == ["Tuberville", "zzqxv", "alabama"]
    assert objs[0]["total"] >= 1
    assert objs[1]["total"] == 0
    assert objs[2]["total"] >= 1


def test_search_table_output(env: dict[str, str]) -> None:
    res = run(env, "search", "--dir", str(BUNDLED), "Tuberville")
    assert res.returncode == 0, res.stderr
    assert "result" in res.stdout
    assert "Sessions" in res.stdout


def test_show_by_path_and_by_id(env: dict[str, str]) -> None:
    res = run(env, "show", str(BUNDLED / SEED_NAME))
    assert res.returncode == 0, res.stderr
    assert "Tuberville" in res.stdout
    listing = run(env, "list", str(BUNDLED), "--format", "jsonl")
    seed = next(
        json.loads(line)
        for line in listing.stdout.splitlines()
        if Path(json.loads(line)["path"]).name == SEED_NAME
    )
    res = run(env, "show", seed["id"], "--dir", str(BUNDLED))
    assert res.returncode == 0, res.stderr
    assert "Kislyak" in res.stdout


def test_missing_folder_is_a_usage_error(env: dict[str, str], tmp_path: Path) -> None:
    res = run(env, "list", str(tmp_path / "nope"))
    assert res.returncode == 2
    assert "nope" in res.stderr
    assert "Traceback" not in res.stderr


def test_file_instead_of_folder(env: dict[str, str]) -> None:
    res = run(env, "search", "--dir", str(BUNDLED / SEED_NAME), "x")
    assert res.returncode == 2
    assert "not a folder" in res.stderr
    assert "Traceback" not in res.stderr


def test_empty_folder_fails_with_a_message(env: dict[str, str], tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    res = run(env, "list", str(empty))
    assert res.returncode == 1
    assert "no articles" in res.stderr
    assert "Traceback" not in res.stderr


def test_bad_flag_is_a_usage_error(env: dict[str, str]) -> None:
    res = run(env, "search", "--limit", "zero", "x")
    assert res.returncode == 2
    assert "--limit" in res.stderr
    assert "Traceback" not in res.stderr


def test_unknown_id_fails(env: dict[str, str]) -> None:
    res = run(env, "show", "ffffffffffffffff", "--dir", str(BUNDLED))
    assert res.returncode == 1
    assert "ffffffffffffffff" in res.stderr


def test_env_var_chooses_folder(env: dict[str, str], tmp_path: Path) -> None:
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "a.txt").write_text(
        "Zebra crossing news\n\nA zebra crossed the road.\n", encoding="utf-8"
    )
    env["NEWSTUI_ARTICLES"] = str(folder)
    res = run(env, "list", "--format", "jsonl", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert [json.loads(x)["title"] for x in res.stdout.splitlines()] == ["Zebra crossing news"]


def test_data_folder_is_seeded_with_bundled_articles(env: dict[str, str], tmp_path: Path) -> None:
    res = run(env, "list", "--format", "jsonl", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert any("Sessions" in json.loads(x)["title"] for x in res.stdout.splitlines())
    seeded = Path(env["XDG_DATA_HOME"]) / "newstui" / "articles"
    assert (seeded / SEED_NAME).is_file()


def test_config_before_or_after_the_subcommand(env: dict[str, str], tmp_path: Path) -> None:
    folder = tmp_path / "configured"
    folder.mkdir()
    (folder / "z.txt").write_text("Configured folder story\n\nBody text here.\n", encoding="utf-8")
    config = tmp_path / "config.toml"
    config.write_text(f'folders = ["{folder}"]\n', encoding="utf-8")
    for args in (["--config", str(config), "list"], ["list", "--config", str(config)]):
        res = run(env, *args, "--format", "jsonl", cwd=tmp_path)
        assert res.returncode == 0, res.stderr
        assert [json.loads(x)["title"] for x in res.stdout.splitlines()] == [
            "Configured folder story"
        ]


def test_missing_config_file_is_a_usage_error(env: dict[str, str], tmp_path: Path) -> None:
    res = run(env, "list", "--config", str(tmp_path / "absent.toml"))
    assert res.returncode == 2
    assert "absent.toml" in res.stderr
    assert "Traceback" not in res.stderr


def test_invalid_settings_warn_and_use_defaults(env: dict[str, str], tmp_path: Path) -> None:
    config = tmp_path / "bad.toml"
    config.write_text("reader_width = 'wide'\n", encoding="utf-8")
    res = run(env, "--config", str(config), "list", str(BUNDLED), "--format", "jsonl")
    assert res.returncode == 0, res.stderr
    assert "reader_width" in res.stderr
    assert any("Sessions" in json.loads(x)["title"] for x in res.stdout.splitlines())


def test_list_table_keeps_every_column_at_80_columns(env: dict[str, str]) -> None:
    env["COLUMNS"] = "80"
    res = run(env, "list", str(BUNDLED))
    assert res.returncode == 0, res.stderr
    header = res.stdout.splitlines()[0].split()
    assert header == ["ID", "Date", "Source", "Title", "Words"]
    assert all(len(line) <= 80 for line in res.stdout.splitlines())


def test_an_internal_error_is_one_line_unless_debugging(
    env: dict[str, str], tmp_path: Path
) -> None:
    # A broken install: a module the search command needs cannot be imported.
    shadow = tmp_path / "shadow"
    shadow.mkdir()
    sitecustomize = shadow / "sitecustomize.py"
    sitecustomize.write_text(
        "import sys\nsys.modules['newstui.core.library'] = None\n", encoding="utf-8"
    )
    env["PYTHONPATH"] = str(shadow)
    res = run(env, "list", str(BUNDLED))
    assert res.returncode == 1
    assert "internal error" in res.stderr
    assert "Traceback" not in res.stderr
    env["NEWSTUI_DEBUG"] = "1"
    res = run(env, "list", str(BUNDLED))
    assert res.returncode == 1
    assert "Traceback" in res.stderr


def _star_and_read(env: dict[str, str], *, starred: str, read: str) -> None:
    from newstui.core.state import StateStore

    store = StateStore.open(Path(env["XDG_DATA_HOME"]) / "newstui" / "state.sqlite3")
    try:
        store.set_starred(starred)
        store.set_read(read)
    finally:
        store.close()


def _ids_by_name(env: dict[str, str]) -> dict[str, str]:
    res = run(env, "list", str(BUNDLED), "--format", "jsonl")
    return {Path(r["path"]).name: r["id"] for r in map(json.loads, res.stdout.splitlines())}


def test_list_starred_and_search_state_filters(env: dict[str, str]) -> None:
    ids = _ids_by_name(env)
    welcome = next(i for name, i in ids.items() if name != SEED_NAME)
    _star_and_read(env, starred=ids[SEED_NAME], read=welcome)

    res = run(env, "list", str(BUNDLED), "--starred", "--format", "jsonl")
    assert res.returncode == 0, res.stderr
    assert [json.loads(x)["id"] for x in res.stdout.splitlines()] == [ids[SEED_NAME]]

    queries = "is:starred\nis:unread\nis:read\nis:unread newstui\n"
    res = run(env, "search", "--dir", str(BUNDLED), "--format", "jsonl", stdin=queries)
    assert res.returncode == 0, res.stderr
    found = [{h["id"] for h in json.loads(x)["hits"]} for x in res.stdout.splitlines()]
    assert found == [{ids[SEED_NAME]}, {ids[SEED_NAME]}, {welcome}, set()]


def test_show_never_turns_article_links_into_terminal_hyperlinks(
    env: dict[str, str], tmp_path: Path
) -> None:
    article = tmp_path / "links.md"
    article.write_text(
        "---\ntitle: Links\n---\nSee [the site](https://example.org/x) now.\n", encoding="utf-8"
    )
    env.pop("NO_COLOR")
    env["FORCE_COLOR"] = "1"  # as on a real terminal
    res = run(env, "show", str(article))
    assert res.returncode == 0, res.stderr
    assert "https://example.org/x" in res.stdout
    assert "\x1b]8;" not in res.stdout  # no OSC 8 hyperlink escape from article text
