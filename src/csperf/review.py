"""`csperf review`: what one agent's monthly performance interview needs, as data.

For each agent: score, rank and bonus tier with the change since the previous period; each scored
metric against its target (the value that earns full points), the team's median and last period;
the strongest and weakest metrics; the metrics that moved most; and a suggested target for next
period per weak metric. `reports/review_html.py` turns one `AgentReview` into a page.

How the choices are made (also in docs/review.md):

* **Team**: the roster column `review.team`, else `report.group_by`, else `team` when the roster
  maps it, else the agent's scorecard. Team figures use the team's *judged* values only (metrics
  not judged for min_volume or lack of data are left out); points medians use only team members on
  the same scorecard, since other scorecards score the same value by other rules.
* **Strongest**: the highest points (ties: the heavier effective weight first).
  **Weakest**: the most score points lost, `effective weight × (100 − points) / 100` — where an
  improvement pays most. A metric is never in both lists; a metric with full points is never weak.
* **Moved most**: the largest change in points since last period (ties: the larger relative change
  of the value); metrics whose value did not change are not listed.
* **Suggested target** (per weak metric): `value + step × (team quantile − value)` with the team's
  `target_quantile` (default 0.75; for lower-is-better metrics 1 − that, i.e. the 25th percentile)
  and `step` (default 0.5: halfway). When the agent is already at or beyond that quantile, halfway
  (`step`) toward the rule's full-points target instead; when already there too, no suggestion.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from pydantic import Field

from csperf.model_base import Language, Strict, label_text

if TYPE_CHECKING:
    import polars as pl

    from csperf.config import Config, LoadedConfig, PointsRule
    from csperf.pipeline import ScoreResult

AGENT = "agent_id"
SCORECARD = "scorecard"
TEAM = "_review_team"
EPSILON = 1e-9


class ReviewConfig(Strict):
    """`review:` — how review packs pick the team and suggest next period's targets."""

    # Roster column that names the agent's team (default: report.group_by, else `team`, else scorecard).
    team: str | None = None
    # The team quantile to aim at (lower-is-better metrics use 1 − this).
    target_quantile: float = Field(default=0.75, gt=0, lt=1)
    # Share of the way from the agent's value to that quantile.
    step: float = Field(default=0.5, gt=0, le=1)
    strongest: int = Field(default=2, ge=0)
    weakest: int = Field(default=2, ge=0)
    moved: int = Field(default=3, ge=0)


@dataclass
class MetricReview:
    """One scored metric of one agent, against target, team and last period."""

    metric: str
    label: str
    category: str
    category_label: str
    unit: str
    better: str
    rule: str
    value: float | None
    interval: tuple[float, float] | None  # 95% Wilson interval of a rate
    raw_value: float | None  # before shrinkage (shrunk metrics only)
    target: float | None  # the value that earns full points (None for percentile rules)
    team_median: float | None
    team_count: int  # team members with a judged value
    team_points_median: float | None  # among team members on the same scorecard
    previous: float | None
    change: float | None
    points: float | None
    previous_points: float | None
    points_change: float | None
    weight: float  # effective weight (what the metric counts in the score)
    contribution: float
    lost: float  # score points lost: weight − contribution
    insufficient: bool
    reason: str = ""  # why not judged


@dataclass
class Suggestion:
    """Next period's target for a weak metric and what reaching it is worth."""

    metric: str
    label: str
    unit: str
    value: float
    aim: float  # the team quantile, or the rule's full-points target
    aim_kind: str  # "team_quantile" or "rule_target"
    quantile: float  # the quantile used (0.75, or 0.25 for lower-is-better)
    target: float
    points_now: float | None
    points_at_target: float | None
    gain: float | None  # score points, the rest unchanged


