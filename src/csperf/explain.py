"""`csperf explain`: the whole story of one agent's number, as data and as plain text.

For each scored metric: its inputs (numerator and denominator of a ratio, the measures a formula
reads), value, rule, points, nominal and effective weight and contribution; category subtotals;
rank among how many; the bonus tier and the rule that placed the agent there; the gates that fired
and the values behind them; and the gap to the next tier with the metrics that close it most cheaply.

Shown amounts are rounded to cents so that they add up: the score is rounded once, the categories
share its cents by largest remainder, and each category's metrics share the category's cents the
same way. The displayed contributions therefore always sum to the displayed score exactly.
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import polars as pl

from csperf.errors import CsperfError
from csperf.expressions import sql_expression
from csperf.measures import AGENT
from csperf.model_base import Language, label_text

if TYPE_CHECKING:
    from csperf.config import Config, PointsRule
    from csperf.pipeline import ScoreResult

MAX_OPTIONS = 3


@dataclass
class InputValue:
    """A measure (or metric) a metric is computed from, with its value for the agent."""

    name: str
    label: str
    value: float | None
    text: str


@dataclass
class MetricLine:
    metric: str
    label: str
    unit: str
    better: str
    inputs: list[InputValue]
    formula: str | None
    value: float | None
    value_text: str
    rule: str
    points: float | None
    insufficient: bool
    insufficient_reason: str
    weight: float
    effective_weight: float
    contribution: float
    contribution_cents: int = 0

    @property
    def numerator(self) -> InputValue | None:
        return self.inputs[0] if self.formula is None and self.inputs else None

    @property
    def denominator(self) -> InputValue | None:
        return self.inputs[1] if self.formula is None and len(self.inputs) > 1 else None


@dataclass
class CategoryLine:
    name: str
    label: str
    weight: float
    subtotal: float
    subtotal_cents: int
    metrics: list[MetricLine]


@dataclass
class Option:
    """One metric that could close (part of) the gap to the next tier."""

    metric: str
    label: str
    per_unit: float  # score points per unit of improvement (unit: see `unit_text`)
    unit_text: str
    change: float  # signed change of the metric value (in the metric's own unit)
    change_text: str
    new_value_text: str
    gain: float  # score points that change brings
    closes_gap: bool
    effort: float  # the change as a share of the rule's floor→target range (for ordering)


@dataclass
class Gap:
    tier: str
    tier_label: str
    line_text: str
    missing: float
    missing_text: str
    note: str = ""
    options: list[Option] = field(default_factory=list)


@dataclass
class GateLine:
    name: str
    label: str
    effect: str
    cap_at: str | None
    detail: str


@dataclass
class BonusPart:
    basis: str
    basis_text: str
    reached: str | None
    tier: str | None
    tier_label: str
    rule: str
    outcome: str
    gates: list[GateLine]
    employed_days: int | None
    prorate: float | None
    pay_fixed: float
    pay_percent: float
    pay_pool: float
    capped: bool
    cap: float | None
    amount_before_budget: float
    budget_scale: float
    amount: float
    currency: str
    next_tier: Gap | None
    pay_lines: list[str] = field(default_factory=list)


@dataclass
class Explanation:
    agent_id: str
    name: str | None
    config: str
    period: str
    attributes: dict[str, str]
    scorecard: str | None
    scorecard_label: str
    score: float | None
    score_cents: int | None
    rank: int | None
    ranked: int
    scorecard_rank: int | None
    scorecard_ranked: int
    scorecards: int
    categories: list[CategoryLine]
    bonus: BonusPart | None
    # Rows flagged by `text_rules:` (capped, most severe first) and the count per rule.
    evidence: list[dict[str, Any]] = field(default_factory=list)
    evidence_counts: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


# --- building -------------------------------------------------------------------------------------


def explain_agent(result: ScoreResult, agent_id: str, language: Language | None = None) -> Explanation:
    """Everything behind one agent's score and bonus."""
    import difflib

    from csperf.leaderboard import period_text

    config = result.config
    lang: Language = language or config.language
    agent_id = normalise_agent_id(config, agent_id)
    rows = result.agents.filter(pl.col(AGENT) == agent_id)
    if rows.height == 0:
        known = result.agents[AGENT].to_list()
        close = difflib.get_close_matches(agent_id, known, n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise CsperfError(f"agent `{agent_id}`: not among the {len(known)} agents of this run{hint}")
    row = rows.row(0, named=True)
    card_name = row.get("scorecard")
    card = config.scorecards.get(card_name) if card_name else None
    ranked = result.agents.filter(pl.col("rank").is_not_null()).height
    card_ranked = (
        result.agents.filter((pl.col("scorecard") == card_name) & pl.col("rank").is_not_null()).height
        if card_name
        else 0
    )
    score = row.get("score")
    score_cents = cents_of(score) if score is not None else None
    categories = _categories(result, row, score_cents, lang)
    attributes = {
        c: _plain(row.get(c))
        for c in (config.roster.columns if config.roster else {})
        if c not in (AGENT, "name") and row.get(c) is not None
    }
    explanation = Explanation(
        agent_id=agent_id,
        name=row.get("name"),
        config=config.name,
        period=period_text(result),
        attributes=attributes,
        scorecard=card_name,
        scorecard_label=label_text(card.label if card else None, lang, card_name or "–"),
        score=score,
        score_cents=score_cents,
        rank=row.get("rank"),
        ranked=ranked,
        scorecard_rank=row.get("scorecard_rank"),
        scorecard_ranked=card_ranked,
        scorecards=len(config.scorecards),
        categories=categories,
        bonus=None,
    )
    if result.bonus is not None and config.bonus is not None:
        explanation.bonus = _bonus_part(result, row, categories, lang)
    if config.text_rules:
        from csperf.text_rules import evidence_counts, evidence_rows

        explanation.evidence = evidence_rows(result, agent_id, limit=10)
        explanation.evidence_counts = evidence_counts(result, agent_id)
    return explanation


def normalise_agent_id(config: Config, agent_id: str) -> str:
    """The agent id as the sources' `agent_id:` rules normalise it (trim, case, leading zeros)."""
    import re

    rules = config.agent_id
    text = agent_id
    if rules.extract:
        match = re.search(rules.extract, text)
        if match and match.groups():
            text = match.group(1)
    if rules.trim:
        text = text.strip()
    if rules.case == "upper":
        text = text.upper()
    elif rules.case == "lower":
        text = text.lower()
    if rules.strip_leading_zeros:
        text = re.sub(r"^0+(\d)", r"\1", text)
    return text


def cents_of(value: float) -> int:
    """The value in cents exactly as `f"{value:.2f}"` shows it."""
    return int(Decimal(f"{value:.2f}") * 100)


def apportion(values: list[float], total_cents: int) -> list[int]:
    """Integer cents for each value that add up to `total_cents` (largest remainder)."""
    if not values:
        return []
    exact = [v * 100 for v in values]
    floors = [math.floor(x) for x in exact]
    remainder = total_cents - sum(floors)
    order = sorted(range(len(values)), key=lambda i: (-(exact[i] - floors[i]), i))
    step = 1 if remainder >= 0 else -1
    if step < 0:
        order = list(reversed(order))
    for k in range(abs(remainder)):
        floors[order[k % len(order)]] += step
    return floors


def _plain(value: Any) -> str:
    if value is None:
        return "–"
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    if isinstance(value, float) and value.is_integer():
        return f"{int(value)}"
    return str(value)


def _number_text(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int) or float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.2f}"


