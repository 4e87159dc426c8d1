"""Generate one month of chat-session exports for a fictional e-commerce after-sales team.

The story
---------
An online shop's WeChat after-sales desk (微信售后客服) has 40 agents (工号 W2001..W2040) in four
groups (售后一组..售后四组). November 2026 contains the Double-11 promotion: the volume of chats
rises from 11-09, peaks on 11-11..11-13 (delivery questions, returns, refunds) and ebbs by 11-20.
The desk is open 08:00-23:00 every day; each agent works about 22 days (rest days are drawn,
fewer during the promotion). At the start of December the ops analyst exports:

* ``roster.csv``    the desk's roster (UTF-8 with BOM, CRLF, as saved by Excel)
* ``sessions.csv``  one row per chat session, in the layout of a 企点-style session export (UTF-8 with
                    BOM): 会话ID, 客服工号, 客服, 会话开始时间, 首次响应时长(秒), 会话时长(秒),
                    是否已解决 (Y/N), 满意度评分 (1-5, blank when the customer did not rate; about a
                    quarter of the sessions are rated)

Every agent has two latent traits: *skill* (resolves more, pleases customers more) and *pace*
(handles more sessions and replies faster, but resolves a little less and rushes the customer).
The two weightings the articles describe then disagree about who is best: the promotion weighting
(session volume 40%) favours fast agents, the normal-operations weighting (resolution rate 50%)
careful ones. A few agents are deliberately special (see ``SPECIAL``):

* W2008 sprinter: the fastest pace on the desk (≈65 sessions a day, replies in ≈13 s) with a
  resolution rate in the mid 70s and a poor CSAT: near the bottom under the normal-operations
  weighting, in the top half under the promotion one.
* W2017 careful: few sessions (≈22 a day), slow to reply, but resolves ≈95% and earns the best
  CSAT: in the top ten under the normal-operations weighting, near the bottom under the promotion one.
* W2026 all-rounder: high skill and a brisk pace: excellent under both weightings.
* W2031 new hire: joined 2026-11-16 and is still learning (low skill, few sessions).
* W2035 rating invitations broken for her account: only 6 rated sessions (below the config's
  min_volume of 10, so her CSAT is not judged and its weight is redistributed).

Data-quality traps: 25 sessions answered by the bot (客服 = 智能机器人, empty 客服工号), and 2
sessions exported twice at a page boundary (same 会话ID). About 1% of sessions are offline
messages (留言) answered later: their 首次响应时长 is blank.

Determinism: each file has its own ``random.Random`` seeded from ``--seed`` and the file's name and
no sets are iterated, so two runs give identical bytes.

Usage::

    python examples/generate_aftersales.py [--out examples/aftersales] [--agents 40] [--seed 11]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

MONTH_FIRST = dt.date(2026, 11, 1)
MONTH_DAYS = 30
OPEN_SECONDS = 8 * 3600  # 08:00
CLOSE_SECONDS = 23 * 3600  # 23:00, last session may start before this

# Relative chat volume per day of November: Double-11 build-up, peak, and the returns wave.
PROMO_VOLUME = {9: 1.3, 10: 1.5, 11: 1.8, 12: 1.8, 13: 1.7, 14: 1.5, 15: 1.4, 16: 1.3, 17: 1.2, 18: 1.1}
# hour -> relative volume (after-sales chats cluster after lunch and in the evening)
HOUR_PROFILE = {
    8: 0.4, 9: 0.8, 10: 1.0, 11: 1.0, 12: 0.7, 13: 1.0, 14: 1.1, 15: 1.0, 16: 0.9,
    17: 0.8, 18: 0.7, 19: 1.0, 20: 1.2, 21: 1.1, 22: 0.6,
}  # fmt: skip

GROUPS = ["售后一组", "售后二组", "售后三组", "售后四组"]
SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹")
GIVEN_NAMES = [
    "伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛",
    "明", "超", "秀兰", "霞", "平", "刚", "桂英", "晓燕", "婷", "浩", "宇", "欣怡", "子涵", "思远",
    "佳怡", "俊杰", "雨轩", "文静", "海燕", "建华",
]  # fmt: skip

SPRINTER = "W2008"
CAREFUL = "W2017"
ALL_ROUNDER = "W2026"
NEW_HIRE = "W2031"
NEW_HIRE_DATE = dt.date(2026, 11, 16)
RATING_SHY = "W2035"
RATING_SHY_QUOTA = 6
SPECIAL = {
    SPRINTER: "sprinter: ~65 sessions/day, replies in ~13 s, resolution rate in the mid 70s, poor CSAT",
    CAREFUL: "careful: ~22 sessions/day, slow replies, resolves ~95%, best CSAT",
    ALL_ROUNDER: "all-rounder: high skill and a brisk pace",
    NEW_HIRE: "hired 2026-11-16, still learning: low skill, few sessions",
    RATING_SHY: f"rating invitations broken: only {RATING_SHY_QUOTA} rated sessions",
}
BOT_SESSIONS = 25
DUPLICATED_SESSIONS = 2


def file_rng(seed: int, name: str) -> random.Random:
    """An independent, deterministic stream per output file (str seeds are hashed with SHA-512)."""
    return random.Random(f"{seed}:{name}")


def clip(value: float, low: float, high: float) -> float:
    return max(low, min(high, value))


def logistic(x: float) -> float:
    return 1 / (1 + math.exp(-x))


def write_csv(path: Path, header: Sequence[str], rows: Sequence[Sequence[object]], *, crlf: bool) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n" if crlf else "\n")
        writer.writerow(header)
        writer.writerows(rows)
    return len(rows)


@dataclass
class Agent:
    agent_id: str
    name: str
    group: str
    hired: dt.date
    skill: float  # resolves more, better CSAT
    pace: float  # more sessions, faster replies, slightly lower resolution


def make_agents(rng: random.Random, count: int) -> list[Agent]:
    agents = []
    used_names: list[str] = []
    for i in range(count):
        agent_id = f"W{2001 + i}"
        name = rng.choice(SURNAMES) + rng.choice(GIVEN_NAMES)
        while name in used_names:
            name = rng.choice(SURNAMES) + rng.choice(GIVEN_NAMES)
        used_names.append(name)
        hired = dt.date(2021, 3, 1) + dt.timedelta(days=rng.randrange(0, 5 * 365))
        skill, pace = rng.gauss(0, 1), rng.gauss(0, 1)
        if agent_id == SPRINTER:
            skill, pace = 0.3, 2.6
        elif agent_id == CAREFUL:
            skill, pace = 2.3, -2.2
        elif agent_id == ALL_ROUNDER:
            skill, pace = 1.8, 1.2
        elif agent_id == NEW_HIRE:
            skill, pace, hired = -1.2, -0.8, NEW_HIRE_DATE
        agents.append(Agent(agent_id, name, GROUPS[i % len(GROUPS)], hired, skill, pace))
    return agents


def work_days(rng: random.Random, agent: Agent) -> list[dt.date]:
    """About 22 of the 30 days; rest days are rarer during the promotion."""
    days = []
    for offset in range(MONTH_DAYS):
        day = MONTH_FIRST + dt.timedelta(days=offset)
        if day < agent.hired:
            continue
        rest_chance = 0.08 if day.day in PROMO_VOLUME else 0.32
        if rng.random() >= rest_chance:
            days.append(day)
    return days


def session_time(rng: random.Random, day: dt.date) -> dt.datetime:
    hours = list(HOUR_PROFILE)
    hour = rng.choices(hours, weights=[HOUR_PROFILE[h] for h in hours])[0]
    second = hour * 3600 + rng.randrange(3600)
    second = min(second, CLOSE_SECONDS - 1)
    return dt.datetime.combine(day, dt.time()) + dt.timedelta(seconds=max(second, OPEN_SECONDS))


def rating(rng: random.Random, agent: Agent, resolved: bool, first_response: float | None) -> int:
    mean = 4.05 + 0.3 * agent.skill - 0.12 * agent.pace + (0.35 if resolved else -1.1)
    if first_response is not None and first_response > 60:
        mean -= 0.4
    return int(clip(round(rng.gauss(mean, 0.7)), 1, 5))


def sessions_rows(rng: random.Random, agents: list[Agent]) -> list[list[object]]:
    rows: list[list[object]] = []
    for agent in agents:
        per_day = 32 * math.exp(0.22 * agent.pace)
        if agent.agent_id == NEW_HIRE:
            per_day = 18
        frt_median = 24 * math.exp(-0.35 * agent.pace)
        duration_median = 430 * math.exp(-0.18 * agent.pace - 0.05 * agent.skill)
        resolve_p = logistic(1.75 + 0.55 * agent.skill - 0.3 * agent.pace)
        agent_rows: list[list[object]] = []
        for day in work_days(rng, agent):
            load = PROMO_VOLUME.get(day.day, 1.0)
            count = max(1, round(rng.gauss(per_day * load, 3)))
            for _ in range(count):
                started = session_time(rng, day)
                offline = rng.random() < 0.01
                frt = (
                    None
                    if offline
                    else round(clip(rng.lognormvariate(math.log(frt_median * load**0.6), 0.6), 2, 1800))
                )
                duration = round(clip(rng.lognormvariate(math.log(duration_median), 0.45), 40, 5400))
                resolved = rng.random() < resolve_p * (0.97 if load > 1.4 else 1.0)
                agent_rows.append([agent.agent_id, agent.name, started, frt, duration, resolved])
        agent_rows.sort(key=lambda r: r[2])  # type: ignore[arg-type, return-value]
        rated_quota = RATING_SHY_QUOTA if agent.agent_id == RATING_SHY else None
        for row in agent_rows:
            score: int | str = ""
            if rng.random() < 0.25 and (rated_quota is None or rated_quota > 0):
                score = rating(rng, agent, bool(row[5]), row[3])  # type: ignore[arg-type]
                if rated_quota is not None:
                    rated_quota -= 1
            rows.append([*row, score])
    for _ in range(BOT_SESSIONS):
        day = MONTH_FIRST + dt.timedelta(days=rng.randrange(MONTH_DAYS))
        rows.append(
            ["", "智能机器人", session_time(rng, day), 1, rng.randrange(30, 200), rng.random() < 0.5, ""]
        )
    rows.sort(key=lambda r: (r[2], r[0]))  # type: ignore[arg-type, return-value]
    exported: list[list[object]] = []
    for index, (agent_id, name, started, frt, duration, resolved, score) in enumerate(rows):
        exported.append([
            f"S{started:%Y%m%d}{index + 1:06d}",
            agent_id,
            name,
            f"{started:%Y-%m-%d %H:%M:%S}",
            "" if frt is None else frt,
            duration,
            "Y" if resolved else "N",
            score,
        ])  # fmt: skip
    # A page boundary of the export repeats two sessions.
    for position in (len(exported) // 3, 2 * len(exported) // 3)[:DUPLICATED_SESSIONS]:
        exported.insert(position + 1, list(exported[position]))
    return exported


def roster_rows(agents: list[Agent]) -> list[list[object]]:
    return [[a.agent_id, a.name, a.group, a.hired.isoformat()] for a in agents]


def readme(counts: dict[str, int], agents: int, seed: int) -> str:
    special = "\n".join(f"| {agent} | {text} |" for agent, text in SPECIAL.items())
    return f"""# Example: e-commerce after-sales chat desk, November 2026

