"""The seeded demo organisation, shared by tests, docs and `salesperf demo`.

`generate(DemoConfig(...))` builds a whole sales organisation from one seed: the team tree, reps
who join, ramp up and leave, accounts, leads, deals with their stage history, a year or more of
activities, targets, surveys and absences. Patterns are planted in it on purpose (see `Planted`)
so that the analysis can be checked to find them. The numbers are drawn in `demo_gen`; this
module holds the public API, the three company contexts and the assembly into Arrow tables.
"""

from __future__ import annotations

import datetime as dtm
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from salesperf import demo_gen as g
from salesperf.schema import LOAD_ORDER, TABLES
from salesperf.store import Store

CONTEXTS = ("startup", "consultancy", "agency")
TIMEZONE = g.TIMEZONE
CURRENCY = "EUR"

# What each kind of company sells and how its sales team works. Volumes are set so that the
# default organisation is small and quick, while 500 reps over two years log over 10 million
# activities in the startup and agency contexts (consultants log fewer: about 8.6 million),
# calls and emails being most of them, as in any CRM.
PROFILES: Mapping[str, g.Profile] = {
    "startup": g.Profile(  # SaaS subscriptions: short cycles, annual renewals, demos decide
        company="Nimbus Analytics",
        domain="nimbus-analytics.example",
        segment_mix=(0.55, 0.33, 0.12),
        amount_median=12_000,
        amount_range=(5_000, 50_000),
        amount_step=100,
        stage_days=(4, 6, 8, 9, 8),
        leads_per_day=2.4,
        activities_per_day=34,
        prospect_mix=(
            ("call", 0.40),
            ("email", 0.40),
            ("social", 0.08),
            ("follow_up", 0.05),
            ("meeting", 0.02),
            ("event", 0.01),
            ("other", 0.04),
        ),
        source_mix=(0.34, 0.30, 0.08, 0.07, 0.11, 0.05, 0.05),
        driver_type="demo",
        discovery_type="meeting",
        accounts_per_lead=0.8,
        renewal=(0.95, 320, 350, 0.95, 1.25),
        upsell=(0.25, 60, 300, 0.2, 0.5),
    ),
    "consultancy": g.Profile(  # projects: long cycles, referrals, workshops decide
        company="Veldhuis & Partners",
        domain="veldhuis-partners.example",
        segment_mix=(0.2, 0.5, 0.3),
        amount_median=55_000,
        amount_range=(20_000, 200_000),
        amount_step=500,
        stage_days=(10, 21, 14, 21, 14),
        leads_per_day=0.6,
        activities_per_day=36,
        prospect_mix=(  # networking is logged as events: meetings are deal work here
            ("email", 0.47),
            ("call", 0.28),
            ("social", 0.06),
            ("event", 0.09),
            ("follow_up", 0.05),
            ("other", 0.05),
        ),
        source_mix=(0.18, 0.15, 0.30, 0.15, 0.04, 0.12, 0.06),
        driver_type="meeting",
        discovery_type="call",
        accounts_per_lead=0.9,
        renewal=(0.15, 300, 340, 0.9, 1.1),
        upsell=(0.45, 30, 200, 0.3, 1.0),
    ),
    "agency": g.Profile(  # campaigns and retainers: quick pitches, retainers renew twice a year
        company="Studio Oranje",
        domain="studio-oranje.example",
        segment_mix=(0.5, 0.4, 0.1),
        amount_median=9_000,
        amount_range=(3_000, 30_000),
        amount_step=100,
        stage_days=(3, 5, 4, 7, 5),
        leads_per_day=1.8,
        activities_per_day=39,
        prospect_mix=(
            ("email", 0.40),
            ("call", 0.30),
            ("social", 0.15),
            ("meeting", 0.04),
            ("event", 0.03),
            ("follow_up", 0.03),
            ("other", 0.05),
        ),
        source_mix=(0.30, 0.20, 0.20, 0.08, 0.12, 0.05, 0.05),
        driver_type="demo",
        discovery_type="meeting",
        accounts_per_lead=0.85,
        renewal=(0.6, 150, 200, 0.9, 1.2),
        upsell=(0.2, 30, 120, 0.2, 0.6),
    ),
}


