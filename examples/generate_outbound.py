"""Generate one month of exports for a fictional outbound preview-dialing team.

The story
---------
An insurance/wealth-products call centre runs an outbound *preview-dialing* team of 60 agents
(工号 A1001..A1060) in four teams (一组..四组, 15 each), about 40% seniors (高级) and 60% juniors (初级).
At the end of October 2026 the ops analyst exports everything the month produced:

* ``roster.csv``                 HR roster (UTF-8 with BOM, CRLF, as saved by Excel)
* ``dialer/calls_*.csv``         dial attempts from the dialer, two half-month files, GB18030 + CRLF
* ``crm/outcomes.xlsx``          one CRM row per connected call: business type, sale, first-contact resolution
* ``qa_reviews.csv``             QA reviews of sampled recordings (about 8 per agent)
* ``surveys.csv``                post-call SMS survey answers (CSAT 1-5, NPS 0-10, ~20% of connected calls)
* ``complaints.csv``             customer complaints, with the investigation verdict (是否有效)
* ``training.csv``               courses completed in October
* ``kb_contributions.csv``       knowledge-base articles submitted in October

Working-day calendar (mainland China, 2026): the National Day holiday runs 2026-10-01..2026-10-07,
Saturday 2026-10-10 is an official make-up working day (调休上班), all other Mon-Fri are working days.
That gives 18 working days: 10-08, 10-09, 10-10 (Sat), 10-12..10-16, 10-19..10-23, 10-26..10-30.
Dials happen 09:00-20:30 local time; weekday 10-12h connects about 15% better than evenings (18h+).

Every agent has a latent skill; connect rate, conversion, FCR, CSAT, QA score and talk time all lean
on it (plus individual noise), so good agents connect more, convert more and please customers more.
Seniors are drawn slightly more skilled. A few agents are deliberately special (see ``SPECIAL``):

* A1007 over-dialer: ~90 dials/day, heavy at bad (evening) hours, low connect and conversion,
  low CSAT, 5 complaints of which 4 valid.
* A1023 compliance streak: a strong senior whose 4 consecutive QA reviews (of 8) are violations
  "承诺保证收益" (promised guaranteed returns); high conversion; took a remedial course.
* A1036 complaint magnet: 3 complaints, 2 of them valid ("服务态度差"); low CSAT.
* A1044 leaver: 离职日期 2026-10-20, no dials after that day.
* A1014 / A1029 / A1058 hired during October (2026-10-12 / 10-19 / 10-28), ramping up their volume;
  A1058 joined so late that he has very few dials (3 working days) and only 3 survey answers.
* A1049 small survey sample: the survey SMS was misconfigured for her extension, only 4 answers.

The special agents carry only their designed anomaly (no random complaints or QA violations); everyone
else has at most one valid complaint and at most one QA violation, so the outliers stay clear.
Data-quality traps: 3 exact duplicate dialer rows (same 通话ID) and 2 system test calls with an
empty 坐席工号. Both the duplicates and the test calls are absent from the CRM, QA and survey files.

Determinism: each file has its own ``random.Random`` seeded from ``--seed`` and the file's name, no
sets are iterated, and the xlsx is re-zipped with fixed timestamps, so two runs give identical bytes.

Usage::

    python examples/generate_outbound.py [--out examples/outbound] [--agents 60] [--seed 7]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import math
import random
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
from openpyxl.styles import Font

# ---------------------------------------------------------------------------------------------
# Calendar and constants
# ---------------------------------------------------------------------------------------------

MONTH_FIRST = dt.date(2026, 10, 1)
MONTH_LAST = dt.date(2026, 10, 31)
HOLIDAYS = [dt.date(2026, 10, d) for d in range(1, 8)]  # 国庆节 10-01..10-07
MAKEUP_WORKDAYS = [dt.date(2026, 10, 10)]  # Saturday make-up working day (调休上班)
FIXED_TIMESTAMP = dt.datetime(2026, 11, 1, 8, 0, 0)  # xlsx metadata and zip entry times

DAY_START = 9 * 3600  # 09:00:00
DAY_END = 20 * 3600 + 30 * 60  # 20:30:00, last dial may start at this second

# hour -> (relative dial volume, connect-rate multiplier). 10-12h is ~15% better than 18h+.
HOUR_PROFILE: dict[int, tuple[float, float]] = {
    9: (1.0, 1.00),
    10: (1.2, 1.08),
    11: (1.2, 1.08),
    12: (0.5, 0.97),
    13: (0.8, 0.98),
    14: (1.0, 1.00),
    15: (1.0, 1.00),
    16: (1.0, 1.00),
    17: (0.8, 0.98),
    18: (0.6, 0.94),
    19: (0.6, 0.94),
    20: (0.3, 0.94),  # 20:00-20:30 only
}
EVENING_HOURS = (18, 19, 20)

TEAMS = ["一组", "二组", "三组", "四组"]
SENIOR, JUNIOR = "高级", "初级"
SENIOR_SHARE = 0.4

SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹")
GIVEN_NAMES = [
    "伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛",
    "明", "超", "秀兰", "霞", "平", "刚", "桂英", "晓燕", "婷", "浩", "宇", "欣怡", "子涵", "思远",
    "佳怡", "俊杰", "雨轩", "文静", "海燕", "建华",
]  # fmt: skip
PHONE_PREFIXES = [
    "130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "155",
    "156", "157", "158", "159", "176", "177", "180", "181", "186", "187", "188", "189", "199",
]  # fmt: skip

# special agents (ignored when --agents makes the id not exist)
OVER_DIALER = "A1007"
COMPLIANCE_STREAK = "A1023"
COMPLAINT_MAGNET = "A1036"
LEAVER = "A1044"
LEAVE_DATE = dt.date(2026, 10, 20)
OCTOBER_HIRES = {
    "A1014": dt.date(2026, 10, 12),
    "A1029": dt.date(2026, 10, 19),
    "A1058": dt.date(2026, 10, 28),
}
LATE_JOINER = "A1058"
SURVEY_SHY = "A1049"
SURVEY_QUOTA = {LATE_JOINER: 3, SURVEY_SHY: 4}
SPECIAL = {
    OVER_DIALER: "over-dialer: ~90 dials/day, evening-heavy, low connect/conversion/CSAT, 4 valid complaints",
    COMPLIANCE_STREAK: "4 consecutive QA violations 承诺保证收益; high conversion; remedial training",
    COMPLAINT_MAGNET: "3 complaints, 2 valid (服务态度差); low CSAT",
    LEAVER: "left on 2026-10-20 (离职日期): no dials after that day (QA of earlier calls may be dated later)",
    "A1014": "hired 2026-10-12, ramping up",
    "A1029": "hired 2026-10-19, ramping up",
    LATE_JOINER: "hired 2026-10-28: very few dials (3 working days), 3 survey answers",
    SURVEY_SHY: "survey SMS misconfigured: only 4 survey answers",
}

CONNECTED_RESULTS = ["成功", "有意向", "拒绝", "回访"]
FAILED_RESULTS = ["未接通", "忙线", "空号"]
VIOLATION_TYPES = ["承诺保证收益", "泄露客户信息", "未按话术开场", "辱骂客户"]
COMPLAINT_REASONS = [
    "频繁骚扰来电", "夜间来电打扰", "服务态度差", "虚假承诺", "未经同意外呼", "产品条款解释不清",
]  # fmt: skip
COURSES: dict[str, float] = {  # course -> nominal hours
    "产品知识更新": 2.0,
    "合规话术培训": 3.5,
    "异议处理技巧": 4.0,
    "客户信息保护": 1.5,
    "高价值客户经营": 6.0,
}
ONBOARDING_COURSE = ("新员工入职培训", 16.0)
REMEDIAL_COURSE = ("合规整改培训", 2.0)


def working_days() -> list[dt.date]:
    """Working days of October 2026: Mon-Fri outside the holiday, plus the make-up Saturday."""
    days = []
    day = MONTH_FIRST
    while day <= MONTH_LAST:
        if (day.weekday() < 5 and day not in HOLIDAYS) or day in MAKEUP_WORKDAYS:
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def clip(value: float, low: float, high: float) -> float:
    return max(low, min(high, value))


def poisson(rng: random.Random, lam: float) -> int:
    """Knuth's Poisson sampler (small lambdas only)."""
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def file_rng(seed: int, name: str) -> random.Random:
    """An independent, deterministic stream per output file (str seeds are hashed with SHA-512)."""
    return random.Random(f"{seed}:{name}")


