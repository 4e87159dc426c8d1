"""Per-agent measures: one group-by per source computing all of that source's aggregates."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import polars as pl

from csperf.config import Config, MeasureConfig
from csperf.expressions import sql_expression
from csperf.fastread import DIRTY
from csperf.sources import REASON, STATUS, SourceFrame

AGENT = "agent_id"
ROWS = "__csperf_rows__"  # rows per group in the combined query of a source
COUNTING_AGGREGATIONS = ("count", "sum", "count_distinct")


# A float sum in a parallel group-by depends on the order the rows arrive in: the last bits of a
# figure would change from run to run. Summed as fixed-point decimals (exact, so in any order)
# they do not; a group holding a value a 12-decimal fixed point cannot hold keeps the float sum.
EXACT_SUM = pl.Decimal(38, 12)
EXACT_LIMIT = 1e15


def float_valued(frame: pl.LazyFrame, measures: dict[str, MeasureConfig]) -> set[str]:
    """The sums and means whose value is a float (their order of rows matters; see EXACT_SUM)."""
    values = {n: m.value for n, m in measures.items() if m.agg in ("sum", "mean") and m.value is not None}
    if not values:
        return set()
    schema = frame.select([sql_expression(v).alias(n) for n, v in values.items()]).collect_schema()
    return {name for name, dtype in schema.items() if dtype.is_float()}


@dataclass
class Aggregates:
    """What a group-by computes for some measures: `exprs`, then `finish` on the (small) result,
    which makes measures of the helper columns `helpers` and drops them."""

    exprs: list[pl.Expr] = field(default_factory=list)
    finish: list[pl.Expr] = field(default_factory=list)
    helpers: list[str] = field(default_factory=list)

    def apply(self, grouped: pl.LazyFrame) -> pl.LazyFrame:
        if not self.finish:
            return grouped
        return grouped.with_columns(self.finish).drop(self.helpers)


def measure_aggregates(measures: dict[str, MeasureConfig], floating: set[str]) -> Aggregates:
    """The aggregates of these measures in a group-by on agent (`floating`: see `float_valued`)."""
    result = Aggregates()
    for name, measure in measures.items():
        if name in floating:
            _add_exact_sum(result, name, measure)
        else:
            result.exprs.append(measure_expression(name, measure))
    return result


def _add_exact_sum(result: Aggregates, name: str, measure: MeasureConfig) -> None:
    """A float sum or mean as parts that Polars' streaming engine each computes as rows arrive (a
    condition inside the aggregation would make it hold every row), combined afterwards."""
    assert measure.value is not None
    value = sql_expression(measure.value)
    kept = _kept_rows(measure)
    if kept is None:
        kept = pl.lit(True)
    # The filter comes last: `x.filter(w).sum()` streams, `x.filter(w).cast(...).sum()` does not.
    fixed, rough, unusual, count = (f"{name}__{part}" for part in ("fixed", "float", "unusual", "count"))
    result.exprs += [
        value.cast(EXACT_SUM, strict=False).filter(kept).sum().alias(fixed),
        value.filter(kept).sum().alias(rough),
        ((value.is_nan() | (value.abs() >= EXACT_LIMIT)) & kept).any().alias(unusual),  # NaN, infinities
    ]
    result.helpers += [fixed, rough, unusual]
    total = pl.when(pl.col(unusual)).then(pl.col(rough)).otherwise(pl.col(fixed).cast(pl.Float64))
    if measure.agg == "mean":
        result.exprs.append((value.is_not_null() & kept).sum().alias(count))
        result.helpers.append(count)
        total = pl.when(pl.col(count) > 0).then(total / pl.col(count))
    result.finish.append(total.alias(name))


def _kept_rows(measure: MeasureConfig) -> pl.Expr | None:
    """The measure's `where:` as a row condition (None: every row)."""
    return sql_expression(measure.where).fill_null(False) if measure.where else None


def measure_expression(name: str, measure: MeasureConfig) -> pl.Expr:
    """The aggregate expression of one measure inside a group-by on agent (float sums and means
    go through `measure_aggregates`, which makes them exact)."""
    where = _kept_rows(measure)
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
    aggregates = measure_aggregates(measures, float_valued(used_rows, measures))
    return aggregates.apply(used_rows.group_by(AGENT).agg(aggregates.exprs))


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
    aggregates = measure_aggregates(measures or {}, float_valued(frame.frame, measures or {}))
    grouped = frame.frame.group_by(keys).agg(
        pl.len().alias(ROWS), *frame.accounting_extras(), *aggregates.exprs
    )
    return [aggregates.apply(grouped)]


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
