"""What every analysis shares: analysis windows, and short names for the one
formatter's numbers, dates and periods (`salesperf.i18n.format`) as the analyses' texts call them.

Each analysis takes a store and a small frozen query value and returns a frozen result of plain
data; explanations are `Text` values carrying English and Dutch, chosen by whoever renders them.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from enum import Enum
from typing import TYPE_CHECKING, Any

import ibis.expr.types as ir
import numpy as np

from salesperf.errors import InputError
from salesperf.i18n import format as fmt
from salesperf.metrics.periods import (
    Grain,
    Period,
    PeriodError,
    local_datetime,
    parse_period,
    period_start,
    shift,
)
from salesperf.metrics.prepared import arrow, prepare
from salesperf.metrics.relative import relative_period
from salesperf.text import Lang, Text

if TYPE_CHECKING:
    from salesperf.store import Store


_LAST = re.compile(r"^last-(?:(\d+)-)?(week|month|quarter|year)s?$")
WINDOW_HELP = (
    "last-quarter (the default), last-month, last-week, last-year, last-N-weeks, "
    "last-N-months, last-N-quarters, or a period such as 2026-Q3, 2026-07, "
    "2026-Q2..2026-Q3 or 2026-07-01..2026-09-30, or words: this quarter, quarter to date, "
    "previous month, same quarter last year"
)


def resolve_window(text: str | Period | None, today: date | None = None) -> Period:
    """The full periods a window names, ending before `today`'s period: `last-quarter` is the
    last quarter that has fully ended; `last-8-weeks` the eight full ISO weeks before this one.
    Words (`this quarter`, `year to date`: `salesperf.metrics.relative`) count from `today`;
    calendar periods (`2026-Q3`) are taken as given."""
    if isinstance(text, Period):
        return text
    today = today or date.today()
    t = (text or "last-quarter").strip().lower()
    m = _LAST.match(t)
    if m:
        n = int(m.group(1) or 1)
        if n < 1 or n > 520:
            raise InputError(f"{text!r}: the number of periods must be between 1 and 520")
        grain = Grain(m.group(2))
        end = period_start(today, grain)
        start = shift(end, grain, -n)
        return Period(start, end, period_label(start, grain) if n == 1 else t)
    if (named := relative_period(t, today)) is not None:  # this quarter, year to date, ...
        return named
    try:
        return parse_period(t.upper() if "q" in t or "w" in t else t)
    except PeriodError:
        raise  # a period of the right form that is refused says why (its year, its length)
    except ValueError:
        raise InputError(
            text=Text(
                f"{text!r} is not a window; use {WINDOW_HELP}, or as the pages write them: "
                "Q3 2026, July 2026, Q2 2026 – Q3 2026",
                f"{text!r} is geen venster; gebruik last-quarter (standaard), last-month, "
                "last-week, last-year, last-N-weeks, last-N-months, last-N-quarters, of een "
                "periode zoals K3 2026, juli 2026, K2 2026 – K3 2026, 01-07-2026 – 30-09-2026 "
                "of 2026-Q3, of woorden: dit kwartaal, kwartaal tot nu, vorige maand, zelfde "
                "kwartaal vorig jaar",
            )
        ) from None


def data_end(store: Store) -> date | None:
    """The day after the last recorded activity or deal change (a deal created, won or lost),
    in local time (None for a store with neither). An open deal's `closed_at` is an expected
    close, not a change. See `salesperf.analysis.asof` for the day analyses judge as of."""
    tz = store.settings.timezone
    # asked after every write: one query, its SQL generated once (see `metrics.prepared`)
    row = arrow(store.con, prepare(store.con, ("data_end",), lambda: _last_changes(store)))
    found = tuple(row.to_pylist()[0].values())
    days = [
        local_datetime(v, tz).date() if isinstance(v, datetime) else v
        for v in found
        if v is not None and v == v  # None or NaT
    ]
    return max(days) + timedelta(days=1) if days else None


def _last_changes(store: Store) -> ir.Table:
    """The last activity, the last deal created and the last deal won or lost, in one row."""
    acts, deals = store.table("activities"), store.table("deals")
    closed = deals.filter(deals.status != "open")
    return (
        acts.aggregate(acted=acts.occurred_at.max())
        .cross_join(deals.aggregate(created=deals.created_at.max()))
        .cross_join(closed.aggregate(closed=closed.closed_at.max()))
    )


def period_label(start: date, grain: Grain) -> str:
    """The label of the period of `grain` starting on `start`: 2026-Q3, 2026-07, 2026-W27."""
    if grain is Grain.QUARTER:
        return f"{start.year}-Q{(start.month - 1) // 3 + 1}"
    if grain is Grain.MONTH:
        return f"{start.year}-{start.month:02d}"
    if grain is Grain.WEEK:
        y, w, _ = start.isocalendar()
        return f"{y}-W{w:02d}"
    return str(start.year)


def working_days(start: date, end: date) -> int:
    """Monday-to-Friday days in [start, end)."""
    days = (end - start).days
    full, rest = divmod(days, 7)
    count = full * 5
    for i in range(rest):
        if (start + timedelta(days=full * 7 + i)).weekday() < 5:
            count += 1
    return count


def number(v: float | None, digits: int = 0, lang: Lang | str = Lang.EN) -> str:
    """A number with thousands separators (the one formatter's `number`)."""
    return fmt.number(v, lang, digits)


def percent(v: float | None, digits: int = 0, lang: Lang | str = Lang.EN) -> str:
    """A ratio as a percentage (the one formatter's `percent`), whole by default."""
    return fmt.percent(v, lang, digits)


def money(v: float | None, currency: str, lang: Lang | str = Lang.EN) -> str:
    """An amount in the organisation's currency (the one formatter's `money`)."""
    return fmt.money(v, lang, currency)


def day_text(d: date, lang: Lang | str = Lang.EN) -> str:
    """A day as the language writes it (the one formatter's `date`)."""
    return fmt.date(d, lang)


def span_text(start: date, last: date, lang: Lang | str = Lang.EN) -> str:
    """The days from `start` to `last`, both included (the one formatter's `span`)."""
    return fmt.span(start, last, lang)


def period_text(period: Period, lang: Lang | str = Lang.EN) -> str:
    """A period as the language names it (the one formatter's `period`): Q3 2026, K3 2026."""
    return fmt.period(period, lang)


def window_text(period: Period, lang: Lang | str = Lang.EN) -> str:
    """A window with its days (the one formatter's `window`)."""
    return fmt.window(period, lang)


def plain(value: Any) -> Any:
    """A result as JSON-safe data: dataclasses as dicts, periods with their inclusive last day,
    texts in both languages, enums by value, dates in ISO form, undefined numbers as None."""
    if isinstance(value, Period):
        last = value.end - timedelta(days=1)
        return {"label": value.label, "start": value.start.isoformat(), "end": last.isoformat()}
    if isinstance(value, Text):
        return value.to_json()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, float | np.floating):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, np.integer):
        return int(value)
    return value
