"""Poisson regression with rep and week fixed effects: pyfixest's `fepois`, with the errors the
drivers' count model uses (see `salesperf.analysis.drivers.model`)."""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import pyfixest as pf


def fit_poisson_fe(
    data: pd.DataFrame, outcome: str, columns: Sequence[str], clustered: bool
) -> tuple[pd.DataFrame, float]:
    """Poisson pseudo-maximum likelihood of `outcome` on `columns` with `rep` and `week` fixed
    effects (pyfixest's `fepois`): a table indexed by column with `estimate`, `se_cluster`
    (cluster-robust by `rep`; NaN when not `clustered`), `se_model` (Poisson, times the square
    root of the Pearson dispersion when that is above 1; both with pyfixest's small-sample
    factor (N - 1) / (N - K)) and `se`, the larger of the two; and
    the dispersion. Columns collinear with the others or the fixed effects are left out."""
    fml = f"{outcome} ~ {' + '.join(columns)} | rep + week"
    with warnings.catch_warnings():
        # expected here and reported otherwise: collinear columns are missing from the table,
        # and reps or weeks without a single deal won carry no information (separation)
        warnings.filterwarnings("ignore", message=".*dropped due to multicollinearity")
        warnings.filterwarnings("ignore", message=".*removed because of separation")
        fit = pf.fepois(fml, data=data, vcov={"CRV1": "rep"} if clustered else "iid")
        # pyfixest sets the flag only when the fit converged
        if not getattr(fit, "_convergence", False):
            raise ValueError("the count model did not converge")
        first = fit.tidy()
        dispersion = _dispersion(fit)
        if clustered:
            fit.vcov("iid")
        model = fit.tidy()
    table = pd.DataFrame(
        {
            "estimate": first["Estimate"],
            "se_cluster": first["Std. Error"] if clustered else math.nan,
            "se_model": model["Std. Error"] * math.sqrt(max(dispersion, 1.0)),
        }
    )
    table["se"] = table[["se_cluster", "se_model"]].max(axis=1)
    return table, dispersion


def _dispersion(fit: Any) -> float:
    """Pearson's chi-squared over the residual degrees of freedom of a `fepois` fit."""
    y = np.asarray(fit._data[fit._depvar], dtype=float)
    mu = np.asarray(fit._Y_hat_response, dtype=float).ravel()
    # the slopes, and the rep and week levels less the one they share
    dof = len(y) - len(fit._coefnames) - int(np.sum(fit._k_fe)) + 1
    return float(np.sum((y - mu) ** 2 / mu) / dof) if dof > 0 else math.nan
