"""``newstui saved list|add|rm|rename`` and ``newstui search --saved NAME``: saved searches.

A saved search is a name for a query, kept in the reading state (see
:mod:`newstui.core.state.saved`); ``search --saved NAME`` runs the query as it is saved, so
it finds articles added since. A bad or unknown name is a usage error (exit 2) naming it and
the names there are; a store that cannot be written is a failure (exit 1).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from rich.table import Table
from rich.text import Text

from newstui.cli.common import CliError, add_format_option, open_state, out_console, say

if TYPE_CHECKING:
    from newstui.core.state import SavedSearch, StateStore

_T = TypeVar("_T")


def register(sub: Any) -> None:
    p = sub.add_parser(
        "saved",
        help="list, add, remove or rename saved searches",
        description="Saved searches: a name for a query, shown in the app's sidebar and run "
        "with 'newstui search --saved NAME'. Names are unique whatever their case.",
    )
    actions = p.add_subparsers(dest="saved_action", metavar="ACTION", required=True)

    a = actions.add_parser(
        "list",
        help="the saved searches, in order",
        description="List the saved searches in their order: name and query.",
    )
    add_format_option(a)
    a.set_defaults(handler=cmd_list)

    a = actions.add_parser(
        "add",
        help="save a query under a name",
        description="Save QUERY under NAME: a new name goes last; an existing name (any "
        "case) keeps its place and takes the new query.",
    )
    a.add_argument("name", metavar="NAME", help="the saved search's name (at most 60 characters)")
    a.add_argument(
        "query",
        nargs="+",
        metavar="QUERY",
        help="the query, as 'newstui search' takes it; several words make one query",
    )
    a.set_defaults(handler=cmd_add)

    a = actions.add_parser(
        "rm", help="remove a saved search", description="Remove the saved search NAME."
    )
    a.add_argument("name", metavar="NAME")
    a.set_defaults(handler=cmd_rm)

    a = actions.add_parser(
        "rename",
        help="rename a saved search",
        description="Call the saved search OLD by the name NEW (same place, same query).",
    )
    a.add_argument("old", metavar="OLD")
    a.add_argument("new", metavar="NEW")
    a.set_defaults(handler=cmd_rename)


def add_search_option(parser: argparse.ArgumentParser) -> None:
    """``search --saved NAME``."""
    parser.add_argument(
        "--saved",
        metavar="NAME",
        help="run the saved search NAME (see 'newstui saved list'); a word after it is the "
        "articles folder",
    )


def apply_saved(args: argparse.Namespace) -> None:
    """For ``search --saved NAME [DIR]``: the saved query becomes the query and a word after
    it the folder. An unknown NAME is a usage error naming the saved searches there are."""
    name = getattr(args, "saved", None)
    if name is None:
        return
    words: list[str] = list(args.query)
    if len(words) > 1:
        raise CliError(
            "search --saved: give the saved search's name and at most a folder after it, "
            f"not a query ({len(words)} words given)",
            2,
        )
    args.dir = words[0] if words else None
    from newstui.core.state.saved import unknown

    with open_state() as store:
        found = store.saved_search(name)
        if found is None:
            raise CliError(f"search --saved: {unknown(store.saved_searches(), name)}", 2)
    args.query = [found.query]


def _change(what: str, action: Callable[[StateStore], _T]) -> _T:
    """Run ``action(store)``; a bad name is exit 2, a store that cannot be written exit 1."""
    from newstui.core.state import SavedSearchError, StateError

    with open_state() as store:
        if not store.persistent:  # the notice saying why is already on stderr
            raise CliError(f"saved {what}: the reading state cannot be saved; nothing changed", 1)
        try:
            return action(store)
        except SavedSearchError as exc:
            raise CliError(f"saved {what}: {exc}", 2) from None
        except StateError as exc:
            raise CliError(str(exc), 1) from None


def cmd_list(args: argparse.Namespace) -> int:
    from newstui.cli.commands import write_json

    with open_state() as store:
        searches = store.saved_searches()
    if args.format == "jsonl":
        for s in searches:
            write_json({"name": s.name, "query": s.query})
        return 0
    if not searches:
        say("no saved searches (save one with: newstui saved add NAME QUERY)")
        return 0
    table = Table(box=None, header_style="bold", pad_edge=False)
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("Name", no_wrap=True, overflow="ellipsis", max_width=40)
    table.add_column("Query", overflow="fold")
    for n, s in enumerate(searches, 1):
        table.add_row(str(n), Text(s.name), Text(s.query))
    out_console().print(table)
    return 0


def cmd_add(args: argparse.Namespace) -> int:
    query = " ".join(args.query)
    from newstui.core.search.query import parse

    if query.strip() and parse(query).is_empty:
        raise CliError(f"saved add: nothing to search for in {query!r}", 2)

    def add(store: StateStore) -> tuple[bool, SavedSearch]:
        existed = store.saved_search(args.name) is not None
        return existed, store.save_search(args.name, query)

    existed, kept = _change("add", add)
    verb = "replaced the query of" if existed else "saved"
    say(f"{verb} {kept.name!r}: {kept.query}")
    return 0


def cmd_rm(args: argparse.Namespace) -> int:
    def remove(store: StateStore) -> str:
        found = store.saved_search(args.name)
        store.delete_search(args.name)
        return found.name if found is not None else str(args.name)

    say(f"removed {_change('rm', remove)!r}")
    return 0


def cmd_rename(args: argparse.Namespace) -> int:
    def rename(store: StateStore) -> tuple[str, str]:
        found = store.saved_search(args.old)
        kept = store.rename_search(args.old, args.new)
        return (found.name if found is not None else str(args.old)), kept.name

    old, new = _change("rename", rename)
    say(f"renamed {old!r} to {new!r}")
    return 0
