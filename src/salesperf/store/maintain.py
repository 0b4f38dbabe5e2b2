"""Keeping the roll-ups (`salesperf.store.rollups`) equal to the raw tables: built from scratch,
and checked against them."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

import ibis
import ibis.expr.types as ir

from salesperf.store.engines.base import q
from salesperf.store.rollups import ROLLUP_VERSION, ROLLUPS, STATE, STATE_TABLE, Rollup

if TYPE_CHECKING:
    from salesperf.store import Store

#: The stored timestamps each roll-up's days come from, per canonical table.
_STAMPS = {
    "activities": ("occurred_at",),
    "deals": ("created_at", "closed_at"),
    "deal_stages": ("entered_at",),
}


def data_days(store: Store, rollup: Rollup) -> tuple[date, date] | None:
    """[lo, hi): local days that cover every stored timestamp the roll-up reads (a day either
    side of the UTC ones, for any zone); None when its tables hold none."""
    bounds: list[datetime] = []
    for table in rollup.sources:
        t = store.table(table)
        for col in _STAMPS.get(table, ()):
            row = t.aggregate(lo=t[col].min(), hi=t[col].max()).to_pyarrow().to_pylist()[0]
            bounds += [v for v in (row["lo"], row["hi"]) if v is not None]
    if not bounds:
        return None
    return min(bounds).date() - timedelta(days=1), max(bounds).date() + timedelta(days=2)


def _insert_sql(store: Store, rollup: Rollup, expr: ir.Table) -> str:
    cols = list(rollup.schema.names)
    typed = expr.select(*(expr[c].cast(rollup.schema[c]).name(c) for c in cols))
    sql = str(ibis.to_sql(typed, dialect=store.con.name))
    return f"INSERT INTO {q(rollup.name)} ({', '.join(q(c) for c in cols)}) {sql}"


def rebuild(store: Store, timezone: str | None = None) -> dict[str, int]:
    """Build every roll-up from the raw tables, in one transaction, in the organisation's time
    zone (or `timezone`); the rows of each."""
    tz = timezone or store.settings.timezone
    counts = {}
    with store.transaction():
        store.declare(STATE_TABLE)
        for r in ROLLUPS.values():
            if not store.has_table(r.name):
                store.create_table(r.name, r.schema)
            store._exec(f"DELETE FROM {q(r.name)}")
            span = data_days(store, r)
            if span is not None:
                store._exec(_insert_sql(store, r, r.rows(store.con, tz, *span, None)))
            store._exec(f"DELETE FROM {STATE} WHERE name = ?", [r.name])
            store._exec(
                f"INSERT INTO {STATE} VALUES (?, ?, ?, ?)",
                [r.name, ROLLUP_VERSION, tz, datetime.now()],
            )
            counts[r.name] = store.count(r.name)
    return counts
