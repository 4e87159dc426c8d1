"""The shipped invitation template (configs/invitation.yaml + examples/invitation) end to end.

Metrics are recomputed from the raw exports with DuckDB and the whole bonus table is recomputed in
plain Python from those numbers and the roster, then compared with what csperf produced.
"""

from __future__ import annotations

import csv
import datetime as dt
import importlib.util
import sys
from pathlib import Path
from typing import Any

import duckdb
import pytest
from typer.testing import CliRunner

from csperf.api import run_score
from csperf.cli import app
from csperf.leaderboard import leaderboards
from csperf.periods import parse_period
from csperf.pipeline import ScoreResult

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "configs" / "invitation.yaml"
DATA = ROOT / "examples" / "invitation"


@pytest.fixture(scope="module")
def result() -> ScoreResult:
    return run_score(CONFIG, DATA)


@pytest.fixture(scope="module")
def raw() -> dict[str, dict[str, Any]]:
    """Per agent, straight from the CSV files: sessions deduplicated by 会话ID."""
    con = duckdb.connect()
    chats = str(DATA / "chat_sessions.csv")
    visits = str(DATA / "store_visits.csv")
    rows = con.execute(
        f"""
        WITH s AS (
            SELECT DISTINCT * FROM read_csv('{chats}', header = true, all_varchar = true)
        ), rated AS (
            SELECT *, CASE 满意度评价 WHEN '非常满意' THEN 5 WHEN '满意' THEN 4 WHEN '一般' THEN 3
                      WHEN '不满意' THEN 2 WHEN '非常不满意' THEN 1 END AS csat
            FROM s
        ), v AS (
            SELECT 邀约坐席 AS agent, count(*) AS appointments,
                   count(*) FILTER (WHERE 到店状态 = '已到店') AS attended
            FROM read_csv('{visits}', header = true, all_varchar = true) GROUP BY 1
        )
        SELECT 客服工号 AS agent,
               count(*) AS sessions,
               count(*) FILTER (WHERE 是否有效邀约 = '是') AS invitations,
               count(*) FILTER (WHERE 是否有效邀约 = '是' AND 邀约结果 = '已接受') AS accepted,
               count(*) FILTER (WHERE 是否异常会话 = '是') AS abnormal,
               count(csat) AS ratings, sum(csat) AS rating_sum,
               any_value(v.appointments) AS appointments, any_value(v.attended) AS attended
        FROM rated LEFT JOIN v ON v.agent = rated.客服工号
        GROUP BY 1
        """
    ).fetchall()
    columns = ["agent", "sessions", "invitations", "accepted", "abnormal", "ratings", "rating_sum"]
    columns += ["appointments", "attended"]
    return {r[0]: dict(zip(columns, r, strict=True)) for r in rows}


@pytest.fixture(scope="module")
def roster() -> dict[str, dict[str, str]]:
    with (DATA / "roster.csv").open(encoding="utf-8-sig", newline="") as handle:
        return {r["工号"]: r for r in csv.DictReader(handle)}


def test_metrics_match_the_raw_exports(result: ScoreResult, raw: dict[str, dict[str, Any]]) -> None:
    agents = {r["agent_id"]: r for r in result.agents.iter_rows(named=True)}
    assert set(agents) == {a for a in raw if a != "BOT01"}
    assert result.data_quality.agents_not_in_roster == ["BOT01"]
    assert result.data_quality.sources["chats"].duplicates == 2
    for agent_id, row in agents.items():
        counts = raw[agent_id]
        assert row["invitation_success"] == pytest.approx(counts["accepted"] / counts["invitations"])
        assert row["abnormal_share"] == pytest.approx(counts["abnormal"] / counts["sessions"])
        assert row["attendance_rate"] == pytest.approx(counts["attended"] / counts["appointments"])
        assert row["csat"] == pytest.approx(counts["rating_sum"] / counts["ratings"])
        assert row["effective_invitations"] == counts["invitations"]


def expected_bonus(raw: dict[str, dict[str, Any]], roster: dict[str, dict[str, str]]) -> dict[str, float]:
    """configs/invitation.yaml's bonus, worked out in plain Python over the whole quarter."""
    first, last = dt.date(2026, 7, 1), dt.date(2026, 9, 30)
    days = (last - first).days + 1
    placed: dict[str, tuple[str | None, float, float]] = {}
    for agent_id, person in roster.items():
        c = raw[agent_id]
        success = c["accepted"] / c["invitations"]
        tier = "excellence" if success >= 0.85 else "base" if success >= 0.60 else None
        hired = dt.date.fromisoformat(person["入职日期"])
        blocked = c["abnormal"] / c["sessions"] > 0.03 or c["invitations"] < 100
        capped = c["rating_sum"] / c["ratings"] < 3.5 or hired > first
        if blocked:
            tier = None
        elif capped and tier == "excellence":
            tier = "base"
        left = dt.date.fromisoformat(person["离职日期"]) if person["离职日期"] else last
        employed = max(0, (min(left, last) - max(hired, first)).days + 1)
        placed[agent_id] = (tier, success, employed / days)
    pool_weights = {a: s * f for a, (t, s, f) in placed.items() if t == "excellence"}
    amounts = {}
    for agent_id, (tier, _, factor) in placed.items():
        amount = 0.0
        if tier == "excellence":
            amount = 1500 * factor + 15000 * pool_weights[agent_id] / sum(pool_weights.values())
        elif tier == "base":
            amount = float(roster[agent_id]["底薪"]) * 0.15 * factor
        amounts[agent_id] = min(amount, 6500)
    total = sum(amounts.values())
    scale = 50000 / total if total > 50000 else 1.0
    return {a: v * scale for a, v in amounts.items()}


