"""The evidence behind a quadrant label: each rep's two indexes with their intervals, and the
label only where the evidence supports it (else `inconclusive`, with the reasons).

`judge` takes what the quadrant consumes of each rep of one peer group (activity counts per
working day, closed deals, the amounts won, a target) as plain numbers: `quadrant.diagnose`
reads them from the store, and the honesty test draws them from a simulated organisation in
which every rep is the same (tests/test_quadrant_honesty.py).
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from salesperf.analysis.quadrant.text import quadrant_name, quadrant_suggests, reason_text
from salesperf.analysis.stats import shrinkage
from salesperf.analysis.stats.memo import Memo, key_of
from salesperf.analysis.vocab import Basis, Label
from salesperf.text import Text

#: A rep with fewer deals closed (won or lost) in the window gets no label: revenue and win
#: rate from a handful of deals say too little.
MIN_CLOSED_DEALS = 10
#: A rep with activity in fewer ISO weeks of the window gets no label (a new hire, a long
#: absence, a window too short): a quarter or longer is the window the quadrant is meant for.
MIN_WEEKS_ACTIVE = 6
#: An index within this distance of 1 is "about the median / on target" even when its interval
#: excludes 1: a 4% difference is certain with enough data but not worth a label.
MATERIAL_DIFFERENCE = 0.10
#: The level of every interval.
LEVEL = shrinkage.LEVEL
#: Bootstrap draws for the performance interval.
BOOTSTRAP_DRAWS = 4000


@dataclass(frozen=True)
class Quadrant:
    """A quadrant's name and what it suggests, in both languages."""

    label: Label
    name: Text
    suggests: Text


QUADRANTS: Mapping[Label, Quadrant] = {
    lb: Quadrant(lb, quadrant_name(lb), quadrant_suggests(lb)) for lb in Label
}

_LABELS = {
    (True, True): Label.STAR,
    (True, False): Label.BUSY,
    (False, True): Label.EFFICIENT,
    (False, False): Label.AT_RISK,
}


class Why(StrEnum):
    """Why a rep is inconclusive."""

    TOO_FEW_DEALS = "too_few_deals"  # fewer than MIN_CLOSED_DEALS closed deals
    TOO_FEW_WEEKS = "too_few_weeks"  # activity in fewer than MIN_WEEKS_ACTIVE weeks
    SPANS = "interval_spans"  # the index's interval holds 1
    WITHIN_MARGIN = "within_margin"  # the index is within MATERIAL_DIFFERENCE of 1
    NO_REFERENCE = "no_reference"  # no team median to divide by
    NO_INTERVAL = "no_interval"  # nothing to put an interval on


@dataclass(frozen=True)
class Reason:
    """One reason a rep has no label: what, about which index, and in words (a sentence, and a
    few words for a table cell) from `text.reason_text`; the numbers are the rep's `Activity`
    or `Performance` and the thresholds above."""

    why: Why
    about: str  # "activity" or "performance"
    text: Text
    short: Text  # a few words, for a table cell


@dataclass(frozen=True)
class Index:
    """An index with its interval, and what it was divided by."""

    value: float | None
    low: float | None
    high: float | None
    basis: Basis
    level: float = LEVEL

    def side(self) -> bool | None:
        """True when clearly above 1, False when clearly below, None when not clear: the
        interval must exclude 1 and the index differ from 1 by `MATERIAL_DIFFERENCE`."""
        if self.value is None or self.low is None or self.high is None:
            return None
        if self.low > 1 and self.value >= 1 + MATERIAL_DIFFERENCE:
            return True
        if self.high < 1 and self.value <= 1 - MATERIAL_DIFFERENCE:
            return False
        return None


@dataclass(frozen=True)
class Activity:
    """A rep's activity over the window and its index."""

    activities: int
    working_days: int
    per_day: float | None
    weeks_active: int
    dispersion: float  # variance / mean of the daily counts (at least 1)
    team_median: float | None
    index: Index


@dataclass(frozen=True)
class Performance:
    """A rep's results over the window and their index."""

    revenue_won: float
    deals_won: int
    deals_lost: int
    target: float | None
    team_median: float | None
    index: Index


def dispersion(daily: np.ndarray) -> float:
    """Variance over mean of daily counts (Pearson's estimate, at least 1: never narrower than
    Poisson); 1 with fewer than two days or no activity."""
    x = np.asarray(daily, dtype=float)
    if x.size < 2 or x.sum() == 0:
        return 1.0
    mean = x.mean()
    return max(1.0, float(((x - mean) ** 2).sum() / mean / (x.size - 1)))


