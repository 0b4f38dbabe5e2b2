"""Data-quality flags: where a period's figures rest on data that is missing or stale.

A figure is only as good as what was logged. For a period and a scope (everyone, a team and
the teams below it, or one rep) this finds, per rep:

- `silent_days`: working days (Monday to Friday within the rep's employment, less recorded
  absences: the working days of `activities_per_day`) up to the day judged with no activity
  logged at all; flagged from `min_silent` such days;
- `no_outcome`: calls and meetings without an outcome (the connect and held rates cannot count
  them);
- `no_amount`: deals won in the period without an amount (revenue, average deal size and
  attainment leave them out), and open deals without one (the forecast fills them in);
- `no_stages`: deals created in the period with no stage history (stage conversion cannot see
  them);
- `overdue`: open deals whose expected close (an open deal's `closed_at`) lies before the day
  judged;
- `few_calls` and `few_closed`: a connect rate resting on fewer than `min_rows` calls with an
  outcome, a win rate on fewer than `min_rows` closed deals: shown, but not to be read alone.

Each finding names the figures it touches (`AFFECTS`), so a page can mark them and say why.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

import ibis
import ibis.expr.types as ir
import pandas as pd

from salesperf.analysis.health import _scope
from salesperf.errors import InputError
from salesperf.metrics.measuring import working_day_grid
from salesperf.metrics.periods import Grain, Period, day_bound, local_time, shift
from salesperf.metrics.prepared import arrow, prepare
from salesperf.metrics.rows import STAMP_YEARS
from salesperf.store import Store, rollups
from salesperf.store.reads import windowed

#: Silent working days that make a flag, and the fewest cases a rate should rest on.
MIN_SILENT = 3
MIN_ROWS = 20
_DAY = timedelta(days=1)
_FEW = 5  # examples kept per finding
_ROLLED = "rollup_activities"


class Flag(StrEnum):
    """What is wrong with the data."""

    SILENT_DAYS = "silent_days"
    NO_OUTCOME = "no_outcome"
    NO_AMOUNT = "no_amount"
    NO_STAGES = "no_stages"
    OVERDUE = "overdue"
    FEW_CALLS = "few_calls"
    FEW_CLOSED = "few_closed"


#: The figures each flag touches (metric names of the registry, and the forecast).
AFFECTS: dict[Flag, tuple[str, ...]] = {
    Flag.SILENT_DAYS: ("activities", "activities_per_day"),
    Flag.NO_OUTCOME: ("call_connect_rate", "meetings_held_rate"),
    Flag.NO_AMOUNT: ("revenue_won", "avg_deal_size", "quota_attainment", "forecast"),
    Flag.NO_STAGES: ("stage_conversion",),
    Flag.OVERDUE: ("forecast",),
    Flag.FEW_CALLS: ("call_connect_rate",),
    Flag.FEW_CLOSED: ("win_rate",),
}


@dataclass(frozen=True)
class QualityQuery:
    """Whose data (a team and its sub-teams, one rep, or everyone), over which period, judged
    as of which day (default: the period's end, or today when that is earlier)."""

    period: Period
    team: str | None = None
    rep: str | None = None
    as_of: date | None = None
    min_silent: int = MIN_SILENT
    min_rows: int = MIN_ROWS
    reps: frozenset[str] | None = None  # only these (a viewer's scope); None: no limit


@dataclass(frozen=True)
class Finding:
    """One flag for one rep: how many rows are at fault out of how many (`total`: the working
    days, the calls and meetings, the deals; for `few_calls` and `few_closed` the cases the rate
    rests on out of the `min_rows` it should), and a few of them (days or ids) to look at."""

    flag: Flag
    rep_id: str
    count: int
    total: int
    examples: tuple[str, ...]

    @property
    def affects(self) -> tuple[str, ...]:
        """The figures this finding touches."""
        return AFFECTS[self.flag]


@dataclass(frozen=True)
class Quality:
    """The findings for a scope and period, rep by rep."""

    period: Period
    as_of: date
    reps: tuple[str, ...]
    findings: tuple[Finding, ...]

    def to_json(self) -> dict[str, Any]:
        """The findings as plain data (each with the figures it touches)."""
        return {
            "period": {"label": self.period.label, "start": self.period.start.isoformat(),
                       "end": (self.period.end - _DAY).isoformat()},
            "day": self.as_of.isoformat(),  # the day judged
            "reps": list(self.reps),
            "findings": [
                {"flag": f.flag.value, "rep_id": f.rep_id, "count": f.count, "total": f.total,
                 "examples": list(f.examples), "affects": list(f.affects)}
                for f in self.findings
            ],
        }  # fmt: skip

    def about(self, metric: str, rep_id: str | None = None) -> tuple[Finding, ...]:
        """The findings that touch a figure (of one rep, or of anyone in the scope)."""
        return tuple(
            f
            for f in self.findings
            if metric in f.affects and (rep_id is None or f.rep_id == rep_id)
        )


def quality(store: Store, query: QualityQuery) -> Quality:
    """Every flag for every rep in the scope (see the module)."""
    if query.min_silent < 1 or query.min_rows < 1:
        raise InputError("the thresholds of the data-quality flags must be 1 or more")
    if query.team is not None and query.rep is not None:
        raise InputError("give a team or a rep, not both")
    p = query.period
    as_of = min(query.as_of or p.end, p.end)
    _, reps = _scope(store, query.team)
    if query.rep is not None:
        if query.rep not in reps:
            raise InputError(f"there is no rep {query.rep!r}")
        reps = frozenset({query.rep})
    if query.reps is not None:
        reps &= query.reps
    tz = store.settings.timezone
    rolled = _ROLLED in rollups.usable(store.con, tz)
    with windowed(day_bound(p.end, tz)):  # activities are counted within the period only
        found = [
            *_silent(store, p, as_of, reps, tz, query.min_silent, rolled),
            *_activities(store, p, reps, tz, query.min_rows, rolled),
            *_deals(store, p, as_of, reps, tz, query.min_rows),
        ]
    found.sort(key=lambda f: (f.rep_id, list(Flag).index(f.flag)))
    return Quality(p, as_of, tuple(sorted(reps)), tuple(found))


def _local_day(t: ibis.Table, column: str, tz: str, p: Period) -> ibis.Table:
    # the zone's offsets over the years a stored stamp may lie in (an old open deal, a far
    # expected close), as the metrics read them: outside them a stamp would take the nearest
    # offset and could fall on the next or previous day
    lo, hi = shift(p.start, Grain.YEAR, -STAMP_YEARS), shift(p.end, Grain.YEAR, STAMP_YEARS)
    return t.mutate(_day=local_time(t[column], tz, lo, hi).date())


def _count(cond: ir.BooleanValue) -> ir.IntegerValue:
    """How many rows meet `cond` (a row where it is null does not)."""
    return cond.ifelse(1, 0).sum()


def _run(store: Store, key: tuple[Hashable, ...], build: Callable[[], ir.Table]) -> pd.DataFrame:
    """A query's rows, its expression built and its SQL generated once per shape (`key`:
    everything `build` reads but the data)."""
    df: pd.DataFrame = arrow(store.con, prepare(store.con, ("quality", *key), build)).to_pandas()
    return df


def _first(rows: ir.Table, by: Sequence[str], column: str) -> ir.Table:
    """The first few values of `column` (as text, in order) for each group of `by`, chosen by
    the engine rather than fetching every faulty row."""
    v = rows.select(*by, _v=rows[column].cast("string"))
    v = v.mutate(_i=ibis.row_number().over(group_by=[v[c] for c in by], order_by=v._v))
    return v.filter(v._i < _FEW).drop("_i")


def _gathered(df: pd.DataFrame) -> dict[tuple[str, ...], tuple[str, ...]]:
    """`_first`'s rows as the examples of each group."""
    out: dict[tuple[str, ...], list[str]] = {}
    for *key, value in df.itertuples(index=False, name=None):
        out.setdefault(tuple(str(k) for k in key), []).append(str(value))
    return {k: tuple(sorted(xs)[:_FEW]) for k, xs in out.items()}


def _silent(
    store: Store, p: Period, as_of: date, reps: frozenset[str], tz: str, least: int, rolled: bool
) -> list[Finding]:
    """Working days (`working_day_grid`: as `activities_per_day` counts them) with no activity:
    the days a rep logged anything read from the activities' roll-up when it is current."""

    def marked() -> ir.Table:  # each working day, and whether nothing was logged on it
        grid = working_day_grid(store.con, p.start, as_of, reps)
        if rolled:
            r = store.table(_ROLLED)
            r = r.filter(r.rep_id.isin(sorted(reps)) & (r.day >= p.start) & (r.day < as_of))
            logged = r.select("rep_id", _logged="day").distinct()
        else:
            a = store.table("activities").select("rep_id", "occurred_at")
            a = a.filter(a.rep_id.isin(sorted(reps)) & rollups.near(a.occurred_at, p.start, as_of))
            a = _local_day(a, "occurred_at", tz, p)
            a = a.filter((a._day >= p.start) & (a._day < as_of))
            logged = a.select("rep_id", _logged="_day").distinct()
        g = grid.left_join(logged, [grid.rep_id == logged.rep_id, grid.date == logged._logged])
        return g.select(grid.rep_id, grid.date, _silent=logged._logged.isnull())

    def per() -> ir.Table:
        g = marked()
        counts = g.group_by("rep_id").aggregate(_working=g.count(), _n=_count(g._silent))
        return counts.filter(counts._n >= least)

    def days(flagged: list[str]) -> ir.Table:
        g = marked()
        g = g.filter(g._silent & g.rep_id.isin(flagged))
        return _first(g.mutate(date=g.date.cast("string")), ["rep_id"], "date")

    key = ("silent", p, as_of, reps, tz, rolled)
    counts = _run(store, (*key, least), per)
    if not len(counts):
        return []
    flagged = sorted(str(r) for r in counts.rep_id)
    seen = _gathered(_run(store, (*key, tuple(flagged)), lambda: days(flagged)))
    return [
        Finding(Flag.SILENT_DAYS, str(rep), int(n), int(working), seen.get((str(rep),), ()))
        for rep, working, n in counts[["rep_id", "_working", "_n"]].itertuples(index=False)
    ]


def _activities(
    store: Store, p: Period, reps: frozenset[str], tz: str, least: int, rolled: bool
) -> list[Finding]:
    """Calls and meetings without an outcome, and connect rates on few calls: counted from the
    activities' roll-up when it is current, the examples from the activities themselves."""

    def per() -> ir.Table:
        if rolled:
            r = store.table(_ROLLED)
            r = r.filter(
                r.rep_id.isin(sorted(reps))
                & r.type.isin(["call", "meeting"])
                & (r.day >= p.start)
                & (r.day < p.end)
            )
        else:
            r = _calls_and_meetings(store, p, reps, tz).mutate(_n=ibis.literal(1))
        return r.group_by("rep_id").aggregate(
            _total=r._n.sum(),
            _missing=r.outcome.isnull().ifelse(r._n, 0).sum(),
            _judged=((r.type == "call") & r.outcome.notnull()).ifelse(r._n, 0).sum(),
        )

    def ids(missing: list[str]) -> ir.Table:
        a = _calls_and_meetings(store, p, frozenset(missing), tz)
        return _first(a.filter(a.outcome.isnull()), ["rep_id"], "activity_id")

    counts = _run(store, ("activities", p, reps, tz, rolled), per)
    missing = sorted(str(x) for x in counts.rep_id[counts._missing > 0])
    seen: dict[tuple[str, ...], tuple[str, ...]] = {}
    if missing:
        key = ("no_outcome", p, tz, tuple(missing))
        seen = _gathered(_run(store, key, lambda: ids(missing)))
    out = []
    for rep, total, gone, judged in sorted(
        counts[["rep_id", "_total", "_missing", "_judged"]].itertuples(index=False)
    ):
        if gone:
            out.append(Finding(Flag.NO_OUTCOME, str(rep), int(gone), int(total), seen[(str(rep),)]))
        if 0 < judged < least:
            out.append(Finding(Flag.FEW_CALLS, str(rep), int(judged), least, ()))
    return out


def _calls_and_meetings(store: Store, p: Period, reps: frozenset[str], tz: str) -> ir.Table:
    a = store.table("activities").select("activity_id", "rep_id", "type", "outcome", "occurred_at")
    a = a.filter(
        a.rep_id.isin(sorted(reps))
        & a.type.isin(["call", "meeting"])
        & rollups.near(a.occurred_at, p.start, p.end)
    )
    a = _local_day(a, "occurred_at", tz, p)
    return a.filter((a._day >= p.start) & (a._day < p.end)).drop("_day", "occurred_at")


#: Deals at fault, by the flag they raise, and the deals each is counted out of.
_DEAL_FAULTS = (
    ("_no_amount", Flag.NO_AMOUNT, "_unpriced"),
    ("_no_stages", Flag.NO_STAGES, "_created"),
    ("_late", Flag.OVERDUE, "_open"),
)


def _judged_deals(store: Store, p: Period, as_of: date, reps: frozenset[str], tz: str) -> ir.Table:
    """Each deal of the reps, with what it counts for and whether it is at fault."""
    d = store.table("deals").select(
        "deal_id", "rep_id", "status", "amount", "created_at", "closed_at"
    )
    # only an open deal, or one created or closed near the period, can count for anything
    d = d.filter(
        d.rep_id.isin(sorted(reps))
        & (
            (d.status == "open")
            | rollups.near(d.created_at, p.start, p.end)
            | rollups.near(d.closed_at, p.start, p.end)
        )
    )
    d = _local_day(d, "created_at", tz, p).rename(_created="_day")
    d = _local_day(d, "closed_at", tz, p).rename(_closed="_day")
    staged = store.table("deal_stages").select("deal_id").distinct()
    d = d.mutate(_staged=d.deal_id.isin(staged.deal_id))
    within = (d._closed >= p.start) & (d._closed < p.end)
    open_ = (d.status == "open") & (d._created < as_of)
    created = (d._created >= p.start) & (d._created < p.end)
    unpriced = ((d.status == "won") & within) | open_  # won in the period, or open
    return d.select(
        "deal_id",
        "rep_id",
        _unpriced=unpriced,
        _closed=d.status.isin(["won", "lost"]) & within,
        _open=open_,
        _created=created,
        _no_amount=unpriced & d.amount.isnull(),
        _no_stages=created & ~d._staged,
        _late=open_ & d._closed.notnull() & (d._closed < as_of),
    )


def _deals(
    store: Store, p: Period, as_of: date, reps: frozenset[str], tz: str, least: int
) -> list[Finding]:
    def per() -> ir.Table:
        d = _judged_deals(store, p, as_of, reps, tz)
        return d.group_by("rep_id").aggregate(
            **{c: _count(d[c]) for c in d.columns if c not in ("deal_id", "rep_id")}
        )

    def ids() -> ir.Table:
        d = _judged_deals(store, p, as_of, reps, tz)
        rows = [d.filter(d[c]).select("rep_id", "deal_id", _flag=ibis.literal(c))
                for c, _, _ in _DEAL_FAULTS]  # fmt: skip
        return _first(ibis.union(*rows), ["rep_id", "_flag"], "deal_id")

    key = ("deals", p, as_of, reps, tz)
    counts = _run(store, key, per)
    seen: dict[tuple[str, ...], tuple[str, ...]] = {}
    if any((counts[c] > 0).any() for c, _, _ in _DEAL_FAULTS):
        seen = _gathered(_run(store, (*key, "ids"), ids))
    out = []
    for row in sorted(counts.to_dict("records"), key=lambda r: str(r["rep_id"])):
        rep = str(row["rep_id"])
        for c, flag, total in _DEAL_FAULTS:
            if n := int(row[c]):
                out.append(Finding(flag, rep, n, int(row[total]), seen[(rep, c)]))
        if 0 < row["_closed"] < least:
            out.append(Finding(Flag.FEW_CLOSED, rep, int(row["_closed"]), least, ()))
    return out
