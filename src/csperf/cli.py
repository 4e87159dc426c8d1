"""The `csperf` command line: parse arguments, call the library, print, set the exit status.

Exit status: 0 success, 2 bad invocation, config or data, 1 internal error (traceback with --debug).
Heavy libraries (Polars, openpyxl) are imported inside the commands so `csperf --help` is quick.
"""

from __future__ import annotations

import contextlib
import functools
import os
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
    typer.Option(
        "--out",
        "-o",
        help="Write a report; the extension picks the format (.csv, .json, .xlsx, .md, .html). "
        "{period}, {start}, {end}, {config} and {date} in the path are filled in.",
    ),
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
    period: Annotated[
        str | None,
        typer.Option(
            "--period",
            "-p",
            help="Score this period only: 2026-10, 2026-W47 (ISO week), 2026-Q4, 2026-10-01..2026-10-31, "
            "last-week, last-month.",
        ),
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="The day last-week/last-month count back from (default: today)."),
    ] = None,
    compare_previous: Annotated[
        bool | None,
        typer.Option(
            "--compare-previous/--no-compare-previous",
            help="Also score the previous period and show changes (default: on for .xlsx reports).",
            show_default=False,
        ),
    ] = None,
    allow_empty: Annotated[
        bool, typer.Option("--allow-empty", help="Write reports even when no row falls in the period.")
    ] = False,
    table: Annotated[
        bool | None,
        typer.Option(
            "--table/--no-table",
            help="Print the ranking (default: on a terminal, or when no --out is given).",
            show_default=False,
        ),
    ] = None,
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
    from csperf.config import load_config
    from csperf.periods import fill_template, parse_as_of, parse_period, today_in
    from csperf.reports.progress import Steps, ensure_not_empty, summary_line

    if lang is not None and lang not in ("en", "zh"):
        raise CsperfError(f"--lang: unknown language {lang!r}; use en or zh")
    loaded = load_config(config)
    day = parse_as_of(as_of) if as_of else today_in(loaded.config.timezone)
    chosen = parse_period(period, day) if period else None
    out = [fill_template(path, chosen, config.stem, day) for path in out or []]
    if compare_previous is None:
        compare_previous = chosen is not None and any(p.suffix.lower() == ".xlsx" for p in out)
    interactive = sys.stdout.isatty()
    with Steps(1 + len(out), enabled=False if quiet else None) as steps:
        scored = chosen.label if chosen else "all data"
        if compare_previous and chosen is not None:
            from csperf.periods import previous_period

            scored += f" and {previous_period(chosen).label}"
        steps.start(f"reading and scoring {scored}")
        # --strict names each rejected row, so it needs them too.
        result = run_score(
            loaded,
            data,
            period=chosen,
            scorecards=scorecard,
            keep_rejects=rejects is not None or strict,
            compare_previous=compare_previous,
        )
        if not allow_empty:
            ensure_not_empty(result)
        from csperf.reports import write_report

        for path in out:
            steps.start(f"writing {path}")
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
        if table if table is not None else (interactive or not out):
            from csperf.reports.terminal import make_console, print_result

            print_result(result, make_console(), lang, top)
        if interactive:
            for path in out or []:
                typer.echo(f"wrote {path}", err=True)
        else:
            typer.echo(summary_line(result, list(out or [])), err=True)
    if strict:
        from csperf.api import strict_problems

        problems = strict_problems(result)
        if problems:
            raise CsperfError(*problems)


@app.command()
@handle_errors
def validate(
    config: ConfigArg,
    data: DataOpt = None,
    strict: Annotated[
        bool, typer.Option("--strict", help="Also fail on rejected rows, empty sources, unknown agents.")
    ] = False,
) -> None:
    """Check a config and, with --data, that every source can be read and scored (exit 0), else exit 2."""
    from csperf.api import check_inputs

    report = check_inputs(config, data, strict=strict)
    for line in report.lines:
        typer.echo(line)
    if report.problems:
        raise CsperfError(*report.problems)


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
    strict: Annotated[
        bool, typer.Option("--strict", help="Exit 2 when a consistency ratio is too high.")
    ] = False,
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


