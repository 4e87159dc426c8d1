"""Generate speech-to-text transcripts for a sample of the outbound example's connected calls.

The story
---------
The dialer vendor's speech analytics transcribes a sample of connected calls (here 4,000 of the
~18,000 in October 2026) and exports one row per call: ``transcripts.csv`` (UTF-8, LF) with
通话ID, 坐席工号, 开始时间, 转写文本. The text is one line with speaker labels, as the ASR writes it:
``坐席：您好，我是… 客户：嗯，什么事？ 坐席：…``. Call ids, agents and start times are taken from
``dialer/calls_*.csv`` (connected calls only, duplicates once), so the transcripts join the other
exports by 通话ID.

What the scripts contain (``configs/outbound.yaml`` → ``text_rules:``):

* A required script: a greeting (您好/你好), the membership benefits (会员权益/会员福利) and a
  closing (感谢您的接听/祝您生活愉快). Most agents skip a step now and then (about 3-6% each);
  the over-dialer A1007 skips the greeting in about half of his calls and A1011 / A1052 often
  forget the membership benefits.
* Forbidden words. A1023 (the compliance streak of the QA file) promises guaranteed returns in
  about a third of his calls: "保证收益", "年化100%" (half of them transcribed with full-width
  digits, "１００％"). Other agents occasionally say "保证" or "百分之百" (about 1.5% of calls).
  A1002, a good agent with a clean QA sample, once reads a customer's full ID-card number back
  (a privacy red line that only a scan of every transcribed call finds).
* Customers: about 4% ask "你们能保证收益吗？" — words that must not count against the agent, so the
  rule looks at the agent's turns only. The agent's correct answer, "我们不能保证收益", contains
  保证收益 too: the rule lists 不能保证 as an exception. Refusals sometimes come with "别再打了",
  "骚扰" or "投诉" (more often for A1007, who calls in the evening).
* First-contact resolution phrases: the agent says "已解决" on resolved calls and "需转接" when he
  has to hand the customer to a specialist.

Determinism: one ``random.Random`` seeded from ``--seed`` and the file name; the output is
byte-identical across runs.

Usage::

    python examples/generate_transcripts.py [--out examples/outbound] [--calls 4000] [--seed 7]
"""

from __future__ import annotations

import argparse
import csv
import io
import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

RED_LINE_PROMISER = "A1023"
PROMISE_SHARE = 0.33
ID_LEAKER = "A1002"
OVER_DIALER = "A1007"
GREETING_SKIP = {OVER_DIALER: 0.5}
BENEFITS_SKIP = {"A1011": 0.4, "A1052": 0.35}
BASE_SKIP = 0.03
CASUAL_FORBIDDEN = 0.015
CUSTOMER_ASKS_GUARANTEE = 0.04
ANGRY = {OVER_DIALER: 0.18}
BASE_ANGRY = 0.03

AGENT = "坐席："
CUSTOMER = "客户："


@dataclass(frozen=True)
class ConnectedCall:
    call_id: str
    agent_id: str
    started_at: str
    outcome: str


def read_connected_calls(dialer_dir: Path) -> list[ConnectedCall]:
    """Connected agent calls from the dialer exports (GB18030), each 通话ID once, in id order."""
    calls: dict[str, ConnectedCall] = {}
    for path in sorted(dialer_dir.glob("calls_*.csv")):
        text = path.read_bytes().decode("gb18030")
        for row in csv.DictReader(io.StringIO(text)):
            if row["是否接通"] != "是" or not row["坐席工号"]:
                continue
            calls[row["通话ID"]] = ConnectedCall(
                row["通话ID"], row["坐席工号"], row["开始时间"], row["呼叫结果"]
            )
    return [calls[k] for k in sorted(calls)]


