"""Queries as values, compiled to Ibis expressions that the engine runs set-based.

A `Query` names metrics, a grain, a grouping, a period range and comparisons. `Compiler.compile`
turns it into one Ibis expression: each fact is aggregated once per (group, period), the facts
are stacked and folded into one row per group and period, and the metric formulas of the
registry are applied to the measures. Teams are computed from their members' rows (every
team in the tree, through a team closure), never averaged from member ratios; `run_levels`
computes several levels (reps, teams, the organisation) in one query. How a fact's rows are
read and placed in periods is in `rows`.
"""

from __future__ import annotations

from datetime import date, timedelta

import ibis
import ibis.expr.operations as ops
import ibis.expr.types as ir
import pandas as pd
from ibis.backends import BaseBackend

from salesperf.errors import InputError
from salesperf.metrics.comparisons import join_earlier, join_targets
from salesperf.metrics.facts import FACTS
from salesperf.metrics.levels import level_closure, owned_distinct, split_levels, team_closure
from salesperf.metrics.measures import MEASURES, WORKING_DAYS
from salesperf.metrics.periods import Grain, period_start
from salesperf.metrics.query import (
    SPLIT_COLUMNS,
    By,
    Compare,
    Query,
    buckets,
    comparison_range,
)
from salesperf.metrics.registry import (
    FORMULAS,
    QUOTA_METRIC,
    TARGET_NULLS,
    MetricType,
    Unit,
    metric,
    null_cases,
    split_name,
)
from salesperf.metrics.rows import FactRows
from salesperf.settings import Settings

#: A result column's suffix for why a metric's value is null (a code of `registry.null_cases`).
NULL_REASON = "_null_reason"


