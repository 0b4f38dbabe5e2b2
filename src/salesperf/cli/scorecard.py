"""`salesperf scorecard`: activity, performance and effectiveness side by side, as a table,
CSV, JSON or a spreadsheet."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from salesperf.analysis.asof import parse_as_of
from salesperf.cells import frame_csv, write_xlsx
from salesperf.cli.common import LangOpt, StoreOpt, UserError, errors, judged, open_store, out
from salesperf.cli.terminal import render_scorecard
from salesperf.i18n.messages import t
from salesperf.metrics.periods import Grain
from salesperf.metrics.query import By, Split
from salesperf.text import Lang


class Format(StrEnum):
    """Output formats of the scorecard."""

    TABLE = "table"
    CSV = "csv"
    JSON = "json"
    XLSX = "xlsx"


def scorecard_cmd(
    by: Annotated[
        By, typer.Option(help="One row per rep, per team (with its subtree) or the org.")
    ] = By.REP,
    grain: Annotated[
        Grain, typer.Option(help="Split the period by week, month, ... or not (all).")
    ] = Grain.ALL,
    period: Annotated[
        str | None,
        typer.Option(
            help="2025-Q3, 2025-07, 2025-W27, 2025 or 2025-07-01..2025-09-30, or as the "
            "pages write them: Q3 2025, K3 2025, July 2025, juli 2025 (default: the last full "
            "quarter)."
        ),
    ] = None,
    metrics: Annotated[
        str | None,
        typer.Option(help="Comma-separated metric names (see `salesperf metrics list`)."),
    ] = None,
    filter_: Annotated[
        list[str] | None,
        typer.Option(
            "--filter",
            help="Only rows whose type, source, kind or segment is a value: kind=new_business.",
        ),
    ] = None,
    split: Annotated[
        Split | None,
        typer.Option(help="Split each row by activity type, lead source, deal kind or segment."),
    ] = None,
    format: Annotated[
        Format, typer.Option("--format", help="table, csv, json (see docs/scorecard.md) or xlsx.")
    ] = Format.TABLE,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file (required for xlsx).")
    ] = None,
    context: Annotated[
        str | None,
        typer.Option(
            help="The context preset whose headline KPIs lead: general, startup, consultancy "
            "or agency (default: the `context` setting)."
        ),
    ] = None,
    currency: Annotated[
        str | None,
        typer.Option(
            help="Show the money figures in this currency (USD, GBP, ...), converted at the "
            "rate of each deal's date (default: the organisation's currency)."
        ),
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            help="Count the default period from this day, YYYY-MM-DD (default: today, or the "
            "day after the data end when they end before today).",
            show_default=False,
        ),
    ] = None,
    lang: LangOpt = Lang.EN,
    store: StoreOpt = None,
) -> None:
    """Activity, performance and effectiveness side by side, against the previous period and target."""
    from salesperf.scorecard import scorecard

    with errors():
        names = tuple(m.strip() for m in metrics.split(",") if m.strip()) if metrics else None
        filters = []
        for f in filter_ or ():
            dim, sep, value = f.partition("=")
            if not sep or dim not in Split.__members__.values() or not value:
                raise UserError(
                    f"--filter {f!r} is not DIMENSION=VALUE with a dimension of: "
                    + ", ".join(d.value for d in Split)
                )
            filters.append((Split(dim), value))
        if format is Format.XLSX and output is None:
            raise UserError("--format xlsx writes a file: give --output FILE.xlsx")
        day = parse_as_of(as_of, "--as-of")
        with open_store(store) as s:
            today = judged(s, day, format is Format.TABLE, lang) if period is None else day
            card = scorecard(
                s, by=by, grain=grain, period=period, metrics=names, split=split,
                filters=tuple(filters), context=context, currency=currency, today=today,
            )  # fmt: skip
    if format is Format.TABLE:
        out.print(t("cli.scorecard.amounts", lang, currency=card.currency), highlight=False)
        render_scorecard(card, card.currency, out, lang)
    elif format is Format.JSON:
        text = json.dumps(card.to_json(), ensure_ascii=False, indent=2)
        _emit(text, output)
    elif format is Format.CSV:
        _emit(frame_csv(card.to_frame()), output)
    else:
        assert output is not None
        write_xlsx(card.to_frame(), output, sheet="scorecard")
        out.print(f"Written {output}", highlight=False)


def _emit(text: str, output: Path | None) -> None:
    if output is None:
        print(text, end="" if text.endswith("\n") else "\n")
    else:
        output.write_text(text, encoding="utf-8", newline="")  # CSV has its own line ends
        out.print(f"Written {output}", highlight=False)
