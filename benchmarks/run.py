"""Time `csperf score` against the obvious alternative, and check that both give the same numbers.

For each size: the call records (and survey file) from `generate.py`, then, as whole processes
with Python start-up included on both sides,

* csperf:   `python -m csperf score benchmarks/benchmark.yaml --data DIR --out result.json -q`
* CSV baseline:  `python -c <duckdb>` running `benchmarks/duckdb_query.sql` (the same per-agent
  figures, written by hand) and writing them as CSV;
* XLSX baseline: `python -c <polars>` only reading the workbook with Polars' calamine engine;
* for CSV also the engine's own floor: `benchmarks/polars_query.py`, the same figures as one
  hand-written Polars query (checked against DuckDB's too), and (`+checks`) the same query with
  the two per-row checks csperf cannot leave out (every timestamp parsed, the first column
  searched for total labels).

Wall time is the best of `--repeat` runs; peak RSS comes from `/usr/bin/time -v` when it exists,
else from `resource.getrusage(RUSAGE_CHILDREN)` in a small launcher process. Every csperf run is
checked against the DuckDB figures agent by agent (relative tolerance 1e-9, after the 6-decimal
rounding of csperf's JSON report). Files are read once before timing, so the page cache is warm.

Usage::

    python benchmarks/run.py                      # 1M and 10M rows CSV, 1M rows XLSX
    python benchmarks/run.py --csv 1000000 --xlsx 0 --repeat 3
    python benchmarks/run.py --csv 2000 --xlsx 2000 --agents 20 --data /tmp/bench   # a quick check

Results also go to `<data>/results.json`. Data is generated on first use into `<data>/<rows>`.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
CONFIG = HERE / "benchmark.yaml"
QUERY = HERE / "duckdb_query.sql"
TIME_BIN = Path("/usr/bin/time")
METRICS = ["calls", "connect_rate", "aht", "conversion", "csat", "csat_top2", "nps", "complaint_rate"]
JSON_DECIMALS = 6  # csperf's reports round floats to 6 decimals
RELATIVE_TOLERANCE = 1e-9

DUCKDB_SNIPPET = """
import os, sys, duckdb
query, data, out = sys.argv[1:4]
sql = open(query, encoding="utf-8").read()
if len(sys.argv) > 4:
    sql = sql.replace("'calls.csv'", repr(sys.argv[4]))
