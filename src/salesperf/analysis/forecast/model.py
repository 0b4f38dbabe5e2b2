"""The forecast's rates, learnt from the history as known on the forecast day.

For the open pipeline: the chance that a deal in a given stage and of a given age is won
within the days left, from weekly snapshots of the past pipeline. Age groups with few deals
are shrunk toward their stage's rate, and stages with few deals toward the overall rate
(beta-binomial empirical Bayes, `salesperf.analysis.stats.shrinkage`). A team's or rep's rates are
the organisation's, moved by how the team's or rep's own deals fared against them (again
shrunk, toward the organisation, as much as the spread between reps warrants).

For new deals: the chance a newly created deal is won within the days left after its creation,
the days that takes, and the recent pace of deal creation.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import stats

from salesperf.analysis.forecast.history import AGE_LABELS, NO_SIZE, History
from salesperf.analysis.stats.shrinkage import Prior, Rate, fit_prior, shrink

Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]

#: A stage needs this many wins within the horizon before its own timing is used.
MIN_TIMING = 20
#: New deals: a team's or rep's own wins give the timing and amounts once there are this many.
MIN_POOL = 30


@dataclass(frozen=True)
class Timing:
    """Days from now to a win, as counted in the history: each number of days and how many
    wins took it."""

    days: Ints
    n: Ints

    @property
    def prob(self) -> Floats:
        """The share of wins that took each number of days."""
        total = self.n.sum()
        return self.n / total if total else np.zeros(len(self.n))


@dataclass(frozen=True)
class PipelineModel:
    """The open pipeline of one scope: each deal's stage, chance of a win within the horizon
    and amount, the days such wins took per stage, and the rates behind the chances."""

    stage: tuple[str, ...]
    p: Floats
    amount: Floats
    timing: dict[str, Timing]  # per stage; every stage of the pipeline has one
    stage_rates: dict[str, float]  # the scope's chance of a win within the horizon, per stage
    trials: int  # deals behind the scope's rates, once per stage, age and size group
    shift_sd: float = 0.0  # the uncertainty of the scope's shift (log odds, one sd)


@dataclass(frozen=True)
class NewDealModel:
    """New deals of one kind: created at `rate` a day, each won within the days left with
    chance `win`, after as many days as one of the pool's past wins took (a deal created too
    late for that does not count: the pool's `gap` is the mean number of days that leave time)."""

    kind: str
    created: int  # deals created in the pace window
    pace_days: int
    win: float  # chance a new deal is won within the horizon of its creation
    cohort: int  # deals behind `win`
    days: Ints  # days from creation to the win, of the pool of past wins within the horizon
    amount: Floats  # their amounts
    horizon: int
    win_sd: float = 0.0  # the uncertainty of `win` (log, one sd)

    @property
    def rate(self) -> float:
        """Deals created per day at the current pace."""
        return self.created / self.pace_days if self.pace_days else 0.0

    @property
    def gap(self) -> float:
        """The mean number of creation days (of the horizon) that leave a win time to close."""
        if not len(self.days):
            return 0.0
        return float(np.mean(np.maximum(self.horizon - self.days, 0)))

    @property
    def expected_wins(self) -> float:
        """The expected number of new deals created and won within the horizon."""
        return self.rate * self.win * self.gap

    @property
    def weights(self) -> Floats:
        """How likely each of the pool's wins is to be the shape of a new win: in proportion
        to the creation days that leave it time to close."""
        return np.maximum(self.horizon - self.days, 0).astype(float)

    @property
    def mean_amount(self) -> float:
        """The mean amount of a new win (weighted as the simulation draws them)."""
        w = self.weights
        return float(np.average(self.amount, weights=w)) if w.sum() > 0 else 0.0

    @property
    def amount_cv2(self) -> float:
        """The squared coefficient of variation of a new win's amount."""
        w, m = self.weights, self.mean_amount
        if w.sum() <= 0 or m <= 0:
            return 0.0
        return float(np.average((self.amount - m) ** 2, weights=w)) / m**2

    @property
    def expected_revenue(self) -> float:
        """The expected revenue of those wins."""
        return self.expected_wins * self.mean_amount


def _odds(p: float) -> float:
    p = min(max(p, 1e-9), 1 - 1e-9)
    return p / (1 - p)


def _prob(odds: float) -> float:
    return odds / (1 + odds)


def _amounts(values: pd.Series, fill: float | None) -> Floats:
    """Amounts as floats, a missing one as `fill` (the average deal size; 0 without one)."""
    a = values.astype(float).to_numpy(dtype=np.float64)
    return np.where(np.isnan(a), fill or 0.0, a).astype(np.float64)


def _odds_of(p: Floats) -> Floats:
    q = np.clip(p, 1e-9, 1 - 1e-9)
    return np.asarray(q / (1 - q), dtype=float)


