"""The Excel workbook (openpyxl): the report supervisors open on Monday.

Sheets: Summary (period, totals, team averages, tier counts, two charts), Ranking, Metrics (raw
values), Breakdown (agent × metric), Bonus (when configured), Trend (vs the previous period),
Hour of day, Data quality and Definitions (generated from the config).

Safety: every text cell is written as an explicit string (never a formula, whatever it starts
with) with Excel's quote prefix when it starts with = + - @, and characters that XML cannot hold
are removed. The workbook is built in memory and saved to a temporary file beside the
destination, which is renamed over it only when the save completed.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

import polars as pl
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.formatting.rule import CellIsRule, ColorScaleRule, DataBarRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from csperf import __version__
from csperf.model_base import Language, label_text
from csperf.pipeline import ScoreResult
from csperf.profiles import ATTEMPTS, HOUR, RATE, group_column
from csperf.reports.atomic import FORMULA_PREFIXES, atomic_path
from csperf.reports.labels import resolve_language, text
from csperf.reports.tables import attribute_columns, category_label, metric_label, ranking_rows
from csperf.trend import CHANGE, PREV, comparable, previous_summary, trend_table

SECONDS_PER_DAY = 86400
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
HEADER_FONT = Font(bold=True)
TITLE_FONT = Font(bold=True, size=14)
SECTION_FONT = Font(bold=True, size=12)
GOOD, BAD = "C6EFCE", "FFC7CE"
MAX_WIDTH = 48
ATTRIBUTE_LABELS = {
    "name": ("Name", "姓名"),
    "team": ("Team", "组别"),
    "level": ("Level", "职级"),
    "hired_on": ("Hired on", "入职日期"),
    "left_on": ("Left on", "离职日期"),
    "base_salary": ("Base salary", "底薪"),
}
BONUS_LABELS = {
    "tier_reached": ("Tier reached", "达到档位"),
    "gates_fired": ("Gates fired", "触发红线"),
    "outcome": ("Outcome", "结果"),
    "employed_days": ("Days employed", "在职天数"),
    "prorate": ("Pro-rata", "折算比例"),
    "pay_fixed": ("Fixed pay", "固定金额"),
    "pay_percent": ("Percent pay", "比例金额"),
    "pay_pool": ("Pool share", "奖金池分成"),
    "capped": ("Capped", "封顶"),
    "amount_before_budget": ("Before budget", "预算前金额"),
    "budget_scale": ("Budget scale", "预算系数"),
}


# --- cells -----------------------------------------------------------------------------------


def safe_text(value: str) -> str:
    """Text an XLSX cell can hold: no XML-illegal control characters, at most 32,767 characters."""
    return ILLEGAL_CHARACTERS_RE.sub("", value)[:32767]


def put(ws: Worksheet, row: int, column: int, value: Any, number_format: str | None = None) -> Cell:
    """Write one cell. Text is always a string cell (never a formula); NaN and inf stay empty."""
    cell: Cell = ws.cell(row=row, column=column)
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return cell
    if isinstance(value, str):
        content = safe_text(value)
        cell.value = content
        cell.data_type = "s"  # openpyxl would take a leading "=" as a formula
        if content.startswith(FORMULA_PREFIXES):
            cell.quotePrefix = True
        return cell
    if isinstance(value, bool | int | float | date | datetime):
        if isinstance(value, datetime) and value.tzinfo is not None:
            value = value.replace(tzinfo=None)
        cell.value = value
        if number_format:
            cell.number_format = number_format
        elif isinstance(value, datetime):
            cell.number_format = "yyyy-mm-dd hh:mm"
        elif isinstance(value, date):
            cell.number_format = "yyyy-mm-dd"
        return cell
    return put(ws, row, column, str(value))


def header(ws: Worksheet, row: int, titles: Sequence[str], first_column: int = 1) -> None:
    for offset, title in enumerate(titles):
        cell = put(ws, row, first_column + offset, title)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")


def display_width(value: Any) -> int:
    content = value if isinstance(value, str) else f"{value:.2f}" if isinstance(value, float) else str(value)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in content)


def fit_columns(ws: Worksheet, minimum: int = 6) -> None:
    """Column widths from the widest cell (wide CJK characters count double), capped."""
    widths: dict[int, int] = {}
    for row in ws.iter_rows():
        for cell in row:
            if cell.value is None:
                continue
            width = display_width(cell.value)
            if cell.font is not None and cell.font.sz and cell.font.sz >= 12:
                continue  # titles and section headings overflow into the next columns
            widths[cell.column] = max(widths.get(cell.column, minimum), min(width + 2, MAX_WIDTH))
    for column, width in widths.items():
        ws.column_dimensions[get_column_letter(column)].width = width


def unit_format(unit: str, values: Iterable[Any] = ()) -> str:
    """Number format of a metric value: %, [m]:ss (on day fractions), counts, scores."""
    if unit == "percent":
        return "0.0%"
    if unit == "seconds":
        return "[m]:ss"
    if unit == "count":
        numbers = [v for v in values if isinstance(v, int | float)]
        return "#,##0" if all(float(v).is_integer() for v in numbers) else "#,##0.0"
    if unit == "currency":
        return "#,##0.00"
    return "0.00"


def unit_value(value: Any, unit: str) -> Any:
    """Seconds become day fractions so that [m]:ss shows them; other values are unchanged."""
    if unit == "seconds" and isinstance(value, int | float) and value >= 0:
        return value / SECONDS_PER_DAY
    return value


def change_format(unit: str) -> str:
    if unit == "percent":
        return "+0.0%;-0.0%;0.0%"
    if unit in ("seconds", "count"):
        return "+#,##0.0;-#,##0.0;0"
    return "+0.00;-0.00;0.00"


def raw_format(unit: str) -> str:
    """Format of an unconverted value (Metrics and Breakdown sheets): seconds stay seconds."""
    if unit == "seconds":
        return '#,##0.0" s"'
    if unit == "percent":
        return "0.0%"
    return "#,##0.00" if unit == "currency" else "0.####"


def finish_table(ws: Worksheet, header_row: int, last_row: int, last_column: int, freeze: str) -> None:
    """Frozen header, an autofilter over the table, fitted column widths."""
    ws.freeze_panes = freeze
    if last_row > header_row and last_column >= 1:
        ws.auto_filter.ref = f"A{header_row}:{get_column_letter(last_column)}{last_row}"
    fit_columns(ws)


def landscape(ws: Worksheet) -> None:
    """Print on landscape pages, as wide as one page (for PDF conversion)."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


