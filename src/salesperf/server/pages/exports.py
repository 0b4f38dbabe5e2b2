"""Exports of the scorecard and of any table, in CSV and Excel, as the viewer reads them
(`salesperf.server.exporting`): CSV streamed from the store batch by batch; Excel written in
constant memory, at once or, from the exports page, as a job whose progress the page shows.

Routes that do not wait on the request body are plain functions, which the server runs in its
worker threads: an export of a large table does not hold up everyone else's pages.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import date, datetime, time
from pathlib import Path
from typing import Annotated, Any

import ibis
from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import FileResponse, JSONResponse, Response, StreamingResponse
from starlette.background import BackgroundTask

from salesperf.analysis.windows import resolve_window
from salesperf.auth.access import Scope, scoped_table
from salesperf.cells import XLSX_MEDIA_TYPE
from salesperf.errors import InputError
from salesperf.metrics.periods import Grain, local_time
from salesperf.metrics.query import By, Split
from salesperf.server.deps import (
    CurrentViewer,
    JudgedView,
    ServicesDep,
    View,
    ViewDep,
    Viewer,
    check_csrf,
    session_csrf,
)
from salesperf.server.exporting.columns import Delimiter, Headers, form_for
from salesperf.server.exporting.columns import Form as FileForm
from salesperf.server.exporting.files import check_fits_excel, csv_stream, write_xlsx
from salesperf.server.exporting.sources import Export, scorecard_export, table_export
from salesperf.server.pages import data
from salesperf.store import Store

router = APIRouter(include_in_schema=False)

#: The column that places each table's rows in time, for exports of one period.
TIME_COLUMNS = {
    "activities": "occurred_at",
    "deals": "created_at",
    "leads": "created_at",
    "deal_stages": "entered_at",
    "surveys": "responded_at",
    "absences": "date",
    "targets": "period_start",
    "accounts": "created_at",
}
FORMATS = ("csv", "xlsx")
CsvOption = Annotated[
    Delimiter | None,
    Query(
        description="comma (decimal point) or semicolon (decimal comma); default: the language's"
    ),
]
HeadersOption = Annotated[
    Headers,
    Query(description="readable (the viewer's language, local times) or canonical (for programs)"),
]


def file_form(view: View, delimiter: Delimiter | None, headers: Headers) -> FileForm:
    """The form of the viewer's file: their language, the organisation's zone and currency."""
    settings = view.store.settings
    return form_for(view.lang, settings.timezone, settings.currency, delimiter, headers)


def _download(export: Export, form: FileForm, fmt: str, work_dir: Path) -> Response:
    """The export as a CSV download (streamed) or an Excel one (written in constant memory to
    a file deleted once sent)."""
    disposition = {"Content-Disposition": f'attachment; filename="{export.name}.{fmt}"'}
    if fmt == "csv":
        return StreamingResponse(
            csv_stream(export, form), media_type="text/csv; charset=utf-8", headers=disposition
        )
    if fmt != "xlsx":
        raise InputError(f"format {fmt!r} is not offered; choose csv or xlsx")
    check_fits_excel(export)
    folder = work_dir / "exports"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{secrets.token_urlsafe(16)}.xlsx"
    write_xlsx(export, form, path)
    return FileResponse(
        path, media_type=XLSX_MEDIA_TYPE, headers=disposition,
        background=BackgroundTask(path.unlink, missing_ok=True),
    )  # fmt: skip


@router.get("/export/scorecard")
def export_scorecard(
    view: JudgedView,
    by: By = By.REP,
    grain: Grain = Grain.ALL,
    period: str | None = None,
    metrics: str | None = None,
    split: Split | None = None,
    filter: Annotated[list[str], Query()] = [],  # noqa: B006 (FastAPI copies defaults)
    format: str = "csv",
    csv: CsvOption = None,
    headers: HeadersOption = Headers.READABLE,
) -> Response:
    """The scorecard as one flat table (`Scorecard.to_frame`), inside the viewer's scope."""
    card = data.scorecard_card(
        view, by=by, grain=grain, period=period or None, metrics=metrics,
        split=split.value if split else None, filters=tuple(filter),
    )  # fmt: skip
    form = file_form(view, csv, headers)
    export = scorecard_export(card, f"scorecard-{card.period.label}", form)
    return _download(export, form, format, view.work_dir)