def test_bonus_matches_an_independent_calculation(
    result: ScoreResult, raw: dict[str, dict[str, Any]], roster: dict[str, dict[str, str]]
) -> None:
    assert result.bonus is not None
    got = {r["agent_id"]: r["amount"] for r in result.bonus.iter_rows(named=True)}
    want = expected_bonus(raw, roster)
    assert got == pytest.approx(want)
    assert sum(1 for v in want.values() if v > 0) >= 20  # the example populates both tiers


def test_the_designed_cases(result: ScoreResult) -> None:
    assert result.bonus is not None
    rows = {r["agent_id"]: r for r in result.bonus.iter_rows(named=True)}
    # exactly on the lines: 170/200 and 117/195 (both exact in binary after rounding)
    assert rows["Y2016"]["basis_value"] == 0.85 and rows["Y2016"]["tier"] == "excellence"
    assert rows["Y2025"]["basis_value"] == 0.60 and rows["Y2025"]["tier"] == "base"
    assert (
        rows["Y2007"]["reached"] == "excellence"
        and rows["Y2007"]["outcome"] == "blocked by `abnormal sessions`"
    )
    assert rows["Y2030"]["outcome"] == "capped at base by `poor CSAT` (reached excellence)"
    assert rows["Y2018"]["outcome"] == "blocked by `too few invitations`"
    assert rows["Y2021"]["employed_days"] == 62  # 07-01..08-31
    assert rows["Y2004"]["capped"] is True


def test_leaderboards(
    result: ScoreResult, raw: dict[str, dict[str, Any]], roster: dict[str, dict[str, str]]
) -> None:
    champions, per_team = leaderboards(result)
    by_score = sorted(result.agents.select("agent_id", "score").iter_rows(), key=lambda r: -r[1])
    assert [e.agent_id for e in champions.entries] == [a for a, _ in by_score[:3]]
    assert [e.rank for e in champions.entries] == [1, 2, 3]
    for team in ("华东组", "华南组", "华北组"):
        members = [a for a, p in roster.items() if p["组别"] == team]
        success = sorted(members, key=lambda a: -raw[a]["accepted"] / raw[a]["invitations"])
        assert [e.agent_id for e in per_team.entries if e.group == team] == success[:3]


def test_a_month_of_the_quarter() -> None:
    september = run_score(CONFIG, DATA, period=parse_period("2026-09"))
    assert september.bonus is not None
    rows = {r["agent_id"]: r for r in september.bonus.iter_rows(named=True)}
    assert rows["Y2021"]["employed_days"] == 0  # left on 08-31
    assert rows["Y2021"]["amount"] == 0
    assert rows["Y2012"]["employed_days"] == 30  # hired 08-17: the whole of September
    assert all(g["name"] != "joined this period" for g in rows["Y2012"]["gates"])


def test_commands_run() -> None:
    runner = CliRunner()
    run = runner.invoke(app, ["score", str(CONFIG), "--data", str(DATA), "--table"])
    assert run.exit_code == 0, run.output
    assert "Bonus (CNY)" in run.output
    assert "within the budget 50,000.00" in run.output
    run = runner.invoke(app, ["leaderboard", str(CONFIG), "--data", str(DATA), "--lang", "en"])
    assert run.exit_code == 0, run.output
    assert run.output.startswith("Invitation champions — top 3 by score, 2026-07-01..2026-09-30")
    run = runner.invoke(app, ["leaderboard", str(CONFIG), "--data", str(DATA), "--per", "tema"])
    assert run.exit_code == 2
    assert "`tema` is not a roster column; did you mean `team`?" in run.output


def test_generator_reproduces_the_shipped_files(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location(
        "generate_invitation", ROOT / "examples" / "generate_invitation.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[spec.name]
    module.main(["--out", str(tmp_path)])
    for name in ("roster.csv", "chat_sessions.csv", "store_visits.csv"):
        assert (tmp_path / name).read_bytes() == (DATA / name).read_bytes(), name
