"""Reading exports: files → one lazy frame of canonical, typed columns with every row's fate.

Every row read keeps its file and row number and gets a status: used (null), `rejected`
(with a reason), `skipped` (blank or total rows, rows excluded by `where:`), `duplicate` or
`outside_period`. Nothing is dropped before it is counted.
"""

from __future__ import annotations

import codecs
import difflib
import glob
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from typing import Any

import polars as pl

from csperf.config import ColumnSpec, Config, SourceConfig
from csperf.errors import DataError
from csperf.expressions import sql_expression
from csperf.parsing import clean_text, parse_column

STATUS = "_status"
REASON = "_reason"
FILE = "_file"
ROW = "_row"
TOTAL_ROW_PATTERN = r"(?i)^\s*(合计|总计|小计|汇总|total|totals|grand total|summary|sum)\s*[:：]?\s*$"
SNIFF_BYTES = 1 << 20


@dataclass(frozen=True)
class Period:
    """A half-open time range [start, end) in the config's time zone (naive = local)."""

    start: datetime
    end: datetime
    label: str


@dataclass
class SourceFrame:
    """One source read lazily: canonical columns plus `_file`, `_row`, `_status`, `_reason`."""

    name: str
    files: list[Path]
    frame: pl.LazyFrame
    raw_headers: dict[Path, list[str]]

    def used(self) -> pl.LazyFrame:
        return self.frame.filter(pl.col(STATUS).is_null())

    def accounting_query(self) -> pl.LazyFrame:
        return self.frame.group_by(STATUS, REASON).agg(pl.len().alias("rows"))


def normalise_header(text: str) -> str:
    """Header text for matching: NFKC (full-width → half-width), no BOM, trimmed, case-folded."""
    text = unicodedata.normalize("NFKC", text).replace("\ufeff", "")
    return re.sub(r"\s+", " ", text).strip().casefold()


def resolve_files(source_name: str, source: SourceConfig, base_dir: Path) -> list[Path]:
    pattern = source.path if Path(source.path).is_absolute() else str(base_dir / source.path)
    files = sorted(Path(p) for p in glob.glob(pattern, recursive=True) if Path(p).is_file())
    if not files:
        raise DataError(
            f"{pattern}: sources.{source_name}.path: no file matches; check the path or pass --data DIR"
        )
    return files


def file_format(path: Path, source: SourceConfig) -> str:
    if source.format != "auto":
        return source.format
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm", ".xls"):
        return "xlsx"
    if suffix in (".parquet", ".pq"):
        return "parquet"
    return "csv"


def detect_encoding(path: Path, configured: str) -> str:
    """The configured encoding, or: BOM, then strict UTF-8, then GB18030."""
    if configured != "auto":
        return configured
    with path.open("rb") as handle:
        head = handle.read(SNIFF_BYTES)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if b"\x00" in head:
        raise DataError(f"{path}: looks like a binary file, not CSV text; export it again as CSV or XLSX")
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return "gb18030"
    return "utf-8"


def _csv_source(path: Path, encoding: str) -> Path | bytes:
    """Polars reads UTF-8 itself; anything else is transcoded in memory first."""
    if encoding.lower().replace("_", "-") in ("utf-8", "utf8", "utf-8-sig"):
        return path
    try:
        return path.read_bytes().decode(encoding).encode("utf-8")
    except (UnicodeDecodeError, LookupError) as exc:
        raise DataError(
            f"{path}: cannot decode as {encoding} ({exc}); set `encoding:` on the source (e.g. gb18030)"
        ) from None


