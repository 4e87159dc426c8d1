"""Keyword and phrase rules over call transcripts and chat text (`text_rules:`).

A rule scans one text column of a source and adds columns to that source's rows, so measures can
count them like any other column (`where: "forbidden_hit"`):

* `<rule>_hit`      bool: `match: any` — a term or pattern was found; `match: all` — every one was
* `<rule>_hits`     int:  `any` — number of matches; `all` — number of the required items found
* `<rule>_terms`    str:  the distinct terms/patterns found (most severe first, then config order)
* `<rule>_severity` str:  the highest severity among the items found (`any`) or missing (`all`)
* `<rule>_missing`  str:  (`all` only) the required items not found
* `<rule>_<level>_hit` bool: (`any` only) an item of that severity level was found

Matching is vectorised and lazy, in the pipeline's single pass over the files: one width-folding
pass per text column (which also marks speaker turns), one pass for all terms of a rule (an
escaped regex alternation, or `str.extract_many` for very long lists), one per pattern. Terms never
overlap: the text is read left to right and at each place the longest listed term (or exception)
wins (`保证收益` is one match of 保证收益, not also one of 保证). Full-width ASCII (`１００％`) counts
as half-width and letters match regardless of case, unless the rule turns these off.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import polars as pl
from pydantic import Field, field_validator, model_validator

from csperf.model_base import Label, Language, Strict

if TYPE_CHECKING:
    from pathlib import Path

    from csperf.config import Config, LoadedConfig
    from csperf.pipeline import ScoreResult
    from csperf.sources import SourceFrame

Severity = Literal["warn", "serious", "red_line"]
SEVERITIES: tuple[Severity, ...] = ("warn", "serious", "red_line")
Path_ = tuple[str, ...]  # a key path below a rule, for messages
RANK = {name: i for i, name in enumerate(SEVERITIES)}
SEPARATOR = ", "
SNIP = "\x1f"  # unit separator: marks the first match while cutting an excerpt
TURN_MARK = "\x1e"  # record separator: marks where a speaker turn starts while splitting turns
REGEX_TERMS_LIMIT = 50_000  # characters of the terms' alternation (the regex size limit is near 200k)
NAME_PATTERN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

# Full-width ASCII (U+FF01..U+FF5E), the ideographic space and the full-width signs U+FFE0..FFE6.
WIDTH_FOLD: dict[str, str] = {chr(c): chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F)}
WIDTH_FOLD |= {"\u3000": " ", "\uffe0": "¢", "\uffe1": "£", "\uffe2": "¬", "\uffe4": "¦", "\uffe5": "¥"}
WIDTH_FOLD |= {"\uffe6": "₩"}  # (U+FFE3 ￣ is left alone: its compatibility form is two characters)
_WIDTH_TABLE = str.maketrans(WIDTH_FOLD)

# The hits table (`ScoreResult.text_hits`, `--hits FILE.csv`), then `file` and `row` of the source row.
HIT_COLUMNS = ["source", "rule", "severity", "agent_id", "id", "time", "hits", "terms", "missing", "snippet"]
# Column titles (en, zh) of the workbook's evidence sheet, in order.
EVIDENCE_TITLES = {
    "agent_id": ("Agent", "工号"),
    "label": ("Rule", "规则"),
    "severity": ("Severity", "级别"),
    "id": ("Call / session", "通话/会话"),
    "time": ("Time", "时间"),
    "terms": ("Found", "命中词"),
    "missing": ("Missing", "缺失项"),
    "hits": ("Hits", "命中次数"),
    "snippet": ("Excerpt", "上下文"),
    "file": ("File", "文件"),
    "row": ("Row", "行号"),
}
EVIDENCE_KEYS = ["source", "rule", "label", "severity", "agent_id", "id", "time", "hits", "terms"]
EVIDENCE_KEYS += ["missing", "snippet", "file", "row"]


# --- config models -------------------------------------------------------------------------------


class SpeakerFilter(Strict):
    """Count only one side of the conversation.

    Either `column` + `values` (one row per turn, a column naming who spoke), or `tags` +
    `other_tags` (one row per call, turns labelled inline as in `坐席:您好 客户:喂`).
    """

    column: str | None = None
    values: list[str] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)
    other_tags: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _one_layout(self) -> SpeakerFilter:
        if (self.column is None) == (not self.tags):
            raise ValueError(
                "give either `column:` and `values:` (a speaker column) or `tags:` and `other_tags:` "
                "(speaker labels inside the text)"
            )
        if self.column is not None and not self.values:
            raise ValueError("`column:` needs `values:`, the speaker column's values for this side")
        if self.tags and not self.other_tags:
            raise ValueError("`tags:` needs `other_tags:`, the other side's labels (where a turn ends)")
        if any(not t.strip() for t in [*self.tags, *self.other_tags]):
            raise ValueError("speaker tags must not be empty")
        return self


# A list (all at the rule's `severity`) or lists by severity: {serious: [...], red_line: [...]}.
TermList = list[str] | dict[str, list[str]]


class TextRule(Strict):
    """Words, phrases and regular expressions looked for in one text column of a source."""

    source: str
    column: str
    label: Label | None = None
    description: str | None = None
    match: Literal["any", "all"] = "any"
    severity: Severity = "warn"
    terms: TermList = Field(default_factory=list)
    patterns: TermList = Field(default_factory=list)
    exceptions: list[str] = Field(default_factory=list)
    speaker: SpeakerFilter | None = None
    ignore_case: bool = True
    fold_width: bool = True
    id: str | None = None
    snippet: int = Field(default=12, ge=0, le=200)
    evidence: bool = True

    @field_validator("terms", "patterns")
    @classmethod
    def _known_levels(cls, value: TermList) -> TermList:
        if isinstance(value, dict):
            unknown = [key for key in value if key not in SEVERITIES]
            if unknown:
                raise ValueError(
                    f"unknown severity {', '.join(map(repr, unknown))}; use {', '.join(SEVERITIES)}"
                )
        lists = value.values() if isinstance(value, dict) else [value]
        if any(not text.strip() for texts in lists for text in texts):
            raise ValueError("an entry is empty; remove it")
        return value

    @model_validator(mode="after")
    def _something_to_find(self) -> TextRule:
        if not self.items():
            raise ValueError("give `terms:` or `patterns:` (or both)")
        if self.exceptions and self.match == "all":
            raise ValueError("`exceptions:` only applies to `match: any` rules")
        if any(not text.strip() for text in self.exceptions):
            raise ValueError("an exception is empty; remove it")
        terms = {self.term_key(item.text) for item in self.items() if item.kind == "term"}
        same = [text for text in self.exceptions if self.term_key(text) in terms]
        if same:
            raise ValueError(f"{', '.join(same)} is both a term and an exception; keep one")
        return self

    def items(self) -> list[Item]:
        """Every term, then every pattern, most severe level first, else in config order.

        A term listed twice (also in another width or case) is kept once, at its first place.
        """
        found: list[Item] = []
        seen: set[str] = set()
        kinds: tuple[tuple[Literal["term", "pattern"], TermList], ...] = (
            ("term", self.terms),
            ("pattern", self.patterns),
        )
        for kind, listed in kinds:
            for severity, texts, path in _by_severity(listed, self.severity):
                for i, text in enumerate(texts):
                    key = self.term_key(text) if kind == "term" else f"pattern:{text}"
                    if key in seen:
                        continue
                    seen.add(key)
                    found.append(Item(len(found), kind, text, severity, (kind + "s", *path, i)))
        return found

    def fold(self, text: str) -> str:
        return text.translate(_WIDTH_TABLE) if self.fold_width else text

    def term_key(self, term: str) -> str:
        """The term as matched: width-folded, and lower-cased when case is ignored."""
        folded = self.fold(term)
        return folded.lower() if self.ignore_case else folded


@dataclass(frozen=True)
class Item:
    """One term or pattern of a rule; `index` is its position in `TextRule.items()`."""

    index: int
    kind: Literal["term", "pattern"]
    text: str
    severity: Severity
    path: tuple[str | int, ...]


def _by_severity(listed: TermList, default: Severity) -> Iterable[tuple[Severity, list[str], Path_]]:
    if isinstance(listed, dict):
        for severity in reversed(SEVERITIES):  # most severe first: found terms are listed that way
            if severity in listed:
                yield severity, listed[severity], (severity,)  # the validator rejected other keys
    else:
        yield default, listed, ()


# --- names of the added columns ------------------------------------------------------------------


def rule_columns(name: str, rule: TextRule) -> list[str]:
    """The columns a rule adds to its source's rows."""
    columns = [f"{name}_hit", f"{name}_hits", f"{name}_terms", f"{name}_severity"]
    if rule.match == "all":
        return [*columns, f"{name}_missing"]
    levels = {item.severity for item in rule.items()}
    return columns + [f"{name}_{level}_hit" for level in SEVERITIES if level in levels]


