"""Review packs: one self-contained HTML page per agent (`csperf review`), plus an index page.

No scripts and no network resources: CSS is inline and the chart is an inline SVG (points per
metric, the team median marked), so a page can be mailed, printed or opened from disk. Every text
is HTML-escaped. Each number shown also sits, unrounded (6 decimals, as in the JSON report), in a
`data-*` attribute, so tests and other tools can read the page without parsing formatted text.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from pathlib import Path

from csperf.reports.atomic import write_text_atomic
from csperf.reports.tables import clean_number, format_value
from csperf.review import AgentReview, MetricReview, Suggestion

TEXTS: dict[str, tuple[str, str]] = {
    "title": ("Performance review", "绩效面谈"),
    "index_title": ("Performance reviews", "绩效面谈汇总"),
    "period": ("Period", "周期"),
    "all_data": ("all data", "全部数据"),
    "compared_with": ("Compared with", "对比周期"),
    "no_previous": ("no previous period (no --period given)", "无上期（未指定 --period）"),
    "no_previous_data": ("no data", "无数据"),
    "team": ("Team", "组别"),
    "scorecard": ("Scorecard", "评分卡"),
    "score": ("Score", "得分"),
    "rank": ("Rank", "排名"),
    "of": ("of", "/"),
    "rank_in_scorecard": ("Rank in scorecard", "卡内排名"),
    "tier": ("Bonus tier", "奖金档位"),
    "amount": ("Bonus", "奖金"),
    "last_period": ("last period", "上期"),
    "new": ("new", "新"),
    "up": ("up", "上升"),
    "down": ("down", "下降"),
    "same": ("unchanged", "不变"),
    "places_up": ("▲{n}", "▲{n}"),
    "places_down": ("▼{n}", "▼{n}"),
    "not_scored": (
        "Not scored: no scorecard applies or no metric could be judged.",
        "未评分：无适用评分卡或无可评指标。",
    ),
    "chart": ("Points per metric", "各指标得分"),
    "chart_legend": ("bar: points (0–100); mark: team median", "条形：得分（0–100）；竖线：组内中位数"),
    "metrics": ("Metrics", "指标明细"),
    "metric": ("Metric", "指标"),
    "value": ("Value", "本期"),
    "target": ("Full points at", "满分值"),
    "team_median": ("Team median", "组内中位数"),
    "previous": ("Last period", "上期"),
    "change": ("Change", "变化"),
    "points": ("Points", "得分"),
    "team_points": ("Team median points", "组内中位得分"),
    "weight": ("Weight", "权重"),
    "lost": ("Points lost", "失分"),
    "points_word": ("points", "得分"),
    "lost_word": ("lost", "失分"),
    "not_judged": ("not judged", "未评"),
    "strongest": ("Strongest", "优势指标"),
    "weakest": ("Weakest", "待提升指标"),
    "moved": ("Moved most since last period", "较上期变化最大"),
    "nothing_moved": ("No metric changed.", "各指标均无变化。"),
    "none": ("none", "无"),
    "suggestions": ("Suggested targets for next period", "下期建议目标"),
    "no_suggestions": (
        "No suggestion: no weak metric below its team quantile or full points.",
        "无建议：待提升指标已达组内分位或满分值。",
    ),
    "now": ("Now", "本期"),
    "aim": ("Aiming at", "参照"),
    "suggested": ("Suggested target", "建议目标"),
    "points_at_target": ("Points at target", "目标得分"),
    "gain": ("Score gain", "总分提升"),
    "team_quantile": ("team P{q}", "组内P{q}"),
    "rule_target": ("full points", "满分值"),
    "not_judged_title": ("Not judged", "未评指标"),
    "interval": ("95% interval", "95%区间"),
    "raw": ("raw", "原始值"),
    "how": ("How this page is computed", "计算说明"),
    "how_weak": (
        "Weakest: the most score points lost (weight × (100 − points) / 100). "
        "Strongest: the highest points, heavier weight first.",
        "待提升：失分最多（权重 × (100 − 得分) / 100）。优势：得分最高，同分时权重大者优先。",
    ),
    "how_team": (
        "Team figures use the team members whose metric was judged; "
        "points medians only those on the same scorecard.",
        "组内数据只含该指标已评的组员；得分中位数只含同一评分卡的组员。",
    ),
    "how_target": (
        "Suggested target: {step} of the way from the value to the team's P{q} "
        "(P{lq} when lower is better); at or beyond it, toward full points.",
        "建议目标：从本期值向组内P{q}（越低越好的指标为P{lq}）前进{step}；已达到时，向满分值前进。",
    ),
    "agents": ("Agents", "坐席"),
    "agent": ("Agent", "工号"),
    "name": ("Name", "姓名"),
    "page": ("Page", "页面"),
}

STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", "Noto Sans CJK SC", "Microsoft YaHei",
       sans-serif; margin: 2em auto; max-width: 1100px; padding: 0 1em; color: #222; }
h1 { font-size: 1.45em; margin-bottom: 0.2em; } h2 { font-size: 1.1em; margin-top: 1.6em; }
.sub { color: #555; margin: 0 0 1em 0; }
.cards { display: flex; flex-wrap: wrap; gap: 0.8em; }
.card { border: 1px solid #ccd; border-radius: 6px; padding: 0.6em 1em; min-width: 9em; }
.card .k { color: #555; font-size: 0.85em; } .card .v { font-size: 1.5em; font-weight: bold; }
.card .d { font-size: 0.85em; color: #555; }
.up, .card .d.up { color: #1a7f37; } .down, .card .d.down { color: #c62828; }
table { border-collapse: collapse; font-size: 0.88em; margin: 0.5em 0; }
th, td { border: 1px solid #ccd; padding: 0.25em 0.55em; }
th { background: #ddebf7; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.insufficient td { color: #888; }
tr.weak td:first-child { border-left: 4px solid #e67e22; }
tr.strong td:first-child { border-left: 4px solid #2e9e5b; }
.small { font-size: 0.8em; color: #666; }
.cols { display: flex; flex-wrap: wrap; gap: 2em; }
.cols > div { flex: 1 1 16em; }
ul { padding-left: 1.2em; } li { margin: 0.2em 0; }
.note { color: #555; font-size: 0.85em; }
svg text { font-family: inherit; font-size: 12px; fill: #222; }
"""


