"""The manager's weekly report: what a team (and its sub-teams) did in one ISO week.

Every figure comes from an existing analysis, never from a formula of its own:

- the week against target and against the week before: the scorecard (`salesperf.scorecard`)
  of the context's headline metrics and activities, per team of the subtree;
- a leaderboard of the reps: the scorecard per rep, ranked by the context's first headline
  performance metric, with activities beside it;
- who changed quadrant: the quadrant (`salesperf.analysis.quadrant.model.diagnose`) over the
  `quadrant_weeks` full weeks ending with this week, against the same run ending with last week;
- the weakest funnel step: the team's stage conversion (the metric layer's `stage_conversion`)
  over that run of weeks, and where each labelled rep's conversion breaks;
- teams and reps consistently under target: `salesperf.analysis.health`, judged at the end of
  the week;
- stuck deals: `salesperf.analysis.report.stuck`;
- the data-quality flags of the week: `salesperf.analysis.quality`.

The result is plain data; `salesperf.analysis.report.text` gives it words. Alerts
(`Report.alerts`) are filled in by the alert rules when they are plugged in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from salesperf.analysis.health import Health, HealthQuery, _scope, health
from salesperf.analysis.quadrant.breaks import pipeline_steps, stage_metric
from salesperf.analysis.quadrant.model import DiagnoseQuery, Diagnosis, diagnose
from salesperf.analysis.quality import Finding, QualityQuery, quality
from salesperf.analysis.report.stuck import STUCK_DAYS, StuckDeal, stuck_deals
from salesperf.analysis.vocab import Label
from salesperf.analysis.windows import plain, resolve_window
from salesperf.contexts import Context, get_context
from salesperf.errors import InputError
from salesperf.metrics.compiler import NULL_REASON, run, run_measures
from salesperf.metrics.periods import Grain, Period, day_bound, parse_period
from salesperf.metrics.query import By, Query
from salesperf.metrics.registry import Group, metric, reason_json
from salesperf.scorecard import Cell, scorecards
from salesperf.store import Store
from salesperf.store.reads import windowed

#: The run of full weeks the quadrant and the funnel are judged over: a quarter.
QUADRANT_WEEKS = 13


@dataclass(frozen=True)
class ReportQuery:
    """Whose report (a team id: that team and its sub-teams) for which ISO week (`2026-W40`),
    with the days after which an open deal is stuck, the weeks the quadrant is judged over,
    and how health judges a team or rep consistently under target."""

    team: str
    week: str | Period
    stuck_days: int = STUCK_DAYS
    quadrant_weeks: int = QUADRANT_WEEKS
    health_grain: Grain = Grain.QUARTER
    health_periods: int = 4
    health_min_missed: int = 3


@dataclass(frozen=True)
class Figure:
    """One metric of one team in the week: the scorecard's cell (value, last week's value,
    target and attainment where a target exists)."""

    metric: str
    unit: str
    cell: Cell


@dataclass(frozen=True)
class TeamWeek:
    """A team's headline figures in the week."""

    team_id: str
    name: str
    parent: str | None
    figures: tuple[Figure, ...]

    def figure(self, name: str) -> Figure | None:
        """The figure of metric `name`, or None."""
        return next((f for f in self.figures if f.metric == name), None)


@dataclass(frozen=True)
class Leader:
    """One rep on the leaderboard: rank (1 first; None without a figure), the ranking metric's
    cell and the activities' cell."""

    rank: int | None
    rep_id: str
    name: str
    team_id: str
    value: Cell
    activities: Cell


@dataclass(frozen=True)
class QuadrantChange:
    """A rep whose quadrant label at the end of this week differs from last week's (None: not
    judged then, having no activity or closed deal in that run of weeks)."""

    rep_id: str
    name: str
    before: Label | None
    after: Label | None


