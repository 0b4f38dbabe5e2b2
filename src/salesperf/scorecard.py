"""The scorecard: activity, performance and effectiveness side by side, per rep or team.

`scorecard()` returns plain data (a frozen `Scorecard`) that the terminal, the JSON output, the
spreadsheet export and later the dashboard all render; none of them computes a number itself.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pandas as pd

from salesperf.analysis.windows import period_label
from salesperf.contexts import Context, get_context
from salesperf.fx import display_currency
from salesperf.metrics.compiler import NULL_REASON, run, run_levels
from salesperf.metrics.periods import (
    Grain,
    Period,
    day_bound,
    parse_period,
    period_start,
    shift,
)
from salesperf.metrics.query import KEY_COLUMNS, By, Compare, Query, Split
from salesperf.metrics.registry import (
    QUOTA_METRIC,
    Group,
    Metric,
    MetricType,
    Unit,
    metric,
    reason_json,
)
from salesperf.metrics.targets import basis_json
from salesperf.store import Store
from salesperf.store.reads import windowed

#: The scorecard's metrics when none are named: a screenful, input to output.
DEFAULT_METRICS = (
    "activities",
    "activities_per_day",
    "call_connect_rate",
    "meetings_held_rate",
    "revenue_won",
    "deals_won",
    "win_rate",
    "avg_deal_size",
    "quota_attainment",
    "revenue_per_activity",
    "wins_per_100_activities",
)
JSON_VERSION = 1


def last_full_quarter(today: date) -> Period:
    """The last quarter that has fully ended before `today`."""
    start = shift(period_start(today, Grain.QUARTER), Grain.QUARTER, -1)
    return Period(start, shift(start, Grain.QUARTER, 1), period_label(start, Grain.QUARTER))


@dataclass(frozen=True)
class Cell:
    """One metric's figure for one row, with what it is set against."""

    value: float | int | None
    previous: float | int | None = None
    target: float | None = None
    attainment: float | None = None
    null_reason: str | None = None  # why `value` is null: a code of `registry.null_cases`
    target_basis: str | None = None  # a target not set for the period: `metrics.targets.BASIS`

    @property
    def change(self) -> float | int | None:
        """Value minus the previous period's (None when either is undefined)."""
        if self.value is None or self.previous is None:
            return None
        return self.value - self.previous


@dataclass(frozen=True)
class Row:
    """One rep, team or the organisation in one period."""

    key: str
    name: str
    period_start: date
    cells: dict[str, Cell]
    split: str | None = None


@dataclass(frozen=True)
class Scorecard:
    """A scorecard: the query behind it, its metrics by group, and its rows."""

    by: By
    grain: Grain
    period: Period
    metrics: tuple[str, ...]
    rows: tuple[Row, ...]
    split: Split | None = None
    context: Context = field(default_factory=lambda: get_context(None))
    currency: str = "EUR"  # the currency of the money figures

    @property
    def headline(self) -> tuple[str, ...]:
        """The context preset's headline metrics that this scorecard holds, in its order."""
        return tuple(m for m in self.context.headline if m in self.metrics)

    def label(self, name: str, lang: str = "en") -> str:
        """A metric's label in this scorecard's context and `lang`."""
        return self.context.label(name, lang)

    def group(self, group: Group) -> tuple[Metric, ...]:
        """The scorecard's metrics of one group (activity, performance, effectiveness)."""
        return tuple(metric(m) for m in self.metrics if metric(m).group is group)

    def to_frame(self) -> pd.DataFrame:
        """One flat table: key, name, period, then value/previous/target/attainment columns."""
        records = []
        for r in self.rows:
            rec: dict[str, Any] = {"key": r.key, "name": r.name}
            if self.split is not None:
                rec[self.split.value] = r.split
            rec["period_start"] = r.period_start
            for m, c in r.cells.items():
                rec[m] = c.value
                rec[f"{m}_previous"] = c.previous
                rec[f"{m}_change"] = c.change
                if c.target is not None:
                    rec[f"{m}_target"] = c.target
                    rec[f"{m}_attainment"] = c.attainment
                if c.target_basis is not None:
                    rec[f"{m}_target_basis"] = c.target_basis
            records.append(rec)
        df = pd.DataFrame.from_records(records)
        for m in self.metrics:  # counts stay whole numbers (nullable) in CSV and Excel
            for col in (m, f"{m}_previous", f"{m}_change"):
                if _whole(m) and col in df:
                    df[col] = df[col].astype("Int64")
        return df

    def to_json(self) -> dict[str, Any]:
        """The stable JSON form (see docs/cli.md, `scorecard --format json`)."""
        return {
            "version": JSON_VERSION,
            "by": self.by.value,
            "split": self.split.value if self.split else None,
            "context": self.context.name,
            "currency": self.currency,
            "headline": list(self.headline),
            "grain": self.grain.value,
            "period": {
                "label": self.period.label,
                "start": self.period.start.isoformat(),
                "end": (self.period.end - timedelta(days=1)).isoformat(),
            },
            "metrics": [
                {
                    "name": m,
                    "group": metric(m).group.value,
                    "unit": metric(m).unit.value,
                    "label_en": self.label(m, "en"),
                    "label_nl": self.label(m, "nl"),
                }
                for m in self.metrics
            ],
            "rows": [
                {
                    "key": r.key,
                    "name": r.name,
                    "split": r.split,
                    "period_start": r.period_start.isoformat(),
                    "values": {
                        m: {
                            "value": c.value,
                            "previous": c.previous,
                            "change": c.change,
                            "target": c.target,
                            "attainment": c.attainment,
                            "null_reason": reason_json(m, c.null_reason),
                            "target_basis": basis_json(c.target_basis),
                        }
                        for m, c in r.cells.items()
                    },
                }
                for r in self.rows
            ],
        }


