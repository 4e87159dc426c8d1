"""The fast reading of a source: typed values straight from the raw cells, verified afterwards.

A machine-written export is clean: no outer spaces, no spreadsheet tricks, numbers that read as
numbers. For such a file the general reading (`clean_text`, the null-word check, the parsers,
see `csperf.sources`) changes nothing, and its per-cell work is most of a large run. The fast
reading skips it: each column gets its cheap reading (`fastpaths.raw_fast_value`, an explicit
datetime format, the text itself), and every row gets a `_dirty` flag where that reading cannot
vouch for the cell (text with outer spaces or a trick, a number that did not read). Agent ids are
not checked row by row: the distinct ids are few and are checked once, after the run.

`reading_holds` then looks at the run's accounting table (grouped by `_dirty` and agent): when no
row is dirty and every agent id is what the general reading makes of it, the fast reading gave
exactly the general reading's result; otherwise the pipeline reads that source again the general
way. So the figures never depend on which reading ran (tests/test_fast_read.py runs both).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import polars as pl

from csperf.config import ColumnSpec, Config, SourceConfig
from csperf.fastpaths import (
    CAST_TYPES,
    TOTAL_ROW_PATTERN,
    cleaned_cell,
    is_null_word,
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


def fast_reading(
    config: Config,
    source: SourceConfig,
    specs: dict[str, ColumnSpec],
    nulls: list[str],
    aliases: dict[str, str],
) -> FastReading | None:
    """The stages of the fast reading, or None when a column needs the general reading (`extract:`,
    value maps, `agent_from:`). `_cln_<column>` is the text with null words removed, except for
    typed columns, where it is True when the cell holds something, else null."""
    if source.agent_from is not None or any(spec.extract or spec.values for spec in specs.values()):
        return None
    cleaned_stage: list[pl.Expr] = []
    value_stage: list[pl.Expr] = []
    dirty: list[pl.Expr] = []
    check_agent_keys = False
    for canonical, spec in specs.items():
        raw = pl.col(f"_raw_{canonical}")
        cleaned_name = f"_cln_{canonical}"
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
    return FastReading([cleaned_stage, value_stage, finish], check_agent_keys, nulls, source.drop_total_rows)


def general_agent_id(config: Config, nulls: list[str], text: pl.Expr) -> pl.Expr:
    """What the general reading makes of an agent cell (no aliases: see `_simple_agent_rules`)."""
    return normalise_agent_id(config.agent_id, cleaned_cell(text, nulls))


def reading_holds(config: Config, frame: SourceFrame, table: pl.DataFrame) -> bool:
    """Whether the fast reading of a source gave the general reading's rows: `table` is the run's
    accounting of the source, grouped by (at least) `_dirty` and, if the source has one, agent."""
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
