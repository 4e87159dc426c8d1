"""Reading exports: files → one lazy frame of canonical, typed columns with every row's fate.

Every row read keeps its file and row number (the line in a CSV file, the sheet row in a
workbook) and gets a status: used (null), `rejected` (with a reason), `skipped` (blank or total
rows, rows without an agent when the source allows that, rows excluded by `where:`), `duplicate`
or `outside_period`. Nothing is dropped before it is counted:

    rows read = used + rejected + skipped + duplicates + outside the period

Cells are read as text first (only the mapped columns), cleaned, then parsed per canonical column.
"""

from __future__ import annotations

import codecs
import csv
import difflib
import glob
import io
import json
import os
import re
import sys
import unicodedata
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import polars as pl

from csperf.config import ColumnSpec, Config, SourceConfig
from csperf.errors import DataError
from csperf.expressions import sql_expression
from csperf.fastpaths import TOTAL_ROW_PATTERN, clean_stages, parse_stages, total_candidate, total_text
from csperf.fastread import DIRTY, FastReading, fast_reading, reader_types, sample_fits
from csperf.identity import alias_map, apply_aliases, normalise_agent_id
from csperf.presets import apply_preset, merged_specs

STATUS = "_status"
REASON = "_reason"
FILE = "_file"
ROW = "_row"
FIRST = "_first"  # the file's first column, kept to recognise total rows
SNIFF_BYTES = 1 << 20
MIXED_UTF8_CHARS = 8
HEAD_BYTES = 1 << 18
HEADER_SCAN_ROWS = 30
TYPE_SAMPLE_ROWS = 1000  # head records looked at before the CSV reader is asked to type a column
DELIMITERS = [",", ";", "\t", "|"]
XLSX_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")


@dataclass(frozen=True)
class Period:
    """A half-open time range [start, end) in the config's time zone (naive = local)."""

    start: datetime
    end: datetime
    label: str


@dataclass
class RawFile:
    """One file as text columns `_c0`, `_c1`, ... plus ROW, and what was learnt reading it."""

    path: Path
    frame: pl.LazyFrame
    headers: list[str]
    header_row: int | None = None
    encoding: str | None = None
    hint: str = ""
    # For a file Polars' CSV reader reads: the same frame with some `_c<i>` typed by the reader,
    # and the first records after the header (to see whether a type fits; see csperf.fastread).
    retype: Callable[[dict[str, pl.DataType]], pl.LazyFrame] | None = None
    sample: Callable[[], list[list[str]]] | None = None


@dataclass
class SourceFrame:
    """One source read lazily: canonical columns plus `_file`, `_row`, `_status`, `_reason`."""

    name: str
    files: list[Path]
    frame: pl.LazyFrame
    raw_headers: dict[Path, list[str]]
    header_rows: dict[Path, int | None] = field(default_factory=dict)
    encodings: dict[Path, str] = field(default_factory=dict)
    # canonical column → the header it was read from, per file (absent: optional and not found)
    matched: dict[Path, dict[str, str]] = field(default_factory=dict)
    specs: dict[str, ColumnSpec] = field(default_factory=dict)
    # The fast reading, when it was taken (the frame then has `_dirty`; see csperf.fastread).
    fast: FastReading | None = None

    def used(self) -> pl.LazyFrame:
        return self.frame.filter(pl.col(STATUS).is_null())

    def accounting_keys(self) -> list[str]:
        """What rows are counted by; the fast reading's check also needs the agent (and
        `accounting_extras`)."""
        if self.fast is None:
            return [STATUS, REASON]
        return [STATUS, REASON, *(["agent_id"] if "agent_id" in self.specs else [])]

    def accounting_extras(self) -> list[pl.Expr]:
        """Aggregates the accounting adds: whether a group holds a dirty row (the fast reading).
        An aggregate, not a key: one key less makes the group-by cheaper."""
        return [] if self.fast is None else [pl.col(DIRTY).any().alias(DIRTY)]

    def accounting_query(self) -> pl.LazyFrame:
        return self.frame.group_by(self.accounting_keys()).agg(
            pl.len().alias("rows"), *self.accounting_extras()
        )

    def collect(self, query: pl.LazyFrame | None = None) -> pl.DataFrame:
        """Run a query over this source (all its rows by default); a file Polars cannot parse
        (broken quoting, ragged rows) becomes a DataError naming the file."""
        try:
            return (query if query is not None else self.frame).collect()
        except pl.exceptions.PolarsError as exc:
            raise self.read_error(exc) from None

    def read_error(self, exc: BaseException) -> DataError:
        files = ", ".join(str(p) for p in self.files)
        return DataError(
            f"{files}: sources.{self.name}: cannot read the file: {_first_line(exc)}; check its quoting "
            "and delimiter (`csperf validate` shows how each column is read)"
        )


def normalise_header(text: str) -> str:
    """Header text for matching: NFKC (full-width → half-width), no BOM, trimmed, case-folded."""
    text = unicodedata.normalize("NFKC", text).replace("\ufeff", "")
    return re.sub(r"\s+", " ", text).strip().casefold()


def resolve_files(source_name: str, source: SourceConfig, base_dir: Path) -> list[Path]:
    pattern = source.path if Path(source.path).is_absolute() else str(base_dir / source.path)
    pattern = os.path.normpath(pattern)  # `configs/../examples/x.csv` → `examples/x.csv` in messages
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
    if suffix in XLSX_SUFFIXES:
        return "xlsx"
    if suffix in (".parquet", ".pq"):
        return "parquet"
    if suffix in (".json", ".jsonl", ".ndjson"):
        return "json"
    return "csv"


# --- encodings -----------------------------------------------------------------------------------


def detect_encoding(path: Path, configured: str) -> str:
    """The configured encoding, or: BOM, then strict UTF-8 (whole file), then GB18030."""
    return _sniff(path, configured)[0]