def _recentred(prior: Prior, mean: float) -> Prior:
    """A prior of the same strength around another mean."""
    mean = min(max(mean, 1e-6), 1 - 1e-6)
    return Prior(mean * prior.strength, (1 - mean) * prior.strength)


def _effective(cells: pd.DataFrame) -> pd.DataFrame:
    """Counts per cell as distinct deals: a deal open at several snapshots counts once, with
    the cell's share of winning snapshots (k and n are whole numbers for the shrinkage)."""
    c = cells.copy()
    n = c["deals"].astype(float)
    rate = c["wins"].astype(float) / c["rows"].astype(float).where(c["rows"] > 0)
    c["n"] = n.round().astype(int)
    c["k"] = (rate.fillna(0.0) * n).round().astype(int).clip(upper=c["n"])
    return c


@dataclass(frozen=True)
class OrgRates:
    """The organisation's chance of a win within the horizon per stage and per (stage, age),
    the overall chance, and the days such wins took per stage (and over all stages)."""

    stage: dict[str, float]
    cell: dict[tuple[str, str], float]
    overall: float
    timing: dict[str, Timing]
    pooled_timing: Timing
    size: dict[str, float]  # odds ratio per size band (big deals are often won less often)

    def p(self, stage: str, age: str, size: str) -> float:
        """The chance of a deal in `stage`, of age group `age` and size band `size`."""
        base = self.cell.get((stage, age), self.stage.get(stage, self.overall))
        return _prob(_odds(base) * self.size.get(size, 1.0))

    def expected(self, cells: pd.DataFrame) -> Floats:
        """The chance of each row of a frame with stage, age and size columns (as `p`)."""
        if cells.empty:
            return np.zeros(0)
        known = pd.Series(self.cell, dtype=float)
        base = known.reindex(pd.MultiIndex.from_frame(cells[["stage", "age"]])).to_numpy()
        fallback = cells["stage"].map(self.stage).fillna(self.overall).to_numpy(dtype=float)
        odds = _odds_of(np.where(np.isnan(base), fallback, base))
        odds = odds * cells["size"].map(self.size).fillna(1.0).to_numpy(dtype=float)
        return np.asarray(odds / (1 + odds), dtype=float)


def org_rates(h: History) -> OrgRates:
    """The organisation's rates, learnt once per reading of the history."""
    c = _effective(h.cells)
    by_stage = c.groupby("stage")[["k", "n"]].sum()
    prior = fit_prior(by_stage["k"].to_numpy(), by_stage["n"].to_numpy())
    stage_rates = {
        str(s): shrink(int(r.k), int(r.n), prior).estimate for s, r in by_stage.iterrows()
    }
    cell_rates: dict[tuple[str, str], float] = {}
    for s, rate in stage_rates.items():
        ages = c[c["stage"] == s].groupby("age")[["k", "n"]].sum().reindex(AGE_LABELS, fill_value=0)
        inner = _recentred(fit_prior(ages["k"].to_numpy(), ages["n"].to_numpy()), rate)
        for a, r in ages.iterrows():
            cell_rates[(s, str(a))] = shrink(int(r.k), int(r.n), inner).estimate
    timing, pooled = _timing(h.timing)
    rates = OrgRates(stage_rates, cell_rates, prior.mean, timing, pooled, {})
    c["e"] = rates.expected(c) * c["n"]
    bands = c.groupby("size")[["k", "n", "e"]].sum()
    bands = bands[(bands.index != NO_SIZE) & (bands["n"] > 0)]
    spread = fit_prior(bands["k"].to_numpy(), bands["n"].to_numpy())
    size = {}
    for band, r in bands.iterrows():
        base = float(r.e) / float(r.n)
        est = shrink(int(r.k), int(r.n), _recentred(spread, base)).estimate
        size[str(band)] = _odds(est) / _odds(base)
    return OrgRates(stage_rates, cell_rates, prior.mean, timing, pooled, size)


def _logit_sd(rate: Rate) -> float:
    """One standard deviation of a shrunk rate, in log odds (from its interval)."""
    lo, hi = min(max(rate.low, 1e-9), 1 - 1e-9), min(max(rate.high, 1e-9), 1 - 1e-9)
    z = float(stats.norm.ppf(0.5 + rate.level / 2))
    return float(np.log(_odds(hi)) - np.log(_odds(lo))) / (2 * z)


