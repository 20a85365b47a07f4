"""Running the real ``newstui`` command in a subprocess, isolated from the user's folders."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
XDG_VARS = ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME")
PROXY_VARS = ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "all_proxy")


def cli_env(home: Path) -> dict[str, str]:
    """The environment of a user whose XDG folders are under ``home``: no colour, wide
    output, no articles folder from the environment, no proxy (tests talk to 127.0.0.1)."""
    env = dict(os.environ)
    for var in XDG_VARS:
        env[var] = str(home / var.lower())
    for var in ("NEWSTUI_ARTICLES", *PROXY_VARS):
        env.pop(var, None)
    env["COLUMNS"] = "200"
    env["NO_COLOR"] = "1"
    return env


def run_newstui(
    env: dict[str, str],
    *args: str,
    stdin: str | None = None,
    cwd: Path | None = None,
    timeout: float = 120,
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m newstui ARGS`` (from the repository root unless ``cwd``)."""
    return subprocess.run(
        [sys.executable, "-m", "newstui", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd or REPO,
        timeout=timeout,
    )


def run_newstui_raw(
    env: dict[str, str],
    *args: str,
    stdin: bytes | None = None,
    cwd: Path | None = None,
    timeout: float = 120,
) -> subprocess.CompletedProcess[bytes]:
    """:func:`run_newstui` with stdout and stderr as the bytes the terminal would get."""
    return subprocess.run(
        [sys.executable, "-m", "newstui", *args],
        input=stdin,
        capture_output=True,
        env=env,
        cwd=cwd or REPO,
        timeout=timeout,
    )


def terminal_controls(data: bytes) -> list[str]:
    """Every character in ``data`` a terminal could act on (escape, C0 but newline and tab,
    DEL, C1, bidi controls, line separators) or that is not UTF-8 at all."""
    text = data.decode("utf-8", "surrogateescape")
    return [
        repr(ch)
        for ch in text
        if (ord(ch) < 0x20 and ch not in "\n\t")
        or 0x7F <= ord(ch) <= 0x9F
        or ch in "\u061c\u200e\u200f\u2028\u2029"
        or 0x202A <= ord(ch) <= 0x202E
        or 0x2066 <= ord(ch) <= 0x2069
        or 0xD800 <= ord(ch) <= 0xDFFF
    ]
