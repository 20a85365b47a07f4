"""Linear-time checks and trims applied to untrusted feed bytes and entry HTML before any
parser (feedparser, lexbor, markdownify, trafilatura) sees them.

Every function here is a plain scan (``bytes.find`` / ``str.find`` loops): no regular
expression, so nothing backtracks, and the cost is linear in the input. Light to import
(the article loaders use it too).

- :func:`looks_like_html` - does a document open like an HTML page (comments skipped)?
- :func:`cap_entries` - keep the first N ``<item>`` / ``<entry>`` elements of a feed.
- :func:`drop_attribute_floods` - empty the attributes of tags with absurdly many
  (Python's SAX reader is quadratic in them: 40k attributes, 16 s).
- :func:`strip_tags` - the text of HTML without building a tree (for input too deep for one).
"""

from __future__ import annotations

import html

MAX_ENTRIES = 1000  # entries read from one feed in one run (fetch and the articles folder)
MAX_ATTRIBUTES = 256  # attributes in one tag; real feeds use a handful
MAX_PARSE_BYTES = 1024 * 1024  # bytes of a feed handed to feedparser
MAX_ENTRY_BYTES = 1024 * 1024  # bytes of one entry in the feed
MAX_ENTRY_HTML = 128 * 1024  # characters of HTML converted for one entry (markdownify:
# up to 10 s a MB of dense markup)
MAX_TEXT_HTML = 64 * 1024  # characters of HTML in a title, an author, a tag

_SPACE = frozenset(b" \t\r\n\f\v")
_NAME_END_BYTES = b" \t\r\n\f\v>/"
_NAME_END = frozenset(_NAME_END_BYTES)


def _skip_space(data: bytes, pos: int) -> int:
    n = len(data)
    while pos < n and data[pos] in _SPACE:
        pos += 1
    return pos


def looks_like_html(data: bytes) -> bool:
    """True when ``data`` (its start) opens with ``<!doctype html``, ``<html``, ``<head``
    or ``<body``, after any whitespace and comments."""
    pos = 0
    while True:
        pos = _skip_space(data, pos)
        if not data.startswith(b"<!--", pos):
            break
        end = data.find(b"-->", pos + 4)
        if end < 0:
            return False
        pos = end + 3
    head = data[pos : pos + 64].lower()
    if head.startswith(b"<!doctype"):
        rest = _skip_space(head, 9)
        return rest > 9 and head.startswith(b"html", rest)
    for name in (b"<html", b"<head", b"<body"):
        if head.startswith(name):
            return len(head) > len(name) and head[len(name)] in _NAME_END - {ord("/")}
    return False


def _element_starts(low: bytes, names: tuple[bytes, ...], most: int) -> list[int]:
    """Offsets of the first ``most`` start tags ``<name`` or ``<prefix:name`` in
    lower-cased ``low``, in document order."""
    found: list[int] = []
    for name in names:
        for form in (b"<" + name, b":" + name):
            pos = 0
            first = len(found)
            while len(found) - first < most:
                pos = low.find(form, pos)
                if pos < 0:
                    break
                end = pos + len(form)
                if end < len(low) and low[end] in _NAME_END:
                    if form[0] == ord("<"):
                        found.append(pos)
                    else:  # <prefix:name, the prefix a plain name
                        lt = low.rfind(b"<", max(0, pos - 64), pos)
                        prefix = low[lt + 1 : pos]
                        if lt >= 0 and prefix and prefix.translate(None, _NAME_END_BYTES) == prefix:
                            found.append(lt)
                pos = end
    found.sort()
    return found[:most]


def _last_end(low: bytes, names: tuple[bytes, ...]) -> int:
    """The offset just past the last ``</name>`` (or ``</p:name>``) in ``low``, or -1."""
    best = -1
    for name in names:
        pos = low.rfind(name + b">")
        while pos > 0:
            before = low[pos - 1]
            if before == ord("/") or (
                before == ord(":") and low.rfind(b"</", max(0, pos - 64), pos) >= 0
            ):
                best = max(best, pos + len(name) + 1)
                break
            pos = low.rfind(name + b">", 0, pos)
    return best


