"""Weight sensitivity (--perturb): reproducible draws, exact at p = 0, tier probabilities.

Independent checks: a drawn weight set written back into the config and scored by the ordinary
pipeline gives the same scores as the vectorised draw; the vectorised ranking agrees with
`rank_agents`; the tier probability of a symmetric case is known analytically.
"""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import polars as pl
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from csperf.api import run_score
from csperf.cli import app
from csperf.config import load_config
from csperf.errors import CsperfError
from csperf.ranking import rank_agents
from csperf.sensitivity import card_models, competition_ranks, draw_weights, parse_share, perturb_weights

DATA = Path(__file__).resolve().parent / "data" / "sensitivity"
ROOT = Path(__file__).resolve().parent.parent
HALF = DATA / "half.yaml"
RULES = DATA / "rules.yaml"


@pytest.fixture(scope="module")
def rules_result():  # type: ignore[no-untyped-def]
    return run_score(RULES)


@pytest.fixture(scope="module")
def outbound_result():  # type: ignore[no-untyped-def]
    return run_score(ROOT / "configs" / "outbound.yaml")


def _by_agent(sensitivity, column: str) -> dict[str, object]:  # type: ignore[no-untyped-def]
    return dict(sensitivity.agents.select("agent_id", column).iter_rows())


@pytest.mark.parametrize("which", ["rules_result", "outbound_result"])
def test_no_perturbation_reproduces_the_base_scores_and_ranks(
    which: str, request: pytest.FixtureRequest
) -> None:
    """redistribute / zero / neutral with insufficient metrics, per-agent effective weights."""
    result = request.getfixturevalue(which)
    drawn = perturb_weights(result, 0.0, draws=5, keep_draws=True)
    assert drawn.scores is not None and drawn.ranks is not None
    base_scores = np.asarray(result.agents["score"].to_list(), dtype=float)
    base_ranks = np.asarray(result.agents["rank"].to_list(), dtype=float)
    for draw in range(5):
        np.testing.assert_allclose(drawn.scores[draw], base_scores, rtol=0, atol=1e-9)
        np.testing.assert_array_equal(drawn.ranks[draw], base_ranks)
    table = drawn.agents
    assert table["rank_p05"].to_list() == result.agents["rank"].to_list()
    assert table["rank_p95"].to_list() == result.agents["rank"].to_list()
    assert table["tier_flip_share"].to_list() == [0.0] * table.height
    assert not table["flagged"].any()
    base_tiers = dict(result.bonus.select("agent_id", "tier").iter_rows())
    assert _by_agent(drawn, "tier") == base_tiers


def _config_with_weights(path: Path, drawn, draw: int, out: Path) -> Path:  # type: ignore[no-untyped-def]
    """The config at `path` with draw `draw`'s weights written into every scorecard."""
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    document = copy.deepcopy(document)
    for card_name, weights in drawn.items():
        card = document["scorecards"][card_name]
        card["categories"] = copy.deepcopy(card["categories"])
        index = 0
        for c, category in enumerate(card["categories"].values()):
            category["weight"] = float(weights.category[draw, c])
            for scored in category["metrics"].values():
                scored["weight"] = float(weights.metric[draw, index])
                index += 1
    for key in ("path",):
        for source in document["sources"].values():
            source[key] = str(path.parent / source[key])
    if "roster" in document:
        document["roster"]["path"] = str(path.parent / document["roster"]["path"])
    out.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    return out


