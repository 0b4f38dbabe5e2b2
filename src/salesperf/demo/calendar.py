"""The simulated days: a warm-up, then the history, in the organisation's local time.

Times are integer minutes since midnight of the first simulated day, in local time
(Europe/Amsterdam); they become naive UTC only when the tables are built, so office hours and
working days are easy to reason about in the generators.
"""

from __future__ import annotations

import datetime as dtm
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import numpy as np

from salesperf.demo.codes import Bools, Ints

TIMEZONE = "Europe/Amsterdam"
DAY = 1440  # minutes
OFFICE_START, OFFICE_END = 8 * 60 + 30, 18 * 60
OFFSET_PAD = 3 * 366  # days around the history for which UTC offsets are known
NEVER = 1 << 40  # a time or day after everything
# The simulation starts this long before the history, so that the history opens on a running
# business (open pipeline, customers up for renewal) instead of an empty CRM.
WARMUP_DAYS = 400


@dataclass(frozen=True)
class Calendar:
    """The simulated days (a warm-up, then the history) with what matters about each."""

    start: dtm.date  # the first simulated day: a warm-up year before the history
    first: int  # day number of the first day of the history
    n_days: int
    epoch_day: int  # days since 1970-01-01 of the first simulated day
    weekday: Ints  # 0 = Monday
    month: Ints  # 1-12
    utc_offset: Ints  # minutes local time is ahead of UTC, from day -OFFSET_PAD on
    holiday: Bools  # Dutch public holidays

    @property
    def end_t(self) -> int:
        """The first minute after the history."""
        return self.n_days * DAY

    @property
    def start_t(self) -> int:
        """The first minute of the history."""
        return self.first * DAY

    def offset(self, day: Ints) -> Ints:
        """Minutes local time is ahead of UTC on each day number (accounts predate the history)."""
        i = np.clip(day + OFFSET_PAD, 0, len(self.utc_offset) - 1)
        out: Ints = self.utc_offset[i]
        return out

    def day_of(self, d: dtm.date) -> int:
        """The day number of a date (may lie outside the history)."""
        return (d - self.start).days

    def month_key(self, day: Ints) -> Ints:
        """A running month number (year * 12 + month - 1) of each day number, inside or out."""
        dates = (np.asarray(day) + self.epoch_day).astype("datetime64[D]")
        out: Ints = dates.astype("datetime64[M]").astype(np.int64) + 1970 * 12
        return out


def _easter(year: int) -> dtm.date:
    """Easter Sunday (anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    j = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * j) // 451
    month = (h + j - 7 * m + 114) // 31
    return dtm.date(year, month, (h + j - 7 * m + 114) % 31 + 1)


def _dutch_holidays(year: int) -> list[dtm.date]:
    easter = _easter(year)
    kings = dtm.date(year, 4, 27)
    if kings.weekday() == 6:
        kings = dtm.date(year, 4, 26)
    days = [dtm.date(year, 1, 1), kings, dtm.date(year, 12, 25), dtm.date(year, 12, 26)]
    days += [easter + dtm.timedelta(days=n) for n in (1, 39, 50)]
    if year % 5 == 0:  # Liberation Day is a day off in lustrum years
        days.append(dtm.date(year, 5, 5))
    return days


def calendar(end: dtm.date, years: int) -> Calendar:
    """The calendar of `years` years of history ending on `end`, after a warm-up period."""
    try:
        before = end.replace(year=end.year - years)
    except ValueError:  # 29 February
        before = end.replace(year=end.year - years, day=28)
    start = before + dtm.timedelta(days=1 - WARMUP_DAYS)
    n = (end - start).days + 1
    epoch = (start - dtm.date(1970, 1, 1)).days
    days = np.arange(n, dtype=np.int64) + epoch
    dates = days.astype("datetime64[D]")
    tz = ZoneInfo(TIMEZONE)
    offsets = []
    for i in range(-OFFSET_PAD, n + OFFSET_PAD):  # cheap; the zone database knows each DST switch
        noon = dtm.datetime.combine(start + dtm.timedelta(days=i), dtm.time(12), tz)
        delta = noon.utcoffset()
        offsets.append(0 if delta is None else int(delta.total_seconds()) // 60)
    holiday = np.zeros(n, dtype=bool)
    for year in range(start.year, end.year + 1):
        for d in _dutch_holidays(year):
            if start <= d <= end:
                holiday[(d - start).days] = True
    return Calendar(
        start=start,
        first=WARMUP_DAYS,
        n_days=n,
        epoch_day=epoch,
        weekday=(days + 3) % 7,
        month=dates.astype("datetime64[M]").astype(np.int64) % 12 + 1,
        utc_offset=np.array(offsets, dtype=np.int64),
        holiday=holiday,
    )


def month_start(key: Ints) -> Ints:
    """Days since 1970 of the first day of each running month number (year * 12 + month - 1)."""
    months = (np.asarray(key) - 1970 * 12).astype("datetime64[M]")
    out: Ints = months.astype("datetime64[D]").astype(np.int64)
    return out