Synthetic month-end exports for a {agents}-agent WeChat after-sales desk (微信售后客服), generated by
`examples/generate_aftersales.py` (seed {seed}). November contains the Double-11 promotion, so the desk
is scored under two weightings from the articles: `configs/aftersales_normal.yaml` (normal operations:
resolution rate 50%) and `configs/aftersales_promo.yaml` (promotion period: session volume 40%).

| file | encoding | data rows (header excluded) |
|---|---|---|
| `roster.csv` | UTF-8 with BOM, CRLF | {counts["roster.csv"]} |
| `sessions.csv` | UTF-8 with BOM, LF | {counts["sessions.csv"]} |

* `roster.csv`: 工号,姓名,组别,入职日期.
* `sessions.csv`: 会话ID,客服工号,客服,会话开始时间,首次响应时长(秒),会话时长(秒),是否已解决(Y/N),
  满意度评分 (1-5; blank when not rated, about a quarter of the sessions are rated).
  Contains **{BOT_SESSIONS} bot sessions** (客服 = 智能机器人, empty 客服工号),
  **{DUPLICATED_SESSIONS} sessions exported twice** (same 会话ID), and offline messages (留言, about 1%)
  with a blank 首次响应时长.

Volume rises from 11-09, peaks on 11-11..11-13 and ebbs by 11-20; the desk is open 08:00-23:00 every day
and each agent works about 22 days.

