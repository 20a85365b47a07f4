"""Stories and related articles (issue 14): grouping quality, related precision, cost.

    uv run python benchmarks/bench_stories.py [--quick] [--seed N]

1. **Generated set**: 500 distinct BBC stories, each with 1-4 variants (headline
   rewritten, sentences dropped, reordered or added, a paragraph appended, another source,
   a date up to 2 days later), plus 200 *negatives* (another story of the same category
   given the first story's names — same company, same week), mixed into 20,000 Reuters
   articles. Pairwise precision and recall over every pair involving a generated article
   (pairs inside the Reuters background are Reuters' own near-duplicates: counted apart).
2. **Reuters "(Corrected)" stories**: each paired with its original (the article of the
   most similar headline, marker and tickers removed, within 4 days, headline word overlap
   >= 0.4) where one is present; how many are grouped with it.
3. **Related**: BBC (5 categories), precision@5 of ``related`` by category.
4. **Cost**: grouping Reuters x5 (104,205 articles; five identical copies of each text)
   and a generated 104,205-article corpus of distinct texts, cold; an incremental add and
   remove of 100 articles; memory (tracemalloc peak of the grouping); the cache file;
   ``related`` latency at 104k (index built first).
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections import defaultdict
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from itertools import combinations
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import (
    bbc_articles,
    make_article_id,
    reuters_articles,
    synthetic_articles,
)
from newstui.core.article import Article
from newstui.core.search.index import SearchIndex
from newstui.core.stories import Stories, group_stories, related
from newstui.core.stories.diff import sentences
from newstui.core.stories.store import stories_file_for, write_stories

_WORD_RE = re.compile(r"[a-z0-9]+")
_CAP_RE = re.compile(r"\b[A-Z][a-z]+(?:\s[A-Z][a-z]+)*\b")
SOURCES = ("Wire A", "Daily B", "Times C", "Post D", "Herald E", "Ledger F")


# --------------------------------------------------------------------------- generated set


def _paragraphs(body: str) -> list[list[str]]:
    return [sentences(p) for p in body.split("\n\n") if p.strip()]


def _join(paras: list[list[str]]) -> str:
    return "\n\n".join(" ".join(p) for p in paras if p)


def _rewrite_headline(rng: random.Random, title: str) -> str:
    words = title.split()
    lead = rng.choice(["Update:", "Report:", "Exclusive:", "Latest:", "Breaking:", ""])
    if len(words) > 3:
        cut = rng.randint(1, len(words) - 2)
        words = [*words[cut:], "-", *words[:cut]]
    extra = rng.choice(["says source", "as talks go on", "officials confirm", "", "in new move"])
    return " ".join(x for x in (lead, " ".join(words), extra) if x)


def _variant(rng: random.Random, base: Article, donors: list[Article], k: int) -> Article:
    paras = _paragraphs(base.body)
    title = base.title
    ops = rng.sample(["headline", "drop", "reorder", "add", "append"], rng.randint(1, 4))
    flat = [(pi, s) for pi, p in enumerate(paras) for s in p]
    if "drop" in ops and len(flat) > 6:
        n_drop = max(1, int(len(flat) * rng.uniform(0.1, 0.25)))
        gone = set(rng.sample(range(len(flat)), n_drop))
        flat = [x for i, x in enumerate(flat) if i not in gone]
    if "reorder" in ops and len(flat) > 3:
        for _ in range(rng.randint(1, 3)):
            i = rng.randrange(len(flat) - 1)
            flat[i], flat[i + 1] = flat[i + 1], flat[i]
    if "add" in ops:
        donor = sentences(rng.choice(donors).body)
        for s in rng.sample(donor, min(len(donor), rng.randint(1, 3))):
            pi = rng.randrange(len(flat) + 1)
            flat.insert(pi, (flat[min(pi, len(flat) - 1)][0] if flat else 0, s))
    rebuilt: dict[int, list[str]] = defaultdict(list)
    for pi, s in flat:
        rebuilt[pi].append(s)
    new_paras = [rebuilt[k2] for k2 in sorted(rebuilt)]
    if "append" in ops:
        donor = sentences(rng.choice(donors).body)
        start = rng.randrange(max(1, len(donor) - 4))
        new_paras.append(donor[start : start + rng.randint(3, 5)])
    if "headline" in ops:
        title = _rewrite_headline(rng, title)
    assert base.published is not None
    when = base.published + timedelta(hours=rng.uniform(0, 48))
    body = _join(new_paras)
    return replace(
        base,
        id=make_article_id(url=f"bench:variant:{base.id}:{k}"),
        title=title,
        body=body,
        source=rng.choice([s for s in SOURCES if s != base.source]),
        published=when,
        word_count=len(body.split()),
    )


def _negative(rng: random.Random, base: Article, other: Article, k: int) -> Article:
    """Another story (``other``'s text) about the same names as ``base``, the same week."""
    names = [m for m in _CAP_RE.findall(base.title + " " + base.body[:400]) if len(m) > 3][:4]
    if not names:
        names = base.title.split()[:2]
    their = [m for m in _CAP_RE.findall(other.body) if len(m) > 3]
    body = other.body
    for i, name in enumerate(dict.fromkeys(their)):
        body = body.replace(name, names[i % len(names)])
    title = f"{names[0]} {other.title}"
    assert base.published is not None
    body_words = len(body.split())
    return replace(
        other,
        id=make_article_id(url=f"bench:negative:{base.id}:{k}"),
        title=title,
        body=body,
        source=base.source,
        published=base.published + timedelta(days=rng.uniform(-3, 3)),
        word_count=body_words,
    )


def generated_set(
    seed: int, n_stories: int = 500, n_background: int = 20_000, n_negatives: int = 200
) -> tuple[list[Article], dict[str, int], int]:
    """Articles, the true story of each generated article (background: absent), and how
    many are background."""
    rng = random.Random(seed)
    bbc = [a for a in bbc_articles() if len(a.body.split()) >= 120]
    rng.shuffle(bbc)
    bases_src, rest = bbc[:n_stories], bbc[n_stories:]
    start = datetime(2021, 3, 1, tzinfo=UTC)
    truth: dict[str, int] = {}
    out: list[Article] = []
    bases: list[Article] = []
    for s, b in enumerate(bases_src):
        base = replace(
            b,
            id=make_article_id(url=f"bench:base:{s}"),
            source=rng.choice(SOURCES),
            published=start + timedelta(hours=rng.uniform(0, 24 * 60)),
        )
        bases.append(base)
        out.append(base)
        truth[base.id] = s
        for k in range(rng.randint(1, 4)):
            v = _variant(rng, base, rest, k)
            out.append(v)
            truth[v.id] = s
    by_cat: dict[str, list[Article]] = defaultdict(list)
    for a in rest:
        by_cat[a.tags[0]].append(a)
    for k in range(n_negatives):
        s = rng.randrange(n_stories)
        base = bases[s]
        other = rng.choice(by_cat[base.tags[0]])
        neg = _negative(rng, base, other, k)
        out.append(neg)
        truth[neg.id] = n_stories + k  # a story of its own
    background = reuters_articles(1)
    rng.shuffle(background)
    background = background[:n_background]
    # Background dates moved into the same weeks, so time alone never separates them.
    background = [
        replace(a, published=start + timedelta(hours=rng.uniform(0, 24 * 60))) for a in background
    ]
    allarts = out + background
    rng.shuffle(allarts)
    return allarts, truth, len(background)


def pairwise(stories: Stories, truth: dict[str, int]) -> dict[str, float]:
    pred_pairs = 0
    correct = 0
    background_pairs = 0
    negatives_merged = 0
    for sid in stories.stories(2):
        mem = stories.members(sid)
        for a, b in combinations(mem, 2):
            ta, tb = truth.get(a), truth.get(b)
            if ta is None and tb is None:
                background_pairs += 1
                continue
            pred_pairs += 1
            if ta is not None and ta == tb:
                correct += 1
            elif ta is not None and tb is not None and (ta >= 500 or tb >= 500):
                negatives_merged += 1
    groups: dict[int, list[str]] = defaultdict(list)
    for aid, s in truth.items():
        groups[s].append(aid)
    true_pairs = 0
    found = 0
    for mem in groups.values():
        for a, b in combinations(mem, 2):
            true_pairs += 1
            found += stories.story_of(a) == stories.story_of(b)
    return {
        "precision": correct / pred_pairs if pred_pairs else 1.0,
        "recall": found / true_pairs if true_pairs else 1.0,
        "predicted_pairs": pred_pairs,
        "true_pairs": true_pairs,
        "negatives_merged": negatives_merged,
        "background_pairs": background_pairs,
    }


# --------------------------------------------------------------------------- Reuters corrected

_MARK_RE = re.compile(r"^\W*corrected\W*", re.I)
_TICKER_RE = re.compile(r"<[^<>]{0,40}>")


def _title_list(title: str) -> list[str]:
    return _WORD_RE.findall(_TICKER_RE.sub(" ", _MARK_RE.sub("", title)).lower())


def _title_words(title: str) -> set[str]:
    return set(_title_list(title))


def reuters_corrected() -> tuple[int, int, int, list[str]]:
    arts = reuters_articles(1)
    st = group_stories(arts)
    corrected = [a for a in arts if "CORRECTED" in a.title.upper()]
    plain = [a for a in arts if "CORRECTED" not in a.title.upper()]
    words = [(a, _title_words(a.title)) for a in plain]
    with_original = grouped = 0
    misses: list[str] = []
    for c in corrected:
        cw = _title_words(c.title)
        best, best_j = None, 0.0
        for a, aw in words:
            if c.published and a.published and abs(c.published - a.published) > timedelta(days=4):
                continue
            j = len(cw & aw) / len(cw | aw) if cw | aw else 0.0
            if _title_list(c.title)[:1] != _title_list(a.title)[:1]:
                continue  # the same company or subject first
            if j > best_j:
                best, best_j = a, j
        if best is None or best_j < 0.4:
            continue
        with_original += 1
        if st.story_of(c.id) == st.story_of(best.id):
            grouped += 1
        else:
            misses.append(f"{c.title[:60]} || {best.title[:60]}")
    return len(corrected), with_original, grouped, misses


# --------------------------------------------------------------------------- related


def bbc_related_precision(limit: int = 5) -> tuple[float, float]:
    arts = bbc_articles()
    index = SearchIndex()
    index.add(arts)
    st = group_stories(arts)
    cat = {a.id: a.tags[0] for a in arts}
    precisions = []
    times = []
    for a in arts:
        t0 = time.perf_counter()
        hits = related(index, a.id, limit, stories=st)
        times.append(time.perf_counter() - t0)
        if hits:
            precisions.append(sum(cat[h] == cat[a.id] for h, _ in hits) / len(hits))
    return statistics.fmean(precisions), statistics.median(times) * 1000


# --------------------------------------------------------------------------- cost


def _timed_group(arts: list[Article], memory: bool = False) -> tuple[Stories, float, float]:
    """Grouped, timed; with ``memory`` a second run under tracemalloc gives the peak of
    Python and numpy allocations (tracemalloc slows allocation: never timed)."""
    t0 = time.perf_counter()
    c0 = time.process_time()
    st = group_stories(arts)
    took = time.perf_counter() - t0
    cpu = time.process_time() - c0
    print(f"  (grouping {len(arts):,}: {took:.2f} s wall, {cpu:.2f} s CPU)")
    peak = 0
    if memory:
        tracemalloc.start()
        group_stories(arts)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return st, took, peak / 2**20


def cost(label: str, arts: list[Article], related_too: bool) -> None:
    st, took, peak = _timed_group(arts, memory=True)
    at_rest = (
        st.sig.nbytes
        + st.shingles.nbytes
        + st.when.nbytes
        + st.stamp.nbytes
        + st.edges.nbytes
        + st.weights.nbytes
    ) / 2**20
    print(
        f"{label}: {len(arts):,} articles grouped cold in {took:.2f} s "
        f"(tracemalloc peak {peak:.0f} MB; arrays at rest {at_rest:.0f} MB); "
        f"{sum(1 for _ in st.stories(2)):,} stories of 2+"
    )
    extra = synthetic_articles(100, seed=4242)
    st.add(extra)  # the first incremental add sorts the band keys once
    st.remove([a.id for a in extra])
    t0 = time.perf_counter()
    st.add(extra)
    t_add = time.perf_counter() - t0
    t0 = time.perf_counter()
    st.remove([a.id for a in extra])
    t_rm = time.perf_counter() - t0
    # 100 that join stories: other copies of texts already there.
    joining = [replace(a, id=make_article_id(url=f"bench:join:{a.id}")) for a in arts[:100]]
    t0 = time.perf_counter()
    st.add(joining)
    t_join = time.perf_counter() - t0
    t0 = time.perf_counter()
    st.remove([a.id for a in joining])
    t_unjoin = time.perf_counter() - t0
    with tempfile.TemporaryDirectory() as tmp:
        path = stories_file_for([Path(tmp)], Path(tmp))
        t0 = time.perf_counter()
        write_stories(path, st)
        t_w = time.perf_counter() - t0
        from newstui.core.stories.store import read_stories

        t0 = time.perf_counter()
        back = read_stories(path)
        t_r = time.perf_counter() - t0
        size_mb = path.stat().st_size / 2**20
    assert back is not None and len(back) == len(st)
    print(
        f"  incremental: add 100 lone articles in {t_add * 1000:.0f} ms, remove them in "
        f"{t_rm * 1000:.0f} ms; add 100 that join stories in {t_join * 1000:.0f} ms, remove "
        f"them in {t_unjoin * 1000:.0f} ms; "
        f"cache file {size_mb:.1f} MB, write {t_w * 1000:.0f} ms, read {t_r * 1000:.0f} ms"
    )
    if not related_too:
        return
    index = SearchIndex()
    t0 = time.perf_counter()
    index.add(arts)
    print(f"  index built in {time.perf_counter() - t0:.1f} s")
    rng = random.Random(7)
    sample = rng.sample(arts, 500)
    related(index, sample[0].id, stories=st)  # warm the statistics
    times = []
    for a in sample:
        t0 = time.perf_counter()
        related(index, a.id, stories=st)
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    print(
        f"  related at {len(arts):,}: p50 {times[len(times) // 2]:.1f} ms, "
        f"p95 {times[int(len(times) * 0.95)]:.1f} ms, max {times[-1]:.1f} ms (500 articles)"
    )


def main() -> int:
    ap = argparse.ArgumentParser(description="issue 14: stories and related articles")
    ap.add_argument("--seed", type=int, default=14)
    ap.add_argument("--quick", action="store_true", help="skip the 104k runs")
    args = ap.parse_args()

    arts, truth, n_bg = generated_set(args.seed)
    st, took, _ = _timed_group(arts)
    q = pairwise(st, truth)
    print(
        f"generated set (seed {args.seed}): {len(arts) - n_bg:,} generated + {n_bg:,} background, "
        f"grouped in {took:.2f} s: precision {q['precision']:.4f}, recall {q['recall']:.4f} "
        f"({q['predicted_pairs']:,} predicted / {q['true_pairs']:,} true pairs; "
        f"negatives merged: {q['negatives_merged']}; pairs inside the background: "
        f"{q['background_pairs']})"
    )
    n_corr, n_orig, n_grouped, misses = reuters_corrected()
    print(
        f"Reuters corrected: {n_corr} stories, {n_orig} with their original present, "
        f"{n_grouped} grouped with it"
    )
    for m in misses:
        print(f"  missed: {m}")
    p5, ms = bbc_related_precision()
    print(f"BBC related precision@5 by category: {p5:.4f} (median {ms:.1f} ms at 2,225)")
    if args.quick:
        return 0
    cost("Reuters x5", reuters_articles(5), related_too=True)
    cost("generated distinct", synthetic_articles(104_205), related_too=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
