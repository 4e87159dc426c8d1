# ruff: noqa: E501  (data lines are as long as the exports they imitate)
"""Write the fixture files of the real-exports tests (exports/, presets/, bad/, real/).

The files are committed; this script documents how the binary ones (xlsx, GB18030, truncated
or random bytes) were made, and rebuilds them all:

    python tests/data/make_export_fixtures.py

Real-data extracts are taken from ../shared/data when it is there (see examples/*/PROVENANCE.md).
"""

from __future__ import annotations

import csv
import io
import json
import random
import shutil
from pathlib import Path

import openpyxl

HERE = Path(__file__).resolve().parent
SHARED = HERE.parents[2] / "shared" / "data"


def write(path: Path, content: str | bytes, encoding: str = "utf-8") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        content = content.encode(encoding)
    path.write_bytes(content)


def xlsx_bytes(rows: list[list[object]], sheet: str = "Sheet1", merges: list[str] | None = None) -> bytes:
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.title = sheet
    for row in rows:
        ws.append(row)
    for cells in merges or []:
        ws.merge_cells(cells)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# --- exports/: encodings, title rows, totals, text tricks, merged cells -------------------------

EXPORT_CALLS = """\
坐席工号,客户号码,开始时间,通话时长,满意度,备注
A1001,="013812345678",2026-10-08 09:00:00,3分25秒,95%,首次来电
A1001,'013812345679,2026-10-08 09:30:00,00:02:05,"80.5%","多行
备注"
A1002,13812345680,2026-10-08 10:00:00,"1,234",N/A,--
 A1002 ,13812345681,2026-10-08 10:30:00,65,-,
A1003,123456789012345678901,2026-10-08 11:00:00,1分,12.34%,
"""

EXPORTS_CONFIG = """\
# Reading real exports: the same calls saved as GB18030 and as UTF-8 with a BOM.
name: exports
timezone: Asia/Shanghai
sources:
  calls:
    path: calls.csv
    columns:
      agent_id: 坐席工号
      customer: 客户号码
      started_at: {from: 开始时间, type: datetime}
      talk_s: {from: 通话时长, type: duration}
      csat: {from: 满意度, type: percent}
      note: 备注
measures:
  calls: {source: calls, agg: count}
  talk_s: {source: calls, agg: sum, value: talk_s}
  rated: {source: calls, agg: count, value: csat}
  csat_sum: {source: calls, agg: sum, value: csat}
metrics:
  aht: {ratio: [talk_s, calls], unit: seconds, better: lower}
  csat: {ratio: [csat_sum, rated], unit: percent}
scorecards:
  main:
    categories:
      all:
        weight: 100
        metrics:
          aht: {weight: 50, points: {linear: {floor: 600, target: 60}}}
          csat: {weight: 50, points: {linear: {floor: 0.5, target: 0.9}}}
"""

TITLE_FOOTER = """\
坐席通话明细报表
导出时间：2026-11-01 08:00,,,
,,,
坐席工号,通话时长（秒）,是否接通,日期
A1,60,是,2026-10-08
A2,120,否,2026-10-08

A1,30,是,2026-10-09
合计,210,,
Grand Total,210,,
"""

HEADER_VARIANTS = "\ufeff Agent ID ,通话时长(秒),IS CONNECTED\nA1,60,Y\nA2,30,N\n"


def make_exports() -> None:
    folder = HERE / "exports"
    write(folder / "gb18030" / "calls.csv", EXPORT_CALLS, "gb18030")
    write(folder / "utf8_bom" / "calls.csv", "\ufeff" + EXPORT_CALLS)
    write(folder / "utf16" / "calls.csv", EXPORT_CALLS.replace(",", "\t"), "utf-16")
    write(folder / "exports.yaml", EXPORTS_CONFIG)
    write(folder / "title_footer.csv", TITLE_FOOTER)
    write(folder / "header_variants.csv", HEADER_VARIANTS)
    rows: list[list[object]] = [
        ["", "坐席日报（2026年10月）", "", "", ""],
        [],
        ["", "坐席工号", "日期", "通话量", "通话时长"],
        ["", "A1", "2026-10-08", 10, "00:30:00"],
        ["", None, "2026-10-09", 12, "00:40:00"],
        ["", None, "2026-10-10", 8, "00:20:00"],
        ["", "A2", "2026-10-08", 20, "01:00:00"],
        ["", None, "2026-10-09", 5, "00:10:00"],
        [],
        ["", "合计", None, 55, "02:40:00"],
    ]
    write(folder / "merged.xlsx", xlsx_bytes(rows, "日报", merges=["B4:B6", "B7:B8"]))


