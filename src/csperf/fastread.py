"""The fast reading of a source: typed values straight from the raw cells, verified afterwards.

A machine-written export is clean: no outer spaces, no spreadsheet tricks, numbers that read as
numbers. For such a file the general reading (`clean_text`, the null-word check, the parsers,
see `csperf.sources`) changes nothing, and its per-cell work is most of a large run. The fast
reading skips it: each column gets its cheap reading (`fastpaths.raw_fast_value`, an explicit
datetime format, the text itself), and every row gets a `_dirty` flag where that reading cannot
vouch for the cell (text with outer spaces or a trick, a number that did not read). Agent ids are
not checked row by row: the distinct ids are few and are checked once, after the run.

`reading_holds` then looks at the run's accounting table (grouped by agent, with `_dirty` per group): when no
row is dirty and every agent id is what the general reading makes of it, the fast reading gave
exactly the general reading's result; otherwise the pipeline reads that source again the general
way. So the figures never depend on which reading ran (tests/test_fast_read.py runs both).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import polars as pl

from csperf.config import ColumnSpec, Config, SourceConfig
from csperf.fastpaths import (
    CAST_TYPES,
    TOTAL_ROW_PATTERN,
    bool_words,
    cleaned_cell,
    is_null_word,
    null_variants,
    number_value,
    raw_fast_value,
    total_text,
)
from csperf.identity import apply_aliases, normalise_agent_id
from csperf.parsing import EPOCH_FORMATS, parse_column

if TYPE_CHECKING:
    from csperf.sources import SourceFrame

DIRTY = "_dirty"
AGENT = "agent_id"
# Cells that `clean_text` may change: outer white space, a BOM, `="..."`, a leading apostrophe.
UNCLEAN_TEXT = r"^[\s\ufeff=']|\s$"


@dataclass
class FastReading:
    """`with_columns` stages writing `_cln_<column>`, the typed columns and `_dirty`."""

    stages: list[list[pl.Expr]]
    # Whether agent ids still need the check of `reading_holds` (else they were checked per row).
    check_agent_keys: bool
    null_words: list[str]
    drop_total_rows: bool
    # Columns typed by the CSV reader itself (see `reader_types`): `_raw_<column>` is not text.
    typed: dict[str, pl.DataType] = field(default_factory=dict)


def _simple_agent_rules(config: Config, aliases: dict[str, str]) -> bool:
    rules = config.agent_id
    return rules.extract is None and rules.case == "keep" and not rules.strip_leading_zeros and not aliases


def _value(
    raw: pl.Expr, cleaned: pl.Expr, spec: ColumnSpec, config: Config, nulls: list[str]
) -> pl.Expr | None:
    """The typed value of a clean cell (null where the cell is not clean), or None when the column
    has no such reading."""
    if spec.type == "str":
        return cleaned
    if spec.type in CAST_TYPES or spec.type == "bool":
        return raw_fast_value(raw, spec, nulls)
    if spec.type in ("datetime", "date") and spec.format and spec.format not in EPOCH_FORMATS:
        # An explicit format reads a clean cell exactly as the general path does (leading white
        # space, which the format skips, gives the same value; tests/test_fast_read.py).
        return parse_column(raw, spec, config.timezone)
    return None


def reader_types(
    source: SourceConfig, specs: dict[str, ColumnSpec], nulls: list[str]
) -> dict[str, pl.DataType]:
    """The columns Polars' CSV reader may type itself in the fast reading, with their type: numbers
    as Float64, flags as an Enum of their words and the null words.

    Where the reader takes a cell, it reads what the fast reading of its text gives: a number the
    same float (leading spaces, which cleaning removes, included), a flag word itself; an empty
    cell is null, as the null word "" makes it. A cell it does not take (`-` in a number column,
    `12 min`, a flag word with a space) makes the whole read fail: the pipeline then reads the
    source with text columns (tests/test_fast_read.py checks both agree).
    """
    if "" not in nulls:
        return {}
    words = [v for v in null_variants(tuple(nulls)) or () if v]
    types: dict[str, pl.DataType] = {}
    for canonical, spec in specs.items():
        if canonical == AGENT or spec.fill_down or canonical in source.fill_down:
            continue
        if raw_fast_value(pl.col(canonical), spec, nulls) is None:
            continue
        if spec.type in CAST_TYPES:
            types[canonical] = pl.Float64()
        elif spec.type == "bool":
            true_words, false_words = bool_words(spec)
            types[canonical] = pl.Enum([*true_words, *false_words, *words])
    return types


def sample_fits(cells: list[str], dtype: pl.DataType) -> bool:
    """Whether the reader would take each of these cells as `dtype` (a few it would take may fail:
    that only keeps the column text)."""
    present = [cell for cell in cells if cell]
    if isinstance(dtype, pl.Enum):
        return set(present) <= set(dtype.categories.to_list())
    return pl.Series(present, dtype=pl.String).cast(pl.Float64, strict=False).null_count() == 0


def _typed_stages(
    canonical: str, spec: ColumnSpec, dtype: pl.DataType
) -> tuple[pl.Expr, pl.Expr, pl.Expr | None]:
    """`_cln_<column>`, the value and the dirty check (or None) of a column the reader typed."""
    raw = pl.col(f"_raw_{canonical}")
    if isinstance(dtype, pl.Enum):
        true_count, false_count = (len(words) for words in bool_words(spec))
        code = raw.to_physical()  # the word's place among the Enum's categories
        held = pl.when(code < true_count + false_count).then(True)
        flag = pl.when(code < true_count).then(True).when(code < true_count + false_count).then(False)
        return held, flag.otherwise(pl.lit(None, pl.Boolean)), None
    value = number_value(raw, spec)
    dirty = raw.is_not_null() & pl.col(canonical).is_null() if spec.type == "int" else None
    return pl.when(raw.is_not_null()).then(True), value, dirty


def fast_reading(
    config: Config,
    source: SourceConfig,
    specs: dict[str, ColumnSpec],
    nulls: list[str],
    aliases: dict[str, str],
    typed: dict[str, pl.DataType] | None = None,
) -> FastReading | None:
    """The stages of the fast reading, or None when a column needs the general reading (`extract:`,
    value maps, `agent_from:`). `_cln_<column>` is the text with null words removed, except for
    typed columns, where it is True when the cell holds something, else null. `typed`: the
    columns the CSV reader typed (from `reader_types`)."""
    if source.agent_from is not None or any(spec.extract or spec.values for spec in specs.values()):
        return None
    typed = typed or {}
    cleaned_stage: list[pl.Expr] = []
    value_stage: list[pl.Expr] = []
    dirty: list[pl.Expr] = []
    check_agent_keys = False
    for canonical, spec in specs.items():
        raw = pl.col(f"_raw_{canonical}")
        cleaned_name = f"_cln_{canonical}"
        if canonical in typed:
            held, read, unread = _typed_stages(canonical, spec, typed[canonical])
            cleaned_stage.append(held.alias(cleaned_name))
            value_stage.append(read.alias(canonical))
            if unread is not None:
                dirty.append(unread)
            continue
        null_word = is_null_word(raw, nulls)
        if spec.type == "str" or canonical == AGENT:
            cleaned_stage.append(pl.when(null_word).then(None).otherwise(raw).alias(cleaned_name))
        else:
            # Of a typed column only whether the cell holds something is needed (not a copy of it).
            cleaned_stage.append(pl.when(raw.is_not_null() & ~null_word).then(True).alias(cleaned_name))
        cleaned = pl.col(cleaned_name)
        if canonical == AGENT:
            if _simple_agent_rules(config, aliases):
                value_stage.append(cleaned.alias(AGENT))
                check_agent_keys = True
            else:
                agent = apply_aliases(normalise_agent_id(config.agent_id, cleaned), aliases)
                value_stage.append(agent.alias(AGENT))
                dirty.append(raw.str.contains(UNCLEAN_TEXT).fill_null(False))
            continue
        value = _value(raw, cleaned, spec, config, nulls)
        if value is None:
            return None
        value_stage.append(value.alias(canonical))
        if spec.type == "str":
            dirty.append(raw.str.contains(UNCLEAN_TEXT).fill_null(False))
        else:
            dirty.append(cleaned.is_not_null() & pl.col(canonical).is_null())
    finish: list[pl.Expr] = [pl.any_horizontal(dirty).alias(DIRTY) if dirty else pl.lit(False).alias(DIRTY)]
    finish += [
        pl.col(canonical).fill_null(pl.lit(spec.default)).alias(canonical)
        for canonical, spec in specs.items()
        if spec.default is not None
    ]
    return FastReading(
        [cleaned_stage, value_stage, finish], check_agent_keys, nulls, source.drop_total_rows, typed
    )


def general_agent_id(config: Config, nulls: list[str], text: pl.Expr) -> pl.Expr:
    """What the general reading makes of an agent cell (no aliases: see `_simple_agent_rules`)."""
    return normalise_agent_id(config.agent_id, cleaned_cell(text, nulls))


def reading_holds(config: Config, frame: SourceFrame, table: pl.DataFrame) -> bool:
    """Whether the fast reading of a source gave the general reading's rows: `table` is the run's
    accounting of the source: per group (agent, if the source has one) whether it holds a dirty row."""
    assert frame.fast is not None
    if table.height and bool(table[DIRTY].any()):
        return False
    if not frame.fast.check_agent_keys or AGENT not in table.columns:
        return True
    keys = table.select(pl.col(AGENT).drop_nulls().unique())
    agent = pl.col(AGENT)
    holds = (general_agent_id(config, frame.fast.null_words, agent) == agent).fill_null(False)
    if frame.fast.drop_total_rows:
        holds = holds & ~total_text(agent, TOTAL_ROW_PATTERN)
    return bool(keys.select(holds.all()).item())
