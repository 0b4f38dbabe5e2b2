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

Days, too: a CRM posts today's activities, and the quadrant of the last full quarters does not
depend on them. A computation that reads the activities only through windows ending before a
local day says so (`windowed`, with the first stored timestamp that may be on that day or later);
its reads of the activities (and of their roll-ups) inside that block are recorded with it
(`Seen.until`). A write of activities says what it touched
(`Footprint`: the earliest timestamp of the rows it wrote, replaced or deleted, and whether any
of them is linked to a deal or a lead, which cohort measures read whatever their day), and a
result whose windowed reads end before every day the write touched outlives it (`unaffected`).
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterable, Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime

import ibis.expr.operations as ops
import ibis.expr.types as ir
from ibis.backends import BaseBackend

from salesperf.store.system_tables import IMPORTS, REJECTS

#: Read by plain SQL the store cannot name: every table.
EVERYTHING = "*"

#: The tables a `windowed` block's claim is about: the activities and their roll-ups.
WINDOWED = frozenset({"activities", "rollup_activities", "rollup_accounts"})


class Seen(set[str]):
    """The names of the tables read (`EVERYTHING` among them when unknown), and, for those read
    only inside `windowed` blocks, the stored timestamp their windows end before (`until`), the
    reps whose later activities count all the same (`quiet`, see `except_reps`) and whether
    rows linked to a deal or a lead count whatever their day (`linked`, see `windowed`)."""

    def __init__(self) -> None:
        super().__init__()
        self.until: dict[str, datetime] = {}
        self.quiet: dict[str, frozenset[str]] = {}
        self.linked: dict[str, bool] = {}

    def read(
        self,
        name: str,
        until: datetime | None = None,
        quiet: frozenset[str] = frozenset(),
        linked: bool = True,
    ) -> None:
        """`name` read: whole (`until` None), or only through windows ending before `until`
        (but for the activities of the `quiet` reps and, when `linked`, those linked to a deal
        or a lead)."""
        if until is None:
            self.add(name)
            self.until.pop(name, None)
            self.quiet.pop(name, None)
            self.linked.pop(name, None)
        elif name not in self:
            self.add(name)
            self.until[name] = until
            self.quiet[name] = quiet
            self.linked[name] = linked
        elif name in self.until:
            self.until[name] = max(self.until[name], until)
            self.quiet[name] = self.quiet.get(name, frozenset()) | quiet
            self.linked[name] = self.linked.get(name, True) or linked

    def merge(self, other: Iterable[str]) -> None:
        """What another recording (or a remembered result) read, read here too."""
        bounds: Mapping[str, datetime] = {}
        quiet: Mapping[str, frozenset[str]] = {}
        unlinked: frozenset[str] = frozenset()
        if isinstance(other, Seen):
            bounds, quiet = dict(other.until), dict(other.quiet)
            unlinked = frozenset(n for n, v in other.linked.items() if not v)
        elif isinstance(other, Read):
            bounds, quiet, unlinked = dict(other.until), dict(other.quiet), other.unlinked
        for name in other:
            self.read(name, bounds.get(name), quiet.get(name, frozenset()), name not in unlinked)

    def frozen(self) -> Read:
        """What was read, as a value to keep with a result."""
        return Read(
            frozenset(self),
            tuple(sorted(self.until.items())),
            tuple(sorted((k, v) for k, v in self.quiet.items() if v)),
            frozenset(k for k in self.until if not self.linked.get(k, True)),
        )


@dataclass(frozen=True)
class Read:
    """What a computation read: its tables (`names`) and, for those it read only through
    windows, the stored timestamp their windows end before (`until`, as pairs), the reps whose
    rows count whatever their day (`quiet`) and the tables whose rows linked to a deal or a
    lead do not count outside their day either (`unlinked`)."""

    names: frozenset[str]
    until: tuple[tuple[str, datetime], ...] = ()
    quiet: tuple[tuple[str, frozenset[str]], ...] = ()
    unlinked: frozenset[str] = frozenset()

    def __iter__(self) -> Iterator[str]:
        return iter(self.names)

    def __contains__(self, name: object) -> bool:
        return name in self.names

    def bound(self, name: str) -> datetime | None:
        """The timestamp the reads of `name` end before (None: read whole)."""
        return dict(self.until).get(name)

    def quiet_reps(self, name: str) -> frozenset[str]:
        """The reps whose activities in `name` count whatever their day."""
        return dict(self.quiet).get(name, frozenset())


