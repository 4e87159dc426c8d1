"""`csperf review`: per-agent review packs.

The two-month fixture (tests/data/review) is recomputed here by hand, in plain Python from the CSV,
for values, points, scores, ranks, tiers and their changes; the suggested targets are worked out
in the comments. The pages' numbers (read from their data-* attributes) are checked against the
JSON report of `csperf score` for the same run, on the fixture and on every outbound example agent.
"""

from __future__ import annotations

import csv
import json
import shutil
import statistics
from collections import defaultdict
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from csperf.cli import app
from csperf.config import PointsRule
from csperf.periods import parse_period
from csperf.reports.review_html import page_name, render_review
from csperf.review import (
    AgentReview,
    full_points_value,
    pick_moved,
    pick_strongest_weakest,
    run_review,
    suggest_target,
)

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = Path(__file__).resolve().parent / "data" / "review"
CONFIG = FIXTURE / "review.yaml"
OUTBOUND = ROOT / "configs" / "outbound.yaml"
OUTBOUND_DATA = ROOT / "examples" / "outbound"

runner = CliRunner()

# --- the fixture by hand ----------------------------------------------------------------------------

RULES = {  # metric: (floor, target, weight) — as in review.yaml
    "connect_rate": (0.2, 0.5, 40),
    "conversion": (0.05, 0.25, 40),
    "aht": (600, 300, 20),
}
TEAMS = {"A1": "north", "A2": "north", "A3": "north", "B1": "south", "B2": "south"}


def by_hand(month: str) -> dict[str, dict[str, float]]:
    """Per agent: metric values, points and the score for one month of daily.csv."""
    sums: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    with (FIXTURE / "daily.csv").open(newline="") as handle:
        for row in csv.DictReader(handle):
            if row["day"].startswith(month):
                for column in ("dials", "connects", "sales", "handle_s"):
                    sums[row["agent_id"]][column] += float(row[column])
    agents: dict[str, dict[str, float]] = {}
    for agent, s in sums.items():
        values = {
            "connect_rate": s["connects"] / s["dials"],
            "conversion": s["sales"] / s["connects"],
            "aht": s["handle_s"] / s["connects"],
        }
        entry: dict[str, float] = dict(values)
        score = 0.0
        for metric, (floor, target, weight) in RULES.items():
            points = min(max((values[metric] - floor) / (target - floor) * 100, 0), 100)
            entry[metric + "_points"] = points
            score += weight * points / 100
        entry["score"] = score
        agents[agent] = entry
    ordered = sorted(agents, key=lambda a: -agents[a]["score"])
    for rank, agent in enumerate(ordered, start=1):
        agents[agent]["rank"] = rank
    return agents


def tier(score: float | None) -> str | None:
    if score is None:
        return None
    return "gold" if score >= 80 else "silver" if score >= 60 else None


@pytest.fixture(scope="module")
def fixture_reviews() -> dict[str, AgentReview]:
    reviews = run_review(CONFIG, None, FIXTURE, parse_period("2026-10"))
    return {r.agent_id: r for r in reviews}


def test_values_points_and_changes_match_a_hand_computation(fixture_reviews: dict[str, AgentReview]) -> None:
    now, before = by_hand("2026-10"), by_hand("2026-09")
    assert set(fixture_reviews) == set(TEAMS)
    for agent, review in fixture_reviews.items():
        assert review.previous_period == "2026-09" and review.previous_has_data
        assert review.team == TEAMS[agent]
        assert review.score == pytest.approx(now[agent]["score"])
        assert review.rank == now[agent]["rank"]
        assert review.ranked == 5
        old = before.get(agent)
        if old is None:  # B2 was hired in October
            assert review.score_previous is None and review.rank_previous is None
            assert review.tier_change is None
        else:
            assert review.score_change == pytest.approx(now[agent]["score"] - old["score"])
            assert review.rank_change == old["rank"] - now[agent]["rank"]
            assert review.tier == tier(now[agent]["score"])
            assert review.tier_previous == tier(old["score"])
        for metric in RULES:
            line = review.metric(metric)
            assert line.value == pytest.approx(now[agent][metric])
            assert line.points == pytest.approx(now[agent][metric + "_points"])
            if old is None:
                assert line.previous is None and line.change is None
            else:
                assert line.previous == pytest.approx(old[metric])
                assert line.change == pytest.approx(now[agent][metric] - old[metric])
                assert line.points_change == pytest.approx(
                    now[agent][metric + "_points"] - old[metric + "_points"]
                )
            team = [now[a][metric] for a in TEAMS if TEAMS[a] == TEAMS[agent]]
            assert line.team_median == pytest.approx(statistics.median(team))


