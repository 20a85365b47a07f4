"""Stories as the app shows them: the list's rows (one per story, expanded ones with their
versions), the versions of an article, which ids a "mark read" covers, story counts.

Plain Python (no Textual), so it is tested directly. The grouping itself is the core's
(:mod:`newstui.core.stories`); :class:`StoryView` only reads a finished ``Stories`` (the app
swaps in a new one when a worker has grouped the library), so nothing here costs more than
a pass over the list it is given.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

import numpy as np
import numpy.typing as npt

from newstui.core.article import article_ids
from newstui.core.library.rows import ArticleRows, with_ids

if TYPE_CHECKING:
    from newstui.core.article import Article
    from newstui.core.search.results import Hit


class StoriesLike(Protocol):
    """What the view reads of :class:`newstui.core.stories.Stories`."""

    def story_of(self, article_id: str) -> str: ...

    def members(self, story_id: str) -> list[str]: ...

    def size(self, story_id: str) -> int: ...

    def stories(self, min_size: int = 2) -> Iterable[str]: ...


@dataclass(frozen=True, slots=True)
class RowInfo:
    """What a list row is, beyond its article."""

    #: The story this row belongs to (``None``: an article alone in its story).
    story: str | None = None
    #: The other versions of the story (the ``+N`` badge), on a story's row.
    others: int = 0
    #: A version listed under its expanded story's row.
    version: bool = False
    #: The story's row, expanded.
    expanded: bool = False


PLAIN = RowInfo()


@dataclass(frozen=True, slots=True)
class StorySnapshot:
    """The stories of more than one version, as plain dicts: made once in the grouping
    worker (:meth:`of`), so folding 100,000 articles costs a few dict look-ups each on
    the event loop, not calls into the core."""

    #: The core's stories (the related stories need them).
    stories: StoriesLike
    #: Article id -> its story, for the articles of stories of two or more versions.
    story_of: dict[str, str]
    #: Story -> its ids, newest first.
    members: dict[str, tuple[str, ...]]
    #: Article id -> its place in its story's members (0: the newest).
    rank: dict[str, int]
    #: How many stories the articles make (an article alone is one).
    count: int

    @classmethod
    def of(cls, stories: StoriesLike, ids: Iterable[str]) -> StorySnapshot:
        """The snapshot of ``stories`` over the library's article ``ids``."""
        present = set(ids)
        groups = getattr(stories, "groups", None)
        if callable(groups):
            shared, every = groups()
            if all(i in present for ids_of in every.values() for i in ids_of):
                # every version is in the library (a warm start): the core's groups as
                # they are, not rebuilt a story at a time (~1 s at a million articles)
                whole = {sid: tuple(ids_of) for sid, ids_of in every.items()}
                ranks = {i: n for ids_of in whole.values() for n, i in enumerate(ids_of)}
                folded = sum(len(ids_of) - 1 for ids_of in whole.values())
                return cls(stories, shared, whole, ranks, len(present) - folded)
        story_of: dict[str, str] = {}
        members: dict[str, tuple[str, ...]] = {}
        rank: dict[str, int] = {}
        folded = 0
        for story in stories.stories(2):
            held = tuple(i for i in stories.members(story) if i in present)
            if len(held) < 2:
                continue
            members[story] = held
            folded += len(held) - 1
            for n, article_id in enumerate(held):
                story_of[article_id] = story
                rank[article_id] = n
        return cls(stories, story_of, members, rank, len(present) - folded)


def _fold(articles: Sequence[Article], snap: StorySnapshot, library: int) -> Sequence[Article]:
    """One row per story of ``articles`` (a list of a library of ``library`` articles),
    nothing expanded: see :meth:`StoryView.rows`. By the articles' ids: a warm
    library's rows stay rows (no article made)."""
    story_of, rank_of = snap.story_of, snap.rank.get
    if len(articles) >= library:
        # every article listed: each story's newest version is there (rank 0)
        return with_ids(articles, lambda i: not rank_of(i, 0))
    best: dict[str, int] = {}
    for aid in article_ids(articles):
        r = rank_of(aid)
        if r is not None:
            story = story_of[aid]
            if r < best.get(story, 1 << 30):
                best[story] = r
    get = best.get
    return with_ids(articles, lambda i: rank_of(i, 0) == get(story_of.get(i, ""), 0))


#: Folds worked out ahead that are kept (the library's orders, a sidebar row's list).
MAX_PREFOLDS = 4


