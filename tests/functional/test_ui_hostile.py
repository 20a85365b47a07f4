"""The app on issue 6's hostile folder: it starts, loads the good files, lists the bad ones,
and nothing from an article reaches the screen as a control sequence or as markup."""

from __future__ import annotations

import importlib.util
import re
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from newstui.ui.app import create_app
from newstui.ui.safe import visible
from newstui.ui.screens.problems import ProblemsScreen

Settle = Callable[[Any], Awaitable[None]]
ScreenText = Callable[[Any], str]

GENERATOR = Path(__file__).resolve().parent.parent / "hostile" / "generate.py"
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


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


async def test_hostile_folder_in_the_app(
    tmp_path: Path, settle: Settle, screen_text: ScreenText
) -> None:
    gen = _generator()
    manifest = gen.write_hostile(tmp_path, huge=False)
    app = create_app(manifest.root)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
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
