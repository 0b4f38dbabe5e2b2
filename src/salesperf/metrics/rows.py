"""A fact's rows as a query sees them: in its range, filtered, split, and placed in periods
of the organisation's local time."""

from __future__ import annotations

from datetime import date, datetime, time

import ibis
import ibis.expr.types as ir
import pandas as pd
from ibis.backends import BaseBackend

from salesperf.fx import Tables
from salesperf.metrics.facts import Fact, Rolled
from salesperf.metrics.periods import Grain, bucket, local_time, shift, utc_instant
from salesperf.metrics.query import SPLIT_COLUMNS, Compare, Query, Split, buckets, comparison_range
from salesperf.settings import Settings

#: How many years before a query's range a row's other timestamps (`Fact.stamps`) are read in
#: the zone's own offsets; earlier ones take the offset of that year's start.
STAMP_YEARS = 10


class FactRows:
    """Reads facts' rows for queries, on one backend and in one organisation time zone, with
    deal amounts in the organisation's `currency` (or, with `to`, in that display currency)."""

    def __init__(
        self,
        con: BaseBackend,
        timezone: str = "UTC",
        currency: str = Settings.currency,
        to: str | None = None,
    ) -> None:
        self.con = con
        self.tz = timezone
        self.tables = Tables(con, currency, to, timezone)

    def can_roll(
        self, f: Fact, q: Query, used: set[str], usable: frozenset[str], only_type: str | None
    ) -> Rolled | None:
        """The first of the fact's roll-ups that can stand in for its rows in this query, for
        measures reading the fact's columns `used`: one of the `usable` roll-ups (current, in
        this time zone) that carries those columns and the query's filter and split columns,
        for a fact that spans no time (`until`) and takes no timestamp but its own."""
        dims = [d for d, _ in q.filters] + ([q.split] if q.split is not None else [])
        if f.until is not None or Split.SEGMENT in dims:  # segments: the accounts' own
            return None
        needed = set(used) - {"rep_id", "_local", "_period", "_split", "_key", f.time}
        needed |= {c for d in dims if (c := SPLIT_COLUMNS[d].get(f.name)) is not None}
        for r in f.rolled:
            if r.table not in usable or not needed <= r.columns:
                continue
            if r.rows(self.tables, only_type) is None:
                continue
            return r
        return None

    def rows(
        self,
        f: Fact,
        q: Query,
        lo: date,
        only_type: str | None,
        columns: set[str] | None = None,
    ) -> ir.Table | None:
        """The fact's rows in the query's range, filtered, with their local time and period
        (`_local`, `_period`) and split (`_split`); None when a filter or the split does not
        apply to this fact. `columns`: only these of the stored columns."""
        t = f.rows(self.tables, only_type)  # narrowed for activities:demo or a stage pair
        if columns is not None:
            t = t.select(*(c for c in t.columns if c in columns))
        t = self._narrowed(f, q, t)
        if t is None:
            return None
        t = t.filter(t[f.time].notnull())
        t = t.mutate(_local=local_time(t[f.time], self.tz, lo, q.end))
        end = ibis.timestamp(datetime.combine(q.end, time()))
        for alias, col in f.stamps:
            # a stamp may lie long before the range (a deal created a year before it closed):
            # its offset is the zone's on its own day, read over the years before the range
            since = lo if f.observed else shift(lo, Grain.YEAR, -STAMP_YEARS)
            stamp = local_time(t[col], self.tz, since, q.end)
            if f.observed:  # seen from the end of the range: what comes later is unknown
                stamp = ibis.ifelse(stamp < end, stamp, ibis.null(stamp.type()))
            t = t.mutate(**{alias: stamp})
        for alias, col in f.instants:
            t = t.mutate(**{alias: utc_instant(t[col], self.tz, lo, q.end)})
        if f.until is not None:  # a span takes part in every period it overlaps
            t = t.mutate(_until=local_time(t[f.until], self.tz, lo, q.end))
            s = self.spans(q, lo)
            t = t.join(s, (t._local < s._to) & (t._until.isnull() | (t._until >= s._from)))
            return self._of_reps(t, q)
        return self._placed(t, q, lo)

    def rolled_rows(
        self, f: Fact, r: Rolled, q: Query, lo: date, only_type: str | None
    ) -> ir.Table | None:
        """The rows of roll-up `r` standing in for the fact's in the query's range, filtered,
        split and placed in periods as `rows` places the fact's own (a row's local time is its
        day's midnight, which lies in the same range and period as each of its rows); None
        when a filter or the split does not apply to this fact. See `can_roll`."""
        t = r.rows(self.tables, only_type)
        t = None if t is None else self._narrowed(f, q, t)
        if t is None:
            return None
        return self._placed(t.mutate(_local=t.day.cast("timestamp")), q, lo, bound="day")

    def _narrowed(self, f: Fact, q: Query, t: ir.Table) -> ir.Table | None:
        """The fact's rows (or a roll-up's standing in for them) kept by the query's filters
        and given its split (`_split`); None when one does not apply to this fact."""
        for dim, value in q.filters:
            col = SPLIT_COLUMNS[dim].get(f.name)
            if col is None:
                return None
            if dim is Split.SEGMENT:
                acc = self.con.table("accounts").select(_fid="account_id", _fseg="segment")
                acc = acc.filter(acc._fseg == value)
                t = t.join(acc, t.account_id == acc._fid).drop("_fid", "_fseg")
            else:
                t = t.filter(t[col] == value)
        if q.split is not None:
            col = SPLIT_COLUMNS[q.split].get(f.name)
            if col is None:
                return None
            if q.split is Split.SEGMENT:
                acc = self.con.table("accounts").select(_aid="account_id", _split="segment")
                t = t.left_join(acc, t.account_id == acc._aid).drop("_aid")
            else:
                t = t.mutate(_split=t[col])
        return t

    def _placed(self, t: ir.Table, q: Query, lo: date, bound: str = "_local") -> ir.Table:
        """Rows with their local time (`_local`) kept in the query's range and placed in its
        periods (`_period`), of the query's reps. The range bounds the column `bound`: the
        local time, or a roll-up's local day (which the engine can skip by)."""
        col = t[bound]
        if col.type().is_date():
            start, end = ibis.date(lo), ibis.date(q.end)
        else:
            start, end = (ibis.timestamp(datetime.combine(d, time())) for d in (lo, q.end))
        t = t.filter((col >= start) & (col < end))
        if q.grain is Grain.ALL:
            t = t.mutate(_period=self.all_period(t._local, q))
        else:
            t = t.mutate(_period=bucket(t._local, q.grain, lo))
        return self._of_reps(t, q)

    @staticmethod
    def _of_reps(t: ir.Table, q: Query) -> ir.Table:
        return t.filter(t.rep_id.isin(sorted(q.reps))) if q.reps is not None else t

    def all_period(self, local: ir.TimestampValue, q: Query) -> ir.DateValue:
        """With grain ALL, the range and the comparison ranges are each one period."""
        d = local.date()
        branches = [(d >= ibis.date(q.start), ibis.date(q.start))]
        for c in q.compare:
            if c is Compare.TARGET:
                continue
            s, _ = comparison_range(q, c)
            branches.append((d >= ibis.date(s), ibis.date(s)))
        return ibis.cases(*branches, else_=ibis.null("date"))

    def spans(self, q: Query, lo: date) -> ir.Table:
        """Every period of the query (comparisons included), with its bounds in local time."""
        if q.grain is Grain.ALL:
            ranges = [(q.start, q.end)]
            ranges += [comparison_range(q, c) for c in q.compare if c is not Compare.TARGET]
        else:
            ranges = [(b, shift(b, q.grain, 1)) for b in buckets(q, lo)]
        df = pd.DataFrame(
            {
                "_period": pd.Series([a for a, _ in ranges], dtype="datetime64[us]"),
                "_from": pd.Series([a for a, _ in ranges], dtype="datetime64[us]"),
                "_to": pd.Series([b for _, b in ranges], dtype="datetime64[us]"),
            }
        )
        return ibis.memtable(df).mutate(_period=lambda x: x._period.cast("date"))
