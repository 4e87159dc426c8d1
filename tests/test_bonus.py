"""Bonuses: tiers, payouts (fixed, percent, pool share), gates, pro-rating, cap and budget.

The fixture data make each agent's score equal to a number chosen in the test (one metric, linear
0 → 100 with weight 100), so every expected amount below is worked out by hand from the scheme.
"""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from csperf.api import run_score
from csperf.bonus import bonus_rows, bonus_summary, compute_bonus, place
from csperf.bonus_config import Tier
from csperf.cli import app
from csperf.config import load_config
from csperf.errors import ConfigError, DataError
from csperf.leaderboard import leaderboards

BASE = """\
name: bonus test
roster:
  path: roster.csv
  columns:
    agent_id: id
    name: name
    team: team
    base_salary: {from: salary, type: number, required: false}
    hired_on: {from: hired, type: date}
    left_on: {from: left, type: date, required: false}
sources:
  results:
    path: results.csv
    columns:
      agent_id: id
      day: {from: day, type: date}
      value: {from: value, type: number}
      violations: {from: violations, type: int}
      complaints: {from: complaints, type: int}
    timestamp: day
measures:
  value_mean: {source: results, agg: mean, value: value}
  violations: {source: results, agg: sum, value: violations}
  complaints: {source: results, agg: sum, value: complaints}
metrics:
  quality: {formula: value_mean, unit: score}
  complaint_count: {formula: complaints, unit: count, better: lower}
scorecards:
  main:
    categories:
      all:
        weight: 100
        metrics:
          quality: {weight: 100, points: {linear: {floor: 0, target: 100}}}
"""

# (id, score, violations, complaints, salary, hired, left)
Agent = tuple[str, float, int, int, str, str, str]


def agent(
    agent_id: str,
    score: float,
    violations: int = 0,
    complaints: int = 0,
    salary: str = "5000",
    hired: str = "2024-01-01",
    left: str = "",
) -> Agent:
    return (agent_id, score, violations, complaints, salary, hired, left)


