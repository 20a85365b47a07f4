"""HTML pages (``.html``, ``.htm``): readable text via trafilatura, metadata via selectolax.

Title from ``og:title``, else ``<title>``, else the first ``<h1>``; the body is the main
text without scripts, styles, navigation or boilerplate (trafilatura), falling back to the
page's visible text when trafilatura finds no main content. Navigation is removed before
either sees the page (``<nav>``, menus, link bars such as ``Home | About``), and so is an
``<h1>`` that repeats the title.
"""

from __future__ import annotations

import re
from typing import Any

import trafilatura
from selectolax.lexbor import LexborHTMLParser, LexborNode

from newstui.core.loaders._common import MB, Builder, LoadError, LoadOutcome

_BLOCKS = (
    "p,div,li,ul,ol,h1,h2,h3,h4,h5,h6,tr,table,blockquote,pre,section,article,header,"
    "footer,figure,figcaption,dd,dt,hr"
)
_DROP = "script,style,noscript,iframe,object,embed,template,svg,canvas,nav,form,button,select"
_BLANKS = re.compile(r"\n{3,}")  # lines are stripped first: no spaces around newlines
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


# Lexbor takes time quadratic in nesting depth (100k nested <div>: 12 s); real pages
# nest a few dozen levels. trafilatura costs ~1 s a MB: bigger pages get the plain
# visible text (still without scripts, styles, navigation and forms).
MAX_DEPTH = 256
MAX_EXTRACT_CHARS = 1024 * 1024
MAX_HTML_CHARS = 2 * 1024 * 1024
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9]*")
# Elements with no end tag, or whose end tag HTML lets one omit: never counted as nesting.
_VOID = frozenset(
    {
        *("area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta"),
        *("param", "source", "track", "wbr", "p", "li", "td", "tr", "th", "option", "dt", "dd"),
    }
)
_FOREIGN = frozenset({"svg", "math"})  # inside these, <x/> really closes itself
_RAW_END = {name: re.compile(f"</{name}", re.I) for name in ("script", "style", "textarea", "xmp")}


def nesting_depth(text: str, limit: int = MAX_DEPTH) -> int:
    """Maximum element nesting of ``text`` as an HTML parser would build it (stops counting
    past ``limit``), in time linear in ``len(text)`` whatever the input.

    A scanner, not a regex: each ``<``, ``>`` and name is looked at once (the positions of
    the next ``<`` and ``>`` are remembered, so a run of unclosed ``<a`` costs nothing).
    Elements whose end tag HTML lets one omit are not counted; ``<div/>`` opens a ``div``
    (HTML ignores the slash) except inside ``<svg>``/``<math>``; comments and the text of
    ``<script>``/``<style>`` are skipped.
    """
    if text.count("<") <= limit:
        return 0
    n = len(text)
    depth = deepest = foreign = 0
    next_lt = next_gt = -1
    pos = 0
    while True:
        lt = text.find("<", pos)
        if lt < 0:
            break
        if text.startswith("!--", lt + 1):
            end = text.find("-->", lt + 4)
            if end < 0:
                break
            pos = end + 3
            continue
        i = lt + 1
        closing = text.startswith("/", i)
        m = _NAME.match(text, i + closing)
        if m is None:
            pos = i
            continue
        after = m.end()
        if next_gt < after:
            next_gt = text.find(">", after)
            if next_gt < 0:
                break  # no tag ends any more
        if next_lt < after:
            next_lt = text.find("<", after)
            if next_lt < 0:
                next_lt = n
        if next_lt < next_gt:
            pos = next_lt  # "<a ... <": not a tag
            continue
        pos = next_gt + 1
        name = m.group().lower()
        if closing:
            depth = max(0, depth - 1)
            if depth < foreign:
                foreign = 0
            continue
        raw_end = _RAW_END.get(name)
        if raw_end is not None:
            found = raw_end.search(text, pos)
            if found is None:
                break
            pos = found.start()
            continue
        if name in _VOID:
            continue
        if text[next_gt - 1] == "/" and next_gt - 1 >= after and (foreign or name in _FOREIGN):
            continue
        depth += 1
        if name in _FOREIGN and not foreign:
            foreign = depth
        if depth > deepest:
            deepest = depth
            if deepest > limit:
                break
    return deepest


