"""Generate a month of dialer call records (and the post-call survey file) at any row count.

The data is what a large outbound contact centre exports at month end, at benchmark scale:

* ``calls.csv``   one row per dial attempt: 通话ID,坐席工号,客户号码,开始时间,是否接通,振铃时长,
  通话时长,保持时长,话后处理时长,呼叫结果,是否投诉 (durations in whole seconds, booleans 是/否,
  start time ``YYYY-MM-DD HH:MM:SS`` local time, October 2026 working days 09:00-20:30).
* ``surveys.csv`` about 20% of connected calls: 通话ID,坐席工号,满意度 (1-5),推荐意愿 (0-10, blank in
  about 30% of answers),提交时间.
* ``calls.xlsx``  (with ``--xlsx``) the same call records as a workbook, sheet ``calls``, written the way
  Excel writes it (shared strings, numbers as numbers, the start time as a date-formatted serial).

Every agent has latent rates (connect, conversion, complaint, handle time, CSAT, NPS) so the per-agent
figures spread like real ones. One row in every 250,000 is a system test call with an empty 坐席工号
(csperf rejects it, the DuckDB query leaves it out): the benchmark pays for the row accounting too.

Determinism: rows are produced in chunks of ``CHUNK`` rows; each column of a chunk is drawn from its
own NumPy generator seeded with ``(seed, chunk number, column)``, so the same arguments always give
the same bytes and the first N rows of a bigger file equal a file of N rows.

Usage::

    python benchmarks/generate.py --rows 1000000 [--agents 500] [--seed 8] [--xlsx] [--out DIR]

The default output folder is ``benchmarks/data/<rows>`` (git-ignored).
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import sys
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import numpy as np
import polars as pl

HERE = Path(__file__).resolve().parent
CHUNK = 1_000_000
STAMP = "generated.json"
VERSION = 3  # bump when the same arguments would give other rows (the runner then regenerates)
TEST_CALL_EVERY = 250_000
TEST_CALL_OFFSET = 1_000  # so that even a 2,000-row file has one
SURVEY_SHARE = 0.20
NPS_BLANK_SHARE = 0.30
# October 2026 working days (National Day holiday 10-01..10-07, make-up Saturday 10-10).
WORKING_DAYS = [
    dt.date(2026, 10, d) for d in (8, 9, 10, 12, 13, 14, 15, 16, 19, 20, 21, 22, 23, 26, 27, 28, 29, 30)
]
CALL_HEADERS = [
    "通话ID",
    "坐席工号",
    "客户号码",
    "开始时间",
    "是否接通",
    "振铃时长",
    "通话时长",
    "保持时长",
    "话后处理时长",
    "呼叫结果",
    "是否投诉",
]
SURVEY_HEADERS = ["通话ID", "坐席工号", "满意度", "推荐意愿", "提交时间"]
OUTCOMES_CONNECTED = ["成功", "跟进", "拒绝"]
DATETIME_FORMAT = "%Y-%m-%d %H:%M:%S"


@dataclass(frozen=True)
class Agents:
    """Latent per-agent rates, indexed by agent number."""

    ids: np.ndarray
    activity: np.ndarray
    connect: np.ndarray
    convert: np.ndarray
    complain: np.ndarray
    talk_mean: np.ndarray
    csat_mean: np.ndarray
    nps_mean: np.ndarray


def make_agents(count: int, seed: int) -> Agents:
    rng = np.random.default_rng([seed, 0xA6E])
    skill = rng.normal(0.0, 1.0, count)
    activity = rng.uniform(0.6, 1.4, count)
    return Agents(
        ids=np.array([f"A{10001 + i}" for i in range(count)], dtype=object),
        activity=activity / activity.sum(),
        connect=np.clip(0.40 + 0.07 * skill + rng.normal(0, 0.04, count), 0.10, 0.80),
        convert=np.clip(0.15 + 0.05 * skill + rng.normal(0, 0.03, count), 0.01, 0.60),
        complain=np.clip(0.004 - 0.002 * skill + rng.normal(0, 0.001, count), 0.0, 0.03),
        talk_mean=np.clip(240 - 30 * skill + rng.normal(0, 30, count), 90, 600),
        csat_mean=np.clip(4.1 + 0.3 * skill + rng.normal(0, 0.2, count), 2.0, 4.9),
        nps_mean=np.clip(7.2 + 0.8 * skill + rng.normal(0, 0.5, count), 2.0, 9.8),
    )


def _yes_no(flags: np.ndarray) -> np.ndarray:
    return np.where(flags, "是", "否").astype(object)


def _blank_where(values: pl.Series, blank: np.ndarray) -> pl.Series:
    """`values` with nulls (written as empty cells) where `blank` is true."""
    return pl.select(pl.when(pl.Series(blank)).then(None).otherwise(values).alias(values.name)).to_series()


def _local_text(epoch_s: np.ndarray) -> pl.Series:
    return pl.from_epoch(pl.Series(epoch_s, dtype=pl.Int64), time_unit="s").dt.strftime(DATETIME_FORMAT)


def call_chunk(agents: Agents, seed: int, index: int, size: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Rows `index * CHUNK` .. `+ size` of the call records and the survey answers they produced."""

    def draw(variable: int) -> np.random.Generator:
        # One stream per variable: the first n draws do not depend on how many follow, so a
        # shorter file is the start of a longer one.
        return np.random.default_rng([seed, index, variable])

    first = index * CHUNK
    who = draw(1).choice(len(agents.ids), size=size, p=agents.activity)
    day = draw(2).integers(0, len(WORKING_DAYS), size)
    day_start = np.array(
        [int(dt.datetime.combine(d, dt.time()).replace(tzinfo=dt.UTC).timestamp()) for d in WORKING_DAYS]
    )
    second = draw(3).integers(9 * 3600, 20 * 3600 + 1800, size)
    started = day_start[day] + second  # naive local wall-clock time, written as text
    connected = draw(4).random(size) < agents.connect[who]
    converted = connected & (draw(5).random(size) < agents.convert[who])
    complained = connected & (draw(6).random(size) < agents.complain[who])
    talk = np.where(
        connected, np.maximum(5, draw(7).gamma(4.0, agents.talk_mean[who] / 4.0)).astype(np.int64), 0
    )
    hold = np.where(connected & (draw(8).random(size) < 0.25), draw(9).integers(5, 120, size), 0)
    acw = np.where(connected, draw(10).integers(10, 90, size), 0)
    ring = draw(11).integers(3, 40, size)
    outcome = np.where(
        ~connected,
        "未接通",
        np.where(converted, "成功", np.array(OUTCOMES_CONNECTED[1:])[draw(12).integers(0, 2, size)]),
    ).astype(object)
    row_number = np.arange(first, first + size)
    test_call = row_number % TEST_CALL_EVERY == TEST_CALL_OFFSET
    call_id = pl.Series(row_number + 1, dtype=pl.Int64).cast(pl.String).str.zfill(10)
    calls = pl.DataFrame(
        {
            "通话ID": "C" + call_id,
            "坐席工号": _blank_where(pl.Series(agents.ids[who], dtype=pl.String), test_call),
            "客户号码": pl.Series(draw(13).integers(13_000_000_000, 19_999_999_999, size)).cast(pl.String),
            "开始时间": _local_text(started),
            "是否接通": pl.Series(_yes_no(connected), dtype=pl.String),
            "振铃时长": ring,
            "通话时长": talk,
            "保持时长": hold,
            "话后处理时长": acw,
            "呼叫结果": pl.Series(outcome, dtype=pl.String),
            "是否投诉": pl.Series(_yes_no(complained), dtype=pl.String),
        }
    )

    answered = connected & ~test_call & (draw(14).random(size) < SURVEY_SHARE)
    csat = np.clip(np.rint(draw(15).normal(agents.csat_mean[who], 0.8)), 1, 5).astype(np.int64)
    nps = np.clip(np.rint(draw(16).normal(agents.nps_mean[who], 1.8)), 0, 10).astype(np.int64)
    nps_text = _blank_where(pl.Series(nps).cast(pl.String), draw(17).random(size) < NPS_BLANK_SHARE)
    submitted = started + talk + draw(18).integers(60, 3600, size)
    surveys = pl.DataFrame(
        {
            "通话ID": calls["通话ID"].filter(answered),
            "坐席工号": calls["坐席工号"].filter(answered),
            "满意度": csat[answered],
            "推荐意愿": nps_text.filter(answered),
            "提交时间": _local_text(submitted[answered]),
        }
    )
    return calls, surveys


