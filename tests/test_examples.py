"""Every shipped scoring config runs on its example data (so the docs cannot rot)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from csperf.cli import app

ROOT = Path(__file__).resolve().parent.parent
CONFIGS = sorted((ROOT / "configs").glob("*.yaml"))


def is_scoring_config(path: Path) -> bool:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return isinstance(data, dict) and ("sources" in data or "extends" in data)


@pytest.mark.parametrize("config", [c for c in CONFIGS if is_scoring_config(c)], ids=lambda p: p.name)
def test_shipped_config_scores(config: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["score", str(config), "--out", str(tmp_path / "r.json"), "-q"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "r.json").stat().st_size > 100
