"""The analysis pages' charts and their plain words (`charts.`): the quadrant's regions and a
rep's diagnosis, the funnel's weakest step and its deals, the drivers in a manager's words with
the statistics behind a fold."""

from __future__ import annotations

from salesperf.text import Text

_t = Text

#: The charts' strings, by key.
MESSAGES: dict[str, Text] = {
    # the quadrant
    "charts.quadrant.click": _t(
        "Click a rep on the chart, or their name in the table, to see their diagnosis here. "
        "Names that do not fit on the chart are shown on hover and in the table.",
        "Klik op een verkoper in de grafiek, of op de naam in de tabel, om de diagnose hier te "
        "zien. Namen die niet in de grafiek passen, staan bij aanwijzen en in de tabel.",
    ),
    "charts.quadrant.diagnosis": _t("Diagnosis: {name}", "Diagnose: {name}"),
    "charts.quadrant.suggests": _t("What it suggests", "Wat het suggereert"),
    "charts.quadrant.breaks": _t("Where conversion breaks", "Waar de conversie breekt"),
    "charts.quadrant.why_none": _t("Why no label", "Waarom geen oordeel"),
    "charts.quadrant.rep_page": _t("Open {name}'s page", "Open de pagina van {name}"),
    "charts.quadrant.close": _t("Close the diagnosis", "Diagnose sluiten"),
    "charts.quadrant.show": _t("diagnosis", "diagnose"),
    "charts.quadrant.team_median": _t("team median", "teammediaan"),
    # the funnel
    "charts.funnel.count_axis": _t("Deals", "Deals"),
    "charts.funnel.weakest": _t("weakest step", "zwakste stap"),
    "charts.funnel.breaks": _t("breaks here (below the team)", "breekt hier (onder het team)"),
    "charts.funnel.weakest_note": _t(
        "Weakest step: {step} ({rate} reached the next stage).",
        "Zwakste stap: {step} ({rate} bereikte de volgende fase).",
    ),
    "charts.funnel.breaks_note": _t(
        "Conversion breaks at {step}: clearly below the team.",
        "De conversie breekt bij {step}: duidelijk onder het team.",
    ),
    "charts.funnel.drill": _t(
        "Click a step on the chart, or its count in the table, to list its deals.",
        "Klik op een stap in de grafiek, of op het aantal in de tabel, voor de deals ervan.",
    ),
    "charts.funnel.deals": _t("the deals", "de deals"),
    # the deals at one step
    "charts.deals.title": _t("Deals at a step", "Deals bij een stap"),
    "charts.deals.heading": _t(
        "Deals that entered {stage} in {period}", "Deals die {stage} bereikten in {period}"
    ),
    "charts.deals.summary": _t(
        "{entered} entered {stage}; {reached} of them reached {next}.",
        "{entered} bereikten {stage}; {reached} daarvan bereikten {next}.",
    ),
    "charts.deals.deal": _t("Deal", "Deal"),
    "charts.deals.entered": _t("Entered the stage", "Fase bereikt op"),
    "charts.deals.reached": _t("Reached {next}", "{next} bereikt"),
    "charts.deals.status": _t("Status", "Status"),
    "charts.deals.amount": _t("Amount", "Bedrag"),
    "charts.deals.now": _t("Stage now", "Fase nu"),
    "charts.deals.yes": _t("yes", "ja"),
    "charts.deals.no": _t("no", "nee"),
    "charts.deals.none": _t(
        "No deal entered this stage in the period.", "Geen deal bereikte deze fase in de periode."
    ),
    "charts.deals.back": _t("Back to the funnel", "Terug naar de trechter"),
    "charts.deals.no_step": _t(
        "{step!r} is not a step of the pipeline; the steps are: {steps}",
        "{step!r} is geen stap van de pijplijn; de stappen zijn: {steps}",
    ),
    # the drivers, for a manager
    "charts.drivers.chart": _t(
        "Deals won after a usual busier week of each activity type",
        "Gewonnen deals na een gewoon drukkere week van elk activiteitstype",
    ),
    "charts.drivers.axis": _t("Change in deals won (%)", "Verandering in gewonnen deals (%)"),
    "charts.drivers.change": _t("Change in deals won", "Verandering in gewonnen deals"),
    "charts.drivers.range": _t("Likely range", "Waarschijnlijke bandbreedte"),
    "charts.drivers.more": _t("More a week", "Meer per week"),
    "charts.drivers.after": _t("Shows up", "Zichtbaar"),
    "charts.drivers.sure": _t("How sure", "Hoe zeker"),
    "charts.drivers.clear": _t("clear", "duidelijk"),
    "charts.drivers.unclear": _t("could be chance", "kan toeval zijn"),
    "charts.drivers.summary": _t(
        "What goes with deals won here", "Wat hier samengaat met gewonnen deals"
    ),
    "charts.drivers.effect": _t(
        "{type}: about {per} more a week goes with {change} deals won {when} "
        "(likely between {low} and {high}).",
        "{type}: ongeveer {per} meer per week gaat samen met {change} gewonnen deals {when} "
        "(waarschijnlijk tussen {low} en {high}).",
    ),
    "charts.drivers.effect.clear": _t(
        "This is clear: unlikely to be chance.", "Dit is duidelijk: waarschijnlijk geen toeval."
    ),
    "charts.drivers.effect.unclear": _t(
        "This is not clear: it could be chance.", "Dit is niet duidelijk: het kan toeval zijn."
    ),
    "charts.drivers.none_clear": _t(
        "No activity type goes clearly with more or fewer deals won in this window.",
        "Geen enkel activiteitstype gaat in deze periode duidelijk samen met meer of minder "
        "gewonnen deals.",
    ),
    "charts.drivers.reading": _t(
        "Each bar is the likely range of the change in deals won after a week with about the "
        "usual extra amount of an activity type, for the same rep; the dot is the best "
        "estimate. Blue: clear; grey: could be chance.",
        "Elke balk is de waarschijnlijke bandbreedte van de verandering in gewonnen deals na "
        "een week met ongeveer de gebruikelijke extra hoeveelheid van een activiteitstype, voor "
        "dezelfde verkoper; de stip is de beste schatting. Blauw: duidelijk; grijs: kan toeval "
        "zijn.",
    ),
    "charts.drivers.how": _t("How this is computed", "Hoe dit is berekend"),
}
