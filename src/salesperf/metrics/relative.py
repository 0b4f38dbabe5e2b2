"""Periods named by words, counted from a reference day (the day judged as of), and the periods
a period is compared with: the one before and the same one a year earlier.

The words, in English and Dutch (case, hyphens and underscores do not matter):

- `this week|month|quarter|year`, `current ...`; `deze week`, `deze maand`, `dit kwartaal`,
  `dit jaar`, `huidige ...`: the whole period that holds the day;
- `week|month|quarter|year to date`, `wtd`, `mtd`, `qtd`, `ytd`; `week|maand|kwartaal|jaar tot
  nu` (or `tot heden`, `tot nu toe`, `tot op heden`): from the period's first day up to and
  including the day;
- `previous|last week|month|quarter|year`; `vorige week|maand`, `vorig kwartaal|jaar`,
  `afgelopen ...`: the last full period before the day's;
- `same week|month|quarter|year last year`; `zelfde week|maand|kwartaal|jaar vorig jaar`: the
  period holding the day, a year earlier;
- `previous period`, `vorige periode`, `same period last year`, `zelfde periode vorig jaar`:
  the period before, and a year before, the default period (the last full quarter);
- `today`, `yesterday`; `vandaag`, `gisteren`.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from salesperf.metrics.periods import Grain, Period, period_start, shift

_UNITS = {
    "week": Grain.WEEK, "month": Grain.MONTH, "quarter": Grain.QUARTER, "year": Grain.YEAR,
    "maand": Grain.MONTH, "kwartaal": Grain.QUARTER, "jaar": Grain.YEAR,
}  # fmt: skip
_UNIT = r"(week|month|quarter|year|maand|kwartaal|jaar)"
_THIS = re.compile(rf"(?:this|current|deze|dit|huidige|huidig) {_UNIT}")
_TO_DATE = re.compile(rf"{_UNIT} (?:to date|tot nu toe|tot nu|tot heden|tot op heden)")
_SHORT_TO_DATE = {"wtd": Grain.WEEK, "mtd": Grain.MONTH, "qtd": Grain.QUARTER, "ytd": Grain.YEAR}
_PREVIOUS = re.compile(rf"(?:previous|last|prior|vorige|vorig|afgelopen) {_UNIT}")
_SAME_LAST_YEAR = re.compile(
    rf"(?:the )?(?:same|zelfde|hetzelfde|dezelfde) {_UNIT} (?:last|vorig) (?:year|jaar)"
)
_PREVIOUS_PERIOD = re.compile(r"(?:the )?(?:previous|prior|vorige) (?:period|periode)")
_LAST_YEAR_PERIOD = re.compile(
    r"(?:the )?(?:same|zelfde|dezelfde) (?:period|periode) (?:last|vorig) (?:year|jaar)"
)
_DAYS = {"today": 0, "vandaag": 0, "yesterday": -1, "gisteren": -1}


def label(start: date, grain: Grain) -> str:
    """The label of the period of `grain` that starts on `start`: 2026, 2026-Q3, 2026-07,
    2026-W40, 2026-07-14."""
    if grain is Grain.YEAR:
        return str(start.year)
    if grain is Grain.QUARTER:
        return f"{start.year}-Q{(start.month - 1) // 3 + 1}"
    if grain is Grain.MONTH:
        return f"{start.year}-{start.month:02d}"
    if grain is Grain.WEEK:
        y, w, _ = start.isocalendar()
        return f"{y}-W{w:02d}"
    return start.isoformat()


def whole(start: date, grain: Grain) -> Period:
    """The period of `grain` that starts on `start`."""
    end = start + timedelta(days=1) if grain is Grain.DAY else shift(start, grain, 1)
    return Period(start, end, label(start, grain))


def days(start: date, end: date) -> Period:
    """The days [start, end), labelled as a range of days (one day: that day)."""
    last = end - timedelta(days=1)
    text = start.isoformat() if last == start else f"{start.isoformat()}..{last.isoformat()}"
    return Period(start, end, text)


def default_period(today: date) -> Period:
    """The default period: the last quarter that has fully ended before `today`."""
    return whole(shift(period_start(today, Grain.QUARTER), Grain.QUARTER, -1), Grain.QUARTER)


def to_date(today: date, grain: Grain) -> Period:
    """From the first day of the period of `grain` that holds `today` up to and including it."""
    return days(period_start(today, grain), today + timedelta(days=1))


def relative_period(text: str, today: date) -> Period | None:
    """The period the words `text` name, counted from `today` (see the module), or None when
    they name none."""
    t = " ".join(text.lower().replace("-", " ").replace("_", " ").split())
    if t in _DAYS:
        return whole(today + timedelta(days=_DAYS[t]), Grain.DAY)
    if t in _SHORT_TO_DATE:
        return to_date(today, _SHORT_TO_DATE[t])
    if m := _THIS.fullmatch(t):
        grain = _UNITS[m.group(1)]
        return whole(period_start(today, grain), grain)
    if m := _TO_DATE.fullmatch(t):
        return to_date(today, _UNITS[m.group(1)])
    if m := _PREVIOUS.fullmatch(t):
        grain = _UNITS[m.group(1)]
        return whole(shift(period_start(today, grain), grain, -1), grain)
    if m := _SAME_LAST_YEAR.fullmatch(t):
        grain = _UNITS[m.group(1)]
        return year_before(whole(period_start(today, grain), grain))
    if _PREVIOUS_PERIOD.fullmatch(t):
        return previous_period(default_period(today))
    if _LAST_YEAR_PERIOD.fullmatch(t):
        return year_before(default_period(today))
    return None


def _kind(p: Period) -> Grain | None:
    """The grain of a period that is one whole period of it (its label says so), else None."""
    for grain in (Grain.DAY, Grain.WEEK, Grain.MONTH, Grain.QUARTER, Grain.YEAR):
        starts = period_start(p.start, grain) == p.start
        if starts and whole(p.start, grain).end == p.end and ".." not in p.label:
            return grain
    return None


def _months(a: date, b: date) -> int:
    return (b.year - a.year) * 12 + b.month - a.month


def previous_period(p: Period) -> Period:
    """The period a period is compared with as "the one before": the calendar period before
    (Q2 before Q3, June before July, week 39 before week 40); for whole months (a range of
    them), as many months before; for a period to date (from a week's, month's, quarter's or
    year's first day), the same days of the one before; else as many days just before."""
    kind = _kind(p)
    if kind is not None:
        before = p.start - timedelta(days=1)
        return whole(before if kind is Grain.DAY else shift(p.start, kind, -1), kind)
    if p.start.day == 1 and p.end.day == 1:
        n = _months(p.start, p.end)
        return _moved(p, shift(p.start, Grain.MONTH, -n), shift(p.end, Grain.MONTH, -n))
    for grain in (Grain.WEEK, Grain.MONTH, Grain.QUARTER, Grain.YEAR):
        if period_start(p.start, grain) == p.start and p.end < whole(p.start, grain).end:
            return days(shift(p.start, grain, -1), min(shift(p.end, grain, -1), p.start))
    return days(p.start - (p.end - p.start), p.start)


def year_before(p: Period) -> Period:
    """The same period a year earlier: the same calendar period (Q3 2025 for Q3 2026), the same
    ISO week 52 weeks back for a week, else the same days of the year before (29 February
    becomes the 28th)."""
    kind = _kind(p)
    if kind is Grain.WEEK:
        return whole(p.start - timedelta(weeks=52), Grain.WEEK)
    if kind is not None and kind is not Grain.DAY:
        return whole(shift(p.start, Grain.YEAR, -1), kind)
    return _moved(p, shift(p.start, Grain.YEAR, -1), shift(p.end, Grain.YEAR, -1))


def _moved(p: Period, start: date, end: date) -> Period:
    """`p` moved to [start, end): labelled as `p` is (months, or days)."""
    if re.fullmatch(r"\d{4}-\d{2}\.\.\d{4}-\d{2}", p.label) and start.day == 1 and end.day == 1:
        last = shift(end, Grain.MONTH, -1)
        return Period(start, end, f"{label(start, Grain.MONTH)}..{label(last, Grain.MONTH)}")
    return days(start, end)
