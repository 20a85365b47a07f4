"""Turn fetched bytes into feed entries: RSS 0.9x/1.0/2.0 and Atom (feedparser), JSON Feed
(by hand, it is JSON) and OPML subscription lists.

XML is first parsed by defusedxml, which refuses entity declarations (billion laughs,
quadratic blowup) and external references before feedparser ever sees the bytes. Before
that, linear scans (:mod:`newstui.core.fetch.guard`) keep the first ``MAX_ENTRIES``
entries and empty tags with absurdly many attributes, so feedparser's cost stays bounded;
each is reported in the feed's notes. One entry that cannot be read is skipped with its
reason; its siblings are kept. No regular expression here sees untrusted text in a way
that can backtrack.
"""

from __future__ import annotations

import calendar
import hashlib
import io
import json
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit
from xml.etree.ElementTree import Element, ParseError

import defusedxml
import defusedxml.ElementTree as SafeET
import feedparser

from newstui.core.fetch.guard import (
    MAX_ENTRIES,
    cap_entries,
    drop_attribute_floods,
    looks_like_html,
    strip_tags,
)
from newstui.core.fetch.text import (
    EntryRejected,
    clean_line,
    html_to_markdown,
    html_to_plain,
    html_to_text,
    text_to_markdown,
)
from newstui.core.loaders.jsonfile import loads as json_loads


class FeedFormatError(Exception):
    """The bytes are not a usable feed; ``str()`` is the reason to show the user."""


@dataclass(slots=True)
class Entry:
    """One feed entry, normalised. ``body`` is Markdown; ``key`` identifies the entry
    across runs (its id, else its link, else a digest of its text).

    HTML content is converted only when needed: until ``materialize()``, ``html`` holds it
    and ``body`` is empty, so entries already fetched cost no conversion on the next run.
    """

    key: str
    title: str
    body: str
    url: str = ""
    author: str = ""
    published: datetime | None = None
    tags: tuple[str, ...] = ()
    html: str = ""
    base: str = ""

    def materialize(self, *, plain: bool = False) -> Entry:
        """This entry with ``body`` converted from ``html`` (itself when already done): as
        Markdown, or with ``plain`` as plain paragraphs (much faster on dense markup)."""
        if not self.html:
            return self
        if plain:
            return replace(self, body=html_to_plain(self.html), html="")
        return replace(self, body=html_to_markdown(self.html, base=self.base), html="")

    def content_hash(self) -> str:
        h = hashlib.blake2b(digest_size=16)
        for part in (self.title, self.body, self.html, self.url, self.author, *self.tags):
            h.update(part.encode("utf-8", "surrogatepass"))
            h.update(b"\x00")
        return h.hexdigest()


@dataclass(slots=True)
class ParsedFeed:
    title: str
    link: str = ""
    entries: list[Entry] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Subscription:
    url: str
    title: str = ""


@dataclass(slots=True)
class OpmlList:
    title: str
    feeds: list[Subscription]


_ENTITY_DECL = re.compile(rb"<!ENTITY", re.I)
_FEED_ROOTS = {"rss", "feed", "rdf", "channel"}


def parse_document(data: bytes, *, url: str, content_type: str = "") -> ParsedFeed | OpmlList:
    """Parse a fetched document as a feed or an OPML list. Raise ``FeedFormatError``."""
    stripped = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not stripped:
        raise FeedFormatError("empty response: no feed in it")
    ctype = content_type.split(";")[0].strip().lower()
    if stripped[:1] in (b"{", b"["):
        return parse_json_feed(data, url=url)
    if looks_like_html(stripped[:4096]):
        raise FeedFormatError(_html_reason(data, url, ctype))
    if not stripped.startswith((b"<", b"\xff\xfe", b"\xfe\xff", b"\x00<")):
        kind = f" ({ctype})" if ctype else ""
        raise FeedFormatError(f"not a feed: the response{kind} is neither XML nor JSON")
    data, notes = drop_attribute_floods(data)
    data, cuts = cap_entries(data)
    notes.extend(cuts)
    root, recovered = _safe_xml_root(data)
    if root is not None:
        name = _local(root.tag)
        if name == "opml":
            return parse_opml_root(root, url=url)
        if name == "html":
            raise FeedFormatError(_html_reason(data, url, ctype))
        if name not in _FEED_ROOTS:
            raise FeedFormatError(f"not a feed: the XML document's root is <{name}>")
    try:
        feed = _parse_with_feedparser(data, url=url, content_type=content_type)
    except FeedFormatError as exc:
        if recovered and str(exc).startswith("malformed"):
            raise FeedFormatError(f"malformed XML: {recovered}") from None
        raise
    if recovered and not feed.entries:
        raise FeedFormatError(f"malformed XML: {recovered}")
    if recovered:
        feed.notes.insert(0, f"malformed XML ({recovered}); recovered {len(feed.entries)} entries")
    feed.notes[:0] = notes
    return feed


