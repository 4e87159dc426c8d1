"""Reading only the mapped workbook columns changes nothing that the reader looks at.

Every comparison is between the projected read (csperf.xlsx_columns) and the plain full read of
the same sheet through the same reader, on the workbooks shipped with the examples and tests and
on small workbooks built here with openpyxl for the awkward cases (a title above the header, a
sheet that starts in column C, numbers and rich text in header cells).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import polars as pl
import pytest
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont

import csperf.xlsx_columns as xlsx_columns
from csperf.config import Config, load_config
from csperf.sources import read_source

ROOT = Path(__file__).resolve().parent.parent


def _full(reader: Any, path: Path, index: int, *args: Any, **kwargs: Any) -> pl.DataFrame:
    return reader.load_sheet(index, header_row=None, dtypes="string").to_polars()  # type: ignore[no-any-return]


def _both(config: Config, name: str, base: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, Any]:
    projected = read_source(config, name, base)
    fast = (projected.frame.collect(), projected.raw_headers, projected.header_rows)
    with monkeypatch.context() as patch:
        patch.setattr(xlsx_columns, "load_sheet_text", _full)
        plain = read_source(config, name, base)
        slow = (plain.frame.collect(), plain.raw_headers, plain.header_rows)
    return fast, slow


@pytest.mark.parametrize(
    ("config", "data", "source"),
    [
        ("configs/outbound.yaml", "examples/outbound", "crm"),
        ("configs/pwc_call_centre.yaml", "examples/pwc", None),
    ],
)
def test_shipped_workbooks_read_the_same(
    config: str, data: str, source: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    loaded = load_config(ROOT / config).config
    names = [source] if source else [n for n, s in loaded.sources.items() if s.path.endswith(".xlsx")]
    assert names
    for name in names:
        fast, slow = _both(loaded, name, ROOT / data, monkeypatch)
        assert fast[0].equals(slow[0]), name
        assert fast[1:] == slow[1:], name


def _config(tmp_path: Path, columns: dict[str, Any], **source: Any) -> Config:
    from csperf.config import Config

    return Config.model_validate(
        {
            "sources": {"calls": {"path": "calls.xlsx", "columns": columns, **source}},
            "measures": {"n": {"source": "calls", "agg": "count"}},
            "metrics": {"volume": {"formula": "n"}},
            "scorecards": {
                "all": {
                    "categories": {
                        "c": {
                            "weight": 100,
                            "metrics": {"volume": {"weight": 100, "points": {"percentile": {}}}},
                        }
                    }
                }
            },
        }
    )


def _workbook(path: Path, rows: list[list[Any]], start_row: int = 1, start_column: int = 1) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is not None:
                sheet.cell(row=start_row + r, column=start_column + c, value=value)
    book.save(path)


COLUMNS = {
    "agent_id": "坐席工号",
    "talk": {"from": "通话时长", "type": "duration"},
    "ok": {"from": "是否接通", "type": "bool"},
}


def _data(n: int = 40) -> list[list[Any]]:
    return [
        [f"C{i:04d}", f"A{i % 5}", 13900000000 + i, i * 3, "是" if i % 2 else "否", f"note {i}"]
        for i in range(n)
    ]


@pytest.mark.parametrize(
    ("case", "rows", "start_row", "start_column"),
    [
        ("plain", [["通话ID", "坐席工号", "客户号码", "通话时长", "是否接通", "备注"], *_data()], 1, 1),
        (
            "title above, sheet from column C",
            [
                ["十月通话明细"],
                [],
                ["通话ID", "坐席工号", "客户号码", "通话时长", "是否接通", "备注"],
                *_data(),
            ],
            2,
            3,
        ),
        (
            "a number as an unmapped header",
            [["通话ID", "坐席工号", 2026, "通话时长", "是否接通", "备注"], *_data()],
            1,
            1,
        ),
        (
            "rich text and an escaped character in headers",
            [
                [
                    "通话ID",
                    CellRichText([TextBlock(InlineFont(b=True), "坐席"), "工号"]),
                    "客户\n号码",
                    "通话时长",
                    "是否接通",
                    "备注_x000D_",
                ],
                *_data(),
            ],
            1,
            1,
        ),
    ],
)
def test_awkward_sheets_read_the_same(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    case: str,
    rows: list[list[Any]],
    start_row: int,
    start_column: int,
) -> None:
    _workbook(tmp_path / "calls.xlsx", rows, start_row, start_column)
    fast, slow = _both(_config(tmp_path, COLUMNS), "calls", tmp_path, monkeypatch)
    assert fast[0].equals(slow[0]), case
    assert fast[1:] == slow[1:], case
    assert fast[0].height == 40


def test_unmapped_columns_are_not_converted(tmp_path: Path) -> None:
    import fastexcel

    from csperf.sources import find_header_row, normalise_header

    _workbook(
        tmp_path / "calls.xlsx",
        [["通话ID", "坐席工号", "客户号码", "通话时长", "是否接通", "备注"], *_data(60)],
    )
    reader = fastexcel.read_excel(str(tmp_path / "calls.xlsx"))
    source = _config(tmp_path, COLUMNS).sources["calls"]
    wanted = {normalise_header(h) for h in ("坐席工号", "通话时长", "是否接通")}
    table = xlsx_columns.load_sheet_text(
        reader, tmp_path / "calls.xlsx", 0, source, wanted, normalise_header, find_header_row, 30
    )
    full = _full(reader, tmp_path / "calls.xlsx", 0)
    assert table.width == full.width and table.height == full.height
    for kept in (0, 1, 3, 4):  # the first column (total rows) and the mapped ones
        assert table[:, kept].equals(full[:, kept])
    # Columns left out: their text cells in the head rows (where the header is looked for), nothing
    # below; a number cell there (客户号码) is left empty: it can never be a header the config names.
    assert table[:, 5].head(30).to_list() == full[:, 5].head(30).to_list()
    assert table[:, 2].head(30).to_list() == ["客户号码"] + [None] * 29
    for left in (2, 5):
        assert table[:, left].slice(30).null_count() == table.height - 30


def test_number_like_headers_take_the_full_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _workbook(
        tmp_path / "calls.xlsx", [["通话ID", "坐席工号", "2026", "通话时长", "是否接通", "备注"], *_data()]
    )
    calls: list[str] = []
    original = xlsx_columns.head_rows

    def spy(*args: Any, **kwargs: Any) -> Any:
        calls.append("head")
        return original(*args, **kwargs)

    monkeypatch.setattr(xlsx_columns, "head_rows", spy)
    config = _config(tmp_path, {**COLUMNS, "year": "2026"})
    frame = read_source(config, "calls", tmp_path).frame.collect()
    assert calls == []  # a header that a number cell could spell: no projection at all
    assert frame["year"].to_list()[:2] == ["13900000000", "13900000001"]
