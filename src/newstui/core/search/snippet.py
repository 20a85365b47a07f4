"""Snippets: one line of an article around its best matches, for a list of results.

A snippet is cut from the *rendered* text (a Markdown body without its syntax: see
:func:`markdown_plain`), centred on the window of ``width`` characters holding the most
distinct query words (then the most matches), with runs of whitespace collapsed to one
space so the line a list shows is exactly the snippet and every span still points at its
word. Built per hit on every keystroke (up to a page of hits), so everything here is a
linear scan of a bounded region: no per-article rendering pass over a whole big body.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence

from newstui.core.search.results import Span

SNIPPET_CHARS = 160
# Matches looked at to find the densest window (a common word in a long body has thousands).
_MAX_WINDOW_MATCHES = 400
# Markdown bodies up to this size are rendered whole; bigger ones only around the matches.
MARKDOWN_WHOLE = 64 * 1024
_REGION = 4096

_NONSPACE = re.compile(r"\S")
_SPACE = re.compile(r"\s")
# Whitespace that collapsing to one space changes: a run of 2+, or one that is not " ".
_WS_CHANGE = re.compile(r"\s{2,}|[^\S ]")
# Inline Markdown. Each bracketed class stops at the next bracket/paren, so scanning is
# linear: no nested quantifiers over overlapping classes.
_LINK = re.compile(r"!?\[([^\[\]\n]*)\](?:\([^()\n]*\)|\[[^\[\]\n]*\])?")
_AUTOLINK = re.compile(r"<((?:https?|mailto|ftp):[^<>\s]*)>")
_TAG = re.compile(r"</?[A-Za-z][^<>\n]*>")
_EMPHASIS = re.compile(r"(?<!\w)[*_~]+(?=\S)|(?<=\S)[*_~]+(?!\w)")
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_RULE_CHARS = frozenset("-*_=|: \t")
_PROTECTED = 0xF0000  # escaped ASCII punctuation, parked in a private-use plane meanwhile
_UNPROTECT = {_PROTECTED + c: chr(c) for c in range(33, 127)}


def _protect(m: re.Match[str]) -> str:
    return chr(_PROTECTED + ord(m.group(1)))


def _inline_plain(s: str) -> str:
    escaped = "\\" in s
    if escaped:  # an escaped character is text: keep it out of the syntax rules below
        s = _ESCAPE.sub(_protect, s)
    if "[" in s:
        s = _LINK.sub(r"\1", s)
    if "<" in s:
        s = _AUTOLINK.sub(r"\1", s)
        s = _TAG.sub("", s)
    s = s.replace("`", "")
    if "*" in s or "_" in s or "~" in s:
        s = _EMPHASIS.sub("", s)
    if escaped:
        s = s.translate(_UNPROTECT)
    return s


def _block_plain(s: str) -> str:
    """One Markdown line without its block syntax (quote, heading, list marker, table)."""
    while s:
        if s[0] == ">":
            s = s[1:].lstrip()
            continue
        if s[0] == "#":
            level = len(s) - len(s.lstrip("#"))
            if level <= 6 and (len(s) == level or s[level] in " \t"):
                s = s[level:].strip().rstrip("#").rstrip()
            break
        if s[:2] in ("- ", "* ", "+ "):
            s = s[2:].lstrip()
            if s.startswith(("[ ] ", "[x] ", "[X] ")):
                s = s[4:]
            continue
        digits = len(s) - len(s.lstrip("0123456789"))
        if 0 < digits <= 9 and s[digits : digits + 2] in (". ", ") "):
            s = s[digits + 2 :].lstrip()
            continue
        break
    if "|" in s and (s.startswith("|") or s.endswith("|")):
        s = "  ".join(c.strip() for c in s.strip("|").split("|"))
    return s


def markdown_plain(text: str) -> str:
    """The text of a Markdown document without its syntax, one output line per input line:
    headings, quotes and list markers go, table rows become their cells, rules and table
    separators blank lines, code keeps its text without the backticks and fences, links
    and images their text, HTML tags vanish, emphasis marks too. Linear in ``text``."""
    out: list[str] = []
    fence = ""
    for line in text.split("\n"):
        s = line.strip()
        if fence:
            if s.startswith(fence):
                fence = ""
                out.append("")
            else:
                out.append(line)
            continue
        if s.startswith(("```", "~~~")):
            fence = s[:3]
            out.append("")
            continue
        if not s or (len(s) >= 3 and _RULE_CHARS.issuperset(s)):
            out.append("")
            continue
        out.append(_inline_plain(_block_plain(s)))
    return "\n".join(out)


def markdown_region(text: str, matches: Sequence[tuple[int, int, int]]) -> str:
    """The rendered text of a Markdown body, whole when small, else the lines around its
    first match (a snippet only needs that much)."""
    if len(text) <= MARKDOWN_WHOLE:
        return markdown_plain(text)
    first = min((s for s, _, _ in matches), default=0)
    a = text.rfind("\n", 0, max(0, first - _REGION)) + 1
    b = text.find("\n", min(len(text), first + _REGION))
    return markdown_plain(text[a : b if b >= 0 else len(text)])


def _densest(ms: list[tuple[int, int, int]], width: int) -> tuple[int, int]:
    """``(start, end)`` of the window of ``width`` characters holding the most distinct
    clauses, then the most matches, then the earliest."""
    best = (-1, -1, 0)
    best_i, best_j = 0, 1
    j = 0
    for i in range(len(ms)):
        while j < len(ms) and ms[j][1] - ms[i][0] <= width:
            j += 1
        hi = max(j, i + 1)
        score = (len({c for _, _, c in ms[i:hi]}), hi - i, -i)
        if score > best:
            best, best_i, best_j = score, i, hi
    cluster = ms[best_i:best_j]
    return cluster[0][0], max(e for _, e, _ in cluster)


def make_snippet(
    text: str, matches: Sequence[tuple[int, int, int]], width: int = SNIPPET_CHARS
) -> tuple[str, list[Span]]:
    """At most ``width`` characters of ``text`` (``…`` included) on one line, centred on
    the densest window of ``matches`` (``(start, end, clause)`` into ``text``); runs of
    whitespace become one space. Returns the snippet and the spans (field ``"snippet"``)
    of every match inside it. Without matches, the start of the text."""
    n = len(text)
    width = max(8, width)
    budget = width - 2  # room for a "…" at each end
    ms = sorted((s, e, c) for s, e, c in matches if 0 <= s < e <= n)
    c_start, c_end = _densest(ms[:_MAX_WINDOW_MATCHES], budget) if ms else (0, 0)
    # A raw region around the cluster (whitespace only shrinks it), not cut inside a word.
    r0 = max(0, c_start - width)
    r1 = min(n, max(c_end, c_start + budget) + width)
    if r0 > 0 and not text[r0 - 1].isspace():
        m = _SPACE.search(text, r0, c_start)
        if m is not None:
            r0 = m.end()
    if r1 < n and not text[r1].isspace():
        cut = max(text.rfind(" ", c_end, r1), text.rfind("\n", c_end, r1))
        if cut > c_end:
            r1 = cut
    region = text[r0:r1]
    # Whitespace runs that collapsing changes (most are one space already): few.
    changes = [(m.start(), m.end()) for m in _WS_CHANGE.finditer(region)]
    ends: list[int] = []
    removed = [0]
    for a, b in changes:
        ends.append(b)
        removed.append(removed[-1] + b - a - 1)
    collapsed = _WS_CHANGE.sub(" ", region) if changes else region
    lead_ws = len(collapsed) - len(collapsed.lstrip())
    collapsed = collapsed.strip()
    if not collapsed:
        return "", []

    def to_col(p: int) -> int:
        q = p - r0
        return q - removed[bisect.bisect_right(ends, q)] - lead_ws

    total = len(collapsed)
    cs, ce = (to_col(c_start), to_col(c_end)) if ms else (0, 0)
    if ce - cs >= budget:
        start, end = cs, cs + budget
    else:
        start = max(0, cs - (budget - (ce - cs)) // 2)
        end = min(total, start + budget)
        start = max(0, end - budget)
    # Snap to word boundaries, never cutting into the cluster.
    if start > 0 and collapsed[start - 1] != " ":
        sp = collapsed.find(" ", start, cs)
        if sp >= 0:
            start = sp + 1
    if end < total and collapsed[end] != " ":
        sp = collapsed.rfind(" ", max(start + 1, ce), end)
        if sp > start:
            end = sp
    body = collapsed[start:end]
    stripped = body.strip()
    start += len(body) - len(body.lstrip())
    end = start + len(stripped)
    lead = "…" if start > 0 or (r0 > 0 and _NONSPACE.search(text, 0, r0)) else ""
    tail = "…" if end < total or (r1 < n and _NONSPACE.search(text, r1)) else ""
    shift = len(lead) - start
    spans: list[Span] = []
    for s, e, _ in ms:
        if s >= r0 and e <= r1:
            a, b = to_col(s), to_col(e)
            if start <= a < b <= end:
                spans.append(Span("snippet", a + shift, b + shift))
    return lead + stripped + tail, spans
