"""The patterns planted in the demo on purpose, how strong each is, and the record of where
they were planted, so that analysis can be checked to find them.

Each knob is used by the generator that plants its pattern, at a comment starting "Planted".
"""

from __future__ import annotations

import datetime as dtm
from dataclasses import dataclass

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


@dataclass(frozen=True)
class Planted:
    """The patterns planted in the demo data, so that analysis can be checked to find them."""

    busy_not_effective: tuple[str, ...]  # rep ids: much activity, low conversion
    busy_breaks_at: str  # the pipeline step where their conversion breaks: "demo->proposal"
    efficient: tuple[str, ...]  # rep ids: little activity, high win rate
    under_target_team: str  # team id of the team that misses its revenue quota most quarters
    under_target_missed: tuple[dtm.date, ...]  # first days of the quarters it misses
    new_hire: str  # rep id of the rep hired about three months before the end, ramping up
    new_hire_start: dtm.date
    ramp_weeks: int  # weeks a hire takes to reach full volume and skill
    leavers: tuple[str, ...]  # rep ids of reps who left (no activity after their end date)
    hires: tuple[str, ...]  # rep ids of other reps hired during the history
    driver_type: str  # the activity type whose held volume on a deal raises its win odds
    driver_lag_weeks: int  # weeks from that activity to the close it influences
    driver_effect: float  # logit per held driver activity, on demo->proposal and on the win
    activity_dip: tuple[dtm.date, dtm.date]  # first and last day of the activity dip
    activity_dip_team: str  # the team that dipped (the org root: everyone)
    activity_dip_factor: float  # activity during the dip, as a share of normal
    revenue_dip_lag_weeks: int  # weeks after the activity dip that revenue won dips
    seasonality: str  # the seasonal pattern and how it shows in this context's revenue
    lead_season: tuple[float, ...]  # lead volume multiplier per calendar month (Jan-Dec)
    win_season: tuple[float, ...]  # win logit shift per calendar month of close (Jan-Dec)
