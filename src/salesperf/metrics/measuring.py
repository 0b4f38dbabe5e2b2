"""The measures of a query: each fact aggregated once per (group, period), the facts stacked
and folded into one row per group and period, before any metric's formula is applied.

Teams are computed from their members' rows (every team in the tree, through the team closure
the plan read), never averaged from member ratios. How a fact's rows are read and placed in
periods is in `rows`; what had to be read from the store beforehand is in `plan`.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import ibis
import ibis.expr.operations as ops
import ibis.expr.types as ir
import pandas as pd

from salesperf.errors import InputError
from salesperf.metrics.facts import FACTS, Rolled
from salesperf.metrics.levels import owned_distinct
from salesperf.metrics.measures import MEASURES, WORKING_DAYS
from salesperf.metrics.periods import Grain
from salesperf.metrics.plan import Plan
from salesperf.metrics.query import SPLIT_COLUMNS, By, Query
from salesperf.metrics.registry import formula, get, split_name
from salesperf.metrics.rows import FactRows


class Measuring(FactRows):
    """Builds the table of a query's measures on one backend, for one level (`q.by`) or, with
    `levels`, for several at once (see `compiler.run_levels`)."""

    levels: tuple[By, ...] | None = None

    def _keyed(self, t: ir.Table, q: Query, plan: Plan) -> ir.Table:
        """Rows with a `_key` column for the grouping (teams replicate rows up the tree)."""
        if self.levels is None and q.by is By.REP:
            return t.mutate(_key=t.rep_id)
        if self.levels is None and q.by is By.ORG:
            return t.mutate(_key=ibis.literal("org"))
        c = plan.closure
        assert c is not None  # read for teams and levels (`plan.read_plan`)
        return t.join(c, "rep_id").mutate(_key=c.team_id)

    def _groups(self, q: Query) -> list[str]:
        return ["_key", "_split", "_period"] if q.split else ["_key", "_period"]

    def _fact(
        self,
        fact: str,
        names: list[str],
        q: Query,
        lo: date,
        plan: Plan,
        only_type: str | None = None,
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
        usable = plan.rollups

        def rolled(measures: list[str]) -> Rolled | None:
            """The roll-up that can give these measures, if any (see `FactRows.can_roll`)."""
            if not usable or any(not _rollable(n) for n in measures):
                return None
            return self.can_roll(f, q, set(_used(t, measures)), usable, only_type)

        if self.levels is None and q.by is By.REP:  # one scan per source computes its measures
            sources: dict[Rolled | None, list[str]] = {}
            for n in names:
                sources.setdefault(rolled([n]), []).append(n)
            parts = []
            for r, ns in sources.items():
                src = t if r is None else self.rolled_rows(f, r, q, lo, only_type)
                assert src is not None  # as `t` was
                k = self._keyed(src, q, plan)
                parts.append(
                    k.group_by(groups).aggregate(
                        **{n: MEASURES[n].aggregate(k).cast("float64") for n in ns}
                    )
                )
            return parts
        per_rep = ["rep_id", *groups[1:]]
        keep = {"rep_id", f.time, *(c for _, c in f.stamps), *([f.until] if f.until else [])}
        keep |= {c for _, c in f.instants}
        keep |= {SPLIT_COLUMNS[d][fact] for d, _ in q.filters}
        keep |= {SPLIT_COLUMNS[q.split][fact]} if q.split else set()

        def rows(measures: list[str], r: Rolled | None) -> ir.Table:
            if r is not None:
                out = self.rolled_rows(f, r, q, lo, only_type)
            else:
                out = self.rows(f, q, lo, only_type, keep | set(_used(t, measures)))
            assert out is not None  # as `t` was
            return out

        def keyed(x: ir.Table) -> ir.Table:
            return self._keyed(x, q, plan)

        parts = []
        kps: dict[str, ir.Table] = {}  # each owned measure's per-rep counts, keyed
        by_source: dict[Rolled | None, list[str]] = {}
        for n in names:
            if MEASURES[n].additive or MEASURES[n].owned:
                by_source.setdefault(rolled([n]), []).append(n)
        for r, summed in by_source.items():
            ts = rows(summed, r)
            partial = ts.group_by(per_rep).aggregate(
                **{n: MEASURES[n].aggregate(ts) for n in summed}
            )
            kp = keyed(partial)
            kps |= dict.fromkeys(summed, kp)
            additive = [n for n in summed if MEASURES[n].additive]
            if additive:
                parts.append(
                    kp.group_by(groups).aggregate(
                        **{n: kp[n].sum().cast("float64") for n in additive}
                    )
                )
        for n in names:
            m = MEASURES[n]
            r = rolled([n])
            if m.distinct is not None and m.owned:
                # every (rep, value) pair, from the roll-up of pairs when it is kept
                pairs = [x.owners for x in f.rolled if x.owners is not None and x.owners in usable]
                if pairs:
                    everyone = self.tables.stored(pairs[0])
                else:
                    everyone = (r or f).rows(self.tables, only_type)
                assert everyone is not None  # as it was for the measure's own rows
                parts.append(
                    owned_distinct(rows([n], r), everyone, m.distinct, n, groups, keyed, kps[n])
                )
            elif m.distinct is not None:
                tn = rows([n], r)
                k = keyed(tn.select(*per_rep, _v=m.distinct(tn)).distinct())
                parts.append(k.group_by(groups).aggregate(**{n: k._v.nunique().cast("float64")}))
            elif not m.additive:
                k = keyed(rows([n], r))
                parts.append(k.group_by(groups).aggregate(**{n: m.aggregate(k).cast("float64")}))
        return parts

    def _working_days(self, q: Query, lo: date, plan: Plan) -> ir.Table:
        """Each rep's working days in the range (`working_day_grid`), per key and period."""
        grid = self._keyed(working_day_grid(self.con, lo, q.end, q.reps), q, plan)
        if q.grain is Grain.ALL:
            grid = grid.mutate(_period=self.all_period(grid.date.cast("timestamp"), q))
        else:
            grid = grid.mutate(_period=grid.date.cast("timestamp").truncate(q.grain.unit).date())
        return grid.group_by(["_key", "_period"]).aggregate(
            **{WORKING_DAYS: grid.count().cast("float64")}
        )

    def measures(self, q: Query, lo: date, plan: Plan) -> tuple[ir.Table, list[str]]:
        """One row per (group, period) with every measure the query's metrics need, from the
        query and its `plan` alone (no query is run)."""
        plan.check(q, self.levels)
        self.tables.foreign = plan.foreign_deals
        needed: list[str] = []  # measure columns; a typed metric's are named measure:type
        for m in q.metrics:
            base, kind = split_name(m)
            target = get(base).target
            own = formula(target.of if target is not None else base)
            assert own is not None  # every metric has a formula or reads one's target
            for n in own.needs:
                col = measure_column(n, kind)
                if col not in needed:
                    needed.append(col)
        for b in q.target_bases:
            of = formula(b)
            assert of is not None
            needed += [n for n in of.needs if n not in needed]
        whole = [c for c in needed if c in MEASURES and MEASURES[c].whole_store]
        needed = [c for c in needed if c not in whole]
        by_fact: dict[tuple[str, str | None], list[str]] = {}
        for c in needed:
            if c != WORKING_DAYS:
                n, kind = split_name(c)
                by_fact.setdefault((MEASURES[n].fact, kind), []).append(n)
        built: dict[tuple[str, str | None], list[ir.Table] | None] = {}
        for (f, kind), names in by_fact.items():
            ps = self._fact(f, names, q, lo, plan, only_type=kind)
            if ps is not None and kind is not None:
                ps = [p.rename({f"{n}:{kind}": n for n in names if n in p.columns}) for p in ps]
            built[(f, kind)] = ps
        parts = [p for ps in built.values() if ps is not None for p in ps]
        days = self._working_days(q, lo, plan)
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


