"""Shared pieces of the loaders: reading with a size cap, decoding, building clean Articles."""

from __future__ import annotations

import codecs
import os
import re
import stat
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from newstui.core.article import (
    Article,
    Problem,
    count_words,
    make_article_id,
    text_digest_and_count,
)
from newstui.core.dates import parse_date
from newstui.core.reflow import reflow as reflow_text
from newstui.core.text import clean_body, clean_line, shorten

MB = 1024 * 1024
# Bytes read from one article file (text, Markdown, HTML, feed); the rest is dropped, the
# article marked truncated. JSON documents get more (a list of many articles); JSONL is
# streamed and the cap applies to each line.
MAX_FILE_BYTES = 8 * MB
MAX_JSON_BYTES = 64 * MB
MAX_TITLE_CHARS = 300
MAX_FIELD_CHARS = 200
MAX_TAGS = 50
TRUNCATED_MARKER = "[truncated]"
DERIVED_TITLE_CHARS = 90
# Problems kept one by one per file about its records (JSONL lines, list items, feed
# entries); past this they are counted (see Builder).
MAX_RECORD_PROBLEMS = 50


@dataclass(slots=True)
class LoadOutcome:
    """What one file gave: its articles and what went wrong (nothing raises).

    ``text_keys``: for articles made by a :class:`Builder`, ``id(article)`` -> the article
    and its text key (:func:`newstui.core.library.scan.text_key`), known from making its
    id, so deduping need not read every body a second time (~8 us an article). The article
    is held so its ``id()`` cannot be reused while the entry lives."""

    articles: list[Article] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    text_keys: dict[int, tuple[Article, str]] = field(default_factory=dict)


class LoadError(Exception):
    """A file that cannot be loaded at all; the message is the reason shown to the user."""


@dataclass(slots=True)
class RawFile:
    """A file's first bytes (up to a cap) and whether more was left unread."""

    path: Path
    data: bytes
    size: int
    truncated: bool