def _sniff(path: Path, configured: str) -> tuple[str, bool]:
    """(encoding, whether the file holds a double quote). Raises DataError for binary files.

    `auto`: a BOM decides; else the whole file must be UTF-8, else it is read as GB18030 (what
    Excel on Chinese Windows saves). A file that is UTF-8 for a good while and then is not was
    saved in parts with two encodings: that is an error naming the line, not a guess.
    """
    has_quote = False
    with path.open("rb") as handle:
        head = handle.read(SNIFF_BYTES)
        if head.startswith(b"PK\x03\x04"):
            raise DataError(
                f"{path}: is a zip file (an Excel workbook?), not CSV text; rename it to .xlsx "
                "or set `format: xlsx` on the source"
            )
        if configured != "auto":
            try:
                codecs.lookup(configured)
            except LookupError:
                raise DataError(
                    f"{path}: encoding: unknown encoding {configured!r}; use e.g. utf-8, gb18030 or auto"
                ) from None
            if not _is_utf8(configured):
                while head:
                    has_quote = has_quote or b'"' in head
                    head = handle.read(SNIFF_BYTES)
                return configured, has_quote
        elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return "utf-16", True  # transcoded in memory; quotes are looked for there
        if b"\x00" in head and not head.startswith(codecs.BOM_UTF8):
            raise DataError(f"{path}: looks like a binary file, not CSV text; export it again as CSV or XLSX")
        decoder = codecs.getincrementaldecoder("utf-8")()
        offset = 0
        lines = 0
        chunk = head
        while chunk:
            try:
                decoder.decode(chunk, final=False)
            except UnicodeDecodeError as exc:
                line = lines + chunk.count(b"\n", 0, max(exc.start, 0)) + 1
                if configured != "auto":
                    raise DataError(
                        f"{path}:{line}: encoding: not valid {configured} text; set `encoding: gb18030` "
                        "(or `auto`) on the source"
                    ) from None
                # Plenty of UTF-8 text before the bad byte means a file re-saved in parts, not GBK:
                # GBK text hardly ever holds even a few valid UTF-8 characters in a row.
                before = chunk[: max(exc.start, 0)].decode("utf-8", errors="ignore")
                if offset == 0 and sum(ord(ch) > 127 for ch in before) < MIXED_UTF8_CHARS:
                    return _check_gb18030(path), True
                raise DataError(
                    f"{path}:{line}: not valid UTF-8 although the lines before are (mixed encodings); "
                    "save the whole file in one encoding, or set `encoding:` on the source"
                ) from None
            has_quote = has_quote or b'"' in chunk
            offset += len(chunk)
            lines += chunk.count(b"\n")
            chunk = handle.read(SNIFF_BYTES)
            if chunk and not FULL_UTF8_CHECK.get():
                # The head decided; Polars' reader rejects invalid UTF-8 anywhere in the file, and
                # `recheck_encodings` then sniffs in full for the message above.
                return (configured if configured != "auto" else "utf-8"), has_quote or _holds_quote(path)
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            if configured != "auto":
                raise DataError(f"{path}: encoding: the file ends in the middle of a character") from None
            return _check_gb18030(path), True
    return (configured if configured != "auto" else "utf-8"), has_quote


# Whether `_sniff` reads a whole UTF-8 file to prove it is one (for a precise "mixed encodings"
# message before any work). `deferred_utf8_check()` turns that off for a scoring run: a full pass in
# Python costs more than Polars' whole read of the file, which checks UTF-8 anyway.
FULL_UTF8_CHECK: ContextVar[bool] = ContextVar("FULL_UTF8_CHECK", default=True)


@contextmanager
def deferred_utf8_check() -> Iterator[None]:
    """Within: sniff only the head of UTF-8 files; call `recheck_encodings` when a read fails."""
    token = FULL_UTF8_CHECK.set(False)
    try:
        yield
    finally:
        FULL_UTF8_CHECK.reset(token)


def recheck_encodings(config: Config, frames: dict[str, SourceFrame]) -> None:
    """Sniff every CSV file of these sources in full: raises the DataError a deferred check would
    have raised (a file that stops being UTF-8 part way), else returns."""
    problems: list[str] = []
    for name, frame in frames.items():
        source = apply_preset(config.sources[name]) if name in config.sources else None
        for path in frame.encodings:
            try:
                _sniff(path, source.encoding if source is not None else "auto")
            except DataError as exc:
                problems += [_with_key(problem, path, name) for problem in exc.problems]
    if problems:
        raise DataError(*problems)


def _holds_quote(path: Path) -> bool:
    # Chunks, not mmap: a mapped file counts in the process's memory while it is searched.
    with path.open("rb") as handle:
        while chunk := handle.read(SNIFF_BYTES * 4):
            if b'"' in chunk:
                return True
    return False


def _check_gb18030(path: Path) -> str:
    try:
        path.read_bytes().decode("gb18030")
    except UnicodeDecodeError as exc:
        raise DataError(
            f"{path}: neither UTF-8 nor GB18030 text (byte {exc.object[exc.start]:#04x} at offset "
            f"{exc.start}); "
            "set `encoding:` on the source, or export the file again as CSV (UTF-8)"
        ) from None
    return "gb18030"


def _is_utf8(encoding: str) -> bool:
    return encoding.lower().replace("_", "-") in ("utf-8", "utf8", "utf-8-sig")


def _csv_source(path: Path, encoding: str) -> Path | bytes:
    """Polars reads UTF-8 itself; anything else is transcoded in memory first."""
    if _is_utf8(encoding):
        return path
    try:
        return path.read_bytes().decode(encoding).encode("utf-8")
    except (UnicodeDecodeError, LookupError) as exc:
        raise DataError(
            f"{path}: cannot decode as {encoding} ({exc}); set `encoding:` on the source (e.g. gb18030)"
        ) from None


def _head_text(data: Path | bytes) -> tuple[str, bool]:
    """The start of the (UTF-8) text and whether that is the whole file."""
    if isinstance(data, Path):
        with data.open("rb") as handle:
            raw = handle.read(HEAD_BYTES + 1)
    else:
        raw = data[: HEAD_BYTES + 1]
    complete = len(raw) <= HEAD_BYTES
    text = raw[:HEAD_BYTES].decode("utf-8", errors="ignore")
    return text.removeprefix("\ufeff"), complete


# --- CSV -----------------------------------------------------------------------------------------


def _head_records(
    text: str, delimiter: str, complete: bool, limit: int = HEADER_SCAN_ROWS
) -> list[list[str]]:
    """The first records of the text, parsed like a CSV reader does (quotes may span lines)."""
    records: list[list[str]] = []
    try:
        for record in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            records.append(record)
            if len(records) > limit:
                break
    except csv.Error:
        pass
    if not complete and len(records) <= limit and records:
        records.pop()  # may be cut in the middle
    return records[:limit]


def _wanted_headers(specs: dict[str, ColumnSpec]) -> set[str]:
    wanted: set[str] = set()
    for spec in specs.values():
        options = spec.from_ if isinstance(spec.from_, list) else [spec.from_]
        wanted |= {normalise_header(o) for o in options if isinstance(o, str)}
    return wanted


