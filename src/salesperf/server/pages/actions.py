"""The pages' forms and downloads: the import's preview and run, the rejected rows, logging an
activity, and exports of the scorecard and of any table (CSV and Excel).

Routes that do not wait on the request body are plain functions, which the server runs in its
worker threads: an export of a large table does not hold up everyone else's pages.
"""

from __future__ import annotations

from datetime import datetime, time
from typing import Annotated, Any

import ibis
import pandas as pd
from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from salesperf.analysis.windows import resolve_window
from salesperf.auth.access import check_replace, require_admin, scoped_table
from salesperf.cells import XLSX_MEDIA_TYPE, frame_csv, xlsx_bytes
from salesperf.errors import InputError
from salesperf.ingest.mapping import MappingError
from salesperf.ingest.snapshot import SYSTEM_LENGTH, system_name
from salesperf.ingest.source import FileRefused
from salesperf.metrics.periods import Grain, calendar_days, local_time
from salesperf.metrics.query import By, Split
from salesperf.server.api.uploads import (
    discard_upload,
    mapping_for,
    preview,
    rejects_csv,
    result_json,
    run_import,
    save_upload,
    split_maps,
    upload_path,
)
from salesperf.server.deps import JudgedView, ViewDep, Writer
from salesperf.server.pages import data, logform
from salesperf.server.render import render

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
EXCEL_ROWS = 1_048_575  # a worksheet's rows, less the header


# -- import -------------------------------------------------------------------------------
@router.post("/import/preview")
async def import_preview(
    request: Request,
    view: ViewDep,
    writer: Writer,
    table: Annotated[str, Form()],
    file: Annotated[UploadFile, File()],
    preset: Annotated[str, Form()] = "generic",
    maps: Annotated[str, Form()] = "",
    replace: Annotated[bool, Form()] = False,
    system: Annotated[str, Form(max_length=SYSTEM_LENGTH)] = "",
) -> Response:
    """Keep the upload and show how its columns map, with its first rows, before importing."""
    if replace:
        check_replace(view.scope, table)
    require_admin(view.user, "imports")
    token, path = await save_upload(view.work_dir, file)
    form = {"table": table, "preset": preset, "maps": maps, "upload": token,
            "replace": replace, "system": system}  # fmt: skip
    try:
        name, mapping = mapping_for(table, preset=preset, maps=split_maps(maps))
        shown = await run_in_threadpool(preview, view.store, name, path, mapping)
        refused = None
    except (FileRefused, MappingError) as exc:
        shown, refused = None, str(exc)
        discard_upload(path)
    return render(
        request, view, "import_preview.html", status=422 if refused else 200,
        form=form, preview=shown, refused=refused, options=data.import_form(view),
    )  # fmt: skip


@router.post("/import/run")
def import_run(
    request: Request,
    view: ViewDep,
    writer: Writer,
    table: Annotated[str, Form()],
    upload: Annotated[str, Form()],
    preset: Annotated[str, Form()] = "generic",
    maps: Annotated[str, Form()] = "",
    accept_suggested: Annotated[bool, Form()] = False,
    replace: Annotated[bool, Form()] = False,
    system: Annotated[str, Form(max_length=SYSTEM_LENGTH)] = "",
) -> Response:
    """Import the kept upload and show what happened, row by rejected row (and, for a
    snapshot import, how many stored rows were deleted)."""
    if replace:
        check_replace(view.scope, table)
    require_admin(view.user, "imports")
    path = upload_path(view.work_dir, upload)
    name, mapping = mapping_for(table, preset=preset, maps=split_maps(maps))
    try:
        result = run_import(
            view,
            name,
            path,
            mapping,
            accept_suggested=accept_suggested,
            replace=replace,
            system=system_name(system),
        )
    finally:
        discard_upload(path)
    return render(request, view, "import_result.html", result=result_json(result), replace=replace)


