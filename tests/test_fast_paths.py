"""The fast paths for clean exports give, cell by cell, what the general parsers give.

The references below are the general path written out as `sources` ran it before the fast paths
(`clean_text`, then the lowercase null-word check, then `parse_column`), so every comparison is
against an independent route through the general code, on generated texts full of the tricks the
general path exists for.
"""

from __future__ import annotations

import math
from typing import Any

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from csperf.config import ColumnSpec
from csperf.fastpaths import (
    _ASCII_FOLDS,
    KELVIN_SIGN,
    clean_stages,
    fast_value,
    is_null_word,
    null_variants,
    parse_stages,
    parse_value,
    raw_fast_value,
    total_text,
)
from csperf.parsing import clean_text, parse_column
from csperf.sources import TOTAL_ROW_PATTERN

NULLS = ["", "--", "-", "n/a", "na", "null"]
FRAGMENTS = [
    *"0123456789",
    "12",
    "007",
    ".",
    ",",
    "%",
    "％",
    "-",
    "+",
    "e",
    "E",
    "_",
    "，",
    " ",
    "\t",
    "\u3000",
    "\ufeff",
    "=",
    '"',
    "'",
    ":",
    "分",
    "秒",
    "h",
    "min",
    "1899-12-31 ",
    "inf",
    "nan",
    "NaN",
    "１２",
    "是",
    "否",
    "Y",
    "y",
    "N",
    "yes",
    "TRUE",
    "False",
    "√",
    "×",
    "null",
    "NULL",
    "Null",
    "NA",
    "n/a",
    "N/A",
    "k",
    KELVIN_SIGN,
    "合计",
    "Total",
    "ſum",
    "A1007",
]
SPECS = [
    {"type": "str"},
    {"type": "int"},
    {"type": "number"},
    {"type": "percent"},
    {"type": "duration"},
    {"type": "duration", "unit": "min"},
    {"type": "bool"},
    {"type": "bool", "true_values": ["Yes", "ok", "是"], "false_values": ["No", "bad"]},
    {"type": "bool", "true_values": ["NA"], "false_values": ["-"]},  # words that are null words too
    {"type": "datetime", "format": "%Y-%m-%d %H:%M:%S"},
    {"type": "date"},
]

texts = st.one_of(
    st.lists(st.sampled_from(FRAGMENTS), max_size=5).map("".join),
    st.text(max_size=8),
    st.none(),
)
cells = st.lists(texts, min_size=1, max_size=40)


def _same(left: list[Any], right: list[Any]) -> bool:
    def norm(value: Any) -> Any:
        return "nan" if isinstance(value, float) and math.isnan(value) else value

    return [norm(v) for v in left] == [norm(v) for v in right]


def _reference_clean(raw: pl.Expr, nulls: list[str]) -> pl.Expr:
    text = clean_text(raw)
    return pl.when(text.str.to_lowercase().is_in(nulls)).then(None).otherwise(text)


def _frame(values: list[str | None]) -> pl.DataFrame:
    return pl.DataFrame({"t": values}, schema={"t": pl.String})


def test_only_the_kelvin_sign_lowercases_into_ascii() -> None:
    # null_variants lists ASCII spellings plus the Kelvin sign: that is complete only if no other
    # character outside ASCII has an ASCII lowercase. Checked over all of Unicode with Polars itself.
    points = [chr(c) for c in range(0x80, 0x110000) if not 0xD800 <= c <= 0xDFFF]
    series = pl.Series(points)
    ascii_lower = series.filter(series.str.to_lowercase().str.contains(r"^[\x00-\x7f]+$"))
    assert ascii_lower.to_list() == [KELVIN_SIGN]


def test_null_variants_are_every_spelling() -> None:
    variants = null_variants(("na", "k"))
    assert variants is not None
    assert set(variants) == {"na", "nA", "Na", "NA", "k", "K", KELVIN_SIGN}
    assert null_variants(("无",)) is None  # not ASCII: the lowercase check is kept
    assert null_variants(("x" * 13,)) is None  # 2**13 spellings: too many to list