@dataclass
class AgentReview:
    agent_id: str
    name: str | None
    config: str
    language: Language
    team_column: str
    team: str | None
    scorecard: str | None
    scorecard_label: str
    period: str | None
    previous_period: str | None  # None: no period given, so nothing to compare with
    previous_has_data: bool
    score: float | None
    score_previous: float | None
    score_change: float | None
    rank: int | None
    rank_previous: int | None
    rank_change: int | None  # > 0: moved up
    ranked: int
    scorecard_rank: int | None
    scorecard_ranked: int
    tier: str | None = None
    tier_label: str | None = None
    tier_previous: str | None = None
    tier_previous_label: str | None = None
    tier_change: str | None = None  # up, down, same (None when not compared or no bonus)
    bonus_outcome: str | None = None
    bonus_amount: float | None = None
    has_bonus: bool = False
    metrics: list[MetricReview] = field(default_factory=list)
    strongest: list[str] = field(default_factory=list)
    weakest: list[str] = field(default_factory=list)
    moved: list[str] = field(default_factory=list)
    suggestions: list[Suggestion] = field(default_factory=list)
    settings: dict[str, Any] = field(default_factory=dict)

    def metric(self, name: str) -> MetricReview:
        return next(m for m in self.metrics if m.metric == name)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def review_settings(config: Config) -> ReviewConfig:
    return config.review or ReviewConfig()


def team_column(config: Config) -> str:
    """The roster column that groups agents into teams for the review, else `scorecard`."""
    from csperf.profiles import group_column

    settings = review_settings(config)
    if settings.team:
        return settings.team
    return group_column(config) or SCORECARD


def review_problems(loaded: LoadedConfig) -> list[str]:
    """`review.team` must be a roster column."""
    from csperf.rules import _suggest

    config = loaded.config
    settings = config.review
    if settings is None or settings.team is None:
        return []
    columns = set(config.roster.columns) if config.roster else set()
    if settings.team in columns:
        return []
    if not columns:
        return [f"{loaded.where('review', 'team')}: there is no roster; remove `team` to use the scorecard"]
    return [
        f"{loaded.where('review', 'team')}: `{settings.team}` is not a roster column"
        f"{_suggest(settings.team, columns)}"
    ]


# --- numbers ---------------------------------------------------------------------------------------


def _number(value: Any) -> float | None:
    if value is None:
        return None
    number = float(value)
    return None if math.isnan(number) or math.isinf(number) else number


def full_points_value(rule: PointsRule, better: str) -> float | None:
    """The value at which a rule gives 100 points (or its best band); None for percentile rules."""
    if rule.linear is not None:
        return rule.linear.target
    if rule.bands:
        best = max(points for _, points in rule.bands)
        thresholds = [t for t, points in rule.bands if points == best]
        # the easiest threshold that still earns the best band
        return min(thresholds) if better == "higher" else max(thresholds)
    return None


def points_at(value: float, rule: PointsRule, better: str) -> float | None:
    """The points a rule gives a value (the scoring's own expression); None for percentile rules."""
    import polars as pl

    from csperf.points import points_expression

    if rule.percentile is not None:
        return None
    frame = pl.DataFrame({"v": [float(value)]})
    return _number(frame.select(points_expression(pl.col("v"), rule, better).cast(pl.Float64))[0, 0])


def is_better(a: float, b: float, better: str) -> bool:
    return a > b + EPSILON if better == "higher" else a < b - EPSILON


def suggest_target(
    value: float, team_value: float | None, full: float | None, better: str, step: float
) -> tuple[float, float, str] | None:
    """(target, aim, aim kind): `step` of the way from the value to the team quantile, or to the
    rule's full-points value when the agent is already at or beyond the team quantile."""
    if team_value is not None and is_better(team_value, value, better):
        return value + step * (team_value - value), team_value, "team_quantile"
    if full is not None and is_better(full, value, better):
        return value + step * (full - value), full, "rule_target"
    return None


# --- building the reviews --------------------------------------------------------------------------


@dataclass
class _Context:
    """Per-run tables shared by every agent's review."""

    team_stats: dict[tuple[str | None, str], dict[str, Any]]
    points_medians: dict[tuple[str | None, str | None, str], float | None]
    breakdown: dict[str, list[dict[str, Any]]]
    previous_breakdown: dict[tuple[str, str], dict[str, Any]]
    previous_agents: dict[str, dict[str, Any]]
    previous_bonus: dict[str, dict[str, Any]]
    bonus: dict[str, dict[str, Any]]
    reasons: dict[tuple[str, str], str]
    ranked: int
    scorecard_ranked: dict[str, int]


