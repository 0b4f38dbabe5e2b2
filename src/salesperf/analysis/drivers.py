"""Drivers: which activity types and volumes go with results, and with what lag.

Three views, each an association and never proof of cause:
- the count model: deals won per rep and ISO week on each type's activity counts 0..max_lag
  weeks earlier (see `salesperf.analysis.panel`), giving each type's effect and best lag;
- win rate with and without each type: deals closed in the window that had at least one
  activity of the type linked to them, against those that had none;
- conversion by number of touches: the win rate of closed deals by how many activities were
  linked to them, in bins, with the gain per extra touch and where the returns flatten
  (`touch_curve` works on any (touches, converted) data, such as a phone campaign's leads).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import date
from typing import Any

import pandas as pd

from salesperf.analysis.common import Lang, Text, number, percent, resolve_window
from salesperf.analysis.countmodel import LagFit, fit_lags
from salesperf.analysis.panel import (
    check_types,
    closed_deal_touches,
    full_weeks,
    rep_week_panel,
    team_reps,
)
from salesperf.analysis.shrinkage import jeffreys_interval
from salesperf.analysis.vocab import DRIVERS_MAX_LAG, DRIVERS_WINDOW
from salesperf.metrics.compiler import Compiler
from salesperf.metrics.periods import Grain, Period
from salesperf.metrics.query import By, Query, Split
from salesperf.store import Store

DEFAULT_WINDOW = DRIVERS_WINDOW
MAX_LAG = DRIVERS_MAX_LAG
#: Fewer whole weeks than this leave a rep-week model with rep fixed effects nothing to learn.
MIN_WEEKS = 8
#: Bins of touches: (lowest, highest), None for open-ended.
TOUCH_BINS: tuple[tuple[int, int | None], ...] = (
    (0, 0), (1, 1), (2, 2), (3, 3), (4, 5), (6, 8), (9, 12), (13, 20), (21, None),
)  # fmt: skip
#: A bin with fewer items than this is shown but takes no part in finding where returns flatten.
MIN_BIN_ITEMS = 20
#: Returns are flat where an extra touch adds less than a quarter of the best gain per touch,
#: and in any case under half a percentage point.
FLAT_SHARE = 0.25
FLAT_GAIN = 0.005


@dataclass(frozen=True)
class DriversQuery:
    """What to analyse: a team (None: everyone), a window, the longest lag and the types."""

    team: str | None = None
    window: str | Period | None = None  # default: the last four full quarters
    max_lag: int = 8  # weeks
    types: tuple[str, ...] | None = None  # None: every type with activity
    today: date | None = None

    def __post_init__(self) -> None:
        lag = self.max_lag
        if isinstance(lag, bool) or not isinstance(lag, int) or not 0 <= lag <= MAX_LAG:
            raise ValueError(f"max lag must be a whole number of weeks from 0 to {MAX_LAG}, "
                             f"not {lag!r}")  # fmt: skip
        if self.types is not None:
            object.__setattr__(self, "types", tuple(self.types))


@dataclass(frozen=True)
class WinRate:
    """Deals won of deals closed, the raw rate (None without deals) and its Jeffreys interval."""

    closed: int
    won: int
    rate: float | None
    low: float | None
    high: float | None


def win_rate(won: int, closed: int) -> WinRate:
    """A `WinRate` with its 95% Jeffreys interval."""
    ci = jeffreys_interval(won, closed)
    return WinRate(closed, won, won / closed if closed else None, *(ci or (None, None)))


@dataclass(frozen=True)
class WithWithout:
    """Win rate of closed deals with at least one activity of the type, and with none."""

    type: str
    with_type: WinRate
    without: WinRate
    difference: float | None  # with minus without
    low: float | None  # 95% interval of the difference (Newcombe's method, Jeffreys limits)
    high: float | None


def _difference(a: WinRate, b: WinRate) -> tuple[float | None, float | None, float | None]:
    """a - b with the MOVER interval built from each rate's own interval."""
    if a.rate is None or a.low is None or a.high is None:
        return None, None, None
    if b.rate is None or b.low is None or b.high is None:
        return None, None, None
    d = a.rate - b.rate
    low = d - math.hypot(a.rate - a.low, b.high - b.rate)
    high = d + math.hypot(a.high - a.rate, b.rate - b.low)
    return d, low, high


