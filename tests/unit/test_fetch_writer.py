"""Safe file names, atomic no-clobber writes, front matter that round-trips."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import frontmatter
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newstui.core.fetch.parse import Entry
from newstui.core.fetch.writer import (
    MAX_SLUG_BYTES,
    clean_stale_temps,
    entry_stem,
    render_document,
    rewrite,
    slugify,
    write_new,
)


@given(st.text(max_size=400))
@settings(max_examples=300, deadline=None)
def test_any_title_gives_a_safe_non_empty_slug(title: str) -> None:
    slug = slugify(title)
    assert slug
    assert "/" not in slug and "\\" not in slug and "." not in slug
    assert not slug.startswith("-") and not slug.endswith("-")
    assert all(ch.isprintable() and not ch.isspace() for ch in slug)
    assert len(slug.encode("utf-8")) <= MAX_SLUG_BYTES


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Tide tables revised after storm", "tide-tables-revised-after-storm"),
        ("../../etc/passwd", "etc-passwd"),
        ("..", "untitled"),
        ("Zoë’s café: naïve?", "zoë-s-café-naïve"),
        ("新闻 标题", "新闻-标题"),
        ("a\x1b[31mred\x00", "a-31mred"),
        ("CON", "untitled-con"),
    ],
)
def test_slug_examples(title: str, slug: str) -> None:
    assert slugify(title) == slug


def test_long_titles_are_cut_at_a_word_boundary() -> None:
    slug = slugify("word " * 60)
    assert len(slug.encode()) <= MAX_SLUG_BYTES
    assert slug.endswith("word")


def test_entry_stem_has_the_date_when_known() -> None:
    entry = Entry("k", "Hello World", "", published=datetime(2026, 1, 2, tzinfo=UTC))
    assert entry_stem(entry) == "2026-01-02-hello-world"
    assert entry_stem(Entry("k", "Hello World", "")) == "hello-world"


def test_same_name_gets_a_suffix_and_nothing_is_overwritten(tmp_path: Path) -> None:
    first = write_new(tmp_path, "story", "one\n")
    second = write_new(tmp_path, "story", "two\n")
    third = write_new(tmp_path, "story", "three\n")

    assert [p.name for p in (first, second, third)] == ["story.md", "story-2.md", "story-3.md"]
    assert first.read_text(encoding="utf-8") == "one\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["story-2.md", "story-3.md", "story.md"]


def test_rewrite_replaces_in_place_and_leaves_no_temp(tmp_path: Path) -> None:
    path = write_new(tmp_path, "story", "old\n")
    rewrite(path, "new\n")
    assert path.read_text(encoding="utf-8") == "new\n"
    assert [p.name for p in tmp_path.iterdir()] == ["story.md"]


def test_written_files_have_ordinary_permissions(tmp_path: Path) -> None:
    path = write_new(tmp_path, "story", "x\n")
    mask = os.umask(0o022)
    os.umask(mask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~mask


@pytest.mark.parametrize(
    "title",
    [
        "---",
        "key: value",
        "# not a heading",
        "'quoted' \"double\"",
        "[1, 2]",
        "yes",
        "null",
        "é" * 5,
    ],
)
def test_front_matter_round_trips_whatever_the_title(tmp_path: Path, title: str) -> None:
    entry = Entry(
        "k",
        title,
        "Body with --- a rule\n\n---\n\nand more",
        url="https://example.org/a?b=1&c=2",
        author="A: B",
        published=datetime(2026, 11, 23, 8, 30, tzinfo=UTC),
        tags=("x", "y: z"),
    )
    fetched = datetime(2026, 11, 26, 23, 0, tzinfo=UTC)
    text = render_document(entry, source="Feed: #1", feed_url="https://f/x", fetched_at=fetched)
    post = frontmatter.loads(text)

    assert post["title"] == title
    assert post["author"] == "A: B"
    assert post["source"] == "Feed: #1"
    assert post["url"] == "https://example.org/a?b=1&c=2"
    assert post["tags"] == ["x", "y: z"]
    assert post["published"] == "2026-11-23T08:30:00+00:00"
    assert post["feed_url"] == "https://f/x"
    assert post["fetched_at"] == "2026-11-26T23:00:00+00:00"
    assert post.content == entry.body


def test_stale_temp_files_of_dead_runs_are_removed(tmp_path: Path) -> None:
    sub = tmp_path / "feed"
    sub.mkdir()
    dead = sub / ".newstui-fetch-999999999-x.tmp"
    dead.write_text("partial", encoding="utf-8")
    live = sub / f".newstui-fetch-{os.getpid()}-x.tmp"
    live.write_text("partial", encoding="utf-8")
    old_live = sub / f".newstui-fetch-{os.getpid()}-old.tmp"
    old_live.write_text("partial", encoding="utf-8")
    os.utime(old_live, (1_000_000, 1_000_000))
    article = sub / "story.md"
    article.write_text("keep", encoding="utf-8")

    assert clean_stale_temps(tmp_path) == 2
    assert not dead.exists() and not old_live.exists()
    assert live.exists() and article.exists()
