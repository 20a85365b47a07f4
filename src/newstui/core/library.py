"""Scan a folder of article files into Articles, with a report of what was skipped and why.

PLACEHOLDER: sequential and minimal; the loaders issue makes it parallel and thorough.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from newstui.core.article import Article, Problem
from newstui.core.loaders import SUPPORTED_SUFFIXES, load_file

# progress(files_done, files_total)
ScanProgress = Callable[[int, int], None]


@dataclass(slots=True)
class ScanResult:
    articles: list[Article] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    files_seen: int = 0


def scan_library(root: Path, *, progress: ScanProgress | None = None) -> ScanResult:
    """Load every article under ``root``. One bad file never stops the rest."""
    files = sorted(
        p for p in root.rglob("*") if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES
    )
    result = ScanResult(files_seen=len(files))
    for n, path in enumerate(files, 1):
        outcome = load_file(path)
        result.articles.extend(outcome.articles)
        result.problems.extend(outcome.problems)
        if progress is not None:
            progress(n, len(files))
    return result