def full_width(text: str) -> str:
    """ASCII → full-width forms, as some ASR engines write digits and %."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def transcript(call: ConnectedCall, rng: random.Random, leak_here: bool) -> str:
    """One call's text: speaker-labelled turns on one line."""
    agent = call.agent_id
    turns: list[tuple[str, str]] = []

    def say(who: str, text: str) -> None:
        turns.append((who, text))

    skip_greeting = rng.random() < GREETING_SKIP.get(agent, BASE_SKIP)
    skip_benefits = rng.random() < BENEFITS_SKIP.get(agent, BASE_SKIP)
    skip_closing = rng.random() < BASE_SKIP * 2
    name = rng.choice(["小王", "小李", "小张", "小陈", "小刘", "小赵"])
    greeting = rng.choice(["您好", "你好"]) + f"，我是安信财富的{name}，工号{agent}。"
    say(AGENT, greeting if not skip_greeting else f"喂，我是安信财富的{name}。")
    say(CUSTOMER, rng.choice(["嗯，什么事？", "你好，请说。", "哪位？", "有什么事吗？"]))
    pitch = rng.choice(
        [
            "这次给您来电是想介绍一款稳健型的理财产品，",
            "我们最近上线了一款养老年金产品，",
            "您之前咨询过的那款定期理财现在有名额了，",
        ]
    )
    benefits = rng.choice(["您作为老客户还可以享受会员权益，", "开通后还有专属的会员福利，"])
    say(AGENT, pitch + ("" if skip_benefits else benefits) + "起投门槛一万元，期限一年。")
    if rng.random() < CUSTOMER_ASKS_GUARANTEE:
        say(CUSTOMER, rng.choice(["你们能保证收益吗？", "这个是100%保本的吗？", "能保证不亏吗？"]))
        say(AGENT, "理财产品有风险，我们不能保证收益，过往业绩不代表未来表现，具体以合同条款为准。")
    if agent == RED_LINE_PROMISER and rng.random() < PROMISE_SHARE:
        rate = "100%" if rng.random() < 0.5 else full_width("100%")
        say(
            AGENT,
            rng.choice(
                [f"这个产品我跟您保证收益，{rate}没问题的。", f"放心，保证收益，到期{rate}拿回本金。"]
            ),
        )
    elif rng.random() < CASUAL_FORBIDDEN:
        say(AGENT, rng.choice(["这个我保证帮您查清楚。", "百分之百是最合适您的。", "我保证，手续很简单。"]))
    if leak_here:
        say(AGENT, "我核对一下您的身份证号，是110105198807154321对吧？")
    outcome = call.outcome
    if outcome == "成功":
        say(CUSTOMER, "好的，那就帮我办一份吧。")
        say(AGENT, "好的，已经为您登记，您的问题已解决，稍后会有短信确认。")
    elif outcome == "有意向":
        say(CUSTOMER, "我考虑一下，回头再说。")
        say(AGENT, "好的，资料我发到您手机上，您有问题随时联系我。")
    elif outcome == "回访":
        say(CUSTOMER, "我对上次的收益有疑问。")
        say(AGENT, rng.choice(["这个问题需转接专员处理，请您稍等。", "我帮您查询了，问题已解决。"]))
    else:
        angry = rng.random() < ANGRY.get(agent, BASE_ANGRY)
        say(
            CUSTOMER,
            rng.choice(["别再打了，这是骚扰电话！", "再打我就投诉你们！", "烦死了，不需要。"])
            if angry
            else rng.choice(["不需要，谢谢。", "我现在没兴趣。", "暂时不考虑。"]),
        )
        say(AGENT, "好的，打扰您了。")
    if not skip_closing:
        say(AGENT, rng.choice(["感谢您的接听，祝您生活愉快！", "感谢接听，再见。"]))
    else:
        say(AGENT, "再见。")
    return " ".join(who + text for who, text in turns)


def write_transcripts(out_dir: Path, n_calls: int, seed: int) -> int:
    calls = read_connected_calls(out_dir / "dialer")
    rng = random.Random(f"{seed}:transcripts.csv")
    sample = sorted(rng.sample(calls, min(n_calls, len(calls))), key=lambda c: c.call_id)
    leak_at = next(i for i, c in enumerate(sample) if c.agent_id == ID_LEAKER)
    rows = [
        [c.call_id, c.agent_id, c.started_at, transcript(c, rng, leak_here=i == leak_at)]
        for i, c in enumerate(sample)
    ]
    path = out_dir / "transcripts.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["通话ID", "坐席工号", "开始时间", "转写文本"])
        writer.writerows(rows)
    return len(rows)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "outbound")
    parser.add_argument("--calls", type=int, default=4000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    count = write_transcripts(args.out, args.calls, args.seed)
    print(f"wrote {args.out / 'transcripts.csv'} ({count} calls, seed {args.seed})")


if __name__ == "__main__":
    main()
