"""The activity–performance quadrant and the diagnosis of each rep (spec/metrics.md).

For each rep active in a window (by default the shortest run of whole quarters, ending with the
last full one, in which most reps have the evidence a label needs: `quadrant_window`):

- activity index = the rep's activities per working day / the median of their peers'; its
  interval is a Gamma (Garwood) interval on the activity count over the working days, widened
  by the overdispersion of the rep's daily counts (quasi-Poisson), divided by the median;
- performance index = revenue won / the rep's revenue target for the window where one is set
  (quota attainment), else / the peers' median revenue won; its interval is a Poisson bootstrap
  over the rep's won deals (each deal drawn a Poisson(1) number of times, so both how many deals
  were won and how large they were vary), divided by the target or the median.

Medians are taken as fixed. The peers are the rep's own team, or the whole queried team subtree
(`Peers`); the result says which. A rep is labelled only when the evidence supports the label
(see `MIN_CLOSED_DEALS`, `MIN_WEEKS_ACTIVE`, `MATERIAL_DIFFERENCE`, `LEVEL`, and
`quadrant_evidence`, which does the judging); otherwise the label is `inconclusive`, with the
reasons. Busy-not-effective and at-risk reps also get where
their conversion breaks, and every rep how their lead conversion compares on the same lead mix
(`salesperf.analysis.quadrant.breaks`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

import ibis
import numpy as np
import pandas as pd

from salesperf.analysis.quadrant.breaks import (
    PIPELINE,
    Break,
    RateComparison,
    compare_rates,
    lead_counts,
    lead_null_reason,
    rate_counts,
    where_it_breaks,
)
from salesperf.analysis.quadrant.evidence import (
    BOOTSTRAP_DRAWS,
    LEVEL,
    MATERIAL_DIFFERENCE,
    MIN_CLOSED_DEALS,
    MIN_WEEKS_ACTIVE,
    QUADRANTS,
    Activity,
    Index,
    Performance,
    Quadrant,
    Reason,
    RepCounts,
    Why,
    bootstrap_sum,
    dispersion,
    judge,
    per_rep_days,
    rate_interval,
    rep_counts,
)
from salesperf.analysis.quadrant.leadmix import LeadMix, lead_mix
from salesperf.analysis.quadrant.text import explain_rep, overview
from salesperf.analysis.quadrant.window import (
    MAX_QUARTERS,
    MIN_READY_SHARE,
    MIN_WON_DEALS,
    WindowChoice,
    choose_window,
    chosen_end,
    given_window,
)
from salesperf.analysis.vocab import Basis as Basis  # re-exported: part of the result
from salesperf.analysis.vocab import Label as Label
from salesperf.analysis.vocab import Peers as Peers
from salesperf.analysis.windows import plain, resolve_window
from salesperf.contexts import get_context
from salesperf.errors import InputError
from salesperf.fx import Tables
from salesperf.metrics.compiler import run, run_measures
from salesperf.metrics.facts import FACTS
from salesperf.metrics.levels import team_closure
from salesperf.metrics.periods import Grain, Period, day_bound, local_time, period_start
from salesperf.metrics.query import By, Compare, Query, buckets
from salesperf.metrics.registry import QUOTA_METRIC
from salesperf.schema import DealStatus
from salesperf.store import Store
from salesperf.store.reads import windowed
from salesperf.text import Text

__all__ = [  # with what the tests and callers import from here
    "MIN_CLOSED_DEALS", "MIN_WEEKS_ACTIVE", "QUADRANTS", "Basis", "DiagnoseQuery", "Diagnosis",
    "Index", "Label", "Peers", "RepDiagnosis", "Why", "bootstrap_sum", "diagnose", "dispersion",
    "rate_interval",
]  # fmt: skip


@dataclass(frozen=True)
class DiagnoseQuery:
    """Which reps to diagnose, over which window, compared with whom."""

    team: str | None = None  # a team id: that team's subtree; None: the whole organisation
    window: Period | str | None = None  # default: chosen on the evidence (`quadrant_window`)
    today: date | None = None  # what "last quarter" is counted from (default: today)
    peers: Peers | None = None  # default: the queried team when one is given, else own team
    include_managers: bool = False  # managers' time goes to the team: left out by default
    seed: int = 0  # the bootstrap's seed
    stages: tuple[str, ...] = PIPELINE


@dataclass(frozen=True)
class RepDiagnosis:
    """One rep: the two indexes, the label (or why none), the rates compared with the peers,
    where conversion breaks and the lead-mix comparison."""

    rep_id: str
    name: str
    team_id: str
    peer_group: str  # the team id whose reps are the peers
    activity: Activity
    performance: Performance
    label: Label
    reasons: tuple[Reason, ...]  # why the label is inconclusive (empty otherwise)
    rates: tuple[RateComparison, ...]
    breaks_at: Break | None  # for busy-not-effective and at-risk reps
    lead_mix: LeadMix | None
    explanation: Text

    @property
    def quadrant(self) -> Quadrant:
        """The label's name and suggestion."""
        return QUADRANTS[self.label]

    def rate(self, name: str) -> RateComparison | None:
        """The compared rate called `name` (win_rate, stage_conversion:demo>proposal...)."""
        return next((r for r in self.rates if r.metric == name), None)

    def to_json(self) -> dict[str, Any]:
        """JSON-safe fields (every field, plus the label's name and suggestion)."""
        d: dict[str, Any] = plain(self)
        return {
            **d,
            "label_text": plain(self.quadrant.name),
            "suggests": plain(self.quadrant.suggests),
        }


