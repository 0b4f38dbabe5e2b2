"""Quoting for the SQL that the import stage runs in its DuckDB staging engine.

Column names come from users' files, so every identifier and literal goes through here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any


def ident(name: str) -> str:
    """A double-quoted identifier, safe for any column name."""
    return '"' + name.replace('"', '""') + '"'


def lit(value: str) -> str:
    """A single-quoted string literal, safe for any text."""
    return "'" + value.replace("'", "''") + "'"


def through(
    con: Any, rule: Callable[[str], str], texts: Iterable[str | None]
) -> dict[str, str | None]:
    """Each text (nulls left out) as the import's SQL `rule` (an expression of a column name,
    such as `id_sql`) turns it, computed on the staging connection `con`: Python asks the one
    rule rather than keeping a copy of it."""
    given = sorted({t for t in texts if t is not None})
    if not given:
        return {}
    rows = con.execute(
        f"SELECT t, {rule('t')} FROM (SELECT unnest(?::VARCHAR[]) AS t)", [given]
    ).fetchall()
    return {str(t): None if k is None else str(k) for t, k in rows}
