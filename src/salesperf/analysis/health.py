"""Team health: which teams and reps are consistently under target, which way their attainment
is heading, and whether their current activity is enough for the current period's target.

Attainment per period is the metric layer's quota attainment (revenue won against the revenue
target of that period, by the one rule of `salesperf.metrics.targets`: monthly targets sum to
quarters, a team without a target of its own takes its members'). A team or rep is flagged when it was under target in at
least `min_missed` of the last `periods` periods. The trend is the least-squares slope of
attainment over those periods. The activity check is the plan (`salesperf.analysis.plan.core`) of
the current period's target set against the last four full weeks' pace.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from salesperf.analysis import health_text as text
from salesperf.analysis.plan.core import build_plan, default_window, pace_weeks
from salesperf.analysis.plan.rates import (
    Key,
    PlanInputs,
    load_inputs,
    period_targets,
)
from salesperf.analysis.windows import period_label, plain
from salesperf.errors import InputError
from salesperf.metrics.compiler import run
from salesperf.metrics.periods import Grain, Period, day_bound, parse_period, period_start, shift
from salesperf.metrics.query import By, Compare, Query
from salesperf.metrics.registry import QUOTA_METRIC
from salesperf.store import Store
from salesperf.store.reads import windowed
from salesperf.text import Text

STEADY = 0.02  # a trend within two points of attainment a period either way is steady
GRAINS = (Grain.QUARTER, Grain.MONTH)  # the grains health is judged at


@dataclass(frozen=True)
class HealthQuery:
    """Whose health (a team and its sub-teams, or everyone), over how many periods of which
    grain, how many misses make a flag, and the last period assessed (default: the last full
    period before `today`)."""

    team: str | None = None
    grain: Grain | str = Grain.QUARTER
    periods: int = 4
    min_missed: int = 3
    last: Period | str | None = None
    today: date | None = None


@dataclass(frozen=True)
class PeriodResult:
    """Revenue won against target in one period."""

    period: Period
    actual: float | None
    target: float | None
    attainment: float | None
    missed: bool | None  # None: no target set
    target_basis: str | None = None  # how the target came about: a `metrics.targets.BASIS` code


@dataclass(frozen=True)
class ActivityCheck:
    """Whether the current pace is enough for the current period's target."""

    period: Period
    target: float | None
    target_period: Period | None  # whose target: the current period's, else the last one set
    required_per_week: float | None
    pace_per_week: float | None
    coverage: float | None  # pace / required
    enough: bool | None
    shortfall_per_week: dict[str, float]  # per activity type, where the pace falls short
    explanation: Text


@dataclass(frozen=True)
class HealthRow:
    """One team's or rep's attainment over the periods, its flag, trend and activity check."""

    scope: By
    id: str
    name: str
    team_id: str | None  # a rep's team; a team's parent
    periods: tuple[PeriodResult, ...]
    missed: int
    with_target: int
    flagged: bool
    trend: float | None  # attainment points (as a ratio) per period
    direction: str  # improving, declining, steady, unknown
    flag: Text
    trend_text: Text
    activity: ActivityCheck | None


@dataclass(frozen=True)
class Health:
    """The health of a team tree (or the organisation): one row per team and per rep."""

    team: str | None
    grain: Grain
    periods: tuple[Period, ...]
    min_missed: int
    current: Period
    rows: tuple[HealthRow, ...]
    explanation: Text

    @property
    def flagged(self) -> tuple[HealthRow, ...]:
        """The rows consistently under target."""
        return tuple(r for r in self.rows if r.flagged)

    def to_json(self) -> dict[str, Any]:
        """JSON-safe dicts of the whole result."""
        data: dict[str, Any] = plain(self)
        return data


def health(store: Store, query: HealthQuery) -> Health:
    """Teams and reps under target in at least `min_missed` of the last `periods` periods,
    with attainment per period, its trend, and whether current activity is enough."""
    grain = Grain(query.grain)
    if grain not in GRAINS:
        raise InputError(f"health is judged per quarter or per month, not per {grain.value}")
    if not 1 <= query.periods <= 36:
        raise InputError(f"--periods must be from 1 to 36, not {query.periods}")
    if not 1 <= query.min_missed <= query.periods:
        raise InputError(f"--min-missed must be from 1 to {query.periods}, not {query.min_missed}")
    today = query.today or date.today()
    last = _last(query.last, grain, today)
    starts = [shift(last.start, grain, -i) for i in range(query.periods - 1, -1, -1)]
    periods = tuple(_period(s, grain) for s in starts)
    current = _period(period_start(today, grain), grain)
    window, pace = default_window(current, today), pace_weeks(current, today)
    # activities are counted in those two windows only: a result that outlives later ones
    with windowed(day_bound(max(window.end, pace.end), store.settings.timezone)):
        return _health(store, query, grain, periods, current, window, pace, today)


