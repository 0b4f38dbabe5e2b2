"""The performance metrics (output), each declared once with its formula; the target metrics
(attainment, gap to target) with the comparison they read."""

from __future__ import annotations

from salesperf.metrics.declare import (
    Formula,
    Group,
    Metric,
    MetricType,
    Target,
    Unit,
    null_case,
    ratio,
    same,
    zero,
)
from salesperf.metrics.nulls import (
    NO_ACCOUNT,
    NO_AMOUNT,
    NO_CLOSED,
    NO_COHORT_LEAD,
    NO_CSAT,
    NO_CUSTOMER,
    NO_LEAD_LINK,
    NO_NPS,
    NO_REVENUE,
    NO_WIN,
)

#: The metric whose target attainment is "quota attainment" and "gap to target".
QUOTA_METRIC = "revenue_won"

NO_TARGET = null_case("no_target", lambda m: m["target"].isnull(),
                      "no target is set for this scope and period",
                      "er is geen doel voor deze groep en periode")  # fmt: skip
ZERO_TARGET = null_case("zero_target", zero("target"), "the target is 0", "het doel is 0")

_P = Group.PERFORMANCE

PERFORMANCE_METRICS = (
    Metric(
        name="revenue_won", label_en="Revenue won", label_nl="Gewonnen omzet",
        group=_P, type=MetricType.SIMPLE, unit=Unit.MONEY, higher_is_better=True,
        description_en="Sum of the amounts of deals won in the period.",
        description_nl="Som van de bedragen van de in de periode gewonnen deals.",
        formula=same("revenue_won"),
    ),
    Metric(
        name="deals_won", label_en="Deals won", label_nl="Gesloten deals",
        group=_P, type=MetricType.SIMPLE, unit=Unit.COUNT, higher_is_better=True,
        description_en="Count of deals won in the period.",
        description_nl="Aantal in de periode gewonnen deals.",
        formula=same("deals_won"),
    ),
    Metric(
        name="deals_lost", label_en="Deals lost", label_nl="Verloren deals",
        group=_P, type=MetricType.SIMPLE, unit=Unit.COUNT, higher_is_better=False,
        description_en="Count of deals lost in the period.",
        description_nl="Aantal in de periode verloren deals.",
        formula=same("deals_lost"),
    ),
    Metric(
        name="win_rate", label_en="Win rate", label_nl="Winratio",
        group=_P, type=MetricType.RATIO, unit=Unit.RATIO, higher_is_better=True,
        description_en="Deals won divided by deals won plus lost; empty when no deal closed.",
        description_nl="Gewonnen deals gedeeld door gewonnen plus verloren; leeg als er geen "
        "deal sloot.",
        formula=Formula(
            ("deals_won", "deals_lost"),
            lambda m: (
                m["deals_won"].cast("float64")
                / (m["deals_won"] + m["deals_lost"]).cast("float64").nullif(0)
            ),
            nulls=(NO_CLOSED,),
        ),
    ),
    Metric(
        name="avg_deal_size", label_en="Average deal size", label_nl="Gemiddelde dealgrootte",
        group=_P, type=MetricType.RATIO, unit=Unit.MONEY, higher_is_better=True,
        description_en="Revenue won divided by the deals won that have an amount (a deal "
        "without one is left out, not counted as 0); empty when none has.",
        description_nl="Gewonnen omzet gedeeld door de gewonnen deals met een bedrag (een "
        "deal zonder bedrag telt niet mee, niet als 0); leeg als er geen is.",
        # won deals without an amount are left out, not counted as 0
        formula=ratio(
            "revenue_won", "deals_won_with_amount", NO_WIN, NO_AMOUNT, also=("deals_won",)
        ),
    ),
    Metric(
        name="sales_cycle_days", label_en="Sales cycle (days)", label_nl="Verkoopcyclus (dagen)",
        group=_P, type=MetricType.SIMPLE, unit=Unit.DAYS, higher_is_better=False,
        description_en="Median days from creation to close over deals won in the period.",
        description_nl="Mediaan aantal dagen van aanmaken tot sluiten, over de gewonnen deals.",
        formula=same("sales_cycle_days", NO_WIN, also=("deals_won",)),
    ),
    Metric(
        name="deals_created", label_en="Opportunities created", label_nl="Nieuwe kansen",
        group=_P, type=MetricType.SIMPLE, unit=Unit.COUNT, higher_is_better=True,
        description_en="Count of deals created in the period.",
        description_nl="Aantal in de periode aangemaakte deals.",
        formula=same("deals_created"),
    ),
    Metric(
        name="pipeline_created", label_en="Pipeline created", label_nl="Gecreëerde pijplijn",
        group=_P, type=MetricType.SIMPLE, unit=Unit.MONEY, higher_is_better=True,
        description_en="Sum of the amounts of deals created in the period.",
        description_nl="Som van de bedragen van de in de periode aangemaakte deals.",
        formula=same("pipeline_created"),
    ),
    Metric(
        name="customers_acquired", label_en="Customers acquired", label_nl="Nieuwe klanten",
        group=_P, type=MetricType.SIMPLE, unit=Unit.COUNT, higher_is_better=True,
        description_en="Accounts whose first won deal closed in the period, counted for that "
        "deal's rep.",
        description_nl="Accounts waarvan de eerste gewonnen deal in de periode sloot, geteld bij "
        "de verkoper van die deal.",
        formula=same("customers_acquired"),
    ),
    Metric(
        name="csat", label_en="Customer satisfaction", label_nl="Klanttevredenheid",
        group=_P, type=MetricType.RATIO, unit=Unit.RATIO, higher_is_better=True,
        description_en="Share of survey responses in the period scoring 4-5 on a 1-5 scale.",
        description_nl="Aandeel enquêteantwoorden in de periode met score 4-5 op een schaal van "
        "1-5.",
        formula=ratio("csat_positive", "csat_responses", NO_CSAT),
    ),
    Metric(
        name="nps", label_en="Net Promoter Score", label_nl="Net Promoter Score",
        group=_P, type=MetricType.DERIVED, unit=Unit.SCORE, higher_is_better=True,
        description_en="Percentage of responses 9-10 minus percentage 0-6, on a 0-10 scale.",
        description_nl="Percentage antwoorden 9-10 min percentage 0-6, op een schaal van 0-10.",
        formula=Formula(
            ("promoters", "detractors", "nps_responses"),
            lambda m: (
                100.0
                * (m["promoters"] - m["detractors"]).cast("float64")
                / m["nps_responses"].cast("float64").nullif(0)
            ),
            nulls=(NO_NPS,),
        ),
    ),
    Metric(
        name="retention_rate", label_en="Customer retention", label_nl="Klantbehoud",
        group=_P, type=MetricType.DERIVED, unit=Unit.RATIO, higher_is_better=True,
        description_en="(Customers at period end minus customers acquired) / customers at "
        "period start. A customer is an account won and not churned; it counts for the rep of "
        "its first won deal. At the start: won before the period and not churned before it; at "
        "the end: won by its end and not churned in or before it.",
        description_nl="(Klanten aan het eind min nieuwe klanten) / klanten aan het begin van "
        "de periode. Een klant is een gewonnen, niet opgezegd account; het telt bij de verkoper "
        "van de eerste gewonnen deal. Aan het begin: gewonnen vóór de periode en niet eerder "
        "opgezegd; aan het eind: gewonnen tot het eind en niet in of vóór de periode "
        "opgezegd.",
        formula=Formula(
            ("customers_end", "customers_acquired", "customers_start"),
            lambda m: (
                (m["customers_end"] - m["customers_acquired"]).cast("float64")
                / m["customers_start"].cast("float64").nullif(0)
            ),
            nulls=(NO_CUSTOMER,),
        ),
    ),
    Metric(
        name="repeat_revenue_share", label_en="Revenue from existing customers",
        label_nl="Omzet uit bestaande klanten",
        group=_P, type=MetricType.RATIO, unit=Unit.RATIO, higher_is_better=True,
        description_en="Revenue won from accounts that were already customers when the deal "
        "was created, divided by revenue won; empty when no deal won in the period is linked "
        "to an account.",
        description_nl="Omzet uit accounts die al klant waren bij het aanmaken van de deal, "
        "gedeeld door de gewonnen omzet; leeg als geen enkele in de periode gewonnen deal "
        "aan een account gekoppeld is.",
        # a won deal without an account cannot be told apart from a new customer's
        formula=ratio(
            "repeat_revenue", "revenue_won", NO_WIN, NO_ACCOUNT, NO_REVENUE,
            also=("deals_won", "won_deals_with_account"),
        ),
    ),
    Metric(
        name="referral_leads", label_en="Referral leads", label_nl="Leads via verwijzing",
        group=_P, type=MetricType.SIMPLE, unit=Unit.COUNT, higher_is_better=True,
        description_en="Leads created in the period with source referral.",
        description_nl="In de periode aangemaakte leads met bron 'referral'.",
        formula=same("referral_leads"),
    ),
    Metric(
        name="lead_conversion_rate", label_en="Lead conversion", label_nl="Leadconversie",
        group=_P, type=MetricType.COHORT, unit=Unit.RATIO, higher_is_better=True,
        description_en="Of the leads created in the period, the share whose deal was won by "
        "the end of the observation window (the end of the queried range); empty when no lead "
        "was created, and everywhere when no lead in the store is linked to a deal (conversion "
        "is then not recorded, whatever the scope asked).",
        description_nl="Van de in de periode aangemaakte leads, het aandeel waarvan de deal "
        "gewonnen was aan het eind van het observatievenster (het eind van de gevraagde "
        "periode); leeg zonder leads, en overal als geen enkele lead in de opslag aan een deal "
        "gekoppeld is (conversie is dan niet vastgelegd, welke groep ook gevraagd is).",
        # null everywhere when the store links no lead to a deal: conversion is then not
        # recorded, which is not the same as no lead converting
        formula=ratio(
            "converted_leads", "cohort_leads", NO_COHORT_LEAD, NO_LEAD_LINK,
            also=("deal_linked_leads",),
        ),
    ),
    Metric(
        name="quota_attainment", label_en="Target attainment", label_nl="Doelrealisatie",
        group=_P, type=MetricType.TARGET, unit=Unit.RATIO, higher_is_better=True,
        description_en="Actual divided by target, for the target's metric and period.",
        description_nl="Realisatie gedeeld door doel, voor de metriek en periode van het doel.",
        target=Target(QUOTA_METRIC, "attainment", (NO_TARGET, ZERO_TARGET)),
    ),
    Metric(
        name="target_gap", label_en="Gap to target", label_nl="Verschil met doel",
        group=_P, type=MetricType.TARGET, unit=Unit.MONEY, higher_is_better=False,
        description_en="Target minus actual (positive means short of target).",
        description_nl="Doel min realisatie (positief betekent achter op het doel).",
        target=Target(QUOTA_METRIC, "gap", (NO_TARGET,)),
    ),
)  # fmt: skip
