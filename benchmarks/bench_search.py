"""Search benchmark (issue 3): newstui's engine against SQLite FTS5, tantivy and naive rapidfuzz.

    uv sync --group bench
    uv run --group bench python benchmarks/bench_search.py            # full run (~10 min)
    uv run --group bench python benchmarks/bench_search.py --quick    # ×1 only, fewer queries

Corpora: Reuters-21578 (20,841 stories) and ×5 with distinct ids (104,205), and the BBC
set (2,225 stories, a different style); a generated corpus of the same size replaces
Reuters when ``../shared`` is absent (and BBC is then skipped).

Query sets (fixed seed, generated from article titles; the article is the one to find):

- ``typo``:   two title words (>= 5 letters), one typo each
- ``prefix``: one clean title word + the first 3-5 letters of another (>= 5 letters)
- ``typo1``:  one title word (>= 5 letters) with one typo
- ``short``:  two title words, one of them (4-5 letters) with a typo that leaves 3-4 letters
  (``gordon brwn``, ``tram lne``)

A typo is a substitution, insertion, deletion or adjacent transposition at a random place,
leaving at least 4 letters (so a deletion can turn a 5-letter word into a 4-letter one,
where Meilisearch's rule tolerates no typo); the ``short`` set is all such short typos.
Quality: recall@10 (the article in the top 10) and MRR@10. At ×5 every story has five
identical copies that tie with each other, so each engine returns 50 hits, collapsed to the
first 10 distinct stories (latency is then for 50 hits). Latency: every
query once, p50/p95, engine time only (index built). newstui is queried exactly as typed
(no trailing space, so the last word also matches as a prefix).

Every engine runs in its own subprocess so that its peak RSS is its own (corpus included).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import random
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from corpus import (  # noqa: E402
    BENCH_TMP,
    bbc_articles,
    bbc_dir,
    corpus_fingerprint,
    load_corpus,
    peak_rss_mb,
    reuters_dir,
    write_corpus_files,
)
from newstui.core.article import Article  # noqa: E402

ENGINES = ("newstui", "fts5", "tantivy", "naive")
KINDS = ("typo", "prefix", "typo1", "short")
_WORD_RE = re.compile(r"[A-Za-z]+")
_LETTERS = "abcdefghijklmnopqrstuvwxyz"


# --------------------------------------------------------------------------- queries


def make_typo(word: str, rng: random.Random, min_len: int = 4, max_len: int = 99) -> str:
    """One typo (OSA distance 1), leaving ``min_len`` to ``max_len`` letters."""
    for _ in range(50):
        op = rng.choice(("sub", "ins", "del", "swap"))
        i = rng.randrange(len(word))
        if op == "sub":
            out = word[:i] + rng.choice(_LETTERS) + word[i + 1 :]
        elif op == "ins":
            out = word[:i] + rng.choice(_LETTERS) + word[i:]
        elif op == "del":
            out = word[:i] + word[i + 1 :]
        else:
            if i == len(word) - 1:
                continue
            out = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
        if out != word and min_len <= len(out) <= max_len:
            return out
    if len(word) > max_len:
        return word[:-2] + word[-1]
    return word[:-1] + ("a" if word[-1] != "a" else "e")


def make_queries(
    articles: Sequence[Article], n: int, seed: int
) -> dict[str, list[tuple[list[str], str]]]:
    """``{kind: [(words, target id)]}``, ``n`` per kind, from titles."""
    rng = random.Random(seed)
    order = list(range(len(articles)))
    rng.shuffle(order)
    out: dict[str, list[tuple[list[str], str]]] = {k: [] for k in KINDS}
    for idx in order:
        if all(len(v) >= n for v in out.values()):
            break
        a = articles[idx]
        words = [w.lower() for w in _WORD_RE.findall(a.title)]
        long_pos = [i for i, w in enumerate(words) if len(w) >= 5]
        kind = KINDS[idx % len(KINDS)]
        if len(out[kind]) >= n:
            kind = next(k for k in KINDS if len(out[k]) < n)
        if kind == "typo" and len(long_pos) >= 2:
            i, j = sorted(rng.sample(long_pos, 2))
            out[kind].append(([make_typo(words[i], rng), make_typo(words[j], rng)], a.id))
        elif kind == "prefix" and long_pos:
            j = rng.choice(long_pos)
            others = [i for i, w in enumerate(words) if i != j and len(w) >= 3]
            if not others:
                continue
            i = rng.choice(others)
            cut = rng.randint(3, min(5, len(words[j]) - 1))
            out[kind].append(([words[i], words[j][:cut]], a.id))
        elif kind == "typo1" and long_pos:
            out[kind].append(([make_typo(words[rng.choice(long_pos)], rng)], a.id))
        elif kind == "short":
            short_pos = [i for i, w in enumerate(words) if 4 <= len(w) <= 5]
            if not short_pos:
                continue
            j = rng.choice(short_pos)
            others = [i for i, w in enumerate(words) if i != j and len(w) >= 4]
            if not others:
                continue
            i = rng.choice(others)
            q = {i: words[i], j: make_typo(words[j], rng, min_len=3, max_len=4)}
            out[kind].append(([q[x] for x in sorted(q)], a.id))
    return out


# --------------------------------------------------------------------------- worker


def _articles(corpus: str, scale: int) -> tuple[list[Article], str]:
    if corpus == "bbc":
        arts = bbc_articles()
        return arts, f"BBC ({len(arts):,} articles)"
    return load_corpus(scale)


class _Ours:
    name = "newstui"

    def build(self, articles: Sequence[Article]) -> None:
        from newstui.core.search import SearchIndex

        self.index = SearchIndex()
        self.index.add(articles)

    def search(self, kind: str, words: Sequence[str], k: int = 10) -> list[str]:
        res = self.index.search(" ".join(words), limit=k)
        return [h.article.id for h in res.hits]


def _engine(name: str) -> Any:
    import peers

    return {
        "newstui": _Ours,
        "fts5": peers.Fts5Peer,
        "tantivy": peers.TantivyPeer,
        "naive": peers.NaivePeer,
    }[name]()


def worker(engine: str, corpus: str, scale: int, n_queries: int, seed: int) -> dict[str, Any]:
    articles, label = _articles(corpus, scale)
    base = articles if scale == 1 else articles[: len(articles) // scale]
    rss_corpus = peak_rss_mb()
    queries = make_queries(base, n_queries, seed)
    eng = _engine(engine)
    t0 = time.perf_counter()
    eng.build(articles)
    build_s = time.perf_counter() - t0
    out: dict[str, Any] = {
        "engine": eng.name,
        "corpus": label,
        "build_s": build_s,
        "rss_corpus_mb": rss_corpus,
    }
    if engine == "naive":  # ~0.3 s a query at 104k: a sample is enough
        queries = {k: v[: max(10, n_queries // 8)] for k, v in queries.items()}
    # Warm up (first-query costs such as lazy structures are part of build).
    eng.search("typo", ["warmup"])
    # At xN every story has N identical copies that tie with each other: quality is about
    # stories, so each engine returns 10 * N hits, collapsed to the first 10 stories.
    story = {a.id: i % len(base) for i, a in enumerate(articles)}
    depth = 10 * scale
    for kind, qs in queries.items():
        times: list[float] = []
        ranks: list[int] = []
        for words, target in qs:
            t = time.perf_counter()
            ids = eng.search(kind, words, depth)
            times.append((time.perf_counter() - t) * 1000)
            found = list(dict.fromkeys(story[i] for i in ids))[:10]
            ranks.append(found.index(story[target]) + 1 if story[target] in found else 0)
        times.sort()
        out[kind] = {
            "n": len(qs),
            "p50_ms": statistics.median(times),
            "p95_ms": times[min(len(times) - 1, round(0.95 * (len(times) - 1)))],
            "recall10": sum(1 for r in ranks if r) / max(1, len(ranks)),
            "mrr10": sum(1 / r for r in ranks if r) / max(1, len(ranks)),
        }
    out["rss_peak_mb"] = peak_rss_mb()
    return out


def _warm_corpus(scale: int) -> tuple[Path, Path, str]:
    """The JSONL corpus for the warm-start runs (written once, outside the repo)."""
    articles, label = load_corpus(scale)
    # The library collapses identical stories, so copies get a distinct last line.
    per = len(articles) // scale
    articles = [
        a if i < per else dataclasses.replace(a, body=f"{a.body}\n\n(copy {i // per + 1})")
        for i, a in enumerate(articles)
    ]
    dest = BENCH_TMP / f"search-jsonl-distinct-{corpus_fingerprint(articles)}"
    if not (dest / "corpus.jsonl").exists():
        write_corpus_files(articles, dest, layout="jsonl")
    return dest, BENCH_TMP / f"search-cache-{dest.name}", label


def warm_worker(scale: int, phase: str) -> dict[str, Any]:
    """``prepare`` the JSONL corpus; time ``open_library`` ``cold`` (no cache) or ``warm``."""
    pointer = BENCH_TMP / f"search-warm-x{scale}.txt"
    if phase == "prepare":
        dest, cache, _ = _warm_corpus(scale)
        pointer.write_text(str(dest), encoding="utf-8")
        return {"phase": phase}
    from newstui.core.library.opening import open_library

    # Only the path: this process must not hold the corpus (its peak RSS is measured).
    dest = Path(pointer.read_text(encoding="utf-8"))
    cache = BENCH_TMP / f"search-cache-{dest.name}"
    if phase == "cold" and cache.exists():
        for f in cache.iterdir():
            f.unlink()
    t = time.perf_counter()
    _scan, index = open_library([dest], cache_dir=cache)
    took = time.perf_counter() - t
    t = time.perf_counter()
    index.search("cocoa prices")
    return {
        "corpus": f"Reuters-21578 x{scale}, distinct copies, one JSONL",
        "phase": phase,
        "open_s": took,
        "first_query_ms": (time.perf_counter() - t) * 1000,
        "articles": len(index),
        "rss_peak_mb": peak_rss_mb(),
    }


# --------------------------------------------------------------------------- driver


def _run(args: list[str]) -> dict[str, Any]:
    cmd = [sys.executable, str(Path(__file__).resolve()), *args]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr)
        return {"error": proc.stderr.strip().splitlines()[-1:] or ["failed"]}
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def _fmt(v: float, digits: int = 2) -> str:
    return f"{v:.{digits}f}"


def report(results: list[dict[str, Any]], warm: list[dict[str, Any]]) -> str:
    lines: list[str] = []
    by_corpus: dict[str, list[dict[str, Any]]] = {}
    for r in results:
        if "error" not in r:
            by_corpus.setdefault(r["corpus"], []).append(r)
    for corpus, rows in by_corpus.items():
        fts = next((r for r in rows if r["engine"] == "SQLite FTS5"), None)
        lines.append(f"\n### {corpus}\n")
        lines.append(
            "| engine | build s | vs FTS5 | peak RSS MB | "
            + " | ".join(f"{k} p50/p95 ms | {k} R@10 | {k} MRR" for k in KINDS)
            + " |"
        )
        lines.append("|" + "---|" * (4 + 3 * len(KINDS)))
        for r in rows:
            ratio = f"{r['build_s'] / fts['build_s']:.2f}×" if fts else "-"
            cells = [
                r["engine"],
                _fmt(r["build_s"]),
                ratio,
                f"{r['rss_peak_mb']:.0f} ({r['rss_corpus_mb']:.0f} corpus)",
            ]
            for k in KINDS:
                q = r[k]
                cells += [
                    f"{_fmt(q['p50_ms'])} / {_fmt(q['p95_ms'])}",
                    _fmt(q["recall10"], 3)
                    + (f" (n={q['n']})" if r["engine"].startswith("naive") else ""),
                    _fmt(q["mrr10"], 3),
                ]
            lines.append("| " + " | ".join(cells) + " |")
    if warm:
        lines.append("\n### Warm start (`open_library`, one JSONL file)\n")
        lines.append("| corpus | phase | open s | first query ms | articles | peak RSS MB |")
        lines.append("|---|---|---|---|---|---|")
        for w in warm:
            if w.get("phase") == "prepare":
                continue
            if "error" in w:
                lines.append(f"| - | error | {w['error']} | | | |")
                continue
            lines.append(
                f"| {w['corpus']} | {w['phase']} | {_fmt(w['open_s'], 3)} | "
                f"{_fmt(w['first_query_ms'])} | {w['articles']:,} | {w['rss_peak_mb']:.0f} |"
            )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--queries", type=int, default=200, help="queries per set (default 200)")
    ap.add_argument("--seed", type=int, default=2026, help="query seed (ranking was tuned on 1987)")
    ap.add_argument("--scales", type=int, nargs="+", default=[1, 5])
    ap.add_argument("--engines", nargs="+", default=list(ENGINES), choices=ENGINES)
    ap.add_argument("--quick", action="store_true", help="x1 only, 60 queries a set")
    ap.add_argument("--no-warm", action="store_true", help="skip the warm-start measurement")
    ap.add_argument("--json", type=Path, help="also write raw results here")
    ap.add_argument("--worker", choices=ENGINES, help=argparse.SUPPRESS)
    ap.add_argument("--warm-phase", choices=("prepare", "cold", "warm"), help=argparse.SUPPRESS)
    ap.add_argument("--corpus", default="reuters", help=argparse.SUPPRESS)
    ap.add_argument("--scale", type=int, default=1, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.worker:
        print(json.dumps(worker(args.worker, args.corpus, args.scale, args.queries, args.seed)))
        return 0
    if args.warm_phase:
        print(json.dumps(warm_worker(args.scale, args.warm_phase)))
        return 0

    if args.quick:
        args.scales, args.queries = [1], 60
    engines = list(args.engines)
    try:
        import tantivy  # noqa: F401
    except ImportError:
        print("tantivy missing (uv sync --group bench): skipping it", file=sys.stderr)
        engines = [e for e in engines if e != "tantivy"]
    plans: list[tuple[str, int]] = [("reuters", s) for s in args.scales]
    if bbc_dir() is not None and reuters_dir() is not None:
        plans.append(("bbc", 1))
    results: list[dict[str, Any]] = []
    for corpus, scale in plans:
        for engine in engines:
            print(f"{corpus} x{scale}: {engine} ...", file=sys.stderr, flush=True)
            r = _run(
                [
                    "--worker",
                    engine,
                    "--corpus",
                    corpus,
                    "--scale",
                    str(scale),
                    "--queries",
                    str(args.queries),
                    "--seed",
                    str(args.seed),
                ]
            )
            results.append(r)
    warm: list[dict[str, Any]] = []
    if not args.no_warm:
        scale = max(args.scales)
        _run(["--warm-phase", "prepare", "--scale", str(scale)])
        for phase in ("cold", "warm", "warm", "warm"):
            print(f"warm start x{scale}: {phase} ...", file=sys.stderr, flush=True)
            warm.append(_run(["--warm-phase", phase, "--scale", str(scale)]))
    text = report(results, warm)
    print(text)
    if args.json:
        args.json.write_text(json.dumps({"results": results, "warm": warm}, indent=1))
    _ = os.environ  # (kept for NEWSTUI_REUTERS / NEWSTUI_BBC, read by corpus.py)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
