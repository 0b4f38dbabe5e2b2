"""The metric registry: every metric of the specification, declared once.

Each metric has its name, English and Dutch labels, a description in both languages, a unit,
a direction and a type. Docs, the CLI, the API and target checks read this declaration.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum

import ibis
import ibis.expr.types as ir


class MetricType(StrEnum):
    """How a metric is computed from measures."""

    SIMPLE = "simple"  # one aggregate of one table
    RATIO = "ratio"  # one measure over another; null when the denominator is 0
    DERIVED = "derived"  # an expression of other metrics
    COHORT = "cohort"  # follows a group of rows (leads, deals) over time


class Group(StrEnum):
    """Which side of the story a metric tells."""

    ACTIVITY = "activity"
    PERFORMANCE = "performance"
    EFFECTIVENESS = "effectiveness"


class Unit(StrEnum):
    """How a value is shown."""

    COUNT = "count"
    MONEY = "money"
    RATIO = "ratio"  # shown as a percentage
    HOURS = "hours"
    DAYS = "days"
    SCORE = "score"


@dataclass(frozen=True)
class Metric:
    """One metric's declaration."""

    name: str
    label_en: str
    label_nl: str
    group: Group
    type: MetricType
    unit: Unit
    higher_is_better: bool
    description_en: str
    description_nl: str


A, P, E = Group.ACTIVITY, Group.PERFORMANCE, Group.EFFECTIVENESS
S, R, D, C = MetricType.SIMPLE, MetricType.RATIO, MetricType.DERIVED, MetricType.COHORT

