"""Stuck deals: open deals with neither an activity nor a stage change for some days.

A deal counts as open at the end of a week when it was created before that end and was still
open then (open now, or won or lost only after it). Its last touch is the latest of its
creation, its activities (`activities.deal_id`) and its stage changes (`deal_stages`) before
the end; it is stuck when that lies `days` or more days before the end.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import ibis
import pandas as pd

from salesperf.errors import InputError
from salesperf.metrics.periods import local_datetime
from salesperf.schema import DealStatus
from salesperf.store import Store

#: Days without an activity or a stage change after which an open deal is stuck.
STUCK_DAYS = 21


@dataclass(frozen=True)
class StuckDeal:
    """An open deal nobody has touched for `idle_days` days before the end of the week."""

    deal_id: str
    rep_id: str
    stage: str | None
    amount: float | None
    currency: str | None
    last_touch: date  # the local day of its last activity, stage change or creation
    idle_days: int


def stuck_deals(
    store: Store, reps: frozenset[str], end: date, days: int = STUCK_DAYS
) -> tuple[StuckDeal, ...]:
    """The deals of `reps` open at `end` (exclusive, a local day) whose last touch lies `days`
    or more days before it, the longest idle first."""
    if not 1 <= days <= 3650:
        raise InputError(f"the days after which a deal is stuck must be from 1 to 3650, not {days}")
    if not reps:
        return ()
    tz = store.settings.timezone
    # the end as a stored (UTC) instant: a day either way covers every zone's offset, and the
    # local comparison below decides
    cut = ibis.timestamp(datetime.combine(end + timedelta(days=1), time()))
    deals = store.table("deals")
    open_then = (deals.status == DealStatus.OPEN.value) | (
        deals.closed_at >= cut - ibis.interval(days=2)
    )
    d = deals.filter(deals.rep_id.isin(sorted(reps)) & open_then & (deals.created_at < cut))
    d = d.select(
        "deal_id", "rep_id", "stage", "amount", "currency", "status", "created_at", "closed_at"
    )
    acts = store.table("activities")
    a = acts.filter(acts.deal_id.notnull() & (acts.occurred_at < cut))
    a = a.group_by("deal_id").aggregate(last_activity=a.occurred_at.max())
    st = store.table("deal_stages")
    s = st.filter(st.entered_at < cut)
    s = s.group_by("deal_id").aggregate(last_stage=s.entered_at.max())
    rows = d.to_pandas()
    for extra in (a, s):  # the latest stamp before the cut, per deal
        rows = rows.merge(extra.to_pandas(), on="deal_id", how="left")
    found = []
    for rec in rows.to_dict("records"):
        created = _local_day(rec["created_at"], tz)
        if created is None or created >= end:
            continue
        closed = _local_day(rec["closed_at"], tz)
        if rec["status"] != DealStatus.OPEN.value and (closed is None or closed < end):
            continue  # won or lost before the end
        touches = [created]
        for col in ("last_activity", "last_stage"):
            day = _local_day(rec.get(col), tz)
            if day is not None and day < end:
                touches.append(day)
        last = max(touches)
        idle = (end - last).days
        if idle >= days:
            amount = rec["amount"]
            found.append(StuckDeal(
                str(rec["deal_id"]), str(rec["rep_id"]), _text(rec["stage"]),
                None if pd.isna(amount) else float(amount), _text(rec["currency"]), last, idle,
            ))  # fmt: skip
    return tuple(sorted(found, key=lambda x: (-x.idle_days, x.deal_id)))


def _local_day(v: object, tz: str) -> date | None:
    if v is None or v is pd.NaT or (isinstance(v, float) and v != v):
        return None
    if isinstance(v, pd.Timestamp):
        v = v.to_pydatetime()
    if isinstance(v, datetime):
        return local_datetime(v, tz).date()
    if isinstance(v, date):
        return v
    return None


def _text(v: object) -> str | None:
    return v if isinstance(v, str) and v else None
