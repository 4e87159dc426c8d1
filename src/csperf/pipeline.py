"""The scoring run: read sources → measures → metrics → points → scores → ranks.

`score()` is the library entry point that the CLI and the tests call.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl

from csperf.config import Config, LoadedConfig
from csperf.errors import DataError
from csperf.fastread import reading_holds
from csperf.measures import AGENT, fill_missing, measures_by_source, source_queries, source_results
from csperf.metrics import compute_metrics
from csperf.ranking import rank_agents
from csperf.scoring import SCORECARD, assign_scorecards, breakdown, category_subtotals, scores
from csperf.shrinkage import apply_shrinkage
from csperf.sources import (
    FILE,
    REASON,
    ROW,
    STATUS,
    Period,
    SourceFrame,
    deferred_utf8_check,
    read_source,
    recheck_encodings,
)


@dataclass
class SourceQuality:
    """Row accounting of one source: read = used + rejected + skipped + duplicates + outside period."""

    files: list[str]
    rows_read: int = 0
    rows_used: int = 0
    rejected: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, int] = field(default_factory=dict)
    duplicates: int = 0
    outside_period: int = 0
    # Facts a reader should see though nothing was rejected (e.g. a source with no data rows).
    warnings: list[str] = field(default_factory=list)

    @property
    def rows_rejected(self) -> int:
        return sum(self.rejected.values())

    @property
    def rows_skipped(self) -> int:
        return sum(self.skipped.values())

    def accounting(self) -> list[int]:
        """rows read, used, rejected, skipped, duplicates, outside the period (the report columns)."""
        return [
            self.rows_read,
            self.rows_used,
            self.rows_rejected,
            self.rows_skipped,
            self.duplicates,
            self.outside_period,
        ]

    def to_dict(self) -> dict[str, Any]:
        return {
            "files": self.files,
            "rows_read": self.rows_read,
            "rows_used": self.rows_used,
            "rows_rejected": self.rows_rejected,
            "rejected": dict(sorted(self.rejected.items())),
            "rows_skipped": self.rows_skipped,
            "skipped": dict(sorted(self.skipped.items())),
            "duplicates": self.duplicates,
            "outside_period": self.outside_period,
            "warnings": self.warnings,
        }


@dataclass
class DataQuality:
    sources: dict[str, SourceQuality] = field(default_factory=dict)
    agents_not_in_roster: list[str] = field(default_factory=list)
    roster_agents_without_data: list[str] = field(default_factory=list)
    agents_without_scorecard: list[str] = field(default_factory=list)
    agents_not_scored: list[str] = field(default_factory=list)
    insufficient: list[dict[str, Any]] = field(default_factory=list)

    @property
    def rows_rejected(self) -> int:
        return sum(s.rows_rejected for s in self.sources.values())

    def to_dict(self) -> dict[str, Any]:
        return {
            "sources": {name: q.to_dict() for name, q in self.sources.items()},
            "agents_not_in_roster": self.agents_not_in_roster,
            "roster_agents_without_data": self.roster_agents_without_data,
            "agents_without_scorecard": self.agents_without_scorecard,
            "agents_not_scored": self.agents_not_scored,
            "insufficient_metrics": self.insufficient,
        }


@dataclass
class ScoreResult:
    """Everything one scoring run produced."""

    loaded: LoadedConfig
    agents: pl.DataFrame
    breakdown: pl.DataFrame
    metrics: pl.DataFrame
    data_quality: DataQuality
    period: Period | None = None
    rejects: dict[str, pl.DataFrame] = field(default_factory=dict)
    # The same scoring for the previous period of the same length (--compare-previous).
    previous: ScoreResult | None = None
    # Volume and success rate by local hour per group (`report.hour_profile`), else None.
    hour_profile: pl.DataFrame | None = None
    # One row per agent: tier, gates fired, payout parts, amounts (`bonus:`), else None.
    bonus: pl.DataFrame | None = None
    # First and last day of the used rows' timestamps (computed when `bonus:` or leaderboards need it).
    coverage: tuple[date, date] | None = None
    # Rows flagged by `text_rules:` (hits, incomplete required steps) for evidence, else None.
    text_hits: pl.DataFrame | None = None

    @property
    def config(self) -> Config:
        return self.loaded.config

    def categories(self) -> list[str]:
        """Category names in config order across the scorecards used."""
        seen: dict[str, None] = {}
        for card in self.config.scorecards.values():
            for name in card.categories:
                seen.setdefault(name)
        return list(seen)

    def scored_metrics(self) -> list[str]:
        seen: dict[str, None] = {}
        for card in self.config.scorecards.values():
            for category in card.categories.values():
                for name in category.metrics:
                    seen.setdefault(name)
        return list(seen)


def base_directory(loaded: LoadedConfig, data_dir: str | Path | None) -> Path:
    """Where source paths are looked up: --data, else the config's `data_dir:`, else its folder."""
    if data_dir is not None:
        return Path(data_dir)
    if loaded.config.data_dir is not None:
        return loaded.path.parent / loaded.config.data_dir
    return loaded.path.parent


