"""The analysis pages' data: the activity–performance quadrant, the funnel and the drivers.

Each function takes the request's `View` and returns plain JSON-ready data, the same for the
page and its JSON twin. The numbers are the analyses' own (`salesperf.analysis`) or the metric
layer's; nothing is computed here. Results are remembered in the view's cache (cleared by every
write), so a page and its twin, or the quadrant and the funnel, share one diagnosis.

What each viewer may see (decided from their `salesperf.auth.access.Scope`):

- an administrator: the whole organisation, or any team asked for with `team=`;
- a manager: their team (the first team they manage by default) or any team below it;
- a rep: their own row only. Their position is still judged against their team, so the
  figures that describe the team as a whole come with it (the team's medians behind the
  indexes, the team's pooled conversion and their rank among its reps), but no other rep's
  name, id or figures. A rep has no drivers page: the drivers are fitted on the weeks of every
  rep of a team, and team figures are not in a rep's view.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TypeVar

from salesperf.analysis.drivers.core import Drivers, DriversQuery, drivers
from salesperf.analysis.drivers.model import TypeEffect
from salesperf.analysis.quadrant.breaks import pipeline_steps, stage_metric
from salesperf.analysis.quadrant.model import DiagnoseQuery, Diagnosis, Peers, diagnose
from salesperf.analysis.windows import plain
from salesperf.auth.access import AccessDenied, NotFound, ScopeKind, scoped_table
from salesperf.i18n import format as fmt
from salesperf.i18n.messages import both, t
from salesperf.i18n.words import word
from salesperf.metrics.compiler import NULL_REASON, run, run_measures
from salesperf.metrics.periods import Grain, Period
from salesperf.metrics.query import By, Query
from salesperf.metrics.registry import reason_json
from salesperf.server.deps import View
from salesperf.text import Lang, Text

T = TypeVar("T")
NO_ENTRY = "no_stage_entries"  # stage_conversion's null case: no deal entered the step


def cached(view: View, key: tuple[Hashable, ...], compute: Callable[[], T]) -> T:
    """An analysis result, remembered in the app's cache until a write to what it read."""
    return view.cache.get(("analysis", *key), compute)


def period_json(p: Period) -> dict[str, str]:
    """A window as the pages show it: its label and its first and last day."""
    last = p.end - timedelta(days=1)
    return {"label": p.label, "start": p.start.isoformat(), "end": last.isoformat()}


# -- whose figures -------------------------------------------------------------------------
@dataclass(frozen=True)
class Coverage:
    """The team an analysis is run on for a viewer, and whose rows they are shown."""

    team: str | None  # the team queried (None: the whole organisation)
    own_rep: str | None = None  # set for a viewer who sees only their own row

    def shows(self, view: View, rep_id: str) -> bool:
        """Is this rep's row shown to the viewer?"""
        if self.own_rep is not None:
            return rep_id == self.own_rep
        return view.scope.can_see_rep(rep_id)


def rep_team(view: View, rep_id: str) -> str:
    """The team a rep belongs to."""
    reps = view.store.table("reps")
    rows = reps.filter(reps.rep_id == rep_id).select("team_id").to_pyarrow().to_pylist()
    if not rows or rows[0]["team_id"] is None:
        raise AccessDenied(text=both("refused.no_peers", lambda _: {"rep": rep_id}))
    return str(rows[0]["team_id"])


def blank(value: str | None) -> str | None:
    """A form field left empty is no value."""
    return value.strip() or None if value is not None else None


def coverage(view: View, team: str | None) -> Coverage:
    """The team to analyse for the viewer: the one asked for (when in their view), else the
    organisation for an administrator, the first team a manager manages, or, for a rep, their
    own team with only their own row shown."""
    scope = view.scope
    team = blank(team)
    if team is not None:
        scope.within_team(view.store, team)  # AccessDenied outside the view, NotFound if absent
        return Coverage(team)
    if scope.everything:
        return Coverage(None)
    if scope.kind is ScopeKind.TEAMS and scope.top_teams:
        return Coverage(scope.top_teams[0])
    if scope.rep_id is None:
        raise AccessDenied(text=scope.said())
    return Coverage(rep_team(view, scope.rep_id), own_rep=scope.rep_id)


