"""One article as a Markdown file with YAML front matter: the one writer behind
``newstui export --format md`` and the reader's ``w`` (save to the notes folder).

The front matter holds ``title``, ``author``, ``source``, ``published`` (ISO 8601), ``url``,
``tags`` and ``id``, written by ``yaml.safe_dump`` (any text is a quoted YAML string, never
YAML syntax); the body follows. A Markdown article keeps its Markdown; any other body is text,
so ``&`` and ``<`` are written as entities (a Markdown viewer shows the same characters, and
never takes text of an article for HTML). Every field went through the loaders' sanitiser.

File names suit Obsidian and every common file system: from the title, without path
separators, characters Windows or Obsidian reserve (``\\ / : * ? " < > | # ^ [ ]``) or control
characters, no leading dot, not a reserved device name (``CON``, ``NUL``, ``COM1`` ...), at most
:data:`MAX_NAME_BYTES` bytes of UTF-8 before ``.md``; two articles that would share a name get
their id's start added.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any, NamedTuple

import yaml

from newstui.core.article import Article
from newstui.core.export.files import FileExists, write_new
from newstui.core.text import clean_line

__all__ = [
    "MAX_NAME_BYTES",
    "SaveResult",
    "article_markdown",
    "front_matter",
    "markdown_names",
    "safe_name",
    "save_markdown",
]

MAX_NAME_BYTES = 120
_RESERVED_CHARS = frozenset('\\/:*?"<>|#^[]')
_DEVICE_NAMES = frozenset(
    {"con", "prn", "aux", "nul"} | {f"com{i}" for i in range(10)} | {f"lpt{i}" for i in range(10)}
)


def front_matter(article: Article) -> dict[str, Any]:
    return {
        "title": article.title,
        "author": article.author,
        "source": article.source,
        "published": article.published.isoformat() if article.published else None,
        "url": article.url,
        "tags": list(article.tags),
        "id": article.id,
    }


def _text_as_markdown(body: str) -> str:
    return body.replace("&", "&amp;").replace("<", "&lt;")


def article_markdown(article: Article) -> str:
    """The whole file: front matter, then the body."""
    meta = yaml.safe_dump(
        front_matter(article),
        allow_unicode=True,
        sort_keys=False,
        default_flow_style=False,
        width=1_000_000,
    )
    body = article.body if article.format == "markdown" else _text_as_markdown(article.body)
    return f"---\n{meta}---\n\n{body.rstrip()}\n"


def _cut_bytes(text: str, limit: int) -> str:
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    return data[:limit].decode("utf-8", "ignore").rstrip(" .-")


def safe_name(title: str, fallback: str) -> str:
    """A file name stem from ``title`` (see the module docstring); ``fallback`` (the id)
    when nothing usable is left."""
    line = clean_line(title)
    chars = [" " if ch in _RESERVED_CHARS or not ch.isprintable() else ch for ch in line]
    name = " ".join("".join(chars).split()).strip(" .")
    name = _cut_bytes(name, MAX_NAME_BYTES).strip(" .")
    if not name or name.split(".")[0].strip().casefold() in _DEVICE_NAMES:
        name = f"{name} {fallback}".strip() if name else fallback
    return name


def markdown_names(articles: Iterable[Article]) -> list[str]:
    """A unique ``.md`` file name per article (case-insensitively unique: two names that
    differ by case are one file on macOS and Windows)."""
    taken: set[str] = set()
    names: list[str] = []
    for a in articles:
        stem = safe_name(a.title, a.id)
        name = f"{stem}.md"
        if name.casefold() in taken:
            stem = f"{_cut_bytes(stem, MAX_NAME_BYTES - 17)} {a.id[:16]}"
            name = f"{stem}.md"
            n = 2
            while name.casefold() in taken:
                name = f"{stem} {n}.md"
                n += 1
        taken.add(name.casefold())
        names.append(name)
    return names


class SaveResult(NamedTuple):
    """Where the article is, and whether it was there already (same text: nothing written)."""

    path: Path
    already: bool


def save_markdown(article: Article, folder: Path) -> SaveResult:
    """Save ``article`` as Markdown in ``folder`` (created when missing), never replacing a
    file: when its name is taken by another text, the id's start is added to the name.
    Raises :class:`~newstui.core.export.files.ExportError` (one line naming the file)."""
    text = article_markdown(article)
    stem = safe_name(article.title, article.id)
    candidates = [f"{stem}.md", f"{_cut_bytes(stem, MAX_NAME_BYTES - 17)} {article.id[:16]}.md"]
    last: FileExists | None = None
    for name in candidates:
        path = folder / name
        try:
            write_new(path, text)
            return SaveResult(path, False)
        except FileExists as exc:
            last = exc
            if _same_text(path, text):
                return SaveResult(path, True)
    assert last is not None
    raise last


def _same_text(path: Path, text: str) -> bool:
    data = text.encode("utf-8")
    try:
        if not path.is_file() or path.stat().st_size != len(data):
            return False
        return path.read_bytes() == data
    except OSError:
        return False
