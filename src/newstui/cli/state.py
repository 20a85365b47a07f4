"""``newstui state export|import|info``: move reading state between machines."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from rich.text import Text

from newstui.cli.common import CliError, json_line, open_state, out_console, say
from newstui.core.atomic import write_atomic
from newstui.core.bounded import TooBig, read_bounded, read_stream_bounded
from newstui.core.state import StateError, StateImportError, StateStore
from newstui.core.text import display_path

#: The biggest export read (one of 100,000 read articles is about 2 MB; parsing the worst
#: 8 MB of JSON, millions of empty lists, peaks near 250 MB).
MAX_IMPORT_BYTES = 8 * 1024 * 1024
#: The longest number in an export (a position is at most 8 digits).
MAX_NUMBER_DIGITS = 30


def register(sub: Any) -> None:
    p = sub.add_parser(
        "state",
        help="export, import or show the reading state",
        description="Export, import or show the reading state (read and starred articles, "
        "reading positions, search history, saved searches, remembered values).",
    )
    actions = p.add_subparsers(dest="state_action", metavar="ACTION", required=True)

    e = actions.add_parser(
        "export",
        help="write the reading state as JSON",
        description="Write the reading state as JSON to FILE ('-' for standard output).",
    )
    e.add_argument("file", metavar="FILE", help="where to write ('-' for standard output)")
    e.set_defaults(handler=cmd_export)

    i = actions.add_parser(
        "import",
        help="merge a JSON export into the reading state",
        description="Merge a JSON export made by 'newstui state export' into the reading "
        "state ('-' reads standard input). Read and starred articles are added; positions "
        "and values from the file replace the ones here; searches join the history; saved "
        "searches are merged by name (the file's query wins). A newstui "
        "that is running sees the imported state at its next start.",
    )
    i.add_argument("file", metavar="FILE", help="the export to read ('-' for standard input)")
    i.set_defaults(handler=cmd_import)

    s = actions.add_parser(
        "info",
        help="where the state is kept and what it holds",
        description="Show where the reading state is kept and what it holds.",
    )
    s.set_defaults(handler=cmd_info)


def cmd_export(args: argparse.Namespace) -> int:
    with open_state() as store:
        data = store.export_json()
    # Controls (C1, bidi, separators) in ids escaped as \uXXXX: safe to print, same data.
    text = json_line(data, indent=1) + "\n"
    if args.file == "-":
        buffer = getattr(sys.stdout, "buffer", None)
        if buffer is None:
            sys.stdout.write(text)
        else:
            buffer.write(text.encode("utf-8", "replace"))
        sys.stdout.flush()
        return 0
    target = Path(args.file).expanduser()
    _write_atomic(target, text)
    say(
        f"exported {len(data['read'])} read, {len(data['starred'])} starred, "
        f"{len(data['positions'])} positions, {len(data['history'])} searches, "
        f"{len(data['saved_searches'])} saved searches to "
        f"{display_path(target)}"
    )
    return 0


def _write_atomic(target: Path, text: str) -> None:
    """Write ``text`` to ``target`` atomically (a failure leaves no half file)."""
    shown = display_path(target)
    if target.is_dir():
        raise CliError(f"{shown}: is a folder; give a file name", 1)
    folder = target.parent
    if not folder.is_dir():
        raise CliError(f"{shown}: no such folder: {display_path(folder)}", 1)
    try:
        write_atomic(target, text, errors="replace")
    except OSError as exc:
        reason = (exc.strerror or str(exc)).lower()
        raise CliError(f"{shown}: cannot write: {reason}", 1) from exc


def _label(name: str) -> str:
    return "standard input" if name == "-" else display_path(name)


def _read_export(name: str) -> Any:
    """The parsed export: a regular file (or standard input) of at most
    :data:`MAX_IMPORT_BYTES`, UTF-8 JSON with no number longer than
    :data:`MAX_NUMBER_DIGITS` digits. Anything else is a one-line :class:`CliError`."""
    label = _label(name)
    try:
        if name == "-":
            raw = read_stream_bounded(sys.stdin.buffer, MAX_IMPORT_BYTES)
        else:
            raw = read_bounded(Path(name).expanduser(), MAX_IMPORT_BYTES)
        text = raw.decode("utf-8")
    except FileNotFoundError:
        raise CliError(f"{label}: no such file", 1) from None
    except IsADirectoryError:
        raise CliError(f"{label}: is a folder, not an export file", 1) from None
    except TooBig:
        raise CliError(
            f"{label}: not a state export (bigger than {MAX_IMPORT_BYTES // 2**20} MB); "
            "nothing was imported",
            1,
        ) from None
    except UnicodeDecodeError:
        raise CliError(f"{label}: not a JSON export (not UTF-8 text)", 1) from None
    except OSError as exc:
        raise CliError(f"{label}: cannot read: {(exc.strerror or str(exc)).lower()}", 1) from exc
    try:
        return json.loads(text, parse_int=_bounded_int, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise CliError(
            f"{label}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})", 1
        ) from None
    except _BadNumber as exc:
        raise CliError(f"{label}: not a state export ({exc}); nothing was imported", 1) from None
    except RecursionError:
        raise CliError(f"{label}: not valid JSON (nested too deeply)", 1) from None


class _BadNumber(ValueError):
    pass


def _bounded_int(digits: str) -> int:
    if len(digits.lstrip("-")) > MAX_NUMBER_DIGITS:
        raise _BadNumber(f"a number of {len(digits):,} digits")
    return int(digits)


def _no_constant(name: str) -> Any:
    raise _BadNumber(f"{name} is not a number an export holds")


def cmd_import(args: argparse.Namespace) -> int:
    data = _read_export(args.file)
    label = _label(args.file)
    with open_state() as store:
        try:
            changed = store.import_json(data)
        except StateImportError as exc:
            raise CliError(f"{label}: {exc}; nothing was imported", 1) from None
        except StateError as exc:
            raise CliError(str(exc), 1) from None
        where = _where(store)
    say(f"imported {changed:,} change{'s' if changed != 1 else ''} into {where}")
    return 0


def cmd_info(args: argparse.Namespace) -> int:
    with open_state() as store:
        out = out_console()
        counts = store.counts()
        out.print(Text(f"store:      {_where(store)}"))
        out.print(Text(f"read:       {counts.read}"))
        out.print(Text(f"starred:    {counts.starred}"))
        out.print(Text(f"positions:  {counts.positions}"))
        out.print(Text(f"searches:   {counts.searches}"))
        out.print(Text(f"saved:      {counts.saved_searches}"))
    return 0


def _where(store: StateStore) -> str:
    """Where the store keeps the state, as shown to the user."""
    return display_path(store.path) if store.path is not None else "memory (not saved)"
