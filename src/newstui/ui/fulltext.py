"""The reader's full text: ``x`` extracts the open article's web page now (or shows the text
kept from before), ``x`` again goes back to the feed's text; articles of ``on-open`` feeds
are extracted when opened. Extracted texts live in newstui's data folder
(:class:`~newstui.core.fetch.fulltext.FullTextStore`), never in the user's files.

Fetching and extracting run in a thread worker (group ``full-text``); the answer is applied
only if the reader still shows the same article. A failure is a notification saying why,
and the feed's text stays.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from newstui.core.article import Article

if TYPE_CHECKING:
    # the fetch package (httpx, trafilatura) is imported on first use, not before the
    # app's first frame
    from newstui.core.fetch.fulltext import FullTextStore
    from newstui.ui.widgets.reader import Reader


def marker_line() -> str:
    """The line above an extracted text in the reader (Markdown, as the extracted text is)."""
    from newstui.core.fetch.fulltext import MARKER

    return f"*{MARKER} · x shows the feed's text*"


def _has_web_address(article: Article) -> bool:
    return article.url.strip().lower().startswith(("http://", "https://"))


class FullText:
    """One reader's full-text state."""

    def __init__(self, reader: Reader) -> None:
        self.reader = reader
        #: the article as loaded (the feed's text) while an extracted copy is shown
        self.original: Article | None = None
        #: the extracted copy on screen, if any
        self.extracted: Article | None = None
        #: ids the user switched back to the feed's text (this session)
        self.feed_text: set[str] = set()
        self._store: FullTextStore | None = None

    @property
    def store(self) -> FullTextStore:
        if self._store is None:
            from newstui.core.fetch.fulltext import FullTextStore

            self._store = FullTextStore()
        return self._store

    @property
    def showing_extracted(self) -> bool:
        return self.extracted is not None and self.reader.article is self.extracted

    def _settings(self) -> object:
        return getattr(self.reader.app, "settings", None)

    def _on_open_configured(self) -> bool:
        settings = self._settings()
        if getattr(settings, "full_text", "never") == "on-open":
            return True
        return "on-open" in (getattr(settings, "feed_full_text", None) or {}).values()

    # --- the reader's hooks ---------------------------------------------------------------
    def shown(self, article: Article | None) -> Article | None:
        """Called by ``Reader.show``: the article to lay out (the extracted copy when it is
        the one being put on screen); starts loading kept or on-open text in a worker."""
        if article is not None and article is self.extracted:
            return article
        self.original = article
        self.extracted = None
        if article is None or article.id in self.feed_text:
            return article
        kept = self.store.path(article.id).exists()  # one stat: the read is in the worker
        if kept or (_has_web_address(article) and self._on_open_configured()):
            self._start(article, extract=not kept, on_open=not kept, announce=False)
        return article

    def toggle(self) -> None:
        """``x``: the full text (kept, else extracted now), or back to the feed's text."""
        reader = self.reader
        article = self.original if self.original is not None else reader.article
        if article is None:
            return
        if self.showing_extracted:
            self.feed_text.add(article.id)
            self.extracted = None
            reader.show(article, reader.terms, line=0)
            reader.notify("Showing the feed's text (x: the full text)", timeout=3)
            return
        self.feed_text.discard(article.id)
        if self.store.path(article.id).exists():
            self._start(article, extract=False, on_open=False, announce=True)
            return
        if not _has_web_address(article):
            reader.notify(
                "No full text: this article has no web address", severity="warning", timeout=4
            )
            return
        reader.notify("Extracting the full text…", timeout=3)
        self._start(article, extract=True, on_open=False, announce=True)

    # --- the worker -----------------------------------------------------------------------
    def _start(self, article: Article, *, extract: bool, on_open: bool, announce: bool) -> None:
        settings = self._settings()
        timeout = float(getattr(settings, "fetch_timeout", 30.0) or 30.0)

        def work() -> None:
            text, error = self._work(article, extract=extract, on_open=on_open, timeout=timeout)
            self.reader.app.call_from_thread(self._done, article, text, error, announce)

        self.reader.run_worker(work, thread=True, exclusive=True, group="full-text")

    def _work(
        self, article: Article, *, extract: bool, on_open: bool, timeout: float
    ) -> tuple[str | None, str | None]:
        """(text, None) or (None, why); ``(None, None)``: nothing to do (not on-open)."""
        store = self.store
        if not extract:
            text = store.get(article.id)
            return (text, None) if text else (None, "the kept full text could not be read")
        if on_open:
            from newstui.core.fetch.fulltext import feed_url_of, full_text_mode

            if full_text_mode(self._settings(), feed_url_of(article.path)) != "on-open":
                return None, None
        from newstui.core.fetch.fulltext import FullTextError, extract_full_text
        from newstui.core.fetch.http import HttpOptions

        try:
            text = extract_full_text(article.url.strip(), HttpOptions(timeout=timeout))
        except FullTextError as exc:
            return None, str(exc)
        try:
            store.put(article.id, text)
        except OSError as exc:  # shown all the same; only keeping it failed
            self.reader.app.call_from_thread(
                self.reader.notify,
                f"The full text could not be kept: {exc.strerror or exc}",
                severity="warning",
            )
        return text, None

    def _done(self, article: Article, text: str | None, error: str | None, announce: bool) -> None:
        reader = self.reader
        if self.original is not article or reader.article is not article:
            return  # the reader moved on
        if error:
            reader.notify(
                f"No full text: {error}. Showing the feed's text.",
                title="Full text",
                severity="warning",
                markup=False,
                timeout=6,
            )
            return
        if not text:
            return
        self.extracted = dataclasses.replace(
            article,
            body=f"{marker_line()}\n\n{text}",
            format="markdown",
            truncated=False,
            word_count=-1,
        )
        line = 0 if announce else int(reader.scroll_y)
        reader.show(self.extracted, reader.terms, line=line)
        if announce:
            reader.notify("Showing the full text (x: the feed's text)", timeout=3)
