"""The organisation: the team tree, the people in it, who joins and who leaves, and the traits
that drive each rep's numbers (the planted reps among them)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from salesperf.demo.calendar import NEVER, Calendar
from salesperf.demo.codes import Bools, Floats, Ints
from salesperf.demo.config import Profile
from salesperf.demo.draws import logistic
from salesperf.demo.planted import (
    BUSY_ACTIVITY,
    BUSY_BREAK_LOGIT,
    BUSY_TOUCHES,
    EFFICIENT_ACTIVITY,
    EFFICIENT_SKILL,
    EFFICIENT_TOUCHES,
    RAMP_FLOOR,
    RAMP_WEEKS,
    UNDER_TARGET_SKILL,
)

REGIONS = ("Benelux", "DACH", "Nordics", "UK & Ireland")
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
