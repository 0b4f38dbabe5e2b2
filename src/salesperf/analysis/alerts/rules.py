"""The alert rules a user can switch on, each with its parameter N: what N means, its default and
the values it may take. A rule's setting is checked here, once, whichever interface gives it (the
page's form, the JSON API, a Python caller)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from salesperf.analysis.alerts import text
from salesperf.errors import InputError


class Rule(StrEnum):
    """An alert rule."""

    UNDER_ACTIVITY_GOAL = "under_activity_goal"  # a rep under their activity goal N working days
    IDLE_DEAL = "idle_deal"  # an open deal with no activity for N days
    TEAM_UNDER_TARGET = "team_under_target"  # a team under target in N of the last 4 quarters
    NEWLY_BUSY = "newly_busy"  # a rep newly busy but not effective (windows of N quarters)


@dataclass(frozen=True)
class RuleSpec:
    """A rule's parameter: its default and the smallest and largest value it may take."""

    rule: Rule
    default: int
    low: int
    high: int


#: Every rule's parameter. Defaults: a working week under the goal; two weeks without a touch;
#: 3 of the last 4 quarters (as team health flags a team); one quarter against the one before.
SPECS: dict[Rule, RuleSpec] = {
    Rule.UNDER_ACTIVITY_GOAL: RuleSpec(Rule.UNDER_ACTIVITY_GOAL, 5, 1, 60),
    Rule.IDLE_DEAL: RuleSpec(Rule.IDLE_DEAL, 14, 1, 365),
    Rule.TEAM_UNDER_TARGET: RuleSpec(Rule.TEAM_UNDER_TARGET, 3, 1, 4),
    Rule.NEWLY_BUSY: RuleSpec(Rule.NEWLY_BUSY, 1, 1, 4),
}
#: The longest text of a parameter read at all (a longer one is refused as it is).
PARAMETER_CHARS = 20


@dataclass(frozen=True)
class RuleSetting:
    """One rule of one user: switched on or not, and its parameter (checked on creation)."""

    rule: Rule
    enabled: bool = False
    parameter: int | None = None  # None: the rule's default

    def __post_init__(self) -> None:
        object.__setattr__(self, "rule", Rule(self.rule))
        spec = SPECS[self.rule]
        n = spec.default if self.parameter is None else self.parameter
        if isinstance(n, bool) or not isinstance(n, int) or not spec.low <= n <= spec.high:
            raise InputError(text=text.bad_parameter(self.rule, str(n), spec.low, spec.high))
        object.__setattr__(self, "parameter", n)

    @property
    def n(self) -> int:
        """The parameter (the default filled in)."""
        assert self.parameter is not None  # filled in on creation
        return self.parameter


def default_settings() -> tuple[RuleSetting, ...]:
    """Every rule, switched off, with its default parameter."""
    return tuple(RuleSetting(rule) for rule in Rule)


def read_parameter(rule: Rule | str, value: str | int | None) -> int:
    """The parameter a form or a request gives (text or a number; blank: the default), or an
    InputError saying, in English and Dutch, what values the rule takes."""
    rule = Rule(rule)
    spec = SPECS[rule]
    if value is None or (isinstance(value, str) and not value.strip()):
        return spec.default
    said = str(value).strip()
    if isinstance(value, bool):
        said = str(value).lower()
    if isinstance(value, bool) or len(said) > PARAMETER_CHARS:
        raise InputError(text=text.bad_parameter(rule, said[:PARAMETER_CHARS], spec.low, spec.high))
    if not re.fullmatch(r"[+-]?[0-9]+", said):  # a whole number, in plain digits
        raise InputError(text=text.bad_parameter(rule, said, spec.low, spec.high))
    n = int(said)
    if not spec.low <= n <= spec.high:
        raise InputError(text=text.bad_parameter(rule, said, spec.low, spec.high))
    return n


def read_rule(value: str) -> Rule:
    """The rule a name gives, or an InputError naming the rules."""
    try:
        return Rule(value.strip())
    except ValueError:
        raise InputError(text=text.unknown_rule(value[:50], [r.value for r in Rule])) from None
