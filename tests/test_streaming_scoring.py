"""Scoring reads each source in one streaming pass without changing a single figure or count.

* accounting and measures of a source come from one group-by (agent, status, reason); checked
  against the separate queries (accounting over all rows, measures over the used rows only);
* a measure that fails on a rejected or skipped row makes scoring fall back to those separate
  queries, with the figures computed by hand;
* the whole-file UTF-8 check is left to Polars' reader during scoring, and a file that stops being
  UTF-8 part way still gets its own message, naming the line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl
import pytest

import csperf.pipeline as pipeline
from csperf.api import run_score
from csperf.config import load_config
from csperf.errors import DataError
from csperf.measures import measures_by_source, source_queries, source_results
from csperf.sources import SNIFF_BYTES, deferred_utf8_check, read_source

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data" / "performance"


def _sorted(frame: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    return frame.select(sorted(frame.columns)).sort(keys, nulls_last=True)


def test_one_pass_per_source_equals_separate_queries() -> None:
    loaded = load_config(ROOT / "configs" / "outbound.yaml")
    config = loaded.config
    grouped = measures_by_source(config)
    for name in config.sources:
        frame = read_source(config, name, ROOT / "examples" / "outbound")
        if config.text_rules:  # as the pipeline does: rule columns that measures count
            from csperf.text_rules import apply_text_rules

            frame.frame = apply_text_rules(frame.frame, config, name)
        measures = grouped.get(name)
        together = source_results(iter(pl.collect_all(source_queries(frame, measures))), bool(measures))
        apart = source_results(
            iter(pl.collect_all(source_queries(frame, measures, combined=False))), bool(measures), False
        )
        counts = [
            _sorted(c.with_columns(pl.col("rows").cast(pl.Int64)), ["_status", "_reason"])
            for c in (together[0], apart[0])
        ]
        assert counts[0].equals(counts[1]), name
        if measures:
            assert together[1] is not None and apart[1] is not None
            assert _sorted(together[1], ["agent_id"]).equals(_sorted(apart[1], ["agent_id"])), name


def test_a_measure_failing_on_a_skipped_row_falls_back(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[bool] = []

    def recording(frame: Any, measures: Any, combined: bool = True) -> list[pl.LazyFrame]:
        calls.append(combined)
        return source_queries(frame, measures, combined)

    monkeypatch.setattr(pipeline, "source_queries", recording)
    result = run_score(DATA / "strict_cast.yaml")
    # CAST('合计' AS INT) failed in the one-pass query: first with the fast reading (which then
    # gives way to the general one), then with the general reading, then apart
    assert calls == [True, True, False]
    measures = {row["agent_id"]: row for row in result.metrics.to_dicts()}
    # by hand from calls.csv: A1 rows (10, 60) and (20, 30); A2 (5, 10); the total row and A3's
    # row (talk `bad`) are not used
    assert (measures["A1"]["code_sum"], measures["A1"]["talk_sum"], measures["A1"]["calls"]) == (30, 90.0, 2)
    assert (measures["A2"]["code_sum"], measures["A2"]["talk_sum"], measures["A2"]["calls"]) == (5, 10.0, 1)
    assert measures["A1"]["code_per_call"] == 15.0
    quality = result.data_quality.sources["calls"]
    assert (quality.rows_read, quality.rows_used, quality.rows_rejected) == (5, 3, 1)
    assert quality.skipped == {"total row": 1}


def _mixed_file(folder: Path) -> Path:
    """UTF-8 for more than the sniffed head, then one line in GB18030."""
    rows = ["agent,talk"]
    line = "A1,60"
    rows += [line] * (SNIFF_BYTES // len(line) + 1000)
    body = ("\n".join(rows) + "\n").encode("utf-8") + "A2,张三\n".encode("gb18030")
    path = folder / "calls.csv"
    path.write_bytes(body)
    return path


def test_a_file_that_stops_being_utf8_still_names_the_line(tmp_path: Path) -> None:
    path = _mixed_file(tmp_path)
    bad_line = path.read_bytes().count(b"\n")  # the last line
    config = tmp_path / "c.yaml"
    config.write_text(
        "sources:\n  calls:\n    path: calls.csv\n    columns: {agent_id: agent, talk: talk}\n"
        "measures:\n  n: {source: calls, agg: count}\n"
        "metrics:\n  volume: {formula: n}\n"
        "scorecards:\n  all:\n    categories:\n      c:\n        weight: 100\n        metrics:\n"
        "          volume: {weight: 100, points: {percentile: {}}}\n",
        encoding="utf-8",
    )
    with pytest.raises(DataError) as raised:
        run_score(config, tmp_path)
    message = "\n".join(raised.value.problems)
    assert f"{path}:{bad_line}: sources.calls: not valid UTF-8 although the lines before are" in message
    # Outside scoring (csperf validate and the like) the check happens before reading, as before.
    loaded = load_config(config)
    with pytest.raises(DataError) as early:
        read_source(loaded.config, "calls", tmp_path)
    assert early.value.problems == raised.value.problems
    # Within a scoring run only the head is sniffed: the reader itself meets the bad bytes.
    with deferred_utf8_check():
        frame = read_source(loaded.config, "calls", tmp_path)
    with pytest.raises(pl.exceptions.PolarsError):
        frame.accounting_query().collect()


EXACT_CONFIG = """
name: exact sums
sources:
  calls:
    path: calls.csv
    columns:
      agent_id: Agent
      rating: {from: Rating, type: float}
      talk: {from: Talk, type: duration, unit: min}
