"""The weekly report's words: its title, its sections, their columns and what each says when
there is nothing to report; and the mail that carries it."""

from __future__ import annotations

from salesperf.text import Text

_t = Text

#: The report's strings, by key.
MESSAGES: dict[str, Text] = {
    "report.title": _t("Weekly report: {team}, {week}", "Weekrapport: {team}, {week}"),
    "report.subject": _t("Weekly report {team}, {week}", "Weekrapport {team}, {week}"),
    "report.intro": _t(
        "{team} and its sub-teams in {week} ({days}), against target and against {previous}.",
        "{team} en de teams eronder in {week} ({days}), tegen het doel en tegen {previous}.",
    ),
    "report.footer": _t(
        "Made by salesperf on {day}. Figures in {currency}.",
        "Gemaakt door salesperf op {day}. Bedragen in {currency}.",
    ),
    # the sections
    "report.section.week": _t("The week", "De week"),
    "report.section.leaders": _t("Leaderboard", "Ranglijst"),
    "report.section.quadrant": _t("Quadrant changes", "Wisselingen van kwadrant"),
    "report.section.funnel": _t("Weakest funnel step", "Zwakste stap in de trechter"),
    "report.section.under": _t("Consistently under target", "Structureel onder doel"),
    "report.section.stuck": _t("Stuck deals", "Vastgelopen deals"),
    "report.section.quality": _t("Data quality", "Datakwaliteit"),
    "report.section.alerts": _t("Alerts", "Signalen"),
    # the columns
    "report.col.team": _t("Team", "Team"),
    "report.col.metric": _t("Metric", "Maatstaf"),
    "report.col.value": _t("This week", "Deze week"),
    "report.col.previous": _t("Last week", "Vorige week"),
    "report.col.change": _t("Change", "Verschil"),
    "report.col.target": _t("Target", "Doel"),
    "report.col.attainment": _t("Attainment", "Behaald"),
    "report.col.rank": _t("#", "#"),
    "report.col.rep": _t("Rep", "Verkoper"),
    "report.col.activities": _t("Activities", "Activiteiten"),
    "report.col.before": _t("Last week", "Vorige week"),
    "report.col.after": _t("This week", "Deze week"),
    "report.col.step": _t("Step", "Stap"),
    "report.col.rate": _t("Conversion", "Conversie"),
    "report.col.entered": _t("Entered", "Ingestroomd"),
    "report.col.converted": _t("Converted", "Doorgestroomd"),
    "report.col.who": _t("Team or rep", "Team of verkoper"),
    "report.col.missed": _t("Missed", "Gemist"),
    "report.col.trend": _t("Trend", "Trend"),
    "report.col.last": _t("Last attainment", "Laatst behaald"),
    "report.col.deal": _t("Deal", "Deal"),
    "report.col.stage": _t("Stage", "Fase"),
    "report.col.amount": _t("Amount", "Bedrag"),
    "report.col.last_touch": _t("Last touched", "Laatst aangeraakt"),
    "report.col.idle": _t("Days idle", "Dagen stil"),
    "report.col.flag": _t("Flag", "Signaal"),
    "report.col.count": _t("Count", "Aantal"),
    # what the sections say
    "report.not_judged": _t("not judged", "niet beoordeeld"),
    "report.step": _t("{source} → {target}", "{source} → {target}"),
    "report.quadrant.note": _t(
        "Each rep's quadrant over {now}, against {before}.",
        "Het kwadrant van elke verkoper over {now}, tegen {before}.",
    ),
    "report.funnel.weakest": _t(
        "The weakest step over {window}: {step}, {rate} of {entered} deals went on.",
        "De zwakste stap over {window}: {step}, {rate} van {entered} deals ging door.",
    ),
    "report.funnel.breaks": _t(
        "{rep}: conversion breaks at {step}.", "{rep}: de conversie hapert bij {step}."
    ),
    "report.under.note": _t(
        "Under target in at least {k} of the last {n} {grains}.",
        "Onder doel in minstens {k} van de laatste {n} {grains}.",
    ),
    "report.missed": _t("{missed} of {n}", "{missed} van {n}"),
    "report.trend.improving": _t("improving", "verbetert"),
    "report.trend.declining": _t("declining", "daalt"),
    "report.trend.steady": _t("steady", "stabiel"),
    "report.trend.unknown": _t("unknown", "onbekend"),
    "report.stuck.note": _t(
        "Open deals with no activity and no stage change for {days} days or more.",
        "Open deals zonder activiteit en zonder fasewissel in {days} dagen of meer.",
    ),
    "report.more": _t("… and {n} more.", "… en nog {n}."),
    "report.none.week": _t("No figures for this week.", "Geen cijfers voor deze week."),
    "report.none.leaders": _t("No reps.", "Geen verkopers."),
    "report.none.quadrant": _t("No rep changed quadrant.", "Geen verkoper wisselde van kwadrant."),
    "report.none.funnel": _t(
        "No deal entered a pipeline stage over {window}.",
        "Geen deal kwam in een fase van de pijplijn over {window}.",
    ),
    "report.none.under": _t(
        "No team or rep is consistently under target.",
        "Geen team of verkoper zit structureel onder doel.",
    ),
    "report.none.stuck": _t("No stuck deals.", "Geen vastgelopen deals."),
    "report.none.quality": _t("No data-quality flags.", "Geen signalen over datakwaliteit."),
    # the mail
    "report.mail.greeting": _t(
        "Your weekly report is below and attached as a PDF.",
        "Je weekrapport staat hieronder en zit als pdf in de bijlage.",
    ),
}
