"""`text_rules:` — keyword and phrase rules over transcripts, as measures, evidence and gates.

The fixture (tests/data/text/) is small enough to count by hand; the counts are written out next
to each test. Matching semantics are also checked against a plain-Python scanner (hypothesis).
"""

from __future__ import annotations

import csv
import re
import shutil
import sys
import unicodedata
from collections import Counter
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from csperf import text_rules
from csperf.api import run_score
from csperf.cli import app
from csperf.config import Config, load_config
from csperf.errors import ConfigError
from csperf.pipeline import ScoreResult
from csperf.rules import source_columns
from csperf.text_rules import (
    WIDTH_FOLD,
    apply_text_rules,
    evidence_counts,
    evidence_rows,
    evidence_table,
    rule_columns,
)

ROOT = Path(__file__).resolve().parent.parent
TEXT = Path(__file__).resolve().parent / "data" / "text"
FIXTURE = TEXT / "config.yaml"


@pytest.fixture(scope="module")
def fixture_result() -> ScoreResult:
    return run_score(FIXTURE)


def agent_row(result: ScoreResult, agent: str) -> dict[str, Any]:
    return result.agents.filter(pl.col("agent_id") == agent).row(0, named=True)


# --- the fixture, counted by hand ---------------------------------------------------------------
#
# transcripts.csv (rule `forbidden`: agent turns only; warn vip, serious 保证 100%, red_line 保证收益
# and an 18-character ID-number pattern; rule `script`: match all of 您好, 会员权益 in agent turns)
#
# call agent  agent's turns                         forbidden matches           script
# c1   A1     您好，我保证收益稳定。                  保证收益 (1; not also 保证)   您好 only → incomplete
# c2   A1     您好，收益１００％保证，会员权益很多。  100% (full-width), 保证 (2)  complete
#                                                   (the customer's 保证 does not count)
# c3   A2     您好，请看会员权益。                    none (customer said 保证收益) complete
# c4   A2     保证保证收益，身份证110101199001011234。 保证, 保证收益, ID (3)        nothing → incomplete
# c5   A3     (empty text)                          none                        not applicable
# c6   A3     ＶＩＰ您好 100% 100%  (half-width colon)  vip (case/width), 100% ×2 (3) 您好 only → incomplete
#
# turns.csv (rule `promise`: 保证 in rows whose speaker is 坐席, after trimming " 坐席 "):
# A1: "您好，这个保证收益" (1) and "我保证" (1) → 2 rows; the customer's "你保证吗" is not counted.
# A2: "不能保证" → 1 row; "请放心" (speaker " 坐席 ") has no term.

HAND_COUNTS = {
    #      transcribed clean forbidden_calls forbidden_hits red_line script_done script_checked promise
    "A1": (2, 0, 2, 3, 1, 1, 2, 2),
    "A2": (2, 1, 1, 3, 1, 1, 2, 1),
    "A3": (2, 1, 1, 3, 0, 0, 1, 0),
}
MEASURES = (
    "transcribed",
    "clean_calls",
    "forbidden_calls",
    "forbidden_hits",
    "red_line_calls",
    "script_done",
    "script_checked",
    "promise_turns",
)


@pytest.mark.parametrize("agent", sorted(HAND_COUNTS))
def test_measures_over_rules_match_hand_counts(fixture_result: ScoreResult, agent: str) -> None:
    row = agent_row(fixture_result, agent)
    assert tuple(row[m] for m in MEASURES) == HAND_COUNTS[agent]


def test_metrics_and_score_from_the_hand_counts(fixture_result: ScoreResult) -> None:
    # speech_compliance = clean / transcribed; script_coverage = done / checked (c5 is not checked)
    # points are linear 0 → 1 as 0 → 100; weights 60 / 40.
    for agent, counts in HAND_COUNTS.items():
        transcribed, clean, *_, done, checked, _promise = counts
        row = agent_row(fixture_result, agent)
        assert row["speech_compliance"] == pytest.approx(clean / transcribed)
        assert row["script_coverage"] == pytest.approx(done / checked)
        assert row["score"] == pytest.approx(60 * clean / transcribed + 40 * done / checked)