def text_rule_columns(config: Config, source_name: str) -> set[str]:
    """Columns the text rules of `source_name` add to it (for checking measure expressions)."""
    columns: set[str] = set()
    for name, rule in config.text_rules.items():
        if rule.source == source_name:
            columns.update(rule_columns(name, rule))
    return columns


def rules_of(config: Config, source_name: str) -> dict[str, TextRule]:
    return {name: rule for name, rule in config.text_rules.items() if rule.source == source_name}


# --- matching ------------------------------------------------------------------------------------


def fold_width(text: pl.Expr) -> pl.Expr:
    """Full-width ASCII → half-width, vectorised (one Aho-Corasick pass)."""
    return text.str.replace_many(list(WIDTH_FOLD), list(WIDTH_FOLD.values()))


def prepared_text(rule: TextRule, folded: pl.Expr | None = None) -> pl.Expr:
    """The text the rule reads: folded, and only this speaker's turns when `speaker:` says so.

    Null where the rule does not apply (no text, or a row of the other speaker). `folded` is the
    rule's column already width-folded, to share that work between rules; speaker tags instead
    fold and mark the turns in the same pass (one Aho-Corasick replace over the text, not two).
    """
    speaker = rule.speaker
    text = folded if folded is not None else _column_text(rule)
    if speaker is None:
        return text
    if speaker.column is not None:
        said_by = pl.col(speaker.column).cast(pl.String).str.strip_chars().is_in(speaker.values)
        return pl.when(said_by.fill_null(False)).then(text).otherwise(None)
    keep = sorted({rule.fold(t) for t in speaker.tags}, key=len, reverse=True)
    every = sorted({rule.fold(t) for t in [*speaker.tags, *speaker.other_tags]}, key=len, reverse=True)
    patterns: dict[str, str] = {}
    for tag in every:  # every width spelling of a label marks a turn and is written folded
        for spelling in _width_spellings(tag) if rule.fold_width else [tag]:
            patterns.setdefault(spelling, TURN_MARK + tag)
    if rule.fold_width:
        patterns |= {c: h for c, h in WIDTH_FOLD.items() if c not in patterns}
    ordered = sorted(patterns, key=len, reverse=True)  # labels before single characters
    raw = pl.col(rule.column).cast(pl.String)
    marked = raw.str.replace_many(ordered, [patterns[k] for k in ordered], leftmost=True)
    starts = pl.any_horizontal([pl.element().str.starts_with(t) for t in keep])
    turn = pl.element()
    for tag in keep:
        turn = turn.str.strip_prefix(tag)
    # Text before the first label belongs to nobody and is dropped with the other side's turns.
    return marked.str.split(TURN_MARK).list.eval(turn.filter(starts)).list.join("\n")


