"""Permission problems (unreadable store, read-only folder) never stop newstui.

Root ignores file permissions, so when the tests run as root the scenario runs in a child
process that drops to the ``nobody`` user; otherwise it runs as the current user.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

NOBODY = 65534


@pytest.fixture
def shared_dir() -> Iterator[Path]:
    folder = Path(tempfile.mkdtemp(prefix="newstui-perm-"))
    folder.chmod(0o777)
    try:
        yield folder
    finally:
        for p in folder.rglob("*"):
            p.chmod(0o700 if p.is_dir() else 0o600)
        shutil.rmtree(folder, ignore_errors=True)


def run_unprivileged(code: str, folder: Path) -> dict[str, Any]:
    """Run ``code`` (which prints one JSON line) as a user without root powers."""
    script = folder / "scenario.py"
    script.write_text(code, encoding="utf-8")
    script.chmod(0o644)
    cmd = [sys.executable, str(script)]
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("running as root and setpriv is missing: cannot drop privileges")
        cmd = [setpriv, f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", *cmd]
    env = dict(os.environ, HOME=str(folder))
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=60, cwd=folder, env=env)
    if cmd[0] != sys.executable and res.returncode != 0 and res.stderr.startswith("setpriv:"):
        pytest.skip(f"cannot run the interpreter as nobody: {res.stderr.strip()[-200:]}")
    assert res.returncode == 0, res.stderr
    out: dict[str, Any] = json.loads(res.stdout.strip().splitlines()[-1])
    return out


PRELUDE = """
import json, sys
from pathlib import Path
from newstui.core.state import StateStore
"""


def test_unreadable_store_is_moved_aside_and_a_fresh_one_works(shared_dir: Path) -> None:
    code = (
        PRELUDE
        + """
d = Path("data"); d.mkdir()
p = d / "state.sqlite3"
with StateStore.open(p) as s:
    s.set_read("lost-with-the-old-file")
p.chmod(0)
s = StateStore.open(p)
s.set_read("new")
notice, persistent = s.notice, s.persistent
s.close()
again = StateStore.open(p)
print(json.dumps({"notice": notice, "persistent": persistent,
                  "again_notice": again.notice, "read": sorted(again.read_ids()),
                  "files": sorted(x.name for x in d.iterdir())}))
"""
    )
    out = run_unprivileged(code, shared_dir)
    assert out["notice"] and "permission denied" in out["notice"]
    assert "moved" in out["notice"]
    assert out["persistent"] is True
    assert out["again_notice"] is None
    assert out["read"] == ["new"]
    assert any(".corrupt-" in name for name in out["files"])


def test_read_only_folder_falls_back_to_memory(shared_dir: Path) -> None:
    code = (
        PRELUDE
        + """
ro = Path("ro"); ro.mkdir()
bad = ro / "state.sqlite3"
bad.write_bytes(b"garbage" * 1000)
empty = Path("ro-empty"); empty.mkdir()
ro.chmod(0o500); empty.chmod(0o500)
result = {}
for name, path in (("bad", bad), ("missing", empty / "state.sqlite3")):
    s = StateStore.open(path)
    s.set_read("a")
    result[name] = {"notice": s.notice, "persistent": s.persistent, "read": s.is_read("a")}
    s.close()
result["bad_bytes_kept"] = bad.read_bytes() == b"garbage" * 1000
result["ro_files"] = sorted(x.name for x in ro.iterdir())
print(json.dumps(result))
"""
    )
    out = run_unprivileged(code, shared_dir)
    for name in ("bad", "missing"):
        assert out[name]["persistent"] is False
        assert out[name]["read"] is True
        assert "will not be saved" in out[name]["notice"]
    assert "cannot write in ro-empty" in out["missing"]["notice"]
    assert out["bad_bytes_kept"] is True
    assert out["ro_files"] == ["state.sqlite3"]


def test_read_only_store_file_is_moved_aside(shared_dir: Path) -> None:
    code = (
        PRELUDE
        + """
d = Path("data"); d.mkdir()
p = d / "state.sqlite3"
with StateStore.open(p) as s:
    s.set_read("old")
p.chmod(0o444)
s = StateStore.open(p)
s.set_read("new")
out = {"notice": s.notice, "persistent": s.persistent, "read": sorted(s.read_ids())}
s.close()
again = StateStore.open(p)
out["again"] = sorted(again.read_ids())
print(json.dumps(out))
"""
    )
    out = run_unprivileged(code, shared_dir)
    assert out["persistent"] is True
    assert "permission denied" in out["notice"] and "moved" in out["notice"]
    assert "new" in out["again"]
