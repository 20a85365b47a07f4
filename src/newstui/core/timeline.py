"""Results over time: a histogram of publication dates by day, week, month or year.

The timeline above the list shows how many of the listed articles (or of a search's
results) were published in each period, and narrowing to a period writes ``after:`` and
``before:`` terms into the query (:func:`narrow_query`), so the query stays the one truth.

Periods are UTC, like the query's dates (``after:2024-03`` is the first instant of March
2024, UTC); a week starts on Monday. ``before:`` is exclusive (published before the start of
that day), so a period ``[start, end)`` is ``after:START before:END``.

Cost: :class:`Dates` turns the publication times (an array of UTC timestamps, NaN when
unknown: the search index keeps one per article) into whole days once, with numpy; each
:meth:`Dates.histogram` is then one ``bincount``: a few milliseconds at a million articles,
never Python work per article. :func:`published_of` is the one per-article loop, for a list
of articles that has no such array yet.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import numpy as np
import numpy.typing as npt

from newstui.core.article import Article
from newstui.core.search.query import _UNIT_RE

F64Array = npt.NDArray[np.float64]
I64Array = npt.NDArray[np.int64]

#: The bucket sizes, smallest first: the first whose buckets fit the room is used.
UNITS: tuple[str, ...] = ("day", "week", "month", "year")
DAY_S = 86_400
_EPOCH = date(1970, 1, 1)
# The query reads four-digit years only: a date outside 1000-9998 cannot be narrowed to,
# so it counts as undated (the loaders keep 1800-2300 anyway).
_MIN_TS = datetime(1000, 1, 1, tzinfo=UTC).timestamp()
_MAX_TS = datetime(9999, 1, 1, tzinfo=UTC).timestamp()
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _timestamp(article: Article) -> float:
    published = article.published
    if published is None:
        return math.nan
    try:
        return published.timestamp()
    except (OverflowError, OSError, ValueError):
        return math.nan


def published_of(articles: Sequence[Article]) -> F64Array:
    """The articles' publication times (UTC timestamps, NaN when unknown), as the search
    index stores them. One pass over the articles: call it off the event loop for a long
    list, once per list; a warm library's rows read them from its columns."""
    times = getattr(articles, "times", None)
    known = times() if times is not None else None
    if known is not None:
        return np.asarray(known, np.float64)
    return np.fromiter((_timestamp(a) for a in articles), np.float64, count=len(articles))


@dataclass(frozen=True, slots=True)
class Period:
    """A bucket of the histogram: ``[start, end)`` in UTC days, and its count."""

    unit: str
    start: date
    end: date  # exclusive
    count: int

    @property
    def after(self) -> str:
        """The query's ``after:`` value for the period's start."""
        return _query_date(self.unit, self.start)

    @property
    def before(self) -> str:
        """The query's ``before:`` value for the period's end (exclusive)."""
        return _query_date(self.unit, self.end)

    @property
    def terms(self) -> str:
        """``after:START before:END``: the period as query terms."""
        return f"after:{self.after} before:{self.before}"

    def describe(self) -> str:
        """The period for people: ``2024-03-05 Tue``, ``week of 2024-03-04``,
        ``March 2024``, ``1987``, ``1980–1989``."""
        if self.unit == "day":
            return f"{self.start.isoformat()} {_WEEKDAYS[self.start.weekday()]}"
        if self.unit == "week":
            return f"week of {self.start.isoformat()}"
        if self.unit == "month":
            return self.start.strftime("%B %Y")
        last = self.end.year - 1
        return str(self.start.year) if last == self.start.year else f"{self.start.year}–{last}"


def _query_date(unit: str, day: date) -> str:
    if unit == "month" and day.day == 1:
        return f"{day.year:04d}-{day.month:02d}"
    if unit == "year" and day.day == 1 and day.month == 1:
        return f"{day.year:04d}"
    return day.isoformat()


#: The longest :meth:`Period.describe` of each unit (for laying a line out before bucketing).
DESCRIBE_WIDTH = {"day": 14, "week": 18, "month": 14, "year": 9}
#: The width of a span label (:meth:`Histogram.start_label`) of each unit.
LABEL_WIDTH = {"day": 10, "week": 10, "month": 7, "year": 4}


