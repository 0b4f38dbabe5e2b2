"""Keeping the roll-ups (`salesperf.store.rollups`) current, in the transaction of every write.

A write to `activities`, `deals` or `deal_stages` refreshes the roll-ups made from that table on
the local days it touched: the days of the rows it writes, of the stored rows they replace (their
old values), of the rows it deletes and, for deals and stages, the days on which the affected
deals' stored stages were entered (a deal's rep, kind or source is on its stage rows; a stage
entered earlier than the others changes which is first). The days are gathered before the
write and refreshed after it, each roll-up's rows of those days deleted and built again from
the raw tables; a replaced table rebuilds its roll-ups whole. Only roll-ups whose state says
they are current (`salesperf_rollups`) are kept: a store without roll-ups does nothing.

Everything runs as SQL on the connection that holds the store's own tables (the DuckDB file,
PostgreSQL, the Spark store's DuckDB catalog over its Parquet snapshots), compiled from the
roll-ups' Ibis expressions over the canonical tables by name, so it joins the write's
transaction. `check` compares each roll-up with a fresh build.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any, Protocol

import ibis
import ibis.expr.types as ir

from salesperf.schema import TABLES
from salesperf.store.engines.base import q
from salesperf.store.reads import Footprint
from salesperf.store.rollups import (
    ACCOUNT_REPS,
    ACCOUNTS,
    ACTIVITIES,
    DEALS,
    ROLLUP_VERSION,
    ROLLUPS,
    STAGES,
    STAMPS,
    STATE,
    Rollup,
    linked_days,
    own_days,
)

#: The columns that link a table's rows to others, whatever their day (see `Footprint`).
LINKS = {"activities": ("deal_id", "lead_id")}

#: A refresh of more touched days than this rebuilds the whole span between the first and the
#: last when they fill a third of it (a range reads faster than a long list of days), and
#: always beyond `MAX_LISTED` days.
MANY_DAYS = 31
MAX_LISTED = 366
_DAY = timedelta(days=1)
#: The columns of a roll-up that are counts or sums (the others say which group a row is).
MEASURES = frozenset({"_n", "duration_min", "_n_duration", "amount", "_n_amount", "_then"})
_FLOATS = frozenset({"duration_min", "amount"})


class Host(Protocol):
    """The side of an engine that holds the store's own tables (see `salesperf.store.engines`)."""

    rollup_dialect: str
    rollup_chunk_days: int | None

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> list[tuple[Any, ...]]:
        """Run one statement."""
        ...

    def has_table(self, name: str) -> bool:
        """Whether the store holds the table."""
        ...

    def read_only(self, name: str) -> str | None:
        """Why a canonical table cannot be written here, or None."""
        ...

    def replace_rows(self, name: str, columns: Sequence[str], keep: str, rows: str | None) -> None:
        """Keep the rows of `name` that meet `keep` (SQL), and add `rows` (a SELECT)."""
        ...

    def lock_rollups(self) -> None:
        """Wait until no other write is replacing roll-up rows (until the transaction ends)."""
        ...


class _Canonical:
    """The canonical tables by name, unbound: their SQL runs on the store's own connection."""

    def table(self, name: str, /) -> ir.Table:
        return ibis.table(TABLES[name].schema, name=name)


CANONICAL = _Canonical()


def _sql(host: Host, expr: ir.Expr) -> str:
    return str(ibis.to_sql(expr, dialect=host.rollup_dialect))


# -- the SQL of a write's upkeep, compiled once per shape -------------------------------------
# Compiling the roll-ups' Ibis expressions took most of a small write's time (about 60 ms a
# statement). The SQL depends only on the shape of the write (its table, which relations it
# has, the roll-ups' zone and the local days), so it is kept per shape: a CRM posting batches
# all day touches the same day again and again. A write's relations are named in the SQL by
# placeholders, replaced by the relations' own names (plain identifiers, as the engines make).

_STAGED, _GONE = "salesperf_upkeep_staged", "salesperf_upkeep_gone"
_PLAIN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _named(sql: str, staged: str | None, gone: str | None) -> str:
    """The SQL of a shape with the write's relations named."""
    for placeholder, name in ((_STAGED, staged), (_GONE, gone)):
        if name is not None:
            if not _PLAIN.fullmatch(name):
                raise ValueError(f"a staged relation's name must be a plain identifier: {name!r}")
            sql = sql.replace(placeholder, name)
    return sql