def _read_csv_raw(path: Path, source: SourceConfig) -> tuple[pl.LazyFrame, list[str]]:
    if path.stat().st_size == 0:
        raise DataError(f"{path}: the file is empty; export it again")
    encoding = detect_encoding(path, source.encoding)
    data = _csv_source(path, encoding)
    skip = (source.header_row or 1) - 1
    options: dict[str, object] = {
        "separator": source.delimiter,
        "has_header": source.has_header,
        "skip_rows": skip,
        "infer_schema": False,
        "truncate_ragged_lines": True,
        "raise_if_empty": False,
    }
    try:
        header = pl.read_csv(data, n_rows=0, **options)  # type: ignore[arg-type]
        frame = pl.scan_csv(
            data,
            row_index_name=ROW,
            row_index_offset=skip + (2 if source.has_header else 1),
            **options,  # type: ignore[arg-type]
        )
    except pl.exceptions.PolarsError as exc:
        raise DataError(f"{path}: cannot read as CSV: {_first_line(exc)}") from None
    return frame, header.columns


def _read_xlsx_raw(path: Path, source: SourceConfig) -> tuple[pl.LazyFrame, list[str]]:
    header_index = (source.header_row or 1) - 1
    sheet: dict[str, object] = {}
    if isinstance(source.sheet, int):
        sheet["sheet_id"] = source.sheet
    elif source.sheet is not None:
        sheet["sheet_name"] = source.sheet
    try:
        df = pl.read_excel(  # type: ignore[call-overload]
            path,
            engine="calamine",
            infer_schema_length=0,
            has_header=source.has_header,
            read_options={"header_row": header_index} if source.has_header else {},
            drop_empty_rows=False,
            drop_empty_cols=False,
            raise_if_empty=False,
            **sheet,
        )
    except Exception as exc:  # fastexcel raises its own error types
        raise DataError(f"{path}: cannot read as XLSX: {_first_line(exc)}") from None
    assert isinstance(df, pl.DataFrame)
    df = df.with_row_index(ROW, offset=header_index + (2 if source.has_header else 1))
    df = df.with_columns(pl.exclude(ROW).cast(pl.String))
    return df.lazy(), [c for c in df.columns if c != ROW]


def _read_parquet_raw(path: Path) -> tuple[pl.LazyFrame, list[str]]:
    try:
        frame = pl.scan_parquet(path, row_index_name=ROW, row_index_offset=1)
        columns = [c for c in frame.collect_schema().names() if c != ROW]
    except pl.exceptions.PolarsError as exc:
        raise DataError(f"{path}: cannot read as Parquet: {_first_line(exc)}") from None
    return frame, columns


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def find_column(wanted: str | int, headers: list[str], has_header: bool) -> str | None:
    """The header that matches `wanted` exactly, else after normalising width, case and spaces."""
    if isinstance(wanted, int) or (not has_header and str(wanted).isdigit()):
        name = f"column_{int(wanted)}"
        return name if name in headers else None
    if wanted in headers:
        return wanted
    target = normalise_header(wanted)
    matches = [h for h in headers if normalise_header(h) == target]
    return matches[0] if matches else None


def _missing_column_message(
    path: Path, source_name: str, canonical: str, wanted: str | int, headers: list[str]
) -> str:
    close = difflib.get_close_matches(str(wanted), headers, n=1, cutoff=0.5)
    hint = f"; closest: {close[0]!r}" if close else ""
    shown = ", ".join(repr(h) for h in headers[:40]) + (" ..." if len(headers) > 40 else "")
    return (
        f"{path}: column {wanted!r} (sources.{source_name}.columns.{canonical}) not found; "
        f"columns found: {shown}{hint}"
    )


def _select_canonical(
    frame: pl.LazyFrame,
    headers: list[str],
    path: Path,
    source_name: str,
    source: SourceConfig,
    specs: dict[str, ColumnSpec],
) -> pl.LazyFrame:
    problems: list[str] = []
    selected: list[pl.Expr] = [pl.col(ROW).cast(pl.Int64), pl.lit(str(path)).alias(FILE)]
    for canonical, spec in specs.items():
        assert spec.from_ is not None
        header = find_column(spec.from_, headers, source.has_header)
        if header is None:
            if spec.required:
                problems.append(_missing_column_message(path, source_name, canonical, spec.from_, headers))
            selected.append(pl.lit(None, dtype=pl.String).alias(f"_raw_{canonical}"))
        else:
            selected.append(pl.col(header).cast(pl.String).alias(f"_raw_{canonical}"))
    if problems:
        raise DataError(*problems)
    return frame.select(selected)


