"""Scheme lint: design rules from practitioners, checked before a scheme is published.

Warnings, not errors (an error with `csperf validate --strict`). Config rules look at the scheme
alone; data rules need a scoring run (metrics that do not vary, metrics that double count).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import polars as pl

from csperf.config import Config, LoadedConfig, Scorecard
from csperf.model_base import label_text

MAX_METRICS = 8
PERSPECTIVES = ("financial", "customer", "operational", "growth")
QUALITY_TO_EFFICIENCY_MIN = 0.5
CORRELATION_MAX = 0.9
MIN_AGENTS_FOR_CORRELATION = 5
QUALITY_WORDS = ("quality", "质量", "品质")
EFFICIENCY_WORDS = ("efficiency", "效率")


@dataclass(frozen=True)
class LintWarning:
    rule: str
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: scheme lint `{self.rule}`: {self.message}"


def _scored(card: Scorecard) -> list[str]:
    return [m for category in card.categories.values() for m in category.metrics]


def _category_weight(loaded: LoadedConfig, card: Scorecard, words: tuple[str, ...]) -> float | None:
    total = 0.0
    found = False
    for name, category in card.categories.items():
        texts = [name.lower()] + [label_text(category.label, lang, name).lower() for lang in ("en", "zh")]
        if any(word in text for word in words for text in texts):
            total += category.weight
            found = True
    return total if found else None


def _is_volume(config: Config, metric_name: str) -> bool:
    metric = config.metrics[metric_name]
    if "volume" in metric.tags:
        return True
    return (
        metric.unit == "count" and metric.better == "higher" and metric.perspective in (None, "operational")
    )


def _is_counterweight(config: Config, metric_name: str) -> bool:
    metric = config.metrics[metric_name]
    return "quality" in metric.tags or metric.perspective in ("customer", "financial")


def lint_config(loaded: LoadedConfig) -> list[LintWarning]:
    """Rules on the scheme itself."""
    config = loaded.config
    warnings: list[LintWarning] = []
    for card_name, card in config.scorecards.items():
        where = loaded.where("scorecards", card_name)
        metrics = _scored(card)
        if len(metrics) > MAX_METRICS:
            warnings.append(
                LintWarning(
                    "too-many-metrics",
                    where,
                    f"{len(metrics)} metrics; practitioners keep a role to at most {MAX_METRICS}, so that "
                    "each one still matters and can be explained",
                )
            )
        present = {config.metrics[m].perspective for m in metrics}
        missing = [p for p in PERSPECTIVES if p not in present]
        if missing:
            warnings.append(
                LintWarning(
                    "perspectives",
                    where,
                    f"no metric from the {', '.join(missing)} perspective(s); tag metrics with "
                    "`perspective:` and mix all four (financial, customer, operational, growth)",
                )
            )
        quality = _category_weight(loaded, card, QUALITY_WORDS)
        efficiency = _category_weight(loaded, card, EFFICIENCY_WORDS)
        if quality is not None and efficiency and quality < QUALITY_TO_EFFICIENCY_MIN * efficiency:
            warnings.append(
                LintWarning(
                    "quality-weight",
                    where,
                    f"quality weighs {quality:g} against efficiency {efficiency:g}; practitioners weigh "
                    "quality about as much as efficiency",
                )
            )
        volume = [m for m in metrics if _is_volume(config, m)]
        if volume and not any(_is_counterweight(config, m) for m in metrics):
            warnings.append(
                LintWarning(
                    "volume-without-quality",
                    where,
                    f"volume metric(s) {', '.join(volume)} with no quality or customer metric to balance "
                    "them; volume-only targets push over-dialing and complaints",
                )
            )
    return warnings


def lint_data(loaded: LoadedConfig, agents: pl.DataFrame) -> list[LintWarning]:
    """Rules that need the scored agents: constant metrics and double counting."""
    config = loaded.config
    warnings: list[LintWarning] = []
    for card_name, card in config.scorecards.items():
        where = loaded.where("scorecards", card_name)
        members = agents.filter(pl.col("scorecard") == card_name) if "scorecard" in agents.columns else agents
        metrics = [m for m in dict.fromkeys(_scored(card)) if m in members.columns]
        for metric in metrics:
            values = members[metric].drop_nulls()
            if len(values) >= 2 and values.n_unique() == 1:
                warnings.append(
                    LintWarning(
                        "constant-metric",
                        where,
                        f"`{metric}` is {values[0]:g} for every agent in the data: it adds nothing "
                        "to the ranking",
                    )
                )
        for a, b in itertools.combinations(metrics, 2):
            pair = members.select(a, b).drop_nulls()
            if pair.height < MIN_AGENTS_FOR_CORRELATION:
                continue
            r = pair.select(pl.corr(a, b)).item()
            if r is not None and not math.isnan(r) and abs(r) > CORRELATION_MAX:
                warnings.append(
                    LintWarning(
                        "double-counting",
                        where,
                        f"`{a}` and `{b}` are correlated (r = {r:.2f}) across {pair.height} agents: "
                        "they likely measure the same thing twice",
                    )
                )
    return warnings
