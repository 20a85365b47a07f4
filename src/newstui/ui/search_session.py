"""The search session: what is being searched, what waits, what the list shows, what Enter opens.

Plain Python (no Textual): the app asks it what to do and does it (starts a search thread,
shows a result, opens an article). The rules it keeps:

* One search runs at a time and only the newest query waits: typing faster than searches
  finish never builds a queue. A result that lands while a newer query waits is shown
  anyway (better than nothing); once nothing waits, only the current query's result is.
* A query typed before the index exists waits for it (``start(ready=False)`` keeps it).
* Enter before the result arrives opens the top hit of the result that answers the last
  query; ``/`` (back to the box) or clearing the search forgets that Enter.
* The restored last search keeps the last article selected; a typed query starts at its top.
* A result from an index still filling says over how many articles it ran; the query runs
  again as the index doubles, and once more when it is complete.
* More hits are asked for (one longer search, never an offset: pages of tied scores could
  overlap) as the cursor nears the end of the page.
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from newstui.core.search import SearchResult

#: Hits per search page: more pages load as the cursor nears the end of the results.
#: (Asking for 500 at once made the engine 4x slower: snippets are built per hit.)
SEARCH_PAGE = 100


class Land(enum.Enum):
    """What to do with a search that finished."""

    IGNORE = "ignore"  # cleared meanwhile, or an old query's result nobody waits for
    ERROR = "error"  # the engine rejected the query: say why
    SHOW = "show"  # show ``SearchSession.result``


class Landing(NamedTuple):
    action: Land
    #: The article to keep selected in the result (the restored last article).
    keep_id: str | None = None
    #: Enter was pressed before this result: open its top hit now.
    open_top: bool = False


class SearchSession:
    """The state of the search box's search, and the rules that move it along."""

    def __init__(self, page: int = SEARCH_PAGE) -> None:
        self.page = page
        #: The query the list shows (or will show) results for; ``""``: no search.
        self.query = ""
        #: The newest result shown for ``query`` (or for a query typed just before it).
        self.result: SearchResult | None = None
        #: ``result`` came from an index still filling, with this many articles in it.
        self.indexed_so_far: int | None = None
        #: The query to search next, once the running search (or the index) is ready.
        self.pending: str | None = None
        #: A search thread is running.
        self.running = False
        #: Searches started (fewer than keystrokes when typing fast).
        self.searches_run = 0
        #: A thread is asking for the next page of hits.
        self.loading_more = False
        self._open_top_when_done = False
        self._keep_on_result: str | None = None

    # --- asking -----------------------------------------------------------------------
    def type(self, value: str) -> bool:
        """The box now holds ``value`` (typed, pasted, from the history): search it from
        its top result. True when the search was cleared (the full list comes back)."""
        self._keep_on_result = None
        return self.request(value)

    def restore(self, value: str, keep_id: str | None) -> bool:
        """Search ``value`` (the last session's search), keeping ``keep_id`` selected."""
        self._keep_on_result = keep_id
        return self.request(value)

    def request(self, value: str, *, force: bool = False) -> bool:
        """Search ``value`` next; ``force`` searches again even when it is the query shown
        (its result came from an index still filling). True when the search was cleared
        (``value`` is blank and a search was on)."""
        query = value.strip()
        if not query:
            self.pending = None
            self._open_top_when_done = False  # that Enter was for the search just cleared
            if not self.query:
                return False
            self.query = ""
            self.result = None
            self.indexed_so_far = None
            return True
        if query == self.query and self.result is not None and not self.running and not force:
            return False
        self.query = self.pending = query
        return False

    def start(self, *, ready: bool) -> str | None:
        """The query to search now (and it counts as running), or ``None``: nothing waits,
        a search runs already, or the index is not ``ready`` yet."""
        query = self.pending
        if query is None or self.running or not ready:
            return None
        self.pending = None
        self.running = True
        self.searches_run += 1
        return query

    def refresh(self, indexed: int) -> bool:
        """The index (still filling) now holds ``indexed`` articles: whether to search the
        shown query again. Yes once it has doubled since that result, so at most ~log2(n)
        times; the complete index gets its own search (``request(force=True)``)."""
        so_far = self.indexed_so_far
        if (
            not self.query
            or so_far is None
            or indexed < max(1, 2 * so_far)
            or self.running
            or self.pending is not None
        ):
            return False
        self.request(self.query, force=True)
        return True

    # --- answers ----------------------------------------------------------------------
    def land(
        self, query: str, result: SearchResult | None, indexed_so_far: int | None = None
    ) -> Landing:
        """The search for ``query`` finished with ``result`` (``None``: the engine rejected
        it). Call :meth:`start` after it: the query typed meanwhile runs next."""
        self.running = False
        if not self.query:
            return Landing(Land.IGNORE)  # the search was cleared meanwhile
        if result is None:
            return Landing(Land.ERROR)
        if query != self.query and self.pending is None:
            return Landing(Land.IGNORE)
        self.result = result
        self.indexed_so_far = indexed_so_far
        keep_id, self._keep_on_result = self._keep_on_result, None
        # only the answer to the last query typed opens: nothing newer may wait
        open_top = self._open_top_when_done and self.pending is None
        if open_top:
            self._open_top_when_done = False
        return Landing(Land.SHOW, keep_id, open_top)

    # --- Enter ------------------------------------------------------------------------
    def submit(self) -> bool:
        """Enter in the box: True when the shown result is the answer (open its top hit
        now); False when a search runs or waits (its top hit opens when it lands)."""
        if self.running or self.pending is not None:
            self._open_top_when_done = True
            return False
        return True

    def forget_enter(self) -> None:
        """Back in the box (``/``): an Enter still waiting for its result is void."""
        self._open_top_when_done = False

    @property
    def enter_waiting(self) -> bool:
        """Enter was pressed and waits for its result."""
        return self._open_top_when_done

    # --- paging -----------------------------------------------------------------------
    def more(self, cursor: int, shown: int, *, ready: bool) -> SearchResult | None:
        """The cursor is on row ``cursor`` of ``shown``: the result to ask the next page
        of (and a page is on its way), or ``None``."""
        result = self.result
        if (
            result is None
            or not self.query
            or not ready
            or self.loading_more
            or len(result.hits) >= result.total
            or cursor < shown - self.page // 4
        ):
            return None
        self.loading_more = True
        return result

    def more_landed(self, shown: SearchResult, more: SearchResult | None) -> bool:
        """The longer search for ``shown`` finished with ``more``: True when it replaced
        the result (show it); False when it failed, found nothing or came too late."""
        self.loading_more = False
        if more is None or shown is not self.result or not more.hits:
            return False
        self.result = more
        return True

    # --- waiting ----------------------------------------------------------------------
    def busy(self, *, ready: bool) -> bool:
        """A search runs, a page is on its way, or a query waits for a ``ready`` index."""
        return self.running or self.loading_more or (self.pending is not None and ready)
