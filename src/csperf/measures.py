"""Per-agent measures: one group-by per source computing all of that source's aggregates."""

from __future__ import annotations

from collections.abc import Iterator

import polars as pl

from csperf.config import Config, MeasureConfig
from csperf.expressions import sql_expression
from csperf.fastread import DIRTY
from csperf.sources import REASON, STATUS, SourceFrame

AGENT = "agent_id"
ROWS = "__csperf_rows__"  # rows per group in the combined query of a source
COUNTING_AGGREGATIONS = ("count", "sum", "count_distinct")


def measure_expression(name: str, measure: MeasureConfig) -> pl.Expr:
    """The aggregate expression of one measure inside a group-by on agent."""
    where = sql_expression(measure.where).fill_null(False) if measure.where else None
    if measure.agg == "count":
        if measure.value is None:
            if where is None:
                return pl.len().cast(pl.Int64).alias(name)
            counted = where
        else:
            present = sql_expression(measure.value).is_not_null()
            counted = present & where if where is not None else present
        # Summing booleans gives unsigned integers; cast so later subtraction can go negative.
        return counted.sum().cast(pl.Int64).alias(name)
    assert measure.value is not None
    value = sql_expression(measure.value)
    if where is not None:
        value = value.filter(where)
    match measure.agg:
        case "sum":
            result = value.sum()
        case "mean":
            result = value.mean()
        case "median":
            result = value.median()
        case "min":
            result = value.min()
        case "max":
            result = value.max()
        case "quantile":
            assert measure.q is not None
            result = value.quantile(measure.q, interpolation="linear")
        case "count_distinct":
            result = value.drop_nulls().n_unique().cast(pl.Int64)
        case _:
            raise AssertionError(measure.agg)
    return result.alias(name)


def measures_by_source(config: Config) -> dict[str, dict[str, MeasureConfig]]:
    grouped: dict[str, dict[str, MeasureConfig]] = {}
    for name, measure in config.measures.items():
        grouped.setdefault(measure.source, {})[name] = measure
    return grouped


def aggregate_query(used_rows: pl.LazyFrame, measures: dict[str, MeasureConfig]) -> pl.LazyFrame:
    """One lazy group-by computing every measure of a source per agent."""
    exprs = [measure_expression(name, m) for name, m in measures.items()]
    return used_rows.group_by(AGENT).agg(exprs)


def source_queries(
    frame: SourceFrame, measures: dict[str, MeasureConfig] | None, combined: bool = True
) -> list[pl.LazyFrame]:
    """The queries a source needs: its row accounting and (if it has measures) every measure.

    `combined`: one group-by on agent, status and reason does both, so the file is read by a single
    streaming pipeline (two queries over one file make Polars buffer rows between them: memory then
    grows with the file). Measures come from the groups of used rows, so the figures are the same;
    but the measure expressions also run over rejected and skipped rows, where a strict expression
    (a CAST of a total row's text, say) can fail: then score again with `combined=False`.
    """
    if not combined:
        counting = [frame.accounting_query()]
        return counting + ([aggregate_query(frame.used(), measures)] if measures else [])
    keys = frame.accounting_keys()
    if measures and AGENT not in keys:
        keys.append(AGENT)
    exprs = [measure_expression(name, m) for name, m in (measures or {}).items()]
    return [frame.frame.group_by(keys).agg(pl.len().alias(ROWS), *exprs)]


def source_results(
    results: Iterator[pl.DataFrame], has_measures: bool, combined: bool = True
) -> tuple[pl.DataFrame, pl.DataFrame | None]:
    """(status, reason, rows) counts and the per-agent measures (or None), from `source_queries`."""
    if not combined:
        counts = next(results)
        return counts, next(results) if has_measures else None
    table = next(results)
    counts = table.group_by(STATUS, REASON).agg(pl.col(ROWS).sum().alias("rows"))
    if not has_measures:
        return counts, None
    return counts, table.filter(pl.col(STATUS).is_null()).drop(STATUS, REASON, ROWS, DIRTY, strict=False)


def fill_missing(frame: pl.DataFrame, config: Config) -> pl.DataFrame:
    """Agents with no rows in a source have count/sum 0 there; other aggregates stay null.

    Sums of booleans or unsigned integers are cast to Int64 so that later subtraction can go
    below zero (an NPS once wrapped around to 4e11 on unsigned counts).
    """
    fixes = []
    for name, measure in config.measures.items():
        if name not in frame.columns:
            continue
        column = pl.col(name)
        dtype = frame.schema[name]
        if dtype == pl.Boolean or dtype.is_unsigned_integer():
            column = column.cast(pl.Int64)
        if measure.agg in COUNTING_AGGREGATIONS:
            column = column.fill_null(0)
        fixes.append(column.alias(name))
    return frame.with_columns(fixes) if fixes else frame