@app.command()
@handle_errors
def compare(
    config: ConfigArg,
    variants: Annotated[
        list[Path] | None,
        typer.Argument(help="Variant configs that `extends:` CONFIG.", show_default=False),
    ] = None,
    scorecard: Annotated[
        list[str] | None,
        typer.Option("--scorecard", help="A scorecard of CONFIG to compare as a variant (repeatable)."),
    ] = None,
    data: DataOpt = None,
    period: PeriodOpt = None,
    top: Annotated[int, typer.Option("--top", min=1, help="N of the top-N overlap.")] = 10,
    out: Annotated[
        list[Path] | None,
        typer.Option("--out", "-o", help="Write the comparison: .csv (+ .summary.csv), .json or .xlsx."),
    ] = None,
    perturb: Annotated[
        str | None,
        typer.Option("--perturb", help="Weight sensitivity: scale each weight by a random factor, e.g. 10%."),
    ] = None,
    draws: Annotated[int, typer.Option("--draws", min=1, help="Random weight sets per variant.")] = 1000,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the draws (same seed, same result).")] = 1,
    flip_threshold: Annotated[
        float,
        typer.Option(
            "--flip-threshold", min=0, max=1, help="Flag agents whose tier changes in more than this share."
        ),
    ] = 0.2,
    lang: LangOpt = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing but errors.")] = False,
) -> None:
    """Compare weight variants on the same data: ranks, tiers, bonus cost; --perturb for sensitivity."""
    from csperf.compare import compare as compare_variants
    from csperf.reports.compare_report import print_compare, write_compare
    from csperf.reports.terminal import make_console
    from csperf.sensitivity import parse_share

    chosen = _period_and_language(period, lang)
    result = compare_variants(
        config,
        variants or [],
        scorecards=scorecard,
        data_dir=data,
        period=chosen,
        top=top,
        perturb=parse_share(perturb) if perturb is not None else None,
        draws=draws,
        seed=seed,
        flip_threshold=flip_threshold,
    )
    written = [file for path in out or [] for file in write_compare(result, path, lang)]
    if not quiet:
        print_compare(result, make_console(), lang)
        for path in written:
            typer.echo(f"wrote {path}", err=True)


@app.command()
@handle_errors
def review(
    config: ConfigArg,
    agent_id: Annotated[
        list[str] | None,
        typer.Argument(help="The agent's id (several allowed); or --all.", show_default=False),
    ] = None,
    all_agents: Annotated[bool, typer.Option("--all", help="One page for every agent of the run.")] = False,
    data: DataOpt = None,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Folder for the pages (one <agent>.html each).")
    ] = None,
    period: PeriodOpt = None,
    lang: LangOpt = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing but errors.")] = False,
) -> None:
    """Review packs: one HTML page per agent with changes since the previous period and next targets."""
    if out is None:
        raise CsperfError("--out: give the folder to write the review pages to, e.g. --out reviews/")
    if bool(agent_id) == all_agents:
        raise CsperfError("give an agent id (e.g. A1012) or --all, not both and not neither")
    from csperf.reports.review_html import write_reviews
    from csperf.review import run_review

    chosen = _period_and_language(period, lang)
    reviews = run_review(config, None if all_agents else agent_id, data, chosen, lang)
    written = write_reviews(reviews, out, index=all_agents)
    if not quiet:
        pages = len(reviews)
        typer.echo(f"wrote {pages} review page{'s' if pages != 1 else ''} to {out}", err=True)
        if pages == 1:
            typer.echo(str(written[0]))


def main() -> None:
    """Console-script entry point."""
    # csperf uses no pydantic plugins; looking for them reads every installed package's metadata
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    code: Any = 0
    try:
        app()
    except SystemExit as exc:
        code = exc.code
    _exit_now(code)


def _exit_now(code: Any) -> None:
    """Exit without the interpreter's teardown, which takes 0.1-0.2 s once Polars is loaded: by now
    every report is written and closed, and the standard streams are flushed here."""
    if code is None:
        code = 0
    elif not isinstance(code, int):
        print(code, file=sys.stderr)
        code = 1
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe: nothing more to say
            stream.flush()
    os._exit(code)
