"""The three company contexts the demo can be, and the config that picks one and sizes it."""

from __future__ import annotations

import datetime as dtm
from collections.abc import Mapping
from dataclasses import dataclass

from salesperf.demo.planted import SEASONALITY
from salesperf.errors import InputError

CONTEXTS = ("startup", "consultancy", "agency")
CURRENCY = "EUR"


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


# What each kind of company sells and how its sales team works. Volumes are set so that the
# default organisation is small and quick, while 500 reps over two years log over 10 million
# activities in the startup and agency contexts (consultants log fewer: about 8.6 million),
# calls and emails being most of them, as in any CRM.
PROFILES: Mapping[str, Profile] = {
    "startup": Profile(  # SaaS subscriptions: short cycles, annual renewals, demos decide
        company="Nimbus Analytics",
        domain="nimbus-analytics.example",
        segment_mix=(0.55, 0.33, 0.12),
        amount_median=12_000,
        amount_range=(5_000, 50_000),
        amount_step=100,
        stage_days=(4, 6, 8, 9, 8),
        leads_per_day=2.4,
        activities_per_day=34,
        prospect_mix=(
            ("call", 0.40),
            ("email", 0.40),
            ("social", 0.08),
            ("follow_up", 0.05),
            ("meeting", 0.02),
            ("event", 0.01),
            ("other", 0.04),
        ),
        source_mix=(0.34, 0.30, 0.08, 0.07, 0.11, 0.05, 0.05),
        driver_type="demo",
        discovery_type="meeting",
        accounts_per_lead=0.8,
        renewal=(0.95, 320, 350, 0.95, 1.25),
        upsell=(0.25, 60, 300, 0.2, 0.5),
    ),
    "consultancy": Profile(  # projects: long cycles, referrals, workshops decide
        company="Veldhuis & Partners",
        domain="veldhuis-partners.example",
        segment_mix=(0.2, 0.5, 0.3),
        amount_median=55_000,
        amount_range=(20_000, 200_000),
        amount_step=500,
        stage_days=(10, 21, 14, 21, 14),
        leads_per_day=0.6,
        activities_per_day=36,
        prospect_mix=(  # networking is logged as events: meetings are deal work here
            ("email", 0.47),
            ("call", 0.28),
            ("social", 0.06),
            ("event", 0.09),
            ("follow_up", 0.05),
            ("other", 0.05),
        ),
        source_mix=(0.18, 0.15, 0.30, 0.15, 0.04, 0.12, 0.06),
        driver_type="meeting",
        discovery_type="call",
        accounts_per_lead=0.9,
        renewal=(0.15, 300, 340, 0.9, 1.1),
        upsell=(0.45, 30, 200, 0.3, 1.0),
    ),
    "agency": Profile(  # campaigns and retainers: quick pitches, retainers renew twice a year
        company="Studio Oranje",
        domain="studio-oranje.example",
        segment_mix=(0.5, 0.4, 0.1),
        amount_median=9_000,
        amount_range=(3_000, 30_000),
        amount_step=100,
        stage_days=(3, 5, 4, 7, 5),
        leads_per_day=1.8,
        activities_per_day=39,
        prospect_mix=(
            ("email", 0.40),
            ("call", 0.30),
            ("social", 0.15),
            ("meeting", 0.04),
            ("event", 0.03),
            ("follow_up", 0.03),
            ("other", 0.05),
        ),
        source_mix=(0.30, 0.20, 0.20, 0.08, 0.12, 0.05, 0.05),
        driver_type="demo",
        discovery_type="meeting",
        accounts_per_lead=0.85,
        renewal=(0.6, 150, 200, 0.9, 1.2),
        upsell=(0.2, 30, 120, 0.2, 0.6),
    ),
}


@dataclass(frozen=True)
class DemoConfig:
    """What demo organisation to build: its context, size, history and seed."""

    context: str = "startup"
    reps: int = 24
    years: int = 2
    seed: int = 42
    end: dtm.date = dtm.date(2026, 9, 30)  # the last day of the generated history

    def __post_init__(self) -> None:
        if self.context not in CONTEXTS:
            raise InputError(
                f"unknown demo context {self.context!r}; choose one of {', '.join(CONTEXTS)}"
            )
        for name, value, lo, hi in (("reps", self.reps, 4, 5000), ("years", self.years, 1, 5)):
            if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
                raise InputError(f"{name} must be a whole number from {lo} to {hi}, not {value!r}")
        if isinstance(self.seed, bool) or not isinstance(self.seed, int) or self.seed < 0:
            raise InputError(f"seed must be a whole number of 0 or more, not {self.seed!r}")
        if isinstance(self.end, dtm.datetime) or not isinstance(self.end, dtm.date):
            raise InputError(f"end must be a date (the last day of history), not {self.end!r}")
