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


@report_app.command("send")
def report_send(
    week: WeekOpt = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Make the mails and list them, but send nothing.")
    ] = False,
    store: StoreOpt = None,
) -> None:
    """Mail each manager the weekly report of the teams they manage (with their sub-teams):
    HTML with a plain-text alternative and the PDF attached, in the manager's language. The
    mail server is read from $SALESPERF_SMTP_HOST, $SALESPERF_SMTP_PORT, $SALESPERF_SMTP_TLS
    (none, starttls or ssl), $SALESPERF_SMTP_USER, $SALESPERF_SMTP_PASSWORD and
    $SALESPERF_MAIL_FROM; managers get an address with `salesperf users set-email`."""
    with errors():
        from salesperf.analysis.report.model import last_full_week, report_week
        from salesperf.server.report.mail import MailSettings, send_reports

        settings = MailSettings.from_env(need_server=not dry_run)
        asked = report_week(week) if week is not None else None
        with open_store(store) as s:
            period = asked or last_full_week(judged(s, None, False))
            mails = send_reports(s, period, settings, dry_run=dry_run)
    done = "would send" if dry_run else "sent"
    for m in mails:
        if m.message is None:
            out.print(f"{m.username}: skipped ({m.skipped})", highlight=False)
        else:
            out.print(f"{m.username} <{m.to}>: {m.subject} ({done})", highlight=False)
    if not mails:
        out.print("No managers to send the report to.", highlight=False)