## The story (special agents)

Every agent has a latent *skill* (resolves more, better CSAT) and *pace* (more sessions, faster replies,
a little less resolution). The two weightings disagree about fast versus careful agents.

| agent | what is special |
|---|---|
{special}

## Regenerate

```
python examples/generate_aftersales.py --out examples/aftersales --agents {agents} --seed {seed}
```

The output is byte-identical across runs (fixed seeds per file).
"""


def generate(out_dir: Path, agent_count: int, seed: int) -> dict[str, int]:
    agents = make_agents(file_rng(seed, "roster.csv"), agent_count)
    counts = {
        "roster.csv": write_csv(
            out_dir / "roster.csv", ["工号", "姓名", "组别", "入职日期"], roster_rows(agents), crlf=True
        ),
        "sessions.csv": write_csv(
            out_dir / "sessions.csv",
            [
                "会话ID",
                "客服工号",
                "客服",
                "会话开始时间",
                "首次响应时长(秒)",
                "会话时长(秒)",
                "是否已解决",
                "满意度评分",
            ],
            sessions_rows(file_rng(seed, "sessions.csv"), agents),
            crlf=False,
        ),
    }
    (out_dir / "README.md").write_text(readme(counts, agent_count, seed), encoding="utf-8")
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "aftersales")
    parser.add_argument("--agents", type=int, default=40)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    for name, rows in generate(args.out, args.agents, args.seed).items():
        print(f"{args.out / name}: {rows} rows")


if __name__ == "__main__":
    main()
