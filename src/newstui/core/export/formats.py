"""The one-file exports: JSON Lines, one readable HTML page, and OPML subscriptions.

Article text is untrusted: the HTML page escapes every field (``html.escape``), holds no
script and forbids any by its Content-Security-Policy (``default-src 'none'``), and loads
nothing from anywhere (its style is inline); links are plain ``https``/``http`` hrefs only.
JSON escapes the characters a terminal or a line-splitting reader could act on.
"""

from __future__ import annotations

import contextlib
import html
import json
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit
from xml.sax.saxutils import quoteattr

from newstui.core.article import Article
from newstui.core.export.markdown import front_matter

__all__ = ["article_record", "html_page", "jsonl_lines", "opml_document"]

# Characters written as \uXXXX in JSON (C1, line/paragraph separators, bidi controls,
# lone surrogates).
_UNSAFE = [*range(0x7F, 0xA0), 0x061C, 0x200E, 0x200F, 0x2028, 0x2029]
_UNSAFE += [*range(0x202A, 0x202F), *range(0x2066, 0x206A), *range(0xD800, 0xE000)]
_JSON_ESCAPES = {c: f"\\u{c:04x}" for c in _UNSAFE}


def article_record(article: Article) -> dict[str, Any]:
    record = front_matter(article)
    record["body"] = article.body
    record["format"] = article.format
    return record


def jsonl_lines(articles: Iterable[Article]) -> Iterator[str]:
    """One JSON object a line (with its newline) per article."""
    for a in articles:
        yield json.dumps(article_record(a), ensure_ascii=False).translate(_JSON_ESCAPES) + "\n"


_STYLE = """
body{font:16px/1.6 Georgia,serif;max-width:44em;margin:2em auto;padding:0 1em;color:#222}
article{border-bottom:1px solid #ccc;padding:1em 0}
h1{font-size:1.6em}h2{font-size:1.3em;margin-bottom:.2em}
.meta{color:#666;font-size:.9em}nav li{margin:.2em 0}
@media (prefers-color-scheme:dark){body{background:#111;color:#ddd}.meta{color:#999}}
"""
_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'none'"


def _href(url: str) -> str | None:
    try:
        scheme = urlsplit(url).scheme.lower()
    except ValueError:
        return None
    return url if scheme in ("http", "https") else None


def html_page(articles: Iterable[Article], title: str = "newstui export") -> Iterator[str]:
    """A self-contained, readable HTML page of ``articles`` (a table of contents, then
    each article), in pieces to write one after the other."""
    items = list(articles)
    esc = html.escape
    yield (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{esc(title)}</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n"
        f"<h1>{esc(title)}</h1>\n"
        f'<p class="meta">{len(items):,} article{"s" if len(items) != 1 else ""}, exported '
        f"{esc(datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC'))}</p>\n<nav><ol>\n"
    )
    for n, a in enumerate(items):
        yield f'<li><a href="#a{n}">{esc(a.title)}</a></li>\n'
    yield "</ol></nav>\n"
    for n, a in enumerate(items):
        meta = " · ".join(
            esc(x)
            for x in (a.source, a.author, a.published.strftime("%Y-%m-%d") if a.published else "")
            if x
        )
        parts = [f'<article id="a{n}">\n<h2>{esc(a.title)}</h2>\n']
        if meta:
            parts.append(f'<p class="meta">{meta}</p>\n')
        href = _href(a.url)
        if href:
            parts.append(
                f'<p class="meta"><a href="{esc(href)}" rel="noopener noreferrer">'
                f"{esc(a.url)}</a></p>\n"
            )
        for para in a.body.split("\n\n"):
            if para.strip():
                parts.append("<p>" + "<br>\n".join(esc(x) for x in para.split("\n")) + "</p>\n")
        parts.append("</article>\n")
        yield "".join(parts)
    yield "</body>\n</html>\n"


def opml_document(feeds: Iterable[str], title: str = "newstui subscriptions") -> str:
    """OPML 2.0 listing ``feeds`` (URLs; a local file is kept as its path)."""
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<opml version="2.0">',
        f"  <head><title>{html.escape(title)}</title></head>",
        "  <body>",
    ]
    for feed in feeds:
        host = ""
        with contextlib.suppress(ValueError):
            host = urlsplit(feed).hostname or ""
        text = host or feed
        lines.append(
            f'    <outline type="rss" text={quoteattr(text)} title={quoteattr(text)} '
            f"xmlUrl={quoteattr(feed)}/>"
        )
    lines += ["  </body>", "</opml>", ""]
    return "\n".join(lines)