_METRICS = (
    Metric("activities", "Activities", "Activiteiten", A, S, Unit.COUNT, True,
           "Count of activities in the period (optionally of one type).",
           "Aantal activiteiten in de periode (eventueel van één type)."),
    Metric("activities_per_day", "Activities per working day", "Activiteiten per werkdag", A, R,
           Unit.COUNT, True,
           "Activities divided by the rep's working days (Mon-Fri minus recorded absence).",
           "Activiteiten gedeeld door de werkdagen van de verkoper (ma-vr min afwezigheid)."),
    Metric("active_days", "Active days", "Actieve dagen", A, S, Unit.COUNT, True,
           "Distinct dates with at least one activity.",
           "Aantal verschillende dagen met minstens één activiteit."),
    Metric("accounts_touched", "Accounts touched", "Bereikte accounts", A, S, Unit.COUNT, True,
           "Distinct accounts with at least one activity.",
           "Aantal verschillende accounts met minstens één activiteit."),
    Metric("call_connect_rate", "Call connect rate", "Bereikbaarheid (gesprekken)", A, R,
           Unit.RATIO, True,
           "Calls with outcome connected divided by calls; empty when no call has an outcome "
           "recorded.",
           "Gesprekken met uitkomst 'connected' gedeeld door alle gesprekken; leeg als bij geen "
           "enkel gesprek een uitkomst is vastgelegd."),
    Metric("meetings_held_rate", "Meetings held", "Gehouden afspraken", A, R, Unit.RATIO, True,
           "Meetings and demos held divided by meetings and demos scheduled in the period; empty "
           "when none has an outcome recorded.",
           "Gehouden afspraken en demo's gedeeld door de geplande in de periode; leeg als bij "
           "geen enkele een uitkomst is vastgelegd."),
    Metric("speed_to_lead_h", "Speed to lead (hours)", "Reactietijd op lead (uren)", A, C,
           Unit.HOURS, False,
           "Median hours from a lead's creation to its first activity, over leads created in the "
           "period; leads without any activity do not count.",
           "Mediaan aantal uren van het aanmaken van een lead tot de eerste activiteit, over de "
           "in de periode aangemaakte leads; leads zonder activiteit tellen niet mee."),
    Metric("revenue_won", "Revenue won", "Gegenereerde omzet", P, S, Unit.MONEY, True,
           "Sum of the amounts of deals won in the period.",
           "Som van de bedragen van de in de periode gewonnen deals."),
    Metric("deals_won", "Deals won", "Gesloten deals", P, S, Unit.COUNT, True,
           "Count of deals won in the period.", "Aantal in de periode gewonnen deals."),
    Metric("deals_lost", "Deals lost", "Verloren deals", P, S, Unit.COUNT, False,
           "Count of deals lost in the period.", "Aantal in de periode verloren deals."),
    Metric("win_rate", "Win rate", "Winratio", P, R, Unit.RATIO, True,
           "Deals won divided by deals won plus lost; empty when no deal closed.",
           "Gewonnen deals gedeeld door gewonnen plus verloren; leeg als er geen deal sloot."),
    Metric("avg_deal_size", "Average deal size", "Gemiddelde dealgrootte", P, R, Unit.MONEY, True,
           "Revenue won divided by the deals won that have an amount (a deal without one is left "
           "out, not counted as 0); empty when none has.",
           "Gegenereerde omzet gedeeld door de gewonnen deals met een bedrag (een deal zonder "
           "bedrag telt niet mee, niet als 0); leeg als er geen is."),
    Metric("sales_cycle_days", "Sales cycle (days)", "Verkoopcyclus (dagen)", P, S, Unit.DAYS, False,
           "Median days from creation to close over deals won in the period.",
           "Mediaan aantal dagen van aanmaken tot sluiten, over de gewonnen deals."),
    Metric("deals_created", "Opportunities created", "Nieuwe kansen", P, S, Unit.COUNT, True,
           "Count of deals created in the period.",
           "Aantal in de periode aangemaakte deals."),
    Metric("pipeline_created", "Pipeline created", "Gecreëerde pijplijn", P, S, Unit.MONEY, True,
           "Sum of the amounts of deals created in the period.",
           "Som van de bedragen van de in de periode aangemaakte deals."),
    Metric("customers_acquired", "Customers acquired", "Nieuwe klanten", P, S, Unit.COUNT, True,
           "Accounts whose first won deal closed in the period, counted for that deal's rep.",
           "Accounts waarvan de eerste gewonnen deal in de periode sloot, geteld bij de "
           "verkoper van die deal."),
    Metric("csat", "Customer satisfaction", "Klanttevredenheid", P, R, Unit.RATIO, True,
           "Share of survey responses in the period scoring 4-5 on a 1-5 scale.",
           "Aandeel enquêteantwoorden in de periode met score 4-5 op een schaal van 1-5."),
    Metric("nps", "Net Promoter Score", "Net Promoter Score", P, D, Unit.SCORE, True,
           "Percentage of responses 9-10 minus percentage 0-6, on a 0-10 scale.",
           "Percentage antwoorden 9-10 min percentage 0-6, op een schaal van 0-10."),
    Metric("retention_rate", "Customer retention", "Klantbehoud", P, D, Unit.RATIO, True,
           "(Customers at period end minus customers acquired) / customers at period start. A "
           "customer is an account won and not churned; it counts for the rep of its first won "
           "deal. At the start: won before the period and not churned before it; at the end: "
           "won by its end and not churned in or before it.",
           "(Klanten aan het eind min nieuwe klanten) / klanten aan het begin van de periode. "
           "Een klant is een gewonnen, niet opgezegd account; het telt bij de verkoper van de "
           "eerste gewonnen deal. Aan het begin: gewonnen vóór de periode en niet eerder "
           "opgezegd; aan het eind: gewonnen tot het eind en niet in of vóór de periode "
           "opgezegd."),
    Metric("repeat_revenue_share", "Revenue from existing customers", "Omzet uit bestaande klanten",
           P, R, Unit.RATIO, True,
           "Revenue won from accounts that were already customers when the deal was created, "
           "divided by revenue won; empty when no deal won in the period is linked to an "
           "account.",
           "Omzet uit accounts die al klant waren bij het aanmaken van de deal, gedeeld door "
           "de gegenereerde omzet; leeg als geen enkele in de periode gewonnen deal aan een "
           "account gekoppeld is."),
    Metric("referral_leads", "Referral leads", "Leads via verwijzing", P, S, Unit.COUNT, True,
           "Leads created in the period with source referral.",
           "In de periode aangemaakte leads met bron 'referral'."),
    Metric("lead_conversion_rate", "Lead conversion", "Leadconversie", P, C, Unit.RATIO, True,
           "Of the leads created in the period, the share whose deal was won by the end of the "
           "observation window (the end of the queried range); empty when no lead was created, "
           "and everywhere when no lead in the store is linked to a deal (conversion is then not "
           "recorded, whatever the scope asked).",
           "Van de in de periode aangemaakte leads, het aandeel waarvan de deal gewonnen was aan "
           "het eind van het observatievenster (het eind van de gevraagde periode); leeg zonder "
           "leads, en overal als geen enkele lead in de opslag aan een deal gekoppeld is "
           "(conversie is dan niet vastgelegd, welke groep ook gevraagd is)."),
    Metric("quota_attainment", "Target attainment", "Doelrealisatie", P, D, Unit.RATIO, True,
           "Actual divided by target, for the target's metric and period.",
           "Realisatie gedeeld door doel, voor de metriek en periode van het doel."),
    Metric("target_gap", "Gap to target", "Verschil met doel", P, D, Unit.MONEY, False,
           "Target minus actual (positive means short of target).",
           "Doel min realisatie (positief betekent achter op het doel)."),
    Metric("revenue_per_activity", "Revenue per activity", "Omzet per activiteit", E, R, Unit.MONEY,
           True, "Revenue won divided by activities.", "Gegenereerde omzet gedeeld door activiteiten."),
    Metric("wins_per_100_activities", "Wins per 100 activities", "Deals per 100 activiteiten", E, R,
           Unit.COUNT, True, "100 times deals won divided by activities.",
           "100 maal gewonnen deals gedeeld door activiteiten."),
    Metric("activities_per_win", "Activities per won deal", "Activiteiten per gewonnen deal", E, R,
           Unit.COUNT, False, "Activities divided by deals won.",
           "Activiteiten gedeeld door gewonnen deals."),
    Metric("touches_per_won_deal", "Touches per won deal", "Contactmomenten per gewonnen deal", E, C,
           Unit.COUNT, False,
           "Median count of activities linked to a deal over its life, over deals won in the period; "
           "empty when no activity in the store is linked to a deal.",
           "Mediaan aantal aan een deal gekoppelde activiteiten, over de gewonnen deals; leeg als "
           "geen enkele activiteit in de opslag aan een deal gekoppeld is."),
    Metric("stage_conversion", "Stage conversion", "Fase-conversie", E, C, Unit.RATIO, True,
           "Of the deals that first entered stage A in the period, the share that entered stage B on "
           "or after that day; asked with its stages, as stage_conversion:demo>proposal.",
           "Van de deals die in de periode voor het eerst fase A bereikten, het aandeel dat daarna "
           "fase B bereikte; gevraagd met de fases, als stage_conversion:demo>proposal."),
    Metric("type_to_win_rate", "Win rate after activity type", "Winratio na activiteitstype", E, C,
           Unit.RATIO, True,
           "Among deals closed in the period with at least one activity of the type, won / closed; "
           "asked per activity type (split by type).",
           "Van de in de periode gesloten deals met minstens één activiteit van het type, "
           "gewonnen / gesloten; per activiteitstype (opgesplitst naar type)."),
)  # fmt: skip

