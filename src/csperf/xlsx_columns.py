"""Read only the workbook columns a source maps: the same text frame, a good deal faster.

Turning a sheet's cells into text is about a third of reading a workbook with calamine, and most
exports carry columns the config never maps (phone numbers, ring times, free-text notes). Which
columns matter is only known from the header, which `sources` finds among the first rows; so the
first rows are read here straight from the sheet's XML (and the shared strings they use), the
columns whose header could match are loaded, and the others come back as columns of nulls.

Safety first: the frame must be exactly what the full read gives in every column the reader looks
at. The projected load's first rows are compared with the ones read from the XML, the sheet's true
width and first column are checked, and at any doubt (no header, headers that look like numbers,
unusual cells, a mismatch) the whole sheet is loaded as before.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import polars as pl

from csperf.config import SourceConfig

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
HEAD_ROWS = 30
MAX_SHARED_INDEX = 20_000
OTHER = "\0not a string"  # a number, date, boolean or error cell: its text is calamine's business
_CELL_REF = re.compile(r"^([A-Z]+)(\d+)$")
_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
# Headers that a number, a date or a boolean cell could spell: those need the full read.
_NOT_TEXT_LIKE = re.compile(r"^[\d\s.,:/+-]*$|^(true|false)$", re.IGNORECASE)


class _Unsure(Exception):
    """Something this reader does not handle exactly like calamine: load the whole sheet."""


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - ord("A") + 1
    return number - 1


def _sheet_member(book: zipfile.ZipFile, sheet_index: int) -> str:
    workbook = ElementTree.fromstring(book.read("xl/workbook.xml"))
    sheets = list(workbook.iter(f"{MAIN}sheet"))
    rel_id = sheets[sheet_index].get(f"{REL}id")
    rels = ElementTree.fromstring(book.read("xl/_rels/workbook.xml.rels"))
    target = next(r.get("Target", "") for r in rels if r.get("Id") == rel_id)
    return target.lstrip("/") if target.startswith("/") else f"xl/{target}"


def _text_of(element: ElementTree.Element) -> str:
    """The text of a shared or inline string: its `<t>` runs, without phonetic (`<rPh>`) runs."""
    parts: list[str] = []
    for child in element:
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "t":
            parts.append(child.text or "")
        elif tag == "r":
            parts += [t.text or "" for t in child if t.tag.rsplit("}", 1)[-1] == "t"]
    return _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), "".join(parts))


def _shared_strings(book: zipfile.ZipFile, needed: set[int]) -> dict[int, str]:
    """The shared strings with these indices, reading the table only as far as the largest one."""
    found: dict[int, str] = {}
    if not needed:
        return found
    last = max(needed)
    if last > MAX_SHARED_INDEX:  # not written row by row as Excel does: reading that far costs more
        raise _Unsure
    try:
        table = book.open("xl/sharedStrings.xml")
    except KeyError:
        raise _Unsure from None
    with table:
        index = -1
        for _, element in ElementTree.iterparse(table, events=("end",)):
            if element.tag.rsplit("}", 1)[-1] != "si":
                continue
            index += 1
            if index in needed:
                found[index] = _text_of(element)
            element.clear()
            if index >= last:
                break
    if set(found) != needed:
        raise _Unsure
    return found


def head_rows(
    path: Path, sheet_index: int, limit: int = HEAD_ROWS
) -> tuple[int, int, list[list[str | None]]]:
    """(first row, first column, rows): the first `limit` rows of the sheet from its first row with
    a value, as text (None for an empty cell, OTHER for a cell that is not a string), columns
    counted from the sheet's column A. Raises `_Unsure` for what it cannot read exactly."""
    with zipfile.ZipFile(path) as book:
        member = _sheet_member(book, sheet_index)
        cells: dict[int, dict[int, tuple[str, str]]] = {}
        first_row: int | None = None
        first_column: int | None = None
        with book.open(member) as sheet:
            row = 0
            for event, element in ElementTree.iterparse(sheet, events=("start", "end")):
                tag = element.tag.rsplit("}", 1)[-1]
                if event == "start":
                    if tag == "dimension":
                        start = (element.get("ref") or "").split(":")[0]
                        match = _CELL_REF.match(start)
                        first_column = _column_number(match.group(1)) if match else None
                    elif tag == "row":
                        row = int(element.get("r") or row + 1)
                        if first_row is not None and row >= first_row + limit:
                            break
                    continue
                if tag != "c":
                    if tag == "row":
                        element.clear()
                    continue
                kind = element.get("t") or "n"
                value = next((c for c in element if c.tag.rsplit("}", 1)[-1] in ("v", "is")), None)
                if value is None:
                    continue
                match = _CELL_REF.match(element.get("r") or "")
                if match is None:
                    raise _Unsure
                if first_row is None:
                    first_row = row
                column = _column_number(match.group(1))
                if kind == "s":
                    cells.setdefault(row, {})[column] = ("s", value.text or "")
                elif kind == "inlineStr":
                    cells.setdefault(row, {})[column] = ("t", _text_of(value))
                elif kind == "str":
                    cells.setdefault(row, {})[column] = ("t", value.text or "")
                else:
                    cells.setdefault(row, {})[column] = ("other", value.text or "")
        if first_row is None or first_column is None:
            raise _Unsure
        shared = _shared_strings(
            book, {int(v) for r in cells.values() for kind, v in r.values() if kind == "s"}
        )
    width = max((c + 1 for r in cells.values() for c in r), default=0)
    rows: list[list[str | None]] = []
    for number in range(first_row, first_row + limit):
        line: list[str | None] = [None] * width
        for column, (kind, value) in cells.get(number, {}).items():
            line[column] = shared[int(value)] if kind == "s" else value if kind == "t" else OTHER
        rows.append(line)
    return first_row, first_column, rows