def _safe_xml_root(data: bytes) -> tuple[Element | None, str]:
    """The root element, or (None, parse-error text) for XML only a lenient parser reads.

    Raise ``FeedFormatError`` for entity declarations or external references (refused
    outright, never expanded), and for malformed XML that might hide them."""
    try:
        root = SafeET.fromstring(data, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except defusedxml.EntitiesForbidden:
        raise FeedFormatError(
            "refused: the XML declares entities (possible entity-expansion bomb)"
        ) from None
    except (defusedxml.ExternalReferenceForbidden, defusedxml.DTDForbidden):
        raise FeedFormatError("refused: the XML refers to external entities") from None
    except defusedxml.DefusedXmlException as exc:
        raise FeedFormatError(f"refused: unsafe XML ({exc})") from None
    except ParseError as exc:
        if _ENTITY_DECL.search(data):
            raise FeedFormatError(
                "refused: malformed XML that declares entities (possible entity-expansion bomb)"
            ) from None
        return None, _parse_error_text(exc)
    except (ValueError, LookupError) as exc:  # unknown encodings and the like
        return None, str(exc)
    return root, ""


def _parse_error_text(exc: ParseError) -> str:
    line, col = getattr(exc, "position", (0, 0))
    msg = str(exc).split(":")[0]
    return f"{msg} at line {line}, column {col + 1}" if line else msg


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1].lower()


def _html_reason(data: bytes, url: str, ctype: str) -> str:
    reason = "not a feed: got an HTML page" + (f" ({ctype})" if ctype else "")
    alt = _discover_feed_link(data, url)
    if alt:
        reason += f"; the page links to a feed at {alt}"
    return reason


_FEED_TYPES = {"application/rss+xml", "application/atom+xml", "application/feed+json"}
_ATTR_NAME = frozenset(b"abcdefghijklmnopqrstuvwxyz-")
_SPACE = frozenset(b" \t\r\n\f\v")


def _discover_feed_link(data: bytes, base: str) -> str:
    """The feed an HTML page advertises (``<link rel=alternate type=...rss+xml>``)."""
    low = data[:200_000].lower()
    pos = 0
    while True:
        pos = low.find(b"<link", pos)
        if pos < 0:
            return ""
        end = low.find(b">", pos)
        if end < 0:
            return ""  # no tag closes after this one either
        if low[pos + 5 : pos + 6] not in (b" ", b"\t", b"\r", b"\n", b"/"):
            pos += 5
            continue
        attrs = _tag_attributes(data[pos + 5 : end])
        pos = end + 1
        if "alternate" in attrs.get("rel", "").lower().split() and (
            attrs.get("type", "").lower() in _FEED_TYPES
        ):
            href = attrs.get("href", "").strip()
            if href:
                return clean_line(urljoin(base, href)) if base.startswith("http") else href


