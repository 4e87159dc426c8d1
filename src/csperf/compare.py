"""Weight variants side by side: who moves, who crosses a bonus line, what the bonus pool costs.

A *variant* is a way of scoring the same agents: a scorecard named in the base config
(`--scorecard A --scorecard B`) or a variant file that `extends:` the base config and changes
weights, points rules, tiers or pay. The data is read and aggregated once, by `pipeline.score` on
the base config; each variant then re-runs only the scoring stages (points, weights, scores,
ranks, bonus) on the base's metrics. A variant whose sources, roster, measures or metrics differ
from the base's cannot reuse them: it is scored on its own read of the data, and the summary says so.

Per agent: score, rank, tier and bonus under each variant, the rank change and tier change against
the first variant. Per variant: Spearman's ρ and Kendall's τ-b of its ranking against the first,
the overlap of the top N, how many agents change tier (up / down) and the bonus cost.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import polars as pl

from csperf.config import Config, LoadedConfig, load_config
from csperf.errors import CsperfError
from csperf.measures import AGENT
from csperf.pipeline import ScoreResult, score
from csperf.scoring import SCORECARD

if TYPE_CHECKING:
    from csperf.sensitivity import SensitivityResult
    from csperf.sources import Period

# The parts of a config that decide what is read and aggregated; variants sharing them share the data.
DATA_KEYS = ("sources", "roster", "measures", "metrics", "agent_id", "timezone", "calendar", "text_rules")
NO_TIER = "none"


@dataclass
class Variant:
    """One way of scoring: a config (the base or a variant file), optionally limited to scorecards."""

    name: str
    loaded: LoadedConfig
    scorecards: list[str] | None = None
    origin: str = ""

    def describe(self) -> str:
        cards = f" (scorecard {', '.join(self.scorecards)})" if self.scorecards else ""
        return f"{self.origin or self.loaded.path}{cards}"


@dataclass
class VariantOutcome:
    """A variant's scoring, and whether it had to read the data itself."""

    variant: Variant
    result: ScoreResult
    read_separately: str | None = None  # why, when the variant could not reuse the base's data

    @property
    def name(self) -> str:
        return self.variant.name


@dataclass
class VariantSummary:
    """How one variant's ranking, tiers and bonus cost differ from the first variant's."""

    name: str
    description: str
    agents_ranked: int
    compared: int  # agents ranked under both this and the first variant
    spearman: float | None
    kendall: float | None
    top_n: int
    top_overlap: int | None
    tier_changes: int | None
    tier_up: int | None
    tier_down: int | None
    tier_counts: dict[str, int] | None
    bonus_total: float | None
    bonus_diff: float | None
    currency: str | None
    read_separately: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "description": self.description,
            "agents_ranked": self.agents_ranked,
            "compared": self.compared,
            "spearman_rho": _round(self.spearman, 6),
            "kendall_tau_b": _round(self.kendall, 6),
            "top_n": self.top_n,
            "top_overlap": self.top_overlap,
            "tier_changes": self.tier_changes,
            "tier_up": self.tier_up,
            "tier_down": self.tier_down,
            "tier_counts": self.tier_counts,
            "bonus_total": _round(self.bonus_total, 2),
            "bonus_diff": _round(self.bonus_diff, 2),
            "currency": self.currency,
            "read_separately": self.read_separately,
        }


@dataclass
class CompareResult:
    """Everything `csperf compare` produced."""

    variants: list[VariantOutcome]
    agents: pl.DataFrame  # one row per agent, columns per variant (see `agent_table`)
    summary: list[VariantSummary]
    top: int
    weights: pl.DataFrame  # variant × scorecard × category × metric nominal weights
    period: Period | None = None
    sensitivity: dict[str, SensitivityResult] = field(default_factory=dict)

    @property
    def names(self) -> list[str]:
        return [v.name for v in self.variants]

    @property
    def has_bonus(self) -> bool:
        return any(v.result.bonus is not None for v in self.variants)


# --- variants ---------------------------------------------------------------------------------------


def _unique(name: str, taken: list[str]) -> str:
    candidate, n = name, 2
    while candidate in taken:
        candidate, n = f"{name}_{n}", n + 1
    return candidate


