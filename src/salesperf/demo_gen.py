"""Vectorised generators behind the demo organisation of `salesperf.demo`.

Everything is drawn with numpy from one seed and assembled into Arrow tables without Python loops
over activities, leads or deals; loops run only over pipeline stages, activity types, calendar
years and generations of follow-on deals. Times are integer minutes since midnight of the first
day, in the organisation's local time (Europe/Amsterdam); they become naive UTC only when the
tables are built, so office hours and working days are easy to reason about here.
"""

from __future__ import annotations

import datetime as dtm
import math
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt

from salesperf.schema import ActivityOutcome, ActivityType, LeadSource

Ints = npt.NDArray[np.signedinteger[Any]]
Floats = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]

TIMEZONE = "Europe/Amsterdam"
DAY = 1440  # minutes
OFFICE_START, OFFICE_END = 8 * 60 + 30, 18 * 60
OFFSET_PAD = 3 * 366  # days around the history for which UTC offsets are known
NEVER = 1 << 40  # a time or day after everything
# The simulation starts this long before the history, so that the history opens on a running
# business (open pipeline, customers up for renewal) instead of an empty CRM.
WARMUP_DAYS = 400
STAGES = ("qualification", "discovery", "demo", "proposal", "negotiation")
DEMO_STAGE = STAGES.index("demo")
WON_STAGE, LOST_STAGE = "closed_won", "closed_lost"
SEGMENTS = ("smb", "mid", "enterprise")
KINDS = ("new_business", "upsell", "renewal")
TYPES = ActivityType.words()
OUTCOMES = ActivityOutcome.words()
SOURCES = LeadSource.words()
T_ = {word: i for i, word in enumerate(TYPES)}
O_ = {word: i for i, word in enumerate(OUTCOMES)}

# -- planted patterns: each is made below where its comment says, and reported in Planted ------
# Busy-not-effective reps log far more activity than their peers, but their deals stall right
# after the demo: the demo -> proposal step is where their conversion breaks.
BUSY_ACTIVITY = 1.75
BUSY_TOUCHES = 1.5
BUSY_BREAK_LOGIT = -1.9
BUSY_BREAKS_AT = "demo->proposal"
# Efficient reps do little (fewer calls and emails) but win far more of what they work on.
EFFICIENT_ACTIVITY = 0.6
EFFICIENT_TOUCHES = 0.6
EFFICIENT_SKILL = 0.7
# The under-target team is weaker at closing, and misses its quota in 3 quarters of every 4.
UNDER_TARGET_SKILL = -0.35
# The driver: every held activity of the driver type during a deal's demo stage raises the odds
# of moving to proposal and of the final win. Close follows the demo stage by the driver lag.
DRIVER_MEAN = 1.6
DRIVER_EFFECT = 0.6
# Hires (and the marked new hire) ramp from 30% of normal volume and a skill handicap to full
# speed over RAMP_WEEKS.
RAMP_WEEKS = 12
RAMP_FLOOR = 0.3
RAMP_SKILL = -1.0
# The activity dip: all rep activity (including driver activities on open deals) drops for three
# weeks; revenue follows one driver lag later because the deals then in their demo stage got
# fewer demos.
DIP_DAYS = 21
DIP_FACTOR = 0.35
# Seasonality: lead volume and activity by calendar month, and the win odds of deals by the month
# they close in (Q4 budget flush strongest, July-August summer dip).
LEAD_SEASON = (1.05, 1.0, 1.05, 1.0, 1.0, 0.95, 0.75, 0.7, 1.05, 1.1, 1.15, 0.9)
ACTIVITY_SEASON = (1.0, 1.0, 1.0, 1.0, 1.0, 0.97, 0.88, 0.85, 1.05, 1.05, 1.05, 0.92)
WIN_SEASON = (0.0, 0.0, 0.1, 0.0, 0.0, 0.1, -0.2, -0.25, 0.1, 0.3, 0.35, 0.45)
# Quarter-end push: wins due in the first days of a quarter are pulled into the last days of
# the one before: (days into a quarter, days into January, chance, chance in January).
PULL_IN = (10, 31, 0.3, 0.6)
SEASONALITY = (
    "lead volume x1.1-1.15 in October-November and x0.7-0.75 in July-August (summer holidays "
    "on top, in the absences); win odds +0.3-0.45 (logit) for deals closing October-December, "
    "-0.2 in July-August; wins due early in a quarter are often pulled into the last days of "
    "the one before (30%; 60% of January's at year end). Revenue follows lead volume by about "
    "one sales cycle ({cycle} weeks here), so {peak}"
)

# -- ordinary realism ------------------------------------------------------------------------
STAGE_LOGIT = np.array([1.4, 1.1, 0.85, 1.4, 0.85])  # base odds of moving on from each stage
SKILL_WEIGHT = np.array([0.5, 0.5, 1.0, 1.0, 1.0])  # skill matters most from the demo on
SOURCE_WIN = np.array([0.1, -0.3, 0.6, 0.0, -0.3, 0.3, 0.0])  # LeadSource order
SOURCE_QUALIFY = np.array([-0.2, -1.4, 0.6, -0.85, -1.7, 0.0, -1.1])  # referral converts best
SEGMENT_WIN = np.array([0.15, 0.0, -0.3])
SEGMENT_AMOUNT = np.array([0.6, 1.1, 2.2])
SEGMENT_EARLY_PACE = np.array([0.85, 1.0, 1.3])  # enterprise deals qualify slowly
RENEWAL_BONUS, UPSELL_BONUS = 1.6, 0.5
MANAGER_QUOTA = 0.3  # a manager's revenue quota, as a share of a rep's
SEGMENT_CHURN = np.array([0.12, 0.06, 0.03])  # chance a customer quietly leaves, by segment
DEAL_FROM_QUALIFIED = 0.8
STAGE_TOUCH_RATE = np.array([0.5, 0.45, 0.35, 0.4, 0.5])  # calls/emails per deal per day
STAGE_TOUCH_MIX = (  # call, email, follow_up
    (0.5, 0.5, 0.0),
    (0.35, 0.45, 0.2),
    (0.2, 0.6, 0.2),
    (0.15, 0.5, 0.35),
    (0.35, 0.5, 0.15),
)
HOUR_WEIGHTS = np.array([0.04, 0.12, 0.14, 0.13, 0.07, 0.1, 0.13, 0.12, 0.1, 0.05])  # 8h..17h
LOST_REASONS = (
    "no_budget",
    "no_decision",
    "timing",
    "went_dark",
    "product_fit",
    "competitor",
    "price",
)
LOST_BY_STAGE = (
    (0.35, 0.2, 0.2, 0.25, 0.0, 0.0, 0.0),
    (0.25, 0.2, 0.15, 0.2, 0.1, 0.1, 0.0),
    (0.05, 0.3, 0.05, 0.1, 0.3, 0.2, 0.0),
    (0.05, 0.15, 0.1, 0.05, 0.05, 0.3, 0.3),
    (0.05, 0.15, 0.05, 0.05, 0.0, 0.3, 0.4),
)


