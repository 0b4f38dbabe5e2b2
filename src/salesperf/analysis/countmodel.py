"""The count model fitted to the rep-week panel (`fit_lags`).

Deals won in a rep's week on one type's counts 0..max_lag weeks earlier, all lags in one model
so that each lag is judged net of the others (weekly counts are correlated from week to week;
each lag's variance inflation is reported), with rep fixed effects (each rep's own level of
deals) and the rep's working days that week. Poisson, or negative binomial when the
Cameron-Trivedi test finds overdispersion; standard errors are cluster-robust by rep (weeks of
one rep are not independent) when there are enough reps, with intervals and p-values from
Student's t on reps - 1 degrees of freedom.
Effects are rate ratios per +1 standard deviation of the type's weekly count within a rep (the
variation the fixed-effects model uses), so that calls and demos are on one scale. A type's best
lag is the lag with the largest |z| among those significant at 5% after Holm's correction over
its lags.

The fixed-effects fit is a few lines of numpy (the rep levels are profiled out at each
iteration) rather than statsmodels' GLM with one dummy per rep, which is about a hundred times
slower here; tests check that both give the same estimates and standard errors.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.regression.linear_model import OLS

from salesperf.analysis.common import Lang, Text, number
from salesperf.analysis.panel import ALPHA, LEVEL, MIN_CLUSTERS, OUTCOME, lag_column, lagged


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
    p_value: float  # Holm-adjusted over the type's lags
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

    family: str  # "poisson" or "negative_binomial"
    dispersion: float  # the negative binomial's alpha (Cameron-Trivedi estimate); 0 for Poisson
    overdispersion_p: float  # one-sided p-value of the Cameron-Trivedi test
    standard_errors: str  # "cluster_by_rep" or "model"
    fixed_effects: str  # "rep"
    effect_scale: str  # "per_sd"
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

        def nl(count: int) -> str:
            return number(count, 0, Lang.NL)

        left = (
            (
                f"; {self.reps_without_wins} rep(s) without a won deal left out",
                f"; {nl(self.reps_without_wins)} verkoper(s) zonder gewonnen deal weggelaten",
            )
            if self.reps_without_wins
            else ("", "")
        )
        return Text(
            f"Sample: {self.reps} reps, {self.weeks} weeks ({self.rep_weeks} rep-weeks in "
            f"employment), {self.deals_won} deals won, {self.activities} activities{left[0]}.",
            f"Steekproef: {nl(self.reps)} verkopers, {nl(self.weeks)} weken "
            f"({nl(self.rep_weeks)} verkoperweken in dienst), {nl(self.deals_won)} gewonnen "
            f"deals, {nl(self.activities)} activiteiten{left[1]}.",
        )


@dataclass(frozen=True)
class Skipped:
    """A type the model could not study, and why."""

    type: str
    reason: Text


@dataclass(frozen=True)
class LagFit:
    """The count model's result: how it was fitted, on what, and each type's effect."""

    model: CountModel
    sample: Sample
    effects: tuple[TypeEffect, ...]  # significant first, then by strength
    skipped: tuple[Skipped, ...]


def _overdispersion(y: np.ndarray, mu: np.ndarray) -> tuple[float, float]:
    """Cameron and Trivedi's regression test of Var(y) = mu + alpha mu^2: (alpha, one-sided p)."""
    aux = ((y - mu) ** 2 - y) / mu
    res = OLS(aux, mu).fit()
    alpha, t = float(res.params[0]), float(res.tvalues[0])
    return alpha, float(stats.norm.sf(t)) if math.isfinite(t) else 1.0


@dataclass(frozen=True)
class FixedEffectsFit:
    """A log-link count regression with one intercept per group (the groups' own levels)."""

    params: np.ndarray  # the slopes, one per column of x
    cov: np.ndarray  # their covariance (cluster-robust by group, or model-based)
    mu: np.ndarray  # fitted means
    converged: bool


def _group_means(groups: np.ndarray, w: np.ndarray, v: np.ndarray, g: int) -> np.ndarray:
    """The w-weighted mean of each column of `v` within each group: a (g, columns) array."""
    sw = np.bincount(groups, w, minlength=g)
    sums = [np.bincount(groups, w * v[:, j], minlength=g) for j in range(v.shape[1])]
    return np.column_stack(sums) / sw[:, None] if sums else np.zeros((g, 0))


