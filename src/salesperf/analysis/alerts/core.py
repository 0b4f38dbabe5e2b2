"""Run the switched-on rules of a query and keep the alerts its scope may see."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from salesperf.analysis.alerts.activity import idle_deals, under_goal
from salesperf.analysis.alerts.judged import newly_busy, teams_under_target
from salesperf.analysis.alerts.model import Alert, AlertQuery, Alerts
from salesperf.analysis.alerts.rules import Rule
from salesperf.analysis.alerts.switches import rule_settings
from salesperf.auth.access import scope_for
from salesperf.auth.users import User
from salesperf.store import Store


def _people(store: Store) -> tuple[dict[str, str], dict[str, str | None], frozenset[str]]:
    """Each rep's name and team, and every team's id."""
    reps = store.table("reps").select("rep_id", "name", "team_id").to_pyarrow().to_pylist()
    teams = store.table("teams").select("team_id").to_pyarrow().to_pylist()
    names = {str(r["rep_id"]): str(r["name"] or r["rep_id"]) for r in reps}
    team = {str(r["rep_id"]): r["team_id"] for r in reps}
    return names, team, frozenset(str(t["team_id"]) for t in teams)


def find_alerts(store: Store, query: AlertQuery) -> Alerts:
    """The alerts of the query's switched-on rules, as of its day, that its scope may see: on
    reps in the scope, deals they own and teams in it."""
    names, team, all_teams = _people(store)
    scope = query.scope
    reps = frozenset(r for r in names if scope.can_see_rep(r))
    teams = frozenset(t for t in all_teams if scope.can_see_team(t))
    day = query.day
    runs: dict[Rule, Callable[[int], list[Alert]]] = {
        Rule.UNDER_ACTIVITY_GOAL: lambda n: under_goal(store, day, n, reps, names, team),
        Rule.IDLE_DEAL: lambda n: idle_deals(store, day, n, reps, names, team),
        Rule.TEAM_UNDER_TARGET: lambda n: teams_under_target(store, day, n, teams),
        Rule.NEWLY_BUSY: lambda n: newly_busy(store, day, n, reps),
    }
    found: list[Alert] = []
    for setting in query.switched_on:
        found += runs[setting.rule](setting.n)
    return Alerts(day, query.rules, tuple(found))


def alerts_for_user(store: Store, user: User, day: date) -> Alerts:
    """A user's current alerts: their switched-on rules, inside what they may see
    (`salesperf.auth.access.scope_for`), judged as of `day` (see `salesperf.analysis.asof`)."""
    query = AlertQuery(scope_for(store, user), day, rule_settings(store, user.username))
    return find_alerts(store, query)
