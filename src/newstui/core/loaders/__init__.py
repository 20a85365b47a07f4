"""Article loaders, one module per format, chosen by extension (content sniffed where it lies).

``load_file(path)`` never raises for bad content: everything that goes wrong is a
:class:`~newstui.core.article.Problem` in the returned :class:`LoadOutcome`.

========================  =========================================  ==============
suffix                    module                                     ``format``
========================  =========================================  ==============
``.txt``                  :mod:`~newstui.core.loaders.plaintext`     ``text``
``.md``, ``.markdown``    :mod:`~newstui.core.loaders.markdown`      ``markdown``
``.html``, ``.htm``       :mod:`~newstui.core.loaders.htmlpage`      ``html``
``.json``                 :mod:`~newstui.core.loaders.jsonfile`      ``json``
``.jsonl``                :mod:`~newstui.core.loaders.jsonfile`      ``jsonl``
``.rss .atom .xml``       :mod:`~newstui.core.loaders.feed`          ``feed``
an SQLite file            :mod:`~newstui.core.loaders.newsboat`      ``newsboat``
========================  =========================================  ==============

A file of no known suffix that is an SQLite database is read as newsboat's ``cache.db``.
"""

from __future__ import annotations

from pathlib import Path

from newstui.core.article import Problem
from newstui.core.loaders._common import (
    MAX_FILE_BYTES,
    MAX_JSON_BYTES,
    TRUNCATED_MARKER,
    Builder,
    LoadError,
    LoadOutcome,
    decode,
    looks_binary,
    read_capped,
    truncation_problem,
)
from newstui.core.loaders.feed import looks_like_feed, parse_feed
from newstui.core.loaders.htmlpage import load_html
from newstui.core.loaders.jsonfile import load_json, load_jsonl_path, load_jsonl_text
from newstui.core.loaders.markdown import load_markdown
from newstui.core.loaders.newsboat import is_sqlite_file, load_newsboat
from newstui.core.loaders.plaintext import load_text
from newstui.core.text import clean_text

__all__ = [
    "MAX_FILE_BYTES",
    "MAX_JSON_BYTES",
    "SUPPORTED_SUFFIXES",
    "TRUNCATED_MARKER",
    "LoadOutcome",
    "format_for",
    "load_bytes",
    "load_file",
]

FORMATS: dict[str, str] = {
    ".txt": "text",
    ".text": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".rss": "feed",
    ".atom": "feed",
    ".xml": "feed",
}
SUPPORTED_SUFFIXES = frozenset(FORMATS)


def format_for(path: Path) -> str | None:
    """The format a file's suffix promises (``None``: not an article file)."""
    return FORMATS.get(path.suffix.lower())


def _sniff(data: bytes, declared: str) -> str:
    """The format the content really has, when the suffix lies about it."""
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    xmlish = head.startswith((b"<?xml", b"<rss", b"<feed", b"<rdf"))
    if declared != "feed" and xmlish and looks_like_feed(data):
        return "feed"
    if declared == "feed" and not looks_like_feed(data):
        if head.startswith((b"<!doctype html", b"<html")):
            return "html"
        return "not-a-feed"
    if declared in ("text", "markdown") and head.startswith((b"<!doctype html", b"<html")):
        return "html"
    return declared


def load_bytes(
    data: bytes, path: Path, *, truncated: bool = False, fmt: str | None = None
) -> LoadOutcome:
    """Load articles from ``data`` as if read from ``path`` (fetchers use this for feeds).

    Never raises for bad content.
    """
    declared = fmt or format_for(path) or "text"
    try:
        return _load_bytes(data, path, declared, truncated)
    except LoadError as exc:
        return LoadOutcome(problems=[Problem(path, str(exc), "skipped")])
    except RecursionError:
        return LoadOutcome(problems=[Problem(path, "nested too deeply to read", "skipped")])
    except MemoryError:
        return LoadOutcome(problems=[Problem(path, "too large to read", "skipped")])
    except Exception as exc:  # a parser bug must not stop the scan
        return LoadOutcome(
            problems=[
                Problem(path, f"could not be read ({type(exc).__name__}: {exc})"[:200], "skipped")
            ]
        )


def _load_bytes(data: bytes, path: Path, declared: str, truncated: bool) -> LoadOutcome:
    if not data.strip():
        raise LoadError("empty file")
    if looks_binary(data):
        raise LoadError("binary data, not text (NUL or control bytes)")
    kind = _sniff(data, declared)
    if kind == "not-a-feed":
        raise LoadError("XML file that is not an RSS/Atom feed")
    b = Builder(path, kind, truncated=truncated)
    _parse(b, data, kind, truncated)
    return b.finish()


def _parse(b: Builder, data: bytes, kind: str, truncated: bool) -> None:
    if kind == "feed":
        # A cut feed is still parsed (leniently); its entries are complete or absent.
        b.truncated = False
        parse_feed(b, data)
        return
    raw_text, problem = decode_bytes(data, b.path, truncated)
    if problem is not None:
        b.outcome.problems.append(problem)
    if kind in ("text", "markdown"):
        # Sanitised before parsing, so escapes cannot break a header or YAML front matter.
        raw_text = clean_text(raw_text)
    if kind == "markdown":
        load_markdown(b, raw_text)
    elif kind == "html":
        load_html(b, raw_text)
    elif kind == "json":
        load_json(b, raw_text)
    elif kind == "jsonl":
        b.truncated = False
        lines = raw_text.split("\n")
        if truncated and lines:
            lines.pop()  # the last line was cut by the cap
        load_jsonl_text(b, "\n".join(lines))
    else:
        load_text(b, raw_text)


def decode_bytes(data: bytes, path: Path, truncated: bool = False) -> tuple[str, Problem | None]:
    from newstui.core.loaders._common import RawFile

    return decode(RawFile(path, data, len(data), truncated))


def load_file(path: Path) -> LoadOutcome:
    """Load every article in one file. Never raises for bad content: it reports a Problem.

    Files are read up to :data:`MAX_FILE_BYTES` (JSON: 64 MB; JSONL is streamed line by
    line); a longer text, Markdown or HTML file loads truncated, its body ending in
    ``[truncated]``, with a ``degraded`` Problem.
    """
    fmt = format_for(path)
    if fmt is None and is_sqlite_file(path):
        return load_newsboat(path)
    declared = fmt or "text"
    try:
        if declared == "jsonl":
            return load_jsonl_path(path)
        cap = MAX_JSON_BYTES if declared == "json" else MAX_FILE_BYTES
        raw = read_capped(path, cap)
    except LoadError as exc:
        return LoadOutcome(problems=[Problem(path, str(exc), "skipped")])
    except Exception as exc:
        return LoadOutcome(
            problems=[
                Problem(path, f"could not be read ({type(exc).__name__}: {exc})"[:200], "skipped")
            ]
        )
    outcome = load_bytes(raw.data, path, truncated=raw.truncated, fmt=declared)
    if raw.truncated and (outcome.articles or not outcome.problems):
        outcome.problems.append(truncation_problem(raw, cap))
    return outcome
