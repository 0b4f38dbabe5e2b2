"""What an alert query asks and what it answers: plain frozen values, shared by every rule."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from salesperf.analysis.alerts.rules import Rule, RuleSetting
from salesperf.analysis.windows import plain
from salesperf.auth.access import Scope
from salesperf.text import Text


class Concerns(StrEnum):
    """What an alert is about."""

    REP = "rep"
    TEAM = "team"
    DEAL = "deal"


@dataclass(frozen=True)
class AlertQuery:
    """Whose alerts (a viewer's scope), judged as of which day (`salesperf.analysis.asof`: the
    days before it are judged), by which rules (only those switched on are run)."""

    scope: Scope
    day: date
    rules: tuple[RuleSetting, ...]

    @property
    def switched_on(self) -> tuple[RuleSetting, ...]:
        """The rules to run."""
        return tuple(r for r in self.rules if r.enabled)


@dataclass(frozen=True)
class Alert:
    """One alert: its rule, the rep, team or deal it concerns (with the rep and team it
    belongs to), the numbers behind it, the page with the figure behind it, and the sentence."""

    rule: Rule
    concerns: Concerns
    id: str
    name: str
    rep_id: str | None
    team_id: str | None
    figures: Mapping[str, Any]
    link: str
    text: Text

    def to_json(self) -> dict[str, Any]:
        """JSON-safe fields."""
        out: dict[str, Any] = plain(self)
        return out


@dataclass(frozen=True)
class Alerts:
    """The alerts of a query, most telling first within each rule, rules in their order."""

    day: date
    rules: tuple[RuleSetting, ...]
    alerts: tuple[Alert, ...] = field(default_factory=tuple)

    def of(self, rule: Rule | str) -> tuple[Alert, ...]:
        """The alerts of one rule."""
        return tuple(a for a in self.alerts if a.rule is Rule(rule))

    def to_json(self) -> dict[str, Any]:
        """JSON-safe fields: the day, every rule with its setting, and the alerts."""
        return {
            "day": self.day.isoformat(),
            "rules": [
                {"rule": r.rule.value, "enabled": r.enabled, "parameter": r.n} for r in self.rules
            ],
            "alerts": [a.to_json() for a in self.alerts],
        }