@dataclass(frozen=True, slots=True)
class Histogram:
    """Counts per period: ``counts[i]`` articles in bucket ``i``; the first and the last
    bucket hold the earliest and the latest dated article. ``undated``: articles without
    a (usable) date, counted apart."""

    unit: str
    #: The first bucket, in the unit's numbering: days or Monday-weeks since 1970-01-05's
    #: week, months since 1970-01, or the year.
    first: int
    counts: tuple[int, ...]
    undated: int = 0
    #: Years per bucket (``unit == "year"`` only: a span of centuries on a narrow line).
    step: int = 1

    def __len__(self) -> int:
        return len(self.counts)

    @property
    def dated(self) -> int:
        return sum(self.counts)

    @property
    def peak(self) -> int:
        return max(self.counts, default=0)

    def period(self, i: int) -> Period:
        """Bucket ``i`` as a period (``IndexError`` outside ``0 <= i < len``)."""
        if not 0 <= i < len(self.counts):
            raise IndexError(i)
        start, end = _bounds(self.unit, self.first + i * self.step, self.step)
        return Period(self.unit, start, end, self.counts[i])

    def start_label(self) -> str:
        """The span's first period, as the query writes it (``2024-03-01``, ``2024-03``)."""
        return _label(self.unit, self.period(0).start)

    def end_label(self) -> str:
        """The span's last period: its last day (day, week), its month, its year."""
        last = self.period(len(self.counts) - 1)
        if self.unit == "year":
            return str(last.end.year - 1)
        return _label(self.unit, last.end - timedelta(days=1))


def _label(unit: str, day: date) -> str:
    if unit == "month":
        return f"{day.year:04d}-{day.month:02d}"
    if unit == "year":
        return f"{day.year:04d}"
    return day.isoformat()


def _bounds(unit: str, n: int, step: int) -> tuple[date, date]:
    if unit == "day":
        start = _EPOCH + timedelta(days=n)
        return start, start + timedelta(days=1)
    if unit == "week":
        start = _EPOCH + timedelta(days=7 * n - 3)  # 1970-01-01 was a Thursday
        return start, start + timedelta(days=7)
    if unit == "month":
        year, month = divmod(n, 12)
        start = date(1970 + year, month + 1, 1)
        year, month = divmod(n + 1, 12)
        return start, date(1970 + year, month + 1, 1)
    return date(n, 1, 1), date(min(n + step, 9999), 1, 1)


