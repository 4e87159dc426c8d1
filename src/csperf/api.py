"""The public library API: what the CLI calls and what tests call directly."""

from __future__ import annotations

from pathlib import Path

from csperf.config import LoadedConfig, load_config
from csperf.pipeline import ScoreResult, base_directory, score
from csperf.sources import Period, read_source

__all__ = ["ScoreResult", "load_config", "run_score", "score", "validate_config", "write_rejects"]


def run_score(
    config: str | Path | LoadedConfig,
    data_dir: str | Path | None = None,
    period: Period | None = None,
    scorecards: list[str] | None = None,
    keep_rejects: bool = False,
) -> ScoreResult:
    """Load the config (unless given loaded) and score."""
    loaded = config if isinstance(config, LoadedConfig) else load_config(config)
    if scorecards:
        from csperf.errors import CsperfError

        unknown = [s for s in scorecards if s not in loaded.config.scorecards]
        if unknown:
            known = ", ".join(loaded.config.scorecards)
            raise CsperfError(f"--scorecard: unknown scorecard {', '.join(unknown)}; the config has: {known}")
    return score(loaded, data_dir, period=period, scorecards=scorecards, keep_rejects=keep_rejects)


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
    import polars as pl

    from csperf.errors import CsperfError
    from csperf.pipeline import _quality

    loaded = load_config(config)
    cfg = loaded.config
    lines = [
        f"{loaded.path}: config OK — {len(cfg.sources)} sources, {len(cfg.measures)} measures, "
        f"{len(cfg.metrics)} metrics, {len(cfg.scorecards)} scorecards"
    ]
    if data_dir is None and cfg.data_dir is None:
        return lines
    base = base_directory(loaded, data_dir)
    problems: list[str] = []
    for name in cfg.sources:
        try:
            frame = read_source(cfg, name, base)
            counts = frame.accounting_query().collect()
        except CsperfError as exc:
            problems += exc.problems
            continue
        except pl.exceptions.PolarsError as exc:
            problems.append(f"sources.{name}: cannot read: {str(exc).splitlines()[0]}")
            continue
        quality = _quality(name, frame, counts)
        detail = "".join(f"; rejected {reason}: {n}" for reason, n in sorted(quality.rejected.items()))
        lines.append(
            f"sources.{name}: {len(frame.files)} file(s), {quality.rows_read} rows, "
            f"{quality.rows_used} usable{detail}"
        )
    if problems:
        raise CsperfError(*problems)
    return lines
