"""HTML pages (``.html``, ``.htm``): readable text via trafilatura, metadata via selectolax.

Title from ``og:title``, else ``<title>``, else the first ``<h1>``; the body is the main
text without scripts, styles, navigation or boilerplate (trafilatura), falling back to the
page's visible text when trafilatura finds no main content.
"""

from __future__ import annotations

import re
from typing import Any

import trafilatura
from selectolax.lexbor import LexborHTMLParser, LexborNode

from newstui.core.loaders._common import Builder, LoadOutcome

_BLOCKS = (
    "p,div,li,ul,ol,h1,h2,h3,h4,h5,h6,tr,table,blockquote,pre,section,article,header,"
    "footer,figure,figcaption,dd,dt,hr"
)
_DROP = "script,style,noscript,iframe,object,embed,template,svg,canvas,nav,form,button,select"
_BLANKS = re.compile(r"[ \t]*\n[ \t]*\n(?:[ \t]*\n)+")
_SPACES = re.compile(r"[ \t\r\f\v]+")


def _meta(tree: LexborHTMLParser, *selectors: str) -> str:
    for sel in selectors:
        node = tree.css_first(sel)
        if node is None:
            continue
        value = node.attributes.get("content") if node.tag == "meta" else node.text()
        if node.tag == "link":
            value = node.attributes.get("href")
        if value and value.strip():
            return value.strip()
    return ""


def html_to_text(fragment: str) -> str:
    """Visible text of an HTML fragment (feed entry, fallback body): block elements become
    paragraphs, scripts/styles/iframes are dropped, entities decoded."""
    if "<" not in fragment and "&" not in fragment:
        return fragment
    tree = LexborHTMLParser(fragment)
    return _visible_text(tree.body or tree.root)


def _visible_text(root: LexborNode | None) -> str:
    if root is None:
        return ""
    for node in root.css(_DROP):
        node.decompose()
    for node in root.css("br"):
        node.insert_after("\n")
    for node in root.css(_BLOCKS):
        node.insert_before("\n\n")
        node.insert_after("\n\n")
    text = root.text(separator="")
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return _BLANKS.sub("\n\n", "\n".join(lines)).strip()


def load_html(b: Builder, text: str) -> LoadOutcome:
    tree = LexborHTMLParser(text)
    title = _meta(
        tree,
        'meta[property="og:title"]',
        'meta[name="twitter:title"]',
        "title",
        "h1",
    )
    author = _meta(tree, 'meta[name="author"]', 'meta[property="article:author"]')
    source = _meta(tree, 'meta[property="og:site_name"]', 'meta[name="application-name"]')
    date = _meta(
        tree,
        'meta[property="article:published_time"]',
        'meta[name="date"]',
        'meta[name="pubdate"]',
        'meta[itemprop="datePublished"]',
        "time[datetime]",
    )
    if not date:
        node = tree.css_first("time[datetime]")
        date = (node.attributes.get("datetime") or "") if node is not None else ""
    url = _meta(tree, 'meta[property="og:url"]', 'link[rel="canonical"]')
    if url and not url.startswith(("http://", "https://")):
        url = ""
    keywords = _meta(tree, 'meta[name="keywords"]', 'meta[name="news_keywords"]')
    body = ""
    try:
        extracted: Any = trafilatura.extract(
            text,
            include_comments=False,
            include_tables=True,
            include_images=False,
            include_links=False,
            deduplicate=False,
        )
        if isinstance(extracted, str):
            body = extracted
    except (ValueError, TypeError, RecursionError, AttributeError):
        body = ""
    if len(body.strip()) < 20:
        body = _visible_text(tree.body)
    else:
        # trafilatura puts one paragraph per line.
        body = "\n\n".join(line.strip() for line in body.split("\n") if line.strip())
    if title and body.startswith(title):
        body = body[len(title) :]
    b.add(
        title=title,
        body=body,
        author=author,
        source=source,
        date=date or None,
        url=url,
        tags=keywords,
    )
    return b.outcome
