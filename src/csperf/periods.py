"""Reporting periods: `--period` text → a half-open [start, end) range of local days.

Accepted forms (case-insensitive):

| text | period |
|---|---|
| `2026` | the calendar year |
| `2026-Q4` | a quarter |
| `2026-10` | a calendar month |
| `2026-W47` | an ISO week, Monday to Sunday (week 1 holds the year's first Thursday) |
| `2026-10-05` | one day |
| `2026-10-01..2026-10-31` | an inclusive range of days |
| `last-week`, `last-month`, `last-quarter`, `last-year`, `yesterday` | before `--as-of` (default today) |

Every period has a canonical label (a relative period resolves to `2026-W47` and so on), which
names output files and tells `previous_period` what "the previous period of the same length" is:
the previous week, month, quarter or year, or the same number of days just before a range.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from pathlib import Path

from csperf.errors import CsperfError
from csperf.sources import Period

FORMS = "2026-10 (month), 2026-W47 (ISO week), 2026-Q4, 2026, 2026-10-05, 2026-10-01..2026-10-31, " + (
    "last-week, last-month, last-quarter, last-year or yesterday"
)
RELATIVE = ("last-week", "last-month", "last-quarter", "last-year", "yesterday")

_YEAR = re.compile(r"^(\d{4})$")
_QUARTER = re.compile(r"^(\d{4})-?Q([1-4])$", re.IGNORECASE)
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_WEEK = re.compile(r"^(\d{4})-?W(\d{1,2})$", re.IGNORECASE)
_DAY = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_RANGE = re.compile(r"^(\S+?)\s*\.\.\s*(\S+)$")


def iso_weeks_in_year(year: int) -> int:
    """52 or 53: 28 December always lies in the year's last ISO week."""
    return date(year, 12, 28).isocalendar().week


def _period(first: date, after_last: date, label: str) -> Period:
    return Period(datetime.combine(first, time()), datetime.combine(after_last, time()), label)


def _month_start(year: int, month: int) -> date:
    """First day of a month; month may run past 12 or below 1 (it carries into the year)."""
    year += (month - 1) // 12
    month = (month - 1) % 12 + 1
    return date(year, month, 1)


def year_period(year: int) -> Period:
    return _period(date(year, 1, 1), date(year + 1, 1, 1), f"{year:04d}")


def quarter_period(year: int, quarter: int) -> Period:
    first = _month_start(year, 3 * (quarter - 1) + 1)
    return _period(first, _month_start(year, 3 * quarter + 1), f"{year:04d}-Q{quarter}")


def month_period(year: int, month: int) -> Period:
    """A calendar month; month 0 is the previous December, 13 the next January."""
    first = _month_start(year, month)
    return _period(first, _month_start(year, month + 1), f"{first.year:04d}-{first.month:02d}")


def week_period(year: int, week: int) -> Period:
    """ISO week `week` of ISO year `year` (Monday 00:00 to the next Monday 00:00)."""
    weeks = iso_weeks_in_year(year)
    if not 1 <= week <= weeks:
        raise CsperfError(f"--period: {year} has {weeks} ISO weeks, so week {week} does not exist")
    monday = date.fromisocalendar(year, week, 1)
    return _period(monday, monday + timedelta(days=7), f"{year:04d}-W{week:02d}")


def day_period(day: date) -> Period:
    return _period(day, day + timedelta(days=1), day.isoformat())


def range_period(first: date, last: date) -> Period:
    """The days first..last, both included."""
    if last < first:
        raise CsperfError(
            f"--period: {first.isoformat()}..{last.isoformat()}: the range ends before it starts; "
            "write the earlier date first"
        )
    return _period(first, last + timedelta(days=1), f"{first.isoformat()}..{last.isoformat()}")


def quarter_before(day: date) -> Period:
    """The quarter before the one `day` lies in."""
    quarter = (day.month - 1) // 3 + 1
    return quarter_period(day.year, quarter - 1) if quarter > 1 else quarter_period(day.year - 1, 4)


def week_of(day: date) -> Period:
    iso = day.isocalendar()
    return week_period(iso.year, iso.week)


