"""Reading real exports: encodings, header rows, totals, line numbers, merged cells, identity, accounting."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from csperf.api import run_score
from csperf.cli import app
from csperf.config import Config, LoadedConfig
from csperf.errors import DataError
from csperf.identity import alias_map
from csperf.sources import FILE, REASON, ROW, STATUS, Period, find_header_row, read_source, xlsx_first_row
from csperf.yamlsource import LoadedYaml

DATA = Path(__file__).resolve().parent / "data"
EXPORTS = DATA / "exports"
SETTINGS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def make_config(sources: dict[str, Any], **extra: Any) -> Config:
    """A minimal valid config around the given sources (scoring parts are not used here)."""
    first = next(iter(sources))
    data = {
        "sources": sources,
        "measures": {"n": {"source": first, "agg": "count"}},
        "metrics": {"m": {"ratio": ["n", "n"]}},
        "scorecards": {
            "s": {
                "categories": {
                    "c": {"weight": 100, "metrics": {"m": {"weight": 100, "points": {"percentile": {}}}}}
                }
            }
        },
        **extra,
    }
    return Config.model_validate(data)


def read(config: Config, folder: Path, name: str = "calls", period: Period | None = None) -> pl.DataFrame:
    return read_source(config, name, folder, period=period).frame.collect().sort(FILE, ROW)


def accounting(frame: pl.DataFrame) -> dict[tuple[str | None, str | None], int]:
    counts = frame.group_by(STATUS, REASON).len()
    return {(s, r): n for s, r, n in counts.iter_rows()}


# --- encodings -------------------------------------------------------------------------------------


def score_table(folder: Path) -> list[dict[str, Any]]:
    result = run_score(EXPORTS / "exports.yaml", folder)
    return result.agents.select("agent_id", "score", "calls", "talk_s", "csat_sum", "aht", "csat").to_dicts()


def test_gb18030_and_utf8_bom_give_identical_results() -> None:
    gb, bom = score_table(EXPORTS / "gb18030"), score_table(EXPORTS / "utf8_bom")
    assert gb == bom
    assert score_table(EXPORTS / "utf16") == gb  # Excel's "Unicode text": UTF-16 with a BOM, tabs


def test_export_cells_are_cleaned_and_parsed_as_by_hand() -> None:
    config = Config.model_validate(
        {**_yaml(EXPORTS / "exports.yaml"), "sources": _yaml(EXPORTS / "exports.yaml")["sources"]}
    )
    frame = read(config, EXPORTS / "gb18030")
    rows = frame.select(ROW, "agent_id", "customer", "talk_s", pl.col("csat").round(9), "note").rows()
    assert rows == [
        # ="0138..." and '0138... keep their leading zero; 3分25秒 = 205 s; 95% = 0.95
        (2, "A1001", "013812345678", 205.0, 0.95, "首次来电"),
        # the quoted note spans two lines: the next record starts on line 5
        (3, "A1001", "013812345679", 125.0, 0.805, "多行\n备注"),
        # "1,234" (thousands separator) seconds; N/A and -- are empty, not zero
        (5, "A1002", "13812345680", 1234.0, None, None),
        # outer spaces trimmed from the agent id; "-" is empty
        (6, "A1002", "13812345681", 65.0, None, None),
        # a 21-digit id stays text; 1分 = 60 s; 12.34% = 0.1234
        (7, "A1003", "123456789012345678901", 60.0, 0.1234, None),
    ]
    assert frame[STATUS].null_count() == frame.height


def _yaml(path: Path) -> dict[str, Any]:
    import yaml

    return dict(yaml.safe_load(path.read_text(encoding="utf-8")))


def test_mixed_encodings_name_the_line(tmp_path: Path) -> None:
    head = "坐席工号,通话时长,满意度,备注\nA1,10,好,第一行的备注\n".encode()
    (tmp_path / "calls.csv").write_bytes(head + "A2,20,很好,第二行\n".encode("gbk"))
    config = make_config({"calls": {"path": "calls.csv", "columns": {"agent_id": "坐席工号"}}})
    with pytest.raises(DataError) as caught:
        read(config, tmp_path)
    assert caught.value.problems[0].startswith(f"{tmp_path / 'calls.csv'}:3: sources.calls: not valid UTF-8")


def test_gbk_without_bom_is_detected(tmp_path: Path) -> None:
    (tmp_path / "calls.csv").write_bytes("坐席工号,通话时长\nA1,3分25秒\n".encode("gbk"))
    config = make_config(
        {
            "calls": {
                "path": "calls.csv",
                "columns": {"agent_id": "坐席工号", "t": {"from": "通话时长", "type": "duration"}},
            }
        }
    )
    frame = read(config, tmp_path)
    assert frame.select("agent_id", "t").rows() == [("A1", 205.0)]
    assert read_source(config, "calls", tmp_path).encodings == {tmp_path / "calls.csv": "gb18030"}


# --- header rows, totals, blank rows ------------------------------------------------------------


TITLE_CONFIG = {
    "path": "title_footer.csv",
    "columns": {
        "agent_id": "坐席工号",
        "talk_s": {"from": "通话时长(秒)", "type": "duration"},  # the file has full-width brackets
        "connected": {"from": "是否接通", "type": "bool"},
        "day": {"from": "日期", "type": "date"},
    },
}


def test_header_found_below_title_lines_and_totals_counted() -> None:
    config = make_config({"calls": TITLE_CONFIG})
    source = read_source(config, "calls", EXPORTS)
    assert source.header_rows[EXPORTS / "title_footer.csv"] == 4
    frame = source.frame.collect().sort(ROW)
    # lines 5, 6 data; 7 blank; 8 data; 9 合计; 10 Grand Total
    assert frame.select(ROW, STATUS, REASON).rows() == [
        (5, None, None),
        (6, None, None),
        (7, "skipped", "blank row"),
        (8, None, None),
        (9, "skipped", "total row"),
        (10, "skipped", "total row"),
    ]
    used = frame.filter(pl.col(STATUS).is_null())
    assert used["talk_s"].sum() == 60 + 120 + 30


def test_header_row_can_be_given() -> None:
    config = make_config({"calls": {**TITLE_CONFIG, "header_row": 4}})
    assert read(config, EXPORTS).height == 6


def test_find_header_row_prefers_most_hits_then_first() -> None:
    records = [["report"], ["a", "x"], ["a", "b", "c"], ["a", "b", "c"]]
    assert find_header_row(records, {"a", "b", "c"}) == (2, 3)
    assert find_header_row([["x"], ["y"]], {"a"}) == (0, 0)


def test_headers_match_across_width_case_spaces_and_bom() -> None:
    config = make_config(
        {
            "calls": {
                "path": "header_variants.csv",
                "columns": {
                    "agent_id": "agent id",
                    "talk_s": {"from": "通话时长（秒）", "type": "duration"},
                    "connected": {"from": "Is Connected", "type": "bool"},
                },
            }
        }
    )
    frame = read(config, EXPORTS)
    assert frame.select("agent_id", "talk_s", "connected").rows() == [("A1", 60.0, True), ("A2", 30.0, False)]


def test_duplicate_header_is_an_error_unless_picked_by_position(tmp_path: Path) -> None:
    (tmp_path / "calls.csv").write_text("agent,talk,talk\nA1,10,20\n", encoding="utf-8")
    columns: dict[str, Any] = {"agent_id": "agent", "talk_s": {"from": "talk", "type": "duration"}}
    with pytest.raises(DataError) as caught:
        read(make_config({"calls": {"path": "calls.csv", "columns": columns}}), tmp_path)
    assert (
        "column 'talk' (sources.calls.columns.talk_s) appears 2 times (columns 2, 3)"
        in caught.value.problems[0]
    )
    columns["talk_s"] = {"from": 3, "type": "duration"}
    frame = read(make_config({"calls": {"path": "calls.csv", "columns": columns}}), tmp_path)
    assert frame["talk_s"].to_list() == [20.0]


def test_alternative_headers_first_found_wins(tmp_path: Path) -> None:
    (tmp_path / "calls.csv").write_text("工号,坐席工号\nX,A1\n", encoding="utf-8")
    config = make_config(
        {"calls": {"path": "calls.csv", "columns": {"agent_id": {"from": ["座席工号", "坐席工号", "工号"]}}}}
    )
    assert read(config, tmp_path)["agent_id"].to_list() == ["A1"]


def test_missing_column_lists_headers_and_closest(tmp_path: Path) -> None:
    (tmp_path / "calls.csv").write_text("坐席工号,通话时间\nA1,10\n", encoding="utf-8")
    config = make_config(
        {"calls": {"path": "calls.csv", "columns": {"agent_id": "坐席工号", "t": "通话时长"}}}
    )
    with pytest.raises(DataError) as caught:
        read(config, tmp_path)
    assert caught.value.problems == [
        f"{tmp_path / 'calls.csv'}: column '通话时长' (sources.calls.columns.t) not found; "
        "columns found: '坐席工号', '通话时间'; closest: '通话时间'"
    ]


def test_optional_column_missing_is_empty(tmp_path: Path) -> None:
    (tmp_path / "calls.csv").write_text("坐席工号\nA1\n", encoding="utf-8")
    config = make_config(
        {
            "calls": {
                "path": "calls.csv",
                "columns": {"agent_id": "坐席工号", "t": {"from": "通话时长", "required": False}},
            }
        }
    )
    assert read(config, tmp_path)["t"].to_list() == [None]


# --- line numbers --------------------------------------------------------------------------------


def test_rejected_rows_keep_their_line_with_multiline_fields(tmp_path: Path) -> None:
    text = 'agent,note,talk\nA1,"one\ntwo\nthree",10\nA2,plain,abc\n\nA3,"x ""quoted""",-5\nA4,"a,b",20\n'
    (tmp_path / "calls.csv").write_text(text, encoding="utf-8")
    config = make_config(
        {
            "calls": {
                "path": "calls.csv",
                "columns": {"agent_id": "agent", "note": "note", "t": {"from": "talk", "type": "duration"}},
            }
        }
    )
    frame = read(config, tmp_path)
    # Lines counted by hand: A1 on 2 (its note runs to line 4), A2 on 5, blank 6, A3 on 7, A4 on 8.
    assert frame.select(ROW, "agent_id", STATUS, REASON).rows() == [
        (2, "A1", None, None),
        (5, "A2", "rejected", "t (talk): not a valid duration"),
        (6, None, "skipped", "blank row"),
        (7, "A3", "rejected", "t (talk): negative duration"),
        (8, "A4", None, None),
    ]
    assert frame.filter(pl.col(ROW) == 7)["note"].item() == 'x "quoted"'


