"""One data function per page: plain, JSON-ready data that the page and its JSON twin both show.

Each function takes the request's `View` (store, viewer, scope, language, reference day) and
the page's own parameters, applies the viewer's scope through `salesperf.auth.access`, and gets every
number from the scorecard or the metric layer; none computes a figure itself.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from salesperf.analysis.windows import resolve_window
from salesperf.auth.access import (
    NotFound,
    require_admin,
    scoped_table,
)
from salesperf.contexts import get_context
from salesperf.errors import InputError
from salesperf.i18n.messages import both, t
from salesperf.ingest.mapping import DATE_FORMATS
from salesperf.ingest.resolve import PRESETS
from salesperf.metrics.periods import Grain, Period, period_start, shift
from salesperf.metrics.query import By, Split
from salesperf.metrics.registry import QUOTA_METRIC
from salesperf.schema import TABLES, ActivityOutcome
from salesperf.scorecard import Scorecard, scorecard, scorecards
from salesperf.server.deps import View
from salesperf.server.pages import board
from salesperf.server.pages.alerts import viewer_alerts
from salesperf.server.pages.kpis import Compared, compared
from salesperf.server.pages.periods import BadPeriod

#: What the trend charts show, month by month: input next to output.
TREND_METRICS = ("activities", "revenue_won")
TREND_MONTHS = 12


def resolve_period(view: View, period: str | None) -> Period:
    """The period asked for, by default the last full quarter before the view's reference day:
    as labels (2026-Q3, 2026-07, 2026-W40, 2026-07-01..2026-09-30), as the pages write it in
    either language (K3 2026, juli 2026, 01-07-2026 – 30-09-2026), as a window (last-quarter)
    or in words counted from the reference day (this quarter, year to date, vorige maand).
    A period that cannot be read is a `BadPeriod`, which a page shows next to its period box."""
    try:
        return resolve_window(period, view.today)
    except InputError as refused:
        raise BadPeriod(refused) from None


def trend_period(p: Period) -> Period:
    """The twelve months that end with the period's last month."""
    last = period_start(p.end - timedelta(days=1), Grain.MONTH)
    end = shift(last, Grain.MONTH, 1)
    start = shift(last, Grain.MONTH, -(TREND_MONTHS - 1))
    return Period(start, end, f"{start.isoformat()}..{(end - timedelta(days=1)).isoformat()}")


def parse_filters(texts: list[str] | tuple[str, ...]) -> tuple[tuple[Split, str], ...]:
    """`kind=new_business` filters as the scorecard takes them, or an InputError."""
    out = []
    for f in texts:
        dim, sep, value = f.partition("=")
        if not sep or dim not in Split.__members__.values() or not value:
            raise InputError(
                f"filter {f!r} is not DIMENSION=VALUE with a dimension of: "
                + ", ".join(d.value for d in Split)
            )
        out.append((Split(dim), value))
    return tuple(out)


def card(view: View, **options: Any) -> Scorecard:
    """`salesperf.scorecard.scorecard` on the view's store, remembered until a write to what it
    read."""
    key = ("scorecard", *sorted(options.items()))
    return view.cache.get(key, lambda: scorecard(view.store, **options))


def scorecard_card(
    view: View,
    by: str = "rep",
    grain: str = "all",
    period: str | None = None,
    metrics: str | None = None,
    split: str | None = None,
    filters: tuple[str, ...] = (),
    currency: str | None = None,
) -> Scorecard:
    """The scorecard with the command line's options, inside the viewer's scope; for one
    period (grain all, no split), each figure set against the period before and the same
    period last year, with the data-quality findings that touch it (`kpis.Compared`)."""
    names = tuple(m.strip() for m in metrics.split(",") if m.strip()) if metrics else None
    options: dict[str, Any] = dict(
        by=By(by),
        grain=Grain(grain),
        period=resolve_period(view, period),
        metrics=names,
        split=Split(split) if split else None,
        filters=parse_filters(filters),
        currency=currency,
        **view.scope.scorecard_args(by),
    )
    if options["grain"] is Grain.ALL and options["split"] is None:
        return kpi_card(view, **options)
    return card(view, **options)


def kpi_card(view: View, **options: Any) -> Compared:
    """`card` for one period, each figure set against the period before and the same period
    last year (the same query for each, all metrics at once), with the data-quality findings
    behind each row (`salesperf.server.pages.kpis`)."""
    return compared(view, card(view, **options), lambda p: card(view, **(options | {"period": p})))


def _period_json(p: Period) -> dict[str, str]:
    return {
        "label": p.label,
        "start": p.start.isoformat(),
        "end": (p.end - timedelta(days=1)).isoformat(),
    }


