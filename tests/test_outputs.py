"""`csperf score` output: terminal table, CSV and JSON, determinism, safe cells, atomic writes."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from csperf.cli import app
from csperf.reports.atomic import atomic_path, neutralise

ROOT = Path(__file__).resolve().parent.parent
OUTBOUND = ROOT / "configs" / "outbound.yaml"
EXAMPLES = ROOT / "examples" / "outbound"


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.output


@pytest.fixture(scope="module")
def outbound_outputs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str]:
    folder = tmp_path_factory.mktemp("out")
    code, output = invoke(
        "score",
        str(OUTBOUND),
        "--data",
        str(EXAMPLES),
        "--out",
        str(folder / "r.csv"),
        "--out",
        str(folder / "r.json"),
        "--table",  # off a terminal, --out alone prints one summary line (issue 5)
    )
    assert code == 0, output
    return folder / "r.csv", folder / "r.json", output


def test_terminal_table_lists_every_agent(outbound_outputs: tuple[Path, Path, str]) -> None:
    _, _, output = outbound_outputs
    assert "Outbound preview dialing" in output
    assert (
        "calls: 51,012 rows read, 51,007 used, 2 rejected (agent_id: empty: 2), 3 duplicates removed"
        in output
    )
    # rates are percentages on screen
    assert "%" in output


def test_json_document(outbound_outputs: tuple[Path, Path, str]) -> None:
    _, path, _ = outbound_outputs
    document = json.loads(path.read_text(encoding="utf-8"))
    agents = document["agents"]
    assert len(agents) == 60
    assert [a["rank"] for a in agents] == sorted(a["rank"] for a in agents)
    first = agents[0]
    assert {"agent_id", "rank", "score", "metrics"} <= set(first)
    connect = first["metrics"]["connect_rate"]
    assert {"value", "points", "weight", "contribution"} <= set(connect)
    assert 0 < connect["value"] < 1  # a fraction, not a percentage
    for agent in agents:
        total = sum(m["contribution"] for m in agent["metrics"].values())
        assert total == pytest.approx(agent["score"], abs=1e-4)
    quality = document["data_quality"]["sources"]["calls"]
    assert quality["rows_read"] == quality["rows_used"] + quality["rows_rejected"] + quality["duplicates"] + (
        quality["rows_skipped"] + quality["outside_period"]
    )


def test_csv_one_row_per_agent_matches_json(outbound_outputs: tuple[Path, Path, str]) -> None:
    csv_path, json_path, _ = outbound_outputs
    with csv_path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    document = json.loads(json_path.read_text(encoding="utf-8"))
    assert len(rows) == 60
    assert {"rank", "agent_id", "score", "efficiency", "connect_rate", "connect_rate_points"} <= set(rows[0])
    by_id = {a["agent_id"]: a for a in document["agents"]}
    for row in rows:
        agent = by_id[row["agent_id"]]
        assert float(row["score"]) == pytest.approx(agent["score"])
        assert float(row["connect_rate"]) == pytest.approx(agent["metrics"]["connect_rate"]["value"])


def test_output_is_deterministic(tmp_path: Path, outbound_outputs: tuple[Path, Path, str]) -> None:
    csv_path, json_path, _ = outbound_outputs
    code, _ = invoke(
        "score",
        str(OUTBOUND),
        "--data",
        str(EXAMPLES),
        "--out",
        str(tmp_path / "again.json"),
        "--out",
        str(tmp_path / "again.csv"),
        "-q",
    )
    assert code == 0
    assert (tmp_path / "again.csv").read_bytes() == csv_path.read_bytes()
    assert (tmp_path / "again.json").read_text(encoding="utf-8") == json_path.read_text(encoding="utf-8")


def test_unknown_output_format_is_exit_2(tmp_path: Path) -> None:
    code, output = invoke("score", str(OUTBOUND), "--out", str(tmp_path / "r.docx"))
    assert code == 2
    assert "unknown report format '.docx'" in output
    assert not (tmp_path / "r.docx").exists()


def test_formula_like_cells_are_neutralised(tmp_path: Path) -> None:
    (tmp_path / "calls.csv").write_text('agent,ok\n=HYPERLINK("x"),Y\n+1,N\n@SUM(A1),Y\n-2,Y\n')
    (tmp_path / "c.yaml").write_text(
        "sources:\n  calls:\n    path: calls.csv\n"
        "    columns: {agent_id: agent, ok: {from: ok, type: bool}}\n"
        "measures:\n  n: {source: calls, agg: count}\n  ok: {source: calls, agg: count, where: ok}\n"
        "metrics:\n  rate: {ratio: [ok, n]}\n"
        "scorecards:\n  s:\n    categories:\n      c:\n        weight: 100\n        metrics:\n"
        "          rate: {weight: 100, points: {percentile: {}}}\n"
    )
    code, output = invoke("score", str(tmp_path / "c.yaml"), "--out", str(tmp_path / "r.csv"))
    assert code == 0, output
    with (tmp_path / "r.csv").open(encoding="utf-8-sig", newline="") as handle:
        ids = {row["agent_id"] for row in csv.DictReader(handle)}
    assert ids == {'\'=HYPERLINK("x")', "'+1", "'@SUM(A1)", "'-2"}


def test_neutralise_leaves_numbers_and_plain_text() -> None:
    assert neutralise(-3.5) == -3.5
    assert neutralise("A1001") == "A1001"
    assert neutralise("=1+1") == "'=1+1"


def test_atomic_write_keeps_previous_file_on_failure(tmp_path: Path) -> None:
    target = tmp_path / "report.csv"
    target.write_text("previous")
    with pytest.raises(RuntimeError), atomic_path(target) as temporary:
        temporary.write_text("half")
        raise RuntimeError("killed mid-write")
    assert target.read_text() == "previous"
    assert [p.name for p in tmp_path.iterdir()] == ["report.csv"]


def test_rejects_file_and_strict(tmp_path: Path) -> None:
    code, output = invoke("score", str(OUTBOUND), "--data", str(EXAMPLES), "--rejects", str(tmp_path), "-q")
    assert code == 0, output
    with (tmp_path / "calls.rejects.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 2
    assert all(r["reject_reason"] == "agent_id: empty" and int(r["source_row"]) > 1 for r in rows)
    assert {r["call_id"] for r in rows} == {"C202610080001", "C202610190001"}
    code, output = invoke("score", str(OUTBOUND), "--data", str(EXAMPLES), "--strict", "-q")
    assert code == 2
    assert "--strict: 2 rows were rejected" in output


def test_pretty_json_writes_what_the_standard_encoder_writes() -> None:
    from csperf.api import run_score
    from csperf.reports.json_report import pretty_json, result_document

    document = result_document(run_score(ROOT / "configs" / "outbound.yaml"))
    standard = json.dumps(document, ensure_ascii=False, indent=2, default=str)
    assert pretty_json(document) == standard
    odd = {"tiny": 1.5e-7, "big": 1e16, 3: "int key", "text": "合计 =1", "none": None, "nested": [[1, 2.5]]}
    assert json.loads(pretty_json(odd)) == json.loads(json.dumps(odd, ensure_ascii=False))


@given(
    st.lists(
        st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True), st.floats(-1e6, 1e6)),
        max_size=30,
    )
)
def test_cleaned_columns_clean_every_cell_as_clean_number(values: list[float | None]) -> None:
    from csperf.reports.tables import clean_number, cleaned_columns

    frame = pl.DataFrame(
        {
            "x": pl.Series(values, dtype=pl.Float64),
            "f32": pl.Series(values, dtype=pl.Float64).cast(pl.Float32),
            "n": pl.Series(range(len(values)), dtype=pl.Int64),
            "s": pl.Series([None if v is None else str(v) for v in values], dtype=pl.String),
        }
    )
    cells = cleaned_columns(frame)
    assert list(cells) == frame.columns
    for name in frame.columns:
        expected = [clean_number(v) for v in frame[name].to_list()]
        # NaN == NaN is False: compare the JSON text, which is what the reports write
        assert json.dumps(cells[name]) == json.dumps(expected), name


def test_json_agent_detail_with_shrinkage_matches_the_breakdown() -> None:
    """Every metric's detail in the JSON report is its breakdown row, rounded; shrunk metrics also
    carry their raw value and k (read from the agents table)."""
    from csperf.api import run_score
    from csperf.reports.tables import agent_documents, clean_number

    result = run_score(OUTBOUND, EXAMPLES)
    documents = {d["agent_id"]: d for d in agent_documents(result)}
    shrunk = [c.removesuffix("__raw") for c in result.agents.columns if c.endswith("__raw")]
    rows = result.breakdown.to_dicts()
    assert rows and len(documents) == result.agents.height
    for row in rows:
        detail = documents[row["agent_id"]]["metrics"][row["metric"]]
        for field in ("category", "rule", "insufficient"):
            assert detail[field] == row[field]
        for field in ("value", "points", "weight", "effective_weight", "contribution"):
            assert json.dumps(detail[field]) == json.dumps(clean_number(row[field]))
        assert ("raw_value" in detail) == (row["metric"] in shrunk)
    agents = result.agents.to_dicts()
    for agent in agents:
        for metric in shrunk:
            detail = documents[agent["agent_id"]]["metrics"].get(metric)
            if detail is not None:
                assert detail["raw_value"] == clean_number(agent[f"{metric}__raw"])