os.chdir(data)
con = duckdb.connect()
con.execute("SET enable_progress_bar = false")
con.sql(sql).write_csv(out)
"""
READ_XLSX_SNIPPET = """
import sys, polars as pl
frame = pl.read_excel(sys.argv[1], engine="calamine")
print(frame.height)
"""
# Measures a child's peak RSS where /usr/bin/time is missing: the launcher has one child only.
RUSAGE_LAUNCHER = """
import resource, subprocess, sys
code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)
sys.exit(code)
"""


@dataclass
class Run:
    """One timed process: best wall time over the repeats, and the largest peak RSS seen."""

    seconds: float
    peak_mib: float


@dataclass
class Case:
    """One benchmark line: csperf against its baseline on one input."""

    input: str
    rows: int
    csperf: Run
    baseline_name: str
    baseline: Run
    agree: bool | None = None
    agents: int = 0
    mismatches: list[str] = field(default_factory=list)
    polars: Run | None = None  # the hand-written Polars query (CSV only)
    checked: Run | None = None  # the same with csperf's two unavoidable per-row checks

    @property
    def ratio(self) -> float:
        return self.csperf.seconds / self.baseline.seconds


def measure(command: list[str], cwd: Path | None = None) -> Run:
    """Run a command once; its wall time and peak RSS."""
    if TIME_BIN.exists():
        wrapped = [str(TIME_BIN), "-v", *command]
    else:
        wrapped = [sys.executable, "-c", RUSAGE_LAUNCHER, *command]
    started = time.perf_counter()
    done = subprocess.run(wrapped, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return Run(seconds=seconds, peak_mib=_peak_kib(done.stderr) / 1024)


def _peak_kib(stderr: str) -> float:
    found = re.search(r"Maximum resident set size \(kbytes\): (\d+)", stderr)
    if found:
        return float(found.group(1))
    lines = [line for line in stderr.strip().splitlines() if line.strip().isdigit()]
    if not lines:
        return math.nan
    # ru_maxrss is in kilobytes on Linux and bytes on macOS.
    value = float(lines[-1])
    return value / 1024 if sys.platform == "darwin" else value


def best_of(command: list[str], repeat: int, cwd: Path | None = None) -> Run:
    runs = [measure(command, cwd) for _ in range(repeat)]
    return Run(seconds=min(r.seconds for r in runs), peak_mib=max(r.peak_mib for r in runs))


def warm(paths: list[Path]) -> None:
    """Read files once so that every timed run finds them in the page cache."""
    for path in paths:
        with path.open("rb") as handle:
            while handle.read(1 << 24):
                pass


def compile_csperf() -> None:
    """Compile csperf's modules to bytecode, as `pip install` of a wheel does: an editable install
    run with PYTHONDONTWRITEBYTECODE=1 (as on our machines) would otherwise compile every module
    from source on every timed run (about 0.07 s; DuckDB and Polars come compiled)."""
    import compileall
    import importlib.util

    spec = importlib.util.find_spec("csperf")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        compileall.compile_dir(folder, quiet=1)


def ensure_data(rows: int, data: Path, agents: int, seed: int, xlsx: bool) -> Path:
    from generate import STAMP, stamp, write_csv, write_xlsx  # benchmarks/ is on sys.path

    folder = data / f"{rows}" if agents == 500 and seed == 8 else data / f"{rows}-a{agents}-s{seed}"
    known = json.loads((folder / STAMP).read_text()) if (folder / STAMP).exists() else None
    if known != stamp(rows, agents, seed) or not (folder / "surveys.csv").exists():
        print(f"generating {rows:,} call records into {folder} ...", file=sys.stderr)
        write_csv(rows, folder, agents, seed)
    if xlsx and not (folder / "calls.xlsx").exists():
        print(f"generating calls.xlsx with {rows:,} rows into {folder} ...", file=sys.stderr)
        write_xlsx(rows, folder, agents, seed)
    return folder


def csperf_command(folder: Path, out: Path, config: Path = CONFIG) -> list[str]:
    return [
        sys.executable,
        "-m",
        "csperf",
        "score",
        str(config),
        "--data",
        str(folder),
        "--out",
        str(out),
        "-q",
    ]


def duckdb_command(folder: Path, out: Path) -> list[str]:
    return [sys.executable, "-c", DUCKDB_SNIPPET, str(QUERY), str(folder), str(out)]


def xlsx_config(folder: Path) -> Path:
    """The benchmark config with the calls read from calls.xlsx instead of calls.csv."""
    path = folder / "benchmark_xlsx.yaml"
    path.write_text(
        f"extends: {json.dumps(str(CONFIG))}\nsources:\n  calls:\n    path: calls.xlsx\n", encoding="utf-8"
    )
    return path


# --- checking that both give the same numbers ---------------------------------------------------

Figures = dict[str, dict[str, float | None]]  # agent → metric → value


def csperf_figures(report: Path) -> Figures:
    document = json.loads(report.read_text(encoding="utf-8"))
    return {
        agent["agent_id"]: {m: agent["metrics"][m]["value"] for m in METRICS if m in agent["metrics"]}
        for agent in document["agents"]
    }


def duckdb_figures(table: Path) -> Figures:
    with table.open(encoding="utf-8", newline="") as handle:
        return {
            row["agent_id"]: {m: float(row[m]) if row[m] != "" else None for m in METRICS}
            for row in csv.DictReader(handle)
        }


def same_number(reported: float | None, exact: float | None) -> bool:
    """`reported` (rounded to 6 decimals by the JSON report) equals `exact` within 1e-9 relative."""
    if reported is None or exact is None:
        return reported is None and exact is None

    def close(a: float, b: float) -> bool:
        return math.isclose(a, b, rel_tol=RELATIVE_TOLERANCE, abs_tol=0.0) or a == b

    if close(reported, round(exact, JSON_DECIMALS)):
        return True
    # A value within rounding noise of a 6-decimal boundary may round the other way.
    return abs(reported - exact) <= 0.5 * 10**-JSON_DECIMALS * (1 + RELATIVE_TOLERANCE) + abs(exact) * 1e-12


def compare(ours: Figures, theirs: Figures) -> list[str]:
    """Differences, as lines; empty when every agent's figures agree."""
    problems = [f"agent {a}: only in csperf" for a in sorted(set(ours) - set(theirs))]
    problems += [f"agent {a}: only in DuckDB" for a in sorted(set(theirs) - set(ours))]
    for agent in sorted(set(ours) & set(theirs)):
        for metric in METRICS:
            mine, exact = ours[agent].get(metric), theirs[agent].get(metric)
            if not same_number(mine, exact):
                problems.append(f"agent {agent} {metric}: csperf {mine!r}, DuckDB {exact!r}")
    return problems


