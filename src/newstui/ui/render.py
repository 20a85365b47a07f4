"""An article as Rich renderables, the same for the reader pane and ``newstui show``.

Rich only (no Textual): ``newstui show`` imports it without the app.

The body is untrusted, so whatever it holds costs a bounded time and shows every word:

- Markdown is laid out by ``rich.markdown`` only up to :data:`MARKDOWN_MAX_CHARS` and
  :data:`MARKDOWN_MAX_LINES` (a megabyte of Markdown took 20 s and 860 MB) and only while its
  nesting stays within what the parser keeps (markdown-it silently drops blocks nested past
  20 levels: lists past ~10 levels vanished while search found them); otherwise the text is
  shown as plain paragraphs, laid out line by line (:class:`PlainBody`).
- Code blocks are highlighted by Pygments only up to :data:`CODE_BLOCK_MAX_CHARS` each, up to
  :data:`CODE_TOTAL_MAX_CHARS` and :data:`CODE_SECONDS` per article (checked between tokens);
  the rest is shown as plain code. Pygments' regexes hold the GIL (a thread does not help)
  and some lexers are quadratic on hostile input (PHP on ``'\\`` repeated: 52 s for 100 KB),
  so what a lexer sees, and for how long, is capped instead.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any, ClassVar, NamedTuple

from markdown_it.token import Token as MdToken
from pygments.lexer import Lexer  # type: ignore[import-untyped]
from pygments.token import Token  # type: ignore[import-untyped]
from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.markdown import (
    CodeBlock,
    Markdown,
    MarkdownElement,
    TableElement,
    TextElement,
)
from rich.rule import Rule
from rich.segment import Segment
from rich.syntax import Syntax
from rich.text import Text

from newstui.core.article import Article
from newstui.core.byline import byline
from newstui.core.links import (
    CODE_TOKENS,
    Links,
    a_href,
    bare_urls,
    links_of,
    markdown_tokens_links,
    safe_url,
)
from newstui.ui.safe import clean, one_line

#: Above this many characters or lines a Markdown body is shown as plain paragraphs (Rich
#: lays Markdown out at ~100 µs a block: 8,000 lines of one-word paragraphs take ~0.5 s).
MARKDOWN_MAX_CHARS = 100_000
MARKDOWN_MAX_LINES = 8_000
#: Blocks nested deeper than this (a list level counts 2, a block quote 1) and the body is
#: shown as plain paragraphs: markdown-it drops what lies past its nesting limit (20).
MARKDOWN_MAX_NESTING = 16
#: A code block longer than this is shown without highlighting.
CODE_BLOCK_MAX_CHARS = 10_000
#: At most this many characters of code are highlighted per article...
CODE_TOTAL_MAX_CHARS = 40_000
#: ... and highlighting stops (the rest of the code is shown plain) once it has taken this
#: long per layout of the article, checked between tokens. Worst lexers measured on hostile
#: input at 4,000 characters (tests/hostile/test_render_budget.py): systemd 2.9 s, fan 2.7 s,
#: PHP (``'\\`` repeated) 0.1 s, 1.7 s at 16,000; with the check each stops here.
CODE_SECONDS = 0.3


def _nesting_depth(body: str, stop_at: int) -> int:
    """How deeply ``body``'s blocks nest, estimated from each line's prefix: list markers
    (``-`` ``*`` ``+`` ``1.`` ``1)``, each level counting 2, as markdown-it counts a list and
    its item) and block quotes (``>``, 1). Items nest by indentation, tracked with a stack
    of content columns. Stops counting past ``stop_at``. Linear: one scan of each line's
    prefix, no regex."""
    stack: list[int] = []  # content columns of the open list items
    deepest = 0
    in_fence = ""
    for line in body.split("\n"):
        stripped = line.lstrip(" \t>")
        if stripped.startswith(("```", "~~~")):
            fence = stripped[:3]
            in_fence = "" if in_fence == fence else (in_fence or fence)
            continue
        if in_fence or not stripped:
            continue
        # the prefix: indentation, quote markers and list markers
        col = 0
        quotes = 0
        markers: list[int] = []  # content column after each list marker on this line
        i, n = 0, len(line)
        while i < n:
            ch = line[i]
            if ch == " ":
                col += 1
                i += 1
            elif ch == "\t":
                col += 4 - col % 4
                i += 1
            elif ch == ">":
                quotes += 1
                col += 1
                i += 1
            elif ch in "-*+" and i + 1 < n and line[i + 1] in " \t":
                markers.append(col)
                col += 2
                i += 2
            elif ch.isdigit():
                j = i
                while j < n and j - i < 10 and line[j].isdigit():
                    j += 1
                if j < n - 1 and line[j] in ".)" and line[j + 1] in " \t":
                    markers.append(col)
                    col += j - i + 2
                    i = j + 2
                else:
                    break
            else:
                break
        if markers:
            first = markers[0]
            while stack and stack[-1] > first:
                stack.pop()
            for k, start in enumerate(markers):
                stack.append(markers[k + 1] if k + 1 < len(markers) else start + 2)
        elif col == 0 and not quotes:
            stack.clear()  # a paragraph at the margin ends the lists (roughly: lazy lines)
        depth = 2 * len(stack) + quotes
        if depth > deepest:
            deepest = depth
            if deepest > stop_at:
                break
    return deepest


def markdown_fits(body: str) -> bool:
    """Whether ``rich.markdown`` can lay ``body`` out in budget and show all of it."""
    if len(body) > MARKDOWN_MAX_CHARS or body.count("\n") > MARKDOWN_MAX_LINES:
        return False
    return _nesting_depth(body, MARKDOWN_MAX_NESTING) <= MARKDOWN_MAX_NESTING


class _Budget:
    """What is left of an article's highlighting budget (per layout)."""

    def __init__(self) -> None:
        self.chars = 0
        self.seconds = 0.0

    def allows(self, size: int) -> bool:
        return (
            size <= CODE_BLOCK_MAX_CHARS
            and self.chars + size <= CODE_TOTAL_MAX_CHARS
            and self.seconds < CODE_SECONDS
        )


