"""Labels of the canonical tables and of the vocabulary's words (activity types and outcomes,
deal statuses, kinds and stages, lead sources, segments, lost reasons, roles, the context
presets), in English and Dutch. A word with no label here (a stage an organisation made up) is
shown as it is stored."""

from __future__ import annotations

from salesperf.text import Lang, Text

_t = Text

#: Canonical tables and vocabulary words, for labels.
WORDS: dict[str, Text] = {
    # the canonical tables
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
    "rep_aliases": _t("Rep aliases", "Verkopersaliassen"),
    "fx_rates": _t("Exchange rates", "Wisselkoersen"),
    # activity types (event, social and other are lead sources too)
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
    # activity outcomes
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
    # deal statuses
    "open": _t("Open", "Open"),
    "won": _t("Won", "Gewonnen"),
    "lost": _t("Lost", "Verloren"),
    # lead and deal sources
    "inbound": _t("Inbound", "Inkomend"),
    "outbound": _t("Outbound", "Uitgaand"),
    "referral": _t("Referral", "Verwijzing"),
    "partner": _t("Partner", "Partner"),
    # deal kinds (the demo's and the CRM presets')
    "new_business": _t("New business", "Nieuwe klant"),
    "existing_business": _t("Existing business", "Bestaande klant"),
    "upsell": _t("Upsell", "Uitbreiding"),
    "renewal": _t("Renewal", "Verlenging"),
    # the demo's stages (demo, proposal and negotiation are activity types too)
    "qualification": _t("Qualification", "Kwalificatie"),
    "discovery": _t("Discovery", "Verkenning"),
    "closed_won": _t("Won", "Gewonnen"),
    "closed_lost": _t("Lost", "Verloren"),
    # account segments and lost reasons (the demo's)
    "smb": _t("Small business", "Mkb"),
    "mid": _t("Mid-market", "Middelgroot"),
    "enterprise": _t("Enterprise", "Grootzakelijk"),
    "no_budget": _t("No budget", "Geen budget"),
    "no_decision": _t("No decision", "Geen beslissing"),
    "timing": _t("Timing", "Timing"),
    "went_dark": _t("Went dark", "Geen reactie meer"),
    "product_fit": _t("Product fit", "Past niet bij het product"),
    "competitor": _t("Competitor", "Concurrent"),
    "price": _t("Price", "Prijs"),
    # roles, target scopes and survey scales
    "rep": _t("Rep", "Verkoper"),
    "manager": _t("Manager", "Manager"),
    "team": _t("Team", "Team"),
    "org": _t("Organisation", "Organisatie"),
    "csat5": _t("CSAT (1–5)", "CSAT (1–5)"),
    "nps10": _t("NPS (0–10)", "NPS (0–10)"),
    # the context presets (`salesperf.contexts`)
    "general": _t("General", "Algemeen"),
    "startup": _t("Startup", "Startup"),
    "consultancy": _t("Consultancy", "Adviesbureau"),
    "agency": _t("Digital-marketing agency", "Digitaal marketingbureau"),
    # what a scorecard is by and split by, as a column heading
    "rep_by": _t("Rep", "Verkoper"),
    "team_by": _t("Team", "Team"),
    "org_by": _t("Organisation", "Organisatie"),
    "type_split": _t("Activity type", "Activiteitstype"),
    "source_split": _t("Source", "Bron"),
    "kind_split": _t("Kind", "Soort"),
    "segment_split": _t("Segment", "Segment"),
}