def _tag_attributes(tag: bytes) -> dict[str, str]:
    """``name=value`` pairs of one tag's inside (a linear scan; first of a name wins)."""
    attrs: dict[str, str] = {}
    low = tag.lower()
    i, n = 0, len(tag)
    while i < n:
        while i < n and low[i] not in _ATTR_NAME:
            i += 1
        start = i
        while i < n and low[i] in _ATTR_NAME:
            i += 1
        name = low[start:i].decode("ascii")
        j = i
        while j < n and tag[j] in _SPACE:
            j += 1
        if not name or j >= n or tag[j : j + 1] != b"=":
            continue
        j += 1
        while j < n and tag[j] in _SPACE:
            j += 1
        quote = tag[j : j + 1]
        if quote in (b'"', b"'"):
            close = tag.find(quote, j + 1)
            close = n if close < 0 else close
            value, i = tag[j + 1 : close], close + 1
        else:
            k = j
            while k < n and tag[k] not in _SPACE:
                k += 1
            value, i = tag[j:k], k
        attrs.setdefault(name, value.decode("utf-8", "replace"))
    return attrs


# --- RSS / Atom -------------------------------------------------------------------------


def _parse_with_feedparser(data: bytes, *, url: str, content_type: str) -> ParsedFeed:
    headers = {"content-location": url} if url.startswith(("http://", "https://")) else {}
    if content_type:
        headers["content-type"] = content_type
    # Always a stream: given bytes, feedparser first tries them as a *file name*, so a body
    # of b"/dev/zero" (or a FIFO's path) would be opened and read without end.
    # No sanitising or URI resolving by feedparser: both re-parse every entry's HTML in pure
    # Python (200k tags: minutes). The HTML becomes Markdown here, where scripts, styles and
    # forms are dropped and links resolved (text.html_to_markdown).
    parsed: Any = feedparser.parse(
        io.BytesIO(data),
        response_headers=headers,
        sanitize_html=False,
        resolve_relative_uris=False,
    )
    version = parsed.get("version", "")
    entries_raw = parsed.get("entries", [])
    if parsed.get("bozo") and not entries_raw:
        exc = parsed.get("bozo_exception")
        detail = _bozo_text(exc)
        if not version:
            raise FeedFormatError(f"malformed XML: {detail}" if detail else "not a feed")
        raise FeedFormatError(f"malformed feed: {detail}")
    if not version and not entries_raw:
        raise FeedFormatError("not a feed: no RSS, Atom or JSON Feed content found")
    fmeta = parsed.get("feed", {})
    title = _fp_text(fmeta, "title") or _host_title(url)
    feed = ParsedFeed(title=title, link=str(fmeta.get("link", "")))
    base = feed.link or url
    _add_entries(feed, "entry", entries_raw, lambda raw, n: _feedparser_entry(raw, n, base=base))
    return feed


def _add_entries(
    feed: ParsedFeed, noun: str, items: Iterable[Any], make: Callable[[Any, int], Entry | None]
) -> None:
    """``make`` each item into an entry of ``feed``; one bad item never fails its feed: it is
    skipped with a note saying which (``"entry 3 skipped: …"``) and why."""
    for n, item in enumerate(items):
        try:
            entry = make(item, n)
        except (Exception, RecursionError) as exc:
            feed.notes.append(f"{noun} {n + 1} skipped: {entry_problem(exc)}")
            continue
        if entry is None:
            feed.notes.append(f"{noun} {n + 1} skipped: no title, link or text")
        else:
            feed.entries.append(entry)


def _bozo_text(exc: object) -> str:
    if exc is None:
        return ""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return clean_line(text)


def _struct_to_dt(value: Any) -> datetime | None:
    if not isinstance(value, time.struct_time):
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(value), tz=UTC)
    except (OverflowError, ValueError, OSError):
        return None


def _fp_text(obj: Any, key: str) -> str:
    """A feedparser text field as plain text: feedparser keeps HTML-typed titles (and every
    RSS title) as escaped HTML, so "Q&amp;A <i>x</i>" must become "Q&A x"."""
    value = obj.get(key, "")
    if not isinstance(value, str):
        return ""
    detail = obj.get(f"{key}_detail") or {}
    if "html" in str(detail.get("type", "")):
        return html_to_text(value)
    return clean_line(value)


