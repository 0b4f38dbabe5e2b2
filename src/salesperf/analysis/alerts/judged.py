"""The rules that reuse a judgement made elsewhere: a team under target in N of the last four
quarters (`salesperf.analysis.health`, which flags a team "consistently under target"), and a rep
newly labelled busy but not effective (`salesperf.analysis.quadrant`: the label over the last N
full quarters before the as-of day against the label over the N quarters before them).

Both judge the whole organisation, so that an alert about a team or rep is the same whoever
sees it (a rep is compared with their own team, as on the quadrant page); the caller keeps the
alerts the viewer may see.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from salesperf.analysis.alerts import text
from salesperf.analysis.alerts.model import Alert, Concerns
from salesperf.analysis.alerts.rules import Rule
from salesperf.analysis.health import HealthQuery, health
from salesperf.analysis.quadrant.model import DiagnoseQuery, Diagnosis, Label, Peers, diagnose
from salesperf.analysis.quadrant.window import quarters_window
from salesperf.analysis.vocab import Basis
from salesperf.errors import InputError
from salesperf.metrics.periods import Grain, Period, period_start
from salesperf.metrics.query import By
from salesperf.store import Store

HEALTH_PERIODS = 4  # the last four quarters, as team health judges them


def teams_under_target(store: Store, day: date, n: int, teams: frozenset[str]) -> list[Alert]:
    """Teams of `teams` under target in at least `n` of the last four full quarters before
    `day`, as team health judges them."""
    if not teams:
        return []
    q = HealthQuery(grain=Grain.QUARTER, periods=HEALTH_PERIODS, min_missed=n, today=day)
    result = health(store, q)
    out = []
    for row in result.rows:
        if row.scope is not By.TEAM or not row.flagged or row.id not in teams:
            continue
        last = row.periods[-1].period
        figures: dict[str, Any] = {
            "missed": row.missed, "periods": len(row.periods), "with_target": row.with_target,
            "missed_periods": [p.period.label for p in row.periods if p.missed],
            "attainment": {p.period.label: p.attainment for p in row.periods},
            "trend": row.trend, "direction": row.direction,
        }  # fmt: skip
        out.append(Alert(
            Rule.TEAM_UNDER_TARGET, Concerns.TEAM, row.id, row.name, None, row.id, figures,
            f"/teams/{row.id}?period={last.label}", text.team_under_target(row.name, row.flag),
        ))  # fmt: skip
    out.sort(key=lambda a: (-int(a.figures["missed"]), a.id))
    return out


def windows(day: date, n: int) -> tuple[Period, Period]:
    """The last `n` full quarters before `day`, and the `n` quarters before them."""
    now = quarters_window(period_start(day, Grain.QUARTER), n)
    return now, quarters_window(now.start, n)


def _labels(store: Store, window: Period, day: date) -> Diagnosis | None:
    """The quadrant of the organisation over the window, each rep against their own team; None
    when no rep was active in it (nothing to label)."""
    q = DiagnoseQuery(window=window, today=day, peers=Peers.OWN_TEAM)
    try:
        return diagnose(store, q)
    except InputError:  # no rep with activity or closed deals in the window: no label at all
        return None


def newly_busy(store: Store, day: date, n: int, reps: frozenset[str]) -> list[Alert]:
    """Reps of `reps` labelled busy but not effective over the last `n` full quarters before
    `day` who were not so labelled over the `n` quarters before."""
    if not reps:
        return []
    now, before = windows(day, n)
    current = _labels(store, now, day)
    if current is None:
        return []
    earlier = _labels(store, before, day)
    was = {r.rep_id: r for r in earlier.reps} if earlier is not None else {}
    out = []
    for r in current.reps:
        if r.label is not Label.BUSY or r.rep_id not in reps:
            continue
        prev = was.get(r.rep_id)
        if prev is not None and prev.label is Label.BUSY:
            continue
        a, p = r.activity.index, r.performance.index
        figures: dict[str, Any] = {
            "window": now.label, "previous_window": before.label,
            "previous_label": prev.label.value if prev is not None else None,
            "activity_index": a.value, "activity_interval": [a.low, a.high],
            "performance_index": p.value, "performance_interval": [p.low, p.high],
            "performance_basis": p.basis.value, "activities_per_day": r.activity.per_day,
            "revenue_won": r.performance.revenue_won,
            "target": r.performance.target if p.basis is Basis.TARGET else None,
        }  # fmt: skip
        said = text.newly_busy(r.name, now, before, prev.quadrant.name if prev else None,
                               a.value, p.value)  # fmt: skip
        out.append(Alert(
            Rule.NEWLY_BUSY, Concerns.REP, r.rep_id, r.name, r.rep_id, r.team_id, figures,
            f"/reps/{r.rep_id}?period={now.label}", said,
        ))  # fmt: skip
    return out