def build_variants(
    config: str | Path | LoadedConfig,
    variant_files: Sequence[str | Path] = (),
    scorecards: Sequence[str] | None = None,
) -> list[Variant]:
    """The variants to compare, first one first.

    With `scorecards`, each named scorecard of the base config is a variant (named after it);
    without, the base config as a whole is the first variant (named after its file). Each variant
    file follows as one variant, scored with all its scorecards (named after the file's stem).
    Names taken from files lose a prefix they all share (`aftersales_normal` → `normal`).
    """
    loaded = config if isinstance(config, LoadedConfig) else load_config(config)
    variants: list[Variant] = []
    names: list[str] = []
    if scorecards:
        unknown = [s for s in scorecards if s not in loaded.config.scorecards]
        if unknown:
            known = ", ".join(loaded.config.scorecards)
            raise CsperfError(f"--scorecard: unknown scorecard {', '.join(unknown)}; the config has: {known}")
        for card in dict.fromkeys(scorecards):
            names.append(_unique(card, names))
            variants.append(Variant(names[-1], loaded, [card], str(loaded.path)))
    else:
        names.append(loaded.path.stem)
        variants.append(Variant(names[-1], loaded, None, str(loaded.path)))
    problems: list[str] = []
    for path in variant_files:
        try:
            other = load_config(path)
        except CsperfError as exc:
            problems += exc.problems
            continue
        names.append(_unique(Path(path).stem, names))
        variants.append(Variant(names[-1], other, None, str(path)))
    if problems:
        raise CsperfError(*problems)
    from_files = [v for v in variants if v.scorecards is None]
    for variant, short in zip(from_files, shorten([v.name for v in from_files]), strict=True):
        variant.name = short
    return variants


def shorten(names: list[str]) -> list[str]:
    """Drop a prefix that every name shares up to a `_` or `-` (aftersales_normal → normal)."""
    if len(names) < 2:
        return names
    common = names[0]
    for name in names[1:]:
        while not name.startswith(common):
            common = common[:-1]
    cut = max(common.rfind("_"), common.rfind("-")) + 1
    short = [n[cut:] for n in names]
    return short if cut and all(short) and len(set(short)) == len(short) else names


def data_differences(base: Config, other: Config) -> list[str]:
    """The config sections that decide what is read and aggregated and that differ between the two."""
    return [key for key in DATA_KEYS if _dump(getattr(base, key, None)) != _dump(getattr(other, key, None))]


def _dump(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _dump(v) for k, v in value.items()}
    if hasattr(value, "model_dump"):
        return value.model_dump()
    return value


def rescore(base: ScoreResult, loaded: LoadedConfig, scorecards: list[str] | None = None) -> ScoreResult:
    """Score the agents of `base` again with another config's scorecards, ranking and bonus.

    Reuses the base's metrics (nothing is read again): the stages after `compute_metrics` in
    `pipeline.score` — scorecard assignment, shrinkage (its groups may be the scorecards), breakdown,
    scores, category subtotals, ranks, bonus.
    """
    from csperf.pipeline import bonus_table, score_metrics
    from csperf.sources import source_specs

    config = loaded.config
    roster = source_specs(config, config.roster) if config.roster else {}
    keep = [AGENT, *(c for c in roster if c != AGENT and c in base.agents.columns)]
    quality = replace(base.data_quality)
    table, long, metrics = score_metrics(
        config, base.agents.select(keep).sort(AGENT), unshrunk(base.metrics), quality, scorecards
    )
    bonus = bonus_table(loaded, table, base.period, base.coverage)
    return ScoreResult(
        loaded=loaded,
        agents=table,
        breakdown=long,
        metrics=metrics,
        data_quality=quality,
        period=base.period,
        bonus=bonus,
        coverage=base.coverage,
    )


