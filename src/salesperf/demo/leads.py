"""Leads: how many come in and to whom, how quickly they are worked, which qualify and become
deals, and the pools of accounts they bring."""

from __future__ import annotations

import math

import numpy as np

from salesperf.demo.calendar import DAY, OFFICE_END, OFFICE_START
from salesperf.demo.codes import SEGMENTS, SOURCES, T_, TYPES, Floats, Ints
from salesperf.demo.config import Profile
from salesperf.demo.draws import as_minutes, cells, draw_rows, logistic
from salesperf.demo.planted import LEAD_SEASON
from salesperf.demo.records import Accounts, Acts, Deals, Leads
from salesperf.demo.worktime import Setting

SOURCE_QUALIFY = np.array([-0.2, -1.4, 0.6, -0.85, -1.7, 0.0, -1.1])  # referral converts best
DEAL_FROM_QUALIFIED = 0.8
SEGMENT_AMOUNT = np.array([0.6, 1.1, 2.2])


def amounts(rng: np.random.Generator, profile: Profile, segment: Ints, size: Floats) -> Floats:
    """Deal amounts: lognormal around the context median, by segment and rep, in range."""
    lo, hi = profile.amount_range
    raw = profile.amount_median * SEGMENT_AMOUNT[segment] * size
    raw = raw * rng.lognormal(0.0, 0.45, len(segment))
    out: Floats = np.round(np.clip(raw, lo, hi) / profile.amount_step) * profile.amount_step
    return out


def _lead_touch_mix() -> Floats:
    """Type mix of the touches on a lead, by lead source: social leads get social replies."""
    mix = np.zeros((len(SOURCES), len(TYPES)))
    mix[:, [T_["call"], T_["email"], T_["social"]]] = (0.5, 0.45, 0.05)
    mix[SOURCES.index("social"), [T_["call"], T_["email"], T_["social"]]] = (0.15, 0.25, 0.6)
    mix[SOURCES.index("event"), [T_["call"], T_["email"], T_["follow_up"], T_["social"]]] = (
        0.45, 0.45, 0.1, 0.0,
    )  # fmt: skip
    return mix


def draw_leads(s: Setting, rng: np.random.Generator) -> tuple[Leads, Accounts, Acts, Deals]:
    """The leads with the accounts they bring, the touches that work them, and the deals they
    open (whose way through the pipeline is still to be drawn)."""
    org, cal, p, clock = s.org, s.cal, s.profile, s.clock
    n_reps, nd = len(org.start_day), cal.n_days
    reps, days = np.arange(n_reps)[:, None], np.arange(nd)[None, :]
    season = np.asarray(LEAD_SEASON)[cal.month - 1][None, :]  # planted seasonality
    lam = p.leads_per_day * org.lead_level[:, None] * org.ramp(reps, days) * season * s.work
    cell = cells(rng.poisson(lam))
    created = cell % nd * DAY + rng.integers(OFFICE_START, OFFICE_END, len(cell))
    order = np.argsort(created, kind="stable")
    rep, created = cell[order] // nd, created[order]
    n = len(rep)
    source = rng.choice(len(SOURCES), n, p=p.source_mix)
    # Speed to lead: the first touch follows within hours, quicker for some reps than others.
    delay = rng.exponential(org.speed_h[rep] * 60).astype(np.int64)
    first_rep, first_t, first_ok = clock.act(rep, created + delay)
    # Conversion differs by source (referrals qualify most often, social leads least).
    qualify = first_ok & (rng.random(n) < logistic(SOURCE_QUALIFY[source] + 0.3 * org.skill[rep]))
    _, qual_t, qual_ok = clock.act(rep, first_t + as_minutes(rng.lognormal(math.log(2), 0.6, n)))
    qualify &= qual_ok
    has_deal = qualify & (rng.random(n) < DEAL_FROM_QUALIFIED)
    deal_rep, deal_t, deal_ok = clock.act(rep, qual_t + rng.integers(5, 90, n))
    has_deal &= deal_ok

    # Each rep works a pool of accounts; a lead may come back on an account seen before.
    has_account = qualify | (rng.random(n) < 0.55)
    per_rep = np.bincount(rep[has_account], minlength=n_reps)
    pool = np.ceil(per_rep * p.accounts_per_lead).astype(np.int64) + 10
    n_accounts = int(pool.sum())
    accounts = Accounts(
        pool=pool,
        first=np.concatenate([[0], np.cumsum(pool)[:-1]]).astype(np.int64),
        segment=rng.choice(len(SEGMENTS), n_accounts, p=p.segment_mix),
        n=n_accounts,
    )
    account = np.where(has_account, accounts.pick(rep, rng), -1)

    # Follow-up touches until the lead is qualified, or for up to three weeks if it never is.
    extra = rng.poisson(1.8 * org.touch[rep]) * first_ok
    span = np.where(qualify, qual_t - first_t, as_minutes(rng.uniform(1, 21, n)))
    li = np.repeat(np.arange(n), extra)
    more_rep, more_t, more_ok = clock.within(rep[li], first_t[li], first_t[li] + span[li])
    more_ok &= rng.random(len(li)) < s.dip_of(more_t)
    firsts = np.flatnonzero(first_ok)
    lead_i = np.concatenate([firsts, li[more_ok]])
    acts = Acts.of(
        np.concatenate([first_rep[firsts], more_rep[more_ok]]),
        np.concatenate([first_t[firsts], more_t[more_ok]]),
        draw_rows(rng, _lead_touch_mix(), source[lead_i]),
        lead=lead_i,
        account=account[lead_i],
    )
    leads = Leads(rep, created, source, account, np.where(qualify, qual_t, -1), np.full(n, -1))
    d = np.flatnonzero(has_deal)
    owner = deal_rep[d]
    seeds = Deals(
        owner=owner,
        created=deal_t[d],
        account=account[d],
        amount=amounts(rng, p, accounts.segment[account[d]], org.size[owner]),
        source=source[d],
        first=np.zeros(len(d), np.int64),
        bonus=np.zeros(len(d)),
        kind=np.zeros(len(d), np.int64),
        lead=d,
    )
    return leads, accounts, acts, seeds