def table_rows(store: Store, scope: Scope, table: str, period: str | None, today: date,
               form: FileForm) -> Export:  # fmt: skip
    """A canonical table's rows that the viewer may see, optionally of one period."""
    t = scoped_table(store, scope, table)
    name = table
    if period:
        p = resolve_window(period, today)
        col = t[TIME_COLUMNS[table]] if table in TIME_COLUMNS else None
        if col is None:
            raise InputError(f"{table} has no dates to choose a period by")
        lo, hi = datetime.combine(p.start, time()), datetime.combine(p.end, time())
        if col.type().is_date():
            t = t.filter((col >= ibis.date(p.start)) & (col < ibis.date(p.end)))
        else:  # the period's days in local time; a date-only value on its own day
            local = local_time(col, store.settings.timezone, p.start, p.end)
            t = t.filter((local >= lo) & (local < hi))
        name = f"{table}-{p.label}".replace("..", "_")
    return table_export(t, table, name, form)


@router.get("/export/{table}")
def export_table(
    table: str,
    view: JudgedView,
    format: str = "csv",
    period: str | None = None,
    csv: CsvOption = None,
    headers: HeadersOption = Headers.READABLE,
) -> Response:
    """A canonical table's rows that the viewer may see, optionally of one period."""
    form = file_form(view, csv, headers)
    export = table_rows(view.store, view.scope, table, period, view.today, form)
    return _download(export, form, format, view.work_dir)


# -- Excel exports as jobs, with their progress ------------------------------------------------
async def form_sender(request: Request, viewer: CurrentViewer, svc: ServicesDep) -> Viewer:
    """The viewer, when a session's form carries its CSRF token (an API token needs none)."""
    if viewer.session is not None:
        await check_csrf(request, session_csrf(svc.settings, viewer.session))
    return viewer


@router.post("/export/jobs", status_code=202, dependencies=[Depends(form_sender)])
def start_job(
    view: JudgedView,
    svc: ServicesDep,
    table: Annotated[str, Form()],
    period: Annotated[str, Form()] = "",
    headers: Annotated[Headers, Form()] = Headers.READABLE,
) -> JSONResponse:
    """Start writing a table's Excel export; its progress is at the URL the answer gives."""
    form = file_form(view, None, headers)
    scope, today = view.scope, view.today
    export = table_rows(view.store, scope, table, period or None, today, form)
    check_fits_excel(export)

    def work(path: Path, progress: Callable[[int], None]) -> None:
        store = svc.stores.take()
        try:
            write_xlsx(table_rows(store, scope, table, period or None, today, form), form, path,
                       progress)  # fmt: skip
        finally:
            svc.stores.give(store)

    job = svc.export_jobs.start(view.user.username, f"{export.name}.xlsx", export.rows, work)
    body = {**job.to_json(), "progress": f"/export/jobs/{job.id}"}
    return JSONResponse(body, status_code=202)


@router.get("/export/jobs/{job_id}")
def job_progress(job_id: str, view: ViewDep, svc: ServicesDep) -> dict[str, Any]:
    """An export job's progress (rows written of the total) and, when done, its download."""
    return svc.export_jobs.get(view.user.username, job_id).to_json()


@router.get("/export/jobs/{job_id}/file")
def job_file(job_id: str, view: ViewDep, svc: ServicesDep) -> Response:
    """The file of a finished export job."""
    job = svc.export_jobs.get(view.user.username, job_id)
    if job.state != "done":
        raise InputError(f"the export is {job.state}: {job.written:,} of {job.total:,} rows")
    return FileResponse(
        job.path, media_type=XLSX_MEDIA_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{job.file_name}"'},
    )  # fmt: skip
