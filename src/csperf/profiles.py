"""The hour-of-day profile: volume and success (connect) rate by local hour, per team.

Volume-only targets push agents to dial at bad hours; this profile shows when calls connect.
It is computed from the used rows of one source in the same collect as the measures (one extra
group-by by agent and hour), then summed per roster group (e.g. team).

    report:
      group_by: team              # roster column for team averages (default: `team` if mapped)
      hour_profile:
        source: calls
        success: connected        # SQL condition over the source's columns
        timestamp: started_at     # default: the source's `timestamp:`
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from csperf.model_base import Strict

if TYPE_CHECKING:
    import polars as pl

    from csperf.config import Config, LoadedConfig
    from csperf.sources import SourceFrame

HOUR = "hour"
ATTEMPTS = "attempts"
SUCCESSES = "successes"
RATE = "success_rate"
DEFAULT_GROUP = "team"


class HourProfileConfig(Strict):
    """Which rows, timestamp and success condition the hour-of-day profile uses."""

    source: str
    success: str | None = None
    timestamp: str | None = None


class ReportConfig(Strict):
    """Report settings: the roster column that groups agents, and the hour-of-day profile."""

    group_by: str | None = None
    hour_profile: HourProfileConfig | None = None


def group_column(config: Config) -> str | None:
    """The roster column reports group agents by: `report.group_by`, else `team` if mapped."""
    report = config.report
    if report is not None and report.group_by:
        return report.group_by
    roster = config.roster
    if roster is not None and DEFAULT_GROUP in roster.columns:
        return DEFAULT_GROUP
    return None


def profile_timestamp(config: Config) -> str | None:
    report = config.report
    if report is None or report.hour_profile is None:
        return None
    profile = report.hour_profile
    source = config.sources.get(profile.source)
    return profile.timestamp or (source.timestamp if source is not None else None)


def hour_profile_query(config: Config, frames: dict[str, SourceFrame]) -> pl.LazyFrame | None:
    """Per agent and local hour: rows and successful rows (None when no profile is configured)."""
    import polars as pl

    from csperf.expressions import sql_expression

    report = config.report
    if report is None or report.hour_profile is None:
        return None
    profile = report.hour_profile
    timestamp = profile_timestamp(config)
    assert timestamp is not None
    stamp = pl.col(timestamp)
    success = sql_expression(profile.success).fill_null(False) if profile.success else pl.lit(True)
    return (
        frames[profile.source]
        .used()
        .filter(stamp.is_not_null())
        .group_by("agent_id", stamp.dt.hour().cast(pl.Int64).alias(HOUR))
        .agg(pl.len().cast(pl.Int64).alias(ATTEMPTS), success.sum().cast(pl.Int64).alias(SUCCESSES))
    )


def hour_profile_table(per_agent: pl.DataFrame, agents: pl.DataFrame, config: Config) -> pl.DataFrame:
    """group (the roster column, null for agents outside the roster), hour, attempts, successes, rate."""
    import polars as pl

    group = group_column(config)
    name = group or "group"
    if group is not None and group in agents.columns:
        groups = agents.select("agent_id", pl.col(group).cast(pl.String).alias(name))
        joined = per_agent.join(groups, on="agent_id", how="left")
    else:
        joined = per_agent.with_columns(pl.lit(None, dtype=pl.String).alias(name))
    table = joined.group_by(name, HOUR).agg(pl.col(ATTEMPTS).sum(), pl.col(SUCCESSES).sum())
    rate = pl.when(pl.col(ATTEMPTS) > 0).then(pl.col(SUCCESSES) / pl.col(ATTEMPTS)).otherwise(None)
    return table.with_columns(rate.alias(RATE)).sort(name, HOUR, nulls_last=True)


def check_report(loaded: LoadedConfig) -> list[str]:
    """The profile's source, timestamp (a datetime column) and condition; group_by in the roster."""
    from csperf.rules import _check_expression, _suggest, source_columns
    from csperf.sources import source_specs

    config = loaded.config
    report = config.report
    if report is None:
        return []
    problems: list[str] = []
    if report.group_by is not None:
        roster_columns = set(config.roster.columns) if config.roster else set()
        if report.group_by not in roster_columns:
            problems.append(
                f"{loaded.where('report', 'group_by')}: `{report.group_by}` is not a roster column"
                f"{_suggest(report.group_by, roster_columns)}"
            )
    profile = report.hour_profile
    if profile is None:
        return problems
    path = ("report", "hour_profile")
    if profile.source not in config.sources:
        problems.append(
            f"{loaded.where(*path, 'source')}: unknown source `{profile.source}`"
            f"{_suggest(profile.source, config.sources)}"
        )
        return problems
    columns = source_columns(config, profile.source)
    timestamp = profile_timestamp(config)
    if timestamp is None:
        problems.append(
            f"{loaded.where(*path)}: no timestamp; set `timestamp:` here or on sources.{profile.source}"
        )
    elif timestamp not in columns:
        problems.append(
            f"{loaded.where(*path, 'timestamp')}: `{timestamp}` is not a column of source "
            f"`{profile.source}`{_suggest(timestamp, columns)}"
        )
    else:
        spec = source_specs(config, config.sources[profile.source]).get(timestamp)
        if spec is not None and spec.type != "datetime":
            problems.append(
                f"{loaded.where(*path)}: the hour of day needs a datetime; `{timestamp}` has type {spec.type}"
            )
    if profile.success is not None:
        problems += _check_expression(
            loaded, profile.success, columns, f"column of source `{profile.source}`", *path, "success"
        )
    return problems
