"""Roll-ups: the large canonical tables kept pre-aggregated per rep and local day.

A dashboard reads the same few aggregates of the activities and deals again and again; a
roll-up holds them per rep and day of the organisation's local time, so that a query over any
range of days and any grain (weeks, months, quarters, years, all: each a union of whole days)
reads thousands of rows instead of millions, with the same figures:

- `rollup_activities`: activities per rep, local day, type and outcome (`_n`), with the sum of
  their durations and how many had one;
- `rollup_accounts`: the distinct (rep, local day, type, account) of the activities, so that a
  count of distinct accounts over any range stays exact;
- `rollup_deals`: deals per rep and local day of their creation and of their closing
  (`event`), status, kind, source and currency, with the day their amount is converted on
  (`fx_day`, see `salesperf.fx`): the sum of their amounts as given and how many had one, so
  that the conversion, linear, is applied to the sums at read time;
- `rollup_stages`: per rep and local day a deal first entered a stage: how many entered it
  (`next_stage` null, `_n`), and for each later stage how many of those entered it at or after
  that moment (`_then`), the inputs of stage conversion for every pair of stages;
- `rollup_account_reps`: every (rep, account) pair of the activities, whatever their day: which
  accounts several reps worked, the few a team's count of distinct accounts must take from the
  rows (see `salesperf.metrics.levels.owned_distinct`). It only grows (`growing`): a write adds
  the pairs it brings; a pair whose activities were all deleted or moved stays until the next
  rebuild, which is harmless to that count (it is exact for any set of accounts that holds
  every shared one) and costs it only a little work.

Each is built here as an Ibis expression over the canonical tables, for a range of local days
(or a set of them), the same on every engine; the store writes it (`salesperf.store.upkeep`), in
the same transaction as the write that changed its days. `salesperf_rollups` records, for each
roll-up, the version of its definition and the time zone its days are in: a query reads a
roll-up only when both are current (see `usable`), and the raw tables otherwise.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Protocol

import ibis
import ibis.expr.types as ir
from ibis.backends import BaseBackend
from ibis.common.exceptions import TableNotFound

from salesperf.fx import fx_day
from salesperf.metrics.periods import local_time
from salesperf.schema import DealStatus
from salesperf.store.system_tables import ROLLUP_STATE, ROLLUP_STATE_TABLE, ROLLUP_TABLES

#: The version of the roll-ups' definitions: a store whose roll-ups were built by another one
#: reads the raw tables until they are rebuilt.
ROLLUP_VERSION = 1

STATE = ROLLUP_STATE
STATE_TABLE = ROLLUP_STATE_TABLE

_CLOSED = (DealStatus.WON.value, DealStatus.LOST.value)
_DAY = timedelta(days=1)


class Tables(Protocol):
    """Where a roll-up's rows are read from: an Ibis backend, or the canonical tables as
    unbound tables whose SQL runs on the store's own connection (`salesperf.store.upkeep`)."""

    def table(self, name: str, /) -> ir.Table:
        """The canonical table of that name."""
        ...


@dataclass(frozen=True)
class Rollup:
    """One roll-up table: which canonical tables it is made from, its columns, and its rows for
    a range of local days (`rows(con, timezone, lo, hi, days)`: the days in [lo, hi), only
    `days` among them when given). A `growing` roll-up has no days: its rows for a range are
    some of its rows (those the range's raw rows hold), added when not stored yet, never
    deleted but by a rebuild."""

    name: str
    sources: tuple[str, ...]
    schema: ibis.Schema
    rows: Callable[[Tables, str, date, date, Sequence[date] | None], ir.Table]
    growing: bool = False


def _local_day(ts: ir.TimestampValue, tz: str, lo: date, hi: date) -> ir.DateValue:
    """The day of the organisation's local time a stored timestamp falls on."""
    return local_time(ts, tz, lo - _DAY, hi + _DAY).date()


def near(
    ts: ir.TimestampValue, lo: date, hi: date, days: Sequence[date] | None = None
) -> ir.BooleanValue:
    """A bound on the stored (UTC) value that keeps every row whose local day is in [lo, hi),
    and among `days` when given (no zone is more than a day from UTC, and a date-only value's
    day is its own), so that the engine can skip the rest before it works out local days."""
    near = (ts >= ibis.timestamp(lo - _DAY)) & (ts < ibis.timestamp(hi + _DAY))
    if days is None:
        return near
    return near & ts.date().isin(sorted({d + k * _DAY for d in days for k in (-1, 0, 1)}))