def _agent_id_expr(config: Config, text: pl.Expr) -> pl.Expr:
    rules = config.agent_id
    if rules.extract:
        text = pl.coalesce(text.str.extract(rules.extract, 1), text)
    if rules.trim:
        text = text.str.strip_chars()
    if rules.case == "upper":
        text = text.str.to_uppercase()
    elif rules.case == "lower":
        text = text.str.to_lowercase()
    if rules.strip_leading_zeros:
        text = text.str.replace(r"^0+(\d)", "${1}")
    return text


def _first_reason(conditions: list[tuple[pl.Expr, str]]) -> pl.Expr:
    if not conditions:
        return pl.lit(None, dtype=pl.String)
    chain: Any = pl.when(conditions[0][0]).then(pl.lit(conditions[0][1]))
    for condition, reason in conditions[1:]:
        chain = chain.when(condition).then(pl.lit(reason))
    return chain.otherwise(pl.lit(None, dtype=pl.String))


def source_specs(config: Config, source: SourceConfig) -> dict[str, ColumnSpec]:
    from csperf.presets import PRESETS

    specs = dict(PRESETS.get(source.preset, {})) if source.preset else {}
    specs.update(source.column_specs())
    return specs


def read_source(
    config: Config,
    source_name: str,
    base_dir: Path,
    period: Period | None = None,
    source: SourceConfig | None = None,
) -> SourceFrame:
    """Read every file of a source lazily and mark each row's status.

    `source` overrides the config's source of that name (the roster is read this way).
    """
    source = source or config.sources[source_name]
    specs = source_specs(config, source)
    files = resolve_files(source_name, source, base_dir)
    parts: list[pl.LazyFrame] = []
    headers: dict[Path, list[str]] = {}
    problems: list[str] = []
    for path in files:
        fmt = file_format(path, source)
        try:
            if fmt == "xlsx":
                raw, found = _read_xlsx_raw(path, source)
            elif fmt == "parquet":
                raw, found = _read_parquet_raw(path)
            else:
                raw, found = _read_csv_raw(path, source)
            headers[path] = found
            parts.append(_select_canonical(raw, found, path, source_name, source, specs))
        except DataError as exc:
            problems += exc.problems
    if problems:
        raise DataError(*problems)
    frame = pl.concat(parts, how="vertical") if len(parts) > 1 else parts[0]
    frame = _mark_rows(config, source, specs, frame, period)
    return SourceFrame(name=source_name, files=files, frame=frame, raw_headers=headers)