def _t(key: str, language: str) -> str:
    english, chinese = TEXTS[key]
    return chinese if language == "zh" else english


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _data(value: object) -> str:
    """A number for a data attribute: as the JSON report writes it; empty when missing."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    cleaned = clean_number(float(value)) if isinstance(value, float) else value
    return "" if cleaned is None else _e(repr(cleaned) if isinstance(cleaned, float) else cleaned)


def _attrs(**values: object) -> str:
    return "".join(f' data-{key.replace("_", "-")}="{_data(value)}"' for key, value in values.items())


def _number(value: float | None, digits: int = 2) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def _signed(value: float | None, digits: int = 2) -> str:
    if value is None:
        return "–"
    if round(value, digits) == 0:
        return f"{0:.{digits}f}"
    return f"{value:+.{digits}f}".replace("-", "−")


def change_text(value: float | None, unit: str, language: str) -> str:
    """A change in the metric's unit: percentage points, m:ss, or a signed number."""
    if value is None:
        return "–"
    if unit == "percent":
        points = _signed(value * 100, 1)
        return f"{points} pp" if language != "zh" else f"{points}个百分点"
    if unit == "seconds":
        sign = "−" if value < 0 else "+"
        total = round(abs(value))
        return "0:00" if total == 0 else f"{sign}{total // 60}:{total % 60:02d}"
    return _signed(value)


def _direction(value: float | None, better: str = "higher") -> str:
    if value is None or abs(value) < 1e-9:
        return ""
    good = value > 0 if better == "higher" else value < 0
    return "up" if good else "down"


def _card(key: str, value: str, detail: str = "", css: str = "", attrs: str = "") -> str:
    extra = f'<div class="d {css}">{_e(detail)}</div>' if detail else ""
    inner = f'<div class="k">{_e(key)}</div><div class="v">{_e(value)}</div>{extra}'
    return f'<div class="card"{attrs}>{inner}</div>'