def _quality(name: str, frame: SourceFrame, counts: pl.DataFrame) -> SourceQuality:
    quality = SourceQuality(files=[str(p) for p in frame.files])
    for status, reason, rows in counts.iter_rows():
        quality.rows_read += rows
        if status is None:
            quality.rows_used += rows
        elif status == "rejected":
            quality.rejected[reason] = quality.rejected.get(reason, 0) + rows
        elif status == "skipped":
            quality.skipped[reason] = quality.skipped.get(reason, 0) + rows
        elif status == "duplicate":
            quality.duplicates += rows
        elif status == "outside_period":
            quality.outside_period += rows
    if quality.rows_read == 0:
        quality.warnings.append(
            f"{', '.join(quality.files)}: sources.{name}: no data rows (header only); nothing from this "
            "source counts (fine if there really was nothing, e.g. no complaints)"
        )
    return quality


def read_roster(loaded: LoadedConfig, base_dir: Path) -> tuple[pl.DataFrame, SourceQuality] | None:
    roster = loaded.config.roster
    if roster is None:
        return None
    if not roster.dedupe_on:
        roster = roster.model_copy(update={"dedupe_on": ["agent_id"]})
    frame = read_source(loaded.config, "roster", base_dir, source=roster)
    table, counts = pl.collect_all([frame.used(), frame.accounting_query()])
    keep = [c for c in table.columns if not c.startswith("_")]
    return table.select(keep), _quality("roster", frame, counts)


# Rows per batch of the streaming engine: bigger than Polars' default (100,000) pays the fixed
# cost of each expression over fewer batches (about 10% faster on 10M rows, same peak memory).
STREAMING_BATCH_ROWS = 250_000


def collect_streaming(queries: list[pl.LazyFrame]) -> list[pl.DataFrame]:
    """Run the queries together on the streaming engine: files are read batch by batch, so memory
    stays flat however long they are."""
    with pl.Config(streaming_chunk_size=STREAMING_BATCH_ROWS):
        return pl.collect_all(queries, engine="streaming")


def score(
    loaded: LoadedConfig,
    data_dir: str | Path | None = None,
    period: Period | None = None,
    scorecards: list[str] | None = None,
    keep_rejects: bool = False,
) -> ScoreResult:
    """Score every agent: the whole run, from files to ranked scores with their breakdown."""
    none: frozenset[str] = frozenset()
    return _score(loaded, data_dir, period, scorecards, keep_rejects, general=none, untyped=none)