def _header_hits(record: list[str], wanted: set[str]) -> int:
    return len({normalise_header(cell) for cell in record} & wanted)


def find_header_row(records: list[list[str]], wanted: set[str]) -> tuple[int, int]:
    """(index, hits) of the record that matches the most configured headers; the first on a tie."""
    best, best_hits = 0, 0
    for index, record in enumerate(records):
        hits = _header_hits(record, wanted)
        if hits > best_hits:
            best, best_hits = index, hits
    return best, best_hits


def _delimiter_hint(text: str, complete: bool, configured: str, wanted: set[str], hits: int) -> str:
    best = (hits, configured)
    for delimiter in DELIMITERS:
        if delimiter == configured:
            continue
        records = _head_records(text, delimiter, complete)
        found = max((_header_hits(r, wanted) for r in records), default=0)
        if found > best[0]:
            best = (found, delimiter)
    if best[1] == configured:
        return ""
    shown = {"\t": "\\t"}.get(best[1], best[1])
    return f"; the file seems to be separated by '{shown}': set `delimiter: \"{shown}\"` on the source"


def _csv_width_names(source: SourceConfig, width: int) -> list[str]:
    names = list(source.column_names or [])
    return [names[i] if i < len(names) else f"column_{i + 1}" for i in range(width)]


def _read_csv_raw(path: Path, source: SourceConfig, wanted: set[str], row_numbers: bool = True) -> RawFile:
    if path.stat().st_size == 0:
        raise DataError(f"{path}: the file is empty (0 bytes); export it again")
    if len(source.delimiter) != 1:
        raise DataError(f"{path}: delimiter {source.delimiter!r} must be a single character")
    encoding, has_quote = _sniff(path, source.encoding)
    if encoding == "utf-16" and "delimiter" not in source.model_fields_set:
        # Excel's "Unicode text" export: UTF-16 with a BOM, separated by tabs.
        source = source.model_copy(update={"delimiter": "\t"})
    data = _csv_source(path, encoding)
    text, complete = _head_text(data)
    records = _head_records(text, source.delimiter, complete)
    if not any(any(cell.strip() for cell in r) for r in records):
        raise DataError(f"{path}: no text in the first rows (only blank lines); export the file again")
    hint = ""
    if source.header_row is not None:
        header_index = source.header_row - 1
        if header_index >= len(records):
            raise DataError(
                f"{path}: header_row {source.header_row} is past the first {len(records)} rows of the file"
            )
    elif source.has_header:
        header_index, hits = find_header_row(records, wanted)
        if hits < len(wanted):
            hint = _delimiter_hint(text, complete, source.delimiter, wanted, hits)
    else:
        header_index = 0
    if source.has_header:
        headers = [cell.strip() for cell in records[header_index]]
    else:
        # Without a header the first row decides the width; longer rows later are cut.
        headers = _csv_width_names(source, len(records[header_index]))
    raw = RawFile(path=path, frame=pl.LazyFrame(), headers=headers, encoding=encoding, hint=hint)
    if has_quote and _quotes_need_care(data, source.delimiter):
        # Quoted fields that span lines (line numbers differ from record numbers) or quoting that
        # Polars rejects: read with Python's csv module, which also tells each record's line.
        raw.frame, raw.header_row = _csv_by_python(path, data, source, header_index, len(headers))
        return raw
    first_data = header_index + (1 if source.has_header else 0)
    numbering: dict[str, Any] = (
        {"row_index_name": ROW, "row_index_offset": first_data + 1} if row_numbers else {}
    )

    def scan(types: dict[str, pl.DataType] | None = None) -> pl.LazyFrame:
        return pl.scan_csv(
            data,
            has_header=source.has_header,
            separator=source.delimiter,
            skip_rows=header_index,
            infer_schema=False,
            schema_overrides=types,
            truncate_ragged_lines=True,
            raise_if_empty=False,
            with_column_names=lambda columns: [f"_c{i}" for i in range(len(columns))],
            **numbering,  # no record spans lines here: record n is line n
        )

    try:
        present = set(scan().collect_schema().names())
    except pl.exceptions.PolarsError as exc:
        raise DataError(f"{path}: cannot read as CSV: {_first_line(exc)}") from None

    def select(frame: pl.LazyFrame) -> pl.LazyFrame:
        return frame.select(
            pl.col(ROW).cast(pl.Int64) if row_numbers else pl.lit(None, pl.Int64).alias(ROW),
            *(
                pl.col(f"_c{i}") if f"_c{i}" in present else pl.lit(None, pl.String).alias(f"_c{i}")
                for i in range(len(headers))
            ),
        )

    raw.frame = select(scan())
    raw.retype = lambda types: select(scan({c: t for c, t in types.items() if c in present}))
    raw.sample = lambda: _head_records(text, source.delimiter, complete, TYPE_SAMPLE_ROWS)[first_data:]
    raw.header_row = header_index + 1 if source.has_header else None
    return raw


def _quotes_need_care(data: Path | bytes, delimiter: str) -> bool:
    """Whether a line has an odd number of quotes (a quoted field going on to the next line), or
    a quoted field followed by more text (`"x"y`, which Polars refuses but spreadsheets write)."""
    d = re.escape(delimiter)
    malformed = f'(?:^|{d})"(?:[^"]|"")*"[^"{d}\r]'
    lines = pl.scan_csv(
        data,
        has_header=False,
        separator="\x1f",
        quote_char=None,
        infer_schema=False,
        truncate_ragged_lines=True,
        raise_if_empty=False,
        with_column_names=lambda columns: [f"l{i}" for i in range(len(columns))],
    )
    line = pl.col("l0")
    # A bare carriage return inside a line is a line break to some readers and not to others.
    bare_cr = line.str.contains("\r.")
    trouble = (line.str.count_matches('"', literal=True) % 2 == 1) | line.str.contains(malformed) | bare_cr
    try:
        return bool(lines.select(trouble.any()).collect().item())
    except pl.exceptions.PolarsError:
        return True


