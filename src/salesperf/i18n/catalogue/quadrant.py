"""The quadrant analysis's words: the labels and what they suggest, why a rep has no label, how
the window was chosen, where conversion breaks and what explains a gap in lead conversion.
`salesperf.analysis.quadrant.text` fills them in from the analysis's structured results."""

from __future__ import annotations

from salesperf.text import Text

_t = Text

#: The quadrant's strings, by key.
MESSAGES: dict[str, Text] = {
    # the labels (keys end with the Label's value) and what each suggests
    "quadrant.name.star": _t("Star", "Topper"),
    "quadrant.name.busy_not_effective": _t("Busy, not effective", "Druk maar niet effectief"),
    "quadrant.name.efficient": _t("Efficient", "Efficiënt"),
    "quadrant.name.at_risk": _t("At risk", "Risico"),
    "quadrant.name.inconclusive": _t("Inconclusive", "Geen oordeel"),
    "quadrant.suggests.star": _t("share their way of working", "deel hun manier van werken"),
    "quadrant.suggests.busy_not_effective": _t(
        "coach on quality: conversion per activity type",
        "coach op kwaliteit: conversie per activiteitstype",
    ),
    "quadrant.suggests.efficient": _t(
        "capacity to do more; protect the approach", "ruimte om meer te doen; bescherm de aanpak"
    ),
    "quadrant.suggests.at_risk": _t(
        "volume and quality both need attention", "volume en kwaliteit vragen allebei aandacht"
    ),
    "quadrant.suggests.inconclusive": _t(
        "not enough evidence for a label yet", "nog niet genoeg bewijs voor een oordeel"
    ),
    # why a rep has no label (keys end with the Why's value); `.short` for a table cell
    "quadrant.closed_deals.one": _t("{n} closed deal", "{n} gesloten deal"),
    "quadrant.closed_deals.other": _t("{n} closed deals", "{n} gesloten deals"),
    "quadrant.weeks_active.one": _t("{n} week active", "{n} actieve week"),
    "quadrant.weeks_active.other": _t("{n} weeks active", "{n} actieve weken"),
    "quadrant.about.activity": _t("activity", "de activiteit"),
    "quadrant.about.performance": _t("performance", "de prestatie"),
    "quadrant.about.activity.bare": _t("activity", "activiteit"),
    "quadrant.about.performance.bare": _t("performance", "prestatie"),
    "quadrant.ref.target": _t("the target", "het doel"),
    "quadrant.ref.team_median": _t("the team median", "de teammediaan"),
    "quadrant.ref.target.bare": _t("target", "doel"),
    "quadrant.ref.team_median.bare": _t("team median", "teammediaan"),
    "quadrant.reason.too_few_deals": _t(
        "too few deals: {closed}, fewer than {min}", "te weinig deals: {closed}, minder dan {min}"
    ),
    "quadrant.reason.too_few_deals.short": _t("{closed} (< {min})", "{closed} (< {min})"),
    "quadrant.reason.too_few_weeks": _t(
        "too few weeks active: {weeks}, fewer than {min}",
        "te weinig actieve weken: {weeks}, minder dan {min}",
    ),
    "quadrant.reason.too_few_weeks.short": _t("{active} (< {min})", "{active} (< {min})"),
    "quadrant.reason.no_reference": _t(
        "no team median to compare {about} with", "geen teammediaan om {about} mee te vergelijken"
    ),
    "quadrant.reason.no_reference.short": _t("{about}: no median", "{about}: geen mediaan"),
    "quadrant.reason.no_interval": _t(
        "no interval for {about}: nothing won to resample",
        "geen interval voor {about}: niets gewonnen om te herbemonsteren",
    ),
    "quadrant.reason.no_interval.short": _t("{about}: no interval", "{about}: geen interval"),
    "quadrant.reason.interval_spans": _t(
        "the {about} interval {span} spans {ref}", "het interval van {about} {span} omvat {ref}"
    ),
    "quadrant.reason.interval_spans.short": _t(
        "{bare} interval spans {ref_bare}", "interval {bare} omvat {ref_bare}"
    ),
    "quadrant.reason.within_margin": _t(
        "{about} {span} is within {pct} of {ref}", "{about} {span} ligt binnen {pct} van {ref}"
    ),
    "quadrant.reason.within_margin.short": _t(
        "{bare} within {pct} of {ref_bare}", "{bare} binnen {pct} van {ref_bare}"
    ),
    # one rep in words
    "quadrant.rep.label": _t("{name}: {label} — {suggests}.", "{name}: {label} — {suggests}."),
    "quadrant.rep.no_label": _t("No label: {reasons}.", "Geen oordeel: {reasons}."),
    "quadrant.rep.no_break": _t(
        "No single step converts clearly below the team.",
        "Geen enkele stap converteert duidelijk slechter dan het team.",
    ),
    "quadrant.rep.lead_unknown": _t(
        "Lead conversion: unknown ({reason}).", "Leadconversie: onbekend ({reason})."
    ),
    # how reps were compared
    "quadrant.peers.own_team": _t("the reps of their own team", "de verkopers van het eigen team"),
    "quadrant.peers.all_of": _t("all reps of {where}", "alle verkopers van {where}"),
    "quadrant.where.team": _t("team {team}", "team {team}"),
    "quadrant.where.org": _t("the organisation", "de organisatie"),
    "quadrant.overview": _t(
        "{span}: each rep is compared with {who}. Activity index: activities per working day "
        "divided by their median. Performance index: {revenue} against the rep's revenue target "
        "where one is set, else against their median {revenue}. A label is given only when both "
        "{level} intervals lie on one side of 1 and both indexes are at least {pct} away from 1, "
        "with at least {min_deals} closed {deals} and {min_weeks} weeks with activity; otherwise "
        "the rep is inconclusive, with the reason. Rates are shrunk toward the team before "
        "ranking.",
        "{span}: elke verkoper wordt vergeleken met {who}. Activiteitsindex: activiteiten per "
        "werkdag gedeeld door hun mediaan. Prestatie-index: {revenue} tegenover het omzetdoel van "
        "de verkoper als dat er is, anders tegenover de mediaan daarvan. Een oordeel volgt "
        "alleen als beide {level}-intervallen aan één kant van 1 liggen en beide indexen minstens "
        "{pct} van 1 afwijken, met minstens {min_deals} gesloten {deals} en {min_weeks} weken met "
        "activiteit; anders volgt geen oordeel, met de reden. Ratio's worden naar het team toe "
        "gekrompen voordat ze gerangschikt worden.",
    ),
    # the window and why it was chosen
    "quadrant.window.given": _t("Window: {name}, as asked.", "Periode: {name}, zoals gevraagd."),
    "quadrant.window.none_active": _t(
        "Window: {name}: no rep was active in it.",
        "Periode: {name}: geen verkoper was er actief in.",
    ),
    # the closed-deal minimum is below the won one, so the won deals are the bar to state
    "quadrant.window.need": _t(
        "at least {min_won} won deals and {min_weeks} weeks with activity",
        "minstens {min_won} gewonnen deals en {min_weeks} weken met activiteit",
    ),
    "quadrant.window.longest": _t(
        "the longest default ({max} quarters)", "de langste standaardperiode ({max} kwartalen)"
    ),
    "quadrant.window.all_data": _t("all the data", "alle gegevens"),
    "quadrant.window.short_of": _t(
        "Window: {name}, {why}: even so only {ready} of {active} active reps have the evidence "
        "a label needs ({need}), so most reps stay inconclusive.",
        "Periode: {name}, {why}: ook dan hebben maar {ready} van de {active} actieve verkopers "
        "genoeg bewijs voor een oordeel ({need}), dus de meeste krijgen geen oordeel.",
    ),
    "quadrant.window.chosen": _t(
        "Window: {name}, chosen because it is the shortest run of whole quarters up to the last "
        "full one in which at least {pct} of the active reps have the evidence a label needs "
        "({need}): {ready} of {active} do.",
        "Periode: {name}, gekozen omdat dit de kortste reeks hele kwartalen tot en met het "
        "laatste volle kwartaal is waarin minstens {pct} van de actieve verkopers genoeg bewijs "
        "heeft voor een oordeel ({need}): {ready} van de {active}.",
    ),
    "quadrant.window.last_quarter": _t("the last quarter", "het laatste kwartaal"),
    "quadrant.window.last_quarters": _t("the last {n} quarters", "de laatste {n} kwartalen"),
    "quadrant.window.before": _t(
        "Over {span} only {ready} of {active} did.",
        "Over {span} waren dat er maar {ready} van de {active}.",
    ),
    # where conversion breaks (keys end with the StepKind's value)
    "breaks.figures": _t(
        "{raw} ({successes}/{trials}; shrunk {estimate}, {level} interval {low}–{high}) against "
        "the team's {team} ({team_successes}/{team_trials})",
        "{raw} ({successes}/{trials}; gekrompen {estimate}, {level}-interval {low}–{high}) "
        "tegenover {team} ({team_successes}/{team_trials}) in het team",
    ),
    "breaks.where.stage": _t("the step {step}: {figures}", "de stap {step}: {figures}"),
    "breaks.where.type": _t(
        "deals with an activity of type {step}, won of closed: {figures}",
        "deals met een activiteit van het type {step}, gewonnen van gesloten: {figures}",
    ),
    "breaks.at": _t("Conversion breaks at {where}.", "De conversie breekt bij {where}."),
    "breaks.weakest_type": _t(
        "Among activity types, the weakest is {where}.",
        "Van de activiteitstypes scoort het zwakst: {where}.",
    ),
    # what explains a gap in lead conversion (keys end with the LeadFinding's value)
    "leadmix.approach": _t(
        "Lead conversion {rate} ({of}; interval {low}–{high}) against {expected} the team would "
        "reach on the same mix of lead sources (team overall {team}): the gap lies in the "
        "approach, not in the leads.",
        "Leadconversie {rate} ({of}; interval {low}–{high}) tegenover {expected} die het team op "
        "dezelfde mix van leadbronnen zou halen (team totaal {team}): het verschil zit in de "
        "aanpak, niet in de leads.",
    ),
    "leadmix.lead_mix": _t(
        "Lead conversion {rate} ({of}) against the team's {team}, but on this mix of lead "
        "sources the team would convert {expected}: the gap is explained by the leads handed "
        "over, not by the approach.",
        "Leadconversie {rate} ({of}) tegenover {team} in het team, maar op deze mix van "
        "leadbronnen zou het team {expected} halen: het verschil komt door de toegewezen leads, "
        "niet door de aanpak.",
    ),
    "leadmix.unexplained": _t(
        "Lead conversion {rate} ({of}; interval {low}–{high}) differs from the team's {team}; "
        "on this mix of lead sources the team would convert {expected}: neither the lead mix "
        "nor the approach clearly explains the gap.",
        "Leadconversie {rate} ({of}; interval {low}–{high}) wijkt af van {team} in het team; op "
        "deze mix van leadbronnen zou het team {expected} halen: noch de mix van leads, noch de "
        "aanpak verklaart het verschil duidelijk.",
    ),
    "leadmix.no_gap": _t(
        "Lead conversion {rate} ({of}; interval {low}–{high}) is not clearly different from the "
        "team's {team} or from the {expected} expected on this mix of lead sources.",
        "Leadconversie {rate} ({of}; interval {low}–{high}) wijkt niet duidelijk af van {team} "
        "in het team of van de {expected} die op deze mix van leadbronnen te verwachten is.",
    ),
}
