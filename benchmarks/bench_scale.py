"""How newstui's costs grow with the library: 104k, 521k and 1M articles, against SQLite
FTS5 and tantivy measured in the same run (issue 13's yardstick).

    uv run --group bench python benchmarks/bench_scale.py [--sizes 104k,521k,1m] [--queries 100]

The corpus is Reuters-21578 copied with a distinct last line per copy (so no copy collapses
as a duplicate of another), written once as one JSONL file under ``/tmp/newstui-bench``;
without the Reuters folder, a generated newswire-like corpus of the same sizes. Every
measured step runs in a child process of its own, so its peak RSS (``VmHWM``) is its own:

- newstui cold: scan + index + cache write (``open_library`` on an empty cache folder);
- newstui warm: ``open_library`` on the cache, then the queries (typo 10/100 hits, prefix);
- the app: ``newstui`` on the folder with a warm cache, launch to the first list rows
  (and a bare Textual app's first frame, for the ratio);
- one new file: a ``.txt`` dropped beside the JSONL, then the warm open again, and the file
  searched for;
- FTS5: JSON load + build (on disk), prefix queries (it has no typo tolerance);
- tantivy: JSON load + build, fuzzy (distance 1) and prefix queries.

It prints a Markdown table per size, and the log-log slope of each cost between the
smallest and the largest size (1.0 = linear).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import (
    BENCH_TMP,
    REUTERS_NONEMPTY,
    peak_rss_mb,
    reuters_articles,
    reuters_dir,
    synthetic_articles,
    write_corpus_files,
)

# Where each run keeps its caches, app folders and peer indexes (the corpora stay shared in
# BENCH_TMP): NEWSTUI_BENCH_WORK=/tmp/mine lets two branches measure side by side.
WORK = Path(os.environ.get("NEWSTUI_BENCH_WORK", str(BENCH_TMP)))

SIZES = {"104k": 104_205, "521k": 521_025, "1m": 1_000_368}


# --------------------------------------------------------------------------- corpus
def _articles(n: int) -> tuple[list[Any], str]:
    if reuters_dir() is not None:
        copies = math.ceil(n / REUTERS_NONEMPTY)
        arts = reuters_articles(copies)
        per = len(arts) // copies
        arts = [
            a if i < per else dataclasses.replace(a, body=f"{a.body}\n\n(copy {i // per + 1})")
            for i, a in enumerate(arts)
        ][:n]
        return arts, f"Reuters-21578 x{copies}, distinct copies"
    return synthetic_articles(n), "generated newswire-like corpus"


def prepare(n: int, n_queries: int, seed: int) -> tuple[Path, str]:
    """The JSONL corpus and its query file (written once, outside the repository)."""
    from bench_search import make_queries

    dest = BENCH_TMP / f"scale-{n}"
    meta = dest.parent / f"scale-{n}.json"
    if (dest / "corpus.jsonl").exists() and meta.exists():
        return dest, json.loads(meta.read_text())["label"]
    arts, label = _articles(n)
    if dest.exists():
        shutil.rmtree(dest)
    write_corpus_files(arts, dest, layout="jsonl")
    queries = make_queries(arts, n_queries, seed)
    meta.write_text(json.dumps({"label": label, "n": len(arts), "queries": queries}))
    return dest, label


def _queries(n: int) -> dict[str, list[list[Any]]]:
    meta = BENCH_TMP / f"scale-{n}.json"
    q: dict[str, list[list[Any]]] = json.loads(meta.read_text())["queries"]
    return q


def _pct(xs: list[float], p: float) -> float:
    if not xs:
        return float("nan")
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(p / 100 * (len(xs) - 1)))]


def _timings(run: Any, queries: list[list[Any]], k: int) -> dict[str, float]:
    times = []
    for words, _target in queries:
        t = time.perf_counter()
        run(words, k)
        times.append((time.perf_counter() - t) * 1000)
    return {"p50": statistics.median(times), "p95": _pct(times, 95)}


# --------------------------------------------------------------------------- children
def child_newstui(n: int, phase: str) -> dict[str, Any]:
    from newstui.core.library.opening import open_library

    dest = BENCH_TMP / f"scale-{n}"
    cache = WORK / f"scale-cache-{n}"
    if phase == "cold" and cache.exists():
        shutil.rmtree(cache)
    cache.mkdir(parents=True, exist_ok=True)
    out: dict[str, Any] = {}
    t = time.perf_counter()
    _scan, index = open_library([dest], cache_dir=cache)
    out["open_s"] = time.perf_counter() - t
    out["articles"] = len(index)
    if phase == "incremental":
        t = time.perf_counter()
        hits = index.search("zyxwvutsrq quokka").hits
        out["found_new"] = bool(hits)
        out["query_ms"] = (time.perf_counter() - t) * 1000
    if phase == "warm":
        qs = _queries(n)

        def run(words: list[str], k: int) -> None:
            result = index.search(" ".join(words), limit=k)
            for h in result.hits[:k]:
                h.article.id  # noqa: B018 - what a caller reads

        for kind in ("typo", "prefix"):
            for k in (10, 100):
                out[f"{kind}_{k}"] = _timings(run, qs[kind], k)
    out["rss_mb"] = peak_rss_mb()
    return out


def child_merge(n: int) -> dict[str, Any]:
    """The cache's delta merged into its base, as the background merge does it."""
    from newstui.core.library.cache import cache_file_for
    from newstui.core.library.merging import merge

    path = cache_file_for([BENCH_TMP / f"scale-{n}"], WORK / f"scale-cache-{n}")
    t = time.perf_counter()
    merged = merge(path)
    return {"merge_s": time.perf_counter() - t, "merged": merged, "rss_mb": peak_rss_mb()}