def _num(v: Any, whole: bool = False) -> float | int | None:
    """A figure from a result frame: None when undefined; counts as whole numbers."""
    if v is None or v is pd.NA:
        return None
    f = float(v)
    if math.isnan(f):
        return None
    return round(f) if whole and f.is_integer() else f


def _reason(v: Any) -> str | None:
    return v if isinstance(v, str) else None


def _whole(m: str) -> bool:
    meta = metric(m)
    return meta.unit is Unit.COUNT and meta.type is MetricType.SIMPLE


def scorecard(
    store: Store,
    *,
    by: By | str = By.REP,
    grain: Grain | str = Grain.ALL,
    period: Period | str | None = None,
    metrics: tuple[str, ...] | None = None,
    today: date | None = None,
    reps: frozenset[str] | None = None,
    teams: frozenset[str] | None = None,
    split: Split | str | None = None,
    filters: tuple[tuple[Split | str, str], ...] = (),
    context: str | None = None,
    currency: str | None = None,
) -> Scorecard:
    """The scorecard for a period (default: the last full quarter), against the previous period
    and against target. `context` (default: the store's setting) names the preset whose headline
    KPIs lead and whose words label them; without `metrics`, the default metrics and the
    headline KPIs are shown. `currency` shows the money figures in another currency than the
    organisation's, converted at the rate of each deal's date."""
    return scorecards(
        store, levels=(By(by),), grain=grain, period=period, metrics=metrics, today=today,
        reps=reps, teams=teams, split=split, filters=filters, context=context, currency=currency,
    )[By(by)]  # fmt: skip


def scorecards(
    store: Store,
    *,
    levels: tuple[By | str, ...],
    grain: Grain | str = Grain.ALL,
    period: Period | str | None = None,
    metrics: tuple[str, ...] | None = None,
    today: date | None = None,
    reps: frozenset[str] | None = None,
    teams: frozenset[str] | None = None,
    split: Split | str | None = None,
    filters: tuple[tuple[Split | str, str], ...] = (),
    context: str | None = None,
    currency: str | None = None,
) -> dict[By, Scorecard]:
    """The scorecard of several levels at once (the organisation and its teams, the reps and
    their teams), computed together, which costs less than one `scorecard` per level; the
    options are `scorecard`'s."""
    ctx = get_context(context or store.settings.context)
    to = display_currency(store, currency)
    if metrics is None:
        metrics = DEFAULT_METRICS + tuple(m for m in ctx.headline if m not in DEFAULT_METRICS)
    bys, grain = tuple(dict.fromkeys(By(b) for b in levels)), Grain(grain)
    split = Split(split) if split is not None else None
    if isinstance(period, str):
        period = parse_period(period)
    period = period or last_full_quarter(today or date.today())
    if split is not None:  # targets are per rep, team or organisation, not per split
        metrics = tuple(m for m in metrics if m not in ("quota_attainment", "target_gap"))
    q = Query(
        metrics=tuple(metrics),
        start=period.start,
        end=period.end,
        grain=grain,
        by=bys[0] if bys else By.REP,
        compare=(Compare.PREVIOUS,) if split else (Compare.PREVIOUS, Compare.TARGET),
        split=split,
        filters=tuple((Split(d), v) for d, v in filters),
        reps=reps,
        teams=teams,
    )
    # every activity counted is in the period or the one before: a result later ones leave be
    with windowed(day_bound(period.end, store.settings.timezone)):
        frames = _frames(store, q, bys, None)
        if to is not None:
            shown = _frames(store, q, bys, to)
            frames = {by: _money_from(df, shown[by], q) for by, df in frames.items()}
        shown_in = to or store.settings.currency
        return {by: _card(store, by, q, df, period, ctx, shown_in) for by, df in frames.items()}


