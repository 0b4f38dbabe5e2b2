"""The revenue forecast: where revenue won (and its target attainment) will land at a period's
end, with its uncertainty.

Three parts add up:

a. what is closed so far: revenue won from the period's start to the forecast day (the metric
   layer's `revenue_won`);
b. the open pipeline on the forecast day: each deal, in the stage it had reached and at its age
   then, is won within the days left with the chance deals like it had before
   (`salesperf.analysis.forecast.model`), closing after the number of days such wins took;
c. new deals: at the recent pace of deal creation, a Poisson stream of deals, each won in time
   with the chance (and after the days) new deals had before.

A seeded Monte Carlo (vectorised over the draws) gives the 10th, 50th and 90th percentiles of
revenue and attainment at the period's end, the probability of reaching the target, and a
weekly path: the actual revenue so far and the fan of the simulated paths to the period's end.
Everything is read as it was known on the forecast day (`salesperf.analysis.forecast.history`),
so a forecast for a past day does not see what came after it (see `salesperf.analysis.forecast.backtest`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd

from salesperf.analysis.forecast.drift import Drift, drift, scope_spread
from salesperf.analysis.forecast.history import (
    History,
    read_history,
)
from salesperf.analysis.forecast.model import (
    OrgRates,
    new_deal_models,
    org_rates,
    pipeline_model,
)
from salesperf.analysis.forecast.sim import path_points, simulate
from salesperf.analysis.forecast.text import assumptions
from salesperf.errors import InputError
from salesperf.metrics.compiler import run
from salesperf.metrics.levels import team_closure
from salesperf.metrics.periods import Grain, Period, parse_period
from salesperf.metrics.query import By, Compare, Query
from salesperf.metrics.registry import QUOTA_METRIC
from salesperf.store import Store
from salesperf.text import Text

QUANTILES = (0.1, 0.5, 0.9)


@dataclass(frozen=True)
class ForecastQuery:
    """What to forecast: a period; the day the forecast is made (`as_of`, a day of the period
    or the day after its last, when the forecast is the actual revenue; default: `today`, or
    the real today, clipped to the period); whose revenue (the organisation, a team with its
    sub-teams, or a rep); and the simulation's size and seed."""

    period: Period
    as_of: date | None = None
    team: str | None = None
    rep: str | None = None
    draws: int = 10_000
    seed: int = 0
    today: date | None = None

    def __post_init__(self) -> None:
        if isinstance(self.period, str):
            object.__setattr__(self, "period", parse_period(self.period))
        if self.team is not None and self.rep is not None:
            raise InputError("forecast a team or a rep, not both")
        if isinstance(self.draws, bool) or not isinstance(self.draws, int):
            raise InputError(f"draws must be a whole number, not {self.draws!r}")
        if not 100 <= self.draws <= 1_000_000:
            raise InputError(f"draws must be from 100 to 1,000,000, not {self.draws}")
        # the day after the period's last is allowed: the period is over, its actual is known
        if self.as_of is not None and not self.period.start <= self.as_of <= self.period.end:
            last = self.period.end - timedelta(days=1)
            raise InputError(
                f"as of {self.as_of} lies outside {self.period.label} "
                f"({self.period.start} to {last}); give a day inside the period"
            )

    def day(self) -> date:
        """The forecast day: `as_of`, else today clipped to the period (its end, the day after
        its last, when it is over)."""
        if self.as_of is not None:
            return self.as_of
        d = self.today or date.today()
        return min(max(d, self.period.start), self.period.end)


@dataclass(frozen=True)
class Scope:
    """Whose revenue: the organisation, a team (with its sub-teams) or a rep."""

    kind: str  # "org", "team" or "rep"
    id: str | None
    name: str
    reps: frozenset[str] | None  # None: everyone

    def query(self) -> dict[str, Any]:
        """The metric query's grouping for this scope."""
        if self.kind == "team":
            return {"by": By.TEAM, "teams": frozenset({self.id})}
        if self.kind == "rep":
            return {"by": By.REP, "reps": self.reps}
        return {"by": By.ORG}


@dataclass(frozen=True)
class Quantiles:
    """The 10th, 50th and 90th percentiles."""

    p10: float
    p50: float
    p90: float

    def to_json(self) -> dict[str, float]:
        """The three percentiles."""
        return {"p10": self.p10, "p50": self.p50, "p90": self.p90}


@dataclass(frozen=True)
class PathPoint:
    """Revenue won from the period's start up to (not including) `day`: the actual figure on
    and before the forecast day, the simulated percentiles on and after it."""

    day: date
    actual: float | None
    p10: float | None
    p50: float | None
    p90: float | None

    def to_json(self) -> dict[str, Any]:
        """The point as plain data."""
        return {
            "day": self.day.isoformat(),
            "actual": self.actual,
            "p10": self.p10,
            "p50": self.p50,
            "p90": self.p90,
        }