def scope_shift(
    cells: pd.DataFrame, reps: Collection[str] | None, rates: OrgRates
) -> tuple[dict[str, float], float]:
    """Per stage, the odds ratio by which the scope's deals beat (> 1) or trail the
    organisation's rates for the same stages and ages, shrunk toward 1 as much as the spread
    between reps warrants; and how uncertain the scope's shift over all stages is (log odds).
    Nothing for the whole organisation."""
    if reps is None:
        return {}, 0.0
    c = _effective(cells)
    c["expected"] = rates.expected(c) * c["n"]
    per_rep = c.groupby("rep_id")[["k", "n", "expected"]].sum()
    mine = per_rep[per_rep.index.isin(list(reps))].sum()
    sd = 0.0
    if int(mine["n"]) > 0:
        spread = fit_prior(per_rep["k"].to_numpy(), per_rep["n"].to_numpy())
        n = int(mine["n"])
        overall = shrink(min(int(mine["k"]), n), n, _recentred(spread, mine["expected"] / n))
        sd = _logit_sd(overall)
    shift: dict[str, float] = {}
    for s, part in c.groupby("stage"):
        per_rep = part.groupby("rep_id")[["k", "n", "expected"]].sum()
        spread = fit_prior(per_rep["k"].to_numpy(), per_rep["n"].to_numpy())
        mine = per_rep[per_rep.index.isin(list(reps))].sum()
        n, k, e = int(mine["n"]), int(mine["k"]), float(mine["expected"])
        if n == 0:
            continue
        base = e / n  # what the organisation's rates predict for this scope's deals
        est = shrink(min(k, n), n, _recentred(spread, base)).estimate
        shift[str(s)] = _odds(est) / _odds(base)
    return shift, sd


def _timing(timing: pd.DataFrame) -> tuple[dict[str, Timing], Timing]:
    def of(counts: pd.Series) -> Timing:
        return Timing(counts.index.to_numpy(dtype=np.int64), counts.to_numpy(dtype=np.int64))

    out = {}
    for s, part in timing.groupby("stage"):
        if part["n"].sum() >= MIN_TIMING:
            out[str(s)] = of(part.groupby("days")["n"].sum())
    return out, of(timing.groupby("days")["n"].sum())


def pipeline_model(
    h: History, rates: OrgRates, reps: Collection[str] | None, fill_amount: float | None
) -> PipelineModel:
    """The open pipeline of the scope (`reps`; None: everyone) with each deal's chance."""
    shift, shift_sd = scope_shift(h.cells, reps, rates)
    pipe = h.pipeline if reps is None else h.pipeline[h.pipeline["rep_id"].isin(list(reps))]
    pipe = pipe.sort_values("deal_id")
    odds = _odds_of(rates.expected(pipe)) * pipe["stage"].map(shift).fillna(1.0).to_numpy(float)
    p = odds / (1 + odds)
    if h.horizon <= 0 or not len(rates.pooled_timing.days):  # no time left, or no win ever
        p = np.zeros(len(pipe))
    amount = _amounts(pipe["amount"], fill_amount)
    stages = tuple(str(s) for s in pipe["stage"])
    mine = h.cells if reps is None else h.cells[h.cells["rep_id"].isin(list(reps))]
    return PipelineModel(
        stage=stages,
        p=np.asarray(p, dtype=float),
        amount=amount,
        timing={s: rates.timing.get(s, rates.pooled_timing) for s in set(stages)},
        stage_rates={s: _prob(_odds(r) * shift.get(s, 1.0)) for s, r in rates.stage.items()},
        trials=int(mine["deals"].sum()),
        shift_sd=shift_sd,
    )


def new_deal_models(
    h: History, reps: Collection[str] | None, fill_amount: float | None
) -> tuple[NewDealModel, ...]:
    """The scope's pace of new deals and how such deals fared, per deal kind (new business,
    renewal, ...), since kinds differ in both (None: the whole organisation)."""

    def mine(df: pd.DataFrame) -> pd.DataFrame:
        return df if reps is None else df[df["rep_id"].isin(list(reps))]

    models = []
    kinds = sorted(set(h.cohort["kind"]) | set(h.pace["kind"]))
    for kind in kinds:
        cohort = h.cohort[h.cohort["kind"] == kind]
        wins = h.cohort_wins[h.cohort_wins["kind"] == kind]
        pace = h.pace[h.pace["kind"] == kind]
        n_rep = cohort.groupby("rep_id")["created"].sum()
        k_rep = wins.groupby("rep_id").size().reindex(n_rep.index, fill_value=0)
        k_all, n_all = int(k_rep.sum()), int(n_rep.sum())
        k, n = len(mine(wins)), int(mine(cohort)["created"].sum())
        win, win_sd = 0.0, 0.0
        if n_all and reps is None:
            win = k_all / n_all
        elif n_all:
            spread = fit_prior(k_rep.to_numpy(), n_rep.to_numpy())
            rate = shrink(min(k, n), n, _recentred(spread, k_all / n_all))
            win, win_sd = rate.estimate, _logit_sd(rate) * (1 - rate.estimate)
        pool = mine(wins) if len(mine(wins)) >= MIN_POOL else wins
        amount = _amounts(pool["amount"], fill_amount)
        models.append(
            NewDealModel(
                kind=str(kind),
                created=int(mine(pace)["created"].sum()),
                pace_days=h.pace_days,
                win=win,
                cohort=n,
                days=pool["days"].to_numpy(dtype=np.int64),
                amount=amount,
                horizon=h.horizon,
                win_sd=win_sd,
            )
        )
    return tuple(models)
