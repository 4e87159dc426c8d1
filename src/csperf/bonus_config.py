"""Config models of the `bonus:` section (tiers, payouts, red lines, pro-rating) and `leaderboards:`.

Only the shape is checked here; cross-field checks (tier order and overlaps, unknown metrics in
gates, pools without an amount, ...) are `csperf.rules.check_bonus`, which reports them with
`file:line: key.path` like every other rule.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import TYPE_CHECKING, Literal

from pydantic import Field

from csperf.model_base import Label, Strict

if TYPE_CHECKING:
    from csperf.config import Config, LoadedConfig

GateEffect = Literal["block", "cap"]
PoolBasis = Literal["score", "excess", "equal"]

# Names a gate's `when:` may use besides measures, metrics, categories and roster columns.
GATE_EXTRA_NAMES = (
    "score",
    "rank",
    "scorecard_rank",
    "scorecard",
    "judged_metrics",
    "period_start",
    "period_end",
)


class PercentOf(Strict):
    """A percentage of a roster column, e.g. 10% of the base salary."""

    column: str
    percent: float = Field(gt=0)


class PoolShare(Strict):
    """A share of a fixed pool, divided among the tier's agents.

    `by: score` divides in proportion to the basis value (the score, or the basis metric),
    `by: excess` in proportion to how far each agent is above the tier's line, `by: equal` evenly.
    """

    pool: float | None = Field(default=None, gt=0)
    by: PoolBasis = "score"


class Pay(Strict):
    """What a tier pays; the parts given are added up."""

    fixed: float | None = Field(default=None, ge=0)
    percent_of: PercentOf | None = None
    pool_share: PoolShare | None = None

    def parts(self) -> list[str]:
        return [n for n in ("fixed", "percent_of", "pool_share") if getattr(self, n) is not None]


class Tier(Strict):
    """One bonus tier: agents whose basis is at least `at_least` (and below `below`, if given)."""

    name: str
    label: Label | None = None
    at_least: float
    below: float | None = None
    pay: Pay | None = None


class Gate(Strict):
    """A red line: when the SQL condition holds for an agent, the bonus is blocked or capped."""

    name: str
    label: Label | None = None
    when: str
    effect: GateEffect = "block"
    cap_at: str | None = None
    description: str | None = None


class Prorate(Strict):
    """Roster date columns: first day employed and last day employed (both inclusive)."""

    hired: str | None = None
    left: str | None = None


class BonusConfig(Strict):
    """Tiers on the weighted score or on a metric, what they pay, red lines and the budget."""

    basis: str = "score"
    currency: str | None = None
    tiers: list[Tier] = Field(min_length=1)
    allow_gaps: bool = False
    gates: list[Gate] = Field(default_factory=list)
    cap: float | None = Field(default=None, gt=0)
    budget: float | None = Field(default=None, gt=0)
    prorate: Prorate | None = None


class Leaderboard(Strict):
    """Top N agents by the score (or a metric), overall or per roster attribute (e.g. team)."""

    label: Label | None = None
    top: int = Field(default=3, ge=1)
    by: str = "score"
    per: str | None = None


# --- cross-field checks (run by csperf.rules.check_bonus) ----------------------------------------


def bonus_problems(loaded: LoadedConfig) -> list[str]:
    """Every problem of the `bonus:` and `leaderboards:` sections, as `file:line: key.path: ...`."""
    config = loaded.config
    problems: list[str] = []
    if config.bonus is not None:
        problems += _basis_problems(loaded, config.bonus)
        problems += _tier_problems(loaded, config.bonus)
        problems += _gate_problems(loaded, config.bonus)
        problems += _prorate_problems(loaded, config.bonus)
    problems += _leaderboard_problems(loaded)
    return problems


def _suggest(name: str, options: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, list(options), n=1)
    return f"; did you mean `{close[0]}`?" if close else ""


def _roster_columns(config: Config) -> set[str]:
    return set(config.roster.columns) if config.roster is not None else set()


def _basis_problems(loaded: LoadedConfig, bonus: BonusConfig) -> list[str]:
    config = loaded.config
    if bonus.basis == "score":
        return []
    metric = config.metrics.get(bonus.basis)
    if metric is None:
        return [
            f"{loaded.where('bonus', 'basis')}: `{bonus.basis}` is neither `score` nor a metric"
            f"{_suggest(bonus.basis, ['score', *config.metrics])}"
        ]
    if metric.better != "higher":
        return [
            f"{loaded.where('bonus', 'basis')}: `{bonus.basis}` is lower-is-better, but tiers are "
            "`at_least` lines; use a higher-is-better metric or the score"
        ]
    if metric.unit == "percent":
        return [
            f"{loaded.where('bonus', 'tiers', i, 'at_least')}: `{bonus.basis}` is a percent metric, "
            f"stored as a fraction; write {tier.at_least / 100:g} for {tier.at_least:g}%"
            for i, tier in enumerate(bonus.tiers)
            if tier.at_least > 1
        ]
    return []


def _tier_problems(loaded: LoadedConfig, bonus: BonusConfig) -> list[str]:
    config = loaded.config
    problems: list[str] = []
    seen: dict[str, int] = {}
    for i, tier in enumerate(bonus.tiers):
        path = ("bonus", "tiers", i)
        if tier.name in seen:
            problems.append(
                f"{loaded.where(*path, 'name')}: tier `{tier.name}` is already tiers.{seen[tier.name]}; "
                "give each tier its own name"
            )
        seen.setdefault(tier.name, i)
        if tier.below is not None and tier.below <= tier.at_least:
            problems.append(
                f"{loaded.where(*path, 'below')}: below ({tier.below:g}) must be above at_least "
                f"({tier.at_least:g})"
            )
        problems += _pay_problems(loaded, tier.pay, config, path)
    for i in range(1, len(bonus.tiers)):
        higher, lower = bonus.tiers[i - 1], bonus.tiers[i]
        where = loaded.where("bonus", "tiers", i, "at_least")
        if lower.at_least == higher.at_least:
            problems.append(
                f"{where}: tiers `{higher.name}` and `{lower.name}` both start at {lower.at_least:g}; "
                "they overlap — give them different lines"
            )
        elif lower.at_least > higher.at_least:
            problems.append(
                f"{where}: tiers go from the highest line down, but `{lower.name}` ({lower.at_least:g}) "
                f"comes after `{higher.name}` ({higher.at_least:g}); swap them"
            )
        elif lower.below is not None and lower.below > higher.at_least:
            problems.append(
                f"{loaded.where('bonus', 'tiers', i, 'below')}: tier `{lower.name}` runs to "
                f"{lower.below:g}, into `{higher.name}` (from {higher.at_least:g}); they overlap — "
                f"set below: {higher.at_least:g} or leave it out"
            )
        elif lower.below is not None and lower.below < higher.at_least and not bonus.allow_gaps:
            problems.append(
                f"{loaded.where('bonus', 'tiers', i, 'below')}: tier `{lower.name}` ends at "
                f"{lower.below:g} but `{higher.name}` starts at {higher.at_least:g}: agents in between get "
                "no tier; close the gap or set `allow_gaps: true`"
            )
    top = bonus.tiers[0]
    if top.below is not None and not bonus.allow_gaps:
        problems.append(
            f"{loaded.where('bonus', 'tiers', 0, 'below')}: the top tier `{top.name}` ends at {top.below:g}, "
            "so agents above it get no tier; remove `below:` or set `allow_gaps: true`"
        )
    return problems


def _pay_problems(
    loaded: LoadedConfig, pay: Pay | None, config: Config, path: tuple[str | int, ...]
) -> list[str]:
    if pay is None:
        return []
    where = loaded.where(*path, "pay")
    if not pay.parts():
        return [f"{where}: give at least one of fixed, percent_of, pool_share (or leave out `pay:`)"]
    problems: list[str] = []
    if pay.pool_share is not None and pay.pool_share.pool is None:
        problems.append(
            f"{loaded.where(*path, 'pay', 'pool_share')}: a pool share needs the pool's amount, "
            "e.g. `pool_share: {pool: 50000, by: score}`"
        )
    if pay.percent_of is not None:
        column = pay.percent_of.column
        roster = _roster_columns(config)
        if config.roster is None:
            problems.append(
                f"{loaded.where(*path, 'pay', 'percent_of', 'column')}: percent_of needs a `roster:` "
                f"with the column `{column}`"
            )
        elif column not in roster:
            problems.append(
                f"{loaded.where(*path, 'pay', 'percent_of', 'column')}: `{column}` is not a roster column"
                f"{_suggest(column, roster)}"
            )
    return problems


def gate_names(config: Config) -> set[str]:
    """Every name a gate's `when:` may use."""
    names = set(config.measures) | set(config.metrics) | _roster_columns(config)
    names |= {f"{m}__insufficient" for m in config.metrics}
    for card in config.scorecards.values():
        names |= set(card.categories)
    return names | set(GATE_EXTRA_NAMES)