def test_per_call_columns(fixture_result: ScoreResult) -> None:
    hits = fixture_result.text_hits
    assert hits is not None
    forbidden = {r["id"]: r for r in hits.filter(pl.col("rule") == "forbidden").to_dicts()}
    assert set(forbidden) == {"c1", "c2", "c4", "c6"}
    # found terms: most severe first, then in config order; a pattern is shown as written
    assert (forbidden["c1"]["terms"], forbidden["c1"]["hits"], forbidden["c1"]["severity"]) == (
        "保证收益",
        1,
        "red_line",
    )
    assert (forbidden["c2"]["terms"], forbidden["c2"]["hits"], forbidden["c2"]["severity"]) == (
        "保证, 100%",
        2,
        "serious",
    )
    assert forbidden["c4"]["terms"] == r"保证收益, 保证, \d{17}[\dXx]"
    assert forbidden["c4"]["hits"] == 3
    assert (forbidden["c6"]["terms"], forbidden["c6"]["hits"], forbidden["c6"]["severity"]) == (
        "100%, vip",
        3,
        "serious",
    )
    script = {r["id"]: r for r in hits.filter(pl.col("rule") == "script").to_dicts()}
    assert {k: v["missing"] for k, v in script.items()} == {
        "c1": "会员权益",
        "c4": "您好, 会员权益",
        "c6": "会员权益",
    }
    assert script["c4"]["hits"] == 0 and script["c1"]["hits"] == 1
    # evidence keeps where each row came from: file, line (header = line 1), time
    assert forbidden["c4"]["row"] == 5
    assert forbidden["c4"]["file"].endswith("transcripts.csv")
    assert forbidden["c4"]["time"] == "2026-10-09 10:30:00"
    assert "保证收益" in forbidden["c1"]["snippet"]


def test_rule_columns_are_source_columns() -> None:
    loaded = load_config(FIXTURE)
    config = loaded.config
    added = {"forbidden_hit", "forbidden_hits", "forbidden_terms", "forbidden_severity"}
    added |= {"forbidden_warn_hit", "forbidden_serious_hit", "forbidden_red_line_hit"}
    added |= {"script_hit", "script_hits", "script_terms", "script_severity", "script_missing"}
    assert (
        set(rule_columns("forbidden", config.text_rules["forbidden"]))
        | set(rule_columns("script", config.text_rules["script"]))
        == added
    )
    assert added <= source_columns(config, "transcripts")
    assert not added & source_columns(config, "transcripts", text_rules=False)
    assert "promise_hit" in source_columns(config, "turns")


# --- matching semantics, checked on small frames --------------------------------------------------


def config_with(rule: dict[str, Any]) -> Config:
    return Config.model_validate(
        {
            "sources": {"t": {"path": "-", "columns": {"agent_id": "a", "text": "x", "who": "w"}}},
            "text_rules": {"r": {"source": "t", "column": "text", **rule}},
            "measures": {"n": {"source": "t", "agg": "count"}},
            "metrics": {"m": {"formula": "n"}},
            "scorecards": {
                "c": {
                    "categories": {
                        "k": {"weight": 100, "metrics": {"m": {"weight": 100, "points": {"percentile": {}}}}}
                    }
                }
            },
        }
    )


def run_rule(
    rule: dict[str, Any], texts: list[str | None], who: list[str] | None = None
) -> list[dict[str, Any]]:
    frame = pl.DataFrame(
        {"text": texts, "who": who or [None] * len(texts)}, schema={"text": pl.String, "who": pl.String}
    )
    return apply_text_rules(frame.lazy(), config_with(rule), "t").collect().to_dicts()