# Page furniture, dropped before the text is extracted: navigation, menus, breadcrumbs,
# search and share bars (by element, ARIA role or a class/id token naming them).
_CHROME = ",".join(
    [
        "nav",
        "aside",
        *(f'[role="{r}"]' for r in ("navigation", "menu", "menubar", "search", "banner")),
        *(
            f'[{attr}~="{token}"]'
            for attr in ("class", "id")
            for token in (
                *("nav", "navbar", "navigation", "menu", "breadcrumb", "breadcrumbs"),
                *("skip-link", "share", "social", "site-header", "site-footer", "sidebar"),
            )
        ),
    ]
)
CHROME_TEXT_BUDGET = 4 * MB
_SEPARATORS = frozenset(" \t\r\n|·•/\\-–—:;,>»«›‹()[]")


def _drop_chrome(tree: LexborHTMLParser) -> None:
    """Remove navigation from ``tree``: the elements :data:`_CHROME` names, and blocks that
    are nothing but two or more links between separators (``Home | About``), or lists whose
    every item is a single link (a menu)."""
    root = tree.body
    if root is None:
        return
    for node in root.css(_CHROME):
        node.decompose()
    parents: dict[int, LexborNode] = {}
    for link in root.css("a"):
        parent = link.parent
        if parent is not None and parent.tag not in ("body", "html"):
            parents.setdefault(parent.mem_id, parent)
    # Text read to judge blocks: nested blocks are read once per level, so a page of
    # deeply nested link-holding blocks must not cost its size times its depth.
    budget = CHROME_TEXT_BUDGET
    for parent in parents.values():
        links = [c for c in parent.iter() if c.tag == "a"]
        if len(links) < 2:
            continue
        text = parent.text()
        budget -= len(text)
        if budget < 0:
            return
        if len(text) > 400:
            continue
        rest = text
        for link in links:
            rest = rest.replace(link.text(), "", 1)
        if all(ch in _SEPARATORS for ch in rest):
            target = parent
            # A menu item of a menu: the whole list goes.
            if parent.tag == "li" and parent.parent is not None:
                target = parent.parent
            target.decompose()
    for menu in root.css("ul,ol"):
        items = [c for c in menu.iter() if c.tag == "li"]
        if len(items) < 2:
            continue
        for li in items:
            links = [c for c in li.iter() if c.tag == "a"]
            if len(links) != 1:
                break
            text = li.text()
            budget -= len(text)
            if budget < 0:
                return
            if text.strip() != links[0].text().strip():
                break
        else:
            menu.decompose()


def _norm(s: str) -> str:
    return " ".join(s.split()).casefold()


def _drop_title_heading(tree: LexborHTMLParser, title: str) -> None:
    """The first ``<h1>`` when it is the title (or the title is it plus a site name): the
    reader shows the title already."""
    h1 = tree.css_first("h1")
    if h1 is None or not title:
        return
    heading, whole = _norm(h1.text()), _norm(title)
    if not heading or not whole.startswith(heading):
        return
    rest = whole[len(heading) :].lstrip()
    if not rest or rest[0] in "|-–—:·•»":  # "Budget" in "Budget | The Valley Times"
        h1.decompose()


def load_html(b: Builder, text: str) -> LoadOutcome:
    if len(text) > MAX_HTML_CHARS:
        # An HTML tree costs ~30 bytes of memory per byte of page: bound it.
        text = text[:MAX_HTML_CHARS]
        if not b.truncated:
            b.truncated = True
            b.problem(
                f"HTML page larger than {MAX_HTML_CHARS // MB} MB; only the start was read "
                "(truncated)",
                "degraded",
            )
    if nesting_depth(text) > MAX_DEPTH:
        raise LoadError(f"HTML nested more than {MAX_DEPTH} levels deep; not read")
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
    _drop_chrome(tree)
    _drop_title_heading(tree, title)
    body = ""
    try:
        if len(text) > MAX_EXTRACT_CHARS:
            raise ValueError("too big for trafilatura")
        extracted: Any = trafilatura.extract(
            tree.html or "",
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
    first, _, rest = body.partition("\n\n")
    if title and rest and _norm(first) == _norm(title):
        body = rest
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
