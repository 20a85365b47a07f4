"""``newstui list|show|search`` and the launcher."""

from __future__ import annotations

import argparse
import itertools
import os
import sys
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.table import Table
from rich.text import Text

from newstui.cli import export as export_cmd
from newstui.cli import fetch as fetch_cmd
from newstui.cli import saved as saved_cmd
from newstui.cli import serve as serve_cmd
from newstui.cli import state as state_cmd
from newstui.cli import stories as stories_cmd
from newstui.cli.common import (
    CliError,
    add_format_option,
    err_console,
    json_line,
    number_in_range,
    open_state,
    out_console,
    resolve_articles_dirs,
    say,
    settings_from_args,
)
from newstui.cli.newsboat import add_newsboat_option, import_newsboat_state, newsboat_folder
from newstui.core.order import SORTS, sort_articles
from newstui.core.text import clean_line, display_path

if TYPE_CHECKING:  # the core is imported when a command runs, so --help and --version are quick
    from newstui.core.article import Article, Problem
    from newstui.core.library import ScanResult
    from newstui.core.search import SearchIndex, SearchResult
    from newstui.core.stories import Stories

# Options of the launcher and every command that take a value (to find the subcommand).
OPTIONS_WITH_VALUE = frozenset({"--config", "--dir"})
#: The shortest id prefix ``list`` shows (longer where two articles share it).
SHORT_ID = 8
_DIR_HELP = "articles folder (default: $NEWSTUI_ARTICLES, the settings' folders, ./articles, "
_DIR_HELP += "or your data folder)"


def add_global_options(parser: argparse.ArgumentParser, *, top_level: bool = False) -> None:
    """``--config PATH``, ``--verbose`` and ``--quiet``, before and after the subcommand."""
    # A subcommand's default must not overwrite a value given before the subcommand.
    default = None if top_level else argparse.SUPPRESS
    parser.add_argument(
        "--config", metavar="PATH", default=default, help="settings file to use (TOML)"
    )
    noise = parser.add_mutually_exclusive_group()
    noise.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        default=default,
        help="list every file that failed to load, and every duplicate, on stderr",
    )
    noise.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        default=default,
        help="say nothing about files that failed to load",
    )


def _add_dir_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--dir", metavar="DIR", dest="dir_option", help=_DIR_HELP)
    add_newsboat_option(parser)


def _folder_arg(args: argparse.Namespace) -> str | None:
    """The folder given as ``DIR`` or ``--dir DIR`` (both forms are accepted), or newsboat's
    cache with ``--newsboat``."""
    positional = getattr(args, "dir", None)
    option = getattr(args, "dir_option", None)
    if positional and option and positional != option:
        raise CliError("give the folder once: as DIR or as --dir DIR, not both", 2)
    newsboat = newsboat_folder(args)
    if newsboat is not None and (option or positional):
        raise CliError("give a folder or --newsboat, not both", 2)
    return newsboat or option or positional


def register(sub: Any) -> None:
    p = sub.add_parser(
        "list",
        help="list every article",
        description="List every article, newest first (or --sort): its short id (for "
        "'newstui show'), date, source, title and length in words.",
    )
    p.add_argument("dir", nargs="?", metavar="DIR", help=_DIR_HELP + "; or --dir DIR")
    _add_dir_option(p)
    add_format_option(p)
    p.add_argument("--starred", action="store_true", help="only starred articles")
    p.add_argument(
        "--sort",
        choices=SORTS,
        default=SORTS[0],
        help="newest (the default), oldest, title or source: the app's orders (s)",
    )
    add_global_options(p)
    p.set_defaults(handler=cmd_list)

    p = sub.add_parser(
        "show",
        help="show one article",
        description="Render one article in the terminal. ID may be the start of an id, as "
        "long as only one article's id starts so (the ID column of 'newstui list').",
    )
    p.add_argument(
        "target",
        metavar="ID_OR_PATH",
        help="an article id (or its unique start, as 'newstui list' shows it) or a file path",
    )
    p.add_argument(
        "dir", nargs="?", metavar="DIR", help="articles folder, to find an id; or --dir DIR"
    )
    _add_dir_option(p)
    add_global_options(p)
    p.set_defaults(handler=cmd_show)

    p = sub.add_parser(
        "search",
        help="search articles",
        description="Search articles. With no QUERY, read queries from standard input, "
        "one a line, and answer each as it comes (on a terminal, with a prompt).",
    )
    p.add_argument(
        "query",
        nargs="*",
        metavar="QUERY",
        help='what to find (words, "a phrase", -word, a OR b, title:word, after:2020-05, '
        "is:unread; see the README); several words make one query",
    )
    _add_dir_option(p)
    p.add_argument(
        "--limit",
        type=number_in_range(int, 1, 100_000, noun="a whole number"),
        default=10,
        metavar="N",
        help="show at most N results per query (1-100000, default 10)",
    )
    add_format_option(p)
    saved_cmd.add_search_option(p)
    add_global_options(p)
    p.set_defaults(handler=cmd_search)

    fetch_cmd.register(sub)
    export_cmd.register(sub, _add_dir_option, add_global_options)
    state_cmd.register(sub)
    saved_cmd.register(sub)
    stories_cmd.register(sub)
    serve_cmd.register(sub)


