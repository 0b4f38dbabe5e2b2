"""The rates a plan rests on: every rep's, team's and the organisation's figures over a window,
loaded set-based once, and the rates of one of them with their intervals.

Deal figures (won, lost, revenue, average deal size, win rate) come from the metric layer;
opportunities are the deals created in the window, activities are counted per type. A team's
counts are its subtree's reps' counts, as the metric layer computes teams. Where a rep (or a
team) has no won deal or no opportunity, its rate is borrowed from the team above, and a note
says so; a rep's win rate is always shrunk toward its team's reps (beta-binomial).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any, TypeVar

import ibis
import numpy as np
import pandas as pd
from scipy import stats

from salesperf.analysis.plan import text
from salesperf.analysis.plan.simulation import LEVEL, Funnel, bootstrap_mean
from salesperf.analysis.stats.shrinkage import fit_prior, jeffreys_interval, shrink
from salesperf.analysis.windows import period_text
from salesperf.errors import InputError
from salesperf.fx import converted_deals
from salesperf.metrics.compiler import run
from salesperf.metrics.levels import team_closure
from salesperf.metrics.periods import Grain, Period, local_time
from salesperf.metrics.query import By, Query, Split
from salesperf.metrics.registry import QUOTA_METRIC
from salesperf.metrics.targets import resolved_targets
from salesperf.schema import DealStatus
from salesperf.store import Store
from salesperf.text import Text

_FIGURES = ("deals_won", "deals_lost", "revenue_won", "avg_deal_size", "win_rate")

Key = tuple[By, str]
ORG: Key = (By.ORG, "org")
V = TypeVar("V")


@dataclass(frozen=True)
class Estimate:
    """A rate the plan uses, with its interval, sample size and where it came from."""

    value: float
    low: float | None
    high: float | None
    n: int  # won deals behind a deal size; closed deals behind a win rate
    source: str  # "rep R002", "team T03" or "org"
    method: str
    raw: float | None = None  # a shrunk rate's own, unshrunk value


@dataclass(frozen=True)
class TypeRate:
    """Opportunities created per activity of one type over the window, with a 95% interval
    (Jeffreys, Gamma(opportunities + 1/2), on the count of opportunities)."""

    type: str
    activities: int
    rate: float
    low: float
    high: float


@dataclass(frozen=True)
class Rates:
    """The rates a plan rests on, over its window."""

    window: Period
    avg_deal_size: Estimate
    win_rate: Estimate
    opportunities: int  # created in the window, behind the activity rates
    opportunities_source: str
    activity: tuple[TypeRate, ...]


@dataclass(frozen=True)
class Figures:
    """One rep's, team's or the organisation's figures over the window and the pace weeks."""

    won: int = 0
    lost: int = 0
    revenue: float = 0.0
    avg_deal_size: float | None = None
    win_rate: float | None = None
    opportunities: int = 0
    activities: Mapping[str, int] = field(default_factory=dict)
    pace: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class PlanInputs:
    """The window's and pace weeks' figures of every rep, team and the organisation."""

    window: Period
    pace: Period
    currency: str
    figures: Mapping[Key, Figures]
    amounts: Mapping[Key, np.ndarray]  # won deals' amounts in the window
    names: Mapping[Key, str]
    parent: Mapping[str, str | None]  # team -> parent team
    rep_team: Mapping[str, str]
    members: Mapping[Key, tuple[str, ...]]  # team or org -> every rep of its subtree
    employed: Mapping[str, tuple[date | None, date | None]]  # rep -> (start, end)

    def get(self, key: Key) -> Figures:
        """The figures of `key` (zeros when it had no rows)."""
        return self.figures.get(key, Figures())

    def label(self, key: Key) -> str:
        """`Name (id)` of a rep or team; `the organisation` for the org."""
        return "the organisation" if key == ORG else f"{self.names.get(key, key[1])} ({key[1]})"

    def chain(self, key: Key) -> list[Key]:
        """`key`, then the teams above it, then the organisation: where rates are borrowed."""
        if key[0] is By.ORG:
            return [key]
        out = [key]
        t = self.rep_team.get(key[1]) if key[0] is By.REP else self.parent.get(key[1])
        while isinstance(t, str) and (By.TEAM, t) not in out:  # a cycle in bad data stops
            out.append((By.TEAM, t))
            t = self.parent.get(t)
        return [*out, ORG]

    def active(self, key: Key, day: date) -> list[str]:
        """The reps of a team's subtree (or the organisation) employed on `day`."""
        return [
            r
            for r in self.members.get(key, ())
            if (self.employed[r][0] is None or self.employed[r][0] <= day)  # type: ignore[operator]
            and (self.employed[r][1] is None or self.employed[r][1] >= day)  # type: ignore[operator]
        ]