def write_csv(
    path: Path,
    header: Sequence[str],
    rows: Sequence[Sequence[object]],
    *,
    encoding: str = "utf-8",
    lineterminator: str = "\n",
) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding=encoding, newline="") as fh:
        writer = csv.writer(fh, lineterminator=lineterminator)
        writer.writerow(header)
        writer.writerows(rows)
    return len(rows)


# ---------------------------------------------------------------------------------------------
# Ground truth: agents and calls
# ---------------------------------------------------------------------------------------------


@dataclass
class Agent:
    agent_id: str
    name: str
    team: str
    level: str
    hired: dt.date
    left: dt.date | None
    salary: int
    skill: float
    dials_per_day: float
    connect_rate: float
    conversion: float
    fcr: float
    csat: float
    qa_mean: float
    talk_mean: float
    evening_bias: float
    complaint_rate: float
    leave_days: list[dt.date] = field(default_factory=list)

    def works_on(self, day: dt.date) -> bool:
        return self.hired <= day and (self.left is None or day <= self.left) and day not in self.leave_days


@dataclass
class Call:
    call_id: str
    agent_id: str  # "" for system test calls
    phone: str
    start: dt.datetime
    connected: bool
    ring: int
    talk: int
    hold: int
    acw: int
    result: str

    @property
    def end(self) -> dt.datetime:
        return self.start + dt.timedelta(seconds=self.ring + self.talk + self.hold + self.acw)


