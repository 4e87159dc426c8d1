"""Bad configs: every problem reported at once as `file:line: key.path: message`, exit 2."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from csperf.cli import app
from csperf.config import load_config
from csperf.errors import ConfigError

GOOD = """\
name: tiny
sources:
  calls:
    path: calls.csv
    columns:
      agent_id: agent
      connected: {from: connected, type: bool}
measures:
  dials: {source: calls, agg: count}
  connected: {source: calls, agg: count, where: connected}
metrics:
  connect_rate: {ratio: [connected, dials], unit: percent, better: higher}
scorecards:
  main:
    categories:
      efficiency:
        weight: 100
        metrics:
          connect_rate: {weight: 100, points: {linear: {floor: 0.2, target: 0.5}}}
"""


def write(tmp_path: Path, text: str, name: str = "c.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def problems(path: Path) -> list[str]:
    with pytest.raises(ConfigError) as info:
        load_config(path)
    return info.value.problems


def test_good_config_loads(tmp_path: Path) -> None:
    loaded = load_config(write(tmp_path, GOOD))
    assert list(loaded.config.metrics) == ["connect_rate"]


def test_unknown_key_suggests_the_right_one(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        GOOD.replace("      efficiency:\n        weight: 100", "      efficiency:\n        wieght: 100"),
    )
    found = problems(path)
    assert any(
        re.fullmatch(
            rf"{re.escape(str(path))}:17: scorecards\.main\.categories\.efficiency\.wieght: "
            r"unknown key; did you mean `weight`\?",
            p,
        )
        for p in found
    ), found


def test_weights_not_summing_to_100_show_the_sum(tmp_path: Path) -> None:
    text = GOOD.replace("weight: 100\n        metrics", "weight: 95\n        metrics")
    found = problems(write(tmp_path, text))
    assert any(":15: scorecards.main.categories: weights sum to 95, not 100" in p for p in found), found


def test_metric_referring_to_missing_measure(tmp_path: Path) -> None:
    text = GOOD.replace("ratio: [connected, dials]", "ratio: [conected, dials]")
    found = problems(write(tmp_path, text))
    assert found == [
        f"{tmp_path / 'c.yaml'}:12: metrics.connect_rate.ratio.0: unknown measure `conected`; "
        "did you mean `connected`?"
    ]


def test_bad_yaml_names_the_line(tmp_path: Path) -> None:
    path = write(
        tmp_path, GOOD.replace("  dials: {source: calls, agg: count}", "  dials: {source: calls, agg: count")
    )
    found = problems(path)
    assert len(found) == 1
    assert found[0].startswith(f"{path}:") and "invalid YAML" in found[0]


def test_several_problems_reported_together(tmp_path: Path) -> None:
    text = (
        GOOD.replace("ratio: [connected, dials]", "ratio: [conected, dials]")
        .replace("weight: 100\n        metrics", "weight: 95\n        metrics")
        .replace("where: connected", "where: connectd")
    )
    found = problems(write(tmp_path, text))
    assert len(found) == 3, found
    assert any("measures.connected.where: `connectd` is not a column" in p for p in found)


def test_sql_syntax_error_in_expression(tmp_path: Path) -> None:
    found = problems(write(tmp_path, GOOD.replace("where: connected", "where: 'connected = = 1'")))
    assert any("measures.connected.where: cannot parse the SQL expression" in p for p in found), found


def test_linear_rule_direction_is_checked(tmp_path: Path) -> None:
    found = problems(write(tmp_path, GOOD.replace("floor: 0.2, target: 0.5", "floor: 0.5, target: 0.2")))
    assert any("higher is better, so target (0.2) must be above floor (0.5)" in p for p in found), found


def test_formula_cycle(tmp_path: Path) -> None:
    text = GOOD.replace(
        "  connect_rate: {ratio: [connected, dials], unit: percent, better: higher}",
        "  connect_rate: {ratio: [connected, dials], unit: percent, better: higher}\n"
        "  a: {formula: b + 1}\n  b: {formula: a + 1}",
    )
    found = problems(write(tmp_path, text))
    assert any("formulas refer to each other in a circle" in p for p in found), found


def test_extends_overrides_weights(tmp_path: Path) -> None:
    write(tmp_path, GOOD, "base.yaml")
    variant = write(
        tmp_path,
        "extends: base.yaml\nscorecards:\n  main:\n    categories:\n      efficiency:\n        metrics:\n"
        "          connect_rate: {weight: 100, points: {linear: {floor: 0.1, target: 0.6}}}\n",
        "variant.yaml",
    )
    loaded = load_config(variant)
    rule = loaded.config.scorecards["main"].categories["efficiency"].metrics["connect_rate"].points.linear
    assert rule is not None and (rule.floor, rule.target) == (0.1, 0.6)
    assert loaded.config.name == "tiny"


def test_extends_error_points_at_the_variant_file(tmp_path: Path) -> None:
    write(tmp_path, GOOD, "base.yaml")
    variant = write(
        tmp_path,
        "extends: base.yaml\nscorecards:\n  main:\n    categories:\n      efficiency:\n        weight: 90\n",
        "variant.yaml",
    )
    found = problems(variant)
    assert any(p.startswith(f"{variant}:") or "base.yaml" in p for p in found), found
    assert any("weights sum to 90" in p for p in found)


def test_circular_extends(tmp_path: Path) -> None:
    write(tmp_path, "extends: b.yaml\n" + GOOD, "a.yaml")
    write(tmp_path, "extends: a.yaml\nname: b\n", "b.yaml")
    found = problems(tmp_path / "a.yaml")
    assert "circular extends" in found[0]


def test_cli_exit_2_one_line_per_problem_no_traceback(tmp_path: Path) -> None:
    text = GOOD.replace("ratio: [connected, dials]", "ratio: [conected, dials]").replace(
        "weight: 100\n        metrics", "weight: 95\n        metrics"
    )
    path = write(tmp_path, text)
    result = CliRunner().invoke(app, ["score", str(path), "--data", str(tmp_path)])
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 2
    assert all(line.startswith(f"csperf: {path}:") for line in lines)
    assert "Traceback" not in result.output


def test_missing_config_file_is_exit_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["score", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 2
    assert "file not found" in result.output


def test_missing_source_column_names_file_expected_and_found(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD)
    (tmp_path / "calls.csv").write_text("agent,answered\nA,Y\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["score", str(path), "--data", str(tmp_path)])
    assert result.exit_code == 2
    assert "calls.csv: column 'connected' (sources.calls.columns.connected) not found" in result.output
    assert "columns found: 'agent', 'answered'" in result.output