def _days(day: ir.DateValue, lo: date, hi: date, days: Sequence[date] | None) -> ir.BooleanValue:
    within = (day >= ibis.date(lo)) & (day < ibis.date(hi))
    return within & day.isin(sorted(set(days))) if days is not None else within


def _activities(con: Tables, tz: str, lo: date, hi: date, days: Sequence[date] | None) -> ir.Table:
    a = con.table("activities")
    a = a.filter(near(a.occurred_at, lo, hi, days))
    a = a.mutate(day=_local_day(a.occurred_at, tz, lo, hi))
    return a.filter(_days(a.day, lo, hi, days))


def activity_rows(
    con: Tables, tz: str, lo: date, hi: date, days: Sequence[date] | None = None
) -> ir.Table:
    """`rollup_activities` for the days asked."""
    a = _activities(con, tz, lo, hi, days)
    return a.group_by("rep_id", "day", "type", "outcome").aggregate(
        _n=a.count(),
        duration_min=a.duration_min.cast("float64").sum(),
        _n_duration=a.duration_min.count(),
    )


def account_rows(
    con: Tables, tz: str, lo: date, hi: date, days: Sequence[date] | None = None
) -> ir.Table:
    """`rollup_accounts` for the days asked."""
    a = _activities(con, tz, lo, hi, days)
    a = a.filter(a.account_id.notnull())
    return a.group_by("rep_id", "day", "type", "account_id").aggregate(_n=a.count())


def account_rep_rows(
    con: Tables, tz: str, lo: date, hi: date, days: Sequence[date] | None = None
) -> ir.Table:
    """`rollup_account_reps`: the (rep, account) pairs of the activities stored near these days
    (a day either side too: every pair is a real one, and the pairs have no day)."""
    a = con.table("activities")
    a = a.filter(near(a.occurred_at, lo, hi, days) & a.account_id.notnull())
    return a.select("rep_id", "account_id").distinct()


def deal_rows(
    con: Tables, tz: str, lo: date, hi: date, days: Sequence[date] | None = None
) -> ir.Table:
    """`rollup_deals` for the days asked: each deal once on the day it was created (`event`
    'created') and, when closed, once on the day it closed ('closed')."""
    d = con.table("deals")
    keep = ("rep_id", "status", "kind", "source", "currency", "amount")
    parts = []
    for event, ts, where in (
        ("created", d.created_at, d.created_at.notnull()),
        ("closed", d.closed_at, d.closed_at.notnull() & d.status.isin(_CLOSED)),
    ):
        e = d.filter(where & near(ts, lo, hi, days))
        e = e.select(
            *keep,
            event=ibis.literal(event),
            day=_local_day(e[ts.get_name()], tz, lo, hi),
            fx_day=fx_day(e[ts.get_name()], tz),
        )
        parts.append(e.filter(_days(e.day, lo, hi, days)))
    e = ibis.union(*parts)
    return e.group_by(
        "rep_id", "day", "event", "fx_day", "status", "kind", "source", "currency"
    ).aggregate(
        _n=e.count(),
        amount=e.amount.cast("float64").sum(),
        _n_amount=e.amount.count(),
    )


