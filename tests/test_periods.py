"""Periods (`--period`, `--as-of`), the previous period, time zones, month ends and the calendar.

ISO weeks are checked against the definition (week 1 is the week with the year's first Thursday;
weeks run Monday to Sunday), computed here by walking the calendar day by day rather than with
`date.fromisocalendar`, which the module under test uses.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from csperf.api import run_score
from csperf.calendar import CalendarConfig
from csperf.errors import CsperfError
from csperf.periods import (
    fill_template,
    iso_weeks_in_year,
    last_day,
    parse_as_of,
    parse_period,
    period_kind,
    previous_period,
    week_of,
)
from csperf.sources import Period

DATA = Path(__file__).resolve().parent / "data" / "reports"
CONFIG = DATA / "utc_weekly.yaml"


def midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day)


def first_monday_of_iso_year(year: int) -> date:
    """By the definition: the Monday of the week holding the first Thursday of January."""
    day = date(year, 1, 1)
    while day.weekday() != 3:  # Thursday
        day += timedelta(days=1)
    return day - timedelta(days=3)


def weeks_by_definition(year: int) -> int:
    return (first_monday_of_iso_year(year + 1) - first_monday_of_iso_year(year)).days // 7


# --- parsing ---------------------------------------------------------------------------------


def test_month_including_its_last_second() -> None:
    october = parse_period("2026-10")
    assert (october.start, october.end, october.label) == (
        datetime(2026, 10, 1),
        datetime(2026, 11, 1),
        "2026-10",
    )
    assert last_day(october) == date(2026, 10, 31)


@pytest.mark.parametrize(
    ("text", "end"),
    [("2026-02", date(2026, 3, 1)), ("2028-02", date(2028, 3, 1)), ("2026-12", date(2027, 1, 1))],
)
def test_month_ends(text: str, end: date) -> None:
    period = parse_period(text)
    assert period.end == midnight(end)
    # February 2028 is a leap month: 29 days; 2026 is not.
    expected_days = {"2026-02": 28, "2028-02": 29, "2026-12": 31}[text]
    assert (period.end - period.start).days == expected_days


def test_iso_week_1_starts_in_the_previous_december() -> None:
    # 1 January 2026 is a Thursday, so week 1 runs Monday 29 December 2025 .. Sunday 4 January.
    assert date(2026, 1, 1).weekday() == 3
    week = parse_period("2026-W01")
    assert week.start == datetime(2025, 12, 29)
    assert week.end == datetime(2026, 1, 5)
    assert week.label == "2026-W01"


def test_iso_week_53_exists_only_in_long_years() -> None:
    # 2026 starts on a Thursday: 53 weeks; W53 is 28 Dec 2026 .. 3 Jan 2027.
    assert weeks_by_definition(2026) == 53 == iso_weeks_in_year(2026)
    week = parse_period("2026-W53")
    assert (week.start, week.end) == (datetime(2026, 12, 28), datetime(2027, 1, 4))
    assert weeks_by_definition(2025) == 52 == iso_weeks_in_year(2025)
    with pytest.raises(CsperfError, match="2025 has 52 ISO weeks, so week 53 does not exist"):
        parse_period("2025-W53")
    with pytest.raises(CsperfError, match="week 0 does not exist"):
        parse_period("2026-W00")


@given(st.integers(min_value=1990, max_value=2100))
def test_week_counts_follow_the_definition(year: int) -> None:
    assert iso_weeks_in_year(year) == weeks_by_definition(year)
    assert parse_period(f"{year}-W01").start == midnight(first_monday_of_iso_year(year))


def test_week_47_of_2026() -> None:
    week = parse_period("2026-w47")  # case-insensitive
    assert week.start == datetime(2026, 11, 16)
    assert week.start.weekday() == 0
    assert last_day(week) == date(2026, 11, 22)


def test_quarter_and_year() -> None:
    q4 = parse_period("2026-Q4")
    assert (q4.start, q4.end, q4.label) == (datetime(2026, 10, 1), datetime(2027, 1, 1), "2026-Q4")
    assert previous_period(parse_period("2026-Q1")).label == "2025-Q4"
    year = parse_period("2026")
    assert (year.start, year.end) == (datetime(2026, 1, 1), datetime(2027, 1, 1))


def test_range_is_inclusive_and_its_previous_has_the_same_length() -> None:
    period = parse_period("2026-10-01..2026-10-31")
    assert (period.start, period.end) == (datetime(2026, 10, 1), datetime(2026, 11, 1))
    before = previous_period(period)
    assert before.label == "2026-08-31..2026-09-30"  # 31 days, ending the day before
    assert before.end == period.start
    assert (before.end - before.start) == (period.end - period.start)


def test_single_day() -> None:
    day = parse_period("2026-10-05")
    assert (day.start, day.end, period_kind(day)) == (datetime(2026, 10, 5), datetime(2026, 10, 6), "day")
    assert previous_period(day).label == "2026-10-04"


@pytest.mark.parametrize(
    ("text", "as_of", "label"),
    [
        ("last-week", date(2026, 11, 23), "2026-W47"),  # a Monday: the week that just ended
        ("last-week", date(2026, 11, 29), "2026-W47"),  # the Sunday after: still W47
        ("last-week", date(2027, 1, 6), "2026-W53"),  # across the year end
        ("last-week", date(2026, 1, 7), "2026-W01"),
        ("last-month", date(2026, 11, 3), "2026-10"),
        ("last-month", date(2026, 1, 15), "2025-12"),
        ("last-quarter", date(2026, 2, 1), "2025-Q4"),
        ("last-quarter", date(2026, 11, 1), "2026-Q3"),
        ("last-year", date(2026, 3, 1), "2025"),
        ("yesterday", date(2026, 3, 1), "2026-02-28"),
        ("LAST-WEEK", date(2026, 11, 23), "2026-W47"),
    ],
)
def test_relative_periods_are_reproducible_with_as_of(text: str, as_of: date, label: str) -> None:
    assert parse_period(text, as_of=as_of).label == label


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2026-13", "there is no month 13"),
        ("2026-02-30", "is not a date"),
        ("2026-10-31..2026-10-01", "the range ends before it starts"),
        ("next-week", "is not a period; use 2026-10 (month)"),
        ("October", "is not a period"),
    ],
)
def test_bad_periods_say_what_to_write(text: str, message: str) -> None:
    with pytest.raises(CsperfError, match=re.escape(message)):
        parse_period(text)


def test_as_of_must_be_a_date() -> None:
    assert parse_as_of("2026-11-23") == date(2026, 11, 23)
    with pytest.raises(CsperfError, match="--as-of: '23/11/2026' is not a date"):
        parse_as_of("23/11/2026")


@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 31)))
def test_a_day_lies_in_its_week_month_and_their_previous_periods_touch(day: date) -> None:
    week = week_of(day)
    assert week.start <= midnight(day) < week.end
    assert week.start.weekday() == 0 and (week.end - week.start).days == 7
    month = parse_period(f"{day.year:04d}-{day.month:02d}")
    assert month.start <= midnight(day) < month.end
    for period in (week, month, parse_period(day.isoformat())):
        before = previous_period(period)
        assert before.end == period.start
        assert period_kind(before) == period_kind(period)
        assert previous_period(before).end == before.start


# --- output path templates -------------------------------------------------------------------


def test_output_template() -> None:
    week = parse_period("2026-W47")
    filled = fill_template(
        Path("reports/{config}/{period}_{start}_{end}.xlsx"), week, "outbound", date(2026, 11, 23)
    )
    assert filled == Path("reports/outbound/2026-W47_2026-11-16_2026-11-22.xlsx")
    assert fill_template(Path("r-{date}.md"), None, "x", date(2026, 11, 23)) == Path("r-2026-11-23.md")
    with pytest.raises(CsperfError, match=r"unknown placeholder \{week\}"):
        fill_template(Path("{week}.xlsx"), week, "x", date(2026, 11, 23))
    with pytest.raises(CsperfError, match="pass --period"):
        fill_template(Path("{period}.xlsx"), None, "x", date(2026, 11, 23))


# --- time zones and boundaries in a real run -------------------------------------------------
# calls.csv holds ISO UTC (`Z`), `+08:00` and naive local timestamps. In Asia/Shanghai (UTC+8):
#   A1 2026-10-18T15:59:59Z = 18 Oct 23:59:59 (W42)   A1 2026-10-18T16:00:00Z = 19 Oct 00:00 (W43)
#   A1 2026-10-25T15:59:59Z = 25 Oct 23:59:59 (W43)   A1 2026-10-25T16:00:00Z = 26 Oct 00:00 (W44)
#   A3 2026-10-31T15:59:59Z = 31 Oct 23:59:59 (Oct)   A3 2026-10-31T16:00:00Z = 1 Nov 00:00 (Nov)


def _agents(period: Period) -> dict[str, dict[str, object]]:
    result = run_score(CONFIG, period=period)
    return {row["agent_id"]: row for row in result.agents.iter_rows(named=True)}


def test_utc_timestamps_shift_into_the_local_week() -> None:
    result = run_score(CONFIG, period=parse_period("2026-W43"))
    calls = result.data_quality.sources["calls"]
    # 14 rows: A1's 18 Oct 23:59:59 and 26 Oct 00:00 local, A3's 31 Oct and 1 Nov are outside.
    assert (calls.rows_read, calls.rows_used, calls.outside_period) == (14, 10, 4)
    agents = {row["agent_id"]: row for row in result.agents.iter_rows(named=True)}
    # A1 in W43: 19 Oct 00:00 (not connected), 19 Oct 09:30, 25 Oct 23:59:59 (both connected).
    assert (agents["A1"]["dials"], agents["A1"]["connected"]) == (3, 2)
    assert agents["A1"]["connect_rate"] == pytest.approx(2 / 3)


def test_the_previous_week_gets_the_row_just_before_local_midnight() -> None:
    agents = _agents(parse_period("2026-W42"))
    assert agents["A1"]["dials"] == 1  # 2026-10-18T15:59:59Z is Sunday 23:59:59 in Shanghai
    assert sum(int(a["dials"]) for a in agents.values()) == 1  # type: ignore[call-overload]


def test_month_end_at_local_midnight() -> None:
    october, november = _agents(parse_period("2026-10")), _agents(parse_period("2026-11"))
    assert october["A3"]["dials"] == 2  # 24 Oct and 31 Oct 23:59:59 local
    assert november["A3"]["dials"] == 1  # 2026-10-31T16:00:00Z is 1 Nov 00:00 local
    assert sum(int(a["dials"]) for a in october.values()) == 13  # type: ignore[call-overload]


def test_days_and_hours_are_local() -> None:
    """A2's calls fall on 20 Oct (two) and 22 Oct local; in UTC they would be 19, 20 and 21 Oct."""
    agents = _agents(parse_period("2026-W43"))
    assert agents["A2"]["work_days"] == 2
    result = run_score(CONFIG, period=parse_period("2026-W43"))
    assert result.hour_profile is not None
    hours = {(r["team"], r["hour"]): r["attempts"] for r in result.hour_profile.to_dicts()}
    # A2: 02:00 (+08:00 given), 10:00 (naive = local), 07:30 (23:30Z the day before)
    assert {h for (team, h) in hours if team == "T2"} == {2, 7, 10, 14, 15}
    # A1: 00:00, 09:30, 23:59:59; A3: 12:00; A5: 11:00
    assert {h for (team, h) in hours if team == "T1"} == {0, 9, 11, 12, 23}


