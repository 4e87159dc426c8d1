"""Leaderboards: the top N agents of the scored period, overall or per roster attribute (e.g. team).

A board ranks by the score (with the config's tie-breakers, as the main ranking does) or by one
metric in its better direction. Ranks are competition ranks, so a board of the top 3 shows every
agent ranked 3 or better: two agents tied for third are both on it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import polars as pl

from csperf.bonus_config import Leaderboard
from csperf.measures import AGENT
from csperf.model_base import Language, label_text
from csperf.ranking import rank_agents

if TYPE_CHECKING:
    from csperf.pipeline import ScoreResult

DEFAULT_BOARDS = {"top3": Leaderboard(top=3)}
BOARD_RANK = "board_rank"


@dataclass
class BoardEntry:
    rank: int
    agent_id: str
    name: str | None
    value: float
    value_text: str
    group: str | None = None


@dataclass
class Board:
    name: str
    label: str
    by: str
    by_label: str
    top: int
    per: str | None
    period: str
    entries: list[BoardEntry] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "label": self.label,
            "by": self.by,
            "top": self.top,
            "per": self.per,
            "period": self.period,
            "entries": [
                {
                    "group": e.group,
                    "rank": e.rank,
                    "agent_id": e.agent_id,
                    "name": e.name,
                    "value": round(e.value, 6),
                }
                for e in self.entries
            ],
        }


def period_text(result: ScoreResult) -> str:
    """The scored period's label, else the first and last day found in the data."""
    if result.period is not None:
        return result.period.label
    coverage = getattr(result, "coverage", None)
    if coverage:
        return f"{coverage[0].isoformat()}..{coverage[1].isoformat()} (the data's own dates)"
    return "all the data"


def leaderboards(
    result: ScoreResult,
    boards: dict[str, Leaderboard] | None = None,
    language: Language | None = None,
) -> list[Board]:
    """The configured boards (or `boards`), or a top-3 board when the config has none."""
    chosen = boards or result.config.leaderboards or DEFAULT_BOARDS
    return [build_board(result, name, board, language) for name, board in chosen.items()]


def build_board(
    result: ScoreResult, name: str, board: Leaderboard, language: Language | None = None
) -> Board:
    from csperf.errors import CsperfError
    from csperf.reports.tables import format_value

    config = result.config
    lang: Language = language or config.language
    if board.by != "score" and board.by not in config.metrics:
        raise CsperfError(
            f"leaderboard {name}: --by: `{board.by}` is neither `score` nor a metric"
            f"{_suggest(board.by, ['score', *config.metrics])}"
        )
    roster = [c for c in (config.roster.columns if config.roster else {}) if c != AGENT]
    if board.per is not None and board.per not in roster:
        raise CsperfError(
            f"leaderboard {name}: --per: `{board.per}` is not a roster column{_suggest(board.per, roster)}"
            + ("" if roster else " (the config has no `roster:`)")
        )
    frame = _ranked(result, board)
    frame = frame.filter(pl.col(BOARD_RANK) <= board.top)
    by_label = "score" if board.by == "score" else label_text(config.metrics[board.by].label, lang, board.by)
    unit = config.metrics[board.by].unit if board.by != "score" else None
    entries = [
        BoardEntry(
            rank=row[BOARD_RANK],
            agent_id=row[AGENT],
            name=row.get("name"),
            value=row["_value"],
            value_text=f"{row['_value']:.2f}" if unit is None else format_value(row["_value"], unit),
            group=None if board.per is None else _group_text(row.get(board.per)),
        )
        for row in frame.iter_rows(named=True)
    ]
    return Board(
        name=name,
        label=label_text(board.label, lang, name),
        by=board.by,
        by_label=by_label,
        top=board.top,
        per=board.per,
        period=period_text(result),
        entries=entries,
    )


def _suggest(name: str, options: list[str]) -> str:
    import difflib

    close = difflib.get_close_matches(name, options, n=1)
    return f"; did you mean `{close[0]}`?" if close else ""


def _group_text(value: Any) -> str:
    return "–" if value is None else str(value)


def _ranked(result: ScoreResult, board: Leaderboard) -> pl.DataFrame:
    """Agents with a value, ranked within their group; sorted by group then rank."""
    keep = [AGENT, "score", *(c for c in ("name",) if c in result.agents.columns)]
    metrics = [b.metric for b in result.config.ranking.breakers()]
    columns = list(dict.fromkeys([*keep, *metrics, *([board.by] if board.by != "score" else [])]))
    if board.per is not None:
        columns.append(board.per)
    frame = result.agents.select(columns)
    group = board.per
    if group is not None:
        frame = frame.with_columns(pl.col(group).cast(pl.String).fill_null("–"))
    if board.by == "score":
        frame = frame.filter(pl.col("score").is_not_null())
        frame = rank_agents(frame, result.config, BOARD_RANK, group=group).with_columns(
            pl.col("score").alias("_value")
        )
    else:
        metric = result.config.metrics[board.by]
        value = pl.col(board.by)
        frame = frame.filter(value.is_not_null()).with_columns(value.alias("_value"))
        rank = pl.col("_value").rank("min", descending=metric.better == "higher")
        rank = rank.over(group) if group is not None else rank
        frame = frame.with_columns(rank.cast(pl.Int64).alias(BOARD_RANK))
    if group is None:
        return frame.sort(BOARD_RANK, AGENT)
    # Groups in the order they first appear among the agents (roster order), not by code point.
    first_seen = {g: i for i, g in enumerate(dict.fromkeys(frame.sort(AGENT)[group].to_list()))}
    return frame.with_columns(pl.col(group).replace_strict(first_seen).alias("_group_order")).sort(
        "_group_order", BOARD_RANK, AGENT
    )


def render_boards(boards: list[Board]) -> str:
    """Plain text: one block per board (and per group), rank, agent, name and value."""
    from csperf.explain import pad

    lines: list[str] = []
    for board in boards:
        per = f" per {board.per}" if board.per else ""
        lines.append(f"{board.label} — top {board.top}{per} by {board.by_label}, {board.period}")
        groups: dict[str | None, list[BoardEntry]] = {}
        for entry in board.entries:
            groups.setdefault(entry.group, []).append(entry)
        if not groups:
            lines.append("  (no agent has a value)")
        for group, entries in groups.items():
            indent = "  "
            if group is not None:
                lines.append(f"  {board.per} {group}")
                indent = "    "
            for entry in entries:
                lines.append(
                    f"{indent}{entry.rank:>3}  {pad(entry.agent_id, 8)}  {pad(entry.name or '', 8)}  "
                    f"{entry.value_text:>8}"
                )
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