def read_capped(path: Path, cap: int) -> RawFile:
    """Read at most ``cap`` bytes of a regular file.

    Opens with ``O_NONBLOCK`` and checks the opened descriptor is a regular file, so a FIFO
    or device that replaced a file since the scan listed it is never read (and never blocks).
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError as exc:
        raise LoadError("file vanished during the scan") from exc
    except IsADirectoryError as exc:
        raise LoadError("is a folder, not a file") from exc
    except OSError as exc:
        raise LoadError(f"cannot open: {exc.strerror or exc}") from exc
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise LoadError("is a folder, not a file")
        if not stat.S_ISREG(st.st_mode):
            raise LoadError("not a regular file (FIFO, device or socket); not read")
        chunks: list[bytes] = []
        want = cap + 1
        while want > 0:
            chunk = os.read(fd, min(want, 4 * MB))
            if not chunk:
                break
            chunks.append(chunk)
            want -= len(chunk)
    except OSError as exc:
        raise LoadError(f"cannot read: {exc.strerror or exc}") from exc
    finally:
        os.close(fd)
    data = b"".join(chunks)
    truncated = len(data) > cap
    if truncated:
        data = data[:cap]
    return RawFile(path, data, max(st.st_size, len(data)), truncated)


_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
_UTF32_BOMS = (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)


_CONTROL_BYTES = bytes([*range(0, 8), 11, *range(14, 27), *range(28, 32), 127])


def looks_binary(data: bytes) -> bool:
    """Binary data rather than text: a run of NULs, or more than 5% NUL/control bytes near
    the start (of at least 1 KB, so a short text with a stray NUL is still text), and no
    UTF-16/32 BOM or UTF-16 pattern. Text with a few stray control bytes (or ANSI escapes)
    is text: the sanitiser removes them."""
    head = data[:8192]
    if not head or head.startswith(_UTF16_BOMS + _UTF32_BOMS + (codecs.BOM_UTF8,)):
        return False
    if b"\x00" in head:
        evens, odds = head[0::2].count(0), head[1::2].count(0)
        if _utf16_guess(head, evens, odds) is not None:
            return False
        if b"\x00\x00" in head:
            return True
    controls = len(head) - len(head.translate(None, _CONTROL_BYTES))
    return controls * 20 > max(len(head), 1024)


def _utf16_guess(head: bytes, evens: int, odds: int) -> str | None:
    """UTF-16 without BOM: NULs at every other byte, and text (not control bytes) between."""
    half = len(head) // 2
    if half < 8:
        return None
    if odds > half * 0.4 and evens < half * 0.05:
        enc, chars = "utf-16-le", head[0::2]
    elif evens > half * 0.4 and odds < half * 0.05:
        enc, chars = "utf-16-be", head[1::2]
    else:
        return None
    controls = len(chars) - len(chars.translate(None, _CONTROL_BYTES[1:]))
    return enc if controls * 10 < len(chars) else None


def decode(raw: RawFile) -> tuple[str, Problem | None]:
    """Bytes to text: BOMs (UTF-8/16/32), UTF-8, BOM-less UTF-16, else cp1252/latin-1.

    A fallback decoding returns a ``degraded`` Problem naming the encoding used; a file is
    never dropped for its encoding.
    """
    data = raw.data
    if data.startswith(codecs.BOM_UTF8):
        return _decode_utf8(data[3:], raw)
    if data.startswith(_UTF32_BOMS):
        return data.decode("utf-32", errors="replace"), None
    if data.startswith(_UTF16_BOMS):
        return data.decode("utf-16", errors="replace"), None
    if b"\x00" in data[:8192]:
        head = data[:8192]
        enc = _utf16_guess(head, head[0::2].count(0), head[1::2].count(0))
        if enc:
            return data.decode(enc, errors="replace"), None
    return _decode_utf8(data, raw)


def _decode_utf8(data: bytes, raw: RawFile) -> tuple[str, Problem | None]:
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        if raw.truncated and exc.start >= len(data) - 3:
            # The cap cut a multi-byte character in half: not an encoding problem.
            return data[: exc.start].decode("utf-8", errors="replace"), None
    for enc in ("cp1252", "latin-1"):
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        return text, Problem(
            raw.path,
            f"not valid UTF-8; decoded as {enc} (some characters may be wrong)",
            "degraded",
        )
    raise AssertionError("latin-1 decodes every byte")  # pragma: no cover


def truncation_problem(raw: RawFile, cap: int) -> Problem:
    return Problem(
        raw.path,
        f"file is {raw.size / MB:.1f} MB; only the first {cap // MB} MB were loaded (truncated)",
        "degraded",
    )


# --------------------------------------------------------------------------- fields


def as_text(value: object) -> str:
    """A JSON/YAML/feed value as text: strings and numbers as they are, else ``""``."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, Mapping):
        return _scalar_text(value)
    if isinstance(value, list | tuple) and value:
        # One level only: YAML aliases can nest lists a billion items deep.
        return ", ".join(t for t in (_scalar_text(v) for v in value[:10]) if t)
    return ""


def _scalar_text(value: object) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, Mapping):
        for key in ("name", "title", "value", "text", "#text", "href"):
            if isinstance(value.get(key), str):
                return str(value[key])
    return ""


_TAG_SPLIT = re.compile(r"[,;]")


