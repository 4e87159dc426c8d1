"""Shared pieces of the config models (kept apart so feature modules can define their own models)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

Language = Literal["en", "zh"]
Label = str | dict[Language, str]


class Strict(BaseModel):
    """A config model that rejects unknown keys (reported with a did-you-mean)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


def label_text(label: Label | None, language: Language, fallback: str) -> str:
    """The label in the requested language, else any label, else the fallback name."""
    if label is None:
        return fallback
    if isinstance(label, str):
        return label
    return label.get(language) or next(iter(label.values()), fallback)