@dataclass(frozen=True)
class TouchBin:
    """Items whose touches fall in [lo, hi] (hi None: open-ended), and how many converted."""

    label: str
    lo: int
    hi: int | None
    items: int
    converted: int
    rate: float | None
    low: float | None
    high: float | None
    mean_touches: float | None
    gain: float | None  # rate change per extra touch since the previous bin (None: first, thin)


@dataclass(frozen=True)
class TouchCurve:
    """Conversion by number of touches, with where the returns flatten."""

    bins: tuple[TouchBin, ...]
    peak_gain: float | None  # the largest gain per extra touch between bins
    flattens_after: str | None  # the bin after which extra touches add little (None: never)
    statement: Text


@dataclass(frozen=True)
class Drivers:
    """Which activity types go with deals won, how strongly, with what lag; plain data."""

    window: Period
    weeks: tuple[date, date]  # the whole ISO weeks studied: first Monday, Monday after the last
    team: str | None
    max_lag: int
    fit: LagFit
    with_without: tuple[WithWithout, ...]
    touches: TouchCurve
    notes: tuple[Text, ...] = field(default=())

    def to_json(self) -> dict[str, Any]:
        """JSON-safe plain data: dates as ISO strings, texts as {en, nl}, no NaN."""
        data = asdict(self)
        data["window"] = {
            "label": self.window.label,
            "start": self.window.start.isoformat(),
            "end": self.window.end.isoformat(),
        }
        data["weeks"] = [d.isoformat() for d in self.weeks]
        for e, eff in zip(data["fit"]["effects"], self.fit.effects, strict=True):
            e["best_lag"] = eff.best_lag
        result: dict[str, Any] = _clean(data)
        return result