# --- presets/: one small sample per vendor preset -------------------------------------------------

ASTERISK_MASTER = '''\
"","02155501234","8002","from-internal","""Joana D'Arc"" <02155501234>","SIP/trunk-00000010","SIP/8002-00000011","Dial","SIP/8002,30,tT","2026-10-08 09:00:05","2026-10-08 09:00:12","2026-10-08 09:03:40",215,208,"ANSWERED","DOCUMENTATION","1759885205.16"
"","02155501235","8002","from-internal","""Wang Fang"" <02155501235>","SIP/trunk-00000012","SIP/8002-00000013","Dial","SIP/8002,30,tT","2026-10-08 09:10:00",,"2026-10-08 09:10:30",30,0,"NO ANSWER","DOCUMENTATION","1759885800.18"
"","13800138000","600","from-queue","""Li Lei"" <13800138000>","PJSIP/trunk-0000001a","PJSIP/8584-00000009","Queue","support-420","2026-10-08 10:00:00","2026-10-08 10:00:20","2026-10-08 10:05:20",320,300,"ANSWERED","DOCUMENTATION","1759888800.20"
"","13800138001","600","from-queue","""Zhao Min"" <13800138001>","PJSIP/trunk-0000001b","PJSIP/8584-0000000a","Queue","support-420","2026-10-08 10:30:00",,"2026-10-08 10:30:05",5,0,"BUSY","DOCUMENTATION","1759890600.21"
"","02155509999","9999","from-internal","","SIP/trunk-0000001c","","Dial","SIP/trunk/9999","2026-10-08 11:00:00",,"2026-10-08 11:00:01",1,0,"FAILED","DOCUMENTATION","1759892400.22"
"","02155501236","8002","from-internal","""Sun Li"" <02155501236>","SIP/trunk-0000001d","SIP/8002-0000001e","Dial","SIP/8002,30,tT","2026-10-08 14:00:00","2026-10-08 14:00:05","2026-10-08 14:01:40",100,95,"ANSWERED","DOCUMENTATION","1759903200.23"
"","02155501237","8584","from-fxo","""Qian Yu"" <02155501237>","DAHDI/1-1","PJSIP/8584-0000000b","Dial","PJSIP/8584","2026-10-08 15:00:00","2026-10-08 15:00:03","2026-10-08 15:02:00",120,"from-fxo-gw","ANSWERED","DOCUMENTATION","1759906800.24"
'''

ASTERISK_CONFIG = """\
name: Asterisk CDR
timezone: Asia/Shanghai
sources:
  cdr:
    path: Master.csv
    preset: asterisk-master-csv
measures:
  calls: {source: cdr, agg: count}
  answered: {source: cdr, agg: count, where: "outcome = 'answered'"}
  talk_s: {source: cdr, agg: sum, value: talk_s, where: "outcome = 'answered'"}
metrics:
  answer_rate: {ratio: [answered, calls], unit: percent}
  aht: {ratio: [talk_s, answered], unit: seconds, better: lower}
scorecards:
  agents:
    categories:
      all:
        weight: 100
        metrics:
          answer_rate: {weight: 50, points: {linear: {floor: 0.3, target: 0.9}}}
          aht: {weight: 50, points: {linear: {floor: 400, target: 120}}}
"""