def _width_spellings(text: str, limit: int = 64) -> list[str]:
    """A (folded) label in every mix of half- and full-width characters, at most `limit` of them."""
    spellings = [""]
    for char in text:
        options = [char] + [full for full, half in WIDTH_FOLD.items() if half == char]
        spellings = [s + o for s in spellings for o in options][:limit]
    return spellings


def _column_text(rule: TextRule) -> pl.Expr:
    text = pl.col(rule.column).cast(pl.String)
    return fold_width(text) if rule.fold_width else text


def _view_key(rule: TextRule) -> tuple[str, bool, str]:
    """Rules with the same key read the same prepared text (computed once)."""
    speaker = rule.speaker.model_dump_json() if rule.speaker is not None else ""
    return rule.column, rule.fold_width, speaker


EXCEPTION = -1  # the index an exception phrase maps to; its matches are dropped


def _index_map(rule: TextRule) -> dict[str, int]:
    indices = {rule.term_key(text): EXCEPTION for text in rule.exceptions}
    indices |= {rule.term_key(item.text): item.index for item in rule.items() if item.kind == "term"}
    return indices


def _term_patterns(rule: TextRule, exceptions: bool = True) -> list[str]:
    """Folded terms (and exceptions), longest first, so leftmost-first matching is leftmost-longest."""
    keys = {rule.fold(item.text): None for item in rule.items() if item.kind == "term"}
    if exceptions and rule.match == "any":
        keys |= {rule.fold(text): None for text in rule.exceptions}
    return sorted(keys, key=len, reverse=True)


