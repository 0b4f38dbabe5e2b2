"""The web interface's words: frame, pages, forms and messages."""

from __future__ import annotations

from salesperf.text import Text

_t = Text

#: The web interface's strings, by key.
MESSAGES: dict[str, Text] = {
    # frame and navigation
    "app": _t("salesperf", "salesperf"),
    "nav.overview": _t("Overview", "Overzicht"),
    "nav.teams": _t("Teams", "Teams"),
    "nav.me": _t("My figures", "Mijn cijfers"),
    "nav.import": _t("Import", "Importeren"),
    "nav.log": _t("Log an activity", "Activiteit vastleggen"),
    "nav.exports": _t("Exports", "Exporteren"),
    "nav.tokens": _t("API tokens", "API-tokens"),
    "nav.signout": _t("Sign out", "Afmelden"),
    "nav.language": _t("Language", "Taal"),
    "nav.main": _t("Main", "Hoofdmenu"),
    "nav.signed_in_as": _t("Signed in as", "Aangemeld als"),
    "role.admin": _t("administrator", "beheerder"),
    "role.manager": _t("manager", "manager"),
    "role.rep": _t("rep", "verkoper"),
    # sign-in
    "signin.title": _t("Sign in", "Aanmelden"),
    "signin.username": _t("Username", "Gebruikersnaam"),
    "signin.password": _t("Password", "Wachtwoord"),
    "signin.submit": _t("Sign in", "Aanmelden"),
    "signin.failed": _t(
        "The username or password is wrong.", "De gebruikersnaam of het wachtwoord klopt niet."
    ),
    "signin.throttled": _t(
        "Too many failed sign-ins from here. Wait {seconds} s and try again.",
        "Te veel mislukte aanmeldpogingen vanaf hier. Wacht {seconds} s en probeer het opnieuw.",
    ),
    "signin.expired": _t(
        "The form had expired; please sign in again.",
        "Het formulier was verlopen; meld u opnieuw aan.",
    ),
    # common words
    "period": _t("Period", "Periode"),
    "previous": _t("Previous period", "Vorige periode"),
    "target": _t("Target", "Doel"),
    "attainment": _t("Attainment", "Doelrealisatie"),
    "change": _t("Change", "Verandering"),
    "vs_previous": _t("vs previous period", "t.o.v. vorige periode"),
    "of_target": _t("of target", "van doel"),
    "no_target": _t("no target set", "geen doel vastgelegd"),
    "name": _t("Name", "Naam"),
    "team": _t("Team", "Team"),
    "rep": _t("Rep", "Verkoper"),
    "reps": _t("Reps", "Verkopers"),
    "subteams": _t("Teams in this team", "Teams binnen dit team"),
    "show": _t("Show", "Tonen"),
    "month": _t("Month", "Maand"),
    "organisation": _t("Organisation", "Organisatie"),
    "activity_group": _t("Activity", "Activiteit"),
    "performance_group": _t("Performance", "Prestaties"),
    "effectiveness_group": _t("Effectiveness", "Effectiviteit"),
    "no_rows": _t("No figures for this selection.", "Geen cijfers voor deze selectie."),
    # overview
    "overview.title": _t("Overview", "Overzicht"),
    "overview.headline": _t("Headline figures", "Kerncijfers"),
    "overview.activity_trend": _t("Activity per month", "Activiteit per maand"),
    "overview.performance_trend": _t("Revenue won per month", "Gewonnen omzet per maand"),
    "overview.teams": _t("Teams", "Teams"),
    "overview.scope": _t("Showing", "Weergave"),
    # team and rep pages
    "team.title": _t("Team {name}", "Team {name}"),
    "teams.title": _t("Teams", "Teams"),
    "rep.title": _t("Scorecard of {name}", "Scorecard van {name}"),
    "rep.mix": _t("Activity by type", "Activiteit per type"),
    "rep.trend": _t("Activity and revenue per month", "Activiteit en omzet per maand"),
    # import
    "import.title": _t("Import a file", "Een bestand importeren"),
    "import.table": _t("Table", "Tabel"),
    "import.file": _t("File (CSV, Excel or Parquet)", "Bestand (CSV, Excel of Parquet)"),
    "import.preset": _t("Source format", "Bronformaat"),
    "import.maps": _t(
        "Column mapping (optional), one per line: SOURCE=COLUMN",
        "Kolomkoppeling (optioneel), één per regel: BRON=KOLOM",
    ),
    "import.preview": _t("Preview", "Voorbeeld"),
    "import.mapping": _t("Column mapping", "Kolomkoppeling"),
    "import.canonical": _t("Column in salesperf", "Kolom in salesperf"),
    "import.source": _t("Column in the file", "Kolom in het bestand"),
    "import.required": _t("required", "verplicht"),
    "import.ignored": _t("Columns not imported", "Kolommen die niet worden geïmporteerd"),
    "import.unmapped": _t("Values no rule maps", "Waarden zonder vertaalregel"),
    "import.unmapped_help": _t(
        "These values of the file mean nothing to salesperf yet. The import stops on them "
        "unless you take the suggestions (or add them to a mapping file).",
        "Deze waarden uit het bestand zeggen salesperf nog niets. De import stopt erop, tenzij "
        "u de suggesties overneemt (of ze in een mappingbestand opneemt).",
    ),
    "import.rows": _t("Rows", "Rijen"),
    "import.suggestion": _t("Suggestion", "Suggestie"),
    "import.accept_suggested": _t(
        "Map these values as suggested", "Deze waarden vertalen zoals voorgesteld"
    ),
    "import.unknown_owners": _t(
        "Owners that are no known rep: {n} (their {rows} rows were rejected and kept in the "
        "rejects file):",
        "Eigenaren die geen bekende verkoper zijn: {n} (hun {rows} rijen zijn afgewezen en "
        "bewaard in het bestand met afgewezen rijen):",
    ),
    "import.unknown_owners_title": _t("Owners that are no known rep", "Onbekende eigenaren"),
    "import.owner": _t("Owner as the file names them", "Eigenaar zoals het bestand die noemt"),
    "import.owner_hint": _t(
        'Make each a name of a rep with salesperf alias add "NAME" REP_ID, or import a file '
        "of alias,rep_id rows into rep_aliases; then import the file again.",
        'Maak elk een naam van een verkoper met salesperf alias add "NAAM" REP_ID, of '
        "importeer een bestand met alias,rep_id-rijen in rep_aliases; importeer daarna het "
        "bestand opnieuw.",
    ),
    "import.suggested": _t(
        "Values mapped as suggested (rows)", "Waarden volgens de suggestie vertaald (rijen)"
    ),
    "import.sample": _t("First rows of the file", "Eerste rijen van het bestand"),
    "import.run": _t("Import these rows", "Deze rijen importeren"),
    "import.refused": _t(
        "This file cannot be imported", "Dit bestand kan niet worden geïmporteerd"
    ),
    "import.result": _t("Import result", "Resultaat van de import"),
    "import.rows_read": _t("Rows read", "Gelezen rijen"),
    "import.inserted": _t("Added", "Toegevoegd"),
    "import.updated": _t("Updated", "Bijgewerkt"),
    "import.unchanged": _t("Unchanged", "Ongewijzigd"),
    "import.rejected": _t("Rejected", "Afgewezen"),
    "import.problems": _t("Rejected rows", "Afgewezen rijen"),
    "import.line": _t("Line", "Regel"),
    "import.column": _t("Column", "Kolom"),
    "import.value": _t("Value", "Waarde"),
    "import.problem": _t("Problem", "Probleem"),
    "import.seconds": _t("Seconds", "Seconden"),
    "import.first_problems": _t(
        "{n} row(s) rejected; the first problems:", "{n} rij(en) afgewezen; de eerste problemen:"
    ),
    "import.all_rejects": _t(
        "All rejected rows, with their problems: {path}",
        "Alle afgewezen rijen, met hun problemen: {path}",
    ),
    "import.download": _t("Download the rejected rows (CSV)", "Afgewezen rijen downloaden (CSV)"),
    "import.again": _t("Import another file", "Nog een bestand importeren"),
    "import.constant": _t("fixed value", "vaste waarde"),
    "import.deleted": _t("Deleted (not in the file)", "Verwijderd (niet in het bestand)"),
    "import.restore_hint": _t(
        "{n} stored row(s) were not in the file and were deleted; they are kept: "
        "salesperf imports restore {id} puts them back.",
        "{n} opgeslagen rij(en) stonden niet in het bestand en zijn verwijderd; ze zijn "
        "bewaard: salesperf imports restore {id} zet ze terug.",
    ),
    "import.replace": _t(
        "Replace: delete the stored rows that are not in this file",
        "Vervangen: opgeslagen rijen die niet in dit bestand staan verwijderen",
    ),
    "import.replace_help": _t(
        "Rows of the file that are rejected keep their stored row. Deleted rows are kept and "
        "can be restored.",
        "Rijen van het bestand die worden afgewezen behouden hun opgeslagen rij. Verwijderde "
        "rijen worden bewaard en kunnen worden teruggezet.",
    ),
    "import.system": _t(
        "Source system (optional, e.g. hubspot): with Replace, only its rows are deleted",
        "Bronsysteem (optioneel, bijv. hubspot): bij Vervangen worden alleen zijn rijen verwijderd",
    ),
    # exports
    "exports.title": _t("Exports", "Exporteren"),
    "exports.tables": _t("Tables", "Tabellen"),
    "exports.rows": _t("Rows", "Rijen"),
    "exports.scorecard": _t("Scorecard", "Scorecard"),
    "exports.by": _t("One row per", "Eén rij per"),
    "exports.period_hint": _t(
        "Period (optional), e.g. 2026-Q3 or 2026-07", "Periode (optioneel), bv. 2026-Q3 of 2026-07"
    ),
    # the analysis pages: shared words
    "window": _t("Window", "Periode"),
    "low": _t("low", "onder"),
    "high": _t("high", "boven"),
    "whole_org": _t("The whole organisation", "De hele organisatie"),
    "interval": _t("95% interval", "95%-interval"),
    "own_only": _t(
        "You see your own position against your team; other reps are not shown.",
        "U ziet uw eigen positie tegenover uw team; andere verkopers worden niet getoond.",
    ),
    "notes": _t("How to read this", "Zo leest u dit"),
    # the quadrant
    "nav.quadrant": _t("Quadrant", "Kwadrant"),
    "quadrant.title": _t("Activity and performance", "Activiteit en prestatie"),
    "quadrant.chart": _t(
        "Activity index against performance index", "Activiteitsindex tegenover prestatie-index"
    ),
    "quadrant.activity": _t("Activity index", "Activiteitsindex"),
    "quadrant.performance": _t("Performance index", "Prestatie-index"),
    "quadrant.label": _t("Label", "Oordeel"),
    "quadrant.why": _t("Reason / where conversion breaks", "Reden / waar de conversie breekt"),
    "quadrant.no_break": _t("no step clearly below the team", "geen stap duidelijk onder het team"),
    "quadrant.vs": _t("vs", "tegen"),
    "quadrant.peers": _t("Compare with", "Vergelijken met"),
    "quadrant.own_team": _t("each rep's own team", "het eigen team van elke verkoper"),
    "quadrant.queried_team": _t(
        "every rep of the team shown", "alle verkopers van het getoonde team"
    ),
    "quadrant.legend": _t(
        "Index with its 95% interval. Activity: 1 is the median of the rep's peers. "
        "Performance: 1 is the rep's revenue target, or the peers' median revenue where marked †.",
        "Index met het 95%-interval. Activiteit: 1 is de mediaan van de vergelijkingsgroep. "
        "Prestatie: 1 is het omzetdoel van de verkoper, of de mediane omzet van de "
        "vergelijkingsgroep waar † staat.",
    ),
    "quadrant.not_drawn": _t(
        "Not in the chart (no index to draw):", "Niet in de grafiek (geen index om te tekenen):"
    ),
    "quadrant.details": _t("Per rep", "Per verkoper"),
    "quadrant.click": _t(
        "Click a point to open the rep's page.",
        "Klik op een punt om de pagina van de verkoper te openen.",
    ),
    # the funnel
    "nav.funnel": _t("Funnel", "Trechter"),
    "funnel.title": _t("Funnel and stage conversion", "Trechter en faseconversie"),
    "funnel.step": _t("Step", "Stap"),
    "funnel.entered": _t("Deals entering the stage", "Deals die de fase bereikten"),
    "funnel.converted": _t("of which reached the next stage", "waarvan de volgende fase bereikt"),
    "funnel.conversion": _t(
        "Conversion (raw: reached / entered)", "Conversie (ruw: bereikt / binnen)"
    ),
    "funnel.explain": _t(
        "Of the deals that entered a stage in the window, the share that went on to reach the "
        "next stage (also after the window).",
        "Van de deals die in de periode een fase bereikten, het deel dat daarna de volgende "
        "fase bereikte (ook na de periode).",
    ),
    "funnel.per_rep": _t("Step conversion per rep", "Stapconversie per verkoper"),
    "funnel.per_rep_explain": _t(
        "Each rep's conversion shrunk toward their team's (so that a handful of deals does not "
        "stand out), with its 95% interval; below it the raw rate (reached / entered) and the "
        "team's pooled rate. Where nothing entered a step there is no rate (—). A marked cell "
        "is where the rep's conversion breaks: the step furthest below the team with its whole "
        "interval below it (shown for reps who are busy but not effective, or at risk).",
        "De conversie van elke verkoper, gekrompen naar die van het team (zodat een handvol "
        "deals niet opvalt), met het 95%-interval; daaronder de ruwe ratio (bereikt / binnen) "
        "en de gezamenlijke ratio van het team. Waar niets een stap bereikte, is er geen ratio "
        "(—). Een gemarkeerde cel is waar de conversie van de verkoper breekt: de stap die het "
        "verst onder het team ligt met het hele interval eronder (getoond voor verkopers die "
        "druk maar niet effectief zijn, of risico lopen).",
    ),
    "funnel.team": _t("team", "team"),
    "funnel.shrunk": _t("shrunk", "gekrompen"),
    "funnel.raw": _t("raw", "ruw"),
    "funnel.breaks": _t("breaks here", "breekt hier"),
    # the drivers
    "nav.drivers": _t("Drivers", "Drijfveren"),
    "drivers.title": _t("What goes with deals won", "Wat samengaat met gewonnen deals"),
    "drivers.caution": _t("Association, not causation", "Samenhang, geen oorzaak"),
    "drivers.effects": _t("Effect of each activity type", "Effect van elk activiteitstype"),
    "drivers.effects_chart": _t(
        "Deals won per +1 SD of weekly activity, at the strongest lag (weeks)",
        "Gewonnen deals per +1 sd weekactiviteit, bij de sterkste vertraging (weken)",
    ),
    "drivers.type": _t("Activity type", "Activiteitstype"),
    "drivers.rate_ratio": _t("Rate ratio", "Factor"),
    "drivers.lag": _t("Lag (weeks)", "Vertraging (weken)"),
    "drivers.best_lag": _t("Best lag (weeks)", "Beste vertraging (weken)"),
    "drivers.per": _t("+1 SD (a week)", "+1 sd (per week)"),
    "drivers.significant": _t("significant", "significant"),
    "drivers.not_significant": _t("not significant", "niet significant"),
    "drivers.max_lag": _t("Longest lag (weeks)", "Langste vertraging (weken)"),
    "drivers.with_without": _t(
        "Win rate with and without each type", "Winratio met en zonder elk type"
    ),
    "drivers.with": _t("With the type", "Met het type"),
    "drivers.without": _t("Without", "Zonder"),
    "drivers.difference": _t("Difference", "Verschil"),
    "drivers.closed": _t("Deals closed", "Gesloten deals"),
    "drivers.touches": _t("Win rate by number of touches", "Winratio naar aantal contactmomenten"),
    "drivers.touches_axis": _t("Touches per deal", "Contactmomenten per deal"),
    "drivers.win_rate": _t("Win rate", "Winratio"),
    "drivers.skipped": _t("Not studied", "Niet onderzocht"),
    # the plan
    "nav.plan": _t("Plan", "Plan"),
    "plan.title": _t("Plan to target", "Plan naar het doel"),
    "plan.target": _t("Revenue target", "Omzetdoel"),
    "plan.for": _t("For", "Voor"),
    "plan.submit": _t("Make the plan", "Plan maken"),
    "plan.no_target": _t(
        "No revenue target is set for {period}; enter one to see what it asks.",
        "Voor {period} is geen omzetdoel vastgelegd; vul er een in om te zien wat het vraagt.",
    ),
    "plan.refused": _t("No plan can be made:", "Er kan geen plan worden gemaakt:"),
    "plan.target_set": _t("the target set for {period}", "het vastgelegde doel voor {period}"),
    "plan.target_asked": _t("the target entered", "het ingevulde doel"),
    "plan.deals": _t("Deals to win", "Te winnen deals"),
    "plan.opportunities": _t("Opportunities needed", "Benodigde kansen"),
    "plan.avg_deal": _t("Average deal", "Gemiddelde deal"),
    "plan.win_rate": _t("Win rate", "Winratio"),
    "plan.total": _t("In the period", "In de periode"),
    "plan.per_week": _t("Asked per week", "Nodig per week"),
    "plan.per_day": _t("Per working day", "Per werkdag"),
    "plan.pace": _t("Current pace per week", "Huidig tempo per week"),
    "plan.shortfall": _t("Short per week", "Tekort per week"),
    "plan.even": _t("Even chance, per week", "50% kans, per week"),
    "plan.likely": _t("80% chance, per week", "80% kans, per week"),
    "plan.chance": _t("Chance at the plan's activity", "Kans met de activiteit van het plan"),
    "plan.activities": _t("Activities by type", "Activiteiten per type"),
    "plan.activities_week": _t("Activities a week", "Activiteiten per week"),
    "plan.all": _t("All types", "Alle types"),
    "plan.range": _t(
        "80% range: the activity that reaches the target in 80% of the simulated periods "
        "(50%: an even chance).",
        "80%-bereik: de activiteit die het doel haalt in 80% van de gesimuleerde periodes "
        "(50%: een gelijke kans).",
    ),
    "plan.not_reached": _t("not within reach", "niet haalbaar"),
    "plan.split": _t("Split over the reps", "Verdeling over de verkopers"),
    "plan.rates": _t("Rates from {window}", "Ratio's uit {window}"),
    "plan.pace_weeks": _t("Pace: {weeks}", "Tempo: {weeks}"),
    # the forecast
    "nav.forecast": _t("Forecast", "Prognose"),
    "forecast.title": _t("Revenue forecast", "Omzetprognose"),
    "forecast.as_of": _t("As of", "Per"),
    "forecast.of": _t("{name}, {period}, as of {day}", "{name}, {period}, per {day}"),
    "forecast.p50": _t("Most likely (P50)", "Meest waarschijnlijk (P50)"),
    "forecast.range": _t("80% range (P10–P90)", "80%-bereik (P10–P90)"),
    "forecast.p_target": _t("Chance of reaching the target", "Kans om het doel te halen"),
    "forecast.no_target": _t(
        "No revenue target is set for this period.",
        "Voor deze periode is geen omzetdoel vastgelegd.",
    ),
    "forecast.closed": _t("Closed so far", "Al gesloten"),
    "forecast.pipeline": _t("Expected from the open pipeline", "Verwacht uit de open pijplijn"),
    "forecast.new": _t("Expected from new deals", "Verwacht uit nieuwe deals"),
    "forecast.open_deals": _t("{n} open deals", "{n} open deals"),
    "forecast.chart": _t("Revenue won, cumulative by week", "Gewonnen omzet, cumulatief per week"),
    "forecast.actual": _t("Actual", "Werkelijk"),
    "forecast.median": _t("Median (P50)", "Mediaan (P50)"),
    "forecast.band": _t("P10–P90", "P10–P90"),
    "forecast.day": _t("Day", "Dag"),
    "forecast.assumptions": _t("How the forecast is made", "Zo is de prognose gemaakt"),
    # team health
    "health.title": _t("Team health", "Gezondheid van het team"),
    "health.flagged": _t("Under target", "Onder doel"),
    "health.flag": _t("Flag", "Signaal"),
    "health.trend": _t("Trend", "Trend"),
    "health.per_period": _t("{value} a period", "{value} per periode"),
    "health.improving": _t("improving", "stijgend"),
    "health.declining": _t("declining", "dalend"),
    "health.steady": _t("steady", "stabiel"),
    "health.unknown": _t("unknown", "onbekend"),
    "health.enough": _t("Activity enough for {period}?", "Genoeg activiteit voor {period}?"),
    "health.yes": _t("yes", "ja"),
    "health.no": _t("no", "nee"),
    # errors
    "error.title": _t("Something is not right", "Er klopt iets niet"),
    "error.403": _t("You may not see this.", "U hebt hier geen toegang toe."),
    "error.404": _t("This page does not exist.", "Deze pagina bestaat niet."),
    "error.422": _t(
        "The request cannot be carried out.", "Het verzoek kan niet worden uitgevoerd."
    ),
    "error.500": _t("Something went wrong inside salesperf.", "Er ging iets mis binnen salesperf."),
    "error.internal": _t(
        "This is a bug, not a mistake in your request. Report it with error id {id}.",
        "Dit is een fout in salesperf, niet in uw verzoek. Meld hem met foutcode {id}.",
    ),
    "error.back": _t("Back to the overview", "Terug naar het overzicht"),
    "error.csrf": _t(
        "The form had expired; go back, reload the page and try again.",
        "Het formulier was verlopen; ga terug, laad de pagina opnieuw en probeer het nog eens.",
    ),
}