def _with_team(result: ScoreResult, column: str) -> pl.DataFrame:
    import polars as pl

    agents = result.agents
    team = pl.col(column).cast(pl.String) if column in agents.columns else pl.lit(None, dtype=pl.String)
    return agents.with_columns(team.alias(TEAM))


def _context(result: ScoreResult, agents: pl.DataFrame, settings: ReviewConfig) -> _Context:
    import polars as pl

    from csperf.trend import comparable

    teams = agents.select(AGENT, TEAM)
    long = result.breakdown.join(teams, on=AGENT, how="left")
    judged = long.filter(~pl.col("insufficient") & pl.col("value").is_not_null())
    q = settings.target_quantile
    stats = judged.group_by(TEAM, "metric").agg(
        pl.col("value").median().alias("median"),
        pl.col("value").quantile(q, interpolation="linear").alias("upper"),
        pl.col("value").quantile(1 - q, interpolation="linear").alias("lower"),
        pl.len().alias("count"),
    )
    team_stats = {(r[TEAM], r["metric"]): r for r in stats.iter_rows(named=True)}
    medians = (
        judged.filter(pl.col("points").is_not_null())
        .group_by(TEAM, SCORECARD, "metric")
        .agg(pl.col("points").median().alias("median"))
    )
    points_medians = {
        (r[TEAM], r[SCORECARD], r["metric"]): r["median"] for r in medians.iter_rows(named=True)
    }
    by_agent: dict[str, list[dict[str, Any]]] = {}
    for row in result.breakdown.sort(AGENT, "order").iter_rows(named=True):
        by_agent.setdefault(row[AGENT], []).append(row)

    previous = comparable(result)
    previous_breakdown: dict[tuple[str, str], dict[str, Any]] = {}
    previous_agents: dict[str, dict[str, Any]] = {}
    previous_bonus: dict[str, dict[str, Any]] = {}
    if previous is not None:
        previous_breakdown = {(r[AGENT], r["metric"]): r for r in previous.breakdown.iter_rows(named=True)}
        previous_agents = {r[AGENT]: r for r in previous.agents.iter_rows(named=True)}
        if previous.bonus is not None:
            previous_bonus = {r[AGENT]: r for r in previous.bonus.iter_rows(named=True)}
    bonus = {r[AGENT]: r for r in result.bonus.iter_rows(named=True)} if result.bonus is not None else {}
    reasons = {(d[AGENT], d["metric"]): d["reason"] for d in result.data_quality.insufficient}
    ranked_rows = agents.filter(pl.col("rank").is_not_null())
    per_card = ranked_rows.group_by(SCORECARD).len()
    return _Context(
        team_stats=team_stats,
        points_medians=points_medians,
        breakdown=by_agent,
        previous_breakdown=previous_breakdown,
        previous_agents=previous_agents,
        previous_bonus=previous_bonus,
        bonus=bonus,
        reasons=reasons,
        ranked=ranked_rows.height,
        scorecard_ranked={r[SCORECARD]: r["len"] for r in per_card.iter_rows(named=True)},
    )


def _difference(now: float | None, before: float | None) -> float | None:
    return None if now is None or before is None else now - before