@dataclass(frozen=True)
class DemoConfig:
    """What demo organisation to build: its context, size, history and seed."""

    context: str = "startup"
    reps: int = 24
    years: int = 2
    seed: int = 42
    end: dtm.date = dtm.date(2026, 9, 30)  # the last day of the generated history

    def __post_init__(self) -> None:
        if self.context not in CONTEXTS:
            raise ValueError(
                f"unknown demo context {self.context!r}; choose one of {', '.join(CONTEXTS)}"
            )
        for name, value, lo, hi in (("reps", self.reps, 4, 5000), ("years", self.years, 1, 5)):
            if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
                raise ValueError(f"{name} must be a whole number from {lo} to {hi}, not {value!r}")
        if isinstance(self.seed, bool) or not isinstance(self.seed, int) or self.seed < 0:
            raise ValueError(f"seed must be a whole number of 0 or more, not {self.seed!r}")
        if isinstance(self.end, dtm.datetime) or not isinstance(self.end, dtm.date):
            raise ValueError(f"end must be a date (the last day of history), not {self.end!r}")


@dataclass(frozen=True)
class Planted:
    """The patterns planted in the demo data, so that analysis can be checked to find them."""

    busy_not_effective: tuple[str, ...]  # rep ids: much activity, low conversion
    busy_breaks_at: str  # the pipeline step where their conversion breaks: "demo->proposal"
    efficient: tuple[str, ...]  # rep ids: little activity, high win rate
    under_target_team: str  # team id of the team that misses its revenue quota most quarters
    under_target_missed: tuple[dtm.date, ...]  # first days of the quarters it misses
    new_hire: str  # rep id of the rep hired about three months before the end, ramping up
    new_hire_start: dtm.date
    ramp_weeks: int  # weeks a hire takes to reach full volume and skill
    leavers: tuple[str, ...]  # rep ids of reps who left (no activity after their end date)
    hires: tuple[str, ...]  # rep ids of other reps hired during the history
    driver_type: str  # the activity type whose held volume on a deal raises its win odds
    driver_lag_weeks: int  # weeks from that activity to the close it influences
    driver_effect: float  # logit per held driver activity, on demo->proposal and on the win
    activity_dip: tuple[dtm.date, dtm.date]  # first and last day of the activity dip
    activity_dip_team: str  # the team that dipped (the org root: everyone)
    activity_dip_factor: float  # activity during the dip, as a share of normal
    revenue_dip_lag_weeks: int  # weeks after the activity dip that revenue won dips
    seasonality: str  # the seasonal pattern and how it shows in this context's revenue
    lead_season: tuple[float, ...]  # lead volume multiplier per calendar month (Jan-Dec)
    win_season: tuple[float, ...]  # win logit shift per calendar month of close (Jan-Dec)


@dataclass(frozen=True)
class DemoData:
    """A generated organisation: the ten canonical tables and the patterns planted in them."""

    config: DemoConfig
    tables: dict[str, pa.Table]
    planted: Planted


def generate(config: DemoConfig) -> DemoData:
    """Generate the demo organisation for `config`; the same config gives identical tables."""
    world = g.World(PROFILES[config.context], config.reps, config.years, config.seed, config.end)
    tables = _Assembly(world).tables()
    return DemoData(config=config, tables=tables, planted=_planted(world))


def build_demo(store: Store, config: DemoConfig) -> DemoData:
    """Generate the demo organisation and replace the store's content with it; the time zone
    and currency settings become the demo's (Europe/Amsterdam, EUR)."""
    data = generate(config)
    store.replace_all(data.tables)
    store.set_setting("timezone", TIMEZONE)
    store.set_setting("currency", CURRENCY)
    return data


