"""Plain rows shared by every report: ranking rows, breakdown rows, labels and formatting."""

from __future__ import annotations

import math
from typing import Any

import polars as pl

from csperf.model_base import label_text
from csperf.pipeline import ScoreResult

DECIMALS = 6
# A metric's detail in the JSON report: these breakdown columns, in this order.
DETAIL_FIELDS = [
    "category",
    "value",
    "rule",
    "points",
    "weight",
    "effective_weight",
    "contribution",
    "insufficient",
]


def clean_number(value: Any) -> Any:
    """Floats rounded for stable output; NaN becomes None."""
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return None
        return round(value, DECIMALS)
    return value


def metric_label(result: ScoreResult, name: str, language: str | None = None) -> str:
    config = result.config
    return label_text(config.metrics[name].label, language or config.language, name)  # type: ignore[arg-type]


def category_label(result: ScoreResult, name: str, language: str | None = None) -> str:
    for card in result.config.scorecards.values():
        if name in card.categories:
            return label_text(card.categories[name].label, language or result.config.language, name)  # type: ignore[arg-type]
    return name


def format_value(value: float | None, unit: str) -> str:
    """A metric value for people: rates as percentages, seconds as m:ss, others as numbers."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if unit == "percent":
        return f"{value * 100:.1f}%"
    if unit == "seconds":
        total = round(value)
        return f"{total // 60}:{total % 60:02d}"
    if unit == "count" and float(value).is_integer():
        return f"{int(value)}"
    return f"{value:.2f}"


def attribute_columns(result: ScoreResult) -> list[str]:
    roster = result.config.roster
    return [c for c in roster.columns if c != "agent_id"] if roster else []


def ranking_rows(result: ScoreResult) -> list[dict[str, Any]]:
    """One flat row per agent: rank, agent, score, category subtotals, each metric's value and points."""
    points = (
        result.breakdown.select("agent_id", "metric", "points").pivot(
            on="metric", index="agent_id", values="points"
        )
        if result.breakdown.height
        else pl.DataFrame(schema={"agent_id": pl.String})
    )
    points = points.rename({c: f"{c}_points" for c in points.columns if c != "agent_id"})
    table = result.agents.join(points, on="agent_id", how="left")
    columns = ["rank", "agent_id", *attribute_columns(result), "scorecard", "scorecard_rank", "score"]
    columns += [c for c in result.categories() if c in table.columns]
    for metric in result.scored_metrics():
        columns += [metric, f"{metric}_points"]
    present = [c for c in columns if c in table.columns]
    cells = cleaned_columns(table.select(present))
    return [dict(zip(present, row, strict=True)) for row in zip(*cells.values(), strict=True)]


def cleaned_columns(frame: pl.DataFrame) -> dict[str, list[Any]]:
    """Each column's values as `clean_number` gives them; float columns in one pass over a list
    (a call per cell was most of the JSON report's time)."""
    columns: dict[str, list[Any]] = {}
    for series in frame.get_columns():
        values = series.to_list()
        if series.dtype.is_float():
            values = [round(v, DECIMALS) if v is not None and math.isfinite(v) else None for v in values]
        columns[series.name] = values
    return columns


def agent_documents(result: ScoreResult) -> list[dict[str, Any]]:
    """Nested per-agent documents for JSON: score, rank, categories and per-metric detail."""
    details: dict[str, dict[str, Any]] = {}
    cells = cleaned_columns(result.breakdown)
    columns = [cells["agent_id"], cells["metric"], *(cells[f] for f in DETAIL_FIELDS)]
    for agent, metric, *values in zip(*columns, strict=True):
        details.setdefault(agent, {})[metric] = dict(zip(DETAIL_FIELDS, values, strict=True))
    attributes = attribute_columns(result)
    categories = [c for c in result.categories() if c in result.agents.columns]
    # Only shrunk metrics and metrics with an interval have the extra columns small_sample_detail reads.
    extras = {
        column.removesuffix(suffix)
        for column in result.agents.columns
        for suffix in ("__raw", "__ci_low")
        if column.endswith(suffix)
    }
    documents = []
    for row in result.agents.iter_rows(named=True):
        for name, detail in details.get(row["agent_id"], {}).items():
            if name in extras:
                detail.update(small_sample_detail(row, name))
        documents.append(
            {
                "agent_id": row["agent_id"],
                "rank": row["rank"],
                "scorecard_rank": row["scorecard_rank"],
                "scorecard": row["scorecard"],
                "score": clean_number(row["score"]),
                "attributes": {a: _jsonable(row.get(a)) for a in attributes},
                "categories": {c: clean_number(row[c]) for c in categories},
                "metrics": details.get(row["agent_id"], {}),
            }
        )
    return documents


def small_sample_detail(row: dict[str, Any], metric: str) -> dict[str, Any]:
    """The raw value and shrinkage k of a shrunk metric, and its 95% Wilson interval, when present."""
    extra: dict[str, Any] = {}
    if f"{metric}__raw" in row:
        extra["raw_value"] = clean_number(row[f"{metric}__raw"])
        extra["shrinkage_k"] = clean_number(row.get(f"{metric}__k"))
    if f"{metric}__ci_low" in row and row[f"{metric}__ci_low"] is not None:
        bounds = (row[f"{metric}__ci_low"], row[f"{metric}__ci_high"])
        extra["interval_95"] = [clean_number(bound) for bound in bounds]
    return extra


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float | bool):
        return clean_number(value)
    return str(value)
