"""Targets at every grain: the one rule by which a scope and period gets its target.

A target row belongs to a scope (rep, team, organisation), a metric and a period. For a period
`P` of a query, the target of a scope is, in this order:

1. The rows set for exactly `P` (summed, should there be several).
2. For an additive metric (`ADDITIVE`) only: the rows of other periods that overlap `P`. A row
   inside `P` counts whole (months to quarters and years), a row reaching beyond `P` with its
   share of working days (Monday to Friday; a week under a monthly target, a month under a
   quarterly one). Of rows nested in one another the coarsest inside `P` counts (quarters, not
   also their months), and of rows reaching beyond `P` the finest (a week takes the share of
   its month's target, not also of the quarter's). A ratio metric (win_rate, csat, ...) only
   ever has the target of its own period.
3. A team with no target of its own from 1 or 2 takes an organisation target that names it
   (its scope id is the team's id: the team that is the whole organisation); else the sum of
   its members' targets: each sub-team's (its own, else its members') and each of its reps'.
4. The organisation's own target (scope `org`, whatever its scope id) from 1 or 2; else the sum
   of the targets of the teams at the top of the tree (as in 3) and of reps in no known team.

Every step is one Ibis expression over the targets table, so it runs on every engine; the
team tree (small) is walked here in Python, as `levels.team_closure` does. Where the target is
not the own one of the period, a basis code says how it came about (`BASIS`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import NamedTuple

import ibis
import ibis.expr.types as ir
import pandas as pd
from ibis.backends import BaseBackend

from salesperf.metrics.levels import ORG_ID, SEP, level_key
from salesperf.metrics.periods import Grain
from salesperf.metrics.query import By, Query, bucket_end, buckets
from salesperf.metrics.registry import split_name

#: Metrics whose targets add up over time and over people: summed from shorter periods and from
#: members, spread to shorter periods by working days (a typed `activities:demo` too).
ADDITIVE = (
    "revenue_won",
    "deals_won",
    "deals_created",
    "pipeline_created",
    "activities",
    "customers_acquired",
    "referral_leads",
)


class Basis(NamedTuple):
    """How a target that is not the period's own came about, in English and Dutch."""

    code: str
    en: str
    nl: str


_SPREAD = ("a share of a longer period's target, by working days",
           "een deel van het doel van een langere periode, naar werkdagen")  # fmt: skip
_SUMMED = ("the sum of the targets of the shorter periods in it",
           "de som van de doelen van de kortere periodes erin")  # fmt: skip
_MEMBERS = ("the sum of its members' targets", "de som van de doelen van de leden")
#: Every basis code a target can carry (a target set for exactly the period has none).
BASIS: dict[str, Basis] = {
    "spread": Basis("spread", *_SPREAD),
    "summed": Basis("summed", *_SUMMED),
    "members": Basis("members", *_MEMBERS),
    "members_spread": Basis(
        "members_spread", f"{_MEMBERS[0]}, each {_SPREAD[0]}", f"{_MEMBERS[1]}, elk {_SPREAD[1]}"
    ),
    "members_summed": Basis(
        "members_summed", f"{_MEMBERS[0]}, each {_SUMMED[0]}", f"{_MEMBERS[1]}, elk {_SUMMED[1]}"
    ),
}


def additive(name: str) -> bool:
    """Whether targets of the metric `name` (`activities:demo` too) are summed and spread."""
    return split_name(name)[0] in ADDITIVE


def basis_json(code: object) -> dict[str, str] | None:
    """How a target came about, for the API: its code and sentence in both languages (None
    for a target set for exactly the period, or no target)."""
    if not isinstance(code, str) or code not in BASIS:
        return None
    b = BASIS[code]
    return {"code": b.code, "en": b.en, "nl": b.nl}