def unshrunk(metrics: pl.DataFrame) -> pl.DataFrame:
    """The metrics as `compute_metrics` made them: `apply_shrinkage` keeps a shrunk metric's raw value
    as `<metric>__raw` and adds `__k` and Wilson-bound columns, which it will add again.
    """
    from csperf.shrinkage import CI_HIGH, CI_LOW, RAW, K

    raw = [c for c in metrics.columns if c.endswith(RAW)]
    added = [c for c in metrics.columns if c.endswith((RAW, K, CI_LOW, CI_HIGH))]
    return metrics.with_columns(pl.col(c).alias(c.removesuffix(RAW)) for c in raw).drop(added)


def score_variants(
    variants: list[Variant], data_dir: str | Path | None = None, period: Period | None = None
) -> list[VariantOutcome]:
    """Read the data once (with the first variant's config) and score every variant on it."""
    first = variants[0].loaded
    base = score(first, data_dir, period=period)
    outcomes: list[VariantOutcome] = []
    for variant in variants:
        differs = data_differences(first.config, variant.loaded.config)
        if differs:
            result = score(variant.loaded, data_dir, period=period, scorecards=variant.scorecards)
            why = f"its {', '.join(differs)} differ from {first.path}'s, so it read the data itself"
            outcomes.append(VariantOutcome(variant, result, why))
        else:
            outcomes.append(VariantOutcome(variant, rescore(base, variant.loaded, variant.scorecards)))
    return outcomes


# --- rank statistics -------------------------------------------------------------------------------


def average_ranks(values: Sequence[float] | np.ndarray) -> np.ndarray:
    """1-based ranks, ties sharing the mean of their positions (the rank Spearman's ρ uses)."""
    values = np.asarray(values, dtype=np.float64)
    order = np.argsort(values, kind="stable")
    ordered = values[order]
    ranks = np.empty(len(values), dtype=np.float64)
    start = 0
    for end in range(1, len(values) + 1):
        if end == len(values) or ordered[end] != ordered[start]:
            ranks[order[start:end]] = (start + end + 1) / 2  # mean of positions start+1..end
            start = end
    return ranks


def spearman(x: Sequence[float], y: Sequence[float]) -> float | None:
    """Spearman's ρ: the Pearson correlation of the average ranks (ties handled); None if undefined."""
    a, b = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    if len(a) < 2:
        return None
    ra, rb = average_ranks(a) - (len(a) + 1) / 2, average_ranks(b) - (len(b) + 1) / 2
    denominator = math.sqrt(float(ra @ ra) * float(rb @ rb))
    return float(ra @ rb) / denominator if denominator > 0 else None


