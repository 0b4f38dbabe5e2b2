"""Targets: revenue quotas and activity targets per rep, team and org, planned from what an
ordinary rep brings in through the year's seasons, scaled to each rep's own territory, with the
under-target team's quotas set so that it misses most quarters."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from salesperf.demo.calendar import DAY
from salesperf.demo.codes import T_, Floats, Ints
from salesperf.demo.config import Profile
from salesperf.demo.draws import logistic
from salesperf.demo.pipeline import STAGE_LOGIT
from salesperf.demo.planted import LEAD_SEASON, PULL_IN, WIN_SEASON
from salesperf.demo.records import Acts, Deals
from salesperf.demo.worktime import Setting

MANAGER_QUOTA = 0.3  # a manager's revenue quota, as a share of a rep's
# The plan asks a little less than a territory is expected to bring in, so that an ordinary
# rep makes quota in most quarters (about five in six) and a miss says something.
QUOTA_REACH = 0.85


def season_index(profile: Profile) -> Floats:
    """Revenue per calendar month (Jan-Dec) as a multiple of the year's average, from the
    seasons the demo plants: lead volume (LEAD_SEASON) reaches the close one sales cycle
    later, the win odds shift with the month of close (WIN_SEASON), and wins due early in a
    quarter are partly pulled into the month before (PULL_IN)."""
    lag = sum(profile.stage_days) / (365.25 / 12)  # months from a lead to its close
    months = np.arange(12)
    leads = np.interp((months - lag) % 12, np.arange(13), np.r_[LEAD_SEASON, LEAD_SEASON[0]])
    base = STAGE_LOGIT[-1]
    due = leads * logistic(base + np.asarray(WIN_SEASON)) / logistic(np.asarray(base))
    # A win can be pulled in only when it is in negotiation by the last days of the quarter
    # before (about two and a half days before its end): the first days of the month, as
    # many as negotiation lasts.
    window, window_jan, chance, chance_jan = PULL_IN
    reach = max(profile.stage_days[-1] - 2.5, 0.0)
    pulled = np.where(months % 3 == 0, chance * min(window, reach) / 30, 0.0)
    pulled[0] = chance_jan * min(window_jan, reach) / 31
    index = due * (1 - pulled) + np.roll(due * pulled, -1)
    out: Floats = index / index.mean()
    return out


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


def plan_targets(
    s: Setting, d: Deals, a: Acts, rng: np.random.Generator
) -> tuple[Targets, list[int]]:
    """Monthly and quarterly revenue quotas per rep, team and org, and monthly activity
    targets, planned from what an ordinary rep achieves in a month; and the quarters (running
    quarter numbers) in which the under-target team misses its quota."""
    org, cal = s.org, s.cal
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
    if not ordinary.any():  # a small organisation, every rep planted with something
        ordinary = ~org.manager & (org.rep_team != org.under_team)
    if not ordinary.any():
        ordinary = ~org.manager
    # The plan follows what an ordinary rep brings in per month: its trend (recurring revenue
    # grows as customers renew) and the seasons the demo plants, as a sales plan would, so
    # that only the planted patterns show up as missed targets.
    season = season_index(s.profile)[month[bounds] % 12]
    per_rep = rev[ordinary].sum(0) / np.maximum(frac[ordinary].sum(0), 1e-9)
    months = np.arange(n_months)
    level = per_rep / season
    trend = np.polyval(np.polyfit(months, level, 1), months) if n_months > 2 else level
    plan = np.maximum(trend, 0.5 * level.mean()) * season
    # Each rep's territory and book of customers differ: an unplanted rep's quota is scaled
    # to what the rep brought in against the plan over the history (managers' small personal
    # numbers included); planted reps and the under-target team get the plain plan (managers:
    # MANAGER_QUOTA of it), so that their patterns show.
    expected = plan[None, :] * frac * ramp
    own = rev.sum(1) / np.maximum(expected.sum(1), 1e-9)
    planted = np.zeros(n_reps, dtype=bool)
    planted[special] = True
    planted |= org.rep_team == org.under_team
    share = np.where(planted | (own <= 0), np.where(org.manager, MANAGER_QUOTA, 1.0), own)
    quota = np.round(QUOTA_REACH * expected * share[:, None] / 100) * 100

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

    # Activity targets: the ordinary rep's daily volume, in total and of the driver type.
    worked = s.work[:, cal.first :].sum(1)
    per_day = np.bincount(a.rep, minlength=n_reps) / np.maximum(worked, 1)
    drv = np.bincount(a.rep[a.type == T_[s.profile.driver_type]], minlength=n_reps)
    act_plan = float(np.median(per_day[ordinary])) if ordinary.any() else 40.0
    drv_plan = (
        float(np.median(drv[ordinary] / np.maximum(worked[ordinary], 1))) if ordinary.any() else 1.0
    )
    act_quota = np.where(org.manager[:, None], 0.0, np.round(round(act_plan) * emp_days * ramp))
    drv_quota = np.where(org.manager[:, None], 0.0, np.round(round(drv_plan, 1) * emp_days * ramp))

    qbounds = np.flatnonzero(np.r_[True, np.diff(q_idx) != 0])
    m_keys = month[bounds]
    q_keys = quarter[qbounds]
    out = Targets()
    metrics = ("revenue_won", "activities", f"activities:{s.profile.driver_type}")
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
    return out, [int(quarter[0] + q) for q in missed]