@settings(max_examples=150, deadline=None)
@given(values=cells)
def test_null_word_lookup_equals_the_lowercase_check(values: list[str | None]) -> None:
    frame = _frame(values)
    fast = frame.select(is_null_word(pl.col("t"), NULLS))["t"].to_list()
    slow = frame.select(pl.col("t").str.to_lowercase().is_in(NULLS))["t"].to_list()
    assert fast == slow


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: "-".join(str(v) for v in s.values()))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=cells)
def test_cheap_readings_agree_with_the_general_parsers(
    spec: dict[str, Any], values: list[str | None]
) -> None:
    column = ColumnSpec.model_validate(spec)
    frame = _frame(values)
    general = frame.select(parse_column(pl.col("t"), column, "Asia/Shanghai").alias("v"))["v"].to_list()
    fast = fast_value(pl.col("t"), column)
    if fast is not None:
        cheap = frame.select(fast.alias("v"))["v"].to_list()
        for value, expected in zip(cheap, general, strict=True):
            assert value is None or _same([value], [expected])
    combined = frame.select(parse_value(pl.col("t"), column, "Asia/Shanghai").alias("v"))["v"].to_list()
    assert _same(combined, general)


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: "-".join(str(v) for v in s.values()))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=cells)
def test_cleaning_stages_equal_clean_text_and_the_null_check(
    spec: dict[str, Any], values: list[str | None]
) -> None:
    column = ColumnSpec.model_validate(spec)
    frame = _frame(values)
    stages, helpers = clean_stages({"out": ("t", column)}, NULLS)
    lazy = frame.lazy()
    for stage in stages:
        lazy = lazy.with_columns(stage)
    cleaned = lazy.drop(helpers).collect(engine="streaming")["out"].to_list()
    expected = frame.select(_reference_clean(pl.col("t"), NULLS).alias("out"))["out"].to_list()
    assert cleaned == expected


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: "-".join(str(v) for v in s.values()))
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=cells)
def test_parse_stages_equal_parse_column(spec: dict[str, Any], values: list[str | None]) -> None:
    column = ColumnSpec.model_validate(spec)
    frame = _frame(values)
    stages, exprs, helpers = parse_stages({"v": ("t", column)}, "Asia/Shanghai")
    lazy = frame.lazy()
    for stage in stages:
        lazy = lazy.with_columns(stage)
    staged = lazy.with_columns(exprs["v"].alias("v")).drop(helpers).collect(engine="streaming")["v"]
    # The reference runs on the same (streaming) engine as scoring: Polars' eager engine divides a
    # column holding nulls by a scalar through its reciprocal (`20042` as a percent: 200.42 streamed,
    # 200.42000000000002 eager), so the engines may differ in the last bit.
    reference = frame.lazy().select(parse_column(pl.col("t"), column, "Asia/Shanghai").alias("v"))
    general = reference.collect(engine="streaming")["v"]
    assert _same(staged.to_list(), general.to_list())


def test_stages_hold_across_streaming_batches() -> None:
    # Many batches, most all-clean (the general path is skipped there), a few with dirty cells.
    spec = ColumnSpec.model_validate({"type": "duration"})
    values = ["120"] * 300_000
    for i in range(0, len(values), 70_001):
        values[i] = "3分25秒"
    values[-1] = " n/a "
    frame = _frame(values)
    clean, clean_helpers = clean_stages({"c": ("t", spec)}, NULLS)
    lazy = frame.lazy()
    for stage in clean:
        lazy = lazy.with_columns(stage)
    stages, exprs, helpers = parse_stages({"v": ("c", spec)}, None)
    for stage in stages:
        lazy = lazy.with_columns(stage)
    got = (
        lazy.with_columns(exprs["v"].alias("v")).drop([*clean_helpers, *helpers]).collect(engine="streaming")
    )
    assert got["v"].to_list() == [
        None if v == " n/a " else 205.0 if v == "3分25秒" else 120.0 for v in values
    ]


