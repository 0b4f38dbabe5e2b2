"""The command line's words: table headings, titles and the lines around them, by command
(`cli.<command>.<name>`)."""

from __future__ import annotations

from salesperf.text import Text

_t = Text

#: The command line's strings, by key.
MESSAGES: dict[str, Text] = {
    # said on standard error when the data end before today
    "cli.asof.choose": _t(" (--as-of to choose)", " (kies met --as-of)"),
    # salesperf diagnose
    "cli.diagnose.rep": _t("Rep", "Verkoper"),
    "cli.diagnose.activity": _t("Activity index", "Activiteitsindex"),
    "cli.diagnose.performance": _t("Performance index", "Prestatie-index"),
    "cli.diagnose.label": _t("Label", "Oordeel"),
    "cli.diagnose.why": _t("Reason / where conversion breaks", "Reden / waar de conversie breekt"),
    "cli.diagnose.no_break": _t(
        "no step clearly below the team", "geen stap duidelijk onder het team"
    ),
    "cli.diagnose.legend": _t(
        "Index with its 95% interval below. Activity: 1 is the team median. Performance: 1 is "
        "the rep's revenue target, or the team median where marked †.",
        "Index met eronder het 95%-interval. Activiteit: 1 is de teammediaan. Prestatie: 1 is "
        "het omzetdoel van de verkoper, of de teammediaan waar † staat.",
    ),
    "cli.diagnose.vs": _t("vs", "tegen"),
    # salesperf drivers
    "cli.drivers.title": _t("Drivers of deals won", "Drijvers van gewonnen deals"),
    "cli.drivers.everyone": _t("everyone", "iedereen"),
    "cli.drivers.team": _t("team", "team"),
    "cli.drivers.effects": _t(
        "Activity and deals won weeks later (count model)",
        "Activiteit en gewonnen deals weken later (telmodel)",
    ),
    "cli.drivers.type": _t("Type", "Type"),
    "cli.drivers.lag": _t("Lag", "Vertraging"),
    "cli.drivers.effect": _t("Deals won", "Gewonnen"),
    "cli.drivers.interval": _t("95% interval", "95%-interval"),
    "cli.drivers.sd": _t("+1 SD/wk", "+1 SD/wk"),
    "cli.drivers.p": _t("p (Holm)", "p (Holm)"),
    "cli.drivers.weeks": _t("wk", "wk"),
    "cli.drivers.with": _t(
        "Win rate with and without each type", "Winratio met en zonder elk type"
    ),
    "cli.drivers.with_col": _t("With", "Met"),
    "cli.drivers.without_col": _t("Without", "Zonder"),
    "cli.drivers.diff": _t("Diff. (pts)", "Verschil (ptn)"),
    "cli.drivers.touches": _t(
        "Conversion by number of touches", "Conversie naar aantal contactmomenten"
    ),
    "cli.drivers.n_touches": _t("Touches", "Contacten"),
    "cli.drivers.deals": _t("Closed", "Gesloten"),
    "cli.drivers.won": _t("Won", "Gewonnen"),
    "cli.drivers.rate": _t("Win rate", "Winratio"),
    "cli.drivers.gain": _t("Pts per touch", "Ptn per contact"),
    "cli.drivers.skipped": _t("Not studied", "Niet onderzocht"),
    "cli.drivers.n": _t("n", "n"),
    "cli.drivers.span": _t(
        "{window} ({who}; ISO weeks {weeks})",
        "{window} ({who}; ISO-weken {weeks})",
    ),
    # salesperf rollups
    "cli.rollups.rows": _t("{name}: {rows} rows", "{name}: {rows} rijen"),
    "cli.rollups.equal": _t(
        "{name}: equal to the raw tables", "{name}: gelijk aan de ruwe tabellen"
    ),
    "cli.rollups.differ": _t(
        "{name}: {rows} rows differ from the raw tables",
        "{name}: {rows} rijen wijken af van de ruwe tabellen",
    ),
    "cli.rollups.unused": _t(
        "{name}: not kept current, so never read (queries read the raw tables)",
        "{name}: niet bijgehouden, dus nooit gelezen (zoekvragen lezen de ruwe tabellen)",
    ),
    "cli.rollups.fix": _t(
        "Rebuild them from the raw tables: salesperf rollups rebuild",
        "Bouw ze opnieuw uit de ruwe tabellen: salesperf rollups rebuild",
    ),
    # salesperf plan
    "cli.plan.rate": _t("Rate", "Ratio"),
    "cli.plan.value": _t("Value", "Waarde"),
    "cli.plan.interval": _t("95% interval", "95%-interval"),
    "cli.plan.from": _t("From", "Bron"),
    "cli.plan.size": _t("Average deal size", "Gemiddelde dealgrootte"),
    "cli.plan.win": _t("Win rate", "Winratio"),
    "cli.plan.deals": _t("Deals needed", "Benodigde deals"),
    "cli.plan.opps": _t("Opportunities needed", "Benodigde kansen"),
    "cli.plan.days": _t("Working days (Mon–Fri)", "Werkdagen (ma–vr)"),
    "cli.plan.type": _t("Activity", "Activiteit"),
    "cli.plan.per_act": _t("Opps per 100 (95%)", "Kansen per 100 (95%)"),
    "cli.plan.total": _t("Total", "Totaal"),
    "cli.plan.week": _t("Plan /wk", "Plan /wk"),
    "cli.plan.day": _t("Per day", "Per dag"),
    "cli.plan.range": _t("50–80% chance /wk", "50–80% kans /wk"),
    "cli.plan.high": _t("80% /wk", "80% /wk"),
    "cli.plan.pace": _t("Pace /wk", "Tempo /wk"),
    "cli.plan.short": _t("Short /wk", "Tekort /wk"),
    "cli.plan.rep": _t("Rep", "Verkoper"),
    "cli.plan.deals_short": _t("Deals", "Deals"),
    "cli.plan.opps_short": _t("Opps", "Kansen"),
    "cli.plan.target": _t("Target", "Doel"),
    "cli.plan.acts": _t("Plan /wk", "Plan /wk"),
    "cli.plan.p": _t("Chance", "Kans"),
    "cli.plan.reps_total": _t("Reps added up", "Verkopers opgeteld"),
    "cli.plan.notes": _t("Notes", "Opmerkingen"),
    "cli.plan.title": _t(
        "Plan: {target} in {period} for {name}", "Plan: {target} in {period} voor {name}"
    ),
    "cli.plan.rates_title": _t("Rates of {window}", "Ratio's van {window}"),
    "cli.plan.acts_title": _t("Activities needed", "Benodigde activiteiten"),
    "cli.plan.pace_title": _t(
        "Pace of {period} against the plan", "Tempo van {period} tegenover het plan"
    ),
    "cli.plan.reps_title": _t("Each rep's plan", "Het plan per verkoper"),
    # salesperf health
    # salesperf quality
    "cli.quality.title": _t(
        "Data quality, {period} (as of {day})", "Datakwaliteit, {period} (per {day})"
    ),
    "cli.quality.rep": _t("Rep", "Verkoper"),
    "cli.quality.flag": _t("What is missing", "Wat ontbreekt"),
    "cli.quality.count": _t("How many", "Hoeveel"),
    "cli.quality.affects": _t("Figures touched", "Geraakte cijfers"),
    "cli.quality.examples": _t("For example", "Bijvoorbeeld"),
    "cli.quality.none": _t("No data-quality flags.", "Geen signalen over de datakwaliteit."),
    "cli.health.who": _t("Team / rep", "Team / verkoper"),
    "cli.health.missed": _t("Missed", "Gemist"),
    "cli.health.flag": _t("⚑", "⚑"),
    "cli.health.trend": _t("Trend", "Trend"),
    "cli.health.pace": _t("Pace", "Tempo"),
    "cli.health.legend": _t(
        "Attainment per period (red: under target); Missed: periods under target; ⚑: "
        "consistently under target; Trend: attainment points per period; Pace: the last full "
        "weeks' activity as a share of what the current target asks (red: not enough).",
        "Doelrealisatie per periode (rood: onder doel); Gemist: periodes onder doel; ⚑: "
        "structureel onder doel; Trend: procentpunten doelrealisatie per periode; Tempo: de "
        "activiteit van de laatste volle weken als deel van wat het huidige doel vraagt (rood: "
        "niet genoeg).",
    ),
    "cli.health.flagged": _t("Consistently under target", "Structureel onder doel"),
    "cli.health.basis": _t(
        "Target not set for exactly the period", "Doel niet voor precies de periode vastgelegd"
    ),
    # salesperf forecast
    "cli.forecast.part": _t("Part", "Onderdeel"),
    "cli.forecast.revenue": _t("Revenue", "Omzet"),
    "cli.forecast.closed": _t("Closed so far", "Al gesloten"),
    "cli.forecast.pipeline": _t("Open pipeline (expected)", "Open pijplijn (verwacht)"),
    "cli.forecast.new": _t("New deals (expected)", "Nieuwe deals (verwacht)"),
    "cli.forecast.expected": _t("Expected at period end", "Verwacht aan het eind"),
    "cli.forecast.target": _t("Target", "Doel"),
    "cli.forecast.range": _t("Revenue at period end", "Omzet aan het eind van de periode"),
    "cli.forecast.attainment": _t("Attainment", "Doelrealisatie"),
    "cli.forecast.day": _t("Up to", "Tot"),
    "cli.forecast.actual": _t("Actual", "Werkelijk"),
    "cli.forecast.path": _t("Weekly path (cumulative)", "Verloop per week (cumulatief)"),
    "cli.forecast.assumptions": _t("Assumptions", "Aannames"),
    "cli.forecast.title": _t(
        "Forecast of revenue won in {period} for {scope}, as of {day}",
        "Prognose van de omzet in {period} voor {scope}, per {day}",
    ),
    "cli.forecast.open_deals": _t("{n} deals", "{n} deals"),
    "cli.forecast.new_wins": _t("{n} wins", "{n} gewonnen"),
    "cli.forecast.chance": _t(
        "Chance of reaching the target: {p}", "Kans om het doel te halen: {p}"
    ),
    "cli.forecast.no_target": _t(
        "No revenue target is set for this period and scope.",
        "Voor deze periode en groep is geen omzetdoel vastgelegd.",
    ),
    # salesperf scorecard (the table)
    "cli.scorecard.amounts": _t("Amounts in {currency}", "Bedragen in {currency}"),
    "cli.scorecard.no_data": _t("No data for {period}.", "Geen gegevens voor {period}."),
    "cli.scorecard.activity": _t("Activity (input)", "Activiteit (input)"),
    "cli.scorecard.performance": _t("Performance (output)", "Prestaties (output)"),
    "cli.scorecard.effectiveness": _t(
        "Effectiveness (output per input)", "Effectiviteit (output per input)"
    ),
    "cli.scorecard.headline": _t(
        "Headline ({context}), {period}", "Kerncijfers ({context}), {period}"
    ),
    "cli.scorecard.rep": _t("Rep", "Verkoper"),
    "cli.scorecard.team": _t("Team", "Team"),
    "cli.scorecard.org": _t("", ""),
    "cli.scorecard.period": _t("Period", "Periode"),
    "cli.scorecard.split.type": _t("Type", "Type"),
    "cli.scorecard.split.source": _t("Source", "Bron"),
    "cli.scorecard.split.kind": _t("Kind", "Soort"),
    "cli.scorecard.split.segment": _t("Segment", "Segment"),
    "cli.scorecard.of_target": _t("{share} of target", "{share} van doel"),
    "cli.scorecard.basis": _t(
        "* Target not set for exactly {period}: {ways}.",
        "* Geen doel vastgelegd voor precies {period}: {ways}.",
    ),
}
