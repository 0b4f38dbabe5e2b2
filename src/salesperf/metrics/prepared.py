"""Compiled queries, remembered by shape: a query asked again runs its SQL at once.

Building a query's Ibis expression and generating its SQL costs a dashboard query more than
running it (tenths of a second each for a scorecard, against a run of a few hundredths from the
roll-ups). The expression depends only on the query and its plan (`plan.read_plan`), so a query
asked again with the same plan (after a write, by another user, on another page) reuses both:
on DuckDB its SQL is run as it was generated, on the other engines its expression is run again.
Data are never remembered here: every run reads the store as it is.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass

import ibis
import ibis.expr.types as ir
import pyarrow as pa
from ibis.backends import BaseBackend

#: Prepared queries kept per backend (the least recently used go first).
SIZE = 256


@dataclass(frozen=True, eq=False)
class Prepared:
    """A query's expression and its SQL on the backend's engine."""

    expr: ir.Table
    sql: str


_cache: weakref.WeakKeyDictionary[BaseBackend, OrderedDict[Hashable, Prepared]] = (
    weakref.WeakKeyDictionary()
)
_lock = threading.Lock()


def prepare(con: BaseBackend, key: Hashable, build: Callable[[], ir.Table]) -> Prepared:
    """The prepared query for `key` (the query, its options and its plan's `key`) on `con`,
    built with `build` the first time."""
    with _lock:
        mine = _cache.setdefault(con, OrderedDict())
        found = mine.get(key)
        if found is not None:
            mine.move_to_end(key)
            return found
    expr = build()
    sql = str(ibis.to_sql(expr, dialect=con.name)) if con.name == "duckdb" else ""
    p = Prepared(expr, sql)
    with _lock:
        mine[key] = p
        while len(mine) > SIZE:
            mine.popitem(last=False)
    return p


def arrow(con: BaseBackend, p: Prepared) -> pa.Table:
    """Run a prepared query: its result as Arrow, typed as its expression says."""
    if not p.sql:
        return p.expr.to_pyarrow()
    from ibis.backends.duckdb.converter import DuckDBPyArrowData

    # what the backend's own `to_pyarrow` does, without compiling again: the in-memory
    # tables the query reads (its groups, its calendar) are registered on this connection
    con._run_pre_execute_hooks(p.expr)  # type: ignore[attr-defined]
    table = con.con.sql(p.sql).to_arrow_table()  # type: ignore[attr-defined]
    result: pa.Table = p.expr.__pyarrow_result__(table, data_mapper=DuckDBPyArrowData)
    return result


def forget(con: BaseBackend | None = None) -> None:
    """Forget the prepared queries (of one backend, or of all)."""
    with _lock:
        if con is None:
            _cache.clear()
        else:
            _cache.pop(con, None)
