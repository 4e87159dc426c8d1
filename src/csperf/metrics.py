"""Per-agent metrics from measures: ratios (null on a zero denominator) and SQL formulas."""

from __future__ import annotations

import polars as pl

from csperf.config import Config, MetricConfig
from csperf.expressions import sql_expression
from csperf.measures import AGENT
from csperf.rules import metric_order

INSUFFICIENT = "__insufficient"


def metric_expression(metric: MetricConfig) -> pl.Expr:
    if metric.ratio is not None:
        numerator, denominator = (pl.col(n).cast(pl.Float64) for n in metric.ratio)
        return pl.when(denominator != 0).then(numerator / denominator).otherwise(None)
    assert metric.formula is not None
    value = sql_expression(metric.formula).cast(pl.Float64)
    # Division by zero inside a formula gives inf or NaN: that is "no value", not a number.
    return pl.when(value.is_finite()).then(value).otherwise(None)


def compute_metrics(measures: pl.DataFrame, config: Config) -> pl.DataFrame:
    """agent_id, every measure, every metric, and `<metric>__insufficient` flags."""
    # Formulas see measures as floats, so `a / b` on counts is a true division.
    floats = measures.with_columns(pl.exclude(AGENT).cast(pl.Float64))
    for name in metric_order(config):
        floats = floats.with_columns(metric_expression(config.metrics[name]).alias(name))
    result = measures.with_columns(floats.select(list(config.metrics)))
    flags = []
    for name, metric in config.metrics.items():
        insufficient = pl.col(name).is_null()
        if metric.min_volume is not None:
            volume = pl.col(metric.min_volume.measure).fill_null(0)
            insufficient = insufficient | (volume < metric.min_volume.at_least)
        flags.append(insufficient.alias(name + INSUFFICIENT))
    return result.with_columns(flags)


def insufficiency_reason(metric: MetricConfig, value: float | None, volume: float | None) -> str:
    """Why a metric is not judged for an agent, in words."""
    if metric.min_volume is not None and (volume or 0) < metric.min_volume.at_least:
        return f"{metric.min_volume.measure} = {volume or 0:g} < {metric.min_volume.at_least:g}"
    if value is None:
        return "no value (no data or zero denominator)"
    return ""
