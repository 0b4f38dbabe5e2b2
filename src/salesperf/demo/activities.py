"""Activities: the touches that move deals through their stages, the daily prospecting, and
how each activity ended and how long it took."""

from __future__ import annotations

import math

import numpy as np

from salesperf.demo.calendar import DAY
from salesperf.demo.codes import O_, OUTCOMES, STAGES, T_, TYPES, Floats, Ints
from salesperf.demo.draws import cells, draw, draw_rows, office_minutes, sampler
from salesperf.demo.org import Org
from salesperf.demo.planted import ACTIVITY_SEASON
from salesperf.demo.records import Accounts, Acts, Deals
from salesperf.demo.worktime import Setting

STAGE_TOUCH_RATE = np.array([0.5, 0.45, 0.35, 0.4, 0.5])  # calls/emails per deal per day
STAGE_TOUCH_MIX = (  # call, email, follow_up
    (0.5, 0.5, 0.0),
    (0.35, 0.45, 0.2),
    (0.2, 0.6, 0.2),
    (0.15, 0.5, 0.35),
    (0.35, 0.5, 0.15),
)


def draw_activities(
    s: Setting, deals: Deals, accounts: Accounts, parts: list[Acts], rng: np.random.Generator
) -> Acts:
    """All activities in the history, in time order: `parts` (the work on leads and the driver
    activities), the touches on deals and the prospecting, each with an outcome and a duration."""
    parts = [*parts, _deal_touches(s, deals, rng)]
    parts = [a.select(a.t >= s.cal.start_t) for a in parts]  # the warm-up is not kept
    acts = Acts.concat([*parts, _prospecting(s, accounts, rng)])
    # Sorting packed (time, row) keys is a plain sort, several times quicker than argsort.
    bits = max(len(acts.t), 1).bit_length()
    key = acts.t.astype(np.int64) << bits
    key |= np.arange(len(key))
    key.sort()
    key &= (1 << bits) - 1
    acts = acts.select(key)
    acts.outcome = _outcomes(s.org, acts, rng)
    acts.duration = _durations(acts, rng)
    return acts


def _deal_touches(s: Setting, d: Deals, rng: np.random.Generator) -> Acts:
    """Calls, emails and follow-ups through each stage a deal entered, plus the stage's own
    work: a discovery meeting, the proposal (and sometimes a revision), the negotiation."""
    org, p, end_t = s.org, s.profile, s.cal.end_t
    n = len(d.owner)
    parts: list[tuple[Ints, Ints, Ints, Ints]] = []  # deal, earliest, latest, type

    def work(k: int, expected: Floats, types: Ints | int, share: tuple[float, float]) -> None:
        """`expected` activities per deal in stage k, within `share` of its time there."""
        entered = (d.first <= k) & (d.stop >= k) & (d.times[:, k] < end_t)
        start = d.times[:, k]
        length = np.minimum(d.times[:, k + 1], end_t) - start
        di = np.repeat(np.arange(n), rng.poisson(np.maximum(expected, 0.0) * entered))
        lo = start[di] + (share[0] * length[di]).astype(np.int64)
        hi = start[di] + (share[1] * length[di]).astype(np.int64)
        kind = np.full(len(di), types) if isinstance(types, int) else types[di]
        parts.append((di, lo, hi, kind))

    touch_types = np.array([T_["call"], T_["email"], T_["follow_up"]])
    for k in range(len(STAGES)):
        days = (np.minimum(d.times[:, k + 1], end_t) - d.times[:, k]) / DAY
        mix = np.asarray(STAGE_TOUCH_MIX[k])[None, :]
        types = touch_types[draw_rows(rng, mix, np.zeros(n, np.int64))]
        work(k, STAGE_TOUCH_RATE[k] * days * org.touch[d.owner], types, (0.0, 1.0))
    ones = np.ones(n)
    work(STAGES.index("discovery"), 0.9 * ones, T_[p.discovery_type], (0.0, 1.0))
    work(STAGES.index("proposal"), ones, T_["proposal"], (0.0, 0.2))
    work(STAGES.index("proposal"), 0.3 * ones, T_["proposal"], (0.5, 1.0))  # a revision
    work(STAGES.index("negotiation"), 1.5 * ones, T_["negotiation"], (0.0, 1.0))
    di = np.concatenate([x[0] for x in parts])
    lo, hi = np.concatenate([x[1] for x in parts]), np.concatenate([x[2] for x in parts])
    rep, t, ok = s.clock.within(d.owner[di], lo, hi)
    ok &= rng.random(len(di)) < s.dip_of(t)  # the dip thins deal work as well
    typ = np.concatenate([x[3] for x in parts])
    return Acts.of(rep[ok], t[ok], typ[ok], deal=di[ok], account=d.account[di[ok]])


