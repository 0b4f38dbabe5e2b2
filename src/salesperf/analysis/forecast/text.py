"""The forecast's assumptions in words, English and Dutch: what each part of the forecast
was built from, so that a reader can judge it."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

import numpy as np

from salesperf.analysis.forecast.drift import Drift
from salesperf.analysis.forecast.history import PACE_DAYS, History
from salesperf.analysis.forecast.model import NewDealModel, PipelineModel
from salesperf.analysis.windows import day_text, number, percent
from salesperf.i18n import format as fmt
from salesperf.i18n.messages import both, t
from salesperf.i18n.words import word
from salesperf.metrics.periods import Period
from salesperf.metrics.registry import get as metric
from salesperf.text import Lang, Text

if TYPE_CHECKING:
    from salesperf.analysis.forecast.backtest import Calibration


#: The metric the forecast's closed revenue is.
_WON = metric("revenue_won")


def _count(n: int, lang: Lang) -> str:
    return number(n, 0, lang) if lang is Lang.NL else str(n)


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
    """What each part of the forecast was built from, in words (dates in English as ISO)."""
    last = h.as_of - timedelta(days=1)
    first_snap = h.as_of - timedelta(days=max(h.horizon, 1) + 7 * (h.snapshots - 1))
    last_snap = h.as_of - timedelta(days=max(h.horizon, 1))

    def kinds(lang: Lang) -> str:
        said = "; ".join(
            t("forecast.assume.kind", lang, kind=word(m.kind, lang),
              created=number(m.created, 0, lang), per_week=number(m.rate * 7, 1, lang),
              win=percent(m.win, 0, lang))
            for m in new
        )  # fmt: skip
        return said or t("forecast.assume.no_kinds", lang)

    stages = sorted(pipe.stage_rates.items())
    out = [
        both("forecast.assume.closed", lambda lang: {
            "start": day_text(period.start, lang), "last": day_text(last, lang),
            "metric": _WON.label_nl if lang is Lang.NL else _WON.label_en,
        }) if last >= period.start
        else both("forecast.assume.nothing_closed", lambda lang: {
            "start": day_text(period.start, lang),
        }),
        both("forecast.assume.pipeline", lambda lang: {
            "open": _count(len(pipe.p), lang), "as_of": day_text(h.as_of, lang),
            "horizon": h.horizon, "snapshots": h.snapshots, "first": day_text(first_snap, lang),
            "last": day_text(last_snap, lang), "trials": number(pipe.trials, 0, lang),
            "size": number(h.median_amount, 0, lang),
            "stages": ", ".join(f"{word(s, lang)} {percent(r, 0, lang)}" for s, r in stages),
        }),
        both("forecast.assume.new", lambda lang: {
            "pace_days": PACE_DAYS, "as_of": day_text(h.as_of, lang), "kinds": kinds(lang),
            "horizon": h.horizon,
        }),
        _drift(shift),
        both("forecast.assume.draws", lambda lang: {
            "draws": number(draws, 0, lang), "seed": seed,
        }),
    ]  # fmt: skip
    if fill is not None:
        out.append(both("forecast.assume.fill", lambda lang: {"fill": number(fill, 0, lang)}))
    return tuple(out)


def _drift(shift: Drift) -> Text:
    """How far the rates were off at past snapshots, and the shift each outcome takes."""
    if not shift.points:
        return both("forecast.assume.no_drift")
    (raw_p, raw_n), (sd_p, sd_n) = shift.raw_sd, shift.sd
    season_p, season_n = (float(np.expm1(x)) for x in shift.season)

    return both("forecast.assume.drift", lambda lang: {
        "points": shift.points, "raw_p": percent(raw_p, 0, lang), "raw_n": percent(raw_n, 0, lang),
        "season_p": fmt.relative(season_p, lang), "season_n": fmt.relative(season_n, lang),
        "sd_p": percent(sd_p, 0, lang), "sd_n": percent(sd_n, 0, lang),
    })  # fmt: skip


def backtest_text(c: Calibration, periods: int, checkpoints: int, ideal: float) -> Text:
    """The backtest in words: how often the P10-P90 range held the actual revenue (against the
    `ideal` share) and how far the P50 was off, over the forecasts made."""

    def values(lang: Lang) -> dict[str, Any]:
        return {"n": number(c.forecasts, 0, lang), "periods": periods,
                "checkpoints": checkpoints, "coverage": percent(c.coverage, 0, lang),
                "ideal": f"{ideal:.0%}", "mae": percent(c.mae, 1, lang)}  # fmt: skip

    return both("forecast.backtest", values)
