"""Queries as values: which metrics, for whom, over which periods, against what.

A `Query` is a small frozen value; `salesperf.metrics.compiler` turns it into Ibis expressions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from salesperf.errors import InputError
from salesperf.metrics.measures import MEASURES
from salesperf.metrics.periods import Grain, check_range, period_start, shift
from salesperf.metrics.registry import (
    METRICS,
    QUOTA_METRIC,
    MetricType,
    computable,
    formula,
    param_ok,
    split_name,
    typed_ok,
)


class By(StrEnum):
    """Whose figures a row holds."""

    REP = "rep"
    TEAM = "team"  # every team of the tree, with its whole subtree's members
    ORG = "org"


#: The name of each grouping's column in results.
KEY_COLUMNS = {By.REP: "rep_id", By.TEAM: "team_id", By.ORG: "org"}


class Split(StrEnum):
    """A second grouping inside each rep, team or organisation row."""

    TYPE = "type"  # activity type (activity measures only)
    SOURCE = "source"  # lead source (deals and leads)
    KIND = "kind"  # deal kind (deals)
    SEGMENT = "segment"  # the account's segment (every fact with an account)


# facts of deals, with the deal's columns (customers: those of their first won deal)
_DEALS = (
    "deal_closed",
    "first_win",
    "customer",
    "deal_won_touches",
    "deal_won_history",
    "stage_entry",
)

# which column of each fact gives a split; a fact without one does not take part
SPLIT_COLUMNS: dict[Split, dict[str, str]] = {
    Split.TYPE: {"activity": "type", "deal_closed_typed": "type"},
    Split.SOURCE: dict.fromkeys(
        (*_DEALS, "deal_created", "lead", "lead_won", "lead_touched"), "source"
    ),
    Split.KIND: dict.fromkeys((*_DEALS, "deal_created"), "kind"),
    Split.SEGMENT: dict.fromkeys(
        (*_DEALS, "activity", "deal_created", "lead", "lead_won", "lead_touched", "survey"),
        "account_id",
    ),
}


class Compare(StrEnum):
    """What each figure is set against."""

    PREVIOUS = "previous"  # the period before
    LAST_YEAR = "last_year"  # the same period a year earlier
    TARGET = "target"  # the target set for the group, metric and period


@dataclass(frozen=True)
class Query:
    """A metric query: a small frozen value, not a bag of parameters."""

    metrics: tuple[str, ...]
    start: date
    end: date  # exclusive
    grain: Grain = Grain.MONTH
    by: By = By.REP
    compare: tuple[Compare, ...] = ()
    split: Split | None = None
    reps: frozenset[str] | None = None  # only these reps' rows (None: everyone)
    teams: frozenset[str] | None = None  # with by=team: only these teams' rows
    # only rows whose dimension has this value, e.g. ((Split.KIND, "new_business"),); facts
    # without that dimension take no part (their measures are null, never 0)
    filters: tuple[tuple[Split, str], ...] = ()

    def __post_init__(self) -> None:
        # plain words from Python callers ("team", "month") become the vocabulary's members
        try:
            object.__setattr__(self, "by", By(self.by))
            object.__setattr__(self, "grain", Grain(self.grain))
            object.__setattr__(self, "compare", tuple(Compare(c) for c in self.compare))
            if self.split is not None:
                object.__setattr__(self, "split", Split(self.split))
            # each filter must hold; one given twice is the same condition, kept once
            filters = dict.fromkeys((Split(d), str(v)) for d, v in self.filters)
            object.__setattr__(self, "filters", tuple(filters))
        except ValueError as exc:
            raise InputError(f"{exc}; see salesperf.metrics.query for the choices") from None
        object.__setattr__(self, "metrics", tuple(self.metrics))
        for m in self.metrics:
            p = METRICS[m].parameter if m in METRICS else None
            if p is not None:
                raise InputError(f"{m} needs {p.what} in its name, as in {p.example}")
        known = computable()
        facts = {n: m.fact for n, m in MEASURES.items()}

        def typed(name: str) -> bool:  # activities:demo, stage_conversion:demo>proposal
            base, kind = split_name(name)
            if kind is None:
                return False
            if base in METRICS and METRICS[base].parameter is not None:
                return param_ok(base, kind)
            return kind.isidentifier() and typed_ok(base, facts)

        bad = [m for m in self.metrics if m not in known and not typed(m)]
        if bad:
            raise InputError(
                f"unknown or non-scorecard metric(s): {', '.join(bad)}; "
                f"the scorecard metrics are: {', '.join(known)}; activity metrics may name a "
                "type, as in activities:demo"
            )
        if not self.metrics:
            raise InputError("a query needs at least one metric")
        if self.end <= self.start:
            raise InputError("the period range is empty: its end must come after its start")
        check_range(self.start, self.end, self.grain)  # bounds the work for every interface
        for m in self.metrics:
            m = split_name(m)[0]
            f = formula(m)
            need = f.split if f is not None else None
            if need is not None and (self.split is None or self.split.value != need):
                raise InputError(
                    f"{m} is defined per {need} only: ask for it with split={need} "
                    f"(one row per {need})"
                )
        if self.split is not None and self.needs_targets:
            raise InputError("targets are set per rep, team or organisation, not per split")

    @property
    def target_metrics(self) -> tuple[str, ...]:
        """The query's metrics of type TARGET (attainment, the gap to target)."""
        return tuple(
            m for m in self.metrics if m in METRICS and METRICS[m].type is MetricType.TARGET
        )

    @property
    def needs_targets(self) -> bool:
        """Whether the query reads targets: compared against them, or a TARGET metric."""
        return Compare.TARGET in self.compare or bool(self.target_metrics)

    @property
    def target_bases(self) -> tuple[str, ...]:
        """The metrics whose figures are set against their targets: those the TARGET metrics
        read, and with a comparison against targets the quota metric (`QUOTA_METRIC`)."""
        bases = [t.of for m in self.target_metrics if (t := METRICS[m].target) is not None]
        if Compare.TARGET in self.compare:
            bases.append(QUOTA_METRIC)
        return tuple(dict.fromkeys(bases))

    @property
    def key(self) -> str:
        """The name of the grouping column in results."""
        return KEY_COLUMNS[self.by]


def buckets(q: Query, start: date | None = None) -> list[date]:
    """The first day of every period in the query's range."""
    lo = start or q.start
    if q.grain is Grain.ALL:
        return [lo]
    out, d = [], period_start(lo, q.grain)
    while d < q.end:
        out.append(d)
        d = shift(d, q.grain, 1)
    return out


def bucket_end(d: date, q: Query) -> date:
    return q.end if q.grain is Grain.ALL else shift(d, q.grain, 1)


def comparison_range(q: Query, c: Compare) -> tuple[date, date]:
    """The earlier range a comparison needs, for ALL-grain queries too."""
    if q.grain is Grain.ALL:
        days = (q.end - q.start).days
        if c is Compare.PREVIOUS:
            return q.start - timedelta(days=days), q.start
        return q.start.replace(year=q.start.year - 1), q.end.replace(year=q.end.year - 1)
    n = 1 if c is Compare.PREVIOUS else {Grain.DAY: 364, Grain.WEEK: 52}.get(q.grain, 0)
    if c is Compare.LAST_YEAR and q.grain in (Grain.MONTH, Grain.QUARTER, Grain.YEAR):
        months = {Grain.MONTH: 12, Grain.QUARTER: 4, Grain.YEAR: 1}[q.grain]
        return shift(q.start, q.grain, -months), q.start
    return shift(period_start(q.start, q.grain), q.grain, -n), q.start
