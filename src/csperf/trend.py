"""Comparison with the previous period: every agent's score, rank and metrics with their change.

The previous period is scored with the same config (`api.run_score(..., compare_previous=True)`)
and kept as `result.previous`. Rank movement is previous rank − current rank, so moving from 5th
to 2nd is +3 (up). A previous period without a single used row counts as "no previous data",
not as a period in which everyone scored zero.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from csperf.pipeline import ScoreResult

AGENT = "agent_id"
PREV = "__prev"
CHANGE = "__change"


def has_data(result: ScoreResult) -> bool:
    """Whether any source other than the roster had a used row."""
    return any(q.rows_used > 0 for name, q in result.data_quality.sources.items() if name != "roster")


def comparable(result: ScoreResult) -> ScoreResult | None:
    """The previous result when there is one with data."""
    previous = result.previous
    if previous is None or not has_data(previous):
        return None
    return previous


def movement(rank: int | None, previous_rank: int | None) -> str:
    """`▲3` (up three places), `▼2`, `=`, `new` (no previous rank) or `–` (no rank now)."""
    if rank is None:
        return "–"
    if previous_rank is None:
        return "new"
    change = previous_rank - rank
    return "=" if change == 0 else f"▲{change}" if change > 0 else f"▼{-change}"


def trend_table(result: ScoreResult) -> pl.DataFrame | None:
    """One row per current agent: score, rank, every scored metric, each with previous value and
    change (`x__prev`, `x__change`; `rank__change` > 0 means moved up), and `movement`.

    None when no previous period was scored; previous columns are null when it had no data.
    """
    if result.previous is None:
        return None
    metrics = result.scored_metrics()
    columns = ["score", "rank", *metrics]
    current = result.agents.select(AGENT, *[pl.col(c) for c in columns if c in result.agents.columns])
    previous = comparable(result)
    if previous is not None:
        old = previous.agents.select(AGENT, *[c for c in columns if c in previous.agents.columns])
    else:
        old = pl.DataFrame(schema={AGENT: pl.String})
    old = old.with_columns(
        [pl.lit(None, dtype=current.schema[c]).alias(c) for c in columns if c not in old.columns]
    ).select(AGENT, *columns)
    old = old.rename({c: c + PREV for c in columns})
    table = current.join(old, on=AGENT, how="left")
    changes = [(pl.col(c) - pl.col(c + PREV)).alias(c + CHANGE) for c in columns if c != "rank"]
    changes.append((pl.col("rank" + PREV) - pl.col("rank")).alias("rank" + CHANGE))
    table = table.with_columns(changes)
    if previous is None:
        moves = ["–"] * table.height  # nothing to move from: not "new" either
    else:
        moves = [movement(r, p) for r, p in zip(table["rank"], table["rank" + PREV], strict=True)]
    return table.with_columns(pl.Series("movement", moves, dtype=pl.String))


def _number(value: Any) -> Any:
    from csperf.reports.tables import clean_number

    return clean_number(value)


def trend_documents(result: ScoreResult) -> list[dict[str, Any]]:
    """Per agent, for JSON: score, rank and each scored metric now, before and the change."""
    table = trend_table(result)
    if table is None:
        return []
    documents = []
    for row in table.iter_rows(named=True):
        documents.append(
            {
                AGENT: row[AGENT],
                "score": _number(row["score"]),
                "score_previous": _number(row["score" + PREV]),
                "score_change": _number(row["score" + CHANGE]),
                "rank": row["rank"],
                "rank_previous": row["rank" + PREV],
                "rank_change": row["rank" + CHANGE],
                "movement": row["movement"],
                "metrics": {
                    m: {
                        "value": _number(row[m]),
                        "previous": _number(row[m + PREV]),
                        "change": _number(row[m + CHANGE]),
                    }
                    for m in result.scored_metrics()
                },
            }
        )
    return documents


def previous_summary(result: ScoreResult) -> dict[str, Any] | None:
    """The previous period's label and whether it had data (None when not compared)."""
    previous = result.previous
    if previous is None:
        return None
    return {
        "period": previous.period.label if previous.period else None,
        "has_data": has_data(previous),
        "agents_scored": int(previous.agents["score"].is_not_null().sum()) if has_data(previous) else 0,
    }