# --- the benchmark ------------------------------------------------------------------------------


def run_csv(rows: int, data: Path, agents: int, seed: int, repeat: int, work: Path) -> Case:
    folder = ensure_data(rows, data, agents, seed, xlsx=False)
    warm([folder / "calls.csv", folder / "surveys.csv"])
    report, table = work / f"csperf_{rows}.json", work / f"duckdb_{rows}.csv"
    ours = best_of(csperf_command(folder, report), repeat)
    theirs = best_of(duckdb_command(folder, table), repeat)
    by_hand = work / f"polars_{rows}.csv"
    floor = best_of([sys.executable, str(HERE / "polars_query.py"), str(folder), str(by_hand)], repeat)
    with_checks = work / f"polars_checks_{rows}.csv"
    query = [sys.executable, str(HERE / "polars_query.py"), str(folder), str(with_checks), "--checks"]
    checked = best_of(query, repeat)
    expected = duckdb_figures(table)
    problems = compare(csperf_figures(report), expected)
    for name, result in (("Polars query", by_hand), ("Polars query --checks", with_checks)):
        problems += [f"{name}: {p}" for p in compare(duckdb_figures(result), expected)]
    return Case(
        input="CSV",
        rows=rows,
        csperf=ours,
        baseline_name="DuckDB SQL",
        baseline=theirs,
        agree=not problems,
        agents=len(expected),
        mismatches=problems[:20],
        polars=floor,
        checked=checked,
    )


def run_xlsx(rows: int, data: Path, agents: int, seed: int, repeat: int, work: Path) -> Case:
    folder = ensure_data(rows, data, agents, seed, xlsx=True)
    warm([folder / "calls.xlsx", folder / "surveys.csv"])
    report, table = work / f"csperf_{rows}_xlsx.json", work / f"duckdb_{rows}_for_xlsx.csv"
    ours = best_of(csperf_command(folder, report, xlsx_config(folder)), repeat)
    reading = best_of([sys.executable, "-c", READ_XLSX_SNIPPET, str(folder / "calls.xlsx")], repeat)
    # The workbook holds the same records as calls.csv: DuckDB on the CSV gives the expected figures.
    measure(duckdb_command(folder, table))
    problems = compare(csperf_figures(report), duckdb_figures(table))
    return Case(
        input="XLSX",
        rows=rows,
        csperf=ours,
        baseline_name="Polars+calamine read",
        baseline=reading,
        agree=not problems,
        agents=len(duckdb_figures(table)),
        mismatches=problems[:20],
    )


def help_seconds(repeat: int) -> float:
    command = [sys.executable, "-m", "csperf", "--help"]
    best = math.inf
    for _ in range(max(repeat, 3)):
        started = time.perf_counter()
        subprocess.run(command, stdout=subprocess.DEVNULL, check=True)
        best = min(best, time.perf_counter() - started)
    return best


