"""Bonuses: tiers on the score (or a metric), red lines (gates), pro-rating, payouts and the budget.

The order of the calculation, which is also the order in which it is explained to an agent:

1. the basis (the weighted score, or the configured metric) places the agent in a tier;
2. gates (SQL conditions over the agent's measures, metrics, roster columns and score) that fire
   block the bonus or cap the tier;
3. the final tier pays its parts — fixed, a percentage of a roster column, a share of a pool —
   each multiplied by the pro-rating factor (share of the period employed) when configured;
   pools are divided among the tier's agents by basis, by excess over the line, or equally;
4. the per-agent cap; 5. when the total exceeds the budget, every amount is scaled by
   budget / total (the factor is reported).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

import polars as pl

from csperf.bonus_config import BonusConfig, Gate, Tier
from csperf.errors import CsperfError, DataError
from csperf.expressions import referenced_names, sql_expression
from csperf.measures import AGENT
from csperf.model_base import Language, label_text
from csperf.ranking import SCORE_DECIMALS

if TYPE_CHECKING:
    from csperf.config import Config, LoadedConfig
    from csperf.pipeline import ScoreResult
    from csperf.sources import Period, SourceFrame

PERIOD_NAMES = ("period_start", "period_end")


@dataclass(frozen=True)
class BonusPeriod:
    """The days a bonus is paid for: first and last day, both inclusive."""

    start: date
    end: date
    origin: str  # "period" (the run's --period) or "data" (the span of the data's timestamps)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def describe(self) -> str:
        where = "the scored period" if self.origin == "period" else "the span of the data"
        return f"{self.start.isoformat()} .. {self.end.isoformat()} ({self.days} days, {where})"


def bonus_period(period: Period | None, coverage: tuple[date, date] | None) -> BonusPeriod | None:
    """The scored period when there is one, else the first to the last day found in the data."""
    if period is not None:
        last = period.end - timedelta(microseconds=1)
        return BonusPeriod(period.start.date(), last.date(), "period")
    if coverage is not None:
        return BonusPeriod(coverage[0], coverage[1], "data")
    return None


def coverage_query(frames: dict[str, SourceFrame], config: Config) -> pl.LazyFrame | None:
    """One row (first_day, last_day) over the used rows' `timestamp:` columns of every source."""
    from csperf.sources import source_specs

    parts: list[pl.LazyFrame] = []
    for name, frame in frames.items():
        source = config.sources[name]
        if source.timestamp is None:
            continue
        spec = source_specs(config, source).get(source.timestamp)
        column = pl.col(source.timestamp)
        day = (
            column
            if spec is not None and spec.type == "date"
            else column.dt.replace_time_zone(None).dt.date()
        )
        parts.append(frame.used().select(day.cast(pl.Date).alias("day")))
    if not parts:
        return None
    return pl.concat(parts).select(pl.col("day").min().alias("first"), pl.col("day").max().alias("last"))


def coverage_from(frame: pl.DataFrame) -> tuple[date, date] | None:
    if frame.height == 0 or frame["first"][0] is None:
        return None
    return frame["first"][0], frame["last"][0]


@dataclass
class GateHit:
    """One gate that fired for an agent, with the values its condition read."""

    name: str
    label: str
    effect: str  # "block" or "cap"
    cap_at: str | None
    values: dict[str, Any]
    detail: str


@dataclass
class BonusLine:
    """One agent's bonus, every step kept so it can be explained."""

    agent_id: str
    basis_value: float | None
    reached: str | None
    tier: str | None = None
    rule: str = ""
    gates: list[GateHit] = field(default_factory=list)
    outcome: str = ""
    employed_days: int | None = None
    prorate: float = 1.0
    pay_fixed: float = 0.0
    pay_percent: float = 0.0
    pay_pool: float = 0.0
    pool_weight: float = 0.0
    capped: bool = False
    amount_before_budget: float = 0.0
    budget_scale: float = 1.0
    amount: float = 0.0


def _key(value: float | None) -> float | None:
    """Basis values compared at the ranking's precision, so 85 computed as 84.9999999999 is 85."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return round(float(value), SCORE_DECIMALS)


def place(value: float | None, tiers: list[Tier]) -> Tier | None:
    """The tier whose [at_least, below) holds the value (tiers listed from the highest line down)."""
    key = _key(value)
    if key is None:
        return None
    for tier in tiers:
        if key >= tier.at_least and (tier.below is None or key < tier.below):
            return tier
    return None


def value_text(config: Config, name: str, value: Any) -> str:
    """Any value a gate or tier reads, formatted by the unit of the metric it belongs to."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, str):
        return value
    metric = config.metrics.get(name)
    if metric is not None and metric.unit == "percent":
        return f"{value * 100:.1f}%"
    if isinstance(value, int) or float(value).is_integer():
        return f"{int(value)}"
    return f"{value:.2f}"


