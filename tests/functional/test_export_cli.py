"""`newstui export`: Markdown files with front matter (read back by newstui's own Markdown
loader), one JSONL file, one escaped HTML page, OPML of the settings' feeds; never over an
existing file without --force; a newsboat cache exports like a folder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_run import cli_env, run_newstui
from test_ui_support import write_article

from newstui.core.fetch.parse import parse_opml
from newstui.core.loaders import load_file


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    f = tmp_path / "articles"
    f.mkdir()
    write_article(
        f,
        "a.txt",
        "Cocoa showers in Bahia",
        "Showers continued throughout the week in the Bahia cocoa zone.",
        date="1987-02-26T15:01:00",
        source="Reuters",
        url="https://news.example/cocoa",
    )
    write_article(
        f,
        "b.txt",
        'Evil <script>alert("x")</script> title',
        "Body with <img src=x onerror=alert(1)> and & ampersand.",
        date="1987-03-01T10:00:00",
        url="javascript:alert(1)",
    )
    write_article(f, "c.txt", "Coffee prices rise", "Coffee beans cost more this year.")
    return f


def test_md_export_writes_one_file_each_that_newstui_reads_back(
    folder: Path, tmp_path: Path
) -> None:
    env = cli_env(tmp_path / "user")
    out = tmp_path / "vault"
    done = run_newstui(env, "export", "--dir", str(folder), "--to", str(out), "--format", "md")
    assert done.returncode == 0, done.stderr
    assert "exported 3 articles" in done.stderr
    names = sorted(p.name for p in out.iterdir())
    assert names == [
        "Cocoa showers in Bahia.md",
        "Coffee prices rise.md",
        "Evil script alert( x ) script title.md",
    ]
    back = load_file(out / "Cocoa showers in Bahia.md").articles[0]
    assert (back.title, back.source, back.url) == (
        "Cocoa showers in Bahia",
        "Reuters",
        "https://news.example/cocoa",
    )
    assert back.published is not None and back.published.year == 1987
    evil = (out / "Evil script alert( x ) script title.md").read_text()
    assert "<img" not in evil and "&lt;img" in evil  # text, never HTML in a note


def test_a_query_picks_the_articles(folder: Path, tmp_path: Path) -> None:
    env = cli_env(tmp_path / "user")
    out = tmp_path / "out.jsonl"
    done = run_newstui(
        env, "export", "cocoa", "--dir", str(folder), "--to", str(out), "--format", "jsonl"
    )
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["title"] for r in rows] == ["Cocoa showers in Bahia"]
    assert rows[0]["source"] == "Reuters" and "cocoa zone" in rows[0]["body"]
    assert set(rows[0]) >= {"id", "title", "author", "source", "published", "url", "tags"}


def test_html_export_is_one_escaped_page_without_script(folder: Path, tmp_path: Path) -> None:
    env = cli_env(tmp_path / "user")
    out = tmp_path / "news.html"
    done = run_newstui(env, "export", "--dir", str(folder), "--to", str(out), "--format", "html")
    assert done.returncode == 0, done.stderr
    page = out.read_text()
    assert page.startswith("<!DOCTYPE html>")
    assert "<script" not in page and "<img" not in page
    assert "&lt;script&gt;" in page and "Cocoa showers in Bahia" in page
    assert "Content-Security-Policy" in page and "default-src 'none'" in page
    assert 'href="https://news.example/cocoa"' in page
    assert 'href="javascript' not in page


def test_existing_files_are_not_overwritten_without_force(folder: Path, tmp_path: Path) -> None:
    env = cli_env(tmp_path / "user")
    out = tmp_path / "out.html"
    out.write_text("mine")
    args = ["export", "--dir", str(folder), "--to", str(out), "--format", "html"]
    done = run_newstui(env, *args)
    assert done.returncode == 1
    assert f"{out} exists; not overwritten (--force replaces it)" in done.stderr
    assert out.read_text() == "mine"
    assert run_newstui(env, *args, "--force").returncode == 0
    assert out.read_text().startswith("<!DOCTYPE html>")

    vault = tmp_path / "vault"
    vault.mkdir()
    (vault / "Coffee prices rise.md").write_text("my own note")
    md = ["export", "--dir", str(folder), "--to", str(vault), "--format", "md"]
    done = run_newstui(env, *md)
    assert done.returncode == 1 and "nothing written" in done.stderr
    assert [p.name for p in vault.iterdir()] == ["Coffee prices rise.md"]  # all or nothing
    assert (vault / "Coffee prices rise.md").read_text() == "my own note"
    assert "Traceback" not in done.stderr


def test_opml_export_lists_the_settings_feeds(tmp_path: Path) -> None:
    env = cli_env(tmp_path / "user")
    config = tmp_path / "config.toml"
    config.write_text('feeds = ["https://a.example/feed.xml", "https://b.example/rss?x=1&y=2"]\n')
    out = tmp_path / "subs.opml"
    done = run_newstui(env, "--config", str(config), "export", "--format", "opml", "--to", str(out))
    assert done.returncode == 0, done.stderr
    feeds = parse_opml(out.read_bytes(), url=str(out)).feeds
    assert [f.url for f in feeds] == ["https://a.example/feed.xml", "https://b.example/rss?x=1&y=2"]


def test_bad_arguments_are_one_line(folder: Path, tmp_path: Path) -> None:
    env = cli_env(tmp_path / "user")
    done = run_newstui(
        env, "export", "--dir", str(folder), "--to", str(tmp_path), "--format", "jsonl"
    )
    assert done.returncode == 2 and "is a folder" in done.stderr
    done = run_newstui(
        env, "export", "zzzqqq", "--dir", str(folder), "--to", str(tmp_path / "x"), "--format", "md"
    )
    assert done.returncode == 1 and "nothing to export" in done.stderr
    assert "Traceback" not in done.stderr
