"""Query plans: a parsed query resolved against one snapshot's vocabulary — each word to
the terms it stands for (``spelling.variants``), with the idf the words share.

A plan is what scoring (``ranking.evaluate``), "did you mean" (``spelling.suggest``) and
matching (``highlight.Matcher``, through :attr:`ClausePlan.terms`) all read, so the three
agree on what a query word means.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from newstui.core.search.query import Query, Term
from newstui.core.search.ranking import RankingConfig, fields_of
from newstui.core.search.snapshot import Snapshot
from newstui.core.search.spelling import Variant, variants


@dataclass(slots=True)
class WordPlan:
    word: str
    variants: list[Variant]
    idf: float


@dataclass(slots=True)
class AltPlan:
    term: Term
    words: list[WordPlan]
    fields: tuple[int, ...]


@dataclass(slots=True)
class ClausePlan:
    alts: list[AltPlan]
    # Concrete vocabulary terms matched (exact, typo variants, completions), best first:
    # the words highlighted in hits and in the reader.
    terms: dict[str, None] = field(default_factory=dict)
    # A stopword beside other words: scored when present, not required.
    optional: bool = False


def plan(snap: Snapshot, query: Query, cfg: RankingConfig) -> list[ClausePlan]:
    """One plan per clause of ``query`` (its excluded words and filters are not planned)."""
    stats = snap.stats(cfg)
    plans: list[ClausePlan] = []
    for clause in query.clauses:
        cp = ClausePlan([], optional=clause.optional)
        for term in clause.alternatives:
            words: list[WordPlan] = []
            last = len(term.words) - 1
            for i, w in enumerate(term.words):
                found = variants(
                    snap,
                    w,
                    cfg,
                    fuzzy=term.fuzzy and not term.phrase,
                    prefix=term.prefix and i == last,
                )
                dfs = [int(stats.df[v.tid]) for v in found]
                group_df = sum(dfs)
                rare = cfg.rare_typo_factor
                if any(v.factor == rare for v in found):
                    # A rare word with common neighbours: it keeps its own idf (the
                    # neighbours would make it say nothing), they score at `rare`.
                    group_df = sum(d for v, d in zip(found, dfs, strict=True) if v.factor != rare)
                prior = cfg.variant_prior
                if prior and len(found) > 1:
                    # Noisy channel: a frequent variant is the likelier intent.
                    top = max(dfs)
                    found = [
                        v if v.factor >= 1.0 else v._replace(factor=v.factor * (d / top) ** prior)
                        for v, d in zip(found, dfs, strict=True)
                    ]
                idf = stats.idf(group_df)
                if clause.optional:
                    idf = max(idf, cfg.stopword_idf)
                words.append(WordPlan(w, found, idf))
                cp.terms.update(dict.fromkeys(v.term for v in found))
            cp.alts.append(AltPlan(term, words, fields_of(term)))
        plans.append(cp)
    return plans
