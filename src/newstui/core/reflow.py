"""Hard-wrapped plain text made into paragraphs, once, when an article is loaded.

Many plain-text sources break their lines at a fixed measure in the file (Reuters at about 65
columns, mail at 72). The reader wraps again at its own measure, so keeping the file's breaks
gives ragged lines ("…drought since" / "early" / "January and improving…"). :func:`reflow`
joins such lines into paragraphs. The loaders call it for plain-text bodies (``.txt``, JSON
and JSONL bodies, feed entries without HTML; never Markdown or HTML) right after cleaning, so
the warm-start cache keeps the result and nothing is done per paint.

The rule, in one place:

* A body is **hard-wrapped** when its prose lines have a measure ``W`` (the length that 90%
  of them stay within) of :data:`MIN_WIDTH` to :data:`MAX_WIDTH` columns, and most lines
  followed by another line of the same paragraph are **full**: their length, a space and the
  next line's first word pass 90% of ``W`` (the wrapper broke there because the word did not
  fit). Any other body is returned as it is (BBC's paragraph-a-line text, a poem, a list).
* In a hard-wrapped body a prose line is joined to the one before it when that one is full
  and the line is at the body's base indentation. A paragraph's first line may be shorter
  (Reuters cuts the dateline from it): it is joined when it is at least a third of ``W``,
  does not end a sentence, and the next line is nearly full width.
* A line indented past the base starts a paragraph (Reuters' ``"    The dry period…"``); in
  a body that starts paragraphs so, such a line that ends a sentence is a paragraph of its own.
* Kept as they are, never joined: blank lines; list items (``-``, ``*``, ``•``, ``1.``,
  ``a)``, ``(2)`` and the like, unless they continue a full line that does not end a
  sentence); tables (three spaces in a row, a tab or two ``|`` inside the line, box-drawing
  characters); quoted mail (``>``); code (``{``, ``}``, ``()``, ``==``, ``</``, ``/>``, and
  every line between ```` ``` ```` or ``~~~`` fences); lines indented past the base that start
  no paragraph (preformatted text); short lines (a signature, an address: never full).
* A paragraph made so loses its indentation and stands between blank lines.

Only whitespace changes: the words, and with them the article id, the word count and what a
search finds, stay the same. One pass over the lines (and one sort of their lengths); no
regular expression.
"""

from __future__ import annotations

import itertools
from collections import Counter

#: The narrowest and widest measure taken for hard wrapping (columns).
MIN_WIDTH = 40
MAX_WIDTH = 100
#: A line is full when it, a space and the next word pass this share of the measure.
FULL = 0.9
#: How many of the lines that could be joined must be full for a body to be hard-wrapped.
MOSTLY_FULL = 0.6
#: A paragraph's short first line: at least this share of the measure, and the next line at
#: least :data:`NEAR_FULL` of it.
FIRST_LINE = 1 / 3
NEAR_FULL = 0.8
#: The deepest indentation (past the base) that starts a paragraph rather than preformatted
#: text.
MAX_PARAGRAPH_INDENT = 8

_BULLETS = frozenset("-*+•·▪◦‣–—")
_BOX = frozenset("─━│┃┌┐└┘├┤┬┴┼═║╔╗╚╝╠╣╦╩╬")
_CODE = ("{", "}", "()", "==", "</", "/>")
_FENCES = ("```", "~~~")
_SENTENCE_END = (".", "!", "?", ":", '."', '!"', '?"', ".'", ".”", ".’", "?”", "!”", ".)")

#: Bodies of more lines get a cheap first look before they are parsed.
_LOOK_FIRST = 200

# Line shapes.
_BLANK, _PROSE, _LIST, _KEPT = 0, 1, 2, 3