def kendall_tau_b(x: Sequence[float], y: Sequence[float], cells: int = 2_000_000) -> float | None:
    """Kendall's τ-b = (concordant − discordant) / √((n0 − ties in x)(n0 − ties in y)).

    Pairs are compared in blocks of rows (about `cells` pairs at a time) so memory stays bounded;
    None when undefined (n < 2 or a sequence that is all ties).
    """
    a, b = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    n = len(a)
    if n < 2:
        return None
    chunk = max(1, cells // n)
    s = 0
    untied_a = untied_b = 0
    for start in range(0, n, chunk):
        stop = min(n, start + chunk)
        rows = np.arange(start, stop)[:, None]
        upper = np.arange(n)[None, :] > rows  # each pair once (i < j)
        da = np.sign(a[start:stop, None] - a[None, :])
        db = np.sign(b[start:stop, None] - b[None, :])
        s += int(np.sum((da * db)[upper]))
        untied_a += int(np.sum((da != 0) & upper))
        untied_b += int(np.sum((db != 0) & upper))
    denominator = math.sqrt(untied_a * untied_b)
    return s / denominator if denominator > 0 else None


# --- the comparison --------------------------------------------------------------------------------


def _tier_frame(outcome: VariantOutcome) -> pl.DataFrame:
    result = outcome.result
    if result.bonus is None:
        return pl.DataFrame({AGENT: result.agents[AGENT]}).with_columns(
            pl.lit(None, dtype=pl.String).alias("tier"), pl.lit(None, dtype=pl.Float64).alias("bonus")
        )
    return result.bonus.select(AGENT, "tier", pl.col("amount").alias("bonus"))


def agent_table(outcomes: list[VariantOutcome]) -> pl.DataFrame:
    """One row per agent: `score_<v>`, `rank_<v>`, `tier_<v>`, `bonus_<v>`, `scorecard_<v>` per variant;
    `rank_change_<v>` (rank under the first − rank under v: +3 is three places up) and
    `tier_change_<v>` (`good → excellence`, empty when unchanged) for every variant after the first.
    Sorted by the first variant's rank.
    """
    first = outcomes[0]
    people = first.result.agents.select(AGENT, *(["name"] if "name" in first.result.agents.columns else []))
    for outcome in outcomes[1:]:
        extra = outcome.result.agents.select(AGENT).join(people, on=AGENT, how="anti")
        if extra.height:
            people = pl.concat([people, extra], how="diagonal")
    table = people
    for outcome in outcomes:
        v = outcome.name
        part = outcome.result.agents.select(
            AGENT,
            pl.col("score").alias(f"score_{v}"),
            pl.col("rank").alias(f"rank_{v}"),
            pl.col(SCORECARD).alias(f"scorecard_{v}"),
        ).join(
            _tier_frame(outcome).rename({"tier": f"tier_{v}", "bonus": f"bonus_{v}"}), on=AGENT, how="left"
        )
        table = table.join(part, on=AGENT, how="left")
    base = first.name
    for outcome in outcomes[1:]:
        v = outcome.name
        table = table.with_columns(
            (pl.col(f"rank_{base}") - pl.col(f"rank_{v}")).alias(f"rank_change_{v}"),
            pl.when(pl.col(f"tier_{base}").eq_missing(pl.col(f"tier_{v}")))
            .then(pl.lit(""))
            .otherwise(
                pl.col(f"tier_{base}").fill_null(NO_TIER)
                + pl.lit(" → ")
                + pl.col(f"tier_{v}").fill_null(NO_TIER)
            )
            .alias(f"tier_change_{v}"),
        )
    return table.sort(pl.col(f"rank_{base}"), pl.col(AGENT), nulls_last=True)


def tier_order(outcomes: list[VariantOutcome]) -> list[str]:
    """Tier names from the highest line down: the first variant's, then any new ones."""
    order: list[str] = []
    for outcome in outcomes:
        bonus = outcome.result.config.bonus
        for tier in bonus.tiers if bonus else []:
            if tier.name not in order:
                order.append(tier.name)
    return order


def summarise(outcomes: list[VariantOutcome], table: pl.DataFrame, top: int) -> list[VariantSummary]:
    """ρ, τ-b, top-N overlap, tier changes and bonus cost of every variant against the first."""
    base = outcomes[0].name
    order = tier_order(outcomes)
    level = {name: i for i, name in enumerate(order)}
    base_total = _bonus_total(outcomes[0])
    summaries: list[VariantSummary] = []
    for outcome in outcomes:
        v = outcome.name
        both = table.filter(pl.col(f"rank_{base}").is_not_null() & pl.col(f"rank_{v}").is_not_null())
        x, y = both[f"rank_{base}"].to_list(), both[f"rank_{v}"].to_list()
        top_base = set(table.filter(pl.col(f"rank_{base}") <= top)[AGENT].to_list())
        top_v = set(table.filter(pl.col(f"rank_{v}") <= top)[AGENT].to_list())
        has_tiers = outcome.result.bonus is not None and outcomes[0].result.bonus is not None
        changes = up = down = None
        if has_tiers:
            changes = up = down = 0
            for before, after in zip(
                table[f"tier_{base}"].to_list(), table[f"tier_{v}"].to_list(), strict=True
            ):
                if before == after:
                    continue
                changes += 1
                # No tier ranks below every tier.
                if level.get(after, len(order)) < level.get(before, len(order)):
                    up += 1
                else:
                    down += 1
        total = _bonus_total(outcome)
        counts = None
        if outcome.result.bonus is not None:
            tiers = outcome.result.bonus["tier"].fill_null(NO_TIER).to_list()
            counts = {name: tiers.count(name) for name in [*order, NO_TIER] if tiers.count(name)}
        bonus_config = outcome.result.config.bonus
        summaries.append(
            VariantSummary(
                name=v,
                description=outcome.variant.describe(),
                agents_ranked=table.filter(pl.col(f"rank_{v}").is_not_null()).height,
                compared=len(x),
                spearman=spearman(x, y),
                kendall=kendall_tau_b(x, y),
                top_n=top,
                top_overlap=len(top_base & top_v),
                tier_changes=changes,
                tier_up=up,
                tier_down=down,
                tier_counts=counts,
                bonus_total=total,
                bonus_diff=None if total is None or base_total is None else total - base_total,
                currency=bonus_config.currency if bonus_config else None,
                read_separately=outcome.read_separately,
            )
        )
    return summaries


def _bonus_total(outcome: VariantOutcome) -> float | None:
    bonus = outcome.result.bonus
    return None if bonus is None else float(bonus["amount"].sum())


def weight_table(outcomes: list[VariantOutcome]) -> pl.DataFrame:
    """Each variant's nominal weights (%): category share, metric share within the category, share of
    the score; for the scorecards that scored at least one agent.
    """
    rows: list[dict[str, Any]] = []
    for outcome in outcomes:
        config = outcome.result.config
        used = set(outcome.result.agents[SCORECARD].drop_nulls().to_list())
        # The scorecards that scored someone (all of them when none did, so the weights still show).
        cards = [c for c in outcome.variant.scorecards or config.scorecards if c in used or not used]
        for card_name in cards:
            card = config.scorecards[card_name]
            category_total = sum(c.weight for c in card.categories.values())
            for category_name, category in card.categories.items():
                metric_total = sum(m.weight for m in category.metrics.values())
                category_share = category.weight / category_total * 100 if category_total else 0.0
                for metric_name, scored in category.metrics.items():
                    metric_share = scored.weight / metric_total * 100 if metric_total else 0.0
                    rows.append(
                        {
                            "variant": outcome.name,
                            SCORECARD: card_name,
                            "category": category_name,
                            "metric": metric_name,
                            "category_weight": category_share,
                            "metric_weight": metric_share,
                            "weight": category_share * metric_share / 100,
                        }
                    )
    return pl.DataFrame(
        rows,
        schema={
            "variant": pl.String,
            SCORECARD: pl.String,
            "category": pl.String,
            "metric": pl.String,
            "category_weight": pl.Float64,
            "metric_weight": pl.Float64,
            "weight": pl.Float64,
        },
    )


def compare(
    config: str | Path | LoadedConfig,
    variant_files: Sequence[str | Path] = (),
    scorecards: Sequence[str] | None = None,
    data_dir: str | Path | None = None,
    period: Period | None = None,
    top: int = 10,
    perturb: float | None = None,
    draws: int = 1000,
    seed: int = 1,
    flip_threshold: float = 0.2,
) -> CompareResult:
    """Score every variant on one read of the data and compare each with the first.

    With `perturb` (a fraction, 0.1 for ±10%), every variant also gets a weight-sensitivity
    analysis (`csperf.sensitivity.perturb_weights`); then a single variant is enough.
    """
    variants = build_variants(config, variant_files, scorecards)
    if len(variants) < 2 and perturb is None:
        raise CsperfError(
            "compare: give at least two variants — two or more --scorecard, or variant files that "
            "`extends:` the config (e.g. csperf compare base.yaml promo.yaml); or use --perturb to test "
            "one variant's sensitivity"
        )
    if top < 1:
        raise CsperfError(f"--top: must be at least 1 (got {top})")
    outcomes = score_variants(variants, data_dir, period)
    table = agent_table(outcomes)
    result = CompareResult(
        variants=outcomes,
        agents=table,
        summary=summarise(outcomes, table, top),
        top=top,
        weights=weight_table(outcomes),
        period=period,
    )
    if perturb is not None:
        from csperf.sensitivity import perturb_weights

        for outcome in outcomes:
            result.sensitivity[outcome.name] = perturb_weights(
                outcome.result,
                perturb,
                draws=draws,
                seed=seed,
                flip_threshold=flip_threshold,
                variant=outcome.name,
            )
    return result


def _round(value: float | None, digits: int) -> float | None:
    if value is None or (isinstance(value, float) and (math.isnan(value) or math.isinf(value))):
        return None
    return round(float(value), digits)