@pytest.mark.parametrize("draw", [0, 3])
def test_a_drawn_weight_set_scored_by_the_pipeline_gives_the_same_scores(
    draw: int,
    rules_result,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    sensitivity = perturb_weights(rules_result, 0.3, draws=4, seed=7, keep_draws=True)
    weights = draw_weights(card_models(rules_result), 0.3, 4, 7)
    # Each level sums to 100 (per category for metric weights).
    for model in card_models(rules_result):
        w = weights[model.name]
        np.testing.assert_allclose(w.category.sum(axis=1), 100)
        for c in range(len(model.categories)):
            np.testing.assert_allclose(w.metric[:, model.metric_category == c].sum(axis=1), 100)
    config = _config_with_weights(RULES, weights, draw, tmp_path / "drawn.yaml")
    scored = run_score(config)
    expected = dict(scored.agents.select("agent_id", "score").iter_rows())
    agents = rules_result.agents["agent_id"].to_list()
    assert sensitivity.scores is not None and sensitivity.ranks is not None
    got = dict(zip(agents, sensitivity.scores[draw].tolist(), strict=True))
    assert got == pytest.approx(expected, abs=1e-9)
    ranks = dict(scored.agents.select("agent_id", "rank").iter_rows())
    assert dict(zip(agents, sensitivity.ranks[draw].astype(int).tolist(), strict=True)) == ranks


def test_same_seed_same_result_and_batches_do_not_matter(rules_result) -> None:  # type: ignore[no-untyped-def]
    one = perturb_weights(rules_result, 0.2, draws=200, seed=3, keep_draws=True)
    two = perturb_weights(rules_result, 0.2, draws=200, seed=3, keep_draws=True, batch_cells=50)
    assert one.agents.equals(two.agents)
    assert one.scores is not None and two.scores is not None
    np.testing.assert_array_equal(one.scores, two.scores)
    other = perturb_weights(rules_result, 0.2, draws=200, seed=4, keep_draws=True)
    assert other.scores is not None and not np.array_equal(one.scores, other.scores)


def test_tier_probabilities_of_a_symmetric_case() -> None:
    """X scores 100·w1/(w1+w2): silver (≥ 50) exactly when U1 ≥ U2, probability 1/2.
    Z scores 100 whatever the weights: gold with probability 1. W scores 0: no tier, probability 1."""
    result = run_score(HALF)
    drawn = perturb_weights(result, 0.1, draws=2000, seed=11, flip_threshold=0.2)
    assert drawn.tiers == ["gold", "silver", "none"]
    p_silver = _by_agent(drawn, "p_silver")
    p_none = _by_agent(drawn, "p_none")
    # 2000 draws: the standard error of a share of 1/2 is about 0.011.
    assert p_silver["X"] == pytest.approx(0.5, abs=0.05)
    assert p_silver["X"] + p_none["X"] == pytest.approx(1.0)
    assert p_silver["Y"] == pytest.approx(0.5, abs=0.05)
    assert _by_agent(drawn, "p_gold")["Z"] == 1.0
    assert _by_agent(drawn, "tier")["Z"] == "gold"
    assert _by_agent(drawn, "tier_flip_share")["Z"] == 0.0
    assert p_none["W"] == 1.0
    # X's base tier is silver (exactly 50); it leaves it in about half the draws: flagged.
    assert set(drawn.flagged) == {"X", "Y"}
    # Scores stay within what ±10% allows: 100·0.9/(0.9+1.1) = 45 .. 55.
    low, high = _by_agent(drawn, "score_p05")["X"], _by_agent(drawn, "score_p95")["X"]
    assert 45 <= low < 50 < high <= 55  # type: ignore[operator]


def test_tier_probability_with_unequal_weights() -> None:
    """tests/data/compare/base.yaml: C has points (20, 100) under weights 70/30, so 44 at the nominal
    weights, one point under silver (45). With w1 = 70·U1, w2 = 30·U2, C reaches 45 exactly when
    1400·U1 + 3000·U2 ≥ 45·(70·U1 + 30·U2), i.e. U2 ≥ k·U1 with k = 1750/1650; the triangle formula
    (see the gate test) gives P(silver) = (b − a·k)² / (2·k·(b − a)²) ≈ 0.249."""
    result = run_score(ROOT / "tests" / "data" / "compare" / "base.yaml")
    drawn = perturb_weights(result, 0.1, draws=3000, seed=9)
    a, b, k = 0.9, 1.1, 1750 / 1650
    expected = (b - a * k) ** 2 / (2 * k * (b - a) ** 2)
    assert _by_agent(drawn, "p_silver")["C"] == pytest.approx(expected, abs=0.03)
    assert _by_agent(drawn, "tier")["C"] is None
    assert _by_agent(drawn, "tier_flip_share")["C"] == pytest.approx(_by_agent(drawn, "p_silver")["C"])
    # D has 100 on both metrics: far above every line, gold in every draw.
    assert _by_agent(drawn, "p_gold")["D"] == 1.0


def test_rank_percentiles_bracket_the_base_rank(outbound_result) -> None:  # type: ignore[no-untyped-def]
    drawn = perturb_weights(outbound_result, 0.1, draws=300, seed=1)
    table = drawn.agents.filter(pl.col("rank").is_not_null())
    assert (table["rank_p05"] <= table["rank_median"]).all()
    assert (table["rank_median"] <= table["rank_p95"]).all()
    probabilities = table.select([f"p_{t}" for t in drawn.tiers]).sum_horizontal()
    assert probabilities.to_list() == pytest.approx([1.0] * table.height)


def test_gates_on_the_score_are_evaluated_per_draw(tmp_path: Path) -> None:
    """A gate that reads the score (`score < 52` blocks) moves with the weights; at p = 0 it agrees
    with the bonus computed by the pipeline."""
    document = yaml.safe_load(HALF.read_text(encoding="utf-8"))
    document["sources"]["scores"]["path"] = str(DATA / "half.csv")
    document["bonus"]["gates"] = [{"name": "close call", "when": "score < 52", "effect": "block"}]
    path = tmp_path / "gated.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    result = run_score(path)
    assert dict(result.bonus.select("agent_id", "tier").iter_rows())["X"] is None  # 50 < 52: blocked
    exact = perturb_weights(result, 0.0, draws=3)
    assert exact.dynamic_gates == ["close call"]
    assert _by_agent(exact, "p_none")["X"] == 1.0
    drawn = perturb_weights(result, 0.1, draws=2000, seed=5)
    # Silver now needs score ≥ 52: 100·U1/(U1+U2) ≥ 52 ⇔ U1 ≥ k·U2 with k = 13/12. With U ~ U(a, b),
    # that region of the square is a triangle with legs (b − a·k) and (b − a·k)/k:
    # P = (b − a·k)² / (2·k·(b − a)²) = 0.125² / (2 · 13/12 · 0.04) ≈ 0.1803.
    a, b, k = 0.9, 1.1, 13 / 12
    expected = (b - a * k) ** 2 / (2 * k * (b - a) ** 2)
    # 2000 draws: the standard error is about 0.009.
    assert _by_agent(drawn, "p_silver")["X"] == pytest.approx(expected, abs=0.03)


ranks_input = st.lists(
    st.tuples(st.sampled_from([10.0, 20.0, 20.0 + 1e-12, 30.0, None]), st.integers(0, 2)),
    min_size=1,
    max_size=25,
)


@settings(max_examples=80, deadline=None)
@given(ranks_input)
def test_vectorised_ranking_agrees_with_rank_agents(rows: list[tuple[float | None, int]]) -> None:
    config = load_config(RULES).config  # tie-breaker: m1 (higher first)
    frame = pl.DataFrame(
        {
            "agent_id": [f"a{i:02d}" for i in range(len(rows))],
            "score": [s for s, _ in rows],
            "m1": [float(t) for _, t in rows],
        },
        schema={"agent_id": pl.String, "score": pl.Float64, "m1": pl.Float64},
    )
    expected = rank_agents(frame, config).sort("agent_id")["rank"].to_list()
    ties = rank_agents(frame.with_columns(pl.lit(0.0).alias("score")), config).sort("agent_id")["rank"]
    scores = np.asarray([[np.nan if s is None else s for s, _ in rows]])
    got = competition_ranks(scores, np.asarray(ties.to_list(), dtype=float))[0]
    assert [None if np.isnan(r) else int(r) for r in got] == expected


def test_parse_share_and_limits(rules_result) -> None:  # type: ignore[no-untyped-def]
    assert parse_share("10%") == pytest.approx(0.1)
    assert parse_share("0.25") == pytest.approx(0.25)
    assert parse_share("0") == 0
    with pytest.raises(CsperfError, match="ambiguous"):
        parse_share("10")
    with pytest.raises(CsperfError, match="not a share"):
        parse_share("ten")
    with pytest.raises(CsperfError, match="below 100%"):
        perturb_weights(rules_result, 1.0)
    with pytest.raises(CsperfError, match="--draws"):
        perturb_weights(rules_result, 0.1, draws=0)


def test_cli_perturb(tmp_path: Path) -> None:
    out = tmp_path / "s.xlsx"
    args = ["compare", str(HALF), "--perturb", "10%", "--draws", "400", "--seed", "2", "-o", str(out)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "half: weights ±10%, 400 draws (seed 2): 2 agents change tier in more than 20% of the draws" in (
        result.output
    )
    assert "rank 5–95%" in result.output and "P(tier)" in result.output
    from openpyxl import load_workbook

    assert load_workbook(out).sheetnames == ["Summary", "Agents", "Weights", "Sensitivity"]
    again = CliRunner().invoke(app, args[:-2])
    assert again.output == result.output.replace(f"wrote {out}\n", "")  # same seed, same output
