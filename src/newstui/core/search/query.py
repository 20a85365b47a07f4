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
``folder:sport``       in a folder of that name, at any depth (``folder:sport/football``:
                       nested so; ``in:`` too); ``-folder:sport`` outside it
=====================  =====================================================================

Malformed queries never raise: a lone ``-`` or a dangling ``OR`` is ignored; an unknown
``field:`` is read as plain words (``10:30``, ``foo:bar``). As the last word is read as a
prefix, so is an ``is:`` value that ends the query (``is:u`` = ``is:unread`` while typing).
A malformed operator (``is:bogus``,
``after:2020-13``, ``title:`` with nothing after it) is ignored and named in
``Query.errors``, one line each, never searched as words. ``-after:X`` is ``before:X`` (and
the reverse), ``-is:read`` is ``is:unread`` (and the reverse).
A query ending in whitespace has no prefix word (the last word is complete). A repeated
word counts once. Cost is bounded whatever is pasted: only the first
:data:`MAX_QUERY_CHARS` characters are read and only the first :data:`MAX_TERMS` words
(counting every word of a phrase and of each ``OR`` alternative, excluded words too) are
searched; either cut is said in ``Query.errors``. A stopword (``the``, ``for``, ``and``…)
beside other words is optional: it raises the score of articles that have it but is not
required.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from newstui.core.search.normalize import TOKEN_RE, expand_compound, fold
from newstui.core.text import clean_line

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
MAX_TERMS = 32  # words a query keeps (phrase words and OR alternatives count each)
MAX_CLAUSES = MAX_TERMS
MAX_QUERY_CHARS = 1000  # characters of a query read; the rest is ignored
MAX_FOLDER_DEPTH = 16  # names of a folder: path a query keeps
DATE_FORMS = "YYYY, YYYY-MM or YYYY-MM-DD"
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
    #: ``folder:`` filters: each a folder path's names, folded (``("sport", "football")``);
    #: ``-folder:`` ones in ``not_folders``.
    folders: list[tuple[str, ...]] = field(default_factory=list)
    not_folders: list[tuple[str, ...]] = field(default_factory=list)
    # One-line messages about the query itself (a malformed operator, a cut): for the user.
    errors: list[str] = field(default_factory=list)

    @property
    def has_filters(self) -> bool:
        return (
            self.after is not None
            or self.before is not None
            or bool(self.states)
            or bool(self.folders)
            or bool(self.not_folders)
        )

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
    for m in TOKEN_RE.finditer(fold(text)):
        tok = m.group()
        if tok.isalnum():
            clauses.append(Clause((Term((tok,), field=field),)))
            continue
        expanded = expand_compound(tok)
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
    for m in TOKEN_RE.finditer(fold(text)):
        tok = m.group()
        if tok.isalnum():
            out.append(tok)
        else:
            expanded = expand_compound(tok)
            if len(expanded) >= 2 and not ("." in tok or "," in tok):
                out.extend(expanded[:-1])
            else:
                out.extend(expanded)
    return tuple(out)


def _shown(text: str) -> str:
    """Query text quoted back in a message: one clean line, short."""
    return clean_line(text, 40) or text[:0]


_STATE_HINT = "(is:read, is:unread, is:starred)"
_NEGATED_STATE = {"read": "unread", "unread": "read"}


def _operator(query: Query, neg: bool, key: str, value: str, unit: str, last: bool = False) -> bool:
    """Apply an ``after:``/``before:``/``is:`` unit; False when ``key`` is none of them.

    A malformed one is ignored and named in ``query.errors``. ``last``: the unit ends the
    query (still being typed): like the last word, an ``is:`` value is then read as a prefix
    (``is:u`` is ``is:unread`` while it is typed) when it starts exactly one state."""
    if key in ("after", "before"):
        when = parse_date(value) if value else None
        if when is None:
            if value:
                query.errors.append(f"{_shown(unit)} is not a date ({DATE_FORMS})")
            else:
                query.errors.append(f"{_shown(unit)} needs a date ({DATE_FORMS})")
            return True
        if neg:  # not after X = before X
            key = "before" if key == "after" else "after"
        if key == "after":
            query.after = when.timestamp()
        else:
            query.before = when.timestamp()
        return True
    if key in ("folder", "in"):
        names = tuple(n.casefold() for n in value.replace("\\", "/").split("/") if n.strip())
        if not names:
            query.errors.append(f"{_shown(unit)} needs a folder name ({key}:NAME)")
            return True
        (query.not_folders if neg else query.folders).append(names[:MAX_FOLDER_DEPTH])
        return True
    if key == "is":
        state = value.lower()
        if last and state and state not in STATE_FILTERS:
            completions = [s for s in STATE_FILTERS if s.startswith(state)]
            if len(completions) == 1:
                state = completions[0]
        if state not in STATE_FILTERS:
            if value:
                query.errors.append(f"unknown filter {_shown(unit)} {_STATE_HINT}")
            else:
                query.errors.append(f"{_shown(unit)} needs a value {_STATE_HINT}")
            return True
        if neg:
            if state not in _NEGATED_STATE:
                query.errors.append(f"{_shown(unit)} cannot be negated {_STATE_HINT}")
                return True
            state = _NEGATED_STATE[state]
        query.states.append(state)
        return True
    return False


