"""`csperf explain`: contributions add up to the score to the cent, inputs match the raw exports,
the gap to the next tier is right, and the text for one agent is pinned by a golden file.

Update the golden file after an intended change with `CSPERF_UPDATE_GOLDEN=1 pytest tests/test_explain.py`.
"""

from __future__ import annotations

import csv
import json
import os
import re
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from csperf.api import run_score
from csperf.cli import app
from csperf.config import LinearPoints, PointsRule
from csperf.explain import MetricLine, _option, apportion, explain_agent, render_text
from csperf.pipeline import ScoreResult

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden"
OUTBOUND = (ROOT / "configs" / "outbound.yaml", ROOT / "examples" / "outbound")
INVITATION = (ROOT / "configs" / "invitation.yaml", ROOT / "examples" / "invitation")


@pytest.fixture(scope="module")
def outbound() -> ScoreResult:
    return run_score(*OUTBOUND)


@pytest.fixture(scope="module")
def invitation() -> ScoreResult:
    return run_score(*INVITATION)


def cents(text: str) -> int:
    return int(Decimal(text) * 100)


def check_sums(result: ScoreResult) -> int:
    """Every agent's shown contributions add up to the shown categories and the shown score."""
    checked = 0
    for agent_id, score in result.agents.select("agent_id", "score").iter_rows():
        e = explain_agent(result, agent_id, "en")
        if score is None:
            assert e.score_cents is None
            continue
        # the score is shown as the ranking table shows it, i.e. rounded to the nearest cent
        assert e.score_cents == cents(f"{score:.2f}")
        assert abs(e.score_cents - score * 100) <= 0.5 + 1e-9
        assert sum(c.subtotal_cents for c in e.categories) == e.score_cents
        for category in e.categories:
            assert sum(m.contribution_cents for m in category.metrics) == category.subtotal_cents
            # the unrounded contributions add up to the category subtotal and the score
            assert sum(m.contribution for m in category.metrics) == pytest.approx(category.subtotal, abs=1e-9)
            for m in category.metrics:
                assert abs(m.contribution_cents - m.contribution * 100) < 1  # each within a cent
        assert sum(c.subtotal for c in e.categories) == pytest.approx(score, abs=1e-9)
        # and the rendered text says the same
        text = render_text(e)
        match = re.search(r"^Categories: (.+) = (\S+)$", text, re.MULTILINE)
        assert match is not None
        parts = [cents(p) for p in match.group(1).split(" + ")]
        assert sum(parts) == cents(match.group(2)) == e.score_cents
        checked += 1
    return checked


def test_contributions_sum_to_the_score_to_the_cent_outbound(outbound: ScoreResult) -> None:
    assert check_sums(outbound) == 60


def test_contributions_sum_to_the_score_to_the_cent_invitation(invitation: ScoreResult) -> None:
    assert check_sums(invitation) == 30


@given(st.lists(st.floats(min_value=0, max_value=60, allow_nan=False), min_size=1, max_size=15))
def test_apportioned_cents_add_up_and_stay_within_a_cent(values: list[float]) -> None:
    total = round(sum(values) * 100)
    shares = apportion(values, total)
    assert sum(shares) == total
    assert all(abs(s - v * 100) < 1 + 1e-6 for s, v in zip(shares, values, strict=True))


def read_calls(folder: Path) -> list[dict[str, str]]:
    """The dialer files decoded by hand (GB18030), duplicates of 通话ID removed."""
    seen: dict[str, dict[str, str]] = {}
    for path in sorted((folder / "dialer").glob("calls_*.csv")):
        with path.open(encoding="gb18030", newline="") as handle:
            for row in csv.DictReader(handle):
                seen[row["通话ID"]] = row
    return list(seen.values())


