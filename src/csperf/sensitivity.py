"""Rank and tier sensitivity to the weights: is an agent's tier decided by the numbers or by noise?

`perturb_weights(result, 0.10)` draws N weight sets around a scored variant: every category weight
and every metric weight is multiplied by its own factor drawn uniformly from [1 − p, 1 + p], then
the category weights are renormalised to 100 and each category's metric weights to 100. Points do
not depend on the weights, so every draw re-weights the same per-agent points; the insufficient-
metric rule of each scorecard (redistribute / zero / neutral) is applied exactly as
`csperf.scoring` does, so p = 0 reproduces the base scores and ranks.

How a draw is scored, with C categories, M metrics and A agents of a scorecard: the points P (A×M)
and the judged flags J (A×M, 1 where the metric counts for the agent) are laid out once as a block
matrix B (M × 2·C·A) holding P·J and J under each metric's category. One matrix product of the
draws' metric weights (D×M) with B gives, per draw, category and agent, Σ w·P·J and Σ w·J; their
ratio is the category's points, and the category weights combine them into the score:

    score = Σ_c W_c·has_c·q_c / Σ_c W_c·has_c     (redistribute: only categories with a judged metric)
    score = Σ_c W_c·has_c·q_c / Σ_c W_c           (zero / neutral: the fallback points are in P)

Draws are ranked (competition ranking, the same tie-breakers) and placed in bonus tiers (the same
lines and red-line gates), giving per agent the 5th–95th percentile of the rank and the share of
draws in each tier. Agents whose tier differs from the unperturbed one in more than
`flip_threshold` of the draws are flagged.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import polars as pl

from csperf.errors import CsperfError
from csperf.measures import AGENT
from csperf.ranking import SCORE_DECIMALS, rank_agents
from csperf.scoring import SCORECARD

if TYPE_CHECKING:
    from csperf.config import Scorecard
    from csperf.pipeline import ScoreResult

NO_TIER = "none"
# Weight-dependent names a bonus gate may read; gates using them are evaluated per draw.
DRAWN_NAMES = ("score", "rank", "scorecard_rank")
# Upper bound on the cells of one batch's product (draws × 2 × categories × agents).
BATCH_CELLS = 4_000_000
QUANTILES = (0.05, 0.5, 0.95)


def parse_share(text: str, option: str = "--perturb") -> float:
    """`10%` or `0.1` → 0.1; a bare number of 1 or more is ambiguous and refused."""
    raw = text.strip()
    try:
        value = float(raw[:-1]) / 100 if raw.endswith("%") else float(raw)
    except ValueError:
        raise CsperfError(f"{option}: {text!r} is not a share; write it as 10% or 0.1") from None
    if not raw.endswith("%") and value >= 1:
        raise CsperfError(f"{option}: {text!r} is ambiguous; write {value:g}% (or {value / 100:g})")
    return value


@dataclass
class CardModel:
    """One scorecard's agents as matrices: what a draw needs to score them."""

    name: str
    card: Scorecard
    rows: np.ndarray  # positions of the card's agents in the agent order
    categories: list[str]
    category_weights: np.ndarray  # (C,) the config's weights, renormalised to 100
    metric_category: np.ndarray  # (M,) category index of each scored metric
    metric_weights: np.ndarray  # (M,) the config's weights, renormalised to 100 within the category
    points: np.ndarray  # (A, M) the points that count (fallback points included; 0 where not judged)
    judged: np.ndarray  # (A, M) 1.0 where the metric counts for the agent
    redistribute: bool
    block: np.ndarray = field(init=False)  # (M, 2·C·A)

    def __post_init__(self) -> None:
        metrics, agents, cats = len(self.metric_category), len(self.rows), len(self.categories)
        block = np.zeros((metrics, 2, cats, agents))
        for m, c in enumerate(self.metric_category):
            block[m, 0, c, :] = self.points[:, m] * self.judged[:, m]
            block[m, 1, c, :] = self.judged[:, m]
        self.block = block.reshape(metrics, 2 * cats * agents)

    def scores(
        self, category_weights: np.ndarray, metric_weights: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Scores (D×A, NaN = no score) and category subtotals (D×C×A) for D weight sets."""
        draws, cats, agents = len(category_weights), len(self.categories), len(self.rows)
        product = (metric_weights @ self.block).reshape(draws, 2, cats, agents)
        weighted, judged = product[:, 0], product[:, 1]
        has = judged > 0
        points = np.divide(weighted, judged, out=np.zeros_like(weighted), where=has)
        counted = category_weights[:, :, None] * has  # (D, C, A)
        scorable = counted.sum(axis=1)
        total = (
            scorable
            if self.redistribute
            else np.broadcast_to(category_weights.sum(axis=1)[:, None], scorable.shape)
        )
        safe = np.where(total > 0, total, 1.0)
        subtotals = counted * points / safe[:, None, :]
        score = np.where(scorable > 0, subtotals.sum(axis=1), np.nan)
        return score, subtotals


def _normalise(weights: np.ndarray, groups: np.ndarray | None = None) -> np.ndarray:
    """Rows scaled to sum to 100 (within each group of columns when `groups` is given)."""
    if groups is None:
        total = weights.sum(axis=1, keepdims=True)
        return np.divide(weights * 100, total, out=np.zeros_like(weights), where=total > 0)
    out = np.zeros_like(weights)
    for group in np.unique(groups):
        columns = groups == group
        total = weights[:, columns].sum(axis=1, keepdims=True)
        out[:, columns] = np.divide(
            weights[:, columns] * 100, total, out=np.zeros_like(weights[:, columns]), where=total > 0
        )
    return out


def card_models(result: ScoreResult) -> list[CardModel]:
    """The scorecards used in `result`, with their agents' points and judged flags as matrices."""
    config = result.config
    agents = result.agents[AGENT].to_list()
    position = {agent: i for i, agent in enumerate(agents)}
    models: list[CardModel] = []
    for name, card in config.scorecards.items():
        rows = result.breakdown.filter(pl.col(SCORECARD) == name)
        if rows.is_empty():
            continue
        categories = list(card.categories)
        metric_category: list[int] = []
        metric_weights: list[float] = []
        for c, category in enumerate(card.categories.values()):
            for scored in category.metrics.values():
                metric_category.append(c)
                metric_weights.append(scored.weight)
        members = rows.select(AGENT).unique(maintain_order=True)[AGENT].to_list()
        index = {agent: i for i, agent in enumerate(members)}
        points = np.zeros((len(members), len(metric_category)))
        judged = np.zeros_like(points)
        redistribute = card.when_insufficient == "redistribute"
        for agent, order, value, insufficient in rows.select(
            AGENT, "order", "points", "insufficient"
        ).iter_rows():
            points[index[agent], order] = 0.0 if value is None or math.isnan(value) else value
            # zero / neutral: an insufficient metric still counts, with its fallback points.
            judged[index[agent], order] = 0.0 if (redistribute and insufficient) else 1.0
        groups = np.asarray(metric_category)
        models.append(
            CardModel(
                name=name,
                card=card,
                rows=np.asarray([position[a] for a in members], dtype=np.int64),
                categories=categories,
                category_weights=_normalise(
                    np.asarray([[c.weight for c in card.categories.values()]], float)
                )[0],
                metric_category=groups,
                metric_weights=_normalise(np.asarray([metric_weights], float), groups)[0],
                points=points,
                judged=judged,
                redistribute=redistribute,
            )
        )
    return models


@dataclass
class WeightDraws:
    """One scorecard's drawn weights: (D×C) category and (D×M) metric weights, each level summing to 100."""

    category: np.ndarray
    metric: np.ndarray


def draw_weights(models: list[CardModel], perturb: float, draws: int, seed: int) -> dict[str, WeightDraws]:
    """Each weight × U(1 − p, 1 + p), renormalised; the same seed always gives the same draws."""
    rng = np.random.default_rng(seed)
    drawn: dict[str, WeightDraws] = {}
    for model in models:
        cat = model.category_weights[None, :] * rng.uniform(
            1 - perturb, 1 + perturb, (draws, len(model.categories))
        )
        met = model.metric_weights[None, :] * rng.uniform(
            1 - perturb, 1 + perturb, (draws, len(model.metric_category))
        )
        drawn[model.name] = WeightDraws(_normalise(cat), _normalise(met, model.metric_category))
    return drawn


def competition_ranks(scores: np.ndarray, tie_order: np.ndarray) -> np.ndarray:
    """Per row, the competition rank (1, 2, 2, 4) of each column: higher score first, then the
    tie-breakers' order (`tie_order`, smaller first); scores compared at the ranking's precision.
    NaN scores get no rank (NaN) and sort last.
    """
    if scores.shape[1] == 0:
        return scores.copy()
    key = np.round(scores, SCORE_DECIMALS)
    missing = np.isnan(key)
    primary = np.where(missing, np.inf, -key)
    ties = np.broadcast_to(tie_order, key.shape)
    order = np.lexsort((ties, primary), axis=-1)
    primary_sorted = np.take_along_axis(primary, order, axis=1)
    ties_sorted = np.take_along_axis(ties, order, axis=1)
    changed = np.ones(key.shape, dtype=bool)
    changed[:, 1:] = (primary_sorted[:, 1:] != primary_sorted[:, :-1]) | (
        ties_sorted[:, 1:] != ties_sorted[:, :-1]
    )
    positions = np.broadcast_to(np.arange(key.shape[1]), key.shape)
    start = np.maximum.accumulate(np.where(changed, positions, 0), axis=1)
    ranks = np.empty(key.shape, dtype=np.float64)
    np.put_along_axis(ranks, order, (start + 1).astype(np.float64), axis=1)
    ranks[missing] = np.nan
    return ranks


def tie_order(result: ScoreResult) -> np.ndarray:
    """The agents' order under the tie-breakers alone (equal keys share a value), in agent order."""
    table = result.agents.select(pl.exclude("rank")).with_columns(pl.lit(0.0).alias("score"))
    ranked = rank_agents(table, result.config, "_tie_rank")
    by_agent = dict(ranked.select(AGENT, "_tie_rank").iter_rows())
    return np.asarray([by_agent[a] for a in result.agents[AGENT].to_list()], dtype=np.float64)


@dataclass
class SensitivityResult:
    """Per agent: rank percentiles across the draws, tier probabilities, and the flag."""

    variant: str
    perturb: float
    draws: int
    seed: int
    flip_threshold: float
    tiers: list[str]  # tier names from the highest line down, then NO_TIER; empty without `bonus:`
    agents: pl.DataFrame
    dynamic_gates: list[str] = field(default_factory=list)
    # Every draw's scores and ranks (draws × agents, in `agents` order) when asked for with keep_draws.
    scores: np.ndarray | None = None
    ranks: np.ndarray | None = None

    @property
    def flagged(self) -> list[str]:
        if "flagged" not in self.agents.columns:
            return []
        return self.agents.filter(pl.col("flagged"))[AGENT].to_list()

    def settings(self) -> dict[str, Any]:
        return {
            "perturb": self.perturb,
            "draws": self.draws,
            "seed": self.seed,
            "flip_threshold": self.flip_threshold,
            "tiers": self.tiers,
            "gates_evaluated_per_draw": self.dynamic_gates,
        }


class _Tiering:
    """Bonus tiers per draw: the basis placed on the tier lines, then the red-line gates."""

    def __init__(self, result: ScoreResult, categories: list[str]) -> None:
        from csperf.bonus import bonus_period
        from csperf.expressions import referenced_names

        bonus = result.config.bonus
        assert bonus is not None and result.bonus is not None
        self.result = result
        self.bonus = bonus
        self.none = len(bonus.tiers)
        self.level = {t.name: i for i, t in enumerate(bonus.tiers)}
        agents = result.agents[AGENT].to_list()
        by_agent = {row[AGENT]: row for row in result.bonus.iter_rows(named=True)}
        drawn = set(DRAWN_NAMES) | set(categories)
        self.dynamic = [g for g in bonus.gates if referenced_names(g.when) & drawn]
        static = [g for g in bonus.gates if g not in self.dynamic]
        fired = [{hit["name"] for hit in by_agent[a]["gates"] or []} for a in agents]
        self.static_block = np.asarray(
            [any(g.name in f for g in static if g.effect == "block") for f in fired]
        )
        self.static_cap = np.asarray(
            [
                max(
                    [self.level[g.cap_at] for g in static if g.effect == "cap" and g.cap_at and g.name in f],
                    default=-1,
                )
                for f in fired
            ]
        )
        self.fixed_basis = (
            None
            if bonus.basis == "score"
            else np.asarray([by_agent[a]["basis_value"] for a in agents], dtype=np.float64)
        )
        self.base = np.asarray(
            [self.none if by_agent[a]["tier"] is None else self.level[by_agent[a]["tier"]] for a in agents]
        )
        if self.dynamic:
            frame = result.agents.drop([c for c in (*DRAWN_NAMES, *categories) if c in result.agents.columns])
            days = bonus_period(result.period, result.coverage)
            if days is not None:
                frame = frame.with_columns(
                    pl.lit(days.start, dtype=pl.Date).alias("period_start"),
                    pl.lit(days.end, dtype=pl.Date).alias("period_end"),
                )
            self.static_frame = frame

    def place(
        self, scores: np.ndarray, ranks: np.ndarray, card_ranks: np.ndarray, subtotals: dict[str, np.ndarray]
    ) -> np.ndarray:
        """Tier index per draw and agent (len(tiers) = no tier)."""
        basis = scores if self.fixed_basis is None else np.broadcast_to(self.fixed_basis, scores.shape)
        key = np.round(basis, SCORE_DECIMALS)
        placed = np.full(scores.shape, self.none)
        for i in reversed(range(len(self.bonus.tiers))):
            tier = self.bonus.tiers[i]
            inside = key >= tier.at_least
            if tier.below is not None:
                inside &= key < tier.below
            placed = np.where(inside, i, placed)
        block = np.broadcast_to(self.static_block, scores.shape).copy()
        cap = np.broadcast_to(self.static_cap, scores.shape).copy()
        if self.dynamic:
            for gate, hit in zip(
                self.dynamic, self._dynamic_flags(scores, ranks, card_ranks, subtotals), strict=True
            ):
                if gate.effect == "block":
                    block |= hit
                elif gate.cap_at is not None:
                    cap = np.where(hit, np.maximum(cap, self.level[gate.cap_at]), cap)
        placed = np.where(block, self.none, placed)
        return np.where(placed < self.none, np.maximum(placed, cap), placed)

    def _dynamic_flags(
        self, scores: np.ndarray, ranks: np.ndarray, card_ranks: np.ndarray, subtotals: dict[str, np.ndarray]
    ) -> list[np.ndarray]:
        from csperf.expressions import sql_expression

        draws, agents = scores.shape
        frame = self.static_frame[np.tile(np.arange(agents), draws)]

        def column(values: np.ndarray) -> pl.Series:
            return pl.Series(values.reshape(-1), dtype=pl.Float64).fill_nan(None)

        frame = frame.with_columns(
            column(scores).alias("score"),
            column(ranks).cast(pl.Int64).alias("rank"),
            column(card_ranks).cast(pl.Int64).alias("scorecard_rank"),
            *(column(values).alias(name) for name, values in subtotals.items()),
        )
        try:
            flags = frame.select(
                sql_expression(g.when).cast(pl.Boolean).fill_null(False).alias(f"_gate_{i}")
                for i, g in enumerate(self.dynamic)
            )
        except pl.exceptions.PolarsError as exc:
            raise CsperfError(
                f"bonus.gates: cannot evaluate a gate per draw: {str(exc).splitlines()[0]}"
            ) from None
        return [flags[f"_gate_{i}"].to_numpy().reshape(draws, agents) for i in range(len(self.dynamic))]


def perturb_weights(
    result: ScoreResult,
    perturb: float,
    draws: int = 1000,
    seed: int = 1,
    flip_threshold: float = 0.2,
    variant: str | None = None,
    batch_cells: int = BATCH_CELLS,
    keep_draws: bool = False,
) -> SensitivityResult:
    """Rank percentiles and tier probabilities of every agent over `draws` weight sets within ±perturb."""
    if not 0 <= perturb < 1:
        raise CsperfError(f"--perturb: must be at least 0% and below 100% (got {perturb:.0%})")
    if draws < 1:
        raise CsperfError(f"--draws: must be at least 1 (got {draws})")
    if not 0 <= flip_threshold <= 1:
        raise CsperfError(f"--flip-threshold: must be between 0 and 1 (got {flip_threshold:g})")
    agents = result.agents[AGENT].to_list()
    count = len(agents)
    models = card_models(result)
    weights = draw_weights(models, perturb, draws, seed)
    categories: list[str] = []
    for model in models:
        categories += [c for c in model.categories if c not in categories]
    ties = tie_order(result)
    tiering = (
        _Tiering(result, categories) if result.config.bonus is not None and result.bonus is not None else None
    )

    all_scores = np.full((draws, count), np.nan)
    all_ranks = np.full((draws, count), np.nan)
    tier_counts = np.zeros((count, (tiering.none + 1) if tiering else 0))
    widest = max((2 * len(m.categories) * len(m.rows) for m in models), default=1)
    batch = max(1, min(draws, batch_cells // max(widest, 1)))
    for start in range(0, draws, batch):
        stop = min(draws, start + batch)
        scores = np.full((stop - start, count), np.nan)
        subtotals = {c: np.full((stop - start, count), np.nan) for c in categories}
        card_ranks = np.full((stop - start, count), np.nan)
        for model in models:
            drawn = weights[model.name]
            card_scores, card_subtotals = model.scores(drawn.category[start:stop], drawn.metric[start:stop])
            scores[:, model.rows] = card_scores
            for c, name in enumerate(model.categories):
                subtotals[name][:, model.rows] = card_subtotals[:, c, :]
            if tiering is not None and tiering.dynamic:  # only a gate on scorecard_rank needs them
                card_ranks[:, model.rows] = competition_ranks(card_scores, ties[model.rows])
        ranks = competition_ranks(scores, ties)
        all_scores[start:stop], all_ranks[start:stop] = scores, ranks
        if tiering is not None:
            placed = tiering.place(scores, ranks, card_ranks, subtotals)
            for level in range(tiering.none + 1):
                tier_counts[:, level] += (placed == level).sum(axis=0)

    table = _agent_frame(result, agents, all_scores, all_ranks)
    tiers: list[str] = []
    dynamic: list[str] = []
    if tiering is not None:
        tiers = [t.name for t in tiering.bonus.tiers] + [NO_TIER]
        shares = tier_counts / draws
        base_share = shares[np.arange(count), tiering.base]
        flip = 1 - base_share
        table = table.with_columns(
            pl.Series(
                "tier", [None if b == tiering.none else tiers[b] for b in tiering.base], dtype=pl.String
            ),
            *(pl.Series(f"p_{name}", shares[:, i]) for i, name in enumerate(tiers)),
            pl.Series("tier_flip_share", flip),
            pl.Series("flagged", flip > flip_threshold),
        )
        dynamic = [g.name for g in tiering.dynamic]
    return SensitivityResult(
        variant=variant or result.loaded.path.stem,
        perturb=perturb,
        draws=draws,
        seed=seed,
        flip_threshold=flip_threshold,
        tiers=tiers,
        agents=table,
        dynamic_gates=dynamic,
        scores=all_scores if keep_draws else None,
        ranks=all_ranks if keep_draws else None,
    )


def _agent_frame(
    result: ScoreResult, agents: list[str], scores: np.ndarray, ranks: np.ndarray
) -> pl.DataFrame:
    """agent_id, base score and rank, and the percentiles of score and rank over the draws."""
    assert result.agents[AGENT].to_list() == agents
    rank_q = _quantiles(ranks)
    score_q = _quantiles(scores)
    base = result.agents.select(AGENT, SCORECARD, "score", "rank")
    return base.with_columns(
        pl.Series("score_p05", score_q[0]),
        pl.Series("score_p95", score_q[2]),
        pl.Series("rank_p05", rank_q[0]).cast(pl.Int64),
        pl.Series("rank_median", rank_q[1]).cast(pl.Int64),
        pl.Series("rank_p95", rank_q[2]).cast(pl.Int64),
    )


def _quantiles(values: np.ndarray) -> list[list[float | None]]:
    """The 5th, 50th and 95th percentile of each column (an observed value: inverted-CDF method)."""
    found = np.full((len(QUANTILES), values.shape[1]), np.nan)
    missing = np.isnan(values)
    complete = ~missing.any(axis=0)  # the usual case, done in one vectorised call
    if complete.any():
        found[:, complete] = np.quantile(values[:, complete], QUANTILES, axis=0, method="inverted_cdf")
    partial = ~complete & ~missing.all(axis=0)
    if partial.any():
        found[:, partial] = np.nanquantile(values[:, partial], QUANTILES, axis=0, method="inverted_cdf")
    return [[None if math.isnan(v) else v for v in row] for row in found.tolist()]
