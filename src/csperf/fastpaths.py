"""Fast paths for clean exports: the same cells as `parsing` gives, at a fraction of the cost.

Most cells of a machine-written export are already clean: `120`, `是`, `A1007`. The general path
(`parsing.clean_text`, the null-word check, `parse_number`, `parse_duration`, ...) runs several
regular expressions and a lowercase copy on every cell, which dominates a large run. Here each
column first gets a cheap reading (a cast, an exact lookup); the general path then runs only on
the cells that reading could not take, masked with `pl.when(rest).then(text)` so that every other
cell is null there (string kernels skip nulls, so the general path costs next to nothing on clean
data).

The contract of each cheap reading, checked against the general path with generated texts in
tests/test_fast_paths.py:
* `fast_value(text, spec)` is null or exactly `parse_column(text, spec)`;
* `raw_fast_value(raw, spec, nulls)` is non-null only where cleaning leaves the cell as it is and
  the cell is no null word, so the cleaned text is the raw text and the value is `fast_value`;
* `clean_stages(...)` gives, cell by cell, `clean_text` followed by the null-word check.

Keep this module in step with `parsing`: a new trick in `clean_text` or a new parser rule must be
mirrored here (the tests fail otherwise).
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Callable
from functools import lru_cache

import polars as pl

from csperf.config import ColumnSpec
from csperf.parsing import FALSE_WORDS, TRUE_WORDS, UNIT_SECONDS, clean_text, parse_column

# The only non-ASCII character whose lowercase is ASCII (checked over all of Unicode in the tests).
KELVIN_SIGN = "\u212a"
MAX_VARIANTS = 4096
# After stripping, `clean_text` changes a cell only if it starts with one of these.
TRICK_STARTS = ("=", "'", "\ufeff")
CAST_TYPES = ("int", "float", "number", "percent", "duration")
# A row whose first column, agent or first mapped column reads like this is a total row.
TOTAL_ROW_PATTERN = (
    r"(?i)^\s*(合计|总计|小计|汇总|总和|total|totals|grand total|sub-?total|summary|sum)\s*[:：]?\s*$"
)


def _case_variants(word: str) -> list[str] | None:
    """Every text whose lowercase is `word` (an ASCII, lowercase word), or None if there are too many."""
    options: list[list[str]] = []
    count = 1
    for char in word:
        choices = sorted({char, char.upper()} | ({KELVIN_SIGN} if char == "k" else set()))
        options.append(choices)
        count *= len(choices)
        if count > MAX_VARIANTS:
            return None
    return ["".join(parts) for parts in itertools.product(*options)]


@lru_cache(maxsize=256)
def null_variants(words: tuple[str, ...]) -> tuple[str, ...] | None:
    """Every text whose lowercase is one of the (lowercase) null words, when that is a small set.

    Then `text.is_in(variants)` is `text.str.to_lowercase().is_in(words)` without lowercasing each
    cell. None when a word is not ASCII (its variants are not simple to list) or has many letters.
    """
    found: set[str] = set()
    for word in words:
        if not word.isascii() or word != word.lower():
            return None
        variants = _case_variants(word)
        if variants is None:
            return None
        found.update(variants)
        if len(found) > MAX_VARIANTS:
            return None
    return tuple(sorted(found))


def is_null_word(text: pl.Expr, words: list[str]) -> pl.Expr:
    """`text.str.to_lowercase().is_in(words)`, by exact lookup when the words allow it."""
    variants = null_variants(tuple(words))
    if variants is None:
        return text.str.to_lowercase().is_in(words)
    return text.is_in(list(variants))


def bool_words(spec: ColumnSpec) -> tuple[list[str], list[str]]:
    """Exact spellings that `parse_bool` reads as True / False: the caseless words as given, and every
    case variant of the ASCII ones."""
    true_words = [w.lower() for w in (spec.true_values or TRUE_WORDS)]
    false_words = [w.lower() for w in (spec.false_values or FALSE_WORDS)]

    def spellings(words: list[str]) -> set[str]:
        found: set[str] = set()
        for word in words:
            if word.isascii():
                found.update(_case_variants(word) or [word])
            elif word == word.lower() == word.upper():
                found.add(word)
        return found

    true_exact = spellings(true_words)
    false_exact = spellings(false_words) - true_exact
    return sorted(true_exact), sorted(false_exact)


def number_value(number: pl.Expr, spec: ColumnSpec) -> pl.Expr:
    """The value of a column of type `int`, `float`, `number`, `percent` or `duration` from the
    float its cell reads as (null for an `int` that is not whole)."""
    if spec.type == "int":
        return pl.when(number == number.round(0)).then(number).otherwise(None).cast(pl.Int64, strict=False)
    if spec.type == "percent":
        # The same operations as parse_number (Polars divides by a scalar via its reciprocal).
        return pl.when(number.abs() > 1).then(number / 100).otherwise(number)
    if spec.type == "duration":
        return number * UNIT_SECONDS[spec.unit or "s"]
    return number


def fast_value(text: pl.Expr, spec: ColumnSpec) -> pl.Expr | None:
    """A cheap reading of `text`: null, or exactly what `parse_column(text, spec)` gives.

    None for types without a cheap reading (str, date, datetime) and for value-mapped columns.
    """
    if spec.values:
        return None
    if spec.type in CAST_TYPES:
        # A plain number: the general parser has nothing to strip and reads the same float.
        return number_value(text.cast(pl.Float64, strict=False), spec)
    if spec.type == "bool":
        true_exact, false_exact = bool_words(spec)
        return (
            pl.when(text.is_in(true_exact))
            .then(pl.lit(True))
            .when(text.is_in(false_exact))
            .then(pl.lit(False))
            .otherwise(pl.lit(None, dtype=pl.Boolean))
        )
    return None


def _fast_safe(spec: ColumnSpec, words: tuple[str, ...]) -> bool:
    key = (
        spec.type,
        spec.unit,
        tuple(spec.true_values) if spec.true_values else None,
        tuple(spec.false_values) if spec.false_values else None,
    )
    return _fast_safe_cached(key, words)


@lru_cache(maxsize=256)
def _fast_safe_cached(key: tuple[object, ...], words: tuple[str, ...]) -> bool:
    """Whether no null word (in any spelling) and no trick-carrying text gets a cheap reading."""
    variants = null_variants(words)
    if variants is None:
        return False
    kind, unit, true_values, false_values = key
    spec = ColumnSpec.model_validate(
        {"type": kind, "unit": unit, "true_values": true_values, "false_values": false_values}
    )
    reading = fast_value(pl.col("t"), spec)
    if reading is None:
        return False
    probes = [*variants, " 1", "1 ", "=1", "'1", "\ufeff1"]
    if spec.type == "bool":
        true_exact, false_exact = bool_words(spec)
        probes += [p + w for w in true_exact + false_exact for p in (" ", "=", "'", "\ufeff")]
        probes += [w + " " for w in true_exact + false_exact]
    frame = pl.DataFrame({"t": probes}, schema={"t": pl.String})
    return bool(frame.select(reading.is_null().all()).item())


def raw_fast_value(raw: pl.Expr, spec: ColumnSpec, null_words: list[str]) -> pl.Expr | None:
    """`fast_value` of a raw cell, non-null only where `clean_text` keeps the cell as it is and it is
    no null word; None when the column has no such reading."""
    if spec.values or fast_value(raw, spec) is None:
        return None
    if spec.type == "bool":
        true_exact, false_exact = bool_words(spec)
        variants = set(null_variants(tuple(null_words)) or ())
        clean = [w for w in true_exact + false_exact if w not in variants and w == w.strip()]
        clean = [w for w in clean if not w.startswith(TRICK_STARTS)]
        if len(clean) != len(true_exact) + len(false_exact):
            return None
    if not _fast_safe(spec, tuple(null_words)):
        return None
    return fast_value(raw, spec)


General = Callable[[pl.Expr], pl.Expr]


def general_where_needed(parts: dict[str, tuple[str, General]], name: str) -> pl.Expr:
    """A struct column `name` holding, for each `field: (input column, general)`, `general` of the
    input, computed batch by batch and only for inputs that hold a value in the batch.

    The inputs are the cells the cheap readings left (null elsewhere): on a clean export, all null.
    The general parsers are large expressions that use sub-expressions several times, and Polars
    evaluates every node even over a column of nulls, which would cost more than the cheap reading
    itself. One Python call per batch decides for all columns at once.
    """
    empty = pl.DataFrame(schema={"t": pl.String})
    dtypes = {field: empty.select(general(pl.col("t"))).dtypes[0] for field, (_, general) in parts.items()}

    def run(batch: pl.Series) -> pl.Series:
        inputs = batch.struct.unnest()
        out: dict[str, pl.Series] = {}
        for field, (_, general) in parts.items():
            column = inputs[field]
            if column.null_count() == column.len():
                out[field] = pl.repeat(None, column.len(), dtype=dtypes[field], eager=True)
            else:
                out[field] = column.to_frame("t").select(general(pl.col("t"))).to_series()
        return pl.DataFrame(out).to_struct(name)

    inputs = pl.struct([pl.col(column).alias(field) for field, (column, _) in parts.items()])
    return inputs.map_batches(run, return_dtype=pl.Struct(dtypes), is_elementwise=True).alias(name)


def parse_value(text: pl.Expr, spec: ColumnSpec, default_tz: str | None) -> pl.Expr:
    """`parse_column(text, spec, default_tz)`, running the general parser only where `fast_value`
    has nothing. (In a query, `parse_stages` does the same faster.)"""
    fast = fast_value(text, spec)
    if fast is None:
        return parse_column(text, spec, default_tz)
    rest = pl.when(fast.is_null()).then(text)
    return pl.coalesce(fast, parse_column(rest, spec, default_tz))


def _parse_with(text: pl.Expr, spec: ColumnSpec, default_tz: str | None) -> pl.Expr:
    return parse_column(text, spec, default_tz)


def parse_stages(
    columns: dict[str, tuple[str, ColumnSpec]], default_tz: str | None
) -> tuple[list[list[pl.Expr]], dict[str, pl.Expr], list[str]]:
    """For each `output: (text column, spec)`: `with_columns` stages writing the cheap reading and
    the general parse of the cells it leaves (helper columns), the expression of the value from
    them (cell by cell `parse_column` of the text), and the helpers to drop afterwards."""
    readings: list[pl.Expr] = []
    rests: list[pl.Expr] = []
    parts: dict[str, tuple[str, General]] = {}
    values: dict[str, pl.Expr] = {}
    helpers: list[str] = []
    general = "_parse__general"
    for output, (text_name, spec) in columns.items():
        text = pl.col(text_name)
        fast = fast_value(text, spec)
        if fast is None:
            values[output] = parse_column(text, spec, default_tz)
            continue
        cheap, rest = f"{output}__fast", f"{output}__rest"
        helpers += [cheap, rest]
        readings.append(fast.alias(cheap))
        rests.append(pl.when(pl.col(cheap).is_null()).then(text).alias(rest))
        parts[output] = (rest, functools.partial(_parse_with, spec=spec, default_tz=default_tz))
        values[output] = pl.coalesce(pl.col(cheap), pl.col(general).struct.field(output))
    if not parts:
        return [], values, helpers
    return [readings, rests, [general_where_needed(parts, general)]], values, [*helpers, general]


def cleaned_cell(raw: pl.Expr, null_words: list[str]) -> pl.Expr:
    """`clean_text` of a cell, null for a null word: what the general reading keeps of it."""
    text = clean_text(raw)
    return pl.when(text.str.to_lowercase().is_in(null_words)).then(None).otherwise(text)


def clean_stages(
    columns: dict[str, tuple[str, ColumnSpec]], null_words: list[str]
) -> tuple[list[list[pl.Expr]], list[str]]:
    """`with_columns` stages that write, for each `output: (raw column, spec)`, the cleaned text
    of the raw column, null for null words: cell by cell what `clean_text` and the null-word check
    give. Also the helper columns to drop afterwards.

    Stages, because Polars' streaming engine does not always share a sub-expression used twice:
    each stage reads the columns the previous one wrote.
    """
    first: list[pl.Expr] = []
    second: list[pl.Expr] = []
    third: list[pl.Expr] = []
    parts: dict[str, tuple[str, General]] = {}
    helpers: list[str] = []
    general = "_clean__general"
    for output, (raw_name, spec) in columns.items():
        raw = pl.col(raw_name)
        fast = raw_fast_value(raw, spec, null_words)
        if fast is not None:
            # Cells with a cheap reading are clean as they are; the rest go the general way.
            ok, rest = f"{output}__ok", f"{output}__rest"
            helpers += [ok, rest]
            first.append(fast.is_not_null().alias(ok))
            second.append(pl.when(~pl.col(ok)).then(raw).alias(rest))
            parts[output] = (rest, lambda t: cleaned_cell(t, null_words))
            cleaned = pl.col(general).struct.field(output)
            third.append(pl.when(pl.col(ok)).then(raw).otherwise(cleaned).alias(output))
            continue
        first.append(raw.str.strip_chars().alias(output))
        stripped = pl.col(output)
        tricky = pl.any_horizontal([stripped.str.starts_with(s) for s in TRICK_STARTS])
        second.append(pl.coalesce(clean_text(pl.when(tricky).then(stripped)), stripped).alias(output))
        text = pl.col(output)
        third.append(pl.when(is_null_word(text, null_words)).then(None).otherwise(text).alias(output))
    if parts:
        second.append(general_where_needed(parts, general))  # reads the rests: its own stage
        helpers.append(general)
        return [stage for stage in (first, second[:-1], second[-1:], third) if stage], helpers
    return [stage for stage in (first, second, third) if stage], helpers


# `^\s*(words)\s*[:：]?\s*$` (case-insensitive or not): the shape of the total-row pattern.
_ANCHORED_WORDS = re.compile(r"(\(\?i\))?\^\\s\*\(((?:[^()\\^$]|\\.)*)\)\\s\*\[:：\]\?\\s\*\$")
_LITERAL = r"[^\\()\[\]{}|+*?^$.]"
# Non-ASCII characters that a case-insensitive regex matches to an ASCII letter (checked over all
# of Unicode in the tests): the long s and the Kelvin sign.
_ASCII_FOLDS = {"s": "\u017f", "k": KELVIN_SIGN}


def _required_literal(alternative: str) -> str | None:
    """A text every match of `alternative` contains: the alternative itself when it is plain text,
    the longer side of one optional character (`sub-?total` → `total`), else None."""
    if re.fullmatch(f"{_LITERAL}+", alternative):
        return alternative
    optional = re.fullmatch(f"({_LITERAL}*){_LITERAL}\\?({_LITERAL}*)", alternative)
    if optional is None:
        return None
    return max(optional.groups(), key=len) or None


def _needles(words: str, caseless: bool) -> list[str] | None:
    """Texts of which every cell matching one of `words` (`a|b|c`) contains at least one, found by
    `str.contains_any` (ASCII-caseless when the pattern is): None when they cannot be listed."""
    needles: list[str] = []
    for alternative in words.split("|"):
        needle = _required_literal(alternative)
        if needle is None:
            return None
        if caseless and not all(c.isascii() or c.lower() == c.upper() for c in needle):
            return None  # `ascii_case_insensitive` would miss other cases of this letter
        needles.append(needle)
    if caseless:
        letters = "".join(needles).lower()
        needles += [fold for letter, fold in _ASCII_FOLDS.items() if letter in letters]
    return needles


def total_candidate(text: pl.Expr, pattern: str) -> pl.Expr:
    """True for every cell `total_text` may find a total label in (and a few more), at a fraction
    of its cost: for the usual anchored `^\\s*(words)...$` pattern, a literal search for the words
    (Aho-Corasick). Cleaning only cuts a cell down to a part of itself, so a cell without any of
    the words cannot match."""
    shape = _ANCHORED_WORDS.fullmatch(pattern)
    if shape is None:
        return text.is_not_null()
    caseless = shape.group(1) is not None
    needles = _needles(shape.group(2), caseless)
    if needles is None:
        candidate = text.str.contains((shape.group(1) or "") + f"({shape.group(2)})")
    else:
        candidate = text.str.contains_any(needles, ascii_case_insensitive=caseless)
    return candidate.fill_null(False)


def total_text(text: pl.Expr, pattern: str) -> pl.Expr:
    """`clean_text(text).str.contains(pattern).fill_null(False)`: whether a cell is a total label;
    the cleaning and the pattern run only on the cells `total_candidate` picks."""
    masked = pl.when(total_candidate(text, pattern)).then(text)
    return clean_text(masked).str.contains(pattern).fill_null(False)