METRICS: Mapping[str, Metric] = {m.name: m for m in _METRICS}


def metric_names() -> tuple[str, ...]:
    """Every metric name, in the specification's order."""
    return tuple(METRICS)


def get(name: str) -> Metric:
    """The metric called `name`, or a clear error listing the ones that exist."""
    try:
        return METRICS[name]
    except KeyError:
        raise KeyError(
            f"there is no metric {name!r}; the metrics are: {', '.join(METRICS)}"
        ) from None


# -- formulas ------------------------------------------------------------------------------------
Measures = Mapping[str, ir.NumericValue]


@dataclass(frozen=True)
class NullCase:
    """One reason a metric's value is null (shown as "—"): a condition on its measures, and the
    reason in English and Dutch. A zero denominator is one; an input not recorded at all (no
    call with an outcome, no lead linked to a deal) is another."""

    code: str
    when: Callable[[Measures], ir.BooleanValue]
    en: str
    nl: str
    # an unrecorded input: the formula alone would give a number (0), so the value is made null;
    # otherwise the formula is null there by itself (a zero denominator, a median of nothing)
    force: bool = False


@dataclass(frozen=True)
class Formula:
    """How a metric is computed from measures: the measures it needs and the expression, and
    when (and why) its value is null."""

    needs: tuple[str, ...]
    compute: Callable[[Measures], ir.NumericValue]
    split: str | None = None  # the split the metric only makes sense within (one row each)
    nulls: tuple[NullCase, ...] = ()

    def value(self, m: Measures) -> ir.NumericValue:
        """The metric over the measures: null in each of its null cases."""
        v = self.compute(m)
        forced = [case.when(m) for case in self.nulls if case.force]
        if not forced:
            return v
        undefined = forced[0]
        for when in forced[1:]:
            undefined = undefined | when
        return ibis.ifelse(undefined.fill_null(False), ibis.null(v.type()), v)

    def reason(self, m: Measures) -> ir.StringValue:
        """The code of the first null case that holds where the value is null, else null."""
        v = self.value(m)
        branches = [(case.when(m).fill_null(False), case.code) for case in self.nulls]
        if not branches:
            return ibis.null("string")
        why = ibis.cases(*branches, else_=ibis.null("string"))
        return ibis.ifelse(v.isnull(), why, ibis.null("string"))


