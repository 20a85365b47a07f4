"""The typo/prefix lookup tables of a snapshot's vocabulary (issue 13, item 4) stay bounded
on a hostile vocabulary: 200,000 random 30-letter words (no two alike, nothing to share)
build in a few seconds and the prefix keys take 16 bytes a word, and typo queries against
them stay fast. Run in a child process under an address-space limit (``budget``)."""

from __future__ import annotations

import json
import textwrap

import pytest
from budget import run_bounded

pytestmark = pytest.mark.timeout(180)

_CHILD = """
import json, random, time
import numpy as np
from newstui.core.search.segments import TermDict
from newstui.core.search.spelling import KEY_BYTES, Vocab

def hwm_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0

rng = random.Random(13)
letters = "abcdefghijklmnopqrstuvwxyz"
terms = TermDict()
for _ in range(200_000):
    terms["".join(rng.choice(letters) for _ in range(30))]
words = list(terms.terms)
df = np.ones(len(words), np.int32)
before = hwm_mb()
t = time.perf_counter()
vocab = Vocab(terms, len(words), df)
build_s = time.perf_counter() - t
queries = [w[:5] + ("q" if w[5] != "q" else "z") + w[6:12] for w in words[:50]] + ["x" * 20, "qwertyuiop"]
t = time.perf_counter()
found = [len(vocab.fuzzy_prefix_positions(q, 32)) for q in queries]
near = [len(vocab.near(w[:5] + "-" + w[6:], 2)) for w in words[:50]]
query_ms = (time.perf_counter() - t) * 1000 / len(queries)
print(json.dumps({"near": near, "build_s": build_s, "keys_bytes": vocab.keys.nbytes, "n": len(words),
                  "key_bytes": KEY_BYTES, "query_ms": query_ms, "found": found,
                  "rss_before": before, "rss_after": hwm_mb()}))
"""


def test_a_hostile_vocabulary_keeps_the_tables_bounded() -> None:
    result = run_bounded(code=textwrap.dedent(_CHILD), timeout=120, as_mb=1500)
    assert result.returncode == 0, result.stderr[-2000:]
    out = json.loads(result.stdout.splitlines()[-1])
    assert out["n"] == 200_000
    assert out["keys_bytes"] == out["key_bytes"] * out["n"]  # 16 bytes a word, 3.2 MB
    assert out["build_s"] < 20  # ~1-2 s on an idle 2-core VM
    assert out["rss_after"] - out["rss_before"] < 250  # the buckets, masks and keys
    # A word with a typo in its sixth letter finds the word it came from.
    assert all(n >= 1 for n in out["found"][:50])
    assert all(n >= 1 for n in out["near"][:50])  # and with one typo, it
    assert out["query_ms"] < 200
