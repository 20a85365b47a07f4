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
    """The body's lines, parsed into parallel lists: text (without indentation and trailing
    spaces), indentation (columns; a tab counts to the next multiple of 8), width (the two
    together) and shape. Built with comprehensions, most of the work in C: a body of
    Reuters' 20 lines costs about what splitting it into words does."""

    __slots__ = ("indents", "shapes", "texts", "widths")

    def __init__(self, body: str, lines: list[str]) -> None:
        texts = [line.strip() for line in lines]
        widths = [len(line.rstrip()) for line in lines]
        indents = [w - len(t) for w, t in zip(widths, texts, strict=True)]
        if "\t" in body:  # a tab in the indentation counts to the next multiple of 8
            for i, line in enumerate(lines):
                lead = line[: indents[i]]
                if "\t" in lead:
                    indents[i] = len(lead.expandtabs(8))
                    widths[i] = indents[i] + len(texts[i])
        shapes = [_PROSE if t else _BLANK for t in texts]
        # Each shape is looked for line by line only when the body holds its mark at all.
        for mark in ("   ", "\t", *_CODE):
            if mark in body:
                for i in [i for i, t in enumerate(texts) if mark in t]:
                    shapes[i] = _KEPT
        if ">" in body:
            for i in [i for i, t in enumerate(texts) if t[:1] == ">"]:
                shapes[i] = _KEPT
        starts = _LIST_STARTS
        for i in [i for i, t in enumerate(texts) if t[:1] in starts or t[1:2] == ")"]:
            if shapes[i] == _PROSE and _is_list_item(texts[i]):
                shapes[i] = _LIST
        if "|" in body:
            for i, t in enumerate(texts):
                if t.count("|") >= 2:
                    shapes[i] = _KEPT
        if not body.isascii() and any(c in body for c in _BOX):
            for i, t in enumerate(texts):
                if any(c in t for c in _BOX):
                    shapes[i] = _KEPT
        if any(f in body for f in _FENCES):
            fenced = False
            for i, t in enumerate(texts):
                if t.startswith(_FENCES):
                    fenced = not fenced
                    shapes[i] = _KEPT
                elif fenced and t:
                    shapes[i] = _KEPT
        self.texts, self.indents, self.shapes, self.widths = texts, indents, shapes, widths


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
    widths = [w for w, shape in zip(ln.widths, ln.shapes, strict=True) if shape == _PROSE]
    widths.sort(reverse=True)
    return widths[len(widths) // 10] if widths else 0


def _base_indent(ln: _Lines) -> int:
    indents = [i for i, shape in zip(ln.indents, ln.shapes, strict=True) if shape == _PROSE]
    if indents.count(0) * 2 >= len(indents):
        return 0  # most bodies: no need to count every indentation
    counts = Counter(indents)
    return max(counts, key=lambda k: (counts[k], -k))


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


def _first_word(text: str) -> int:
    space = text.find(" ")
    return len(text) if space < 0 else space


def _joins(ln: _Lines, width: int, base: int) -> list[bool] | None:
    """For each line, whether it joins the line before it; ``None`` when the body is not
    hard-wrapped (too few of the lines that could be joined are full)."""
    texts, indents, shapes, widths = ln.texts, ln.indents, ln.shapes, ln.widths
    n = len(texts)
    joins = [False] * n
    candidates = full = 0
    full_at = FULL * width
    first_at = FIRST_LINE * width
    near_full = NEAR_FULL * width
    deepest = base + MAX_PARAGRAPH_INDENT
    for i in range(1, n):
        a, b = shapes[i - 1], shapes[i]
        if b == _LIST:
            if (
                a == _PROSE
                and not texts[i - 1].endswith(_SENTENCE_END)
                and widths[i - 1] + 1 + _first_word(texts[i]) > full_at
            ):
                shapes[i] = b = _PROSE  # "…of record March" / "12. The company": wrapped
            else:
                continue
        if a != _PROSE or b != _PROSE or indents[i] > base or indents[i - 1] > deepest:
            continue  # not both prose; a paragraph start; or preformatted
        candidates += 1
        before = widths[i - 1]
        if before + 1 + _first_word(texts[i]) > full_at:
            full += 1
            joins[i] = True
        elif (
            not joins[i - 1]
            and before >= first_at
            and widths[i] >= near_full
            and not texts[i - 1].endswith(_SENTENCE_END)
        ):
            joins[i] = True  # a paragraph's short first line (a dateline cut from it)
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
            and texts[i].endswith(_SENTENCE_END)
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
