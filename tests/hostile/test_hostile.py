"""Hostile and broken input (issue 6): every good file loads, every bad one is reported with
a reason, nothing hangs, no entity is expanded or resolved, YAML is loaded safely, and no
control character leaves the core."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from generate import ALL_ESCAPES, SECRET, Manifest, write_hostile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newstui.core.article import Article
from newstui.core.library import ScanResult, scan_library
from newstui.core.loaders import SUPPORTED_SUFFIXES, TRUNCATED_MARKER, load_bytes
from newstui.core.text import has_controls

pytestmark = pytest.mark.timeout(120)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> tuple[Manifest, ScanResult]:
    manifest = write_hostile(tmp_path_factory.mktemp("h"))
    return manifest, scan_library(manifest.root)


def rel(m: Manifest, path: Path | None) -> str:
    assert path is not None
    return str(path).removeprefix(str(m.root) + "/").split("#", 1)[0]


def fields(a: Article) -> list[str]:
    return [a.title, a.body, a.author, a.source, a.url, *a.tags]


def test_every_good_file_loads(hostile: tuple[Manifest, ScanResult]) -> None:
    m, result = hostile
    titles: dict[str, list[str]] = {}
    for a in result.articles:
        titles.setdefault(rel(m, a.path), []).append(a.title)
    for name, expected in m.good.items():
        assert name in titles, f"{name} did not load"
        for title in expected:
            assert title in titles[name], (name, titles[name])
    assert not any("Hidden" in t for ts in titles.values() for t in ts)


def test_every_bad_file_is_reported_with_its_reason(hostile: tuple[Manifest, ScanResult]) -> None:
    m, result = hostile
    reasons: dict[str, list[str]] = {}
    for p in result.problems:
        reasons.setdefault(rel(m, p.path), []).append(p.reason.lower())
    for name, word in m.bad.items():
        assert any(word.lower() in r for r in reasons.get(name, [])), (name, reasons.get(name))
    for name, word in m.degraded.items():
        got = [p for p in result.problems if rel(m, p.path) == name and p.kind == "degraded"]
        assert any(word.lower() in p.reason.lower() for p in got), (name, got)


def test_no_control_character_or_escape_leaves_the_core(
    hostile: tuple[Manifest, ScanResult],
) -> None:
    _, result = hostile
    assert result.articles
    for a in result.articles:
        for text in fields(a):
            assert not has_controls(text), (a.location, text[:80])
            for ch in ("\u202e", "\u2066", "\u200b", "\ufeff"):
                assert ch not in text, (a.location, repr(ch))
    for p in result.problems:
        assert not has_controls(p.reason), p


def test_no_entity_is_expanded_or_resolved(hostile: tuple[Manifest, ScanResult]) -> None:
    m, result = hostile
    everything = "\n".join(t for a in result.articles for t in fields(a))
    everything += "\n".join(p.reason for p in result.problems)
    assert SECRET not in everything
    assert "lollollol" not in everything
    assert not any(
        rel(m, a.path) in m.bad and rel(m, a.path).endswith((".rss", ".atom", ".xml"))
        for a in result.articles
    )


def test_yaml_is_loaded_safely(hostile: tuple[Manifest, ScanResult]) -> None:
    m, result = hostile
    assert not (m.root.parent / "yaml-was-executed").exists()
    [bomb] = [a for a in result.articles if a.title == "YAML bomb"]
    assert len(bomb.tags) <= 50


def test_huge_files_are_truncated_visibly(hostile: tuple[Manifest, ScanResult]) -> None:
    _, result = hostile
    [big] = [a for a in result.articles if a.title == "A fifty megabyte article"]
    assert big.truncated
    assert big.body.endswith(TRUNCATED_MARKER)
    assert len(big.body) < 9 * 1024 * 1024
    [line] = [a for a in result.articles if a.title == "One enormous line"]
    assert not line.truncated
    assert line.word_count > 1_000_000


def test_long_title_is_capped(hostile: tuple[Manifest, ScanResult]) -> None:
    _, result = hostile
    [a] = [a for a in result.articles if a.title.startswith("Very long title")]
    assert len(a.title) <= 300
    assert a.title.endswith("…")


def test_markup_is_kept_as_literal_text(hostile: tuple[Manifest, ScanResult]) -> None:
    _, result = hostile
    marked = [a for a in result.articles if "[@click=app.quit]" in a.title]
    assert len(marked) == 2
    assert all("[bold red]" in a.body for a in marked)


def test_scripts_and_handlers_are_not_in_the_text(hostile: tuple[Manifest, ScanResult]) -> None:
    _, result = hostile
    [page] = [a for a in result.articles if a.title == "Scripted page"]
    assert "Visible paragraph" in page.body
    for bad in ("SCRIPT-RAN", "ONLOAD", "ONERROR", "IFRAME-TEXT", "JS-LINK", "display:none"):
        assert bad not in page.body


def test_files_vanishing_during_the_scan(tmp_path: Path) -> None:
    for i in range(20):
        (tmp_path / f"a{i:02d}.txt").write_text(f"Title: Stays {i}\n\nBody {i}.\n")
    doomed = [tmp_path / f"z{i}.txt" for i in range(3)]
    for p in doomed:
        p.write_text("Title: Doomed\n\nGone.\n")

    def progress(done: int, total: int) -> None:
        for p in doomed:
            p.unlink(missing_ok=True)

    result = scan_library(tmp_path, progress=progress)
    assert len(result.articles) == 20
    assert sorted((p.path.name, p.reason) for p in result.problems) == [
        (p.name, "file vanished during the scan") for p in doomed
    ]


# --------------------------------------------------------------------------- properties

SUFFIXES = sorted(SUPPORTED_SUFFIXES)
PROPS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def check_outcome(data: bytes, suffix: str) -> None:
    out = load_bytes(data, Path(f"/nonexistent/prop{suffix}"))
    for a in out.articles:
        for text in fields(a):
            assert not has_controls(text)
        assert a.title or a.body
        assert a.published is None or a.published.tzinfo is not None
    for p in out.problems:
        assert p.kind in ("skipped", "degraded")
        assert p.reason


@PROPS
@given(data=st.binary(max_size=2000), suffix=st.sampled_from(SUFFIXES))
def test_any_bytes_in_any_format(data: bytes, suffix: str) -> None:
    check_outcome(data, suffix)


@PROPS
@given(text=st.text(max_size=500), suffix=st.sampled_from(SUFFIXES))
def test_any_text_in_any_format(text: str, suffix: str) -> None:
    check_outcome(text.encode("utf-8", "surrogatepass"), suffix)


hostile_text = st.text(
    alphabet=st.characters(codec="utf-8") | st.sampled_from(list(ALL_ESCAPES + "[]@=/")),
    max_size=200,
)


@PROPS
@given(title=hostile_text, body=hostile_text)
def test_hostile_text_in_structured_formats(title: str, body: str) -> None:
    title_line = title.replace("\n", " ").replace("\r", " ")
    check_outcome(f"Title: {title_line}\n\n{body}".encode(errors="surrogatepass"), ".txt")
    yaml_title = json.dumps(title)  # JSON strings are valid YAML
    check_outcome(f"---\ntitle: {yaml_title}\n---\n\n{body}".encode(errors="surrogatepass"), ".md")
    record = json.dumps({"title": title, "body": body, "tags": [title], "author": body})
    check_outcome(record.encode(), ".json")
    check_outcome((record + "\n" + record + "\n").encode(), ".jsonl")
    check_outcome(
        f"<html><head><title>{title}</title></head><body><p>{body}</p></body></html>".encode(
            errors="surrogatepass"
        ),
        ".html",
    )


@PROPS
@given(
    obj=st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
        lambda children: (
            st.lists(children, max_size=4)
            | st.dictionaries(
                st.sampled_from(["title", "body", "date", "tags", "author", "url", "source", "x"]),
                children,
                max_size=6,
            )
        ),
        max_leaves=30,
    )
)
def test_json_of_any_shape(obj: object) -> None:
    data = json.dumps(obj).encode()
    check_outcome(data, ".json")
    check_outcome(data + b"\n" + data, ".jsonl")
