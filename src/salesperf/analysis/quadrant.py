"""The activity–performance quadrant and the diagnosis of each rep (spec/metrics.md).

For each rep active in a window:

- activity index = the rep's activities per working day / the median of their peers'; its
  interval is a Gamma (Garwood) interval on the activity count over the working days, widened
  by the overdispersion of the rep's daily counts (quasi-Poisson), divided by the median;
- performance index = revenue won / the rep's revenue target for the window where one is set
  (quota attainment), else / the peers' median revenue won; its interval is a Poisson bootstrap
  over the rep's won deals (each deal drawn a Poisson(1) number of times, so both how many deals
  were won and how large they were vary), divided by the target or the median.

Medians are taken as fixed. The peers are the rep's own team, or the whole queried team subtree
(`Peers`); the result says which. A rep is labelled only when the evidence supports the label
(see `MIN_CLOSED_DEALS`, `MIN_WEEKS_ACTIVE`, `MATERIAL_DIFFERENCE`, `LEVEL`); otherwise the
label is `inconclusive`, with the reasons. Busy-not-effective and at-risk reps also get where
their conversion breaks, and every rep how their lead conversion compares on the same lead mix
(`salesperf.analysis.breaks`).
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any

import ibis
import numpy as np
import pandas as pd
from scipy import stats

from salesperf.analysis import shrinkage
from salesperf.analysis.breaks import (
    PIPELINE,
    Break,
    LeadMix,
    RateComparison,
    compare_rates,
    lead_counts,
    lead_mix,
    rate_counts,
    where_it_breaks,
)
from salesperf.analysis.common import Lang, Text, number, plain, resolve_window, window_text
from salesperf.analysis.vocab import Basis as Basis  # re-exported: part of the result
from salesperf.analysis.vocab import Label as Label
from salesperf.analysis.vocab import Peers as Peers
from salesperf.contexts import Context, get_context
from salesperf.fx import Tables
from salesperf.metrics.compiler import run, run_measures
from salesperf.metrics.facts import FACTS
from salesperf.metrics.levels import team_closure
from salesperf.metrics.periods import Grain, Period, local_time, period_start
from salesperf.metrics.query import By, Compare, Query, buckets
from salesperf.metrics.registry import QUOTA_METRIC
from salesperf.schema import DealStatus
from salesperf.store import Store

#: A rep with fewer deals closed (won or lost) in the window gets no label: revenue and win
#: rate from a handful of deals say too little.
MIN_CLOSED_DEALS = 10
#: A rep with activity in fewer ISO weeks of the window gets no label (a new hire, a long
#: absence, a window too short): a quarter or longer is the window the quadrant is meant for.
MIN_WEEKS_ACTIVE = 6
#: An index within this distance of 1 is "about the median / on target" even when its interval
#: excludes 1: a 4% difference is certain with enough data but not worth a label.
MATERIAL_DIFFERENCE = 0.10
#: The level of every interval.
LEVEL = shrinkage.LEVEL
#: Bootstrap draws for the performance interval.
BOOTSTRAP_DRAWS = 4000


@dataclass(frozen=True)
class Quadrant:
    """A quadrant's name and what it suggests, in both languages."""

    label: Label
    name: Text
    suggests: Text


QUADRANTS: Mapping[Label, Quadrant] = {
    q.label: q
    for q in (
        Quadrant(Label.STAR, Text("Star", "Topper"),
                 Text("share their way of working", "deel hun manier van werken")),
        Quadrant(Label.BUSY, Text("Busy, not effective", "Druk maar niet effectief"),
                 Text("coach on quality: conversion per activity type",
                      "coach op kwaliteit: conversie per activiteitstype")),
        Quadrant(Label.EFFICIENT, Text("Efficient", "Efficiënt"),
                 Text("capacity to do more; protect the approach",
                      "ruimte om meer te doen; bescherm de aanpak")),
        Quadrant(Label.AT_RISK, Text("At risk", "Risico"),
                 Text("volume and quality both need attention",
                      "volume en kwaliteit vragen allebei aandacht")),
        Quadrant(Label.INCONCLUSIVE, Text("Inconclusive", "Geen oordeel"),
                 Text("not enough evidence for a label yet",
                      "nog niet genoeg bewijs voor een oordeel")),
    )
}  # fmt: skip

