"""The deals behind one step of the funnel: the deals that first entered the step's stage in
the period, within the viewer's view, and whether each reached the next stage.

They are the rows the metric layer counts for `stage_conversion:A>B` (its `stage_entry` fact,
read by `salesperf.metrics.rows.FactRows` with the funnel's own query), so the list is as long
as the funnel's "entered" and its "reached" as its "converted", for the same team or rep and
window. Who may see which deals is decided as for the funnel (`analysis.coverage`): a rep sees
their own deals only.
"""

from __future__ import annotations

from typing import Any

from salesperf.analysis.quadrant.breaks import pipeline_steps, stage_metric
from salesperf.analysis.windows import resolve_window
from salesperf.errors import InputError
from salesperf.i18n.messages import both
from salesperf.metrics.facts import FACTS
from salesperf.metrics.periods import Grain, Period
from salesperf.metrics.query import By, Query
from salesperf.metrics.rows import FactRows
from salesperf.server.deps import View
from salesperf.server.pages.analysis import Coverage, blank, coverage, diagnosis, period_json


def _step(view: View, step: str | None) -> tuple[str, str]:
    """The pipeline step `A>B` (or `A->B`) asked for (default: the first); a clear error
    naming the steps if there is none such."""
    steps = pipeline_steps(view.store)
    if step is None and steps:
        return steps[0]
    a, _, b = (step or "").replace("->", ">").partition(">")
    if (a.strip(), b.strip()) not in steps:
        names = ", ".join(f"{x}>{y}" for x, y in steps)
        raise InputError(
            text=both("charts.deals.no_step", lambda _: {"step": step, "steps": names})
        )
    return a.strip(), b.strip()


def _reps(view: View, cov: Coverage, rep: str | None) -> frozenset[str] | None:
    """Whose deals: one rep asked for (in the viewer's view), the viewer's own, the team's
    subtree, or everyone's (None, for an administrator's whole organisation)."""
    if rep is not None:
        view.scope.require_rep(rep)  # AccessDenied outside the viewer's view
        if cov.team is not None and cov.own_rep is None:
            view.scope.within_team(view.store, cov.team).require_rep(rep)
        return frozenset({rep})
    if cov.own_rep is not None:
        return frozenset({cov.own_rep})
    if cov.team is not None:
        return view.scope.within_team(view.store, cov.team).reps
    return view.scope.reps


def step_deals(
    view: View, a: str, b: str, window: Period, reps: frozenset[str] | None
) -> list[dict[str, Any]]:
    """The deals that first entered stage `a` in the window (of `reps`, within the viewer's
    scope), each with whether it later reached `b`, its rep, status, amount and stage now."""
    store = view.store
    q = Query(
        (stage_metric(a, b),), window.start, window.end, grain=Grain.ALL, by=By.REP, reps=reps
    )
    q = view.scope.narrow(q)
    rows = FactRows(store.con, store.settings.timezone, store.settings.currency)
    entries = rows.rows(FACTS["stage_entry"], q, q.start, f"{a}>{b}")
    if entries is None:
        return []
    deals = rows.tables.table("deals").select(
        _did="deal_id", status="status", amount="amount", stage="stage"
    )
    people = store.table("reps").select(_rid="rep_id", rep_name="name")
    t = entries.select("deal_id", "rep_id", "_local", "_then")
    t = t.left_join(deals, t.deal_id == deals._did).drop("_did")
    t = t.left_join(people, t.rep_id == people._rid).drop("_rid")
    out = []
    for r in sorted(t.to_pyarrow().to_pylist(), key=lambda r: (r["_local"], r["deal_id"])):
        out.append({
            "deal_id": r["deal_id"], "rep_id": r["rep_id"], "rep": r["rep_name"] or r["rep_id"],
            "entered": r["_local"].date().isoformat(), "reached": bool(r["_then"]),
            "status": r["status"], "amount": r["amount"], "stage": r["stage"],
        })  # fmt: skip
    return out


def funnel_deals(
    view: View,
    step: str | None = None,
    team: str | None = None,
    window: str | None = None,
    rep: str | None = None,
) -> dict[str, Any]:
    """The deals at one step of the funnel: those that first entered the step's first stage in
    the window, and whether each reached the next. `step`: demo>proposal (default: the first
    step of the pipeline); `team` and `window`
    as for the funnel (default: its window); `rep`: one rep's deals (in the viewer's view)."""
    cov = coverage(view, team)
    a, b = _step(view, blank(step))
    given = blank(window)
    w = resolve_window(given, view.today) if given else diagnosis(view, cov, None, None).window
    reps = _reps(view, cov, blank(rep))
    key = ("funnel_deals", a, b, w, reps, view.scope)
    deals = view.cache.get(("analysis", *key), lambda: step_deals(view, a, b, w, reps))
    return {
        "team": cov.team,
        "own_only": cov.own_rep is not None,
        "rep": blank(rep),
        "step": {"from": a, "to": b, "metric": stage_metric(a, b)},
        "window": period_json(w),
        "entered": len(deals),
        "reached": sum(d["reached"] for d in deals),
        "deals": deals,
    }
