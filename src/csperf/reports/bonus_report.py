"""The bonus table as its own CSV (`csperf score --bonus-out FILE.csv`): one row per agent."""

from __future__ import annotations

from pathlib import Path

from csperf.errors import CsperfError
from csperf.pipeline import ScoreResult
from csperf.reports.csv_report import write_rows_csv


def write_bonus_csv(result: ScoreResult, path: Path) -> None:
    """Rank, agent, score, tier reached and paid, gates fired, payout parts, amounts, scale factor."""
    from csperf.bonus import bonus_rows

    if result.bonus is None:
        raise CsperfError(f"{path}: --bonus-out: the config has no `bonus:` section; see docs/bonus.md")
    if path.suffix.lower() != ".csv":
        raise CsperfError(f"{path}: --bonus-out writes CSV; give a file name ending in .csv")
    write_rows_csv(bonus_rows(result), path)
