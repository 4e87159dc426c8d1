"""The public library API: what the CLI calls and what tests call directly."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from csperf.config import LoadedConfig, load_config
from csperf.pipeline import ScoreResult, score
from csperf.sources import Period

if TYPE_CHECKING:
    from csperf.compare import CompareResult
    from csperf.validation import InputReport

__all__ = [
    "ScoreResult",
    "check_inputs",
    "load_config",
    "run_compare",
    "run_score",
    "score",
    "strict_problems",
    "validate_config",
    "write_rejects",
]


def run_score(
    config: str | Path | LoadedConfig,
    data_dir: str | Path | None = None,
    period: Period | None = None,
    scorecards: list[str] | None = None,
    keep_rejects: bool = False,
    compare_previous: bool = False,
) -> ScoreResult:
    """Load the config (unless given loaded) and score.

    With `compare_previous`, the previous period of the same length is scored too and kept as
    `result.previous` (see `csperf.trend`); that needs a period.
    """
    loaded = config if isinstance(config, LoadedConfig) else load_config(config)
    if scorecards:
        from csperf.errors import CsperfError

        unknown = [s for s in scorecards if s not in loaded.config.scorecards]
        if unknown:
            known = ", ".join(loaded.config.scorecards)
            raise CsperfError(f"--scorecard: unknown scorecard {', '.join(unknown)}; the config has: {known}")
    if compare_previous and period is None:
        from csperf.errors import CsperfError

        raise CsperfError("--compare-previous: there is no previous period without --period (e.g. last-week)")
    result = score(loaded, data_dir, period=period, scorecards=scorecards, keep_rejects=keep_rejects)
    if compare_previous:
        from csperf.periods import previous_period

        assert period is not None
        result.previous = score(loaded, data_dir, period=previous_period(period), scorecards=scorecards)
    return result


def run_compare(
    config: str | Path | LoadedConfig,
    variant_files: list[str | Path] | None = None,
    scorecards: list[str] | None = None,
    data_dir: str | Path | None = None,
    period: Period | None = None,
    top: int = 10,
    perturb: float | None = None,
    draws: int = 1000,
    seed: int = 1,
    flip_threshold: float = 0.2,
) -> CompareResult:
    """`csperf compare`: score weight variants on one read of the data (see `csperf.compare`)."""
    from csperf.compare import compare

    return compare(
        config, variant_files or [], scorecards, data_dir, period, top, perturb, draws, seed, flip_threshold
    )


def write_rejects(result: ScoreResult, folder: Path) -> list[Path]:
    """One CSV per source with rejected rows: file, row number, reason and the raw cells."""
    from csperf.reports.csv_report import write_rows_csv

    written = []
    for name, table in result.rejects.items():
        path = folder / f"{name}.rejects.csv"
        write_rows_csv(table.to_dicts(), path)
        written.append(path)
    return written


def validate_config(config: str | Path, data_dir: str | Path | None = None) -> list[str]:
    """Problems raise CsperfError (all at once); on success, lines describing what was checked."""
    from csperf.errors import CsperfError
    from csperf.validation import check_inputs

    report = check_inputs(config, data_dir)
    if report.problems:
        raise CsperfError(*report.problems)
    return report.lines


def check_inputs(config: str | Path, data_dir: str | Path | None = None, strict: bool = False) -> InputReport:
    """Everything `csperf validate` checks: config, files, columns, parsing, rows, agents, scoring."""
    from csperf.validation import check_inputs as check

    return check(config, data_dir, strict=strict)


def strict_problems(result: ScoreResult) -> list[str]:
    """What `--strict` fails on: rejected rows (each named), sources without rows, unknown agents."""
    from csperf.validation import strict_problems as problems

    return problems(result)
