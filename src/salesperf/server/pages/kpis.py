"""The KPI cards' comparisons and data-quality markers.

Each figure of a one-period scorecard is set against the period before and the same period a
year earlier (`salesperf.metrics.relative`): the scorecard of each of those periods is computed
once, for every metric at once, by the scorecard code itself, and each figure's change is its
value less the other's (points for ratios, as fractions), null when either is undefined, never
0. Whether a change is better follows the metric's direction in the registry.

Each figure resting on flagged data (`salesperf.analysis.quality`: the flags of the reps
behind the row, that touch the metric) carries the findings, in words in both languages.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from salesperf.analysis.quality import Finding, Flag, Quality, QualityQuery, quality
from salesperf.auth.access import scoped_table
from salesperf.i18n import format as fmt
from salesperf.i18n.messages import t
from salesperf.metrics.periods import FIRST_YEAR, Period
from salesperf.metrics.query import By
from salesperf.metrics.registry import metric
from salesperf.metrics.relative import previous_period, year_before
from salesperf.scorecard import Scorecard
from salesperf.server.deps import View
from salesperf.text import Lang, Text

#: What each figure is set against, in the order the cards show them.
AGAINST = (("previous", previous_period), ("last_year", year_before))
#: The flags whose `total` is the fewest cases a rate needs, not a number of rows.
_FEW = (Flag.FEW_CALLS, Flag.FEW_CLOSED)


@dataclass(frozen=True)
class Against:
    """A scorecard of the same rows and metrics for a period to compare with."""

    kind: str  # previous, last_year
    period: Period
    card: Scorecard | None  # None: no such period (before the years a query may cover)


@dataclass(frozen=True)
class Compared(Scorecard):
    """A scorecard whose figures are set against other periods, with the data-quality findings
    behind each row (by row key)."""

    against: tuple[Against, ...] = ()
    findings: Mapping[str, tuple[Finding, ...]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The scorecard's JSON; each metric with its direction, each figure with `compare`
        (value, change, better: per period compared with) and `quality` (the findings that
        touch it), and `compare` at the top: the periods compared with."""
        out = super().to_json()
        out["compare"] = {a.kind: _period_json(a.period) for a in self.against}
        for m in out["metrics"]:
            m["higher_is_better"] = metric(m["name"]).higher_is_better
        others = {
            a.kind: {(r.key, r.split): r for r in a.card.rows} if a.card else {}
            for a in self.against
        }
        for row, shown in zip(self.rows, out["rows"], strict=True):
            mine = self.findings.get(row.key, ())
            for name, cell in shown["values"].items():
                cell["compare"] = {
                    kind: comparison(name, cell["value"], _value(rows, row.key, row.split, name))
                    for kind, rows in others.items()
                }
                touching = [f for f in mine if name in f.affects]
                cell["quality"] = marks(touching, self.by)
        return out


def _value(rows: Mapping[tuple[str, str | None], Any], key: str, split: str | None, m: str) -> Any:
    row = rows.get((key, split))
    if row is None or m not in row.cells:
        return None
    return row.cells[m].value


def comparison(name: str, value: float | None, other: float | None) -> dict[str, Any]:
    """A figure against another period's: that value, the change (null when either is null),
    and whether the change is better (null when there is none, or no change)."""
    change = None if value is None or other is None else value - other
    better = None
    if change:
        better = (change > 0) == metric(name).higher_is_better
    return {"value": other, "change": change, "better": better}


def marks(found: list[Finding], by: By) -> list[dict[str, Any]]:
    """The findings behind one figure, one entry per flag (summed over the row's reps), with
    what they say in both languages."""
    out = []
    for flag in dict.fromkeys(f.flag for f in found):
        same = [f for f in found if f.flag is flag]
        count, total = sum(f.count for f in same), sum(f.total for f in same)
        if flag in _FEW:  # the fewest cases the rate needs, the same for every rep
            total = same[0].total
        text = Text(*(_said(same, by, lang) for lang in (Lang.EN, Lang.NL)))
        out.append({"flag": flag.value, "count": count, "total": total, "reps": len(same),
                    "text": text.to_json()})  # fmt: skip
    return out


def _said(same: list[Finding], by: By, lang: Lang) -> str:
    """One flag's findings in words: what is missing, how many of how many (and of how many
    reps, for a team or the organisation)."""
    flag = same[0].flag
    count, total, reps = sum(f.count for f in same), sum(f.total for f in same), len(same)
    if flag in _FEW and by is By.REP:  # the cases a rate rests on, and the fewest it needs
        how = t("periods.dq.few", lang, count=fmt.number(count, lang),
                least=fmt.number(same[0].total, lang))  # fmt: skip
    elif flag in _FEW:
        how = t("periods.dq.reps", lang, reps=fmt.number(reps, lang))
    else:
        how = t("periods.dq.count", lang, count=fmt.number(count, lang),
                total=fmt.number(total, lang))  # fmt: skip
        if by is not By.REP:
            how += " · " + t("periods.dq.reps", lang, reps=fmt.number(reps, lang))
    return f"{t(f'quality.{flag.value}', lang)}: {how}"


def compared(view: View, base: Scorecard, compute: Callable[[Period], Scorecard]) -> Compared:
    """`base` set against the period before and the same period a year earlier (`compute`
    gives the scorecard of the same query for another period), with the data-quality findings
    of the reps behind each row."""
    against = []
    for kind, move in AGAINST:
        p = move(base.period)
        ok = p.start >= date(FIRST_YEAR, 1, 1)
        against.append(Against(kind, p, compute(p) if ok else None))
    found = view.cache.get(
        ("kpi_quality", base.period, view.scope, view.today),
        lambda: quality(view.store, QualityQuery(base.period, as_of=view.today,
                                                 reps=view.scope.reps)),
    )  # fmt: skip
    return Compared(
        base.by, base.grain, base.period, base.metrics, base.rows, base.split, base.context,
        base.currency, tuple(against), _by_row(view, base, found),
    )  # fmt: skip


def _by_row(view: View, card: Scorecard, found: Quality) -> dict[str, tuple[Finding, ...]]:
    """The findings behind each row: a rep's own, a team's reps' (its sub-teams' too), all."""
    if card.by is By.REP:
        return {r.key: tuple(f for f in found.findings if f.rep_id == r.key) for r in card.rows}
    if card.by is By.ORG:
        return {r.key: found.findings for r in card.rows}
    parent, team_of = view.cache.get(("kpi_tree", view.scope), lambda: _tree(view))
    out = {}
    for r in card.rows:
        out[r.key] = tuple(
            f for f in found.findings if _under(team_of.get(f.rep_id), r.key, parent)
        )
    return out


def _tree(view: View) -> tuple[dict[str, str | None], dict[str, str | None]]:
    teams = scoped_table(view.store, view.scope, "teams").select("team_id", "parent_team_id")
    reps = scoped_table(view.store, view.scope, "reps").select("rep_id", "team_id")
    parent = {r["team_id"]: r["parent_team_id"] for r in teams.to_pyarrow().to_pylist()}
    team_of = {r["rep_id"]: r["team_id"] for r in reps.to_pyarrow().to_pylist()}
    return parent, team_of


def _under(team: str | None, top: str, parent: Mapping[str, str | None]) -> bool:
    seen: set[str] = set()
    while team is not None and team not in seen:
        if team == top:
            return True
        seen.add(team)
        team = parent.get(team)
    return False


def _period_json(p: Period) -> dict[str, str]:
    return {"label": p.label, "start": p.start.isoformat(),
            "end": (p.end - timedelta(days=1)).isoformat()}  # fmt: skip
