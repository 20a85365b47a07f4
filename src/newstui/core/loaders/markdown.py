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
_ATX = re.compile(r"^[ ]{0,3}#[ \t]+(.+?)[ \t#]*$", re.M)
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


def load_markdown(b: Builder, text: str) -> LoadOutcome:
    meta, content = split_front_matter(b, text)
    title = _first(meta, "title", "headline")
    title_s = title if isinstance(title, str | int | float) and not isinstance(title, bool) else ""
    body = content
    if not title_s:
        m = _ATX.search(content[:20_000])
        if m is None:
            m = _SETEXT.match(content[:2000])
        if m is not None:
            title_s = m.group(1)
            # The heading is the article's title: do not show it twice.
            if not content[: m.start()].strip():
                body = content[m.end() :]
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
