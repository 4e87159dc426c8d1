"""Fixed report texts (sheet names, headings, column headers) in English and Chinese.

Metric, category and scorecard labels come from the config; these are the report's own words.
"""

from __future__ import annotations

from csperf.model_base import Language

TEXTS: dict[str, tuple[str, str]] = {
    # sheet names (Excel allows at most 31 characters and no []:*?/\)
    "sheet_summary": ("Summary", "汇总"),
    "sheet_ranking": ("Ranking", "排名"),
    "sheet_metrics": ("Metrics", "指标"),
    "sheet_breakdown": ("Breakdown", "得分明细"),
    "sheet_bonus": ("Bonus", "奖金"),
    "sheet_trend": ("Trend", "环比"),
    "sheet_hours": ("Hour of day", "时段分布"),
    "sheet_quality": ("Data quality", "数据质量"),
    "sheet_definitions": ("Definitions", "指标定义"),
    # summary
    "report": ("Agent performance report", "坐席绩效报告"),
    "period": ("Period", "周期"),
    "period_all": ("all data (no --period)", "全部数据（未指定周期）"),
    "previous_period": ("Compared with", "对比周期"),
    "no_previous_data": ("no data", "无数据"),
    "not_compared": ("not compared", "未对比"),
    "scorecards": ("Scorecards", "评分卡"),
    "agents_listed": ("Agents", "坐席人数"),
    "agents_scored": ("Agents scored", "已评分人数"),
    "average_score": ("Average score", "平均得分"),
    "median_score": ("Median score", "得分中位数"),
    "best_score": ("Highest score", "最高得分"),
    "lowest_score": ("Lowest score", "最低得分"),
    "rows_read": ("Rows read", "读取行数"),
    "rows_used": ("Rows used", "使用行数"),
    "rows_rejected": ("Rows rejected", "拒绝行数"),
    "rows_skipped": ("Rows skipped", "跳过行数"),
    "duplicates": ("Duplicates", "重复行数"),
    "outside_period": ("Outside the period", "周期外行数"),
    "generated": ("Generated", "生成时间"),
    "team_averages": ("Team averages", "团队平均"),
    "score_distribution": ("Score distribution", "得分分布"),
    "score_band": ("Score", "得分区间"),
    "tier_counts": ("Bonus tiers", "奖金档位"),
    "tier": ("Tier", "档位"),
    "amount": ("Amount", "金额"),
    "no_tier": ("no tier", "未达档"),
    "all": ("All", "全部"),
    "no_group": ("(not in roster)", "（不在名册）"),
    "empty_note": (
        "No row of any source falls in this period: the report is empty (--allow-empty).",
        "本周期内没有任何可用数据：报告为空（--allow-empty）。",
    ),
    # columns
    "rank": ("Rank", "排名"),
    "movement": ("Move", "名次变化"),
    "agent_id": ("Agent", "工号"),
    "scorecard": ("Scorecard", "评分卡"),
    "scorecard_rank": ("Rank in scorecard", "卡内排名"),
    "score": ("Score", "得分"),
    "score_change": ("Score Δ", "得分变化"),
    "points": ("points", "得分"),
    "value": ("Value", "数值"),
    "previous": ("previous", "上期"),
    "change": ("Δ", "变化"),
    "category": ("Category", "类别"),
    "metric": ("Metric", "指标"),
    "rule": ("Rule", "计分规则"),
    "insufficient": ("Not judged", "未评"),
    "weight": ("Weight", "权重"),
    "effective_weight": ("Effective weight", "实际权重"),
    "contribution": ("Contribution", "贡献分"),
    "agents": ("Agents", "人数"),
    "hour": ("Hour", "时段"),
    "attempts": ("Volume", "量"),
    "success_rate": ("Rate", "比率"),
    "source": ("Source", "数据源"),
    "files": ("Files", "文件"),
    "status": ("Status", "状态"),
    "reason": ("Reason", "原因"),
    "rows": ("Rows", "行数"),
    "rejected": ("rejected", "拒绝"),
    "skipped": ("skipped", "跳过"),
    "quality_reasons": ("Rows not used, by reason", "未使用行及原因"),
    "agent_matching": ("Agent matching", "坐席匹配"),
    "agents_not_in_roster": (
        "In the data but not in the roster (not scored)",
        "数据中有但名册中无（未评分）",
    ),
    "roster_agents_without_data": ("In the roster but no data", "名册中有但无数据"),
    "agents_without_scorecard": ("No scorecard applies", "无适用评分卡"),
    "agents_not_scored": ("No metric judged (no score)", "无可评指标（无得分）"),
    "insufficient_metrics": ("Metrics not judged (min_volume or no data)", "未评指标（样本不足或无数据）"),
    "label": ("Label", "名称"),
    "definition": ("Definition", "定义"),
    "unit": ("Unit", "单位"),
    "direction": ("Better", "方向"),
    "higher": ("higher", "越高越好"),
    "lower": ("lower", "越低越好"),
    "floor": ("Floor", "底线"),
    "target": ("Target", "目标"),
    "cap": ("Cap", "上限"),
    "category_weight": ("Category weight", "类别权重"),
    "min_volume": ("Minimum volume", "最小样本"),
    "description": ("Description", "说明"),
    "measures": ("Measures", "度量"),
    "measure": ("Measure", "度量"),
    "aggregation": ("Aggregation", "聚合"),
    "where": ("Condition", "条件"),
    "not_scored_metric": ("(not scored)", "（不计分）"),
    "total": ("Total", "合计"),
    "data_quality_hint": (
        "Every row read is used, rejected, skipped, a duplicate or outside the period.",
        "读取的每一行都计入：使用、拒绝、跳过、重复或周期外。",
    ),
}


def text(key: str, language: Language | str | None) -> str:
    """The report text for `key` in the language (English when unknown)."""
    english, chinese = TEXTS[key]
    return chinese if language == "zh" else english


def resolve_language(language: str | None, configured: str) -> Language:
    """--lang when given, else the config's `language:`."""
    chosen = language or configured
    return "zh" if chosen == "zh" else "en"