CONNECT_RECORDS = [
    {
        "AWSAccountId": "123456789012",
        "ContactId": "c-0001",
        "Channel": "VOICE",
        "InitiationMethod": "INBOUND",
        "InitiationTimestamp": "2026-10-08T01:00:00Z",
        "ConnectedToSystemTimestamp": "2026-10-08T01:00:02Z",
        "DisconnectTimestamp": "2026-10-08T01:05:00Z",
        "LastUpdateTimestamp": "2026-10-08T01:05:30Z",
        "DisconnectReason": "CUSTOMER_DISCONNECT",
        "Queue": {"Name": "Support", "EnqueueTimestamp": "2026-10-08T01:00:05Z", "Duration": 25},
        "Agent": {
            "Username": "anna",
            "ConnectedToAgentTimestamp": "2026-10-08T01:00:30Z",
            "AgentInteractionDuration": 200,
            "CustomerHoldDuration": 20,
            "AfterContactWorkDuration": 30,
            "NumberOfHolds": 1,
        },
        "Attributes": {"csat": "5"},
    },
    {
        "ContactId": "c-0002",
        "Channel": "VOICE",
        "InitiationMethod": "INBOUND",
        "InitiationTimestamp": "2026-10-08T02:00:00Z",
        "DisconnectTimestamp": "2026-10-08T02:03:00Z",
        "LastUpdateTimestamp": "2026-10-08T02:03:10Z",
        "Queue": {"Name": "Support", "EnqueueTimestamp": "2026-10-08T02:00:03Z", "Duration": 10},
        "Agent": {
            "Username": "anna",
            "ConnectedToAgentTimestamp": "2026-10-08T02:00:15Z",
            "AgentInteractionDuration": 100,
            "CustomerHoldDuration": 0,
            "AfterContactWorkDuration": 10,
            "NumberOfHolds": 0,
        },
    },
    {
        "ContactId": "c-0003",
        "Channel": "VOICE",
        "InitiationMethod": "INBOUND",
        "InitiationTimestamp": "2026-10-08T03:00:00Z",
        "DisconnectTimestamp": "2026-10-08T03:01:00Z",
        "LastUpdateTimestamp": "2026-10-08T03:01:05Z",
        "DisconnectReason": "CUSTOMER_DISCONNECT",
        "Queue": {"Name": "Support", "EnqueueTimestamp": "2026-10-08T03:00:04Z", "Duration": 56},
        "Agent": None,
    },
    {
        "ContactId": "c-0004",
        "Channel": "CHAT",
        "InitiationMethod": "API",
        "InitiationTimestamp": "2026-10-08T04:00:00Z",
        "DisconnectTimestamp": "2026-10-08T04:10:00Z",
        "LastUpdateTimestamp": "2026-10-08T04:10:20Z",
        "Queue": {"Name": "Chat", "EnqueueTimestamp": "2026-10-08T04:00:01Z", "Duration": 5},
        "Agent": {
            "Username": "bob",
            "ConnectedToAgentTimestamp": "2026-10-08T04:00:06Z",
            "AgentInteractionDuration": 400,
            "CustomerHoldDuration": 0,
            "AfterContactWorkDuration": 60,
            "NumberOfHolds": 0,
        },
    },
    {
        "ContactId": "c-0005",
        "Channel": "VOICE",
        "InitiationMethod": "OUTBOUND",
        "InitiationTimestamp": "2026-10-08T16:30:00Z",
        "DisconnectTimestamp": "2026-10-08T16:32:00Z",
        "LastUpdateTimestamp": "2026-10-08T16:32:05Z",
        "Agent": {
            "Username": "bob",
            "ConnectedToAgentTimestamp": "2026-10-08T16:30:10Z",
            "AgentInteractionDuration": 110,
            "CustomerHoldDuration": 5,
            "AfterContactWorkDuration": 15,
            "NumberOfHolds": 1,
        },
    },
]


def connect_stream() -> str:
    """Firehose style: objects written back to back, several on a line, with a late update of c-0001."""
    first, second, third, fourth, fifth = CONNECT_RECORDS
    updated = json.loads(json.dumps(first))
    updated["LastUpdateTimestamp"] = "2026-10-08T01:06:00Z"
    updated["Agent"]["AfterContactWorkDuration"] = 40
    dumps = [json.dumps(r, ensure_ascii=False) for r in (first, second, third, updated, fourth, fifth)]
    return dumps[0] + dumps[1] + "\n" + dumps[2] + "\n" + dumps[3] + dumps[4] + "\n" + dumps[5] + "\n"


def connect_csv() -> str:
    """The same records flattened with dotted headers (how CSV exports of CTRs look)."""
    records = [json.loads(line) for line in _split_objects(connect_stream())]
    flat: list[dict[str, object]] = []
    for record in records:
        row: dict[str, object] = {}
        _flatten(record, "", row)
        flat.append(row)
    headers: list[str] = []
    for row in flat:
        headers += [k for k in row if k not in headers]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=headers, lineterminator="\n")
    writer.writeheader()
    writer.writerows(flat)
    return out.getvalue()


def _split_objects(text: str) -> list[str]:
    decoder = json.JSONDecoder()
    position, parts = 0, []
    while True:
        while position < len(text) and text[position] in " \n":
            position += 1
        if position >= len(text):
            return parts
        value, end = decoder.raw_decode(text, position)
        parts.append(json.dumps(value))
        position = end


def _flatten(value: object, prefix: str, into: dict[str, object]) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _flatten(item, f"{prefix}.{key}" if prefix else key, into)
    else:
        into[prefix] = "" if value is None else value


