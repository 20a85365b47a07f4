"""Dates in every common form become timezone-aware datetimes; anything else is None."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newstui.core.dates import parse_date

MAY_1 = datetime(2020, 5, 1, tzinfo=UTC)
MAY_1_NOON = datetime(2020, 5, 1, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2020-05-01", MAY_1),
        ("2020-05-01T12:00:00Z", MAY_1_NOON),
        ("2020-05-01T14:00:00+02:00", MAY_1_NOON),
        ("2020-05-01 12:00:00", MAY_1_NOON),
        ("Fri, 01 May 2020 12:00:00 +0000", MAY_1_NOON),
        ("Fri, 01 May 2020 12:00:00 GMT", MAY_1_NOON),
        ("Fri, 01 May 2020 08:00:00 EDT", MAY_1_NOON),
        ("26-FEB-1987 15:14:36.41", datetime(1987, 2, 26, 15, 14, 36, 410000, tzinfo=UTC)),
        # Reuters-21578 appends desk letters (and, uncleaned, \x05 bytes) after the time.
        ("27-MAR-1987 00:02:59.13RM", datetime(1987, 3, 27, 0, 2, 59, 130000, tzinfo=UTC)),
        ("5-MAR-1987 09:41:24.66 V RM", datetime(1987, 3, 5, 9, 41, 24, 660000, tzinfo=UTC)),
        ("2-APR-1987 10:00:01.00\x05\x05\x05F", datetime(1987, 4, 2, 10, 0, 1, tzinfo=UTC)),
        ("May 1, 2020", MAY_1),
        ("May 1st, 2020", MAY_1),
        ("1 May 2020", MAY_1),
        ("Friday, May 1, 2020", MAY_1),
        ("2020/05/01", MAY_1),
        (1588334400, MAY_1_NOON),
        (1588334400.0, MAY_1_NOON),
        (1588334400000, MAY_1_NOON),  # milliseconds
        ("1588334400", MAY_1_NOON),
        (date(2020, 5, 1), MAY_1),
        (datetime(2020, 5, 1, 12), MAY_1_NOON),
    ],
)
def test_known_forms(raw: object, expected: datetime) -> None:
    got = parse_date(raw)
    assert got == expected
    assert got is not None and got.tzinfo is not None


def test_offsets_are_kept() -> None:
    got = parse_date("2020-05-01T14:00:00+02:00")
    assert got is not None
    assert got.utcoffset() == timedelta(hours=2)
    assert got.tzinfo == timezone(timedelta(hours=2))


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   ",
        "garbage",
        "next tuesday",
        "Mon, 32 Foo 2020",
        "31-MAR-1987 605:12:19.12",
        None,
        True,
        [],
        {},
        float("nan"),
        float("inf"),
        1e300,
        "9" * 200,
        "0000-00-00",
        "27-MAR-1987 00:02:59.13 +99",  # digits after the time are not desk letters
        # beyond any float: not a date, and no OverflowError
        pytest.param(10**400, id="int-of-401-digits"),
        pytest.param(-(10**400), id="negative-int-of-401-digits"),
    ],
)
def test_unknown_is_none(raw: object) -> None:
    assert parse_date(raw) is None


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        st.text(max_size=100),
        st.integers(),
        st.integers(min_value=10**300, max_value=10**1000),
        st.floats(),
        st.none(),
        st.booleans(),
    )
)
def test_never_raises_and_is_always_aware(value: object) -> None:
    got = parse_date(value)
    assert got is None or got.tzinfo is not None