def test_rank_and_tier_movement(fixture_reviews: dict[str, AgentReview]) -> None:
    # September: B1 86.67, A3 75.33, A2 63.33, A1 53.33; October: A2 83.33, B1 80, A3 73.33, A1 42, B2 30
    a2, b1, a1 = fixture_reviews["A2"], fixture_reviews["B1"], fixture_reviews["A1"]
    assert (a2.rank_previous, a2.rank, a2.rank_change) == (3, 1, 2)
    assert (a2.tier_previous, a2.tier, a2.tier_change) == ("silver", "gold", "up")
    assert (b1.rank_change, b1.tier_change) == (-1, "same")
    assert a1.score == pytest.approx(0.4 * 200 / 3 + 0.4 * 25 + 0.2 * 80 / 3)  # 42.0
    assert a1.score_previous == pytest.approx(0.4 * 100 / 3 + 0.4 * 75 + 0.2 * 50)  # 53.33
    assert (a1.rank_change, a1.tier_change) == (0, "same")


def test_strongest_weakest_and_moved_by_hand(fixture_reviews: dict[str, AgentReview]) -> None:
    a1 = fixture_reviews["A1"]
    # A1 in October: connect 40% → 66.67 points (lost 40 × 33.33% = 13.33), conversion 10% → 25
    # (lost 30), AHT 520 s → 26.67 (lost 20 × 73.33% = 14.67).
    assert [round(a1.metric(m).lost, 2) for m in RULES] == [13.33, 30.0, 14.67]
    assert a1.weakest == ["conversion", "aht"]
    assert a1.strongest == ["connect_rate"]
    # points moved: conversion 75 → 25 (−50), connect 33.3 → 66.7 (+33.3), AHT 50 → 26.7 (−23.3)
    assert a1.moved == ["conversion", "connect_rate", "aht"]
    # B2 has no September: nothing to compare, nothing moved
    assert fixture_reviews["B2"].moved == []


def test_suggested_targets_by_hand(fixture_reviews: dict[str, AgentReview]) -> None:
    a1 = {s.metric: s for s in fixture_reviews["A1"].suggestions}
    # conversion, north team 10%, 20%, 30%: P75 = 25%; halfway from 10% = 17.5% → 62.5 points,
    # +40 × (62.5 − 25) / 100 = +15 score points
    assert a1["conversion"].aim == pytest.approx(0.25)
    assert a1["conversion"].aim_kind == "team_quantile"
    assert a1["conversion"].target == pytest.approx(0.175)
    assert a1["conversion"].points_at_target == pytest.approx(62.5)
    assert a1["conversion"].gain == pytest.approx(15.0)
    # AHT is lower-is-better: north 520, 400, 300 s → P25 = 350; halfway from 520 = 435 → 55 points
    assert a1["aht"].quantile == pytest.approx(0.25)
    assert a1["aht"].aim == pytest.approx(350)
    assert a1["aht"].target == pytest.approx(435)
    assert a1["aht"].points_at_target == pytest.approx(55.0)
    assert a1["aht"].gain == pytest.approx(20 * (55 - 80 / 3) / 100)
    # B2, south team conversion 20% (B1) and 5% (B2): P75 = 5% + 0.75 × 15% = 16.25%; halfway 10.625%
    b2 = {s.metric: s for s in fixture_reviews["B2"].suggestions}
    assert b2["conversion"].aim == pytest.approx(0.1625)
    assert b2["conversion"].target == pytest.approx(0.10625)
    # B1 is already above the south P75 (16.25%) with 20%: halfway to full points (25%) instead
    b1 = {s.metric: s for s in fixture_reviews["B1"].suggestions}
    assert b1["conversion"].aim_kind == "rule_target"
    assert b1["conversion"].target == pytest.approx(0.225)
    assert b1["conversion"].points_at_target == pytest.approx(87.5)