def dispatch(args: argparse.Namespace) -> int:
    if args.command is None:
        return launch(args)
    handler = args.handler
    return int(handler(args))


def launch(args: argparse.Namespace) -> int:
    settings = settings_from_args(args)
    folders = resolve_articles_dirs(_folder_arg(args), settings)
    from newstui.ui.app import run_app

    return int(run_app(folders, config=getattr(args, "config", None)))


def load(folders: Sequence[Path], args: argparse.Namespace) -> ScanResult:
    """Open the library, reporting what failed to load on stderr (see
    :func:`report_problems`)."""
    return load_indexed(folders, args)[0]


def load_indexed(
    folders: Sequence[Path], args: argparse.Namespace
) -> tuple[ScanResult, SearchIndex]:
    """Open the library: scanned and indexed, through the warm-start cache."""
    from newstui.core.library.opening import open_library

    import_newsboat_state(folders)  # newsboat's read/starred, for items new to newstui
    result, index = open_library(list(folders))
    index.prepare()  # lookup tables built now, so took_ms is the search alone
    report_problems(result.problems, args)
    return result, index


def report_problems(problems: Sequence[Problem], args: argparse.Namespace) -> None:
    """One summary line on stderr ("1 file with problems (1,646 records); 99 duplicates
    collapsed"); ``--verbose`` lists every problem first, ``--quiet`` says nothing."""
    if getattr(args, "quiet", None) or not problems:
        return
    from newstui.core.problems import ordered, summarize

    summary = summarize(problems)
    if not summary.any:
        return
    if getattr(args, "verbose", None):
        for problem in ordered(problems):
            say(str(problem))
        say(summary.describe())
    else:
        say(f"{summary.describe()} (--verbose lists them)")


def _require_articles(result: ScanResult, folders: Sequence[Path]) -> None:
    if not result.articles:
        where = ", ".join(display_path(f) for f in folders)
        raise CliError(f"no articles found in {where}", 1)


def cmd_list(args: argparse.Namespace) -> int:
    folders = resolve_articles_dirs(_folder_arg(args), settings_from_args(args))
    result = load(folders, args)
    _require_articles(result, folders)
    articles = result.articles
    width = short_id_length(a.id for a in articles)
    if args.starred:
        store = open_state()
        try:
            articles = [a for a in articles if store.is_starred(a.id)]
        finally:
            store.close()
    stories = stories_cmd.library_stories(folders, result) if args.format == "jsonl" else None
    return _print_list(sort_articles(articles, args.sort), args.format, width, stories)


def short_id_length(ids: Iterable[str], minimum: int = SHORT_ID) -> int:
    """The shortest prefix length (at least ``minimum``) that tells every id apart, as git
    abbreviates commit ids: one past the longest prefix two neighbours share, once sorted."""
    ordered_ids = sorted(set(ids))
    longest = minimum
    for a, b in itertools.pairwise(ordered_ids):
        n = 0
        for x, y in zip(a, b, strict=False):
            if x != y:
                break
            n += 1
        longest = max(longest, n + 1)
    return longest