def fit_fixed_effects(
    y: np.ndarray,
    x: np.ndarray,
    groups: np.ndarray,
    alpha: float = 0.0,
    cluster: bool = True,
    max_iter: int = 100,
) -> FixedEffectsFit:
    """Poisson (alpha 0) or negative binomial (NB2, alpha given) regression of `y` on `x` with
    a free intercept per group (`groups`: codes 0..G-1, each with some y > 0), by iteratively
    reweighted least squares.

    The intercepts are profiled out by weighted demeaning within groups, so each step solves a
    system the size of `x`'s columns, not of the groups; the estimates and standard errors are
    those of a GLM with one dummy per group (statsmodels' with `cov_type="cluster"` and its
    default small-sample correction), which the tests check.
    """
    n, k = x.shape
    g = int(groups.max()) + 1
    totals = np.bincount(groups, y, minlength=g)
    if np.any(totals <= 0) or (cluster and g < 2):
        raise ValueError("each group needs some counts, and clustering at least two groups")
    a = np.log(totals / np.bincount(groups, minlength=g))
    b = np.zeros(k)
    converged = False
    for _ in range(max_iter):
        eta = a[groups] + x @ b
        mu = np.exp(eta)
        w = mu / (1 + alpha * mu)
        zx = _group_means(groups, w, np.column_stack([eta + (y - mu) / mu, x]), g)
        xt = x - zx[groups, 1:]
        zt = eta + (y - mu) / mu - zx[groups, 0]
        new_b = np.linalg.solve(xt.T @ (w[:, None] * xt), xt.T @ (w * zt)) if k else b
        new_a = zx[:, 0] - zx[:, 1:] @ new_b
        step = max(np.max(np.abs(new_b - b), initial=0.0), np.max(np.abs(new_a - a)))
        a, b = new_a, new_b
        if step < 1e-10:
            converged = True
            break
    mu = np.exp(a[groups] + x @ b)
    # the sandwich's bread is the observed information (as in statsmodels), the model-based
    # covariance the expected one; they differ for the negative binomial's non-canonical link
    w = mu * (1 + alpha * y) / (1 + alpha * mu) ** 2 if cluster else mu / (1 + alpha * mu)
    xt = x - _group_means(groups, w, x, g)[groups]
    bread = np.linalg.inv(xt.T @ (w[:, None] * xt)) if k else np.zeros((0, 0))
    if cluster and k:
        # each group's score; its intercept's own score is zero at the optimum
        score = ((y - mu) / (1 + alpha * mu))[:, None] * x
        s = np.column_stack([np.bincount(groups, score[:, j], minlength=g) for j in range(k)])
        correction = g / (g - 1) * (n - 1) / (n - k - g)
        cov = correction * bread @ (s.T @ s) @ bread
    else:
        cov = bread
    return FixedEffectsFit(b, cov, mu, converged)


def _vif(x: np.ndarray) -> float:
    """The largest variance inflation factor of the columns of `x` (already demeaned)."""
    if x.shape[1] < 2:
        return 1.0
    corr = np.corrcoef(x, rowvar=False)
    if not np.all(np.isfinite(corr)):
        return math.inf
    return float(np.max(np.diag(np.linalg.pinv(corr))))


def _weeks(n: int, en: bool) -> str:
    if n == 0:
        return "in the same week" if en else "in dezelfde week"
    if en:
        return f"{n} week{'s' if n != 1 else ''} later"
    return f"{n} {'week' if n == 1 else 'weken'} later"


def _signed(x: float) -> str:
    """A rate ratio as a signed percentage change: 1.11 -> +11%."""
    return f"{round(100 * (x - 1)):+d}%"


