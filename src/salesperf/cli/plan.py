"""`salesperf plan`: what a revenue target asks of a rep or a team (the reverse funnel)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated

import typer
from rich import box
from rich.table import Table

from salesperf.analysis.asof import parse_as_of
from salesperf.analysis.windows import WINDOW_HELP, money, number, percent, period_text
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
from salesperf.i18n.messages import t
from salesperf.text import Lang

if TYPE_CHECKING:
    from salesperf.analysis.plan.core import Plan

AsOfOpt = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        help="Judge as of this date, YYYY-MM-DD (default: today, or the day after the data "
        "end when they end before today): it sets the current period, the default window "
        "and the weeks of the current pace.",
        show_default=False,
    ),
]


def plan_cmd(
    target: Annotated[str, typer.Option("--target", help="The revenue target, e.g. 250000.")],
    period: Annotated[
        str, typer.Option("--period", help="The period to plan: 2026-Q1, 2026-03, 2026, ...")
    ],
    rep: RepOpt = None,
    team: TeamOpt = None,
    window: Annotated[
        str | None,
        typer.Option(
            "--window",
            help=f"The window whose rates the plan uses (default: the four full quarters "
            f"before the period): {WINDOW_HELP}.",
            show_default=False,
        ),
    ] = None,
    as_of: AsOfOpt = None,
    lang: LangOpt = Lang.EN,
    format: FormatOpt = OutputFormat.TABLE,
    store: StoreOpt = None,
) -> None:
    """What a revenue target asks: deals, opportunities and activities by type per week and
    per working day, the activity that gives an 80% chance, and the current pace."""
    with errors():
        from salesperf.analysis.plan.core import (  # loads the statistics
            PlanQuery,
            check_target,
            plan,
        )

        amount = check_target(target.replace("_", ""))
        if rep is not None and team is not None:
            raise UserError("give --rep or --team, not both")
        today = parse_day(as_of)
        with open_store(store) as s:
            query = PlanQuery(amount, period, rep=rep, team=team, window=window,
                              today=judged(s, today, format is OutputFormat.TABLE, lang))  # fmt: skip
            result = plan(s, query)
            currency = s.settings.currency
    if format is OutputFormat.JSON:
        print_json(result.to_json())
        return
    render_plan(result, currency, lang)


def parse_day(text: str | None) -> date | None:
    """A YYYY-MM-DD date from `--as-of`, or a clear error."""
    return parse_as_of(text, "--as-of")


def render_plan(p: Plan, currency: str, lang: Lang) -> None:
    """The plan as Rich tables, in `lang`."""
    h = headings("plan", lang)
    nl = lang.value
    title = t("cli.plan.title", lang, target=money(p.target, currency, nl),
              period=period_text(p.period, nl), name=p.name)  # fmt: skip
    out.print(f"[bold]{title}[/]", highlight=False)
    out.print(p.explanation.get(lang), highlight=False)
    if p.paths is not None:
        out.print(f"[bold]{p.paths.text.get(lang)}[/]", highlight=False)
    rates = Table(title=t("cli.plan.rates_title", lang, window=period_text(p.rates.window, nl)))
    for col in ("rate", "value", "interval", "from"):
        rates.add_column(h[col], justify="left" if col in ("rate", "from") else "right")
    size, win = p.rates.avg_deal_size, p.rates.win_rate
    money_band = (money(size.low, currency, nl), money(size.high, currency, nl))
    win_band = (percent(win.low, 1, nl), percent(win.high, 1, nl))
    rates.add_row(h["size"], money(size.value, currency, nl), " – ".join(money_band),
                  f"{size.source}, n={size.n}")  # fmt: skip
    rates.add_row(h["win"], percent(win.value, 1, nl), " – ".join(win_band),
                  f"{win.source}, n={win.n}")  # fmt: skip
    rates.add_row(h["deals"], number(p.deals, 1, nl), "", "")
    rates.add_row(h["opps"], number(p.opportunities, 1, nl), "", "")
    rates.add_row(h["days"], f"{p.working_days} ({number(p.weeks, 1, nl)} wk)", "", "")
    out.print(rates)
    out.print(f"{h['size']}: {size.method}. {h['win']}: {win.method}.", highlight=False)
    even, high = p.at_level(0.5) or {}, p.at_level(0.8) or {}
    acts = Table(title=h["acts_title"])
    for col in ("type", "per_act", "week", "day", "range"):
        acts.add_column(h[col], justify="left" if col == "type" else "right")
    by_type = {r.type: r for r in p.rates.activity}
    for r in p.activities:
        rate = by_type[r.type]
        band = f"{number(100 * rate.low, 1, nl)}–{number(100 * rate.high, 1, nl)}"
        acts.add_row(
            r.type, f"{number(100 * rate.rate, 1, nl)} ({band})", number(r.per_week, 1, nl),
            number(r.per_day, 1, nl), _range(even.get(r.type), high.get(r.type), nl),
        )  # fmt: skip
    acts.add_row(
        f"[bold]{h['total']}[/]", "", number(p.per_week, 1, nl), number(p.per_day, 1, nl),
        _range(sum(even.values()) if even else None, sum(high.values()) if high else None, nl),
    )  # fmt: skip
    out.print(acts)
    if p.chance is not None:
        out.print(p.chance.explanation.get(lang), highlight=False)
    pace = Table(title=t("cli.plan.pace_title", lang, period=period_text(p.pace, nl)))
    for col in ("type", "week", "pace", "short"):
        pace.add_column(h[col], justify="left" if col == "type" else "right")
    for r in p.activities:
        short = number(r.shortfall_per_week, 1, nl)
        pace.add_row(r.type, number(r.per_week, 1, nl), number(r.pace_per_week, 1, nl),
                     f"[red]{short}[/]" if r.shortfall_per_week > 0 else short)  # fmt: skip
    total_short = sum(r.shortfall_per_week for r in p.activities)
    pace.add_row(f"[bold]{h['total']}[/]", number(p.per_week, 1, nl),
                 number(p.pace_per_week, 1, nl), number(total_short, 1, nl))  # fmt: skip
    out.print(pace)
    if p.split is not None:
        _render_reps(p, currency, lang, h)
    if p.notes:
        out.print(f"[bold]{h['notes']}[/]")
        for n in p.notes:
            out.print(f"  • {n.get(lang)}", highlight=False)


def _render_reps(p: Plan, currency: str, lang: Lang, h: dict[str, str]) -> None:
    assert p.split is not None
    nl = lang.value
    out.print(p.split.get(lang), highlight=False)
    t = Table(title=h["reps_title"], box=box.SIMPLE_HEAD)
    t.add_column(h["rep"], ratio=1)
    for col in ("target", "deals_short", "opps_short", "acts", "high", "pace", "p"):
        t.add_column(h[col], justify="right", no_wrap=True)
    for r in p.reps:
        top = r.chance.levels[-1].activities_per_week if r.chance else None
        t.add_row(
            r.name, money(r.target, currency, nl), number(r.deals, 1, nl),
            number(r.opportunities, 1, nl), number(r.per_week, 0, nl), number(top, 0, nl),
            number(r.pace_per_week, 0, nl), percent(r.chance.at_plan if r.chance else None, 0, nl),
        )  # fmt: skip
    if p.reps_total is not None:
        total = p.reps_total
        t.add_row(
            f"[bold]{h['reps_total']}[/]", money(sum(r.target for r in p.reps), currency, nl),
            number(total.deals, 1, nl), number(total.opportunities, 1, nl),
            number(sum(a.per_week for a in total.activities), 0, nl), "",
            number(sum(a.pace_per_week for a in total.activities), 0, nl), "",
        )  # fmt: skip
    out.print(t)


def _range(low: float | None, high: float | None, lang: str) -> str:
    if low is None or high is None:
        return "—"
    return f"{number(low, 0, lang)}–{number(high, 0, lang)}"