def measure_column(measure: str, kind: str | None) -> str:
    """A measure's column for a metric of one activity type (`calls:call`); working days and
    measures over the whole store are the same for every type."""
    if kind is None or measure == WORKING_DAYS or MEASURES[measure].whole_store:
        return measure
    return f"{measure}:{kind}"


def _rollable(name: str) -> bool:
    """Whether a measure can be taken from a roll-up's rows: a count or sum (of the counts and
    sums a roll-up row carries) or a count of distinct values; a median needs the rows."""
    m = MEASURES[name]
    return (m.additive or m.distinct is not None) and not m.whole_store


def _used(t: ir.Table, names: list[str]) -> list[str]:
    """The columns of `t` that these columns and measures read, in `t`'s order."""
    wanted = {n for n in names if n in t.columns}
    for n in names:
        m = MEASURES.get(n)
        if m is not None:
            for e in (m.aggregate(t), *([m.distinct(t)] if m.distinct else [])):
                wanted |= {f.name for f in e.op().find(ops.Field) if f.rel == t.op()}
    return [c for c in t.columns if c in wanted]


def working_day_grid(con: Any, lo: date, end: date, reps: frozenset[str] | None = None) -> ir.Table:
    """Each rep's working days in [lo, end), a row (rep_id, date) each: Monday to Friday
    within the rep's employment, less the rep's recorded absences. The one definition of a
    working day (`activities_per_day`, the data-quality flags)."""
    days = [lo + timedelta(n) for n in range((end - lo).days)]
    weekdays = [d for d in days if d.weekday() < 5]
    if weekdays:
        cal = ibis.memtable(pd.DataFrame({"date": weekdays}))
    else:  # typed, though empty
        cal = ibis.memtable(pd.DataFrame({"date": pd.Series([], dtype="datetime64[us]")}))
    cal = cal.mutate(date=cal.date.cast("date"))
    staff = con.table("reps").select("rep_id", "start_date", "end_date")
    grid = staff.cross_join(cal)
    grid = grid.filter(
        (grid.start_date.isnull() | (grid.date >= grid.start_date))
        & (grid.end_date.isnull() | (grid.date <= grid.end_date))
    )
    absent = con.table("absences").select("rep_id", "date")
    grid = grid.anti_join(absent, ["rep_id", "date"]).select("rep_id", "date")
    if reps is not None:
        grid = grid.filter(grid.rep_id.isin(sorted(reps)))
    return grid
