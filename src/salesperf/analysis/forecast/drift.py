"""Drift: how far the forecast's rates were off at past snapshots, and so how far they may be
off now.

The rates (`salesperf.analysis.forecast.model`) are averages over a year; a given quarter is
not average. Seasons, a growing business and changes of pace all show in the log ratio of what
happened to what the rates predicted at each weekly snapshot of the past: for the open pipeline
(deals won within the horizon) and for new deals (their revenue). The forecast's fan is made as
wide as those misses, so that it is honest about what the rates cannot know.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import stats

from salesperf.analysis.forecast.history import History
from salesperf.analysis.forecast.model import Floats, NewDealModel, OrgRates

#: A snapshot counts for a part when that part expected this many wins there, and a part
#: needs this many such snapshots.
MIN_EXPECTED = 10.0
MIN_POINTS = 8
#: The season's own miss is read at the snapshots this many days (a year) before the
#: forecast day, give or take `SEASON_WINDOW` days.
SEASON_DAYS = 364
SEASON_WINDOW = 7


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
    parts lifts both here). Each simulated outcome takes one snapshot's pair.

    The misses are centred on the season's own miss: the one at the snapshot a year before
    the forecast day (the same weeks of the year; `season`). A summer of fewer leads or a year
    end of more wins was there a year ago too, and the rates, averaged over a year, cannot know
    it. For new deals, whose misses are read a year further back as well, the centre moves by
    the misses' mean change over the year (as far as it stands out of its noise) and the
    spread is that of the change around it, with the centre's chance in place of the year
    before's; a miss's chance includes that of the pace, which the simulation draws again. A
    kind of deal counts only where its pace window lies whole after its own first deal
    (`_settled`). Without that year (and for the pipeline) the centre is shrunk toward no
    shift as much as its chance part warrants and the spread is the misses' own."""

    pipeline: Floats
    new: Floats
    raw_sd: tuple[float, float]  # the spread of the log ratios as measured
    sd: tuple[float, float] = (0.0, 0.0)  # the spread used: chance taken out, robust
    season: tuple[float, float] = (0.0, 0.0)  # the centre: the miss a year before (log)
    change: float = 0.0  # the new deals' misses' change over the year, in the centre (log)
    # per snapshot and rep: pipeline wins o, expected e, chance variance v; new deals' revenue,
    # predicted revenue pred, wins n and their chance variance n_cv (for `scope_spread`)
    by_rep: pd.DataFrame | None = None

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
    per_rep = (
        pd.DataFrame(
            {
                "snapshot": snap["snapshot"],
                "rep_id": snap["rep_id"],
                "o": snap["wins"].to_numpy(dtype=float),
                "e": rows * p,
                "v": rows * p * (1 - p),
            }
        )
        .groupby(["snapshot", "rep_id"])[["o", "e", "v"]]
        .sum()
    )
    per = per_rep.groupby(level="snapshot").sum()
    kinds = _kinds(h, new)
    new_rep = _new_misses(_settled(h, h.new_by_snapshot), kinds, ["snapshot", "rep_id"])
    per_new = new_rep.groupby(level="snapshot").sum()
    both = per.join(per_new, how="outer").fillna(0.0)
    ok_p = (both["e"] >= MIN_EXPECTED).to_numpy().copy()
    # a pace read over a window that starts before the store's first deal is too slow, and the
    # miss after it too large: such snapshots say nothing about how new deals fare
    whole = _whole_pace(h, pd.DatetimeIndex(both.index))
    ok_n = ((both["n"] >= MIN_EXPECTED) & (both["pred"] > 0)).to_numpy() & whole
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
    when = pd.to_datetime(both.index.to_series()).dt.date.to_numpy()
    near = np.array([abs((w - h.as_of).days + SEASON_DAYS) <= SEASON_WINDOW for w in when])
    season_p = _season(zp, noise_p, ok_p, near)
    # new deals: this year's misses against last year's at the same weeks, where known
    before = h.new_by_snapshot.iloc[:0] if h.new_year_before is None else h.new_year_before
    year_before = pd.DatetimeIndex(both.index) - pd.Timedelta(days=SEASON_DAYS)
    old = _new_misses(_settled(h, before), kinds).reindex(year_before)
    zo = np.log(((old["revenue"] + 1.0) / (old["pred"] + 1.0)).to_numpy(dtype=float))
    ok_o = ((old["n"] >= MIN_EXPECTED) & (old["pred"] > 0)).fillna(False).to_numpy(dtype=bool)
    ok_o = ok_o & _whole_pace(h, year_before)
    pairs = ok_n & ok_o
    if pairs.sum() >= MIN_POINTS:
        # seasonal naive with the year's change: this season misses as it did a year before,
        # moved by how much this year's misses differed from last year's on average (growth);
        # what that leaves (a different summer) is its spread. The change holds both years'
        # chance: this year's the simulation adds again, and last year's is taken out for the
        # centre's own (this year's misses a year before the forecast day), which is what the
        # centre is off by; last year's, from a smaller business, is larger
        change = np.where(pairs, zn - np.nan_to_num(zo), 0.0)
        trend = _year_change(change[pairs], h.horizon)
        at = ok_n & near
        centre = float(np.mean(noise_n[at])) if at.any() else 0.0
        noise_o = np.nan_to_num((old["n_cv"] / old["n"].clip(lower=1e-9) ** 2).to_numpy(float))
        new_, sd_n = _part(change - trend, noise_n + noise_o - centre, pairs, about_zero=True)
        season_n = float(np.mean(zn[at])) + trend if at.any() else 0.0
    else:  # no year before to learn from: the season's miss, with the misses' whole spread
        new_, sd_n = _part(zn, noise_n, ok_n)
        season_n = _season(zn, noise_n, ok_n, near)
        trend = 0.0
    season = (season_p, season_n)
    return Drift(
        pipeline=pipe + season[0],
        new=new_ + season[1],
        raw_sd=(
            float(np.std(zp[ok_p])) if ok_p.any() else 0.0,
            float(np.std(zn[ok_n])) if ok_n.any() else 0.0,
        ),
        sd=(sd_p, sd_n),
        season=season,
        change=trend,
        by_rep=per_rep.join(new_rep, how="outer").fillna(0.0),
    )