def _inputs(
    config: Config, name: str, row: dict[str, Any], lang: Language
) -> tuple[list[InputValue], str | None]:
    from csperf.reports.tables import format_value

    metric = config.metrics[name]
    if metric.ratio is not None:
        names = list(metric.ratio)
        formula = None
    else:
        assert metric.formula is not None
        formula = metric.formula
        names = list(dict.fromkeys(sql_expression(formula).meta.root_names()))
    inputs = []
    for part in names:
        if part in config.measures:
            label = label_text(config.measures[part].label, lang, part)
            text = _number_text(row.get(part))
        else:
            label = label_text(config.metrics[part].label, lang, part)
            text = format_value(row.get(part), config.metrics[part].unit)
        inputs.append(InputValue(part, label, row.get(part), text))
    return inputs, formula


def _categories(
    result: ScoreResult, row: dict[str, Any], score_cents: int | None, lang: Language
) -> list[CategoryLine]:
    from csperf.metrics import insufficiency_reason
    from csperf.reports.tables import format_value

    config = result.config
    long = result.breakdown.filter(pl.col(AGENT) == row[AGENT]).sort("order")
    card_name = row.get("scorecard")
    if long.height == 0 or card_name is None:
        return []
    card = config.scorecards[card_name]
    categories: list[CategoryLine] = []
    for cat_name, category in card.categories.items():
        lines: list[MetricLine] = []
        part = long.filter(pl.col("category") == cat_name)
        for b in part.iter_rows(named=True):
            name = b["metric"]
            metric = config.metrics[name]
            inputs, formula = _inputs(config, name, row, lang)
            volume = row.get(metric.min_volume.measure) if metric.min_volume else None
            lines.append(
                MetricLine(
                    metric=name,
                    label=label_text(metric.label, lang, name),
                    unit=metric.unit,
                    better=metric.better,
                    inputs=inputs,
                    formula=formula,
                    value=b["value"],
                    value_text=format_value(b["value"], metric.unit),
                    rule=b["rule"],
                    points=b["points"],
                    insufficient=bool(b["insufficient"]),
                    insufficient_reason=insufficiency_reason(metric, b["value"], volume)
                    if b["insufficient"]
                    else "",
                    weight=b["weight"],
                    effective_weight=b["effective_weight"],
                    contribution=b["contribution"],
                )
            )
        weight = float(part["category_weight"][0]) if part.height else category.weight
        categories.append(
            CategoryLine(
                name=cat_name,
                label=label_text(category.label, lang, cat_name),
                weight=weight,
                subtotal=sum(m.contribution for m in lines),
                subtotal_cents=0,
                metrics=lines,
            )
        )
    if score_cents is not None:
        shares = apportion([c.subtotal for c in categories], score_cents)
        for shown, cents in zip(categories, shares, strict=True):
            shown.subtotal_cents = cents
            metric_cents = apportion([m.contribution for m in shown.metrics], cents)
            for metric_line, c in zip(shown.metrics, metric_cents, strict=True):
                metric_line.contribution_cents = c
    return categories


