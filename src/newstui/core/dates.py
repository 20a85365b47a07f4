"""Parse the dates articles carry, in whatever common form, into aware datetimes."""

from __future__ import annotations

import email.utils
import re
from datetime import UTC, date, datetime

# Dates outside this window are garbage (or epoch milliseconds read as seconds).
_MIN_YEAR = 1800
_MAX_YEAR = 2300

_EPOCH_RE = re.compile(r"[+-]?\d{1,13}(?:\.\d+)?")
_REUTERS_RE = re.compile(
    r"(\d{1,2})-([A-Za-z]{3})-(\d{4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?)?"
)
_ORDINAL = re.compile(r"(\d)(st|nd|rd|th)\b")  # 1st -> 1
_MONTHS = {
    m: i
    for i, m in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
    )
}
_FORMATS = (
    "%B %d, %Y",  # May 1, 2020
    "%b %d, %Y",  # Feb 26, 1987
    "%B %d %Y",
    "%b %d %Y",
    "%d %B %Y",  # 1 May 2020
    "%d %b %Y",
    "%B %d, %Y %H:%M",
    "%b %d, %Y %H:%M",
    "%B %d, %Y %I:%M %p",
    "%b %d, %Y %I:%M %p",
    "%Y/%m/%d",
    "%Y/%m/%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y.%m.%d",
    "%d.%m.%Y",  # European dotted form: unambiguous order
    "%A, %B %d, %Y",  # Friday, May 1, 2020
    "%a, %d %b %Y",  # RFC 822 without time
    "%B %Y",
)


def _aware(dt: datetime) -> datetime | None:
    if not _MIN_YEAR <= dt.year <= _MAX_YEAR:
        return None
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt


def _is_trailer(rest: str) -> bool:
    """What Reuters puts after a time (``27-MAR-1987 00:02:59.13RM``, ``... V RM``): desk
    letters and spaces (and control bytes where the text was not cleaned), no digits."""
    return not any(ch.isdigit() for ch in rest) and any(ch.isalpha() for ch in rest)


def _from_epoch(value: float) -> datetime | None:
    if value != value or value in (float("inf"), float("-inf")):  # NaN, infinities
        return None
    if abs(value) >= 1e11:  # milliseconds
        value /= 1000.0
    try:
        return _aware(datetime.fromtimestamp(value, tz=UTC))
    except (OverflowError, OSError, ValueError):
        return None


def _reuters(m: re.Match[str]) -> datetime | None:
    day, mon, year, hh, mm, ss, frac = m.groups()
    month = _MONTHS.get(mon.lower())
    if month is None:
        return None
    micro = int((frac or "0").ljust(6, "0")[:6])
    try:
        return datetime(
            int(year), month, int(day), int(hh or 0), int(mm or 0), int(ss or 0), micro, tzinfo=UTC
        )
    except ValueError:
        return None


def parse_date(value: object) -> datetime | None:
    """A timezone-aware datetime from ``value``, or ``None`` when it is not a date we know.

    Accepts ISO 8601 (``2020-05-01``, ``2020-05-01T12:00:00Z``, with offsets), RFC 822
    (``Fri, 01 May 2020 12:00:00 +0000``), Reuters style (``26-FEB-1987 15:14:36.41``, also
    with the desk letters Reuters appends: ``27-MAR-1987 00:02:59.13RM``),
    common English forms (``May 1, 2020``, ``1 May 2020``), ``2020/05/01``, epoch seconds or
    milliseconds (numbers, or strings of digits), and ``datetime`` objects. Naive times are
    taken as UTC. Never raises.
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, datetime):
        return _aware(value)
    if isinstance(value, date):  # YAML front matter gives dates as datetime.date
        return _aware(datetime(value.year, value.month, value.day))
    if isinstance(value, int | float):
        try:
            return _from_epoch(float(value))
        except OverflowError:  # an integer beyond any float (10**400): not a date
            return None
    if not isinstance(value, str):
        return None
    s = value.strip()
    if not s or len(s) > 80:
        return None
    if _EPOCH_RE.fullmatch(s):
        if len(s.lstrip("+-").split(".")[0]) < 9:  # "2020" is a year, not an epoch
            return _year_only(s)
        return _from_epoch(float(s))
    iso = s[:-1] + "+00:00" if s[-1:] in "Zz" else s
    try:
        return _aware(datetime.fromisoformat(iso))
    except ValueError:
        pass
    m = _REUTERS_RE.match(s)
    if m and (m.end() == len(s) or (m.group(4) and _is_trailer(s[m.end() :]))):
        return _reuters(m)
    if "," in s[:12] or s[:3].isalpha() or s[-5:].lstrip("+-").isdigit():
        try:
            dt = email.utils.parsedate_to_datetime(s)
        except (TypeError, ValueError, IndexError, OverflowError):
            dt = None
        if dt is not None:
            return _aware(dt)
    norm = " ".join(s.replace(" UTC", "").replace(" GMT", "").split())
    norm = _ORDINAL.sub(r"\1", norm)
    for fmt in _FORMATS:
        try:
            return _aware(datetime.strptime(norm, fmt))
        except ValueError:
            continue
    return None


def _year_only(s: str) -> datetime | None:
    if len(s) == 4 and s.isdigit():
        return _aware(datetime(int(s), 1, 1))
    return None