def _score(
    loaded: LoadedConfig,
    data_dir: str | Path | None,
    period: Period | None,
    scorecards: list[str] | None,
    keep_rejects: bool,
    general: frozenset[str],
    untyped: frozenset[str],
) -> ScoreResult:
    """`score`, taking the fast reading of each source not in `general` (see csperf.fastread), with
    columns typed by the CSV reader unless the source is in `untyped`. When the query fails, the
    sources read with typed columns are read again without them, then all the general way; a
    source where the fast reading does not hold is read again the general way."""
    config = loaded.config
    base = base_directory(loaded, data_dir)
    with deferred_utf8_check():  # Polars checks UTF-8 while reading; see recheck_encodings below
        frames = {
            name: read_source(
                config,
                name,
                base,
                period=period,
                fast=name not in general,
                row_numbers=keep_rejects or _places_needed(config, name),
                typed_reading=not keep_rejects and name not in untyped,
            )
            for name in config.sources
        }
    fast_sources = frozenset(name for name, frame in frames.items() if frame.fast is not None)
    if config.text_rules:
        from csperf.text_rules import apply_text_rules, hits_query

        for name, frame in frames.items():
            frame.frame = apply_text_rules(frame.frame, config, name)
    grouped = measures_by_source(config)
    combined = True  # accounting and measures of a source in one group-by; see source_queries
    queries: list[pl.LazyFrame] = []
    accounting_at: dict[str, int] = {}  # where each source's accounting is among the results
    for name, frame in frames.items():
        accounting_at[name] = len(queries)
        queries += source_queries(frame, grouped.get(name))
    per_source_queries = len(queries)
    if keep_rejects:
        for frame in frames.values():
            queries.append(frame.frame.filter(pl.col(STATUS) == "rejected"))
    from csperf.profiles import hour_profile_query, hour_profile_table

    profile_query = hour_profile_query(config, frames)
    if profile_query is not None:
        queries.append(profile_query)
    from csperf.bonus import coverage_from, coverage_query

    span_query = coverage_query(frames, config) if (config.bonus or config.leaderboards) else None
    if span_query is not None:
        queries.append(span_query)
    text_query = hits_query(config, frames) if config.text_rules else None
    if text_query is not None:
        queries.append(text_query)
    try:
        collected = collect_streaming(queries)
    except pl.exceptions.PolarsError:
        typed = frozenset(name for name, frame in frames.items() if frame.fast and frame.fast.typed)
        if typed:  # a cell the reader does not take as the column's type (a null word, say)
            return _score(loaded, data_dir, period, scorecards, keep_rejects, general, untyped | typed)
        if fast_sources:
            return _score(loaded, data_dir, period, scorecards, keep_rejects, general | fast_sources, untyped)
        # A measure may fail on a rejected or skipped row: count and aggregate separately.
        combined = False
        split = [q for name, frame in frames.items() for q in source_queries(frame, grouped.get(name), False)]
        try:
            collected = collect_streaming(split + queries[per_source_queries:])
        except pl.exceptions.PolarsError as exc:
            recheck_encodings(config, frames)
            for frame in frames.values():
                frame.collect(frame.accounting_query())  # raises a DataError naming the file that fails
            raise DataError(f"cannot compute the measures: {str(exc).strip().splitlines()[0]}") from None
    unclean = frozenset(
        name
        for name in fast_sources
        if not reading_holds(config, frames[name], collected[accounting_at[name]])
    )
    if unclean:
        return _score(loaded, data_dir, period, scorecards, keep_rejects, general | unclean, untyped)
    results = iter(collected)

    quality = DataQuality()
    per_source: list[pl.DataFrame] = []
    for name, frame in frames.items():
        counts, per_agent = source_results(results, name in grouped, combined)
        quality.sources[name] = _quality(name, frame, counts)
        if per_agent is not None:
            per_source.append(per_agent)
    rejects: dict[str, pl.DataFrame] = {}
    if keep_rejects:
        for name in frames:
            rejects[name] = _rejects_table(next(results))
    hours_per_agent = next(results) if profile_query is not None else None
    coverage = coverage_from(next(results)) if span_query is not None else None
    text_hits = next(results) if text_query is not None else None

    measures = _join_measures(per_source)
    agents = _agents(loaded, base, measures, quality)
    measures = agents.select(AGENT).join(measures, on=AGENT, how="left")
    measures = fill_missing(_ensure_measure_columns(measures, config), config)
    if config.calendar is not None:
        from csperf.calendar import add_working_days

        measures = add_working_days(measures, agents, loaded, period)
    metrics = compute_metrics(measures, config)

    table, long, metrics = score_metrics(config, agents, metrics, quality, scorecards)
    return ScoreResult(
        loaded=loaded,
        agents=table,
        breakdown=long,
        metrics=metrics,
        data_quality=quality,
        period=period,
        rejects=rejects,
        hour_profile=None if hours_per_agent is None else hour_profile_table(hours_per_agent, table, config),
        bonus=bonus_table(loaded, table, period, coverage),
        coverage=coverage,
        text_hits=text_hits,
    )


def _places_needed(config: Config, source_name: str) -> bool:
    """Whether a source's rows need their file line (text-rule evidence, which copy a dedupe keeps)."""
    if config.sources[source_name].dedupe_on:
        return True
    if not config.text_rules:
        return False
    from csperf.text_rules import rules_of

    return bool(rules_of(config, source_name))


