"""Whether a gap in lead conversion is the leads or the approach.

Lead conversion is standardised by lead source: the peers' conversion of each source, weighted
by the rep's own mix of sources, is what the rep would convert if they worked their leads as
the peers do. Observed against that expectation is the approach; the expectation against the
peers' overall rate is the lead mix. The counts come from `breaks.lead_counts` (none when the
store links no lead to a deal: conversion is then unknown, not 0).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

import pandas as pd

from salesperf.analysis.quadrant.text import lead_mix_text
from salesperf.analysis.stats.shrinkage import jeffreys_interval
from salesperf.text import Text


class LeadVerdict(StrEnum):
    """What explains a rep's gap in lead conversion against the peers."""

    APPROACH = "approach"  # the rep converts differently than the peers would on their mix
    LEAD_MIX = "lead_mix"  # the gap is what the rep's mix of lead sources predicts
    NO_CLEAR_GAP = "no_clear_gap"  # no clear gap, or one that neither clearly explains


class LeadFinding(StrEnum):
    """What the comparison found, finer than the verdict (it is said differently)."""

    APPROACH = "approach"  # the expected rate lies outside the rep's interval
    LEAD_MIX = "lead_mix"  # the team's rate does, the expected one does not, the mix explains
    UNEXPLAINED = "unexplained"  # the team's rate lies outside it, the mix does not explain
    NO_GAP = "no_gap"  # neither lies outside it

    @property
    def verdict(self) -> LeadVerdict:
        """The verdict this finding gives."""
        if self is LeadFinding.APPROACH:
            return LeadVerdict.APPROACH
        return LeadVerdict.LEAD_MIX if self is LeadFinding.LEAD_MIX else LeadVerdict.NO_CLEAR_GAP


@dataclass(frozen=True)
class LeadMix:
    """A rep's lead conversion against the peers', standardised by lead source."""

    leads: int
    converted: int
    rate: float  # converted / leads
    low: float  # Jeffreys interval of the rate (the rep's own data, not pooled)
    high: float
    expected: float  # the peers' per-source conversion weighted by the rep's source mix
    team_rate: float  # the peers' overall conversion
    mix_effect: float  # expected - team_rate: what the mix of sources alone accounts for
    approach_effect: float  # rate - expected: what remains once the mix is accounted for
    verdict: LeadVerdict
    text: Text  # in words (`text.lead_mix_text`)


def lead_mix(leads: pd.DataFrame, groups: Mapping[str, str]) -> dict[str, LeadMix | None]:
    """Each rep's lead conversion against the peers' on the same mix of lead sources, from
    `lead_counts`; None for a rep without leads created in the window.

    The verdict: `approach` when the expected rate lies outside the rep's interval; `lead_mix`
    when the peers' overall rate does but the expected one does not, and the mix accounts for
    at least half the gap in its direction; otherwise `no_clear_gap`."""
    c = leads[leads.rep_id.isin(list(groups))].copy()
    c["group"] = c.rep_id.map(groups)
    team = c.groupby(["group", "source"], as_index=False)[["successes", "trials"]].sum()
    team["p"] = team.successes / team.trials
    overall = c.groupby("group")[["successes", "trials"]].sum()
    c = c.merge(team[["group", "source", "p"]], on=["group", "source"])
    out: dict[str, LeadMix | None] = dict.fromkeys(groups)
    for rep, rows in c.groupby("rep_id"):
        n = int(rows.trials.sum())
        if n == 0:
            continue
        k = int(rows.successes.sum())
        g = groups[str(rep)]
        expected = float((rows.trials * rows.p).sum() / n)
        team_rate = float(overall.successes[g]) / float(overall.trials[g])
        interval = jeffreys_interval(k, n)
        assert interval is not None
        out[str(rep)] = _lead_mix(n, k, interval, expected, team_rate)
    return out


def _explains(mix: float, gap: float) -> bool:
    """Whether the lead mix accounts for at least half of a gap, in the gap's direction."""
    return mix * gap > 0 and abs(mix) >= abs(gap) / 2


def _lead_mix(
    n: int, k: int, interval: tuple[float, float], expected: float, team_rate: float
) -> LeadMix:
    rate = k / n
    low, high = interval
    if not low <= expected <= high:
        finding = LeadFinding.APPROACH
    elif not low <= team_rate <= high and _explains(expected - team_rate, rate - team_rate):
        finding = LeadFinding.LEAD_MIX
    elif not low <= team_rate <= high:
        finding = LeadFinding.UNEXPLAINED
    else:
        finding = LeadFinding.NO_GAP
    return LeadMix(
        leads=n,
        converted=k,
        rate=rate,
        low=low,
        high=high,
        expected=expected,
        team_rate=team_rate,
        mix_effect=expected - team_rate,
        approach_effect=rate - expected,
        verdict=finding.verdict,
        text=lead_mix_text(finding, n, k, interval, expected, team_rate),
    )
