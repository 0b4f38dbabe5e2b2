"""The quadrant's default window: long enough that most reps can be judged, no longer.

A quarter is the window the quadrant is meant for, but a rep is labelled only with at least
`MIN_CLOSED_DEALS` closed deals and `MIN_WEEKS_ACTIVE` weeks with activity. Where deals are few
(long cycles, large deals) one quarter leaves most reps inconclusive, and the quadrant then
answers nothing. The default window is therefore the shortest run of whole quarters, ending with
the last full quarter, in which at least `MIN_READY_SHARE` of the reps active in it have that
evidence and `MIN_WON_DEALS` won deals (what a performance interval needs to exclude the target
for a rep clearly off it); at most `MAX_QUARTERS` quarters (older figures describe another team). The choice and
its reason are part of the result, said on every interface; a window given explicitly is used
as given.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

import pandas as pd

from salesperf.analysis.quadrant.evidence import MIN_CLOSED_DEALS, MIN_WEEKS_ACTIVE
from salesperf.analysis.quadrant.text import window_choice_text
from salesperf.analysis.windows import period_label
from salesperf.metrics.compiler import run
from salesperf.metrics.periods import Grain, Period, period_start, shift
from salesperf.metrics.query import By, Query
from salesperf.store import Store
from salesperf.text import Text

#: The share of active reps that must have enough evidence for a label: at least half, so that
#: the quadrant labels (or rules out) most of the team rather than a few of its busiest reps.
MIN_READY_SHARE = 0.5
#: The won deals a rep needs, besides `MIN_CLOSED_DEALS` closed, to count toward that share:
#: revenue over 20 won deals (a Poisson count, deal sizes varying as usual) has a 95% interval
#: of about +/-50%, so a rep at half the target or double it can be told from one on target.
#: With fewer, the performance interval spans the target for all but extreme reps.
MIN_WON_DEALS = 20
# the window's text states the won deals as the bar: they must imply the closed minimum
assert MIN_WON_DEALS >= MIN_CLOSED_DEALS
#: The longest default window, in quarters: a year. Beyond it the team and its targets change.
MAX_QUARTERS = 4


class WindowWhy(StrEnum):
    """Why a diagnosis used its window."""

    GIVEN = "given"  # the user gave it
    CHOSEN = "chosen"  # the shortest run in which enough reps have the evidence
    LONGEST = "longest"  # MAX_QUARTERS, and even so too few reps have it
    ALL_DATA = "all_data"  # every quarter with data, and even so too few reps have it
    NONE_ACTIVE = "none_active"  # no rep was active in it


@dataclass(frozen=True)
class Tried:
    """One run of whole quarters tried: how many reps were active in it and how many had the
    evidence a label needs."""

    quarters: int
    ready: int
    active: int


@dataclass(frozen=True)
class WindowChoice:
    """The window a diagnosis used and why."""

    window: Period
    chosen: bool  # True: chosen by the rule above; False: given by the user
    tried: tuple[Tried, ...]  # the runs tried, shortest first (empty when given)
    text: Text  # why, in words (`text.window_choice_text`)


def quarters_window(end: date, n: int) -> Period:
    """The `n` whole quarters before `end` (the first day of a quarter)."""
    q = Grain.QUARTER
    start = shift(end, q, -n)
    first, last = period_label(start, q), period_label(shift(end, q, -1), q)
    return Period(start, end, first if n == 1 else f"{first}..{last}")


def given_window(window: Period) -> WindowChoice:
    """A window the user gave: used as given."""
    return WindowChoice(window, False, (), _text(WindowWhy.GIVEN, window, ()))


def chosen_end(today: date) -> date:
    """The end of every window `choose_window` tries: the start of `today`'s quarter."""
    return period_start(today, Grain.QUARTER)


def choose_window(store: Store, reps: frozenset[str], today: date) -> WindowChoice:
    """The shortest run of whole quarters ending with the last full quarter before `today` in
    which at least `MIN_READY_SHARE` of the active reps of `reps` have the evidence a label
    needs; `MAX_QUARTERS` when none is."""
    end = chosen_end(today)
    longest = quarters_window(end, MAX_QUARTERS)
    tz, cur = store.settings.timezone, store.settings.currency
    q = Query(("deals_won", "deals_lost", "activities"), longest.start, end,
              grain=Grain.QUARTER, by=By.REP, reps=reps)  # fmt: skip
    per_q = run(store.con, q, tz, cur)
    days = run(store.con, Query(("activities",), longest.start, end, grain=Grain.DAY,
                                by=By.REP, reps=reps), tz, cur)  # fmt: skip
    days = days[days.activities.fillna(0) > 0]
    tried: list[Tried] = []
    for n in range(1, MAX_QUARTERS + 1):
        first = quarters_window(shift(end, Grain.QUARTER, 1 - n), 1)
        if tried and not _count(per_q, days, first).active:
            break  # the data begin after this quarter: going further back adds nothing
        tried.append(_count(per_q, days, quarters_window(end, n)))
        if tried[-1].active and tried[-1].ready >= MIN_READY_SHARE * tried[-1].active:
            break
    window = quarters_window(end, len(tried))
    return WindowChoice(window, True, tuple(tried), _text(_why(tried), window, tried))


def _count(per_q: pd.DataFrame, days: pd.DataFrame, w: Period) -> Tried:
    """Active reps in `w` (activity or a closed deal) and those with enough evidence."""
    rows = per_q[(per_q.period_start >= w.start) & (per_q.period_start < w.end)]
    sums = rows.groupby("rep_id")[["deals_won", "deals_lost", "activities"]].sum()
    closed = sums.deals_won.fillna(0) + sums.deals_lost.fillna(0)
    active = sums[(closed > 0) | (sums.activities.fillna(0) > 0)].index
    d = days[(days.period_start >= w.start) & (days.period_start < w.end)]
    d = d.assign(week=pd.to_datetime(d.period_start).dt.strftime("%G-%V"))
    weeks = d.groupby("rep_id").week.nunique()
    ready = [
        r for r in active
        if closed[r] >= MIN_CLOSED_DEALS
        and sums.deals_won.fillna(0)[r] >= MIN_WON_DEALS
        and weeks.get(r, 0) >= MIN_WEEKS_ACTIVE
    ]  # fmt: skip
    return Tried(_quarters(w), len(ready), len(active))


def _quarters(w: Period) -> int:
    return (w.end.year - w.start.year) * 4 + (w.end.month - w.start.month) // 3


def _why(tried: Sequence[Tried]) -> WindowWhy:
    """Why the run of quarters tried last was kept."""
    last = tried[-1]
    if not last.active:
        return WindowWhy.NONE_ACTIVE
    if last.ready < MIN_READY_SHARE * last.active:
        return WindowWhy.LONGEST if last.quarters == MAX_QUARTERS else WindowWhy.ALL_DATA
    return WindowWhy.CHOSEN


def _text(why: WindowWhy, window: Period, tried: Sequence[Tried]) -> Text:
    limits = {
        "min_closed_deals": MIN_CLOSED_DEALS,
        "min_won_deals": MIN_WON_DEALS,
        "min_weeks_active": MIN_WEEKS_ACTIVE,
        "min_ready_share": MIN_READY_SHARE,
        "max_quarters": MAX_QUARTERS,
    }
    return window_choice_text(why, window, tried, limits)
