"""The interface in English and Dutch: its words, and numbers and dates as each language writes
them (Dutch: 1.234,56 and dd-mm-jjjj), formatted by Babel.

Metric labels come from the metric registry (or the scorecard's context preset); analysis
explanations carry their own `Text`. Everything else the interface says is declared here once.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from babel.dates import format_date as _babel_date
from babel.numbers import format_currency, format_decimal, format_percent

from salesperf.analysis.common import Lang, Text
from salesperf.metrics.registry import Unit

LOCALES = {Lang.EN: "en_GB", Lang.NL: "nl_NL"}
DASH = "—"


def _t(en: str, nl: str) -> Text:
    return Text(en, nl)


#: Every interface string, by key.
MESSAGES: dict[str, Text] = {
    # frame and navigation
    "app": _t("salesperf", "salesperf"),
    "nav.overview": _t("Overview", "Overzicht"),
    "nav.teams": _t("Teams", "Teams"),
    "nav.me": _t("My figures", "Mijn cijfers"),
    "nav.import": _t("Import", "Importeren"),
    "nav.log": _t("Log an activity", "Activiteit vastleggen"),
    "nav.exports": _t("Exports", "Exporteren"),
    "nav.signout": _t("Sign out", "Afmelden"),
    "nav.language": _t("Language", "Taal"),
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
    "signin.locked": _t(
        "Too many failed sign-ins. Try again in {minutes} minute(s).",
        "Te veel mislukte aanmeldpogingen. Probeer het over {minutes} minuut/minuten opnieuw.",
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
    "overview.performance_trend": _t("Revenue won per month", "Gegenereerde omzet per maand"),
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
    "import.download": _t("Download the rejected rows (CSV)", "Afgewezen rijen downloaden (CSV)"),
    "import.again": _t("Import another file", "Nog een bestand importeren"),
    "import.constant": _t("fixed value", "vaste waarde"),
    # log an activity
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
    # exports
    "exports.title": _t("Exports", "Exporteren"),
    "exports.tables": _t("Tables", "Tabellen"),
    "exports.rows": _t("Rows", "Rijen"),
    "exports.scorecard": _t("Scorecard", "Scorecard"),
    "exports.by": _t("One row per", "Eén rij per"),
    "exports.period_hint": _t(
        "Period (optional), e.g. 2026-Q3 or 2026-07", "Periode (optioneel), bv. 2026-Q3 of 2026-07"
    ),
    # errors
    "error.title": _t("Something is not right", "Er klopt iets niet"),
    "error.403": _t("You may not see this.", "U hebt hier geen toegang toe."),
    "error.404": _t("This page does not exist.", "Deze pagina bestaat niet."),
    "error.422": _t(
        "The request cannot be carried out.", "Het verzoek kan niet worden uitgevoerd."
    ),
    "error.back": _t("Back to the overview", "Terug naar het overzicht"),
    "error.csrf": _t(
        "The form had expired; go back, reload the page and try again.",
        "Het formulier was verlopen; ga terug, laad de pagina opnieuw en probeer het nog eens.",
    ),
}

#: Canonical tables and vocabulary words, for labels.
WORDS: dict[str, Text] = {
    "teams": _t("Teams", "Teams"),
    "reps": _t("Reps", "Verkopers"),
    "accounts": _t("Accounts", "Accounts"),
    "leads": _t("Leads", "Leads"),
    "deals": _t("Deals", "Deals"),
    "deal_stages": _t("Deal stages", "Dealfases"),
    "activities": _t("Activities", "Activiteiten"),
    "targets": _t("Targets", "Doelen"),
    "surveys": _t("Surveys", "Enquêtes"),
    "absences": _t("Absences", "Afwezigheid"),
    "call": _t("Call", "Telefoongesprek"),
    "email": _t("Email", "E-mail"),
    "meeting": _t("Meeting", "Afspraak"),
    "demo": _t("Demo", "Demo"),
    "proposal": _t("Proposal", "Offerte"),
    "negotiation": _t("Negotiation", "Onderhandeling"),
    "follow_up": _t("Follow-up", "Opvolging"),
    "event": _t("Event", "Evenement"),
    "social": _t("Social media", "Sociale media"),
    "other": _t("Other", "Overig"),
    "connected": _t("Connected", "Bereikt"),
    "no_answer": _t("No answer", "Geen gehoor"),
    "voicemail": _t("Voicemail", "Voicemail"),
    "scheduled": _t("Scheduled", "Gepland"),
    "held": _t("Held", "Gehouden"),
    "no_show": _t("No-show", "Niet verschenen"),
    "cancelled": _t("Cancelled", "Geannuleerd"),
    "sent": _t("Sent", "Verzonden"),
    "replied": _t("Replied", "Beantwoord"),
    "bounced": _t("Bounced", "Onbestelbaar"),
    "completed": _t("Completed", "Afgerond"),
    "rep_by": _t("Rep", "Verkoper"),
    "team_by": _t("Team", "Team"),
    "org_by": _t("Organisation", "Organisatie"),
}


def lang_of(value: str | None) -> Lang | None:
    """The product language a code names ('nl', 'nl-BE', 'en_US'), or None."""
    if not value:
        return None
    code = value.strip().lower().replace("_", "-").split("-")[0]
    return Lang(code) if code in Lang.__members__.values() else None


def negotiate(accept_language: str | None, default: Lang = Lang.EN) -> Lang:
    """The best product language for an Accept-Language header."""
    choices: list[tuple[float, int, Lang]] = []
    for i, part in enumerate((accept_language or "").split(",")):
        code, _, params = part.strip().partition(";")
        q = 1.0
        m = re.search(r"q=([0-9.]+)", params)
        if m:
            try:
                q = float(m.group(1))
            except ValueError:
                q = 0.0
        lang = lang_of(code)
        if lang is not None and q > 0:
            choices.append((-q, i, lang))
    return min(choices)[2] if choices else default


def t(key: str, lang: Lang | str, **values: Any) -> str:
    """The interface string `key` in `lang`, with `{name}` placeholders filled."""
    text = MESSAGES[key].get(lang)
    return text.format(**values) if values else text


def word(name: str, lang: Lang | str) -> str:
    """A table or vocabulary word in `lang` (the word itself when it has no label)."""
    return WORDS[name].get(lang) if name in WORDS else name


def _loc(lang: Lang | str) -> str:
    return LOCALES[Lang(lang)]


def fmt_number(value: float | int | None, lang: Lang | str, digits: int = 0) -> str:
    """A number with the language's separators: 1,234.5 or 1.234,5; None as a dash."""
    if value is None:
        return DASH
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(value, format=pattern, locale=_loc(lang))