@dataclass(frozen=True)
class Diagnosis:
    """The quadrant of every rep in the query, and how they were compared."""

    window: Period
    team: str | None
    peers: Peers
    reps: tuple[RepDiagnosis, ...]
    explanation: Text
    thresholds: Mapping[str, float] = field(default_factory=dict)
    context: str = "general"  # the context preset whose words the explanation uses
    window_choice: WindowChoice | None = None  # how the window was chosen (or that it was given)
    nulls: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # rates null for all

    def rep(self, rep_id: str) -> RepDiagnosis:
        """The diagnosis of one rep."""
        for r in self.reps:
            if r.rep_id == rep_id:
                return r
        raise ValueError(f"rep {rep_id!r} is not in this diagnosis")

    def labelled(self, label: Label) -> tuple[str, ...]:
        """The rep ids with `label`."""
        return tuple(r.rep_id for r in self.reps if r.label is label)

    def ranking(self, metric: str, peer_group: str) -> tuple[str, ...]:
        """The rep ids of a peer group from the highest shrunk `metric` down (reps without
        trials left out)."""
        ranked = [
            (c.rank, r.rep_id)
            for r in self.reps
            if r.peer_group == peer_group
            for c in r.rates
            if c.metric == metric and c.rank is not None
        ]
        return tuple(rep for _, rep in sorted(ranked))

    def to_json(self) -> dict[str, Any]:
        """JSON-safe fields, for the API and `diagnose --format json`."""
        return {
            "window": {
                "label": self.window.label,
                "start": self.window.start.isoformat(),
                "end": (self.window.end - timedelta(days=1)).isoformat(),
            },
            "team": self.team,
            "peers": self.peers.value,
            "context": self.context,
            "thresholds": dict(self.thresholds),
            "explanation": plain(self.explanation),
            "window_choice": plain(self.window_choice),
            "nulls": plain(self.nulls),
            "reps": [r.to_json() for r in self.reps],
        }


# -- the data ------------------------------------------------------------------------------
def _reps(store: Store, team: str | None, include_managers: bool) -> pd.DataFrame:
    """rep_id, name, team_id of the reps of the subtree (or organisation)."""
    reps = store.table("reps").select("rep_id", "name", "team_id", "role").to_pandas()
    if team is not None:
        teams = store.table("teams").select("team_id").to_pandas()["team_id"]
        if team not in set(teams):
            raise InputError(f"unknown team {team!r}; the teams are: {', '.join(sorted(teams))}")
        closure = team_closure(store.con)
        reps = reps[reps.rep_id.isin(closure[closure.team_id == team].rep_id)]
    if not include_managers:
        reps = reps[reps.role.fillna("rep") != "manager"]
    reps = reps.assign(name=reps.name.where(reps.name.notna(), reps.rep_id))
    return pd.DataFrame(reps.reset_index(drop=True))