class _Lines:
    """The body's lines, parsed: text (without indentation and trailing spaces), indentation
    (columns; a tab counts to the next multiple of 8) and shape, in parallel lists."""

    __slots__ = ("indents", "shapes", "texts")

    def __init__(self, body: str, lines: list[str]) -> None:
        # What no line can hold is not looked for line by line (most bodies hold none of it).
        kept_marks = [m for m in ("   ", "\t", ">", *_CODE) if m in body]
        pipes = "|" in body
        box = not body.isascii() and any(c in body for c in _BOX)
        fences = any(f in body for f in _FENCES)
        texts: list[str] = []
        indents: list[int] = []
        shapes: list[int] = []
        fenced = False
        for line in lines:
            stripped = line.lstrip(" \t")
            text = stripped.rstrip()
            texts.append(text)
            if not text:
                indents.append(0)
                shapes.append(_BLANK)
                continue
            lead = len(line) - len(stripped)
            if lead and "\t" in line[:lead]:
                lead = len(line[:lead].expandtabs(8))
            indents.append(lead)
            if fences and text.startswith(_FENCES):
                fenced = not fenced
                shapes.append(_KEPT)
            elif (
                fenced
                or (kept_marks and _is_kept(text, kept_marks))
                or (pipes and text.count("|") >= 2)
                or (box and any(c in text for c in _BOX))
            ):
                shapes.append(_KEPT)
            elif (text[0] in _LIST_STARTS or text[1:2] == ")") and _is_list_item(text):
                shapes.append(_LIST)
            else:
                shapes.append(_PROSE)
        self.texts, self.indents, self.shapes = texts, indents, shapes

    def width(self, i: int) -> int:
        return self.indents[i] + len(self.texts[i])

    def first_word(self, i: int) -> int:
        """How long line ``i``'s first word is."""
        text = self.texts[i]
        space = text.find(" ")
        return len(text) if space < 0 else space


def _is_kept(text: str, marks: list[str]) -> bool:
    """Quoted mail (``>``), a table (three spaces in a row, a tab) or code."""
    if text[0] == ">":
        return True
    return any(m in text for m in marks if m != ">")


#: What a list item can start with (a letter only as ``a)``).
_LIST_STARTS = _BULLETS | frozenset("0123456789(")


def _is_list_item(text: str) -> bool:
    """Whether the line starts with a list marker followed by a space and text."""
    space = text.find(" ")
    if space <= 0 or space == len(text) - 1 or space > 5:
        return False
    marker = text[:space]
    if len(marker) == 1 and marker in _BULLETS:
        return True
    if marker[-1] in ".)":
        body = marker[:-1]
        if body.startswith("(") and marker[-1] == ")":
            body = body[1:]
        if body.isdigit():
            return len(body) <= 3
        # "a)" and "(b)", not "A." (an initial: "A. Smith said")
        return len(body) == 1 and body.isalpha() and marker[-1] == ")"
    return False


def _ends_sentence(text: str) -> bool:
    return text.endswith(_SENTENCE_END)


def _may_be_wrapped(lines: list[str]) -> bool:
    """A first look that costs little even for a million lines: could the lines' measure
    (counting indentation and trailing spaces) be a wrap width? ``Counter`` counts the
    lengths in C; the parse, a loop over the lines in Python, comes only after."""
    counts = Counter(map(len, lines))
    counts.pop(0, None)
    total = sum(counts.values())
    if total < 2:
        return False
    seen = 0
    for length in sorted(counts, reverse=True):
        seen += counts[length]
        if seen > total // 10:
            return MIN_WIDTH <= length <= 2 * MAX_WIDTH
    return False  # pragma: no cover - the loop always reaches the share


