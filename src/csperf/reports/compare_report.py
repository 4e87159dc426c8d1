"""Reports of `csperf compare`: the terminal view, CSV, JSON and an Excel workbook.

Views: the weights of each variant, the per-agent table (score, rank, tier, bonus under each
variant, rank and tier change against the first), the summary (ρ, τ-b, top-N overlap, tier
changes, bonus cost) and, with --perturb, the sensitivity of each variant.
CSV holds one table, so `FILE.csv` gets the per-agent table and `FILE.summary.csv` the summary.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

from csperf.compare import NO_TIER, CompareResult
from csperf.errors import CsperfError
from csperf.measures import AGENT
from csperf.reports.atomic import write_text_atomic
from csperf.reports.tables import clean_number

if TYPE_CHECKING:
    from rich.console import Console

FORMATS = (".csv", ".json", ".xlsx")


# --- plain rows ----------------------------------------------------------------------------------


def summary_rows(result: CompareResult, flat: bool = True) -> list[dict[str, Any]]:
    """One row per variant: its statistics against the first variant.

    Flat rows (CSV, xlsx) carry the agents per tier as `agents_<tier>` columns instead of a mapping.
    """
    from csperf.compare import tier_order

    rows = [summary.to_dict() for summary in result.summary]
    if not flat:
        return rows
    tiers = [*tier_order(result.variants), NO_TIER]
    flattened = []
    for row in rows:
        counts = row.pop("tier_counts")
        position = list(row).index("bonus_total")
        items = list(row.items())
        extra = [(f"agents_{t}", (counts or {}).get(t, 0) if counts is not None else None) for t in tiers]
        flattened.append(dict(items[:position] + extra + items[position:]))
    return flattened


def agent_rows(result: CompareResult) -> list[dict[str, Any]]:
    """The per-agent table, with each variant's sensitivity columns when --perturb was given."""
    table = result.agents
    for name, sensitivity in result.sensitivity.items():
        keep = ["rank_p05", "rank_median", "rank_p95", "score_p05", "score_p95"]
        keep += [f"p_{t}" for t in sensitivity.tiers]
        keep += [c for c in ("tier_flip_share", "flagged") if c in sensitivity.agents.columns]
        part = sensitivity.agents.select(AGENT, *keep).rename({c: f"{c}_{name}" for c in keep})
        table = table.join(part, on=AGENT, how="left")
    return [{k: clean_number(v) for k, v in row.items()} for row in table.to_dicts()]


def sensitivity_rows(result: CompareResult) -> list[dict[str, Any]]:
    """Long rows: variant, agent, base rank and tier, rank percentiles, tier probabilities, flag."""
    rows: list[dict[str, Any]] = []
    for name, sensitivity in result.sensitivity.items():
        for row in sensitivity.agents.to_dicts():
            rows.append({"variant": name, **{k: clean_number(v) for k, v in row.items()}})
    return rows


def weight_rows(result: CompareResult) -> list[dict[str, Any]]:
    return [{k: clean_number(v) for k, v in row.items()} for row in result.weights.to_dicts()]