def load_inputs(store: Store, window: Period, pace: Period) -> PlanInputs:
    """Every rep's, team's and the organisation's figures over `window` (and activity by type
    over the `pace` weeks), from the metric layer and a few set-based queries."""
    tz = store.settings.timezone
    figures: dict[Key, dict[str, Any]] = {}
    for by in By:
        q = Query(metrics=_FIGURES, start=window.start, end=window.end, grain=Grain.ALL, by=by)
        for rec in run(store.con, q, tz, store.settings.currency).to_dict("records"):
            figures[(by, str(rec[q.key]))] = {
                "won": int(rec["deals_won"]),
                "lost": int(rec["deals_lost"]),
                "revenue": _float(rec["revenue_won"]) or 0.0,
                "avg_deal_size": _float(rec["avg_deal_size"]),
                "win_rate": _float(rec["win_rate"]),
            }
    reps = store.table("reps").select("rep_id", "name", "team_id", "start_date", "end_date")
    reps_df = reps.to_pandas()
    teams_df = store.table("teams").select("team_id", "name", "parent_team_id").to_pandas()
    closure = team_closure(store.con)
    members: dict[Key, tuple[str, ...]] = {
        (By.TEAM, str(t)): tuple(sorted(g.rep_id)) for t, g in closure.groupby("team_id")
    }
    members[ORG] = tuple(sorted(reps_df.rep_id))

    def per_scope(per_rep: dict[str, V], add: Callable[[list[V]], V]) -> dict[Key, V]:
        out: dict[Key, V] = {(By.REP, r): v for r, v in per_rep.items()}
        for k, rs in members.items():
            out[k] = add([per_rep[r] for r in rs if r in per_rep])
        return out

    acts = per_scope(_by_type(_activities(store, window)), _add_counts)
    paced = per_scope(_by_type(_activities(store, pace)), _add_counts)
    opps_df, won_df = _deals(store, window)
    opps = per_scope({str(r): int(n) for r, n in zip(opps_df.rep_id, opps_df.n, strict=True)}, sum)
    amounts = per_scope(
        {str(r): g.amount.to_numpy(float) for r, g in won_df.groupby("rep_id")},
        lambda xs: np.concatenate(xs) if xs else np.zeros(0),
    )
    out = {
        k: Figures(
            **figures.get(k, {}),
            opportunities=opps.get(k, 0),
            activities=acts.get(k, {}),
            pace=paced.get(k, {}),
        )
        for k in set(figures) | set(acts) | set(opps) | set(paced)
    }
    names = {
        (By.REP, str(r)): _name(n, r) for r, n in zip(reps_df.rep_id, reps_df.name, strict=True)
    }
    for t, n in zip(teams_df.team_id, teams_df.name, strict=True):
        names[(By.TEAM, str(t))] = _name(n, t)
    return PlanInputs(
        window=window,
        pace=pace,
        currency=store.settings.currency,
        figures=out,
        amounts=amounts,
        names=names,
        parent={
            str(t): (p if isinstance(p, str) else None)
            for t, p in zip(teams_df.team_id, teams_df.parent_team_id, strict=True)
        },
        rep_team={str(r): str(t) for r, t in zip(reps_df.rep_id, reps_df.team_id, strict=True)},
        members=members,
        employed={
            str(r): (_date(s), _date(e))
            for r, s, e in zip(reps_df.rep_id, reps_df.start_date, reps_df.end_date, strict=True)
        },
    )


def period_targets(store: Store, scope: By, period: Period) -> dict[str, float]:
    """Revenue targets of `period` per rep, team or organisation (by id; the organisation's is
    "org"), by the one rule of `salesperf.metrics.targets`: set for the period, else summed
    from shorter periods, spread from a longer one, or from members."""
    found = resolved_targets(store.con, scope, QUOTA_METRIC, period.start, period.end)
    return {k: v for k, (v, _) in found.items() if _float(v)}


def estimate_rates(inputs: PlanInputs, key: Key) -> tuple[Rates, Funnel, list[Text]]:
    """The rates of one rep, team or the organisation: average deal size (bootstrap interval),
    win rate (shrunk for a rep; Jeffreys for a team), opportunities per activity of each type
    (Gamma interval); the simulation's funnel (opportunities still to be set) and the notes on
    borrowed rates."""
    notes: list[Text] = []
    w, who = period_text(inputs.window), inputs.label(key)
    chain = inputs.chain(key)
    src = next((k for k in chain if inputs.get(k).won > 0), None)
    if src is None:
        raise InputError(
            f"no deal was won in {w} by {who} or any team above: choose a longer window"
        )
    fig = inputs.get(src)
    sizes = inputs.amounts.get(src, np.zeros(0))
    low, high = bootstrap_mean(sizes)
    assert fig.avg_deal_size is not None
    size = Estimate(fig.avg_deal_size, low, high, fig.won, _source(src), "bootstrap (95%)")
    if src != key:
        notes.append(_borrowed(inputs, key, src, "avg"))
    win, alpha, beta = _win_rate(inputs, key, notes)
    osrc = next(
        (k for k in chain if inputs.get(k).opportunities and inputs.get(k).activities), None
    )
    if osrc is None:
        raise InputError(
            f"no opportunity was created in {w} by {who} or any team above: choose a longer window"
        )
    if osrc != key:
        notes.append(_borrowed(inputs, key, osrc, "opps"))
    o = inputs.get(osrc)
    lo_q, hi_q = stats.gamma.ppf([(1 - LEVEL) / 2, (1 + LEVEL) / 2], o.opportunities + 0.5)
    activity = tuple(
        TypeRate(t, n, o.opportunities / n, float(lo_q) / n, float(hi_q) / n)
        for t, n in sorted(o.activities.items(), key=lambda x: (-x[1], x[0]))
    )
    rates = Rates(inputs.window, size, win, o.opportunities, _source(osrc), activity)
    return rates, Funnel(0.0, o.opportunities, alpha, beta, tuple(sizes.tolist())), notes


