"""The timeline's histogram (core/timeline.py): which bucket size fits, what is counted
where, and narrowing a query to a bucket so that the search finds exactly that bucket."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta, timezone

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from newstui.core.article import Article
from newstui.core.search import SearchIndex
from newstui.core.search.query import parse
from newstui.core.timeline import (
    Dates,
    Histogram,
    histogram,
    narrow_query,
    published_of,
    strip_dates,
)


def ts(*args: int) -> float:
    return datetime(*args, tzinfo=UTC).timestamp()


def days(first: date, n: int) -> np.ndarray:
    """One article at noon UTC on each of ``n`` days from ``first``."""
    start = ts(first.year, first.month, first.day, 12)
    return np.array([start + 86_400 * i for i in range(n)], dtype=np.float64)


def art(aid: str, published: datetime | None) -> Article:
    return Article(id=aid, title=f"Story {aid}", body="text", format="text", published=published)


# --- which bucket size ------------------------------------------------------------------------
def test_a_span_that_fits_is_counted_by_day() -> None:
    hist = histogram(days(date(2024, 3, 1), 10), room=10)
    assert hist is not None
    assert hist.unit == "day"
    assert hist.counts == (1,) * 10
    assert (hist.start_label(), hist.end_label()) == ("2024-03-01", "2024-03-10")


def test_more_days_than_room_is_counted_by_week_from_monday() -> None:
    # 2024-03-01 is a Friday: its week starts on Monday 2024-02-26.
    hist = histogram(days(date(2024, 3, 1), 10), room=9)
    assert hist is not None
    assert hist.unit == "week"
    assert hist.counts == (3, 7)
    first = hist.period(0)
    assert (first.start, first.end) == (date(2024, 2, 26), date(2024, 3, 4))
    assert first.start.weekday() == 0
    assert hist.end_label() == "2024-03-10"  # the Sunday ending the last week


def test_more_weeks_than_room_is_counted_by_month() -> None:
    hist = histogram(days(date(2024, 1, 15), 100), room=10)  # Jan 15 .. Apr 23: 15 weeks
    assert hist is not None
    assert hist.unit == "month"
    assert hist.counts == (17, 29, 31, 23)
    assert (hist.start_label(), hist.end_label()) == ("2024-01", "2024-04")
    assert hist.period(1).describe() == "February 2024"


def test_more_months_than_room_is_counted_by_year_then_by_decades() -> None:
    stamps = np.array([ts(y, 6, 1) for y in range(1987, 2025)], dtype=np.float64)
    by_year = histogram(stamps, room=40)
    assert by_year is not None
    assert by_year.unit == "year" and by_year.step == 1
    assert len(by_year) == 38 and set(by_year.counts) == {1}
    by_decade = histogram(stamps, room=10)
    assert by_decade is not None
    assert by_decade.unit == "year" and by_decade.step == 10
    assert by_decade.counts == (3, 10, 10, 10, 5)  # 1980s (87-89) .. 2020s (20-24)
    assert by_decade.period(0).describe() == "1980–1989"
    assert by_decade.period(0).terms == "after:1980 before:1990"


def test_no_room_for_a_single_bar_gives_nothing() -> None:
    assert histogram(days(date(2024, 3, 1), 3), room=0) is None


def test_the_unit_fits_a_room_that_depends_on_the_unit() -> None:
    dates = Dates(days(date(2024, 3, 1), 30))
    hist = dates.fit(lambda unit: {"day": 20, "week": 2, "month": 5}.get(unit, 9))
    assert hist is not None and hist.unit == "month"


# --- empty, undated, one day ----------------------------------------------------------------------
def test_an_empty_list_has_no_bars() -> None:
    dates = Dates(np.array([], dtype=np.float64))
    assert len(dates) == 0 and dates.undated == 0
    hist = dates.fit(50)
    assert hist is not None and len(hist) == 0 and hist.dated == 0


def test_undated_articles_are_counted_apart() -> None:
    articles = [
        art("a", datetime(2024, 3, 1, 9, tzinfo=UTC)),
        art("b", None),
        art("c", datetime(2024, 3, 3, 9, tzinfo=UTC)),
        art("d", None),
    ]
    hist = histogram(articles, room=30)
    assert hist is not None
    assert hist.counts == (1, 0, 1)
    assert hist.undated == 2 and hist.dated == 2


def test_only_undated_articles_give_no_bars_and_say_how_many() -> None:
    dates = Dates.of([art("a", None), art("b", None)])
    assert len(dates) == 0 and dates.undated == 2


def test_a_date_the_query_cannot_write_counts_as_undated() -> None:
    stamps = np.array([ts(2024, 3, 1), np.inf, -1e15, 1e15, ts(999, 12, 31)], dtype=np.float64)
    dates = Dates(stamps)
    assert len(dates) == 1 and dates.undated == 4


def test_one_day_is_one_bar() -> None:
    stamps = np.array([ts(2026, 11, 26, h) for h in (0, 8, 23)], dtype=np.float64)
    hist = histogram(stamps, room=80)
    assert hist is not None
    assert hist.unit == "day" and hist.counts == (3,)
    assert hist.start_label() == hist.end_label() == "2026-11-26"
    assert hist.period(0).terms == "after:2026-11-26 before:2026-11-27"


def test_days_are_utc_days_whatever_the_article_timezone() -> None:
    # 01:00 in UTC+2 on March 1 is 23:00 UTC on February 29: the query's day too.
    plus2 = timezone(timedelta(hours=2))
    hist = histogram([art("a", datetime(2024, 3, 1, 1, tzinfo=plus2))], room=10)
    assert hist is not None
    assert hist.period(0).start == date(2024, 2, 29)


def test_dates_before_1970_fall_in_their_own_day() -> None:
    hist = histogram(np.array([ts(1969, 12, 31, 23, 59), ts(1970, 1, 1, 0, 0)]), room=10)
    assert hist is not None
    assert hist.counts == (1, 1)
    assert hist.start_label() == "1969-12-31"


def test_the_bars_span_the_first_to_the_last_dated_article_gaps_included() -> None:
    stamps = np.array([ts(2024, 3, 10, 8), ts(2024, 3, 14, 8), ts(2024, 3, 14, 9)])
    hist = histogram(stamps, room=30)
    assert hist is not None
    assert hist.counts == (1, 0, 0, 0, 2)
    assert hist.peak == 2
    with pytest.raises(IndexError):
        hist.period(len(hist))


# --- the query agrees with the buckets ----------------------------------------------------------
EDGES = [
    datetime(2024, 2, 29, 23, 59, 59, tzinfo=UTC),
    datetime(2024, 3, 1, 0, 0, 0, tzinfo=UTC),
    datetime(2024, 3, 3, 23, 59, 59, tzinfo=UTC),  # a Sunday, last second of its week
    datetime(2024, 3, 4, 0, 0, 0, tzinfo=UTC),  # the Monday after
    datetime(2024, 3, 31, 23, 0, tzinfo=timezone(timedelta(hours=-3))),  # April 1 UTC
    datetime(2024, 12, 31, 23, 59, tzinfo=UTC),
    datetime(2025, 1, 1, 0, 0, tzinfo=UTC),
    datetime(2025, 6, 15, 12, 0, tzinfo=UTC),
]


@pytest.mark.parametrize("room", [600, 100, 20, 1])
def test_every_bucket_is_what_its_after_before_terms_find(room: int) -> None:
    articles = [art(f"e{i}", when) for i, when in enumerate(EDGES)]
    articles.append(art("undated", None))
    index = SearchIndex()
    index.add(articles)
    hist = histogram(articles, room=room)
    assert hist is not None and len(hist)
    assert hist.unit == {600: "day", 100: "week", 20: "month", 1: "year"}[room]
    for i in range(len(hist)):
        period = hist.period(i)
        query = parse(period.terms)
        assert query.after == datetime.combine(period.start, datetime.min.time(), UTC).timestamp()
        assert query.before == datetime.combine(period.end, datetime.min.time(), UTC).timestamp()
        assert index.search(period.terms, limit=0).total == period.count, period


def test_search_results_carry_every_match_date_not_only_the_page() -> None:
    when = datetime(2024, 3, 1, tzinfo=UTC)
    articles = [art(f"a{i}", when + timedelta(days=i)) for i in range(30)]
    index = SearchIndex()
    index.add(articles)
    result = index.search("story", limit=5)
    assert len(result.hits) == 5 and result.total == 30
    assert result.published is not None
    assert sorted(result.published.tolist()) == sorted(a.published.timestamp() for a in articles)  # type: ignore[union-attr]


def test_published_of_is_the_index_timestamp_or_nan() -> None:
    out = published_of([art("a", datetime(2024, 3, 1, tzinfo=UTC)), art("b", None)])
    assert out[0] == ts(2024, 3, 1) and np.isnan(out[1])


# --- narrowing writes the terms -------------------------------------------------------------------
def period_of(first: date) -> Histogram:
    hist = histogram(days(first, 3), room=10)
    assert hist is not None
    return hist


def test_narrowing_an_empty_query_writes_the_period() -> None:
    day = period_of(date(2024, 3, 5)).period(1)
    assert narrow_query("", day) == "after:2024-03-06 before:2024-03-07"


def test_narrowing_replaces_the_date_terms_already_there() -> None:
    day = period_of(date(2024, 3, 5)).period(0)
    query = 'cocoa after:2020 -before:2019-05 "after:2021 in a phrase" before:2021-13 after: prices'
    assert narrow_query(query, day) == (
        'after:2024-03-05 before:2024-03-06 cocoa "after:2021 in a phrase" prices'
    )
    assert narrow_query(narrow_query(query, day), day) == narrow_query(query, day)


def test_the_last_word_stays_as_typed() -> None:
    day = period_of(date(2024, 3, 5)).period(0)
    # "tuber" is still being typed (a prefix): it stays last, with no space after it
    assert narrow_query("tuber", day).endswith(" tuber")
    # after a date term, "cocoa" was a whole word: it stays one (a space ends it)
    assert strip_dates("cocoa after:2020") == "cocoa "
    assert narrow_query("cocoa after:2020", day) == "after:2024-03-05 before:2024-03-06 cocoa "
    assert strip_dates("after:2020 before:2021") == ""


TOKENS = st.sampled_from(
    [
        "cocoa",
        "prices",
        "tuber",
        "OR",
        "-",
        "-brazil",
        '"cocoa prices"',
        '"after:2020"',
        "after:2020",
        "-after:2019-05",
        "before:2021-13",
        "after:",
        "-before:",
        "AFTER:2020",
        "is:u",
        "is:read",
        "-is:read",
        "title:x",
        "foo:bar",
        '"unclosed',
        "the",
    ]
)


@given(
    st.lists(TOKENS, max_size=8),
    st.sampled_from([" ", "  ", "\t"]),
    st.sampled_from(["", " "]),
    st.integers(0, 2),
)
def test_narrowing_changes_the_dates_and_nothing_else(
    tokens: list[str], sep: str, end: str, which: int
) -> None:
    query = sep.join(tokens) + end
    hist = period_of(date(2024, 3, 5))
    period = hist.period(which)
    before, after = parse(query), parse(narrow_query(query, period))
    assert after.after == datetime.combine(period.start, datetime.min.time(), UTC).timestamp()
    assert after.before == datetime.combine(period.end, datetime.min.time(), UTC).timestamp()
    assert after.clauses == before.clauses
    assert after.excluded == before.excluded
    assert after.states == before.states
    assert not [e for e in after.errors if "date" in e]


# --- cost ------------------------------------------------------------------------------------------
def test_a_million_dates_bucket_in_well_under_a_second() -> None:
    rng = np.random.default_rng(7)
    stamps = rng.uniform(ts(1987, 1, 1), ts(2024, 12, 31), 1_000_000)
    stamps[::50] = np.nan
    start = time.perf_counter()
    dates = Dates(stamps)
    hist = dates.fit(60)
    took = time.perf_counter() - start
    assert hist is not None and hist.unit == "year"
    assert hist.dated + hist.undated == 1_000_000 and hist.undated == 20_000
    # measured ~17 ms (one bincount over the days, then sums per bucket)
    assert took < 0.5, took
