"""Who a row belongs to: reps, the teams of the tree (each with its whole subtree) and the
organisation, and how group figures come from their members' rows.

A query groups by one level (`By`); a query over several levels at once (a scorecard with its
team roll-ups, the organisation with its teams) computes every level in one statement from the
same per-rep work. Its rows carry the level in their key (`level<SEP>id`), which `split_levels`
takes apart again.
"""

from __future__ import annotations

from collections.abc import Callable

import ibis
import ibis.expr.types as ir
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from ibis.backends import BaseBackend

from salesperf.metrics.query import KEY_COLUMNS, By

#: Between a level and an id in the keys of a several-level query (not a character of ids).
SEP = "\x1f"
ORG_ID = "org"


def team_closure(con: BaseBackend) -> pd.DataFrame:
    """(team_id, rep_id) for every team and every rep in its subtree."""
    teams = con.table("teams").select("team_id", "parent_team_id").to_pandas()
    reps = con.table("reps").select("rep_id", "team_id").to_pandas()
    parent = dict(zip(teams.team_id, teams.parent_team_id, strict=True))
    rows: list[tuple[str, str]] = []
    for rep, team in zip(reps.rep_id, reps.team_id, strict=True):
        seen: set[str] = set()
        t = team
        while isinstance(t, str) and t not in seen:  # a cycle in bad data stops here
            seen.add(t)
            rows.append((t, rep))
            t = parent.get(t)
    return pd.DataFrame(rows, columns=["team_id", "rep_id"])


def level_key(level: By, key: str) -> str:
    """The key of a several-level query's row: the level and the id."""
    return f"{level.value}{SEP}{key}"


def level_closure(
    con: BaseBackend, levels: tuple[By, ...], teams: frozenset[str] | None
) -> pd.DataFrame:
    """(team_id, rep_id), where team_id is the level key of every group a rep belongs to at
    each of the levels: the rep itself, each team above it (only `teams`, when given), the
    organisation."""
    pairs: list[tuple[str, str]] = []
    if By.REP in levels or By.ORG in levels:
        reps = [str(r) for r in con.table("reps").select("rep_id").to_pandas()["rep_id"]]
        if By.REP in levels:
            pairs += [(level_key(By.REP, r), r) for r in reps]
        if By.ORG in levels:
            pairs += [(level_key(By.ORG, ORG_ID), r) for r in reps]
    if By.TEAM in levels:
        c = team_closure(con)
        pairs += [
            (level_key(By.TEAM, t), r)
            for t, r in zip(c.team_id, c.rep_id, strict=True)
            if teams is None or t in teams
        ]
    # plain strings (no engine's column types): every engine takes the table as it is
    return pd.DataFrame(
        {"team_id": pd.Series([t for t, _ in pairs], dtype=object),
         "rep_id": pd.Series([r for _, r in pairs], dtype=object)}
    )  # fmt: skip


def split_levels(table: pa.Table, levels: tuple[By, ...]) -> dict[By, pd.DataFrame]:
    """The rows of a several-level result, one frame per level, each with its own key column
    (rep_id, team_id or org) in place of `_key`. Split before they become frames, so that a
    large result is never held as a frame twice."""
    parts = pc.split_pattern(table["_key"], SEP, max_splits=1)
    level, key = pc.list_element(parts, 0), pc.list_element(parts, 1)
    rest = table.drop_columns(["_key"]).add_column(0, "_id", key)
    out = {}
    for by in levels:
        mine = pc.equal(level, by.value).to_numpy(zero_copy_only=False)
        rows = mine.nonzero()[0]
        if len(rows) and rows[-1] - rows[0] + 1 == len(rows):  # ordered by key: one slice
            part = rest.slice(int(rows[0]), len(rows))  # (no copy)
        else:
            part = rest.filter(pa.array(mine))
        name = KEY_COLUMNS[by]
        out[by] = part.rename_columns([name, *part.column_names[1:]]).to_pandas()
    return out


def owned_distinct(
    t: ir.Table,
    everyone: ir.Table,
    value: Callable[[ir.Table], ir.Value],
    name: str,
    groups: list[str],
    keyed: Callable[[ir.Table], ir.Table],
    keyed_counts: ir.Table,
) -> ir.Table:
    """A group's count of distinct values that usually belong to one rep (accounts).

    A value only ever seen by one rep counts for each group of that rep once per period, like
    any count: those come from the reps' own distinct counts (`keyed_counts`, keyed to the
    groups and summed). Values ever seen by several reps (in `everyone`, the fact's rows at
    any time: a value shared at another time is no harm) are the few that need the
    rows: they are taken out of the reps' sums and counted once per group from the
    (rep, period, value) rows. Both sets of values are disjoint, so the group's count is
    exact: sum(rep counts) - sum(rep counts of shared values) + group count of shared values.
    """
    per_rep = ["rep_id", *groups[1:]]
    v = t.select(*per_rep, _v=value(t))
    v = v.filter(v._v.notnull())
    e = everyone.select("rep_id", _v=value(everyone)).distinct()
    owners = e.group_by("_v").aggregate(_reps=e.count())
    shared = owners.filter(owners._reps > 1).select("_v")
    triples = v.semi_join(shared, "_v").distinct()
    own = keyed_counts.group_by(groups).aggregate(_n=keyed_counts[name].sum().cast("float64"))
    rep_shared = triples.group_by(per_rep).aggregate(_s=triples.count())
    ks = keyed(rep_shared)
    minus = ks.group_by(groups).aggregate(_n=(-ks._s.sum()).cast("float64"))
    kt = keyed(triples)
    plus = kt.group_by(groups).aggregate(_n=kt._v.nunique().cast("float64"))
    both = ibis.union(own, minus, plus)
    return both.group_by(groups).aggregate(**{name: both._n.sum()})
