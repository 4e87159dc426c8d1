"""Markdown and HTML reports: the ranking and summary of the JSON, readable and self-contained,
with text from the data escaped so it cannot add markup, links or scripts."""

from __future__ import annotations

import html
import json
import re
import statistics
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from csperf.cli import app
from csperf.reports.markdown_report import escape_markdown

ROOT = Path(__file__).resolve().parent.parent
OUTBOUND = ROOT / "configs" / "outbound.yaml"
EXAMPLES = ROOT / "examples" / "outbound"
SMALL = Path(__file__).resolve().parent / "data" / "reports" / "utc_weekly.yaml"


def run(*args: str) -> None:
    result = CliRunner().invoke(app, ["score", *args, "-q"])
    assert result.exit_code == 0, result.output


@pytest.fixture(scope="module")
def outbound(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("md")
    run(
        str(OUTBOUND),
        "--data",
        str(EXAMPLES),
        "--period",
        "2026-10",
        "--lang",
        "en",
        "--compare-previous",
        "--out",
        str(folder / "r.md"),
        "--out",
        str(folder / "r.html"),
        "--out",
        str(folder / "r.json"),
    )
    return {
        "md": (folder / "r.md").read_text(encoding="utf-8"),
        "html": (folder / "r.html").read_text(encoding="utf-8"),
        "json": json.loads((folder / "r.json").read_text(encoding="utf-8")),
    }


def markdown_rows(text: str, heading: str) -> list[list[str]]:
    """Cells of the table right under `## heading` (an escaped pipe does not split a cell)."""
    section = text.split(f"## {heading}\n", 1)[1].lstrip("\n")
    rows = []
    for line in section.splitlines():
        if not line.startswith("|"):
            break
        if set(line) <= {"|", "-", ":"}:
            continue
        rows.append([c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]])
    return rows


class Cells(HTMLParser):
    """Table cells per table, as text."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str | None]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes += attrs
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1][-1].append("".join(self._cell))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def test_markdown_ranking_matches_json(outbound: dict[str, Any]) -> None:
    rows = markdown_rows(outbound["md"], "Ranking")
    header, body = rows[0], rows[1:]
    agents = outbound["json"]["agents"]
    assert len(body) == len(agents)
    assert header[:3] == ["Rank", "Agent", "Name"]
    for cells, agent in zip(body, agents, strict=True):
        row = dict(zip(header, cells, strict=True))
        assert row["Agent"] == agent["agent_id"]
        assert row["Rank"] == str(agent["rank"])
        assert row["Score"] == f"{agent['score']:.2f}"
        rate = agent["metrics"]["connect_rate"]["value"]
        assert row["Connect rate"] == f"{rate * 100:.1f}%"
        aht = round(agent["metrics"]["aht"]["value"])
        assert row["AHT"] == f"{aht // 60}:{aht % 60:02d}"


def test_markdown_summary_facts(outbound: dict[str, Any]) -> None:
    text = outbound["md"]
    scores = [a["score"] for a in outbound["json"]["agents"] if a["score"] is not None]
    assert text.startswith("# Outbound preview dialing — Agent performance report 2026-10\n")
    assert "- **Period**: 2026-10 (2026-10-01 – 2026-10-31)" in text
    assert f"- **Average score**: {statistics.fmean(scores):.2f}" in text
    teams = markdown_rows(text, "Team averages")
    assert teams[-1][:3] == ["All", "60", str(len(scores))]


def test_html_is_self_contained_and_matches_json(outbound: dict[str, Any]) -> None:
    page = outbound["html"]
    assert page.startswith("<!DOCTYPE html>") and '<meta charset="utf-8">' in page
    parser = Cells()
    parser.feed(page)
    assert not {"script", "link", "img", "iframe", "object"} & set(parser.tags)
    assert not any(name in ("src", "href") for name, _ in parser.attributes)
    assert "http://" not in page and "https://" not in page and "url(" not in page
    ranking = next(t for t in parser.tables if t and t[0][:3] == ["Rank", "Agent", "Name"])
    header, body = ranking[0], ranking[1:]
    agents = outbound["json"]["agents"]
    assert [dict(zip(header, r, strict=True))["Agent"] for r in body] == [a["agent_id"] for a in agents]
    for cells, agent in zip(body, agents, strict=True):
        assert dict(zip(header, cells, strict=True))["Score"] == f"{agent['score']:.2f}"


def test_previous_period_without_data_is_said_so(outbound: dict[str, Any]) -> None:
    # September has no rows at all: the comparison says so instead of showing zero scores.
    assert "- **Compared with**: 2026-09 (no data)" in outbound["md"]
    assert "Move" not in markdown_rows(outbound["md"], "Ranking")[0]
    assert outbound["json"]["previous_period"] == {"period": "2026-09", "has_data": False, "agents_scored": 0}


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    folder = tmp_path_factory.mktemp("small_md")
    run(
        str(SMALL),
        "--period",
        "2026-W43",
        "--compare-previous",
        "--out",
        str(folder / "r.md"),
        "--out",
        str(folder / "r.html"),
    )
    return {
        "md": (folder / "r.md").read_text(encoding="utf-8"),
        "html": (folder / "r.html").read_text(encoding="utf-8"),
    }


def test_markdown_escapes_text_from_the_data(small: dict[str, str]) -> None:
    text = small["md"]
    # a|b <script>*x*</script>: the pipe does not split the cell, nothing becomes markup
    assert r"a\|b \<script\>\*x\*\</script\>" in text
    assert "<script>" not in text
    rows = markdown_rows(text, "Ranking")
    assert len({len(r) for r in rows}) == 1  # every row has as many cells as the header
    names = {r[rows[0].index("Agent")]: r[rows[0].index("Name")] for r in rows[1:]}
    assert names["A4"] == "@SUM(A1)"
    assert names["A1"] == '=HYPERLINK("http://example.com","x")'
    assert escape_markdown("[x](http://e.com) `c` ~~s~~ a\nb") == r"\[x\](http://e.com) \`c\` \~\~s\~\~ a b"


def test_html_escapes_text_from_the_data(small: dict[str, str]) -> None:
    page = small["html"]
    assert "<script>" not in page
    assert html.escape("a|b <script>*x*</script>") in page
    parser = Cells()
    parser.feed(page)
    assert "script" not in parser.tags
    names = [cell for table in parser.tables for row in table for cell in row]
    assert "a|b <script>*x*</script>" in names  # shown as text, exactly


def test_trend_columns_show_rank_movement(small: dict[str, str]) -> None:
    rows = markdown_rows(small["md"], "Ranking")
    header = rows[0]
    assert header[:2] == ["Rank", "Move"]
    moves = {r[header.index("Agent")]: r[header.index("Move")] for r in rows[1:]}
    # W42 holds only A1's call at 23:59:59 local (100 points, 1st); in W43 A1 is 3rd.
    assert moves == {"A1": "▼2", "A2": "new", "A3": "new", "A4": "new", "A5": "new"}
    assert "- **Compared with**: 2026-W42" in small["md"]
