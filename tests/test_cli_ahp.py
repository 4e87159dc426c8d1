"""`csperf ahp`: the report, the scorecard block, --method, --strict and bad files."""

from __future__ import annotations

from pathlib import Path

import yaml
from typer.testing import CliRunner

from csperf.cli import app
from csperf.config import Scorecard

ROOT = Path(__file__).resolve().parent.parent


def test_ahp_report_and_scorecard_block() -> None:
    result = CliRunner().invoke(
        app, ["ahp", str(ROOT / "configs" / "ahp_outbound.yaml"), "--write-scorecard"]
    )
    assert result.exit_code == 0, result.output
    assert "CR 0.014 ok" in result.output
    block = yaml.safe_load(result.output[result.output.index("categories:") :])
    card = Scorecard.model_validate(block)
    assert {name: c.weight for name, c in card.categories.items()} == {
        "efficiency": 40,
        "quality": 35,
        "customer_experience": 20,
        "teamwork": 5,
    }


def test_geometric_mean_method_option() -> None:
    result = CliRunner().invoke(
        app, ["ahp", str(ROOT / "configs" / "ahp_outbound.yaml"), "--method", "geometric_mean"]
    )
    assert result.exit_code == 0, result.output
    assert "geometric" in result.output


def test_strict_fails_on_inconsistent_judgements(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(
        "categories:\n  order: [a, b, c]\n  judgements:\n    a vs b: 9\n    b vs c: 9\n    a vs c: 1/9\n"
        "metrics:\n  a: {order: [x]}\n  b: {order: [y]}\n  c: {order: [z]}\n",
        encoding="utf-8",
    )
    loose = CliRunner().invoke(app, ["ahp", str(path)])
    assert loose.exit_code == 0, loose.output
    strict = CliRunner().invoke(app, ["ahp", str(path), "--strict"])
    assert strict.exit_code == 2
    assert "CR" in strict.output and "Traceback" not in strict.output


def test_bad_ahp_file_is_exit_2(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("categories:\n  order: [a, b]\n  judgements:\n    a vs b: 10\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["ahp", str(path)])
    assert result.exit_code == 2
    assert f"{path}:" in result.output and "Traceback" not in result.output