def _print_list(
    articles: Sequence[Article], fmt: str, id_width: int = SHORT_ID, stories: Stories | None = None
) -> int:
    """Print ``articles`` in the order given (JSON rows with their story, given ``stories``)."""
    out = out_console()
    if fmt == "jsonl":
        for a in articles:
            write_json(stories_cmd.with_story(article_json(a), stories))
        return 0
    table = Table(box=None, header_style="bold", pad_edge=False, expand=True)
    table.add_column("ID", no_wrap=True, min_width=id_width)
    table.add_column("Date", no_wrap=True, width=10)
    table.add_column("Source", no_wrap=True, max_width=16, overflow="ellipsis")
    table.add_column("Title", ratio=1, overflow="ellipsis", no_wrap=True)
    table.add_column("Words", justify="right", no_wrap=True, width=6)
    for a in articles:
        date = a.published.strftime("%Y-%m-%d") if a.published else ""
        short = Text(clean_line(a.id[:id_width]))
        table.add_row(short, date, Text(a.source), Text(a.title), str(a.word_count))
    out.print(table)
    return 0


def article_json(a: Article) -> dict[str, Any]:
    return {
        "id": a.id,
        "path": json_path(a.path),
        "title": a.title,
        "source": a.source,
        "published": a.published.isoformat() if a.published else None,
        "url": a.url,
        "words": a.word_count,
    }


def json_path(path: Path | None) -> str | None:
    """A file path for JSON: bytes of a non-UTF-8 name become U+FFFD (JSON text is Unicode;
    the raw bytes cannot be carried), controls are escaped by :func:`json_line`."""
    if path is None:
        return None
    return os.fsencode(path).decode("utf-8", "replace")


def write_json(obj: object) -> None:
    """One JSON line on stdout, as UTF-8 whatever stdout's encoding (it is pure JSON text)."""
    line = json_line(obj) + "\n"
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is None:
        sys.stdout.write(line)
    else:
        sys.stdout.flush()
        buffer.write(line.encode("utf-8"))
    sys.stdout.flush()


def cmd_show(args: argparse.Namespace) -> int:
    from newstui.core.loaders import load_file

    target = Path(args.target).expanduser()
    article: Article | None = None
    if target.is_file():
        outcome = load_file(target)
        if not outcome.articles:
            reason = outcome.problems[0].reason if outcome.problems else "no article in file"
            raise CliError(f"{display_path(target)}: {reason}", 1)
        report_problems(outcome.problems, args)
        article = outcome.articles[0]
    else:
        folders = resolve_articles_dirs(_folder_arg(args), settings_from_args(args))
        article = find_article(load(folders, args).articles, args.target)
    from newstui.cli.render import render_article

    out_console().print(render_article(article))
    return 0


def find_article(articles: Iterable[Article], wanted: str) -> Article:
    """The article whose id is ``wanted``, or the only one whose id starts with it."""
    if not wanted:
        raise CliError("give an article id (the ID column of 'newstui list') or a file", 2)
    matches: list[Article] = []
    for a in articles:
        if a.id == wanted:
            return a
        if a.id.startswith(wanted):
            matches.append(a)
    shown = clean_line(repr(wanted), max_len=80)
    if not matches:
        raise CliError(f"no article with id or path {shown}", 1)
    if len(matches) > 1:
        raise CliError(
            f"the id {shown} is ambiguous: {len(matches):,} articles start with it "
            f"({', '.join(sorted(a.id for a in matches)[:3])}{', ...' if len(matches) > 3 else ''})"
            "; give more of the id",
            2,
        )
    return matches[0]


