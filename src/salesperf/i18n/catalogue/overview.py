"""The start page's words: the quota progress, the leaderboard of reps, the week's movers, the
compact team-health table (`overview.`)."""

from __future__ import annotations

from salesperf.text import Text

_t = Text

#: The overview's strings, by key.
MESSAGES: dict[str, Text] = {
    # quota progress
    "overview.progress": _t("Progress to target", "Voortgang naar het doel"),
    "overview.progress.of": _t(
        "{period}, to {day}: revenue won against the target",
        "{period}, tot {day}: gewonnen omzet tegen het doel",
    ),
    "overview.progress.won": _t("Won so far", "Tot nu toe gewonnen"),
    "overview.progress.target": _t("Target", "Doel"),
    "overview.progress.pace": _t("Pace by today", "Tempo tot vandaag"),
    "overview.progress.pace_help": _t(
        "where revenue should be by now at an even pace ({share} of the working days)",
        "waar de omzet nu zou staan bij een gelijk tempo ({share} van de werkdagen)",
    ),
    "overview.progress.ahead": _t("{amount} ahead of pace", "{amount} voor op schema"),
    "overview.progress.behind": _t("{amount} behind pace", "{amount} achter op schema"),
    "overview.progress.projected": _t("Projected at the end", "Verwacht aan het eind"),
    "overview.progress.range": _t("80% range {low} – {high}", "80%-bandbreedte {low} – {high}"),
    "overview.progress.chance": _t(
        "chance of reaching the target: {p}", "kans om het doel te halen: {p}"
    ),
    "overview.progress.no_target": _t(
        "No revenue target is set for {period}.", "Voor {period} is geen omzetdoel gesteld."
    ),
    "overview.progress.none": _t(
        "No forecast for this view: {why}", "Geen prognose voor deze weergave: {why}"
    ),
    "overview.progress.more": _t("The whole forecast", "De hele prognose"),
    # the leaderboard
    "overview.leaderboard": _t("Leaderboard", "Ranglijst"),
    "overview.leaderboard.help": _t(
        "Reps ranked on {metric} in {period}; click a column's heading to sort on it.",
        "Verkopers gerangschikt op {metric} in {period}; klik op een kolomkop om erop te sorteren.",
    ),
    "overview.rank": _t("#", "#"),
    "overview.quadrant": _t("Quadrant", "Kwadrant"),
    "overview.weekly": _t("{metric} per week", "{metric} per week"),
    "overview.spark": _t(
        "{metric} per week: from {first} to {last}", "{metric} per week: van {first} tot {last}"
    ),
    # the week's movers
    "overview.movers": _t("This week's biggest changes", "De grootste veranderingen van de week"),
    "overview.movers.help": _t(
        "{period} against the week before.", "{period} tegen de week ervoor."
    ),
    "overview.movers.none": _t(
        "No change from the week before.", "Geen verandering sinds de week ervoor."
    ),
    "overview.change": _t("Change", "Verandering"),
    "overview.this_week": _t("This week", "Deze week"),
    "overview.week_before": _t("The week before", "De week ervoor"),
    # team health as a compact table
    "overview.health.status": _t("Status", "Status"),
    "overview.health.ok": _t("On track", "Op koers"),
    "overview.health.missed": _t("{missed} of {n} under target", "{missed} van {n} onder doel"),
    "overview.health.activity": _t("Activity for {period}", "Activiteit voor {period}"),
    "overview.health.coverage": _t("{value} of the plan", "{value} van het plan"),
    "overview.health.why": _t("Why", "Waarom"),
}