def test_review_settings_change_the_suggestion(tmp_path: Path) -> None:
    folder = copy_fixture(tmp_path)
    text = (folder / "review.yaml").read_text().replace("step: 0.5", "step: 1.0")
    text = text.replace("target_quantile: 0.75", "target_quantile: 0.5")
    (folder / "review.yaml").write_text(text)
    reviews = {
        r.agent_id: r for r in run_review(folder / "review.yaml", ["A1"], folder, parse_period("2026-10"))
    }
    conversion = {s.metric: s for s in reviews["A1"].suggestions}["conversion"]
    assert conversion.target == pytest.approx(0.20)  # all the way to the north median


# --- pages against the JSON report --------------------------------------------------------------


class DataParser(HTMLParser):
    """Collects the data-* attributes of a review page."""

    def __init__(self) -> None:
        super().__init__()
        self.root: dict[str, str] = {}
        self.metrics: dict[str, dict[str, str]] = {}
        self.suggestions: dict[str, dict[str, str]] = {}
        self.lists: dict[str, list[str]] = {}
        self._list: str | None = None
        self.tags: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        data = {k.removeprefix("data-"): v or "" for k, v in attrs if k.startswith("data-")}
        if tag == "main":
            self.root = data
        elif tag == "tr" and "metric" in data:
            self.metrics[data["metric"]] = data
        elif tag == "tr" and "suggestion" in data:
            self.suggestions[data["suggestion"]] = data
        elif tag == "ul" and "list" in data:
            self._list = data["list"]
            self.lists[self._list] = []
        elif tag == "li" and self._list and "metric" in data:
            self.lists[self._list].append(data["metric"])

    def handle_endtag(self, tag: str) -> None:
        if tag == "ul":
            self._list = None


def parse(path: Path) -> DataParser:
    parser = DataParser()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def number(text: str) -> float | None:
    return None if text == "" else float(text)


def copy_fixture(tmp_path: Path) -> Path:
    folder = tmp_path / "fixture"
    shutil.copytree(FIXTURE, folder)
    return folder


def score_json(config: Path, data: Path, tmp_path: Path, period: str) -> dict[str, Any]:
    out = tmp_path / "score.json"
    result = runner.invoke(
        app,
        ["score", str(config), "--data", str(data), "--period", period, "--compare-previous", "-o", str(out)],
    )
    assert result.exit_code == 0, result.output
    document: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return document


def check_page_against_json(page: DataParser, agent: dict[str, Any], document: dict[str, Any]) -> None:
    root = page.root
    assert root["agent"] == agent["agent_id"]
    assert number(root["score"]) == agent["score"]
    assert number(root["rank"]) == agent["rank"]
    assert number(root["scorecard-rank"]) == agent["scorecard_rank"]
    assert set(page.metrics) == set(agent["metrics"])
    for name, detail in agent["metrics"].items():
        shown = page.metrics[name]
        assert number(shown["value"]) == detail["value"], name
        assert number(shown["points"]) == detail["points"], name
        assert number(shown["weight"]) == detail["effective_weight"], name
        assert number(shown["contribution"]) == detail["contribution"], name
        assert shown["insufficient"] == ("true" if detail["insufficient"] else "false")
    bonus = {b["agent_id"]: b for b in document.get("bonus", {}).get("agents", [])}
    if agent["agent_id"] in bonus:
        assert root["tier"] == (bonus[agent["agent_id"]]["tier"] or "")
        assert number(root["bonus-amount"]) == bonus[agent["agent_id"]]["amount"]
    previous = document["previous_period"]
    assert root["previous-period"] == previous["period"]
    assert root["previous-has-data"] == ("true" if previous["has_data"] else "false")
    trend = {t["agent_id"]: t for t in document["trend"]}[agent["agent_id"]]
    if previous["has_data"]:
        assert number(root["score-previous"]) == trend["score_previous"]
        assert number(root["rank-previous"]) == trend["rank_previous"]
        assert number(root["rank-change"]) == trend["rank_change"]
        for name, change in trend["metrics"].items():
            if name in page.metrics:
                assert number(page.metrics[name]["previous"]) == change["previous"], name
                assert number(page.metrics[name]["change"]) == pytest.approx(change["change"], abs=2e-6), name