def _written(table: str, staged: bool, gone: bool) -> list[ir.Table]:
    """The relations whose rows' days a write touches: its staged rows, the stored rows with
    their keys, and the rows it deletes (by placeholder names)."""
    spec = TABLES[table]
    t = CANONICAL.table(table)
    sets: list[ir.Table] = []
    if staged:
        s = ibis.table(spec.schema, name=_STAGED)
        sets += [s, t.semi_join(s, [t[k] == s[k] for k in spec.key])]
    if gone:
        sets.append(ibis.table(spec.schema, name=_GONE))
    return sets


@functools.lru_cache(maxsize=64)
def _reps_sql(dialect: str, table: str, staged: bool, gone: bool) -> str:
    """The reps of the rows a write of this shape touches, each with whether any of their rows
    is linked to a deal or a lead (1 or 0)."""
    sets = _written(table, staged, gone)
    each = ibis.union(*(x.select("rep_id", *LINKS[table]) for x in sets))
    linked = ibis.or_(*(each[c].notnull() for c in LINKS[table]))
    g = each.group_by("rep_id").aggregate(linked=ibis.ifelse(linked, 1, 0).max())
    return str(ibis.to_sql(g, dialect=dialect))


def _stage_ids(sets: list[ir.Table]) -> ir.Table:
    return ibis.union(*(x.select("deal_id") for x in sets))


@functools.lru_cache(maxsize=256)
def _bounds_sql(dialect: str, table: str, staged: bool, gone: bool, stages: bool) -> str:
    """The first and last timestamp a write of this shape touches."""
    sets = _written(table, staged, gone)
    stamps = [x[c].name("ts") for x in sets for c in STAMPS[table]]
    if stages:
        st = CANONICAL.table("deal_stages")
        ids = _stage_ids(sets)
        stamps.append(st.semi_join(ids, st.deal_id == ids.deal_id).entered_at.name("ts"))
    each = ibis.union(*(v.as_table() for v in stamps))
    return str(ibis.to_sql(each.aggregate(lo=each.ts.min(), hi=each.ts.max()), dialect=dialect))


@functools.lru_cache(maxsize=1024)
def _days_sql(
    dialect: str, table: str, staged: bool, gone: bool, stages: bool, tz: str, lo: date, hi: date
) -> str:
    """The local days in `tz` a write of this shape touches, between `lo` and `hi`."""
    sets = _written(table, staged, gone)
    parts = [own_days(table, x, tz, lo, hi) for x in sets]
    if stages:
        parts.append(linked_days(CANONICAL, _stage_ids(sets), tz, lo, hi))
    return str(ibis.to_sql(ibis.union(*parts, distinct=True), dialect=dialect))


@functools.lru_cache(maxsize=1024)
def _rows_sql(
    dialect: str,
    name: str,
    tz: str,
    lo: date,
    hi: date,
    days: tuple[date, ...] | None,
    new_only: bool = False,
) -> str:
    """The roll-up's rows of these local days (None: every day in [lo, hi), a rebuild's piece),
    built from the raw tables; `new_only`: those it does not hold yet (a growing roll-up's)."""
    r = ROLLUPS[name]
    listed = None if days is None else list(days)
    rows = _typed(r, r.rows(CANONICAL, tz, lo, hi, listed))
    if new_only:
        stored = ibis.table(r.schema, name=r.name)
        rows = rows.anti_join(stored, list(r.schema.names))
    return str(ibis.to_sql(rows, dialect=dialect))


def _typed(r: Rollup, expr: ir.Table) -> ir.Table:
    return expr.select(*(expr[c].cast(r.schema[c]).name(c) for c in r.schema.names))


def buildable(host: Host, r: Rollup) -> bool:
    """Whether the store writes every table the roll-up is made from (a Spark store's tables
    read from the organisation's lake change without salesperf knowing)."""
    return not any(host.read_only(t) for t in r.sources)


def current(host: Host) -> dict[str, str]:
    """The roll-ups kept current, each with the time zone its days are in."""
    if not host.has_table(STATE):
        return {}
    rows = host.execute(f"SELECT name, timezone FROM {STATE} WHERE version = ?", [ROLLUP_VERSION])
    return {str(n): str(tz) for n, tz in rows if n in ROLLUPS and buildable(host, ROLLUPS[str(n)])}


def _dates(days: Iterable[date]) -> str:
    return ", ".join(f"CAST('{d.isoformat()}' AS DATE)" for d in sorted(days))


