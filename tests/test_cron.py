"""The weekly cron run: one summary line off a terminal, --quiet, output path templates, exit
statuses (0 / 2 bad input or empty period / 1 internal error), --allow-empty, progress only on a
terminal, and the report-config rules."""

from __future__ import annotations

import io
import re
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from csperf.cli import app
from csperf.reports.progress import Steps

DATA = Path(__file__).resolve().parent / "data" / "reports"
SMALL = DATA / "utc_weekly.yaml"
ANSI = re.compile(r"\x1b\[")


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_cron_run_logs_one_summary_line(tmp_path: Path) -> None:
    template = str(tmp_path / "reports" / "{period}.xlsx")
    code, stdout, stderr = invoke(
        "score", str(SMALL), "--period", "last-week", "--as-of", "2026-10-27", "--out", template
    )
    assert code == 0, stderr
    written = tmp_path / "reports" / "2026-W43.xlsx"  # Tuesday 27 Oct: last week is W43
    assert written.exists()
    assert stdout == ""  # no ranking table when a report is written off a terminal
    # 5 agents: 100, 100, 66.67, 66.67, 50 → 76.67; 14 rows, 4 outside W43 in Shanghai time
    assert stderr == (
        "csperf: UTC export, Shanghai team 2026-W43: 5 of 5 agents scored, average 76.67; "
        "rows: 10 used of 14 read, 0 rejected, 4 outside the period; compared with 2026-W42; "
        f"wrote {written}\n"
    )
    assert not ANSI.search(stdout + stderr)


def test_quiet_prints_nothing(tmp_path: Path) -> None:
    code, stdout, stderr = invoke(
        "score", str(SMALL), "-p", "2026-W43", "--out", str(tmp_path / "r.md"), "-q"
    )
    assert (code, stdout, stderr) == (0, "", "")
    assert (tmp_path / "r.md").exists()


def test_without_out_the_ranking_goes_to_stdout() -> None:
    code, stdout, stderr = invoke("score", str(SMALL), "--period", "2026-W43")
    assert code == 0
    assert "UTC export, Shanghai team — 2026-W43" in stdout
    assert "calls: 14 rows read, 10 used, 4 outside the period" in stdout
    assert stderr.count("\n") == 1 and stderr.startswith("csperf: UTC export")
    assert not ANSI.search(stdout)


def test_table_flag_prints_the_ranking_with_a_report(tmp_path: Path) -> None:
    code, stdout, _ = invoke(
        "score", str(SMALL), "-p", "2026-W43", "--out", str(tmp_path / "r.json"), "--table"
    )
    assert code == 0
    assert "Connect rate" in stdout


def test_empty_period_is_exit_2_and_writes_nothing(tmp_path: Path) -> None:
    previous = tmp_path / "r.xlsx"
    previous.write_bytes(b"the last good report")
    code, _stdout, stderr = invoke("score", str(SMALL), "--period", "2026-09", "--out", str(previous))
    assert code == 2
    assert stderr == (
        "csperf: the period 2026-09: no usable row in any source (calls: 14 read, 14 outside); nothing "
        "written. Check --period and --data, or pass --allow-empty to write an empty report\n"
    )
    assert previous.read_bytes() == b"the last good report"