def test_quoted_field_with_trailing_text_is_read(tmp_path: Path) -> None:
    # `"x"y` is refused by Polars' parser; spreadsheets write it; it is read as Python's csv does.
    (tmp_path / "calls.csv").write_text('agent,talk\n"A"1,10\nA2,20\n', encoding="utf-8")
    config = make_config({"calls": {"path": "calls.csv", "columns": {"agent_id": "agent", "t": "talk"}}})
    assert read(config, tmp_path).select(ROW, "agent_id").rows() == [(2, "A1"), (3, "A2")]


def test_rejects_file_has_line_numbers_reasons_and_cells(tmp_path: Path) -> None:
    bad = DATA / "bad" / "mixed_types"
    result = CliRunner().invoke(
        app, ["score", str(bad / "config.yaml"), "--data", str(bad), "--rejects", str(tmp_path), "-q"]
    )
    assert result.exit_code == 0, result.output
    with (tmp_path / "calls.rejects.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["source_row"], r["reject_reason"], r["talk_s"]) for r in rows] == [
        ("3", "talk_s (通话时长): not a valid duration", "abc")
    ]


# --- workbooks -----------------------------------------------------------------------------------


def test_merged_cells_filled_down_with_sheet_row_numbers() -> None:
    columns = {
        "agent_id": {"from": "坐席工号", "fill_down": True},
        "day": {"from": "日期", "type": "date"},
        "calls": {"from": "通话量", "type": "int"},
        "talk_s": {"from": "通话时长", "type": "duration"},
    }
    config = make_config({"calls": {"path": "merged.xlsx", "sheet": "日报", "columns": columns}})
    source = read_source(config, "calls", EXPORTS)
    assert source.header_rows[EXPORTS / "merged.xlsx"] == 3
    frame = source.frame.collect().sort(ROW)
    assert frame.select(ROW, "agent_id", "calls", STATUS).rows() == [
        (4, "A1", 10, None),
        (5, "A1", 12, None),
        (6, "A1", 8, None),
        (7, "A2", 20, None),
        (8, "A2", 5, None),
        (9, None, None, "skipped"),  # the blank row stays blank, it is not filled in
        (10, "合计", 55, "skipped"),
    ]
    used = frame.filter(pl.col(STATUS).is_null())
    assert used.group_by("agent_id").agg(pl.col("talk_s").sum()).sort("agent_id").rows() == [
        ("A1", 5400.0),
        ("A2", 4200.0),
    ]


