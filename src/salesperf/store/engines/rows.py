"""Row by row reads and writes of the store's small tables (users, sessions, tokens).

The store offers these as typed methods (`Store.insert_row`, `Store.select_rows`,
`Store.update_rows`, `Store.delete_rows`); the statements are built here, with `?` placeholders
that every engine's `execute` takes, and run on the side of the engine that holds the store's
own tables (the Spark store's DuckDB catalog, PostgreSQL, the DuckDB file). Only names the
declarations know are accepted, so no caller's text ever becomes SQL.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from salesperf.schema import TABLES
from salesperf.store.engines.base import Engine, StoreError, q
from salesperf.store.reads import reading
from salesperf.store.system_tables import SYSTEM_TABLES


class Op(StrEnum):
    """A comparison a filter may make between a column and a value."""

    LT = "<"
    LE = "<="
    GT = ">"
    GE = ">="
    NE = "<>"


@dataclass(frozen=True)
class Compare:
    """A filter on a column other than equality: `column <op> value`, or (with `or_null`) a
    column that is also picked when it is null."""

    op: Op
    value: Any
    or_null: bool = False


#: A filter: each column equals its value (None: is null), or meets its `Compare`; all at once.
Where = Mapping[str, Any]


def columns_of(table: str) -> tuple[str, ...]:
    """The columns of a declared table (canonical or the store's own), or a StoreError."""
    if table in TABLES:
        return TABLES[table].column_names
    if table in SYSTEM_TABLES:
        return tuple(SYSTEM_TABLES[table].schema.names)
    raise StoreError(f"there is no table {table!r}")


def _known(table: str, columns: Sequence[str]) -> None:
    have = columns_of(table)
    for c in columns:
        if c not in have:
            raise StoreError(f"{table} has no column {c!r}")


def where_sql(table: str, where: Where) -> tuple[str, list[Any]]:
    """The WHERE clause (empty for no filter) and its parameters."""
    _known(table, list(where))
    parts: list[str] = []
    params: list[Any] = []
    for column, value in where.items():
        col = q(column)
        if isinstance(value, Compare):
            test = f"{col} {Op(value.op).value} ?"
            parts.append(f"({col} IS NULL OR {test})" if value.or_null else test)
            params.append(value.value)
        elif value is None:
            parts.append(f"{col} IS NULL")
        else:
            parts.append(f"{col} = ?")
            params.append(value)
    return (" WHERE " + " AND ".join(parts) if parts else ""), params


def select_sql(
    table: str,
    columns: Sequence[str],
    where: Where,
    order_by: Sequence[str],
    distinct: bool,
) -> tuple[str, list[Any]]:
    """A SELECT of `columns` from `table`, filtered and ordered."""
    _known(table, [*columns, *order_by])
    clause, params = where_sql(table, where)
    order = f" ORDER BY {', '.join(q(c) for c in order_by)}" if order_by else ""
    cols = ", ".join(q(c) for c in columns)
    return f"SELECT {'DISTINCT ' if distinct else ''}{cols} FROM {q(table)}{clause}{order}", params


def insert_sql(table: str, row: Mapping[str, Any]) -> tuple[str, list[Any]]:
    """An INSERT of one row (columns left out are null)."""
    _known(table, list(row))
    if not row:
        raise StoreError(f"a row of {table} needs at least one value")
    cols = ", ".join(q(c) for c in row)
    marks = ", ".join("?" for _ in row)
    return f"INSERT INTO {q(table)} ({cols}) VALUES ({marks})", list(row.values())


def update_sql(table: str, values: Mapping[str, Any], where: Where) -> tuple[str, list[Any]]:
    """An UPDATE setting `values` in the rows `where` picks."""
    _known(table, list(values))
    if not values:
        raise StoreError(f"an update of {table} needs at least one value")
    if not where:
        raise StoreError(f"an update of {table} needs a filter (every row is not changed at once)")
    clause, params = where_sql(table, where)
    sets = ", ".join(f"{q(c)} = ?" for c in values)
    return f"UPDATE {q(table)} SET {sets}{clause}", [*values.values(), *params]


def delete_sql(table: str, where: Where) -> tuple[str, list[Any]]:
    """A DELETE of the rows `where` picks (never of every row)."""
    if not where:
        raise StoreError(f"a delete from {table} needs a filter (every row is not deleted at once)")
    clause, params = where_sql(table, where)
    return f"DELETE FROM {q(table)}{clause}", params


class RowAccess:
    """The store's reads and writes of single rows (a part of `salesperf.store.Store`)."""

    _engine: Engine

    def select_rows(
        self,
        table: str,
        columns: Sequence[str],
        where: Where | None = None,
        *,
        order_by: Sequence[str] = (),
        distinct: bool = False,
    ) -> list[tuple[Any, ...]]:
        """The `columns` of the rows `where` picks (every row without it), in `order_by`."""
        with reading(table):  # one table, named
            return self._engine.execute(
                *select_sql(table, columns, where or {}, order_by, distinct)
            )

    def insert_row(self, table: str, row: Mapping[str, Any]) -> None:
        """Add one row (columns left out are null)."""
        self._engine.execute(*insert_sql(table, row))

    def update_rows(self, table: str, values: Mapping[str, Any], where: Where) -> None:
        """Set `values` in the rows `where` picks (a filter is required)."""
        self._engine.execute(*update_sql(table, values, where))

    def delete_rows(self, table: str, where: Where) -> None:
        """Delete the rows `where` picks (a filter is required)."""
        self._engine.execute(*delete_sql(table, where))