def _measure(ln: _Lines) -> int:
    """The length 90% of the prose lines stay within (0 when there are none)."""
    widths = sorted(
        (ln.indents[i] + len(t) for i, t in enumerate(ln.texts) if ln.shapes[i] == _PROSE),
        reverse=True,
    )
    return widths[len(widths) // 10] if widths else 0


def _base_indent(ln: _Lines) -> int:
    counts: dict[int, int] = {}
    for indent, shape in zip(ln.indents, ln.shapes, strict=True):
        if shape == _PROSE:
            counts[indent] = counts.get(indent, 0) + 1
    return max(counts, key=lambda k: (counts[k], -k)) if counts else 0


def reflow(body: str) -> str:
    """``body`` with its hard-wrapped paragraphs joined (see the module's rule); the body
    itself when it is not hard-wrapped. Only whitespace changes."""
    if "\n" not in body.replace("\n\n", ""):
        return body  # one line, or paragraphs between blank lines already
    lines = body.split("\n")
    if len(lines) > _LOOK_FIRST and not _may_be_wrapped(lines):
        return body
    ln = _Lines(body, lines)
    shapes = ln.shapes
    if all(a == _BLANK or b == _BLANK for a, b in itertools.pairwise(shapes)):
        return body  # every line is a paragraph already
    width = _measure(ln)
    if not MIN_WIDTH <= width <= MAX_WIDTH:
        return body
    base = _base_indent(ln)
    joins = _joins(ln, width, base)
    if joins is None:
        return body
    return _rebuild(lines, ln, joins, base)


def _joins(ln: _Lines, width: int, base: int) -> list[bool] | None:
    """For each line, whether it joins the line before it; ``None`` when the body is not
    hard-wrapped (too few of the lines that could be joined are full)."""
    texts, indents, shapes = ln.texts, ln.indents, ln.shapes
    n = len(texts)
    joins = [False] * n
    candidates = full = 0
    full_at = FULL * width
    for i in range(1, n):
        a, b = shapes[i - 1], shapes[i]
        if (
            b == _LIST
            and a == _PROSE
            and not _ends_sentence(texts[i - 1])
            and ln.width(i - 1) + 1 + ln.first_word(i) > full_at
        ):
            shapes[i] = b = _PROSE  # "…of record March" / "12. The company": wrapped
        if a != _PROSE or b != _PROSE or indents[i] > base:
            continue
        if indents[i - 1] > base + MAX_PARAGRAPH_INDENT:
            continue  # preformatted
        candidates += 1
        before = ln.width(i - 1)
        if before + 1 + ln.first_word(i) > full_at:
            full += 1
            joins[i] = True
        elif (
            (i == 1 or shapes[i - 2] == _BLANK or indents[i - 1] > base)
            and before >= FIRST_LINE * width
            and not _ends_sentence(texts[i - 1])
            and ln.width(i) >= NEAR_FULL * width
        ):
            joins[i] = True
    if not full or full < MOSTLY_FULL * candidates:
        return None
    return joins


def _rebuild(lines: list[str], ln: _Lines, joins: list[bool], base: int) -> str:
    texts, indents, shapes = ln.texts, ln.indents, ln.shapes
    n = len(texts)
    # Does the body start paragraphs with an indent? Then an indented sentence is one.
    indented_starts = any(
        joins[i] and not joins[i - 1] and indents[i - 1] > base for i in range(1, n)
    )
    out: list[str] = []
    blank_after = False
    i = 0
    while i < n:
        if shapes[i] == _BLANK:
            out.append(lines[i])
            blank_after = False
            i += 1
            continue
        j = i
        while j + 1 < n and joins[j + 1]:
            j += 1
        own = (
            j == i
            and indented_starts
            and shapes[i] == _PROSE
            and base < indents[i] <= base + MAX_PARAGRAPH_INDENT
            and _ends_sentence(texts[i])
        )
        if j > i or own:
            if out and out[-1].strip():
                out.append("")
            out.append(" ".join(texts[i : j + 1]))
            blank_after = True
        else:
            if blank_after:
                out.append("")
            out.append(lines[i])
            blank_after = False
        i = j + 1
    return "\n".join(out)


__all__ = ["MAX_WIDTH", "MIN_WIDTH", "reflow"]
