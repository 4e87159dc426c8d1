"""Generate one quarter of exports for a fictional online invitation desk (邀约到店).

The story
---------
A home-furnishing brand runs an online customer-service desk of 30 agents (工号 Y2001..Y2030) in
three teams (华东组, 华南组, 华北组). Visitors open a chat from the website or an ad; an agent answers,
qualifies the lead and, for a valid lead, invites the customer to visit a showroom (邀约到店). The
store system records whether the invited customer came. The quarterly bonus follows the scheme the
articles describe: invitation success ≥ 60% triggers the performance bonus, ≥ 85% adds a share of
the excess-profit pool; forced invitations that customers complained about (异常会话) are a red line;
a quarterly leaderboard (邀约王者) lists the top 3.

Files (Q3 2026, 2026-07-01..2026-09-30; working days Mon-Fri except 中秋节 2026-09-25):

* ``roster.csv``            HR roster: 工号,姓名,组别,入职日期,离职日期,底薪 (UTF-8 with BOM, CRLF)
* ``chat_sessions.csv``     the chat tool's session export (UTF-8 with BOM): 会话ID,客服工号,访客ID,
  接入时间,首次响应时长 (``18秒`` / ``1分05秒``),是否有效邀约,邀约结果 (已接受/已拒绝/未答复),
  满意度评价 (非常满意..非常不满意, blank when not rated),是否异常会话,异常类型
* ``store_visits.csv``      the store system's appointments (UTF-8): 预约单号,会话ID,邀约坐席,邀约日期,
  预约到店日期,到店状态 (已到店/未到店/已改期), one row per accepted invitation

Deliberate cases (see ``SPECIAL``): Y2007 converts best but forces invitations (abnormal share ~6%,
blocked by the red line); Y2016 sits exactly on the excellence line (85.0%) and Y2025 exactly on the
base line (60.0%); Y2012 joined on 2026-08-17 and Y2021 left on 2026-08-31 (pro-rated); Y2018 was on
long leave (too few invitations to judge); Y2030 converts well but has poor CSAT (capped at base).
Data-quality traps: 14 sessions answered by the chatbot account ``BOT01`` (not in the roster) and
2 exact duplicate session rows.

Determinism: every file has its own ``random.Random`` seeded from ``--seed`` and the file name, and
nothing iterates a set, so two runs give identical bytes.

Usage::

    python examples/generate_invitation.py [--out examples/invitation] [--seed 11]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

QUARTER_FIRST = dt.date(2026, 7, 1)
QUARTER_LAST = dt.date(2026, 9, 30)
HOLIDAYS = [dt.date(2026, 9, 25)]  # 中秋节
TEAMS = ["华东组", "华南组", "华北组"]
SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹")
GIVEN = list("伟芳娜敏静丽强磊军洋勇艳杰娟涛明婷浩")
CSAT_WORDS = {5: "非常满意", 4: "满意", 3: "一般", 2: "不满意", 1: "非常不满意"}
ABNORMAL_TYPES = ["强制邀约被投诉", "频繁催促到店", "承诺不实优惠"]

FORCER = "Y2007"  # best converter, but forces invitations: abnormal share ~6%
ON_EXCELLENCE_LINE = "Y2016"  # exactly 85.0% invitation success
ON_BASE_LINE = "Y2025"  # exactly 60.0%
HIRED = {"Y2012": dt.date(2026, 8, 17)}
LEFT = {"Y2021": dt.date(2026, 8, 31)}
LONG_LEAVE = "Y2018"  # away 2026-07-13..2026-09-04: too few invitations
POOR_CSAT = "Y2030"  # converts well, customers rate the chats poorly
BOT = "BOT01"
SPECIAL = {
    FORCER: "highest invitation success, but ~6% abnormal sessions (forced invitations): blocked",
    ON_EXCELLENCE_LINE: "invitation success exactly 85.0% (the excellence line)",
    ON_BASE_LINE: "invitation success exactly 60.0% (the base line)",
    "Y2012": "hired 2026-08-17: pro-rated, capped at the base tier",
    "Y2021": "left 2026-08-31: pro-rated",
    LONG_LEAVE: "long leave 07-13..09-04: too few effective invitations to be judged",
    POOR_CSAT: "good conversion, CSAT about 3.2: capped at the base tier",
}


@dataclass
class Agent:
    agent_id: str
    name: str
    team: str
    hired_on: dt.date
    left_on: dt.date | None
    base_salary: int
    success: float
    attendance: float
    fast_share: float
    csat_mean: float
    abnormal: float
    per_day: float


def clip(value: float, low: float, high: float) -> float:
    return max(low, min(high, value))


def file_rng(seed: int, name: str) -> random.Random:
    return random.Random(f"{seed}:{name}")


def working_days() -> list[dt.date]:
    days, day = [], QUARTER_FIRST
    while day <= QUARTER_LAST:
        if day.weekday() < 5 and day not in HOLIDAYS:
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def make_agents(seed: int) -> list[Agent]:
    rng = file_rng(seed, "agents")
    agents = []
    for i in range(30):
        agent_id = f"Y{2001 + i}"
        skill = rng.gauss(0, 1)
        hired = HIRED.get(agent_id, dt.date(2024, 1, 8) + dt.timedelta(days=rng.randrange(0, 700)))
        agents.append(
            Agent(
                agent_id=agent_id,
                name=rng.choice(SURNAMES)
                + rng.choice(GIVEN)
                + (rng.choice(GIVEN) if rng.random() < 0.5 else ""),
                team=TEAMS[i // 10],
                hired_on=hired,
                left_on=LEFT.get(agent_id),
                base_salary=4000 + 100 * rng.randrange(0, 26),
                success=clip(0.70 + 0.10 * skill, 0.42, 0.90),
                attendance=clip(0.66 + 0.08 * skill + rng.gauss(0, 0.04), 0.40, 0.92),
                fast_share=clip(0.82 + 0.06 * skill + rng.gauss(0, 0.04), 0.55, 0.98),
                csat_mean=clip(4.15 + 0.30 * skill + rng.gauss(0, 0.12), 3.4, 4.85),
                abnormal=clip(0.008 + rng.gauss(0, 0.004), 0.0, 0.02),
                per_day=clip(5.0 + rng.gauss(0, 0.8), 3.5, 6.5),
            )
        )
    by_id = {a.agent_id: a for a in agents}
    by_id[FORCER].success, by_id[FORCER].abnormal = 0.93, 0.06
    by_id[POOR_CSAT].success, by_id[POOR_CSAT].csat_mean = 0.88, 3.2
    return agents


def present(agent: Agent, day: dt.date) -> bool:
    if day < agent.hired_on or (agent.left_on is not None and day > agent.left_on):
        return False
    return not (agent.agent_id == LONG_LEAVE and dt.date(2026, 7, 13) <= day <= dt.date(2026, 9, 4))


def response_text(seconds: int) -> str:
    return f"{seconds}秒" if seconds < 60 else f"{seconds // 60}分{seconds % 60:02d}秒"


def sessions(agents: list[Agent], seed: int) -> list[list[object]]:
    """One row per chat session, in time order; exact-line agents get exact acceptance counts."""
    rng = file_rng(seed, "chat_sessions.csv")
    rows: list[list[object]] = []
    for day in working_days():
        for agent in agents:
            if not present(agent, day):
                continue
            for _ in range(max(1, round(rng.gauss(agent.per_day, 1.2)))):
                start = dt.datetime.combine(day, dt.time(9)) + dt.timedelta(
                    seconds=rng.randrange(0, 9 * 3600)
                )
                fast = rng.random() < agent.fast_share
                seconds = rng.randrange(3, 31) if fast else rng.randrange(31, 240)
                effective = rng.random() < 0.62
                outcome = ""
                if effective:
                    outcome = "已接受" if rng.random() < agent.success else rng.choice(["已拒绝", "未答复"])
                rating = ""
                if rng.random() < 0.35:
                    score = round(clip(rng.gauss(agent.csat_mean, 0.8), 1, 5))
                    rating = CSAT_WORDS[score]
                abnormal = rng.random() < agent.abnormal
                rows.append(
                    [
                        start,
                        agent.agent_id,
                        f"V{rng.randrange(10**7, 10**8)}",
                        response_text(seconds),
                        "是" if effective else "否",
                        outcome,
                        rating,
                        "是" if abnormal else "否",
                        rng.choice(ABNORMAL_TYPES) if abnormal else "",
                    ]
                )
        if day.day in (6, 20):  # the chatbot answered a few chats itself
            for _ in range(7 if day.month == 8 else 0):
                start = dt.datetime.combine(day, dt.time(22)) + dt.timedelta(seconds=rng.randrange(0, 3600))
                rows.append([start, BOT, f"V{rng.randrange(10**7, 10**8)}", "1秒", "否", "", "", "否", ""])
    rows.sort(key=lambda r: (r[0], r[1]))  # type: ignore[arg-type,return-value]
    _exact_line(rows, rng, ON_EXCELLENCE_LINE, 0.85, 20)
    _exact_line(rows, rng, ON_BASE_LINE, 0.60, 5)
    numbered = []
    for i, row in enumerate(rows):
        start = row[0]
        assert isinstance(start, dt.datetime)
        numbered.append(
            [f"S{start:%Y%m%d}{i + 1:05d}", row[1], row[2], f"{start:%Y-%m-%d %H:%M:%S}", *row[3:]]
        )
    return numbered


def _exact_line(
    rows: list[list[object]], rng: random.Random, agent_id: str, share: float, multiple: int
) -> None:
    """Make the agent's accepted / effective invitations exactly `share` (counts are integers)."""
    mine = [r for r in rows if r[1] == agent_id]
    effective = [r for r in mine if r[4] == "是"]
    while len(effective) % multiple:
        dropped = effective.pop()
        dropped[4], dropped[5] = "否", ""
    accepted = round(len(effective) * share)
    chosen = set(rng.sample(range(len(effective)), accepted))
    for i, row in enumerate(effective):
        row[5] = "已接受" if i in chosen else rng.choice(["已拒绝", "未答复"])