@dataclass(frozen=True)
class FunnelStep:
    """One step of the team's pipeline: deals entering `source` and how many reached `target`."""

    source: str
    target: str
    rate: float | None
    entered: int
    converted: int
    null_reason: str | None = None


@dataclass(frozen=True)
class RepBreak:
    """Where one rep's conversion breaks (the quadrant's `breaks_at`)."""

    rep_id: str
    name: str
    step: str
    kind: str
    shortfall: float


@dataclass(frozen=True)
class Funnel:
    """The team's stage conversion over the quadrant's weeks, its weakest step (the lowest rate
    among the steps deals entered) and the reps whose conversion breaks."""

    window: Period
    steps: tuple[FunnelStep, ...]
    weakest: FunnelStep | None
    breaks: tuple[RepBreak, ...]


@dataclass(frozen=True)
class UnderTarget:
    """A team or rep health flags as consistently under target."""

    scope: By
    id: str
    name: str
    missed: int
    periods: int
    with_target: int
    direction: str
    last_attainment: float | None


@dataclass(frozen=True)
class Report:
    """The weekly report of one team and its sub-teams."""

    team: str
    team_name: str
    week: Period
    previous: Period
    context: Context
    currency: str
    headline: tuple[str, ...]  # the figures' metrics, in order
    teams: tuple[TeamWeek, ...]  # the team first, then its sub-teams in the tree's order
    ranked_by: str  # the leaderboard's metric
    leaders: tuple[Leader, ...]
    quadrant_window: Period
    quadrant_before: Period
    quadrant_changes: tuple[QuadrantChange, ...]
    funnel: Funnel
    health_grain: Grain
    health_periods: int  # under target in at least `health_min_missed` of these periods
    health_min_missed: int
    under_target: tuple[UnderTarget, ...]
    stuck_days: int
    stuck: tuple[StuckDeal, ...]
    quality: tuple[Finding, ...]
    reps: tuple[str, ...]  # every rep of the subtree: nothing in the report lies outside them
    rep_names: dict[str, str] = field(default_factory=dict)
    # the alert rules' findings for this team and week (filled in by them; none until then)
    alerts: tuple[Any, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """JSON-safe data of the whole report."""
        data: dict[str, Any] = plain(self)
        data["context"] = self.context.name
        for team in data["teams"]:
            for f in team["figures"]:
                f["cell"]["change"] = _change(f["cell"])
                f["cell"]["null_reason"] = reason_json(f["metric"], f["cell"]["null_reason"])
        return data


def _change(cell: dict[str, Any]) -> float | None:
    v, p = cell["value"], cell["previous"]
    return None if v is None or p is None else v - p


def report_week(week: str | Period) -> Period:
    """The ISO week a report is for (`2026-W40`, `week 40 2026`), or an InputError."""
    p = week if isinstance(week, Period) else parse_period(week)
    if p.end - p.start != timedelta(weeks=1) or p.start.weekday() != 0:
        raise InputError(f"{p.label!r} is not an ISO week; write it as 2026-W40 or week 40 2026")
    return p


def last_full_week(day: date) -> Period:
    """The last ISO week that has fully ended before `day`."""
    start = day - timedelta(days=day.weekday() + 7)
    return Period(start, start + timedelta(weeks=1), _week_label(start))


def weekly_report(store: Store, query: ReportQuery) -> Report:
    """The weekly report of `query.team` (and its sub-teams) for `query.week`. Every activity
    it counts is in a window that ends by the week's end (those linked to a deal aside): a
    result that outlives later activities (`salesperf.store.reads.windowed`)."""
    week = report_week(query.week)
    if not 1 <= query.quadrant_weeks <= 104:
        raise InputError(f"the quadrant's weeks must be from 1 to 104, not {query.quadrant_weeks}")
    with windowed(day_bound(week.end, store.settings.timezone)):
        return _weekly_report(store, query, week)


def _weekly_report(store: Store, query: ReportQuery, week: Period) -> Report:
    teams, reps = _scope(store, query.team)  # an InputError for a team that does not exist
    ctx = get_context(store.settings.context)
    last = week.start - timedelta(weeks=1)
    previous = Period(last, week.start, _week_label(last))
    headline = tuple(dict.fromkeys((*ctx.headline, "activities")))
    ranked_by = next(
        (m for m in ctx.headline if metric(m).group is Group.PERFORMANCE), "revenue_won"
    )
    cards = scorecards(
        store, levels=(By.TEAM, By.REP), period=week, metrics=tuple(dict.fromkeys(
            (*headline, ranked_by))), teams=teams, reps=reps,
    )  # fmt: skip
    team_weeks = tuple(
        TeamWeek(r.key, r.name, _parent(store, r.key, teams),
                 tuple(Figure(m, metric(m).unit.value, r.cells[m]) for m in headline))
        for r in cards[By.TEAM].rows if r.key in teams
    )  # fmt: skip
    team_weeks = tuple(sorted(team_weeks, key=lambda t: t.team_id != query.team))
    rep_team = _rep_teams(store, reps)
    leaders = _leaders(cards[By.REP].rows, ranked_by, rep_team)
    names = {r.key: r.name for r in cards[By.REP].rows} | _rep_names(store, reps)
    now_window = resolve_window(f"last-{query.quadrant_weeks}-weeks", week.end)
    then_window = resolve_window(f"last-{query.quadrant_weeks}-weeks", week.start)
    now, then = (
        _diagnosis(store, query.team, now_window),
        _diagnosis(store, query.team, then_window),
    )
    h = health(store, HealthQuery(team=query.team, grain=query.health_grain,
                                  periods=query.health_periods,
                                  min_missed=query.health_min_missed, today=week.end))  # fmt: skip
    found = quality(store, QualityQuery(period=week, team=query.team))
    return Report(
        team=query.team,
        team_name=next((t.name for t in team_weeks if t.team_id == query.team), query.team),
        week=week, previous=previous, context=ctx, currency=cards[By.TEAM].currency,
        headline=headline, teams=team_weeks, ranked_by=ranked_by, leaders=leaders,
        quadrant_window=now_window, quadrant_before=then_window,
        quadrant_changes=_changes(now, then),
        funnel=_funnel(store, query.team, now_window, now),
        health_grain=h.grain, health_periods=len(h.periods),
        health_min_missed=h.min_missed, under_target=_under(h),
        stuck_days=query.stuck_days, stuck=stuck_deals(store, reps, week.end, query.stuck_days),
        quality=found.findings, reps=tuple(sorted(reps)), rep_names=names,
    )  # fmt: skip


def _week_label(start: date) -> str:
    y, w, _ = start.isocalendar()
    return f"{y}-W{w:02d}"


def _parent(store: Store, team: str, teams: frozenset[str]) -> str | None:
    t = store.table("teams")
    rows = t.filter(t.team_id == team).select("parent_team_id").to_pyarrow().to_pylist()
    parent = rows[0]["parent_team_id"] if rows else None
    return parent if parent in teams else None


def _rep_teams(store: Store, reps: frozenset[str]) -> dict[str, str]:
    t = store.table("reps")
    rows = t.filter(t.rep_id.isin(sorted(reps))).select("rep_id", "team_id").to_pyarrow()
    return {r["rep_id"]: r["team_id"] for r in rows.to_pylist()}


def _rep_names(store: Store, reps: frozenset[str]) -> dict[str, str]:
    t = store.table("reps")
    rows = t.filter(t.rep_id.isin(sorted(reps))).select("rep_id", "name").to_pyarrow()
    return {r["rep_id"]: r["name"] or r["rep_id"] for r in rows.to_pylist()}


def _leaders(rows: Any, ranked_by: str, rep_team: dict[str, str]) -> tuple[Leader, ...]:
    """The reps from the highest figure of `ranked_by` down (those without one last, by id)."""

    def key(r: Any) -> tuple[bool, float, str]:
        v = r.cells[ranked_by].value
        return (v is None, -(v or 0), r.key)

    out, rank, last = [], 0, None
    for i, r in enumerate(sorted(rows, key=key), start=1):
        v = r.cells[ranked_by].value
        if v != last:
            rank, last = i, v
        out.append(Leader(None if v is None else rank, r.key, r.name, rep_team.get(r.key, ""),
                          r.cells[ranked_by], r.cells["activities"]))  # fmt: skip
    return tuple(out)


def _diagnosis(store: Store, team: str, window: Period) -> Diagnosis | None:
    """The quadrant of the team's reps over `window`; None when it has no rep active in it
    (the team exists: `_scope` said so), whom `diagnose` refuses to judge."""
    try:
        return diagnose(store, DiagnoseQuery(team=team, window=window, today=window.end))
    except InputError:  # no rep of the team to judge in the window: no labels, none changed
        return None


def _changes(now: Diagnosis | None, then: Diagnosis | None) -> tuple[QuadrantChange, ...]:
    after = {r.rep_id: r for r in (now.reps if now else ())}
    before = {r.rep_id: r for r in (then.reps if then else ())}
    out = []
    for rep in sorted(after.keys() | before.keys()):
        a, b = after.get(rep), before.get(rep)
        la, lb = (a.label if a else None), (b.label if b else None)
        if la != lb:
            name = (a or b).name  # type: ignore[union-attr]
            out.append(QuadrantChange(rep, name, lb, la))
    return tuple(out)


def _funnel(store: Store, team: str, window: Period, d: Diagnosis | None) -> Funnel:
    """The team's stage conversion per step over `window` (the metric layer's), its weakest
    step and where the reps' conversion breaks."""
    steps = pipeline_steps(store)
    names = tuple(stage_metric(a, b) for a, b in steps)
    found: list[FunnelStep] = []
    if names:
        q = Query(names, window.start, window.end, grain=Grain.ALL, by=By.TEAM,
                  teams=frozenset({team}))  # fmt: skip
        tz, cur = store.settings.timezone, store.settings.currency
        rates = run(store.con, q, tz, cur, reasons=True)
        counts = run_measures(store.con, q, tz, cur)
        rate = rates[rates.team_id == team].to_dict("records")
        count = counts[counts.team_id == team].to_dict("records")
        for (a, b), name in zip(steps, names, strict=True):
            param = name.split(":", 1)[1]
            r = rate[0] if rate else {}
            c = count[0] if count else {}
            found.append(FunnelStep(
                a, b, _num(r.get(name)), int(_num(c.get(f"stage_entered:{param}")) or 0),
                int(_num(c.get(f"stage_then:{param}")) or 0),
                r.get(f"{name}{NULL_REASON}") if isinstance(r.get(f"{name}{NULL_REASON}"), str)
                else None,
            ))  # fmt: skip
    rated = [s for s in found if s.rate is not None and s.entered > 0]
    weakest = min(rated, key=lambda s: s.rate or 0.0) if rated else None
    breaks = tuple(
        RepBreak(r.rep_id, r.name, r.breaks_at.step, r.breaks_at.kind.value, r.breaks_at.shortfall)
        for r in (d.reps if d else ())
        if r.breaks_at is not None
    )
    return Funnel(window, tuple(found), weakest, breaks)


def _num(v: Any) -> float | None:
    return None if v is None or v != v else float(v)


def _under(h: Health) -> tuple[UnderTarget, ...]:
    out = []
    for r in h.flagged:
        last = next((p.attainment for p in reversed(r.periods) if p.attainment is not None), None)
        out.append(UnderTarget(r.scope, r.id, r.name, r.missed, len(r.periods), r.with_target,
                               r.direction, last))  # fmt: skip
    return tuple(out)