def line_text(config: Config, value: float) -> str:
    """A tier line in the basis' unit (60 for the score, 60.0% for a percent metric)."""
    assert config.bonus is not None
    metric = config.metrics.get(config.bonus.basis)
    if metric is not None and metric.unit == "percent":
        return f"{value * 100:.1f}%"
    return f"{value:g}"


def tier_label(config: Config, name: str | None, language: Language | None = None) -> str:
    if name is None or config.bonus is None:
        return "–"
    tier = next((t for t in config.bonus.tiers if t.name == name), None)
    return label_text(tier.label if tier else None, language or config.language, name)


def rule_text(config: Config, value: float | None, tier: Tier | None) -> str:
    """Why the basis placed the agent where it did: `score 81.83 ≥ 80 → excellence`."""
    assert config.bonus is not None
    basis = config.bonus.basis
    shown = value_text(config, basis, value) if basis != "score" or value is None else f"{value:.2f}"
    if value is None:
        return f"{basis}: no value — no tier"
    if tier is None:
        lowest = config.bonus.tiers[-1]
        return f"{basis} {shown} < {line_text(config, lowest.at_least)} — below every tier"
    upper = f" and < {line_text(config, tier.below)}" if tier.below is not None else ""
    return f"{basis} {shown} ≥ {line_text(config, tier.at_least)}{upper} → {tier.name}"


def compute_bonus(
    loaded: LoadedConfig,
    agents: pl.DataFrame,
    period: Period | None = None,
    coverage: tuple[date, date] | None = None,
) -> pl.DataFrame:
    """One row per agent: basis, tier reached, gates fired, final tier, each payout part and amounts."""
    config = loaded.config
    bonus = config.bonus
    assert bonus is not None
    days = bonus_period(period, coverage)
    frame = _with_period(loaded, agents, days)
    tiers = {t.name: t for t in bonus.tiers}
    order = {t.name: i for i, t in enumerate(bonus.tiers)}
    basis = pl.col("score") if bonus.basis == "score" else pl.col(bonus.basis)
    frame = frame.with_columns(basis.cast(pl.Float64).alias("_basis"))
    fired = _gate_flags(frame, bonus)
    rows = frame.to_dicts()

    lines: list[BonusLine] = []
    for index, row in enumerate(rows):
        value = row["_basis"]
        reached = place(value, bonus.tiers)
        line = BonusLine(
            agent_id=row[AGENT],
            basis_value=value,
            reached=reached.name if reached else None,
            rule=rule_text(config, value, reached),
        )
        line.gates = [
            _hit(config, gate, row) for gate, flags in zip(bonus.gates, fired, strict=True) if flags[index]
        ]
        line.tier, line.outcome = _apply_gates(line, order, config)
        if bonus.prorate is not None:
            line.employed_days, line.prorate = _prorate(loaded, bonus, row, days)
        lines.append(line)

    missing = _pay_parts(lines, rows, tiers, bonus, config)
    if missing:
        raise DataError(*missing)
    _cap_and_budget(lines, bonus)
    return _frame(lines)


def _with_period(loaded: LoadedConfig, agents: pl.DataFrame, days: BonusPeriod | None) -> pl.DataFrame:
    bonus = loaded.config.bonus
    assert bonus is not None
    if days is not None:
        return agents.with_columns(
            pl.lit(days.start, dtype=pl.Date).alias("period_start"),
            pl.lit(days.end, dtype=pl.Date).alias("period_end"),
        )
    needs = [i for i, gate in enumerate(bonus.gates) if referenced_names(gate.when) & set(PERIOD_NAMES)]
    problems = [
        f"{loaded.where('bonus', 'gates', i, 'when')}: uses the period, but this run has none; pass "
        "--period, or give a source a `timestamp:` so the data's own dates are used"
        for i in needs
    ]
    if bonus.prorate is not None:
        problems.append(
            f"{loaded.where('bonus', 'prorate')}: pro-rating needs the period; pass --period, or give a "
            "source a `timestamp:` so the data's own dates are used"
        )
    if problems:
        raise CsperfError(*problems)
    return agents


