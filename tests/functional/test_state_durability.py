"""Nothing lost: ``kill -9`` at any moment and two processes at once never damage the store.

A writer process acknowledges each action on stdout only after the store method returned;
every acknowledged action must be in the store afterwards, and SQLite's integrity check must
pass.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

from newstui.core.state import HISTORY_KEEP, StateStore

WRITER = r"""
import sys, time
from pathlib import Path
from newstui.core.state import StateStore

path, start, count = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
go = Path(sys.argv[4]) if len(sys.argv) > 4 else None
if go is not None:
    while not go.exists():
        time.sleep(0.001)
store = StateStore.open(path)
if store.notice:
    print("NOTICE " + store.notice, flush=True)
for i in range(start, start + count):
    kind = i % 5
    if kind == 0:
        store.set_read(f"r{i}")
    elif kind == 1:
        assert store.toggle_starred(f"s{i}") is True
    elif kind == 2:
        store.set_position(f"p{i}", i)
    elif kind == 3:
        store.set_read_many([f"m{i}a", f"m{i}b"])
    else:
        store.add_search(f"q{i}")
        store.set_value(f"v{i}", str(i))
    print(i, flush=True)
store.close()
"""


def _check_store(path: Path, acked: list[int]) -> None:
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    finally:
        conn.close()
    with StateStore.open(path) as store:
        assert store.notice is None
        searches = [i for i in acked if i % 5 == 4]
        recent_searches = set(searches[-HISTORY_KEEP:])
        history = set(store.search_history(limit=HISTORY_KEEP))
        for i in acked:
            kind = i % 5
            if kind == 0:
                assert store.is_read(f"r{i}"), i
            elif kind == 1:
                assert store.is_starred(f"s{i}"), i
            elif kind == 2:
                assert store.get_position(f"p{i}") == i, i
            elif kind == 3:
                assert store.is_read(f"m{i}a") and store.is_read(f"m{i}b"), i
            else:
                assert store.get_value(f"v{i}") == str(i), i
                if i in recent_searches:
                    assert f"q{i}" in history, i


def _check_all_or_nothing(path: Path, in_flight: int) -> None:
    """The action the kill interrupted is either wholly there or not at all."""
    with StateStore.open(path) as store:
        for i in range(in_flight - in_flight % 5 + 3, in_flight + 5, 5):  # the next two pairs
            assert store.is_read(f"m{i}a") == store.is_read(f"m{i}b"), i


def _pump(stream: object, sink: list[str]) -> None:
    for line in stream:  # type: ignore[attr-defined]
        sink.append(line.strip())


def test_sigkill_at_random_moments_loses_no_acknowledged_action(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite3"
    rng = random.Random(20261126)
    iterations = 20
    total_acked = 0
    started = time.monotonic()
    for n in range(iterations):
        lines: list[str] = []
        proc = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(path), str(n * 1_000_000), "1000000"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert proc.stdout is not None
        reader = threading.Thread(target=_pump, args=(proc.stdout, lines), daemon=True)
        reader.start()
        if n % 3 == 0:
            # from the start: the kill may land while the store is being opened or created
            time.sleep(rng.uniform(0.0, 0.3))
        else:
            deadline = time.monotonic() + 10
            while not lines and time.monotonic() < deadline and proc.poll() is None:
                time.sleep(0.002)
            assert lines, proc.stderr.read() if proc.stderr else ""
            time.sleep(rng.uniform(0.0, 0.25))
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        reader.join(timeout=10)
        stderr = proc.stderr.read() if proc.stderr else ""
        assert proc.returncode == -signal.SIGKILL, stderr
        assert not [ln for ln in lines if ln.startswith("NOTICE")], lines[:1]
        acked = [int(ln) for ln in lines if ln and not ln.startswith("NOTICE")]
        total_acked += len(acked)
        if path.exists():
            _check_store(path, acked)
            _check_all_or_nothing(path, max(acked) + 1 if acked else n * 1_000_000)
        else:
            assert acked == []
    assert total_acked > 100, "the writer barely ran: the test proves nothing"
    assert time.monotonic() - started < 60


def test_two_writers_at_once_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "fresh" / "state.sqlite3"  # both race to create it
    go = tmp_path / "go"
    count = 300
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(path), str(start), str(count), str(go)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for start in (0, 10_000)
    ]
    time.sleep(0.3)  # let both start Python and wait at the line
    go.touch()
    outputs = [p.communicate(timeout=120) for p in procs]
    for proc, (out, err) in zip(procs, outputs, strict=True):
        assert proc.returncode == 0, err
        assert err == ""
        assert "NOTICE" not in out
    acked = [int(x) for out, _ in outputs for x in out.split()]
    assert len(acked) == 2 * count
    _check_store(path, sorted(acked))
    with StateStore.open(path) as store:
        # both histories interleave; every search is there once
        assert len(store.search_history(limit=10_000)) == len([i for i in acked if i % 5 == 4])


def test_two_processes_opening_a_corrupt_store_at_once_both_work(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite3"
    path.write_bytes(b"this is not a database " * 400)
    go = tmp_path / "go"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(path), str(start), "50", str(go)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for start in (0, 10_000, 20_000)
    ]
    time.sleep(0.3)
    go.touch()
    outputs = [p.communicate(timeout=120) for p in procs]
    notices = []
    acked: list[int] = []
    for proc, (out, err) in zip(procs, outputs, strict=True):
        assert proc.returncode == 0, err
        assert err == ""
        for line in out.splitlines():
            if line.startswith("NOTICE"):
                notices.append(line)
            else:
                acked.append(int(line))
    # the damaged file was moved aside once, and nobody fell back to memory
    assert len(notices) >= 1
    assert all("moved" in n and "will not be saved" not in n for n in notices)
    assert len(list(tmp_path.glob("state.sqlite3.corrupt-*[0-9]"))) == 1
    assert len(acked) == 150
    _check_store(path, sorted(acked))