def _pattern(rule: TextRule, item: Item) -> str:
    return f"(?i){item.text}" if rule.ignore_case else item.text


def _term_regex(rule: TextRule) -> str | None:
    """All terms as one regular expression (an escaped alternation, longest first), if not huge."""
    terms = _term_patterns(rule)
    alternation = "|".join(re.escape(t) for t in terms)
    if not terms or len(alternation) > REGEX_TERMS_LIMIT:
        return None
    return ("(?i)" if rule.ignore_case else "") + alternation


def _matching(name: str, rule: TextRule, text: pl.Expr) -> tuple[list[pl.Expr], pl.Expr, pl.Expr]:
    """The text passes of one rule, then (from their columns) the found items and the match count.

    Returns the pass expressions (working columns `__<rule>__*`, to compute in one stage), the
    distinct found item indices (sorted) and the total number of matches. The passes are separate
    columns so that each scan of the text runs once: Polars does not share a sub-expression used
    by two output columns.

    `any`: the terms are found in one pass, non-overlapping, leftmost-longest. A regex alternation
    (`str.extract_all`; the regex engine turns literal alternations into a SIMD / Aho-Corasick
    prefilter) measured faster than `str.extract_many` here and folds case beyond ASCII; very long
    term lists fall back to `str.extract_many`. `all`: one `str.contains` per item, so each required
    term is found on its own, even inside another one; the count is of items found.
    """
    passes: list[pl.Expr] = []
    parts: list[pl.Expr] = []
    matches: list[pl.Expr] = []
    terms = _term_patterns(rule)
    if rule.match == "any" and terms:
        regex = _term_regex(rule)
        if regex is not None:
            found = text.str.extract_all(regex)
        else:
            found = text.str.extract_many(terms, ascii_case_insensitive=rule.ignore_case, leftmost=True)
        key = pl.element().str.to_lowercase() if rule.ignore_case else pl.element()
        indices = found.list.eval(key.replace_strict(_index_map(rule), default=None, return_dtype=pl.Int32))
        if rule.exceptions:  # an exception phrase took the place; it is not a hit
            indices = indices.list.eval(pl.element().filter(pl.element() != EXCEPTION))
        passes.append(indices.fill_null([]).alias(f"__{name}__terms"))
        parts.append(pl.col(f"__{name}__terms"))
        matches.append(pl.col(f"__{name}__terms").list.len())
    for item in rule.items():
        if item.kind == "pattern" and rule.match == "any":
            count = text.str.count_matches(_pattern(rule, item)).fill_null(0)
        elif item.kind == "pattern":
            count = text.str.contains(_pattern(rule, item)).fill_null(False).cast(pl.Int64)
        elif rule.match == "all":
            literal = re.escape(rule.fold(item.text))
            count = text.str.contains(f"(?i){literal}" if rule.ignore_case else literal).fill_null(False)
            count = count.cast(pl.Int64)
        else:
            continue
        column = f"__{name}__item{item.index}"
        passes.append(count.cast(pl.Int64).alias(column))
        matches.append(pl.col(column))
        parts.append(pl.when(pl.col(column) > 0).then(pl.lit(item.index, dtype=pl.Int32)).otherwise(None))
    distinct = pl.concat_list(parts).list.drop_nulls().list.unique().list.sort()
    total = pl.sum_horizontal(matches).cast(pl.Int64)
    return passes, distinct, total


def _names(rule: TextRule, indices: pl.Expr) -> pl.Expr:
    names = {item.index: item.text for item in rule.items()}
    as_text = pl.element().replace_strict(names, return_dtype=pl.String)
    joined = indices.list.eval(as_text).list.join(SEPARATOR)
    return pl.when(indices.list.len() > 0).then(joined).otherwise(None)


