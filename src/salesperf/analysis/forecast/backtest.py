"""The forecast's backtest: forecasts made on past days, from what was known then, set against
what the period actually brought.

For each period and each checkpoint (weeks into the period) the forecast is made as of that day
for the organisation and every team below it (and, on request, every rep employed through the
whole period), from one reading of the history as it was known then
(`salesperf.analysis.forecast.history`). A forecast is well calibrated when its P10-P90
range holds the actual revenue about 80% of the time; the mean absolute error of its P50 (in %
of the target) says how sharp it is, and the Brier score how good its probability of reaching
the target was (0 is perfect; always saying 50% scores 0.25).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pandas as pd

from salesperf.analysis.forecast import text
from salesperf.analysis.forecast.core import (
    Scope,
    average_deal_size,
    forecast_from,
    learn,
    resolve_scope,
    targets_and_actuals,
)
from salesperf.analysis.forecast.history import read_history
from salesperf.analysis.windows import period_label
from salesperf.errors import InputError
from salesperf.metrics.compiler import run
from salesperf.metrics.periods import (
    Grain,
    Period,
    local_datetime,
    parse_period,
    period_start,
    shift,
)
from salesperf.metrics.query import By, Query
from salesperf.metrics.registry import QUOTA_METRIC
from salesperf.store import Store
from salesperf.text import Text

#: The share of actuals a well-calibrated P10-P90 range holds.
IDEAL_COVERAGE = 0.8
#: History a quarter needs before it to be backtested: a year of snapshots and a quarter's
#: horizon before them.
MIN_HISTORY_DAYS = 364 + 92


@dataclass(frozen=True)
class BacktestRow:
    """One forecast made on a past day, and what actually happened."""

    period: str
    as_of: date
    week: int
    scope: str  # "org" or a team id
    name: str
    target: float | None
    actual: float
    p10: float
    p50: float
    p90: float
    p_target: float | None
    kind: str = "team"  # "org", "team" or "rep"

    @property
    def covered(self) -> bool:
        """Whether the P10-P90 range held the actual."""
        return self.p10 <= self.actual <= self.p90

    @property
    def error(self) -> float | None:
        """|P50 - actual| as a share of the target (None without a target)."""
        return abs(self.p50 - self.actual) / self.target if self.target else None

    @property
    def reached(self) -> bool | None:
        """Whether the actual reached the target (None without a target)."""
        return self.actual >= self.target if self.target else None

    def to_json(self) -> dict[str, Any]:
        """The row as plain data."""
        return {
            "period": self.period,
            "as_of": self.as_of.isoformat(),
            "week": self.week,
            "scope": self.scope,
            "name": self.name,
            "target": self.target,
            "actual": self.actual,
            "p10": self.p10,
            "p50": self.p50,
            "p90": self.p90,
            "p_target": self.p_target,
            "kind": self.kind,
            "covered": self.covered,
            "error": self.error,
        }


@dataclass(frozen=True)
class Calibration:
    """How a set of forecasts fared: P10-P90 coverage, mean absolute P50 error in % of target,
    and the Brier score of the probability of reaching the target."""

    scope: str  # "all", "org" or a team id
    forecasts: int
    coverage: float | None
    mae: float | None  # a share of the target
    brier: float | None

    @classmethod
    def of(cls, scope: str, rows: Sequence[BacktestRow]) -> Calibration:
        """The calibration of `rows`."""
        errors = [r.error for r in rows if r.error is not None]
        briers = [
            (r.p_target - float(bool(r.reached))) ** 2
            for r in rows
            if r.p_target is not None and r.reached is not None
        ]
        return cls(
            scope=scope,
            forecasts=len(rows),
            coverage=sum(r.covered for r in rows) / len(rows) if rows else None,
            mae=sum(errors) / len(errors) if errors else None,
            brier=sum(briers) / len(briers) if briers else None,
        )

    def to_json(self) -> dict[str, Any]:
        """The figures as plain data."""
        return {
            "scope": self.scope,
            "forecasts": self.forecasts,
            "coverage": self.coverage,
            "mae": self.mae,
            "brier": self.brier,
        }


@dataclass(frozen=True)
class Backtest:
    """Every backtested forecast, and the calibration overall, per week and per scope (the
    organisation and its teams); the reps' forecasts, when asked for, apart and per week."""

    periods: tuple[str, ...]
    checkpoints: tuple[int, ...]
    rows: tuple[BacktestRow, ...]
    overall: Calibration
    by_scope: tuple[Calibration, ...]
    by_week: tuple[Calibration, ...]
    draws: int
    seed: int
    explanation: Text
    rep_rows: tuple[BacktestRow, ...] = ()
    reps_by_week: tuple[Calibration, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """The backtest as JSON-safe plain data."""
        return {
            "periods": list(self.periods),
            "checkpoints": list(self.checkpoints),
            "overall": self.overall.to_json(),
            "by_scope": [c.to_json() for c in self.by_scope],
            "by_week": [c.to_json() for c in self.by_week],
            "rows": [r.to_json() for r in self.rows],
            "reps_by_week": [c.to_json() for c in self.reps_by_week],
            "rep_rows": [r.to_json() for r in self.rep_rows],
            "draws": self.draws,
            "seed": self.seed,
            "explanation": self.explanation.to_json(),
        }


def backtest_quarters(store: Store, count: int) -> list[Period]:
    """The last `count` full quarters of the store's deal history that have enough history
    before them to be forecast (`MIN_HISTORY_DAYS`)."""
    d = store.table("deals")
    span = d.aggregate(first=d.created_at.min(), last=d.created_at.max()).to_pandas()
    if span.empty or pd.isna(span["first"].iloc[0]):
        raise InputError("the store holds no deals: there is no history to backtest")
    tz = store.settings.timezone
    first = local_datetime(pd.Timestamp(span["first"].iloc[0]).to_pydatetime(), tz).date()
    last = local_datetime(pd.Timestamp(span["last"].iloc[0]).to_pydatetime(), tz).date()
    quarters: list[Period] = []
    q = period_start(last + timedelta(days=1), Grain.QUARTER)
    while len(quarters) < count:
        start = shift(q, Grain.QUARTER, -1)
        if (start - first).days < MIN_HISTORY_DAYS:
            break
        if q <= last + timedelta(days=1):
            quarters.append(parse_period(period_label(start, Grain.QUARTER)))
        q = start
    return sorted(quarters, key=lambda p: p.start)


def backtest_scopes(store: Store) -> list[Scope]:
    """The organisation and every team below the tree's root(s) with reps of its own; a team
    with exactly the reps of one listed before it (a region of one team) is left out, so that
    no forecast counts twice."""
    teams = store.table("teams").select("team_id", "parent_team_id").to_pandas()
    ids = set(teams["team_id"])
    below = sorted(
        t
        for t, parent in zip(teams["team_id"], teams["parent_team_id"], strict=True)
        if isinstance(parent, str) and parent in ids
    )
    out = [resolve_scope(store, None, None)]
    seen: set[frozenset[str]] = set()
    for t in below:
        s = resolve_scope(store, t, None)
        if s.reps and s.reps not in seen:
            seen.add(s.reps)
            out.append(s)
    return out


def backtest_reps(store: Store, period: Period) -> list[Scope]:
    """The reps employed through the whole period (a rep who joined or left in it has no
    quarter's revenue to forecast)."""
    reps = store.table("reps").select("rep_id", "start_date", "end_date").to_pandas()
    last = period.end - timedelta(days=1)
    out = []
    for rep, start, end in zip(reps["rep_id"], reps["start_date"], reps["end_date"], strict=True):
        start = None if pd.isna(start) else pd.Timestamp(start).date()
        end = None if pd.isna(end) else pd.Timestamp(end).date()
        if (start is None or start <= period.start) and (end is None or end >= last):
            out.append(resolve_scope(store, None, str(rep)))
    return sorted(out, key=lambda s: str(s.id))


def _by_rep(
    store: Store, reps: list[Scope], period: Period
) -> tuple[dict[str, float], dict[str, pd.Series]]:
    """Each rep's revenue won in the period, and per day of it (the metric layer's)."""
    ids = frozenset(str(s.id) for s in reps)
    if not ids:
        return {}, {}
    tz, cur = store.settings.timezone, store.settings.currency
    base: dict[str, Any] = {"metrics": (QUOTA_METRIC,), "start": period.start, "end": period.end,
            "by": By.REP, "reps": ids}  # fmt: skip
    df = run(store.con, Query(**base, grain=Grain.DAY), tz, cur)
    daily = {str(r): p.groupby("period_start")[QUOTA_METRIC].sum().astype(float)
             for r, p in df.groupby("rep_id")}  # fmt: skip
    total = {r: float(s.sum()) for r, s in daily.items()}
    return total, daily


def _daily(store: Store, scopes: list[Scope], period: Period) -> dict[str, pd.Series]:
    """Revenue won per day of the period, per scope (the metric layer's revenue_won); each
    forecast takes only the days before its own day."""
    tz = store.settings.timezone
    base: dict[str, Any] = {"metrics": (QUOTA_METRIC,), "start": period.start, "end": period.end,
            "grain": Grain.DAY}  # fmt: skip
    org = run(store.con, Query(**base, by=By.ORG), tz, store.settings.currency)
    out = {"org": org.groupby("period_start")[QUOTA_METRIC].sum().astype(float)}
    teams = frozenset(s.id for s in scopes if s.kind == "team" and s.id is not None)
    if teams:
        df = run(store.con, Query(**base, by=By.TEAM, teams=teams), tz, store.settings.currency)
        for team, part in df.groupby("team_id"):
            out[str(team)] = part.groupby("period_start")[QUOTA_METRIC].sum().astype(float)
    empty = pd.Series(dtype=float)
    return {s.id or "org": out.get(s.id or "org", empty) for s in scopes}


def backtest(
    store: Store,
    periods: Sequence[Period | str],
    checkpoints: Sequence[int] = (0, 4, 8),
    draws: int = 2_000,
    seed: int = 0,
    reps: bool = False,
) -> Backtest:
    """Forecast each period as of each checkpoint (weeks into it), for the organisation and
    every team (and with `reps`, every rep employed through the period), from what was known
    then, and score the forecasts against the actuals."""
    if not periods:
        raise InputError("give at least one period to backtest")
    if any(w < 0 for w in checkpoints) or not checkpoints:
        raise InputError("checkpoints are weeks into the period: 0 or more")
    ps = [p if isinstance(p, Period) else parse_period(p) for p in periods]
    scopes = backtest_scopes(store)
    rows: list[BacktestRow] = []
    rep_rows: list[BacktestRow] = []
    for period in ps:
        truth = targets_and_actuals(store, scopes, period)
        daily = _daily(store, scopes, period)
        rep_scopes = backtest_reps(store, period) if reps else []
        rep_actual, rep_daily = _by_rep(store, rep_scopes, period)
        for week in checkpoints:
            as_of = period.start + timedelta(weeks=week)
            if as_of >= period.end:
                continue
            h = read_history(store, as_of, (period.end - as_of).days)
            missing = h.pipeline["amount"].isna().any() or h.cohort_wins["amount"].isna().any()
            org_fill = average_deal_size(store, scopes[0], as_of) if missing else None
            learnt = learn(h, org_fill)
            for s in scopes:
                key = s.id or "org"
                target, actual = truth[key]
                fill = average_deal_size(store, s, as_of) if missing else None
                f = forecast_from(h, s, period, daily[key], target, draws, seed, fill, learnt)
                rows.append(
                    BacktestRow(
                        period=period.label,
                        as_of=as_of,
                        week=week,
                        scope=key,
                        name=s.name,
                        target=target,
                        actual=actual,
                        p10=f.revenue.p10,
                        p50=f.revenue.p50,
                        p90=f.revenue.p90,
                        p_target=f.p_target,
                        kind=s.kind,
                    )
                )
            for s in rep_scopes:  # no targets: the reps' coverage is what is scored
                key = str(s.id)
                fill = average_deal_size(store, s, as_of) if missing else None
                empty = pd.Series(dtype=float)
                f = forecast_from(h, s, period, rep_daily.get(key, empty), None, draws, seed,
                                  fill, learnt)  # fmt: skip
                rep_rows.append(BacktestRow(
                    period.label, as_of, week, key, s.name, None, rep_actual.get(key, 0.0),
                    f.revenue.p10, f.revenue.p50, f.revenue.p90, None, "rep",
                ))  # fmt: skip
    keys = list(dict.fromkeys(r.scope for r in rows))
    weeks = list(dict.fromkeys(r.week for r in rows))
    overall = Calibration.of("all", rows)
    return Backtest(
        periods=tuple(p.label for p in ps),
        checkpoints=tuple(checkpoints),
        rows=tuple(rows),
        overall=overall,
        by_scope=tuple(Calibration.of(k, [r for r in rows if r.scope == k]) for k in keys),
        by_week=tuple(Calibration.of(f"week {w}", [r for r in rows if r.week == w]) for w in weeks),
        draws=draws,
        seed=seed,
        explanation=text.backtest_text(overall, len(ps), len(checkpoints), IDEAL_COVERAGE),
        rep_rows=tuple(rep_rows),
        reps_by_week=tuple(
            Calibration.of(f"week {w}", [r for r in rep_rows if r.week == w]) for w in weeks
        ),
    )
