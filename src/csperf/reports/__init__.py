"""Report writers, one module per format; `write_report` picks one by the file extension."""

from __future__ import annotations

from pathlib import Path

from csperf.errors import CsperfError
from csperf.pipeline import ScoreResult

FORMATS = {
    ".csv": "csv",
    ".json": "json",
    ".xlsx": "xlsx",
    ".md": "markdown",
    ".html": "html",
    ".htm": "html",
}


def write_report(result: ScoreResult, path: Path, language: str | None = None) -> None:
    """Write the scoring result to `path`, in the format its extension names, atomically."""
    kind = FORMATS.get(path.suffix.lower())
    if kind is None:
        known = ", ".join(sorted(FORMATS))
        raise CsperfError(f"{path}: --out: unknown report format {path.suffix!r}; use one of {known}")
    if kind == "csv":
        from csperf.reports.csv_report import write_csv

        write_csv(result, path)
    elif kind == "json":
        from csperf.reports.json_report import write_json

        write_json(result, path)
    elif kind == "xlsx":
        from csperf.reports.xlsx_report import write_xlsx

        write_xlsx(result, path, language)
    elif kind == "markdown":
        from csperf.reports.markdown_report import write_markdown

        write_markdown(result, path, language)
    elif kind == "html":
        from csperf.reports.html_report import write_html

        write_html(result, path, language)