def _within_budget(terms: list[Term], budget: int) -> tuple[list[Term], int]:
    """``terms`` cut so their words number at most ``budget`` (a phrase may be shortened);
    and the budget left."""
    kept: list[Term] = []
    for t in terms:
        if budget <= 0:
            break
        if len(t.words) > budget:
            words = t.words[:budget]
            t = Term(words, phrase=t.phrase and len(words) > 1, field=t.field, fuzzy=t.fuzzy)
        kept.append(t)
        budget -= len(t.words)
    return kept, budget


def _n_words(query: Query) -> int:
    return sum(len(t.words) for c in query.clauses for t in c.alternatives) + sum(
        len(t.words) for t in query.excluded
    )


def _cap(query: Query) -> bool:
    """Keep the first :data:`MAX_TERMS` words of the query (the words to find first, then
    the excluded ones); True when anything was cut."""
    before = _n_words(query)
    budget = MAX_TERMS
    clauses: list[Clause] = []
    for c in query.clauses:
        alts, budget = _within_budget(list(c.alternatives), budget)
        if alts:
            clauses.append(Clause(tuple(alts), c.optional))
    query.clauses = clauses
    query.excluded, _ = _within_budget(query.excluded, budget)
    return _n_words(query) < before


def parse(text: str) -> Query:
    """Parse a query; never raises. Costs O(len(text)) for any text."""
    query = Query(text)
    cut_chars = len(text) > MAX_QUERY_CHARS
    if cut_chars:
        # The cut may fall inside a word: whatever is read is complete (no prefix word).
        text = text[:MAX_QUERY_CHARS] + " "
        query.errors.append(
            f"query too long: only its first {MAX_QUERY_CHARS:,} characters are searched"
        )
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
        unit = m.group(0)[1:] if neg else m.group(0)
        if fname is None and bare is not None and bare.endswith(":"):
            key = bare[:-1].lstrip("-").lower()
            if key in FIELD_ALIASES:
                query.errors.append(f"{_shown(bare.lstrip('-'))} needs a value ({key}:WORD)")
                continue  # "title:" with nothing after it
            if _operator(query, neg, key, "", bare.lstrip("-")):
                continue
        if fname is not None:
            key = fname.lower()
            value = quoted if quoted is not None else (bare or "")
            typing = quoted is None and m.end() == len(text)
            if _operator(query, neg, key, value.strip(), unit, typing):
                continue
            if key in FIELD_ALIASES:
                field_name = FIELD_ALIASES[key]
            else:
                # Unknown field: the whole unit is plain text ("foo:bar" -> foo bar).
                quoted = None
                bare = unit
        if quoted is not None:
            words = _phrase_words(quoted)
            if not words:
                if field_name is not None:
                    query.errors.append(f"{_shown(unit)} has no word to look for")
                continue
            term = Term(words, phrase=len(words) > 1, field=field_name, fuzzy=False)
            units.append((neg, [Clause((term,))], False, False))
            continue
        clauses = _word_alternatives(bare or "", field=field_name)
        if not clauses:
            if field_name is not None:
                query.errors.append(f"{_shown(unit)} has no word to look for")
            continue  # a lone "-", punctuation
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
    query.clauses = [
        Clause(tuple(dict.fromkeys(c.alternatives)), c.optional)
        for c in dict.fromkeys(query.clauses)
    ]
    query.excluded = list(dict.fromkeys(query.excluded))
    if _cap(query):
        query.errors.append(f"query too long: only its first {MAX_TERMS} words are searched")
        last_plain = False  # the word typed last was dropped

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


class FolderTest:
    """Is a file in the query's ``folder:`` folders and outside its ``-folder:`` ones? (A
    folder's names, folded, found one after the other among the names of the folders above
    the file.) Each file's folders are split once per search."""

    def __init__(self, query: Query) -> None:
        self._folders = query.folders
        self._not = query.not_folders
        self._seen: dict[int, tuple[Path, bool]] = {}

    def __call__(self, path: Path | None) -> bool:
        if path is None:
            return not self._folders
        known = self._seen.get(id(path))
        if known is not None and known[0] is path:
            return known[1]
        parts = tuple(p.casefold() for p in path.parent.parts)
        ok = all(_has_run(parts, f) for f in self._folders) and not any(
            _has_run(parts, f) for f in self._not
        )
        self._seen[id(path)] = (path, ok)
        return ok


def _has_run(parts: tuple[str, ...], names: tuple[str, ...]) -> bool:
    n = len(names)
    return any(parts[i : i + n] == names for i in range(len(parts) - n + 1))


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
