"""Facts: the canonical tables seen at one moment of their rows' life.

Activities when they happened, deals when they closed or were created, surveys when answered,
leads when created. Some facts are built from a join (leads with their first activity, won
deals with their account's history); a few follow a row over a span of time (a customer from
its first won deal until it churned) and take part in every period they overlap.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import ibis
import ibis.expr.types as ir

from salesperf.fx import Tables, converted_sums
from salesperf.schema import DealStatus
from salesperf.store import rollups

#: A fact row's count of rows it stands for: 1 for a row of its table, more for a roll-up's.
_N = "_n"
_ONE = ibis.literal(1, "int64")


@dataclass(frozen=True)
class Rolled:
    """A roll-up (see `salesperf.store.rollups`) that can stand in for a fact's rows, for the
    measures that read only its `columns`: its rows carry those columns, `rep_id` and the local
    `day` (in place of the fact's time), with `_n` (and for deals `_n_amount`) counting the
    rows each stands for. `builder` makes them from the roll-up table (a type or a stage pair
    narrows them; deal amounts are converted); None when it cannot stand in for that one.
    `owners`: a roll-up holding every (rep, value) pair of the fact's owned distinct values
    (`Measure.owned`: accounts), perhaps a few more, read in place of the fact's rows to find
    the values several reps share (see `salesperf.metrics.levels.owned_distinct`)."""

    table: str
    columns: frozenset[str]
    builder: Callable[[Tables, ir.Table, str | None], ir.Table | None]
    owners: str | None = None

    def rows(self, con: Tables, param: str | None = None) -> ir.Table | None:
        """The roll-up's rows as the fact's (None: not for this parameter)."""
        return self.builder(con, con.table(self.table), param)


@dataclass(frozen=True)
class Fact:
    """A table and the timestamp that places its rows in a period.

    `builder` makes the fact's rows from the tables when they come from a join (default: the
    table itself); deals come with their amounts in the organisation's currency (see
    `salesperf.fx`). `stamps` are other timestamps the measures need in local time, as
    (alias, column); with `observed` they are seen from the end of the query's range, so a
    later one is null (not yet happened). With `until`, a row lives from `time` to `until`
    (null: still alive) and belongs to every period it overlaps, whose bounds the measures see
    as `_from` and `_to` (local time). `instants` are timestamps the measures need as moments
    (UTC) for durations, as (alias, column): a date-only value is the moment its day begins.
    `weights` are columns added to each row of a fact that has roll-ups, counts of what it
    stands for (`_n`: 1); a `rolled` roll-up carries them summed, and can stand in for the rows
    (see `Rolled`).
    """

    name: str
    table: str
    time: str
    where: Callable[[ir.Table], ir.BooleanValue] | None = None
    builder: Callable[[Tables], ir.Table] | None = None
    stamps: tuple[tuple[str, str], ...] = ()
    instants: tuple[tuple[str, str], ...] = ()
    observed: bool = False
    until: str | None = None
    with_param: Callable[[Tables, str], ir.Table] | None = None
    weights: tuple[tuple[str, Callable[[ir.Table], ir.Value]], ...] = ()
    rolled: tuple[Rolled, ...] = ()

    def rows(self, con: Tables, param: str | None = None) -> ir.Table:
        """The fact's rows, before any period or grouping.

        `param` narrows them: an activity type for activities (`activities:demo`), or what the
        fact's `with_param` builder takes (a stage pair for stage conversion).
        """
        if self.with_param is not None:
            if param is None:
                raise ValueError(f"the {self.name} rows need a parameter")
            t = self.with_param(con, param)
        else:
            t = self.builder(con) if self.builder is not None else con.table(self.table)
            if param is not None:
                t = t.filter(t.type == param)
        t = t.filter(self.where(t)) if self.where is not None else t
        return t.mutate(**{name: w(t) for name, w in self.weights}) if self.weights else t


_WON = DealStatus.WON.value
CLOSED = (DealStatus.WON.value, DealStatus.LOST.value)


def _won_deals(con: Tables, amounts: bool = True) -> ir.Table:
    """Won deals; without `amounts`, as stored (no conversion for facts that count deals)."""
    d = con.table("deals") if amounts else con.stored("deals")
    return d.filter((d.status == _WON) & d.closed_at.notnull())


def created_deals(con: Tables) -> ir.Table:
    """Deals when created, with their amount at the rate of the created date."""
    d = con.table("deals")
    return d.mutate(amount=d.amount_created)


def first_wins(con: Tables) -> ir.Table:
    """Each account's first won deal (ties: the lowest deal id), with the account's churn."""
    w = _won_deals(con, amounts=False)
    w = w.filter(w.account_id.notnull())
    w = w.mutate(
        _rank=ibis.row_number().over(group_by=w.account_id, order_by=[w.closed_at, w.deal_id])
    )
    first = w.filter(w._rank == 0).drop("_rank")
    acc = con.table("accounts").select(_aid="account_id", churned_at="churned_at")
    return first.left_join(acc, first.account_id == acc._aid).drop("_aid")


def leads_with_wins(con: Tables) -> ir.Table:
    """Leads with `won_at`, when their deal (leads.deal_id) was won (null: not won)."""
    leads = con.table("leads")
    won = _won_deals(con, amounts=False).select(_did="deal_id", won_at="closed_at")
    return leads.left_join(won, leads.deal_id == won._did).drop("_did")


def leads_with_first_touch(con: Tables) -> ir.Table:
    """Leads with `first_touch_at`, their first activity; leads never touched are left out."""
    leads = con.table("leads")
    a = con.table("activities")
    a = a.filter(a.lead_id.notnull())
    first = a.group_by(_lid=a.lead_id).aggregate(first_touch_at=a.occurred_at.min())
    return leads.join(first, leads.lead_id == first._lid).drop("_lid")


def won_deals_with_touches(con: Tables) -> ir.Table:
    """Won deals with `touches`, the count of activities linked to them over their life."""
    won = _won_deals(con, amounts=False)
    a = con.table("activities")
    a = a.filter(a.deal_id.notnull())
    n = a.group_by(_did=a.deal_id).aggregate(touches=a.count())
    t = won.left_join(n, won.deal_id == n._did).drop("_did")
    return t.mutate(touches=t.touches.fill_null(0))


def won_deals_with_history(con: Tables) -> ir.Table:
    """Won deals with `existing_customer`: was the account a customer when the deal was created?

    It was when one of its won deals closed before this deal's creation (its first win did) and
    it had not churned on or before that moment.
    """
    won = _won_deals(con)
    known = won.filter(won.account_id.notnull())
    firsts = known.group_by(_aid=known.account_id).aggregate(first_won_at=known.closed_at.min())
    t = won.left_join(firsts, won.account_id == firsts._aid).drop("_aid")
    acc = con.table("accounts").select(_acc="account_id", churned_at="churned_at")
    t = t.left_join(acc, t.account_id == acc._acc).drop("_acc")
    existing = (t.first_won_at < t.created_at) & (
        t.churned_at.isnull() | (t.churned_at > t.created_at)
    )
    return t.mutate(existing_customer=existing.fill_null(False))


def closed_deals_by_type(con: Tables) -> ir.Table:
    """Closed deals, once per activity type linked to them (deals without activity drop out)."""
    d = con.stored("deals")
    d = d.filter(d.status.isin(CLOSED))
    a = con.table("activities")
    a = a.filter(a.deal_id.notnull())
    types = a.select(_did=a.deal_id, type=a.type).distinct()
    return d.join(types, d.deal_id == types._did).drop("_did")


def stage_entries(con: Tables, pair: str) -> ir.Table:
    """Deals when they first entered stage A, with `_then` = 1 when they later entered stage B.

    `pair` is "A>B". The deal's owner is its rep; "later" means on or after entering A.
    """
    a_stage, b_stage = pair.split(">", 1)
    st = con.table("deal_stages")
    a = st.filter(st.stage == a_stage).group_by("deal_id").aggregate(entered_at=st.entered_at.min())
    b = (
        st.filter(st.stage == b_stage)
        .group_by(_bid=st.deal_id)
        .aggregate(_b_at=st.entered_at.max())
    )
    deals = con.stored("deals").select(
        _did="deal_id", rep_id="rep_id", kind="kind", source="source", account_id="account_id"
    )
    t = a.join(deals, a.deal_id == deals._did).drop("_did")
    t = t.left_join(b, t.deal_id == b._bid).drop("_bid")
    return t.mutate(_then=ibis.ifelse(t._b_at >= t.entered_at, 1, 0)).drop("_b_at")


def _typed(con: Tables, t: ir.Table, param: str | None) -> ir.Table:
    """A roll-up of activities, narrowed to one type when asked."""
    return t if param is None else t.filter(t.type == param)


def _deal_event(event: str) -> Callable[[Tables, ir.Table, str | None], ir.Table]:
    """The deals roll-up's rows of one event, amounts converted as `Tables.table("deals")`."""

    def rows(con: Tables, t: ir.Table, param: str | None) -> ir.Table:
        t = t.filter(t.event == event)
        return converted_sums(con.con, t, con.currency, con.to, con.foreign)

    return rows