class Dates:
    """Publication times prepared for bucketing: how many articles each UTC day from the
    first dated one to the last (numpy), and how many had no usable date. Built once per
    list (one ``bincount``); every histogram is then summed from the days, whatever the
    number of articles."""

    __slots__ = ("dated", "first_day", "per_day", "undated")

    def __init__(self, published: F64Array) -> None:
        published = np.asarray(published, dtype=np.float64)
        ok = np.isfinite(published) & (published >= _MIN_TS) & (published < _MAX_TS)
        days = np.floor_divide(published[ok], DAY_S).astype(np.int64)
        self.dated = len(days)
        self.undated = len(published) - self.dated
        self.first_day = int(days.min()) if self.dated else 0
        #: Articles per day, from ``first_day`` to the last dated article's day.
        self.per_day: I64Array = np.bincount(days - self.first_day).astype(np.int64)

    @classmethod
    def of(cls, articles: Sequence[Article]) -> Dates:
        return cls(published_of(articles))

    def __len__(self) -> int:
        """The dated articles."""
        return self.dated

    def _span(self, unit: str) -> tuple[int, int]:
        """The first and last bucket number in ``unit`` (see :attr:`Histogram.first`)."""
        lo, hi = self.first_day, self.first_day + len(self.per_day) - 1
        if unit == "day":
            return lo, hi
        if unit == "week":
            return (lo + 3) // 7, (hi + 3) // 7  # 1970-01-01 was a Thursday
        a, b = _EPOCH + timedelta(days=lo), _EPOCH + timedelta(days=hi)
        if unit == "month":
            return (a.year - 1970) * 12 + a.month - 1, (b.year - 1970) * 12 + b.month - 1
        return a.year, b.year

    def buckets(self, unit: str, step: int = 1) -> int:
        """How many bars ``unit`` needs to span the dates (0 when none is dated)."""
        if not self.dated:
            return 0
        lo, hi = self._span(unit)
        if unit == "year":
            return hi // step - lo // step + 1
        return hi - lo + 1

    def histogram(self, unit: str, step: int = 1) -> Histogram:
        """Counts per ``unit`` (``step`` years per bucket for ``"year"``) from the first
        dated article's period to the last's."""
        if unit not in UNITS:
            raise ValueError(f"unknown unit {unit!r}")
        step = max(1, step) if unit == "year" else 1
        if not self.dated:
            return Histogram(unit, 0, (), self.undated, step)
        lo, hi = self._span(unit)
        lo -= lo % step
        if unit == "day":
            counts = self.per_day
        else:
            # each bucket's first day, as an offset into per_day (the first bucket may
            # start before the first dated day); strictly increasing, as reduceat needs
            starts = [
                (_bounds(unit, n, step)[0] - _EPOCH).days - self.first_day
                for n in range(lo, hi + 1, step)
            ]
            starts[0] = 0
            counts = np.add.reduceat(self.per_day, np.array(starts, dtype=np.int64))
        return Histogram(unit, lo, tuple(int(c) for c in counts), self.undated, step)

    def fit(self, room: int | Callable[[str], int]) -> Histogram | None:
        """The histogram with the smallest unit whose bars fit ``room`` (bars, or bars per
        unit: a line's labels differ in width by unit); years several to a bar when even
        one a bar does not fit. ``None`` when nothing fits (``room`` below one bar)."""
        space = room if callable(room) else (lambda _unit: room)
        for unit in UNITS[:-1]:
            if self.buckets(unit) <= space(unit):
                return self.histogram(unit)
        years = space("year")
        if years < 1:
            return None
        step = 1
        while self.buckets("year", step) > years:
            step *= 10 if step == 1 else 2
        return self.histogram("year", step)


def histogram(published: F64Array | Sequence[Article], room: int) -> Histogram | None:
    """Bucket publication times (or articles) so the bars fit ``room`` (see
    :meth:`Dates.fit`)."""
    dates = Dates(published) if isinstance(published, np.ndarray) else Dates.of(published)
    return dates.fit(room)


# --- narrowing: the period into the query -------------------------------------------------------
_DATE_KEYS = frozenset(("after", "before"))


def _is_date_unit(fname: str | None, bare: str | None) -> bool:
    if fname is not None:
        return fname.lower() in _DATE_KEYS
    # "after:" with nothing after it (a malformed filter the new terms replace)
    return bare is not None and bare.endswith(":") and bare[:-1].lower() in _DATE_KEYS


def strip_dates(query: str) -> str:
    """``query`` without its ``after:``/``before:`` terms (negated or malformed ones too),
    the rest as typed. When the query ended with one of them, what is left ends with a
    space: its last word stays a complete word, not a prefix being typed."""
    kept: list[str] = []
    pos = 0
    dropped_last = False
    for m in _UNIT_RE.finditer(query):
        dropped_last = _is_date_unit(m.group(2), m.group(4))
        if dropped_last:
            kept.append(query[pos : m.start()])
            # the unit and the blanks after it
            pos = m.end()
            while pos < len(query) and query[pos].isspace():
                pos += 1
    kept.append(query[pos:])
    rest = "".join(kept).lstrip()
    if dropped_last and rest.strip() and not rest[-1:].isspace():
        rest += " "
    return rest if rest.strip() else ""


def narrow_query(query: str, period: Period) -> str:
    """``query`` narrowed to ``period``: its ``after:``/``before:`` terms replaced by the
    period's, written first (the words keep their place, the last still read as typed)."""
    rest = strip_dates(query)
    return f"{period.terms} {rest}" if rest else period.terms
