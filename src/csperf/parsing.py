"""Typed parsers: text cells (as exported) → numbers, booleans, durations in seconds, datetimes.

Each parser maps a String expression to a typed expression that is null where the text cannot be
read; the reader compares that with the non-null input to count and report rejected cells.
"""

from __future__ import annotations

from typing import Literal

import polars as pl

from csperf.config import ColumnSpec

TRUE_WORDS = ["y", "yes", "true", "t", "1", "是", "对", "√", "✓", "good", "有", "已解决"]
FALSE_WORDS = ["n", "no", "false", "f", "0", "否", "不", "×", "✗", "bad", "无", "未解决"]
UNIT_SECONDS = {"s": 1.0, "ms": 0.001, "min": 60.0, "h": 3600.0, "day": 86400.0}
COMMON_DATETIME_FORMATS = [
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y/%m/%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M",
    "%Y-%m-%d %H:%M:%S%.f",
    "%Y-%m-%dT%H:%M:%S%.f",
    "%Y-%m-%d",
    "%Y/%m/%d",
]
FULL_WIDTH_NUMBER = {chr(0xFF10 + d): str(d) for d in range(10)} | {"．": ".", "－": "-", "＋": "+"}
COMMON_DATE_FORMATS = ["%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%d.%m.%Y"]


def clean_text(raw: pl.Expr) -> pl.Expr:
    """Undo spreadsheet text tricks: `="00123"` → 00123, a leading apostrophe, outer spaces, a BOM."""
    text = raw.str.strip_chars().str.strip_chars_start("\ufeff")
    text = text.str.replace(r'^="(.*)"$', "${1}")
    return text.str.replace(r"^'", "")


def parse_number(text: pl.Expr, percent: bool = False) -> pl.Expr:
    """`1,234.5` → 1234.5; `12.34%` → 0.1234 (a trailing % always divides by 100)."""
    stripped = text.str.replace_all(r"[,\s_]", "").str.replace_all("，", "")
    # Full-width digits and signs (１２．５, －３) as some Chinese exports write them.
    stripped = stripped.str.replace_many(FULL_WIDTH_NUMBER)
    has_percent = stripped.str.ends_with("%") | stripped.str.ends_with("％")
    number = stripped.str.replace(r"[%％]$", "").cast(pl.Float64, strict=False)
    scaled = pl.when(has_percent).then(number / 100).otherwise(number)
    if percent:
        # A bare number in a percent column is taken as a percentage when it is above 1.
        return pl.when(~has_percent & (number.abs() > 1)).then(number / 100).otherwise(scaled)
    return scaled


def parse_int(text: pl.Expr) -> pl.Expr:
    number = parse_number(text)
    return pl.when(number == number.round(0)).then(number).otherwise(None).cast(pl.Int64, strict=False)


def parse_bool(text: pl.Expr, spec: ColumnSpec) -> pl.Expr:
    lowered = text.str.to_lowercase()
    true_words = [w.lower() for w in (spec.true_values or TRUE_WORDS)]
    false_words = [w.lower() for w in (spec.false_values or FALSE_WORDS)]
    return (
        pl.when(lowered.is_in(true_words))
        .then(pl.lit(True))
        .when(lowered.is_in(false_words))
        .then(pl.lit(False))
        .otherwise(pl.lit(None, dtype=pl.Boolean))
    )


def parse_duration(text: pl.Expr, unit: str | None) -> pl.Expr:
    """Seconds from `HH:MM:SS`, `MM:SS`, `3分25秒`, `1h2m3s`, a plain number in `unit`, or an
    Excel time cell read as `1899-12-31 00:03:25`."""
    factor = UNIT_SECONDS[unit or "s"]
    plain = parse_number(text) * factor

    # Excel time cells come through as a datetime on the 1900 epoch: keep days and time of day.
    excel_day = (
        pl.when(text.str.contains(r"^1899-12-3[01]"))
        .then(pl.lit(0.0))
        .otherwise(text.str.extract(r"^1900-01-(\d\d)", 1).cast(pl.Float64, strict=False))
    )
    clock_text = pl.when(excel_day.is_not_null()).then(text.str.extract(r"[ T](\S+)$", 1)).otherwise(text)

    parts = clock_text.str.extract_groups(r"^(-?)(?:(\d+):)?(\d+):(\d+(?:\.\d+)?)$")
    sign = pl.when(parts.struct.field("1") == "-").then(-1.0).otherwise(1.0)
    clock = sign * (
        parts.struct.field("2").cast(pl.Float64, strict=False).fill_null(0) * 3600
        + parts.struct.field("3").cast(pl.Float64, strict=False) * 60
        + parts.struct.field("4").cast(pl.Float64, strict=False)
    )
    clock = clock + excel_day.fill_null(0) * 86400

    words = text.str.extract_groups(
        r"^(?:(\d+(?:\.\d+)?)\s*(?:小时|时|h|hr|hours?)\s*)?(?:(\d+(?:\.\d+)?)\s*(?:分钟|分|m|min|minutes?)\s*)?"
        r"(?:(\d+(?:\.\d+)?)\s*(?:秒钟|秒|s|sec|seconds?))?$"
    )
    h = words.struct.field("1").cast(pl.Float64, strict=False)
    m = words.struct.field("2").cast(pl.Float64, strict=False)
    s = words.struct.field("3").cast(pl.Float64, strict=False)
    any_word = h.is_not_null() | m.is_not_null() | s.is_not_null()
    worded = pl.when(any_word).then(h.fill_null(0) * 3600 + m.fill_null(0) * 60 + s.fill_null(0))

    return pl.coalesce(plain, clock, worded)