measures:
  rated: {source: calls, agg: count, value: rating}
  stars: {source: calls, agg: sum, value: rating}
  mean_rating: {source: calls, agg: mean, value: rating}
  talk_s: {source: calls, agg: sum, value: talk, where: "rating >= 3"}
metrics:
  csat: {ratio: [stars, rated], unit: score}
scorecards:
  all:
    categories:
      quality: {weight: 100, metrics: {csat: {weight: 100, points: {linear: {floor: 1, target: 5}}}}}
"""


def _score_rows(folder: Path, rows: list[tuple[str, str, str]]) -> pl.DataFrame:
    folder.mkdir()
    (folder / "config.yaml").write_text(EXACT_CONFIG, encoding="utf-8")
    lines = ["Agent,Rating,Talk"] + [",".join(row) for row in rows]
    (folder / "calls.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = pipeline.score(load_config(folder / "config.yaml"))
    return result.metrics.select("agent_id", "stars", "mean_rating", "talk_s", "csat").sort("agent_id")


def test_float_sums_do_not_depend_on_the_order_of_rows(tmp_path: Path) -> None:
    import random
    from decimal import Decimal

    generator = random.Random(7)
    rows = [
        (
            f"A{generator.randint(1, 3)}",
            f"{generator.randint(10, 50) / 10}",
            f"{generator.randint(1, 999) / 100}",
        )
        for _ in range(60_000)  # enough rows for Polars to split the file among threads
    ]
    shuffled = rows[:]
    generator.shuffle(shuffled)
    first, second = _score_rows(tmp_path / "a", rows), _score_rows(tmp_path / "b", shuffled)
    assert first.equals(second)  # bit for bit, whatever the order the rows were summed in
    for agent in first.to_dicts():
        mine = [row for row in rows if row[0] == agent["agent_id"]]
        stars = sum(Decimal(rating) for _, rating, _ in mine)  # exact decimal arithmetic
        talk = sum(Decimal(talk) * 60 for _, rating, talk in mine if Decimal(rating) >= 3)
        assert agent["stars"] == float(stars)
        assert agent["mean_rating"] == float(stars) / len(mine)
        assert agent["talk_s"] == float(talk)


def test_a_float_sum_a_fixed_point_cannot_hold_stays_a_float_sum(tmp_path: Path) -> None:
    rows = [("A1", "NaN", "1"), ("A1", "4.5", "2"), ("A2", "1e300", "1"), ("A2", "2", "1"), ("A3", "", "1")]
    table = {row["agent_id"]: row for row in _score_rows(tmp_path / "c", rows).to_dicts()}
    assert table["A1"]["stars"] != table["A1"]["stars"]  # NaN, as a float sum gives
    assert table["A2"]["stars"] == 1e300 + 2
    assert table["A3"]["stars"] == 0 and table["A3"]["mean_rating"] is None  # no value: no mean
