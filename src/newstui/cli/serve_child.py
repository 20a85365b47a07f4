"""What ``newstui serve`` runs for each browser tab (``python -m newstui.cli.serve_child
[--config PATH] -- FOLDER...``): the reader, made by the same app factory as ``newstui``
(:func:`newstui.ui.app.run_app` calls ``create_app``), on the folders ``serve`` resolved."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path


def child_main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="newstui-serve-child")
    parser.add_argument("--config")
    parser.add_argument("folders", nargs="+", type=Path)
    args = parser.parse_args(list(argv))
    from newstui.ui.app import run_app

    return int(run_app(args.folders, config=args.config))


if __name__ == "__main__":
    raise SystemExit(child_main(sys.argv[1:]))
