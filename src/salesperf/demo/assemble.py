"""The simulated world as the ten canonical Arrow tables, and the record of the patterns planted
in it, both named by the ids the tables use."""

from __future__ import annotations

import datetime as dtm
from collections.abc import Sequence
from typing import Any

import numpy as np
import pyarrow as pa

from salesperf.demo.calendar import DAY, NEVER, month_start
from salesperf.demo.codes import (
    KINDS,
    LOST_REASONS,
    LOST_STAGE,
    OUTCOMES,
    SCOPES,
    SEGMENTS,
    SOURCES,
    STAGES,
    TYPES,
    WON_STAGE,
    Bools,
    Ints,
)
from salesperf.demo.ids import IdKind, rep_labels, team_labels
from salesperf.demo.planted import (
    BUSY_BREAKS_AT,
    DIP_DAYS,
    DIP_FACTOR,
    DRIVER_EFFECT,
    LEAD_SEASON,
    RAMP_WEEKS,
    WIN_SEASON,
    Planted,
)
from salesperf.demo.world import World
from salesperf.schema import LOAD_ORDER, TABLES

ACCOUNT_WORDS = (
    (
        "Delta", "Polder", "Noord", "Zuid", "Oost", "West", "Eiland", "Haven", "Duin", "Molen",
        "Brug", "Kanaal", "Tulp", "Linde", "Eik", "Berk", "Ster", "Zon", "Maan", "Wind",
        "Alpen", "Rhein", "Fjord", "Nord", "Thames", "Baltic", "Atlas", "Orion", "Vega", "Lyra",
        "Kraan", "Anker", "Vonk", "Golf", "Stroom", "Bron", "Kern", "Punt", "Lijn", "Vorm",
    ),
    (
        "Logistics", "Bouw", "Media", "Foods", "Energy", "Health", "Retail", "Finance", "Tech",
        "Systems", "Labs", "Works", "Group", "Holding", "Partners", "Solutions", "Industries",
        "Design", "Consulting", "Transport", "Textiles", "Pharma", "Robotics", "Software",
        "Capital", "Estates", "Travel", "Hospitality", "Education", "Legal", "Insurance",
        "Agri", "Marine", "Aviation", "Chemicals", "Packaging", "Furniture", "Fashion",
        "Sports", "Games",
    ),
    (
        "B.V.", "GmbH", "AB", "Ltd", "N.V.", "AG", "A/S", "Oy", "& Co", "Nederland",
        "Europe", "International", "Benelux", "Deutschland", "Nordic", "UK", "Amsterdam",
        "Rotterdam", "Hamburg", "Stockholm",
    ),
)  # fmt: skip


def planted(w: World) -> Planted:
    """Where the patterns were planted in `w`, named by the ids the tables use."""
    org, cal, p = w.org, w.cal, w.profile
    rep_ids = rep_labels(len(org.start_day))
    team_ids = team_labels(len(org.team_names))
    day = cal.start + dtm.timedelta(days=w.dip_start)
    return Planted(
        busy_not_effective=tuple(rep_ids[i] for i in org.busy),
        busy_breaks_at=BUSY_BREAKS_AT,
        efficient=tuple(rep_ids[i] for i in org.efficient),
        under_target_team=team_ids[org.under_team],
        under_target_missed=tuple(_month_date(3 * q) for q in w.under_missed),
        new_hire=rep_ids[org.new_hire],
        new_hire_start=cal.start + dtm.timedelta(days=int(org.start_day[org.new_hire])),
        ramp_weeks=RAMP_WEEKS,
        leavers=tuple(rep_ids[i] for i in org.leavers),
        hires=tuple(rep_ids[i] for i in org.hires),
        driver_type=p.driver_type,
        driver_lag_weeks=p.driver_lag_weeks,
        driver_effect=DRIVER_EFFECT,
        activity_dip=(day, day + dtm.timedelta(days=DIP_DAYS - 1)),
        activity_dip_team=team_ids[0],
        activity_dip_factor=DIP_FACTOR,
        revenue_dip_lag_weeks=p.driver_lag_weeks,
        seasonality=p.seasonality,
        lead_season=LEAD_SEASON,
        win_season=WIN_SEASON,
    )


