"""The fast reading (csperf.fastread) never changes a figure, a count or a reason.

Every run is compared with a run that reads every source the general way:
* every shipped config on its example data (clean and deliberately messy exports);
* generated exports mixing clean cells with every kind the general reading cleans, rejects or
  skips (outer spaces, `="..."`, apostrophes, null words, numbers with separators, clock times,
  bad dates, total rows, empty agents), property-tested;
and the fast reading is really taken on a clean file and given up on a dirty one.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import csperf.pipeline as pipeline
from csperf.config import LoadedConfig, load_config
from csperf.pipeline import ScoreResult
from csperf.sources import Period

ROOT = Path(__file__).resolve().parent.parent
SCORING_CONFIGS = [
    "outbound.yaml",
    "pwc_call_centre.yaml",
    "invitation.yaml",
    "aftersales_normal.yaml",
    "weserve_messy.yaml",
    "reps_sales.yaml",
]


def _general(loaded: LoadedConfig, data_dir: Path | None = None, **options: Any) -> ScoreResult:
    """The same run with the general reading of every source."""
    everything = frozenset(loaded.config.sources)
    return pipeline._score(
        loaded,
        data_dir,
        options.get("period"),
        None,
        options.get("keep_rejects", False),
        general=everything,
    )


def _same(fast: ScoreResult, general: ScoreResult) -> None:
    assert fast.agents.equals(general.agents)
    assert fast.metrics.equals(general.metrics)
    assert fast.breakdown.equals(general.breakdown)
    assert fast.data_quality.to_dict() == general.data_quality.to_dict()
    assert fast.coverage == general.coverage
    assert (fast.bonus is None) == (general.bonus is None)
    if fast.bonus is not None and general.bonus is not None:
        assert fast.bonus.equals(general.bonus)
    assert (fast.text_hits is None) == (general.text_hits is None)
    if fast.text_hits is not None and general.text_hits is not None:
        assert fast.text_hits.equals(general.text_hits)
    assert fast.rejects.keys() == general.rejects.keys()
    for name, table in fast.rejects.items():
        assert table.equals(general.rejects[name]), name


def _readings(monkeypatch: pytest.MonkeyPatch) -> list[frozenset[str]]:
    """Records the sources read the general way, run by run."""
    runs: list[frozenset[str]] = []
    original = pipeline._score

    def recording(*args: Any, **kwargs: Any) -> ScoreResult:
        runs.append(kwargs["general"])
        return original(*args, **kwargs)

    monkeypatch.setattr(pipeline, "_score", recording)
    return runs


@pytest.mark.parametrize("name", SCORING_CONFIGS)
def test_shipped_configs_score_the_same_with_either_reading(name: str) -> None:
    loaded = load_config(ROOT / "configs" / name)
    _same(pipeline.score(loaded, keep_rejects=True), _general(loaded, keep_rejects=True))


# --- generated exports ---------------------------------------------------------------------------

CONFIG = """
name: fast reading
timezone: Asia/Shanghai
sources:
  calls:
    path: calls.csv
    timestamp: started
    columns:
      agent_id: Agent
      started: {from: Start, type: datetime, format: "%Y-%m-%d %H:%M:%S"}
      day: {from: Day, type: date, format: "%Y-%m-%d"}
      connected: {from: Connected, type: bool}
      talk: {from: Talk, type: duration}
      score: {from: Score, type: int}
      share: {from: Share, type: percent}
      outcome: Outcome
measures:
  calls: {source: calls, agg: count}
  answered: {source: calls, agg: count, where: connected}
  talk_sum: {source: calls, agg: sum, value: talk}
  score_sum: {source: calls, agg: sum, value: score}
  share_mean: {source: calls, agg: mean, value: share}
  sales: {source: calls, agg: count, where: "outcome = 'sale'"}
  days: {source: calls, agg: count_distinct, value: day}
  last_call: {source: calls, agg: max, value: started}
metrics:
  volume: {formula: calls}
  answer_rate: {ratio: [answered, calls], unit: percent}
  talk_per_call: {ratio: [talk_sum, calls], unit: seconds}
  sale_rate: {ratio: [sales, calls], unit: percent}
scorecards:
  all:
    categories:
      work:
        weight: 100
        metrics:
          volume: {weight: 40, points: {percentile: {}}}
          answer_rate: {weight: 30, points: {linear: {floor: 0.2, target: 0.9}}}
          sale_rate: {weight: 30, points: {linear: {floor: 0, target: 0.5}}}