def test_raw_reading_is_refused_when_a_null_word_would_read_as_a_value() -> None:
    number = ColumnSpec.model_validate({"type": "number"})
    assert raw_fast_value(pl.col("t"), number, NULLS) is not None
    assert raw_fast_value(pl.col("t"), number, [*NULLS, "0"]) is None  # `0` means "no value" here
    assert raw_fast_value(pl.col("t"), number, ["无"]) is None  # a null word without listed spellings
    flag = ColumnSpec.model_validate({"type": "bool", "true_values": ["NA"]})
    assert raw_fast_value(pl.col("t"), flag, NULLS) is None


def test_clean_cells_take_the_cheap_path() -> None:
    # Not a timing test: the cheap reading must actually catch the usual cells.
    frame = _frame(["120", "0", "3.5", "-7", "1e3"])
    reading = raw_fast_value(pl.col("t"), ColumnSpec.model_validate({"type": "duration"}), NULLS)
    assert reading is not None
    assert frame.select(reading.alias("v"))["v"].to_list() == [120.0, 0.0, 3.5, -7.0, 1000.0]
    flags = raw_fast_value(pl.col("t"), ColumnSpec.model_validate({"type": "bool"}), NULLS)
    assert flags is not None
    assert _frame(["是", "否", "Y", "n", "TRUE"]).select(flags.alias("v"))["v"].to_list() == [
        True,
        False,
        True,
        False,
        True,
    ]


total_texts = st.one_of(
    texts,
    st.tuples(
        st.sampled_from(["", " ", "\ufeff", '="', "'", "\t"]),
        st.sampled_from(["合计", "Total", "TOTALS", "grand total", "Sub-Total", "ſum", "summary", "x"]),
        st.sampled_from(["", ":", "：", " :", '"', " "]),
    ).map("".join),
)


@settings(max_examples=150, deadline=None)
@given(values=st.lists(total_texts, min_size=1, max_size=30))
def test_total_row_test_equals_the_full_pattern(values: list[str | None]) -> None:
    frame = _frame(values)
    fast = frame.select(total_text(pl.col("t"), TOTAL_ROW_PATTERN))["t"].to_list()
    slow = frame.select(clean_text(pl.col("t")).str.contains(TOTAL_ROW_PATTERN).fill_null(False))["t"]
    assert fast == slow.to_list()


def test_only_the_listed_characters_match_ascii_letters_caselessly() -> None:
    # total_text's literal prefilter is ASCII-caseless: complete only if `(?i)` matches no other
    # character outside ASCII to an ASCII letter than those listed. Checked over all of Unicode.
    points = pl.Series([chr(c) for c in range(0x80, 0x110000) if not 0xD800 <= c <= 0xDFFF])
    for letter in "abcdefghijklmnopqrstuvwxyz":
        matched = points.filter(points.str.contains(f"(?i)^{letter}$")).to_list()
        assert matched == ([_ASCII_FOLDS[letter]] if letter in _ASCII_FOLDS else []), letter


@pytest.mark.parametrize(
    "pattern",
    [
        r"(?i)^\s*(Total|su-?m|合计)\s*[:：]?\s*$",
        r"^\s*(Total|x.y)\s*[:：]?\s*$",
        r"(?i)^\s*(Σύνολο|total)\s*[:：]?\s*$",
    ],
)
def test_total_row_prefilter_never_drops_a_total(pattern: str) -> None:
    values = ["Total", "TOTAL", " total :", "sum", "SUM", "ſum", "su", "合计", "xzy", "x.y"]
    values += ["σύνολο", "ΣΎΝΟΛΟ", "a"]
    frame = _frame(values)
    fast = frame.select(total_text(pl.col("t"), pattern))["t"].to_list()
    slow = frame.select(clean_text(pl.col("t")).str.contains(pattern).fill_null(False))["t"].to_list()
    assert fast == slow


def test_total_row_test_falls_back_for_other_patterns() -> None:
    frame = _frame(["Total", "x"])
    assert frame.select(total_text(pl.col("t"), r"^(?:Total|x)$"))["t"].to_list() == [True, True]