def random_date(rng: random.Random, first: dt.date, last: dt.date) -> dt.date:
    return first + dt.timedelta(days=rng.randint(0, (last - first).days))


def build_agents(n_agents: int, seed: int, days: list[dt.date]) -> list[Agent]:
    """The roster with latent skills; special agents get their overrides here."""
    rng = file_rng(seed, "agents")
    ids = [f"A{1001 + i}" for i in range(n_agents)]
    names: list[str] = []
    while len(names) < n_agents:
        name = rng.choice(SURNAMES) + rng.choice(GIVEN_NAMES)
        if name not in names:
            names.append(name)
    teams = {aid: TEAMS[i * len(TEAMS) // n_agents] for i, aid in enumerate(ids)}

    # levels: ~40% seniors per team; October hires and the over-dialer are juniors, A1023 a senior
    seniors: list[str] = []
    for team in TEAMS:
        members = [aid for aid in ids if teams[aid] == team]
        quota = round(len(members) * SENIOR_SHARE)
        forced = [aid for aid in members if aid == COMPLIANCE_STREAK]
        eligible = [
            aid for aid in members if aid not in forced and aid not in OCTOBER_HIRES and aid != OVER_DIALER
        ]
        seniors += forced + rng.sample(eligible, max(0, min(len(eligible), quota - len(forced))))

    agents = []
    for aid, name in zip(ids, names, strict=True):
        level = SENIOR if aid in seniors else JUNIOR
        skill = rng.gauss(0.0, 1.0) + (0.4 if level == SENIOR else 0.0)
        if level == SENIOR:
            hired = random_date(rng, dt.date(2021, 3, 1), dt.date(2024, 9, 30))
            salary = 6200 + 100 * round(clip(rng.uniform(0, 14) + 3 * skill, 0, 18))
        else:
            hired = random_date(rng, dt.date(2023, 3, 1), dt.date(2026, 6, 30))
            salary = 4500 + 100 * round(clip(rng.uniform(0, 12) + 2 * skill, 0, 15))
        agent = Agent(
            agent_id=aid,
            name=name,
            team=teams[aid],
            level=level,
            hired=hired,
            left=None,
            salary=salary,
            skill=skill,
            dials_per_day=clip(rng.gauss(50, 3.5), 43, 57),
            connect_rate=clip(0.35 + 0.035 * skill + rng.gauss(0, 0.025), 0.27, 0.44),
            conversion=clip(0.16 + 0.045 * skill + rng.gauss(0, 0.02), 0.05, 0.32),
            fcr=clip(0.76 + 0.05 * skill + rng.gauss(0, 0.03), 0.67, 0.88),
            csat=clip(4.1 + 0.25 * skill + rng.gauss(0, 0.12), 3.4, 4.8),
            qa_mean=clip(84 + 4 * skill + rng.gauss(0, 2.5), 70, 96),
            talk_mean=clip(300 - 15 * skill + rng.gauss(0, 25), 200, 400),
            evening_bias=1.0,
            complaint_rate=clip(0.55 - 0.2 * skill, 0.1, 1.0),
        )
        # ordinary leave: ~30% of established agents take a day off, a few two
        if rng.random() < 0.3:
            agent.leave_days = sorted(rng.sample(days, 2 if rng.random() < 0.15 else 1))
        agents.append(agent)

    by_id = {a.agent_id: a for a in agents}
    if (a := by_id.get(OVER_DIALER)) is not None:
        a.skill, a.dials_per_day, a.connect_rate, a.conversion = -0.8, 90, 0.27, 0.06
        a.csat, a.talk_mean, a.evening_bias, a.fcr, a.qa_mean = 3.4, 190, 2.2, 0.66, 78
    if (a := by_id.get(COMPLIANCE_STREAK)) is not None:
        a.skill, a.conversion, a.connect_rate, a.csat = 0.9, 0.30, 0.40, 4.3
    if (a := by_id.get(COMPLAINT_MAGNET)) is not None:
        a.skill, a.csat, a.conversion = -0.5, 3.5, 0.12
    if (a := by_id.get(LEAVER)) is not None:
        a.left = LEAVE_DATE
    for aid, hired in OCTOBER_HIRES.items():
        if (a := by_id.get(aid)) is not None:
            a.hired, a.salary, a.leave_days = hired, 4500, []
            a.skill, a.conversion, a.connect_rate = -0.6, 0.09, 0.31
            a.qa_mean, a.csat = 78, 3.9
    if (a := by_id.get(LATE_JOINER)) is not None:
        a.dials_per_day = 22
    return agents


def mask_phone(rng: random.Random) -> str:
    return f"{rng.choice(PHONE_PREFIXES)}****{rng.randint(0, 9999):04d}"


def simulate_calls(agents: list[Agent], days: list[dt.date], seed: int) -> list[Call]:
    """Every dial attempt of the month (ground truth), ids assigned per day in start-time order.

    Two system test calls with an empty agent id are included; duplicates are added only on export.
    """
    rng = file_rng(seed, "calls")
    hours = list(HOUR_PROFILE)
    calls: list[Call] = []
    for day in days:
        midnight = dt.datetime.combine(day, dt.time())
        day_calls: list[Call] = []
        for agent in agents:
            if not agent.works_on(day):
                continue
            n = round(rng.gauss(agent.dials_per_day, 4 if agent.dials_per_day < 80 else 5))
            if agent.hired.year == 2026 and agent.hired.month == 10 and (day - agent.hired).days < 7:
                n = round(n * 0.6)  # first week of a new hire: learning the scripts
            weights = [
                HOUR_PROFILE[h][0] * (agent.evening_bias if h in EVENING_HOURS else 1.0) for h in hours
            ]
            offsets = []
            for h in rng.choices(hours, weights=weights, k=max(n, 1)):
                span = 1800 if h == 20 else 3600
                offsets.append(h * 3600 + rng.randrange(span))
            offsets.sort()
            busy_until = DAY_START
            for offset in offsets:
                second = max(offset, busy_until + rng.randint(5, 30))
                if second > DAY_END:
                    break
                hour = second // 3600
                connected = rng.random() < agent.connect_rate * HOUR_PROFILE[hour][1]
                if connected:
                    roll = rng.random()
                    if roll < agent.conversion:
                        result = "成功"
                    else:
                        result = rng.choices(["有意向", "拒绝", "回访"], weights=[0.25, 0.5, 0.25])[0]
                    factor = {"成功": 1.25, "有意向": 1.1, "回访": 0.9, "拒绝": 0.7}[result]
                    talk = round(clip(agent.talk_mean * factor * rng.lognormvariate(0, 0.22), 120, 480))
                    hold = 0 if rng.random() < 0.55 else rng.randint(5, 60)
                    acw = round(clip(rng.gauss(75 if result == "成功" else 55, 20), 20, 120))
                    ring = rng.randint(3, 25)
                else:
                    result = rng.choices(FAILED_RESULTS, weights=[0.72, 0.20, 0.08])[0]
                    low, high = {"未接通": (25, 45), "忙线": (1, 6), "空号": (0, 3)}[result]
                    ring = rng.randint(low, high)
                    talk = hold = acw = 0
                call = Call(
                    "",
                    agent.agent_id,
                    mask_phone(rng),
                    midnight + dt.timedelta(seconds=second),
                    connected,
                    ring,
                    talk,
                    hold,
                    acw,
                    result,
                )
                day_calls.append(call)
                busy_until = second + ring + talk + hold + acw
        if day in (dt.date(2026, 10, 8), dt.date(2026, 10, 19)):  # dialer health check by IT
            test_start = midnight + dt.timedelta(seconds=DAY_START + rng.randint(1, 9))
            test_ring = rng.randint(1, 5)
            day_calls.append(Call("", "", mask_phone(rng), test_start, False, test_ring, 0, 0, 0, "未接通"))
        day_calls.sort(key=lambda c: (c.start, c.agent_id))
        for seq, call in enumerate(day_calls, start=1):
            call.call_id = f"C{day:%Y%m%d}{seq:04d}"
        calls += day_calls
    return calls


# ---------------------------------------------------------------------------------------------
# One writer per output file
# ---------------------------------------------------------------------------------------------


def write_roster(path: Path, agents: list[Agent]) -> int:
    header = ["工号", "姓名", "组别", "职级", "入职日期", "离职日期", "底薪"]
    rows = [
        [
            a.agent_id,
            a.name,
            a.team,
            a.level,
            a.hired.isoformat(),
            a.left.isoformat() if a.left else "",
            a.salary,
        ]
        for a in agents
    ]
    return write_csv(path, header, rows, encoding="utf-8-sig", lineterminator="\r\n")


def hms(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def write_dialer(out_dir: Path, calls: list[Call], seed: int) -> dict[str, int]:
    """Two half-month GB18030/CRLF files; 3 connected calls are exported twice (exact duplicates)."""
    rng = file_rng(seed, "dialer")
    header = [
        "通话ID",
        "坐席工号",
        "客户号码",
        "开始时间",
        "是否接通",
        "振铃时长",
        "通话时长",
        "保持时长",
        "话后处理时长",
        "呼叫结果",
    ]
    first_half = [c for c in calls if c.start.day <= 15]
    second_half = [c for c in calls if c.start.day > 15]
    duplicated = [rng.choice([c for c in first_half if c.connected and c.agent_id]).call_id]
    duplicated += [c.call_id for c in rng.sample([c for c in second_half if c.connected and c.agent_id], 2)]
    counts = {}
    for name, part in [("calls_2026-10-01_15.csv", first_half), ("calls_2026-10-16_31.csv", second_half)]:
        rows: list[list[object]] = []
        for c in part:
            row: list[object] = [
                c.call_id,
                c.agent_id,
                c.phone,
                f"{c.start:%Y-%m-%d %H:%M:%S}",
                "是" if c.connected else "否",
                c.ring,
                hms(c.talk),
                c.hold,
                c.acw,
                c.result,
            ]
            rows.append(row)
            if c.call_id in duplicated:
                rows.append(list(row))
        counts[f"dialer/{name}"] = write_csv(
            out_dir / name, header, rows, encoding="gb18030", lineterminator="\r\n"
        )
    return counts


def normalize_xlsx(raw: bytes) -> bytes:
    """Re-zip an openpyxl file with fixed entry times and a fixed dcterms:modified (openpyxl sets now())."""
    stamp = FIXED_TIMESTAMP.strftime("%Y-%m-%dT%H:%M:%SZ")
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                pattern = rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*"
                data = re.sub(pattern, rb"\g<1>" + stamp.encode(), data)
            entry = zipfile.ZipInfo(info.filename, date_time=FIXED_TIMESTAMP.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            dst.writestr(entry, data)
    return out.getvalue()


def write_crm(path: Path, calls: list[Call], agents: list[Agent], seed: int) -> int:
    """Sheet 成交记录: one row per connected agent call; 是否成交 is 是 exactly when 呼叫结果 is 成功."""
    rng = file_rng(seed, "crm")
    fcr = {a.agent_id: a.fcr for a in agents}
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "成交记录"
    ws.append(["通话ID", "坐席工号", "日期", "业务类型", "是否成交", "是否一次解决"])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    n = 0
    for c in calls:
        if not (c.connected and c.agent_id):
            continue
        repeat = rng.random() < (0.5 if c.result == "成功" else 0.3)
        p_fcr = {"成功": min(0.97, fcr[c.agent_id] + 0.12), "回访": fcr[c.agent_id] * 0.6}.get(
            c.result, fcr[c.agent_id] + 0.06
        )
        ws.append(
            [
                c.call_id,
                c.agent_id,
                c.start.date(),
                "复购" if repeat else "新客",
                "是" if c.result == "成功" else "否",
                "是" if rng.random() < p_fcr else "否",
            ]
        )
        n += 1
        ws.cell(row=n + 1, column=3).number_format = "yyyy-mm-dd"
    for col, width in zip("ABCDEF", [16, 10, 12, 10, 10, 14], strict=True):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "A2"
    wb.properties.creator = "CRM export"
    wb.properties.created = FIXED_TIMESTAMP
    wb.properties.modified = FIXED_TIMESTAMP
    buffer = io.BytesIO()
    wb.save(buffer)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(normalize_xlsx(buffer.getvalue()))
    return n


def next_working_day(day: dt.date, days: list[dt.date], steps: int) -> dt.date:
    later = [d for d in days if d > day]
    return later[min(steps, len(later)) - 1] if later and steps > 0 else day


def write_qa(path: Path, calls: list[Call], agents: list[Agent], days: list[dt.date], seed: int) -> int:
    """~8 reviews per agent from connected calls; A1023 has a streak of 4 violations, others at most 1."""
    rng = file_rng(seed, "qa")
    reviews: list[tuple[dt.date, str, str, int, str, str]] = []
    for agent in agents:
        own = [c for c in calls if c.agent_id == agent.agent_id and c.connected]
        picked = sorted(rng.sample(own, min(len(own), rng.choice([7, 8, 8, 8, 9]))), key=lambda c: c.start)
        violated = False
        for i, c in enumerate(picked):
            qa_day = next_working_day(c.start.date(), days, rng.randint(1, 3))
            score = round(clip(rng.gauss(agent.qa_mean, 5), 60, 100))
            kind = ""
            if agent.agent_id == COMPLIANCE_STREAK and 2 <= i < 6:
                kind = "承诺保证收益"
            elif agent.agent_id not in SPECIAL and not violated and rng.random() < 0.03:
                kind = rng.choices(VIOLATION_TYPES, weights=[0.25, 0.2, 0.5, 0.05])[0]
                violated = True
            if kind:
                score = rng.randint(35, 59)
            reviews.append((qa_day, agent.agent_id, c.call_id, score, "是" if kind else "否", kind))
    reviews.sort(key=lambda r: (r[0], r[1], r[2]))
    header = ["质检单号", "坐席工号", "通话ID", "质检日期", "质检得分", "是否违规", "违规类型"]
    rows = [
        [f"QC202610{i:04d}", aid, cid, day.isoformat(), score, flag, kind]
        for i, (day, aid, cid, score, flag, kind) in enumerate(reviews, start=1)
    ]
    return write_csv(path, header, rows)


def write_surveys(path: Path, calls: list[Call], agents: list[Agent], seed: int) -> int:
    """~20% of connected calls answered; NPS left blank in ~30% of answers; two tiny samples."""
    rng = file_rng(seed, "surveys")
    answers: list[tuple[dt.datetime, str, str, int, str]] = []
    for agent in agents:
        own = [c for c in calls if c.agent_id == agent.agent_id and c.connected]
        if agent.agent_id in SURVEY_QUOTA:
            sampled = rng.sample(own, min(len(own), SURVEY_QUOTA[agent.agent_id]))
        else:
            sampled = [c for c in own if rng.random() < 0.2]
        for c in sampled:
            mood = agent.csat - (0.4 if c.result == "拒绝" else 0.0) + (0.2 if c.result == "成功" else 0.0)
            csat = round(clip(rng.gauss(mood, 0.75), 1, 5))
            promoter = round(clip((csat - 1) * 2.5 + rng.gauss(0.3, 1.2), 0, 10))
            nps = "" if rng.random() < 0.3 else str(promoter)
            submitted = c.end + dt.timedelta(seconds=rng.randint(60, 5 * 3600))
            answers.append((submitted, c.call_id, agent.agent_id, csat, nps))
    answers.sort()
    header = ["通话ID", "坐席工号", "满意度", "推荐意愿", "提交时间"]
    rows = [[cid, aid, csat, nps, f"{ts:%Y-%m-%d %H:%M:%S}"] for ts, cid, aid, csat, nps in answers]
    return write_csv(path, header, rows)


def write_complaints(path: Path, calls: list[Call], agents: list[Agent], seed: int) -> int:
    """0-3 complaints per agent, at most one valid, except A1007 (5, 4 valid) and A1036 (3, 2 valid)."""
    rng = file_rng(seed, "complaints")
    items: list[tuple[dt.date, str, str, str]] = []
    for agent in agents:
        worked = sorted({c.start.date() for c in calls if c.agent_id == agent.agent_id})
        if not worked:
            continue
        if agent.agent_id == OVER_DIALER:
            plan = [
                (True, "频繁骚扰来电"),
                (True, "夜间来电打扰"),
                (True, "频繁骚扰来电"),
                (True, "夜间来电打扰"),
                (False, "未经同意外呼"),
            ]
        elif agent.agent_id == COMPLAINT_MAGNET:
            plan = [(True, "服务态度差"), (True, "服务态度差"), (False, "产品条款解释不清")]
        elif agent.agent_id in SPECIAL:
            plan = []  # the other special agents carry only their designed anomaly
        else:
            plan = []
            has_valid = False
            for _ in range(min(3, poisson(rng, agent.complaint_rate))):
                valid = not has_valid and rng.random() < 0.65
                has_valid = has_valid or valid
                plan.append((valid, rng.choice(COMPLAINT_REASONS)))
        for valid, reason in plan:
            day = min(MONTH_LAST, rng.choice(worked) + dt.timedelta(days=rng.randint(0, 2)))
            items.append((day, agent.agent_id, "是" if valid else "否", reason))
    items.sort()
    header = ["投诉单号", "坐席工号", "投诉日期", "是否有效", "投诉原因"]
    rows = [
        [f"TS202610{i:04d}", aid, day.isoformat(), valid, reason]
        for i, (day, aid, valid, reason) in enumerate(items, start=1)
    ]
    return write_csv(path, header, rows)


def write_training(path: Path, agents: list[Agent], days: list[dt.date], seed: int) -> int:
    """Courses finished in October; new hires do onboarding, A1023 a remedial compliance course."""
    rng = file_rng(seed, "training")
    items: list[tuple[dt.date, str, str, float, int]] = []
    for agent in agents:
        avail = [d for d in days if agent.hired <= d and (agent.left is None or d <= agent.left)]
        if not avail:
            continue
        courses: list[tuple[str, float]] = []
        if agent.hired >= MONTH_FIRST:
            courses.append(ONBOARDING_COURSE)
        else:
            for course, hours in COURSES.items():
                senior_only = 0.6 if agent.level == SENIOR else 0.0
                p = {"合规话术培训": 0.85, "高价值客户经营": senior_only}.get(course, 0.45)
                if rng.random() < p:
                    courses.append((course, hours))
        if agent.agent_id == COMPLIANCE_STREAK:
            courses.append(REMEDIAL_COURSE)
        for course, hours in courses:
            taken = round(clip(hours + rng.choice([-0.5, 0.0, 0.0, 0.0, 0.5]), 0.5, 20), 1)
            score = round(clip(rng.gauss(78 + 6 * agent.skill, 8), 40, 100))
            day = avail[-1] if course == REMEDIAL_COURSE[0] else rng.choice(avail)
            items.append((day, agent.agent_id, course, taken, score))
    items.sort()
    header = ["工号", "课程", "学时", "考试成绩", "完成日期"]
    rows = [[aid, course, f"{hours:.1f}", score, day.isoformat()] for day, aid, course, hours, score in items]
    return write_csv(path, header, rows)


def write_kb(path: Path, agents: list[Agent], days: list[dt.date], seed: int) -> int:
    """Knowledge-base articles: seniors write more; statuses 已发布 / 草稿 / 驳回."""
    rng = file_rng(seed, "kb")
    items: list[tuple[dt.date, str, str]] = []
    for agent in agents:
        avail = [d for d in days if agent.hired <= d and (agent.left is None or d <= agent.left)]
        lam = (1.4 if agent.level == SENIOR else 0.6) * math.exp(0.3 * agent.skill)
        for _ in range(min(5, poisson(rng, lam)) if avail else 0):
            status = rng.choices(["已发布", "草稿", "驳回"], weights=[0.6, 0.25, 0.15])[0]
            items.append((rng.choice(avail), agent.agent_id, status))
    items.sort()
    header = ["工号", "文章ID", "提交日期", "状态"]
    rows = [
        [aid, f"KB-202610-{i:03d}", day.isoformat(), status]
        for i, (day, aid, status) in enumerate(items, start=1)
    ]
    return write_csv(path, header, rows)


def write_readme(
    path: Path, counts: dict[str, int], days: list[dt.date], agents: list[Agent], seed: int
) -> None:
    ids = {a.agent_id for a in agents}
    specials = "\n".join(f"| {aid} | {what} |" for aid, what in SPECIAL.items() if aid in ids)
    table = "\n".join(
        f"| `{name}` | {enc} | {counts[name]} |"
        for name, enc in [
            ("roster.csv", "UTF-8 with BOM, CRLF"),
            ("dialer/calls_2026-10-01_15.csv", "GB18030, CRLF"),
            ("dialer/calls_2026-10-16_31.csv", "GB18030, CRLF"),
            ("crm/outcomes.xlsx", "xlsx, sheet `成交记录`"),
            ("qa_reviews.csv", "UTF-8, LF"),
            ("surveys.csv", "UTF-8, LF"),
            ("complaints.csv", "UTF-8, LF"),
            ("training.csv", "UTF-8, LF"),
            ("kb_contributions.csv", "UTF-8, LF"),
        ]
    )
    text = f"""# Example: outbound preview-dialing team, October 2026

Synthetic but realistic month-end exports for a {len(agents)}-agent outbound team (4 teams, juniors 初级 and
seniors 高级), generated by `examples/generate_outbound.py` (seed {seed}). All headers are Chinese.

| file | encoding | data rows (header excluded) |
|---|---|---|
{table}

* `roster.csv`: 工号,姓名,组别,职级,入职日期,离职日期,底薪 (离职日期 blank unless the agent left).
* `dialer/*.csv`: every dial attempt, split by half month: 通话ID,坐席工号,客户号码,开始时间,
  是否接通,振铃时长,通话时长,保持时长,话后处理时长,呼叫结果. 通话时长 is `HH:MM:SS`,
  the other durations integer seconds.
  Contains **3 exact duplicate rows** (same 通话ID) and **2 system test calls with an empty 坐席工号**
  (both counted in the row counts above).
* `crm/outcomes.xlsx`: one row per connected agent call (deduplicated): 通话ID,坐席工号,日期,
  业务类型(新客/复购),是否成交,是否一次解决. 是否成交 = 是 exactly when the dialer's 呼叫结果 is 成功.
* `qa_reviews.csv`: 质检单号,坐席工号,通话ID,质检日期,质检得分,是否违规,违规类型 (about 8 reviews per agent).
* `surveys.csv`: 通话ID,坐席工号,满意度(1-5),推荐意愿(0-10, blank in ~30% of rows),提交时间
  (~20% of connected calls).
* `complaints.csv`: 投诉单号,坐席工号,投诉日期,是否有效,投诉原因.
* `training.csv`: 工号,课程,学时,考试成绩,完成日期. `kb_contributions.csv`: 工号,文章ID,提交日期,状态.
* `transcripts.csv`: speech-to-text of 4,000 connected calls, made from the dialer export by
  `examples/generate_transcripts.py` (run it after this script); used by the `text_rules:` of
  `configs/outbound.yaml`.

## Calendar

National Day holiday 2026-10-01..10-07; Saturday 2026-10-10 is a make-up working day (调休上班).
{len(days)} working days: {", ".join(f"{d:%m-%d}" for d in days)}.

Dials start 09:00-20:30 local time; weekday 10-12h connects about 15% better than 18h and later.

## The story (outliers)

Skill is latent: good agents connect more, convert more and get better CSAT/QA. Deliberate outliers:

| agent | what is special |
|---|---|
{specials}

The special agents carry only their designed anomaly; everyone else has at most one valid complaint
and at most one QA violation. About 30% of agents (not the October hires) took a day or two of leave
(no dials on those days), so "days worked" differs from "working days" for them.

## Regenerate

```
python examples/generate_outbound.py --out examples/outbound --agents 60 --seed 7
```

The output is byte-identical across runs (fixed seeds per file, fixed xlsx timestamps).
"""
    path.write_text(text, encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=Path("examples/outbound"))
    parser.add_argument("--agents", type=int, default=60)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    out: Path = args.out
    if args.agents < len(TEAMS):
        parser.error(f"--agents must be at least {len(TEAMS)}")

    days = working_days()
    agents = build_agents(args.agents, args.seed, days)
    calls = simulate_calls(agents, days, args.seed)

    counts = {"roster.csv": write_roster(out / "roster.csv", agents)}
    counts |= write_dialer(out / "dialer", calls, args.seed)
    counts["crm/outcomes.xlsx"] = write_crm(out / "crm" / "outcomes.xlsx", calls, agents, args.seed)
    counts["qa_reviews.csv"] = write_qa(out / "qa_reviews.csv", calls, agents, days, args.seed)
    counts["surveys.csv"] = write_surveys(out / "surveys.csv", calls, agents, args.seed)
    counts["complaints.csv"] = write_complaints(out / "complaints.csv", calls, agents, args.seed)
    counts["training.csv"] = write_training(out / "training.csv", agents, days, args.seed)
    counts["kb_contributions.csv"] = write_kb(out / "kb_contributions.csv", agents, days, args.seed)
    write_readme(out / "README.md", counts, days, agents, args.seed)

    print(f"wrote {out}/ ({len(agents)} agents, {len(days)} working days, seed {args.seed})")
    for name, n in counts.items():
        print(f"  {name:<34} {n:>7} rows")


if __name__ == "__main__":
    main()