def _case(
    code: str, when: Callable[[Measures], ir.BooleanValue], en: str, nl: str, force: bool = False
) -> NullCase:
    return NullCase(code, when, en, nl, force)


def _zero(name: str) -> Callable[[Measures], ir.BooleanValue]:
    return lambda m: m[name] == 0


def _ratio(
    num: str, den: str, *nulls: NullCase, scale: float = 1.0, split: str | None = None,
    also: tuple[str, ...] = (),
) -> Formula:  # fmt: skip
    """num / den; null (never 0 or infinity) when the denominator is 0 and in `nulls`. `also`:
    further measures the null cases read."""
    return Formula(
        (num, den, *also),
        lambda m: scale * m[num].cast("float64") / m[den].cast("float64").nullif(0),
        split,
        nulls,
    )


def _same(name: str, *nulls: NullCase, also: tuple[str, ...] = ()) -> Formula:
    return Formula((name, *also), lambda m: m[name], nulls=nulls)


NO_ACTIVITY = _case("no_activities", _zero("activities"),
                    "no activity was recorded in the period",
                    "er is in de periode geen activiteit vastgelegd")  # fmt: skip
NO_CLOSED = _case("no_closed_deals", lambda m: m["deals_won"] + m["deals_lost"] == 0,
                  "no deals were closed in the period", "er is in de periode geen deal gesloten")  # fmt: skip
NO_WIN = _case("no_won_deals", _zero("deals_won"), "no deal was won in the period",
               "er is in de periode geen deal gewonnen")  # fmt: skip
NO_CALL = _case("no_calls", _zero("calls"), "no call was made in the period",
                "er is in de periode niet gebeld")  # fmt: skip
NO_CALL_OUTCOME = _case("no_call_outcome", _zero("calls_with_outcome"),
                        "no call has an outcome recorded",
                        "bij geen enkel gesprek is een uitkomst vastgelegd", force=True)  # fmt: skip
NO_MEETING = _case("no_meetings", _zero("meetings_scheduled"),
                   "no meeting or demo was scheduled in the period",
                   "er is in de periode geen afspraak of demo gepland")  # fmt: skip
NO_MEETING_OUTCOME = _case("no_meeting_outcome", _zero("meetings_with_outcome"),
                           "no meeting or demo has an outcome recorded",
                           "bij geen enkele afspraak of demo is een uitkomst vastgelegd",
                           force=True)  # fmt: skip
NO_AMOUNT = _case("no_amounts", _zero("deals_won_with_amount"),
                  "no deal won in the period has an amount recorded",
                  "bij geen enkele in de periode gewonnen deal is een bedrag vastgelegd")  # fmt: skip
NO_WORKING_DAY = _case("no_working_days", _zero("working_days"),
                       "the rep had no working day in the period (not employed, or absent)",
                       "de verkoper had in de periode geen werkdag (niet in dienst, of afwezig)")  # fmt: skip

NO_CSAT = _case("no_csat_responses", _zero("csat_responses"),
                "no CSAT survey response (1-5 scale) in the period",
                "geen enquêteantwoord op de CSAT-schaal (1-5) in de periode")  # fmt: skip
NO_NPS = _case("no_nps_responses", _zero("nps_responses"),
               "no NPS survey response (0-10 scale) in the period",
               "geen enquêteantwoord op de NPS-schaal (0-10) in de periode")  # fmt: skip
NO_LEAD = _case("no_leads", _zero("leads"), "no lead was created in the period",
                "er is in de periode geen lead aangemaakt")  # fmt: skip
NO_COHORT_LEAD = _case("no_leads", _zero("cohort_leads"), "no lead was created in the period",
                       "er is in de periode geen lead aangemaakt")  # fmt: skip
NO_TOUCHED_LEAD = _case("no_touched_leads", lambda m: m["leads_touched"].fill_null(0) == 0,
                        "no lead created in the period has an activity linked to it",
                        "aan geen enkele in de periode aangemaakte lead is een activiteit "
                        "gekoppeld")  # fmt: skip
NO_CUSTOMER = _case("no_customers_at_start", _zero("customers_start"),
                    "there were no customers at the start of the period",
                    "er waren geen klanten aan het begin van de periode")  # fmt: skip