def stage_rows(
    con: Tables, tz: str, lo: date, hi: date, days: Sequence[date] | None = None
) -> ir.Table:
    """`rollup_stages` for the days asked: per deal and stage its first entry (a row with
    `next_stage` null) and, for each other stage it entered at or after that moment, a row
    with `_then` = 1; the deal's rep, kind and source are the deal's (stages of a deal that is
    not in `deals` take no part, as in the stage-conversion metric)."""
    st = con.table("deal_stages")
    # only deals with a stage entered near the days asked can have a first entry on one
    nearby = st.filter(near(st.entered_at, lo, hi, days)).select(_nid="deal_id").distinct()
    st = st.semi_join(nearby, st.deal_id == nearby._nid)
    per = st.group_by("deal_id", "stage").aggregate(
        entered_at=st.entered_at.min(), last_at=st.entered_at.max()
    )
    deals = con.table("deals").select(_did="deal_id", rep_id="rep_id", kind="kind", source="source")
    a = per.join(deals, per.deal_id == deals._did).drop("_did")
    a = a.filter(near(a.entered_at, lo, hi))
    a = a.mutate(day=_local_day(a.entered_at, tz, lo, hi))
    a = a.filter(_days(a.day, lo, hi, days))
    cols = ("rep_id", "day", "kind", "source", "stage")
    entered = a.select(*cols, next_stage=ibis.null("string"), _n=ibis.literal(1), _then=0)
    b = per.select(_bid="deal_id", _bstage="stage", _b_at="last_at")
    later = a.join(b, (a.deal_id == b._bid) & (a.stage != b._bstage) & (b._b_at >= a.entered_at))
    then = later.select(*cols, next_stage=later._bstage, _n=ibis.literal(0), _then=1)
    rows = ibis.union(entered, then)
    return rows.group_by(*cols, "next_stage").aggregate(
        _n=rows._n.sum().cast("int64"), _then=rows._then.sum().cast("int64")
    )


ACTIVITIES = "rollup_activities"
ACCOUNTS = "rollup_accounts"
DEALS = "rollup_deals"
STAGES = "rollup_stages"
ACCOUNT_REPS = "rollup_account_reps"

ROLLUPS: dict[str, Rollup] = {
    r.name: r
    for r in (
        Rollup(ACTIVITIES, ("activities",), ROLLUP_TABLES[ACTIVITIES], activity_rows),
        Rollup(ACCOUNTS, ("activities",), ROLLUP_TABLES[ACCOUNTS], account_rows),
        Rollup(DEALS, ("deals",), ROLLUP_TABLES[DEALS], deal_rows),
        Rollup(STAGES, ("deal_stages", "deals"), ROLLUP_TABLES[STAGES], stage_rows),
        Rollup(
            ACCOUNT_REPS,
            ("activities",),
            ROLLUP_TABLES[ACCOUNT_REPS],
            account_rep_rows,
            growing=True,
        ),
    )
}


def rollups_of(table: str) -> list[Rollup]:
    """The roll-ups a write to this canonical table changes."""
    return [r for r in ROLLUPS.values() if table in r.sources]


#: The stored timestamps each canonical table's roll-up days come from.
STAMPS: Mapping[str, tuple[str, ...]] = {
    "activities": ("occurred_at",),
    "deals": ("created_at", "closed_at"),
    "deal_stages": ("entered_at",),
}


def own_days(table: str, rows: ir.Table, tz: str, lo: date, hi: date) -> ir.Table:
    """The local days (one column, `day`) that rows of a canonical table fall on in its
    roll-ups, from the rows' own timestamps (`STAMPS`; empty for a table without roll-ups).
    `rows` may live on any backend (a write's staged rows)."""
    stamps = [rows[c] for c in STAMPS.get(table, ())]
    if not stamps:
        return rows.select(day=ibis.null("date")).filter(ibis.literal(False))
    parts = [rows.filter(ts.notnull()).select(day=_local_day(ts, tz, lo, hi)) for ts in stamps]
    return ibis.union(*parts, distinct=True)


def linked_days(con: Tables, deal_ids: ir.Table, tz: str, lo: date, hi: date) -> ir.Table:
    """The local days on which the stored stages of these deals (a table with `deal_id`, on the
    store's backend) were entered: a write to a deal or to one of its stages changes the
    stage roll-up on each of them (its first entries, and whether later stages followed)."""
    st = con.table("deal_stages")
    st = st.semi_join(deal_ids, st.deal_id == deal_ids.deal_id)
    return st.select(day=_local_day(st.entered_at, tz, lo, hi)).distinct()


def usable(con: BaseBackend, timezone: str) -> frozenset[str]:
    """The roll-ups a query in this time zone may read: built by this version of their
    definitions, in this zone, and kept current since (none when the store has no state)."""
    try:  # one table looked up, not the catalog listed (on Spark a listing is a query)
        state = con.table(STATE)
    except TableNotFound:  # a store from before roll-ups
        return frozenset()
    rows = state.filter((state.version == ROLLUP_VERSION) & (state.timezone == timezone)).select(
        "name"
    )
    return frozenset(str(n) for n in rows.to_pyarrow().column("name").to_pylist())