CONNECT_CONFIG = """\
name: Amazon Connect
timezone: Asia/Shanghai
sources:
  contacts:
    path: ctr.json
    preset: amazon-connect-ctr
measures:
  contacts: {source: contacts, agg: count}
  handle_s: {source: contacts, agg: sum, value: "talk_s + hold_s + acw_s"}
metrics:
  aht: {ratio: [handle_s, contacts], unit: seconds, better: lower}
scorecards:
  agents:
    categories:
      all: {weight: 100, metrics: {aht: {weight: 100, points: {linear: {floor: 600, target: 180}}}}}
"""

GENESYS = """\
Conversation ID,Date,End Date,Direction,Media Type,Queue,Users - Interacted,Abandoned,Transferred,Non-ACD,Wrap-up,Disconnect Type,Total Queue,Total Alert,Total Talk,Total Hold,Total ACW,Total Handle,Survey Score,Promoter Score
0a1b-0001,2026-10-08 09:00:00,2026-10-08 09:04:30,Inbound,voice,Support,Mei Chen,NO,NO,NO,Resolved,External,15000,4000,180000,30000,45000,255000,4,9
0a1b-0002,2026-10-08 09:10:00,2026-10-08 09:11:02,Inbound,voice,Support,,YES,NO,NO,,External,62000,,,,,,,
0a1b-0003,2026-10-08 10:00:00,2026-10-08 10:01:15,Outbound,voice,Sales,Mei Chen,NO,NO,NO,ININ-WRAP-UP-TIMEOUT,Agent,,3000,60000,0,15000,75000,,
0a1b-0004,2026-10-08 11:00:00,2026-10-08 11:02:00,Inbound,voice,,Tom Baker,NO,NO,YES,,Agent,,,120000,,,120000,,
0a1b-0005,2026-10-08 12:00:00,2026-10-08 12:04:30,Inbound/Outbound,callback,Support,Tom Baker,NO,YES,NO,Resolved,External,20000,5000,240000,10000,20000,270000,5,10
"""

GENESYS_CONFIG = """\
name: Genesys Cloud
sources:
  conversations:
    path: interactions.csv
    preset: genesys-cloud-interactions
agent_id:
  aliases: {Mei Chen: G01, Tom Baker: G02}     # the export names agents; the scheme uses ids
measures:
  handled: {source: conversations, agg: count}
  handle_s: {source: conversations, agg: sum, value: handle_s}
  talk_s: {source: conversations, agg: sum, value: talk_s}
metrics:
  aht: {ratio: [handle_s, handled], unit: seconds, better: lower}
scorecards:
  agents:
    categories:
      all: {weight: 100, metrics: {aht: {weight: 100, points: {linear: {floor: 600, target: 180}}}}}
"""

ZENDESK = '''\
Summation column,Id,Requester,Requester id,Assignee,Group,Subject,Tags,Status,Priority,Via,Ticket type,Created at,Updated at,Solved at,Resolution time,Satisfaction Score,Reopens,Replies,First reply time in minutes,First reply time in minutes within business hours,First resolution time in minutes,Full resolution time in minutes,Agent wait time in minutes,Requester wait time in minutes,On hold time in minutes
,101,Ann Smith,9001,Kim Lee,Support,Refund not received,refund vip,Solved,Normal,Email,Question,2026-10-08 09:00:00,2026-10-08 12:00:00,2026-10-08 11:00:00,2,Good,0,3,30,30,120,120,60,60,0
,102,Bo Wang,9002,Kim Lee,Support,Wrong size,exchange,Closed,High,Web form,Problem,2026-10-08 10:00:00,2026-10-09 10:00:00,2026-10-08 20:00:00,10,Bad,1,6,90,60,300,600,400,200,0
,103,Cy Li,9003,,Support,Spam?,,New,Low,Email,,2026-10-08 11:00:00,2026-10-08 11:00:00,,,Not Offered,0,0,,,,,,,
,104,Di Zhou,9004,Sam Park,Billing,Invoice copy,invoice,Open,Normal,Chat,Question,2026-10-08 12:00:00,2026-10-08 12:20:00,,,Offered,0,1,15,15,,,,,
,105,Ed Qian,9005,Sam Park,Billing,"Can't log in, ""urgent""",login,Solved,Urgent,Email,Incident,2026-10-08 13:00:00,2026-10-08 15:00:00,2026-10-08 14:30:00,2,Good,0,2,45,45,90,90,30,60,0
'''