_LABELS = {
    (True, True): Label.STAR,
    (True, False): Label.BUSY,
    (False, True): Label.EFFICIENT,
    (False, False): Label.AT_RISK,
}


class Why(StrEnum):
    """Why a rep is inconclusive."""

    TOO_FEW_DEALS = "too_few_deals"  # fewer than MIN_CLOSED_DEALS closed deals
    TOO_FEW_WEEKS = "too_few_weeks"  # activity in fewer than MIN_WEEKS_ACTIVE weeks
    SPANS = "interval_spans"  # the index's interval holds 1
    WITHIN_MARGIN = "within_margin"  # the index is within MATERIAL_DIFFERENCE of 1
    NO_REFERENCE = "no_reference"  # no team median to divide by
    NO_INTERVAL = "no_interval"  # nothing to put an interval on


@dataclass(frozen=True)
class Reason:
    """One reason a rep has no label: what, about which index, in a sentence and in short."""

    why: Why
    about: str  # "activity" or "performance"
    text: Text
    short: Text  # a few words, for a table cell


@dataclass(frozen=True)
class DiagnoseQuery:
    """Which reps to diagnose, over which window, compared with whom."""

    team: str | None = None  # a team id: that team's subtree; None: the whole organisation
    window: Period | str | None = None  # default: the last full quarter
    today: date | None = None  # what "last quarter" is counted from (default: today)
    peers: Peers | None = None  # default: the queried team when one is given, else own team
    include_managers: bool = False  # managers' time goes to the team: left out by default
    seed: int = 0  # the bootstrap's seed
    stages: tuple[str, ...] = PIPELINE


@dataclass(frozen=True)
class Index:
    """An index with its interval, and what it was divided by."""

    value: float | None
    low: float | None
    high: float | None
    basis: Basis
    level: float = LEVEL

    def side(self) -> bool | None:
        """True when clearly above 1, False when clearly below, None when not clear: the
        interval must exclude 1 and the index differ from 1 by `MATERIAL_DIFFERENCE`."""
        if self.value is None or self.low is None or self.high is None:
            return None
        if self.low > 1 and self.value >= 1 + MATERIAL_DIFFERENCE:
            return True
        if self.high < 1 and self.value <= 1 - MATERIAL_DIFFERENCE:
            return False
        return None


@dataclass(frozen=True)
class Activity:
    """A rep's activity over the window and its index."""

    activities: int
    working_days: int
    per_day: float | None
    weeks_active: int
    dispersion: float  # variance / mean of the daily counts (at least 1)
    team_median: float | None
    index: Index


@dataclass(frozen=True)
class Performance:
    """A rep's results over the window and their index."""

    revenue_won: float
    deals_won: int
    deals_lost: int
    target: float | None
    team_median: float | None
    index: Index


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
            "reps": [r.to_json() for r in self.reps],
        }


# -- intervals -----------------------------------------------------------------------------
def dispersion(daily: np.ndarray) -> float:
    """Variance over mean of daily counts (Pearson's estimate, at least 1: never narrower than
    Poisson); 1 with fewer than two days or no activity."""
    x = np.asarray(daily, dtype=float)
    if x.size < 2 or x.sum() == 0:
        return 1.0
    mean = x.mean()
    return max(1.0, float(((x - mean) ** 2).sum() / mean / (x.size - 1)))


