"""The activity metrics (input), each declared once with its formula."""

from __future__ import annotations

from salesperf.metrics.declare import Group, Metric, MetricType, Unit, ratio, same
from salesperf.metrics.nulls import (
    NO_CALL,
    NO_CALL_OUTCOME,
    NO_LEAD,
    NO_MEETING,
    NO_MEETING_OUTCOME,
    NO_TOUCHED_LEAD,
    NO_WORKING_DAY,
)

ACTIVITY_METRICS = (
    Metric(
        name="activities", label_en="Activities", label_nl="Activiteiten",
        group=Group.ACTIVITY, type=MetricType.SIMPLE, unit=Unit.COUNT, higher_is_better=True,
        description_en="Count of activities in the period (optionally of one type).",
        description_nl="Aantal activiteiten in de periode (eventueel van één type).",
        formula=same("activities"),
    ),
    Metric(
        name="activities_per_day", label_en="Activities per working day",
        label_nl="Activiteiten per werkdag",
        group=Group.ACTIVITY, type=MetricType.RATIO, unit=Unit.COUNT, higher_is_better=True,
        description_en="Activities divided by the rep's working days (Mon-Fri minus recorded "
        "absence).",
        description_nl="Activiteiten gedeeld door de werkdagen van de verkoper (ma-vr min "
        "afwezigheid).",
        formula=ratio("activities", "working_days", NO_WORKING_DAY),
    ),
    Metric(
        name="active_days", label_en="Active days", label_nl="Actieve dagen",
        group=Group.ACTIVITY, type=MetricType.SIMPLE, unit=Unit.COUNT, higher_is_better=True,
        description_en="Distinct dates with at least one activity.",
        description_nl="Aantal verschillende dagen met minstens één activiteit.",
        formula=same("active_days"),
    ),
    Metric(
        name="accounts_touched", label_en="Accounts touched", label_nl="Bereikte accounts",
        group=Group.ACTIVITY, type=MetricType.SIMPLE, unit=Unit.COUNT, higher_is_better=True,
        description_en="Distinct accounts with at least one activity.",
        description_nl="Aantal verschillende accounts met minstens één activiteit.",
        formula=same("accounts_touched"),
    ),
    Metric(
        name="call_connect_rate", label_en="Call connect rate",
        label_nl="Bereikbaarheid (gesprekken)",
        group=Group.ACTIVITY, type=MetricType.RATIO, unit=Unit.RATIO, higher_is_better=True,
        description_en="Calls with outcome connected divided by calls; empty when no call has "
        "an outcome recorded.",
        description_nl="Gesprekken met uitkomst 'connected' gedeeld door alle gesprekken; leeg "
        "als bij geen enkel gesprek een uitkomst is vastgelegd.",
        formula=ratio(
            "calls_connected", "calls", NO_CALL, NO_CALL_OUTCOME, also=("calls_with_outcome",)
        ),
    ),
    Metric(
        name="meetings_held_rate", label_en="Meetings held", label_nl="Gehouden afspraken",
        group=Group.ACTIVITY, type=MetricType.RATIO, unit=Unit.RATIO, higher_is_better=True,
        description_en="Meetings and demos held divided by meetings and demos scheduled in the "
        "period; empty when none has an outcome recorded.",
        description_nl="Gehouden afspraken en demo's gedeeld door de geplande in de periode; "
        "leeg als bij geen enkele een uitkomst is vastgelegd.",
        formula=ratio(
            "meetings_held", "meetings_scheduled", NO_MEETING, NO_MEETING_OUTCOME,
            also=("meetings_with_outcome",),
        ),
    ),
    Metric(
        name="speed_to_lead_h", label_en="Speed to lead (hours)",
        label_nl="Reactietijd op lead (uren)",
        group=Group.ACTIVITY, type=MetricType.COHORT, unit=Unit.HOURS, higher_is_better=False,
        description_en="Median hours from a lead's creation to its first activity, over leads "
        "created in the period; leads without any activity do not count.",
        description_nl="Mediaan aantal uren van het aanmaken van een lead tot de eerste "
        "activiteit, over de in de periode aangemaakte leads; leads zonder activiteit tellen "
        "niet mee.",
        formula=same("speed_to_lead_h", NO_LEAD, NO_TOUCHED_LEAD, also=("leads", "leads_touched")),
    ),
)  # fmt: skip
