"""Labels of the canonical tables and of the vocabulary's words (activity types, outcomes,
stages, levels), in English and Dutch."""

from __future__ import annotations

from salesperf.text import Lang, Text

_t = Text

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
    "qualification": _t("Qualification", "Kwalificatie"),
    "discovery": _t("Discovery", "Verkenning"),
    "closed_won": _t("Won", "Gewonnen"),
    "rep_by": _t("Rep", "Verkoper"),
    "team_by": _t("Team", "Team"),
    "org_by": _t("Organisation", "Organisatie"),
}


def word(name: str, lang: Lang | str) -> str:
    """A table or vocabulary word in `lang` (the word itself when it has no label)."""
    return WORDS[name].get(lang) if name in WORDS else name