@dataclass(frozen=True)
class Forecast:
    """Revenue at the period's end: its three parts, its percentiles, and the chance of
    reaching the target (None without a target)."""

    period: Period
    as_of: date
    scope: Scope
    target: float | None
    closed: float  # revenue won so far
    pipeline_expected: float  # expected revenue from the open pipeline
    new_expected: float  # expected revenue from deals not yet created
    open_deals: int
    new_wins_expected: float
    mean: float  # the simulated outcomes' mean revenue at the period's end
    revenue: Quantiles
    attainment: Quantiles | None
    p_target: float | None
    path: tuple[PathPoint, ...]
    assumptions: tuple[Text, ...]
    draws: int
    seed: int

    @property
    def expected(self) -> float:
        """The expected revenue at the period's end (the three parts added)."""
        return self.closed + self.pipeline_expected + self.new_expected

    def to_json(self) -> dict[str, Any]:
        """The forecast as JSON-safe plain data."""
        return {
            "period": {
                "label": self.period.label,
                "start": self.period.start.isoformat(),
                "end": (self.period.end - timedelta(days=1)).isoformat(),
            },
            "as_of": self.as_of.isoformat(),
            "scope": {"kind": self.scope.kind, "id": self.scope.id, "name": self.scope.name},
            "target": self.target,
            "closed": self.closed,
            "pipeline_expected": self.pipeline_expected,
            "new_expected": self.new_expected,
            "expected": self.expected,
            "open_deals": self.open_deals,
            "new_wins_expected": self.new_wins_expected,
            "mean": self.mean,
            "revenue": self.revenue.to_json(),
            "attainment": self.attainment.to_json() if self.attainment else None,
            "p_target": self.p_target,
            "path": [p.to_json() for p in self.path],
            "assumptions": [a.to_json() for a in self.assumptions],
            "draws": self.draws,
            "seed": self.seed,
        }


# -- the metric layer --------------------------------------------------------------------------
def resolve_scope(store: Store, team: str | None, rep: str | None) -> Scope:
    """The scope named by a team or rep id (neither: the organisation)."""
    if team is not None and rep is not None:
        raise InputError("forecast a team or a rep, not both")
    if team is not None:
        teams = store.table("teams").select("team_id", "name").to_pandas()
        row = teams[teams["team_id"] == team]
        if row.empty:
            raise InputError(
                f"unknown team {team!r}; the teams are: {', '.join(sorted(teams['team_id']))}"
            )
        closure = team_closure(store.con)
        members = frozenset(closure.loc[closure["team_id"] == team, "rep_id"])
        return Scope("team", team, _name(row["name"].iloc[0], team), members)
    if rep is not None:
        reps = store.table("reps").select("rep_id", "name").to_pandas()
        row = reps[reps["rep_id"] == rep]
        if row.empty:
            raise InputError(f"unknown rep {rep!r}; see the reps table for the rep ids")
        return Scope("rep", rep, _name(row["name"].iloc[0], rep), frozenset({rep}))
    return Scope("org", None, "Organisation", None)


def _name(value: Any, fallback: str) -> str:
    return value if isinstance(value, str) and value else fallback


def closed_by_day(store: Store, scope: Scope, start: date, end: date) -> pd.Series:
    """Revenue won per day in [start, end) (the metric layer's revenue_won), by local date."""
    if end <= start:
        return pd.Series(dtype=float)
    q = Query(metrics=(QUOTA_METRIC,), start=start, end=end, grain=Grain.DAY, **scope.query())
    df = run(store.con, q, store.settings.timezone, store.settings.currency)
    s = df.groupby("period_start")[QUOTA_METRIC].sum()
    return s.astype(float)


def target_and_actual(store: Store, scope: Scope, period: Period) -> tuple[float | None, float]:
    """The scope's revenue target for this period (`metrics.targets`; None without one), and the
    revenue it won in the whole period (used only to score forecasts of past periods)."""
    q = Query(
        metrics=(QUOTA_METRIC,),
        start=period.start,
        end=period.end,
        grain=Grain.ALL,
        compare=(Compare.TARGET,),
        **scope.query(),
    )
    df = run(store.con, q, store.settings.timezone, store.settings.currency)
    if df.empty:
        return None, 0.0
    target = df[f"{QUOTA_METRIC}_target"].iloc[0]
    actual = df[QUOTA_METRIC].iloc[0]
    return (
        None if pd.isna(target) else float(target),
        0.0 if pd.isna(actual) else float(actual),
    )