@pytest.mark.parametrize("engine", ["regex", "aho-corasick"])
def test_overlapping_terms_count_once_per_place_longest_wins(
    engine: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if engine == "aho-corasick":  # the path taken for very long term lists (str.extract_many)
        monkeypatch.setattr(text_rules, "REGEX_TERMS_LIMIT", 0)
    rows = run_rule(
        {"terms": ["保证", "保证收益", "收益率"]}, ["保证收益", "保证收益率", "我保证，保证收益", "收益率"]
    )
    # 保证收益: one match (the longest term at that place), not also 保证
    # 保证收益率: 保证收益 then 率 — 收益率 overlaps the match before it, so it is not counted
    # 我保证，保证收益: 保证 + 保证收益; 收益率: itself
    assert [(r["r_hits"], r["r_terms"]) for r in rows] == [
        (1, "保证收益"),
        (1, "保证收益"),
        (2, "保证, 保证收益"),
        (1, "收益率"),
    ]


def test_exceptions_take_the_place_of_a_term() -> None:
    rule = {"terms": ["保证", "保证收益"], "exceptions": ["不能保证", "无法保证"]}
    rows = run_rule(rule, ["我们不能保证收益", "无法保证，但我保证", "保证收益", "不能"])
    # 不能保证 starts before 保证收益, so it takes 不能保证 and leaves 收益: no hit;
    # the second text has one real 保证 after the exception
    assert [(r["r_hits"], r["r_terms"]) for r in rows] == [(0, None), (1, "保证"), (1, "保证收益"), (0, None)]


def test_required_steps_look_for_each_term_on_its_own() -> None:
    # In `match: all` a step inside another step still counts: 会员 is present in 会员权益.
    rows = run_rule({"match": "all", "terms": ["会员", "会员权益"]}, ["会员权益", "会员", "", None])
    assert [r["r_hit"] for r in rows] == [True, False, False, None]
    assert [r["r_missing"] for r in rows] == [None, "会员权益", "会员, 会员权益", None]
    assert [r["r_hits"] for r in rows] == [2, 1, 0, 0]


def test_full_width_text_and_terms() -> None:
    texts = ["１００％保本", "100%保本", "100％", "ＶＩＰ客户", "vip", "Vip"]
    rows = run_rule({"terms": ["100%", "VIP"]}, texts)
    assert [r["r_hit"] for r in rows] == [True, True, True, True, True, True]
    # a term written full-width matches half-width text too
    assert [r["r_hit"] for r in run_rule({"terms": ["１００％"]}, ["100%", "１００％", "10%"])] == [
        True,
        True,
        False,
    ]
    # without folding, full-width text no longer matches; without case folding, case matters
    assert [r["r_hit"] for r in run_rule({"terms": ["100%"], "fold_width": False}, texts[:2])] == [
        False,
        True,
    ]
    assert [r["r_hit"] for r in run_rule({"terms": ["VIP"], "ignore_case": False}, texts[3:])] == [
        True,
        False,
        False,
    ]


def test_width_fold_table_agrees_with_unicode_nfkc() -> None:
    # An independent route: Unicode's compatibility decomposition of each full-width character.
    for full, half in WIDTH_FOLD.items():
        assert unicodedata.normalize("NFKC", full) == half, hex(ord(full))
    assert len(WIDTH_FOLD) == 94 + 1 + 6


def test_speaker_tags_keep_one_side() -> None:
    tags = {"tags": ["坐席:"], "other_tags": ["客户:"]}
    texts = [
        "客户：你保证吗？坐席：不敢说",
        "坐席:我保证 客户:好",
        "我保证（no label）",
        "坐席：保证 坐席：保证",
    ]
    rows = run_rule({"terms": ["保证"], "speaker": tags}, texts)
    # the customer's 保证 and text before the first label do not count; ： and : are the same
    assert [r["r_hits"] for r in rows] == [0, 1, 0, 2]
    customer = run_rule({"terms": ["保证"], "speaker": {"tags": ["客户:"], "other_tags": ["坐席:"]}}, texts)
    assert [r["r_hits"] for r in customer] == [1, 0, 0, 0]


def test_speaker_column_keeps_one_side() -> None:
    rows = run_rule(
        {"terms": ["保证"], "speaker": {"column": "who", "values": ["agent"]}},
        ["保证", "保证", "保证", None],
        who=["agent", "customer", None, "agent"],
    )
    assert [r["r_hit"] for r in rows] == [True, False, False, False]
    assert [r["r_hits"] for r in rows] == [1, 0, 0, 0]


def test_patterns_and_severity_levels() -> None:
    rule = {
        "terms": {"warn": ["放心"], "serious": ["保证"]},
        "patterns": {"red_line": [r"1[3-9]\d{9}"]},
    }
    rows = run_rule(rule, ["放心", "放心，保证", "电话13912345678，保证", "电话1391234567", None])
    assert [r["r_severity"] for r in rows] == ["warn", "serious", "red_line", None, None]
    assert [r["r_red_line_hit"] for r in rows] == [False, False, True, False, False]
    assert [r["r_serious_hit"] for r in rows] == [False, True, True, False, False]
    assert [r["r_warn_hit"] for r in rows] == [True, True, False, False, False]
    assert [r["r_hits"] for r in rows] == [1, 2, 2, 0, 0]


def naive_leftmost_longest(text: str, terms: list[str]) -> list[str]:
    """Left to right; at each place the longest term starting there; continue after it."""
    found, i = [], 0
    while i < len(text):
        best = max((t for t in terms if text.startswith(t, i)), key=len, default=None)
        if best is None:
            i += 1
        else:
            found.append(best)
            i += len(best)
    return found


WORDS = st.text(alphabet="保证收益ab", min_size=1, max_size=3)


@settings(max_examples=60, deadline=None)
@given(
    terms=st.lists(WORDS, min_size=1, max_size=4, unique=True),
    texts=st.lists(st.text("保证收益ab ", max_size=24), min_size=1, max_size=6),
)
def test_matching_agrees_with_a_plain_python_scanner(terms: list[str], texts: list[str]) -> None:
    rows = run_rule({"terms": terms}, list(texts))
    limit = text_rules.REGEX_TERMS_LIMIT
    try:
        text_rules.REGEX_TERMS_LIMIT = 0  # the Aho-Corasick path must agree too
        rows_ac = run_rule({"terms": terms}, list(texts))
    finally:
        text_rules.REGEX_TERMS_LIMIT = limit
    assert rows_ac == rows
    for text, row in zip(texts, rows, strict=True):
        expected = naive_leftmost_longest(text, terms)
        assert row["r_hits"] == len(expected)
        assert row["r_hit"] == bool(expected)
        names = [t for t in terms if t in expected]
        assert row["r_terms"] == (", ".join(names) if names else None)


@settings(max_examples=40, deadline=None)
@given(
    terms=st.lists(WORDS, min_size=1, max_size=4, unique=True),
    texts=st.lists(st.text("保证收益ab ", max_size=24), min_size=1, max_size=6),
)
def test_required_steps_agree_with_substring_search(terms: list[str], texts: list[str]) -> None:
    rows = run_rule({"terms": terms, "match": "all"}, list(texts))
    for text, row in zip(texts, rows, strict=True):
        missing = [t for t in terms if t not in text]
        assert row["r_hit"] == (not missing)
        assert row["r_missing"] == (", ".join(missing) if missing else None)


# --- config errors: file:line: key.path, exit 2 -------------------------------------------------


def test_invalid_regular_expression_exits_2_with_file_line() -> None:
    result = CliRunner().invoke(app, ["validate", str(TEXT / "bad_regex.yaml")])
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.startswith("csperf: ")]
    assert len(lines) == 2
    assert re.search(
        r"bad_regex\.yaml:8: text_rules\.forbidden\.patterns\.2: invalid regular expression '保证\(收益': "
        r"unclosed group",
        lines[0],
    )
    assert "bad_regex.yaml:9: text_rules.forbidden.patterns.3:" in lines[1]
    assert "look-around" in lines[1]


