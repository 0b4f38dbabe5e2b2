"""`salesperf health`: teams and reps consistently under target, their trend, and whether their
current activity is enough for the current period's target."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich import box
from rich.table import Table

from salesperf.analysis.windows import percent
from salesperf.cli.common import (
    FormatOpt,
    LangOpt,
    OutputFormat,
    StoreOpt,
    TeamOpt,
    errors,
    headings,
    judged,
    open_store,
    out,
    print_json,
)
from salesperf.cli.plan import AsOfOpt, parse_day
from salesperf.i18n import format as fmt
from salesperf.metrics.periods import Grain
from salesperf.metrics.query import By
from salesperf.metrics.targets import BASIS
from salesperf.text import Lang

if TYPE_CHECKING:
    from salesperf.analysis.health import Health, HealthRow

_ARROW = {"improving": "↑", "declining": "↓", "steady": "→", "unknown": ""}


def health_cmd(
    team: TeamOpt = None,
    grain: Annotated[
        Grain, typer.Option("--grain", help="Judge per quarter or per month.")
    ] = Grain.QUARTER,
    periods: Annotated[int, typer.Option("--periods", help="How many periods to look back.")] = 4,
    min_missed: Annotated[
        int, typer.Option("--min-missed", help="Periods under target that make a flag.")
    ] = 3,
    last: Annotated[
        str | None,
        typer.Option(
            "--last",
            help="The last period to judge, e.g. 2026-Q3 (default: the last full one).",
            show_default=False,
        ),
    ] = None,
    as_of: AsOfOpt = None,
    lang: LangOpt = Lang.EN,
    format: FormatOpt = OutputFormat.TABLE,
    store: StoreOpt = None,
) -> None:
    """Teams and reps under target in most recent periods, with attainment per period, its
    trend, and whether the current pace of activity is enough for the current target."""
    with errors():
        today = parse_day(as_of)
        from salesperf.analysis.health import HealthQuery, health  # loads the statistics

        # the options are checked before the store opens
        HealthQuery(team=team, grain=grain, periods=periods, min_missed=min_missed, last=last,
                    today=today)  # fmt: skip
        with open_store(store) as s:
            query = HealthQuery(team=team, grain=grain, periods=periods, min_missed=min_missed,
                                last=last, today=judged(s, today, format is OutputFormat.TABLE, lang))  # fmt: skip
            result = health(s, query)
    if format is OutputFormat.JSON:
        print_json(result.to_json())
        return
    render_health(result, lang)


def render_health(result: Health, lang: Lang) -> None:
    """The health table (each team followed by its reps) and the flagged rows' reasons."""
    h = headings("health", lang)
    nl = lang.value
    out.print(f"[bold]{result.explanation.get(lang)}[/]", highlight=False)
    t = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    t.add_column(h["who"], no_wrap=True, overflow="ellipsis", max_width=22)
    for p in result.periods:  # Q3 2026 as Q3 over 2026: narrow columns
        t.add_column(fmt.period(p, lang).replace(" ", "\n", 1), justify="right", no_wrap=True)
    for col in ("missed", "flag", "trend", "pace"):
        t.add_column(h[col], justify="left" if col == "flag" else "right", no_wrap=True)
    for r in _ordered(result):
        cells = []
        for res in r.periods:
            text = percent(res.attainment, 0, nl) + ("*" if res.target_basis else "")
            cells.append(f"[red]{text}[/]" if res.missed else text)
        check = r.activity
        pace = "—" if check is None or check.enough is None else percent(check.coverage, 0, nl)
        if check is not None and check.enough is False:
            pace = f"[red]{pace}[/]"
        trend = (
            fmt.DASH
            if r.trend is None
            else f"{_ARROW[r.direction]} {fmt.signed(100 * r.trend, lang, 0)}"
        )
        name = f"{r.id} {r.name.removesuffix(f' ({r.id})')}"
        t.add_row(
            name if r.scope is By.TEAM else f"  {name}", *cells, f"{r.missed}/{len(r.periods)}",
            "[bold red]⚑[/]" if r.flagged else "", trend, pace,
        )  # fmt: skip
    out.print(t)
    out.print(h["legend"], highlight=False)
    codes = sorted({p.target_basis for r in result.rows for p in r.periods if p.target_basis})
    if codes:
        ways = "; ".join(getattr(BASIS[c], nl) for c in codes if c in BASIS)
        out.print(f"* {h['basis']}: {ways}.", highlight=False)
    flagged = result.flagged
    if flagged:
        out.print(f"\n[bold]{h['flagged']}[/]")
    for r in flagged:
        out.print(
            f"[bold]{r.name}[/]: {r.flag.get(lang)} {r.trend_text.get(lang)}", highlight=False
        )
        if r.activity is not None:
            out.print(f"  {r.activity.explanation.get(lang)}", highlight=False)


def _ordered(result: Health) -> list[HealthRow]:
    """Teams in order, each followed by the reps whose own team it is."""
    teams = [r for r in result.rows if r.scope is By.TEAM]
    reps = [r for r in result.rows if r.scope is By.REP]
    out: list[HealthRow] = []
    for team in teams:
        out += [team, *(r for r in reps if r.team_id == team.id)]
    return out + [r for r in reps if r not in out]
