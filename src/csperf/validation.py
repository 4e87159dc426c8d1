"""`csperf validate` and `--strict`: what can be checked about a config and its data, all at once.

`check_inputs` reports every config problem it can find in one run (misspelt keys do not hide the
cross-field rules), then reads every source: files found, header row, columns matched (a missing
one is listed with the headers actually found and the closest match), how many cells of each typed
column parse, and the row accounting. When nothing blocks, it scores once to prove the whole
computation runs. Problems make the command exit 2; rejected rows, empty sources and agents missing
from the roster are warnings unless `strict`.
"""

from __future__ import annotations

import copy
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
from pydantic import ValidationError

from csperf.config import Config, LoadedConfig, SourceConfig, _pydantic_messages
from csperf.errors import ConfigError, CsperfError
from csperf.identity import agent_origins
from csperf.pipeline import ScoreResult, base_directory, score
from csperf.sources import FILE, REASON, ROW, STATUS, SourceFrame, read_source
from csperf.yamlsource import load_with_extends

STRICT_LIMIT = 20
TYPE_WORDS = {"int": "whole number", "float": "number", "number": "number", "percent": "percent"}


@dataclass
class InputReport:
    """Lines to show (what was found), problems (exit 2) and warnings (exit 2 only when strict)."""

    lines: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


# --- config ---------------------------------------------------------------------------------------


def _drop(data: Any, path: tuple[Any, ...]) -> bool:
    node = data
    for part in path[:-1]:
        in_dict = isinstance(node, dict) and part in node
        in_list = isinstance(node, list) and isinstance(part, int) and part < len(node)
        if in_dict or in_list:
            node = node[part]
        else:
            return False
    if isinstance(node, dict) and path and path[-1] in node:
        del node[path[-1]]
        return True
    return False


def load_collecting(path: str | Path) -> tuple[LoadedConfig | None, list[str], bool]:
    """(the config, every problem found, whether its sources can be trusted for reading data).

    Unknown keys are reported and then left out so that the cross-field rules still run: a typo
    does not hide a weight that does not add up. Other model errors stop there.
    """
    path = Path(path)
    document = load_with_extends(path)  # YAML syntax and `extends:` errors stop here
    data = copy.deepcopy(document.data)
    problems: list[str] = []
    dropped: list[tuple[Any, ...]] = []
    config: Config | None = None
    for _ in range(20):
        try:
            config = Config.model_validate(data)
            break
        except ValidationError as exc:
            for message in _pydantic_messages(exc, document):
                if message not in problems:
                    problems.append(message)
            errors = exc.errors()
            extra = [tuple(e["loc"]) for e in errors if e["type"] == "extra_forbidden"]
            if len(extra) != len(errors) or not any(_drop(data, loc) for loc in extra):
                return None, problems, False
            dropped += extra
    if config is None:
        return None, problems, False
    loaded = LoadedConfig(config, document, path)
    from csperf.rules import check_config

    problems += [p for p in check_config(loaded) if p not in problems]
    trusted = not any(loc and loc[0] in ("sources", "roster", "agent_id") for loc in dropped)
    return loaded, problems, trusted


# --- sources --------------------------------------------------------------------------------------


def _relative(path: Path | str, base: Path) -> str:
    try:
        return str(Path(path).relative_to(os.path.normpath(base)))
    except ValueError:
        return str(path)


def _typed_columns(frame: SourceFrame) -> list[str]:
    return [c for c, s in frame.specs.items() if s.type != "str" and c != "agent_id"]


def _column_stats_queries(frame: SourceFrame) -> list[pl.LazyFrame]:
    """Per typed column: cells with text and cells that do not parse, then the first bad cell."""
    # Every row but the skipped ones (blank, total, no agent, `where:`): duplicates have cells too.
    considered = frame.frame.filter(pl.col(STATUS).fill_null("") != "skipped")
    typed = _typed_columns(frame)
    counts: list[pl.Expr] = []
    firsts: list[pl.LazyFrame] = []
    for column in typed:
        text = pl.col(f"_txt_{column}")
        bad = text.is_not_null() & pl.col(column).is_null()
        if frame.specs[column].type == "duration":
            bad = bad | (pl.col(column) < 0).fill_null(False)
        counts += [text.is_not_null().sum().alias(f"n:{column}"), bad.sum().alias(f"bad:{column}")]
        firsts.append(
            considered.filter(bad)
            .sort(FILE, ROW)
            .head(1)
            .select(pl.col(FILE), pl.col(ROW), pl.col(f"_raw_{column}").alias("value"))
        )
    summary = considered.select(counts) if counts else considered.select(pl.len().alias("rows"))
    return [summary, *firsts]