ZENDESK_CONFIG = """\
name: Zendesk tickets
sources:
  tickets:
    path: tickets.csv
    preset: zendesk-tickets
measures:
  tickets: {source: tickets, agg: count}
  frt_s: {source: tickets, agg: sum, value: first_response_s}
  replied: {source: tickets, agg: count, value: first_response_s}
  rated: {source: tickets, agg: count, value: csat_good}
  good: {source: tickets, agg: count, where: csat_good}
metrics:
  frt: {ratio: [frt_s, replied], unit: seconds, better: lower}
  csat: {ratio: [good, rated], unit: percent}
scorecards:
  agents:
    categories:
      all:
        weight: 100
        metrics:
          frt: {weight: 50, points: {linear: {floor: 7200, target: 900}}}
          csat: {weight: 50, points: {linear: {floor: 0.5, target: 0.95}}}
"""

CLINK = """\
通话记录（呼出）导出：2026-10-08 至 2026-10-09
座席工号,座席名称,客户号码,开始时间,接通时间,结束时间,通话时长,总时长,接听状态,挂机方,满意度
0101,张伟,1862831****,2026-10-08 09:00:00,2026-10-08 09:00:10,2026-10-08 09:02:15,125,135,33,客户,满意
0101,张伟,1391234****,2026-10-08 09:10:00,--,2026-10-08 09:10:40,0,40,32,--,--
0102,李娜,1380000****,2026-10-08 10:00:00,2026-10-08 10:00:05,2026-10-08 10:03:25,00:03:20,3分25秒,双方接听,座席,非常满意
0102,李娜,1350000****,2026-10-09 11:00:00,2026-10-09 11:00:08,2026-10-09 11:02:13,2分5秒,2分13秒,33,客户,一般
0102,李娜,1330000****,2026-10-09 11:30:00,--,2026-10-09 11:30:20,0,20,30,--,--
合计,,,,,,7分30秒,,,,
"""

CLINK_CONFIG = """\
name: 天润融通 外呼
timezone: Asia/Shanghai
sources:
  calls:
    path: cdr.csv
    preset: clink-cdr
measures:
  dials: {source: calls, agg: count}
  answered: {source: calls, agg: count, where: "outcome = 'answered'"}
  talk_s: {source: calls, agg: sum, value: talk_s, where: "outcome = 'answered'"}
metrics:
  connect_rate: {ratio: [answered, dials], unit: percent}
  aht: {ratio: [talk_s, answered], unit: seconds, better: lower}
scorecards:
  agents:
    categories:
      all:
        weight: 100
        metrics:
          connect_rate: {weight: 50, points: {linear: {floor: 0.2, target: 0.8}}}
          aht: {weight: 50, points: {linear: {floor: 400, target: 100}}}
"""

CN_CHAT_CONFIG = """\
name: 在线客服会话
timezone: Asia/Shanghai
roster:
  path: roster.csv
  columns: {agent_id: 工号, name: 姓名}
agent_id:
  alias_columns: [name]        # the export names agents (客服); the roster maps names to ids
sources:
  chats:
    path: sessions.xlsx
    preset: cn-chat-session
    fill_down: [agent_id]      # 客服 is a merged cell over each agent's sessions
measures:
  sessions: {source: chats, agg: count}
  frt_sum: {source: chats, agg: sum, value: first_response_s}
  replied: {source: chats, agg: count, value: first_response_s}
  rated: {source: chats, agg: count, value: csat}
  stars: {source: chats, agg: sum, value: csat}
  resolved: {source: chats, agg: count, where: resolved}
metrics:
  frt: {ratio: [frt_sum, replied], unit: seconds, better: lower}
  csat: {ratio: [stars, rated], unit: score}
  resolution: {ratio: [resolved, sessions], unit: percent}
scorecards:
  agents:
    categories:
      all:
        weight: 100
        metrics:
          frt: {weight: 40, points: {linear: {floor: 120, target: 30}}}
          csat: {weight: 30, points: {linear: {floor: 3, target: 5}}}
          resolution: {weight: 30, points: {linear: {floor: 0.5, target: 0.9}}}
"""


