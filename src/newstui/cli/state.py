"""`newstui state` (PLACEHOLDER until its issue lands)."""

from __future__ import annotations

import argparse
from typing import Any

from newstui.cli.common import CliError


def register(sub: Any) -> None:
    p = sub.add_parser("state", help="state (not available yet)")
    p.add_argument("rest", nargs="*")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    raise CliError("'newstui state' is not available yet", 1)