NO_ACCOUNT = _case("no_accounts", lambda m: m["won_deals_with_account"].fill_null(0) == 0,
                   "no deal won in the period is linked to an account",
                   "geen enkele in de periode gewonnen deal is aan een account gekoppeld",
                   force=True)  # fmt: skip
NO_REVENUE = _case("no_revenue", _zero("revenue_won"), "the deals won in the period have no revenue",
                   "de in de periode gewonnen deals hebben geen omzet")  # fmt: skip
# over the whole store: an input that is not recorded at all
NO_LEAD_LINK = _case("no_lead_deal_links", lambda m: m["deal_linked_leads"].fill_null(0) == 0,
                     "no lead is linked to a deal", "geen enkele lead is aan een deal gekoppeld",
                     force=True)  # fmt: skip
NO_ACTIVITY_LINK = _case("no_activity_deal_links",
                         lambda m: m["deal_linked_activities"].fill_null(0) == 0,
                         "no activity is linked to a deal",
                         "geen enkele activiteit is aan een deal gekoppeld", force=True)  # fmt: skip
NO_TYPED_CLOSED = _case("no_typed_closed_deals", _zero("typed_deals_closed"),
                        "no deal closed in the period had an activity of this type",
                        "geen enkele in de periode gesloten deal had een activiteit van dit type")  # fmt: skip
NO_STAGE_ENTRY = _case("no_stage_entries", _zero("stage_entered"),
                       "no deal entered the first stage in the period",
                       "geen enkele deal bereikte de eerste fase in de periode")  # fmt: skip

FORMULAS: Mapping[str, Formula] = {
    "activities": _same("activities"),
    "activities_per_day": _ratio("activities", "working_days", NO_WORKING_DAY),
    "active_days": _same("active_days"),
    "accounts_touched": _same("accounts_touched"),
    "call_connect_rate": _ratio(
        "calls_connected", "calls", NO_CALL, NO_CALL_OUTCOME, also=("calls_with_outcome",)
    ),
    "meetings_held_rate": _ratio(
        "meetings_held",
        "meetings_scheduled",
        NO_MEETING,
        NO_MEETING_OUTCOME,
        also=("meetings_with_outcome",),
    ),
    "revenue_won": _same("revenue_won"),
    "deals_won": _same("deals_won"),
    "deals_lost": _same("deals_lost"),
    "win_rate": Formula(
        ("deals_won", "deals_lost"),
        lambda m: (
            m["deals_won"].cast("float64")
            / (m["deals_won"] + m["deals_lost"]).cast("float64").nullif(0)
        ),
        nulls=(NO_CLOSED,),
    ),
    # won deals without an amount are left out, not counted as 0
    "avg_deal_size": _ratio(
        "revenue_won", "deals_won_with_amount", NO_WIN, NO_AMOUNT, also=("deals_won",)
    ),
    "sales_cycle_days": _same("sales_cycle_days", NO_WIN, also=("deals_won",)),
    "deals_created": _same("deals_created"),
    "pipeline_created": _same("pipeline_created"),
    "csat": _ratio("csat_positive", "csat_responses", NO_CSAT),
    "nps": Formula(
        ("promoters", "detractors", "nps_responses"),
        lambda m: (
            100.0
            * (m["promoters"] - m["detractors"]).cast("float64")
            / m["nps_responses"].cast("float64").nullif(0)
        ),
        nulls=(NO_NPS,),
    ),
    "referral_leads": _same("referral_leads"),
    "revenue_per_activity": _ratio("revenue_won", "activities", NO_ACTIVITY),
    "wins_per_100_activities": _ratio("deals_won", "activities", NO_ACTIVITY, scale=100.0),
    "activities_per_win": _ratio("activities", "deals_won", NO_WIN),
    "speed_to_lead_h": _same(
        "speed_to_lead_h", NO_LEAD, NO_TOUCHED_LEAD, also=("leads", "leads_touched")
    ),
    "customers_acquired": _same("customers_acquired"),
    "retention_rate": Formula(
        ("customers_end", "customers_acquired", "customers_start"),
        lambda m: (
            (m["customers_end"] - m["customers_acquired"]).cast("float64")
            / m["customers_start"].cast("float64").nullif(0)
        ),
        nulls=(NO_CUSTOMER,),
    ),
    # a won deal without an account cannot be told apart from a new customer's
    "repeat_revenue_share": _ratio(
        "repeat_revenue",
        "revenue_won",
        NO_WIN,
        NO_ACCOUNT,
        NO_REVENUE,
        also=("deals_won", "won_deals_with_account"),
    ),
    # null everywhere when the store links no lead to a deal: conversion is then not recorded,
    # which is not the same as no lead converting
    "lead_conversion_rate": _ratio(
        "converted_leads",
        "cohort_leads",
        NO_COHORT_LEAD,
        NO_LEAD_LINK,
        also=("deal_linked_leads",),
    ),
    # null when the store links no activity to a deal: every deal would count 0 touches
    "touches_per_won_deal": _same(
        "touches_per_won_deal",
        NO_WIN,
        NO_ACTIVITY_LINK,
        also=("deals_won", "deal_linked_activities"),
    ),
    "type_to_win_rate": _ratio(
        "typed_deals_won", "typed_deals_closed", NO_TYPED_CLOSED, split="type"
    ),
    # asked with its stages in the name: stage_conversion:demo>proposal
    "stage_conversion": _ratio("stage_then", "stage_entered", NO_STAGE_ENTRY),
}