def cmd_search(args: argparse.Namespace) -> int:
    saved_cmd.apply_saved(args)  # --saved NAME [DIR]: the saved query, the word after it DIR
    folders = resolve_articles_dirs(_folder_arg(args), settings_from_args(args))
    result, index = load_indexed(folders, args)
    _require_articles(result, folders)
    id_width = short_id_length(a.id for a in result.articles)
    one_query = bool(args.query)
    status = 0
    stories = stories_cmd.library_stories(folders, result) if args.format == "jsonl" else None
    store = open_state()
    try:
        queries: Iterable[str] = [" ".join(args.query)] if one_query else _stdin_queries()
        for q in queries:
            res = index.search(q, limit=args.limit, state=store)
            errors = _query_errors(res)
            unusable = bool(errors) and _only_malformed(q)
            if unusable:
                status = 2
                if one_query:  # nothing to answer: a usage error, as for a bad option
                    raise CliError(f"search: nothing left to search for in {q!r}", 2)
            if args.format == "jsonl":
                write_json(stories_cmd.hits_with_story(result_json(res), stories))
            else:
                _print_result(res, id_width)
    finally:
        store.close()
    return status


def _query_errors(res: SearchResult) -> list[str]:
    """``SearchResult.errors`` (malformed operators, a capped query), each said on stderr."""
    errors = [str(e) for e in getattr(res, "errors", None) or []]
    for error in errors:
        say(f"search: {error}")
    return errors


def _only_malformed(query: str) -> bool:
    """True when nothing of ``query`` is left to search for once its malformed operators
    are set aside (``is:bogus``, ``after:2020-13``, ``title:`` alone)."""
    from newstui.core.search.query import parse

    try:
        return parse(query).is_empty
    except Exception:  # the search already answered; this is only about the exit status
        return False


def _stdin_queries() -> Iterator[str]:
    """Queries from standard input, one a line; on a terminal, with a prompt on stderr."""
    interactive = sys.stdin.isatty()
    if interactive:
        err = err_console()
        err.print(
            "Type a query and press Enter, one a line; Ctrl-D to finish. "
            "(Or give it as arguments: newstui search QUERY.)",
            markup=False,
            highlight=False,
        )
    while True:
        if interactive:
            err.print("search> ", end="", markup=False, highlight=False)
        line = sys.stdin.readline()
        if not line:
            if interactive:
                err.print()
            return
        q = line.strip()
        if q:
            yield q


def result_json(res: SearchResult) -> dict[str, Any]:
    return {
        "query": res.query,
        "took_ms": round(res.took_ms, 3),
        "total": res.total,
        "partial": res.partial,
        "suggestions": res.suggestions,
        "errors": [str(e) for e in getattr(res, "errors", None) or []],
        "hits": [
            {
                "id": h.article.id,
                "path": json_path(h.article.path),
                "title": h.article.title,
                "source": h.article.source,
                "published": h.article.published.isoformat() if h.article.published else None,
                "url": h.article.url,
                "score": round(h.score, 4),
                "snippet": h.snippet,
            }
            for h in res.hits
        ],
    }


def _print_result(res: SearchResult, id_width: int = SHORT_ID) -> None:
    """The table form; ids cut to ``id_width`` as ``newstui list`` shows them."""
    out = out_console()
    head = Text()
    head.append(f"{res.total} result{'s' if res.total != 1 else ''}", style="bold")
    head.append(f" for {res.query!r} in {res.took_ms:.1f} ms")
    if res.partial:
        head.append("  (no article has every word; showing the best partial matches)", "yellow")
    out.print(head)
    if not res.hits and res.suggestions:
        out.print(Text("Did you mean: " + ", ".join(res.suggestions), style="italic"))
    for n, hit in enumerate(res.hits, 1):
        line = Text(f"{n:>2}. ", style="dim")
        title = Text(hit.article.title, style="bold")
        for span in hit.spans:
            if span.field == "title":
                title.stylize("reverse", span.start, span.end)
        line.append_text(title)
        meta = " · ".join(
            x
            for x in (
                hit.article.source,
                hit.article.published.strftime("%Y-%m-%d") if hit.article.published else "",
                hit.article.id[:id_width],
            )
            if x
        )
        line.append(f"  {meta}", style="dim")
        out.print(line)
        if hit.snippet:
            snip = Text("    " + hit.snippet, style="")
            for span in hit.snippet_spans:
                snip.stylize("bold yellow", span.start + 4, span.end + 4)
            out.print(snip)
