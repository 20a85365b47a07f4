"""Every regular expression newstui compiles at import time runs in (near) linear time on
adversarial input (issue 10, item 18: "audit every regex that sees untrusted text").

Rather than trusting a review, this finds every compiled pattern in every ``newstui`` module
(module globals and class attributes) and attacks each with long strings built from its own
alphabet: runs of one character, of two alternating characters, and of each short literal the
pattern contains, with and without a character that makes the match fail at the end (where
backtracking blows up). Each operation the module really calls on the pattern (``search``,
``match`` at a position, ``finditer``, ``sub`` ...; read from its source) must finish within a
budget that a quadratic pattern misses by far at this length. A pattern that never returns is
attacked in a forked child and killed at a deadline.
"""

from __future__ import annotations

import importlib
import inspect
import itertools
import multiprocessing
import pkgutil
import re
import time
from collections.abc import Iterator
from multiprocessing.connection import Connection

import pytest

import newstui

N = 20_000
BUDGET_S = 0.25
CHILD_DEADLINE_S = 30.0
_ESCAPE_CHARS = {"s": " \t\n", "d": "7", "w": "a_", "S": "x", "W": "-", "D": "x", "b": "", "B": ""}
_EXTRA = " \n<>/!-=\"'&;#:.a1"


Pat = re.Pattern[str] | re.Pattern[bytes]
_OPS = ("search", "match", "fullmatch", "findall", "finditer", "sub", "subn", "split")


def _uses(module: object, attr: str) -> tuple[str, ...]:
    """How the module calls the pattern (``NAME.search(`` ...): a pattern only ever anchored
    with ``match`` at a position is linear even where ``search`` over it would not be."""
    try:
        source = inspect.getsource(module)  # type: ignore[arg-type]
    except (OSError, TypeError):
        return _OPS
    used = set(re.findall(rf"\b{re.escape(attr)}\.(\w+)\(", source)) & set(_OPS)
    return tuple(sorted(used)) or _OPS


def _patterns() -> Iterator[tuple[str, Pat, tuple[str, ...]]]:
    seen: set[tuple[str, int]] = set()
    for info in pkgutil.walk_packages(newstui.__path__, "newstui."):
        if info.name.endswith("__main__"):
            continue
        try:
            module = importlib.import_module(info.name)
        except Exception:  # pragma: no cover - an optional import missing here
            continue
        spaces = [vars(module)]
        spaces += [vars(v) for v in vars(module).values() if isinstance(v, type)]
        for space in spaces:
            for name, value in list(space.items()):
                if isinstance(value, re.Pattern):
                    key = (value.pattern, value.flags)
                    if key not in seen:
                        seen.add(key)
                        yield f"{info.name}.{name}", value, _uses(module, name)


def _alphabet(pattern: str) -> list[str]:
    chars: set[str] = set(_EXTRA)
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\" and i + 1 < len(pattern):
            nxt = pattern[i + 1]
            chars.update(_ESCAPE_CHARS.get(nxt, nxt if not nxt.isalnum() else ""))
            i += 2
            continue
        if c not in "()[]{}?*+|^$.":
            chars.add(c)
        i += 1
    return sorted(chars)


def _literals(pattern: str) -> list[str]:
    """Runs of plain characters in the pattern (e.g. '<!--', 'html'), the seeds of attacks."""
    runs = re.findall(r"(?:[A-Za-z0-9<>!/=#&;:-]){2,}", pattern.replace("\\", " "))
    return sorted(set(runs))[:12]


def _attacks(pattern: str) -> Iterator[str]:
    alphabet = _alphabet(pattern)
    units = list(alphabet)
    units += [a + b for a, b in itertools.combinations(alphabet[:24], 2)][:200]
    literals = _literals(pattern)
    units += literals
    units += [a + b for a, b in itertools.permutations(literals, 2)]
    for unit in units:
        body = unit * (N // max(1, len(unit)))
        yield body
        yield body + "\x00"
        yield "<" + body + "\x00"


PATTERNS = list(_patterns())


def test_patterns_are_found() -> None:
    assert len(PATTERNS) > 20  # the crawler really sees the modules' patterns


def _worst_case(pattern: Pat, uses: tuple[str, ...]) -> tuple[float, str]:
    """The slowest operation over every attack, stopping at the first one past the budget."""
    worst = 0.0
    worst_input = ""
    source = pattern.pattern
    as_text = source if isinstance(source, str) else source.decode("latin-1")
    for attack in _attacks(as_text):
        text: str | bytes = attack if isinstance(source, str) else attack.encode("utf-8")
        ops = {
            "search": pattern.search,
            "match": pattern.match,
            "fullmatch": pattern.fullmatch,
            "findall": pattern.findall,
            "finditer": lambda t: list(pattern.finditer(t)),
            "sub": lambda t: pattern.sub(t[:0], t),
            "subn": lambda t: pattern.sub(t[:0], t),
            "split": pattern.split,
        }
        for op in (ops[u] for u in uses):
            start = time.perf_counter()
            op(text)  # type: ignore[arg-type]
            took = time.perf_counter() - start
            if took > worst:
                worst, worst_input = took, attack
        if worst > BUDGET_S:
            break
    return worst, worst_input


def _child(pattern: Pat, uses: tuple[str, ...], conn: Connection) -> None:
    conn.send(_worst_case(pattern, uses))
    conn.close()


@pytest.mark.parametrize(("name", "pattern", "uses"), PATTERNS, ids=[n for n, _, _ in PATTERNS])
def test_regex_is_linear_on_adversarial_input(
    name: str, pattern: Pat, uses: tuple[str, ...]
) -> None:
    # A catastrophic pattern never returns (the regex engine cannot be interrupted), so each
    # pattern is attacked in a forked child that is killed at the deadline.
    ctx = multiprocessing.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(pattern, uses, child), daemon=True)
    proc.start()
    child.close()
    got = parent.recv() if parent.poll(CHILD_DEADLINE_S) else None
    proc.kill()
    proc.join()
    source = pattern.pattern
    shown = (source if isinstance(source, str) else source.decode("latin-1"))[:80]
    assert got is not None, f"{name} /{shown}/ did not finish within {CHILD_DEADLINE_S} s"
    worst, worst_input = got
    assert worst <= BUDGET_S, (
        f"{name} /{shown}/ took {worst:.2f} s on {len(worst_input):,} chars "
        f"starting {worst_input[:24]!r}"
    )
