"""Beta-binomial shrinkage: the fitted prior, the shrunk rates and how often their intervals
cover the true rates (seeded simulations, vectorised where the library allows)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import optimize, special

from salesperf.analysis.stats import shrinkage
from salesperf.analysis.stats.shrinkage import (
    MAX_STRENGTH,
    Prior,
    fit_prior,
    jeffreys_interval,
    shrink,
    shrink_all,
    shrink_group,
)


def _loglik(a: float, b: float, k: np.ndarray, n: np.ndarray) -> float:
    """The beta-binomial log-likelihood, written out independently of the library."""
    return float(
        (
            special.gammaln(n + 1)
            - special.gammaln(k + 1)
            - special.gammaln(n - k + 1)
            + special.betaln(k + a, n - k + b)
            - special.betaln(a, b)
        ).sum()
    )


def _draw(rng: np.random.Generator, teams: int, reps: int, a: float, b: float, lo: int, hi: int):
    p = rng.beta(a, b, (teams, reps))
    n = rng.integers(lo, hi, (teams, reps))
    return p, n, rng.binomial(n, p)


def test_fit_prior_recovers_a_known_beta() -> None:
    rng = np.random.default_rng(7)
    _, n, k = _draw(rng, 1, 3000, 6.0, 14.0, 40, 41)
    prior = fit_prior(k[0], n[0])
    assert prior.mean == pytest.approx(0.3, abs=0.01)
    assert prior.strength == pytest.approx(20.0, rel=0.2)


def test_fit_prior_finds_the_maximum_of_the_likelihood() -> None:
    """Against a dense grid of (alpha, beta): no grid point explains the counts better."""
    rng = np.random.default_rng(11)
    _, n, k = _draw(rng, 1, 12, 4.0, 6.0, 5, 60)
    prior = fit_prior(k[0], n[0])
    best = _loglik(prior.alpha, prior.beta, k[0], n[0])
    grid = np.exp(np.linspace(np.log(0.05), np.log(500), 160))
    on_grid = max(_loglik(a, b, k[0], n[0]) for a in grid for b in grid)
    assert best >= on_grid - 1e-6


def test_the_likelihood_gradient_is_right() -> None:
    k = np.array([3.0, 10, 0, 7])
    n = np.array([10.0, 12, 5, 30])
    for x in ([0.1, 0.7], [2.0, -1.0], [-2.0, 3.0]):
        err = optimize.check_grad(
            lambda p: shrinkage._negloglik(p, k, n)[0],
            lambda p: shrinkage._negloglik(p, k, n)[1],
            np.array(x),
        )
        assert err < 1e-4


def test_no_spread_pools_completely_up_to_the_bound() -> None:
    prior = fit_prior([20, 20, 20, 20], [40, 40, 40, 40])
    assert prior.strength == pytest.approx(MAX_STRENGTH)
    assert prior.mean == pytest.approx(0.5, abs=1e-3)
    # one group, or none: pooled at the bound, or uniform
    assert fit_prior([3], [10]).mean == pytest.approx(3.5 / 11)
    assert fit_prior([0, 0], [0, 0]) == Prior(1.0, 1.0)


def test_shrink_by_hand() -> None:
    """Beta(3, 7) prior, 2 of 2: the posterior is Beta(5, 7), mean 5/12; the interval's ends
    have 2.5% of the Beta(5, 7) mass outside each."""
    r = shrink(2, 2, Prior(3.0, 7.0))
    assert (r.successes, r.trials, r.raw) == (2, 2, 1.0)
    assert r.estimate == pytest.approx(5 / 12)
    assert special.betainc(5, 7, r.low) == pytest.approx(0.025)
    assert special.betainc(5, 7, r.high) == pytest.approx(0.975)
    none = shrink(0, 0, Prior(3.0, 7.0))
    assert none.raw is None
    assert none.estimate == pytest.approx(0.3)


@pytest.mark.parametrize(("k", "n"), [(3, 2), (-1, 4), (1, -1)])
def test_shrink_refuses_what_is_not_a_count(k: int, n: int) -> None:
    with pytest.raises(ValueError, match="successes"):
        shrink(k, n, Prior(1.0, 1.0))
    with pytest.raises(ValueError, match="successes"):
        shrink_group([k, 1], [n, 2])


def test_jeffreys_interval() -> None:
    assert jeffreys_interval(0, 0) is None
    low, high = jeffreys_interval(0, 10) or (None, None)
    assert low == 0.0
    assert special.betainc(0.5, 10.5, high) == pytest.approx(0.975)
    low, high = jeffreys_interval(10, 10) or (None, None)
    assert high == 1.0
    low, high = jeffreys_interval(5, 10) or (0.0, 0.0)
    assert low == pytest.approx(1 - high)


def test_two_of_two_ranks_below_sixty_of_eighty() -> None:
    won = [2, 60, 20, 18, 22, 15, 11, 25]
    closed = [2, 80, 40, 40, 40, 30, 25, 50]
    for prior_and_rates in (shrink_all(won, closed), shrink_group(won, closed)):
        two, sixty = prior_and_rates[1][0], prior_and_rates[1][1]
        assert two.raw == 1.0
        assert two.estimate < sixty.estimate
        assert two.estimate < 0.8  # shrunk toward the team
    # and honest about how little two deals say
    _, (two, sixty, *_) = shrink_group(won, closed)
    assert two.high - two.low > 2 * (sixty.high - sixty.low)


def test_shrink_group_by_hand_limits() -> None:
    # a group without trials gets what a new member would: near the group's rate
    prior, rates = shrink_group([30, 30, 30, 0], [60, 60, 60, 0])
    assert rates[3].raw is None
    assert rates[3].estimate == pytest.approx(0.5, abs=0.01)
    assert prior.mean == pytest.approx(0.5, abs=0.01)
    # nothing at all: uniform
    prior, rates = shrink_group([0, 0], [0, 0])
    assert prior == Prior(1.0, 1.0)
    assert rates[0].estimate == 0.5
    # each estimate lies between its raw rate and the group's
    _, rates = shrink_group([1, 9, 5, 5], [10, 10, 10, 10])
    assert 0.1 < rates[0].estimate < 0.5 < rates[1].estimate < 0.9


def _coverage(
    teams: int, reps: int, a: float, b: float, lo: int, hi: int, level: float, seed: int
) -> float:
    rng = np.random.default_rng(seed)
    p, n, k = _draw(rng, teams, reps, a, b, lo, hi)
    hits = 0
    for t in range(teams):
        _, rates = shrink_group(k[t], n[t], level=level)
        low = np.array([r.low for r in rates])
        high = np.array([r.high for r in rates])
        hits += int(((low <= p[t]) & (p[t] <= high)).sum())
    return hits / (teams * reps)


@pytest.mark.slow
def test_intervals_cover_the_true_rates_95_percent_of_the_time() -> None:
    """True rates from Beta(6, 14), trials from 3 to 79: 4,200 intervals of teams of 30 and
    2,400 of teams of 6. A binomial standard error of about 0.004 tells 95% from 92% or 98%."""
    assert 0.93 <= _coverage(140, 30, 6.0, 14.0, 3, 80, 0.95, seed=1) <= 0.97
    assert 0.93 <= _coverage(400, 6, 6.0, 14.0, 10, 60, 0.95, seed=2) <= 0.97
    # narrow spread between reps, many trials: the hardest case for a fitted prior
    assert 0.92 <= _coverage(100, 30, 60.0, 140.0, 20, 200, 0.95, seed=3) <= 0.98
    # and an 80% interval covers about 80%, not 95%
    assert 0.76 <= _coverage(140, 30, 6.0, 14.0, 3, 80, 0.80, seed=4) <= 0.84


@pytest.mark.slow
def test_plugging_in_the_fitted_prior_is_overconfident_in_small_teams() -> None:
    """Why analyses use shrink_group: with six reps and little true spread, the fitted prior
    often pools completely and its intervals miss most of the time."""
    rng = np.random.default_rng(5)
    p, n, k = _draw(rng, 300, 6, 60.0, 140.0, 10, 60)
    hits = 0
    for t in range(300):
        _, rates = shrink_all(k[t], n[t])
        hits += sum(r.low <= x <= r.high for r, x in zip(rates, p[t], strict=True))
    assert hits / 1800 < 0.8