def _previous_note(review: AgentReview, language: str) -> str:
    if review.previous_period is None:
        return _t("no_previous", language)
    if not review.previous_has_data:
        return f"{review.previous_period} ({_t('no_previous_data', language)})"
    return review.previous_period


def _cards(review: AgentReview, language: str) -> str:
    t = lambda key: _t(key, language)  # noqa: E731
    compared = review.previous_has_data
    last = t("last_period")
    score_detail = ""
    if compared:
        score_detail = (
            f"{_signed(review.score_change)} ({last} {_number(review.score_previous)})"
            if review.score_previous is not None
            else t("new")
        )
    rank_text = f"{review.rank} {t('of')} {review.ranked}" if review.rank is not None else "–"
    rank_detail = ""
    if compared:
        if review.rank_change is None:
            rank_detail = t("new") if review.rank is not None else ""
        elif review.rank_change == 0:
            rank_detail = f"= ({last} {review.rank_previous})"
        else:
            key = "places_up" if review.rank_change > 0 else "places_down"
            rank_detail = f"{t(key).format(n=abs(review.rank_change))} ({last} {review.rank_previous})"
    parts = [
        _card(
            t("score"),
            _number(review.score),
            score_detail,
            _direction(review.score_change),
            _attrs(field="score"),
        ),
        _card(
            t("rank"),
            rank_text,
            rank_detail,
            _direction(review.rank_change),
            _attrs(field="rank"),
        ),
        _card(
            t("rank_in_scorecard"),
            f"{review.scorecard_rank} {t('of')} {review.scorecard_ranked}" if review.scorecard_rank else "–",
            review.scorecard_label,
        ),
    ]
    if review.has_bonus:
        tier_detail = ""
        if compared:
            tier_detail = (
                f"{t(review.tier_change)} ({last} {review.tier_previous_label})"
                if review.tier_change
                else t("new")
            )
        css = {"up": "up", "down": "down"}.get(review.tier_change or "", "")
        parts.append(_card(t("tier"), review.tier_label or "–", tier_detail, css, _attrs(field="tier")))
        if review.bonus_amount is not None:
            parts.append(_card(t("amount"), f"{review.bonus_amount:,.2f}", review.bonus_outcome or ""))
    return f'<div class="cards">{"".join(parts)}</div>'


def chart(review: AgentReview, language: str) -> str:
    """Horizontal bars of points per metric, the team median as a dark mark; inline SVG."""
    rows = review.metrics
    if not rows:
        return ""
    label_width, bar_width, row_height, right = 190, 420, 24, 70
    top = max([100.0, *[m.points or 0.0 for m in rows], *[m.team_points_median or 0.0 for m in rows]])
    scale = bar_width / top
    height = row_height * len(rows) + 28
    width = label_width + bar_width + right
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{_e(_t("chart", language))}">'
    ]
    for tick in (0, 50, 100):
        x = label_width + tick * scale
        parts.append(
            f'<line x1="{x:.1f}" y1="0" x2="{x:.1f}" y2="{height - 22}" stroke="#ddd" stroke-width="1"/>'
            f'<text x="{x:.1f}" y="{height - 8}" text-anchor="middle" class="small">{tick}</text>'
        )
    for i, m in enumerate(rows):
        y = i * row_height + 4
        label = m.label if len(m.label) <= 24 else m.label[:23] + "…"
        parts.append(f'<text x="{label_width - 8}" y="{y + 14}" text-anchor="end">{_e(label)}</text>')
        if m.insufficient or m.points is None:
            parts.append(
                f'<text x="{label_width + 4}" y="{y + 14}" fill="#888" style="fill:#888">'
                f"{_e(_t('not_judged', language))}</text>"
            )
            continue
        colour = (
            "#e67e22"
            if m.metric in review.weakest
            else "#2e9e5b"
            if m.metric in review.strongest
            else "#5b9bd5"
        )
        length = max(m.points, 0.0) * scale
        parts.append(
            f'<rect x="{label_width}" y="{y + 3}" width="{length:.1f}" height="{row_height - 8}" '
            f'fill="{colour}" data-metric="{_e(m.metric)}" data-points="{_data(m.points)}"/>'
            f'<text x="{label_width + length + 4:.1f}" y="{y + 14}">{m.points:.0f}</text>'
        )
        if m.team_points_median is not None:
            x = label_width + m.team_points_median * scale
            parts.append(
                f'<line x1="{x:.1f}" y1="{y}" x2="{x:.1f}" y2="{y + row_height - 2}" stroke="#222" '
                f'stroke-width="2.5" data-team-median-points="{_data(m.team_points_median)}"/>'
            )
    parts.append("</svg>")
    return "".join(parts)


