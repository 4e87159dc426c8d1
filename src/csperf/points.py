"""Points: a metric value → 0–100 points (more with an over-achievement cap) by a rule."""

from __future__ import annotations

from typing import Any

import polars as pl

from csperf.config import PointsRule

SINGLE_AGENT_PERCENTILE = 50.0


def linear_points(value: pl.Expr, floor: float, target: float, cap: float = 100) -> pl.Expr:
    """0 at the floor, 100 at the target, linear between, clamped to [0, cap].

    The same formula serves both directions: for lower-is-better the floor is above the target.
    """
    return ((value - floor) / (target - floor) * 100).clip(0, cap)


def band_points(value: pl.Expr, bands: list[tuple[float, float]], better: str) -> pl.Expr:
    """The points of the best band the value reaches; 0 below every band.

    Higher is better: a band [t, p] is reached when value >= t; lower is better: when value <= t.
    """
    higher = better == "higher"
    ordered = sorted(bands, key=lambda b: b[0], reverse=higher)
    reached = [(value >= t) if higher else (value <= t) for t, _ in ordered]
    chain: Any = pl.when(reached[0]).then(pl.lit(float(ordered[0][1])))
    for condition, (_, pts) in zip(reached[1:], ordered[1:], strict=True):
        chain = chain.when(condition).then(pl.lit(float(pts)))
    return pl.when(value.is_null()).then(None).otherwise(chain.otherwise(0.0))


def percentile_points(value: pl.Expr, better: str) -> pl.Expr:
    """Share of the other agents in the frame this value beats (ties count half), × 100."""
    oriented = value if better == "higher" else -value
    n = oriented.count()
    rank = oriented.rank("average")
    points = (rank - 1) / (n - 1) * 100
    return pl.when(value.is_null()).then(None).when(n <= 1).then(SINGLE_AGENT_PERCENTILE).otherwise(points)


def points_expression(value: pl.Expr, rule: PointsRule, better: str) -> pl.Expr:
    if rule.linear is not None:
        return linear_points(value, rule.linear.floor, rule.linear.target, rule.linear.cap)
    if rule.bands is not None:
        return band_points(value, rule.bands, better)
    return percentile_points(value, better)


def describe_rule(rule: PointsRule, unit: str) -> str:
    """A short text of the rule for explain and the Definitions sheet."""

    def fmt(x: float) -> str:
        return f"{x:.1%}" if unit == "percent" else f"{x:g}"

    if rule.linear is not None:
        cap = f", cap {rule.linear.cap:g}" if rule.linear.cap != 100 else ""
        return f"linear: {fmt(rule.linear.floor)} → 0, {fmt(rule.linear.target)} → 100{cap}"
    if rule.bands is not None:
        return "bands: " + ", ".join(f"{fmt(t)} → {p:g}" for t, p in rule.bands)
    return "percentile within the scorecard's agents"