def team_choices(view: View) -> list[dict[str, str]]:
    """The teams the viewer may choose between (id and name), in id order."""
    t_ = scoped_table(view.store, view.scope, "teams").select("team_id", "name")
    rows = sorted(t_.to_pyarrow().to_pylist(), key=lambda r: r["team_id"])
    return [{"team_id": r["team_id"], "name": r["name"] or r["team_id"]} for r in rows]


def rep_choices(view: View) -> list[dict[str, str]]:
    """The reps the viewer may choose between (id and name) who are employed today."""
    r = scoped_table(view.store, view.scope, "reps")
    r = r.filter(r.end_date.isnull() | (r.end_date >= view.today)).select("rep_id", "name")
    rows = sorted(r.to_pyarrow().to_pylist(), key=lambda x: x["rep_id"])
    return [{"rep_id": x["rep_id"], "name": x["name"] or x["rep_id"]} for x in rows]


def _names(view: View, by: By, keys: list[str]) -> dict[str, str]:
    if by is By.ORG:
        return {k: t("organisation", view.lang) for k in keys}
    table, col = ("teams", "team_id") if by is By.TEAM else ("reps", "rep_id")
    tb = view.store.table(table)
    rows = tb.filter(tb[col].isin(keys)).select(col, "name").to_pyarrow().to_pylist()
    found = {r[col]: r["name"] or r[col] for r in rows}
    return {k: found.get(k, k) for k in keys}


# -- the quadrant --------------------------------------------------------------------------
def diagnosis(view: View, cov: Coverage, window: str | None, peers: Peers | None) -> Diagnosis:
    """`salesperf.analysis.quadrant.model.diagnose` for the viewer's team (cached)."""
    if cov.own_rep is not None:
        peers = Peers.OWN_TEAM  # a rep is judged against their own team's reps
    q = DiagnoseQuery(team=cov.team, window=blank(window), today=view.today, peers=peers)
    return cached(view, ("diagnose", q), lambda: diagnose(view.store, q))


def diagnosis_json(view: View, cov: Coverage, d: Diagnosis) -> dict[str, Any]:
    """The diagnosis as JSON with only the rows the viewer may see."""
    return {**d.to_json(), "reps": [r.to_json() for r in d.reps if cov.shows(view, r.rep_id)]}


def quadrant(
    view: View,
    team: str | None = None,
    window: str | None = None,
    peers: Peers | None = None,
    rep: str | None = None,
) -> dict[str, Any]:
    """The activity–performance quadrant: each rep's activity index against their performance
    index, with 95% intervals, the label where the evidence supports one (else why not) and
    where conversion breaks. `team`: a team in the viewer's view (default: theirs); `window`:
    last-quarter (default), 2026-Q3, last-8-weeks, ...; `peers`: own_team or queried_team;
    `rep`: a rep of the quadrant whose diagnosis to show (`selected`)."""
    cov = coverage(view, team)
    rep = blank(rep)
    if rep is not None:
        view.scope.require_rep(rep)  # AccessDenied outside the viewer's view, before any work
    d = diagnosis(view, cov, window, peers)
    data = diagnosis_json(view, cov, d)
    if rep is not None and not any(r["rep_id"] == rep for r in data["reps"]):
        raise NotFound(
            text=both(
                "refused.not_in_quadrant",
                lambda lang: {"rep": rep, "window": fmt.period(d.window, lang)},
            )
        )
    return {
        "team": cov.team,
        "own_only": cov.own_rep is not None,
        "teams": [] if cov.own_rep else team_choices(view),
        "diagnosis": data,
        "selected": rep,
    }


# -- the funnel ----------------------------------------------------------------------------
def _funnel_query(view: View, cov: Coverage, window: Period, names: tuple[str, ...]) -> Query:
    if cov.own_rep is not None:
        by, reps, teams = By.REP, frozenset({cov.own_rep}), None
    elif cov.team is not None:
        by, reps, teams = By.TEAM, None, frozenset({cov.team})
    else:
        by, reps, teams = By.ORG, None, None
    q = Query(names, window.start, window.end, grain=Grain.ALL, by=by, reps=reps, teams=teams)
    return view.scope.narrow(q)


def _num(v: Any) -> float | None:
    return None if v is None or v != v else float(v)  # NaN and NA as None