def _accounting_line(counts: pl.DataFrame) -> tuple[str, dict[str, int], int, int]:
    read = used = rejected = skipped = duplicates = outside = 0
    reasons: dict[str, int] = {}
    for status, reason, rows in counts.select(STATUS, REASON, "rows").iter_rows():
        read += rows
        if status is None:
            used += rows
        elif status == "rejected":
            rejected += rows
            reasons[reason] = reasons.get(reason, 0) + rows
        elif status == "skipped":
            skipped += rows
        elif status == "duplicate":
            duplicates += rows
        elif status == "outside_period":
            outside += rows
    line = (
        f"rows: {read:,} read = {used:,} used + {rejected:,} rejected + {skipped:,} skipped + "
        f"{duplicates:,} duplicates + {outside:,} outside the period"
    )
    skip_reasons = [
        f"{reason} × {rows:,}"
        for status, reason, rows in counts.select(STATUS, REASON, "rows").iter_rows()
        if status == "skipped"
    ]
    if skip_reasons:
        line += f" (skipped: {'; '.join(sorted(skip_reasons))})"
    return line, reasons, read, rejected


def check_source(
    loaded: LoadedConfig, name: str, base: Path, report: InputReport, source: SourceConfig | None = None
) -> SourceFrame | None:
    """Read one source (or the roster) and describe it; problems and warnings go into `report`."""
    config = loaded.config
    label = "roster" if source is not None else f"sources.{name}"
    try:
        frame = read_source(config, name, base, source=source, keep_text=True)
    except CsperfError as exc:
        report.lines.append(f"{label}: cannot be read (see the problems below)")
        report.problems += exc.problems
        return None
    queries = [
        frame.frame.group_by(STATUS, REASON).agg(pl.len().alias("rows")),
        frame.frame.group_by(FILE).agg(pl.len().alias("rows")),
        *_column_stats_queries(frame),
    ]
    try:
        counts, per_file, summary, *firsts = pl.collect_all(queries)
    except pl.exceptions.PolarsError as exc:
        files = ", ".join(str(p) for p in frame.files)
        report.lines.append(f"{label}: cannot be read (see the problems below)")
        report.problems.append(f"{files}: {label}: cannot read: {str(exc).strip().splitlines()[0]}")
        return None
    rows_by_file: dict[str, int] = {file: rows for file, rows in per_file.iter_rows()}
    report.lines.append(f"{label}: {len(frame.files)} file{'s' if len(frame.files) != 1 else ''}")
    for path in frame.files:
        details = []
        if path in frame.encodings:
            details.append(frame.encodings[path])
        header = frame.header_rows.get(path)
        details.append(f"header on row {header}" if header else "no header row")
        rows = rows_by_file.get(str(path), 0)
        details.append(f"{rows:,} rows")
        report.lines.append(f"  {_relative(path, base)}: {', '.join(details)}")
        if rows == 0:
            report.warnings.append(
                f"{path}: {label}: no data rows (header only); nothing from this file counts "
                "(fine if there really was nothing, e.g. no complaints)"
            )
    matched: dict[str, str] = {}
    for found in frame.matched.values():
        for canonical, column in found.items():
            matched.setdefault(canonical, column)
    shown = ", ".join(f"{c} ← {h}" for c, h in matched.items())
    report.lines.append(f"  columns: {shown}")
    absent = [c for c in frame.specs if c not in matched]
    if absent:
        report.lines.append(f"  optional columns not in the file(s), left empty: {', '.join(absent)}")
    parsed: list[str] = []
    for column, first in zip(_typed_columns(frame), firsts, strict=True):
        if column in absent:
            continue
        total, bad = summary[f"n:{column}"][0], summary[f"bad:{column}"][0]
        kind = TYPE_WORDS.get(frame.specs[column].type, frame.specs[column].type)
        text = f"{column} {total - bad:,}/{total:,} {kind}"
        if bad and first.height:
            file, row, value = first.row(0)
            text += f" ({bad:,} not; first {_relative(file, base)}:{row} {value!r})"
        parsed.append(text)
    if parsed:
        report.lines.append(f"  parsed: {'; '.join(parsed)}")
    line, reasons, _, rejected = _accounting_line(counts)
    report.lines.append(f"  {line}")
    if rejected:
        detail = "; ".join(f"{reason} × {rows:,}" for reason, rows in sorted(reasons.items()))
        report.lines.append(f"  rejected: {detail}")
        report.warnings.append(
            f"{', '.join(str(p) for p in frame.files)}: {label}: {rejected:,} rows rejected ({detail}); "
            "write them with `csperf score --rejects DIR`"
        )
    return frame


def _agents_check(
    loaded: LoadedConfig, frames: dict[str, SourceFrame], roster: SourceFrame | None, report: InputReport
) -> None:
    queries = [f.used().select("agent_id").unique() for f in frames.values() if "agent_id" in f.specs]
    queries += [f.used().select("agent_id").unique() for f in frames.values() if "agent_id" not in f.specs]
    if not queries:
        return
    try:
        tables = pl.collect_all(queries)
    except pl.exceptions.PolarsError:
        return
    in_data = {a for t in tables for a in t["agent_id"].to_list() if a is not None}
    if roster is None:
        report.lines.append(f"agents: {len(in_data):,} in the data (no roster: every one is scored)")
        return
    roster_ids = set(roster.used().select("agent_id").collect()["agent_id"].drop_nulls().to_list())
    unknown = sorted(in_data - roster_ids)
    idle = sorted(roster_ids - in_data)
    report.lines.append(f"agents: {len(in_data):,} in the data, {len(roster_ids):,} in the roster")
    roster_files = ", ".join(str(p) for p in roster.files)
    if unknown:
        origins = agent_origins(frames, unknown[:STRICT_LIMIT])
        report.lines.append(f"  in the data but not in the roster (not scored): {', '.join(unknown)}")
        for agent in unknown:
            where = origins.get(agent, "the data")
            report.warnings.append(
                f"{roster_files}: roster.agent_id: agent {agent!r} (first seen at {where}) is not in the "
                "roster, so it is not scored; add it to the roster or map it with agent_id.aliases"
            )
    if idle:
        report.lines.append(f"  in the roster without data: {', '.join(idle)}")