def score_metrics(
    config: Config,
    agents: pl.DataFrame,
    metrics: pl.DataFrame,
    quality: DataQuality,
    scorecards: list[str] | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Every stage after the metrics: scorecards, shrinkage, points and weights, scores, ranks.

    Returns the agents table, the breakdown and the (shrunk) metrics, and fills the scoring facts
    of `quality`. `csperf compare` calls this once per variant on metrics read once.
    """
    agents = assign_scorecards(agents, config, scorecards)
    quality.agents_without_scorecard = sorted(agents.filter(pl.col(SCORECARD).is_null())[AGENT].to_list())
    metrics = apply_shrinkage(metrics, agents, config)
    long = breakdown(metrics, agents, config)
    # A roster agent with no row in any source (e.g. on leave all period) is not scored at all:
    # judging count metrics at 0 would rank them last for being absent.
    long = long.filter(~pl.col(AGENT).is_in(quality.roster_agents_without_data))
    quality.insufficient = _insufficient_list(long, metrics, config)

    table = agents.join(scores(long), on=AGENT, how="left")
    table = table.join(category_subtotals(long, _category_order(config)), on=AGENT, how="left")
    table = table.join(metrics, on=AGENT, how="left")
    table = rank_agents(table, config, "rank")
    table = rank_agents(table, config, "scorecard_rank", group=SCORECARD)
    table = table.sort(pl.col("rank"), pl.col(AGENT), nulls_last=True)
    quality.agents_not_scored = sorted(
        table.filter(pl.col(SCORECARD).is_not_null() & pl.col("score").is_null())[AGENT].to_list()
    )
    return table, long, metrics


def _category_order(config: Config) -> list[str]:
    seen: dict[str, None] = {}
    for card in config.scorecards.values():
        for name in card.categories:
            seen.setdefault(name)
    return list(seen)


def bonus_table(
    loaded: LoadedConfig, table: pl.DataFrame, period: Period | None, coverage: tuple[date, date] | None
) -> pl.DataFrame | None:
    """The bonus table when the config has `bonus:` (shared by score and compare), else None."""
    if loaded.config.bonus is None:
        return None
    from csperf.bonus import compute_bonus

    return compute_bonus(loaded, table, period, coverage)


def _rejects_table(frame: pl.DataFrame) -> pl.DataFrame:
    raw = [c for c in frame.columns if c.startswith("_raw_")]
    return frame.select(
        pl.col(FILE).alias("source_file"),
        pl.col(ROW).alias("source_row"),
        pl.col(REASON).alias("reject_reason"),
        *(pl.col(c).alias(c.removeprefix("_raw_")) for c in raw),
    ).sort("source_file", "source_row")


def _join_measures(per_source: list[pl.DataFrame]) -> pl.DataFrame:
    if not per_source:
        return pl.DataFrame(schema={AGENT: pl.String})
    joined = per_source[0]
    for part in per_source[1:]:
        joined = joined.join(part, on=AGENT, how="full", coalesce=True)
    return joined


def _ensure_measure_columns(measures: pl.DataFrame, config: Config) -> pl.DataFrame:
    missing = [pl.lit(None, dtype=pl.Float64).alias(n) for n in config.measures if n not in measures.columns]
    return measures.with_columns(missing) if missing else measures


def _agents(loaded: LoadedConfig, base: Path, measures: pl.DataFrame, quality: DataQuality) -> pl.DataFrame:
    """Who is scored: the roster when there is one, else every agent found in the data."""
    data_agents = measures.select(AGENT).unique()
    roster = read_roster(loaded, base)
    if roster is None:
        return data_agents.sort(AGENT)
    table, roster_quality = roster
    quality.sources["roster"] = roster_quality
    quality.agents_not_in_roster = sorted(data_agents.join(table, on=AGENT, how="anti")[AGENT].to_list())
    quality.roster_agents_without_data = sorted(
        table.join(data_agents, on=AGENT, how="anti")[AGENT].to_list()
    )
    return table.sort(AGENT)


def _insufficient_list(long: pl.DataFrame, metrics: pl.DataFrame, config: Config) -> list[dict[str, Any]]:
    """The min_volume and no-data decisions, one entry per agent and metric not judged."""
    from csperf.metrics import insufficiency_reason

    if long.height == 0:  # no agent at all (e.g. every source empty): nothing to list
        return []
    rows = long.filter(pl.col("insufficient")).select(AGENT, "metric", "value").unique().sort(AGENT, "metric")
    volumes = metrics.to_dicts()
    by_agent = {row[AGENT]: row for row in volumes}
    decisions = []
    for agent, metric_name, value in rows.iter_rows():
        metric = config.metrics[metric_name]
        volume = by_agent[agent].get(metric.min_volume.measure) if metric.min_volume else None
        decisions.append(
            {"agent_id": agent, "metric": metric_name, "reason": insufficiency_reason(metric, value, volume)}
        )
    return decisions