def _bonus_part(
    result: ScoreResult, row: dict[str, Any], categories: list[CategoryLine], lang: Language
) -> BonusPart:
    from csperf.bonus import line_text, tier_label, value_text

    config = result.config
    bonus = config.bonus
    assert bonus is not None and result.bonus is not None
    b = result.bonus.filter(pl.col(AGENT) == row[AGENT]).row(0, named=True)
    basis_value = b["basis_value"]
    basis_shown = (
        f"{basis_value:.2f}"
        if bonus.basis == "score" and basis_value is not None
        else value_text(config, bonus.basis, basis_value)
    )
    gates = []
    gate_config = {g.name: g for g in bonus.gates}
    for g in b["gates"] or []:
        gate = gate_config.get(g["name"])
        gates.append(
            GateLine(
                name=g["name"],
                label=label_text(gate.label if gate else None, lang, g["name"]),
                effect=g["effect"],
                cap_at=g["cap_at"],
                detail=g["detail"],
            )
        )
    part = BonusPart(
        basis=bonus.basis,
        basis_text=basis_shown,
        reached=b["reached"],
        tier=b["tier"],
        tier_label=tier_label(config, b["tier"], lang),
        rule=b["rule"],
        outcome=b["outcome"],
        gates=gates,
        employed_days=b["employed_days"],
        prorate=b["prorate"] if bonus.prorate is not None else None,
        pay_fixed=b["pay_fixed"],
        pay_percent=b["pay_percent"],
        pay_pool=b["pay_pool"],
        capped=b["capped"],
        cap=bonus.cap,
        amount_before_budget=b["amount_before_budget"],
        budget_scale=b["budget_scale"],
        amount=b["amount"],
        currency=bonus.currency or "",
        next_tier=None,
    )
    part.pay_lines = _pay_lines(result, row, b)
    part.next_tier = _next_tier(result, row, categories, basis_value, b["reached"], lang)
    if part.next_tier is not None:
        part.next_tier.line_text = line_text(config, _tier_line(config, part.next_tier.tier))
    return part


