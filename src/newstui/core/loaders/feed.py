"""RSS and Atom feeds (``.rss``, ``.atom``, ``.xml`` that is a feed): each entry an article.

Parsed with feedparser (HTML in entries sanitised, then turned into plain text). Before
feedparser sees a byte, the prolog is checked: a DOCTYPE that declares entities is refused,
so no entity is ever expanded (billion laughs) or resolved (external entities pointing at
local files or URLs).
"""

from __future__ import annotations

import io
import re
from typing import Any

import feedparser

from newstui.core.loaders._common import Builder, LoadError, LoadOutcome, as_text
from newstui.core.loaders.htmlpage import html_to_text

_FEED_ROOT = re.compile(rb"<(?:rss|feed|rdf:RDF|RDF)[\s>/]", re.I)
_DOCTYPE = re.compile(rb"<!DOCTYPE", re.I)
_ENTITY = re.compile(rb"<!ENTITY", re.I)
_FIRST_ELEMENT = re.compile(rb"<[A-Za-z_]")


def looks_like_feed(data: bytes) -> bool:
    """True when the first KB of ``data`` opens an RSS, Atom or RDF document."""
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        head = head.decode("utf-16", errors="ignore").encode("utf-8", errors="ignore")
    m = _FIRST_ELEMENT.search(head)
    return m is not None and _FEED_ROOT.match(head, m.start()) is not None


def check_prolog(data: bytes) -> None:
    """Refuse XML whose prolog declares entities (entity bombs, external entities)."""
    head = data[:65536]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        head = head.decode("utf-16", errors="ignore").encode("utf-8", errors="ignore")
    m = _FIRST_ELEMENT.search(head)
    prolog = head if m is None else head[: m.start()]
    if _DOCTYPE.search(prolog) and _ENTITY.search(prolog):
        raise LoadError(
            "XML declares entities in its DOCTYPE (possible entity bomb or external "
            "entity); refused"
        )
    if m is None and _ENTITY.search(head):
        raise LoadError("XML declares entities; refused")


def _entry_body(entry: Any) -> str:
    contents = entry.get("content") or []
    best = ""
    for c in contents:
        value = c.get("value") or ""
        if len(value) > len(best):
            best = value
    if not best:
        best = entry.get("summary") or entry.get("description") or ""
    return html_to_text(str(best))


def _feed_date(entry: Any) -> object:
    for key in ("published", "updated", "created", "pubDate", "date"):
        value = entry.get(key)
        if value:
            return value
    return None


def parse_feed(b: Builder, data: bytes) -> LoadOutcome:
    """Every entry of the feed in ``data`` as an article of ``b``."""
    check_prolog(data)
    # Always a stream: given bytes or str, feedparser first tries them as a *file name*
    # (and a str as a URL), so content like b"/etc/passwd" would be opened and read.
    parsed: Any = feedparser.parse(
        io.BytesIO(data), sanitize_html=True, resolve_relative_uris=False, response_headers={}
    )
    feed = parsed.get("feed", {})
    entries = parsed.get("entries") or []
    if not entries:
        exc = parsed.get("bozo_exception")
        detail = f": {str(exc).splitlines()[0][:120]}" if exc else ""
        raise LoadError(f"not a readable RSS/Atom feed, or a feed with no entries{detail}")
    feed_title = as_text(feed.get("title", ""))
    feed_author = as_text(feed.get("author", ""))
    for i, entry in enumerate(entries):
        tags = [t.get("term") or t.get("label") or "" for t in entry.get("tags") or []]
        author_detail: Any = entry.get("author_detail") or {}
        author = (
            author_detail.get("name")
            or entry.get("author")
            or as_text(entry.get("authors"))
            or feed_author
        )
        title = html_to_text(as_text(entry.get("title", "")))
        link = as_text(entry.get("link", ""))
        if link and not link.startswith(("http://", "https://")):
            link = ""
        b.add(
            title=title,
            body=_entry_body(entry),
            entry=i,
            author=author,
            source=feed_title,
            date=_feed_date(entry),
            url=link,
            tags=tags,
        )
    return b.outcome