def _load_jsonl(n: int) -> list[dict[str, Any]]:
    dest = BENCH_TMP / f"scale-{n}" / "corpus.jsonl"
    with dest.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def child_fts5(n: int) -> dict[str, Any]:
    db_path = WORK / f"scale-fts5-{n}.db"
    db_path.unlink(missing_ok=True)
    t = time.perf_counter()
    rows = _load_jsonl(n)
    db = sqlite3.connect(db_path)
    db.execute(
        "CREATE VIRTUAL TABLE docs USING fts5(aid UNINDEXED, title, body, "
        "tokenize='unicode61 remove_diacritics 2')"
    )
    db.executemany(
        "INSERT INTO docs(aid, title, body) VALUES (?, ?, ?)",
        ((r.get("id", str(i)), r.get("title", ""), r.get("body", "")) for i, r in enumerate(rows)),
    )
    db.commit()
    out: dict[str, Any] = {"build_s": time.perf_counter() - t}
    del rows
    qs = _queries(n)

    def run(words: list[str], k: int) -> None:
        parts = [f'"{w}"' for w in words if w.isalnum()]
        if not parts:
            return
        parts[-1] += "*"
        db.execute(
            "SELECT aid FROM docs WHERE docs MATCH ? ORDER BY bm25(docs, 0.0, 4.0, 1.0) LIMIT ?",
            (" AND ".join(parts), k),
        ).fetchall()

    for k in (10, 100):
        out[f"prefix_{k}"] = _timings(run, qs["prefix"], k)
    out["rss_mb"] = peak_rss_mb()
    db.close()
    db_path.unlink(missing_ok=True)
    return out


def child_tantivy(n: int) -> dict[str, Any]:
    import tantivy

    t = time.perf_counter()
    rows = _load_jsonl(n)
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("aid", stored=True, tokenizer_name="raw")
    sb.add_text_field("title", stored=False)
    sb.add_text_field("body", stored=False)
    schema = sb.build()
    path = WORK / f"scale-tantivy-{n}"
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    index = tantivy.Index(schema, path=str(path))
    writer = index.writer(heap_size=256_000_000, num_threads=1)
    for i, r in enumerate(rows):
        writer.add_document(
            tantivy.Document(
                aid=r.get("id", str(i)), title=r.get("title", ""), body=r.get("body", "")
            )
        )
    writer.commit()
    writer.wait_merging_threads()
    index.reload()
    out: dict[str, Any] = {"build_s": time.perf_counter() - t}
    del rows
    searcher = index.searcher()

    def word_query(w: str, *, distance: int, prefix: bool) -> Any:
        subs = []
        for field in ("title", "body"):
            if distance == 0 and not prefix:
                q = tantivy.Query.term_query(schema, field, w)
            else:
                q = tantivy.Query.fuzzy_term_query(
                    schema, field, w, distance=distance, prefix=prefix
                )
            subs.append((tantivy.Occur.Should, q))
        return tantivy.Query.boolean_query(subs)

    def runner(kind: str) -> Any:
        def run(words: list[str], k: int) -> None:
            subs = []
            for i, w in enumerate(words):
                w = w.lower()
                if kind == "typo":
                    q = word_query(w, distance=1, prefix=False)
                else:
                    q = word_query(w, distance=0, prefix=i == len(words) - 1)
                subs.append((tantivy.Occur.Must, q))
            for _, addr in searcher.search(tantivy.Query.boolean_query(subs), k).hits:
                searcher.doc(addr)

        return run

    qs = _queries(n)
    for kind in ("typo", "prefix"):
        for k in (10, 100):
            out[f"{kind}_{k}"] = _timings(runner(kind), qs[kind], k)
    out["rss_mb"] = peak_rss_mb()
    shutil.rmtree(path, ignore_errors=True)
    return out


