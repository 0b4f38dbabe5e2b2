"""One simulated organisation, drawn from one seed: each part from a random stream of its own,
in the order the parts depend on each other.

Everything is drawn with numpy, without Python loops over activities, leads or deals; loops run
only over pipeline stages, activity types, calendar years and generations of follow-on deals.
"""

from __future__ import annotations

import datetime as dtm

import numpy as np

from salesperf.demo.activities import draw_activities
from salesperf.demo.calendar import calendar
from salesperf.demo.config import Profile
from salesperf.demo.customers import follow_customers
from salesperf.demo.leads import draw_leads
from salesperf.demo.org import build_org
from salesperf.demo.pipeline import run_pipeline
from salesperf.demo.planted import DIP_DAYS, DIP_FACTOR
from salesperf.demo.targets import plan_targets
from salesperf.demo.worktime import Clock, Setting, build_absences, dip_start


class World:
    """One generated organisation: the content of every table, as numpy arrays."""

    def __init__(self, profile: Profile, reps: int, years: int, seed: int, end: dtm.date) -> None:
        self.profile = profile
        streams = np.random.SeedSequence(seed).spawn(7)
        r_org, r_abs, r_clock, r_leads, r_deals, r_acts, r_rest = (
            np.random.default_rng(s) for s in streams
        )
        self.cal = cal = calendar(end, years)
        self.org = org = build_org(reps, cal, profile, r_org)
        self.absent, work = build_absences(cal, org, r_abs)
        # Planted: the activity dip (every rep, DIP_DAYS long, to DIP_FACTOR of normal volume).
        self.dip_start = dip_start(cal, profile.driver_lag_weeks)
        dip = np.ones(cal.n_days)
        dip[self.dip_start : self.dip_start + DIP_DAYS] = DIP_FACTOR
        s = Setting(profile, cal, org, work, Clock(work, org.successor, r_clock), dip)
        self.leads, self.accounts, lead_acts, seeds = draw_leads(s, r_leads)
        pipeline = run_pipeline(s, seeds, self.leads, self.accounts, r_deals)
        self.deals, self.lost_reason = pipeline.deals, pipeline.lost_reason
        self.acts = draw_activities(
            s, self.deals, self.accounts, [lead_acts, pipeline.drivers], r_acts
        )
        self.customers = follow_customers(
            s, self.deals, self.leads, self.accounts, pipeline.first_won, r_rest
        )
        # Deals, leads and surveys keep the warm-up as older CRM records, so that every renewal
        # and churn has the win before it, and win rates and lead conversion stay whole in
        # every period. Activity, absences and targets cover the history only.
        self.absent[:, : cal.first] = False
        self.targets, self.under_missed = plan_targets(s, self.deals, self.acts, r_rest)
