"""docs/metrics.md, generated from the registry (`make docs`; a test fails when it is stale)."""

from __future__ import annotations

from salesperf.metrics.registry import FORMULAS, METRICS, Group, computable, null_cases

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
                needs = (
                    ", ".join(f"`{n}`" for n in FORMULAS[m.name].needs)
                    if m.name in FORMULAS
                    else ""
                )
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


if __name__ == "__main__":
    import sys

    sys.stdout.write(render())
