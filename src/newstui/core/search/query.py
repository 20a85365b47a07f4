"""The query language, parsed into a small structure the index evaluates.

=====================  =====================================================================
``cocoa prices``       every word must match (typo-tolerant; the last word also as a prefix)
``"cocoa prices"``     an exact phrase (no typos); an unclosed quote runs to the end
``-brazil``            exclude articles containing the word (``-"a phrase"`` too)
``cocoa OR coffee``    either word (``OR`` in capitals; chains: ``a OR b OR c``)
``title:cocoa``        the word in one field: ``title:``, ``author:``, ``source:``, ``tag:``
``after:1987-03``      published on or after the start of that year/month/day (UTC)
``before:1987-03-15``  published before the start of that year/month/day (UTC)
``is:unread``          reading-state filters: ``is:read``, ``is:unread``, ``is:starred``
=====================  =====================================================================

Malformed queries never raise: a lone ``-`` or a dangling ``OR`` is ignored, an unknown
``field:`` or an unreadable date is read as plain words, an empty ``title:`` is ignored.
A query ending in whitespace has no prefix word (the last word is complete). A repeated
word counts once; words past the 32nd are ignored (a pasted paragraph stays fast). A
stopword (``the``, ``for``, ``and``…) beside other words is optional: it raises the score
of articles that have it but is not required.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

from newstui.core.search.normalize import _TOKEN_RE, _expand, fold

FIELD_ALIASES: dict[str, str] = {
    "title": "title",
    "author": "author",
    "by": "author",
    "source": "source",
    "src": "source",
    "tag": "tags",
    "tags": "tags",
}
STATE_FILTERS = ("read", "unread", "starred")
MAX_CLAUSES = 32  # words (or phrases, OR groups) a query keeps; the rest are ignored
# Lucene's English stop set: beside other words such a word is optional (see parse).
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "but",
        "by",
        "for",
        "if",
        "in",
        "into",
        "is",
        "it",
        "no",
        "not",
        "of",
        "on",
        "or",
        "such",
        "that",
        "the",
        "their",
        "then",
        "there",
        "these",
        "they",
        "this",
        "to",
        "was",
        "will",
        "with",
    ]
)


@dataclass(slots=True, frozen=True)
class Term:
    """Words that must all match (in order and adjacent when ``phrase``).

    ``field`` restricts the match to one field; ``prefix`` lets the last word match as a
    prefix (search as you type); ``fuzzy`` allows typos.
    """

    words: tuple[str, ...]
    phrase: bool = False
    field: str | None = None
    prefix: bool = False
    fuzzy: bool = True


@dataclass(slots=True, frozen=True)
class Clause:
    """Alternatives (``a OR b``): the clause matches when any alternative does."""

    alternatives: tuple[Term, ...]
    # Scored when it matches, not required (a stopword beside other words; see parse).
    optional: bool = False


@dataclass(slots=True)
class Query:
    text: str
    clauses: list[Clause] = field(default_factory=list)
    excluded: list[Term] = field(default_factory=list)
    after: float | None = None  # UTC timestamp, inclusive
    before: float | None = None  # UTC timestamp, exclusive
    states: list[str] = field(default_factory=list)

    @property
    def has_filters(self) -> bool:
        return self.after is not None or self.before is not None or bool(self.states)

    @property
    def is_empty(self) -> bool:
        return not self.clauses and not self.excluded and not self.has_filters


# A unit: optional '-', optional 'field:', then a quoted phrase or a bare run of non-space.
_UNIT_RE = re.compile(r'(-?)(?:([A-Za-z]+):)?(?:"([^"]*)(?:"|$)|(\S+))')
_DATE_RE = re.compile(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")


def parse_date(value: str) -> datetime | None:
    """``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` -> the first instant of that period (UTC)."""
    m = _DATE_RE.fullmatch(value.strip())
    if m is None:
        return None
    year = int(m.group(1))
    month = int(m.group(2) or 1)
    day = int(m.group(3) or 1)
    try:
        return datetime(year, month, day, tzinfo=UTC)
    except ValueError:
        return None


def _word_alternatives(text: str, *, field: str | None) -> list[Clause]:
    """Clauses for free text: one per token; a compound (e-mail) matches joined or split."""
    clauses: list[Clause] = []
    for m in _TOKEN_RE.finditer(fold(text)):
        tok = m.group()
        if tok.isalnum():
            clauses.append(Clause((Term((tok,), field=field),)))
            continue
        expanded = _expand(tok)
        if len(expanded) >= 2 and not ("." in tok or "," in tok):
            joined, parts = expanded[-1], tuple(expanded[:-1])
            clauses.append(
                Clause(
                    (
                        Term((joined,), field=field),
                        Term(parts, phrase=len(parts) > 1, field=field),
                    )
                )
            )
        else:
            clauses.extend(Clause((Term((t,), field=field),)) for t in expanded)
    return clauses


def _phrase_words(text: str) -> tuple[str, ...]:
    out: list[str] = []
    for m in _TOKEN_RE.finditer(fold(text)):
        tok = m.group()
        if tok.isalnum():
            out.append(tok)
        else:
            expanded = _expand(tok)
            if len(expanded) >= 2 and not ("." in tok or "," in tok):
                out.extend(expanded[:-1])
            else:
                out.extend(expanded)
    return tuple(out)


def parse(text: str) -> Query:
    """Parse a query; never raises."""
    query = Query(text)
    # Each unit: (negated, clause list, is_or_keyword, is_plain_word)
    units: list[tuple[bool, list[Clause], bool, bool]] = []
    last_plain = False  # was the last thing typed a plain word?
    for m in _UNIT_RE.finditer(text):
        last_plain = False
        neg, fname, quoted, bare = m.group(1) == "-", m.group(2), m.group(3), m.group(4)
        if fname is None and quoted is None and bare == "OR" and not neg:
            units.append((False, [], True, False))
            continue
        field_name: str | None = None
        if fname is None and bare is not None and bare.endswith(":"):
            key = bare[:-1].lstrip("-").lower()
            if key in FIELD_ALIASES or key in ("after", "before", "is"):
                continue  # "title:" with nothing after it
        if fname is not None:
            key = fname.lower()
            value = quoted if quoted is not None else (bare or "")
            if key in ("after", "before") and quoted is None:
                when = parse_date(value)
                if when is not None:
                    if key == "after":
                        query.after = when.timestamp()
                    else:
                        query.before = when.timestamp()
                    continue
            elif key == "is" and quoted is None and value.lower() in STATE_FILTERS:
                query.states.append(value.lower())
                continue
            elif key in FIELD_ALIASES:
                field_name = FIELD_ALIASES[key]
            else:
                # Unknown field: the whole unit is plain text ("foo:bar" -> foo bar).
                quoted = None
                bare = m.group(0)[1:] if neg else m.group(0)
        if quoted is not None:
            words = _phrase_words(quoted)
            if not words:
                continue
            term = Term(words, phrase=len(words) > 1, field=field_name, fuzzy=False)
            units.append((neg, [Clause((term,))], False, False))
            continue
        clauses = _word_alternatives(bare or "", field=field_name)
        if not clauses:
            continue  # a lone "-", punctuation, an empty "title:"
        units.append((neg, clauses, False, True))
        last_plain = not neg

    # Fold "a OR b" into one clause; drop dangling ORs.
    merged: list[tuple[bool, list[Clause], bool]] = []
    pending_or = False
    for neg, clauses, is_or, plain in units:
        if is_or:
            pending_or = bool(merged) and not merged[-1][0]
            continue
        if pending_or and not neg and merged:
            prev_neg, prev_clauses, _ = merged[-1]
            left = prev_clauses[-1]
            right = clauses[0]
            prev_clauses[-1] = Clause(left.alternatives + right.alternatives)
            prev_clauses.extend(clauses[1:])
            merged[-1] = (prev_neg, prev_clauses, plain)
        else:
            merged.append((neg, clauses, plain))
        pending_or = False

    for neg, clauses, _plain in merged:
        if neg:
            for clause in clauses:
                for alt in clause.alternatives:
                    query.excluded.append(
                        Term(alt.words, phrase=alt.phrase, field=alt.field, fuzzy=False)
                    )
        else:
            query.clauses.extend(clauses)

    # A word said twice is one requirement; a pasted paragraph keeps its first words.
    query.clauses = list(dict.fromkeys(query.clauses))[:MAX_CLAUSES]
    query.excluded = list(dict.fromkeys(query.excluded))[:MAX_CLAUSES]

    # Search as you type: the last word typed matches as a prefix too.
    if merged and last_plain and query.clauses and not text[-1:].isspace():
        neg, clauses, plain = merged[-1]
        if not neg and plain and clauses:
            last = query.clauses[-1]
            query.clauses[-1] = Clause(
                tuple(
                    Term(a.words, phrase=a.phrase, field=a.field, prefix=True, fuzzy=a.fuzzy)
                    for a in last.alternatives
                )
            )
    # A stopword typed beside other words ("for host", "bank of") says little about which
    # article is meant: it is optional (it still scores where it matches). A query of only
    # stopwords keeps them all.
    optional = [_is_stopword(c) for c in query.clauses]
    if not all(optional):
        query.clauses = [
            Clause(c.alternatives, optional=True) if opt else c
            for c, opt in zip(query.clauses, optional, strict=True)
        ]
    return query


def _is_stopword(clause: Clause) -> bool:
    """A plain stopword: one word, no field, not a phrase, not part of an OR."""
    if len(clause.alternatives) != 1:
        return False
    term = clause.alternatives[0]
    return (
        len(term.words) == 1
        and not term.phrase
        and term.field is None
        and term.words[0] in STOPWORDS
    )