@dataclass(frozen=True)
class Profile:
    """What a kind of company sells and how its sales team works: the context parameters."""

    company: str
    domain: str
    segment_mix: tuple[float, float, float]  # smb, mid, enterprise
    amount_median: float
    amount_range: tuple[float, float]
    amount_step: float
    stage_days: tuple[float, float, float, float, float]  # median days spent in each stage
    leads_per_day: float  # per rep per working day
    activities_per_day: float  # prospecting work per rep per working day, besides leads and deals
    prospect_mix: tuple[tuple[str, float], ...]
    source_mix: tuple[float, ...]  # LeadSource order
    driver_type: str
    discovery_type: str
    accounts_per_lead: float
    renewal: tuple[float, float, float, float, float]  # p, days after close lo-hi, amount x lo-hi
    upsell: tuple[float, float, float, float, float]

    @property
    def cycle_weeks(self) -> int:
        """Weeks from a deal's creation to its close, for a deal that goes all the way."""
        return round(sum(self.stage_days) / 7)

    @property
    def seasonality(self) -> str:
        """The seasonal pattern as it shows in this context's revenue, in words."""
        peak = (
            "Q4 is the strongest quarter and July-September the weakest"
            if self.cycle_weeks <= 6
            else "the summer lull shows in October-November closes and Q1 is strongest"
        )
        return SEASONALITY.format(cycle=self.cycle_weeks, peak=peak)

    @property
    def driver_lag_weeks(self) -> int:
        """Weeks from the middle of the demo stage (where driver work happens) to the close."""
        d = self.stage_days
        return round((d[2] / 2 + d[3] + d[4]) / 7)


def logistic(x: Floats) -> Floats:
    """The logistic function."""
    out: Floats = 1.0 / (1.0 + np.exp(-x))
    return out


def draw_rows(rng: np.random.Generator, probs: Floats, row: Ints) -> Ints:
    """One category per element, from the probability row `probs[row[i]]` (rows sum to 1)."""
    cum = np.cumsum(probs, axis=1)
    cum[:, -1] = 1.0
    u = rng.random(len(row))
    out: Ints = np.zeros(len(row), dtype=np.int64)
    for j in range(probs.shape[1] - 1):
        out += u >= cum[row, j]
    return out


# -- calendar ------------------------------------------------------------------------------
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


# -- working time --------------------------------------------------------------------------
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


def sampler(values: Sequence[int] | Ints, weights: Sequence[float] | Floats) -> Ints:
    """A lookup table in which each value appears in proportion to its weight; indexing it at
    random is much quicker than a weighted choice on millions of draws."""
    w = np.asarray(weights, dtype=float)
    counts = np.round(w / w.sum() * 8192).astype(np.int64)
    out: Ints = np.repeat(np.asarray(values, dtype=np.int64), counts)
    return out


def draw(rng: np.random.Generator, table: Ints, n: int) -> Ints:
    """n draws from a `sampler` table."""
    out: Ints = table[rng.integers(0, len(table), n)]
    return out