def targets_and_actuals(
    store: Store, scopes: list[Scope], period: Period
) -> dict[str, tuple[float | None, float]]:
    """`target_and_actual` for the organisation and teams among `scopes` at once, keyed by
    team id ("org" for the organisation)."""
    out: dict[str, tuple[float | None, float]] = {}
    tz, cur = store.settings.timezone, store.settings.currency
    base: dict[str, Any] = {"metrics": (QUOTA_METRIC,), "start": period.start, "end": period.end,
            "grain": Grain.ALL, "compare": (Compare.TARGET,)}  # fmt: skip
    teams = frozenset(s.id for s in scopes if s.kind == "team" and s.id is not None)
    frames = [("org", run(store.con, Query(**base, by=By.ORG), tz, cur))]
    if teams:
        frames.append(("team_id", run(store.con, Query(**base, by=By.TEAM, teams=teams), tz, cur)))
    for key, df in frames:
        for rec in df.to_dict("records"):
            target, actual = rec[f"{QUOTA_METRIC}_target"], rec[QUOTA_METRIC]
            out[str(rec[key])] = (
                None if pd.isna(target) else float(target),
                0.0 if pd.isna(actual) else float(actual),
            )
    return {s.id or "org": out.get(s.id or "org", (None, 0.0)) for s in scopes if s.kind != "rep"}


def average_deal_size(store: Store, scope: Scope, as_of: date) -> float | None:
    """The average deal size over the year before `as_of` (the metric layer's avg_deal_size),
    for deals without an amount; the organisation's when the scope won nothing."""
    for s in (scope, Scope("org", None, "", None)):
        q = Query(
            metrics=("avg_deal_size",),
            start=as_of - timedelta(days=365),
            end=as_of,
            grain=Grain.ALL,
            **s.query(),
        )
        df = run(store.con, q, store.settings.timezone, store.settings.currency)
        values = df["avg_deal_size"].dropna()
        if len(values):
            return float(values.iloc[0])
    return None


def _q(values: np.ndarray) -> Quantiles:
    a, b, c = np.quantile(values, QUANTILES)
    return Quantiles(float(a), float(b), float(c))


def learn(h: History, fill_amount: float | None = None) -> tuple[OrgRates, Drift]:
    """The organisation's rates and drift from a reading of the history (shared by every
    team's and rep's forecast made from it)."""
    rates = org_rates(h)
    return rates, drift(h, rates, new_deal_models(h, None, fill_amount))


def forecast_from(
    h: History,
    scope: Scope,
    period: Period,
    closed: pd.Series,
    target: float | None,
    draws: int = 10_000,
    seed: int = 0,
    fill_amount: float | None = None,
    learnt: tuple[OrgRates, Drift] | None = None,
) -> Forecast:
    """The forecast from a reading of the history (`closed`: revenue won per day so far;
    `learnt`: the organisation's rates and drift, learnt here when not given)."""
    as_of = h.as_of
    rates, shift = learnt or learn(h, fill_amount)
    pipe = pipeline_model(h, rates, scope.reps, fill_amount)
    new = new_deal_models(h, scope.reps, fill_amount)
    points = path_points(period, as_of)
    future = [p for p in points if p >= as_of]
    spread = scope_spread(shift, scope.reps)
    offsets = [(p - as_of).days for p in future]
    sim = simulate(pipe, new, shift, offsets, draws, seed, spread)
    daily = closed[[d < as_of for d in closed.index]] if len(closed) else closed
    so_far = float(daily.sum())
    total = so_far + sim[:, -1]
    path = []
    for p in points:
        if p < as_of:
            actual = float(daily[[d < p for d in daily.index]].sum()) if len(daily) else 0.0
            path.append(PathPoint(p, actual, None, None, None))
        else:
            qs = _q(sim[:, future.index(p)] + so_far)
            path.append(PathPoint(p, so_far if p == as_of else None, qs.p10, qs.p50, qs.p90))
    m_pipe = np.exp(shift.pipeline) if shift.points else np.ones(1)
    m_new = float(np.mean(np.exp(shift.new))) if shift.points else 1.0
    pipeline_expected = float(
        np.mean(np.minimum(pipe.p[None, :] * m_pipe[:, None], 1.0) @ pipe.amount)
    )
    return Forecast(
        period=period,
        as_of=as_of,
        scope=scope,
        target=target,
        closed=so_far,
        pipeline_expected=pipeline_expected,
        new_expected=m_new * sum(m.expected_revenue for m in new),
        open_deals=len(pipe.p),
        new_wins_expected=m_new * sum(m.expected_wins for m in new),
        mean=float(np.mean(total)),
        revenue=_q(total),
        attainment=_q(total / target) if target else None,
        p_target=float(np.mean(total >= target)) if target else None,
        path=tuple(path),
        assumptions=assumptions(h, period, pipe, new, shift, fill_amount, draws, seed),
        draws=draws,
        seed=seed,
    )


def forecast(store: Store, query: ForecastQuery) -> Forecast:
    """The forecast of revenue won (and target attainment) at the period's end."""
    as_of = query.day()
    scope = resolve_scope(store, query.team, query.rep)
    period = query.period
    h = read_history(store, as_of, (period.end - as_of).days)
    fill = None
    if h.pipeline["amount"].isna().any() or h.cohort_wins["amount"].isna().any():
        fill = average_deal_size(store, scope, as_of)
    closed = closed_by_day(store, scope, period.start, as_of)
    target, _ = target_and_actual(store, scope, period)
    return forecast_from(h, scope, period, closed, target, query.draws, query.seed, fill)


# -- the assumptions, in words -----------------------------------------------------------------
