"""Stories as the app shows them: the list's rows (one per story, expanded ones with their
versions), the versions of an article, which ids a "mark read" covers, story counts.

Plain Python (no Textual), so it is tested directly. The grouping itself is the core's
(:mod:`newstui.core.stories`); :class:`StoryView` only reads a finished ``Stories`` (the app
swaps in a new one when a worker has grouped the library), so nothing here costs more than
a pass over the list it is given.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from newstui.core.article import Article
    from newstui.core.search.results import Hit


class StoriesLike(Protocol):
    """What the view reads of :class:`newstui.core.stories.Stories`."""

    def story_of(self, article_id: str) -> str: ...

    def members(self, story_id: str) -> list[str]: ...

    def size(self, story_id: str) -> int: ...


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


class StoryView:
    """The grouped stories (once a worker has computed them), which are expanded, and the
    library's articles by id (to list versions that the list itself does not hold)."""

    def __init__(self) -> None:
        self.stories: StoriesLike | None = None
        self.by_id: dict[str, Article] = {}
        #: Stories whose versions are listed under their row.
        self.expanded: set[str] = set()
        #: How many stories the library holds (0 until grouped).
        self.story_count = 0

    def set_stories(self, stories: StoriesLike | None, by_id: dict[str, Article]) -> None:
        self.stories = stories
        self.by_id = by_id
        if stories is None:
            self.story_count = 0
        else:
            self.story_count = self.count_stories(by_id)

    # --- one article's story --------------------------------------------------------------
    def story_of(self, article_id: str) -> str | None:
        """The story of ``article_id`` when it has other versions, else ``None``."""
        stories = self.stories
        if stories is None:
            return None
        story = stories.story_of(article_id)
        return story if stories.size(story) > 1 else None

    def versions(self, article_id: str) -> list[Article]:
        """Every version of ``article_id``'s story in the library, newest first (itself
        included); just the article when it is alone (or not grouped yet)."""
        story = self.story_of(article_id)
        if story is None or self.stories is None:
            article = self.by_id.get(article_id)
            return [article] if article is not None else []
        return [self.by_id[i] for i in self.stories.members(story) if i in self.by_id]

    def read_ids(self, article_id: str, *, whole_story: bool) -> list[str]:
        """The ids a "mark read" of ``article_id`` marks: every version of its story when
        ``whole_story`` (the ``story_read_all`` setting), else the article alone."""
        if not whole_story:
            return [article_id]
        story = self.story_of(article_id)
        if story is None or self.stories is None:
            return [article_id]
        ids = self.stories.members(story)
        return ids if article_id in ids else [article_id, *ids]

    def with_versions(self, ids: Iterable[str], *, whole_story: bool) -> list[str]:
        """``ids`` and, when ``whole_story``, every other version of their stories (in
        order, each once)."""
        out = list(dict.fromkeys(ids))
        if not whole_story or self.stories is None:
            return out
        seen = set(out)
        for article_id in list(out):
            story = self.story_of(article_id)
            if story is None:
                continue
            for other in self.stories.members(story):
                if other not in seen:
                    seen.add(other)
                    out.append(other)
        return out

    def count_stories(self, ids: Iterable[str]) -> int:
        """How many stories the articles ``ids`` make (an article alone is one story):
        for the status line and the sidebar's counts."""
        stories = self.stories
        if stories is None:
            return sum(1 for _ in ids)
        return len({stories.story_of(i) for i in ids})

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
    def rows(self, articles: Sequence[Article]) -> tuple[list[Article], list[RowInfo]]:
        """One row per story: the story's newest version among ``articles``, where that
        version stands in their order; an expanded story's other versions follow it."""
        stories = self.stories
        if stories is None:
            return list(articles), [PLAIN] * len(articles)
        present = {a.id for a in articles}
        head: dict[str, str] = {}  # story -> the id of its row
        for article in articles:
            story = stories.story_of(article.id)
            if story in head or stories.size(story) < 2:
                continue
            head[story] = next((i for i in stories.members(story) if i in present), article.id)
        out: list[Article] = []
        info: list[RowInfo] = []
        for article in articles:
            story = stories.story_of(article.id)
            if story not in head:
                out.append(article)
                info.append(PLAIN)
            elif head[story] == article.id:
                self._story_rows(article, story, out, info)
        return out, info

    def hit_rows(self, hits: Sequence[Hit]) -> tuple[list[Hit], list[RowInfo]]:
        """Search hits, one per story (its best-ranked version, where it ranks); an
        expanded story's other versions follow it (as hits without a match)."""
        stories = self.stories
        if stories is None:
            return list(hits), [PLAIN] * len(hits)
        from newstui.core.search.results import Hit

        seen: set[str] = set()
        out: list[Hit] = []
        info: list[RowInfo] = []
        for hit in hits:
            story = stories.story_of(hit.article.id)
            if stories.size(story) < 2:
                out.append(hit)
                info.append(PLAIN)
                continue
            if story in seen:
                continue
            seen.add(story)
            articles: list[Article] = []
            self._story_rows(hit.article, story, articles, info)
            out.append(hit)
            out += [Hit(a, 0.0) for a in articles[1:]]
        return out, info

    def _story_rows(
        self, article: Article, story: str, out: list[Article], info: list[RowInfo]
    ) -> None:
        assert self.stories is not None
        members = [i for i in self.stories.members(story) if i != article.id]
        expanded = story in self.expanded
        out.append(article)
        info.append(RowInfo(story, len(members), expanded=expanded))
        if expanded:
            for other in members:
                version = self.by_id.get(other)
                if version is not None:
                    out.append(version)
                    info.append(RowInfo(story, version=True))

    def row_of(self, article_id: str | None, rows: Sequence[Article]) -> str | None:
        """The row to keep the cursor on for ``article_id``: itself when it has a row, else
        its story's row (a version folded away by grouping or a collapse)."""
        if article_id is None or self.stories is None:
            return article_id
        if any(a.id == article_id for a in rows):
            return article_id
        story = self.stories.story_of(article_id)
        for article in rows:
            if self.stories.story_of(article.id) == story:
                return article.id
        return article_id


__all__ = ["PLAIN", "RowInfo", "StoriesLike", "StoryView"]