def _planted(w: g.World) -> Planted:
    org, cal, p = w.org, w.cal, w.profile
    rep_ids = _rep_labels(len(org.start_day))
    team_ids = _team_labels(len(org.team_names))
    day = cal.start + dtm.timedelta(days=w.dip_start)
    return Planted(
        busy_not_effective=tuple(rep_ids[i] for i in org.busy),
        busy_breaks_at=g.BUSY_BREAKS_AT,
        efficient=tuple(rep_ids[i] for i in org.efficient),
        under_target_team=team_ids[org.under_team],
        under_target_missed=tuple(_month_date(3 * q) for q in w.under_missed),
        new_hire=rep_ids[org.new_hire],
        new_hire_start=cal.start + dtm.timedelta(days=int(org.start_day[org.new_hire])),
        ramp_weeks=g.RAMP_WEEKS,
        leavers=tuple(rep_ids[i] for i in org.leavers),
        hires=tuple(rep_ids[i] for i in org.hires),
        driver_type=p.driver_type,
        driver_lag_weeks=p.driver_lag_weeks,
        driver_effect=g.DRIVER_EFFECT,
        activity_dip=(day, day + dtm.timedelta(days=g.DIP_DAYS - 1)),
        activity_dip_team=team_ids[0],
        activity_dip_factor=g.DIP_FACTOR,
        revenue_dip_lag_weeks=p.driver_lag_weeks,
        seasonality=p.seasonality,
        lead_season=g.LEAD_SEASON,
        win_season=g.WIN_SEASON,
    )


# -- assembly into Arrow tables -----------------------------------------------------------
_DIGITS4 = np.frombuffer(b"".join(f"{i:04d}".encode() for i in range(10000)), dtype="<u4")
_DIGITS1 = np.frombuffer(b"0123456789", dtype=np.uint8)