def _pay_lines(result: ScoreResult, row: dict[str, Any], b: dict[str, Any]) -> list[str]:
    """Each payout part with the numbers it came from: `15% of base_salary 5,600.00 = 840.00`."""
    from csperf.bonus import bonus_period, result_coverage

    bonus = result.config.bonus
    assert bonus is not None and result.bonus is not None
    tier = next((t for t in bonus.tiers if t.name == b["tier"]), None)
    if tier is None or tier.pay is None:
        return []
    prorated = ""
    period = bonus_period(result.period, result_coverage(result))
    if bonus.prorate is not None and b["prorate"] < 1 and period is not None:
        prorated = f" × {b['employed_days']}/{period.days} days employed"
    lines = []
    pay = tier.pay
    if pay.fixed is not None:
        lines.append(
            f"fixed {_money(pay.fixed)}" + (f"{prorated} = {_money(b['pay_fixed'])}" if prorated else "")
        )
    if pay.percent_of is not None:
        column = pay.percent_of.column
        base = float(row.get(column) or 0)
        lines.append(
            f"{pay.percent_of.percent:g}% of {column} {_money(base)}{prorated} = {_money(b['pay_percent'])}"
        )
    if pay.pool_share is not None and pay.pool_share.pool is not None:
        members = result.bonus.filter(pl.col("tier") == tier.name)
        total = float(members["pool_weight"].sum())
        lines.append(
            f"share of the pool {_money(pay.pool_share.pool)} by {pay.pool_share.by}: "
            f"{b['pool_weight']:.4f} of {total:.4f} ({members.height} agents) = {_money(b['pay_pool'])}"
        )
    return lines


def _tier_line(config: Config, name: str) -> float:
    assert config.bonus is not None
    return next(t.at_least for t in config.bonus.tiers if t.name == name)


def _next_tier(
    result: ScoreResult,
    row: dict[str, Any],
    categories: list[CategoryLine],
    value: float | None,
    reached: str | None,
    lang: Language,
) -> Gap | None:
    """The next tier above the one reached, how far it is and the cheapest ways to get there."""
    from csperf.bonus import tier_label, value_text

    config = result.config
    bonus = config.bonus
    assert bonus is not None
    if value is None:
        return None
    names = [t.name for t in bonus.tiers]
    index = names.index(reached) if reached is not None else len(names)
    if index == 0:
        return None
    target = bonus.tiers[index - 1]
    missing = target.at_least - value
    if bonus.basis == "score":
        gap = Gap(
            tier=target.name,
            tier_label=tier_label(config, target.name, lang),
            line_text="",
            missing=missing,
            missing_text=f"{missing:.2f} points",
        )
        card = row.get("scorecard")
        gap.options = cheapest_options(config, card, categories, missing) if card else []
        if not gap.options:
            gap.note = "no scored metric has points left to gain"
        return gap
    metric = config.metrics[bonus.basis]
    if metric.unit == "percent":
        missing_text = (
            f"{missing * 100:.1f} percentage points of {label_text(metric.label, lang, bonus.basis)}"
        )
    else:
        missing_text = (
            f"{value_text(config, bonus.basis, missing)} of {label_text(metric.label, lang, bonus.basis)}"
        )
    return Gap(
        tier=target.name,
        tier_label=tier_label(config, target.name, lang),
        line_text="",
        missing=missing,
        missing_text=missing_text,
        note=f"the tier is set by {bonus.basis} alone: {value_text(config, bonus.basis, value)} → "
        f"{value_text(config, bonus.basis, target.at_least)}",
    )


def unit_step(unit: str) -> tuple[float, str]:
    """The unit improvements are counted in: a percentage point for rates, else one of the unit."""
    if unit == "percent":
        return 0.01, "pp"
    if unit == "seconds":
        return 1.0, "s"
    return 1.0, "unit"


def cheapest_options(
    config: Config, scorecard: str, categories: list[CategoryLine], missing: float
) -> list[Option]:
    """Metrics that would bring the missing score points, cheapest first.

    Cheapest = the smallest move measured against each rule's own range (floor → target, or the
    band thresholds), because raw units (percent, seconds, counts) cannot be compared directly.
    Metrics that close the gap alone come before those that cannot.
    """
    card = config.scorecards[scorecard]
    options: list[Option] = []
    for category in categories:
        for line in category.metrics:
            if line.insufficient or line.effective_weight <= 0 or line.value is None or line.points is None:
                continue
            option = _option(line, card.categories[category.name].metrics[line.metric].points, missing)
            if option is not None:
                options.append(option)
    options.sort(key=lambda o: (not o.closes_gap, o.effort, -o.per_unit, o.metric))
    return options[:MAX_OPTIONS]


