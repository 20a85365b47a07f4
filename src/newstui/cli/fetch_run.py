"""The work of ``newstui fetch`` (imported only when the command runs)."""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from types import FrameType

from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table
from rich.text import Text

from newstui.cli.common import CliError, err_console, out_console, resolve_articles_dir
from newstui.core.fetch import (
    FeedProgress,
    FetchError,
    FetchReport,
    HttpOptions,
    fetch_feeds,
    sources_from_settings,
    workers_running,
)
from newstui.core.fetch.fulltext import fetch_full_text_feeds
from newstui.core.fetch.http import DEFAULT_TIMEOUT
from newstui.core.fetch.text import clean_line

MAX_NOTES_PER_FEED = 5


def run(args: argparse.Namespace) -> int:
    settings = _settings(args.config)
    sources = list(args.sources) or (sources_from_settings(settings) if settings else [])
    if not sources:
        raise CliError(
            "no feeds to fetch: give URL_OR_FILE, or list feeds in the settings "
            "(feeds = [...] or opml = PATH in config.toml)",
            2,
        )
    dest = _dest_dir(args.dir)
    opts = http_options(args, settings)
    signals: list[int] = []
    with _sigterm_as_interrupt(signals):
        try:
            full_text = args.full_text or fetch_full_text_feeds(settings, sources)
            images = args.images and getattr(settings, "images", True)
            report = _run_with_progress(sources, dest, full_text, args.jobs, opts, images)
        except FetchError as exc:
            raise CliError(str(exc), 1) from None
        except KeyboardInterrupt:
            # ctrl+c: 130; kill (SIGTERM): 143, as a shell reports them. Every file written
            # so far is complete; nothing half-written is visible.
            terminated = bool(signals) and signals[0] == signal.SIGTERM
            message = "terminated" if terminated else "interrupted"
            code = 128 + (signal.SIGTERM if terminated else signal.SIGINT)
            if workers_running():
                # A worker still waits on a slow server (or parses a feed): do not wait for
                # it at exit.
                err_console().print(f"newstui: {message}", markup=False, highlight=False)
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(code)
            raise CliError(message, code) from None
    _print_summary(report)
    return 0 if report.ok else 1


def _dest_dir(arg: str | None) -> Path:
    if arg:
        path = Path(arg).expanduser()
        if path.exists() and not path.is_dir():
            raise CliError(f"--dir: not a folder: {path}", 2)
        if not path.exists():
            try:
                path.mkdir(parents=True)
            except OSError as exc:
                raise CliError(f"--dir: cannot create {path}: {exc.strerror or exc}", 1) from None
        return path
    return resolve_articles_dir(None)


def http_options(args: argparse.Namespace, settings: object | None) -> HttpOptions:
    """The request limits: ``--timeout``, else the ``fetch_timeout`` setting, else 30 s."""
    timeout = args.timeout
    if timeout is None:
        timeout = getattr(settings, "fetch_timeout", None) or DEFAULT_TIMEOUT
    return HttpOptions(timeout=float(timeout), retries=args.retries)


def _settings(config: str | None) -> object | None:
    from newstui.core.settings import SettingsError, load_settings

    try:
        settings, warnings = load_settings(
            Path(config) if config else None, must_exist=bool(config)
        )
    except SettingsError as exc:
        raise CliError(str(exc), 2) from None
    for warning in warnings:
        err_console().print(f"newstui: {warning}", markup=False, highlight=False)
    return settings


@contextlib.contextmanager
def _sigterm_as_interrupt(received: list[int]) -> Iterator[None]:
    """Let ``kill`` stop a fetch as cleanly as ctrl+c (no partial files); the signals
    received are appended to ``received``."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: FrameType | None) -> None:
        received.append(signum)
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _run_with_progress(
    sources: list[str],
    dest: Path,
    full_text: bool | frozenset[str],
    jobs: int,
    opts: HttpOptions,
    images: bool = False,
) -> FetchReport:
    console = err_console()
    progress = Progress(
        SpinnerColumn(),
        TextColumn("{task.description}", markup=False),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    )
    overall = progress.add_task("Fetching feeds", total=None)
    rows: dict[int, TaskID] = {}

    def on_event(ev: FeedProgress) -> None:
        progress.update(overall, total=ev.total)
        label = _short(clean_line(ev.title or ev.feed), 48)
        if ev.stage in ("done", "failed", "cancelled"):
            row = rows.pop(ev.index, None)
            if row is not None:
                progress.remove_task(row)
            progress.advance(overall)
            return
        if ev.stage == "expanded":  # an OPML list: its feeds are queued instead
            row = rows.pop(ev.index, None)
            if row is not None:
                progress.remove_task(row)
            return
        if ev.stage == "queued":
            return
        row = rows.get(ev.index)
        if row is None:
            row = rows[ev.index] = progress.add_task(label, total=None)
        progress.update(
            row,
            description=f"{label} ({ev.stage})" if ev.stage != "writing" else label,
            completed=ev.entries_done,
            total=ev.entries_total or None,
        )

    with progress:
        return fetch_feeds(
            sources,
            dest,
            full_text=full_text,
            images=images,
            jobs=jobs,
            progress=on_event,
            http=opts,
        )


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _print_summary(report: FetchReport) -> None:
    table = Table(header_style="bold", box=None, pad_edge=False)
    table.add_column("Feed", overflow="fold", ratio=2)
    table.add_column("New", justify="right", no_wrap=True)
    table.add_column("Updated", justify="right", no_wrap=True)
    table.add_column("Errors", justify="right", no_wrap=True)
    table.add_column("Status", overflow="fold", ratio=3)
    for feed in report.feeds:
        if feed.error:
            status = Text(clean_line(feed.error), style="red")
        elif feed.not_modified:
            status = Text("not modified", style="dim")
        else:
            status = Text("ok", style="green")
        table.add_row(
            Text(clean_line(feed.label)),
            str(feed.new),
            str(feed.updated),
            str(feed.errors),
            status,
        )
    out = out_console()
    out.print(table)
    err = err_console()
    for feed in report.feeds:
        for note in feed.notes[:MAX_NOTES_PER_FEED]:
            err.print(
                Text(f"newstui: {clean_line(feed.label)}: {clean_line(note)}", style="yellow")
            )
        if len(feed.notes) > MAX_NOTES_PER_FEED:
            more = len(feed.notes) - MAX_NOTES_PER_FEED
            err.print(Text(f"newstui: {clean_line(feed.label)}: ... and {more} more notes"))
    failed = len(report.failed)
    summary = Text(
        f"{report.new} new, {report.updated} updated in {report.dest}"
        + (f"; {failed} of {len(report.feeds)} feeds failed" if failed else "")
    )
    out.print(summary)
