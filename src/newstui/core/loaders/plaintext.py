"""Plain-text articles (``.txt``): an optional header block, then the body.

::

    Title: Sessions hits back at Trump over recusal
    Author: Jane Doe
    Date: 2020-05-23
    Source: The Example Post
    URL: https://example.com/sessions
    Tags: politics, alabama

    Body text...

Without a header, a short first line followed by a blank line is the title; otherwise the
title is derived from the first sentence.
"""

from __future__ import annotations

import re

from newstui.core.loaders._common import Builder, LoadOutcome

HEADER_KEYS = {
    "title": "title",
    "headline": "title",
    "author": "author",
    "by": "author",
    "byline": "author",
    "date": "date",
    "published": "date",
    "source": "source",
    "url": "url",
    "link": "url",
    "tags": "tags",
    "keywords": "tags",
}
_HEADER_LINE = re.compile(r"([A-Za-z][A-Za-z-]{0,15})[ \t]*:[ \t]*(.*)")
MAX_TITLE_LINE = 150


def parse_header(text: str) -> tuple[dict[str, str], str]:
    """Split ``text`` into its header fields (lower-case keys) and body.

    A header block is a run of ``Key: value`` lines at the very top, the first of which is
    a known key, ended by a blank line (or by the first line that is not ``Key: value``).
    """
    fields: dict[str, str] = {}
    pos = 0
    n = len(text)
    while pos < n:
        end = text.find("\n", pos)
        if end < 0:
            end = n
        line = text[pos:end].strip()
        if not line:
            if fields:
                return fields, text[end + 1 :]
            break
        m = _HEADER_LINE.fullmatch(line)
        key = HEADER_KEYS.get(m.group(1).lower()) if m else None
        if m is None or (key is None and not fields) or pos > 20_000:
            # Not a header line: the body starts here (no blank line after the header).
            return (fields, text[pos:]) if fields else ({}, text)
        if key is not None and key not in fields:
            fields[key] = m.group(2)
        pos = end + 1
    return (fields, "") if fields else ({}, text)


def load_text(b: Builder, text: str) -> LoadOutcome:
    fields, body = parse_header(text)
    if fields:
        b.add(
            title=fields.get("title", ""),
            body=body,
            author=fields.get("author", ""),
            source=fields.get("source", ""),
            date=fields.get("date"),
            url=fields.get("url", ""),
            tags=fields.get("tags", ""),
        )
        return b.outcome
    stripped = text.lstrip("\ufeff \t\r\n")
    first, sep, rest = stripped.partition("\n")
    title = ""
    line = first.strip()
    blank_next = rest.lstrip(" \t")[:1] in ("\n", "\r")
    # A title line is short, followed by a blank line, and reads like a headline rather
    # than a first paragraph (a long line ending in a full stop is a paragraph).
    headline = len(line) < 60 or not line.endswith((".", "!", "?", ":"))
    if sep and blank_next and 0 < len(line) <= MAX_TITLE_LINE and headline:
        title, stripped = first, rest
    b.add(title=title, body=stripped)
    return b.outcome