def _mark_rows(
    config: Config,
    source: SourceConfig,
    specs: dict[str, ColumnSpec],
    frame: pl.LazyFrame,
    period: Period | None,
) -> pl.LazyFrame:
    nulls = [v.strip().lower() for v in source.null_values]
    cleaned: list[pl.Expr] = []
    for canonical in specs:
        text = clean_text(pl.col(f"_raw_{canonical}"))
        cleaned.append(
            pl.when(text.str.to_lowercase().is_in(nulls))
            .then(None)
            .otherwise(text)
            .alias(f"_txt_{canonical}")
        )
    frame = frame.with_columns(cleaned)

    parsed: list[pl.Expr] = []
    for canonical, spec in specs.items():
        text = pl.col(f"_txt_{canonical}")
        if canonical == "agent_id":
            value = _agent_id_expr(config, text)
            if spec.values:
                value = parse_column(value, spec.model_copy(update={"type": "str"}), config.timezone)
        else:
            value = parse_column(text, spec, config.timezone)
        if spec.default is not None:
            value = value.fill_null(pl.lit(spec.default))
        parsed.append(value.alias(canonical))
    frame = frame.with_columns(parsed)

    txt_columns = [pl.col(f"_txt_{c}") for c in specs]
    blank = pl.all_horizontal([c.is_null() for c in txt_columns]) if txt_columns else pl.lit(False)
    total_row = pl.lit(False)
    if source.drop_total_rows:
        for canonical in ("agent_id", next(iter(specs), "agent_id")):
            if canonical in specs:
                total_row = total_row | pl.col(f"_txt_{canonical}").str.contains(TOTAL_ROW_PATTERN).fill_null(
                    False
                )

    rejects: list[tuple[pl.Expr, str]] = []
    if "agent_id" in specs:
        rejects.append((pl.col("agent_id").is_null() | (pl.col("agent_id") == ""), "agent_id: empty"))
    for canonical, spec in specs.items():
        if spec.type == "str" or canonical == "agent_id":
            continue
        header = spec.from_
        failed = pl.col(f"_txt_{canonical}").is_not_null() & pl.col(canonical).is_null()
        rejects.append((failed, f"{canonical} ({header}): not a valid {spec.type}"))
        if spec.type == "duration":
            rejects.append(
                ((pl.col(canonical) < 0).fill_null(False), f"{canonical} ({header}): negative duration")
            )

    skipped = [(blank, "blank row"), (total_row, "total row")]
    status = (
        pl.when(blank | total_row)
        .then(pl.lit("skipped"))
        .when(_first_reason(rejects).is_not_null())
        .then(pl.lit("rejected"))
        .otherwise(pl.lit(None, dtype=pl.String))
    )
    frame = frame.with_columns(
        status.alias(STATUS), pl.coalesce(_first_reason(skipped), _first_reason(rejects)).alias(REASON)
    )

    if source.where:
        keep = sql_expression(source.where).fill_null(False)
        frame = _set_status(frame, ~keep, "skipped", "excluded by where")
    if period is not None and source.timestamp:
        frame = _set_status(
            frame,
            _outside(pl.col(source.timestamp), period, specs[source.timestamp]),
            "outside_period",
            f"outside {period.label}",
        )
    if source.dedupe_on:
        frame = _mark_duplicates(frame, source)
    return frame.drop([f"_txt_{c}" for c in specs])


def _set_status(frame: pl.LazyFrame, condition: pl.Expr, status: str, reason: str) -> pl.LazyFrame:
    hit = pl.col(STATUS).is_null() & condition
    return frame.with_columns(
        pl.when(hit).then(pl.lit(status)).otherwise(pl.col(STATUS)).alias(STATUS),
        pl.when(hit).then(pl.lit(reason)).otherwise(pl.col(REASON)).alias(REASON),
    )


def _outside(column: pl.Expr, period: Period, spec: ColumnSpec) -> pl.Expr:
    start, end = pl.lit(period.start), pl.lit(period.end)
    if spec.type == "date":
        return ((column < start.dt.date()) | (column >= end.dt.date())).fill_null(True)
    return (
        (column.dt.replace_time_zone(None) < start) | (column.dt.replace_time_zone(None) >= end)
    ).fill_null(True)


def _mark_duplicates(frame: pl.LazyFrame, source: SourceConfig) -> pl.LazyFrame:
    if source.dedupe_order_by:
        frame = frame.sort(source.dedupe_order_by, ROW, nulls_last=False, maintain_order=True)
    key = pl.struct(source.dedupe_on)
    valid = pl.col(STATUS).is_null()
    distinct = key.is_last_distinct() if source.dedupe_keep == "last" else key.is_first_distinct()
    # Only rows still in use compete; a rejected row never hides a good one.
    keep = distinct.over(valid)
    return _set_status(frame, ~keep, "duplicate", "duplicate of " + ", ".join(source.dedupe_on))
