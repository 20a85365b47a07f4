"""JSON articles: ``.json`` (one article object, a list of them, or ``{"articles": [...]}``)
and ``.jsonl`` (one article object per line, streamed: 100k lines is a normal input).

Keys: ``title``; ``body`` (or ``content``, ``text``, ``description``, ``summary``);
``author``; ``date`` (or ``published``, ``pubDate``, ...: ISO, RFC 822 or epoch numbers);
``source``; ``url`` (or ``link``); ``tags`` (or ``keywords``, ``categories``). Values of the
wrong type are ignored with a note, never crash the load. A body is plain text: a
hard-wrapped one is reflowed into paragraphs (:mod:`newstui.core.reflow`).
"""

from __future__ import annotations

import io
import json
import os
import re
import stat
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from newstui.core.loaders._common import (
    MAX_FILE_BYTES,
    MB,
    Builder,
    LoadError,
    LoadOutcome,
    as_text,
)
from newstui.core.text import clean_line

BODY_KEYS = ("body", "content", "text", "article", "description", "summary", "abstract")
DATE_KEYS = ("date", "published", "published_at", "publishedAt", "pubDate", "created", "updated")
LIST_KEYS = ("articles", "items", "entries", "data", "results", "stories")


def _pick(obj: Mapping[str, Any], keys: tuple[str, ...]) -> Any:
    for key in keys:
        value = obj.get(key)
        if value not in (None, "", [], {}):
            return value
    return None


def add_record(b: Builder, obj: object, entry: int | None) -> None:
    """One JSON value as an article (or a problem saying why not)."""
    if not isinstance(obj, dict):
        b.problem(f"expected an article object, found {_json_type(obj)}", "skipped", entry)
        return
    title = obj.get("title", obj.get("headline"))
    if title is not None and not isinstance(title, str | int | float):
        b.problem(f"title is {_json_type(title)}, not text; ignored", "degraded", entry)
        title = None
    body = _pick(obj, BODY_KEYS)
    if body is not None and not isinstance(body, str):
        if isinstance(body, list) and all(isinstance(p, str) for p in body[:1000]):
            body = "\n\n".join(body[:1000])
        else:
            b.problem(f"body is {_json_type(body)}, not text; ignored", "degraded", entry)
            body = None
    b.add(
        title=as_text(title) if title is not None else "",
        body=body or "",
        entry=entry,
        author=_pick(obj, ("author", "authors", "byline", "creator")) or "",
        source=_pick(obj, ("source", "publisher", "site", "feed")) or "",
        date=_pick(obj, DATE_KEYS),
        url=_pick(obj, ("url", "link", "href", "canonical_url")) or "",
        tags=_pick(obj, ("tags", "keywords", "categories", "topics")) or (),
        reflow=True,  # plain text (Reuters-like bodies are hard-wrapped)
    )


def _json_type(value: object) -> str:
    return {
        dict: "an object",
        list: "a list",
        str: "a string",
        int: "a number",
        float: "a number",
        bool: "true/false",
        type(None): "null",
    }.get(type(value), type(value).__name__)


# A document up to this size is parsed whole (json.loads: up to ~25 bytes of memory per
# byte for a list of tiny values); a larger one is streamed item by item, each item
# parsed alone and at most this big.
MAX_WHOLE_JSON_BYTES = MAX_FILE_BYTES
MAX_RECORD_BYTES = MAX_FILE_BYTES
# Brackets in one record: an article has a few dozen; a million is an attack on memory.
MAX_RECORD_NODES = 100_000
# Records in a row that give no article (not objects, broken lines) before the rest of
# the file is given up: a million numbers is not a collection of articles, and reading it
# would cost seconds for nothing.
MAX_BAD_RUN = 10_000
# A JSONL line longer than the per-line cap is skipped up to its end, but no further.
MAX_SKIP_BYTES = 64 * MB
_INT_DIGITS = 4000  # Python refuses str -> int past 4,300 digits (and it is quadratic)


