"""Errors a user can act on: each carries one line per problem, already worded for the user."""

from __future__ import annotations


class CsperfError(Exception):
    """A problem with the invocation, the config or the data (exit status 2).

    `problems` holds one message per problem, each of the form
    `file:line: key.path: what is wrong; what to do` where file and line are known.
    """

    def __init__(self, *problems: str) -> None:
        self.problems = [p for p in problems if p]
        super().__init__("\n".join(self.problems))


class ConfigError(CsperfError):
    """The YAML config is invalid."""


class DataError(CsperfError):
    """An input file cannot be read or lacks what the config needs."""