def _daily(store: Store, window: Period, reps: frozenset[str]) -> pd.DataFrame:
    """Activities and working days per rep and day of the window."""
    q = Query(("activities_per_day",), window.start, window.end, grain=Grain.DAY, reps=reps)
    return run_measures(store.con, q, store.settings.timezone, store.settings.currency)


def _won_amounts(store: Store, window: Period, reps: frozenset[str]) -> pd.DataFrame:
    """rep_id, amount of the deals won in the window (the rows revenue_won sums), in the order
    of their ids: the bootstrap draws from them by position, and the engine hands rows over in
    any order, so the same deals must come in the same order to give the same interval."""
    tz = store.settings.timezone
    t = FACTS["deal_closed"].rows(Tables(store.con, store.settings.currency, timezone=tz))
    t = t.filter((t.status == DealStatus.WON.value) & t.rep_id.isin(sorted(reps)))
    local = local_time(t.closed_at, tz, window.start, window.end)
    lo, hi = (ibis.timestamp(datetime.combine(d, time())) for d in (window.start, window.end))
    t = t.filter((local >= lo) & (local < hi) & t.amount.notnull())
    return pd.DataFrame(t.order_by("deal_id").select("rep_id", "amount").to_pandas())


def _targets(store: Store, window: Period, reps: frozenset[str]) -> dict[str, float]:
    """Each rep's revenue target for the window: one target for the whole window, else the sum
    of quarterly or monthly targets when they cover every quarter or month of it."""
    found: dict[str, float] = {}
    t = store.table("targets")
    t = t.filter((t.scope == "rep") & (t.metric == QUOTA_METRIC) & t.scope_id.isin(sorted(reps)))
    if int(t.count().execute()) == 0:
        return found
    for grain in (Grain.ALL, Grain.QUARTER, Grain.MONTH):
        missing = reps - set(found)
        if not missing:
            break
        if grain is not Grain.ALL and (
            period_start(window.start, grain) != window.start
            or period_start(window.end, grain) != window.end
        ):
            continue
        q = Query(
            (QUOTA_METRIC,), window.start, window.end, grain=grain, compare=(Compare.TARGET,),
            reps=frozenset(missing),
        )  # fmt: skip
        df = run(store.con, q, store.settings.timezone, store.settings.currency)
        col = f"{QUOTA_METRIC}_target"
        n = len(buckets(q))
        whole = df.groupby("rep_id")[col].agg(["sum", "count"])
        for rep, row in whole.iterrows():
            if rep not in found and row["count"] == n:
                found[str(rep)] = float(row["sum"])
    return found


# -- the diagnosis -------------------------------------------------------------------------
def diagnose(store: Store, query: DiagnoseQuery) -> Diagnosis:
    """The quadrant of every rep active in the window (activity or closed deals), with intervals,
    labels only where the evidence supports them, and where conversion breaks. Without a window,
    the shortest run of whole quarters in which most reps can be judged (`quadrant_window`).

    Every activity it counts is in a window that ends by the end of the given window, or of
    the last full quarter (the activities linked to a deal or lead aside, whatever their day):
    a result that outlives writes of later activities (`salesperf.store.reads.windowed`)."""
    if query.window is None:
        until = chosen_end(query.today or date.today())
    else:
        until = resolve_window(query.window, query.today).end
    with windowed(day_bound(until, store.settings.timezone)):
        return _diagnose(store, query)


