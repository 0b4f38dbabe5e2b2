"""Where conversion breaks: the rates compared across reps, and the step that falls furthest
below the peers.

Rates compared across reps (win rate, call connect rate, lead conversion, each step of the
pipeline, the win rate after each activity type) are shrunk toward the rep's peers with the
beta-binomial model of `salesperf.analysis.stats.shrinkage` (`shrink_group`, which also weighs how
uncertain the team's own spread is), so that 2 of 2 does not rank
above 60 of 80. The counts behind each rate come from the metric layer's measures; the rate is
theirs, never re-computed from rows here.

A rep's conversion "breaks" at the step (a pipeline step such as demo->proposal, or an activity
type) whose shrunk rate lies furthest below the peers' rate, among the steps whose interval lies
wholly below it. Whether a gap in lead conversion is the leads or the approach: `leadmix`.
A rate with nothing to count (no trials; lead conversion where the store links no lead to a
deal) is no rate at all: null with the metric layer's reason, never 0 or a shrunk guess.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import pandas as pd

from salesperf.analysis.quadrant.text import break_text, rate_label
from salesperf.analysis.stats.shrinkage import Rate, shrink_group
from salesperf.metrics.compiler import NULL_REASON, run, run_measures
from salesperf.metrics.periods import Grain, Period
from salesperf.metrics.query import By, Query, Split
from salesperf.metrics.registry import reason_json, split_name
from salesperf.store import Store
from salesperf.text import Text

#: The stages of the pipeline in order; each consecutive pair is a step whose conversion is
#: compared (stage_conversion:A>B). Stages absent from the store's stage history are skipped.
PIPELINE = ("qualification", "discovery", "demo", "proposal", "negotiation", "closed_won")

#: Each compared rate's successes and trials, as the metric layer's measures (the registry's
#: formula for the rate is successes / trials; tests check that they agree).
RATE_COUNTS: Mapping[str, tuple[str, tuple[str, ...]]] = {
    "win_rate": ("deals_won", ("deals_won", "deals_lost")),
    "call_connect_rate": ("calls_connected", ("calls",)),
    "lead_conversion_rate": ("converted_leads", ("cohort_leads",)),
    "stage_conversion": ("stage_then", ("stage_entered",)),
    "type_to_win_rate": ("typed_deals_won", ("typed_deals_closed",)),
}


class StepKind(StrEnum):
    """What a conversion step is."""

    STAGE = "stage"  # from one pipeline stage to the next
    TYPE = "type"  # deals closed after an activity of a type


@dataclass(frozen=True)
class RateComparison:
    """One rate of one rep: counts, the rate shrunk toward the peers with its interval, the
    peers' pooled rate and the rep's rank among the peers by the shrunk rate."""

    metric: str  # win_rate, stage_conversion:demo>proposal, type_to_win_rate:demo, ...
    label: Text
    rate: Rate
    team_rate: float | None  # the peers' successes / trials; None without trials
    team_successes: int
    team_trials: int
    rank: int | None  # 1 = highest shrunk rate among the peers with trials; None without trials
    ranked: int  # how many peers were ranked


@dataclass(frozen=True)
class Break:
    """The step where a rep's conversion falls furthest below the peers'."""

    step: str  # "demo->proposal" for a stage step, the activity type for a type
    kind: StepKind
    comparison: RateComparison
    shortfall: float  # the peers' rate minus the rep's shrunk rate
    text: Text  # in words (`text.break_text`)
    weakest_type: RateComparison | None = None  # with a stage step: the type furthest below


def pipeline_steps(store: Store, stages: Sequence[str] = PIPELINE) -> tuple[tuple[str, str], ...]:
    """The consecutive steps of `stages` whose both stages occur in the stage history."""
    st = store.table("deal_stages")
    present = set(st.select("stage").distinct().to_pandas()["stage"])
    kept = [s for s in stages if s in present]
    return tuple(itertools.pairwise(kept))


def stage_metric(a: str, b: str) -> str:
    """The metric name of the step from stage `a` to stage `b`."""
    return f"stage_conversion:{a}>{b}"


def _counts(df: pd.DataFrame, name: str, key: str) -> pd.DataFrame:
    """rep_id, successes, trials of metric `name` from a measures frame."""
    base, param = split_name(name)
    num, dens = RATE_COUNTS[base]

    def col(m: str) -> str:
        return f"{m}:{param}" if param and base == "stage_conversion" else m

    k = df[col(num)].fillna(0)
    n = sum((df[col(d)].fillna(0) for d in dens), start=pd.Series(0.0, index=df.index))
    return pd.DataFrame(
        {key: df[key], "successes": k.round().astype(int), "trials": n.round().astype(int)}
    )


def lead_counts(store: Store, window: Period, reps: Iterable[str]) -> pd.DataFrame:
    """Leads created in the window and those converted, per rep and lead source: columns
    rep_id, source, successes, trials (leads without a source count as `other`); no rows when
    the store links no lead to a deal (see `lead_null_reason`)."""
    q = Query(
        ("lead_conversion_rate",),
        window.start,
        window.end,
        grain=Grain.ALL,
        reps=frozenset(reps),
        split=Split.SOURCE,
    )
    df = run_measures(store.con, q, store.settings.timezone, store.settings.currency)
    if not (df["deal_linked_leads"].fillna(0) > 0).any():
        # the store links no lead to a deal: conversion is not recorded (null), not 0
        df = df.iloc[:0]
    df = df.assign(source=df["source"].fillna("other"))
    c = _counts(df, "lead_conversion_rate", "rep_id").assign(source=df["source"])
    return c.groupby(["rep_id", "source"], as_index=False)[["successes", "trials"]].sum()


def lead_null_reason(store: Store, window: Period, reps: Iterable[str]) -> dict[str, str] | None:
    """Why lead conversion is null for all of `reps` over the window, as the metric layer says
    it (code and sentence in English and Dutch): no lead created, or no lead linked to a deal
    anywhere in the store; None when it has a value."""
    q = Query(("lead_conversion_rate",), window.start, window.end, grain=Grain.ALL, by=By.ORG,
              reps=frozenset(reps))  # fmt: skip
    df = run(store.con, q, store.settings.timezone, store.settings.currency, reasons=True)
    codes = df[f"lead_conversion_rate{NULL_REASON}"] if len(df) else pd.Series(["no_leads"])
    code = codes.iloc[0]
    return reason_json("lead_conversion_rate", code) if isinstance(code, str) else None


def rate_counts(
    store: Store,
    window: Period,
    reps: Iterable[str],
    stages: Sequence[str] = PIPELINE,
    leads: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Successes and trials per rep and compared rate in the window: columns rep_id, metric,
    successes, trials (a rep without trials for a rate has no row). Lead conversion is the sum
    over sources of `leads` (from `lead_counts`, fetched when not given)."""
    reps = frozenset(reps)
    steps = [stage_metric(a, b) for a, b in pipeline_steps(store, stages)]
    names = ("win_rate", "call_connect_rate", *steps)
    tz = store.settings.timezone
    q = Query(names, window.start, window.end, grain=Grain.ALL, reps=reps)
    df = run_measures(store.con, q, tz, store.settings.currency)
    parts = [_counts(df, n, "rep_id").assign(metric=n) for n in names]
    leads = lead_counts(store, window, reps) if leads is None else leads
    per_rep = leads.groupby("rep_id", as_index=False)[["successes", "trials"]].sum()
    parts.append(per_rep.assign(metric="lead_conversion_rate"))
    qt = Query(
        ("type_to_win_rate",),
        window.start,
        window.end,
        grain=Grain.ALL,
        reps=reps,
        split=Split.TYPE,
    )
    typed = run_measures(store.con, qt, tz, store.settings.currency)
    typed = typed[typed["type"].notna()]
    c = _counts(typed, "type_to_win_rate", "rep_id")
    parts.append(c.assign(metric="type_to_win_rate:" + typed["type"].astype(str)))
    out = pd.concat(parts, ignore_index=True)
    return out[out.trials > 0].reset_index(drop=True)