def _feedparser_entry(raw: Any, n: int, *, base: str) -> Entry | None:
    title = _fp_text(raw, "title")
    link = _safe_url(raw.get("link", ""), base)
    html = ""
    is_html = True
    html_base = ""  # relative links in the HTML resolve against its xml:base / the feed's URL
    for content in raw.get("content", []) or []:
        value = content.get("value", "")
        if value and len(value) > len(html):
            html = value
            is_html = "html" in content.get("type", "text/html")
            html_base = str(content.get("base") or "")
    if not html:
        html = raw.get("summary", "") or ""
        detail = raw.get("summary_detail") or {}
        is_html = "html" in detail.get("type", "text/html")
        html_base = str(detail.get("base") or "")
    if not html_base.startswith(("http://", "https://")):
        html_base = link or base
    lazy = is_html and bool(html.strip())  # converted only if written, within a budget
    if lazy:
        body = ""
    else:
        body = html_to_markdown(html, base=html_base) if is_html else text_to_markdown(html)
    author = html_to_text(raw.get("author", "") or "")
    tags = _tags(t.get("label") or t.get("term") for t in raw.get("tags", []) or [])
    published = _struct_to_dt(raw.get("published_parsed")) or _struct_to_dt(
        raw.get("updated_parsed")
    )
    if not (title or link or body or (lazy and _text_head(html).strip())):
        return None
    if not title:
        title = _title_from_body(body or _text_head(html)) or link or f"Entry {n + 1}"
    key = clean_line(str(raw.get("id", "") or "")) or link or _digest_key(title, body or html)
    if lazy:
        return Entry(key, title, "", link, author, published, tags, html=html, base=html_base)
    return Entry(key, title, body, link, author, published, tags)


# --- JSON Feed ----------------------------------------------------------------------------


def parse_json_feed(data: bytes, *, url: str) -> ParsedFeed:
    try:
        # The loaders' decoder: an integer too long to convert is ignored, not fatal.
        doc = json_loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise FeedFormatError("not a feed: JSON that is not UTF-8") from None
    except json.JSONDecodeError as exc:
        raise FeedFormatError(
            f"malformed JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"
        ) from None
    except RecursionError:
        raise FeedFormatError("malformed JSON: nested too deeply") from None
    if not isinstance(doc, dict) or not str(doc.get("version", "")).startswith(
        "https://jsonfeed.org/version/"
    ):
        raise FeedFormatError("not a feed: JSON without a JSON Feed 'version'")
    items = doc.get("items", [])
    if not isinstance(items, list):
        raise FeedFormatError("malformed JSON Feed: 'items' is not a list")
    title = clean_line(_str(doc.get("title"))) or _host_title(url)
    home = _str(doc.get("home_page_url"))
    feed = ParsedFeed(title=title, link=home)
    base = home or url
    feed_authors = _json_authors(doc)
    if len(items) > MAX_ENTRIES:
        feed.notes.append(f"{len(items)} items: only the first {MAX_ENTRIES} were read")
        items = items[:MAX_ENTRIES]

    def make(item: Any, n: int) -> Entry | None:
        if not isinstance(item, dict):
            raise EntryRejected("not an object")
        return _json_entry(item, n, base=base, default_author=feed_authors)

    _add_entries(feed, "item", items, make)
    return feed


def entry_problem(exc: BaseException) -> str:
    """One line saying why an entry could not be read."""
    if isinstance(exc, RecursionError):
        return "nested too deeply to read"
    if isinstance(exc, EntryRejected):
        return str(exc)
    return clean_line(f"{type(exc).__name__}: {exc}")[:200]


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _json_authors(obj: dict[str, Any]) -> str:
    authors = obj.get("authors")
    if not isinstance(authors, list):
        single = obj.get("author")
        authors = [single] if isinstance(single, dict) else []
    names = [clean_line(_str(a.get("name"))) for a in authors if isinstance(a, dict)]
    return ", ".join(n for n in names if n)


