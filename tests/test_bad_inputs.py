"""The bad-input corpus: every case exits 2 with a message naming the file, the key and the row.

Each case is a folder under tests/data/bad/ (made by tests/data/make_export_fixtures.py) with a
`config.yaml` and the files it reads. The expected fragments are what a user needs to act:
which file (and line), which config key or column, what is wrong.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from csperf.cli import app

BAD = Path(__file__).resolve().parent / "data" / "bad"
STRICT = ["--strict"]

# case: (command, extra arguments, fragments that must all appear in the output)
CASES: dict[str, tuple[str, list[str], list[str]]] = {
    # files that cannot be read
    "empty_file": ("score", [], ["calls.csv: sources.calls: the file is empty"]),
    "only_blank_lines": ("score", [], ["calls.csv: sources.calls: no text in the first rows"]),
    "binary_file": ("score", [], ["calls.csv: sources.calls: looks like a binary file"]),
    "truncated_xlsx": ("score", [], ["calls.xlsx: sources.calls: cannot read as an Excel workbook"]),
    "xlsx_named_csv": ("score", [], ["calls.csv: sources.calls: is a zip file", "format: xlsx"]),
    "missing_file": ("score", [], ["calls.csv: sources.calls.path: no file matches"]),
    "mixed_encoding": ("score", [], ["calls.csv:5: sources.calls: not valid UTF-8", "mixed encodings"]),
    "unknown_encoding": ("score", [], ["calls.csv: sources.calls.encoding: unknown encoding 'utf-9'"]),
    "wrong_encoding_forced": (
        "score",
        [],
        ["calls.csv:1: sources.calls.encoding: not valid utf-8", "gb18030"],
    ),
    "bad_json": ("score", [], ["calls.json:2: sources.calls: not valid JSON"]),
    "json_not_objects": ("score", [], ["calls.json:1: sources.calls: a record is a int, not an object"]),
    "xlsx_wrong_sheet": (
        "score",
        [],
        ["calls.xlsx: sources.calls: sheet '通话' not found; sheets: 'Sheet1'"],
    ),
    "header_row_past_end": ("score", [], ["calls.csv: sources.calls: header_row 40 is past"]),
    # columns
    "wrong_delimiter": (
        "validate",
        [],
        ["calls.csv: column '坐席工号' (sources.calls.columns.agent_id) not found", 'set `delimiter: ";"`'],
    ),
    "duplicate_headers": (
        "score",
        [],
        [
            "calls.csv: column '通话时长' (sources.calls.columns.talk_s) appears 2 times (columns 2, 5)",
            "from: 2",
        ],
    ),
    "missing_column": (
        "validate",
        [],
        ["calls.csv: column '是否接通' (sources.calls.columns.answered) not found", "closest: '是否接听'"],
    ),
    # rows (named with their line under --strict)
    "mixed_types": (
        "score",
        STRICT,
        ["calls.csv:3: sources.calls: talk_s (通话时长): not a valid duration", "'abc'"],
    ),
    "negative_duration": (
        "score",
        STRICT,
        ["calls.csv:5: sources.calls: talk_s (通话时长): negative duration"],
    ),
    "dates_two_formats": (
        "score",
        STRICT,
        ["calls.csv:3: sources.calls: day (日期): not a valid date", "08/10/2026"],
    ),
    "bad_bool": (
        "score",
        STRICT,
        ["calls.csv:5: sources.calls: answered (是否接通): not a valid bool", "'maybe'"],
    ),
    "empty_agent": ("score", STRICT, ["calls.csv:3: sources.calls: agent_id: empty"]),
    "unterminated_quote": (
        "score",
        STRICT,
        ["calls.csv:3: sources.calls: talk_s (通话时长): not a valid duration"],
    ),
    "extract_no_match": (
        "score",
        STRICT,
        ["Master.csv:2: sources.cdr: agent_id (dstchannel): does not match the `extract` pattern"],
    ),
    "datetime_garbage": (
        "score",
        STRICT,
        ["cdr.csv:5: sources.calls: start_ts (开始时间): not a valid datetime"],
    ),
    "lookup_miss": ("score", STRICT, ["details.csv:3: sources.details: agent_id: no row of source `calls`"]),
    "header_only": ("score", STRICT, ["complaints.csv: sources.complaints: no data rows (header only)"]),
    # agents
    "unknown_agent": ("score", STRICT, ["roster.csv: roster.agent_id:", "'A2'", "not in the roster"]),
    "alias_conflict": ("score", [], ["roster.csv: roster.aliases: alias 'Zhang' belongs to both A1 and A2"]),
    # config
    "weights_not_summing": (
        "validate",
        [],
        ["config.yaml:22: scorecards.main.categories.all.metrics: weights sum to 90, not 100"],
    ),
    "circular_extends": ("validate", [], ["config.yaml:1: extends: circular extends", "b.yaml"]),
    "misspelt_key": (
        "validate",
        [],
        ["config.yaml:5: sources.calls.dedupe_kep: unknown key; did you mean `dedupe_keep`?"],
    ),
    "unknown_preset": ("validate", [], ["config.yaml:5: sources.calls.preset: unknown preset `asterisk`"]),
    "unknown_measure": (
        "validate",
        [],
        ["config.yaml:15: metrics.answer_rate.ratio.0: unknown measure `answerd`"],
    ),
    "yaml_syntax": ("validate", [], ["config.yaml:12: invalid YAML"]),
    "bad_extract_regex": (
        "validate",
        [],
        ["config.yaml:6: sources.calls.columns.agent_id.extract: invalid regular expression"],
    ),
    "fill_down_unknown": (
        "validate",
        [],
        ["config.yaml:5: sources.calls.fill_down.0: `agnet_id` is not a column"],
    ),
    "agent_from_unknown_source": (
        "validate",
        [],
        [
            "config.yaml:8: sources.details.agent_from.source: `call` is not another source",
            "did you mean `calls`?",
        ],
    ),
    "bad_type_literal": (
        "validate",
        [],
        ["config.yaml:7: sources.calls.columns.talk_s.type:", "(got 'duraton')"],
    ),
    "where_unknown_column": ("validate", [], ["config.yaml:5: sources.calls.where: `agnet` is not a column"]),
    "empty_config": ("validate", [], ["config.yaml:1: the config is empty"]),
    "three_mistakes": (
        "validate",
        [],
        [
            "config.yaml:5: sources.calls.dedupe_kep: unknown key",
            "config.yaml:23: scorecards.main.categories.all.metrics: weights sum to 90",
            "calls.csv: column '通话时长' (sources.calls.columns.talk_s) not found",
        ],
    ),
}


def test_the_corpus_has_at_least_thirty_cases_and_each_has_a_folder() -> None:
    assert len(CASES) >= 30
    assert sorted(CASES) == sorted(p.name for p in BAD.iterdir() if p.is_dir())


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input_exits_2_with_a_message_naming_file_and_key(case: str) -> None:
    command, extra, fragments = CASES[case]
    folder = BAD / case
    result = CliRunner().invoke(app, [command, str(folder / "config.yaml"), "--data", str(folder), *extra])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert "internal error" not in result.output
    for fragment in fragments:
        assert fragment in result.output, f"{fragment!r} not in:\n{result.output}"


def test_header_only_is_a_warning_without_strict() -> None:
    folder = BAD / "header_only"
    result = CliRunner().invoke(app, ["score", str(folder / "config.yaml"), "--data", str(folder)])
    assert result.exit_code == 0, result.output
    assert (
        "warning: " in result.output and "complaints.csv: sources.complaints: no data rows" in result.output
    )


def test_rejected_rows_are_not_fatal_without_strict() -> None:
    folder = BAD / "mixed_types"
    result = CliRunner().invoke(app, ["score", str(folder / "config.yaml"), "--data", str(folder)])
    assert result.exit_code == 0, result.output
    assert "1 rejected (talk_s (通话时长): not a valid duration: 1)" in result.output
