"""Loading benchmark (issue 2 item 10): how long the library scan takes.

    uv run python benchmarks/bench_load.py [--repeat 5] [--skip-x5-files] [--memory]

Writes Reuters-21578 (or a synthetic corpus of the same size) under /tmp/newstui-bench/ as
×1 one ``.txt`` per article (20,841 files), ×5 one 104k-line ``.jsonl`` and ×5 as files,
then times ``scan_library`` (discover + load + dedupe) sequentially, with threads and with
processes. Medians of ``--repeat`` runs, warm page cache. Targets: < 2 s for the 20,841
files, < 4 s for the 104k-line JSONL.

``--memory`` measures peak RSS (in fresh subprocesses) of scanning 100k normal articles
vs the same plus a few huge hostile files (issue 6 item 5).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from corpus import BENCH_TMP, corpus_fingerprint, load_corpus, write_corpus_files
from newstui.core.article import Article
from newstui.core.library import ScanResult, dedupe, discover, load_entries, scan_library
from newstui.core.loaders import load_file


def prepare(articles: list[Article], name: str, layout: str) -> Path:
    """Write the corpus once; reuse it while the article ids are unchanged."""
    dest = BENCH_TMP / f"{name}-{corpus_fingerprint(articles)}"
    target = dest / "corpus.jsonl" if layout == "jsonl" else dest
    stamp = dest / ".complete"
    if stamp.exists():
        return target
    if dest.exists():
        import shutil

        shutil.rmtree(dest)
    t0 = time.perf_counter()
    out = write_corpus_files(articles, dest, layout)  # type: ignore[arg-type]
    stamp.write_text("ok")
    print(f"  wrote {out} in {time.perf_counter() - t0:.1f} s", flush=True)
    return out


def distinct_copies(articles: list[Article], copies: int) -> list[Article]:
    """``load_corpus(N)`` repeats the text; give copies 2..N a distinct last line so the
    duplicate check (same title and body) keeps all of them, as distinct stories would be."""
    n = len(articles) // copies
    out = list(articles[:n])
    for i, a in enumerate(articles[n:], n):
        out.append(
            Article(
                id=a.id,
                title=a.title,
                body=f"{a.body}\n\n(copy {i // n + 1})",
                format=a.format,
                source=a.source,
                author=a.author,
                published=a.published,
                tags=a.tags,
            )
        )
    return out


def _load_chunk(paths: list[str]) -> tuple[list[Article], int]:
    arts: list[Article] = []
    probs = 0
    for p in paths:
        o = load_file(Path(p))
        arts.extend(o.articles)
        probs += len(o.problems)
    return arts, probs


def scan_processes(root: Path, workers: int = 2) -> ScanResult:
    """discover + load in a process pool (chunks of files) + dedupe, for comparison."""
    entries, problems = discover([root])
    paths = [str(e.path) for e in entries]
    size = max(1, len(paths) // (workers * 8))
    chunks = [paths[i : i + size] for i in range(0, len(paths), size)]
    arts: list[Article] = []
    with ProcessPoolExecutor(max_workers=workers) as pool:
        for chunk_arts, _ in pool.map(_load_chunk, chunks):
            arts.extend(chunk_arts)
    kept, dups = dedupe(arts)
    return ScanResult(kept, problems + dups, len(entries))


def timed(
    fn: Callable[[], ScanResult], repeat: int
) -> tuple[float, list[float], float, ScanResult]:
    """Median wall time, all wall times, median CPU time of this process, last result.

    CPU time is less sensitive to other engineers' jobs on the shared cores (it does not
    count the worker processes of the process-pool variant)."""
    times: list[float] = []
    cpu: list[float] = []
    result = ScanResult()
    for _ in range(repeat):
        c0, t0 = time.process_time(), time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return statistics.median(times), times, statistics.median(cpu), result


def phases(root: Path) -> str:
    t0 = time.perf_counter()
    entries, _ = discover([root])
    t1 = time.perf_counter()
    res = load_entries(entries)
    t2 = time.perf_counter()
    dedupe(res.articles)
    t3 = time.perf_counter()
    return f"discover {t1 - t0:.2f} s, load {t2 - t1:.2f} s, dedupe {t3 - t2:.2f} s"


def rss_of_scan(paths: Sequence[Path]) -> tuple[float, int, float]:
    """Peak RSS (MB), article count and seconds of scanning ``paths`` in a fresh process.

    VmHWM, not ru_maxrss: after fork+exec Linux reports the parent's peak in ru_maxrss."""
    code = (
        "import sys, time, json\n"
        "from pathlib import Path\n"
        "from newstui.core.library import scan_library\n"
        "t=time.perf_counter(); r=scan_library([Path(p) for p in sys.argv[1:]])\n"
        "hwm=[l for l in open('/proc/self/status') if l.startswith('VmHWM')][0]\n"
        "print(json.dumps([int(hwm.split()[1])/1024, len(r.articles), time.perf_counter()-t]))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, *map(str, paths)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    mb, n, secs = json.loads(out.strip().splitlines()[-1])
    return float(mb), int(n), float(secs)


def memory(jsonl_x5: Path) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "hostile"))
    from generate import write_huge_files  # type: ignore[import-not-found]

    huge = BENCH_TMP / "huge-files"
    if not (huge / ".complete").exists():
        huge.mkdir(parents=True, exist_ok=True)
        write_huge_files(huge)
        (huge / ".complete").write_text("ok")
    sizes = sum(p.stat().st_size for p in huge.iterdir() if p.is_file()) / 1024 / 1024
    base = [rss_of_scan([jsonl_x5]) for _ in range(3)]
    plus = [rss_of_scan([jsonl_x5, huge]) for _ in range(3)]
    b_mb = statistics.median(x[0] for x in base)
    p_mb = statistics.median(x[0] for x in plus)
    print(
        f"memory: 104k articles (jsonl) peak RSS {b_mb:.0f} MB ({base[0][1]:,} articles); "
        f"plus huge files ({sizes:.0f} MB on disk) peak RSS {p_mb:.0f} MB "
        f"({plus[0][1]:,} articles), +{p_mb - b_mb:.0f} MB"
    )


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="newstui loading benchmark")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--skip-x5-files", action="store_true")
    ap.add_argument("--memory", action="store_true", help="also measure peak RSS")
    ap.add_argument("--only-memory", action="store_true")
    args = ap.parse_args(argv)
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cpus", flush=True)

    x1, label1 = load_corpus(1)
    print(f"corpus: {label1}", flush=True)
    x5 = distinct_copies(load_corpus(5)[0], 5)
    files1 = prepare(x1, "x1-files", "files")
    jsonl5 = prepare(x5, "x5-jsonl", "jsonl")
    if args.only_memory:
        memory(jsonl5)
        return 0

    rows: list[tuple[str, float, list[float], int]] = []

    def run(name: str, fn: Callable[[], ScanResult], repeat: int = args.repeat) -> None:
        med, times, cpu, res = timed(fn, repeat)
        rows.append((name, med, times, len(res.articles)))
        spread = ", ".join(f"{t:.2f}" for t in times)
        print(
            f"{name:<30} median {med:5.2f} s (cpu {cpu:5.2f} s) [{spread}] "
            f"{len(res.articles):,} articles, {len(res.problems):,} problems",
            flush=True,
        )

    print(f"x1 files: {phases(files1)}")
    run("x1 files, sequential", lambda: scan_library(files1, workers=1))
    run("x1 files, 2 threads", lambda: scan_library(files1, workers=2))
    run("x1 files, 4 threads", lambda: scan_library(files1, workers=4))
    run("x1 files, 2 processes", lambda: scan_processes(files1, 2))
    run("x5 jsonl (104k lines)", lambda: scan_library(jsonl5))
    if not args.skip_x5_files:
        files5 = prepare(x5, "x5-files", "files")
        run("x5 files, sequential", lambda: scan_library(files5, workers=1), 3)
        run("x5 files, 2 processes", lambda: scan_processes(files5, 2), 3)
    if args.memory:
        memory(jsonl5)
    ru = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"bench process peak RSS {ru:.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
