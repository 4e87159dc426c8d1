"""Vendor presets: the columns, units, codes and reader settings of known contact-centre exports.

A source with `preset: <name>` gets the preset's canonical columns and reader defaults. The user
can still override anything: a source key set in the config wins over the preset's default, and a
column given in `columns:` is merged into the preset's column (a bare header replaces only `from`;
a mapping replaces only the keys it sets).

Field lists follow the vendors' documentation as collected in docs/exports.md (sources cited there).
Canonical names follow one vocabulary across presets: `record_id`, `agent_id`, `agent_name`,
`start_ts`, `answer_ts`, `end_ts`, durations in seconds ending in `_s`, and `outcome` with the
values answered / abandoned_queue / no_answer / busy / failed / other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from csperf.config import ColumnSpec, SourceConfig

# The outcome vocabulary that every telephony preset maps its vendor codes into.
OUTCOMES = ("answered", "abandoned_queue", "abandoned_ring", "abandoned_ivr", "no_answer", "busy", "failed")


@dataclass(frozen=True)
class Preset:
    """One vendor export: canonical columns plus the reader settings that export needs."""

    name: str
    title: str
    reference: str
    columns: dict[str, ColumnSpec]
    # SourceConfig fields the preset sets unless the user's source sets them.
    reader: dict[str, Any] = field(default_factory=dict)


def _col(source: str | int | list[str], type: str = "str", **options: Any) -> ColumnSpec:
    return ColumnSpec.model_validate({"from": source, "type": type, **options})


def _optional(source: str | int | list[str], type: str = "str", **options: Any) -> ColumnSpec:
    return _col(source, type, required=False, **options)


ASTERISK_FIELDS = [
    "accountcode", "src", "dst", "dcontext", "clid", "channel", "dstchannel", "lastapp", "lastdata",
    "start", "answer", "end", "duration", "billsec", "disposition", "amaflags", "uniqueid", "userfield",
]  # fmt: skip

ASTERISK = Preset(
    name="asterisk-master-csv",
    title="Asterisk cdr_csv Master.csv (no header row; 16, 17 or 18 columns)",
    reference="Asterisk cdr_csv / cdr.conf; docs/exports.md#asterisk",
    columns={
        "record_id": _optional("uniqueid"),
        # The agent is the extension of the answering channel: SIP/8002-00000011 → 8002.
        "agent_id": _col("dstchannel", extract=r"^(?:SIP|PJSIP|IAX2|DAHDI|SCCP|Local)/([^-@/;]+)"),
        "src": _col("src"),
        "dst": _col("dst"),
        "channel": _col("channel"),
        "lastapp": _col("lastapp"),
        "start_ts": _col("start", "datetime"),
        "answer_ts": _col("answer", "datetime"),
        "end_ts": _col("end", "datetime"),
        "handle_s": _col("duration", "duration"),  # end − start
        "talk_s": _col("billsec", "duration"),  # end − answer
        "outcome": _col(
            "disposition",
            values={
                "ANSWERED": "answered",
                "NO ANSWER": "no_answer",
                "BUSY": "busy",
                "FAILED": "failed",
                "CONGESTION": "failed",
                # CDR(disposition,u) integer form
                "1": "no_answer",
                "2": "busy",
                "3": "failed",
                "4": "answered",
            },
        ),
        "raw_outcome": _col("disposition"),
    },
    reader={
        "format": "csv",
        "has_header": False,
        "column_names": ASTERISK_FIELDS,
        "timestamp": "start_ts",
        # Calls that never reached an agent channel (IVR only, outbound trunks) are not an agent's.
        "no_agent": "skip",
    },
)

CONNECT = Preset(
    name="amazon-connect-ctr",
    title="Amazon Connect contact trace records (JSON stream from Firehose, or CSV with dotted headers)",
    reference="Amazon Connect admin guide, contact records data model; docs/exports.md#amazon-connect",
    columns={
        "record_id": _col("ContactId"),
        "agent_id": _col("Agent.Username"),
        "channel": _optional(
            "Channel", values={"VOICE": "voice", "CHAT": "chat", "TASK": "task", "EMAIL": "email"}
        ),
        "direction": _optional(
            "InitiationMethod",
            values={
                "INBOUND": "inbound",
                "OUTBOUND": "outbound",
                "TRANSFER": "transfer",
                "CALLBACK": "callback",
            },
        ),
        "queue": _optional("Queue.Name"),
        "start_ts": _col("InitiationTimestamp", "datetime"),
        "enqueue_ts": _optional("Queue.EnqueueTimestamp", "datetime"),
        "answer_ts": _optional("Agent.ConnectedToAgentTimestamp", "datetime"),
        "end_ts": _optional("DisconnectTimestamp", "datetime"),
        "last_update_ts": _col("LastUpdateTimestamp", "datetime"),
        "queue_s": _optional("Queue.Duration", "duration"),
        "talk_s": _optional("Agent.AgentInteractionDuration", "duration"),
        "hold_s": _optional("Agent.CustomerHoldDuration", "duration"),
        "acw_s": _optional("Agent.AfterContactWorkDuration", "duration"),
        "holds": _optional("Agent.NumberOfHolds", "int"),
        "disconnect_reason": _optional("DisconnectReason"),
    },
    reader={
        "timestamp": "start_ts",
        # Records are delivered at least once: keep the latest version of each contact.
        "dedupe_on": ["record_id"],
        "dedupe_order_by": "last_update_ts",
        "dedupe_keep": "last",
        # `Agent` is null when the contact never reached an agent (abandoned in queue, IVR only).
        "no_agent": "skip",
    },
)

GENESYS = Preset(
    name="genesys-cloud-interactions",
    title="Genesys Cloud CX Performance > Interactions export (CSV, durations in milliseconds)",
    reference="Genesys Cloud Performance workspace export; docs/exports.md#genesys-cloud",
    columns={
        "record_id": _col("Conversation ID"),
        "agent_id": _col("Users - Interacted"),  # the agent's name; map names to ids with aliases
        "start_ts": _col("Date", "datetime"),
        "end_ts": _optional("End Date", "datetime"),
        "direction": _optional(
            "Direction",
            values={"Inbound": "inbound", "Outbound": "outbound", "Inbound/Outbound": "callback"},
        ),
        "media": _optional("Media Type"),
        "queue": _optional("Queue"),
        "abandoned": _optional("Abandoned", "bool"),
        "transferred": _optional("Transferred", "bool"),
        "non_acd": _optional("Non-ACD", "bool"),
        "wrapup": _optional("Wrap-up"),
        "disconnect_type": _optional("Disconnect Type"),
        "queue_s": _optional("Total Queue", "duration", unit="ms"),
        "ring_s": _optional("Total Alert", "duration", unit="ms"),
        "talk_s": _optional("Total Talk", "duration", unit="ms"),
        "hold_s": _optional("Total Hold", "duration", unit="ms"),
        "acw_s": _optional("Total ACW", "duration", unit="ms"),
        "handle_s": _optional("Total Handle", "duration", unit="ms"),
        "survey_score": _optional("Survey Score", "number"),
        "promoter_score": _optional("Promoter Score", "int"),
    },
    reader={
        "timestamp": "start_ts",
        "dedupe_on": ["record_id"],
        # Non-ACD conversations are direct or internal calls, not queue work.
        "where": "non_acd IS NULL OR NOT non_acd",
        # Abandoned conversations have no interacting user.
        "no_agent": "skip",
    },
)

ZENDESK = Preset(
    name="zendesk-tickets",
    title="Zendesk Support tickets CSV export (Admin export or Explore), times in minutes",
    reference="Zendesk help: exporting ticket data; docs/exports.md#zendesk",
    columns={
        "record_id": _col("Id"),
        "agent_id": _col("Assignee"),  # the agent's name at export time
        "group": _optional("Group"),
        "status": _optional("Status", values={"Hold": "hold"}),
        "priority": _optional("Priority"),
        "channel": _optional("Via"),
        "ticket_type": _optional("Ticket type"),
        "created_ts": _col("Created at", "datetime"),
        "solved_ts": _optional("Solved at", "datetime"),
        "first_response_s": _optional("First reply time in minutes", "duration", unit="min"),
        "first_resolution_s": _optional("First resolution time in minutes", "duration", unit="min"),
        "full_resolution_s": _optional("Full resolution time in minutes", "duration", unit="min"),
        "agent_wait_s": _optional("Agent wait time in minutes", "duration", unit="min"),
        "requester_wait_s": _optional("Requester wait time in minutes", "duration", unit="min"),
        "on_hold_s": _optional("On hold time in minutes", "duration", unit="min"),
        "reopens": _optional("Reopens", "int"),
        "replies": _optional("Replies", "int"),
        "satisfaction": _optional("Satisfaction Score"),
        # Good → true, Bad → false; Offered / Not Offered are not ratings.
        "csat_good": _optional(
            "Satisfaction Score",
            "bool",
            true_values=["good"],
            false_values=["bad"],
            values={"offered": None, "not offered": None, "unoffered": None},
        ),
    },
    reader={
        "timestamp": "created_ts",
        "dedupe_on": ["record_id"],
        "no_agent": "skip",  # unassigned tickets
    },
)

CLINK = Preset(
    name="clink-cdr",
    title="天润融通 Clink call records (UI export with Chinese headers, or API field names)",
    reference="Alibaba Cloud Clink CDR API (ClinkDescribeCdrIb, CloudQueryObCdr); docs/exports.md#clink",
    columns={
        "record_id": _optional(["通话ID", "通话记录ID", "唯一标识", "UniqueId", "CallId"]),
        "agent_id": _col(["座席工号", "座席号", "坐席工号", "工号", "Cno"]),
        "agent_name": _optional(["座席姓名", "座席名称", "坐席姓名", "ClientName", "AgentName"]),
        "customer_number": _optional(["客户号码", "CustomerNumber"]),
        "start_ts": _col(["开始时间", "StartTime"], "datetime"),
        "answer_ts": _optional(["接通时间", "BridgeTime"], "datetime"),
        "end_ts": _optional(["结束时间", "EndTime"], "datetime"),
        "talk_s": _col(["通话时长", "接通时长", "BridgeDuration"], "duration"),
        "handle_s": _optional(["总时长", "TotalDuration"], "duration"),
        "ring_s": _optional(["振铃时长", "IbRingingDuration"], "duration"),
        "queue_s": _optional(["排队时长", "IbWaitDuration"], "duration"),
        "outcome": _col(
            ["接听状态", "呼叫结果", "Status", "StatusCode"],
            values={
                # outbound status codes
                "33": "answered",  # 双方接听
                "52": "answered",  # 主叫外呼 双方接听
                "30": "no_answer",  # 座席未接听
                "32": "no_answer",  # 座席接听, 客户未接听
                "51": "no_answer",  # 主叫外呼 客户未接听
                "31": "failed",  # 座席接听, 未呼叫客户
                "50": "no_answer",  # 主叫外呼 接听 (agent leg only)
                # labels in the UI export
                "已接听": "answered",
                "双方接听": "answered",
                "座席接听": "answered",
                "客户未接听": "no_answer",
                "座席未接听": "no_answer",
                "未接听": "no_answer",
                "排队放弃": "abandoned_queue",
                "振铃放弃": "abandoned_ring",
                "IVR放弃": "abandoned_ivr",
                "占线": "busy",
                "呼叫失败": "failed",
            },
        ),
        "raw_outcome": _col(["接听状态", "呼叫结果", "Status", "StatusCode"]),
        "hangup_side": _optional(
            ["挂机方", "EndReason"],
            values={"客户": "customer", "客户挂机": "customer", "座席": "agent", "座席挂机": "agent"},
        ),
        "csat": _optional(["满意度", "Investigation.Keys"]),
    },
    reader={"timestamp": "start_ts", "dedupe_on": ["record_id"]},
)

CN_CHAT = Preset(
    name="cn-chat-session",
    title="Chinese chat-session export (网易七鱼 / 腾讯企点 style: 客服, 首次响应时长, 会话时长, 满意度)",
    reference="网易七鱼 session API, 腾讯企点 session export as read by importers; docs/exports.md#cn-chat",
    columns={
        "record_id": _optional(["会话ID", "会话编号", "sessionId"]),
        # Prefer a staff id; the 企点 export has only the agent's display name (客服).
        "agent_id": _col(["客服工号", "客服ID", "staffId", "客服", "客服昵称", "staffName"]),
        "agent_name": _optional(["客服", "客服昵称", "客服姓名", "staffName", "realName"]),
        "customer": _optional(["客户", "访客", "访客名称"]),
        "start_ts": _col(["会话开始时间", "开始时间", "startTime"], "datetime"),
        "end_ts": _optional(["会话结束时间", "结束时间", "endTime"], "datetime"),
        "status": _optional(["会话状态"]),
        "queue_s": _optional(["排队时长(秒)", "排队时长", "inQueueTime"], "duration"),
        "first_response_s": _optional(["首次响应时长(秒)", "首次响应时长", "客服首次响应时长"], "duration"),
        "handle_s": _optional(["会话时长(秒)", "会话时长"], "duration"),
        # 1–5 stars, or the labels 非常满意 … 非常不满意.
        "csat": _optional(
            ["满意度评分", "满意度", "evaluation"],
            "number",
            values={"非常满意": 5, "满意": 4, "一般": 3, "不满意": 2, "非常不满意": 1},
        ),
        "csat_label": _optional(["满意度标签"]),
        "resolved": _optional(["是否已解决", "解决状态"], "bool"),
        "valid": _optional(
            ["会话有效性", "isValid"],
            "bool",
            true_values=["有效", "有效会话", "是", "1"],
            false_values=["无效", "无效会话", "否", "0"],
        ),
        "messages": _optional(["会话消息数", "消息数"], "int"),
    },
    reader={"timestamp": "start_ts", "dedupe_on": ["record_id"]},
)

PRESETS: dict[str, Preset] = {p.name: p for p in (ASTERISK, CONNECT, GENESYS, ZENDESK, CLINK, CN_CHAT)}


def preset_columns(name: str) -> set[str]:
    """Canonical columns a preset provides (empty for an unknown preset)."""
    preset = PRESETS.get(name)
    return set(preset.columns) if preset else set()


def apply_preset(source: SourceConfig) -> SourceConfig:
    """The source with its preset's reader settings wherever the user's source does not set them."""
    preset = PRESETS.get(source.preset or "")
    if preset is None:
        return source
    update = {k: v for k, v in preset.reader.items() if k not in source.model_fields_set}
    return source.model_copy(update=update) if update else source


def merged_specs(source: SourceConfig) -> dict[str, ColumnSpec]:
    """Canonical columns: the preset's, with the user's `columns:` merged over them."""
    preset = PRESETS.get(source.preset or "")
    specs: dict[str, ColumnSpec] = dict(preset.columns) if preset else {}
    for name, given in source.columns.items():
        user = given if isinstance(given, ColumnSpec) else ColumnSpec.model_validate({"from": given})
        base = specs.get(name)
        if base is not None:
            # Only what the user wrote replaces the preset's settings for that column.
            update = {key: getattr(user, key) for key in user.model_fields_set}
            specs[name] = base.model_copy(update=update)
        else:
            specs[name] = user if user.from_ is not None else user.model_copy(update={"from_": name})
    return specs
