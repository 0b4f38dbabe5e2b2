"""Small batches of rows staged for a merge, and the staging connection's settings.

Whatever the engine, rows are staged in its DuckDB staging connection before they are written
(see `salesperf.store.engines.base`); `Store.merge_rows` stages a batch here, checked, and merges it.
"""

from __future__ import annotations

import contextlib
import itertools
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import duckdb
import pyarrow as pa

from salesperf.schema import Table
from salesperf.store.engines.base import StoreError, duck_type, q

if TYPE_CHECKING:
    from duckdb import DuckDBPyConnection

_batches = itertools.count()


def arrow_rows(rows: Sequence[Mapping[str, Any]]) -> pa.Table:
    """Rows as an Arrow table with every column any row names (absent values are null)."""
    names = list(dict.fromkeys(k for r in rows for k in r))
    try:
        return pa.table({n: [r.get(n) for r in rows] for n in names})
    except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
        raise StoreError(f"the rows' values do not fit together: {exc}") from None


def batch_of(spec: Table, rows: pa.Table | Sequence[Mapping[str, Any]]) -> pa.Table:
    """The rows as an Arrow table, or a StoreError naming a column `spec` does not have."""
    data = rows if isinstance(rows, pa.Table) else arrow_rows(rows)
    unknown = [c for c in data.column_names if c not in spec.column_names]
    if unknown:
        raise StoreError(f"{spec.name} has no column {unknown[0]!r}")
    return data


@contextlib.contextmanager
def staged_batch(con: DuckDBPyConnection, spec: Table, data: pa.Table) -> Iterator[str]:
    """A temporary table, in the staging connection, of a batch cast to `spec`'s columns
    (columns left out are null), for the block; a batch that does not fit, lacks a required
    value or holds a key twice is a StoreError."""
    table = spec.name
    missing = [c for c in spec.required if c not in data.column_names]
    if missing:
        raise StoreError(f"{table} rows need {', '.join(missing)}")
    name = f"_batch_{os.getpid()}_{next(_batches)}"
    con.register(f"{name}_arrow", data)
    try:
        cols = ", ".join(
            f"CAST({q(c.name)} AS {duck_type(c.kind.dtype)}) AS {q(c.name)}"
            if c.name in data.column_names
            else f"CAST(NULL AS {duck_type(c.kind.dtype)}) AS {q(c.name)}"
            for c in spec.columns
        )
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {q(name)} AS SELECT {cols} FROM {q(name + '_arrow')}"
        )
    except Exception as exc:
        con.unregister(f"{name}_arrow")
        raise StoreError(f"{table} rows do not fit the table: {exc}") from None
    con.unregister(f"{name}_arrow")
    try:
        for c in spec.required:
            if _first(con, f"SELECT count(*) FROM {q(name)} WHERE {q(c)} IS NULL")[0]:
                raise StoreError(f"{table} rows need a value for {c}")
        keys = ", ".join(q(k) for k in spec.key)
        dup = con.execute(
            f"SELECT {keys} FROM {q(name)} GROUP BY {keys} HAVING count(*) > 1 LIMIT 1"
        ).fetchone()
        if dup:
            raise StoreError(f"the batch holds the {table} key {dup} more than once")
        yield name
    finally:
        con.execute(f"DROP TABLE IF EXISTS {q(name)}")


def _first(con: DuckDBPyConnection, sql: str) -> tuple[Any, ...]:
    row = con.execute(sql).fetchone()
    assert row is not None  # an aggregate has a row
    return row


@contextlib.contextmanager
def memory_budget(con: DuckDBPyConnection, limit: str) -> Iterator[None]:
    """Run the block with a smaller memory budget for `con` (work beyond it spills to disk)."""
    before = _first(con, "SELECT current_setting('memory_limit')")[0]
    con.execute(f"SET memory_limit = '{limit}'")
    try:
        yield
    finally:
        con.execute(f"SET memory_limit = '{before}'")


def progress_tracker(con: DuckDBPyConnection) -> Callable[[], float]:
    """A function telling how far `con`'s running statement is, in percent (< 0: unknown)."""
    # the engine measures progress only when asked to, and must not print it itself
    con.execute("SET enable_progress_bar = true")
    con.execute("SET enable_progress_bar_print = false")

    def poll() -> float:
        try:
            return float(con.query_progress())
        except duckdb.Error:  # the connection closed at the very end: nothing left to show
            return -1.0

    return poll
