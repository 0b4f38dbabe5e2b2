"""What the history says about a period's remaining days, as it was known on one day.

The forecast of revenue at a period's end rests on three things the store's history tells,
each read as it was on the forecast day (`as_of`), so that a forecast made for a past day sees
nothing that happened after it:

- the open pipeline then: the deals created before that day and not closed before it, each in
  the stage it had reached (its last stage entry before that day) and at its age;
- how deals in that stage and at that age fared before: weekly snapshots of the open pipeline,
  taken far enough back that the whole remaining horizon after each snapshot had passed by the
  forecast day, with which deals were won within that horizon and how many days it took;
- how new deals fared: the deals created in the year before those snapshots, which of them were
  won within the horizon of their creation and in how many days, and how many deals were
  created in the weeks just before the forecast day (the current pace).

Everything is read per rep with set-based queries, so that one reading serves the organisation
and every team and rep (the backtest forecasts them all from one reading).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import ibis
import ibis.expr.types as ir
import pandas as pd

from salesperf.fx import converted_deals
from salesperf.metrics.periods import local_time
from salesperf.schema import DealStatus
from salesperf.store import Store

#: Weekly snapshots of the open pipeline from which stage and age win rates are learnt.
SNAPSHOT_WEEKS = 52
#: Deals created in this many days (before the horizon) are the new-deal cohort.
COHORT_DAYS = 364
#: The current pace of deal creation: deals created in this many days before the forecast day.
PACE_DAYS = 91
#: Age buckets (days since a deal's creation): the lower bound of each bucket.
AGE_EDGES = (0, 15, 31, 61, 121)
AGE_LABELS = ("0-14", "15-30", "31-60", "61-120", "121+")
#: The stage of a deal without a stage entry before the day it is seen.
NO_STAGE = "(none)"
#: The kind of a deal without one.
NO_KIND = "(none)"
#: Deal size bands, as multiples of the median amount of the deals in the history: big deals
#: are often won less often, which a count-based rate would hide in the revenue.
SIZE_EDGES = (0.5, 1.0, 2.0)
SIZE_LABELS = ("<0.5x", "0.5-1x", "1-2x", "2x+")
NO_SIZE = "(no amount)"

_CLOSED = (DealStatus.WON.value, DealStatus.LOST.value)
_WON = DealStatus.WON.value


@dataclass(frozen=True)
class History:
    """The history as known on `as_of`, for a horizon of `horizon` days after it.

    Frames, each per rep (the deal's owner):
    - `cells`: rep_id, stage, age, size, rows (deal snapshots), wins (of those, won within
      the horizon), deals (distinct deals);
    - `by_snapshot`: snapshot, rep_id, stage, age, size, rows, wins: the same per snapshot;
    - `timing`: stage, days, n: days from a snapshot to the win, for wins within the horizon;
    - `pipeline`: deal_id, rep_id, stage, age, age_days, size, amount: the open pipeline on
      `as_of`;
    - `cohort`: rep_id, kind, created: deals created in the cohort's year;
    - `cohort_wins`: rep_id, kind, days, amount: those of them won within the horizon of their
      creation, and the days that took;
    - `pace`: rep_id, kind, created: deals created in the `PACE_DAYS` before `as_of`;
    - `new_by_snapshot`: snapshot, rep_id, kind, paced (deals created in the `PACE_DAYS`
      before it), won and revenue (deals created after it and won within the horizon);
    - `new_year_before`: the same at the weekly snapshots of the year before those (so that
      each snapshot has the one 52 weeks before it: how new deals fared in the same season).

    `first_created` is the day the first deal of the store was created (before `as_of`): a
    snapshot less than `pace_days` after it has no whole pace window behind it. `first_by_kind`
    is the same per deal kind: a kind that came later (renewals a year after the first wins)
    has no whole pace window behind a snapshot less than `pace_days` after its own first deal.

    A deal without a kind has kind `NO_KIND`.
    """

    as_of: date
    horizon: int
    cells: pd.DataFrame
    by_snapshot: pd.DataFrame
    timing: pd.DataFrame
    pipeline: pd.DataFrame
    cohort: pd.DataFrame
    cohort_wins: pd.DataFrame
    pace: pd.DataFrame
    new_by_snapshot: pd.DataFrame
    snapshots: int
    median_amount: float | None = None  # the deal size the size bands are multiples of
    pace_days: int = PACE_DAYS
    new_year_before: pd.DataFrame | None = None
    first_created: date | None = None  # the day the store's first deal was created
    first_by_kind: Mapping[str, date] = field(default_factory=dict)  # the same, per deal kind


def age_bucket(days: ir.IntegerValue) -> ir.StringValue:
    """The age bucket of a deal `days` old."""
    branches = [
        (days >= lo, label) for lo, label in reversed(list(zip(AGE_EDGES, AGE_LABELS, strict=True)))
    ]
    return ibis.cases(*branches, else_=AGE_LABELS[0])


def size_band(amount: ir.FloatingValue, median: float | None) -> ir.StringValue:
    """The size band of a deal of `amount` (`NO_SIZE` without an amount or a median)."""
    if not median:
        return ibis.literal(NO_SIZE)
    branches = [
        (amount < edge * median, label)
        for edge, label in zip(SIZE_EDGES, SIZE_LABELS, strict=False)
    ]
    return ibis.cases((amount.isnull(), NO_SIZE), *branches, else_=SIZE_LABELS[-1])


def _midnight(d: date) -> datetime:
    return datetime.combine(d, time())


class _Reader:
    """Deals and their stage entries in the organisation's local time."""

    def __init__(self, store: Store, as_of: date, horizon: int) -> None:
        self.con = store.con
        tz = store.settings.timezone
        # the range the snapshots and the cohort span (older stamps are read with its first
        # offset: an hour at most, on days that matter only through ages counted in days)
        lo = as_of - timedelta(days=horizon + max(COHORT_DAYS, 7 * SNAPSHOT_WEEKS) + 7)
        hi = as_of + timedelta(days=1)
        d = converted_deals(self.con, store.settings.currency, timezone=tz)
        self.deals = d.select(
            deal_id=d.deal_id,
            rep_id=d.rep_id,
            kind=d.kind.fill_null(NO_KIND),
            status=d.status,
            amount=d.amount.cast("float64"),
            created=local_time(d.created_at, tz, lo, hi),
            closed=local_time(d.closed_at, tz, lo, hi),
        )
        d = self.deals
        recent = d.filter(
            (d.created >= ibis.timestamp(_midnight(lo)))
            & (d.created < ibis.timestamp(_midnight(as_of)))
        )
        median = recent.amount.median().execute()
        self.median = None if median is None or pd.isna(median) else float(median)
        known = d.filter(d.created < ibis.timestamp(_midnight(as_of)))
        firsts = known.group_by("kind").aggregate(first=known.created.min()).to_pandas()
        self.first_by_kind = {
            str(k): pd.Timestamp(f).date()
            for k, f in zip(firsts["kind"], firsts["first"], strict=True)
            if not pd.isna(f)
        }
        self.first = min(self.first_by_kind.values(), default=None)
        st = self.con.table("deal_stages")
        self.stages = st.select(
            _sid=st.deal_id, _stage=st.stage, _entered=local_time(st.entered_at, tz, lo, hi)
        )

    def open_at(self, snaps: pd.DataFrame) -> ir.Table:
        """Each deal open at each snapshot `_s`: created before it and not closed before it,
        with its stage then (its last stage entry before the snapshot) and its age in days."""
        s = ibis.memtable(snaps)
        d = self.deals
        first, last = snaps["_s"].min(), snaps["_s"].max()
        d = d.filter(
            (d.created < ibis.timestamp(last))
            & ~(d.status.isin(_CLOSED) & (d.closed < ibis.timestamp(first)))
        )
        j = d.join(
            s,
            [d.created < s._s, ~(d.status.isin(_CLOSED) & (d.closed < s._s))],
        )
        st = self.stages
        k = j.select(_kid=j.deal_id, _ks=j._s)
        k = k.join(st, [st._sid == k._kid, st._entered < k._ks])
        k = k.mutate(
            _rank=ibis.row_number().over(
                group_by=[k._kid, k._ks], order_by=[ibis.desc(k._entered), ibis.desc(k._stage)]
            )
        )
        k = k.filter(k._rank == 0).select("_kid", "_ks", "_stage")
        j = j.left_join(k, [j.deal_id == k._kid, j._s == k._ks]).drop("_kid", "_ks")
        age = j._s.date().delta(j.created.date(), unit="day")
        return j.mutate(
            stage=j._stage.fill_null(NO_STAGE),
            age_days=age,
            age=age_bucket(age),
            size=size_band(j.amount, self.median),
        )


def read_history(store: Store, as_of: date, horizon: int) -> History:
    """The history as known on `as_of` (a local date), for `horizon` days after it."""
    if horizon < 0:
        raise ValueError("the horizon must not be negative")
    r = _Reader(store, as_of, horizon)
    t = _midnight(as_of)
    h = max(horizon, 1)
    last_snap = t - timedelta(days=h)
    points = [last_snap - timedelta(weeks=w) for w in range(SNAPSHOT_WEEKS)]
    snaps = pd.DataFrame({"_s": pd.Series(points, dtype="datetime64[us]")})
    snaps["_h"] = snaps["_s"] + pd.Timedelta(days=h)
    older = snaps - pd.Timedelta(weeks=SNAPSHOT_WEEKS)
    rows = r.open_at(snaps)
    won = (rows.status == _WON) & (rows.closed < rows._h)
    # a deal counts once per stage and age group it passes through: at the first snapshot
    # that finds it there (the distinct deals behind a group's rate)
    before = ibis.window(group_by=rows.deal_id, order_by=rows._s)
    entered = (
        (rows.stage.lag().over(before) != rows.stage)
        | (rows.age.lag().over(before) != rows.age)
        | rows.stage.lag().over(before).isnull()
    )
    rows = rows.mutate(
        _won=won.cast("int32"),
        _entered=entered.cast("int32"),
        days=ibis.ifelse(won, rows.closed.date().delta(rows._s.date(), unit="day"), None),
    )
    grouped = (
        rows.group_by(["_s", "rep_id", "stage", "age", "size", "days"])
        .aggregate(rows=rows.count(), wins=rows._won.sum(), deals=rows._entered.sum())
        .rename(snapshot="_s")
        .to_pandas()
    )
    keys = ["snapshot", "rep_id", "stage", "age", "size"]
    by_snapshot = grouped.groupby(keys, as_index=False)[["rows", "wins"]].sum()
    cells = grouped.groupby(keys[1:], as_index=False)[["rows", "wins", "deals"]].sum()
    timing = (
        grouped[grouped["days"].notna()]
        .groupby(["stage", "days"], as_index=False)["wins"]
        .sum()
        .rename(columns={"wins": "n"})
    )
    timing["days"] = timing["days"].astype(int)

    now = pd.DataFrame({"_s": pd.Series([t], dtype="datetime64[us]")})
    now["_h"] = now["_s"]
    p = r.open_at(now)
    pipeline = p.select(
        "deal_id", "rep_id", "stage", "age", "age_days", "size", "amount"
    ).to_pandas()

    d = r.deals
    c = d.filter(
        (d.created >= ibis.timestamp(last_snap - timedelta(days=COHORT_DAYS)))
        & (d.created < ibis.timestamp(last_snap))
    )
    cohort = c.group_by(["rep_id", "kind"]).aggregate(created=c.count()).to_pandas()
    cw = c.filter(c.status == _WON).mutate(days=c.closed.date().delta(c.created.date(), unit="day"))
    cw = cw.filter(cw.days < h)
    # in the deals' order, whatever order the engine hands them in: the simulation draws from
    # these rows by position, so the same store gives the same forecast on every engine
    cohort_wins = (
        cw.select("deal_id", "rep_id", "kind", "days", "amount")
        .to_pandas()
        .sort_values("deal_id", kind="stable")
        .drop(columns="deal_id")
        .reset_index(drop=True)
    )
    pc = d.filter(
        (d.created >= ibis.timestamp(t - timedelta(days=PACE_DAYS)))
        & (d.created < ibis.timestamp(t))
    )
    pace = pc.group_by(["rep_id", "kind"]).aggregate(created=pc.count()).to_pandas()
    return History(
        as_of=as_of,
        horizon=horizon,
        cells=cells,
        by_snapshot=by_snapshot,
        timing=timing,
        pipeline=pipeline,
        cohort=cohort,
        cohort_wins=cohort_wins,
        pace=pace,
        new_by_snapshot=_new_by_snapshot(r, snaps),
        snapshots=SNAPSHOT_WEEKS,
        median_amount=r.median,
        new_year_before=_new_by_snapshot(r, older),
        first_created=r.first,
        first_by_kind=r.first_by_kind,
    )


def _new_by_snapshot(r: _Reader, snaps: pd.DataFrame) -> pd.DataFrame:
    """At each snapshot: the deals created in the `PACE_DAYS` before it (the pace then), and
    the deals created after it that were won within the horizon (count and revenue), per rep
    and kind."""
    s = ibis.memtable(snaps)
    d = r.deals
    before = d.join(s, [d.created < s._s, d.created >= s._s - ibis.interval(days=PACE_DAYS)])
    keys = ["_s", "rep_id", "kind"]
    zero, none = ibis.literal(0, "int64"), ibis.literal(0.0, "float64")
    paced = before.group_by(keys).aggregate(
        paced=before.count().cast("int64"), won=zero, revenue=none
    )
    after = d.join(s, [d.created >= s._s, d.status == _WON, d.closed < s._h])
    won = after.group_by(keys).aggregate(
        paced=zero,
        won=after.count().cast("int64"),
        revenue=after.amount.sum().fill_null(0.0).cast("float64"),
    )
    both = ibis.union(paced, won)
    out = both.group_by(keys).aggregate(
        paced=both.paced.sum(), won=both.won.sum(), revenue=both.revenue.sum()
    )
    df: pd.DataFrame = out.rename(snapshot="_s").to_pandas()
    return df
