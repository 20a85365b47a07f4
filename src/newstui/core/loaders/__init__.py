"""Article loaders, one module per format, chosen by extension (content sniffed where it lies).

PLACEHOLDER: only plain text for now; the loaders issue fills in every format.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from newstui.core.article import Article, Problem, make_article_id

SUPPORTED_SUFFIXES = frozenset({".txt"})


@dataclass(slots=True)
class LoadOutcome:
    articles: list[Article] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def load_file(path: Path) -> LoadOutcome:
    """Load every article in one file. Never raises for bad content: it reports a Problem."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        return LoadOutcome(problems=[Problem(path, f"cannot read: {exc.strerror}")])
    title, _, body = text.partition("\n")
    article = Article(
        id=make_article_id(title=title, body=body),
        title=title.strip(),
        body=body.strip(),
        format="text",
        path=path,
    )
    return LoadOutcome(articles=[article])