def make_presets() -> None:
    folder = HERE / "presets"
    write(folder / "asterisk" / "Master.csv", ASTERISK_MASTER)
    write(folder / "asterisk" / "config.yaml", ASTERISK_CONFIG)
    write(folder / "connect" / "ctr.json", connect_stream())
    write(folder / "connect" / "ctr.csv", connect_csv())
    write(folder / "connect" / "config.yaml", CONNECT_CONFIG)
    write(folder / "genesys" / "interactions.csv", GENESYS)
    write(folder / "genesys" / "config.yaml", GENESYS_CONFIG)
    write(folder / "zendesk" / "tickets.csv", ZENDESK)
    write(folder / "zendesk" / "config.yaml", ZENDESK_CONFIG)
    write(folder / "clink" / "cdr.csv", CLINK, "gb18030")
    write(folder / "clink" / "config.yaml", CLINK_CONFIG)
    header = ["客服", "所在组织架构", "客户", "会话开始时间", "会话结束时间", "会话状态", "排队时长（秒）",
              "首次响应时长（秒）", "会话时长（秒）", "满意度", "是否已解决", "会话消息数", "会话有效性"]  # fmt: skip
    rows: list[list[object]] = [
        ["在线会话明细 2026-10-08"],
        [],
        header,
        ["王芳", "售后/一组", "访客1", "2026-10-08 09:00:00", "2026-10-08 09:05:00", "已结束", 5, 20, 300, "非常满意", "是", 12, "有效"],
        [None, "售后/一组", "访客2", "2026-10-08 10:00:00", "2026-10-08 10:10:00", "已结束", 3, 40, 600, "满意", "是", 20, "有效"],
        [None, "售后/一组", "访客3", "2026-10-08 11:00:00", "2026-10-08 11:02:00", "已结束", 8, 90, 120, "不满意", "否", 4, "有效"],
        ["李雷", "售后/二组", "访客4", "2026-10-08 09:30:00", "2026-10-08 09:36:00", "已结束", 2, 10, 360, 5, "是", 15, "有效"],
        [None, "售后/二组", "访客5", "2026-10-08 13:00:00", "2026-10-08 13:04:00", "已结束", 4, 15, 240, None, "是", 9, "有效"],
        ["合计", None, None, None, None, None, 22, 175, 1620, None, None, 60, None],
    ]  # fmt: skip
    write(folder / "cn_chat" / "sessions.xlsx", xlsx_bytes(rows, "会话记录", merges=["A4:A6", "A7:A8"]))
    write(folder / "cn_chat" / "roster.csv", "工号,姓名\nW001,王芳\nL002,李雷\n")
    write(folder / "cn_chat" / "config.yaml", CN_CHAT_CONFIG)


# --- bad/: the bad-input corpus -------------------------------------------------------------------

BASE_CONFIG = """\
name: bad input
sources:
  calls:
    path: {path}
{source_extra}    columns:
      agent_id: 坐席工号
      talk_s: {{from: 通话时长, type: duration}}
      day: {{from: 日期, type: date}}
      answered: {{from: 是否接通, type: bool}}
{more_sources}measures:
  calls: {{source: calls, agg: count}}
  answered: {{source: calls, agg: count, where: answered}}
  talk_s: {{source: calls, agg: sum, value: talk_s}}
metrics:
  answer_rate: {{ratio: [answered, calls], unit: percent}}
  aht: {{ratio: [talk_s, answered], unit: seconds, better: lower}}
scorecards:
  main:
    categories:
      all:
        weight: 100
        metrics:
          answer_rate: {{weight: 50, points: {{linear: {{floor: 0.5, target: 0.9}}}}}}
          aht: {{weight: 50, points: {{linear: {{floor: 600, target: 180}}}}}}
"""

HEADER = "坐席工号,通话时长,日期,是否接通\n"
GOOD_ROWS = "A1,00:03:00,2026-10-08,是\nA2,120,2026-10-08,否\nA2,90,2026-10-09,是\n"


def config(path: str = "calls.csv", source_extra: str = "", more_sources: str = "", **replace: str) -> str:
    text = BASE_CONFIG.format(path=path, source_extra=source_extra, more_sources=more_sources)
    for old, new in replace.items():
        old_text = old.replace("__", " ")
        assert old_text in text, old_text
        text = text.replace(old_text, new)
    return text


def good_xlsx() -> bytes:
    rows = [line.split(",") for line in (HEADER + GOOD_ROWS).splitlines()]
    return xlsx_bytes([list(r) for r in rows])


