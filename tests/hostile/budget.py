"""Run a piece of newstui in a child process under hard limits, and measure it.

Held-out hostile input (issue 10) is judged by its cost: a bad file, feed, query, setting or
import may take a few seconds and a few hundred MB, never more, and never the process down.
``run_bounded`` runs Python code (or the real ``newstui`` command) in a subprocess with an
address-space limit (``RLIMIT_AS``) and a wall-clock timeout, and returns what it printed with
the time it took and its peak memory (the child's own VmHWM), so a test asserts the budget
and what the user sees in one place.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

# Address space, not resident memory: numpy, lxml and friends reserve far more than they touch.
DEFAULT_AS_MB = 2048


@dataclass(frozen=True)
class Bounded:
    returncode: int
    stdout: str
    stderr: str
    seconds: float
    peak_rss_mb: float
    timed_out: bool

    def check(self, *, seconds: float, rss_mb: float = 400) -> Bounded:
        """Assert the run finished within ``seconds`` and ``rss_mb`` of peak RSS."""
        assert not self.timed_out, f"still running after the timeout\n{self.stderr[-2000:]}"
        assert self.seconds <= seconds, f"took {self.seconds:.1f} s (budget {seconds} s)"
        assert self.peak_rss_mb <= rss_mb, f"peak RSS {self.peak_rss_mb:.0f} MB (budget {rss_mb})"
        return self


# A child too quick for the poll below (it ends before its status is read: likely under
# load) reports its own VmHWM as it exits, through a sitecustomize hook put on its path.
_HOOK = """
import atexit, os

def _newstui_budget_report():
    path = os.environ.get("NEWSTUI_BUDGET_HWM")
    if not path:
        return
    try:
        with open("/proc/self/status", encoding="ascii", errors="replace") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    with open(path, "w", encoding="ascii") as out:
                        out.write(line.split()[1])
                    return
    except (OSError, IndexError):
        pass

atexit.register(_newstui_budget_report)
"""
_HOOK_DIR: Path | None = None


def _hook_dir() -> Path:
    global _HOOK_DIR
    if _HOOK_DIR is None:
        _HOOK_DIR = Path(tempfile.mkdtemp(prefix="newstui-budget-"))
        (_HOOK_DIR / "sitecustomize.py").write_text(_HOOK, encoding="ascii")
    return _HOOK_DIR


def _reported_kb(path: Path) -> int:
    try:
        return int(path.read_text(encoding="ascii").strip() or 0)
    except (OSError, ValueError):
        return 0


def _limits(as_mb: int) -> None:
    limit = as_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _vm_hwm_kb(pid: int) -> int:
    """The process's own peak resident set (VmHWM, kB), or 0 when unknown."""
    try:
        with Path(f"/proc/{pid}/status").open(encoding="ascii", errors="replace") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def run_bounded(
    code: str | None = None,
    *,
    args: list[str] | None = None,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    stdin: str | None = None,
    timeout: float = 60,
    as_mb: int = DEFAULT_AS_MB,
) -> Bounded:
    """Run ``python -c code`` (or ``python -m newstui *args``) under the limits."""
    if (code is None) == (args is None):
        raise ValueError("give code or args")
    argv = (
        [sys.executable, "-c", code]
        if code is not None
        else [sys.executable, "-m", "newstui", *(args or [])]
    )
    env = dict(env if env is not None else os.environ)
    report = Path(tempfile.mkstemp(prefix="newstui-budget-hwm-")[1])
    env["NEWSTUI_BUDGET_HWM"] = str(report)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(_hook_dir()), env.get("PYTHONPATH")) if p)
    start = time.monotonic()
    proc = subprocess.Popen(
        argv,
        stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=cwd or REPO,
        preexec_fn=lambda: _limits(as_mb),
    )
    if stdin is not None:
        assert proc.stdin is not None
        proc.stdin.write(stdin)
        proc.stdin.close()
    chunks: dict[str, str] = {}
    readers = [
        threading.Thread(target=lambda n=n, s=s: chunks.__setitem__(n, s.read()), daemon=True)
        for n, s in (("out", proc.stdout), ("err", proc.stderr))
    ]
    for t in readers:
        t.start()
    # os.wait4 gives this child's own rusage (RUSAGE_CHILDREN would be the largest child so far),
    # but its ru_maxrss keeps the high-water mark of the memory it was forked with: the whole
    # pytest process (a 500 MB parent made `print(1)` measure 510 MB). So the peak is read from
    # the child's own VmHWM (reset by exec; Popen returns after the exec) while it runs,
    # ru_maxrss only as a fallback.
    timed_out = False
    deadline = start + timeout
    hwm_kb = 0
    while True:
        hwm_kb = max(hwm_kb, _vm_hwm_kb(proc.pid))
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.monotonic() > deadline:
            timed_out = True
            proc.kill()
            pid, status, usage = os.wait4(proc.pid, 0)
            break
        time.sleep(0.01)
    seconds = time.monotonic() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    hwm_kb = max(hwm_kb, _reported_kb(report))
    report.unlink(missing_ok=True)
    for t in readers:
        t.join(10)
    return Bounded(
        proc.returncode,
        chunks.get("out", ""),
        chunks.get("err", ""),
        seconds,
        (hwm_kb or usage.ru_maxrss) / 1024,
        timed_out,
    )
