"""Points rules: hand-computed values and properties (range, direction, monotonicity)."""

from __future__ import annotations

import itertools

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from csperf.config import PointsRule
from csperf.points import band_points, linear_points, percentile_points, points_expression


def evaluate(expr: pl.Expr, values: list[float | None]) -> list[float | None]:
    return pl.DataFrame({"v": values}, schema={"v": pl.Float64}).select(expr.alias("p"))["p"].to_list()


def test_linear_hand_computed() -> None:
    # floor 0.20 -> 0, target 0.45 -> 100: 0.35 is 0.15 / 0.25 of the way = 60 points
    assert evaluate(
        linear_points(pl.col("v"), 0.20, 0.45), [0.10, 0.20, 0.35, 0.45, 0.60, None]
    ) == pytest.approx([0.0, 0.0, 60.0, 100.0, 100.0, None])


def test_linear_lower_is_better_and_cap() -> None:
    # AHT: floor 420 s -> 0, target 240 s -> 100; 300 s is 120/180 of the way = 66.67
    assert evaluate(linear_points(pl.col("v"), 420, 240), [500, 420, 300, 240, 100]) == pytest.approx(
        [0, 0, 200 / 3, 100, 100]
    )
    # with a cap of 120, 60 s beyond the target (1/3 of the span) earns 133.3 -> capped at 120
    assert evaluate(linear_points(pl.col("v"), 420, 240, cap=120), [180, 210]) == pytest.approx(
        [120, 350 / 3]
    )


def test_bands_higher_and_lower() -> None:
    bands = [(40.0, 100.0), (30.0, 70.0), (0.0, 0.0)]
    assert evaluate(band_points(pl.col("v"), bands, "higher"), [45, 40, 39.9, 30, 10, -1, None]) == [
        100.0,
        100.0,
        70.0,
        70.0,
        0.0,
        0.0,
        None,
    ]
    lower = [(0.01, 100.0), (0.03, 50.0)]
    assert evaluate(band_points(pl.col("v"), lower, "lower"), [0.0, 0.01, 0.02, 0.03, 0.05]) == [
        100.0,
        100.0,
        50.0,
        50.0,
        0.0,
    ]


def test_percentile_hand_computed_with_ties() -> None:
    # values 10, 20, 20, 40: average ranks 1, 2.5, 2.5, 4 -> (rank - 1) / 3 * 100
    assert evaluate(percentile_points(pl.col("v"), "higher"), [10, 20, 20, 40, None]) == pytest.approx(
        [0.0, 50.0, 50.0, 100.0, None]
    )
    assert evaluate(percentile_points(pl.col("v"), "lower"), [10, 20, 20, 40]) == pytest.approx(
        [100.0, 50.0, 50.0, 0.0]
    )
    assert evaluate(percentile_points(pl.col("v"), "higher"), [7.0]) == [50.0]


finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False)


@given(
    floor=finite,
    span=st.floats(min_value=1e-3, max_value=1e5),
    cap=st.floats(min_value=100, max_value=200),
    higher=st.booleans(),
    values=st.lists(finite, min_size=2, max_size=30),
)
def test_linear_in_range_and_monotone(
    floor: float, span: float, cap: float, higher: bool, values: list[float]
) -> None:
    target = floor + span if higher else floor - span
    ordered = sorted(values)
    points = evaluate(linear_points(pl.col("v"), floor, target, cap), ordered)
    assert all(p is not None and 0 <= p <= cap for p in points)
    pairs = list(itertools.pairwise(points))
    if higher:
        assert all(a <= b + 1e-9 for a, b in pairs)  # type: ignore[operator]
    else:
        assert all(a >= b - 1e-9 for a, b in pairs)  # type: ignore[operator]


@given(
    thresholds=st.lists(st.floats(min_value=-100, max_value=100), min_size=1, max_size=5, unique=True),
    points=st.lists(st.floats(min_value=0, max_value=100), min_size=5, max_size=5),
    values=st.lists(st.floats(min_value=-200, max_value=200), min_size=1, max_size=20),
    higher=st.booleans(),
)
def test_bands_in_range_and_monotone_when_points_are(
    thresholds: list[float], points: list[float], values: list[float], higher: bool
) -> None:
    # Give better thresholds more points so the rule is monotone; then the points must be too.
    ordered_thresholds = sorted(thresholds, reverse=higher)
    ordered_points = sorted(points[: len(thresholds)], reverse=True)
    bands = list(zip(ordered_thresholds, ordered_points, strict=True))
    xs = sorted(values)
    result = evaluate(band_points(pl.col("v"), bands, "higher" if higher else "lower"), xs)
    assert all(p is not None and 0 <= p <= 100 for p in result)
    pairs = list(itertools.pairwise(result))
    if higher:
        assert all(a <= b for a, b in pairs)  # type: ignore[operator]
    else:
        assert all(a >= b for a, b in pairs)  # type: ignore[operator]


@given(
    values=st.lists(st.floats(min_value=-1e3, max_value=1e3), min_size=1, max_size=40), higher=st.booleans()
)
def test_percentile_in_range_and_monotone(values: list[float], higher: bool) -> None:
    xs = sorted(values)
    result = evaluate(percentile_points(pl.col("v"), "higher" if higher else "lower"), xs)
    assert all(p is not None and 0 <= p <= 100 for p in result)
    pairs = list(itertools.pairwise(result))
    assert all((a <= b) if higher else (a >= b) for a, b in pairs)  # type: ignore[operator]


def test_points_expression_dispatch() -> None:
    rule = PointsRule.model_validate({"bands": [[1, 100]]})
    assert evaluate(points_expression(pl.col("v"), rule, "higher"), [2.0, 0.0]) == [100.0, 0.0]
