"""Scores, weights and ranks on a small fixture computed by hand; invariance properties."""

from __future__ import annotations

import copy
import random
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from csperf.api import run_score
from csperf.config import Config, LoadedConfig
from csperf.pipeline import ScoreResult, score
from csperf.yamlsource import LoadedYaml

ROWS = [
    # agent, connected, csat (blank = no survey)
    ("X", "Y", "5"),
    ("X", "Y", "4"),
    ("X", "Y", ""),
    ("X", "N", ""),
    ("Y", "Y", "3"),
    ("Y", "N", "3"),
    ("Y", "", "5"),
    ("Z", "Y", "5"),
    ("Z", "N", "5"),
    ("Z", "N", "5"),
    ("Z", "N", ""),
    ("Z", "N", ""),
    ("W", "Y", "5"),
    ("W", "N", "5"),
    ("W", "N", "5"),
    ("W", "N", ""),
    ("W", "N", ""),
    ("V", "N", "1"),
    ("V", "N", "1"),
    ("V", "N", "1"),
]
# Y's third row has no connected value: it is a dial (counted) that is not connected.

CONFIG: dict[str, Any] = {
    "name": "fixture",
    "sources": {
        "calls": {
            "path": "calls.csv",
            "columns": {
                "agent_id": "agent",
                "connected": {"from": "connected", "type": "bool", "default": False},
                "csat": {"from": "csat", "type": "int"},
            },
        }
    },
    "measures": {
        "dials": {"source": "calls", "agg": "count"},
        "connected": {"source": "calls", "agg": "count", "where": "connected"},
        "csat_n": {"source": "calls", "agg": "count", "value": "csat"},
        "csat_sum": {"source": "calls", "agg": "sum", "value": "csat"},
        "csat_top": {"source": "calls", "agg": "count", "where": "csat >= 4"},
    },
    "metrics": {
        "connect_rate": {"ratio": ["connected", "dials"], "unit": "percent"},
        "csat": {
            "ratio": ["csat_sum", "csat_n"],
            "unit": "score",
            "min_volume": {"measure": "csat_n", "at_least": 3},
        },
        "top2": {
            "ratio": ["csat_top", "csat_n"],
            "unit": "percent",
            "min_volume": {"measure": "csat_n", "at_least": 3},
        },
    },
    "scorecards": {
        "main": {
            "when_insufficient": "redistribute",
            "categories": {
                "efficiency": {
                    "weight": 60,
                    "metrics": {
                        "connect_rate": {"weight": 100, "points": {"linear": {"floor": 0.2, "target": 0.8}}}
                    },
                },
                "customer": {
                    "weight": 40,
                    "metrics": {
                        "csat": {"weight": 50, "points": {"linear": {"floor": 3, "target": 5}}},
                        "top2": {"weight": 50, "points": {"linear": {"floor": 0, "target": 1}}},
                    },
                },
            },
        }
    },
}