def _top_severity(rule: TextRule, indices: pl.Expr) -> pl.Expr:
    ranks = {item.index: RANK[item.severity] for item in rule.items()}
    top = indices.list.eval(pl.element().replace_strict(ranks, return_dtype=pl.Int32)).list.max()
    return top.replace_strict(dict(enumerate(SEVERITIES)), default=None, return_dtype=pl.String)


def rule_stages(name: str, rule: TextRule, view: str | None = None) -> list[list[pl.Expr]]:
    """The expressions one rule adds, in three stages (each reads the columns of the ones before).

    1. the text passes (working columns), 2. `__<rule>__found` and `__<rule>__total`, 3. the rule's
    columns (see the module docstring). The prepared text is read from the column `view`
    (default `__text_<rule>`). Every working column starts with `__<rule>__`.
    """
    text = pl.col(view or f"__text_{name}")
    applies = text.is_not_null()
    passes, found, total = _matching(name, rule, text)
    found_col = pl.col(f"__{name}__found")
    if rule.match == "any":
        exprs = [
            ((found_col.list.len() > 0) & applies).fill_null(False).alias(f"{name}_hit"),
            pl.when(applies).then(pl.col(f"__{name}__total")).otherwise(0).alias(f"{name}_hits"),
            _names(rule, found_col).alias(f"{name}_terms"),
            _top_severity(rule, found_col).alias(f"{name}_severity"),
        ]
        for level in SEVERITIES:
            at_level = [item.index for item in rule.items() if item.severity == level]
            if at_level:
                level_hit = found_col.list.eval(pl.element().is_in(at_level)).list.any()
                exprs.append(level_hit.fill_null(False).alias(f"{name}_{level}_hit"))
    else:
        every = pl.lit([item.index for item in rule.items()], dtype=pl.List(pl.Int32))
        missing = every.list.set_difference(found_col).list.sort()
        # Rows the rule does not apply to (no text, other speaker) are neither complete nor missing.
        exprs = [
            pl.when(applies).then(missing.list.len() == 0).otherwise(None).alias(f"{name}_hit"),
            pl.when(applies).then(found_col.list.len()).otherwise(0).cast(pl.Int64).alias(f"{name}_hits"),
            _names(rule, found_col).alias(f"{name}_terms"),
            pl.when(applies).then(_top_severity(rule, missing)).otherwise(None).alias(f"{name}_severity"),
            pl.when(applies).then(_names(rule, missing)).otherwise(None).alias(f"{name}_missing"),
        ]
    return [passes, [found.alias(f"__{name}__found"), total.alias(f"__{name}__total")], exprs]


def apply_text_rules(frame: pl.LazyFrame, config: Config, source_name: str) -> pl.LazyFrame:
    """Add the columns of every text rule on `source_name` to its rows (lazily, one pass)."""
    rules = rules_of(config, source_name)
    if not rules:
        return frame
    # Fold each text column once, cut each speaker view once, whatever the number of rules.
    folds: dict[str, str] = {}
    views: dict[tuple[str, bool, str], str] = {}
    view_exprs: list[pl.Expr] = []
    for rule in rules.values():
        if _view_key(rule) in views:
            continue
        views[_view_key(rule)] = view = f"__view_{len(views)}"
        folded = None
        if rule.fold_width and not (rule.speaker and rule.speaker.tags):  # tags fold as they cut
            folded = pl.col(folds.setdefault(rule.column, f"__fold_{len(folds)}"))
        view_exprs.append(prepared_text(rule, folded).alias(view))
    frame = frame.with_columns(fold_width(pl.col(c).cast(pl.String)).alias(f) for c, f in folds.items())
    frame = frame.with_columns(view_exprs)
    stages: list[list[pl.Expr]] = [[], [], []]
    for name, rule in rules.items():
        for stage, exprs in zip(stages, rule_stages(name, rule, views[_view_key(rule)]), strict=True):
            stage += exprs
    for stage in stages:
        frame = frame.with_columns(stage)
    working = [*folds.values(), *views.values()]
    working += [e.meta.output_name() for stage in stages[:2] for e in stage]
    return frame.drop(working)


# --- evidence ------------------------------------------------------------------------------------


def _flagged(name: str, rule: TextRule) -> pl.Expr:
    hit = pl.col(f"{name}_hit")
    return hit.fill_null(False) if rule.match == "any" else (~hit).fill_null(False)


