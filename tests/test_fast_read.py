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
        untyped=everything,
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


def _readings(monkeypatch: pytest.MonkeyPatch) -> list[tuple[frozenset[str], frozenset[str]]]:
    """Records, run by run, the sources read the general way and those read without typed columns."""
    runs: list[tuple[frozenset[str], frozenset[str]]] = []
    original = pipeline._score

    def recording(*args: Any, **kwargs: Any) -> ScoreResult:
        general, untyped = args[5:7] if len(args) > 5 else (kwargs["general"], kwargs["untyped"])
        runs.append((general, untyped))
        return original(*args, **kwargs)

    monkeypatch.setattr(pipeline, "_score", recording)
    return runs


def _typed_taken(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, set[str]]]:
    """Records, run by run, the columns the CSV reader typed in each source."""
    runs: list[dict[str, set[str]]] = []
    original = pipeline.read_source

    def recording(config: Any, name: str, *args: Any, **kwargs: Any) -> Any:
        frame = original(config, name, *args, **kwargs)
        if not runs or name in runs[-1]:
            runs.append({})
        runs[-1][name] = set(frame.fast.typed) if frame.fast is not None else set()
        return frame

    monkeypatch.setattr(pipeline, "read_source", recording)
    return runs


@pytest.mark.parametrize("keep_rejects", [True, False])
@pytest.mark.parametrize("name", SCORING_CONFIGS)
def test_shipped_configs_score_the_same_with_either_reading(name: str, keep_rejects: bool) -> None:
    loaded = load_config(ROOT / "configs" / name)
    fast = pipeline.score(loaded, keep_rejects=keep_rejects)
    _same(fast, _general(loaded, keep_rejects=keep_rejects))


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
@given(rows=exports(), with_period=st.booleans(), keep_rejects=st.booleans())
def test_generated_exports_score_the_same_with_either_reading(
    tmp_path_factory: pytest.TempPathFactory,
    rows: list[dict[str, str]],
    with_period: bool,
    keep_rejects: bool,
) -> None:
    folder = tmp_path_factory.mktemp("fast")
    loaded = _write(folder, rows)
    period = None
    if with_period:
        from datetime import datetime

        period = Period(datetime(2026, 10, 1), datetime(2026, 11, 1), "2026-10")
    try:
        fast = pipeline.score(loaded, period=period, keep_rejects=keep_rejects)
    except Exception as exc:  # e.g. no agent left: the general reading must fail the same way
        with pytest.raises(type(exc)) as general_failure:
            _general(loaded, period=period, keep_rejects=keep_rejects)
        assert str(general_failure.value) == str(exc)
        return
    _same(fast, _general(loaded, period=period, keep_rejects=keep_rejects))


def test_a_clean_export_takes_the_fast_reading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rows = [
        {"Agent": a, "Start": "2026-10-01 09:00:00", "Day": "2026-10-01", "Connected": c, "Talk": t}
        | {"Score": "3", "Share": "0.5", "Outcome": o}
        for a, c, t, o in [("A1", "是", "30", "sale"), ("A2", "否", "0", ""), ("A1", "是", "90", "no sale")]
    ]
    loaded = _write(tmp_path, rows)
    runs = _readings(monkeypatch)
    typed = _typed_taken(monkeypatch)
    result = pipeline.score(loaded)
    assert runs == [(frozenset(), frozenset())]  # one run, no source read again
    assert typed == [{"calls": {"connected", "talk", "score", "share"}}]  # numbers and flags
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
    assert runs[0] == (frozenset(), frozenset())
    assert runs[-1][0] == frozenset({"calls"})
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


# --- columns typed by the CSV reader -------------------------------------------------------------


def _clean_row(**cells: str) -> dict[str, str]:
    row = {"Agent": "A1", "Start": "2026-10-01 09:00:00", "Day": "2026-10-01", "Connected": "是"}
    return row | {"Talk": "30", "Score": "3", "Share": "0.5", "Outcome": "sale"} | cells