def rate_interval(
    count: int, days: float, phi: float = 1.0, level: float = LEVEL
) -> tuple[float, float]:
    """The interval of a per-day rate from `count` events over `days` days: the exact Gamma
    (Garwood) interval for a Poisson count, on count / phi events when the counts are
    overdispersed by a factor phi, scaled back."""
    if days <= 0:
        raise ValueError("a rate per day needs at least one day")
    tail = (1 - level) / 2
    m = count / phi
    low = 0.0 if count == 0 else float(stats.gamma.ppf(tail, m))
    high = float(stats.gamma.ppf(1 - tail, m + 1))
    return low * phi / days, high * phi / days


_BOOTSTRAPPED: Memo[tuple[tuple[float, float], Mapping[str, Any]]] = Memo()


def bootstrap_sum(
    amounts: np.ndarray,
    rng: np.random.Generator,
    draws: int = BOOTSTRAP_DRAWS,
    level: float = LEVEL,
) -> tuple[float, float]:
    """`bootstrapped_sum`, remembered by its inputs, the generator's state among them (see
    `memo`); the generator is left in the state the draws leave it in, as without memory.
    The amounts are drawn from by position: give them in a fixed order (the quadrant's come in
    the order of their deals' ids)."""
    x = np.asarray(amounts, dtype=float)
    key = (key_of(x), key_of(rng), draws, level)

    def compute() -> tuple[tuple[float, float], Mapping[str, Any]]:
        interval = bootstrapped_sum(x, rng, draws, level)
        return interval, rng.bit_generator.state

    interval, state = _BOOTSTRAPPED.get(key, compute)
    rng.bit_generator.state = state
    return interval


def bootstrapped_sum(
    amounts: np.ndarray,
    rng: np.random.Generator,
    draws: int = BOOTSTRAP_DRAWS,
    level: float = LEVEL,
) -> tuple[float, float]:
    """A percentile interval of the sum of `amounts` by Poisson bootstrap: each amount appears a
    Poisson(1) number of times in a draw, so the count of deals varies as well as their sizes.
    (0, 0) without amounts."""
    x = np.asarray(amounts, dtype=float)
    if x.size == 0:
        return 0.0, 0.0
    sums = rng.poisson(1.0, (draws, x.size)).astype(float) @ x
    tail = (1 - level) / 2
    low, high = np.quantile(sums, [tail, 1 - tail])
    return float(low), float(high)


def _rng(seed: int, rep_id: str) -> np.random.Generator:
    """A generator per rep: a rep's interval does not depend on who else is diagnosed."""
    return np.random.default_rng([seed, zlib.crc32(rep_id.encode())])


@dataclass(frozen=True)
class RepCounts:
    """What the quadrant consumes of one rep over the window."""

    rep_id: str
    activities: int
    working_days: int  # Monday to Friday minus the rep's recorded absence
    per_day: float | None  # the metric layer's activities_per_day (None without working days)
    worked_daily: np.ndarray  # activity counts on the days the rep worked (for the dispersion)
    weeks_active: int  # ISO weeks of the window with at least one activity
    revenue: float
    won: int
    lost: int
    amounts: np.ndarray  # the amounts of the deals won (the rows revenue_won sums)
    target: float | None  # the rep's revenue target for the window, if any


@dataclass(frozen=True)
class Judged:
    """One rep's indexes and label (or why none)."""

    activity: Activity
    performance: Performance
    label: Label
    reasons: tuple[Reason, ...]


def judge(group: Sequence[RepCounts], seed: int = 0) -> dict[str, Judged]:
    """Each rep of one peer group against the group's medians: activities per working day,
    revenue won and (for a rep who won nothing) deal size."""
    per_day = [r.per_day for r in group if r.per_day is not None and not np.isnan(r.per_day)]
    apd_median = float(np.median(per_day)) if per_day else None
    rev_median = float(np.median([r.revenue for r in group])) if group else None
    sizes = np.concatenate([r.amounts for r in group]) if group else np.zeros(0)
    size_median = float(np.median(sizes)) if sizes.size else None
    out = {}
    for r in group:
        activity = activity_index(r, apd_median)
        performance = performance_index(r, rev_median, size_median, _rng(seed, r.rep_id))
        out[r.rep_id] = Judged(activity, performance, *label(activity, performance))
    return out


def activity_index(r: RepCounts, median: float | None) -> Activity:
    """The rep's activity per working day over the peers' median, with its interval."""
    phi = dispersion(r.worked_daily)
    value = low = high = None
    if r.per_day is not None and median and r.working_days > 0:
        lo, hi = rate_interval(r.activities, r.working_days, phi)
        value, low, high = r.per_day / median, lo / median, hi / median
    return Activity(r.activities, r.working_days, r.per_day, r.weeks_active, phi, median,
                    Index(value, low, high, Basis.TEAM_MEDIAN))  # fmt: skip


