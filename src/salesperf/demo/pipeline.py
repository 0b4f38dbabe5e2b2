"""The pipeline: each deal's way through the stages to a win or a loss, the driver activities
that sway it, and the renewals and upsells that follow a win."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from salesperf.demo.calendar import DAY, NEVER, month_start
from salesperf.demo.codes import DEMO_STAGE, KINDS, O_, STAGES, T_, Bools, Ints
from salesperf.demo.draws import as_minutes, draw_rows, logistic, office_minutes
from salesperf.demo.planted import (
    DRIVER_EFFECT,
    DRIVER_MEAN,
    PULL_IN,
    RAMP_FLOOR,
    RAMP_SKILL,
    WIN_SEASON,
)
from salesperf.demo.records import Accounts, Acts, Deals, Leads
from salesperf.demo.worktime import Setting

STAGE_LOGIT = np.array([1.4, 1.1, 0.85, 1.4, 0.85])  # base odds of moving on from each stage
SKILL_WEIGHT = np.array([0.5, 0.5, 1.0, 1.0, 1.0])  # skill matters most from the demo on
SOURCE_WIN = np.array([0.1, -0.3, 0.6, 0.0, -0.3, 0.3, 0.0])  # LeadSource order
SEGMENT_WIN = np.array([0.15, 0.0, -0.3])
SEGMENT_EARLY_PACE = np.array([0.85, 1.0, 1.3])  # enterprise deals qualify slowly
RENEWAL_BONUS, UPSELL_BONUS = 1.6, 0.5
LOST_BY_STAGE = (
    (0.35, 0.2, 0.2, 0.25, 0.0, 0.0, 0.0),
    (0.25, 0.2, 0.15, 0.2, 0.1, 0.1, 0.0),
    (0.05, 0.3, 0.05, 0.1, 0.3, 0.2, 0.0),
    (0.05, 0.15, 0.1, 0.05, 0.05, 0.3, 0.3),
    (0.05, 0.15, 0.05, 0.05, 0.0, 0.3, 0.4),
)


@dataclass(frozen=True)
class Pipeline:
    """Every deal with its way through the pipeline, and what follows from it."""

    deals: Deals  # in creation order
    drivers: Acts  # the driver activities on them
    lost_reason: Ints  # LOST_REASONS index of each lost deal, -1 for the others
    first_won: Ints  # time of each account's first win, NEVER when none


def run_pipeline(
    s: Setting, seeds: Deals, leads: Leads, accounts: Accounts, rng: np.random.Generator
) -> Pipeline:
    """Move the deals born from leads through the pipeline, then the renewals and upsells that
    follow their wins, generation after generation; links each lead to its deal."""
    batches: list[Deals] = []
    drivers: list[Acts] = []
    offset = 0
    batch = seeds
    while len(batch.owner):  # generations of renewals and upsells on won deals
        driver = _run(s, batch, accounts, rng)
        driver.deal += offset
        batches.append(batch)
        drivers.append(driver)
        offset += len(batch.owner)
        batch = _follow_ons(s, batch, rng)
    deals = Deals.concat(batches)
    acts = Acts.concat(drivers)
    # Ids follow creation order, as a CRM would number them.
    order = np.argsort(deals.created, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    deals = deals.select(order)
    acts.deal = rank[acts.deal]
    has = deals.lead >= 0
    leads.deal[deals.lead[has]] = np.flatnonzero(has)
    # A lead-born deal is an upsell when its account was already a customer.
    won = deals.won & deals.closed
    first_won = np.full(accounts.n, NEVER, dtype=np.int64)
    np.minimum.at(first_won, deals.account[won], deals.close[won])
    repeat = (deals.kind == 0) & (deals.created > first_won[deals.account])
    deals.kind[repeat] = KINDS.index("upsell")
    lost = deals.closed & ~deals.won
    lost_reason = np.where(lost, draw_rows(rng, np.asarray(LOST_BY_STAGE), deals.stop), -1)
    return Pipeline(deals=deals, drivers=acts, lost_reason=lost_reason, first_won=first_won)


def _run(s: Setting, d: Deals, accounts: Accounts, rng: np.random.Generator) -> Acts:
    """Move each deal through the pipeline; returns its driver activities."""
    org, cal, p, clock = s.org, s.cal, s.profile, s.clock
    n, end_t = len(d.owner), cal.end_t
    seg = accounts.segment[d.account]
    stage = np.arange(len(STAGES))
    dur = np.asarray(p.stage_days)[None, :] * rng.lognormal(0.0, 0.35, (n, len(STAGES)))
    dur[:, :2] *= SEGMENT_EARLY_PACE[seg][:, None]
    dur = np.where(stage[None, :] >= d.first[:, None], dur, 0.0)
    raw = d.created[:, None] + as_minutes(np.concatenate([np.zeros((n, 1)), np.cumsum(dur, 1)], 1))
    times = np.full((n, 6), -1, dtype=np.int64)
    actor = np.full((n, 6), -1, dtype=np.int64)
    for k in range(6):
        sel = np.flatnonzero(d.first <= k)
        rep, t, ok = clock.act(d.owner[sel], raw[sel, k])
        t = np.where(ok, t, np.maximum(raw[sel, k], end_t))
        times[sel, k] = np.maximum(t, times[sel, k - 1] + 1) if k else t
        actor[sel, k] = rep

    # Hires close worse while they ramp up (planted: the new hire).
    skill = org.skill[d.owner] + RAMP_SKILL * (1 - org.ramp(d.owner, d.created // DAY)) / (
        1 - RAMP_FLOOR
    )
    logit = STAGE_LOGIT[None, :] + d.bonus[:, None] + skill[:, None] * SKILL_WEIGHT[None, :]
    src = np.where(d.source >= 0, SOURCE_WIN[np.maximum(d.source, 0)], 0.0)
    logit[:, 0] += src
    # Planted seasonality: the win odds depend on the month the deal closes in.
    month = cal.month_key(times[:, 5] // DAY) % 12
    logit[:, 4] += src + SEGMENT_WIN[seg] + np.asarray(WIN_SEASON)[month]
    logit[:, 4] -= 0.25 * np.log(d.amount / p.amount_median)
    # Planted: busy reps' deals stall after the demo (BUSY_BREAKS_AT).
    logit[:, DEMO_STAGE] += org.demo_break[d.owner]
    u = rng.random((n, len(STAGES)))
    passed = u < logistic(logit)
    at_demo = d.first <= DEMO_STAGE
    for k in range(DEMO_STAGE):
        at_demo &= (k < d.first) | passed[:, k]

    # Planted driver: activities of the driver type during the demo stage; each one held
    # raises the odds of the next step and of the win, felt at the close about the driver
    # lag later. The dip thins them where they fall, which is how it reaches revenue.
    start, stop = times[:, DEMO_STAGE], times[:, DEMO_STAGE + 1]
    count = rng.poisson(DRIVER_MEAN * org.driver_mult[d.owner] * at_demo)
    di = np.repeat(np.arange(n), count)
    drep, dt_, dok = clock.within(d.owner[di], start[di], stop[di])
    kept = rng.random(len(di)) < s.dip_of(dt_)
    di, drep, dt_, dok = di[kept], drep[kept], dt_[kept], dok[kept]
    held = rng.random(len(di)) < org.held[drep]
    outcome = np.where(
        held, O_["held"], np.where(rng.random(len(di)) < 0.5, O_["no_show"], O_["cancelled"])
    )
    effect = DRIVER_EFFECT * (np.bincount(di[held], minlength=n) - 0.8 * DRIVER_MEAN) * at_demo
    logit[:, DEMO_STAGE] += effect
    logit[:, 4] += effect
    passed[:, DEMO_STAGE:] = u[:, DEMO_STAGE:] < logistic(logit[:, DEMO_STAGE:])

    alive = np.ones(n, dtype=bool)
    last = d.first.copy()
    for k in range(len(STAGES)):
        here = alive & (d.first <= k)
        last[here] = k
        alive &= ~here | passed[:, k]
    rows = np.arange(n)
    _pull_in(s, times, actor, alive, rng)
    d.times, d.stop, d.won = times, last, alive
    d.close = times[rows, last + 1]  # a lost deal closes when it would have moved on
    d.closed = d.close < end_t
    still_there = org.end_day[d.owner] >= cal.n_days - 1
    at_end = np.where(still_there, d.owner, org.successor[d.owner])
    d.closer = np.where(d.closed, actor[rows, last + 1], at_end)
    return Acts.of(
        drep[dok],
        dt_[dok],
        np.full(int(dok.sum()), T_[p.driver_type]),
        outcome=outcome[dok],
        deal=di[dok],
        account=d.account[di[dok]],
    )


def _pull_in(s: Setting, times: Ints, actor: Ints, won: Bools, rng: np.random.Generator) -> None:
    """Planted seasonality: wins about to close just after a quarter end are often pulled
    into its last days (PULL_IN), most of all at the end of the year."""
    cal = s.cal
    close = times[:, 5]
    day = np.clip(close // DAY, 0, cal.n_days - 1)
    month = cal.month_key(day)
    quarter_start = month_start(month - month % 3) - cal.epoch_day
    into = day - quarter_start
    january = month % 12 == 0
    window = np.where(january, PULL_IN[1], PULL_IN[0])
    chance = np.where(january, PULL_IN[3], PULL_IN[2])
    due = won & (close < cal.end_t) & (into < window)
    pick = np.flatnonzero(due & (rng.random(len(close)) < chance))
    new_day = quarter_start[pick] - 1 - rng.integers(0, 4, len(pick))
    new_t = new_day * DAY + office_minutes(rng, len(pick))
    rep = actor[pick, 5]
    ok = (new_day >= 0) & (new_t > times[pick, 4] + 60)
    ok[ok] &= s.work[rep[ok], new_day[ok]]
    times[pick[ok], 5] = new_t[ok]


def _follow_ons(s: Setting, d: Deals, rng: np.random.Generator) -> Deals:
    """Renewals and upsells opened after won deals, by the rep then owning the account."""
    p = s.profile
    won = np.flatnonzero(d.won & d.closed)
    parts = []
    for kind, (prob, lo, hi, a_lo, a_hi), first, bonus in (
        (KINDS.index("renewal"), p.renewal, STAGES.index("proposal"), RENEWAL_BONUS),
        (KINDS.index("upsell"), p.upsell, STAGES.index("discovery"), UPSELL_BONUS),
    ):
        parent = won[rng.random(len(won)) < prob]
        owner, t, ok = s.clock.act(
            d.closer[parent], d.close[parent] + as_minutes(rng.uniform(lo, hi, len(parent)))
        )
        parent, owner, t = parent[ok], owner[ok], t[ok]
        step = p.amount_step
        amount = np.maximum(
            np.round(d.amount[parent] * rng.uniform(a_lo, a_hi, len(parent)) / step) * step, step
        )
        m = len(parent)
        parts.append(
            Deals(
                owner=owner,
                created=t,
                account=d.account[parent],
                amount=amount,
                source=np.full(m, -1),
                first=np.full(m, first),
                bonus=np.full(m, bonus),
                kind=np.full(m, kind),
                lead=np.full(m, -1),
            )
        )
    return Deals.concat(parts)  # (their outcome fields are still empty)
