"""Comparisons: a query's figures set against an earlier period or against their targets."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

import ibis
import ibis.expr.types as ir
import pandas as pd
from ibis.backends import BaseBackend

from salesperf.metrics.levels import target_level_key
from salesperf.metrics.periods import Grain, shift
from salesperf.metrics.query import By, Compare, Query, bucket_end, buckets, comparison_range


def join_earlier(
    result: ir.Table, metrics: ir.Table, q: Query, c: Compare, names: list[str]
) -> ir.Table:
    earlier = {}
    for b in buckets(q):
        if q.grain is Grain.ALL:
            earlier[b] = comparison_range(q, c)[0]
        elif c is Compare.PREVIOUS:
            earlier[b] = shift(b, q.grain, -1)
        elif q.grain in (Grain.MONTH, Grain.QUARTER, Grain.YEAR):
            earlier[b] = shift(b, Grain.MONTH, -12)
        else:
            earlier[b] = b - timedelta(days=364)  # same weekday, 52 weeks back
    suffix = "prev" if c is Compare.PREVIOUS else "last_year"
    mapping = ibis.memtable(
        pd.DataFrame({"_p": list(earlier), "_e": list(earlier.values())})
    ).mutate(_p=lambda t: t._p.cast("date"), _e=lambda t: t._e.cast("date"))
    e = metrics.select(
        _ek=metrics._key,
        **({"_es": metrics._split} if q.split else {}),
        _ee=metrics._period,
        **{f"{n}_{suffix}": metrics[n] for n in names},
    )
    joined = result.left_join(mapping, result._period == mapping._p).drop("_p")
    on = [joined._key == e._ek, joined._e == e._ee]
    if q.split:
        on.append(joined._split.identical_to(e._es))  # a null split (no segment) matches too
    joined = joined.left_join(e, on)
    cols = [col for col in joined.columns if col not in ("_ek", "_es", "_e", "_ee")]
    return joined.select(*cols)


def join_targets(
    con: BaseBackend,
    result: ir.Table,
    q: Query,
    names: Iterable[str],
    levels: tuple[By, ...] | None = None,
) -> ir.Table:
    """Each row's targets for its group and period, with attainment and gap; the rows of a
    several-level query (`levels`) meet the targets of their own level."""
    t = con.table("targets")
    if levels is not None:
        t = t.filter(t.scope.isin([b.value for b in levels]) & t.metric.isin(list(names)))
    else:
        t = t.filter((t.scope == q.by.value) & t.metric.isin(list(names)))
    periods = pd.DataFrame(
        {"_p": buckets(q), "_end": [bucket_end(b, q) - timedelta(days=1) for b in buckets(q)]}
    )
    pm = ibis.memtable(periods).mutate(
        _p=lambda x: x._p.cast("date"), _end=lambda x: x._end.cast("date")
    )
    t = t.join(pm, [t.period_start == pm._p, t.period_end == pm._end])
    if levels is not None:
        key = target_level_key(t.scope, t.scope_id)
    else:
        key = t.scope_id if q.by is not By.ORG else ibis.literal("org")
    wide = t.group_by([key.name("_tk"), t._p]).aggregate(
        **{f"{n}_target": t.value.sum(where=t.metric == n) for n in names}
    )
    joined = result.left_join(wide, [result._key == wide._tk, result._period == wide._p])
    joined = joined.drop(*(c for c in ("_tk", "_p") if c in joined.columns))
    return joined.mutate(
        **{
            f"{n}_attainment": joined[n].cast("float64") / joined[f"{n}_target"].nullif(0)
            for n in names
        },
        **{f"{n}_gap": joined[f"{n}_target"] - joined[n] for n in names},
    )
