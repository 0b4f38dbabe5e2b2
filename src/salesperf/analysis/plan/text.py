"""The plan in words: what a target takes, said in English and Dutch."""

from __future__ import annotations

from typing import TYPE_CHECKING

from salesperf.analysis.windows import money, number, percent, period_text
from salesperf.metrics.periods import Period
from salesperf.text import Lang, Text

if TYPE_CHECKING:
    from salesperf.analysis.plan.core import Requirement
    from salesperf.analysis.plan.rates import Rates


def explain_plan(
    cur: str, name: str, target: float, period: Period, rates: Rates, deals: float, opps: float,
    reqs: tuple[Requirement, ...], pace_weeks: int,
) -> Text:  # fmt: skip
    """The plan in words, in English and Dutch: the deals and opportunities the target takes
    with the scope's rates, the activity per week and working day, and the recent pace."""
    size, win, w = rates.avg_deal_size.value, rates.win_rate.value, period_text(rates.window)
    p_nl, w_nl = period_text(period, Lang.NL), period_text(rates.window, Lang.NL)
    need = sum(r.per_week for r in reqs)
    day = sum(r.per_day for r in reqs)
    pace = sum(r.pace_per_week for r in reqs)
    top_en = ", ".join(f"{r.type} {number(r.per_week, 1)}" for r in reqs[:3])
    top_nl = ", ".join(f"{r.type} {number(r.per_week, 1, 'nl')}" for r in reqs[:3])
    en = (
        f"To win {money(target, cur)} in {period_text(period)}, {name} needs {number(deals, 1)} deals "
        f"(average deal {money(size, cur)}) from {number(opps, 1)} opportunities (win rate "
        f"{percent(win, 1)}), with the rates of {w}. In the activity mix of {w} that is "
        f"{number(need, 1)} activities a week ({number(day, 1)} per working day, Monday to "
        f"Friday), most of all {top_en}; the last {pace_weeks} full weeks ran at "
        f"{number(pace, 1)} a week."
    )
    nl = (
        f"Om {money(target, cur, 'nl')} binnen te halen in {p_nl} heeft {name} "
        f"{number(deals, 1, 'nl')} deals nodig (gemiddelde deal {money(size, cur, 'nl')}) uit "
        f"{number(opps, 1, 'nl')} kansen (winratio {percent(win, 1, 'nl')}), met de ratio's van "
        f"{w_nl}. In de activiteitenmix van {w_nl} is dat {number(need, 1, 'nl')} activiteiten per "
        f"week ({number(day, 1, 'nl')} per werkdag, maandag tot en met vrijdag), vooral "
        f"{top_nl}; de laatste {pace_weeks} volle weken lag het tempo op "
        f"{number(pace, 1, 'nl')} per week."
    )
    return Text(en, nl)