def stage_funnel(view: View, cov: Coverage, window: Period) -> dict[str, Any]:
    """Stage conversion per step of the pipeline for the viewer's rows, from the metric
    layer: deals entering each stage, how many of them reached the next, and the rate."""
    steps = pipeline_steps(view.store)
    names = tuple(stage_metric(a, b) for a, b in steps)
    if not names:
        return {"by": None, "steps": [], "rows": []}
    q = _funnel_query(view, cov, window, names)
    tz = view.store.settings.timezone
    rates = run(view.store.con, q, tz, view.store.settings.currency, reasons=True)
    counts = run_measures(view.store.con, q, tz, view.store.settings.currency).set_index(q.key)
    keys = [str(k) for k in rates[q.key]]
    named = _names(view, q.by, keys)
    rows = []
    for rec in rates.to_dict("records"):
        key = str(rec[q.key])
        c = counts.loc[key] if key in counts.index else None
        row_steps = []
        for (a, b), name in zip(steps, names, strict=True):
            param = name.split(":", 1)[1]
            entered = _num(c[f"stage_entered:{param}"]) if c is not None else None
            then = _num(c[f"stage_then:{param}"]) if c is not None else None
            row_steps.append({
                "metric": name, "from": a, "to": b, "rate": _num(rec[name]),
                "entered": int(entered or 0), "converted": int(then or 0),
                "null_reason": reason_json(name, rec.get(f"{name}{NULL_REASON}")),
            })  # fmt: skip
        rows.append({"key": key, "name": named[key], "steps": row_steps})
    return {"by": q.by.value, "steps": [list(s) for s in steps], "rows": rows}


def rep_steps(view: View, cov: Coverage, d: Diagnosis, steps: list[str]) -> list[dict[str, Any]]:
    """Each visible rep's step conversion shrunk toward their peers, from the diagnosis, with
    where their conversion breaks."""
    out = []
    for r in d.reps:
        if not cov.shows(view, r.rep_id):
            continue
        cells: dict[str, Any] = {}
        for name in steps:
            c = r.rate(name)
            if c is None:  # nothing entered the step: no rate, raw or shrunk
                cells[name] = {"estimate": None, "null_reason": reason_json(name, NO_ENTRY)}
            else:
                cells[name] = {
                    "raw": c.rate.raw, "estimate": c.rate.estimate, "low": c.rate.low,
                    "high": c.rate.high, "successes": c.rate.successes, "trials": c.rate.trials,
                    "team_rate": c.team_rate, "rank": c.rank, "ranked": c.ranked,
                }  # fmt: skip
        b = r.breaks_at
        out.append({
            "rep_id": r.rep_id, "name": r.name, "label": r.label.value,
            "label_text": r.quadrant.name.to_json(), "steps": cells,
            "breaks_at": None if b is None else {
                "step": b.step, "kind": b.kind.value, "metric": b.comparison.metric,
                "text": b.text.to_json(),
            },
        })  # fmt: skip
    return out


def funnel(
    view: View, team: str | None = None, window: str | None = None, peers: Peers | None = None
) -> dict[str, Any]:
    """Stage conversion along the pipeline for the viewer's view (the organisation, their team
    or themself), and each rep's step conversion shrunk toward their team, with where it
    breaks. `team`, `window` and `peers` as for the quadrant."""
    cov = coverage(view, team)
    d = diagnosis(view, cov, window, peers)
    key = ("funnel", cov, d.window, view.scope, view.lang)
    f = cached(view, key, lambda: stage_funnel(view, cov, d.window))
    names = [stage_metric(a, b) for a, b in f["steps"]]
    reps = rep_steps(view, cov, d, names)
    breaks = {r["rep_id"]: r["breaks_at"] for r in reps} if f["by"] == "rep" else {}
    rows = [
        {**row, "rep": row["key"] if f["by"] == "rep" else None,
         "weakest": weakest_step(row["steps"], breaks.get(row["key"]))}
        for row in f["rows"]
    ]  # fmt: skip
    return {
        "team": cov.team,
        "own_only": cov.own_rep is not None,
        "teams": [] if cov.own_rep else team_choices(view),
        "window": period_json(d.window),
        "window_choice": plain(d.window_choice),
        "funnel": {**f, "rows": rows},
        "reps": reps,
    }


