-- The per-agent figures of benchmarks/benchmark.yaml, written by hand for DuckDB: the "obvious
-- alternative" the benchmark compares csperf with. Run in the data folder (file names are relative);
-- benchmarks/run.py replaces 'calls.csv' with the file under test.
-- Same definitions as the config: rows without an agent id are left out; ratios are null on a zero
-- denominator; CSAT, top-2-box and NPS count the answers that have a value.
WITH calls AS (
    SELECT
        "坐席工号" AS agent_id,
        count(*) AS call_count,
        count(*) FILTER (WHERE "是否接通" = '是') AS connected,
        sum("通话时长" + "保持时长" + "话后处理时长") FILTER (WHERE "是否接通" = '是') AS handle_s,
        count(*) FILTER (WHERE "呼叫结果" = '成功') AS converted,
        count(*) FILTER (WHERE "是否投诉" = '是') AS complaints
    FROM read_csv('calls.csv')
    WHERE "坐席工号" IS NOT NULL
    GROUP BY ALL
),
surveys AS (
    SELECT
        "坐席工号" AS agent_id,
        count("满意度") AS csat_responses,
        sum("满意度") AS csat_sum,
        count(*) FILTER (WHERE "满意度" >= 4) AS csat_top2_count,
        count("推荐意愿") AS nps_responses,
        count(*) FILTER (WHERE "推荐意愿" >= 9) AS promoters,
        count(*) FILTER (WHERE "推荐意愿" <= 6) AS detractors
    FROM read_csv('surveys.csv')
    WHERE "坐席工号" IS NOT NULL
    GROUP BY ALL
)
SELECT
    agent_id,
    call_count AS calls,
    connected / nullif(call_count, 0) AS connect_rate,
    handle_s / nullif(connected, 0) AS aht,
    converted / nullif(connected, 0) AS conversion,
    csat_sum / nullif(csat_responses, 0) AS csat,
    csat_top2_count / nullif(csat_responses, 0) AS csat_top2,
    100.0 * (promoters - detractors) / nullif(nps_responses, 0) AS nps,
    complaints / nullif(connected, 0) AS complaint_rate
FROM calls
FULL JOIN surveys USING (agent_id)
ORDER BY agent_id
