"""The `csperf` command line: parse arguments, call the library, print, set the exit status.

Exit status: 0 success, 2 bad invocation, config or data, 1 internal error (traceback with --debug).
Heavy libraries (Polars, openpyxl) are imported inside the commands so `csperf --help` is quick.
"""

from __future__ import annotations

import functools
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from csperf.errors import CsperfError

app = typer.Typer(
    name="csperf",
    help="Fair, explainable KPI scores and bonuses for customer-service agents, from raw exports.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

F = TypeVar("F", bound=Callable[..., Any])
STATE: dict[str, bool] = {"debug": False}

ConfigArg = Annotated[Path, typer.Argument(help="The YAML config (see configs/).", show_default=False)]
DataOpt = Annotated[
    Path | None,
    typer.Option("--data", "-d", help="Folder the config's source paths are relative to."),
]
OutOpt = Annotated[
    list[Path] | None,
    typer.Option("--out", "-o", help="Write a report; the extension picks the format (.csv, .json)."),
]
LangOpt = Annotated[str | None, typer.Option("--lang", help="Labels: en or zh (default: the config's).")]


def fail(message: str) -> None:
    typer.echo(f"csperf: {message}", err=True)


def handle_errors(command: F) -> F:
    """Turn CsperfError into one line per problem and exit 2; anything else exits 1."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except CsperfError as exc:
            for problem in exc.problems:
                fail(problem)
            raise typer.Exit(2) from None
        except (typer.Exit, typer.Abort):
            raise
        except KeyboardInterrupt:
            fail("interrupted")
            raise typer.Exit(130) from None
        except Exception as exc:
            if STATE["debug"]:
                traceback.print_exc()
            else:
                fail(f"internal error: {type(exc).__name__}: {exc} (run with --debug for the traceback)")
            raise typer.Exit(1) from None

    return wrapper  # type: ignore[return-value]


@app.callback()
def main_options(
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks of internal errors.")] = False,
) -> None:
    STATE["debug"] = debug


@app.command()
@handle_errors
def score(
    config: ConfigArg,
    data: DataOpt = None,
    out: OutOpt = None,
    rejects: Annotated[
        Path | None, typer.Option("--rejects", help="Write each source's rejected rows to this folder.")
    ] = None,
    strict: Annotated[bool, typer.Option("--strict", help="Exit 2 if any row is rejected.")] = False,
    scorecard: Annotated[
        list[str] | None, typer.Option("--scorecard", help="Score with these scorecards only.")
    ] = None,
    lang: LangOpt = None,
    top: Annotated[int | None, typer.Option("--top", help="Show only the first N agents on screen.")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing but errors.")] = False,
    bonus_out: Annotated[
        Path | None,
        typer.Option("--bonus-out", help="Write the bonus table (one row per agent) to this CSV file."),
    ] = None,
    hits: Annotated[
        Path | None,
        typer.Option("--hits", help="Write every row flagged by the config's text_rules to this CSV file."),
    ] = None,
) -> None:
    """Score every agent and print the ranking (and write reports with --out)."""
    from csperf.api import run_score

    result = run_score(config, data, scorecards=scorecard, keep_rejects=rejects is not None)
    from csperf.reports import write_report
    from csperf.reports.terminal import make_console, print_result

    for path in out or []:
        write_report(result, path, lang)
    if bonus_out is not None:
        from csperf.reports.bonus_report import write_bonus_csv

        write_bonus_csv(result, bonus_out)
        out = [*(out or []), bonus_out]  # reported with the other files written
    if rejects is not None:
        from csperf.api import write_rejects

        write_rejects(result, rejects)
    if hits is not None:
        from csperf.text_rules import write_hits

        write_hits(result, hits)
        out = [*(out or []), hits]
    if not quiet:
        print_result(result, make_console(), lang, top)
        for path in out or []:
            typer.echo(f"wrote {path}", err=True)
    if strict and result.data_quality.rows_rejected:
        raise CsperfError(
            f"--strict: {result.data_quality.rows_rejected} rows were rejected; see the summary above "
            "or write them with --rejects DIR"
        )


@app.command()
@handle_errors
def validate(config: ConfigArg, data: DataOpt = None) -> None:
    """Check a config (and, with --data, that its sources can be read) without scoring."""
    from csperf.api import validate_config

    for line in validate_config(config, data):
        typer.echo(line)


PeriodOpt = Annotated[
    str | None,
    typer.Option("--period", "-p", help="Only this period, e.g. 2026-10, 2026-Q3, 2026-W41, last-month."),
]


def _period_and_language(period: str | None, lang: str | None) -> Any:
    if lang is not None and lang not in ("en", "zh"):
        raise CsperfError(f"--lang: unknown language {lang!r}; use en or zh")
    if period is None:
        return None
    from csperf.periods import parse_period

    return parse_period(period)


@app.command()
@handle_errors
def explain(
    config: ConfigArg,
    agent_id: Annotated[str, typer.Argument(help="The agent's id, as in the roster or the exports.")],
    data: DataOpt = None,
    period: PeriodOpt = None,
    lang: LangOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the explanation as JSON.")] = False,
) -> None:
    """Explain one agent's score, rank, bonus tier, gates and the gap to the next tier."""
    import json

    from csperf.api import run_score
    from csperf.explain import explain_agent, render_text

    chosen = _period_and_language(period, lang)
    result = run_score(config, data, period=chosen)
    explanation = explain_agent(result, agent_id, lang)  # type: ignore[arg-type]
    if as_json:
        typer.echo(json.dumps(explanation.to_dict(), ensure_ascii=False, indent=2, default=str))
    else:
        typer.echo(render_text(explanation), nl=False)


@app.command()
@handle_errors
def leaderboard(
    config: ConfigArg,
    data: DataOpt = None,
    period: PeriodOpt = None,
    top: Annotated[int | None, typer.Option("--top", min=1, help="Board size (ad hoc board).")] = None,
    per: Annotated[str | None, typer.Option("--per", help="One board per roster column, e.g. team.")] = None,
    by: Annotated[str | None, typer.Option("--by", help="Rank by this metric instead of the score.")] = None,
    lang: LangOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the boards as JSON.")] = False,
) -> None:
    """Top N agents overall or per team: the config's `leaderboards:`, or an ad hoc board."""
    import json

    from csperf.api import run_score
    from csperf.bonus_config import Leaderboard
    from csperf.leaderboard import leaderboards, render_boards

    chosen = _period_and_language(period, lang)
    result = run_score(config, data, period=chosen)
    boards = None
    if top is not None or per is not None or by is not None:
        board = Leaderboard(top=top or 3, per=per, by=by or "score")
        boards = {f"top{board.top}" + (f"_per_{per}" if per else ""): board}
    built = leaderboards(result, boards, lang)  # type: ignore[arg-type]
    if as_json:
        typer.echo(json.dumps([b.to_dict() for b in built], ensure_ascii=False, indent=2))
    else:
        typer.echo(render_boards(built), nl=False)


@app.command()
@handle_errors
def ahp(
    file: Annotated[Path, typer.Argument(help="Pairwise judgements (see configs/ahp_outbound.yaml).")],
    write_scorecard: Annotated[
        bool, typer.Option("--write-scorecard", help="Print a scorecard block with integer weights.")
    ] = False,
    method: Annotated[
        str | None, typer.Option("--method", help="eigenvector or geometric_mean (default: the file's).")
    ] = None,
    strict: Annotated[bool, typer.Option("--strict", help="Exit 2 when a consistency ratio is too high.")] = False,
) -> None:
    """Derive weights from AHP pairwise comparisons (Saaty 1-9), with consistency ratios."""
    import dataclasses

    from csperf.ahp import AhpError, compute_ahp, format_report, load_ahp, scorecard_yaml

    spec = load_ahp(file)
    if method is not None:
        if method not in ("eigenvector", "geometric_mean"):
            raise AhpError(f"--method: unknown method {method!r}; use eigenvector or geometric_mean")
        spec = dataclasses.replace(spec, method=method)  # type: ignore[arg-type]
    result = compute_ahp(spec)
    typer.echo(format_report(result))
    if write_scorecard:
        typer.echo(scorecard_yaml(result))
    if strict and result.warnings:
        raise AhpError(*result.warnings)


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except SystemExit as exc:
        sys.exit(exc.code)