def child_app(n: int) -> dict[str, Any]:
    from bench_ui import child_app as app_first_rows

    t0 = float(os.environ["BENCH_T0"])
    return dict(app_first_rows(t0, str(BENCH_TMP / f"scale-{n}")))


def child_bare() -> dict[str, Any]:
    from bench_ui import child_bare as bare

    return dict(bare(float(os.environ["BENCH_T0"])))


CHILDREN = {
    "newstui": child_newstui,
    "merge": child_merge,
    "fts5": child_fts5,
    "tantivy": child_tantivy,
    "app": child_app,
    "bare": child_bare,
}


def _run(kind: str, *args: str, xdg: Path | None = None) -> dict[str, Any]:
    # no merge in the background: the driver merges when it measures it
    env = dict(os.environ, BENCH_T0=repr(time.time()), NEWSTUI_CACHE_MERGE="off")
    if xdg is not None:
        # the app keeps its index cache in XDG_CACHE_HOME: one per size, warm after the first run
        for name in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
            (xdg / name.lower()).mkdir(parents=True, exist_ok=True)
            env[name] = str(xdg / name.lower())
    cmd = [sys.executable, __file__, "--child", kind, *args]
    t = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    wall = time.perf_counter() - t
    if done.returncode != 0:
        return {"error": (done.stderr.strip().splitlines() or ["failed"])[-1], "wall_s": wall}
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    result["wall_s"] = wall
    return result


# --------------------------------------------------------------------------- driver
def measure(label: str, n: int) -> dict[str, Any]:
    dest = BENCH_TMP / f"scale-{n}"
    new_file = dest / "zz-new.txt"
    new_file.unlink(missing_ok=True)
    row: dict[str, Any] = {"size": label, "n": n}
    row["cold"] = _run("newstui", str(n), "cold")
    row["warm"] = _run("newstui", str(n), "warm")
    new_file.write_text(
        "Zyxwvutsrq quokka\n\nA quokka zyxwvutsrq arrived late.\n", encoding="utf-8"
    )
    row["incremental"] = _run("newstui", str(n), "incremental")
    row["warm_after"] = _run("newstui", str(n), "warm")  # a base and its delta
    row["merge"] = _run("merge", str(n))
    row["warm_merged"] = _run("newstui", str(n), "warm")  # one base again
    new_file.unlink(missing_ok=True)
    _run("newstui", str(n), "incremental")  # the cache without the file again
    xdg = WORK / f"scale-xdg-{n}"
    _run("app", str(n), xdg=xdg)  # warms the app's own cache
    row["app"] = _run("app", str(n), xdg=xdg)
    row["bare"] = _run("bare")
    row["fts5"] = _run("fts5", str(n))
    row["tantivy"] = _run("tantivy", str(n))
    return row


def _g(d: dict[str, Any], *path: str) -> float:
    cur: Any = d
    for p in path:
        if not isinstance(cur, dict) or p not in cur:
            return float("nan")
        cur = cur[p]
    return float(cur)


def _f(v: float, digits: int = 1) -> str:
    return "-" if math.isnan(v) else f"{v:.{digits}f}"