def _csv_by_python(
    path: Path, data: Path | bytes, source: SourceConfig, header_index: int, width: int
) -> tuple[pl.LazyFrame, int | None]:
    """The records after the header as text columns, each with the line it starts on."""
    text = data.read_text(encoding="utf-8-sig") if isinstance(data, Path) else data.decode("utf-8-sig")
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=source.delimiter)
    columns: list[list[str | None]] = [[] for _ in range(width)]
    lines: list[int] = []
    header_line: int | None = None
    previous = 0
    index = 0
    skip = header_index + (1 if source.has_header else 0)
    try:
        for record in reader:
            start, previous = previous + 1, reader.line_num
            if index == header_index and source.has_header:
                header_line = start
            if index >= skip:
                lines.append(start)
                for i in range(width):
                    cell = record[i] if i < len(record) else None
                    columns[i].append(cell if cell != "" else None)
            index += 1
    except csv.Error as exc:
        raise DataError(f"{path}:{reader.line_num}: cannot read as CSV ({exc})") from None
    frame = pl.LazyFrame(
        {ROW: lines, **{f"_c{i}": column for i, column in enumerate(columns)}},
        schema={ROW: pl.Int64, **{f"_c{i}": pl.String for i in range(width)}},
    )
    return frame, header_line


# --- workbooks -----------------------------------------------------------------------------------


def _sheet_choice(path: Path, names: list[str], sheet: str | int | None) -> int:
    if sheet is None:
        return 0
    if isinstance(sheet, int):
        if not 1 <= sheet <= len(names):
            raise DataError(
                f"{path}: sheet {sheet} does not exist (the workbook has {len(names)}: "
                f"{', '.join(repr(n) for n in names)}); `sheet:` counts from 1"
            )
        return sheet - 1
    if sheet in names:
        return names.index(sheet)
    folded = [n.casefold().strip() for n in names]
    if sheet.casefold().strip() in folded:
        return folded.index(sheet.casefold().strip())
    close = difflib.get_close_matches(sheet, names, n=1, cutoff=0.5)
    hint = f"; closest: {close[0]!r}" if close else ""
    raise DataError(f"{path}: sheet {sheet!r} not found; sheets: {', '.join(repr(n) for n in names)}{hint}")


def xlsx_first_row(path: Path, sheet_index: int) -> int:
    """The sheet row (1-based) of the first cell with a value: where calamine's data starts."""
    main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    rel = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
    try:
        with zipfile.ZipFile(path) as book:
            workbook = ElementTree.fromstring(book.read("xl/workbook.xml"))
            sheets = [s for s in workbook.iter(f"{main}sheet")]
            rel_id = sheets[sheet_index].get(f"{rel}id")
            rels = ElementTree.fromstring(book.read("xl/_rels/workbook.xml.rels"))
            target = next(r.get("Target", "") for r in rels if r.get("Id") == rel_id)
            member = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            with book.open(member) as sheet:
                row = 0
                for event, element in ElementTree.iterparse(sheet, events=("start", "end")):
                    tag = element.tag.rsplit("}", 1)[-1]
                    if event == "start" and tag == "row":
                        row = int(element.get("r") or row + 1)
                    elif event == "end" and tag == "c":
                        if any(child.tag.rsplit("}", 1)[-1] in ("v", "is") for child in element):
                            reference = element.get("r") or ""
                            digits = re.sub(r"\D", "", reference)
                            return int(digits) if digits else row
                        element.clear()
    except (
        KeyError,
        IndexError,
        StopIteration,
        zipfile.BadZipFile,
        ElementTree.ParseError,
        ValueError,
        OSError,
    ):
        return 1
    return 1


def _read_xlsx_raw(path: Path, source: SourceConfig, wanted: set[str]) -> RawFile:
    import fastexcel

    try:
        reader = fastexcel.read_excel(str(path))
        names = list(reader.sheet_names)
    except Exception as exc:  # fastexcel raises its own error types
        raise DataError(
            f"{path}: cannot read as an Excel workbook ({_first_line(exc)}); the file may be damaged or "
            "not a workbook: open it in Excel and save it again"
        ) from None
    index = _sheet_choice(path, names, source.sheet)
    try:
        from csperf.xlsx_columns import load_sheet_text  # only the mapped columns are made text

        table = load_sheet_text(
            reader, path, index, source, wanted, normalise_header, find_header_row, HEADER_SCAN_ROWS
        )
    except Exception as exc:
        raise DataError(f"{path}: sheet {names[index]!r}: cannot read: {_first_line(exc)}") from None
    assert isinstance(table, pl.DataFrame)
    if table.height == 0:
        raise DataError(f"{path}: sheet {names[index]!r} is empty; check `sheet:` or export the data again")
    first_row = xlsx_first_row(path, index) if path.suffix.lower() in (".xlsx", ".xlsm") else 1
    table = table.rename({c: f"_c{i}" for i, c in enumerate(table.columns)})
    records = [["" if v is None else str(v) for v in row] for row in table.head(HEADER_SCAN_ROWS).rows()]
    if source.header_row is not None:
        header_index = source.header_row - first_row
        if not 0 <= header_index < table.height:
            raise DataError(
                f"{path}: sheet {names[index]!r}: header_row {source.header_row} has no cells "
                f"(the sheet's data starts on row {first_row})"
            )
    elif source.has_header:
        header_index = find_header_row(records, wanted)[0]
    else:
        header_index = 0
    if source.has_header:
        row_values = table.row(header_index)
        headers = ["" if v is None else str(v).strip() for v in row_values]
    else:
        headers = _csv_width_names(source, table.width)
    first_data = header_index + (1 if source.has_header else 0)
    data = table.slice(first_data).with_row_index(ROW, offset=first_row + first_data)
    data = data.with_columns(pl.col(ROW).cast(pl.Int64))
    return RawFile(
        path=path,
        frame=data.lazy(),
        headers=headers,
        header_row=first_row + header_index if source.has_header else None,
    )


# --- Parquet and JSON ----------------------------------------------------------------------------


def _read_parquet_raw(path: Path) -> RawFile:
    try:
        frame = pl.scan_parquet(path, row_index_name="_rec", row_index_offset=1)
        columns = [c for c in frame.collect_schema().names() if c != "_rec"]
    except pl.exceptions.PolarsError as exc:
        raise DataError(f"{path}: cannot read as Parquet: {_first_line(exc)}") from None
    frame = frame.select(
        pl.col("_rec").cast(pl.Int64).alias(ROW),
        *(pl.col(c).cast(pl.String).alias(f"_c{i}") for i, c in enumerate(columns)),
    )
    return RawFile(path=path, frame=frame, headers=columns, header_row=None)