def _value_cell(m: MetricReview, language: str) -> str:
    text = _e(format_value(m.value, m.unit))
    notes = []
    if m.raw_value is not None and m.value is not None and abs(m.raw_value - m.value) > 1e-9:
        notes.append(f"{_t('raw', language)} {format_value(m.raw_value, m.unit)}")
    if m.interval is not None:
        low, high = (format_value(v, m.unit) for v in m.interval)
        notes.append(f"{_t('interval', language)} {low}–{high}")
    if notes:
        text += f'<br><span class="small">{_e("; ".join(notes))}</span>'
    return text


def metric_table(review: AgentReview, language: str) -> str:
    t = lambda key: _t(key, language)  # noqa: E731
    heads = [
        "metric",
        "value",
        "target",
        "team_median",
        "previous",
        "change",
        "points",
        "team_points",
        "weight",
        "lost",
    ]
    head = "".join(f"<th>{_e(t(h))}</th>" for h in heads)
    body = []
    for m in review.metrics:
        css = (
            "insufficient"
            if m.insufficient
            else "weak"
            if m.metric in review.weakest
            else ("strong" if m.metric in review.strongest else "")
        )
        attrs = _attrs(
            metric=m.metric,
            value=m.value,
            target=m.target,
            team_median=m.team_median,
            previous=m.previous,
            change=m.change,
            points=m.points,
            previous_points=m.previous_points,
            weight=m.weight,
            contribution=m.contribution,
            lost=m.lost,
            insufficient=m.insufficient,
        )
        points = _t("not_judged", language) if m.insufficient else _number(m.points, 1)
        change_css = _direction(m.change, m.better)
        cells = [
            f'<td title="{_e(m.rule)}">{_e(m.label)}<br>'
            f'<span class="small">{_e(m.category_label)}</span></td>',
            f'<td class="num">{_value_cell(m, language)}</td>',
            f'<td class="num">{_e(format_value(m.target, m.unit))}</td>',
            f'<td class="num">{_e(format_value(m.team_median, m.unit))}</td>',
            f'<td class="num">{_e(format_value(m.previous, m.unit))}</td>',
            f'<td class="num {change_css}">{_e(change_text(m.change, m.unit, language))}</td>',
            f'<td class="num">{_e(points)}</td>',
            f'<td class="num">{_e(_number(m.team_points_median, 1))}</td>',
            f'<td class="num">{_e(_number(m.weight, 1))}</td>',
            f'<td class="num">{_e(_number(m.lost, 2))}</td>',
        ]
        body.append(f'<tr class="{css}"{attrs}>{"".join(cells)}</tr>')
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _metric_list(review: AgentReview, names: list[str], kind: str, language: str) -> str:
    if not names:
        return f'<ul data-list="{kind}"><li>{_e(_t("none", language))}</li></ul>'
    items = []
    for name in names:
        m = review.metric(name)
        if kind == "moved":
            detail = (
                f"{format_value(m.previous, m.unit)} → {format_value(m.value, m.unit)} "
                f"({change_text(m.change, m.unit, language)}; {_t('points_word', language)} "
                f"{_signed(m.points_change, 1) if m.points_change is not None else '–'})"
            )
        elif kind == "weakest":
            detail = (
                f"{format_value(m.value, m.unit)}, {_t('points_word', language)} {_number(m.points, 1)}, "
                f"{_t('lost_word', language)} {_number(m.lost)}"
            )
        else:
            detail = f"{format_value(m.value, m.unit)}, {_t('points_word', language)} {_number(m.points, 1)}"
        items.append(f'<li data-metric="{_e(name)}"><b>{_e(m.label)}</b>: {_e(detail)}</li>')
    return f'<ul data-list="{kind}">{"".join(items)}</ul>'


