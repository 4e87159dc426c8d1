"""Vendor presets: each sample export reads into the canonical columns and scores."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import polars as pl
import pytest
import yaml
from typer.testing import CliRunner

from csperf.api import run_score
from csperf.cli import app
from csperf.config import Config, SourceConfig
from csperf.presets import PRESETS, apply_preset, merged_specs
from csperf.sources import REASON, ROW, STATUS, read_source

PRESET_DATA = Path(__file__).resolve().parent / "data" / "presets"
FOLDERS = {
    "asterisk-master-csv": "asterisk",
    "amazon-connect-ctr": "connect",
    "genesys-cloud-interactions": "genesys",
    "zendesk-tickets": "zendesk",
    "clink-cdr": "clink",
    "cn-chat-session": "cn_chat",
}


def config_of(folder: str, **changes: Any) -> Config:
    data = yaml.safe_load((PRESET_DATA / folder / "config.yaml").read_text(encoding="utf-8"))
    for source in data["sources"].values():
        source.update(changes)
    return Config.model_validate(data)


def rows(folder: str, columns: list[str], **changes: Any) -> list[tuple[Any, ...]]:
    config = config_of(folder, **changes)
    name = next(iter(config.sources))
    frame = read_source(config, name, PRESET_DATA / folder).frame.collect().sort(ROW)
    return frame.select(ROW, *columns, STATUS, REASON).rows()


def test_every_preset_has_a_sample_and_a_documented_section() -> None:
    assert set(FOLDERS) == set(PRESETS)
    docs = (Path(__file__).resolve().parents[1] / "docs" / "exports.md").read_text(encoding="utf-8")
    for name, folder in FOLDERS.items():
        assert (PRESET_DATA / folder / "config.yaml").exists()
        assert f"`{name}`" in docs


@pytest.mark.parametrize("preset", sorted(FOLDERS))
def test_each_preset_sample_scores(preset: str) -> None:
    folder = PRESET_DATA / FOLDERS[preset]
    result = CliRunner().invoke(app, ["score", str(folder / "config.yaml"), "--data", str(folder)])
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output


def test_asterisk_master_csv() -> None:
    # No header row: fields by position; the agent is the extension in dstchannel.
    reason = "talk_s (billsec): not a valid duration"
    assert rows("asterisk", ["agent_id", "talk_s", "handle_s", "outcome", "answer_ts"]) == [
        (1, "8002", 208.0, 215.0, "answered", datetime(2026, 10, 8, 9, 0, 12), None, None),
        (2, "8002", 0.0, 30.0, "no_answer", None, None, None),  # `answer` is an empty field
        (3, "8584", 300.0, 320.0, "answered", datetime(2026, 10, 8, 10, 0, 20), None, None),
        (4, "8584", 0.0, 5.0, "busy", None, None, None),
        (5, None, 0.0, 1.0, "failed", None, "skipped", "no agent"),  # never reached an agent
        (6, "8002", 95.0, 100.0, "answered", datetime(2026, 10, 8, 14, 0, 5), None, None),
        # a text value in the numeric billsec column (a malformed CDR) is rejected with its line
        (7, "8584", None, 120.0, "answered", datetime(2026, 10, 8, 15, 0, 3), "rejected", reason),
    ]


def test_asterisk_scores_by_hand() -> None:
    result = run_score(PRESET_DATA / "asterisk" / "config.yaml", PRESET_DATA / "asterisk")
    table = {r["agent_id"]: r for r in result.agents.to_dicts()}
    # 8002: 3 calls, 2 answered (208 s and 95 s); 8584: rows 3 and 4 (row 7 rejected), 1 answered (300 s)
    assert (table["8002"]["calls"], table["8002"]["answered"], table["8002"]["aht"]) == (
        3,
        2,
        pytest.approx(151.5),
    )
    assert (table["8584"]["calls"], table["8584"]["answered"], table["8584"]["aht"]) == (
        2,
        1,
        pytest.approx(300.0),
    )


def test_connect_stream_keeps_latest_record_and_skips_abandons() -> None:
    found = rows("connect", ["record_id", "agent_id", "acw_s", "start_ts"])
    # c-0001 comes twice (at-least-once delivery); the later LastUpdateTimestamp (acw 40) wins.
    assert [r[3] for r in found if r[1] == "c-0001" and r[5] is None] == [40.0]
    assert [r[5] for r in found if r[1] == "c-0001"].count("duplicate") == 1
    assert [r[5:] for r in found if r[1] == "c-0003"] == [("skipped", "no agent")]
    # 16:30 UTC is 00:30 the next day in Shanghai
    assert [r[4] for r in found if r[1] == "c-0005"] == [datetime(2026, 10, 9, 0, 30)]
    assert len(found) == 6  # six records in the stream, two of them on one line


def test_connect_csv_with_dotted_headers_reads_the_same() -> None:
    columns = ["record_id", "agent_id", "talk_s", "hold_s", "acw_s", "start_ts"]
    from_json = sorted(r[1:] for r in rows("connect", columns))
    from_csv = sorted(r[1:] for r in rows("connect", columns, path="ctr.csv"))
    assert from_json == from_csv


def test_connect_scores_by_hand() -> None:
    result = run_score(PRESET_DATA / "connect" / "config.yaml", PRESET_DATA / "connect")
    aht = dict(result.agents.select("agent_id", "aht").iter_rows())
    # anna: (200+20+40) + (100+0+10) over 2; bob: (400+0+60) + (110+5+15) over 2
    assert aht == {"anna": pytest.approx(185.0), "bob": pytest.approx(295.0)}


def test_genesys_milliseconds_names_and_non_acd() -> None:
    found = rows("genesys", ["agent_id", "handle_s", "acw_s"])
    assert found == [
        (2, "G01", 255.0, 45.0, None, None),
        (3, None, None, None, "skipped", "no agent"),
        (4, "G01", 75.0, 15.0, None, None),
        (5, "G02", 120.0, None, "skipped", "excluded by where"),
        (6, "G02", 270.0, 20.0, None, None),
    ]


def test_zendesk_minutes_and_good_bad_ratings() -> None:
    found = rows("zendesk", ["agent_id", "first_response_s", "csat_good", "satisfaction"])
    assert found == [
        (2, "Kim Lee", 1800.0, True, "Good", None, None),
        (3, "Kim Lee", 5400.0, False, "Bad", None, None),
        (4, None, None, None, "Not Offered", "skipped", "no agent"),
        (5, "Sam Park", 900.0, None, "Offered", None, None),
        (6, "Sam Park", 2700.0, True, "Good", None, None),
    ]


def test_clink_chinese_export_with_title_and_total() -> None:
    found = rows("clink", ["agent_id", "talk_s", "handle_s", "outcome", "answer_ts"])
    assert found == [
        (3, "0101", 125.0, 135.0, "answered", datetime(2026, 10, 8, 9, 0, 10), None, None),
        (4, "0101", 0.0, 40.0, "no_answer", None, None, None),
        (5, "0102", 200.0, 205.0, "answered", datetime(2026, 10, 8, 10, 0, 5), None, None),
        (6, "0102", 125.0, 133.0, "answered", datetime(2026, 10, 9, 11, 0, 8), None, None),
        (7, "0102", 0.0, 20.0, "no_answer", None, None, None),
        (8, "合计", 450.0, None, None, None, "skipped", "total row"),
    ]


def test_cn_chat_session_xlsx_merged_agents_and_name_aliases() -> None:
    config = config_of("cn_chat")
    frame = read_source(config, "chats", PRESET_DATA / "cn_chat").frame.collect().sort(ROW)
    found = frame.select(ROW, "agent_id", "first_response_s", "csat", "resolved", STATUS).rows()
    assert found == [
        (4, "W001", 20.0, 5.0, True, None),
        (5, "W001", 40.0, 4.0, True, None),
        (6, "W001", 90.0, 2.0, False, None),
        (7, "L002", 10.0, 5.0, True, None),
        (8, "L002", 15.0, None, True, None),
        (9, "合计", 175.0, None, None, "skipped"),
    ]


def test_cn_chat_scores_by_hand() -> None:
    result = run_score(PRESET_DATA / "cn_chat" / "config.yaml", PRESET_DATA / "cn_chat")
    table = {r["agent_id"]: r for r in result.agents.to_dicts()}
    assert table["W001"]["frt"] == pytest.approx((20 + 40 + 90) / 3)
    assert table["W001"]["csat"] == pytest.approx((5 + 4 + 2) / 3)
    assert table["W001"]["resolution"] == pytest.approx(2 / 3)
    assert table["L002"]["frt"] == pytest.approx(12.5)
    assert table["L002"]["csat"] == pytest.approx(5.0)
    assert table["W001"]["name"] == "王芳"


def test_user_overrides_a_preset_column_and_a_reader_default() -> None:
    source = SourceConfig.model_validate(
        {
            "path": "x.csv",
            "preset": "genesys-cloud-interactions",
            "where": "media = 'voice'",
            "columns": {"talk_s": {"unit": "s"}, "agent_id": "Agent Id", "site": "Site"},
        }
    )
    specs = merged_specs(source)
    # only what the user wrote changes: the header and type of talk_s stay the preset's
    assert (specs["talk_s"].from_, specs["talk_s"].type, specs["talk_s"].unit) == (
        "Total Talk",
        "duration",
        "s",
    )
    assert specs["agent_id"].from_ == "Agent Id"
    assert specs["site"].from_ == "Site"
    applied = apply_preset(source)
    assert applied.where == "media = 'voice'"  # the user's where wins over the preset's
    assert applied.no_agent == "skip" and applied.dedupe_on == ["record_id"]


def test_preset_override_in_a_run(tmp_path: Path) -> None:
    sample = (PRESET_DATA / "zendesk" / "tickets.csv").read_text(encoding="utf-8")
    (tmp_path / "tickets.csv").write_text(sample.replace("Assignee", "Agent"), encoding="utf-8")
    config = config_of("zendesk", columns={"agent_id": "Agent"})
    frame = read_source(config, "tickets", tmp_path).frame.collect()
    assert frame.filter(pl.col(STATUS).is_null())["agent_id"].unique().sort().to_list() == [
        "Kim Lee",
        "Sam Park",
    ]
