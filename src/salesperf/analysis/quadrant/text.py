"""The quadrant in words: each rep's label with its reasons, and how reps were compared, in
English and Dutch."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from salesperf.analysis.quadrant.breaks import Break
from salesperf.analysis.quadrant.evidence import (
    LEVEL,
    MATERIAL_DIFFERENCE,
    MIN_CLOSED_DEALS,
    MIN_WEEKS_ACTIVE,
    QUADRANTS,
    Reason,
)
from salesperf.analysis.quadrant.leadmix import LeadMix
from salesperf.analysis.vocab import Label, Peers
from salesperf.analysis.windows import window_text
from salesperf.contexts import Context
from salesperf.metrics.periods import Period
from salesperf.text import Lang, Text


def explain_rep(
    name: str,
    label: Label,
    reasons: Sequence[Reason],
    breaks: Break | None,
    mix: LeadMix | None,
    lead_null: Mapping[str, str] | None = None,
) -> Text:
    """One rep's label and what it suggests, why there is none, where conversion breaks and
    how lead conversion compares (or why it is unknown)."""
    q = QUADRANTS[label]
    en = [f"{name}: {q.name.en} — {q.suggests.en}."]
    nl = [f"{name}: {q.name.nl} — {q.suggests.nl}."]
    if reasons:
        en.append("No label: " + "; ".join(r.text.en for r in reasons) + ".")
        nl.append("Geen oordeel: " + "; ".join(r.text.nl for r in reasons) + ".")
    if breaks is not None:
        en.append(breaks.text.en)
        nl.append(breaks.text.nl)
    elif label in (Label.BUSY, Label.AT_RISK):
        en.append("No single step converts clearly below the team.")
        nl.append("Geen enkele stap converteert duidelijk slechter dan het team.")
    if mix is not None:
        en.append(mix.text.en)
        nl.append(mix.text.nl)
    elif lead_null is not None and lead_null["code"] != "no_leads":
        en.append(f"Lead conversion: unknown ({lead_null['en']}).")
        nl.append(f"Leadconversie: onbekend ({lead_null['nl']}).")
    return Text(" ".join(en), " ".join(nl))


def overview(window: Period, peers: Peers, team: str | None, ctx: Context) -> Text:
    """How reps were compared over the window, and when a label is given."""
    span, span_nl = window_text(window, Lang.EN), window_text(window, Lang.NL)
    if peers is Peers.OWN_TEAM:
        who_en, who_nl = "the reps of their own team", "de verkopers van het eigen team"
    else:
        where = f"team {team}" if team else "the organisation"
        where_nl = f"team {team}" if team else "de organisatie"
        who_en, who_nl = f"all reps of {where}", f"alle verkopers van {where_nl}"
    pct = f"{MATERIAL_DIFFERENCE:.0%}"
    lvl = f"{LEVEL:.0%}"
    # the context preset's words: a consultancy's deals are projects, an agency's revenue is
    # campaign revenue
    rev_en, rev_nl = ctx.label("revenue_won", "en"), ctx.label("revenue_won", "nl")
    rev_en, rev_nl = rev_en[0].lower() + rev_en[1:], rev_nl[0].lower() + rev_nl[1:]
    deals_en, deals_nl = ctx.deals.en, ctx.deals.nl
    return Text(
        en=(
            f"{span}: each rep is compared with {who_en}. Activity index: activities per "
            f"working day divided by their median. Performance index: {rev_en} against the "
            f"rep's revenue target where one is set, else against their median {rev_en}. A "
            f"label is given only when both {lvl} intervals lie on one side of 1 and both "
            f"indexes are at least {pct} away from 1, with at least {MIN_CLOSED_DEALS} closed "
            f"{deals_en} and {MIN_WEEKS_ACTIVE} weeks with activity; otherwise the rep is "
            "inconclusive, with the reason. Rates are shrunk toward the team before ranking."
        ),
        nl=(
            f"{span_nl}: elke verkoper wordt vergeleken met {who_nl}. Activiteitsindex: "
            f"activiteiten per werkdag gedeeld door hun mediaan. Prestatie-index: {rev_nl} "
            f"tegenover het omzetdoel van de verkoper als dat er is, anders tegenover de mediaan "
            f"daarvan. Een oordeel volgt alleen als beide {lvl}-intervallen aan één kant "
            f"van 1 liggen en beide indexen minstens {pct} van 1 afwijken, met minstens "
            f"{MIN_CLOSED_DEALS} gesloten {deals_nl} en {MIN_WEEKS_ACTIVE} weken met activiteit; "
            "anders volgt geen oordeel, met de reden. Ratio's worden naar het team toe "
            "gekrompen voordat ze gerangschikt worden."
        ),
    )