def cap_entries(
    data: bytes,
    cap: int = MAX_ENTRIES,
    max_bytes: int = MAX_PARSE_BYTES,
    entry_bytes: int = MAX_ENTRY_BYTES,
) -> tuple[bytes, list[str]]:
    """``data`` keeping only its first ``cap`` entries (RSS ``<item>``, Atom ``<entry>``),
    none larger than ``entry_bytes``, and no more than ``max_bytes`` of them; and one line
    per kind of cut (none: nothing was cut). The document's start and end are kept; a
    document still far larger is cut at ``max_bytes`` (a lenient parser reads the rest).
    feedparser costs up to 2 s a MB on dense markup: this bounds its time."""
    low = data.lower()
    names = (b"item", b"entry")
    starts = _element_starts(low, names, cap + 1)
    why: list[str] = []
    if starts:
        last = _last_end(low, names)
        if len(starts) > cap:
            ends = starts[1 : cap + 1]
            starts = starts[:cap]
            tail = data[last:] if last > ends[-1] else b""
            why.append(f"more than {cap} entries: only the first {cap} were read")
        else:
            end = last if last > starts[-1] else len(data)
            ends = [*starts[1:], end]
            tail = data[end:]
        kept = [data[: starts[0]]]
        total = len(kept[0])
        big: list[str] = []
        n_kept = 0
        for n, (start, end) in enumerate(zip(starts, ends, strict=True)):
            size = end - start
            if size > entry_bytes:
                big.append(str(n + 1))
                continue
            if total + size > max_bytes and n_kept:
                why.append(f"only the entries in the first {_mb(max_bytes)} of the feed were read")
                break
            kept.append(data[start:end])
            total += size
            n_kept += 1
        if big:
            shown = ", ".join(big[:5]) + (f" and {len(big) - 5} more" if len(big) > 5 else "")
            why.insert(
                0,
                f"entr{'ies' if len(big) > 1 else 'y'} {shown} skipped: larger than {_mb(entry_bytes)}",
            )
        if why:
            data = b"".join([*kept, tail])
    if len(data) > max_bytes * 3 // 2:
        data = data[:max_bytes]
        why.append(
            f"the feed is larger than {_mb(max_bytes)} in one piece: only that much was read"
        )
    return data, why


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):g} MB"


def drop_attribute_floods(data: bytes, limit: int = MAX_ATTRIBUTES) -> tuple[bytes, list[str]]:
    """``data`` with the attributes of every tag that has more than ``limit`` of them
    removed (the tag kept), and a note saying how many tags were so emptied (as
    :func:`cap_entries` says what it cut)."""
    if data.count(b"=") <= limit:
        return data, []
    segments = data.split(b"<")  # in XML, an attribute value never holds a "<"
    emptied = 0
    for i in range(1, len(segments)):
        seg = segments[i]
        if len(seg) <= 2 * limit:  # each attribute takes at least 2 bytes (a=)
            continue
        gt = seg.find(b">")
        head = seg if gt < 0 else seg[:gt]
        if head.count(b"=") <= limit:
            continue
        name_end = 0
        while name_end < len(head) and head[name_end] not in _NAME_END:
            name_end += 1
        tail = b"" if gt < 0 else seg[gt - 1 :] if seg[gt - 1 : gt] == b"/" else seg[gt:]
        segments[i] = seg[:name_end] + tail
        emptied += 1
    if not emptied:
        return data, []
    note = (
        f"{emptied} element{'s' if emptied != 1 else ''} with more than {limit} "
        "attributes: their attributes were ignored"
    )
    return b"<".join(segments), [note]


def strip_tags(fragment: str) -> str:
    """The text of an HTML fragment: tags dropped (each becomes a space), entities decoded.
    Linear, and without a tree, so any nesting depth costs the same."""
    parts: list[str] = []
    pos = 0
    while True:
        lt = fragment.find("<", pos)
        if lt < 0:
            parts.append(fragment[pos:])
            break
        parts.append(fragment[pos:lt])
        gt = fragment.find(">", lt)
        if gt < 0:
            break
        parts.append(" ")
        pos = gt + 1
    return html.unescape("".join(parts))
