"""End to end: the real ``newstui`` console script in tmux, driven by keys, read from the screen."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_ui_support import fill_folder, write_article

pytestmark = pytest.mark.tmux


def _newstui() -> str | None:
    local = Path(sys.executable).parent / "newstui"
    return str(local) if local.exists() else shutil.which("newstui")


class Tmux:
    """One tmux server (private socket) running one newstui session."""

    def __init__(self, tmux: str, exe: str) -> None:
        self.base = [tmux, "-L", f"newstui-test-{uuid.uuid4().hex[:10]}"]
        self.exe = exe
        self.session = "newstui"
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("TMUX")}
        self.env["TERM"] = "xterm-256color"

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*self.base, *args], capture_output=True, text=True, env=self.env, timeout=30
        )

    def start(self, *args: str, width: int = 120, height: int = 40) -> None:
        size = ["-x", str(width), "-y", str(height)]
        done = self.run("new-session", "-d", "-s", self.session, *size, self.exe, *args)
        assert done.returncode == 0, done.stderr

    def keys(self, *keys: str, literal: bool = False) -> None:
        self.run("send-keys", "-t", self.session, *(["-l"] if literal else []), *keys)

    def screen(self) -> str:
        return self.run("capture-pane", "-p", "-t", self.session).stdout

    def alive(self) -> bool:
        return self.run("has-session", "-t", self.session).returncode == 0

    def wait_for(self, needle: str, timeout: float = 30.0) -> str:
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if needle in screen:
                return screen
            time.sleep(0.2)
        raise AssertionError(f"{needle!r} never appeared on screen:\n{screen}")

    def close(self) -> None:
        self.run("kill-server")


@pytest.fixture
def tmux(isolated_xdg: Path) -> Iterator[Tmux]:
    exe = shutil.which("tmux")
    if exe is None:
        pytest.skip("tmux is not installed (CI installs it in .ci/run)")
    script = _newstui()
    if script is None:
        pytest.skip("the newstui console script is not installed in this environment")
    session = Tmux(exe, script)
    try:
        yield session
    finally:
        session.close()


def test_real_console_script_searches_opens_and_quits(tmux: Tmux, tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    fill_folder(folder, 20)
    write_article(
        folder,
        "volcano.txt",
        "Volcano erupts near the harbour",
        "The volcano erupted at dawn.",
        date="2024-04-02T09:00:00",
        source="Geo Times",
    )
    tmux.start(str(folder))
    tmux.wait_for("21 articles")
    tmux.wait_for("Volcano erupts near the harb")
    tmux.keys("/")
    tmux.keys("volcanno", literal=True)
    screen = tmux.wait_for("result in")
    assert any("Volcano erupts" in line for line in screen.splitlines()), screen
    tmux.keys("Enter")
    tmux.wait_for("The volcano erupted at dawn.")
    tmux.keys("q")  # back to the list
    time.sleep(0.5)
    assert tmux.alive(), "q in the reader goes back to the list"
    tmux.keys("q")
    deadline = time.monotonic() + 15
    while tmux.alive() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not tmux.alive(), "q quits the app"


def test_real_console_script_at_80x24_is_one_pane(tmux: Tmux, tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    fill_folder(folder, 30)
    tmux.start(str(folder), width=80, height=24)
    tmux.wait_for("30 articles")
    screen = tmux.wait_for("2024-03-28")
    assert "●" in screen, "unread markers in the list"
    tmux.keys("Enter")
    screen = tmux.wait_for("min read")
    assert "30 articles" in screen
    assert "●" not in screen, "the list is hidden while reading at 80 columns"
    tmux.keys("C-c")
    deadline = time.monotonic() + 15
    while tmux.alive() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not tmux.alive()


def test_real_terminal_a_query_and_enter_sent_at_once_open_the_top_result(
    tmux: Tmux, tmp_path: Path
) -> None:
    # "/volcanno⏎" arrives in one read from the terminal, as from a fast typist or a
    # paste: every key must land where it was meant (they used to be lost).
    folder = tmp_path / "articles"
    fill_folder(folder, 20)
    write_article(
        folder,
        "volcano.txt",
        "Volcano erupts near the harbour",
        "The volcano erupted at dawn.",
        date="2023-01-02T09:00:00",  # oldest: not the top of the full list
        source="Geo Times",
    )
    tmux.start(str(folder))
    tmux.wait_for("21 articles")  # loaded (the oldest article is below the list's fold)
    tmux.keys("/volcanno", "Enter")
    screen = tmux.wait_for("The volcano erupted at dawn.")
    assert "volcanno" in screen.splitlines()[1], screen


def test_real_terminal_sidebar_toggles_and_a_folder_is_chosen(tmux: Tmux, tmp_path: Path) -> None:
    """B shows the sidebar at 120 columns (hidden there by default); j to a folder, Enter:
    the list shows that folder's articles and the status line says where; m moves its
    count; B hides it."""
    folder = tmp_path / "articles"
    fill_folder(folder, 6)
    (folder / "sport").mkdir()
    write_article(
        folder / "sport",
        "cup.txt",
        "Cup final tonight",
        "The cup final.",
        date="2024-05-01T10:00:00",
    )
    write_article(
        folder / "sport",
        "tennis.txt",
        "Tennis star wins",
        "A tennis match.",
        date="2024-05-02T10:00:00",
    )
    tmux.start(str(folder))
    tmux.wait_for("8 articles")
    assert "Folders" not in tmux.screen(), "hidden below 140 columns"
    tmux.keys("B")
    screen = tmux.wait_for("Folders")
    assert any(line.startswith("All") and "8/8" in line for line in screen.splitlines()), screen
    rows = [line.split("▕")[0].strip() for line in screen.splitlines()]
    sport = next(i for i, r in enumerate(rows) if r.startswith("sport"))
    all_row = next(i for i, r in enumerate(rows) if r.startswith("All"))
    # the section titles are skipped: one j per row that is not a title
    titles = sum(1 for r in rows[all_row:sport] if r in ("Sources", "Folders", "Tags"))
    tmux.keys(*["j"] * (sport - all_row - titles), "Enter")
    screen = tmux.wait_for("in Sport")
    assert "2 of 8 articles" in screen
    assert "Tennis star wins" in screen and "Cup final tonight" in screen
    assert screen.count("●") == 2, "the list shows the folder's two (unread) articles only"
    tmux.keys("m")
    tmux.wait_for("1/2")
    tmux.keys("B")
    deadline = time.monotonic() + 10
    while "Folders" in tmux.screen() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert "Folders" not in tmux.screen()
    tmux.keys("C-c")


def test_real_terminal_the_preview_follows_j(tmux: Tmux, tmp_path: Path) -> None:
    """At 120 columns the reader below the list shows the highlighted article as j moves."""
    folder = tmp_path / "articles"
    fill_folder(folder, 20)
    tmux.start(str(folder))
    tmux.wait_for("20 articles")
    first = "report 19"  # newest first: 2024-03-20, then report 18 (2024-03-19)
    second = "report 18"

    def reader_heading(screen: str) -> str:
        # the reader's title line: below the list's bottom border, the first text
        lines = screen.splitlines()
        border = next(n for n, line in enumerate(lines) if line.strip().startswith("▁" * 20))
        return next(line for line in lines[border + 1 :] if line.strip())

    screen = tmux.wait_for("min read")
    assert first in reader_heading(screen), screen
    tmux.keys("j")
    deadline = time.monotonic() + 10
    while second not in reader_heading(screen) and time.monotonic() < deadline:
        time.sleep(0.2)
        screen = tmux.screen()
    assert second in reader_heading(screen), screen
    tmux.keys("q")