def compare_document(result: CompareResult) -> dict[str, Any]:
    """The whole comparison as one JSON-ready document."""
    agents: list[dict[str, Any]] = []
    sensitivity = {
        name: {row[AGENT]: row for row in s.agents.to_dicts()} for name, s in result.sensitivity.items()
    }
    base = result.names[0]
    for row in result.agents.to_dicts():
        entry: dict[str, Any] = {AGENT: row[AGENT]}
        if "name" in row:
            entry["name"] = row["name"]
        variants: dict[str, Any] = {}
        for name in result.names:
            item: dict[str, Any] = {
                "scorecard": row[f"scorecard_{name}"],
                "score": clean_number(row[f"score_{name}"]),
                "rank": row[f"rank_{name}"],
                "tier": row[f"tier_{name}"],
                "bonus": clean_number(row[f"bonus_{name}"]),
            }
            if name != base:
                item["rank_change"] = row[f"rank_change_{name}"]
                item["tier_change"] = row[f"tier_change_{name}"] or None
            if name in sensitivity:
                drawn = sensitivity[name][row[AGENT]]
                item["sensitivity"] = {
                    "rank_p05": drawn["rank_p05"],
                    "rank_median": drawn["rank_median"],
                    "rank_p95": drawn["rank_p95"],
                    "score_p05": clean_number(drawn["score_p05"]),
                    "score_p95": clean_number(drawn["score_p95"]),
                    "tier_probability": {
                        t: clean_number(drawn[f"p_{t}"]) for t in result.sensitivity[name].tiers
                    },
                    "tier_flip_share": clean_number(drawn.get("tier_flip_share")),
                    "flagged": drawn.get("flagged"),
                }
            variants[name] = item
        entry["variants"] = variants
        agents.append(entry)
    return {
        "period": result.period.label if result.period else None,
        "top_n": result.top,
        "variants": [
            {
                "name": outcome.name,
                "config": str(outcome.variant.loaded.path),
                "scorecards": outcome.variant.scorecards or list(outcome.result.config.scorecards),
                "read_separately": outcome.read_separately,
            }
            for outcome in result.variants
        ],
        "weights": weight_rows(result),
        "summary": summary_rows(result, flat=False),
        "sensitivity": {name: s.settings() for name, s in result.sensitivity.items()} or None,
        "agents": agents,
    }


# --- files -----------------------------------------------------------------------------------------


def summary_path(path: Path) -> Path:
    """Where the summary of a CSV comparison goes: `cmp.csv` → `cmp.summary.csv`."""
    return path.with_name(path.stem + ".summary" + path.suffix)


def write_compare(result: CompareResult, path: Path, language: str | None = None) -> list[Path]:
    """Write the comparison in the format the extension names, atomically; return the files written."""
    kind = path.suffix.lower()
    if kind == ".csv":
        from csperf.reports.csv_report import write_rows_csv

        write_rows_csv(agent_rows(result), path)
        write_rows_csv(summary_rows(result), summary_path(path))
        return [path, summary_path(path)]
    if kind == ".json":
        from csperf.reports.json_report import pretty_json

        write_text_atomic(path, pretty_json(compare_document(result)) + "\n")
        return [path]
    if kind == ".xlsx":
        write_compare_xlsx(result, path)
        return [path]
    raise CsperfError(
        f"{path}: --out: unknown report format {path.suffix!r}; use one of {', '.join(FORMATS)}"
    )


def write_compare_xlsx(result: CompareResult, path: Path) -> None:
    """A workbook with one sheet per view: Summary, Agents, Weights, and Sensitivity with --perturb."""
    from openpyxl import Workbook

    from csperf.reports.atomic import atomic_path
    from csperf.reports.xlsx_report import finish_table, header, put

    workbook = Workbook()
    sheets: list[tuple[str, list[dict[str, Any]]]] = [
        ("Summary", summary_rows(result)),
        ("Agents", agent_rows(result)),
        ("Weights", weight_rows(result)),
    ]
    if result.sensitivity:
        sheets.append(("Sensitivity", sensitivity_rows(result)))
    first = True
    for title, rows in sheets:
        ws = workbook.active if first else workbook.create_sheet()
        assert ws is not None
        ws.title = title
        first = False
        columns: list[str] = []
        for row in rows:
            columns += [k for k in row if k not in columns]
        header(ws, 1, columns)
        for r, row in enumerate(rows, start=2):
            for c, column in enumerate(columns, start=1):
                value = row.get(column)
                put(ws, r, c, json.dumps(value, ensure_ascii=False) if isinstance(value, dict) else value)
        finish_table(ws, 1, len(rows) + 1, len(columns), "C2" if title in ("Agents", "Sensitivity") else "A2")
    with atomic_path(path) as temporary:
        workbook.save(temporary)


# --- terminal ----------------------------------------------------------------------------------------


def _score(value: Any) -> str:
    return "–" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:.2f}"


def _money(value: Any) -> str:
    return "–" if value is None else f"{value:,.0f}"


def _signed(value: Any) -> str:
    if value is None:
        return ""
    return f" ({value:+d})" if value else " (=)"