def _snippet(name: str, rule: TextRule) -> pl.Expr:
    """A short excerpt around the first match (any rules); the text start for missing steps.

    The first match is wrapped in marks by one regex replace and the text split there, so that
    the context is cut by characters (`str.slice`), not bytes. (A regex with `.{0,12}` around the
    terms is simpler but 100 times slower: it defeats the literal prefilter.)
    """
    text = pl.col(f"__text_{name}")
    if rule.snippet == 0:
        return pl.lit(None, dtype=pl.String)
    if rule.match == "all":
        excerpt = text.str.slice(0, rule.snippet * 3)
    else:
        parts = [re.escape(t) for t in _term_patterns(rule, exceptions=False)]
        parts += [f"(?:{item.text})" for item in rule.items() if item.kind == "pattern"]
        flags = "(?is)" if rule.ignore_case else "(?s)"
        marked = text.str.replace(f"{flags}({'|'.join(parts)})", f"{SNIP}${{1}}{SNIP}", n=1)
        pieces = marked.str.split(SNIP)
        around = (
            pieces.list.get(0).str.slice(-rule.snippet)
            + pieces.list.get(1)
            + pieces.list.get(2).str.slice(0, rule.snippet)
        )
        excerpt = pl.when(pieces.list.len() >= 3).then(around).otherwise(text.str.slice(0, rule.snippet * 3))
    return excerpt.str.replace_all(r"\s+", " ").str.strip_chars()


def _time_text(schema: pl.Schema, column: str | None) -> pl.Expr:
    if column is None or column not in schema:
        return pl.lit(None, dtype=pl.String)
    dtype = schema[column]
    if dtype == pl.Date:
        return pl.col(column).dt.to_string("%Y-%m-%d")
    if isinstance(dtype, pl.Datetime):
        return pl.col(column).dt.to_string("%Y-%m-%d %H:%M:%S")
    return pl.col(column).cast(pl.String)


def hits_query(config: Config, frames: dict[str, SourceFrame]) -> pl.LazyFrame | None:
    """One lazy table of every flagged row (hits of `any` rules, incomplete rows of `all` rules).

    Columns: HIT_COLUMNS plus `file` and `row` (where the row came from). Only rows the measures
    use are listed. Meant for the same `collect_all` as the measures.
    """
    from csperf.sources import FILE, ROW

    parts: list[pl.LazyFrame] = []
    for source_name, frame in frames.items():
        rules = rules_of(config, source_name)
        if not rules:
            continue
        used = frame.used()
        schema = used.collect_schema()
        timestamp = config.sources[source_name].timestamp
        for name, rule in rules.items():
            if not rule.evidence:
                continue
            reported = f"{name}_missing" if rule.match == "all" else f"{name}_terms"
            # The text column again: apply_text_rules dropped its working columns.
            part = used.filter(_flagged(name, rule)).with_columns(prepared_text(rule).alias(f"__text_{name}"))
            parts.append(
                part.select(
                    pl.lit(source_name).alias("source"),
                    pl.lit(name).alias("rule"),
                    pl.col(f"{name}_severity").alias("severity"),
                    pl.col("agent_id").cast(pl.String).alias("agent_id"),
                    _id_text(rule).alias("id"),
                    _time_text(schema, timestamp).alias("time"),
                    pl.col(f"{name}_hits").alias("hits"),
                    pl.col(f"{name}_terms").alias("terms"),
                    (pl.col(reported) if rule.match == "all" else pl.lit(None, dtype=pl.String)).alias(
                        "missing"
                    ),
                    _snippet(name, rule).alias("snippet"),
                    pl.col(FILE).alias("file"),
                    pl.col(ROW).alias("row"),
                    _sort_time(schema, timestamp).alias("__when"),
                )
            )
    if not parts:
        return None
    rank = pl.col("severity").replace_strict(RANK, default=-1, return_dtype=pl.Int32)
    return (
        pl.concat(parts, how="vertical")
        .sort(
            ["agent_id", rank, "__when", "file", "row", "rule"],
            descending=[False, True, False, False, False, False],
        )
        .drop("__when")
    )


def _id_text(rule: TextRule) -> pl.Expr:
    return pl.col(rule.id).cast(pl.String) if rule.id else pl.lit(None, dtype=pl.String)


