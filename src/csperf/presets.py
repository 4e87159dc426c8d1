"""Vendor presets: column maps for known exports (filled in by the real-exports work)."""

from __future__ import annotations

from csperf.config import ColumnSpec

PRESETS: dict[str, dict[str, ColumnSpec]] = {}


def preset_columns(name: str) -> set[str]:
    """Canonical columns a preset provides (empty for an unknown preset)."""
    return set(PRESETS.get(name, {}))