@dataclass(frozen=True)
class Footprint:
    """What a write of activities touched: `first_at`, the earliest timestamp (UTC) of the rows
    it wrote, of the stored rows they replaced and of the rows it deleted; `linked`, whether
    any of those rows names a deal or a lead; `reps`, the reps of those rows."""

    first_at: datetime
    linked: bool
    reps: frozenset[str]

    def after(
        self, until: datetime, quiet: frozenset[str] = frozenset(), linked: bool = True
    ) -> bool:
        """Did the write touch only rows stored from `until` on, of none of the `quiet` reps,
        and (when `linked` rows count whatever their day) none linked to a deal or a lead?"""
        return not (linked and self.linked) and self.first_at >= until and not self.reps & quiet


def unaffected(read: Read, table: str, written: Footprint | None) -> bool:
    """Can a result that made this `read` not have changed by a write of `table` with this
    footprint? Only when it read the table through windows that end before the write's days."""
    if table not in read.names and EVERYTHING not in read.names:
        return True
    until = read.bound(table)
    if until is None or written is None:
        return False
    return written.after(until, read.quiet_reps(table), table not in read.unlinked)


_active: ContextVar[tuple[Seen, ...]] = ContextVar("salesperf_reads", default=())
_named: ContextVar[bool] = ContextVar("salesperf_reads_named", default=False)
_until: ContextVar[datetime | None] = ContextVar("salesperf_reads_until", default=None)
_linked: ContextVar[bool] = ContextVar("salesperf_reads_linked", default=True)


@contextlib.contextmanager
def recording() -> Iterator[Seen]:
    """The names of the tables read inside the block (`EVERYTHING` among them when unknown)."""
    seen = Seen()
    token = _active.set((*_active.get(), seen))
    try:
        yield seen
    finally:
        _active.reset(token)


@contextlib.contextmanager
def windowed(until: datetime, *, links: bool = True) -> Iterator[None]:
    """Inside the block, the computation reads the activities only through windows of local
    days that every activity stored before `until` (naive UTC) may be on, and no later one
    (`salesperf.metrics.periods.day_bound`), except, unless `links` is False, those linked to
    a deal or a lead, which it may read whatever their day (a deal's touches, a lead's first
    touch). The caller vouches for it: a test of each such computation writes activities from
    that day on and finds the result unchanged."""
    outer = _until.get()
    token = _until.set(until if outer is None else min(outer, until))
    linked = _linked.set(links)
    try:
        yield
    finally:
        _linked.reset(linked)
        _until.reset(token)


def note(names: Iterable[str]) -> None:
    """Tables read now, by every recording in progress (a `Read` keeps its days)."""
    active = _active.get()
    if not active:
        return
    if isinstance(names, Read):  # a remembered result: read as it was, whole or windowed
        for seen in active:
            seen.merge(names)
        return
    until, linked = _until.get(), _linked.get()
    names = list(names)
    for seen in active:
        for name in names:
            seen.read(name, until if name in WINDOWED else None, linked=linked)


def note_all() -> None:
    """Plain SQL whose tables are not known: every table is read (unless `reading` named it)."""
    if _active.get() and not _named.get():
        note((EVERYTHING,))


def except_reps(reps: Iterable[str]) -> None:
    """The activities of these reps count whatever their day, for every windowed read of the
    recordings in progress: for a computation that saw that later activities of some reps
    would change its answer (a rep counted as active until their last record)."""
    reps = frozenset(reps)
    for seen in _active.get():
        for name in seen.until:
            seen.quiet[name] = seen.quiet.get(name, frozenset()) | reps


def read_whole(*names: str) -> None:
    """These tables are read whole, even inside a `windowed` block: for a computation whose
    claim turns out not to hold (it saw that later rows would change its answer)."""
    for seen in _active.get():
        for name in names:
            seen.read(name, None)


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