#: Why attainment or the gap to target is null, from the quota metric's `target` and `actual`.
TARGET_NULLS: Mapping[str, tuple[NullCase, ...]] = {
    "quota_attainment": (
        _case("no_target", lambda m: m["target"].isnull(),
              "no target is set for this scope and period",
              "er is geen doel voor deze groep en periode"),
        _case("zero_target", _zero("target"), "the target is 0", "het doel is 0"),
    ),
    "target_gap": (
        _case("no_target", lambda m: m["target"].isnull(),
              "no target is set for this scope and period",
              "er is geen doel voor deze groep en periode"),
    ),
}  # fmt: skip


def null_cases(name: str) -> tuple[NullCase, ...]:
    """Every reason the metric `name` (a typed name too) can be null, in the order checked."""
    base, _ = split_name(name)
    if base in TARGET_NULLS:
        return TARGET_NULLS[base]
    formula = FORMULAS.get(base)
    return formula.nulls if formula is not None else ()


def null_reason(name: str, code: str) -> NullCase:
    """The null case `code` of the metric `name`."""
    for case in null_cases(name):
        if case.code == code:
            return case
    raise KeyError(f"{name} has no null case {code!r}")


def reason_json(name: str, code: object) -> dict[str, str] | None:
    """Why the metric `name` is null, for the API: its code and sentence in both languages
    (None when `code` is missing: the value is not null)."""
    if not isinstance(code, str):
        return None
    case = null_reason(name, code)
    return {"code": case.code, "en": case.en, "nl": case.nl}


#: Metrics that need a parameter a query does not carry, computed by the analyses instead.
#: Metrics that need a parameter in their name, with what it is and an example.
PARAMETRISED = {"stage_conversion": ("a pair of stages", "stage_conversion:demo>proposal")}

#: The metric whose target attainment is "quota attainment" and "gap to target".
QUOTA_METRIC = "revenue_won"


def computable() -> tuple[str, ...]:
    """The metrics a `Query` computes (the parametrised ones are left to the analyses)."""
    return tuple(
        n
        for n in METRICS
        if (n in FORMULAS and n not in PARAMETRISED) or n in ("quota_attainment", "target_gap")
    )


# -- metrics of one activity type ------------------------------------------------------------
#: The fact whose rows a type filter (`activities:demo`) narrows.
TYPED_FACT = "activity"


def split_name(name: str) -> tuple[str, str | None]:
    """`activities:demo` -> ("activities", "demo"); `win_rate` -> ("win_rate", None)."""
    base, sep, kind = name.partition(":")
    return (base, kind) if sep else (name, None)


def param_ok(base: str, param: str) -> bool:
    """Whether `param` is the kind of parameter the parametrised metric `base` takes."""
    if base == "stage_conversion":
        a, sep, b = param.partition(">")
        return bool(sep and a.strip() and b.strip())
    return False


def typed_ok(base: str, facts: Mapping[str, str]) -> bool:
    """Whether a metric can be narrowed to one activity type: all its measures are activities'
    (or working days). `facts` maps each measure to its fact."""
    formula = FORMULAS.get(base)
    return formula is not None and all(
        facts.get(n, TYPED_FACT) == TYPED_FACT for n in formula.needs
    )


def metric(name: str) -> Metric:
    """The declaration of `name`, a typed name (`activities:demo`) included, with its label."""
    base, kind = split_name(name)
    m = get(base)
    if kind is None:
        return m
    from dataclasses import replace

    return replace(
        m, name=name, label_en=f"{m.label_en} ({kind})", label_nl=f"{m.label_nl} ({kind})"
    )