def _int_or_none(digits: str) -> int | None:
    """A JSON integer, or ``None`` (the value is ignored) when it is too long to convert:
    one absurd number must not fail the whole file."""
    if len(digits) > _INT_DIGITS:
        return None
    try:
        return int(digits)
    except ValueError:
        return None


DECODER = json.JSONDecoder(parse_int=_int_or_none)


def loads(text: str) -> Any:
    """``json.loads`` where an integer too long to convert becomes ``None``."""
    return DECODER.decode(text)


def load_json(b: Builder, text: str) -> LoadOutcome:
    # Records are complete or absent: the size cap cuts the document, not an article.
    cut, b.truncated = b.truncated, False
    start = _skip_ws(text, 0)
    if (cut or len(text) > MAX_WHOLE_JSON_BYTES) and text[start : start + 1] in ("[", "{"):
        _stream_document(b, text, start, cut)
        return b.outcome
    try:
        doc = loads(text)
    except RecursionError as exc:
        raise LoadError("JSON nested too deeply") from exc
    except ValueError as exc:
        if cut:
            raise LoadError(
                "JSON document cut short by the size cap; use .jsonl for large collections"
            ) from exc
        first_line = text.lstrip()[:1]
        if first_line == "{" and "\n{" in text:
            return load_jsonl_text(b, text)
        raise LoadError(f"invalid JSON: {exc}") from exc
    if isinstance(doc, dict):
        nested = next((doc[k] for k in LIST_KEYS if isinstance(doc.get(k), list)), None)
        if nested is not None and not _pick(doc, BODY_KEYS):
            doc = nested
    if isinstance(doc, list):
        if not doc:
            raise LoadError("empty JSON list: no articles")
        _add_items(b, enumerate(doc))
    else:
        add_record(b, doc, None)
    return b.outcome


class _BadRun:
    """Counts records in a row that gave no article; says when to give the file up."""

    def __init__(self, b: Builder, what: str) -> None:
        self.b = b
        self.what = what
        self.run = 0
        self.articles = len(b.outcome.articles)

    def give_up(self, number: int) -> bool:
        """After record ``number`` (1-based): stop reading?"""
        now = len(self.b.outcome.articles)
        self.run = 0 if now > self.articles else self.run + 1
        self.articles = now
        if self.run <= MAX_BAD_RUN:
            return False
        self.b.problem(
            f"more than {MAX_BAD_RUN:,} {self.what} in a row are not articles; the rest of the file "
            f"(from {self.what[:-1]} {number + 1:,}) was not read",
            "degraded" if now else "skipped",
        )
        return True


def _add_items(b: Builder, items: Iterable[tuple[int, object]]) -> None:
    """The items of a JSON list as articles (each bad one a problem, counted past the
    Builder's cap), until MAX_BAD_RUN items in a row give none."""
    run = _BadRun(b, "items")
    for i, obj in items:
        add_record(b, obj, i)
        if run.give_up(i + 1):
            return


_WS = re.compile(r"[ \t\r\n]*")


def _skip_ws(text: str, pos: int) -> int:
    m = _WS.match(text, pos)
    return m.end() if m else pos


class _Stop(Exception):
    """The streamed document cannot be read further (the reason is the message)."""


_STRUCT = re.compile(r'["\[\]{}]')
_STRING_REST = re.compile(r'[^"\\]*(?:\\.[^"\\]*)*"', re.S)