def test_unknown_columns_exit_2_with_did_you_mean() -> None:
    result = CliRunner().invoke(app, ["score", str(TEXT / "unknown_column.yaml")])
    assert result.exit_code == 2
    assert "unknown_column.yaml:5: text_rules.promise.column: `txt` is not a column of source `turns`; " in (
        result.output
    )
    assert "did you mean `text`?" in result.output
    assert "unknown_column.yaml:6: text_rules.promise.id: `call` is not a column" in result.output
    assert "unknown_column.yaml:7: text_rules.promise.speaker.column: `speaker_role` is not a column" in (
        result.output
    )


def problems_of(tmp_path: Path, text: str) -> list[str]:
    """Problems of the fixture config extended by `text` (whose first line is line 2)."""
    path = tmp_path / "c.yaml"
    path.write_text(f"extends: {FIXTURE}\n" + text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    return [p.replace(str(path), "c.yaml") for p in caught.value.problems]


def test_shape_errors(tmp_path: Path) -> None:
    problems = problems_of(
        tmp_path,
        """\
text_rules:
  forbidden:
    terms: {critical: [保证]}
    speaker: {tags: [坐席], column: speaker}
    matchs: all
  empty:
    source: transcripts
    column: text
""",
    )
    assert problems == [
        "c.yaml:4: text_rules.forbidden.terms: unknown severity 'critical'; use warn, serious, red_line",
        "c.yaml:5: text_rules.forbidden.speaker: give either `column:` and `values:` (a speaker column) or "
        "`tags:` and `other_tags:` (speaker labels inside the text)",
        "c.yaml:6: text_rules.forbidden.matchs: unknown key; did you mean `match`?",
        "c.yaml:7: text_rules.empty: give `terms:` or `patterns:` (or both)",
    ]


def test_exception_errors(tmp_path: Path) -> None:
    problems = problems_of(
        tmp_path,
        """\
text_rules:
  forbidden:
    exceptions: [保证收益]
  script:
    exceptions: [不能]
""",
    )
    assert problems == [
        "c.yaml:3: text_rules.forbidden: 保证收益 is both a term and an exception; keep one",
        "c.yaml:5: text_rules.script: `exceptions:` only applies to `match: any` rules",
    ]


def test_cross_field_errors(tmp_path: Path) -> None:
    problems = problems_of(
        tmp_path,
        """\
sources:
  transcripts:
    columns:
      script_hit: text
text_rules:
  bad-name:
    source: transcript
    column: text
    terms: [a]
  script:
    patterns: ['（保证）']
  dates:
    source: transcripts
    column: started_at
    terms: [a]
measures:
  typo: {source: transcripts, agg: count, where: forbiden_hit}
""",
    )
    text = "\n".join(problems)
    assert "c.yaml:7: text_rules.bad-name: rule names become column names in SQL" in text
    assert (
        "c.yaml:8: text_rules.bad-name.source: unknown source `transcript`; did you mean `transcripts`?"
        in text
    )
    assert "c.yaml:12: text_rules.script.patterns.0: the pattern has full-width characters" in text
    assert "c.yaml:15: text_rules.dates.column: `started_at` is read as datetime" in text
    assert (
        "text_rules.script: the rule adds the column `script_hit`, which source `transcripts` already has"
        in text
    )
    assert "c.yaml:18: measures.typo.where: `forbiden_hit` is not a column of source `transcripts`; " in text
    assert "did you mean `forbidden_hit`?" in text


def test_a_source_where_cannot_use_rule_columns(tmp_path: Path) -> None:
    # the source's own `where:` runs before the rules; the mistake is caught when loading
    problems = problems_of(tmp_path, "sources:\n  transcripts:\n    where: 'NOT forbidden_hit'\n")
    assert problems == [
        "c.yaml:4: sources.transcripts.where: `forbidden_hit` is not a column of source `transcripts`"
    ]


# --- evidence: --hits, explain, the workbook ----------------------------------------------------


def test_hits_csv_lists_every_flagged_row(tmp_path: Path) -> None:
    out = tmp_path / "hits.csv"
    result = CliRunner().invoke(app, ["score", str(FIXTURE), "--hits", str(out)])
    assert result.exit_code == 0, result.output
    assert f"wrote {out}" in result.output
    with out.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    # forbidden: c1 c2 c4 c6; script incomplete: c1 c4 c6; promise: three agent turns = 10 rows
    assert Counter(r["rule"] for r in rows) == {"forbidden": 4, "script": 3, "promise": 3}
    header = ["source", "rule", "severity", "agent_id", "id", "time", "hits", "terms", "missing", "snippet"]
    assert list(rows[0]) == [*header, "file", "row"]
    assert [r["agent_id"] for r in rows] == sorted(r["agent_id"] for r in rows)


def test_hits_needs_text_rules(tmp_path: Path) -> None:
    config = tmp_path / "plain.yaml"
    shutil.copy(TEXT / "transcripts.csv", tmp_path)
    config.write_text(
        FIXTURE.read_text(encoding="utf-8").split("text_rules:")[0]
        + "measures:\n  n: {source: transcripts, agg: count}\nmetrics:\n  m: {formula: n}\n"
        "scorecards:\n  c:\n    categories:\n      k:\n        weight: 100\n        metrics:\n"
        "          m: {weight: 100, points: {percentile: {}}}\n",
        encoding="utf-8",
    )
    shutil.copy(TEXT / "turns.csv", tmp_path)
    result = CliRunner().invoke(app, ["score", str(config), "--hits", str(tmp_path / "h.csv")])
    assert result.exit_code == 2
    assert "--hits: the config has no `text_rules:`" in result.output
    assert not (tmp_path / "h.csv").exists()


def test_evidence_rows_most_severe_first_and_capped(fixture_result: ScoreResult) -> None:
    rows = evidence_rows(fixture_result, "A1")
    # A1: forbidden c1 (red_line), then serious rows by time: promise (no time sorts first), script c1, c2
    assert [r["severity"] for r in rows] == ["red_line", "serious", "serious", "serious", "serious"]
    assert rows[0]["id"] == "c1" and rows[0]["label"] == "Forbidden words"
    assert len(evidence_rows(fixture_result, "A1", limit=2)) == 2
    assert evidence_rows(fixture_result, "nobody") == []
    assert evidence_counts(fixture_result, "A1") == {"forbidden": 2, "script": 1, "promise": 2}
    table = evidence_table(fixture_result, per_agent=1, language="zh")
    assert [r["agent_id"] for r in table] == ["A1", "A2", "A3"]
    assert table[0]["label"] == "违规用语"


# --- the shipped outbound example ---------------------------------------------------------------

OUTBOUND = ROOT / "configs" / "outbound.yaml"
EXAMPLES = ROOT / "examples" / "outbound"


@pytest.fixture(scope="module")
def outbound() -> ScoreResult:
    return run_score(OUTBOUND, EXAMPLES)


def python_counts() -> dict[str, Counter[str]]:
    """Per agent, from transcripts.csv with plain Python: NFKC folding and a split on the labels."""
    forbidden = ["保证", "100%", "百分之百", "零风险", "稳赚", "保证收益", "保本保息", "稳赚不赔"]
    red_line = ["保证收益", "保本保息", "稳赚不赔"]
    steps = [r"您好|你好", r"会员(权益|福利)", r"感谢(您的)?接听|祝您生活愉快"]
    counts: dict[str, Counter[str]] = {}
    with (EXAMPLES / "transcripts.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            text = unicodedata.normalize("NFKC", row["转写文本"])
            turns = re.split(r"(坐席:|客户:)", text)
            agent = "".join(turns[i + 1] for i in range(1, len(turns) - 1, 2) if turns[i] == "坐席:")
            for allowed in ("不能保证", "无法保证", "不保证"):  # the rule's exceptions
                agent = agent.replace(allowed, "|")
            c = counts.setdefault(row["坐席工号"], Counter())
            c["transcribed"] += 1
            id_number = re.search(r"\d{17}[\dXx]", agent) is not None
            c["speech_clean"] += not any(t in agent for t in forbidden) and not id_number
            c["red_line_calls"] += any(t in agent for t in red_line) or id_number
            c["script_complete"] += all(re.search(s, agent) for s in steps)
    return counts


def test_outbound_text_measures_agree_with_plain_python(outbound: ScoreResult) -> None:
    expected = python_counts()
    table = outbound.agents.select(
        "agent_id", "transcribed", "speech_clean", "red_line_calls", "script_complete"
    )
    for row in table.to_dicts():
        want = expected.get(row["agent_id"], Counter())
        for key in ("transcribed", "speech_clean", "red_line_calls", "script_complete"):
            assert row[key] == want[key], (row["agent_id"], key)
    # the planted stories: A1023 promises guaranteed returns, A1002 once reads out an ID number
    assert {a for a, c in expected.items() if c["red_line_calls"]} == {"A1023", "A1002"}


def test_outbound_speech_compliance_scores_and_red_line_blocks_the_bonus(outbound: ScoreResult) -> None:
    scored = outbound.breakdown.filter(pl.col("metric") == "speech_compliance")
    assert scored.height == 60
    a1023 = scored.filter(pl.col("agent_id") == "A1023").row(0, named=True)
    assert a1023["points"] == 0  # 47 / 69 = 68% is below every band
    config = outbound.config
    assert {m for c in config.scorecards["junior"].categories.values() for m in c.metrics} >= {
        "compliance",
        "speech_compliance",
    }
    assert outbound.bonus is not None
    a1002 = outbound.bonus.filter(pl.col("agent_id") == "A1002").row(0, named=True)
    assert a1002["reached"] is not None and a1002["tier"] is None and a1002["amount"] == 0
    assert [g["name"] for g in a1002["gates"]] == ["speech red line"]


def test_explain_shows_the_evidence() -> None:
    result = CliRunner().invoke(app, ["explain", str(OUTBOUND), "A1002", "--data", str(EXAMPLES)])
    assert result.exit_code == 0, result.output
    lines = result.output.split("\nText rules", 1)[1].splitlines()
    counts = python_counts()["A1002"]
    # A1002's flagged calls: 1 red line, the calls missing a script step, upset customers (the
    # transfer rule is `evidence: false`); at most 10 rows are listed
    assert lines[0].startswith(" (10 of ")
    assert f"script {counts['transcribed'] - counts['script_complete']}" in lines[1]
    assert lines[2].split() == ["severity", "rule", "id", "time", "found", "/", "missing", "excerpt"]
    assert lines[3].split()[:2] == ["red_line", "forbidden"]
    assert "[0-9]{17}[0-9Xx]" in lines[3]
    assert len(lines) == 3 + 10


def test_transcripts_are_reproducible(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "generate_transcripts", ROOT / "examples" / "generate_transcripts.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "generate_transcripts", module)  # its dataclass needs the module
    spec.loader.exec_module(module)
    shutil.copytree(EXAMPLES / "dialer", tmp_path / "dialer")
    assert module.write_transcripts(tmp_path, 4000, 7) == 4000
    assert (tmp_path / "transcripts.csv").read_bytes() == (EXAMPLES / "transcripts.csv").read_bytes()