def _sort_time(schema: pl.Schema, column: str | None) -> pl.Expr:
    if column is None or column not in schema:
        return pl.lit(None, dtype=pl.Datetime("us"))
    return pl.col(column).cast(pl.Datetime("us"))


def empty_hits() -> pl.DataFrame:
    schema: dict[str, Any] = dict.fromkeys(HIT_COLUMNS, pl.String)
    schema |= {"hits": pl.Int64, "file": pl.String, "row": pl.Int64}
    return pl.DataFrame(schema=schema)


def evidence_rows(result: ScoreResult, agent_id: str, limit: int = 10) -> list[dict[str, Any]]:
    """The flagged rows of one agent, most severe first, then by time; at most `limit` rows.

    Each row: source, rule, label, severity, agent_id, id, time, hits, terms, missing, snippet,
    file, row. Empty when the config has no text rules or the agent has no flagged rows.
    """
    table = getattr(result, "text_hits", None)
    if table is None or limit <= 0:
        return []
    rows = table.filter(pl.col("agent_id") == agent_id).head(limit).to_dicts()
    language = result.config.language
    from csperf.model_base import label_text

    for row in rows:
        rule = result.config.text_rules.get(row["rule"])
        label = label_text(rule.label if rule else None, language, row["rule"])
        row["label"] = label
    return [{k: row.get(k) for k in EVIDENCE_KEYS} for row in rows]


def evidence_table(
    result: ScoreResult, per_agent: int = 10, language: Language | None = None
) -> list[dict[str, Any]]:
    """Every agent's flagged rows, at most `per_agent` each (most severe first), for the workbook."""
    from csperf.model_base import label_text

    table = getattr(result, "text_hits", None)
    if table is None or per_agent <= 0:
        return []
    capped = table.filter(pl.int_range(pl.len()).over("agent_id") < per_agent)
    lang = language or result.config.language
    labels = {name: label_text(rule.label, lang, name) for name, rule in result.config.text_rules.items()}
    rows = capped.with_columns(pl.col("rule").replace_strict(labels, default=pl.col("rule")).alias("label"))
    return [{k: row.get(k) for k in EVIDENCE_KEYS} for row in rows.to_dicts()]


def evidence_counts(result: ScoreResult, agent_id: str) -> dict[str, int]:
    """How many flagged rows one agent has per rule (to say "10 of 37 shown")."""
    table = getattr(result, "text_hits", None)
    if table is None:
        return {}
    counts = table.filter(pl.col("agent_id") == agent_id).group_by("rule").len()
    found = dict(counts.iter_rows())
    return {name: int(found.get(name, 0)) for name in result.config.text_rules if name in found}


def hit_rows(result: ScoreResult) -> list[dict[str, Any]]:
    """Every flagged row, for `csperf score --hits FILE.csv`."""
    table = getattr(result, "text_hits", None)
    return [] if table is None else table.to_dicts()


# --- config checks (csperf.rules.check_text_rules) -----------------------------------------------


def regex_error(pattern: str) -> str | None:
    """Polars' (Rust regex) complaint about a pattern, or None when it compiles."""
    try:
        pl.select(pl.lit("", dtype=pl.String).str.contains(pattern))
    except pl.exceptions.PolarsError as exc:
        lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
        reason = next((line.removeprefix("error: ") for line in lines if line.startswith("error:")), None)
        return reason or (lines[0].removeprefix("regex error: ") if lines else type(exc).__name__)
    return None