def _clean(x: Any) -> Any:
    if isinstance(x, dict):
        return {k: _clean(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [_clean(v) for v in x]
    if isinstance(x, float) and not math.isfinite(x):
        return None
    if isinstance(x, date):
        return x.isoformat()
    return x


# -- conversion by number of touches ------------------------------------------------------------
def _bin_label(lo: int, hi: int | None) -> str:
    if hi is None:
        return f"{lo}+"
    return str(lo) if lo == hi else f"{lo}-{hi}"


def _pct(x: float, lang: Lang) -> str:
    return percent(x, 1, lang) if lang is Lang.NL else f"{100 * x:.1f}%"


def _points(x: float, lang: Lang) -> str:
    return number(100 * x, 1, lang) if lang is Lang.NL else f"{100 * x:.1f}"


def touch_curve(
    touches: Sequence[int] | pd.Series,
    items: Sequence[int] | pd.Series,
    converted: Sequence[int] | pd.Series,
    bins: Sequence[tuple[int, int | None]] = TOUCH_BINS,
    noun: tuple[Text, Text] = (Text("touch", "contactmoment"), Text("touches", "contactmomenten")),
    min_items: int = MIN_BIN_ITEMS,
) -> TouchCurve:
    """Conversion by number of touches from counts per touch value (`items` with that many
    touches, `converted` of them), in `bins`, with the gain per extra touch between bins and
    where the returns flatten. `noun` names a touch (singular, plural) in the statement.

    The gain of a bin is (its rate - the previous bin's) / (its mean touches - the previous
    bin's). Returns flatten after the bin from which every later gain stays under a quarter of
    the best gain (and under half a point); if no gain is positive, after the first bin.
    Bins with fewer than `min_items` items are shown but take no part in that.
    """
    df = (
        pd.DataFrame({"t": list(touches), "n": list(items), "k": list(converted)}, dtype="int64")
        .groupby("t", as_index=False)[["n", "k"]]
        .sum()
    )
    if (df.t < 0).any() or (df.k > df.n).any() or (df.k < 0).any():
        raise ValueError("touches and counts must be whole numbers >= 0, converted <= items")
    out: list[TouchBin] = []
    prev: TouchBin | None = None
    for lo, hi in bins:
        sel = df[(df.t >= lo) & ((df.t <= hi) if hi is not None else True)]
        n, k = int(sel.n.sum()), int(sel.k.sum())
        if n == 0:
            continue
        mean = float((sel.t * sel.n).sum() / n)
        rate = k / n
        low, high = jeffreys_interval(k, n) or (None, None)
        gain = None
        if n >= min_items and prev is not None and prev.rate is not None:
            assert prev.mean_touches is not None
            gain = (rate - prev.rate) / (mean - prev.mean_touches)
        b = TouchBin(_bin_label(lo, hi), lo, hi, n, k, rate, low, high, mean, gain)
        out.append(b)
        if n >= min_items:
            prev = b
    return _flatten(tuple(out), noun, min_items)


def conversion_by_touches(
    frame: pd.DataFrame,
    touches: str = "touches",
    converted: str = "converted",
    bins: Sequence[tuple[int, int | None]] = TOUCH_BINS,
    noun: tuple[Text, Text] = (Text("touch", "contactmoment"), Text("touches", "contactmomenten")),
) -> TouchCurve:
    """`touch_curve` of a plain frame with one row per lead or deal: its number of touches and
    whether it converted (a boolean, or 0/1)."""
    if touches not in frame or converted not in frame:
        raise ValueError(f"the frame needs columns {touches!r} and {converted!r}")
    conv = frame[converted].astype(bool).astype("int64")
    g = conv.groupby(frame[touches].astype("int64")).agg(["size", "sum"])
    return touch_curve(g.index.to_list(), g["size"].to_list(), g["sum"].to_list(), bins, noun)


def _flatten(bins: tuple[TouchBin, ...], noun: tuple[Text, Text], min_items: int) -> TouchCurve:
    solid = [b for b in bins if b.items >= min_items]
    gains = [(i, b.gain) for i, b in enumerate(solid) if b.gain is not None]
    one, many = noun

    def said(b: TouchBin, lang: Lang) -> str:
        return f"{b.label} {(one if b.label == '1' else many).get(lang)}"

    if not solid or not gains:
        msg = Text(
            f"Too few closed items to tell how conversion changes with {many.en}.",
            f"Te weinig afgeronde items om te zien hoe de conversie met {many.nl} verandert.",
        )
        return TouchCurve(bins, None, None, msg)
    peak = max(g for _, g in gains)
    last = solid[-1]
    if peak < FLAT_GAIN:
        top = solid[0]
        statements = {
            lang: (
                f"Conversion is highest at {said(top, lang)} ({_pct(top.rate or 0, lang)}); "
                f"more {many.get(lang)} did not raise it (it is {_pct(last.rate or 0, lang)} at "
                f"{said(last, lang)}): the returns are flat from the first {one.get(lang)} on."
                if lang is Lang.EN
                else f"De conversie is het hoogst bij {said(top, lang)} "
                f"({_pct(top.rate or 0, lang)}); meer {many.get(lang)} verhoogden haar niet "
                f"(bij {said(last, lang)} is ze {_pct(last.rate or 0, lang)}): het rendement is "
                f"vlak vanaf het eerste {one.get(lang)}."
            )
            for lang in Lang
        }
        return TouchCurve(bins, peak, top.label, Text(statements[Lang.EN], statements[Lang.NL]))
    threshold = max(FLAT_SHARE * peak, FLAT_GAIN)
    at_peak = next(i for i, g in gains if g == peak)
    after = None
    for j, (i, _) in enumerate(gains):
        if i > at_peak and all(g < threshold for _, g in gains[j:]):
            after = solid[i - 1]
            break
    if after is None:
        msg = Text(
            f"Conversion still rises by at least {_points(threshold, Lang.EN)} points per extra "
            f"{one.en} up to {said(last, Lang.EN)} ({_pct(last.rate or 0, Lang.EN)}): the returns "
            "do not flatten within these data.",
            f"De conversie stijgt nog met minstens {_points(threshold, Lang.NL)} punt per extra "
            f"{one.nl} tot {said(last, Lang.NL)} ({_pct(last.rate or 0, Lang.NL)}): het rendement "
            "vlakt binnen deze gegevens niet af.",
        )
        return TouchCurve(bins, peak, None, msg)
    later = max(g for i, g in gains if solid[i - 1].lo >= after.lo)
    msg = Text(
        f"Conversion rises with {many.en} up to {said(after, Lang.EN)} "
        f"({_pct(after.rate or 0, Lang.EN)}), by up to {_points(peak, Lang.EN)} points per extra "
        f"{one.en}; beyond that each extra {one.en} adds at most {_points(later, Lang.EN)} "
        f"points: the returns flatten after about {after.hi or after.lo} {many.en}.",
        f"De conversie stijgt met {many.nl} tot {said(after, Lang.NL)} "
        f"({_pct(after.rate or 0, Lang.NL)}), met tot {_points(peak, Lang.NL)} punt per extra "
        f"{one.nl}; daarna voegt elk extra {one.nl} hoogstens {_points(later, Lang.NL)} punt "
        f"toe: het rendement vlakt af na ongeveer {after.hi or after.lo} {many.nl}.",
    )
    return TouchCurve(bins, peak, after.label, msg)


# -- the store's views --------------------------------------------------------------------------
def with_and_without(
    store: Store, window: Period, reps: frozenset[str] | None, types: Sequence[str]
) -> tuple[WithWithout, ...]:
    """For each type, the win rate of deals closed in the window with at least one activity of
    the type linked to them, and of those with none (the metric layer's own counts)."""
    c = Compiler(store.con, store.settings.timezone)
    q = Query(("win_rate",), window.start, window.end, Grain.ALL, By.ORG, reps=reps)
    typed, _ = c.measures(replace(q, metrics=("type_to_win_rate",), split=Split.TYPE), q.start)
    total, _ = c.measures(q, q.start)
    t = typed.to_pandas().set_index("_split")
    tot = total.to_pandas()
    won_all = int(tot.deals_won.sum()) if len(tot) else 0
    closed_all = won_all + (int(tot.deals_lost.sum()) if len(tot) else 0)
    out = []
    for ty in types:
        k = int(t.typed_deals_won.get(ty, 0) or 0)
        n = int(t.typed_deals_closed.get(ty, 0) or 0)
        a, b = win_rate(k, n), win_rate(won_all - k, closed_all - n)
        out.append(WithWithout(ty, a, b, *_difference(a, b)))
    return tuple(out)


def deal_touch_curve(store: Store, window: Period, reps: frozenset[str] | None) -> TouchCurve:
    """Conversion by number of touches of the deals closed in the window."""
    t = closed_deal_touches(store, window, reps)
    g = t.group_by("touches").aggregate(items=t.count(), converted=t.won.sum()).to_pandas()
    return touch_curve(g.touches.astype(int), g["items"].astype(int), g.converted.astype(int))


# -- the analysis -------------------------------------------------------------------------------
def drivers(store: Store, query: DriversQuery | None = None) -> Drivers:
    """The drivers analysis: the count model, win rate with and without each type, and
    conversion by number of touches, for a team (or everyone) over a window."""
    query = query or DriversQuery()
    window = resolve_window(query.window or DEFAULT_WINDOW, query.today)
    reps = team_reps(store, query.team)
    types = check_types(store, query.types)
    first, end = full_weeks(window)
    weeks = (end - first).days // 7
    if weeks < MIN_WEEKS:
        raise ValueError(
            f"the window {window.label} holds {weeks} whole ISO week(s); the drivers need at "
            f"least {MIN_WEEKS} (use a longer window, such as last-4-quarters)"
        )
    panel = rep_week_panel(store, first, end, query.max_lag, reps, types)
    if query.types is None:  # every type with activity; a named type is studied regardless
        types = tuple(t for t in types if panel[t].sum() > 0)
        if not types:
            raise ValueError(f"no activities in or before the window {window.label}")
    if not bool((panel.employed & (panel.week >= first)).any()):
        raise ValueError(f"no rep was employed in the window {window.label}")
    fit = fit_lags(panel, types, query.max_lag, first=first)
    notes = (
        Text(
            "These are associations, not causes: weeks with more of an activity may simply be "
            "weeks with more deals in the pipeline. Use them to ask better questions, not to "
            "set quotas.",
            "Dit zijn samenhangen, geen oorzaken: weken met meer van een activiteit kunnen ook "
            "weken zijn met meer deals in de pijplijn. Gebruik ze om betere vragen te stellen, "
            "niet om quota vast te stellen.",
        ),
        fit.sample.describe(),
        fit.model.description,
    )
    return Drivers(
        window=window,
        weeks=(first, end),
        team=query.team,
        max_lag=query.max_lag,
        fit=fit,
        with_without=with_and_without(store, window, reps, types),
        touches=deal_touch_curve(store, window, reps),
        notes=notes,
    )


__all__ = [
    "Drivers",
    "DriversQuery",
    "TouchCurve",
    "WithWithout",
    "conversion_by_touches",
    "drivers",
    "touch_curve",
]
