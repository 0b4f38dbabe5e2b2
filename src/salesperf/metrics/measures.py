"""Measures: the aggregates metrics are built from, each over one fact.

A fact is a canonical table seen at one moment of its rows' life: activities when they
happened, deals when they closed, deals when they were created, surveys when answered, leads
when created. Every measure belongs to exactly one fact; metric formulas combine measures.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import ibis.expr.types as ir

from salesperf.schema import ActivityType, DealStatus


@dataclass(frozen=True)
class Fact:
    """A table and the timestamp that places its rows in a period."""

    name: str
    table: str
    time: str
    where: Callable[[ir.Table], ir.BooleanValue] | None = None


@dataclass(frozen=True)
class Measure:
    """One aggregate over a fact's rows.

    Additive measures (counts, sums) are summed from per-rep partials into teams; a measure
    with `distinct` counts the distinct values of that expression; any other (a median) is
    computed from the rows themselves.
    """

    name: str
    fact: str
    agg: Callable[[ir.Table], ir.Value] | None = None
    additive: bool = True
    zero_when_empty: bool = True  # a count of nothing is 0; a median of nothing is undefined
    distinct: Callable[[ir.Table], ir.Value] | None = None

    def aggregate(self, t: ir.Table) -> ir.Value:
        """The measure over rows of `t`."""
        if self.distinct is not None:
            return self.distinct(t).nunique()
        assert self.agg is not None
        return self.agg(t)


_CLOSED = (DealStatus.WON.value, DealStatus.LOST.value)
_MEETINGS = (ActivityType.MEETING.value, ActivityType.DEMO.value)

FACTS = {
    f.name: f
    for f in (
        Fact("activity", "activities", "occurred_at"),
        Fact("deal_closed", "deals", "closed_at", lambda t: t.status.isin(_CLOSED)),
        Fact("deal_created", "deals", "created_at"),
        Fact("survey", "surveys", "responded_at"),
        Fact("lead", "leads", "created_at"),
    )
}


def _won(t: ir.Table) -> ir.BooleanValue:
    return t.status == DealStatus.WON.value


MEASURES = {
    m.name: m
    for m in (
        Measure("activities", "activity", lambda t: t.count()),
        Measure("active_days", "activity", additive=False, distinct=lambda t: t._local.date()),
        Measure("accounts_touched", "activity", additive=False, distinct=lambda t: t.account_id),
        Measure("calls", "activity", lambda t: (t.type == "call").sum()),
        Measure(
            "calls_connected",
            "activity",
            lambda t: ((t.type == "call") & (t.outcome == "connected")).sum(),
        ),
        Measure("meetings_scheduled", "activity", lambda t: t.type.isin(_MEETINGS).sum()),
        Measure(
            "meetings_held",
            "activity",
            lambda t: (t.type.isin(_MEETINGS) & (t.outcome == "held")).sum(),
        ),
        Measure("deals_won", "deal_closed", lambda t: _won(t).sum()),
        Measure("deals_lost", "deal_closed", lambda t: (t.status == DealStatus.LOST.value).sum()),
        Measure("revenue_won", "deal_closed", lambda t: t.amount.sum(where=_won(t))),
        Measure(
            "sales_cycle_days",
            "deal_closed",
            lambda t: (
                t._local.date()
                .delta(t._created_local.date(), unit="day")
                .cast("float64")
                .median(where=_won(t))
            ),
            additive=False,
            zero_when_empty=False,
        ),
        Measure("pipeline_created", "deal_created", lambda t: t.amount.sum()),
        Measure("csat_responses", "survey", lambda t: (t.scale == "csat5").sum()),
        Measure("csat_positive", "survey", lambda t: ((t.scale == "csat5") & (t.score >= 4)).sum()),
        Measure("nps_responses", "survey", lambda t: (t.scale == "nps10").sum()),
        Measure("promoters", "survey", lambda t: ((t.scale == "nps10") & (t.score >= 9)).sum()),
        Measure("detractors", "survey", lambda t: ((t.scale == "nps10") & (t.score <= 6)).sum()),
        Measure("leads", "lead", lambda t: t.count()),
        Measure("referral_leads", "lead", lambda t: (t.source == "referral").sum()),
    )
}

#: Working days are not an aggregate of a fact but of the calendar (see compiler).
WORKING_DAYS = "working_days"
