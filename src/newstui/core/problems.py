"""What went wrong while loading, counted and ordered the way people read it.

A file with 1,646 bad records is one file with problems, not 1,646 (nor 51) "problem files";
duplicates collapsed on purpose are counted apart from real problems. The app's status line
and ``!`` screen and the CLI's stderr summary all use :func:`summarize` and :func:`ordered`,
so they agree.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from newstui.core.article import Problem

__all__ = ["ProblemSummary", "ordered", "summarize"]


@dataclass(frozen=True, slots=True)
class ProblemSummary:
    """``files``: files with a problem about the whole file (skipped or degraded) or about
    some of their records; ``records``: problems about single records (a JSONL line, a feed
    entry) — their files are counted in ``files`` too; ``duplicates``: articles collapsed
    because another file or record holds the same article."""

    files: int = 0
    records: int = 0
    duplicates: int = 0

    @property
    def any(self) -> bool:
        return bool(self.files or self.duplicates)

    def describe(self) -> str:
        """``"2 files with problems (1,646 records)"``, ``"3 duplicates collapsed"``, joined
        with ``"; "``; ``""`` when there is nothing to say."""
        parts: list[str] = []
        if self.files:
            text = f"{self.files:,} file{'s' if self.files != 1 else ''} with problems"
            if self.records:
                text += f" ({self.records:,} record{'s' if self.records != 1 else ''})"
            parts.append(text)
        if self.duplicates:
            n = self.duplicates
            parts.append(f"{n:,} duplicate{'s' if n != 1 else ''} collapsed")
        return "; ".join(parts)


def summarize(problems: Iterable[Problem]) -> ProblemSummary:
    """Files with problems, records with problems (a record with two problems counts once;
    a Problem standing for many records, see ``Problem.count``, counts them all) and
    duplicates collapsed."""
    files: set[str] = set()
    records: set[tuple[str, int]] = set()
    more = duplicates = 0
    for p in problems:
        if p.kind == "duplicate":
            duplicates += p.count
            continue
        path = str(p.path)
        files.add(path)
        if p.entry is not None:
            if p.count == 1:
                records.add((path, p.entry))
            else:
                more += p.count
    return ProblemSummary(len(files), len(records) + more, duplicates)


def ordered(problems: Iterable[Problem]) -> list[Problem]:
    """Problems by file, then record (whole-file problems first), duplicates last."""
    return sorted(
        problems,
        key=lambda p: (
            p.kind == "duplicate",
            str(p.path),
            -1 if p.entry is None else p.entry,
        ),
    )
