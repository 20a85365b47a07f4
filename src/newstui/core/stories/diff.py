"""What changed between two versions of a story, sentence by sentence.

:func:`diff_versions` cuts both texts into sentences (at ``.``, ``!``, ``?`` followed by
space, and at blank lines) and aligns them with :class:`difflib.SequenceMatcher` on their
whitespace- and case-normalised forms: the result is runs of kept, removed (only in the
old text) and added (only in the new) sentences, in reading order, a changed sentence as
removed then added. Bounded: at most :data:`MAX_SENTENCES` sentences of each text are
compared (the rest of a longer text is one kept / added / removed run by equality), each
sentence at most :data:`MAX_SENTENCE_CHARS` characters.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Literal

__all__ = ["MAX_SENTENCES", "DiffRun", "diff_versions", "sentences"]

MAX_SENTENCES = 2_000
MAX_SENTENCE_CHARS = 5_000
Kind = Literal["kept", "added", "removed"]

# A sentence end: . ! ? (and closing quotes/brackets) then whitespace; or a blank line.
_SPLIT_RE = re.compile(r"[.!?][\"'\u201d\u2019)\]]?\s+|\n[^\S\n]*\n")


@dataclass(frozen=True, slots=True)
class DiffRun:
    """A run of consecutive sentences that were ``kept``, ``added`` or ``removed``."""

    kind: Kind
    sentences: tuple[str, ...]


def sentences(text: str) -> list[str]:
    """The sentences of ``text``, whitespace collapsed, empty ones dropped."""
    out: list[str] = []
    pos = 0
    for m in _SPLIT_RE.finditer(text):
        end = m.start() + len(m.group().rstrip())  # keep a closing quote with its sentence
        piece = " ".join(text[pos:end].split())
        if piece:
            out.append(piece[:MAX_SENTENCE_CHARS])
        pos = m.end()
    tail = " ".join(text[pos:].split())
    if tail:
        out.append(tail[:MAX_SENTENCE_CHARS])
    return out


def _key(s: str) -> str:
    return s.casefold()


def diff_versions(old_text: str, new_text: str) -> list[DiffRun]:
    """Runs of kept / removed / added sentences turning ``old_text`` into ``new_text``."""
    old, new = sentences(old_text), sentences(new_text)
    old_rest, new_rest = old[MAX_SENTENCES:], new[MAX_SENTENCES:]
    old, new = old[:MAX_SENTENCES], new[:MAX_SENTENCES]
    matcher = difflib.SequenceMatcher(
        None, [_key(s) for s in old], [_key(s) for s in new], autojunk=False
    )
    runs: list[DiffRun] = []

    def push(kind: Kind, items: list[str]) -> None:
        if not items:
            return
        if runs and runs[-1].kind == kind:
            runs[-1] = DiffRun(kind, runs[-1].sentences + tuple(items))
        else:
            runs.append(DiffRun(kind, tuple(items)))

    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            push("kept", new[j1:j2])
        else:
            push("removed", old[i1:i2])
            push("added", new[j1:j2])
    if old_rest or new_rest:
        if [_key(s) for s in old_rest] == [_key(s) for s in new_rest]:
            push("kept", new_rest)
        else:
            push("removed", old_rest)
            push("added", new_rest)
    return runs
