"""The log-an-activity form's words: its fields, what is wrong with a value (named by the field's
label as the form shows it), and the warnings shown before an unlikely value is saved."""

from __future__ import annotations

from salesperf.text import Text

_t = Text

#: The form's strings, by key.
MESSAGES: dict[str, Text] = {
    "log.title": _t("Log an activity", "Een activiteit vastleggen"),
    "log.type": _t("Type", "Type"),
    "log.when": _t("When", "Wanneer"),
    "log.duration": _t("Duration (minutes)", "Duur (minuten)"),
    "log.outcome": _t("Outcome", "Uitkomst"),
    "log.deal": _t("Deal id (optional)", "Deal-id (optioneel)"),
    "log.account": _t("Account id (optional)", "Account-id (optioneel)"),
    "log.save": _t("Save", "Opslaan"),
    "log.saved": _t("The activity was saved.", "De activiteit is opgeslagen."),
    "log.none": _t("(none)", "(geen)"),
    # what is wrong with a value; {field} is the field's label
    "log.problems": _t("The activity was not saved:", "De activiteit is niet opgeslagen:"),
    "log.problem.required": _t(
        "{field}: this needs a value.", "{field}: dit moet worden ingevuld."
    ),
    "log.problem.not_a_number": _t(
        "{field}: '{value}' is not a number; write a number such as {example}.",
        "{field}: '{value}' is geen getal; schrijf een getal zoals {example}.",
    ),
    "log.problem.ambiguous": _t(
        "{field}: '{value}' can be read as {first} or as {second}; write {first} or {second}.",
        "{field}: '{value}' kan {first} of {second} betekenen; schrijf {first} of {second}.",
    ),
    "log.problem.negative": _t(
        "{field}: {value} is below zero; enter zero or more.",
        "{field}: {value} is kleiner dan nul; vul nul of meer in.",
    ),
    "log.problem.not_a_date": _t(
        "{field}: '{value}' is not a date and time; choose them in the calendar.",
        "{field}: '{value}' is geen datum met tijd; kies ze in de kalender.",
    ),
    "log.problem.date_out_of_range": _t(
        "{field}: {value} lies outside the dates salesperf accepts, {first} to {last}.",
        "{field}: {value} valt buiten de datums die salesperf aanneemt, {first} tot en met {last}.",
    ),
    "log.problem.unknown_word": _t(
        "{field}: '{value}' is not one of the choices; choose one from the list.",
        "{field}: '{value}' is geen van de keuzes; kies er een uit de lijst.",
    ),
    "log.problem.unknown_reference": _t(
        "{field}: '{value}' is not known; choose one from the list.",
        "{field}: '{value}' is onbekend; kies er een uit de lijst.",
    ),
    "log.problem.too_long": _t(
        "{field}: the text is longer than the {chars} characters this field takes.",
        "{field}: de tekst is langer dan de {chars} tekens die dit veld aanneemt.",
    ),
    "log.problem.control_character": _t(
        "{field}: the value holds an invisible control character or a line break; type it again.",
        "{field}: de waarde bevat een onzichtbaar stuurteken of een regeleinde; typ haar opnieuw.",
    ),
    "log.problem.other": _t("{field}: {message}", "{field}: {message}"),
    # warnings: saved only when the viewer confirms
    "log.warnings": _t(
        "Please check before saving. If it is right, save anyway.",
        "Controleer dit voor het opslaan. Klopt het, sla dan toch op.",
    ),
    "log.warn.future": _t(
        "{field}: {value} lies in the future; an activity is logged after it took place.",
        "{field}: {value} ligt in de toekomst; een activiteit legt u vast nadat ze plaatsvond.",
    ),
    "log.warn.outcome": _t(
        "{field}: '{outcome}' does not go with the type '{type}'; it takes: {fitting}.",
        "{field}: '{outcome}' past niet bij het type '{type}'; daarbij passen: {fitting}.",
    ),
    "log.warn.deal": _t(
        "{field}: no deal you can see has the id '{value}'; check the id.",
        "{field}: er is geen deal met id '{value}' die u kunt zien; controleer de id.",
    ),
    "log.confirm": _t("Save anyway", "Toch opslaan"),
}
