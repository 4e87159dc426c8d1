"""Cross-field config rules. Each rule returns a list of messages; all are collected before failing."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable

from csperf.config import Config, LoadedConfig
from csperf.expressions import ExpressionError, referenced_names

WEIGHT_TOLERANCE = 1e-6
Rule = Callable[[LoadedConfig], list[str]]


def _suggest(name: str, options: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, list(options), n=1)
    return f"; did you mean `{close[0]}`?" if close else ""


def source_columns(config: Config, source_name: str, text_rules: bool = True) -> set[str]:
    """Canonical column names a source provides (its column map, plus any preset's).

    With `text_rules`, also the columns its text rules add (`<rule>_hit`, ...): measures see them,
    but a source's own `where:`, `dedupe_on` and `timestamp` run before the rules do.
    """
    from csperf.presets import preset_columns

    source = config.sources[source_name]
    columns = set(source.columns)
    if source.preset:
        columns |= preset_columns(source.preset)
    if text_rules and config.text_rules:
        from csperf.text_rules import text_rule_columns

        columns |= text_rule_columns(config, source_name)
    return columns


def _check_expression(
    loaded: LoadedConfig, text: str, allowed: set[str], what: str, *key_path: str | int
) -> list[str]:
    try:
        names = referenced_names(text)
    except ExpressionError as exc:
        return [f"{loaded.where(*key_path)}: cannot parse the SQL expression {text!r}: {exc}"]
    return [
        f"{loaded.where(*key_path)}: `{name}` is not a {what}{_suggest(name, allowed)}"
        for name in sorted(names - allowed)
    ]


def check_sources(loaded: LoadedConfig) -> list[str]:
    config = loaded.config
    problems: list[str] = []
    for name, source in config.sources.items():
        columns = source_columns(config, name, text_rules=False)
        if "agent_id" not in columns and source.agent_from is None:
            problems.append(
                f"{loaded.where('sources', name, 'columns')}: no `agent_id` column; map the export's "
                "agent column, e.g. `agent_id: 坐席工号`"
            )
        for i, key in enumerate(source.dedupe_on):
            if key not in columns:
                problems.append(
                    f"{loaded.where('sources', name, 'dedupe_on', i)}: `{key}` is not a column of this source"
                    f"{_suggest(key, columns)}"
                )
        for field in ("timestamp", "dedupe_order_by"):
            value = getattr(source, field)
            if value is not None and value not in columns:
                problems.append(
                    f"{loaded.where('sources', name, field)}: `{value}` is not a column of this source"
                    f"{_suggest(value, columns)}"
                )
        if source.where:
            problems += _check_expression(
                loaded, source.where, columns, f"column of source `{name}`", "sources", name, "where"
            )
        if source.preset:
            from csperf.presets import PRESETS

            if source.preset not in PRESETS:
                problems.append(
                    f"{loaded.where('sources', name, 'preset')}: unknown preset `{source.preset}`"
                    f"{_suggest(source.preset, PRESETS)}; known: {', '.join(sorted(PRESETS))}"
                )
    if config.roster is not None and "agent_id" not in config.roster.columns:
        problems.append(f"{loaded.where('roster', 'columns')}: the roster needs an `agent_id` column")
    return problems


def check_measures(loaded: LoadedConfig) -> list[str]:
    config = loaded.config
    problems: list[str] = []
    for name, measure in config.measures.items():
        if measure.source not in config.sources:
            problems.append(
                f"{loaded.where('measures', name, 'source')}: unknown source `{measure.source}`"
                f"{_suggest(measure.source, config.sources)}"
            )
            continue
        columns = source_columns(config, measure.source)
        what = f"column of source `{measure.source}`"
        if measure.agg != "count" and measure.value is None:
            problems.append(f"{loaded.where('measures', name, 'agg')}: agg `{measure.agg}` needs a `value:`")
        if measure.agg == "quantile" and measure.q is None:
            problems.append(f"{loaded.where('measures', name)}: agg `quantile` needs `q:` (e.g. 0.9)")
        for field in ("value", "where"):
            text = getattr(measure, field)
            if text is not None:
                problems += _check_expression(loaded, text, columns, what, "measures", name, field)
    return problems


def check_metrics(loaded: LoadedConfig) -> list[str]:
    config = loaded.config
    problems: list[str] = []
    from csperf.calendar import calendar_measures

    # The calendar's working-day count is a measure too (added per agent by the pipeline).
    measures = set(config.measures) | calendar_measures(config)
    for name in set(config.metrics) & set(config.measures):
        problems.append(f"{loaded.where('metrics', name)}: a measure has the same name; rename one")
    for name, metric in config.metrics.items():
        if metric.ratio is not None:
            for i, part in enumerate(metric.ratio):
                if part not in measures:
                    problems.append(
                        f"{loaded.where('metrics', name, 'ratio', i)}: unknown measure `{part}`"
                        f"{_suggest(part, measures)}"
                    )
        if metric.formula is not None:
            allowed = (measures | set(config.metrics)) - {name}
            problems += _check_expression(
                loaded, metric.formula, allowed, "measure or metric", "metrics", name, "formula"
            )
        if metric.shrinkage is not None:
            problems += _check_shrinkage(loaded, name)
        if metric.min_volume is not None and metric.min_volume.measure not in measures:
            problems.append(
                f"{loaded.where('metrics', name, 'min_volume', 'measure')}: unknown measure "
                f"`{metric.min_volume.measure}`{_suggest(metric.min_volume.measure, measures)}"
            )
    if not problems:
        problems += _check_cycles(loaded)
    return problems


def _check_shrinkage(loaded: LoadedConfig, name: str) -> list[str]:
    config = loaded.config
    metric = config.metrics[name]
    assert metric.shrinkage is not None
    where = loaded.where("metrics", name, "shrinkage")
    if metric.ratio is None:
        return [f"{where}: shrinkage needs a ratio metric (numerator and denominator measures)"]
    if metric.shrinkage.k == "estimate" and metric.unit != "percent":
        return [
            f"{where}: k: estimate works for rates (unit: percent); for a mean give k, the number of "
            "answers that weigh as much as the group's value (e.g. k: 10)"
        ]
    toward = metric.shrinkage.toward
    roster = set(config.roster.columns) if config.roster else set()
    if toward not in ("scorecard", "all") and toward not in roster:
        return [
            f"{where}: toward: `{toward}` is not `scorecard`, `all` or a roster column"
            f"{_suggest(toward, roster)}"
        ]
    return []


def metric_dependencies(config: Config, name: str) -> set[str]:
    """Metrics that metric `name`'s formula refers to."""
    metric = config.metrics[name]
    if metric.formula is None:
        return set()
    return referenced_names(metric.formula) & set(config.metrics)


def _check_cycles(loaded: LoadedConfig) -> list[str]:
    config = loaded.config
    try:
        metric_order(config)
    except ValueError as exc:
        name = str(exc)
        return [f"{loaded.where('metrics', name, 'formula')}: formulas refer to each other in a circle"]
    return []


def metric_order(config: Config) -> list[str]:
    """Metric names so that every formula comes after the metrics it uses."""
    order: list[str] = []
    state: dict[str, int] = {}

    def visit(name: str) -> None:
        if state.get(name) == 2:
            return
        if state.get(name) == 1:
            raise ValueError(name)
        state[name] = 1
        for dep in sorted(metric_dependencies(config, name)):
            visit(dep)
        state[name] = 2
        order.append(name)

    for name in config.metrics:
        visit(name)
    return order


def _weights_message(loaded: LoadedConfig, total: float, *key_path: str) -> list[str]:
    if abs(total - 100) <= WEIGHT_TOLERANCE:
        return []
    return [f"{loaded.where(*key_path)}: weights sum to {total:g}, not 100; adjust them"]


def check_scorecards(loaded: LoadedConfig) -> list[str]:
    config = loaded.config
    problems: list[str] = []
    roster_columns = set(config.roster.columns) if config.roster else set()
    for card_name, card in config.scorecards.items():
        base = ("scorecards", card_name)
        problems += _weights_message(
            loaded, sum(c.weight for c in card.categories.values()), *base, "categories"
        )
        for attribute in card.applies_to:
            if config.roster is None:
                problems.append(
                    f"{loaded.where(*base, 'applies_to', attribute)}: applies_to needs a `roster:` "
                    "with that attribute"
                )
            elif attribute not in roster_columns:
                problems.append(
                    f"{loaded.where(*base, 'applies_to', attribute)}: `{attribute}` is not a roster column"
                    f"{_suggest(attribute, roster_columns)}"
                )
        for cat_name, category in card.categories.items():
            cat_path = (*base, "categories", cat_name)
            if not category.metrics:
                problems.append(f"{loaded.where(*cat_path, 'metrics')}: a category needs at least one metric")
                continue
            metric_total = sum(m.weight for m in category.metrics.values())
            # Metric weights are shares of the category (sum 100) or points of the whole score
            # that add up to the category's weight (the 40 = 20 + 10 + 10 template style).
            if abs(metric_total - category.weight) > WEIGHT_TOLERANCE:
                problems += [
                    m.replace(
                        "not 100; adjust them",
                        f"not 100 (nor the category weight {category.weight:g}); adjust them",
                    )
                    for m in _weights_message(loaded, metric_total, *cat_path, "metrics")
                ]
            for metric_name, scored in category.metrics.items():
                path = (*cat_path, "metrics", metric_name)
                metric = config.metrics.get(metric_name)
                if metric is None:
                    problems.append(
                        f"{loaded.where(*path)}: unknown metric `{metric_name}`"
                        f"{_suggest(metric_name, config.metrics)}"
                    )
                    continue
                problems += _check_points(loaded, scored.points, metric.better, path)
    return problems


def _check_points(loaded: LoadedConfig, points: object, better: str, path: tuple[str, ...]) -> list[str]:
    from csperf.config import PointsRule

    assert isinstance(points, PointsRule)
    if points.linear is not None:
        floor, target = points.linear.floor, points.linear.target
        if floor == target:
            return [f"{loaded.where(*path, 'points', 'linear')}: floor and target are equal ({floor:g})"]
        if better == "higher" and target < floor:
            return [
                f"{loaded.where(*path, 'points', 'linear')}: higher is better, so target ({target:g}) "
                f"must be above floor ({floor:g})"
            ]
        if better == "lower" and target > floor:
            return [
                f"{loaded.where(*path, 'points', 'linear')}: lower is better, so target ({target:g}) "
                f"must be below floor ({floor:g})"
            ]
    if points.bands is not None:
        if not points.bands:
            return [f"{loaded.where(*path, 'points', 'bands')}: give at least one [threshold, points] band"]
        bad = [p for _, p in points.bands if not 0 <= p <= 100]
        if bad:
            return [f"{loaded.where(*path, 'points', 'bands')}: band points must be within 0..100"]
    return []


def check_ranking(loaded: LoadedConfig) -> list[str]:
    config = loaded.config
    return [
        f"{loaded.where('ranking', 'tie_breakers', i)}: unknown metric `{b.metric}`"
        f"{_suggest(b.metric, config.metrics)}"
        for i, b in enumerate(config.ranking.breakers())
        if b.metric not in config.metrics
    ]


def check_bonus(loaded: LoadedConfig) -> list[str]:
    """Tiers (order, overlaps, gaps), payouts, gates and pro-rating of `bonus:`; `leaderboards:`."""
    from csperf.bonus_config import bonus_problems

    return bonus_problems(loaded)


RULES: list[Rule] = [
    check_sources,
    check_measures,
    check_metrics,
    check_scorecards,
    check_ranking,
    check_bonus,
]


def check_calendar(loaded: LoadedConfig) -> list[str]:
    """`calendar:`: its measure's name, and employment columns that are roster dates."""
    from csperf.calendar import check_calendar as calendar_problems

    return calendar_problems(loaded)


def check_report(loaded: LoadedConfig) -> list[str]:
    """`report:`: the group_by roster column and the hour-of-day profile's source and columns."""
    from csperf.profiles import check_report as report_problems

    return report_problems(loaded)


RULES += [check_calendar, check_report]


def check_text_rules(loaded: LoadedConfig) -> list[str]:
    """`text_rules:`: source, text/speaker/id columns, regular expressions, clashing column names."""
    from csperf.text_rules import text_rule_problems

    return text_rule_problems(loaded)


RULES.append(check_text_rules)


def check_source_reading(loaded: LoadedConfig) -> list[str]:
    """Reader options: `agent_from`, `fill_down`, `column_names`, `extract` patterns, alias columns."""
    from csperf.sources import source_options_problems

    return source_options_problems(loaded)


RULES.append(check_source_reading)


def check_review(loaded: LoadedConfig) -> list[str]:
    """`review:`: the team column is a roster column."""
    from csperf.review import review_problems

    return review_problems(loaded)


RULES.append(check_review)


def check_config(loaded: LoadedConfig) -> list[str]:
    """Run every rule and return all problems found."""
    problems: list[str] = []
    for rule in RULES:
        problems += rule(loaded)
    return problems
