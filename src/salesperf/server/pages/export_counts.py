"""The exports page's data: the tables the viewer may export, each with the number of rows
they would get, and the forms of the files."""

from __future__ import annotations

from typing import Any

import ibis.expr.types as ir

from salesperf.auth.access import AccessDenied, scoped_table, visible_account_ids
from salesperf.metrics.periods import day_bound
from salesperf.metrics.prepared import arrow, prepare
from salesperf.metrics.query import By
from salesperf.schema import TABLES
from salesperf.server.deps import View
from salesperf.store.reads import windowed


def exports_page(view: View) -> dict[str, Any]:
    """The tables the viewer may export, with the number of rows they would get (each count
    remembered on its own: a batch of activities counts the activities again, not the deals)."""

    def count(name: str) -> int:
        if name in _BY_DAY and not view.scope.everything:
            return _count_by_day(view, name)
        return view.cache.get(
            ("export_count", view.scope, name),
            lambda: int(scoped_table(view.store, view.scope, name).count().execute()),
        )

    tables = [{"name": name, "rows": count(name)} for name in TABLES]
    bys = [b.value for b in By if _allowed(view, b)]
    dutch = view.lang == "nl"
    return {
        "tables": tables, "by": bys, "formats": ["csv", "xlsx"],
        "csv": ["semicolon", "comma"] if dutch else ["comma", "semicolon"],
        "headers": ["readable", "canonical"], "zone": view.store.settings.timezone,
    }  # fmt: skip


#: The counts of a scope's rows that its activities decide: kept in two halves by day.
_BY_DAY = ("activities", "accounts")


def _count_by_day(view: View, name: str) -> int:
    """A scope's activities (or accounts) counted as those stored before the reference day,
    remembered while the day's activities arrive (see `salesperf.store.reads.windowed`), and
    those of the day on (or the accounts only they name), counted after each write: a
    region's 2.6 million activities and their 100,000 accounts are not counted again for
    each batch of the day."""
    store, scope = view.store, view.scope
    bound = day_bound(view.today, store.settings.timezone)

    def older() -> Any:
        with windowed(bound, links=False):
            if name == "accounts":
                ids = visible_account_ids(store, scope, before=bound).to_pyarrow()
                return frozenset(ids.column(0).to_pylist())
            t = scoped_table(store, scope, name)
            return int(t.filter(t.occurred_at < bound).count().execute())

    def since_bound() -> ir.Table:
        if name == "accounts":
            return visible_account_ids(store, scope, since=bound)
        t = scoped_table(store, scope, name)
        t = t.filter(t.occurred_at >= bound)
        return t.aggregate(n=t.count())

    def newer() -> Any:  # after each write: its SQL generated once (a day's rows: 1 ms to run)
        found = arrow(
            store.con, prepare(store.con, ("export_since", scope, name, bound), since_bound)
        )
        if name == "accounts":
            return frozenset(found.column(0).to_pylist())
        return int(found.column(0)[0].as_py())

    before = view.cache.get(("export_count_before", scope, name, bound), older)
    since = view.cache.get(("export_count_since", scope, name, bound), newer)
    if isinstance(before, frozenset):
        return len(before) + len(since - before)
    return int(before) + int(since)


def _allowed(view: View, by: By) -> bool:
    try:
        view.scope.check_by(by)
    except AccessDenied:
        return False
    return True
