"""Drivers: which activity types and volumes go with results, and with what lag.

Three views, each an association and never proof of cause:
- the count model: deals won per rep and ISO week on each type's activity counts 0..max_lag
  weeks earlier (see `salesperf.analysis.drivers.panel`), giving each type's effect and best lag;
- win rate with and without each type: deals closed in the window that had at least one
  activity of the type linked to them, against those that had none;
- conversion by number of touches: the win rate of closed deals by how many activities were
  linked to them, in bins, with the gain per extra touch and where the returns flatten
  (`salesperf.analysis.drivers.touches`, which works on any (touches, converted) data).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import date, timedelta
from typing import Any

import pandas as pd

from salesperf.analysis.drivers import text
from salesperf.analysis.drivers.model import LagFit, fit_lags
from salesperf.analysis.drivers.panel import (
    check_types,
    closed_deal_touches,
    data_span,
    first_whole_week,
    full_weeks,
    record_days,
    rep_spans,
    rep_week_panel,
    team_reps,
)
from salesperf.analysis.drivers.touches import TouchCurve, conversion_by_touches, touch_curve
from salesperf.analysis.stats.shrinkage import jeffreys_interval
from salesperf.analysis.vocab import DRIVERS_MAX_LAG, DRIVERS_WINDOW
from salesperf.analysis.windows import resolve_window
from salesperf.errors import InputError
from salesperf.metrics.compiler import Compiler
from salesperf.metrics.periods import Grain, Period, day_bound, period_start
from salesperf.metrics.query import By, Query, Split
from salesperf.store import Store
from salesperf.store.reads import except_reps, read_whole, windowed
from salesperf.text import Text

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
            raise InputError(f"max lag must be a whole number of weeks from 0 to {MAX_LAG}, "
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

    window: Period  # the window used: the one asked for, cut to the days with data
    weeks: tuple[date, date]  # the model's outcome weeks: first Monday, Monday after the last
    team: str | None
    max_lag: int
    fit: LagFit
    with_without: tuple[WithWithout, ...]
    touches: TouchCurve
    notes: tuple[Text, ...] = field(default=())
    requested: Period | None = None  # the window asked for, when the data cut it

    def to_json(self) -> dict[str, Any]:
        """JSON-safe plain data: dates as ISO strings, texts as {en, nl}, no NaN."""
        data = asdict(self)
        data["window"] = {
            "label": self.window.label,
            "start": self.window.start.isoformat(),
            "end": self.window.end.isoformat(),
        }
        data["weeks"] = [d.isoformat() for d in self.weeks]
        data["requested"] = self.requested and {
            "label": self.requested.label,
            "start": self.requested.start.isoformat(),
            "end": self.requested.end.isoformat(),
        }
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
    plan = c.plan(q)  # the same groups for both
    typed, _ = c.measures(
        replace(q, metrics=("type_to_win_rate",), split=Split.TYPE), q.start, plan
    )
    total, _ = c.measures(q, q.start, plan)
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
def data_window(window: Period, days: tuple[date, date] | None) -> Period:
    """The window cut to the data (`days`: the first and last day with both activities and
    deals recorded, `salesperf.analysis.drivers.panel.data_span`): from the first day to the end of the
    ISO week of the last (a week that ends early is a shock every rep shares, which the week
    levels absorb); labelled by its days when cut."""
    if days is None:
        return window
    start = max(window.start, days[0])
    end = min(window.end, period_start(days[1], Grain.WEEK) + timedelta(weeks=1))
    if (start, end) == (window.start, window.end):
        return window
    if end <= start:
        raise InputError(
            f"the window {window.label} ({window.start} to {window.end - timedelta(days=1)}) "
            f"holds no data: activities and deals are both recorded from {days[0]} to {days[1]}"
        )
    return Period(start, end, f"{start.isoformat()}..{(end - timedelta(days=1)).isoformat()}")


def drivers(store: Store, query: DriversQuery | None = None) -> Drivers:
    """The drivers analysis: the count model, win rate with and without each type, and
    conversion by number of touches, for a team (or everyone) over a window cut to the days
    with data."""
    query = query or DriversQuery()
    asked = resolve_window(query.window or DEFAULT_WINDOW, query.today)
    # Its activities are counted in weeks that end by the window's end (those linked to a
    # deal aside), but the window is cut to the days with data and a rep without an end date
    # is active until their last record: see `_later_change`.
    with windowed(day_bound(asked.end, store.settings.timezone)):
        return _drivers(store, query, asked)


def _later_change(
    store: Store, days: pd.DataFrame, asked: Period, window: Period, end: date
) -> frozenset[str] | None:
    """Whose activities after the window would change the analysis: anyone's (None) when they
    would move the cut window's end or begin the organisation's activities; else the reps
    without an end date whose last record (if any) is before the window's last week, whom a
    later record would count as active in it."""
    began = days[days.kind == "activity"]["first"]
    if window.end != asked.end or not len(began) or min(began) >= asked.end:
        return None
    r = store.table("reps")
    open_ended = r.filter(r.end_date.isnull()).rep_id.to_pyarrow().to_pylist()
    lasts = rep_spans(days).set_index("rep_id")["last"]
    last_week = end - timedelta(weeks=1)
    return frozenset(
        str(rep) for rep in open_ended if rep not in lasts.index or lasts[rep] < last_week
    )


def _drivers(store: Store, query: DriversQuery, asked: Period) -> Drivers:
    reps = team_reps(store, query.team)
    types = check_types(store, query.types)
    full_weeks(asked)  # a window without a whole week is refused as such, data or not
    days = record_days(store, None)
    span = data_span(days)  # the organisation's, whatever the team
    window = data_window(asked, span)
    first, end = full_weeks(window)
    quiet = _later_change(store, days, asked, window, end)
    if quiet is None:
        read_whole("activities")  # the result depends on them whatever their day
    else:
        except_reps(quiet)  # on these reps' activities whatever their day
    if span is not None:  # the outcome weeks start once every lag has data
        first = max(first, first_whole_week(span[0]) + timedelta(weeks=query.max_lag))
    weeks = max(0, (end - first).days // 7)
    if weeks < MIN_WEEKS:
        raise InputError(
            f"the window {window.label} holds {weeks} whole ISO week(s) with data for all "
            f"{query.max_lag} lags; the drivers need at least {MIN_WEEKS} (use a longer window, "
            "such as last-4-quarters, or a shorter --max-lag)"
        )
    panel = rep_week_panel(store, first, end, query.max_lag, reps, types)
    if query.types is None:  # every type with activity; a named type is studied regardless
        types = tuple(t for t in types if panel[t].sum() > 0)
        if not types:
            raise InputError(f"no activities in or before the window {window.label}")
    if not bool((panel.active & (panel.week >= first)).any()):
        raise InputError(f"no rep was active in the window {window.label}")
    fit = fit_lags(panel, types, query.max_lag, first=first)
    notes: tuple[Text, ...] = (
        text.caution(),
        fit.sample.describe(),
        fit.model.description,
    )
    if window != asked:
        notes += (text.cut_note(asked, window, first, end, query.max_lag),)
    return Drivers(
        window=window,
        weeks=(first, end),
        team=query.team,
        max_lag=query.max_lag,
        fit=fit,
        with_without=with_and_without(store, window, reps, types),
        touches=deal_touch_curve(store, window, reps),
        notes=notes,
        requested=asked if window != asked else None,
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