def _gate_flags(frame: pl.DataFrame, bonus: BonusConfig) -> list[list[bool]]:
    """For each gate, whether it fired for each agent (a null condition does not fire)."""
    if not bonus.gates:
        return []
    try:
        flags = frame.select(
            sql_expression(g.when).cast(pl.Boolean).fill_null(False).alias(f"_gate_{i}")
            for i, g in enumerate(bonus.gates)
        )
    except pl.exceptions.PolarsError as exc:
        message = str(exc).strip().splitlines()[0]
        raise DataError(f"bonus.gates: cannot evaluate a gate condition: {message}") from None
    return [flags[f"_gate_{i}"].to_list() for i in range(len(bonus.gates))]


def _hit(config: Config, gate: Gate, row: dict[str, Any]) -> GateHit:
    names = sorted(referenced_names(gate.when))
    values = {name: row.get(name) for name in names}
    detail = ", ".join(f"{name} = {value_text(config, name, values[name])}" for name in names)
    return GateHit(
        name=gate.name,
        label=label_text(gate.label, config.language, gate.name),
        effect=gate.effect,
        cap_at=gate.cap_at,
        values=values,
        detail=detail,
    )


def _apply_gates(line: BonusLine, order: dict[str, int], config: Config) -> tuple[str | None, str]:
    """The final tier after the gates, and the outcome in words."""
    if line.basis_value is None:
        return None, "not scored"
    blocks = [g for g in line.gates if g.effect == "block"]
    if line.reached is None:
        return None, "below every tier"
    if blocks:
        return None, "blocked by " + ", ".join(f"`{g.name}`" for g in blocks)
    caps = [g for g in line.gates if g.effect == "cap" and g.cap_at is not None]
    tier = line.reached
    binding: GateHit | None = None
    for gate in caps:
        assert gate.cap_at is not None
        if order[gate.cap_at] > order[tier]:
            tier, binding = gate.cap_at, gate
    if binding is not None:
        return tier, f"capped at {tier} by `{binding.name}` (reached {line.reached})"
    return tier, f"tier {tier}"


def _as_date(value: Any) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    raise TypeError(value)


def _prorate(
    loaded: LoadedConfig, bonus: BonusConfig, row: dict[str, Any], days: BonusPeriod | None
) -> tuple[int, float]:
    """Days employed within the period and that share of the period's days."""
    assert bonus.prorate is not None and days is not None
    bounds: list[date | None] = []
    for key, column in (("hired", bonus.prorate.hired), ("left", bonus.prorate.left)):
        if column is None:
            bounds.append(None)
            continue
        try:
            bounds.append(_as_date(row.get(column)))
        except TypeError:
            raise DataError(
                f"{loaded.where('bonus', 'prorate', key)}: roster column `{column}` holds "
                f"{row.get(column)!r}, not a date; declare it with `type: date` in roster.columns"
            ) from None
    hired, left = bounds
    first = max(days.start, hired) if hired else days.start
    last = min(days.end, left) if left else days.end
    employed = max(0, (last - first).days + 1)
    return employed, employed / days.days


def _pay_parts(
    lines: list[BonusLine],
    rows: list[dict[str, Any]],
    tiers: dict[str, Tier],
    bonus: BonusConfig,
    config: Config,
) -> list[str]:
    """Fill the fixed, percentage and pool parts; return problems (missing salary values)."""
    problems: list[str] = []
    members: dict[str, list[BonusLine]] = {}
    for line, row in zip(lines, rows, strict=True):
        if line.tier is None:
            continue
        pay = tiers[line.tier].pay
        if pay is None:
            continue
        if pay.fixed is not None:
            line.pay_fixed = pay.fixed * line.prorate
        if pay.percent_of is not None:
            base = row.get(pay.percent_of.column)
            if base is None:
                problems.append(
                    f"roster: `{pay.percent_of.column}` is empty for agent {line.agent_id}, who reaches tier "
                    f"`{line.tier}` (paid {pay.percent_of.percent:g}% of it); fill it in"
                )
            else:
                line.pay_percent = float(base) * pay.percent_of.percent / 100 * line.prorate
        if pay.pool_share is not None:
            members.setdefault(line.tier, []).append(line)
    for name, group in members.items():
        tier = tiers[name]
        assert tier.pay is not None and tier.pay.pool_share is not None
        share = tier.pay.pool_share
        assert share.pool is not None
        for line in group:
            value = line.basis_value or 0.0
            raw = {"score": value, "excess": value - tier.at_least, "equal": 1.0}[share.by]
            line.pool_weight = max(raw, 0.0) * line.prorate
        total = sum(line.pool_weight for line in group)
        if total <= 0:
            # Everyone exactly on the line (by excess): the pool is split evenly by time present.
            for line in group:
                line.pool_weight = line.prorate
            total = sum(line.pool_weight for line in group)
        for line in group:
            line.pay_pool = share.pool * line.pool_weight / total if total > 0 else 0.0
    return problems


