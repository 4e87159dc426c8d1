"""The Excel workbook: every sheet checked against the JSON written by the same run, charts, safe
text cells, and atomic writes (an injected failure and a killed writer leave the old report)."""

from __future__ import annotations

import json
import os
import re
import signal
import statistics
import subprocess
import sys
import zipfile
from collections import Counter, defaultdict
from datetime import timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.worksheet.worksheet import Worksheet
from typer.testing import CliRunner

from csperf.cli import app
from csperf.config import load_config

ROOT = Path(__file__).resolve().parent.parent
OUTBOUND = ROOT / "configs" / "outbound.yaml"
EXAMPLES = ROOT / "examples" / "outbound"
SMALL = Path(__file__).resolve().parent / "data" / "reports" / "utc_weekly.yaml"
SHEETS = ["Summary", "Ranking", "Metrics", "Breakdown", "Bonus", "Trend", "Hour of day", "Data quality"]


def invoke(*args: str) -> Any:
    result = CliRunner().invoke(app, list(args))
    return result


def en(label: Any, fallback: str) -> str:
    """The English label of a config entry, read straight from the config model."""
    if label is None:
        return fallback
    return label if isinstance(label, str) else label.get("en", fallback)


def table(ws: Worksheet, header_row: int = 1, last_row: int | None = None) -> list[dict[str, Any]]:
    """Rows under a header row as dicts, up to the first empty row."""
    headers = [c.value for c in ws[header_row]]
    rows = []
    for cells in ws.iter_rows(min_row=header_row + 1, max_row=last_row or ws.max_row):
        if all(c.value is None for c in cells):
            break
        rows.append({h: c.value for h, c in zip(headers, cells, strict=False) if h is not None})
    return rows


def find_row(ws: Worksheet, text: str, column: int = 1) -> int:
    for cells in ws.iter_rows(min_col=column, max_col=column):
        if cells[0].value == text:
            return cells[0].row
    raise AssertionError(f"{text!r} not found in {ws.title}")