def _health(
    store: Store, query: HealthQuery, grain: Grain, periods: tuple[Period, ...], current: Period,
    window: Period, pace: Period, today: date,
) -> Health:  # fmt: skip
    teams, reps = _scope(store, query.team)
    frames = _attainment(store, grain, periods, teams, reps)
    inputs = load_inputs(store, window, pace)
    targets = {by: period_targets(store, by, current) for by in (By.REP, By.TEAM)}
    rows: list[HealthRow] = []
    for key, results in frames.items():
        if key[0] is By.REP and not any(r.target for r in results):
            continue  # a rep with no target in any of the periods is not judged
        target = targets[key[0]].get(key[1])
        rows.append(_row(inputs, key, results, grain, query.min_missed, current, target, today))
    rows = _with_subteams(rows, inputs)
    summary = _summary(rows, grain, periods, query.min_missed)
    return Health(query.team, grain, periods, query.min_missed, current, tuple(rows), summary)


def _attainment(
    store: Store, grain: Grain, periods: tuple[Period, ...], teams: frozenset[str],
    reps: frozenset[str],
) -> dict[Key, tuple[PeriodResult, ...]]:  # fmt: skip
    """Revenue won, target and attainment per period, from the metric layer, for the teams and
    reps."""
    found: dict[Key, dict[date, PeriodResult]] = {}
    tz, cur = store.settings.timezone, store.settings.currency
    for by in (By.TEAM, By.REP):
        q = Query(metrics=(QUOTA_METRIC,), start=periods[0].start, end=periods[-1].end,
                  grain=grain, by=by, compare=(Compare.TARGET,),
                  teams=teams if by is By.TEAM else None, reps=reps if by is By.REP else None)  # fmt: skip
        for rec in run(store.con, q, tz, cur).to_dict("records"):
            att = _f(rec[f"{QUOTA_METRIC}_attainment"])
            found.setdefault((by, str(rec[q.key])), {})[rec["period_start"]] = PeriodResult(
                _period(rec["period_start"], grain), _f(rec[QUOTA_METRIC]),
                _f(rec[f"{QUOTA_METRIC}_target"]), att, None if att is None else att < 1,
                _s(rec.get(f"{QUOTA_METRIC}_target_basis")),
            )  # fmt: skip
    out: dict[Key, tuple[PeriodResult, ...]] = {}
    for key in [*((By.TEAM, x) for x in sorted(teams)), *((By.REP, x) for x in sorted(reps))]:
        got = found.get(key, {})
        out[key] = tuple(got.get(p.start, PeriodResult(p, None, None, None, None)) for p in periods)
    return out


def _row(
    inputs: PlanInputs, key: Key, results: tuple[PeriodResult, ...], grain: Grain,
    min_missed: int, current: Period, target: float | None, today: date,
) -> HealthRow:  # fmt: skip
    missed = [r for r in results if r.missed]
    with_target = sum(r.target is not None for r in results)
    flagged = len(missed) >= min_missed
    flag = text.flag_text(grain, len(results), [r.period for r in missed], with_target)
    slope, direction, trend_text = _trend(results, grain)
    if key[0] is By.REP and not _employed(inputs, key[1], today):
        check = None
    else:
        last_set = next((r for r in reversed(results) if r.target), None)
        check = _check(inputs, key, current, target, last_set)
    team = inputs.rep_team.get(key[1]) if key[0] is By.REP else inputs.parent.get(key[1])
    return HealthRow(key[0], key[1], inputs.label(key), team, results, len(missed), with_target,
                     flagged, slope, direction, flag, trend_text, check)  # fmt: skip


def _trend(results: tuple[PeriodResult, ...], grain: Grain) -> tuple[float | None, str, Text]:
    """The least-squares slope of attainment, its direction and the two in words."""
    pts = [(i, r.attainment) for i, r in enumerate(results) if r.attainment is not None]
    if len(pts) < 2:
        return None, "unknown", text.trend_text("unknown", None, 0.0, 0.0, grain)
    x = np.array([p[0] for p in pts], dtype=float)
    y = np.array([p[1] for p in pts], dtype=float)
    slope = float(np.polyfit(x, y, 1)[0])
    direction = "improving" if slope > STEADY else "declining" if slope < -STEADY else "steady"
    return slope, direction, text.trend_text(direction, slope, float(y[0]), float(y[-1]), grain)


