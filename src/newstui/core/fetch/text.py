"""Feed text to article text: HTML to Markdown or plain text, tidied. Cleaning (control
characters, escape sequences) is :mod:`newstui.core.text`'s, the one cleaner.

Entry HTML is bounded before any tree is built: at most ``MAX_ENTRY_HTML`` characters are
converted (the rest is cut, and the body says ``[truncated]``), and HTML nested deeper than
the HTML loader's limit is refused (``EntryRejected``) - lexbor is quadratic in depth and
markdownify recursive. Titles and other one-line fields too deep for a tree lose their tags
by a linear scan instead. The regular expressions here are single character classes or
runs: linear whatever the text.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urljoin, urlsplit

from markdownify import MarkdownConverter
from selectolax.lexbor import LexborHTMLParser

from newstui.core.fetch.guard import MAX_ENTRY_HTML, MAX_TEXT_HTML, strip_tags
from newstui.core.text import clean_line, clean_text

__all__ = [
    "TRUNCATED",
    "EntryRejected",
    "clean_line",
    "html_to_markdown",
    "html_to_plain",
    "html_to_text",
    "text_to_markdown",
    "tidy_markdown",
]

TRUNCATED = "[truncated]"


class EntryRejected(ValueError):
    """An entry's HTML newstui will not convert; ``str()`` says why (one line)."""


def _too_deep(html: str) -> int:
    """The nesting limit when ``html`` nests deeper than the HTML loader allows, else 0."""
    from newstui.core.loaders.htmlpage import MAX_DEPTH, nesting_depth

    return MAX_DEPTH if nesting_depth(html) > MAX_DEPTH else 0


_BLANK_LINES = re.compile(r"\n{3,}")
_DROP_TAGS = [
    "script", "style", "noscript", "iframe", "object", "embed", "form", "button", "input",
    "select", "textarea", "svg", "canvas", "template", "head", "link", "meta",
]  # fmt: skip


_LINK_SCHEMES = frozenset({"http", "https", "mailto"})


def html_to_text(fragment: str) -> str:
    """One line of plain text from an HTML fragment (tags dropped, entities decoded)."""
    if "<" not in fragment and "&" not in fragment:
        return clean_line(fragment)
    if len(fragment) > MAX_TEXT_HTML or _too_deep(fragment):
        return clean_line(strip_tags(fragment))[:MAX_TEXT_HTML]
    tree = LexborHTMLParser(f"<body>{fragment}</body>")
    tree.strip_tags(_DROP_TAGS)
    body = tree.body
    text = body.text(deep=True) if body is not None else fragment
    return clean_line(text if isinstance(text, str) else "")


class _Converter(MarkdownConverter):
    """markdownify with images reduced to their alt text (images are not downloaded) and
    links resolved against ``base_url``; links to other schemes (``javascript:``,
    ``data:``, ``file:``) keep their text only."""

    def __init__(self, *, base_url: str = "", **options: Any) -> None:
        super().__init__(**options)
        self._base_url = base_url

    def convert_a(self, el: Any, text: str, parent_tags: Any = None) -> str:
        href = str(el.get("href") or "").strip()
        base = self._base_url
        if href:
            if base:
                href = urljoin(base, href)
            scheme = urlsplit(href).scheme.lower()
            if scheme and scheme not in _LINK_SCHEMES:
                href = ""
            href = href.replace(" ", "%20").replace("(", "%28").replace(")", "%29")
            href = clean_text(href, keep_newlines=False)
        if href:
            el["href"] = href
        elif el.get("href") is not None:
            del el["href"]
        return str(getattr(super(), "convert_a")(el, text, parent_tags))  # noqa: B009 - untyped

    def convert_img(self, el: object, text: str, parent_tags: object = None) -> str:
        alt = getattr(el, "attrs", {}).get("alt", "") if hasattr(el, "attrs") else ""
        alt = clean_line(alt)
        return f"[image: {alt}]" if alt else ""


_OPTIONS: dict[str, Any] = {"heading_style": "ATX", "bullets": "-", "escape_misc": False}


def html_to_markdown(html: str, *, base: str = "") -> str:
    """Readable Markdown from an HTML fragment: scripts, styles, forms and images dropped."""
    if not html or not html.strip():
        return ""
    truncated = len(html) > MAX_ENTRY_HTML
    html = html[:MAX_ENTRY_HTML]
    if "<" not in html:
        text = tidy_markdown(_unescape_plain(html))
        return f"{text}\n\n{TRUNCATED}" if truncated else text
    limit = _too_deep(html)
    if limit:
        raise EntryRejected(f"its HTML is nested more than {limit} levels deep")
    tree = LexborHTMLParser(html)
    tree.strip_tags(_DROP_TAGS)
    body = tree.body
    cleaned = body.inner_html if body is not None else ""
    if not isinstance(cleaned, str):
        cleaned = ""
    converter = _Converter(**_OPTIONS, base_url=base)
    try:
        text = tidy_markdown(converter.convert(cleaned))
    except RecursionError:
        raise EntryRejected("its HTML is nested too deeply to convert") from None
    return f"{text}\n\n{TRUNCATED}" if truncated else text


def html_to_plain(html: str) -> str:
    """Paragraphs of plain text from an HTML fragment: the fast way (one lexbor pass, no
    Markdown), for when converting a feed's entries has used up its time."""
    truncated = len(html) > MAX_ENTRY_HTML
    html = html[:MAX_ENTRY_HTML]
    limit = _too_deep(html)
    if limit:
        raise EntryRejected(f"its HTML is nested more than {limit} levels deep")
    from newstui.core.loaders.htmlpage import html_to_text as visible_text

    text = tidy_markdown(visible_text(html))
    return f"{text}\n\n{TRUNCATED}" if truncated else text


def _unescape_plain(text: str) -> str:
    import html as html_mod

    return html_mod.unescape(text)


def text_to_markdown(text: str) -> str:
    """Plain text kept as paragraphs; Markdown-significant characters left as they are."""
    return tidy_markdown(text or "")


def tidy_markdown(text: str) -> str:
    text = clean_text(text)
    text = "\n".join(line.rstrip(" \t") for line in text.split("\n"))
    text = _BLANK_LINES.sub("\n\n", text)
    return text.strip()