def _positions(source: SourceConfig) -> set[int]:
    """Columns named by position (`from: 3`): always loaded."""
    from csperf.presets import merged_specs

    found: set[int] = set()
    for spec in merged_specs(source).values():
        options = spec.from_ if isinstance(spec.from_, list) else [spec.from_]
        found |= {int(o) - 1 for o in options if isinstance(o, int)}
    return found


def load_sheet_text(
    reader: Any,
    path: Path,
    index: int,
    source: SourceConfig,
    wanted: set[str],
    normalise: Callable[[str], str],
    find_header: Callable[[list[list[str]], set[str]], tuple[int, int]],
    limit: int = HEAD_ROWS,
) -> pl.DataFrame:
    """`reader.load_sheet(index, header_row=None, dtypes="string").to_polars()`, except that columns
    no wanted header is in hold only their first `limit` cells (as read from the XML), nulls below.

    `normalise` and `find_header` are the reader's own header matching, so the columns kept are the
    ones its header detection can pick.
    """

    def everything() -> pl.DataFrame:
        return reader.load_sheet(index, header_row=None, dtypes="string").to_polars()

    if (
        not source.has_header
        or path.suffix.lower() not in (".xlsx", ".xlsm")
        or any(_NOT_TEXT_LIKE.match(w) for w in wanted)
    ):
        return everything()
    try:
        first_row, first_column, rows = head_rows(path, index, limit)
    except (
        _Unsure,
        KeyError,
        IndexError,
        StopIteration,
        ValueError,
        zipfile.BadZipFile,
        ElementTree.ParseError,
    ):
        return everything()
    texts = [[cell if cell is not None and cell != OTHER else "" for cell in line] for line in rows]
    configured = source.header_row
    header = configured - first_row if configured is not None else find_header(texts, wanted)[0]
    keep = {first_column} | {first_column + p for p in _positions(source)}
    for line in rows:
        keep |= {c for c, cell in enumerate(line) if cell is not None and normalise(cell) in wanted}
    relative = sorted(c - first_column for c in keep if c >= first_column)
    try:
        sheet = reader.load_sheet(index, header_row=None, dtypes="string", use_columns=relative)
    except Exception:  # a position past the sheet's last column, say: the full read reports it
        return everything()
    columns = sheet.available_columns()
    if not columns or columns[0].absolute_index != first_column:
        return everything()
    # Columns left out keep their header cell as text: a number or a date there needs the full read.
    if 0 <= header < len(rows) and any(
        cell == OTHER for c, cell in enumerate(rows[header]) if c - first_column not in relative
    ):
        return everything()
    table = sheet.to_polars()
    # The loaded columns must start with exactly the rows read from the XML (a cell that is not a
    # string there only has to hold something).
    for column, name in zip(relative, table.columns, strict=True):
        at = first_column + column
        expected = [line[at] if at < len(line) else None for line in rows]
        got = table[name].head(len(expected)).to_list()
        for want, have in zip(expected, got, strict=False):
            if want != have and not (want == OTHER and have is not None):
                return everything()
    if len(relative) == sheet.width:
        return table
    loaded = dict(zip(relative, table.columns, strict=True))
    height = table.height

    def head_only(i: int) -> pl.Series:
        at = first_column + i
        cells = [line[at] if at < len(line) and line[at] != OTHER else None for line in rows][:height]
        return pl.Series(f"__UNNAMED__{i}", cells, dtype=pl.String).extend_constant(None, height - len(cells))

    return table.select(
        pl.col(loaded[i]) if i in loaded else pl.lit(head_only(i)) for i in range(sheet.width)
    )
