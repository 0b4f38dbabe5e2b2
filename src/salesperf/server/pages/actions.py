"""The pages' forms and downloads: the import's preview and run, the rejected rows and logging an
activity (the exports are in `salesperf.server.pages.exports`).

Routes that do not wait on the request body are plain functions, which the server runs in its
worker threads: an export of a large table does not hold up everyone else's pages.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from salesperf.auth.access import check_replace, require_admin
from salesperf.ingest.mapping import MappingError
from salesperf.ingest.snapshot import SYSTEM_LENGTH, system_name
from salesperf.ingest.source import FileRefused
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
from salesperf.server.deps import ViewDep, Writer
from salesperf.server.pages import data, logform
from salesperf.server.render import render

router = APIRouter(include_in_schema=False)


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
