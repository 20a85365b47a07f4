"""The CLI on the hostile folder: starts, lists every good file, and never writes an escape
sequence or C1 control from an article (or a file name) to the terminal."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from generate import Manifest, write_hostile

pytestmark = pytest.mark.timeout(120)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Manifest:
    return write_hostile(tmp_path_factory.mktemp("hcli"), huge=False)


def run(args: list[str], tmp: Path) -> subprocess.CompletedProcess[bytes]:
    env = dict(os.environ)
    for name in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
        (tmp / name).mkdir(exist_ok=True)
        env[name] = str(tmp / name)
    env.pop("NEWSTUI_ARTICLES", None)
    env["COLUMNS"] = "200"
    return subprocess.run(
        [sys.executable, "-m", "newstui", *args],
        capture_output=True,
        env=env,
        timeout=100,
        check=False,
    )


def terminal_controls(data: bytes) -> list[str]:
    text = data.decode("utf-8", "surrogateescape")
    return [
        repr(ch)
        for ch in text
        if ch == "\x1b"
        or 0x80 <= ord(ch) <= 0x9F
        or (ord(ch) < 0x20 and ch not in "\n\t")
        or 0xDC80 <= ord(ch) <= 0xDCFF  # raw non-UTF-8 bytes
    ]


def test_list_exits_0_and_prints_no_control_sequence(folder: Manifest, tmp_path: Path) -> None:
    proc = run(["list", "--verbose", str(folder.root)], tmp_path)
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    assert terminal_controls(proc.stdout) == []
    assert terminal_controls(proc.stderr) == []
    out = proc.stdout.decode()
    for title in ("Plain good article", "ANSI title", "Escape in the file name", "Good JSON"):
        assert title in out
    assert "[@click=app.quit]click me[/]" in out  # markup shown literally
    err = proc.stderr.decode()
    assert "billion-laughs.rss" in err
    assert "Traceback" not in err


def test_list_jsonl_names_every_file_safely(folder: Manifest, tmp_path: Path) -> None:
    proc = run(["list", "--format", "jsonl", str(folder.root)], tmp_path)
    assert proc.returncode == 0
    assert b"\x1b" not in proc.stdout
    assert terminal_controls(proc.stderr) == []


@pytest.mark.parametrize("name", ["ansi.txt", "markup.txt", "bidi.txt", "ansi.html"])
def test_show_renders_hostile_articles_inertly(folder: Manifest, tmp_path: Path, name: str) -> None:
    proc = run(["show", str(folder.root / name)], tmp_path)
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    assert terminal_controls(proc.stdout) == []
    if name == "markup.txt":
        assert "[@click=app.quit]" in proc.stdout.decode()
