"""The rules on activity: a rep under their activity goal for N working days in a row, and an
open deal with no activity for N days.

A rep's activity goal for a day is their `activities` target for that day, by the one rule of
`salesperf.metrics.targets` (a monthly target spread over its Monday-to-Friday days); the days
judged are the rep's working days (`salesperf.metrics.measuring.working_day_grid`: Monday to
Friday within their employment, less their recorded absences), and a day's activities are the
metric layer's `activities`. A day without a goal is not judged and ends a run. Both rules judge
the days before the as-of day: that day itself is not over yet.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import ibis
import pandas as pd

from salesperf.analysis.alerts import text
from salesperf.analysis.alerts.model import Alert, Concerns
from salesperf.analysis.alerts.rules import Rule
from salesperf.analysis.windows import period_label
from salesperf.metrics.compiler import run
from salesperf.metrics.measuring import working_day_grid
from salesperf.metrics.periods import Grain, local_time, period_start, shift
from salesperf.metrics.query import By, Query
from salesperf.metrics.rows import STAMP_YEARS
from salesperf.metrics.targets import target_table
from salesperf.schema import DealStatus
from salesperf.store import Store

GOAL_METRIC = "activities"  # the target that sets a rep's activity goal


def _month(day: date) -> str:
    """The label of the month of `day` (the period a link keeps)."""
    return period_label(period_start(day, Grain.MONTH), Grain.MONTH)


def lookback(day: date, n: int) -> date:
    """The first day read for a run of `n` working days before `day`: room for the weekends
    and a few weeks of absence."""
    return day - timedelta(days=(n * 7) // 5 + 35)


def daily_goals(
    store: Store, lo: date, day: date, reps: frozenset[str]
) -> dict[tuple[str, date], float]:
    """Each rep's activity goal per day from `lo` to the day before `day` (days with one)."""
    q = Query((GOAL_METRIC,), lo, day, grain=Grain.DAY, by=By.REP, reps=reps)
    df = target_table(store.con, q, [GOAL_METRIC]).to_pandas()
    col = f"{GOAL_METRIC}_target"
    return {
        (str(k), pd.Timestamp(p).date()): float(v)
        for k, p, v in zip(df._tk, df._p, df[col], strict=True)
        if str(k) in reps and v is not None and v == v
    }


def daily_activities(
    store: Store, lo: date, day: date, reps: frozenset[str]
) -> dict[tuple[str, date], float]:
    """Each rep's activities per day from `lo` to the day before `day` (the metric layer's)."""
    q = Query(("activities",), lo, day, grain=Grain.DAY, by=By.REP, reps=reps)
    df = run(store.con, q, store.settings.timezone, store.settings.currency)
    return {
        (str(r), pd.Timestamp(p).date()): float(v)
        for r, p, v in zip(df.rep_id, df.period_start, df.activities, strict=True)
        if v is not None and v == v
    }


def under_goal(
    store: Store, day: date, n: int, reps: frozenset[str], names: dict[str, str],
    teams: dict[str, str | None],
) -> list[Alert]:  # fmt: skip
    """Reps whose last `n` (or more) working days before `day` were each under their goal."""
    if not reps:
        return []
    lo = lookback(day, n)
    grid = working_day_grid(store.con, lo, day, reps).to_pandas()
    goals = daily_goals(store, lo, day, reps)
    done = daily_activities(store, lo, day, reps)
    out = []
    for rep, rows in grid.groupby("rep_id", sort=True):
        rep = str(rep)
        run_days: list[tuple[date, float, float]] = []
        for d in sorted((pd.Timestamp(x).date() for x in rows.date), reverse=True):
            goal = goals.get((rep, d))
            actual = done.get((rep, d), 0.0)
            if goal is None or goal <= 0 or actual >= goal:
                break
            run_days.append((d, actual, goal))
        if len(run_days) < n:
            continue
        since, last = run_days[-1][0], run_days[0][0]
        actual, goal = sum(x[1] for x in run_days), sum(x[2] for x in run_days)
        figures: dict[str, Any] = {
            "days": len(run_days), "since": since, "last": last, "activities": actual,
            "goal": round(goal, 2), "days_judged": [x[0] for x in reversed(run_days)],
        }  # fmt: skip
        name = names.get(rep, rep)
        out.append(Alert(
            Rule.UNDER_ACTIVITY_GOAL, Concerns.REP, rep, name, rep, teams.get(rep), figures,
            f"/reps/{rep}?period={_month(last)}", text.under_goal(name, len(run_days), since, actual, goal),
        ))  # fmt: skip
    out.sort(key=lambda a: (-int(a.figures["days"]), a.id))
    return out


def idle_deals(
    store: Store, day: date, n: int, reps: frozenset[str], names: dict[str, str],
    teams: dict[str, str | None],
) -> list[Alert]:  # fmt: skip
    """Deals open on `day` whose last activity (else their creation) lies `n` or more days
    before it."""
    if not reps:
        return []
    tz = store.settings.timezone
    # the zone's offsets over the years a stored stamp may lie in, as the metrics read them
    lo, hi = shift(day, Grain.YEAR, -STAMP_YEARS), shift(day, Grain.YEAR, STAMP_YEARS)
    cut = ibis.date(day)
    d = store.table("deals").select("deal_id", "rep_id", "status", "created_at", "closed_at",
                                    "amount", "currency")  # fmt: skip
    d = d.filter(d.rep_id.isin(sorted(reps)))
    d = d.mutate(_created=local_time(d.created_at, tz, lo, hi).date(),
                 _closed=local_time(d.closed_at, tz, lo, hi).date())  # fmt: skip
    still_open = (d.status == DealStatus.OPEN.value) | (d._closed >= cut)
    d = d.filter((d._created < cut) & still_open)
    a = store.table("activities").select("deal_id", "occurred_at")
    a = a.filter(a.deal_id.notnull()).mutate(_day=local_time(a.occurred_at, tz, lo, hi).date())
    a = a.filter(a._day < cut).group_by("deal_id").aggregate(_last=lambda x: x._day.max())
    j = d.left_join(a, d.deal_id == a.deal_id)
    df = j.select(d.deal_id, d.rep_id, d._created, d.amount, d.currency, a._last).to_pandas()
    out = []
    for deal, rep, created, amount, currency, last in df.itertuples(index=False):
        made = pd.Timestamp(created).date()
        seen = None if last is None or pd.isna(last) else pd.Timestamp(last).date()
        days = (day - (seen or made)).days
        if days < n:
            continue
        owner = names.get(str(rep), str(rep))
        figures: dict[str, Any] = {
            "days": days, "last_activity": seen, "created": made,
            "amount": None if amount is None or pd.isna(amount) else float(amount),
            "currency": currency if isinstance(currency, str) else store.settings.currency,
        }  # fmt: skip
        out.append(Alert(
            Rule.IDLE_DEAL, Concerns.DEAL, str(deal), str(deal), str(rep), teams.get(str(rep)),
            figures, f"/reps/{rep}?period={_month(day - timedelta(days=1))}",
            text.idle_deal(str(deal), owner, days, seen, made),
        ))  # fmt: skip
    out.sort(key=lambda a: (-int(a.figures["days"]), a.id))
    return out