def _win_rate(inputs: PlanInputs, key: Key, notes: list[Text]) -> tuple[Estimate, float, float]:
    """A rep's win rate shrunk toward its team's reps (the organisation's when the team closed
    nothing); a team's own, with a Jeffreys interval (the team above's when it won nothing).
    Returns the estimate and its posterior Beta(alpha, beta)."""
    f = inputs.get(key)
    closed = f.won + f.lost
    if key[0] is By.REP:
        team: str | None = inputs.rep_team.get(key[1])
        groups = ([r for r, t in inputs.rep_team.items() if t == team], list(inputs.rep_team))
        for i, group in enumerate(groups):
            ks = [inputs.get((By.REP, r)).won for r in group]
            ns = [inputs.get((By.REP, r)).won + inputs.get((By.REP, r)).lost for r in group]
            if sum(ns) > 0:
                team = team if i == 0 else None
                break
        else:
            raise InputError(f"no deal was closed in {inputs.window.label}: choose a longer window")
        prior = fit_prior(ks, ns)
        rate = shrink(f.won, closed, prior, LEVEL)
        if closed == 0:
            notes.append(text.no_closed_text(inputs.label(key), inputs.window, team))
        method = text.shrunk_method(team, prior.mean, prior.strength)
        est = Estimate(float(rate.estimate), float(rate.low), float(rate.high), closed,
                       _source(key), method, rate.raw)  # fmt: skip
        return est, float(prior.alpha) + f.won, float(prior.beta) + f.lost
    src = next((k for k in inputs.chain(key) if inputs.get(k).won > 0), key)
    s = inputs.get(src)
    if src != key:
        notes.append(_borrowed(inputs, key, src, "win"))
    interval = jeffreys_interval(s.won, s.won + s.lost, LEVEL)
    assert s.win_rate is not None
    assert interval is not None
    est = Estimate(
        s.win_rate, interval[0], interval[1], s.won + s.lost, _source(src),
        "Jeffreys interval (95%)", s.win_rate,
    )  # fmt: skip
    return est, s.won + 0.5, s.lost + 0.5


def _borrowed(inputs: PlanInputs, key: Key, src: Key, what: str) -> Text:
    """What the scope lacked (`what`: avg, win or opps) and whose rate it borrows."""
    return text.borrowed_text(inputs.label(key), inputs.label(src), src == ORG, inputs.window, what)


def _activities(store: Store, period: Period) -> pd.DataFrame:
    q = Query(metrics=("activities",), start=period.start, end=period.end, grain=Grain.ALL,
              by=By.REP, split=Split.TYPE)  # fmt: skip
    return run(store.con, q, store.settings.timezone, store.settings.currency)


def _deals(store: Store, window: Period) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Opportunities (deals created) per rep in the window, and the amounts of the deals won."""
    tz = store.settings.timezone
    lo = ibis.timestamp(datetime.combine(window.start, time()))
    hi = ibis.timestamp(datetime.combine(window.end, time()))
    d = converted_deals(store.con, store.settings.currency, timezone=tz)
    c = d.mutate(_t=local_time(d.created_at, tz, window.start, window.end))
    c = c.filter((c._t >= lo) & (c._t < hi))
    opps = c.group_by("rep_id").aggregate(n=c.count()).to_pandas()
    w = d.filter(d.status == DealStatus.WON.value)
    w = w.mutate(_t=local_time(w.closed_at, tz, window.start, window.end))
    w = w.filter((w._t >= lo) & (w._t < hi))
    won = w.select("rep_id", amount=w.amount.fill_null(0).cast("float64")).to_pandas()
    return opps, won


def _by_type(df: pd.DataFrame) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for r, t, n in zip(df.rep_id, df["type"], df.activities, strict=True):
        if isinstance(t, str) and int(n) > 0:
            out.setdefault(str(r), {})[t] = int(n)
    return out


def _add_counts(items: list[dict[str, int]]) -> dict[str, int]:
    total: dict[str, int] = {}
    for d in items:
        for t, n in d.items():
            total[t] = total.get(t, 0) + n
    return total


def _source(key: Key) -> str:
    return "org" if key == ORG else f"{key[0].value} {key[1]}"


def _float(v: Any) -> float | None:
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    f = float(v)
    return None if math.isnan(f) else f


def _date(v: Any) -> date | None:
    if v is None or v is pd.NaT or (isinstance(v, float) and math.isnan(v)):
        return None
    return v.date() if isinstance(v, datetime) else v  # type: ignore[no-any-return]


def _name(n: Any, key: Any) -> str:
    return n if isinstance(n, str) else str(key)