class _BudgetLexer(Lexer):  # type: ignore[misc]  # pygments is untyped
    """A lexer that stops highlighting when the budget's time is spent: the rest of the code
    comes as one plain token. Lexers yield token by token (the quadratic ones too: each
    token is one failed scan to the end), so the check between tokens bounds the time."""

    def __init__(self, inner: Lexer, budget: _Budget) -> None:
        super().__init__()
        self.inner = inner
        self.budget = budget

    def get_tokens(self, text: str, unfiltered: bool = False) -> Iterator[tuple[Any, str]]:
        budget = self.budget
        start = time.perf_counter()
        spent = budget.seconds
        consumed = 0
        try:
            for token_type, value in self.inner.get_tokens(text, unfiltered):
                yield token_type, value
                consumed += len(value)
                if spent + time.perf_counter() - start > CODE_SECONDS:
                    rest = text[consumed:]
                    if rest:
                        yield Token.Text, rest if rest.endswith("\n") else rest + "\n"
                    return
        finally:
            budget.seconds = spent + time.perf_counter() - start


class _BudgetSyntax(Syntax):
    """``Syntax`` whose lexer keeps to the article's budget."""

    def __init__(self, code: str, lexer: str, theme: str, budget: _Budget) -> None:
        super().__init__(code, lexer, theme=theme, word_wrap=True, padding=1)
        self._budget = budget
        self._bounded: Lexer | None = None

    @property
    def lexer(self) -> Lexer | None:
        if self._bounded is None:
            inner = super().lexer
            if inner is None:
                return None
            self._bounded = _BudgetLexer(inner, self._budget)
        return self._bounded


class BoundedCodeBlock(CodeBlock):
    """A fenced or indented code block, highlighted only within the article's budget."""

    budget: _Budget | None = None

    @classmethod
    def create(cls, markdown: Markdown, token: Any) -> CodeBlock:
        block = super().create(markdown, token)
        if isinstance(block, BoundedCodeBlock):
            block.budget = getattr(markdown, "code_budget", None)
        return block

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        code = str(self.text).rstrip()
        budget = self.budget
        if budget is None or not budget.allows(len(code)) or self.lexer_name == "text":
            yield Syntax(code, "text", theme=self.theme, word_wrap=True, padding=1)
            return
        budget.chars += len(code)
        yield _BudgetSyntax(code, self.lexer_name, self.theme, budget)


