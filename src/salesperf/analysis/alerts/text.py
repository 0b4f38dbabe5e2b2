"""Alerts in words, English and Dutch: the rules return the numbers, and this module says them
with the catalogue's `alerts.` strings and the one formatter."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from salesperf.analysis.windows import day_text, number, period_text
from salesperf.i18n.messages import both, t
from salesperf.metrics.periods import Period
from salesperf.text import Lang, Text


def rule_name(rule: str, lang: Lang | str) -> str:
    """A rule's name, as the page lists it."""
    return t(f"alerts.rule.{rule}", lang)


def bad_parameter(rule: str, value: str, low: int, high: int) -> Text:
    """A rule's parameter that is not a whole number in its range."""
    return both("alerts.bad_parameter", lambda lang: {
        "rule": rule_name(rule, lang), "value": value, "low": number(low, 0, lang),
        "high": number(high, 0, lang),
    })  # fmt: skip


def unknown_rule(value: str, rules: Sequence[str]) -> Text:
    """A rule name that names no rule."""
    return both("alerts.unknown_rule", lambda lang: {"value": value, "rules": ", ".join(rules)})


def under_goal(name: str, days: int, since: date, actual: float, goal: float) -> Text:
    """A rep under their activity goal `days` working days in a row."""
    return both("alerts.text.under_activity_goal", lambda lang: {
        "name": name, "days": number(days, 0, lang), "since": day_text(since, lang),
        "actual": number(actual, 0, lang), "goal": number(goal, 0, lang),
    })  # fmt: skip


def idle_deal(deal: str, owner: str, days: int, last: date | None, created: date) -> Text:
    """An open deal with no activity for `days` days (since `last`, or since it was created)."""
    key = "alerts.text.idle_deal" if last is not None else "alerts.text.idle_deal.never"
    return both(key, lambda lang: {
        "deal": deal, "owner": owner, "days": number(days, 0, lang),
        "last": day_text(last or created, lang),
    })  # fmt: skip


def team_under_target(name: str, flag: Text) -> Text:
    """A team under target in enough of the last periods (the flag says which, as team health
    words it)."""
    return both(
        "alerts.text.team_under_target", lambda lang: {"name": name, "flag": flag.get(lang)}
    )


def newly_busy(
    name: str, window: Period, before: Period, label_before: Text | None,
    activity: float | None, performance: float | None,
) -> Text:  # fmt: skip
    """A rep labelled busy but not effective in `window` and not in the window `before`."""
    key = "alerts.text.newly_busy" if label_before is not None else "alerts.text.newly_busy.new"
    return both(key, lambda lang: {
        "name": name, "window": period_text(window, lang), "before": period_text(before, lang),
        "label": label_before.get(lang).lower() if label_before is not None else "",
        "activity": number(activity, 2, lang), "performance": number(performance, 2, lang),
    })  # fmt: skip
