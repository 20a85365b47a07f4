"""Text normalisation shared by indexing, querying and highlighting.

One rule set, applied identically to articles and queries, so that what a reader types
meets what an article says:

- Unicode casefolding (``Straße`` -> ``strasse``) and accent folding (``é`` -> ``e``,
  ``ø`` -> ``o``); other scripts (Greek, Cyrillic, CJK) keep their letters.
- Curly quotes and apostrophes count as ``'``; a possessive ``'s`` is dropped
  (``Trump’s`` -> ``trump``); other apostrophes join (``don't`` -> ``dont``, ``don``) .
- Hyphenated words index both parts and the joined word (``e-mail`` -> ``e``, ``mail``,
  ``email``); a query ``e-mail`` or ``email`` finds either spelling.
- Numbers are tokens; thousands separators go (``1,000`` -> ``1000``), decimals stay
  (``3.5``); dotted acronyms join (``U.S.`` -> ``us``).

Two tokenizers produce the same tokens: :func:`tokens` (fast, for indexing) and
:func:`tokens_with_offsets` (slower, with character offsets into the *original* text, for
highlighting and snippets).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import NamedTuple

__all__ = [
    "ASCII_TOKEN_RE",
    "ASCII_WORD_RE",
    "SEPARATOR",
    "TOKEN_RE",
    "Token",
    "compound_index_tokens",
    "compound_tokens",
    "expand_compound",
    "fold",
    "fold_char",
    "fold_same_length",
    "folded_forms",
    "index_forms",
    "index_pieces",
    "index_tokens",
    "normalize_word",
    "piece_index_tokens",
    "tokens",
    "tokens_with_offsets",
]

# Letters NFKD does not decompose.
_SPECIAL: dict[str, str] = {
    "ø": "o",
    "đ": "d",
    "ð": "d",
    "ł": "l",
    "þ": "th",
    "æ": "ae",
    "œ": "oe",
    "ı": "i",
    "ħ": "h",
    "ŧ": "t",
}
_APOSTROPHES = "\u2019\u2018\u02bc\u2032\u00b4\u0060\uff07"
_HYPHENS = "\u2010\u2011\u00ad"


def fold_char(ch: str) -> str:
    """The folded form of one (already casefolded) character: may be empty or longer."""
    if ch in _APOSTROPHES:
        return "'"
    if ch in _HYPHENS:
        return "-" if ch != "\u00ad" else ""
    special = _SPECIAL.get(ch)
    if special is not None:
        return special
    decomposed = unicodedata.normalize("NFKD", ch)
    out = "".join(c for c in decomposed if not unicodedata.combining(c))
    return "".join(_SPECIAL.get(c, c) for c in out.casefold())


class _FoldTable(dict[int, str]):
    """A ``str.translate`` table filled lazily, one code point at a time."""

    def __missing__(self, key: int) -> str:
        value = fold_char(chr(key))
        self[key] = value
        return value


_TABLE = _FoldTable()
_CHAR_CACHE: dict[str, str] = {}


def fold(text: str) -> str:
    """Casefold and accent-fold ``text`` (lengths may change; see tokens_with_offsets)."""
    if text.isascii():
        return text.lower()
    return text.casefold().translate(_TABLE)


# An acronym (U.S.), or a run of letters/digits joined by ' - . , (never _).
TOKEN_RE = re.compile(r"(?:[^\W\d_]\.){2,}|[^\W_]+(?:['\-.,][^\W_]+)*")
# TOKEN_RE for lowercase ASCII text (the same matches, simpler classes: faster).
ASCII_TOKEN_RE = re.compile(r"(?:[a-z]\.){2,}|[a-z0-9]++(?:['\-.,][a-z0-9]++)*+")
_SPLIT_RE = re.compile(r"['\-.,]")
_DIGITS_RE = re.compile(r"\d+(?:[.,]\d+)+")


def expand_compound(tok: str) -> list[str]:
    """The index tokens of one compound match of :data:`TOKEN_RE` (one containing
    ' - . or ,)."""
    if tok.endswith("."):  # acronym: u.s. -> us
        return [tok.replace(".", "")]
    if _DIGITS_RE.fullmatch(tok):
        # 1,000 -> 1000; 3.5 -> 3.5; 1,000.50 -> 1000.50
        if "." in tok and "," in tok:
            return [tok.replace(",", "")]
        if "," in tok:
            parts = tok.split(",")
            if all(len(p) == 3 for p in parts[1:]):
                return [tok.replace(",", "")]
            return parts
        return [tok]
    parts = _SPLIT_RE.split(tok)
    if "'" in tok and parts[-1] == "s" and len(parts) >= 2:  # possessive
        parts = parts[:-1]
    if len(parts) == 1:
        return parts
    if "." in tok or "," in tok:
        # "end.Next" or "a,b": a missing space, not a compound word.
        return [p for p in parts if p]
    kept = [p for p in parts if len(p) > 1 or p.isdigit()] or parts[:1]
    return [*kept, "".join(parts)]


def tokens(text: str) -> list[str]:
    """Index tokens of ``text`` in order (fast path for indexing)."""
    toks: list[str] = TOKEN_RE.findall(fold(text))
    if any(not t.isalnum() for t in toks):
        out: list[str] = []
        for t in toks:
            if t.isalnum():
                out.append(t)
            else:
                out.extend(expand_compound(t))
        return out
    return toks


ASCII_WORD_RE = re.compile(r"[a-z0-9]+")
_JOINER_RE = re.compile(r"['\-.,](?=[a-z0-9])")
_ASCII_COMPOUND_RE = re.compile(
    r"(?<![a-z0-9])(?:(?:[a-z]\.){2,}|[a-z0-9]++(?:['\-.,][a-z0-9]++)+)"
)


def index_tokens(text: str) -> list[str]:
    """Tokens to index for ``text``: those of :func:`tokens`, in any order, plus (for ASCII
    text, the fast path) the plain parts of compounds (``1,000`` also gives ``1`` and
    ``000``; ``Trump's`` also ``s``). A superset, so every query token still matches."""
    if not text.isascii():
        return tokens(text)
    low = text.lower()
    toks: list[str] = ASCII_WORD_RE.findall(low)
    end = 0
    # Compounds are rare: find their joiners (a cheap scan), then read each compound whole.
    for m in _JOINER_RE.finditer(low):
        p = m.start()
        if p < end or p == 0 or not low[p - 1].isalnum():
            continue
        s = p - 1
        while s > 0 and low[s - 1].isalnum():
            s -= 1
        c = _ASCII_COMPOUND_RE.match(low, s)
        if c is None:
            continue
        end = c.end()
        word = c.group()
        parts = _SPLIT_RE.split(word)
        toks.extend(t for t in expand_compound(word) if t not in parts)
    return toks


# What index_forms reads: an acronym (``(?:[a-z]\.){2,}`` as _ASCII_COMPOUND_RE, written so
# that most positions fail at the lookahead), a word with its joined parts, a separator.
SEPARATOR = "\x00"
_CHUNK_RE = re.compile(r"[a-z](?=\.[a-z]\.)(?:\.[a-z])*\.|[a-z0-9]++(?:['\-.,][a-z0-9]++)*+|\x00")


def compound_index_tokens(word: str) -> list[str]:
    """:func:`index_tokens` of one ASCII compound (``u.s.``, ``e-mail``, ``1,000``)."""
    parts = _SPLIT_RE.split(word)
    return ASCII_WORD_RE.findall(word) + [t for t in expand_compound(word) if t not in parts]


def index_forms(texts: list[str]) -> list[str]:
    """Lowercase ASCII ``texts`` (no NUL inside) read in one regex pass: for each text in
    turn its words and whole compounds, then :data:`SEPARATOR` (none after the last).
    A word stands for itself, a compound for :func:`compound_index_tokens`: together
    exactly the tokens :func:`index_tokens` gives each text."""
    forms: list[str] = _CHUNK_RE.findall(SEPARATOR.join(texts).lower())
    return forms


# index_pieces: every ASCII character that no form of _CHUNK_RE holds becomes a space.
_PIECE_KEEP = frozenset("abcdefghijklmnopqrstuvwxyz0123456789'-.,\x00")
_PIECE_TABLE = {c: " " for c in range(128) if chr(c) not in _PIECE_KEEP}
#: What :func:`index_pieces` puts between texts (its own piece: :data:`SEPARATOR`).
PIECE_JOIN = f" {SEPARATOR} "


def index_pieces(texts: list[str]) -> list[str]:
    """What :func:`index_forms` reads, cut cheaper: ASCII ``texts`` (no NUL inside) joined
    by :data:`PIECE_JOIN`, lowercased, every character no form can hold made a space, then
    split on the spaces (C all through; no regex scans the text). A piece is a word, or
    :data:`SEPARATOR`, or a run of forms and joiners (``said.``, ``u.s.,``, ``--``) that
    stands for :func:`piece_index_tokens` of it. Together, in order, exactly the tokens
    :func:`index_forms` gives (and so :func:`index_tokens` each text), first seen in the
    same order."""
    pieces: list[str] = PIECE_JOIN.join(texts).lower().translate(_PIECE_TABLE).split()
    return pieces


def piece_index_tokens(piece: str) -> list[str]:
    """The index tokens one piece of :func:`index_pieces` stands for: its forms, each
    word as it is and each compound :func:`compound_index_tokens`, in order."""
    out: list[str] = []
    for form in _CHUNK_RE.findall(piece):
        if form.isalnum():
            out.append(form)
        else:
            out.extend(compound_index_tokens(form))
    return out


_FOLDED_CHUNK_RE = re.compile(r"\x00|" + TOKEN_RE.pattern)


def folded_forms(texts: list[str]) -> list[str]:
    """Like :func:`index_forms` for any ``texts`` (no NUL inside), folded: a word stands
    for itself, a compound for :func:`expand_compound` of it; together exactly :func:`tokens`."""
    forms: list[str] = _FOLDED_CHUNK_RE.findall(fold(SEPARATOR.join(texts)))
    return forms


def normalize_word(word: str) -> list[str]:
    """The tokens a single query word stands for (may be several, or none)."""
    return tokens(word)


def _fold_char_cached(ch: str) -> str:
    f = _CHAR_CACHE.get(ch)
    if f is None:
        f = "".join(_TABLE[ord(c)] for c in ch.casefold())
        _CHAR_CACHE[ch] = f
    return f


def _fold_same_length(text: str) -> str | None:
    """``fold(text)`` when each character folds to exactly one (``£``, ``é``), else None."""
    for ch in set(text):
        if ord(ch) >= 128 and len(_fold_char_cached(ch)) != 1:
            return None
    return text.casefold().translate(_TABLE)


def fold_same_length(text: str) -> str | None:
    """The folded text when it keeps every offset (always for ASCII), else None."""
    return text.lower() if text.isascii() else _fold_same_length(text)


class Token(NamedTuple):
    """One token of a text: ``text[start:end]`` folds to ``token``; ``position`` counts
    tokens (a compound's joined form shares its first part's position)."""

    token: str
    start: int
    end: int
    position: int


def compound_tokens(match: str) -> tuple[Token, ...]:
    """The tokens of one compound :data:`TOKEN_RE` match of *folded* text, in
    :func:`tokens` order, with offsets into ``match`` and positions from 0: each part its
    own span and position, the joined (or rewritten) form the whole match at the first
    part's position."""
    # Most compounds are short and common (u.s., it's, 1,000): remembered, a few thousand.
    return _short_compound_tokens(match) if len(match) <= 32 else _compound_tokens(match)


@lru_cache(maxsize=8192)
def _short_compound_tokens(match: str) -> tuple[Token, ...]:
    return _compound_tokens(match)


def _compound_tokens(match: str) -> tuple[Token, ...]:
    expanded = expand_compound(match)
    joined = "".join(_SPLIT_RE.split(match))  # once: a compound may have 100k parts
    out: list[Token] = []
    cursor = pos = 0
    n = len(match)
    for part in expanded:
        idx = match.find(part, cursor)
        if idx >= 0 and part != joined:
            cursor = idx + len(part)
            out.append(Token(part, idx, cursor, pos))
            pos += 1
        else:  # joined / rewritten form: span the whole compound
            out.append(Token(part, 0, n, 0))
            if len(expanded) == 1:
                pos += 1
    return tuple(out)


def folded_with_offsets(text: str) -> tuple[str, list[int] | None]:
    """``fold(text)`` and, when folding changed lengths, where each folded character came
    from (one more entry for the end); ``None`` when offsets are unchanged."""
    if text.isascii():
        return text.lower(), None
    same = _fold_same_length(text)
    if same is not None:
        return same, None  # every character folds to one: offsets are unchanged
    pieces: list[str] = []
    back: list[int] = []
    for i, ch in enumerate(text):
        f = _fold_char_cached(ch)
        pieces.append(f)
        back.extend([i] * len(f))
    back.append(len(text))
    return "".join(pieces), back


def tokens_with_offsets(text: str) -> list[Token]:
    """The tokens of ``text`` with ``start:end`` indexing the original text.

    Produces the same tokens, in the same order, as :func:`tokens`. Parts of a compound
    word get consecutive positions; its joined form shares the first part's position and
    spans the whole compound.
    """
    folded, back = folded_with_offsets(text)
    out: list[Token] = []
    pos = 0
    for m in TOKEN_RE.finditer(folded):
        tok = m.group()
        s, e = m.start(), m.end()
        if tok.isalnum():
            out.append(
                Token(tok, s, e, pos) if back is None else Token(tok, back[s], back[e - 1] + 1, pos)
            )
            pos += 1
            continue
        last = 0
        for t, ps, pe, pp in compound_tokens(tok):
            a, b = s + ps, s + pe
            if back is not None:
                a, b = back[a], back[b - 1] + 1
            out.append(Token(t, a, b, pos + pp))
            last = max(last, pp + 1)
        pos += last
    return out
