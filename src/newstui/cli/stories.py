"""``newstui stories`` and ``newstui related``; the ``story`` fields of ``list``/``search``.

Stories come from :func:`newstui.core.stories.store.load_stories`: computed once per
library and cached beside the index, so ``list --format jsonl`` and ``search --format
jsonl`` pay only for reading that file once it exists.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.table import Table
from rich.text import Text

from newstui.cli.common import (
    CliError,
    add_format_option,
    number_in_range,
    out_console,
    resolve_articles_dirs,
    settings_from_args,
)
from newstui.core.text import clean_line

if TYPE_CHECKING:
    from newstui.core.article import Article
    from newstui.core.library import ScanResult
    from newstui.core.stories import Stories

__all__ = ["hits_with_story", "library_stories", "register", "with_story"]


def register(sub: Any) -> None:
    from newstui.cli import commands

    p = sub.add_parser(
        "stories",
        help="list the stories told by several articles",
        description="List the stories: articles that report the same story (corrected or "
        "updated versions, copies with another headline) grouped, newest story first, each "
        "with its members' ids, dates, sources and titles.",
    )
    p.add_argument("dir", nargs="?", metavar="DIR", help=commands._DIR_HELP + "; or --dir DIR")
    commands._add_dir_option(p)
    p.add_argument(
        "--min-size",
        type=number_in_range(int, 1, 1_000_000, noun="a whole number"),
        default=2,
        metavar="N",
        help="only stories of at least N articles (default 2; 1 lists lone articles too)",
    )
    add_format_option(p)
    commands.add_global_options(p)
    p.set_defaults(handler=cmd_stories)

    p = sub.add_parser(
        "related",
        help="articles related to one article",
        description="The articles most like one article (from other stories than its own, "
        "one per story), with scores: 1.0 is as alike as the article is to itself.",
    )
    p.add_argument(
        "target",
        metavar="ID_OR_PATH",
        help="an article id (or its unique start, as 'newstui list' shows it) or a file path",
    )
    commands._add_dir_option(p)
    p.add_argument(
        "--limit",
        type=number_in_range(int, 1, 1000, noun="a whole number"),
        default=5,
        metavar="N",
        help="at most N related articles (1-1000, default 5)",
    )
    add_format_option(p)
    commands.add_global_options(p)
    p.set_defaults(handler=cmd_related)


def library_stories(folders: Sequence[Path], result: ScanResult) -> Stories:
    """The stories of an open library, through their cache."""
    from newstui.core.stories.store import load_stories

    return load_stories(list(folders), result.articles)


def with_story(row: dict[str, Any], stories: Stories | None) -> dict[str, Any]:
    """An article's JSON row with ``story`` and ``story_size`` (unchanged without stories)."""
    if stories is not None:
        sid = stories.story_of(row["id"])
        row["story"] = sid
        row["story_size"] = max(1, stories.size(sid))
    return row


def hits_with_story(obj: dict[str, Any], stories: Stories | None) -> dict[str, Any]:
    """A search result's JSON object, each hit with ``story`` and ``story_size``."""
    for hit in obj.get("hits", []):
        with_story(hit, stories)
    return obj


def _date(a: Article) -> str | None:
    return a.published.isoformat() if a.published else None


def _member_json(a: Article) -> dict[str, Any]:
    return {"id": a.id, "title": a.title, "source": a.source, "published": _date(a)}


def cmd_stories(args: argparse.Namespace) -> int:
    from newstui.cli import commands

    folders = resolve_articles_dirs(commands._folder_arg(args), settings_from_args(args))
    result = commands.load(folders, args)
    commands._require_articles(result, folders)
    stories = library_stories(folders, result)
    by_id = {a.id: a for a in result.articles}
    width = commands.short_id_length(by_id)
    out = out_console()
    for sid in stories.stories(args.min_size):
        members = [by_id[m] for m in stories.members(sid) if m in by_id]
        if not members:
            continue
        if args.format == "jsonl":
            commands.write_json(
                {
                    "story": sid,
                    "size": len(members),
                    "members": [_member_json(a) for a in members],
                }
            )
            continue
        head = Text()
        head.append(f"{clean_line(sid[:width])}", style="bold")
        head.append(f"  {len(members)} version{'s' if len(members) != 1 else ''}", style="dim")
        out.print(head)
        table = Table(box=None, show_header=False, pad_edge=False, expand=True)
        table.add_column("ID", no_wrap=True, min_width=width + 2)
        table.add_column("Date", no_wrap=True, width=10)
        table.add_column("Source", no_wrap=True, max_width=16, overflow="ellipsis")
        table.add_column("Title", ratio=1, overflow="ellipsis", no_wrap=True)
        for a in members:
            date = a.published.strftime("%Y-%m-%d") if a.published else ""
            table.add_row(
                Text("  " + clean_line(a.id[:width])), date, Text(a.source), Text(a.title)
            )
        out.print(table)
    return 0


def cmd_related(args: argparse.Namespace) -> int:
    from newstui.cli import commands
    from newstui.core.stories.related import related_to

    folders = resolve_articles_dirs(commands._folder_arg(args), settings_from_args(args))
    target = Path(args.target).expanduser()
    article: Article | None = None
    if target.is_file():
        from newstui.core.loaders import load_file

        outcome = load_file(target)
        if not outcome.articles:
            reason = outcome.problems[0].reason if outcome.problems else "no article in file"
            raise CliError(f"{clean_line(str(target))}: {reason}", 1)
        article = outcome.articles[0]
    result, index = commands.load_indexed(folders, args)
    commands._require_articles(result, folders)
    if article is None:
        article = commands.find_article(result.articles, args.target)
    stories = library_stories(folders, result)
    hits = related_to(index, article, args.limit, stories=stories)
    by_id = {a.id: a for a in result.articles}
    found = [(by_id[h], score) for h, score in hits if h in by_id]
    if args.format == "jsonl":
        commands.write_json(
            {
                "id": article.id,
                "hits": [{**_member_json(a), "score": score} for a, score in found],
            }
        )
        return 0
    width = commands.short_id_length(by_id)
    out = out_console()
    head = Text("Related to ", style="dim")
    head.append(article.title, style="bold")
    out.print(head)
    if not found:
        out.print(Text("  nothing related found", style="italic"))
        return 0
    table = Table(box=None, header_style="bold", pad_edge=False, expand=True)
    table.add_column("Score", justify="right", no_wrap=True, width=6)
    table.add_column("ID", no_wrap=True, min_width=width)
    table.add_column("Date", no_wrap=True, width=10)
    table.add_column("Source", no_wrap=True, max_width=16, overflow="ellipsis")
    table.add_column("Title", ratio=1, overflow="ellipsis", no_wrap=True)
    for a, score in found:
        date = a.published.strftime("%Y-%m-%d") if a.published else ""
        table.add_row(
            f"{score:.2f}", Text(clean_line(a.id[:width])), date, Text(a.source), Text(a.title)
        )
    out.print(table)
    return 0
