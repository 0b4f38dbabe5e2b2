"""Periods: the organisation's local time and the buckets (day, ISO week, month, ...).

Timestamps are stored as naive UTC. Local time is UTC plus the zone's offset at that instant,
written as a CASE over the zone's transitions in the queried range, which every engine runs
the same way (no engine-specific time zone functions). A date-only value (a calendar day, no
time of day) is stored at `DATE_ONLY_TIME` of its day and is that day's local midnight in every
zone. `local_time` (Ibis) and `local_datetime` (Python) are the one way from a stored timestamp
to the organisation's local time.

What a query may cover is bounded here, for every interface at once (`check_range`): its days
lie in the years `FIRST_YEAR` to `LAST_YEAR`, it spans at most `max_years()` years (local time
is a CASE over every change of offset in the range) and it splits into at most `max_buckets()`
periods of its grain (the work and the answer grow with the number of periods).
"""

from __future__ import annotations

import calendar
import functools
import os
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

import ibis
import ibis.expr.types as ir
import pandas as pd

from salesperf.errors import InputError
from salesperf.metrics.written import written_period
from salesperf.text import Text

#: The years a period may lie in. Dates far outside them are typing mistakes, and the periods
#: around a period (the one before, last year's) must stay inside what a date can hold.
FIRST_YEAR = 1900
LAST_YEAR = 2999
#: How many periods of its grain a query may split into, unless $SALESPERF_MAX_BUCKETS says
#: otherwise: two years and a bit by day, fifteen years by week, sixty-six by month.
DEFAULT_MAX_BUCKETS = 800
MAX_BUCKETS_ENV = "SALESPERF_MAX_BUCKETS"
#: How many years a query may span, whatever its grain, unless $SALESPERF_MAX_YEARS says
#: otherwise.
DEFAULT_MAX_YEARS = 100
MAX_YEARS_ENV = "SALESPERF_MAX_YEARS"
#: The time of day, in UTC, at which a date-only value is stored: it marks the value as a
#: calendar day, which `local_time` keeps on its day in every zone (the spec: date-only values
#: do not move when the time zone changes). Noon keeps the day for a reader that ignores the
#: mark, in zones from UTC-11 to UTC+11. The microseconds make the mark: 314159 (the digits of
#: pi, easy to recognise) is no multiple of 10, so no source with millisecond (or coarser)
#: precision can write it; it lies 0.3 s from the round second, so the float noise of an Excel
#: serial date (a microsecond or two) or a rounding cannot produce it; and a real timestamp with
#: microseconds lands on exactly this one of the day's 86,400,000,000 by chance alone.
DATE_ONLY_TIME = time(12, 0, 0, 314159)
_DATE_ONLY_US = (
    (DATE_ONLY_TIME.hour * 60 + DATE_ONLY_TIME.minute) * 60 + DATE_ONLY_TIME.second
) * 10**6 + DATE_ONLY_TIME.microsecond


class PeriodError(InputError):
    """A period or a query's range that is refused; the message says why."""


class Grain(StrEnum):
    """How finely a query splits time."""

    DAY = "day"
    WEEK = "week"  # ISO week, Monday start
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"
    ALL = "all"  # the whole range as one period

    @property
    def unit(self) -> str:
        """The truncation unit Ibis understands."""
        return {"day": "D", "week": "W", "month": "M", "quarter": "Q", "year": "Y"}[self.value]