#: The standard stages of the CRMs the import presets read (their labels, and HubSpot's
#: internal names), kept as the deal's stage as exported.
CRM_STAGES: dict[str, Text] = {
    "Prospecting": _t("Prospecting", "Prospectie"),
    "Qualification": _t("Qualification", "Kwalificatie"),
    "Needs Analysis": _t("Needs Analysis", "Behoefteanalyse"),
    "Value Proposition": _t("Value Proposition", "Waardepropositie"),
    "Id. Decision Makers": _t("Id. Decision Makers", "Beslissers in kaart"),
    "Identify Decision Makers": _t("Identify Decision Makers", "Beslissers in kaart"),
    "Perception Analysis": _t("Perception Analysis", "Perceptieanalyse"),
    "Proposal/Price Quote": _t("Proposal/Price Quote", "Offerte/prijsopgave"),
    "Negotiation/Review": _t("Negotiation/Review", "Onderhandeling/beoordeling"),
    "Closed Won": _t("Closed Won", "Gewonnen"),
    "Closed Lost": _t("Closed Lost", "Verloren"),
    "Closed Lost to Competition": _t("Closed Lost to Competition", "Verloren aan concurrent"),
    "Closed-Lost to Competition": _t("Closed-Lost to Competition", "Verloren aan concurrent"),
    "Appointment Scheduled": _t("Appointment Scheduled", "Afspraak gepland"),
    "Qualified To Buy": _t("Qualified To Buy", "Koopbereid"),
    "Presentation Scheduled": _t("Presentation Scheduled", "Presentatie gepland"),
    "Decision Maker Bought-In": _t("Decision Maker Bought-In", "Beslisser akkoord"),
    "Contract Sent": _t("Contract Sent", "Contract verstuurd"),
    "appointmentscheduled": _t("Appointment Scheduled", "Afspraak gepland"),
    "qualifiedtobuy": _t("Qualified To Buy", "Koopbereid"),
    "presentationscheduled": _t("Presentation Scheduled", "Presentatie gepland"),
    "decisionmakerboughtin": _t("Decision Maker Bought-In", "Beslisser akkoord"),
    "contractsent": _t("Contract Sent", "Contract verstuurd"),
    "closedwon": _t("Closed Won", "Gewonnen"),
    "closedlost": _t("Closed Lost", "Verloren"),
    "New": _t("New", "Nieuw"),
    "Qualified": _t("Qualified", "Gekwalificeerd"),
    "Proposition": _t("Proposition", "Voorstel"),
    "Open": _t("Open", "Open"),
    "Won": _t("Won", "Gewonnen"),
    "Lost": _t("Lost", "Verloren"),
}


def word(name: str, lang: Lang | str) -> str:
    """A table or vocabulary word (or a CRM's standard stage) in `lang`; the word itself when
    it has no label."""
    text = WORDS.get(name) or CRM_STAGES.get(name)
    return text.get(lang) if text is not None else name


#: The canonical tables' columns (and the scorecard's own), for the headers of exported files.
COLUMNS: dict[str, Text] = {
    "team_id": _t("Team ID", "Team-ID"),
    "name": _t("Name", "Naam"),
    "parent_team_id": _t("Parent team ID", "Bovenliggend team-ID"),
    "manager_rep_id": _t("Manager (rep ID)", "Manager (verkoper-ID)"),
    "rep_id": _t("Rep ID", "Verkoper-ID"),
    "email": _t("Email", "E-mail"),
    "role": _t("Role", "Rol"),
    "start_date": _t("Start date", "Startdatum"),
    "end_date": _t("End date", "Einddatum"),
    "account_id": _t("Account ID", "Account-ID"),
    "segment": _t("Segment", "Segment"),
    "created_at": _t("Created", "Aangemaakt"),
    "churned_at": _t("Churned", "Opgezegd"),
    "lead_id": _t("Lead ID", "Lead-ID"),
    "source": _t("Source", "Bron"),
    "qualified_at": _t("Qualified", "Gekwalificeerd"),
    "deal_id": _t("Deal ID", "Deal-ID"),
    "status": _t("Status", "Status"),
    "amount": _t("Amount", "Bedrag"),
    "currency": _t("Currency", "Valuta"),
    "closed_at": _t("Closed", "Gesloten"),
    "stage": _t("Stage", "Fase"),
    "kind": _t("Kind", "Soort"),
    "lost_reason": _t("Lost reason", "Reden van verlies"),
    "entered_at": _t("Entered", "Ingegaan"),
    "activity_id": _t("Activity ID", "Activiteit-ID"),
    "type": _t("Type", "Soort"),
    "occurred_at": _t("Time", "Tijdstip"),
    "duration_min": _t("Duration (minutes)", "Duur (minuten)"),
    "outcome": _t("Outcome", "Uitkomst"),
    "scope": _t("Level", "Niveau"),
    "scope_id": _t("Rep or team ID", "Verkoper- of team-ID"),
    "metric": _t("Metric", "Maatstaf"),
    "period_start": _t("Period start", "Begin periode"),
    "period_end": _t("Period end", "Einde periode"),
    "value": _t("Value", "Waarde"),
    "response_id": _t("Response ID", "Antwoord-ID"),
    "responded_at": _t("Responded", "Beantwoord"),
    "scale": _t("Scale", "Schaal"),
    "score": _t("Score", "Score"),
    "date": _t("Date", "Datum"),
    "alias": _t("Alias", "Alias"),
    "rate": _t("Rate", "Koers"),
    "key": _t("ID", "ID"),
}


def column(name: str, lang: Lang | str) -> str:
    """A column of a canonical table (or of the scorecard) as a file's header names it in
    `lang`; the column's own name when it has no label."""
    text = COLUMNS.get(name)
    return text.get(lang) if text is not None else name
