"""``newstui export [QUERY] [--dir DIR] --to OUT --format md|jsonl|html|opml [--force]``.

The articles matching QUERY (the search language; all of them without one, newest first) as
one Markdown file each in the folder OUT, one JSON Lines file or one HTML page; ``opml``
writes the settings' feeds. Nothing is overwritten without ``--force``: before anything is
written every target is checked, so a refused export writes nothing.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from newstui.cli.common import CliError, open_state, resolve_articles_dirs, say, settings_from_args
from newstui.core.text import display_path

if TYPE_CHECKING:
    from newstui.core.article import Article

FORMATS = ("md", "jsonl", "html", "opml")


def register(sub: Any, add_dir_option: Any, add_global_options: Any) -> None:
    p = sub.add_parser(
        "export",
        help="export articles (Markdown, JSON Lines, HTML) or the feeds (OPML)",
        description="Write the articles matching QUERY (all of them without one): --format md "
        "writes one Markdown file with front matter each into the folder --to; jsonl and html "
        "write one file --to; opml writes the settings' feeds to the file --to. An existing "
        "file is never replaced without --force.",
    )
    p.add_argument("query", nargs="*", metavar="QUERY", help="which articles (the search syntax)")
    add_dir_option(p)
    p.add_argument("--to", required=True, metavar="OUT", help="folder (md) or file to write")
    p.add_argument("--format", choices=FORMATS, required=True, help="md, jsonl, html or opml")
    p.add_argument("--force", action="store_true", help="replace files that exist")
    add_global_options(p)
    p.set_defaults(handler=cmd_export)


def cmd_export(args: argparse.Namespace) -> int:
    from newstui.cli.commands import _folder_arg, load_indexed

    settings = settings_from_args(args)
    out = Path(args.to).expanduser()
    if args.format == "opml":
        if args.query:
            raise CliError("export --format opml writes the feeds: it takes no QUERY", 2)
        return _export_opml(settings.feeds, out, args.force)
    if args.format != "md" and out.is_dir():
        raise CliError(f"--to: {display_path(out)} is a folder; --format {args.format} "
                       "writes one file", 2)  # fmt: skip
    if args.format == "md" and out.exists() and not out.is_dir():
        raise CliError(f"--to: {display_path(out)} is not a folder (--format md writes one "
                       "file per article into a folder)", 2)  # fmt: skip
    folders = resolve_articles_dirs(_folder_arg(args), settings)
    result, index = load_indexed(folders, args)
    query = " ".join(args.query).strip()
    articles = _matching(result.articles, index, query)
    if not articles:
        raise CliError(f"nothing to export: no article matches {query!r}" if query else
                       "nothing to export: no articles", 1)  # fmt: skip
    from newstui.core.export import ExportError

    try:
        if args.format == "md":
            written = _export_md(articles, out, args.force)
            say(f"exported {written:,} article{'s' if written != 1 else ''} to {display_path(out)}")
        else:
            _export_one_file(articles, out, args.format, args.force)
            n = len(articles)
            say(f"exported {n:,} article{'s' if n != 1 else ''} to {display_path(out)}")
    except ExportError as exc:
        raise CliError(f"export: {exc}", 1) from None
    return 0


def _matching(articles: Sequence[Article], index: Any, query: str) -> list[Article]:
    from newstui.core.order import sort_articles

    if not query:
        return sort_articles(articles, "newest")
    store = open_state()
    try:
        res = index.search(query, limit=max(1, len(articles)), state=store)
    finally:
        store.close()
    for error in getattr(res, "errors", None) or []:
        say(f"search: {error}")
    return [h.article for h in res.hits]


def _export_md(articles: Sequence[Article], out: Path, force: bool) -> int:
    from newstui.core.export import ExportError, article_markdown, markdown_names, write_new

    names = markdown_names(articles)
    if not force:
        taken = [n for n in names if (out / n).exists() or (out / n).is_symlink()]
        if taken:
            more = f" and {len(taken) - 1:,} more files" if len(taken) > 1 else ""
            raise ExportError(
                f"{display_path(out / taken[0])}{more} exist{'' if more else 's'}; nothing written "
                "(--force replaces them)"
            )
    for article, name in zip(articles, names, strict=True):
        write_new(out / name, article_markdown(article), force=force)
    return len(articles)


def _export_one_file(articles: Sequence[Article], out: Path, fmt: str, force: bool) -> None:
    from newstui.core.export import html_page, jsonl_lines, write_new

    pieces = jsonl_lines(articles) if fmt == "jsonl" else html_page(articles)
    write_new(out, (p.encode("utf-8", "replace") for p in pieces), force=force)


def _export_opml(feeds: Sequence[str], out: Path, force: bool) -> int:
    from newstui.core.export import ExportError, opml_document, write_new

    if not feeds:
        raise CliError("export --format opml: the settings name no feeds (feeds = [...])", 1)
    if out.is_dir():
        raise CliError(f"--to: {display_path(out)} is a folder; --format opml writes one file", 2)
    try:
        write_new(out, opml_document(feeds), force=force)
    except ExportError as exc:
        raise CliError(f"export: {exc}", 1) from None
    say(f"exported {len(feeds):,} feed{'s' if len(feeds) != 1 else ''} to {display_path(out)}")
    return 0