def _json_values(text: str, path: Path) -> Iterator[tuple[int, Any]]:
    """(line, value) for a JSON array, JSON Lines, or JSON objects written one after another."""
    decoder = json.JSONDecoder()
    position, line = 0, 1
    length = len(text)

    def skip(pos: int) -> int:
        while pos < length and text[pos] in " \t\r\n,":
            pos += 1
        return pos

    def where(pos: int) -> int:
        nonlocal position, line
        line += text.count("\n", position, pos)
        position = pos
        return line

    start = skip(0)
    in_array = start < length and text[start] == "["
    position_ = start + 1 if in_array else start
    while True:
        position_ = skip(position_)
        if position_ >= length or (in_array and text[position_] == "]"):
            return
        try:
            value, end = decoder.raw_decode(text, position_)
        except json.JSONDecodeError as exc:
            raise DataError(
                f"{path}:{where(exc.pos)}: not valid JSON ({exc.msg}); export the file again"
            ) from None
        except RecursionError:
            raise DataError(f"{path}:{where(position_)}: JSON nested too deeply to read") from None
        yield where(position_), value
        position_ = end


def _flatten(value: Any, prefix: str, into: dict[str, str | None]) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _flatten(item, f"{prefix}.{key}" if prefix else str(key), into)
        if not value and prefix:
            into[prefix] = None
    elif value is None:
        into[prefix] = None
    elif isinstance(value, bool):
        into[prefix] = "true" if value else "false"
    elif isinstance(value, (list, tuple)):
        into[prefix] = json.dumps(value, ensure_ascii=False)
    else:
        into[prefix] = str(value)


def _read_json_raw(path: Path, source: SourceConfig) -> RawFile:
    """JSON records (an array, JSON Lines, or concatenated objects): nested keys become `A.B`."""
    if path.stat().st_size == 0:
        raise DataError(f"{path}: the file is empty (0 bytes); export it again")
    encoding, _ = _sniff(path, source.encoding)
    text = path.read_bytes().decode("utf-8-sig" if _is_utf8(encoding) else encoding, errors="replace")
    rows: list[dict[str, str | None]] = []
    lines: list[int] = []
    for line, value in _json_values(text, path):
        if not isinstance(value, dict):
            raise DataError(
                f"{path}:{line}: a record is a {type(value).__name__}, not an object; expected JSON objects"
            )
        flat: dict[str, str | None] = {}
        try:
            _flatten(value, "", flat)
        except RecursionError:
            raise DataError(f"{path}:{line}: JSON nested too deeply to read") from None
        rows.append(flat)
        lines.append(line)
    headers: dict[str, None] = {}
    for row in rows:
        headers.update(dict.fromkeys(row))
    names = list(headers)
    columns: dict[str, list[Any]] = {ROW: lines}
    columns.update({f"_c{i}": [row.get(name) for row in rows] for i, name in enumerate(names)})
    schema = {ROW: pl.Int64, **{f"_c{i}": pl.String for i in range(len(names))}}
    return RawFile(path=path, frame=pl.LazyFrame(columns, schema=schema), headers=names, encoding=encoding)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def read_raw(path: Path, source: SourceConfig, wanted: set[str], row_numbers: bool = True) -> RawFile:
    """One file as text columns, whatever its format. Without `row_numbers` a CSV file's ROW is
    null (numbering the lines keeps Polars' reader from splitting the file: 15% of a large run)."""
    fmt = file_format(path, source)
    if fmt == "xlsx":
        return _read_xlsx_raw(path, source, wanted)
    if fmt == "parquet":
        return _read_parquet_raw(path)
    if fmt == "json":
        return _read_json_raw(path, source)
    return _read_csv_raw(path, source, wanted, row_numbers)


# --- columns -------------------------------------------------------------------------------------


def _positions(wanted: str | int, headers: list[str], has_header: bool) -> list[int]:
    if isinstance(wanted, int) or (not has_header and wanted.isdigit()):
        position = int(wanted)
        return [position - 1] if 1 <= position <= len(headers) else []
    exact = [i for i, h in enumerate(headers) if h == wanted]
    if exact:
        return exact
    target = normalise_header(wanted)
    return [i for i, h in enumerate(headers) if normalise_header(h) == target]


def find_column(wanted: str | int | list[str], headers: list[str], has_header: bool) -> str | None:
    """The header that matches `wanted` exactly, else after normalising width, case and spaces."""
    options = wanted if isinstance(wanted, list) else [wanted]
    for option in options:
        found = _positions(option, headers, has_header)
        if found:
            return headers[found[0]]
    return None


def _shown(wanted: str | int | list[str]) -> str:
    if isinstance(wanted, list):
        return " | ".join(repr(w) for w in wanted)
    return repr(wanted)


def _missing_column_message(
    raw: RawFile, source_name: str, canonical: str, wanted: str | int | list[str]
) -> str:
    headers = raw.headers
    options = wanted if isinstance(wanted, list) else [wanted]
    close: list[str] = []
    for option in options:
        close += difflib.get_close_matches(str(option), headers, n=1, cutoff=0.5)
    hint = f"; closest: {close[0]!r}" if close else ""
    shown = ", ".join(repr(h) for h in headers[:40]) + (" ..." if len(headers) > 40 else "")
    where = f" (header on row {raw.header_row})" if raw.header_row and raw.header_row > 1 else ""
    return (
        f"{raw.path}: column {_shown(wanted)} (sources.{source_name}.columns.{canonical}) not found; "
        f"columns found{where}: {shown}{hint}{raw.hint}"
    )


def _column_positions(
    raw: RawFile, source_name: str, source: SourceConfig, specs: dict[str, ColumnSpec]
) -> dict[str, int]:
    """canonical column → its position in the file (absent: optional and not found)."""
    problems: list[str] = []
    found: dict[str, int] = {}
    for canonical, spec in specs.items():
        assert spec.from_ is not None
        options = spec.from_ if isinstance(spec.from_, list) else [spec.from_]
        positions: list[int] = []
        for option in options:
            positions = _positions(option, raw.headers, source.has_header)
            if positions:
                break
        if len(positions) > 1:
            places = ", ".join(str(p + 1) for p in positions)
            problems.append(
                f"{raw.path}: column {raw.headers[positions[0]]!r} "
                f"(sources.{source_name}.columns.{canonical}) "
                f"appears {len(positions)} times (columns {places}); rename one in the file, or pick one "
                f"by position with `from: {positions[0] + 1}`"
            )
        elif not positions:
            if spec.required:
                problems.append(_missing_column_message(raw, source_name, canonical, spec.from_))
        else:
            found[canonical] = positions[0]
    if problems:
        raise DataError(*problems)
    return found