def write_fixture(folder: Path, rows: list[tuple[str, str, str]], config: dict[str, Any]) -> Path:
    lines = ["agent,connected,csat", *(",".join(r) for r in rows)]
    (folder / "calls.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    path = folder / "config.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return path


def run(
    folder: Path, config: dict[str, Any] | None = None, rows: list[tuple[str, str, str]] | None = None
) -> ScoreResult:
    return run_score(write_fixture(folder, rows or ROWS, config or CONFIG))


def by_agent(result: ScoreResult) -> dict[str, dict[str, Any]]:
    return {row["agent_id"]: row for row in result.agents.to_dicts()}


def test_scores_by_hand(tmp_path: Path) -> None:
    agents = by_agent(run(tmp_path))
    # X: connect 3/4 -> (0.75 - 0.2) / 0.6 * 100 = 91.67; only 2 CSAT answers (< 3): the whole
    # customer category is unjudged, so its 40 moves to efficiency -> score 91.67.
    assert agents["X"]["score"] == pytest.approx(55 / 0.6)
    # Y: connect 1/3 -> 22.22 pts; csat (3+3+5)/3 = 3.667 -> 33.33 pts; top2 1/3 -> 33.33 pts
    #    0.6 * 22.22 + 0.2 * 33.33 + 0.2 * 33.33 = 13.33 + 13.33 = 26.67
    assert agents["Y"]["score"] == pytest.approx(0.6 * (1 / 3 - 0.2) / 0.6 * 100 + 0.4 * 100 / 3)
    # Z and W: connect 1/5 = floor -> 0; csat 5 and top2 1.0 -> 100 each -> 40
    assert agents["Z"]["score"] == pytest.approx(40.0)
    assert agents["W"]["score"] == pytest.approx(40.0)
    # V: connect 0 -> 0; csat 1 -> 0; top2 0 -> 0
    assert agents["V"]["score"] == pytest.approx(0.0)


def test_competition_ranking(tmp_path: Path) -> None:
    result = run(tmp_path)
    ranks = [(row["agent_id"], row["rank"]) for row in result.agents.to_dicts()]
    # X 91.67, Z/W tie at 40 (listed by agent id), Y 26.67, V 0 -> 1, 2, 2, 4, 5
    assert ranks == [("X", 1), ("W", 2), ("Z", 2), ("Y", 4), ("V", 5)]


def test_tie_breaker_splits_ties(tmp_path: Path) -> None:
    config = copy.deepcopy(CONFIG)
    config["ranking"] = {"tie_breakers": ["connect_rate"]}
    rows = [*ROWS, ("W", "N", "")]  # W: connect 1/6, Z: 1/5 - both at or below the floor (0 points)
    agents = by_agent(run(tmp_path, config, rows))
    assert agents["W"]["score"] == pytest.approx(agents["Z"]["score"]) == pytest.approx(40.0)
    # higher connect rate is better, so the tie-breaker puts Z ahead
    assert (agents["Z"]["rank"], agents["W"]["rank"]) == (2, 3)
    untied = by_agent(run(tmp_path, CONFIG, rows))
    assert (untied["Z"]["rank"], untied["W"]["rank"]) == (2, 2)


@pytest.mark.parametrize(
    ("policy", "expected_x"), [("zero", 0.6 * 55 / 0.6), ("neutral", 0.6 * 55 / 0.6 + 40 * 0.5)]
)
def test_insufficient_policies(tmp_path: Path, policy: str, expected_x: float) -> None:
    config = copy.deepcopy(CONFIG)
    config["scorecards"]["main"]["when_insufficient"] = policy
    agents = by_agent(run(tmp_path, config))
    assert agents["X"]["score"] == pytest.approx(expected_x)
    # Y has enough answers: its score does not depend on the policy
    assert agents["Y"]["score"] == pytest.approx(0.6 * (1 / 3 - 0.2) / 0.6 * 100 + 0.4 * 100 / 3)


def test_contributions_and_subtotals_add_up(tmp_path: Path) -> None:
    result = run(tmp_path)
    for row in result.agents.to_dicts():
        parts = result.breakdown.filter(result.breakdown["agent_id"] == row["agent_id"])
        assert parts["contribution"].sum() == pytest.approx(row["score"], abs=1e-9)
        assert row["efficiency"] + row["customer"] == pytest.approx(row["score"], abs=1e-9)
        assert parts["effective_weight"].sum() == pytest.approx(100.0)


def test_redistribution_within_category(tmp_path: Path) -> None:
    config = copy.deepcopy(CONFIG)
    # top2 needs 4 answers, csat 3: Y (3 answers) is judged on csat alone within customer
    config["metrics"]["top2"]["min_volume"]["at_least"] = 4
    result = run(tmp_path, config)
    y = result.breakdown.filter(result.breakdown["agent_id"] == "Y")
    weights = dict(zip(y["metric"], y["effective_weight"], strict=True))
    assert weights == pytest.approx({"connect_rate": 60.0, "csat": 40.0, "top2": 0.0})


def loaded_from_dict(data: dict[str, Any], folder: Path) -> LoadedConfig:
    return LoadedConfig(Config.model_validate(data), LoadedYaml(data=data), folder / "config.yaml")


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(factor=st.floats(min_value=0.01, max_value=1000))
def test_scaling_all_weights_changes_nothing(tmp_path: Path, factor: float) -> None:
    write_fixture(tmp_path, ROWS, CONFIG)
    base = by_agent(score(loaded_from_dict(CONFIG, tmp_path)))
    scaled = copy.deepcopy(CONFIG)
    for category in scaled["scorecards"]["main"]["categories"].values():
        category["weight"] *= factor
        for metric in category["metrics"].values():
            metric["weight"] *= factor
    other = by_agent(score(loaded_from_dict(scaled, tmp_path)))
    for agent, row in base.items():
        assert other[agent]["score"] == pytest.approx(row["score"], abs=1e-9)
        assert other[agent]["rank"] == row["rank"]


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(min_value=0, max_value=10_000))
def test_row_order_changes_nothing(tmp_path: Path, seed: int) -> None:
    base = run(tmp_path)
    rows = list(ROWS)
    random.Random(seed).shuffle(rows)
    shuffled = run(tmp_path, rows=rows)
    assert shuffled.agents.drop("score").equals(base.agents.drop("score"))
    for a, b in zip(base.agents["score"].to_list(), shuffled.agents["score"].to_list(), strict=True):
        assert a == pytest.approx(b, abs=1e-12)


def test_applies_to_chooses_scorecard_per_roster_level(tmp_path: Path) -> None:
    config = copy.deepcopy(CONFIG)
    config["roster"] = {"path": "roster.csv", "columns": {"agent_id": "id", "level": "level"}}
    junior = copy.deepcopy(config["scorecards"]["main"])
    junior["applies_to"] = {"level": "junior"}
    senior = copy.deepcopy(config["scorecards"]["main"])
    senior["applies_to"] = {"level": "senior"}
    senior["categories"]["efficiency"]["weight"] = 20
    senior["categories"]["customer"]["weight"] = 80
    config["scorecards"] = {"junior": junior, "senior": senior}
    (tmp_path / "roster.csv").write_text("id,level\nX,junior\nY,senior\nZ,senior\nW,junior\nQ,junior\n")
    result = run(tmp_path, config)
    agents = by_agent(result)
    assert agents["X"]["scorecard"] == "junior" and agents["Y"]["scorecard"] == "senior"
    # Y as a senior: 0.2 * 22.22 + 0.4 * 33.33 + 0.4 * 33.33
    assert agents["Y"]["score"] == pytest.approx(0.2 * (1 / 3 - 0.2) / 0.6 * 100 + 0.8 * 100 / 3)
    # V is in the data but not the roster; Q is in the roster with no data
    assert result.data_quality.agents_not_in_roster == ["V"]
    assert result.data_quality.roster_agents_without_data == ["Q"]
    assert agents["Q"]["score"] is None and agents["Q"]["rank"] is None