def _check(
    inputs: PlanInputs, key: Key, current: Period, target: float | None, last: PeriodResult | None
) -> ActivityCheck:
    """The plan of the current period's target (else the last target set) against the pace."""
    source = current if target else (last.period if last else None)
    target = target or (last.target if last else None)
    if not target or source is None:
        return ActivityCheck(current, None, None, None, None, None, None, {},
                             text.no_target(current))  # fmt: skip
    try:
        p = build_plan(inputs, key, target, current, simulate=False)
    except InputError as exc:  # too little history to plan from: said, not hidden
        return ActivityCheck(current, target, source, None, None, None, None, {},
                             text.no_plan(str(exc)))  # fmt: skip
    enough = bool(p.coverage is not None and p.coverage >= 1)
    short = {r.type: r.shortfall_per_week for r in p.activities if r.shortfall_per_week > 0}
    worst = sorted(short.items(), key=lambda x: -x[1])[:3]
    said = text.check_text(inputs.currency, current, source, target, p.per_week, p.pace,
                           p.pace_per_week, p.coverage, enough, worst)  # fmt: skip
    return ActivityCheck(current, target, source, p.per_week, p.pace_per_week, p.coverage,
                         enough, short, said)  # fmt: skip


def _with_subteams(rows: list[HealthRow], inputs: PlanInputs) -> list[HealthRow]:
    """A flagged team whose flagged sub-teams may explain its misses says which they are."""
    flagged = {r.id for r in rows if r.scope is By.TEAM and r.flagged}
    out = []
    for r in rows:
        subs = [t for t in flagged if t != r.id and (By.TEAM, r.id) in inputs.chain((By.TEAM, t))]
        if r.scope is By.TEAM and r.flagged and subs:
            names = ", ".join(inputs.label((By.TEAM, t)) for t in sorted(subs))
            flag = text.subteam_flag(r.flag, names)
            r = HealthRow(**{**r.__dict__, "flag": flag})
        out.append(r)
    return out


def _summary(rows: list[HealthRow], grain: Grain, periods: tuple[Period, ...], k: int) -> Text:
    teams = [r for r in rows if r.scope is By.TEAM]
    reps = [r for r in rows if r.scope is By.REP]
    flagged = (sum(r.flagged for r in teams), sum(r.flagged for r in reps))
    return text.summary(grain, periods, k, (flagged[0], len(teams)), (flagged[1], len(reps)))


def _scope(store: Store, team: str | None) -> tuple[frozenset[str], frozenset[str]]:
    """The teams (the team and every team below it) and the reps of its subtree to judge."""
    tree = store.table("teams").select("team_id", "parent_team_id").to_pandas()
    parent = {str(t): p for t, p in zip(tree.team_id, tree.parent_team_id, strict=True)}
    reps = store.table("reps").select("rep_id", "team_id").to_pandas()
    if team is None:
        return frozenset(parent), frozenset(reps.rep_id)
    if team not in parent:
        raise InputError(f"there is no team {team!r}")
    teams = frozenset(t for t in parent if _under(t, team, parent))
    return teams, frozenset(r for r, t in zip(reps.rep_id, reps.team_id, strict=True) if t in teams)


def _under(t: Any, top: str, parent: dict[str, Any]) -> bool:
    """Whether team `t` is `top` or lies below it."""
    seen: set[str] = set()
    while isinstance(t, str) and t not in seen:
        if t == top:
            return True
        seen.add(t)
        t = parent.get(t)
    return False


def _employed(inputs: PlanInputs, rep: str, day: date) -> bool:
    start, end = inputs.employed.get(rep, (None, None))
    return (start is None or start <= day) and (end is None or end >= day)


def _last(last: Period | str | None, grain: Grain, today: date) -> Period:
    if isinstance(last, Period):
        return _period(period_start(last.start, grain), grain)
    if isinstance(last, str):
        return _period(period_start(parse_period(last).start, grain), grain)
    return _period(shift(period_start(today, grain), grain, -1), grain)


def _period(start: date, grain: Grain) -> Period:
    return Period(start, shift(start, grain, 1), period_label(start, grain))


def _s(v: Any) -> str | None:
    return v if isinstance(v, str) else None


def _f(v: Any) -> float | None:
    if v is None or v is pd.NA:
        return None
    f = float(v)
    return None if math.isnan(f) else f