def test_column_time_zone_converts_naive_text() -> None:
    import polars as pl

    from csperf.config import ColumnSpec
    from csperf.parsing import parse_datetime

    frame = pl.DataFrame({"t": ["2026-10-25 16:00:00", "2026-10-25T16:00:00Z", "2026-10-26 00:00:00"]})
    utc_column = ColumnSpec.model_validate({"type": "datetime", "timezone": "UTC"})
    local_column = ColumnSpec.model_validate({"type": "datetime"})
    as_utc = frame.select(parse_datetime(pl.col("t"), utc_column, "Asia/Shanghai"))["t"].to_list()
    as_local = frame.select(parse_datetime(pl.col("t"), local_column, "Asia/Shanghai"))["t"].to_list()
    monday = datetime(2026, 10, 26, 0, 0)
    assert as_utc[:2] == [monday, monday]  # 16:00 UTC is midnight in Shanghai
    assert as_local == [datetime(2026, 10, 25, 16, 0), monday, monday]


# --- the working-day calendar ----------------------------------------------------------------


def test_october_2026_working_days_match_the_published_calendar() -> None:
    calendar = CalendarConfig.model_validate(
        {"holidays": ["2026-10-01..2026-10-07"], "workdays": [date(2026, 10, 10)]}
    )
    # examples/outbound/README.md lists the 18 working days of October 2026.
    published = "10-08 10-09 10-10 10-12 10-13 10-14 10-15 10-16 10-19 10-20 10-21 10-22 10-23 10-26 " + (
        "10-27 10-28 10-29 10-30"
    )
    expected = [date(2026, int(d[:2]), int(d[3:])) for d in published.split()]
    assert calendar.working_days(date(2026, 10, 1), date(2026, 11, 1)) == expected