def _typed_columns(
    candidates: dict[str, pl.DataType], raws: list[tuple[RawFile, dict[str, int]]]
) -> dict[str, pl.DataType]:
    """The candidates the CSV reader types in every file: the files are all read by it and the
    first records of each take the type (a column of `-` or `12 min` stays text)."""
    if not candidates or any(raw.retype is None or raw.sample is None for raw, _ in raws):
        return {}
    typed = dict(candidates)
    for raw, positions in raws:
        assert raw.sample is not None
        records = raw.sample()
        for canonical in list(typed):
            if canonical not in positions:
                continue
            at = positions[canonical]
            if not sample_fits([r[at] for r in records if at < len(r)], typed[canonical]):
                del typed[canonical]
    return typed


def _select_canonical(
    raw: RawFile,
    source: SourceConfig,
    specs: dict[str, ColumnSpec],
    positions: dict[str, int],
    typed: dict[str, pl.DataType],
) -> pl.LazyFrame:
    """ROW, FILE, FIRST and `_raw_<column>`: text, or as typed by the reader for `typed` columns."""
    selected: list[pl.Expr] = [pl.col(ROW).cast(pl.Int64), pl.lit(str(raw.path)).alias(FILE)]
    selected.append(pl.col("_c0").alias(FIRST) if raw.headers else pl.lit(None, pl.String).alias(FIRST))
    types: dict[str, pl.DataType] = {}
    for canonical in specs:
        name = f"_raw_{canonical}"
        if canonical not in positions:
            selected.append(pl.lit(None, dtype=typed.get(canonical, pl.String)).alias(name))
        elif canonical in typed:
            types[f"_c{positions[canonical]}"] = typed[canonical]
            selected.append(pl.col(f"_c{positions[canonical]}").alias(name))
        else:
            selected.append(pl.col(f"_c{positions[canonical]}").cast(pl.String).alias(name))
    frame = raw.retype(types) if types and raw.retype else raw.frame
    frame = frame.select(selected)
    fill = [c for c, s in specs.items() if s.fill_down or c in source.fill_down]
    if fill:
        frame = _fill_down(frame, fill, [c for c in specs if c not in fill])
    return frame


def _fill_down(frame: pl.LazyFrame, columns: list[str], others: list[str]) -> pl.LazyFrame:
    """Blank cells of `columns` take the value above, on rows that hold something else."""
    blank_to_null = [
        pl.when(pl.col(f"_raw_{c}").str.strip_chars() == "")
        .then(None)
        .otherwise(pl.col(f"_raw_{c}"))
        .alias(f"_raw_{c}")
        for c in columns
    ]
    frame = frame.with_columns(blank_to_null)
    # A completely blank row stays blank (it is counted as a blank row, not filled in).
    has_data = (
        pl.any_horizontal([pl.col(f"_raw_{c}").is_not_null() for c in others]) if others else pl.lit(True)
    )
    return frame.with_columns(
        pl.when(has_data)
        .then(pl.col(f"_raw_{c}").forward_fill())
        .otherwise(pl.col(f"_raw_{c}"))
        .alias(f"_raw_{c}")
        for c in columns
    )


def _first_reason(conditions: list[tuple[pl.Expr, str]]) -> pl.Expr:
    if not conditions:
        return pl.lit(None, dtype=pl.String)
    chain: Any = pl.when(conditions[0][0]).then(pl.lit(conditions[0][1]))
    for condition, reason in conditions[1:]:
        chain = chain.when(condition).then(pl.lit(reason))
    return chain.otherwise(pl.lit(None, dtype=pl.String))


def source_specs(config: Config, source: SourceConfig) -> dict[str, ColumnSpec]:
    """Canonical columns of a source: its preset's (if any) with the config's columns merged over."""
    return merged_specs(source)


def _header_label(spec: ColumnSpec, matched: dict[Path, dict[str, str]], canonical: str) -> str:
    for found in matched.values():
        if canonical in found:
            return found[canonical]
    if isinstance(spec.from_, list):
        return " | ".join(spec.from_)
    return str(spec.from_)


def read_source(
    config: Config,
    source_name: str,
    base_dir: Path,
    period: Period | None = None,
    source: SourceConfig | None = None,
    *,
    keep_text: bool = False,
    fast: bool = False,
    row_numbers: bool = True,
    typed_reading: bool = False,
) -> SourceFrame:
    """Read every file of a source lazily and mark each row's status.

    `source` overrides the config's source of that name (the roster is read this way).
    `keep_text` keeps each column's cleaned text as `_txt_<column>` (for `csperf validate`).
    `fast` takes the fast reading where the columns allow it; the caller must then check the
    result with `csperf.fastread.reading_holds`. With the fast reading, `row_numbers=False` leaves
    ROW null: for a caller that needs no row's place (no rejects file, no evidence, no dedupe).
    `typed_reading` lets the fast reading of a CSV file have numbers and flags typed by Polars'
    reader (`_raw_<column>` is then typed, so not for a rejects file); a cell the type does not
    take makes the query fail, and the caller reads again without it.
    """
    is_roster = source is not None and source_name == "roster"
    source = apply_preset(source or config.sources[source_name])
    specs = source_specs(config, source)
    files = resolve_files(source_name, source, base_dir)
    wanted = _wanted_headers(specs)
    aliases = {} if is_roster else alias_map(config, base_dir)
    plan = None
    if fast and not keep_text:
        plan = fast_reading(config, source, specs, null_words(source), aliases)
    numbered = row_numbers or plan is None
    result = SourceFrame(name=source_name, files=files, frame=pl.LazyFrame(), raw_headers={}, specs=specs)
    problems: list[str] = []
    raws: list[tuple[RawFile, dict[str, int]]] = []
    for path in files:
        try:
            raw = read_raw(path, source, wanted, numbered)
            result.raw_headers[path] = raw.headers
            result.header_rows[path] = raw.header_row
            if raw.encoding:
                result.encodings[path] = raw.encoding
            raws.append((raw, _column_positions(raw, source_name, source, specs)))
        except DataError as exc:
            problems += [_with_key(problem, path, source_name) for problem in exc.problems]
    if problems:
        raise DataError(*problems)
    typed: dict[str, pl.DataType] = {}
    if plan is not None and typed_reading:
        typed = _typed_columns(reader_types(source, specs, null_words(source)), raws)
        if typed:
            plan = fast_reading(config, source, specs, null_words(source), aliases, typed)
    parts = []
    for raw, positions in raws:
        result.matched[raw.path] = {c: raw.headers[p] for c, p in positions.items()}
        parts.append(_select_canonical(raw, source, specs, positions, typed))
    frame = pl.concat(parts, how="vertical") if len(parts) > 1 else parts[0]
    lookup = _agent_lookup(config, source, base_dir) if source.agent_from is not None else None
    labels = {c: _header_label(s, result.matched, c) for c, s in specs.items()}
    result.frame, result.fast = _mark_rows(
        config, source, specs, frame, period, aliases, lookup, labels, keep_text, plan
    )
    return result


