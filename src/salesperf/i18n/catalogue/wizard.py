"""The import wizard's words: how the file is written, which of its columns fills each column
of the table (each canonical column named in words), the preview and what is wrong with a
choice."""

from __future__ import annotations

from salesperf.text import Text

_t = Text

#: Each canonical column in words (`salesperf.schema.TABLES`).
COLUMNS: dict[str, Text] = {
    "account_id": _t("Account", "Account"),
    "activity_id": _t("Activity id", "Activiteitnummer"),
    "alias": _t("Other name", "Andere naam"),
    "amount": _t("Amount", "Bedrag"),
    "churned_at": _t("Left on", "Vertrokken op"),
    "closed_at": _t("Closed on", "Gesloten op"),
    "created_at": _t("Created on", "Aangemaakt op"),
    "currency": _t("Currency", "Valuta"),
    "date": _t("Date", "Datum"),
    "deal_id": _t("Deal", "Deal"),
    "duration_min": _t("Duration (minutes)", "Duur (minuten)"),
    "email": _t("Email address", "E-mailadres"),
    "end_date": _t("Last day", "Laatste dag"),
    "entered_at": _t("Entered on", "Binnengekomen op"),
    "kind": _t("Kind of deal", "Soort deal"),
    "lead_id": _t("Lead", "Lead"),
    "lost_reason": _t("Reason lost", "Reden van verlies"),
    "manager_rep_id": _t("Manager", "Leidinggevende"),
    "metric": _t("Metric", "Maatstaf"),
    "name": _t("Name", "Naam"),
    "occurred_at": _t("When", "Wanneer"),
    "outcome": _t("Outcome", "Uitkomst"),
    "parent_team_id": _t("Parent team", "Bovenliggend team"),
    "period_end": _t("Period ends", "Einde periode"),
    "period_start": _t("Period starts", "Begin periode"),
    "qualified_at": _t("Qualified on", "Gekwalificeerd op"),
    "rate": _t("Exchange rate", "Wisselkoers"),
    "rep_id": _t("Salesperson", "Verkoper"),
    "responded_at": _t("Answered on", "Beantwoord op"),
    "response_id": _t("Answer id", "Antwoordnummer"),
    "role": _t("Role", "Rol"),
    "scale": _t("Scale", "Schaal"),
    "scope": _t("Applies to", "Geldt voor"),
    "scope_id": _t("Applies to (id)", "Geldt voor (nummer)"),
    "score": _t("Score", "Score"),
    "segment": _t("Segment", "Segment"),
    "source": _t("Source", "Bron"),
    "stage": _t("Stage", "Fase"),
    "start_date": _t("First day", "Eerste dag"),
    "status": _t("Status", "Status"),
    "team_id": _t("Team", "Team"),
    "type": _t("Type", "Soort"),
    "value": _t("Target value", "Doelwaarde"),
}

