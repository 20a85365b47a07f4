"""What the commands print (issue 10): one problems summary line, the ID column and id
prefixes, one folder option everywhere, help texts, the search prompt on a terminal,
search errors, and output that never carries a control character or crashes on a name."""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest
from cli_run import REPO, cli_env, run_newstui, run_newstui_raw, terminal_controls

BUNDLED = REPO / "articles"
SEED_NAME = "sessions-hits-back-at-trump-over-recusal.txt"
BAD_RECORDS = 40


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return cli_env(tmp_path / "home")


def troubled_library(root: Path) -> Path:
    """Good articles, three copies of one story, a JSONL file with 40 bad records among good
    ones and two broken files."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "good.txt").write_text("Good article here\n\nSome body text about cocoa.\n")
    for n in range(3):
        (root / f"dup{n}.txt").write_text("Same story\n\nIdentical body text about coffee.\n")
    lines = [json.dumps({"title": f"Wheat {n}", "body": f"body {n} wheat"}) for n in range(5)]
    lines += ["{bad json"] * BAD_RECORDS
    (root / "mixed.jsonl").write_text("\n".join(lines) + "\n")
    (root / "broken.json").write_text('{"title": ')
    (root / "empty.md").write_text("")
    return root


SUMMARY = "newstui: 3 files with problems (40 records); 2 duplicates collapsed"


@pytest.mark.parametrize(
    "args",
    [
        ["list", "{lib}"],
        ["list", "--format", "jsonl", "--dir", "{lib}"],
        ["search", "--dir", "{lib}", "wheat"],
        ["show", "--dir", "{lib}", "{id}"],
    ],
    ids=["list", "list-jsonl", "search", "show"],
)
def test_every_loading_command_prints_one_summary_line(
    env: dict[str, str], tmp_path: Path, args: list[str]
) -> None:
    lib = troubled_library(tmp_path / "lib")
    listing = run_newstui(env, "list", "--quiet", "--format", "jsonl", str(lib))
    some_id = json.loads(listing.stdout.splitlines()[0])["id"]
    argv = [a.format(lib=lib, id=some_id) for a in args]

    res = run_newstui(env, *argv)
    assert res.returncode == 0, res.stderr
    assert res.stderr.splitlines() == [f"{SUMMARY} (--verbose lists them)"]

    verbose = run_newstui(env, *argv, "--verbose")
    assert verbose.returncode == 0
    lines = verbose.stderr.splitlines()
    assert lines[-1] == SUMMARY
    assert len(lines) == 1 + 2 + BAD_RECORDS + 2  # summary, 2 files, 40 records, 2 duplicates
    assert any("broken.json" in line for line in lines)
    assert sum("mixed.jsonl#" in line for line in lines) == BAD_RECORDS

    quiet = run_newstui(env, *argv, "-q")
    assert quiet.returncode == 0
    assert quiet.stderr == ""
    assert quiet.stdout.splitlines()[1:] == res.stdout.splitlines()[1:]  # (timings differ)


def test_list_says_how_many_duplicates_were_collapsed(env: dict[str, str], tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    lib.mkdir()
    for n in range(4):
        (lib / f"copy{n}.txt").write_text("Same story\n\nIdentical body.\n")
    res = run_newstui(env, "list", str(lib))
    assert res.returncode == 0, res.stderr
    assert res.stderr.splitlines() == ["newstui: 3 duplicates collapsed (--verbose lists them)"]
    assert res.stdout.count("Same story") == 1


def _list_ids(env: dict[str, str], lib: Path) -> tuple[list[str], list[str]]:
    """(the ID column of the table, the full ids of the JSONL), both newest first."""
    table = run_newstui(env, "list", str(lib))
    assert table.returncode == 0, table.stderr
    header, *rows = table.stdout.splitlines()
    assert header.split()[0] == "ID"
    full = run_newstui(env, "list", "--format", "jsonl", str(lib))
    return [r.split()[0] for r in rows], [json.loads(x)["id"] for x in full.stdout.splitlines()]


def test_list_shows_ids_that_show_accepts(env: dict[str, str]) -> None:
    shown, full = _list_ids(env, BUNDLED)
    assert len(shown) == len(full) == 2
    for short, long in zip(shown, full, strict=True):
        assert long.startswith(short) and 8 <= len(short) < len(long)
    seed = next(
        s
        for s, f in zip(shown, full, strict=True)
        if "Sessions" in run_newstui(env, "show", f, "--dir", str(BUNDLED)).stdout
    )
    for args in (["show", seed, str(BUNDLED)], ["show", seed, "--dir", str(BUNDLED)]):
        res = run_newstui(env, *args)
        assert res.returncode == 0, res.stderr
        assert "Tuberville" in res.stdout


def test_search_shows_the_ids_list_shows(env: dict[str, str]) -> None:
    shown, _ = _list_ids(env, BUNDLED)
    res = run_newstui(env, "search", "--dir", str(BUNDLED), "tuberville")
    assert res.returncode == 0, res.stderr
    first_hit = next(line for line in res.stdout.splitlines() if line.lstrip().startswith("1."))
    assert first_hit.split()[-1] in shown  # the same short id as `newstui list`, for `show`


def test_short_ids_grow_until_unique_and_an_ambiguous_prefix_is_an_error(
    env: dict[str, str], tmp_path: Path
) -> None:
    lib = tmp_path / "lib"
    lib.mkdir()
    for n in range(300):  # 300 ids: some share their first two hex digits
        (lib / f"a{n}.txt").write_text(f"Story number {n}\n\nBody of story {n}.\n")
    shown, full = _list_ids(env, lib)
    assert len(set(shown)) == len(shown) == 300
    firsts = [f[:2] for f in full]
    shared = next(p for p in firsts if firsts.count(p) > 1)
    res = run_newstui(env, "show", shared, "--dir", str(lib))
    assert res.returncode == 2
    assert "ambiguous" in res.stderr and shared in res.stderr
    assert "Traceback" not in res.stderr
    unique = shown[5]
    res = run_newstui(env, "show", unique, "--dir", str(lib))
    assert res.returncode == 0, res.stderr


def test_folder_as_argument_or_option_everywhere(env: dict[str, str]) -> None:
    for args in (
        ["list", str(BUNDLED), "--format", "jsonl"],
        ["list", "--dir", str(BUNDLED), "--format", "jsonl"],
    ):
        res = run_newstui(env, *args)
        assert res.returncode == 0, res.stderr
        assert len(res.stdout.splitlines()) == 2
    res = run_newstui(env, "list", str(BUNDLED), "--dir", "/elsewhere")
    assert res.returncode == 2
    assert "not both" in res.stderr


@pytest.mark.parametrize("command", ["list", "show", "search", "state", "fetch"])
def test_every_option_and_argument_has_a_help_text(env: dict[str, str], command: str) -> None:
    import argparse

    from newstui.cli import build_parser

    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices[
        command
    ]
    missing = [
        a.dest
        for a in sub._actions
        if a.help is None and not isinstance(a, argparse._SubParsersAction)
    ]
    assert missing == []
    res = run_newstui(env, command, "--help")
    assert res.returncode == 0
    assert "usage:" in res.stdout


def test_search_on_a_terminal_prompts_instead_of_waiting_silently(env: dict[str, str]) -> None:
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "newstui", "search", "--dir", str(BUNDLED), "--format", "jsonl"],
        stdin=slave,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=REPO,
    )
    os.close(slave)
    try:
        assert proc.stderr is not None and proc.stdout is not None
        said = b""
        deadline = time.monotonic() + 60
        while b"search> " not in said and time.monotonic() < deadline:
            ready, _, _ = select.select([proc.stderr], [], [], 1)
            if ready:
                said += os.read(proc.stderr.fileno(), 4096)
        assert b"search> " in said, said
        assert b"Ctrl-D" in said
        os.write(master, b"Tuberville\n")
        os.write(master, b"\x04")  # end of input
        out, _ = proc.communicate(timeout=60)
        (line,) = out.decode().splitlines()
        assert json.loads(line)["query"] == "Tuberville"
        assert proc.returncode == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(master)


def test_search_from_a_pipe_prints_no_prompt(env: dict[str, str]) -> None:
    res = run_newstui(env, "search", "--dir", str(BUNDLED), "--format", "jsonl", stdin="cocoa\n")
    assert res.returncode == 0, res.stderr
    assert "search>" not in res.stderr + res.stdout
    assert [json.loads(x)["query"] for x in res.stdout.splitlines()] == ["cocoa"]


# --- control characters and names that are not UTF-8 -----------------------------------

HOSTILE_PART = "x\x1b]0;pwned\x07\x1b[31m\u009b1m\u202eevil\u2028y"


def hostile_library(root: Path) -> Path:
    """Articles whose file and folder names hold escapes, C1, bidi and non-UTF-8 bytes."""
    root.mkdir(parents=True)
    (root / f"{HOSTILE_PART}.txt").write_text("Hostile name one\n\nFirst body about grain.\n")
    raw = os.fsdecode(os.fsencode(root) + b"/caf\xe9-\xff.txt")  # surrogate-escaped bytes
    Path(raw).write_bytes(b"Latin one name\n\nSecond body about grain.\n")
    return root


def test_jsonl_escapes_controls_and_survives_names_that_are_not_utf8(
    env: dict[str, str], tmp_path: Path
) -> None:
    lib = hostile_library(tmp_path / "lib")
    env["PYTHONIOENCODING"] = "utf-8:strict"
    for args in (
        ["list", "--format", "jsonl", str(lib)],
        ["search", "--format", "jsonl", "--dir", str(lib), f"grain {HOSTILE_PART}"],
        ["search", "--format", "jsonl", "--dir", str(lib), "grain"],
    ):
        res = run_newstui_raw(env, *args)
        assert res.returncode == 0, res.stderr.decode(errors="replace")
        assert terminal_controls(res.stdout) == []
        assert terminal_controls(res.stderr) == []
        assert b"internal error" not in res.stderr
        objs = [json.loads(line) for line in res.stdout.decode("utf-8").splitlines()]
        assert objs
        if args[0] == "list":
            paths = sorted(Path(o["path"]).name for o in objs)
            # the escaped characters come back intact once the JSON is decoded
            assert paths == sorted([f"{HOSTILE_PART}.txt", "caf\ufffd-\ufffd.txt"])
        elif HOSTILE_PART in args[-1]:
            assert objs[0]["query"] == args[-1]


def test_error_messages_quote_names_through_the_sanitiser(
    env: dict[str, str], tmp_path: Path
) -> None:
    bad = tmp_path / f"{HOSTILE_PART}.txt"
    bad.write_bytes(b"")  # an empty file: show fails naming it
    missing = tmp_path / f"gone{HOSTILE_PART}"
    for args in (
        ["show", str(bad)],
        ["list", str(missing)],
        ["search", "--dir", str(missing), "x"],
        ["show", f"ff{HOSTILE_PART}", "--dir", str(BUNDLED)],
        ["list", "--format", f"j{HOSTILE_PART}"],
    ):
        res = run_newstui_raw(env, *args)
        assert res.returncode in (1, 2), args
        assert terminal_controls(res.stderr) == [], args
        assert b"Traceback" not in res.stderr
        assert b"pwned" in res.stderr or b"evil" in res.stderr or b"ff" in res.stderr


def test_show_and_list_print_no_control_from_a_file_name(
    env: dict[str, str], tmp_path: Path
) -> None:
    lib = hostile_library(tmp_path / "lib")
    for args in (["list", str(lib)], ["show", str(lib / f"{HOSTILE_PART}.txt")]):
        res = run_newstui_raw(env, *args)
        assert res.returncode == 0, res.stderr.decode(errors="replace")
        assert terminal_controls(res.stdout) == []
        assert terminal_controls(res.stderr) == []


# --- search errors (SearchResult.errors) ------------------------------------------------


class _FakeResult:
    def __init__(self, errors: list[str]) -> None:
        self.errors = errors


def test_search_errors_are_printed_and_only_malformed_is_a_usage_error(
    env: dict[str, str], tmp_path: Path
) -> None:
    """SearchResult.errors (from the search helper) on stderr; a query of nothing but
    malformed operators exits 2. Simulated with a sitecustomize that adds errors for
    ``is:bogus`` the way the search module reports them."""
    shadow = tmp_path / "shadow"
    shadow.mkdir()
    (shadow / "sitecustomize.py").write_text(
        "import newstui.core.search.index as ix, newstui.core.search.query as q\n"
        "_search = ix.SearchIndex.search\n"
        "class WithErrors:\n"  # SearchResult has slots: a proxy that adds the field
        "    def __init__(self, res, errors):\n"
        "        self._res, self.errors = res, errors\n"
        "    def __getattr__(self, name):\n"
        "        return getattr(self._res, name)\n"
        "def search(self, text, *a, **k):\n"
        "    res = _search(self, text, *a, **k)\n"
        "    bad = ['is:bogus: unknown state \\x1b[31m(is:read, is:unread, is:starred)']\n"
        "    return WithErrors(res, bad if 'is:bogus' in text else [])\n"
        "ix.SearchIndex.search = search\n"
        "_parse = q.parse\n"
        "def parse(text):\n"
        "    return _parse(text.replace('is:bogus', ''))\n"
        "q.parse = parse\n",
        encoding="utf-8",
    )
    env["PYTHONPATH"] = str(shadow)
    res = run_newstui(env, "search", "--dir", str(BUNDLED), "tuberville is:bogus")
    assert res.returncode == 0, res.stderr
    assert "newstui: search: is:bogus: unknown state" in res.stderr
    assert "\x1b" not in res.stderr
    assert "Sessions" in res.stdout

    res = run_newstui(env, "search", "--dir", str(BUNDLED), "is:bogus")
    assert res.returncode == 2
    assert "is:bogus: unknown state" in res.stderr
    assert res.stdout == ""

    res = run_newstui(
        env, "search", "--dir", str(BUNDLED), "--format", "jsonl", stdin="is:bogus\ncocoa\n"
    )
    assert res.returncode == 2
    objs = [json.loads(x) for x in res.stdout.splitlines()]
    assert [o["query"] for o in objs] == ["is:bogus", "cocoa"]
    assert objs[0]["errors"] and objs[1]["errors"] == []


@pytest.mark.parametrize("command", ["list", "show", "search"])
def test_readme_command_line_section_names_every_option(command: str) -> None:
    import argparse

    from newstui.cli import build_parser

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Command line", 1)[1].split("\n## ", 1)[0]
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices[
        command
    ]
    flags = [
        a.option_strings[-1]
        for a in sub._actions
        if a.option_strings and a.option_strings[-1] != "--help"
    ]
    assert [f for f in flags if not any(f"{c}{f}" in section for c in " `[(")] == []
    row = next(line for line in section.splitlines() if line.startswith(f"| `newstui {command} "))
    for positional in (a.metavar for a in sub._actions if not a.option_strings):
        assert str(positional) in row