def null_words(source: SourceConfig) -> list[str]:
    """The source's null words as cells are compared with them (trimmed, lowercase)."""
    return [v.strip().lower() for v in source.null_values]


def _with_key(problem: str, path: Path, source_name: str) -> str:
    """`file[:line]: what` → `file[:line]: sources.<name>: what` (messages read file, key, problem)."""
    key = "roster" if source_name == "roster" else f"sources.{source_name}"
    if f"{key}." in problem or f"{key}:" in problem:
        return problem
    match = re.match(rf"^{re.escape(str(path))}(?::\d+)?: ", problem)
    if match is None:
        return f"{path}: {key}: {problem}"
    place, rest = problem[: match.end()], problem[match.end() :]
    if rest.startswith("encoding: "):
        return f"{place}{key}.encoding: {rest.removeprefix('encoding: ')}"
    return f"{place}{key}: {rest}"


def _agent_lookup(config: Config, source: SourceConfig, base_dir: Path) -> pl.LazyFrame:
    """key → agent_id from the used rows of the source named in `agent_from:` (first row wins)."""
    assert source.agent_from is not None
    other = read_source(config, source.agent_from.source, base_dir)
    key = source.agent_from.key
    return (
        other.used()
        .filter(pl.col(key).is_not_null())
        .select(pl.col(key).cast(pl.String).alias("_lookup_key"), pl.col("agent_id"))
        .unique("_lookup_key", keep="first", maintain_order=True)
    )


def _mark_rows(
    config: Config,
    source: SourceConfig,
    specs: dict[str, ColumnSpec],
    frame: pl.LazyFrame,
    period: Period | None,
    aliases: dict[str, str] | None = None,
    lookup: pl.LazyFrame | None = None,
    labels: dict[str, str] | None = None,
    keep_text: bool = False,
    fast: FastReading | None = None,
) -> tuple[pl.LazyFrame, FastReading | None]:
    """The canonical columns of every row with its status and reason (and `_dirty` when the fast
    reading was taken: see csperf.fastread)."""
    labels = labels or {}
    nulls = null_words(source)
    if fast is not None:
        for stage in fast.stages:
            frame = frame.with_columns(stage)
    else:
        frame = _general_reading(config, source, specs, frame, nulls, aliases, lookup)

    # 3. status: skipped (blank, total, no agent), rejected (first failing check), else used
    txt_columns = [pl.col(f"_cln_{c}") for c in specs]
    blank = pl.all_horizontal([c.is_null() for c in txt_columns]) if txt_columns else pl.lit(False)
    total_row = pl.lit(False)
    first_mapped = ("agent_id", next(iter(specs), ""))
    candidates = [FIRST, *(f"_cln_{c}" for c in dict.fromkeys(first_mapped) if c in specs)]
    if source.drop_total_rows and fast is not None:
        # The fast reading holds only where no row may be a total row: a possible label makes the
        # row dirty (agent ids are checked once, after the run, when they are checked that way).
        if fast.check_agent_keys:
            candidates.remove("_cln_agent_id")
        # raw: `_cln_` may be a flag; a column the reader typed holds no label
        texts = [
            c.replace("_cln_", "_raw_", 1) for c in candidates if c.removeprefix("_cln_") not in fast.typed
        ]
        possible = pl.any_horizontal([total_candidate(pl.col(c), TOTAL_ROW_PATTERN) for c in texts])
        frame = frame.with_columns((pl.col(DIRTY) | possible).alias(DIRTY))
    elif source.drop_total_rows:
        for column in candidates:
            total_row = total_row | total_text(pl.col(column), TOTAL_ROW_PATTERN)
        # A column of its own: the test is used twice below and should run once per row.
        frame = frame.with_columns(total_row.alias("_total"))
        total_row = pl.col("_total")

    # The first failing check names the row's reason: cell checks first, then the missing agent.
    rejects: list[tuple[pl.Expr, str]] = []
    for canonical, spec in specs.items():
        header = labels.get(canonical, str(spec.from_))
        if spec.extract:
            unmatched = (
                pl.col(f"_cln_{canonical}").is_not_null()
                & pl.col(f"_cln_{canonical}").str.extract(spec.extract, 1).is_null()
            )
            rejects.append((unmatched, f"{canonical} ({header}): does not match the `extract` pattern"))
        if spec.type == "str" or canonical == "agent_id":
            continue
        if fast is None:  # (the fast reading marks such cells dirty instead)
            failed = pl.col(f"_txt_{canonical}").is_not_null() & pl.col(canonical).is_null()
            rejects.append((failed, f"{canonical} ({header}): not a valid {spec.type}"))
        if spec.type == "duration":
            rejects.append(
                ((pl.col(canonical) < 0).fill_null(False), f"{canonical} ({header}): negative duration")
            )
    no_agent = pl.lit(False)
    if "agent_id" in specs or lookup is not None:
        missing = pl.col("agent_id").is_null() | (pl.col("agent_id") == "")
        if lookup is not None:
            assert source.agent_from is not None
            lookup_from = source.agent_from
            rejects.append(
                (missing, f"agent_id: no row of source `{lookup_from.source}` with this {lookup_from.key}")
            )
            no_agent = missing
        else:
            rejects.append((missing, "agent_id: empty"))
            # Only a truly empty cell means "no agent"; text that fails `extract:` is rejected.
            no_agent = missing & pl.col("_cln_agent_id").is_null()

    skipped = [(blank, "blank row"), (total_row, "total row")]
    if source.no_agent == "skip":
        skipped.append((no_agent, "no agent"))
    # Each chain of reasons once per row (in the status and reason columns), then the status from them.
    frame = frame.with_columns(_first_reason(skipped).alias(STATUS), _first_reason(rejects).alias(REASON))
    skip_reason, reject_reason = pl.col(STATUS), pl.col(REASON)
    status = (
        pl.when(skip_reason.is_not_null())
        .then(pl.lit("skipped"))
        .when(reject_reason.is_not_null())
        .then(pl.lit("rejected"))
        .otherwise(pl.lit(None, dtype=pl.String))
    )
    frame = frame.with_columns(status.alias(STATUS), pl.coalesce(skip_reason, reject_reason).alias(REASON))

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
    drop = (
        [f"_cln_{c}" for c in specs] + [FIRST] + (["_total"] if source.drop_total_rows and not fast else [])
    )
    if not keep_text and fast is None:
        drop += [f"_txt_{c}" for c in specs]
    return frame.drop(drop), fast


