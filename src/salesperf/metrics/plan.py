"""The plan stage: what a query needs read from the store before its expression is built.

A query's Ibis expression depends on a little data besides the query: which reps belong to
which teams (the team closure, or the keys of a several-level query), the team tree and which
metrics have targets (for attainment and the gap to target), and whether any deal is in another
currency (the conversion is then compiled in). `read_plan` reads that data, with a few small
queries; the compiler then builds the expression and its SQL from the query and the plan
alone, running nothing.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass

import ibis
import ibis.expr.types as ir
import pandas as pd
from ibis.backends import BaseBackend

from salesperf.fx import has_foreign_deals
from salesperf.metrics.levels import level_closure, team_closure
from salesperf.metrics.query import By, Query
from salesperf.metrics.targets import Tree, team_tree
from salesperf.settings import Settings
from salesperf.store.rollups import usable


@dataclass(frozen=True, eq=False)
class Plan:
    """The data a query's expression is built from, besides the query itself.

    `closure`: (team_id, rep_id) of the query's groups, when rows go through teams or levels
    (an in-memory table);
    `targeted`: the metrics that have target rows and `tree` the team tree, when the query
    reads targets; `foreign_deals`: whether any deal is in another currency than the
    organisation's (None: not known, with a display currency the conversion is always built);
    `rollups`: the roll-ups the query may read in place of raw rows (current, in its time zone);
    `key`: all of the above as a value, equal for two plans that build the same expression.
    `levels` and `teams` say which groups the plan was read for."""

    levels: tuple[By, ...] | None
    teams: frozenset[str] | None
    closure: ir.Table | None = None
    targeted: frozenset[str] = frozenset()
    tree: Tree | None = None
    foreign_deals: bool | None = None
    rollups: frozenset[str] = frozenset()
    key: Hashable = None

    def check(self, q: Query, levels: tuple[By, ...] | None) -> None:
        """Refuse a plan read for other groups than the query's (a bug, not bad input)."""
        if self.levels != levels or self.teams != q.teams:
            raise ValueError("this plan was read for other groups than the query's")
        if q.needs_targets and self.tree is None:
            raise ValueError("this plan was read for a query without targets")


def read_plan(
    con: BaseBackend,
    q: Query,
    levels: tuple[By, ...] | None = None,
    currency: str = Settings.currency,
    to: str | None = None,
    timezone: str | None = None,
) -> Plan:
    """Read what the query `q` (for `levels`, when given) needs before it is compiled: the only
    queries run between a query and its result's own statement. With `timezone`, the roll-ups
    current in that zone are read in place of the raw rows wherever they can stand in."""
    closure = None
    if levels is not None or q.by is By.TEAM:
        if levels is not None:
            df = level_closure(con, levels, q.teams)
        else:
            df = team_closure(con)
            if q.teams is not None:
                df = df[df.team_id.isin(q.teams)]
        if not len(df):
            df = pd.DataFrame({"team_id": pd.Series(dtype=str), "rep_id": pd.Series(dtype=str)})
        closure = ibis.memtable(df)
    targeted: frozenset[str] = frozenset()
    tree = None
    if q.needs_targets:
        metric = con.table("targets").select("metric").distinct().to_pandas()["metric"]
        targeted = frozenset(str(m) for m in metric)
        tree = team_tree(con)
    # with a display currency of its own the conversion is always built (see `fx`)
    own = to is None or to.upper() == currency.upper()
    foreign = has_foreign_deals(con, currency) if own else None
    rolled = usable(con, timezone) if timezone is not None else frozenset()
    pairs = () if closure is None else tuple(df.itertuples(index=False, name=None))
    tree_key = None if tree is None else tuple(tuple(sorted(part.items())) for part in tree)
    key = (levels, q.teams, pairs, targeted, tree_key, foreign, rolled)
    return Plan(levels, q.teams, closure, targeted, tree, foreign, rolled, key)
