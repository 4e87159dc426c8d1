"""Text cells as exported → typed values (numbers, percents, durations, booleans, datetimes)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csperf.config import ColumnSpec
from csperf.parsing import apply_value_map, clean_text, parse_column


def parse(values: list[str | None], tz: str | None = None, **spec: Any) -> list[Any]:
    frame = pl.DataFrame({"t": values}, schema={"t": pl.String})
    value = parse_column(clean_text(pl.col("t")), ColumnSpec.model_validate(spec), tz)
    return frame.select(value.alias("t"))["t"].to_list()


def test_spreadsheet_text_tricks_are_undone() -> None:
    frame = pl.DataFrame({"t": ['="00123"', "'00123", "  A1 ", "\ufeffA2", "=SUM(A1)", None]})
    assert frame.select(clean_text(pl.col("t")))["t"].to_list() == [
        "00123",
        "00123",
        "A1",
        "A2",
        "=SUM(A1)",
        None,
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1,234", 1234.0),
        ("1,234,567.5", 1234567.5),
        ("1 234", 1234.0),
        ("12.34%", 0.1234),
        ("12.34％", 0.1234),
        ("-3.5", -3.5),
        ("１２", 12.0),  # full-width digits as some Chinese exports write them
        ("12.3.4", None),
        ("abc", None),
    ],
)
def test_numbers(text: str, expected: float | None) -> None:
    result = parse([text], type="number")[0]
    assert result == (pytest.approx(expected) if expected is not None else None)


def test_percent_column_reads_fractions_and_percentages() -> None:
    # A bare number above 1 in a percent column is a percentage; 0.85 is already a fraction.
    assert parse(["85%", "85", "0.85", "100%"], type="percent") == pytest.approx([0.85, 0.85, 0.85, 1.0])


@pytest.mark.parametrize(
    ("text", "unit", "seconds"),
    [
        ("00:03:25", None, 205),
        ("3:25", None, 205),
        ("1:00:00", None, 3600),
        ("3分25秒", None, 205),
        ("1小时2分3秒", None, 3723),
        ("2分", None, 120),
        ("45秒", None, 45),
        ("1h2m3s", None, 3723),
        ("205", None, 205),
        ("90", "min", 5400),
        ("2", "h", 7200),
        ("15000", "ms", 15),
        ("1899-12-31 00:03:25", None, 205),  # an Excel time cell read as text
        ("1900-01-01 01:00:00", None, 90000),  # a duration over 24 h in Excel: day 1 + 1 h
        ("-30", None, -30),
        ("soon", None, None),
    ],
)
def test_durations(text: str, unit: str | None, seconds: float | None) -> None:
    spec: dict[str, Any] = {"type": "duration"}
    if unit:
        spec["unit"] = unit
    assert parse([text], **spec) == [seconds]


@settings(max_examples=60, deadline=None)
@given(h=st.integers(0, 30), m=st.integers(0, 59), s=st.integers(0, 59))
def test_every_duration_spelling_gives_the_same_seconds(h: int, m: int, s: int) -> None:
    seconds = h * 3600 + m * 60 + s
    texts = [
        f"{h:02d}:{m:02d}:{s:02d}",
        f"{h}:{m:02d}:{s:02d}",
        f"{h}小时{m}分{s}秒",
        f"{h}h{m}m{s}s",
        str(seconds),
    ]
    assert parse(texts, type="duration") == [seconds] * len(texts)


@settings(max_examples=60, deadline=None)
@given(value=st.integers(min_value=-(10**9), max_value=10**9))
def test_thousands_separators_never_change_a_number(value: int) -> None:
    assert parse([f"{value:,}", str(value)], type="int") == [value, value]


def test_booleans() -> None:
    texts = ["是", "否", "Y", "n", "TRUE", "false", "1", "0", "√", "×", "已解决", "未解决", "maybe", None]
    expected = [True, False, True, False, True, False, True, False, True, False, True, False, None, None]
    assert parse(texts, type="bool") == expected
    assert parse(["Good", "Bad", "Offered"], type="bool", true_values=["good"], false_values=["bad"]) == [
        True,
        False,
        None,
    ]


def test_datetimes_in_local_time() -> None:
    texts = [
        "2026-10-08 09:00:00",
        "2026/10/08 09:00",
        "2026-10-08T09:00:00",
        "2026-10-08T01:00:00Z",
        "08.10.2026",
    ]
    assert parse(texts, "Asia/Shanghai", type="datetime") == [datetime(2026, 10, 8, 9, 0)] * 4 + [None]


def test_epoch_formats_are_utc_instants() -> None:
    # 1759885200 s = 2025-10-08 01:00:00 UTC = 09:00 in Shanghai
    assert parse(["1759885200"], "Asia/Shanghai", type="datetime", format="epoch_s") == [
        datetime(2025, 10, 8, 9)
    ]
    assert parse(["1759885200000"], "Asia/Shanghai", type="datetime", format="epoch_ms") == [
        datetime(2025, 10, 8, 9)
    ]
    assert parse(["not a number"], "UTC", type="datetime", format="epoch_s") == [None]


def test_dates_accept_a_timestamp_and_reject_ambiguous_slashes() -> None:
    texts = ["2026-10-08", "2026/10/08", "20261008", "2026-10-08 00:00:00", "08/10/2026"]
    result = parse(texts, type="date")
    assert [d.isoformat() if d else None for d in result] == ["2026-10-08"] * 4 + [None]


def test_value_maps_ignore_case_and_may_map_to_nothing() -> None:
    frame = pl.DataFrame({"t": ["pEnding", "CLOSED", "in-bound", "Offered", "other"]})
    mapped = frame.select(
        apply_value_map(
            pl.col("t"), {"pending": "pending", "closed": "closed", "In-Bound": "inbound", "offered": None}
        )
    )["t"].to_list()
    assert mapped == ["pending", "closed", "inbound", None, "other"]