def weakest_step(
    steps: list[dict[str, Any]], breaks_at: dict[str, Any] | None = None
) -> dict[str, str] | None:
    """A funnel row's weakest step: for a rep, the pipeline step where the diagnosis finds
    their conversion breaks (clearly below their peers: `why` "breaks"); otherwise the step
    with the lowest conversion of those with a rate, the first on a tie (`why` "lowest"); None
    with fewer than two steps to compare."""
    if breaks_at is not None and breaks_at["kind"] == "stage":
        return {"metric": breaks_at["metric"], "why": "breaks"}
    rated = [s for s in steps if s["rate"] is not None]
    if len(rated) < 2:
        return None
    return {"metric": min(rated, key=lambda s: s["rate"])["metric"], "why": "lowest"}


# -- the drivers ---------------------------------------------------------------------------
def drivers_result(view: View, cov: Coverage, window: str | None, max_lag: int) -> Drivers:
    """`salesperf.analysis.drivers.core.drivers` for the viewer's team (cached)."""
    q = DriversQuery(team=cov.team, window=blank(window), max_lag=max_lag, today=view.today)
    return cached(view, ("drivers", q), lambda: drivers(view.store, q))


def drivers_page(
    view: View, team: str | None = None, window: str | None = None, max_lag: int = 8
) -> dict[str, Any]:
    """Which activity types go with deals won: each type's effect with its interval and best
    lag, the win rate with and without each type, and conversion by number of touches; all
    associations, not causes. `window`: default the last four full quarters; `max_lag` in weeks
    (0 to 26). Not for reps: the model is fitted on a whole team's weeks."""
    cov = coverage(view, team)
    if cov.own_rep is not None:
        said = view.scope.said()
        raise AccessDenied(
            text=both("refused.drivers_for_teams", lambda lang: {"scope": said.get(lang)})
        )
    d = drivers_result(view, cov, window, max_lag)
    return {
        "team": cov.team,
        "teams": team_choices(view),
        "window": period_json(d.window),
        "drivers": d.to_json(),
        "plain": plain_drivers(d),
    }


def plain_drivers(d: Drivers) -> dict[str, Any]:
    """The drivers in a manager's words: each type's effect as a percentage change in deals won
    ((rate ratio - 1) x 100, with its interval), after about how many more activities a week
    (the usual week-to-week swing the model measures in), with what lag and whether it is
    clear; and the sentences of the clear ones, strongest first."""
    effects = [
        _plain_effect(e)
        for e in d.fit.effects
        if all(math.isfinite(v) for v in (e.rate_ratio, e.low, e.high))
    ]
    clear = sorted((e for e in effects if e["clear"]), key=lambda e: -abs(e["change"]))
    summary = [e["text"] for e in clear] or [both("charts.drivers.none_clear")]
    for e in effects:
        e["text"] = e["text"].to_json()
    return {"effects": effects, "summary": [s.to_json() for s in summary]}


def _plain_effect(e: TypeEffect) -> dict[str, Any]:
    lag = e.lag
    return {
        "type": e.type, "change": 100 * (e.rate_ratio - 1), "low": 100 * (e.low - 1),
        "high": 100 * (e.high - 1), "per": e.per, "lag": lag, "clear": e.significant,
        "when": both(_later(lag), lambda _: {"n": lag}).to_json(), "text": _effect_text(e),
    }  # fmt: skip


def _later(lag: int) -> str:
    if lag == 0:
        return "drivers.lag.same_week"
    return "drivers.lag.one_week" if lag == 1 else "drivers.lag.weeks"


def _effect_text(e: TypeEffect) -> Text:
    """One type's effect in plain words, with how sure it is."""

    def values(lang: Lang) -> dict[str, Any]:
        return {
            "type": word(e.type, lang), "per": fmt.number(e.per, lang, 1),
            "change": fmt.relative(e.rate_ratio - 1, lang),
            "when": t(_later(e.lag), lang, n=e.lag), "low": fmt.relative(e.low - 1, lang),
            "high": fmt.relative(e.high - 1, lang),
        }  # fmt: skip

    sure = both("charts.drivers.effect.clear" if e.significant else "charts.drivers.effect.unclear")
    said = both("charts.drivers.effect", values)
    return Text(f"{said.en} {sure.en}", f"{said.nl} {sure.nl}")
