"""Working days from a configured calendar, for per-day metrics (e.g. dials per working day).

Counting days from the data (`count_distinct` of the call date) measures the days an agent
worked; a calendar gives the days the agent was expected to work: weekdays minus holidays plus
make-up working days, clipped to the agent's employment dates when the roster has them.

    calendar:
      measure: working_days                 # the name ratios and formulas use
      weekdays: [mon, tue, wed, thu, fri]
      holidays: ["2026-10-01..2026-10-07"]  # dates or inclusive ranges
      workdays: [2026-10-10]                # make-up working days (调休上班)
      employment: {start: hired_on, end: left_on}   # roster date columns, both optional
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Literal

from pydantic import Field, field_validator

from csperf.model_base import Strict

if TYPE_CHECKING:
    import polars as pl

    from csperf.config import Config, LoadedConfig
    from csperf.sources import Period

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: list[Weekday] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def _dates(value: date | str) -> list[date]:
    """A date, or every day of an inclusive `first..last` range."""
    if isinstance(value, date):
        return [value]
    first_text, sep, last_text = value.partition("..")
    try:
        first = date.fromisoformat(first_text.strip())
        last = date.fromisoformat(last_text.strip()) if sep else first
    except ValueError:
        raise ValueError(
            f"{value!r} is not a date or a range; write 2026-10-01 or 2026-10-01..2026-10-07"
        ) from None
    if last < first:
        raise ValueError(f"{value!r}: the range ends before it starts")
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


class Employment(Strict):
    """Roster date columns bounding the days an agent is expected to work (end is inclusive)."""

    start: str | None = None
    end: str | None = None


class CalendarConfig(Strict):
    """Which days are working days; provides a per-agent measure (default name `working_days`)."""

    measure: str = "working_days"
    weekdays: list[Weekday] = Field(default_factory=lambda: list(WEEKDAYS[:5]))
    holidays: list[date | str] = Field(default_factory=list)
    workdays: list[date | str] = Field(default_factory=list)
    employment: Employment | None = None

    @field_validator("holidays", "workdays")
    @classmethod
    def _valid_dates(cls, values: list[date | str]) -> list[date | str]:
        for value in values:
            _dates(value)
        return values

    def holiday_set(self) -> set[date]:
        return {d for v in self.holidays for d in _dates(v)}

    def workday_set(self) -> set[date]:
        return {d for v in self.workdays for d in _dates(v)}

    def is_working_day(self, day: date) -> bool:
        if day in self.workday_set():
            return True
        return WEEKDAYS[day.weekday()] in self.weekdays and day not in self.holiday_set()

    def working_days(self, first: date, after_last: date) -> list[date]:
        """The working days in [first, after_last)."""
        holidays, workdays = self.holiday_set(), self.workday_set()
        weekdays = {WEEKDAYS.index(w) for w in self.weekdays}
        days = []
        day = first
        while day < after_last:
            if day in workdays or (day.weekday() in weekdays and day not in holidays):
                days.append(day)
            day += timedelta(days=1)
        return days


def uses_calendar(config: Config) -> bool:
    """Whether any metric reads the calendar's measure."""
    from csperf.expressions import ExpressionError, referenced_names

    calendar = config.calendar
    if calendar is None:
        return False
    name = calendar.measure
    for metric in config.metrics.values():
        if metric.ratio is not None and name in metric.ratio:
            return True
        if metric.min_volume is not None and metric.min_volume.measure == name:
            return True
        if metric.formula is not None:
            try:
                if name in referenced_names(metric.formula):
                    return True
            except ExpressionError:
                continue
    return False


def calendar_measures(config: Config) -> set[str]:
    """Measure names the calendar provides (for the config rules)."""
    return {config.calendar.measure} if config.calendar is not None else set()


def add_working_days(
    measures: pl.DataFrame, agents: pl.DataFrame, loaded: LoadedConfig, period: Period | None
) -> pl.DataFrame:
    """Add the calendar's measure: working days in the period, per agent within employment dates."""
    import polars as pl

    from csperf.errors import ConfigError

    config = loaded.config
    calendar = config.calendar
    assert calendar is not None
    if period is None:
        if not uses_calendar(config):
            return measures
        raise ConfigError(
            f"{loaded.where('calendar')}: `{calendar.measure}` counts working days in a period; "
            "pass --period (e.g. 2026-10 or last-week)"
        )
    days = calendar.working_days(period.start.date(), period.end.date())
    employment = calendar.employment or Employment()
    counts: dict[str, int] = {}
    columns = [c for c in (employment.start, employment.end) if c]
    lookup = agents.select("agent_id", *columns).to_dicts() if columns else []
    for row in lookup:
        start = row.get(employment.start) if employment.start else None
        end = row.get(employment.end) if employment.end else None
        counts[row["agent_id"]] = sum(
            1 for d in days if (start is None or d >= start) and (end is None or d <= end)
        )
    default = len(days)
    values = [counts.get(agent, default) for agent in measures["agent_id"].to_list()]
    return measures.with_columns(pl.Series(calendar.measure, values, dtype=pl.Int64))


def check_calendar(loaded: LoadedConfig) -> list[str]:
    """The calendar's measure must not clash with a measure; employment columns are roster dates."""
    config = loaded.config
    calendar = config.calendar
    if calendar is None:
        return []
    problems: list[str] = []
    if calendar.measure in config.measures or calendar.measure in config.metrics:
        problems.append(
            f"{loaded.where('calendar', 'measure')}: `{calendar.measure}` is already a measure or metric; "
            "give the calendar's measure another name"
        )
    if not calendar.weekdays and not calendar.workdays:
        problems.append(f"{loaded.where('calendar', 'weekdays')}: no working day at all; list some weekdays")
    if calendar.employment is not None:
        roster = config.roster
        specs = roster.column_specs() if roster is not None else {}
        for key in ("start", "end"):
            column = getattr(calendar.employment, key)
            if column is None:
                continue
            if column not in specs:
                problems.append(
                    f"{loaded.where('calendar', 'employment', key)}: `{column}` is not a roster column; "
                    "map a date column in `roster.columns`"
                )
            elif specs[column].type != "date":
                problems.append(
                    f"{loaded.where('calendar', 'employment', key)}: roster column `{column}` has type "
                    f"{specs[column].type}; give it `type: date`"
                )
    return problems
