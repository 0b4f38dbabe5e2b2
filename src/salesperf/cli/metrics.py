"""`salesperf metrics`: list the metrics and explain how each is computed, with its SQL."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer

from salesperf.cli.common import (
    LangOpt,
    StoreOpt,
    UserError,
    errors,
    open_store,
    out,
)
from salesperf.errors import InputError
from salesperf.i18n import format as fmt
from salesperf.metrics.periods import Grain
from salesperf.metrics.query import By, Split
from salesperf.text import Lang

metrics_app = typer.Typer(
    help="List the metrics and explain how each is computed.", no_args_is_help=True
)


@metrics_app.command("list")
def metrics_list() -> None:
    """Every metric, by group, with its English and Dutch label."""
    from salesperf.metrics.registry import METRICS, computable

    scorecard_metrics = set(computable())
    for m in METRICS.values():
        where = "scorecard" if m.name in scorecard_metrics else "analyses"
        out.print(
            f"{m.name:<24} {m.group.value:<13} {m.unit.value:<6} {where:<9} "
            f"{m.label_en} / {m.label_nl}",
            highlight=False,
        )


@metrics_app.command("explain")
def metrics_explain(
    name: Annotated[str, typer.Argument(help="A metric name, e.g. win_rate.")],
    period: Annotated[
        str | None,
        typer.Option(help="Also show the figures of this period (e.g. 2025-Q1), and why any is "
                     "empty."),
    ] = None,
    by: Annotated[By, typer.Option(help="The figures of --period by rep, team or org.")] = By.REP,
    lang: LangOpt = Lang.EN,
    store: StoreOpt = None,
) -> None:  # fmt: skip
    """A metric's definition, when it is empty, and the SQL it compiles to on this store's
    engine; with --period, its figures and why an empty one is empty."""
    from salesperf.metrics.compiler import Compiler
    from salesperf.metrics.query import Query
    from salesperf.metrics.registry import formula, get, null_cases, null_reason
    from salesperf.scorecard import last_full_quarter, scorecard

    with errors():
        try:
            m = get(name)
        except KeyError as exc:
            raise UserError(str(exc.args[0])) from None
        out.print(f"[bold]{m.name}[/] — {m.label_en} / {m.label_nl}")
        out.print(f"{m.description_en}\n{m.description_nl}", highlight=False)
        out.print(f"group {m.group.value}, type {m.type.value}, unit {m.unit.value}, "
                  f"{'higher' if m.higher_is_better else 'lower'} is better")  # fmt: skip
        cases = null_cases(name)
        if cases:
            out.print("Empty (—), never 0, when / Leeg (—), nooit 0, als:", highlight=False)
            for case in cases:
                out.print(f"  {case.code}: {case.en} / {case.nl}", highlight=False)
        per = f.split if (f := formula(name)) is not None else None  # e.g. per type
        try:
            with open_store(store) as s:
                p = last_full_quarter(date.today())
                q = Query(metrics=(name,), start=p.start, end=p.end, grain=Grain.MONTH, by=By.REP,
                          split=Split(per) if per else None)  # fmt: skip
                currency = s.settings.currency
                comp = Compiler(s.con, s.settings.timezone, currency=currency)
                sql = comp.to_sql(q, comp.plan(q))
                card = (
                    scorecard(s, by=by, period=period, metrics=(name,), split=per)
                    if period is not None
                    else None
                )
        except InputError as exc:
            out.print(f"Not a scorecard metric: {exc}", highlight=False)
            return
        split = f" and {q.split.value}" if q.split else ""
        out.print(f"\nSQL for one quarter by rep{split} and month:")
        print(sql)
        if card is None:
            return
        shown = fmt.period(card.period, lang)
        out.print(f"\n{m.label_nl if lang is Lang.NL else m.label_en}, {shown}:")
        for r in card.rows:
            c = r.cells[name]
            why = null_reason(name, c.null_reason) if c.null_reason else None
            text = (why.nl if lang is Lang.NL else why.en) if why else ""
            part = f" {r.split}" if r.split else ""
            out.print(f"  {r.name} ({r.key}){part}: {fmt.metric(c.value, m.unit, lang, currency)}  {text}".rstrip(),
                      highlight=False)  # fmt: skip
