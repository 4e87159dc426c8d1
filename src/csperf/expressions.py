"""SQL expressions from the config, parsed by Polars' SQL engine (never eval)."""

from __future__ import annotations

from functools import lru_cache

import polars as pl


class ExpressionError(ValueError):
    """A config expression that Polars' SQL parser rejects."""


@lru_cache(maxsize=1024)
def sql_expression(text: str) -> pl.Expr:
    """The Polars expression for one SQL expression text."""
    try:
        return pl.sql_expr(text)
    except Exception as exc:  # polars raises several SQL error types
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ExpressionError(message) from None


def referenced_names(text: str) -> set[str]:
    """Column names an expression reads."""
    return set(sql_expression(text).meta.root_names())