def rate_interval(
    count: int, days: float, phi: float = 1.0, level: float = LEVEL
) -> tuple[float, float]:
    """The interval of a per-day rate from `count` events over `days` days: the exact Gamma
    (Garwood) interval for a Poisson count, on count / phi events when the counts are
    overdispersed by a factor phi, scaled back."""
    if days <= 0:
        raise ValueError("a rate per day needs at least one day")
    tail = (1 - level) / 2
    m = count / phi
    low = 0.0 if count == 0 else float(stats.gamma.ppf(tail, m))
    high = float(stats.gamma.ppf(1 - tail, m + 1))
    return low * phi / days, high * phi / days


def bootstrap_sum(
    amounts: np.ndarray,
    rng: np.random.Generator,
    draws: int = BOOTSTRAP_DRAWS,
    level: float = LEVEL,
) -> tuple[float, float]:
    """A percentile interval of the sum of `amounts` by Poisson bootstrap: each amount appears a
    Poisson(1) number of times in a draw, so the count of deals varies as well as their sizes.
    (0, 0) without amounts."""
    x = np.asarray(amounts, dtype=float)
    if x.size == 0:
        return 0.0, 0.0
    sums = rng.poisson(1.0, (draws, x.size)).astype(float) @ x
    tail = (1 - level) / 2
    low, high = np.quantile(sums, [tail, 1 - tail])
    return float(low), float(high)


def _rng(seed: int, rep_id: str) -> np.random.Generator:
    """A generator per rep: a rep's interval does not depend on who else is diagnosed."""
    return np.random.default_rng([seed, zlib.crc32(rep_id.encode())])


