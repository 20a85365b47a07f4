"""The proximity re-rank of the best candidates: query words close together and in order
earn a bonus (``ranking.proximity``), read from each hit's title and, when the title does
not already earn the whole bonus, its body.

Reading the hits' texts is the costly part of a search at 104k articles (bodies read from the
cache by ``pread``), so it is read

- only for the candidates that may end on the page (see :func:`rerank`: the bonus at most
  multiplies a score by ``1 + proximity_weight``), and
- for all those candidates at once: their ASCII titles, then the ASCII bodies still
  needed, each group matched in one numpy pass (``Matcher.relative_positions_of``), not one scan and a
  few Python calls per hit. Any other text takes the one-hit path (``HitMatches``), which
  gives the same positions.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from typing import NamedTuple

from newstui.core.article import Article, stored_ascii_body
from newstui.core.search.highlight import MATCH_CHARS, HitMatches, Matcher
from newstui.core.search.ranking import pair_nearness, proximity

Positions = list[tuple[int, int]]

# Titles are matched one by one below this many, together from it (a title is short: the
# numpy pass costs more than a few one-by-one readings). Bodies are always matched together.
TITLES_AT_ONCE = 12


class Ranked(NamedTuple):
    """A candidate hit while ordering: its score, its sort key (required clauses matched,
    then score) and its publication time (NaN as far past)."""

    article: Article
    score: float
    key: float
    published: float


def title_positions(articles: Sequence[Article], matcher: Matcher) -> list[Positions]:
    """``HitMatches.title_positions`` of each article (the ASCII titles at once)."""
    titles = [a.title[:MATCH_CHARS] for a in articles]
    if len(titles) < TITLES_AT_ONCE:
        return [matcher.relative_positions(t) for t in titles]
    out: list[Positions] = [[] for _ in titles]
    plain = [i for i, t in enumerate(titles) if t.isascii()]
    for i, found in zip(
        plain, matcher.relative_positions_of([titles[i].encode() for i in plain]), strict=True
    ):
        out[i] = found
    for i, t in enumerate(titles):
        if not t.isascii():
            out[i] = matcher.relative_positions(t)
    return out


def body_positions(articles: Sequence[Article], matcher: Matcher) -> list[Positions]:
    """``HitMatches.body_positions`` of each article (the ASCII bodies at once: a stored
    one read as its bytes, not decoded)."""
    out: list[Positions] = [[] for _ in articles]
    rows: list[int] = []
    texts: list[bytes] = []
    for i, a in enumerate(articles):
        raw = stored_ascii_body(a)
        if raw is None:
            body = a.body[:MATCH_CHARS]
            if not body.isascii():
                out[i] = HitMatches(a, matcher).body_positions()
                continue
            raw = body.encode()
        rows.append(i)
        texts.append(raw[:MATCH_CHARS])
    for i, found in zip(rows, matcher.relative_positions_of(texts), strict=True):
        out[i] = found
    return out


def nearness(articles: Sequence[Article], matcher: Matcher, n_clauses: int) -> list[float]:
    """The proximity (0..1) of each article's title and body: the title's alone when it
    has every pair side by side (the body can add nothing), the body read otherwise."""
    titles = title_positions(articles, matcher)
    near = [_proximity(t, n_clauses) for t in titles]
    rest = [i for i, x in enumerate(near) if x < 1.0]
    if rest:
        bodies = body_positions([articles[i] for i in rest], matcher)
        for i, body in zip(rest, bodies, strict=True):
            near[i] = _proximity(titles[i], n_clauses, body)
    return near


def _proximity(title: Positions, n_clauses: int, body: Positions | None = None) -> float:
    """``proximity([title])`` or ``proximity([title, body])``: 0 at once for fields of
    fewer than two matches each (no pair; most titles)."""
    fields = [f for f in (title, body) if f is not None and len(f) > 1]
    if not fields:
        return 0.0
    return near_pair(fields) if n_clauses == 2 else proximity(fields, n_clauses)


def near_pair(fields: Sequence[Positions]) -> float:
    """``proximity(fields, 2)`` (most queries: two words), with fewer steps: the one pair
    of clauses, 0 and 1, per field; the same arithmetic, so the same float."""
    best = 0.0
    for matches in fields:
        near = pair_nearness(matches, 0, 1)
        if near > best:
            best = near
    return 0.0 + best


def rerank(
    docs: list[Ranked], matcher: Matcher, n_clauses: int, need: int, weight: float
) -> list[Ranked]:
    """``docs`` (best first) with the proximity bonus, best first; only the first ``need``
    are sure to be in their place.

    The bonus multiplies a score by 1 to ``1 + weight``, so a document whose score at the
    most bonus stays below the ``need``-th best boosted key seen so far cannot rise that
    high: documents are boosted in the order of that ceiling until the next one's is below
    it. The first ``need`` are exactly those of a full re-rank (ties included); the others
    follow unboosted.

    The texts are read before that walk, a group at a time, for the documents it can
    reach: those whose ceiling is at least the ``need``-th best key at the least bonus
    each can get (none, then the bonus of its title alone, as a body only adds to it; once
    the walk has passed every document with a ceiling above that, it holds ``need`` keys
    at least as high, and stops). Their titles first, then the bodies of those whose
    title does not earn the whole bonus. A bonus worked out for a document the walk does
    not reach is not used: the order is the one-at-a-time walk's."""

    def boosted(d: Ranked, near: float) -> Ranked:
        score = d.score * (1.0 + weight * near)
        return Ranked(d.article, score, d.key - d.score + score, d.published)

    def order(d: Ranked) -> tuple[float, float]:
        return (-round(d.key, 6), -d.published)

    if need >= len(docs):
        near = nearness([d.article for d in docs], matcher, n_clauses)
        out = [boosted(d, x) for d, x in zip(docs, near, strict=True)]
        out.sort(key=order)
        return out
    # The highest key each document can reach (the same arithmetic as ``boosted`` at
    # the biggest bonus; float rounding is monotonic, so no boost can exceed it), ...
    most = 1.0 + weight
    ceiling = [round(d.key - d.score + max(d.score, d.score * most), 6) for d in docs]
    walk = sorted(range(len(docs)), key=ceiling.__getitem__, reverse=True)
    # ... and the least (as ``boosted`` at no bonus: a boost only raises it).
    # (rounding is monotonic: the ``need``-th best rounded key is the ``need``-th best
    # key, rounded)
    least = [d.key - d.score + d.score for d in docs]
    floor = round(sorted(least, reverse=True)[need - 1], 6)
    ahead = [i for i in walk if ceiling[i] >= floor]  # (a start of the walk)
    titles = dict(
        zip(ahead, title_positions([docs[i].article for i in ahead], matcher), strict=True)
    )
    near_of = {i: _proximity(t, n_clauses) for i, t in titles.items()}
    for i, x in near_of.items():
        if x:
            least[i] = boosted(docs[i], x).key
    floor = round(sorted(least, reverse=True)[need - 1], 6)
    ahead = [i for i in ahead if ceiling[i] >= floor]
    rest = [i for i in ahead if near_of[i] < 1.0]
    bodies = body_positions([docs[i].article for i in rest], matcher)
    for i, body in zip(rest, bodies, strict=True):
        near_of[i] = _proximity(titles[i], n_clauses, body)
    done: dict[int, Ranked] = {}
    found: list[float] = []  # the boosted keys (rounded, negated), ascending
    for i in walk:
        if len(found) >= need and ceiling[i] < -found[need - 1]:
            break  # this one and every one after it rank below the first ``need``
        if i not in near_of:  # (never: see above)
            near_of[i] = nearness([docs[i].article], matcher, n_clauses)[0]
        d = done[i] = boosted(docs[i], near_of[i])
        bisect.insort(found, -round(d.key, 6))
    first = sorted((done[i] for i in sorted(done)), key=order)
    return first + [d for i, d in enumerate(docs) if i not in done]
