"""The forecast's words (`forecast.`): its back-test and the assumptions it states. The
forecast returns its figures as data; `analysis/forecast/text.py` makes the sentences."""

from __future__ import annotations

from salesperf.text import Text

_t = Text

#: The forecast's strings, by key.
MESSAGES: dict[str, Text] = {
    # forecast: the backtest
    "forecast.backtest": _t(
        "{n} forecasts ({periods} periods x {checkpoints} checkpoints, the organisation and each "
        "team), each made from what was known on its day: the P10-P90 range held the actual "
        "revenue in {coverage} of them (ideal: about {ideal}); the P50 was off by {mae} of the "
        "target on average.",
        "{n} prognoses ({periods} perioden x {checkpoints} meetmomenten, de organisatie en elk "
        "team), elk gemaakt met wat op die dag bekend was: de P10-P90-bandbreedte bevatte de "
        "werkelijke omzet in {coverage} ervan (ideaal: ongeveer {ideal}); de P50 zat gemiddeld "
        "{mae} van het doel ernaast.",
    ),
    # forecast: the assumptions
    "forecast.assume.closed": _t(
        "Closed so far: revenue won from {start} to {last} (the metric {metric}).",
        "Al gesloten: gewonnen omzet van {start} tot en met {last} (de metriek {metric}).",
    ),
    "forecast.assume.nothing_closed": _t(
        "Closed so far: nothing yet, the forecast is made on the period's first day ({start}).",
        "Al gesloten: nog niets, de voorspelling is gemaakt op de eerste dag van de periode "
        "({start}).",
    ),
    "forecast.assume.pipeline": _t(
        "Open pipeline: {open} deals open on {as_of}, each in the stage it had reached then, "
        "weighted by the share of deals in that stage and of that age (days since created) that "
        "were won within {horizon} days, over {snapshots} weekly snapshots from {first} to "
        "{last} ({trials} deal observations); small groups are shrunk toward their stage's "
        "rate, deals much larger or smaller than the median deal ({size}) fare as such deals "
        "did, and a team's or rep's deals as theirs did against the organisation's. A won deal "
        "closes after as many days as such wins took. Per stage: {stages}.",
        "Open pijplijn: {open} deals open op {as_of}, elk in de fase die het toen had bereikt, "
        "gewogen met het aandeel deals in die fase en van die leeftijd (dagen sinds aanmaken) "
        "dat binnen {horizon} dagen werd gewonnen, over {snapshots} wekelijkse momentopnamen "
        "van {first} tot {last} ({trials} waarnemingen van deals); kleine groepen worden naar "
        "het cijfer van hun fase getrokken, deals die veel groter of kleiner zijn dan de "
        "mediane deal ({size}) doen het als zulke deals eerder, en de deals van een team of "
        "verkoper als die van hen tegenover de organisatie. Een gewonnen deal sluit na zoveel "
        "dagen als zulke deals nodig hadden. Per fase: {stages}.",
    ),
    "forecast.assume.new": _t(
        "New deals: the deals of each kind created in the {pace_days} days before {as_of} "
        "({kinds}) go on at that pace as a Poisson stream; each is won within the days left "
        "with the chance new deals of its kind had before (won within {horizon} days of "
        "creation, of those created in the year before the snapshots).",
        "Nieuwe deals: de deals van elke soort aangemaakt in de {pace_days} dagen vóór {as_of} "
        "({kinds}) gaan in dat tempo door als Poisson-stroom; elke deal wordt binnen de "
        "resterende dagen gewonnen met de kans die nieuwe deals van die soort eerder hadden "
        "(gewonnen binnen {horizon} dagen na aanmaken, van de deals aangemaakt in het jaar vóór "
        "de momentopnamen).",
    ),
    "forecast.assume.kind": _t(
        "{kind}: {created}, {per_week} a week, {win} won",
        "{kind}: {created}, {per_week} per week, {win} gewonnen",
    ),
    "forecast.assume.no_kinds": _t("none", "geen"),
    "forecast.assume.drift": _t(
        "Drift: at {points} past snapshots these rates were off by a spread of {raw_p} "
        "(pipeline) and {raw_n} (new deals), through seasons, growth and changes of pace. The "
        "season's own miss (at the same weeks a year before, with the year's change since) "
        "moves them by {season_p} (pipeline) and {season_n} (new deals); beyond that and chance "
        "they were off by {sd_p} and {sd_n}, and each simulated outcome is shifted by as much, "
        "either way.",
        "Afwijking: op {points} eerdere momentopnamen zaten deze kansen er met een spreiding van "
        "{raw_p} (pijplijn) en {raw_n} (nieuwe deals) naast, door seizoenen, groei en een ander "
        "tempo. De afwijking van het seizoen zelf (in dezelfde weken een jaar eerder, met de "
        "verandering sindsdien) verschuift ze met {season_p} (pijplijn) en {season_n} (nieuwe "
        "deals); daarbuiten en buiten het toeval zaten ze er {sd_p} en {sd_n} naast, en elke "
        "gesimuleerde uitkomst schuift evenveel op, naar boven of naar beneden.",
    ),
    "forecast.assume.no_drift": _t(
        "Drift: too little history to measure how far these rates were off before; the range "
        "shows chance alone and may be too narrow.",
        "Afwijking: te weinig historie om te meten hoever deze kansen er eerder naast zaten; de "
        "bandbreedte toont alleen toeval en kan te smal zijn.",
    ),
    "forecast.assume.draws": _t(
        "{draws} simulated outcomes (seed {seed}); within one outcome each deal is won or lost "
        "on its own, and the pace of new deals is as uncertain as its count allows.",
        "{draws} gesimuleerde uitkomsten (startwaarde {seed}); binnen één uitkomst wordt elke deal los "
        "van de andere gewonnen of verloren, en is het tempo van nieuwe deals zo onzeker als het "
        "aantal toelaat.",
    ),
    "forecast.assume.fill": _t(
        "Deals without an amount count at the average deal size ({fill}).",
        "Deals zonder bedrag tellen met de gemiddelde dealgrootte ({fill}).",
    ),
}