# -- the data ------------------------------------------------------------------------------
def _reps(store: Store, team: str | None, include_managers: bool) -> pd.DataFrame:
    """rep_id, name, team_id of the reps of the subtree (or organisation)."""
    reps = store.table("reps").select("rep_id", "name", "team_id", "role").to_pandas()
    if team is not None:
        teams = store.table("teams").select("team_id").to_pandas()["team_id"]
        if team not in set(teams):
            raise ValueError(f"unknown team {team!r}; the teams are: {', '.join(sorted(teams))}")
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
    """rep_id, amount of the deals won in the window (the rows revenue_won sums)."""
    tz = store.settings.timezone
    t = FACTS["deal_closed"].rows(Tables(store.con, store.settings.currency, timezone=tz))
    t = t.filter((t.status == DealStatus.WON.value) & t.rep_id.isin(sorted(reps)))
    local = local_time(t.closed_at, tz, window.start, window.end)
    lo, hi = (ibis.timestamp(datetime.combine(d, time())) for d in (window.start, window.end))
    t = t.filter((local >= lo) & (local < hi) & t.amount.notnull())
    return pd.DataFrame(t.select("rep_id", "amount").to_pandas())


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
    labels only where the evidence supports them, and where conversion breaks."""
    window = resolve_window(query.window, query.today)
    peers = query.peers or (Peers.QUERIED_TEAM if query.team else Peers.OWN_TEAM)
    ctx = get_context(store.settings.context)
    reps = _reps(store, query.team, query.include_managers)
    ids = frozenset(reps.rep_id)
    where = f"team {query.team}" if query.team else "the organisation"
    if not ids:
        raise ValueError(f"{where} has no reps to diagnose")
    q = Query(
        ("activities", "activities_per_day", "revenue_won", "deals_won", "deals_lost"),
        window.start, window.end, grain=Grain.ALL, by=By.REP, reps=ids,
    )  # fmt: skip
    totals = run(store.con, q, store.settings.timezone, store.settings.currency).set_index("rep_id")
    totals = totals.reindex(sorted(ids))
    closed = totals.deals_won.fillna(0) + totals.deals_lost.fillna(0)
    active = totals[(totals.activities.fillna(0) > 0) | (closed > 0)]
    if active.empty:
        raise ValueError(f"no rep of {where} has activity or closed deals in {window.label}")
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
    rates = compare_rates(rate_counts(store, window, active_ids, query.stages, leads), groups)
    mixes = lead_mix(leads, groups)

    per_day = active.activities_per_day.astype(float)
    revenue = active.revenue_won.astype(float).fillna(0.0)
    members: dict[str, list[str]] = {}
    for r, g in groups.items():
        members.setdefault(g, []).append(r)
    apd_median = {g: _median(per_day.reindex(m)) for g, m in members.items()}
    rev_median = {g: _median(revenue.reindex(m)) for g, m in members.items()}
    size_median = {g: _median(won.amount[won.rep_id.isin(m)]) for g, m in members.items()}

    out = []
    for rep, name, team_id in zip(reps.rep_id, reps.name, reps.team_id, strict=True):
        rep, g = str(rep), groups[str(rep)]
        row: pd.Series = active.loc[rep]  # type: ignore[assignment]
        days = daily[(daily.rep_id == rep)]
        activity = _activity(row, days, apd_median[g])
        amounts = won.amount[won.rep_id == rep].to_numpy(dtype=float)
        performance = _performance(
            row, amounts, targets.get(rep), rev_median[g], size_median[g], _rng(query.seed, rep)
        )
        label, reasons = _label(activity, performance)
        breaks = where_it_breaks(rates[rep]) if label in (Label.BUSY, Label.AT_RISK) else None
        out.append(
            RepDiagnosis(
                rep_id=rep,
                name=str(name),
                team_id=str(team_id),
                peer_group=g,
                activity=activity,
                performance=performance,
                label=label,
                reasons=reasons,
                rates=rates[rep],
                breaks_at=breaks,
                lead_mix=mixes.get(rep),
                explanation=_explain(str(name), label, reasons, breaks, mixes.get(rep)),
            )
        )
    return Diagnosis(
        window=window,
        team=query.team,
        peers=peers,
        reps=tuple(out),
        explanation=_overview(window, peers, query.team, ctx),
        context=ctx.name,
        thresholds={
            "min_closed_deals": MIN_CLOSED_DEALS,
            "min_weeks_active": MIN_WEEKS_ACTIVE,
            "material_difference": MATERIAL_DIFFERENCE,
            "level": LEVEL,
            "bootstrap_draws": BOOTSTRAP_DRAWS,
        },
    )


def _median(values: pd.Series) -> float | None:
    v = values.dropna()
    return float(v.median()) if len(v) else None


def _num(v: Any) -> float | None:
    return None if v is None or pd.isna(v) else float(v)


def _activity(row: pd.Series, days: pd.DataFrame, median: float | None) -> Activity:
    count = int(row.activities) if pd.notna(row.activities) else 0
    wdays = int(days.working_days.fillna(0).sum())
    per_day = _num(row.activities_per_day)
    # overdispersion over the days the rep worked (activity on other days still counts)
    worked = days.activities[days.working_days.fillna(0) > 0].fillna(0).to_numpy()
    phi = dispersion(worked)
    weeks = int(days.week[days.activities.fillna(0) > 0].nunique())
    value = low = high = None
    if per_day is not None and median:
        lo, hi = rate_interval(count, wdays, phi)
        value, low, high = per_day / median, lo / median, hi / median
    return Activity(count, wdays, per_day, weeks, phi, median,
                    Index(value, low, high, Basis.TEAM_MEDIAN))  # fmt: skip


def _performance(
    row: pd.Series,
    amounts: np.ndarray,
    target: float | None,
    median: float | None,
    deal_size: float | None,
    rng: np.random.Generator,
) -> Performance:
    revenue = float(row.revenue_won) if pd.notna(row.revenue_won) else 0.0
    won = int(row.deals_won) if pd.notna(row.deals_won) else 0
    lost = int(row.deals_lost) if pd.notna(row.deals_lost) else 0
    basis, by = (Basis.TARGET, target) if target else (Basis.TEAM_MEDIAN, median)
    value = low = high = None
    if by:
        value = revenue / by
        if amounts.size:
            lo, hi = bootstrap_sum(amounts, rng)
            low, high = lo / by, hi / by
        elif deal_size:
            # nothing to resample: the upper end is the most deals a Poisson count of 0 allows,
            # at the peers' median deal size
            low, high = 0.0, float(stats.gamma.ppf((1 + LEVEL) / 2, 1)) * deal_size / by
    return Performance(revenue, won, lost, target, median, Index(value, low, high, basis))


def _dec(x: float, nl: bool = False) -> str:
    return number(x, 2, Lang.NL) if nl else f"{x:.2f}"


def _span(index: Index, nl: bool = False) -> str:
    assert index.value is not None
    if index.low is None or index.high is None:
        return _dec(index.value, nl)
    return f"{_dec(index.value, nl)} [{_dec(index.low, nl)}–{_dec(index.high, nl)}]"


def _label(activity: Activity, performance: Performance) -> tuple[Label, tuple[Reason, ...]]:
    """The quadrant when the evidence supports it, else inconclusive with the reasons."""
    reasons: list[Reason] = []
    closed = performance.deals_won + performance.deals_lost
    if closed < MIN_CLOSED_DEALS:
        s = "" if closed == 1 else "s"
        reasons.append(Reason(Why.TOO_FEW_DEALS, "performance", Text(
            f"too few deals: {closed} closed deal{s}, fewer than {MIN_CLOSED_DEALS}",
            f"te weinig deals: {closed} gesloten deal{s}, minder dan {MIN_CLOSED_DEALS}"),
            Text(f"{closed} closed deal{s} (< {MIN_CLOSED_DEALS})",
                 f"{closed} gesloten deal{s} (< {MIN_CLOSED_DEALS})")))  # fmt: skip
    weeks = activity.weeks_active
    if weeks < MIN_WEEKS_ACTIVE:
        reasons.append(Reason(Why.TOO_FEW_WEEKS, "activity", Text(
            f"too few weeks active: {weeks}, fewer than {MIN_WEEKS_ACTIVE}",
            f"te weinig actieve weken: {weeks}, minder dan {MIN_WEEKS_ACTIVE}"),
            Text(f"{weeks} week{'' if weeks == 1 else 's'} active (< {MIN_WEEKS_ACTIVE})",
                 f"{weeks} actieve {'week' if weeks == 1 else 'weken'} (< {MIN_WEEKS_ACTIVE})"),
        ))  # fmt: skip
    sides = []
    for index, about, en, nl in (
        (activity.index, "activity", "activity", "de activiteit"),
        (performance.index, "performance", "performance", "de prestatie"),
    ):
        side = index.side()
        sides.append(side)
        if side is not None:
            continue
        ref_en = "the target" if index.basis is Basis.TARGET else "the team median"
        ref_nl = "het doel" if index.basis is Basis.TARGET else "de teammediaan"
        if index.value is None:
            reasons.append(Reason(Why.NO_REFERENCE, about,
                Text(f"no team median to compare {en} with",
                     f"geen teammediaan om {nl} mee te vergelijken"),
                Text(f"{en}: no median", f"{nl}: geen mediaan")))  # fmt: skip
        elif index.low is None or index.high is None:
            reasons.append(Reason(Why.NO_INTERVAL, about,
                Text(f"no interval for {en}: nothing won to resample",
                     f"geen interval voor {nl}: niets gewonnen om te herbemonsteren"),
                Text(f"{en}: no interval", f"{nl}: geen interval")))  # fmt: skip
        elif index.low <= 1 <= index.high:
            reasons.append(Reason(Why.SPANS, about,
                Text(f"the {en} interval {_span(index)} spans {ref_en}",
                     f"het interval van {nl} {_span(index, True)} omvat {ref_nl}"),
                Text(f"{en} interval spans {ref_en.removeprefix('the ')}",
                     f"interval {nl.removeprefix('de ')} omvat {ref_nl.split()[-1]}")))  # fmt: skip
        else:
            pct = f"{MATERIAL_DIFFERENCE:.0%}"
            reasons.append(Reason(Why.WITHIN_MARGIN, about,
                Text(f"{en} {_span(index)} is within {pct} of {ref_en}",
                     f"{nl} {_span(index, True)} ligt binnen {pct} van {ref_nl}"),
                Text(f"{en} within {pct} of {ref_en.removeprefix('the ')}",
                     f"{nl.removeprefix('de ')} binnen {pct} van {ref_nl.split()[-1]}")))  # fmt: skip
    if reasons:
        return Label.INCONCLUSIVE, tuple(reasons)
    a, p = sides
    assert a is not None
    assert p is not None
    return _LABELS[(a, p)], ()


def _explain(
    name: str,
    label: Label,
    reasons: Sequence[Reason],
    breaks: Break | None,
    mix: LeadMix | None,
) -> Text:
    q = QUADRANTS[label]
    en = [f"{name}: {q.name.en} — {q.suggests.en}."]
    nl = [f"{name}: {q.name.nl} — {q.suggests.nl}."]
    if reasons:
        en.append("No label: " + "; ".join(r.text.en for r in reasons) + ".")
        nl.append("Geen oordeel: " + "; ".join(r.text.nl for r in reasons) + ".")
    if breaks is not None:
        en.append(breaks.text.en)
        nl.append(breaks.text.nl)
    elif label in (Label.BUSY, Label.AT_RISK):
        en.append("No single step converts clearly below the team.")
        nl.append("Geen enkele stap converteert duidelijk slechter dan het team.")
    if mix is not None:
        en.append(mix.text.en)
        nl.append(mix.text.nl)
    return Text(" ".join(en), " ".join(nl))


def _overview(window: Period, peers: Peers, team: str | None, ctx: Context) -> Text:
    span, span_nl = window_text(window, Lang.EN), window_text(window, Lang.NL)
    if peers is Peers.OWN_TEAM:
        who_en, who_nl = "the reps of their own team", "de verkopers van het eigen team"
    else:
        where = f"team {team}" if team else "the organisation"
        where_nl = f"team {team}" if team else "de organisatie"
        who_en, who_nl = f"all reps of {where}", f"alle verkopers van {where_nl}"
    pct = f"{MATERIAL_DIFFERENCE:.0%}"
    lvl = f"{LEVEL:.0%}"
    # the context preset's words: a consultancy's deals are projects, an agency's revenue is
    # campaign revenue
    rev_en, rev_nl = ctx.label("revenue_won", "en"), ctx.label("revenue_won", "nl")
    rev_en, rev_nl = rev_en[0].lower() + rev_en[1:], rev_nl[0].lower() + rev_nl[1:]
    deals_en, deals_nl = ctx.deals.en, ctx.deals.nl
    return Text(
        en=(
            f"{span}: each rep is compared with {who_en}. Activity index: activities per "
            f"working day divided by their median. Performance index: {rev_en} against the "
            f"rep's revenue target where one is set, else against their median {rev_en}. A "
            f"label is given only when both {lvl} intervals lie on one side of 1 and both "
            f"indexes are at least {pct} away from 1, with at least {MIN_CLOSED_DEALS} closed "
            f"{deals_en} and {MIN_WEEKS_ACTIVE} weeks with activity; otherwise the rep is "
            "inconclusive, with the reason. Rates are shrunk toward the team before ranking."
        ),
        nl=(
            f"{span_nl}: elke verkoper wordt vergeleken met {who_nl}. Activiteitsindex: "
            f"activiteiten per werkdag gedeeld door hun mediaan. Prestatie-index: {rev_nl} "
            f"tegenover het omzetdoel van de verkoper als dat er is, anders tegenover de mediaan "
            f"daarvan. Een oordeel volgt alleen als beide {lvl}-intervallen aan één kant "
            f"van 1 liggen en beide indexen minstens {pct} van 1 afwijken, met minstens "
            f"{MIN_CLOSED_DEALS} gesloten {deals_nl} en {MIN_WEEKS_ACTIVE} weken met activiteit; "
            "anders volgt geen oordeel, met de reden. Ratio's worden naar het team toe "
            "gekrompen voordat ze gerangschikt worden."
        ),
    )
