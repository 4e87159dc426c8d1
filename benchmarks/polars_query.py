"""The per-agent figures of benchmarks/benchmark.yaml as one hand-written Polars query: the engine's
own floor for this job (lazy `scan_csv`, streaming engine, numbers typed by the CSV reader, an
explicit datetime format), next to DuckDB's. Same definitions as benchmarks/duckdb_query.sql.

    python benchmarks/polars_query.py DATA_DIR OUT.csv [--checks]

`--checks` adds the two per-row checks csperf cannot leave out and neither baseline makes: every
timestamp parsed by the explicit format (a bad one rejects its row) and the first column searched
for total labels (a total row is skipped, not counted). The result has two more columns; the time
is the engine's floor for a query doing what csperf must (see docs/performance.md).
"""

from __future__ import annotations

import sys
from pathlib import Path

import polars as pl

TOTAL_WORDS = ["合计", "总计", "小计", "汇总", "总和", "total", "summary", "sum"]


def checks() -> list[pl.Expr]:
    """Per agent: present timestamps that do not read by the format, first cells with a total word."""
    started, parsed = pl.col("开始时间"), pl.col("started_at")
    total = pl.col("通话ID").str.contains_any(TOTAL_WORDS, ascii_case_insensitive=True).fill_null(False)
    return [
        (started.is_not_null() & parsed.is_null()).sum().alias("bad_timestamps"),
        total.sum().alias("total_labels"),
    ]


def figures(folder: Path, with_checks: bool = False) -> pl.LazyFrame:
    agent = pl.col("坐席工号")
    calls = (
        pl.scan_csv(
            folder / "calls.csv",
            schema_overrides={"坐席工号": pl.String, "通话时长": pl.Float64, "保持时长": pl.Float64},
        )
        .with_columns(
            pl.col("话后处理时长").cast(pl.Float64),
            # Written as csperf reads it, but no output uses `last_call`, so Polars' optimiser drops
            # the parse (and DuckDB's query never reads the column): csperf validates every
            # timestamp, as a bad one rejects its row (about 10% of its work at 1M rows).
            pl.col("开始时间")
            .str.strptime(pl.Datetime("us"), "%Y-%m-%d %H:%M:%S", strict=False, cache=False)
            .alias("started_at"),
        )
        .filter(agent.is_not_null())
        .group_by(agent.alias("agent_id"))
        .agg(
            pl.len().alias("call_count"),
            (pl.col("是否接通") == "是").sum().alias("connected"),
            (pl.col("通话时长") + pl.col("保持时长") + pl.col("话后处理时长"))
            .filter(pl.col("是否接通") == "是")
            .sum()
            .alias("handle_s"),
            (pl.col("呼叫结果") == "成功").sum().alias("converted"),
            (pl.col("是否投诉") == "是").sum().alias("complaints"),
            pl.col("started_at").max().alias("last_call"),
            *(checks() if with_checks else []),
        )
    )
    csat, nps = pl.col("满意度"), pl.col("推荐意愿")
    surveys = (
        pl.scan_csv(folder / "surveys.csv", schema_overrides={"坐席工号": pl.String})
        .filter(agent.is_not_null())
        .group_by(agent.alias("agent_id"))
        .agg(
            csat.count().alias("csat_responses"),
            csat.sum().alias("csat_sum"),
            (csat >= 4).sum().alias("csat_top2_count"),
            nps.count().alias("nps_responses"),
            (nps >= 9).sum().cast(pl.Int64).alias("promoters"),
            (nps <= 6).sum().cast(pl.Int64).alias("detractors"),
        )
    )

    def ratio(numerator: pl.Expr, denominator: str) -> pl.Expr:
        return pl.when(pl.col(denominator) > 0).then(numerator / pl.col(denominator))

    return (
        calls.join(surveys, on="agent_id", how="full", coalesce=True)
        .select(
            "agent_id",
            pl.col("call_count").alias("calls"),
            ratio(pl.col("connected"), "call_count").alias("connect_rate"),
            ratio(pl.col("handle_s"), "connected").alias("aht"),
            ratio(pl.col("converted"), "connected").alias("conversion"),
            ratio(pl.col("csat_sum"), "csat_responses").alias("csat"),
            ratio(pl.col("csat_top2_count"), "csat_responses").alias("csat_top2"),
            ratio(100.0 * (pl.col("promoters") - pl.col("detractors")), "nps_responses").alias("nps"),
            ratio(pl.col("complaints"), "connected").alias("complaint_rate"),
            *(["bad_timestamps", "total_labels"] if with_checks else []),
        )
        .sort("agent_id")
    )


def main() -> None:
    folder, out = Path(sys.argv[1]), Path(sys.argv[2])
    figures(folder, "--checks" in sys.argv[3:]).collect(engine="streaming").write_csv(out)


if __name__ == "__main__":
    main()
