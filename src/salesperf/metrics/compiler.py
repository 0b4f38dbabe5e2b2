"""Queries as values, compiled to Ibis expressions that the engine runs set-based.

A `Query` names metrics, a grain, a grouping, a period range and comparisons. Compiling it has
two stages: `plan.read_plan` reads the little a query needs from the store beforehand (the team
closure, the team tree and which metrics have targets, whether any deal is in another
currency); `Compiler.compile` then builds one Ibis expression from the query and its plan alone,
running nothing: each fact is aggregated once per (group, period), the facts are stacked and
folded into one row per group and period (`measuring`), and the formulas of the registry are
applied to the measures. A TARGET metric (attainment, the gap to target) reads the comparison
of the metric it declares against its targets. `run_levels` computes several levels (reps,
teams, the organisation) in one query.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir
import pandas as pd
import pyarrow as pa
from ibis.backends import BaseBackend

from salesperf.errors import InputError
from salesperf.metrics.comparisons import join_earlier, join_targets
from salesperf.metrics.levels import split_levels
from salesperf.metrics.measuring import Measuring, measure_column
from salesperf.metrics.periods import Grain, period_start
from salesperf.metrics.plan import Plan, read_plan
from salesperf.metrics.prepared import arrow, prepare
from salesperf.metrics.query import By, Compare, Query, buckets, comparison_range
from salesperf.metrics.registry import (
    Formula,
    MetricType,
    Target,
    Unit,
    formula,
    get,
    metric,
    null_cases,
    split_name,
)
from salesperf.settings import Settings

#: A result column's suffix for why a metric's value is null (a code of `registry.null_cases`).
NULL_REASON = "_null_reason"


class Compiler(Measuring):
    """Compiles queries against one backend, organisation time zone and currency."""

    def __init__(
        self,
        con: BaseBackend,
        timezone: str = "UTC",
        levels: tuple[By, ...] | None = None,
        currency: str = Settings.currency,
        to: str | None = None,
        reasons: bool = False,
        rollups: bool = True,
    ) -> None:
        """`levels`: compile for several levels at once (see `run_levels`), not for `q.by`;
        amounts in the organisation's `currency`, or with `to` in that display currency;
        `reasons`: add a `<metric>_null_reason` column to each metric that can be null;
        `rollups`: read the store's roll-ups where they can stand in for raw rows (the same
        figures; without: always the raw rows)."""
        super().__init__(con, timezone, currency, to)
        self.levels = levels
        self.reasons = reasons
        self.rollups = rollups

    def plan(self, q: Query) -> Plan:
        """Read what `q` needs from the store before it is compiled (see `plan.read_plan`)."""
        tz = self.tz if self.rollups else None
        return read_plan(self.con, q, self.levels, self.tables.currency, self.tables.to, tz)

    # -- the query ---------------------------------------------------------------------------
    @staticmethod
    def _formula(name: str) -> Formula:
        """The formula of a metric that has one (a typed metric's base's)."""
        f = formula(name)
        assert f is not None, name  # only asked for metrics with a formula
        return f

    @staticmethod
    def _needs(name: str, base: ir.Table) -> dict[str, ir.NumericValue]:
        """The measure columns a metric's formula reads (a typed metric's typed ones)."""
        kind = split_name(name)[1]
        return {n: base[measure_column(n, kind)] for n in Compiler._formula(name).needs}

    def compile(self, q: Query, plan: Plan) -> ir.Table:
        """The whole query as one Ibis expression, built from the query and its `plan` (see
        `plan`) alone: nothing is run."""
        lo = min(
            [q.start, *(comparison_range(q, c)[0] for c in q.compare if c is not Compare.TARGET)]
        )
        if q.grain is not Grain.ALL:
            lo = period_start(lo, q.grain)
        base, _ = self.measures(q, lo, plan)
        plain = [m for m in q.metrics if formula(m) is not None]
        values = {m: self._formula(m).value(self._needs(m, base)) for m in plain}
        for b in q.target_bases:
            if b not in values:
                values[b] = self._formula(b).compute({c: base[c] for c in base.columns})
        why = (
            {
                f"{m}{NULL_REASON}": self._formula(m).reason(self._needs(m, base))
                for m in plain
                if null_cases(m)
            }
            if self.reasons
            else {}
        )
        split = {"_split": base._split} if q.split else {}
        metrics = base.select(_key=base._key, **split, _period=base._period, **values, **why)
        wanted = list(buckets(q))
        result = metrics.filter(metrics._period.isin(wanted))
        for c in q.compare:
            if c is Compare.TARGET:
                continue
            result = join_earlier(result, metrics, q, c, plain)
        if q.needs_targets:
            names = [n for n in values if n in plan.targeted or n in q.target_bases]
            result = join_targets(self.con, result, q, names, self.levels, plan.tree)
        keep = ["_key", *(["_split"] if q.split else []), "_period", *plain, *why]
        for m in q.target_metrics:
            target = get(m).target
            assert target is not None  # a TARGET metric declares one
            result = result.mutate(**{m: result[f"{target.of}_{target.column}"]})
            if self.reasons and target.nulls:
                result = result.mutate(**{f"{m}{NULL_REASON}": _target_reason(m, target, result)})
                keep.append(f"{m}{NULL_REASON}")
        extra = [c for c in result.columns if c not in keep]
        if q.target_metrics and Compare.TARGET not in q.compare:
            extra = [c for c in extra if c in q.target_metrics]
        result = result.select(*keep, *extra)
        key = "_key" if self.levels is not None else q.key
        renames = {key: "_key", "period_start": "_period"}
        if q.split:
            renames[q.split.value] = "_split"
        order = [key, *([q.split.value] if q.split else []), "period_start"]
        return result.rename(renames).order_by(order)

    def to_sql(self, q: Query, plan: Plan) -> str:
        """The SQL the query compiles to on this backend's engine (nothing is run)."""
        return str(ibis.to_sql(self.compile(q, plan), dialect=self.con.name))


