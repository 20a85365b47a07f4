"""The article model shared by every part of newstui."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from newstui.core.text import clean_line, display_path

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    import numpy as np
    import numpy.typing as npt

WORDS_PER_MINUTE = 230
_WORD_RE = re.compile(r"\S+")


def _digest(*parts: str) -> str:
    h = hashlib.blake2b(digest_size=8)
    for part in parts:
        h.update(part.encode("utf-8", "surrogatepass"))
        h.update(b"\x00")
    return h.hexdigest()


def make_article_id(*, url: str = "", title: str = "", body: str = "") -> str:
    """A stable 16-hex-digit id.

    The id depends on the article, not on where its file lies: the URL when there is one,
    else the whitespace-normalised title and body. So the same file gives the same id on
    every run, and moving or renaming a file keeps its id (and with it its reading state).
    """
    url = url.strip()
    if url:
        return _digest("url", url)
    # " ".join(s.split()) == re.sub(r"\s+", " ", s).strip(), several times faster.
    return text_digest(" ".join(title.split()), " ".join(body.split()))


_CHUNK = 256 * 1024
_WS_RE = re.compile(r"\s")


def text_digest_and_count(title: str, body: str) -> tuple[str, int]:
    """``text_digest`` of the normalised title and body, and the body's word count.

    Same result as ``text_digest(" ".join(title.split()), " ".join(body.split()))`` with
    ``len(body.split())``, but a big body is walked in chunks so memory stays bounded
    (``split()`` of an 8 MB body makes ~1.6 million word objects: +170 MB).
    """
    norm_title = " ".join(title.split())
    if len(body) <= _CHUNK:
        words = body.split()
        return text_digest(norm_title, " ".join(words)), len(words)
    h = hashlib.blake2b(digest_size=8)
    for part in ("text", norm_title.casefold()):
        h.update(part.encode("utf-8", "surrogatepass"))
        h.update(b"\x00")
    count = 0
    pos, n = 0, len(body)
    while pos < n:
        end = pos + _CHUNK
        if end < n:
            m = _WS_RE.search(body, end)
            end = m.start() if m else n
        words = body[pos:end].split()
        if words:
            if count:
                h.update(b" ")
            h.update(" ".join(words).casefold().encode("utf-8", "surrogatepass"))
            count += len(words)
        pos = end
    h.update(b"\x00")
    return h.hexdigest(), count


def text_digest(norm_title: str, norm_body: str) -> str:
    """The id of an article without URL, from its whitespace-normalised title and body
    (``" ".join(text.split())``); also the key for spotting duplicate texts."""
    return _digest("text", norm_title.casefold(), norm_body.casefold())


def count_words(text: str) -> int:
    """Whitespace-separated words (``str.split``: same words as ``\\S+``, ~10x faster)."""
    if len(text) > _CHUNK:
        return sum(1 for _ in _WORD_RE.finditer(text))  # no list of millions of words
    return len(text.split())


@dataclass(slots=True, eq=False)
class Article:
    """One news article, whatever file it came from.

    ``title`` and ``body`` are plain, sanitised text (no control characters); ``body``
    keeps Markdown for Markdown articles (``format == "markdown"``) so the reader can
    render it. ``path`` is the file the article came from; ``entry`` is its position in
    that file when the file holds several (JSON list, JSONL, feed), else ``None``.
    """

    id: str
    title: str
    body: str
    format: str
    path: Path | None = None
    entry: int | None = None
    author: str = ""
    source: str = ""
    published: datetime | None = None
    url: str = ""
    tags: tuple[str, ...] = ()
    truncated: bool = False
    word_count: int = field(default=-1)

    def __post_init__(self) -> None:
        if self.word_count < 0:
            self.word_count = count_words(self.body)

    @property
    def reading_minutes(self) -> int:
        """Minutes to read at ~230 words a minute, at least 1."""
        return max(1, round(self.word_count / WORDS_PER_MINUTE))

    @property
    def location(self) -> str:
        """Where the article lives, for messages: ``path`` or ``path#N`` for the N-th record
        of the file, counted from 1 like :attr:`Problem.entry` (safe to print: see
        :func:`newstui.core.text.display_path`)."""
        where = display_path(self.path) if self.path is not None else "<memory>"
        return where if self.entry is None else f"{where}#{self.entry + 1}"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Article):
            return NotImplemented
        return self.id == other.id

    def __hash__(self) -> int:
        return hash(self.id)


class BodySource(Protocol):
    """Where a :class:`StoredArticle` reads its body: the library cache's body store."""

    def body(self, row: int) -> str: ...

    def size(self, row: int) -> int: ...

    def sizes(self, rows: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]: ...

    def raw(self, row: int) -> bytes: ...


def body_size(a: Article) -> int:
    """The body's length in UTF-8 bytes; a stored body's is known without reading it."""
    if isinstance(a, StoredArticle):
        row = a.body_row
        source = a._source
        if row is not None and source is not None:
            return source.size(row)
    return len(a.body.encode("utf-8", "surrogatepass"))


