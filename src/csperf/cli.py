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
) -> None:
    """Score every agent and print the ranking (and write reports with --out)."""
    from csperf.api import run_score

    result = run_score(config, data, scorecards=scorecard, keep_rejects=rejects is not None)
    from csperf.reports import write_report
    from csperf.reports.terminal import make_console, print_result

    for path in out or []:
        write_report(result, path, lang)
    if rejects is not None:
        from csperf.api import write_rejects

        write_rejects(result, rejects)
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


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except SystemExit as exc:
        sys.exit(exc.code)
