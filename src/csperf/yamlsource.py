"""YAML loading that remembers where every key came from, and `extends:` merging.

Only safe YAML is read: the document is composed into nodes by `yaml.compose` with the
SafeLoader, and plain Python values are built from those nodes here, so a config can never
construct arbitrary objects.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from csperf.errors import ConfigError

Path_ = tuple[str | int, ...]


@dataclass(frozen=True)
class Location:
    file: str
    line: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass
class LoadedYaml:
    """A YAML document as plain data plus the location of every key path in it."""

    data: dict[str, Any]
    locations: dict[Path_, Location] = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)

    def locate(self, path: Path_) -> Location | None:
        """Location of the longest prefix of `path` that the document defines."""
        for end in range(len(path), -1, -1):
            loc = self.locations.get(tuple(path[:end]))
            if loc is not None:
                return loc
        return None


def _scalar(node: yaml.ScalarNode, loader: yaml.SafeLoader) -> Any:
    return loader.construct_object(node, deep=True)


def _to_python(
    node: yaml.Node, path: Path_, file: str, locations: dict[Path_, Location], loader: yaml.SafeLoader
) -> Any:
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise ConfigError(
                    f"{file}:{key_node.start_mark.line + 1}: YAML merge keys (<<) are not supported; "
                    "use `extends:` or repeat the keys"
                )
            key = _scalar(key_node, loader) if isinstance(key_node, yaml.ScalarNode) else str(key_node)
            key = str(key) if not isinstance(key, str) else key
            if key in result:
                raise ConfigError(
                    f"{file}:{key_node.start_mark.line + 1}: {_dotted((*path, key))}: key given twice; "
                    "keep one"
                )
            child = (*path, key)
            locations[child] = Location(file, key_node.start_mark.line + 1)
            result[key] = _to_python(value_node, child, file, locations, loader)
        return result
    if isinstance(node, yaml.SequenceNode):
        items = []
        for index, item in enumerate(node.value):
            child = (*path, index)
            locations[child] = Location(file, item.start_mark.line + 1)
            items.append(_to_python(item, child, file, locations, loader))
        return items
    return _scalar(node, loader)  # type: ignore[arg-type]


def _dotted(path: Path_) -> str:
    return ".".join(str(p) for p in path)


def read_yaml(path: Path) -> LoadedYaml:
    """Parse one YAML file into plain data with key locations; errors name file and line."""
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ConfigError(f"{name}: file not found; check the path") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{name}: not UTF-8 text ({exc.reason}); save the config as UTF-8") from None
    except OSError as exc:
        raise ConfigError(f"{name}: cannot read ({exc.strerror})") from None
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        locations: dict[Path_, Location] = {}
        if node is None:
            raise ConfigError(f"{name}:1: the config is empty; see configs/outbound.yaml for an example")
        data = _to_python(node, (), name, locations, loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        raise ConfigError(f"{name}:{line}: invalid YAML: {exc.problem or exc.context}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{name}: invalid YAML: {exc}") from None
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        raise ConfigError(f"{name}:1: the config must be a mapping of sections (sources:, metrics:, ...)")
    locations[()] = Location(name, 1)
    return LoadedYaml(data=data, locations=locations, files=[path])


def _merge(
    base: Any,
    override: Any,
    path: Path_,
    locations: dict[Path_, Location],
    override_locs: dict[Path_, Location],
) -> Any:
    """Deep-merge mappings; anything else in the override replaces the base value."""
    if isinstance(base, dict) and isinstance(override, dict):
        merged = dict(base)
        for key, value in override.items():
            child = (*path, key)
            if key in merged:
                merged[key] = _merge(merged[key], value, child, locations, override_locs)
            else:
                merged[key] = value
                _copy_locations(child, override_locs, locations)
            if child in override_locs:
                locations[child] = override_locs[child]
        return merged
    _drop_locations(path, locations)
    _copy_locations(path, override_locs, locations)
    return override


def _copy_locations(prefix: Path_, source: dict[Path_, Location], target: dict[Path_, Location]) -> None:
    n = len(prefix)
    for key, loc in source.items():
        if key[:n] == prefix:
            target[key] = loc


def _drop_locations(prefix: Path_, target: dict[Path_, Location]) -> None:
    n = len(prefix)
    for key in [k for k in target if k[:n] == prefix and len(k) > n]:
        del target[key]


def load_with_extends(path: Path, _chain: tuple[Path, ...] = ()) -> LoadedYaml:
    """Read a config, following `extends:` recursively.

    `extends:` is a path (relative to the file) or a list of paths; parents are merged in order,
    then this file's keys override theirs.
    """
    resolved = path.resolve()
    if resolved in _chain:
        cycle = " -> ".join(str(p) for p in (*_chain, resolved))
        raise ConfigError(f"{path}:1: extends: circular extends ({cycle}); remove one of the links")
    doc = read_yaml(path)
    parent_refs = doc.data.pop("extends", None)
    if parent_refs is None:
        return doc
    line = doc.locations.get(("extends",), Location(str(path), 1))
    refs = [parent_refs] if isinstance(parent_refs, str) else parent_refs
    if not isinstance(refs, list) or not refs or not all(isinstance(r, str) for r in refs):
        raise ConfigError(f"{line}: extends: must be a path to another config file, or a list of paths")
    merged: dict[str, Any] = {}
    locations: dict[Path_, Location] = {}
    files: list[Path] = []
    for ref in refs:
        parent_path = (path.parent / ref).resolve()
        if not parent_path.exists():
            raise ConfigError(f"{line}: extends: {ref} not found (looked at {parent_path})")
        parent = load_with_extends(parent_path, (*_chain, resolved))
        merged = _merge(merged, parent.data, (), locations, parent.locations)
        files += parent.files
    doc.locations.pop(("extends",), None)
    merged = _merge(merged, doc.data, (), locations, doc.locations)
    return LoadedYaml(data=merged, locations=locations, files=[*files, path])