def _whole_pace(h: History, snapshots: pd.DatetimeIndex) -> npt.NDArray[np.bool_]:
    """Whether each snapshot has a whole pace window (`pace_days`) of the store's history
    before it."""
    if h.first_created is None:
        return np.ones(len(snapshots), dtype=bool)
    first = pd.Timestamp(h.first_created) + pd.Timedelta(days=h.pace_days)
    return np.asarray(snapshots >= first, dtype=bool)


def _settled(h: History, frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` (per snapshot and kind) without the rows whose pace window (`pace_days`) starts
    before the kind's first deal: a kind that came later (renewals, a year after the first
    wins) reads no pace or too slow a one there, and the revenue it brought after such a
    snapshot is its arrival, not a miss of the rates. Compared like with like, a snapshot's
    miss is that of the kinds that were already there."""
    if not h.first_by_kind or frame.empty:
        return frame
    whole = {
        k: pd.Timestamp(d) + pd.Timedelta(days=h.pace_days) for k, d in h.first_by_kind.items()
    }
    first = frame["kind"].astype(str).map(whole)
    keep = first.isna() | (pd.to_datetime(frame["snapshot"]) >= first)
    return frame[keep.to_numpy(dtype=bool)]


def _kinds(h: History, new: tuple[NewDealModel, ...]) -> pd.DataFrame:
    """What each kind's pace, at today's rates, predicts per deal created: wins within the
    horizon, their mean amount and its squared coefficient of variation."""
    return pd.DataFrame(
        {
            # typed as the history's kinds, also when there are none (a far-off period)
            "kind": pd.Series([m.kind for m in new], dtype=h.new_by_snapshot["kind"].dtype),
            "per_deal": [m.win * m.gap / m.pace_days if m.pace_days else 0.0 for m in new],
            "amount": [m.mean_amount for m in new],
            "cv2": [m.amount_cv2 for m in new],
        }
    )


def _new_misses(
    frame: pd.DataFrame, kinds: pd.DataFrame, keys: list[str] | None = None
) -> pd.DataFrame:
    """Per snapshot: the revenue of new deals won within the horizon after it, and what each
    kind's pace then, at today's rates, predicted (`pred`; `n` wins, `n_cv` their chance
    variance in units of a win, with that of the pace: a count of deals, which the
    simulation draws again)."""
    grouped = frame.groupby([*(keys or ["snapshot"]), "kind"], as_index=False)
    nb = grouped[["paced", "revenue"]].sum().merge(kinds, on="kind", how="left").fillna(0.0)
    nb["n"] = nb["paced"] * nb["per_deal"]
    nb["pred"] = nb["n"] * nb["amount"]
    nb["n_cv"] = nb["n"] * (1 + nb["cv2"]) + nb["n"] * nb["per_deal"]
    out: pd.DataFrame = nb.groupby(keys or "snapshot")[["revenue", "pred", "n", "n_cv"]].sum()
    return out


def _year_change(change: Floats, horizon: int) -> float:
    """The misses' mean change over the year, shrunk toward no change by its own noise
    (empirical Bayes, as the season's miss is): the snapshots are a week apart and each miss
    spans the horizon, so a year holds only as many independent changes as horizons fit in it,
    and a mean change within that noise says nothing about the growth to come."""
    mean = float(np.mean(change))
    independent = max(len(change) * 7 / max(horizon, 7), 1.0)
    noise = float(np.var(change)) / independent
    if mean**2 <= noise:
        return 0.0
    return mean * (1 - noise / mean**2)


def _season(
    z: Floats, noise: Floats, ok: npt.NDArray[np.bool_], near: npt.NDArray[np.bool_]
) -> float:
    """The miss a year before the forecast day: the mean log ratio of the snapshots within
    `SEASON_WINDOW` days of it, shrunk toward 0 by the share of the misses' spread that is
    more than chance (empirical Bayes: a miss that chance alone explains says nothing)."""
    at = ok & near
    if not at.any() or ok.sum() < 2:
        return 0.0
    signal = max(float(np.var(z[ok])) - float(np.mean(noise[ok])), 0.0)
    chance = float(np.mean(noise[at]))
    if signal <= 0:
        return 0.0
    return float(np.mean(z[at])) * signal / (signal + chance)


def _part(
    z: Floats, noise: Floats, ok: npt.NDArray[np.bool_], about_zero: bool = False
) -> tuple[Floats, float]:
    """One part's drift at the snapshots where it counts (no shift elsewhere), and its spread:
    normal scores of the misses' ranks, scaled by their robust spread with chance taken out
    (`about_zero`: their root mean square, chance taken out: a predictor's misses, whose
    mean is part of its error)."""
    out = np.zeros(len(z))
    if not ok.any():
        return out, 0.0
    d = _denoised(z[ok], noise[ok])
    spread = 1.4826 * float(np.median(np.abs(d - np.median(d))))
    if about_zero:
        spread = float(np.sqrt(max(float(np.mean(z[ok] ** 2) - np.mean(noise[ok])), 0.0)))
    rank = stats.rankdata(d)
    out[ok] = spread * stats.norm.ppf((rank - 0.5) / len(d))
    return out, spread


def scope_spread(shift: Drift, reps: Collection[str] | None) -> tuple[float, float]:
    """How far a team's or rep's own misses strayed from the organisation's at past snapshots,
    beyond chance (one sd of the difference of log ratios, for the open pipeline and for new
    deals): a team's quarter is better or worse than the organisation's by more than its deals'
    chance, which the organisation's drift does not hold. Nothing for the organisation; 0 for a
    part with fewer than `MIN_POINTS` snapshots where the scope had `MIN_EXPECTED` wins at stake."""
    frame = shift.by_rep
    if reps is None or frame is None or frame.empty:
        return 0.0, 0.0
    at = frame.groupby(level="snapshot").sum()
    rep_ids = frame.index.get_level_values("rep_id")
    sc = frame[rep_ids.isin(list(reps))].groupby(level="snapshot").sum()
    sc = sc.reindex(at.index, fill_value=0.0)
    out = []
    for o, e, noise, enough in (
        ("o", "e", sc["v"] / sc["e"].clip(lower=1e-9) ** 2, sc["e"] >= MIN_EXPECTED),
        ("revenue", "pred", sc["n_cv"] / sc["n"].clip(lower=1e-9) ** 2,
         (sc["n"] >= MIN_EXPECTED) & (sc["pred"] > 0)),
    ):  # fmt: skip
        ok = enough.to_numpy(dtype=bool)
        if ok.sum() < MIN_POINTS:
            out.append(0.0)
            continue
        pad = 0.5 if o == "o" else 1.0
        z_all = np.log(((at[o] + pad) / (at[e] + pad)).to_numpy(dtype=float))
        z = np.log(((sc[o] + pad) / (sc[e] + pad)).to_numpy(dtype=float))
        d = (z - z_all)[ok]
        chance = float(np.mean(noise.to_numpy(dtype=float)[ok]))
        out.append(float(np.sqrt(max(float(np.var(d)) - chance, 0.0))))
    return out[0], out[1]
