"""`csperf validate`: every config problem at once, then what each source holds; exit 0 if it can score."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from csperf.api import check_inputs, validate_config
from csperf.cli import app

ROOT = Path(__file__).resolve().parents[1]
BAD = ROOT / "tests" / "data" / "bad"


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def test_three_different_mistakes_reported_in_one_run() -> None:
    folder = BAD / "three_mistakes"
    code, output = invoke("validate", str(folder / "config.yaml"), "--data", str(folder))
    assert code == 2
    problems = [line for line in output.splitlines() if line.startswith("csperf: ")]
    # a misspelt key, weights that do not add up, and a column the file does not have
    assert len(problems) == 3, output
    assert "sources.calls.dedupe_kep: unknown key; did you mean `dedupe_keep`?" in problems[0]
    assert "weights sum to 90, not 100" in problems[1]
    assert "column '通话时长' (sources.calls.columns.talk_s) not found" in problems[2]
    assert "closest: '通话时间'" in problems[2]
    assert "3 problems: cannot be scored as it is" in output


def test_shipped_example_validates_with_details_per_source() -> None:
    code, output = invoke("validate", str(ROOT / "configs" / "outbound.yaml"))
    assert code == 0, output
    lines = output.splitlines()
    assert "sources.calls: 2 files" in lines
    assert "  dialer/calls_2026-10-01_15.csv: gb18030, header on row 1, 19,833 rows" in lines
    assert "  crm/outcomes.xlsx: header on row 1, 17,977 rows" in lines
    # 51,012 rows: 2 without an agent, 3 duplicate call ids (examples/outbound/README.md)
    assert (
        "  rows: 51,012 read = 51,007 used + 2 rejected + 0 skipped + 3 duplicates + 0 outside the period"
        in lines
    )
    assert "  rejected: agent_id: empty × 2" in lines
    assert any(line.startswith("warning: ") and "2 rows rejected" in line for line in lines)
    assert lines[-1] == "OK: everything can be scored"


def test_strict_turns_warnings_into_problems() -> None:
    code, output = invoke("validate", str(ROOT / "configs" / "outbound.yaml"), "--strict")
    assert code == 2
    assert "sources.calls: 2 rows rejected (agent_id: empty × 2)" in output
    assert "(--strict)" in output


def test_parse_success_per_column_names_the_first_bad_cell() -> None:
    folder = BAD / "mixed_types"
    code, output = invoke("validate", str(folder / "config.yaml"), "--data", str(folder))
    assert code == 0, output
    # 2 duration cells, 1 of them 'abc' on line 3; dates and booleans all parse
    assert (
        "  parsed: talk_s 1/2 duration (1 not; first calls.csv:3 'abc'); day 2/2 date; answered 2/2 bool"
        in output
    )


def test_config_only_without_data() -> None:
    lines = validate_config(BAD / "mixed_types" / "config.yaml")
    assert lines[0].endswith("config OK — 1 sources, 3 measures, 2 metrics, 1 scorecards")
    assert lines[-1] == "OK: the config is valid (pass --data DIR to check the data too)"


def test_unknown_agents_are_shown_with_where_they_first_appear() -> None:
    folder = BAD / "unknown_agent"
    report = check_inputs(folder / "config.yaml", folder)
    assert report.problems == []
    assert "agents: 2 in the data, 1 in the roster" in report.lines
    assert "  in the data but not in the roster (not scored): A2" in report.lines
    # A2 first appears on line 3 of calls.csv
    assert any(f"first seen at {folder / 'calls.csv'}:3 (sources.calls)" in w for w in report.warnings)


def test_score_strict_lists_each_rejected_row_and_rejects_folder(tmp_path: Path) -> None:
    folder = BAD / "extract_no_match"
    code, output = invoke(
        "score",
        str(folder / "config.yaml"),
        "--data",
        str(folder),
        "--strict",
        "--rejects",
        str(tmp_path),
        "-q",
    )
    assert code == 2
    assert "--strict: 2 rows were rejected" in output
    assert "Master.csv:2: sources.cdr: agent_id (dstchannel): does not match the `extract` pattern" in output
    assert "Master.csv:7: sources.cdr: talk_s (billsec): not a valid duration (cell: 'from-fxo-gw')" in output
    written = (tmp_path / "cdr.rejects.csv").read_text(encoding="utf-8-sig").splitlines()
    assert len(written) == 3 and written[0].startswith("source_file,source_row,reject_reason")