class FittingTableElement(TableElement):
    """A Markdown table; one with more columns than the width can show (Rich gives each
    column less than a cell and its text vanishes) is shown as rows of ``a | b | c``."""

    #: Cells a column needs at least (its text, wrapped, and the gap to the next column).
    MIN_COLUMN_CELLS = 8

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        rows: list[list[Text]] = []
        if self.header is not None and self.header.row is not None:
            rows.append([cell.content for cell in self.header.row.cells])
        if self.body is not None:
            rows += [[cell.content for cell in row.cells] for row in self.body.rows]
        columns = max((len(r) for r in rows), default=0)
        if columns * self.MIN_COLUMN_CELLS <= options.max_width:
            yield from super().__rich_console__(console, options)
            return
        for n, row in enumerate(rows):
            line = Text(" | ").join(row)
            if n == 0 and self.header is not None:
                line.stylize("bold")
            yield line
        yield Text("")


class RawHtmlBlock(TextElement):
    """A block of raw HTML: Rich drops it, yet search finds its words; shown as it is
    written (literally, dim), never interpreted."""

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield Text(self.text.plain.rstrip("\n"), style="dim")


class BoundedMarkdown(Markdown):
    """``rich.markdown.Markdown`` with code highlighting in budget."""

    elements: ClassVar[dict[str, type[MarkdownElement]]] = {
        **Markdown.elements,
        "fence": BoundedCodeBlock,
        "code_block": BoundedCodeBlock,
        "table_open": FittingTableElement,
        "html_block": RawHtmlBlock,
    }

    def __init__(self, markup: str, links: Links | None = None) -> None:
        # hyperlinks=False: nothing becomes clickable by escape sequence; each link is shown
        # as "text [N]", N its number in the article's list of links (``core.links``).
        super().__init__(markup, hyperlinks=False, inline_code_lexer=None)
        self.code_budget = _Budget()
        self.links = links if links is not None else markdown_tokens_links(self.parsed)
        _number_links(self.parsed, self.links)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        self.code_budget = _Budget()  # per layout (a resize lays the article out again)
        yield from super().__rich_console__(console, options)


class PlainBody:
    """Plain text, laid out line by line: a line that fits is one segment, only longer lines
    are wrapped by Rich. (``rich.text.Text`` over a whole body costs ~75 µs a line, and its
    newline splitting is quadratic in a segment's length: a megabyte of short paragraphs
    took 31 s.)"""

    def __init__(self, text: str) -> None:
        self.text = text

    def lines(self, console: Console, options: ConsoleOptions) -> list[list[Segment]]:
        """The laid-out lines at ``options.max_width`` (what rendering would give)."""
        width = options.max_width
        out: list[list[Segment]] = []
        text = self.text[:-1] if self.text.endswith("\n") else self.text
        for line in text.split("\n"):
            if not line:
                out.append([])
            elif len(line) <= width if line.isascii() else cell_len(line) <= width:
                out.append([Segment(line)])
            else:
                out.extend(console.render_lines(Text(line, end=""), options, pad=False))
        return out

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        new_line = Segment.line()
        for n, line in enumerate(self.lines(console, options)):
            if n:
                yield new_line
            yield from line


def _marker(n: int) -> MdToken:
    return MdToken("text", "", 0, content=f" [{n}]")


