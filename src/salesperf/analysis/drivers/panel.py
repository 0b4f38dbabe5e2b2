"""The rep-week panel: per rep and ISO week, activity counts by type and deals won.

The panel is one Ibis expression over the metric layer's own queries (activities split by type,
deals won with each rep's working days), so its counts are the scorecard's counts, bucketed into
ISO weeks in the organisation's time zone by `salesperf.metrics.periods`. Every rep of the
selection gets a row for every week of the range (zeros where nothing happened), flagged with
whether the rep was active in that week (from their start date, or their first record when it is
not known, to their end date, or their last record); lagging then happens on that small,
complete grid. The range never starts before the data do: weeks before the first record hold no
information, only zeros that every rep shares.
The count model fitted to it is in `salesperf.analysis.drivers.model`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from salesperf.errors import InputError
from salesperf.metrics.compiler import Compiler
from salesperf.metrics.levels import team_closure
from salesperf.metrics.periods import Grain, Period, local_datetime, local_time, period_start
from salesperf.metrics.query import By, Query, Split
from salesperf.store import Store

#: Columns of a panel besides the activity counts (one column per type, named by the type).
PANEL_COLUMNS = ("rep_id", "week", "active", "working_days", "deals_won")
OUTCOME = "deals_won"
LEVEL = 0.95
ALPHA = 0.05  # significance level for a lag to count (after Holm's adjustment)
#: Fewer reps than this are too few clusters for cluster-robust standard errors.
MIN_CLUSTERS = 10


def full_weeks(window: Period) -> tuple[date, date]:
    """The ISO weeks lying wholly inside the window: (first Monday, Monday after the last)."""
    first = period_start(window.start, Grain.WEEK)
    if first < window.start:
        first += timedelta(weeks=1)
    end = period_start(window.end, Grain.WEEK)
    if end <= first:
        raise InputError(
            f"the window {window.label} holds no whole ISO week (Monday to Sunday); "
            "choose a longer window"
        )
    return first, end


def lag_column(activity_type: str, lag: int) -> str:
    """The name of a lagged count column: `demo@3` is the demo count three weeks earlier."""
    return f"{activity_type}@{lag}"


def team_reps(store: Store, team: str | None) -> frozenset[str] | None:
    """The reps of a team and its sub-teams (None: everyone); an unknown team is an error."""
    if team is None:
        return None
    closure = team_closure(store.con)
    teams = store.table("teams").select("team_id").to_pandas()["team_id"]
    if team not in set(teams):
        known = ", ".join(sorted(teams)[:20])
        raise InputError(f"there is no team {team!r}; the teams are: {known}")
    reps = frozenset(closure.loc[closure.team_id == team, "rep_id"])
    if not reps:
        raise InputError(f"team {team!r} has no reps")
    return reps


def check_types(store: Store, types: Sequence[str] | None) -> tuple[str, ...]:
    """The activity types to study: the given ones (each must be in the vocabulary), or all."""
    known = store.settings.activity_types
    if types is None:
        return tuple(known)
    bad = [t for t in types if t not in known]
    if bad:
        raise InputError(
            f"unknown activity type(s): {', '.join(bad)}; the types are: {', '.join(known)}"
        )
    if not types:
        raise InputError("name at least one activity type")
    return tuple(dict.fromkeys(types))


def record_days(store: Store, reps: frozenset[str] | None) -> pd.DataFrame:
    """Per rep and kind of record (`kind`: "activity" or "deal"), the local days of their first
    and last record (`first`, `last`): activities; deals created, won or lost."""
    from salesperf.metrics.facts import CLOSED

    a = store.table("activities")
    d = store.table("deals")
    closed = d.filter(d.status.isin(CLOSED) & d.closed_at.notnull())
    parts = [
        a.select("rep_id", kind=ibis.literal("activity"), at=a.occurred_at),
        d.select("rep_id", kind=ibis.literal("deal"), at=d.created_at),
        closed.select("rep_id", kind=ibis.literal("deal"), at=closed.closed_at),
    ]
    u = ibis.union(*parts)
    if reps is not None:
        u = u.filter(u.rep_id.isin(sorted(reps)))
    g = u.group_by("rep_id", "kind").aggregate(first=u.at.min(), last=u.at.max())
    df: pd.DataFrame = g.order_by(["rep_id", "kind"]).to_pandas()
    tz = store.settings.timezone
    for col in ("first", "last"):
        df[col] = [local_datetime(pd.Timestamp(v).to_pydatetime(), tz).date() for v in df[col]]
    return df


def rep_spans(days: pd.DataFrame) -> pd.DataFrame:
    """Per rep, the first and last day of any record (from `record_days`)."""
    return days.groupby("rep_id", as_index=False).agg(first=("first", "min"), last=("last", "max"))


def data_span(days: pd.DataFrame) -> tuple[date, date] | None:
    """The days on which both activities and deals are recorded (from `record_days`): from the
    later of their first days to the earlier of their last; one kind alone when the other has
    no record; None without any. Before activities are recorded a week's zero activity is not
    known to be zero, nor its zero deals before deals are."""
    if days.empty:
        return None
    kinds = days.groupby("kind").agg(first=("first", "min"), last=("last", "max"))
    return max(kinds["first"]), min(kinds["last"])


def first_whole_week(day: date) -> date:
    """The Monday of the first whole ISO week from `day` on (`day` itself when a Monday)."""
    return period_start(day + timedelta(days=6), Grain.WEEK)


def rep_week_panel(
    store: Store,
    first: date,
    end: date,
    max_lag: int,
    reps: frozenset[str] | None,
    types: Sequence[str],
) -> pd.DataFrame:
    """Every rep x ISO week from `max_lag` weeks before `first` (not before the first whole week
    of the selection's records) up to `end` (exclusive; both Mondays), with activity counts by
    type, deals won, working days, and `active`: the week overlaps the rep's active span, from
    their start date (else their first record) to their end date (else their last record).

    Weeks before `first` are there to give the window's weeks their lagged counts.
    """
    lo = first - timedelta(weeks=max_lag)
    days = rep_spans(record_days(store, reps))
    if len(days):
        lo = max(lo, min(first_whole_week(min(days["first"])), first))
    tz = store.settings.timezone
    c = Compiler(store.con, tz, currency=store.settings.currency)
    aq = Query(
        metrics=("activities",),
        start=lo,
        end=end,
        grain=Grain.WEEK,
        by=By.REP,
        split=Split.TYPE,
        reps=reps,
    )
    plan = c.plan(aq)  # by rep: the same for the deals won below
    a = c.compile(aq, plan)
    # deals won and working days per rep and week (the measures behind the metrics)
    won_q = Query(metrics=("deals_won",), start=lo, end=end, grain=Grain.WEEK, reps=reps)
    won, _ = c.measures(won_q, lo, plan)
    counts = a.group_by(_r="rep_id", _w="period_start").aggregate(
        **{t: a.activities.sum(where=a.type == t) for t in types}
    )
    weeks = pd.DataFrame({"week": pd.date_range(lo, end - timedelta(days=1), freq="7D")})
    weeks["last"] = weeks.week + pd.Timedelta(days=6)
    cal = ibis.memtable(weeks).mutate(
        week=lambda t: t.week.cast("date"), last=lambda t: t["last"].cast("date")
    )
    r = store.table("reps").select("rep_id", "start_date", "end_date")
    if reps is not None:
        r = r.filter(r.rep_id.isin(sorted(reps)))
    g = r.cross_join(cal)
    g = g.left_join(counts, [g.rep_id == counts._r, g.week == counts._w])
    g = g.left_join(won, [g.rep_id == won._key, g.week == won._period])
    filled = {t: g[t].fill_null(0).cast("int64") for t in (*types, OUTCOME, "working_days")}
    expr: ir.Table = g.select("rep_id", "week", "start_date", "end_date", "last", **filled)
    df: pd.DataFrame = expr.order_by(["rep_id", "week"]).to_pandas()
    spans = df[["rep_id"]].merge(days, on="rep_id", how="left")
    start = _days(df["start_date"]).fillna(_days(spans["first"]))
    stop = _days(df["end_date"]).fillna(_days(spans["last"]))
    df["week"] = pd.to_datetime(df["week"]).dt.date
    df["active"] = ((start <= _days(df["last"])) & (stop >= _days(df["week"]))).to_numpy(bool)
    return df.drop(columns=["start_date", "end_date", "last"])[
        ["rep_id", "week", "active", *types, OUTCOME, "working_days"]
    ]


def _days(col: pd.Series) -> pd.Series:
    """Dates (or missing) as comparable day timestamps."""
    return pd.to_datetime(pd.Series(col).astype(object), errors="raise").dt.normalize()


def lagged(
    panel: pd.DataFrame, types: Sequence[str], max_lag: int, first: date | None = None
) -> pd.DataFrame:
    """The model rows of a complete rep-week panel (consecutive weeks for each rep): each
    outcome week (from `first`, active) with its types' counts 0..max_lag weeks earlier as
    columns `type@lag`. Weeks whose lags reach before the panel's start are left out."""
    p = panel.sort_values(["rep_id", "week"], kind="stable").reset_index(drop=True)
    codes = pd.factorize(p["rep_id"])[0]
    at = np.arange(len(p))
    lags: dict[str, np.ndarray] = {}
    keep = np.ones(len(p), dtype=bool)
    for lag in range(max_lag + 1):
        src = at - lag
        ok = (src >= 0) & (codes[np.maximum(src, 0)] == codes)  # the same rep, lag weeks back
        keep &= ok
        for t in types:
            lags[lag_column(t, lag)] = p[t].to_numpy(dtype=float)[np.maximum(src, 0)]
    if "active" in p:
        keep &= p["active"].to_numpy(dtype=bool)
    if first is not None:
        keep &= (p["week"] >= first).to_numpy(dtype=bool)
    out = pd.concat([p, pd.DataFrame(lags)], axis=1)
    return out[keep].reset_index(drop=True)


def closed_deal_touches(store: Store, window: Period, reps: frozenset[str] | None) -> ir.Table:
    """Deals closed (won or lost) in the window, in local time, with `touches`: how many
    activities are linked to each (by deal_id, over the deal's life) and `won`."""
    from salesperf.metrics.facts import CLOSED
    from salesperf.schema import DealStatus

    tz = store.settings.timezone
    d = store.table("deals")
    d = d.filter(d.status.isin(CLOSED) & d.closed_at.notnull())
    if reps is not None:
        d = d.filter(d.rep_id.isin(sorted(reps)))
    closed = local_time(d.closed_at, tz, window.start, window.end)
    d = d.filter(
        (closed >= ibis.timestamp(datetime.combine(window.start, time())))
        & (closed < ibis.timestamp(datetime.combine(window.end, time())))
    )
    a = store.table("activities")
    a = a.filter(a.deal_id.notnull())
    n = a.group_by(_did=a.deal_id).aggregate(touches=a.count())
    t = d.left_join(n, d.deal_id == n._did)
    return t.select(
        "deal_id",
        touches=t.touches.fill_null(0),
        won=(t.status == DealStatus.WON.value),
    )
