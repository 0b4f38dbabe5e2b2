"""Drivers: which activity types and volumes go with results, and with what lag.

Three views, each an association and never proof of cause:
- the count model: deals won per rep and ISO week on each type's activity counts 0..max_lag
  weeks earlier (see `salesperf.analysis.panel`), giving each type's effect and best lag;
- win rate with and without each type: deals closed in the window that had at least one
  activity of the type linked to them, against those that had none;
- conversion by number of touches: the win rate of closed deals by how many activities were
  linked to them, in bins, with the gain per extra touch and where the returns flatten
  (`salesperf.analysis.touches`, which works on any (touches, converted) data).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import date
from typing import Any

from salesperf.analysis.common import Text, resolve_window
from salesperf.analysis.countmodel import LagFit, fit_lags
from salesperf.analysis.panel import (
    check_types,
    closed_deal_touches,
    full_weeks,
    rep_week_panel,
    team_reps,
)
from salesperf.analysis.shrinkage import jeffreys_interval
from salesperf.analysis.touches import TouchCurve, conversion_by_touches, touch_curve
from salesperf.analysis.vocab import DRIVERS_MAX_LAG, DRIVERS_WINDOW
from salesperf.metrics.compiler import Compiler
from salesperf.metrics.periods import Grain, Period
from salesperf.metrics.query import By, Query, Split
from salesperf.store import Store

DEFAULT_WINDOW = DRIVERS_WINDOW
MAX_LAG = DRIVERS_MAX_LAG
#: Fewer whole weeks than this leave a rep-week model with rep fixed effects nothing to learn.
MIN_WEEKS = 8


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


# -- the store's views --------------------------------------------------------------------------
def with_and_without(
    store: Store, window: Period, reps: frozenset[str] | None, types: Sequence[str]
) -> tuple[WithWithout, ...]:
    """For each type, the win rate of deals closed in the window with at least one activity of
    the type linked to them, and of those with none (the metric layer's own counts)."""
    c = Compiler(store.con, store.settings.timezone, currency=store.settings.currency)
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
