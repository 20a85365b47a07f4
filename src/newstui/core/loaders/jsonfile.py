"""JSON articles: ``.json`` (one article object, a list of them, or ``{"articles": [...]}``)
and ``.jsonl`` (one article object per line, streamed: 100k lines is a normal input).

Keys: ``title``; ``body`` (or ``content``, ``text``, ``description``, ``summary``);
``author``; ``date`` (or ``published``, ``pubDate``, ...: ISO, RFC 822 or epoch numbers);
``source``; ``url`` (or ``link``); ``tags`` (or ``keywords``, ``categories``). Values of the
wrong type are ignored with a note, never crash the load.
"""

from __future__ import annotations

import io
import json
import os
import stat
from collections.abc import Mapping
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
MAX_PROBLEMS_PER_FILE = 50


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


def load_json(b: Builder, text: str) -> LoadOutcome:
    try:
        doc = json.loads(text)
    except RecursionError as exc:
        raise LoadError("JSON nested too deeply") from exc
    except ValueError as exc:
        if b.truncated:
            raise LoadError(
                "JSON file too large to read whole (cap "
                f"{loaders_cap() / MB:.0f} MB); use .jsonl for large collections"
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
        for i, obj in enumerate(doc):
            add_record(b, obj, i)
    else:
        add_record(b, doc, None)
    _limit_problems(b)
    return b.outcome


def loaders_cap() -> int:
    from newstui.core import loaders  # the package, where tests may lower the cap

    return loaders.MAX_JSON_BYTES


def _limit_problems(b: Builder) -> None:
    probs = b.outcome.problems
    if len(probs) > MAX_PROBLEMS_PER_FILE:
        extra = len(probs) - MAX_PROBLEMS_PER_FILE
        del probs[MAX_PROBLEMS_PER_FILE:]
        b.problem(f"... and {extra} more problems in this file", "degraded")


def _add_line(b: Builder, line: str, entry: int) -> None:
    try:
        obj = json.loads(line)
    except RecursionError:
        b.problem(f"line {entry + 1}: JSON nested too deeply", "skipped", entry)
        return
    except ValueError as exc:
        reason = clean_line(getattr(exc, "msg", None) or str(exc), 120)
        b.problem(f"line {entry + 1}: invalid JSON ({reason})", "skipped", entry)
        return
    add_record(b, obj, entry)


def load_jsonl_text(b: Builder, text: str) -> LoadOutcome:
    for i, line in enumerate(text.split("\n")):
        if line.strip():
            _add_line(b, line, i)
    _limit_problems(b)
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
            return load_jsonl_text(b, text)
        entry = 0
        bad_encoding = False
        while True:
            line = fh.readline(MAX_FILE_BYTES + 1)
            if not line:
                break
            if len(line) > MAX_FILE_BYTES and not line.endswith(b"\n"):
                while (more := fh.readline(MB)) and not more.endswith(b"\n"):
                    pass
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
            entry += 1
    if bad_encoding:
        b.problem("not valid UTF-8; some lines decoded as cp1252", "degraded")
    _limit_problems(b)
    return b.outcome
