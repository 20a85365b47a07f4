"""Render one article for the terminal (``newstui show``): the reader pane's rendering
(:mod:`newstui.ui.render`: the same byline, Markdown within a budget, code highlighted within
a budget), printed whole."""

from __future__ import annotations

from rich.console import RenderableType

from newstui.core.article import Article
from newstui.ui.render import article_renderable


def render_article(article: Article) -> RenderableType:
    return article_renderable(article)