# The slot behind Article.body (dataclass(slots=True) makes one per field).
_BODY_SLOT: Any = Article.__dict__["body"]


def stored_ascii_body(a: Article) -> bytes | None:
    """A stored article's body as its bytes on disk when they are all ASCII (then equal to
    ``a.body.encode()``), read without decoding; None for any other article or body."""
    if not isinstance(a, StoredArticle):
        return None
    row = a.body_row
    source = a._source
    if row is None or source is None:
        return None
    raw = source.raw(row)
    return raw if raw.isascii() else None


def body_sizes(articles: Sequence[Article]) -> npt.NDArray[np.int64]:
    """:func:`body_size` of every article: a warm library's (stored articles of one cache,
    bodies unread) from its body store's offsets at once, not an article at a time."""
    import numpy as np

    n = len(articles)
    kinds = set(map(type, articles))
    if len(kinds) == 1:
        (kind,) = kinds
        source: BodySource | None = getattr(kind, "_source", None)
        if issubclass(kind, StoredArticle) and source is not None:
            raw = list(map(_BODY_SLOT.__get__, articles))  # rows, or texts once set
            if all(map(int.__instancecheck__, raw)):
                return source.sizes(np.array(raw, np.int64))
    return np.fromiter(map(body_size, articles), np.int64, n)


def article_ids(articles: Sequence[Article]) -> list[str]:
    """Every article's id, in order: a warm library's rows give theirs without making an
    article each (``ids()``: see :mod:`newstui.core.library.rows`)."""
    ids: Callable[[], list[str]] | None = getattr(articles, "ids", None)
    if ids is not None:
        return ids()
    return [a.id for a in articles]


def ids_at(articles: Sequence[Article], positions: list[int]) -> list[str]:
    """The ids of the articles at ``positions`` (a warm library's rows: no article made)."""
    at: Callable[[list[int]], list[str]] | None = getattr(articles, "ids_at", None)
    if at is not None:
        return at(positions)
    return [articles[i].id for i in positions]


def paths_at(articles: Sequence[Article], positions: list[int]) -> list[Path | None]:
    """The files of the articles at ``positions`` (a warm library's rows: none made)."""
    at: Callable[[list[int]], list[Path | None]] | None = getattr(articles, "paths_at", None)
    if at is not None:
        return at(positions)
    return [articles[i].path for i in positions]


class StoredArticle(Article):
    """An :class:`Article` whose body stays on disk until it is read (issue 13).

    A warm library holds a million of these: id, title and metadata in memory, the body a
    row number in the cache's body store (a mapped file) until ``body`` is read (the
    reader, a snippet, an export). Each cache makes a subclass of its own whose
    ``_source`` is its body store (:meth:`bound_to`), so no article carries a reference of
    its own. Setting ``body`` to a string keeps that string, as any Article would.
    """

    __slots__ = ()
    _source: ClassVar[BodySource | None] = None

    @classmethod
    def bound_to(cls, source: BodySource) -> type[StoredArticle]:
        """A subclass reading its bodies from ``source``: build it with the body's row in
        the store (an ``int``) where an Article takes its body text."""
        return type("StoredArticle", (cls,), {"__slots__": (), "_source": source})

    @property
    def body(self) -> str:
        value = _BODY_SLOT.__get__(self, Article)
        if type(value) is int:
            source = self._source
            return "" if source is None else source.body(value)
        text: str = value
        return text

    @body.setter
    def body(self, value: str | int) -> None:
        _BODY_SLOT.__set__(self, value)

    @property
    def body_row(self) -> int | None:
        """The body's row in the store, or None once the body was set as text."""
        value = _BODY_SLOT.__get__(self, Article)
        return value if type(value) is int else None


@dataclass(slots=True, frozen=True)
class Problem:
    """A file (or entry) that was skipped or loaded in a degraded way, and why.

    ``kind`` is ``"skipped"`` (nothing loaded), ``"degraded"`` (loaded, but something was
    lost or guessed: encoding fallback, truncation, bad date) or ``"duplicate"``.
    ``path`` is always the file; ``entry`` is the record within it (a JSONL line, a feed
    entry, a JSON list item; 1-based, so ``Article.entry + 1``) when the problem is about
    one record, else ``None``.

    ``count`` is how many records the problem stands for: 1, except for the one Problem that
    closes a file's list of record problems when there were too many to keep one each
    (memory): it says "and N more records with problems", its ``entry`` is the first of
    them and its ``count`` is N, so :func:`newstui.core.problems.summarize` counts truly.
    """

    path: Path
    reason: str
    kind: str = "skipped"
    entry: int | None = None
    count: int = 1

    @property
    def display_path(self) -> str:
        """Where, safe to print (file names can hold escape sequences and non-UTF-8 bytes):
        the file, and ``#N`` for a record within it."""
        where = display_path(self.path)
        return where if self.entry is None else f"{where}#{self.entry}"

    def __str__(self) -> str:
        return f"{self.display_path}: {clean_line(self.reason)}"