def chunks(rows: int, agents: int, seed: int) -> Iterator[tuple[pl.DataFrame, pl.DataFrame]]:
    people = make_agents(agents, seed)
    for index in range((rows + CHUNK - 1) // CHUNK):
        yield call_chunk(people, seed, index, min(CHUNK, rows - index * CHUNK))


def write_csv(rows: int, out: Path, agents: int = 500, seed: int = 8) -> tuple[Path, Path]:
    """Write calls.csv and surveys.csv (UTF-8, LF) into `out`; return their paths."""
    out.mkdir(parents=True, exist_ok=True)
    calls_path, surveys_path = out / "calls.csv", out / "surveys.csv"
    (out / STAMP).unlink(missing_ok=True)
    with calls_path.open("wb") as calls_file, surveys_path.open("wb") as surveys_file:
        for number, (calls, surveys) in enumerate(chunks(rows, agents, seed)):
            calls.write_csv(calls_file, include_header=number == 0)
            surveys.write_csv(surveys_file, include_header=number == 0)
    (out / "calls.xlsx").unlink(missing_ok=True)  # it would hold other rows now
    (out / STAMP).write_text(json.dumps(stamp(rows, agents, seed)) + "\n", encoding="utf-8")
    return calls_path, surveys_path


def stamp(rows: int, agents: int, seed: int) -> dict[str, int]:
    """What a folder's CSV files were generated with (`generated.json`)."""
    return {"rows": rows, "agents": agents, "seed": seed, "chunk": CHUNK, "version": VERSION}


# --- XLSX, written like Excel writes it (shared strings, styled date cells) ------------------------

_EXCEL_EPOCH = dt.datetime(1899, 12, 30)
_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>"
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="calls" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>'
    '<Relationship Id="rId3" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
    'Target="sharedStrings.xml"/></Relationships>'
)
# Style 1 is the date-time format `yyyy-mm-dd hh:mm:ss` (custom numFmt 164).
_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy\\-mm\\-dd\\ hh:mm:ss"/></numFmts>'
    '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="1"><fill><patternFill patternType="none"/></fill></fills>'
    '<borders count="1"><border/></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
    "</styleSheet>"
)
_COLUMN_LETTERS = [chr(ord("A") + i) for i in range(len(CALL_HEADERS))]
_NUMERIC_COLUMNS = {"振铃时长", "通话时长", "保持时长", "话后处理时长"}
_DATETIME_COLUMN = "开始时间"
_FIXED_ZIP_TIME = (2026, 11, 1, 0, 0, 0)