# --- the report ------------------------------------------------------------------------------


class WorkbookReport:
    """Builds every sheet of one result in one language."""

    def __init__(self, result: ScoreResult, language: str | None = None) -> None:
        self.result = result
        self.config = result.config
        self.lang: Language = resolve_language(language, self.config.language)
        self.trend = trend_table(result)
        self.previous = comparable(result)
        self.workbook = Workbook()

    def t(self, key: str) -> str:
        return text(key, self.lang)

    def attribute_label(self, name: str) -> str:
        pair = ATTRIBUTE_LABELS.get(name)
        return (pair[1] if self.lang == "zh" else pair[0]) if pair else name

    def metric_label(self, name: str) -> str:
        return metric_label(self.result, name, self.lang)

    def category_label(self, name: str) -> str:
        return category_label(self.result, name, self.lang)

    def unit(self, metric: str) -> str:
        return self.config.metrics[metric].unit

    def build(self) -> Workbook:
        summary = self.workbook.active
        assert summary is not None
        summary.title = self.t("sheet_summary")
        self.summary(summary)
        self.ranking(self.workbook.create_sheet(self.t("sheet_ranking")))
        self.metrics(self.workbook.create_sheet(self.t("sheet_metrics")))
        self.breakdown(self.workbook.create_sheet(self.t("sheet_breakdown")))
        if getattr(self.result, "bonus", None) is not None:
            self.bonus(self.workbook.create_sheet(self.t("sheet_bonus")))
        if getattr(self.result, "text_hits", None) is not None:
            self.evidence(self.workbook.create_sheet("证据" if self.lang == "zh" else "Evidence"))
        if self.result.previous is not None:
            self.trend_sheet(self.workbook.create_sheet(self.t("sheet_trend")))
        if self.result.hour_profile is not None:
            self.hours(self.workbook.create_sheet(self.t("sheet_hours")))
        self.quality(self.workbook.create_sheet(self.t("sheet_quality")))
        self.definitions(self.workbook.create_sheet(self.t("sheet_definitions")))
        self.workbook.properties.creator = f"csperf {__version__}"
        self.workbook.properties.title = f"{self.config.name} {self.period_label()}"
        return self.workbook

    # --- Summary ---

    def period_label(self) -> str:
        period = self.result.period
        if period is None:
            return self.t("period_all")
        from csperf.periods import last_day

        first, last = period.start.date(), last_day(period)
        span = first.isoformat() if first == last else f"{first.isoformat()} – {last.isoformat()}"
        return f"{period.label} ({span})"

    def summary(self, ws: Worksheet) -> None:
        result = self.result
        put(ws, 1, 1, f"{self.config.name} — {self.t('report')}").font = TITLE_FONT
        scores = result.agents["score"].drop_nulls()
        quality = result.data_quality.sources.values()
        facts: list[tuple[str, Any, str | None]] = [
            (self.t("period"), self.period_label(), None),
            (self.t("previous_period"), self.previous_text(), None),
            (self.t("scorecards"), ", ".join(self.scorecard_labels()), None),
            (self.t("agents_listed"), result.agents.height, "0"),
            (self.t("agents_scored"), scores.len(), "0"),
            (self.t("average_score"), scores.mean() if scores.len() else None, "0.00"),
            (self.t("median_score"), scores.median() if scores.len() else None, "0.00"),
            (self.t("best_score"), scores.max() if scores.len() else None, "0.00"),
            (self.t("lowest_score"), scores.min() if scores.len() else None, "0.00"),
            (self.t("rows_read"), sum(q.rows_read for q in quality), "#,##0"),
            (self.t("rows_used"), sum(q.rows_used for q in quality), "#,##0"),
            (self.t("rows_rejected"), sum(q.rows_rejected for q in quality), "#,##0"),
            (self.t("rows_skipped"), sum(sum(q.skipped.values()) for q in quality), "#,##0"),
            (self.t("duplicates"), sum(q.duplicates for q in quality), "#,##0"),
            (self.t("outside_period"), sum(q.outside_period for q in quality), "#,##0"),
            (self.t("generated"), f"{datetime.now():%Y-%m-%d %H:%M} (csperf {__version__})", None),
        ]
        row = 3
        for label, value, fmt in facts:
            put(ws, row, 1, label).font = HEADER_FONT
            put(ws, row, 2, value, fmt).alignment = Alignment(horizontal="left")
            row += 1
        from csperf.trend import has_data

        if not has_data(result):
            put(ws, row, 1, self.t("empty_note")).font = Font(bold=True, color="C00000")
            row += 1

        row += 1
        team_start = row
        row = self.team_table(ws, row)
        row += 1
        dist_start = row
        row = self.distribution_table(ws, row)
        if getattr(result, "bonus", None) is not None:
            row += 1
            row = self.tier_table(ws, row)
        fit_columns(ws)
        ws.column_dimensions["A"].width = max(ws.column_dimensions["A"].width or 0, 22)
        # The facts' texts (period, generated) overflow into the empty cells to their right, so
        # column B is sized for the tables below rather than for them.
        ws.column_dimensions["B"].width = 14
        self.summary_charts(ws, team_start, dist_start)
        landscape(ws)

    def previous_text(self) -> str:
        info = previous_summary(self.result)
        if info is None:
            return self.t("not_compared")
        if not info["has_data"]:
            return f"{info['period']} ({self.t('no_previous_data')})"
        return str(info["period"])

    def scorecard_labels(self) -> list[str]:
        return [label_text(card.label, self.lang, name) for name, card in self.config.scorecards.items()]

    def team_rows(self) -> tuple[str | None, list[dict[str, Any]]]:
        """Per group: agents, scored, average score, average category subtotals (and Δ score)."""
        group = group_column(self.config)
        agents = self.result.agents
        categories = [c for c in self.result.categories() if c in agents.columns]
        frame = agents
        if self.trend is not None and self.previous is not None:
            frame = frame.join(self.trend.select("agent_id", "score" + CHANGE), on="agent_id", how="left")
        aggregations = [
            pl.len().alias("agents"),
            pl.col("score").count().alias("scored"),
            pl.col("score").mean().alias("score"),
            *[pl.col(c).mean().alias(c) for c in categories],
        ]
        if "score" + CHANGE in frame.columns:
            aggregations.append(pl.col("score" + CHANGE).mean().alias("score" + CHANGE))
        rows: list[dict[str, Any]] = []
        if group is not None and group in frame.columns:
            # Groups in roster order (first agent id), agents outside the roster last.
            ordered = frame.sort("agent_id").group_by(pl.col(group).cast(pl.String), maintain_order=True)
            grouped = ordered.agg(aggregations).rename({group: "group"}).to_dicts()
            rows = [r for r in grouped if r["group"] is not None] + [r for r in grouped if r["group"] is None]
        rows.append({"group": self.t("all"), **frame.select(aggregations).to_dicts()[0]})
        return group, rows

    def team_table(self, ws: Worksheet, row: int) -> int:
        put(ws, row, 1, self.t("team_averages")).font = SECTION_FONT
        row += 1
        group, rows = self.team_rows()
        categories = [c for c in self.result.categories() if c in self.result.agents.columns]
        titles = [
            self.attribute_label(group) if group else "",
            self.t("agents_listed"),
            self.t("agents_scored"),
            self.t("average_score"),
            *[self.category_label(c) for c in categories],
        ]
        with_change = any("score" + CHANGE in r for r in rows)
        if with_change:
            titles.append(self.t("score_change"))
        header(ws, row, titles)
        for values in rows:
            row += 1
            put(ws, row, 1, values["group"] if values["group"] is not None else self.t("no_group"))
            put(ws, row, 2, values["agents"], "0")
            put(ws, row, 3, values["scored"], "0")
            put(ws, row, 4, values["score"], "0.00")
            for offset, category in enumerate(categories):
                put(ws, row, 5 + offset, values[category], "0.00")
            if with_change:
                put(ws, row, 5 + len(categories), values.get("score" + CHANGE), change_format("score"))
        return row + 1

    def distribution(self) -> list[tuple[str, int]]:
        """Agents per score band of ten points: [0, 10), ..., [90, 100], and above 100."""
        scores = [s for s in self.result.agents["score"].to_list() if s is not None]
        bands = [(f"{low}–{low + 10}", low, low + 10) for low in range(0, 100, 10)]
        counts = []
        for index, (label, low, high) in enumerate(bands):
            last = index == len(bands) - 1
            counts.append((label, sum(1 for s in scores if low <= s < high or (last and s == high))))
        above = sum(1 for s in scores if s > 100)
        if above:
            counts.append(("> 100", above))
        below = sum(1 for s in scores if s < 0)
        if below:
            counts.insert(0, ("< 0", below))
        return counts

    def distribution_table(self, ws: Worksheet, row: int) -> int:
        put(ws, row, 1, self.t("score_distribution")).font = SECTION_FONT
        row += 1
        header(ws, row, [self.t("score_band"), self.t("agents")])
        for label, count in self.distribution():
            row += 1
            put(ws, row, 1, label)
            put(ws, row, 2, count, "0")
        return row + 1

    def tier_table(self, ws: Worksheet, row: int) -> int:
        put(ws, row, 1, self.t("tier_counts")).font = SECTION_FONT
        row += 1
        header(ws, row, [self.t("tier"), self.t("agents"), self.t("amount")])
        for tier, agents, amount in self.tier_counts():
            row += 1
            put(ws, row, 1, tier)
            put(ws, row, 2, agents, "0")
            put(ws, row, 3, amount, "#,##0.00")
        return row + 1

    def tier_counts(self) -> list[tuple[str, int, float | None]]:
        """(tier label, agents, amount) per configured tier, then agents with no tier."""
        from csperf.bonus import bonus_rows, tier_label

        rows = bonus_rows(self.result)
        counted: list[tuple[str, int, float | None]] = []
        bonus = self.config.bonus
        names = [tier.name for tier in bonus.tiers] if bonus is not None else []
        for name in names:
            members = [r for r in rows if r.get("tier") == name]
            amount = sum(r.get("amount") or 0 for r in members)
            counted.append((tier_label(self.config, name, self.lang), len(members), amount))
        rest = [r for r in rows if r.get("tier") not in names]
        counted.append((self.t("no_tier"), len(rest), sum(r.get("amount") or 0 for r in rest)))
        return counted

    def summary_charts(self, ws: Worksheet, team_start: int, dist_start: int) -> None:
        _, rows = self.team_rows()
        # Charts sit right of the widest table (the team averages), one column apart.
        anchor = get_column_letter(max(ws.max_column, 4) + 2)
        teams = self.column_chart(
            ws, self.t("team_averages"), self.t("average_score"), 4, team_start, len(rows)
        )
        teams.y_axis.scaling.min = 0
        ws.add_chart(teams, f"{anchor}3")
        bands = len(self.distribution())
        histogram = self.column_chart(
            ws, self.t("score_distribution"), self.t("agents"), 2, dist_start, bands
        )
        histogram.x_axis.title = self.t("score_band")
        histogram.gapWidth = 10
        ws.add_chart(histogram, f"{anchor}19")

    def column_chart(
        self, ws: Worksheet, title: str, y_title: str, value_column: int, header_row: int, rows: int
    ) -> BarChart:
        """A column chart of one table column under `header_row`, categories from column A."""
        chart = BarChart()
        chart.type = "col"
        chart.title = title
        chart.y_axis.title = y_title
        data = Reference(ws, min_col=value_column, min_row=header_row + 1, max_row=header_row + 1 + rows)
        categories = Reference(ws, min_col=1, min_row=header_row + 2, max_row=header_row + 1 + rows)
        chart.add_data(data, titles_from_data=True)
        chart.set_categories(categories)
        chart.legend = None
        self.show_axes(chart)
        chart.height, chart.width = 7.5, 15
        return chart

    @staticmethod
    def show_axes(chart: BarChart | LineChart) -> None:
        # openpyxl 3.1 marks axes deleted unless told otherwise; Excel then hides them.
        chart.x_axis.delete = False
        chart.y_axis.delete = False

    # --- Ranking ---

    def ranking(self, ws: Worksheet) -> None:
        result = self.result
        rows = ranking_rows(result)
        attributes = attribute_columns(result)
        categories = [c for c in result.categories() if c in result.agents.columns]
        metrics = result.scored_metrics()
        trend = {}
        if self.trend is not None and self.previous is not None:
            trend = {r["agent_id"]: r for r in self.trend.iter_rows(named=True)}
        columns: list[tuple[str, str, str | None]] = [("rank", self.t("rank"), "0")]
        if trend:
            columns.append(("movement", self.t("movement"), None))
        columns += [("agent_id", self.t("agent_id"), None)]
        # Who and which team next to the score; other roster attributes go after the metrics.
        group = group_column(self.config)
        leading = [a for a in ("name", group) if a and a in attributes]
        columns += [(a, self.attribute_label(a), None) for a in leading]
        if len(self.config.scorecards) > 1:
            columns += [
                ("scorecard", self.t("scorecard"), None),
                ("scorecard_rank", self.t("scorecard_rank"), "0"),
            ]
        columns.append(("score", self.t("score"), "0.00"))
        if trend:
            columns.append(("score" + CHANGE, self.t("score_change"), change_format("score")))
        columns += [(c, self.category_label(c), "0.00") for c in categories]
        for metric in metrics:
            values = [r.get(metric) for r in rows]
            columns.append((metric, self.metric_label(metric), unit_format(self.unit(metric), values)))
            columns.append((f"{metric}_points", f"{self.metric_label(metric)} {self.t('points')}", "0.0"))
        columns += [(a, self.attribute_label(a), None) for a in attributes if a not in leading]
        header(ws, 1, [title for _, title, _ in columns])
        for index, row in enumerate(rows, start=2):
            extra = trend.get(row["agent_id"], {})
            for col, (key, _, fmt) in enumerate(columns, start=1):
                value = extra.get(key) if key in ("movement", "score" + CHANGE) else row.get(key)
                if key in self.config.metrics:
                    value = unit_value(value, self.unit(key))
                put(ws, index, col, value, fmt)
        last_row = len(rows) + 1
        keys = [key for key, _, _ in columns]
        for col, key in enumerate(keys, start=1):
            letter = get_column_letter(col)
            area = f"{letter}2:{letter}{max(last_row, 2)}"
            if key.endswith("_points") and key.removesuffix("_points") in metrics:
                ws.conditional_formatting.add(
                    area,
                    ColorScaleRule(
                        start_type="num", start_value=0, start_color="F8696B",
                        mid_type="num", mid_value=50, mid_color="FFEB84",
                        end_type="num", end_value=100, end_color="63BE7B",
                    ),
                )  # fmt: skip
            elif key == "score":
                ws.conditional_formatting.add(
                    area,
                    DataBarRule(
                        start_type="num", start_value=0, end_type="num", end_value=100, color="5B9BD5"
                    ),
                )
            elif key == "score" + CHANGE:
                self.change_colours(ws, area, "higher")
        name_columns = 1 + keys.index("agent_id") + (1 if "name" in attributes else 0)
        finish_table(ws, 1, last_row, len(columns), f"{get_column_letter(name_columns + 1)}2")
        # Too wide for one page: print landscape with the header row and agent columns repeated.
        ws.page_setup.orientation = "landscape"
        ws.print_title_rows = "1:1"
        ws.print_title_cols = f"A:{get_column_letter(name_columns)}"

    @staticmethod
    def change_colours(ws: Worksheet, area: str, better: str) -> None:
        """Green where the change is an improvement, red where it is a decline."""
        up, down = (GOOD, BAD) if better == "higher" else (BAD, GOOD)
        ws.conditional_formatting.add(
            area, CellIsRule(operator="greaterThan", formula=["0"], fill=PatternFill("solid", bgColor=up))
        )
        ws.conditional_formatting.add(
            area, CellIsRule(operator="lessThan", formula=["0"], fill=PatternFill("solid", bgColor=down))
        )

    # --- Metrics (raw) ---

    def metrics(self, ws: Worksheet) -> None:
        result = self.result
        frame = result.metrics
        measures = [m for m in self.config.measures if m in frame.columns]
        extra = [c for c in frame.columns if c not in self.config.measures and c not in self.config.metrics]
        extra = [c for c in extra if c != "agent_id" and not c.endswith("__insufficient")]
        metrics = [m for m in self.config.metrics if m in frame.columns]
        names = "name" in result.agents.columns
        table = frame.join(result.agents.select("agent_id", *(["name"] if names else [])), on="agent_id")
        order = {a: i for i, a in enumerate(result.agents["agent_id"].to_list())}
        rows = sorted(table.to_dicts(), key=lambda r: order.get(r["agent_id"], len(order)))
        titles = [self.t("agent_id"), *([self.attribute_label("name")] if names else [])]
        titles += [self.measure_title(m) for m in measures] + extra
        titles += [self.metric_label(m) for m in metrics]
        header(ws, 1, titles)
        for index, row in enumerate(rows, start=2):
            values: list[tuple[Any, str | None]] = [(row["agent_id"], None)]
            if names:
                values.append((row.get("name"), None))
            values += [(row.get(m), "#,##0.####") for m in measures + extra]
            values += [(row.get(m), raw_format(self.unit(m))) for m in metrics]
            for col, (value, fmt) in enumerate(values, start=1):
                put(ws, index, col, value, fmt)
        finish_table(ws, 1, len(rows) + 1, len(titles), "C2" if names else "B2")

    def measure_title(self, name: str) -> str:
        measure = self.config.measures[name]
        return label_text(measure.label, self.lang, name) if measure.label else name

    # --- Breakdown ---

    def breakdown(self, ws: Worksheet) -> None:
        long = self.result.breakdown
        names = {}
        if "name" in self.result.agents.columns:
            names = dict(zip(self.result.agents["agent_id"], self.result.agents["name"], strict=True))
        several = len(self.config.scorecards) > 1
        titles = [self.t("agent_id")] + ([self.attribute_label("name")] if names else [])
        titles += [self.t("scorecard")] if several else []
        titles += [
            self.t("category"),
            self.t("metric"),
            self.t("value"),
            self.t("rule"),
            self.t("points"),
            self.t("insufficient"),
            self.t("weight"),
            self.t("effective_weight"),
            self.t("contribution"),
        ]
        header(ws, 1, titles)
        row_index = 1
        for row in long.iter_rows(named=True):
            row_index += 1
            unit = self.unit(row["metric"])
            values: list[tuple[Any, str | None]] = [(row["agent_id"], None)]
            if names:
                values.append((names.get(row["agent_id"]), None))
            if several:
                values.append((row["scorecard"], None))
            values += [
                (self.category_label(row["category"]), None),
                (self.metric_label(row["metric"]), None),
                (row["value"], raw_format(unit)),
                (row["rule"], None),
                (row["points"], "0.0"),
                (bool(row["insufficient"]), None),
                (row["weight"], "0.00"),
                (row["effective_weight"], "0.00"),
                (row["contribution"], "0.00"),
            ]
            for col, (value, fmt) in enumerate(values, start=1):
                put(ws, row_index, col, value, fmt)
        finish_table(ws, 1, row_index, len(titles), "C2" if names else "B2")

    # --- Bonus ---

    def bonus(self, ws: Worksheet) -> None:
        from csperf.bonus import bonus_rows

        rows = bonus_rows(self.result)
        keys: list[str] = []
        for row in rows:
            keys += [k for k in row if k not in keys]
        titles = [self.bonus_title(k) for k in keys]
        header(ws, 1, titles)
        for index, row in enumerate(rows, start=2):
            for col, key in enumerate(keys, start=1):
                value = row.get(key)
                fmt = None
                if key.startswith(("pay_", "amount")):
                    fmt = "#,##0.00"
                elif key in ("score", "prorate", "budget_scale"):
                    fmt = "0.00####" if key != "score" else "0.00"
                put(ws, index, col, value, fmt)
        freeze = "C2" if "agent_id" in keys else "A2"
        finish_table(ws, 1, len(rows) + 1, len(keys), freeze)

    def evidence(self, ws: Worksheet) -> None:
        """Rows flagged by `text_rules:`, at most 10 per agent (all of them: `score --hits`)."""
        from csperf.text_rules import EVIDENCE_TITLES, evidence_table

        rows = evidence_table(self.result, per_agent=10, language=self.lang)
        keys = list(EVIDENCE_TITLES)
        header(ws, 1, [EVIDENCE_TITLES[k][1 if self.lang == "zh" else 0] for k in keys])
        for index, row in enumerate(rows, start=2):
            for col, key in enumerate(keys, start=1):
                put(ws, index, col, row.get(key))
        finish_table(ws, 1, len(rows) + 1, len(keys), "B2")

    def bonus_title(self, key: str) -> str:
        if key in ("rank", "agent_id", "score", "tier", "amount", "rule"):
            return self.t(key)
        if key in ATTRIBUTE_LABELS:
            return self.attribute_label(key)
        pair = BONUS_LABELS.get(key)
        if pair:
            return pair[1] if self.lang == "zh" else pair[0]
        if key in self.config.metrics:
            return self.metric_label(key)
        return key

    # --- Trend ---

    def trend_sheet(self, ws: Worksheet) -> None:
        compared = f"{self.t('previous_period')}: {self.previous_text()}"
        put(ws, 1, 1, f"{self.t('period')}: {self.period_label()}    {compared}")
        ws["A1"].font = SECTION_FONT
        table = self.trend
        assert table is not None
        names = {}
        if "name" in self.result.agents.columns:
            names = dict(zip(self.result.agents["agent_id"], self.result.agents["name"], strict=True))
        metrics = self.result.scored_metrics()
        prev_word, change_word = self.t("previous"), self.t("change")
        columns: list[tuple[str, str, str | None, str | None]] = [
            ("rank", self.t("rank"), "0", None),
            ("movement", self.t("movement"), None, None),
            ("agent_id", self.t("agent_id"), None, None),
        ]
        if names:
            columns.append(("name", self.attribute_label("name"), None, None))
        columns += [
            ("score", self.t("score"), "0.00", None),
            ("score" + PREV, f"{self.t('score')} {prev_word}", "0.00", None),
            ("score" + CHANGE, self.t("score_change"), change_format("score"), "higher"),
            ("rank" + PREV, f"{self.t('rank')} {prev_word}", "0", None),
        ]
        for metric in metrics:
            unit, label = self.unit(metric), self.metric_label(metric)
            values = table[metric].to_list() + table[metric + PREV].to_list()
            fmt = unit_format(unit, values)
            better = self.config.metrics[metric].better
            change_title = f"{label} {change_word}" + (" (s)" if unit == "seconds" else "")
            columns += [
                (metric, label, fmt, None),
                (metric + PREV, f"{label} {prev_word}", fmt, None),
                (metric + CHANGE, change_title, change_format(unit), better),
            ]
        start = 3
        header(ws, start, [title for _, title, _, _ in columns])
        rows = table.to_dicts()
        for index, row in enumerate(rows, start=start + 1):
            row["name"] = names.get(row["agent_id"])
            for col, (key, _, number_format, _) in enumerate(columns, start=1):
                value = row.get(key)
                base = key.removesuffix(PREV)
                if base in self.config.metrics and not key.endswith(CHANGE):
                    value = unit_value(value, self.unit(base))
                put(ws, index, col, value, number_format)
        last_row = start + len(rows)
        for col, (_, _, _, direction) in enumerate(columns, start=1):
            if direction is not None and rows:
                letter = get_column_letter(col)
                self.change_colours(ws, f"{letter}{start + 1}:{letter}{last_row}", direction)
        freeze_col = 4 + (1 if names else 0)
        finish_table(ws, start, last_row, len(columns), f"{get_column_letter(freeze_col)}{start + 1}")

    # --- Hour of day ---

    def hours(self, ws: Worksheet) -> None:
        profile = self.result.hour_profile
        assert profile is not None
        group = profile.columns[0]
        groups = profile[group].unique(maintain_order=True).to_list()
        hours = sorted(profile[HOUR].unique().to_list())
        by_key = {(r[group], r[HOUR]): r for r in profile.to_dicts()}
        totals = profile.group_by(HOUR).agg(pl.col(ATTEMPTS).sum(), pl.col("successes").sum())
        total_by_hour = {r[HOUR]: r for r in totals.to_dicts()}
        source = self.config.report.hour_profile if self.config.report else None
        title = self.t("sheet_hours")
        if source is not None:
            title += f" — {source.source}" + (f" ({source.success})" if source.success else "")
        put(ws, 1, 1, title).font = SECTION_FONT
        labels = [g if g is not None else self.t("no_group") for g in groups] + [self.t("all")]
        titles = [self.t("hour")]
        for label in labels:
            titles += [f"{label} {self.t('attempts')}", f"{label} {self.t('success_rate')}"]
        start = 3
        header(ws, start, titles)
        for index, hour in enumerate(hours, start=start + 1):
            put(ws, index, 1, f"{hour:02d}:00")
            col = 2
            for g in groups:
                cell = by_key.get((g, hour))
                put(ws, index, col, cell[ATTEMPTS] if cell else 0, "#,##0")
                put(ws, index, col + 1, cell[RATE] if cell else None, "0.0%")
                col += 2
            total = total_by_hour[hour]
            put(ws, index, col, total[ATTEMPTS], "#,##0")
            put(ws, index, col + 1, total["successes"] / total[ATTEMPTS] if total[ATTEMPTS] else None, "0.0%")
        last_row = start + len(hours)
        for col in range(3, len(titles) + 1, 2) if hours else ():
            letter = get_column_letter(col)
            ws.conditional_formatting.add(
                f"{letter}{start + 1}:{letter}{last_row}",
                ColorScaleRule(start_type="min", start_color="F8696B", end_type="max", end_color="63BE7B"),
            )
        finish_table(ws, start, last_row, len(titles), f"B{start + 1}")
        if hours:
            chart = LineChart()
            chart.title = f"{self.t('success_rate')} / {self.t('hour')}"
            chart.y_axis.number_format = "0%"
            chart.y_axis.title = self.t("success_rate")
            chart.x_axis.title = self.t("hour")
            for col in range(3, len(titles) + 1, 2):
                chart.add_data(
                    Reference(ws, min_col=col, min_row=start, max_row=last_row), titles_from_data=True
                )
            chart.set_categories(Reference(ws, min_col=1, min_row=start + 1, max_row=last_row))
            for series in chart.series:
                series.smooth = False  # straight segments: rates between hours are not measured
            self.show_axes(chart)
            chart.height, chart.width = 8, 18
            ws.add_chart(chart, f"B{last_row + 3}")
            volume = BarChart()
            volume.type = "col"
            volume.title = f"{self.t('attempts')} / {self.t('hour')}"
            volume.grouping = "stacked"
            volume.overlap = 100
            for col in range(2, len(titles) - 1, 2):
                volume.add_data(
                    Reference(ws, min_col=col, min_row=start, max_row=last_row), titles_from_data=True
                )
            volume.set_categories(Reference(ws, min_col=1, min_row=start + 1, max_row=last_row))
            self.show_axes(volume)
            volume.height, volume.width = 8, 18
            ws.add_chart(volume, f"L{last_row + 3}")

    # --- Data quality ---

    def quality(self, ws: Worksheet) -> None:
        quality = self.result.data_quality
        put(ws, 1, 1, self.t("data_quality_hint")).font = SECTION_FONT
        titles = [
            self.t("source"),
            self.t("files"),
            self.t("rows_read"),
            self.t("rows_used"),
            self.t("rows_rejected"),
            self.t("rows_skipped"),
            self.t("duplicates"),
            self.t("outside_period"),
        ]
        start = 3
        header(ws, start, titles)
        row = start
        for name, source in quality.sources.items():
            row += 1
            values = [
                name,
                "\n".join(Path(f).name for f in source.files),
                *source.accounting(),
            ]
            for col, value in enumerate(values, start=1):
                put(ws, row, col, value, "#,##0" if col > 2 else None)
        table_end = row
        row += 2
        put(ws, row, 1, self.t("quality_reasons")).font = SECTION_FONT
        row += 1
        header(ws, row, [self.t("source"), self.t("status"), self.t("reason"), self.t("rows")])
        for name, source in quality.sources.items():
            for status, reasons in (("rejected", source.rejected), ("skipped", source.skipped)):
                for reason, count in sorted(reasons.items()):
                    row += 1
                    put(ws, row, 1, name)
                    put(ws, row, 2, self.t(status))
                    put(ws, row, 3, reason)
                    put(ws, row, 4, count, "#,##0")
            if source.duplicates:
                row += 1
                put(ws, row, 1, name)
                put(ws, row, 2, self.t("duplicates"))
                put(ws, row, 4, source.duplicates, "#,##0")
            if source.outside_period:
                row += 1
                put(ws, row, 1, name)
                put(ws, row, 2, self.t("outside_period"))
                put(ws, row, 3, self.result.period.label if self.result.period else None)
                put(ws, row, 4, source.outside_period, "#,##0")
        row += 2
        put(ws, row, 1, self.t("agent_matching")).font = SECTION_FONT
        for key in (
            "agents_not_in_roster",
            "roster_agents_without_data",
            "agents_without_scorecard",
            "agents_not_scored",
        ):
            agents: list[str] = getattr(quality, key)
            row += 1
            put(ws, row, 1, self.t(key))
            put(ws, row, 2, len(agents), "0")
            put(ws, row, 3, ", ".join(agents))
        row += 2
        put(ws, row, 1, self.t("insufficient_metrics")).font = SECTION_FONT
        row += 1
        header(ws, row, [self.t("agent_id"), self.t("metric"), self.t("reason")])
        for item in quality.insufficient:
            row += 1
            put(ws, row, 1, item["agent_id"])
            put(ws, row, 2, self.metric_label(item["metric"]))
            put(ws, row, 3, item["reason"])
        for cell in ws["B"][start:table_end]:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        fit_columns(ws)
        ws.column_dimensions["A"].width = min(max(ws.column_dimensions["A"].width or 0, 14), 30)
        ws.column_dimensions["C"].width = min(ws.column_dimensions["C"].width or 10, MAX_WIDTH)

    # --- Definitions ---

    def definitions(self, ws: Worksheet) -> None:
        config = self.config
        titles = [
            self.t("scorecard"),
            self.t("category"),
            self.t("category_weight"),
            self.t("metric"),
            self.t("label"),
            self.t("definition"),
            self.t("unit"),
            self.t("direction"),
            self.t("rule"),
            self.t("floor"),
            self.t("target"),
            self.t("weight"),
            self.t("min_volume"),
            self.t("description"),
        ]
        header(ws, 1, titles)
        row = 1
        scored: set[str] = set()
        for card_name, card in config.scorecards.items():
            category_total = sum(c.weight for c in card.categories.values())
            for category_name, category in card.categories.items():
                metric_total = sum(m.weight for m in category.metrics.values())
                for metric_name, rule in category.metrics.items():
                    scored.add(metric_name)
                    metric = config.metrics[metric_name]
                    weight = (
                        category.weight / category_total * rule.weight / metric_total * 100
                        if category_total and metric_total
                        else 0.0
                    )
                    row += 1
                    linear = rule.points.linear
                    self.definition_row(
                        ws,
                        row,
                        [
                            label_text(card.label, self.lang, card_name),
                            self.category_label(category_name),
                            category.weight / category_total * 100 if category_total else 0.0,
                            metric_name,
                        ],
                        metric_name,
                        describe_points(rule.points, metric.unit),
                        linear.floor if linear else None,
                        linear.target if linear else None,
                        weight,
                    )
        for metric_name in config.metrics:
            if metric_name not in scored:
                row += 1
                self.definition_row(
                    ws,
                    row,
                    [self.t("not_scored_metric"), None, None, metric_name],
                    metric_name,
                    None,
                    None,
                    None,
                    None,
                )
        last = row
        row += 2
        put(ws, row, 1, self.t("measures")).font = SECTION_FONT
        row += 1
        header(
            ws,
            row,
            [self.t("measure"), self.t("source"), self.t("aggregation"), self.t("value"), self.t("where")],
        )
        for name, measure in config.measures.items():
            row += 1
            agg = measure.agg + (f" q={measure.q:g}" if measure.q is not None else "")
            for col, value in enumerate([name, measure.source, agg, measure.value, measure.where], start=1):
                put(ws, row, col, value)
        if config.calendar is not None:
            row += 1
            calendar = config.calendar
            holidays = ", ".join(str(h) for h in calendar.holidays)
            workdays = ", ".join(str(w) for w in calendar.workdays)
            put(ws, row, 1, calendar.measure)
            put(ws, row, 2, "calendar")
            put(ws, row, 3, "working days")
            put(ws, row, 4, ", ".join(calendar.weekdays))
            put(ws, row, 5, f"holidays: {holidays or '–'}; workdays: {workdays or '–'}")
        finish_table(ws, 1, last, len(titles), "E2")
        for col in (6, 14):
            ws.column_dimensions[get_column_letter(col)].width = 40
            for cells in ws.iter_rows(min_row=2, max_row=last, min_col=col, max_col=col):
                for cell in cells:
                    cell.alignment = Alignment(wrap_text=True, vertical="top")

    def definition_row(
        self,
        ws: Worksheet,
        row: int,
        lead: list[Any],
        metric_name: str,
        rule: str | None,
        floor: float | None,
        target: float | None,
        weight: float | None,
    ) -> None:
        metric = self.config.metrics[metric_name]
        definition = f"{metric.ratio[0]} / {metric.ratio[1]}" if metric.ratio else metric.formula
        volume = (
            f"{metric.min_volume.measure} ≥ {metric.min_volume.at_least:g}" if metric.min_volume else None
        )
        fmt = "0.0%" if metric.unit == "percent" else "0.####"
        values: list[tuple[Any, str | None]] = [
            (lead[0], None),
            (lead[1], None),
            (lead[2], "0.0"),
            (lead[3], None),
            (self.metric_label(metric_name), None),
            (definition, None),
            (metric.unit, None),
            (self.t(metric.better), None),
            (rule, None),
            (floor, fmt),
            (target, fmt),
            (weight, "0.00"),
            (volume, None),
            (metric.description, None),
        ]
        for col, (value, number_format) in enumerate(values, start=1):
            put(ws, row, col, value, number_format)


def describe_points(rule: Any, unit: str) -> str:
    from csperf.points import describe_rule

    return describe_rule(rule, unit)


def build_workbook(result: ScoreResult, language: str | None = None) -> Workbook:
    """The whole workbook in memory (nothing is written)."""
    return WorkbookReport(result, language).build()


def write_xlsx(result: ScoreResult, path: Path, language: str | None = None) -> None:
    """Build the workbook, then save it atomically: a failure leaves the destination untouched."""
    workbook = build_workbook(result, language)
    with atomic_path(path) as temporary:
        workbook.save(temporary)
