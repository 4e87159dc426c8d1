"""The config model: YAML → strict pydantic objects, plus cross-field rules.

`load_config` is the entry point. Every problem found is collected and raised together as one
`ConfigError` whose lines read `file:line: key.path: what is wrong; what to do`.
"""

from __future__ import annotations

import difflib
import types
import typing
from pathlib import Path
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, Field, ValidationError, model_validator

from csperf.bonus_config import BonusConfig, Leaderboard
from csperf.calendar import CalendarConfig
from csperf.errors import ConfigError
from csperf.model_base import Label, Language, Strict
from csperf.profiles import ReportConfig
from csperf.review import ReviewConfig
from csperf.text_rules import TextRule
from csperf.yamlsource import LoadedYaml, Path_, load_with_extends

ColumnType = Literal["str", "int", "float", "number", "percent", "bool", "duration", "datetime", "date"]
DurationUnit = Literal["s", "ms", "min", "h", "day"]
Aggregation = Literal["count", "sum", "mean", "median", "min", "max", "quantile", "count_distinct"]
Unit = Literal["percent", "seconds", "count", "score", "number", "currency"]
Perspective = Literal["financial", "customer", "operational", "growth"]


class ColumnSpec(Strict):
    """How one canonical column is read from a raw export column."""

    # A header, a 1-based column position, or several headers tried in order (vendor variants).
    from_: str | int | list[str] | None = Field(default=None, alias="from")
    type: ColumnType = "str"
    unit: DurationUnit | None = None
    format: str | None = None
    timezone: str | None = None
    values: dict[str, Any] | None = None
    true_values: list[str] | None = None
    false_values: list[str] | None = None
    required: bool = True
    default: Any = None
    # A regular expression whose first group is the value (e.g. `^SIP/(\d+)-` on `SIP/8002-0001`).
    extract: str | None = None
    # Blank cells take the value above (merged cells in xlsx, grouped reports).
    fill_down: bool = False


class AgentIdRules(Strict):
    """How raw agent identifiers are normalised before grouping and joining."""

    trim: bool = True
    case: Literal["keep", "upper", "lower"] = "keep"
    strip_leading_zeros: bool = False
    extract: str | None = None
    # Other spellings of an id (after normalisation) → the roster id, e.g. `"Zhang Wei": A1001`.
    aliases: dict[str, str] = Field(default_factory=dict)
    # Roster columns whose values (several separated by ; , | 、) are other ids of that agent.
    alias_columns: list[str] = Field(default_factory=list)


class AgentLookup(Strict):
    """Take a source's agent from another source's rows with the same key (e.g. a call id)."""

    source: str
    key: str


class SourceConfig(Strict):
    """One export: file(s), how to read them, and the canonical columns taken from them."""

    path: str
    format: Literal["auto", "csv", "xlsx", "parquet", "json"] = "auto"
    encoding: str = "auto"
    delimiter: str = ","
    sheet: str | int | None = None
    has_header: bool = True
    header_row: int | None = Field(default=None, ge=1)
    # Names for the columns of a file without a header row, in order (then usable in `from:`).
    column_names: list[str] | None = None
    preset: str | None = None
    columns: dict[str, str | int | ColumnSpec] = Field(default_factory=dict)
    null_values: list[str] = Field(
        default_factory=lambda: ["", "--", "-", "N/A", "n/a", "NA", "NULL", "null"]
    )
    where: str | None = None
    dedupe_on: list[str] = Field(default_factory=list)
    dedupe_keep: Literal["first", "last"] = "last"
    dedupe_order_by: str | None = None
    timestamp: str | None = None
    drop_total_rows: bool = True
    # Canonical columns whose blank cells take the value above (like `fill_down: true` on a column).
    fill_down: list[str] = Field(default_factory=list)
    # A row without an agent: `reject` it (counted as rejected) or `skip` it (e.g. abandoned calls).
    no_agent: Literal["reject", "skip"] = "reject"
    agent_from: AgentLookup | None = None

    def column_specs(self) -> dict[str, ColumnSpec]:
        """Every canonical column as a full ColumnSpec (a bare string is the raw header)."""
        specs: dict[str, ColumnSpec] = {}
        for name, spec in self.columns.items():
            if isinstance(spec, ColumnSpec):
                specs[name] = spec if spec.from_ is not None else spec.model_copy(update={"from_": name})
            else:
                specs[name] = ColumnSpec.model_validate({"from": spec})
        return specs