def check_inputs(config: str | Path, data_dir: str | Path | None = None, strict: bool = False) -> InputReport:
    """The whole validation: config problems, then (with data) every source, agents and a scoring run."""
    report = InputReport()
    try:
        loaded, problems, trusted = load_collecting(config)
    except ConfigError as exc:
        report.problems += exc.problems
        return report
    report.problems += problems
    if loaded is None:
        report.lines.append(f"{config}: the config has problems (see below)")
        return report
    cfg = loaded.config
    status = "OK" if not problems else f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
    report.lines.append(
        f"{loaded.path}: config {status} — {len(cfg.sources)} sources, {len(cfg.measures)} measures, "
        f"{len(cfg.metrics)} metrics, {len(cfg.scorecards)} scorecards"
    )
    from csperf.lint import lint_config, lint_data

    report.warnings += [str(w) for w in lint_config(loaded)]
    if data_dir is None and cfg.data_dir is None:
        _finish(report, strict, data_checked=False)
        return report
    if not trusted:
        report.lines.append("note: the data is read without the unknown keys reported below")
    base = base_directory(loaded, data_dir)
    frames: dict[str, SourceFrame] = {}
    for name in cfg.sources:
        frame = check_source(loaded, name, base, report)
        if frame is not None:
            frames[name] = frame
    roster_frame = None
    if cfg.roster is not None:
        roster = (
            cfg.roster if cfg.roster.dedupe_on else cfg.roster.model_copy(update={"dedupe_on": ["agent_id"]})
        )
        roster_frame = check_source(loaded, "roster", base, report, source=roster)
    if not report.problems:
        _agents_check(loaded, frames, roster_frame, report)
        try:
            result = score(loaded, data_dir)
            scored = result.agents.filter(pl.col("score").is_not_null()).height
            report.lines.append(f"scoring: OK, {scored:,} of {result.agents.height:,} agents get a score")
            report.warnings += [str(w) for w in lint_data(loaded, result.agents)]
        except CsperfError as exc:
            report.problems += exc.problems
    _finish(report, strict, data_checked=True)
    return report


def _finish(report: InputReport, strict: bool, data_checked: bool) -> None:
    if strict:
        report.problems += [f"{w} (--strict)" for w in report.warnings]
    else:
        report.lines += [f"warning: {w}" for w in report.warnings]
    if report.problems:
        count = len(report.problems)
        report.lines.append(f"{count} problem{'s' if count != 1 else ''}: cannot be scored as it is")
    elif data_checked:
        report.lines.append("OK: everything can be scored")
    else:
        report.lines.append("OK: the config is valid (pass --data DIR to check the data too)")


# --- --strict on `csperf score` -----------------------------------------------------------------


def _reject_line(source: str, row: dict[str, Any]) -> str:
    reason = str(row.get("reject_reason") or "")
    canonical = reason.split(" ", 1)[0].rstrip(":")
    value = row.get(canonical)
    shown = f" (cell: {value!r})" if value is not None and canonical != "agent_id" else ""
    return f"{row.get('source_file')}:{row.get('source_row')}: sources.{source}: {reason}{shown}"


def strict_problems(result: ScoreResult) -> list[str]:
    """Every reason `--strict` fails: rejected rows (the first ones named), empty sources, unknown agents."""
    quality = result.data_quality
    problems: list[str] = []
    if quality.rows_rejected:
        problems.append(
            f"--strict: {quality.rows_rejected} rows were rejected; see the summary above "
            "or write them with --rejects DIR"
        )
        listed = 0
        for name, table in result.rejects.items():
            for row in table.head(STRICT_LIMIT - listed).iter_rows(named=True):
                problems.append(_reject_line(name, row))
                listed += 1
        if quality.rows_rejected > listed:
            problems.append(f"--strict: and {quality.rows_rejected - listed} more rejected rows")
    for source in quality.sources.values():
        problems += [f"{warning} (--strict)" for warning in source.warnings]
    if quality.agents_not_in_roster:
        roster = quality.sources.get("roster")
        files = ", ".join(roster.files) if roster else "roster"
        unknown = quality.agents_not_in_roster
        shown = ", ".join(repr(a) for a in unknown[:STRICT_LIMIT]) + (
            " ..." if len(unknown) > STRICT_LIMIT else ""
        )
        problems.append(
            f"{files}: roster.agent_id: {len(unknown)} agents in the data are not in the roster and are "
            f"not scored: {shown}; add them or map them with agent_id.aliases (--strict)"
        )
    return problems
