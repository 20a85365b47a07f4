"""Phrase verification: does an article hold the words of a quoted phrase in order,
adjacent, in the tokenizer's terms (``normalize``)?

Candidates come from the postings (every word present); this checks order and adjacency
on the text: a regex over casefolded text when folding keeps offsets (a common phrase over
thousands of articles stays fast), else the exact tokens with their positions.
"""

from __future__ import annotations

import re

from newstui.core.article import Article
from newstui.core.search.normalize import fold_same_length, tokens_with_offsets
from newstui.core.search.segments import field_texts

_PHRASE_RES: dict[tuple[str, ...], re.Pattern[str] | None] = {}
# Between two adjacent words: punctuation/space, maybe skipping a one-letter compound part
# the tokenizer drops (Trump['s] plan, don['t] go, big [x-]ray). Atomic, and each optional
# part taken only where the tokenizer drops it, so there is one way to read a separator:
# the phrase regex runs in linear time (it backtracked exponentially on `a'a'a'a…`).
_PHRASE_SEP = r"(?>(?:['\-.,][a-z](?![a-z0-9]))?[^a-z0-9]+(?:[a-z]['\-.,](?=[a-z0-9]{2}))?)"


def _phrase_regex(words: tuple[str, ...]) -> re.Pattern[str] | None:
    """The phrase as a regex over casefolded text (same length as the original), in the
    tokenizer's terms: words in order with only separators (or a dropped one-character
    compound part) between them."""
    rx = _PHRASE_RES.get(words)
    if rx is None and words not in _PHRASE_RES:
        pats = [_joiner_pattern(w) for w in words]
        rx = (
            re.compile(r"(?<![a-z0-9])" + _PHRASE_SEP.join(pats) + r"(?![a-z0-9])")
            if all(pats)
            else None
        )
        if len(_PHRASE_RES) > 256:
            _PHRASE_RES.clear()
        _PHRASE_RES[words] = rx
    return rx


def has_phrase(article: Article, words: tuple[str, ...], fields: tuple[int, ...]) -> bool:
    texts = field_texts(article)
    quick = _phrase_regex(words)
    for f in fields:
        text = texts[f]
        if not text:
            continue
        if quick is not None:
            low = fold_same_length(text)
            if low is not None:
                # The words in order, separated only by punctuation/space: the phrase
                # (a common phrase over thousands of articles stays fast this way).
                if quick.search(low) is not None:
                    return True
                continue
        # token -> (first, last) word positions; a compound's joined form spans its parts.
        spans: dict[str, list[tuple[int, int]]] = {}
        toks = tokens_with_offsets(text)
        for i, (tok, start, end, pos) in enumerate(toks):
            last = pos
            prev = toks[i - 1] if i else None
            if prev is not None and start <= prev.start and prev.end <= end and prev.position > pos:
                last = prev.position
            spans.setdefault(tok, []).append((pos, last))
        ends = {last for _, last in spans.get(words[0], ())}
        for w in words[1:]:
            if not ends:
                break
            ends = {last for first, last in spans.get(w, ()) if first - 1 in ends}
        if ends:
            return True
    return False


def _joiner_pattern(term: str) -> str:
    if not term.isascii():
        return ""
    chars = [c for c in term if c not in "'-.,"]
    return "['\\-.,]?".join(re.escape(c) for c in chars)