def test_inputs_match_the_raw_exports(outbound: ScoreResult) -> None:
    calls = [r for r in read_calls(OUTBOUND[1]) if r["坐席工号"] == "A1023"]
    with (OUTBOUND[1] / "qa_reviews.csv").open(encoding="utf-8") as handle:
        reviews = [r for r in csv.DictReader(handle) if r["坐席工号"] == "A1023"]
    e = explain_agent(outbound, "A1023", "en")
    lines = {m.metric: m for c in e.categories for m in c.metrics}
    connect = lines["connect_rate"]
    assert connect.numerator is not None and connect.denominator is not None
    assert connect.numerator.value == sum(1 for r in calls if r["是否接通"] == "是")
    assert connect.denominator.value == len(calls)
    compliance = lines["compliance"]
    assert compliance.numerator is not None and compliance.denominator is not None
    assert compliance.denominator.value == len(reviews)
    assert compliance.numerator.value == sum(1 for r in reviews if r["是否违规"] == "否")
    # compliance 3/7 = 42.9% reaches no band: 0 points, so 0 contribution
    assert compliance.points == 0
    nps = lines["nps"]
    assert nps.formula is not None and [i.name for i in nps.inputs] == [
        "promoters",
        "detractors",
        "nps_responses",
    ]


def test_bonus_part_shows_the_gate_and_its_values(outbound: ScoreResult) -> None:
    e = explain_agent(outbound, "A1023", "en")
    assert e.bonus is not None
    assert (e.bonus.reached, e.bonus.tier, e.bonus.amount) == ("good", None, 0)
    assert ("compliance red line", "block", "compliance_violations = 4") in [
        (g.name, g.effect, g.detail) for g in e.bonus.gates
    ]
    assert e.bonus.outcome.startswith("blocked by `compliance red line`")
    row = outbound.agents.filter(outbound.agents["agent_id"] == "A1023").row(0, named=True)
    assert (e.rank, e.ranked) == (row["rank"], outbound.agents["rank"].drop_nulls().len())


def linear_points(value: float, floor: float, target: float) -> float:
    return max(0.0, min(100.0, (value - floor) / (target - floor) * 100))


def test_gap_to_the_next_tier_and_the_cheapest_metrics(outbound: ScoreResult) -> None:
    e = explain_agent(outbound, "A1044", "en")
    assert e.bonus is not None and e.bonus.next_tier is not None
    gap = e.bonus.next_tier
    assert (gap.tier, gap.line_text) == ("good", "70")
    assert e.score is not None
    assert gap.missing == pytest.approx(70 - e.score)
    card = outbound.config.scorecards["junior"]
    lines = {m.metric: m for c in e.categories for m in c.metrics}
    assert gap.options, "a junior at 65.88 has metrics with points left"
    for option in gap.options:
        line = lines[option.metric]
        rule = next(
            c.metrics[option.metric].points for c in card.categories.values() if option.metric in c.metrics
        )
        assert line.value is not None and line.points is not None
        if rule.linear is not None:
            floor, target = rule.linear.floor, rule.linear.target
            step = 0.01 if line.unit == "percent" else 1.0
            # points per unit: effective weight × 100/(target − floor) / 100, per percentage point for rates
            assert option.per_unit == pytest.approx(line.effective_weight / abs(target - floor) * step)
            new_points = linear_points(line.value + option.change, floor, target)
            assert line.effective_weight * (new_points - line.points) / 100 == pytest.approx(option.gain)
        if option.closes_gap:
            assert option.gain == pytest.approx(gap.missing)
    # closing options come first, then those that cannot close the gap alone
    flags = [o.closes_gap for o in gap.options]
    assert flags == sorted(flags, reverse=True)


def line(value: float, points: float, better: str = "higher", unit: str = "count") -> MetricLine:
    return MetricLine(
        metric="m", label="m", unit=unit, better=better, inputs=[], formula=None, value=value,
        value_text="", rule="", points=points, insufficient=False, insufficient_reason="",
        weight=10, effective_weight=10, contribution=10 * points / 100,
    )  # fmt: skip


BANDS = PointsRule(bands=[(40, 100), (35, 80), (30, 60), (20, 30)])


@pytest.mark.parametrize(
    ("missing", "threshold", "gain", "closes"),
    [
        (2.0, 35, 2.0, True),  # 60 → 80 points × weight 10 = 2 score points: the nearest band is enough
        (3.0, 40, 4.0, True),  # the 35 band gives only 2: go to the 40 band (+4)
        (5.0, 40, 4.0, False),  # no band is enough: the best one, and it does not close the gap
    ],
)
def test_band_option_names_the_band_that_closes_the_gap(
    missing: float, threshold: float, gain: float, closes: bool
) -> None:
    option = _option(line(32, 60), BANDS, missing)
    assert option is not None
    assert option.change == pytest.approx(threshold - 32)
    assert option.gain == pytest.approx(gain)
    assert option.closes_gap is closes
    assert option.per_unit == pytest.approx(gain / (threshold - 32))


