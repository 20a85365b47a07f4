"""``newstui list|show|search`` and the launcher."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.table import Table
from rich.text import Text

from newstui.cli import fetch as fetch_cmd
from newstui.cli import state as state_cmd
from newstui.cli.common import (
    CliError,
    err_console,
    number_in_range,
    open_state,
    out_console,
    resolve_articles_dirs,
    settings_from_args,
)

if TYPE_CHECKING:  # the core is imported when a command runs, so --help and --version are quick
    from newstui.core.article import Article
    from newstui.core.library import ScanResult
    from newstui.core.search import SearchIndex, SearchResult

# Options of the launcher and every command that take a value (to find the subcommand).
OPTIONS_WITH_VALUE = frozenset({"--config"})


def add_global_options(parser: argparse.ArgumentParser, *, top_level: bool = False) -> None:
    """``--config PATH``, accepted before and after the subcommand."""
    # A subcommand's default must not overwrite a value given before the subcommand.
    default = None if top_level else argparse.SUPPRESS
    parser.add_argument(
        "--config", metavar="PATH", default=default, help="settings file to use (TOML)"
    )


def register(sub: Any) -> None:
    p = sub.add_parser("list", help="list every article", description="List every article.")
    p.add_argument("dir", nargs="?", metavar="DIR", help="articles folder")
    p.add_argument("--format", choices=("table", "jsonl"), default="table")
    p.add_argument("--starred", action="store_true", help="only starred articles")
    add_global_options(p)
    p.set_defaults(handler=cmd_list)

    p = sub.add_parser(
        "show", help="show one article", description="Render one article in the terminal."
    )
    p.add_argument("target", metavar="ID_OR_PATH", help="an article id or a file path")
    p.add_argument("--dir", metavar="DIR", help="articles folder (to find an id)")
    add_global_options(p)
    p.set_defaults(handler=cmd_show)

    p = sub.add_parser(
        "search",
        help="search articles",
        description="Search articles. With no QUERY, read queries from standard input, "
        "one a line, and answer each as it comes.",
    )
    p.add_argument("query", nargs="*", metavar="QUERY")
    p.add_argument("--dir", metavar="DIR", help="articles folder")
    p.add_argument(
        "--limit",
        type=number_in_range(int, 1, 100_000, noun="a whole number"),
        default=10,
        metavar="N",
    )
    p.add_argument("--format", choices=("table", "jsonl"), default="table")
    add_global_options(p)
    p.set_defaults(handler=cmd_search)

    fetch_cmd.register(sub)
    state_cmd.register(sub)


def dispatch(args: argparse.Namespace) -> int:
    if args.command is None:
        return launch(args)
    handler = args.handler
    return int(handler(args))


def launch(args: argparse.Namespace) -> int:
    settings = settings_from_args(args)
    folders = resolve_articles_dirs(args.dir, settings)
    from newstui.ui.app import run_app

    return int(run_app(folders, config=getattr(args, "config", None)))


def load(folders: Sequence[Path]) -> ScanResult:
    """Scan the folders, reporting every skipped or degraded file on stderr."""
    from newstui.core.library import scan_library

    result = scan_library(list(folders))
    _report_problems(result)
    return result


def load_indexed(folders: Sequence[Path]) -> tuple[ScanResult, SearchIndex]:
    """Scan and index the folders, through the warm-start cache."""
    from newstui.core.search.cache import open_library

    result, index = open_library(list(folders))
    index.prepare()  # lookup tables built now, so took_ms is the search alone
    _report_problems(result)
    return result, index


def _report_problems(result: ScanResult) -> None:
    err = err_console()
    for problem in result.problems:
        if problem.kind != "duplicate":
            err.print(f"newstui: {problem}", markup=False, highlight=False)


def _require_articles(result: ScanResult, folders: Sequence[Path]) -> None:
    if not result.articles:
        where = ", ".join(str(f) for f in folders)
        raise CliError(f"no articles found in {where}", 1)


def cmd_list(args: argparse.Namespace) -> int:
    folders = resolve_articles_dirs(args.dir, settings_from_args(args))
    result = load(folders)
    _require_articles(result, folders)
    articles = result.articles
    if args.starred:
        store = open_state()
        try:
            articles = [a for a in articles if store.is_starred(a.id)]
        finally:
            store.close()
    return _print_list(articles, args.format)


def _sort_key(article: Article) -> tuple[float, str]:
    ts = article.published.timestamp() if article.published else float("-inf")
    return (-ts, article.title.casefold())


def _print_list(articles: Sequence[Article], fmt: str) -> int:
    articles = sorted(articles, key=_sort_key)
    out = out_console()
    if fmt == "jsonl":
        for a in articles:
            _write_json(article_json(a))
        return 0
    table = Table(box=None, header_style="bold", pad_edge=False, expand=True)
    table.add_column("Date", no_wrap=True, width=10)
    table.add_column("Source", no_wrap=True, max_width=16, overflow="ellipsis")
    table.add_column("Title", ratio=1, overflow="ellipsis", no_wrap=True)
    table.add_column("Words", justify="right", no_wrap=True, width=6)
    for a in articles:
        date = a.published.strftime("%Y-%m-%d") if a.published else ""
        table.add_row(date, Text(a.source), Text(a.title), str(a.word_count))
    out.print(table)
    return 0


def article_json(a: Article) -> dict[str, Any]:
    return {
        "id": a.id,
        "path": str(a.path) if a.path else None,
        "title": a.title,
        "source": a.source,
        "published": a.published.isoformat() if a.published else None,
        "url": a.url,
        "words": a.word_count,
    }


def _write_json(obj: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def cmd_show(args: argparse.Namespace) -> int:
    from newstui.core.loaders import load_file

    target = Path(args.target).expanduser()
    article: Article | None = None
    if target.is_file():
        outcome = load_file(target)
        if not outcome.articles:
            reason = outcome.problems[0].reason if outcome.problems else "no article in file"
            raise CliError(f"{target}: {reason}", 1)
        article = outcome.articles[0]
    else:
        from newstui.core.library import scan_library

        folders = resolve_articles_dirs(args.dir, settings_from_args(args))
        for a in scan_library(folders).articles:
            if a.id == args.target or a.id.startswith(args.target):
                article = a
                break
        if article is None:
            raise CliError(f"no article with id or path {args.target!r}", 1)
    from newstui.cli.render import render_article

    out_console().print(render_article(article))
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    folders = resolve_articles_dirs(args.dir, settings_from_args(args))
    result, index = load_indexed(folders)
    _require_articles(result, folders)
    store = open_state()
    try:
        queries: Iterable[str] = [" ".join(args.query)] if args.query else _stdin_queries()
        for q in queries:
            res = index.search(q, limit=args.limit, state=store)
            if args.format == "jsonl":
                _write_json(result_json(res))
            else:
                _print_result(res)
    finally:
        store.close()
    return 0


def _stdin_queries() -> Iterator[str]:
    for line in sys.stdin:
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
        "hits": [
            {
                "id": h.article.id,
                "path": str(h.article.path) if h.article.path else None,
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


def _print_result(res: SearchResult) -> None:
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
                hit.article.id,
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