#: The wizard's strings, by key.
MESSAGES: dict[str, Text] = {
    **{f"wizard.column.{name}": text for name, text in COLUMNS.items()},
    "wizard.step_file": _t("1. Choose a file", "1. Kies een bestand"),
    "wizard.step_reading": _t("2. How the file is written", "2. Hoe het bestand is geschreven"),
    "wizard.step_mapping": _t("3. Which column holds what", "3. Welke kolom bevat wat"),
    "wizard.step_preview": _t("4. Check before importing", "4. Controleer vóór het importeren"),
    "wizard.detected": _t(
        "Read from the start of the file; change a choice if it is wrong.",
        "Afgeleid uit het begin van het bestand; pas een keuze aan als die niet klopt.",
    ),
    "wizard.detected_mark": _t("found in the file", "gevonden in het bestand"),
    "wizard.delimiter": _t("Columns separated by", "Kolommen gescheiden door"),
    "wizard.decimal": _t("Decimal separator", "Decimaalteken"),
    "wizard.date_format": _t("Dates written as", "Datums geschreven als"),
    "wizard.encoding": _t("Character set", "Tekenset"),
    "wizard.delimiter.comma": _t("Comma ( , )", "Komma ( , )"),
    "wizard.delimiter.semicolon": _t("Semicolon ( ; )", "Puntkomma ( ; )"),
    "wizard.delimiter.tab": _t("Tab", "Tab"),
    "wizard.delimiter.pipe": _t("Vertical bar ( | )", "Verticale streep ( | )"),
    "wizard.decimal.point": _t("Point: 1234.50", "Punt: 1234.50"),
    "wizard.decimal.comma": _t("Comma: 1234,50", "Komma: 1234,50"),
    "wizard.date_format.ISO": _t("Year first: 2026-09-29", "Jaar eerst: 2026-09-29"),
    "wizard.date_format.DD-MM-YYYY": _t(
        "Day first: 29-09-2026 or 29/09/2026", "Dag eerst: 29-09-2026 of 29/09/2026"
    ),
    "wizard.date_format.MM/DD/YYYY": _t("Month first: 09/29/2026", "Maand eerst: 09/29/2026"),
    "wizard.encoding.utf-8": _t("UTF-8", "UTF-8"),
    "wizard.encoding.utf-8-sig": _t("UTF-8 with byte-order mark", "UTF-8 met bytevolgordeteken"),
    "wizard.encoding.cp1252": _t("Windows (cp1252)", "Windows (cp1252)"),
    "wizard.encoding.latin-1": _t("Latin-1 (ISO 8859-1)", "Latin-1 (ISO 8859-1)"),
    "wizard.not_imported": _t("— not imported —", "— niet importeren —"),
    "wizard.required": _t("required", "verplicht"),
    "wizard.file_column": _t("Column in the file", "Kolom in het bestand"),
    "wizard.table_column": _t("Column in salesperf", "Kolom in salesperf"),
    "wizard.also": _t("when empty, then", "indien leeg, dan"),
    "wizard.update": _t("Show the preview with these choices", "Voorbeeld met deze keuzes tonen"),
    "wizard.run": _t("Import the file", "Het bestand importeren"),
    "wizard.sample": _t(
        "The first rows as they will be imported", "De eerste rijen zoals ze worden geïmporteerd"
    ),
    "wizard.sample_bad": _t("rejected", "afgewezen"),
    "wizard.problems": _t(
        "Problems found (nothing is imported yet)",
        "Gevonden problemen (er is nog niets geïmporteerd)",
    ),
    "wizard.summary": _t(
        "{rows} rows read: {accepted} can be imported, {rejected} would be rejected.",
        "{rows} rijen gelezen: {accepted} kunnen worden geïmporteerd, {rejected} zouden worden "
        "afgewezen.",
    ),
    "wizard.no_problems": _t("Every row passes the checks.", "Alle rijen doorstaan de controles."),
    "wizard.kind": _t("Problem", "Probleem"),
    "wizard.count": _t("Times", "Aantal"),
    "wizard.examples": _t("Examples (line: value)", "Voorbeelden (regel: waarde)"),
    "wizard.more_problems": _t(
        "Only the first {n} problems are counted here; the import lists them all.",
        "Hier zijn alleen de eerste {n} problemen geteld; de import somt ze allemaal op.",
    ),
    "wizard.changed": _t(
        "The choices changed after the preview: check the preview with the new choices, then "
        "import.",
        "De keuzes zijn gewijzigd na het voorbeeld: controleer het voorbeeld met de nieuwe "
        "keuzes en importeer dan.",
    ),
    "wizard.fix_first": _t(
        "Fix the choices above first: nothing was imported.",
        "Pas eerst de keuzes hierboven aan: er is niets geïmporteerd.",
    ),
    "wizard.unmapped_first": _t(
        "The rows are checked once every value is mapped: take the suggestions below, or "
        "import the file with a mapping for these values.",
        "De rijen worden gecontroleerd zodra elke waarde een vertaling heeft: neem de "
        "suggesties hieronder over, of importeer het bestand met een koppeling voor deze "
        "waarden.",
    ),
    # what is wrong with a choice
    "wizard.error.encoding": _t(
        "The file cannot be read as {encoding}: byte {offset} is no character in it. Choose "
        "another character set.",
        "Het bestand is niet te lezen als {encoding}: byte {offset} is daarin geen teken. Kies "
        "een andere tekenset.",
    ),
    "wizard.error.one_column": _t(
        "Separated by {delimiter}, the file has one column only (“{column}”). Choose another "
        "separator.",
        "Gescheiden door {delimiter} heeft het bestand maar één kolom (“{column}”). Kies een "
        "ander scheidingsteken.",
    ),
    "wizard.error.option": _t(
        "“{value}” is not one of the choices for “{option}”.",
        "“{value}” is geen van de keuzes voor “{option}”.",
    ),
    "wizard.error.unknown_column": _t(
        "The file has no column “{column}” (chosen for “{canonical}”). Choose one of the "
        "file's columns.",
        "Het bestand heeft geen kolom “{column}” (gekozen voor “{canonical}”). Kies een kolom "
        "van het bestand.",
    ),
    "wizard.error.required": _t(
        "Choose the file's column for “{canonical}”: every row of this table needs it.",
        "Kies de kolom van het bestand voor “{canonical}”: elke rij van deze tabel heeft die "
        "nodig.",
    ),
    "wizard.error.refused": _t(
        "The file cannot be imported with these choices: {reason}",
        "Het bestand kan met deze keuzes niet worden geïmporteerd: {reason}",
    ),
    "wizard.error.table": _t("There is no table “{table}”.", "Er is geen tabel “{table}”."),
}
