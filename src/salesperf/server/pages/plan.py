"""The planning pages' data: the plan to target (its own page and the rep scorecard's section),
team health on the team page, and the revenue forecast.

As in `salesperf.server.pages.analysis`, each function returns plain data shared by the page and
its JSON twin, the numbers are the analyses' own, and results are cached until a write to
what they read. A rep plans for themself only; a manager for their teams and their reps; an administrator for
anyone, or the organisation. A plan may borrow a rate (the average deal size, say) from the
rep's team or the teams above it when the rep's own history is too thin: that is a figure of
the team as a whole, never another rep's. The forecast is of the organisation, a team, or a
rep's own revenue (what a rep is shown); its rates are learnt from the whole history.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from salesperf.analysis.forecast.core import ForecastQuery, forecast
from salesperf.analysis.health import Health, HealthQuery, health
from salesperf.analysis.plan.core import Plan, PlanQuery, check_target, plan
from salesperf.analysis.plan.rates import period_targets
from salesperf.analysis.windows import period_label
from salesperf.auth.access import AccessDenied, ScopeKind
from salesperf.errors import InputError
from salesperf.i18n.messages import both
from salesperf.metrics.periods import Grain, Period, parse_period, period_start, shift
from salesperf.metrics.query import By
from salesperf.server.deps import View
from salesperf.server.pages import data
from salesperf.server.pages.analysis import (
    blank,
    cached,
    coverage,
    period_json,
    rep_choices,
    team_choices,
)


def quarter_of(day: date, ahead: int = 0) -> Period:
    """The quarter holding `day`, or the one `ahead` quarters after it."""
    start = shift(period_start(day, Grain.QUARTER), Grain.QUARTER, ahead)
    return parse_period(period_label(start, Grain.QUARTER))


def _who(view: View, rep: str | None, team: str | None) -> tuple[str | None, str | None]:
    """The rep or team to plan for, within the viewer's view: the one asked for, else the
    organisation (administrators), the first team a manager manages, or the viewer themself."""
    scope = view.scope
    rep, team = blank(rep), blank(team)
    if rep is not None and team is not None:
        raise InputError(text=both("plan.rep_or_team"))
    if rep is not None:
        scope.require_rep(rep)
        return rep, None
    if team is not None:
        scope.within_team(view.store, team)
        return None, team
    if scope.everything:
        return None, None
    if scope.kind is ScopeKind.TEAMS and scope.top_teams:
        return None, scope.top_teams[0]
    if scope.rep_id is None:
        raise AccessDenied(text=scope.said())
    return scope.rep_id, None


def set_target(view: View, period: Period, rep: str | None, team: str | None) -> float | None:
    """The revenue target set for exactly `period` for the rep, the team or the organisation."""
    by, key = (By.REP, rep) if rep else (By.TEAM, team) if team else (By.ORG, None)
    found = period_targets(view.store, by, period)
    if key is None:
        return sum(found.values()) if found else None
    return found.get(key)


def plan_for(
    view: View,
    asked: str | None,
    period: Period,
    rep: str | None,
    team: str | None,
    *,
    refuse: bool = True,
) -> dict[str, Any]:
    """The plan of a target (the one asked for, else the one set for the period) as page
    data: the target, where it came from, and the plan (None without a target). A plan the
    data cannot support (no deal ever won, say) is refused with an InputError, or with
    `refuse=False` (a section of another page) given as `error`, in English."""
    source = "asked"
    target = check_target(asked) if blank(asked) is not None else None
    if target is None:
        target = set_target(view, period, rep, team)
        source = "set"
    result: Plan | None = None
    error = None
    if target is not None:
        q = PlanQuery(target=target, period=period, rep=rep, team=team, today=view.today)
        try:
            result = cached(view, ("plan", q), lambda: plan(view.store, q))
        except InputError as exc:
            if refuse:
                raise
            error = str(exc)
    return {
        "period": period_json(period),
        "rep": rep,
        "team": team,
        "target": target,
        "target_source": source if target is not None else None,
        "plan": result.to_json() if result else None,
        "error": error,
    }


def plan_page(
    view: View,
    target: str | None = None,
    period: str | None = None,
    rep: str | None = None,
    team: str | None = None,
) -> dict[str, Any]:
    """A revenue target's reverse funnel: the deals, opportunities and activities by type per
    week and per working day it asks, the chance of reaching it with that activity, the
    activity for an even and an 80% chance, and the current pace. `target`: default the target
    set for the period; `period`: default the current quarter; `rep` or `team` within the
    viewer's view (default: the organisation, the manager's team or the rep themself)."""
    p = parse_period(asked) if (asked := blank(period)) else quarter_of(view.today)
    who_rep, who_team = _who(view, rep, team)
    return {
        **plan_for(view, target, p, who_rep, who_team),
        "choices": {
            "periods": [quarter_of(view.today).label, quarter_of(view.today, 1).label],
            "teams": team_choices(view),
            "reps": rep_choices(view) if view.scope.kind is not ScopeKind.REP else [],
        },
    }


def rep_page(
    view: View,
    rep_id: str,
    period: str | None = None,
    target: str | None = None,
    plan_period: str | None = None,
) -> dict[str, Any]:
    """One rep's scorecard (see `salesperf.server.pages.data.rep`) with their plan to target: for the
    current quarter (or `plan_period`), of the target set for them (or `target`)."""
    out = data.rep(view, rep_id, period)
    p = parse_period(asked) if (asked := blank(plan_period)) else quarter_of(view.today)
    out["plan"] = plan_for(view, target, p, rep_id, None, refuse=False)
    periods = [quarter_of(view.today).label, quarter_of(view.today, 1).label]
    out["plan"]["periods"] = periods if p.label in periods else [*periods, p.label]
    return out


# -- team health ---------------------------------------------------------------------------
def team_health(view: View, team_id: str) -> dict[str, Any]:
    """`salesperf.analysis.health.health` of the team's subtree (cached), with only the rows
    the viewer may see."""
    q = HealthQuery(team=team_id, today=view.today)
    result: Health = cached(view, ("health", q), lambda: health(view.store, q))
    out = result.to_json()
    scope = view.scope
    rows = [
        r
        for r in out["rows"]
        if (scope.can_see_rep(r["id"]) if r["scope"] == "rep" else scope.can_see_team(r["id"]))
    ]
    for r in rows:  # a team's parent may lie outside the view
        if r["team_id"] is not None and not scope.can_see_team(r["team_id"]):
            r["team_id"] = None
    out["rows"] = rows
    return out


def team_page(view: View, team_id: str, period: str | None = None) -> dict[str, Any]:
    """One team (see `salesperf.server.pages.data.team`) with its health: attainment per quarter over
    the last four, the flag when under target in three of them, the trend, and whether the
    current activity is enough for this quarter's target, for the team, its sub-teams and
    reps."""
    out = data.team(view, team_id, period)
    out["health"] = team_health(view, team_id)
    return out


# -- the forecast --------------------------------------------------------------------------
def forecast_page(view: View, period: str | None = None, team: str | None = None) -> dict[str, Any]:
    """Where revenue won will land at the period's end: closed so far, the open pipeline and
    new deals expected, the 10th, 50th and 90th percentiles, the chance of reaching the target
    and the weekly path (the actual figure so far and the simulated fan). `period`: default
    the current quarter; `team` within the viewer's view (default: the organisation, the
    manager's team, or a rep's own revenue); `as_of` (of every page that judges "now"): the
    day the forecast is made, YYYY-MM-DD, inside the period (default: today, or the day after
    the data end when they end before today, clipped to the period)."""
    cov = coverage(view, team)
    p = parse_period(asked) if (asked := blank(period)) else quarter_of(view.today)
    rep = cov.own_rep
    chosen = view.today if view.as_of is not None and view.as_of.chosen else None
    q = ForecastQuery(p, chosen, team=None if rep else cov.team, rep=rep, today=view.today)
    result = cached(view, ("forecast", q), lambda: forecast(view.store, q))
    return {
        "team": cov.team,
        "own_only": rep is not None,
        "teams": [] if rep else team_choices(view),
        "periods": [quarter_of(view.today).label, quarter_of(view.today, 1).label],
        "forecast": result.to_json(),
    }