def _tier(result: CompareResult, variant: int, name: str | None, language: str | None) -> str:
    from csperf.bonus import tier_label

    config = result.variants[variant].result.config
    return tier_label(config, name, language) if name is not None else "–"  # type: ignore[arg-type]


def weight_view(
    result: CompareResult, language: str | None
) -> tuple[list[tuple[str, bool]], list[list[str]]]:
    """Metric weights (% of the score) side by side; rows whose weight differs are marked with *."""
    from csperf.model_base import label_text
    from csperf.reports.labels import resolve_language

    config = result.variants[0].result.config
    lang = resolve_language(language, config.language)
    frame = result.weights
    cards = frame["scorecard"].unique(maintain_order=True).to_list()
    several = len(cards) > 1
    keys: list[tuple[str, str, str]] = []
    for row in frame.iter_rows(named=True):
        key = (row["scorecard"], row["category"], row["metric"])
        if key not in keys:
            keys.append(key)
    weights = {
        (r["variant"], r["scorecard"], r["category"], r["metric"]): r["weight"] for r in frame.to_dicts()
    }
    columns: list[tuple[str, bool]] = ([("scorecard", False)] if several else []) + [
        ("category", False),
        ("metric", False),
    ]
    columns += [(name, True) for name in result.names]
    rows: list[list[str]] = []
    for card, category, metric in keys:
        values = [weights.get((name, card, category, metric)) for name in result.names]
        differs = len({round(v, 6) if v is not None else None for v in values}) > 1
        metric_config = config.metrics.get(metric)
        shown = label_text(metric_config.label, lang, metric) if metric_config else metric
        cells = ([card] if several else []) + [category, shown + (" *" if differs else "")]
        cells += ["–" if v is None else f"{v:.1f}" for v in values]
        rows.append(cells)
    return columns, rows


def agent_view(result: CompareResult, language: str | None) -> tuple[list[tuple[str, bool]], list[list[str]]]:
    """Per agent: each variant's score, rank (change), tier (↑/↓ against the first) and bonus."""
    from csperf.compare import tier_order

    names = result.names
    base = names[0]
    levels = {t: i for i, t in enumerate(tier_order(result.variants))}
    bonus = result.has_bonus
    people = "name" in result.agents.columns
    columns: list[tuple[str, bool]] = [("#", True), ("agent", False)] + ([("name", False)] if people else [])
    for name in names:
        columns += [(f"{name}\nscore", True), (f"{name}\nrank", True)]
        if bonus:
            columns += [(f"{name}\ntier", False), (f"{name}\nbonus", True)]
        if name in result.sensitivity:
            columns += [(f"{name}\nrank 5–95%", True)]
            if result.sensitivity[name].tiers:
                columns += [(f"{name}\nP(tier)", True)]
    sensitivity = {n: {r[AGENT]: r for r in s.agents.to_dicts()} for n, s in result.sensitivity.items()}
    rows: list[list[str]] = []
    for row in result.agents.iter_rows(named=True):
        first_rank = row[f"rank_{base}"]
        cells = ["–" if first_rank is None else str(first_rank), str(row[AGENT])]
        if people:
            cells.append(str(row.get("name") or ""))
        for index, name in enumerate(names):
            rank = row[f"rank_{name}"]
            change = row.get(f"rank_change_{name}") if index else None
            cells += [_score(row[f"score_{name}"]), ("–" if rank is None else str(rank)) + _signed(change)]
            if bonus:
                tier = row[f"tier_{name}"]
                before = row[f"tier_{base}"]
                mark = ""
                if index and tier != before:
                    up = levels.get(tier or "", len(levels)) < levels.get(before or "", len(levels))
                    mark = " ↑" if up else " ↓"
                cells += [_tier(result, index, tier, language) + mark, _money(row[f"bonus_{name}"])]
            if name in sensitivity:
                drawn = sensitivity[name].get(row[AGENT], {})
                low, high = drawn.get("rank_p05"), drawn.get("rank_p95")
                cells.append("–" if low is None else (f"{low}" if low == high else f"{low}–{high}"))
                if result.sensitivity[name].tiers:
                    tier_name = drawn.get("tier") or NO_TIER
                    share = drawn.get(f"p_{tier_name}")
                    flag = " !" if drawn.get("flagged") else ""
                    cells.append("–" if share is None else f"{share:.0%}{flag}")
        rows.append(cells)
    return columns, rows


