"""The ranking and summary as Markdown, for e-mail or a wiki.

The page content (facts, team averages, ranking cells, data quality) is built here as plain
strings and shared with the HTML report; each format only escapes and lays it out. Text that
comes from the data (names, teams) is escaped, so it cannot add links, images or markup.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from csperf.model_base import Language, label_text
from csperf.pipeline import ScoreResult
from csperf.profiles import group_column
from csperf.reports.atomic import write_text_atomic
from csperf.reports.labels import resolve_language, text
from csperf.reports.tables import category_label, format_value, metric_label
from csperf.trend import CHANGE, comparable, has_data, previous_summary, trend_table

ATTRIBUTE_LABELS = {"name": ("Name", "姓名"), "team": ("Team", "组别"), "level": ("Level", "职级")}


@dataclass
class Table:
    """Headers and rows of display strings; `numeric` marks right-aligned columns."""

    headers: list[str]
    rows: list[list[str]] = field(default_factory=list)
    numeric: list[bool] = field(default_factory=list)


@dataclass
class Page:
    """Everything the Markdown and HTML reports show, as display strings."""

    language: Language
    title: str
    facts: list[tuple[str, str]]
    empty_note: str | None
    teams: Table
    ranking: Table
    scores: list[float | None]
    quality: Table
    reasons: Table
    headings: dict[str, str]


def _number(value: Any, digits: int = 2) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def _change(value: Any, unit: str = "score") -> str:
    if value is None:
        return "–"
    if unit == "percent":
        return f"{value * 100:+.1f} pp"
    if unit == "seconds":
        return f"{value:+.0f} s"
    return f"{value:+.2f}"


def _attribute_label(name: str, language: Language) -> str:
    pair = ATTRIBUTE_LABELS.get(name)
    return (pair[1] if language == "zh" else pair[0]) if pair else name


def period_text(result: ScoreResult, language: Language) -> str:
    period = result.period
    if period is None:
        return text("period_all", language)
    from csperf.periods import last_day

    first, last = period.start.date(), last_day(period)
    span = first.isoformat() if first == last else f"{first.isoformat()} – {last.isoformat()}"
    return f"{period.label} ({span})"


def build_page(result: ScoreResult, language: str | None = None) -> Page:
    """The report's content in one language (`--lang`, else the config's)."""
    config = result.config
    lang = resolve_language(language, config.language)

    def t(key: str) -> str:
        return text(key, lang)

    agents = result.agents
    scores = agents["score"].drop_nulls()
    quality = result.data_quality.sources.values()
    info = previous_summary(result)
    if info is None:
        compared = t("not_compared")
    elif not info["has_data"]:
        compared = f"{info['period']} ({t('no_previous_data')})"
    else:
        compared = str(info["period"])
    facts = [
        (t("period"), period_text(result, lang)),
        (t("previous_period"), compared),
        (t("scorecards"), ", ".join(label_text(c.label, lang, n) for n, c in config.scorecards.items())),
        (t("agents_scored"), f"{scores.len()} / {agents.height}"),
        (t("average_score"), _number(scores.mean() if scores.len() else None)),
        (t("median_score"), _number(scores.median() if scores.len() else None)),
        (t("rows_read"), f"{sum(q.rows_read for q in quality):,}"),
        (t("rows_used"), f"{sum(q.rows_used for q in quality):,}"),
        (t("rows_rejected"), f"{sum(q.rows_rejected for q in quality):,}"),
        (t("outside_period"), f"{sum(q.outside_period for q in quality):,}"),
    ]
    trend = trend_table(result) if comparable(result) is not None else None
    sections = ("team_averages", "sheet_ranking", "sheet_quality", "quality_reasons", "score_distribution")
    headings = {key: t(key) for key in sections}
    return Page(
        language=lang,
        title=f"{config.name} — {t('report')} {result.period.label if result.period else ''}".strip(),
        facts=facts,
        empty_note=None if has_data(result) else t("empty_note"),
        teams=_team_table(result, lang, trend),
        ranking=_ranking_table(result, lang, trend),
        scores=agents["score"].to_list(),
        quality=_quality_table(result, lang),
        reasons=_reasons_table(result, lang),
        headings=headings,
    )


def _team_table(result: ScoreResult, lang: Language, trend: pl.DataFrame | None) -> Table:
    group = group_column(result.config)
    categories = [c for c in result.categories() if c in result.agents.columns]
    frame = result.agents
    if trend is not None:
        frame = frame.join(trend.select("agent_id", "score" + CHANGE), on="agent_id", how="left")
    aggregations = [
        pl.len().alias("agents"),
        pl.col("score").count().alias("scored"),
        pl.col("score").mean().alias("score"),
        *[pl.col(c).mean().alias(c) for c in categories],
    ]
    if trend is not None:
        aggregations.append(pl.col("score" + CHANGE).mean().alias("change"))
    rows: list[dict[str, Any]] = []
    if group is not None and group in frame.columns:
        ordered = frame.sort("agent_id").group_by(pl.col(group).cast(pl.String), maintain_order=True)
        grouped = ordered.agg(aggregations).rename({group: "group"}).to_dicts()
        rows = [r for r in grouped if r["group"] is not None] + [r for r in grouped if r["group"] is None]
    rows.append({"group": text("all", lang), **frame.select(aggregations).to_dicts()[0]})
    headers = [_attribute_label(group, lang) if group else ""]
    headers += [text("agents", lang), text("agents_scored", lang)]
    headers += [text("average_score", lang), *[category_label(result, c, lang) for c in categories]]
    if trend is not None:
        headers.append(text("score_change", lang))
    table = Table(headers=headers, numeric=[False] + [True] * (len(headers) - 1))
    for row in rows:
        cells = [row["group"] if row["group"] is not None else text("no_group", lang)]
        cells += [str(row["agents"]), str(row["scored"]), _number(row["score"])]
        cells += [_number(row[c]) for c in categories]
        if trend is not None:
            cells.append(_change(row["change"]))
        table.rows.append(cells)
    return table


def _ranking_table(result: ScoreResult, lang: Language, trend: pl.DataFrame | None) -> Table:
    config = result.config
    agents = result.agents
    group = group_column(config)
    attributes = [a for a in ("name", group) if a and a in agents.columns]
    categories = [c for c in result.categories() if c in agents.columns]
    metrics = result.scored_metrics()
    several = len(config.scorecards) > 1
    changes = {r["agent_id"]: r for r in trend.iter_rows(named=True)} if trend is not None else {}
    headers = [text("rank", lang)]
    if trend is not None:
        headers.append(text("movement", lang))
    headers += [text("agent_id", lang), *[_attribute_label(a, lang) for a in attributes]]
    if several:
        headers.append(text("scorecard", lang))
    headers.append(text("score", lang))
    if trend is not None:
        headers.append(text("score_change", lang))
    headers += [category_label(result, c, lang) for c in categories]
    headers += [metric_label(result, m, lang) for m in metrics]
    numeric = [True] + ([False] if trend is not None else []) + [False] * (1 + len(attributes))
    numeric += [False] * several + [True] * (1 + (trend is not None) + len(categories) + len(metrics))
    table = Table(headers=headers, numeric=numeric)
    for row in agents.iter_rows(named=True):
        change = changes.get(row["agent_id"], {})
        cells = [str(row["rank"]) if row["rank"] is not None else "–"]
        if trend is not None:
            cells.append(change.get("movement") or "–")
        cells += [str(row["agent_id"]), *[str(row[a]) if row[a] is not None else "" for a in attributes]]
        if several:
            card = row["scorecard"]
            cells.append(label_text(config.scorecards[card].label, lang, card) if card else "–")
        cells.append(_number(row["score"]))
        if trend is not None:
            cells.append(_change(change.get("score" + CHANGE)))
        cells += [_number(row[c]) for c in categories]
        cells += [format_value(row[m], config.metrics[m].unit) for m in metrics]
        table.rows.append(cells)
    return table


def _quality_table(result: ScoreResult, lang: Language) -> Table:
    keys = ["source", "rows_read", "rows_used", "rows_rejected", "rows_skipped", "duplicates"]
    keys.append("outside_period")
    table = Table(headers=[text(k, lang) for k in keys], numeric=[False] + [True] * (len(keys) - 1))
    for name, source in result.data_quality.sources.items():
        numbers = source.accounting()
        table.rows.append([name, *[f"{n:,}" for n in numbers]])
    return table


def _reasons_table(result: ScoreResult, lang: Language) -> Table:
    table = Table(
        headers=[text("source", lang), text("status", lang), text("reason", lang), text("rows", lang)],
        numeric=[False, False, False, True],
    )
    for name, source in result.data_quality.sources.items():
        for status, reasons in (("rejected", source.rejected), ("skipped", source.skipped)):
            for reason, count in sorted(reasons.items()):
                table.rows.append([name, text(status, lang), reason, f"{count:,}"])
    return table


# --- Markdown --------------------------------------------------------------------------------

# Inline content only (cells, list values, headings): these are the characters that can start
# emphasis, code, links, images, strikethrough, raw HTML or end a table cell.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|~])")


def escape_markdown(value: str) -> str:
    """Data text as literal inline Markdown: markup characters backslash-escaped, one line."""
    flat = " ".join(value.split())
    return _MARKDOWN_SPECIAL.sub(r"\\\1", flat).replace("&", "&amp;")


def markdown_table(table: Table) -> list[str]:
    if not table.rows:
        return []
    lines = ["| " + " | ".join(escape_markdown(h) for h in table.headers) + " |"]
    lines.append("|" + "|".join("---:" if n else "---" for n in table.numeric) + "|")
    for row in table.rows:
        lines.append("| " + " | ".join(escape_markdown(c) for c in row) + " |")
    return lines


def render_markdown(result: ScoreResult, language: str | None = None) -> str:
    page = build_page(result, language)
    lines = [f"# {escape_markdown(page.title)}", ""]
    lines += [f"- **{escape_markdown(k)}**: {escape_markdown(v)}" for k, v in page.facts]
    if page.empty_note:
        lines += ["", f"> **{escape_markdown(page.empty_note)}**"]
    lines += ["", f"## {page.headings['team_averages']}", "", *markdown_table(page.teams)]
    lines += ["", f"## {page.headings['sheet_ranking']}", "", *markdown_table(page.ranking)]
    lines += ["", f"## {page.headings['sheet_quality']}", "", *markdown_table(page.quality)]
    if page.reasons.rows:
        lines += ["", f"### {page.headings['quality_reasons']}", "", *markdown_table(page.reasons)]
    return "\n".join(lines) + "\n"


def write_markdown(result: ScoreResult, path: Path, language: str | None = None) -> None:
    write_text_atomic(path, render_markdown(result, language))