def _general_reading(
    config: Config,
    source: SourceConfig,
    specs: dict[str, ColumnSpec],
    frame: pl.LazyFrame,
    nulls: list[str],
    aliases: dict[str, str] | None,
    lookup: pl.LazyFrame | None,
) -> pl.LazyFrame:
    """Cleaned text `_cln_<column>`, normalised text `_txt_<column>` and the typed columns."""
    # 1. text: cleaned, null tokens removed, `extract:` applied, agent ids normalised, values mapped
    # (clean_text + the null-word check, with cheap paths for clean cells: see csperf.fastpaths)
    stages, helpers = clean_stages({f"_cln_{c}": (f"_raw_{c}", spec) for c, spec in specs.items()}, nulls)
    for stage in stages:
        frame = frame.with_columns(stage)
    frame = frame.drop(helpers)
    texts: list[pl.Expr] = []
    for canonical, spec in specs.items():
        text = pl.col(f"_cln_{canonical}")
        if spec.extract:
            text = text.str.extract(spec.extract, 1)
        if canonical == "agent_id":
            text = normalise_agent_id(config.agent_id, text)
        if spec.values:
            from csperf.parsing import apply_value_map

            text = apply_value_map(text, spec.values)
        texts.append(text.alias(f"_txt_{canonical}"))
    frame = frame.with_columns(texts)

    # 2. typed values (parse_column, with cheap readings of clean cells: see csperf.fastpaths)
    unmapped = {c: spec.model_copy(update={"values": None}) for c, spec in specs.items() if c != "agent_id"}
    typed = {c: (f"_txt_{c}", spec) for c, spec in unmapped.items()}
    stages, values, helpers = parse_stages(typed, config.timezone)
    for stage in stages:
        frame = frame.with_columns(stage)
    parsed: list[pl.Expr] = []
    for canonical, spec in specs.items():
        text = pl.col(f"_txt_{canonical}")
        value = apply_aliases(text, aliases or {}) if canonical == "agent_id" else values[canonical]
        if spec.default is not None:
            value = value.fill_null(pl.lit(spec.default))
        parsed.append(value.alias(canonical))
    frame = frame.with_columns(parsed).drop(helpers)
    if lookup is not None:
        assert source.agent_from is not None
        frame = (
            frame.with_columns(pl.col(source.agent_from.key).cast(pl.String).alias("_lookup_key"))
            .join(lookup, on="_lookup_key", how="left", maintain_order="left")
            .drop("_lookup_key")
        )

    return frame


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
    # Only rows still in use compete; a rejected row never hides a good one, and a row whose key
    # is empty is not a copy of anything.
    keyless = pl.any_horizontal([pl.col(c).is_null() for c in source.dedupe_on])
    keep = distinct.over(valid) | keyless
    return _set_status(frame, ~keep, "duplicate", "duplicate of " + ", ".join(source.dedupe_on))


# --- config rules about reading ------------------------------------------------------------------


def _regex_problem(pattern: str) -> str | None:
    try:
        compiled = re.compile(pattern)
    except re.error as exc:
        return f"invalid regular expression ({exc})"
    if compiled.groups < 1:
        return "the pattern needs a group in parentheses: the group's text is the value"
    return None


def source_options_problems(loaded: Any) -> list[str]:
    """Config problems in the reader options of sources and the roster (a rule of rules.RULES)."""
    config: Config = loaded.config
    problems: list[str] = []
    where = loaded.where

    def suggest(name: str, options: list[str]) -> str:
        close = difflib.get_close_matches(name, options, n=1)
        return f"; did you mean `{close[0]}`?" if close else ""

    named: list[tuple[tuple[str, ...], SourceConfig]] = [
        (("sources", n), s) for n, s in config.sources.items()
    ]
    if config.roster is not None:
        named.append((("roster",), config.roster))
    for path, source in named:
        specs = merged_specs(source)
        columns = sorted(specs)
        for i, name in enumerate(source.fill_down):
            if name not in specs:
                problems.append(
                    f"{where(*path, 'fill_down', i)}: `{name}` is not a column of this source"
                    f"{suggest(name, columns)}"
                )
        if source.column_names is not None and source.has_header and "has_header" in source.model_fields_set:
            problems.append(
                f"{where(*path, 'column_names')}: column_names names the columns of a file without a header "
                "row; set `has_header: false` or remove column_names"
            )
        for canonical, spec in specs.items():
            if spec.extract:
                problem = _regex_problem(spec.extract)
                if problem:
                    problems.append(f"{where(*path, 'columns', canonical, 'extract')}: {problem}")
        if source.agent_from is not None:
            lookup = source.agent_from
            base = (*path, "agent_from")
            if "agent_id" in specs:
                problems.append(
                    f"{where(*base)}: the source has an `agent_id` column too; keep one of the two"
                )
            other = config.sources.get(lookup.source)
            if other is None or lookup.source == path[-1]:
                problems.append(
                    f"{where(*base, 'source')}: `{lookup.source}` is not another source"
                    f"{suggest(lookup.source, list(config.sources))}"
                )
            else:
                other_specs = merged_specs(other)
                if "agent_id" not in other_specs:
                    problems.append(
                        f"{where(*base, 'source')}: source `{lookup.source}` has no `agent_id` column "
                        "of its own"
                    )
                if lookup.key not in other_specs:
                    problems.append(
                        f"{where(*base, 'key')}: `{lookup.key}` is not a column of source `{lookup.source}`"
                        f"{suggest(lookup.key, sorted(other_specs))}"
                    )
            if lookup.key not in specs:
                problems.append(
                    f"{where(*base, 'key')}: `{lookup.key}` is not a column of this source"
                    f"{suggest(lookup.key, columns)}"
                )
    rules = config.agent_id
    if rules.extract:
        problem = _regex_problem(rules.extract)
        if problem:
            problems.append(f"{where('agent_id', 'extract')}: {problem}")
    if rules.alias_columns:
        if config.roster is None:
            problems.append(
                f"{where('agent_id', 'alias_columns')}: alias columns are roster columns; add a `roster:`"
            )
        else:
            roster_columns = sorted(merged_specs(config.roster))
            for i, name in enumerate(rules.alias_columns):
                if name not in roster_columns:
                    problems.append(
                        f"{where('agent_id', 'alias_columns', i)}: `{name}` is not a roster column"
                        f"{suggest(name, roster_columns)}"
                    )
    return problems
