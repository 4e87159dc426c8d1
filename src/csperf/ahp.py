"""AHP (analytic hierarchy process): pairwise judgements → category and metric weights.

An AHP file names the categories and, per category, the metrics, and judges each pair once
("a vs b: 3" = a is 3 times as important as b); reciprocals are implied. `load_ahp` reads and
checks it, `compute_ahp` derives the weights and consistency of every level, `scorecard_yaml`
turns them into a csperf scorecard block with integer weights, and `format_report` explains the
result in plain text.

Definitions (see reference/METRICS.md §6):

* weights: the principal right eigenvector of the judgement matrix A (Saaty), or the row geometric
  mean (RGMM), normalised to sum 1;
* λmax: the principal eigenvalue; for the geometric-mean method the usual estimate
  mean_i((A·w)_i / w_i) with the RGMM weights;
* CI = (λmax − n)/(n − 1); CR = CI / RI(n) from the chosen random-index table; n ≤ 2 → CR = 0.
  The same RI tables are used for both methods (the geometric consistency index is not computed);
* the most inconsistent judgement is the pair (i, j) with the largest log-deviation
  |ln(a_ij · w_j / w_i)|: how far the judgement is from the ratio the weights imply. The measure is
  symmetric (judging "b vs a: 1/x" instead of "a vs b: x" gives the same deviation) and, for the
  eigenvector method, it orders the pairs by their share of CI, since
  CI = Σ_{i<j} (ε_ij + 1/ε_ij − 2) / (n(n − 1)) with ε_ij = a_ij w_j / w_i.
"""

from __future__ import annotations

import difflib
import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal, get_args

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from csperf.errors import ConfigError
from csperf.yamlsource import LoadedYaml, Path_, read_yaml

__all__ = [
    "RANDOM_INDEX",
    "AhpError",
    "AhpResult",
    "AhpSpec",
    "Inconsistency",
    "Judgement",
    "LevelResult",
    "LevelSpec",
    "Method",
    "RandomIndexName",
    "compute_ahp",
    "compute_level",
    "format_report",
    "geometric_mean_weights",
    "largest_remainder",
    "load_ahp",
    "parse_ahp",
    "principal_eigenvector",
    "scorecard_yaml",
]

Method = Literal["eigenvector", "geometric_mean"]
RandomIndexName = Literal["saaty1980", "saaty2005", "donegan_dodd"]
FloatArray = NDArray[np.float64]

#: Random index RI(n) for n = 1..15 (index n − 1); METRICS.md §6.2.
RANDOM_INDEX: dict[str, tuple[float, ...]] = {
    # Saaty's classic table, as found in most code (the 1.48 at n = 12 is as published).
    "saaty1980": (0, 0, 0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49, 1.51, 1.48, 1.56, 1.57, 1.59),
    # Saaty, Theory and Applications of the Analytic Network Process (2005), p. 31 (ahpy 'saaty').
    "saaty2005": (0, 0, 0.52, 0.89, 1.11, 1.25, 1.35, 1.40, 1.45, 1.49, 1.52, 1.54, 1.56, 1.58, 1.59),
    # Donegan & Dodd, Math. Comput. Modelling 15(10), 1991, 135-137 (ahpy's default 'dd').
    "donegan_dodd": (
        0, 0, 0.4914, 0.8286, 1.0591, 1.1797, 1.2519, 1.3171, 1.3733, 1.4055, 1.4213, 1.4497, 1.4643,
        1.4822, 1.4969,
    ),
}  # fmt: skip

RANDOM_INDEX_SOURCES: dict[str, str] = {
    "saaty1980": "Saaty's classic table (1980)",
    "saaty2005": "Saaty 2005, Theory and Applications of the ANP, p. 31",
    "donegan_dodd": "Donegan & Dodd 1991",
}

METHOD_LABELS: dict[str, str] = {
    "eigenvector": "principal eigenvector",
    "geometric_mean": "row geometric mean",
}

