"""RSS and Atom feeds (``.rss``, ``.atom``, ``.xml`` that is a feed): each entry an article.

Parsed with feedparser; the HTML in entries becomes plain text (scripts and styles
dropped). Before feedparser sees a byte, the prolog is checked: a DOCTYPE that declares
entities is refused, so no entity is ever expanded (billion laughs) or resolved (external
entities pointing at local files or URLs). The cost of a file is bounded too: at most
``MAX_FILE_ENTRIES`` entries are read, tags with absurdly many attributes are emptied (both
reported as problems), an entry's HTML is cut at ``MAX_ENTRY_HTML`` characters and an entry
nested deeper than the HTML loader's limit is skipped with its reason, its siblings kept.
"""

from __future__ import annotations

import io
import re
from typing import Any

import feedparser

from newstui.core.fetch.guard import (
    MAX_ENTRY_HTML,
    MAX_TEXT_HTML,
    cap_entries,
    drop_attribute_floods,
    strip_tags,
)
from newstui.core.loaders._common import Builder, LoadError, LoadOutcome, as_text
from newstui.core.loaders.htmlpage import MAX_DEPTH, html_to_text, nesting_depth

MAX_FILE_ENTRIES = 2000  # entries read from one feed file (feedparser: ~0.2 ms each)
MAX_FILE_PARSE_BYTES = 2 * 1024 * 1024  # of entries (feedparser: up to 2 s a MB)


class _EntryTooDeep(Exception):
    pass


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


def _entry_body(entry: Any) -> tuple[str, bool, bool]:
    """The entry's text, whether its HTML was cut at ``MAX_ENTRY_HTML``, and whether it was
    plain text (no tag at all)."""
    contents = entry.get("content") or []
    best = ""
    for c in contents:
        value = c.get("value") or ""
        if len(value) > len(best):
            best = value
    if not best:
        best = entry.get("summary") or entry.get("description") or ""
    html = str(best)
    cut = len(html) > MAX_ENTRY_HTML
    html = html[:MAX_ENTRY_HTML]
    if nesting_depth(html) > MAX_DEPTH:
        raise _EntryTooDeep(f"its HTML is nested more than {MAX_DEPTH} levels deep; not read")
    return html_to_text(html), cut, "<" not in html


def _line_text(fragment: str) -> str:
    """A title's text: tags dropped; a title too deep for a tree loses them by a scan."""
    if len(fragment) > MAX_TEXT_HTML or nesting_depth(fragment) > MAX_DEPTH:
        return strip_tags(fragment)[:MAX_TEXT_HTML]
    return html_to_text(fragment)


def _feed_date(entry: Any) -> object:
    for key in ("published", "updated", "created", "pubDate", "date"):
        value = entry.get(key)
        if value:
            return value
    return None


def parse_feed(b: Builder, data: bytes) -> LoadOutcome:
    """Every entry of the feed in ``data`` as an article of ``b``."""
    check_prolog(data)
    data, flooded = drop_attribute_floods(data)
    data, cuts = cap_entries(data, MAX_FILE_ENTRIES, MAX_FILE_PARSE_BYTES)
    for cut in flooded + cuts:
        b.problem(cut, "degraded")
    # Always a stream: given bytes or str, feedparser first tries them as a *file name*
    # (and a str as a URL), so content like b"/etc/passwd" would be opened and read.
    # No sanitising by feedparser (it re-parses every entry's HTML in pure Python, minutes
    # for 200k tags): entries become plain text here, scripts and styles dropped.
    parsed: Any = feedparser.parse(
        io.BytesIO(data), sanitize_html=False, resolve_relative_uris=False, response_headers={}
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
        try:
            _add_entry(b, i, entry, feed_title, feed_author)
        except _EntryTooDeep as exc:
            b.problem(str(exc), "skipped", i)
        except RecursionError:
            b.problem("nested too deeply to read", "skipped", i)
        except Exception as exc:  # one bad entry never costs its siblings
            b.problem(f"could not be read ({type(exc).__name__}: {exc})"[:200], "skipped", i)
    return b.outcome


def _add_entry(b: Builder, i: int, entry: Any, feed_title: str, feed_author: str) -> None:
    tags = [t.get("term") or t.get("label") or "" for t in entry.get("tags") or []]
    author_detail: Any = entry.get("author_detail") or {}
    author = (
        author_detail.get("name")
        or entry.get("author")
        or as_text(entry.get("authors"))
        or feed_author
    )
    title = _line_text(as_text(entry.get("title", "")))
    link = as_text(entry.get("link", ""))
    if link and not link.startswith(("http://", "https://")):
        link = ""
    body, cut, plain = _entry_body(entry)
    b.add(
        title=title,
        body=body,
        entry=i,
        author=author,
        source=feed_title,
        date=_feed_date(entry),
        url=link,
        tags=tags,
        truncated=True if cut else None,
        reflow=plain,  # a plain-text entry may be hard-wrapped; HTML has its own blocks
    )
