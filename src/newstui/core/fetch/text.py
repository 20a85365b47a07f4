"""Clean untrusted text: strip control characters, convert HTML to Markdown."""

from __future__ import annotations

import re
import unicodedata
from typing import Any
from urllib.parse import urljoin, urlsplit

from markdownify import MarkdownConverter
from selectolax.lexbor import LexborHTMLParser

# C0 and C1 controls except tab and newline, DEL, and bidi overrides/isolates that can
# reorder what the terminal shows.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_SPACES = re.compile(r"\s+")
_BLANK_LINES = re.compile(r"\n{3,}")
_TRAILING = re.compile(r"[ \t]+\n")
_DROP_TAGS = [
    "script", "style", "noscript", "iframe", "object", "embed", "form", "button", "input",
    "select", "textarea", "svg", "canvas", "template", "head", "link", "meta",
]  # fmt: skip


def strip_controls(text: str) -> str:
    """Remove control characters (escape sequences included) but keep newlines and tabs."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", text)


def clean_line(text: str) -> str:
    """One line of plain text: no controls, whitespace collapsed, NFC."""
    text = unicodedata.normalize("NFC", _CONTROL.sub(" ", text))
    return _SPACES.sub(" ", text).strip()


_LINK_SCHEMES = frozenset({"http", "https", "mailto"})


def html_to_text(fragment: str) -> str:
    """One line of plain text from an HTML fragment (tags dropped, entities decoded)."""
    if "<" not in fragment and "&" not in fragment:
        return clean_line(fragment)
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
            href = _CONTROL.sub("", href)
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
    if "<" not in html:
        return tidy_markdown(_unescape_plain(html))
    tree = LexborHTMLParser(html)
    tree.strip_tags(_DROP_TAGS)
    body = tree.body
    cleaned = body.inner_html if body is not None else ""
    if not isinstance(cleaned, str):
        cleaned = ""
    converter = _Converter(**_OPTIONS, base_url=base)
    return tidy_markdown(converter.convert(cleaned))


def _unescape_plain(text: str) -> str:
    import html as html_mod

    return html_mod.unescape(text)


def text_to_markdown(text: str) -> str:
    """Plain text kept as paragraphs; Markdown-significant characters left as they are."""
    return tidy_markdown(text or "")


def tidy_markdown(text: str) -> str:
    text = strip_controls(text)
    text = _TRAILING.sub("\n", text)
    text = _BLANK_LINES.sub("\n\n", text)
    return text.strip()