def refresh(host: Host, r: Rollup, tz: str, days: Collection[date]) -> None:
    """Build the roll-up's rows of these local days again from the raw tables."""
    if not days:
        return
    lo, hi = min(days), max(days) + _DAY
    n = len(days)
    span = n > MAX_LISTED or (n > MANY_DAYS and 3 * n >= (hi - lo).days)
    if r.growing and span:  # the pairs the days bring that are not held yet
        _replace_span(host, r, tz, lo, hi, "TRUE")
    elif r.growing:
        rows = _rows_sql(host.rollup_dialect, r.name, tz, lo, hi, tuple(sorted(days)), True)
        host.replace_rows(r.name, r.schema.names, "TRUE", rows)
    elif span:
        _replace_span(host, r, tz, lo, hi, f"NOT (day >= {_dates([lo])} AND day < {_dates([hi])})")
    else:
        keep = f"day NOT IN ({_dates(days)})"
        rows = _rows_sql(host.rollup_dialect, r.name, tz, lo, hi, tuple(sorted(days)))
        host.replace_rows(r.name, r.schema.names, keep, rows)


def _replace_span(host: Host, r: Rollup, tz: str, lo: date, hi: date, keep: str) -> None:
    """Keep the roll-up's rows that meet `keep` (SQL) and add its rows of the local days
    [lo, hi), built in pieces of the engine's `rollup_chunk_days` where it has one: the rows
    of a day depend on that day's rows alone, so each piece is exact, and the engine holds one
    piece at a time (a whole 50M-activity store at once came close to the embedded engine's
    default memory budget, and at times past it). A growing roll-up's pieces add only the rows
    not held yet (the first too, unless it replaces every row: a piece's query sees the table
    as it was before the piece, on Spark)."""
    step = timedelta(days=host.rollup_chunk_days) if host.rollup_chunk_days else hi - lo
    a, first = lo, True
    while first or a < hi:
        b = min(hi, a + step)
        new_only = r.growing and not (first and keep == "FALSE")
        rows = _rows_sql(host.rollup_dialect, r.name, tz, a, b, None, new_only)
        host.replace_rows(r.name, r.schema.names, keep if first else "TRUE", rows)
        a, first = b, False


def data_days(host: Host, r: Rollup) -> tuple[date, date] | None:
    """[lo, hi): local days that cover every stored timestamp the roll-up reads (a day either
    side of the UTC ones, for any zone); None when its tables hold none."""
    bounds: list[datetime] = []
    for table in r.sources:
        for col in STAMPS.get(table, ()):
            row = host.execute(f"SELECT min({q(col)}), max({q(col)}) FROM {q(table)}")[0]
            bounds += [v for v in row if v is not None]
    if not bounds:
        return None
    return min(bounds).date() - _DAY, max(bounds).date() + 2 * _DAY


#: The order of a rebuild: the stage roll-up (whose query holds the most in memory: a join of
#: each deal's stages with each other) while the transaction holds the fewest new rows.
REBUILD_ORDER = (STAGES, DEALS, ACTIVITIES, ACCOUNTS, ACCOUNT_REPS)


def rebuild(host: Host, zones: Mapping[str, str]) -> None:
    """Build these roll-ups (name: time zone) whole from the raw tables and record each as
    current (inside the caller's transaction), in `REBUILD_ORDER`; one whose tables the store
    does not write is emptied and left without state."""
    if zones:
        host.lock_rollups()
    for name, tz in sorted(zones.items(), key=lambda item: REBUILD_ORDER.index(item[0])):
        r = ROLLUPS[name]
        host.execute(f"DELETE FROM {STATE} WHERE name = ?", [name])
        span = data_days(host, r) if buildable(host, r) else None
        if span is None:
            host.replace_rows(name, r.schema.names, "FALSE", None)
        else:
            _replace_span(host, r, tz, *span, "FALSE")
        if buildable(host, r):
            host.execute(
                f"INSERT INTO {STATE} (name, version, timezone, built_at) VALUES (?, ?, ?, ?)",
                [name, ROLLUP_VERSION, tz, datetime.now(UTC).replace(tzinfo=None)],
            )


def rebuild_all(host: Host, tz: str, names: Iterable[str] = tuple(ROLLUPS)) -> None:
    """Every roll-up (or those named) built whole in the zone `tz` (a store without roll-ups:
    nothing)."""
    if host.has_table(STATE):
        rebuild(host, dict.fromkeys(names, tz))


