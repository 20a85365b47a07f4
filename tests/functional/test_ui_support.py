"""Shared helpers for the UI tests: deterministic article folders (no tests here)."""

from __future__ import annotations

from pathlib import Path

WORDS = [
    *[
        "market",
        "trade",
        "oil",
        "prices",
        "bank",
        "rates",
        "growth",
        "china",
        "exports",
        "wheat",
        "coffee",
        "dollar",
        "yen",
    ],
    *["stocks", "bonds", "inflation", "harvest", "tariff", "shipping", "copper"],
]


def write_article(
    folder: Path,
    name: str,
    title: str,
    body: str,
    *,
    date: str = "",
    source: str = "",
    url: str = "",
) -> Path:
    """A ``.txt`` article in newstui's header format (Title/Date/Source/URL, blank line, body)."""
    head = [f"Title: {title}"]
    if date:
        head.append(f"Date: {date}")
    if source:
        head.append(f"Source: {source}")
    if url:
        head.append(f"URL: {url}")
    path = folder / name
    path.write_text("\n".join(head) + "\n\n" + body + "\n", encoding="utf-8")
    return path


def fill_folder(folder: Path, count: int) -> None:
    """``count`` deterministic articles: fixed dates, sources and words (no randomness)."""
    folder.mkdir(parents=True, exist_ok=True)
    sources = ("Reuters", "AP", "BBC News")
    for i in range(count):
        words = [WORDS[(i * 7 + k * 3) % len(WORDS)] for k in range(5)]
        title = f"{words[0].capitalize()} {' '.join(words[1:])} report {i}"
        paragraphs = [
            " ".join(WORDS[(i + p * 5 + k) % len(WORDS)] for k in range(40)) for p in range(4)
        ]
        write_article(
            folder,
            f"a{i:04d}.txt",
            title,
            "\n\n".join(paragraphs),
            date=f"2024-03-{1 + i % 28:02d}T{8 + i % 10:02d}:00:00",
            source=sources[i % 3],
            url=f"https://news.example/{i}",
        )


def write_volcano(folder: Path) -> Path:
    """The article many tests and the snapshots search for ("volcano", "harbour")."""
    return write_article(
        folder,
        "volcano.txt",
        "Volcano erupts near the harbour",
        "The volcano erupted at dawn.\n\nAsh fell on the harbour; the volcano is quiet now.",
        date="2024-04-02T09:00:00",
        source="Geo Times",
        url="https://news.example/volcano",
    )
