"""The count model fitted to the rep-week panel (`fit_lags`).

Deals won in a rep's week on every studied type's counts 0..max_lag weeks earlier, all types
and lags in one model so that each is judged net of the others (a rep's busy week is busy in
every type; weekly counts are correlated from week to week; each type's variance inflation over
its lags is reported), with two-way fixed effects: the rep's own level of deals and the week's
level for everyone (seasons, holidays, quarter ends, volume shocks common to all reps), and the
rep's working days that week. Poisson pseudo-maximum likelihood (consistent whatever the
overdispersion; the Pearson dispersion is reported), fitted by pyfixest's `fepois`, with
standard errors cluster-robust by rep (weeks of one rep are not independent) when there are
enough reps, and intervals and p-values from Student's t on reps - 1 degrees of freedom. With a
few dozen reps the cluster-robust errors run small in the tails that a correction over many
tests looks at, so each coefficient takes the larger of its cluster-robust and its model-based
standard error (Poisson, scaled by the Pearson dispersion when above 1; Angrist and Pischke's
rule); the calibration test in tests/test_drivers_calibration.py shows what that buys.
Effects are rate ratios per +1 standard deviation of the type's weekly count within a rep, so
that calls and demos are on one scale. p-values are adjusted by Holm's method over every type
and lag tested together, so that the chance of any false finding in a run stays at 5%; a type's
best lag is its lag with the largest |z|, when that lag is significant after the adjustment.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum

import numpy as np
import pandas as pd
from scipy import stats

from salesperf.analysis.drivers import text
from salesperf.analysis.drivers.panel import ALPHA, LEVEL, MIN_CLUSTERS, OUTCOME, lag_column, lagged
from salesperf.analysis.stats.fepois import fit_poisson_fe
from salesperf.errors import InputError
from salesperf.text import Text


@dataclass(frozen=True)
class LagEffect:
    """A type's association with deals won `lag` weeks later, net of its other lags."""

    lag: int
    rate_ratio: float  # per +1 SD of the weekly count
    low: float
    high: float
    p_value: float  # unadjusted


@dataclass(frozen=True)
class TypeEffect:
    """One activity type's effect: at its strongest lag, with the whole lag profile."""

    type: str
    per: float  # +1 SD: the within-rep standard deviation of the type's weekly count
    weekly_mean: float  # the type's mean weekly count per rep
    lag: int  # the lag with the strongest association (largest |z|)
    rate_ratio: float  # deals won, per +1 SD at that lag
    low: float
    high: float
    p_value: float  # Holm-adjusted over every type and lag tested
    significant: bool
    collinearity: float  # the largest variance inflation factor among the type's lags
    lags: tuple[LagEffect, ...]
    explanation: Text

    @property
    def best_lag(self) -> int | None:
        """The lag of the strongest significant association; None when no lag is significant."""
        return self.lag if self.significant else None


@dataclass(frozen=True)
class CountModel:
    """How the count model was fitted."""

    family: str  # "poisson" (pseudo-maximum likelihood)
    dispersion: float  # Pearson chi-squared / residual degrees of freedom (1 = as Poisson)
    standard_errors: str  # "cluster_by_rep" (or model-based where larger) or "model"
    fixed_effects: str  # "rep+week"
    effect_scale: str  # "per_sd"
    tests: int  # the type x lag coefficients Holm's adjustment runs over
    description: Text


@dataclass(frozen=True)
class Sample:
    """What the count model was fitted on."""

    reps: int  # reps with at least one deal won in the weeks studied
    reps_without_wins: int  # left out: a rep's own level cannot be fitted from zeros alone
    weeks: int  # distinct ISO weeks
    rep_weeks: int
    deals_won: int
    activities: int  # of the studied types, in the rep-weeks (lag 0)

    def describe(self) -> Text:
        """The sample in words."""
        return text.sample_text(self)


class SkipReason(StrEnum):
    """Why the model could not study a type."""

    NO_VARIATION = "no_variation"  # its weekly count does not vary within reps
    TOO_FEW = "too_few"  # too few reps and weeks with deals won to fit the model
    NO_FIT = "no_fit"  # the model did not converge
    COLLINEAR = "collinear"  # its counts move in step with other types' or with the weeks


@dataclass(frozen=True)
class Skipped:
    """A type the model could not study, and why (`reason`: the `SkipReason` in words)."""

    type: str
    reason: Text


@dataclass(frozen=True)
class LagFit:
    """The count model's result: how it was fitted, on what, and each type's effect."""

    model: CountModel
    sample: Sample
    effects: tuple[TypeEffect, ...]  # significant first, then by strength
    skipped: tuple[Skipped, ...]


def _vif(x: np.ndarray) -> float:
    """The largest variance inflation factor of the columns of `x` (already demeaned)."""
    if x.shape[1] < 2:
        return 1.0
    corr = np.corrcoef(x, rowvar=False)
    if not np.all(np.isfinite(corr)):
        return math.inf
    return float(np.max(np.diag(np.linalg.pinv(corr))))


def holm(p: np.ndarray) -> np.ndarray:
    """Holm's step-down adjustment of p-values (family-wise error over the set)."""
    m = len(p)
    order = np.argsort(p)
    adjusted = np.minimum(1.0, np.maximum.accumulate((m - np.arange(m)) * p[order]))
    out = np.empty(m)
    out[order] = adjusted
    return out


def _skipped(type_: str, why: SkipReason) -> Skipped:
    return Skipped(type_, text.skip_text(why))


def _column(i: int, lag: int) -> str:
    """A formula-safe name for type i's count `lag` weeks earlier (type names are free text)."""
    return f"x{i}_l{lag}"