def _diagnose(store: Store, query: DiagnoseQuery) -> Diagnosis:
    peers = query.peers or (Peers.QUERIED_TEAM if query.team else Peers.OWN_TEAM)
    ctx = get_context(store.settings.context)
    reps = _reps(store, query.team, query.include_managers)
    ids = frozenset(reps.rep_id)
    where = f"team {query.team}" if query.team else "the organisation"
    if not ids:
        raise InputError(f"{where} has no reps to diagnose")
    if query.window is None:
        choice = choose_window(store, ids, query.today or date.today())
    else:
        choice = given_window(resolve_window(query.window, query.today))
    window = choice.window
    q = Query(
        ("activities", "activities_per_day", "revenue_won", "deals_won", "deals_lost"),
        window.start, window.end, grain=Grain.ALL, by=By.REP, reps=ids,
    )  # fmt: skip
    totals = run(store.con, q, store.settings.timezone, store.settings.currency).set_index("rep_id")
    totals = totals.reindex(sorted(ids))
    closed = totals.deals_won.fillna(0) + totals.deals_lost.fillna(0)
    active = totals[(totals.activities.fillna(0) > 0) | (closed > 0)]
    if active.empty:
        raise InputError(f"no rep of {where} has activity or closed deals in {window.label}")
    active_ids = frozenset(str(r) for r in active.index)
    reps = reps[reps.rep_id.isin(active_ids)].sort_values("rep_id")
    root = query.team or "org"
    groups = {
        str(r): (str(t) if peers is Peers.OWN_TEAM else root)
        for r, t in zip(reps.rep_id, reps.team_id, strict=True)
    }

    daily = _daily(store, window, active_ids)
    daily = daily.assign(week=pd.to_datetime(daily.period_start).dt.strftime("%G-%V"))
    targets = _targets(store, window, active_ids)
    won = _won_amounts(store, window, active_ids)
    leads = lead_counts(store, window, active_ids)
    lead_null = lead_null_reason(store, window, active_ids)
    rates = compare_rates(rate_counts(store, window, active_ids, query.stages, leads), groups)
    mixes = lead_mix(leads, groups)

    days = per_rep_days(daily)
    amounts_of = {
        str(r): g.to_numpy(dtype=float) for r, g in won.groupby("rep_id", sort=False)["amount"]
    }
    counts: dict[str, list[RepCounts]] = {}
    for rep in sorted(groups):
        counts.setdefault(groups[rep], []).append(
            rep_counts(
                rep, active.loc[rep], days, amounts_of.get(rep, np.zeros(0)), targets.get(rep)
            )
        )
    judged = {r: j for group in counts.values() for r, j in judge(group, query.seed).items()}

    out = []
    for rep, name, team_id in zip(reps.rep_id, reps.name, reps.team_id, strict=True):
        rep = str(rep)
        j = judged[rep]
        breaks = where_it_breaks(rates[rep]) if j.label in (Label.BUSY, Label.AT_RISK) else None
        mix = mixes.get(rep)
        out.append(
            RepDiagnosis(
                rep_id=rep, name=str(name), team_id=str(team_id), peer_group=groups[rep],
                activity=j.activity, performance=j.performance, label=j.label,
                reasons=j.reasons, rates=rates[rep], breaks_at=breaks, lead_mix=mix,
                explanation=explain_rep(
                    str(name), j.label, j.reasons, None if breaks is None else breaks.text,
                    None if mix is None else mix.text, lead_null),
            )
        )  # fmt: skip
    thresholds = {
        "min_closed_deals": MIN_CLOSED_DEALS,
        "min_weeks_active": MIN_WEEKS_ACTIVE,
        "material_difference": MATERIAL_DIFFERENCE,
        "level": LEVEL,
        "bootstrap_draws": BOOTSTRAP_DRAWS,
        "min_ready_share": MIN_READY_SHARE,
        "min_won_deals_for_window": MIN_WON_DEALS,
        "max_quarters": MAX_QUARTERS,
    }
    return Diagnosis(
        window=window,
        team=query.team,
        peers=peers,
        reps=tuple(out),
        explanation=overview(window, peers, query.team, ctx, thresholds),
        context=ctx.name,
        thresholds=thresholds,
        window_choice=choice,
        nulls={"lead_conversion_rate": lead_null} if lead_null else {},
    )
