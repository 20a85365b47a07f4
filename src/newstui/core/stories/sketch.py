"""Sketches of article texts for story grouping: word shingles, one-permutation MinHash.

Each article's title and body (its first :data:`TEXT_CHARS` characters) are read as lower
case words; every run of :data:`SHINGLE` consecutive words is a shingle, hashed to 64 bits
from stable per-word hashes (blake2b, so the same text gives the same sketch on every run
and the cache stays valid). A text of fewer than :data:`SHINGLE` words uses its words.

The sketch is a one-permutation MinHash (Li, Owen & Zhang 2012): the shingle hashes are
spread over :data:`BINS` bins by their top bits and each bin keeps its smallest value (32
bits); empty bins are filled from the next non-empty bin (rotation densification, Shrivastava
& Li 2014), so two sketches agree in a bin with probability ≈ the Jaccard similarity of the
two shingle sets. One hash per shingle (not one per shingle and permutation): the whole
library is sketched in a few vectorised passes.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from newstui.core.article import Article

#: Words per shingle.
SHINGLE = 3
#: MinHash bins (values per sketch).
BINS = 64
#: Characters of title + body read per article (a story is told in its first pages).
TEXT_CHARS = 100_000
#: Articles sketched per vectorised batch (bounds the working memory).
CHUNK = 4096

EMPTY = np.uint32(0xFFFFFFFF)
_SEP = "\x00"
# Words (letters/digits) of lower-cased ASCII text, or the text separator.
_ASCII_WORD_RE = re.compile(r"[a-z0-9]+|\x00")
# Words of folded text of any script, or the separator.
_WORD_RE = re.compile(r"[^\W_]+|\x00")

_M1 = np.uint64(0x9E3779B97F4A7C15)
_M2 = np.uint64(0xC2B2AE3D27D4EB4F)
_M3 = np.uint64(0x165667B19E3779F9)
_MIX = np.uint64(0xFF51AFD7ED558CCD)
_ROT = np.uint32(0x9E3779B9)

U32Array = npt.NDArray[np.uint32]
U64Array = npt.NDArray[np.uint64]
I32Array = npt.NDArray[np.int32]


_MASK = (1 << 64) - 1
_P = 0x100000001B3  # odd: invertible modulo 2**64
_P_INV = pow(_P, -1, 1 << 64)
_MIX_INT = 0xFF51AFD7ED558CCD


def _finish(h: int) -> int:
    h ^= h >> 33
    h = (h * _MIX_INT) & _MASK
    h ^= h >> 29
    return h | 1  # never 0: 0 marks a separator


def word_hash(word: str) -> int:
    """A word's stable 64-bit hash: a polynomial over its UTF-8 bytes, mixed (the same as
    the vectorised reading of ASCII text computes)."""
    h, pk = 0, 1
    for c in word.encode("utf-8", "surrogatepass"):
        h = (h + c * pk) & _MASK
        pk = (pk * _P) & _MASK
    return _finish(h)


class _WordHashes(dict[str, int]):
    """word -> :func:`word_hash`, computed on first sight; the separator -> 0."""

    def __missing__(self, word: str) -> int:
        value = 0 if word == _SEP else word_hash(word)
        self[word] = value
        return value


_HASHES = _WordHashes()
_HASHES_MAX = 2_000_000  # words remembered between calls (memory bound: ~200 MB worst case)


def _hashes() -> _WordHashes:
    global _HASHES
    if len(_HASHES) > _HASHES_MAX:
        _HASHES = _WordHashes()
    return _HASHES


def article_text(a: Article) -> str:
    """The text a sketch reads: title and body, cut at :data:`TEXT_CHARS`."""
    text = f"{a.title}\n{a.body[:TEXT_CHARS]}"
    return text.replace(_SEP, " ")


def _words(texts: Sequence[str]) -> list[str]:
    joined = _SEP.join(texts)
    if joined.isascii():
        return _ASCII_WORD_RE.findall(joined.lower())
    # Lower case, not accent folding (a translate per character costs more than all the
    # rest): versions of one story rarely differ only in accents.
    return _WORD_RE.findall(joined.lower())


def _mix(x: U64Array) -> U64Array:
    x ^= x >> np.uint64(33)
    x *= _MIX
    x ^= x >> np.uint64(29)
    return x


class Sketches(NamedTuple):
    """Per text: its MinHash sketch (``BINS`` uint32) and its number of shingles."""

    sig: U32Array  # (n, BINS)
    size: I32Array  # (n,)


def sketch_texts(texts: Sequence[str]) -> Sketches:
    """The sketches of ``texts`` (see the module docstring), in batches of :data:`CHUNK`."""
    sigs: list[U32Array] = []
    sizes: list[I32Array] = []
    for start in range(0, len(texts), CHUNK):
        s, z = _sketch_chunk(texts[start : start + CHUNK])
        sigs.append(s)
        sizes.append(z)
    if not sigs:
        return Sketches(np.zeros((0, BINS), np.uint32), np.zeros(0, np.int32))
    return Sketches(np.concatenate(sigs), np.concatenate(sizes))


def sketch_articles(articles: Sequence[Article]) -> Sketches:
    """The sketches of ``articles``; a text seen twice is sketched once."""
    texts = [article_text(a) for a in articles]
    first: dict[str, int] = {}
    where = np.fromiter((first.setdefault(t, len(first)) for t in texts), np.int64, len(texts))
    if len(first) == len(texts):
        return sketch_texts(texts)
    sk = sketch_texts(list(first))
    return Sketches(sk.sig[where], sk.size[where])


_IS_WORD = np.zeros(256, np.bool_)
_IS_WORD[list(b"abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")] = True
_LOWER = np.arange(256, dtype=np.uint8)
_LOWER[65:91] += 32


def _ascii_codes(joined: str) -> U64Array:
    """The word hashes of ASCII text, separators as 0, in one vectorised pass: the same
    values as :func:`word_hash` of each ``[a-z0-9]+`` run of the lower-cased text."""
    raw = _LOWER[np.frombuffer(joined.encode("ascii"), np.uint8)]
    n = len(raw)
    if not n:
        return np.zeros(0, np.uint64)
    edges = np.diff(_IS_WORD[raw].view(np.int8), prepend=np.int8(0), append=np.int8(0))
    w_starts = np.flatnonzero(edges == 1)
    w_ends = np.flatnonzero(edges == -1)
    del edges
    pk = np.full(n, _P, np.uint64)
    pk[0] = 1
    np.cumprod(pk, out=pk)  # P^k
    prefix = np.zeros(n + 1, np.uint64)
    np.cumsum(raw * pk, out=prefix[1:])
    pk.fill(_P_INV)
    pk[0] = 1
    np.cumprod(pk, out=pk)  # P^-k: each word's sum brought back to its own start
    inv = pk[w_starts]
    del pk
    h = (prefix[w_ends] - prefix[w_starts]) * inv
    h ^= h >> np.uint64(33)
    h *= _MIX
    h ^= h >> np.uint64(29)
    h |= np.uint64(1)
    # Separators (NUL) between texts become 0s, placed after the words before them.
    seps = np.flatnonzero(raw == 0)
    codes = np.insert(h, np.searchsorted(w_starts, seps), np.uint64(0))
    return codes


def _sketch_chunk(texts: Sequence[str]) -> tuple[U32Array, I32Array]:
    n = len(texts)
    joined = _SEP.join(texts)
    if joined.isascii():
        codes = _ascii_codes(joined)
    else:
        table = _hashes()
        words = _words(texts)
        codes = np.fromiter(map(table.__getitem__, words), np.uint64, count=len(words))
    del joined
    # Separators delimit texts: one before the first text keeps the arithmetic uniform.
    codes = np.concatenate([np.zeros(1, np.uint64), codes, np.zeros(SHINGLE, np.uint64)])
    sep = codes == 0
    doc_of = np.cumsum(sep) - 1  # text number of each position (separators: the next one)
    m = len(codes) - (SHINGLE - 1)
    bad = sep[:m].copy()
    for k in range(1, SHINGLE):
        bad |= sep[k : k + m]
    mults = (_M1, _M2, _M3)
    sh = codes[:m] * mults[0]
    for k in range(1, SHINGLE):
        sh = sh + codes[k : k + m] * mults[k % len(mults)]
    good = np.flatnonzero(~bad)
    shingles = _mix(sh[good])
    owner = doc_of[good]
    size = np.bincount(owner, minlength=n)[:n].astype(np.int32)
    # A text of fewer than SHINGLE words: its words are its shingles.
    short = np.flatnonzero(size == 0)
    if len(short):
        is_short = np.zeros(n + 1, np.bool_)
        is_short[short] = True
        pos = np.flatnonzero(~sep & is_short[np.minimum(doc_of, n)])
        if len(pos):
            extra = _mix(codes[pos] * _M2)
            shingles = np.concatenate([shingles, extra])
            owner = np.concatenate([owner, doc_of[pos]])
            size = np.bincount(owner, minlength=n)[:n].astype(np.int32)
    sig = np.full(n * BINS, EMPTY, np.uint32)
    if len(shingles):
        bins = (shingles >> np.uint64(64 - 6)).astype(np.int64)  # BINS == 64: top 6 bits
        vals = (shingles & np.uint64(0xFFFFFFFF)).astype(np.uint32)
        np.minimum.at(sig, owner.astype(np.int64) * BINS + bins, vals)
    return _densify(sig.reshape(n, BINS)), size


def _densify(sig: U32Array) -> U32Array:
    """Each empty bin takes the value of the next non-empty bin (circularly), shifted by
    the distance; a sketch with no value at all stays empty."""
    empty = sig == EMPTY
    rows = np.flatnonzero(empty.any(axis=1) & ~empty.all(axis=1))
    if not len(rows):
        return sig
    sub = sig[rows]
    ext = np.concatenate([sub, sub], axis=1)
    filled = ext != EMPTY
    idx = np.where(filled, np.arange(2 * BINS), 2 * BINS)
    nxt = np.minimum.accumulate(idx[:, ::-1], axis=1)[:, ::-1][:, :BINS]
    dist = (nxt - np.arange(BINS)).astype(np.uint32)
    vals = np.take_along_axis(ext, nxt, axis=1)
    sig[rows] = np.where(empty[rows], vals + dist * _ROT, sub)
    return sig


assert BINS == 64  # _sketch_chunk takes the bin from the top 6 bits


# A wire service's mark of a new version at the start of a headline: CORRECTED - ...,
# (CORRECTED), UPDATE 2-, REFILE-, RPT-, CORRECTS ...
_MARK_RE = re.compile(
    r"[^\w]{0,8}(?:corrected|correction|corrects|update(?:d)?(?:\s{0,3}\d{1,2})?|refiled?|repeat|rpt)\b[^\w<]{0,8}",
    re.IGNORECASE,
)
# A stock ticker (<IBM>, <CRZY.O>): dropped; other <...> (Reuters' unlisted names) kept.
_TICKER_RE = re.compile(r"<[A-Z]{1,5}(?:\.[A-Z]{1,2})?>")
HEAD_WORDS = 2
HEAD_CHARS = 300


def title_mask(title: str) -> int:
    """The words of a headline (its version mark and stock tickers taken out) as a 64-bit
    set: bit ``hash(word) % 64`` for each word. ``a & ~b == 0`` says (almost surely, for a
    headline's few words) that every word of ``a`` is in ``b``: a correction whose
    headline repeats the original's while its short text changed most numbers."""
    title = title[:HEAD_CHARS]
    m = _MARK_RE.match(title)
    if m is not None:
        title = title[m.end() :]
    title = _TICKER_RE.sub(" ", title).replace("<", " ").replace(">", " ")
    mask = 0
    for word in set(_words([title])):
        digest = hashlib.blake2b(word.encode("utf-8", "surrogatepass"), digest_size=1)
        mask |= 1 << (digest.digest()[0] & 63)
    return mask


def headline_key(title: str) -> tuple[bool, int]:
    """Whether the headline carries a correction/update mark, and a stable hash of its
    first :data:`HEAD_WORDS` words once the mark and stock tickers (``<IBM>``) are taken
    out (0 when it has none): two versions of a story usually start alike."""
    title = title[:HEAD_CHARS]
    m = _MARK_RE.match(title)
    marked = m is not None
    if m is not None:
        title = title[m.end() :]
    title = _TICKER_RE.sub(" ", title).replace("<", " ").replace(">", " ")
    words = _words([title])[:HEAD_WORDS]
    if not words:
        return marked, 0
    digest = hashlib.blake2b(" ".join(words).encode("utf-8", "surrogatepass"), digest_size=8)
    return marked, int.from_bytes(digest.digest(), "little") | 1
