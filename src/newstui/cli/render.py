"""Render one article for the terminal (``newstui show``)."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.markdown import Markdown
from rich.rule import Rule
from rich.text import Text

from newstui.core.article import Article


def byline(article: Article) -> str:
    parts = [article.author, article.source]
    if article.published:
        parts.append(article.published.strftime("%Y-%m-%d %H:%M"))
    parts.append(f"{article.reading_minutes} min read")
    return " · ".join(p for p in parts if p)


def render_article(article: Article) -> RenderableType:
    head = Text(article.title, style="bold")
    items: list[RenderableType] = [head, Text(byline(article), style="dim")]
    if article.url:
        items.append(Text(article.url, style="underline"))
    items.append(Rule(style="dim"))
    if article.format == "markdown":
        # Markdown text is data: rich's Markdown renders it without console markup, and
        # links are shown as text with their URL, never as terminal hyperlinks (OSC 8).
        items.append(Markdown(article.body, hyperlinks=False))
    else:
        items.append(Text(article.body))
    return Group(*items)