def _value_end(text: str, pos: int) -> int:
    """Where the JSON value at ``pos`` ends, found without building it, so a value too big
    or too bracket-heavy to parse within budget is refused before it costs anything.
    Scalars end where ``raw_decode`` says; containers are walked bracket by bracket
    (strings jumped over by a linear regex)."""
    if text[pos] not in "[{":
        return -1  # a scalar: raw_decode it (numbers are short, strings cost their size)
    depth = nodes = 0
    limit = pos + MAX_RECORD_BYTES
    i = pos
    while True:
        m = _STRUCT.search(text, i, limit)
        if m is None:
            raise _Stop(_unclosed(text, limit, "a list or object"))
        ch = m.group()
        i = m.end()
        if ch == '"':
            s = _STRING_REST.match(text, i, limit)
            if s is None:
                raise _Stop(_unclosed(text, limit, "a string"))
            i = s.end()
            continue
        nodes += 1
        if nodes > MAX_RECORD_NODES:
            raise _Stop(f"a record with more than {MAX_RECORD_NODES:,} brackets")
        depth += 1 if ch in "[{" else -1
        if depth == 0:
            return i


def _unclosed(text: str, limit: int, what: str) -> str:
    if limit < len(text):
        return f"a record larger than {MAX_RECORD_BYTES // MB} MB"
    return f"invalid JSON ({what} is not closed)"


def _decode_at(text: str, pos: int) -> tuple[object, int]:
    end = _value_end(text, pos)
    try:
        if end < 0:
            return DECODER.raw_decode(text, pos)
        value, stop = DECODER.raw_decode(text[pos:end])
        return value, pos + stop
    except RecursionError as exc:
        raise _Stop("JSON nested too deeply") from exc
    except ValueError as exc:
        raise _Stop(f"invalid JSON ({getattr(exc, 'msg', exc)})") from exc


def _stream_items(text: str, pos: int) -> Iterator[tuple[int, object]]:
    """The items of the JSON list whose ``[`` is at ``pos``, one at a time."""
    pos = _skip_ws(text, pos + 1)
    if text[pos : pos + 1] == "]":
        return
    i = 0
    while True:
        value, pos = _decode_at(text, pos)
        yield i, value
        i += 1
        pos = _skip_ws(text, pos)
        sep = text[pos : pos + 1]
        if sep == "]":
            return
        if sep != ",":
            raise _Stop("invalid JSON (expected ',' or ']' between items)")
        pos = _skip_ws(text, pos + 1)


def _stream_document(b: Builder, text: str, pos: int, cut: bool) -> None:
    """A document too big to parse whole: a list of articles (or an object holding one
    under ``articles``, ``items``...: its other members are read but not kept), streamed,
    or one big article object. What comes before a syntax error (or the size cap) loads."""
    count_before = len(b.outcome.articles)
    try:
        if text[pos] == "[":
            _add_items(b, _stream_items(text, pos))
            return
        end = _stream_object(b, text, pos)
        if end < 0:
            return
        rest = _skip_ws(text, end)
        if rest < len(text):
            if text[rest] == "{":  # JSON Lines in a .json file
                b.outcome.articles.clear()  # the first line, read as the document
                b.outcome.text_keys.clear()
                load_jsonl_text(b, text)
                return
            raise _Stop("invalid JSON (extra data after the article object)")
    except _Stop as exc:
        if cut:
            return  # the cap cut the document: load_file reports the truncation
        if len(b.outcome.articles) == count_before:
            raise LoadError(str(exc)) from None
        b.problem(f"{exc}; the rest of the file was not read", "degraded")


def _stream_object(b: Builder, text: str, pos: int) -> int:
    """An object: its list of articles streamed (then ``-1``), or it is one article (then
    where it ends)."""
    members: dict[str, object] = {}
    pos = _skip_ws(text, pos + 1)
    while text[pos : pos + 1] != "}":
        if text[pos : pos + 1] != '"':
            raise _Stop("invalid JSON (expected a key)")
        key, pos = _decode_at(text, pos)
        pos = _skip_ws(text, pos)
        if text[pos : pos + 1] != ":":
            raise _Stop("invalid JSON (expected ':')")
        pos = _skip_ws(text, pos + 1)
        if key in LIST_KEYS and text[pos : pos + 1] == "[":
            _add_items(b, _stream_items(text, pos))
            return -1
        members[str(key)], pos = _decode_at(text, pos)
        pos = _skip_ws(text, pos)
        if text[pos : pos + 1] == ",":
            pos = _skip_ws(text, pos + 1)
        elif text[pos : pos + 1] != "}":
            raise _Stop("invalid JSON (expected ',' or '}' between members)")
    add_record(b, members, None)
    return pos + 1


