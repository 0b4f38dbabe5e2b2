"""The words around the pages: what a viewer may see (`access.`, said on a refused page in
the viewer's language), the error pages' own (`error.`) and the API reference page's
(`docs.`)."""

from __future__ import annotations

from salesperf.text import Text

_t = Text

#: The frame's strings, by key.
MESSAGES: dict[str, Text] = {
    # what a scope covers
    "access.all": _t("you see the whole organisation", "u ziet de hele organisatie"),
    "access.own": _t(
        "you see your own figures (rep {rep})", "u ziet uw eigen cijfers (verkoper {rep})"
    ),
    "access.no_team": _t(
        "you are not linked to any team yet; ask an administrator",
        "u bent nog aan geen enkel team gekoppeld; vraag het een beheerder",
    ),
    "access.teams": _t(
        "you see team {teams} and its sub-teams", "u ziet team {teams} en de teams eronder"
    ),
    # what is refused
    "access.rep": _t(
        "you may not see rep {rep}: {scope}", "u mag verkoper {rep} niet zien: {scope}"
    ),
    "access.team": _t(
        "you may not see team {team}: {scope}", "u mag team {team} niet zien: {scope}"
    ),
    "access.by_org": _t(
        "organisation-wide figures need a view of the whole organisation; ask by=team or "
        "by=rep ({scope})",
        "cijfers van de hele organisatie vragen toegang tot de hele organisatie; vraag cijfers "
        "per team of per verkoper ({scope})",
    ),
    "access.by_team": _t(
        "team figures include other reps; ask by=rep ({scope})",
        "teamcijfers bevatten de cijfers van andere verkopers; vraag cijfers per verkoper "
        "({scope})",
    ),
    "access.admin.this": _t(
        "only an administrator may do this", "alleen een beheerder mag dit doen"
    ),
    "access.admin.imports": _t(
        "only an administrator may do imports", "alleen een beheerder mag importeren"
    ),
    "access.unknown_team": _t("there is no team {team}", "er is geen team {team}"),
    # a plan asked for both a rep and a team
    "plan.rep_or_team": _t(
        "plan for a rep or for a team, not both",
        "maak een plan voor een verkoper of voor een team, niet voor beide",
    ),
    # a page that does not exist
    "error.no_page": _t("there is no page {path}", "er is geen pagina {path}"),
    # the API reference page (the reference itself is in English, as the API is)
    "docs.title": _t("API reference", "API-naslag"),
    "docs.intro": _t(
        "The machine-readable description is at {link}. Sign in with a session, or send an "
        "API token as {header} ({command}).",
        "De machineleesbare beschrijving staat op {link}. Meld u aan met een sessie, of stuur "
        "een API-token mee als {header} ({command}).",
    ),
    "docs.in_english": _t(
        "The reference below is in English.", "De naslag hieronder is in het Engels."
    ),
}
