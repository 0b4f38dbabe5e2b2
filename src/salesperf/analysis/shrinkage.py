"""Rates with honest intervals: beta-binomial empirical Bayes shrinkage toward the group.

A rep with 2 of 2 deals won has a raw win rate of 100%, but two deals say little. Fitting a
beta distribution to the whole team's rates (by maximum likelihood on the beta-binomial) gives a
prior; each rep's rate is then the posterior Beta(alpha + wins, beta + losses), whose mean sits
between the rep's raw rate and the team's, closer to the team the fewer trials the rep has.
Ranking by that posterior, with its interval, is what lets 60 of 80 rank above 2 of 2.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import optimize, special, stats

#: Largest prior strength (alpha + beta) the fit may reach: when the reps' rates show no spread
#: beyond chance the likelihood keeps rising toward complete pooling; this bounds it so that a
#: rep's own data still counts (as if the team's rate were known from this many trials).
MAX_STRENGTH = 2000.0
LEVEL = 0.95


@dataclass(frozen=True)
class Prior:
    """A beta prior for a rate: mean alpha / (alpha + beta), strength alpha + beta."""

    alpha: float
    beta: float

    @property
    def mean(self) -> float:
        """The prior's mean rate (the team's rate the reps are shrunk toward)."""
        return self.alpha / (self.alpha + self.beta)

    @property
    def strength(self) -> float:
        """How many trials' worth of weight the prior carries."""
        return self.alpha + self.beta


@dataclass(frozen=True)
class Rate:
    """A count of successes in trials, its raw rate and its shrunk estimate with an interval."""

    successes: int
    trials: int
    raw: float | None  # successes / trials; None when there are no trials
    estimate: float  # the posterior mean
    low: float
    high: float
    level: float = LEVEL


def _negloglik(params: np.ndarray, k: np.ndarray, n: np.ndarray) -> float:
    a, b = np.exp(params)
    # log C(n, k) is constant in (a, b) and left out
    ll = special.betaln(k + a, n - k + b) - special.betaln(a, b)
    return -float(ll.sum())


def fit_prior(successes: Sequence[int] | np.ndarray, trials: Sequence[int] | np.ndarray) -> Prior:
    """The beta prior that best explains the groups' counts (beta-binomial maximum likelihood).

    Groups without trials are ignored. With fewer than two groups with trials, or no spread, the
    prior is centred on the pooled rate with `MAX_STRENGTH`; with no trials at all, the uniform
    Beta(1, 1)."""
    k = np.asarray(successes, dtype=float)
    n = np.asarray(trials, dtype=float)
    if k.shape != n.shape:
        raise ValueError("successes and trials must have the same length")
    if np.any(k < 0) or np.any(k > n):
        raise ValueError("successes must lie between 0 and trials")
    keep = n > 0
    k, n = k[keep], n[keep]
    if n.size == 0:
        return Prior(1.0, 1.0)
    pooled = (k.sum() + 0.5) / (n.sum() + 1.0)
    if n.size < 2:
        return _bounded(pooled, MAX_STRENGTH)
    # start from the method of moments, bounded to sensible values
    start = np.log([max(pooled * 10, 1e-3), max((1 - pooled) * 10, 1e-3)])
    res = optimize.minimize(
        _negloglik,
        start,
        args=(k, n),
        method="L-BFGS-B",
        bounds=[(math.log(1e-3), math.log(MAX_STRENGTH))] * 2,
    )
    a, b = (float(x) for x in np.exp(res.x))
    if a + b > MAX_STRENGTH:
        return _bounded(a / (a + b), MAX_STRENGTH)
    return Prior(a, b)


def _bounded(mean: float, strength: float) -> Prior:
    mean = min(max(mean, 1e-6), 1 - 1e-6)
    return Prior(mean * strength, (1 - mean) * strength)


def shrink(successes: int, trials: int, prior: Prior, level: float = LEVEL) -> Rate:
    """The rate `successes / trials` shrunk toward `prior`, with an equal-tailed interval."""
    if trials < 0 or successes < 0 or successes > trials:
        raise ValueError(f"not a count of successes in trials: {successes} of {trials}")
    a = prior.alpha + successes
    b = prior.beta + trials - successes
    tail = (1 - level) / 2
    low, high = stats.beta.ppf([tail, 1 - tail], a, b)
    return Rate(
        successes=int(successes),
        trials=int(trials),
        raw=successes / trials if trials else None,
        estimate=a / (a + b),
        low=float(low),
        high=float(high),
        level=level,
    )


def shrink_all(
    successes: Sequence[int] | np.ndarray,
    trials: Sequence[int] | np.ndarray,
    level: float = LEVEL,
    prior: Prior | None = None,
) -> tuple[Prior, list[Rate]]:
    """Fit the prior to all groups (unless given) and shrink each group's rate toward it."""
    prior = prior or fit_prior(successes, trials)
    return prior, [
        shrink(int(k), int(n), prior, level) for k, n in zip(successes, trials, strict=True)
    ]


def jeffreys_interval(
    successes: int, trials: int, level: float = LEVEL
) -> tuple[float, float] | None:
    """The Jeffreys interval for a single rate (no pooling); None without trials."""
    if trials <= 0:
        return None
    tail = (1 - level) / 2
    a, b = successes + 0.5, trials - successes + 0.5
    low = 0.0 if successes == 0 else float(stats.beta.ppf(tail, a, b))
    high = 1.0 if successes == trials else float(stats.beta.ppf(1 - tail, a, b))
    return low, high