def _teams(view: View) -> list[dict[str, Any]]:
    """The teams the viewer may see, in tree order, with their parent (when visible)."""
    return [dict(t) for t in view.cache.get(("teams", view.scope), lambda: _read_teams(view))]


def _read_teams(view: View) -> list[dict[str, Any]]:
    t = scoped_table(view.store, view.scope, "teams").select("team_id", "name", "parent_team_id")
    rows = t.to_pyarrow().to_pylist()
    ids = {r["team_id"] for r in rows}
    return [
        {
            "team_id": r["team_id"],
            "name": r["name"] or r["team_id"],
            "parent_team_id": r["parent_team_id"] if r["parent_team_id"] in ids else None,
        }
        for r in sorted(rows, key=lambda r: r["team_id"])
    ]


def _rep_names(view: View) -> list[dict[str, Any]]:
    t = scoped_table(view.store, view.scope, "reps")
    t = t.select("rep_id", "name", "team_id", "end_date").order_by("name")
    return [
        {
            "rep_id": r["rep_id"],
            "name": r["name"] or r["rep_id"],
            "team_id": r["team_id"],
            "active": r["end_date"] is None or r["end_date"] >= view.today,
        }
        for r in t.to_pyarrow().to_pylist()
    ]


# -- pages ----------------------------------------------------------------------------------
def overview(view: View, period: str | None = None) -> dict[str, Any]:
    """The start page: headline figures for the viewer's whole view (the organisation, their
    teams, or themself) against target and the previous period; the quota progress (revenue won
    so far against the target, the pace and the forecast's projection, `progress`); the
    leaderboard of the reps in view on the period's scorecard (`leaderboard`: ranked on the
    quota's metric, revenue won, each with their quadrant label and weekly activity); the last full
    week's biggest movers against the week before (`movers`); and activity and performance
    month by month over the last year; and the viewer's alerts (`alerts`: their switched-on
    rules, `/alerts`)."""
    p = resolve_period(view, period)
    by, args = view.scope.home()
    ctx = get_context(view.store.settings.context)
    metrics = tuple(
        dict.fromkeys(
            ("activities", "activities_per_day", *ctx.headline, "win_rate", "quota_attainment")
        )
    )
    kpis = kpi_card(view, by=by, period=p, metrics=metrics, **args)
    trend = card(
        view, by=by, grain=Grain.MONTH, period=trend_period(p), metrics=TREND_METRICS,
        **args,
    )  # fmt: skip
    reps = view.scope.scorecard_args(By.REP)
    ranked = card(view, by=By.REP, period=p, **reps).to_json()
    weekly = card(
        view, by=By.REP, grain=Grain.WEEK, period=p, metrics=(board.SPARK_METRIC,), **reps
    )
    week = resolve_window("last-week", view.today)
    moved = card(view, by=By.REP, period=week, metrics=board.MOVER_METRICS, **reps)
    return {
        "period": _period_json(p),
        "by": by.value,
        "scope": view.scope.kind.value,
        "kpis": kpis.to_json(),
        "progress": board.quota_progress(view, p),
        "leaderboard": board.leaderboard(
            ranked, weekly.to_json(), board.quadrant_labels(view), QUOTA_METRIC
        ),
        "movers": board.movers(moved.to_json()),
        "alerts": viewer_alerts(view).to_json(),
        "trend": trend.to_json(),
        "teams": _teams(view) if by is not By.REP else [],
    }


def tree(teams: list[dict[str, Any]], root: str | None = None) -> list[dict[str, Any]]:
    """The teams in tree order (each after its parent, siblings by id) with their depth: 0 at
    the top of the viewer's view, or for `root` and its subtree only, 0 at `root`."""
    children: dict[str | None, list[dict[str, Any]]] = {}
    for tm in teams:
        children.setdefault(tm["parent_team_id"], []).append(tm)
    out: list[dict[str, Any]] = []
    if root is not None:
        out.append({**next(tm for tm in teams if tm["team_id"] == root), "depth": 0})

    def walk(parent: str | None, depth: int) -> None:
        for tm in children.get(parent, []):
            out.append({**tm, "depth": depth})
            walk(tm["team_id"], depth + 1)

    walk(root, 1 if root is not None else 0)
    return out


def teams_card_metrics(c: dict[str, Any]) -> list[str]:
    """The metric names of a scorecard's JSON form, in order."""
    return [m["name"] for m in c["metrics"]]