def _gate_problems(loaded: LoadedConfig, bonus: BonusConfig) -> list[str]:
    from csperf.expressions import ExpressionError, referenced_names

    config = loaded.config
    problems: list[str] = []
    allowed = gate_names(config)
    tiers = [t.name for t in bonus.tiers]
    seen: set[str] = set()
    for i, gate in enumerate(bonus.gates):
        path = ("bonus", "gates", i)
        if gate.name in seen:
            problems.append(f"{loaded.where(*path, 'name')}: gate `{gate.name}` is given twice; rename one")
        seen.add(gate.name)
        try:
            names = referenced_names(gate.when)
        except ExpressionError as exc:
            problems.append(
                f"{loaded.where(*path, 'when')}: cannot parse the SQL expression {gate.when!r}: {exc}"
            )
            names = set()
        problems += [
            f"{loaded.where(*path, 'when')}: `{name}` is not a measure, metric, category or roster column"
            f"{_suggest(name, allowed)}"
            for name in sorted(names - allowed)
        ]
        if gate.effect == "cap" and gate.cap_at is None:
            problems.append(
                f"{loaded.where(*path, 'effect')}: effect `cap` needs `cap_at:` — the highest tier allowed, "
                f"one of {', '.join(tiers)}"
            )
        if gate.cap_at is not None:
            if gate.effect != "cap":
                problems.append(f"{loaded.where(*path, 'cap_at')}: cap_at only applies with `effect: cap`")
            elif gate.cap_at not in tiers:
                problems.append(
                    f"{loaded.where(*path, 'cap_at')}: unknown tier `{gate.cap_at}`"
                    f"{_suggest(gate.cap_at, tiers)}; tiers: {', '.join(tiers)}"
                )
    return problems