class MeasureConfig(Strict):
    """A per-agent aggregate over one source's rows."""

    source: str
    agg: Aggregation
    value: str | None = None
    where: str | None = None
    q: float | None = Field(default=None, ge=0, le=1)
    label: Label | None = None
    description: str | None = None


class MinVolume(Strict):
    measure: str
    at_least: float


class Shrinkage(Strict):
    """Pull small-sample values toward their group's pooled value (see shrinkage.py)."""

    k: float | Literal["estimate"] = "estimate"
    toward: str = "scorecard"


class MetricConfig(Strict):
    """A per-agent figure: a ratio of two measures or a SQL formula over measures and metrics."""

    ratio: list[str] | None = None
    formula: str | None = None
    label: Label | None = None
    unit: Unit = "number"
    better: Literal["higher", "lower"] = "higher"
    min_volume: MinVolume | None = None
    description: str | None = None
    perspective: Perspective | None = None
    tags: list[str] = Field(default_factory=list)
    shrinkage: Shrinkage | None = None
    interval: Literal["wilson", "none"] | None = None

    @model_validator(mode="after")
    def _one_definition(self) -> MetricConfig:
        if (self.ratio is None) == (self.formula is None):
            raise ValueError("give exactly one of `ratio: [numerator, denominator]` or `formula: ...`")
        if self.ratio is not None and len(self.ratio) != 2:
            raise ValueError("ratio takes two measure names: [numerator, denominator]")
        return self


class LinearPoints(Strict):
    floor: float
    target: float
    cap: float = Field(default=100, ge=100)


class PercentilePoints(Strict):
    pass