@pytest.fixture(scope="module")
def outbound(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("xlsx")
    week = invoke(
        "score",
        str(OUTBOUND),
        "--data",
        str(EXAMPLES),
        "--period",
        "2026-W43",
        "--lang",
        "en",
        "--out",
        str(folder / "w43.xlsx"),
        "--out",
        str(folder / "w43.json"),
        "-q",
    )
    assert week.exit_code == 0, week.output
    previous = invoke(
        "score",
        str(OUTBOUND),
        "--data",
        str(EXAMPLES),
        "--period",
        "2026-W42",
        "--out",
        str(folder / "w42.json"),
        "-q",
    )
    assert previous.exit_code == 0, previous.output
    return {
        "path": folder / "w43.xlsx",
        "book": openpyxl.load_workbook(folder / "w43.xlsx"),
        "json": json.loads((folder / "w43.json").read_text(encoding="utf-8")),
        "previous": json.loads((folder / "w42.json").read_text(encoding="utf-8")),
        "config": load_config(OUTBOUND).config,
    }


def test_sheets(outbound: dict[str, Any]) -> None:
    names = outbound["book"].sheetnames
    expected = [s for s in SHEETS if s != "Bonus" or "bonus" in outbound["json"]] + ["Definitions"]
    # other features may add sheets (text-rule evidence); these come in this order
    assert [n for n in names if n in expected] == expected
    assert names[0] == "Summary" and names[-1] == "Definitions"


def test_ranking_matches_json(outbound: dict[str, Any]) -> None:
    ws = outbound["book"]["Ranking"]
    config = outbound["config"]
    document = outbound["json"]
    rows = table(ws)
    assert [r["Agent"] for r in rows] == [a["agent_id"] for a in document["agents"]]
    headers = [c.value for c in ws[1]]
    for row, agent in zip(rows, document["agents"], strict=True):
        assert row["Rank"] == agent["rank"]
        assert row["Score"] == pytest.approx(agent["score"], abs=1e-6)
        assert row["Name"] == agent["attributes"]["name"]
        for category, value in agent["categories"].items():
            label = en(config.scorecards[agent["scorecard"]].categories[category].label, category)
            assert row[label] == pytest.approx(value, abs=1e-6)
        for name, detail in agent["metrics"].items():
            metric = config.metrics[name]
            label = en(metric.label, name)
            shown = row[label]
            if detail["value"] is None:
                assert shown is None
            elif metric.unit == "seconds":
                # a day fraction shown as [m]:ss, which openpyxl reads back as a duration
                assert isinstance(shown, timedelta)
                assert shown.total_seconds() == pytest.approx(detail["value"], abs=1e-3)
            else:
                assert shown == pytest.approx(detail["value"], abs=1e-6)
            if detail["points"] is None:
                assert row[f"{label} points"] is None
            else:
                assert row[f"{label} points"] == pytest.approx(detail["points"], abs=1e-6)
    # number formats: rates as %, durations as m:ss
    for name, fmt in (("connect_rate", "0.0%"), ("aht", "[m]:ss")):
        column = headers.index(en(config.metrics[name].label, name)) + 1
        assert ws.cell(row=2, column=column).number_format == fmt
    assert ws.freeze_panes == "E2"  # rank, move, agent, name stay in view
    assert ws.auto_filter.ref == f"A1:{openpyxl.utils.get_column_letter(len(headers))}{len(rows) + 1}"
    kinds: dict[str, set[str]] = defaultdict(set)
    for rng in ws.conditional_formatting:
        for rule in rng.rules:
            kinds[rule.type].add(str(rng.sqref))
    score_letter = openpyxl.utils.get_column_letter(headers.index("Score") + 1)
    assert f"{score_letter}2:{score_letter}{len(rows) + 1}" in kinds["dataBar"]
    points_columns = [i + 1 for i, h in enumerate(headers) if h and h.endswith(" points")]
    assert len(kinds["colorScale"]) == len(points_columns) == 12


def test_metrics_sheet_holds_raw_values(outbound: dict[str, Any]) -> None:
    rows = table(outbound["book"]["Metrics"])
    config = outbound["config"]
    by_id = {a["agent_id"]: a for a in outbound["json"]["agents"]}
    assert len(rows) == len(by_id)
    for row in rows:
        agent = by_id[row["Agent"]]
        for name, detail in agent["metrics"].items():
            value = row[en(config.metrics[name].label, name)]
            assert (
                value == pytest.approx(detail["value"], abs=1e-6)
                if detail["value"] is not None
                else value is None
            )
        # the raw measures explain the metric: connected / dials, (talk + hold + acw) / connected
        if row["dials"]:
            assert row["Connect rate"] == pytest.approx(row["connected"] / row["dials"])
        if row["connected"]:
            assert row["AHT"] == pytest.approx(row["handle_s"] / row["connected"])  # seconds, unconverted


def test_breakdown_is_the_long_form_of_the_json(outbound: dict[str, Any]) -> None:
    rows = table(outbound["book"]["Breakdown"])
    config = outbound["config"]
    label_to_name = {en(m.label, n): n for n, m in config.metrics.items()}
    expected = {(a["agent_id"], n): d for a in outbound["json"]["agents"] for n, d in a["metrics"].items()}
    assert len(rows) == len(expected)
    for row in rows:
        detail = expected[(row["Agent"], label_to_name[row["Metric"]])]
        assert row["Rule"] == detail["rule"]
        assert row["Not judged"] is detail["insufficient"]
        for column, key in (
            ("Value", "value"),
            ("points", "points"),
            ("Weight", "weight"),
            ("Effective weight", "effective_weight"),
            ("Contribution", "contribution"),
        ):
            if detail[key] is None:
                assert row[column] is None
            else:
                assert row[column] == pytest.approx(detail[key], abs=1e-6)
    # the contributions add up to each agent's score
    totals: dict[str, float] = defaultdict(float)
    for row in rows:
        totals[row["Agent"]] += row["Contribution"] or 0
    for agent in outbound["json"]["agents"]:
        if agent["score"] is not None:
            assert totals[agent["agent_id"]] == pytest.approx(agent["score"], abs=1e-4)


def test_bonus_sheet(outbound: dict[str, Any]) -> None:
    if "bonus" not in outbound["json"]:
        pytest.skip("the outbound config has no bonus")
    rows = table(outbound["book"]["Bonus"])
    by_id = {a["agent_id"]: a for a in outbound["json"]["bonus"]["agents"]}
    assert {r["Agent"] for r in rows} == set(by_id)
    for row in rows:
        assert row["Amount"] == pytest.approx(by_id[row["Agent"]]["amount"], abs=0.005)
        assert row["Tier"] == by_id[row["Agent"]]["tier"]


def test_trend_against_the_previous_weeks_own_run(outbound: dict[str, Any]) -> None:
    ws = outbound["book"]["Trend"]
    assert ws["A1"].value == ("Period: 2026-W43 (2026-10-19 – 2026-10-25)    Compared with: 2026-W42")
    rows = table(ws, header_row=3)
    now = {a["agent_id"]: a for a in outbound["json"]["agents"]}
    before = {a["agent_id"]: a for a in outbound["previous"]["agents"]}
    assert len(rows) == len(now)
    for row in rows:
        agent, old = now[row["Agent"]], before[row["Agent"]]
        if agent["score"] is None or old["score"] is None:  # not scored in one of the two weeks
            assert row["Score Δ"] is None
            continue
        assert row["Score previous"] == pytest.approx(old["score"], abs=1e-6)
        assert row["Score Δ"] == pytest.approx(agent["score"] - old["score"], abs=1e-5)
        assert row["Rank previous"] == old["rank"]
        moved = old["rank"] - agent["rank"]
        assert row["Move"] == ("=" if moved == 0 else f"▲{moved}" if moved > 0 else f"▼{-moved}")
        previous = old["metrics"]["connect_rate"]["value"]
        assert row["Connect rate previous"] == (
            None if previous is None else pytest.approx(previous, abs=1e-6)
        )
        aht, aht_before = agent["metrics"]["aht"]["value"], old["metrics"]["aht"]["value"]
        if aht is None or aht_before is None:
            assert row["AHT Δ (s)"] is None
        else:
            assert row["AHT Δ (s)"] == pytest.approx(aht - aht_before, abs=1e-4)  # seconds, may be < 0
        for name, detail in agent["metrics"].items():
            before_value = old["metrics"][name]["value"]
            label = en(outbound["config"].metrics[name].label, name)
            change = next(v for k, v in row.items() if k.startswith(f"{label} Δ"))
            if detail["value"] is None or before_value is None:
                assert change is None
            else:
                assert change == pytest.approx(detail["value"] - before_value, abs=1e-4)
    # the JSON of the same run carries the same changes
    trend = {t["agent_id"]: t for t in outbound["json"]["trend"]}
    for row in rows:
        assert trend[row["Agent"]]["score_change"] == pytest.approx(row["Score Δ"], abs=1e-5)
        assert trend[row["Agent"]]["movement"] == row["Move"]


def test_hour_of_day_profile(outbound: dict[str, Any]) -> None:
    ws = outbound["book"]["Hour of day"]
    rows = table(ws, header_row=3)
    profile = outbound["json"]["hour_profile"]
    teams = sorted({p["team"] for p in profile})
    attempts = {(p["team"], p["hour"]): p for p in profile}
    assert [r["Hour"] for r in rows] == [f"{h:02d}:00" for h in sorted({p["hour"] for p in profile})]
    for row in rows:
        hour = int(row["Hour"][:2])
        total = successes = 0
        for team in teams:
            cell = attempts.get((team, hour))
            assert row[f"{team} Volume"] == (cell["attempts"] if cell else 0)
            if cell:
                assert row[f"{team} Rate"] == pytest.approx(cell["successes"] / cell["attempts"])
                total += cell["attempts"]
                successes += cell["successes"]
        assert row["All Volume"] == total
        assert row["All Rate"] == pytest.approx(successes / total)
    # every used dial has a timestamp, so the profile counts them all
    assert (
        sum(r["All Volume"] for r in rows)
        == outbound["json"]["data_quality"]["sources"]["calls"]["rows_used"]
    )
    assert min(int(r["Hour"][:2]) for r in rows) >= 9  # dials start at 09:00 local (README)


def test_data_quality_sheet(outbound: dict[str, Any]) -> None:
    ws = outbound["book"]["Data quality"]
    rows = table(ws, header_row=3)
    sources = outbound["json"]["data_quality"]["sources"]
    assert [r["Source"] for r in rows] == list(sources)
    for row in rows:
        source = sources[row["Source"]]
        assert row["Rows read"] == source["rows_read"]
        assert row["Rows used"] == source["rows_used"]
        assert row["Rows rejected"] == source["rows_rejected"]
        assert row["Outside the period"] == source["outside_period"]
        assert row["Duplicates"] == source["duplicates"]
        assert row["Rows read"] == (
            row["Rows used"]
            + row["Rows rejected"]
            + row["Rows skipped"]
            + row["Duplicates"]
            + row["Outside the period"]
        )
    reasons = table(ws, header_row=find_row(ws, "Rows not used, by reason") + 1)
    rejected = {(r["Source"], r["Reason"]): r["Rows"] for r in reasons if r["Status"] == "rejected"}
    expected = {(n, reason): count for n, s in sources.items() for reason, count in s["rejected"].items()}
    assert rejected == expected
    assert ("calls", "agent_id: empty") in rejected  # the two system test calls (README)


def test_definitions_generated_from_the_config(outbound: dict[str, Any]) -> None:
    rows = table(outbound["book"]["Definitions"])
    config = outbound["config"]
    scored = [r for r in rows if r["Weight"] is not None]
    card_by_label = {en(c.label, n): n for n, c in config.scorecards.items()}
    weights = {(a["scorecard"], n): d for a in outbound["json"]["agents"] for n, d in a["metrics"].items()}
    assert len(scored) == sum(
        len(cat.metrics) for c in config.scorecards.values() for cat in c.categories.values()
    )
    for row in scored:
        card = card_by_label[row["Scorecard"]]
        metric = config.metrics[row["Metric"]]
        detail = weights[(card, row["Metric"])]
        assert row["Weight"] == pytest.approx(detail["weight"])
        assert row["Rule"] == detail["rule"]
        assert row["Better"] == metric.better
        assert row["Unit"] == metric.unit
        definition = f"{metric.ratio[0]} / {metric.ratio[1]}" if metric.ratio else metric.formula
        assert row["Definition"] == definition
        linear = None
        for category in config.scorecards[card].categories.values():
            if row["Metric"] in category.metrics:
                linear = category.metrics[row["Metric"]].points.linear
        assert row["Floor"] == (linear.floor if linear else None)
        assert row["Target"] == (linear.target if linear else None)
    per_card = defaultdict(float)
    for row in scored:
        per_card[row["Scorecard"]] += row["Weight"]
    assert all(total == pytest.approx(100) for total in per_card.values())


def test_summary(outbound: dict[str, Any]) -> None:
    ws = outbound["book"]["Summary"]
    facts = {ws.cell(row=r, column=1).value: ws.cell(row=r, column=2).value for r in range(3, 20)}
    agents = outbound["json"]["agents"]
    scores = [a["score"] for a in agents if a["score"] is not None]
    assert facts["Period"] == "2026-W43 (2026-10-19 – 2026-10-25)"
    assert facts["Compared with"] == "2026-W42"
    assert facts["Agents"] == len(agents)
    assert facts["Agents scored"] == len(scores)
    assert facts["Average score"] == pytest.approx(statistics.fmean(scores))
    assert facts["Median score"] == pytest.approx(statistics.median(scores))
    sources = outbound["json"]["data_quality"]["sources"].values()
    assert facts["Rows used"] == sum(s["rows_used"] for s in sources)
    assert facts["Outside the period"] == sum(s["outside_period"] for s in sources)

    teams = table(ws, header_row=find_row(ws, "Team averages") + 1)
    by_team: dict[str, list[float | None]] = defaultdict(list)
    for agent in agents:
        by_team[agent["attributes"]["team"]].append(agent["score"])
    assert [t["Team"] for t in teams] == ["一组", "二组", "三组", "四组", "All"]
    for row in teams:
        members = by_team[row["Team"]] if row["Team"] != "All" else [a["score"] for a in agents]
        scored = [s for s in members if s is not None]
        assert row["Agents"] == len(members)
        assert row["Agents scored"] == len(scored)
        assert row["Average score"] == pytest.approx(statistics.fmean(scored))

    bands = table(ws, header_row=find_row(ws, "Score distribution") + 1)
    counts = Counter(min(int(s // 10), 9) for s in scores)
    assert [b["Agents"] for b in bands] == [counts.get(i, 0) for i in range(10)]
    assert bands[0]["Score"] == "0–10" and bands[-1]["Score"] == "90–100"

    if "bonus" in outbound["json"]:
        tiers = table(ws, header_row=find_row(ws, "Bonus tiers") + 1)
        paid = Counter(a["tier"] for a in outbound["json"]["bonus"]["agents"])
        config = outbound["config"]
        for tier in config.bonus.tiers:
            row = next(t for t in tiers if t["Tier"] == en(tier.label, tier.name))
            assert row["Agents"] == paid.get(tier.name, 0)
        assert sum(t["Agents"] for t in tiers) == len(agents)


def test_charts_exist(outbound: dict[str, Any]) -> None:
    """openpyxl does not read charts back, so look inside the package."""
    with zipfile.ZipFile(outbound["path"]) as package:
        names = package.namelist()
        charts = sorted(n for n in names if re.fullmatch(r"xl/charts/chart\d+\.xml", n))
        assert len(charts) == 4  # Summary: team averages, score distribution; Hour of day: rate, volume
        summary_rels = package.read("xl/worksheets/_rels/sheet1.xml.rels").decode()
        drawing = re.search(
            r'Target="(/?xl/drawings/drawing\d+\.xml|\.\./drawings/drawing\d+\.xml)"', summary_rels
        )
        assert drawing is not None
        drawing_name = "xl/drawings/" + drawing.group(1).rsplit("/", 1)[1]
        drawing_rels = package.read(drawing_name.replace("drawings/", "drawings/_rels/") + ".rels").decode()
        assert len(re.findall(r"<Relationship ", drawing_rels)) == 2
        texts = [package.read(c).decode() for c in charts]
        assert sum("<barChart>" in t for t in texts) == 3 and sum("<lineChart>" in t for t in texts) == 1
        assert any("'Summary'!$D$" in t for t in texts)  # team averages: column D of the Summary sheet


def test_no_cell_is_a_formula(outbound: dict[str, Any]) -> None:
    for ws in outbound["book"].worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
    with zipfile.ZipFile(outbound["path"]) as package:
        for name in package.namelist():
            if name.startswith("xl/worksheets/sheet"):
                assert "<f>" not in package.read(name).decode()


# --- text from the input that looks like a formula -------------------------------------------


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("small")
    result = invoke("score", str(SMALL), "--period", "2026-W43", "--out", str(folder / "r.xlsx"), "-q")
    assert result.exit_code == 0, result.output
    return {"path": folder / "r.xlsx", "book": openpyxl.load_workbook(folder / "r.xlsx")}


FORMULA_LIKE = {
    "A1": '=HYPERLINK("http://example.com","x")',
    "A2": "+1 evil",
    "A3": "-2",
    "A4": "@SUM(A1)",
}


def test_formula_like_text_from_the_input_is_text(small: dict[str, Any]) -> None:
    for sheet, header_row in (("Ranking", 1), ("Metrics", 1), ("Breakdown", 1), ("Trend", 3)):
        ws = small["book"][sheet]
        headers = [c.value for c in ws[header_row]]
        agent_column, name_column = headers.index("Agent"), headers.index("Name")
        names = {}
        for row in ws.iter_rows(min_row=header_row + 1):
            if row[agent_column].value in FORMULA_LIKE:
                names[row[agent_column].value] = row[name_column]
        for agent, text in FORMULA_LIKE.items():
            cell = names[agent]
            assert cell.value == text, (sheet, agent)
            assert cell.data_type == "s"
            assert cell.quotePrefix  # Excel keeps it text when the cell is edited
    with zipfile.ZipFile(small["path"]) as package:
        for name in package.namelist():
            if name.startswith("xl/worksheets/"):
                assert "<f>" not in package.read(name).decode()


def test_small_workbook_trend_marks_new_agents(small: dict[str, Any]) -> None:
    """W42 holds one row (A1 connected at 23:59:59 local): A1 was 1st with 100, others had no score."""
    rows = {r["Agent"]: r for r in table(small["book"]["Trend"], header_row=3)}
    assert rows["A1"]["Score previous"] == pytest.approx(100)
    assert rows["A1"]["Score Δ"] == pytest.approx(2 / 3 * 100 - 100)
    assert rows["A1"]["Move"] == "▼2"  # 1st → 3rd (tied with A2)
    assert rows["A4"]["Move"] == "new" and rows["A4"]["Score previous"] is None


def test_chinese_labels(tmp_path: Path) -> None:
    result = invoke(
        "score", str(SMALL), "--period", "2026-W43", "--lang", "zh", "--out", str(tmp_path / "r.xlsx"), "-q"
    )
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(tmp_path / "r.xlsx")
    assert book.sheetnames[:3] == ["汇总", "排名", "指标"]
    assert book["排名"]["A1"].value == "排名"


# --- atomic writes -----------------------------------------------------------------------------


def test_injected_failure_leaves_the_previous_report(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    destination = tmp_path / "reports" / "2026-W43.xlsx"
    destination.parent.mkdir()
    destination.write_bytes(b"last week's report")

    def broken_save(self: openpyxl.Workbook, filename: str) -> None:
        Path(filename).write_bytes(b"PK\x03\x04 half a workbook")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(openpyxl.Workbook, "save", broken_save)
    result = invoke("score", str(SMALL), "--period", "2026-W43", "--out", str(destination))
    assert result.exit_code == 1
    assert "internal error: OSError" in result.output and "Traceback" not in result.output
    assert destination.read_bytes() == b"last week's report"
    assert sorted(p.name for p in destination.parent.iterdir()) == ["2026-W43.xlsx"]  # no temporary left


KILLED_WRITER = r"""
import sys, time
from pathlib import Path
import openpyxl
from csperf.api import run_score
from csperf.periods import parse_period
from csperf.reports.xlsx_report import write_xlsx

def slow_save(self, filename):
    with open(filename, "wb") as handle:
        handle.write(b"PK\x03\x04 the first bytes of a workbook")
        handle.flush()
        print("writing", flush=True)
        time.sleep(60)

openpyxl.Workbook.save = slow_save
result = run_score(sys.argv[1], period=parse_period("2026-W43"))
write_xlsx(result, Path(sys.argv[2]))
"""


@pytest.mark.skipif(os.name != "posix", reason="SIGKILL")
def test_killed_writer_leaves_the_previous_report(tmp_path: Path) -> None:
    destination = tmp_path / "2026-W43.xlsx"
    destination.write_bytes(b"last week's report")
    process = subprocess.Popen(
        [sys.executable, "-c", KILLED_WRITER, str(SMALL), str(destination)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        assert process.stdout.readline().strip() == "writing"  # midway through the save
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == -signal.SIGKILL
    assert destination.read_bytes() == b"last week's report"
    leftovers = [p for p in tmp_path.iterdir() if p != destination]
    # only the hidden temporary the killed process was writing remains, never at the destination
    assert all(p.name.startswith(".2026-W43.xlsx.") and p.name.endswith(".tmp") for p in leftovers)


def test_report_permissions_follow_the_umask(tmp_path: Path) -> None:
    result = invoke("score", str(SMALL), "--period", "2026-W43", "--out", str(tmp_path / "r.xlsx"), "-q")
    assert result.exit_code == 0, result.output
    umask = os.umask(0)
    os.umask(umask)
    assert (tmp_path / "r.xlsx").stat().st_mode & 0o777 == 0o666 & ~umask


def test_previous_period_without_data_is_not_a_period_of_zeros(tmp_path: Path) -> None:
    """W42 holds one row; W41 none: the Trend sheet says so and moves nobody."""
    result = invoke("score", str(SMALL), "--period", "2026-W42", "--out", str(tmp_path / "r.xlsx"), "-q")
    assert result.exit_code == 0, result.output
    ws = openpyxl.load_workbook(tmp_path / "r.xlsx")["Trend"]
    assert ws["A1"].value.endswith("Compared with: 2026-W41 (no data)")
    rows = table(ws, header_row=3)
    assert {r["Move"] for r in rows} == {"–"}
    assert all(r["Score previous"] is None and r["Score Δ"] is None for r in rows)
