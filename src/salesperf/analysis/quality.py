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

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

import ibis
import pandas as pd

from salesperf.analysis.health import _scope
from salesperf.errors import InputError
from salesperf.metrics.measuring import working_day_grid
from salesperf.metrics.periods import Grain, Period, local_time, shift
from salesperf.metrics.rows import STAMP_YEARS
from salesperf.store import Store

#: Silent working days that make a flag, and the fewest cases a rate should rest on.
MIN_SILENT = 3
MIN_ROWS = 20
_DAY = timedelta(days=1)


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
    found = [
        *_silent(store, p, as_of, reps, tz, query.min_silent),
        *_activities(store, p, reps, tz, query.min_rows),
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


def _few(examples: pd.Series) -> tuple[str, ...]:
    return tuple(str(x) for x in sorted(examples.astype(str))[:5])


def _silent(
    store: Store, p: Period, as_of: date, reps: frozenset[str], tz: str, least: int
) -> list[Finding]:
    """Working days (`working_day_grid`: as `activities_per_day` counts them) with no activity."""
    grid = working_day_grid(store.con, p.start, as_of, reps).to_pandas()
    a = store.table("activities").select("rep_id", "occurred_at")
    a = a.filter(a.rep_id.isin(sorted(reps)))
    a = _local_day(a, "occurred_at", tz, p)
    a = a.filter((a._day >= p.start) & (a._day < as_of))
    logged = a.select("rep_id", "_day").distinct().to_pandas()
    active = {
        (str(r), pd.Timestamp(d).date()) for r, d in zip(logged.rep_id, logged._day, strict=True)
    }
    out = []
    for rep, rows in grid.groupby("rep_id", sort=True):
        working = sorted(pd.Timestamp(d).date() for d in rows.date)
        silent = [d for d in working if (str(rep), d) not in active]
        if len(silent) >= least:
            out.append(Finding(Flag.SILENT_DAYS, str(rep), len(silent), len(working),
                               tuple(d.isoformat() for d in silent[:5])))  # fmt: skip
    return out


def _activities(
    store: Store, p: Period, reps: frozenset[str], tz: str, least: int
) -> list[Finding]:
    a = store.table("activities").select("activity_id", "rep_id", "type", "outcome", "occurred_at")
    a = a.filter(a.rep_id.isin(sorted(reps)) & a.type.isin(["call", "meeting"]))
    a = _local_day(a, "occurred_at", tz, p)
    a = a.filter((a._day >= p.start) & (a._day < p.end)).drop("_day", "occurred_at")
    df = a.to_pandas()
    out = []
    for rep, rows in df.groupby("rep_id", sort=True):
        missing = rows[rows.outcome.isna()]
        if len(missing):
            out.append(
                Finding(
                    Flag.NO_OUTCOME, str(rep), len(missing), len(rows), _few(missing.activity_id)
                )
            )
        calls = rows[rows.type == "call"]
        judged = int(calls.outcome.notna().sum())
        if 0 < judged < least:
            out.append(Finding(Flag.FEW_CALLS, str(rep), judged, least, ()))
    return out


def _deals(
    store: Store, p: Period, as_of: date, reps: frozenset[str], tz: str, least: int
) -> list[Finding]:
    d = store.table("deals").select(
        "deal_id", "rep_id", "status", "amount", "created_at", "closed_at"
    )
    d = d.filter(d.rep_id.isin(sorted(reps)))
    d = _local_day(d, "created_at", tz, p).rename(_created="_day")
    d = _local_day(d, "closed_at", tz, p).rename(_closed="_day")
    staged = store.table("deal_stages").select("deal_id").distinct()
    d = d.mutate(_staged=d.deal_id.isin(staged.deal_id))
    df = d.drop("created_at", "closed_at").to_pandas()
    for c in ("_created", "_closed"):
        df[c] = pd.to_datetime(df[c]).dt.date
    within = (df._closed >= p.start) & (df._closed < p.end)
    won = df[(df.status == "won") & within]
    closed = df[df.status.isin(["won", "lost"]) & within]
    open_ = df[(df.status == "open") & (df._created < as_of)]
    created = df[(df._created >= p.start) & (df._created < p.end)]
    out = []
    for rep in sorted(set(df.rep_id.astype(str))):
        mine = {
            name: f[f.rep_id == rep]
            for name, f in (("won", won), ("closed", closed), ("open", open_), ("created", created))
        }
        unpriced = pd.concat([mine["won"], mine["open"]])
        no_amount = unpriced[unpriced.amount.isna()]
        if len(no_amount):
            out.append(
                Finding(Flag.NO_AMOUNT, rep, len(no_amount), len(unpriced), _few(no_amount.deal_id))
            )
        no_stages = mine["created"][~mine["created"]._staged.astype(bool)]
        if len(no_stages):
            out.append(
                Finding(
                    Flag.NO_STAGES,
                    rep,
                    len(no_stages),
                    len(mine["created"]),
                    _few(no_stages.deal_id),
                )
            )
        late = mine["open"][mine["open"]._closed.notna() & (mine["open"]._closed < as_of)]
        if len(late):
            out.append(Finding(Flag.OVERDUE, rep, len(late), len(mine["open"]), _few(late.deal_id)))
        if 0 < len(mine["closed"]) < least:
            out.append(Finding(Flag.FEW_CLOSED, rep, len(mine["closed"]), least, ()))
    return out