def table(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| size | newstui cold s (RSS MB) | FTS5 build s | tantivy build s | cold / FTS5 "
        "| warm open s (RSS MB, 200+ queries) | app first rows s (bare) "
        "| +1 file open s, found | typo p50/p95 ms @10 | @100 | tantivy typo p95 @10 "
        "| prefix p95 @10: ours / FTS5 / tantivy |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        cold = _g(r, "cold", "open_s")
        fts = _g(r, "fts5", "build_s")
        lines.append(
            f"| {r['size']} ({r['n']:,}) "
            f"| {_f(cold)} ({_f(_g(r, 'cold', 'rss_mb'), 0)}) "
            f"| {_f(fts)} | {_f(_g(r, 'tantivy', 'build_s'))} | {_f(cold / fts, 2)}x "
            f"| {_f(_g(r, 'warm', 'open_s'), 2)} ({_f(_g(r, 'warm', 'rss_mb'), 0)}) "
            f"| {_f(_g(r, 'app', 'list_filled_s'), 2)} ({_f(_g(r, 'bare', 'first_frame_s'), 2)}) "
            f"| {_f(_g(r, 'incremental', 'open_s'), 2)}, "
            f"{r.get('incremental', {}).get('found_new', '-')} "
            f"| {_f(_g(r, 'warm', 'typo_10', 'p50'))}/{_f(_g(r, 'warm', 'typo_10', 'p95'))} "
            f"| {_f(_g(r, 'warm', 'typo_100', 'p50'))}/{_f(_g(r, 'warm', 'typo_100', 'p95'))} "
            f"| {_f(_g(r, 'tantivy', 'typo_10', 'p95'), 2)} "
            f"| {_f(_g(r, 'warm', 'prefix_10', 'p95'))} / {_f(_g(r, 'fts5', 'prefix_10', 'p95'))}"
            f" / {_f(_g(r, 'tantivy', 'prefix_10', 'p95'))} |"
        )
    lines += [
        "",
        "| size | typo p95 @10 ms: one base / with a delta / merged | merge s (peak RSS MB) "
        "| warm open s: with a delta / merged |",
        "|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['size']} | {_f(_g(r, 'warm', 'typo_10', 'p95'), 2)} / "
            f"{_f(_g(r, 'warm_after', 'typo_10', 'p95'), 2)} / "
            f"{_f(_g(r, 'warm_merged', 'typo_10', 'p95'), 2)} "
            f"| {_f(_g(r, 'merge', 'merge_s'), 1)} ({_f(_g(r, 'merge', 'rss_mb'), 0)}) "
            f"| {_f(_g(r, 'warm_after', 'open_s'), 2)} / {_f(_g(r, 'warm_merged', 'open_s'), 2)} |"
        )
    if len(rows) >= 2:
        a, b = rows[0], rows[-1]
        span = math.log(b["n"] / a["n"])
        lines.append("")
        lines.append(f"Log-log slopes, {a['size']} -> {b['size']} (1.0 = linear):")
        for name, path in (
            ("cold build", ("cold", "open_s")),
            ("cold peak RSS", ("cold", "rss_mb")),
            ("warm open", ("warm", "open_s")),
            ("warm peak RSS", ("warm", "rss_mb")),
            ("app first rows", ("app", "list_filled_s")),
            ("typo p95 @10", ("warm", "typo_10", "p95")),
            ("FTS5 build", ("fts5", "build_s")),
            ("tantivy typo p95 @10", ("tantivy", "typo_10", "p95")),
        ):
            x, y = _g(a, *path), _g(b, *path)
            slope = math.log(y / x) / span if x > 0 and y > 0 else float("nan")
            lines.append(f"- {name}: {_f(slope, 2)}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--sizes", default="104k,521k,1m", help="comma list of 104k, 521k, 1m or counts"
    )
    ap.add_argument("--queries", type=int, default=100, help="queries per kind")
    ap.add_argument("--seed", type=int, default=20261130)
    ap.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    WORK.mkdir(parents=True, exist_ok=True)
    if args.child:
        kind, *rest = args.child
        fn = CHILDREN[kind]
        print(json.dumps(fn(*[int(rest[0]), *rest[1:]]) if rest else fn()))
        return 0
    rows = []
    for label in args.sizes.split(","):
        n = SIZES.get(label) or int(label)
        _dest, corpus_label = prepare(n, args.queries, args.seed)
        print(f"== {label}: {corpus_label}", file=sys.stderr, flush=True)
        rows.append(measure(label, n))
        print(json.dumps(rows[-1]), file=sys.stderr, flush=True)
    print(table(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
