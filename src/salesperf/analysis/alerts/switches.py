"""Each user's alert rules, kept in the store (`salesperf_alert_rules`): which are switched on and
with what parameter. A rule the user never set is off, with its default parameter."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from salesperf.analysis.alerts.rules import SPECS, Rule, RuleSetting, default_settings
from salesperf.auth.users import utcnow
from salesperf.store import Store
from salesperf.store.system_tables import ALERT_RULES


def rule_settings(store: Store, username: str) -> tuple[RuleSetting, ...]:
    """Every rule of the user, in the rules' order: as saved, else off with its default (a
    rule saved by a later version of salesperf, unknown here, is left out)."""
    rows = store.select_rows(
        ALERT_RULES, ["rule", "enabled", "parameter"], {"username": username.lower()}
    )
    saved = {str(r): (bool(on), int(n)) for r, on, n in rows if r in Rule.__members__.values()}
    out = []
    for setting in default_settings():
        if setting.rule.value in saved:
            on, n = saved[setting.rule.value]
            spec = SPECS[setting.rule]
            # a value saved under a wider range than the rule now takes: the default instead
            setting = RuleSetting(setting.rule, on, n if spec.low <= n <= spec.high else None)
        out.append(setting)
    return tuple(out)


def save_rule_settings(
    store: Store, username: str, settings: Iterable[RuleSetting], *, now: datetime | None = None
) -> tuple[RuleSetting, ...]:
    """Keep the user's settings of the rules given (others stay as they were), all at once;
    returns every rule of the user as now saved."""
    user = username.lower()
    when = now or utcnow()
    with store.transaction():
        for s in settings:
            store.delete_rows(ALERT_RULES, {"username": user, "rule": s.rule.value})
            store.insert_row(
                ALERT_RULES,
                {"username": user, "rule": s.rule.value, "enabled": s.enabled,
                 "parameter": s.n, "updated_at": when},
            )  # fmt: skip
    return rule_settings(store, user)
