"""The effectiveness metrics (output per input), each declared once with its formula."""

from __future__ import annotations

from salesperf.metrics.declare import Group, Metric, MetricType, Parameter, Unit, ratio, same
from salesperf.metrics.nulls import (
    NO_ACTIVITY,
    NO_ACTIVITY_LINK,
    NO_STAGE_ENTRY,
    NO_TYPED_CLOSED,
    NO_WIN,
)


def _stage_pair(param: str) -> bool:
    """Whether `param` names two stages, as `demo>proposal`."""
    a, sep, b = param.partition(">")
    return bool(sep and a.strip() and b.strip())


_E = Group.EFFECTIVENESS

EFFECTIVENESS_METRICS = (
    Metric(
        name="revenue_per_activity", label_en="Revenue per activity",
        label_nl="Omzet per activiteit",
        group=_E, type=MetricType.RATIO, unit=Unit.MONEY, higher_is_better=True,
        description_en="Revenue won divided by activities.",
        description_nl="Gewonnen omzet gedeeld door activiteiten.",
        formula=ratio("revenue_won", "activities", NO_ACTIVITY),
    ),
    Metric(
        name="wins_per_100_activities", label_en="Wins per 100 activities",
        label_nl="Deals per 100 activiteiten",
        group=_E, type=MetricType.RATIO, unit=Unit.COUNT, higher_is_better=True,
        description_en="100 times deals won divided by activities.",
        description_nl="100 maal gewonnen deals gedeeld door activiteiten.",
        formula=ratio("deals_won", "activities", NO_ACTIVITY, scale=100.0),
    ),
    Metric(
        name="activities_per_win", label_en="Activities per won deal",
        label_nl="Activiteiten per gewonnen deal",
        group=_E, type=MetricType.RATIO, unit=Unit.COUNT, higher_is_better=False,
        description_en="Activities divided by deals won.",
        description_nl="Activiteiten gedeeld door gewonnen deals.",
        formula=ratio("activities", "deals_won", NO_WIN),
    ),
    Metric(
        name="touches_per_won_deal", label_en="Touches per won deal",
        label_nl="Contactmomenten per gewonnen deal",
        group=_E, type=MetricType.COHORT, unit=Unit.COUNT, higher_is_better=False,
        description_en="Median count of activities linked to a deal over its life, over deals "
        "won in the period; empty when no activity in the store is linked to a deal.",
        description_nl="Mediaan aantal aan een deal gekoppelde activiteiten, over de gewonnen "
        "deals; leeg als geen enkele activiteit in de opslag aan een deal gekoppeld is.",
        # null when the store links no activity to a deal: every deal would count 0 touches
        formula=same(
            "touches_per_won_deal", NO_WIN, NO_ACTIVITY_LINK,
            also=("deals_won", "deal_linked_activities"),
        ),
    ),
    Metric(
        name="stage_conversion", label_en="Stage conversion", label_nl="Fase-conversie",
        group=_E, type=MetricType.COHORT, unit=Unit.RATIO, higher_is_better=True,
        description_en="Of the deals that first entered stage A in the period, the share that "
        "entered stage B on or after that day; asked with its stages, as "
        "stage_conversion:demo>proposal.",
        description_nl="Van de deals die in de periode voor het eerst fase A bereikten, het "
        "aandeel dat daarna fase B bereikte; gevraagd met de fases, als "
        "stage_conversion:demo>proposal.",
        # asked with its stages in the name: stage_conversion:demo>proposal
        formula=ratio("stage_then", "stage_entered", NO_STAGE_ENTRY),
        parameter=Parameter("a pair of stages", "stage_conversion:demo>proposal", _stage_pair),
    ),
    Metric(
        name="type_to_win_rate", label_en="Win rate after activity type",
        label_nl="Winratio na activiteitstype",
        group=_E, type=MetricType.COHORT, unit=Unit.RATIO, higher_is_better=True,
        description_en="Among deals closed in the period with at least one activity of the "
        "type, won / closed; asked per activity type (split by type).",
        description_nl="Van de in de periode gesloten deals met minstens één activiteit van het "
        "type, gewonnen / gesloten; per activiteitstype (opgesplitst naar type).",
        formula=ratio("typed_deals_won", "typed_deals_closed", NO_TYPED_CLOSED, split="type"),
    ),
)  # fmt: skip
