"""Plain-text articles (``.txt``): an optional header block, then the body.

::

    Title: Sessions hits back at Trump over recusal
    Author: Jane Doe
    Date: 2020-05-23
    Source: The Example Post
    URL: https://example.com/sessions
    Tags: politics, alabama

    Body text...

Without a title (no ``Title:`` header, no short first line followed by a blank line), a file
name that is a readable slug gives it: ``sessions-hits-back-at-trump-over-recusal.txt`` is
"Sessions hits back at Trump over recusal" (see :func:`title_from_name`); otherwise the
title is the first sentence (and the body starts after it when the title holds it whole).
A hard-wrapped body is reflowed into paragraphs (:mod:`newstui.core.reflow`).
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

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


_SLUG_SEPARATORS = re.compile(r"[-_. ]+")
_LETTERS = re.compile(r"[^\W\d_]+")
MAX_SLUG_WORD = 20
CASING_SCAN_CHARS = 100_000


def title_from_name(path: Path, body: str) -> str:
    """A title from a file name that is a readable slug, else ``""``.

    Readable: the name (without extension and a leading date or number such as
    ``2020-05-23-``) is at least two words split by ``-``, ``_``, ``.`` or spaces, each
    word all letters (at most 20) or all digits, two or more of them words of letters, one
    of 3+ letters. So ``sessions-hits-back-at-trump-over-recusal`` is readable;
    ``000_078001b8b437f0f7``, ``12345`` and ``a`` are not.

    Casing: a word written in lower case takes the casing the body gives it when the body
    never writes it in lower case (``trump`` -> ``Trump``, ``nasa`` -> ``NASA``; a capital
    opening a sentence does not count); other words stay as the name has them; the first
    word is capitalised.
    """
    words = [w for w in _SLUG_SEPARATORS.split(path.stem) if w]
    while words and words[0].isdigit():
        words.pop(0)
    if len(words) < 2 or not all(w.isdigit() or w.isalpha() for w in words):
        return ""
    alpha = [w for w in words if w.isalpha()]
    if len(alpha) < 2 or max(map(len, alpha)) < 3 or max(map(len, alpha)) > MAX_SLUG_WORD:
        return ""
    wanted = {w.casefold() for w in alpha if w.islower()}
    forms: dict[str, Counter[str]] = {}
    if wanted:
        for m in _LETTERS.finditer(body, 0, CASING_SCAN_CHARS):
            word = m.group()
            key = word.casefold()
            if key in wanted and (word.isupper() or not _sentence_start(body, m.start())):
                forms.setdefault(key, Counter())[word] += 1
    out: list[str] = []
    for w in words:
        seen = forms.get(w.casefold())
        if w.islower() and seen and not any(f.islower() for f in seen):
            w = seen.most_common(1)[0][0]
        out.append(w)
    out[0] = out[0][:1].upper() + out[0][1:]
    return " ".join(out)


def _sentence_start(text: str, pos: int) -> bool:
    """Whether the word at ``pos`` opens a sentence (its capital then says nothing)."""
    i = pos - 1
    while i >= 0 and text[i] in " \t\"'“‘(":
        i -= 1
    return i < 0 or text[i] in ".!?\n"


def load_text(b: Builder, text: str) -> LoadOutcome:
    fields, body = parse_header(text)
    if fields:
        title = fields.get("title", "")
        b.add(
            title=title,
            body=body,
            author=fields.get("author", ""),
            source=fields.get("source", ""),
            date=fields.get("date"),
            url=fields.get("url", ""),
            tags=fields.get("tags", ""),
            name_title="" if title.strip() else title_from_name(b.path, body),
            reflow=True,
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
    b.add(
        title=title,
        body=stripped,
        name_title="" if title else title_from_name(b.path, stripped),
        reflow=True,
    )
    return b.outcome
