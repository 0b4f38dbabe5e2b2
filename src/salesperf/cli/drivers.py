"""`salesperf drivers`: which activity types go with deals won, how strongly and with what lag;
win rate with and without each type; conversion by number of touches."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Annotated

import typer
from rich import box
from rich.table import Table

from salesperf.analysis.vocab import DRIVERS_MAX_LAG as MAX_LAG
from salesperf.analysis.vocab import DRIVERS_WINDOW as DEFAULT_WINDOW
from salesperf.cli.common import (
    FormatOpt,
    LangOpt,
    OutputFormat,
    StoreOpt,
    TeamOpt,
    UserError,
    WindowOpt,
    errors,
    headings,
    judged,
    open_store,
    out,
    print_json,
)
from salesperf.cli.plan import AsOfOpt, parse_day
from salesperf.i18n import format as fmt
from salesperf.text import Lang

if TYPE_CHECKING:
    from salesperf.analysis.drivers.core import Drivers, TouchCurve


def drivers_cmd(
    team: TeamOpt = None,
    window: WindowOpt = DEFAULT_WINDOW,
    max_lag: Annotated[
        int, typer.Option("--max-lag", help=f"Longest lag in weeks, 0 to {MAX_LAG}.")
    ] = 8,
    types: Annotated[
        str | None,
        typer.Option(
            "--types",
            help="Comma-separated activity types (default: every type with activity).",
            show_default=False,
        ),
    ] = None,
    as_of: AsOfOpt = None,
    lang: LangOpt = Lang.EN,
    format: FormatOpt = OutputFormat.TABLE,
    store: StoreOpt = None,
) -> None:
    """Which activity types and volumes go with deals won, and with what lag: a count model per
    type with its best lag, win rate with and without each type, and conversion by number of
    touches. Associations, not causes."""
    with errors():
        names = None
        if types is not None:
            names = tuple(t.strip() for t in types.split(",") if t.strip())
            if not names:
                raise UserError("--types names no activity type")
        from salesperf.analysis.drivers.core import DriversQuery, drivers  # loads the statistics

        day = parse_day(as_of)
        DriversQuery(team=team, window=window, max_lag=max_lag, types=names, today=day)
        with open_store(store) as s:
            query = DriversQuery(team=team, window=window, max_lag=max_lag, types=names,
                                 today=judged(s, day, format is OutputFormat.TABLE, lang))  # fmt: skip
            result = drivers(s, query)
    if format is OutputFormat.JSON:
        print_json(result.to_json())
        return
    render_drivers(result, lang)


def _pts(x: float | None, lang: Lang) -> str:
    """A difference of rates in percentage points, signed (+1.2, −0,5)."""
    return fmt.DASH if x is None else fmt.signed(100 * x, lang, 1)


def _ratio(x: float, lang: Lang) -> str:
    """A rate ratio as a whole signed percentage change (1.11 -> +11%, never −0%)."""
    return fmt.relative(x - 1, lang, 0)


def render_drivers(result: Drivers, lang: Lang) -> None:
    """The three views as tables, with the notes that say how to read them."""
    h = headings("drivers", lang)
    who = f"{h['team']} {result.team}" if result.team else h["everyone"]
    first, end = result.weeks
    last = end - timedelta(days=1)
    span = h["span"].format(window=fmt.period(result.window, lang), who=who,
                            weeks=fmt.span(first, last, lang))  # fmt: skip
    out.print(f"[bold]{h['title']}[/], {span}", highlight=False)
    out.print(f"[yellow]{result.notes[0].get(lang)}[/]", highlight=False)
    cut = result.notes[-1] if result.requested is not None else None
    if cut is not None:  # the window asked for reached beyond the data: say what was used
        out.print(f"[yellow]{cut.get(lang)}[/]", highlight=False)

    t = Table(title=h["effects"], box=box.SIMPLE_HEAD, title_justify="left")
    for col in ("type", "lag", "effect", "interval", "sd", "p"):
        t.add_column(h[col], justify="left" if col == "type" else "right")
    for e in result.fit.effects:
        # a lag that is not significant is shown in brackets: the strongest, but not shown to be
        lag = f"{e.lag} {h['weeks']}" if e.significant else f"({e.lag} {h['weeks']})"
        t.add_row(
            e.type, lag, _ratio(e.rate_ratio, lang),
            f"{_ratio(e.low, lang)} .. {_ratio(e.high, lang)}",
            fmt.number(e.per, lang, 1), f"{e.p_value:.2g}",
            style="bold" if e.significant else "dim",
        )  # fmt: skip
    out.print(t)
    for e in result.fit.effects:
        if e.significant:
            out.print(f"  {e.explanation.get(lang)}", highlight=False)
    for skip in result.fit.skipped:
        out.print(f"  {h['skipped']}: {skip.type} ({skip.reason.get(lang)})", highlight=False)

    w = Table(title=h["with"], box=box.SIMPLE_HEAD, title_justify="left")
    for col in ("type", "with_col", "n", "without_col", "n", "diff", "interval"):
        w.add_column(h[col], justify="left" if col == "type" else "right")
    for row in result.with_without:
        a, b = row.with_type, row.without
        span = (
            fmt.DASH if row.low is None or row.high is None
            else f"{_pts(row.low, lang)} .. {_pts(row.high, lang)}"
        )  # fmt: skip
        w.add_row(
            row.type, fmt.percent(a.rate, lang), str(a.closed), fmt.percent(b.rate, lang),
            str(b.closed), _pts(row.difference, lang), span,
        )  # fmt: skip
    out.print(w)
    _render_touches(result.touches, lang)
    for note in result.notes[1:]:
        if note is not cut:
            out.print(f"[dim]{note.get(lang)}[/]", highlight=False)


def _render_touches(curve: TouchCurve, lang: Lang) -> None:
    h = headings("drivers", lang)
    t = Table(title=h["touches"], box=box.SIMPLE_HEAD, title_justify="left")
    for col in ("n_touches", "deals", "won", "rate", "interval", "gain"):
        t.add_column(h[col], justify="right")
    for b in curve.bins:
        t.add_row(
            b.label, str(b.items), str(b.converted), fmt.percent(b.rate, lang),
            f"{fmt.percent(b.low, lang)} .. {fmt.percent(b.high, lang)}",
            _pts(b.gain, lang),
            style="bold" if b.label == curve.flattens_after else None,
        )  # fmt: skip
    out.print(t)
    out.print(curve.statement.get(lang), highlight=False)