def _target_reason(name: str, target: Target, result: ir.Table) -> ir.StringValue:
    """Why a TARGET metric is null on each row (a code), else null."""
    m = {"target": result[f"{target.of}_target"], "actual": result[target.of]}
    branches = [(c.when(m).fill_null(False), c.code) for c in target.nulls]
    why = ibis.cases(*branches, else_=ibis.null("string"))
    return ibis.ifelse(result[name].isnull(), why, ibis.null("string"))


def run(
    con: BaseBackend,
    q: Query,
    timezone: str = "UTC",
    currency: str = Settings.currency,
    to: str | None = None,
    reasons: bool = False,
    rollups: bool = True,
) -> pd.DataFrame:
    """Run a query; counts come back as whole numbers, undefined ratios as nulls (with
    `reasons`, each with why in a `<metric>_null_reason` column: see `registry.null_reason`);
    amounts in the organisation's `currency` (with `to`: converted into that currency);
    `rollups`: see `Compiler`."""
    c = Compiler(con, timezone, None, currency, to, reasons=reasons, rollups=rollups)
    return _finish(_frame(c, q, "run"), q)


def run_levels(
    con: BaseBackend,
    q: Query,
    levels: tuple[By, ...],
    timezone: str = "UTC",
    currency: str = Settings.currency,
    to: str | None = None,
    reasons: bool = False,
    rollups: bool = True,
) -> dict[By, pd.DataFrame]:
    """Run a query for several levels at once (`q.by` is not used): for each, the frame `run`
    gives with `by` set to it, with the same figures. One statement computes every level from
    the same per-rep work, which costs less than a query per level (a scorecard with its team
    roll-ups, the organisation with its teams)."""
    levels = tuple(dict.fromkeys(By(b) for b in levels))
    if not levels:
        raise InputError("name at least one level: rep, team or org")
    c = Compiler(con, timezone, levels, currency, to, reasons, rollups)
    table = _arrow(c, q, "levels")
    return {by: _finish(part, q) for by, part in split_levels(table, levels).items()}


def _arrow(c: Compiler, q: Query, kind: str) -> pa.Table:
    """Run the query `q` (as `kind` of result) through its prepared form (see `prepared`):
    its expression and SQL are built once for each query and plan."""
    plan = c.plan(q)
    options = (kind, q, c.levels, c.tz, c.tables.currency, c.tables.to, c.reasons, plan.key)
    build = _measures_expr if kind == "measures" else Compiler.compile
    return arrow(c.con, prepare(c.con, options, lambda: build(c, q, plan)))


def _frame(c: Compiler, q: Query, kind: str) -> pd.DataFrame:
    """The result as a frame, through Arrow: a column with nulls stays a column of numbers
    (NaN where null), never a list of Python objects, which at hundreds of thousands of rows
    costs seconds and hundreds of megabytes."""
    df: pd.DataFrame = _arrow(c, q, kind).to_pandas()
    return df


def _finish(df: pd.DataFrame, q: Query) -> pd.DataFrame:
    """Counts as whole numbers, period starts as dates."""
    for m in q.metrics:
        meta = metric(m)
        if (
            meta.unit is Unit.COUNT
            and meta.type is MetricType.SIMPLE  # a median of counts need not be whole
            and (f := formula(m)) is not None
            and f.needs == (split_name(m)[0],)
        ):
            df[m] = df[m].round().astype("Int64")
    df["period_start"] = pd.to_datetime(df["period_start"]).dt.date
    return df


def run_measures(
    con: BaseBackend,
    q: Query,
    timezone: str = "UTC",
    currency: str = Settings.currency,
    rollups: bool = True,
) -> pd.DataFrame:
    """The measures behind a query's metrics (counts and sums, before any ratio is taken), one
    row per group, split and period of the query's range (comparisons are not joined).

    What an analysis needs to put an interval on a rate: win_rate's deals won and lost,
    stage_conversion:demo>proposal's `stage_entered:demo>proposal` and `stage_then:...`."""
    c = Compiler(con, timezone, None, currency, rollups=rollups)
    df = _frame(c, q, "measures")
    df["period_start"] = pd.to_datetime(df["period_start"]).dt.date
    return df


def _measures_expr(c: Compiler, q: Query, plan: Plan) -> ir.Table:
    """The expression of `run_measures`."""
    lo = q.start if q.grain is Grain.ALL else period_start(q.start, q.grain)
    base, cols = c.measures(q, lo, plan)
    base = base.filter(base._period.isin(buckets(q)))
    split = ["_split"] if q.split else []
    base = base.select("_key", *split, "_period", *cols)
    renames = {q.key: "_key", "period_start": "_period"}
    if q.split:
        renames[q.split.value] = "_split"
    order = [q.key, *([q.split.value] if q.split else []), "period_start"]
    return base.rename(renames).order_by(order)