def test_first_row_of_a_sheet_with_leading_blank_rows(tmp_path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet["C4"] = "agent"
    sheet["D4"] = "talk"
    sheet["C5"] = "A1"
    sheet["D5"] = 10
    book.save(tmp_path / "w.xlsx")
    assert xlsx_first_row(tmp_path / "w.xlsx", 0) == 4
    config = make_config({"calls": {"path": "w.xlsx", "columns": {"agent_id": "agent", "t": "talk"}}})
    assert read(config, tmp_path).select(ROW, "agent_id", "t").rows() == [(5, "A1", "10")]


def test_sheet_by_number_and_unknown_sheet(tmp_path: Path) -> None:
    config = make_config({"calls": {"path": "merged.xlsx", "sheet": 1, "columns": {"agent_id": "坐席工号"}}})
    assert read(config, EXPORTS).height == 7
    config = make_config(
        {"calls": {"path": "merged.xlsx", "sheet": "日 报", "columns": {"agent_id": "坐席工号"}}}
    )
    with pytest.raises(DataError, match=r"sheet '日 报' not found; sheets: '日报'"):
        read(config, EXPORTS)


# --- JSON ---------------------------------------------------------------------------------------


def test_json_array_lines_and_nested_keys(tmp_path: Path) -> None:
    records = [{"id": 1, "Agent": {"Username": "a"}, "ok": True}, {"id": 2, "Agent": None, "ok": False}]
    (tmp_path / "a.json").write_text(json.dumps(records, indent=1), encoding="utf-8")
    (tmp_path / "b.jsonl").write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    columns = {
        "rid": {"from": "id", "type": "int"},
        "agent_id": "Agent.Username",
        "ok": {"from": "ok", "type": "bool"},
    }
    for name in ("a.json", "b.jsonl"):
        config = make_config({"calls": {"path": name, "columns": columns}})
        frame = read(config, tmp_path)
        assert frame.select("rid", "agent_id", "ok", STATUS).rows() == [
            (1, "a", True, None),
            (2, None, False, "rejected"),
        ]
    lines = read(make_config({"calls": {"path": "b.jsonl", "columns": columns}}), tmp_path)[ROW].to_list()
    assert lines == [1, 2]


# --- identity -----------------------------------------------------------------------------------


def test_agent_id_rules_and_aliases(tmp_path: Path) -> None:
    (tmp_path / "calls.csv").write_text(
        "agent\n 007 \nZhang Wei (zw@example.com)\nzhang  wei\nA9\n", encoding="utf-8"
    )
    (tmp_path / "roster.csv").write_text("id,name,other\n7,Zhang Wei,old-7\nA9,Li Na,\n", encoding="utf-8")
    config = make_config(
        {"calls": {"path": "calls.csv", "columns": {"agent_id": "agent"}}},
        roster={
            "path": "roster.csv",
            "columns": {"agent_id": "id", "name": "name", "other": {"from": "other"}},
        },
        agent_id={
            "strip_leading_zeros": True,
            "extract": r"\(([^)]+@[^)]+)\)",
            "aliases": {"zw@example.com": "7"},
            "alias_columns": ["name", "other"],
        },
    )
    # " 007 " → trim, zeros → 7; the e-mail is extracted then aliased; the name matches the roster
    # name whatever its case and inner spaces.
    assert read(config, tmp_path)["agent_id"].to_list() == ["7", "7", "7", "A9"]
    assert alias_map(config, tmp_path) == {
        "zw@example.com": "7",
        "zhang wei": "7",
        "old-7": "7",
        "li na": "A9",
    }


def test_agents_in_data_not_in_roster_are_reported(tmp_path: Path) -> None:
    (tmp_path / "calls.csv").write_text("agent,talk\nA1,10\nA2,20\n", encoding="utf-8")
    (tmp_path / "roster.csv").write_text("id\nA1\nA3\n", encoding="utf-8")
    data = {
        "roster": {"path": "roster.csv", "columns": {"agent_id": "id"}},
        "sources": {
            "calls": {
                "path": "calls.csv",
                "columns": {"agent_id": "agent", "t": {"from": "talk", "type": "duration"}},
            }
        },
        "measures": {
            "talk": {"source": "calls", "agg": "sum", "value": "t"},
            "n": {"source": "calls", "agg": "count"},
        },
        "metrics": {"aht": {"ratio": ["talk", "n"], "better": "lower"}},
        "scorecards": {
            "s": {
                "categories": {
                    "c": {"weight": 100, "metrics": {"aht": {"weight": 100, "points": {"percentile": {}}}}}
                }
            }
        },
    }
    loaded = LoadedConfig(Config.model_validate(data), LoadedYaml(data=data), tmp_path / "c.yaml")
    quality = run_score(loaded, tmp_path).data_quality
    assert quality.agents_not_in_roster == ["A2"]
    assert quality.roster_agents_without_data == ["A3"]


def test_agent_from_another_source(tmp_path: Path) -> None:
    (tmp_path / "log.csv").write_text("id,agent\n1,A1\n2,A2\n3,A1\n", encoding="utf-8")
    (tmp_path / "details.csv").write_text("callID,talk\n1,10\n2,20\n3,30\n9,40\nx,50\n", encoding="utf-8")
    config = make_config(
        {
            "log": {
                "path": "log.csv",
                "columns": {"call_id": {"from": "id", "type": "int"}, "agent_id": "agent"},
            },
            "details": {
                "path": "details.csv",
                "columns": {
                    "call_id": {"from": "callID", "type": "int"},
                    "t": {"from": "talk", "type": "duration"},
                },
                "agent_from": {"source": "log", "key": "call_id"},
            },
        }
    )
    frame = read(config, tmp_path, "details")
    assert frame.select(ROW, "agent_id", STATUS, REASON).rows() == [
        (2, "A1", None, None),
        (3, "A2", None, None),
        (4, "A1", None, None),
        (5, None, "rejected", "agent_id: no row of source `log` with this call_id"),
        (6, None, "rejected", "call_id (callID): not a valid int"),
    ]


def test_dedupe_keeps_latest_and_ignores_empty_keys(tmp_path: Path) -> None:
    text = (
        "id,agent,updated\nc1,A,2026-10-08 10:00:00\nc1,A,2026-10-08 11:00:00\n,A,2026-10-08 09:00:00\n,A,\n"
    )
    (tmp_path / "c.csv").write_text(text, encoding="utf-8")
    config = make_config(
        {
            "c": {
                "path": "c.csv",
                "columns": {
                    "rid": "id",
                    "agent_id": "agent",
                    "updated": {"from": "updated", "type": "datetime"},
                },
                "dedupe_on": ["rid"],
                "dedupe_order_by": "updated",
            }
        }
    )
    frame = read(config, tmp_path, "c")
    # the 10:00 version is replaced by the 11:00 one; rows without an id are never duplicates
    assert frame.select(ROW, STATUS).rows() == [(2, "duplicate"), (3, None), (4, None), (5, None)]


def test_no_agent_skip_versus_reject(tmp_path: Path) -> None:
    (tmp_path / "c.csv").write_text("agent,talk\nA1,10\n,20\n", encoding="utf-8")
    columns = {"agent_id": "agent", "t": "talk"}
    rejected = read(make_config({"c": {"path": "c.csv", "columns": columns}}), tmp_path, "c")
    skipped = read(
        make_config({"c": {"path": "c.csv", "columns": columns, "no_agent": "skip"}}), tmp_path, "c"
    )
    assert rejected.select(STATUS, REASON).rows()[1] == ("rejected", "agent_id: empty")
    assert skipped.select(STATUS, REASON).rows()[1] == ("skipped", "no agent")


# --- properties ---------------------------------------------------------------------------------

KINDS = ["good", "good", "good", "blank", "total", "bad_number", "no_agent", "old", "duplicate"]


@st.composite
def dirty_rows(draw: st.DrawFn) -> list[tuple[str, list[str]]]:
    """Rows of a dirty export, each with its kind (what the reader must make of it)."""
    rows: list[tuple[str, list[str]]] = []
    ids: list[str] = []
    for index in range(draw(st.integers(min_value=0, max_value=25))):
        kind = draw(st.sampled_from(KINDS))
        agent = draw(st.sampled_from(["A1", "A2", " a3 ", "A4"]))
        note = draw(st.sampled_from(["", "plain", "多行\n备注", 'say "hi"', "a,b", "--"]))
        talk = draw(st.sampled_from(["60", "00:01:05", "3分25秒", "1,200", "N/A"]))
        day = "2026-10-08"
        call = f"C{index}"
        if kind == "duplicate":
            if not ids:
                kind = "good"
            else:
                call = draw(st.sampled_from(ids))
        if kind == "blank":
            rows.append((kind, ["", "", "", "", ""]))
            continue
        if kind == "total":
            rows.append((kind, ["合计", "", "999", "", ""]))
            continue
        if kind == "bad_number":
            talk = "abc"
        if kind == "no_agent":
            agent = ""
        if kind == "old":
            day = "2026-09-30"
        rows.append((kind, [call, agent, talk, day, note]))
        if kind in ("good", "duplicate"):
            ids.append(call)
    return rows


def expected_counts(rows: list[tuple[str, list[str]]]) -> dict[str, int]:
    """The accounting worked out in plain Python from the rules in the module docstring."""
    counts = {"used": 0, "rejected": 0, "skipped": 0, "duplicate": 0, "outside_period": 0}
    in_period: list[str] = []
    for kind, cells in rows:
        if kind in ("blank", "total"):
            counts["skipped"] += 1
        elif kind in ("bad_number", "no_agent"):
            counts["rejected"] += 1
        elif kind == "old":
            counts["outside_period"] += 1
        else:
            in_period.append(cells[0])
    counts["duplicate"] = len(in_period) - len(set(in_period))
    counts["used"] = len(set(in_period))
    return counts


@SETTINGS
@given(rows=dirty_rows(), quote_all=st.booleans(), title=st.booleans(), gb=st.booleans())
def test_accounting_identity_on_dirty_exports(
    tmp_path: Path, rows: list[tuple[str, list[str]]], quote_all: bool, title: bool, gb: bool
) -> None:
    out = io.StringIO()
    if title:
        out.write("通话明细导出\n\n")
    writer = csv.writer(out, quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow(["通话ID", "坐席工号", "通话时长", "日期", "备注"])
    writer.writerows(cells for _, cells in rows)
    (tmp_path / "calls.csv").write_bytes(out.getvalue().encode("gb18030" if gb else "utf-8-sig"))
    config = make_config(
        {
            "calls": {
                "path": "calls.csv",
                "columns": {
                    "call_id": "通话ID",
                    "agent_id": "坐席工号",
                    "talk_s": {"from": "通话时长", "type": "duration"},
                    "day": {"from": "日期", "type": "date"},
                    "note": "备注",
                },
                "timestamp": "day",
                "dedupe_on": ["call_id"],
            }
        }
    )
    from datetime import datetime

    period = Period(datetime(2026, 10, 1), datetime(2026, 11, 1), "2026-10")
    frame = read(config, tmp_path, period=period)
    found = {"used": 0, "rejected": 0, "skipped": 0, "duplicate": 0, "outside_period": 0}
    for (status, _), n in accounting(frame).items():
        found["used" if status is None else status] += n
    assert frame.height == len(rows)  # rows read = the rows written
    assert sum(found.values()) == frame.height  # read = used + rejected + skipped + duplicates + outside
    assert found == expected_counts(rows)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(content=st.one_of(st.binary(max_size=400), st.text(max_size=300).map(lambda t: t.encode("utf-8"))))
def test_arbitrary_bytes_never_crash_the_reader(tmp_path: Path, content: bytes) -> None:
    (tmp_path / "calls.csv").write_bytes(content)
    config = make_config(
        {
            "calls": {
                "path": "calls.csv",
                "columns": {"agent_id": {"from": 1}, "t": {"from": 2, "required": False}},
            }
        }
    )
    try:
        source = read_source(config, "calls", tmp_path)
    except DataError as exc:
        assert exc.problems and all(str(tmp_path / "calls.csv") in p for p in exc.problems)
        return
    counts = source.accounting_query().collect()
    assert counts["rows"].sum() == source.frame.collect().height


CSV_ALPHABET = st.sampled_from(list('ab,;"\n\r\t 1-:合计%="\''))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.text(alphabet=CSV_ALPHABET, max_size=200))
@example(body='1","')  # broken quoting that Polars' reader refuses
def test_csv_like_text_never_crashes_the_reader(tmp_path: Path, body: str) -> None:
    (tmp_path / "calls.csv").write_text("agent,talk,note\n" + body, encoding="utf-8")
    config = make_config(
        {
            "calls": {
                "path": "calls.csv",
                "columns": {"agent_id": "agent", "t": {"from": "talk", "type": "duration"}, "n": "note"},
            }
        }
    )
    try:
        source = read_source(config, "calls", tmp_path)
    except DataError:
        return
    try:
        frame = source.collect()
    except DataError as exc:
        assert "calls.csv: sources.calls: cannot read the file" in str(exc)
        return
    lines = frame[ROW].to_list()
    # every record keeps a distinct line number after the header, in file order
    assert lines == sorted(set(lines))
    assert all(2 <= line <= body.count("\n") + body.count("\r") + 2 for line in lines)
    assert set(frame[STATUS].drop_nulls().to_list()) <= {"rejected", "skipped"}