def period_start(d: date, grain: Grain) -> date:
    """The first day of the period that holds `d`."""
    if grain is Grain.DAY or grain is Grain.ALL:
        return d
    if grain is Grain.WEEK:
        return d - timedelta(days=d.weekday())
    if grain is Grain.MONTH:
        return d.replace(day=1)
    if grain is Grain.QUARTER:
        return date(d.year, 3 * ((d.month - 1) // 3) + 1, 1)
    return date(d.year, 1, 1)


def shift(d: date, grain: Grain, n: int) -> date:
    """`d` moved by `n` periods (months keep the day where the month has it)."""
    if grain is Grain.DAY:
        return d + timedelta(days=n)
    if grain is Grain.WEEK:
        return d + timedelta(weeks=n)
    months = {Grain.MONTH: 1, Grain.QUARTER: 3, Grain.YEAR: 12}.get(grain)
    if months is None:
        raise InputError("the whole range has no previous period of its own")
    total = d.year * 12 + d.month - 1 + n * months
    y, m = divmod(total, 12)
    return date(y, m + 1, min(d.day, calendar.monthrange(y, m + 1)[1]))


@dataclass(frozen=True)
class Period:
    """A labelled range of days: start inclusive, end exclusive."""

    start: date
    end: date
    label: str


def parse_period(text: str) -> Period:
    """`2025`, `2025-Q3`, `2025-07`, `2025-W27`, `2025-07-14`, or a range of them from the start
    of the first to the end of the last: `2025-07-01..2025-09-30`, `2025-Q1..2025-Q4`; or any
    of them as a page shows it, in English or Dutch (`Q3 2025`, `K3 2025`, `juli 2025`,
    `14-07-2025`, `Q1 2025 – Q2 2025`: `salesperf.metrics.written`), whose label is then the
    form above. Years run from `FIRST_YEAR` to `LAST_YEAR`."""
    t = written_period(text) or text.strip()
    try:
        if ".." not in t and t[:4].isdigit() and not FIRST_YEAR <= int(t[:4]) <= LAST_YEAR:
            raise PeriodError(
                f"{text!r} is not a period: its year must lie from {FIRST_YEAR} to {LAST_YEAR}"
            )
        if ".." in t:
            a, b = t.split("..", 1)
            if ".." in b:
                raise ValueError
            first, last = parse_period(a), parse_period(b)
            if last.end <= first.start:
                raise ValueError
            return Period(first.start, last.end, t)
        if len(t) == 4 and t.isdigit():
            y = int(t)
            return Period(date(y, 1, 1), date(y + 1, 1, 1), t)
        if len(t) == 7 and t[4:6].upper() == "-Q" and t[6] in "1234":
            y, q = int(t[:4]), int(t[6])
            start = date(y, 3 * q - 2, 1)
            return Period(start, shift(start, Grain.QUARTER, 1), f"{y}-Q{q}")
        if len(t) in (7, 8) and t[4:6].upper() == "-W":
            y, w = int(t[:4]), int(t[6:])
            start = date.fromisocalendar(y, w, 1)
            return Period(start, start + timedelta(weeks=1), f"{y}-W{w:02d}")
        if len(t) == 7 and t[4] == "-":
            start = date(int(t[:4]), int(t[5:7]), 1)
            return Period(start, shift(start, Grain.MONTH, 1), t)
        d = date.fromisoformat(t)
        return Period(d, d + timedelta(days=1), t)
    except PeriodError:
        raise
    except ValueError:
        raise InputError(
            text=Text(
                f"{text!r} is not a period; use 2025, 2025-Q3 or Q3 2025, 2025-07 or July 2025, "
                "2025-W27 or week 27 2025, 2025-07-14, or a range: 2025-07-01..2025-09-30, "
                "Q1 2025 – Q2 2025",
                f"{text!r} is geen periode; gebruik 2025, 2025-Q3 of K3 2025, 2025-07 of juli "
                "2025, 2025-W27 of week 27 2025, 14-07-2025, of een reeks: 01-07-2025 – "
                "30-09-2025, K1 2025 – K2 2025",
            )
        ) from None


def _env_limit(name: str, default: int) -> int:
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    if not text.isdecimal() or int(text) < 1:
        # an InputError, shown as such by the command line; the server checks its limits when
        # it starts (`salesperf.server.create_app`), so that no request meets this one
        raise InputError(f"{name} must be a whole number above 0, not {text!r}")
    return int(text)


def max_buckets() -> int:
    """How many periods of its grain a query may split into: $SALESPERF_MAX_BUCKETS, else
    `DEFAULT_MAX_BUCKETS`."""
    return _env_limit(MAX_BUCKETS_ENV, DEFAULT_MAX_BUCKETS)


def max_years() -> int:
    """How many years a query may span: $SALESPERF_MAX_YEARS, else `DEFAULT_MAX_YEARS`."""
    return _env_limit(MAX_YEARS_ENV, DEFAULT_MAX_YEARS)


def _index(d: date, grain: Grain) -> int:
    """A number for the period of `grain` that holds `d`, one more for each next period."""
    if grain is Grain.DAY:
        return d.toordinal()
    if grain is Grain.WEEK:
        return period_start(d, grain).toordinal() // 7
    if grain is Grain.MONTH:
        return d.year * 12 + d.month - 1
    if grain is Grain.QUARTER:
        return d.year * 4 + (d.month - 1) // 3
    return d.year


def bucket_count(start: date, end: date, grain: Grain) -> int:
    """How many periods of `grain` [start, end) touches (ALL: one)."""
    if grain is Grain.ALL or end <= start:
        return 1
    return _index(end - timedelta(days=1), grain) - _index(start, grain) + 1


def check_range(start: date, end: date, grain: Grain) -> None:
    """PeriodError unless [start, end) lies in the years `FIRST_YEAR` to `LAST_YEAR`, spans at
    most `max_years()` years and splits into at most `max_buckets()` periods of `grain`."""
    shown = f"{start.isoformat()}..{(end - timedelta(days=1)).isoformat()}"
    if start < date(FIRST_YEAR, 1, 1) or end > date(LAST_YEAR + 1, 1, 1):
        raise PeriodError(
            f"{shown} is outside the years {FIRST_YEAR} to {LAST_YEAR} that a query may cover"
        )
    years = max_years()
    if end > shift(start, Grain.YEAR, years):
        raise PeriodError(
            f"{shown} spans more than {years} years, the most a query may span "
            f"({MAX_YEARS_ENV}): choose a shorter period"
        )
    n, limit = bucket_count(start, end, grain), max_buckets()
    if n > limit:
        raise PeriodError(
            f"{shown} by {grain.value} is {n} periods; a query may have at most {limit} "
            f"({MAX_BUCKETS_ENV}): choose a coarser grain or a shorter period"
        )


def transitions(tz: str, start: date, end: date) -> list[tuple[datetime, int]]:
    """The zone's UTC offsets (seconds) over [start - 1 day, end + 1 day], as (from_utc, offset).

    The first entry starts at the beginning of the range; later entries at each change.
    """
    return list(_transitions(tz, start, end))


@functools.lru_cache(maxsize=512)
def _transitions(tz: str, start: date, end: date) -> tuple[tuple[datetime, int], ...]:
    """`transitions`, remembered: a query compiles local time for each of its facts."""
    zone = ZoneInfo(tz)
    lo = datetime.combine(start - timedelta(days=1), datetime.min.time(), UTC)
    hi = datetime.combine(end + timedelta(days=1), datetime.min.time(), UTC)

    def offset(t: datetime) -> int:
        u = t.astimezone(zone).utcoffset()
        return int(u.total_seconds()) if u is not None else 0

    out = [(lo.replace(tzinfo=None), offset(lo))]
    t = lo
    step, day = timedelta(hours=1), timedelta(days=1)
    while t < hi:
        # a day that ends on the offset it starts with holds no change: no zone changes its
        # offset twice within a day (tzdata's changes are six days apart or more), so this
        # finds the changes that stepping by the hour finds, in a 24th of the time
        if t + day < hi and offset(t + day) == out[-1][1]:
            t += day
            continue
        nxt = t + step
        if offset(nxt) != out[-1][1]:
            m = t  # find the minute of the change inside this hour
            while offset(m) == out[-1][1]:
                m += timedelta(minutes=1)
            out.append((m.replace(tzinfo=None), offset(m)))
        t = nxt
    return tuple(out)


def date_only(d: date) -> datetime:
    """The stored (naive UTC) timestamp of a date-only value: `d` at `DATE_ONLY_TIME`."""
    return datetime.combine(d, DATE_ONLY_TIME)


def is_date_only(value: datetime) -> bool:
    """Whether a stored timestamp is a date-only value (it carries `DATE_ONLY_TIME`)."""
    return value.time() == DATE_ONLY_TIME


def calendar_days(df: pd.DataFrame) -> pd.DataFrame:
    """A frame of stored rows with each date-only value as its calendar day (midnight), for
    files people read: the stored mark is an implementation detail, and a spreadsheet keeps
    only milliseconds of it."""
    out = df.copy()
    for c in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[c]):
            col = out[c]
            marked = col.notna() & (col.dt.time == DATE_ONLY_TIME)
            if marked.any():
                out[c] = col.where(~marked, col.dt.normalize())
    return out


def day_bound(d: date, tz: str) -> datetime:
    """A stored (naive UTC) timestamp that every stored value on a local day before `d` in
    `tz` is before, so that every one from it on is on `d` or later: the day's first instant in
    UTC, or, in zones more than 12 hours ahead of UTC, just after the day before's date-only
    mark (noon UTC), which is later."""
    first = datetime.combine(d, time(), tzinfo=ZoneInfo(tz)).astimezone(UTC)
    marked = date_only(d - timedelta(days=1)) + timedelta(microseconds=1)
    return max(first.replace(tzinfo=None), marked)


def local_datetime(value: datetime, tz: str) -> datetime:
    """A stored (naive UTC) timestamp as the organisation's wall-clock time, naive: what
    `local_time` computes in a query, for one value in Python. A date-only value is its day's
    midnight."""
    if is_date_only(value):
        return datetime.combine(value.date(), time())
    return value.replace(tzinfo=UTC).astimezone(ZoneInfo(tz)).replace(tzinfo=None)


def local_time(ts: ir.TimestampValue, tz: str, start: date, end: date) -> ir.TimestampValue:
    """A UTC timestamp column as the organisation's wall-clock time; a date-only value (stored
    at `DATE_ONLY_TIME`) as its day's midnight, whatever the zone."""
    day = ts.truncate("D")
    marked = ts == day + ibis.interval(microseconds=_DATE_ONLY_US)
    offset = _offset(ts, tz, start, end)
    return ibis.ifelse(marked, day, ts if offset is None else ts + offset)


def utc_instant(ts: ir.TimestampValue, tz: str, start: date, end: date) -> ir.TimestampValue:
    """A stored timestamp column as a moment (UTC), for durations: itself, or for a date-only
    value the moment its day begins in the organisation's zone (the offset of the day's noon,
    UTC: on a day the clocks change, an hour either way)."""
    day = ts.truncate("D")
    marked = ts == day + ibis.interval(microseconds=_DATE_ONLY_US)
    offset = _offset(ts, tz, start, end)
    return ibis.ifelse(marked, day if offset is None else day - offset, ts)


def _offset(ts: ir.TimestampValue, tz: str, start: date, end: date) -> ir.IntervalValue | None:
    """The zone's offset at each instant of a UTC timestamp column (None: UTC itself)."""
    if tz == "UTC":
        return None
    changes = transitions(tz, start, end)
    if len(changes) == 1:
        return ibis.interval(seconds=changes[0][1])
    # before the i-th change the (i-1)-th offset holds; the first true branch wins
    offset = ibis.cases(
        *((ts < ibis.timestamp(changes[i][0]), changes[i - 1][1]) for i in range(1, len(changes))),
        else_=changes[-1][1],
    )
    return offset.as_interval("s")


def bucket(local: ir.TimestampValue, grain: Grain, start: date) -> ir.DateValue:
    """The first day of each row's period (for ALL: the range's first day)."""
    if grain is Grain.ALL:
        return ibis.date(start)
    return local.truncate(grain.unit).date()