def as_tags(value: object) -> tuple[str, ...]:
    """Tags from a list or a comma-separated string: cleaned, de-duplicated, at most 50."""
    items: Iterable[object]
    if isinstance(value, str):
        items = _TAG_SPLIT.split(value)
    elif isinstance(value, list | tuple):
        items = value[: MAX_TAGS * 2]
    else:
        return ()
    out: list[str] = []
    seen: set[str] = set()
    for item in items:
        tag = clean_line(_scalar_text(item), MAX_FIELD_CHARS // 2)
        key = tag.casefold()
        if tag and key not in seen:
            seen.add(key)
            out.append(tag)
            if len(out) >= MAX_TAGS:
                break
    return tuple(out)


_SENTENCE_END = re.compile(r"(?<=[^\sA-Z][.!?])[\"'”’)]*\s+(?=[\"'“‘(]?[A-Z0-9])")
_CLAUSE = re.compile(r"[,;:—–]\s|\s[—–-]\s")
_WEAK_END = frozenset(
    [
        "a",
        "an",
        "and",
        "as",
        "at",
        "but",
        "by",
        "for",
        "from",
        "in",
        "into",
        "is",
        "of",
        "on",
        "or",
        "so",
        "than",
        "that",
        "the",
        "their",
        "this",
        "to",
        "was",
        "were",
        "with",
        "who",
        "whose",
        "which",
        "his",
        "her",
        "its",
        "our",
        "your",
        "my",
    ]
)


def split_first_sentence(body: str, title: str) -> str | None:
    """The rest of ``body`` after its first sentence, when ``title`` is that whole sentence
    (as :func:`derive_title` gives it, uncut) and something follows; else ``None``.

    So an article whose title came from its first sentence does not show that sentence
    twice (as the title, then as the body's first line); a cut title (``…``) keeps the
    sentence in the body, where it is read whole.
    """
    if not title or title.endswith("…"):
        return None
    head = body[:1000]
    m = _SENTENCE_END.search(head)
    if m is None or head[m.start() : m.end()].strip():
        return None  # no sentence end, or closing quotes that belong to the sentence
    sentence = " ".join(head[: m.start()].split())
    if sentence.rstrip(".") != title and sentence != title:
        return None
    rest = body[m.end() :]
    return rest if rest.strip() else None


def derive_title(body: str, width: int = DERIVED_TITLE_CHARS) -> str:
    """A title from the first sentence of ``body``, cut near ``width`` characters.

    Short sentences are used whole (without the final period). Longer ones are cut at the
    last clause boundary (comma, semicolon, dash) that leaves a title of reasonable length,
    else at a word boundary, never after a dangling article or preposition, and end with ``…``.
    """
    head = clean_line(body[:1000])
    if not head:
        return ""
    m = _SENTENCE_END.search(head)
    sentence = head[: m.start()] if m else head
    sentence = sentence.strip()
    if len(sentence) <= width + 10:
        return sentence.rstrip(".") if m or len(sentence) < len(head) else sentence
    limit = width + 10
    best = -1
    for c in _CLAUSE.finditer(sentence, 0, limit):
        if c.start() >= width * 0.5:
            best = c.start()
    if best > 0:
        cut = sentence[:best]
    else:
        cut = sentence[:width]
        space = cut.rfind(" ")
        if space > width // 2:
            cut = cut[:space]
    words = cut.rstrip(" ,;:-–—").split(" ")
    while len(words) > 3 and words[-1].casefold().strip("\"'“”‘’") in _WEAK_END:
        words.pop()
    return " ".join(words).rstrip(" ,;:-–—") + "…"


class Builder:
    """Builds clean Articles for one file; every text field goes through the sanitiser.

    Problems about single records are kept one each up to :data:`MAX_RECORD_PROBLEMS` per
    file; past that they are only counted (a file of a million bad lines must not hold a
    million Problems), and :meth:`finish` closes the list with one Problem standing for the
    rest (``count`` = how many records).
    """

    def __init__(self, path: Path, fmt: str, *, truncated: bool = False) -> None:
        self.path = path
        self.format = fmt
        self.truncated = truncated
        self.outcome = LoadOutcome()
        self._record_problems = 0  # kept one each
        self._last_record = -1  # the record of the latest record problem (kept or not)
        self._more = 0  # further records with problems, counted only
        self._more_first = 0
        self._more_skipped = False

    def problem(self, reason: str, kind: str = "skipped", entry: int | None = None) -> None:
        """``entry``: the record's 0-based position (``Article.entry``); the Problem holds it
        1-based. Loaders report a record's problems together, record after record."""
        if entry is None:
            self.outcome.problems.append(Problem(self.path, reason, kind))
            return
        number = entry + 1
        if self._record_problems < MAX_RECORD_PROBLEMS:
            self._record_problems += 1
            self.outcome.problems.append(Problem(self.path, reason, kind, number))
        elif number != self._last_record:
            if not self._more:
                self._more_first = number
            self._more += 1
            self._more_skipped = self._more_skipped or kind == "skipped"
        self._last_record = number

    def finish(self) -> LoadOutcome:
        """The outcome, its record problems closed by "and N more records with problems"
        when some were only counted. Idempotent."""
        if self._more:
            self.outcome.problems.append(
                Problem(
                    self.path,
                    f"and {self._more:,} more record{'s' if self._more != 1 else ''} with "
                    "problems (not listed one by one)",
                    "skipped" if self._more_skipped else "degraded",
                    self._more_first,
                    self._more,
                )
            )
            self._more = 0
        return self.outcome

    def add(
        self,
        *,
        title: str,
        body: str,
        entry: int | None = None,
        author: object = "",
        source: object = "",
        date: object = None,
        url: object = "",
        tags: object = (),
        derive: bool = True,
        truncated: bool | None = None,
        name_title: str = "",
        reflow: bool = False,
    ) -> Article | None:
        """One article. A missing title is ``name_title`` (one made from the file name) when
        given, else derived from the body's first sentence, which then leaves the body when
        the title holds it whole. Either way the id is made from the derived title and the
        whole body, so it does not change with the file name or this presentation.

        ``reflow``: the body is plain text, whose hard-wrapped lines are joined into
        paragraphs (:func:`newstui.core.reflow.reflow`; only whitespace changes, so the id,
        the word count and the search are the same)."""
        title = clean_line(title, MAX_TITLE_CHARS)
        body = clean_body(body)
        if reflow:
            body = reflow_text(body)
        shown = body  # the body as shown: without the sentence that became the title
        if not title and derive:
            id_title = derive_title(body)
            title = clean_line(name_title, MAX_TITLE_CHARS)
            if not title:
                title = id_title
                # (Not in Markdown, whose first "sentence" may be part of a list or quote.)
                rest = None if self.format == "markdown" else split_first_sentence(body, title)
                if rest is not None:
                    shown = rest.lstrip()
        else:
            id_title = title
        if not title and not body:
            self.problem("no title or text", "skipped", entry)
            return None
        is_truncated = self.truncated if truncated is None else truncated
        if is_truncated:
            whole = shown is body
            body = f"{body}\n\n{TRUNCATED_MARKER}"
            shown = body if whole else f"{shown}\n\n{TRUNCATED_MARKER}"
        url_s = clean_line(as_text(url), 2000)
        published: datetime | None = None
        if date not in (None, ""):
            published = parse_date(date)
            if published is None:
                shown_date = shorten(clean_line(as_text(date)), 40) or type(date).__name__
                self.problem(f"unrecognised date {shown_date!r}", "degraded", entry)
        text_id, word_count = text_digest_and_count(id_title, body)
        if shown is not body:
            word_count = count_words(shown)
        article = Article(
            id=make_article_id(url=url_s) if url_s else text_id,
            word_count=word_count,
            title=title,
            body=shown,
            format=self.format,
            path=self.path,
            entry=entry,
            author=clean_line(as_text(author), MAX_FIELD_CHARS),
            source=clean_line(as_text(source), MAX_FIELD_CHARS),
            published=published,
            url=url_s,
            tags=as_tags(tags),
            truncated=is_truncated,
        )
        self.outcome.articles.append(article)
        if shown is body and id_title == title:
            # text_key(article) is the digest just made: the same title and body
            self.outcome.text_keys[id(article)] = (article, text_id)
        return article
