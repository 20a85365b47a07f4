"""The reader with the article's story around it: "Also reported by: …" under the byline,
``v`` / ``V`` to step through the versions, ``D`` for what changed since the previous
version, and "Related" at the end (the 5 most related other stories, worked out in a thread)
with ``R`` to pick one.

:class:`StoryReader` is the :class:`Reader` the app composes. It adds its lines to the laid-out
article (``_apply_layout``), so the article itself is laid out exactly as before; what it adds
is built from ``rich.text.Text`` of cleaned one-line strings (titles and sources are
untrusted).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from rich.console import Group
from rich.text import Text
from textual import work
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.worker import get_current_worker

from newstui.core.byline import byline
from newstui.ui.safe import one_line
from newstui.ui.stories import StoryView
from newstui.ui.widgets.reader import Line, Match, Reader

if TYPE_CHECKING:
    from newstui.core.article import Article

#: Related stories listed at the end of an article.
RELATED_LIMIT = 5


def story_line(article: Article, versions: list[Article]) -> str:
    """``"Also reported by: AP, BBC News (3 versions)"``: the other versions' sources, each
    once (``""`` when the article has no other version)."""
    others = [v for v in versions if v.id != article.id]
    if not others:
        return ""
    sources = list(dict.fromkeys(one_line(v.source) or "no source" for v in others))
    shown = ", ".join(sources[:6]) + (f" and {len(sources) - 6} more" if len(sources) > 6 else "")
    return f"Also reported by: {shown} ({len(versions)} versions)"


def version_position(article: Article, versions: list[Article]) -> str:
    """``"version 2 of 3 · v/V older/newer · D changes"`` (1 is the newest)."""
    n = next((i for i, v in enumerate(versions) if v.id == article.id), 0)
    return f"version {n + 1} of {len(versions)} · v/V older/newer · D changes"


def related_line(n: int, article: Article) -> Text:
    """``"1. Title — Source, 2024-03-02"`` (a related story in the list at the end)."""
    text = Text(f"{n}. ", style="bold")
    text.append(one_line(article.title) or "(untitled)")
    day = article.published.strftime("%Y-%m-%d") if article.published else ""
    where = ", ".join(p for p in (one_line(article.source), day) if p)
    if where:
        text.append(f" — {where}", style="dim")
    return text


def previous_version(article: Article, versions: list[Article]) -> tuple[Article, Article]:
    """The two versions ``D`` compares: the version before ``article`` and ``article`` —
    from the same source when it has an older version (a correction against the story it
    corrects), else the next older one; for the oldest version, it and the next newer."""
    n = next(i for i, v in enumerate(versions) if v.id == article.id)
    older = versions[n + 1 :]
    if not older:
        return article, versions[n - 1]
    source = one_line(article.source).casefold()
    same = [v for v in older if source and one_line(v.source).casefold() == source]
    return (same or older)[0], article


class StoryReader(Reader):
    """A :class:`Reader` that knows the article's story and related stories."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("v", "step_version(1)", "Older version", show=False, id="reader.older_version"),
        Binding("V", "step_version(-1)", "Newer version", show=False, id="reader.newer_version"),
        Binding("D", "diff_versions", "Changes", show=False, id="reader.diff"),
        Binding("R", "pick_related", "Related", show=False, id="reader.related"),
    ]

    class OpenArticle(Message):
        """Open ``article`` for real (another version, a related story)."""

        def __init__(self, article: Article) -> None:
            super().__init__()
            self.article = article

    class ShowDiff(Message):
        """Show what changed from ``old`` to ``new``."""

        def __init__(self, old: Article, new: Article) -> None:
            super().__init__()
            self.old = old
            self.new = new

    class PickRelated(Message):
        """Let the user pick one of ``articles`` to open."""

        def __init__(self, articles: list[Article]) -> None:
            super().__init__()
            self.articles = articles

    def __init__(
        self, view: StoryView | None = None, *, measure: int = 80, id: str | None = None
    ) -> None:
        super().__init__(measure=measure, id=id)
        self.view = view if view is not None else StoryView()
        #: The related stories of the shown article (``None``: not worked out yet).
        self.related: list[Article] | None = None
        self._base: tuple[list[Line], list[Match]] = ([], [])
        #: The article ``_base`` was laid out for (a long one is laid out in a thread: until
        #: it lands, ``_base`` is the previous article's).
        self._base_article: Article | None = None

    # --- content ----------------------------------------------------------------------
    def show(self, article: Article | None, terms: list[str] | None = None, line: int = 0) -> None:
        changed = article is None or self.article is None or article.id != self.article.id
        if changed:
            self.related = None
        super().show(article, terms, line)
        if article is not None and changed:
            self.find_related()

    def stories_changed(self) -> None:
        """The stories were grouped again: the lines under the byline, and the related
        stories (which exclude the article's own story), again."""
        if self.article is not None:
            self.related = None
            self._reapply()
            self.find_related()

    def find_related(self) -> None:
        """Work out the related stories in a thread (once the index and stories are there)."""
        index = getattr(self.app, "index", None)
        article = self.article
        stories = self.view.stories
        if index is None or article is None or stories is None:
            return
        self._related_thread(article, index, stories)

    # a description: Textual would repr() the arguments (an article: its whole body)
    @work(thread=True, exclusive=True, group="related", description="related stories")
    def _related_thread(self, article: Article, index: Any, stories: Any) -> None:
        from newstui.core.stories import related

        try:
            found = related(index, article.id, limit=RELATED_LIMIT, stories=stories)
        except Exception as exc:  # a bug: say so once, keep reading
            self.app.call_from_thread(
                self.notify, f"Could not find related articles: {exc}", severity="warning"
            )
            return
        if not get_current_worker().is_cancelled:
            ids = [article_id for article_id, _score in found]
            self.app.call_from_thread(self._related_found, article, ids)

    def _related_found(self, article: Article, ids: list[str]) -> None:
        if self.article is None or article.id != self.article.id:
            return
        by_id = self.view.by_id
        self.related = [by_id[i] for i in ids if i in by_id]
        self._reapply()

    def _reapply(self) -> None:
        """The story's lines again around the laid-out article (when it is laid out: a
        layout still running in a thread adds them as it lands)."""
        if self._base_article is self.article:
            self._apply_layout(*self._base)

    # --- layout -----------------------------------------------------------------------
    def _apply_layout(self, lines: list[Line], matches: list[Match]) -> None:
        """The article's lines with the story's lines under the byline and the related
        stories at the end (the matches moved down with the lines they are on)."""
        self._base = (lines, matches)
        self._base_article = article = self.article
        if article is None or not lines:
            super()._apply_layout(lines, matches)
            return
        width = max(10, self._rendered_width)
        console = self.app.console
        options = console.options.update(width=width, highlight=False, markup=False, height=None)

        def render(*texts: Text) -> list[Line]:
            return list(console.render_lines(Group(*texts), options, pad=False, new_lines=False))

        head: list[Line] = []
        versions = self.view.versions(article.id)
        said = story_line(article, versions)
        if said:
            head = render(
                Text(said, style="italic"), Text(version_position(article, versions), style="dim")
            )
        tail: list[Line] = []
        if self.related:
            texts = [Text(""), Text("Related", style="bold"), Text("")]
            texts += [related_line(n, a) for n, a in enumerate(self.related, 1)]
            texts.append(Text("R picks one (or its number)", style="dim"))
            tail = render(*texts)
        if not head and not tail:
            super()._apply_layout(lines, matches)
            return
        # under the byline: the title and byline take as many lines as they do here
        at = len(
            render(
                Text(one_line(article.title) or "(untitled)", style="bold"),
                Text(byline(article), style="dim"),
            )
        )
        at = min(at, len(lines))
        shift = len(head)
        moved = [Match(m.line + shift, m.start, m.end) if m.line >= at else m for m in matches]
        super()._apply_layout([*lines[:at], *head, *lines[at:], *tail], moved)

    @property
    def related_lines(self) -> list[str]:
        """The "Related" list as shown (plain), for tests."""
        return [one_line(a.title) for a in self.related or []]

    # --- actions ----------------------------------------------------------------------
    def action_step_version(self, step: int) -> None:
        article = self.article
        if article is None:
            return
        versions = self.view.versions(article.id)
        if len(versions) < 2:
            self.notify("This article has no other version", timeout=2)
            return
        n = next((i for i, v in enumerate(versions) if v.id == article.id), 0) + step
        if not 0 <= n < len(versions):
            self.notify("No older version" if step > 0 else "No newer version", timeout=2)
            return
        self.post_message(self.OpenArticle(versions[n]))

    def action_diff_versions(self) -> None:
        article = self.article
        if article is None:
            return
        versions = self.view.versions(article.id)
        if len(versions) < 2 or all(v.id != article.id for v in versions):
            self.notify("This article has no other version to compare with", timeout=2)
            return
        old, new = previous_version(article, versions)
        self.post_message(self.ShowDiff(old, new))

    def action_pick_related(self) -> None:
        if self.article is None:
            return
        if not self.related:
            still = self.related is None and self.view.stories is not None
            self.notify("Still looking for related articles…" if still else "No related articles")
            return
        self.post_message(self.PickRelated(list(self.related)))