def _explain(e: TypeEffect, lags: int) -> Text:
    change = (_signed(e.rate_ratio), _signed(e.low), _signed(e.high))
    per, per_nl = f"{e.per:.1f}", number(e.per, 1, Lang.NL)
    en = (
        f"{e.type}: {per} more a week (+1 SD) goes with {change[0]} deals won "
        f"{_weeks(e.lag, True)} (95% interval {change[1]} to {change[2]})"
    )
    nl = (
        f"{e.type}: {per_nl} meer per week (+1 SD) gaat samen met {change[0]} "
        f"gewonnen deals {_weeks(e.lag, False)} (95%-interval {change[1]} tot {change[2]})"
    )
    if e.significant:
        return Text(en + ".", nl + ".")
    return Text(
        en + f"; not significant once its {lags} lags are allowed for.",
        nl + f"; niet significant als met de {lags} vertragingen rekening wordt gehouden.",
    )


def _g_nl(p: float) -> str:
    """A p-value to three significant digits with a decimal comma: 0,0123 or 7,69e-05."""
    return f"{p:.3g}".replace(".", ",")


def _describe(family: str, alpha: float, p: float, clustered: bool, max_lag: int) -> Text:
    fam = (
        (
            f"negative binomial (alpha {alpha:.2f}; the counts vary more than Poisson allows, "
            f"Cameron-Trivedi p = {p:.3g})",
            f"negatief binomiaal (alpha {number(alpha, 2, Lang.NL)}; de aantallen variëren meer "
            f"dan Poisson toelaat, Cameron-Trivedi p = {_g_nl(p)})",
        )
        if family == "negative_binomial"
        else (
            f"Poisson (no overdispersion found, Cameron-Trivedi p = {p:.3g})",
            f"Poisson (geen overdispersie gevonden, Cameron-Trivedi p = {_g_nl(p)})",
        )
    )
    se = (
        (
            "standard errors cluster-robust by rep (Student's t, reps - 1 degrees of freedom)",
            "standaardfouten cluster-robuust per verkoper (Student-t, verkopers - 1 "
            "vrijheidsgraden)",
        )
        if clustered
        else (
            f"model-based standard errors (fewer than {MIN_CLUSTERS} reps: too few to cluster)",
            f"modelgebaseerde standaardfouten (minder dan {MIN_CLUSTERS} verkopers: te weinig "
            "om te clusteren)",
        )
    )
    return Text(
        f"Model: deals won per rep and week on each type's weekly counts 0 to {max_lag} weeks "
        "earlier, one model per type with all its lags together (each lag net of the others), "
        f"with rep fixed effects and the rep's working days; {fam[0]}; {se[0]}. Effects are "
        "rate ratios per +1 standard deviation of the type's weekly count within a rep. The "
        "best lag is the one with the strongest association among those significant at 5% "
        "after Holm's correction over the lags.",
        f"Model: gewonnen deals per verkoper en week op de weekaantallen van elk type 0 tot "
        f"{max_lag} weken eerder, één model per type met al zijn vertragingen samen (elke "
        "vertraging gecorrigeerd voor de andere), met vaste effecten per verkoper en de "
        f"werkdagen van de verkoper; {fam[1]}; {se[1]}. Effecten zijn verhoudingen van "
        "aantallen per +1 standaardafwijking van het weekaantal van het type binnen een "
        "verkoper. De beste vertraging is die met de sterkste samenhang onder de vertragingen "
        "die significant zijn op 5% na Holms correctie.",
    )


def holm(p: np.ndarray) -> np.ndarray:
    """Holm's step-down adjustment of p-values (family-wise error over the set)."""
    m = len(p)
    order = np.argsort(p)
    adjusted = np.minimum(1.0, np.maximum.accumulate((m - np.arange(m)) * p[order]))
    out = np.empty(m)
    out[order] = adjusted
    return out


