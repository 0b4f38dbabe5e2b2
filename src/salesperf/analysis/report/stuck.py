"""Stuck deals: open deals with neither an activity nor a stage change for some days.

A deal counts as open at the end of a week when it was created before that end and was still
open then (open now, or won or lost only after it). Its last touch is the latest local day of
its creation, its activities (`activities.deal_id`) and its stage changes (`deal_stages`)
before the end; it is stuck when that lies `days` or more days before the end.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import ibis
import pandas as pd

from salesperf.errors import InputError
from salesperf.metrics.periods import Grain, local_time, shift
from salesperf.metrics.rows import STAMP_YEARS
from salesperf.schema import DealStatus
from salesperf.store import Store

#: Days without an activity or a stage change after which an open deal is stuck.
STUCK_DAYS = 21


@dataclass(frozen=True)
class StuckDeal:
    """An open deal nobody has touched for `idle_days` days before the end of the week."""

    deal_id: str
    rep_id: str
    stage: str | None  # the last stage it entered before the end (else the deal's own)
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
    # the zone's offsets over the years a stamp may lie in, as the metrics read them
    lo, hi = shift(end, Grain.YEAR, -STAMP_YEARS), shift(end, Grain.YEAR, STAMP_YEARS)
    cut = ibis.date(end)

    def day(col: ibis.Column) -> ibis.Column:
        return local_time(col, tz, lo, hi).date()  # type: ignore[arg-type]

    deals = store.table("deals")
    closed = day(deals.closed_at)
    open_then = (deals.status == DealStatus.OPEN.value) | closed.isnull() | (closed >= cut)
    d = deals.filter(deals.rep_id.isin(sorted(reps)) & (day(deals.created_at) < cut) & open_then)
    d = d.select("deal_id", "rep_id", "stage", "amount", "currency", created=day(d.created_at))
    acts = store.table("activities").filter(lambda a: a.deal_id.notnull())
    acts = acts.mutate(_day=day(acts.occurred_at)).filter(lambda a: a._day < cut)
    a = acts.group_by("deal_id").aggregate(last_activity=acts._day.max())
    st = store.table("deal_stages")
    st = st.mutate(_day=day(st.entered_at)).filter(lambda s: s._day < cut)
    s = st.group_by("deal_id").aggregate(
        last_stage=st._day.max(), stage_then=st.stage.argmax(st.entered_at)
    )
    rows = d.to_pandas()
    for extra in (a, s):  # the latest day before the end, per deal
        rows = rows.merge(extra.to_pandas(), on="deal_id", how="left")
    found = []
    for rec in rows.to_dict("records"):
        touches = [_day(rec[c]) for c in ("created", "last_activity", "last_stage")]
        last = max(x for x in touches if x is not None)
        idle = (end - last).days
        if idle >= days:
            amount = rec["amount"]
            found.append(StuckDeal(
                str(rec["deal_id"]), str(rec["rep_id"]),
                _text(rec.get("stage_then")) or _text(rec["stage"]),
                None if pd.isna(amount) else float(amount), _text(rec["currency"]), last, idle,
            ))  # fmt: skip
    return tuple(sorted(found, key=lambda x: (-x.idle_days, x.deal_id)))


def _day(v: object) -> date | None:
    if v is None or v is pd.NaT or (isinstance(v, float) and v != v):
        return None
    if isinstance(v, pd.Timestamp):
        return v.date()
    return v if isinstance(v, date) else None


def _text(v: object) -> str | None:
    return v if isinstance(v, str) and v else None
