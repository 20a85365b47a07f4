"""Benchmark corpora: Reuters-21578, the BBC news set, or a generated newswire-like corpus.

Used by every benchmark (``uv run python benchmarks/X.py`` puts this folder on ``sys.path``,
so ``from corpus import load_corpus`` works). Run it directly to see what it finds::

    uv run python benchmarks/corpus.py [--scale N] [--write DEST --layout files|jsonl]

The real corpora are never copied into the repository: generated files go outside it
(``/tmp/newstui-bench/`` by default).
"""

from __future__ import annotations

import argparse
import hashlib
import html
import json
import os
import random
import re
import sys
import time
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Literal, NamedTuple

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT / "src"))

from newstui.core.article import Article, make_article_id  # noqa: E402

REUTERS_DEFAULT = Path("/work/shared/corpora/reuters21578")
BBC_DEFAULT = Path("/work/shared/corpora/bbc")
BENCH_TMP = Path("/tmp/newstui-bench")
REUTERS_NONEMPTY = 20_841  # non-empty stories in Reuters-21578 (title or body)

Layout = Literal["files", "jsonl"]

# --------------------------------------------------------------------------- measuring


def peak_rss_mb() -> float:
    """Peak RSS of this process in MB: ``VmHWM``, not ``ru_maxrss`` (Linux carries
    ``ru_maxrss`` across exec, so a child of a big parent would report the parent's peak)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --------------------------------------------------------------------------- Reuters


def _corpus_dir(env: str, default: Path, relative: str, probe: str) -> Path | None:
    if os.environ.get(env):  # set: that folder or nothing (NEWSTUI_REUTERS=/none: synthetic)
        candidates = [Path(os.environ[env])]
    else:
        candidates = [default, REPO_ROOT.parent / "shared" / "corpora" / relative]
    for cand in candidates:
        if cand.is_dir() and any(cand.glob(probe)):
            return cand
    return None


def reuters_dir() -> Path | None:
    """The Reuters-21578 folder (``$NEWSTUI_REUTERS``, the shared corpus, or ``None``)."""
    return _corpus_dir("NEWSTUI_REUTERS", REUTERS_DEFAULT, "reuters21578", "reut2-*.sgm")


def bbc_dir() -> Path | None:
    """The BBC news folder (``$NEWSTUI_BBC``, the shared corpus, or ``None``)."""
    return _corpus_dir("NEWSTUI_BBC", BBC_DEFAULT, "bbc", "*/*.txt")


_STORY_RE = re.compile(r"<REUTERS([^>]*)>(.*?)</REUTERS>", re.S)
_NEWID_RE = re.compile(r'NEWID="(\d+)"')
_FIELD_RES = {
    name: re.compile(rf"<{name}>(.*?)</{name}>", re.S)
    for name in ("DATE", "TITLE", "DATELINE", "BODY", "TOPICS", "PLACES")
}
_D_RE = re.compile(r"<D>(.*?)</D>", re.S)
_PARA_RE = re.compile(r"\n[ \t]{2,}")
_WS_RE = re.compile(r"[ \t]*\n[ \t]*")
_CTRL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_REUTERS_DATE_RE = re.compile(r"(\d{1,2})-([A-Z]{3})-(\d{4})\s+(\d{1,2}):(\d{2}):(\d{2})")
_MONTHS = {
    m: i
    for i, m in enumerate(
        ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"], 1
    )
}


def _field(name: str, story: str) -> str:
    m = _FIELD_RES[name].search(story)
    return m.group(1) if m else ""


def _reuters_date(raw: str) -> datetime | None:
    m = _REUTERS_DATE_RE.search(raw)
    if not m or m.group(2) not in _MONTHS:
        return None
    day, _, year, hh, mm, ss = m.groups()
    try:
        return datetime(
            int(year), _MONTHS[m.group(2)], int(day), int(hh), int(mm), int(ss), tzinfo=UTC
        )
    except ValueError:
        return None


def _reflow(text: str) -> str:
    """Reuters wraps lines at ~65 columns and starts paragraphs with an indent: reflow."""
    text = _CTRL_RE.sub("", html.unescape(text))
    paras = (_WS_RE.sub(" ", p).strip() for p in _PARA_RE.split("\n" + text))
    return "\n\n".join(p for p in paras if p)


class _Story(NamedTuple):
    newid: int
    title: str
    body: str
    published: datetime | None
    dateline: str
    tags: tuple[str, ...]


def _parse_reuters_story(attrs: str, story: str) -> _Story | None:
    title = _CTRL_RE.sub("", html.unescape(_field("TITLE", story))).strip()
    title = " ".join(title.split())
    # TYPE="UNPROC" stories (736) have neither TITLE nor BODY, only bare text: skipped,
    # as in the usual 20,841-story count.
    body = _reflow(_field("BODY", story))
    if not title and not body:
        return None
    m = _NEWID_RE.search(attrs)
    return _Story(
        newid=int(m.group(1)) if m else 0,
        title=title,
        body=body,
        published=_reuters_date(_field("DATE", story)),
        dateline=" ".join(_reflow(_field("DATELINE", story)).split()).rstrip(" -"),
        tags=tuple(
            dict.fromkeys(
                d.strip()
                for d in _D_RE.findall(_field("TOPICS", story) + _field("PLACES", story))
                if d.strip()
            )
        ),
    )


_REUTERS_CACHE: list[_Story] | None = None


def _reuters_records() -> list[_Story]:
    global _REUTERS_CACHE
    if _REUTERS_CACHE is None:
        folder = reuters_dir()
        if folder is None:
            raise FileNotFoundError("Reuters-21578 not found (set NEWSTUI_REUTERS)")
        records: list[_Story] = []
        for sgm in sorted(folder.glob("reut2-*.sgm")):
            text = sgm.read_bytes().decode("latin-1")
            for m in _STORY_RE.finditer(text):
                rec = _parse_reuters_story(m.group(1), m.group(2))
                if rec is not None:
                    records.append(rec)
        _REUTERS_CACHE = records
    return _REUTERS_CACHE


def _copy_id(kind: str, key: object, copy: int) -> str:
    return make_article_id(url=f"newstui-bench:{kind}:{key}:{copy}")


def reuters_articles(scale: int = 1) -> list[Article]:
    """The 20,841 non-empty Reuters-21578 stories, ``scale`` times (distinct ids per copy).

    Copies share title and body (only the id differs), so ``scale=5`` gives 104,205 articles.
    Raises ``FileNotFoundError`` when the corpus is absent (see :func:`load_corpus`).
    """
    records = _reuters_records()
    out: list[Article] = []
    for copy in range(1, scale + 1):
        for rec in records:
            out.append(
                Article(
                    id=_copy_id("reuters", rec.newid, copy),
                    title=rec.title,
                    body=rec.body,
                    format="text",
                    source="Reuters",
                    author=rec.dateline,
                    published=rec.published,
                    tags=rec.tags,
                )
            )
    return out


# --------------------------------------------------------------------------- BBC


def bbc_articles() -> list[Article]:
    """The BBC news corpus (2,225 stories; line 1 is the title; category as tag)."""
    folder = bbc_dir()
    if folder is None:
        raise FileNotFoundError("BBC corpus not found (set NEWSTUI_BBC)")
    out: list[Article] = []
    for path in sorted(folder.glob("*/*.txt")):
        raw = path.read_bytes()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = raw.decode("latin-1")
        text = _CTRL_RE.sub("", text.replace("\r\n", "\n"))
        title, _, body = text.strip().partition("\n")
        body = re.sub(r"\n{3,}", "\n\n", body.strip())
        out.append(
            Article(
                id=_copy_id("bbc", f"{path.parent.name}/{path.name}", 1),
                title=" ".join(title.split()),
                body=body,
                format="text",
                source="BBC",
                tags=(path.parent.name,),
            )
        )
    return out


# --------------------------------------------------------------------------- synthetic


def _words(s: str) -> list[str]:
    return s.split()


_COMMON = _words(
    "the of to and a in said for on it is that by from at with as was be its year pct "
    "mln will has would dlrs company he not an have which share but are were last billion "
    "new market bank also they trade one about up first price net two more prices oil "
    "government could after rate over stock this sales quarter shares profit week may than "
    "been rates corp exchange foreign dollar tax march inc group had debt other industry "
    "minister officials economic president since interest told there export month analysts "
    "loss growth futures reserves report offer markets expected production agreement"
)
_ONSETS = _words("b c d f g h j k l m n p r s t v w z br cr dr fl gr pl pr sh st tr ch th")
_VOWELS = _words("a e i o u ai ea io ou ee")
_CODAS = ["", "", "n", "r", "s", "t", "l", "m", "nd", "st", "ng", "rk"]
_SOURCES = ("Newswire", "Daily Ledger", "Metro Times", "Global Post", "Tribune", "Wire Service")
_TAGS = ("markets", "economy", "politics", "energy", "trade", "tech", "grain", "earnings")


def _vocabulary(rng: random.Random, size: int) -> list[str]:
    words = list(dict.fromkeys(_COMMON))
    seen = set(words)
    while len(words) < size:
        w = "".join(
            rng.choice(_ONSETS) + rng.choice(_VOWELS) for _ in range(rng.choice((1, 2, 2, 3)))
        ) + rng.choice(_CODAS)
        if w not in seen:
            seen.add(w)
            words.append(w)
    return words


def synthetic_articles(n: int = REUTERS_NONEMPTY, seed: int = 1987) -> list[Article]:
    """A deterministic newswire-like corpus: Zipfian words, 4-10 word titles, 50-400 word bodies."""
    rng = random.Random(seed)
    vocab = _vocabulary(rng, 30_000)
    cum: list[float] = []
    total = 0.0
    for rank in range(1, len(vocab) + 1):
        total += 1.0 / rank**1.07
        cum.append(total)
    start = datetime(1987, 2, 26, tzinfo=UTC)
    out: list[Article] = []
    for i in range(n):
        title_words = rng.choices(vocab[30:], cum_weights=cum[30:], k=rng.randint(4, 10))
        title = " ".join(title_words).capitalize()
        words = rng.choices(vocab, cum_weights=cum, k=rng.randint(50, 400))
        sentences: list[str] = []
        pos = 0
        while pos < len(words):
            step = rng.randint(8, 25)
            chunk = words[pos : pos + step]
            sentences.append(" ".join(chunk).capitalize() + ".")
            pos += step
        paras = [" ".join(sentences[j : j + 4]) for j in range(0, len(sentences), 4)]
        out.append(
            Article(
                id=_copy_id("synthetic", f"{seed}:{i}", 1),
                title=title,
                body="\n\n".join(paras),
                format="text",
                source=_SOURCES[i % len(_SOURCES)],
                published=start + timedelta(minutes=7 * i + rng.randint(0, 6)),
                tags=(rng.choice(_TAGS),),
            )
        )
    return out


def load_corpus(scale: int = 1) -> tuple[list[Article], str]:
    """Reuters ×``scale`` when available, else a synthetic corpus of the same size; and a label."""
    if reuters_dir() is not None:
        arts = reuters_articles(scale)
        return arts, f"Reuters-21578 x{scale} ({len(arts):,} articles)"
    arts = synthetic_articles(REUTERS_NONEMPTY * scale)
    return arts, f"synthetic x{scale} ({len(arts):,} articles, Reuters absent)"


# --------------------------------------------------------------------------- writing


def _check_outside_repo(dest: Path) -> None:
    dest = dest.resolve()
    if dest == REPO_ROOT or REPO_ROOT in dest.parents:
        raise ValueError(f"{dest}: benchmark corpora must be written outside the repository")


def _header(a: Article) -> str:
    lines = [f"Title: {a.title}"]
    if a.author:
        lines.append(f"Author: {a.author}")
    if a.published is not None:
        lines.append(f"Date: {a.published.isoformat()}")
    if a.source:
        lines.append(f"Source: {a.source}")
    if a.url:
        lines.append(f"URL: {a.url}")
    if a.tags:
        lines.append(f"Tags: {', '.join(a.tags)}")
    return "\n".join(lines) + "\n\n"


def article_record(a: Article) -> dict[str, object]:
    """The JSON object newstui's ``.json``/``.jsonl`` loader reads back as ``a``."""
    rec: dict[str, object] = {"title": a.title, "body": a.body}
    if a.author:
        rec["author"] = a.author
    if a.published is not None:
        rec["date"] = a.published.isoformat()
    if a.source:
        rec["source"] = a.source
    if a.url:
        rec["url"] = a.url
    if a.tags:
        rec["tags"] = list(a.tags)
    return rec