def _add_line(b: Builder, line: str, entry: int) -> None:
    try:
        obj = loads(line)
    except RecursionError:
        b.problem(f"line {entry + 1}: JSON nested too deeply", "skipped", entry)
        return
    except ValueError as exc:
        reason = clean_line(getattr(exc, "msg", None) or str(exc), 120)
        b.problem(f"line {entry + 1}: invalid JSON ({reason})", "skipped", entry)
        return
    add_record(b, obj, entry)


def load_jsonl_text(b: Builder, text: str) -> LoadOutcome:
    run = _BadRun(b, "lines")
    for i, line in enumerate(text.split("\n")):
        if line.strip():
            _add_line(b, line, i)
            if run.give_up(i + 1):
                break
    return b.outcome


def load_jsonl_path(path: Path, fmt: str = "jsonl") -> LoadOutcome:
    """Stream a ``.jsonl`` file line by line; each line is capped at the per-file cap."""
    b = Builder(path, fmt)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError as exc:
        raise LoadError("file vanished during the scan") from exc
    except OSError as exc:
        raise LoadError(f"cannot open: {exc.strerror or exc}") from exc
    with io.BufferedReader(io.FileIO(fd, "rb"), buffer_size=MB) as fh:
        if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
            raise LoadError("not a regular file")
        head = fh.peek(4)[:4]
        if head.startswith((b"\xff\xfe", b"\xfe\xff")) or (len(head) >= 2 and 0 in head[:2]):
            # UTF-16 JSONL: rare, read it whole (capped) through the generic path.
            from newstui.core.loaders._common import decode, read_capped

            raw = read_capped(path, MAX_FILE_BYTES)
            text, problem = decode(raw)
            if problem:
                b.outcome.problems.append(problem)
            load_jsonl_text(b, text)
            return b.finish()
        entry = 0
        bad_encoding = False
        run = _BadRun(b, "lines")
        while True:
            line = fh.readline(MAX_FILE_BYTES + 1)
            if not line:
                break
            if b"\x00" in line:
                # JSON text never holds a raw NUL: binary data, or a hole in a sparse file.
                b.problem(
                    f"binary data (NUL bytes) at line {entry + 1:,}; the rest of the file "
                    "was not read",
                    "degraded" if b.outcome.articles else "skipped",
                )
                break
            if len(line) > MAX_FILE_BYTES and not line.endswith(b"\n"):
                skipped = len(line)
                while (more := fh.readline(MB)) and not more.endswith(b"\n"):
                    skipped += len(more)
                    if skipped > MAX_SKIP_BYTES:
                        break
                if skipped > MAX_SKIP_BYTES:
                    b.problem(
                        f"line {entry + 1:,} is longer than {MAX_SKIP_BYTES // MB} MB; "
                        "the rest of the file was not read",
                        "degraded" if b.outcome.articles else "skipped",
                    )
                    break
                b.problem(f"line longer than {MAX_FILE_BYTES // MB} MB; skipped", "skipped", entry)
                entry += 1
                continue
            if entry == 0 and line.startswith(b"\xef\xbb\xbf"):
                line = line[3:]
            if line.strip():
                try:
                    text = line.decode("utf-8")
                except UnicodeDecodeError:
                    bad_encoding = True
                    text = line.decode("cp1252", errors="replace")
                _add_line(b, text, entry)
                if run.give_up(entry + 1):
                    break
            entry += 1
    if bad_encoding:
        b.problem("not valid UTF-8; some lines decoded as cp1252", "degraded")
    return b.finish()
