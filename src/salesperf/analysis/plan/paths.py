"""Two paths to a rep's target: at their own conversion, and at their team's.

A rep who converts worse than the team (busy but not effective, in the quadrant's words) is
asked by the plain reverse funnel for far more activity: every missing point of win rate or of
opportunities per activity is paid for in volume. That contradicts the diagnosis "coach on
quality". So the plan of such a rep shows both: the activity the target needs at the rep's own
conversion, and the activity it would need at the team's conversion (the team's win rate and
opportunities per activity, the rep's own deal size) — the second is what fixing conversion
first buys.
"""

from __future__ import annotations

from dataclasses import dataclass

from salesperf.analysis.plan import text
from salesperf.analysis.plan.rates import Key, PlanInputs, Rates, estimate_rates
from salesperf.errors import InputError
from salesperf.metrics.query import By
from salesperf.text import Text

#: The rep's own path is shown against the team's when it asks at least this much more activity.
MATERIAL_GAP = 0.10


@dataclass(frozen=True)
class Path:
    """The activity a target needs at one conversion."""

    conversion: str  # "own" or "team"
    source: str  # whose rates: "rep R015", "team T04"
    win_rate: float
    opportunities_per_activity: float
    opportunities: float
    per_week: float
    per_day: float


@dataclass(frozen=True)
class Paths:
    """A rep's two paths to the target, and what they say, in English and Dutch."""

    own: Path
    team: Path
    text: Text


def _opa(rates: Rates) -> float | None:
    """Opportunities per activity over the window, all types together."""
    acts = sum(t.activities for t in rates.activity)
    return rates.opportunities / acts if acts and rates.opportunities else None


def conversion_paths(
    inputs: PlanInputs, key: Key, rates: Rates, deals: float, weeks: float, days: int, name: str
) -> Paths | None:
    """Both paths for a rep whose own conversion asks clearly more activity (by
    `MATERIAL_GAP`) than their team's would; None for a team, the organisation, a rep without a
    team with rates of its own, or a rep who converts as well as the team."""
    if key[0] is not By.REP or (team := inputs.rep_team.get(key[1])) is None:
        return None
    try:
        team_rates, _, _ = estimate_rates(inputs, (By.TEAM, team))
    except InputError:  # the team won nothing or created nothing: no conversion to compare
        return None
    own_opa, team_opa = _opa(rates), _opa(team_rates)
    if own_opa is None or team_opa is None or weeks <= 0 or days <= 0:
        return None
    paths = []
    for conv, r, opa in (("own", rates, own_opa), ("team", team_rates, team_opa)):
        opps = deals / r.win_rate.value
        acts = opps / opa
        paths.append(Path(conv, r.win_rate.source, r.win_rate.value, opa, opps,
                          acts / weeks, acts / days))  # fmt: skip
    own, at_team = paths
    if own.per_week < at_team.per_week * (1 + MATERIAL_GAP):
        return None
    return Paths(own, at_team, text.paths_text(name, own, at_team, team))