def replaced(host: Host, tables: Iterable[str]) -> None:
    """After whole tables were replaced: rebuild the current roll-ups made from them."""
    names = set(tables)
    rebuild(host, {n: tz for n, tz in current(host).items() if names & set(ROLLUPS[n].sources)})


def differences(host: Host, r: Rollup, tz: str) -> int:
    """How many rows of the stored roll-up differ from a fresh build from the raw tables (a
    group missing on one side, held twice, or with other counts; sums to 1e-9). A growing
    roll-up may hold rows a fresh build would not (see `Rollup`): its differences are the rows
    it misses, and those it holds twice."""
    stored = ibis.table(r.schema, name=r.name)
    span = data_days(host, r)
    fresh = (
        stored.filter(ibis.literal(False))
        if span is None
        else _typed(r, r.rows(CANONICAL, tz, *span, None))
    )
    if r.growing:
        cols = list(r.schema.names)
        twice = stored.group_by(cols).aggregate(_k=stored.count())
        missing = fresh.anti_join(stored, cols).select(_k=ibis.literal(1, "int64"))
        wrong_rows = ibis.union(missing, twice.filter(twice._k > 1).select("_k"))
        return int(host.execute(_sql(host, wrong_rows.count()))[0][0])
    both = ibis.union(stored.mutate(_side=1), fresh.mutate(_side=2))
    groups = [c for c in r.schema.names if c not in MEASURES]
    measures = [c for c in r.schema.names if c in MEASURES]
    side1, side2 = both._side == 1, both._side == 2
    g = both.group_by(groups).aggregate(
        _n1=ibis.ifelse(side1, 1, 0).sum(),
        _n2=ibis.ifelse(side2, 1, 0).sum(),
        **{f"{m}_1": both[m].max(where=side1) for m in measures},
        **{f"{m}_2": both[m].max(where=side2) for m in measures},
    )
    wrong = (g._n1 != 1) | (g._n2 != 1)
    for m in measures:
        a, b = g[f"{m}_1"], g[f"{m}_2"]
        if m in _FLOATS:
            apart = (a - b).abs() > ibis.greatest(b.abs(), 1.0) * 1e-9
            wrong |= ibis.ifelse(a.isnull() | b.isnull(), ~a.identical_to(b), apart)
        else:
            wrong |= ~a.identical_to(b)
    return int(host.execute(_sql(host, g.filter(wrong).count()))[0][0])


class Touched:
    """The roll-ups a write to one canonical table changes, and the local days it touches:
    `before` the write gathers them, `after` it refreshes them (both inside its transaction)."""

    def __init__(self, host: Host, table: str) -> None:
        self.host, self.table = host, table
        zones = current(host) if table in STAMPS else {}
        self.zones = {n: tz for n, tz in zones.items() if table in ROLLUPS[n].sources}
        self.days: dict[str, set[date]] = {}
        #: what the write touched, once `before` has seen it (None: not known)
        self.footprint: Footprint | None = None

    def __bool__(self) -> bool:
        return bool(self.zones)

    def before(self, staged: str | None, gone: str | None = None) -> None:
        """Gather the days of the rows `staged` (to be written), of the stored rows with their
        keys, of the rows `gone` (to be deleted) and of the affected deals' stored stages;
        `staged` and `gone` name relations with every column of the table."""
        if not self.zones or (staged is None and gone is None):
            return
        stages = STAGES in self.zones and self.table in ("deals", "deal_stages")
        dialect = self.host.rollup_dialect
        shape = (dialect, self.table, staged is not None, gone is not None, stages)
        found = self.host.execute(_named(_bounds_sql(*shape), staged, gone))
        lo_ts, hi_ts = found[0] if found else (None, None)
        if lo_ts is None:
            return
        if self.table in LINKS:
            reps = self.host.execute(_named(_reps_sql(*shape[:4]), staged, gone))
            linked = any(bool(n) for _, n in reps)
            self.footprint = Footprint(lo_ts, linked, frozenset(str(r) for r, _ in reps))
        lo, hi = lo_ts.date() - _DAY, hi_ts.date() + 2 * _DAY
        for tz in set(self.zones.values()):
            rows = self.host.execute(_named(_days_sql(*shape, tz, lo, hi), staged, gone))
            self.days.setdefault(tz, set()).update(d for (d,) in rows if d is not None)

    def after(self) -> None:
        """Refresh each roll-up on the days gathered."""
        if any(self.days.values()):
            self.host.lock_rollups()
        for name, tz in self.zones.items():
            refresh(self.host, ROLLUPS[name], tz, self.days.get(tz, set()))