def compare_rates(
    counts: pd.DataFrame, groups: Mapping[str, str]
) -> dict[str, tuple[RateComparison, ...]]:
    """Each rep's rates shrunk toward their peer group (`groups`: rep_id -> group), with the
    group's pooled rate and the rep's rank in it. A rep with no trials of a rate has no
    comparison for it: the rate is null (nothing entered), not the shrunk guess a new member
    would get."""
    out: dict[str, list[RateComparison]] = {r: [] for r in groups}
    members: dict[str, list[str]] = {}
    for rep, g in groups.items():
        members.setdefault(g, []).append(rep)
    for name, rows in counts.groupby("metric", sort=False):
        successes = dict(zip(rows.rep_id, rows.successes, strict=True))
        trials = dict(zip(rows.rep_id, rows.trials, strict=True))
        label = rate_label(str(name))
        for reps in members.values():
            k = np.array([int(successes.get(r, 0)) for r in reps])
            n = np.array([int(trials.get(r, 0)) for r in reps])
            if n.sum() == 0:
                continue
            _, rates = shrink_group(k, n)
            order = sorted(
                (i for i in range(len(reps)) if n[i] > 0), key=lambda i: -rates[i].estimate
            )
            rank = {i: pos + 1 for pos, i in enumerate(order)}
            for i, rep in enumerate(reps):
                if n[i] == 0:
                    continue
                out[rep].append(
                    RateComparison(
                        metric=str(name),
                        label=label,
                        rate=rates[i],
                        team_rate=float(k.sum() / n.sum()),
                        team_successes=int(k.sum()),
                        team_trials=int(n.sum()),
                        rank=rank.get(i),
                        ranked=len(order),
                    )
                )
    return {r: tuple(v) for r, v in out.items()}