def make_bad() -> None:
    folder = HERE / "bad"
    if folder.exists():
        shutil.rmtree(folder)
    rng = random.Random(3)
    cases: dict[str, dict[str, str | bytes]] = {
        "empty_file": {"calls.csv": b""},
        "header_only": {"calls.csv": HEADER + GOOD_ROWS, "complaints.csv": "投诉单号,坐席工号\n"},
        "only_blank_lines": {"calls.csv": "\n\n\n"},
        "wrong_delimiter": {"calls.csv": (HEADER + GOOD_ROWS).replace(",", ";")},
        "binary_file": {"calls.csv": bytes(rng.randrange(256) for _ in range(600)) + b"\x00"},
        "truncated_xlsx": {"calls.xlsx": good_xlsx()[:900]},
        "xlsx_named_csv": {"calls.csv": good_xlsx()},
        "duplicate_headers": {"calls.csv": "坐席工号,通话时长,日期,是否接通,通话时长\nA1,60,2026-10-08,是,70\n"},
        "missing_column": {"calls.csv": (HEADER + GOOD_ROWS).replace("是否接通", "是否接听")},
        "missing_file": {"other.csv": HEADER + GOOD_ROWS},
        "mixed_types": {"calls.csv": HEADER + "A1,00:03:00,2026-10-08,是\nA2,abc,2026-10-08,否\n"},
        "negative_duration": {"calls.csv": HEADER + GOOD_ROWS + "A3,-30,2026-10-09,是\n"},
        "dates_two_formats": {"calls.csv": HEADER + "A1,60,2026-10-08,是\nA2,60,08/10/2026,是\n"},
        "bad_bool": {"calls.csv": HEADER + GOOD_ROWS + "A1,60,2026-10-08,maybe\n"},
        "empty_agent": {"calls.csv": HEADER + "A1,60,2026-10-08,是\n,60,2026-10-08,是\n"},
        "unknown_agent": {"calls.csv": HEADER + GOOD_ROWS, "roster.csv": "工号,姓名\nA1,张三\n"},
        "mixed_encoding": {"calls.csv": (HEADER + GOOD_ROWS).encode() + "A3,60,2026-10-09,否\n".encode("gbk")},
        "unterminated_quote": {"calls.csv": HEADER + 'A1,60,2026-10-08,是\nA2,"00:02:00,2026-10-08,否\n'},
        "xlsx_wrong_sheet": {"calls.xlsx": good_xlsx()},
        "header_row_past_end": {"calls.csv": HEADER + GOOD_ROWS},
        "unknown_encoding": {"calls.csv": HEADER + GOOD_ROWS},
        "wrong_encoding_forced": {"calls.csv": (HEADER + GOOD_ROWS).encode("gb18030")},
        "bad_json": {"calls.json": '{"坐席工号": "A1", "通话时长": 60, "日期": "2026-10-08", "是否接通": "是"}\n{"坐席工号": "A2", '},
        "json_not_objects": {"calls.json": "[1, 2, 3]\n"},
        "extract_no_match": {
            "Master.csv": ASTERISK_MASTER.replace("SIP/8002-00000013", "Zap/12-1")
        },
        "lookup_miss": {
            "calls.csv": "通话ID,坐席工号\nC1,A1\nC2,A2\n",
            "details.csv": "通话ID,通话时长\nC1,60\nC9,30\n",
        },
        "alias_conflict": {"calls.csv": HEADER + GOOD_ROWS, "roster.csv": "工号,别名\nA1,Ann;Zhang\nA2,Zhang\n"},
        "datetime_garbage": {"cdr.csv": CLINK.replace("2026-10-08 10:00:00,", "2026/13/45 25:00,", 1).encode("gb18030")},
        "weights_not_summing": {"calls.csv": HEADER + GOOD_ROWS},
        "circular_extends": {},
        "misspelt_key": {},
        "unknown_preset": {},
        "unknown_measure": {},
        "yaml_syntax": {},
        "bad_extract_regex": {},
        "fill_down_unknown": {},
        "agent_from_unknown_source": {},
        "bad_type_literal": {},
        "where_unknown_column": {},
        "empty_config": {},
        "three_mistakes": {"calls.csv": (HEADER + GOOD_ROWS).replace("通话时长", "通话时间")},
    }  # fmt: skip
    configs: dict[str, str] = {
        "truncated_xlsx": config("calls.xlsx"),
        "xlsx_wrong_sheet": config("calls.xlsx", source_extra="    sheet: 通话\n"),
        "header_row_past_end": config(source_extra="    header_row: 40\n"),
        "unknown_encoding": config(source_extra="    encoding: utf-9\n"),
        "wrong_encoding_forced": config(source_extra="    encoding: utf-8\n"),
        "bad_json": config("calls.json"),
        "json_not_objects": config("calls.json"),
        "unknown_agent": config().replace("sources:", "roster:\n  path: roster.csv\n  columns: {agent_id: 工号, name: 姓名}\nsources:"),
        "alias_conflict": config().replace(
            "sources:",
            "roster:\n  path: roster.csv\n  columns: {agent_id: 工号, aliases: {from: 别名, required: false}}\n"
            "agent_id: {alias_columns: [aliases]}\nsources:",
        ),
        "weights_not_summing": config(**{"answer_rate: {weight: 50": "answer_rate: {weight: 40"}),
        "misspelt_key": config(source_extra="    dedupe_kep: first\n"),
        "unknown_preset": config(source_extra="    preset: asterisk\n"),
        "unknown_measure": config(**{"ratio: [answered, calls]": "ratio: [answerd, calls]"}),
        "yaml_syntax": config().replace("  calls: {source: calls, agg: count}", "  calls: {source: calls, agg: count"),
        "bad_extract_regex": config(**{"      agent_id: 坐席工号": "      agent_id: {from: 坐席工号, extract: '(A\\d+'}"}),
        "fill_down_unknown": config(source_extra="    fill_down: [agnet_id]\n"),
        "bad_type_literal": config(**{"type: duration}": "type: duraton}"}),
        "where_unknown_column": config(source_extra="    where: \"agnet = 'A1'\"\n"),
        "empty_config": "# nothing here yet\n",
        "three_mistakes": config(source_extra="    dedupe_kep: first\n", **{"answer_rate: {weight: 50": "answer_rate: {weight: 40"}),
    }  # fmt: skip
    configs["extract_no_match"] = ASTERISK_CONFIG
    configs["header_only"] = config(
        more_sources="  complaints:\n    path: complaints.csv\n    columns: {complaint_id: 投诉单号, agent_id: 坐席工号}\n"
    ).replace(
        "  talk_s: {source: calls,",
        "  complaints: {source: complaints, agg: count}\n  talk_s: {source: calls,",
    )
    configs["datetime_garbage"] = CLINK_CONFIG.replace("path: cdr.csv", "path: cdr.csv")
    configs["lookup_miss"] = """\
sources:
  calls:
    path: calls.csv
    columns: {call_id: 通话ID, agent_id: 坐席工号}
  details:
    path: details.csv
    columns: {call_id: 通话ID, talk_s: {from: 通话时长, type: duration}}
    agent_from: {source: calls, key: call_id}
measures:
  calls: {source: details, agg: count}
  talk_s: {source: details, agg: sum, value: talk_s}
metrics:
  aht: {ratio: [talk_s, calls], unit: seconds, better: lower}
scorecards:
  main:
    categories:
      all: {weight: 100, metrics: {aht: {weight: 100, points: {linear: {floor: 600, target: 60}}}}}
"""
    configs["agent_from_unknown_source"] = configs["lookup_miss"].replace(
        "agent_from: {source: calls", "agent_from: {source: call"
    )
    configs["circular_extends"] = "extends: b.yaml\nname: a\n"
    for case, files in cases.items():
        for name, content in files.items():
            write(folder / case / name, content)
        write(folder / case / "config.yaml", configs.get(case, config()))
    write(folder / "circular_extends" / "b.yaml", "extends: config.yaml\nname: b\n")