@dataclass(frozen=True)
class _IdKind:
    """How the ids of one table are spelled: a prefix and zero-padded numbers from 1."""

    prefix: str
    width: int

    @classmethod
    def of(cls, prefix: str, count: int, minimum: int) -> _IdKind:
        """Ids for `count` rows, at least `minimum` digits wide."""
        return cls(prefix, max(minimum, len(str(count))))

    def _layout(self) -> np.dtype[np.void]:
        # Packed records: the prefix, single leading digits, then groups of four digits written
        # as one uint32 each (a record needs no alignment).
        layout = [("p", f"S{len(self.prefix)}")]
        layout += [(f"d{j}", "u1") for j in range(self.width % 4)]
        layout += [(f"g{j}", "<u4") for j in range(self.width // 4)]
        return np.dtype(layout)

    def _fill(
        self, rows: npt.NDArray[np.void], numbers: npt.NDArray[np.uint32], shift: int
    ) -> None:
        """Write `numbers` as the digits of `rows`, leaving out the lowest `shift` groups."""
        rest = numbers
        for j in reversed(range(self.width // 4 - shift)):
            rows[f"g{j}"] = _DIGITS4[rest % 10000]
            rest = rest // 10000
        for j in reversed(range(self.width % 4)):
            rows[f"d{j}"] = _DIGITS1[rest % 10]
            rest = rest // 10

    def _array(self, rows: npt.NDArray[np.void], valid: g.Bools | None) -> pa.StringArray:
        n, size = len(rows), len(self.prefix) + self.width
        offsets = pa.py_buffer(np.arange(0, (n + 1) * size, size, dtype=np.int32))
        bitmap = None if valid is None else pa.py_buffer(np.packbits(valid, bitorder="little"))
        data = pa.py_buffer(np.ascontiguousarray(rows).view(np.uint8))
        return pa.StringArray.from_buffers(n, offsets, data, bitmap)

    def all(self, count: int) -> pa.StringArray:
        """The ids of rows 0..count-1 (numbers 1..count).

        In blocks of ten thousand the lowest four digits repeat and the rest is constant, so
        the numbers are written per block rather than per row.
        """
        if self.width < 4:
            return self.at(np.arange(count))
        blocks = (count + 1 + 9999) // 10000
        rows = np.zeros((blocks, 10000), dtype=self._layout())
        rows["p"] = self.prefix.encode()
        rows[f"g{self.width // 4 - 1}"] = _DIGITS4[None, :]
        block_rows = np.zeros(blocks, dtype=self._layout())
        self._fill(block_rows, np.arange(blocks, dtype=np.uint32), 1)
        for name in block_rows.dtype.names or ():
            if name != "p" and name != f"g{self.width // 4 - 1}":
                rows[name] = block_rows[name][:, None]
        return self._array(rows.reshape(-1)[1 : count + 1], None)

    def at(self, index: g.Ints) -> pa.StringArray:
        """The ids of the rows at `index`, null where index < 0.

        Built straight into Arrow buffers, several times quicker than looking the strings up
        (a random gather from a large string array); only the valid rows are spelled out.
        """
        valid = index >= 0
        rows = np.zeros(len(index), dtype=self._layout())
        rows["p"] = self.prefix.encode()
        if valid.mean() > 0.5:  # mostly set: spell out every row (nulls as number 0)
            self._fill(rows, (index + 1).astype(np.uint32), 0)  # 32-bit division is quicker
        else:  # mostly null: spell out the set rows only, then scatter them
            part = np.zeros(int(valid.sum()), dtype=self._layout())
            self._fill(part, (index[valid] + 1).astype(np.uint32), 0)
            for name in part.dtype.names or ():
                if name != "p":
                    rows[name][valid] = part[name]
        return self._array(rows, None if valid.all() else valid)


def _rep_labels(n: int) -> list[str]:
    return [f"R{i:0{max(3, len(str(n)))}d}" for i in range(1, n + 1)]


def _team_labels(n: int) -> list[str]:
    return [f"T{i:0{max(2, len(str(n - 1)))}d}" for i in range(n)]


def _month_date(key: int) -> dtm.date:
    """The first day of a running month number (year * 12 + month - 1)."""
    return dtm.date(key // 12, key % 12 + 1, 1)


def _take(values: pa.Array | Sequence[str], index: g.Ints) -> pa.Array:
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


class _Assembly:
    """Turns a generated world into the canonical Arrow tables."""

    def __init__(self, world: g.World) -> None:
        self.w = world
        self.cal = world.cal
        org = world.org
        self.rep_ids = pa.array(_rep_labels(len(org.start_day)), pa.string())
        self.team_ids = pa.array(_team_labels(len(org.team_names)), pa.string())
        self.account = _IdKind.of("A", world.n_accounts, 7)
        self.lead = _IdKind.of("L", len(world.leads.rep), 7)
        self.deal = _IdKind.of("D", len(world.deals.owner), 6)

    def ts(self, t: g.Ints, valid: g.Bools | None = None) -> pa.Array:
        """Local minutes as naive UTC timestamps, null where not valid."""
        cal = self.cal
        local = t.astype(np.int64) + cal.epoch_day * g.DAY
        utc = (local - cal.offset(t // g.DAY)) * 60_000_000
        mask = None if valid is None or valid.all() else ~valid
        return pa.array(utc, pa.timestamp("us"), mask=mask)

    def date(self, day: g.Ints, valid: g.Bools | None = None) -> pa.Array:
        """Day numbers as dates, null where not valid."""
        mask = None if valid is None or valid.all() else ~valid
        return pa.array((day + self.cal.epoch_day).astype(np.int32), pa.date32(), mask=mask)

    def tables(self) -> dict[str, pa.Table]:
        """All ten canonical tables, in load order."""
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
        left = org.end_day < g.NEVER
        return {
            "rep_id": self.rep_ids,
            "name": pa.array(org.names, pa.string()),
            "email": pa.array(org.emails, pa.string()),
            "team_id": _take(self.team_ids, org.rep_team),
            "role": _take(("rep", "manager"), org.manager.astype(np.int64)),
            "start_date": self.date(org.start_day),
            "end_date": self.date(np.where(left, org.end_day, 0), left),
        }

    def accounts(self) -> dict[str, Any]:
        """Customers and prospects, with segment, creation and churn."""
        w = self.w
        n = w.n_accounts
        a = np.arange(n)
        first, second, third = g.ACCOUNT_WORDS
        names = pa.array([f"{x} {y} {z}" for x in first for y in second for z in third])
        pick = (a * 7919) % len(names)  # every combination once before any repeats
        churned = w.churned >= 0
        return {
            "account_id": self.account.all(w.n_accounts),
            "name": _take(names, pick),
            "segment": _take(g.SEGMENTS, w.acc_segment),
            "created_at": self.ts(w.acc_created),
            "churned_at": self.ts(np.maximum(w.churned, 0), churned),
        }

    def leads(self) -> dict[str, Any]:
        """Leads with source, owner, account, qualification and deal."""
        le = self.w.leads
        qualified = le.qualified >= 0
        return {
            "lead_id": self.lead.all(len(le.rep)),
            "created_at": self.ts(le.created),
            "source": _take(g.SOURCES, le.source),
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
        entered = (np.arange(len(g.STAGES))[None, :] <= d.stop[:, None]) & (d.times[:, :5] < end_t)
        entered &= d.times[:, :5] >= 0
        current = len(g.STAGES) - 1 - np.argmax(entered[:, ::-1], axis=1)
        stage = np.where(d.closed, np.where(d.won, len(g.STAGES), len(g.STAGES) + 1), current)
        lost = d.closed & ~d.won
        return {
            "deal_id": self.deal.all(n),
            "rep_id": _take(self.rep_ids, d.closer),
            "created_at": self.ts(d.created),
            "status": _take(("open", "lost", "won"), status),
            "amount": pa.array(d.amount, pa.float64()),
            "closed_at": self.ts(np.where(d.closed, d.close, 0), d.closed),
            "account_id": self.account.at(d.account),
            "stage": _take((*g.STAGES, g.WON_STAGE, g.LOST_STAGE), stage),
            "kind": _take(g.KINDS, d.kind),
            "lost_reason": _take(g.LOST_REASONS, np.where(lost, self.w.lost_reason, -1)),
            "source": _take(g.SOURCES, d.source) if n else pa.array([], pa.string()),
        }

    def deal_stages(self) -> dict[str, Any]:
        """Every stage each deal entered, ending in its close."""
        d, end_t = self.w.deals, self.cal.end_t
        k = np.arange(len(g.STAGES))[None, :]
        entered = (k >= d.first[:, None]) & (k <= d.stop[:, None]) & (d.times[:, :5] < end_t)
        deal, stage = np.nonzero(entered)
        closed = np.flatnonzero(d.closed)
        close_stage = np.where(d.won[closed], len(g.STAGES), len(g.STAGES) + 1)
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
            "stage": _take((*g.STAGES, g.WON_STAGE, g.LOST_STAGE), stage[order]),
            "entered_at": self.ts(t[order]),
        }

    def activities(self) -> dict[str, Any]:
        """The activities, in time order."""
        a = self.w.acts
        assert a.duration is not None
        return {
            "activity_id": _IdKind.of("AC", len(a.t), 9).all(len(a.t)),
            "rep_id": _take(self.rep_ids, a.rep),
            "type": _take(g.TYPES, a.type),
            "occurred_at": self.ts(a.t),
            "duration_min": pa.array(a.duration, pa.float64()),
            "outcome": _take(g.OUTCOMES, a.outcome),
            "deal_id": self.deal.at(a.deal),
            "lead_id": self.lead.at(a.lead),
            "account_id": self.account.at(a.account),
        }

    def targets(self) -> dict[str, Any]:
        """Revenue and activity targets per rep, team and org."""
        tg = self.w.targets_
        scope = np.concatenate(tg.scope)
        index = np.concatenate(tg.index)
        ids = pa.concat_arrays([self.rep_ids, self.team_ids])
        n_reps = len(self.rep_ids)
        metric = np.repeat(np.arange(len(tg.metric)), tg.counts)
        first = np.concatenate(tg.first_month)
        months = np.repeat(np.array(tg.months), tg.counts)
        start = g.month_start(first)
        end = g.month_start(first + months) - 1
        epoch = self.cal.epoch_day
        return {
            "scope": _take(g.SCOPES, scope),
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
            "response_id": _IdKind.of("S", len(w.survey_t), 7).all(len(w.survey_t)),
            "responded_at": self.ts(w.survey_t),
            "scale": _take(("csat5", "nps10"), w.survey_scale),
            "score": pa.array(w.survey_score, pa.int64()),
            "account_id": self.account.at(w.survey_account),
            "rep_id": _take(self.rep_ids, w.survey_rep),
        }

    def absences(self) -> dict[str, Any]:
        """Days each rep was away."""
        rep, day = np.nonzero(self.w.absent)
        return {"rep_id": _take(self.rep_ids, rep), "date": self.date(day)}