def text_rule_problems(loaded: LoadedConfig) -> list[str]:
    """Every problem of `text_rules:`, as `file:line: key.path: ...`."""
    import difflib

    from csperf.rules import source_columns

    def suggest(name: str, options: Iterable[str]) -> str:
        close = difflib.get_close_matches(name, list(options), n=1)
        return f"; did you mean `{close[0]}`?" if close else ""

    config = loaded.config
    problems: list[str] = []
    produced: set[tuple[str, str]] = set()
    for name, rule in config.text_rules.items():
        base = ("text_rules", name)
        if not NAME_PATTERN.match(name):
            problems.append(
                f"{loaded.where(*base)}: rule names become column names in SQL (`{name}_hit`); use "
                "letters, digits and _ only, starting with a letter (e.g. forbidden_words)"
            )
        if rule.source not in config.sources:
            problems.append(
                f"{loaded.where(*base, 'source')}: unknown source `{rule.source}`"
                f"{suggest(rule.source, config.sources)}"
            )
            continue
        columns = source_columns(config, rule.source, text_rules=False)
        what = f"is not a column of source `{rule.source}`"
        for key, value in (("column", rule.column), ("id", rule.id)):
            if value is not None and value not in columns:
                problems.append(f"{loaded.where(*base, key)}: `{value}` {what}{suggest(value, columns)}")
        if rule.column in columns:
            from csperf.sources import source_specs

            spec = source_specs(config, config.sources[rule.source]).get(rule.column)
            if spec is not None and spec.type != "str":
                problems.append(
                    f"{loaded.where(*base, 'column')}: `{rule.column}` is read as {spec.type}; "
                    "a text rule needs a text column (type: str)"
                )
        speaker = rule.speaker.column if rule.speaker is not None else None
        if speaker is not None and speaker not in columns:
            problems.append(
                f"{loaded.where(*base, 'speaker', 'column')}: `{speaker}` {what}{suggest(speaker, columns)}"
            )
        for item in rule.items():
            if item.kind != "pattern":
                continue
            error = regex_error(_pattern(rule, item))
            if error is not None:
                problems.append(
                    f"{loaded.where(*base, *item.path)}: invalid regular expression {item.text!r}: {error}; "
                    "fix it (Rust regex syntax: no look-around or back-references)"
                )
            elif rule.fold_width and rule.fold(item.text) != item.text:
                problems.append(
                    f"{loaded.where(*base, *item.path)}: the pattern has full-width characters, which never "
                    "match the width-folded text; write them half-width (escape ( ) as \\( \\)) or set "
                    "fold_width: false"
                )
        for column in rule_columns(name, rule):
            if column in columns:
                problems.append(
                    f"{loaded.where(*base)}: the rule adds the column `{column}`, which source "
                    f"`{rule.source}` already has; rename the rule"
                )
            elif (rule.source, column) in produced:
                problems.append(
                    f"{loaded.where(*base)}: the rule adds the column `{column}`, which another rule on "
                    f"`{rule.source}` adds too; rename one of them"
                )
            produced.add((rule.source, column))
    return problems


def write_hits(result: ScoreResult, path: Path) -> int:
    """Write every flagged row as CSV (`csperf score --hits FILE.csv`), atomically; returns the count.

    The header is written even when nothing was flagged, so a scheduled job finds the file.
    """
    import csv

    from csperf.errors import CsperfError
    from csperf.reports.atomic import atomic_path, neutralise

    if not result.config.text_rules:
        raise CsperfError(f"{path}: --hits: the config has no `text_rules:`; see docs/text_rules.md")
    rows = hit_rows(result)
    columns = [*HIT_COLUMNS, "file", "row"]
    with atomic_path(path) as temporary, temporary.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        for row in rows:
            writer.writerow(["" if row.get(c) is None else neutralise(row.get(c)) for c in columns])
    return len(rows)


def evidence_lines(rows: list[dict[str, Any]], counts: dict[str, int]) -> list[str]:
    """Plain-text evidence for `csperf explain`: flagged rows per rule, then the capped row list."""
    import unicodedata

    if not counts:
        return []

    def width(text: str) -> int:
        return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)

    def pad(text: str, size: int) -> str:
        return text + " " * max(0, size - width(text))

    total = sum(counts.values())
    shown = f"{len(rows)} of {total} shown" if len(rows) < total else f"all {total} shown"
    lines = ["", f"Text rules ({shown}; every row: csperf score --hits FILE.csv)"]
    lines.append("  flagged rows: " + " · ".join(f"{name} {n}" for name, n in counts.items()))
    table = [["severity", "rule", "id", "time", "found / missing", "excerpt"]]
    for row in rows:
        found = f"missing: {row['missing']}" if row.get("missing") else str(row.get("terms") or "")
        cells = [
            row.get("severity"),
            row.get("rule"),
            row.get("id"),
            row.get("time"),
            found,
            row.get("snippet"),
        ]
        table.append(["" if c is None else str(c) for c in cells])
    sizes = [max(width(r[i]) for r in table) for i in range(len(table[0]))]
    lines += [("  " + "  ".join(pad(c, sizes[i]) for i, c in enumerate(r))).rstrip() for r in table]
    return lines