def _prospecting(s: Setting, accounts: Accounts, rng: np.random.Generator) -> Acts:
    """The daily work not tied to a lead or deal: cold calls, emails, social, events."""
    org, cal, p = s.org, s.cal, s.profile
    n_reps, nd = len(org.start_day), cal.n_days
    reps, days = np.arange(n_reps)[:, None], np.arange(nd)[None, :]
    season = np.asarray(ACTIVITY_SEASON)[cal.month - 1][None, :]  # planted seasonality
    lam = p.activities_per_day * org.act_level[:, None] * org.ramp(reps, days) * season
    lam *= s.dip[None, :] * (days >= cal.first)  # (nothing else needs warm-up volume)
    cell = cells(rng.poisson(lam * s.work))
    n = len(cell)
    rep = cell // nd
    names, weights = zip(*p.prospect_mix, strict=True)
    codes = np.array([T_[x] for x in names])
    typ = draw(rng, sampler(codes, weights), n)
    t = cell % nd * DAY + office_minutes(rng, n)
    late_mail = np.flatnonzero((typ == T_["email"]) & (rng.random(n) < 0.02))
    t[late_mail] += rng.integers(19 * 60, 22 * 60, len(late_mail)) - t[late_mail] % DAY
    targeted = np.isin(typ, [T_["call"], T_["email"], T_["meeting"], T_["follow_up"]])
    targeted &= rng.random(n) < 0.7
    account = np.where(targeted, accounts.pick(rep, rng), -1)
    return Acts.of(rep, t, typ, account=account)


def _outcomes(org: Org, a: Acts, rng: np.random.Generator) -> Ints:
    """How each activity ended, where not set already: a lookup in a per-rep table of 256
    equally likely buckets per type (calls connect and meetings are held more for some reps
    than others), which costs one gather at ten million rows."""
    n_reps = len(org.start_day)
    share = (np.arange(256) + 0.5) / 256
    table = np.full((n_reps, len(TYPES), 256), O_["completed"], dtype=np.int8)
    pc = org.connect[:, None]
    table[:, T_["call"]] = np.where(
        share < pc,
        O_["connected"],
        np.where(share < pc + (1 - pc) * 0.72, O_["no_answer"], O_["voicemail"]),
    )
    email = np.where(share < 0.16, O_["replied"], np.where(share < 0.2, O_["bounced"], O_["sent"]))
    table[:, T_["email"]] = email[None, :]
    held = org.held[:, None]
    meet = np.where(
        share < held,
        O_["held"],
        np.where(share < (1 + held) / 2, O_["no_show"], O_["cancelled"]),
    )
    table[:, T_["meeting"]] = table[:, T_["demo"]] = meet
    cell = (a.rep * len(TYPES) + a.type) * 256 + rng.integers(0, 256, len(a.t), dtype=np.uint8)
    drawn = table.reshape(-1)[cell]
    out: Ints = np.where(a.outcome >= 0, a.outcome, drawn)
    return out


def _durations(a: Acts, rng: np.random.Generator) -> Floats:
    """Minutes spent, by type and outcome: 256 values drawn per pair, then looked up."""
    table = np.zeros((len(TYPES), len(OUTCOMES), 256))

    def lognormal(median: float, sigma: float) -> Floats:
        """256 whole-minute durations around a median."""
        out: Floats = np.maximum(1.0, np.round(rng.lognormal(math.log(median), sigma, 256)))
        return out

    def choice(*minutes: float) -> Floats:
        """256 durations drawn from the given ones."""
        out: Floats = rng.choice(np.asarray(minutes, dtype=float), 256)
        return out

    table[T_["call"], O_["connected"]] = lognormal(6.0, 0.6)
    table[T_["call"], O_["no_answer"]] = 1.0
    table[T_["call"], O_["voicemail"]] = 2.0
    table[T_["email"]] = 3.0
    table[T_["meeting"], O_["held"]] = choice(30, 45, 60)
    table[T_["demo"], O_["held"]] = choice(30, 45, 60, 90)
    table[[T_["meeting"], T_["demo"]], O_["no_show"]] = 15.0  # waited, then gave up
    table[T_["proposal"]] = lognormal(60.0, 0.4)
    table[T_["negotiation"]] = choice(30, 45, 60)
    table[T_["follow_up"]] = lognormal(8.0, 0.5)
    table[T_["event"]] = choice(60, 120, 180, 240)
    table[T_["social"]] = 5.0
    table[T_["other"]] = 15.0
    cell = (a.type.astype(np.int32) * len(OUTCOMES) + a.outcome) * 256
    out: Floats = table.reshape(-1)[cell + rng.integers(0, 256, len(a.t), dtype=np.uint8)]
    return out