def _frames(store: Store, q: Query, bys: tuple[By, ...], to: str | None) -> dict[By, pd.DataFrame]:
    tz, org = store.settings.timezone, store.settings.currency
    if len(bys) == 1:
        return {bys[0]: run(store.con, q, tz, org, to, reasons=True)}
    return run_levels(store.con, q, bys, tz, org, to, reasons=True)


def _money_from(df: pd.DataFrame, shown: pd.DataFrame, q: Query) -> pd.DataFrame:
    """The money figures of `shown` (in a display currency) in the rows of `df` (in the
    organisation's). Ratios, counts and attainment stay those of `df`: a target is set in the
    organisation's currency, so a money metric's target amount is left out rather than set
    against figures in another currency."""
    split = (q.split.value,) if q.split else ()
    keys = [c for c in df.columns if c in (*KEY_COLUMNS.values(), *split, "period_start")]
    out = df.set_index(keys)
    other = shown.set_index(keys).reindex(out.index)
    for m in q.metrics:
        if metric(m).unit is not Unit.MONEY:
            continue
        for col in (m, f"{m}_prev"):
            if col in other.columns:
                out[col] = other[col]
        base = QUOTA_METRIC if m == "quota_attainment" else m
        if f"{base}_target" in out.columns:
            out[f"{base}_target"] = float("nan")
    return out.reset_index()


def _card(
    store: Store,
    by: By,
    q: Query,
    df: pd.DataFrame,
    period: Period,
    ctx: Context,
    currency: str,
) -> Scorecard:
    """One level's rows of a query's result as its scorecard."""
    key_column = KEY_COLUMNS[by]
    names = _names(store, by)
    split = q.split
    rows = []
    for rec in df.to_dict("records"):
        key = str(rec[key_column])
        cells = {}
        for m in q.metrics:
            base = QUOTA_METRIC if m == "quota_attainment" else m
            cells[m] = Cell(
                value=_num(rec.get(m), _whole(m)),
                previous=_num(rec.get(f"{m}_prev"), _whole(m)),
                target=_num(rec.get(f"{base}_target")) if m != "quota_attainment" else None,
                attainment=_num(rec.get(f"{base}_attainment")) if m != "quota_attainment" else None,
                null_reason=_reason(rec.get(f"{m}{NULL_REASON}")),
                target_basis=_reason(
                    rec.get(f"{QUOTA_METRIC if m == 'target_gap' else base}_target_basis")
                ),
            )
        part = rec.get(split.value) if split else None
        rows.append(
            Row(key, names.get(key, key), rec["period_start"], cells,
                None if part is None or part is pd.NA else str(part))
        )  # fmt: skip
    if by is By.TEAM:  # the tree's order: each team followed by its sub-teams
        order = _tree_order(store)
        rows.sort(key=lambda r: (order.get(r.key, len(order)), r.split or "", r.period_start))
    return Scorecard(by, q.grain, period, q.metrics, tuple(rows), split, ctx, currency)


def _tree_order(store: Store) -> dict[str, int]:
    teams = store.table("teams").select("team_id", "name", "parent_team_id").to_pandas()
    children: dict[Any, list[tuple[str, str]]] = {}
    ids = set(teams.team_id)
    for t, n, parent in zip(teams.team_id, teams.name, teams.parent_team_id, strict=True):
        key = parent if isinstance(parent, str) and parent in ids else None
        children.setdefault(key, []).append((str(n) if isinstance(n, str) else t, t))
    order: dict[str, int] = {}
    stack = sorted(children.get(None, []), reverse=True)
    while stack:
        _, t = stack.pop()
        if t in order:
            continue
        order[t] = len(order)
        stack.extend(sorted(children.get(t, []), reverse=True))
    return order


def _names(store: Store, by: By) -> dict[str, str]:
    if by is By.ORG:
        return {"org": "Organisation"}
    table, key = ("reps", "rep_id") if by is By.REP else ("teams", "team_id")
    df = store.table(table).select(key, "name").to_pandas()
    return {k: (n if isinstance(n, str) else k) for k, n in zip(df[key], df["name"], strict=True)}
