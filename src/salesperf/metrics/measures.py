"""Measures: the aggregates metrics are built from, each over one fact (see `facts`).

Every measure belongs to exactly one fact; metric formulas combine measures.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import ibis
import ibis.expr.types as ir

from salesperf.schema import ActivityType, DealStatus


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
    # distinct values that usually belong to one rep (accounts, unlike dates): teams count those
    # from per-rep counts and look at the rows only for values shared by several reps
    owned: bool = False
    # over every row of the fact in the store, whatever the period, group or filter: whether an
    # input is recorded at all (a lead linked to a deal), the same figure on every row
    whole_store: bool = False

    def aggregate(self, t: ir.Table) -> ir.Value:
        """The measure over rows of `t`."""
        if self.distinct is not None:
            return self.distinct(t).nunique()
        assert self.agg is not None
        return self.agg(t)


_MEETINGS = (ActivityType.MEETING.value, ActivityType.DEMO.value)


def _count(t: ir.Table, rows: ir.BooleanValue) -> ir.NumericValue:
    """How many rows meet the condition, each counted as the rows it stands for (`_n`: 1 for a
    row of the table, more for a roll-up's; see `facts.Rolled`)."""
    return ibis.ifelse(rows, t._n, 0).sum()


def _won(t: ir.Table) -> ir.BooleanValue:
    return t.status == DealStatus.WON.value


MEASURES = {
    m.name: m
    for m in (
        Measure("activities", "activity", lambda t: t._n.sum()),
        Measure("active_days", "activity", additive=False, distinct=lambda t: t._local.date()),
        Measure(
            "accounts_touched",
            "activity",
            additive=False,
            distinct=lambda t: t.account_id,
            owned=True,
        ),
        Measure("calls", "activity", lambda t: _count(t, t.type == "call")),
        Measure(
            "calls_connected",
            "activity",
            lambda t: _count(t, (t.type == "call") & (t.outcome == "connected")),
        ),
        Measure(
            "calls_with_outcome",
            "activity",
            lambda t: _count(t, (t.type == "call") & t.outcome.notnull()),
        ),
        Measure("meetings_scheduled", "activity", lambda t: _count(t, t.type.isin(_MEETINGS))),
        Measure(
            "meetings_held",
            "activity",
            lambda t: _count(t, t.type.isin(_MEETINGS) & (t.outcome == "held")),
        ),
        Measure(
            "meetings_with_outcome",
            "activity",
            lambda t: _count(t, t.type.isin(_MEETINGS) & t.outcome.notnull()),
        ),
        # activities linked to a deal anywhere in the store: none means touches are not recorded
        Measure(
            "deal_linked_activities",
            "activity",
            lambda t: t.deal_id.notnull().sum(),
            additive=False,
            whole_store=True,
        ),
        Measure("deals_won", "deal_closed", lambda t: _count(t, _won(t))),
        Measure(
            "deals_lost", "deal_closed", lambda t: _count(t, t.status == DealStatus.LOST.value)
        ),
        Measure("revenue_won", "deal_closed", lambda t: t.amount.sum(where=_won(t))),
        Measure(
            "deals_won_with_amount",
            "deal_closed",
            lambda t: ibis.ifelse(_won(t), t._n_amount, 0).sum(),
        ),
        Measure(
            "sales_cycle_days",
            "deal_closed",
            # a median over a CASE, not median(where=): Spark refuses a filtered percentile
            lambda t: ibis.ifelse(
                _won(t),
                t._local.date().delta(t._created_local.date(), unit="day").cast("float64"),
                ibis.null("float64"),
            ).median(),
            additive=False,
            zero_when_empty=False,
        ),
        Measure("deals_created", "deal_created", lambda t: t._n.sum()),
        Measure("pipeline_created", "deal_created", lambda t: t.amount.sum()),
        Measure("csat_responses", "survey", lambda t: (t.scale == "csat5").sum()),
        Measure("csat_positive", "survey", lambda t: ((t.scale == "csat5") & (t.score >= 4)).sum()),
        Measure("nps_responses", "survey", lambda t: (t.scale == "nps10").sum()),
        Measure("promoters", "survey", lambda t: ((t.scale == "nps10") & (t.score >= 9)).sum()),
        Measure("detractors", "survey", lambda t: ((t.scale == "nps10") & (t.score <= 6)).sum()),
        Measure("leads", "lead", lambda t: t.count()),
        Measure("referral_leads", "lead", lambda t: (t.source == "referral").sum()),
        # leads linked to a deal anywhere in the store: none means conversion is not recorded
        Measure(
            "deal_linked_leads",
            "lead",
            lambda t: t.deal_id.notnull().sum(),
            additive=False,
            whole_store=True,
        ),
        Measure("customers_acquired", "first_win", lambda t: t.count()),
        # a customer's span overlaps the period; it began before it, or lasts beyond it
        Measure("customers_start", "customer", lambda t: (t._local < t._from).sum()),
        Measure(
            "customers_end",
            "customer",
            lambda t: (t._until.isnull() | (t._until >= t._to)).sum(),
        ),
        Measure("cohort_leads", "lead_won", lambda t: t.count()),
        Measure("converted_leads", "lead_won", lambda t: t._won_local.notnull().sum()),
        Measure("leads_touched", "lead_touched", lambda t: t.count()),
        Measure(
            "speed_to_lead_h",
            "lead_touched",
            lambda t: (
                t._touch_at.delta(t._created_at, unit="second").cast("float64") / 3600.0
            ).median(),
            additive=False,
            zero_when_empty=False,
        ),
        Measure(
            "touches_per_won_deal",
            "deal_won_touches",
            lambda t: t.touches.cast("float64").median(),
            additive=False,
            zero_when_empty=False,
        ),
        Measure(
            "repeat_revenue",
            "deal_won_history",
            lambda t: t.amount.sum(where=t.existing_customer),
        ),
        Measure(
            "won_deals_with_account",
            "deal_won_history",
            lambda t: t.account_id.notnull().sum(),
        ),
        Measure("typed_deals_closed", "deal_closed_typed", lambda t: t.count()),
        Measure("typed_deals_won", "deal_closed_typed", lambda t: _won(t).sum()),
        Measure("stage_entered", "stage_entry", lambda t: t._n.sum()),
        Measure("stage_then", "stage_entry", lambda t: t._then.sum()),
    )
}

#: Working days are not an aggregate of a fact but of the calendar (see compiler).
WORKING_DAYS = "working_days"
