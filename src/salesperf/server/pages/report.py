"""The weekly report as a page (`/report?team=T&week=2026-W40`) and its JSON twin: the same
self-contained document that is mailed to managers (`salesperf.server.report`).

A manager sees the report of any team in their view (default: the first team they manage); an
administrator of any team (default: the top of the tree). A rep has no report: it ranks and
names the other reps of their team.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from salesperf.analysis.report.model import (
    Report,
    ReportQuery,
    last_full_week,
    report_week,
    weekly_report,
)
from salesperf.auth.access import AccessDenied, ScopeKind
from salesperf.i18n.messages import both
from salesperf.server.deps import View
from salesperf.server.pages.alerts import viewer_alerts
from salesperf.server.pages.analysis import blank, cached, team_choices
from salesperf.server.report.render import words_json


def report_team(view: View, team: str | None) -> str:
    """The team whose report the viewer asked for (in their view), or their default one."""
    scope = view.scope
    team = blank(team)
    if scope.kind is ScopeKind.REP:
        said = scope.said()
        raise AccessDenied(
            text=both("refused.report_for_managers", lambda lang: {"scope": said.get(lang)})
        )
    if team is not None:
        scope.within_team(view.store, team)  # AccessDenied outside the view, NotFound if absent
        return team
    if scope.kind is ScopeKind.TEAMS and scope.top_teams:
        return scope.top_teams[0]
    t = view.store.table("teams")
    roots = t.filter(t.parent_team_id.isnull()).select("team_id").to_pyarrow().to_pylist()
    if not roots or not scope.everything:
        raise AccessDenied(text=scope.said())
    return str(sorted(r["team_id"] for r in roots)[0])


def report_result(view: View, team: str, week: str | None) -> Report:
    """The weekly report of `team` for `week` (default: the last full week), cached."""
    asked = blank(week)
    period = report_week(asked) if asked is not None else last_full_week(view.today)
    q = ReportQuery(team=team, week=period)
    return cached(view, ("report", q), lambda: weekly_report(view.store, q))


def report_page(view: View, team: str | None = None, week: str | None = None) -> dict[str, Any]:
    """The manager's weekly report of a team and its sub-teams: the week against target and
    last week, a leaderboard, quadrant changes, the weakest funnel step, who is consistently
    under target, stuck deals and data-quality flags. `team`: a team in the viewer's view
    (default: theirs); `week`: an ISO week such as 2026-W40 (default: the last full week)."""
    chosen = report_team(view, team)
    # with the viewer's own alerts (their switched-on rules, in their view)
    r = replace(report_result(view, chosen, week), alerts=viewer_alerts(view).alerts)
    return {
        "team": chosen,
        "week": r.week.label,
        "teams": team_choices(view),
        "report": r.to_json(),
        "words": words_json(r, view.lang, view.today),
    }
