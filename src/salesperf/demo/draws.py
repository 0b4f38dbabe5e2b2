"""Drawing many values at once: the helpers every generator shares, built for millions of draws
without Python loops over them."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from salesperf.demo.calendar import DAY, OFFICE_END, OFFICE_START
from salesperf.demo.codes import Floats, Ints

HOUR_WEIGHTS = np.array([0.04, 0.12, 0.14, 0.13, 0.07, 0.1, 0.13, 0.12, 0.1, 0.05])  # 8h..17h


def logistic(x: Floats) -> Floats:
    """The logistic function."""
    out: Floats = 1.0 / (1.0 + np.exp(-x))
    return out


def draw_rows(rng: np.random.Generator, probs: Floats, row: Ints) -> Ints:
    """One category per element, from the probability row `probs[row[i]]` (rows sum to 1)."""
    cum = np.cumsum(probs, axis=1)
    cum[:, -1] = 1.0
    u = rng.random(len(row))
    out: Ints = np.zeros(len(row), dtype=np.int64)
    for j in range(probs.shape[1] - 1):
        out += u >= cum[row, j]
    return out


def sampler(values: Sequence[int] | Ints, weights: Sequence[float] | Floats) -> Ints:
    """A lookup table in which each value appears in proportion to its weight; indexing it at
    random is much quicker than a weighted choice on millions of draws."""
    w = np.asarray(weights, dtype=float)
    counts = np.round(w / w.sum() * 8192).astype(np.int64)
    out: Ints = np.repeat(np.asarray(values, dtype=np.int64), counts)
    return out


def draw(rng: np.random.Generator, table: Ints, n: int) -> Ints:
    """n draws from a `sampler` table."""
    out: Ints = table[rng.integers(0, len(table), n)]
    return out


# Office minutes from 8:30 to 18:00, busiest mid-morning and mid-afternoon.
_OFFICE = np.arange(OFFICE_START, OFFICE_END)
_OFFICE_MINUTES = sampler(
    _OFFICE, HOUR_WEIGHTS[_OFFICE // 60 - 8] / np.where(_OFFICE < 540, 30, 60)
)


def office_minutes(rng: np.random.Generator, n: int) -> Ints:
    """Times of day in office hours."""
    return draw(rng, _OFFICE_MINUTES, n)


def cells(counts: Ints) -> Ints:
    """The flat index of each event in a matrix of event counts, repeated by its count."""
    flat = counts.ravel()
    out: Ints = np.repeat(np.arange(flat.size, dtype=np.int64), flat)
    return out


def as_minutes(x: Floats) -> Ints:
    """Days (floats) as whole minutes."""
    out: Ints = (x * DAY).astype(np.int64)
    return out
