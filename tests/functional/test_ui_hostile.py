"""Untrusted text in the app: issue 6's hostile folder, markup and escapes in articles, state,
settings and pastes never reach the terminal as markup or control sequences; a hostile code
block never blocks the keys."""

from __future__ import annotations

import asyncio
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest
from test_ui_support import (
    CONTROL,
    folder_with,
    notifications,
    open_app,
    screen_text,
    settle,
    write_article,
    write_settings,
)
from textual.widgets import Footer

from newstui.core.state import StateStore
from newstui.ui.safe import visible
from newstui.ui.screens.problems import ProblemsScreen

GENERATOR = Path(__file__).resolve().parent.parent / "hostile" / "generate.py"
OSC_TITLE = "\x1b]0;pwned\x07"
OSC_CLIP = "\x1b]52;c;cHduZWQ=\x07"


def _generator() -> ModuleType:
    if not GENERATOR.exists():
        pytest.skip("tests/hostile/generate.py is not there")
    spec = importlib.util.spec_from_file_location("newstui_hostile_generate", GENERATOR)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _no_control(text: str, where: str) -> None:
    bad = CONTROL.search(text)
    assert bad is None, f"control character {bad.group()!r} in {where}: {text!r}"


async def test_hostile_folder_in_the_app(tmp_path: Path) -> None:
    gen = _generator()
    manifest = gen.write_hostile(tmp_path, huge=False)
    async with open_app(manifest.root) as (app, pilot):
        assert app.article_list.articles, "the good files load"
        shown = {a.title for a in app.article_list.articles}
        for titles in manifest.good.values():
            for title in titles:
                assert any(title in t for t in shown), title
        assert app.problems, "the bad files are reported"
        _no_control(screen_text(app), "the list")
        # open every article, walking the list with ]: each renders cleanly, nothing clickable
        await pilot.press("home", "enter")
        for _ in range(len(app.article_list.articles)):
            await settle(pilot)
            for n, line in enumerate(app.reader.plain_lines):
                _no_control(line, f"{app.reader.article!r} line {n}")
            for strip in app.reader.strips:
                for seg in strip:
                    assert not (seg.style and (seg.style.link or seg.style.meta))
            _no_control(screen_text(app), "the screen")
            await pilot.press("right_square_bracket")
        assert app.is_running, "no [@click=app.quit] from an article ran"
        assert gen.SECRET not in screen_text(app)
        await pilot.press("escape", "exclamation_mark")
        await pilot.pause()
        assert isinstance(app.screen, ProblemsScreen)
        text = screen_text(app)
        _no_control(text, "the problems screen")
        listed = "\n".join(f"{name} {reason}" for name, reason in app.screen.entries())
        _no_control(listed, "the problems list")
        for name in manifest.bad:
            assert visible(Path(name).name) in listed, name


async def test_article_markup_and_escapes_are_shown_literally(tmp_path: Path) -> None:
    folder = tmp_path / "hostile"
    folder.mkdir()
    write_article(
        folder,
        "markup.txt",
        "Click [@click=app.quit]here[/] and [bold]bold[/bold]",
        "Body [red]not red[/red] \x1b]0;pwned\x07 and \x1b[2J gone [@click=app.quit]x[/]",
        date="2024-01-01",
    )
    (folder / "md.md").write_text(
        "---\ntitle: Markdown [b]title[/b]\n---\n# Head [i]x[/i]\n\n[link](javascript:alert(1)) "
        "and [@click=app.quit]q[/]\n",
        encoding="utf-8",
    )
    async with open_app(folder) as (app, pilot):
        text = screen_text(app)
        assert "Click [@click=app.quit]here[" in text
        await pilot.press("slash", *"click", "enter")
        await settle(pilot)
        text = screen_text(app)
        assert "[red]not red[/red]" in text
        assert "pwned" not in text or "\x1b" not in text
        assert "\x1b" not in text and "\x07" not in text
        # open the Markdown article: rendered, its markup literal, nothing clickable
        await pilot.press("escape", "escape")
        app.article_list.move_to_id(
            next(a.id for a in app.article_list.articles if a.format == "markdown")
        )
        await pilot.press("enter")
        await pilot.pause()
        shown = "\n".join(app.reader.plain_lines)
        assert "[@click=app.quit]q[/]" in shown
        assert "# Head" not in shown and "Head [i]x[/i]" in shown
        for strip in app.reader.strips:
            for seg in strip:
                assert not (seg.style and seg.style.meta), "no @click/link meta from articles"
                assert not (seg.style and seg.style.link)
        await pilot.click("#reader", offset=(5, 6))
        assert app.is_running


async def test_escape_sequences_from_state_and_settings_never_reach_the_screen(
    articles_dir: Path,
) -> None:
    store = StateStore.open()
    store.add_search(f"{OSC_CLIP}cocoa")
    store.add_search(f"harbour{OSC_TITLE}")
    store.set_value("last_search", f"{OSC_TITLE}volcano")
    store.close()
    write_settings(
        '"odd\\u001b]0;pwned\\u0007key" = 1\n'
        "[keymap]\n"
        '"app.toggle_star" = "\\u001b[31mx"\n'
        '"app.sort" = "\\u001b]0;pwned\\u0007"\n'
    )
    async with open_app(articles_dir) as (app, pilot):
        box = app.search_box
        assert box.value == "volcano"  # restored, cleaned
        assert app.search_query == "volcano"
        messages = notifications(app)
        assert messages and all(not CONTROL.search(m) for m in messages), messages
        assert any("keymap" in m and "ignored" in m for m in messages), messages
        assert app.query_one(Footer).display
        assert not CONTROL.search(screen_text(app))  # the footer's key labels included
        await pilot.press("slash")
        seen: list[str] = []
        for _ in range(3):
            await pilot.press("up")
            seen.append(box.value)
            assert not CONTROL.search(box.value), box.value
        assert "harbour" in seen and "cocoa" in seen
        assert not CONTROL.search(screen_text(app))


async def test_a_pasted_escape_sequence_is_not_kept_in_the_search_box(articles_dir: Path) -> None:
    async with open_app(articles_dir) as (app, pilot):
        await pilot.press("slash")
        app.search_box.insert_text_at_cursor(f"vol{OSC_TITLE}cano")
        await settle(pilot)
        assert app.search_box.value == "volcano"
        assert next(a.title for a in app.article_list.articles) == "Volcano erupts near the harbour"


@pytest.mark.parametrize("units", [4_400, 50_000], ids=["under-the-cap", "100kb"])
async def test_keys_work_while_a_hostile_php_block_is_open(tmp_path: Path, units: int) -> None:
    code = "<?php " + "'\\" * units
    text = f"---\ntitle: PHP\n---\nIntro.\n\n```php\n{code}\n```\n\nOutro words.\n"
    folder = folder_with(tmp_path, "php.md", text)
    async with open_app(folder) as (app, pilot):
        loop = asyncio.get_running_loop()
        start = loop.time()
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("escape")
        await pilot.pause()
        assert loop.time() - start < 10
        assert "Outro words." in "\n".join(app.reader.plain_lines)