def _metric_review(
    result: ScoreResult, row: dict[str, Any], agent: dict[str, Any], context: _Context, language: Language
) -> MetricReview:
    from csperf.reports.tables import category_label

    config = result.config
    name = row["metric"]
    metric = config.metrics[name]
    card = config.scorecards[row[SCORECARD]]
    rule = card.categories[row["category"]].metrics[name].points
    team = agent[TEAM]
    stats = context.team_stats.get((team, name), {})
    value = _number(row["value"])
    low, high = agent.get(f"{name}__ci_low"), agent.get(f"{name}__ci_high")
    interval = (float(low), float(high)) if low is not None and high is not None else None
    raw = _number(agent.get(f"{name}__raw")) if f"{name}__raw" in agent else None
    before = context.previous_breakdown.get((agent[AGENT], name))
    previous_agent = context.previous_agents.get(agent[AGENT])
    if before is not None:
        previous = _number(before["value"])
    else:  # not on a scorecard last period, but the metric may still have had a value
        previous = _number(previous_agent.get(name)) if previous_agent is not None else None
    previous_points = _number(before["points"]) if before is not None else None
    points = _number(row["points"])
    weight = float(row["effective_weight"])
    contribution = float(row["contribution"])
    return MetricReview(
        metric=name,
        label=label_text(metric.label, language, name),
        category=row["category"],
        category_label=category_label(result, row["category"], language),
        unit=metric.unit,
        better=metric.better,
        rule=row["rule"],
        value=value,
        interval=interval,
        raw_value=raw,
        target=full_points_value(rule, metric.better),
        team_median=_number(stats.get("median")),
        team_count=int(stats.get("count", 0)),
        team_points_median=_number(context.points_medians.get((team, row[SCORECARD], name))),
        previous=previous,
        change=_difference(value, previous),
        points=points,
        previous_points=previous_points,
        points_change=_difference(points, previous_points),
        weight=weight,
        contribution=contribution,
        lost=weight - contribution,
        insufficient=bool(row["insufficient"]),
        reason=context.reasons.get((agent[AGENT], name), ""),
    )


def pick_strongest_weakest(
    metrics: list[MetricReview], strongest: int, weakest: int
) -> tuple[list[str], list[str]]:
    """Weakest: most score points lost (> 0); strongest: highest points, heavier weight first."""
    judged = [m for m in metrics if not m.insufficient and m.points is not None and m.weight > EPSILON]
    losing = sorted(
        (m for m in judged if m.lost > EPSILON), key=lambda m: (-m.lost, m.points or 0.0, m.metric)
    )
    weak = [m.metric for m in losing[:weakest]]
    rest = [m for m in judged if m.metric not in weak]
    best = sorted(rest, key=lambda m: (-(m.points or 0.0), -m.weight, m.metric))
    return [m.metric for m in best[:strongest]], weak


def pick_moved(metrics: list[MetricReview], count: int) -> list[str]:
    """The metrics that moved most: largest points change, then largest relative value change."""

    def relative(m: MetricReview) -> float:
        assert m.change is not None and m.previous is not None
        return abs(m.change) / max(abs(m.previous), EPSILON)

    changed = [m for m in metrics if m.change is not None and abs(m.change) > EPSILON]
    changed.sort(key=lambda m: (-abs(m.points_change or 0.0), -relative(m), m.metric))
    return [m.metric for m in changed[:count]]


def _suggestions(
    result: ScoreResult, agent: dict[str, Any], lines: list[MetricReview], weak: list[str], context: _Context
) -> list[Suggestion]:
    settings = review_settings(result.config)
    card = result.config.scorecards[agent[SCORECARD]]
    found = []
    for line in lines:
        if line.metric not in weak or line.value is None:
            continue
        rule = card.categories[line.category].metrics[line.metric].points
        stats = context.team_stats.get((agent[TEAM], line.metric), {})
        higher = line.better == "higher"
        quantile = settings.target_quantile if higher else 1 - settings.target_quantile
        team_value = _number(stats.get("upper" if higher else "lower"))
        picked = suggest_target(line.value, team_value, line.target, line.better, settings.step)
        if picked is None:
            continue
        target, aim, kind = picked
        at_target = points_at(target, rule, line.better)
        gain = (
            line.weight * (at_target - line.points) / 100
            if at_target is not None and line.points is not None
            else None
        )
        found.append(
            Suggestion(
                metric=line.metric,
                label=line.label,
                unit=line.unit,
                value=line.value,
                aim=aim,
                aim_kind=kind,
                quantile=quantile,
                target=target,
                points_now=line.points,
                points_at_target=at_target,
                gain=gain,
            )
        )
    return found


def _tier_change(config: Config, now: str | None, before: str | None) -> str:
    assert config.bonus is not None
    order = {t.name: i for i, t in enumerate(config.bonus.tiers)}  # 0 is the highest tier
    below = len(order)
    a, b = order.get(now or "", below), order.get(before or "", below)
    return "same" if a == b else "up" if a < b else "down"


