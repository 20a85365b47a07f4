"""An article's full text from its web page (trafilatura), on demand, kept for offline reading.

- :func:`page_markdown` - fetch a page and extract its article text as Markdown, through the
  same request limits (:func:`~newstui.core.fetch.http.http_get`: http(s) only, size cap,
  one deadline) and parser budgets (page size, nesting depth) as ``fetch --full-text``,
  which calls it too.
- :func:`extract_full_text` - the same with a client of its own (the reader's ``x`` and
  "on-open" feeds, from a thread worker).
- :class:`FullTextStore` - the extracted texts in newstui's data folder
  (``data_dir()/fulltext/<hash of the article id>.md``), written atomically; the user's
  article files are never touched.

Which articles get their full text is the settings' business (``full_text`` globally or per
feed: ``always`` at fetch time, ``on-open`` when the reader opens one, ``never``):
:func:`full_text_mode`.
"""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path

import httpx

from newstui.core.atomic import write_atomic
from newstui.core.fetch.http import Cancelled, FetchError, HttpOptions, http_get, make_client
from newstui.core.fetch.text import tidy_markdown
from newstui.core.paths import data_dir
from newstui.core.settings.validate import FULL_TEXT_MODES

PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"
#: The largest extracted text kept (and read back) for one article.
MAX_STORED_BYTES = 4 * 1024 * 1024
MODES = FULL_TEXT_MODES
#: Bytes of an article file read to find its front matter's ``feed_url``.
FRONT_MATTER_BYTES = 64 * 1024
#: The Markdown line the reader shows above an extracted text.
MARKER = "full text (extracted)"


class FullTextError(Exception):
    """No full text: ``str()`` says why, in one line."""


def page_markdown(
    client: httpx.Client,
    url: str,
    opts: HttpOptions,
    *,
    cancel: threading.Event | None = None,
) -> str:
    """The article text of the page at ``url`` as Markdown; raises :class:`FullTextError`
    saying why not (or ``Cancelled``)."""
    try:
        resp = http_get(client, url, opts, accept=PAGE_ACCEPT, cancel=cancel)
    except FetchError as exc:
        raise FullTextError(f"page not fetched: {exc}") from None
    ctype = resp.content_type.split(";")[0].strip().lower()
    if ctype and ctype not in ("text/html", "application/xhtml+xml", "text/plain"):
        raise FullTextError(f"the page is {ctype}, not HTML")
    from newstui.core.loaders.htmlpage import MAX_DEPTH, MAX_EXTRACT_CHARS, nesting_depth

    if len(resp.content) > MAX_EXTRACT_CHARS:
        # trafilatura costs about a second and 50 MB per MB of page
        raise FullTextError(f"the page is larger than {MAX_EXTRACT_CHARS // (1024 * 1024)} MB")
    page = resp.content.decode("utf-8", "replace")
    if nesting_depth(page) > MAX_DEPTH:
        raise FullTextError(f"the page's HTML is nested more than {MAX_DEPTH} levels deep")
    try:
        import trafilatura

        text = trafilatura.extract(
            resp.content,
            url=resp.url,
            output_format="markdown",
            include_links=True,
            include_images=False,
            include_tables=True,
            include_comments=False,
        )
    except (Exception, RecursionError) as exc:  # an extractor bug must not fail the caller
        raise FullTextError(f"extraction failed: {type(exc).__name__}") from None
    if not text or not text.strip():
        raise FullTextError("no article text found on the page")
    return tidy_markdown(text)


def extract_full_text(
    url: str, opts: HttpOptions | None = None, *, cancel: threading.Event | None = None
) -> str:
    """:func:`page_markdown` with a client of its own. Blocking: call it from a thread."""
    if not url.strip():
        raise FullTextError("this article has no web address")
    opts = opts or HttpOptions()
    client = make_client(opts, pool=1)
    try:
        return page_markdown(client, url, opts, cancel=cancel)
    except Cancelled:
        raise FullTextError("cancelled") from None
    finally:
        client.close()


class FullTextStore:
    """Extracted texts by article id, in ``folder`` (default ``data_dir()/fulltext``)."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder if folder is not None else data_dir() / "fulltext"

    def path(self, article_id: str) -> Path:
        key = hashlib.blake2b(article_id.encode("utf-8", "surrogatepass"), digest_size=16)
        return self.folder / f"{key.hexdigest()}.md"

    def get(self, article_id: str) -> str | None:
        """The stored text, or ``None`` (none stored, unreadable, or over the size cap)."""
        path = self.path(article_id)
        try:
            with path.open("rb") as fh:
                data = fh.read(MAX_STORED_BYTES + 1)
        except OSError:
            return None
        if len(data) > MAX_STORED_BYTES or not data.strip():
            return None
        return data.decode("utf-8", "replace")

    def put(self, article_id: str, text: str) -> Path:
        """Keep ``text`` (cut to the size cap) for ``article_id``; atomic. Raises ``OSError``."""
        data = text.encode("utf-8", "replace")[:MAX_STORED_BYTES]
        path = self.path(article_id)
        write_atomic(path, data.decode("utf-8", "ignore"), create_folder=True, refuse_links=True)
        return path


def full_text_mode(settings: object, feed_url: str) -> str:
    """``always``, ``never`` or ``on-open`` for an article of the feed ``feed_url`` (``""``:
    not from a configured feed): the feed's own ``full_text`` setting, else the global one."""
    per_feed = getattr(settings, "feed_full_text", None) or {}
    mode = per_feed.get(feed_url) if feed_url else None
    if mode is None:
        mode = getattr(settings, "full_text", "never")
    return str(mode) if mode in MODES else "never"


def feed_url_of(path: Path | None) -> str:
    """The ``feed_url`` a file written by ``newstui fetch`` names in its front matter, or
    ``""``. Reads at most :data:`FRONT_MATTER_BYTES`; one linear pass over the lines."""
    if path is None:
        return ""
    try:
        with path.open("rb") as fh:
            head = fh.read(FRONT_MATTER_BYTES).decode("utf-8", "replace")
    except OSError:
        return ""
    lines = head.split("\n")
    if not lines or lines[0].strip() != "---":
        return ""
    for line in lines[1:]:
        if line.strip() == "---":
            break
        if line.startswith("feed_url:"):
            import yaml

            try:
                value = yaml.safe_load(line[len("feed_url:") :])
            except yaml.YAMLError:
                return ""
            return value.strip() if isinstance(value, str) else ""
    return ""


def fetch_full_text_feeds(settings: object, sources: list[str]) -> frozenset[str]:
    """The sources of ``sources`` whose entries ``fetch`` extracts (mode ``always``)."""
    return frozenset(s for s in sources if full_text_mode(settings, s) == "always")


__all__ = [
    "MARKER",
    "MAX_STORED_BYTES",
    "MODES",
    "FullTextError",
    "FullTextStore",
    "extract_full_text",
    "feed_url_of",
    "fetch_full_text_feeds",
    "full_text_mode",
    "page_markdown",
]
