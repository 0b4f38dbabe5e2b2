"""The import's pages, as a wizard: the upload (`/import/preview`), how the file is written and
which of its columns fills each column of the table, checked on the whole file before anything
is written (`/import/check`, as often as the viewer changes a choice), the import itself
(`/import/run`) and its rejected rows for download. The upload is kept by its token between
the steps (`salesperf.server.api.uploads`); whoever may import (`require_admin`) may use them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from salesperf.auth.access import check_replace, require_admin
from salesperf.errors import InputError
from salesperf.i18n.messages import t
from salesperf.ingest.snapshot import SYSTEM_LENGTH, system_name
from salesperf.ingest.source import FileRefused
from salesperf.server.api.uploads import (
    discard_upload,
    mapping_for,
    rejects_csv,
    result_json,
    run_import,
    save_upload,
    split_maps,
    upload_path,
)
from salesperf.server.deps import View, ViewDep, Writer
from salesperf.server.pages import data
from salesperf.server.pages.import_wizard import Choices, Wizard, build, dry_run, reason
from salesperf.server.render import render

router = APIRouter(include_in_schema=False)


def _fields(form: Any) -> dict[str, str]:
    """A submitted form's text fields (the file aside), the system name held to its length."""
    fields = {k: v for k, v in form.items() if isinstance(v, str)}
    if len(fields.get("system", "")) > SYSTEM_LENGTH:
        raise InputError(f"system: at most {SYSTEM_LENGTH} characters")
    return fields


def _allowed(view: View, choices: Choices) -> None:
    """Only who may import may use the wizard; a snapshot import only with a view of all."""
    if choices.replace:
        check_replace(view.scope, choices.table)
    require_admin(view.user, "imports")


def _checked(view: View, choices: Choices, path: Path) -> Wizard:
    """The wizard for the upload, with the dry run's findings when the choices read it."""
    w = build(view, choices, path)
    if not w.errors:
        dry_run(view, w, path)
    return w


def _page(request: Request, view: View, w: Wizard, token: str, note: str | None = None) -> Response:
    """The wizard's page: 422 while a choice is wrong (nothing was imported)."""
    return render(
        request, view, "import_preview.html", status=422 if w.errors else 200,
        wizard=w.page(view.lang), form=w.settled(), upload=token, note=note,
    )  # fmt: skip


@router.post("/import/preview")
async def import_preview(request: Request, view: ViewDep, writer: Writer) -> Response:
    """Keep the upload; show how it is read, how its columns map and what the import would
    reject, before anything is imported. A file no choice can read is refused at once."""
    form = await request.form()
    choices = Choices.from_form(_fields(form))
    _allowed(view, choices)
    file = form.get("file")
    if not isinstance(file, UploadFile):
        raise InputError(t("wizard.step_file", view.lang))
    token, path = await save_upload(view.work_dir, file)
    try:
        w = await run_in_threadpool(_checked, view, choices, path)
    except FileRefused as exc:  # the file's format cannot be told (an old .xls)
        said = reason(exc, path, view.lang)
        w = Wizard(choices=choices, file=path.name, unreadable=True, errors=[said])
    if w.unreadable:
        discard_upload(path)
        return render(
            request, view, "import.html", status=422, data=data.import_form(view),
            form=choices, refused=w.errors,
        )  # fmt: skip
    return _page(request, view, w, token)


@router.post("/import/check")
async def import_check(request: Request, view: ViewDep, writer: Writer) -> Response:
    """The kept upload again, with the viewer's changed choices."""
    fields = _fields(await request.form())
    choices = Choices.from_form(fields)
    _allowed(view, choices)
    token = fields.get("upload", "")
    path = upload_path(view.work_dir, token)
    w = await run_in_threadpool(_checked, view, choices, path)
    return _page(request, view, w, token)


@router.post("/import/run")
async def import_run(request: Request, view: ViewDep, writer: Writer) -> Response:
    """Import the kept upload as its preview showed it and show what happened, row by rejected
    row (and, for a snapshot import, how many stored rows were deleted). Choices that changed
    since the preview show the preview again; wrong ones say why; neither imports anything."""
    fields = _fields(await request.form())
    choices = Choices.from_form(fields)
    _allowed(view, choices)
    token = fields.get("upload", "")
    path = upload_path(view.work_dir, token)
    if choices.chosen:
        w = await run_in_threadpool(build, view, choices, path)
        previewed = fields.get("previewed")
        if w.errors or w.mapping is None:
            return _page(request, view, w, token)
        if previewed and previewed != w.settled().digest():
            await run_in_threadpool(dry_run, view, w, path)
            return _page(request, view, w, token, note="wizard.changed")
        mapping = w.mapping
    else:  # a form without the wizard's choices: the preset and SOURCE=COLUMN lines
        _name, mapping = mapping_for(
            choices.table, preset=choices.preset, maps=split_maps(choices.maps)
        )
    try:
        result = await run_in_threadpool(
            run_import, view, choices.table, path, mapping,
            accept_suggested=choices.accept_suggested, replace=choices.replace,
            system=system_name(choices.system),
        )  # fmt: skip
    finally:
        discard_upload(path)
    return render(
        request, view, "import_result.html", result=result_json(result), replace=choices.replace
    )


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