def fmt_money(value: float | int | None, lang: Lang | str, currency: str = "EUR") -> str:
    """An amount in whole currency units: €12,346 or € 12.346 (a no-break space)."""
    if value is None:
        return DASH
    pattern = "¤\u00a0#,##0" if Lang(lang) is Lang.NL else "¤#,##0"
    return format_currency(
        value, currency, format=pattern, currency_digits=False, locale=_loc(lang)
    )


def fmt_percent(value: float | None, lang: Lang | str, digits: int = 1) -> str:
    """A ratio as a percentage: 25.3% or 25,3%."""
    if value is None:
        return DASH
    pattern = "#,##0" + ("." + "0" * digits if digits else "") + "%"
    return format_percent(value, format=pattern, locale=_loc(lang))


def fmt_date(value: date | datetime | str | None, lang: Lang | str) -> str:
    """A date: ISO 8601 (2026-07-01) in English, dd-mm-jjjj (01-07-2026) in Dutch."""
    if value is None or value == "":
        return DASH
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    if isinstance(value, datetime):
        value = value.date()
    return value.strftime("%d-%m-%Y") if Lang(lang) is Lang.NL else value.isoformat()


def fmt_month(value: date | str, lang: Lang | str) -> str:
    """A month as words: July 2026, juli 2026."""
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    return _babel_date(value, format="LLLL yyyy", locale=_loc(lang))


def fmt_period(label: str, start: str, end: str, lang: Lang | str) -> str:
    """A period as the language says it: Q3 2026 / K3 2026, July 2026 / juli 2026, or a range
    of dates (start and the last day, inclusive)."""
    m = re.fullmatch(r"(\d{4})-Q([1-4])", label)
    if m:
        return f"{'K' if Lang(lang) is Lang.NL else 'Q'}{m.group(2)} {m.group(1)}"
    if re.fullmatch(r"\d{4}-\d{2}", label):
        return fmt_month(start, lang)
    if re.fullmatch(r"\d{4}", label):
        return label
    m = re.fullmatch(r"(\d{4})-W(\d{2})", label)
    if m:
        return f"{'week' if Lang(lang) is Lang.NL else 'Week'} {int(m.group(2))} {m.group(1)}"
    if start == end:
        return fmt_date(start, lang)
    return f"{fmt_date(start, lang)} – {fmt_date(end, lang)}"


def fmt_metric(
    value: float | int | None, unit: Unit | str, lang: Lang | str, currency: str = "EUR"
) -> str:
    """A metric's value as a person reads it in `lang`; an undefined one as a dash."""
    if value is None:
        return DASH
    unit = Unit(unit)
    if unit is Unit.RATIO:
        return fmt_percent(value, lang)
    if unit is Unit.MONEY:
        return fmt_money(value, lang, currency)
    if unit in (Unit.HOURS, Unit.DAYS, Unit.SCORE):
        return fmt_number(value, lang, 1)
    return fmt_number(value, lang, 0 if float(value).is_integer() else 2)


def fmt_change(
    change: float | int | None, previous: float | int | None, unit: Unit | str, lang: Lang | str
) -> str:
    """The change against the previous period: points for rates, relative for the rest."""
    if change is None:
        return ""
    if Unit(unit) is Unit.RATIO:
        points = change * 100
        sign = "+" if points >= 0.05 else ("−" if points <= -0.05 else "±")
        return f"{sign}{fmt_number(abs(points), lang, 1)} pt"
    if previous:
        rel = change / abs(previous)
        sign = "+" if rel >= 0 else "−"
        return f"{sign}{fmt_percent(abs(rel), lang, 0)}"
    return ("new" if Lang(lang) is Lang.EN else "nieuw") if change else ""


def chart_locale(lang: Lang | str, currency: str = "EUR") -> dict[str, Any]:
    """The number and time format locales the charts use (d3's, bundled with vl-convert), with
    the organisation's currency symbol."""
    import vl_convert
    from babel.numbers import get_currency_symbol

    nl = Lang(lang) is Lang.NL
    number = dict(vl_convert.get_format_locale("nl-NL" if nl else "en-GB"))
    symbol = get_currency_symbol(currency, locale=_loc(lang))
    number["currency"] = [f"{symbol}\u00a0", ""] if nl else [symbol, ""]
    return {
        "formatLocale": number,
        "timeFormatLocale": vl_convert.get_time_format_locale("nl-NL" if nl else "en-GB"),
    }