def _stage_pair(con: Tables, t: ir.Table, pair: str | None) -> ir.Table | None:
    """The stage roll-up's rows of one pair "A>B": first entries of A (`_n`) and those that B
    followed (`_then`)."""
    if pair is None or ">" not in pair:
        return None
    a_stage, b_stage = pair.split(">", 1)
    if a_stage == b_stage:  # a stage followed by itself is not kept
        return None
    return t.filter((t.stage == a_stage) & (t.next_stage.isnull() | (t.next_stage == b_stage)))


_ACTIVITY_ROLLUPS = (
    Rolled(
        rollups.ACTIVITIES,
        frozenset({"type", "outcome", "duration_min", _N, "_n_duration"}),
        _typed,
    ),
    Rolled(rollups.ACCOUNTS, frozenset({"type", "account_id"}), _typed, rollups.ACCOUNT_REPS),
)
_WEIGHTS: tuple[tuple[str, Callable[[ir.Table], ir.Value]], ...] = ((_N, lambda t: _ONE),)
_DEAL_WEIGHTS: tuple[tuple[str, Callable[[ir.Table], ir.Value]], ...] = (
    (_N, lambda t: _ONE),
    ("_n_amount", lambda t: ibis.ifelse(t.amount.notnull(), _ONE, 0)),
)
_DEAL_COLUMNS = frozenset({"status", "kind", "source", "currency", "amount", _N, "_n_amount"})

