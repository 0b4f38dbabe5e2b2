"""docs/metrics.md, generated from the registry (`make docs`; a test fails when it is stale)."""

from __future__ import annotations

from salesperf.metrics.registry import METRICS, Group, computable, null_cases
from salesperf.metrics.targets import ADDITIVE, BASIS

_TITLES = {
    Group.ACTIVITY: ("Activity (input)", "verkoopactiviteit"),
    Group.PERFORMANCE: ("Performance (output)", "verkoopprestaties"),
    Group.EFFECTIVENESS: ("Effectiveness (output per input)", "effectiviteit"),
}


def render() -> str:
    """The metrics reference as Markdown."""
    lines = [
        "# Metrics",
        "",
        "Generated from `src/salesperf/metrics/registry.py` by `make docs`; do not edit by hand.",
        "",
        "Ratios with a zero denominator are undefined: they are null in data and shown as "
        '"—", never as 0; so is a rate whose input is not recorded at all (no call with an '
        "outcome, no lead linked to a deal). Each metric lists when it is null; `salesperf "
        "metrics explain` and the API (`<metric>_null_reason` in `/api/query`, `null_reason` "
        "in the scorecard) give the reason with each empty value. A team's figure is computed "
        "from its members' rows (its whole "
        "subtree), never averaged from their ratios; membership is the current one (the store keeps "
        "no membership history yet). Periods are days, ISO weeks (Monday start), months, "
        "quarters or years in the organisation's time zone.",
        "",
    ]
    lines += _targets()
    scorecard = set(computable())
    for group, (title, nl) in _TITLES.items():
        lines += [f"## {title} — {nl}", "",
                  "| name | English | Nederlands | unit | better | type | where |",
                  "|---|---|---|---|---|---|---|"]  # fmt: skip
        for m in METRICS.values():
            if m.group is not group:
                continue
            where = "scorecard" if m.name in scorecard else "analyses"
            better = "higher" if m.higher_is_better else "lower"
            lines.append(
                f"| `{m.name}` | {m.label_en} | {m.label_nl} | {m.unit.value} | {better} | "
                f"{m.type.value} | {where} |"
            )
        lines.append("")
        for m in METRICS.values():
            if m.group is group:
                needs = ", ".join(f"`{n}`" for n in m.formula.needs) if m.formula else ""
                lines += [
                    f"### `{m.name}`",
                    "",
                    f"{m.description_en}",
                    "",
                    f"*{m.description_nl}*",
                    "",
                ]
                if needs:
                    lines += [f"Measures: {needs}.", ""]
                cases = null_cases(m.name)
                if cases:
                    lines += ["Null (—) when:", ""]
                    lines += [f"- `{c.code}`: {c.en} — *{c.nl}*" for c in cases]
                    lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _targets() -> list[str]:
    """How a scope and period gets its target (`salesperf.metrics.targets`)."""
    additive = ", ".join(f"`{n}`" for n in ADDITIVE)
    return [
        "## Targets at every grain",
        "",
        "Attainment (`quota_attainment`), the gap to target (`target_gap`) and every figure's "
        "target follow one rule, on every page, in the API and in every export. For a scope "
        "(rep, team, organisation) and a period, the target is:",
        "",
        "1. the target set for exactly that period;",
        f"2. else, for an additive metric ({additive}, and activities of one type such as "
        "`activities:demo`), the targets of the other periods that overlap it: one inside the "
        "period counts whole (months add up to quarters and years), one reaching beyond it "
        "counts with its share of working days, Monday to Friday (a month under a quarterly "
        "target, a week under a monthly one). Of targets nested in one another, the longest "
        "inside the period counts (a year takes its quarters, not also their months) and the "
        "shortest reaching beyond it (a week takes a share of its month's target, not of the "
        "quarter's). Ratio targets (`win_rate`, `csat`, ...) are never summed or spread: they "
        "hold for their own period only;",
        "3. for a team with neither: a target of the organisation whose scope id names the "
        "team (the team that is the whole organisation); else the sum of its members' "
        "targets, each sub-team's (its own, else its members') and each of its reps';",
        "4. for the organisation: its own target (scope `org`, whatever the scope id) by 1 or "
        "2; else the sum of the targets of the teams at the top of the tree (by 3) and of "
        "reps in no known team.",
        "",
        "A target that is not the period's own says how it came about: the scorecard's "
        "`target_basis` and the query's `<metric>_target_basis` carry one of these codes "
        "(null for a target set for exactly the period):",
        "",
        *(f"- `{b.code}`: {b.en} — *{b.nl}*" for b in BASIS.values()),
        "",
    ]


if __name__ == "__main__":
    import sys

    sys.stdout.write(render())