def _parse_day(text: str, original: str) -> date:
    match = _DAY.match(text)
    if match:
        try:
            return date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError as exc:
            raise CsperfError(f"--period: {original!r}: {text} is not a date ({exc})") from None
    raise CsperfError(f"--period: {original!r}: {text!r} is not a date; write YYYY-MM-DD")


def parse_period(text: str, as_of: date | None = None) -> Period:
    """The period a `--period` value names; relative forms count back from `as_of` (default today)."""
    value = text.strip()
    lowered = value.lower()
    today = as_of or date.today()
    if lowered in RELATIVE:
        if lowered == "yesterday":
            return day_period(today - timedelta(days=1))
        if lowered == "last-week":
            return week_of(today - timedelta(days=7))
        if lowered == "last-month":
            return month_period(today.year, today.month - 1)
        if lowered == "last-quarter":
            return quarter_before(today)
        return year_period(today.year - 1)
    if match := _RANGE.match(value):
        return range_period(_parse_day(match[1], text), _parse_day(match[2], text))
    if match := _YEAR.match(value):
        return year_period(int(match[1]))
    if match := _QUARTER.match(value):
        return quarter_period(int(match[1]), int(match[2]))
    if match := _WEEK.match(value):
        return week_period(int(match[1]), int(match[2]))
    if match := _MONTH.match(value):
        month = int(match[2])
        if not 1 <= month <= 12:
            raise CsperfError(f"--period: {text!r}: there is no month {month}; months run 01..12")
        return month_period(int(match[1]), month)
    if _DAY.match(value):
        return day_period(_parse_day(value, text))
    raise CsperfError(f"--period: {text!r} is not a period; use {FORMS}")


def period_kind(period: Period) -> str:
    """year, quarter, month, week, day or range — read from the canonical label."""
    label = period.label
    for kind, pattern in (
        ("range", _RANGE),
        ("year", _YEAR),
        ("quarter", _QUARTER),
        ("week", _WEEK),
        ("month", _MONTH),
        ("day", _DAY),
    ):
        if pattern.match(label):
            return kind
    return "range"


def previous_period(period: Period) -> Period:
    """The period of the same length just before: previous week, month, quarter, year or day;
    for a range (or any other span), the same number of days ending where this one starts."""
    kind = period_kind(period)
    first = period.start.date()
    if kind == "year":
        return year_period(first.year - 1)
    if kind == "quarter":
        return quarter_before(first)
    if kind == "month":
        return month_period(first.year, first.month - 1)
    if kind == "week":
        return week_of(first - timedelta(days=7))
    if kind == "day":
        return day_period(first - timedelta(days=1))
    days = (period.end.date() - first).days
    return range_period(first - timedelta(days=days), first - timedelta(days=1))


def last_day(period: Period) -> date:
    """The last day the period includes (its end is exclusive)."""
    return (period.end - timedelta(microseconds=1)).date()


def today_in(timezone: str | None) -> date:
    """Today's date in a time zone (the config's), else the machine's local date."""
    if timezone is None:
        return date.today()
    from zoneinfo import ZoneInfo

    return datetime.now(ZoneInfo(timezone)).date()


_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


def fill_template(path: Path, period: Period | None, config_name: str, as_of: date) -> Path:
    """Fill `{period}`, `{start}`, `{end}`, `{config}` and `{date}` in an output path."""
    values = {
        "period": period.label if period else "all",
        "start": period.start.date().isoformat() if period else "",
        "end": last_day(period).isoformat() if period else "",
        "config": config_name,
        "date": as_of.isoformat(),
    }
    text = str(path)
    unknown = sorted({m for m in _PLACEHOLDER.findall(text) if m not in values})
    if unknown:
        known = ", ".join("{" + k + "}" for k in values)
        raise CsperfError(f"--out {text}: unknown placeholder {{{unknown[0]}}}; use {known}")
    needs_period = {m for m in _PLACEHOLDER.findall(text)} & {"period", "start", "end"}
    if needs_period and period is None:
        raise CsperfError(f"--out {text}: the path names the period; pass --period (e.g. last-week)")
    return Path(_PLACEHOLDER.sub(lambda m: values[m[1]], text))


def parse_as_of(text: str) -> date:
    """`--as-of 2026-11-23`: the day relative periods count back from."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise CsperfError(f"--as-of: {text!r} is not a date; write YYYY-MM-DD, e.g. 2026-11-23") from None
