"""The forecast's Monte Carlo: many possible ends of the period, drawn at once.

Each simulated outcome takes one drift (`salesperf.analysis.forecast_drift`) and one draw of
the scope's uncertain shift; then every open deal is won or not with its chance, and closes
after as many days as such wins took; and each kind of new deal arrives as a Poisson stream
whose wins close within the days left. Everything is vectorised over the outcomes (numpy); the
open deals are taken in blocks so that memory stays bounded for a large pipeline.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np

from salesperf.analysis.forecast_drift import Drift
from salesperf.analysis.forecast_model import Floats, NewDealModel, PipelineModel
from salesperf.metrics.periods import Period

#: Largest block of simulated (outcome, deal) pairs held at once.
BLOCK = 2_000_000


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
) -> np.ndarray:
    """Simulated revenue won after the forecast day, cumulative at each offset (days after it):
    an array of draws x offsets. Vectorised over the draws; deals are taken in blocks."""
    rng = np.random.default_rng(seed)
    edges = np.asarray(offsets)
    cum = np.zeros((draws, len(edges)))
    if shift.points:
        pick = rng.integers(shift.points, size=draws)
        m_pipe, m_new = np.exp(shift.pipeline[pick]), np.exp(shift.new[pick])
    else:
        m_pipe = m_new = np.ones(draws)

    def add(draw: np.ndarray, day: np.ndarray, amount: Floats) -> None:
        at = np.searchsorted(edges, day, side="right")  # the first point after the close day
        keep = at < len(edges)
        flat = draw[keep] * len(edges) + at[keep]
        cum[:] += np.bincount(flat, weights=amount[keep], minlength=cum.size).reshape(cum.shape)

    block = max(1, BLOCK // draws)
    stage_of = np.asarray(pipe.stage, dtype=object)
    # the scope's shift is known only so well: one draw of it per simulated outcome
    tilt = np.exp(rng.normal(0.0, pipe.shift_sd, size=draws))[:, None]
    for lo in range(0, len(pipe.p), block):  # blocks of deals, each over every draw at once
        odds = pipe.p[None, lo : lo + block] / np.maximum(1 - pipe.p[None, lo : lo + block], 1e-12)
        p = np.minimum(odds * tilt / (1 + odds * tilt) * m_pipe[:, None], 1.0)
        draw, deal = np.nonzero(rng.random(p.shape) < p)
        deal += lo
        day = np.zeros(len(deal), dtype=np.int64)
        stages = stage_of[deal]
        for s in sorted(set(stages.tolist())):
            t, sel = pipe.timing[s], stages == s
            day[sel] = rng.choice(t.days, size=int(sel.sum()), p=t.prob)
        add(draw, day, pipe.amount[deal])

    for m in new:
        w = m.weights
        if not m.created or m.win <= 0 or w.sum() <= 0:
            continue
        # the pace itself is uncertain: a gamma on the rate (a Poisson count over the window)
        rate = rng.gamma(m.created, 1.0 / m.pace_days, size=draws)
        win = m.win * np.exp(rng.normal(0.0, m.win_sd, size=draws))
        count = rng.poisson(rate * np.minimum(win, 1.0) * m.gap * m_new)
        draw = np.repeat(np.arange(draws), count)
        pick = rng.choice(len(w), size=len(draw), p=w / w.sum())
        start = np.floor(rng.random(len(draw)) * w[pick]).astype(np.int64)
        add(draw, start + m.days[pick], m.amount[pick])
    return np.cumsum(cum, axis=1)
