"""Small samples: shrink ratio metrics toward their group's pooled value, and Wilson intervals.

For a ratio metric num/den (a rate such as conversion, or a mean such as CSAT = sum/answers) the
shrunk value is

    (num + k · μ) / (den + k)        with μ = Σ num / Σ den over the agent's group,

i.e. the credibility-weighted mix Z · raw + (1 − Z) · μ with Z = den / (den + k). It always lies
between the raw value and μ (never past the group's value), and k = 0 gives the raw value. For rates
`k: estimate` derives k from the data by the method of moments of the beta-binomial model: the
spread of the agents' rates beyond what binomial sampling alone explains is the between-agent
variance τ², and k = μ(1 − μ)/τ² − 1. For means, give k (the number of answers that count as much
as the group's experience).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import polars as pl

from csperf.config import Config, MetricConfig
from csperf.measures import AGENT

if TYPE_CHECKING:  # numpy costs 0.1-0.2 s to import: only a run that estimates k pays for it
    import numpy as np

WILSON_Z = 1.959963984540054  # two-sided 95%
RAW = "__raw"
K = "__k"
CI_LOW = "__ci_low"
CI_HIGH = "__ci_high"


def wilson_interval(successes: float, trials: float, z: float = WILSON_Z) -> tuple[float, float] | None:
    """The Wilson score interval for a binomial proportion (None without trials)."""
    if trials <= 0:
        return None
    p = successes / trials
    denominator = 1 + z * z / trials
    centre = (p + z * z / (2 * trials)) / denominator
    half = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def wilson_expressions(num: pl.Expr, den: pl.Expr, z: float = WILSON_Z) -> tuple[pl.Expr, pl.Expr]:
    """Vectorised Wilson bounds; null where there are no trials."""
    n = den.cast(pl.Float64)
    p = num.cast(pl.Float64) / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * ((p * (1 - p) / n + z * z / (4 * n * n)).sqrt()) / denominator
    valid = n > 0
    low = pl.when(valid).then((centre - half).clip(0.0, 1.0))
    high = pl.when(valid).then((centre + half).clip(0.0, 1.0))
    return low, high


def estimate_k(numerators: np.ndarray, denominators: np.ndarray) -> float:
    """Beta-binomial prior strength by the method of moments (rates only).

    Returns a large k when the agents' spread is no more than sampling noise (everyone is pulled
    to the group value) and a small one when agents differ far more than their samples explain.
    """
    mask = denominators > 0
    num, den = numerators[mask].astype(float), denominators[mask].astype(float)
    if len(den) < 2 or den.sum() == 0:
        return 0.0
    mu = num.sum() / den.sum()
    if mu <= 0 or mu >= 1:
        return 0.0
    rates = num / den
    observed = float((den * (rates - mu) ** 2).sum() / den.sum())
    sampling = mu * (1 - mu) * len(den) / den.sum()
    between = observed - sampling
    if between <= 0:
        return float(den.sum())
    return max(0.0, mu * (1 - mu) / between - 1)


def group_column(config: Config, metric: MetricConfig) -> str | None:
    assert metric.shrinkage is not None
    toward = metric.shrinkage.toward
    if toward == "all":
        return None
    return "scorecard" if toward == "scorecard" else toward


def apply_shrinkage(metrics: pl.DataFrame, agents: pl.DataFrame, config: Config) -> pl.DataFrame:
    """Replace shrunk metrics' values (raw kept as `<m>__raw`, k as `<m>__k`); add Wilson bounds."""
    result = metrics
    for name, metric in config.metrics.items():
        if metric.ratio is None:
            continue
        num, den = metric.ratio
        if metric.unit == "percent" and metric.interval != "none":
            low, high = wilson_expressions(pl.col(num), pl.col(den))
            result = result.with_columns(low.alias(name + CI_LOW), high.alias(name + CI_HIGH))
        if metric.shrinkage is None:
            continue
        group = group_column(config, metric)
        work = result.join(agents.select(AGENT, *([group] if group else [])), on=AGENT, how="left")
        partitions = work.partition_by(group, maintain_order=True) if group else [work]
        shrunk_parts = []
        for part in partitions:
            numerators = part[num].fill_null(0).cast(pl.Float64).to_numpy()
            denominators = part[den].fill_null(0).cast(pl.Float64).to_numpy()
            setting = metric.shrinkage.k
            k = estimate_k(numerators, denominators) if setting == "estimate" else float(setting)
            total = float(denominators.sum())
            mu = float(numerators.sum()) / total if total > 0 else None
            shrunk = (
                pl.when(pl.col(den).fill_null(0) + k > 0)
                .then((pl.col(num).fill_null(0) + k * (mu or 0.0)) / (pl.col(den).fill_null(0) + k))
                .otherwise(None)
                if mu is not None
                else pl.col(name)
            )
            shrunk_parts.append(
                part.select(
                    AGENT,
                    pl.col(name).alias(name + RAW),
                    pl.when(pl.col(name).is_null() & (pl.col(den).fill_null(0) == 0))
                    .then(None)
                    .otherwise(shrunk)
                    .cast(pl.Float64)
                    .alias(name),
                    pl.lit(k).alias(name + K),
                )
            )
        shrunk_frame = pl.concat(shrunk_parts)
        result = result.drop(name).join(shrunk_frame, on=AGENT, how="left")
    return result