# --- real/: small extracts of the real public data ------------------------------------------------


def make_real() -> None:
    folder = HERE / "real"
    workbook = SHARED / "call-centre-reps-sales" / "Call Center Data.xlsx"
    if workbook.exists():
        source = openpyxl.load_workbook(workbook, read_only=True, data_only=True)["Data"]
        book = openpyxl.Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.title = "Data"
        for row in source.iter_rows(min_row=1, max_row=43, max_col=17):
            for cell in row:
                if cell.value is not None and hasattr(cell, "coordinate"):
                    sheet[cell.coordinate] = cell.value
        folder.mkdir(parents=True, exist_ok=True)
        book.save(folder / "reps_head.xlsx")
    tickets = SHARED / "kaggle-customer-support-tickets" / "customer_support_tickets.csv"
    if tickets.exists():
        text = tickets.read_text(encoding="utf-8")
        reader = csv.reader(io.StringIO(text, newline=""))
        end_line = 0
        for count, _ in enumerate(reader):
            end_line = reader.line_num
            if count == 25:  # header + 25 tickets
                break
        lines = text.splitlines(keepends=True)[:end_line]
        write(folder / "tickets_head.csv", "".join(lines))


if __name__ == "__main__":
    make_exports()
    make_presets()
    make_bad()
    make_real()
