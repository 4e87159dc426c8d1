"""The terminal view: a rich table on a terminal, plain aligned text otherwise.

This is the only module that imports rich.
"""

from __future__ import annotations

import sys
from typing import Any, TextIO

import polars as pl
from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from csperf.pipeline import ScoreResult
from csperf.reports.tables import attribute_columns, category_label, format_value, metric_label


def make_console(file: TextIO | None = None, width: int | None = None, color: bool | None = None) -> Console:
    """A console that is plain (no colour, no box drawing) when not writing to a terminal."""
    stream = file or sys.stdout
    is_tty = stream.isatty() if color is None else color
    return Console(
        file=stream,
        width=width or (None if is_tty else 1000),
        force_terminal=is_tty,
        no_color=not is_tty,
        highlight=False,
        soft_wrap=False,
    )


def ranking_table(
    result: ScoreResult, console: Console, language: str | None = None, limit: int | None = None
) -> Table:
    config = result.config
    plain = not console.is_terminal
    title = config.name + (f" — {result.period.label}" if result.period else "")
    table = Table(title=title, box=box.SIMPLE if plain else box.ROUNDED, header_style="" if plain else "bold")
    names = "name" in attribute_columns(result)
    several_cards = len(config.scorecards) > 1
    table.add_column("#", justify="right")
    table.add_column("agent")
    if names:
        table.add_column("name")
    if several_cards:
        table.add_column("scorecard")
    table.add_column("score", justify="right")
    categories = [c for c in result.categories() if c in result.agents.columns]
    for category in categories:
        table.add_column(category_label(result, category, language), justify="right")
    metrics = result.scored_metrics()
    for metric in metrics:
        table.add_column(metric_label(result, metric, language), justify="right")
    rows = result.agents.iter_rows(named=True)
    for index, row in enumerate(rows):
        if limit is not None and index >= limit:
            break
        cells: list[str] = [str(row["rank"]) if row["rank"] is not None else "–", str(row["agent_id"])]
        if names:
            cells.append(str(row.get("name") or ""))
        if several_cards:
            cells.append(str(row.get("scorecard") or "–"))
        cells.append(_number(row["score"]))
        cells += [_number(row.get(c)) for c in categories]
        cells += [format_value(row.get(m), config.metrics[m].unit) for m in metrics]
        table.add_row(*cells)
    return table


def _number(value: Any) -> str:
    return "–" if value is None else f"{value:.2f}"


def quality_lines(result: ScoreResult) -> list[str]:
    """Row accounting and agent matching, one line per fact."""
    quality = result.data_quality
    lines = []
    for name, source in quality.sources.items():
        parts = [f"{source.rows_read:,} rows read", f"{source.rows_used:,} used"]
        if source.rejected:
            detail = "; ".join(f"{reason}: {n:,}" for reason, n in sorted(source.rejected.items()))
            parts.append(f"{source.rows_rejected:,} rejected ({detail})")
        if source.skipped:
            detail = "; ".join(f"{reason}: {n:,}" for reason, n in sorted(source.skipped.items()))
            parts.append(f"{source.rows_skipped:,} skipped ({detail})")
        if source.duplicates:
            parts.append(f"{source.duplicates:,} duplicates removed")
        if source.outside_period:
            parts.append(f"{source.outside_period:,} outside the period")
        lines.append(f"{name}: " + ", ".join(parts))
        lines += [f"warning: {warning}" for warning in source.warnings]
    for label, agents in (
        ("agents in the data but not in the roster (not scored)", quality.agents_not_in_roster),
        ("roster agents with no data", quality.roster_agents_without_data),
        ("agents no scorecard applies to", quality.agents_without_scorecard),
        ("agents with no metric judged (no score)", quality.agents_not_scored),
    ):
        if agents:
            shown = ", ".join(agents[:12]) + (f" and {len(agents) - 12} more" if len(agents) > 12 else "")
            lines.append(f"{label}: {shown}")
    if quality.insufficient:
        count = len({d["agent_id"] for d in quality.insufficient})
        lines.append(
            f"{len(quality.insufficient)} metric values not judged (below min_volume or no data) "
            f"for {count} agents"
        )
    return lines


