"""The ranking and summary as one self-contained HTML page (inline CSS, no scripts, no network).

Every text is HTML-escaped; the score distribution is drawn with inline CSS bars, so the page
looks the same in a mail client, on a wiki or opened from disk.
"""

from __future__ import annotations

import html
from pathlib import Path

from csperf.pipeline import ScoreResult
from csperf.reports.atomic import write_text_atomic
from csperf.reports.markdown_report import Page, Table, build_page

STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", "Noto Sans CJK SC", "Microsoft YaHei",
       sans-serif; margin: 2em; color: #222; }
h1 { font-size: 1.4em; } h2 { font-size: 1.15em; margin-top: 1.6em; }
table { border-collapse: collapse; font-size: 0.85em; margin: 0.5em 0; }
th, td { border: 1px solid #ccd; padding: 0.25em 0.5em; white-space: nowrap; }
th { background: #ddebf7; position: sticky; top: 0; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr:nth-child(even) td { background: #f7f9fc; }
dl.facts { display: grid; grid-template-columns: max-content auto; gap: 0.2em 1em; }
dl.facts dt { font-weight: bold; } dl.facts dd { margin: 0; }
.note { color: #c00000; font-weight: bold; }
.bar { background: #5b9bd5; height: 0.9em; display: inline-block; vertical-align: middle; }
.scroll { overflow-x: auto; }
"""


def _escape(value: str) -> str:
    return html.escape(value, quote=True)


def html_table(table: Table) -> str:
    if not table.rows:
        return ""
    head = "".join(f"<th>{_escape(h)}</th>" for h in table.headers)
    body = []
    for row in table.rows:
        cells = "".join(
            f'<td class="num">{_escape(c)}</td>' if numeric else f"<td>{_escape(c)}</td>"
            for c, numeric in zip(row, table.numeric, strict=True)
        )
        body.append(f"<tr>{cells}</tr>")
    rows = "".join(body)
    return f'<div class="scroll"><table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table></div>'


def distribution(page: Page) -> str:
    """Agents per ten-point score band as a small table of CSS bars."""
    scores = [s for s in page.scores if s is not None]
    if not scores:
        return ""
    rows = []
    bands = [(low, low + 10) for low in range(0, 100, 10)]
    counts = [sum(1 for s in scores if low <= s < high or (high == 100 and s == 100)) for low, high in bands]
    most = max(counts) or 1
    for (low, high), count in zip(bands, counts, strict=True):
        width = round(12 * count / most, 2)
        rows.append(
            f'<tr><td>{low}–{high}</td><td class="num">{count}</td>'
            f'<td><span class="bar" style="width: {width}em"></span></td></tr>'
        )
    return f"<table><tbody>{''.join(rows)}</tbody></table>"


def render_html(result: ScoreResult, language: str | None = None) -> str:
    page = build_page(result, language)
    lang = "zh-CN" if page.language == "zh" else "en"
    facts = "".join(f"<dt>{_escape(k)}</dt><dd>{_escape(v)}</dd>" for k, v in page.facts)
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{lang}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_escape(page.title)}</title>",
        f"<style>{STYLE}</style>",
        "</head>",
        "<body>",
        f"<h1>{_escape(page.title)}</h1>",
        f'<dl class="facts">{facts}</dl>',
    ]
    if page.empty_note:
        parts.append(f'<p class="note">{_escape(page.empty_note)}</p>')
    parts += [f"<h2>{_escape(page.headings['team_averages'])}</h2>", html_table(page.teams)]
    parts += [f"<h2>{_escape(page.headings['score_distribution'])}</h2>", distribution(page)]
    parts += [f"<h2>{_escape(page.headings['sheet_ranking'])}</h2>", html_table(page.ranking)]
    parts += [f"<h2>{_escape(page.headings['sheet_quality'])}</h2>", html_table(page.quality)]
    if page.reasons.rows:
        parts += [f"<h2>{_escape(page.headings['quality_reasons'])}</h2>", html_table(page.reasons)]
    parts += ["</body>", "</html>"]
    return "\n".join(parts) + "\n"


def write_html(result: ScoreResult, path: Path, language: str | None = None) -> None:
    write_text_atomic(path, render_html(result, language))