# Office minutes from 8:30 to 18:00, busiest mid-morning and mid-afternoon.
_OFFICE = np.arange(OFFICE_START, OFFICE_END)
_OFFICE_MINUTES = sampler(
    _OFFICE, HOUR_WEIGHTS[_OFFICE // 60 - 8] / np.where(_OFFICE < 540, 30, 60)
)


def office_minutes(rng: np.random.Generator, n: int) -> Ints:
    """Times of day in office hours."""
    return draw(rng, _OFFICE_MINUTES, n)


def amounts(rng: np.random.Generator, profile: Profile, segment: Ints, size: Floats) -> Floats:
    """Deal amounts: lognormal around the context median, by segment and rep, in range."""
    lo, hi = profile.amount_range
    raw = profile.amount_median * SEGMENT_AMOUNT[segment] * size
    raw = raw * rng.lognormal(0.0, 0.45, len(segment))
    out: Floats = np.round(np.clip(raw, lo, hi) / profile.amount_step) * profile.amount_step
    return out


def month_start(key: Ints) -> Ints:
    """Days since 1970 of the first day of each running month number (year * 12 + month - 1)."""
    months = (np.asarray(key) - 1970 * 12).astype("datetime64[M]")
    out: Ints = months.astype("datetime64[D]").astype(np.int64)
    return out


# -- the organisation ----------------------------------------------------------------------
REGIONS = ("Benelux", "DACH", "Nordics", "UK & Ireland")
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
FIRST_NAMES = (
    "Anna", "Bram", "Chloé", "Daan", "Eva", "Finn", "Greta", "Hugo", "Iris", "Jesse", "Kim",
    "Lars", "Mila", "Noah", "Olga", "Pieter", "Quinn", "Roos", "Sem", "Tess", "Umar", "Vera",
    "Wout", "Xena", "Yara", "Zeynep", "Lotte", "Milan", "Sophie", "Thijs", "Nora", "Levi",
    "Fatima", "Lucas", "Julia", "Ruben", "Emma", "Jan", "Sara", "Mohammed",
)  # fmt: skip
LAST_NAMES = (
    "de Vries", "Jansen", "Bakker", "Visser", "Smit", "Meijer", "de Boer", "Mulder", "de Groot",
    "Bos", "Vos", "Peters", "Hendriks", "van Leeuwen", "Dekker", "Brouwer", "de Wit", "Dijkstra",
    "Smits", "de Graaf", "van der Meer", "Kok", "Jacobs", "Haan", "Vermeulen", "Schouten",
    "Willems", "Hoekstra", "Koster", "Prins", "Yilmaz", "El Amrani", "Müller", "Schmidt",
    "Nielsen", "Lindqvist", "O'Brien", "Murphy", "Kowalski", "Novak",
)  # fmt: skip


@dataclass
class Org:
    """The team tree and the people in it, with the traits that drive their numbers."""

    team_names: list[str]
    team_parent: list[int]  # -1 for the root
    team_manager: list[int]  # rep index
    rep_team: Ints  # team index (a leaf team) of each rep
    manager: Bools
    start_day: Ints
    end_day: Ints  # NEVER for reps still there
    successor: Ints  # who takes over open work when a rep leaves: the team manager
    names: list[str]
    emails: list[str]
    act_level: Floats  # prospecting volume multiplier
    touch: Floats  # calls and emails per lead and per deal
    lead_level: Floats  # share of incoming leads
    skill: Floats  # logit shift on pipeline steps
    demo_break: Floats  # logit shift on demo -> proposal (planted for busy reps)
    driver_mult: Floats  # driver activities per deal
    held: Floats  # share of meetings and demos held
    connect: Floats  # call connect rate
    speed_h: Floats  # mean hours to first touch of a new lead
    quality: Floats  # survey scores
    size: Floats  # deal size multiplier
    busy: list[int]
    efficient: list[int]
    new_hire: int
    leavers: list[int]
    hires: list[int]
    under_team: int  # team index

    def ramp(self, rep: Ints, day: Ints) -> Floats:
        """How far each rep has ramped up on each day: 1 for all but recent hires."""
        start = self.start_day[rep]
        progress = np.clip((day - start) / (RAMP_WEEKS * 7), 0.0, 1.0)
        out: Floats = RAMP_FLOOR + (1 - RAMP_FLOOR) * progress
        return out


def _pick(candidates: list[int], team: Ints, count: int, taken: set[int]) -> list[int]:
    """`count` free candidates, in their given order, from as many different teams as possible."""
    free = [c for c in candidates if c not in taken]
    picked: list[int] = []
    teams: set[int] = set()
    for c in free:
        if len(picked) < count and int(team[c]) not in teams:
            picked.append(c)
            teams.add(int(team[c]))
    picked += [c for c in free if c not in picked][: count - len(picked)]
    taken.update(picked)
    return picked


def build_org(n: int, cal: Calendar, profile: Profile, rng: np.random.Generator) -> Org:
    """Org root -> 2-4 regions -> teams of about eight with a manager each, and their reps."""
    n_leaves = max(1, round(n / 8))
    n_regions = 1 if n_leaves == 1 else min(4, max(2, -(-n_leaves // 4)))
    sizes = np.full(n_leaves, n // n_leaves)
    sizes[: n % n_leaves] += 1
    leaf = np.repeat(np.arange(n_leaves), sizes)
    first = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
    region = np.arange(n_leaves) * n_regions // n_leaves
    leaf0 = 1 + n_regions  # team index of the first leaf team
    names = [profile.company] + [REGIONS[r] for r in range(n_regions)]
    names += [f"{REGIONS[r]} {1 + int(np.sum(region[:i] == r))}" for i, r in enumerate(region)]
    parent = [-1] + [0] * n_regions + [1 + int(r) for r in region]
    region_manager = [int(first[np.flatnonzero(region == r)[0]]) for r in range(n_regions)]
    team_manager = [region_manager[0], *region_manager, *first.tolist()]
    rep_team = leaf + leaf0
    manager = np.zeros(n, dtype=bool)
    manager[first] = True

    # Planted reps sit outside the under-target team, spread over teams, so that each team's
    # median stays a fair yardstick and the weak team's shortfall has one clear cause.
    members = rng.permutation(np.flatnonzero(~manager)).tolist()
    under = int(rng.integers(n_leaves))
    others = [m for m in members if leaf[m] != under] if n_leaves > 1 else members
    n_plant = 1 if len(members) < 8 else 2 if len(members) < 60 else 3
    taken: set[int] = set()
    busy = _pick(others, leaf, n_plant, taken)
    efficient = _pick(others, leaf, n_plant, taken)
    new_hire = _pick(others + members, leaf, 1, taken)[0]
    n_move = round(0.08 * len(members))
    leavers = _pick(members, leaf, n_move, taken)
    hires = _pick(members, leaf, n_move, taken)

    nd, h0 = cal.n_days, cal.first
    span = nd - h0
    start_day = h0 - rng.integers(180, 6 * 365, n)
    start_day[manager] = h0 - rng.integers(2 * 365, 10 * 365, int(manager.sum()))
    hired = h0 + rng.integers(int(0.1 * span), int(0.7 * span), len(hires))
    start_day[hires] = hired - cal.weekday[hired]  # people start on a Monday
    # The marked new hire started on the Monday about 13 weeks before the end of the history.
    start_day[new_hire] = nd - 91 - int(cal.weekday[nd - 91])
    end_day = np.full(n, NEVER, dtype=np.int64)
    end_day[leavers] = h0 + rng.integers(int(0.2 * span), int(0.85 * span), len(leavers))
    successor = np.where(manager, np.arange(n), first[leaf])

    def lognormal(sigma: float) -> Floats:
        """A lognormal trait around 1, one per rep."""
        out: Floats = rng.lognormal(0.0, sigma, n)
        return out

    act_level, touch, lead_level = lognormal(0.15), lognormal(0.1), lognormal(0.12)
    skill = rng.normal(0.0, 0.25, n)
    quality = rng.normal(0.0, 0.3, n)
    driver_mult, size = lognormal(0.1), lognormal(0.1)
    demo_break = np.zeros(n)
    act_level[manager] *= 0.3
    lead_level[manager] *= 0.15
    # Planted: busy-not-effective reps (much activity, deals stall after the demo).
    act_level[busy] *= BUSY_ACTIVITY
    touch[busy] *= BUSY_TOUCHES
    demo_break[busy] = BUSY_BREAK_LOGIT
    quality[busy] -= 0.25
    # Planted: efficient reps (little activity, high win rate, bigger deals, more demos).
    act_level[efficient] *= EFFICIENT_ACTIVITY
    touch[efficient] *= EFFICIENT_TOUCHES
    lead_level[efficient] *= 0.8  # less prospecting also finds fewer leads of their own
    skill[efficient] += EFFICIENT_SKILL
    size[efficient] *= 1.15
    driver_mult[efficient] *= 1.2
    quality[efficient] += 0.35
    # Planted: the under-target team closes worse than the rest.
    skill[leaf == under] += UNDER_TARGET_SKILL
    speed_h = np.exp(rng.normal(math.log(5.0), 0.5, n))
    speed_h[busy] *= 0.4  # busy reps are quick to pick up the phone

    domain = profile.domain
    rep_names, emails, seen = [], [], set()
    for i in range(n):  # a few thousand at most
        f = FIRST_NAMES[int(rng.integers(len(FIRST_NAMES)))]
        last = LAST_NAMES[int(rng.integers(len(LAST_NAMES)))]
        rep_names.append(f"{f} {last}")
        local = f"{f}.{last}".lower().replace(" ", "").replace("'", "")
        local = local.replace("é", "e").replace("ü", "u")
        email = f"{local}@{domain}" if local not in seen else f"{local}{i + 1}@{domain}"
        seen.add(local)
        emails.append(email)
    return Org(
        team_names=names,
        team_parent=parent,
        team_manager=team_manager,
        rep_team=rep_team,
        manager=manager,
        start_day=start_day,
        end_day=end_day,
        successor=successor,
        names=rep_names,
        emails=emails,
        act_level=act_level,
        touch=touch,
        lead_level=lead_level,
        skill=skill,
        demo_break=demo_break,
        driver_mult=driver_mult,
        held=logistic(rng.normal(1.5, 0.25, n)),
        connect=logistic(rng.normal(-0.2, 0.25, n)),
        speed_h=speed_h,
        quality=quality,
        size=size,
        busy=busy,
        efficient=efficient,
        new_hire=new_hire,
        leavers=leavers,
        hires=hires,
        under_team=under + leaf0,
    )


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


# -- leads, deals and activities -----------------------------------------------------------
def _lead_touch_mix() -> Floats:
    """Type mix of the touches on a lead, by lead source: social leads get social replies."""
    mix = np.zeros((len(SOURCES), len(TYPES)))
    mix[:, [T_["call"], T_["email"], T_["social"]]] = (0.5, 0.45, 0.05)
    mix[SOURCES.index("social"), [T_["call"], T_["email"], T_["social"]]] = (0.15, 0.25, 0.6)
    mix[SOURCES.index("event"), [T_["call"], T_["email"], T_["follow_up"], T_["social"]]] = (
        0.45, 0.45, 0.1, 0.0,
    )  # fmt: skip
    return mix


@dataclass
class Acts:
    """Activities as parallel arrays; deal, lead, account and preset outcome are -1 when none."""

    rep: Ints
    t: Ints
    type: Ints
    outcome: Ints
    deal: Ints
    lead: Ints
    account: Ints
    duration: Floats | None = None

    @classmethod
    def of(cls, rep: Ints, t: Ints, type_: Ints, **links: Ints) -> Acts:
        """Activities with the given links; the others none.

        Stored narrow (int32, codes as int8): at ten million rows every sort and gather moves
        half the memory it would in int64.
        """
        none = np.full(len(rep), -1, dtype=np.int32)
        return cls(
            rep=rep.astype(np.int32),
            t=t.astype(np.int32),
            type=type_.astype(np.int8),
            outcome=links.get("outcome", none).astype(np.int8),
            deal=links.get("deal", none).astype(np.int32),
            lead=links.get("lead", none).astype(np.int32),
            account=links.get("account", none).astype(np.int32),
        )

    @classmethod
    def concat(cls, parts: Sequence[Acts]) -> Acts:
        """All parts as one."""
        return cls(**{f: np.concatenate([getattr(p, f) for p in parts]) for f in _ACT_FIELDS})

    def select(self, index: Ints | Bools) -> Acts:
        """The activities at `index`."""
        out = Acts(**{f: getattr(self, f)[index] for f in _ACT_FIELDS})
        out.duration = None if self.duration is None else self.duration[index]
        return out


_ACT_FIELDS = ("rep", "t", "type", "outcome", "deal", "lead", "account")


@dataclass
class Leads:
    """Leads as parallel arrays; account, qualified and deal are -1 when none."""

    rep: Ints
    created: Ints
    source: Ints
    account: Ints
    qualified: Ints
    deal: Ints


@dataclass
class Deals:
    """Deals as parallel arrays. The pipeline fills in stage times and outcome (`World._run`)."""

    owner: Ints  # who opened it
    created: Ints
    account: Ints
    amount: Floats
    source: Ints  # -1 for follow-on deals
    first: Ints  # first stage (renewals start at the proposal)
    bonus: Floats  # logit shift of a follow-on deal
    kind: Ints
    lead: Ints
    times: Ints = field(default_factory=lambda: np.zeros((0, 6), np.int64))  # stage entries
    stop: Ints = field(default_factory=lambda: np.zeros(0, np.int64))  # last stage entered
    won: Bools = field(default_factory=lambda: np.zeros(0, bool))  # its outcome, when closed
    close: Ints = field(default_factory=lambda: np.zeros(0, np.int64))  # may be after the end
    closed: Bools = field(default_factory=lambda: np.zeros(0, bool))  # decided in the history
    closer: Ints = field(default_factory=lambda: np.zeros(0, np.int64))  # owner at close or end

    @classmethod
    def concat(cls, parts: Sequence[Deals]) -> Deals:
        """All parts as one."""
        return cls(
            **{f.name: np.concatenate([getattr(p, f.name) for p in parts]) for f in fields(cls)}
        )

    def select(self, index: Ints) -> Deals:
        """The deals at `index`, in that order."""
        return Deals(**{f.name: getattr(self, f.name)[index] for f in fields(self)})


def _cells(counts: Ints) -> Ints:
    """The flat index of each event in a matrix of event counts, repeated by its count."""
    flat = counts.ravel()
    out: Ints = np.repeat(np.arange(flat.size, dtype=np.int64), flat)
    return out


def _minutes(x: Floats) -> Ints:
    """Days (floats) as whole minutes."""
    out: Ints = (x * DAY).astype(np.int64)
    return out


class World:
    """One generated organisation: the content of every table, as numpy arrays."""

    def __init__(self, profile: Profile, reps: int, years: int, seed: int, end: dtm.date) -> None:
        self.profile = profile
        streams = np.random.SeedSequence(seed).spawn(7)
        r_org, r_abs, r_clock, r_leads, r_deals, r_acts, r_rest = (
            np.random.default_rng(s) for s in streams
        )
        self.cal = cal = calendar(end, years)
        self.org = build_org(reps, cal, profile, r_org)
        self.absent, self.work = build_absences(cal, self.org, r_abs)
        self.clock = Clock(self.work, self.org.successor, r_clock)
        # Planted: the activity dip (every rep, DIP_DAYS long, to DIP_FACTOR of normal volume).
        self.dip_start = dip_start(cal, profile.driver_lag_weeks)
        self.dip = np.ones(cal.n_days)
        self.dip[self.dip_start : self.dip_start + DIP_DAYS] = DIP_FACTOR
        self.leads, lead_acts, seeds = self._leads(r_leads)
        self.deals, driver_acts = self._deals(seeds, r_deals)
        self.acts = self._activities([lead_acts, driver_acts], r_acts)
        self._surveys_and_churn(r_rest)
        # Deals, leads and surveys keep the warm-up as older CRM records, so that every renewal
        # and churn has the win before it, and win rates and lead conversion stay whole in
        # every period. Activity, absences and targets cover the history only.
        self.absent[:, : cal.first] = False
        self.targets_ = self.targets(r_rest)

    # -- leads --------------------------------------------------------------------------------
    def _dip_of(self, t: Ints) -> Floats:
        out: Floats = self.dip[np.clip(t // DAY, 0, self.cal.n_days - 1)]
        return out

    def account_of(self, rep: Ints, rng: np.random.Generator) -> Ints:
        """A random account from each rep's pool."""
        pick = (rng.random(len(rep)) * self.acc_pool[rep]).astype(np.int64)
        out: Ints = self.acc_first[rep] + pick
        return out

    def _leads(self, rng: np.random.Generator) -> tuple[Leads, Acts, Deals]:
        org, cal, p, clock = self.org, self.cal, self.profile, self.clock
        n_reps, nd = len(org.start_day), cal.n_days
        reps, days = np.arange(n_reps)[:, None], np.arange(nd)[None, :]
        season = np.asarray(LEAD_SEASON)[cal.month - 1][None, :]  # planted seasonality
        lam = p.leads_per_day * org.lead_level[:, None] * org.ramp(reps, days) * season * self.work
        cell = _cells(rng.poisson(lam))
        created = cell % nd * DAY + rng.integers(OFFICE_START, OFFICE_END, len(cell))
        order = np.argsort(created, kind="stable")
        rep, created = cell[order] // nd, created[order]
        n = len(rep)
        source = rng.choice(len(SOURCES), n, p=p.source_mix)
        # Speed to lead: the first touch follows within hours, quicker for some reps than others.
        delay = rng.exponential(org.speed_h[rep] * 60).astype(np.int64)
        first_rep, first_t, first_ok = clock.act(rep, created + delay)
        # Conversion differs by source (referrals qualify most often, social leads least).
        qualify = first_ok & (
            rng.random(n) < logistic(SOURCE_QUALIFY[source] + 0.3 * org.skill[rep])
        )
        _, qual_t, qual_ok = clock.act(rep, first_t + _minutes(rng.lognormal(math.log(2), 0.6, n)))
        qualify &= qual_ok
        has_deal = qualify & (rng.random(n) < DEAL_FROM_QUALIFIED)
        deal_rep, deal_t, deal_ok = clock.act(rep, qual_t + rng.integers(5, 90, n))
        has_deal &= deal_ok

        # Each rep works a pool of accounts; a lead may come back on an account seen before.
        has_account = qualify | (rng.random(n) < 0.55)
        per_rep = np.bincount(rep[has_account], minlength=n_reps)
        self.acc_pool = np.ceil(per_rep * p.accounts_per_lead).astype(np.int64) + 10
        self.acc_first = np.concatenate([[0], np.cumsum(self.acc_pool)[:-1]]).astype(np.int64)
        self.n_accounts = int(self.acc_pool.sum())
        self.acc_segment = rng.choice(len(SEGMENTS), self.n_accounts, p=p.segment_mix)
        account = np.where(has_account, self.account_of(rep, rng), -1)

        # Follow-up touches until the lead is qualified, or for up to three weeks if it never is.
        extra = rng.poisson(1.8 * org.touch[rep]) * first_ok
        span = np.where(qualify, qual_t - first_t, _minutes(rng.uniform(1, 21, n)))
        li = np.repeat(np.arange(n), extra)
        more_rep, more_t, more_ok = clock.within(rep[li], first_t[li], first_t[li] + span[li])
        more_ok &= rng.random(len(li)) < self._dip_of(more_t)
        firsts = np.flatnonzero(first_ok)
        lead_i = np.concatenate([firsts, li[more_ok]])
        acts = Acts.of(
            np.concatenate([first_rep[firsts], more_rep[more_ok]]),
            np.concatenate([first_t[firsts], more_t[more_ok]]),
            draw_rows(rng, _lead_touch_mix(), source[lead_i]),
            lead=lead_i,
            account=account[lead_i],
        )
        leads = Leads(rep, created, source, account, np.where(qualify, qual_t, -1), np.full(n, -1))
        d = np.flatnonzero(has_deal)
        owner = deal_rep[d]
        seeds = Deals(
            owner=owner,
            created=deal_t[d],
            account=account[d],
            amount=amounts(rng, p, self.acc_segment[account[d]], org.size[owner]),
            source=source[d],
            first=np.zeros(len(d), np.int64),
            bonus=np.zeros(len(d)),
            kind=np.zeros(len(d), np.int64),
            lead=d,
        )
        return leads, acts, seeds

    # -- deals --------------------------------------------------------------------------------
    def _deals(self, seeds: Deals, rng: np.random.Generator) -> tuple[Deals, Acts]:
        batches: list[Deals] = []
        drivers: list[Acts] = []
        offset = 0
        batch = seeds
        while len(batch.owner):  # generations of renewals and upsells on won deals
            driver = self._run(batch, rng)
            driver.deal += offset
            batches.append(batch)
            drivers.append(driver)
            offset += len(batch.owner)
            batch = self._follow_ons(batch, rng)
        deals = Deals.concat(batches)
        acts = Acts.concat(drivers)
        # Ids follow creation order, as a CRM would number them.
        order = np.argsort(deals.created, kind="stable")
        rank = np.empty_like(order)
        rank[order] = np.arange(len(order))
        deals = deals.select(order)
        acts.deal = rank[acts.deal]
        has = deals.lead >= 0
        self.leads.deal[deals.lead[has]] = np.flatnonzero(has)
        # A lead-born deal is an upsell when its account was already a customer.
        won = deals.won & deals.closed
        first_won = np.full(self.n_accounts, NEVER, dtype=np.int64)
        np.minimum.at(first_won, deals.account[won], deals.close[won])
        self.first_won = first_won
        repeat = (deals.kind == 0) & (deals.created > first_won[deals.account])
        deals.kind[repeat] = KINDS.index("upsell")
        lost = deals.closed & ~deals.won
        self.lost_reason = np.where(lost, draw_rows(rng, np.asarray(LOST_BY_STAGE), deals.stop), -1)
        return deals, acts

    def _run(self, d: Deals, rng: np.random.Generator) -> Acts:
        """Move each deal through the pipeline; returns its driver activities."""
        org, cal, p, clock = self.org, self.cal, self.profile, self.clock
        n, end_t = len(d.owner), cal.end_t
        seg = self.acc_segment[d.account]
        stage = np.arange(len(STAGES))
        dur = np.asarray(p.stage_days)[None, :] * rng.lognormal(0.0, 0.35, (n, len(STAGES)))
        dur[:, :2] *= SEGMENT_EARLY_PACE[seg][:, None]
        dur = np.where(stage[None, :] >= d.first[:, None], dur, 0.0)
        raw = d.created[:, None] + _minutes(
            np.concatenate([np.zeros((n, 1)), np.cumsum(dur, 1)], 1)
        )
        times = np.full((n, 6), -1, dtype=np.int64)
        actor = np.full((n, 6), -1, dtype=np.int64)
        for k in range(6):
            sel = np.flatnonzero(d.first <= k)
            rep, t, ok = clock.act(d.owner[sel], raw[sel, k])
            t = np.where(ok, t, np.maximum(raw[sel, k], end_t))
            times[sel, k] = np.maximum(t, times[sel, k - 1] + 1) if k else t
            actor[sel, k] = rep

        # Hires close worse while they ramp up (planted: the new hire).
        skill = org.skill[d.owner] + RAMP_SKILL * (1 - org.ramp(d.owner, d.created // DAY)) / (
            1 - RAMP_FLOOR
        )
        logit = STAGE_LOGIT[None, :] + d.bonus[:, None] + skill[:, None] * SKILL_WEIGHT[None, :]
        src = np.where(d.source >= 0, SOURCE_WIN[np.maximum(d.source, 0)], 0.0)
        logit[:, 0] += src
        # Planted seasonality: the win odds depend on the month the deal closes in.
        month = cal.month_key(times[:, 5] // DAY) % 12
        logit[:, 4] += src + SEGMENT_WIN[seg] + np.asarray(WIN_SEASON)[month]
        logit[:, 4] -= 0.25 * np.log(d.amount / p.amount_median)
        # Planted: busy reps' deals stall after the demo (BUSY_BREAKS_AT).
        logit[:, DEMO_STAGE] += org.demo_break[d.owner]
        u = rng.random((n, len(STAGES)))
        passed = u < logistic(logit)
        at_demo = d.first <= DEMO_STAGE
        for k in range(DEMO_STAGE):
            at_demo &= (k < d.first) | passed[:, k]

        # Planted driver: activities of the driver type during the demo stage; each one held
        # raises the odds of the next step and of the win, felt at the close about the driver
        # lag later. The dip thins them where they fall, which is how it reaches revenue.
        start, stop = times[:, DEMO_STAGE], times[:, DEMO_STAGE + 1]
        count = rng.poisson(DRIVER_MEAN * org.driver_mult[d.owner] * at_demo)
        di = np.repeat(np.arange(n), count)
        drep, dt_, dok = clock.within(d.owner[di], start[di], stop[di])
        kept = rng.random(len(di)) < self._dip_of(dt_)
        di, drep, dt_, dok = di[kept], drep[kept], dt_[kept], dok[kept]
        held = rng.random(len(di)) < org.held[drep]
        outcome = np.where(
            held, O_["held"], np.where(rng.random(len(di)) < 0.5, O_["no_show"], O_["cancelled"])
        )
        effect = DRIVER_EFFECT * (np.bincount(di[held], minlength=n) - 0.8 * DRIVER_MEAN) * at_demo
        logit[:, DEMO_STAGE] += effect
        logit[:, 4] += effect
        passed[:, DEMO_STAGE:] = u[:, DEMO_STAGE:] < logistic(logit[:, DEMO_STAGE:])

        alive = np.ones(n, dtype=bool)
        last = d.first.copy()
        for k in range(len(STAGES)):
            here = alive & (d.first <= k)
            last[here] = k
            alive &= ~here | passed[:, k]
        rows = np.arange(n)
        self._pull_in(times, actor, alive, rng)
        d.times, d.stop, d.won = times, last, alive
        d.close = times[rows, last + 1]  # a lost deal closes when it would have moved on
        d.closed = d.close < end_t
        still_there = org.end_day[d.owner] >= cal.n_days - 1
        at_end = np.where(still_there, d.owner, org.successor[d.owner])
        d.closer = np.where(d.closed, actor[rows, last + 1], at_end)
        return Acts.of(
            drep[dok],
            dt_[dok],
            np.full(int(dok.sum()), T_[p.driver_type]),
            outcome=outcome[dok],
            deal=di[dok],
            account=d.account[di[dok]],
        )

    def _pull_in(self, times: Ints, actor: Ints, won: Bools, rng: np.random.Generator) -> None:
        """Planted seasonality: wins about to close just after a quarter end are often pulled
        into its last days (PULL_IN), most of all at the end of the year."""
        cal = self.cal
        close = times[:, 5]
        day = np.clip(close // DAY, 0, cal.n_days - 1)
        month = cal.month_key(day)
        quarter_start = month_start(month - month % 3) - cal.epoch_day
        into = day - quarter_start
        january = month % 12 == 0
        window = np.where(january, PULL_IN[1], PULL_IN[0])
        chance = np.where(january, PULL_IN[3], PULL_IN[2])
        due = won & (close < cal.end_t) & (into < window)
        pick = np.flatnonzero(due & (rng.random(len(close)) < chance))
        new_day = quarter_start[pick] - 1 - rng.integers(0, 4, len(pick))
        new_t = new_day * DAY + office_minutes(rng, len(pick))
        rep = actor[pick, 5]
        ok = (new_day >= 0) & (new_t > times[pick, 4] + 60)
        ok[ok] &= self.work[rep[ok], new_day[ok]]
        times[pick[ok], 5] = new_t[ok]

    def _follow_ons(self, d: Deals, rng: np.random.Generator) -> Deals:
        """Renewals and upsells opened after won deals, by the rep then owning the account."""
        p = self.profile
        won = np.flatnonzero(d.won & d.closed)
        parts = []
        for kind, (prob, lo, hi, a_lo, a_hi), first, bonus in (
            (KINDS.index("renewal"), p.renewal, STAGES.index("proposal"), RENEWAL_BONUS),
            (KINDS.index("upsell"), p.upsell, STAGES.index("discovery"), UPSELL_BONUS),
        ):
            s = won[rng.random(len(won)) < prob]
            owner, t, ok = self.clock.act(
                d.closer[s], d.close[s] + _minutes(rng.uniform(lo, hi, len(s)))
            )
            s, owner, t = s[ok], owner[ok], t[ok]
            step = p.amount_step
            amount = np.maximum(
                np.round(d.amount[s] * rng.uniform(a_lo, a_hi, len(s)) / step) * step, step
            )
            m = len(s)
            parts.append(
                Deals(
                    owner=owner,
                    created=t,
                    account=d.account[s],
                    amount=amount,
                    source=np.full(m, -1),
                    first=np.full(m, first),
                    bonus=np.full(m, bonus),
                    kind=np.full(m, kind),
                    lead=np.full(m, -1),
                )
            )
        return Deals.concat(parts)  # (their outcome fields are still empty)

    # -- activities ---------------------------------------------------------------------------
    def _deal_touches(self, rng: np.random.Generator) -> Acts:
        """Calls, emails and follow-ups through each stage a deal entered, plus the stage's own
        work: a discovery meeting, the proposal (and sometimes a revision), the negotiation."""
        d, org, p, end_t = self.deals, self.org, self.profile, self.cal.end_t
        n = len(d.owner)
        parts: list[tuple[Ints, Ints, Ints, Ints]] = []  # deal, earliest, latest, type

        def work(k: int, expected: Floats, types: Ints | int, share: tuple[float, float]) -> None:
            """`expected` activities per deal in stage k, within `share` of its time there."""
            entered = (d.first <= k) & (d.stop >= k) & (d.times[:, k] < end_t)
            start = d.times[:, k]
            length = np.minimum(d.times[:, k + 1], end_t) - start
            di = np.repeat(np.arange(n), rng.poisson(np.maximum(expected, 0.0) * entered))
            lo = start[di] + (share[0] * length[di]).astype(np.int64)
            hi = start[di] + (share[1] * length[di]).astype(np.int64)
            kind = np.full(len(di), types) if isinstance(types, int) else types[di]
            parts.append((di, lo, hi, kind))

        touch_types = np.array([T_["call"], T_["email"], T_["follow_up"]])
        for k in range(len(STAGES)):
            days = (np.minimum(d.times[:, k + 1], end_t) - d.times[:, k]) / DAY
            mix = np.asarray(STAGE_TOUCH_MIX[k])[None, :]
            types = touch_types[draw_rows(rng, mix, np.zeros(n, np.int64))]
            work(k, STAGE_TOUCH_RATE[k] * days * org.touch[d.owner], types, (0.0, 1.0))
        ones = np.ones(n)
        work(STAGES.index("discovery"), 0.9 * ones, T_[p.discovery_type], (0.0, 1.0))
        work(STAGES.index("proposal"), ones, T_["proposal"], (0.0, 0.2))
        work(STAGES.index("proposal"), 0.3 * ones, T_["proposal"], (0.5, 1.0))  # a revision
        work(STAGES.index("negotiation"), 1.5 * ones, T_["negotiation"], (0.0, 1.0))
        di = np.concatenate([x[0] for x in parts])
        lo, hi = np.concatenate([x[1] for x in parts]), np.concatenate([x[2] for x in parts])
        rep, t, ok = self.clock.within(d.owner[di], lo, hi)
        ok &= rng.random(len(di)) < self._dip_of(t)  # the dip thins deal work as well
        typ = np.concatenate([x[3] for x in parts])
        return Acts.of(rep[ok], t[ok], typ[ok], deal=di[ok], account=d.account[di[ok]])

    def _prospecting(self, rng: np.random.Generator) -> Acts:
        """The daily work not tied to a lead or deal: cold calls, emails, social, events."""
        org, cal, p = self.org, self.cal, self.profile
        n_reps, nd = len(org.start_day), cal.n_days
        reps, days = np.arange(n_reps)[:, None], np.arange(nd)[None, :]
        season = np.asarray(ACTIVITY_SEASON)[cal.month - 1][None, :]  # planted seasonality
        lam = p.activities_per_day * org.act_level[:, None] * org.ramp(reps, days) * season
        lam *= self.dip[None, :] * (days >= cal.first)  # (nothing else needs warm-up volume)
        cell = _cells(rng.poisson(lam * self.work))
        n = len(cell)
        rep = cell // nd
        names, weights = zip(*p.prospect_mix, strict=True)
        codes = np.array([T_[x] for x in names])
        typ = draw(rng, sampler(codes, weights), n)
        t = cell % nd * DAY + office_minutes(rng, n)
        late_mail = np.flatnonzero((typ == T_["email"]) & (rng.random(n) < 0.02))
        t[late_mail] += rng.integers(19 * 60, 22 * 60, len(late_mail)) - t[late_mail] % DAY
        targeted = np.isin(typ, [T_["call"], T_["email"], T_["meeting"], T_["follow_up"]])
        targeted &= rng.random(n) < 0.7
        account = np.where(targeted, self.account_of(rep, rng), -1)
        return Acts.of(rep, t, typ, account=account)

    def _activities(self, parts: list[Acts], rng: np.random.Generator) -> Acts:
        parts = [*parts, self._deal_touches(rng)]
        parts = [a.select(a.t >= self.cal.start_t) for a in parts]  # the warm-up is not kept
        acts = Acts.concat([*parts, self._prospecting(rng)])
        # Sorting packed (time, row) keys is a plain sort, several times quicker than argsort.
        bits = max(len(acts.t), 1).bit_length()
        key = acts.t.astype(np.int64) << bits
        key |= np.arange(len(key))
        key.sort()
        key &= (1 << bits) - 1
        acts = acts.select(key)
        acts.outcome = self._outcomes(acts, rng)
        acts.duration = self._durations(acts, rng)
        return acts

    def _outcomes(self, a: Acts, rng: np.random.Generator) -> Ints:
        """How each activity ended, where not set already: a lookup in a per-rep table of 256
        equally likely buckets per type (calls connect and meetings are held more for some reps
        than others), which costs one gather at ten million rows."""
        org = self.org
        n_reps = len(org.start_day)
        share = (np.arange(256) + 0.5) / 256
        table = np.full((n_reps, len(TYPES), 256), O_["completed"], dtype=np.int8)
        pc = org.connect[:, None]
        table[:, T_["call"]] = np.where(
            share < pc,
            O_["connected"],
            np.where(share < pc + (1 - pc) * 0.72, O_["no_answer"], O_["voicemail"]),
        )
        email = np.where(
            share < 0.16, O_["replied"], np.where(share < 0.2, O_["bounced"], O_["sent"])
        )
        table[:, T_["email"]] = email[None, :]
        held = org.held[:, None]
        meet = np.where(
            share < held,
            O_["held"],
            np.where(share < (1 + held) / 2, O_["no_show"], O_["cancelled"]),
        )
        table[:, T_["meeting"]] = table[:, T_["demo"]] = meet
        cell = (a.rep * len(TYPES) + a.type) * 256 + rng.integers(0, 256, len(a.t), dtype=np.uint8)
        drawn = table.reshape(-1)[cell]
        out: Ints = np.where(a.outcome >= 0, a.outcome, drawn)
        return out

    def _durations(self, a: Acts, rng: np.random.Generator) -> Floats:
        """Minutes spent, by type and outcome: 256 values drawn per pair, then looked up."""
        table = np.zeros((len(TYPES), len(OUTCOMES), 256))

        def lognormal(median: float, sigma: float) -> Floats:
            """256 whole-minute durations around a median."""
            out: Floats = np.maximum(1.0, np.round(rng.lognormal(math.log(median), sigma, 256)))
            return out

        def choice(*minutes: float) -> Floats:
            """256 durations drawn from the given ones."""
            out: Floats = rng.choice(np.asarray(minutes, dtype=float), 256)
            return out

        table[T_["call"], O_["connected"]] = lognormal(6.0, 0.6)
        table[T_["call"], O_["no_answer"]] = 1.0
        table[T_["call"], O_["voicemail"]] = 2.0
        table[T_["email"]] = 3.0
        table[T_["meeting"], O_["held"]] = choice(30, 45, 60)
        table[T_["demo"], O_["held"]] = choice(30, 45, 60, 90)
        table[[T_["meeting"], T_["demo"]], O_["no_show"]] = 15.0  # waited, then gave up
        table[T_["proposal"]] = lognormal(60.0, 0.4)
        table[T_["negotiation"]] = choice(30, 45, 60)
        table[T_["follow_up"]] = lognormal(8.0, 0.5)
        table[T_["event"]] = choice(60, 120, 180, 240)
        table[T_["social"]] = 5.0
        table[T_["other"]] = 15.0
        cell = (a.type.astype(np.int32) * len(OUTCOMES) + a.outcome) * 256
        out: Floats = table.reshape(-1)[cell + rng.integers(0, 256, len(a.t), dtype=np.uint8)]
        return out

    # -- surveys, churn, accounts -------------------------------------------------------------
    def _surveys_and_churn(self, rng: np.random.Generator) -> None:
        """Survey responses after won deals, churn, and when each account entered the CRM."""
        d, org, cal, n_acc = self.deals, self.org, self.cal, self.n_accounts
        won = np.flatnonzero(d.won & d.closed)
        # CSAT soon after a won deal, NPS a few months into the relationship; happier customers
        # for some reps than others.
        csat = won[rng.random(len(won)) < 0.35]
        nps = won[rng.random(len(won)) < 0.3]
        deal = np.concatenate([csat, nps])
        scale = np.repeat(np.array([0, 1]), [len(csat), len(nps)])
        wait = np.concatenate([rng.integers(2, 22, len(csat)), rng.integers(60, 241, len(nps))])
        t = (d.close[deal] // DAY + wait) * DAY + rng.integers(7 * 60, 22 * 60, len(deal))
        q = org.quality[d.closer[deal]]
        noise = rng.normal(0.0, 1.0, len(deal))
        score = np.where(
            scale == 0,
            np.clip(np.round(4.1 + 0.7 * q + 0.85 * noise), 1, 5),
            np.clip(np.round(7.6 + 1.6 * q + 1.8 * noise), 0, 10),
        ).astype(np.int64)
        account = d.account[deal]

        # Churn: a lost renewal ends the relationship; otherwise some customers quietly leave
        # after their last deal, detractors more often. Never while a deal is still open.
        closed = np.flatnonzero(d.closed)
        order = closed[np.lexsort((d.close[closed], d.account[closed]))]
        acc = d.account[order]
        is_last = np.r_[acc[1:] != acc[:-1], True] if len(acc) else np.zeros(0, bool)
        last = np.full(n_acc, -1, dtype=np.int64)
        last[acc[is_last]] = order[is_last]
        has_last = last >= 0
        last_close = np.where(has_last, d.close[np.maximum(last, 0)], -1)
        lost_renewal = has_last & (d.kind[np.maximum(last, 0)] == KINDS.index("renewal"))
        lost_renewal &= ~d.won[np.maximum(last, 0)]
        pending = np.zeros(n_acc, dtype=bool)
        pending[d.account[~d.closed]] = True
        detractor = np.zeros(n_acc, dtype=bool)
        detractor[account[(scale == 1) & (score <= 6)]] = True
        p_churn = np.where(lost_renewal, 0.9, SEGMENT_CHURN[self.acc_segment] + 0.15 * detractor)
        gap = np.where(lost_renewal, rng.uniform(0, 14, n_acc), rng.uniform(30, 300, n_acc))
        churn_t = last_close + _minutes(gap)
        churn = (self.first_won < NEVER) & ~pending & (churn_t < cal.end_t)
        churn &= rng.random(n_acc) < p_churn
        self.churned = np.where(churn, churn_t, -1)
        keep = (t < cal.end_t) & ~(churn[account] & (t > churn_t[account]))
        order = np.argsort(t[keep], kind="stable")
        self.survey_t, self.survey_scale = t[keep][order], scale[keep][order]
        self.survey_score, self.survey_account = score[keep][order], account[keep][order]
        self.survey_rep = d.closer[deal][keep][order]

        # An account enters the CRM some days before its first lead or deal; untouched
        # prospects at any time (many before the history starts).
        first_seen = np.full(n_acc, NEVER, dtype=np.int64)
        has = self.leads.account >= 0
        np.minimum.at(first_seen, self.leads.account[has], self.leads.created[has])
        np.minimum.at(first_seen, d.account, d.created)
        seen = first_seen < NEVER
        day = np.where(
            seen,
            first_seen // DAY - rng.integers(1, 120, n_acc),
            rng.integers(-730, cal.n_days, n_acc),
        )
        self.acc_created = day * DAY + rng.integers(OFFICE_START, OFFICE_END, n_acc)

    # -- targets ------------------------------------------------------------------------------
    def targets(self, rng: np.random.Generator) -> Targets:
        """Monthly and quarterly revenue quotas per rep, team and org, and monthly activity
        targets, planned from what an ordinary rep achieves in a month."""
        org, cal, d, a = self.org, self.cal, self.deals, self.acts
        n_reps, nd = len(org.start_day), cal.n_days
        day = np.arange(cal.first, nd)
        month = cal.month_key(day)
        m_of_day = month - month[0]
        bounds = np.flatnonzero(np.r_[True, np.diff(m_of_day) != 0])
        n_months = len(bounds)
        weekday = (cal.weekday[cal.first :] < 5) & ~cal.holiday[cal.first :]
        employed = (day[None, :] >= org.start_day[:, None]) & (day[None, :] <= org.end_day[:, None])
        on = employed & weekday[None, :]
        emp_days = np.add.reduceat(on, bounds, axis=1).astype(float)
        frac = emp_days / np.add.reduceat(weekday, bounds)[None, :]
        ramp = org.ramp(np.arange(n_reps)[:, None], day[None, :]) * on
        ramp = np.add.reduceat(ramp, bounds, axis=1) / np.maximum(emp_days, 1)
        won = d.won & d.closed & (d.close >= cal.start_t)
        rev = np.zeros((n_reps, n_months))
        np.add.at(rev, (d.closer[won], m_of_day[d.close[won] // DAY - cal.first]), d.amount[won])

        special = [*org.busy, *org.efficient, org.new_hire, *org.leavers, *org.hires]
        ordinary = ~org.manager & (org.rep_team != org.under_team)
        ordinary[special] = False
        # The plan follows the trend of what an ordinary rep brings in per month (recurring
        # revenue grows as customers renew), not its seasons: those show up as attainment.
        per_rep = rev[ordinary].sum(0) / np.maximum(frac[ordinary].sum(0), 1e-9)
        months = np.arange(n_months)
        trend = np.polyval(np.polyfit(months, per_rep, 1), months) if n_months > 2 else per_rep
        plan = np.ceil(np.maximum(trend, 0.5 * per_rep.mean()) / 500) * 500
        # Managers carry a small personal number for the deals they close themselves.
        share = np.where(org.manager, MANAGER_QUOTA, 1.0)[:, None]
        quota = np.round(plan * share * frac * ramp / 100) * 100

        # Planted: the under-target team misses in three quarters of every four (counted back
        # from the last quarter: it makes the third most recent, the seventh, ...). Its weaker
        # closing does most of the work; a stretch target or a quota relief settles the rest.
        quarter = (np.arange(n_months) + month[0]) // 3
        q_idx = quarter - quarter[0]
        n_q = int(q_idx[-1]) + 1
        team = org.rep_team == org.under_team
        actual = np.bincount(q_idx, weights=rev[team].sum(0), minlength=n_q)
        missed: list[int] = []
        for q in range(n_q):
            cols = q_idx == q
            target = quota[np.ix_(team, cols)].sum()
            if target <= 0:
                continue
            ratio = actual[q] / target
            if (n_q - 1 - q) % 4 == 2 and ratio > 0:
                factor = min(1.0, ratio * rng.uniform(0.9, 0.97))
            else:
                factor = max(1.0, ratio * rng.uniform(1.05, 1.15))
                missed.append(q)
            block = quota[np.ix_(team, cols)]
            quota[np.ix_(team, cols)] = np.round(block * factor / 100) * 100
        self.under_missed = [int(quarter[0] + q) for q in missed]

        # Activity targets: the ordinary rep's daily volume, in total and of the driver type.
        worked = self.work[:, cal.first :].sum(1)
        per_day = np.bincount(a.rep, minlength=n_reps) / np.maximum(worked, 1)
        drv = np.bincount(a.rep[a.type == T_[self.profile.driver_type]], minlength=n_reps)
        act_plan = float(np.median(per_day[ordinary])) if ordinary.any() else 40.0
        drv_plan = (
            float(np.median(drv[ordinary] / np.maximum(worked[ordinary], 1)))
            if ordinary.any()
            else 1.0
        )
        act_quota = np.where(org.manager[:, None], 0.0, np.round(round(act_plan) * emp_days * ramp))
        drv_quota = np.where(
            org.manager[:, None], 0.0, np.round(round(drv_plan, 1) * emp_days * ramp)
        )

        qbounds = np.flatnonzero(np.r_[True, np.diff(q_idx) != 0])
        m_keys = month[bounds]
        q_keys = quarter[qbounds]
        out = Targets()
        metrics = ("revenue_won", "activities", f"activities:{self.profile.driver_type}")
        leaf_of = org.rep_team
        n_teams = len(org.team_names)
        for metric, per_rep in zip(metrics, (quota, act_quota, drv_quota), strict=True):
            team_sum = np.zeros((n_teams, n_months))
            np.add.at(team_sum, leaf_of, per_rep)
            for t in reversed(range(1, n_teams)):  # roll leaves up into regions and the root
                team_sum[org.team_parent[t]] += team_sum[t]
            # (scope, grid, team index of its first row): reps, teams below the root, the org
            grids = [(0, per_rep, 0), (1, team_sum[1:], 1)]
            if metric == "revenue_won":  # revenue is planned by quarter and for the org as well
                grids.append((2, team_sum[:1], 0))
            for scope, grid, offset in grids:
                out.add(scope, grid, offset, metric, m_keys, 1)
                if metric == "revenue_won":
                    q_grid = np.add.reduceat(grid, qbounds, axis=1)
                    out.add(scope, q_grid, offset, metric, q_keys * 3, 3)
        return out


SCOPES = ("rep", "team", "org")


@dataclass
class Targets:
    """Target rows as parallel arrays: scope, scope index, metric, period (running month
    number of its first month, and length in months) and value."""

    scope: list[Ints] = field(default_factory=list)
    index: list[Ints] = field(default_factory=list)
    metric: list[str] = field(default_factory=list)
    counts: list[int] = field(default_factory=list)
    first_month: list[Ints] = field(default_factory=list)
    months: list[int] = field(default_factory=list)
    value: list[Floats] = field(default_factory=list)

    def add(
        self,
        scope: int,
        grid: Floats,
        offset: int,
        metric: str,
        keys: Ints,
        months: int,
    ) -> None:
        """The positive cells of a (scope index x period) grid as rows."""
        row, col = np.nonzero(grid > 0)
        self.scope.append(np.full(len(row), scope, dtype=np.int64))
        self.index.append(row + offset)
        self.metric.append(metric)
        self.counts.append(len(row))
        self.first_month.append(keys[col])
        self.months.append(months)
        self.value.append(grid[row, col])
