"""The benchmark kit works: the generator is deterministic and the runner's two routes agree.

Runs `benchmarks/generate.py` and `benchmarks/run.py` at 2,000 rows (a few seconds): timing is not
checked here (see docs/performance.md); what is checked is that csperf and the hand-written DuckDB
query give the same per-agent figures, and that those figures are right by a third route (plain
Python over the generated CSV).
"""

from __future__ import annotations

import csv
import importlib.util
import json
import math
import sys
from collections import defaultdict
from pathlib import Path
from types import ModuleType

import pytest

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
ROWS = 2_000
AGENTS = 20


def _load(name: str) -> ModuleType:
    if str(BENCHMARKS) not in sys.path:
        sys.path.insert(0, str(BENCHMARKS))
    spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCHMARKS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while it loads
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def generate() -> ModuleType:
    return _load("generate")


@pytest.fixture(scope="module")
def runner() -> ModuleType:
    return _load("run")


def _by_hand(folder: Path) -> dict[str, dict[str, float | None]]:
    """The benchmark's per-agent figures computed in plain Python from the generated files."""
    calls: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    with (folder / "calls.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            agent = row["坐席工号"]
            if not agent:
                continue
            mine = calls[agent]
            mine["calls"] += 1
            if row["是否接通"] == "是":
                mine["connected"] += 1
                mine["handle"] += int(row["通话时长"]) + int(row["保持时长"]) + int(row["话后处理时长"])
            mine["converted"] += row["呼叫结果"] == "成功"
            mine["complaints"] += row["是否投诉"] == "是"
    surveys: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    with (folder / "surveys.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            mine = surveys[row["坐席工号"]]
            csat = int(row["满意度"])
            mine["answers"] += 1
            mine["csat_sum"] += csat
            mine["top2"] += csat >= 4
            if row["推荐意愿"]:
                nps = int(row["推荐意愿"])
                mine["nps_answers"] += 1
                mine["promoters"] += nps >= 9
                mine["detractors"] += nps <= 6

    def ratio(a: float, b: float) -> float | None:
        return a / b if b else None

    figures: dict[str, dict[str, float | None]] = {}
    for agent in sorted(set(calls) | set(surveys)):
        c, s = calls[agent], surveys[agent]
        figures[agent] = {
            "calls": c["calls"],
            "connect_rate": ratio(c["connected"], c["calls"]),
            "aht": ratio(c["handle"], c["connected"]),
            "conversion": ratio(c["converted"], c["connected"]),
            "csat": ratio(s["csat_sum"], s["answers"]),
            "csat_top2": ratio(s["top2"], s["answers"]),
            "nps": ratio(100.0 * (s["promoters"] - s["detractors"]), s["nps_answers"]),
            "complaint_rate": ratio(c["complaints"], c["connected"]),
        }
    return figures


def test_generator_is_deterministic_and_prefix_stable(generate: ModuleType, tmp_path: Path) -> None:
    first, second, shorter = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    generate.write_csv(ROWS, first, AGENTS, 8)
    generate.write_csv(ROWS, second, AGENTS, 8)
    generate.write_csv(ROWS // 2, shorter, AGENTS, 8)
    for name in ("calls.csv", "surveys.csv"):
        assert (first / name).read_bytes() == (second / name).read_bytes()
    calls = (first / "calls.csv").read_text(encoding="utf-8").splitlines()
    assert len(calls) == ROWS + 1  # header + rows
    assert calls[0].split(",") == generate.CALL_HEADERS
    # a smaller file is the start of a bigger one (rows come in fixed, separately seeded chunks)
    assert (shorter / "calls.csv").read_text(encoding="utf-8").splitlines() == calls[: ROWS // 2 + 1]
    # one system test call without an agent, which csperf must reject and the query leave out
    assert sum(1 for line in calls[1:] if line.split(",")[1] == "") == 1
    assert json.loads((first / "generated.json").read_text()) == generate.stamp(ROWS, AGENTS, 8)


def test_xlsx_holds_the_same_records(generate: ModuleType, tmp_path: Path) -> None:
    import polars as pl

    generate.write_csv(300, tmp_path, AGENTS, 8)
    generate.write_xlsx(300, tmp_path, AGENTS, 8)
    workbook = pl.read_excel(tmp_path / "calls.xlsx", engine="calamine", infer_schema_length=0)
    text = pl.read_csv(tmp_path / "calls.csv", infer_schema=False)
    assert workbook.equals(text)


def test_runner_agrees_with_duckdb_and_with_plain_python(
    runner: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = runner.main(
        ["--csv", str(ROWS), "--xlsx", str(ROWS), "--agents", str(AGENTS), "--data", str(tmp_path)]
    )
    printed = capsys.readouterr().out
    assert code == 0, printed
    results = json.loads((tmp_path / "results.json").read_text())
    cases = results["cases"]
    assert [(c["input"], c["rows"]) for c in cases] == [("CSV", ROWS), ("XLSX", ROWS)]
    assert all(c["agree"] and c["agents"] == AGENTS for c in cases)
    assert all(c["csperf"]["seconds"] > 0 and c["baseline"]["seconds"] > 0 for c in cases)
    assert "same numbers" in printed and "csperf --help" in printed
    # The DuckDB figures themselves are right: a third route, plain Python over the same file.
    folder = tmp_path / f"{ROWS}-a{AGENTS}-s8"
    table = tmp_path / "duck.csv"
    runner.measure(runner.duckdb_command(folder, table))
    theirs = runner.duckdb_figures(table)
    expected = _by_hand(folder)
    assert set(theirs) == set(expected)
    for agent, figures in expected.items():
        for metric, value in figures.items():
            got = theirs[agent][metric]
            assert (got is None and value is None) or math.isclose(got, value, rel_tol=1e-12), (agent, metric)


def test_comparison_catches_a_wrong_figure(runner: ModuleType) -> None:
    exact = {"A1": {m: 0.25 for m in runner.METRICS}}
    assert runner.compare({"A1": {m: 0.25 for m in runner.METRICS}}, exact) == []
    # the JSON report's 6-decimal rounding is not a difference
    assert runner.same_number(0.333333, 1 / 3)
    assert runner.same_number(None, None)
    wrong = {"A1": {**{m: 0.25 for m in runner.METRICS}, "aht": 0.2500011}}
    assert runner.compare(wrong, exact) == ["agent A1 aht: csperf 0.2500011, DuckDB 0.25"]
    assert runner.compare({}, exact) == ["agent A1: only in DuckDB"]
    assert not runner.same_number(None, 0.0)


def test_polars_query_checks_count_what_plain_python_counts(generate: ModuleType, tmp_path: Path) -> None:
    """`polars_query.py --checks`: per agent, present timestamps the format does not read and
    first cells holding a total word, planted in a generated file and counted again in Python."""
    import datetime as dt

    generate.write_csv(300, tmp_path, AGENTS, 8)
    lines = (tmp_path / "calls.csv").read_text(encoding="utf-8").splitlines()
    rows = [line.split(",") for line in lines[1:]]
    for i, bad in ((3, "2026-10-30"), (40, "2026-02-30 10:00:00"), (41, "--")):
        rows[i][3] = bad
    for i, label in ((7, "合计"), (90, "Grand TOTAL"), (91, "sum of calls")):
        rows[i][0] = label
    (tmp_path / "calls.csv").write_text("\n".join([lines[0], *(",".join(r) for r in rows)]) + "\n", "utf-8")

    def unreadable(text: str) -> bool:
        try:
            dt.datetime.strptime(text, "%Y-%m-%d %H:%M:%S")
        except ValueError:
            return True
        return False

    expected: dict[str, tuple[int, int]] = defaultdict(lambda: (0, 0))
    for row in rows:
        if row[1]:
            bad, total = expected[row[1]]
            words = ("合计", "总计", "小计", "汇总", "总和", "total", "summary", "sum")
            labelled = any(word in row[0].lower() for word in words)
            expected[row[1]] = (bad + (row[3] != "" and unreadable(row[3])), total + labelled)
    query = _load("polars_query")
    table = query.figures(tmp_path, with_checks=True).collect(engine="streaming")
    got = {r["agent_id"]: (r["bad_timestamps"], r["total_labels"]) for r in table.iter_rows(named=True)}
    assert got == dict(expected)
    assert sum(b for b, _ in got.values()) == 3 and sum(t for _, t in got.values()) == 3
    assert "bad_timestamps" not in query.figures(tmp_path).collect_schema().names()
