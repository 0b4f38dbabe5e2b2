"""The analyses' words: what drivers, plan, health, the data-quality flags and the as-of rule
say, by analysis (`drivers.`, `plan.`, `health.`, `quality.`, `asof.`; the forecast's are in `catalogue.forecast`). The analyses return reasons as data;
their text modules make the sentences from these strings."""

from __future__ import annotations

from salesperf.text import Text

_t = Text

#: The analyses' strings, by key.
MESSAGES: dict[str, Text] = {
    # data quality: each flag in words
    "quality.silent_days": _t(
        "working days without any logged activity", "werkdagen zonder vastgelegde activiteit"
    ),
    "quality.no_outcome": _t(
        "calls and meetings without an outcome", "gesprekken en afspraken zonder uitkomst"
    ),
    "quality.no_amount": _t(
        "won or open deals without an amount", "gewonnen of open deals zonder bedrag"
    ),
    "quality.no_stages": _t("new deals without stage history", "nieuwe deals zonder fasehistorie"),
    "quality.overdue": _t(
        "open deals past their expected close", "open deals voorbij hun verwachte sluitdatum"
    ),
    "quality.few_calls": _t(
        "calls with an outcome, fewer than the rate needs",
        "gesprekken met uitkomst, minder dan het percentage nodig heeft",
    ),
    "quality.few_closed": _t(
        "closed deals, fewer than the rate needs",
        "gesloten deals, minder dan het percentage nodig heeft",
    ),
    "quality.forecast": _t("Forecast", "Prognose"),
    # drivers: the notes
    "drivers.note.caution": _t(
        "These are associations, not causes: weeks with more of an activity may simply be "
        "weeks with more deals in the pipeline. Use them to ask better questions, not to "
        "set quotas.",
        "Dit zijn samenhangen, geen oorzaken: weken met meer van een activiteit kunnen ook "
        "weken zijn met meer deals in de pijplijn. Gebruik ze om betere vragen te stellen, "
        "niet om quota vast te stellen.",
    ),
    "drivers.note.cut": _t(
        "The window {asked} reaches beyond the data: used {first_day} to {last_day}. The "
        "model's weeks run from {first_week} to {last_week}, starting {max_lag} weeks after "
        "the data do so that every lag is observed.",
        "Het venster {asked} reikt verder dan de gegevens: gebruikt is {first_day} tot en met "
        "{last_day}. De weken van het model lopen van {first_week} tot en met {last_week}, "
        "{max_lag} weken na het begin van de gegevens, zodat elke vertraging waargenomen is.",
    ),
    "drivers.note.sample": _t(
        "Sample: {reps} reps, {weeks} weeks ({rep_weeks} rep-weeks in which the rep was "
        "active), {deals_won} deals won, {activities} activities{left}.",
        "Steekproef: {reps} verkopers, {weeks} weken ({rep_weeks} verkoperweken waarin de "
        "verkoper actief was), {deals_won} gewonnen deals, {activities} activiteiten{left}.",
    ),
    "drivers.note.left_out": _t(
        "; {n} rep(s) without a won deal left out",
        "; {n} verkoper(s) zonder gewonnen deal weggelaten",
    ),
    # drivers: the count model
    "drivers.model": _t(
        "Model: deals won per rep and week on every type's weekly counts 0 to {max_lag} weeks "
        "earlier, all in one model (each type and lag net of the others), with rep and week "
        "fixed effects (each rep's own level; each week's level for everyone: seasons, "
        "holidays, shocks common to all) and the rep's working days; Poisson pseudo-maximum "
        "likelihood (dispersion {dispersion}); {errors}. Effects are rate ratios per +1 "
        "standard deviation of the type's weekly count within a rep. p-values are adjusted by "
        "Holm's method over all {tests} tests (each type at each lag); the best lag is the "
        "strongest among those significant at 5% after that adjustment.",
        "Model: gewonnen deals per verkoper en week op de weekaantallen van elk type 0 tot "
        "{max_lag} weken eerder, alles in één model (elk type en elke vertraging gecorrigeerd "
        "voor de andere), met vaste effecten per verkoper en per week (het eigen niveau van "
        "elke verkoper; het niveau van elke week voor iedereen: seizoenen, feestdagen, schokken "
        "die iedereen treffen) en de werkdagen van de verkoper; Poisson-pseudo-maximum-"
        "likelihood (dispersie {dispersion}); {errors}. Effecten zijn verhoudingen van "
        "aantallen per +1 standaardafwijking van het weekaantal van het type binnen een "
        "verkoper. p-waarden zijn met de methode van Holm gecorrigeerd over alle {tests} "
        "toetsen (elk type bij elke vertraging); de beste vertraging is de sterkste onder de "
        "vertragingen die na die correctie significant zijn op 5%.",
    ),
    "drivers.model.clustered": _t(
        "standard errors cluster-robust by rep, or model-based (scaled by the dispersion) "
        "where those are larger, with Student's t on reps - 1 degrees of freedom",
        "standaardfouten cluster-robuust per verkoper, of modelgebaseerd (geschaald met de "
        "dispersie) waar die groter zijn, met Student-t op verkopers - 1 vrijheidsgraden",
    ),
    "drivers.model.unclustered": _t(
        "model-based standard errors, scaled by the dispersion (fewer than {min_clusters} "
        "reps: too few to cluster)",
        "modelgebaseerde standaardfouten, geschaald met de dispersie (minder dan "
        "{min_clusters} verkopers: te weinig om te clusteren)",
    ),
    # drivers: each type's effect
    "drivers.effect": _t(
        "{type}: {per} more a week (+1 SD) goes with {change} deals won {when} (95% interval "
        "{low} to {high})",
        "{type}: {per} meer per week (+1 SD) gaat samen met {change} gewonnen deals {when} "
        "(95%-interval {low} tot {high})",
    ),
    "drivers.effect.significant": _t("{effect}.", "{effect}."),
    "drivers.effect.not_significant": _t(
        "{effect}; not significant once all {tests} tests (each type at each lag) are allowed for.",
        "{effect}; niet significant als met alle {tests} toetsen (elk type bij elke "
        "vertraging) rekening wordt gehouden.",
    ),
    "drivers.lag.same_week": _t("in the same week", "in dezelfde week"),
    "drivers.lag.one_week": _t("{n} week later", "{n} week later"),
    "drivers.lag.weeks": _t("{n} weeks later", "{n} weken later"),
    # drivers: why a type was not studied (SkipReason)
    "drivers.skip.no_variation": _t(
        "its weekly count does not vary within reps",
        "het weekaantal varieert niet binnen verkopers",
    ),
    "drivers.skip.too_few": _t(
        "too few reps and weeks with deals won to fit the model: use a longer window or a "
        "larger team",
        "te weinig verkopers en weken met gewonnen deals om het model te schatten: neem een "
        "langer venster of een groter team",
    ),
    "drivers.skip.no_fit": _t("the model did not converge", "het model convergeerde niet"),
    "drivers.skip.collinear": _t(
        "its weekly counts move in step with other types' or with the weeks",
        "de weekaantallen lopen gelijk op met die van andere typen of met de weken",
    ),
    # drivers: conversion by number of touches (Returns)
    "drivers.noun.touch": _t("touch", "contactmoment"),
    "drivers.noun.touches": _t("touches", "contactmomenten"),
    "drivers.returns.counted": _t("{label} {noun}", "{label} {noun}"),
    "drivers.returns.too_few": _t(
        "Too few closed items to tell how conversion changes with {many}.",
        "Te weinig afgeronde items om te zien hoe de conversie met {many} verandert.",
    ),
    "drivers.returns.flat": _t(
        "Conversion is highest at {top} ({top_rate}); more {many} did not raise it (it is "
        "{last_rate} at {last}): the returns are flat from the first {one} on.",
        "De conversie is het hoogst bij {top} ({top_rate}); meer {many} verhoogden haar niet "
        "(bij {last} is ze {last_rate}): het rendement is vlak vanaf het eerste {one}.",
    ),
    "drivers.returns.rising": _t(
        "Conversion still rises by at least {threshold} points per extra {one} up to {last} "
        "({last_rate}): the returns do not flatten within these data.",
        "De conversie stijgt nog met minstens {threshold} punt per extra {one} tot {last} "
        "({last_rate}): het rendement vlakt binnen deze gegevens niet af.",
    ),
    "drivers.returns.flattens": _t(
        "Conversion rises with {many} up to {after} ({after_rate}), by up to {peak} points per "
        "extra {one}; beyond that each extra {one} adds at most {later} points: the returns "
        "flatten after about {at} {many}.",
        "De conversie stijgt met {many} tot {after} ({after_rate}), met tot {peak} punt per "
        "extra {one}; daarna voegt elk extra {one} hoogstens {later} punt toe: het rendement "
        "vlakt af na ongeveer {at} {many}.",
    ),
    # health: the periods a grain names
    "health.grain.quarter": _t("quarter", "kwartaal"),
    "health.grain.quarters": _t("quarters", "kwartalen"),
    "health.grain.month": _t("month", "maand"),
    "health.grain.months": _t("months", "maanden"),
    # health: the flag
    "health.flag.no_target": _t(
        "No target set in the last {n} {periods}.",
        "Geen doel vastgelegd in de laatste {n} {periods}.",
    ),
    "health.flag.missed": _t(
        "Under target in {missed} of the last {n} {periods}.",
        "Onder doel in {missed} van de laatste {n} {periods}.",
    ),
    "health.flag.missed_in": _t(
        "Under target in {missed} of the last {n} {periods} ({which}).",
        "Onder doel in {missed} van de laatste {n} {periods} ({which}).",
    ),
    "health.flag.subteam": _t(
        "{flag} Its sub-team {names} is flagged too.",
        "{flag} Subteam {names} valt ook onder de maat.",
    ),
    # health: the trend (direction)
    "health.trend.unknown": _t(
        "Too few periods with a target for a trend.",
        "Te weinig periodes met een doel voor een trend.",
    ),
    "health.trend.improving": _t(
        "Attainment is rising by {points} points a {period} ({span}).",
        "De doelrealisatie stijgt met {points} procentpunt per {period} ({span}).",
    ),
    "health.trend.declining": _t(
        "Attainment is falling by {points} points a {period} ({span}).",
        "De doelrealisatie daalt met {points} procentpunt per {period} ({span}).",
    ),
    "health.trend.steady": _t(
        "Attainment is steady ({span}).", "De doelrealisatie is stabiel ({span})."
    ),
    # health: the activity check
    "health.check.no_target": _t(
        "No target to plan {period} from.", "Geen doel om {period} mee te plannen."
    ),
    "health.check.no_plan": _t("No plan: {why}.", "Geen plan: {why}."),
    "health.check.other_target": _t(
        " (the {source} target; none is set for {period})",
        " (het doel van {source}; voor {period} is er geen)",
    ),
    "health.check.enough": _t("enough", "genoeg"),
    "health.check.short": _t(
        "not enough; short most in {types}", "niet genoeg; het meest tekort aan {types}"
    ),
    "health.check.short_type": _t("{type} ({n} a week)", "{type} ({n} per week)"),
    "health.check": _t(
        "For {period}'s target of {target}{whose} the plan asks {per_week} activities a week; "
        "the last full weeks ({pace}) ran at {pace_per_week} a week ({coverage}): {verdict}.",
        "Voor het doel van {period} van {target}{whose} vraagt het plan {per_week} activiteiten "
        "per week; de laatste volle weken ({pace}) lag het tempo op {pace_per_week} per week "
        "({coverage}): {verdict}.",
    ),
    # health: the summary
    "health.summary": _t(
        "{flagged_teams} of {teams} teams and {flagged_reps} of {reps} reps were under target "
        "in at least {k} of the last {n} {periods} ({span}).",
        "{flagged_teams} van {teams} teams en {flagged_reps} van {reps} verkopers zaten onder "
        "doel in minstens {k} van de laatste {n} {periods} ({span}).",
    ),
    # the day judged as of (salesperf.analysis.asof)
    "asof.choose": _t("Choose another day:", "Kies een andere dag:"),
    "asof.latest": _t("Back to the latest figures", "Terug naar de nieuwste cijfers"),
    "asof.moved": _t(
        "The data end on {end}: figures are as of {day}.",
        "De gegevens lopen tot {end}: de cijfers zijn per {day}.",
    ),
    "asof.chosen": _t(
        "Figures are as of {day}, the day chosen.", "De cijfers zijn per {day}, de gekozen dag."
    ),
    "asof.not_a_date": _t(
        "{name} {value} is not a date; use YYYY-MM-DD, such as 2026-08-15",
        "{name} {value} is geen datum; gebruik JJJJ-MM-DD, zoals 2026-08-15",
    ),
    "asof.out_of_range": _t(
        "{name} {day} lies outside the days one may judge as of ({earliest} to {latest})",
        "{name} {day} ligt buiten de dagen waarop geoordeeld kan worden ({earliest} tot {latest})",
    ),
    # plan: splitting a target over the reps
    "plan.split.nobody": _t(
        "{who} has no reps employed on {day}: the target is not split.",
        "{who} heeft op {day} geen verkopers in dienst: het doel wordt niet verdeeld.",
    ),
    "plan.split.targets": _t(
        "Split over {n} reps in proportion to their own targets for {period}.",
        "Verdeeld over {n} verkopers naar verhouding van hun eigen doelen voor {period}.",
    ),
    "plan.split.revenue": _t(
        "Split over {n} reps in proportion to their revenue won in {window} (not every rep has "
        "a target for {period}).",
        "Verdeeld over {n} verkopers naar verhouding van hun omzet in {window} (niet elke "
        "verkoper heeft een doel voor {period}).",
    ),
    "plan.split.evenly": _t(
        "Split evenly over {n} reps (no targets for {period} and no revenue in {window} to go by).",
        "Gelijk verdeeld over {n} verkopers (geen doelen voor {period} en geen omzet in {window}).",
    ),
    # plan: a rate borrowed from a wider scope
    "plan.borrowed": _t(
        "{who} {lack} in {window}: the {rate} is that of {whose}.",
        "{who} {lack} in {window}: de {rate} is die van {whose}.",
    ),
    "plan.lack.won": _t("won no deal", "won geen deal"),
    "plan.lack.opps": _t(
        "created no opportunity (or logged no activity)",
        "maakte geen kans aan (of registreerde geen activiteit)",
    ),
    "plan.rate.avg": _t("average deal size", "gemiddelde dealgrootte"),
    "plan.rate.win": _t("win rate", "winratio"),
    "plan.rate.opps": _t("rate of opportunities per activity", "verhouding kansen per activiteit"),
    "plan.organisation": _t("the organisation", "de organisatie"),
    "plan.no_closed": _t(
        "{who} closed no deal in {window}: the win rate is that of {whom}.",
        "{who} sloot geen deal in {window}: de winratio is die van {whom}.",
    ),
    "plan.whom.team": _t("team {team}", "team {team}"),
    "plan.whom.everyone": _t("all reps", "alle verkopers"),
    # plan: two paths, at the own conversion and at the team's
    "plan.paths": _t(
        "Two paths to this target for {name}. At their own conversion (win rate {own_win}, "
        "{own_opa} opportunities per 100 activities) it takes {own_week} activities a week; at "
        "the conversion of team {team} (win rate {team_win}, {team_opa} per 100) it takes "
        "{team_week} a week. Fix conversion first: more activity at the current conversion is "
        "the costlier path.",
        "Twee wegen naar dit doel voor {name}. Met de eigen conversie (winratio {own_win}, "
        "{own_opa} kansen per 100 activiteiten) zijn er {own_week} activiteiten per week nodig; "
        "met de conversie van team {team} (winratio {team_win}, {team_opa} per 100) {team_week} "
        "per week. Verbeter eerst de conversie: meer activiteit bij de huidige conversie is de "
        "duurdere weg.",
    ),
    # plan: the chance the plan's activity reaches the target
    "plan.chance.simulated": _t(
        "In {n} simulated periods (opportunities and wins drawn with the rates' uncertainty, "
        "each win worth a deal drawn from the won deals), the plan's activity reaches the "
        "target in {p} of them. {levels}",
        "In {n} gesimuleerde periodes (kansen en gewonnen deals getrokken met de onzekerheid "
        "van de ratio's, elke gewonnen deal zo groot als een van de eerder gewonnen deals) "
        "haalt de activiteit van het plan het doel in {p} ervan. {levels}",
    ),
    "plan.chance.levels": _t(
        "An even chance takes {even} times the plan ({even_week} activities a week); an 80% "
        "chance {high} times ({high_week} a week).",
        "Een kans van 50% vraagt {even} keer het plan ({even_week} activiteiten per week); een "
        "kans van 80% {high} keer ({high_week} per week).",
    ),
    "plan.chance.out_of_reach": _t(
        "An 80% chance is not reached within {scale} times the plan's activity.",
        "Een kans van 80% wordt niet gehaald binnen {scale} keer het plan.",
    ),
    # plan: how a rate was estimated (the rate's `method`: English in both, as the API gives it)
    "plan.method.shrunk": _t(
        "shrunk toward {whom} (beta-binomial; prior mean {mean}, strength {strength} deals)",
        "shrunk toward {whom} (beta-binomial; prior mean {mean}, strength {strength} deals)",
    ),
    # plan: what the target takes
    "plan.explanation": _t(
        "To win {target} in {period}, {name} needs {deals} deals (average deal {size}) from "
        "{opps} opportunities (win rate {win}), with the rates of {window}. In the activity mix "
        "of {window} that is {need} activities a week ({day} per working day, Monday to "
        "Friday), most of all {top}; the last {pace_weeks} full weeks ran at {pace} a week.",
        "Om {target} binnen te halen in {period} heeft {name} {deals} deals nodig (gemiddelde "
        "deal {size}) uit {opps} kansen (winratio {win}), met de ratio's van {window}. In de "
        "activiteitenmix van {window} is dat {need} activiteiten per week ({day} per werkdag, "
        "maandag tot en met vrijdag), vooral {top}; de laatste {pace_weeks} volle weken lag het "
        "tempo op {pace} per week.",
    ),
}
