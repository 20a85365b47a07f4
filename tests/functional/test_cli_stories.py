"""``newstui stories``, ``newstui related`` and the story fields of ``list``/``search``
(issue 14), run as the real command."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from cli_run import cli_env, run_newstui
from test_ui_support import write_article

_RNG = random.Random(3)
_SYL = ["ba", "co", "di", "fe", "gu", "ha", "ji", "ko", "lu", "me", "no", "pi", "re"]
VOCAB = sorted({"".join(_RNG.choice(_SYL) for _ in range(_RNG.randint(2, 4))) for _ in range(4000)})


def _sentences(seed: int, n: int, extra: list[str] | None = None) -> list[str]:
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        words = [rng.choice(VOCAB) for _ in range(rng.randint(10, 16))]
        if extra:
            words[rng.randrange(len(words))] = rng.choice(extra)
        out.append(" ".join(words).capitalize() + ".")
    return out


def _para(s: list[str]) -> str:
    return "\n\n".join(" ".join(s[i : i + 3]) for i in range(0, len(s), 3))


@pytest.fixture
def library(tmp_path: Path) -> Path:
    """A story in three versions (original, correction, copy with another headline and
    lead), two other stories on the same topic, and an unrelated one."""
    folder = tmp_path / "news"
    folder.mkdir()
    topic = ["volcano", "lava", "eruption", "ash", "magma"]
    base = _sentences(1, 12, topic)
    write_article(
        folder,
        "orig.txt",
        "Volcano erupts near town",
        _para(base),
        date="2024-05-06T09:00:00",
        source="Wire",
    )
    fixed = [*base[:4], base[4].replace(".", " (corrected)."), *base[5:]]
    write_article(
        folder,
        "fix.txt",
        "CORRECTED - Volcano erupts near town",
        _para(fixed),
        date="2024-05-06T12:00:00",
        source="Wire",
    )
    copy = [*_sentences(50, 1), *base[1:]]
    write_article(
        folder,
        "copy.txt",
        "Town shaken as volcano wakes",
        _para(copy),
        date="2024-05-07T08:00:00",
        source="Daily Ledger",
    )
    for k in range(2):
        write_article(
            folder,
            f"topic{k}.txt",
            f"Volcano report {k}",
            _para(_sentences(10 + k, 12, topic)),
            date=f"2024-05-0{k + 6}T10:00:00",
            source="Gazette",
        )
    write_article(
        folder,
        "other.txt",
        "Saffron harvest doubles",
        _para(_sentences(99, 12)),
        date="2024-05-01T10:00:00",
        source="Agri Daily",
    )
    return folder


def _jsonl(out: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def _ids(env: dict[str, str], folder: Path) -> dict[str, dict[str, object]]:
    res = run_newstui(env, "list", str(folder), "--format", "jsonl")
    assert res.returncode == 0, res.stderr
    return {str(r["title"]): r for r in _jsonl(res.stdout)}


def test_list_and_search_rows_carry_the_story(library: Path, tmp_path: Path) -> None:
    env = cli_env(tmp_path)
    rows = _ids(env, library)
    orig = rows["Volcano erupts near town"]
    story = orig["story"]
    assert story == orig["id"]  # the earliest version names the story
    for title in ("CORRECTED - Volcano erupts near town", "Town shaken as volcano wakes"):
        assert rows[title]["story"] == story
        assert rows[title]["story_size"] == 3
    for title in ("Volcano report 0", "Volcano report 1", "Saffron harvest doubles"):
        assert rows[title]["story"] == rows[title]["id"]
        assert rows[title]["story_size"] == 1
    res = run_newstui(env, "search", "--dir", str(library), "--format", "jsonl", "volcano")
    assert res.returncode == 0, res.stderr
    hits = _jsonl(res.stdout)[0]["hits"]
    assert isinstance(hits, list)
    by_title = {h["title"]: h for h in hits}
    assert by_title["Town shaken as volcano wakes"]["story"] == story
    assert by_title["Town shaken as volcano wakes"]["story_size"] == 3
    assert by_title["Volcano report 0"]["story_size"] == 1


def test_table_list_has_no_story_columns_and_builds_no_stories(
    library: Path, tmp_path: Path
) -> None:
    env = cli_env(tmp_path)
    res = run_newstui(env, "list", str(library))
    assert res.returncode == 0
    assert "story" not in res.stdout.lower()
    assert not list(tmp_path.rglob("stories-*.bin"))  # only the JSON rows need them


def test_stories_lists_each_story_with_its_members(library: Path, tmp_path: Path) -> None:
    env = cli_env(tmp_path)
    res = run_newstui(env, "stories", str(library), "--format", "jsonl")
    assert res.returncode == 0, res.stderr
    stories = _jsonl(res.stdout)
    assert len(stories) == 1
    (s,) = stories
    assert s["size"] == 3
    members = s["members"]
    assert isinstance(members, list)
    # Newest first.
    assert [m["title"] for m in members] == [
        "Town shaken as volcano wakes",
        "CORRECTED - Volcano erupts near town",
        "Volcano erupts near town",
    ]
    assert members[-1]["id"] == s["story"]
    assert list(tmp_path.rglob("stories-*.bin"))  # cached for the next run
    table = run_newstui(env, "stories", str(library))
    assert table.returncode == 0
    assert "3 versions" in table.stdout
    assert "Daily Ledger" in table.stdout and "Town shaken as volcano wakes" in table.stdout
    everything = run_newstui(
        env, "stories", "--dir", str(library), "--min-size", "1", "--format", "jsonl"
    )
    assert len(_jsonl(everything.stdout)) == 4  # the story and three lone articles
    bad = run_newstui(env, "stories", str(library), "--min-size", "0")
    assert bad.returncode == 2


def test_related_lists_other_stories_with_scores(library: Path, tmp_path: Path) -> None:
    env = cli_env(tmp_path)
    rows = _ids(env, library)
    orig = rows["Volcano erupts near town"]
    res = run_newstui(
        env, "related", str(orig["id"])[:8], "--dir", str(library), "--format", "jsonl"
    )
    assert res.returncode == 0, res.stderr
    (obj,) = _jsonl(res.stdout)
    assert obj["id"] == orig["id"]
    hits = obj["hits"]
    assert isinstance(hits, list)
    titles = [h["title"] for h in hits]
    # Not its own story's versions; the same-topic stories first.
    assert "CORRECTED - Volcano erupts near town" not in titles
    assert "Town shaken as volcano wakes" not in titles
    assert set(titles[:2]) == {"Volcano report 0", "Volcano report 1"}
    assert set(hits[0]) == {"id", "title", "source", "published", "score"}
    assert hits[0]["score"] >= hits[-1]["score"] > 0
    one = run_newstui(
        env, "related", str(library / "orig.txt"), "--dir", str(library), "--limit", "1"
    )
    assert one.returncode == 0, one.stderr
    assert "Volcano report" in one.stdout and "Score" in one.stdout
    assert "Saffron" not in one.stdout


def test_related_with_an_unknown_id_is_one_line(library: Path, tmp_path: Path) -> None:
    env = cli_env(tmp_path)
    res = run_newstui(env, "related", "ffffffffffff", "--dir", str(library))
    assert res.returncode == 1
    assert "no article with id" in res.stderr
    assert "Traceback" not in res.stderr
