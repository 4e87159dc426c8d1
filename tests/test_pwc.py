"""The real PwC "Call Centre Trends" workbook: csperf's per-agent figures against DuckDB.

csperf reads the original xlsx through configs/pwc_call_centre.yaml; DuckDB independently
computes the same figures with plain SQL from the CSV copy of the same 5,000 rows
(tests/data/pwc/call_center_pwc.csv, see examples/pwc/PROVENANCE.md).
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from csperf.api import run_score

ROOT = Path(__file__).resolve().parent.parent
CSV = Path(__file__).parent / "data" / "pwc" / "call_center_pwc.csv"

QUERY = """
SELECT
  Agent AS agent,
  count(*) AS offered,
  count(*) FILTER (WHERE "Answered (Y/N)" = 'Y') AS answered,
  count(*) FILTER (WHERE "Answered (Y/N)" = 'N') AS abandoned,
  avg("Speed of answer in seconds") FILTER (WHERE "Answered (Y/N)" = 'Y') AS asa,
  avg("Satisfaction rating") AS csat,
  count(*) FILTER (WHERE Resolved = 'Y') / count(*) AS resolution_rate,
  avg(epoch(CAST(AvgTalkDuration AS TIME))) FILTER (WHERE "Answered (Y/N)" = 'Y') AS aht
FROM read_csv(?, header = true, all_varchar = false)
GROUP BY Agent
"""


@pytest.fixture(scope="module")
def both() -> tuple[dict[str, dict[str, float]], dict[str, dict[str, object]]]:
    rows = duckdb.execute(QUERY, [str(CSV)]).fetchall()
    names = ["agent", "offered", "answered", "abandoned", "asa", "csat", "resolution_rate", "aht"]
    expected = {r[0]: dict(zip(names, r, strict=True)) for r in rows}
    result = run_score(ROOT / "configs" / "pwc_call_centre.yaml", ROOT / "examples" / "pwc")
    actual = {row["agent_id"]: row for row in result.agents.to_dicts()}
    return expected, actual


def test_same_agents(both: tuple[dict, dict]) -> None:  # type: ignore[type-arg]
    expected, actual = both
    assert (
        set(expected) == set(actual) == {"Becky", "Dan", "Diane", "Greg", "Jim", "Joe", "Martha", "Stewart"}
    )


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        ("offered", "offered"),
        ("answered", "answered"),
        ("abandoned", "abandoned"),
        ("asa", "asa"),
        ("csat", "csat"),
        ("resolution_rate", "resolution_rate"),
        ("aht", "aht"),
    ],
)
def test_figures_match_duckdb(both: tuple[dict, dict], ours: str, theirs: str) -> None:  # type: ignore[type-arg]
    expected, actual = both
    for agent, figures in expected.items():
        assert actual[agent][ours] == pytest.approx(figures[theirs], rel=1e-12), agent


def test_answer_rate_is_answered_over_offered(both: tuple[dict, dict]) -> None:  # type: ignore[type-arg]
    expected, actual = both
    for agent, figures in expected.items():
        assert actual[agent]["answer_rate"] == pytest.approx(figures["answered"] / figures["offered"])


def test_published_figures(both: tuple[dict, dict]) -> None:  # type: ignore[type-arg]
    # Published with the case study: Martha mean CSAT 3.47, Joe ASA 70.99 s, Dan resolved 74.4%.
    _, actual = both
    assert round(actual["Martha"]["csat"], 2) == 3.47
    assert round(actual["Joe"]["asa"], 2) == 70.99
    assert round(actual["Dan"]["resolution_rate"] * 100, 1) == 74.4


def test_row_accounting(both: tuple[dict, dict]) -> None:  # type: ignore[type-arg]
    result = run_score(ROOT / "configs" / "pwc_call_centre.yaml", ROOT / "examples" / "pwc")
    quality = result.data_quality.sources["calls"]
    assert quality.rows_read == 5000
    assert quality.rows_used + quality.rows_rejected + quality.duplicates == 5000
