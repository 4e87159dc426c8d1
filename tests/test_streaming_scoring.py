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
