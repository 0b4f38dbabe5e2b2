"""The alerts' words: the rules and their parameter, the page, and each alert's sentence
(`salesperf.analysis.alerts.text` fills them in with the one formatter's numbers and dates)."""

from __future__ import annotations

from salesperf.text import Text

_t = Text

#: The alerts' strings, by key.
MESSAGES: dict[str, Text] = {
    "nav.alerts": _t("Alerts", "Signalen"),
    "alerts.title": _t("Alerts", "Signalen"),
    "alerts.intro": _t(
        "Switch on the alerts you want and set their number; the alerts below are those of "
        "the reps and teams you may see, judged as of {day}.",
        "Zet de signalen aan die u wilt en kies hun getal; de signalen hieronder gaan over de "
        "verkopers en teams die u mag zien, beoordeeld per {day}.",
    ),
    "alerts.rules": _t("Your alerts", "Uw signalen"),
    "alerts.rule": _t("Alert", "Signaal"),
    "alerts.on": _t("On", "Aan"),
    "alerts.parameter": _t("Number (N)", "Getal (N)"),
    "alerts.range": _t(
        "{low} to {high}; standard {default}", "{low} tot {high}; standaard {default}"
    ),
    "alerts.save": _t("Save", "Opslaan"),
    "alerts.saved": _t("Your alerts were saved.", "Uw signalen zijn opgeslagen."),
    "alerts.not_saved": _t("Your alerts were not saved:", "Uw signalen zijn niet opgeslagen:"),
    "alerts.current": _t("Current alerts", "Huidige signalen"),
    "alerts.none_on": _t(
        "No alert is switched on: switch one on above.",
        "Er staat geen signaal aan: zet er hierboven een aan.",
    ),
    "alerts.none": _t("Nothing to report.", "Niets te melden."),
    "alerts.more": _t("and {n} more", "en nog {n}"),
    "alerts.all": _t("All alerts", "Alle signalen"),
    "alerts.open": _t("Open", "Openen"),
    "alerts.rule.under_activity_goal": _t(
        "A rep under their activity goal for N working days in a row",
        "Een verkoper N werkdagen op rij onder het activiteitendoel",
    ),
    "alerts.rule.idle_deal": _t(
        "An open deal with no activity for N days",
        "Een open deal zonder activiteit in N dagen",
    ),
    "alerts.rule.team_under_target": _t(
        "A team under target in N of the last 4 quarters",
        "Een team onder doel in N van de laatste 4 kwartalen",
    ),
    "alerts.rule.newly_busy": _t(
        "A rep newly busy but not effective (over N quarters, against the N before)",
        "Een verkoper die nieuw druk maar niet effectief is (over N kwartalen, tegenover de N "
        "ervoor)",
    ),
    "alerts.heading.under_activity_goal": _t(
        "Reps under their activity goal for {n} working days in a row",
        "Verkopers {n} werkdagen op rij onder het activiteitendoel",
    ),
    "alerts.heading.idle_deal": _t(
        "Open deals with no activity for {n} days", "Open deals zonder activiteit in {n} dagen"
    ),
    "alerts.heading.team_under_target": _t(
        "Teams under target in {n} of the last 4 quarters",
        "Teams onder doel in {n} van de laatste 4 kwartalen",
    ),
    "alerts.heading.newly_busy": _t(
        "Reps newly busy but not effective (over {n} quarters, against the {n} before)",
        "Verkopers die nieuw druk maar niet effectief zijn (over {n} kwartalen, tegenover de "
        "{n} ervoor)",
    ),
    "alerts.bad_parameter": _t(
        "{rule}: N must be a whole number from {low} to {high}, not '{value}'.",
        "{rule}: N moet een geheel getal van {low} tot en met {high} zijn, niet '{value}'.",
    ),
    "alerts.unknown_rule": _t(
        "There is no alert called '{value}'; the alerts are: {rules}.",
        "Er is geen signaal met de naam '{value}'; de signalen zijn: {rules}.",
    ),
    "alerts.text.under_activity_goal": _t(
        "{name} has been under the activity goal for {days} working days in a row (since "
        "{since}): {actual} activities against a goal of {goal}.",
        "{name} zit al {days} werkdagen op rij onder het activiteitendoel (sinds {since}): "
        "{actual} activiteiten tegenover een doel van {goal}.",
    ),
    "alerts.text.idle_deal": _t(
        "Deal {deal} of {owner} has had no activity for {days} days (the last on {last}).",
        "Deal {deal} van {owner} heeft al {days} dagen geen activiteit (de laatste op {last}).",
    ),
    "alerts.text.idle_deal.never": _t(
        "Deal {deal} of {owner} has had no activity in the {days} days since it was created "
        "on {last}.",
        "Deal {deal} van {owner} heeft geen activiteit gehad in de {days} dagen sinds hij op "
        "{last} werd aangemaakt.",
    ),
    "alerts.text.team_under_target": _t("{name}: {flag}", "{name}: {flag}"),
    "alerts.text.newly_busy": _t(
        "{name} is busy but not effective in {window} (activity index {activity}, performance "
        "index {performance}); in {before}: {label}.",
        "{name} is druk maar niet effectief in {window} (activiteitsindex {activity}, "
        "prestatie-index {performance}); in {before}: {label}.",
    ),
    "alerts.text.newly_busy.new": _t(
        "{name} is busy but not effective in {window} (activity index {activity}, performance "
        "index {performance}); in {before} there was nothing to judge.",
        "{name} is druk maar niet effectief in {window} (activiteitsindex {activity}, "
        "prestatie-index {performance}); in {before} was er niets te beoordelen.",
    ),
}