def test_fixture_pages_match_the_json_report(tmp_path: Path) -> None:
    document = score_json(CONFIG, FIXTURE, tmp_path, "2026-10")
    out = tmp_path / "pages"
    result = runner.invoke(
        app,
        ["review", str(CONFIG), "--all", "--data", str(FIXTURE), "--period", "2026-10", "--out", str(out)],
    )
    assert result.exit_code == 0, result.output
    assert "wrote 5 review pages" in result.output
    assert sorted(p.name for p in out.iterdir()) == [
        "A1.html",
        "A2.html",
        "A3.html",
        "B1.html",
        "B2.html",
        "index.html",
    ]
    for agent in document["agents"]:
        check_page_against_json(parse(out / f"{agent['agent_id']}.html"), agent, document)
    a1 = parse(out / "A1.html")
    assert a1.lists["weakest"] == ["conversion", "aht"]
    assert a1.lists["moved"] == ["conversion", "connect_rate", "aht"]
    assert number(a1.suggestions["conversion"]["target"]) == pytest.approx(0.175)
    index = (out / "index.html").read_text(encoding="utf-8")
    assert all(f'href="{a}.html"' in index for a in TEAMS)


def test_every_outbound_agent_gets_a_page_matching_the_json(tmp_path: Path) -> None:
    # The example data has October only: September is scored and found empty ("no data").
    document = score_json(OUTBOUND, OUTBOUND_DATA, tmp_path, "2026-10")
    assert document["previous_period"] == {"period": "2026-09", "has_data": False, "agents_scored": 0}
    out = tmp_path / "outbound"
    result = runner.invoke(
        app,
        [
            "review",
            str(OUTBOUND),
            "--all",
            "--data",
            str(OUTBOUND_DATA),
            "--period",
            "2026-10",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    agents = document["agents"]
    assert len(agents) == 60
    assert len(list(out.glob("*.html"))) == 61  # 60 agents and the index
    for agent in agents:
        page = parse(out / f"{agent['agent_id']}.html")
        check_page_against_json(page, agent, document)
        assert page.root["score-previous"] == "" and page.lists.get("moved") is None
        assert {"script", "link", "img", "iframe"}.isdisjoint(page.tags)  # self-contained, nothing to fetch
    text = (out / "A1012.html").read_text(encoding="utf-8")
    assert '<html lang="zh-CN">' in text and "绩效面谈" in text and "2026-09 (无数据)" in text
    assert "http://" not in text.replace('xmlns="http://www.w3.org/2000/svg"', "") and "https://" not in text


def test_without_a_period_the_pack_says_no_previous_period(tmp_path: Path) -> None:
    out = tmp_path / "one"
    result = runner.invoke(app, ["review", str(CONFIG), "A1", "--data", str(FIXTURE), "--out", str(out)])
    assert result.exit_code == 0, result.output
    page = parse(out / "A1.html")
    assert page.root["previous-period"] == "" and page.root["previous-has-data"] == "false"
    text = (out / "A1.html").read_text(encoding="utf-8")
    assert "no previous period (no --period given)" in text
    assert not (out / "index.html").exists()  # one agent: no index
    # without a period both months count: A1 converted 10 of 70 connected calls
    assert number(page.metrics["conversion"]["value"]) == pytest.approx(round(10 / 70, 6))


def test_chinese_labels_and_escaping(tmp_path: Path) -> None:
    folder = copy_fixture(tmp_path)
    roster = (folder / "roster.csv").read_text().replace("Ann", '"<script>alert(1)</script> & Co"')
    (folder / "roster.csv").write_text(roster)
    out = tmp_path / "zh"
    result = runner.invoke(
        app,
        [
            "review",
            str(folder / "review.yaml"),
            "A1",
            "--period",
            "2026-10",
            "--lang",
            "zh",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    text = (out / "A1.html").read_text(encoding="utf-8")
    assert "<script>" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co" in text
    assert "绩效面谈" in text and "转化率" in text and "下期建议目标" in text


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--out", "x"], "give an agent id (e.g. A1012) or --all"),
        (["A1", "--all", "--out", "x"], "not both and not neither"),
        (["A1"], "--out: give the folder"),
        (["A11", "--out", "x"], "agent `A11`: not among the 5 agents of this run; did you mean A1"),
        (["A1", "--lang", "fr", "--out", "x"], "--lang: unknown language 'fr'"),
    ],
)
def test_cli_errors(tmp_path: Path, arguments: list[str], message: str) -> None:
    arguments = [str(tmp_path / a) if a == "x" else a for a in arguments]
    result = runner.invoke(app, ["review", str(CONFIG), "--data", str(FIXTURE), *arguments])
    assert result.exit_code == 2
    assert message in result.output


def test_review_team_must_be_a_roster_column(tmp_path: Path) -> None:
    folder = copy_fixture(tmp_path)
    text = (folder / "review.yaml").read_text().replace("  step: 0.5\n", "  step: 0.5\n  team: teem\n")
    (folder / "review.yaml").write_text(text)
    result = runner.invoke(
        app, ["review", str(folder / "review.yaml"), "--all", "--out", str(tmp_path / "o")]
    )
    assert result.exit_code == 2
    line = text.splitlines().index("  team: teem") + 1
    assert (
        f"review.yaml:{line}: review.team: `teem` is not a roster column; did you mean `team`?"
        in result.output
    )


def test_review_key_typo_is_a_did_you_mean(tmp_path: Path) -> None:
    folder = copy_fixture(tmp_path)
    text = (folder / "review.yaml").read_text().replace("step: 0.5", "stepp: 0.5")
    (folder / "review.yaml").write_text(text)
    result = runner.invoke(
        app, ["review", str(folder / "review.yaml"), "--all", "--out", str(tmp_path / "o")]
    )
    assert result.exit_code == 2
    assert "review.stepp: unknown key; did you mean `step`?" in result.output


# --- the small pieces -----------------------------------------------------------------------------


@given(
    value=st.floats(min_value=-1000, max_value=1000),
    team=st.floats(min_value=-1000, max_value=1000),
    full=st.floats(min_value=-1000, max_value=1000),
    step=st.floats(min_value=0.01, max_value=1),
    better=st.sampled_from(["higher", "lower"]),
)
def test_a_suggestion_moves_toward_better_and_never_past_its_aim(
    value: float, team: float, full: float, step: float, better: str
) -> None:
    picked = suggest_target(value, team, full, better, step)
    if picked is None:  # already at or beyond both the team quantile and full points
        worse_or_equal = (
            (lambda a: a <= value + 1e-9) if better == "higher" else (lambda a: a >= value - 1e-9)
        )
        assert worse_or_equal(team) and worse_or_equal(full)
        return
    target, aim, _ = picked
    low, high = sorted((value, aim))
    assert low - 1e-9 <= target <= high + 1e-9
    assert (target >= value) if better == "higher" else (target <= value)
    assert abs(target - (value + step * (aim - value))) <= 1e-9 * max(1.0, abs(aim), abs(value))


def test_full_points_value() -> None:
    assert (
        full_points_value(PointsRule.model_validate({"linear": {"floor": 600, "target": 300}}), "lower")
        == 300
    )
    bands = PointsRule.model_validate({"bands": [[40, 100], [35, 80], [60, 100]]})
    assert full_points_value(bands, "higher") == 40  # the easiest value that still earns 100
    assert full_points_value(bands, "lower") == 60
    assert full_points_value(PointsRule.model_validate({"percentile": {}}), "higher") is None


def test_strongest_and_weakest_never_overlap(fixture_reviews: dict[str, AgentReview]) -> None:
    for review in fixture_reviews.values():
        strong, weak = pick_strongest_weakest(review.metrics, 3, 3)
        assert not set(strong) & set(weak)
        assert len(strong) + len(weak) == 3
        assert all(review.metric(m).lost > 0 for m in weak)
        assert pick_moved(review.metrics, 1) == review.moved[:1]


def test_page_names_are_safe_and_distinct() -> None:
    taken: set[str] = set()
    assert page_name("A1012", taken) == "A1012.html"
    assert page_name("../etc/passwd", taken) == "etc_passwd.html"
    assert page_name("a/b", taken) == "a_b.html"
    assert page_name("a b", taken) == "a_b_2.html"
    assert page_name("index", taken) == "index_2.html"
    assert page_name("张三", taken) == "张三.html"


def test_render_is_deterministic(fixture_reviews: dict[str, AgentReview]) -> None:
    assert render_review(fixture_reviews["A1"]) == render_review(fixture_reviews["A1"])
