"""Scorecards: points per metric, effective weights, contributions and the weighted score.

The result is a long "breakdown" table (agent × scored metric) in which every point of an
agent's score is a row: value, rule, points, nominal and effective weight, contribution.
Score = Σ effective weight × points / 100, and the category subtotals add up to it.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from csperf.config import Config, Scorecard
from csperf.measures import AGENT
from csperf.metrics import INSUFFICIENT
from csperf.points import describe_rule, points_expression

SCORECARD = "scorecard"
BREAKDOWN_COLUMNS = [
    AGENT,
    SCORECARD,
    "category",
    "metric",
    "order",
    "value",
    "rule",
    "points_raw",
    "insufficient",
    "category_weight",
    "metric_weight",
    "weight",
    "points",
    "effective_weight",
    "contribution",
]


def assign_scorecards(agents: pl.DataFrame, config: Config, only: list[str] | None = None) -> pl.DataFrame:
    """Add the `scorecard` column: the first scorecard whose `applies_to` matches the agent."""
    names = only or list(config.scorecards)
    chain: Any = None
    for name in names:
        card = config.scorecards[name]
        condition = pl.lit(True)
        for attribute, wanted in card.applies_to.items():
            values = [wanted] if isinstance(wanted, str) else list(wanted)
            condition = condition & pl.col(attribute).cast(pl.String).is_in([str(v) for v in values])
        condition = condition.fill_null(False)
        chain = (
            pl.when(condition).then(pl.lit(name))
            if chain is None
            else chain.when(condition).then(pl.lit(name))
        )
    assert chain is not None
    return agents.with_columns(chain.otherwise(pl.lit(None, dtype=pl.String)).alias(SCORECARD))


def scorecard_breakdown(metrics: pl.DataFrame, name: str, card: Scorecard, config: Config) -> pl.DataFrame:
    """Long breakdown rows for the agents scored on one scorecard."""
    parts: list[pl.DataFrame] = []
    category_total = sum(c.weight for c in card.categories.values())
    order = 0
    for category_name, category in card.categories.items():
        metric_total = sum(m.weight for m in category.metrics.values())
        for metric_name, scored in category.metrics.items():
            metric = config.metrics[metric_name]
            value = pl.col(metric_name)
            nominal = (
                (category.weight / category_total) * (scored.weight / metric_total) * 100
                if (category_total and metric_total)
                else 0.0
            )
            parts.append(
                metrics.select(
                    pl.col(AGENT),
                    pl.lit(name).alias(SCORECARD),
                    pl.lit(category_name).alias("category"),
                    pl.lit(metric_name).alias("metric"),
                    pl.lit(order).alias("order"),
                    value.alias("value"),
                    pl.lit(describe_rule(scored.points, metric.unit)).alias("rule"),
                    points_expression(value, scored.points, metric.better)
                    .cast(pl.Float64)
                    .alias("points_raw"),
                    pl.col(metric_name + INSUFFICIENT).alias("insufficient"),
                    pl.lit(category.weight / category_total * 100 if category_total else 0.0).alias(
                        "category_weight"
                    ),
                    pl.lit(scored.weight / metric_total * 100 if metric_total else 0.0).alias(
                        "metric_weight"
                    ),
                    pl.lit(nominal).alias("weight"),
                )
            )
            order += 1
    long = pl.concat(parts)
    return _apply_weights(long, card)


def _apply_weights(long: pl.DataFrame, card: Scorecard) -> pl.DataFrame:
    ok = ~pl.col("insufficient")
    if card.when_insufficient == "redistribute":
        # An insufficient metric's weight goes to the judged metrics of its category; a category
        # with no judged metric passes its weight to the other categories, pro rata.
        judged_in_category = (pl.col("metric_weight") * ok.cast(pl.Float64)).sum().over(AGENT, "category")
        has_judged = judged_in_category > 0
        per_category = long.with_columns(judged_in_category.alias("_judged"), has_judged.alias("_has"))
        category_weights = (
            per_category.group_by(AGENT, "category")
            .agg(pl.col("category_weight").first(), pl.col("_has").first())
            .with_columns(
                (pl.col("category_weight") * pl.col("_has").cast(pl.Float64))
                .sum()
                .over(AGENT)
                .alias("_cat_total")
            )
            .select(AGENT, "category", "_cat_total")
        )
        long = per_category.join(category_weights, on=[AGENT, "category"], how="left")
        effective = (
            pl.when(ok & (pl.col("_cat_total") > 0))
            .then(
                pl.col("category_weight")
                / pl.col("_cat_total")
                * 100
                * pl.col("metric_weight")
                / pl.col("_judged")
            )
            .otherwise(0.0)
        )
        points = pl.when(ok).then(pl.col("points_raw")).otherwise(None)
        long = long.with_columns(effective.alias("effective_weight"), points.alias("points"))
        long = long.drop("_judged", "_has", "_cat_total")
    else:
        fallback = 0.0 if card.when_insufficient == "zero" else card.neutral_points
        points = pl.when(ok).then(pl.col("points_raw")).otherwise(pl.lit(fallback))
        long = long.with_columns(pl.col("weight").alias("effective_weight"), points.alias("points"))
    contribution = (pl.col("effective_weight") * pl.col("points").fill_null(0) / 100).alias("contribution")
    return long.with_columns(contribution).select(BREAKDOWN_COLUMNS)


def breakdown(metrics: pl.DataFrame, agents: pl.DataFrame, config: Config) -> pl.DataFrame:
    """The long breakdown for every agent with a scorecard."""
    parts = []
    for name, card in config.scorecards.items():
        members = agents.filter(pl.col(SCORECARD) == name).select(AGENT)
        subset = metrics.join(members, on=AGENT, how="semi")
        if subset.height:
            parts.append(scorecard_breakdown(subset, name, card, config))
    if not parts:
        return pl.DataFrame(schema={c: pl.Float64 for c in BREAKDOWN_COLUMNS}).with_columns(
            pl.col(AGENT, SCORECARD, "category", "metric", "rule").cast(pl.String)
        )
    return pl.concat(parts).sort(AGENT, "order")


def scores(long: pl.DataFrame) -> pl.DataFrame:
    """agent_id, score (null when no metric could be judged) and the number of judged metrics."""
    return long.group_by(AGENT).agg(
        pl.when(pl.col("effective_weight").sum() > 0)
        .then(pl.col("contribution").sum())
        .otherwise(None)
        .alias("score"),
        (pl.col("effective_weight") > 0).sum().cast(pl.Int64).alias("judged_metrics"),
    )


def category_subtotals(long: pl.DataFrame, categories: list[str]) -> pl.DataFrame:
    """agent_id × category → summed contribution (wide, one column per category, in `categories` order)."""
    if long.is_empty():
        return pl.DataFrame(schema={AGENT: pl.String})
    sums = long.group_by(AGENT, "category").agg(pl.col("contribution").sum())
    wide = sums.pivot(on="category", index=AGENT, values="contribution")
    return wide.select(AGENT, *(c for c in categories if c in wide.columns))