def visits(agents: list[Agent], session_rows: list[list[object]], seed: int) -> list[list[object]]:
    rng = file_rng(seed, "store_visits.csv")
    attendance = {a.agent_id: a.attendance for a in agents}
    rows: list[list[object]] = []
    for session in session_rows:
        if session[6] != "已接受":
            continue
        invited = dt.datetime.strptime(str(session[3]), "%Y-%m-%d %H:%M:%S").date()
        planned = invited + dt.timedelta(days=rng.randrange(1, 11))
        came = rng.random() < attendance[str(session[1])]
        status = "已到店" if came else rng.choice(["未到店", "未到店", "已改期"])
        rows.append(
            [
                f"YY{len(rows) + 1:06d}",
                session[0],
                session[1],
                invited.isoformat(),
                planned.isoformat(),
                status,
            ]
        )
    return rows


def write_csv(
    path: Path, header: Sequence[str], rows: Sequence[Sequence[object]], encoding: str, newline: str
) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle, lineterminator=newline)
        writer.writerow(header)
        writer.writerows(rows)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "invitation")
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args(argv)
    agents = make_agents(args.seed)
    roster = [
        [
            a.agent_id,
            a.name,
            a.team,
            a.hired_on.isoformat(),
            a.left_on.isoformat() if a.left_on else "",
            a.base_salary,
        ]
        for a in agents
    ]
    write_csv(
        args.out / "roster.csv",
        ["工号", "姓名", "组别", "入职日期", "离职日期", "底薪"],
        roster,
        "utf-8-sig",
        "\r\n",
    )
    chat = sessions(agents, args.seed)
    duplicates = [chat[100], chat[2000]]  # the export repeated two rows
    header = ["会话ID", "客服工号", "访客ID", "接入时间", "首次响应时长", "是否有效邀约", "邀约结果",
              "满意度评价", "是否异常会话", "异常类型"]  # fmt: skip
    write_csv(args.out / "chat_sessions.csv", header, [*chat, *duplicates], "utf-8-sig", "\n")
    header = ["预约单号", "会话ID", "邀约坐席", "邀约日期", "预约到店日期", "到店状态"]
    write_csv(args.out / "store_visits.csv", header, visits(agents, chat, args.seed), "utf-8", "\n")
    print(f"wrote {args.out}: {len(roster)} agents, {len(chat) + len(duplicates)} sessions")


if __name__ == "__main__":
    main()