def performance_index(
    r: RepCounts, median: float | None, deal_size: float | None, rng: np.random.Generator
) -> Performance:
    """Revenue won over the target (or the peers' median revenue), with its interval."""
    basis, by = (Basis.TARGET, r.target) if r.target else (Basis.TEAM_MEDIAN, median)
    value = low = high = None
    if by:
        value = r.revenue / by
        if r.amounts.size:
            lo, hi = bootstrap_sum(r.amounts, rng)
            low, high = lo / by, hi / by
        elif deal_size:
            # nothing to resample: the upper end is the most deals a Poisson count of 0 allows,
            # at the peers' median deal size
            low, high = 0.0, float(stats.gamma.ppf((1 + LEVEL) / 2, 1)) * deal_size / by
    return Performance(r.revenue, r.won, r.lost, r.target, median, Index(value, low, high, basis))


def _reason(
    why: Why, about: str, count: int = 0, limit: float = 0, index: Index | None = None
) -> Reason:
    """A reason with its words: the count and threshold it falls short of, or the index."""
    return Reason(why, about, *reason_text(why, about, count, limit, index))


def label(activity: Activity, performance: Performance) -> tuple[Label, tuple[Reason, ...]]:
    """The quadrant when the evidence supports it, else inconclusive with the reasons."""
    reasons: list[Reason] = []
    closed = performance.deals_won + performance.deals_lost
    if closed < MIN_CLOSED_DEALS:
        reasons.append(_reason(Why.TOO_FEW_DEALS, "performance", closed, MIN_CLOSED_DEALS))
    weeks = activity.weeks_active
    if weeks < MIN_WEEKS_ACTIVE:
        reasons.append(_reason(Why.TOO_FEW_WEEKS, "activity", weeks, MIN_WEEKS_ACTIVE))
    sides = []
    for index, about in ((activity.index, "activity"), (performance.index, "performance")):
        side = index.side()
        sides.append(side)
        if side is not None:
            continue
        if index.value is None:
            reasons.append(_reason(Why.NO_REFERENCE, about, index=index))
        elif index.low is None or index.high is None:
            reasons.append(_reason(Why.NO_INTERVAL, about, index=index))
        elif index.low <= 1 <= index.high:
            reasons.append(_reason(Why.SPANS, about, index=index))
        else:
            reasons.append(_reason(Why.WITHIN_MARGIN, about, 0, MATERIAL_DIFFERENCE, index))
    if reasons:
        return Label.INCONCLUSIVE, tuple(reasons)
    a, p = sides
    assert a is not None
    assert p is not None
    return _LABELS[(a, p)], ()


@dataclass(frozen=True)
class DayCounts:
    """Each rep's days of the window, summed once for every rep (a filter of the whole frame
    per rep costs reps x rows): working days, the activities of each day worked (in the days'
    order) and the weeks with any activity."""

    working: dict[str, float]
    worked_daily: dict[str, np.ndarray]
    weeks_active: dict[str, int]


def per_rep_days(daily: pd.DataFrame) -> DayCounts:
    working_days = daily.working_days.fillna(0)
    activities = daily.activities.fillna(0)
    worked = daily[working_days > 0]
    return DayCounts(
        working={str(r): float(v) for r, v in working_days.groupby(daily.rep_id).sum().items()},
        worked_daily={
            str(r): g.fillna(0).to_numpy(dtype=float)
            for r, g in worked.groupby("rep_id", sort=False)["activities"]
        },
        weeks_active={
            str(r): int(v)
            for r, v in daily[activities > 0].groupby("rep_id")["week"].nunique().items()
        },
    )


def rep_counts(
    rep: str, row: Any, days: DayCounts, amounts: np.ndarray, target: float | None
) -> RepCounts:
    """What the quadrant consumes of one rep, from the metric layer's rows."""
    return RepCounts(
        rep_id=rep,
        activities=int(row.activities) if pd.notna(row.activities) else 0,
        working_days=int(days.working.get(rep, 0)),
        per_day=None if pd.isna(row.activities_per_day) else float(row.activities_per_day),
        # overdispersion over the days the rep worked (activity on other days still counts)
        worked_daily=days.worked_daily.get(rep, np.zeros(0)),
        weeks_active=days.weeks_active.get(rep, 0),
        revenue=float(row.revenue_won) if pd.notna(row.revenue_won) else 0.0,
        won=int(row.deals_won) if pd.notna(row.deals_won) else 0,
        lost=int(row.deals_lost) if pd.notna(row.deals_lost) else 0,
        amounts=amounts,  # the amounts of the rep's won deals, in the order of their ids
        target=target,
    )
