"""Which tables a computation read, so that a remembered result outlives writes to others.

A dashboard's results are remembered until a write changes what they were computed from
(`salesperf.server.services.ResultCache`). A CRM posts activities all day; the forecast, which
reads deals and their stages only, need not be computed again for each of them. While a
computation runs inside `recording()`, every query it runs names the tables it reads:

- every Ibis query, on every engine, as the engine runs it (the tables of its expression,
  seen where Ibis prepares any expression for execution, prepared statements included);
- the store's own reads that name their table (`reading`: its settings, a row count);
- any other plain SQL the store runs (`note_all`): unknown, so it counts as reading every
  table (`EVERYTHING`).

Recordings nest: a table read inside an inner recording is read by the outer ones too. A
result served from memory instead of computed is `note`d again by whoever remembers it, so that
an outer computation that uses it depends on its tables as well.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterable, Iterator
from contextvars import ContextVar

import ibis.expr.operations as ops
import ibis.expr.types as ir
from ibis.backends import BaseBackend

from salesperf.store.migrations import IMPORTS, REJECTS

#: Read by plain SQL the store cannot name: every table.
EVERYTHING = "*"

_active: ContextVar[tuple[set[str], ...]] = ContextVar("salesperf_reads", default=())
_named: ContextVar[bool] = ContextVar("salesperf_reads_named", default=False)


@contextlib.contextmanager
def recording() -> Iterator[set[str]]:
    """The names of the tables read inside the block (`EVERYTHING` among them when unknown)."""
    seen: set[str] = set()
    token = _active.set((*_active.get(), seen))
    try:
        yield seen
    finally:
        _active.reset(token)


def note(names: Iterable[str]) -> None:
    """Tables read now, by every recording in progress."""
    active = _active.get()
    if active:
        names = set(names)
        for seen in active:
            seen |= names


def note_all() -> None:
    """Plain SQL whose tables are not known: every table is read (unless `reading` named it)."""
    if _active.get() and not _named.get():
        note((EVERYTHING,))


@contextlib.contextmanager
def reading(*names: str) -> Iterator[None]:
    """The plain SQL run inside the block reads these tables only."""
    note(names)
    token = _named.set(True)
    try:
        yield
    finally:
        _named.reset(token)


def upsert_writes(table: str) -> frozenset[str]:
    """Every table an upsert of rows into `table` may write (an import that neither replaces
    the table nor names a CRM, such as a batch): the table itself, the roll-ups made from it
    (kept current by the same transaction; their state is written only by a rebuild), and the
    import's log and rejected rows."""
    from salesperf.store.rollups import rollups_of  # (the roll-ups read periods: import late)

    rolled = {r.name for r in rollups_of(table)}
    return frozenset({table, *rolled, IMPORTS, REJECTS})


def tables_of(expr: ir.Expr) -> frozenset[str]:
    """The stored tables an Ibis expression reads (in-memory tables aside)."""
    return _tables(expr.op())


@functools.lru_cache(maxsize=256)
def _tables(op: ops.Node) -> frozenset[str]:
    # a walk of the whole expression: remembered, as a prepared query runs again and again
    return frozenset(t.name for t in op.find(ops.DatabaseTable))


def _hooked(run: object) -> object:
    def hooks(self: BaseBackend, expr: ir.Expr) -> None:
        if _active.get():
            note(tables_of(expr))
        run(self, expr)  # type: ignore[operator]

    hooks.salesperf_reads = True  # type: ignore[attr-defined]
    return hooks


def install() -> None:
    """Note the tables of every Ibis query about to run. Every backend's execution paths
    (`execute`, `to_pyarrow`, ... on DuckDB, PostgreSQL and Spark) call the base backend's
    pre-execution hooks, which this wraps once."""
    base = BaseBackend._run_pre_execute_hooks
    if not getattr(base, "salesperf_reads", False):
        BaseBackend._run_pre_execute_hooks = _hooked(base)  # type: ignore[method-assign]


install()