"""

AGENTS = ["A1", "A2", "B7", "007"]
clean_cells = {
    "Agent": st.sampled_from(AGENTS),
    "Start": st.sampled_from(["2026-10-01 09:00:00", "2026-10-02 17:30:05", "2026-11-01 08:00:00"]),
    "Day": st.sampled_from(["2026-10-01", "2026-10-02"]),
    "Connected": st.sampled_from(["是", "否", "Y", "n", "TRUE", ""]),
    "Talk": st.sampled_from(["0", "35", "120.5", "", "-3"]),
    "Score": st.sampled_from(["1", "5", "10", ""]),
    "Share": st.sampled_from(["0.5", "0.25", "40", ""]),
    "Outcome": st.sampled_from(["sale", "no sale", ""]),
}
dirty_cells = {
    "Agent": st.sampled_from([" A1", "A2 ", '="A1"', "'B7", "NULL", "-", "", "合计", "Total:", "a1"]),
    "Start": st.sampled_from(
        [" 2026-10-01 09:00:00", "2026-10-01 09:00:00 ", "2026/10/01 09:00", "soon", "N/A"]
    ),
    "Day": st.sampled_from([" 2026-10-01", "2026-13-01", "-", "2026-10-01 12:00"]),
    "Connected": st.sampled_from([" 是", "yes ", "maybe", "'Y", "null"]),
    "Talk": st.sampled_from(["1,200", " 35", "00:02:05", "3分25秒", "abc", '="12"', "n/a"]),
    "Score": st.sampled_from(["2.5", "1e1", " 3", "x", "--"]),
    "Share": st.sampled_from(["12.5%", " 0.3", "50 %", "half"]),
    "Outcome": st.sampled_from([" sale", "sale ", "'sale", "N/A", "\ufeffsale"]),
}


@st.composite
def exports(draw: st.DrawFn) -> list[dict[str, str]]:
    dirt = draw(st.floats(0, 0.3))
    rows = []
    for _ in range(draw(st.integers(1, 25))):
        row = {}
        for column, clean in clean_cells.items():
            messy = draw(st.floats(0, 1)) < dirt
            row[column] = draw(dirty_cells[column] if messy else clean)
        rows.append(row)
    return rows


def _write(folder: Path, rows: list[dict[str, str]], config: str = CONFIG) -> LoadedConfig:
    (folder / "config.yaml").write_text(config, encoding="utf-8")
    with (folder / "calls.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(clean_cells))
        writer.writeheader()
        writer.writerows(rows)
    return load_config(folder / "config.yaml")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=exports(), with_period=st.booleans())
def test_generated_exports_score_the_same_with_either_reading(
    tmp_path_factory: pytest.TempPathFactory, rows: list[dict[str, str]], with_period: bool
) -> None:
    folder = tmp_path_factory.mktemp("fast")
    loaded = _write(folder, rows)
    period = None
    if with_period:
        from datetime import datetime

        period = Period(datetime(2026, 10, 1), datetime(2026, 11, 1), "2026-10")
    try:
        fast = pipeline.score(loaded, period=period, keep_rejects=True)
    except Exception as exc:  # e.g. no agent left: the general reading must fail the same way
        with pytest.raises(type(exc)) as general_failure:
            _general(loaded, period=period, keep_rejects=True)
        assert str(general_failure.value) == str(exc)
        return
    _same(fast, _general(loaded, period=period, keep_rejects=True))


def test_a_clean_export_takes_the_fast_reading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rows = [
        {"Agent": a, "Start": "2026-10-01 09:00:00", "Day": "2026-10-01", "Connected": c, "Talk": t}
        | {"Score": "3", "Share": "0.5", "Outcome": o}
        for a, c, t, o in [("A1", "是", "30", "sale"), ("A2", "否", "0", ""), ("A1", "是", "90", "no sale")]
    ]
    loaded = _write(tmp_path, rows)
    runs = _readings(monkeypatch)
    result = pipeline.score(loaded)
    assert runs == [frozenset()]  # one run, no source read again
    by_agent = {row["agent_id"]: row for row in result.metrics.to_dicts()}
    assert by_agent["A1"]["talk_per_call"] == 60.0  # (30 + 90) / 2
    assert by_agent["A2"]["answer_rate"] == 0.0


@pytest.mark.parametrize(
    ("column", "cell"),
    [
        ("Agent", " A1"),
        ("Agent", "'A1"),
        ("Talk", "1,200"),
        ("Start", "2026-10-01 09:00:00 "),
        ("Outcome", " sale"),
    ],
)
def test_a_dirty_cell_sends_the_source_to_the_general_reading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, column: str, cell: str
) -> None:
    row = {"Agent": "A1", "Start": "2026-10-01 09:00:00", "Day": "2026-10-01", "Connected": "是"}
    row |= {"Talk": "30", "Score": "3", "Share": "0.5", "Outcome": "sale"}
    loaded = _write(tmp_path, [row, row | {column: cell}])
    runs = _readings(monkeypatch)
    result = pipeline.score(loaded)
    assert runs == [frozenset(), frozenset({"calls"})]
    assert result.data_quality.sources["calls"].rows_used == 2  # the general reading cleaned the cell


def test_agent_rules_beyond_trimming_are_checked_row_by_row(tmp_path: Path) -> None:
    config = CONFIG.replace(
        "timezone: Asia/Shanghai", "timezone: Asia/Shanghai\nagent_id: {strip_leading_zeros: true}"
    )
    row = {"Agent": "007", "Start": "2026-10-01 09:00:00", "Day": "2026-10-01", "Connected": "是"}
    row |= {"Talk": "30", "Score": "3", "Share": "0.5", "Outcome": "sale"}
    loaded = _write(tmp_path, [row, row | {"Agent": "7"}, row | {"Agent": " 07"}], config)
    fast = pipeline.score(loaded)
    assert fast.metrics["agent_id"].to_list() == ["7"]
    assert fast.metrics["volume"].to_list() == [3]
    _same(fast, _general(loaded))


def test_datetimes_with_leading_space_read_the_same() -> None:
    from csperf.config import ColumnSpec
    from csperf.parsing import clean_text, parse_column

    spec = ColumnSpec.model_validate({"type": "datetime", "format": "%Y-%m-%d %H:%M:%S"})
    texts = [
        " 2026-10-01 09:00:00",
        "\t2026-10-01 09:00:00",
        "\u30002026-10-01 09:00:00",
        "2026-10-01 09:00:00",
    ]
    frame = pl.DataFrame({"t": texts})
    raw = frame.select(parse_column(pl.col("t"), spec, None))["t"]
    cleaned = frame.select(parse_column(clean_text(pl.col("t")), spec, None))["t"]
    assert raw.to_list() == cleaned.to_list()
