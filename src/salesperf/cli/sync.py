"""`salesperf sync`: deals, stages, activities and owners read from a CRM's API into the store,
incrementally, with the same checks as a file import; and `salesperf sync status`."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress, SpinnerColumn, TextColumn
from rich.table import Table

from salesperf.cli.common import LangOpt, StoreOpt, UserError, errors, open_store, out
from salesperf.i18n.format import number
from salesperf.i18n.messages import t
from salesperf.sync.model import CRMS, Cursor, SyncReport
from salesperf.text import Lang

sync_app = typer.Typer(
    help="Read deals, stages, activities and owners from a CRM (HubSpot, Pipedrive, "
    "Salesforce) into the store, incrementally; `sync status` shows where each stands.",
    no_args_is_help=True,
)

SinceOpt = Annotated[
    str | None,
    typer.Option(
        "--since",
        help="Read the records changed since this date (YYYY-MM-DD) instead of since the last sync.",
        show_default=False,
    ),
]
FullOpt = Annotated[
    bool,
    typer.Option(
        "--full",
        help="Read every record again and remove the rows this CRM no longer has.",
    ),
]
DryOpt = Annotated[
    bool, typer.Option("--dry-run", help="Read and check every record; write nothing.")
]
BaseUrlOpt = Annotated[
    str | None,
    typer.Option(
        "--base-url",
        help="Another address for the CRM's API (a sandbox, a test server).",
        show_default=False,
    ),
]
SettingsOpt = Annotated[
    Path | None,
    typer.Option(
        "--settings",
        envvar="SALESPERF_SYNC_SETTINGS",
        help="A TOML file with the credentials, a [hubspot], [pipedrive] or [salesforce] table "
        "(default: the environment variables; see docs/sync.md).",
        show_default=False,
    ),
]
RejectsOpt = Annotated[
    Path | None,
    typer.Option(
        "--rejects",
        help="The folder for the rejected rows' files (default: the current folder).",
        show_default=False,
    ),
]


def _since(text: str | None) -> Cursor | None:
    if text is None:
        return None
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise UserError(f"--since takes a date as YYYY-MM-DD, not {text!r}") from None
    return Cursor(day.isoformat() + "T00:00:00Z")


def _run(crm: str, since: str | None, full: bool, dry_run: bool, base_url: str | None,
         settings: Path | None, rejects: Path | None, store: str | None, lang: Lang) -> None:  # fmt: skip
    with errors():
        from salesperf.sync.run import sync
        from salesperf.sync.vendors import credentials, vendor

        if full and since:
            raise UserError("--full reads every record: leave out --since")
        from salesperf.sync.http import Retries
        from salesperf.sync.secrets import key_from_env, load_connection

        start = _since(since)
        v = vendor(crm)
        with open_store(store, create=True) as s, Progress(
            SpinnerColumn(), TextColumn("{task.description}"), transient=True, console=out
        ) as bar:  # fmt: skip
            # the connection an administrator saved on the settings page, when this command
            # has its key; else the environment and the settings file
            key = key_from_env()
            saved = load_connection(s, crm, key) if key else None
            given = dict(saved.values) if saved is not None else None
            creds = credentials(v, settings_file=settings, given=given)
            connector = v.connect(creds, base_url, Retries())
            task = bar.add_task(v.title)

            def progress(obj: str, rows: int) -> None:
                line = t("sync.reading", lang, crm=v.title, object=obj, rows=number(rows, lang))
                bar.update(task, description=line)

            report = sync(s, connector, full=full, dry_run=dry_run, since=start,
                          rejects_dir=rejects, on_progress=progress, lang=lang)  # fmt: skip
        _show(report, v.title, lang)


def _show(report: SyncReport, title: str, lang: Lang) -> None:
    key = "sync.title_dry" if report.dry_run else "sync.title_full" if report.full else "sync.title"
    table = Table(title=t(key, lang, crm=title))
    for col in ("object", "table", "rows_in", "inserted", "updated", "unchanged", "rejected",
                "deleted"):  # fmt: skip
        table.add_column(
            t(f"sync.{col}", lang), justify="left" if col in ("object", "table") else "right"
        )
    for o in report.objects:
        table.add_row(o.object, o.table, *(number(v, lang) for v in (
            o.rows_in, o.inserted, o.updated, o.unchanged, o.rejected, o.deleted)))  # fmt: skip
    out.print(table)
    out.print(t("sync.owners", lang, linked=number(report.owners_linked, lang)), highlight=False)
    for owner in report.owners_unmatched:
        alias = f"{report.crm}:{owner.id}"
        name = owner.name or owner.email or owner.id
        out.print(t("sync.unmatched", lang, name=name, id=owner.id, alias=alias), highlight=False)
    for o in report.objects:
        for path in o.rejects_files:
            out.print(t("sync.rejects", lang, path=path), highlight=False)


def _command(crm: str) -> None:
    def command(
        since: SinceOpt = None, full: FullOpt = False, dry_run: DryOpt = False,
        base_url: BaseUrlOpt = None, settings: SettingsOpt = None, rejects: RejectsOpt = None,
        store: StoreOpt = None, lang: LangOpt = Lang.EN,
    ) -> None:  # fmt: skip
        _run(crm, since, full, dry_run, base_url, settings, rejects, store, lang)

    command.__doc__ = (
        f"Sync with {crm}: the records changed since the last sync (or --since), through the "
        "same checks as a file import; each page is committed with its cursor, so a sync "
        "stopped half-way goes on where it stopped."
    )
    sync_app.command(crm)(command)


for _crm in CRMS:
    _command(_crm)


@sync_app.command("status")
def status_cmd(
    crm: Annotated[str | None, typer.Argument(help="One CRM (default: every CRM).")] = None,
    store: StoreOpt = None,
    lang: LangOpt = Lang.EN,
) -> None:
    """Per CRM and object: the cursor, the last run, rows in, rows rejected."""
    with errors():
        from salesperf.sync.state import status

        if crm is not None and crm not in CRMS:
            raise UserError(f"salesperf syncs with {', '.join(CRMS)}, not {crm!r}")
        with open_store(store) as s:
            found = status(s, crm)
    if not found:
        out.print(t("sync.never", lang))
        return
    table = Table()
    for col in ("crm", "object", "cursor", "last_run", "status", "rows_in", "rejected", "deleted"):
        table.add_column(t(f"sync.{col}", lang))
    for st in found:
        run = st.last_run or {}
        table.add_row(
            st.crm, st.object, st.cursor.modified if st.cursor else "",
            str(run.get("finished_at") or run.get("started_at") or "")[:19],
            t(f"sync.state.{run.get('status', 'running')}", lang),
            number(int(run.get("rows_in") or 0), lang), number(int(run.get("rejected") or 0), lang),
            number(int(run.get("deleted") or 0), lang),
        )  # fmt: skip
    out.print(table)
