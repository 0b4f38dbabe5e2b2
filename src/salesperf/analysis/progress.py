"""Quota progress: where revenue won stands in a period against its target, where it should
stand by the forecast day at an even pace, and where the forecast has it land.

Nothing is computed anew: the revenue won so far, the target and the projection are the
forecast's (`salesperf.analysis.forecast.core`), and the pace spreads the target over the
period's working days (`salesperf.analysis.windows.working_days`), the rule by which targets
are spread over shorter periods (`salesperf.metrics.targets`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from salesperf.analysis.forecast.core import Forecast
from salesperf.analysis.windows import working_days
from salesperf.metrics.periods import Period

#: Where each figure comes from (the functions that give it), for the page data.
SOURCES = {
    "closed": "analysis.forecast.core.forecast: closed",
    "target": "analysis.forecast.core.target_and_actual (metrics.targets)",
    "pace": "analysis.progress.elapsed_share (analysis.windows.working_days)",
    "projected": "analysis.forecast.core.forecast: revenue.p50",
}


def elapsed_share(period: Period, day: date) -> float:
    """The share of the period's working days before `day` (0 at its start, 1 from its end)."""
    day = min(max(day, period.start), period.end)
    total = working_days(period.start, period.end)
    return working_days(period.start, day) / total if total else 1.0


def _ratio(a: float | None, b: float | None) -> float | None:
    """a / b, None without a denominator (never 0)."""
    return None if a is None or not b else a / b


@dataclass(frozen=True)
class Progress:
    """A period's revenue against its target on the forecast day."""

    period: Period
    day: date  # the forecast day: figures are of the days before it
    scope: dict[str, Any]  # the forecast's scope: kind, id, name
    target: float | None
    closed: float
    share: float  # of the period's working days gone by
    projected: float  # the forecast's median revenue at the period's end
    projected_low: float  # its 10th percentile
    projected_high: float  # its 90th percentile
    p_target: float | None

    @property
    def attainment(self) -> float | None:
        """Revenue won so far over the target (None without one)."""
        return _ratio(self.closed, self.target)

    @property
    def pace(self) -> float | None:
        """Where revenue should stand by the day at an even pace (None without a target)."""
        return None if self.target is None else self.target * self.share

    @property
    def gap(self) -> float | None:
        """Revenue won so far minus the pace (ahead when positive)."""
        pace = self.pace
        return None if pace is None else self.closed - pace

    @property
    def projected_attainment(self) -> float | None:
        """The projection over the target."""
        return _ratio(self.projected, self.target)

    def to_json(self) -> dict[str, Any]:
        """Plain data, with where each figure comes from."""
        last = self.period.end - timedelta(days=1)
        return {
            "period": {"label": self.period.label, "start": self.period.start.isoformat(),
                       "end": last.isoformat()},
            "day": self.day.isoformat(),
            "scope": self.scope,
            "target": self.target,
            "closed": self.closed,
            "attainment": self.attainment,
            "share": self.share,
            "pace": self.pace,
            "pace_attainment": self.share if self.target else None,
            "gap": self.gap,
            "projected": self.projected,
            "projected_low": self.projected_low,
            "projected_high": self.projected_high,
            "projected_attainment": self.projected_attainment,
            "p_target": self.p_target,
            "sources": SOURCES,
        }  # fmt: skip


def progress(f: Forecast) -> Progress:
    """The quota progress a forecast shows."""
    return Progress(
        period=f.period,
        day=f.as_of,
        scope={"kind": f.scope.kind, "id": f.scope.id, "name": f.scope.name},
        target=f.target,
        closed=f.closed,
        share=elapsed_share(f.period, f.as_of),
        projected=f.revenue.p50,
        projected_low=f.revenue.p10,
        projected_high=f.revenue.p90,
        p_target=f.p_target,
    )