MAX_ITEMS = len(RANDOM_INDEX["saaty1980"])
SCALE_MIN = 1 / 9
SCALE_MAX = 9.0
# 1/9 written as a three-decimal number (0.111) is accepted as 1/9 would be.
_SCALE_SLACK = 5e-4
_TIE = 1e-9  # relative tolerance under which two deviations count as tied
_PAIR = re.compile(r"^\s*(?P<a>.+?)\s+vs\.?\s+(?P<b>.+?)\s*$", re.IGNORECASE)
_FRACTION = re.compile(r"^\s*(?P<p>\d+(?:\.\d*)?)\s*/\s*(?P<q>\d+(?:\.\d*)?)\s*$")


class AhpError(ConfigError):
    """An AHP file is invalid; one message line per problem, `file:line: key.path: problem; fix`."""


# --- the file, as pydantic models (structure only; judgements are checked by hand below) -------


class _LevelModel(BaseModel):
    model_config = ConfigDict(extra="forbid")

    order: list[str] = Field(min_length=1)
    judgements: dict[str, Any] = Field(default_factory=dict)


class _AhpFileModel(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = None
    description: str | None = None
    method: Method = "eigenvector"
    random_index: RandomIndexName = "saaty1980"
    cr_max: float = Field(default=0.10, gt=0, lt=1)
    categories: _LevelModel
    metrics: dict[str, _LevelModel]


# --- the validated specification --------------------------------------------------------------


@dataclass(frozen=True)
class Judgement:
    """One pairwise judgement as written: `first` is `value` times as important as `second`."""

    first: str
    second: str
    value: float
    text: str  # the value as the analyst wrote it ("1/3", "2")

    def __str__(self) -> str:
        return f"{self.first} vs {self.second}: {self.text}"


@dataclass(frozen=True)
class LevelSpec:
    """The names compared at one level and their judgements (one per unordered pair)."""

    key: str  # "categories" or "metrics.<category>"
    names: tuple[str, ...]
    judgements: tuple[Judgement, ...]

    def matrix(self) -> FloatArray:
        """The full reciprocal judgement matrix, rows and columns in `names` order."""
        index = {name: i for i, name in enumerate(self.names)}
        a = np.ones((len(self.names), len(self.names)), dtype=np.float64)
        for j in self.judgements:
            r, c = index[j.first], index[j.second]
            a[r, c] = j.value
            a[c, r] = 1.0 / j.value
        return a

    def judgement(self, a: str, b: str) -> Judgement | None:
        """The judgement on the pair {a, b}, whichever way round it was written."""
        return next((j for j in self.judgements if {j.first, j.second} == {a, b}), None)


@dataclass(frozen=True)
class AhpSpec:
    """A validated AHP file: how to compute, the category level and one metric level per category."""

    name: str
    method: Method
    random_index: RandomIndexName
    cr_max: float
    categories: LevelSpec
    metrics: dict[str, LevelSpec]  # in category order
    source: str = "<data>"
    description: str | None = None

    @property
    def levels(self) -> list[LevelSpec]:
        return [self.categories, *self.metrics.values()]


# --- reading ----------------------------------------------------------------------------------


def load_ahp(path: str | Path) -> AhpSpec:
    """Read and validate an AHP YAML file; every problem is reported at once in one `AhpError`."""
    path = Path(path)
    try:
        document = read_yaml(path)
    except AhpError:
        raise
    except ConfigError as exc:
        raise AhpError(*exc.problems) from None
    return _parse(document, str(path))


def parse_ahp(data: Mapping[str, Any], source: str = "<data>") -> AhpSpec:
    """Validate an AHP specification given as plain data (as `yaml.safe_load` would return it)."""
    return _parse(LoadedYaml(data=dict(data)), source)


class _Where:
    """Formats `file:line: key.path` prefixes from a document's key locations."""

    def __init__(self, document: LoadedYaml, source: str) -> None:
        self.document = document
        self.source = source

    def __call__(self, *path: str | int) -> str:
        loc = self.document.locate(tuple(path))
        dotted = _dotted(path) or "(top level)"
        return f"{loc}: {dotted}" if loc is not None else f"{self.source}: {dotted}"


def _dotted(path: Sequence[str | int]) -> str:
    parts: list[str] = []
    for part in path:
        text = str(part)
        parts.append(text if re.fullmatch(r"[\w-]+", text) else json.dumps(text, ensure_ascii=False))
    return ".".join(parts)


def _parse(document: LoadedYaml, source: str) -> AhpSpec:
    where = _Where(document, source)
    try:
        model = _AhpFileModel.model_validate(document.data)
    except ValidationError as exc:
        raise AhpError(*_pydantic_problems(exc, where)) from None

    problems: list[str] = []
    categories = _parse_level(model.categories, ("categories",), where, problems)
    metrics: dict[str, LevelSpec] = {}
    for category in dict.fromkeys(model.categories.order):
        if category not in model.metrics:
            problems.append(
                f"{where('metrics')}: no metrics for category `{category}`; add "
                f"`{category}: {{order: [...], judgements: {{...}}}}` under metrics:"
            )
            continue
        metrics[category] = _parse_level(model.metrics[category], ("metrics", category), where, problems)
    for category in model.metrics:
        if category not in model.categories.order:
            problems.append(
                f"{where('metrics', category)}: `{category}` is not in categories.order"
                f"{_suggest(category, model.categories.order)}"
            )
    if problems:
        raise AhpError(*problems)
    return AhpSpec(
        name=model.name or Path(source).stem,
        method=model.method,
        random_index=model.random_index,
        cr_max=model.cr_max,
        categories=categories,
        metrics=metrics,
        source=source,
        description=model.description,
    )


def _parse_level(level: _LevelModel, base: Path_, where: _Where, problems: list[str]) -> LevelSpec:
    key = _dotted(base)
    names = tuple(level.order)
    start = len(problems)
    if len(names) > MAX_ITEMS:
        problems.append(
            f"{where(*base, 'order')}: {len(names)} names; at most {MAX_ITEMS} can be compared "
            "(the random-index tables stop there) — split the level"
        )
    for i, name in enumerate(names):
        if not name.strip():
            problems.append(f"{where(*base, 'order', i)}: empty name; give every item a name")
        elif name in names[:i]:
            problems.append(f"{where(*base, 'order', i)}: `{name}` is listed twice; keep one")
    if len(problems) > start:
        return LevelSpec(key, names, ())

    known = set(names)
    judged: dict[frozenset[str], tuple[str, Judgement]] = {}
    attempted: set[frozenset[str]] = set()
    for raw_key, raw_value in level.judgements.items():
        path = (*base, "judgements", raw_key)
        match = _PAIR.match(raw_key)
        if match is None:
            problems.append(f"{where(*path)}: write the pair as `a vs b` (for example `{names[0]} vs ...`)")
            continue
        first, second = match["a"], match["b"]
        unknown = [n for n in (first, second) if n not in known]
        for name in unknown:
            problems.append(
                f"{where(*path)}: unknown name `{name}`{_suggest(name, names)}; "
                f"the names here are: {', '.join(names)}"
            )
        if unknown:
            continue
        if first == second:
            problems.append(f"{where(*path)}: compares `{first}` with itself; compare two different names")
            continue
        pair = frozenset((first, second))
        value, error = _parse_value(raw_value)
        if error is not None:
            problems.append(f"{where(*path)}: {error}")
            attempted.add(pair)  # reported; do not also call it missing
            continue
        assert value is not None
        if pair in judged:
            other_key, _ = judged[pair]
            other_loc = where.document.locate((*base, "judgements", other_key))
            at = f" (line {other_loc.line})" if other_loc is not None else ""
            problems.append(
                f"{where(*path)}: this pair is already judged as `{other_key}`{at}; "
                "keep one — the reverse judgement is implied (b vs a = 1 / (a vs b))"
            )
            continue
        judged[pair] = (raw_key, Judgement(first, second, value, _value_text(raw_value)))

    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            if frozenset((a, b)) not in judged and frozenset((a, b)) not in attempted:
                problems.append(
                    f"{where(*base, 'judgements')}: missing judgement `{a} vs {b}`; add "
                    f"`{a} vs {b}: x` with x from 1/9 to 9 (x > 1: {a} matters more)"
                )
    if len(problems) > start:
        return LevelSpec(key, names, ())
    order = {name: i for i, name in enumerate(names)}
    ordered = sorted(
        (j for _, j in judged.values()),
        key=lambda j: sorted((order[j.first], order[j.second])),
    )
    return LevelSpec(key, names, tuple(ordered))


def _value_text(raw: Any) -> str:
    return raw.strip() if isinstance(raw, str) else f"{raw:g}" if isinstance(raw, float) else str(raw)


def _parse_value(raw: Any) -> tuple[float | None, str | None]:
    """A judgement value as a float, or an error text."""
    value: float
    if isinstance(raw, bool) or raw is None:
        return None, f"expected a number from 1/9 to 9, got {raw!r}"
    if isinstance(raw, int | float):
        value = float(raw)
    elif isinstance(raw, str):
        fraction = _FRACTION.match(raw)
        try:
            value = float(fraction["p"]) / float(fraction["q"]) if fraction is not None else float(raw)
        except (ValueError, ZeroDivisionError):
            return None, f"{raw!r} is not a number; write e.g. 3, 0.5 or 1/3"
    else:
        return None, f"expected a number from 1/9 to 9, got {type(raw).__name__} {raw!r}"
    if not math.isfinite(value) or not SCALE_MIN - _SCALE_SLACK <= value <= SCALE_MAX:
        return None, (
            f"{_value_text(raw)} is outside Saaty's scale 1/9..9; use 9 for 'extremely more important' "
            "and 1/9 for the reverse"
        )
    return value, None


def _suggest(name: str, choices: Sequence[str]) -> str:
    close = difflib.get_close_matches(name, list(choices), n=1)
    return f"; did you mean `{close[0]}`?" if close else ""


def _pydantic_problems(exc: ValidationError, where: _Where) -> list[str]:
    problems: list[str] = []
    for error in exc.errors():
        loc = tuple(part for part in error["loc"] if isinstance(part, str | int))
        kind = error["type"]
        if kind == "extra_forbidden":
            allowed = _allowed_keys(loc[:-1])
            close = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
            hint = f"did you mean `{close[0]}`?" if close else f"allowed keys: {', '.join(allowed)}"
            text = f"unknown key; {hint}"
        elif kind == "missing":
            text = "required key is missing"
        elif kind == "literal_error":
            text = f"{error['msg']} (got {error.get('input')!r})"
        else:
            text = error["msg"].removeprefix("Value error, ")
        problems.append(f"{where(*loc)}: {text}")
    return problems


def _allowed_keys(path: tuple[str | int, ...]) -> list[str]:
    if path == ():
        return list(_AhpFileModel.model_fields)
    if path == ("categories",) or (len(path) == 2 and path[0] == "metrics"):
        return list(_LevelModel.model_fields)
    return []


# --- computing --------------------------------------------------------------------------------


def principal_eigenvector(matrix: FloatArray) -> tuple[FloatArray, float]:
    """Weights (summing to 1) and λmax from the principal eigenpair of a positive matrix."""
    a = np.asarray(matrix, dtype=np.float64)
    values, vectors = np.linalg.eig(a)
    # Perron-Frobenius: the largest eigenvalue of a positive matrix is real and its eigenvector
    # has one sign; tiny imaginary parts are rounding noise.
    real = np.abs(values.imag) <= 1e-9 * max(1.0, float(np.abs(values).max()))
    candidates = np.where(real, values.real, -np.inf)
    k = int(np.argmax(candidates))
    vector = vectors[:, k].real
    weights = vector / vector.sum()
    return np.asarray(weights, dtype=np.float64), float(values[k].real)


def geometric_mean_weights(matrix: FloatArray) -> tuple[FloatArray, float]:
    """Row-geometric-mean weights (summing to 1) and λmax estimated as mean((A·w)_i / w_i)."""
    a = np.asarray(matrix, dtype=np.float64)
    weights = np.exp(np.log(a).mean(axis=1))
    weights = weights / weights.sum()
    lambda_max = float(np.mean((a @ weights) / weights))
    return np.asarray(weights, dtype=np.float64), lambda_max


@dataclass(frozen=True)
class Inconsistency:
    """How far judgement `first vs second` is from the ratio the derived weights imply."""

    first: str
    second: str
    given: float  # the judgement a_ij
    implied: float  # w_i / w_j
    log_deviation: float  # |ln(a_ij · w_j / w_i)|

    @property
    def factor(self) -> float:
        """The judgement is off by this factor (≥ 1) from what the weights imply."""
        return math.exp(self.log_deviation)

    def reversed(self) -> Inconsistency:
        return Inconsistency(self.second, self.first, 1 / self.given, 1 / self.implied, self.log_deviation)


@dataclass(frozen=True)
class LevelResult:
    """Weights and consistency of one level (the categories, or one category's metrics)."""

    key: str
    names: tuple[str, ...]
    matrix: FloatArray
    weights: tuple[float, ...]
    method: Method
    lambda_max: float
    ci: float
    ri: float
    cr: float
    random_index_name: RandomIndexName
    cr_max: float
    most_inconsistent: Inconsistency | None  # None when n ≤ 2 or the judgements are consistent
    deviations: tuple[Inconsistency, ...]  # every judged pair, upper-triangle order
    warning: bool  # CR > cr_max

    @property
    def n(self) -> int:
        return len(self.names)

    def weight(self, name: str) -> float:
        return self.weights[self.names.index(name)]

    @property
    def ties(self) -> int:
        """How many other judgements deviate exactly as much as the most inconsistent one."""
        if self.most_inconsistent is None:
            return 0
        top = self.most_inconsistent.log_deviation
        return sum(1 for d in self.deviations if abs(d.log_deviation - top) <= _TIE * top) - 1

    def warning_message(self) -> str | None:
        """The consistency warning for this level, or None when CR is acceptable."""
        if not self.warning:
            return None
        text = (
            f"{self.key}: consistency ratio {self.cr:.3f} exceeds {self.cr_max:g} "
            f"(RI({self.n}) = {self.ri:g}, {self.random_index_name})"
        )
        if self.most_inconsistent is not None:
            text += f"; revisit {_describe(self.most_inconsistent)}"
        return text


@dataclass(frozen=True)
class AhpResult:
    """Every level's result and the global metric weights (category weight × local metric weight)."""

    spec: AhpSpec
    categories: LevelResult
    metrics: dict[str, LevelResult]  # in category order
    global_weights: dict[tuple[str, str], float]  # (category, metric) → share of the total, sums to 1

    @property
    def levels(self) -> list[LevelResult]:
        return [self.categories, *self.metrics.values()]

    @property
    def warnings(self) -> list[str]:
        """One message per level whose CR exceeds cr_max (the CLI fails on them with --strict)."""
        return [m for level in self.levels if (m := level.warning_message()) is not None]


def random_index(n: int, table: RandomIndexName = "saaty1980") -> float:
    """RI(n) from the named table; n must be 1..15."""
    values = RANDOM_INDEX[table]
    if not 1 <= n <= len(values):
        raise ValueError(f"random index {table} is tabulated for n = 1..{len(values)}, not {n}")
    return values[n - 1]


def compute_level(
    names: Sequence[str],
    matrix: FloatArray | Sequence[Sequence[float]],
    *,
    method: Method = "eigenvector",
    random_index_name: RandomIndexName = "saaty1980",
    cr_max: float = 0.10,
    key: str = "level",
) -> LevelResult:
    """Weights, λmax, CI, CR and the most inconsistent judgement of one positive reciprocal matrix."""
    a = np.asarray(matrix, dtype=np.float64)
    n = len(names)
    if a.shape != (n, n):
        raise ValueError(f"{key}: matrix shape {a.shape} does not match {n} names")
    if not np.all(np.isfinite(a)) or not np.all(a > 0):
        raise ValueError(f"{key}: judgements must be positive finite numbers")
    if method == "eigenvector":
        weights, lambda_max = principal_eigenvector(a)
    elif method == "geometric_mean":
        weights, lambda_max = geometric_mean_weights(a)
    else:
        raise ValueError(f"unknown method {method!r}; use one of {', '.join(get_args(Method))}")
    ri = random_index(n, random_index_name)
    # λmax ≥ n holds for both estimates; a tiny negative CI is rounding noise.
    ci = max(0.0, (lambda_max - n) / (n - 1)) if n > 1 else 0.0
    cr = ci / ri if n > 2 else 0.0

    deviations = tuple(
        Inconsistency(
            names[i],
            names[j],
            float(a[i, j]),
            float(weights[i] / weights[j]),
            abs(math.log(float(a[i, j] * weights[j] / weights[i]))),
        )
        for i in range(n)
        for j in range(i + 1, n)
    )
    most: Inconsistency | None = None
    if n > 2 and deviations:
        top = max(d.log_deviation for d in deviations)
        if top > 1e-9:
            # first in upper-triangle order among (near-)ties, so the choice is deterministic
            most = next(d for d in deviations if d.log_deviation >= top * (1 - _TIE))
    return LevelResult(
        key=key,
        names=tuple(names),
        matrix=a,
        weights=tuple(float(w) for w in weights),
        method=method,
        lambda_max=lambda_max,
        ci=ci,
        ri=ri,
        cr=cr,
        random_index_name=random_index_name,
        cr_max=cr_max,
        most_inconsistent=most,
        deviations=deviations,
        warning=cr > cr_max,
    )


def _compute_spec_level(spec: AhpSpec, level: LevelSpec) -> LevelResult:
    result = compute_level(
        level.names,
        level.matrix(),
        method=spec.method,
        random_index_name=spec.random_index,
        cr_max=spec.cr_max,
        key=level.key,
    )
    worst = result.most_inconsistent
    if worst is not None:
        written = level.judgement(worst.first, worst.second)
        if written is not None and written.first != worst.first:
            # name the judgement the way the analyst wrote it
            result = replace(result, most_inconsistent=worst.reversed())
    return result


def compute_ahp(spec: AhpSpec) -> AhpResult:
    """Compute every level of the spec and the global (category × metric) weights."""
    categories = _compute_spec_level(spec, spec.categories)
    metrics = {name: _compute_spec_level(spec, level) for name, level in spec.metrics.items()}
    global_weights = {
        (category, metric): categories.weight(category) * weight
        for category, level in metrics.items()
        for metric, weight in zip(level.names, level.weights, strict=True)
    }
    return AhpResult(spec=spec, categories=categories, metrics=metrics, global_weights=global_weights)


# --- integer weights --------------------------------------------------------------------------


def largest_remainder(weights: Sequence[float], total: int = 100) -> list[int]:
    """Integers proportional to `weights` that sum exactly to `total` (Hamilton's method).

    Each result is the floor or the ceiling of its exact share `w / sum(w) * total`; the
    leftover units go to the largest fractional parts, ties to the earlier position.
    """
    if total < 0:
        raise ValueError(f"total must be at least 0, got {total}")
    values = [float(w) for w in weights]
    if not values:
        if total == 0:
            return []
        raise ValueError("no weights to share the total between")
    if any(not math.isfinite(w) or w < 0 for w in values):
        raise ValueError(f"weights must be finite and non-negative, got {values}")
    weight_sum = math.fsum(values)
    if weight_sum <= 0:
        raise ValueError("weights sum to 0; give at least one positive weight")
    shares = [w / weight_sum * total for w in values]
    result = [math.floor(s) for s in shares]
    left = total - sum(result)
    # Rounding the remainders makes shares that differ only by float noise tie (then order wins).
    ranking = sorted(range(len(shares)), key=lambda i: (-round(shares[i] - result[i], 9), i))
    for i in ranking[:left]:
        result[i] += 1
    return result


def scorecard_yaml(result: AhpResult) -> str:
    """A csperf scorecard block (`categories:` with integer weights) for the AHP result.

    Category weights sum to 100 and, inside each category, metric weights sum to 100; each metric
    gets a placeholder `points: {percentile: {}}` to be replaced by its real points rule.
    """
    spec = result.spec
    category_weights = largest_remainder(result.categories.weights)
    crs = ", ".join(f"{level.key} {level.cr:.3f}" for level in result.levels)
    lines = [
        f"# Scorecard weights derived by AHP from {spec.source} ({spec.name}).",
        f"# method: {spec.method}; random index: {spec.random_index}; CR: {crs}",
        "# Weights are rounded by largest remainder: categories sum to 100, metrics within each",
        "# category sum to 100. Paste this under `scorecards: <name>:` in a csperf config.",
        "# TODO: every `points: {percentile: {}}` below is a placeholder; replace it with the",
        "# metric's real points rule (linear / bands / percentile) before scoring.",
        "categories:",
    ]
    for category, weight in zip(result.categories.names, category_weights, strict=True):
        level = result.metrics[category]
        lines += [
            f"  {_yaml_key(category)}:",
            f"    weight: {weight}  # AHP {result.categories.weight(category):.2%}",
            "    metrics:",
        ]
        for metric, metric_weight in zip(level.names, largest_remainder(level.weights), strict=True):
            share = result.global_weights[(category, metric)]
            lines += [
                f"      {_yaml_key(metric)}:",
                f"        weight: {metric_weight}  # AHP {level.weight(metric):.2%} of {category}, "
                f"{share:.2%} of the total",
                "        points: {percentile: {}}  # placeholder: replace",
            ]
    return "\n".join(lines) + "\n"


_YAML_WORDS = {"true", "false", "yes", "no", "on", "off", "null", "y", "n", "~"}


def _yaml_key(name: str) -> str:
    plain = re.fullmatch(r"[A-Za-z_][A-Za-z0-9_\-]*", name) and name.lower() not in _YAML_WORDS
    return name if plain else json.dumps(name, ensure_ascii=False)


# --- the plain-text report --------------------------------------------------------------------


def _describe(d: Inconsistency) -> str:
    return (
        f"`{d.first} vs {d.second}: {_number(d.given)}` "
        f"(the other judgements imply about {_number(d.implied)}, off by a factor of {d.factor:.2f})"
    )


def _number(x: float) -> str:
    """A judgement value the way an analyst writes it: 3, 1/3, 2.5 or 1/2.5."""
    if x >= 1:
        return f"{x:.2f}".rstrip("0").rstrip(".")
    return "1/" + f"{1 / x:.2f}".rstrip("0").rstrip(".")


def format_report(result: AhpResult) -> str:
    """Plain-text report: per level the weights in %, λmax, CI, RI, CR and any warning."""
    spec = result.spec
    width = max(len(name) for level in result.levels for name in level.names)
    lines = [
        f"AHP: {spec.name} ({spec.source})",
        f"method: {spec.method} ({METHOD_LABELS[spec.method]}); "
        f"random index: {spec.random_index} ({RANDOM_INDEX_SOURCES[spec.random_index]}); "
        f"acceptable CR ≤ {spec.cr_max:g}",
    ]
    for level in result.levels:
        lines.append("")
        header = f"{level.key} (n = {level.n})"
        category = level.key.removeprefix("metrics.") if level is not result.categories else None
        if category is not None:
            header += f" — {category} is {result.categories.weight(category):.2%} of the total"
        lines.append(header)
        for name, weight in zip(level.names, level.weights, strict=True):
            row = f"  {name:<{width}}  {weight:7.2%}"
            if category is not None:
                row += f"   {result.global_weights[(category, name)]:7.2%} of the total"
            lines.append(row)
        status = "ok" if not level.warning else f"WARNING: above {level.cr_max:g}"
        if level.n <= 2:
            consistency = "CR 0 (n ≤ 2 is always consistent)"
        else:
            consistency = (
                f"RI({level.n}) {level.ri:g} ({level.random_index_name})   CR {level.cr:.3f} {status}"
            )
        lines.append(f"  λmax {level.lambda_max:.4f}   CI {level.ci:.4f}   {consistency}")
        if level.warning and level.most_inconsistent is not None:
            text = f"  most inconsistent judgement: {_describe(level.most_inconsistent)}"
            if level.ties:
                text += f"; {level.ties} other judgement(s) deviate as much"
            lines.append(text)
    lines += ["", "global weights (category × metric)"]
    for (category, metric), weight in result.global_weights.items():
        lines.append(f"  {category + '.' + metric:<{2 * width + 1}}  {weight:7.2%}")
    warnings = result.warnings
    if warnings:
        lines += ["", f"{len(warnings)} level(s) above CR {spec.cr_max:g}: revise the judgements named above"]
    return "\n".join(lines) + "\n"
