"""`salesperf report`: the manager's weekly report of a team, as HTML, PDF or plain text; and
`salesperf report send`, which mails each manager the report of their own teams."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from salesperf.analysis.report.stuck import STUCK_DAYS
from salesperf.cli.common import LangOpt, StoreOpt, UserError, errors, judged, open_store, out
from salesperf.text import Lang

report_app = typer.Typer(
    help="The manager's weekly report: a team's week as HTML, PDF or text, or mailed to each "
    "manager (`report send`).",
)

WeekOpt = Annotated[
    str | None,
    typer.Option(
        "--week",
        help="The ISO week, e.g. 2026-W40 or 'week 40 2026' (default: the last full week).",
        show_default=False,
    ),
]


class ReportFormat(StrEnum):
    """What `salesperf report` writes."""

    HTML = "html"
    PDF = "pdf"
    TEXT = "text"


@report_app.callback(invoke_without_command=True)
def report_cmd(
    ctx: typer.Context,
    team: Annotated[
        str | None, typer.Option("--team", help="A team id: that team and its sub-teams.")
    ] = None,
    week: WeekOpt = None,
    lang: LangOpt = Lang.EN,
    format: Annotated[
        ReportFormat, typer.Option("--format", help="html (an e-mail body), pdf or text.")
    ] = ReportFormat.TEXT,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", help="Write to this file (default: standard output).", show_default=False
        ),
    ] = None,
    stuck_days: Annotated[
        int,
        typer.Option(
            "--stuck-days",
            help="Days without activity or stage change after which an open deal is stuck.",
        ),
    ] = STUCK_DAYS,
    store: StoreOpt = None,
) -> None:
    """The weekly report of a team and its sub-teams: the week against target and last week,
    a leaderboard, quadrant changes, the weakest funnel step, who is under target, stuck deals
    and data-quality flags."""
    if ctx.invoked_subcommand is not None:
        return
    with errors():
        from salesperf.analysis.report.model import (  # loads the statistics
            ReportQuery,
            last_full_week,
            report_week,
            weekly_report,
        )
        from salesperf.analysis.report.text import plain_text, words
        from salesperf.server.report.render import html, pdf

        if team is None:
            raise UserError("give the team to report on: --team TEAM_ID")
        asked = report_week(week) if week is not None else None  # checked before opening
        with open_store(store) as s:
            period = asked or last_full_week(judged(s, None, False, lang))
            result = weekly_report(s, ReportQuery(team=team, week=period, stuck_days=stuck_days))
        w = words(result, lang)
        if format is ReportFormat.TEXT:
            data = plain_text(w).encode()
        elif format is ReportFormat.HTML:
            data = html(w).encode()
        else:
            data = pdf(html(w))
    if output is not None:
        output.write_bytes(data)
        out.print(f"Wrote {output}", highlight=False)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