def suggestion_table(review: AgentReview, language: str) -> str:
    t = lambda key: _t(key, language)  # noqa: E731
    if not review.suggestions:
        return f'<p class="note">{_e(t("no_suggestions"))}</p>'
    heads = ["metric", "now", "aim", "suggested", "points", "points_at_target", "gain"]
    head = "".join(f"<th>{_e(t(h))}</th>" for h in heads)
    body = []
    for s in review.suggestions:
        body.append(_suggestion_row(s, language))
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _suggestion_row(s: Suggestion, language: str) -> str:
    if s.aim_kind == "team_quantile":
        kind = _t("team_quantile", language).format(q=round(s.quantile * 100))
    else:
        kind = _t("rule_target", language)
    attrs = _attrs(
        suggestion=s.metric,
        value=s.value,
        aim=s.aim,
        aim_kind=s.aim_kind,
        target=s.target,
        points_at_target=s.points_at_target,
        gain=s.gain,
    )
    cells = [
        f"<td>{_e(s.label)}</td>",
        f'<td class="num">{_e(format_value(s.value, s.unit))}</td>',
        f'<td class="num">{_e(format_value(s.aim, s.unit))} <span class="small">({_e(kind)})</span></td>',
        f'<td class="num"><b>{_e(format_value(s.target, s.unit))}</b></td>',
        f'<td class="num">{_e(_number(s.points_now, 1))}</td>',
        f'<td class="num">{_e(_number(s.points_at_target, 1))}</td>',
        f'<td class="num">{_e(_signed(s.gain))}</td>',
    ]
    return f"<tr{attrs}>{''.join(cells)}</tr>"


def _not_judged(review: AgentReview, language: str) -> str:
    rows = [m for m in review.metrics if m.insufficient]
    if not rows:
        return ""
    items = "".join(
        f'<li data-metric="{_e(m.metric)}"><b>{_e(m.label)}</b>: {_e(m.reason or "–")}</li>' for m in rows
    )
    return f"<h2>{_e(_t('not_judged_title', language))}</h2><ul>{items}</ul>"


def _head(title: str, language: str) -> list[str]:
    return [
        "<!DOCTYPE html>",
        f'<html lang="{"zh-CN" if language == "zh" else "en"}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(title)}</title>",
        f"<style>{STYLE}</style>",
        "</head>",
    ]


def _column(heading: str, body: str) -> str:
    return f"<div><h2>{_e(heading)}</h2>{body}</div>"


def render_review(review: AgentReview) -> str:
    """One agent's review page."""
    language = review.language
    t = lambda key: _t(key, language)  # noqa: E731
    who = f"{review.agent_id} {review.name}" if review.name else review.agent_id
    title = f"{t('title')} — {who}"
    facts = [
        f"{t('period')}: {review.period or t('all_data')}",
        f"{t('compared_with')}: {_previous_note(review, language)}",
        f"{t('team')}: {review.team or '–'}",
        f"{t('scorecard')}: {review.scorecard_label}",
    ]
    root = _attrs(
        agent=review.agent_id,
        score=review.score,
        rank=review.rank,
        ranked=review.ranked,
        scorecard_rank=review.scorecard_rank,
        tier=review.tier,
        bonus_amount=review.bonus_amount,
        score_previous=review.score_previous,
        score_change=review.score_change,
        rank_previous=review.rank_previous,
        rank_change=review.rank_change,
        tier_previous=review.tier_previous,
        period=review.period,
        previous_period=review.previous_period,
        previous_has_data=review.previous_has_data,
    )
    settings = review.settings
    q = settings.get("target_quantile", 0.75)
    step = settings.get("step", 0.5)
    step_text = f"{step:.0%}" if language == "zh" else ("halfway" if step == 0.5 else f"{step:.0%}")
    parts = [
        *_head(title, language),
        "<body>",
        f"<main{root}>",
        f"<h1>{_e(title)}</h1>",
        f'<p class="sub">{_e(review.config)} · {" · ".join(_e(f) for f in facts)}</p>',
        _cards(review, language),
    ]
    if review.score is None:
        parts.append(f'<p class="note">{_e(t("not_scored"))}</p>')
    if review.metrics:
        parts += [
            f"<h2>{_e(t('chart'))}</h2>",
            f'<p class="small">{_e(t("chart_legend"))}</p>',
            chart(review, language),
            '<div class="cols">',
            _column(t("strongest"), _metric_list(review, review.strongest, "strongest", language)),
            _column(t("weakest"), _metric_list(review, review.weakest, "weakest", language)),
        ]
        if review.previous_has_data:
            moved = (
                _metric_list(review, review.moved, "moved", language)
                if review.moved
                else f'<p class="note">{_e(t("nothing_moved"))}</p>'
            )
        else:
            moved = f'<p class="note">{_e(_previous_note(review, language))}</p>'
        parts += [_column(t("moved"), moved), "</div>"]
        parts += [f"<h2>{_e(t('suggestions'))}</h2>", suggestion_table(review, language)]
        parts += [f"<h2>{_e(t('metrics'))}</h2>", metric_table(review, language)]
        parts.append(_not_judged(review, language))
    how = [
        t("how_weak"),
        t("how_team"),
        t("how_target").format(q=round(q * 100), lq=round((1 - q) * 100), step=step_text),
    ]
    parts += [
        f"<h2>{_e(t('how'))}</h2>",
        '<ul class="note">' + "".join(f"<li>{_e(h)}</li>" for h in how) + "</ul>",
    ]
    parts += ["</main>", "</body>", "</html>"]
    return "\n".join(p for p in parts if p) + "\n"


