"""The ranking as CSV: one row per agent (rates as fractions, durations in seconds)."""

from __future__ import annotations

import csv
from pathlib import Path

from csperf.pipeline import ScoreResult
from csperf.reports.atomic import atomic_path, neutralise
from csperf.reports.tables import ranking_rows


def write_rows_csv(rows: list[dict[str, object]], path: Path) -> None:
    """Write dict rows as UTF-8 CSV with a BOM (so Excel shows Chinese text), atomically."""
    columns: list[str] = []
    for row in rows:
        columns += [k for k in row if k not in columns]
    with atomic_path(path) as temporary, temporary.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([neutralise(c) for c in columns])
        for row in rows:
            writer.writerow([neutralise(row.get(c)) if row.get(c) is not None else "" for c in columns])


def write_csv(result: ScoreResult, path: Path) -> None:
    write_rows_csv(ranking_rows(result), path)