def fit_lags(
    panel: pd.DataFrame, types: Sequence[str], max_lag: int, first: date | None = None
) -> LagFit:
    """Fit the count model (see the module's docstring) to a complete rep-week panel.

    `panel` has one row per rep and consecutive week: `rep_id`, `week` (sortable), `deals_won`,
    one count column per type, and optionally `working_days` (a control) and `employed` (only
    employed weeks are outcomes). Only weeks from `first` are outcomes; earlier ones give lags.
    """
    rows = lagged(panel, types, max_lag, first)
    wins = rows.groupby("rep_id")[OUTCOME].transform("sum")
    idle = int(rows.loc[wins == 0, "rep_id"].nunique())
    rows = rows[wins > 0].reset_index(drop=True)
    if rows.empty:
        raise ValueError("no deals were won in the weeks studied: there is nothing to relate "
                         "activity to")  # fmt: skip
    codes, reps = pd.factorize(rows["rep_id"])
    y = rows[OUTCOME].to_numpy(dtype=float)
    control = (
        rows[["working_days"]].to_numpy(dtype=float)
        if "working_days" in rows and rows["working_days"].nunique() > 1
        else np.zeros((len(rows), 0))
    )
    try:
        base = fit_fixed_effects(y, control, codes, cluster=False)
    except np.linalg.LinAlgError:
        raise ValueError(
            "too few weeks with deals won to fit the model: use a longer window or a larger team"
        ) from None
    alpha, p_over = _overdispersion(y, base.mu)
    negbin = p_over < ALPHA and alpha > 0
    dispersion = alpha if negbin else 0.0
    clustered = len(reps) >= MIN_CLUSTERS
    # with few clusters the robust variance is itself noisy: judge z against Student's t with
    # one degree of freedom less than the reps (Cameron and Miller's advice), else the normal
    dist = stats.t(len(reps) - 1) if clustered else stats.norm()
    z95 = float(dist.ppf(0.5 + LEVEL / 2))
    k = max_lag + 1
    effects, skipped = [], []
    for t in types:
        cols = [lag_column(t, lag) for lag in range(k)]
        lagx = rows[cols].to_numpy(dtype=float)
        within = lagx - _group_means(codes, np.ones(len(rows)), lagx, len(reps))[codes]
        sd = float(np.std(within[:, 0], ddof=1)) if len(rows) > 1 else 0.0
        if not sd > 1e-9:
            skipped.append(Skipped(t, Text(
                "its weekly count does not vary within reps",
                "het weekaantal varieert niet binnen verkopers",
            )))  # fmt: skip
            continue
        try:
            fit = fit_fixed_effects(
                y, np.hstack([lagx / sd, control]), codes, dispersion, cluster=clustered
            )
        except np.linalg.LinAlgError:
            fit = None
        if fit is None or not fit.converged:
            skipped.append(Skipped(t, Text(
                "the model did not converge for this type",
                "het model convergeerde niet voor dit type",
            )))  # fmt: skip
            continue
        b, se = fit.params[:k], np.sqrt(np.diag(fit.cov)[:k])
        z = b / se
        p = 2 * dist.sf(np.abs(z))
        adjusted = holm(p)
        lags = tuple(
            LagEffect(i, math.exp(b[i]), math.exp(b[i] - z95 * se[i]),
                      math.exp(b[i] + z95 * se[i]), float(p[i]))
            for i in range(k)
        )  # fmt: skip
        best = int(np.argmax(np.abs(z)))
        e = TypeEffect(
            type=t,
            per=sd,
            weekly_mean=float(lagx[:, 0].mean()),
            lag=best,
            rate_ratio=lags[best].rate_ratio,
            low=lags[best].low,
            high=lags[best].high,
            p_value=float(adjusted[best]),
            significant=bool(adjusted[best] < ALPHA),
            collinearity=_vif(within),
            lags=lags,
            explanation=Text("", ""),
        )
        effects.append(replace(e, explanation=_explain(e, k)))
    effects.sort(key=lambda e: (not e.significant, -abs(math.log(e.rate_ratio))))
    sample = Sample(
        reps=len(reps),
        reps_without_wins=idle,
        weeks=int(rows["week"].nunique()),
        rep_weeks=len(rows),
        deals_won=int(y.sum()),
        activities=int(rows[[lag_column(t, 0) for t in types]].to_numpy().sum()),
    )
    family = "negative_binomial" if negbin else "poisson"
    model = CountModel(
        family=family,
        dispersion=dispersion,
        overdispersion_p=p_over,
        standard_errors="cluster_by_rep" if clustered else "model",
        fixed_effects="rep",
        effect_scale="per_sd",
        description=_describe(family, alpha, p_over, clustered, max_lag),
    )
    return LagFit(model, sample, tuple(effects), tuple(skipped))
