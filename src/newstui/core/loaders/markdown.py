"""Markdown articles (``.md``, ``.markdown``): YAML front matter, else the first ``# heading``.

The body keeps its Markdown for the reader to render. Front matter is parsed with
python-frontmatter using PyYAML's *safe* loader only: ``!!python/object`` and friends are
refused, never constructed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import yaml
from frontmatter.default_handlers import YAMLHandler

from newstui.core.loaders._common import Builder, LoadOutcome

_SafeLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
MAX_FRONT_MATTER = 64 * 1024
_FM_START = re.compile(r"\A(?:\ufeff)?---[ \t]*\r?\n")
_FM_END = re.compile(r"^(?:---|\.\.\.)[ \t]*\r?$", re.M)
_SETEXT = re.compile(r"\A\s*([^\n]{1,200})\n=+[ \t]*(?:\n|\Z)")


class _SafeYAML(YAMLHandler):
    def load(self, fm: str, **kwargs: object) -> Any:
        return yaml.load(fm, Loader=_SafeLoader)  # CSafeLoader/SafeLoader only


def _first(meta: Mapping[str, Any], *keys: str) -> Any:
    for key in keys:
        if key in meta and meta[key] not in (None, ""):
            return meta[key]
    return None


def split_front_matter(b: Builder, text: str) -> tuple[dict[str, Any], str]:
    """Front matter (a mapping, else ``{}`` with a degraded Problem) and the content."""
    if not _FM_START.match(text):
        return {}, text
    end = _FM_END.search(text, _FM_START.match(text).end())  # type: ignore[union-attr]
    if end is None:
        return {}, text
    if end.start() > MAX_FRONT_MATTER:
        b.problem("front matter larger than 64 KB; ignored", "degraded")
        return {}, text[end.end() :]
    handler = _SafeYAML()
    try:
        fm, content = handler.split(text)
        meta: object = handler.load(fm)
    except yaml.YAMLError as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        b.problem(f"front matter is not safe, valid YAML ({reason}); ignored", "degraded")
        return {}, text[end.end() :]
    except (ValueError, TypeError, RecursionError) as exc:
        b.problem(f"front matter could not be read ({type(exc).__name__}); ignored", "degraded")
        return {}, text[end.end() :]
    if meta is None:
        return {}, content
    if not isinstance(meta, dict):
        b.problem("front matter is not a mapping; ignored", "degraded")
        return {}, content
    return {str(k).lower(): v for k, v in meta.items()}, content


def _first_h1(content: str, limit: int) -> tuple[str, int, int] | None:
    """The first ATX level-1 heading (``# Title``, up to 3 spaces before the ``#``, closing
    ``#``s dropped) within ``limit`` characters: its text, and where its line starts and
    ends. A line scanner: the regex it replaces took quadratic time on ``# ####...x``."""
    n = min(len(content), limit)
    pos = 0
    while pos < n:
        end = content.find("\n", pos, n)
        if end < 0:
            end = n
        line = content[pos:end]
        stripped = line.lstrip(" ")
        if len(line) - len(stripped) <= 3 and stripped[:1] == "#" and stripped[1:2] in (" ", "\t"):
            text = stripped[1:].rstrip("\r").rstrip(" \t#").strip(" \t")
            if text:
                return text, pos, end
        pos = end + 1
    return None


def load_markdown(b: Builder, text: str) -> LoadOutcome:
    meta, content = split_front_matter(b, text)
    title = _first(meta, "title", "headline")
    title_s = title if isinstance(title, str | int | float) and not isinstance(title, bool) else ""
    body = content
    if not title_s:
        heading = _first_h1(content, 20_000)
        if heading is None:
            m = _SETEXT.match(content[:2000])
            if m is not None:
                heading = m.group(1), m.start(), m.end()
        if heading is not None:
            title_s, start, end = heading
            # The heading is the article's title: do not show it twice.
            if not content[:start].strip():
                body = content[end:]
    b.add(
        title=str(title_s),
        body=body,
        author=_first(meta, "author", "authors", "by") or "",
        source=_first(meta, "source", "publisher", "site") or "",
        date=_first(meta, "date", "published", "pubdate", "created"),
        url=_first(meta, "url", "link", "canonical") or "",
        tags=_first(meta, "tags", "keywords", "categories") or (),
    )
    return b.outcome
