"""Run status: a progress bar on stderr (terminal only), the cron summary line, the empty check.

Reading and scoring happen in one Polars collect per period, so the bar advances per step
(score the period, score the previous one, write each report) with a spinner and elapsed time.
Off a terminal (cron, pipes, tests) it draws nothing. This module and reports/terminal.py are
the only ones that import rich.
"""

from __future__ import annotations

import sys
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

    from csperf.pipeline import ScoreResult


class Steps:
    """`with Steps(total, enabled) as steps: steps.start("reading ..."); ...`"""

    def __init__(self, total: int, enabled: bool | None = None, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self.total = max(total, 1)
        self.progress: Progress | None = None
        self.task: TaskID | None = None
        self.started = 0

    def __enter__(self) -> Steps:
        if self.enabled:
            # rich only on a terminal: a cron run does not pay for importing it
            from rich.console import Console
            from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

            console = Console(file=self.stream, force_terminal=True)
            self.progress = Progress(
                SpinnerColumn(),
                TextColumn("{task.description}"),
                BarColumn(),
                TextColumn("{task.completed}/{task.total}"),
                TimeElapsedColumn(),
                console=console,
                transient=True,
            )
            self.progress.start()
            self.task = self.progress.add_task("csperf", total=self.total)
        return self

    def start(self, description: str) -> None:
        """Finish the previous step (if any) and show this one."""
        if self.progress is not None and self.task is not None:
            self.progress.update(self.task, description=description, completed=self.started)
        self.started += 1

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self.progress is not None:
            if self.task is not None and kind is None:
                self.progress.update(self.task, completed=self.total)
            self.progress.stop()


def summary_line(result: ScoreResult, written: list[Path]) -> str:
    """The one line a cron job logs: what was scored, the row accounting, what was written."""
    from csperf.trend import previous_summary

    agents = result.agents
    scores = agents["score"].drop_nulls()
    sources = [q for name, q in result.data_quality.sources.items() if name != "roster"]
    period = result.period.label if result.period else "all data"
    parts = [f"{result.config.name} {period}: {scores.len()} of {agents.height} agents scored"]
    if scores.len():
        parts[0] += f", average {float(scores.mean()):.2f}"  # type: ignore[arg-type]
    rows = f"rows: {sum(q.rows_used for q in sources):,} used of {sum(q.rows_read for q in sources):,} read"
    rejected = sum(q.rows_rejected for q in sources)
    outside = sum(q.outside_period for q in sources)
    rows += f", {rejected:,} rejected" + (f", {outside:,} outside the period" if result.period else "")
    parts.append(rows)
    previous = previous_summary(result)
    if previous is not None:
        parts.append(f"compared with {previous['period']}" + ("" if previous["has_data"] else " (no data)"))
    if written:
        parts.append("wrote " + ", ".join(str(p) for p in written))
    return "csperf: " + "; ".join(parts)


def ensure_not_empty(result: ScoreResult) -> None:
    """Exit 2 (CsperfError) when no source has a single used row: an empty report looks real."""
    from csperf.errors import CsperfError
    from csperf.trend import has_data

    if has_data(result):
        return
    sources = {n: q for n, q in result.data_quality.sources.items() if n != "roster"}
    detail = "; ".join(
        f"{name}: {q.rows_read:,} read"
        + (f", {q.outside_period:,} outside" if q.outside_period else "")
        + (f", {q.rows_rejected:,} rejected" if q.rows_rejected else "")
        for name, q in sources.items()
    )
    where = f"the period {result.period.label}" if result.period else "the data"
    raise CsperfError(
        f"{where}: no usable row in any source ({detail}); nothing written. "
        "Check --period and --data, or pass --allow-empty to write an empty report"
    )
