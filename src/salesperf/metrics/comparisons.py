"""Comparisons: a query's figures set against an earlier period or against their targets."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

import ibis
import ibis.expr.types as ir
import pandas as pd
from ibis.backends import BaseBackend

from salesperf.metrics.periods import Grain, shift
from salesperf.metrics.query import By, Compare, Query, buckets, comparison_range
from salesperf.metrics.targets import Tree, target_table


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
    tree: Tree | None = None,
) -> ir.Table:
    """Each row's targets for its group and period, with attainment and gap; the rows of a
    several-level query (`levels`) meet the targets of their own level. The target is the one
    rule of `salesperf.metrics.targets` (summed, spread, from members), with its basis; `tree`:
    the team tree, read beforehand (see `plan`)."""
    wide = target_table(con, q, names, levels, tree)
    joined = result.left_join(wide, [result._key == wide._tk, result._period == wide._p])
    joined = joined.drop(*(c for c in ("_tk", "_p") if c in joined.columns))
    return joined.mutate(
        **{
            f"{n}_attainment": joined[n].cast("float64") / joined[f"{n}_target"].nullif(0)
            for n in names
        },
        **{f"{n}_gap": joined[f"{n}_target"] - joined[n] for n in names},
    )
