"""The package's layers hold: the core stays Textual-free (so the CLI, tests and benchmarks use
it without a UI), and the UI never reaches into the CLI.

The rules are import-linter contracts in ``pyproject.toml`` (``[tool.importlinter]``); this file
runs each one, so ``uv run pytest`` fails on a broken contract and names the offending import.
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import newstui.core

CORE = Path(newstui.core.__file__).parent
REPO = Path(__file__).resolve().parents[2]
#: The contracts issue 11 asks for; more may be added in pyproject.toml and are run too.
REQUIRED = {"core-is-pure", "ui-not-cli"}


def _contract_ids() -> list[str]:
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    return [c["id"] for c in config["tool"]["importlinter"]["contracts"]]


def test_pyproject_declares_the_layer_contracts() -> None:
    assert set(_contract_ids()) >= REQUIRED


@pytest.mark.parametrize("contract", _contract_ids())
def test_import_contract_holds(contract: str) -> None:
    code = (
        "import sys\n"
        "from importlinter.cli import lint_imports\n"
        f"sys.exit(lint_imports(limit_to_contracts=({contract!r},), no_cache=True, no_logo=True))\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0, run.stdout + run.stderr


def test_importing_every_core_module_loads_no_textual() -> None:
    modules = sorted(
        "newstui.core." + ".".join(p.relative_to(CORE).with_suffix("").parts)
        for p in CORE.rglob("*.py")
        if p.name != "__init__.py"
    )
    code = (
        "import importlib, sys\n"
        f"for m in {modules!r}: importlib.import_module(m)\n"
        "print('textual' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "False"