OFFSET_DIRECTIVES = ("%z", "%Z", "%#z", "%:z", "%+")
# ISO 8601 with an offset or `Z` (`2026-10-04T16:30:00Z`, `...+08:00`, fractional seconds too).
OFFSET_DATETIME_FORMATS = ["%+"]
# `format: epoch_s` / `epoch_ms`: Unix time, never guessed from the number's size.
EPOCH_FORMATS: dict[str, Literal["s", "ms"]] = {"epoch_s": "s", "epoch_ms": "ms"}


def parse_datetime(text: pl.Expr, spec: ColumnSpec, default_tz: str | None) -> pl.Expr:
    """A datetime from an explicit format (fast), else the first common format that fits.

    The value is naive wall-clock time in the config's time zone (the zone periods, dates and
    hours are read in). Naive text is local time in the column's zone (else the config's) and is
    converted when the two differ; text with an offset (`%z`, ISO `Z`) is an instant and is
    converted, so a UTC export shifts across midnight correctly. (Polars casts a zoned datetime
    to a date in UTC, so keeping values naive also keeps `CAST(t AS DATE)` local.)
    """
    formats = [spec.format] if spec.format else COMMON_DATETIME_FORMATS + OFFSET_DATETIME_FORMATS
    local = spec.timezone or default_tz
    target = default_tz or spec.timezone
    if spec.format in EPOCH_FORMATS:
        # Unix time (API exports: Clink, TCCC in seconds; Qiyu, Alibaba CCC in milliseconds) is UTC.
        number = text.str.strip_chars().cast(pl.Int64, strict=False)
        instant = pl.from_epoch(number, EPOCH_FORMATS[spec.format]).dt.replace_time_zone("UTC")
        if target is not None:
            instant = instant.dt.convert_time_zone(target)
        return instant.dt.replace_time_zone(None).cast(pl.Datetime("us"))
    candidates: list[pl.Expr] = []
    for fmt in formats:
        if any(d in fmt for d in OFFSET_DIRECTIVES):
            value = text.str.strptime(pl.Datetime("us", "UTC"), fmt, strict=False, cache=False)
            if target is not None:
                value = value.dt.convert_time_zone(target)
            value = value.dt.replace_time_zone(None)
        else:
            value = text.str.strptime(pl.Datetime("us"), fmt, strict=False, cache=False)
            if local is not None and target is not None and local != target:
                value = (
                    value.dt.replace_time_zone(local, ambiguous="earliest", non_existent="null")
                    .dt.convert_time_zone(target)
                    .dt.replace_time_zone(None)
                )
        candidates.append(value)
    return candidates[0] if len(candidates) == 1 else pl.coalesce(candidates)


def parse_date(text: pl.Expr, spec: ColumnSpec) -> pl.Expr:
    formats = [spec.format] if spec.format else COMMON_DATE_FORMATS
    # A date column may hold a full timestamp (e.g. from Excel): take the part before the time.
    date_text = text.str.replace(r"[ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$", "")
    candidates = [date_text.str.strptime(pl.Date, fmt, strict=False) for fmt in formats]
    return candidates[0] if len(candidates) == 1 else pl.coalesce(candidates)


def apply_value_map(text: pl.Expr, values: dict[str, object]) -> pl.Expr:
    """Map labels case-insensitively (`pEnding` and `PENDING` both match a `pending:` key)."""
    lowered = text.str.to_lowercase()
    mapping = {str(k).strip().lower(): None if v is None else str(v) for k, v in values.items()}
    return pl.when(lowered.is_in(list(mapping))).then(lowered.replace(mapping)).otherwise(text)


def parse_column(text: pl.Expr, spec: ColumnSpec, default_tz: str | None) -> pl.Expr:
    """The typed value of one canonical column from its cleaned text."""
    if spec.values:
        text = apply_value_map(text, spec.values)
    match spec.type:
        case "str":
            return text
        case "int":
            return parse_int(text)
        case "float" | "number":
            return parse_number(text)
        case "percent":
            return parse_number(text, percent=True)
        case "bool":
            return parse_bool(text, spec)
        case "duration":
            return parse_duration(text, spec.unit)
        case "datetime":
            return parse_datetime(text, spec, default_tz)
        case "date":
            return parse_date(text, spec)
    raise AssertionError(spec.type)
