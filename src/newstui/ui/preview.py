"""The preview that follows the list's cursor in the wide layout.

Moving in the list shows the highlighted article in the reader pane once the cursor has
rested :data:`PREVIEW_DELAY` seconds (holding ``j`` lays nothing out until it stops). A
preview is not an opening: it marks nothing read, restores and remembers no reading
position. Opening for real is ``Enter`` (or ``[``/``]``, ``U`` from the reader) — or resting
:data:`DWELL_SECONDS` on an article the user moved to, in the preview, while the list has the
focus, which marks it read (when ``mark_read_on_open`` is on), as a reader who lingered has
read it. The article a list starts on (at start, after a search) is previewed but never read
by dwelling: nobody chose it.

At 80 columns the reader is not on screen beside the list: nothing is previewed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from textual.app import App
    from textual.timer import Timer

    from newstui.core.article import Article

#: Seconds the cursor rests before the reader shows the highlighted article.
PREVIEW_DELAY = 0.08
#: Seconds on the same previewed article (the list focused) that count as reading it.
DWELL_SECONDS = 2.0


class PreviewFollower:
    """Debounces the cursor's moves into previews, and times the dwell.

    ``show(article)`` lays the article out in the reader (a preview; ``None``: the list is
    empty, the reader too); ``dwelt(article)``
    marks it read if it is still the one previewed. Both are the app's; this class only
    decides when.
    """

    def __init__(
        self,
        app: App[Any],
        show: Callable[[Article | None], None],
        dwelt: Callable[[Article], None],
    ) -> None:
        self._app = app
        self._show = show
        self._dwelt = dwelt
        self._wait: Timer | None = None
        self._dwell: Timer | None = None
        self.waiting: Article | None = None
        self._moved = False

    def follow(self, article: Article | None, *, moved: bool = True) -> None:
        """The cursor is on ``article`` now: preview it when the cursor rests. ``moved``:
        the user moved it there (only then can resting on it count as reading it; the
        article a refilled list starts on was chosen by nobody)."""
        self.cancel()
        self.waiting = article
        self._moved = moved
        self._wait = self._app.set_timer(PREVIEW_DELAY, self._fire, name="preview")

    def cancel(self) -> None:
        """No preview or dwell pending (the article was opened, the layout narrowed)."""
        for timer in (self._wait, self._dwell):
            if timer is not None:
                timer.stop()
        self._wait = self._dwell = None
        self.waiting = None

    @property
    def pending(self) -> bool:
        return self._wait is not None

    def _fire(self) -> None:
        article, self.waiting, self._wait = self.waiting, None, None
        self._show(article)
        if article is None or not self._moved:
            return
        self._dwell = self._app.set_timer(
            DWELL_SECONDS, lambda: self._on_dwell(article), name="preview-dwell"
        )

    def _on_dwell(self, article: Article) -> None:
        self._dwell = None
        self._dwelt(article)