def _cap_and_budget(lines: list[BonusLine], bonus: BonusConfig) -> None:
    for line in lines:
        amount = line.pay_fixed + line.pay_percent + line.pay_pool
        if bonus.cap is not None and amount > bonus.cap:
            amount, line.capped = bonus.cap, True
        line.amount_before_budget = amount
    total = sum(line.amount_before_budget for line in lines)
    scale = bonus.budget / total if bonus.budget is not None and total > bonus.budget else 1.0
    for line in lines:
        line.budget_scale = scale
        line.amount = line.amount_before_budget * scale


GATE_STRUCT = pl.List(
    pl.Struct({"name": pl.String, "effect": pl.String, "cap_at": pl.String, "detail": pl.String})
)


def _frame(lines: list[BonusLine]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            AGENT: [line.agent_id for line in lines],
            "basis_value": [line.basis_value for line in lines],
            "reached": [line.reached for line in lines],
            "tier": [line.tier for line in lines],
            "rule": [line.rule for line in lines],
            "gates": [
                [
                    {"name": g.name, "effect": g.effect, "cap_at": g.cap_at, "detail": g.detail}
                    for g in line.gates
                ]
                for line in lines
            ],
            "outcome": [line.outcome for line in lines],
            "employed_days": [line.employed_days for line in lines],
            "prorate": [line.prorate for line in lines],
            "pay_fixed": [line.pay_fixed for line in lines],
            "pay_percent": [line.pay_percent for line in lines],
            "pay_pool": [line.pay_pool for line in lines],
            "pool_weight": [line.pool_weight for line in lines],
            "capped": [line.capped for line in lines],
            "amount_before_budget": [line.amount_before_budget for line in lines],
            "budget_scale": [line.budget_scale for line in lines],
            "amount": [line.amount for line in lines],
        },
        schema_overrides={
            "basis_value": pl.Float64,
            "reached": pl.String,
            "tier": pl.String,
            "gates": GATE_STRUCT,
            "employed_days": pl.Int64,
        },
    )


# --- views of the result for reports --------------------------------------------------------------


def bonus_table(result: ScoreResult) -> pl.DataFrame:
    """The bonus frame joined with name, score and rank, in ranking order."""
    assert result.bonus is not None
    keep = [c for c in (AGENT, "name", "scorecard", "score", "rank") if c in result.agents.columns]
    table = result.agents.select(keep).join(result.bonus, on=AGENT, how="left")
    return table.sort(pl.col("rank"), pl.col(AGENT), nulls_last=True)


def gates_text(gates: list[dict[str, Any]] | None) -> str:
    """`compliance red line (block): compliance_violations = 4; ...`."""
    parts = []
    for gate in gates or []:
        effect = f"cap at {gate['cap_at']}" if gate["effect"] == "cap" else "block"
        parts.append(f"{gate['name']} ({effect}): {gate['detail']}")
    return "; ".join(parts)


def bonus_rows(result: ScoreResult) -> list[dict[str, Any]]:
    """One flat row per agent for CSV and spreadsheets (amounts rounded to cents)."""
    config = result.config
    assert config.bonus is not None
    basis = config.bonus.basis
    rows: list[dict[str, Any]] = []
    for row in bonus_table(result).iter_rows(named=True):
        flat: dict[str, Any] = {"rank": row["rank"], AGENT: row[AGENT]}
        if "name" in row:
            flat["name"] = row["name"]
        flat["score"] = _round(row["score"], 6)
        if basis != "score":
            flat[basis] = _round(row["basis_value"], 6)
        flat.update(
            {
                "tier_reached": row["reached"],
                "tier": row["tier"],
                "rule": row["rule"],
                "gates_fired": gates_text(row["gates"]),
                "outcome": row["outcome"],
            }
        )
        if config.bonus.prorate is not None:
            flat["employed_days"] = row["employed_days"]
            flat["prorate"] = _round(row["prorate"], 6)
        flat.update(
            {
                "pay_fixed": _round(row["pay_fixed"], 2),
                "pay_percent": _round(row["pay_percent"], 2),
                "pay_pool": _round(row["pay_pool"], 2),
                "capped": row["capped"],
                "amount_before_budget": _round(row["amount_before_budget"], 2),
                "budget_scale": _round(row["budget_scale"], 6),
                "amount": _round(row["amount"], 2),
            }
        )
        rows.append(flat)
    return rows