def _prorate_problems(loaded: LoadedConfig, bonus: BonusConfig) -> list[str]:
    config = loaded.config
    prorate = bonus.prorate
    if prorate is None:
        return []
    if prorate.hired is None and prorate.left is None:
        return [f"{loaded.where('bonus', 'prorate')}: give `hired:` and/or `left:` (roster date columns)"]
    if config.roster is None:
        return [f"{loaded.where('bonus', 'prorate')}: pro-rating needs a `roster:` with hire/leave dates"]
    roster = _roster_columns(config)
    return [
        f"{loaded.where('bonus', 'prorate', key)}: `{column}` is not a roster column"
        f"{_suggest(column, roster)}"
        for key, column in (("hired", prorate.hired), ("left", prorate.left))
        if column is not None and column not in roster
    ]


def _leaderboard_problems(loaded: LoadedConfig) -> list[str]:
    config = loaded.config
    problems: list[str] = []
    roster = _roster_columns(config)
    for name, board in config.leaderboards.items():
        if board.by != "score" and board.by not in config.metrics:
            problems.append(
                f"{loaded.where('leaderboards', name, 'by')}: `{board.by}` is neither `score` nor a metric"
                f"{_suggest(board.by, ['score', *config.metrics])}"
            )
        if board.per is not None and board.per not in roster:
            problems.append(
                f"{loaded.where('leaderboards', name, 'per')}: `{board.per}` is not a roster column"
                f"{_suggest(board.per, roster)}"
                + ("" if config.roster is not None else " (the config has no `roster:`)")
            )
    return problems
