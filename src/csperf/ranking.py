"""Competition ranking (1, 2, 2, 4) by score and configured tie-breakers, agent id last."""

from __future__ import annotations

import polars as pl

from csperf.config import Config
from csperf.measures import AGENT

SCORE_DECIMALS = 9


def rank_agents(
    frame: pl.DataFrame, config: Config, name: str = "rank", group: str | None = None
) -> pl.DataFrame:
    """Add a rank column (within `group` when given); agents without a score get none and sort last."""
    if group is not None and frame.height:
        parts = [rank_agents(part, config, name) for part in frame.partition_by(group, maintain_order=True)]
        return pl.concat(parts)
    keys: list[str] = ["_score_key"]
    descending: list[bool] = [True]
    work = frame.with_columns(pl.col("score").round(SCORE_DECIMALS).alias("_score_key"))
    for i, breaker in enumerate(config.ranking.breakers()):
        metric = config.metrics[breaker.metric]
        order = breaker.order or ("desc" if metric.better == "higher" else "asc")
        key = f"_tie_{i}"
        work = work.with_columns(pl.col(breaker.metric).alias(key))
        keys.append(key)
        descending.append(order == "desc")
    work = work.sort([*keys, AGENT], descending=[*descending, False], nulls_last=True)
    index = pl.int_range(1, pl.len() + 1)
    changed = pl.any_horizontal([pl.col(k).ne_missing(pl.col(k).shift(1)) for k in keys]) | (index == 1)
    rank = pl.when(changed).then(index).otherwise(None).forward_fill()
    rank = pl.when(pl.col("score").is_null()).then(None).otherwise(rank).cast(pl.Int64)
    return work.with_columns(rank.alias(name)).drop(keys)