FACTS = {
    f.name: f
    for f in (
        Fact("activity", "activities", "occurred_at", weights=_WEIGHTS, rolled=_ACTIVITY_ROLLUPS),
        Fact(
            "deal_closed",
            "deals",
            "closed_at",
            lambda t: t.status.isin(CLOSED),
            stamps=(("_created_local", "created_at"),),
            weights=_DEAL_WEIGHTS,
            rolled=(Rolled(rollups.DEALS, _DEAL_COLUMNS, _deal_event("closed")),),
        ),
        Fact(
            "deal_created",
            "deals",
            "created_at",
            builder=created_deals,
            weights=_DEAL_WEIGHTS,
            rolled=(Rolled(rollups.DEALS, _DEAL_COLUMNS, _deal_event("created")),),
        ),
        Fact("survey", "surveys", "responded_at"),
        Fact("lead", "leads", "created_at"),
        # an account when its first deal was won (acquired)
        Fact("first_win", "deals", "closed_at", builder=first_wins),
        # an account from its first won deal until it churned (a customer)
        Fact("customer", "deals", "closed_at", builder=first_wins, until="churned_at"),
        # leads when created, with their deal's win as seen at the end of the range (cohort)
        Fact(
            "lead_won",
            "leads",
            "created_at",
            builder=leads_with_wins,
            stamps=(("_won_local", "won_at"),),
            observed=True,
        ),
        Fact(
            "lead_touched",
            "leads",
            "created_at",
            builder=leads_with_first_touch,
            instants=(("_created_at", "created_at"), ("_touch_at", "first_touch_at")),
        ),
        Fact("deal_won_touches", "deals", "closed_at", builder=won_deals_with_touches),
        Fact("deal_won_history", "deals", "closed_at", builder=won_deals_with_history),
        Fact("deal_closed_typed", "deals", "closed_at", builder=closed_deals_by_type),
        # deals when they first entered a stage, and whether they later entered the next one
        Fact(
            "stage_entry",
            "deal_stages",
            "entered_at",
            with_param=stage_entries,
            weights=_WEIGHTS,
            rolled=(
                Rolled(rollups.STAGES, frozenset({"kind", "source", _N, "_then"}), _stage_pair),
            ),
        ),
    )
}