@router.get("/import/{import_id}/rejects.csv")
def import_rejects(import_id: int, view: ViewDep) -> Response:
    """The rejected rows of an import, as CSV."""
    require_admin(view.user, "imports")
    body = rejects_csv(view.store, import_id, view.lang)
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="import-{import_id}-rejects.csv"'},
    )


# -- log an activity ---------------------------------------------------------------------
@router.post("/activities/new")
def log_activity(
    request: Request,
    view: ViewDep,
    writer: Writer,
    rep_id: Annotated[str, Form()] = "",
    type: Annotated[str, Form()] = "",
    occurred_at: Annotated[str, Form()] = "",
    outcome: Annotated[str, Form()] = "",
    duration_min: Annotated[str, Form()] = "",
    deal_id: Annotated[str, Form()] = "",
    account_id: Annotated[str, Form()] = "",
    confirm: Annotated[str, Form()] = "",
) -> Response:
    """Save one activity through the same checks as a batch or an import; an unlikely one
    (`logform`) comes back with its warnings until the viewer confirms it."""
    form = {
        "rep_id": rep_id, "type": type, "occurred_at": occurred_at, "outcome": outcome,
        "duration_min": duration_min, "deal_id": deal_id, "account_id": account_id,
    }  # fmt: skip
    reading = logform.read_form(view, form)
    if reading.ready(confirm):
        saved, reading = logform.save(view, form, reading)
        if saved:
            return RedirectResponse(f"/activities/new?saved={saved}", status_code=303)
    else:
        reading = logform.checked(view, form, reading)
    return render(
        request, view, "log.html", status=422 if reading.errors else 200,
        data=data.log_form(view), form=form, errors=reading.errors, warnings=reading.warnings,
        confirm=reading.confirm,
    )  # fmt: skip


# -- exports -------------------------------------------------------------------------------
def _download(df: pd.DataFrame, name: str, fmt: str) -> Response:
    """The frame as a CSV or Excel download; formula-like text is written as text."""
    if fmt == "csv":
        return Response(
            frame_csv(df).encode("utf-8"),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
        )
    if fmt != "xlsx":
        raise InputError(f"format {fmt!r} is not offered; choose csv or xlsx")
    if len(df) > EXCEL_ROWS:
        raise InputError(
            f"{len(df):,} rows do not fit in an Excel sheet; export CSV or choose a period"
        )
    return Response(
        xlsx_bytes(df, sheet=name[:31]),
        media_type=XLSX_MEDIA_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'},
    )


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
) -> Response:
    """The scorecard as one flat table (`Scorecard.to_frame`), inside the viewer's scope."""
    card = data.scorecard_card(
        view, by=by, grain=grain, period=period or None, metrics=metrics,
        split=split.value if split else None, filters=tuple(filter),
    )  # fmt: skip
    return _download(card.to_frame(), f"scorecard-{card.period.label}", format)


@router.get("/export/{table}")
def export_table(
    table: str, view: JudgedView, format: str = "csv", period: str | None = None
) -> Response:
    """A canonical table's rows that the viewer may see, optionally of one period."""
    t = scoped_table(view.store, view.scope, table)
    name = table
    if period:
        p = resolve_window(period, view.today)
        col = t[TIME_COLUMNS[table]] if table in TIME_COLUMNS else None
        if col is None:
            raise InputError(f"{table} has no dates to choose a period by")
        lo, hi = datetime.combine(p.start, time()), datetime.combine(p.end, time())
        if col.type().is_date():
            t = t.filter((col >= ibis.date(p.start)) & (col < ibis.date(p.end)))
        else:  # the period's days in local time; a date-only value on its own day
            local = local_time(col, view.store.settings.timezone, p.start, p.end)
            t = t.filter((local >= lo) & (local < hi))
        name = f"{table}-{p.label}".replace("..", "_")
    df: Any = calendar_days(t.to_pandas())
    return _download(df, name, format)
