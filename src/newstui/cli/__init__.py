"""The command line: ``newstui [DIR]`` launches the reader; subcommands for scripting.

Exit codes: 0 success, 1 failure, 2 usage error. Errors are one clear line, never a
traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from rich.console import Console

from newstui import __version__
from newstui.cli import commands
from newstui.cli.common import CliError, err_console, say
from newstui.cli.newsboat import add_newsboat_option

SUBCOMMANDS = (
    "list",
    "show",
    "search",
    "fetch",
    "state",
    "export",
    "saved",
    "stories",
    "related",
    "serve",
)


class _Parser(argparse.ArgumentParser):
    """argparse that prints usage errors as one line and exits 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        say(f"error: {message}")  # argparse quotes the arguments: through the sanitiser
        err_console().print(f"Try '{self.prog} --help'.", markup=False, highlight=False)
        raise SystemExit(2)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="newstui",
        description="A fast, keyboard-driven terminal news reader.",
        epilog="Run 'newstui COMMAND --help' for a command's options.",
    )
    parser.add_argument("--version", action="version", version=f"newstui {__version__}")
    commands.add_global_options(parser, top_level=True)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands.register(sub)
    return parser


def _launch_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="newstui",
        description="A fast, keyboard-driven terminal news reader. "
        f"Commands: {', '.join(SUBCOMMANDS)} (see 'newstui COMMAND --help').",
    )
    parser.add_argument("--version", action="version", version=f"newstui {__version__}")
    parser.add_argument(
        "dir",
        nargs="?",
        metavar="DIR",
        help="articles folder (default: $NEWSTUI_ARTICLES, the settings' folders, ./articles, "
        "or your data folder); or --dir DIR",
    )
    parser.add_argument("--dir", metavar="DIR", dest="dir_option", help="articles folder")
    add_newsboat_option(parser)
    commands.add_global_options(parser, top_level=True)
    return parser


def _first_positional(args: Sequence[str]) -> str | None:
    """The first word that is not an option or an option's value (the subcommand, if any)."""
    skip = False
    for arg in args:
        if skip:
            skip = False
        elif arg == "--":
            return None
        elif arg in commands.OPTIONS_WITH_VALUE:
            skip = True
        elif not arg.startswith("-"):
            return arg
    return None


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    first = _first_positional(args_list)
    try:
        if first in SUBCOMMANDS:
            args = build_parser().parse_args(args_list)
        else:
            args = _launch_parser().parse_args(args_list)
            args.command = None
        return int(commands.dispatch(args))
    except CliError as exc:
        say(str(exc))
        return exc.code
    except KeyboardInterrupt:
        say("interrupted")
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # a bug or a broken install: one line, the details on request
        if os.environ.get("NEWSTUI_DEBUG"):
            raise
        say(
            f"internal error: {type(exc).__name__}: {exc} "
            "(run with NEWSTUI_DEBUG=1 for the details, and please report it)"
        )
        return 1


__all__ = ["Console", "build_parser", "main"]
