"""Working time: the days each rep is away or at work, the clock that moves work onto a rep's
working hours (and to their successor once they left), and the planted activity dip."""

from __future__ import annotations

import datetime as dtm
from dataclasses import dataclass

import numpy as np

from salesperf.demo.calendar import DAY, OFFICE_END, OFFICE_START, Calendar
from salesperf.demo.codes import Bools, Floats, Ints
from salesperf.demo.config import Profile
from salesperf.demo.draws import office_minutes
from salesperf.demo.org import Org
from salesperf.demo.planted import DIP_DAYS


def build_absences(cal: Calendar, org: Org, rng: np.random.Generator) -> tuple[Bools, Bools]:
    """Days off per rep (public holidays, summer and Christmas leave, loose days, sick days),
    recorded on employed weekdays; and the working days that remain."""
    n, nd = len(org.start_day), cal.n_days
    day = np.arange(nd)
    off = np.repeat(cal.holiday[None, :], n, axis=0)

    def mark(rows: Ints, cols: Ints) -> None:
        """Mark (rep, day) pairs as off, ignoring days outside the calendar."""
        inside = (cols >= 0) & (cols < nd)
        off[rows[inside], cols[inside]] = True

    def spans(rows: Ints, starts: Ints, lengths: Ints) -> None:
        """Mark runs of consecutive days off."""
        total = int(lengths.sum())
        within = np.arange(total) - np.repeat(np.cumsum(lengths) - lengths, lengths)
        mark(np.repeat(rows, lengths), np.repeat(starts, lengths) + within)

    reps = np.arange(n)
    for year in range(cal.start.year, cal.start.year + (nd // 365) + 2):
        jan1 = cal.day_of(dtm.date(year, 1, 1))
        jul1 = cal.day_of(dtm.date(year, 7, 1))
        monday = jul1 + (7 - dtm.date(year, 7, 1).weekday()) % 7
        takes = reps[rng.random(n) < 0.85]  # two weeks of summer leave, July to mid-August
        spans(takes, monday + 7 * rng.integers(0, 7, len(takes)), np.full(len(takes), 14))
        xmas = reps[rng.random(n) < 0.6]  # the days between Christmas and New Year
        spans(xmas, np.full(len(xmas), cal.day_of(dtm.date(year, 12, 27))), np.full(len(xmas), 5))
        loose = rng.poisson(7, n)
        mark(np.repeat(reps, loose), jan1 + rng.integers(0, 365, int(loose.sum())))
        sick = rng.poisson(2.5, n)
        k = int(sick.sum())
        spans(
            np.repeat(reps, sick),
            jan1 + rng.integers(0, 365, k),
            np.minimum(rng.geometric(0.45, k), 10),
        )
    weekday = (cal.weekday < 5)[None, :]
    employed = (day[None, :] >= org.start_day[:, None]) & (day[None, :] <= org.end_day[:, None])
    return off & weekday & employed, weekday & employed & ~off


def dip_start(cal: Calendar, lag_weeks: int) -> int:
    """A Monday for the activity dip, about 60% into the history, with room for its echo in
    revenue one lag later.

    The dip and its echo stay in spring if they can (flat seasons), else in spring or autumn:
    clear of the summer and Christmas holidays and of the weeks right after them, when fewer
    deals close because fewer were worked.
    """
    day = np.arange(cal.n_days)
    span = DIP_DAYS + 7 * lag_weeks + 14
    end = np.minimum(day + span, cal.n_days)
    middle = cal.first + 0.6 * (cal.n_days - cal.first)
    for months in ((3, 4, 5), (3, 4, 5, 10, 11)):
        stormy = np.r_[0, np.cumsum(~np.isin(cal.month, months))]
        calm = (stormy[end] == stormy[day]) & (day + span < cal.n_days)
        ok = (cal.weekday == 0) & calm & (day >= cal.first + 56)
        if ok.any():
            return int(day[ok][np.argmin(np.abs(day[ok] - middle))])
    ok = (cal.weekday == 0) & (day >= cal.first) & (day + DIP_DAYS < cal.n_days)
    return int(day[ok][np.argmin(np.abs(day[ok] - middle))])


class Clock:
    """Moves raw times onto a rep's working hours; hands work over once a rep has left."""

    def __init__(self, work: Bools, successor: Ints, rng: np.random.Generator) -> None:
        n_reps, self.n_days = work.shape
        self.work = work
        day = np.arange(self.n_days + 1, dtype=np.int32)
        # next_day[rep, d]: the rep's first working day on or after d (n_days when none), so
        # that moving a time to working hours is a lookup rather than a search.
        marked = np.where(np.c_[work, np.ones((n_reps, 1), bool)], day[None, :], self.n_days)
        self.next_day = np.minimum.accumulate(marked[:, ::-1], axis=1)[:, ::-1].astype(np.int32)
        self.last_day: Ints = (work * (day[None, :-1] + 1)).max(axis=1).astype(np.int64) - 1
        self.successor = successor
        self.rng = rng

    def snap(self, rep: Ints, t: Ints) -> tuple[Ints, Bools]:
        """The first working moment of `rep` at or after `t`, and whether there is one."""
        day = t // DAY
        mod = t - day * DAY
        late = mod >= OFFICE_END
        new_day = self.next_day[rep, np.clip(day + late, 0, self.n_days)].astype(np.int64)
        ok: Bools = new_day < self.n_days
        keep = (new_day == day) & (mod >= OFFICE_START) & ~late
        fresh = new_day * DAY + office_minutes(self.rng, len(t))
        out: Ints = np.where(keep, t, fresh)
        return out, ok

    def actor(self, owner: Ints, t: Ints) -> Ints:
        """Who does work owned by `owner` at `t`: the owner, or their successor once they left."""
        out: Ints = np.where(t // DAY > self.last_day[owner], self.successor[owner], owner)
        return out

    def act(self, owner: Ints, t: Ints) -> tuple[Ints, Ints, Bools]:
        """Who does work owned by `owner` at `t`, when (the next working moment), and whether
        that still falls inside the history."""
        rep = self.actor(owner, t)
        new_t, ok = self.snap(rep, t)
        retry = ~ok & (rep == owner) & (self.successor[owner] != owner)
        if retry.any():
            rep[retry] = self.successor[owner[retry]]
            new_t[retry], ok[retry] = self.snap(rep[retry], t[retry])
        return rep, new_t, ok

    def within(self, owner: Ints, lo: Ints, hi: Ints) -> tuple[Ints, Ints, Bools]:
        """Like `act`, for a moment drawn evenly over the working days between lo and hi.

        Drawing calendar time and moving it to the next working moment would pile the weekend's
        share onto Mondays; instead a day is redrawn until it is a working day of whoever then
        does the work (a few rounds; what is left over moves to the next working moment).
        """
        n = len(owner)
        rep = np.empty(n, dtype=np.int64)
        t = np.empty(n, dtype=np.int64)
        ok = np.ones(n, dtype=bool)
        first, days = lo // DAY, hi // DAY - lo // DAY + 1
        latest = np.maximum(hi - 1, lo)
        todo = np.arange(n)
        for _ in range(3):
            if not len(todo):
                break
            day = first[todo] + (self.rng.random(len(todo)) * days[todo]).astype(np.int64)
            cand = day * DAY + office_minutes(self.rng, len(todo))
            cand = np.minimum(np.maximum(cand, lo[todo]), latest[todo])
            r = self.actor(owner[todo], cand)
            d = cand // DAY
            mod = cand - d * DAY
            good = (d >= 0) & (d < self.n_days) & (mod >= OFFICE_START) & (mod < OFFICE_END)
            good[good] = self.work[r[good], d[good]]
            done = todo[good]
            rep[done], t[done] = r[good], cand[good]
            todo = todo[~good]
        if len(todo):
            rep[todo], t[todo], ok[todo] = self.act(owner[todo], lo[todo])
        return rep, t, ok


@dataclass(frozen=True)
class Setting:
    """What every generator works within: the context, the calendar, the people, the days each
    of them works, the clock that moves work onto those days, and the activity dip."""

    profile: Profile
    cal: Calendar
    org: Org
    work: Bools  # (rep, day): a working day of that rep
    clock: Clock
    dip: Floats  # activity on each day, as a share of normal

    def dip_of(self, t: Ints) -> Floats:
        """The share of normal activity at each time."""
        out: Floats = self.dip[np.clip(t // DAY, 0, self.cal.n_days - 1)]
        return out
