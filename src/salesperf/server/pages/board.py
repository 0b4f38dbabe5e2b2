"""The overview's own sections, from figures other pages compute too: the quota progress (the
forecast page's forecast, `salesperf.analysis.progress`), the leaderboard of reps (the rep-level
scorecard, each rep's quadrant label from the quadrant page's diagnosis and a sparkline of their
weekly activity) and the week's biggest movers (the scorecard of the last full week against the
one before). Every figure is the scorecard's or an analysis's; results are shared with the pages
that show them first (the same cache keys), until a write to what they read.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from salesperf.analysis.forecast.core import ForecastQuery, forecast
from salesperf.analysis.progress import progress
from salesperf.analysis.windows import period_label
from salesperf.auth.access import AccessDenied
from salesperf.errors import InputError
from salesperf.metrics.periods import Grain, Period, parse_period, period_start
from salesperf.server.charts.dashboard import sparkline
from salesperf.server.deps import View
from salesperf.server.pages.analysis import cached, coverage, diagnosis

#: What the leaderboard's sparkline shows, week by week.
SPARK_METRIC = "activities"
#: What the week's movers are judged on, and how many of each are shown.
MOVER_METRICS = ("revenue_won", "activities")
MOVERS = 5


def progress_period(p: Period, today: date) -> Period:
    """The period whose progress the overview shows: the one asked for when it holds the
    reference day, else the quarter holding it (the forecast page's default)."""
    if p.start <= today < p.end:
        return p
    return parse_period(period_label(period_start(today, Grain.QUARTER), Grain.QUARTER))


def quota_progress(view: View, p: Period) -> dict[str, Any]:
    """Revenue won so far against the target, the pace and the projection, of the viewer's
    forecast scope (the organisation, their first team, or their own revenue), from the same
    forecast as the forecast page (`salesperf.server.pages.plan.forecast_page`)."""
    period = progress_period(p, view.today)
    try:
        cov = coverage(view, None)
        rep = cov.own_rep
        chosen = view.today if view.as_of is not None and view.as_of.chosen else None
        q = ForecastQuery(period, chosen, team=None if rep else cov.team, rep=rep, today=view.today)
        f = cached(view, ("forecast", q), lambda: forecast(view.store, q))
    except (InputError, AccessDenied) as exc:
        return {"period": period.label, "progress": None, "error": str(exc)}
    return {"period": period.label, "progress": progress(f).to_json(), "error": None}


def quadrant_labels(view: View) -> dict[str, dict[str, Any]]:
    """Each visible rep's quadrant label (as the quadrant page shows it by default), by rep id;
    empty when the viewer has no team to be judged in or the data allow no diagnosis."""
    try:
        cov = coverage(view, None)
        d = diagnosis(view, cov, None, None)
    except (InputError, AccessDenied):
        return {}
    window = {"label": d.window.label}
    return {
        r.rep_id: {"label": r.label.value, "text": r.to_json()["label_text"], "window": window}
        for r in d.reps
        if cov.shows(view, r.rep_id)
    }


def _sort_value(v: Any) -> tuple[int, float]:
    """Larger first, missing last."""
    return (1, 0.0) if v is None else (0, -float(v))


def leaderboard(
    board: dict[str, Any], weekly: dict[str, Any], labels: dict[str, dict[str, Any]], by: str
) -> dict[str, Any]:
    """The reps of the rep-level scorecard `board`, ranked on `by` (highest first), each with
    their quadrant label and the sparkline of their weekly `SPARK_METRIC`."""
    series: dict[str, list[float | None]] = {}
    for r in sorted(weekly["rows"], key=lambda r: r["period_start"]):
        series.setdefault(r["key"], []).append(r["values"][SPARK_METRIC]["value"])
    rows = sorted(board["rows"], key=lambda r: (_sort_value(r["values"][by]["value"]), r["name"]))
    out = []
    for rank, r in enumerate(rows, start=1):
        values = series.get(r["key"], [])
        out.append({
            **r, "rank": rank, "quadrant": labels.get(r["key"]),
            "spark": {"metric": SPARK_METRIC, "values": values, "points": sparkline(values)},
        })  # fmt: skip
    return {**board, "rows": out, "ranked_by": by, "spark_metric": SPARK_METRIC}


def movers(week: dict[str, Any]) -> dict[str, Any]:
    """The reps whose figures changed most from the week before (the scorecard's change), per
    metric of `MOVER_METRICS`, the largest change (up or down) first."""
    units = {m["name"]: m for m in week["metrics"]}
    out = []
    for m in MOVER_METRICS:
        moved = [r for r in week["rows"] if r["values"][m]["change"] not in (None, 0)]
        moved.sort(key=lambda r: (-abs(r["values"][m]["change"]), r["name"]))
        out.append({
            "metric": units[m],
            "rows": [{"key": r["key"], "name": r["name"], **r["values"][m]} for r in moved[:MOVERS]],
        })  # fmt: skip
    return {"period": week["period"], "metrics": out}
