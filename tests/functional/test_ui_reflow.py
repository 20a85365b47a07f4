"""The reader shows a hard-wrapped story (Reuters' shape) as paragraphs filled to its own
measure, not the file's ragged breaks ("…since" / "early" / "January…"); and a snapshot."""

from __future__ import annotations

import itertools
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from test_ui_snapshots import steps
from test_ui_support import fit_console, open_app, settle

from newstui.ui.app import create_app

STORY = Path(__file__).resolve().parents[1] / "fixtures" / "reflow" / "bahia-cocoa.txt"


@pytest.fixture
def story_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "articles"
    folder.mkdir()
    shutil.copy(STORY, folder / STORY.name)
    return folder


def paragraph_at(lines: list[str], start: str) -> list[str]:
    """The reader's lines of the paragraph that begins with ``start``, up to a blank line."""
    first = next(n for n, line in enumerate(lines) if line.strip().startswith(start))
    out: list[str] = []
    for line in lines[first:]:
        if not line.strip():
            break
        out.append(line.strip())
    return out


@pytest.mark.parametrize("size", [(120, 40), (100, 30), (80, 24)])
async def test_the_reader_fills_each_line_of_a_hard_wrapped_paragraph(
    story_folder: Path, size: tuple[int, int]
) -> None:
    async with open_app(story_folder, size=size) as (app, pilot):
        await pilot.press("enter")
        await settle(pilot)
        reader = app.reader
        lines = reader.plain_lines
        width = reader._text_width
        for start in ("Rain fell across", "Arrivals at Ilheus", "The cooperative said"):
            para = paragraph_at(lines, start)
            assert len(para) >= 2
            # Every line but the last is as full as the measure allows: the next word did
            # not fit. The file's breaks ("…region since" / "early January…") would leave
            # short lines here at any width.
            for line, after in itertools.pairwise(para):
                assert len(line) + 1 + len(after.split()[0]) > width, (line, after)
        text = "\n".join(line.strip() for line in lines)
        assert not any(line.endswith("since") for line in text.splitlines()[:12])
        assert "The late rain means the temporao will start later than usual." in " ".join(
            paragraph_at(lines, "The late rain")
        )
        # The table keeps its columns (where the measure holds its 50 columns).
        if width < 50:
            return
        assert any("WEEK      SEASON    LAST SEASON" in line for line in lines)
        assert any("ILHEUS         98.4      4,120     3,970" in line for line in lines)


def test_snapshot_of_a_reflowed_reuters_story_100x30(
    snap_compare: Callable[..., bool], monkeypatch: pytest.MonkeyPatch, story_folder: Path
) -> None:
    monkeypatch.chdir(story_folder.parent)
    app = create_app(Path(story_folder.name))
    fit_console(app, (100, 30))
    assert snap_compare(app, terminal_size=(100, 30), run_before=steps("enter"))