def _number_links(tokens: list[MdToken], links: Links) -> None:
    """Put each link's number after it, in place: ``[text](url)`` and ``<a href>…</a>``
    become ``text [N]``, a bare address ``https://… [N]`` (the same walk as
    :func:`~newstui.core.links.markdown_tokens_links`, so the numbers are the listed ones)."""
    for token in tokens:
        children = token.children
        if not children or token.type in CODE_TOKENS or token.tag == "img":
            continue
        out: list[MdToken] = []
        stack: list[int | None] = []
        for child in children:
            kind = child.type
            if kind == "link_open":
                stack.append(links.number(safe_url(str(child.attrs.get("href", "")))))
                continue  # the text shows plain, then its number
            if kind == "link_close":
                n = stack.pop() if stack else None
                if n is not None:
                    out.append(_marker(n))
                continue
            if kind == "html_inline":
                content = child.content.strip().lower()
                if content.startswith("<a ") or content.startswith("<a\t"):
                    stack.append(links.number(a_href(child.content)))
                elif content == "</a>" and stack:
                    n = stack.pop()
                    if n is not None:
                        out.append(_marker(n))
            elif kind == "text" and not stack:
                child.content = number_bare_urls(child.content, links)
            out.append(child)
        token.children = out


def number_bare_urls(text: str, links: Links) -> str:
    """``text`` with ``[N]`` after each bare address that is link N."""
    parts: list[str] = []
    pos = 0
    for _start, end, url in bare_urls(text):
        n = links.number(url)
        if n is not None:
            parts += [text[pos:end], f" [{n}]"]
            pos = end
    if not parts:
        return text
    parts.append(text[pos:])
    return "".join(parts)


def body_is_markdown(body: str, fmt: str) -> bool:
    """Whether the reader lays ``body`` out as Markdown (within the budget) or as text."""
    return fmt == "markdown" and markdown_fits(body)


def article_links(article: Article) -> Links:
    """The article's links, numbered as the reader shows them (cached per body)."""
    body = clean(article.body)
    return links_of(body, body_is_markdown(body, article.format))


def body_renderable(body: str, fmt: str) -> RenderableType:
    """The body: Markdown laid out when it fits the budget, else plain text; links
    numbered in either."""
    markdown = body_is_markdown(body, fmt)
    links = links_of(body, markdown)
    if markdown:
        return BoundedMarkdown(body, links)
    return PlainBody(number_bare_urls(body, links) if links else body)


def links_section(links: Links) -> list[RenderableType]:
    """The "Links" list after the body: ``[N] address`` a line."""
    if not links:
        return []
    out: list[RenderableType] = [Text(""), Rule("Links", style="dim", align="left")]
    for n, url in enumerate(links.urls, 1):
        line = Text(f"[{n}] ", style="bold")
        line.append(url, style="underline")
        out.append(line)
    return out


class ArticleParts(NamedTuple):
    """The article as Rich renderables built from Text objects only (never markup)."""

    #: Title, byline, URL, rule.
    head: list[RenderableType]
    body: RenderableType
    #: What follows the body (the truncation note).
    tail: list[RenderableType]


def article_parts(article: Article) -> ArticleParts:
    """The article's head, body and tail."""
    head: list[RenderableType] = [
        Text(one_line(article.title) or "(untitled)", style="bold"),
        Text(byline(article), style="dim"),
    ]
    if article.url:
        head.append(Text(one_line(article.url), style="dim underline"))
    head.append(Rule(style="dim"))
    tail: list[RenderableType] = []
    body = clean(article.body)
    tail += links_section(links_of(body, body_is_markdown(body, article.format)))
    if article.truncated:
        tail.append(Text("\n[article truncated: the file was larger than the size cap]", "dim"))
    return ArticleParts(head, body_renderable(body, article.format), tail)


def article_renderable(article: Article) -> RenderableType:
    """The whole article as one renderable (``newstui show``)."""
    head, body, tail = article_parts(article)
    return Group(*head, body, *tail)


def render_article_lines(console: Console, article: Article, width: int) -> list[list[Segment]]:
    """The article laid out at ``width``: one list of segments per line (the reader)."""
    options = console.options.update(width=width, highlight=False, markup=False, height=None)
    head, body, tail = article_parts(article)
    lines = console.render_lines(Group(*head), options, pad=False, new_lines=False)
    if isinstance(body, PlainBody):
        lines.extend(body.lines(console, options))
    else:
        lines.extend(console.render_lines(body, options, pad=False, new_lines=False))
    if tail:
        lines.extend(console.render_lines(Group(*tail), options, pad=False, new_lines=False))
    return lines
