"""The byline under an article's title, one rule for the reader pane and ``newstui show``.

``"Jane Doe · Reuters · 1987-02-26 15:01 · 3 min read"``:

- the author, then the source, each on one line (cleaned: no control characters); an author
  who is also the source (``newstui · newstui``, compared case-insensitively) is said once;
- the date, with the time only when the article has one: a date-only source (``2026-11-26``)
  is read as midnight, and midnight exactly is shown as the date alone rather than a time the
  file does not have;
- the reading time.
"""

from __future__ import annotations

from datetime import datetime

from newstui.core.article import Article
from newstui.core.text import clean_line

__all__ = ["byline", "byline_parts", "date_text"]


def date_text(published: datetime | None) -> str:
    """``YYYY-MM-DD HH:MM``, or ``YYYY-MM-DD`` when the time is midnight exactly (a date
    without a time), or ``""`` without a date."""
    if published is None:
        return ""
    if (published.hour, published.minute, published.second, published.microsecond) == (
        0,
        0,
        0,
        0,
    ):
        return published.strftime("%Y-%m-%d")
    return published.strftime("%Y-%m-%d %H:%M")


def byline_parts(article: Article) -> list[str]:
    """The byline's non-empty parts, in order."""
    author = clean_line(article.author)
    source = clean_line(article.source)
    if author and source and author.casefold() == source.casefold():
        source = ""
    parts = [author, source, date_text(article.published), f"{article.reading_minutes} min read"]
    return [p for p in parts if p]


def byline(article: Article) -> str:
    """The byline as one line: the parts joined with ``" · "``."""
    return " · ".join(byline_parts(article))