_UNSAFE = re.compile(r"[^\w.-]+")


def page_name(agent_id: str, taken: set[str]) -> str:
    """A file name for an agent's page: unsafe characters become `_`; clashes get a number."""
    stem = _UNSAFE.sub("_", agent_id).strip("._") or "agent"
    name, n = f"{stem}.html", 2
    while name.lower() in taken or name.lower() == "index.html":
        name, n = f"{stem}_{n}.html", n + 1
    taken.add(name.lower())
    return name


def render_index(reviews: list[AgentReview], names: list[str]) -> str:
    """A list of the pages written, in ranking order."""
    language = reviews[0].language if reviews else "en"
    t = lambda key: _t(key, language)  # noqa: E731
    title = t("index_title")
    ordered = sorted(
        zip(reviews, names, strict=True), key=lambda p: (p[0].rank is None, p[0].rank or 0, p[0].agent_id)
    )
    heads = ["rank", "agent", "name", "team", "score", "tier", "page"]
    head = "".join(f"<th>{_e(t(h))}</th>" for h in heads)
    rows = []
    for review, name in ordered:
        rows.append(
            f'<tr data-agent="{_e(review.agent_id)}"><td class="num">{_e(review.rank or "–")}</td>'
            f"<td>{_e(review.agent_id)}</td><td>{_e(review.name or '')}</td><td>{_e(review.team or '–')}</td>"
            f'<td class="num">{_e(_number(review.score))}</td><td>{_e(review.tier_label or "–")}</td>'
            f'<td><a href="{_e(name)}">{_e(name)}</a></td></tr>'
        )
    period = reviews[0].period if reviews else None
    config = reviews[0].config if reviews else ""
    parts = [
        *_head(title, language),
        "<body>",
        f"<h1>{_e(title)}</h1>",
        f'<p class="sub">{_e(config)} · {_e(t("period"))}: {_e(period or t("all_data"))}</p>',
        f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>",
        "</body>",
        "</html>",
    ]
    return "\n".join(parts) + "\n"


def write_reviews(reviews: Iterable[AgentReview], folder: Path, index: bool = True) -> list[Path]:
    """One page per agent in `folder` (each written atomically), plus `index.html` when asked."""
    reviews = list(reviews)
    taken: set[str] = set()
    names = [page_name(r.agent_id, taken) for r in reviews]
    written = []
    for review, name in zip(reviews, names, strict=True):
        path = folder / name
        write_text_atomic(path, render_review(review))
        written.append(path)
    if index and reviews:
        path = folder / "index.html"
        write_text_atomic(path, render_index(reviews, names))
        written.append(path)
    return written
