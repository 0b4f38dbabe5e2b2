"""What the analysis pages and the report say when they refuse a request (`refused.`), in the
viewer's language; each ends with what the viewer's scope covers where that helps."""

from __future__ import annotations

from salesperf.text import Text

_t = Text

#: The refusals' strings, by key.
MESSAGES: dict[str, Text] = {
    "refused.no_peers": _t(
        "rep {rep} belongs to no team to be compared with",
        "verkoper {rep} hoort bij geen team om mee te vergelijken",
    ),
    "refused.not_in_quadrant": _t(
        "rep {rep} is not in this quadrant ({window})",
        "verkoper {rep} staat niet in dit kwadrant ({window})",
    ),
    "refused.drivers_for_teams": _t(
        "the drivers are fitted on the weeks of every rep of a team; team figures are not in "
        "your view ({scope})",
        "de drijfveren worden geschat op de weken van alle verkopers van een team; "
        "teamcijfers vallen buiten uw zicht ({scope})",
    ),
    "refused.no_rep": _t("there is no rep {rep}", "er is geen verkoper {rep}"),
    "refused.report_for_managers": _t(
        "the weekly report is for managers: {scope}",
        "het weekrapport is voor managers: {scope}",
    ),
}
