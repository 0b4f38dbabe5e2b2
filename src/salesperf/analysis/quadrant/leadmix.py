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

from salesperf.analysis.quadrant.breaks import pct
from salesperf.analysis.stats.shrinkage import jeffreys_interval
from salesperf.i18n import format as fmt
from salesperf.text import Lang, Text


class LeadVerdict(StrEnum):
    """What explains a rep's gap in lead conversion against the peers."""

    APPROACH = "approach"  # the rep converts differently than the peers would on their mix
    LEAD_MIX = "lead_mix"  # the gap is what the rep's mix of lead sources predicts
    NO_CLEAR_GAP = "no_clear_gap"  # no clear gap, or one that neither clearly explains


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
    text: Text


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
    of_nl = f"{fmt.number(k, Lang.NL)}/{fmt.number(n, Lang.NL)}"  # converted of leads
    if not low <= expected <= high:
        verdict = LeadVerdict.APPROACH
        en = (
            f"Lead conversion {pct(rate)} ({k}/{n}; interval {pct(low)}–{pct(high)}) against "
            f"{pct(expected)} the team would reach on the same mix of lead sources (team overall "
            f"{pct(team_rate)}): the gap lies in the approach, not in the leads."
        )
        nl = (
            f"Leadconversie {pct(rate)} ({of_nl}; interval {pct(low)}–{pct(high)}) tegenover "
            f"{pct(expected)} die het team op dezelfde mix van leadbronnen zou halen (team "
            f"totaal {pct(team_rate)}): het verschil zit in de aanpak, niet in de leads."
        )
    elif not low <= team_rate <= high and _explains(expected - team_rate, rate - team_rate):
        verdict = LeadVerdict.LEAD_MIX
        en = (
            f"Lead conversion {pct(rate)} ({k}/{n}) against the team's {pct(team_rate)}, but on "
            f"this mix of lead sources the team would convert {pct(expected)}: the gap is "
            "explained by the leads handed over, not by the approach."
        )
        nl = (
            f"Leadconversie {pct(rate)} ({of_nl}) tegenover {pct(team_rate)} in het team, maar "
            f"op deze mix van leadbronnen zou het team {pct(expected)} halen: het verschil komt "
            "door de toegewezen leads, niet door de aanpak."
        )
    elif not low <= team_rate <= high:
        verdict = LeadVerdict.NO_CLEAR_GAP
        en = (
            f"Lead conversion {pct(rate)} ({k}/{n}; interval {pct(low)}–{pct(high)}) differs from "
            f"the team's {pct(team_rate)}; on this mix of lead sources the team would convert "
            f"{pct(expected)}: neither the lead mix nor the approach clearly explains the gap."
        )
        nl = (
            f"Leadconversie {pct(rate)} ({of_nl}; interval {pct(low)}–{pct(high)}) wijkt af van "
            f"{pct(team_rate)} in het team; op deze mix van leadbronnen zou het team "
            f"{pct(expected)} halen: noch de mix van leads, noch de aanpak verklaart het "
            "verschil duidelijk."
        )
    else:
        verdict = LeadVerdict.NO_CLEAR_GAP
        en = (
            f"Lead conversion {pct(rate)} ({k}/{n}; interval {pct(low)}–{pct(high)}) is not "
            f"clearly different from the team's {pct(team_rate)} or from the {pct(expected)} "
            "expected on this mix of lead sources."
        )
        nl = (
            f"Leadconversie {pct(rate)} ({of_nl}; interval {pct(low)}–{pct(high)}) wijkt niet "
            f"duidelijk af van {pct(team_rate)} in het team of van de {pct(expected)} die op "
            "deze mix van leadbronnen te verwachten is."
        )
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
        verdict=verdict,
        text=Text(en, nl),
    )