def print_result(
    result: ScoreResult, console: Console, language: str | None = None, limit: int | None = None
) -> None:
    console.print(ranking_table(result, console, language, limit))
    for line in quality_lines(result):
        console.print(line, markup=False)
    if getattr(result, "bonus", None) is not None:
        console.print(bonus_table(result, console, language, limit))
        for line in bonus_lines(result):
            console.print(line, markup=False)


def bonus_table(
    result: ScoreResult, console: Console, language: str | None = None, limit: int | None = None
) -> Table:
    """Agents who reached a tier or tripped a gate: tier, gates, amount before and after the budget."""
    from csperf.bonus import bonus_table as bonus_frame
    from csperf.bonus import gates_text, tier_label

    config = result.config
    assert config.bonus is not None
    plain = not console.is_terminal
    currency = f" ({config.bonus.currency})" if config.bonus.currency else ""
    table = Table(title="Bonus" + currency, box=box.SIMPLE if plain else box.ROUNDED)
    frame = bonus_frame(result)
    shown = frame.filter(pl.col("reached").is_not_null() | (pl.col("gates").list.len() > 0))
    names = "name" in frame.columns
    basis = config.bonus.basis
    for header, right in (("#", True), ("agent", False), ("name", False), ("score", True)):
        if header != "name" or names:
            table.add_column(header, justify="right" if right else "left")
    if basis != "score":
        table.add_column(metric_label(result, basis, language), justify="right")
    for header in ("reached", "tier", "gates fired", "before budget", "amount"):
        table.add_column(header, justify="right" if header in ("before budget", "amount") else "left")
    unit = config.metrics[basis].unit if basis != "score" else "score"
    lang: Any = language
    for index, row in enumerate(shown.iter_rows(named=True)):
        if limit is not None and index >= limit:
            break
        cells = [str(row["rank"]) if row["rank"] is not None else "–", str(row["agent_id"])]
        if names:
            cells.append(str(row.get("name") or ""))
        cells.append(_number(row["score"]))
        if basis != "score":
            cells.append(format_value(row["basis_value"], unit))
        cells += [
            tier_label(config, row["reached"], lang),
            tier_label(config, row["tier"], lang),
            gates_text(row["gates"]) or "–",
            f"{row['amount_before_budget']:,.2f}",
            f"{row['amount']:,.2f}",
        ]
        table.add_row(*cells)
    return table


def bonus_lines(result: ScoreResult) -> list[str]:
    """Totals per tier, blocked and capped agents, the budget and its scale factor."""
    from csperf.bonus import bonus_summary

    summary = bonus_summary(result)
    lines = []
    if summary["period"]:
        lines.append(f"bonus period (pro-rating, gates): {summary['period']}")
    tiers = ", ".join(f"{t['tier']} {t['agents']} ({t['amount']:,.2f})" for t in summary["tiers"])
    blocked, capped = summary["blocked"], summary["capped_by_gate"]
    lines.append(f"tiers: {tiers}; blocked by a gate: {blocked}; capped by a gate: {capped}")
    total = f"total {summary['total_before_budget']:,.2f}"
    if summary["budget"] is not None and summary["budget_scale"] < 1:
        total += (
            f" exceeds the budget {summary['budget']:,.2f}: every amount × {summary['budget_scale']:.6f}"
            f" → {summary['total']:,.2f}"
        )
    elif summary["budget"] is not None:
        total += f" within the budget {summary['budget']:,.2f}"
    lines.append(total + (f" {summary['currency']}" if summary["currency"] else ""))
    return lines


def text_table(console: Console, title: str, columns: list[tuple[str, bool]], rows: list[list[str]]) -> Table:
    """A table of ready-made text cells; `columns` are (header, right-aligned). Plain off a terminal."""
    plain = not console.is_terminal
    table = Table(title=title, box=box.SIMPLE if plain else box.ROUNDED, header_style="" if plain else "bold")
    for heading, right in columns:
        table.add_column(heading, justify="right" if right else "left")
    for row in rows:
        table.add_row(*(Text(cell) for cell in row))  # Text: no markup parsing of data
    return table