def test_calendar_measure_per_agent_within_employment() -> None:
    week = _agents(parse_period("2026-W43"))
    assert week["A1"]["working_days"] == 5
    assert week["A5"]["working_days"] == 2  # hired Thursday 22 Oct: 22nd and 23rd
    assert week["A1"]["dials_per_working_day"] == pytest.approx(3 / 5)
    october = _agents(parse_period("2026-10"))
    assert october["A1"]["working_days"] == 18
    assert october["A5"]["working_days"] == 7  # 22, 23, 26, 27, 28, 29, 30 Oct


def test_calendar_measure_needs_a_period() -> None:
    with pytest.raises(CsperfError, match="counts working days in a period; pass --period"):
        run_score(CONFIG)


def test_calendar_rejects_bad_dates_and_columns(tmp_path: Path) -> None:
    from csperf.config import load_config

    original = CONFIG.read_text(encoding="utf-8")
    (tmp_path / "dates.yaml").write_text(
        original.replace('"2026-10-01..2026-10-07"', '"2026-10-07..2026-10-01"'), encoding="utf-8"
    )
    with pytest.raises(
        CsperfError, match=r"calendar\.holidays: '2026-10-07\.\.2026-10-01': the range ends before"
    ):
        load_config(tmp_path / "dates.yaml")
    (tmp_path / "columns.yaml").write_text(
        original.replace("employment: {start: hired_on}", "employment: {start: name}"), encoding="utf-8"
    )
    with pytest.raises(CsperfError, match=re.escape("employment.start: roster column `name` has type str")):
        load_config(tmp_path / "columns.yaml")
