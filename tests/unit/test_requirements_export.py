"""The pip route installs what the uv route does: requirements-dev.txt is uv.lock exported."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
EXPORT = [
    "export",
    "--frozen",
    "--no-hashes",
    "--no-emit-project",
    "--no-header",
    "--no-annotate",
]


def _pins(text: str) -> set[str]:
    return {line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")}


@pytest.mark.skipif(shutil.which("uv") is None, reason="uv is not installed (pip-only route)")
def test_requirements_dev_matches_the_lock_file() -> None:
    uv = shutil.which("uv")
    assert uv is not None
    exported = subprocess.run(
        [uv, *EXPORT], cwd=REPO, capture_output=True, text=True, timeout=120, check=True
    ).stdout
    committed = (REPO / "requirements-dev.txt").read_text(encoding="utf-8")
    missing = _pins(exported) - _pins(committed)
    stale = _pins(committed) - _pins(exported)
    assert not missing and not stale, (
        "requirements-dev.txt is out of step with uv.lock; regenerate it with\n"
        f"  uv {' '.join(EXPORT)} -o requirements-dev.txt\n"
        f"missing: {sorted(missing)}\nstale: {sorted(stale)}"
    )


def test_requirements_dev_pins_the_test_tools() -> None:
    pins = _pins((REPO / "requirements-dev.txt").read_text(encoding="utf-8"))
    names = {p.split("==", 1)[0] for p in pins if "==" in p}
    for tool in ("pytest", "pytest-asyncio", "pytest-textual-snapshot", "syrupy", "hypothesis"):
        assert tool in names, tool