def _option(line: MetricLine, rule: PointsRule, missing: float) -> Option | None:
    from csperf.reports.tables import format_value

    assert line.value is not None and line.points is not None
    step, unit_name = unit_step(line.unit)
    weight = line.effective_weight
    if rule.linear is not None:
        floor, target, cap = rule.linear.floor, rule.linear.target, rule.linear.cap
        if line.points >= cap:
            return None
        per_value = weight / (target - floor)  # score points per unit of value (sign: direction)
        wanted_points = min(cap, line.points + missing * 100 / weight)
        new_value = floor + wanted_points / 100 * (target - floor)
        change = new_value - line.value
        gain = weight * (wanted_points - line.points) / 100
        span = abs(target - floor)
        per_unit = abs(per_value) * step
    elif rule.bands:
        higher = line.better == "higher"
        better_bands = [
            (t, p)
            for t, p in rule.bands
            if p > line.points and ((t > line.value) if higher else (t < line.value))
        ]
        if not better_bands:
            return None
        enough = [b for b in better_bands if weight * (b[1] - line.points) / 100 >= missing - 1e-9]
        pool = enough or better_bands
        if enough:
            threshold, pts = min(pool, key=lambda b: abs(b[0] - line.value))  # type: ignore[operator]
        else:
            threshold, pts = max(pool, key=lambda b: b[1])
        change = threshold - line.value
        new_value = threshold
        gain = weight * (pts - line.points) / 100
        thresholds = [t for t, _ in rule.bands]
        span = (max(thresholds) - min(thresholds)) or abs(threshold) or 1.0
        per_unit = gain / abs(change) * step if change else 0.0
    else:
        return None
    if abs(change) < 1e-12:
        return None
    sign = "+" if change > 0 else "−"
    if line.unit == "percent":
        change_text = f"{sign}{abs(change) * 100:.1f} pp"
    elif line.unit == "seconds":
        change_text = f"{sign}{abs(change):.0f} s"
    else:
        change_text = f"{sign}{abs(change):.2f}"
    return Option(
        metric=line.metric,
        label=line.label,
        per_unit=per_unit,
        unit_text=unit_name,
        change=change,
        change_text=change_text,
        new_value_text=format_value(new_value, line.unit),
        gain=gain,
        closes_gap=gain >= missing - 1e-9,
        effort=abs(change) / span if span else math.inf,
    )


# --- rendering ------------------------------------------------------------------------------------


