"""`salesperf forecast`: where revenue won (and its target attainment) will land at a period's
end: closed so far, the open pipeline and new deals, with P10/P50/P90 and the chance of
reaching the target."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from salesperf.analysis.asof import parse_as_of
from salesperf.analysis.windows import money, number, percent
from salesperf.cli.common import (
    FormatOpt,
    LangOpt,
    OutputFormat,
    RepOpt,
    StoreOpt,
    TeamOpt,
    UserError,
    errors,
    headings,
    judged,
    open_store,
    out,
    print_json,
)
from salesperf.i18n import format as fmt
from salesperf.i18n.messages import t
from salesperf.metrics.periods import Period, parse_period
from salesperf.text import Lang

if TYPE_CHECKING:
    from salesperf.analysis.forecast.core import Forecast


def forecast_cmd(
    period: Annotated[
        str, typer.Option("--period", help="The period to forecast: 2026-Q1, 2026-03, 2026, ...")
    ],
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            help="Forecast as it could have been made on this day, YYYY-MM-DD, inside the "
            "period (default: today, or the day after the data end, clipped to the period).",
            show_default=False,
        ),
    ] = None,
    team: TeamOpt = None,
    rep: RepOpt = None,
    draws: Annotated[int, typer.Option("--draws", help="Simulated outcomes.")] = 10_000,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the simulation.")] = 0,
    lang: LangOpt = Lang.EN,
    format: FormatOpt = OutputFormat.TABLE,
    store: StoreOpt = None,
) -> None:
    """Revenue at the period's end: closed so far, the open pipeline and new deals expected,
    P10/P50/P90 and attainment, and the chance of reaching the target."""
    with errors():
        from salesperf.analysis.forecast.core import ForecastQuery, forecast  # loads the statistics

        if team is not None and rep is not None:
            raise UserError("give --team or --rep, not both")
        p = parse_period(period)
        day = _day(as_of, p)
        with open_store(store) as s:
            # without --as-of: today, or the day after the data end, clipped to the period
            today = judged(s, None, format is OutputFormat.TABLE, lang) if day is None else None
            query = ForecastQuery(p, day, team=team, rep=rep, draws=draws, seed=seed, today=today)
            result = forecast(s, query)
            currency = s.settings.currency
    if format is OutputFormat.JSON:
        print_json(result.to_json())
        return
    render_forecast(result, currency, lang)


def _day(text: str | None, period: Period) -> date | None:
    """The `--as-of` day, checked to lie in the period (None when not given)."""
    day = parse_as_of(text, "--as-of")
    if day is None:
        return None
    if not period.start <= day < period.end:
        last = period.end - timedelta(days=1)
        raise UserError(
            f"--as-of {day} lies outside {period.label} ({period.start} to {last}); "
            "give a day inside the period"
        )
    return day


def render_forecast(f: Forecast, currency: str, lang: Lang) -> None:
    """The forecast as Rich tables, in `lang`."""
    h = headings("forecast", lang)
    nl = lang.value
    title = t("cli.forecast.title", lang, period=fmt.period(f.period, lang), scope=f.scope.name,
              day=fmt.date(f.as_of, lang))  # fmt: skip
    out.print(f"[bold]{title}[/]", highlight=False)

    parts = Table()
    parts.add_column(h["part"])
    parts.add_column(h["revenue"], justify="right")
    deals = t("cli.forecast.open_deals", lang, n=f.open_deals)
    wins = t("cli.forecast.new_wins", lang, n=number(f.new_wins_expected, 1, nl))
    parts.add_row(h["closed"], money(f.closed, currency, nl))
    parts.add_row(f"{h['pipeline']}, {deals}", money(f.pipeline_expected, currency, nl))
    parts.add_row(f"{h['new']}, {wins}", money(f.new_expected, currency, nl))
    parts.add_row(f"[bold]{h['expected']}[/]", money(f.expected, currency, nl))
    parts.add_row(h["target"], money(f.target, currency, nl))
    out.print(parts)

    spread = Table(title=h["range"], title_justify="left")
    spread.add_column("")
    for col in ("P10", "P50", "P90"):
        spread.add_column(col, justify="right")
    r = f.revenue
    spread.add_row(h["revenue"], *(money(v, currency, nl) for v in (r.p10, r.p50, r.p90)))
    if f.attainment is not None:
        a = f.attainment
        spread.add_row(h["attainment"], *(percent(v, 0, nl) for v in (a.p10, a.p50, a.p90)))
    out.print(spread)
    if f.p_target is not None:
        chance = t("cli.forecast.chance", lang, p=percent(f.p_target, 0, nl))
        out.print(f"[bold]{chance}[/]", highlight=False)
    else:
        out.print(t("cli.forecast.no_target", lang), highlight=False)

    path = Table(title=h["path"], title_justify="left")
    for col in ("day", "actual"):
        path.add_column(h[col], justify="right")
    for col in ("P10", "P50", "P90"):
        path.add_column(col, justify="right")
    for pt in f.path:
        if pt.day == f.period.start:
            continue  # nothing comes before the period's first day
        last = pt.day - timedelta(days=1)
        path.add_row(
            fmt.date(last, lang),
            money(pt.actual, currency, nl) if pt.actual is not None else "",
            *(money(v, currency, nl) if v is not None else "" for v in (pt.p10, pt.p50, pt.p90)),
        )
    out.print(path)
    out.print(f"[bold]{h['assumptions']}[/]")
    for note in f.assumptions:
        out.print(f"  • {note.get(lang)}", highlight=False)
