"""The forecast's Monte Carlo: many possible ends of the period, drawn at once.

Each simulated outcome takes one drift (`salesperf.analysis.forecast.drift`) and one draw of
the scope's uncertain shift; then every open deal is won or not with its chance, and closes
after as many days as such wins took; and each kind of new deal arrives as a Poisson stream
whose wins close within the days left. Everything is vectorised over the outcomes (numpy); the
open deals are taken in blocks so that memory stays bounded for a large pipeline.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np

from salesperf.analysis.forecast.drift import Drift
from salesperf.analysis.forecast.model import Floats, NewDealModel, PipelineModel
from salesperf.analysis.stats.memo import Memo, key_of
from salesperf.metrics.periods import Period

#: Largest block of simulated (outcome, deal) pairs held at once.
BLOCK = 2_000_000
#: Largest lookup table of (past win, creation day) pairs (beyond it: a binary search).
MAX_TABLE = 20_000_000


def path_points(period: Period, as_of: date) -> list[date]:
    """Weekly points from the period's start, the forecast day, and the period's end."""
    days = {
        period.start + timedelta(weeks=k) for k in range((period.end - period.start).days // 7 + 1)
    }
    days = {d for d in days if d <= period.end} | {as_of, period.end}
    return sorted(days)


def simulate(
    pipe: PipelineModel,
    new: tuple[NewDealModel, ...],
    shift: Drift,
    offsets: list[int],
    draws: int,
    seed: int,
    scope_sd: tuple[float, float] = (0.0, 0.0),
) -> np.ndarray:
    """Simulated revenue won after the forecast day, cumulative at each offset (days after it):
    an array of draws x offsets (read-only). Vectorised over the draws; deals are taken in
    blocks. `scope_sd`: how far a team's or rep's own period strays from the organisation's
    (log, one sd; pipeline and new deals), drawn once per outcome.

    A pure function of its inputs (the seed included), remembered by them: after a write
    that changes no deal (a logged call) the pipeline, the new-deal models and the drift are
    what they were, and so is the simulation."""
    key = key_of((pipe, new, shift, offsets, draws, seed, scope_sd))
    return _SIMULATED.get(
        key, lambda: _read_only(_simulate(pipe, new, shift, offsets, draws, seed, scope_sd))
    )


#: Simulations remembered (each draws x points floats: about 1 MB at 10,000 draws).
_SIMULATED: Memo[np.ndarray] = Memo(size=48)


def _read_only(a: np.ndarray) -> np.ndarray:
    a.flags.writeable = False  # shared by every caller with the same inputs
    return a


def _simulate(
    pipe: PipelineModel,
    new: tuple[NewDealModel, ...],
    shift: Drift,
    offsets: list[int],
    draws: int,
    seed: int,
    scope_sd: tuple[float, float],
) -> np.ndarray:
    rng = np.random.default_rng(seed)
    edges = np.asarray(offsets)
    cum = np.zeros((draws, len(edges)))
    if shift.points:
        pick = rng.integers(shift.points, size=draws)
        m_pipe, m_new = np.exp(shift.pipeline[pick]), np.exp(shift.new[pick])
    else:
        m_pipe = m_new = np.ones(draws)
    if scope_sd != (0.0, 0.0):  # (the organisation's draws stay as they were)
        m_pipe = m_pipe * np.exp(rng.normal(0.0, scope_sd[0], size=draws))
        m_new = m_new * np.exp(rng.normal(0.0, scope_sd[1], size=draws))

    # the point each close day counts toward: the first point after it (every simulated win
    # closes before the period's end, the last point)
    last = int(edges[-1])
    first_after = np.minimum(
        np.searchsorted(edges, np.arange(last + 1), side="right"), len(edges) - 1
    )

    def add(draw: np.ndarray, day: np.ndarray, amount: Floats) -> None:
        flat = draw * len(edges) + first_after[np.minimum(day, last)]
        cum[:] += np.bincount(flat, weights=amount, minlength=cum.size).reshape(cum.shape)

    # each stage's past wins as one table of their days: a win's days are drawn as one of them
    names = sorted(set(pipe.stage))
    code = np.asarray([names.index(s) for s in pipe.stage], dtype=np.int64)
    tables = [np.repeat(pipe.timing[n].days, pipe.timing[n].n) for n in names]
    size = np.asarray([len(t) for t in tables], dtype=np.int64)
    offset = np.concatenate([[0], np.cumsum(size)[:-1]]).astype(np.int64)
    days_of = np.concatenate([*tables, np.zeros(0, dtype=np.int64)])
    # the scope's shift is known only so well: one draw of it per simulated outcome
    tilt = np.exp(rng.normal(0.0, pipe.shift_sd, size=draws))[:, None]
    scale = m_pipe.astype(np.float32)[:, None]
    block = max(1, BLOCK // draws)
    for lo in range(0, len(pipe.p), block):  # blocks of deals, each over every draw at once
        pb = pipe.p[None, lo : lo + block]
        if pipe.shift_sd > 0:
            odds = pb / np.maximum(1 - pb, 1e-12) * tilt
            p = (odds / (1 + odds)).astype(np.float32) * scale
        else:
            p = pb.astype(np.float32) * scale
        draw, deal = np.nonzero(rng.random(p.shape, dtype=np.float32) < p)
        deal += lo
        c = code[deal]
        at = offset[c] + (rng.random(len(deal)) * size[c]).astype(np.int64)
        add(draw, days_of[at], pipe.amount[deal])

    for m in new:
        w = m.weights.astype(np.int64)  # the creation days that leave each past win time
        if not m.created or m.win <= 0 or w.sum() <= 0:
            continue
        # the pace itself is uncertain: a gamma on the rate (a Poisson count over the window)
        rate = rng.gamma(m.created, 1.0 / m.pace_days, size=draws)
        win = m.win * np.exp(rng.normal(0.0, m.win_sd, size=draws))
        count = rng.poisson(rate * np.minimum(win, 1.0) * m.gap * m_new)
        # one past win (in proportion to its days) and a creation day among them, in one draw:
        # the n-th of all (past win, creation day) pairs
        bounds = np.cumsum(w)
        owner = np.repeat(np.arange(len(w)), w) if bounds[-1] <= MAX_TABLE else None
        ends = np.cumsum(count)
        lo = 0
        while lo < draws:  # all outcomes at once, in blocks when the wins are very many
            before = int(ends[lo - 1]) if lo else 0
            hi = max(lo + 1, int(np.searchsorted(ends, before + BLOCK, side="right")))
            draw = np.repeat(np.arange(lo, hi), count[lo:hi])
            v = rng.integers(0, int(bounds[-1]), size=len(draw))
            pick = owner[v] if owner is not None else np.searchsorted(bounds, v, side="right")
            start = v - (bounds[pick] - w[pick])
            add(draw, start + m.days[pick], m.amount[pick])
            lo = hi
    return np.cumsum(cum, axis=1)
