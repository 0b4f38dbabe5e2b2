"""The chance that an amount of activity reaches a revenue target: a seeded Monte Carlo of the
reverse funnel, vectorised with numpy, plus the bootstrap interval of an average deal size.

Each simulated period draws the opportunity rate from its Gamma posterior and the win rate from
its Beta posterior; opportunities are Poisson and each is won with that rate, and each win is
worth a deal resampled from the won deals. A Poisson count of opportunities each won with
probability p is a Poisson count of wins with mean p times theirs, so the simulation draws the
wins directly, as the arrival times of one Poisson process per simulated period: every activity
level then reuses the same draws, and more activity never lowers the chance.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from salesperf.analysis.plan import text
from salesperf.analysis.stats.memo import Memo, key_of
from salesperf.text import Text

SIMULATIONS = 10_000
SEED = 2026
BOOTSTRAP = 1000
LEVEL = 0.95
MAX_SCALE = 8.0  # levels are looked for up to this multiple of the plan's activity
LEVELS = (0.5, 0.8)  # the chances the activity range is given for
MAX_CELLS = 5_000_000  # simulated wins held at once (fewer simulations for very big plans)


@dataclass(frozen=True)
class Funnel:
    """What the simulation needs of a plan: the opportunities it asks for (at the plan's
    activity), the window's count of opportunities behind the rate, the win rate's posterior
    Beta(win_alpha, win_beta), and the won deals' amounts to resample."""

    opportunities: float
    observed: int
    win_alpha: float
    win_beta: float
    deal_sizes: tuple[float, ...]


class Simulation:
    """Seeded draws of a funnel's revenue at any multiple (`scale`) of the plan's activity."""

    def __init__(
        self, funnel: Funnel, target: float, n: int = SIMULATIONS, seed: int = SEED
    ) -> None:
        if not funnel.deal_sizes or funnel.observed <= 0:
            raise ValueError("a simulation needs won deals and observed opportunities")
        self.target = target
        self._rng = np.random.default_rng(seed)
        wins = funnel.opportunities * funnel.win_alpha / (funnel.win_alpha + funnel.win_beta)
        self.n = int(min(n, max(1000, MAX_CELLS // int(3 * wins + 20))))
        g = self._rng.gamma(funnel.observed + 0.5, size=self.n) / funnel.observed
        p = self._rng.beta(funnel.win_alpha, funnel.win_beta, size=self.n)
        self._rate = funnel.opportunities * g * p  # expected wins at the plan's activity
        self._sizes = np.asarray(funnel.deal_sizes, dtype=float)
        self._arrivals = np.zeros((self.n, 0))
        self._revenue = np.zeros((self.n, 1))

    def _cover(self, scale: float) -> bool:
        """Draw wins until each simulated period has one beyond `scale` (False: over budget)."""
        need = scale * self._rate
        while True:
            last = self._arrivals[:, -1] if self._arrivals.shape[1] else np.zeros(self.n)
            if np.all(last > need):
                return True
            if self._arrivals.size >= MAX_CELLS:
                return False
            k = int(max(16.0, 0.5 * float(np.max(need))))
            steps = last[:, None] + self._rng.exponential(size=(self.n, k)).cumsum(axis=1)
            sums = self._revenue[:, -1:] + self._rng.choice(self._sizes, (self.n, k)).cumsum(1)
            self._arrivals = np.hstack([self._arrivals, steps])
            self._revenue = np.hstack([self._revenue, sums])

    def revenue(self, scale: float) -> np.ndarray | None:
        """Simulated revenue at `scale` times the plan's activity (None: over budget)."""
        if not self._cover(scale):
            return None
        wins = (self._arrivals <= (scale * self._rate)[:, None]).sum(axis=1)
        out: np.ndarray = self._revenue[np.arange(self.n), wins]
        return out

    def probability(self, scale: float) -> float | None:
        """The share of simulated periods that reach the target at `scale` times the plan."""
        r = self.revenue(scale)
        return None if r is None else float(np.mean(r >= self.target))

    def level(self, probability: float) -> float | None:
        """The least multiple of the plan's activity that reaches the target with
        `probability` (bisection to 0.1%); None when not within MAX_SCALE."""
        hi = 1.0
        while (p := self.probability(hi)) is None or p < probability:
            hi *= 2
            if p is None or hi > MAX_SCALE:
                return None
        lo = 0.0
        while hi - lo > 1e-3 * hi:
            mid = (lo + hi) / 2
            pm = self.probability(mid)
            if pm is not None and pm >= probability:
                hi = mid
            else:
                lo = mid
        return hi


#: Bootstrap intervals remembered by their inputs (see `salesperf.analysis.stats.memo`): after
#: a write most reps' deal sizes are what they were.
_MEANS: Memo[tuple[float, float]] = Memo()


def bootstrap_mean(
    values: np.ndarray, seed: int = SEED, level: float = LEVEL
) -> tuple[float | None, float | None]:
    """A seeded percentile bootstrap interval for the mean (None with fewer than two values)."""
    if len(values) < 2:
        return None, None
    x = np.asarray(values)
    return _MEANS.get((key_of(x), seed, level), lambda: _bootstrap_mean(x, seed, level))


def _bootstrap_mean(values: np.ndarray, seed: int, level: float) -> tuple[float, float]:
    m = len(values)
    rng = np.random.default_rng(seed)
    chunk = max(1, 2_000_000 // m)  # bounded memory for long lists of deals
    means = np.concatenate(
        [
            rng.choice(values, size=(min(chunk, BOOTSTRAP - i), m)).mean(axis=1)
            for i in range(0, BOOTSTRAP, chunk)
        ]
    )
    lo, hi = np.quantile(means, [(1 - level) / 2, (1 + level) / 2])
    return float(lo), float(hi)


@dataclass(frozen=True)
class Level:
    """The activity (a multiple of the plan's) that reaches the target with a given chance."""

    probability: float
    scale: float | None  # None: not reached within MAX_SCALE times the plan
    activities_per_week: float | None


@dataclass(frozen=True)
class Chance:
    """The simulated chance of reaching the target, at the plan's activity and at the levels."""

    at_plan: float
    levels: tuple[Level, ...]
    simulations: int
    seed: int
    explanation: Text


def simulate_chance(funnel: Funnel, target: float, per_week: float, n: int, seed: int) -> Chance:
    """The chance the plan's activity reaches the target, and the activity for each of `LEVELS`,
    explained in English and Dutch."""
    sim = Simulation(funnel, target, n, seed)
    at_plan = sim.probability(1.0) or 0.0
    levels = tuple(
        Level(p, s, None if s is None else s * per_week) for p in LEVELS for s in [sim.level(p)]
    )
    said = text.chance_text(sim.n, at_plan, levels[0], levels[-1], MAX_SCALE)
    return Chance(at_plan, levels, sim.n, seed, said)
