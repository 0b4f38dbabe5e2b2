"""The forecast's assumptions in words, English and Dutch: what each part of the forecast
was built from, so that a reader can judge it."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import numpy as np

from salesperf.analysis.forecast.drift import Drift
from salesperf.analysis.forecast.history import PACE_DAYS, History
from salesperf.analysis.forecast.model import NewDealModel, PipelineModel
from salesperf.analysis.windows import day_text, number, percent
from salesperf.i18n.messages import both
from salesperf.metrics.periods import Period
from salesperf.text import Lang, Text

if TYPE_CHECKING:
    from salesperf.analysis.forecast.backtest import Calibration


def assumptions(
    h: History,
    period: Period,
    pipe: PipelineModel,
    new: tuple[NewDealModel, ...],
    shift: Drift,
    fill: float | None,
    draws: int,
    seed: int,
) -> tuple[Text, ...]:
    last = h.as_of - timedelta(days=1)

    def nl_day(d: date) -> str:
        return day_text(d, Lang.NL)

    kinds_en = (
        "; ".join(
            f"{m.kind}: {number(m.created)}, {number(m.rate * 7, 1)} a week, {percent(m.win)} won"
            for m in new
        )
        or "none"
    )
    kinds_nl = (
        "; ".join(
            f"{m.kind}: {number(m.created, 0, 'nl')}, {number(m.rate * 7, 1, 'nl')} per week, "
            f"{percent(m.win, 0, 'nl')} gewonnen"
            for m in new
        )
        or "geen"
    )
    if shift.points:
        (raw_p, raw_n), (sd_p, sd_n) = shift.raw_sd, shift.sd
        season_p, season_n = (float(np.expm1(x)) for x in shift.season)

        def signed(v: float) -> str:
            return ("+" if v > 0 else "") + percent(v, 0, "nl")

        drift_text = Text(
            en=f"Drift: at {shift.points} past snapshots these rates were off by a spread of "
            f"{raw_p:.0%} (pipeline) and {raw_n:.0%} (new deals), through seasons, growth and "
            "changes of pace. The season's own miss (at the same weeks a year before, with the "
            "year's change since) moves "
            f"them by {season_p:+.0%} (pipeline) and {season_n:+.0%} (new deals); beyond that "
            f"and chance they were off by {sd_p:.0%} and {sd_n:.0%}, and each simulated outcome "
            "is shifted by as much, either way.",
            nl=f"Afwijking: op {shift.points} eerdere momentopnamen zaten deze kansen er met een "
            f"spreiding van {raw_p:.0%} (pijplijn) en {raw_n:.0%} (nieuwe deals) naast, door "
            "seizoenen, groei en een ander tempo. De afwijking van het seizoen zelf (in "
            "dezelfde weken een jaar eerder, met de verandering sindsdien) verschuift ze met "
            f"{signed(season_p)} "
            f"(pijplijn) en {signed(season_n)} (nieuwe deals); daarbuiten en buiten "
            f"het toeval zaten ze er {sd_p:.0%} en {sd_n:.0%} naast, en elke gesimuleerde "
            "uitkomst schuift evenveel op, naar boven of naar beneden.",
        )
    else:
        drift_text = Text(
            en="Drift: too little history to measure how far these rates were off before; the "
            "range shows chance alone and may be too narrow.",
            nl="Afwijking: te weinig historie om te meten hoever deze kansen er eerder naast "
            "zaten; de bandbreedte toont alleen toeval en kan te smal zijn.",
        )
    stages_en = ", ".join(f"{s} {percent(r)}" for s, r in sorted(pipe.stage_rates.items()))
    stages_nl = ", ".join(f"{s} {percent(r, 0, 'nl')}" for s, r in sorted(pipe.stage_rates.items()))
    size_en = number(h.median_amount)
    size_nl = number(h.median_amount, 0, "nl")
    first_snap = h.as_of - timedelta(days=max(h.horizon, 1) + 7 * (h.snapshots - 1))
    last_snap = h.as_of - timedelta(days=max(h.horizon, 1))
    closed = (
        Text(
            en=f"Closed so far: revenue won from {period.start} to {last} (the revenue_won "
            "metric).",
            nl=f"Al gesloten: gegenereerde omzet van {nl_day(period.start)} tot en met "
            f"{nl_day(last)} (de metriek revenue_won).",
        )
        if last >= period.start
        else Text(
            en=f"Closed so far: nothing yet, the forecast is made on the period's first day "
            f"({period.start}).",
            nl=f"Al gesloten: nog niets, de voorspelling is gemaakt op de eerste dag van de "
            f"periode ({nl_day(period.start)}).",
        )
    )
    out = [
        closed,
        Text(
            en=f"Open pipeline: {len(pipe.p)} deals open on {h.as_of}, each in the stage it had "
            f"reached then, weighted by the share of deals in that stage and of that age (days "
            f"since created) that were won within {h.horizon} days, over {h.snapshots} weekly "
            f"snapshots from {first_snap} to {last_snap} ({number(pipe.trials)} deal "
            "observations); small groups are shrunk toward their stage's rate, deals much larger "
            f"or smaller than the median deal ({size_en}) fare as such deals did, and a team's "
            "or rep's deals as theirs did against the organisation's. A won deal closes after "
            f"as many days as such wins took. Per stage: {stages_en}.",
            nl=f"Open pijplijn: {number(len(pipe.p), 0, 'nl')} deals open op {nl_day(h.as_of)}, "
            "elk in de fase die het toen had bereikt, gewogen met het aandeel deals in die fase "
            f"en van die leeftijd (dagen sinds aanmaken) dat binnen {h.horizon} dagen werd "
            f"gewonnen, over {h.snapshots} wekelijkse momentopnamen van {nl_day(first_snap)} tot "
            f"{nl_day(last_snap)} "
            f"({number(pipe.trials, 0, 'nl')} waarnemingen van deals); kleine groepen worden "
            "naar het cijfer van hun fase getrokken, deals die veel groter of kleiner zijn dan "
            f"de mediane deal ({size_nl}) doen het als zulke deals eerder, en de deals van een "
            "team of verkoper als die van hen tegenover de organisatie. Een gewonnen deal sluit "
            f"na zoveel dagen als zulke deals nodig hadden. Per fase: {stages_nl}.",
        ),
        Text(
            en=f"New deals: the deals of each kind created in the {PACE_DAYS} days before "
            f"{h.as_of} ({kinds_en}) go on at that pace as a Poisson stream; each is won within "
            "the days left with the chance new deals of its kind had before (won within "
            f"{h.horizon} days of creation, of those created in the year before the snapshots).",
            nl=f"Nieuwe deals: de deals van elke soort aangemaakt in de {PACE_DAYS} dagen vóór "
            f"{nl_day(h.as_of)} ({kinds_nl}) gaan in dat tempo door als Poisson-stroom; elke "
            "deal wordt binnen de resterende dagen gewonnen met de kans die nieuwe deals van "
            f"die soort eerder hadden (gewonnen binnen {h.horizon} dagen na aanmaken, van de deals "
            "aangemaakt in het jaar vóór de momentopnamen).",
        ),
        drift_text,
        Text(
            en=f"{number(draws)} simulated outcomes (seed {seed}); within one outcome each deal is won "
            "or lost on its own, and the pace of new deals is as uncertain as its count allows.",
            nl=f"{number(draws, 0, 'nl')} gesimuleerde uitkomsten (seed {seed}); binnen één uitkomst wordt elke "
            "deal los van de andere gewonnen of verloren, en is het tempo van nieuwe deals zo "
            "onzeker als het aantal toelaat.",
        ),
    ]
    if fill is not None:
        out.append(
            Text(
                en=f"Deals without an amount count at the average deal size ({number(fill)}).",
                nl="Deals zonder bedrag tellen met de gemiddelde dealgrootte "
                f"({number(fill, 0, 'nl')}).",
            )
        )
    return tuple(out)


def backtest_text(c: Calibration, periods: int, checkpoints: int, ideal: float) -> Text:
    """The backtest in words: how often the P10-P90 range held the actual revenue (against the
    `ideal` share) and how far the P50 was off, over the forecasts made."""

    def values(lang: Lang) -> dict[str, Any]:
        return {"n": number(c.forecasts, 0, lang), "periods": periods,
                "checkpoints": checkpoints, "coverage": percent(c.coverage, 0, lang),
                "ideal": f"{ideal:.0%}", "mae": percent(c.mae, 1, lang)}  # fmt: skip

    return both("forecast.backtest", values)