def write_corpus_files(
    articles: Iterable[Article], dest: Path, layout: Layout = "files", per_folder: int = 1000
) -> Path:
    """Write ``articles`` under ``dest`` (outside the repo) and return what to load.

    ``files``: one ``.txt`` per article (header block, blank line, body) in subfolders of
    ``per_folder``; returns ``dest``. ``jsonl``: one ``dest/corpus.jsonl``; returns that file.
    """
    _check_outside_repo(dest)
    dest.mkdir(parents=True, exist_ok=True)
    if layout == "jsonl":
        out = dest / "corpus.jsonl"
        with out.open("w", encoding="utf-8") as fh:
            for a in articles:
                fh.write(json.dumps(article_record(a), ensure_ascii=False))
                fh.write("\n")
        return out
    if layout != "files":
        raise ValueError(f"unknown layout {layout!r}")
    folder = dest
    for i, a in enumerate(articles):
        if i % per_folder == 0:
            folder = dest / f"{i // per_folder:04d}"
            folder.mkdir(exist_ok=True)
        name = f"{i:06d}-{a.id[:8]}.txt"
        (folder / name).write_text(_header(a) + a.body + "\n", encoding="utf-8")
    return dest


def corpus_fingerprint(articles: Sequence[Article]) -> str:
    """A short hash of ids, so a benchmark can reuse files written by an earlier run."""
    h = hashlib.blake2b(digest_size=6)
    for a in articles:
        h.update(a.id.encode())
    return h.hexdigest()


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--scale", type=int, default=1)
    ap.add_argument("--synthetic", action="store_true", help="ignore Reuters, generate")
    ap.add_argument("--write", type=Path, help="write the corpus under this folder")
    ap.add_argument("--layout", choices=("files", "jsonl"), default="files")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    if args.synthetic:
        arts = synthetic_articles(REUTERS_NONEMPTY * args.scale)
        label = f"synthetic x{args.scale}"
    else:
        arts, label = load_corpus(args.scale)
    took = time.perf_counter() - t0
    words = sum(a.word_count for a in arts)
    print(f"{label}: {len(arts):,} articles, {words:,} words, built in {took:.2f} s")
    if bbc_dir() is not None:
        print(f"BBC: {len(bbc_articles()):,} articles")
    if args.write:
        t0 = time.perf_counter()
        where = write_corpus_files(arts, args.write, args.layout)
        print(f"wrote {where} in {time.perf_counter() - t0:.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