def _agent_review(
    result: ScoreResult, agent: dict[str, Any], context: _Context, language: Language, column: str
) -> AgentReview:
    from csperf.bonus import tier_label

    config = result.config
    settings = review_settings(config)
    agent_id = agent[AGENT]
    card_name = agent.get(SCORECARD)
    card = config.scorecards.get(card_name) if card_name else None
    previous = result.previous
    compared = previous is not None and previous.period is not None
    before = context.previous_agents.get(agent_id, {})
    score = _number(agent.get("score"))
    score_previous = _number(before.get("score"))
    rank, rank_previous = agent.get("rank"), before.get("rank")
    review = AgentReview(
        agent_id=agent_id,
        name=agent.get("name"),
        config=config.name,
        language=language,
        team_column=column,
        team=agent[TEAM],
        scorecard=card_name,
        scorecard_label=label_text(card.label if card else None, language, card_name or "–"),
        period=result.period.label if result.period else None,
        previous_period=previous.period.label if compared and previous and previous.period else None,
        previous_has_data=bool(context.previous_agents),
        score=score,
        score_previous=score_previous,
        score_change=_difference(score, score_previous),
        rank=rank,
        rank_previous=rank_previous,
        rank_change=rank_previous - rank if rank is not None and rank_previous is not None else None,
        ranked=context.ranked,
        scorecard_rank=agent.get("scorecard_rank"),
        scorecard_ranked=context.scorecard_ranked.get(card_name, 0) if card_name else 0,
        settings=settings.model_dump(),
    )
    if config.bonus is not None:
        bonus_row = context.bonus.get(agent_id, {})
        review.has_bonus = True
        review.tier = bonus_row.get("tier")
        review.tier_label = tier_label(config, review.tier, language)
        review.bonus_outcome = bonus_row.get("outcome")
        amount = _number(bonus_row.get("amount"))
        review.bonus_amount = None if amount is None else round(amount, 2)  # cents, as the bonus table
        if context.previous_agents:
            old = context.previous_bonus.get(agent_id, {})
            review.tier_previous = old.get("tier")
            review.tier_previous_label = tier_label(config, review.tier_previous, language)
            if old and score_previous is not None:
                review.tier_change = _tier_change(config, review.tier, review.tier_previous)
    rows = context.breakdown.get(agent_id, [])
    review.metrics = [_metric_review(result, row, agent, context, language) for row in rows]
    review.strongest, review.weakest = pick_strongest_weakest(
        review.metrics, settings.strongest, settings.weakest
    )
    review.moved = pick_moved(review.metrics, settings.moved) if context.previous_agents else []
    if card is not None:
        review.suggestions = _suggestions(result, agent, review.metrics, review.weakest, context)
    return review


def build_reviews(
    result: ScoreResult, agent_ids: list[str] | None = None, language: str | None = None
) -> list[AgentReview]:
    """The review of each agent asked for (every agent of the run when `agent_ids` is None)."""
    import difflib

    from csperf.errors import CsperfError
    from csperf.explain import normalise_agent_id

    config = result.config
    lang: Language = "zh" if (language or config.language) == "zh" else "en"
    column = team_column(config)
    agents = _with_team(result, column)
    rows = {r[AGENT]: r for r in agents.iter_rows(named=True)}
    if agent_ids is None:
        wanted = list(rows)
    else:
        wanted = [normalise_agent_id(config, a) for a in agent_ids]
        unknown = [a for a in wanted if a not in rows]
        if unknown:
            problems = []
            for name in unknown:
                close = difflib.get_close_matches(name, list(rows), n=3)
                hint = f"; did you mean {', '.join(close)}?" if close else ""
                problems.append(f"agent `{name}`: not among the {len(rows)} agents of this run{hint}")
            raise CsperfError(*problems)
    context = _context(result, agents, review_settings(config))
    return [_agent_review(result, rows[a], context, lang, column) for a in wanted]


def run_review(
    config: Any,
    agent_ids: list[str] | None,
    data_dir: Any = None,
    period: Any = None,
    language: str | None = None,
) -> list[AgentReview]:
    """Score (and, with a period, the previous period too) and build the reviews."""
    from csperf.api import run_score

    result = run_score(config, data_dir, period=period, compare_previous=period is not None)
    return build_reviews(result, agent_ids, language)
