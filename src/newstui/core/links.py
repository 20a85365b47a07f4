"""The links of an article: the web and mail addresses its body points to, numbered.

Markdown links (``[text](url)``, ``<https://…>``), inline ``<a href="…">`` tags in Markdown,
and bare ``http(s)://`` / ``mailto:`` addresses in the text are collected in the order they
appear; the same address twice is one link (one number). Only ``http``, ``https`` and
``mailto`` addresses pass :func:`safe_url`: a ``javascript:`` or ``data:`` address, one with a
control character, a space, a bidi override or an escape sequence never does, so nothing
opened, copied or shown from here can run code or reach the terminal as an escape.

The reader numbers the links in the text (``[1]``) and lists them after the body; the link
picker (``l``) offers the same list. :func:`links_of` parses a body once per layout (a small
cache keeps the article shown and its neighbours).

Budgets: at most :data:`MAX_LINKS` links an article, :data:`MAX_URL_CHARS` characters a link,
and bare addresses are looked for in at most :data:`MAX_SCAN_CHARS` characters of a body.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

MAX_LINKS = 500
MAX_URL_CHARS = 2_048
MAX_SCAN_CHARS = 2_000_000

SCHEMES = ("http", "https", "mailto")

#: A bare address in text: a scheme, then anything but spaces, quotes and angle brackets.
#: One pass, no nested repetition: linear.
BARE_URL = re.compile(r"\b(?:https?://|mailto:)[^\s<>\"'`\x00-\x1f\x7f-\x9f]+", re.IGNORECASE)
#: The ``href`` of one inline ``<a …>`` tag (markdown-it hands each tag over on its own).
_A_HREF = re.compile(r"<a\s[^>]{0,2048}?\bhref\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s>]+))", re.I)
#: Characters that end a sentence rather than an address ("see https://x.org/a.").
_TRAILING = ".,;:!?*_~"
_CLOSERS = {")": "(", "]": "[", "}": "{"}


def safe_url(raw: str) -> str | None:
    """``raw`` as an address newstui may show, open and copy, or ``None``.

    Only ``http``/``https`` with a host and ``mailto`` with an address; no control
    character, space, bidi or invisible format character anywhere; at most
    :data:`MAX_URL_CHARS` characters."""
    url = raw.strip()
    if not url or len(url) > MAX_URL_CHARS:
        return None
    for ch in url:
        code = ord(ch)
        if code <= 0x20 or 0x7F <= code <= 0x9F or not ch.isprintable():
            return None
    scheme, sep, rest = url.partition(":")
    scheme = scheme.lower()
    if not sep or scheme not in SCHEMES:
        return None
    if scheme == "mailto":
        return f"mailto:{rest}" if "@" in rest and len(rest) > 2 else None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if not parts.netloc or not rest.startswith("//"):
        return None
    return f"{scheme}:{rest}"


def trim_bare(url: str) -> str:
    """A bare address without the punctuation that ends the sentence around it: the final
    ``.`` of ``see https://x.org/a.``, a ``)`` that closes a parenthesis opened before the
    address (one opened inside it, as in Wikipedia's ``…/Foo_(bar)``, is kept)."""
    while url:
        last = url[-1]
        if last in _TRAILING or (last in _CLOSERS and url.count(last) > url.count(_CLOSERS[last])):
            url = url[:-1]
        else:
            break
    return url


def bare_urls(text: str) -> Iterator[tuple[int, int, str]]:
    """``(start, end, url)`` for each bare address in ``text`` (trimmed; unsafe ones left
    out)."""
    for m in BARE_URL.finditer(text, 0, min(len(text), MAX_SCAN_CHARS)):
        url = trim_bare(m.group(0))
        safe = safe_url(url)
        if safe is not None:
            yield m.start(), m.start() + len(url), safe


def a_href(tag: str) -> str | None:
    """The safe ``href`` of an inline ``<a …>`` tag, or ``None``."""
    m = _A_HREF.match(tag.strip())
    if m is None:
        return None
    import html

    return safe_url(html.unescape(m.group(1) or m.group(2) or m.group(3) or ""))


class Links:
    """Addresses in order of first appearance; ``number(url)`` is the 1-based number the
    reader shows (``None``: not a listed link)."""

    __slots__ = ("_numbers", "urls")

    def __init__(self) -> None:
        self.urls: list[str] = []
        self._numbers: dict[str, int] = {}

    def add(self, url: str | None) -> int | None:
        if url is None:
            return None
        n = self._numbers.get(url)
        if n is None and len(self.urls) < MAX_LINKS:
            self.urls.append(url)
            n = self._numbers[url] = len(self.urls)
        return n

    def number(self, url: str | None) -> int | None:
        return self._numbers.get(url) if url is not None else None

    def __len__(self) -> int:
        return len(self.urls)

    def __bool__(self) -> bool:
        return bool(self.urls)


def markdown_parser() -> Any:
    """The parser ``rich.markdown`` uses (the same tokens in the same order)."""
    from markdown_it import MarkdownIt

    return MarkdownIt().enable("strikethrough").enable("table")


#: Token types whose text is code: shown as written, no numbers put in.
CODE_TOKENS = frozenset({"code_inline", "fence", "code_block"})


def markdown_tokens_links(tokens: list[Any]) -> Links:
    """The links of parsed Markdown ``tokens`` (markdown-it), in reading order: each
    link's address (the text inside a link is its label, not another link), then the
    bare addresses of the text outside links; nothing in code."""
    links = Links()
    for token in tokens:
        children = token.children
        if not children or token.type in CODE_TOKENS or token.tag == "img":
            continue
        depth = 0
        for child in children:
            kind = child.type
            if kind == "link_open":
                links.add(safe_url(str(child.attrs.get("href", ""))))
                depth += 1
            elif kind == "link_close":
                depth = max(0, depth - 1)
            elif kind == "html_inline":
                content = child.content.strip().lower()
                if content.startswith(("<a ", "<a\t")):
                    links.add(a_href(child.content))
                    depth += 1
                elif content == "</a>":
                    depth = max(0, depth - 1)
            elif kind == "text" and not depth:
                for _, _, url in bare_urls(child.content):
                    links.add(url)
    return links


@lru_cache(maxsize=8)
def links_of(body: str, markdown: bool) -> Links:
    """The links of a body: Markdown (parsed as the reader lays it out) or plain text."""
    if markdown:
        return markdown_tokens_links(markdown_parser().parse(body))
    links = Links()
    for _, _, url in bare_urls(body):
        links.add(url)
    return links