def step_of(name: str) -> tuple[str, StepKind] | None:
    """The step a compared rate stands for ("demo->proposal", STAGE), or None for overall ones."""
    base, param = split_name(name)
    if base == "stage_conversion" and param:
        return param.replace(">", "->"), StepKind.STAGE
    if base == "type_to_win_rate" and param:
        return param, StepKind.TYPE
    return None


def _clearly_below(rates: Sequence[RateComparison], kind: StepKind) -> list[RateComparison]:
    """The steps of one kind whose whole interval lies below the peers' rate, furthest first."""
    below = []
    for c in rates:
        step = step_of(c.metric)
        if step is None or step[1] is not kind or c.team_rate is None or c.rate.trials == 0:
            continue
        if c.rate.high < c.team_rate:
            below.append(c)
    return sorted(below, key=lambda c: (c.rate.estimate - (c.team_rate or 0.0), c.metric))


def where_it_breaks(rates: Sequence[RateComparison]) -> Break | None:
    """Where a rep's conversion breaks: the pipeline step whose shrunk rate is furthest below the
    peers' rate, among the steps whose whole interval lies below it; when no step is, the
    activity type whose deals' win rate is (same rule); None when nothing is clearly below.

    Steps come first because they locate the break: a type's win rate runs from the activity to
    the close, so a break at one step drags down the win rate after every earlier activity.
    The weakest activity type is named alongside a step (what to coach on)."""
    stages = _clearly_below(rates, StepKind.STAGE)
    types = _clearly_below(rates, StepKind.TYPE)
    if not stages and not types:
        return None
    c = (stages or types)[0]
    step, kind = step_of(c.metric) or (c.metric, StepKind.TYPE)
    weakest = types[0] if stages and types else None
    named = None if weakest is None else step_of(weakest.metric)
    also = None if weakest is None or named is None else (*named, weakest)
    text = break_text(step, kind, c, also)
    assert c.team_rate is not None
    return Break(step, kind, c, c.team_rate - c.rate.estimate, text, weakest)
