"""Held-out hostile settings and state imports (issue 10, items 23 and 28), through the real
``newstui`` command under a time and memory budget: each costs at most a few seconds and a
few hundred MB, ends with a short clear message (never "internal error"), prints no control
character, and changes nothing."""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path

import pytest
from budget import REPO, Bounded, run_bounded

pytestmark = pytest.mark.timeout(300)

BUNDLED = REPO / "articles"
SECONDS = 6.0  # the command's own start (~0.5 s) included, on a busy machine
RSS_MB = 300


def controls(text: str) -> list[str]:
    return [
        repr(ch)
        for ch in text
        if (ord(ch) < 0x20 and ch not in "\n\t")
        or 0x7F <= ord(ch) <= 0x9F
        or 0x202A <= ord(ch) <= 0x202E
        or 0x2066 <= ord(ch) <= 0x2069
    ]


# The command, run as ``python -m newstui`` would, that also notes its own peak RSS (VmHWM)
# at exit. ru_maxrss of a child counts the memory of the process that forked it (Linux
# carries the pre-exec high-water mark over exec), so under a grown pytest every child
# "peaked" at the size of pytest itself; VmHWM is the command's own.
RUNNER = """
import os, sys
def _note_peak():
    with open('/proc/self/status') as status:
        for line in status:
            if line.startswith('VmHWM:'):
                with open(os.environ['NEWSTUI_TEST_PEAK'], 'w') as out:
                    out.write(line.split()[1])
code = 1
try:
    from newstui.cli import main
    code = main(sys.argv[1:])
finally:
    _note_peak()
raise SystemExit(code)
"""


def bounded(code: str, env: dict[str, str]) -> Bounded:
    """``run_bounded`` with the peak RSS the command itself reached."""
    peak_file = Path(env["XDG_CACHE_HOME"]).parent / "peak-kb"
    peak_file.parent.mkdir(parents=True, exist_ok=True)
    peak_file.unlink(missing_ok=True)
    env = {**env, "NEWSTUI_TEST_PEAK": str(peak_file)}
    res = run_bounded(code=code, env=env, timeout=60)
    if res.timed_out:
        return res
    assert peak_file.exists(), res.stderr[-2000:]
    return dataclasses.replace(res, peak_rss_mb=int(peak_file.read_text()) / 1024)


def newstui(env: dict[str, str], *args: str) -> Bounded:
    argv = "import sys; sys.argv[1:] = " + repr(list(args)) + "\n"
    return bounded(argv + RUNNER, env)


def clear_failure(res: Bounded, *, code: int) -> None:
    assert res.returncode == code, res.stderr[-2000:]
    assert "internal error" not in res.stderr
    assert "Traceback" not in res.stderr
    assert controls(res.stderr) == []
    assert all(len(line) < 600 for line in res.stderr.splitlines())


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """A user whose XDG folders are under the test's folder (as ``cli_run.cli_env``)."""
    env = dict(os.environ)
    for var in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
        env[var] = str(tmp_path / "home" / var.lower())
    env.pop("NEWSTUI_ARTICLES", None)
    env["COLUMNS"] = "200"
    env["NO_COLOR"] = "1"
    return env


# --- settings ---------------------------------------------------------------------------

SETTINGS = {
    # "[" + 3,000 spaces cost 3.5 s per warning in the header pattern (44 s seen)
    "header-spaces": 'note = """\n['
    + " " * 3000
    + '\n"""\n'
    + "".join(f"{k} = 1\n" for k in ("theme", "folders", "feeds", "opml"))
    + 'reader_width = "x"\nmark_read_on_open = 3\n',
    "unknown-keys": "".join(f"unknown_key_{n} = {n}\n" for n in range(8000)),
    "nested-arrays": "x = " + "[" * 4500 + "]" * 4500 + "\n",
    "nested-tables": "x = " + "{a=" * 3000 + "1" + "}" * 3000 + "\n",
    "dotted-keymap": "[keymap]\n" + "a." * 4000 + 'b = "x"\n',
    "huge-comment": "# " + "x" * (3 << 20) + "\n",
    "huge-value": f'theme = "{"t" * 200_000}"\nreader_width = "{"w" * 50_000}"\n',
    "escapes": '"\\u001b]0;pwned\\u0007" = 1\ntheme = "\\u001b[2J"\n'
    '[keymap]\n"app.quit" = "\\u001b[31m"\n"\\u009b2Japp" = "q"\n',
    "long-line": "[" + " " * 200_000 + "\nx = 1\n",
    # tomllib's cost grows with the square of a dotted key's parts (16,000: 3.6 s, 1 GB)
    "dotted-key": "a." * 100_000 + "b = 1\n",
    "dotted-header": "[" + "a." * 100_000 + "b]\n",
    "dotted-inline": "x = {" + "a." * 100_000 + "b = 1}\n",
    "dotted-after-a-bad-line": 'x = "open\n' + "a." * 100_000 + 'b = 1\n"\n',
    "many-dotted-keys": "".join("a." * 32 + f"k{n} = 1\n" for n in range(3500)),
}


