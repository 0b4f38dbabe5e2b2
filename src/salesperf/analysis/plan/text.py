"""The plan in words: what a target takes, said in English and Dutch."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from salesperf.analysis.windows import day_text, money, number, percent, period_text
from salesperf.i18n.messages import both, t
from salesperf.i18n.words import word
from salesperf.metrics.periods import Period
from salesperf.text import Lang, Text

if TYPE_CHECKING:
    from salesperf.analysis.plan.core import Requirement
    from salesperf.analysis.plan.paths import Path as ConversionPath
    from salesperf.analysis.plan.rates import Rates
    from salesperf.analysis.plan.simulation import Level


def explain_plan(
    cur: str, name: str, target: float, period: Period, rates: Rates, deals: float, opps: float,
    reqs: tuple[Requirement, ...], pace_weeks: int,
) -> Text:  # fmt: skip
    """The plan in words, in English and Dutch: the deals and opportunities the target takes
    with the scope's rates, the activity per week and working day, and the recent pace."""
    size, win = rates.avg_deal_size.value, rates.win_rate.value
    need = sum(r.per_week for r in reqs)
    day = sum(r.per_day for r in reqs)
    pace = sum(r.pace_per_week for r in reqs)
    return both("plan.explanation", lambda lang: {
        "target": money(target, cur, lang), "period": period_text(period, lang), "name": name,
        "deals": number(deals, 1, lang), "size": money(size, cur, lang),
        "opps": number(opps, 1, lang), "win": percent(win, 1, lang),
        "window": period_text(rates.window, lang), "need": number(need, 1, lang),
        "day": number(day, 1, lang), "pace_weeks": pace_weeks, "pace": number(pace, 1, lang),
        "top": ", ".join(
            f"{word(r.type, lang)} {number(r.per_week, 1, lang)}" for r in reqs[:3]
        ),
    })  # fmt: skip


def split_text(how: str, n: int, period: Period, window: Period, who: str = "") -> Text:
    """How a target was split over `n` reps: by their own targets ("targets"), by revenue won
    in the window ("revenue"), evenly ("evenly"), or not at all, for want of reps ("nobody")."""
    return both(f"plan.split.{how}", lambda lang: {
        "n": n, "period": period_text(period, lang), "window": period_text(window, lang),
        "who": who, "day": day_text(period.start, lang),
    })  # fmt: skip


def borrowed_text(who: str, whose: str, is_org: bool, window: Period, what: str) -> Text:
    """A scope that lacked what a rate needs (`what`: avg, win or opps) in the window, and the
    wider scope (`whose`; the organisation when `is_org`) whose rate it takes."""
    lack = "plan.lack.opps" if what == "opps" else "plan.lack.won"

    def values(lang: Lang) -> dict[str, Any]:
        name = t("plan.organisation", lang) if is_org and lang is Lang.NL else whose
        return {"who": who, "lack": t(lack, lang), "window": period_text(window, lang),
                "rate": t(f"plan.rate.{what}", lang), "whose": name}  # fmt: skip

    return both("plan.borrowed", values)


def whom(team: str | None, lang: Lang) -> str:
    """Whose win rate a scope's is shrunk toward: a team, or all reps."""
    return t("plan.whom.team", lang, team=team) if team else t("plan.whom.everyone", lang)


def no_closed_text(who: str, window: Period, team: str | None) -> Text:
    """A scope that closed no deal in the window takes the win rate it is shrunk toward."""
    return both("plan.no_closed", lambda lang: {
        "who": who, "window": period_text(window, lang), "whom": whom(team, lang),
    })  # fmt: skip


def paths_text(name: str, own: ConversionPath, team: ConversionPath, team_id: str) -> Text:
    """Two paths to the target: at the scope's own conversion and at its team's."""
    return both("plan.paths", lambda lang: {
        "name": name, "team": team_id,
        "own_win": percent(own.win_rate, 1, lang),
        "own_opa": number(100 * own.opportunities_per_activity, 1, lang),
        "own_week": number(own.per_week, 0, lang),
        "team_win": percent(team.win_rate, 1, lang),
        "team_opa": number(100 * team.opportunities_per_activity, 1, lang),
        "team_week": number(team.per_week, 0, lang),
    })  # fmt: skip


def chance_text(
    n: int, at_plan: float, even: Level, high: Level, max_scale: float
) -> Text:  # fmt: skip
    """The chance the plan's activity reaches the target in `n` simulated periods, and the
    activity an even and an 80% chance take (or that 80% is out of reach)."""

    def values(lang: Lang) -> dict[str, Any]:
        nl = lang is Lang.NL
        if even.scale is not None and high.scale is not None:
            levels = t("plan.chance.levels", lang,
                       even=number(even.scale, 2, lang) if nl else f"{even.scale:.2f}",
                       high=number(high.scale, 2, lang) if nl else f"{high.scale:.2f}",
                       even_week=number(even.activities_per_week, 0, lang),
                       high_week=number(high.activities_per_week, 0, lang))  # fmt: skip
        else:
            scale = number(max_scale, 0, lang) if nl else f"{max_scale:.0f}"
            levels = t("plan.chance.out_of_reach", lang, scale=scale)
        return {"n": number(n, 0, lang) if nl else f"{n:,}", "p": percent(at_plan, 0, lang),
                "levels": levels}  # fmt: skip

    return both("plan.chance.simulated", values)


def shrunk_method(team: str | None, mean: float, strength: float) -> str:
    """How a win rate was estimated, in English (the rate's `method`, the same in both
    languages as it always was)."""
    return t("plan.method.shrunk", Lang.EN, whom=whom(team, Lang.EN), mean=f"{mean:.3f}",
             strength=f"{strength:.0f}")  # fmt: skip
