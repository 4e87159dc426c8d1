"""Benchmark of `text_rules:` matching: 1M transcripts of ~500 characters against 200 terms.

The data is generated deterministically in memory (2,000 distinct texts of Chinese characters,
ASCII and full-width digits, with planted terms, repeated to the row count), so every run times the
same work. Each step is timed on its own and then the whole lazy pass the pipeline runs (rule
columns + a per-agent group-by + the hits table, in one `collect_all`). Not part of the test suite.

    python benchmarks/bench_text_rules.py [--rows 1000000] [--terms 200] [--chars 500]
"""

from __future__ import annotations

import argparse
import os
import random
import re
import time
from collections.abc import Callable
from typing import Any

import polars as pl

from csperf.config import Config
from csperf.text_rules import apply_text_rules, fold_width, prepared_text, rule_stages

ENGINE = "streaming"  # the engine csperf's pipeline collects with

HAN = (
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面"
    "而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把"
    "性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质"
)
# Characters the random terms are made of, none of them in HAN: hits come from the planted terms
# (about 1 text in 10, as in a month of real calls), not from chance.
TERM_HAN = "气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革"


def make_terms(rng: random.Random, n: int) -> list[str]:
    """Terms of 2-5 characters; a few with ASCII (matched across widths and case)."""
    terms = ["保证收益", "保证", "100%", "VIP", "零风险", "稳赚不赔"]
    while len(terms) < n:
        term = "".join(rng.choice(TERM_HAN) for _ in range(rng.randint(2, 5)))
        if term not in terms:
            terms.append(term)
    return terms[:n]


def make_texts(rng: random.Random, terms: list[str], distinct: int, chars: int) -> list[str]:
    """Speaker-labelled texts; one in ten carries a planted term (one in thirty full-width)."""
    texts = []
    for i in range(distinct):
        turns = []
        length = 0
        speaker = 0
        while length < chars:
            body = "".join(rng.choice(HAN) for _ in range(rng.randint(15, 40)))
            if rng.random() < 0.05:
                body += str(rng.randint(1, 999)) + "%"
            turn = ("坐席：" if speaker == 0 else "客户：") + body + "。"
            turns.append(turn)
            length += len(turn)
            speaker = 1 - speaker
        text = " ".join(turns)[:chars]
        if i % 10 == 0:
            term = rng.choice(terms)
            if i % 30 == 0:
                term = "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in term)
            at = rng.randrange(len(text))
            text = text[:at] + term + text[at:]
        texts.append(text)
    return texts


def config_for(terms: list[str]) -> Config:
    half = len(terms) // 2
    return Config.model_validate(
        {
            "sources": {"t": {"path": "-", "columns": {"agent_id": "a", "text": "x"}}},
            "text_rules": {
                "forbidden": {
                    "source": "t",
                    "column": "text",
                    "speaker": {"tags": ["坐席:"], "other_tags": ["客户:"]},
                    "terms": {"serious": terms[:half], "red_line": terms[half:]},
                    "patterns": {"red_line": [r"[0-9]{17}[0-9Xx]"]},
                }
            },
            "measures": {"n": {"source": "t", "agg": "count"}},
            "metrics": {"m": {"formula": "n"}},
            "scorecards": {
                "c": {
                    "categories": {
                        "k": {"weight": 100, "metrics": {"m": {"weight": 100, "points": {"percentile": {}}}}}
                    }
                }
            },
        }
    )


def timed(label: str, work: Callable[[], Any]) -> Any:
    start = time.perf_counter()
    out = work()
    print(f"{label:<58} {time.perf_counter() - start:7.2f} s")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--terms", type=int, default=200)
    parser.add_argument("--chars", type=int, default=500)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    rng = random.Random(args.seed)
    terms = make_terms(rng, args.terms)
    texts = make_texts(rng, terms, 2000, args.chars)
    index = pl.Series("i", [rng.randrange(len(texts)) for _ in range(args.rows)], dtype=pl.UInt32)
    frame = pl.DataFrame(
        {
            "agent_id": (index % 500).cast(pl.String),
            "text": pl.Series(texts).gather(index),
            "_status": pl.Series([None] * args.rows, dtype=pl.String),
            "_file": pl.Series(["bench"] * args.rows),
            "_row": pl.Series(range(2, args.rows + 2), dtype=pl.Int64),
        }
    )
    size = frame["text"].str.len_bytes().sum() / 1e6
    print(f"{args.rows:,} rows, {size:,.0f} MB of UTF-8 text, {len(terms)} terms, polars {pl.__version__}")
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"{os.cpu_count()} CPUs, load average {load} (timings are wall-clock seconds)")

    config = config_for(terms)
    longest_first = sorted(terms, key=len, reverse=True)
    rule = config.text_rules["forbidden"]
    lazy = frame.lazy()
    timed(
        "width folding (str.replace_many, 101 characters)",
        lambda: lazy.select(fold_width(pl.col("text"))).collect(engine=ENGINE),
    )
    timed(
        "terms alone, Aho-Corasick (str.extract_many, leftmost)",
        lambda: lazy.select(
            pl.col("text").str.extract_many(longest_first, ascii_case_insensitive=True, leftmost=True)
        ).collect(engine=ENGINE),
    )
    regex = "(?i)" + "|".join(re.escape(t) for t in longest_first)
    timed(
        "terms alone, regex alternation (str.extract_all; csperf's)",
        lambda: lazy.select(pl.col("text").str.extract_all(regex)).collect(engine=ENGINE),
    )
    timed(
        "fold + agent turns only (speaker tags)",
        lambda: lazy.select(prepared_text(rule)).collect(engine=ENGINE),
    )
    staged = lazy.with_columns(prepared_text(rule).alias("__text_forbidden"))
    timed(
        "fold + turns + terms + pattern (the rule's match lists)",
        lambda: staged.select(rule_stages("forbidden", rule)[0]).collect(engine=ENGINE),
    )

    from csperf.config import MeasureConfig
    from csperf.measures import aggregate_query
    from csperf.sources import SourceFrame
    from csperf.text_rules import hits_query

    measures = {
        "calls": MeasureConfig(source="t", agg="count"),
        "flagged": MeasureConfig(source="t", agg="count", where="forbidden_hit"),
        "red_lines": MeasureConfig(source="t", agg="count", where="forbidden_red_line_hit"),
    }

    def whole_pass() -> list[pl.DataFrame]:
        source = SourceFrame(name="t", files=[], frame=apply_text_rules(lazy, config, "t"), raw_headers={})
        hits = hits_query(config, {"t": source})
        assert hits is not None
        # as the pipeline does: one collect_all on the streaming engine (text matched once for both)
        return pl.collect_all([aggregate_query(source.used(), measures), hits], engine=ENGINE)

    per_agent, hits = timed("pipeline pass: rule columns + group-by + hits table", whole_pass)
    print(
        f"rows with a hit: {hits.height:,} ({hits.height / args.rows:.1%}); "
        f"counted by the measures: {per_agent['flagged'].sum():,}, red lines {per_agent['red_lines'].sum():,}"
    )


if __name__ == "__main__":
    main()