def working_days(a: ir.DateValue, last: ir.DateValue) -> ir.IntegerValue:
    """Monday-to-Friday days from `a` to `last`, both included (0 when `last` < `a`), in plain
    arithmetic every engine runs alike: five a full week, then the rest of the days."""
    n = ibis.greatest(last.delta(a, unit="day") + 1, 0)
    dow = a.day_of_week.index()  # Monday 0
    rest = n % 7
    head = ibis.greatest(ibis.least(dow + rest, 5) - dow, 0)
    wrap = ibis.greatest(dow + rest - 7, 0)
    return (n // 7) * 5 + head + wrap


def _periods(q: Query) -> ir.Table:
    """The query's periods: first and last day."""
    starts = buckets(q)
    df = pd.DataFrame(
        {"_p": starts, "_last": [bucket_end(b, q) - timedelta(days=1) for b in starts]}
    )
    return ibis.memtable(df).mutate(
        _p=lambda x: x._p.cast("date"), _last=lambda x: x._last.cast("date")
    )


#: Each team's parent and each rep's team (see `team_tree`).
Tree = tuple[dict[str, str | None], dict[str, str | None]]


def team_tree(con: BaseBackend) -> Tree:
    """Each team's parent (None at the top, or for an unknown parent) and each rep's team
    (None when the team is unknown)."""
    teams = con.table("teams").select("team_id", "parent_team_id").to_pandas()
    reps = con.table("reps").select("rep_id", "team_id").to_pandas()
    ids = {str(t) for t in teams.team_id}
    parent = {str(t): (p if isinstance(p, str) and p in ids else None)
              for t, p in zip(teams.team_id, teams.parent_team_id, strict=True)}  # fmt: skip
    team = {str(r): (t if isinstance(t, str) and t in ids else None)
            for r, t in zip(reps.rep_id, reps.team_id, strict=True)}  # fmt: skip
    return parent, team


def _ancestry(parent: dict[str, str | None], team: dict[str, str | None]) -> dict[str, list[str]]:
    """Each node (level keys: reps, teams, the organisation) with the nodes above it, nearest
    first, up to the organisation."""
    org = level_key(By.ORG, ORG_ID)
    up: dict[str, list[str]] = {org: []}

    def teams_above(t: str | None) -> list[str]:
        out, seen = [], set()
        while t is not None and t not in seen:  # a cycle in bad data stops here
            seen.add(t)
            out.append(level_key(By.TEAM, t))
            t = parent.get(t)
        return out

    for t in parent:
        up[level_key(By.TEAM, t)] = [*teams_above(t)[1:], org]
    for r, home in team.items():
        up[level_key(By.REP, r)] = [*teams_above(home), org]
    return up


def _reach(
    up: dict[str, list[str]], wanted: Iterable[tuple[str, str]]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """For each wanted node (internal key, output key): the nodes whose targets may make up its
    own (itself and everything below it), and for each such pair the nodes in between (the
    wanted node included), any of which having a target takes the pair's place."""
    out = dict(wanted)
    reach: list[tuple[str, str, str]] = []
    between: list[tuple[str, str, str]] = []
    for node, above in up.items():
        chain = [node, *above]
        for i, anc in enumerate(chain):
            if anc in out:
                reach.append((out[anc], anc, node))
                between += [(anc, node, mid) for mid in chain[1 : i + 1]]
    r = pd.DataFrame(reach, columns=["_tk", "_anc", "_node"], dtype=object)
    b = pd.DataFrame(between, columns=["_anc", "_node", "_mid"], dtype=object)
    return r, b


def _wanted(
    q: Query, levels: tuple[By, ...] | None, up: dict[str, list[str]]
) -> list[tuple[str, str]]:
    """The nodes a query's rows are keyed by: (internal key, the key of the query's rows)."""
    bys = levels if levels is not None else (q.by,)
    out = []
    for node in up:
        level, _, ident = node.partition(SEP)
        by = By(level)
        if by not in bys:
            continue
        if by is By.TEAM and q.teams is not None and ident not in q.teams:
            continue
        out.append((node, node if levels is not None else (ident if by is not By.ORG else "org")))
    return out


def _rows(con: BaseBackend, names: list[str], teams: Iterable[str]) -> ir.Table:
    """The target rows of `names`, each at its node (level key) with a rank: an organisation
    row also stands, one rank lower, for the team it names."""
    t = con.table("targets")
    t = t.filter(t.metric.isin(names))
    org = ibis.literal(level_key(By.ORG, ORG_ID))
    own = t.mutate(
        _node=ibis.ifelse(t.scope == By.ORG.value, org, t.scope.concat(SEP, t.scope_id)),
        _rank=ibis.literal(0),
    )
    known = sorted(teams)
    named = t.filter((t.scope == By.ORG.value) & t.scope_id.isin(known or [""]))
    named = named.mutate(_node=ibis.literal(By.TEAM.value + SEP).concat(named.scope_id),
                         _rank=ibis.literal(1))  # fmt: skip
    cols = ["_node", "_rank", "metric", "period_start", "period_end", "value"]
    return ibis.union(own.select(*cols), named.select(*cols))


def _per_node(rows: ir.Table, periods: ir.Table, names: list[str]) -> ir.Table:
    """Steps 1 and 2: each node's target per metric and period, with whether any part of it is
    a share (`_spread`) or a shorter period's (`_summed`)."""
    o = rows.join(periods, [rows.period_start <= periods._last, rows.period_end >= periods._p])
    inside = (o.period_start >= o._p) & (o.period_end <= o._last)
    own = (o.period_start == o._p) & (o.period_end == o._last)
    spread_ok = [n for n in names if additive(n)]
    o = o.mutate(_in=ibis.ifelse(inside, 1, 0), _own=ibis.ifelse(own, 1, 0))  # (no bool casts)
    o = o.filter((o._own == 1) | o.metric.isin(spread_ok or [""]))
    s = o.view()
    same = [o._node == s._node, o._rank == s._rank, o.metric == s.metric, o._p == s._p]
    other = (s.period_start != o.period_start) | (s.period_end != o.period_end)
    s_in_o = (o.period_start <= s.period_start) & (s.period_end <= o.period_end) & other
    o_in_s = (s.period_start <= o.period_start) & (o.period_end <= s.period_end) & other
    drop = (
        ((s._own == 1) & (o._own == 0))  # the period's own target wins
        | ((o._in == 1) & (s._in == 1) & o_in_s)  # months inside a quarter inside the year
        | ((o._in == 0) & s_in_o)  # the quarter around a month that also reaches the week
    )
    # the rows some other row displaces, found by an inner join (a hash join on the same keys,
    # `drop` checked on its matches) and then taken out by those keys alone: an anti-join on
    # `drop` itself is a nested loop on some engines (DuckDB), seconds at weekly grain. A row's
    # fate depends only on these keys, so rows equal in them go together, as before.
    keys = ["_node", "_rank", "metric", "_p", "period_start", "period_end"]
    hit = o.join(s, [*same, drop])
    dropped = hit.select(*(o[k] for k in keys)).distinct()
    kept = o.anti_join(dropped, [o[k] == dropped[k] for k in keys])
    whole = working_days(kept.period_start, kept.period_end)
    lo = ibis.greatest(kept.period_start, kept._p)
    hi = ibis.least(kept.period_end, kept._last)
    days = (kept.period_end.delta(kept.period_start, unit="day") + 1).cast("float64")
    part = (hi.delta(lo, unit="day") + 1).cast("float64")
    share = ibis.ifelse(
        whole > 0,
        working_days(lo, hi).cast("float64") / whole.cast("float64").nullif(0),
        part / days,  # a target set for weekend days only: its share of the days
    )
    kept = kept.mutate(
        _v=ibis.ifelse(kept._in == 1, kept.value.cast("float64"), kept.value * share)
    )
    g = kept.group_by(["_node", "_rank", "metric", "_p"]).aggregate(
        _v=kept._v.sum(),
        _spread=(1 - kept._in).max(),
        _summed=(1 - kept._own).max(),
    )
    best = g.group_by(["_node", "metric", "_p"]).aggregate(_best=g._rank.min())
    g = g.join(best, [g._node == best._node, g.metric == best.metric, g._p == best._p,
                      g._rank == best._best])  # fmt: skip
    return g.select("_node", "metric", "_p", "_v", "_spread", "_summed")


def target_table(
    con: BaseBackend,
    q: Query,
    names: Iterable[str],
    levels: tuple[By, ...] | None = None,
    tree: Tree | None = None,
) -> ir.Table:
    """The targets of a query's rows (see the module's rule): `_tk` (the rows' `_key`), `_p`
    (the period's first day), and per metric `<name>_target` and `<name>_target_basis` (a code
    of `BASIS`, null for a period's own target). `tree`: the team tree, when already read
    (`team_tree`); the expression is then built without running a query."""
    names = list(dict.fromkeys(names))
    parent, team = tree if tree is not None else team_tree(con)
    up = _ancestry(parent, team)
    reach, between = _reach(up, _wanted(q, levels, up))
    node = _per_node(_rows(con, names, parent), _periods(q), names)
    # typed, as they may be empty (an engine refuses a column of no type)
    r = ibis.memtable(reach, schema=dict.fromkeys(reach.columns, "string"))
    b = ibis.memtable(between, schema=dict.fromkeys(between.columns, "string"))
    cand = r.join(node, r._node == node._node).select(
        r._tk, r._anc, r._node, node.metric, node._p, node._v, node._spread, node._summed
    )
    summed = [n for n in names if additive(n)]  # a ratio target is never its members' sum
    cand = cand.filter((cand._anc == cand._node) | cand.metric.isin(summed or [""]))
    blocked = b.join(node, b._mid == node._node).select(b._anc, b._node, node.metric, node._p)
    kept = cand.anti_join(
        blocked,
        [cand._anc == blocked._anc, cand._node == blocked._node,
         cand.metric == blocked.metric, cand._p == blocked._p],
    )  # fmt: skip
    kept = kept.mutate(_members=ibis.ifelse(kept._node != kept._anc, 1, 0))
    g = kept.group_by(["_tk", "metric", "_p"]).aggregate(
        _v=kept._v.sum(), _spread=kept._spread.max(), _summed=kept._summed.max(),
        _members=kept._members.max(),
    )  # fmt: skip
    code = ibis.cases(
        ((g._members == 1) & (g._spread == 1), "members_spread"),
        ((g._members == 1) & (g._summed == 1), "members_summed"),
        (g._members == 1, "members"),
        (g._spread == 1, "spread"),
        (g._summed == 1, "summed"),
        else_=ibis.null("string"),
    )
    g = g.mutate(_basis=code)
    return g.group_by(["_tk", "_p"]).aggregate(
        **{f"{n}_target": g._v.sum(where=g.metric == n) for n in names},
        **{f"{n}_target_basis": g._basis.max(where=g.metric == n) for n in names},
    )


def resolved_targets(
    con: BaseBackend, by: By, metric: str, start: date, end: date
) -> dict[str, tuple[float, str | None]]:
    """The target of every rep, team or the organisation (`by`; the organisation's key is
    "org") for `metric` over the days from `start` to `end` (exclusive), by the module's rule:
    its value and basis code. Scopes with no target are left out."""
    q = Query(metrics=(metric,), start=start, end=end, grain=Grain.ALL, by=by)
    df = target_table(con, q, [metric]).to_pandas()
    out: dict[str, tuple[float, str | None]] = {}
    for k, v, b in zip(df._tk, df[f"{metric}_target"], df[f"{metric}_target_basis"], strict=True):
        if v is not None and v == v:
            out[str(k)] = (float(v), b if isinstance(b, str) else None)
    return out