def make(tmp_path: Path, bonus: str, agents: list[Agent], extra: str = "") -> Path:
    """A config plus data in which agent i's score is exactly the given number."""
    with (tmp_path / "roster.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "name", "team", "salary", "hired", "left"])
        for i, (agent_id, _, _, _, salary, hired, left) in enumerate(agents):
            writer.writerow([agent_id, f"name{i}", "red" if i % 2 == 0 else "blue", salary, hired, left])
    with (tmp_path / "results.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "day", "value", "violations", "complaints"])
        for agent_id, score, violations, complaints, *_ in agents:
            # Two rows per agent spanning October, so the data's own period is 2026-10-01..10-31.
            writer.writerow([agent_id, "2026-10-01", score, violations, 0])
            writer.writerow([agent_id, "2026-10-31", score, 0, complaints])
    path = tmp_path / "c.yaml"
    path.write_text(BASE + bonus + extra, encoding="utf-8")
    return path


def amounts(path: Path) -> dict[str, dict[str, Any]]:
    result = run_score(path)
    assert result.bonus is not None
    return {row["agent_id"]: row for row in result.bonus.iter_rows(named=True)}


TWO_TIERS = """\
bonus:
  tiers:
    - {name: top, at_least: 80, pay: {fixed: 1000}}
    - {name: base, at_least: 60, pay: {fixed: 300}}
"""


def test_fixed_pay_by_tier(tmp_path: Path) -> None:
    path = make(tmp_path, TWO_TIERS, [agent("A", 90), agent("B", 70), agent("C", 50)])
    got = amounts(path)
    assert (got["A"]["tier"], got["A"]["amount"]) == ("top", 1000)
    assert (got["B"]["tier"], got["B"]["amount"]) == ("base", 300)
    assert (got["C"]["tier"], got["C"]["amount"], got["C"]["outcome"]) == (None, 0, "below every tier")
    assert got["A"]["rule"] == "score 90.00 ≥ 80 → top"
    assert got["C"]["rule"] == "score 50.00 < 60 — below every tier"


def test_agent_exactly_on_a_tier_line_is_in_the_tier(tmp_path: Path) -> None:
    path = make(tmp_path, TWO_TIERS, [agent("A", 80), agent("B", 60), agent("C", 59.99)])
    got = amounts(path)
    assert got["A"]["tier"] == "top"
    assert got["B"]["tier"] == "base"
    assert got["C"]["tier"] is None


def test_placement_ignores_float_noise_below_the_line() -> None:
    tiers = [Tier(name="top", at_least=85), Tier(name="base", at_least=60)]
    assert place(84.99999999999999, tiers).name == "top"  # type: ignore[union-attr]
    assert place(84.999, tiers).name == "base"  # type: ignore[union-attr]
    assert place(None, tiers) is None


def test_percent_of_base_salary(tmp_path: Path) -> None:
    bonus = """\
bonus:
  tiers:
    - {name: base, at_least: 60, pay: {percent_of: {column: base_salary, percent: 12.5}}}
"""
    path = make(tmp_path, bonus, [agent("A", 75, salary="6400"), agent("B", 61, salary="4800")])
    got = amounts(path)
    assert got["A"]["pay_percent"] == pytest.approx(6400 * 0.125)  # 800
    assert got["B"]["amount"] == pytest.approx(600)


def test_missing_salary_for_a_paid_agent_is_a_data_error(tmp_path: Path) -> None:
    bonus = """\
bonus:
  tiers:
    - {name: base, at_least: 60, pay: {percent_of: {column: base_salary, percent: 10}}}
"""
    path = make(tmp_path, bonus, [agent("A", 75, salary=""), agent("B", 40, salary="")])
    with pytest.raises(DataError) as info:
        run_score(path)
    assert info.value.problems == [
        "roster: `base_salary` is empty for agent A, who reaches tier `base` (paid 10% of it); fill it in"
    ]


@pytest.mark.parametrize(
    ("by", "expected"),
    [
        # pool 1200 among A (90) and B (85): by score 90/175 and 85/175 of the pool
        ("score", {"A": 1200 * 90 / 175, "B": 1200 * 85 / 175, "C": 0.0}),
        # by excess over the line 80: 10 and 5 → two thirds and one third
        ("excess", {"A": 800.0, "B": 400.0, "C": 0.0}),
        ("equal", {"A": 600.0, "B": 600.0, "C": 0.0}),
    ],
)
def test_pool_share(tmp_path: Path, by: str, expected: dict[str, float]) -> None:
    bonus = f"""\
bonus:
  tiers:
    - {{name: top, at_least: 80, pay: {{pool_share: {{pool: 1200, by: {by}}}}}}}
    - {{name: base, at_least: 60, pay: {{fixed: 100}}}}
"""
    path = make(tmp_path, bonus, [agent("A", 90), agent("B", 85), agent("C", 70)])
    got = amounts(path)
    for agent_id, pool in expected.items():
        assert got[agent_id]["pay_pool"] == pytest.approx(pool)
    assert got["C"]["amount"] == pytest.approx(100)
    assert sum(got[a]["pay_pool"] for a in "AB") == pytest.approx(1200)


def test_pool_by_excess_pays_nothing_extra_exactly_on_the_line(tmp_path: Path) -> None:
    bonus = """\
bonus:
  tiers:
    - {name: top, at_least: 80, pay: {fixed: 500, pool_share: {pool: 900, by: excess}}}
"""
    path = make(tmp_path, bonus, [agent("A", 80), agent("B", 89), agent("C", 83)])
    got = amounts(path)
    # excess 0, 9 and 3: B gets 9/12 of 900, C 3/12, A only the fixed part
    assert got["A"]["amount"] == pytest.approx(500)
    assert got["B"]["amount"] == pytest.approx(500 + 675)
    assert got["C"]["amount"] == pytest.approx(500 + 225)


def test_pool_by_excess_with_everyone_on_the_line_is_split_evenly(tmp_path: Path) -> None:
    bonus = """\
bonus:
  tiers:
    - {name: top, at_least: 80, pay: {pool_share: {pool: 900, by: excess}}}
"""
    got = amounts(make(tmp_path, bonus, [agent("A", 80), agent("B", 80)]))
    assert got["A"]["amount"] == pytest.approx(450)
    assert got["B"]["amount"] == pytest.approx(450)


def test_tied_agents_share_a_pool_equally_and_share_a_leaderboard_rank(tmp_path: Path) -> None:
    bonus = """\
bonus:
  tiers:
    - {name: top, at_least: 80, pay: {pool_share: {pool: 1000, by: score}}}
"""
    path = make(tmp_path, bonus, [agent("A", 88), agent("B", 88), agent("C", 70)])
    result = run_score(path)
    assert result.bonus is not None
    got = {r["agent_id"]: r["amount"] for r in result.bonus.iter_rows(named=True)}
    assert got == {"A": pytest.approx(500), "B": pytest.approx(500), "C": 0}
    from csperf.bonus_config import Leaderboard

    (board,) = leaderboards(result, {"top1": Leaderboard(top=1)})
    # Competition ranking: both tied agents are rank 1, so a top-1 board lists both.
    assert [(e.rank, e.agent_id) for e in board.entries] == [(1, "A"), (1, "B")]


def test_budget_scales_every_amount_by_the_same_factor(tmp_path: Path) -> None:
    bonus = """\
bonus:
  tiers:
    - {name: top, at_least: 80, pay: {fixed: 1000}}
    - {name: base, at_least: 60, pay: {fixed: 500}}
  budget: 1500
"""
    path = make(tmp_path, bonus, [agent("A", 90), agent("B", 85), agent("C", 65)])
    result = run_score(path)
    got = amounts(path)
    # 1000 + 1000 + 500 = 2500 > 1500: factor 0.6
    assert {a: r["amount_before_budget"] for a, r in got.items()} == {"A": 1000, "B": 1000, "C": 500}
    assert {a: r["budget_scale"] for a, r in got.items()} == {
        "A": pytest.approx(0.6),
        "B": pytest.approx(0.6),
        "C": pytest.approx(0.6),
    }
    assert got["C"]["amount"] == pytest.approx(300)
    summary = bonus_summary(result)
    assert summary["total_before_budget"] == 2500
    assert summary["total"] == pytest.approx(1500)
    assert summary["budget_scale"] == pytest.approx(0.6)


def test_budget_not_reached_leaves_amounts_alone(tmp_path: Path) -> None:
    bonus = TWO_TIERS + "  budget: 5000\n"
    got = amounts(make(tmp_path, bonus, [agent("A", 90), agent("B", 70)]))
    assert got["A"]["budget_scale"] == 1.0
    assert got["A"]["amount"] == 1000


def test_per_agent_cap_comes_before_the_budget(tmp_path: Path) -> None:
    bonus = """\
bonus:
  tiers:
    - {name: top, at_least: 80, pay: {fixed: 1000, pool_share: {pool: 3000, by: equal}}}
  cap: 2000
  budget: 3000
"""
    got = amounts(make(tmp_path, bonus, [agent("A", 90), agent("B", 85)]))
    # each 1000 + 1500 = 2500, capped at 2000; total 4000 > 3000: × 0.75 → 1500 each
    assert got["A"]["capped"] is True
    assert got["A"]["amount_before_budget"] == 2000
    assert got["A"]["amount"] == pytest.approx(1500)


GATES = """\
bonus:
  tiers:
    - {name: top, at_least: 80, pay: {fixed: 1000}}
    - {name: base, at_least: 60, pay: {fixed: 300}}
  gates:
    - {name: compliance red line, when: "violations > 0", effect: block}
    - {name: one complaint, when: "complaints = 1", effect: cap, cap_at: base}
"""


def test_gate_blocks_whatever_the_score(tmp_path: Path) -> None:
    got = amounts(make(tmp_path, GATES, [agent("A", 95, violations=2), agent("B", 40, violations=1)]))
    assert got["A"]["reached"] == "top"
    assert got["A"]["tier"] is None
    assert got["A"]["amount"] == 0
    assert got["A"]["outcome"] == "blocked by `compliance red line`"
    assert got["A"]["gates"] == [
        {"name": "compliance red line", "effect": "block", "cap_at": None, "detail": "violations = 2"}
    ]
    # a gate also fires (and is shown) below every tier
    assert got["B"]["outcome"] == "below every tier"
    assert [g["name"] for g in got["B"]["gates"]] == ["compliance red line"]


def test_gate_caps_the_tier(tmp_path: Path) -> None:
    got = amounts(make(tmp_path, GATES, [agent("A", 95, complaints=1), agent("B", 65, complaints=1)]))
    assert (got["A"]["reached"], got["A"]["tier"], got["A"]["amount"]) == ("top", "base", 300)
    assert got["A"]["outcome"] == "capped at base by `one complaint` (reached top)"
    # already at or below the cap: the gate fires but changes nothing
    assert (got["B"]["tier"], got["B"]["amount"], got["B"]["outcome"]) == ("base", 300, "tier base")


def test_block_wins_over_cap(tmp_path: Path) -> None:
    got = amounts(make(tmp_path, GATES, [agent("A", 95, violations=1, complaints=1)]))
    assert got["A"]["tier"] is None
    assert [g["name"] for g in got["A"]["gates"]] == ["compliance red line", "one complaint"]


def test_prorating_by_roster_dates_within_the_datas_period(tmp_path: Path) -> None:
    bonus = TWO_TIERS + "  prorate: {hired: hired_on, left: left_on}\n"
    agents = [
        agent("A", 90, hired="2026-10-17"),  # 17..31 October: 15 of 31 days
        agent("B", 90, left="2026-10-10"),  # 1..10 October: 10 days
        agent("C", 90, hired="2025-01-01"),  # the whole month
        agent("D", 90, hired="2026-11-02"),  # not yet employed
    ]
    got = amounts(make(tmp_path, bonus, agents))
    assert (got["A"]["employed_days"], got["A"]["amount"]) == (15, pytest.approx(1000 * 15 / 31))
    assert (got["B"]["employed_days"], got["B"]["amount"]) == (10, pytest.approx(1000 * 10 / 31))
    assert got["C"]["amount"] == 1000
    assert got["D"]["amount"] == 0


def test_gate_on_hire_date_uses_the_period(tmp_path: Path) -> None:
    bonus = TWO_TIERS + (
        '  gates:\n    - {name: new hire, when: "hired_on > period_start", effect: cap, cap_at: base}\n'
    )
    got = amounts(make(tmp_path, bonus, [agent("A", 90, hired="2026-10-05"), agent("B", 90)]))
    assert got["A"]["tier"] == "base"
    assert got["A"]["gates"][0]["detail"] == "hired_on = 2026-10-05, period_start = 2026-10-01"
    assert got["B"]["tier"] == "top"


def test_basis_can_be_a_metric(tmp_path: Path) -> None:
    bonus = """\
bonus:
  basis: quality
  tiers:
    - {name: base, at_least: 60, pay: {fixed: 100}}
"""
    got = amounts(make(tmp_path, bonus, [agent("A", 61), agent("B", 59)]))
    assert got["A"]["basis_value"] == 61
    assert got["A"]["rule"] == "quality 61 ≥ 60 → base"
    assert got["B"]["tier"] is None


# --- outputs ------------------------------------------------------------------------------------


def test_bonus_rows_csv_json_and_terminal(tmp_path: Path) -> None:
    path = make(
        tmp_path, GATES + "  budget: 1000\n", [agent("A", 90), agent("B", 70), agent("C", 95, violations=1)]
    )
    out_csv, out_json = tmp_path / "bonus.csv", tmp_path / "r.json"
    runner = CliRunner()
    run = runner.invoke(
        app, ["score", str(path), "--table", "--bonus-out", str(out_csv), "-o", str(out_json)]
    )
    assert run.exit_code == 0, run.output
    assert "Bonus" in run.output
    assert "1,300.00 exceeds the budget 1,000.00" in run.output
    with out_csv.open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    by_agent = {r["agent_id"]: r for r in rows}
    # A 1000 and B 300 before the budget; 1300 > 1000 scales them by 1000/1300
    assert float(by_agent["A"]["amount_before_budget"]) == 1000
    assert float(by_agent["A"]["amount"]) == pytest.approx(round(1000 * 1000 / 1300, 2))
    assert by_agent["C"]["gates_fired"] == "compliance red line (block): violations = 1"
    assert by_agent["C"]["amount"] == "0.0"
    document = json.loads(out_json.read_text(encoding="utf-8"))
    assert document["bonus"]["summary"]["budget_scale"] == pytest.approx(1000 / 1300, abs=1e-6)
    gate = next(a for a in document["bonus"]["agents"] if a["agent_id"] == "C")["gates"][0]
    assert gate == {
        "name": "compliance red line",
        "effect": "block",
        "cap_at": None,
        "values": {"violations": 1},
    }


def test_bonus_rows_are_flat_and_complete(tmp_path: Path) -> None:
    result = run_score(make(tmp_path, TWO_TIERS, [agent("A", 90), agent("B", 10)]))
    rows = bonus_rows(result)
    assert [r["agent_id"] for r in rows] == ["A", "B"]
    assert set(rows[0]) >= {
        "rank",
        "agent_id",
        "name",
        "score",
        "tier",
        "rule",
        "gates_fired",
        "amount_before_budget",
        "budget_scale",
        "amount",
    }
    assert all(not isinstance(v, list | dict) for r in rows for v in r.values())


def test_bonus_out_without_a_bonus_section_exits_2(tmp_path: Path) -> None:
    path = make(tmp_path, "", [agent("A", 90)])
    run = CliRunner().invoke(app, ["score", str(path), "--bonus-out", str(tmp_path / "b.csv")])
    assert run.exit_code == 2
    assert "--bonus-out: the config has no `bonus:` section" in run.output


# --- config errors --------------------------------------------------------------------------------


def problems(tmp_path: Path, bonus: str) -> list[str]:
    path = make(tmp_path, bonus, [agent("A", 90)])
    with pytest.raises(ConfigError) as info:
        load_config(path)
    return info.value.problems


def line_of(tmp_path: Path, text: str) -> int:
    """The 1-based line of `text` in the written config."""
    lines = (tmp_path / "c.yaml").read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if text in line)


def test_overlapping_tiers(tmp_path: Path) -> None:
    bonus = """\
bonus:
  tiers:
    - {name: top, at_least: 80, pay: {fixed: 1000}}
    - {name: base, at_least: 60, below: 85, pay: {fixed: 300}}
"""
    found = problems(tmp_path, bonus)
    line = line_of(tmp_path, "name: base")
    assert found == [
        f"{tmp_path / 'c.yaml'}:{line}: bonus.tiers.1.below: tier `base` runs to 85, into `top` (from 80); "
        "they overlap — set below: 80 or leave it out"
    ]


def test_tiers_with_the_same_line_overlap(tmp_path: Path) -> None:
    bonus = """\
bonus:
  tiers:
    - {name: top, at_least: 80, pay: {fixed: 1000}}
    - {name: also, at_least: 80, pay: {fixed: 300}}
"""
    (found,) = problems(tmp_path, bonus)
    line = line_of(tmp_path, "name: also")
    assert found.endswith(
        f":{line}: bonus.tiers.1.at_least: tiers `top` and `also` both start at 80; "
        "they overlap — give them different lines"
    )


def test_tiers_out_of_order(tmp_path: Path) -> None:
    bonus = """\
bonus:
  tiers:
    - {name: base, at_least: 60, pay: {fixed: 300}}
    - {name: top, at_least: 85, pay: {fixed: 1000}}
"""
    (found,) = problems(tmp_path, bonus)
    assert (
        "bonus.tiers.1.at_least: tiers go from the highest line down, but `top` (85) comes after `base` (60)"
        in found
    )


def test_gap_between_tiers_needs_allow_gaps(tmp_path: Path) -> None:
    bonus = """\
bonus:
  tiers:
    - {name: top, at_least: 85, pay: {fixed: 1000}}
    - {name: base, at_least: 60, below: 80, pay: {fixed: 300}}
"""
    (found,) = problems(tmp_path, bonus)
    assert "bonus.tiers.1.below: tier `base` ends at 80 but `top` starts at 85" in found
    assert "set `allow_gaps: true`" in found
    path = make(tmp_path, bonus.replace("bonus:\n", "bonus:\n  allow_gaps: true\n"), [agent("A", 82)])
    assert amounts(path)["A"]["tier"] is None


def test_pool_without_an_amount(tmp_path: Path) -> None:
    bonus = """\
bonus:
  tiers:
    - name: top
      at_least: 80
      pay:
        pool_share: {by: excess}
"""
    found = problems(tmp_path, bonus)
    where = f"{tmp_path / 'c.yaml'}:{line_of(tmp_path, 'pool_share:')}"
    assert found == [
        f"{where}: bonus.tiers.0.pay.pool_share: a pool share "
        "needs the pool's amount, e.g. `pool_share: {pool: 50000, by: score}`"
    ]


def test_gate_on_an_unknown_metric(tmp_path: Path) -> None:
    bonus = """\
bonus:
  tiers:
    - {name: top, at_least: 80, pay: {fixed: 1000}}
  gates:
    - name: red line
      when: "violation > 0"
"""
    found = problems(tmp_path, bonus)
    where = f"{tmp_path / 'c.yaml'}:{line_of(tmp_path, 'when:')}"
    assert found == [
        f"{where}: bonus.gates.0.when: `violation` is not a measure, "
        "metric, category or roster column; did you mean `violations`?"
    ]


def test_more_bonus_mistakes_are_reported_together(tmp_path: Path) -> None:
    bonus = """\
bonus:
  basis: qualty
  tiers:
    - {name: top, at_least: 80, pay: {percent_of: {column: salary, percent: 10}}}
    - {name: base, at_least: 60, pay: {}}
  gates:
    - {name: g1, when: "violations > 0", effect: cap}
    - {name: g2, when: "violations > 1", effect: cap, cap_at: bse}
  prorate: {hired: hired}
leaderboards:
  teams: {top: 3, per: squad}
"""
    found = problems(tmp_path, bonus)
    text = "\n".join(found)
    assert "bonus.basis: `qualty` is neither `score` nor a metric; did you mean `quality`?" in text
    assert "bonus.tiers.0.pay.percent_of.column: `salary` is not a roster column" in text
    assert "bonus.tiers.1.pay: give at least one of fixed, percent_of, pool_share" in text
    assert "bonus.gates.0.effect: effect `cap` needs `cap_at:`" in text
    assert "bonus.gates.1.cap_at: unknown tier `bse`; did you mean `base`?" in text
    assert "bonus.prorate.hired: `hired` is not a roster column; did you mean `hired_on`?" in text
    assert "leaderboards.teams.per: `squad` is not a roster column" in text
    assert len(found) == 7


def test_percent_basis_written_as_a_percentage(tmp_path: Path) -> None:
    extra = "  rate: {ratio: [violations, complaints], unit: percent}\n"
    config = BASE.replace("\nmetrics:\n", "\nmetrics:\n" + extra, 1)
    bonus = "bonus:\n  basis: rate\n  tiers:\n    - {name: base, at_least: 60, pay: {fixed: 1}}\n"
    path = tmp_path / "c.yaml"
    path.write_text(config + bonus, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert info.value.problems[0].endswith(
        "bonus.tiers.0.at_least: `rate` is a percent metric, stored as a fraction; write 0.6 for 60%"
    )


def test_bad_bonus_config_exits_2_on_the_command_line(tmp_path: Path) -> None:
    bonus = TWO_TIERS.replace("at_least: 60", "at_least: 80")
    path = make(tmp_path, bonus, [agent("A", 90)])
    for command in (["score", str(path)], ["validate", str(path)], ["explain", str(path), "A"]):
        run = CliRunner().invoke(app, command)
        assert run.exit_code == 2, command
        assert (
            f"{path}:{line_of(tmp_path, 'name: base')}: bonus.tiers.1.at_least: tiers `top` and `base`"
            in run.output
        )


def test_unknown_bonus_key_suggests_the_right_one(tmp_path: Path) -> None:
    found = problems(tmp_path, TWO_TIERS + "  budgt: 100\n")
    where = f"{tmp_path / 'c.yaml'}:{line_of(tmp_path, 'budgt')}"
    assert found == [f"{where}: bonus.budgt: unknown key; did you mean `budget`?"]


# --- the arithmetic, for any inputs ------------------------------------------------------------------


SCHEME = """\
bonus:
  tiers:
    - {name: top, at_least: 80, pay: {fixed: 700, pool_share: {pool: 5000, by: score}}}
    - {name: mid, at_least: 60, pay: {percent_of: {column: base_salary, percent: 10}}}
    - {name: low, at_least: 40, pay: {pool_share: {pool: 800, by: excess}}}
  cap: 3000
  budget: 9000
"""


@pytest.fixture(scope="module")
def scheme(tmp_path_factory: pytest.TempPathFactory) -> Any:
    path = make(tmp_path_factory.mktemp("scheme"), SCHEME, [agent("A", 50)])
    return load_config(path)


def expected_amounts(scores: list[float], salaries: list[float]) -> list[float]:
    """The scheme above, computed independently in plain Python."""
    tiers = ["top" if s >= 80 else "mid" if s >= 60 else "low" if s >= 40 else None for s in scores]
    top_total = sum(s for s, t in zip(scores, tiers, strict=True) if t == "top")
    low = [s - 40 for s, t in zip(scores, tiers, strict=True) if t == "low"]
    low_total, low_count = sum(low), len(low)
    raw = []
    for s, salary, t in zip(scores, salaries, tiers, strict=True):
        if t == "top":
            amount = 700 + 5000 * s / top_total
        elif t == "mid":
            amount = salary * 0.10
        elif t == "low":
            amount = 800 * (s - 40) / low_total if low_total > 0 else 800 / low_count
        else:
            amount = 0.0
        raw.append(min(amount, 3000))
    total = sum(raw)
    factor = 9000 / total if total > 9000 else 1.0
    return [a * factor for a in raw]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.floats(min_value=0, max_value=100, allow_nan=False).map(lambda x: round(x, 3)),
            st.integers(min_value=3000, max_value=20000),
        ),
        min_size=1,
        max_size=25,
    )
)
def test_payouts_match_an_independent_calculation(scheme: Any, agents: list[tuple[float, int]]) -> None:
    frame = pl.DataFrame(
        {
            "agent_id": [f"X{i:03d}" for i in range(len(agents))],
            "score": [float(s) for s, _ in agents],
            "base_salary": [float(b) for _, b in agents],
        }
    )
    result = compute_bonus(scheme, frame)
    want = expected_amounts([s for s, _ in agents], [float(b) for _, b in agents])
    got = result["amount"].to_list()
    assert got == pytest.approx(want, rel=1e-9, abs=1e-9)
    assert sum(got) <= 9000 + 1e-6
    assert all(a >= 0 for a in got)
    scale = result["budget_scale"][0]
    assert 0 < scale <= 1
    if scale < 1:
        assert math.isclose(sum(got), 9000, rel_tol=1e-9)