@pytest.mark.parametrize("name", list(SETTINGS))
def test_a_hostile_settings_file_costs_little_and_every_command_still_runs(
    env: dict[str, str], tmp_path: Path, name: str
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(SETTINGS[name], encoding="utf-8")
    before = config.read_bytes()
    res = newstui(env, "--config", str(config), "list", str(BUNDLED), "--format", "jsonl")
    res.check(seconds=SECONDS, rss_mb=RSS_MB)
    assert res.returncode == 0, res.stderr[-2000:]
    assert len(res.stdout.splitlines()) == 2  # the articles are listed all the same
    assert "internal error" not in res.stderr
    assert controls(res.stderr) == []
    lines = res.stderr.splitlines()
    assert 1 <= len(lines) <= 21
    assert all(len(line) < 600 for line in lines)
    assert config.read_bytes() == before


def test_a_device_or_fifo_as_settings_is_refused_at_once(
    env: dict[str, str], tmp_path: Path
) -> None:
    fifo = tmp_path / "fifo.toml"
    os.mkfifo(fifo)
    for config in ("/dev/zero", str(fifo)):
        res = newstui(env, "--config", config, "list", str(BUNDLED))
        res.check(seconds=SECONDS, rss_mb=RSS_MB)
        clear_failure(res, code=2)
        assert "not a regular file" in res.stderr


# --- state import -------------------------------------------------------------------------


def export(**fields: object) -> str:
    return json.dumps({"format": "newstui-state", "version": 1, **fields})


IMPORTS = {
    "position-10e30": export(positions={"a": 10**30}),
    "position-negative": export(positions={"a": -1}),
    "position-float": export(positions={"a": 1e300}),
    "digits-5000": export(read=["a"])[:-1] + ', "positions": {"a": ' + "9" * 5000 + "}}",
    "nan": export(read=["a"])[:-1] + ', "positions": {"a": NaN}}',
    "format-list": json.dumps({"format": ["x" * 100] * 14000, "version": 1}),
    "version-huge": export(read=["a"], version=10**20),
    "deep": '{"read": ' + "[" * 100_000 + "]" * 100_000 + "}",
    "ids-of-lists": export(read=[[]] * 200_000),
    "long-id": export(read=["x" * 100_000]),
    "key-escape": export(values={"\x1b]0;pwned\x07": 3}),
    "huge": export(read=["0123456789abcdef"] * 500_000),
}


@pytest.mark.parametrize("name", list(IMPORTS))
def test_a_hostile_import_is_refused_with_one_line_and_changes_nothing(
    env: dict[str, str], tmp_path: Path, name: str
) -> None:
    from newstui.core.state import StateStore

    store = Path(env["XDG_DATA_HOME"]) / "newstui" / "state.sqlite3"
    with StateStore.open(store) as s:
        s.set_read("before")
        s.add_search("kept")
    path = tmp_path / "export.json"
    path.write_text(IMPORTS[name], encoding="utf-8")
    res = newstui(env, "state", "import", str(path))
    res.check(seconds=SECONDS, rss_mb=RSS_MB)
    clear_failure(res, code=1)
    assert len(res.stderr.splitlines()) == 1
    with StateStore.open(store) as s:
        data = s.export_json()
    assert data["read"] == ["before"] and data["history"] == ["kept"]
    assert data["positions"] == {} and data["values"] == {}


def test_devices_fifos_and_endless_input_are_refused(env: dict[str, str], tmp_path: Path) -> None:
    fifo = tmp_path / "fifo.json"
    os.mkfifo(fifo)
    for source in ("/dev/zero", "/dev/urandom", str(fifo), str(tmp_path)):
        res = newstui(env, "state", "import", source)
        res.check(seconds=SECONDS, rss_mb=RSS_MB)
        clear_failure(res, code=1)
    # newstui state import - < /dev/zero
    endless = (
        "import io, sys\n"
        "sys.stdin = io.TextIOWrapper(open('/dev/zero', 'rb'))\n"
        "sys.argv[1:] = ['state', 'import', '-']\n"
    )
    res = bounded(endless + RUNNER, env)
    res.check(seconds=SECONDS, rss_mb=RSS_MB)
    clear_failure(res, code=1)
    assert "bigger than" in res.stderr


def test_escape_sequences_in_an_import_never_reach_the_store_as_escapes(
    env: dict[str, str], tmp_path: Path
) -> None:
    from newstui.core.state import StateStore

    path = tmp_path / "export.json"
    path.write_text(
        export(
            history=["\x1b]0;pwned\x07grain", "\u009b2Jcocoa\u202e"],
            values={"last_search": "\x1b]2;title\x07wheat", "theme": "\x1b[31mnord"},
        ),
        encoding="utf-8",
    )
    res = newstui(env, "state", "import", str(path))
    res.check(seconds=SECONDS, rss_mb=RSS_MB)
    assert res.returncode == 0, res.stderr
    store = Path(env["XDG_DATA_HOME"]) / "newstui" / "state.sqlite3"
    with StateStore.open(store) as s:
        assert s.search_history() == ["grain", "cocoa"]
        assert s.get_value("last_search") == "wheat"
        assert s.get_value("theme") == "nord"
    exported = newstui(env, "state", "export", "-")
    assert exported.returncode == 0
    assert controls(exported.stdout) == []
