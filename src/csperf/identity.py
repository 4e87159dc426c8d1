"""Agent identity: one normalised id per agent, whatever spelling each export uses.

Every source's `agent_id` goes through the same steps: the config's `agent_id:` rules (extract,
trim, case, leading zeros), then the alias map, which sends other spellings (a name, an e-mail, an
old login) to the roster id. Aliases come from `agent_id.aliases` in the config and from roster
columns named in `agent_id.alias_columns`. Alias matching ignores case and outer spaces.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from csperf.config import AgentIdRules, Config
from csperf.errors import DataError

if TYPE_CHECKING:
    from csperf.sources import SourceFrame

ALIAS_SEPARATORS = r"[;,|、，；]"
_CACHE: dict[tuple[object, ...], dict[str, str]] = {}


def normalise_agent_id(rules: AgentIdRules, text: pl.Expr) -> pl.Expr:
    """The agent id after the config's rules: extract, trim, case, leading zeros."""
    if rules.extract:
        text = pl.coalesce(text.str.extract(rules.extract, 1), text)
    if rules.trim:
        text = text.str.strip_chars()
    if rules.case == "upper":
        text = text.str.to_uppercase()
    elif rules.case == "lower":
        text = text.str.to_lowercase()
    if rules.strip_leading_zeros:
        text = text.str.replace(r"^0+(\d)", "${1}")
    return text


def alias_key(text: pl.Expr) -> pl.Expr:
    """How an alias is compared: case-insensitive, outer spaces and repeated inner spaces ignored."""
    return text.str.strip_chars().str.replace_all(r"\s+", " ").str.to_lowercase()


def apply_aliases(agent: pl.Expr, aliases: dict[str, str]) -> pl.Expr:
    """Replace an id that is a known alias by the roster id; other ids are kept as they are."""
    if not aliases:
        return agent
    return alias_key(agent).replace_strict(aliases, default=agent, return_dtype=pl.String)


def _normalised(rules: AgentIdRules, values: list[str]) -> list[str | None]:
    frame = pl.DataFrame({"v": values}, schema={"v": pl.String})
    return frame.select(normalise_agent_id(rules, pl.col("v")))["v"].to_list()


def _alias_keys(values: list[str | None]) -> list[str | None]:
    frame = pl.DataFrame({"v": values}, schema={"v": pl.String})
    return frame.select(alias_key(pl.col("v")))["v"].to_list()


def alias_map(config: Config, base_dir: Path) -> dict[str, str]:
    """Alias (compared case-insensitively) → roster agent id, from the config and the roster.

    Raises DataError when one alias would belong to two agents.
    """
    rules = config.agent_id
    if not rules.aliases and not (rules.alias_columns and config.roster is not None):
        return {}
    key: tuple[object, ...] = (rules.model_dump_json(), str(base_dir))
    roster_rows: list[tuple[str, str, str]] = []
    if rules.alias_columns and config.roster is not None:
        from csperf.sources import read_source, resolve_files

        files = resolve_files("roster", config.roster, base_dir)
        key += tuple((str(p), p.stat().st_mtime_ns) for p in files)
        key += (config.roster.model_dump_json(),)
        if key in _CACHE:
            return _CACHE[key]
        frame = read_source(config, "roster", base_dir, source=config.roster)
        table = frame.used().select("agent_id", "_file", *rules.alias_columns).collect()
        for row in table.iter_rows(named=True):
            for column in rules.alias_columns:
                cell = row[column]
                if cell is None:
                    continue
                for alias in re.split(ALIAS_SEPARATORS, str(cell)):
                    if alias.strip():
                        roster_rows.append(
                            (alias.strip(), row["agent_id"], f"{row['_file']}: roster.{column}")
                        )
    elif key in _CACHE:
        return _CACHE[key]

    inline = list(rules.aliases.items())
    targets = _normalised(rules, [target for _, target in inline])
    entries = [
        (alias, target, "agent_id.aliases") for (alias, _), target in zip(inline, targets, strict=True)
    ]
    entries += roster_rows
    # An alias is normalised like the ids in the data it has to match.
    keys = _alias_keys(_normalised(rules, [alias for alias, _, _ in entries]))
    mapping: dict[str, str] = {}
    problems: list[str] = []
    for (alias, target, where), alias_id in zip(entries, keys, strict=True):
        if alias_id is None or target is None:
            continue
        if alias_id in mapping and mapping[alias_id] != target:
            problems.append(
                f"{where}: alias {alias!r} belongs to both {mapping[alias_id]} and {target}; "
                "keep it on one agent"
            )
            continue
        mapping[alias_id] = target
    if problems:
        raise DataError(*problems)
    _CACHE[key] = mapping
    return mapping


def agent_origins(frames: dict[str, SourceFrame], agents: list[str]) -> dict[str, str]:
    """Where each of `agents` first appears in the data: `file:row (sources.name)`."""
    if not agents:
        return {}
    from csperf.sources import FILE, ROW

    parts = [
        frame.used()
        .filter(pl.col("agent_id").is_in(agents))
        .select(pl.col("agent_id"), pl.col(FILE), pl.col(ROW), pl.lit(name).alias("_source"))
        for name, frame in frames.items()
    ]
    found = (
        pl.concat(parts, how="vertical_relaxed")
        .sort("agent_id", "_source", FILE, ROW)
        .group_by("agent_id", maintain_order=True)
        .first()
        .collect()
    )
    return {
        row["agent_id"]: f"{row[FILE]}:{row[ROW]} (sources.{row['_source']})"
        for row in found.iter_rows(named=True)
    }