def _excel_serial(text: pl.Series) -> list[str]:
    stamps = text.str.strptime(pl.Datetime("us"), DATETIME_FORMAT)
    serial = (stamps - _EXCEL_EPOCH).dt.total_seconds() / 86400
    return [f"{v:.10f}".rstrip("0").rstrip(".") for v in serial.to_list()]


def write_xlsx(rows: int, out: Path, agents: int = 500, seed: int = 8) -> Path:
    """Write calls.xlsx (the same call records as calls.csv) into `out`; return its path."""
    out.mkdir(parents=True, exist_ok=True)
    path = out / "calls.xlsx"
    strings: dict[str, int] = {}

    def shared(value: str) -> int:
        index = strings.get(value)
        if index is None:
            index = strings[value] = len(strings)
        return index

    def info(name: str) -> zipfile.ZipInfo:
        entry = zipfile.ZipInfo(name, date_time=_FIXED_ZIP_TIME)
        entry.compress_type = zipfile.ZIP_DEFLATED
        return entry

    with zipfile.ZipFile(path, "w", compresslevel=1) as book:
        book.writestr(info("[Content_Types].xml"), _CONTENT_TYPES)
        book.writestr(info("_rels/.rels"), _ROOT_RELS)
        book.writestr(info("xl/workbook.xml"), _WORKBOOK)
        book.writestr(info("xl/_rels/workbook.xml.rels"), _WORKBOOK_RELS)
        book.writestr(info("xl/styles.xml"), _STYLES)
        with book.open(info("xl/worksheets/sheet1.xml"), "w", force_zip64=True) as raw:
            sheet = io.TextIOWrapper(raw, encoding="utf-8", newline="")
            sheet.write(
                '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                f'<dimension ref="A1:{_COLUMN_LETTERS[-1]}{rows + 1}"/><sheetData>'
            )
            header = "".join(
                f'<c r="{letter}1" t="s"><v>{shared(name)}</v></c>'
                for letter, name in zip(_COLUMN_LETTERS, CALL_HEADERS, strict=True)
            )
            sheet.write(f'<row r="1">{header}</row>')
            row_number = 1
            kinds = [
                "" if n in _NUMERIC_COLUMNS else ' s="1"' if n == _DATETIME_COLUMN else ' t="s"'
                for n in CALL_HEADERS
            ]
            texts = [n not in _NUMERIC_COLUMNS and n != _DATETIME_COLUMN for n in CALL_HEADERS]
            for calls, _surveys in chunks(rows, agents, seed):
                columns: list[list[Any]] = []
                for name in CALL_HEADERS:
                    series = calls[name]
                    columns.append(_excel_serial(series) if name == _DATETIME_COLUMN else series.to_list())
                parts: list[str] = []
                for values in zip(*columns, strict=True):
                    row_number += 1
                    cells: list[str] = []
                    # Shared strings are numbered in the order Excel meets them: row by row.
                    for letter, kind, text, value in zip(_COLUMN_LETTERS, kinds, texts, values, strict=True):
                        if value is None or value == "":
                            continue
                        shown = shared(value) if text else value
                        cells.append(f'<c r="{letter}{row_number}"{kind}><v>{shown}</v></c>')
                    parts.append(f'<row r="{row_number}">{"".join(cells)}</row>')
                sheet.write("".join(parts))
            sheet.write("</sheetData></worksheet>")
            sheet.flush()
            sheet.detach()
        with book.open(info("xl/sharedStrings.xml"), "w", force_zip64=True) as raw:
            table = io.TextIOWrapper(raw, encoding="utf-8", newline="")
            table.write(
                '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                f'count="{len(strings)}" uniqueCount="{len(strings)}">'
            )
            for value in strings:
                table.write(f"<si><t>{escape(value)}</t></si>")
            table.write("</sst>")
            table.flush()
            table.detach()
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, required=True, help="call records to write")
    parser.add_argument("--agents", type=int, default=500)
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--xlsx", action="store_true", help="also write calls.xlsx")
    parser.add_argument("--no-csv", action="store_true", help="skip calls.csv and surveys.csv")
    parser.add_argument("--out", type=Path, help="output folder (default: benchmarks/data/<rows>)")
    args = parser.parse_args(argv)
    out = args.out or HERE / "data" / str(args.rows)
    started = time.perf_counter()
    if not args.no_csv:
        for path in write_csv(args.rows, out, args.agents, args.seed):
            print(f"wrote {path} ({path.stat().st_size / 2**20:.1f} MiB)", file=sys.stderr)
    if args.xlsx:
        path = write_xlsx(args.rows, out, args.agents, args.seed)
        print(f"wrote {path} ({path.stat().st_size / 2**20:.1f} MiB)", file=sys.stderr)
    print(f"generated in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
