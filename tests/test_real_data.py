"""Real public call-centre data, scored with the shipped configs and checked against DuckDB.

The messy labels of the weserve data (pEnding/CLOSED, in-bound/Inbound) are handled by value maps
in configs/weserve_messy.yaml; the files are used exactly as published (examples/*/PROVENANCE.md).
Expected figures are computed here from the raw files by an independent route (SQL in DuckDB).
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import duckdb
import polars as pl
import pytest
import yaml
from typer.testing import CliRunner

from csperf.api import run_score
from csperf.cli import app
from csperf.config import Config
from csperf.sources import ROW, STATUS, read_source

ROOT = Path(__file__).resolve().parents[1]
WESERVE = ROOT / "examples" / "weserve"
REPS = ROOT / "examples" / "reps_sales"
REAL = ROOT / "tests" / "data" / "real"


def sql(query: str) -> list[tuple[object, ...]]:
    return duckdb.sql(query).fetchall()


def test_weserve_rows_and_the_corrupted_call_id() -> None:
    result = run_score(ROOT / "configs" / "weserve_messy.yaml")
    log, details = result.data_quality.sources["log"], result.data_quality.sources["details"]
    assert (log.rows_read, log.rows_used, log.rows_rejected) == (600, 600, 0)
    assert (details.rows_read, details.rows_used) == (600, 599)
    assert details.rejected == {"call_id (callID): not a valid int": 1}
    rejects = run_score(ROOT / "configs" / "weserve_messy.yaml", keep_rejects=True).rejects["details"]
    assert rejects.select("source_row", "call_id").rows() == [(2, "ageentsGradeLevel")]


def test_weserve_value_maps_fold_the_messy_labels() -> None:
    config = Config.model_validate(
        yaml.safe_load((ROOT / "configs" / "weserve_messy.yaml").read_text(encoding="utf-8"))
    )
    log = read_source(config, "log", WESERVE).frame.collect()
    details = read_source(config, "details", WESERVE).frame.collect()
    statuses = dict(log.group_by("status").len().iter_rows())
    raw_status = dict(sql(f"SELECT lower(status), count(*) FROM '{WESERVE / 'call log.csv'}' GROUP BY 1"))
    assert statuses == raw_status == {"pending": 212, "closed": 187, "resolved": 105, "new": 96}
    types = dict(details.filter(pl.col(STATUS).is_null()).group_by("call_type").len().iter_rows())
    # row 2 (Inbound) is rejected, so 193 + 199 - 1 inbound calls remain
    assert types == {"inbound": 391, "outbound": 208}


def test_weserve_metrics_match_duckdb() -> None:
    result = run_score(ROOT / "configs" / "weserve_messy.yaml")
    ours = {r["agent_id"]: r for r in result.metrics.to_dicts()}
    log, details = WESERVE / "call log.csv", WESERVE / "call details.csv"
    expected = sql(
        f"""
        WITH d AS (
          SELECT CASE WHEN regexp_full_match(callID, '[0-9]+') THEN callID END AS id,
                 callDurationInSeconds AS secs, callEndedByAgent AS by_agent
          FROM read_csv('{details}', all_varchar=true, header=true)
        ), l AS (
          SELECT CAST(id AS INTEGER) AS id, agentID AS agent, lower(status) AS status,
                 TRY_CAST(resolutionDurationInHours AS DOUBLE) AS hours
          FROM read_csv('{log}', all_varchar=true, header=true)
        ), per_log AS (
          SELECT agent, count(*) AS complaints,
                 count(*) FILTER (WHERE status IN ('resolved', 'closed')) AS closed,
                 sum(hours) * 3600 AS resolution_s, count(hours) AS timed
          FROM l GROUP BY agent
        ), per_call AS (
          SELECT l.agent, count(*) AS calls, sum(CAST(d.secs AS DOUBLE)) AS talk_s,
                 count(*) FILTER (WHERE d.by_agent = 'TRUE') AS hangups
          FROM d JOIN l ON d.id = CAST(l.id AS VARCHAR) GROUP BY l.agent
        )
        SELECT per_log.agent, closed / complaints, resolution_s / NULLIF(timed, 0),
               talk_s / calls, hangups / calls
        FROM per_log LEFT JOIN per_call USING (agent)
        """
    )
    assert len(expected) == len(ours) == 61
    for agent, resolution_rate, resolution_time, aht, hangup_rate in expected:
        row = ours[str(agent)]
        assert row["resolution_rate"] == pytest.approx(resolution_rate)
        assert row["resolution_time"] == (None if resolution_time is None else pytest.approx(resolution_time))
        assert row["aht"] == (None if aht is None else pytest.approx(aht))
        assert row["agent_hangup_rate"] == (None if hangup_rate is None else pytest.approx(hangup_rate))


def test_reps_sales_matches_duckdb() -> None:
    result = run_score(ROOT / "configs" / "reps_sales.yaml")
    ours = {r["agent_id"]: r for r in result.metrics.to_dicts()}
    expected = sql(
        f"""
        SELECT Representative, avg("Purchase Amount"), avg("Satisfaction Rating"),
               avg(CASE WHEN "Satisfaction Rating" >= 4 THEN 1.0 ELSE 0.0 END), avg(Duration) * 60, count(*)
        FROM '{REPS / "calls.csv"}' GROUP BY 1 ORDER BY 1
        """
    )
    assert [e[0] for e in expected] == sorted(ours) == ["R01", "R02", "R03", "R04", "R05"]
    for agent, revenue, csat, four_plus, aht, calls in expected:
        row = ours[str(agent)]
        assert row["revenue_per_call"] == pytest.approx(revenue)
        assert row["csat"] == pytest.approx(csat)
        assert row["csat_4plus"] == pytest.approx(four_plus)
        assert row["aht"] == pytest.approx(aht)
        assert row["calls"] == calls
    assert sum(r["calls"] for r in ours.values()) == 1000


def test_reps_workbook_header_is_found_on_row_3_beside_a_second_table() -> None:
    # Title in C1, header on row 3 from column B, a customer table to the right (its `Customer ID`
    # header repeats the main table's, which is fine as long as the config does not ask for it).
    config = Config.model_validate(
        {
            "sources": {
                "calls": {
                    "path": "reps_head.xlsx",
                    "sheet": "Data",
                    "columns": {
                        "call_id": "Call number",
                        "agent_id": "Representative",
                        "amount": {"from": "Purchase Amount", "type": "number"},
                    },
                }
            },
            "measures": {"n": {"source": "calls", "agg": "count"}},
            "metrics": {"m": {"ratio": ["n", "n"]}},
            "scorecards": {
                "s": {
                    "categories": {
                        "c": {"weight": 100, "metrics": {"m": {"weight": 100, "points": {"percentile": {}}}}}
                    }
                }
            },
        }
    )
    source = read_source(config, "calls", REAL)
    assert source.header_rows[REAL / "reps_head.xlsx"] == 3
    frame = source.frame.collect().sort(ROW)
    with (REPS / "calls.csv").open(encoding="utf-8", newline="") as handle:
        first = list(csv.DictReader(handle))[:40]
    assert frame[ROW].to_list() == list(range(4, 44))
    assert frame.select("call_id", "agent_id").rows() == [
        (r["Call number"], r["Representative"]) for r in first
    ]
    assert frame["amount"].to_list() == [float(r["Purchase Amount"]) for r in first]


def test_ticket_line_numbers_with_multiline_descriptions() -> None:
    # Kaggle support tickets: most descriptions are quoted and span several lines.
    path = REAL / "tickets_head.csv"
    config = Config.model_validate(
        {
            "sources": {
                "tickets": {
                    "path": path.name,
                    "columns": {
                        "ticket": {"from": "Ticket ID", "type": "int"},
                        "agent_id": "Ticket Channel",
                        "rating": {"from": "Customer Satisfaction Rating", "type": "number"},
                    },
                }
            },
            "measures": {"n": {"source": "tickets", "agg": "count"}},
            "metrics": {"m": {"ratio": ["n", "n"]}},
            "scorecards": {
                "s": {
                    "categories": {
                        "c": {"weight": 100, "metrics": {"m": {"weight": 100, "points": {"percentile": {}}}}}
                    }
                }
            },
        }
    )
    frame = read_source(config, "tickets", REAL).frame.collect().sort(ROW)
    # Independent route: a record starts on the line that begins with its ticket id and a comma.
    lines = path.read_text(encoding="utf-8").splitlines()
    starts = {int(m.group(1)): n for n, line in enumerate(lines, 1) if (m := re.match(r"^(\d+),[A-Z]", line))}
    assert frame.height == 25
    assert frame.select("ticket", ROW).rows() == sorted(starts.items())
    assert max(starts.values()) > 25 * 2  # the descriptions really do span lines
    reader = csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"), newline=""))
    assert frame["agent_id"].to_list() == [r["Ticket Channel"] for r in reader]


@pytest.mark.parametrize("config", ["weserve_messy.yaml", "reps_sales.yaml"])
def test_real_data_configs_score_from_the_command_line(config: str, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["score", str(ROOT / "configs" / config), "--out", str(tmp_path / "r.json")]
    )
    assert result.exit_code == 0, result.output
    result = CliRunner().invoke(app, ["validate", str(ROOT / "configs" / config)])
    assert result.exit_code == 0, result.output
    assert "OK: everything can be scored" in result.output
