"""Shared helpers for the UI tests (no tests here): deterministic article folders, and one way
to run the app, wait for it and read what it shows.

The app is driven only through its public surface: ``create_app``, Pilot, ``app.busy`` and the
widgets' public methods. The two Textual internals a test needs (the screen's text and the
notifications) are read here, in one place each.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from textual import events
from textual.app import App
from textual.message import Message
from textual.pilot import Pilot

from newstui.core import paths
from newstui.ui.app import NewsApp, create_app

#: The terminal size below 100 columns, where the list and the reader take turns.
NARROW = (80, 24)
#: A control character, escape or bidi override: none may reach the terminal.
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")

WORDS = [
    *[
        "market",
        "trade",
        "oil",
        "prices",
        "bank",
        "rates",
        "growth",
        "china",
        "exports",
        "wheat",
        "coffee",
        "dollar",
        "yen",
    ],
    *["stocks", "bonds", "inflation", "harvest", "tariff", "shipping", "copper"],
]


def write_article(
    folder: Path,
    name: str,
    title: str,
    body: str,
    *,
    date: str = "",
    source: str = "",
    url: str = "",
) -> Path:
    """A ``.txt`` article in newstui's header format (Title/Date/Source/URL, blank line, body)."""
    head = [f"Title: {title}"]
    if date:
        head.append(f"Date: {date}")
    if source:
        head.append(f"Source: {source}")
    if url:
        head.append(f"URL: {url}")
    path = folder / name
    path.write_text("\n".join(head) + "\n\n" + body + "\n", encoding="utf-8")
    return path


def _words(seed: int, count: int) -> list[str]:
    """``count`` of ``WORDS`` in an order of their own for each ``seed`` (a fixed linear
    congruential sequence): every article's text differs from every other's, as different
    stories do (the same words in the same rotation would make them versions of one story)."""
    x = seed * 2_654_435_761 % 2**32 + 12_345
    out = []
    for _ in range(count):
        x = (x * 1_103_515_245 + 12_345) % 2**31
        out.append(WORDS[(x >> 16) % len(WORDS)])
    return out


def fill_folder(folder: Path, count: int) -> None:
    """``count`` deterministic articles, each a story of its own: fixed dates, sources and
    words (no randomness)."""
    folder.mkdir(parents=True, exist_ok=True)
    sources = ("Reuters", "AP", "BBC News")
    for i in range(count):
        words = [WORDS[(i * 7 + k * 3) % len(WORDS)] for k in range(5)]
        title = f"{words[0].capitalize()} {' '.join(words[1:])} report {i}"
        paragraphs = [" ".join(_words(i * 4 + p, 40)) for p in range(4)]
        write_article(
            folder,
            f"a{i:04d}.txt",
            title,
            "\n\n".join(paragraphs),
            date=f"2024-03-{1 + i % 28:02d}T{8 + i % 10:02d}:00:00",
            source=sources[i % 3],
            url=f"https://news.example/{i}",
        )


def folder_with(tmp_path: Path, name: str, text: str) -> Path:
    """A new folder ``tmp_path/articles`` holding one article file, ``name``, with ``text``."""
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / name).write_text(text, encoding="utf-8")
    return folder


def write_settings(text: str) -> Path:
    """The settings file (``config.toml`` in the test's XDG config folder) with ``text``."""
    config = paths.config_dir() / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(text, encoding="utf-8")
    return config


def write_volcano(folder: Path) -> Path:
    """The article many tests and the snapshots search for ("volcano", "harbour")."""
    return write_article(
        folder,
        "volcano.txt",
        "Volcano erupts near the harbour",
        "The volcano erupted at dawn.\n\nAsh fell on the harbour; the volcano is quiet now.",
        date="2024-04-02T09:00:00",
        source="Geo Times",
        url="https://news.example/volcano",
    )


# --- running the app ---------------------------------------------------------------------------
async def settle(pilot: Pilot[Any]) -> None:
    """Wait until the app has finished loading, sorting and searching, and has repainted."""
    app = pilot.app
    for _ in range(200):
        await app.workers.wait_for_complete()
        await pilot.pause()
        if not getattr(app, "busy", False):
            await pilot.pause()
            return
    raise AssertionError("the app never settled")


async def wait_until(pilot: Pilot[Any], ready: Callable[[], bool], seconds: float = 30.0) -> bool:
    """Let the app run until ``ready()`` (checked every 20 ms) or ``seconds`` have passed; say
    which. For a state the app passes through while busy, where ``settle`` would overshoot."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while not ready():
        if loop.time() > deadline:
            return False
        await pilot.pause(0.02)
    return True


def fit_console(app: App[Any], size: tuple[int, int]) -> None:
    """Give the app's console the terminal's size, as a real terminal does: headless, Rich's
    console stays 80 columns whatever ``run_test``'s size, and what Textual renders through it
    (a RichLog's lines, the problems screen's reasons) was cut at 80 in a 120-column test."""
    app.console.size = size


@asynccontextmanager
async def open_app(
    app_or_folder: NewsApp | Path | Sequence[Path],
    config: Path | None = None,
    *,
    size: tuple[int, int] = (120, 40),
    wait: bool = True,
    message_hook: Callable[[Message], None] | None = None,
    use_cache: bool = True,
) -> AsyncIterator[tuple[NewsApp, Pilot[int]]]:
    """The app on a folder (or an app made by the test), run headless at ``size``, settled
    unless ``wait`` is false; its state store is closed on the way out, so the next run (a
    "restart") opens it afresh."""
    if isinstance(app_or_folder, NewsApp):
        app = app_or_folder
    else:
        app = create_app(app_or_folder, config, use_cache=use_cache)
    try:
        fit_console(app, size)
        async with app.run_test(size=size, message_hook=message_hook) as pilot:
            if wait:
                await settle(pilot)
            yield app, pilot
    finally:
        app.store.close()


# --- what the app shows -----------------------------------------------------------------------
def screen_text(app: App[Any]) -> str:
    """What the terminal shows now, as plain text lines."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def notifications(app: App[Any]) -> list[str]:
    """The notifications shown so far, each as "title message" (or just the message)."""
    return [" ".join(filter(None, (n.title, str(n.message)))) for n in app._notifications]


def status_text(app: NewsApp) -> str:
    """The status line's text."""
    return app.status.query_one("#status-text").text.plain  # type: ignore[attr-defined, no-any-return]


def titles(app: NewsApp) -> list[str]:
    """The titles in the article list, in order."""
    return [a.title for a in app.article_list.articles]


def row_text(app: NewsApp, row: int) -> str:
    """The text of row ``row`` of the article list as drawn (scrolled into view or not)."""
    return app.article_list.render_line(row - int(app.article_list.scroll_y)).text


# --- typing ----------------------------------------------------------------------------------
_KEY_NAMES = {"/": "slash", " ": "space", "[": "left_square_bracket", "]": "right_square_bracket"}


def burst(app: App[Any], *keys: str) -> None:
    """Keys arriving together, as from a fast typist, a paste or a busy app: all queued
    before the app handles the first (``pilot.press`` waits after each key)."""
    for key in keys:
        if len(key) == 1:
            app.post_message(events.Key(_KEY_NAMES.get(key, key), key))
        else:
            app.post_message(events.Key(key, None))