def text_width(text: str) -> int:
    """Columns a string takes in a terminal (CJK characters take two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def pad(text: str, width: int, right: bool = False) -> str:
    fill = " " * max(0, width - text_width(text))
    return fill + text if right else text + fill


def _table(header: list[str], rows: list[list[str]], right: set[int], indent: str = "  ") -> list[str]:
    widths = [max(text_width(r[i]) for r in [header, *rows]) for i in range(len(header))]
    out = []
    for r in [header, *rows]:
        cells = [pad(cell, widths[i], i in right) for i, cell in enumerate(r)]
        out.append((indent + "  ".join(cells)).rstrip())
    return out


def _cents(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    return f"{sign}{cents // 100}.{cents % 100:02d}"


def _money(value: float) -> str:
    return f"{value:,.2f}"


def render_text(explanation: Explanation) -> str:
    """The explanation as plain text (the golden file pins it)."""
    e = explanation
    lines: list[str] = []
    who = f"{e.agent_id} {e.name}" if e.name else e.agent_id
    lines.append(f"{who} — {e.config}, {e.period}")
    details = [f"{k} {v}" for k, v in e.attributes.items()]
    details.append(f"scorecard {e.scorecard or '–'}" + (f" ({e.scorecard_label})" if e.scorecard else ""))
    lines.append(" · ".join(details))
    lines.append("")
    if e.score is None or e.score_cents is None:
        lines.append("Not scored: no scorecard applies or no metric could be judged.")
        return "\n".join(lines) + "\n"
    lines.append(
        f"Score {_cents(e.score_cents)} — rank {e.rank} of {e.ranked}"
        + (
            f"; {e.scorecard_rank} of {e.scorecard_ranked} on scorecard {e.scorecard}"
            if e.scorecard and e.scorecards > 1
            else ""
        )
    )
    for category in e.categories:
        lines.append("")
        subtotal = _cents(category.subtotal_cents)
        lines.append(f"{category.label} ({category.name}) — weight {category.weight:g}%: {subtotal}")
        header = ["metric", "inputs", "value", "rule", "points", "weight", "effective", "contribution"]
        rows = []
        for m in category.metrics:
            if m.formula is None and len(m.inputs) == 2:
                inputs = f"{m.inputs[0].label} {m.inputs[0].text} / {m.inputs[1].label} {m.inputs[1].text}"
            else:
                inputs = ", ".join(f"{i.label} {i.text}" for i in m.inputs)
            points = "–" if m.points is None else f"{m.points:.2f}"
            rows.append(
                [
                    m.label,
                    inputs,
                    m.value_text,
                    m.rule,
                    points,
                    f"{m.weight:.2f}",
                    f"{m.effective_weight:.2f}",
                    _cents(m.contribution_cents),
                ]
            )
        lines += _table(header, rows, right={2, 4, 5, 6, 7})
        for m in category.metrics:
            if m.insufficient:
                lines.append(
                    f"  {m.label}: not judged ({m.insufficient_reason}); its weight went to the others"
                )
    parts = " + ".join(_cents(c.subtotal_cents) for c in e.categories)
    lines.append("")
    lines.append(f"Categories: {parts} = {_cents(e.score_cents)}")
    if e.bonus is not None:
        lines += _render_bonus(e.bonus)
    if e.evidence_counts:
        from csperf.text_rules import evidence_lines

        lines += evidence_lines(e.evidence, e.evidence_counts)
    return "\n".join(lines) + "\n"


def _render_bonus(b: BonusPart) -> list[str]:
    currency = f" {b.currency}" if b.currency else ""
    lines = ["", f"Bonus (basis: {b.basis})"]
    lines.append(f"  rule: {b.rule}")
    if b.gates:
        lines.append("  gates fired:")
        for g in b.gates:
            effect = f"cap at {g.cap_at}" if g.effect == "cap" else "block"
            label = g.label if g.label.casefold() == g.name.casefold() else f"{g.label} ({g.name})"
            lines.append(f"    {label} — {effect}: {g.detail}")
    else:
        lines.append("  gates fired: none")
    lines.append(f"  outcome: {b.outcome}")
    if b.tier is not None:
        lines.append(f"  tier: {b.tier}" + (f" ({b.tier_label})" if b.tier_label != b.tier else ""))
        if not b.pay_lines:
            lines.append("  pay: nothing (the tier has no `pay:`)")
        for i, text in enumerate(b.pay_lines):
            lines.append(("  pay: " if i == 0 else "     + ") + text)
        if b.capped and b.cap is not None:
            lines.append(f"  capped at {_money(b.cap)} per agent")
    scaled = ""
    if b.budget_scale < 1 and b.amount_before_budget > 0:
        scaled = f" (before budget scaling {_money(b.amount_before_budget)}, × {b.budget_scale:.6f})"
    lines.append(f"  amount: {_money(b.amount)}{currency}{scaled}")
    gap = b.next_tier
    if gap is None:
        if b.reached is not None:
            lines.append("  next tier: none — the top tier is reached")
        return lines
    lines.append(f"  next tier: {gap.tier} at {gap.line_text} — {gap.missing_text} missing")
    if any(g.effect == "block" for g in b.gates):
        lines.append("    (the gates above block any tier until they clear)")
    else:
        for g in b.gates:
            if g.effect == "cap":
                lines.append(f"    (`{g.name}` caps the tier at {g.cap_at} until it clears)")
    if gap.note:
        lines.append(f"    {gap.note}")
    if gap.options:
        header = ["cheapest", "score points per unit", "change", "to", "gain", "closes the gap"]
        rows = [
            [
                o.label,
                f"{o.per_unit:.3f} per {o.unit_text}",
                o.change_text,
                o.new_value_text,
                f"{o.gain:.2f}",
                "yes" if o.closes_gap else "no",
            ]
            for o in gap.options
        ]
        lines += _table(header, rows, right={1, 2, 3, 4}, indent="    ")
    return lines
