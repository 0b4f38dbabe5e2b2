"""The drivers in words, English and Dutch: the statistics return numbers and reasons (a
`SkipReason`, a `Returns`), and this module says them with the catalogue's `drivers.` strings.

The English sentences write some numbers as they always have (counts without separators,
rates with a point); the Dutch ones go through the formatter.
"""

from __future__ import annotations

import math
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from salesperf.analysis.windows import day_text, number, percent, window_text
from salesperf.i18n.messages import both, t
from salesperf.i18n.words import word
from salesperf.metrics.periods import Period
from salesperf.text import Lang, Text

if TYPE_CHECKING:
    from salesperf.analysis.drivers.model import Sample, SkipReason, TypeEffect
    from salesperf.analysis.drivers.touches import Returns, TouchBin


def caution() -> Text:
    """The first note: associations, not causes."""
    return both("drivers.note.caution")


def cut_note(asked: Period, used: Period, first: date, end: date, max_lag: int) -> Text:
    """Which window and weeks were used, when the data cut the one asked for."""
    u = (used.start, used.end - timedelta(days=1))
    w = (first, end - timedelta(days=1))
    return both("drivers.note.cut", lambda lang: {
        "asked": window_text(asked, lang), "first_day": day_text(u[0], lang),
        "last_day": day_text(u[1], lang), "first_week": day_text(w[0], lang),
        "last_week": day_text(w[1], lang), "max_lag": max_lag,
    })  # fmt: skip


def _count(n: int, lang: Lang) -> str:
    return number(n, 0, lang) if lang is Lang.NL else str(n)


def sample_text(s: Sample) -> Text:
    """What the count model was fitted on, in words."""

    def values(lang: Lang) -> dict[str, Any]:
        n = s.reps_without_wins
        left = t("drivers.note.left_out", lang, n=_count(n, lang)) if n else ""
        return {"reps": _count(s.reps, lang), "weeks": _count(s.weeks, lang),
                "rep_weeks": _count(s.rep_weeks, lang), "deals_won": _count(s.deals_won, lang),
                "activities": _count(s.activities, lang), "left": left}  # fmt: skip

    return both("drivers.note.sample", values)


def model_text(dispersion: float, clustered: bool, max_lag: int, tests: int, clusters: int) -> Text:
    """How the count model was fitted, in words (`clusters`: the fewest reps to cluster by)."""

    def values(lang: Lang) -> dict[str, Any]:
        errors = (t("drivers.model.clustered", lang) if clustered
                  else t("drivers.model.unclustered", lang, min_clusters=clusters))  # fmt: skip
        if not math.isfinite(dispersion):
            disp = "—"
        else:
            disp = number(dispersion, 2, lang) if lang is Lang.NL else f"{dispersion:.2f}"
        return {"max_lag": max_lag, "dispersion": disp, "errors": errors, "tests": tests}

    return both("drivers.model", values)


def _signed(x: float) -> str:
    """A rate ratio as a signed percentage change: 1.11 -> +11%."""
    return f"{round(100 * (x - 1)):+d}%"


def _later(n: int, lang: Lang) -> str:
    if n == 0:
        return t("drivers.lag.same_week", lang)
    return t("drivers.lag.one_week" if n == 1 else "drivers.lag.weeks", lang, n=n)


def effect_text(e: TypeEffect, tests: int) -> Text:
    """One type's effect at its strongest lag, and whether it survives the adjustment."""

    def values(lang: Lang) -> dict[str, Any]:
        per = number(e.per, 1, lang) if lang is Lang.NL else f"{e.per:.1f}"
        effect = t("drivers.effect", lang, type=word(e.type, lang), per=per,
                   change=_signed(e.rate_ratio), when=_later(e.lag, lang), low=_signed(e.low),
                   high=_signed(e.high))  # fmt: skip
        return {"effect": effect, "tests": tests}

    key = "drivers.effect.significant" if e.significant else "drivers.effect.not_significant"
    return both(key, values)


def skip_text(reason: SkipReason) -> Text:
    """Why a type was not studied, in words."""
    return both(f"drivers.skip.{reason.value}")


def touch_nouns() -> tuple[Text, Text]:
    """A touch and touches, the nouns of conversion by number of touches."""
    return both("drivers.noun.touch"), both("drivers.noun.touches")


def _pct(x: float, lang: Lang) -> str:
    return percent(x, 1, lang) if lang is Lang.NL else f"{100 * x:.1f}%"


def _points(x: float, lang: Lang) -> str:
    return number(100 * x, 1, lang) if lang is Lang.NL else f"{100 * x:.1f}"


def touch_statement(
    returns: Returns, noun: tuple[Text, Text], *, top: TouchBin | None = None,
    last: TouchBin | None = None, after: TouchBin | None = None, threshold: float = 0.0,
    peak: float = 0.0, later: float = 0.0,
) -> Text:  # fmt: skip
    """Where the returns of extra touches flatten, in words (`noun`: a touch, touches)."""
    one, many = noun

    def said(b: TouchBin | None, lang: Lang) -> str:
        assert b is not None
        return t("drivers.returns.counted", lang, label=b.label,
                 noun=(one if b.label == "1" else many).get(lang))  # fmt: skip

    def rate(b: TouchBin | None, lang: Lang) -> str:
        assert b is not None
        return _pct(b.rate or 0, lang)

    def values(lang: Lang) -> dict[str, Any]:
        v: dict[str, Any] = {"one": one.get(lang), "many": many.get(lang)}
        if top is not None:
            v |= {"top": said(top, lang), "top_rate": rate(top, lang)}
        if last is not None:
            v |= {"last": said(last, lang), "last_rate": rate(last, lang)}
        if after is not None:
            v |= {"after": said(after, lang), "after_rate": rate(after, lang),
                  "at": after.hi or after.lo}  # fmt: skip
        v |= {"threshold": _points(threshold, lang), "peak": _points(peak, lang),
              "later": _points(later, lang)}  # fmt: skip
        return v

    return both(f"drivers.returns.{returns.value}", values)
