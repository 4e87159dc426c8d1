"""Scheme lint: every rule has a case that triggers it and one that does not."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import polars as pl
import yaml

from csperf.config import load_config
from csperf.lint import lint_config, lint_data

ROOT = Path(__file__).resolve().parent.parent


def metric(perspective: str | None, unit: str = "percent", better: str = "higher") -> dict[str, Any]:
    spec: dict[str, Any] = {"ratio": ["a", "b"], "unit": unit, "better": better}
    if perspective:
        spec["perspective"] = perspective
    return spec


BALANCED: dict[str, Any] = {
    "sources": {"s": {"path": "x.csv", "columns": {"agent_id": "agent", "v": "v"}}},
    "measures": {"a": {"source": "s", "agg": "count"}, "b": {"source": "s", "agg": "count"}},
    "metrics": {
        "revenue": metric("financial"),
        "csat": metric("customer"),
        "dials": metric("operational", unit="count"),
        "training": metric("growth"),
    },
    "scorecards": {
        "main": {
            "categories": {
                "efficiency": {"weight": 40, "metrics": {"dials": _m, "training": _m}}
                if (_m := {"weight": 50, "points": {"percentile": {}}})
                else {},
                "quality": {"weight": 60, "metrics": {"revenue": _m, "csat": _m}},
            }
        }
    },
}


def rules_for(tmp_path: Path, config: dict[str, Any]) -> set[str]:
    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump(config))
    return {w.rule for w in lint_config(load_config(path))}


def test_balanced_scheme_is_clean(tmp_path: Path) -> None:
    assert rules_for(tmp_path, BALANCED) == set()


def test_too_many_metrics(tmp_path: Path) -> None:
    config = copy.deepcopy(BALANCED)
    extra = {f"m{i}": metric("customer") for i in range(5)}
    config["metrics"].update(extra)
    config["scorecards"]["main"]["categories"]["quality"]["metrics"] = {
        name: {"weight": 100 / 7, "points": {"percentile": {}}} for name in ["revenue", "csat", *extra]
    }
    assert "too-many-metrics" in rules_for(tmp_path, config)  # 2 + 7 = 9 > 8


def test_missing_perspective(tmp_path: Path) -> None:
    config = copy.deepcopy(BALANCED)
    del config["metrics"]["training"]["perspective"]
    assert rules_for(tmp_path, config) == {"perspectives"}


def test_quality_far_below_efficiency(tmp_path: Path) -> None:
    config = copy.deepcopy(BALANCED)
    config["scorecards"]["main"]["categories"]["efficiency"]["weight"] = 75
    config["scorecards"]["main"]["categories"]["quality"]["weight"] = 25
    assert rules_for(tmp_path, config) == {"quality-weight"}  # 25 < 0.5 × 75


def test_volume_without_counterweight(tmp_path: Path) -> None:
    config = copy.deepcopy(BALANCED)
    config["metrics"]["revenue"]["perspective"] = "growth"
    config["metrics"]["csat"]["perspective"] = "operational"
    assert "volume-without-quality" in rules_for(tmp_path, config)


def test_outbound_template_only_breaks_the_metric_count_rule() -> None:
    # The articles' own 40/35/20/5 template scores 11 metrics, more than their rule of 8.
    warnings = lint_config(load_config(ROOT / "configs" / "outbound.yaml"))
    assert {w.rule for w in warnings} == {"too-many-metrics"}
    assert {w.where.split(": ")[-1] for w in warnings} == {"scorecards.junior", "scorecards.senior"}


def test_data_rules(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump(BALANCED))
    loaded = load_config(path)
    agents = pl.DataFrame(
        {
            "agent_id": ["a", "b", "c", "d", "e"],
            "scorecard": ["main"] * 5,
            "dials": [40.0, 50.0, 60.0, 70.0, 80.0],
            "revenue": [4.1, 5.0, 6.2, 6.9, 8.0],  # r ≈ 0.998 with dials: double counting
            "csat": [4.0, 4.0, 4.0, 4.0, 4.0],  # constant
            "training": [3.0, 1.0, 4.0, 1.0, 5.0],  # varies, weakly related
        }
    )
    found = {(w.rule, w.message.split("`")[1]) for w in lint_data(loaded, agents)}
    assert found == {("constant-metric", "csat"), ("double-counting", "dials")}
    calm = agents.with_columns(
        pl.Series("revenue", [8.0, 4.1, 6.9, 5.0, 6.2]), pl.Series("csat", [4.0, 4.5, 3.9, 4.2, 4.1])
    )
    assert lint_data(loaded, calm) == []


def test_validate_shows_lint_warnings_and_strict_fails() -> None:
    from typer.testing import CliRunner

    from csperf.cli import app

    config = str(ROOT / "configs" / "outbound.yaml")
    loose = CliRunner().invoke(app, ["validate", config])
    assert loose.exit_code == 0, loose.output
    assert "scheme lint `too-many-metrics`" in loose.output
    strict = CliRunner().invoke(app, ["validate", config, "--strict"])
    assert strict.exit_code == 2
    assert "scheme lint `too-many-metrics`" in strict.output
