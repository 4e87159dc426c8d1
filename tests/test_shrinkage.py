"""Shrinkage of small samples toward the group value, and Wilson intervals."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from csperf.api import run_score
from csperf.config import load_config
from csperf.errors import ConfigError
from csperf.shrinkage import estimate_k, wilson_interval

# A converts 1 of 2 calls, B 30 of 100, C 10 of 50: pooled μ = 41 / 152.
ROWS = [("A", 2, 1), ("B", 100, 30), ("C", 50, 10)]

CONFIG: dict[str, Any] = {
    "sources": {
        "calls": {
            "path": "calls.csv",
            "columns": {"agent_id": "agent", "converted": {"from": "converted", "type": "bool"}},
        }
    },
    "measures": {
        "connected": {"source": "calls", "agg": "count"},
        "converted": {"source": "calls", "agg": "count", "where": "converted"},
    },
    "metrics": {
        "conversion": {"ratio": ["converted", "connected"], "unit": "percent", "shrinkage": {"k": 10}},
    },
    "scorecards": {
        "s": {
            "categories": {
                "q": {
                    "weight": 100,
                    "metrics": {
                        "conversion": {"weight": 100, "points": {"linear": {"floor": 0, "target": 1}}}
                    },
                }
            }
        }
    },
}


def run(folder: Path, config: dict[str, Any]) -> dict[str, dict[str, Any]]:
    lines = ["agent,converted"]
    for agent, calls, wins in ROWS:
        lines += [f"{agent},{'Y' if i < wins else 'N'}" for i in range(calls)]
    (folder / "calls.csv").write_text("\n".join(lines) + "\n")
    (folder / "c.yaml").write_text(yaml.safe_dump(config))
    return {r["agent_id"]: r for r in run_score(folder / "c.yaml").agents.to_dicts()}


def test_hand_computed_k_10(tmp_path: Path) -> None:
    agents = run(tmp_path, CONFIG)
    mu = 41 / 152
    # A: (1 + 10 μ) / (2 + 10) = 0.3081; B: (30 + 10 μ) / 110 = 0.2972; C: (10 + 10 μ) / 60 = 0.2116
    assert agents["A"]["conversion"] == pytest.approx((1 + 10 * mu) / 12)
    assert agents["B"]["conversion"] == pytest.approx((30 + 10 * mu) / 110)
    assert agents["C"]["conversion"] == pytest.approx((10 + 10 * mu) / 60)
    assert agents["A"]["conversion__raw"] == pytest.approx(0.5)
    # the score uses the shrunk value: linear 0 -> 1 gives points = 100 × value
    assert agents["A"]["score"] == pytest.approx(100 * (1 + 10 * mu) / 12)


def test_k_zero_is_the_raw_value(tmp_path: Path) -> None:
    config = copy.deepcopy(CONFIG)
    config["metrics"]["conversion"]["shrinkage"]["k"] = 0
    agents = run(tmp_path, config)
    assert [agents[a]["conversion"] for a in "ABC"] == pytest.approx([0.5, 0.3, 0.2])


def test_wilson_interval_shown_beside_the_value(tmp_path: Path) -> None:
    agents = run(tmp_path, CONFIG)
    low, high = wilson_interval(30, 100)  # type: ignore[misc]
    assert agents["B"]["conversion__ci_low"] == pytest.approx(low)
    assert agents["B"]["conversion__ci_high"] == pytest.approx(high)


def test_wilson_known_value() -> None:
    # 8 of 10 at 95%: (0.4902, 0.9433), the textbook example
    low, high = wilson_interval(8, 10)  # type: ignore[misc]
    assert (round(low, 4), round(high, 4)) == (0.4902, 0.9433)
    assert wilson_interval(0, 0) is None


@given(
    samples=st.lists(
        st.tuples(st.integers(min_value=0, max_value=200), st.integers(min_value=1, max_value=200)),
        min_size=2,
        max_size=12,
    ),
    k=st.floats(min_value=0, max_value=1000),
)
def test_never_past_the_group_value(samples: list[tuple[int, int]], k: float) -> None:
    wins = np.array([min(w, n) for w, n in samples], dtype=float)
    trials = np.array([n for _, n in samples], dtype=float)
    mu = wins.sum() / trials.sum()
    raw = wins / trials
    shrunk = (wins + k * mu) / (trials + k)
    lo, hi = np.minimum(raw, mu), np.maximum(raw, mu)
    assert np.all(shrunk >= lo - 1e-12) and np.all(shrunk <= hi + 1e-12)


def test_estimated_k_by_moments() -> None:
    # Identical rates with big samples: no spread beyond sampling noise -> strong pooling
    assert estimate_k(np.array([50.0, 50.0, 50.0]), np.array([100.0, 100.0, 100.0])) == 300.0
    # Very different rates: between-agent variance dominates -> small k
    k = estimate_k(np.array([10.0, 90.0]), np.array([100.0, 100.0]))
    # μ = 0.5; observed variance 0.16; sampling 0.25 × 2 / 200 = 0.0025; τ² = 0.1575
    assert k == pytest.approx(0.25 / 0.1575 - 1)


def test_estimate_needs_a_rate(tmp_path: Path) -> None:
    config = copy.deepcopy(CONFIG)
    config["metrics"]["conversion"]["unit"] = "score"
    config["metrics"]["conversion"]["shrinkage"] = {"k": "estimate"}
    (tmp_path / "c.yaml").write_text(yaml.safe_dump(config))
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path / "c.yaml")
    assert "metrics.conversion.shrinkage: k: estimate works for rates" in info.value.problems[0]