def _round(value: Any, digits: int) -> Any:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return round(float(value), digits)


def bonus_summary(result: ScoreResult) -> dict[str, Any]:
    """Totals: per tier agents and amounts, before and after the budget, the scale factor."""
    config = result.config
    bonus = config.bonus
    assert bonus is not None and result.bonus is not None
    frame = result.bonus
    tiers = []
    for tier in bonus.tiers:
        part = frame.filter(pl.col("tier") == tier.name)
        tiers.append(
            {
                "tier": tier.name,
                "at_least": tier.at_least,
                "agents": part.height,
                "amount_before_budget": _round(part["amount_before_budget"].sum(), 2),
                "amount": _round(part["amount"].sum(), 2),
            }
        )
    scale = float(frame["budget_scale"][0]) if frame.height else 1.0
    days = bonus_period(result.period, result_coverage(result))
    return {
        "basis": bonus.basis,
        "currency": bonus.currency,
        "period": days.describe() if days is not None else None,
        "tiers": tiers,
        "blocked": frame.filter(pl.col("outcome").str.starts_with("blocked")).height,
        "capped_by_gate": frame.filter(pl.col("outcome").str.starts_with("capped")).height,
        "cap": bonus.cap,
        "budget": bonus.budget,
        "total_before_budget": _round(frame["amount_before_budget"].sum(), 2),
        "budget_scale": _round(scale, 6),
        "total": _round(frame["amount"].sum(), 2),
    }


def result_coverage(result: ScoreResult) -> tuple[date, date] | None:
    """The data's first and last day when the pipeline recorded them."""
    value = getattr(result, "coverage", None)
    return value if isinstance(value, tuple) else None


def bonus_document(result: ScoreResult) -> dict[str, Any]:
    """The JSON `bonus` section: the summary and one entry per agent with structured gates."""
    agents = []
    values = {row[AGENT]: row for row in result.agents.iter_rows(named=True)}
    for row in bonus_table(result).iter_rows(named=True):
        agents.append(
            {
                AGENT: row[AGENT],
                "score": _round(row["score"], 6),
                "rank": row["rank"],
                "basis_value": _round(row["basis_value"], 6),
                "tier_reached": row["reached"],
                "tier": row["tier"],
                "rule": row["rule"],
                "gates": [
                    {
                        "name": g["name"],
                        "effect": g["effect"],
                        "cap_at": g["cap_at"],
                        "values": _gate_values(result, g["name"], values[row[AGENT]]),
                    }
                    for g in row["gates"] or []
                ],
                "outcome": row["outcome"],
                "employed_days": row["employed_days"],
                "prorate": _round(row["prorate"], 6),
                "pay": {
                    "fixed": _round(row["pay_fixed"], 2),
                    "percent_of": _round(row["pay_percent"], 2),
                    "pool_share": _round(row["pay_pool"], 2),
                },
                "capped": row["capped"],
                "amount_before_budget": _round(row["amount_before_budget"], 2),
                "budget_scale": _round(row["budget_scale"], 6),
                "amount": _round(row["amount"], 2),
            }
        )
    return {"summary": bonus_summary(result), "agents": agents}


def _gate_values(result: ScoreResult, gate_name: str, row: dict[str, Any]) -> dict[str, Any]:
    """The values a gate's condition read for one agent (dates as ISO text)."""
    assert result.config.bonus is not None
    gate = next(g for g in result.config.bonus.gates if g.name == gate_name)
    period = bonus_period(result.period, result_coverage(result))
    found: dict[str, Any] = {}
    for name in sorted(referenced_names(gate.when)):
        if name in PERIOD_NAMES and period is not None:
            value: Any = period.start if name == "period_start" else period.end
        else:
            value = row.get(name)
        if isinstance(value, date | datetime):
            value = value.isoformat()
        elif isinstance(value, float):
            value = _round(value, 6)
        found[name] = value
    return found