def test_allow_empty_writes_a_report_that_says_it_is_empty(tmp_path: Path) -> None:
    path = tmp_path / "r.xlsx"
    code, _, stderr = invoke("score", str(SMALL), "--period", "2026-09", "--out", str(path), "--allow-empty")
    assert code == 0, stderr
    summary = openpyxl.load_workbook(path)["Summary"]
    texts = [c.value for row in summary.iter_rows(max_col=1) for c in row]
    assert "No row of any source falls in this period: the report is empty (--allow-empty)." in texts


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--period", "2025-W53"], "csperf: --period: 2025 has 52 ISO weeks, so week 53 does not exist\n"),
        (["--period", "2026-W43", "--as-of", "27.10.2026"], "csperf: --as-of: '27.10.2026' is not a date"),
        (["--period", "2026-W43", "--lang", "fr"], "csperf: --lang: unknown language 'fr'; use en or zh\n"),
        (["--period", "2026-W43", "--out", "{week}.xlsx"], "unknown placeholder {week}"),
        (["--out", "{period}.xlsx"], "the path names the period; pass --period"),
        (["--compare-previous"], "--compare-previous: there is no previous period without --period"),
    ],
)
def test_bad_input_is_exit_2(args: list[str], message: str) -> None:
    code, _, stderr = invoke("score", str(SMALL), *args)
    assert code == 2
    assert message in stderr


def test_internal_error_is_exit_1_without_traceback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import csperf.reports.xlsx_report as xlsx_report

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(xlsx_report, "build_workbook", broken)
    path = tmp_path / "r.xlsx"
    code, _, stderr = invoke("score", str(SMALL), "-p", "2026-W43", "--out", str(path))
    assert code == 1
    assert stderr == "csperf: internal error: RuntimeError: boom (run with --debug for the traceback)\n"
    assert not path.exists()
    code, _, stderr = invoke("--debug", "score", str(SMALL), "-p", "2026-W43", "--out", str(path))
    assert code == 1 and "Traceback" in stderr


def test_compare_previous_is_on_for_workbooks_only(tmp_path: Path) -> None:
    invoke(
        "score",
        str(SMALL),
        "-p",
        "2026-W43",
        "--out",
        str(tmp_path / "a.xlsx"),
        "--out",
        str(tmp_path / "a.json"),
    )
    invoke("score", str(SMALL), "-p", "2026-W43", "--out", str(tmp_path / "b.json"))
    invoke("score", str(SMALL), "-p", "2026-W43", "--out", str(tmp_path / "c.xlsx"), "--no-compare-previous")
    assert "Trend" in openpyxl.load_workbook(tmp_path / "a.xlsx").sheetnames
    assert '"trend"' in (tmp_path / "a.json").read_text(encoding="utf-8")
    assert '"trend"' not in (tmp_path / "b.json").read_text(encoding="utf-8")
    assert "Trend" not in openpyxl.load_workbook(tmp_path / "c.xlsx").sheetnames


def test_progress_bar_only_on_a_terminal() -> None:
    quiet = io.StringIO()
    with Steps(2, enabled=False, stream=quiet) as steps:
        steps.start("reading")
        steps.start("writing")
    assert quiet.getvalue() == ""
    shown = io.StringIO()
    with Steps(2, enabled=True, stream=shown) as steps:
        steps.start("reading and scoring 2026-W43")
    assert "reading and scoring 2026-W43" in shown.getvalue()
    assert Steps(1, stream=io.StringIO()).enabled is False  # a StringIO is not a terminal


def test_report_config_rules(tmp_path: Path) -> None:
    text = SMALL.read_text(encoding="utf-8")
    bad = text.replace(
        "hour_profile: {source: calls, success: connected}", "hour_profile: {source: call, success: conected}"
    )
    (tmp_path / "c.yaml").write_text(bad, encoding="utf-8")
    code, _, stderr = invoke("validate", str(tmp_path / "c.yaml"))
    assert code == 2
    line = text.splitlines().index("  hour_profile: {source: calls, success: connected}") + 1
    assert (
        f"c.yaml:{line}: report.hour_profile.source: unknown source `call`; did you mean `calls`?" in stderr
    )
    (tmp_path / "d.yaml").write_text(
        text.replace("success: connected}", "success: conected}"),
        encoding="utf-8",
    )
    code, _, stderr = invoke("validate", str(tmp_path / "d.yaml"))
    assert code == 2
    assert (
        "report.hour_profile.success: `conected` is not a column of source `calls`; did you mean `connected`?"
        in stderr
    )