def teams(view: View, period: str | None = None) -> dict[str, Any]:
    """Every team the viewer may see, each with its whole subtree's figures, in tree order
    (`teams` gives each team's depth); for a viewer of the whole organisation, the
    organisation's own row first (key `org`), the figures the overview shows: a target set for
    the organisation is its own, not the top team's, unless it names that team."""
    p = resolve_period(view, period)
    teams_card = card(view, by=By.TEAM, period=p, **view.scope.scorecard_args(By.TEAM)).to_json()
    ordered = tree(_teams(view))
    place = {tm["team_id"]: i for i, tm in enumerate(ordered)}
    teams_card["rows"].sort(key=lambda r: place.get(r["key"], len(place)))
    if view.scope.everything:
        whole = card(view, by=By.ORG, period=p, metrics=tuple(teams_card_metrics(teams_card)))
        name = t("organisation", view.lang)  # the scorecard's own name is English
        teams_card["rows"][:0] = [
            {**r, "level": "org", "name": name} for r in whole.to_json()["rows"]
        ]
    return {"period": _period_json(p), "scorecard": teams_card, "teams": ordered}


def team(view: View, team_id: str, period: str | None = None) -> dict[str, Any]:
    """One team: its (and its sub-teams') figures, its reps' scorecard and its year by month."""
    scope = view.cache.get(
        ("within_team", view.scope, team_id),
        lambda: view.scope.within_team(view.store, team_id),
    )
    p = resolve_period(view, period)
    info = next(t for t in _teams(view) if t["team_id"] == team_id)
    scope.check_by(By.REP)
    team_args = scope.scorecard_args(By.TEAM)  # its reps are the rep level's too: one query
    both = view.cache.get(
        ("scorecards", team_id, p, *sorted(team_args.items())),
        lambda: scorecards(view.store, levels=(By.TEAM, By.REP), period=p, **team_args),
    )
    team_card, reps_card = both[By.TEAM].to_json(), both[By.REP]
    ordered = tree(_teams(view), team_id)
    place = {tm["team_id"]: i for i, tm in enumerate(ordered)}
    team_card["rows"].sort(key=lambda r: place.get(r["key"], len(place)))
    trend = card(
        view, by=By.TEAM, grain=Grain.MONTH, period=trend_period(p),
        metrics=TREND_METRICS, reps=scope.reps, teams=frozenset({team_id}),
    )  # fmt: skip
    return {
        "team": info,
        "period": _period_json(p),
        "teams": team_card,
        "tree": ordered,
        "reps": reps_card.to_json(),
        "trend": trend.to_json(),
    }


def rep(view: View, rep_id: str, period: str | None = None) -> dict[str, Any]:
    """One rep's scorecard: the period against target and the previous one, their activity by
    type, and their year by month."""
    scope = view.scope.within_rep(rep_id)
    info = dict(view.cache.get(("rep_info", rep_id), lambda: _rep_info(view, rep_id)))
    p = resolve_period(view, period)
    args = scope.scorecard_args(By.REP)
    rep_card = kpi_card(view, by=By.REP, period=p, **args)
    mix = card(view, by=By.REP, period=p, split=Split.TYPE, metrics=("activities",), **args)
    trend = card(
        view, by=By.REP, grain=Grain.MONTH, period=trend_period(p), metrics=TREND_METRICS,
        **args,
    )  # fmt: skip
    return {
        "rep": info,
        "period": _period_json(p),
        "scorecard": rep_card.to_json(),
        "mix": mix.to_json(),
        "trend": trend.to_json(),
    }


def _rep_info(view: View, rep_id: str) -> dict[str, Any]:
    reps = view.store.table("reps")
    found = reps.filter(reps.rep_id == rep_id).select("rep_id", "name", "team_id", "role")
    rows = found.to_pyarrow().to_pylist()
    if not rows:
        raise NotFound(text=both("refused.no_rep", lambda _: {"rep": rep_id}))
    info: dict[str, Any] = rows[0]
    teams = view.store.table("teams")
    names = teams.filter(teams.team_id == info["team_id"]).select("name").to_pyarrow().to_pylist()
    info["team_name"] = names[0]["name"] if names else None
    return info


def import_form(view: View) -> dict[str, Any]:
    """What the import page offers: the tables, the ready mappings and the date formats."""
    require_admin(view.user, "imports")
    return {
        "tables": list(TABLES),
        "presets": list(PRESETS),
        "date_formats": list(DATE_FORMATS),
    }


def log_form(view: View, saved: str | None = None) -> dict[str, Any]:
    """What the log-an-activity form offers: the reps the viewer may log for, the types and
    outcomes."""
    reps = [r for r in _rep_names(view) if r["active"]]
    own = view.user.rep_id if any(r["rep_id"] == view.user.rep_id for r in reps) else None
    return {
        "reps": reps,
        "default_rep": own or (reps[0]["rep_id"] if reps else None),
        "types": list(view.store.settings.activity_types),
        "outcomes": list(ActivityOutcome.words()),
        "saved": saved,
        "now": datetime.now(ZoneInfo(view.store.settings.timezone)).strftime("%Y-%m-%dT%H:%M"),
    }