def summary_view(result: CompareResult) -> tuple[list[tuple[str, bool]], list[list[str]]]:
    base = result.summary[0]
    bonus = result.has_bonus
    columns: list[tuple[str, bool]] = [
        ("variant", False),
        ("ranked", True),
        ("Spearman ρ", True),
        ("Kendall τ-b", True),
        (f"top-{result.top} overlap", True),
    ]
    if bonus:
        columns += [("tier changes (↑/↓)", True), ("bonus total", True), (f"vs {base.name}", True)]
    rows: list[list[str]] = []
    for index, summary in enumerate(result.summary):
        first = index == 0
        cells = [
            summary.name,
            str(summary.agents_ranked),
            "–" if first or summary.spearman is None else f"{summary.spearman:.3f}",
            "–" if first or summary.kendall is None else f"{summary.kendall:.3f}",
            "–" if first else f"{summary.top_overlap}/{summary.top_n}",
        ]
        if bonus:
            changes = (
                "–"
                if first or summary.tier_changes is None
                else f"{summary.tier_changes} ({summary.tier_up}/{summary.tier_down})"
            )
            diff = "–" if first or summary.bonus_diff is None else f"{summary.bonus_diff:+,.0f}"
            cells += [changes, _money(summary.bonus_total), diff]
        rows.append(cells)
    return columns, rows


def sensitivity_lines(result: CompareResult, language: str | None = None) -> list[str]:
    """Per variant: the settings and the agents whose tier is decided by the weights' noise."""
    lines: list[str] = []
    for name, s in result.sensitivity.items():
        index = result.names.index(name)
        head = f"{name}: weights ±{s.perturb:.0%}, {s.draws} draws (seed {s.seed})"
        if not s.tiers:
            lines.append(f"{head}: no `bonus:` tiers, so only rank percentiles are shown")
            continue
        flagged = s.agents.filter(s.agents["flagged"])
        if flagged.is_empty():
            lines.append(f"{head}: no agent changes tier in more than {s.flip_threshold:.0%} of the draws")
            continue
        parts = []
        for row in flagged.iter_rows(named=True):
            shares = ", ".join(
                f"{'no tier' if t == NO_TIER else _tier(result, index, t, language)} {row[f'p_{t}']:.0%}"
                for t in s.tiers
                if row[f"p_{t}"] > 0
            )
            parts.append(f"{row[AGENT]} ({shares})")
        lines.append(
            f"{head}: {flagged.height} agent{'s' if flagged.height > 1 else ''} change"
            f"{'' if flagged.height > 1 else 's'} tier in more than {s.flip_threshold:.0%} of the draws: "
            + "; ".join(parts)
        )
        if s.dynamic_gates:
            lines.append(f"{name}: gates evaluated per draw: {', '.join(s.dynamic_gates)}")
    return lines


def print_compare(result: CompareResult, console: Console, language: str | None = None) -> None:
    """Weights, the per-agent table, the summary and the sensitivity, for a terminal or a pipe."""
    from csperf.reports.terminal import text_table

    period = f" — {result.period.label}" if result.period else ""
    for outcome in result.variants:
        note = f" — {outcome.read_separately}" if outcome.read_separately else ""
        console.print(f"{outcome.name}: {outcome.variant.describe()}{note}", markup=False, highlight=False)
    console.print(
        text_table(console, "Weights (% of the score; * = differs)", *weight_view(result, language))
    )
    console.print(text_table(console, "Agents" + period, *agent_view(result, language)))
    console.print(text_table(console, f"Against {result.names[0]}", *summary_view(result)))
    for summary in result.summary[1:]:
        if summary.compared < 2:
            console.print(
                f"{summary.name}: {summary.compared} agents are ranked under both it and {result.names[0]} "
                "(do their scorecards' applies_to select different agents?), so ρ and τ-b are undefined",
                markup=False,
                highlight=False,
            )
    for line in sensitivity_lines(result, language):
        console.print(line, markup=False, highlight=False)
