"""Drift: how far the forecast's rates were off at past snapshots, and so how far they may be
off now.

The rates (`salesperf.analysis.forecast_model`) are averages over a year; a given quarter is
not average. Seasons, a growing business and changes of pace all show in the log ratio of what
happened to what the rates predicted at each weekly snapshot of the past: for the open pipeline
(deals won within the horizon) and for new deals (their revenue). The forecast's fan is made as
wide as those misses, so that it is honest about what the rates cannot know.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import stats

from salesperf.analysis.forecast_history import History
from salesperf.analysis.forecast_model import Floats, NewDealModel, OrgRates

#: A snapshot counts for a part when that part expected this many wins there, and a part
#: needs this many such snapshots.
MIN_EXPECTED = 10.0
MIN_POINTS = 8


@dataclass(frozen=True)
class Drift:
    """How far the rates' predictions were off at past snapshots, and so how far they may be
    off now: seasons, a growing business and changes of pace all show in the log ratio of what
    happened to what the rates predicted, for the open pipeline (deals won within the horizon)
    and for new deals (their revenue).

    The chance part of each ratio (a few deals more or less, which the simulation adds again)
    is taken out; each part's spread is then measured robustly (a median absolute deviation,
    so that one odd season does not set it) and laid out as a normal centred on no shift, one
    value per snapshot, keeping the order of the snapshots' misses (a season that lifted both
    parts lifts both here). Each simulated outcome takes one snapshot's pair."""

    pipeline: Floats
    new: Floats
    raw_sd: tuple[float, float]  # the spread of the log ratios as measured
    sd: tuple[float, float] = (0.0, 0.0)  # the spread used: chance taken out, robust

    @property
    def points(self) -> int:
        """How many snapshots the drift rests on (0: no drift)."""
        return len(self.pipeline)


NO_DRIFT = Drift(np.zeros(0), np.zeros(0), (0.0, 0.0))


def _denoised(z: Floats, noise: Floats) -> Floats:
    """`z` with its spread narrowed by the chance part (the mean of `noise`, a variance)."""
    var = float(np.var(z))
    if var <= 0:
        return z
    keep = np.sqrt(max(var - float(np.mean(noise)), 0.0) / var)
    m = float(np.mean(z))
    return np.asarray(m + keep * (z - m), dtype=float)


def drift(h: History, rates: OrgRates, new: tuple[NewDealModel, ...]) -> Drift:
    """The organisation's drift at each snapshot where enough was at stake (`MIN_EXPECTED`
    wins of each part); none with fewer than `MIN_POINTS` such snapshots. `new` are the
    organisation's new-deal models."""
    snap = h.by_snapshot
    if snap.empty or h.horizon <= 0:
        return NO_DRIFT
    p = rates.expected(snap)
    rows = snap["rows"].to_numpy(dtype=float)
    per = (
        pd.DataFrame(
            {
                "snapshot": snap["snapshot"],
                "o": snap["wins"].to_numpy(dtype=float),
                "e": rows * p,
                "v": rows * p * (1 - p),
            }
        )
        .groupby("snapshot")[["o", "e", "v"]]
        .sum()
    )
    # what each kind's pace then, at today's rates, predicted for the horizon after it
    kinds = pd.DataFrame(
        {
            # typed as the history's kinds, also when there are none (a far-off period)
            "kind": pd.Series([m.kind for m in new], dtype=h.new_by_snapshot["kind"].dtype),
            "per_deal": [m.win * m.gap / m.pace_days if m.pace_days else 0.0 for m in new],
            "amount": [m.mean_amount for m in new],
            "cv2": [m.amount_cv2 for m in new],
        }
    )
    grouped = h.new_by_snapshot.groupby(["snapshot", "kind"], as_index=False)
    nb = grouped[["paced", "revenue"]].sum().merge(kinds, on="kind", how="left").fillna(0.0)
    nb["n"] = nb["paced"] * nb["per_deal"]
    nb["pred"] = nb["n"] * nb["amount"]
    nb["n_cv"] = nb["n"] * (1 + nb["cv2"])
    per_new = nb.groupby("snapshot")[["revenue", "pred", "n", "n_cv"]].sum()
    both = per.join(per_new, how="outer").fillna(0.0)
    ok_p = (both["e"] >= MIN_EXPECTED).to_numpy().copy()
    ok_n = ((both["n"] >= MIN_EXPECTED) & (both["pred"] > 0)).to_numpy().copy()
    ok_p &= ok_p.sum() >= MIN_POINTS
    ok_n &= ok_n.sum() >= MIN_POINTS
    keep = ok_p | ok_n
    if not keep.any():
        return NO_DRIFT
    both, ok_p, ok_n = both[keep], ok_p[keep], ok_n[keep]
    zp = np.log(((both["o"] + 0.5) / (both["e"] + 0.5)).to_numpy(dtype=float))
    zn = np.log(((both["revenue"] + 1.0) / (both["pred"] + 1.0)).to_numpy(dtype=float))
    noise_p = (both["v"] / both["e"].clip(lower=1e-9) ** 2).to_numpy()
    noise_n = (both["n_cv"] / both["n"].clip(lower=1e-9) ** 2).to_numpy()
    pipe, sd_p = _part(zp, noise_p, ok_p)
    new_, sd_n = _part(zn, noise_n, ok_n)
    return Drift(
        pipeline=pipe,
        new=new_,
        raw_sd=(
            float(np.std(zp[ok_p])) if ok_p.any() else 0.0,
            float(np.std(zn[ok_n])) if ok_n.any() else 0.0,
        ),
        sd=(sd_p, sd_n),
    )


def _part(z: Floats, noise: Floats, ok: npt.NDArray[np.bool_]) -> tuple[Floats, float]:
    """One part's drift at the snapshots where it counts (no shift elsewhere), and its spread:
    normal scores of the misses' ranks, scaled by their robust spread with chance taken out."""
    out = np.zeros(len(z))
    if not ok.any():
        return out, 0.0
    d = _denoised(z[ok], noise[ok])
    spread = 1.4826 * float(np.median(np.abs(d - np.median(d))))
    rank = stats.rankdata(d)
    out[ok] = spread * stats.norm.ppf((rank - 0.5) / len(d))
    return out, spread
