"""`salesperf quality`: where a period's figures rest on missing or stale data, rep by rep."""

from __future__ import annotations

from typing import Annotated

import typer
from rich import box
from rich.table import Table

from salesperf.cli.common import (
    FormatOpt,
    LangOpt,
    OutputFormat,
    RepOpt,
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
from salesperf.i18n.messages import t
from salesperf.metrics.registry import METRICS
from salesperf.text import Lang

PeriodOpt = Annotated[
    str | None,
    typer.Option(
        "--period",
        help="The period, e.g. 2026-Q3, Q3 2026 or last-month (default: the last full quarter).",
        show_default=False,
    ),
]


def quality_cmd(
    period: PeriodOpt = None,
    team: TeamOpt = None,
    rep: RepOpt = None,
    as_of: AsOfOpt = None,
    min_silent: Annotated[
        int, typer.Option("--min-silent", help="Working days without activity that make a flag.")
    ] = 3,
    min_rows: Annotated[
        int,
        typer.Option("--min-rows", help="The fewest cases a connect or win rate should rest on."),
    ] = 20,
    lang: LangOpt = Lang.EN,
    format: FormatOpt = OutputFormat.TABLE,
    store: StoreOpt = None,
) -> None:
    """Data-quality flags beside the figures: working days without any logged activity, calls
    and meetings without an outcome, deals without an amount or stage history, open deals past
    their expected close, and rates resting on few cases; each with the figures it touches."""
    with errors():
        from salesperf.analysis.quality import QualityQuery, quality
        from salesperf.analysis.windows import resolve_window

        day = parse_day(as_of)
        with open_store(store) as s:
            today = judged(s, day, format is OutputFormat.TABLE, lang)
            p = resolve_window(period, today)
            query = QualityQuery(p, team=team, rep=rep, as_of=today, min_silent=min_silent,
                                 min_rows=min_rows)  # fmt: skip
            result = quality(s, query)
    if format is OutputFormat.JSON:
        print_json(result.to_json())
        return
    h = headings("quality", lang)
    title = h["title"].format(
        period=fmt.period(result.period, lang), day=fmt.date(result.as_of, lang)
    )
    out.print(f"[bold]{title}[/]", highlight=False)
    if not result.findings:
        out.print(h["none"], highlight=False)
        return
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    for col in ("rep", "flag", "count", "affects", "examples"):
        table.add_column(h[col], justify="right" if col == "count" else "left")
    for f in result.findings:
        figures = ", ".join(
            t("quality.forecast", lang) if m == "forecast" else _label(m, lang) for m in f.affects
        )
        table.add_row(
            f.rep_id, t(f"quality.{f.flag.value}", lang),
            f"{fmt.number(f.count, lang)} / {fmt.number(f.total, lang)}", figures,
            ", ".join(fmt.date(x, lang) if _is_day(x) else x for x in f.examples),
        )  # fmt: skip
    out.print(table)


def _label(metric: str, lang: Lang) -> str:
    m = METRICS[metric]
    return m.label_nl if lang is Lang.NL else m.label_en


def _is_day(text: str) -> bool:
    return len(text) == 10 and text[4] == "-" and text[7] == "-" and text[:4].isdigit()
