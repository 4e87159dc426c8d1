"""The full result as JSON: agents with per-metric detail, plus data quality."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from csperf.pipeline import ScoreResult
from csperf.reports.atomic import write_text_atomic
from csperf.reports.tables import agent_documents


def result_document(result: ScoreResult) -> dict[str, Any]:
    config = result.config
    return {
        "config": config.name,
        "period": result.period.label if result.period else None,
        "scorecards": list(config.scorecards),
        "agents": agent_documents(result),
        "data_quality": result.data_quality.to_dict(),
    }


def write_json(result: ScoreResult, path: Path) -> None:
    text = json.dumps(result_document(result), ensure_ascii=False, indent=2, sort_keys=False)
    write_text_atomic(path, text + "\n")