class StoryView:
    """The grouped stories (once a worker has computed them), which are expanded, and the
    library's articles by id (to list versions that the list itself does not hold)."""

    def __init__(self) -> None:
        self.snapshot: StorySnapshot | None = None
        self.by_id: Mapping[str, Article] = {}
        #: Stories whose versions are listed under their row.
        self.expanded: set[str] = set()
        #: The last fold of a list, reused while the list, the stories and what is
        #: expanded stay the same (the library's orders are kept lists).
        self._fold_key: tuple[object, ...] = ()
        self._fold: tuple[Sequence[Article], frozenset[int]] = ([], frozenset())
        #: Folds of whole lists worked out in a worker (:meth:`prefold`), newest last:
        #: (the list, its length, the snapshot, the rows).
        self._prefolds: list[tuple[Sequence[Article], int, StorySnapshot, Sequence[Article]]] = []

    @property
    def stories(self) -> StoriesLike | None:
        return self.snapshot.stories if self.snapshot is not None else None

    @property
    def story_count(self) -> int:
        """How many stories the library holds (0 until grouped)."""
        return self.snapshot.count if self.snapshot is not None else 0

    def set_stories(
        self, stories: StoriesLike | StorySnapshot | None, by_id: Mapping[str, Article]
    ) -> None:
        """New stories (a snapshot made in a worker, or the core's stories, snapshotted
        here) over the library's articles ``by_id``."""
        if stories is not None and not isinstance(stories, StorySnapshot):
            stories = StorySnapshot.of(stories, by_id)
        self.snapshot = stories
        self.by_id = by_id
        self._fold_key = ()

    # --- one article's story --------------------------------------------------------------
    def story_of(self, article_id: str) -> str | None:
        """The story of ``article_id`` when it has other versions, else ``None``."""
        snap = self.snapshot
        return snap.story_of.get(article_id) if snap is not None else None

    def members(self, article_id: str) -> tuple[str, ...]:
        """The ids of ``article_id``'s story, newest first (just the article when it is
        alone)."""
        story = self.story_of(article_id)
        if story is None or self.snapshot is None:
            return (article_id,)
        return self.snapshot.members[story]

    def versions(self, article_id: str) -> list[Article]:
        """Every version of ``article_id``'s story in the library, newest first (itself
        included); just the article when it is alone (or not grouped yet)."""
        return [self.by_id[i] for i in self.members(article_id) if i in self.by_id]

    def read_ids(self, article_id: str, *, whole_story: bool) -> list[str]:
        """The ids a "mark read" of ``article_id`` marks: every version of its story when
        ``whole_story`` (the ``story_read_all`` setting), else the article alone."""
        return list(self.members(article_id)) if whole_story else [article_id]

    def with_versions(self, ids: Iterable[str], *, whole_story: bool) -> list[str]:
        """``ids`` and, when ``whole_story``, every other version of their stories (in
        order, each once)."""
        out = list(dict.fromkeys(ids))
        if not whole_story or self.snapshot is None:
            return out
        seen = set(out)
        for article_id in list(out):
            for other in self.members(article_id):
                if other not in seen:
                    seen.add(other)
                    out.append(other)
        return out

    def count_stories(self, ids: Iterable[str]) -> int:
        """How many stories the articles ``ids`` make (an article alone is one story):
        for the status line and the sidebar's counts."""
        snap = self.snapshot
        if snap is None:
            return sum(1 for _ in ids)
        story_of = snap.story_of
        return len({story_of.get(i, i) for i in ids})

    def toggle(self, article_id: str) -> str | None:
        """Expand or collapse ``article_id``'s story; the story (``None``: alone)."""
        story = self.story_of(article_id)
        if story is None:
            return None
        if story in self.expanded:
            self.expanded.discard(story)
        else:
            self.expanded.add(story)
        return story

    # --- the list's rows ------------------------------------------------------------------
    def info(self, article_id: str, version: bool = False) -> RowInfo:
        """What the row of ``article_id`` is: a story's row (its badge), a version listed
        under it (``version``), or an article alone. Worked out per drawn row, so a fold
        makes no object per row."""
        story = self.story_of(article_id)
        if story is None or self.snapshot is None:
            return PLAIN
        if version:
            return RowInfo(story, version=True)
        others = len(self.snapshot.members[story]) - 1
        return RowInfo(story, others, expanded=story in self.expanded)

    def rows(self, articles: Sequence[Article]) -> tuple[Sequence[Article], frozenset[int]]:
        """One row per story: the story's newest version among ``articles``, where that
        version stands in their order; an expanded story's other versions follow it. The
        rows, and which of them are versions listed under their story.

        One pass of a dict look-up an article (another when only some articles are
        listed), and the fold of the same list is reused (the library's orders are kept
        lists: 104k articles in ~65 ms on a loaded 2-core machine, ~0 when reused)."""
        snap = self.snapshot
        if snap is None:
            return articles, frozenset()
        expanded = frozenset(self.expanded)
        fk = self._fold_key
        if (
            fk
            and fk[0] is articles
            and fk[1] == len(articles)
            and fk[2] is snap
            and fk[3] == expanded
        ):
            return self._fold
        for listed, count, folded_by, rows in self._prefolds:
            if listed is articles and count == len(articles) and folded_by is snap and not expanded:
                fold: tuple[Sequence[Article], frozenset[int]] = (rows, frozenset())
                self._fold_key = (articles, len(articles), snap, expanded)
                self._fold = fold
                return fold
        out = _fold(articles, snap, len(self.by_id))
        versions: set[int] = set()
        if expanded:
            out = self._expand(out, expanded, versions)
        fold = (out, frozenset(versions))
        self._fold_key = (articles, len(articles), snap, expanded)
        self._fold = fold
        return fold

    def prefold(
        self,
        articles: Sequence[Article],
        snapshot: StorySnapshot | None = None,
        by_id: Mapping[str, Article] | None = None,
    ) -> None:
        """Work out the fold of ``articles`` (a library's list in one of its orders, or a
        sidebar row's) under ``snapshot`` (default: the current one) — in a worker: at a
        million articles it is ~0.3-3 s of dict look-ups the event loop would otherwise
        spend when the stories land, the sort changes or a row is chosen. :meth:`rows` then
        takes it as it is (while nothing is expanded)."""
        snap = snapshot if snapshot is not None else self.snapshot
        known = by_id if by_id is not None else self.by_id
        if snap is None:
            return
        rows = _fold(articles, snap, len(known))
        kept = [p for p in self._prefolds if p[2] is snap][-(MAX_PREFOLDS - 1) :]
        self._prefolds = [*kept, (articles, len(articles), snap, rows)]

    def _expand(
        self, rows: Sequence[Article], expanded: frozenset[str], versions: set[int]
    ) -> Sequence[Article]:
        """``rows`` with each expanded story's other versions after its row (their row
        numbers added to ``versions``); a warm library's rows stay rows."""
        assert self.snapshot is not None
        story_of, members = self.snapshot.story_of, self.snapshot.members
        ids = article_ids(rows)
        opened = [(n, story_of[i]) for n, i in enumerate(ids) if story_of.get(i) in expanded]
        if isinstance(rows, ArticleRows):
            parts: list[npt.NDArray[np.int64]] = []
            at = length = 0
            for row, story in opened:
                parts.append(rows.rows[at : row + 1])
                length += row + 1 - at
                extra = []
                for other in members[story]:
                    found = rows.row_of(other) if other != ids[row] else None
                    if found is not None:
                        versions.add(length)
                        length += 1
                        extra.append(found)
                parts.append(np.array(extra, np.int64))
                at = row + 1
            parts.append(rows.rows[at:])
            return rows.with_rows(np.concatenate(parts))
        out: list[Article] = []
        at = 0
        for row, story in opened:
            out += rows[at : row + 1]
            head = ids[row]
            for other in members[story]:
                version = self.by_id.get(other)
                if other != head and version is not None:
                    versions.add(len(out))
                    out.append(version)
            at = row + 1
        return out + list(rows[at:])

    def hit_rows(self, hits: Sequence[Hit]) -> tuple[list[Hit], frozenset[int]]:
        """Search hits, one per story (its best-ranked version, where it ranks); an
        expanded story's other versions follow it (as hits without a match). The rows,
        and which of them are versions."""
        snap = self.snapshot
        if snap is None:
            return list(hits), frozenset()
        from newstui.core.search.results import Hit

        out: list[Hit] = []
        versions: set[int] = set()
        seen: set[str] = set()
        for hit in hits:
            story = snap.story_of.get(hit.article.id)
            if story is None:
                out.append(hit)
                continue
            if story in seen:
                continue
            seen.add(story)
            out.append(hit)
            if story in self.expanded:
                for other in snap.members[story]:
                    version = self.by_id.get(other)
                    if other != hit.article.id and version is not None:
                        versions.add(len(out))
                        out.append(Hit(version, 0.0))
        return out, frozenset(versions)

    def row_of(self, article_id: str | None, rows: Sequence[Article]) -> str | None:
        """The row to keep the cursor on for ``article_id`` among ``rows``: itself when it
        has a row, else its story's row (a version folded away by grouping or a
        collapse)."""
        story = self.story_of(article_id) if article_id is not None else None
        if story is None or story in self.expanded or self.snapshot is None:
            return article_id
        members = set(self.snapshot.members[story])
        return next((i for i in article_ids(rows) if i in members), article_id)


__all__ = ["PLAIN", "RowInfo", "StoriesLike", "StorySnapshot", "StoryView"]