def fit_lags(
    panel: pd.DataFrame, types: Sequence[str], max_lag: int, first: date | None = None
) -> LagFit:
    """Fit the count model (see the module's docstring) to a complete rep-week panel.

    `panel` has one row per rep and consecutive week: `rep_id`, `week` (sortable), `deals_won`,
    one count column per type, and optionally `working_days` (a control) and `active` (only
    active weeks are outcomes). Only weeks from `first` are outcomes; earlier ones give lags.
    """
    rows = lagged(panel, types, max_lag, first)
    wins = rows.groupby("rep_id")[OUTCOME].transform("sum")
    idle = int(rows.loc[wins == 0, "rep_id"].nunique())
    rows = rows[wins > 0].reset_index(drop=True)
    if rows.empty:
        raise InputError("no deals were won in the weeks studied: there is nothing to relate "
                         "activity to")  # fmt: skip
    k = max_lag + 1
    reps = rows["rep_id"].nunique()
    clustered = reps >= MIN_CLUSTERS
    data = pd.DataFrame({"rep": pd.factorize(rows["rep_id"])[0], "week": rows["week"].astype(str),
                         "y": rows[OUTCOME].to_numpy(dtype=float)})  # fmt: skip
    controls = (
        ["working_days"] if "working_days" in rows and rows["working_days"].nunique() > 1 else []
    )
    for c in controls:
        data[c] = rows[c].to_numpy(dtype=float)
    studied: dict[str, tuple[int, float, np.ndarray]] = {}  # type -> (index, sd, within)
    skipped = []
    for i, t in enumerate(types):
        lagx = rows[[lag_column(t, lag) for lag in range(k)]].to_numpy(dtype=float)
        within = lagx - pd.DataFrame(lagx).groupby(data["rep"]).transform("mean").to_numpy()
        sd = float(np.std(within[:, 0], ddof=1)) if len(rows) > 1 else 0.0
        if not sd > 1e-9:
            skipped.append(_skipped(t, SkipReason.NO_VARIATION))
            continue
        studied[t] = (i, sd, within)
        for lag in range(k):
            data[_column(i, lag)] = lagx[:, lag] / sd
    columns = [_column(i, lag) for i, _, _ in studied.values() for lag in range(k)]
    table, dispersion = pd.DataFrame(columns=["estimate", "se"]), math.nan
    if reps < 2 or data["week"].nunique() < 2:  # the levels leave nothing (and pyfixest aborts)
        skipped += [_skipped(t, SkipReason.TOO_FEW) for t in studied]
        studied = {}
    else:
        try:
            table, dispersion = fit_poisson_fe(data, "y", [*columns, *controls], clustered)
        except ValueError as error:  # pyfixest's word for a panel too thin (demeaning fails)
            why = SkipReason.NO_FIT if "converge" in str(error) else SkipReason.TOO_FEW
            skipped += [_skipped(t, why) for t in studied]
            studied = {}
    dist = stats.t(reps - 1) if clustered else stats.norm()
    z95 = float(dist.ppf(0.5 + LEVEL / 2))
    fitted: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for t, (i, _, _) in studied.items():
        names = [_column(i, lag) for lag in range(k)]
        if not all(n in table.index for n in names):
            skipped.append(_skipped(t, SkipReason.COLLINEAR))
            continue
        fitted[t] = (table.loc[names, "estimate"].to_numpy(float),
                     table.loc[names, "se"].to_numpy(float))  # fmt: skip
    z = {t: b / se for t, (b, se) in fitted.items()}
    p = {t: 2 * dist.sf(np.abs(v)) for t, v in z.items()}
    tests = k * len(fitted)
    flat = holm(np.concatenate(list(p.values()))) if p else np.zeros(0)
    adjusted = {t: flat[j * k : (j + 1) * k] for j, t in enumerate(p)}
    effects = []
    for t, (b, se) in fitted.items():
        _, sd, within = studied[t]
        lags = tuple(
            LagEffect(lag, math.exp(b[lag]), math.exp(b[lag] - z95 * se[lag]),
                      math.exp(b[lag] + z95 * se[lag]), float(p[t][lag]))
            for lag in range(k)
        )  # fmt: skip
        best = int(np.argmax(np.abs(z[t])))
        e = TypeEffect(
            type=t,
            per=sd,
            weekly_mean=float(rows[lag_column(t, 0)].mean()),
            lag=best,
            rate_ratio=lags[best].rate_ratio,
            low=lags[best].low,
            high=lags[best].high,
            p_value=float(adjusted[t][best]),
            significant=bool(adjusted[t][best] < ALPHA),
            collinearity=_vif(within),
            lags=lags,
            explanation=Text("", ""),
        )
        effects.append(replace(e, explanation=text.effect_text(e, tests)))
    effects.sort(key=lambda e: (not e.significant, -abs(math.log(e.rate_ratio))))
    y = data["y"].to_numpy()
    sample = Sample(
        reps=reps,
        reps_without_wins=idle,
        weeks=int(rows["week"].nunique()),
        rep_weeks=len(rows),
        deals_won=int(y.sum()),
        activities=int(rows[[lag_column(t, 0) for t in types]].to_numpy().sum()),
    )
    model = CountModel(
        family="poisson",
        dispersion=dispersion,
        standard_errors="cluster_by_rep" if clustered else "model",
        fixed_effects="rep+week",
        effect_scale="per_sd",
        tests=tests,
        description=Text("", ""),
    )
    model = replace(
        model,
        description=text.model_text(model.dispersion, clustered, max_lag, tests, MIN_CLUSTERS),
    )
    return LagFit(model, sample, tuple(effects), tuple(skipped))