class PointsRule(Strict):
    """How a metric value becomes 0–100 points: exactly one of linear, bands, percentile."""

    linear: LinearPoints | None = None
    bands: list[tuple[float, float]] | None = None
    percentile: PercentilePoints | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> PointsRule:
        given = [n for n in ("linear", "bands", "percentile") if getattr(self, n) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of linear, bands or percentile")
        return self

    @property
    def kind(self) -> str:
        return "linear" if self.linear else "bands" if self.bands is not None else "percentile"


class ScoredMetric(Strict):
    weight: float = Field(ge=0)
    points: PointsRule


class Category(Strict):
    weight: float = Field(ge=0)
    label: Label | None = None
    metrics: dict[str, ScoredMetric]


class Scorecard(Strict):
    label: Label | None = None
    applies_to: dict[str, str | list[str]] = Field(default_factory=dict)
    when_insufficient: Literal["redistribute", "zero", "neutral"] = "redistribute"
    neutral_points: float = Field(default=50, ge=0, le=100)
    categories: dict[str, Category]


class TieBreaker(Strict):
    metric: str
    order: Literal["asc", "desc"] | None = None


class RankingConfig(Strict):
    tie_breakers: list[str | TieBreaker] = Field(default_factory=list)

    def breakers(self) -> list[TieBreaker]:
        return [TieBreaker(metric=t) if isinstance(t, str) else t for t in self.tie_breakers]


class Config(Strict):
    name: str = "csperf"
    description: str | None = None
    language: Language = "en"
    timezone: str | None = None
    data_dir: str | None = None
    agent_id: AgentIdRules = Field(default_factory=AgentIdRules)
    roster: SourceConfig | None = None
    sources: Annotated[dict[str, SourceConfig], Field(min_length=1)]
    measures: dict[str, MeasureConfig]
    metrics: dict[str, MetricConfig]
    scorecards: Annotated[dict[str, Scorecard], Field(min_length=1)]
    ranking: RankingConfig = Field(default_factory=RankingConfig)
    bonus: BonusConfig | None = None
    leaderboards: dict[str, Leaderboard] = Field(default_factory=dict)
    calendar: CalendarConfig | None = None
    report: ReportConfig | None = None
    text_rules: dict[str, TextRule] = Field(default_factory=dict)
    review: ReviewConfig | None = None


class LoadedConfig:
    """A validated config with where it came from (for messages and relative paths)."""

    def __init__(self, config: Config, document: LoadedYaml, path: Path) -> None:
        self.config = config
        self.document = document
        self.path = path

    def where(self, *key_path: str | int) -> str:
        """`file:line: key.path` for messages about a part of the config."""
        loc = self.document.locate(tuple(key_path))
        dotted = ".".join(str(k) for k in key_path)
        return f"{loc}: {dotted}" if loc else f"{self.path}: {dotted}"


def load_config(path: str | Path) -> LoadedConfig:
    """Read, merge (`extends:`), validate and cross-check a config file."""
    path = Path(path)
    document = load_with_extends(path)
    try:
        config = Config.model_validate(document.data)
    except ValidationError as exc:
        raise ConfigError(*_pydantic_messages(exc, document)) from None
    loaded = LoadedConfig(config, document, path)
    from csperf.rules import check_config

    problems = check_config(loaded)
    if problems:
        raise ConfigError(*problems)
    return loaded


# --- turning pydantic errors into file:line messages -------------------------------------------


def _data_path(loc: tuple[Any, ...], data: Any) -> Path_:
    """Pydantic's loc with union-branch names removed, following the actual data."""
    path: list[str | int] = []
    current = data
    for part in loc:
        if (isinstance(current, dict) and part in current) or (
            isinstance(current, list) and isinstance(part, int) and part < len(current)
        ):
            current = current[part]
            path.append(part)
        elif isinstance(current, dict) and isinstance(part, str) and not _looks_like_branch(part):
            path.append(part)  # a missing or extra key: name it
            current = None
    return tuple(path)


def _looks_like_branch(part: str) -> bool:
    return part in {"str", "int", "float", "list[str]", "ColumnSpec", "TieBreaker"} or "[" in part


def _model_at(path: Path_) -> type[BaseModel] | None:
    """The pydantic model that validates the mapping at `path`, following annotations."""
    annotation: Any = Config
    for part in path:
        model = _as_model(annotation, want_dict=False)
        if model is not None:
            field = model.model_fields.get(str(part)) or next(
                (f for f in model.model_fields.values() if f.alias == part), None
            )
            if field is None:
                return None
            annotation = field.annotation
            continue
        container = _as_model(annotation, want_dict=True)
        if container is None:
            return None
        annotation = container
    return _as_model(annotation, want_dict=False)


def _as_model(annotation: Any, want_dict: bool) -> Any:
    """Unwrap Optional/Union/Annotated; return a model class, or a dict/list's value type."""
    origin = typing.get_origin(annotation)
    if origin is Annotated:
        return _as_model(typing.get_args(annotation)[0], want_dict)
    if origin in (Union, types.UnionType):
        for arg in typing.get_args(annotation):
            found = _as_model(arg, want_dict)
            if found is not None:
                return found
        return None
    if want_dict and origin in (dict, list):
        return typing.get_args(annotation)[-1]
    if not want_dict and isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return None


def _field_names(model: type[BaseModel]) -> list[str]:
    return [f.alias or name for name, f in model.model_fields.items()]


def _pydantic_messages(exc: ValidationError, document: LoadedYaml) -> list[str]:
    messages: list[str] = []
    seen: set[tuple[Path_, str]] = set()
    errors = exc.errors()

    def scalar_branch(error: Any) -> bool:
        return isinstance(error.get("input"), dict) and _looks_like_branch(str(error["loc"][-1]))

    # A mapping given where a union also allows a scalar (`talk_s: {from: ..., type: ...}`): the
    # scalar branches' "should be a valid string" only hide the real error inside the mapping.
    explained = {tuple(e["loc"][:-1]) for e in errors if not scalar_branch(e)}
    explained = {loc[:n] for loc in explained for n in range(len(loc) + 1)}
    for error in errors:
        if scalar_branch(error) and tuple(error["loc"][:-1]) in explained:
            continue
        path = _data_path(tuple(error["loc"]), document.data)
        kind = error["type"]
        if kind == "extra_forbidden":
            model = _model_at(path[:-1])
            allowed = _field_names(model) if model else []
            close = difflib.get_close_matches(str(path[-1]), allowed, n=1)
            hint = f"did you mean `{close[0]}`?" if close else f"allowed keys: {', '.join(allowed)}"
            text = f"unknown key; {hint}"
        elif kind == "missing":
            text = "required key is missing"
        elif kind in ("union_type", "model_type", "dict_type") and isinstance(error.get("input"), str):
            text = f"expected a mapping, got the text {error['input']!r}"
        else:
            text = error["msg"].removeprefix("Value error, ")
            if kind == "literal_error":
                text = f"{text} (got {error.get('input')!r})"
        key = (path, text)
        if key in seen:
            continue
        seen.add(key)
        loc = document.locate(path)
        dotted = ".".join(str(p) for p in path) or "(top level)"
        messages.append(f"{loc}: {dotted}: {text}")
    return messages