def test_a_null_word_past_the_sample_reads_again_with_text_columns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from csperf.sources import TYPE_SAMPLE_ROWS

    rows = [_clean_row(Talk=str(i % 90)) for i in range(TYPE_SAMPLE_ROWS + 50)]
    rows += [_clean_row(Talk="--", Connected="N/A"), _clean_row(Agent="A2", Talk="n/a")]
    loaded = _write(tmp_path, rows)
    runs = _readings(monkeypatch)
    typed = _typed_taken(monkeypatch)
    fast = pipeline.score(loaded)
    # the reader fails on `--`; the second run reads text columns and still takes the fast reading
    assert runs == [(frozenset(), frozenset()), (frozenset(), frozenset({"calls"}))]
    assert "talk" in typed[0]["calls"] and typed[1]["calls"] == set()
    assert fast.data_quality.sources["calls"].rows_used == len(rows)
    _same(fast, _general(loaded))


def test_a_null_word_in_the_sample_keeps_the_column_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = [_clean_row(), _clean_row(Talk="-", Connected="null"), _clean_row(Agent="A2", Talk="45")]
    loaded = _write(tmp_path, rows)
    runs = _readings(monkeypatch)
    typed = _typed_taken(monkeypatch)
    fast = pipeline.score(loaded)
    assert runs == [(frozenset(), frozenset())]  # one run: only the columns that fit were typed
    assert typed == [{"calls": {"connected", "score", "share"}}]  # null words are among a flag's words
    _same(fast, _general(loaded))


@settings(max_examples=150, deadline=None)
@given(
    st.text(alphabet="0123456789.eE+-_, \t", min_size=1, max_size=8)
    | st.sampled_from(["NaN", "nan", "inf", "-Infinity", "1e400", "0x1A", "１２", "\u00a012", "12\u00a0"])
)
def test_where_the_reader_takes_a_number_it_reads_what_the_general_reading_does(text: str) -> None:
    import io

    from csperf.config import ColumnSpec
    from csperf.fastpaths import cleaned_cell
    from csperf.parsing import parse_column
    from csperf.sources import null_words

    csv_text = 'x\n"' + text.replace('"', '""') + '"\n'
    try:
        read = pl.read_csv(io.StringIO(csv_text), schema={"x": pl.Float64})["x"][0]
    except pl.exceptions.PolarsError:
        return  # the whole reading fails: the pipeline then reads text columns
    from csperf.config import SourceConfig

    nulls = null_words(SourceConfig.model_validate({"path": "x.csv"}))
    spec = ColumnSpec.model_validate({"type": "float"})
    general = pl.select(parse_column(cleaned_cell(pl.lit(text), nulls), spec, None)).item()
    if read is None or general is None:
        assert read is None and general is None, text
    elif read != read:  # NaN
        assert general != general, text
    else:
        assert read == general, text


def test_each_word_of_a_flag_column_reads_as_the_general_reading_reads_it() -> None:
    from csperf.config import ColumnSpec, SourceConfig
    from csperf.fastread import _typed_stages, reader_types
    from csperf.parsing import parse_column
    from csperf.sources import null_words

    nulls = null_words(SourceConfig.model_validate({"path": "x.csv"}))
    spec = ColumnSpec.model_validate({"type": "bool"})
    enum = reader_types(SourceConfig.model_validate({"path": "x.csv"}), {"flag": spec}, nulls)["flag"]
    assert isinstance(enum, pl.Enum)
    words = enum.categories.to_list()
    frame = pl.DataFrame({"_raw_flag": words}, schema={"_raw_flag": enum})
    held, value, _ = _typed_stages("flag", spec, enum)
    typed = frame.select(held.alias("held"), value.alias("value"))
    texts = pl.DataFrame({"t": words})
    general = texts.select(
        pl.when(pl.col("t").str.to_lowercase().is_in(nulls)).then(None).otherwise(pl.col("t")).alias("clean")
    ).with_columns(parse_column(pl.col("clean"), spec, None).alias("value"))
    assert typed["value"].to_list() == general["value"].to_list()
    assert typed["held"].is_not_null().to_list() == general["clean"].is_not_null().to_list()
    assert {"是", "否", "TRUE", "no", "-", "N/A"} <= set(words)
