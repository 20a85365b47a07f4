"""The one atomic write (core/atomic.py): all or nothing, no leftovers, links never written
through when refused."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from newstui.core.atomic import LinkRefused, write_atomic


def test_a_failed_write_leaves_the_old_file_and_no_temp_file(tmp_path: Path) -> None:
    target = tmp_path / "state.json"
    target.write_text("old", encoding="utf-8")

    def chunks() -> Iterator[bytes]:
        yield b"half of the new"
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError, match="No space"):
        write_atomic(target, chunks())
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["state.json"]
    write_atomic(target, "new")
    assert target.read_text(encoding="utf-8") == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["state.json"]


def test_a_link_is_replaced_never_written_through_and_refused_when_asked(tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("keep me", encoding="utf-8")
    folder = tmp_path / "folder"
    folder.mkdir()
    link = folder / "file.md"
    link.symlink_to(outside)
    with pytest.raises(LinkRefused, match="symbolic link"):
        write_atomic(link, "x", refuse_links=True)
    linked_folder = tmp_path / "linked"
    linked_folder.symlink_to(folder)
    with pytest.raises(LinkRefused, match="symbolic link"):
        write_atomic(linked_folder / "new.md", "x", refuse_links=True)
    assert link.is_symlink() and not (folder / "new.md").exists()
    write_atomic(link, "mine")  # not refused: the name is replaced, the target untouched
    assert not link.is_symlink() and link.read_text(encoding="utf-8") == "mine"
    assert outside.read_text(encoding="utf-8") == "keep me"