def test_band_option_for_a_lower_is_better_rate() -> None:
    rule = PointsRule(bands=[(0.005, 100), (0.01, 70), (0.02, 30)])
    option = _option(line(0.012, 30, better="lower", unit="percent"), rule, 3.0)
    assert option is not None
    # down to 1.0% reaches the 70 band: +40 points × weight 10 = 4 score points for −0.2 pp
    assert option.change == pytest.approx(-0.002)
    assert option.change_text == "−0.2 pp"
    assert option.gain == pytest.approx(4.0)
    assert option.per_unit == pytest.approx(4.0 / 0.2)


def test_linear_option_below_the_floor_first_climbs_to_it() -> None:
    rule = PointsRule(linear=LinearPoints(floor=0.20, target=0.45))
    option = _option(line(0.16, 0, unit="percent"), rule, 2.0)
    assert option is not None
    # 2 score points = 20 metric points = 5 pp above the floor of 20%: from 16% that is +9 pp
    assert option.change == pytest.approx(0.09)
    assert option.new_value_text == "25.0%"
    assert option.per_unit == pytest.approx(10 / 0.25 * 0.01)


def test_a_metric_at_its_cap_offers_nothing() -> None:
    rule = PointsRule(linear=LinearPoints(floor=0.20, target=0.45))
    assert _option(line(0.50, 100, unit="percent"), rule, 2.0) is None


def test_gap_on_a_metric_basis(invitation: ScoreResult) -> None:
    e = explain_agent(invitation, "Y2025", "en")
    assert e.bonus is not None and e.bonus.next_tier is not None
    assert e.bonus.tier == "base"  # exactly 60.0%: on the line is in the tier
    assert e.bonus.next_tier.tier == "excellence"
    assert e.bonus.next_tier.missing == pytest.approx(0.85 - 0.60)
    assert e.bonus.next_tier.missing_text == "25.0 percentage points of Invitation success"


@pytest.mark.parametrize("agent_id", ["Y2021", "Y2012"])
def test_golden_explanation(agent_id: str) -> None:
    # Y2021 left mid-quarter (pro-rated) and is 21 points below excellence; Y2012 joined mid-quarter
    # and trips two gates (one blocks, one caps).
    config, data = INVITATION
    run = CliRunner().invoke(app, ["explain", str(config), agent_id, "--data", str(data), "--lang", "en"])
    assert run.exit_code == 0, run.output
    golden = GOLDEN / f"explain_invitation_{agent_id}.txt"
    if os.environ.get("CSPERF_UPDATE_GOLDEN") == "1":
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(run.output, encoding="utf-8")
    assert run.output == golden.read_text(encoding="utf-8")


def test_explain_json(tmp_path: Path) -> None:
    config, data = INVITATION
    run = CliRunner().invoke(app, ["explain", str(config), "Y2016", "--data", str(data), "--json"])
    assert run.exit_code == 0, run.output
    document = json.loads(run.output)
    assert document["agent_id"] == "Y2016"
    assert document["bonus"]["tier"] == "excellence"
    total = sum(c["subtotal_cents"] for c in document["categories"])
    assert total == document["score_cents"]


def test_unknown_agent_exits_2_with_a_suggestion() -> None:
    config, data = INVITATION
    run = CliRunner().invoke(app, ["explain", str(config), "Y2061", "--data", str(data)])
    assert run.exit_code == 2
    assert "agent `Y2061`: not among the 30 agents of this run; did you mean" in run.output


def test_bad_language_exits_2() -> None:
    config, data = INVITATION
    run = CliRunner().invoke(app, ["explain", str(config), "Y2016", "--data", str(data), "--lang", "fr"])
    assert run.exit_code == 2
    assert "--lang: unknown language 'fr'; use en or zh" in run.output
