"""What becomes of the accounts: survey responses after won deals, customers who churn, and
when each account entered the CRM."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from salesperf.demo.calendar import DAY, NEVER, OFFICE_END, OFFICE_START
from salesperf.demo.codes import KINDS, Ints
from salesperf.demo.draws import as_minutes
from salesperf.demo.records import Accounts, Deals, Leads
from salesperf.demo.worktime import Setting

SEGMENT_CHURN = np.array([0.12, 0.06, 0.03])  # chance a customer quietly leaves, by segment


@dataclass(frozen=True)
class Surveys:
    """Survey responses as parallel arrays, in time order."""

    t: Ints
    scale: Ints  # 0 = CSAT (1-5), 1 = NPS (0-10)
    score: Ints
    account: Ints
    rep: Ints  # who closed the deal the response follows


@dataclass(frozen=True)
class Customers:
    """What became of each account, and the survey responses."""

    churned: Ints  # when the account stopped being a customer, -1 when it did not
    created: Ints  # when the account entered the CRM
    surveys: Surveys


def follow_customers(
    s: Setting,
    d: Deals,
    leads: Leads,
    accounts: Accounts,
    first_won: Ints,
    rng: np.random.Generator,
) -> Customers:
    """Survey responses after won deals, churn, and when each account entered the CRM."""
    org, cal, n_acc = s.org, s.cal, accounts.n
    won = np.flatnonzero(d.won & d.closed)
    # CSAT soon after a won deal, NPS a few months into the relationship; happier customers
    # for some reps than others.
    csat = won[rng.random(len(won)) < 0.35]
    nps = won[rng.random(len(won)) < 0.3]
    deal = np.concatenate([csat, nps])
    scale = np.repeat(np.array([0, 1]), [len(csat), len(nps)])
    wait = np.concatenate([rng.integers(2, 22, len(csat)), rng.integers(60, 241, len(nps))])
    t = (d.close[deal] // DAY + wait) * DAY + rng.integers(7 * 60, 22 * 60, len(deal))
    q = org.quality[d.closer[deal]]
    noise = rng.normal(0.0, 1.0, len(deal))
    score = np.where(
        scale == 0,
        np.clip(np.round(4.1 + 0.7 * q + 0.85 * noise), 1, 5),
        np.clip(np.round(7.6 + 1.6 * q + 1.8 * noise), 0, 10),
    ).astype(np.int64)
    account = d.account[deal]

    # Churn: a lost renewal ends the relationship; otherwise some customers quietly leave
    # after their last deal, detractors more often. Never while a deal is still open.
    closed = np.flatnonzero(d.closed)
    order = closed[np.lexsort((d.close[closed], d.account[closed]))]
    acc = d.account[order]
    is_last = np.r_[acc[1:] != acc[:-1], True] if len(acc) else np.zeros(0, bool)
    last = np.full(n_acc, -1, dtype=np.int64)
    last[acc[is_last]] = order[is_last]
    has_last = last >= 0
    last_close = np.where(has_last, d.close[np.maximum(last, 0)], -1)
    lost_renewal = has_last & (d.kind[np.maximum(last, 0)] == KINDS.index("renewal"))
    lost_renewal &= ~d.won[np.maximum(last, 0)]
    pending = np.zeros(n_acc, dtype=bool)
    pending[d.account[~d.closed]] = True
    detractor = np.zeros(n_acc, dtype=bool)
    detractor[account[(scale == 1) & (score <= 6)]] = True
    p_churn = np.where(lost_renewal, 0.9, SEGMENT_CHURN[accounts.segment] + 0.15 * detractor)
    gap = np.where(lost_renewal, rng.uniform(0, 14, n_acc), rng.uniform(30, 300, n_acc))
    churn_t = last_close + as_minutes(gap)
    churn = (first_won < NEVER) & ~pending & (churn_t < cal.end_t)
    churn &= rng.random(n_acc) < p_churn
    keep = (t < cal.end_t) & ~(churn[account] & (t > churn_t[account]))
    order = np.argsort(t[keep], kind="stable")
    surveys = Surveys(
        t=t[keep][order],
        scale=scale[keep][order],
        score=score[keep][order],
        account=account[keep][order],
        rep=d.closer[deal][keep][order],
    )

    # An account enters the CRM some days before its first lead or deal; untouched
    # prospects at any time (many before the history starts).
    first_seen = np.full(n_acc, NEVER, dtype=np.int64)
    has = leads.account >= 0
    np.minimum.at(first_seen, leads.account[has], leads.created[has])
    np.minimum.at(first_seen, d.account, d.created)
    seen = first_seen < NEVER
    day = np.where(
        seen,
        first_seen // DAY - rng.integers(1, 120, n_acc),
        rng.integers(-730, cal.n_days, n_acc),
    )
    return Customers(
        churned=np.where(churn, churn_t, -1),
        created=day * DAY + rng.integers(OFFICE_START, OFFICE_END, n_acc),
        surveys=surveys,
    )
