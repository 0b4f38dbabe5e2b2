"""Planning from a target (the reverse funnel): what a revenue target asks of a rep or a team.

required deals = target / avg_deal_size; required opportunities = deals / win_rate; required
activities of each type = opportunities / that type's opportunities per activity; then per week
and per working day of the period (Monday to Friday: absences ahead are not known). The rates
and their intervals come from `plan_rates`; `plan_simulation` gives the activity that reaches
the target with an even and with an 80% chance; the last four full weeks' pace is set against
what the plan asks per week.

Opportunities (deals created) are not owed to a single activity type, so each type's rate is
the window's opportunities over that type's activities: the plan keeps the window's mix of
activity and scales it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from salesperf.analysis.plan.paths import Paths, conversion_paths
from salesperf.analysis.plan.rates import (
    ORG,
    Key,
    PlanInputs,
    Rates,
    estimate_rates,
    load_inputs,
    period_targets,
)
from salesperf.analysis.plan.simulation import (
    SEED,
    SIMULATIONS,
    Chance,
    Funnel,
    simulate_chance,
)
from salesperf.analysis.plan.text import explain_plan, split_text
from salesperf.analysis.windows import (
    period_label,
    plain,
    resolve_window,
    working_days,
)
from salesperf.errors import InputError
from salesperf.metrics.periods import Grain, Period, parse_period, period_start, shift
from salesperf.metrics.query import By
from salesperf.store import Store
from salesperf.text import Text

WINDOW_QUARTERS = 4  # the default window: the four full quarters before the period
PACE_WEEKS = 4  # the current pace: the last four full ISO weeks


@dataclass(frozen=True)
class PlanQuery:
    """What to plan: a revenue target for a period, for a rep, a team or (neither) the org.

    `window` gives the rates (default: the four full quarters before the period, or before
    today's quarter when the period lies ahead); the pace is the four full weeks before
    `today` (before the period's end when the period is over)."""

    target: float
    period: Period | str
    rep: str | None = None
    team: str | None = None
    window: Period | str | None = None
    today: date | None = None
    simulate: bool = True
    simulations: int = SIMULATIONS
    seed: int = SEED


@dataclass(frozen=True)
class Requirement:
    """What the plan asks of one activity type, against the current pace."""

    type: str
    total: float
    per_week: float
    per_day: float
    pace_per_week: float
    shortfall_per_week: float  # required minus pace; 0 when the pace is enough


@dataclass(frozen=True)
class Totals:
    """Deals, opportunities and activities added up over a team's rep plans."""

    deals: float
    opportunities: float
    activities: tuple[Requirement, ...]


@dataclass(frozen=True)
class Plan:
    """A target's reverse funnel for a rep, a team or the organisation.

    A team's own figures use the team's rates (computed from its members' rows); `reps` holds
    each active rep's plan for their share of the target, and `reps_total` those plans added
    up (they differ from the team's own when the reps' rates differ)."""

    scope: By
    id: str
    name: str
    target: float
    period: Period
    working_days: int  # Monday to Friday in the period
    weeks: float  # working days / 5
    rates: Rates
    deals: float
    opportunities: float
    activities: tuple[Requirement, ...]
    pace: Period
    chance: Chance | None
    notes: tuple[Text, ...]
    explanation: Text
    reps: tuple[Plan, ...] = ()
    split: Text | None = None
    reps_total: Totals | None = None
    paths: Paths | None = None  # a rep converting worse than the team: own and team conversion

    @property
    def per_week(self) -> float:
        """All the activity the plan asks per week."""
        return sum(r.per_week for r in self.activities)

    @property
    def per_day(self) -> float:
        """All the activity the plan asks per working day."""
        return sum(r.per_day for r in self.activities)

    @property
    def pace_per_week(self) -> float:
        """All activity per week at the current pace, in the plan's activity types."""
        return sum(r.pace_per_week for r in self.activities)

    @property
    def coverage(self) -> float | None:
        """Current pace over the plan's activity (1 or more: enough); None when none is asked."""
        return self.pace_per_week / self.per_week if self.per_week > 0 else None

    def at_level(self, probability: float) -> dict[str, float] | None:
        """Activities per week of each type for a `probability` chance of the target."""
        levels = self.chance.levels if self.chance else ()
        level = next((x for x in levels if math.isclose(x.probability, probability)), None)
        if level is None or level.scale is None:
            return None
        return {r.type: level.scale * r.per_week for r in self.activities}

    def to_json(self) -> dict[str, Any]:
        """JSON-safe dicts: the plan, its rates, requirements, chance, notes and rep plans."""
        data: dict[str, Any] = plain(self)
        data["reps"] = [r.to_json() for r in self.reps]
        data.update(per_week=self.per_week, per_day=self.per_day,
                    pace_per_week=self.pace_per_week, coverage=self.coverage)  # fmt: skip
        if data["chance"] is not None:
            for x in data["chance"]["levels"]:
                x["by_type"] = self.at_level(x["probability"])
        return data


def default_window(period: Period, today: date) -> Period:
    """The four full quarters before the period (or before today's quarter, if earlier)."""
    q = Grain.QUARTER
    end = period_start(min(period.start, today), q)
    start, last = shift(end, q, -WINDOW_QUARTERS), shift(end, q, -1)
    return Period(start, end, f"{period_label(start, q)}..{period_label(last, q)}")


def pace_weeks(period: Period, today: date) -> Period:
    """The full ISO weeks of the current pace: the last four before today (before the
    period's end, when the period is over)."""
    end = period_start(min(today, period.end), Grain.WEEK)
    start = end - timedelta(weeks=PACE_WEEKS)
    return Period(start, end, f"{start.isoformat()}..{(end - timedelta(days=1)).isoformat()}")


def plan(store: Store, query: PlanQuery) -> Plan:
    """The reverse funnel of `query.target`: deals, opportunities and activities by type, per
    week and per working day, the rates behind them, the chance of reaching the target, and the
    current pace. A team's (or the organisation's) plan also splits the target over its reps."""
    target = check_target(query.target)
    if query.rep is not None and query.team is not None:
        raise InputError("plan for a rep or for a team, not both")
    today = query.today or date.today()
    period = parse_period(query.period) if isinstance(query.period, str) else query.period
    if working_days(period.start, period.end) == 0:
        raise InputError(f"{period.label} has no working days (Monday to Friday) to plan")
    window = (
        resolve_window(query.window, today) if query.window is not None
        else default_window(period, today)
    )  # fmt: skip
    _check_ids(store, query.rep, query.team)
    inputs = load_inputs(store, window, pace_weeks(period, today))
    key = scope_key(inputs, query.rep, query.team)
    shares = None
    if key[0] is not By.REP:
        shares = split_target(inputs, key, target, period, period_targets(store, By.REP, period))
    return build_plan(inputs, key, target, period, shares=shares, simulate=query.simulate,
                      simulations=query.simulations, seed=query.seed)  # fmt: skip


def build_plan(
    inputs: PlanInputs,
    key: Key,
    target: float,
    period: Period,
    *,
    shares: tuple[dict[str, float], Text] | None = None,
    simulate: bool = True,
    simulations: int = SIMULATIONS,
    seed: int = SEED,
) -> Plan:
    """The plan of one rep, team or the organisation from loaded inputs; with `shares` (the
    target split over reps) each rep's plan too."""
    rates, funnel, notes = estimate_rates(inputs, key)
    days = working_days(period.start, period.end)
    weeks = days / 5
    deals = target / rates.avg_deal_size.value
    opps = deals / rates.win_rate.value
    paced = inputs.get(key).pace
    reqs = tuple(
        _requirement(r.type, opps / r.rate, weeks, days, paced.get(r.type, 0))
        for r in rates.activity
    )
    chance = None
    if simulate and target > 0:
        funnel = Funnel(opps, funnel.observed, funnel.win_alpha, funnel.win_beta, funnel.deal_sizes)
        chance = simulate_chance(funnel, target, sum(r.per_week for r in reqs), simulations, seed)
    reps: list[Plan] = []
    for i, (rep, share) in enumerate((shares[0] if shares else {}).items()):
        reps.append(build_plan(inputs, (By.REP, rep), share, period, simulate=simulate,
                               simulations=simulations, seed=seed + i + 1))  # fmt: skip
    name = inputs.label(key)
    return Plan(
        scope=key[0], id=key[1], name=name, target=target, period=period, working_days=days,
        weeks=weeks, rates=rates, deals=deals, opportunities=opps, activities=reqs,
        pace=inputs.pace, chance=chance, notes=tuple(notes),
        explanation=explain_plan(
            inputs.currency, name, target, period, rates, deals, opps, reqs, PACE_WEEKS
        ),
        reps=tuple(reps), split=shares[1] if shares else None,
        reps_total=_add_up(reps) if shares else None,
        paths=conversion_paths(inputs, key, rates, deals, weeks, days, name),
    )  # fmt: skip


def split_target(
    inputs: PlanInputs, key: Key, target: float, period: Period, targets: dict[str, float]
) -> tuple[dict[str, float], Text]:
    """The target split over the reps of a team (or the org) employed on the period's first
    day: in proportion to their own targets for the period when every one has one, else to
    their revenue won in the window, else evenly; with the rule used, in words."""
    active = inputs.active(key, period.start)
    n, window = len(active), inputs.window
    if not active:
        return {}, split_text("nobody", n, period, window, inputs.label(key))
    weights = {r: targets.get(r, 0.0) for r in active}
    how = "targets"
    if not (all(r in targets for r in active) and sum(weights.values()) > 0):
        weights = {r: inputs.get((By.REP, r)).revenue for r in active}
        how = "revenue"
    if sum(weights.values()) <= 0:
        weights = dict.fromkeys(active, 1.0)
        how = "evenly"
    total = sum(weights.values())
    return {r: target * v / total for r, v in weights.items()}, split_text(how, n, period, window)


def scope_key(inputs: PlanInputs, rep: str | None, team: str | None) -> Key:
    """The rep or team asked for (the organisation when neither), or a clear error."""
    if rep is not None:
        if (By.REP, rep) not in inputs.names:
            raise InputError(f"there is no rep {rep!r}")
        return (By.REP, rep)
    if team is not None:
        if (By.TEAM, team) not in inputs.names:
            raise InputError(f"there is no team {team!r}")
        return (By.TEAM, team)
    return ORG


def _check_ids(store: Store, rep: str | None, team: str | None) -> None:
    """Unknown ids are refused before any figure is computed."""
    for table, key, value in (("reps", "rep_id", rep), ("teams", "team_id", team)):
        if value is not None:
            t = store.table(table)
            if t.filter(t[key] == value).count().execute() == 0:
                raise InputError(f"there is no {table[:-1]} {value!r}")


#: The largest target a plan is made for (a billion times a typical deal is already absurd).
MAX_TARGET = 1e12


def check_target(target: object) -> float:
    """A target as a positive, finite amount, or a clear error."""
    try:
        value = float(target)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise InputError(f"the target must be a positive amount, not {target!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise InputError(f"the target must be a positive amount, not {target!r}")
    if value > MAX_TARGET:
        raise InputError(f"the target {value:.3g} is beyond any plan; at most {MAX_TARGET:,.0f}")
    return value


def _requirement(t: str, total: float, weeks: float, days: int, paced: int) -> Requirement:
    per_week = total / weeks if weeks else math.inf
    pace = paced / PACE_WEEKS
    per_day = total / days if days else math.inf
    return Requirement(t, total, per_week, per_day, pace, max(0.0, per_week - pace))


def _add_up(reps: list[Plan]) -> Totals:
    by_type: dict[str, list[Requirement]] = {}
    for p in reps:
        for r in p.activities:
            by_type.setdefault(r.type, []).append(r)
    acts = tuple(
        Requirement(t, *(sum(getattr(r, f) for r in rs) for f in
                         ("total", "per_week", "per_day", "pace_per_week", "shortfall_per_week")))
        for t, rs in sorted(by_type.items(), key=lambda x: -sum(r.total for r in x[1]))
    )  # fmt: skip
    return Totals(sum(p.deals for p in reps), sum(p.opportunities for p in reps), acts)
