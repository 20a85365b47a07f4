"""The export writers: Obsidian-safe unique file names, front matter that is YAML data only,
no-clobber atomic writes, and the save_folder setting."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from newstui.core.article import Article
from newstui.core.export import (
    FileExists,
    article_markdown,
    markdown_names,
    safe_name,
    save_markdown,
    write_new,
)
from newstui.core.export.markdown import MAX_NAME_BYTES
from newstui.core.settings import Settings, parse_settings, save_folder


def art(title: str, body: str = "Body.", aid: str = "0123456789abcdef", **kw: object) -> Article:
    return Article(id=aid, title=title, body=body, format=str(kw.pop("format", "text")), **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("../../etc/passwd", "etc passwd"),
        ('a/b\\c:d*e?f"g<h>i|j#k^l[m]n', "a b c d e f g h i j k l m n"),
        (".hidden", "hidden"),
        ("CON", "CON 0123456789abcdef"),
        ("nul.txt", "nul.txt 0123456789abcdef"),
        ("", "0123456789abcdef"),
        ("///", "0123456789abcdef"),
        ("Tab\there\x1b[31m red", "Tab here red"),
    ],
)
def test_safe_names(title: str, expected: str) -> None:
    assert safe_name(title, "0123456789abcdef") == expected


def test_long_names_are_bounded_in_bytes() -> None:
    name = safe_name("é" * 500, "id")
    assert len(name.encode()) <= MAX_NAME_BYTES
    assert name == "é" * (MAX_NAME_BYTES // 2)


def test_names_are_unique_case_insensitively() -> None:
    names = markdown_names(
        [art("Same", aid="a" * 16), art("same", aid="b" * 16), art("SAME", aid="b" * 16)]
    )
    assert names[0] == "Same.md"
    assert len({n.casefold() for n in names}) == 3
    assert names[1] == f"same {'b' * 16}.md"


def test_front_matter_is_plain_yaml_data() -> None:
    a = art(
        "Title: !!python/object:os.system 'x'",
        body="# not a heading\n<b>bold</b> & more",
        author="--- Doe",
        tags=("a: b", "c"),
        url="https://x.example/a",
    )
    text = article_markdown(a)
    head, _, body = text[4:].partition("---\n")
    meta = yaml.safe_load(head)
    assert meta["title"] == "Title: !!python/object:os.system 'x'"
    assert meta["author"] == "--- Doe"
    assert meta["tags"] == ["a: b", "c"]
    assert meta["id"] == a.id
    assert "&lt;b&gt;" not in body and "&lt;b>bold&lt;/b> &amp; more" in body


def test_a_markdown_article_keeps_its_markdown() -> None:
    a = art("T", body="Some *emphasis* and <kbd>x</kbd>", format="markdown")
    assert article_markdown(a).endswith("Some *emphasis* and <kbd>x</kbd>\n")


def test_write_new_never_replaces_without_force(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "f.txt"
    write_new(target, "one")
    with pytest.raises(FileExists, match="not overwritten"):
        write_new(target, "two")
    assert target.read_text() == "one"
    write_new(target, "three", force=True)
    assert target.read_text() == "three"
    assert sorted(p.name for p in target.parent.iterdir()) == ["f.txt"]  # no temp left


def test_save_markdown_picks_another_name_and_never_replaces(tmp_path: Path) -> None:
    (tmp_path / "Report.md").write_text("someone's own note")
    first = save_markdown(art("Report"), tmp_path)
    assert first.path.name == "Report 0123456789abcdef.md" and not first.already
    again = save_markdown(art("Report"), tmp_path)
    assert again.path == first.path and again.already
    assert (tmp_path / "Report.md").read_text() == "someone's own note"


def test_save_folder_setting(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    settings, warnings = parse_settings({"save_folder": "notes"}, path=tmp_path / "c.toml")
    assert settings.save_folder == tmp_path / "notes" and not warnings
    for bad in ("file", "a\x1bb", 3):
        settings, warnings = parse_settings({"save_folder": bad}, path=tmp_path / "c.toml")
        assert settings.save_folder is None
        assert "'save_folder' must be the path of a folder" in warnings[0]
    assert save_folder(Settings()).name == "newstui"


def test_jsonl_escapes_what_a_terminal_or_line_reader_would_act_on() -> None:
    from newstui.core.export import jsonl_lines

    (line,) = jsonl_lines([art("T", body="a\u2028b\x85c\udcff")])
    assert line.endswith("\n") and line.count("\n") == 1
    assert "\\u2028" in line and "\\u0085" in line and "\\udcff" in line


def test_html_page_escapes_everything_and_links_only_http(tmp_path: Path) -> None:
    from newstui.core.export import html_page

    page = "".join(
        html_page(
            [
                art("<script>alert(1)</script>", body="<img src=x onerror=alert(1)>\n\nTwo"),
                art("J", aid="f" * 16, url="javascript:alert(1)"),
                art("H", aid="e" * 16, url='https://ok.example/?a=1&b="2"'),
            ]
        )
    )
    assert "<script" not in page and "<img" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert 'href="javascript' not in page
    assert 'href="https://ok.example/?a=1&amp;b=&quot;2&quot;"' in page
    write_new(tmp_path / "p.html", page)  # and it is writable as one file
