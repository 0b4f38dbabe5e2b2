"""Quoting for the SQL that the import stage runs in its DuckDB staging engine.

Column names come from users' files, so every identifier and literal goes through here.
"""

from __future__ import annotations


def ident(name: str) -> str:
    """A double-quoted identifier, safe for any column name."""
    return '"' + name.replace('"', '""') + '"'


def lit(value: str) -> str:
    """A single-quoted string literal, safe for any text."""
    return "'" + value.replace("'", "''") + "'"
