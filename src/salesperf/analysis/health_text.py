"""Team health in words, English and Dutch: `salesperf.analysis.health` returns the numbers and
reasons (periods missed, the trend's direction and slope, the plan against the pace), and this
module says them with the catalogue's `health.` strings."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from salesperf.analysis.windows import money, number, percent, period_text
from salesperf.i18n.messages import both, t
from salesperf.i18n.words import word
from salesperf.metrics.periods import Grain, Period
from salesperf.text import Lang, Text


def _periods(grain: Grain, lang: Lang, many: bool = True) -> str:
    return t(f"health.grain.{grain.value}{'s' if many else ''}", lang)


def flag_text(grain: Grain, n: int, missed: Sequence[Period], with_target: int) -> Text:
    """How many of the last `n` periods were under target, and which (`missed`)."""
    if with_target == 0:
        return both(
            "health.flag.no_target", lambda lang: {"n": n, "periods": _periods(grain, lang)}
        )
    key = "health.flag.missed_in" if missed else "health.flag.missed"
    return both(key, lambda lang: {
        "missed": len(missed), "n": n, "periods": _periods(grain, lang),
        "which": ", ".join(period_text(p, lang) for p in missed),
    })  # fmt: skip


def subteam_flag(flag: Text, names: str) -> Text:
    """A flagged team's flag, saying which of its sub-teams are flagged too."""
    return both("health.flag.subteam", lambda lang: {"flag": flag.get(lang), "names": names})


def trend_text(
    direction: str, slope: float | None, first: float, last: float, grain: Grain
) -> Text:
    """The trend in words: its direction (improving, declining, steady or unknown), its slope in
    points a period, and attainment at the first and last period with a target."""
    if direction == "unknown" or slope is None:
        return both("health.trend.unknown")
    return both(f"health.trend.{direction}", lambda lang: {
        "points": number(abs(slope) * 100, 0, lang), "period": _periods(grain, lang, many=False),
        "span": f"{percent(first, 0, lang)} → {percent(last, 0, lang)}",
    })  # fmt: skip


def no_target(current: Period) -> Text:
    """No target to plan the current period from."""
    return both("health.check.no_target", lambda lang: {"period": period_text(current, lang)})


def no_plan(why: str) -> Text:
    """No plan could be made, and why (the plan's own message, in English)."""
    return both("health.check.no_plan", lambda lang: {"why": why})


def check_text(
    currency: str, current: Period, source: Period, target: float, per_week: float,
    pace: Period, pace_per_week: float, coverage: float | None, enough: bool,
    worst: Sequence[tuple[str, float]],
) -> Text:  # fmt: skip
    """The plan of the current period's target (or the last one set, `source`) against the
    pace of the last full weeks, with the types most short when it is not enough."""

    def values(lang: Lang) -> dict[str, Any]:
        cur = period_text(current, lang)
        whose = "" if source == current else t(
            "health.check.other_target", lang, source=period_text(source, lang), period=cur)  # fmt: skip
        types = ", ".join(
            t("health.check.short_type", lang, type=word(k, lang), n=number(v, 0, lang))
            for k, v in worst
        )
        verdict = (t("health.check.enough", lang) if enough
                   else t("health.check.short", lang, types=types))  # fmt: skip
        return {"period": cur, "target": money(target, currency, lang), "whose": whose,
                "per_week": number(per_week, 0, lang), "pace": period_text(pace, lang),
                "pace_per_week": number(pace_per_week, 0, lang),
                "coverage": percent(coverage, 0, lang), "verdict": verdict}  # fmt: skip

    return both("health.check", values)


def summary(
    grain: Grain, periods: Sequence[Period], k: int, teams: tuple[int, int], reps: tuple[int, int]
) -> Text:
    """How many teams and reps (flagged, of all) were under target in `k` of the periods."""

    def values(lang: Lang) -> dict[str, Any]:
        ends = (period_text(periods[0], lang), period_text(periods[-1], lang))
        return {"flagged_teams": teams[0], "teams": teams[1], "flagged_reps": reps[0],
                "reps": reps[1], "k": k, "n": len(periods), "periods": _periods(grain, lang),
                "span": " – ".join(dict.fromkeys(ends))}  # fmt: skip

    return both("health.summary", values)