def machine() -> dict[str, Any]:
    import duckdb
    import polars

    model = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        names = re.findall(r"model name\s*:\s*(.+)", cpuinfo.read_text())
        model = names[0].strip() if names else model
    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        kib = re.search(r"MemTotal:\s+(\d+)", meminfo.read_text())
        memory = f"{int(kib.group(1)) / 2**20:.1f} GiB" if kib else ""
    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "memory": memory,
        "os": platform.platform(),
        "python": platform.python_version(),
        "polars": polars.__version__,
        "duckdb": duckdb.__version__,
        "load_average": [round(x, 2) for x in os.getloadavg()] if hasattr(os, "getloadavg") else None,
        "peak_rss_from": "/usr/bin/time -v" if TIME_BIN.exists() else "getrusage(RUSAGE_CHILDREN)",
    }


def table(cases: list[Case], help_time: float) -> str:
    header = (
        f"{'input':<6}{'rows':>12}  {'csperf s':>9}  {'baseline':<21}{'base s':>8}  {'ratio':>6}  "
        f"{'csperf MiB':>10}  {'base MiB':>9}  {'polars s':>8}  {'+checks':>7}  same numbers"
    )
    lines = [header, "-" * len(header)]
    for case in cases:
        agree = "-" if case.agree is None else ("yes" if case.agree else "NO")
        polars = "-" if case.polars is None else f"{case.polars.seconds:.2f}"
        checked = "-" if case.checked is None else f"{case.checked.seconds:.2f}"
        lines.append(
            f"{case.input:<6}{case.rows:>12,}  {case.csperf.seconds:>9.2f}  {case.baseline_name:<21}"
            f"{case.baseline.seconds:>8.2f}  {case.ratio:>5.2f}x  {case.csperf.peak_mib:>10.0f}  "
            f"{case.baseline.peak_mib:>9.0f}  {polars:>8}  {checked:>7}  {agree} ({case.agents} agents)"
        )
    lines.append(f"csperf --help: {help_time:.3f} s")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--csv", type=int, nargs="*", default=[1_000_000, 10_000_000], help="CSV row counts")
    parser.add_argument("--xlsx", type=int, nargs="*", default=[1_000_000], help="XLSX row counts (0: none)")
    parser.add_argument("--agents", type=int, default=500)
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--repeat", type=int, default=1, help="runs per command; the best time counts")
    parser.add_argument("--data", type=Path, default=HERE / "data", help="where generated data lives")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(HERE))
    args.data.mkdir(parents=True, exist_ok=True)
    compile_csperf()
    info = machine()
    print(f"machine: {info['cpu']}, {info['cores']} cores, {info['memory']}, {info['os']}")
    print(f"python {info['python']}, polars {info['polars']}, duckdb {info['duckdb']}")
    print(f"load average at start: {info['load_average']}; peak RSS from {info['peak_rss_from']}")
    cases: list[Case] = []
    work = Path(tempfile.mkdtemp(prefix="csperf-bench-"))
    try:
        for rows in [r for r in args.csv if r > 0]:
            cases.append(run_csv(rows, args.data, args.agents, args.seed, args.repeat, work))
            print(table(cases[-1:], math.nan).splitlines()[-2], flush=True)
        for rows in [r for r in args.xlsx if r > 0]:
            cases.append(run_xlsx(rows, args.data, args.agents, args.seed, args.repeat, work))
            print(table(cases[-1:], math.nan).splitlines()[-2], flush=True)
        help_time = help_seconds(args.repeat)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print()
    print(table(cases, help_time))
    for case in cases:
        for line in case.mismatches:
            print(f"  {case.input} {case.rows:,}: {line}")
    results = {
        "machine": info,
        "help_seconds": help_time,
        "cases": [{**asdict(c), "ratio": c.ratio} for c in cases],
    }
    (args.data / "results.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0 if all(c.agree for c in cases) else 1


if __name__ == "__main__":
    sys.exit(main())