class Compiler(FactRows):
    """Compiles queries against one backend, organisation time zone and currency."""

    def __init__(
        self,
        con: BaseBackend,
        timezone: str = "UTC",
        levels: tuple[By, ...] | None = None,
        currency: str = Settings.currency,
        to: str | None = None,
        reasons: bool = False,
    ) -> None:
        """`levels`: compile for several levels at once (see `run_levels`), not for `q.by`;
        amounts in the organisation's `currency`, or with `to` in that display currency;
        `reasons`: add a `<metric>_null_reason` column to each metric that can be null."""
        super().__init__(con, timezone, currency, to)
        self.levels = levels
        self.reasons = reasons
        self._closures: dict[frozenset[str] | None, ir.Table] = {}

    # -- building blocks ---------------------------------------------------------------------
    def closure(self, q: Query) -> ir.Table:
        """(team_id, rep_id) for the query's teams, or the level keys of a several-level
        query (computed once per compiler and choice of teams)."""
        if q.teams not in self._closures:
            if self.levels is not None:
                df = level_closure(self.con, self.levels, q.teams)
            else:
                df = team_closure(self.con)
                if q.teams is not None:
                    df = df[df.team_id.isin(q.teams)]
            if not len(df):
                df = pd.DataFrame({"team_id": pd.Series(dtype=str), "rep_id": pd.Series(dtype=str)})
            self._closures[q.teams] = ibis.memtable(df)
        return self._closures[q.teams]

    def _keyed(self, t: ir.Table, q: Query) -> ir.Table:
        """Rows with a `_key` column for the grouping (teams replicate rows up the tree)."""
        if self.levels is None and q.by is By.REP:
            return t.mutate(_key=t.rep_id)
        if self.levels is None and q.by is By.ORG:
            return t.mutate(_key=ibis.literal("org"))
        c = self.closure(q)
        return t.join(c, "rep_id").mutate(_key=c.team_id)

    def _groups(self, q: Query) -> list[str]:
        return ["_key", "_split", "_period"] if q.split else ["_key", "_period"]

    def _fact(
        self, fact: str, names: list[str], q: Query, lo: date, only_type: str | None = None
    ) -> list[ir.Table] | None:
        """The fact's measures per group and period, as parts to be folded together.

        Additive measures are summed per rep first and then into teams, so the team tree
        multiplies a small table, not the fact's rows; distinct counts go through the distinct
        (rep, period, value) triples, or for values that usually belong to one rep, through
        the reps' own counts (see `levels.owned_distinct`); medians are computed from the rows.
        Each part reads the fact's rows with only the columns it needs: the engine scans the
        stored table for each, which costs less than holding every column for all of them.
        """
        f = FACTS[fact]
        t = self.rows(f, q, lo, only_type)
        if t is None:
            return None
        groups = self._groups(q)
        if self.levels is None and q.by is By.REP:  # one scan computes every measure
            k = self._keyed(t, q)
            return [
                k.group_by(groups).aggregate(
                    **{n: MEASURES[n].aggregate(k).cast("float64") for n in names}
                )
            ]
        per_rep = ["rep_id", *groups[1:]]
        keep = {"rep_id", f.time, *(c for _, c in f.stamps), *([f.until] if f.until else [])}
        keep |= {c for _, c in f.instants}
        keep |= {SPLIT_COLUMNS[d][fact] for d, _ in q.filters}
        keep |= {SPLIT_COLUMNS[q.split][fact]} if q.split else set()

        def rows(measures: list[str]) -> ir.Table:
            r = self.rows(f, q, lo, only_type, keep | set(_used(t, measures)))
            assert r is not None  # as `t` was
            return r

        def keyed(x: ir.Table) -> ir.Table:
            return self._keyed(x, q)

        parts = []
        summed = [n for n in names if MEASURES[n].additive or MEASURES[n].owned]
        if summed:
            ts = rows(summed)
            partial = ts.group_by(per_rep).aggregate(
                **{n: MEASURES[n].aggregate(ts) for n in summed}
            )
            kp = keyed(partial)
            additive = [n for n in summed if MEASURES[n].additive]
            if additive:
                parts.append(
                    kp.group_by(groups).aggregate(
                        **{n: kp[n].sum().cast("float64") for n in additive}
                    )
                )
        for n in names:
            m = MEASURES[n]
            if m.distinct is not None and m.owned:
                everyone = f.rows(self.tables, only_type)
                parts.append(owned_distinct(rows([n]), everyone, m.distinct, n, groups, keyed, kp))
            elif m.distinct is not None:
                tn = rows([n])
                k = keyed(tn.select(*per_rep, _v=m.distinct(tn)).distinct())
                parts.append(k.group_by(groups).aggregate(**{n: k._v.nunique().cast("float64")}))
            elif not m.additive:
                k = keyed(rows([n]))
                parts.append(k.group_by(groups).aggregate(**{n: m.aggregate(k).cast("float64")}))
        return parts

    def _working_days(self, q: Query, lo: date) -> ir.Table:
        """Mon-Fri days of each rep's employment in the range, minus recorded absences."""
        days = [lo + timedelta(n) for n in range((q.end - lo).days)]
        weekdays = [d for d in days if d.weekday() < 5]
        if weekdays:
            cal = ibis.memtable(pd.DataFrame({"date": weekdays}))
        else:  # typed, though empty
            cal = ibis.memtable(pd.DataFrame({"date": pd.Series([], dtype="datetime64[us]")}))
        cal = cal.mutate(date=cal.date.cast("date"))
        reps = self.con.table("reps").select("rep_id", "start_date", "end_date")
        grid = reps.cross_join(cal)
        grid = grid.filter(
            (grid.start_date.isnull() | (grid.date >= grid.start_date))
            & (grid.end_date.isnull() | (grid.date <= grid.end_date))
        )
        absent = self.con.table("absences").select("rep_id", "date")
        grid = grid.anti_join(absent, ["rep_id", "date"]).select("rep_id", "date")
        if q.reps is not None:
            grid = grid.filter(grid.rep_id.isin(sorted(q.reps)))
        grid = self._keyed(grid, q)
        if q.grain is Grain.ALL:
            grid = grid.mutate(_period=self.all_period(grid.date.cast("timestamp"), q))
        else:
            grid = grid.mutate(_period=grid.date.cast("timestamp").truncate(q.grain.unit).date())
        return grid.group_by(["_key", "_period"]).aggregate(
            **{WORKING_DAYS: grid.count().cast("float64")}
        )

    def measures(self, q: Query, lo: date) -> tuple[ir.Table, list[str]]:
        """One row per (group, period) with every measure the query's metrics need."""
        needed: list[str] = []  # measure columns; a typed metric's are named measure:type
        for m in q.metrics:
            base, kind = split_name(m)
            formula = FORMULAS.get(base) or FORMULAS[QUOTA_METRIC]
            for n in formula.needs:
                col = _column(n, kind)
                if col not in needed:
                    needed.append(col)
        if Compare.TARGET in q.compare or {"quota_attainment", "target_gap"} & set(q.metrics):
            needed += [n for n in FORMULAS[QUOTA_METRIC].needs if n not in needed]
        whole = [c for c in needed if c in MEASURES and MEASURES[c].whole_store]
        needed = [c for c in needed if c not in whole]
        by_fact: dict[tuple[str, str | None], list[str]] = {}
        for c in needed:
            if c != WORKING_DAYS:
                n, kind = split_name(c)
                by_fact.setdefault((MEASURES[n].fact, kind), []).append(n)
        built: dict[tuple[str, str | None], list[ir.Table] | None] = {}
        for (f, kind), names in by_fact.items():
            ps = self._fact(f, names, q, lo, only_type=kind)
            if ps is not None and kind is not None:
                ps = [p.rename({f"{n}:{kind}": n for n in names if n in p.columns}) for p in ps]
            built[(f, kind)] = ps
        parts = [p for ps in built.values() if ps is not None for p in ps]
        days = self._working_days(q, lo)
        if q.split is None:
            # the calendar is the spine: every rep employed in a period has a row, even idle
            parts.append(days)
        cols = [*(n for n in needed if n != WORKING_DAYS)]
        if q.split is None:
            cols.append(WORKING_DAYS)
        groups = self._groups(q)
        if not parts:
            raise InputError(f"none of these metrics can be split by {q.split}")
        stacked = ibis.union(
            *(
                p.select(
                    *groups,
                    *(p[c] if c in p.columns else ibis.null("float64").name(c) for c in cols),
                )
                for p in parts
            )
        )
        folded = stacked.group_by(groups).aggregate(**{c: stacked[c].max() for c in cols})
        if q.split is not None:
            # each split row shares its group's working days
            d = days.rename(_dk="_key", _dp="_period")
            folded = folded.left_join(d, [folded._key == d._dk, folded._period == d._dp]).drop(
                "_dk", "_dp"
            )
            cols.append(WORKING_DAYS)
        fills = {
            c: folded[c].fill_null(0)
            for c in cols
            if c == WORKING_DAYS
            or (
                MEASURES[split_name(c)[0]].zero_when_empty
                and built[(MEASURES[split_name(c)[0]].fact, split_name(c)[1])] is not None
            )
        }
        # the same figure on every row: one scalar over all the fact's rows in the store
        for n in whole:
            everyone = FACTS[MEASURES[n].fact].rows(self.con)
            fills[n] = MEASURES[n].aggregate(everyone).cast("float64").as_scalar()
        return folded.mutate(**fills), [*cols, *whole]

    # -- the query ---------------------------------------------------------------------------
    @staticmethod
    def _formula(name: str, base: ir.Table) -> ir.Value:
        """A metric's formula over the folded measures (a typed metric over its typed ones)."""
        return FORMULAS[split_name(name)[0]].value(Compiler._needs(name, base))

    @staticmethod
    def _needs(name: str, base: ir.Table) -> dict[str, ir.NumericValue]:
        """The measure columns a metric's formula reads (a typed metric's typed ones)."""
        b, kind = split_name(name)
        return {n: base[_column(n, kind)] for n in FORMULAS[b].needs}

    @staticmethod
    def _reason(name: str, base: ir.Table) -> ir.StringValue:
        """Why the metric's value is null on each row (a code), else null."""
        return FORMULAS[split_name(name)[0]].reason(Compiler._needs(name, base))

    def compile(self, q: Query) -> ir.Table:
        """The whole query as one Ibis expression."""
        lo = min(
            [q.start, *(comparison_range(q, c)[0] for c in q.compare if c is not Compare.TARGET)]
        )
        if q.grain is not Grain.ALL:
            lo = period_start(lo, q.grain)
        base, _ = self.measures(q, lo)
        plain = [m for m in q.metrics if split_name(m)[0] in FORMULAS]
        values = {m: self._formula(m, base) for m in plain}
        if QUOTA_METRIC not in values and (
            Compare.TARGET in q.compare or {"quota_attainment", "target_gap"} & set(q.metrics)
        ):
            values[QUOTA_METRIC] = FORMULAS[QUOTA_METRIC].compute(
                {c: base[c] for c in base.columns}
            )
        why = (
            {f"{m}{NULL_REASON}": self._reason(m, base) for m in plain if null_cases(m)}
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
        if Compare.TARGET in q.compare or {"quota_attainment", "target_gap"} & set(q.metrics):
            targets = self.con.table("targets")
            with_targets = set(targets.select("metric").distinct().to_pandas()["metric"])
            names = [n for n in values if n in with_targets or n == QUOTA_METRIC]
            result = join_targets(self.con, result, q, names, self.levels)
        keep = ["_key", *(["_split"] if q.split else []), "_period", *plain, *why]
        for m in q.metrics:
            if m == "quota_attainment":
                result = result.mutate(quota_attainment=result[f"{QUOTA_METRIC}_attainment"])
            elif m == "target_gap":
                result = result.mutate(target_gap=result[f"{QUOTA_METRIC}_gap"])
            if m in TARGET_NULLS and self.reasons:
                result = result.mutate(**{f"{m}{NULL_REASON}": _target_reason(m, result)})
                keep.append(f"{m}{NULL_REASON}")
        extra = [c for c in result.columns if c not in keep]
        if {"quota_attainment", "target_gap"} & set(q.metrics) and Compare.TARGET not in q.compare:
            extra = [c for c in extra if c in ("quota_attainment", "target_gap")]
        result = result.select(*keep, *extra)
        key = "_key" if self.levels is not None else q.key
        renames = {key: "_key", "period_start": "_period"}
        if q.split:
            renames[q.split.value] = "_split"
        order = [key, *([q.split.value] if q.split else []), "period_start"]
        return result.rename(renames).order_by(order)

    def to_sql(self, q: Query) -> str:
        """The SQL the query compiles to on this backend's engine."""
        return str(ibis.to_sql(self.compile(q), dialect=self.con.name))


def _target_reason(name: str, result: ir.Table) -> ir.StringValue:
    """Why attainment or the gap to target is null on each row (a code), else null."""
    m = {"target": result[f"{QUOTA_METRIC}_target"], "actual": result[QUOTA_METRIC]}
    branches = [(c.when(m).fill_null(False), c.code) for c in TARGET_NULLS[name]]
    why = ibis.cases(*branches, else_=ibis.null("string"))
    return ibis.ifelse(result[name].isnull(), why, ibis.null("string"))


def _column(measure: str, kind: str | None) -> str:
    """A measure's column for a metric of one activity type (`calls:call`); working days and
    measures over the whole store are the same for every type."""
    if kind is None or measure == WORKING_DAYS or MEASURES[measure].whole_store:
        return measure
    return f"{measure}:{kind}"


def _used(t: ir.Table, names: list[str]) -> list[str]:
    """The columns of `t` that these columns and measures read, in `t`'s order."""
    wanted = {n for n in names if n in t.columns}
    for n in names:
        m = MEASURES.get(n)
        if m is not None:
            for e in (m.aggregate(t), *([m.distinct(t)] if m.distinct else [])):
                wanted |= {f.name for f in e.op().find(ops.Field) if f.rel == t.op()}
    return [c for c in t.columns if c in wanted]


def run(
    con: BaseBackend,
    q: Query,
    timezone: str = "UTC",
    currency: str = Settings.currency,
    to: str | None = None,
    reasons: bool = False,
) -> pd.DataFrame:
    """Run a query; counts come back as whole numbers, undefined ratios as nulls (with
    `reasons`, each with why in a `<metric>_null_reason` column: see `registry.null_reason`);
    amounts in the organisation's `currency` (with `to`: converted into that currency)."""
    return _finish(
        _frame(Compiler(con, timezone, None, currency, to, reasons=reasons).compile(q)), q
    )


def run_levels(
    con: BaseBackend,
    q: Query,
    levels: tuple[By, ...],
    timezone: str = "UTC",
    currency: str = Settings.currency,
    to: str | None = None,
    reasons: bool = False,
) -> dict[By, pd.DataFrame]:
    """Run a query for several levels at once (`q.by` is not used): for each, the frame `run`
    gives with `by` set to it, with the same figures. One statement computes every level from
    the same per-rep work, which costs less than a query per level (a scorecard with its team
    roll-ups, the organisation with its teams)."""
    levels = tuple(dict.fromkeys(By(b) for b in levels))
    if not levels:
        raise InputError("name at least one level: rep, team or org")
    table = Compiler(con, timezone, levels, currency, to, reasons).compile(q).to_pyarrow()
    return {by: _finish(part, q) for by, part in split_levels(table, levels).items()}


def _frame(expr: ir.Table) -> pd.DataFrame:
    """The result as a frame, through Arrow: a column with nulls stays a column of numbers
    (NaN where null), never a list of Python objects, which at hundreds of thousands of rows
    costs seconds and hundreds of megabytes."""
    df: pd.DataFrame = expr.to_pyarrow().to_pandas()
    return df


def _finish(df: pd.DataFrame, q: Query) -> pd.DataFrame:
    """Counts as whole numbers, period starts as dates."""
    for m in q.metrics:
        meta = metric(m)
        if (
            meta.unit is Unit.COUNT
            and meta.type is MetricType.SIMPLE  # a median of counts need not be whole
            and split_name(m)[0] in FORMULAS
            and FORMULAS[split_name(m)[0]].needs == (split_name(m)[0],)
        ):
            df[m] = df[m].round().astype("Int64")
    df["period_start"] = pd.to_datetime(df["period_start"]).dt.date
    return df


def run_measures(
    con: BaseBackend, q: Query, timezone: str = "UTC", currency: str = Settings.currency
) -> pd.DataFrame:
    """The measures behind a query's metrics (counts and sums, before any ratio is taken), one
    row per group, split and period of the query's range (comparisons are not joined).

    What an analysis needs to put an interval on a rate: win_rate's deals won and lost,
    stage_conversion:demo>proposal's `stage_entered:demo>proposal` and `stage_then:...`."""
    c = Compiler(con, timezone, None, currency)
    lo = q.start if q.grain is Grain.ALL else period_start(q.start, q.grain)
    base, cols = c.measures(q, lo)
    base = base.filter(base._period.isin(buckets(q)))
    split = ["_split"] if q.split else []
    base = base.select("_key", *split, "_period", *cols)
    renames = {q.key: "_key", "period_start": "_period"}
    if q.split:
        renames[q.split.value] = "_split"
    order = [q.key, *([q.split.value] if q.split else []), "period_start"]
    df = _frame(base.rename(renames).order_by(order))
    df["period_start"] = pd.to_datetime(df["period_start"]).dt.date
    return df