def _json_entry(item: dict[str, Any], n: int, *, base: str, default_author: str) -> Entry | None:
    title = clean_line(_str(item.get("title")))
    link = _safe_url(_str(item.get("url")) or _str(item.get("external_url")), base)
    html = _str(item.get("content_html"))
    lazy = bool(html.strip())  # converted only if written, within a budget
    if lazy:
        body = ""
    elif html:
        body = html_to_markdown(html, base=link or base)
    else:
        body = text_to_markdown(_str(item.get("content_text")) or _str(item.get("summary")))
    published = _iso_date(_str(item.get("date_published"))) or _iso_date(
        _str(item.get("date_modified"))
    )
    raw_tags = item.get("tags")
    tags = _tags(t for t in raw_tags if isinstance(t, str)) if isinstance(raw_tags, list) else ()
    author = _json_authors(item) or default_author
    if not (title or link or body or (lazy and _text_head(html).strip())):
        return None
    if not title:
        title = _title_from_body(body or _text_head(html)) or link or f"Item {n + 1}"
    raw_id = item.get("id")
    key = clean_line(str(raw_id)) if isinstance(raw_id, str | int) and str(raw_id) else ""
    key = key or link or _digest_key(title, body or html)
    if lazy:
        return Entry(key, title, "", link, author, published, tags, html=html, base=link or base)
    return Entry(key, title, body, link, author, published, tags)


def _iso_date(value: str) -> datetime | None:
    if not value:
        return None
    try:
        dt = datetime.fromisoformat(value.strip())
    except ValueError:
        parsed = feedparser.datetimes._parse_date(value)
        return _struct_to_dt(parsed)
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


# --- OPML ---------------------------------------------------------------------------------


def parse_opml(data: bytes, *, url: str) -> OpmlList:
    root, problem = _safe_xml_root(data)
    if root is None:
        raise FeedFormatError(f"malformed OPML: {problem}")
    if _local(root.tag) != "opml":
        raise FeedFormatError(f"not an OPML file: the root is <{_local(root.tag)}>")
    return parse_opml_root(root, url=url)


def parse_opml_root(root: Element, *, url: str) -> OpmlList:
    head_title = root.find("head/title")
    title = clean_line(head_title.text or "") if head_title is not None else ""
    feeds: list[Subscription] = []
    seen: set[str] = set()
    for outline in root.iter():
        if _local(str(outline.tag)) != "outline":
            continue
        attrs = {k.lower(): v for k, v in outline.attrib.items()}
        xml_url = attrs.get("xmlurl", "").strip()
        if not xml_url:
            continue
        xml_url = urljoin(url, xml_url) if url.startswith(("http://", "https://")) else xml_url
        if xml_url in seen:
            continue
        seen.add(xml_url)
        feeds.append(Subscription(xml_url, clean_line(attrs.get("title") or attrs.get("text", ""))))
    return OpmlList(title=title or "OPML", feeds=feeds)


# --- helpers ------------------------------------------------------------------------------


def _safe_url(value: Any, base: str) -> str:
    if not isinstance(value, str) or not value.strip():
        return ""
    url = clean_line(value.strip())
    if base.startswith(("http://", "https://")):
        url = urljoin(base, url)
    scheme = urlsplit(url).scheme.lower()
    return url if scheme in ("http", "https") else ""


def _tags(values: Any) -> tuple[str, ...]:
    out: list[str] = []
    for value in values:
        tag = clean_line(value or "")
        if tag and tag not in out:
            out.append(tag)
    return tuple(out)


def _text_head(html: str) -> str:
    """The start of an HTML fragment's text, without building a tree."""
    return strip_tags(html[:4096])


def _title_from_body(body: str) -> str:
    for line in body.splitlines():
        text = clean_line(re.sub(r"[#*_`>\[\]]", "", line))
        if text:
            return text if len(text) <= 90 else text[:89].rsplit(" ", 1)[0] + "…"
    return ""


def _digest_key(title: str, body: str) -> str:
    return "sha:" + hashlib.blake2b(f"{title}\x00{body}".encode(), digest_size=12).hexdigest()


def _host_title(url: str) -> str:
    host = urlsplit(url).hostname
    if host:
        return host
    return url.rsplit("/", 1)[-1] or url