def _month_date(key: int) -> dtm.date:
    """The first day of a running month number (year * 12 + month - 1)."""
    return dtm.date(key // 12, key % 12 + 1, 1)


def _take(values: pa.Array | Sequence[str], index: Ints) -> pa.Array:
    """values[index], null where index < 0."""
    arr = values if isinstance(values, pa.Array) else pa.array(list(values), pa.string())
    idx = index.astype(np.int32)
    invalid = idx < 0
    if not invalid.any():
        return arr.take(pa.array(idx))
    idx[invalid] = 0
    return arr.take(pa.array(idx, mask=invalid))


def _table(name: str, columns: dict[str, Any]) -> pa.Table:
    """A canonical table, in record batches of DuckDB's row-group size: one large chunk is read
    by one thread, and batches of exactly a row group are compressed and written as they come
    in rather than at the next checkpoint."""
    assert tuple(columns) == TABLES[name].column_names, name
    table = pa.table(columns)
    return pa.Table.from_batches(table.to_batches(max_chunksize=_ROW_GROUP), table.schema)


_ROW_GROUP = 122_880


def _empty(name: str) -> dict[str, Any]:
    """A canonical table the generated organisation leaves empty."""
    return {c.name: pa.array([], c.kind.dtype.to_pyarrow()) for c in TABLES[name].columns}


class Assembly:
    """Turns a generated world into the canonical Arrow tables."""

    def __init__(self, world: World) -> None:
        self.w = world
        self.cal = world.cal
        org = world.org
        self.rep_ids = pa.array(rep_labels(len(org.start_day)), pa.string())
        self.team_ids = pa.array(team_labels(len(org.team_names)), pa.string())
        self.account = IdKind.of("A", world.accounts.n, 7)
        self.lead = IdKind.of("L", len(world.leads.rep), 7)
        self.deal = IdKind.of("D", len(world.deals.owner), 6)

    def ts(self, t: Ints, valid: Bools | None = None) -> pa.Array:
        """Local minutes as naive UTC timestamps, null where not valid."""
        cal = self.cal
        local = t.astype(np.int64) + cal.epoch_day * DAY
        utc = (local - cal.offset(t // DAY)) * 60_000_000
        mask = None if valid is None or valid.all() else ~valid
        return pa.array(utc, pa.timestamp("us"), mask=mask)

    def date(self, day: Ints, valid: Bools | None = None) -> pa.Array:
        """Day numbers as dates, null where not valid."""
        mask = None if valid is None or valid.all() else ~valid
        return pa.array((day + self.cal.epoch_day).astype(np.int32), pa.date32(), mask=mask)

    def tables(self) -> dict[str, pa.Table]:
        """Every canonical table, in load order."""
        build = {
            "teams": self.teams,
            "reps": self.reps,
            "accounts": self.accounts,
            "leads": self.leads,
            "deals": self.deals,
            "deal_stages": self.deal_stages,
            "activities": self.activities,
            "targets": self.targets,
            "surveys": self.surveys,
            "absences": self.absences,
            "rep_aliases": self.rep_aliases,
            "fx_rates": self.fx_rates,
        }
        return {name: _table(name, build[name]()) for name in LOAD_ORDER}

    def teams(self) -> dict[str, Any]:
        """The team tree."""
        org = self.w.org
        return {
            "team_id": self.team_ids,
            "name": pa.array(org.team_names, pa.string()),
            "parent_team_id": _take(self.team_ids, np.array(org.team_parent)),
            "manager_rep_id": _take(self.rep_ids, np.array(org.team_manager)),
        }

    def reps(self) -> dict[str, Any]:
        """The people, with their roles and employment dates."""
        org = self.w.org
        left = org.end_day < NEVER
        return {
            "rep_id": self.rep_ids,
            "name": pa.array(org.names, pa.string()),
            "email": pa.array(org.emails, pa.string()),
            "team_id": _take(self.team_ids, org.rep_team),
            "role": _take(("rep", "manager"), org.manager.astype(np.int64)),
            "start_date": self.date(org.start_day),
            "end_date": self.date(np.where(left, org.end_day, 0), left),
        }

    def rep_aliases(self) -> dict[str, Any]:
        """Each rep's e-mail address, as a CRM export names its owners."""
        return {
            "alias": pa.array(self.w.org.emails, pa.string()),
            "rep_id": self.rep_ids,
            "source": pa.array(["crm"] * len(self.w.org.emails), pa.string()),
        }

    def fx_rates(self) -> dict[str, Any]:
        """None: the demo organisation sells in its own currency."""
        return _empty("fx_rates")

    def accounts(self) -> dict[str, Any]:
        """Customers and prospects, with segment, creation and churn."""
        w = self.w
        n = w.accounts.n
        a = np.arange(n)
        first, second, third = ACCOUNT_WORDS
        names = pa.array([f"{x} {y} {z}" for x in first for y in second for z in third])
        pick = (a * 7919) % len(names)  # every combination once before any repeats
        churned = w.customers.churned >= 0
        return {
            "account_id": self.account.all(w.accounts.n),
            "name": _take(names, pick),
            "segment": _take(SEGMENTS, w.accounts.segment),
            "created_at": self.ts(w.customers.created),
            "churned_at": self.ts(np.maximum(w.customers.churned, 0), churned),
        }

    def leads(self) -> dict[str, Any]:
        """Leads with source, owner, account, qualification and deal."""
        le = self.w.leads
        qualified = le.qualified >= 0
        return {
            "lead_id": self.lead.all(len(le.rep)),
            "created_at": self.ts(le.created),
            "source": _take(SOURCES, le.source),
            "rep_id": _take(self.rep_ids, le.rep),
            "account_id": self.account.at(le.account),
            "qualified_at": self.ts(np.maximum(le.qualified, 0), qualified),
            "deal_id": self.deal.at(le.deal),
        }

    def deals(self) -> dict[str, Any]:
        """Deals with owner at close, status, amount, stage, kind and source."""
        d, end_t = self.w.deals, self.cal.end_t
        n = len(d.owner)
        status = np.where(d.closed, np.where(d.won, 2, 1), 0)  # open, lost, won
        entered = (np.arange(len(STAGES))[None, :] <= d.stop[:, None]) & (d.times[:, :5] < end_t)
        entered &= d.times[:, :5] >= 0
        current = len(STAGES) - 1 - np.argmax(entered[:, ::-1], axis=1)
        stage = np.where(d.closed, np.where(d.won, len(STAGES), len(STAGES) + 1), current)
        lost = d.closed & ~d.won
        return {
            "deal_id": self.deal.all(n),
            "rep_id": _take(self.rep_ids, d.closer),
            "created_at": self.ts(d.created),
            "status": _take(("open", "lost", "won"), status),
            "amount": pa.array(d.amount, pa.float64()),
            "currency": pa.nulls(n, pa.string()),
            "closed_at": self.ts(np.where(d.closed, d.close, 0), d.closed),
            "account_id": self.account.at(d.account),
            "stage": _take((*STAGES, WON_STAGE, LOST_STAGE), stage),
            "kind": _take(KINDS, d.kind),
            "lost_reason": _take(LOST_REASONS, np.where(lost, self.w.lost_reason, -1)),
            "source": _take(SOURCES, d.source) if n else pa.array([], pa.string()),
        }

    def deal_stages(self) -> dict[str, Any]:
        """Every stage each deal entered, ending in its close."""
        d, end_t = self.w.deals, self.cal.end_t
        k = np.arange(len(STAGES))[None, :]
        entered = (k >= d.first[:, None]) & (k <= d.stop[:, None]) & (d.times[:, :5] < end_t)
        deal, stage = np.nonzero(entered)
        closed = np.flatnonzero(d.closed)
        close_stage = np.where(d.won[closed], len(STAGES), len(STAGES) + 1)
        deal = np.concatenate([deal, closed])
        stage = np.concatenate([stage, close_stage])
        t = np.concatenate(
            [
                d.times[deal[: len(deal) - len(closed)], stage[: len(deal) - len(closed)]],
                d.close[closed],
            ]
        )
        order = np.lexsort((t, deal))
        return {
            "deal_id": self.deal.at(deal[order]),
            "stage": _take((*STAGES, WON_STAGE, LOST_STAGE), stage[order]),
            "entered_at": self.ts(t[order]),
        }

    def activities(self) -> dict[str, Any]:
        """The activities, in time order."""
        a = self.w.acts
        assert a.duration is not None
        return {
            "activity_id": IdKind.of("AC", len(a.t), 9).all(len(a.t)),
            "rep_id": _take(self.rep_ids, a.rep),
            "type": _take(TYPES, a.type),
            "occurred_at": self.ts(a.t),
            "duration_min": pa.array(a.duration, pa.float64()),
            "outcome": _take(OUTCOMES, a.outcome),
            "deal_id": self.deal.at(a.deal),
            "lead_id": self.lead.at(a.lead),
            "account_id": self.account.at(a.account),
        }

    def targets(self) -> dict[str, Any]:
        """Revenue and activity targets per rep, team and org."""
        tg = self.w.targets
        scope = np.concatenate(tg.scope)
        index = np.concatenate(tg.index)
        ids = pa.concat_arrays([self.rep_ids, self.team_ids])
        n_reps = len(self.rep_ids)
        metric = np.repeat(np.arange(len(tg.metric)), tg.counts)
        first = np.concatenate(tg.first_month)
        months = np.repeat(np.array(tg.months), tg.counts)
        start = month_start(first)
        end = month_start(first + months) - 1
        epoch = self.cal.epoch_day
        return {
            "scope": _take(SCOPES, scope),
            "scope_id": _take(ids, np.where(scope == 0, index, n_reps + index)),
            "metric": _take(tg.metric, metric),
            "period_start": self.date(start - epoch),
            "period_end": self.date(end - epoch),
            "value": pa.array(np.concatenate(tg.value), pa.float64()),
        }

    def surveys(self) -> dict[str, Any]:
        """CSAT and NPS responses."""
        w = self.w
        return {
            "response_id": IdKind.of("S", len(w.customers.surveys.t), 7).all(
                len(w.customers.surveys.t)
            ),
            "responded_at": self.ts(w.customers.surveys.t),
            "scale": _take(("csat5", "nps10"), w.customers.surveys.scale),
            "score": pa.array(w.customers.surveys.score, pa.int64()),
            "account_id": self.account.at(w.customers.surveys.account),
            "rep_id": _take(self.rep_ids, w.customers.surveys.rep),
        }

    def absences(self) -> dict[str, Any]:
        """Days each rep was away."""
        rep, day = np.nonzero(self.w.absent)
        return {"rep_id": _take(self.rep_ids, rep), "date": self.date(day)}


def tables(w: World) -> dict[str, pa.Table]:
    """All ten canonical tables of `w`, in load order."""
    return Assembly(w).tables()
