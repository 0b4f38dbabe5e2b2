"""The analyses' small vocabularies and limits, light to import: the command line builds its
options from them without loading the statistics libraries."""

from __future__ import annotations

from enum import StrEnum

#: The drivers analysis: its default window and the longest lag it fits, in weeks.
DRIVERS_WINDOW = "last-4-quarters"
DRIVERS_MAX_LAG = 26


class Label(StrEnum):
    """Where a rep sits in the quadrant."""

    STAR = "star"
    BUSY = "busy_not_effective"
    EFFICIENT = "efficient"
    AT_RISK = "at_risk"
    INCONCLUSIVE = "inconclusive"


class Peers(StrEnum):
    """Whom a rep is compared with: medians, shrinkage and team rates."""

    OWN_TEAM = "own_team"  # the reps of the rep's own team
    QUERIED_TEAM = "queried_team"  # every rep of the queried team subtree (or organisation)


class Basis(StrEnum):
    """What an index divides by."""

    TEAM_MEDIAN = "team_median"
    TARGET = "target"
