"""The settings of issue 15: ``full_text`` (global and per feed) and ``images``."""

from __future__ import annotations

from pathlib import Path

import pytest

from newstui.core.fetch.fulltext import fetch_full_text_feeds, full_text_mode
from newstui.core.settings import LoadedSettings, load_settings


def load(tmp_path: Path, text: str) -> LoadedSettings:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return load_settings(path, must_exist=True)


def test_feeds_may_be_tables_with_their_own_full_text(tmp_path: Path) -> None:
    settings, warnings = load(
        tmp_path,
        'full_text = "on-open"\n'
        'feeds = ["https://a.example/feed", { url = "https://b.example/feed", full_text = "always" },'
        ' { url = "https://c.example/feed", full_text = "never" }, { url = "https://d.example/f" }]\n',
    )
    assert warnings == []
    assert settings.feeds == [
        "https://a.example/feed",
        "https://b.example/feed",
        "https://c.example/feed",
        "https://d.example/f",
    ]
    assert full_text_mode(settings, "https://a.example/feed") == "on-open"  # the global one
    assert full_text_mode(settings, "https://b.example/feed") == "always"
    assert full_text_mode(settings, "https://c.example/feed") == "never"
    assert full_text_mode(settings, "https://d.example/f") == "on-open"
    assert full_text_mode(settings, "") == "on-open"
    feeds = settings.feeds
    assert fetch_full_text_feeds(settings, feeds) == {"https://b.example/feed"}


def test_array_of_tables_form(tmp_path: Path) -> None:
    settings, warnings = load(
        tmp_path, '[[feeds]]\nurl = "https://b.example/feed"\nfull_text = "always"\n'
    )
    assert warnings == []
    assert settings.feed_full_text == {"https://b.example/feed": "always"}


def test_defaults(tmp_path: Path) -> None:
    settings, warnings = load(tmp_path, "")
    assert warnings == []
    assert settings.full_text == "never"
    assert settings.images is True
    assert full_text_mode(settings, "https://x.example/") == "never"


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ('full_text = "sometimes"', "'full_text' must be one of"),
        ("full_text = true", "'full_text' must be one of"),
        ('feeds = [{ url = "https://a", full_text = "sometimes" }]', "'feeds' must be"),
        ('feeds = [{ url = "https://a", extra = 1 }]', "'feeds' must be"),
        ('feeds = [{ full_text = "always" }]', "'feeds' must be"),
        ('images = "no"', "'images' must be true or false"),
    ],
)
def test_bad_values_are_named_and_keep_the_default(tmp_path: Path, text: str, key: str) -> None:
    settings, warnings = load(tmp_path, text + "\n")
    assert len(warnings) == 1 and key in warnings[0] and "line 1" in warnings[0]
    assert settings.full_text == "never"
    assert settings.feeds == []
    assert settings.images is True


def test_images_off(tmp_path: Path) -> None:
    settings, warnings = load(tmp_path, "images = false\n")
    assert warnings == [] and settings.images is False
